//! The operations of the API: id, method and path template. Errors and traces name them; the retry policy reads
//! the method to know whether a call is idempotent. A contract test checks this table against the spec.

use std::fmt;

/// One operation of the API.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
#[non_exhaustive]
pub struct Operation {
    /// The spec's operationId, e.g. `getWorkspace`.
    pub id: &'static str,
    /// The HTTP method, upper case.
    pub method: &'static str,
    /// The path template under the base URL, e.g. `/workspaces/{id}`.
    pub path: &'static str,
}

impl Operation {
    /// Whether sending this operation twice has the same effect as sending it once (GET, PUT, DELETE).
    pub fn is_idempotent(&self) -> bool {
        matches!(self.method, "GET" | "HEAD" | "OPTIONS" | "PUT" | "DELETE")
    }
}

impl fmt::Display for Operation {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{} {}", self.method, self.path)
    }
}

macro_rules! operations {
    ($($name:ident = $id:literal, $method:literal, $path:literal;)+) => {
        $(
            #[doc = concat!("`", $id, "`: `", $method, " ", $path, "`.")]
            pub const $name: Operation = Operation { id: $id, method: $method, path: $path };
        )+
        /// Every operation, in the spec's order.
        pub const ALL: &[Operation] = &[$($name),+];
    };
}

operations! {
    LIST_WORKSPACES = "listWorkspaces", "GET", "/workspaces";
    CREATE_WORKSPACE = "createWorkspace", "POST", "/workspaces";
    GET_WORKSPACE = "getWorkspace", "GET", "/workspaces/{id}";
    UPDATE_WORKSPACE = "updateWorkspace", "PATCH", "/workspaces/{id}";
    DELETE_WORKSPACE = "deleteWorkspace", "DELETE", "/workspaces/{id}";
    LIST_WORKSPACE_MEMBERS = "listWorkspaceMembers", "GET", "/workspaces/{id}/members";
    BULK_ADD_WORKSPACE_MEMBERS = "bulkAddWorkspaceMembers", "POST", "/workspaces/{id}/members/add";
    BULK_REMOVE_WORKSPACE_MEMBERS = "bulkRemoveWorkspaceMembers", "POST", "/workspaces/{id}/members/remove";
    LIST_WORKSPACE_BUDGETS = "listWorkspaceBudgets", "GET", "/workspaces/{workspace_ref}/budgets";
    GET_WORKSPACE_BUDGET = "getWorkspaceBudget", "GET", "/workspaces/{workspace_ref}/budgets/{interval}";
    UPSERT_WORKSPACE_BUDGET = "upsertWorkspaceBudget", "PUT", "/workspaces/{workspace_ref}/budgets/{interval}";
    DELETE_WORKSPACE_BUDGET = "deleteWorkspaceBudget", "DELETE", "/workspaces/{workspace_ref}/budgets/{interval}";
}
