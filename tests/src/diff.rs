//! Comparing two JSON values the way the spec reads them: numbers by value, `null` against a missing member by the
//! schema.

use std::collections::BTreeSet;

use serde_json::Value;

use crate::convert;
use crate::spec::{Spec, resolve};

/// How [`differences`] treats `null` against a missing member.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Nulls {
    /// `null` and missing differ everywhere (request bodies: in an update, `null` clears and missing leaves alone).
    Distinct,
    /// Where the spec makes a property optional *and* nullable, `null` and missing mean the same (no value), and
    /// are no difference. Required properties must keep their `null`.
    OptionalNullableAreAbsent,
}

/// How `actual` differs from `expected`, judged along an OpenAPI `schema` of the document: one line per
/// difference with its JSON pointer. Numbers compare by value (`100` equals `100.0`).
pub fn differences(spec: &Spec, schema: &Value, expected: &Value, actual: &Value, nulls: Nulls) -> Vec<String> {
    let mut out = Vec::new();
    diff(spec, Some(schema), expected, actual, nulls, "", &mut out);
    out
}

/// Whether a property schema allows `null` (on itself, or on the schema its `$ref` names).
fn is_nullable(spec: &Spec, schema: &Value) -> bool {
    let yes = |s: &Value| s.get("nullable") == Some(&Value::Bool(true));
    yes(schema) || resolve(spec.document(), schema).is_ok_and(yes)
}

/// The part of an `allOf` that holds the properties (`allOf: [{$ref: X}, {description: ..}]` is how the spec gives
/// a `$ref` a description), or the schema itself.
fn through_all_of<'a>(spec: &'a Spec, schema: &'a Value) -> &'a Value {
    let parts = schema.get("allOf").and_then(Value::as_array).into_iter().flatten();
    parts
        .filter_map(|part| resolve(spec.document(), part).ok())
        .find(|part| part.get("properties").is_some())
        .unwrap_or(schema)
}

fn diff(
    spec: &Spec,
    schema: Option<&Value>,
    expected: &Value,
    actual: &Value,
    nulls: Nulls,
    at: &str,
    out: &mut Vec<String>,
) {
    let schema = schema.and_then(|s| resolve(spec.document(), s).ok()).map(|s| through_all_of(spec, s));
    let shown = if at.is_empty() { "(root)" } else { at };
    match (expected, actual) {
        (Value::Object(e), Value::Object(a)) => {
            let props = schema.and_then(|s| s.get("properties"));
            let required: Vec<&str> = schema
                .and_then(|s| s.get("required"))
                .and_then(Value::as_array)
                .map(|r| r.iter().filter_map(Value::as_str).collect())
                .unwrap_or_default();
            let keys: BTreeSet<&String> = e.keys().chain(a.keys()).collect();
            for key in keys {
                let here = format!("{at}/{}", convert::escape_token(key));
                let prop = props.and_then(|p| p.get(key.as_str()));
                let optional_nullable = nulls == Nulls::OptionalNullableAreAbsent
                    && !required.contains(&key.as_str())
                    && prop.is_some_and(|p| is_nullable(spec, p));
                match (e.get(key.as_str()), a.get(key.as_str())) {
                    (Some(x), Some(y)) => diff(spec, prop, x, y, nulls, &here, out),
                    (Some(Value::Null), None) | (None, Some(Value::Null)) if optional_nullable => {}
                    (Some(x), None) => out.push(format!("{here}: {x} was lost")),
                    (None, Some(y)) => out.push(format!("{here}: {y} was added")),
                    (None, None) => {}
                }
            }
        }
        (Value::Array(e), Value::Array(a)) => {
            if e.len() != a.len() {
                out.push(format!("{shown}: {} items became {}", e.len(), a.len()));
                return;
            }
            let items = schema.and_then(|s| s.get("items"));
            for (i, (x, y)) in e.iter().zip(a).enumerate() {
                diff(spec, items, x, y, nulls, &format!("{at}/{i}"), out);
            }
        }
        (Value::Number(x), Value::Number(y)) => {
            let same = x == y || x.as_f64().zip(y.as_f64()).is_some_and(|(x, y)| x == y);
            if !same {
                out.push(format!("{shown}: {expected} became {actual}"));
            }
        }
        _ if expected == actual => {}
        _ => out.push(format!("{shown}: {expected} became {actual}")),
    }
}
