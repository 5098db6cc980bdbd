//! The generator end to end, on the checked-in spec: lint, freshness, determinism, and a spec change that
//! must reach the generated code and still compile.

mod common;

use std::process::Command;

use xtask::{GENERATED_PATH, SPEC_PATH, freshness::Outcome, project_root};

/// The 12 operations of the API: operationId, method, path.
const OPERATIONS: [(&str, &str, &str); 12] = [
    ("listWorkspaces", "get", "/workspaces"),
    ("createWorkspace", "post", "/workspaces"),
    ("getWorkspace", "get", "/workspaces/{id}"),
    ("updateWorkspace", "patch", "/workspaces/{id}"),
    ("deleteWorkspace", "delete", "/workspaces/{id}"),
    ("listWorkspaceMembers", "get", "/workspaces/{id}/members"),
    ("bulkAddWorkspaceMembers", "post", "/workspaces/{id}/members/add"),
    ("bulkRemoveWorkspaceMembers", "post", "/workspaces/{id}/members/remove"),
    ("listWorkspaceBudgets", "get", "/workspaces/{workspace_ref}/budgets"),
    ("getWorkspaceBudget", "get", "/workspaces/{workspace_ref}/budgets/{interval}"),
    ("upsertWorkspaceBudget", "put", "/workspaces/{workspace_ref}/budgets/{interval}"),
    ("deleteWorkspaceBudget", "delete", "/workspaces/{workspace_ref}/budgets/{interval}"),
];

#[test]
fn the_checked_in_spec_passes_the_lint() {
    let tree = xtask::spec::read_tree(&project_root().join(SPEC_PATH)).unwrap();
    let problems = xtask::lint::lint(&tree);
    assert!(problems.is_empty(), "{}", problems.iter().map(ToString::to_string).collect::<Vec<_>>().join("\n"));
}

#[test]
fn the_spec_has_exactly_the_twelve_operations() {
    let tree = xtask::spec::read_tree(&project_root().join(SPEC_PATH)).unwrap();
    let mut found: Vec<(String, String, String)> = xtask::spec::operations(&tree)
        .iter()
        .map(|op| (op.id().to_owned(), op.method.to_owned(), op.path.to_owned()))
        .collect();
    let mut expected: Vec<(String, String, String)> =
        OPERATIONS.iter().map(|(a, b, c)| (a.to_string(), b.to_string(), c.to_string())).collect();
    found.sort();
    expected.sort();
    assert_eq!(found, expected);
    assert_eq!(tree["openapi"], "3.0.3");
}

#[test]
fn every_operation_references_the_attribution_headers_and_every_schema_has_an_example() {
    let tree = xtask::spec::read_tree(&project_root().join(SPEC_PATH)).unwrap();
    for op in xtask::spec::operations(&tree) {
        let refs: Vec<&str> =
            op.op["parameters"].as_array().unwrap().iter().filter_map(|p| p["$ref"].as_str()).collect();
        for header in ["AppIdentifier", "AppDisplayName", "AppCategories"] {
            assert!(refs.contains(&format!("#/components/parameters/{header}").as_str()), "{} lacks {header}", op.id());
        }
    }
    for (name, schema) in tree["components"]["schemas"].as_object().unwrap() {
        assert!(schema.get("example").is_some(), "schema {name} has no example");
    }
    for (name, response) in tree["components"]["responses"].as_object().unwrap() {
        assert!(response.pointer("/content/application~1json/example").is_some(), "response {name} has no example");
    }
}

/// A stale generated file fails plain `cargo test`.
#[test]
fn the_generated_file_is_fresh() {
    match xtask::regenerate(&project_root(), true) {
        Ok(Outcome::Fresh) => {}
        Ok(Outcome::Written) => unreachable!("check mode never writes"),
        Err(e) => panic!("{e}"),
    }
}

#[test]
fn generation_is_deterministic() {
    let spec = project_root().join(SPEC_PATH);
    let a = xtask::generate_from_spec(&spec).unwrap().source;
    let b = xtask::generate_from_spec(&spec).unwrap().source;
    assert!(a == b, "two runs differ");
    assert!(a.starts_with(xtask::codegen::HEADER));
    assert!(!a.contains("api-version"), "the api-version header pass did not run");
}

#[test]
fn a_lint_failure_reads_as_sentences_with_pointers() {
    let dir = common::scratch("lint-failure");
    let text = std::fs::read_to_string(project_root().join(SPEC_PATH)).unwrap();
    let broken = text.replacen("operationId: getWorkspace", "operationId: listWorkspaces", 1).replacen(
        "openapi: 3.0.3",
        "openapi: 3.1.0",
        1,
    );
    std::fs::write(dir.join("openapi.yaml"), broken).unwrap();
    let err = xtask::generate_from_spec(&dir.join("openapi.yaml")).err().expect("a broken spec must fail");
    assert!(err.contains("/openapi: the document is OpenAPI 3.1.0"), "{err}");
    assert!(
        err.contains("/paths/~1workspaces~1{id}/get/operationId: operationId `listWorkspaces` is already used"),
        "{err}"
    );
}

/// A temporary change to a copy of the spec (a new response field) shows up in the generated code, and the
/// library still compiles with it.
#[test]
fn a_spec_change_reaches_the_generated_code_and_compiles() {
    let root = project_root();
    let copy = common::scratch_workspace("spec-change");
    let spec = std::fs::read_to_string(root.join(SPEC_PATH)).unwrap();
    let marker = "        slug:\n          type: string\n          description: URL-friendly slug for the workspace\n";
    assert!(spec.contains(marker), "the Workspace schema changed; update this test's marker");
    let changed = spec.replacen(
        marker,
        &format!("{marker}        spend_alert_email:\n          type: string\n          nullable: true\n          description: Where spend alerts go\n"),
        1,
    );
    std::fs::write(copy.join(SPEC_PATH), changed).unwrap();

    assert!(xtask::regenerate(&copy, true).is_err(), "the copy's generated file must be stale after the change");
    assert_eq!(xtask::regenerate(&copy, false).unwrap(), Outcome::Written);
    let generated = std::fs::read_to_string(copy.join(GENERATED_PATH)).unwrap();
    assert!(generated.contains("pub spend_alert_email: ::std::option::Option<::std::string::String>"));

    let status = Command::new(env!("CARGO"))
        .args(["check", "--quiet", "--offline", "--no-default-features", "-p", "openrouter-workspaces"])
        .current_dir(&copy)
        .env("CARGO_TARGET_DIR", root.join("target").join("spec-change-check"))
        .status()
        .unwrap();
    assert!(status.success(), "the library does not compile after the spec change");
}
