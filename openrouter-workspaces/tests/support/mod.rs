//! A hostile HTTP/1.1 server for tests: it answers each request with bytes the test chooses (a status line,
//! headers and a body, well-formed or not), then closes, stalls, or streams a body that never ends.
//!
//! Hand-written on a raw `tokio::net::TcpListener` on purpose: a real server library (hyper) would refuse to
//! send what these tests need to send (a body shorter than its `content-length`, a status outside 100-999,
//! headers that are not valid HTTP).

#![allow(dead_code)] // Each test binary uses a part of it.

use std::net::SocketAddr;
use std::sync::Arc;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::time::Duration;

use tokio::io::{AsyncReadExt, AsyncWriteExt};
use tokio::net::{TcpListener, TcpStream};

/// What the server does once it has written a reply's bytes.
#[derive(Clone, Debug)]
pub enum Then {
    /// Close the connection.
    Close,
    /// Keep the connection open and send nothing more (for a minute).
    Stall,
    /// Write this chunk again and again, as fast as the client reads, until the client goes away.
    Endless(Vec<u8>),
}

/// The server's answer to one request.
#[derive(Clone, Debug)]
pub struct Reply {
    /// Written as they are: status line, headers, blank line, the start of a body (or anything else).
    pub bytes: Vec<u8>,
    /// What follows.
    pub then: Then,
}

impl Reply {
    /// A complete response with a `content-length`, then the connection is closed.
    pub fn full(status: u16, content_type: &str, body: &[u8]) -> Reply {
        let mut bytes = format!(
            "HTTP/1.1 {status} X\r\ncontent-type: {content_type}\r\ncontent-length: {}\r\nconnection: close\r\n\r\n",
            body.len()
        )
        .into_bytes();
        bytes.extend_from_slice(body);
        Reply { bytes, then: Then::Close }
    }

    /// A complete JSON response.
    pub fn json(status: u16, body: &serde_json::Value) -> Reply {
        Reply::full(status, "application/json", body.to_string().as_bytes())
    }

    /// A response that announces `content-length` bytes, sends `sent`, then stalls.
    pub fn stalled(status: u16, content_length: usize, sent: &[u8]) -> Reply {
        let mut bytes =
            format!("HTTP/1.1 {status} X\r\ncontent-type: text/html\r\ncontent-length: {content_length}\r\n\r\n")
                .into_bytes();
        bytes.extend_from_slice(sent);
        Reply { bytes, then: Then::Stall }
    }

    /// A chunked response whose first chunk is `sent`, then stalls.
    pub fn stalled_chunked(status: u16, sent: &[u8]) -> Reply {
        let mut bytes = format!(
            "HTTP/1.1 {status} X\r\ncontent-type: text/html\r\ntransfer-encoding: chunked\r\n\r\n{:x}\r\n",
            sent.len()
        )
        .into_bytes();
        bytes.extend_from_slice(sent);
        bytes.extend_from_slice(b"\r\n");
        Reply { bytes, then: Then::Stall }
    }

    /// A response without `content-length` (delimited by the end of the connection) whose body never ends: an
    /// HTML-looking page of `chunk`-sized writes.
    pub fn endless(status: u16, content_type: &str) -> Reply {
        let bytes = format!("HTTP/1.1 {status} X\r\ncontent-type: {content_type}\r\n\r\n<html><body>").into_bytes();
        let chunk = "<p>endless</p>\n".repeat(64 * 1024 / 15).into_bytes();
        Reply { bytes, then: Then::Endless(chunk) }
    }
}

/// The first line of a request the server received.
#[derive(Clone, Debug)]
pub struct Request {
    /// `GET`, `POST`, ...
    pub method: String,
    /// The path and query, e.g. `/api/v1/workspaces?limit=3&offset=0`.
    pub target: String,
    /// 0 for the first request the server received, 1 for the next, ...
    pub index: usize,
}

type Script = Arc<dyn Fn(&Request) -> Reply + Send + Sync>;

/// A running hostile server; stops when dropped.
pub struct HostileServer {
    addr: SocketAddr,
    requests: Arc<AtomicUsize>,
    task: tokio::task::JoinHandle<()>,
}

impl HostileServer {
    /// Starts a server that answers every request with `script(request)`.
    pub async fn start(script: impl Fn(&Request) -> Reply + Send + Sync + 'static) -> HostileServer {
        let listener = TcpListener::bind("127.0.0.1:0").await.expect("bind a loopback port");
        let addr = listener.local_addr().expect("a bound listener has an address");
        let requests = Arc::new(AtomicUsize::new(0));
        let script: Script = Arc::new(script);
        let counter = requests.clone();
        let task = tokio::spawn(async move {
            while let Ok((stream, _)) = listener.accept().await {
                tokio::spawn(serve(stream, script.clone(), counter.clone()));
            }
        });
        HostileServer { addr, requests, task }
    }

    /// Always the same reply.
    pub async fn always(reply: Reply) -> HostileServer {
        HostileServer::start(move |_| reply.clone()).await
    }

    /// The base URL to give the client (`http://127.0.0.1:PORT/api/v1`).
    pub fn base_url(&self) -> String {
        format!("http://{}/api/v1", self.addr)
    }

    /// How many requests have been received.
    pub fn requests(&self) -> usize {
        self.requests.load(Ordering::SeqCst)
    }
}

impl Drop for HostileServer {
    fn drop(&mut self) {
        self.task.abort();
    }
}

async fn serve(mut stream: TcpStream, script: Script, counter: Arc<AtomicUsize>) {
    let Some(request) = read_request(&mut stream, &counter).await else { return };
    let reply = script(&request);
    if stream.write_all(&reply.bytes).await.is_err() {
        return;
    }
    match reply.then {
        Then::Close => {
            let _ = stream.shutdown().await;
        }
        Then::Stall => tokio::time::sleep(Duration::from_secs(60)).await,
        Then::Endless(chunk) => while stream.write_all(&chunk).await.is_ok() {},
    }
}

/// Reads one request's head (and its body, when it has a `content-length`), at most 1 MiB.
async fn read_request(stream: &mut TcpStream, counter: &AtomicUsize) -> Option<Request> {
    let mut buf = Vec::new();
    let mut chunk = [0u8; 8192];
    let head_end = loop {
        if let Some(end) = buf.windows(4).position(|w| w == b"\r\n\r\n") {
            break end + 4;
        }
        if buf.len() > 1 << 20 {
            return None;
        }
        let n = stream.read(&mut chunk).await.ok().filter(|&n| n > 0)?;
        buf.extend_from_slice(&chunk[..n]);
    };
    let head = String::from_utf8_lossy(&buf[..head_end]).into_owned();
    let content_length = head
        .lines()
        .filter_map(|line| line.split_once(':'))
        .find(|(name, _)| name.trim().eq_ignore_ascii_case("content-length"))
        .and_then(|(_, value)| value.trim().parse::<usize>().ok())
        .unwrap_or(0)
        .min(1 << 20);
    while buf.len() < head_end + content_length {
        let n = stream.read(&mut chunk).await.ok().filter(|&n| n > 0)?;
        buf.extend_from_slice(&chunk[..n]);
    }
    let mut first = head.lines().next().unwrap_or("").split(' ');
    let method = first.next().unwrap_or("").to_owned();
    let target = first.next().unwrap_or("").to_owned();
    let index = counter.fetch_add(1, Ordering::SeqCst);
    Some(Request { method, target, index })
}

/// A workspace as the API returns it, with this id.
pub fn workspace(id: &str) -> serde_json::Value {
    serde_json::json!({
        "id": id,
        "name": format!("Workspace {id}"),
        "slug": format!("ws-{id}"),
        "description": null,
        "default_guardrail_id": "595d5849-7e86-51fd-a7c0-705c34e4afff",
        "default_text_model": null,
        "default_image_model": null,
        "default_provider_sort": null,
        "is_data_discount_logging_enabled": false,
        "is_observability_broadcast_enabled": false,
        "is_observability_io_logging_enabled": false,
        "io_logging_sampling_rate": 1.0,
        "io_logging_api_key_ids": null,
        "disabled_server_tools": null,
        "created_at": "2025-08-24T10:30:00Z",
        "updated_at": null,
        "created_by": null
    })
}

/// A page of workspaces with these ids.
pub fn page(ids: &[&str], total_count: i64) -> serde_json::Value {
    serde_json::json!({ "data": ids.iter().map(|id| workspace(id)).collect::<Vec<_>>(), "total_count": total_count })
}
