//! The contract library of the test suites: `spec/openapi.yaml` loaded once, its schemas converted to JSON Schema
//! ([`convert`]) and compiled with the `jsonschema` crate, and checks that hold a request or a response to it.
//!
//! Objects are strict ([`convert::Objects::Strict`]): a field the spec does not define is a violation, on both
//! sides. (The SDK itself is lenient with responses; the fake, which this library judges, must not be.)
//!
//! Every violation is one sentence that names the operation, where the problem is (JSON pointer for bodies) and
//! what was wrong, e.g.
//! `createWorkspace request body: /slug: "Bad Slug" does not match "^[a-z0-9]+(?:-[a-z0-9]+)*$"`.
//!
//! ```no_run
//! use openrouter_workspaces_tests::Spec;
//! # fn check(log: Vec<openrouter_workspaces::fake::RecordedRequest>) {
//! for exchange in &log {
//!     if let Err(violations) = Spec::get().validate_exchange(exchange) {
//!         panic!("{}", violations.join("\n"));
//!     }
//! }
//! # }
//! ```

mod checker;
pub mod convert;
mod diff;
mod exchange;
mod request;
mod spec;
#[cfg(test)]
mod tests;

use openrouter_workspaces::fake::RecordedRequest;
use serde_json::Value;

pub use checker::Checker;
pub use diff::{Nulls, differences};
pub use request::{HttpRequest, Route};
pub use spec::{Content, Credential, Parameter, RequestBody, Response, Spec, SpecOperation};

/// A `reqwest::ClientBuilder` for talking to a loopback server by hand (plain `http`). The library's default
/// `rustls` feature builds reqwest with `rustls-no-provider` (the library hands reqwest its own rustls
/// configuration), so `reqwest::Client::new()` would panic for want of a crypto provider: this builder has a
/// rustls configuration on `ring` with no roots, which plain `http` never uses. Nothing is installed
/// process-wide.
///
/// # Panics
/// When rustls refuses its default protocol versions (a bug of the test setup).
pub fn plain_http_client_builder() -> reqwest::ClientBuilder {
    let provider = std::sync::Arc::new(rustls::crypto::ring::default_provider());
    let tls = rustls::ClientConfig::builder_with_provider(provider)
        .with_safe_default_protocol_versions()
        .unwrap_or_else(|e| panic!("a rustls configuration: {e}"))
        .with_root_certificates(rustls::RootCertStore::empty())
        .with_no_client_auth();
    reqwest::Client::builder().tls_backend_preconfigured(tls)
}

/// [`plain_http_client_builder`], built.
///
/// # Panics
/// When reqwest cannot build a client (a bug of the test setup).
pub fn plain_http_client() -> reqwest::Client {
    plain_http_client_builder().build().unwrap_or_else(|e| panic!("an HTTP client: {e}"))
}

/// Where the spec is: `spec/openapi.yaml` at the root of the workspace.
pub const SPEC_PATH: &str = concat!(env!("CARGO_MANIFEST_DIR"), "/../spec/openapi.yaml");

/// Headers any HTTP client may send that an API spec does not list. Any other header must be a parameter of the
/// operation or part of its security scheme.
pub const STANDARD_HEADERS: &[&str] = &[
    "accept",
    "accept-encoding",
    "accept-language",
    "cache-control",
    "connection",
    "content-length",
    "content-type",
    "host",
    "pragma",
    "te",
    "traceparent",
    "tracestate",
    "transfer-encoding",
    "user-agent",
];

/// [`Spec::validate_request`] on the spec at [`SPEC_PATH`], for a request the fake recorded.
///
/// # Errors
/// Every violation found.
pub fn validate_request(request: &RecordedRequest) -> Result<(), Vec<String>> {
    Spec::get().validate_request(&HttpRequest::from(request)).map(|_| ())
}

/// [`Spec::validate_response`] on the spec at [`SPEC_PATH`].
///
/// # Errors
/// Every violation found.
pub fn validate_response(operation_id: &str, status: u16, body: Option<&Value>) -> Result<(), Vec<String>> {
    Spec::get().validate_response(operation_id, status, body)
}

pub(crate) fn collect(errors: &mut Vec<String>, result: Result<(), Vec<String>>) {
    if let Err(e) = result {
        errors.extend(e);
    }
}
