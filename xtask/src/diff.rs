//! `cargo xtask diff-spec <old> <new>`: what changed between two versions of the API, field by field, and whether
//! each change breaks this SDK's users.
//!
//! Operations are matched by `operationId`, parameters by location and name (path parameters by position, so a
//! renamed one is reported as a rename), schemas structurally through `$ref`s (a change inside `Workspace` is
//! reported once, as `Workspace.field`, however many operations use it). Descriptions, examples, key order and how
//! a document factors its components (inline or `$ref`, `allOf` of one schema) are not changes.
//!
//! Breaking means: code written against the old SDK may stop compiling or start failing at runtime.
//! - requests: a removed operation, field or parameter; a new required one; a tighter constraint; a removed
//!   enum value; a changed type; optional or nullable becoming required or non-null;
//! - responses: a removed field; a required field becoming optional or nullable; a changed type.
//!
//! New operations, optional fields and parameters, error statuses, response enum values (the SDK's enums are
//! open), looser request constraints and any response constraint are compatible.

use std::collections::{BTreeMap, BTreeSet};

use serde::Serialize;
use serde_json::Value;

use crate::spec;

/// One difference between the two documents.
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord, Serialize)]
pub struct Change {
    /// Whether it breaks the SDK's users (see the module docs).
    pub breaking: bool,
    /// Where: an operation id, `Schema.field.path`, or `document`.
    pub location: String,
    /// What changed, as a sentence.
    pub change: String,
}

#[derive(Clone, Copy, PartialEq)]
enum Direction {
    Request,
    Response,
}

/// Compares two 3.0 documents. Changes are sorted (breaking first) and deduplicated.
pub fn diff(old: &Value, new: &Value) -> Vec<Change> {
    let mut cx = Cx { old, new, out: BTreeSet::new() };
    cx.document();
    let mut changes: Vec<Change> = cx.out.into_iter().collect();
    changes.sort_by(|a, b| {
        b.breaking.cmp(&a.breaking).then_with(|| a.location.cmp(&b.location)).then(a.change.cmp(&b.change))
    });
    changes
}

/// Renders changes as text, one per line, with a summary line.
pub fn render_text(changes: &[Change]) -> String {
    let mut out = String::new();
    for c in changes {
        let tag = if c.breaking { "BREAKING  " } else { "compatible" };
        out.push_str(&format!("{tag}  {}: {}\n", c.location, c.change));
    }
    let breaking = changes.iter().filter(|c| c.breaking).count();
    out.push_str(&format!("{} change(s), {breaking} breaking\n", changes.len()));
    out
}

/// Renders changes as JSON: `{"breaking": n, "changes": [{"breaking", "location", "change"}]}`.
pub fn render_json(changes: &[Change]) -> String {
    let breaking = changes.iter().filter(|c| c.breaking).count();
    serde_json::to_string_pretty(&serde_json::json!({"breaking": breaking, "changes": changes})).unwrap_or_default()
}

struct Cx<'a> {
    old: &'a Value,
    new: &'a Value,
    out: BTreeSet<Change>,
}

const CONSTRAINTS: &[&str] = &[
    "minLength",
    "maxLength",
    "pattern",
    "minimum",
    "maximum",
    "exclusiveMinimum",
    "exclusiveMaximum",
    "minItems",
    "maxItems",
    "multipleOf",
    "uniqueItems",
];

impl<'a> Cx<'a> {
    fn push(&mut self, breaking: bool, location: &str, change: String) {
        self.out.insert(Change { breaking, location: location.to_owned(), change });
    }

    fn document(&mut self) {
        let servers = |doc: &Value| -> Vec<String> {
            doc.get("servers")
                .and_then(Value::as_array)
                .into_iter()
                .flatten()
                .filter_map(|s| s.get("url").and_then(Value::as_str).map(str::to_owned))
                .collect()
        };
        let (old_servers, new_servers) = (servers(self.old), servers(self.new));
        if old_servers != new_servers {
            self.push(false, "document", format!("servers changed from {old_servers:?} to {new_servers:?}"));
        }
        let ops = |doc: &'a Value| -> BTreeMap<String, spec::OperationRef<'a>> {
            spec::operations(doc).into_iter().map(|op| (op.id().to_owned(), op)).collect()
        };
        let (old_ops, new_ops) = (ops(self.old), ops(self.new));
        for (id, op) in &old_ops {
            if !new_ops.contains_key(id) {
                self.push(true, id, format!("operation removed ({} {})", op.method.to_uppercase(), op.path));
            }
        }
        for (id, op) in &new_ops {
            match old_ops.get(id) {
                None => self.push(false, id, format!("operation added ({} {})", op.method.to_uppercase(), op.path)),
                Some(old) => self.operation(id, old, op),
            }
        }
    }

    fn operation(&mut self, id: &str, old: &spec::OperationRef<'a>, new: &spec::OperationRef<'a>) {
        if old.method != new.method {
            self.push(
                true,
                id,
                format!("method changed from {} to {}", old.method.to_uppercase(), new.method.to_uppercase()),
            );
        }
        let (old_names, old_shape) = template(old.path);
        let (new_names, new_shape) = template(new.path);
        let mut renamed: BTreeMap<String, String> = BTreeMap::new();
        if old_shape != new_shape {
            self.push(true, id, format!("path changed from {} to {}", old.path, new.path));
        } else {
            for (o, n) in old_names.iter().zip(&new_names) {
                if o != n {
                    self.push(
                        false,
                        id,
                        format!("path parameter `{o}` renamed to `{n}` ({} to {})", old.path, new.path),
                    );
                    renamed.insert(o.clone(), n.clone());
                }
            }
        }
        // Parameters, keyed by (in, name), old path names mapped through the renames.
        let params = |doc: &'a Value, op: &spec::OperationRef<'a>, renames: &BTreeMap<String, String>| {
            let mut out: BTreeMap<(String, String), &'a Value> = BTreeMap::new();
            for (_, p) in crate::lint::parameters(doc, op) {
                let Some(p) = spec::deref(doc, p) else { continue };
                let location = p.get("in").and_then(Value::as_str).unwrap_or("?").to_owned();
                let name = p.get("name").and_then(Value::as_str).unwrap_or("?").to_owned();
                let name = if location == "path" { renames.get(&name).cloned().unwrap_or(name) } else { name };
                out.insert((location, name), p);
            }
            out
        };
        let old_params = params(self.old, old, &renamed);
        let new_params = params(self.new, new, &BTreeMap::new());
        for ((place, name), p) in &old_params {
            if !new_params.contains_key(&(place.clone(), name.clone())) {
                let required = p.get("required").and_then(Value::as_bool).unwrap_or(false);
                self.push(
                    true,
                    id,
                    format!("{place} parameter `{name}` removed{}", if required { "" } else { " (it was optional)" }),
                );
            }
        }
        for ((place, name), p) in &new_params {
            let required = p.get("required").and_then(Value::as_bool).unwrap_or(false);
            match old_params.get(&(place.clone(), name.clone())) {
                None => self.push(
                    required,
                    id,
                    format!("{place} parameter `{name}` added ({})", if required { "required" } else { "optional" }),
                ),
                Some(o) => {
                    let was = o.get("required").and_then(Value::as_bool).unwrap_or(false);
                    if was != required {
                        self.push(
                            required,
                            id,
                            format!(
                                "{place} parameter `{name}` is now {}",
                                if required { "required" } else { "optional" }
                            ),
                        );
                    }
                    let loc = format!("{id} {place} parameter `{name}`");
                    self.schema(o.get("schema"), p.get("schema"), &loc, Direction::Request, 0);
                }
            }
        }
        // Request body.
        let body =
            |doc: &'a Value, op: &spec::OperationRef<'a>| op.op.get("requestBody").and_then(|b| spec::deref(doc, b));
        match (body(self.old, old), body(self.new, new)) {
            (Some(_), None) => self.push(true, id, "request body removed".into()),
            (None, Some(b)) => {
                let required = b.get("required").and_then(Value::as_bool).unwrap_or(false);
                self.push(
                    required,
                    id,
                    format!("request body added ({})", if required { "required" } else { "optional" }),
                );
            }
            (Some(o), Some(n)) => {
                let (was, is) =
                    (o.get("required").and_then(Value::as_bool), n.get("required").and_then(Value::as_bool));
                if was.unwrap_or(false) != is.unwrap_or(false) {
                    self.push(
                        is.unwrap_or(false),
                        id,
                        format!("request body is now {}", if is.unwrap_or(false) { "required" } else { "optional" }),
                    );
                }
                let loc = format!("{id} request body");
                self.schema(json_schema(o), json_schema(n), &loc, Direction::Request, 0);
            }
            (None, None) => {}
        }
        // Responses.
        let responses = |doc: &'a Value, op: &spec::OperationRef<'a>| -> BTreeMap<String, &'a Value> {
            op.op
                .get("responses")
                .and_then(Value::as_object)
                .into_iter()
                .flatten()
                .filter_map(|(status, r)| spec::deref(doc, r).map(|r| (status.clone(), r)))
                .collect()
        };
        let (old_responses, new_responses) = (responses(self.old, old), responses(self.new, new));
        let success =
            |r: &BTreeMap<String, &'a Value>| r.keys().filter(|s| s.starts_with('2')).cloned().collect::<Vec<_>>();
        let (old_success, new_success) = (success(&old_responses), success(&new_responses));
        if old_success != new_success {
            self.push(
                false,
                id,
                format!("success status changed from {} to {}", old_success.join("/"), new_success.join("/")),
            );
        }
        for status in old_responses.keys().filter(|s| !s.starts_with('2') && !new_responses.contains_key(*s)) {
            self.push(false, id, format!("error status {status} no longer documented"));
        }
        for status in new_responses.keys().filter(|s| !s.starts_with('2') && !old_responses.contains_key(*s)) {
            self.push(false, id, format!("error status {status} documented"));
        }
        for (status, n) in &new_responses {
            let Some(o) = old_responses.get(status) else {
                // A changed success status: compare the old success body with the new one.
                if let ([old_status], [new_status]) = (old_success.as_slice(), new_success.as_slice())
                    && new_status == status
                {
                    let loc = format!("{id} {status} response");
                    self.schema(json_schema(old_responses[old_status]), json_schema(n), &loc, Direction::Response, 0);
                }
                continue;
            };
            let loc = format!("{id} {status} response");
            self.schema(json_schema(o), json_schema(n), &loc, Direction::Response, 0);
        }
    }

    /// Follows `$ref`s and single-schema `allOf`s; returns the schema, the name of the last component entered, and
    /// whether a wrapper on the way said `nullable`.
    fn resolve(doc: &'a Value, mut node: &'a Value) -> (&'a Value, Option<String>, bool) {
        let mut name = None;
        let mut nullable = false;
        for _ in 0..16 {
            if let Some(r) = node.get("$ref").and_then(Value::as_str) {
                name = r.strip_prefix("#/components/schemas/").map(str::to_owned);
                match spec::resolve(doc, r) {
                    Some(target) => node = target,
                    None => break,
                }
            } else if let Some(only) = single_schema_of_all_of(node) {
                nullable |= node.get("nullable").and_then(Value::as_bool).unwrap_or(false);
                node = only;
            } else {
                break;
            }
        }
        (node, name, nullable)
    }

    fn schema(&mut self, old: Option<&'a Value>, new: Option<&'a Value>, loc: &str, dir: Direction, depth: usize) {
        let (Some(old), Some(new)) = (old, new) else {
            match (old, new) {
                (Some(_), None) => self.push(true, loc, "schema removed".into()),
                (None, Some(_)) => self.push(dir == Direction::Request, loc, "schema added".into()),
                _ => {}
            }
            return;
        };
        if depth > 24 {
            return;
        }
        let (o, old_name, old_wrapped_null) = Self::resolve(self.old, old);
        let (n, new_name, new_wrapped_null) = Self::resolve(self.new, new);
        let here = match (&new_name, &old_name) {
            (Some(name), _) | (None, Some(name)) => name.clone(),
            _ => loc.to_owned(),
        };
        let loc = here.as_str();
        let ty = |s: &Value| s.get("type").and_then(Value::as_str).map(str::to_owned);
        if ty(o) != ty(n) {
            let show = |t: Option<String>| t.unwrap_or_else(|| "any".into());
            self.push(true, loc, format!("type changed from {} to {}", show(ty(o)), show(ty(n))));
            return;
        }
        let null_in_enum =
            |s: &Value| s.get("enum").and_then(Value::as_array).is_some_and(|v| v.contains(&Value::Null));
        let nullable = |s: &Value, wrapped: bool| {
            wrapped || s.get("nullable").and_then(Value::as_bool).unwrap_or(false) || null_in_enum(s)
        };
        let (was_null, is_null) = (nullable(o, old_wrapped_null), nullable(n, new_wrapped_null));
        if was_null != is_null {
            let breaking = match dir {
                Direction::Response => is_null,
                Direction::Request => !is_null,
            };
            self.push(breaking, loc, if is_null { "now nullable".into() } else { "no longer nullable".into() });
        }
        // Enum values.
        // `null` in an enum is nullability (compared above), not a value.
        let values = |s: &Value| -> Option<Vec<Value>> {
            s.get("enum").and_then(Value::as_array).map(|v| v.iter().filter(|v| !v.is_null()).cloned().collect())
        };
        match (values(o), values(n)) {
            (Some(ov), Some(nv)) => {
                let removed: Vec<String> = ov.iter().filter(|v| !nv.contains(v)).map(Value::to_string).collect();
                let added: Vec<String> = nv.iter().filter(|v| !ov.contains(v)).map(Value::to_string).collect();
                if !removed.is_empty() {
                    self.push(dir == Direction::Request, loc, format!("enum value(s) removed: {}", removed.join(", ")));
                }
                if !added.is_empty() {
                    self.push(false, loc, format!("enum value(s) added: {}", added.join(", ")));
                }
            }
            (None, Some(nv)) => self.push(
                dir == Direction::Request,
                loc,
                format!("now restricted to {}", nv.iter().map(Value::to_string).collect::<Vec<_>>().join(", ")),
            ),
            (Some(_), None) => self.push(false, loc, "no longer restricted to an enum".into()),
            (None, None) => {}
        }
        // Constraints and format.
        for key in CONSTRAINTS.iter().chain(&["format", "default"]) {
            let (a, b) = (o.get(*key), n.get(*key));
            if a == b || (a.and_then(Value::as_f64).is_some() && a.and_then(Value::as_f64) == b.and_then(Value::as_f64))
            {
                continue;
            }
            let show = |v: Option<&Value>| v.map_or_else(|| "none".to_owned(), Value::to_string);
            let tighter = tightens(key, a, b);
            let breaking = dir == Direction::Request && tighter && !matches!(*key, "format" | "default");
            self.push(breaking, loc, format!("`{key}` changed from {} to {}", show(a), show(b)));
        }
        // Properties.
        let props = |s: &'a Value| -> BTreeMap<&'a str, &'a Value> {
            s.get("properties").and_then(Value::as_object).into_iter().flatten().map(|(k, v)| (k.as_str(), v)).collect()
        };
        let required = |s: &'a Value| -> BTreeSet<&'a str> {
            s.get("required").and_then(Value::as_array).into_iter().flatten().filter_map(Value::as_str).collect()
        };
        let (op, np, or, nr) = (props(o), props(n), required(o), required(n));
        for name in op.keys().filter(|k| !np.contains_key(*k)) {
            self.push(true, loc, format!("field `{name}` removed"));
        }
        for (name, schema) in &np {
            let field = format!("{loc}.{name}");
            let Some(old_schema) = op.get(name) else {
                let is_required = nr.contains(name);
                let nullable =
                    Self::resolve(self.new, schema).0.get("nullable").and_then(Value::as_bool).unwrap_or(false)
                        || schema.get("nullable").and_then(Value::as_bool).unwrap_or(false);
                let what = format!(
                    "field `{name}` added ({}{})",
                    if is_required { "required" } else { "optional" },
                    if nullable { ", nullable" } else { "" }
                );
                self.push(dir == Direction::Request && is_required, loc, what);
                continue;
            };
            let (was_required, is_required) = (or.contains(name), nr.contains(name));
            if was_required != is_required {
                let breaking = match dir {
                    Direction::Request => is_required,
                    Direction::Response => !is_required,
                };
                self.push(breaking, &field, if is_required { "now required".into() } else { "now optional".into() });
            }
            self.schema(Some(old_schema), Some(schema), &field, dir, depth + 1);
        }
        self.schema(o.get("items"), n.get("items"), &format!("{loc}[]"), dir, depth + 1);
        match (additional(o), additional(n)) {
            (Some(Value::Bool(false)), Some(Value::Bool(false))) | (None, None) => {}
            (a @ Some(Value::Object(_)), b @ Some(Value::Object(_))) => {
                self.schema(a, b, &format!("{loc}{{}}"), dir, depth + 1)
            }
            (a, b) => {
                let show = |v: Option<&Value>| v.map_or_else(|| "anything".to_owned(), Value::to_string);
                let breaking = match dir {
                    Direction::Request => b.is_some(),
                    Direction::Response => a.is_some(),
                };
                self.push(breaking, loc, format!("additional properties changed from {} to {}", show(a), show(b)));
            }
        }
    }
}

/// Annotations: keywords that do not change what a schema accepts.
fn is_annotation(key: &str) -> bool {
    matches!(key, "description" | "example" | "title" | "nullable") || key.starts_with("x-")
}

/// `allOf: [X]`, or `allOf: [X, {description: ..}]` (how upstream attaches a description to a `$ref`), with only
/// annotations beside it: the one schema that matters.
fn single_schema_of_all_of(node: &Value) -> Option<&Value> {
    let items = node.get("allOf")?.as_array()?;
    if !node.as_object()?.keys().all(|k| k == "allOf" || is_annotation(k)) {
        return None;
    }
    let mut real = items.iter().filter(|s| !s.as_object().is_some_and(|m| m.keys().all(|k| is_annotation(k))));
    match (real.next(), real.next()) {
        (Some(one), None) => Some(one),
        _ => None,
    }
}

/// `additionalProperties` as what it means: `None` for "anything goes" (absent, `true` or `{}`).
fn additional(schema: &Value) -> Option<&Value> {
    match schema.get("additionalProperties") {
        None | Some(Value::Bool(true)) => None,
        Some(Value::Object(m)) if m.keys().all(|k| is_annotation(k)) => None,
        other => other,
    }
}

/// Whether `new` is a stricter constraint than `old` for `key`.
fn tightens(key: &str, old: Option<&Value>, new: Option<&Value>) -> bool {
    let (a, b) = (old.and_then(Value::as_f64), new.and_then(Value::as_f64));
    match (old, new) {
        (None, Some(_)) => !matches!(new, Some(Value::Bool(false))),
        (Some(_), None) => false,
        _ => match key {
            "minLength" | "minimum" | "minItems" => b > a,
            "maxLength" | "maximum" | "maxItems" => b < a,
            "exclusiveMinimum" | "exclusiveMaximum" | "uniqueItems" => new == Some(&Value::Bool(true)),
            _ => true,
        },
    }
}

/// The JSON schema of a request body or response, if it has one.
fn json_schema(node: &Value) -> Option<&Value> {
    node.pointer("/content/application~1json/schema")
}

/// A path template's parameter names and its shape with the names blanked: `/w/{id}/b` gives `[id]`, `/w/{}/b`.
fn template(path: &str) -> (Vec<String>, String) {
    let mut names = Vec::new();
    let mut shape = String::new();
    let mut rest = path;
    while let Some(open) = rest.find('{') {
        shape.push_str(&rest[..open]);
        let Some(close) = rest[open..].find('}') else { break };
        names.push(rest[open + 1..open + close].to_owned());
        shape.push_str("{}");
        rest = &rest[open + close + 1..];
    }
    shape.push_str(rest);
    (names, shape)
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    fn doc(workspace: Value, params: Value, path: &str) -> Value {
        json!({
            "openapi": "3.0.3",
            "paths": {path: {"get": {"operationId": "getW", "parameters": params, "responses": {
                "200": {"content": {"application/json": {"schema": {"$ref": "#/components/schemas/W"}}}}
            }}, "patch": {"operationId": "updateW", "requestBody": {"required": true, "content": {"application/json": {
                "schema": {"$ref": "#/components/schemas/U"}}}}, "responses": {"200": {"description": "ok"}}}}},
            "components": {"schemas": {
                "W": workspace,
                "U": {"type": "object", "properties": {"name": {"type": "string", "maxLength": 100}}}
            }}
        })
    }

    fn base() -> Value {
        doc(
            json!({"type": "object", "required": ["id", "role"], "properties": {
                "id": {"type": "string"}, "role": {"type": "string", "enum": ["admin", "member"]}, "note": {"type": "string"}
            }}),
            json!([{"name": "id", "in": "path", "required": true, "schema": {"type": "string"}}]),
            "/w/{id}",
        )
    }

    #[test]
    fn identical_documents_and_refactorings_are_not_changes() {
        assert_eq!(diff(&base(), &base()), []);
        // The same schema written inline, wrapped in a one-schema allOf, with other descriptions.
        let mut refactored = base();
        refactored["paths"]["/w/{id}"]["get"]["responses"]["200"]["content"]["application/json"]["schema"] =
            json!({"allOf": [{"$ref": "#/components/schemas/W"}], "description": "the workspace"});
        refactored["components"]["schemas"]["W"]["properties"]["role"] =
            json!({"type": "string", "enum": ["admin", "member"], "description": "new words", "example": "admin"});
        assert_eq!(diff(&base(), &refactored), []);
    }

    #[test]
    fn field_level_changes_are_found_and_classified() {
        let mut new = base();
        let w = &mut new["components"]["schemas"]["W"];
        w["properties"]["role"]["enum"] = json!(["admin", "member", "owner"]);
        w["properties"]["tools"] = json!({"type": "array", "nullable": true, "items": {"type": "string"}});
        w["properties"].as_object_mut().unwrap().remove("note");
        w["required"] = json!(["role"]);
        new["components"]["schemas"]["U"]["properties"]["name"]["maxLength"] = json!(50);
        new["components"]["schemas"]["U"]["properties"]["slug"] = json!({"type": "string"});
        new["paths"]["/w/{id}"]["get"]["parameters"]
            .as_array_mut()
            .unwrap()
            .push(json!({"name": "confirm", "in": "query", "schema": {"type": "boolean"}}));
        let changes = diff(&base(), &new);
        let text = render_text(&changes);
        let expected = "\
BREAKING    U.name: `maxLength` changed from 100 to 50
BREAKING    W: field `note` removed
BREAKING    W.id: now optional
compatible  U: field `slug` added (optional)
compatible  W: field `tools` added (optional, nullable)
compatible  W.role: enum value(s) added: \"owner\"
compatible  getW: query parameter `confirm` added (optional)
7 change(s), 3 breaking
";
        assert_eq!(text, expected);
    }

    #[test]
    fn renamed_path_parameters_are_a_rename_not_a_removal() {
        let mut new = base();
        let item = new["paths"].as_object_mut().unwrap().remove("/w/{id}").unwrap();
        new["paths"]["/w/{ref}"] = item;
        new["paths"]["/w/{ref}"]["get"]["parameters"][0]["name"] = json!("ref");
        let changes = diff(&base(), &new);
        assert_eq!(
            changes,
            [
                Change {
                    breaking: false,
                    location: "getW".into(),
                    change: "path parameter `id` renamed to `ref` (/w/{id} to /w/{ref})".into()
                },
                Change {
                    breaking: false,
                    location: "updateW".into(),
                    change: "path parameter `id` renamed to `ref` (/w/{id} to /w/{ref})".into()
                }
            ]
        );
        let json: Value = serde_json::from_str(&render_json(&changes)).unwrap();
        assert_eq!(json["breaking"], 0);
        assert_eq!(json["changes"][0]["location"], "getW");
    }

    #[test]
    fn null_in_an_enum_is_nullability_not_a_value() {
        let mut old = base();
        old["components"]["schemas"]["W"]["properties"]["role"] =
            json!({"type": "string", "nullable": true, "enum": ["admin", "member", null]});
        let mut new = old.clone();
        new["components"]["schemas"]["W"]["properties"]["role"] =
            json!({"type": "string", "nullable": true, "enum": ["admin", "member"]});
        assert_eq!(diff(&old, &new), []);
        new["components"]["schemas"]["W"]["properties"]["role"] =
            json!({"type": "string", "enum": ["admin", "member"]});
        assert_eq!(render_text(&diff(&old, &new)), "compatible  W.role: no longer nullable\n1 change(s), 0 breaking\n");
    }

    #[test]
    fn operations_added_and_removed_and_request_nullability() {
        let mut new = base();
        new["paths"]["/w/{id}"].as_object_mut().unwrap().remove("patch");
        new["paths"]["/v"] = json!({"post": {"operationId": "makeV", "responses": {}}});
        let text = render_text(&diff(&base(), &new));
        assert!(text.contains("BREAKING    updateW: operation removed (PATCH /w/{id})"), "{text}");
        assert!(text.contains("compatible  makeV: operation added (POST /v)"), "{text}");
    }
}
