//! What happens to every attempt on the wire, through progenitor's `ClientHooks` seam: the client-level
//! headers (key, user agent, attribution) and the per-attempt timeout are applied when the caller brought its own
//! `reqwest::Client` (the one this crate builds has both as its defaults), every response body is bounded, and what
//! the retry loop and the error mapping need from the response (status, request id, retry hint) is noted for the
//! call.
//!
//! # Bounded bodies
//! The generated code reads the body of every documented status in full (`ResponseValue::from_response`), so
//! the bound is applied here, before it can:
//! - an error status (anything but 2xx): the first [`MAX_BODY_KEPT`] bytes are read here and the rest is never
//!   read (the connection is closed); if the body fails or times out part way, what came is kept, so the status
//!   is never lost to a bad body;
//! - a success status: a body whose `content-length` is within the client's `max_response_body` is handed on
//!   untouched (hyper reads no more than that length: the hot path costs nothing); any other body is wrapped in
//!   `http_body_util::Limited`, which fails the read (a `LengthLimitError` in the error's source chain) as soon
//!   as it passes the maximum, at once when the announced length already does.
//!
//! The raw generated client goes through this hook too, so it is bounded the same way.
//!
//! The note is kept in a task-local set up by [`Client::call`](crate::client::Client); when the raw generated
//! client is used directly there is none, and nothing is noted.

// No panics on any input: no unchecked arithmetic, no indexing that can be out of bounds (string slicing is
// refused crate-wide, in lib.rs).
#![cfg_attr(not(test), warn(clippy::arithmetic_side_effects, clippy::indexing_slicing))]

use std::cell::RefCell;
use std::sync::Arc;
use std::time::Duration;

use bytes::Bytes;
use futures_util::future::BoxFuture;
use http_body_util::{LengthLimitError, Limited};
use progenitor_client::{ClientHooks, ClientInfo, OperationInfo};
use reqwest::ResponseBuilderExt as _;
use reqwest::header::{HeaderMap, HeaderName};
use tokio::time::Instant;

use crate::error::MAX_BODY_KEPT;
use crate::retries::hints::Hints;

/// Response headers that carry a request id, in order of preference.
/// Names made once, at compile time: a lookup by `&str` would parse and hash the name on every response. A
/// `static`, not a `const`: a `const` array of names is built and dropped at every use.
static REQUEST_ID_HEADERS: [HeaderName; 4] = [
    HeaderName::from_static("x-request-id"),
    HeaderName::from_static("x-openrouter-request-id"),
    HeaderName::from_static("request-id"),
    HeaderName::from_static("cf-ray"),
];

/// The generated client's inner state: what every attempt needs. Cheap to clone.
#[derive(Clone)]
pub struct Transport {
    shared: Arc<Shared>,
}

struct Shared {
    /// The client-level headers: key, user agent, attribution.
    headers: HeaderMap,
    attempt_timeout: Duration,
    /// Whether the headers and the timeout must be set on every request: only when the caller brought its own
    /// `reqwest::Client`. The client this crate builds has them as its own default headers and timeout, which cost
    /// nothing more per request (reqwest merges its default headers into every request anyway; a per-request timeout
    /// costs it three allocations).
    per_request: bool,
    /// The largest success body read, in bytes.
    max_response_body: usize,
    /// Where the key of the `Authorization` header came from, for `Debug`: `ClientBuilder::api_key` or the
    /// environment variable's name. Never the key.
    key_source: &'static str,
}

/// Where a client's key came from, for `Debug` (never the key itself).
pub(crate) struct KeySource(&'static str);

impl std::fmt::Debug for KeySource {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "<redacted> from {}", self.0)
    }
}

impl std::fmt::Debug for Transport {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        // HeaderMap shows the (sensitive) Authorization value as `Sensitive`; list names only anyway.
        let names: Vec<&str> = self.shared.headers.keys().map(|k| k.as_str()).collect();
        f.debug_struct("Transport")
            .field("api_key", &self.key_source())
            .field("headers", &names)
            .field("attempt_timeout", &self.shared.attempt_timeout)
            .field("max_response_body", &self.shared.max_response_body)
            .finish()
    }
}

impl Transport {
    pub(crate) fn new(
        headers: HeaderMap,
        attempt_timeout: Duration,
        per_request: bool,
        max_response_body: usize,
        key_source: &'static str,
    ) -> Self {
        let shared = Shared { headers, attempt_timeout, per_request, max_response_body, key_source };
        Transport { shared: Arc::new(shared) }
    }

    /// Where the key came from, as `Debug` shows it: `<redacted> from OPENROUTER_MANAGEMENT_KEY`, say.
    pub(crate) fn key_source(&self) -> KeySource {
        KeySource(self.shared.key_source)
    }

    /// The longest one attempt may take: connecting, sending and reading the whole response.
    pub(crate) fn attempt_timeout(&self) -> Duration {
        self.shared.attempt_timeout
    }

    pub(crate) fn headers(&self) -> &HeaderMap {
        &self.shared.headers
    }

    /// The largest success body read, in bytes.
    pub(crate) fn max_response_body(&self) -> usize {
        self.shared.max_response_body
    }
}

/// What one attempt's response said, beyond its body. Small on purpose: the task-local that carries it is moved
/// in and out of its slot at every poll of the attempt, so the hints of an error status are boxed.
#[derive(Debug, Default)]
pub(crate) struct AttemptNote {
    pub(crate) status: Option<u16>,
    /// The request id header's value, kept as the header (a reference count, not a copy): made text only when an
    /// error or a log line needs it.
    request_id: Option<reqwest::header::HeaderValue>,
    /// What the headers of an error status hint about waiting (a success reads none).
    hints: Option<Box<Hints>>,
}

/// The hints of a response that has none.
static NO_HINTS: Hints = Hints::NONE;

impl AttemptNote {
    /// The request id, as text (a header that is not visible ASCII has none).
    pub(crate) fn request_id(&self) -> Option<&str> {
        self.request_id.as_ref().and_then(|v| v.to_str().ok())
    }

    /// What the headers of an error status hint about waiting (nothing for a success).
    pub(crate) fn hints(&self) -> &Hints {
        self.hints.as_deref().unwrap_or(&NO_HINTS)
    }
}

tokio::task_local! {
    static NOTE: RefCell<AttemptNote>;
}

/// Runs one attempt (`fut`, a generated method's future), until `deadline` if there is one, and returns its
/// result (`None` when the deadline passed first) with what was noted of the response. The note survives the
/// deadline: a status that arrived before a body that did not is still known.
pub(crate) async fn noting<F: std::future::Future>(
    fut: F,
    deadline: Option<Instant>,
) -> (Option<F::Output>, AttemptNote) {
    NOTE.scope(RefCell::new(AttemptNote::default()), async move {
        let out = match deadline {
            None => Some(fut.await),
            // Boxed: the timer (rare: only when the deadline is nearer than the attempt's own timeout) stays out of
            // every attempt's future, which is moved at each poll.
            Some(deadline) => Box::pin(tokio::time::timeout_at(deadline, fut)).await.ok(),
        };
        let note = NOTE.with(|n| n.take());
        (out, note)
    })
    .await
}

/// Whether a failed read was `Limited` refusing a body past the client's `max_response_body`.
pub(crate) fn is_body_too_large(error: &reqwest::Error) -> bool {
    let mut source = std::error::Error::source(error);
    while let Some(e) = source {
        if e.is::<LengthLimitError>() {
            return true;
        }
        source = e.source();
    }
    false
}

/// Bounds what may be read of a response's body (see the module's docs). Not `async`: the common case, a
/// success within the maximum by its `content-length`, is decided without a future; only an error status, whose
/// body is read here, returns one, boxed so that its state does not grow every attempt's future.
fn bound_body(
    response: reqwest::Response,
    max_response_body: usize,
) -> Result<reqwest::Response, BoxFuture<'static, reqwest::Response>> {
    if !response.status().is_success() {
        return Err(Box::pin(keep_start_of_body(response)));
    }
    let max = u64::try_from(max_response_body).unwrap_or(u64::MAX);
    Ok(match response.content_length() {
        // hyper reads no more than the announced length.
        Some(length) if length <= max => response,
        // Announced too large: refuse at once, without reading a byte of it (the connection is closed). `Limited`
        // is the one maker of `LengthLimitError`; over a one-byte body with a limit of 0 it fails its first read.
        Some(_) => rebuild(response, |_unread| {
            reqwest::Body::wrap(Limited::new(http_body_util::Full::new(Bytes::from_static(b" ")), 0))
        }),
        None => rebuild(response, |body| reqwest::Body::wrap(Limited::new(body, max_response_body))),
    })
}

/// Reads the first [`MAX_BODY_KEPT`] bytes of an error response's body and returns the response with only those:
/// the rest is never read. A body that fails or times out part way keeps what came.
async fn keep_start_of_body(mut response: reqwest::Response) -> reqwest::Response {
    let mut kept = Vec::new();
    loop {
        match response.chunk().await {
            Ok(Some(chunk)) => {
                let room = MAX_BODY_KEPT.saturating_sub(kept.len());
                kept.extend_from_slice(chunk.get(..room).unwrap_or(&chunk));
                if kept.len() >= MAX_BODY_KEPT {
                    break;
                }
            }
            Ok(None) => break,
            Err(e) => {
                tracing::debug!(status = response.status().as_u16(), error = %e, "error body cut short; keeping its start");
                break;
            }
        }
    }
    // Dropping what was not read closes the connection instead of draining it.
    rebuild(response, |_unread| reqwest::Body::from(Bytes::from(kept)))
}

/// The same response (status, version, headers, extensions, URL) with another body, made from the old one.
fn rebuild(response: reqwest::Response, body: impl FnOnce(reqwest::Body) -> reqwest::Body) -> reqwest::Response {
    let url = response.url().clone();
    let (mut parts, old) = http::Response::<reqwest::Body>::from(response).into_parts();
    // reqwest keeps the URL in a private extension that only its builder extension can set.
    let mut with_url = http::response::Builder::new().url(url);
    if let Some(extensions) = with_url.extensions_mut() {
        parts.extensions.extend(std::mem::take(extensions));
    }
    reqwest::Response::from(http::Response::from_parts(parts, body(old)))
}

/// Notes what the attempt's response said, for the call (see [`noting`]). Returns whether there was a call to
/// note it for: false for the raw generated client used directly.
fn note_response(response: &reqwest::Response) -> bool {
    NOTE.try_with(|note| {
        let headers = response.headers();
        let status = response.status().as_u16();
        let request_id = REQUEST_ID_HEADERS.iter().find_map(|name| headers.get(name)).cloned();
        // Read once, here: a success reads nothing (see retries/hints.rs).
        let hints = (!response.status().is_success())
            .then(|| Box::new(Hints::read(status, headers, std::time::SystemTime::now())));
        *note.borrow_mut() = AttemptNote { status: Some(status), request_id, hints };
    })
    .is_ok()
}

impl ClientHooks<Transport> for crate::raw::Client {
    async fn exec(&self, mut request: reqwest::Request, _info: &OperationInfo) -> reqwest::Result<reqwest::Response> {
        let transport = self.inner();
        if transport.shared.per_request {
            let headers = request.headers_mut();
            for (name, value) in transport.headers() {
                headers.insert(name, value.clone());
            }
            if request.timeout().is_none() {
                *request.timeout_mut() = Some(transport.shared.attempt_timeout);
            }
        }
        let mut response = self.client().execute(request).await?;
        // Under `Client::call`, a success's headers have been noted and nothing reads them again, but the generated
        // code's `ResponseValue` would copy the whole map (two allocations and a reference count per header):
        // they are dropped here. The raw generated client, used directly, notes nothing and keeps them.
        if note_response(&response) && response.status().is_success() {
            *response.headers_mut() = HeaderMap::new();
        }
        match bound_body(response, transport.shared.max_response_body) {
            Ok(response) => Ok(response),
            Err(reading) => Ok(reading.await),
        }
    }
}
