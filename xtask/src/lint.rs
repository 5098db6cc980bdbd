//! Lint rules for the spec, run before generation so that a mistake reads as a sentence with a JSON pointer, not
//! as an assertion failure deep inside progenitor.
//!
//! Each rule is a function from the document to the problems it finds; [`lint`] runs them all.

use std::collections::{BTreeMap, BTreeSet};
use std::fmt;

use serde_json::Value;

use crate::spec::{self, OperationRef};

/// One problem found in the spec.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Problem {
    /// The JSON pointer of the offending node.
    pub pointer: String,
    /// What is wrong, as a sentence.
    pub message: String,
}

impl Problem {
    fn new(pointer: impl Into<String>, message: impl Into<String>) -> Self {
        Self { pointer: pointer.into(), message: message.into() }
    }
}

impl fmt::Display for Problem {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let at = if self.pointer.is_empty() { "/" } else { &self.pointer };
        write!(f, "{at}: {}", self.message)
    }
}

/// A lint rule: a name (used in tests and reports) and the check.
pub type Rule = (&'static str, fn(&Value) -> Vec<Problem>);

/// Every rule, in the order they run.
pub const RULES: &[Rule] = &[
    ("openapi-3.0", openapi_version),
    ("operation-ids", operation_ids),
    ("refs-resolve", refs_resolve),
    ("path-params-declared", path_params_declared),
    ("one-success-one-error", one_success_one_error),
    ("tagged-and-documented", tagged_and_documented),
];

/// Runs every rule and returns all problems, sorted by pointer.
pub fn lint(tree: &Value) -> Vec<Problem> {
    let mut problems: Vec<Problem> = RULES.iter().flat_map(|(_, rule)| rule(tree)).collect();
    problems.sort_by(|a, b| a.pointer.cmp(&b.pointer).then(a.message.cmp(&b.message)));
    problems.dedup();
    problems
}

/// The document must be OpenAPI 3.0.x: progenitor reads no other version.
pub fn openapi_version(tree: &Value) -> Vec<Problem> {
    match tree.get("openapi").and_then(Value::as_str) {
        Some(v) if v.starts_with("3.0.") => vec![],
        Some(v) => vec![Problem::new(
            "/openapi",
            format!("the document is OpenAPI {v}, but only 3.0.x is supported; convert it to 3.0.3"),
        )],
        None => vec![Problem::new("/openapi", "the document has no `openapi` version string; add `openapi: 3.0.3`")],
    }
}

/// Every operation has an operationId, and no two share one.
pub fn operation_ids(tree: &Value) -> Vec<Problem> {
    let mut seen: BTreeMap<&str, String> = BTreeMap::new();
    let mut problems = Vec::new();
    for op in spec::operations(tree) {
        let at = op.pointer();
        match op.op.get("operationId").and_then(Value::as_str) {
            None | Some("") => problems.push(Problem::new(
                at,
                format!("{} {} has no operationId; give it a unique one", op.method.to_uppercase(), op.path),
            )),
            Some(id) => {
                if let Some(first) = seen.get(id) {
                    problems.push(Problem::new(
                        format!("{at}/operationId"),
                        format!("operationId `{id}` is already used at {first}; operationIds must be unique"),
                    ));
                } else {
                    seen.insert(id, at);
                }
            }
        }
    }
    problems
}

/// Every `$ref` in the document points at something that exists, and is local.
pub fn refs_resolve(tree: &Value) -> Vec<Problem> {
    let mut problems = Vec::new();
    walk(tree, &mut String::new(), &mut |at, node| {
        if let Some(r) = node.get("$ref") {
            match r.as_str() {
                Some(s) if !s.starts_with("#/") => problems.push(Problem::new(
                    format!("{at}/$ref"),
                    format!("`$ref: {s}` is not a local reference; only `#/...` references are supported"),
                )),
                Some(s) if spec::resolve(tree, s).is_none() => problems.push(Problem::new(
                    format!("{at}/$ref"),
                    format!("`$ref: {s}` points at nothing; define it or fix the reference"),
                )),
                Some(_) => {}
                None => problems.push(Problem::new(format!("{at}/$ref"), "`$ref` must be a string")),
            }
        }
    });
    problems
}

/// Every `{name}` in a path template is declared as a required path parameter of each of its operations, and
/// every declared path parameter appears in the template.
pub fn path_params_declared(tree: &Value) -> Vec<Problem> {
    let mut problems = Vec::new();
    for op in spec::operations(tree) {
        let in_template: BTreeSet<&str> =
            op.path.split('{').skip(1).filter_map(|s| s.split_once('}').map(|(name, _)| name)).collect();
        let declared: BTreeSet<String> = parameters(tree, &op)
            .into_iter()
            .filter(|(_, p)| p.get("in").and_then(Value::as_str) == Some("path"))
            .filter_map(|(_, p)| p.get("name").and_then(Value::as_str).map(str::to_owned))
            .collect();
        for name in &in_template {
            if !declared.contains(*name) {
                problems.push(Problem::new(
                    format!("{}/parameters", op.pointer()),
                    format!("the path has `{{{name}}}` but {} declares no path parameter `{name}`", op.id()),
                ));
            }
        }
        for name in &declared {
            if !in_template.contains(name.as_str()) {
                problems.push(Problem::new(
                    format!("{}/parameters", op.pointer()),
                    format!(
                        "{} declares path parameter `{name}` but the path `{}` has no `{{{name}}}`",
                        op.id(),
                        op.path
                    ),
                ));
            }
        }
    }
    problems
}

/// Each operation has exactly one success response, and all its error responses share one schema: anything else
/// makes progenitor panic.
pub fn one_success_one_error(tree: &Value) -> Vec<Problem> {
    let mut problems = Vec::new();
    for op in spec::operations(tree) {
        let at = format!("{}/responses", op.pointer());
        let Some(responses) = op.op.get("responses").and_then(Value::as_object) else {
            problems.push(Problem::new(at, format!("{} has no responses", op.id())));
            continue;
        };
        let mut successes = Vec::new();
        let mut error_schemas: BTreeMap<String, Vec<String>> = BTreeMap::new();
        for (status, response) in responses {
            let schema = spec::deref(tree, response)
                .and_then(|r| r.pointer("/content/application~1json/schema"))
                .map(|s| s.get("$ref").and_then(Value::as_str).map_or_else(|| s.to_string(), str::to_owned));
            if status.starts_with('2') {
                successes.push(status.clone());
            } else if status.starts_with('4') || status.starts_with('5') || status == "default" {
                let key = schema.unwrap_or_else(|| "no JSON schema".to_owned());
                error_schemas.entry(key).or_default().push(status.clone());
            }
        }
        if successes.len() != 1 {
            problems.push(Problem::new(
                at.clone(),
                format!(
                    "{} has {} success responses ({}); it must have exactly one",
                    op.id(),
                    successes.len(),
                    successes.join(", ")
                ),
            ));
        }
        if error_schemas.len() > 1 {
            let detail: Vec<String> =
                error_schemas.iter().map(|(schema, statuses)| format!("{} -> {schema}", statuses.join("/"))).collect();
            problems.push(Problem::new(
                at,
                format!(
                    "{} has error responses with different bodies ({}); use one shared error schema",
                    op.id(),
                    detail.join("; ")
                ),
            ));
        }
    }
    problems
}

/// Each operation has a tag, a summary and a description.
pub fn tagged_and_documented(tree: &Value) -> Vec<Problem> {
    let mut problems = Vec::new();
    for op in spec::operations(tree) {
        let has_tag = op.op.get("tags").and_then(Value::as_array).is_some_and(|t| !t.is_empty());
        if !has_tag {
            problems.push(Problem::new(format!("{}/tags", op.pointer()), format!("{} has no tag; add one", op.id())));
        }
        for field in ["summary", "description"] {
            let present = op.op.get(field).and_then(Value::as_str).is_some_and(|s| !s.trim().is_empty());
            if !present {
                problems.push(Problem::new(
                    format!("{}/{field}", op.pointer()),
                    format!("{} has no {field}; document it", op.id()),
                ));
            }
        }
    }
    problems
}

/// The parameters of an operation (path-item level and operation level), dereferenced, with their pointers.
pub fn parameters<'a>(tree: &'a Value, op: &OperationRef<'a>) -> Vec<(String, &'a Value)> {
    let item_params = tree
        .pointer(&spec::pointer(["paths", op.path, "parameters"]))
        .and_then(Value::as_array)
        .map(|a| (spec::pointer(["paths", op.path, "parameters"]), a));
    let op_params =
        op.op.get("parameters").and_then(Value::as_array).map(|a| (format!("{}/parameters", op.pointer()), a));
    item_params
        .into_iter()
        .chain(op_params)
        .flat_map(|(at, params)| {
            params.iter().enumerate().filter_map(move |(i, p)| spec::deref(tree, p).map(|p| (format!("{at}/{i}"), p)))
        })
        .collect()
}

/// Calls `f` with every object node of the tree and its pointer.
fn walk(node: &Value, at: &mut String, f: &mut impl FnMut(&str, &Value)) {
    match node {
        Value::Object(map) => {
            f(at, node);
            for (k, v) in map {
                let len = at.len();
                at.push('/');
                at.push_str(&spec::escape_segment(k));
                walk(v, at, f);
                at.truncate(len);
            }
        }
        Value::Array(items) => {
            for (i, v) in items.iter().enumerate() {
                let len = at.len();
                at.push_str(&format!("/{i}"));
                walk(v, at, f);
                at.truncate(len);
            }
        }
        _ => {}
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    fn doc(paths: Value) -> Value {
        json!({
            "openapi": "3.0.3",
            "info": {"title": "t", "version": "1"},
            "paths": paths,
            "components": {"schemas": {"E": {"type": "object"}, "W": {"type": "object"}}}
        })
    }

    fn good_op(id: &str) -> Value {
        json!({
            "operationId": id, "summary": "s", "description": "d", "tags": ["T"],
            "responses": {
                "200": {"description": "ok", "content": {"application/json": {"schema": {"$ref": "#/components/schemas/W"}}}},
                "404": {"description": "nf", "content": {"application/json": {"schema": {"$ref": "#/components/schemas/E"}}}}
            }
        })
    }

    #[test]
    fn a_good_document_has_no_problems() {
        assert_eq!(lint(&doc(json!({"/w": {"get": good_op("a")}}))), vec![]);
    }

    #[test]
    fn openapi_3_1_is_rejected_with_a_pointer() {
        let mut d = doc(json!({}));
        d["openapi"] = json!("3.1.0");
        let p = openapi_version(&d);
        assert_eq!(p.len(), 1);
        assert_eq!(p[0].pointer, "/openapi");
        assert!(p[0].message.contains("3.1.0") && p[0].message.contains("3.0.3"), "{}", p[0]);
    }

    #[test]
    fn duplicate_and_missing_operation_ids_are_reported() {
        let mut no_id = good_op("x");
        no_id.as_object_mut().unwrap().remove("operationId");
        let d = doc(json!({"/a": {"get": good_op("same")}, "/b": {"get": good_op("same"), "post": no_id}}));
        let p = operation_ids(&d);
        assert_eq!(p.len(), 2, "{p:?}");
        assert!(
            p.iter()
                .any(|p| p.pointer == "/paths/~1b/get/operationId"
                    && p.message.contains("already used at /paths/~1a/get"))
        );
        assert!(p.iter().any(|p| p.pointer == "/paths/~1b/post" && p.message.contains("no operationId")));
    }

    #[test]
    fn dangling_and_remote_refs_are_reported() {
        let mut op = good_op("a");
        op["responses"]["200"]["content"]["application/json"]["schema"]["$ref"] = json!("#/components/schemas/Nope");
        op["responses"]["404"]["content"]["application/json"]["schema"]["$ref"] = json!("other.yaml#/E");
        let p = refs_resolve(&doc(json!({"/w": {"get": op}})));
        assert_eq!(p.len(), 2, "{p:?}");
        assert_eq!(p[0].pointer, "/paths/~1w/get/responses/200/content/application~1json/schema/$ref");
        assert!(p[0].message.contains("points at nothing"));
        assert!(p[1].message.contains("not a local reference"));
    }

    #[test]
    fn undeclared_and_unused_path_params_are_reported() {
        let mut op = good_op("a");
        op["parameters"] = json!([{"name": "other", "in": "path", "required": true, "schema": {"type": "string"}}]);
        let p = path_params_declared(&doc(json!({"/w/{id}": {"get": op}})));
        assert_eq!(p.len(), 2, "{p:?}");
        assert!(p.iter().any(|p| p.message.contains("`{id}`") && p.message.contains("declares no path parameter")));
        assert!(p.iter().any(|p| p.message.contains("`other`") && p.message.contains("has no `{other}`")));
    }

    #[test]
    fn two_successes_or_two_error_schemas_are_reported() {
        let mut op = good_op("a");
        op["responses"]["201"] = op["responses"]["200"].clone();
        op["responses"]["500"] = json!({"description": "x", "content": {"application/json": {"schema": {"$ref": "#/components/schemas/W"}}}});
        let p = one_success_one_error(&doc(json!({"/w": {"get": op}})));
        assert_eq!(p.len(), 2, "{p:?}");
        assert!(p.iter().any(|p| p.message.contains("2 success responses (200, 201)")));
        assert!(
            p.iter()
                .any(|p| p.message.contains("different bodies") && p.message.contains("500 -> #/components/schemas/W"))
        );
    }

    #[test]
    fn error_responses_behind_refs_are_compared_by_their_schema() {
        let mut d = doc(json!({}));
        d["components"]["responses"] = json!({
            "NF": {"description": "nf", "content": {"application/json": {"schema": {"$ref": "#/components/schemas/E"}}}}
        });
        let mut op = good_op("a");
        op["responses"]["401"] = json!({"$ref": "#/components/responses/NF"});
        d["paths"] = json!({"/w": {"get": op}});
        assert_eq!(one_success_one_error(&d), vec![]);
    }

    #[test]
    fn untagged_or_undocumented_operations_are_reported() {
        let mut op = good_op("a");
        op["tags"] = json!([]);
        op["description"] = json!("  ");
        op.as_object_mut().unwrap().remove("summary");
        let p = tagged_and_documented(&doc(json!({"/w": {"get": op}})));
        let pointers: Vec<&str> = p.iter().map(|p| p.pointer.as_str()).collect();
        assert_eq!(pointers, ["/paths/~1w/get/tags", "/paths/~1w/get/summary", "/paths/~1w/get/description"]);
    }

    #[test]
    fn problems_read_as_pointer_then_sentence() {
        let p = Problem::new("/paths/~1w/get/tags", "a has no tag; add one");
        assert_eq!(p.to_string(), "/paths/~1w/get/tags: a has no tag; add one");
    }
}
