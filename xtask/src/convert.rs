//! OpenAPI 3.1 to 3.0.3, for the parts of JSON Schema 2020-12 that 3.0 can say another way. Progenitor reads only
//! 3.0. Anything this cannot convert is an error naming the JSON pointer of the node: nothing is dropped silently.
//!
//! | 3.1 | 3.0.3 |
//! |---|---|
//! | `type: [T, "null"]` | `type: T` + `nullable: true` |
//! | `type: "null"` alone, or `[A, B]` of two non-null types | error |
//! | `enum: [.., null]` | the same + `nullable: true` (3.0.3 wants `null` listed too) |
//! | `const: v` | `enum: [v]` |
//! | `exclusiveMinimum: n` (a number) | `minimum: n` + `exclusiveMinimum: true` (and the same for maximum) |
//! | `examples: [a, ..]` in a schema | `example: a` |
//! | `anyOf`/`oneOf` of X and `{type: "null"}` | X + `nullable: true` (`allOf: [X]` when X is a `$ref`) |
//! | `$ref` with sibling keywords | `allOf: [{$ref}]` + the siblings (3.0 ignores a `$ref`'s siblings) |
//! | `openapi: 3.1.x` | `openapi: 3.0.3` |
//! | `jsonSchemaDialect`, `webhooks` (empty), `info.summary`, `license.identifier` | error unless empty |
//! | `$schema`, `$id`, `$defs`, `prefixItems`, `if`/`then`/`else`, `dependentSchemas`, `dependentRequired`, `unevaluatedProperties`, `unevaluatedItems`, `contains`, `patternProperties`, `propertyNames`, `contentEncoding`, `contentMediaType`, `contentSchema`, `$anchor`, `$dynamicRef` | error |

use serde_json::{Map, Value, json};

use crate::spec;

/// Keywords of JSON Schema 2020-12 that 3.0's schema object has no way to say.
const UNSUPPORTED: &[&str] = &[
    "$schema",
    "$id",
    "$defs",
    "$anchor",
    "$dynamicRef",
    "$dynamicAnchor",
    "prefixItems",
    "if",
    "then",
    "else",
    "dependentSchemas",
    "dependentRequired",
    "unevaluatedProperties",
    "unevaluatedItems",
    "contains",
    "minContains",
    "maxContains",
    "patternProperties",
    "propertyNames",
    "contentEncoding",
    "contentMediaType",
    "contentSchema",
];

/// Converts a 3.1 document to 3.0.3 in place. Returns the problems found, each a sentence with the JSON pointer
/// of its node; on success the document is 3.0.3.
pub fn to_openapi_30(doc: &mut Value) -> Result<(), Vec<String>> {
    let mut problems = Vec::new();
    match doc.get("openapi").and_then(Value::as_str) {
        Some(v) if v.starts_with("3.1.") => doc["openapi"] = json!("3.0.3"),
        Some(v) if v.starts_with("3.0.") => {}
        other => problems.push(format!("/openapi: expected an OpenAPI 3.1 or 3.0 document, found {other:?}")),
    }
    if let Some(map) = doc.as_object_mut() {
        for key in ["jsonSchemaDialect", "webhooks"] {
            match map.get(key) {
                Some(Value::Object(m)) if m.is_empty() => {
                    map.remove(key);
                }
                Some(_) => problems.push(format!("/{key}: 3.0 has no `{key}`; remove it or leave it empty")),
                None => {}
            }
        }
    }
    for (at, key) in [("/info", "summary"), ("/info/license", "identifier")] {
        if doc.pointer(at).and_then(|n| n.get(key)).is_some() {
            problems.push(format!("{at}/{key}: 3.0 has no `{key}` here"));
        }
    }
    // Schemas live under components/schemas, in parameters, headers and media types: walk every node and
    // convert the ones that are schemas.
    walk(doc, &mut String::new(), false, &mut problems);
    if problems.is_empty() { Ok(()) } else { Err(problems) }
}

/// Walks the document; `in_schema` is true when `node` is a schema object. Examples, defaults and extensions are
/// data, not schemas, and are left alone.
fn walk(node: &mut Value, at: &mut String, in_schema: bool, problems: &mut Vec<String>) {
    if in_schema {
        convert_schema(node, at, problems);
    }
    let mut visit = |child: &mut Value, at: &mut String, segment: &str, is_schema: bool| {
        let len = at.len();
        at.push('/');
        at.push_str(&spec::escape_segment(segment));
        walk(child, at, is_schema, problems);
        at.truncate(len);
    };
    match node {
        Value::Object(map) if in_schema => {
            for (key, child) in map.iter_mut() {
                match key.as_str() {
                    "items" | "not" | "additionalProperties" if child.is_object() => visit(child, at, key, true),
                    "properties" => {
                        let len = at.len();
                        at.push_str("/properties");
                        for (name, property) in child.as_object_mut().into_iter().flatten() {
                            visit(property, at, name, true);
                        }
                        at.truncate(len);
                    }
                    "allOf" | "anyOf" | "oneOf" => {
                        let len = at.len();
                        at.push('/');
                        at.push_str(key);
                        for (i, item) in child.as_array_mut().into_iter().flatten().enumerate() {
                            visit(item, at, &i.to_string(), true);
                        }
                        at.truncate(len);
                    }
                    _ => {}
                }
            }
        }
        Value::Object(map) => {
            let in_components = at == "/components";
            for (key, child) in map.iter_mut() {
                match key.as_str() {
                    "schema" => visit(child, at, key, true),
                    "schemas" if in_components => {
                        let len = at.len();
                        at.push_str("/schemas");
                        for (name, schema) in child.as_object_mut().into_iter().flatten() {
                            visit(schema, at, name, true);
                        }
                        at.truncate(len);
                    }
                    "example" | "examples" | "default" => {}
                    k if k.starts_with("x-") => {}
                    _ => visit(child, at, key, false),
                }
            }
        }
        Value::Array(items) if !in_schema => {
            for (i, item) in items.iter_mut().enumerate() {
                visit(item, at, &i.to_string(), false);
            }
        }
        _ => {}
    }
}

/// Converts one schema object's own keywords (not its children).
fn convert_schema(node: &mut Value, at: &str, problems: &mut Vec<String>) {
    let Some(map) = node.as_object_mut() else { return };
    for key in UNSUPPORTED {
        if map.contains_key(*key) {
            problems.push(format!("{at}/{}: `{key}` has no OpenAPI 3.0 equivalent", spec::escape_segment(key)));
        }
    }
    // type: [T, "null"]
    if let Some(Value::Array(types)) = map.get("type") {
        let non_null: Vec<Value> = types.iter().filter(|t| t.as_str() != Some("null")).cloned().collect();
        let nullable = non_null.len() < types.len();
        match non_null.as_slice() {
            [one] => {
                map.insert("type".into(), one.clone());
                if nullable {
                    map.insert("nullable".into(), json!(true));
                }
            }
            [] => problems.push(format!("{at}/type: a schema whose only type is null cannot be said in 3.0")),
            _ => problems
                .push(format!("{at}/type: {} types in one schema cannot be said in 3.0; use oneOf", non_null.len())),
        }
    } else if map.get("type").and_then(Value::as_str) == Some("null") {
        problems.push(format!("{at}/type: a schema whose only type is null cannot be said in 3.0"));
    }
    // enum with null: 3.0.3 wants both `nullable: true` and `null` listed in the enum.
    if map.get("enum").and_then(Value::as_array).is_some_and(|values| values.iter().any(Value::is_null)) {
        map.insert("nullable".into(), json!(true));
    }
    // const
    if let Some(value) = map.remove("const") {
        match map.get("enum") {
            Some(Value::Array(values)) if values != &vec![value.clone()] => {
                problems.push(format!("{at}/const: `const` and a different `enum` on one schema"))
            }
            _ => {
                map.insert("enum".into(), Value::Array(vec![value]));
            }
        }
    }
    // numeric exclusive bounds
    for (exclusive, bound) in [("exclusiveMinimum", "minimum"), ("exclusiveMaximum", "maximum")] {
        if let Some(Value::Number(n)) = map.get(exclusive).cloned() {
            if let Some(existing) = map.get(bound).and_then(Value::as_f64)
                && n.as_f64().is_some_and(|n| n < existing)
            {
                // `minimum` is stricter than the exclusive bound: keep the inclusive one.
                map.remove(exclusive);
                continue;
            }
            map.insert(bound.into(), Value::Number(n));
            map.insert(exclusive.into(), json!(true));
        }
    }
    // examples
    if let Some(examples) = map.remove("examples") {
        match examples {
            Value::Array(items) if !items.is_empty() => {
                map.entry("example").or_insert_with(|| items[0].clone());
            }
            Value::Array(_) => {}
            _ => problems.push(format!("{at}/examples: expected an array in a 3.1 schema")),
        }
    }
    // anyOf / oneOf with null
    for key in ["anyOf", "oneOf"] {
        let Some(Value::Array(items)) = map.get(key) else { continue };
        let is_null =
            |s: &Value| s.get("type").and_then(Value::as_str) == Some("null") || s == &json!({"type": ["null"]});
        if !items.iter().any(is_null) {
            continue;
        }
        let rest: Vec<Value> = items.iter().filter(|s| !is_null(s)).cloned().collect();
        map.remove(key);
        map.insert("nullable".into(), json!(true));
        match rest.as_slice() {
            [one] if one.get("$ref").is_some() => {
                map.insert("allOf".into(), json!([one]));
            }
            [one] => {
                let Some(inner) = one.as_object() else { continue };
                for (k, v) in inner {
                    if map.contains_key(k) && k != "nullable" {
                        problems.push(format!("{at}/{key}: `{k}` both beside and inside the non-null branch"));
                    }
                    map.insert(k.clone(), v.clone());
                }
            }
            _ => {
                map.insert(key.into(), Value::Array(rest));
            }
        }
    }
    // $ref siblings
    if map.contains_key("$ref") && map.len() > 1 {
        let reference = map.remove("$ref").unwrap_or(Value::Null);
        let siblings = std::mem::take(map);
        *map = Map::from_iter([("allOf".to_owned(), json!([{"$ref": reference}]))]);
        map.extend(siblings);
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn convert(schema: Value) -> Result<Value, Vec<String>> {
        let mut doc = json!({"openapi": "3.1.0", "components": {"schemas": {"S": schema}}});
        to_openapi_30(&mut doc).map(|()| doc["components"]["schemas"]["S"].clone())
    }

    #[test]
    fn type_arrays_with_null_become_nullable() {
        assert_eq!(convert(json!({"type": ["string", "null"]})).unwrap(), json!({"type": "string", "nullable": true}));
        assert_eq!(convert(json!({"type": ["integer"]})).unwrap(), json!({"type": "integer"}));
        let nested =
            convert(json!({"properties": {"a": {"type": ["array", "null"], "items": {"type": ["integer", "null"]}}}}));
        assert_eq!(
            nested.unwrap()["properties"]["a"],
            json!({"type": "array", "nullable": true, "items": {"type": "integer", "nullable": true}})
        );
    }

    #[test]
    fn enums_with_null_const_and_examples() {
        assert_eq!(
            convert(json!({"type": ["string", "null"], "enum": ["a", "b", null]})).unwrap(),
            json!({"type": "string", "nullable": true, "enum": ["a", "b", null]})
        );
        assert_eq!(
            convert(json!({"type": "boolean", "const": true})).unwrap(),
            json!({"type": "boolean", "enum": [true]})
        );
        assert_eq!(
            convert(json!({"type": "integer", "examples": [3, 4]})).unwrap(),
            json!({"type": "integer", "example": 3})
        );
    }

    #[test]
    fn numeric_exclusive_bounds_become_the_boolean_form() {
        assert_eq!(
            convert(json!({"type": "number", "exclusiveMinimum": 0, "exclusiveMaximum": 1})).unwrap(),
            json!({"type": "number", "minimum": 0, "exclusiveMinimum": true, "maximum": 1, "exclusiveMaximum": true})
        );
    }

    #[test]
    fn any_of_with_null_and_ref_siblings() {
        assert_eq!(
            convert(json!({"anyOf": [{"$ref": "#/components/schemas/T"}, {"type": "null"}]})).unwrap(),
            json!({"allOf": [{"$ref": "#/components/schemas/T"}], "nullable": true})
        );
        assert_eq!(
            convert(json!({"anyOf": [{"type": "string", "maxLength": 3}, {"type": "null"}]})).unwrap(),
            json!({"type": "string", "maxLength": 3, "nullable": true})
        );
        assert_eq!(
            convert(json!({"$ref": "#/components/schemas/T", "description": "d"})).unwrap(),
            json!({"allOf": [{"$ref": "#/components/schemas/T"}], "description": "d"})
        );
    }

    #[test]
    fn parameter_schemas_are_converted_and_data_is_not() {
        let mut doc = json!({"openapi": "3.1.0", "paths": {"/w": {"get": {"parameters": [
            {"name": "offset", "in": "query", "schema": {"type": ["integer", "null"], "default": 0}}
        ], "responses": {"200": {"content": {"application/json": {
            "example": {"type": ["not", "a", "schema"]},
            "schema": {"type": "object", "properties": {"x": {"const": 1}}}
        }}}}}}}});
        to_openapi_30(&mut doc).unwrap();
        assert_eq!(doc["openapi"], "3.0.3");
        let op = &doc["paths"]["/w"]["get"];
        assert_eq!(op["parameters"][0]["schema"], json!({"type": "integer", "nullable": true, "default": 0}));
        let media = &op["responses"]["200"]["content"]["application/json"];
        assert_eq!(media["example"], json!({"type": ["not", "a", "schema"]}), "an example is data, not a schema");
        assert_eq!(media["schema"]["properties"]["x"], json!({"enum": [1]}));
    }

    #[test]
    fn what_cannot_be_converted_is_an_error_with_its_pointer() {
        let problems = convert(json!({"properties": {
            "a": {"type": ["string", "integer"]},
            "b": {"prefixItems": [{"type": "string"}]},
            "c": {"type": "null"}
        }}))
        .unwrap_err();
        assert_eq!(problems.len(), 3, "{problems:?}");
        assert!(problems[0].starts_with("/components/schemas/S/properties/a/type: 2 types"), "{problems:?}");
        assert!(problems[1].starts_with("/components/schemas/S/properties/b/prefixItems:"), "{problems:?}");
        assert!(problems[2].starts_with("/components/schemas/S/properties/c/type: a schema whose only type is null"));
        let mut doc = json!({"openapi": "2.0"});
        assert_eq!(
            to_openapi_30(&mut doc).unwrap_err(),
            ["/openapi: expected an OpenAPI 3.1 or 3.0 document, found Some(\"2.0\")"]
        );
    }
}
