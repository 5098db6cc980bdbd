//! The operations of the API, as `cargo xtask regenerate` reads them from the spec: a typed [`OperationId`], and
//! for each operation its method, path template, path and query [`Parameter`]s with their constraints, its
//! request body, and its success status. Errors and traces name them; the retry policy reads the method; the fake
//! server routes and checks requests with them.
//!
//! Nothing here is written by hand but the types: the table (`ALL`, the `OperationId` enum, one constant per
//! operation such as [`GET_WORKSPACE`] and one per parameter such as [`LIST_WORKSPACES_LIMIT`]) is generated.
//!
//! ```
//! use openrouter_workspaces::operation::{self, Location, OperationId};
//!
//! let op = OperationId::ListWorkspaces.operation();
//! assert_eq!((op.method, op.path, op.success_status), ("GET", "/workspaces", 200));
//! let limit = op.parameter("limit").unwrap();
//! assert_eq!(limit.location, Location::Query);
//! assert_eq!("createWorkspace".parse::<OperationId>(), Ok(OperationId::CreateWorkspace));
//! assert_eq!(operation::ALL.len(), OperationId::ALL.len());
//! ```

use std::fmt;
use std::str::FromStr;

use crate::schema::Schema;
pub use crate::tables::operations::*;

/// One operation of the API.
#[derive(Clone, Copy)]
#[non_exhaustive]
pub struct Operation {
    /// Which operation.
    pub id: OperationId,
    /// The HTTP method, upper case.
    pub method: &'static str,
    /// The path template under the base URL, e.g. `/workspaces/{id}`.
    pub path: &'static str,
    /// The spec's one-line summary.
    pub summary: &'static str,
    /// The path and query parameters (header parameters are set per client).
    pub parameters: &'static [Parameter],
    /// The request body, if the operation takes one.
    pub request_body: Option<RequestBody>,
    /// The status the spec documents for success, e.g. 201 for `createWorkspace`.
    pub success_status: u16,
    /// The spec's `x-idempotent: true` (see [`is_idempotent`](Self::is_idempotent)).
    pub(crate) marked_idempotent: bool,
}

impl Operation {
    /// Whether sending this operation twice has the same effect as sending it once: GET, HEAD, OPTIONS, PUT and
    /// DELETE, as HTTP defines them, and the operations the spec marks `x-idempotent: true` whatever their method
    /// (`bulkAddWorkspaceMembers` and `bulkRemoveWorkspaceMembers`: adding or removing members already added or
    /// removed changes nothing; spec/overlay.yaml says why). The client retries these after a `5xx` or a lost
    /// connection; `createWorkspace` is not one of them.
    pub fn is_idempotent(&self) -> bool {
        self.marked_idempotent || matches!(self.method, "GET" | "HEAD" | "OPTIONS" | "PUT" | "DELETE")
    }

    /// The parameter with this name, if the operation has one.
    pub fn parameter(&self, name: &str) -> Option<&'static Parameter> {
        self.parameters.iter().find(|p| p.name == name)
    }
}

impl PartialEq for Operation {
    fn eq(&self, other: &Operation) -> bool {
        self.id == other.id
    }
}

impl Eq for Operation {}

impl std::hash::Hash for Operation {
    fn hash<H: std::hash::Hasher>(&self, state: &mut H) {
        self.id.hash(state);
    }
}

impl fmt::Debug for Operation {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Operation")
            .field("id", &self.id)
            .field("method", &self.method)
            .field("path", &self.path)
            .finish_non_exhaustive()
    }
}

impl fmt::Display for Operation {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{} {}", self.method, self.path)
    }
}

/// Where a parameter goes.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
#[non_exhaustive]
pub enum Location {
    /// A segment of the path, e.g. `{id}`.
    Path,
    /// The query string.
    Query,
}

/// A path or query parameter of an operation.
#[derive(Clone, Copy, Debug, PartialEq)]
#[non_exhaustive]
pub struct Parameter {
    /// Its name, e.g. `limit`.
    pub name: &'static str,
    /// Where it goes.
    pub location: Location,
    /// Whether it must be sent (path parameters always are).
    pub required: bool,
    /// Its type and constraints.
    pub schema: Schema,
}

/// The request body of an operation.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
#[non_exhaustive]
pub struct RequestBody {
    /// The name of its schema in the spec, e.g. `CreateWorkspaceRequest`.
    pub schema: &'static str,
    /// Whether it must be sent.
    pub required: bool,
}

/// The operationId that [`OperationId::from_str`] did not know.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct UnknownOperation(String);

impl fmt::Display for UnknownOperation {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let known: Vec<&str> = OperationId::ALL.iter().map(|id| id.as_str()).collect();
        write!(f, "no operation {:?} in the spec; the operationIds are {}", self.0, known.join(", "))
    }
}

impl std::error::Error for UnknownOperation {}

impl FromStr for OperationId {
    type Err = UnknownOperation;

    /// The operation with this operationId, e.g. `getWorkspace`.
    fn from_str(s: &str) -> Result<Self, Self::Err> {
        OperationId::ALL.iter().copied().find(|id| id.as_str() == s).ok_or_else(|| UnknownOperation(s.to_owned()))
    }
}

impl fmt::Display for OperationId {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn ids_and_operations_agree_and_parse_back() {
        assert_eq!(ALL.len(), OperationId::ALL.len());
        for (op, id) in ALL.iter().zip(OperationId::ALL) {
            assert_eq!(op.id, *id);
            assert_eq!(id.operation(), op);
            assert_eq!(id.as_str().parse::<OperationId>(), Ok(*id));
            assert!(op.path.starts_with('/'), "{op}");
            assert!((200..300).contains(&op.success_status), "{op}");
            for p in op.parameters.iter().filter(|p| p.location == Location::Path) {
                assert!(p.required && op.path.contains(&format!("{{{}}}", p.name)), "{op}: {}", p.name);
            }
        }
        let e = "getWorkspaces".parse::<OperationId>().unwrap_err();
        assert!(e.to_string().starts_with("no operation \"getWorkspaces\" in the spec; the operationIds are "), "{e}");
    }

    #[test]
    fn the_spec_marks_the_member_operations_idempotent_and_not_the_create() {
        let by_mark: Vec<&str> = ALL.iter().filter(|op| op.marked_idempotent).map(|op| op.id.as_str()).collect();
        assert_eq!(by_mark, ["bulkAddWorkspaceMembers", "bulkRemoveWorkspaceMembers"]);
        assert!(BULK_ADD_WORKSPACE_MEMBERS.is_idempotent() && BULK_REMOVE_WORKSPACE_MEMBERS.is_idempotent());
        assert!(!CREATE_WORKSPACE.is_idempotent() && !UPDATE_WORKSPACE.is_idempotent(), "POST and PATCH otherwise");
        assert!(
            GET_WORKSPACE.is_idempotent()
                && DELETE_WORKSPACE.is_idempotent()
                && UPSERT_WORKSPACE_BUDGET.is_idempotent()
        );
    }
}
