//! A typed, retrying, forward-compatible client for the [OpenRouter](https://openrouter.ai) **Workspaces
//! management API**: workspaces, their members and budgets, their API keys and default guardrail.
//!
//! ```no_run
//! # async fn run() -> Result<(), openrouter_workspaces::Error> {
//! use openrouter_workspaces::Client;
//!
//! let client = Client::builder().api_key("sk-or-v1-...").build()?;
//! let workspace = client.workspaces().get("production").await?;
//! println!("{} has slug {}", workspace.name, workspace.slug);
//! # Ok(()) }
//! ```
//!
//! # Layout
//! - [`Client`] and [`ClientBuilder`]: configuration (key, base URL, attribution headers, timeouts, retries).
//! - [`Workspaces`], [`Members`], [`Budgets`], [`WorkspaceKeys`] and [`Keys`] (API keys; a created key's secret is a
//!   [`Secret`]), [`DefaultGuardrail`]: the operations, one handle per resource.
//! - [`Workspaces::create_many`], [`Workspaces::update_many`], [`Members::add_all`]: bulk jobs ([`Bulk`]) with
//!   bounded concurrency, per-item results as a stream, and no duplicate on a lost create.
//! - [`Error`]: one error type for everything, with the status, the API's code and message, and the request id.
//! - [`RetryPolicy`]: which failures are retried, and how long to wait; [`RetryBudget`]: how many retries all the
//!   calls of a client may make together while a server fails.
//! - [`raw`]: the client generated from `spec/openapi.yaml` by `cargo xtask regenerate`; the hand-written
//!   surface is built on it, and it stays reachable through [`Client::raw`] as an escape hatch.
//!
//! Nothing in this crate prints or logs the API key: `Debug` of every type redacts it, and errors never hold it.
//!
//! # Features
//! - TLS: `rustls` (default: rustls on the `ring` crypto provider), `aws-lc-rs` (rustls on aws-lc-rs) or
//!   `native-tls` (the platform's library). When several are on, `native-tls` wins, then `aws-lc-rs`, then
//!   `rustls`. With rustls the client builds its own rustls configuration (the process default provider if the
//!   program installed one, else the feature's; rustls-platform-verifier checks certificates, as in reqwest) and
//!   installs nothing process-wide. [`ClientBuilder::add_root_certificate_pem`] trusts a private CA with any of
//!   them.
//! - `fake`: [`fake`], a stateful fake OpenRouter server for tests.
//! - `schemars`: `schemars::JsonSchema` (schemars 1.x) for every model (the types of [`raw::types`] and their
//!   aliases), every request builder ([`CreateWorkspace`], [`UpdateWorkspace`], [`BudgetLimit`], ...) and every
//!   enum, with the spec's descriptions and constraints: e.g. the `parameters` of an LLM tool that creates a
//!   workspace are `schemars::schema_for!(CreateWorkspace)` (see `examples/tool_schemas.rs`).

#![warn(missing_docs)]
#![warn(unreachable_pub)]
#![forbid(unsafe_code)]
// A string sliced at a byte index inside a character panics: take `str::get` or char-aware cuts instead.
#![warn(clippy::string_slice)]
// docs.rs builds with `--cfg docsrs` on nightly: `doc(cfg(..))` below marks what a feature adds.
#![cfg_attr(docsrs, feature(doc_cfg))]

/// Everything else `cargo xtask regenerate` derives from the spec: the operation table, the limits, the open
/// enums, the request builders and their validation, and what the fake needs. Re-exported where it belongs.
#[path = "generated/tables.rs"]
#[rustfmt::skip] // Formatted by the generator (prettyplease); `cargo xtask regenerate --check` keeps it so.
mod tables;
/// The checked calls: one `pub(crate)` method of [`Client`] per operation, which checks the parameters and the
/// body against the spec before running the operation. Generated; the handles call them.
#[path = "generated/calls.rs"]
#[rustfmt::skip] // Formatted by the generator (prettyplease); `cargo xtask regenerate --check` keeps it so.
mod calls;
mod budgets;
mod bulk;
mod client;
mod config;
pub mod enums;
mod error;
#[cfg(feature = "fake")]
#[cfg_attr(docsrs, doc(cfg(feature = "fake")))]
pub mod fake;
mod guardrail;
mod keys;
#[cfg(test)]
mod layering;
mod members;
pub mod operation;
mod pagination;
mod path;
mod provision;
mod requests;
mod retries;
mod schema;
mod secret;
mod tls;
mod transport;
pub mod validate;
mod workspaces;

/// The client generated from `spec/openapi.yaml` by progenitor (`cargo xtask regenerate`; never edited by hand).
///
/// Use it for what the typed surface does not cover (an operation the spec gained before this crate's surface
/// did, say): it applies the key, the attribution headers, the per-attempt timeout and the body caps, but no
/// retries, no input validation and no error mapping.
///
/// **Semver:** this module promises nothing beyond the spec. Its items are what progenitor generates from
/// `spec/openapi.yaml`, and they change when the spec or the progenitor version does (types, signatures, and
/// progenitor's own `Error` and `ResponseValue`), in any release of this crate. The rest of the crate's API is
/// covered by semver; this escape hatch is not.
// The spec's descriptions are prose: a `[EMAIL]` placeholder in one (a guardrail's content filter label) is not an
// intra-doc link.
#[allow(missing_docs, clippy::all, unused_mut, rustdoc::broken_intra_doc_links)]
#[path = "generated/client.rs"]
#[rustfmt::skip] // Formatted by the generator (prettyplease); `cargo xtask regenerate --check` keeps it so.
pub mod raw;

pub use budgets::Budgets;
pub use bulk::{Bulk, BulkItem, DEFAULT_BULK_CONCURRENCY};
pub use client::Client;
pub use guardrail::DefaultGuardrail;
pub use keys::{Keys, WorkspaceKeys};
pub use members::Members;
pub use pagination::{Keyed, OffsetPaginator, Page, Paginator};
pub use provision::{
    IfExists, KeyOrigin, NewWorkspace, ProvisionError, ProvisionStep, Provisioned, ProvisionedKey, WorkspaceOrigin,
};
pub use tables::limits;
pub use tables::requests::*;
pub use workspaces::{DeleteWorkspace, Workspaces};

/// A workspace, as the API returns it.
pub type Workspace = raw::types::Workspace;
/// A member of a workspace.
pub type WorkspaceMember = raw::types::WorkspaceMember;
/// A budget of a workspace for one interval. `reset_interval` is `None` for a lifetime budget.
pub type WorkspaceBudget = raw::types::WorkspaceBudget;
/// The budgets of a workspace (`data`) and whether BYOK spend counts toward them.
pub type BudgetList = raw::types::ListWorkspaceBudgetsResponse;
/// The result of adding members: how many memberships were created or updated, and the memberships.
pub type MembersAdded = raw::types::BulkAddWorkspaceMembersResponse;
/// An API key, as the API returns it: its `hash` is its id. It never holds the key's secret.
pub type ApiKey = raw::types::ApiKey;
/// A created API key: the key (`data`) and its secret (`key`), which the API shows only in this answer. The
/// secret is a [`Secret`]: `Debug` and `Display` redact it; read it with `created.key.expose_secret()`.
pub type CreatedKey = raw::types::CreateApiKeyResponse;
/// A guardrail (a workspace's default guardrail, see [`DefaultGuardrail`]): spending limit, allowed and ignored
/// providers and models, zero data retention, content filters.
pub type Guardrail = raw::types::Guardrail;
/// The API's error body, as documented for every error status.
pub type ErrorBody = raw::types::ErrorResponse;
pub use config::{
    API_KEY_VARIABLES, ClientBuilder, DEFAULT_BASE_URL, DEFAULT_CONNECT_TIMEOUT, DEFAULT_MAX_RESPONSE_BODY,
    DEFAULT_TIMEOUT, DEFAULT_TOTAL_TIMEOUT, USER_AGENT,
};
pub use error::{ApiError, ConfigError, DecodeError, Error, InvalidInput, MAX_BODY_KEPT, Result, TransportError};
pub use retries::{RateLimitInfo, RetryBudget, RetryPolicy};
pub use secret::{REDACTED, Secret};
pub use tables::enums::*;
pub use transport::Transport;

#[cfg(test)]
mod forward_compatibility_tests {
    use super::*;
    use serde_json::json;

    /// A response from a newer API (an unknown field, an unknown role, an unknown reset interval) still decodes,
    /// keeps what it did not know, and serializes back to the same JSON.
    #[test]
    fn unknown_fields_and_enum_values_are_kept_and_round_trip() {
        let member = json!({
            "id": "660e8400-e29b-41d4-a716-446655440000",
            "workspace_id": "550e8400-e29b-41d4-a716-446655440000",
            "user_id": "user_abc123",
            "role": "role_from_a_newer_api",
            "created_at": "2025-08-24T10:30:00Z",
            "invited_by": {"user_id": "user_admin", "at": "2025-08-24T10:29:00Z"}
        });
        let decoded: WorkspaceMember = serde_json::from_value(member.clone()).expect("a newer member decodes");
        assert_eq!(decoded.role, WorkspaceMemberRole::from("role_from_a_newer_api"));
        assert!(decoded.role.is_unknown());
        assert_eq!(decoded.extra.get("invited_by"), member.get("invited_by"));
        assert_eq!(serde_json::to_value(&decoded).unwrap(), member);

        let budget = json!({
            "id": "770e8400-e29b-41d4-a716-446655440000",
            "workspace_id": "550e8400-e29b-41d4-a716-446655440000",
            "limit_usd": 100.0,
            "reset_interval": "quarterly",
            "created_at": "2025-08-24T10:30:00Z",
            "updated_at": "2025-08-24T10:30:00Z",
            "rollover": true
        });
        let decoded: WorkspaceBudget = serde_json::from_value(budget.clone()).expect("a newer budget decodes");
        assert_eq!(decoded.reset_interval, Some(ResetInterval::from("quarterly")));
        assert_eq!(decoded.extra.get("rollover"), Some(&json!(true)));
        assert_eq!(serde_json::to_value(&decoded).unwrap(), budget);
    }
}

/// The README's Rust snippets, compiled as doctests so they stay true.
#[cfg(doctest)]
#[doc = include_str!("../../README.md")]
pub struct ReadmeDoctests;
