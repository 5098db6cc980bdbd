//! A stateful fake OpenRouter Workspaces server, for testing code that uses this crate without the real API.
//! Enabled by the `fake` feature.
//!
//! ```
//! # #[tokio::main(flavor = "current_thread")]
//! # async fn main() -> Result<(), Box<dyn std::error::Error>> {
//! use openrouter_workspaces::fake::{FakeServer, Fault};
//! use openrouter_workspaces::{CreateWorkspace, operation::OperationId};
//!
//! let server = FakeServer::start().await?;
//! let client = server.client(); // points at the fake, with its key
//!
//! let ws = client.workspaces().create(CreateWorkspace::new("Staging", "staging")).await?;
//! assert_eq!(client.workspaces().get("staging").await?.id, ws.id);
//!
//! // Inject faults: the next two getWorkspace calls answer 503, then the fake behaves again.
//! server.inject(OperationId::GetWorkspace, [Fault::status(503), Fault::status(503)]);
//! client.workspaces().get("staging").await?; // retried twice, then succeeds
//! assert_eq!(server.request_count(OperationId::GetWorkspace), 4);
//! # Ok(()) }
//! ```
//!
//! # What it does
//! - Serves every operation of the spec under `/api/v1` on a loopback address, routed and checked with the
//!   operation table generated from the spec, with the API's semantics: a seeded
//!   **default** workspace (slug `default`) whose members are the whole organization ([`OrgUser::default_org`]);
//!   create answers 201; unique slugs; UUID ids; `default_guardrail_id` derived from the id; ISO 8601
//!   timestamps; `updated_at` moves on every update; get, update and delete by id or slug; deleting the default
//!   workspace needs `confirm_default_workspace_deletion=true`; offset/limit pagination with `total_count`;
//!   bulk add/remove with counts; budgets per interval with `reset_interval: null` for lifetime, limits that
//!   must strictly decrease as the interval narrows, and an idempotent delete; API keys per workspace (the
//!   default workspace when a request names none), whose secret is answered on create only and never stored,
//!   listed by offset alone ([`FakeServerBuilder::key_page_size`] per page, disabled keys on request); a
//!   workspace with active (not disabled) keys cannot be deleted, and a member with active keys in it cannot be
//!   removed; a workspace's default guardrail is unconfigured (`GET` answers 404) until a `PATCH` materializes
//!   it, and its name cannot be changed.
//! - Requires `Authorization: Bearer <key>` with the fake's key ([`FAKE_API_KEY`] by default): 401 otherwise.
//! - Checks every request against the spec, with the same generated checks the client runs before sending
//!   (enums strictly: only the values the spec lists): invalid JSON, a body that is not a JSON object, a missing or
//!   mistyped body property, a `null` where the spec allows none, a parameter outside its limits or empty
//!   (`?offset=`: the spec allows no empty values) is a 400 whose message names the operation and the violation.
//!   Properties and query parameters the spec does not define are ignored, as the spec allows them.
//!   An unknown path is a 404, a method the path does not have a 405 with an `Allow` header.
//! - Stores what the spec defines: objects are kept as JSON shaped by the spec's schemas, so a property the spec
//!   gains is accepted, stored, cleared and returned without a change to the fake.
//! - Answers every rule violation with a documented status and the documented error body
//!   `{"error": {"code": ..., "message": ...}}`, and every response with an `x-request-id` header.
//! - Optionally limits each key's rate ([`FakeServerBuilder::rate_limit`]): a token bucket, `429` beyond it with
//!   `Retry-After`, `retry-after-ms` and the `X-RateLimit-*` headers OpenRouter sends.
//! - Records every request ([`FakeServer::requests`]) with its operation, method, path, query, headers (the
//!   key redacted), body, and the status and body it answered (a created API key's secret redacted).

mod http;
mod keys;
pub(crate) mod parse;
mod rate_limit;
pub(crate) mod rules;
pub(crate) mod state;

use std::collections::{HashMap, VecDeque};
use std::net::SocketAddr;
use std::pin::Pin;
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::{Arc, Mutex};
use std::task::{Context, Poll};
use std::time::Duration;

use serde_json::Value;
use tokio::io::{AsyncRead, AsyncWrite, ReadBuf};
use tokio::net::TcpListener;

pub use self::rate_limit::RateLimit;
pub use self::state::OrgUser;
use crate::operation::OperationId;
use crate::{Client, ClientBuilder, Workspace};

/// The API key the fake accepts unless told otherwise.
pub const FAKE_API_KEY: &str = "sk-or-v1-fake-management-key";

/// One request the fake received, and what it answered.
#[derive(Clone, Debug, PartialEq)]
#[non_exhaustive]
pub struct RecordedRequest {
    /// The request's number, from 1, in order of arrival.
    pub sequence: u64,
    /// The operation the request was routed to (`None` for an unknown path or method).
    pub operation_id: Option<OperationId>,
    /// The method, e.g. `GET`.
    pub method: String,
    /// The raw path, as sent (percent-encoded), e.g. `/api/v1/workspaces/a%20b`.
    pub path: String,
    /// The query parameters, decoded, in order.
    pub query: Vec<(String, String)>,
    /// The headers, in order; the `authorization` value is replaced by `Bearer <redacted>`.
    pub headers: Vec<(String, String)>,
    /// The body, when it was JSON.
    pub body: Option<Value>,
    /// The body as text.
    pub raw_body: String,
    /// The status the fake answered (before any fault that alters the wire); 0 while it is still being handled
    /// (a delay fault) or when the client went away first, or a fault answered instead.
    pub status: u16,
    /// The JSON body the fake answered (before any fault that alters the wire).
    pub response_body: Option<Value>,
}

impl RecordedRequest {
    /// The value of a header (case-insensitive name).
    pub fn header(&self, name: &str) -> Option<&str> {
        self.headers.iter().find(|(n, _)| n.eq_ignore_ascii_case(name)).map(|(_, v)| v.as_str())
    }
}

/// A fault to inject into one response. See [`FakeServer::inject`].
#[derive(Clone, Debug, PartialEq)]
pub struct Fault {
    kind: FaultKind,
    headers: Vec<(String, String)>,
}

#[derive(Clone, Debug, PartialEq)]
enum FaultKind {
    Status(u16),
    Delay(Duration),
    CloseBeforeResponse,
    CloseMidBody,
    TruncatedJson,
    Html(u16),
    WrongContentType,
    Oversized { status: u16, bytes: usize },
}

impl Fault {
    fn new(kind: FaultKind) -> Fault {
        Fault { kind, headers: Vec::new() }
    }

    /// Answer with this status and the documented error body, without touching the state.
    pub fn status(status: u16) -> Fault {
        Fault::new(FaultKind::Status(status))
    }

    /// Wait this long, then handle the request normally (for timeouts).
    pub fn delay(wait: Duration) -> Fault {
        Fault::new(FaultKind::Delay(wait))
    }

    /// Close the connection without answering (nothing is written; the state is not touched).
    pub fn close_before_response() -> Fault {
        Fault::new(FaultKind::CloseBeforeResponse)
    }

    /// Handle the request, then close the connection halfway through the body.
    pub fn close_mid_body() -> Fault {
        Fault::new(FaultKind::CloseMidBody)
    }

    /// Handle the request, then send only the first half of the JSON body (a complete HTTP response).
    pub fn truncated_json() -> Fault {
        Fault::new(FaultKind::TruncatedJson)
    }

    /// Answer with an HTML error page and this status, as a proxy would (the state is not touched).
    pub fn html(status: u16) -> Fault {
        Fault::new(FaultKind::Html(status))
    }

    /// Handle the request, but label the JSON body `text/plain`.
    pub fn wrong_content_type() -> Fault {
        Fault::new(FaultKind::WrongContentType)
    }

    /// Answer with this status and an HTML body of about `bytes` bytes (the state is not touched).
    pub fn oversized(status: u16, bytes: usize) -> Fault {
        Fault::new(FaultKind::Oversized { status, bytes })
    }

    /// Add a `Retry-After` header (seconds, or an HTTP date).
    pub fn retry_after(self, value: impl Into<String>) -> Fault {
        self.header("retry-after", value)
    }

    /// Add a `retry-after-ms` header.
    pub fn retry_after_ms(self, ms: u64) -> Fault {
        self.header("retry-after-ms", ms.to_string())
    }

    /// Add any response header.
    pub fn header(mut self, name: impl Into<String>, value: impl Into<String>) -> Fault {
        self.headers.push((name.into(), value.into()));
        self
    }
}

fn reason(status: u16) -> &'static str {
    hyper::StatusCode::from_u16(status).ok().and_then(|s| s.canonical_reason()).unwrap_or("Error")
}

/// What the connections share.
pub(crate) struct Shared {
    state: Mutex<state::Store>,
    log: Mutex<Vec<RecordedRequest>>,
    faults: Mutex<HashMap<OperationId, VecDeque<Fault>>>,
    api_keys: Vec<String>,
    latency: Duration,
    sequence: std::sync::atomic::AtomicU64,
    rate_limit: Option<rate_limit::Limiter>,
}

/// Configures a [`FakeServer`]. Get one from [`FakeServer::builder`].
#[derive(Clone, Debug)]
pub struct FakeServerBuilder {
    addr: SocketAddr,
    api_keys: Vec<String>,
    org: Vec<OrgUser>,
    seed: usize,
    latency: Duration,
    rate_limit: Option<RateLimit>,
    key_page_size: usize,
}

impl Default for FakeServerBuilder {
    fn default() -> Self {
        FakeServerBuilder {
            addr: SocketAddr::from(([127, 0, 0, 1], 0)),
            api_keys: vec![FAKE_API_KEY.to_owned()],
            org: OrgUser::default_org(),
            seed: 0,
            latency: Duration::ZERO,
            rate_limit: None,
            key_page_size: state::KEY_PAGE_SIZE,
        }
    }
}

impl FakeServerBuilder {
    /// The address to listen on. Default `127.0.0.1:0` (loopback, a free port).
    pub fn addr(mut self, addr: SocketAddr) -> Self {
        self.addr = addr;
        self
    }

    /// The API keys the fake accepts (replacing [`FAKE_API_KEY`]).
    pub fn api_keys<I: IntoIterator<Item = S>, S: Into<String>>(mut self, keys: I) -> Self {
        self.api_keys = keys.into_iter().map(Into::into).collect();
        self
    }

    /// The organization's users (the default workspace's members, and who can be added to workspaces). The first
    /// is the creator of new workspaces.
    pub fn org_users(mut self, users: Vec<OrgUser>) -> Self {
        self.org = users;
        self
    }

    /// Seed this many extra workspaces, `Seeded 1` / `seeded-1` and so on, after the default one.
    pub fn seed_workspaces(mut self, n: usize) -> Self {
        self.seed = n;
        self
    }

    /// Wait this long before answering every request.
    pub fn latency(mut self, latency: Duration) -> Self {
        self.latency = latency;
        self
    }

    /// Limits each key to a rate (a token bucket; see [`RateLimit`]): beyond it the fake answers `429` with
    /// `Retry-After`, `retry-after-ms` and the `X-RateLimit-*` headers, and counts it
    /// ([`FakeServer::rate_limited_count`]). No limit by default.
    pub fn rate_limit(mut self, limit: RateLimit) -> Self {
        self.rate_limit = Some(limit);
        self
    }

    /// How many keys a page of `listApiKeys` holds (the operation has no `limit`: the server chooses). Default
    /// 100; at least 1.
    pub fn key_page_size(mut self, keys: usize) -> Self {
        self.key_page_size = keys.max(1);
        self
    }

    /// Binds and starts serving on the current tokio runtime.
    ///
    /// # Errors
    /// When the address cannot be bound.
    pub async fn start(self) -> std::io::Result<FakeServer> {
        let mut state = state::Store::new(self.org).map_err(|f| std::io::Error::other(f.message))?;
        state.key_page_size = self.key_page_size;
        for i in 1..=self.seed {
            state
                .seed_workspace(&format!("Seeded {i}"), &format!("seeded-{i}"))
                .map_err(|f| std::io::Error::other(f.message))?;
        }
        let shared = Arc::new(Shared {
            state: Mutex::new(state),
            log: Mutex::new(Vec::new()),
            faults: Mutex::new(HashMap::new()),
            api_keys: self.api_keys,
            latency: self.latency,
            sequence: std::sync::atomic::AtomicU64::new(0),
            rate_limit: self.rate_limit.map(rate_limit::Limiter::new),
        });
        let listener = TcpListener::bind(self.addr).await?;
        let addr = listener.local_addr()?;
        let (stop, stopped) = tokio::sync::watch::channel(false);
        tokio::spawn(serve(listener, shared.clone(), stopped));
        let host = if addr.is_ipv6() { format!("[{}]", addr.ip()) } else { addr.ip().to_string() };
        Ok(FakeServer { shared, addr, base_url: format!("http://{host}:{}{}", addr.port(), http::PREFIX), stop })
    }
}

/// A running fake server. Stops when dropped.
pub struct FakeServer {
    shared: Arc<Shared>,
    addr: SocketAddr,
    base_url: String,
    stop: tokio::sync::watch::Sender<bool>,
}

impl std::fmt::Debug for FakeServer {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("FakeServer").field("base_url", &self.base_url).finish_non_exhaustive()
    }
}

impl Drop for FakeServer {
    fn drop(&mut self) {
        let _ = self.stop.send(true);
    }
}

impl FakeServer {
    /// Starts a fake with the defaults on a free loopback port.
    ///
    /// # Errors
    /// When no loopback port can be bound.
    pub async fn start() -> std::io::Result<FakeServer> {
        FakeServerBuilder::default().start().await
    }

    /// A builder for a fake with other settings.
    pub fn builder() -> FakeServerBuilder {
        FakeServerBuilder::default()
    }

    /// The base URL to give a client, e.g. `http://127.0.0.1:41234/api/v1`.
    pub fn base_url(&self) -> &str {
        &self.base_url
    }

    /// The address the fake listens on.
    pub fn addr(&self) -> SocketAddr {
        self.addr
    }

    /// A client builder pointed at this fake, with its first key, ignoring `OPENROUTER_*` variables.
    pub fn client_builder(&self) -> ClientBuilder {
        let key = self.shared.api_keys.first().cloned().unwrap_or_default();
        Client::builder().ignore_env().base_url(&self.base_url).api_key(key)
    }

    /// A client pointed at this fake, with the default settings.
    ///
    /// # Panics
    /// Never in practice: the fake's URL and key are always valid (a failure would be a bug of this crate).
    pub fn client(&self) -> Client {
        match self.client_builder().build() {
            Ok(client) => client,
            Err(e) => unreachable!("the fake's own client settings are invalid: {e}"),
        }
    }

    /// The workspaces, in creation order.
    pub fn workspaces(&self) -> Vec<Workspace> {
        self.shared.state.lock().unwrap_or_else(|p| p.into_inner()).workspaces()
    }

    /// Adds a workspace directly (no request is logged).
    ///
    /// # Errors
    /// When the name or slug breaks the API's rules, or the slug is taken.
    pub fn seed_workspace(&self, name: &str, slug: &str) -> Result<Workspace, String> {
        let mut state = self.shared.state.lock().unwrap_or_else(|p| p.into_inner());
        state.seed_workspace(name, slug).map_err(|f| f.message)
    }

    /// Every request received so far, in order.
    pub fn requests(&self) -> Vec<RecordedRequest> {
        self.shared.log.lock().unwrap_or_else(|p| p.into_inner()).clone()
    }

    /// How many requests were routed to this operation.
    pub fn request_count(&self, operation: OperationId) -> usize {
        let log = self.shared.log.lock().unwrap_or_else(|p| p.into_inner());
        log.iter().filter(|r| r.operation_id == Some(operation)).count()
    }

    /// How many requests the rate limit refused (answered `429`) so far; 0 without
    /// [`rate_limit`](FakeServerBuilder::rate_limit). Injected `429` faults are not counted.
    pub fn rate_limited_count(&self) -> u64 {
        self.shared.rate_limit.as_ref().map_or(0, |l| l.refused())
    }

    /// Forgets the requests received so far.
    pub fn clear_requests(&self) {
        self.shared.log.lock().unwrap_or_else(|p| p.into_inner()).clear();
    }

    /// Queues faults for an operation: each of its next requests takes the next fault; when the queue is empty
    /// the fake behaves normally again.
    pub fn inject<I: IntoIterator<Item = Fault>>(&self, operation: OperationId, faults: I) {
        let mut all = self.shared.faults.lock().unwrap_or_else(|p| p.into_inner());
        all.entry(operation).or_default().extend(faults);
    }
}

async fn serve(listener: TcpListener, shared: Arc<Shared>, mut stopped: tokio::sync::watch::Receiver<bool>) {
    loop {
        let accepted = tokio::select! {
            accepted = listener.accept() => accepted,
            _ = stopped.changed() => return,
        };
        let Ok((stream, _)) = accepted else { continue };
        let kill = Arc::new(AtomicBool::new(false));
        let io = hyper_util::rt::TokioIo::new(KillableIo { inner: stream, kill: kill.clone() });
        let shared = shared.clone();
        let mut stop = stopped.clone();
        tokio::spawn(async move {
            let service = hyper::service::service_fn(move |request| {
                let shared = shared.clone();
                let kill = kill.clone();
                async move { Ok::<_, std::convert::Infallible>(http::handle(shared, request, kill).await) }
            });
            let conn = hyper::server::conn::http1::Builder::new().serve_connection(io, service);
            tokio::select! {
                _ = conn => {}
                _ = stop.changed() => {}
            }
        });
    }
}

/// A TCP stream whose writes fail once `kill` is set, so a response can be dropped without a byte written.
struct KillableIo {
    inner: tokio::net::TcpStream,
    kill: Arc<AtomicBool>,
}

impl KillableIo {
    fn killed(&self) -> Option<std::io::Error> {
        self.kill
            .load(Ordering::SeqCst)
            .then(|| std::io::Error::new(std::io::ErrorKind::ConnectionAborted, "fake: connection closed"))
    }
}

impl AsyncRead for KillableIo {
    fn poll_read(mut self: Pin<&mut Self>, cx: &mut Context<'_>, buf: &mut ReadBuf<'_>) -> Poll<std::io::Result<()>> {
        Pin::new(&mut self.inner).poll_read(cx, buf)
    }
}

impl AsyncWrite for KillableIo {
    fn poll_write(mut self: Pin<&mut Self>, cx: &mut Context<'_>, buf: &[u8]) -> Poll<std::io::Result<usize>> {
        if let Some(e) = self.killed() {
            return Poll::Ready(Err(e));
        }
        Pin::new(&mut self.inner).poll_write(cx, buf)
    }

    fn poll_flush(mut self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<std::io::Result<()>> {
        Pin::new(&mut self.inner).poll_flush(cx)
    }

    fn poll_shutdown(mut self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<std::io::Result<()>> {
        Pin::new(&mut self.inner).poll_shutdown(cx)
    }
}
