//! `cargo xtask import-spec` and `diff-spec` on a real extract of OpenRouter's published 3.1 document
//! (`tests/fixtures/upstream-openapi-3.1-workspaces.yaml`, older than the current API).

mod common;

use std::path::PathBuf;
use std::process::Command;

use xtask::{GENERATED_PATH, SPEC_PATH, diff, import, lint, project_root, spec};

fn fixture() -> PathBuf {
    project_root().join("xtask/tests/fixtures/upstream-openapi-3.1-workspaces.yaml")
}

fn imported(overlay: bool) -> serde_json::Value {
    let upstream = spec::read_tree(&fixture()).unwrap();
    let overlay = overlay.then(|| spec::read_tree(&project_root().join(import::OVERLAY_PATH)).unwrap());
    import::import(&upstream, overlay.as_ref()).unwrap().0
}

fn ours() -> serde_json::Value {
    spec::read_tree(&project_root().join(SPEC_PATH)).unwrap()
}

#[test]
fn the_imported_fixture_is_a_linted_3_0_3_spec_that_progenitor_generates_from() {
    for overlay in [false, true] {
        let doc = imported(overlay);
        assert_eq!(doc["openapi"], "3.0.3");
        let problems = lint::lint(&doc);
        assert!(problems.is_empty(), "overlay={overlay}: {problems:#?}");
        let api = spec::to_openapi(&doc).unwrap();
        let source = xtask::codegen::generate(&api).unwrap();
        assert!(source.contains("pub async fn list_workspace_budgets"), "overlay={overlay}");
    }
}

#[test]
fn with_the_overlay_the_import_matches_our_spec() {
    let changes = diff::diff(&imported(true), &ours());
    assert!(changes.is_empty(), "import + overlay differs from {SPEC_PATH}:\n{}", diff::render_text(&changes));
    // And the other way round.
    assert_eq!(diff::diff(&ours(), &imported(true)), []);
}

/// Without the overlay, the differences are exactly what the overlay adds: the budget path parameter's name, the
/// fields and the flag the fixture lacks, the attribution headers, the 403s, the constraints stated in prose.
#[test]
fn without_the_overlay_diff_reports_exactly_the_known_differences() {
    let text = diff::render_text(&diff::diff(&imported(false), &ours()));
    let mut expected: Vec<String> = [
        "BREAKING    CreateWorkspaceRequest.io_logging_sampling_rate: `maximum` changed from none to 1",
        "BREAKING    CreateWorkspaceRequest.io_logging_sampling_rate: `minimum` changed from none to 0.0001",
        "BREAKING    UpdateWorkspaceRequest.io_logging_sampling_rate: `maximum` changed from none to 1",
        "BREAKING    UpdateWorkspaceRequest.io_logging_sampling_rate: `minimum` changed from none to 0.0001",
        "BREAKING    UpsertWorkspaceBudgetRequest.limit_usd: `exclusiveMinimum` changed from none to true",
        "BREAKING    UpsertWorkspaceBudgetRequest.limit_usd: `minimum` changed from none to 0",
        "compatible  CreateWorkspaceRequest: field `disabled_server_tools` added (optional, nullable)",
        "compatible  UpdateWorkspaceRequest: field `disabled_server_tools` added (optional, nullable)",
        "compatible  Workspace: field `disabled_server_tools` added (optional, nullable)",
        "compatible  deleteWorkspace: query parameter `confirm_default_workspace_deletion` added (optional)",
    ]
    .map(str::to_owned)
    .to_vec();
    for op in [
        "listWorkspaces",
        "getWorkspace",
        "listWorkspaceBudgets",
        "getWorkspaceBudget",
        "upsertWorkspaceBudget",
        "deleteWorkspaceBudget",
    ] {
        expected.push(format!("compatible  {op}: error status 403 documented"));
    }
    for (op, suffix) in [
        ("listWorkspaceBudgets", ""),
        ("getWorkspaceBudget", "/{interval}"),
        ("upsertWorkspaceBudget", "/{interval}"),
        ("deleteWorkspaceBudget", "/{interval}"),
    ] {
        expected.push(format!(
            "compatible  {op}: path parameter `id` renamed to `workspace_ref` (/workspaces/{{id}}/budgets{suffix} to \
             /workspaces/{{workspace_ref}}/budgets{suffix})"
        ));
    }
    for op in spec::operations(&ours()) {
        for header in ["HTTP-Referer", "X-OpenRouter-Categories", "X-OpenRouter-Title"] {
            expected.push(format!("compatible  {}: header parameter `{header}` added (optional)", op.id()));
        }
    }
    let mut got: Vec<String> = text.lines().map(str::to_owned).collect();
    let summary = got.pop().unwrap();
    got.sort();
    expected.sort();
    assert_eq!(got, expected, "diff-spec --no-overlay vs {SPEC_PATH}:\n{text}");
    assert_eq!(summary, format!("{} change(s), 6 breaking", expected.len()));
}

#[test]
fn import_output_is_deterministic_and_ordered() {
    let header = xtask::import_header(&fixture(), true);
    let first = import::to_yaml(&imported(true), &header).unwrap();
    let second = import::to_yaml(&imported(true), &header).unwrap();
    assert_eq!(first, second);
    assert!(first.starts_with("# Imported by `cargo xtask import-spec` from upstream-openapi-3.1-workspaces.yaml"));
    let keys: Vec<&str> = first.lines().filter(|l| !l.starts_with([' ', '#', '-'])).collect();
    assert_eq!(
        keys,
        [
            "openapi: 3.0.3",
            "info:",
            "servers:",
            "security:",
            "paths:",
            "components:",
            "x-retry-strategy:",
            "x-speakeasy-retries:"
        ]
    );
}

#[test]
fn an_unconvertible_upstream_is_refused_with_pointers() {
    let mut upstream = spec::read_tree(&fixture()).unwrap();
    upstream["components"]["schemas"]["Workspace"]["properties"]["slug"]["type"] =
        serde_json::json!(["string", "integer"]);
    let err = import::import(&upstream, None).unwrap_err();
    assert!(err.contains("/components/schemas/Workspace/properties/slug/type: 2 types in one schema"), "{err}");
}

/// The documented workflow end to end on a copy of the library: import the fixture with the overlay, regenerate,
/// and the library (with the fake server) still compiles.
#[test]
fn import_then_regenerate_then_the_library_compiles() {
    let root = project_root();
    let copy = common::scratch_workspace("import-workflow");
    let report = xtask::import_spec(&root, &fixture(), &copy.join(SPEC_PATH), true).unwrap();
    assert!(report.last().unwrap().starts_with("wrote "), "{report:?}");
    xtask::regenerate(&copy, false).unwrap();
    let generated = std::fs::read_to_string(copy.join(GENERATED_PATH)).unwrap();
    assert!(generated.contains("pub disabled_server_tools"));
    let status = Command::new(env!("CARGO"))
        .args(["check", "--quiet", "--offline", "--features", "fake", "-p", "openrouter-workspaces"])
        .current_dir(&copy)
        .env("CARGO_TARGET_DIR", root.join("target").join("spec-change-check"))
        .status()
        .unwrap();
    assert!(status.success(), "the library does not compile against the imported spec");
}
