//! The members of one workspace: list, bulk add, bulk remove.

use std::future::Future;

use futures_util::future::BoxFuture;

use crate::bulk::{Bulk, chunked};
use crate::client::Client;
use crate::error::Result;
use crate::operation as op;
use crate::pagination::{Page, Paginator, count, page_query};
use crate::requests::{BulkAddWorkspaceMembers, BulkRemoveWorkspaceMembers};
use crate::{MembersAdded, WorkspaceMember, limits};

/// The members of one workspace. Get it from [`Workspaces::members`](crate::Workspaces::members); cheap to clone.
/// Its futures own what they need (see [`Workspaces`](crate::Workspaces)).
///
/// For the default workspace, the members are the whole organization (implicit membership).
#[derive(Clone, Debug)]
pub struct Members {
    client: Client,
    workspace: String,
}

impl Members {
    pub(crate) fn new(client: Client, workspace: String) -> Self {
        Members { client, workspace }
    }

    /// All members, as a lazy paginated list: see [`Paginator`].
    pub fn list(&self) -> Paginator<WorkspaceMember> {
        let members = self.clone();
        Paginator::new(&op::LIST_WORKSPACE_MEMBERS_LIMIT, move |offset, limit| {
            Box::pin(members.list_page(offset, limit))
        })
    }

    /// One page of members: `limit` items (1 to
    /// [`limits::LIST_WORKSPACE_MEMBERS_LIMIT_MAXIMUM`](crate::limits)) from `offset`.
    pub fn list_page(
        &self,
        offset: u64,
        limit: u32,
    ) -> impl Future<Output = Result<Page<WorkspaceMember>>> + Send + use<> {
        let (client, workspace) = (self.client.clone(), self.workspace.clone());
        async move {
            let (l, o) =
                page_query(&op::LIST_WORKSPACE_MEMBERS_LIMIT, &op::LIST_WORKSPACE_MEMBERS_OFFSET, offset, limit)?;
            let body = client.list_workspace_members(&workspace, l, o).await?;
            Ok(Page { items: body.data, total_count: count(body.total_count), offset, limit })
        }
    }

    /// Adds organization members to the workspace, with the role they hold in the organization: 1 to
    /// [`limits::BULK_ADD_WORKSPACE_MEMBERS_USER_IDS_MAX_ITEMS`](crate::limits) user ids per call.
    ///
    /// ```no_run
    /// # async fn run(client: openrouter_workspaces::Client) -> Result<(), openrouter_workspaces::Error> {
    /// let added = client.workspaces().members("production").add(["user_abc", "user_def"]).await?;
    /// println!("{} added", added.added_count);
    /// # Ok(()) }
    /// ```
    pub fn add<I, S>(&self, user_ids: I) -> impl Future<Output = Result<MembersAdded>> + Send + use<I, S>
    where
        I: IntoIterator<Item = S>,
        S: Into<String>,
    {
        let (client, workspace) = (self.client.clone(), self.workspace.clone());
        let body = BulkAddWorkspaceMembers::new(user_ids);
        async move { client.bulk_add_workspace_members(&workspace, &body).await.map(|added| *added) }
    }

    /// Adds any number of organization members: the ids are sent in requests of at most
    /// [`limits::BULK_ADD_WORKSPACE_MEMBERS_USER_IDS_MAX_ITEMS`](crate::limits) (so `n` ids cost `ceil(n / max)`
    /// requests, none for no id), at most [`concurrency`](Bulk::concurrency) at once. A [`Bulk`] job with one
    /// item per request, keyed by its user ids; one request's failure does not stop the others. The ids are read
    /// from the iterator as the job goes.
    ///
    /// ```no_run
    /// # async fn run(client: openrouter_workspaces::Client) {
    /// let everyone: Vec<String> = (0..250).map(|i| format!("user_{i}")).collect();
    /// let report = client.workspaces().members("production").add_all(everyone).collect().await; // 3 requests
    /// let added: i64 = report.iter().filter_map(|item| item.result.as_ref().ok()).map(|r| r.added_count).sum();
    /// for failed in report.iter().filter(|item| item.result.is_err()) {
    ///     eprintln!("{} ids not added: {:?}", failed.key.len(), failed.result.as_ref().err());
    /// }
    /// # }
    /// ```
    pub fn add_all<I, S>(&self, user_ids: I) -> Bulk<Vec<String>, MembersAdded>
    where
        I: IntoIterator<Item = S>,
        I::IntoIter: Send + 'static,
        S: Into<String>,
    {
        let members = self.clone();
        chunked(user_ids, limits::BULK_ADD_WORKSPACE_MEMBERS_USER_IDS_MAX_ITEMS, move |chunk| {
            let job: BoxFuture<'static, Result<MembersAdded>> = Box::pin(members.add(chunk));
            job
        })
    }

    /// Removes members from the workspace (1 to
    /// [`limits::BULK_REMOVE_WORKSPACE_MEMBERS_USER_IDS_MAX_ITEMS`](crate::limits) user ids per call); returns
    /// how many were removed. Members with active API keys in the workspace, and SCIM-managed members, cannot be
    /// removed.
    pub fn remove<I, S>(&self, user_ids: I) -> impl Future<Output = Result<u64>> + Send + use<I, S>
    where
        I: IntoIterator<Item = S>,
        S: Into<String>,
    {
        let (client, workspace) = (self.client.clone(), self.workspace.clone());
        let body = BulkRemoveWorkspaceMembers::new(user_ids);
        async move { Ok(count(client.bulk_remove_workspace_members(&workspace, &body).await?.removed_count)) }
    }

    /// Removes any number of members: the counterpart of [`add_all`](Self::add_all). The ids are sent in requests
    /// of at most [`limits::BULK_REMOVE_WORKSPACE_MEMBERS_USER_IDS_MAX_ITEMS`](crate::limits) (`n` ids cost
    /// `ceil(n / max)` requests, none for no id), at most [`concurrency`](Bulk::concurrency) at once: a [`Bulk`]
    /// job with one item per request, keyed by its user ids, whose result is how many that request removed. One
    /// request's failure does not stop the others. The ids are read from the iterator as the job goes.
    ///
    /// ```no_run
    /// # async fn run(client: openrouter_workspaces::Client) {
    /// let leavers: Vec<String> = (0..250).map(|i| format!("user_{i}")).collect();
    /// let report = client.workspaces().members("production").remove_all(leavers).collect().await; // 3 requests
    /// let removed: u64 = report.iter().filter_map(|item| item.result.as_ref().ok()).sum();
    /// # }
    /// ```
    pub fn remove_all<I, S>(&self, user_ids: I) -> Bulk<Vec<String>, u64>
    where
        I: IntoIterator<Item = S>,
        I::IntoIter: Send + 'static,
        S: Into<String>,
    {
        let members = self.clone();
        chunked(user_ids, limits::BULK_REMOVE_WORKSPACE_MEMBERS_USER_IDS_MAX_ITEMS, move |chunk| {
            let job: BoxFuture<'static, Result<u64>> = Box::pin(members.remove(chunk));
            job
        })
    }
}
