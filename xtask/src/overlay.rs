//! Applies an [OpenAPI Overlay 1.0](https://spec.openapis.org/overlay/v1.0.0.html) document: a list of actions,
//! each a JSONPath `target` (RFC 9535) with an `update` to merge into every node it selects or `remove: true`.
//! This is the format OpenRouter's own SDK repositories keep their additions in.
//!
//! Merging follows the Overlay spec: objects merge key by key, recursively; a scalar replaces; when the target is
//! an array the update is appended to it. Inside an object update, an array value is appended to an existing
//! array (so `update: {parameters: [..]}` adds parameters, as the SDK repos' overlays do).
//!
//! Two extensions, for what the Overlay spec cannot say:
//! - `x-rename: {old: new}` renames keys of the object(s) selected by `target`, keeping the value (used for a
//!   renamed path template); when the target is `$.components.schemas`, every `$ref` to a renamed schema follows
//!   it, so a schema upstream renames keeps its old name (and its Rust type's) with one action;
//! - `x-extract: Name` moves the schema selected by `target` to `components/schemas/Name` and leaves a `$ref` to it
//!   in its place (used to name an inline enum, so that the generator can give it an open enum of its own while
//!   its values keep coming from upstream). Extracting the same schema twice is fine; a different schema under an
//!   existing name is an error.
//!
//! An action whose target selects nothing is an error: an overlay that silently stops applying is how drift hides.

use serde_json::Value;
use serde_json_path::JsonPath;

/// Applies every action of `overlay` to `doc`, in order. Returns one line per action applied.
pub fn apply(doc: &mut Value, overlay: &Value) -> Result<Vec<String>, String> {
    let version = overlay.get("overlay").and_then(Value::as_str).unwrap_or("");
    if !version.starts_with("1.") {
        return Err(format!("/overlay: expected an Overlay 1.x document, found {version:?}"));
    }
    let actions =
        overlay.get("actions").and_then(Value::as_array).ok_or("/actions: the overlay has no actions list")?;
    let mut report = Vec::new();
    for (i, action) in actions.iter().enumerate() {
        let at = format!("/actions/{i}");
        let target = action.get("target").and_then(Value::as_str).ok_or(format!("{at}: an action needs a `target`"))?;
        let path = JsonPath::parse(target).map_err(|e| format!("{at}/target: {target:?} is not a JSONPath: {e}"))?;
        let pointers: Vec<String> =
            path.query_located(doc).locations().map(|location| location.to_json_pointer()).collect();
        if pointers.is_empty() {
            return Err(format!("{at}: target {target} selects nothing in the document; fix or drop the action"));
        }
        let what = action.get("description").and_then(Value::as_str).unwrap_or(target);
        let remove = action.get("remove").and_then(Value::as_bool).unwrap_or(false);
        let update = action.get("update");
        let rename = action.get("x-rename").and_then(Value::as_object);
        let extract = action.get("x-extract");
        if [remove, update.is_some(), rename.is_some(), extract.is_some()].iter().filter(|b| **b).count() != 1 {
            return Err(format!(
                "{at}: an action needs exactly one of `update`, `remove: true`, `x-rename` or `x-extract`"
            ));
        }
        if let Some(extract) = extract {
            let name = extract.as_str().ok_or(format!("{at}/x-extract: expected the name of a schema"))?;
            for pointer in &pointers {
                extract_at(doc, pointer, name).map_err(|e| format!("{at}/x-extract: {e}"))?;
            }
            report.push(format!("{what} ({} node(s))", pointers.len()));
            continue;
        }
        // Deepest first, so removing one node never shifts the pointer of another.
        for pointer in pointers.iter().rev() {
            if remove {
                remove_at(doc, pointer).map_err(|e| format!("{at}: {e}"))?;
                continue;
            }
            let node = doc.pointer_mut(pointer).ok_or(format!("{at}: {pointer} vanished while applying"))?;
            if let Some(update) = update {
                merge(node, update);
            } else if let Some(rename) = rename {
                let map = node.as_object_mut().ok_or(format!("{at}: x-rename needs an object at {pointer}"))?;
                for (old, new) in rename {
                    let new = new.as_str().ok_or(format!("{at}/x-rename: the new name of {old:?} is not a string"))?;
                    let value = map.remove(old).ok_or(format!("{at}/x-rename: {pointer} has no key {old:?}"))?;
                    map.insert(new.to_owned(), value);
                }
                if pointer == "/components/schemas" {
                    for (old, new) in rename {
                        let to = |name: &str| format!("#/components/schemas/{}", crate::spec::escape_segment(name));
                        rewrite_refs(doc, &to(old), &to(new.as_str().unwrap_or_default()));
                    }
                }
            }
        }
        report.push(format!("{what} ({} node(s))", pointers.len()));
    }
    Ok(report)
}

/// Merges `update` into `target` (see the module docs).
pub fn merge(target: &mut Value, update: &Value) {
    match (target, update) {
        (Value::Object(target), Value::Object(update)) => {
            for (key, value) in update {
                match target.get_mut(key) {
                    Some(existing) => merge(existing, value),
                    None => {
                        target.insert(key.clone(), value.clone());
                    }
                }
            }
        }
        (Value::Array(target), Value::Array(update)) => target.extend(update.iter().cloned()),
        (Value::Array(target), update) => target.push(update.clone()),
        (target, update) => *target = update.clone(),
    }
}

/// Every `$ref` equal to `from` becomes `to`.
fn rewrite_refs(node: &mut Value, from: &str, to: &str) {
    match node {
        Value::Object(map) => {
            if map.get("$ref").and_then(Value::as_str) == Some(from) {
                map.insert("$ref".to_owned(), Value::String(to.to_owned()));
            }
            map.values_mut().for_each(|v| rewrite_refs(v, from, to));
        }
        Value::Array(items) => items.iter_mut().for_each(|v| rewrite_refs(v, from, to)),
        _ => {}
    }
}

fn extract_at(doc: &mut Value, pointer: &str, name: &str) -> Result<(), String> {
    let reference = Value::Object(
        [("$ref".to_owned(), Value::String(format!("#/components/schemas/{}", crate::spec::escape_segment(name))))]
            .into_iter()
            .collect(),
    );
    let node = doc.pointer_mut(pointer).ok_or(format!("{pointer} vanished while applying"))?;
    let schema = std::mem::replace(node, reference);
    let schemas = doc
        .pointer_mut("/components/schemas")
        .and_then(Value::as_object_mut)
        .ok_or("the document has no components/schemas")?;
    match schemas.get(name) {
        Some(existing) if *existing != schema => {
            Err(format!("components/schemas/{name} exists and differs from the schema at {pointer}"))
        }
        _ => {
            schemas.insert(name.to_owned(), schema);
            Ok(())
        }
    }
}

fn remove_at(doc: &mut Value, pointer: &str) -> Result<(), String> {
    let (parent, last) = pointer.rsplit_once('/').ok_or(format!("cannot remove the whole document ({pointer:?})"))?;
    let key = last.replace("~1", "/").replace("~0", "~");
    match doc.pointer_mut(parent) {
        Some(Value::Object(map)) => map.remove(&key).map(|_| ()).ok_or(format!("{pointer} is not there")),
        Some(Value::Array(items)) => {
            let i: usize = key.parse().map_err(|_| format!("{pointer}: not an array index"))?;
            if i < items.len() {
                items.remove(i);
                Ok(())
            } else {
                Err(format!("{pointer} is not there"))
            }
        }
        _ => Err(format!("{pointer}: its parent is not an object or array")),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    fn overlay(actions: Value) -> Value {
        json!({"overlay": "1.0.0", "info": {"title": "t", "version": "1"}, "actions": actions})
    }

    #[test]
    fn update_merges_objects_appends_arrays_and_replaces_scalars() {
        let mut doc = json!({"paths": {
            "/a": {"get": {"parameters": [{"name": "x"}], "summary": "old"}},
            "/b": {"post": {"summary": "b"}}
        }});
        let report = apply(
            &mut doc,
            &overlay(json!([
                {"target": "$.paths.*.*", "description": "header on every op", "update": {"parameters": [{"$ref": "#/h"}]}},
                {"target": "$.paths['/a'].get", "update": {"summary": "new"}}
            ])),
        )
        .unwrap();
        assert_eq!(report, ["header on every op (2 node(s))", "$.paths['/a'].get (1 node(s))"]);
        assert_eq!(doc["paths"]["/a"]["get"]["parameters"], json!([{"name": "x"}, {"$ref": "#/h"}]));
        assert_eq!(doc["paths"]["/b"]["post"]["parameters"], json!([{"$ref": "#/h"}]));
        assert_eq!(doc["paths"]["/a"]["get"]["summary"], "new");
    }

    #[test]
    fn remove_with_a_filter_and_rename() {
        let mut doc = json!({"paths": {"/w/{id}/b": {"get": {"parameters": [
            {"name": "id", "in": "path"}, {"name": "q", "in": "query"}
        ]}}}});
        apply(
            &mut doc,
            &overlay(json!([
                {"target": "$.paths", "x-rename": {"/w/{id}/b": "/w/{ref}/b"}},
                {"target": "$.paths['/w/{ref}/b'].get.parameters[?@.name == 'id']", "update": {"name": "ref"}},
                {"target": "$.paths.*.get.parameters[?@.in == 'query']", "remove": true}
            ])),
        )
        .unwrap();
        assert_eq!(doc, json!({"paths": {"/w/{ref}/b": {"get": {"parameters": [{"name": "ref", "in": "path"}]}}}}));
    }

    #[test]
    fn an_action_that_selects_nothing_or_is_malformed_is_an_error() {
        let mut doc = json!({"paths": {}});
        let err = apply(&mut doc, &overlay(json!([{"target": "$.paths['/gone']", "remove": true}]))).unwrap_err();
        assert_eq!(err, "/actions/0: target $.paths['/gone'] selects nothing in the document; fix or drop the action");
        let err = apply(&mut doc, &overlay(json!([{"target": "$.paths"}]))).unwrap_err();
        assert!(err.contains("exactly one of"), "{err}");
        let err = apply(&mut doc, &overlay(json!([{"target": "$..[", "remove": true}]))).unwrap_err();
        assert!(err.starts_with("/actions/0/target:"), "{err}");
        assert!(apply(&mut doc, &json!({"actions": []})).unwrap_err().starts_with("/overlay:"));
    }

    #[test]
    fn renaming_a_schema_moves_its_refs() {
        let mut doc = json!({"components": {"schemas": {
            "Budget": {"type": "object"},
            "List": {"type": "array", "items": {"$ref": "#/components/schemas/Budget"}},
            "Other": {"$ref": "#/components/schemas/BudgetX"}
        }}});
        apply(
            &mut doc,
            &overlay(json!([{"target": "$.components.schemas", "x-rename": {"Budget": "WorkspaceBudget"}}])),
        )
        .unwrap();
        let schemas = &doc["components"]["schemas"];
        assert_eq!(schemas["WorkspaceBudget"], json!({"type": "object"}));
        assert!(schemas.get("Budget").is_none());
        assert_eq!(schemas["List"]["items"]["$ref"], "#/components/schemas/WorkspaceBudget");
        assert_eq!(schemas["Other"]["$ref"], "#/components/schemas/BudgetX", "only that schema's refs");
    }

    #[test]
    fn extract_names_an_inline_schema_and_leaves_a_ref() {
        let mut doc = json!({
            "components": {"schemas": {
                "M": {"properties": {"role": {"type": "string", "enum": ["a", "b"]}}},
                "N": {"properties": {"role": {"type": "string", "enum": ["a", "b"]}, "other": {"type": "string", "enum": ["c"]}}}
            }}
        });
        let actions = json!([{"target": "$.components.schemas.*.properties.role", "x-extract": "Role"}]);
        apply(&mut doc, &overlay(actions)).unwrap();
        assert_eq!(doc["components"]["schemas"]["Role"], json!({"type": "string", "enum": ["a", "b"]}));
        assert_eq!(
            doc["components"]["schemas"]["M"]["properties"]["role"],
            json!({"$ref": "#/components/schemas/Role"})
        );
        assert_eq!(
            doc["components"]["schemas"]["N"]["properties"]["role"],
            json!({"$ref": "#/components/schemas/Role"})
        );
        let clash = json!([{"target": "$.components.schemas.N.properties.other", "x-extract": "Role"}]);
        let e = apply(&mut doc, &overlay(clash)).unwrap_err();
        assert!(e.contains("components/schemas/Role exists and differs"), "{e}");
    }
}
