//! Workspaces: list, create, get, update, delete; and the way to a workspace's members and budgets.
//!
//! The handles own a clone of the [`Client`] (an `Arc`), and every future they return owns what it needs: with owned
//! (or `'static`) arguments it is `'static + Send`, so it can be spawned. Nothing is sent until it is polled.

use std::future::Future;
use std::pin::Pin;
use std::task::{Context, Poll};

use futures_util::future::BoxFuture;

use crate::Workspace;
use crate::budgets::Budgets;
use crate::bulk::Bulk;
use crate::client::Client;
use crate::error::Result;
use crate::members::Members;
use crate::operation as op;
use crate::pagination::{Page, Paginator, count, page_query};
use crate::provision::{self, NewWorkspace, ProvisionError, Provisioned};
use crate::requests::{CreateWorkspace, UpdateWorkspace};
use crate::validate::{self, Side, Validate};

impl Client {
    /// The workspaces of the organization.
    pub fn workspaces(&self) -> Workspaces {
        Workspaces { client: self.clone() }
    }
}

/// The workspaces of the organization. Get it from [`Client::workspaces`]; cheap to clone.
///
/// Wherever a workspace is named, its id (UUID) or its slug will do.
///
/// ```no_run
/// # async fn run(client: openrouter_workspaces::Client) -> Result<(), openrouter_workspaces::Error> {
/// // Every future the SDK returns owns what it needs: spawn it.
/// let task = tokio::spawn(client.workspaces().get("production"));
/// let workspace = task.await.expect("the task panicked")?;
/// # Ok(()) }
/// ```
#[derive(Clone, Debug)]
pub struct Workspaces {
    client: Client,
}

/// The number of items an iterator will yield, when it says exactly.
pub(crate) fn exact_len(hint: (usize, Option<usize>)) -> Option<usize> {
    (hint.1 == Some(hint.0)).then_some(hint.0)
}

impl Workspaces {
    pub(crate) fn client(&self) -> &Client {
        &self.client
    }

    /// All workspaces, as a lazy paginated list: see [`Paginator`] for streams of pages or items.
    pub fn list(&self) -> Paginator<Workspace> {
        let workspaces = self.clone();
        Paginator::new(&op::LIST_WORKSPACES_LIMIT, move |offset, limit| Box::pin(workspaces.list_page(offset, limit)))
    }

    /// One page of workspaces: `limit` items (1 to [`limits::LIST_WORKSPACES_LIMIT_MAXIMUM`](crate::limits))
    /// from `offset`.
    ///
    /// # Errors
    /// [`Error::InvalidInput`](crate::Error::InvalidInput) for a limit or offset outside the spec's bounds
    /// (nothing is sent), or what the server answered.
    pub fn list_page(&self, offset: u64, limit: u32) -> impl Future<Output = Result<Page<Workspace>>> + Send + use<> {
        let client = self.client.clone();
        async move {
            let (l, o) = page_query(&op::LIST_WORKSPACES_LIMIT, &op::LIST_WORKSPACES_OFFSET, offset, limit)?;
            let body = client.call(op::LIST_WORKSPACES, |raw| raw.list_workspaces(l, o)).await?;
            Ok(Page { items: body.data, total_count: count(body.total_count), offset, limit })
        }
    }

    /// Creates a workspace.
    ///
    /// ```no_run
    /// # async fn run(client: openrouter_workspaces::Client) -> Result<(), openrouter_workspaces::Error> {
    /// use openrouter_workspaces::CreateWorkspace;
    /// let ws = client.workspaces().create(CreateWorkspace::new("Staging", "staging")).await?;
    /// # Ok(()) }
    /// ```
    ///
    /// # Errors
    /// [`Error::InvalidInput`](crate::Error::InvalidInput) when a field breaks the spec's rules (nothing is
    /// sent), or what the server answered (for example [`Error::BadRequest`](crate::Error::BadRequest) for a
    /// slug already taken).
    pub fn create(&self, request: CreateWorkspace) -> impl Future<Output = Result<Workspace>> + Send + use<> {
        let client = self.client.clone();
        async move {
            request.validate(Side::Client)?;
            let body = client.call(op::CREATE_WORKSPACE, |raw| raw.create_workspace(&request)).await?;
            Ok(body.data)
        }
    }

    /// The workspace with this id or slug.
    ///
    /// # Errors
    /// [`Error::NotFound`](crate::Error::NotFound) when there is none; an invalid id is rejected before sending.
    pub fn get<S: AsRef<str>>(&self, id: S) -> impl Future<Output = Result<Workspace>> + Send + use<S> {
        let client = self.client.clone();
        let id = id.as_ref().to_owned();
        async move {
            let id = validate::path_param(&op::GET_WORKSPACE_ID, &id)?;
            let body = client.call(op::GET_WORKSPACE, |raw| raw.get_workspace(id)).await?;
            Ok(body.data)
        }
    }

    /// Applies `update` to the workspace with this id or slug and returns it as it now is.
    ///
    /// ```no_run
    /// # async fn run(client: openrouter_workspaces::Client) -> Result<(), openrouter_workspaces::Error> {
    /// use openrouter_workspaces::UpdateWorkspace;
    /// let update = UpdateWorkspace::new().name("Staging (old)").clear_description();
    /// let ws = client.workspaces().update("staging", update).await?;
    /// assert!(ws.description.is_none());
    /// # Ok(()) }
    /// ```
    pub fn update<S: AsRef<str>>(
        &self,
        id: S,
        update: UpdateWorkspace,
    ) -> impl Future<Output = Result<Workspace>> + Send + use<S> {
        let client = self.client.clone();
        let id = id.as_ref().to_owned();
        async move {
            let id = validate::path_param(&op::UPDATE_WORKSPACE_ID, &id)?;
            update.validate(Side::Client)?;
            let body = client.call(op::UPDATE_WORKSPACE, |raw| raw.update_workspace(id, &update)).await?;
            Ok(body.data)
        }
    }

    /// Deletes the workspace with this id or slug: `.await` it (or spawn it). Deleting the default workspace also
    /// needs [`confirm_default_workspace_deletion`](DeleteWorkspace::confirm_default_workspace_deletion).
    ///
    /// ```no_run
    /// # async fn run(client: openrouter_workspaces::Client) -> Result<(), openrouter_workspaces::Error> {
    /// client.workspaces().delete("staging").await?;
    /// # Ok(()) }
    /// ```
    pub fn delete(&self, id: impl Into<String>) -> DeleteWorkspace {
        DeleteWorkspace { client: self.client.clone(), id: id.into(), confirm: false, running: None }
    }

    /// Provisions many workspaces: creates each one, then sets its budgets and adds its members (see
    /// [`NewWorkspace`]), with at most [`concurrency`](Bulk::concurrency) workspaces in progress at once. A
    /// [`Bulk`] job: lazy, one [`BulkItem`](crate::BulkItem) per workspace keyed by its slug, in completion order
    /// ([`Bulk::collect`] for input order); one workspace's failure does not stop the others.
    ///
    /// Nothing is created twice: a create is never replayed blindly (whatever the client's
    /// [`retry_non_idempotent`](crate::RetryPolicy::retry_non_idempotent) says); when its answer is lost, the
    /// workspace is looked up by its slug before the create is sent again, and reported as
    /// [`recovered`](Provisioned::recovered) if it exists. A failure says which step failed and whether the
    /// workspace exists ([`ProvisionError`]). Requests share the client's retry budget and its view of the rate
    /// limit: a job that meets a `429` slows down as a whole.
    ///
    /// ```no_run
    /// # async fn run(client: openrouter_workspaces::Client) {
    /// use futures_util::StreamExt;
    /// use openrouter_workspaces::{BudgetInterval, CreateWorkspace, NewWorkspace};
    ///
    /// let customers = ["acme", "globex", "initech"];
    /// let job = client.workspaces().create_many(customers.map(|slug| {
    ///     NewWorkspace::new(CreateWorkspace::new(slug.to_uppercase(), slug)).budget(BudgetInterval::Monthly, 50.0)
    /// }));
    /// let mut results = job.concurrency(16).stream();
    /// while let Some(item) = results.next().await {
    ///     match item.result {
    ///         Ok(done) => println!("{} ready ({})", item.key, done.workspace.id),
    ///         Err(e) => eprintln!("{}: {e}", item.key),
    ///     }
    /// }
    /// # }
    /// ```
    pub fn create_many<I>(&self, workspaces: I) -> Bulk<String, Provisioned, ProvisionError>
    where
        I: IntoIterator,
        I::Item: Into<NewWorkspace>,
        I::IntoIter: Send + 'static,
    {
        let creates =
            Workspaces { client: self.client.with_retry_policy(provision::create_policy(self.client.retry_policy())) };
        let steps = self.clone();
        let items = workspaces.into_iter();
        let total = exact_len(items.size_hint());
        let jobs = items.map(move |item| {
            let new: NewWorkspace = item.into();
            let slug = new.workspace.slug.clone();
            let job: BoxFuture<'static, std::result::Result<Provisioned, ProvisionError>> =
                Box::pin(provision::provision(creates.clone(), steps.clone(), new));
            (slug, job)
        });
        Bulk::new(jobs, total)
    }

    /// Applies updates to many workspaces (each an id or slug and its [`UpdateWorkspace`]), with at most
    /// [`concurrency`](Bulk::concurrency) in flight: a [`Bulk`] job keyed by the id or slug given, one failure
    /// not stopping the others. Each update is one `PATCH`, retried only as a single
    /// [`update`](Self::update) is (not after it may have reached the server, unless the client's policy opts in).
    ///
    /// ```no_run
    /// # async fn run(client: openrouter_workspaces::Client) {
    /// use openrouter_workspaces::UpdateWorkspace;
    /// // One update for many workspaces (the input is read as the job goes, so it owns what it uses: `move`).
    /// let update = UpdateWorkspace::new().default_text_model("openai/gpt-4o");
    /// let ids = vec!["acme", "globex", "initech"];
    /// let updates = ids.into_iter().map(move |id| (id, update.clone()));
    /// let report = client.workspaces().update_many(updates).collect().await;
    /// let failed = report.iter().filter(|item| item.result.is_err()).count();
    /// # }
    /// ```
    pub fn update_many<I, S>(&self, updates: I) -> Bulk<String, Workspace>
    where
        I: IntoIterator<Item = (S, UpdateWorkspace)>,
        I::IntoIter: Send + 'static,
        S: Into<String>,
    {
        let workspaces = self.clone();
        let items = updates.into_iter();
        let total = exact_len(items.size_hint());
        let jobs = items.map(move |(id, update)| {
            let id: String = id.into();
            let job: BoxFuture<'static, Result<Workspace>> = Box::pin(workspaces.update(id.clone(), update));
            (id, job)
        });
        Bulk::new(jobs, total)
    }

    /// The members of the workspace with this id or slug.
    pub fn members(&self, id: impl Into<String>) -> Members {
        Members::new(self.client.clone(), id.into())
    }

    /// The budgets of the workspace with this id or slug.
    pub fn budgets(&self, id: impl Into<String>) -> Budgets {
        Budgets::new(self.client.clone(), id.into())
    }
}

/// A pending deletion: a future (nothing is sent until it is polled), with one option to set before. See
/// [`Workspaces::delete`].
#[must_use = "nothing is deleted until this is awaited"]
pub struct DeleteWorkspace {
    client: Client,
    id: String,
    confirm: bool,
    running: Option<BoxFuture<'static, Result<()>>>,
}

impl std::fmt::Debug for DeleteWorkspace {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("DeleteWorkspace")
            .field("id", &self.id)
            .field("confirm_default_workspace_deletion", &self.confirm)
            .field("started", &self.running.is_some())
            .finish_non_exhaustive()
    }
}

impl DeleteWorkspace {
    /// Confirms deleting the **default** workspace. This permanently disables the account's unscoped inference
    /// API keys and deletes its budgets, guardrails, classifiers and broadcast destinations. Ignored for other
    /// workspaces. (Deleting the default workspace is not generally available yet: callers not enabled for it get
    /// [`Error::Forbidden`](crate::Error::Forbidden) whatever this says.)
    pub fn confirm_default_workspace_deletion(mut self) -> Self {
        self.confirm = true;
        self
    }
}

impl Future for DeleteWorkspace {
    type Output = Result<()>;

    fn poll(self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<Result<()>> {
        let this = self.get_mut();
        let running = this.running.get_or_insert_with(|| {
            let (client, id, confirm) = (this.client.clone(), std::mem::take(&mut this.id), this.confirm);
            Box::pin(async move {
                let id = validate::path_param(&op::DELETE_WORKSPACE_ID, &id)?;
                let confirm = confirm.then_some(true);
                client.call(op::DELETE_WORKSPACE, |raw| raw.delete_workspace(id, confirm)).await?;
                Ok(())
            })
        });
        running.as_mut().poll(cx)
    }
}
