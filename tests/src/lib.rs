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

pub mod convert;

use std::collections::BTreeSet;
use std::sync::OnceLock;

use openrouter_workspaces::fake::RecordedRequest;
use serde_json::{Map, Value};

use crate::convert::Objects;

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

/// A compiled JSON Schema and the converted schema it came from.
pub struct Checker {
    schema: Value,
    validator: jsonschema::Validator,
}

impl std::fmt::Debug for Checker {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Checker").field("schema", &self.schema).finish_non_exhaustive()
    }
}

impl Checker {
    /// Compiles a converted schema, with the converted components as `$defs`.
    ///
    /// # Errors
    /// When the schema is not valid JSON Schema.
    pub fn new(converted: &Value, defs: &Map<String, Value>) -> Result<Checker, String> {
        let validator = jsonschema::options()
            .with_draft(jsonschema::Draft::Draft202012)
            .should_validate_formats(true)
            .should_ignore_unknown_formats(true)
            .build(&convert::bundle(converted, defs))
            .map_err(|e| format!("invalid JSON Schema {converted}: {e}"))?;
        Ok(Checker { schema: converted.clone(), validator })
    }

    /// The converted schema (without `$defs`).
    pub fn schema(&self) -> &Value {
        &self.schema
    }

    /// Checks `value`; each violation is `"{context}: {pointer}: {what}"` (pointer `(root)` for the value itself).
    pub fn check(&self, value: &Value, context: &str) -> Result<(), Vec<String>> {
        let errors: Vec<String> = self
            .validator
            .iter_errors(value)
            .map(|e| {
                let pointer = e.instance_path().to_string();
                let pointer = if pointer.is_empty() { "(root)".to_owned() } else { pointer };
                format!("{context}: {pointer}: {e}")
            })
            .collect();
        if errors.is_empty() { Ok(()) } else { Err(errors) }
    }

    /// Checks a scalar (a path, query or header parameter); violations are `"{context}: {what}"`.
    pub fn check_scalar(&self, value: &Value, context: &str) -> Result<(), Vec<String>> {
        let errors: Vec<String> = self.validator.iter_errors(value).map(|e| format!("{context}: {e}")).collect();
        if errors.is_empty() { Ok(()) } else { Err(errors) }
    }
}

/// One parameter of an operation.
#[derive(Debug)]
pub struct Parameter {
    /// Its name, e.g. `limit`.
    pub name: String,
    /// Where it goes: `path`, `query`, `header` or `cookie`.
    pub location: String,
    /// Whether it must be sent.
    pub required: bool,
    /// Its schema, converted.
    pub checker: Checker,
}

/// One media type of a request or response body, and its schema if it has one.
#[derive(Debug)]
pub struct Content {
    /// The media type, e.g. `application/json`.
    pub media_type: String,
    /// Its schema, converted.
    pub checker: Option<Checker>,
}

/// The request body of an operation.
#[derive(Debug)]
pub struct RequestBody {
    /// Whether it must be sent.
    pub required: bool,
    /// Its media types.
    pub content: Vec<Content>,
}

/// One documented response of an operation.
#[derive(Debug)]
pub struct Response {
    /// The status key as the spec writes it: `200`, `4XX` or `default`.
    pub status: String,
    /// Its media types.
    pub content: Vec<Content>,
}

/// What an operation requires to authenticate: one of `alternatives`, each a set of schemes that must all be met.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Credential {
    /// `Authorization: <scheme> <token>` (OpenAPI `type: http`), e.g. `Bearer`.
    Http {
        /// The scheme, lower case, e.g. `bearer`.
        scheme: String,
    },
    /// An API key in a header (OpenAPI `type: apiKey, in: header`).
    Header {
        /// The header's name.
        name: String,
    },
    /// An API key in the query string.
    Query {
        /// The parameter's name.
        name: String,
    },
}

/// One operation of the spec.
#[derive(Debug)]
pub struct SpecOperation {
    /// The operationId, e.g. `getWorkspace`.
    pub id: String,
    /// The method, upper case.
    pub method: String,
    /// The path template, e.g. `/workspaces/{id}`.
    pub path: String,
    /// Its parameters (path-level ones merged in).
    pub parameters: Vec<Parameter>,
    /// Whether it has a request body, and whether the body is required.
    pub request_body: Option<RequestBody>,
    /// Its documented responses.
    pub responses: Vec<Response>,
    /// The credentials it accepts: any one alternative, all credentials of it (empty: anonymous allowed).
    pub security: Vec<Vec<Credential>>,
}

impl SpecOperation {
    /// The parameter with this name in this location.
    pub fn parameter(&self, name: &str, location: &str) -> Option<&Parameter> {
        self.parameters.iter().find(|p| p.location == location && p.name.eq_ignore_ascii_case(name))
    }

    /// The documented response for a status: the exact code, else its range (`4XX`), else `default`.
    pub fn response(&self, status: u16) -> Option<&Response> {
        let exact = status.to_string();
        let range = format!("{}XX", status / 100);
        self.responses
            .iter()
            .find(|r| r.status == exact)
            .or_else(|| self.responses.iter().find(|r| r.status.eq_ignore_ascii_case(&range)))
            .or_else(|| self.responses.iter().find(|r| r.status == "default"))
    }

    /// The documented statuses, as the spec writes them.
    pub fn documented_statuses(&self) -> Vec<&str> {
        self.responses.iter().map(|r| r.status.as_str()).collect()
    }

    /// The JSON schema of the error body: that of the first documented 4XX/5XX (or `default`) response.
    pub fn error_checker(&self) -> Option<&Checker> {
        self.responses
            .iter()
            .filter(|r| r.status == "default" || r.status.starts_with('4') || r.status.starts_with('5'))
            .find_map(|r| json_content(&r.content))
    }
}

fn json_content(content: &[Content]) -> Option<&Checker> {
    content.iter().find(|c| is_json(&c.media_type)).and_then(|c| c.checker.as_ref())
}

fn is_json(media_type: &str) -> bool {
    let m = media_type.to_ascii_lowercase();
    m == "application/json" || (m.starts_with("application/") && m.ends_with("+json"))
}

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

/// The spec, with everything needed to judge requests and responses compiled.
pub struct Spec {
    document: Value,
    base_path: String,
    defs: Map<String, Value>,
    components: Vec<(String, Checker)>,
    operations: Vec<SpecOperation>,
}

/// The methods of a Path Item, in the order operations are listed (paths themselves come sorted).
const METHODS: [&str; 8] = ["get", "post", "put", "patch", "delete", "head", "options", "trace"];

/// Follows `$ref`s (local JSON pointers) until a node that is not a reference.
fn resolve<'a>(document: &'a Value, node: &'a Value) -> Result<&'a Value, String> {
    let mut current = node;
    for _ in 0..16 {
        let Some(reference) = current.get("$ref").and_then(Value::as_str) else { return Ok(current) };
        let pointer =
            reference.strip_prefix('#').ok_or_else(|| format!("only local references are supported: {reference:?}"))?;
        current = document.pointer(pointer).ok_or_else(|| format!("reference {reference:?} points at nothing"))?;
    }
    Err(format!("a chain of $ref too long at {node}"))
}

impl std::fmt::Debug for Spec {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Spec")
            .field("base_path", &self.base_path)
            .field("operations", &self.operation_ids())
            .finish_non_exhaustive()
    }
}

impl Spec {
    /// The spec at [`SPEC_PATH`], loaded and compiled once.
    ///
    /// # Panics
    /// When the file cannot be read or is not a spec this library can use (the message says why).
    pub fn get() -> &'static Spec {
        static SPEC: OnceLock<Spec> = OnceLock::new();
        SPEC.get_or_init(|| {
            let text = std::fs::read_to_string(SPEC_PATH).unwrap_or_else(|e| panic!("cannot read {SPEC_PATH}: {e}"));
            Spec::from_yaml(&text).unwrap_or_else(|e| panic!("{SPEC_PATH}: {e}"))
        })
    }

    /// Parses and compiles an OpenAPI 3.0 document (YAML or JSON).
    ///
    /// # Errors
    /// A sentence saying what in the document cannot be used, with its JSON pointer.
    pub fn from_yaml(text: &str) -> Result<Spec, String> {
        let document: Value = serde_yaml::from_str(text).map_err(|e| format!("not YAML: {e}"))?;
        let version = document.get("openapi").and_then(Value::as_str).unwrap_or("");
        if !version.starts_with("3.0.") {
            return Err(format!("/openapi: expected an OpenAPI 3.0.x document, found {version:?}"));
        }
        let empty = Map::new();
        let schemas = document.pointer("/components/schemas").and_then(Value::as_object).unwrap_or(&empty);
        let defs = convert::convert_components(schemas, Objects::Strict)?;
        let components = defs
            .iter()
            .map(|(name, _)| {
                let reference =
                    serde_json::json!({ "$ref": format!("{}{}", convert::DEFS_REF, convert::escape_token(name)) });
                Ok((name.clone(), Checker::new(&reference, &defs)?))
            })
            .collect::<Result<Vec<_>, String>>()?;
        let base_path = document
            .pointer("/servers/0/url")
            .and_then(Value::as_str)
            .map(|url| {
                let without_scheme = url.split_once("://").map_or(url, |(_, rest)| rest);
                let path = without_scheme.find('/').map_or("", |i| &without_scheme[i..]);
                path.trim_end_matches('/').to_owned()
            })
            .unwrap_or_default();
        let mut spec = Spec { document, base_path, defs, components, operations: Vec::new() };
        spec.operations = spec.load_operations()?;
        Ok(spec)
    }

    fn load_operations(&self) -> Result<Vec<SpecOperation>, String> {
        let doc = &self.document;
        let paths = doc.get("paths").and_then(Value::as_object).ok_or("/paths: missing")?;
        let mut out = Vec::new();
        for (path, item) in paths {
            let item_at = format!("/paths/{}", convert::escape_token(path));
            let item = resolve(doc, item)?;
            for method in METHODS {
                let Some(op) = item.get(method) else { continue };
                let at = format!("{item_at}/{method}");
                let id = op.get("operationId").and_then(Value::as_str).ok_or(format!("{at}: no operationId"))?;
                let mut parameters: Vec<Parameter> = Vec::new();
                let lists = [item.get("parameters"), op.get("parameters")];
                for (level, list) in lists.iter().enumerate() {
                    for (i, p) in list.and_then(Value::as_array).into_iter().flatten().enumerate() {
                        let p_at = format!("{}/parameters/{i}", if level == 0 { &item_at } else { &at });
                        let p = resolve(doc, p).map_err(|e| format!("{p_at}: {e}"))?;
                        let parameter = self.parameter(p, &p_at)?;
                        parameters.retain(|q| !(q.name == parameter.name && q.location == parameter.location));
                        parameters.push(parameter);
                    }
                }
                let request_body = match op.get("requestBody") {
                    None => None,
                    Some(rb) => {
                        let rb = resolve(doc, rb)?;
                        let required = rb.get("required").and_then(Value::as_bool).unwrap_or(false);
                        let content = self.content(rb.get("content"), &format!("{at}/requestBody/content"))?;
                        Some(RequestBody { required, content })
                    }
                };
                let mut responses = Vec::new();
                for (status, r) in
                    op.get("responses").and_then(Value::as_object).ok_or(format!("{at}: no responses"))?
                {
                    let r_at = format!("{at}/responses/{status}");
                    let r = resolve(doc, r).map_err(|e| format!("{r_at}: {e}"))?;
                    responses.push(Response {
                        status: status.clone(),
                        content: self.content(r.get("content"), &format!("{r_at}/content"))?,
                    });
                }
                let security = self.security(op.get("security").or(doc.get("security")), &at)?;
                out.push(SpecOperation {
                    id: id.to_owned(),
                    method: method.to_ascii_uppercase(),
                    path: path.clone(),
                    parameters,
                    request_body,
                    responses,
                    security,
                });
            }
        }
        Ok(out)
    }

    fn parameter(&self, p: &Value, at: &str) -> Result<Parameter, String> {
        let name = p.get("name").and_then(Value::as_str).ok_or(format!("{at}: no name"))?;
        let location = p.get("in").and_then(Value::as_str).ok_or(format!("{at}: no `in`"))?;
        let schema = p.get("schema").ok_or(format!("{at}: no schema (content-style parameters are not supported)"))?;
        let converted = convert::convert(schema, Objects::Strict, &format!("{at}/schema"))?;
        Ok(Parameter {
            name: name.to_owned(),
            location: location.to_owned(),
            required: location == "path" || p.get("required").and_then(Value::as_bool).unwrap_or(false),
            checker: Checker::new(&converted, &self.defs)?,
        })
    }

    fn content(&self, content: Option<&Value>, at: &str) -> Result<Vec<Content>, String> {
        let mut out = Vec::new();
        for (media_type, media) in content.and_then(Value::as_object).into_iter().flatten() {
            let checker = match media.get("schema") {
                None => None,
                Some(schema) => {
                    let here = format!("{at}/{}/schema", convert::escape_token(media_type));
                    Some(Checker::new(&convert::convert(schema, Objects::Strict, &here)?, &self.defs)?)
                }
            };
            out.push(Content { media_type: media_type.clone(), checker });
        }
        Ok(out)
    }

    fn security(&self, requirements: Option<&Value>, at: &str) -> Result<Vec<Vec<Credential>>, String> {
        let Some(requirements) = requirements.and_then(Value::as_array) else { return Ok(Vec::new()) };
        let mut alternatives = Vec::new();
        for requirement in requirements {
            let mut all = Vec::new();
            for name in requirement.as_object().into_iter().flatten().map(|(k, _)| k) {
                let pointer = format!("/components/securitySchemes/{}", convert::escape_token(name));
                let scheme =
                    self.document.pointer(&pointer).ok_or(format!("{at}: unknown security scheme {name:?}"))?;
                let field = |k: &str| scheme.get(k).and_then(Value::as_str).unwrap_or("").to_owned();
                all.push(match (field("type").as_str(), field("in").as_str()) {
                    ("http", _) => Credential::Http { scheme: field("scheme").to_ascii_lowercase() },
                    ("apiKey", "header") => Credential::Header { name: field("name") },
                    ("apiKey", "query") => Credential::Query { name: field("name") },
                    (t, _) => return Err(format!("{pointer}: security scheme type {t:?} is not supported")),
                });
            }
            alternatives.push(all);
        }
        Ok(alternatives)
    }

    /// Follows a node's `$ref`s (local JSON pointers) in the document to the node they name.
    ///
    /// # Errors
    /// When a reference is not local or points at nothing.
    pub fn resolve<'a>(&'a self, node: &'a Value) -> Result<&'a Value, String> {
        resolve(&self.document, node)
    }

    /// The document as JSON.
    pub fn document(&self) -> &Value {
        &self.document
    }

    /// The base path of the first server (`/api/v1`); request paths start with it.
    pub fn base_path(&self) -> &str {
        &self.base_path
    }

    /// The converted component schemas (the `$defs` of every compiled schema).
    pub fn defs(&self) -> &Map<String, Value> {
        &self.defs
    }

    /// Every operation, by path (sorted) then method (GET, POST, PUT, PATCH, DELETE, ...).
    pub fn operations(&self) -> &[SpecOperation] {
        &self.operations
    }

    /// The operationIds.
    pub fn operation_ids(&self) -> BTreeSet<&str> {
        self.operations.iter().map(|o| o.id.as_str()).collect()
    }

    /// The operation with this operationId.
    pub fn operation(&self, id: &str) -> Option<&SpecOperation> {
        self.operations.iter().find(|o| o.id == id)
    }

    /// The names of `components/schemas`.
    pub fn schema_names(&self) -> Vec<&str> {
        self.components.iter().map(|(n, _)| n.as_str()).collect()
    }

    /// Validates a value against a component schema (`components/schemas/{name}`), strictly.
    pub fn validate_component(&self, name: &str, value: &Value, context: &str) -> Result<(), Vec<String>> {
        match self.components.iter().find(|(n, _)| n == name) {
            Some((_, checker)) => checker.check(value, context),
            None => Err(vec![format!("{context}: the spec has no schema {name:?}")]),
        }
    }

    /// Validates a value against any OpenAPI schema of this document (converted on the fly), strictly. `at` is
    /// the schema's pointer, for conversion errors.
    pub fn validate_openapi_schema(
        &self,
        schema: &Value,
        at: &str,
        value: &Value,
        context: &str,
    ) -> Result<(), Vec<String>> {
        let converted = convert::convert(schema, Objects::Strict, at).map_err(|e| vec![e])?;
        Checker::new(&converted, &self.defs).map_err(|e| vec![e])?.check(value, context)
    }

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

    /// Checks a response: its status must be documented for the operation, and its body must be valid against
    /// that status's schema (or absent where the spec defines none).
    ///
    /// # Errors
    /// Every violation found, each naming the operation and the status.
    pub fn validate_response(&self, operation_id: &str, status: u16, body: Option<&Value>) -> Result<(), Vec<String>> {
        let op = self
            .operation(operation_id)
            .ok_or_else(|| vec![format!("{operation_id}: not an operation of the spec")])?;
        let Some(response) = op.response(status) else {
            return Err(vec![format!(
                "{operation_id} response: status {status} is not documented (documented: {})",
                list(&op.documented_statuses())
            )]);
        };
        let context = format!("{operation_id} response {status} body");
        match (json_content(&response.content), body) {
            (Some(checker), Some(body)) => checker.check(body, &context),
            (Some(_), None) => Err(vec![format!("{context}: the spec defines a JSON body, but there was none")]),
            (None, Some(body)) if response.content.is_empty() => {
                Err(vec![format!("{context}: the spec defines no body, but one was sent: {body}")])
            }
            (None, _) => Ok(()),
        }
    }

    /// Checks the body of a status a test injected on purpose (possibly undocumented, such as 429 or 503): it
    /// must still be the operation's documented error body.
    ///
    /// # Errors
    /// The violations, naming the operation and the status.
    pub fn validate_injected_error(
        &self,
        operation_id: &str,
        status: u16,
        body: Option<&Value>,
    ) -> Result<(), Vec<String>> {
        let op = self
            .operation(operation_id)
            .ok_or_else(|| vec![format!("{operation_id}: not an operation of the spec")])?;
        let context = format!("{operation_id} response {status} (injected) body");
        match (op.error_checker(), body) {
            (Some(checker), Some(body)) => checker.check(body, &context),
            (Some(_), None) => Err(vec![format!("{context}: missing; the spec's error body was expected")]),
            (None, _) => Err(vec![format!("{operation_id}: the spec documents no error body")]),
        }
    }

    /// Checks one exchange the fake recorded: the request ([`Spec::validate_request`]), that the fake routed it to
    /// the operation the spec matches, and the answer ([`Spec::validate_response`]). An exchange with no answer
    /// (status 0: a fault answered for the fake, or the client left) is judged on its request alone.
    ///
    /// # Errors
    /// Every violation found.
    pub fn validate_exchange(&self, exchange: &RecordedRequest) -> Result<(), Vec<String>> {
        self.validate_exchange_with_faults(exchange, &[])
    }

    /// As [`Spec::validate_exchange`], but statuses in `injected` (faults a test queued on purpose) need not be
    /// documented; their bodies must still be the documented error body.
    ///
    /// # Errors
    /// Every violation found.
    pub fn validate_exchange_with_faults(
        &self,
        exchange: &RecordedRequest,
        injected: &[u16],
    ) -> Result<(), Vec<String>> {
        let mut errors = Vec::new();
        let op = match self.validate_request(&HttpRequest::from(exchange)) {
            Ok(op) => Some(op),
            Err(e) => {
                errors.extend(e);
                None
            }
        };
        if let Some(op) = op {
            if exchange.operation_id.map(|id| id.as_str()) != Some(op.id.as_str()) {
                errors.push(format!(
                    "{}: the fake routed {} {} to {:?}, but the spec matches {}",
                    op.id, exchange.method, exchange.path, exchange.operation_id, op.id
                ));
            }
            if exchange.status != 0 {
                let body = exchange.response_body.as_ref();
                let result = if injected.contains(&exchange.status) && op.response(exchange.status).is_none() {
                    self.validate_injected_error(&op.id, exchange.status, body)
                } else {
                    self.validate_response(&op.id, exchange.status, body)
                };
                collect(&mut errors, result);
            }
        }
        if errors.is_empty() { Ok(()) } else { Err(errors) }
    }

    /// For a request that breaks the spec on purpose: returns its violations, and checks that the fake refused
    /// it with a 4xx and the spec's error body (which statuses an operation documents covers requests that
    /// conform; a request that does not gets the API's 400).
    ///
    /// # Errors
    /// When the request conforms after all, or the answer is not a 4xx with the documented error body.
    pub fn validate_rejected_exchange(&self, exchange: &RecordedRequest) -> Result<Vec<String>, Vec<String>> {
        let violations = match self.validate_request(&HttpRequest::from(exchange)) {
            Ok(op) => return Err(vec![format!("{}: the request conforms to the spec; it was expected not to", op.id)]),
            Err(v) => v,
        };
        let what = format!("{} {}", exchange.method, exchange.path);
        if !(400..500).contains(&exchange.status) {
            return Err(vec![format!("{what}: a request outside the spec must get a 4xx, got {}", exchange.status)]);
        }
        // Routed or not, every operation of this spec shares one error body: judge by the routed one, else any.
        let op = exchange.operation_id.and_then(|id| self.operation(id.as_str())).or(self.operations.first());
        let checker =
            op.and_then(SpecOperation::error_checker).ok_or_else(|| vec!["the spec has no error body".to_owned()])?;
        let context = format!("{what} response {} body", exchange.status);
        match &exchange.response_body {
            Some(body) => checker.check(body, &context)?,
            None => return Err(vec![format!("{context}: missing")]),
        }
        Ok(violations)
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

fn collect(errors: &mut Vec<String>, result: Result<(), Vec<String>>) {
    if let Err(e) = result {
        errors.extend(e);
    }
}

fn list(items: &[&str]) -> String {
    if items.is_empty() { "none".to_owned() } else { items.join(", ") }
}

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

/// How [`differences`] treats `null` against a missing member.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Nulls {
    /// `null` and missing differ everywhere (request bodies: in an update, `null` clears and missing leaves alone).
    Distinct,
    /// Where the spec makes a property optional *and* nullable, `null` and missing mean the same (no value), and
    /// are no difference. Required properties must keep their `null`.
    OptionalNullableAreAbsent,
}

/// How `actual` differs from `expected`, judged along an OpenAPI `schema` of the document: one line per
/// difference with its JSON pointer. Numbers compare by value (`100` equals `100.0`).
pub fn differences(spec: &Spec, schema: &Value, expected: &Value, actual: &Value, nulls: Nulls) -> Vec<String> {
    let mut out = Vec::new();
    diff(spec, Some(schema), expected, actual, nulls, "", &mut out);
    out
}

/// Whether a property schema allows `null` (on itself, or on the schema its `$ref` names).
fn is_nullable(spec: &Spec, schema: &Value) -> bool {
    let yes = |s: &Value| s.get("nullable") == Some(&Value::Bool(true));
    yes(schema) || resolve(spec.document(), schema).is_ok_and(yes)
}

fn diff(
    spec: &Spec,
    schema: Option<&Value>,
    expected: &Value,
    actual: &Value,
    nulls: Nulls,
    at: &str,
    out: &mut Vec<String>,
) {
    let schema = schema.and_then(|s| resolve(spec.document(), s).ok());
    let shown = if at.is_empty() { "(root)" } else { at };
    match (expected, actual) {
        (Value::Object(e), Value::Object(a)) => {
            let props = schema.and_then(|s| s.get("properties"));
            let required: Vec<&str> = schema
                .and_then(|s| s.get("required"))
                .and_then(Value::as_array)
                .map(|r| r.iter().filter_map(Value::as_str).collect())
                .unwrap_or_default();
            let keys: BTreeSet<&String> = e.keys().chain(a.keys()).collect();
            for key in keys {
                let here = format!("{at}/{}", convert::escape_token(key));
                let prop = props.and_then(|p| p.get(key.as_str()));
                let optional_nullable = nulls == Nulls::OptionalNullableAreAbsent
                    && !required.contains(&key.as_str())
                    && prop.is_some_and(|p| is_nullable(spec, p));
                match (e.get(key.as_str()), a.get(key.as_str())) {
                    (Some(x), Some(y)) => diff(spec, prop, x, y, nulls, &here, out),
                    (Some(Value::Null), None) | (None, Some(Value::Null)) if optional_nullable => {}
                    (Some(x), None) => out.push(format!("{here}: {x} was lost")),
                    (None, Some(y)) => out.push(format!("{here}: {y} was added")),
                    (None, None) => {}
                }
            }
        }
        (Value::Array(e), Value::Array(a)) => {
            if e.len() != a.len() {
                out.push(format!("{shown}: {} items became {}", e.len(), a.len()));
                return;
            }
            let items = schema.and_then(|s| s.get("items"));
            for (i, (x, y)) in e.iter().zip(a).enumerate() {
                diff(spec, items, x, y, nulls, &format!("{at}/{i}"), out);
            }
        }
        (Value::Number(x), Value::Number(y)) => {
            let same = x == y || x.as_f64().zip(y.as_f64()).is_some_and(|(x, y)| x == y);
            if !same {
                out.push(format!("{shown}: {expected} became {actual}"));
            }
        }
        _ if expected == actual => {}
        _ => out.push(format!("{shown}: {expected} became {actual}")),
    }
}

#[cfg(test)]
mod tests {
    //! Negative tests: the validator must reject what the spec forbids, with a message naming the operation and
    //! the violation. Requests are built by hand, as a broken SDK would send them.

    use super::*;
    use serde_json::json;

    fn spec() -> &'static Spec {
        Spec::get()
    }

    fn authed(method: &str, path: &str) -> HttpRequest {
        HttpRequest::new(method, &format!("/api/v1{path}"))
            .header("authorization", "Bearer <redacted>")
            .header("accept", "application/json")
            .header("user-agent", "test")
    }

    fn create(body: Value) -> HttpRequest {
        authed("POST", "/workspaces").json(&body)
    }

    /// The single violation of a request, or a panic showing all of them.
    fn violation(request: &HttpRequest) -> String {
        match spec().validate_request(request) {
            Ok(op) => panic!("{} accepted: {request:?}", op.id),
            Err(v) if v.len() == 1 => v.into_iter().next().unwrap_or_default(),
            Err(v) => panic!("expected one violation, got {v:#?}"),
        }
    }

    fn workspace() -> Value {
        spec().document()["components"]["schemas"]["Workspace"]["example"].clone()
    }

    #[test]
    fn the_spec_loads_with_its_operations_base_path_and_security() {
        let s = spec();
        assert_eq!(s.operations().len(), openrouter_workspaces::operation::ALL.len());
        assert_eq!(s.base_path(), "/api/v1");
        let get = s.operation("getWorkspace").unwrap();
        assert_eq!((get.method.as_str(), get.path.as_str()), ("GET", "/workspaces/{id}"));
        assert_eq!(get.security, vec![vec![Credential::Http { scheme: "bearer".into() }]]);
        assert!(
            get.parameter("X-OpenRouter-Title", "header").is_some() && get.parameter("id", "path").unwrap().required
        );
        assert!(s.operation("createWorkspace").unwrap().request_body.as_ref().is_some_and(|b| b.required));
    }

    #[test]
    fn conforming_requests_pass() {
        let ok = [
            create(json!({"name": "N", "slug": "n"})),
            create(
                json!({"name": "N", "slug": "n", "description": null, "disabled_server_tools": ["openrouter:bash"]}),
            ),
            authed("GET", "/workspaces").query("limit", "100").query("offset", "0"),
            authed("GET", "/workspaces/a%20b%3Fc"),
            authed("PATCH", "/workspaces/x").json(&json!({"description": null, "io_logging_api_key_ids": null})),
            authed("DELETE", "/workspaces/default").query("confirm_default_workspace_deletion", "true"),
            authed("PUT", "/workspaces/x/budgets/lifetime")
                .json(&json!({"limit_usd": 0.01, "include_byok_in_budgets": true})),
            authed("GET", "/workspaces/x/members")
                .header("X-OpenRouter-Title", "Acme")
                .header("HTTP-Referer", "https://a.example"),
        ];
        for request in ok {
            if let Err(v) = spec().validate_request(&request) {
                panic!("{request:?}: {v:#?}");
            }
        }
    }

    #[test]
    fn an_unknown_body_field_is_a_violation() {
        let v = violation(&create(json!({"name": "N", "slug": "n", "colour": "red"})));
        assert_eq!(
            v,
            "createWorkspace request body: (root): Additional properties are not allowed ('colour' was unexpected)"
        );
        let v = violation(&authed("PUT", "/workspaces/x/budgets/daily").json(&json!({"limit_usd": 1, "limit": 1})));
        assert!(v.starts_with("upsertWorkspaceBudget request body: (root): Additional properties"), "{v}");
    }

    #[test]
    fn a_missing_required_field_is_a_violation() {
        let v = violation(&create(json!({"name": "N"})));
        assert_eq!(v, "createWorkspace request body: (root): \"slug\" is a required property");
        let v = violation(&authed("POST", "/workspaces/x/members/add").json(&json!({})));
        assert_eq!(v, "bulkAddWorkspaceMembers request body: (root): \"user_ids\" is a required property");
    }

    #[test]
    fn a_wrong_type_or_a_broken_constraint_is_a_violation() {
        let v = violation(&create(json!({"name": 5, "slug": "n"})));
        assert_eq!(v, "createWorkspace request body: /name: 5 is not of type \"string\"");
        let v = violation(&create(json!({"name": "N", "slug": "Bad Slug"})));
        assert_eq!(
            v,
            "createWorkspace request body: /slug: \"Bad Slug\" does not match \"^[a-z0-9]+(?:-[a-z0-9]+)*$\""
        );
        let v = violation(&create(json!({"name": "N", "slug": "n", "disabled_server_tools": ["openrouter:teleport"]})));
        assert!(
            v.starts_with(
                "createWorkspace request body: /disabled_server_tools/0: \"openrouter:teleport\" is not one of"
            ),
            "{v}"
        );
        let v = violation(&authed("PUT", "/workspaces/x/budgets/daily").json(&json!({"limit_usd": 0})));
        assert_eq!(v, "upsertWorkspaceBudget request body: /limit_usd: 0 is less than or equal to the minimum of 0");
    }

    #[test]
    fn null_where_the_spec_does_not_allow_it_is_a_violation() {
        let v = violation(&authed("PATCH", "/workspaces/x").json(&json!({"name": null})));
        assert_eq!(v, "updateWorkspace request body: /name: null is not of type \"string\"");
        let v = violation(&authed("PATCH", "/workspaces/x").json(&json!({"io_logging_sampling_rate": null})));
        assert!(v.starts_with("updateWorkspace request body: /io_logging_sampling_rate: null is not of type"), "{v}");
    }

    #[test]
    fn query_parameters_outside_their_schema_or_unknown_are_violations() {
        let list = |k: &str, v: &str| authed("GET", "/workspaces").query(k, v);
        assert_eq!(
            violation(&list("limit", "0")),
            "listWorkspaces query parameter limit: 0 is less than the minimum of 1"
        );
        assert_eq!(
            violation(&list("limit", "101")),
            "listWorkspaces query parameter limit: 101 is greater than the maximum of 100"
        );
        assert_eq!(
            violation(&list("limit", "ten")),
            "listWorkspaces query parameter limit: \"ten\" is not of type \"integer\""
        );
        assert_eq!(
            violation(&list("offset", "-1")),
            "listWorkspaces query parameter offset: -1 is less than the minimum of 0"
        );
        assert_eq!(
            violation(&list("page", "2")),
            "listWorkspaces query parameter page: not defined by the spec (defined: offset, limit)"
        );
        assert_eq!(
            violation(&list("limit", "5").query("limit", "6")),
            "listWorkspaces query parameter limit: sent more than once"
        );
        let delete = authed("DELETE", "/workspaces/default").query("confirm_default_workspace_deletion", "yes");
        assert_eq!(
            violation(&delete),
            "deleteWorkspace query parameter confirm_default_workspace_deletion: \"yes\" is not of type \"boolean\""
        );
    }

    #[test]
    fn paths_must_match_a_template_with_encoded_valid_parameters() {
        assert_eq!(violation(&authed("GET", "/workspace")), "GET /workspace: no path template of the spec matches");
        assert_eq!(
            violation(&authed("POST", "/workspaces/x")),
            "POST /workspaces/x: method not in the spec for this path (it has GET, PATCH, DELETE)"
        );
        assert_eq!(
            violation(&authed("GET", "/workspaces/a b")),
            "getWorkspace path parameter id: \"a b\" has ' ', which must be percent-encoded"
        );
        assert_eq!(
            violation(&authed("GET", "/workspaces/%2e%2e")),
            "getWorkspace path parameter id: \"%2e%2e\" is a dot segment, which URL normalisation removes"
        );
        assert!(
            violation(&authed("GET", "/workspaces/x/budgets/hourly"))
                .starts_with("getWorkspaceBudget path parameter interval: \"hourly\" is not one of")
        );
        let outside = spec().validate_request(&HttpRequest::new("GET", "/v2/workspaces")).unwrap_err();
        assert_eq!(outside, ["GET /v2/workspaces: not under the spec's base path \"/api/v1\""]);
    }

    #[test]
    fn credentials_headers_and_content_type_are_checked() {
        let anonymous = HttpRequest::new("GET", "/api/v1/workspaces");
        assert_eq!(
            violation(&anonymous),
            "listWorkspaces credentials: the spec requires one of: header Authorization: missing or not `bearer <token>`"
        );
        let basic = HttpRequest::new("GET", "/api/v1/workspaces").header("Authorization", "Basic abc");
        assert!(violation(&basic).starts_with("listWorkspaces credentials:"));
        assert_eq!(
            violation(&authed("GET", "/workspaces").header("api-version", "1.0.0")),
            "listWorkspaces header api-version: not defined by the spec"
        );
        let mut plain = create(json!({"name": "N", "slug": "n"}));
        plain.headers.retain(|(n, _)| n != "content-type");
        plain.headers.push(("content-type".into(), "text/plain".into()));
        assert_eq!(
            violation(&plain),
            "createWorkspace header Content-Type: \"text/plain\" is not one of application/json"
        );
        let mut bare = create(json!({"name": "N", "slug": "n"}));
        bare.headers.retain(|(n, _)| n != "content-type");
        assert_eq!(violation(&bare), "createWorkspace header Content-Type: missing on a request with a body");
    }

    #[test]
    fn bodies_must_be_where_the_spec_puts_them_and_be_json() {
        assert_eq!(violation(&authed("POST", "/workspaces")), "createWorkspace request body: required but missing");
        assert_eq!(
            violation(&authed("GET", "/workspaces/x").json(&json!({}))),
            "getWorkspace request body: the spec defines none, but 2 bytes were sent"
        );
        let mut broken = create(json!({}));
        broken.body = "{\"name\": ".into();
        assert!(violation(&broken).starts_with("createWorkspace request body: not valid JSON"));
    }

    #[test]
    fn an_undocumented_status_is_a_violation() {
        let err = validate_response("listWorkspaces", 404, Some(&json!({"error": {"code": 404, "message": "x"}})));
        assert_eq!(
            err.unwrap_err(),
            ["listWorkspaces response: status 404 is not documented (documented: 200, 400, 401, 403, 500)"]
        );
        // An injected one is judged on its body only.
        let body = json!({"error": {"code": 503, "message": "Service Unavailable"}});
        assert!(spec().validate_injected_error("listWorkspaces", 503, Some(&body)).is_ok());
        let bad = spec().validate_injected_error("listWorkspaces", 503, Some(&json!({"message": "x"}))).unwrap_err();
        assert!(
            bad.contains(
                &"listWorkspaces response 503 (injected) body: (root): \"error\" is a required property".to_owned()
            ),
            "{bad:?}"
        );
    }

    #[test]
    fn response_bodies_outside_the_spec_are_violations() {
        let ok = json!({"data": workspace()});
        assert!(validate_response("getWorkspace", 200, Some(&ok)).is_ok());

        let mut extra = ok.clone();
        extra["data"]["owner"] = json!("someone");
        assert_eq!(
            validate_response("getWorkspace", 200, Some(&extra)).unwrap_err(),
            ["getWorkspace response 200 body: /data: Additional properties are not allowed ('owner' was unexpected)"]
        );
        let mut missing = ok.clone();
        missing["data"].as_object_mut().unwrap().remove("slug");
        assert_eq!(
            validate_response("getWorkspace", 200, Some(&missing)).unwrap_err(),
            ["getWorkspace response 200 body: /data: \"slug\" is a required property"]
        );
        let mut null = ok.clone();
        null["data"]["created_at"] = Value::Null;
        assert_eq!(
            validate_response("getWorkspace", 200, Some(&null)).unwrap_err(),
            ["getWorkspace response 200 body: /data/created_at: null is not of type \"string\""]
        );
        let mut not_uuid = ok.clone();
        not_uuid["data"]["id"] = json!("ws-1");
        assert_eq!(
            validate_response("getWorkspace", 200, Some(&not_uuid)).unwrap_err(),
            ["getWorkspace response 200 body: /data/id: \"ws-1\" is not a \"uuid\""]
        );
        let budget = json!({"data": {"id": "770e8400-e29b-41d4-a716-446655440000", "workspace_id": "550e8400-e29b-41d4-a716-446655440000",
            "limit_usd": 1, "reset_interval": "hourly", "created_at": "t", "updated_at": "t"}});
        let v = validate_response("getWorkspaceBudget", 200, Some(&budget)).unwrap_err();
        assert!(v[0].starts_with("getWorkspaceBudget response 200 body: /data/reset_interval: "), "{v:?}");
        let mut lifetime = budget.clone();
        lifetime["data"]["reset_interval"] = Value::Null;
        assert!(validate_response("getWorkspaceBudget", 200, Some(&lifetime)).is_ok(), "null is a lifetime budget");
        assert_eq!(
            validate_response("deleteWorkspace", 200, None).unwrap_err(),
            ["deleteWorkspace response 200 body: the spec defines a JSON body, but there was none"]
        );
        assert_eq!(
            validate_response("deleteWorkspace", 200, Some(&json!({"deleted": false}))).unwrap_err(),
            ["deleteWorkspace response 200 body: /deleted: false is not one of true"]
        );
    }

    #[test]
    fn differences_compare_numbers_by_value_and_nulls_by_the_schema() {
        let s = spec();
        let schema = json!({"$ref": "#/components/schemas/ErrorResponse"});
        let original = json!({"error": {"code": 404, "message": "m"}, "user_id": null});
        let dropped = json!({"error": {"code": 404.0, "message": "m"}});
        assert!(differences(s, &schema, &original, &dropped, Nulls::OptionalNullableAreAbsent).is_empty());
        assert_eq!(differences(s, &schema, &original, &dropped, Nulls::Distinct), ["/user_id: null was lost"]);
        // A required nullable property keeps its null.
        let ws = json!({"$ref": "#/components/schemas/Workspace"});
        let mut lost = workspace();
        lost.as_object_mut().unwrap().remove("io_logging_api_key_ids");
        assert_eq!(
            differences(s, &ws, &workspace(), &lost, Nulls::OptionalNullableAreAbsent),
            ["/io_logging_api_key_ids: null was lost"]
        );
        let mut with_tools = workspace();
        with_tools["disabled_server_tools"] = json!(["openrouter:web_search"]);
        let mut changed = with_tools.clone();
        changed["disabled_server_tools"] = json!([]);
        assert_eq!(
            differences(s, &ws, &with_tools, &changed, Nulls::OptionalNullableAreAbsent),
            ["/disabled_server_tools: 1 items became 0"]
        );
    }
}
