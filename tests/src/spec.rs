//! The spec loaded: its operations, parameters, bodies, responses and security, with their schemas converted and
//! compiled.

use std::collections::BTreeSet;
use std::sync::OnceLock;

use serde_json::{Map, Value};

use crate::SPEC_PATH;
use crate::checker::Checker;
use crate::convert::{self, Objects};

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

pub(crate) fn json_content(content: &[Content]) -> Option<&Checker> {
    content.iter().find(|c| is_json(&c.media_type)).and_then(|c| c.checker.as_ref())
}

pub(crate) fn is_json(media_type: &str) -> bool {
    let m = media_type.to_ascii_lowercase();
    m == "application/json" || (m.starts_with("application/") && m.ends_with("+json"))
}

/// The spec, with everything needed to judge requests and responses compiled.
pub struct Spec {
    pub(crate) document: Value,
    pub(crate) base_path: String,
    pub(crate) defs: Map<String, Value>,
    pub(crate) components: Vec<(String, Checker)>,
    pub(crate) operations: Vec<SpecOperation>,
}

/// The methods of a Path Item, in the order operations are listed (paths themselves come sorted).
const METHODS: [&str; 8] = ["get", "post", "put", "patch", "delete", "head", "options", "trace"];

/// Follows `$ref`s (local JSON pointers) until a node that is not a reference.
pub(crate) fn resolve<'a>(document: &'a Value, node: &'a Value) -> Result<&'a Value, String> {
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
}
