//! What happens to every attempt on the wire, through progenitor's `ClientHooks` seam: the client-level
//! headers (key, user agent, attribution) and the per-attempt timeout are applied, and what the retry loop and
//! the error mapping need from the response (status, request id, retry hint) is noted for the call.
//!
//! The note is kept in a task-local set up by [`Client::call`](crate::client::Client); when the raw generated
//! client is used directly there is none, and nothing is noted.

use std::cell::RefCell;
use std::sync::Arc;
use std::time::Duration;

use progenitor_client::{ClientHooks, ClientInfo, OperationInfo};
use reqwest::header::HeaderMap;

/// Response headers that carry a request id, in order of preference.
const REQUEST_ID_HEADERS: [&str; 4] = ["x-request-id", "x-openrouter-request-id", "request-id", "cf-ray"];

/// The generated client's inner state: what every attempt needs. Cheap to clone.
#[derive(Clone)]
pub struct Transport {
    shared: Arc<Shared>,
}

struct Shared {
    headers: HeaderMap,
    attempt_timeout: Duration,
    /// Whether the timeout must be set on every request: only when the caller brought its own `reqwest::Client`.
    /// The client this crate builds has it as its own timeout, which costs nothing per request (a per-request
    /// timeout costs reqwest three allocations).
    per_request_timeout: bool,
}

impl std::fmt::Debug for Transport {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        // HeaderMap shows the (sensitive) Authorization value as `Sensitive`; list names only anyway.
        let names: Vec<&str> = self.shared.headers.keys().map(|k| k.as_str()).collect();
        f.debug_struct("Transport")
            .field("headers", &names)
            .field("attempt_timeout", &self.shared.attempt_timeout)
            .finish()
    }
}

impl Transport {
    pub(crate) fn new(headers: HeaderMap, attempt_timeout: Duration, per_request_timeout: bool) -> Self {
        Transport { shared: Arc::new(Shared { headers, attempt_timeout, per_request_timeout }) }
    }

    /// The longest one attempt may take: connecting, sending and reading the whole response.
    pub(crate) fn attempt_timeout(&self) -> Duration {
        self.shared.attempt_timeout
    }

    pub(crate) fn headers(&self) -> &HeaderMap {
        &self.shared.headers
    }
}

/// What one attempt's response said, beyond its body.
#[derive(Debug, Default, Clone)]
pub(crate) struct AttemptNote {
    pub(crate) status: Option<u16>,
    pub(crate) request_id: Option<String>,
    pub(crate) retry_after: Option<Duration>,
}

tokio::task_local! {
    static NOTE: RefCell<AttemptNote>;
}

/// Runs one attempt (`fut`, a generated method's future) and returns its result with what was noted of the
/// response.
pub(crate) async fn noting<F: std::future::Future>(fut: F) -> (F::Output, AttemptNote) {
    NOTE.scope(RefCell::new(AttemptNote::default()), async move {
        let out = fut.await;
        let note = NOTE.with(|n| n.take());
        (out, note)
    })
    .await
}

fn note_response(response: &reqwest::Response) {
    let _ = NOTE.try_with(|note| {
        let headers = response.headers();
        let request_id = REQUEST_ID_HEADERS
            .iter()
            .find_map(|name| headers.get(*name))
            .and_then(|v| v.to_str().ok())
            .map(str::to_owned);
        let status = response.status();
        let retry_after = if status.is_success() { None } else { crate::retry::retry_after(headers) };
        *note.borrow_mut() = AttemptNote { status: Some(status.as_u16()), request_id, retry_after };
    });
}

impl ClientHooks<Transport> for crate::raw::Client {
    async fn exec(&self, mut request: reqwest::Request, _info: &OperationInfo) -> reqwest::Result<reqwest::Response> {
        let transport = self.inner();
        let headers = request.headers_mut();
        for (name, value) in transport.headers() {
            headers.insert(name, value.clone());
        }
        if transport.shared.per_request_timeout && request.timeout().is_none() {
            *request.timeout_mut() = Some(transport.shared.attempt_timeout);
        }
        let response = self.client().execute(request).await;
        if let Ok(response) = &response {
            note_response(response);
        }
        response
    }
}
