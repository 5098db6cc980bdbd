//! Transformations of the spec that a clean client needs, applied in memory before progenitor sees it. The
//! checked-in spec stays a faithful description of the API; these only shape what is generated from it.
//!
//! Each transform edits the JSON tree and returns a line per change, so `cargo xtask regenerate` can say what it
//! did and tests can check it.

use serde_json::Value;

use crate::spec;

/// A transform: a name (for tests and reports) and the edit.
pub type Transform = (&'static str, fn(&mut Value) -> Vec<String>);

/// Every transform, in the order they run.
pub const TRANSFORMS: &[Transform] = &[
    ("per-client-headers", per_client_headers),
    ("plain-string-ids", plain_string_ids),
    ("plain-string-timestamps", plain_string_timestamps),
    ("unconstrained-string-params", unconstrained_string_params),
    ("plain-model-types", plain_model_types),
    ("keep-unknown-fields", keep_unknown_fields),
];

/// Applies every transform; returns what each changed.
pub fn apply_all(tree: &mut Value) -> Vec<String> {
    TRANSFORMS
        .iter()
        .flat_map(|(name, transform)| transform(tree).into_iter().map(move |line| format!("{name}: {line}")))
        .collect()
}

/// Optional header parameters (the attribution headers `HTTP-Referer`, `X-OpenRouter-Title`,
/// `X-OpenRouter-Categories`) are set once per client by the library, not passed to every call: drop them from
/// the operations so the generated methods do not take three `Option<&str>` arguments each.
pub fn per_client_headers(tree: &mut Value) -> Vec<String> {
    let snapshot = tree.clone();
    let is_optional_header = |param: &Value| {
        spec::deref(&snapshot, param).is_some_and(|p| {
            p.get("in").and_then(Value::as_str) == Some("header")
                && !p.get("required").and_then(Value::as_bool).unwrap_or(false)
        })
    };
    let mut changes = Vec::new();
    let Some(paths) = tree.get_mut("paths").and_then(Value::as_object_mut) else { return changes };
    for (path, item) in paths.iter_mut() {
        for method in spec::METHODS {
            let Some(op) = item.get_mut(method) else { continue };
            let id = op.get("operationId").and_then(Value::as_str).unwrap_or(path).to_owned();
            let Some(params) = op.get_mut("parameters").and_then(Value::as_array_mut) else { continue };
            let before = params.len();
            params.retain(|p| !is_optional_header(p));
            if params.len() != before {
                changes.push(format!("{id}: {} optional header parameter(s) set per client", before - params.len()));
            }
        }
    }
    changes
}

/// `format: uuid` would make ids `uuid::Uuid`, and one malformed id from the server would then fail a whole
/// response. Ids are opaque to callers (and a slug is accepted wherever an id is), so keep them plain strings.
pub fn plain_string_ids(tree: &mut Value) -> Vec<String> {
    let mut changes = Vec::new();
    strip_format(tree, &mut String::new(), "uuid", &mut changes);
    changes
}

/// `format: date-time` would make timestamps `chrono::DateTime` (a dependency for one field, an API key's
/// `expires_at`), and one timestamp the server writes differently would fail a whole response. Every other
/// timestamp of the API is a plain ISO 8601 string already; these stay plain strings too.
pub fn plain_string_timestamps(tree: &mut Value) -> Vec<String> {
    let mut changes = Vec::new();
    strip_format(tree, &mut String::new(), "date-time", &mut changes);
    changes
}

/// A constrained string parameter (`minLength: 1`) becomes a validated newtype per operation (`GetWorkspaceId`,
/// `DeleteWorkspaceId`, `ListApiKeysWorkspaceId`, ...). The library checks every parameter against the spec's
/// constraints itself before sending (path ids more strictly: no `.`/`..`, no `/` or control characters), with
/// better errors, so path and query string parameters are generated as plain `&str`.
pub fn unconstrained_string_params(tree: &mut Value) -> Vec<String> {
    const CONSTRAINTS: [&str; 3] = ["minLength", "maxLength", "pattern"];
    let mut changes = Vec::new();
    let mut strip = |at: String, param: &mut Value| {
        if !matches!(param.get("in").and_then(Value::as_str), Some("path" | "query")) {
            return;
        }
        if let Some(schema) = param.get_mut("schema").and_then(Value::as_object_mut) {
            for key in CONSTRAINTS {
                if schema.remove(key).is_some() {
                    changes.push(format!("{at}/schema: `{key}` left to the library's id validation"));
                }
            }
        }
    };
    if let Some(params) = tree.pointer_mut("/components/parameters").and_then(Value::as_object_mut) {
        for (name, param) in params.iter_mut() {
            strip(spec::pointer(["components", "parameters", name]), param);
        }
    }
    if let Some(paths) = tree.get_mut("paths").and_then(Value::as_object_mut) {
        for (path, item) in paths.iter_mut() {
            for method in spec::METHODS {
                let Some(params) = item.get_mut(method).and_then(|op| op.get_mut("parameters")) else { continue };
                let Some(params) = params.as_array_mut() else { continue };
                for (i, param) in params.iter_mut().enumerate() {
                    strip(format!("{}/{i}", spec::pointer(["paths", path, method, "parameters"])), param);
                }
            }
        }
    }
    changes
}

/// What typify turns into a type of its own, per JSON type: a constrained string becomes a validated newtype
/// (`maxLength: 100` on `Workspace.name` makes it a `WorkspaceName`), a known string `format` a foreign type
/// (`date-time`: chrono, `uuid`: `uuid::Uuid`), integer bounds and formats pick the integer type (`minimum: 1`:
/// `NonZeroU64`, `minimum: 0`: `u64`, `int32`: `i32`), `format: float` an `f32`, `uniqueItems` a set and
/// `minItems == maxItems` a fixed-size array.
const TYPE_SHAPING: &[(&str, &[&str])] = &[
    ("string", &["minLength", "maxLength", "pattern", "format"]),
    ("integer", &["minimum", "maximum", "exclusiveMinimum", "exclusiveMaximum", "multipleOf", "format"]),
    ("number", &["minimum", "maximum", "exclusiveMinimum", "exclusiveMaximum", "multipleOf", "format"]),
    ("array", &["minItems", "maxItems", "uniqueItems"]),
];

/// The models progenitor generates (every component schema, and the schemas of responses) keep plain types
/// whatever constraints upstream documents: `String`, `i64`, `f64`, `Vec<T>`. A constraint added to a response
/// property is documentation of what the server sends, and must not change the Rust type users read (a breaking
/// change) nor make a whole response fail to decode. The constraints stay in the spec: the library's request
/// builders and the fake validate them from it (`generated/tables.rs` is built from the untransformed spec), and
/// request bodies are the library's builders anyway (progenitor's replacements). Parameters are unconstrained-string-params' concern.
pub fn plain_model_types(tree: &mut Value) -> Vec<String> {
    let mut changes = Vec::new();
    if let Some(schemas) = tree.pointer_mut("/components/schemas").and_then(Value::as_object_mut) {
        for (name, schema) in schemas.iter_mut() {
            plain_schema(schema, &mut spec::pointer(["components", "schemas", name]), &mut changes);
        }
    }
    let strip_content = |at: String, response: &mut Value, changes: &mut Vec<String>| {
        let Some(content) = response.get_mut("content").and_then(Value::as_object_mut) else { return };
        for (media, body) in content.iter_mut() {
            if let Some(schema) = body.get_mut("schema") {
                plain_schema(schema, &mut format!("{at}/content/{}/schema", spec::escape_segment(media)), changes);
            }
        }
    };
    if let Some(responses) = tree.pointer_mut("/components/responses").and_then(Value::as_object_mut) {
        for (name, response) in responses.iter_mut() {
            strip_content(spec::pointer(["components", "responses", name]), response, &mut changes);
        }
    }
    if let Some(paths) = tree.get_mut("paths").and_then(Value::as_object_mut) {
        for (path, item) in paths.iter_mut() {
            for method in spec::METHODS {
                let Some(responses) = item.get_mut(method).and_then(|op| op.get_mut("responses")) else { continue };
                let Some(responses) = responses.as_object_mut() else { continue };
                for (status, response) in responses.iter_mut() {
                    strip_content(spec::pointer(["paths", path, method, "responses", status]), response, &mut changes);
                }
            }
        }
    }
    changes
}

/// Strips [`TYPE_SHAPING`] keywords from a schema and every schema inside it (never from examples).
fn plain_schema(schema: &mut Value, at: &mut String, changes: &mut Vec<String>) {
    let Some(map) = schema.as_object_mut() else { return };
    let ty = map.get("type").and_then(Value::as_str).unwrap_or("").to_owned();
    if let Some((_, keys)) = TYPE_SHAPING.iter().find(|(t, _)| *t == ty) {
        let stripped: Vec<&str> = keys.iter().copied().filter(|k| map.remove(*k).is_some()).collect();
        if !stripped.is_empty() {
            changes.push(format!("{at}: {} kept out of the {ty}'s Rust type", stripped.join(", ")));
        }
    }
    for (key, node) in map.iter_mut() {
        let children: Vec<(String, &mut Value)> = match (key.as_str(), node) {
            ("items" | "additionalProperties" | "not", node) => vec![(key.clone(), node)],
            ("properties", Value::Object(properties)) => properties
                .iter_mut()
                .map(|(name, property)| (format!("properties/{}", spec::escape_segment(name)), property))
                .collect(),
            ("allOf" | "anyOf" | "oneOf", Value::Array(members)) => {
                members.iter_mut().enumerate().map(|(i, member)| (format!("{key}/{i}"), member)).collect()
            }
            _ => Vec::new(),
        };
        for (relative, child) in children {
            let len = at.len();
            at.push('/');
            at.push_str(&relative);
            plain_schema(child, at, changes);
            at.truncate(len);
        }
    }
}

/// The API grows: a response object may carry fields this SDK does not know yet. Without `additionalProperties`
/// the generated structs accept them and throw them away. Every object schema reachable from a response gets
/// `additionalProperties: {}`, which progenitor turns into a flattened `extra` map, so unknown fields are kept
/// (and serialized back). Request-only schemas are left alone: callers never fill an `extra` map.
pub fn keep_unknown_fields(tree: &mut Value) -> Vec<String> {
    let mut roots = Vec::new();
    collect_refs(tree.pointer("/components/responses").unwrap_or(&Value::Null), &mut roots);
    if let Some(paths) = tree.get("paths").and_then(Value::as_object) {
        for item in paths.values() {
            for method in spec::METHODS {
                collect_refs(item.pointer(&format!("/{method}/responses")).unwrap_or(&Value::Null), &mut roots);
            }
        }
    }
    // Everything the responses reach, transitively.
    let mut reached: Vec<String> = Vec::new();
    while let Some(name) = roots.pop() {
        if reached.contains(&name) {
            continue;
        }
        if let Some(schema) = tree.pointer(&spec::pointer(["components", "schemas", &name])) {
            collect_refs(schema, &mut roots);
        }
        reached.push(name);
    }
    reached.sort();
    let mut changes = Vec::new();
    for name in reached {
        let Some(schema) = tree.pointer_mut(&spec::pointer(["components", "schemas", &name])) else { continue };
        let Some(map) = schema.as_object_mut() else { continue };
        if map.contains_key("properties") && !map.contains_key("additionalProperties") {
            map.insert("additionalProperties".to_owned(), Value::Object(Default::default()));
            changes.push(format!("{name}: unknown fields kept in `extra`"));
        }
    }
    changes
}

/// Names of the component schemas referenced anywhere under `node`.
fn collect_refs(node: &Value, out: &mut Vec<String>) {
    match node {
        Value::Object(map) => {
            if let Some(name) =
                map.get("$ref").and_then(Value::as_str).and_then(|r| r.strip_prefix("#/components/schemas/"))
            {
                out.push(name.to_owned());
            }
            map.values().for_each(|v| collect_refs(v, out));
        }
        Value::Array(items) => items.iter().for_each(|v| collect_refs(v, out)),
        _ => {}
    }
}

fn strip_format(node: &mut Value, at: &mut String, format: &str, changes: &mut Vec<String>) {
    match node {
        Value::Object(map) => {
            if map.get("format").and_then(Value::as_str) == Some(format) {
                map.remove("format");
                changes.push(format!("{at}: format `{format}` dropped"));
            }
            for (k, v) in map.iter_mut() {
                let len = at.len();
                at.push('/');
                at.push_str(&spec::escape_segment(k));
                strip_format(v, at, format, changes);
                at.truncate(len);
            }
        }
        Value::Array(items) => {
            for (i, v) in items.iter_mut().enumerate() {
                let len = at.len();
                at.push_str(&format!("/{i}"));
                strip_format(v, at, format, changes);
                at.truncate(len);
            }
        }
        _ => {}
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn optional_headers_are_removed_and_other_parameters_kept() {
        let mut doc = json!({
            "paths": {"/w/{id}": {"get": {
                "operationId": "getW",
                "parameters": [
                    {"$ref": "#/components/parameters/Referer"},
                    {"name": "X-Required", "in": "header", "required": true, "schema": {"type": "string"}},
                    {"name": "id", "in": "path", "required": true, "schema": {"type": "string"}},
                    {"name": "X-Inline", "in": "header", "schema": {"type": "string"}}
                ]
            }}},
            "components": {"parameters": {"Referer": {"name": "HTTP-Referer", "in": "header", "required": false}}}
        });
        let changes = per_client_headers(&mut doc);
        assert_eq!(changes, ["getW: 2 optional header parameter(s) set per client"]);
        let names: Vec<&str> = doc["paths"]["/w/{id}"]["get"]["parameters"]
            .as_array()
            .unwrap()
            .iter()
            .map(|p| p["name"].as_str().unwrap())
            .collect();
        assert_eq!(names, ["X-Required", "id"]);
        // The component itself stays: the spec still documents the header.
        assert!(doc["components"]["parameters"]["Referer"].is_object());
    }

    #[test]
    fn uuid_formats_are_dropped_everywhere_and_other_formats_kept() {
        let mut doc = json!({"components": {"schemas": {"W": {"properties": {
            "id": {"type": "string", "format": "uuid"},
            "rate": {"type": "number", "format": "double"},
            "list": {"type": "array", "items": {"type": "string", "format": "uuid"}}
        }}}}});
        let changes = plain_string_ids(&mut doc);
        assert_eq!(changes.len(), 2, "{changes:?}");
        assert!(changes.contains(&"/components/schemas/W/properties/id: format `uuid` dropped".to_owned()));
        assert_eq!(doc["components"]["schemas"]["W"]["properties"]["id"], json!({"type": "string"}));
        assert_eq!(doc["components"]["schemas"]["W"]["properties"]["rate"]["format"], "double");
        assert_eq!(doc["components"]["schemas"]["W"]["properties"]["list"]["items"], json!({"type": "string"}));
    }

    #[test]
    fn date_time_formats_are_dropped() {
        let mut doc = json!({"components": {"schemas": {"K": {"properties": {
            "expires_at": {"type": "string", "format": "date-time", "nullable": true},
            "id": {"type": "string", "format": "uuid"}
        }}}}});
        assert_eq!(plain_string_timestamps(&mut doc).len(), 1);
        let props = &doc["components"]["schemas"]["K"]["properties"];
        assert_eq!(props["expires_at"], json!({"type": "string", "nullable": true}));
        assert_eq!(props["id"]["format"], "uuid");
    }

    #[test]
    fn string_parameter_constraints_are_dropped_and_number_constraints_kept() {
        let mut doc = json!({
            "paths": {"/w/{id}": {"get": {"parameters": [
                {"name": "id", "in": "path", "schema": {"type": "string", "minLength": 1}},
                {"name": "limit", "in": "query", "schema": {"type": "integer", "minimum": 1, "maximum": 100}},
                {"name": "ws", "in": "query", "schema": {"type": "string", "minLength": 1}}
            ]}}},
            "components": {"parameters": {"Ref": {"name": "r", "in": "path", "schema": {"type": "string", "pattern": "x", "minLength": 1}}}}
        });
        let changes = unconstrained_string_params(&mut doc);
        assert_eq!(changes.len(), 4, "{changes:?}");
        assert_eq!(doc["paths"]["/w/{id}"]["get"]["parameters"][0]["schema"], json!({"type": "string"}));
        assert_eq!(doc["paths"]["/w/{id}"]["get"]["parameters"][1]["schema"]["maximum"], 100);
        assert_eq!(doc["paths"]["/w/{id}"]["get"]["parameters"][2]["schema"], json!({"type": "string"}));
        assert_eq!(doc["components"]["parameters"]["Ref"]["schema"], json!({"type": "string"}));
    }

    #[test]
    fn response_objects_keep_unknown_fields_and_request_objects_do_not() {
        let mut doc = json!({
            "paths": {"/w": {"post": {
                "requestBody": {"content": {"application/json": {"schema": {"$ref": "#/components/schemas/Req"}}}},
                "responses": {
                    "201": {"content": {"application/json": {"schema": {"$ref": "#/components/schemas/Resp"}}}},
                    "400": {"$ref": "#/components/responses/Bad"}
                }
            }}},
            "components": {
                "responses": {"Bad": {"content": {"application/json": {"schema": {"$ref": "#/components/schemas/Err"}}}}},
                "schemas": {
                    "Req": {"type": "object", "properties": {"name": {"type": "string"}}},
                    "Resp": {"type": "object", "properties": {"data": {"$ref": "#/components/schemas/Item"}}},
                    "Item": {"type": "object", "properties": {"role": {"$ref": "#/components/schemas/Role"}}},
                    "Role": {"type": "string", "enum": ["a"]},
                    "Err": {"type": "object", "properties": {"m": {"type": "string"}}, "additionalProperties": false}
                }
            }
        });
        let changes = keep_unknown_fields(&mut doc);
        assert_eq!(changes, ["Item: unknown fields kept in `extra`", "Resp: unknown fields kept in `extra`"]);
        let schemas = &doc["components"]["schemas"];
        assert_eq!(schemas["Resp"]["additionalProperties"], json!({}));
        assert_eq!(schemas["Item"]["additionalProperties"], json!({}));
        assert!(schemas["Req"].get("additionalProperties").is_none(), "request-only schema changed");
        assert!(schemas["Role"].get("additionalProperties").is_none(), "enum changed");
        assert_eq!(schemas["Err"]["additionalProperties"], json!(false), "an explicit choice was overridden");
    }

    #[test]
    fn model_types_lose_what_would_change_their_rust_type_and_keep_the_rest() {
        let mut doc = json!({
            "paths": {"/w": {"get": {
                "parameters": [{"name": "limit", "in": "query", "schema": {"type": "integer", "minimum": 1}}],
                "responses": {"200": {"content": {"application/json": {"schema": {
                    "type": "object", "properties": {"n": {"type": "integer", "minimum": 0}}
                }}}}}
            }}},
            "components": {"schemas": {"W": {
                "type": "object",
                "example": {"name": "x"},
                "properties": {
                    "name": {"type": "string", "maxLength": 100, "description": "kept", "example": "x"},
                    "email": {"type": "string", "nullable": true, "maxLength": 254, "format": "email"},
                    "at": {"type": "string", "format": "date-time"},
                    "ids": {"type": "array", "uniqueItems": true, "minItems": 1, "maxItems": 1,
                            "items": {"type": "integer", "format": "int32", "minimum": 1}},
                    "rate": {"type": "number", "format": "float", "minimum": 0, "exclusiveMinimum": true},
                    "both": {"allOf": [{"$ref": "#/components/schemas/S"}, {"description": "d"}]},
                    "role": {"type": "string", "enum": ["a", "b"]}
                }
            }, "S": {"type": "string", "pattern": "^a$"}}}
        });
        let changes = plain_model_types(&mut doc);
        let w = &doc["components"]["schemas"]["W"]["properties"];
        assert_eq!(w["name"], json!({"type": "string", "description": "kept", "example": "x"}));
        assert_eq!(w["email"], json!({"type": "string", "nullable": true}));
        assert_eq!(w["at"], json!({"type": "string"}));
        assert_eq!(w["ids"], json!({"type": "array", "items": {"type": "integer"}}));
        assert_eq!(w["rate"], json!({"type": "number"}));
        assert_eq!(w["role"], json!({"type": "string", "enum": ["a", "b"]}), "enums are the open enums' business");
        assert_eq!(doc["components"]["schemas"]["S"], json!({"type": "string"}));
        let op = &doc["paths"]["/w"]["get"];
        assert_eq!(
            op["responses"]["200"]["content"]["application/json"]["schema"]["properties"]["n"],
            json!({"type": "integer"})
        );
        assert_eq!(op["parameters"][0]["schema"]["minimum"], 1, "query parameters keep their constraints");
        assert!(
            changes.contains(
                &"/components/schemas/W/properties/email: maxLength, format kept out of the string's Rust type"
                    .to_owned()
            ),
            "{changes:?}"
        );
        assert_eq!(changes.len(), 8, "{changes:#?}");
        assert_eq!(plain_model_types(&mut doc), Vec::<String>::new(), "idempotent");
    }

    #[test]
    fn transforms_are_idempotent() {
        let mut doc = json!({"paths": {}, "components": {"schemas": {"W": {"type": "string", "format": "uuid"}}}});
        assert_eq!(apply_all(&mut doc).len(), 1);
        assert_eq!(apply_all(&mut doc), Vec::<String>::new());
    }
}
