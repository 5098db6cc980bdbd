//! The model: what the generator reads from the spec, once.

use std::collections::{BTreeMap, BTreeSet};

use serde_json::Value;

use super::names::{SECRET_TYPE, rust_name, variant_name};
use crate::spec;

/// What the generator reads from the spec.
#[derive(Debug)]
pub struct Model {
    /// Every operation, in path then method order.
    pub operations: Vec<Op>,
    /// The string enums of the components.
    pub enums: Vec<EnumDef>,
    /// The request bodies, by schema name.
    pub bodies: Vec<BodyDef>,
    /// Every object schema of the components.
    pub shapes: Vec<ShapeDef>,
    /// The string schemas of the components with `format: password`, each replaced by [`SECRET_TYPE`].
    pub secrets: Vec<String>,
}

/// One operation.
#[derive(Debug)]
pub struct Op {
    /// The operationId.
    pub id: String,
    /// The method, upper case.
    pub method: String,
    /// The path template.
    pub path: String,
    /// The summary (or the operationId).
    pub summary: String,
    /// The path and query parameters.
    pub params: Vec<Param>,
    /// The request body.
    pub body: Option<BodyRef>,
    /// The documented success status.
    pub success: u16,
    /// `x-idempotent: true`: the spec says that replaying it has the effect of sending it once, whatever its
    /// method.
    pub idempotent: bool,
}

/// One path or query parameter.
#[derive(Debug)]
pub struct Param {
    /// The name on the wire.
    pub name: String,
    /// Where it goes.
    pub location: Location,
    /// Whether it must be sent.
    pub required: bool,
    /// Its constraints.
    pub schema: SchemaDef,
    /// The Rust enum its values belong to, if any.
    pub enum_type: Option<String>,
}

/// Where a parameter goes (header parameters are the client's, not the model's).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Location {
    /// A segment of the path.
    Path,
    /// The query string.
    Query,
}

impl Location {
    /// `path` or `query`, as the spec's `in` says.
    pub fn as_str(self) -> &'static str {
        match self {
            Location::Path => "path",
            Location::Query => "query",
        }
    }
}

/// The JSON type of a value.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub enum Kind {
    /// `string`.
    String,
    /// `integer`.
    Integer,
    /// `number`.
    Number,
    /// `boolean`.
    Boolean,
    /// `array`.
    Array,
    /// `object` (and a schema with no `type`).
    #[default]
    Object,
}

impl Kind {
    /// The spec's `type`.
    pub fn as_str(self) -> &'static str {
        match self {
            Kind::String => "string",
            Kind::Integer => "integer",
            Kind::Number => "number",
            Kind::Boolean => "boolean",
            Kind::Array => "array",
            Kind::Object => "object",
        }
    }
}

/// The request body of an operation.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct BodyRef {
    /// The name of its schema in the spec.
    pub schema: String,
    /// Its builder's Rust name.
    pub rust: String,
    /// Whether it must be sent.
    pub required: bool,
}

/// The constraints of one value.
#[derive(Clone, Debug, Default, PartialEq)]
pub struct SchemaDef {
    /// Its type.
    pub kind: Kind,
    /// `nullable: true`.
    pub nullable: bool,
    /// `minLength`.
    pub min_length: Option<u64>,
    /// `maxLength`.
    pub max_length: Option<u64>,
    /// `pattern`.
    pub pattern: Option<String>,
    /// `x-pattern-rule`: what `pattern` requires, in words, for error messages (our overlay's rules state one).
    pub pattern_rule: Option<String>,
    /// `minimum`.
    pub minimum: Option<serde_json::Number>,
    /// `exclusiveMinimum`.
    pub exclusive_minimum: bool,
    /// `maximum`.
    pub maximum: Option<serde_json::Number>,
    /// `exclusiveMaximum`.
    pub exclusive_maximum: bool,
    /// `minItems`.
    pub min_items: Option<u64>,
    /// `maxItems`.
    pub max_items: Option<u64>,
    /// `enum` (strings, `null` left out).
    pub values: Vec<String>,
    /// Whether the enum is one of the open enums.
    pub open: bool,
    /// `default`.
    pub default: Option<Value>,
    /// `description`.
    pub description: String,
}

/// A string enum of the components.
#[derive(Debug)]
pub struct EnumDef {
    /// The schema's name.
    pub schema: String,
    /// The Rust name.
    pub rust: String,
    /// Its description.
    pub description: String,
    /// `(variant, wire value)`, in the spec's order.
    pub values: Vec<(String, String)>,
    /// Whether `null` is one of its values (it is then an `Option` of the enum).
    pub nullable: bool,
}

/// A request body.
#[derive(Debug)]
pub struct BodyDef {
    /// The schema's name.
    pub schema: String,
    /// The builder's Rust name.
    pub rust: String,
    /// Its description.
    pub description: String,
    /// The operations that send it, as `operationId` (`METHOD /path`).
    pub used_by: Vec<String>,
    /// Whether a PATCH sends it (nullable properties then get `clear_<property>()`).
    pub patch: bool,
    /// Its properties, in the spec's order.
    pub props: Vec<PropDef>,
}

/// A property of a request body.
#[derive(Debug)]
pub struct PropDef {
    /// The name on the wire.
    pub name: String,
    /// Whether it is in `required`.
    pub required: bool,
    /// Its Rust type.
    pub ty: Ty,
    /// Its constraints.
    pub schema: SchemaDef,
    /// The constraints of its items, for an array.
    pub items: Option<SchemaDef>,
}

/// The Rust type of a property.
#[derive(Clone, Debug, PartialEq)]
pub enum Ty {
    /// `String`.
    String,
    /// `i64`.
    Integer,
    /// `f64`.
    Number,
    /// `bool`.
    Boolean,
    /// An open enum, by Rust name.
    Enum(String),
    /// `Vec<T>`.
    Array(Box<Ty>),
    /// `serde_json::Value`.
    Json,
}

/// The properties of an object schema: `(name, required, nullable)`.
#[derive(Debug)]
pub struct ShapeDef {
    /// The schema's name.
    pub schema: String,
    /// Its properties.
    pub props: Vec<(String, bool, bool)>,
}

impl Model {
    /// Reads the model from a linted (untransformed) spec.
    ///
    /// # Errors
    /// What the generator cannot express, with its JSON pointer.
    pub fn from_spec(tree: &Value) -> Result<Model, String> {
        let empty = serde_json::Map::new();
        let schemas = tree.pointer("/components/schemas").and_then(Value::as_object).unwrap_or(&empty);
        let mut enums = Vec::new();
        for (name, schema) in schemas {
            if let Some(def) = enum_def(name, schema)? {
                enums.push(def);
            }
        }
        let enum_names: BTreeMap<&str, &EnumDef> = enums.iter().map(|e| (e.schema.as_str(), e)).collect();
        let mut problems = Vec::new();

        // Request bodies and the operations that send them.
        let mut body_users: BTreeMap<String, (Vec<String>, bool)> = BTreeMap::new();
        let mut operations = Vec::new();
        for op in spec::operations(tree) {
            let at = op.pointer();
            let mut params = Vec::new();
            for (p_at, p) in crate::lint::parameters(tree, &op) {
                let Some(p) = spec::deref(tree, p) else { continue };
                let location = match p.get("in").and_then(Value::as_str) {
                    Some("path") => Location::Path,
                    Some("query") => Location::Query,
                    _ => continue,
                };
                let name = p.get("name").and_then(Value::as_str).unwrap_or("").to_owned();
                let raw_schema = p.get("schema").unwrap_or(&Value::Null);
                let (schema, enum_type) = match value_schema(tree, raw_schema, &enum_names, &format!("{p_at}/schema")) {
                    Ok(x) => x,
                    Err(e) => {
                        problems.push(e);
                        continue;
                    }
                };
                if !matches!(schema.kind, Kind::String | Kind::Integer | Kind::Boolean) {
                    problems.push(format!("{p_at}/schema: a {} parameter is not supported", schema.kind.as_str()));
                    continue;
                }
                let required =
                    location == Location::Path || p.get("required").and_then(Value::as_bool).unwrap_or(false);
                params.push(Param { name, location, required, schema, enum_type });
            }
            let mut body = None;
            if let Some(rb) = op.op.get("requestBody").and_then(|rb| spec::deref(tree, rb)) {
                let schema = rb.pointer("/content/application~1json/schema");
                let name = schema
                    .and_then(|s| s.get("$ref"))
                    .and_then(Value::as_str)
                    .and_then(|r| r.strip_prefix("#/components/schemas/"));
                match name {
                    Some(name) => {
                        let required = rb.get("required").and_then(Value::as_bool).unwrap_or(false);
                        let entry = body_users.entry(name.to_owned()).or_default();
                        entry.0.push(format!("`{}` (`{} {}`)", op.id(), op.method.to_uppercase(), op.path));
                        entry.1 |= op.method == "patch";
                        body = Some(BodyRef { schema: name.to_owned(), rust: rust_name(name, true), required });
                    }
                    None => problems.push(format!(
                        "{at}/requestBody: the body must be a $ref to a named JSON schema (the builder is named after it)"
                    )),
                }
            }
            let success = op
                .op
                .get("responses")
                .and_then(Value::as_object)
                .into_iter()
                .flatten()
                .filter_map(|(status, _)| status.parse::<u16>().ok())
                .find(|s| (200..300).contains(s));
            let Some(success) = success else {
                problems.push(format!("{at}/responses: no 2xx status"));
                continue;
            };
            let idempotent = match op.op.get("x-idempotent") {
                None => false,
                Some(Value::Bool(b)) => *b,
                Some(other) => {
                    problems.push(format!("{at}/x-idempotent: must be true or false, not {other}"));
                    continue;
                }
            };
            operations.push(Op {
                id: op.id().to_owned(),
                method: op.method.to_uppercase(),
                path: op.path.to_owned(),
                summary: op.op.get("summary").and_then(Value::as_str).unwrap_or(op.id()).to_owned(),
                params,
                body,
                success,
                idempotent,
            });
        }

        let mut bodies = Vec::new();
        for (name, (used_by, patch)) in body_users {
            let schema = &schemas[&name];
            let at = spec::pointer(["components", "schemas", &name]);
            let required = required_of(schema);
            let mut props = Vec::new();
            // Required properties first (they are the constructor's arguments, and lead the JSON), each group in the
            // spec's order.
            let mut listed: Vec<(&String, &Value)> =
                schema.get("properties").and_then(Value::as_object).into_iter().flatten().collect();
            listed.sort_by_key(|(prop, _)| !required.contains(prop.as_str()));
            for (prop, node) in listed {
                let p_at = format!("{at}/properties/{}", spec::escape_segment(prop));
                match prop_def(tree, prop, node, required.contains(prop.as_str()), &enum_names, &p_at) {
                    Ok(def) => props.push(def),
                    Err(e) => problems.push(e),
                }
            }
            bodies.push(BodyDef {
                rust: rust_name(&name, true),
                description: description(schema),
                schema: name,
                used_by,
                patch,
                props,
            });
        }

        let mut shapes = Vec::new();
        for (name, schema) in schemas {
            let Some(properties) = schema.get("properties").and_then(Value::as_object) else { continue };
            let required = required_of(schema);
            let props = properties
                .iter()
                .map(|(prop, node)| {
                    let nullable = node.get("nullable").and_then(Value::as_bool).unwrap_or(false)
                        || spec::deref(tree, node)
                            .is_some_and(|n| n.get("nullable").and_then(Value::as_bool).unwrap_or(false));
                    (prop.clone(), required.contains(prop.as_str()), nullable)
                })
                .collect();
            shapes.push(ShapeDef { schema: name.clone(), props });
        }

        let mut rust_names = BTreeMap::new();
        for name in enums.iter().map(|e| &e.rust).chain(bodies.iter().map(|b| &b.rust)) {
            if rust_names.insert(name.clone(), ()).is_some() {
                problems.push(format!(
                    "two schemas take the Rust name {name}; add a RUST_NAMES entry in xtask/src/tables/names.rs"
                ));
            }
        }
        let secrets = schemas
            .iter()
            .filter(|(_, s)| {
                s.get("type").and_then(Value::as_str) == Some("string")
                    && s.get("format").and_then(Value::as_str) == Some("password")
            })
            .map(|(name, _)| name.clone())
            .collect();
        if problems.is_empty() {
            Ok(Model { operations, enums, bodies, shapes, secrets })
        } else {
            Err(format!(
                "the generator cannot express {} thing(s) of the spec:\n  {}",
                problems.len(),
                problems.join("\n  ")
            ))
        }
    }

    /// The replacements progenitor needs: each enum by the library's open enum, each request body by its builder,
    /// each secret by [`SECRET_TYPE`].
    pub fn replacements(&self) -> Vec<(String, String)> {
        let enums = self.enums.iter().map(|e| {
            let path = format!("crate::enums::{}", e.rust);
            (e.schema.clone(), if e.nullable { format!("::std::option::Option<{path}>") } else { path })
        });
        let bodies = self.bodies.iter().map(|b| (b.schema.clone(), format!("crate::requests::{}", b.rust)));
        let secrets = self.secrets.iter().map(|s| (s.clone(), SECRET_TYPE.to_owned()));
        enums.chain(bodies).chain(secrets).collect()
    }
}

/// The names in a schema's `required`.
fn required_of(schema: &Value) -> BTreeSet<&str> {
    schema.get("required").and_then(Value::as_array).into_iter().flatten().filter_map(Value::as_str).collect()
}

fn description(node: &Value) -> String {
    node.get("description").and_then(Value::as_str).unwrap_or("").trim().to_owned()
}

fn enum_def(name: &str, schema: &Value) -> Result<Option<EnumDef>, String> {
    let Some(values) = schema.get("enum").and_then(Value::as_array) else { return Ok(None) };
    let ty = schema.get("type").and_then(Value::as_str).unwrap_or("string");
    if ty != "string" {
        return Ok(None);
    }
    let nullable = schema.get("nullable").and_then(Value::as_bool).unwrap_or(false) || values.contains(&Value::Null);
    let mut out = Vec::new();
    let mut seen = BTreeSet::new();
    for v in values.iter().filter_map(Value::as_str) {
        let variant = variant_name(v);
        if variant.is_empty() || !seen.insert(variant.clone()) {
            return Err(format!(
                "{}: the value {v:?} gives the variant name {variant:?}, empty or already taken",
                spec::pointer(["components", "schemas", name, "enum"])
            ));
        }
        out.push((variant, v.to_owned()));
    }
    Ok(Some(EnumDef {
        schema: name.to_owned(),
        rust: rust_name(name, false),
        description: description(schema),
        values: out,
        nullable,
    }))
}

/// Follows a `$ref` (or a one-element `allOf`, the 3.0 way to give a `$ref` siblings) to the schema, keeping the
/// name of the component it named.
pub(super) fn follow<'a>(tree: &'a Value, node: &'a Value) -> (&'a Value, Option<&'a str>) {
    if let Some(r) = node.get("$ref").and_then(Value::as_str) {
        let name = r.strip_prefix("#/components/schemas/");
        return (spec::deref(tree, node).unwrap_or(&Value::Null), name);
    }
    if let Some([only]) = node.get("allOf").and_then(Value::as_array).map(Vec::as_slice) {
        return follow(tree, only);
    }
    (node, None)
}

/// The constraints of a value and the open enum it belongs to, if any.
fn value_schema(
    tree: &Value,
    node: &Value,
    enums: &BTreeMap<&str, &EnumDef>,
    at: &str,
) -> Result<(SchemaDef, Option<String>), String> {
    let (resolved, name) = follow(tree, node);
    let mut def = constraints(resolved, at)?;
    def.nullable |= node.get("nullable").and_then(Value::as_bool).unwrap_or(false);
    if def.description.is_empty() {
        def.description = description(node);
    }
    let enum_type = name.and_then(|n| enums.get(n)).map(|e| {
        def.open = true;
        e.rust.clone()
    });
    Ok((def, enum_type))
}

fn constraints(node: &Value, at: &str) -> Result<SchemaDef, String> {
    let ty = node.get("type").and_then(Value::as_str);
    let kind = match ty {
        Some("string") => Kind::String,
        Some("integer") => Kind::Integer,
        Some("number") => Kind::Number,
        Some("boolean") => Kind::Boolean,
        Some("array") => Kind::Array,
        Some("object") => Kind::Object,
        None if node.get("enum").is_some() => Kind::String,
        None => Kind::Object,
        Some(other) => return Err(format!("{at}/type: {other:?} is not a type the generator knows")),
    };
    let size = |key: &str| node.get(key).and_then(Value::as_u64);
    let number = |key: &str| node.get(key).and_then(Value::as_number).cloned();
    let flag = |key: &str| node.get(key).and_then(Value::as_bool).unwrap_or(false);
    if let Some(pattern) = node.get("pattern").and_then(Value::as_str) {
        regex_lite::Regex::new(pattern).map_err(|e| format!("{at}/pattern: {pattern:?} does not compile: {e}"))?;
    }
    Ok(SchemaDef {
        kind,
        nullable: flag("nullable"),
        min_length: size("minLength"),
        max_length: size("maxLength"),
        pattern: node.get("pattern").and_then(Value::as_str).map(str::to_owned),
        pattern_rule: node.get("x-pattern-rule").and_then(Value::as_str).map(str::to_owned),
        minimum: number("minimum"),
        exclusive_minimum: flag("exclusiveMinimum"),
        maximum: number("maximum"),
        exclusive_maximum: flag("exclusiveMaximum"),
        min_items: size("minItems"),
        max_items: size("maxItems"),
        values: node
            .get("enum")
            .and_then(Value::as_array)
            .into_iter()
            .flatten()
            .filter_map(Value::as_str)
            .map(str::to_owned)
            .collect(),
        open: false,
        default: node.get("default").cloned(),
        description: description(node),
    })
}

fn prop_def(
    tree: &Value,
    name: &str,
    node: &Value,
    required: bool,
    enums: &BTreeMap<&str, &EnumDef>,
    at: &str,
) -> Result<PropDef, String> {
    let (schema, enum_type) = value_schema(tree, node, enums, at)?;
    let (ty, items) = match (schema.kind, enum_type) {
        (_, Some(e)) => (Ty::Enum(e), None),
        (Kind::Array, None) => {
            let item_node = follow(tree, node).0.get("items").unwrap_or(&Value::Null);
            let (item, item_enum) = value_schema(tree, item_node, enums, &format!("{at}/items"))?;
            let item_ty = match (item.kind, item_enum) {
                (_, Some(e)) => Ty::Enum(e),
                (Kind::String, None) => Ty::String,
                (Kind::Integer, None) => Ty::Integer,
                (Kind::Number, None) => Ty::Number,
                (Kind::Boolean, None) => Ty::Boolean,
                (other, None) => {
                    let other = other.as_str();
                    return Err(format!("{at}/items: arrays of {other} are not supported in request bodies"));
                }
            };
            (Ty::Array(Box::new(item_ty)), Some(item))
        }
        (Kind::String, None) => (Ty::String, None),
        (Kind::Integer, None) => (Ty::Integer, None),
        (Kind::Number, None) => (Ty::Number, None),
        (Kind::Boolean, None) => (Ty::Boolean, None),
        (Kind::Object, None) => (Ty::Json, None),
    };
    Ok(PropDef { name: name.to_owned(), required, ty, schema, items })
}
