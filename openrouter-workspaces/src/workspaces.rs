//! Workspaces: list, create, get, update, delete; and the way to a workspace's members, budgets, API keys and
//! default guardrail.
//!
//! The handles own a clone of the [`Client`] (an `Arc`), and every future they return owns what it needs: with owned
//! (or `'static`) arguments it is `'static + Send`, so it can be spawned. Nothing is sent until it is polled.

use std::future::Future;
use std::pin::Pin;
use std::task::{Context, Poll};

use futures_util::future::BoxFuture;

use crate::Workspace;
use crate::budgets::Budgets;
use crate::bulk::{Bulk, exact_len};
use crate::client::Client;
use crate::error::Result;
use crate::guardrail::DefaultGuardrail;
use crate::keys::WorkspaceKeys;
use crate::members::Members;
use crate::operation as op;
use crate::pagination::{Page, Paginator, count, page_query};
use crate::requests::{CreateWorkspace, UpdateWorkspace};

impl Client {
    /// The workspaces of the organization.
    pub fn workspaces(&self) -> Workspaces {
        Workspaces { client: self.clone() }
    }
}

/// The workspaces of the organization. Get it from [`Client::workspaces`]; cheap to clone.
///
/// Wherever a workspace is named, its id (UUID) or its slug will do. A method that names one workspace takes it as
/// a `&str` (`"production"`, `&slug`, `&workspace.id`) and keeps its own copy: what it returns owns everything it
/// needs, whatever was passed. (A generic `impl AsRef<str>` or `impl Into<String>` would tie a returned future to
/// the argument's type, so a borrowed `&String` would keep it from being spawned.) The ids of a bulk job's input
/// ([`update_many`](Self::update_many)) are items of an iterator that the job reads as it goes: those are
/// `Into<String>`, and each becomes its item's key.
///
/// ```no_run
/// # async fn run(client: openrouter_workspaces::Client) -> Result<(), openrouter_workspaces::Error> {
/// // Every future the SDK returns owns what it needs: spawn it.
/// let task = tokio::spawn(client.workspaces().get("production"));
/// let workspace = task.await.expect("the task panicked")?;
/// // Even when the id is borrowed from a value that does not outlive the task.
/// let again = tokio::spawn(client.workspaces().get(&workspace.id));
/// drop(workspace);
/// let workspace = again.await.expect("the task panicked")?;
/// # Ok(()) }
/// ```
#[derive(Clone, Debug)]
pub struct Workspaces {
    client: Client,
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
            let body = client.list_workspaces(l, o).await?;
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
        async move { Ok(client.create_workspace(&request).await?.data) }
    }

    /// The workspace with this id or slug.
    ///
    /// # Errors
    /// [`Error::NotFound`](crate::Error::NotFound) when there is none; an invalid id is rejected before sending.
    pub fn get(&self, id: &str) -> impl Future<Output = Result<Workspace>> + Send + use<> {
        let client = self.client.clone();
        let id = id.to_owned();
        async move { Ok(client.get_workspace(&id).await?.data) }
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
    pub fn update(&self, id: &str, update: UpdateWorkspace) -> impl Future<Output = Result<Workspace>> + Send + use<> {
        let client = self.client.clone();
        let id = id.to_owned();
        async move { Ok(client.update_workspace(&id, &update).await?.data) }
    }

    /// Deletes the workspace with this id or slug: `.await` it (or spawn it). Deleting the default workspace also
    /// needs [`confirm_default_workspace_deletion`](DeleteWorkspace::confirm_default_workspace_deletion).
    ///
    /// ```no_run
    /// # async fn run(client: openrouter_workspaces::Client) -> Result<(), openrouter_workspaces::Error> {
    /// client.workspaces().delete("staging").await?;
    /// # Ok(()) }
    /// ```
    pub fn delete(&self, id: &str) -> DeleteWorkspace {
        DeleteWorkspace { client: self.client.clone(), id: id.to_owned(), confirm: false, running: None }
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
            let job: BoxFuture<'static, Result<Workspace>> = Box::pin(workspaces.update(&id, update));
            (id, job)
        });
        Bulk::new(jobs, total)
    }

    /// The members of the workspace with this id or slug.
    pub fn members(&self, id: &str) -> Members {
        Members::new(self.client.clone(), id.to_owned())
    }

    /// The budgets of the workspace with this id or slug.
    pub fn budgets(&self, id: &str) -> Budgets {
        Budgets::new(self.client.clone(), id.to_owned())
    }

    /// The API keys of the workspace with this id or slug: list and create (get, update and delete a key by its
    /// hash with [`Client::keys`]).
    pub fn keys(&self, id: &str) -> WorkspaceKeys {
        WorkspaceKeys::new(self.client.clone(), id.to_owned())
    }

    /// The default guardrail of the workspace with this id or slug: get (`None` while unconfigured) and update.
    pub fn default_guardrail(&self, id: &str) -> DefaultGuardrail {
        DefaultGuardrail::new(self.client.clone(), id.to_owned())
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
                client.delete_workspace(&id, confirm.then_some(true)).await?;
                Ok(())
            })
        });
        running.as_mut().poll(cx)
    }
}
