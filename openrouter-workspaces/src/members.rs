//! The members of one workspace: list, bulk add, bulk remove.

use crate::client::Client;
use crate::error::Result;
use crate::operation as op;
use crate::pagination::{Page, Paginator};
use crate::raw::types::{BulkAddWorkspaceMembersRequest, BulkRemoveWorkspaceMembersRequest};
use crate::validate;
use crate::workspaces::{count, page_query};
use crate::{MembersAdded, WorkspaceMember};

/// The members of one workspace. Get it from [`Workspaces::members`](crate::Workspaces::members).
///
/// For the default workspace, the members are the whole organization (implicit membership).
#[derive(Clone, Debug)]
pub struct Members<'a> {
    client: &'a Client,
    workspace: String,
}

fn ids<I, S>(user_ids: I) -> Vec<String>
where
    I: IntoIterator<Item = S>,
    S: Into<String>,
{
    user_ids.into_iter().map(Into::into).collect()
}

impl<'a> Members<'a> {
    pub(crate) fn new(client: &'a Client, workspace: String) -> Self {
        Members { client, workspace }
    }

    /// All members, as a lazy paginated list: see [`Paginator`].
    pub fn list(&self) -> Paginator<WorkspaceMember> {
        let client = self.client.clone();
        let workspace = self.workspace.clone();
        Paginator::new(move |offset, limit| {
            let client = client.clone();
            let workspace = workspace.clone();
            Box::pin(async move { client.workspaces().members(workspace).list_page(offset, limit).await })
        })
    }

    /// One page of members: `limit` (1 to 100) items from `offset`.
    pub async fn list_page(&self, offset: u64, limit: u32) -> Result<Page<WorkspaceMember>> {
        let id = validate::path_segment("id", &self.workspace)?;
        let (l, o) = page_query(offset, limit)?;
        let body = self.client.call(op::LIST_WORKSPACE_MEMBERS, |raw| raw.list_workspace_members(id, l, o)).await?;
        Ok(Page { items: body.data, total_count: count(body.total_count), offset, limit })
    }

    /// Adds organization members (1 to 100 user ids) to the workspace, with the role they hold in the
    /// organization.
    ///
    /// ```no_run
    /// # async fn run(client: openrouter_workspaces::Client) -> Result<(), openrouter_workspaces::Error> {
    /// let added = client.workspaces().members("production").add(["user_abc", "user_def"]).await?;
    /// println!("{} added", added.added_count);
    /// # Ok(()) }
    /// ```
    pub async fn add<I, S>(&self, user_ids: I) -> Result<MembersAdded>
    where
        I: IntoIterator<Item = S>,
        S: Into<String>,
    {
        let id = validate::path_segment("id", &self.workspace)?;
        let user_ids = ids(user_ids);
        validate::user_ids(&user_ids)?;
        let body = BulkAddWorkspaceMembersRequest { user_ids };
        self.client.call(op::BULK_ADD_WORKSPACE_MEMBERS, |raw| raw.bulk_add_workspace_members(id, &body)).await
    }

    /// Removes members (1 to 100 user ids) from the workspace; returns how many were removed. Members with
    /// active API keys in the workspace, and SCIM-managed members, cannot be removed.
    pub async fn remove<I, S>(&self, user_ids: I) -> Result<u64>
    where
        I: IntoIterator<Item = S>,
        S: Into<String>,
    {
        let id = validate::path_segment("id", &self.workspace)?;
        let user_ids = ids(user_ids);
        validate::user_ids(&user_ids)?;
        let body = BulkRemoveWorkspaceMembersRequest { user_ids };
        let out = self
            .client
            .call(op::BULK_REMOVE_WORKSPACE_MEMBERS, |raw| raw.bulk_remove_workspace_members(id, &body))
            .await?;
        Ok(count(out.removed_count))
    }
}
