//! The SDK's JSON Schemas (feature `schemars`) against the spec, for every component schema of the spec.
//!
//! For each schema of `components/schemas` and the SDK type that stands for it (the generated table
//! `openrouter_workspaces::__component_types!`: a request builder, an open enum, or a type of `raw::types`):
//!
//! - **Comparison.** The schema schemars derives from the type and the spec's schema, both reduced to a
//!   [`Canon`]: `$ref`s inlined, `allOf` merged, OpenAPI `nullable` and JSON Schema `type: [.., "null"]` /
//!   `anyOf: [X, {type: null}]` as one `null` type. Compared: the properties, the required set, the types (so the
//!   nullability), `enum`, the constraints (`minLength`, `maxLength`, `pattern`, `minimum`, `maximum`,
//!   `exclusiveMinimum`, `exclusiveMaximum`, `minItems`, `maxItems`), `items`, `additionalProperties`, and the
//!   descriptions of properties. Under both of schemars's contracts (what the type reads, what it writes).
//! - **Differential validation.** The spec's examples and instances generated from them (each property removed,
//!   `null`, of a wrong type, at and past each bound, an unknown enum value, an unknown property) validate
//!   against both schemas or against neither; and the type's deserializer agrees: what the spec accepts decodes,
//!   a missing required property, a `null` or a wrong type the spec refuses does not.
//!
//! Where the two differ on purpose, [`DELIBERATE`] says so, one line each, as general rules (never a list of
//! fields); a rule that nothing needs any more fails the test, so the list cannot outlive the difference. One rule
//! is standing, about what upstream may add: response models do not enforce constraints (its own test makes it
//! apply).

use std::collections::{BTreeMap, BTreeSet};

use jsonschema::error::ValidationErrorKind;
use openrouter_workspaces_tests::Spec;
use openrouter_workspaces_tests::convert::{self, Objects};
use schemars::generate::{Contract, SchemaSettings};
use serde_json::{Map, Value, json};

fn spec() -> &'static Spec {
    Spec::get()
}

// ---------------------------------------------------------------------------------------------------------------
// The SDK's side: every component's type, from the generated table.

/// A component schema of the spec and what the SDK says about it.
struct SdkType {
    /// The spec's name.
    schema: &'static str,
    /// The Rust type's name.
    rust: fn() -> &'static str,
    /// The JSON Schema schemars derives from the type, under a contract.
    json_schema: fn(Contract) -> Value,
    /// Whether a value deserializes into the type.
    decode: fn(&Value) -> Result<(), String>,
}

fn json_schema_of<T: schemars::JsonSchema>(contract: Contract) -> Value {
    let generator = SchemaSettings::draft2020_12().with(|s| s.contract = contract).into_generator();
    generator.into_root_schema_for::<T>().to_value()
}

fn decode<T: serde::de::DeserializeOwned>(value: &Value) -> Result<(), String> {
    serde_json::from_value::<T>(value.clone()).map(drop).map_err(|e| e.to_string())
}

macro_rules! sdk_types {
    ($(($schema:literal, $ty:ty)),* $(,)?) => {
        &[$(SdkType {
            schema: $schema,
            rust: std::any::type_name::<$ty>,
            json_schema: json_schema_of::<$ty>,
            decode: decode::<$ty>,
        }),*]
    };
}

const SDK_TYPES: &[SdkType] = openrouter_workspaces::__component_types!(sdk_types);

// ---------------------------------------------------------------------------------------------------------------
// Deliberate differences.

/// A difference between the spec's schema and the SDK's that is there on purpose.
struct Deliberate {
    /// Why, in one line.
    why: &'static str,
    /// A rule about what upstream may add, not about a difference of today's spec: it may apply to nothing now.
    /// Its own test ([`a_constraint_on_a_response_is_documentation_and_on_a_request_body_is_not`]) makes it apply.
    standing: bool,
    /// Whether a difference found by the comparison is this one.
    applies: fn(&Difference) -> bool,
}

/// Where the SDK's schema differs from the spec's on purpose, one line each.
const DELIBERATE: &[Deliberate] = &[
    Deliberate {
        why: "outside request bodies (responses, the open enums) the SDK's types read what they are given: a \
              constraint the spec states there (length, bound, pattern, item count) is enforced by the request \
              builders, the parameter checks and the fake, never by a type (see the `plain-model-types` transform)",
        standing: true,
        applies: |d| CONSTRAINTS.contains(&d.keyword) && !d.in_request_body && d.sdk == "none",
    },
    Deliberate {
        why: "response types read `null` for an optional property (serde's `Option`), which the spec never sends",
        standing: false,
        applies: |d| {
            d.keyword == "nullable" && !d.in_request_body && d.optional && d.spec == "false" && d.sdk == "true"
        },
    },
    Deliberate {
        why: "a `true`-only boolean (`deleted: enum [true]`) is a `bool`: the SDK also reads `false`",
        standing: false,
        applies: |d| d.keyword == "enum" && d.spec == "[true]" && d.sdk == "none",
    },
    Deliberate {
        why: "progenitor does not carry a description given beside a `$ref` (`allOf: [$ref, {description}]`) to its field",
        standing: false,
        applies: |d| d.keyword == "description" && d.sdk == "none" && d.beside_ref,
    },
];

// Deliberate differences that are not in the schemas, one line each (the differential test asserts the first two):
// - open enums read a value the spec does not list (kept in `Unknown`); their schema lists the known values;
// - objects are open in the spec and in the SDK: response types keep unknown fields in `extra`, builders ignore them;
// - `format` is an annotation and not compared: uuid ids are `String`s, integers `i64` (`int64`), numbers `f64`;
//   bounds that are exactly `int64`'s range are what `format: int64` says, and are not compared either.

// ---------------------------------------------------------------------------------------------------------------
// Canonical schemas.

/// `additionalProperties`, canonical.
#[derive(Clone, Debug, PartialEq)]
enum Additional {
    /// Absent, `true` or `{}`.
    Any,
    /// `false`.
    Never,
    /// A schema.
    Schema(Box<Canon>),
}

/// A schema reduced to what both sides state, with nothing left to resolve.
#[derive(Clone, Debug, PartialEq)]
struct Canon {
    /// The JSON types, `null` included (empty: any).
    types: BTreeSet<String>,
    /// `enum` (or `const`), as JSON texts.
    values: Option<BTreeSet<String>>,
    description: Option<String>,
    /// Numeric constraints and `pattern`, as JSON.
    constraints: BTreeMap<String, Value>,
    properties: BTreeMap<String, Canon>,
    required: BTreeSet<String>,
    additional: Additional,
    items: Option<Box<Canon>>,
    /// Whether the description came from beside a `$ref` (an `allOf` member next to one, or a sibling).
    beside_ref: bool,
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
];

/// Keywords that are neither compared nor resolved: annotations, and what names or places a schema.
const IGNORED: &[&str] = &["$schema", "$defs", "title", "format", "default", "examples", "example", "deprecated"];

impl Canon {
    fn any() -> Canon {
        Canon {
            types: BTreeSet::new(),
            values: None,
            description: None,
            constraints: BTreeMap::new(),
            properties: BTreeMap::new(),
            required: BTreeSet::new(),
            additional: Additional::Any,
            items: None,
            beside_ref: false,
        }
    }

    /// `other`'s statements added to this one's (`allOf`, or a `$ref`'s siblings).
    fn merge(&mut self, other: Canon) {
        if self.types.is_empty() {
            self.types = other.types;
        } else if !other.types.is_empty() {
            self.types = self.types.intersection(&other.types).cloned().collect();
        }
        if other.values.is_some() {
            self.values = other.values;
        }
        if other.description.is_some() {
            self.description = other.description;
            self.beside_ref = true;
        }
        self.constraints.extend(other.constraints);
        self.properties.extend(other.properties);
        self.required.extend(other.required);
        if other.additional != Additional::Any {
            self.additional = other.additional;
        }
        if other.items.is_some() {
            self.items = other.items;
        }
    }

    /// This schema, or `null`.
    fn or_null(mut self) -> Canon {
        if !self.types.is_empty() {
            self.types.insert("null".into());
        }
        if let Some(values) = &mut self.values {
            values.insert("null".into());
        }
        self
    }
}

fn is_null_schema(node: &Value) -> bool {
    node.get("type") == Some(&json!("null")) && node.as_object().is_some_and(|o| o.len() == 1)
}

/// Reduces a JSON Schema (draft 2020-12; `$ref`s to `#/$defs/X` in `defs`) to its [`Canon`].
fn canon(node: &Value, defs: &Map<String, Value>, at: &str) -> Canon {
    let Some(object) = node.as_object() else {
        return match node {
            Value::Bool(false) => Canon { additional: Additional::Never, ..Canon::any() },
            _ => Canon::any(),
        };
    };
    let mut out = Canon::any();
    if let Some(reference) = object.get("$ref").and_then(Value::as_str) {
        let name = reference.rsplit('/').next().unwrap_or(reference);
        let target = defs.get(name).unwrap_or_else(|| panic!("{at}: {reference} names nothing"));
        // A referenced schema's own description describes the type, not this place: only siblings count here.
        out = Canon { description: None, ..canon(target, defs, &format!("{at}->{name}")) };
    }
    for key in ["allOf"] {
        for (i, member) in object.get(key).and_then(Value::as_array).into_iter().flatten().enumerate() {
            let had_ref = member.get("$ref").is_some();
            let mut member = canon(member, defs, &format!("{at}/allOf/{i}"));
            member.beside_ref |= !had_ref && object["allOf"].as_array().is_some_and(|a| a.len() > 1);
            let beside = member.beside_ref;
            out.merge(member);
            out.beside_ref = beside || out.beside_ref;
        }
    }
    for key in ["anyOf", "oneOf"] {
        let Some(members) = object.get(key).and_then(Value::as_array) else { continue };
        let (nulls, others): (Vec<&Value>, Vec<&Value>) = members.iter().partition(|m| is_null_schema(m));
        match (nulls.len(), others.as_slice()) {
            (1, [only]) => out.merge(canon(only, defs, &format!("{at}/{key}")).or_null()),
            _ => panic!("{at}: a {key} other than [X, {{type: null}}] is not something this comparison reduces"),
        }
        // `or_null` above acted on the member alone; the merge keeps its `null`.
        out.types.insert("null".into());
    }
    let mut own = Canon::any();
    match object.get("type") {
        Some(Value::String(t)) => {
            own.types.insert(t.clone());
        }
        Some(Value::Array(ts)) => own.types.extend(ts.iter().filter_map(Value::as_str).map(str::to_owned)),
        _ => {}
    }
    if let Some(values) = object.get("enum").and_then(Value::as_array) {
        own.values = Some(values.iter().map(Value::to_string).collect());
    }
    if let Some(value) = object.get("const") {
        own.values = Some(BTreeSet::from([value.to_string()]));
    }
    own.description = object.get("description").and_then(Value::as_str).map(str::to_owned);
    for key in CONSTRAINTS {
        if let Some(value) = object.get(*key) {
            own.constraints.insert((*key).to_owned(), value.clone());
        }
    }
    // `format: int64` already says the range: bounds that are exactly that range (the spec states them for tools
    // that ignore formats) say nothing more, and an `i64` does not repeat them.
    if object.get("format").and_then(Value::as_str) == Some("int64") {
        for (key, bound) in [("minimum", i64::MIN), ("maximum", i64::MAX)] {
            if own.constraints.get(key).and_then(Value::as_f64) == Some(bound as f64) {
                own.constraints.remove(key);
            }
        }
    }
    for (name, property) in object.get("properties").and_then(Value::as_object).into_iter().flatten() {
        own.properties.insert(name.clone(), canon(property, defs, &format!("{at}/properties/{name}")));
    }
    own.required = object
        .get("required")
        .and_then(Value::as_array)
        .into_iter()
        .flatten()
        .filter_map(Value::as_str)
        .map(str::to_owned)
        .collect();
    own.additional = match object.get("additionalProperties") {
        None | Some(Value::Bool(true)) => Additional::Any,
        Some(Value::Bool(false)) => Additional::Never,
        Some(Value::Object(o)) if o.is_empty() => Additional::Any,
        Some(other) => Additional::Schema(Box::new(canon(other, defs, &format!("{at}/additionalProperties")))),
    };
    if let Some(items) = object.get("items") {
        own.items = Some(Box::new(canon(items, defs, &format!("{at}/items"))));
    }
    let description_here = own.description.is_some();
    out.merge(own);
    // A description beside this node's own `$ref` is "beside a $ref" too; one in a plain schema is not.
    out.beside_ref = (description_here && object.contains_key("$ref")) || (out.beside_ref && !description_here);
    // The `null` of a nullable enum: `type: [string, null]` with `enum` lacking it accepts no `null`, but schemars
    // and the spec's converter both list it; nothing to adjust.
    for key in object.keys() {
        let known = IGNORED.contains(&key.as_str())
            || CONSTRAINTS.contains(&key.as_str())
            || [
                "$ref",
                "allOf",
                "anyOf",
                "oneOf",
                "type",
                "enum",
                "const",
                "description",
                "properties",
                "required",
                "additionalProperties",
                "items",
            ]
            .contains(&key.as_str());
        assert!(known, "{at}: the keyword {key:?} is neither compared nor ignored by this test; decide which");
    }
    out
}

// ---------------------------------------------------------------------------------------------------------------
// Comparing.

/// One difference between the spec's schema and the SDK's.
#[derive(Clone, Debug)]
struct Difference {
    /// `Schema/properties/name/...`.
    path: String,
    keyword: &'static str,
    spec: String,
    sdk: String,
    /// Whether the place is a property that its object does not require.
    optional: bool,
    /// Whether the component is a request body of the spec.
    in_request_body: bool,
    /// Whether the spec's description there sits beside a `$ref`.
    beside_ref: bool,
}

impl std::fmt::Display for Difference {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "{}: {}: spec {}, SDK {}", self.path, self.keyword, self.spec, self.sdk)
    }
}

struct Place<'a> {
    path: String,
    optional: bool,
    in_request_body: bool,
    out: &'a mut Vec<Difference>,
}

fn show_set(set: &BTreeSet<String>) -> String {
    format!("[{}]", set.iter().cloned().collect::<Vec<_>>().join(", "))
}

fn compare(spec: &Canon, sdk: &Canon, root: bool, place: &mut Place<'_>) {
    let mut found = Vec::new();
    let (path, optional, in_request_body) = (place.path.clone(), place.optional, place.in_request_body);
    let mut differ = |keyword: &'static str, s: String, k: String, beside_ref: bool| {
        found.push(Difference { path: path.clone(), keyword, spec: s, sdk: k, optional, in_request_body, beside_ref })
    };
    let strip = |t: &BTreeSet<String>| t.iter().filter(|t| *t != "null").cloned().collect::<BTreeSet<_>>();
    // `number` admits integers: schemars says `integer` where the spec may say `number` only for integer types,
    // which would be a real difference; compare as written.
    if strip(&spec.types) != strip(&sdk.types) {
        differ("type", show_set(&spec.types), show_set(&sdk.types), false);
    }
    let nullable = |c: &Canon| c.types.contains("null") || c.values.as_ref().is_some_and(|v| v.contains("null"));
    if nullable(spec) != nullable(sdk) {
        differ("nullable", nullable(spec).to_string(), nullable(sdk).to_string(), false);
    }
    let values = |c: &Canon| {
        c.values.as_ref().map(|v| {
            let without_null: BTreeSet<String> = v.iter().filter(|v| *v != "null").cloned().collect();
            show_set(&without_null)
        })
    };
    if values(spec) != values(sdk) {
        let none = || "none".to_owned();
        differ("enum", values(spec).unwrap_or_else(none), values(sdk).unwrap_or_else(none), false);
    }
    if !root && spec.description != sdk.description {
        let show = |d: &Option<String>| d.as_ref().map_or("none".to_owned(), |d| format!("{d:?}"));
        differ("description", show(&spec.description), show(&sdk.description), spec.beside_ref);
    }
    for key in CONSTRAINTS {
        let number = |c: &Canon| c.constraints.get(*key).map(|v| v.as_f64().map_or(v.to_string(), |n| n.to_string()));
        if number(spec) != number(sdk) {
            let none = || "none".to_owned();
            differ(key, number(spec).unwrap_or_else(none), number(sdk).unwrap_or_else(none), false);
        }
    }
    if spec.required != sdk.required {
        differ("required", show_set(&spec.required), show_set(&sdk.required), false);
    }
    let names = |c: &Canon| c.properties.keys().cloned().collect::<BTreeSet<_>>();
    if names(spec) != names(sdk) {
        differ("properties", show_set(&names(spec)), show_set(&names(sdk)), false);
    }
    let additional = |a: &Additional| match a {
        Additional::Any => "any".to_owned(),
        Additional::Never => "none".to_owned(),
        Additional::Schema(_) => "a schema".to_owned(),
    };
    match (&spec.additional, &sdk.additional) {
        (Additional::Schema(_), Additional::Schema(_)) => {}
        (s, k) if s != k => differ("additionalProperties", additional(s), additional(k), false),
        _ => {}
    }
    if spec.items.is_some() != sdk.items.is_some() {
        differ("items", spec.items.is_some().to_string(), sdk.items.is_some().to_string(), false);
    }
    place.out.extend(found);
    if let (Additional::Schema(s), Additional::Schema(k)) = (&spec.additional, &sdk.additional) {
        descend(s, k, "additionalProperties", false, place);
    }
    if let (Some(s), Some(k)) = (&spec.items, &sdk.items) {
        descend(s, k, "items", false, place);
    }
    for (name, s) in &spec.properties {
        if let Some(k) = sdk.properties.get(name) {
            let optional = !spec.required.contains(name);
            descend(s, k, &format!("properties/{name}"), optional, place);
        }
    }
}

fn descend(spec: &Canon, sdk: &Canon, step: &str, optional: bool, place: &mut Place<'_>) {
    let mut inner = Place {
        path: format!("{}/{step}", place.path),
        optional,
        in_request_body: place.in_request_body,
        out: place.out,
    };
    compare(spec, sdk, false, &mut inner);
}

// ---------------------------------------------------------------------------------------------------------------
// The two sides, per component.

/// The spec's component schemas as JSON Schema, open objects (as the spec means them).
fn spec_defs() -> &'static Map<String, Value> {
    static DEFS: std::sync::OnceLock<Map<String, Value>> = std::sync::OnceLock::new();
    DEFS.get_or_init(|| {
        let schemas = spec().document()["components"]["schemas"].as_object().expect("components/schemas");
        convert::convert_components(schemas, Objects::Open).expect("the spec converts")
    })
}

fn spec_schema(name: &str) -> Value {
    convert::bundle(&json!({ "$ref": format!("{}{name}", convert::DEFS_REF) }), spec_defs())
}

/// The schemas that are a request body of some operation.
fn request_bodies() -> BTreeSet<String> {
    let mut out = BTreeSet::new();
    for path in spec().document()["paths"].as_object().into_iter().flatten().map(|(_, p)| p) {
        for op in path.as_object().into_iter().flatten().map(|(_, o)| o) {
            for media in op.pointer("/requestBody/content").and_then(Value::as_object).into_iter().flatten() {
                if let Some(r) = media.1.pointer("/schema/$ref").and_then(Value::as_str) {
                    out.insert(r.rsplit('/').next().unwrap_or(r).to_owned());
                }
            }
        }
    }
    out
}

fn canon_of(schema: &Value, at: &str) -> Canon {
    let empty = Map::new();
    let defs = schema.get("$defs").and_then(Value::as_object).unwrap_or(&empty);
    canon(schema, defs, at)
}

fn sdk_type(name: &str) -> &'static SdkType {
    SDK_TYPES.iter().find(|t| t.schema == name).unwrap_or_else(|| panic!("no SDK type for {name}"))
}

fn differences(t: &SdkType, contract: Contract) -> Vec<Difference> {
    let spec = canon_of(&spec_schema(t.schema), &format!("spec {}", t.schema));
    let sdk = canon_of(&(t.json_schema)(contract), &format!("SDK {}", (t.rust)()));
    let mut out = Vec::new();
    let mut place = Place {
        path: t.schema.to_owned(),
        optional: false,
        in_request_body: request_bodies().contains(t.schema),
        out: &mut out,
    };
    compare(&spec, &sdk, true, &mut place);
    out
}

fn deliberate(d: &Difference) -> Option<usize> {
    DELIBERATE.iter().position(|rule| (rule.applies)(d))
}

// ---------------------------------------------------------------------------------------------------------------
// Tests.

#[test]
fn every_component_schema_has_an_sdk_type_in_the_generated_table() {
    let in_spec: BTreeSet<&str> = spec().schema_names().into_iter().collect();
    let in_table: BTreeSet<&str> = SDK_TYPES.iter().map(|t| t.schema).collect();
    assert_eq!(in_spec, in_table, "the spec's components (left) and `__component_types!` (right) differ");
    assert!(in_spec.len() >= 20, "only {} component schemas: is the spec loaded?", in_spec.len());
}

#[test]
fn the_sdk_schemas_state_what_the_spec_states() {
    let mut unexplained = Vec::new();
    let mut used = vec![0usize; DELIBERATE.len()];
    for contract in [Contract::Deserialize, Contract::Serialize] {
        for name in spec().schema_names() {
            for d in differences(sdk_type(name), contract.clone()) {
                match deliberate(&d) {
                    Some(i) => used[i] += 1,
                    None => unexplained.push(format!("{contract:?}: {d}")),
                }
            }
        }
    }
    assert!(unexplained.is_empty(), "the SDK's schemas and the spec's differ:\n{}", unexplained.join("\n"));
    let stale: Vec<&str> =
        DELIBERATE.iter().zip(&used).filter(|(r, n)| **n == 0 && !r.standing).map(|(r, _)| r.why).collect();
    assert!(stale.is_empty(), "deliberate differences that no longer occur (remove them): {stale:#?}");
}

/// The standing rule on response constraints, made to apply: every constraint the comparison knows, added by
/// upstream to a property of every response component (`Workspace.name` gains a `maxLength`, ...), is explained by
/// that rule alone (the SDK's response type stays plain); the same constraint on a request body's property is
/// never explained.
#[test]
fn a_constraint_on_a_response_is_documentation_and_on_a_request_body_is_not() {
    let bodies = request_bodies();
    let rule = DELIBERATE.iter().position(|r| r.standing).expect("the standing rule");
    let mut tried = BTreeMap::<bool, usize>::new();
    for name in spec().schema_names() {
        let t = sdk_type(name);
        let spec_canon = canon_of(&spec_schema(name), "spec");
        let sdk = canon_of(&(t.json_schema)(Contract::Deserialize), "SDK");
        let in_request_body = bodies.contains(name);
        for (prop, c) in &spec_canon.properties {
            let key = match c.types.iter().find(|t| *t != "null").map(String::as_str) {
                Some("string") => "maxLength",
                Some("integer" | "number") => "maximum",
                Some("array") => "maxItems",
                _ => continue,
            };
            if c.constraints.contains_key(key) {
                continue;
            }
            let mut changed = spec_canon.clone();
            changed.properties.get_mut(prop).unwrap().constraints.insert(key.to_owned(), json!(7));
            let mut out = Vec::new();
            let mut place = Place { path: name.to_owned(), optional: false, in_request_body, out: &mut out };
            compare(&changed, &sdk, true, &mut place);
            let at = format!("{name}/properties/{prop}");
            let found: Vec<&Difference> = out.iter().filter(|d| d.keyword == key && d.path == at).collect();
            assert_eq!(found.len(), 1, "{name}.{prop}: {key} added upstream, reported: {out:?}");
            let explained = deliberate(found[0]);
            if in_request_body {
                assert_eq!(explained, None, "{name}.{prop}: a request body's {key} must be the builder's");
            } else {
                assert_eq!(explained, Some(rule), "{name}.{prop}: {}", found[0]);
            }
            *tried.entry(in_request_body).or_default() += 1;
        }
    }
    assert!(tried.get(&false).is_some_and(|n| *n > 20) && tried.get(&true).is_some_and(|n| *n > 5), "{tried:?}");
}

/// The comparison can fail: in every request body, a changed length, a lost `null`, a changed description, a
/// property made optional and a missing property are each reported, at their place, and none is deliberate.
#[test]
fn the_comparison_reports_what_differs() {
    let mut seen = BTreeMap::<&str, usize>::new();
    for name in request_bodies() {
        let t = sdk_type(&name);
        let spec = canon_of(&spec_schema(&name), "spec");
        let sdk_schema = (t.json_schema)(Contract::Deserialize);
        let report = |edit: &dyn Fn(&mut Value)| -> Vec<String> {
            let mut changed = sdk_schema.clone();
            edit(&mut changed);
            let mut out = Vec::new();
            let mut place = Place { path: name.clone(), optional: false, in_request_body: true, out: &mut out };
            compare(&spec, &canon_of(&changed, "changed"), true, &mut place);
            assert!(
                out.iter().all(|d| deliberate(d).is_none()),
                "{name}: a request body's differences are never deliberate"
            );
            out.iter().map(ToString::to_string).collect()
        };
        assert_eq!(report(&|_| {}), Vec::<String>::new(), "{name} unchanged");
        for (prop, c) in &spec.properties {
            let at = format!("{name}/properties/{prop}");
            if let Some(max) = c.constraints.get("maxLength").and_then(Value::as_u64) {
                let edited = report(&|s| s["properties"][prop]["maxLength"] = json!(max + 1));
                assert_eq!(edited, [format!("{at}: maxLength: spec {max}, SDK {}", max + 1)]);
                *seen.entry("maxLength").or_default() += 1;
            }
            let sdk_types = sdk_schema["properties"][prop]["type"].as_array().cloned().unwrap_or_default();
            if sdk_types.contains(&json!("null")) && sdk_types.len() == 2 {
                let non_null = sdk_types.iter().find(|t| **t != json!("null")).unwrap().clone();
                let edited = report(&|s| s["properties"][prop]["type"] = non_null.clone());
                assert_eq!(edited, [format!("{at}: nullable: spec true, SDK false")]);
                *seen.entry("nullable").or_default() += 1;
            }
            if let Some(d) = &c.description {
                let edited = report(&|s| s["properties"][prop]["description"] = json!("something else"));
                assert_eq!(edited, [format!("{at}: description: spec {d:?}, SDK \"something else\"")]);
                *seen.entry("description").or_default() += 1;
            }
            if spec.required.contains(prop) {
                let edited = report(&|s| s["required"].as_array_mut().unwrap().retain(|r| r != prop));
                assert_eq!(edited.len(), 1, "{edited:?}");
                assert!(edited[0].starts_with(&format!("{name}: required: spec [")), "{edited:?}");
                *seen.entry("required").or_default() += 1;
            } else {
                let edited = report(&|s| drop(s["properties"].as_object_mut().unwrap().remove(prop)));
                assert_eq!(edited.len(), 1, "{edited:?}");
                assert!(edited[0].starts_with(&format!("{name}: properties: spec [")), "{edited:?}");
                *seen.entry("properties").or_default() += 1;
            }
        }
    }
    assert_eq!(seen.len(), 5, "not every kind of change was tried: {seen:?}");
}

// ---------------------------------------------------------------------------------------------------------------
// Differential validation.

fn validator(schema: &Value) -> jsonschema::Validator {
    // Formats are annotations here (as in draft 2020-12 by default): see the deliberate differences.
    jsonschema::options()
        .with_draft(jsonschema::Draft::Draft202012)
        .build(schema)
        .unwrap_or_else(|e| panic!("invalid JSON Schema {schema}: {e}"))
}

/// What a validator says of an instance: valid, or the kinds of its violations.
#[derive(Debug, PartialEq)]
enum Verdict {
    Valid,
    /// A missing required property, a `null` or a value of a wrong type: the deserializer must refuse it.
    Structural,
    /// Only values the spec does not list (`enum`): an open enum reads them.
    UnlistedValue,
    /// Only constraints (lengths, bounds, pattern, sizes): the builders' validation refuses them, not serde.
    Constraint,
}

fn verdict(validator: &jsonschema::Validator, instance: &Value) -> Verdict {
    let kinds: Vec<String> = validator
        .iter_errors(instance)
        .map(|e| match e.kind() {
            ValidationErrorKind::Type { .. }
            | ValidationErrorKind::Required { .. }
            | ValidationErrorKind::AnyOf { .. }
            | ValidationErrorKind::FalseSchema => "structural",
            ValidationErrorKind::Enum { .. } | ValidationErrorKind::Constant { .. } => "enum",
            _ => "constraint",
        })
        .map(str::to_owned)
        .collect();
    if kinds.is_empty() {
        Verdict::Valid
    } else if kinds.iter().any(|k| k == "structural") {
        Verdict::Structural
    } else if kinds.iter().all(|k| k == "enum") {
        Verdict::UnlistedValue
    } else {
        Verdict::Constraint
    }
}

/// An instance to judge: what it is (for messages), the property it changed (if any), and the value.
struct Instance {
    what: String,
    property: Option<String>,
    value: Value,
}

/// A value of every property of an object schema: its example, completed with each missing property's own
/// example (or that of the schema it references).
fn full_example(name: &str) -> Value {
    let schema = &spec().document()["components"]["schemas"][name];
    let mut value = schema["example"].clone();
    for (prop, prop_schema) in schema.get("properties").and_then(Value::as_object).into_iter().flatten() {
        if value.get(prop).is_none() {
            let example = prop_schema
                .get("example")
                .or_else(|| spec().resolve(prop_schema).ok().and_then(|s| s.get("example")))
                .unwrap_or_else(|| panic!("{name}.{prop}: no example in the spec to build a full instance from"));
            value[prop] = example.clone();
        }
    }
    value
}

/// Values around a schema's constraints and outside its types.
fn probes(c: &Canon, example: &Value) -> Vec<(String, Value)> {
    let mut out = Vec::new();
    for wrong in [json!({"__probe__": true}), json!(12345), json!(1.5), json!("__probe__"), json!([]), json!(true)] {
        out.push((format!("{wrong}"), wrong));
    }
    out.push(("null".into(), Value::Null));
    let size = |key: &str| c.constraints.get(key).and_then(Value::as_u64);
    for (key, delta) in [("minLength", -1i64), ("minLength", 0), ("maxLength", 0), ("maxLength", 1)] {
        if let Some(n) = size(key) {
            let len = (n as i64 + delta).max(0) as usize;
            out.push((format!("{len} characters ({key})"), json!("a".repeat(len))));
        }
    }
    if c.constraints.contains_key("pattern") {
        for s in ["Not A Slug", "-x", "x-", "a--b", "a"] {
            out.push((format!("{s:?} (pattern)"), json!(s)));
        }
    }
    let item = c.items.as_ref().map(|_| example.as_array().and_then(|a| a.first()).cloned().unwrap_or(json!("x")));
    for (key, delta) in [("minItems", -1i64), ("minItems", 0), ("maxItems", 0), ("maxItems", 1)] {
        if let (Some(n), Some(item)) = (size(key), &item) {
            let len = (n as i64 + delta).max(0) as usize;
            out.push((format!("{len} items ({key})"), Value::Array(vec![item.clone(); len])));
        }
    }
    if item.is_some() {
        out.push(("an item of a wrong type".into(), json!([{"__probe__": 1}])));
    }
    for key in ["minimum", "maximum", "exclusiveMinimum", "exclusiveMaximum"] {
        if let Some(n) = c.constraints.get(key).and_then(Value::as_f64) {
            for v in [n - 0.5, n - 0.00001, n, n + 0.00001, n + 0.5] {
                out.push((format!("{v} ({key})"), json!(v)));
            }
        }
    }
    if c.values.is_some() {
        out.push(("an unlisted value".into(), json!("__unlisted__")));
        out.push(("false".into(), json!(false)));
    }
    out
}

/// The spec's example of a component and instances generated from it.
fn instances(name: &str, canon: &Canon) -> Vec<Instance> {
    let example = &spec().document()["components"]["schemas"][name]["example"];
    let mut out = vec![Instance { what: "the spec's example".into(), property: None, value: example.clone() }];
    if canon.properties.is_empty() {
        for (what, value) in probes(canon, example) {
            out.push(Instance { what, property: None, value });
        }
        return out;
    }
    let full = full_example(name);
    out.push(Instance { what: "a full instance".into(), property: None, value: full.clone() });
    let mut extra = full.clone();
    extra["__unknown_property__"] = json!({"kept": true});
    out.push(Instance { what: "an unknown property".into(), property: None, value: extra });
    out.push(Instance { what: "an empty object".into(), property: None, value: json!({}) });
    for (prop, c) in &canon.properties {
        let mut without = full.clone();
        without.as_object_mut().unwrap().remove(prop);
        out.push(Instance { what: format!("without `{prop}`"), property: Some(prop.clone()), value: without });
        for (what, value) in probes(c, &full[prop]) {
            let mut changed = full.clone();
            changed[prop] = value;
            out.push(Instance { what: format!("`{prop}`: {what}"), property: Some(prop.clone()), value: changed });
        }
    }
    out
}

/// Differential validation: the spec's schema, the SDK's schema and the SDK's deserializer on the spec's examples
/// and instances generated from them.
#[test]
fn the_spec_the_sdk_schemas_and_the_sdk_types_judge_every_instance_alike() {
    let mut problems = Vec::new();
    let mut counts = BTreeMap::<&str, usize>::new();
    for name in spec().schema_names() {
        let t = sdk_type(name);
        let spec_schema = spec_schema(name);
        let spec_canon = canon_of(&spec_schema, name);
        let (by_spec, by_sdk) = (validator(&spec_schema), validator(&(t.json_schema)(Contract::Deserialize)));
        // Properties where the schemas differ on purpose: instances that change them may be judged apart.
        let explained: BTreeSet<String> = differences(t, Contract::Deserialize)
            .into_iter()
            .filter(|d| deliberate(d).is_some())
            .filter_map(|d| d.path.strip_prefix(&format!("{name}/properties/")).map(|p| p.to_owned()))
            .collect();
        for instance in instances(name, &spec_canon) {
            // The whole value only when the change is not in `what` (a removed property, the examples).
            let value = if instance.what.contains(':') { String::new() } else { format!(": {}", instance.value) };
            let at = format!("{name} ({}), {}{value}", (t.rust)(), instance.what);
            let (spec_says, sdk_says) = (verdict(&by_spec, &instance.value), verdict(&by_sdk, &instance.value));
            let decoded = (t.decode)(&instance.value);
            let tolerated = instance.property.as_ref().is_some_and(|p| explained.contains(p));
            *counts.entry("instances").or_default() += 1;
            *counts
                .entry(if spec_says == Verdict::Valid { "valid by the spec" } else { "invalid by the spec" })
                .or_default() += 1;
            if (spec_says == Verdict::Valid) != (sdk_says == Verdict::Valid) && !tolerated {
                problems.push(format!("{at}: the spec says {spec_says:?}, the SDK's schema {sdk_says:?}"));
            }
            match (&spec_says, &decoded) {
                (Verdict::Valid, Err(e)) => problems.push(format!("{at}: valid by the spec, but does not decode: {e}")),
                (Verdict::Structural, Ok(())) if !tolerated => {
                    problems.push(format!("{at}: the spec refuses it ({spec_says:?}), but it decodes"))
                }
                // Open enums (see the deliberate differences).
                (Verdict::UnlistedValue, Err(e)) => {
                    problems.push(format!("{at}: an unlisted value must decode (open enums), but: {e}"))
                }
                _ => {}
            }
            if instance.what == "an unknown property" && (decoded.is_err() || sdk_says != Verdict::Valid) {
                problems.push(format!("{at}: an unknown property must be accepted (open objects, `extra`)"));
            }
        }
    }
    assert!(problems.is_empty(), "{} disagreement(s):\n{}", problems.len(), problems.join("\n"));
    // The generator is not vacuous: hundreds of instances, and both verdicts common.
    assert!(
        counts["instances"] > 500 && counts["valid by the spec"] > 100 && counts["invalid by the spec"] > 300,
        "{counts:?}"
    );
}
