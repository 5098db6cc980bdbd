//! OpenAPI 3.0 Schema Objects to JSON Schema (draft 2020-12), so a standard validator can judge values.
//!
//! What changes:
//! - `nullable: true` allows `null`: `type: T` becomes `type: [T, "null"]`; an `enum` gains `null` when it lacks it
//!   (a nullable enum must list `null` to accept it in JSON Schema); a `$ref` (whose siblings OpenAPI 3.0 ignores,
//!   `nullable` being the one authors mean) or a schema without `type` and `enum` is wrapped in
//!   `anyOf: [schema, {type: null}]`.
//! - boolean `exclusiveMinimum` / `exclusiveMaximum` become the numeric form (`minimum: 0, exclusiveMinimum: true`
//!   is `exclusiveMinimum: 0`); `false` is dropped.
//! - `#/components/schemas/X` references become `#/$defs/X`, for a bundle that carries the converted components
//!   in `$defs` ([`bundle`]).
//! - OpenAPI-only keywords are dropped: `nullable`, `example`, `discriminator`, `xml`, `externalDocs`, `x-*`.
//! - With [`Objects::Strict`], every object schema that lists `properties` and says nothing about
//!   `additionalProperties` gets `additionalProperties: false`, so an unknown field is a violation (members of an
//!   `allOf` are left open and the `allOf` gets `unevaluatedProperties: false` instead).
//!
//! What a 3.0 document cannot contain (a `type` array, a numeric `exclusiveMinimum`, a `$ref` outside
//! `#/components/schemas`) is an error naming the JSON pointer of the node, never silently passed on.

use serde_json::{Map, Value, json};

/// Where component schemas live in an OpenAPI document.
pub const COMPONENT_REF: &str = "#/components/schemas/";
/// Where converted component schemas live in a [`bundle`].
pub const DEFS_REF: &str = "#/$defs/";

/// How object schemas that say nothing about `additionalProperties` are treated.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Objects {
    /// As OpenAPI and JSON Schema say: other properties are allowed.
    Open,
    /// Other properties are a violation (`additionalProperties: false` is added).
    Strict,
}

/// Escapes a JSON pointer token (`~` to `~0`, `/` to `~1`).
pub fn escape_token(token: &str) -> String {
    token.replace('~', "~0").replace('/', "~1")
}

/// Converts one OpenAPI 3.0 schema to JSON Schema. `at` is the schema's JSON pointer in the document, for errors.
///
/// # Errors
/// A sentence naming the JSON pointer of a node that OpenAPI 3.0 does not allow or this converter cannot express.
pub fn convert(schema: &Value, objects: Objects, at: &str) -> Result<Value, String> {
    node(schema, objects, at, false)
}

/// Converts every component schema (`components/schemas` of an OpenAPI document) into `$defs` entries.
///
/// # Errors
/// As [`convert`].
pub fn convert_components(schemas: &Map<String, Value>, objects: Objects) -> Result<Map<String, Value>, String> {
    schemas
        .iter()
        .map(|(name, schema)| {
            let at = format!("/components/schemas/{}", escape_token(name));
            Ok((name.clone(), convert(schema, objects, &at)?))
        })
        .collect()
}

/// A self-contained draft 2020-12 document: the converted `schema` with the converted components as `$defs`.
pub fn bundle(schema: &Value, defs: &Map<String, Value>) -> Value {
    let mut root = match schema {
        Value::Object(map) => map.clone(),
        // Boolean schemas cannot carry `$defs`: wrap them.
        other => Map::from_iter([("allOf".to_owned(), json!([other]))]),
    };
    root.insert("$schema".into(), json!("https://json-schema.org/draft/2020-12/schema"));
    root.insert("$defs".into(), Value::Object(defs.clone()));
    Value::Object(root)
}

fn flag(src: &Map<String, Value>, key: &str, at: &str) -> Result<bool, String> {
    match src.get(key) {
        None => Ok(false),
        Some(Value::Bool(b)) => Ok(*b),
        Some(other) => Err(format!(
            "{at}/{key}: OpenAPI 3.0 `{key}` is a boolean, found {other} (is this an OpenAPI 3.1 document?)"
        )),
    }
}

fn node(schema: &Value, objects: Objects, at: &str, in_all_of: bool) -> Result<Value, String> {
    let Value::Object(src) = schema else {
        return Err(format!("{at}: a schema must be an object, found {schema}"));
    };
    let nullable = flag(src, "nullable", at)?;

    if let Some(reference) = src.get("$ref") {
        let reference = reference.as_str().ok_or_else(|| format!("{at}/$ref: must be a string"))?;
        let name = reference.strip_prefix(COMPONENT_REF).ok_or_else(|| {
            format!("{at}/$ref: only references to {COMPONENT_REF}... are supported, found {reference:?}")
        })?;
        let target = json!({ "$ref": format!("{DEFS_REF}{}", escape_token(name)) });
        return Ok(if nullable { json!({ "anyOf": [target, { "type": "null" }] }) } else { target });
    }

    let exclusive_min = flag(src, "exclusiveMinimum", at)?;
    let exclusive_max = flag(src, "exclusiveMaximum", at)?;
    let mut out = Map::new();
    for (key, value) in src {
        let here = format!("{at}/{}", escape_token(key));
        match key.as_str() {
            "nullable" | "example" | "discriminator" | "xml" | "externalDocs" => {}
            k if k.starts_with("x-") => {}
            "type" => {
                let Some(t) = value.as_str() else {
                    return Err(format!(
                        "{here}: OpenAPI 3.0 `type` is one string, found {value} (is this an OpenAPI 3.1 document?)"
                    ));
                };
                out.insert(key.clone(), json!(t));
            }
            "exclusiveMinimum" | "exclusiveMaximum" => {
                let bound = if key == "exclusiveMinimum" { "minimum" } else { "maximum" };
                if value == &Value::Bool(true) {
                    let limit = src.get(bound).ok_or_else(|| format!("{here}: `{key}: true` needs a `{bound}`"))?;
                    out.insert(key.clone(), limit.clone());
                }
            }
            "minimum" if exclusive_min => {}
            "maximum" if exclusive_max => {}
            "properties" => {
                let props = value.as_object().ok_or_else(|| format!("{here}: must be an object"))?;
                let mut converted = Map::new();
                for (name, prop) in props {
                    let prop_at = format!("{here}/{}", escape_token(name));
                    converted.insert(name.clone(), node(prop, objects, &prop_at, false)?);
                }
                out.insert(key.clone(), Value::Object(converted));
            }
            "items" | "not" => {
                out.insert(key.clone(), node(value, objects, &here, false)?);
            }
            "additionalProperties" => {
                let converted = match value {
                    Value::Bool(_) => value.clone(),
                    other => node(other, objects, &here, false)?,
                };
                out.insert(key.clone(), converted);
            }
            "allOf" | "anyOf" | "oneOf" => {
                let members = value.as_array().ok_or_else(|| format!("{here}: must be an array"))?;
                let converted = members
                    .iter()
                    .enumerate()
                    .map(|(i, m)| node(m, objects, &format!("{here}/{i}"), key == "allOf"))
                    .collect::<Result<Vec<_>, _>>()?;
                out.insert(key.clone(), Value::Array(converted));
            }
            "const" | "prefixItems" | "if" | "then" | "else" | "$defs" | "examples" => {
                return Err(format!("{here}: `{key}` is not OpenAPI 3.0 (is this an OpenAPI 3.1 document?)"));
            }
            _ => {
                out.insert(key.clone(), value.clone());
            }
        }
    }

    if objects == Objects::Strict && !out.contains_key("additionalProperties") {
        // An `allOf` that composes inline objects is closed as a whole; one that only wraps a `$ref` (upstream's way
        // of giving a reference a description) is closed by the referenced schema already, and closing it again
        // would repeat every violation of the reference as "unevaluated".
        let composes_objects = out
            .get("allOf")
            .and_then(Value::as_array)
            .is_some_and(|members| members.iter().any(|m| m.get("properties").is_some()));
        if composes_objects && !out.contains_key("unevaluatedProperties") {
            out.insert("unevaluatedProperties".into(), json!(false));
        } else if out.contains_key("properties") && !in_all_of {
            out.insert("additionalProperties".into(), json!(false));
        }
    }

    if nullable {
        let mut wrapped = true;
        if let Some(Value::String(t)) = out.get("type") {
            let t = t.clone();
            out.insert("type".into(), json!([t, "null"]));
            wrapped = false;
        }
        if let Some(Value::Array(values)) = out.get_mut("enum") {
            if !values.contains(&Value::Null) {
                values.push(Value::Null);
            }
            wrapped = false;
        }
        if wrapped {
            return Ok(json!({ "anyOf": [Value::Object(out), { "type": "null" }] }));
        }
    }
    Ok(Value::Object(out))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn strict(schema: Value) -> Value {
        convert(&schema, Objects::Strict, "/s").unwrap()
    }

    fn valid(schema: &Value, defs: &Map<String, Value>, value: Value) -> bool {
        jsonschema::draft202012::new(&bundle(schema, defs)).unwrap().is_valid(&value)
    }

    #[test]
    fn nullable_adds_null_to_the_type() {
        let s = strict(json!({"type": "string", "nullable": true, "maxLength": 3, "example": "abc"}));
        assert_eq!(s, json!({"type": ["string", "null"], "maxLength": 3}));
        assert!(valid(&s, &Map::new(), Value::Null));
        assert!(!valid(&s, &Map::new(), json!("abcd")));
        let not_nullable = strict(json!({"type": "string", "nullable": false}));
        assert_eq!(not_nullable, json!({"type": "string"}));
        assert!(!valid(&not_nullable, &Map::new(), Value::Null));
    }

    #[test]
    fn a_nullable_enum_accepts_null_whether_or_not_it_lists_it() {
        let listed = strict(json!({"type": "string", "nullable": true, "enum": ["a", null]}));
        assert_eq!(listed, json!({"type": ["string", "null"], "enum": ["a", null]}));
        let unlisted = strict(json!({"type": "string", "nullable": true, "enum": ["a"]}));
        assert_eq!(unlisted, json!({"type": ["string", "null"], "enum": ["a", null]}));
        assert!(valid(&unlisted, &Map::new(), Value::Null));
        assert!(!valid(&unlisted, &Map::new(), json!("b")));
        // Without nullable, a listed null is still refused by the type, as in OpenAPI 3.0.
        let closed = strict(json!({"type": "string", "enum": ["a", null]}));
        assert!(!valid(&closed, &Map::new(), Value::Null));
    }

    #[test]
    fn refs_point_into_defs_and_a_nullable_ref_becomes_any_of() {
        let defs = convert_components(
            json!({"Tool": {"type": "string", "enum": ["x"]}}).as_object().unwrap(),
            Objects::Strict,
        )
        .unwrap();
        let plain = strict(json!({"$ref": "#/components/schemas/Tool"}));
        assert_eq!(plain, json!({"$ref": "#/$defs/Tool"}));
        assert!(valid(&plain, &defs, json!("x")) && !valid(&plain, &defs, Value::Null));
        let nullable = strict(json!({"$ref": "#/components/schemas/Tool", "nullable": true, "description": "d"}));
        assert_eq!(nullable, json!({"anyOf": [{"$ref": "#/$defs/Tool"}, {"type": "null"}]}));
        assert!(valid(&nullable, &defs, Value::Null) && !valid(&nullable, &defs, json!("y")));
        // Refs nested in items and properties are rewritten too.
        let nested = strict(json!({"type": "array", "items": {"$ref": "#/components/schemas/Tool"}}));
        assert_eq!(nested["items"], json!({"$ref": "#/$defs/Tool"}));
        let err = convert(&json!({"$ref": "other.yaml#/X"}), Objects::Strict, "/s").unwrap_err();
        assert_eq!(err, "/s/$ref: only references to #/components/schemas/... are supported, found \"other.yaml#/X\"");
    }

    #[test]
    fn a_nullable_schema_without_type_is_wrapped() {
        let s = convert(&json!({"nullable": true, "allOf": [{"type": "integer"}]}), Objects::Open, "/s").unwrap();
        assert_eq!(s, json!({"anyOf": [{"allOf": [{"type": "integer"}]}, {"type": "null"}]}));
        assert!(valid(&s, &Map::new(), Value::Null) && !valid(&s, &Map::new(), json!("x")));
    }

    #[test]
    fn boolean_exclusive_bounds_become_numeric() {
        let s = strict(json!({"type": "number", "minimum": 0, "exclusiveMinimum": true, "maximum": 10}));
        assert_eq!(s, json!({"type": "number", "exclusiveMinimum": 0, "maximum": 10}));
        assert!(!valid(&s, &Map::new(), json!(0)) && valid(&s, &Map::new(), json!(0.001)));
        assert!(valid(&s, &Map::new(), json!(10)));
        let s = strict(json!({"type": "number", "maximum": 1, "exclusiveMaximum": true}));
        assert_eq!(s, json!({"type": "number", "exclusiveMaximum": 1}));
        assert!(!valid(&s, &Map::new(), json!(1)));
        let s = strict(json!({"type": "number", "minimum": 0, "exclusiveMinimum": false}));
        assert_eq!(s, json!({"type": "number", "minimum": 0}));
        assert!(valid(&s, &Map::new(), json!(0)));
    }

    #[test]
    fn what_openapi_3_0_cannot_say_is_an_error_naming_its_pointer() {
        let cases = [
            (
                json!({"type": "number", "exclusiveMinimum": 0}),
                "/s/exclusiveMinimum: OpenAPI 3.0 `exclusiveMinimum` is a boolean",
            ),
            (
                json!({"type": "number", "exclusiveMaximum": true}),
                "/s/exclusiveMaximum: `exclusiveMaximum: true` needs a `maximum`",
            ),
            (json!({"type": ["string", "null"]}), "/s/type: OpenAPI 3.0 `type` is one string"),
            (json!({"properties": {"a": {"const": 1}}}), "/s/properties/a/const: `const` is not OpenAPI 3.0"),
            (json!({"items": true}), "/s/items: a schema must be an object"),
        ];
        for (schema, expected) in cases {
            let err = convert(&schema, Objects::Strict, "/s").unwrap_err();
            assert!(err.starts_with(expected), "{schema}: {err}");
        }
    }

    #[test]
    fn strict_objects_refuse_unknown_properties_unless_the_spec_allows_them() {
        let s = strict(json!({
            "type": "object",
            "required": ["a"],
            "properties": {"a": {"type": "string"}, "meta": {"type": "object", "additionalProperties": true}},
            "x-internal": true
        }));
        assert_eq!(s["additionalProperties"], json!(false));
        assert_eq!(s["properties"]["meta"]["additionalProperties"], json!(true));
        assert!(s.get("x-internal").is_none());
        assert!(valid(&s, &Map::new(), json!({"a": "x", "meta": {"anything": 1}})));
        assert!(!valid(&s, &Map::new(), json!({"a": "x", "b": 1})));
        let open = convert(&json!({"type": "object", "properties": {"a": {}}}), Objects::Open, "/s").unwrap();
        assert!(open.get("additionalProperties").is_none());
        // A free-form object (no properties) stays free-form.
        assert!(strict(json!({"type": "object"})).get("additionalProperties").is_none());
    }

    #[test]
    fn strict_all_of_checks_unknown_properties_across_its_members() {
        let s = strict(json!({"allOf": [
            {"type": "object", "properties": {"a": {"type": "string"}}},
            {"type": "object", "properties": {"b": {"type": "string"}}}
        ]}));
        assert_eq!(s["unevaluatedProperties"], json!(false));
        assert!(s["allOf"][0].get("additionalProperties").is_none());
        assert!(valid(&s, &Map::new(), json!({"a": "x", "b": "y"})));
        assert!(!valid(&s, &Map::new(), json!({"a": "x", "c": "z"})));
        let described = strict(json!({"allOf": [{"$ref": "#/components/schemas/W"}, {"description": "the W"}]}));
        assert!(described.get("unevaluatedProperties").is_none(), "{described}");
    }
}
