//! A minimal, fast loopback server with canned responses, so that the server is not what is measured.
//!
//! Base URLs are `http://ADDR/t/{TOTAL}/api/v1`: the list holds `TOTAL` workspaces (each with its own id and slug),
//! so one server serves every list size. Routes:
//! - `GET …/workspaces/{id}`: one canned workspace;
//! - `GET …/workspaces?offset=&limit=`: the page of the list, built on the fly, with `total_count`;
//! - `GET /stats`: `{"requests": N}`, the API requests answered so far (not counting itself).
//!
//! Every answer carries `content-type: application/json` and an `x-request-id`, as the real API's do.

use std::convert::Infallible;
use std::fmt::Write as _;
use std::sync::Arc;
use std::sync::atomic::{AtomicU64, Ordering};

use bytes::Bytes;
use http_body_util::Full;
use hyper::body::Incoming;
use hyper::{Request, Response, StatusCode};
use hyper_util::rt::TokioIo;
use tokio::io::AsyncBufReadExt;

/// A workspace as the API returns it (the spec's example), with `{N}` where each item's number goes.
const ITEM: &str = r#"{"id":"550e8400-e29b-41d4-a716-{N}","name":"Workspace {N}","slug":"workspace-{N}","description":"Production environment workspace","default_guardrail_id":"595d5849-7e86-51fd-a7c0-705c34e4afff","default_text_model":"openai/gpt-4o","default_image_model":"openai/dall-e-3","default_provider_sort":"price","disabled_server_tools":["openrouter:web_search"],"include_byok_in_budgets":false,"io_logging_api_key_ids":null,"io_logging_sampling_rate":1,"is_data_discount_logging_enabled":true,"is_observability_broadcast_enabled":false,"is_observability_io_logging_enabled":false,"created_at":"2025-08-24T10:30:00Z","updated_at":"2025-08-24T15:45:00Z","created_by":"user_abc123"}"#;

struct Canned {
    one: Bytes,
    requests: AtomicU64,
}

/// Serves until standard input closes (so the server never outlives the `cargo xtask bench` that started it).
/// Prints `http://ADDR` on the first line of standard output.
pub async fn serve(addr: std::net::SocketAddr) -> std::io::Result<()> {
    let listener = tokio::net::TcpListener::bind(addr).await?;
    println!("http://{}", listener.local_addr()?);
    let canned = Arc::new(Canned { one: Bytes::from(format!("{{\"data\":{}}}", item(0))), requests: 0.into() });
    let stdin_closed = async {
        let mut lines = tokio::io::BufReader::new(tokio::io::stdin()).lines();
        while let Ok(Some(_)) = lines.next_line().await {}
    };
    tokio::select! {
        result = accept(listener, canned) => result,
        () = stdin_closed => Ok(()),
    }
}

async fn accept(listener: tokio::net::TcpListener, canned: Arc<Canned>) -> std::io::Result<()> {
    loop {
        let (stream, _) = listener.accept().await?;
        stream.set_nodelay(true)?;
        let canned = canned.clone();
        tokio::spawn(async move {
            let service = hyper::service::service_fn(move |req| answer(canned.clone(), req));
            let _ = hyper::server::conn::http1::Builder::new().serve_connection(TokioIo::new(stream), service).await;
        });
    }
}

fn item(n: u64) -> String {
    ITEM.replace("{N}", &format!("{n:012}"))
}

async fn answer(canned: Arc<Canned>, req: Request<Incoming>) -> Result<Response<Full<Bytes>>, Infallible> {
    let path = req.uri().path();
    if path == "/stats" {
        let body = format!("{{\"requests\":{}}}", canned.requests.load(Ordering::Relaxed));
        return Ok(json(StatusCode::OK, Bytes::from(body)));
    }
    canned.requests.fetch_add(1, Ordering::Relaxed);
    // /t/{total}/api/v1/workspaces[/{id}]
    let mut parts = path.trim_start_matches('/').split('/');
    let total = match (parts.next(), parts.next().and_then(|t| t.parse::<u64>().ok())) {
        (Some("t"), Some(total)) => total,
        _ => return Ok(not_found()),
    };
    let rest: Vec<&str> = parts.collect();
    Ok(match rest.as_slice() {
        ["api", "v1", "workspaces"] => {
            let (offset, limit) = offset_limit(req.uri().query().unwrap_or(""));
            json(StatusCode::OK, Bytes::from(page(total, offset, limit)))
        }
        ["api", "v1", "workspaces", _id] => json(StatusCode::OK, canned.one.clone()),
        _ => not_found(),
    })
}

fn offset_limit(query: &str) -> (u64, u64) {
    let (mut offset, mut limit) = (0, 50);
    for pair in query.split('&') {
        match pair.split_once('=') {
            Some(("offset", v)) => offset = v.parse().unwrap_or(0),
            Some(("limit", v)) => limit = v.parse().unwrap_or(50),
            _ => {}
        }
    }
    (offset, limit.clamp(1, 100))
}

fn page(total: u64, offset: u64, limit: u64) -> String {
    let end = total.min(offset.saturating_add(limit));
    let mut out = String::with_capacity(ITEM.len() * (end.saturating_sub(offset) as usize + 1) + 64);
    out.push_str("{\"data\":[");
    for n in offset..end {
        if n > offset {
            out.push(',');
        }
        out.push_str(&item(n));
    }
    let _ = write!(out, "],\"total_count\":{total}}}");
    out
}

fn json(status: StatusCode, body: Bytes) -> Response<Full<Bytes>> {
    let mut response = Response::new(Full::new(body));
    *response.status_mut() = status;
    let headers = response.headers_mut();
    headers.insert(hyper::header::CONTENT_TYPE, hyper::header::HeaderValue::from_static("application/json"));
    headers.insert("x-request-id", hyper::header::HeaderValue::from_static("req_bench_0001"));
    response
}

fn not_found() -> Response<Full<Bytes>> {
    json(StatusCode::NOT_FOUND, Bytes::from_static(br#"{"error":{"code":404,"message":"Not Found"}}"#))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn pages_are_valid_json_with_the_right_items_and_total() {
        let body: serde_json::Value = serde_json::from_str(&page(250, 200, 100)).unwrap();
        let items = body["data"].as_array().unwrap();
        assert_eq!(items.len(), 50);
        assert_eq!(items[0]["slug"], "workspace-000000000200");
        assert_eq!(body["total_count"], 250);
        let empty: serde_json::Value = serde_json::from_str(&page(10, 10, 100)).unwrap();
        assert_eq!(empty["data"].as_array().unwrap().len(), 0);
    }

    #[test]
    fn query_limits_are_read_and_clamped() {
        assert_eq!(offset_limit("offset=300&limit=100"), (300, 100));
        assert_eq!(offset_limit("limit=1000"), (0, 100));
        assert_eq!(offset_limit(""), (0, 50));
    }
}
