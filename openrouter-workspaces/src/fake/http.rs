//! The fake's HTTP layer: routing by the generated operation table, authentication, the requests parsed and
//! checked by the generated parser, injected faults, and the request log. Business rules are in `rules.rs` (the
//! generated `Rules` trait, one method per operation) and `state.rs`.

use std::convert::Infallible;
use std::sync::Arc;
use std::sync::atomic::{AtomicBool, AtomicU64, Ordering};

use bytes::Bytes;
use http_body_util::combinators::BoxBody;
use http_body_util::{BodyExt, Full, Limited, StreamBody};
use hyper::body::{Frame, Incoming};
use serde_json::Value;

use super::parse::Raw;
use super::state::{ErrorReply, bad};
use super::{Fault, FaultKind, RecordedRequest, Shared};
use crate::operation::{self, Operation};
use crate::tables::fake::{dispatch, parse};

/// The response body type of the fake.
pub(crate) type Body = BoxBody<Bytes, std::io::Error>;

/// The largest request body the fake reads.
const MAX_REQUEST_BODY: usize = 1024 * 1024;
/// The fake serves the API under this prefix, like the real one.
pub(crate) const PREFIX: &str = "/api/v1";

fn full(bytes: impl Into<Bytes>) -> Body {
    Full::new(bytes.into()).map_err(|never: Infallible| match never {}).boxed()
}

/// A routed request: the operation and its path parameters.
#[derive(Debug)]
struct Route {
    op: &'static Operation,
    params: Vec<(&'static str, String)>,
}

fn decode(segment: &str) -> String {
    percent_encoding::percent_decode_str(segment).decode_utf8_lossy().into_owned()
}

/// Why a request matched no operation.
#[derive(Debug, PartialEq)]
enum NoRoute {
    /// No path template matches: 404.
    Path,
    /// The path matches, the method does not: 405, with the methods that would.
    Method(Vec<&'static str>),
}

/// Matches a raw path (after the prefix) against the operation table.
fn route(method: &str, path: &str) -> Result<Route, NoRoute> {
    let segments: Vec<&str> = path.trim_start_matches('/').split('/').collect();
    let mut allowed = Vec::new();
    for op in operation::ALL {
        let template: Vec<&str> = op.path.trim_start_matches('/').split('/').collect();
        if template.len() != segments.len() {
            continue;
        }
        let mut params = Vec::new();
        let matched = template.iter().zip(&segments).all(|(t, s)| match t.strip_prefix('{') {
            Some(name) if !s.is_empty() => {
                params.push((name.trim_end_matches('}'), decode(s)));
                true
            }
            Some(_) => false,
            None => t == s,
        });
        if !matched {
            continue;
        }
        if op.method == method {
            return Ok(Route { op, params });
        }
        allowed.push(op.method);
    }
    if allowed.is_empty() { Err(NoRoute::Path) } else { Err(NoRoute::Method(allowed)) }
}

/// What the request log keeps of an answer: the answer, with a created key's secret (`key`, shown once, on the
/// wire only) replaced by [`REDACTED`](crate::REDACTED), so that a log printed by a test never holds it.
fn redacted(operation: Option<crate::operation::OperationId>, body: &Value) -> Value {
    let mut body = body.clone();
    if operation == Some(crate::operation::OperationId::CreateApiKey)
        && let Some(secret) = body.get_mut("key").filter(|k| k.is_string())
    {
        *secret = Value::String(crate::REDACTED.to_owned());
    }
    body
}

fn error_body(status: u16, message: &str) -> Value {
    serde_json::json!({ "error": { "code": status, "message": message } })
}

fn auth_failure(shared: &Shared, headers: &hyper::HeaderMap) -> Option<ErrorReply> {
    let value = headers.get(hyper::header::AUTHORIZATION).and_then(|v| v.to_str().ok());
    let Some(value) = value else {
        return Some(ErrorReply { status: 401, message: "Missing Authentication header".into() });
    };
    let key = value.split_once(' ').filter(|(scheme, _)| scheme.eq_ignore_ascii_case("bearer")).map(|(_, k)| k.trim());
    match key {
        Some(key) if shared.api_keys.iter().any(|k| k == key) => None,
        _ => Some(ErrorReply { status: 401, message: "Invalid API key".into() }),
    }
}

/// What the fake answers, before faults that alter the wire are applied.
struct Answer {
    status: u16,
    body: Value,
    /// Headers of the answer itself (`Allow` on a 405).
    headers: Vec<(String, String)>,
}

impl Answer {
    fn failed(f: ErrorReply) -> Answer {
        Answer { status: f.status, body: error_body(f.status, &f.message), headers: Vec::new() }
    }
}

static REQUEST_IDS: AtomicU64 = AtomicU64::new(1);

fn respond(status: u16, content_type: &str, body: Body, extra: &[(String, String)]) -> hyper::Response<Body> {
    let mut response = hyper::Response::new(body);
    *response.status_mut() = hyper::StatusCode::from_u16(status).unwrap_or(hyper::StatusCode::INTERNAL_SERVER_ERROR);
    let headers = response.headers_mut();
    if let Ok(v) = hyper::header::HeaderValue::from_str(content_type) {
        headers.insert(hyper::header::CONTENT_TYPE, v);
    }
    let id = format!("req_fake_{:06}", REQUEST_IDS.fetch_add(1, Ordering::Relaxed));
    if let Ok(v) = hyper::header::HeaderValue::from_str(&id) {
        headers.insert("x-request-id", v);
    }
    for (name, value) in extra {
        if let (Ok(n), Ok(v)) =
            (hyper::header::HeaderName::from_bytes(name.as_bytes()), hyper::header::HeaderValue::from_str(value))
        {
            headers.insert(n, v);
        }
    }
    response
}

/// The first half of `text`, cut at a character boundary.
fn first_half(text: &str) -> &str {
    let mut cut = text.len() / 2;
    while !text.is_char_boundary(cut) {
        cut -= 1;
    }
    text.get(..cut).unwrap_or("")
}

/// Handles one request. `kill` closes the connection without writing anything more when set.
pub(crate) async fn handle(
    shared: Arc<Shared>,
    request: hyper::Request<Incoming>,
    kill: Arc<AtomicBool>,
) -> hyper::Response<Body> {
    let (parts, incoming) = request.into_parts();
    let method = parts.method.as_str().to_owned();
    let raw_path = parts.uri.path().to_owned();
    let query: Vec<(String, String)> = parts.uri.query().map(form_urlencoded).unwrap_or_default();
    let headers: Vec<(String, String)> = parts
        .headers
        .iter()
        .map(|(n, v)| {
            let value = if n == hyper::header::AUTHORIZATION {
                "Bearer <redacted>".to_owned()
            } else {
                String::from_utf8_lossy(v.as_bytes()).into_owned()
            };
            (n.as_str().to_owned(), value)
        })
        .collect();
    let bytes = match Limited::new(incoming, MAX_REQUEST_BODY).collect().await {
        Ok(collected) => Ok(collected.to_bytes()),
        Err(e) => Err(format!("the request body could not be read: {e}")),
    };
    if !shared.latency.is_zero() {
        tokio::time::sleep(shared.latency).await;
    }

    let sequence = shared.sequence.fetch_add(1, Ordering::Relaxed) + 1;
    let mut record = RecordedRequest {
        sequence,
        operation_id: raw_path.strip_prefix(PREFIX).and_then(|p| route(&method, p).ok()).map(|r| r.op.id),
        method: method.clone(),
        path: raw_path.clone(),
        query: query.clone(),
        headers,
        body: None,
        raw_body: String::new(),
        status: 0,
        response_body: None,
    };
    record.raw_body = bytes.as_ref().map(|b| String::from_utf8_lossy(b).into_owned()).unwrap_or_default();
    record.body = bytes.as_ref().ok().and_then(|b| serde_json::from_slice(b).ok());
    // Recorded on arrival, so a request whose client gave up (a delay fault) is still seen.
    shared.log.lock().unwrap_or_else(|p| p.into_inner()).push(record);
    let refused = shared.rate_limit.as_ref().and_then(|l| l.check(&shared.api_keys, &parts.headers));
    let (answer, fault) = match refused {
        Some(r) => (Answer { status: r.status, body: r.body, headers: r.headers }, None),
        None => prepare(&shared, &parts.headers, &method, &raw_path, &query, bytes).await,
    };
    let mut log = shared.log.lock().unwrap_or_else(|p| p.into_inner());
    if let Some(entry) = log.iter_mut().rev().find(|r| r.sequence == sequence) {
        entry.status = answer.status;
        entry.response_body = Some(redacted(entry.operation_id, &answer.body));
    }
    drop(log);

    let Some(fault) = fault else {
        return respond(answer.status, "application/json", full(answer.body.to_string()), &answer.headers);
    };
    let text = answer.body.to_string();
    match fault.kind {
        FaultKind::Status(_) | FaultKind::Delay(_) => {
            respond(answer.status, "application/json", full(text), &fault.headers)
        }
        FaultKind::CloseBeforeResponse => {
            kill.store(true, Ordering::SeqCst);
            respond(500, "application/json", full(""), &[])
        }
        FaultKind::CloseMidBody => {
            let half = Bytes::from(first_half(&text).to_owned());
            let chunks: Vec<Result<Frame<Bytes>, std::io::Error>> = vec![
                Ok(Frame::data(half)),
                Err(std::io::Error::new(std::io::ErrorKind::ConnectionReset, "fake: connection closed mid-body")),
            ];
            respond(
                answer.status,
                "application/json",
                StreamBody::new(futures_util::stream::iter(chunks)).boxed(),
                &fault.headers,
            )
        }
        FaultKind::TruncatedJson => {
            respond(answer.status, "application/json", full(first_half(&text).to_owned()), &fault.headers)
        }
        FaultKind::Html(status) => {
            let page = format!(
                "<!DOCTYPE html>\n<html><head><title>{status} Bad Gateway</title></head>\
                 <body><h1>{status}</h1><p>upstream unavailable (fake proxy page)</p></body></html>\n"
            );
            respond(status, "text/html; charset=utf-8", full(page), &fault.headers)
        }
        FaultKind::WrongContentType => respond(answer.status, "text/plain", full(text), &fault.headers),
        FaultKind::Oversized { status, bytes } => {
            let mut page = String::with_capacity(bytes);
            page.push_str("<html><body>");
            while page.len() < bytes {
                page.push_str("padding ");
            }
            respond(status, "text/html", full(page), &fault.headers)
        }
    }
}

/// Routes, applies the first stage of a fault, authenticates, parses and checks the request, and runs it.
async fn prepare(
    shared: &Shared,
    headers: &hyper::HeaderMap,
    method: &str,
    raw_path: &str,
    query: &[(String, String)],
    bytes: Result<Bytes, String>,
) -> (Answer, Option<Fault>) {
    let Some(path) = raw_path.strip_prefix(PREFIX) else {
        let message = format!("unknown path {raw_path}: the API is served under {PREFIX}");
        return (Answer::failed(ErrorReply { status: 404, message }), None);
    };
    let route = match route(method, path) {
        Ok(route) => route,
        Err(NoRoute::Path) => {
            let message = format!("unknown path {raw_path}: no operation of the spec matches it");
            return (Answer::failed(ErrorReply { status: 404, message }), None);
        }
        Err(NoRoute::Method(allowed)) => {
            let allow = allowed.join(", ");
            let message = format!("method {method} is not allowed on {raw_path}; the spec allows {allow}");
            let mut answer = Answer::failed(ErrorReply { status: 405, message });
            answer.headers.push(("allow".into(), allow));
            return (answer, None);
        }
    };
    let bytes = match bytes {
        Ok(b) => b,
        Err(message) => return (Answer::failed(bad(message)), None),
    };
    let fault =
        shared.faults.lock().unwrap_or_else(|p| p.into_inner()).get_mut(&route.op.id).and_then(|q| q.pop_front());
    if let Some(fault) = &fault {
        match fault.kind {
            FaultKind::Status(status) => {
                let message = super::reason(status);
                let answer = Answer { status, body: error_body(status, message), headers: Vec::new() };
                return (answer, Some(fault.clone()));
            }
            FaultKind::Delay(d) => tokio::time::sleep(d).await,
            FaultKind::CloseBeforeResponse | FaultKind::Html(_) | FaultKind::Oversized { .. } => {
                return (Answer { status: 0, body: Value::Null, headers: Vec::new() }, Some(fault.clone()));
            }
            _ => {}
        }
    }
    if let Some(f) = auth_failure(shared, headers) {
        return (Answer::failed(f), fault);
    }
    let op = route.op;
    let json = if bytes.is_empty() {
        None
    } else {
        match serde_json::from_slice::<Value>(&bytes) {
            Ok(v) => Some(v),
            Err(e) => {
                return (Answer::failed(bad(format!("{}: the request body is not valid JSON: {e}", op.id))), fault);
            }
        }
    };
    if op.request_body.is_some() && json.is_some() {
        let content_type = headers.get(hyper::header::CONTENT_TYPE).and_then(|v| v.to_str().ok()).unwrap_or("");
        if !content_type.starts_with("application/json") {
            let f = bad(format!("{}: Content-Type must be application/json (got {content_type:?})", op.id));
            return (Answer::failed(f), fault);
        }
    } else if op.request_body.is_none() && json.is_some() {
        return (Answer::failed(bad(format!("{}: this operation takes no request body", op.id))), fault);
    }
    let raw = Raw { operation: op, path: &route.params, query, body: json.as_ref() };
    let request = match parse(&raw) {
        Ok(request) => request,
        Err(f) => return (Answer::failed(f), fault),
    };
    let outcome = {
        let mut state = shared.state.lock().unwrap_or_else(|p| p.into_inner());
        dispatch(&mut *state, request)
    };
    let answer = match outcome {
        Ok(body) => Answer { status: op.success_status, body, headers: Vec::new() },
        Err(f) => Answer::failed(f),
    };
    (answer, fault)
}

fn form_urlencoded(query: &str) -> Vec<(String, String)> {
    query
        .split('&')
        .filter(|p| !p.is_empty())
        .map(|pair| {
            let (k, v) = pair.split_once('=').unwrap_or((pair, ""));
            let plus = |s: &str| decode(&s.replace('+', " "));
            (plus(k), plus(v))
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::operation::OperationId;
    use crate::tables::fake::Request;

    #[test]
    fn routes_match_templates_and_decode_segments() {
        let r = route("GET", "/workspaces/a%20b/budgets/monthly").unwrap();
        assert_eq!(r.op.id, OperationId::GetWorkspaceBudget);
        assert_eq!(r.params, vec![("workspace_ref", "a b".to_owned()), ("interval", "monthly".to_owned())]);
        assert_eq!(route("POST", "/workspaces/x/members/add").unwrap().op.id, OperationId::BulkAddWorkspaceMembers);
        assert_eq!(route("POST", "/workspaces/x").unwrap_err(), NoRoute::Method(vec!["GET", "DELETE", "PATCH"]));
        assert_eq!(route("GET", "/nope").unwrap_err(), NoRoute::Path);
        assert_eq!(route("GET", "/workspaces//members").unwrap_err(), NoRoute::Path, "an empty id matches nothing");
    }

    fn raw<'a>(op: &'static Operation, path: &'a [(&'static str, String)], query: &'a [(String, String)]) -> Raw<'a> {
        Raw { operation: op, path, query, body: None }
    }

    #[test]
    fn query_parameters_are_checked_against_the_spec_and_unknown_ones_ignored() {
        let q = |pairs: &[(&str, &str)]| -> Result<(i64, i64), String> {
            let owned: Vec<(String, String)> = pairs.iter().map(|(a, b)| (a.to_string(), b.to_string())).collect();
            match parse(&raw(&operation::LIST_WORKSPACES, &[], &owned)) {
                Ok(Request::ListWorkspaces { offset, limit }) => Ok((offset, limit)),
                Ok(other) => Err(format!("{other:?}")),
                Err(f) => Err(f.message),
            }
        };
        assert_eq!(q(&[("limit", "100"), ("offset", "5")]), Ok((5, 100)));
        assert_eq!(q(&[]), Ok((0, 50)), "the spec's defaults");
        assert_eq!(q(&[("page", "1")]), Ok((0, 50)), "unknown parameters are ignored");
        let empty = q(&[("offset", "")]).unwrap_err();
        assert!(empty.contains("offset=\"\" must be an integer"), "an empty value is a value, not null: {empty}");
        let (min, max) = (crate::limits::LIST_WORKSPACES_LIMIT_MINIMUM, crate::limits::LIST_WORKSPACES_LIMIT_MAXIMUM);
        let range = format!("must be an integer from {min} to {max}");
        let (below, above) = ((min - 1).to_string(), (max + 1).to_string());
        for (bad, says) in [
            (&[("limit", below.as_str())][..], format!("listWorkspaces: query parameter limit=\"{below}\" {range}")),
            (&[("limit", above.as_str())], range.clone()),
            (&[("limit", "x")], format!("listWorkspaces: query parameter limit=\"x\" {range}")),
            (&[("offset", "-1")], "must be an integer from 0 to 9223372036854775807".to_owned()),
            (&[("offset", "9223372036854775808")], "must be an integer from 0 to 9223372036854775807".to_owned()),
            (&[("limit", "1"), ("limit", "2")], "query parameter \"limit\" is repeated".to_owned()),
        ] {
            let e = q(bad).unwrap_err();
            assert!(e.contains(&says), "{bad:?}: {e}");
        }
        let flag = vec![("confirm_default_workspace_deletion".to_owned(), "yes".to_owned())];
        let path = [("id", "x".to_owned())];
        let e = parse(&raw(&operation::DELETE_WORKSPACE, &path, &flag)).unwrap_err();
        assert_eq!(
            e.message,
            "deleteWorkspace: query parameter confirm_default_workspace_deletion=\"yes\" must be true or false"
        );
    }

    #[test]
    fn path_enums_are_strict_on_the_server() {
        let path = [("workspace_ref", "w".to_owned()), ("interval", "hourly".to_owned())];
        let e = parse(&raw(&operation::GET_WORKSPACE_BUDGET, &path, &[])).unwrap_err();
        assert_eq!(
            e.message,
            "getWorkspaceBudget: path parameter interval=\"hourly\" must be one of daily, weekly, monthly, lifetime"
        );
    }

    #[test]
    fn text_is_cut_in_half_at_a_character_boundary() {
        assert_eq!(first_half("abcd"), "ab");
        assert_eq!(first_half("éé"), "é");
        assert_eq!(first_half("aé"), "a");
        assert_eq!(first_half(""), "");
    }
}
