//! A compiled JSON Schema and the checks it runs.

use serde_json::{Map, Value};

use crate::convert;

/// A compiled JSON Schema and the converted schema it came from.
pub struct Checker {
    schema: Value,
    validator: jsonschema::Validator,
}

impl std::fmt::Debug for Checker {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Checker").field("schema", &self.schema).finish_non_exhaustive()
    }
}

impl Checker {
    /// Compiles a converted schema, with the converted components as `$defs`.
    ///
    /// # Errors
    /// When the schema is not valid JSON Schema.
    pub fn new(converted: &Value, defs: &Map<String, Value>) -> Result<Checker, String> {
        let validator = jsonschema::options()
            .with_draft(jsonschema::Draft::Draft202012)
            .should_validate_formats(true)
            .should_ignore_unknown_formats(true)
            .build(&convert::bundle(converted, defs))
            .map_err(|e| format!("invalid JSON Schema {converted}: {e}"))?;
        Ok(Checker { schema: converted.clone(), validator })
    }

    /// The converted schema (without `$defs`).
    pub fn schema(&self) -> &Value {
        &self.schema
    }

    /// Checks `value`; each violation is `"{context}: {pointer}: {what}"` (pointer `(root)` for the value itself).
    pub fn check(&self, value: &Value, context: &str) -> Result<(), Vec<String>> {
        let errors: Vec<String> = self
            .validator
            .iter_errors(value)
            .map(|e| {
                let pointer = e.instance_path().to_string();
                let pointer = if pointer.is_empty() { "(root)".to_owned() } else { pointer };
                format!("{context}: {pointer}: {e}")
            })
            .collect();
        if errors.is_empty() { Ok(()) } else { Err(errors) }
    }

    /// Checks a scalar (a path, query or header parameter); violations are `"{context}: {what}"`.
    pub fn check_scalar(&self, value: &Value, context: &str) -> Result<(), Vec<String>> {
        let errors: Vec<String> = self.validator.iter_errors(value).map(|e| format!("{context}: {e}")).collect();
        if errors.is_empty() { Ok(()) } else { Err(errors) }
    }
}
