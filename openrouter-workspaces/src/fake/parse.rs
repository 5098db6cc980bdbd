//! Reading a routed request's parameters and body as the spec defines them. The generated parser (`tables::fake`)
//! calls these for every parameter and body of every operation, with the parameter's generated description; the
//! checks are the ones the client runs before sending ([`crate::validate`]), on the server's side.

use serde::Serialize;
use serde::de::DeserializeOwned;
use serde_json::Value;

use super::state::{ErrorReply, bad};
use crate::operation::{Location, Operation, Parameter};
use crate::validate::{self, Side, Validate};

/// A request routed to an operation, not yet parsed.
pub(crate) struct Raw<'a> {
    /// The operation.
    pub(crate) operation: &'static Operation,
    /// Its path parameters, decoded, by name.
    pub(crate) path: &'a [(&'static str, String)],
    /// The query parameters, decoded, in order.
    pub(crate) query: &'a [(String, String)],
    /// The JSON body, if there was one.
    pub(crate) body: Option<&'a Value>,
}

/// Why a request was refused: a 400 with the documented error body.
pub(crate) type Rejection = ErrorReply;

fn where_(param: &Parameter) -> &'static str {
    match param.location {
        Location::Path => "path",
        _ => "query",
    }
}

/// The raw text of a parameter, `None` when absent. An empty value (`?offset=`) is a value like any other, checked
/// against the schema: the spec allows empty values nowhere (no `allowEmptyValue`), and a nullable query parameter
/// is `null` by being left out (what the official SDKs do with `None`).
fn text<'a>(raw: &'a Raw<'_>, param: &Parameter) -> Result<Option<&'a str>, Rejection> {
    let value = match param.location {
        Location::Path => raw.path.iter().find(|(n, _)| *n == param.name).map(|(_, v)| v.as_str()),
        _ => {
            let mut values = raw.query.iter().filter(|(n, _)| n == param.name).map(|(_, v)| v.as_str());
            let first = values.next();
            if values.next().is_some() {
                return Err(bad(format!("{}: query parameter {:?} is repeated", raw.operation.id, param.name)));
            }
            first
        }
    };
    Ok(value)
}

fn rejected(raw: &Raw<'_>, param: &Parameter, value: &str, e: crate::Error) -> Rejection {
    let rule = match &e {
        crate::Error::InvalidInput(i) => i.rule.clone(),
        other => other.to_string(),
    };
    bad(format!("{}: {} parameter {}={value:?} {rule}", raw.operation.id, where_(param), param.name))
}

/// A string parameter, checked against its schema.
pub(crate) fn param_str(raw: &Raw<'_>, param: &Parameter) -> Result<Option<String>, Rejection> {
    let Some(value) = text(raw, param)? else { return Ok(None) };
    validate::check_str(param.name, &param.schema, value, Side::Server).map_err(|e| rejected(raw, param, value, e))?;
    Ok(Some(value.to_owned()))
}

/// A parameter whose values are an enum's: only the values the spec lists pass.
pub(crate) fn param_enum<E: From<String>>(raw: &Raw<'_>, param: &Parameter) -> Result<Option<E>, Rejection> {
    Ok(param_str(raw, param)?.map(E::from))
}

/// An integer parameter, checked against its bounds.
pub(crate) fn param_int(raw: &Raw<'_>, param: &Parameter) -> Result<Option<i64>, Rejection> {
    let Some(value) = text(raw, param)? else { return Ok(None) };
    let parsed: i128 = value.parse().map_err(|_| {
        let rule = validate::range_rule(&param.schema, "an integer");
        bad(format!("{}: {} parameter {}={value:?} {rule}", raw.operation.id, where_(param), param.name))
    })?;
    validate::check_int(param.name, &param.schema, parsed).map_err(|e| rejected(raw, param, value, e))?;
    i64::try_from(parsed).map(Some).map_err(|_| {
        bad(format!(
            "{}: {} parameter {}={value:?} is not a 64-bit integer",
            raw.operation.id,
            where_(param),
            param.name
        ))
    })
}

/// A boolean parameter: `true` or `false`.
pub(crate) fn param_bool(raw: &Raw<'_>, param: &Parameter) -> Result<Option<bool>, Rejection> {
    match text(raw, param)? {
        None => Ok(None),
        Some("true") => Ok(Some(true)),
        Some("false") => Ok(Some(false)),
        Some(other) => Err(bad(format!(
            "{}: {} parameter {}={other:?} must be true or false",
            raw.operation.id,
            where_(param),
            param.name
        ))),
    }
}

/// A parameter the spec requires.
pub(crate) fn required<T>(raw: &Raw<'_>, param: &Parameter, value: Option<T>) -> Result<T, Rejection> {
    value.ok_or_else(|| {
        bad(format!("{}: the required {} parameter {:?} is missing", raw.operation.id, where_(param), param.name))
    })
}

/// The body, read as the generated builder type (unknown properties are ignored, as the spec allows them; a `null`
/// where the spec does not allow one, a missing required property or a wrong type is refused) and checked against
/// every constraint of the spec, enums strictly.
///
/// The body must have the JSON type the builder type has on the wire (an object: the spec's request schemas are
/// objects): serde also reads a struct from an array of its fields in order, which the spec does not allow.
pub(crate) fn body<T: DeserializeOwned + Serialize + Validate>(raw: &Raw<'_>) -> Result<Option<T>, Rejection> {
    let Some(json) = raw.body else { return Ok(None) };
    let id = raw.operation.id;
    let body: T = serde_json::from_value(json.clone()).map_err(|e| bad(format!("{id}: invalid request body: {e}")))?;
    let expected = serde_json::to_value(&body).map(|v| json_type(&v)).unwrap_or("object");
    if json_type(json) != expected {
        return Err(bad(format!("{id}: invalid request body: expected a JSON {expected}, got {}", json_type(json))));
    }
    body.validate(Side::Server).map_err(|e| bad(format!("{id}: invalid request body: {e}")))?;
    Ok(Some(body))
}

/// The JSON type of a value, as JSON Schema names it.
fn json_type(value: &Value) -> &'static str {
    match value {
        Value::Null => "null",
        Value::Bool(_) => "boolean",
        Value::Number(_) => "number",
        Value::String(_) => "string",
        Value::Array(_) => "array",
        Value::Object(_) => "object",
    }
}

/// A body the spec requires.
pub(crate) fn required_body<T>(raw: &Raw<'_>, body: Option<T>) -> Result<T, Rejection> {
    body.ok_or_else(|| bad(format!("{}: a JSON request body is required", raw.operation.id)))
}
