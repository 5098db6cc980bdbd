//! The fake's HTTP layer: routing by the operation table, authentication, strict request checks, injected
//! faults, and the request log. Business rules are in `state.rs`.

use std::convert::Infallible;
use std::sync::Arc;
use std::sync::atomic::{AtomicBool, AtomicU64, Ordering};

use bytes::Bytes;
use http_body_util::combinators::BoxBody;
use http_body_util::{BodyExt, Full, Limited, StreamBody};
use hyper::body::{Frame, Incoming};
use hyper::{Request, Response};
use serde::de::DeserializeOwned;
use serde_json::Value;

use super::state::{Failure, Outcome, bad};
use super::{Fault, FaultKind, RecordedRequest, Shared};
use crate::enums::BudgetInterval;
use crate::operation::{self, Operation};

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
    op: Operation,
    params: Vec<(&'static str, String)>,
}

fn decode(segment: &str) -> String {
    percent_encoding::percent_decode_str(segment).decode_utf8_lossy().into_owned()
}

/// Matches a raw path (after the prefix) against the operation table.
fn route(method: &str, path: &str) -> Result<Route, Failure> {
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
            return Ok(Route { op: *op, params });
        }
        allowed.push(op.method);
    }
    if allowed.is_empty() {
        Err(bad(format!("unknown path {PREFIX}{path}: no operation of the spec matches it")))
    } else {
        Err(bad(format!("method {method} is not allowed on {PREFIX}{path}; the spec allows {}", allowed.join(", "))))
    }
}

fn param<'a>(route: &'a Route, name: &str) -> &'a str {
    route.params.iter().find(|(n, _)| *n == name).map(|(_, v)| v.as_str()).unwrap_or("")
}

/// The query parameters each operation accepts.
fn allowed_query(op: &Operation) -> &'static [&'static str] {
    match op.id {
        "listWorkspaces" | "listWorkspaceMembers" => &["offset", "limit"],
        "deleteWorkspace" => &["confirm_default_workspace_deletion"],
        _ => &[],
    }
}

struct Query {
    offset: usize,
    limit: usize,
    confirm: bool,
}

fn parse_query(op: &Operation, pairs: &[(String, String)]) -> Result<Query, Failure> {
    let allowed = allowed_query(op);
    let mut q = Query { offset: 0, limit: 50, confirm: false };
    for (i, (name, value)) in pairs.iter().enumerate() {
        if !allowed.contains(&name.as_str()) {
            return Err(bad(format!("{}: unknown query parameter {name:?} (allowed: {})", op.id, allowed.join(", "))));
        }
        if pairs[..i].iter().any(|(n, _)| n == name) {
            return Err(bad(format!("{}: query parameter {name:?} is repeated", op.id)));
        }
        let invalid = |rule: &str| bad(format!("{}: query parameter {name}={value:?} {rule}", op.id));
        match name.as_str() {
            "offset" => q.offset = value.parse().map_err(|_| invalid("must be an integer >= 0"))?,
            "limit" => {
                q.limit = value.parse().map_err(|_| invalid("must be an integer from 1 to 100"))?;
                if !(1..=100).contains(&q.limit) {
                    return Err(invalid("must be from 1 to 100"));
                }
            }
            _ => {
                q.confirm = match value.as_str() {
                    "true" => true,
                    "false" => false,
                    _ => return Err(invalid("must be true or false")),
                }
            }
        }
    }
    Ok(q)
}

fn has_body(op: &Operation) -> bool {
    matches!(
        op.id,
        "createWorkspace"
            | "updateWorkspace"
            | "bulkAddWorkspaceMembers"
            | "bulkRemoveWorkspaceMembers"
            | "upsertWorkspaceBudget"
    )
}

fn body<T: DeserializeOwned>(op: &Operation, json: &Option<Value>) -> Result<T, Failure> {
    let value = json.clone().ok_or_else(|| bad(format!("{}: a JSON request body is required", op.id)))?;
    serde_json::from_value(value).map_err(|e| bad(format!("{}: invalid request body: {e}", op.id)))
}

fn interval(route: &Route) -> Result<BudgetInterval, Failure> {
    let raw = param(route, "interval");
    let interval = BudgetInterval::from(raw);
    if interval.is_unknown() {
        return Err(bad(format!(
            "{}: path parameter interval={raw:?} must be one of daily, weekly, monthly, lifetime",
            route.op.id
        )));
    }
    Ok(interval)
}

/// Runs the operation against the state.
fn dispatch(shared: &Shared, route: &Route, query: &Query, json: &Option<Value>) -> Outcome {
    let mut state = shared.state.lock().unwrap_or_else(|p| p.into_inner());
    let id = param(route, "id");
    let workspace_ref = param(route, "workspace_ref");
    let op = &route.op;
    match op.id {
        "listWorkspaces" => state.list_workspaces(query.offset, query.limit),
        "createWorkspace" => state.create_workspace(body(op, json)?),
        "getWorkspace" => state.get_workspace(id),
        "updateWorkspace" => state.update_workspace(id, body(op, json)?),
        "deleteWorkspace" => state.delete_workspace(id, query.confirm),
        "listWorkspaceMembers" => state.list_members(id, query.offset, query.limit),
        "bulkAddWorkspaceMembers" => state.add_members(id, body(op, json)?),
        "bulkRemoveWorkspaceMembers" => state.remove_members(id, body(op, json)?),
        "listWorkspaceBudgets" => state.list_budgets(workspace_ref),
        "getWorkspaceBudget" => state.get_budget(workspace_ref, &interval(route)?),
        "upsertWorkspaceBudget" => state.upsert_budget(workspace_ref, &interval(route)?, body(op, json)?),
        "deleteWorkspaceBudget" => state.delete_budget(workspace_ref, &interval(route)?),
        other => Err(bad(format!("operation {other} is not implemented by the fake"))),
    }
}

/// The operation ids the fake implements (all of [`operation::ALL`]; a contract test holds it to the spec).
pub const IMPLEMENTED: [&str; 12] = [
    "listWorkspaces",
    "createWorkspace",
    "getWorkspace",
    "updateWorkspace",
    "deleteWorkspace",
    "listWorkspaceMembers",
    "bulkAddWorkspaceMembers",
    "bulkRemoveWorkspaceMembers",
    "listWorkspaceBudgets",
    "getWorkspaceBudget",
    "upsertWorkspaceBudget",
    "deleteWorkspaceBudget",
];

fn error_body(status: u16, message: &str) -> Value {
    serde_json::json!({ "error": { "code": status, "message": message } })
}

fn auth_failure(shared: &Shared, headers: &hyper::HeaderMap) -> Option<Failure> {
    let value = headers.get(hyper::header::AUTHORIZATION).and_then(|v| v.to_str().ok());
    let Some(value) = value else {
        return Some(Failure { status: 401, message: "Missing Authentication header".into() });
    };
    let key = value.get(..7).filter(|p| p.eq_ignore_ascii_case("bearer ")).map(|_| value[7..].trim());
    match key {
        Some(key) if shared.api_keys.iter().any(|k| k == key) => None,
        _ => Some(Failure { status: 401, message: "Invalid API key".into() }),
    }
}

/// What the fake answers, before faults that alter the wire are applied.
struct Answer {
    status: u16,
    body: Value,
}

fn answer_of(route: &Route, outcome: Outcome) -> Answer {
    match outcome {
        Ok(body) => Answer { status: if route.op.id == "createWorkspace" { 201 } else { 200 }, body },
        Err(f) => Answer { status: f.status, body: error_body(f.status, &f.message) },
    }
}

static REQUEST_IDS: AtomicU64 = AtomicU64::new(1);

fn respond(status: u16, content_type: &str, body: Body, extra: &[(String, String)]) -> Response<Body> {
    let mut response = Response::new(body);
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

/// Handles one request. `kill` closes the connection without writing anything more when set.
pub(crate) async fn handle(shared: Arc<Shared>, request: Request<Incoming>, kill: Arc<AtomicBool>) -> Response<Body> {
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
        operation_id: route(&method, raw_path.strip_prefix(PREFIX).unwrap_or("")).ok().map(|r| r.op.id),
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
    let (answer, fault) = prepare(&shared, &parts.headers, &method, &raw_path, &query, bytes).await;
    let mut log = shared.log.lock().unwrap_or_else(|p| p.into_inner());
    if let Some(entry) = log.iter_mut().rev().find(|r| r.sequence == sequence) {
        entry.status = answer.status;
        entry.response_body = Some(answer.body.clone());
    }
    drop(log);

    let Some(fault) = fault else {
        return respond(answer.status, "application/json", full(answer.body.to_string()), &[]);
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
            let half = Bytes::from(text.into_bytes());
            let first = half.slice(..half.len() / 2);
            let chunks: Vec<Result<Frame<Bytes>, std::io::Error>> = vec![
                Ok(Frame::data(first)),
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
            let cut = text.len() / 2;
            respond(answer.status, "application/json", full(text[..cut].to_owned()), &fault.headers)
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

/// Routes, records, applies the first stage of a fault, authenticates, checks and runs the request.
async fn prepare(
    shared: &Shared,
    headers: &hyper::HeaderMap,
    method: &str,
    raw_path: &str,
    query: &[(String, String)],
    bytes: Result<Bytes, String>,
) -> (Answer, Option<Fault>) {
    let fail = |f: Failure| Answer { status: f.status, body: error_body(f.status, &f.message) };
    let Some(path) = raw_path.strip_prefix(PREFIX) else {
        return (fail(bad(format!("unknown path {raw_path}: the API is served under {PREFIX}"))), None);
    };
    let route = match route(method, path) {
        Ok(route) => route,
        Err(f) => return (fail(f), None),
    };
    let bytes = match bytes {
        Ok(b) => b,
        Err(message) => return (fail(bad(message)), None),
    };
    let fault =
        shared.faults.lock().unwrap_or_else(|p| p.into_inner()).get_mut(route.op.id).and_then(|q| q.pop_front());
    if let Some(fault) = &fault {
        match fault.kind {
            FaultKind::Status(status) => {
                let message = super::reason(status);
                return (Answer { status, body: error_body(status, message) }, Some(fault.clone()));
            }
            FaultKind::Delay(d) => tokio::time::sleep(d).await,
            FaultKind::CloseBeforeResponse | FaultKind::Html(_) | FaultKind::Oversized { .. } => {
                return (Answer { status: 0, body: Value::Null }, Some(fault.clone()));
            }
            _ => {}
        }
    }
    if let Some(f) = auth_failure(shared, headers) {
        return (fail(f), fault);
    }
    let json = if bytes.is_empty() {
        None
    } else {
        match serde_json::from_slice::<Value>(&bytes) {
            Ok(v) => Some(v),
            Err(e) => return (fail(bad(format!("{}: the request body is not valid JSON: {e}", route.op.id))), fault),
        }
    };
    if has_body(&route.op) {
        let content_type = headers.get(hyper::header::CONTENT_TYPE).and_then(|v| v.to_str().ok()).unwrap_or("");
        if !content_type.starts_with("application/json") {
            let f = bad(format!("{}: Content-Type must be application/json (got {content_type:?})", route.op.id));
            return (fail(f), fault);
        }
    } else if json.is_some() {
        return (fail(bad(format!("{}: this operation takes no request body", route.op.id))), fault);
    }
    let query = match parse_query(&route.op, query) {
        Ok(q) => q,
        Err(f) => return (fail(f), fault),
    };
    (answer_of(&route, dispatch(shared, &route, &query, &json)), fault)
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

    #[test]
    fn routes_match_templates_and_decode_segments() {
        let r = route("GET", "/workspaces/a%20b/budgets/monthly").unwrap();
        assert_eq!(r.op.id, "getWorkspaceBudget");
        assert_eq!(r.params, vec![("workspace_ref", "a b".to_owned()), ("interval", "monthly".to_owned())]);
        assert_eq!(route("POST", "/workspaces/x/members/add").unwrap().op.id, "bulkAddWorkspaceMembers");
        let e = route("POST", "/workspaces/x").unwrap_err();
        assert!(
            e.message.contains("method POST is not allowed") && e.message.contains("GET, PATCH, DELETE"),
            "{}",
            e.message
        );
        assert!(route("GET", "/nope").unwrap_err().message.contains("unknown path"));
        assert!(route("GET", "/workspaces//members").is_err(), "an empty id matches nothing");
    }

    #[test]
    fn query_parameters_are_checked_strictly() {
        let list = operation::LIST_WORKSPACES;
        let q = |pairs: &[(&str, &str)]| {
            let owned: Vec<(String, String)> = pairs.iter().map(|(a, b)| (a.to_string(), b.to_string())).collect();
            parse_query(&list, &owned)
        };
        assert_eq!(q(&[("limit", "100"), ("offset", "5")]).map(|q| (q.offset, q.limit)).ok(), Some((5, 100)));
        for bad in [
            &[("limit", "0")][..],
            &[("limit", "101")],
            &[("limit", "x")],
            &[("offset", "-1")],
            &[("page", "1")],
            &[("limit", "1"), ("limit", "2")],
        ] {
            assert!(q(bad).is_err(), "{bad:?}");
        }
        let delete = operation::DELETE_WORKSPACE;
        let flag = vec![("confirm_default_workspace_deletion".to_owned(), "yes".to_owned())];
        assert!(parse_query(&delete, &flag).is_err());
    }
}
