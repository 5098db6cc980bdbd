//! Reading the checked-in OpenAPI document.
//!
//! The spec is read twice over: as a plain JSON tree (so lint rules and transforms can name the JSON pointer of
//! what they look at, and be tested on small literals), then as a typed [`openapiv3::OpenAPI`] for progenitor.

use std::path::Path;

use serde_json::Value;

/// Reads a YAML or JSON OpenAPI document into a JSON tree.
pub fn read_tree(path: &Path) -> Result<Value, String> {
    let text = std::fs::read_to_string(path).map_err(|e| format!("cannot read the spec {}: {e}", path.display()))?;
    parse_tree(&text).map_err(|e| format!("{}: {e}", path.display()))
}

/// Parses YAML (a superset of JSON) text into a JSON tree.
pub fn parse_tree(text: &str) -> Result<Value, String> {
    serde_yaml::from_str::<Value>(text).map_err(|e| format!("not valid YAML: {e}"))
}

/// Turns a (linted, transformed) JSON tree into the typed document progenitor reads.
pub fn to_openapi(tree: &Value) -> Result<openapiv3::OpenAPI, String> {
    serde_json::from_value(tree.clone()).map_err(|e| format!("the spec is not a well-formed OpenAPI 3.0 document: {e}"))
}

/// Escapes one JSON pointer segment (RFC 6901): `~` as `~0`, `/` as `~1`.
pub fn escape_segment(segment: &str) -> String {
    segment.replace('~', "~0").replace('/', "~1")
}

/// Builds a JSON pointer from segments.
pub fn pointer<I, S>(segments: I) -> String
where
    I: IntoIterator<Item = S>,
    S: AsRef<str>,
{
    segments.into_iter().map(|s| format!("/{}", escape_segment(s.as_ref()))).collect()
}

/// The HTTP methods an OpenAPI path item may hold, in document order.
pub const METHODS: [&str; 8] = ["get", "put", "post", "delete", "options", "head", "patch", "trace"];

/// One operation of the document, with where it lives.
pub struct OperationRef<'a> {
    /// The path template, e.g. `/workspaces/{id}`.
    pub path: &'a str,
    /// The lower-case method, e.g. `get`.
    pub method: &'static str,
    /// The operation object.
    pub op: &'a Value,
}

impl OperationRef<'_> {
    /// The JSON pointer of the operation object.
    pub fn pointer(&self) -> String {
        pointer(["paths", self.path, self.method])
    }

    /// The operationId, or `?` when it has none.
    pub fn id(&self) -> &str {
        self.op.get("operationId").and_then(Value::as_str).unwrap_or("?")
    }
}

/// Every operation of the document, in path then method order.
pub fn operations(tree: &Value) -> Vec<OperationRef<'_>> {
    let mut out = Vec::new();
    if let Some(paths) = tree.get("paths").and_then(Value::as_object) {
        for (path, item) in paths {
            for method in METHODS {
                if let Some(op) = item.get(method) {
                    out.push(OperationRef { path, method, op });
                }
            }
        }
    }
    out
}

/// Resolves a local `$ref` (`#/...`) against the document.
pub fn resolve<'a>(tree: &'a Value, reference: &str) -> Option<&'a Value> {
    reference.strip_prefix('#').and_then(|p| tree.pointer(p))
}

/// Follows `$ref`s from `node` until an object without one (at most 16 hops, against cycles).
pub fn deref<'a>(tree: &'a Value, mut node: &'a Value) -> Option<&'a Value> {
    for _ in 0..16 {
        match node.get("$ref").and_then(Value::as_str) {
            Some(r) => node = resolve(tree, r)?,
            None => return Some(node),
        }
    }
    None
}
