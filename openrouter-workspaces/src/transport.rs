//! What happens to every attempt on the wire. The typed layer ([`Client::call`](crate::client::Client)) sends the
//! request a generated `<operation>_request` method built, through [`Transport::attempt`]: the status, request id
//! and retry hints are noted as the response arrives, and the body is read once, under the client's bounds. The
//! raw generated client sends through progenitor's `ClientHooks` seam, bounded the same way. Either way, the
//! client-level headers (key, user agent, attribution) and the per-attempt timeout are applied here when the caller
//! brought its own `reqwest::Client` (the one this crate builds has both as its defaults).
//!
//! # Bounded bodies
//! - An error status (anything but 2xx): the first [`MAX_BODY_KEPT`] bytes are read and the rest never is (the
//!   connection is closed); if the body fails or times out part way, what came is kept, so the status is never lost
//!   to a bad body.
//! - A success status: a body whose `content-length` is within the client's `max_response_body` is read as it is
//!   (hyper reads no more than that length: the hot path costs nothing more); a longer announced length is refused
//!   without reading a byte of it; a body of unknown length is read until it passes the maximum. For the raw
//!   client, whose generated code reads the body itself, the body is wrapped in `http_body_util::Limited`, which
//!   fails the read (a `LengthLimitError` in the error's source chain) as soon as it passes the maximum.

// No panics on any input: no unchecked arithmetic, no indexing that can be out of bounds (string slicing is
// refused crate-wide, in lib.rs).
#![cfg_attr(not(test), warn(clippy::arithmetic_side_effects, clippy::indexing_slicing))]

use std::sync::Arc;
use std::time::Duration;

use bytes::Bytes;
use futures_util::future::BoxFuture;
use http_body_util::Limited;
use progenitor_client::{ClientHooks, ClientInfo, OperationInfo};
use reqwest::ResponseBuilderExt as _;
use reqwest::header::{HeaderMap, HeaderName};

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
    /// The base URL, parsed once: every request's URL is its path joined to it (see `crate::path::url`).
    base_url: reqwest::Url,
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
        base_url: reqwest::Url,
        headers: HeaderMap,
        attempt_timeout: Duration,
        per_request: bool,
        max_response_body: usize,
        key_source: &'static str,
    ) -> Self {
        let shared = Shared { base_url, headers, attempt_timeout, per_request, max_response_body, key_source };
        Transport { shared: Arc::new(shared) }
    }

    /// The base URL, parsed: the generated client joins each request's path to it (see `crate::path::url`).
    pub(crate) fn base_url(&self) -> &reqwest::Url {
        &self.shared.base_url
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

/// What one attempt's response said, beyond its body. Small on purpose: it is part of every call's state, and a
/// success has no hints, so the hints of an error status are boxed.
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

/// What one attempt of [`Client::call`](crate::client::Client) came back with (its status, request id and hints are
/// in the attempt's [`AttemptNote`]).
pub(crate) enum Answer {
    /// The response's body: all of a success's; the first [`MAX_BODY_KEPT`] bytes of an error status's (what
    /// came, if it broke off part way: the status is never lost to a bad body).
    Body(Bytes),
    /// A success whose body is larger than the client's `max_response_body` (announced, or read past it): not kept.
    TooLarge,
    /// No whole response: the request failed before a status arrived (`before_send`: it never left, the connection
    /// could not be made), or a success's body broke off.
    Failed { error: reqwest::Error, before_send: bool },
}

impl Transport {
    /// Sets what the caller's own `reqwest::Client` does not set by itself: the client-level headers and the
    /// attempt's timeout (the client this crate builds has both as its defaults).
    fn prepare(&self, request: &mut reqwest::Request) {
        if self.shared.per_request {
            let headers = request.headers_mut();
            for (name, value) in self.headers() {
                headers.insert(name, value.clone());
            }
            if request.timeout().is_none() {
                *request.timeout_mut() = Some(self.shared.attempt_timeout);
            }
        }
    }

    /// Sends one attempt of a call and reads its answer under the client's bounds (see the module's docs), noting
    /// the status, request id and hints in `note` as soon as the status arrives: a caller that gives up on the
    /// attempt (its deadline passed) still knows them.
    ///
    /// Not `async` itself: the request goes into reqwest's (boxed) future at once, so the future returned holds
    /// that, not the request. An `async fn` keeps its arguments for its whole life, so the request would stay in
    /// every call's state, with the response and the body read after it.
    pub(crate) fn attempt<'a>(
        &'a self,
        http: &reqwest::Client,
        mut request: reqwest::Request,
        note: &'a mut AttemptNote,
    ) -> impl Future<Output = Answer> + 'a {
        self.prepare(&mut request);
        self.answer(http.execute(request), note)
    }

    async fn answer(
        &self,
        sent: impl Future<Output = reqwest::Result<reqwest::Response>>,
        note: &mut AttemptNote,
    ) -> Answer {
        let response = match sent.await {
            Ok(response) => response,
            Err(error) => {
                let before_send = error.is_connect();
                return Answer::Failed { error, before_send };
            }
        };
        let mut response = response;
        *note = AttemptNote::of(&response);
        if !response.status().is_success() {
            return Answer::Body(read_start_of_body(&mut response).await);
        }
        let max = self.shared.max_response_body;
        // Announced too large: refused without reading a byte of it (dropping it closes the connection).
        if response.content_length().is_some_and(|length| length > u64::try_from(max).unwrap_or(u64::MAX)) {
            return Answer::TooLarge;
        }
        match read_at_most(&mut response, max).await {
            Ok(Some(body)) => Answer::Body(body),
            Ok(None) => Answer::TooLarge,
            Err(error) => Answer::Failed { error, before_send: false },
        }
    }
}

impl AttemptNote {
    /// What a response's status and headers say.
    fn of(response: &reqwest::Response) -> AttemptNote {
        let headers = response.headers();
        let status = response.status().as_u16();
        let request_id = REQUEST_ID_HEADERS.iter().find_map(|name| headers.get(name)).cloned();
        // Read once, here: a success reads nothing (see retries/hints.rs).
        let hints = (!response.status().is_success())
            .then(|| Box::new(Hints::read(status, headers, std::time::SystemTime::now())));
        AttemptNote { status: Some(status), request_id, hints }
    }
}

/// The body of a response, if it is at most `max` bytes (`None` when it is longer: the rest is not read; hyper
/// reads no more than an announced length). A body that comes in one piece, as a small one does, is kept as it came;
/// pieces are joined. Read a piece at a time rather than with `Response::bytes`, whose future is four times the
/// size of this one's, in every call's state.
async fn read_at_most(response: &mut reqwest::Response, max: usize) -> reqwest::Result<Option<Bytes>> {
    let mut whole: Option<Bytes> = None;
    let mut joined: Vec<u8> = Vec::new();
    let mut read = 0usize;
    while let Some(chunk) = response.chunk().await? {
        read = read.saturating_add(chunk.len());
        if read > max {
            return Ok(None);
        }
        match whole.take() {
            None if joined.is_empty() => whole = Some(chunk),
            first => {
                joined.extend_from_slice(first.as_deref().unwrap_or_default());
                joined.extend_from_slice(&chunk);
            }
        }
    }
    Ok(Some(whole.unwrap_or_else(|| Bytes::from(joined))))
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
    let kept = read_start_of_body(&mut response).await;
    // Dropping what was not read closes the connection instead of draining it.
    rebuild(response, |_unread| reqwest::Body::from(kept))
}

/// The first [`MAX_BODY_KEPT`] bytes of an error response's body; the rest is never read (dropping the response
/// closes the connection instead of draining it). A body that fails or times out part way keeps what came.
async fn read_start_of_body(response: &mut reqwest::Response) -> Bytes {
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
    Bytes::from(kept)
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

impl ClientHooks<Transport> for crate::raw::Client {
    async fn exec(&self, mut request: reqwest::Request, _info: &OperationInfo) -> reqwest::Result<reqwest::Response> {
        let transport = self.inner();
        transport.prepare(&mut request);
        let response = self.client().execute(request).await?;
        match bound_body(response, transport.shared.max_response_body) {
            Ok(response) => Ok(response),
            Err(reading) => Ok(reading.await),
        }
    }
}

#[cfg(test)]
mod tests {
    use bytes::Bytes;
    use http_body::Frame;
    use http_body_util::StreamBody;

    /// A success response whose body comes in these pieces (no `content-length`).
    async fn response_in(pieces: &[&'static [u8]]) -> reqwest::Response {
        let frames: Vec<_> =
            pieces.iter().map(|p| Ok::<_, std::io::Error>(Frame::data(Bytes::from_static(p)))).collect();
        let body = reqwest::Body::wrap(StreamBody::new(futures_util::stream::iter(frames)));
        http::Response::new(body).into()
    }

    /// A body in one piece is kept as it came (no copy); pieces are joined in order; a body longer than the
    /// maximum is refused (`None`) however it is cut, and one of exactly the maximum is kept.
    #[tokio::test]
    async fn a_body_is_read_whole_in_pieces_up_to_the_maximum() {
        let one: &'static [u8] = b"{\"data\":1}";
        let read = super::read_at_most(&mut response_in(&[one]).await, 100).await.unwrap().unwrap();
        assert_eq!((read.as_ref(), read.as_ptr()), (one, one.as_ptr()), "one piece, not copied");
        let read = super::read_at_most(&mut response_in(&[b"ab", b"", b"cde", b"f"]).await, 6).await.unwrap();
        assert_eq!(read.as_deref(), Some(&b"abcdef"[..]));
        assert_eq!(super::read_at_most(&mut response_in(&[b"ab", b"cde", b"fg"]).await, 6).await.unwrap(), None);
        assert_eq!(super::read_at_most(&mut response_in(&[b"abcdefg"]).await, 6).await.unwrap(), None);
        assert_eq!(super::read_at_most(&mut response_in(&[]).await, 6).await.unwrap().as_deref(), Some(&b""[..]));
    }
}
