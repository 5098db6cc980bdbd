//! `cargo xtask import-spec`: from OpenRouter's published OpenAPI 3.1 document to our 3.0.3 `spec/openapi.yaml`.
//!
//! 1. **extract**: keep the paths of [`SELECTION`] (`/workspaces*`, the API keys, the guardrail a workspace's
//!    `default_guardrail_id` names) and every component they reference, transitively;
//! 2. **convert**: 3.1 to 3.0.3 ([`crate::convert`]), failing with JSON pointers on what cannot be converted;
//! 3. **shared-error-schema**: upstream gives each error status its own, identical schema (`BadRequestResponse`,
//!    `NotFoundResponse`, ...); progenitor needs one error schema per operation, so identical ones become one
//!    `ErrorResponse` (+ `ErrorDetail`) and each status a `components/responses` entry keeping its description
//!    and example;
//! 4. **overlay**: our own additions, kept in `spec/overlay.yaml` ([`crate::overlay`]); `--no-overlay` skips it;
//! 5. **write**: YAML with a stable key order (see [`to_yaml`]), byte-identical on every run.

use std::collections::BTreeSet;

use serde_json::{Map, Value, json};

use crate::{convert, overlay, spec};

/// Where the overlay lives, relative to the project root.
pub const OVERLAY_PATH: &str = "spec/overlay.yaml";

/// One entry of the upstream selection: a path template, whether the paths below it are kept too, and which of
/// its methods (all of them when `None`).
#[derive(Debug, Clone, Copy)]
pub struct Select {
    /// The path template, e.g. `/keys/{hash}`.
    pub path: &'static str,
    /// Also keep every path below this one (`/workspaces/{id}/members` under `/workspaces`).
    pub subtree: bool,
    /// The methods kept (lower case), or `None` for every method of the path.
    pub methods: Option<&'static [&'static str]>,
}

impl Select {
    /// Whether `path` (a path template of the upstream document) is selected.
    pub fn matches(&self, path: &str) -> bool {
        path == self.path || (self.subtree && path.strip_prefix(self.path).is_some_and(|rest| rest.starts_with('/')))
    }

    /// How the entry reads in a report: `/workspaces/**`, `/keys`, `/guardrails/{id} (get, patch)`.
    pub fn describe(&self) -> String {
        let tree = if self.subtree { "/**" } else { "" };
        match self.methods {
            Some(methods) => format!("{}{tree} ({})", self.path, methods.join(", ")),
            None => format!("{}{tree}", self.path),
        }
    }
}

/// What this SDK covers of the upstream document:
/// - every `/workspaces*` path (workspaces, their members and budgets), whatever upstream adds below it;
/// - `/keys` and `/keys/{hash}`: the API keys a workspace needs to be usable (issue 18); exact paths, so that an
///   operation upstream adds below them is a decision, not a surprise;
/// - `GET`/`PATCH /guardrails/{id}`: reading and configuring the guardrail a workspace's `default_guardrail_id`
///   names. Guardrails as a resource of their own (list, create, delete, assignments) are not this SDK's scope.
pub const SELECTION: &[Select] = &[
    Select { path: "/workspaces", subtree: true, methods: None },
    Select { path: "/keys", subtree: false, methods: None },
    Select { path: "/keys/{hash}", subtree: false, methods: None },
    Select { path: "/guardrails/{id}", subtree: false, methods: Some(&["get", "patch"]) },
];

/// Runs steps 1-4 on an upstream document. `overlay` is the parsed overlay, or `None` for `--no-overlay`.
/// Returns the 3.0.3 document and a report of what was done.
pub fn import(upstream: &Value, overlay: Option<&Value>) -> Result<(Value, Vec<String>), String> {
    let mut report = Vec::new();
    let mut doc = extract(upstream, SELECTION)?;
    report.push(format!(
        "extract: {} path(s) of {}, {} component(s)",
        doc["paths"].as_object().map_or(0, Map::len),
        SELECTION.iter().map(Select::describe).collect::<Vec<_>>().join(", "),
        count_components(&doc)
    ));
    convert::to_openapi_30(&mut doc).map_err(|problems| {
        format!("the upstream document cannot be converted to OpenAPI 3.0:\n  {}", problems.join("\n  "))
    })?;
    report.push("convert: OpenAPI 3.1 to 3.0.3".to_owned());
    report.extend(shared_error_schema(&mut doc)?.into_iter().map(|l| format!("shared-error-schema: {l}")));
    if let Some(overlay) = overlay {
        let applied = overlay::apply(&mut doc, overlay).map_err(|e| format!("{OVERLAY_PATH}{e}"))?;
        report.extend(applied.into_iter().map(|l| format!("overlay: {l}")));
    }
    Ok((doc, report))
}

/// Component schemas upstream renamed between two of its documents: a schema gone from `old` whose very shape is a
/// schema new in `new` (its `$ref`s to other renamed schemas aside). Each is `(old name, new name)`. Its Rust type
/// would be renamed, a breaking change for users; [`renamed_schema_advice`] says how to keep the old name.
pub fn renamed_schemas(old: &Value, new: &Value) -> Vec<(String, String)> {
    let schemas =
        |doc: &Value| doc.pointer("/components/schemas").and_then(Value::as_object).cloned().unwrap_or_default();
    let (old, new) = (schemas(old), schemas(new));
    let gone: Vec<&String> = old.keys().filter(|k| !new.contains_key(*k)).collect();
    let added: Vec<&String> = new.keys().filter(|k| !old.contains_key(*k)).collect();
    let mut out = Vec::new();
    for g in gone {
        let same: Vec<&&String> = added.iter().filter(|a| same_shape(&old[g], &new[a.as_str()], g, a)).collect();
        if let [only] = same.as_slice() {
            out.push((g.clone(), (**only).clone()));
        }
    }
    out
}

/// Whether two schemas are the same once `new_name`'s self-references read `old_name`.
fn same_shape(old: &Value, new: &Value, old_name: &str, new_name: &str) -> bool {
    let text = serde_json::to_string(new)
        .unwrap_or_default()
        .replace(&format!("\"#/components/schemas/{new_name}\""), &format!("\"#/components/schemas/{old_name}\""));
    serde_json::from_str::<Value>(&text).is_ok_and(|new| &new == old)
}

/// What to add to the overlay (first among its actions, before any that names the schema) to keep the Rust name of
/// schemas upstream renamed.
pub fn renamed_schema_advice(renamed: &[(String, String)]) -> String {
    let pairs: Vec<String> = renamed.iter().map(|(old, new)| format!("{new}: {old}")).collect();
    format!(
        "upstream renamed schema(s) {} (same shape): their Rust types (public API) would be renamed. To keep the \
         names, put this action first in {OVERLAY_PATH} and import again:\n  - description: Schemas upstream \
         renamed keep this SDK's names (and its public types')\n    target: $.components.schemas\n    x-rename: \
         {{{}}}",
        renamed.iter().map(|(old, new)| format!("`{old}` to `{new}`")).collect::<Vec<_>>().join(", "),
        pairs.join(", ")
    )
}

fn count_components(doc: &Value) -> usize {
    doc.get("components")
        .and_then(Value::as_object)
        .map_or(0, |c| c.values().filter_map(Value::as_object).map(Map::len).sum())
}

/// Keeps the paths (and methods) `selection` selects and the components they reach (through `$ref`s and
/// security requirements), and the document-level fields. Fails when an entry of the selection selects nothing, so
/// that a path upstream renames or drops is an error, not an operation silently gone.
pub fn extract(upstream: &Value, selection: &[Select]) -> Result<Value, String> {
    let all = upstream.get("paths").and_then(Value::as_object).ok_or("/paths: the document has no paths")?;
    let mut paths = Map::new();
    for select in selection {
        let mut found = false;
        for (path, item) in all.iter().filter(|(path, _)| select.matches(path)) {
            let mut item = item.clone();
            if let (Some(methods), Some(map)) = (select.methods, item.as_object_mut()) {
                map.retain(|key, _| !spec::METHODS.contains(&key.as_str()) || methods.contains(&key.as_str()));
            }
            let has_operation = item.as_object().is_some_and(|m| m.keys().any(|k| spec::METHODS.contains(&k.as_str())));
            if has_operation {
                found = true;
                paths.insert(path.clone(), item);
            }
        }
        if !found {
            return Err(format!("/paths: nothing matches {} of the upstream selection", select.describe()));
        }
    }
    let mut doc = Map::new();
    for (key, value) in upstream.as_object().into_iter().flatten() {
        if !matches!(key.as_str(), "paths" | "components" | "tags") {
            doc.insert(key.clone(), value.clone());
        }
    }
    doc.insert("paths".into(), Value::Object(paths));

    // Components reached from the paths and the security requirements, transitively.
    let mut wanted: BTreeSet<(String, String)> = BTreeSet::new();
    let mut queue: Vec<(String, String)> = Vec::new();
    refs_in(&doc["paths"], &mut queue);
    let mut security_names = BTreeSet::new();
    security_in(&Value::Object(doc.clone()), &mut security_names);
    queue.extend(security_names.into_iter().map(|name| ("securitySchemes".to_owned(), name)));
    while let Some(item) = queue.pop() {
        if !wanted.insert(item.clone()) {
            continue;
        }
        let node = upstream.pointer(&spec::pointer(["components", &item.0, &item.1]));
        let node = node.ok_or(format!("#/components/{}/{}: referenced but not defined", item.0, item.1))?;
        refs_in(node, &mut queue);
    }
    let mut components = Map::new();
    for (kind, name) in wanted {
        let node = upstream.pointer(&spec::pointer(["components", &kind, &name])).cloned().unwrap_or(Value::Null);
        components.entry(kind).or_insert_with(|| json!({}))[&name] = node;
    }
    doc.insert("components".into(), Value::Object(components));

    // Tags the kept operations use.
    let mut used: BTreeSet<String> = BTreeSet::new();
    for item in doc["paths"].as_object().into_iter().flatten().map(|(_, item)| item) {
        for method in spec::METHODS {
            let tags = item.get(method).and_then(|op| op.get("tags")).and_then(Value::as_array);
            used.extend(tags.into_iter().flatten().filter_map(Value::as_str).map(str::to_owned));
        }
    }
    if let Some(tags) = upstream.get("tags").and_then(Value::as_array) {
        let kept: Vec<Value> = tags
            .iter()
            .filter(|t| t.get("name").and_then(Value::as_str).is_some_and(|n| used.contains(n)))
            .cloned()
            .collect();
        if !kept.is_empty() {
            doc.insert("tags".into(), Value::Array(kept));
        }
    }
    Ok(Value::Object(doc))
}

/// Every `#/components/<kind>/<name>` referenced under `node`.
fn refs_in(node: &Value, out: &mut Vec<(String, String)>) {
    match node {
        Value::Object(map) => {
            let reference = map.get("$ref").and_then(Value::as_str).and_then(|r| r.strip_prefix("#/components/"));
            if let Some((kind, name)) = reference.and_then(|rest| rest.split_once('/')) {
                out.push((kind.to_owned(), name.replace("~1", "/").replace("~0", "~")));
            }
            map.values().for_each(|v| refs_in(v, out));
        }
        Value::Array(items) => items.iter().for_each(|v| refs_in(v, out)),
        _ => {}
    }
}

/// The security scheme names used by the document's and its operations' `security` requirements.
fn security_in(doc: &Value, out: &mut BTreeSet<String>) {
    let mut add = |security: Option<&Value>| {
        for requirement in security.and_then(Value::as_array).into_iter().flatten() {
            out.extend(requirement.as_object().into_iter().flatten().map(|(name, _)| name.clone()));
        }
    };
    add(doc.get("security"));
    for op in spec::operations(doc) {
        add(op.op.get("security"));
    }
}

/// The name of the shared `components/responses` entry for an error status.
fn response_name(status: &str) -> String {
    match status {
        "400" => "BadRequest".into(),
        "401" => "Unauthorized".into(),
        "403" => "Forbidden".into(),
        "404" => "NotFound".into(),
        "409" => "Conflict".into(),
        "422" => "UnprocessableEntity".into(),
        "429" => "TooManyRequests".into(),
        "500" => "InternalServerError".into(),
        "502" => "BadGateway".into(),
        "503" => "ServiceUnavailable".into(),
        other => format!("Status{}", other.replace('X', "xx")),
    }
}

/// A schema with its `$ref`s inlined and its `description`s and `example`s dropped: what two schemas must share
/// to be "the same error body".
fn shape(doc: &Value, node: &Value, depth: usize) -> Value {
    if depth > 32 {
        return Value::Null;
    }
    match node {
        Value::Object(map) => {
            if let Some(target) = map.get("$ref").and_then(Value::as_str).and_then(|r| spec::resolve(doc, r)) {
                return shape(doc, target, depth + 1);
            }
            Value::Object(
                map.iter()
                    .filter(|(k, _)| !matches!(k.as_str(), "description" | "example" | "title"))
                    .map(|(k, v)| {
                        (k.clone(), if k == "enum" || k == "default" { v.clone() } else { shape(doc, v, depth + 1) })
                    })
                    .collect(),
            )
        }
        Value::Array(items) => Value::Array(items.iter().map(|v| shape(doc, v, depth + 1)).collect()),
        other => other.clone(),
    }
}

/// Step 3 (see the module docs). Returns what it did; fails when error bodies differ in shape.
pub fn shared_error_schema(doc: &mut Value) -> Result<Vec<String>, String> {
    // (pointer of the response, status, schema $ref)
    let mut errors: Vec<(String, String, String)> = Vec::new();
    for op in spec::operations(doc) {
        for (status, response) in op.op.get("responses").and_then(Value::as_object).into_iter().flatten() {
            if !(status.starts_with('4') || status.starts_with('5')) || response.get("$ref").is_some() {
                continue;
            }
            let schema = response.pointer("/content/application~1json/schema/$ref").and_then(Value::as_str);
            if let Some(schema) = schema {
                errors.push((
                    format!("{}/responses/{}", op.pointer(), spec::escape_segment(status)),
                    status.clone(),
                    schema.to_owned(),
                ));
            }
        }
    }
    let schemas: BTreeSet<&str> = errors.iter().map(|(_, _, s)| s.as_str()).collect();
    if schemas.len() < 2 && errors.iter().all(|(_, _, s)| s.ends_with("/ErrorResponse")) {
        return Ok(Vec::new());
    }
    let first = *schemas.iter().next().ok_or("no error responses")?;
    let reference = shape(doc, &json!({"$ref": first}), 0);
    for other in &schemas {
        if shape(doc, &json!({"$ref": other}), 0) != reference {
            return Err(format!(
                "shared-error-schema: error bodies {first} and {other} differ in shape; progenitor needs one error \
                 schema per operation: make them identical in {OVERLAY_PATH} or upstream"
            ));
        }
    }
    // ErrorResponse + ErrorDetail from the first schema.
    let base = spec::resolve(doc, first).cloned().ok_or(format!("{first}: not defined"))?;
    let mut response = base.clone();
    let detail_ref = base.pointer("/properties/error/$ref").and_then(Value::as_str).map(str::to_owned);
    if let Some(detail_ref) = &detail_ref {
        let detail = spec::resolve(doc, detail_ref).cloned().ok_or(format!("{detail_ref}: not defined"))?;
        let mut detail = detail.as_object().cloned().unwrap_or_default();
        detail.insert(
            "description".into(),
            json!("What went wrong: an HTTP-like status code, a message and optional details."),
        );
        detail.remove("example");
        response["properties"]["error"] = json!({"$ref": "#/components/schemas/ErrorDetail"});
        doc["components"]["schemas"]["ErrorDetail"] = Value::Object(detail);
    }
    response["description"] = json!("The error body of every documented error status.");
    if let Some(map) = response.as_object_mut() {
        map.remove("example");
    }
    doc["components"]["schemas"]["ErrorResponse"] = response;

    let mut report = Vec::new();
    let mut statuses: BTreeSet<String> = BTreeSet::new();
    for (pointer, status, _) in &errors {
        let name = response_name(status);
        if statuses.insert(status.clone()) {
            let mut shared = doc.pointer(pointer).cloned().unwrap_or(Value::Null);
            shared["content"]["application/json"]["schema"] = json!({"$ref": "#/components/schemas/ErrorResponse"});
            doc["components"]
                .as_object_mut()
                .ok_or("/components: not an object")?
                .entry("responses")
                .or_insert_with(|| json!({}))[&name] = shared;
        }
        if let Some(node) = doc.pointer_mut(pointer) {
            *node = json!({"$ref": format!("#/components/responses/{name}")});
        }
    }
    report.push(format!("{} error response(s) now share ErrorResponse via components/responses", errors.len()));
    // Drop the per-status schemas (and their detail schemas) when nothing outside them references them.
    let mut replaced: BTreeSet<String> = BTreeSet::new();
    for schema in &schemas {
        let name = schema.trim_start_matches("#/components/schemas/").to_owned();
        let detail = doc.pointer(&spec::pointer(["components", "schemas", &name, "properties", "error", "$ref"]));
        if let Some(detail) = detail.and_then(Value::as_str) {
            replaced.insert(detail.trim_start_matches("#/components/schemas/").to_owned());
        }
        replaced.insert(name);
    }
    let mut outside: Vec<(String, String)> = Vec::new();
    refs_in(&doc["paths"], &mut outside);
    for (kind, entries) in doc["components"].as_object().into_iter().flatten() {
        for (name, node) in entries.as_object().into_iter().flatten() {
            if !(kind == "schemas" && replaced.contains(name)) {
                refs_in(node, &mut outside);
            }
        }
    }
    if outside.iter().all(|(kind, name)| kind != "schemas" || !replaced.contains(name)) {
        if let Some(all) = doc.pointer_mut("/components/schemas").and_then(Value::as_object_mut) {
            for name in &replaced {
                all.remove(name);
            }
        }
        report.push(format!("replaced {}", replaced.into_iter().collect::<Vec<_>>().join(", ")));
    }
    Ok(report)
}

/// The order top-level and operation keys are written in; every other object is written in alphabetical order.
const TOP_LEVEL: &[&str] = &["openapi", "info", "servers", "security", "tags", "paths", "components"];
const OPERATION: &[&str] =
    &["operationId", "summary", "description", "tags", "parameters", "requestBody", "responses", "security"];

/// Writes `doc` as YAML with a stable key order: the usual OpenAPI order at the top level and in operations,
/// alphabetical elsewhere. The same document always gives the same bytes.
///
/// Strings that a YAML 1.1 reader would take for a timestamp (`2025-08-24T10:30:00Z`; PyYAML does, and so
/// schemathesis would) are quoted, and the text is read back to check that it says exactly `doc`.
pub fn to_yaml(doc: &Value, header: &str) -> Result<String, String> {
    let ordered = order(doc, &mut Vec::new());
    let body = serde_yaml::to_string(&ordered).map_err(|e| format!("cannot write YAML: {e}"))?;
    let body = quote_timestamps(&body);
    let read_back = spec::parse_tree(&body)?;
    if read_back != *doc {
        return Err("the YAML written does not read back as the same document (a bug of the writer)".to_owned());
    }
    Ok(format!("{header}{body}"))
}

/// Quotes plain scalars that look like YAML 1.1 timestamps, as values of a mapping or items of a sequence.
fn quote_timestamps(yaml: &str) -> String {
    static TIMESTAMP: std::sync::LazyLock<Option<regex_lite::Regex>> = std::sync::LazyLock::new(|| {
        regex_lite::Regex::new(
            r"^(\s*(?:- )*(?:[A-Za-z0-9_$.-]+: )?)([0-9]{4}-[0-9]{1,2}-[0-9]{1,2}(?:[Tt ][0-9:.]+(?:Z|[+-][0-9:]+)?)?)$",
        )
        .ok()
    });
    let Some(re) = TIMESTAMP.as_ref() else { return yaml.to_owned() };
    let mut out = String::with_capacity(yaml.len() + 64);
    for line in yaml.lines() {
        match re.captures(line) {
            Some(c) => {
                out.push_str(&c[1]);
                out.push('\'');
                out.push_str(&c[2]);
                out.push('\'');
            }
            None => out.push_str(line),
        }
        out.push('\n');
    }
    out
}

fn order(node: &Value, path: &mut Vec<String>) -> serde_yaml::Value {
    match node {
        Value::Object(map) => {
            let preferred: &[&str] = match path.as_slice() {
                [] => TOP_LEVEL,
                [p, _, m] if p == "paths" && spec::METHODS.contains(&m.as_str()) => OPERATION,
                _ => &[],
            };
            let mut keys: Vec<&String> = map.keys().collect();
            keys.sort_by_key(|k| (preferred.iter().position(|p| p == k).unwrap_or(usize::MAX), k.as_str()));
            let mut out = serde_yaml::Mapping::new();
            for key in keys {
                path.push(key.clone());
                out.insert(serde_yaml::Value::String(key.clone()), order(&map[key], path));
                path.pop();
            }
            serde_yaml::Value::Mapping(out)
        }
        Value::Array(items) => serde_yaml::Value::Sequence(
            items
                .iter()
                .map(|v| {
                    path.push("[]".into());
                    let v = order(v, path);
                    path.pop();
                    v
                })
                .collect(),
        ),
        other => serde_yaml::to_value(other).unwrap_or(serde_yaml::Value::Null),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn error_schema(name: &str, example_code: u16) -> Value {
        json!({
            "type": "object", "required": ["error"], "description": format!("{name} body"),
            "example": {"error": {"code": example_code, "message": "m"}},
            "properties": {
                "error": {"$ref": format!("#/components/schemas/{name}ResponseErrorData")},
                "user_id": {"type": ["string", "null"]}
            }
        })
    }

    fn upstream() -> Value {
        let data = json!({"type": "object", "required": ["code", "message"], "properties": {
            "code": {"type": "integer"}, "message": {"type": "string"}}});
        let response = |name: &str, status: u16| {
            json!({"description": format!("{name}!"), "content": {"application/json": {
                "example": {"error": {"code": status, "message": name}},
                "schema": {"$ref": format!("#/components/schemas/{name}Response")}}}})
        };
        json!({
            "openapi": "3.1.0", "info": {"title": "All", "version": "1"},
            "security": [{"apiKey": []}],
            "tags": [{"name": "Workspaces"}, {"name": "Chat"}],
            "paths": {
                "/workspaces/{id}": {"get": {"operationId": "getW", "tags": ["Workspaces"], "responses": {
                    "200": {"description": "ok", "content": {"application/json": {"schema": {"$ref": "#/components/schemas/W"}}}},
                    "404": response("NotFound", 404),
                    "500": response("Internal", 500)
                }}},
                "/workspaces-archive": {"get": {"operationId": "other", "responses": {}}},
                "/keys": {"get": {"operationId": "list", "responses": {}}, "post": {"operationId": "createKeys", "responses": {}}},
                "/keys/{hash}": {"get": {"operationId": "getKey", "responses": {}}},
                "/keys/{hash}/rotate": {"post": {"operationId": "rotateKey", "responses": {}}},
                "/guardrails": {"get": {"operationId": "listGuardrails", "responses": {}}},
                "/guardrails/{id}": {
                    "parameters": [{"name": "id", "in": "path", "required": true, "schema": {"type": "string"}}],
                    "get": {"operationId": "getGuardrail", "responses": {}},
                    "patch": {"operationId": "updateGuardrail", "responses": {}},
                    "delete": {"operationId": "deleteGuardrail", "responses": {}}
                },
                "/chat": {"post": {"operationId": "chat", "tags": ["Chat"], "responses": {
                    "200": {"description": "ok", "content": {"application/json": {"schema": {"$ref": "#/components/schemas/Chat"}}}}
                }}}
            },
            "components": {
                "securitySchemes": {"apiKey": {"type": "http", "scheme": "bearer"}, "unused": {"type": "http", "scheme": "basic"}},
                "schemas": {
                    "W": {"type": "object", "properties": {"d": {"type": ["string", "null"]}, "m": {"$ref": "#/components/schemas/M"}}},
                    "M": {"type": "string", "enum": ["a", "b"]},
                    "Chat": {"type": "object"},
                    "NotFoundResponse": error_schema("NotFound", 404),
                    "NotFoundResponseErrorData": data,
                    "InternalResponse": error_schema("Internal", 500),
                    "InternalResponseErrorData": data
                }
            }
        })
    }

    #[test]
    fn extract_keeps_the_selected_paths_and_what_they_reach() {
        let doc = extract(&upstream(), SELECTION).unwrap();
        let paths: Vec<&String> = doc["paths"].as_object().unwrap().keys().collect();
        // /workspaces-archive shares the prefix but not the segment; /keys/{hash}/rotate is below an exact path;
        // /guardrails is not selected.
        assert_eq!(paths, ["/guardrails/{id}", "/keys", "/keys/{hash}", "/workspaces/{id}"]);
        let guardrail = doc["paths"]["/guardrails/{id}"].as_object().unwrap();
        let kept: Vec<&String> = guardrail.keys().collect();
        assert_eq!(kept, ["get", "parameters", "patch"], "only the selected methods, and the path's parameters");
        assert_eq!(doc["paths"]["/keys"].as_object().unwrap().len(), 2, "every method of /keys");
        let schemas: Vec<&String> = doc["components"]["schemas"].as_object().unwrap().keys().collect();
        assert_eq!(
            schemas,
            [
                "InternalResponse",
                "InternalResponseErrorData",
                "M",
                "NotFoundResponse",
                "NotFoundResponseErrorData",
                "W"
            ]
        );
        assert_eq!(doc["components"]["securitySchemes"].as_object().unwrap().len(), 1, "only the used scheme");
        assert_eq!(doc["tags"], json!([{"name": "Workspaces"}]));
        let nothing = [Select { path: "/nothing", subtree: true, methods: None }];
        assert!(extract(&upstream(), &nothing).unwrap_err().contains("nothing matches /nothing/** of the upstream"));
        let no_method = [Select { path: "/guardrails", subtree: false, methods: Some(&["patch"]) }];
        let err = extract(&upstream(), &no_method).unwrap_err();
        assert!(err.contains("nothing matches /guardrails (patch)"), "{err}");
    }

    #[test]
    fn identical_error_schemas_become_one_with_a_response_per_status() {
        let (doc, report) = import(&upstream(), None).unwrap();
        assert!(report.iter().any(|l| l.contains("2 error response(s) now share ErrorResponse")), "{report:?}");
        let responses = &doc["paths"]["/workspaces/{id}"]["get"]["responses"];
        assert_eq!(responses["404"], json!({"$ref": "#/components/responses/NotFound"}));
        assert_eq!(responses["500"], json!({"$ref": "#/components/responses/InternalServerError"}));
        let shared = &doc["components"]["responses"]["NotFound"];
        assert_eq!(shared["description"], "NotFound!");
        assert_eq!(shared["content"]["application/json"]["example"]["error"]["code"], 404);
        let schemas = doc["components"]["schemas"].as_object().unwrap();
        let names: Vec<&String> = schemas.keys().collect();
        assert_eq!(names, ["ErrorDetail", "ErrorResponse", "M", "W"]);
        assert_eq!(
            schemas["ErrorResponse"]["properties"]["error"],
            json!({"$ref": "#/components/schemas/ErrorDetail"})
        );
        assert_eq!(schemas["ErrorResponse"]["properties"]["user_id"], json!({"type": "string", "nullable": true}));
        assert_eq!(doc["openapi"], "3.0.3");
    }

    #[test]
    fn error_schemas_of_different_shapes_are_refused() {
        let mut up = upstream();
        up["components"]["schemas"]["InternalResponse"]["properties"]["extra"] = json!({"type": "string"});
        let err = import(&up, None).unwrap_err();
        assert!(err.contains("InternalResponse and #/components/schemas/NotFoundResponse differ in shape"), "{err}");
    }

    #[test]
    fn timestamps_are_quoted_for_yaml_1_1_readers_and_nothing_else_is() {
        let doc =
            json!({"a": "2025-08-24T10:30:00Z", "b": ["2025-08-24", "x 2025-08-24"], "c": "2025-08-24T10:30:00Z x"});
        let yaml = to_yaml(&doc, "").unwrap();
        assert!(yaml.contains("a: '2025-08-24T10:30:00Z'\n"), "{yaml}");
        assert!(yaml.contains("- '2025-08-24'\n"), "{yaml}");
        assert!(yaml.contains("- x 2025-08-24\n") && yaml.contains("c: 2025-08-24T10:30:00Z x\n"), "{yaml}");
    }

    #[test]
    fn output_is_ordered_and_deterministic() {
        let (doc, _) = import(&upstream(), None).unwrap();
        let yaml = to_yaml(&doc, "# header\n").unwrap();
        assert!(yaml.starts_with("# header\nopenapi: 3.0.3\ninfo:"), "{yaml}");
        // In an operation, operationId comes first and responses after (alphabetical order would invert them).
        let op = yaml.find("operationId: getW").unwrap();
        let rest = yaml.get(op..).unwrap();
        assert!(rest.find("responses:").is_some_and(|r| rest.find("tags:").is_some_and(|t| t < r)), "{rest}");
        assert_eq!(to_yaml(&import(&upstream(), None).unwrap().0, "# header\n").unwrap(), yaml);
    }
}
