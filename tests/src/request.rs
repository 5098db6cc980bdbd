//! Judging a request: routing it to an operation of the spec, then its path, query, headers, security and body.

use openrouter_workspaces::fake::RecordedRequest;
use serde_json::{Map, Value};

use crate::spec::{Credential, Parameter, RequestBody, Spec, SpecOperation, is_json};
use crate::{STANDARD_HEADERS, collect, convert};

/// A path matched to an operation of the spec.
#[derive(Debug)]
pub struct Route<'a> {
    /// The operation.
    pub operation: &'a SpecOperation,
    /// Its path parameters, by name, with their raw (still percent-encoded) values.
    pub params: Vec<(String, String)>,
}

/// An HTTP request to judge: what a client sent, as the server saw it.
#[derive(Clone, Debug, Default, PartialEq)]
pub struct HttpRequest {
    /// The method, e.g. `GET`.
    pub method: String,
    /// The raw (percent-encoded) path, including the server's base path, e.g. `/api/v1/workspaces/a%20b`.
    pub path: String,
    /// The query parameters, decoded, in order.
    pub query: Vec<(String, String)>,
    /// The headers, in order (names in any case).
    pub headers: Vec<(String, String)>,
    /// The body as sent (empty when there was none).
    pub body: String,
}

impl HttpRequest {
    /// A request with no query, headers or body.
    pub fn new(method: &str, path: &str) -> Self {
        HttpRequest { method: method.into(), path: path.into(), ..HttpRequest::default() }
    }

    /// Adds a query parameter.
    pub fn query(mut self, name: &str, value: &str) -> Self {
        self.query.push((name.into(), value.into()));
        self
    }

    /// Adds a header.
    pub fn header(mut self, name: &str, value: &str) -> Self {
        self.headers.push((name.into(), value.into()));
        self
    }

    /// Sets a JSON body and its `content-type`.
    pub fn json(self, body: &Value) -> Self {
        let mut r = self.header("content-type", "application/json");
        r.body = body.to_string();
        r
    }

    /// The value of a header (case-insensitive name).
    pub fn header_value(&self, name: &str) -> Option<&str> {
        self.headers.iter().find(|(n, _)| n.eq_ignore_ascii_case(name)).map(|(_, v)| v.as_str())
    }
}

impl From<&RecordedRequest> for HttpRequest {
    fn from(r: &RecordedRequest) -> Self {
        HttpRequest {
            method: r.method.clone(),
            path: r.path.clone(),
            query: r.query.clone(),
            headers: r.headers.clone(),
            body: r.raw_body.clone(),
        }
    }
}

impl Spec {
    /// Finds the operation for a method and a path under the base path (`/workspaces/abc`), with the raw
    /// (still percent-encoded) values of its path parameters. A template with more literal segments wins.
    ///
    /// # Errors
    /// A sentence: no template matches, or one matches but not with this method.
    pub fn route(&self, method: &str, path: &str) -> Result<Route<'_>, String> {
        let segments: Vec<&str> = path.strip_prefix('/').unwrap_or("\u{0}").split('/').collect();
        let mut best: Option<(Route<'_>, usize)> = None;
        let mut methods = Vec::new();
        for op in &self.operations {
            let template: Vec<&str> = op.path.trim_start_matches('/').split('/').collect();
            if template.len() != segments.len() {
                continue;
            }
            let mut params = Vec::new();
            let mut literals = 0;
            let matched = template.iter().zip(&segments).all(|(t, s)| {
                match t.strip_prefix('{').and_then(|n| n.strip_suffix('}')) {
                    Some(name) if !s.is_empty() => {
                        params.push((name.to_owned(), (*s).to_owned()));
                        true
                    }
                    Some(_) => false,
                    None => {
                        literals += 1;
                        t == s
                    }
                }
            });
            if !matched {
                continue;
            }
            if !op.method.eq_ignore_ascii_case(method) {
                methods.push(op.method.as_str());
                continue;
            }
            if best.as_ref().is_none_or(|(_, l)| literals > *l) {
                best = Some((Route { operation: op, params }, literals));
            }
        }
        match best {
            Some((route, _)) => Ok(route),
            None if methods.is_empty() => Err(format!("{method} {path}: no path template of the spec matches")),
            None => {
                Err(format!("{method} {path}: method not in the spec for this path (it has {})", methods.join(", ")))
            }
        }
    }

    /// Checks a request against its operation: the path (a template of the spec, each parameter properly
    /// percent-encoded, no dot segment, valid against its schema), the query (only defined parameters, no repeats,
    /// each valid, the required ones present), the headers (the security scheme's credential, defined header
    /// parameters valid, required ones present, nothing but [`STANDARD_HEADERS`] besides), and the body (present
    /// when required, only where one is defined, with a `Content-Type` the operation accepts, valid against its
    /// schema).
    ///
    /// # Errors
    /// Every violation found, each naming the operation.
    pub fn validate_request(&self, request: &HttpRequest) -> Result<&SpecOperation, Vec<String>> {
        let Some(rel) = request.path.strip_prefix(self.base_path.as_str()) else {
            return Err(vec![format!(
                "{} {}: not under the spec's base path {:?}",
                request.method, request.path, self.base_path
            )]);
        };
        let Route { operation: op, params: raw_params } = self.route(&request.method, rel).map_err(|e| vec![e])?;
        let id = op.id.as_str();
        let mut errors = Vec::new();

        for (name, raw) in &raw_params {
            let context = format!("{id} path parameter {name}");
            if let Err(e) = check_segment(raw) {
                errors.push(format!("{context}: {raw:?} {e}"));
                continue;
            }
            let decoded = match percent_encoding::percent_decode_str(raw).decode_utf8() {
                Ok(d) => d.into_owned(),
                Err(_) => {
                    errors.push(format!("{context}: {raw:?} does not decode to UTF-8"));
                    continue;
                }
            };
            if decoded == "." || decoded == ".." {
                errors.push(format!("{context}: {raw:?} is a dot segment, which URL normalisation removes"));
            }
            match op.parameter(name, "path") {
                Some(p) => collect(&mut errors, p.checker.check_scalar(&coerce(&decoded, p, &self.defs), &context)),
                None => errors.push(format!("{context}: the template names it but the operation does not define it")),
            }
        }

        let query_credentials: Vec<&str> = op
            .security
            .iter()
            .flatten()
            .filter_map(|c| match c {
                Credential::Query { name } => Some(name.as_str()),
                _ => None,
            })
            .collect();
        for (i, (name, value)) in request.query.iter().enumerate() {
            let context = format!("{id} query parameter {name}");
            if request.query[..i].iter().any(|(n, _)| n == name) {
                errors.push(format!("{context}: sent more than once"));
                continue;
            }
            match op.parameter(name, "query") {
                Some(p) => collect(&mut errors, p.checker.check_scalar(&coerce(value, p, &self.defs), &context)),
                None if query_credentials.contains(&name.as_str()) => {}
                None => {
                    let defined: Vec<&str> =
                        op.parameters.iter().filter(|p| p.location == "query").map(|p| p.name.as_str()).collect();
                    errors.push(format!("{context}: not defined by the spec (defined: {})", list(&defined)));
                }
            }
        }
        for p in op.parameters.iter().filter(|p| p.location == "query" && p.required) {
            if !request.query.iter().any(|(n, _)| n == &p.name) {
                errors.push(format!("{id} query parameter {}: required but missing", p.name));
            }
        }

        self.check_headers(op, request, &mut errors);
        check_body(op, request, &mut errors);
        if errors.is_empty() { Ok(op) } else { Err(errors) }
    }

    fn check_headers(&self, op: &SpecOperation, request: &HttpRequest, errors: &mut Vec<String>) {
        let id = op.id.as_str();
        let mut credential_headers = vec!["authorization".to_owned()];
        let mut unmet = Vec::new();
        for alternative in &op.security {
            let mut missing = Vec::new();
            for credential in alternative {
                match credential {
                    Credential::Http { scheme } => {
                        let value = request.header_value("authorization").unwrap_or("");
                        let ok = value
                            .split_once(' ')
                            .is_some_and(|(s, token)| s.eq_ignore_ascii_case(scheme) && !token.trim().is_empty());
                        if !ok {
                            missing.push(format!("header Authorization: missing or not `{scheme} <token>`"));
                        }
                    }
                    Credential::Header { name } => {
                        credential_headers.push(name.to_ascii_lowercase());
                        if request.header_value(name).is_none_or(str::is_empty) {
                            missing.push(format!("header {name}: missing"));
                        }
                    }
                    Credential::Query { name } => {
                        if !request.query.iter().any(|(n, _)| n == name) {
                            missing.push(format!("query parameter {name}: missing"));
                        }
                    }
                }
            }
            if missing.is_empty() {
                unmet.clear();
                break;
            }
            unmet.push(missing.join(" and "));
        }
        if !unmet.is_empty() {
            errors.push(format!("{id} credentials: the spec requires one of: {}", unmet.join("; or ")));
        }
        for p in op.parameters.iter().filter(|p| p.location == "header") {
            match request.header_value(&p.name) {
                Some(value) => collect(
                    errors,
                    p.checker.check_scalar(&coerce(value, p, &self.defs), &format!("{id} header {}", p.name)),
                ),
                None if p.required => errors.push(format!("{id} header {}: required but missing", p.name)),
                None => {}
            }
        }
        for (name, _) in &request.headers {
            let lower = name.to_ascii_lowercase();
            let known = STANDARD_HEADERS.contains(&lower.as_str())
                || credential_headers.contains(&lower)
                || op.parameter(name, "header").is_some();
            if !known {
                errors.push(format!("{id} header {name}: not defined by the spec"));
            }
        }
    }
}

/// Checks that a raw path segment is fully percent-encoded: only RFC 3986 `pchar`s and `%XX` escapes.
fn check_segment(raw: &str) -> Result<(), String> {
    let bytes = raw.as_bytes();
    let mut i = 0;
    while i < bytes.len() {
        let b = bytes[i];
        if b == b'%' {
            let hex = |j: usize| bytes.get(j).is_some_and(u8::is_ascii_hexdigit);
            if !(hex(i + 1) && hex(i + 2)) {
                return Err("has a `%` that starts no valid escape".into());
            }
            i += 3;
            continue;
        }
        let allowed = b.is_ascii_alphanumeric() || b"-._~!$&'()*+,;=:@".contains(&b);
        if !allowed {
            return Err(format!("has {:?}, which must be percent-encoded", char::from(b)));
        }
        i += 1;
    }
    Ok(())
}

/// Turns a parameter's text into the JSON value its schema expects (`"5"` to `5` for an integer); text that does
/// not parse stays a string, so the schema reports the wrong type.
fn coerce(text: &str, parameter: &Parameter, defs: &Map<String, Value>) -> Value {
    let mut schema = parameter.checker.schema();
    if let Some(name) = schema.get("$ref").and_then(Value::as_str).and_then(|r| r.strip_prefix(convert::DEFS_REF)) {
        schema = defs.get(name).unwrap_or(schema);
    }
    let primary = match schema.get("type") {
        Some(Value::String(t)) => t.as_str(),
        Some(Value::Array(ts)) => ts.iter().filter_map(Value::as_str).find(|t| *t != "null").unwrap_or("string"),
        _ => "string",
    };
    let parsed = match primary {
        "integer" | "number" => serde_json::from_str::<serde_json::Number>(text).ok().map(Value::Number),
        "boolean" => match text {
            "true" => Some(Value::Bool(true)),
            "false" => Some(Value::Bool(false)),
            _ => None,
        },
        _ => None,
    };
    parsed.unwrap_or_else(|| Value::String(text.to_owned()))
}

fn check_body(op: &SpecOperation, request: &HttpRequest, errors: &mut Vec<String>) {
    let id = op.id.as_str();
    let context = format!("{id} request body");
    let sent = !request.body.is_empty();
    let Some(RequestBody { required, content }) = &op.request_body else {
        if sent {
            errors.push(format!("{context}: the spec defines none, but {} bytes were sent", request.body.len()));
        }
        return;
    };
    if !sent {
        if *required {
            errors.push(format!("{context}: required but missing"));
        }
        return;
    }
    let Some(content_type) = request.header_value("content-type") else {
        errors.push(format!("{id} header Content-Type: missing on a request with a body"));
        return;
    };
    let media_type = content_type.split(';').next().unwrap_or("").trim().to_ascii_lowercase();
    let Some(media) = content.iter().find(|c| c.media_type.eq_ignore_ascii_case(&media_type)) else {
        let accepted: Vec<&str> = content.iter().map(|c| c.media_type.as_str()).collect();
        errors.push(format!("{id} header Content-Type: {content_type:?} is not one of {}", list(&accepted)));
        return;
    };
    if !is_json(&media.media_type) {
        return;
    }
    match serde_json::from_str::<Value>(&request.body) {
        Err(e) => errors.push(format!("{context}: not valid JSON ({e})")),
        Ok(value) => {
            if let Some(checker) = &media.checker {
                collect(errors, checker.check(&value, &context));
            }
        }
    }
}

pub(crate) fn list(items: &[&str]) -> String {
    if items.is_empty() { "none".to_owned() } else { items.join(", ") }
}
