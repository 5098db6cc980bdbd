//! Workspaces: list, create, get, update, delete; and the way to a workspace's members and budgets.

use std::future::IntoFuture;

use futures_util::future::BoxFuture;

use crate::Workspace;
use crate::budgets::Budgets;
use crate::client::Client;
use crate::error::Result;
use crate::members::Members;
use crate::operation as op;
use crate::pagination::{Page, Paginator, count, page_query};
use crate::requests::{CreateWorkspace, UpdateWorkspace};
use crate::validate::{self, Side, Validate};

impl Client {
    /// The workspaces of the organization.
    pub fn workspaces(&self) -> Workspaces<'_> {
        Workspaces { client: self }
    }
}

/// The workspaces of the organization. Get it from [`Client::workspaces`].
///
/// Wherever a workspace is named, its id (UUID) or its slug will do.
#[derive(Clone, Copy, Debug)]
pub struct Workspaces<'a> {
    client: &'a Client,
}

impl<'a> Workspaces<'a> {
    /// All workspaces, as a lazy paginated list: see [`Paginator`] for streams of pages or items.
    pub fn list(&self) -> Paginator<Workspace> {
        let client = self.client.clone();
        Paginator::new(&op::LIST_WORKSPACES_LIMIT, move |offset, limit| {
            let client = client.clone();
            Box::pin(async move { client.workspaces().list_page(offset, limit).await })
        })
    }

    /// One page of workspaces: `limit` items (1 to [`limits::LIST_WORKSPACES_LIMIT_MAXIMUM`](crate::limits))
    /// from `offset`.
    ///
    /// # Errors
    /// [`Error::InvalidInput`](crate::Error::InvalidInput) for a limit or offset outside the spec's bounds
    /// (nothing is sent), or what the server answered.
    pub async fn list_page(&self, offset: u64, limit: u32) -> Result<Page<Workspace>> {
        let (l, o) = page_query(&op::LIST_WORKSPACES_LIMIT, &op::LIST_WORKSPACES_OFFSET, offset, limit)?;
        let body = self.client.call(op::LIST_WORKSPACES, |raw| raw.list_workspaces(l, o)).await?;
        Ok(Page { items: body.data, total_count: count(body.total_count), offset, limit })
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
    pub async fn create(&self, request: CreateWorkspace) -> Result<Workspace> {
        request.validate(Side::Client)?;
        let body = self.client.call(op::CREATE_WORKSPACE, |raw| raw.create_workspace(&request)).await?;
        Ok(body.data)
    }

    /// The workspace with this id or slug.
    ///
    /// # Errors
    /// [`Error::NotFound`](crate::Error::NotFound) when there is none; an invalid id is rejected before sending.
    pub async fn get(&self, id: impl AsRef<str>) -> Result<Workspace> {
        let id = validate::path_param(&op::GET_WORKSPACE_ID, id.as_ref())?;
        let body = self.client.call(op::GET_WORKSPACE, |raw| raw.get_workspace(id)).await?;
        Ok(body.data)
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
    pub async fn update(&self, id: impl AsRef<str>, update: UpdateWorkspace) -> Result<Workspace> {
        let id = validate::path_param(&op::UPDATE_WORKSPACE_ID, id.as_ref())?;
        update.validate(Side::Client)?;
        let body = self.client.call(op::UPDATE_WORKSPACE, |raw| raw.update_workspace(id, &update)).await?;
        Ok(body.data)
    }

    /// Deletes the workspace with this id or slug: `.await` it. Deleting the default workspace also needs
    /// [`confirm_default_workspace_deletion`](DeleteWorkspace::confirm_default_workspace_deletion).
    ///
    /// ```no_run
    /// # async fn run(client: openrouter_workspaces::Client) -> Result<(), openrouter_workspaces::Error> {
    /// client.workspaces().delete("staging").await?;
    /// # Ok(()) }
    /// ```
    pub fn delete(&self, id: impl Into<String>) -> DeleteWorkspace<'a> {
        DeleteWorkspace { client: self.client, id: id.into(), confirm: false }
    }

    /// The members of the workspace with this id or slug.
    pub fn members(&self, id: impl Into<String>) -> Members<'a> {
        Members::new(self.client, id.into())
    }

    /// The budgets of the workspace with this id or slug.
    pub fn budgets(&self, id: impl Into<String>) -> Budgets<'a> {
        Budgets::new(self.client, id.into())
    }
}

/// A pending deletion; `.await` it to send. See [`Workspaces::delete`].
#[derive(Debug)]
#[must_use = "nothing is deleted until this is awaited"]
pub struct DeleteWorkspace<'a> {
    client: &'a Client,
    id: String,
    confirm: bool,
}

impl DeleteWorkspace<'_> {
    /// Confirms deleting the **default** workspace. This permanently disables the account's unscoped inference
    /// API keys and deletes its budgets, guardrails, classifiers and broadcast destinations. Ignored for other
    /// workspaces. (Deleting the default workspace is not generally available yet: callers not enabled for it get
    /// [`Error::Forbidden`](crate::Error::Forbidden) whatever this says.)
    pub fn confirm_default_workspace_deletion(mut self) -> Self {
        self.confirm = true;
        self
    }
}

impl<'a> IntoFuture for DeleteWorkspace<'a> {
    type Output = Result<()>;
    type IntoFuture = BoxFuture<'a, Result<()>>;

    fn into_future(self) -> Self::IntoFuture {
        Box::pin(async move {
            let id = validate::path_param(&op::DELETE_WORKSPACE_ID, &self.id)?;
            let confirm = self.confirm.then_some(true);
            self.client.call(op::DELETE_WORKSPACE, |raw| raw.delete_workspace(id, confirm)).await?;
            Ok(())
        })
    }
}
