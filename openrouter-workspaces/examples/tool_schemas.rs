//! The request builders' JSON Schemas as LLM tool definitions (`{"name", "description", "parameters"}`), for an
//! agent that creates and updates workspaces and sets their budgets.
//!
//! ```sh
//! cargo run --example tool_schemas --features schemars
//! ```
//!
//! `parameters` is the builder's schema (`schemars::JsonSchema`, with the spec's descriptions and constraints),
//! inlined (no `$ref`s, which many tool-calling APIs do not follow), plus the operation's path parameters (the
//! workspace, the budget interval), taken from the SDK's operation table. The model's arguments then split into
//! the path parameters and the body, which deserializes into the builder and is checked against the spec when sent.

use openrouter_workspaces::operation::{Location, OperationId, Parameter};
use openrouter_workspaces::{BudgetLimit, CreateWorkspace, UpdateWorkspace};
use schemars::JsonSchema;
use schemars::generate::SchemaSettings;
use serde_json::{Value, json};

/// A tool definition for the operation `id`, whose body is `T`.
fn tool<T: JsonSchema>(id: OperationId) -> Value {
    let operation = id.operation();
    let generator = SchemaSettings::draft2020_12().with(|s| s.inline_subschemas = true).into_generator();
    let mut parameters = generator.into_root_schema_for::<T>().to_value();
    let object = parameters.as_object_mut().expect("a body is an object");
    for key in ["$schema", "title", "description"] {
        object.remove(key);
    }
    let path_parameters = operation.parameters.iter().filter(|p| p.location == Location::Path);
    for (i, p) in path_parameters.enumerate() {
        object["properties"][p.name] = path_parameter(p);
        if let Some(required) = object.entry("required").or_insert_with(|| json!([])).as_array_mut() {
            required.insert(i, json!(p.name));
        }
    }
    json!({ "name": id.as_str(), "description": operation.summary, "parameters": parameters })
}

/// A path parameter's schema: a string, one of its values if it has a list of them, of its minimum length.
fn path_parameter(p: &Parameter) -> Value {
    let mut schema = json!({ "type": "string" });
    if !p.schema.values.is_empty() {
        schema["enum"] = json!(p.schema.values);
    }
    if let Some(min) = p.schema.min_length {
        schema["minLength"] = json!(min);
    }
    schema
}

fn main() {
    let tools = [
        tool::<CreateWorkspace>(OperationId::CreateWorkspace),
        tool::<UpdateWorkspace>(OperationId::UpdateWorkspace),
        tool::<BudgetLimit>(OperationId::UpsertWorkspaceBudget),
    ];
    println!("{}", serde_json::to_string_pretty(&tools).expect("JSON values serialize"));
}
