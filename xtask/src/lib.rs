//! Project tasks for openrouter-workspaces. The binary (`cargo xtask ...`) is a thin command line over these
//! modules, so that every step is a function with tests.

pub mod api_change;
pub mod bench;
pub mod calls;
pub mod codegen;
pub mod cold_build;
pub mod convert;
pub mod diff;
pub mod freshness;
pub mod import;
pub mod lint;
pub mod overlay;
pub mod public_api;
pub mod spec;
pub mod tables;
pub mod transform;

use std::path::{Path, PathBuf};

/// The repository root: the directory holding the workspace `Cargo.toml` and `spec/openapi.yaml`.
///
/// Found at run time, never frozen at compile time: cargo sets `CARGO_MANIFEST_DIR` in the environment of the
/// program it runs (`cargo xtask`, `cargo test`), so the xtask of each checkout works on its own checkout even
/// when several share one `CARGO_TARGET_DIR` (and so one xtask binary). Without it, the nearest ancestor of the
/// current directory that holds `spec/openapi.yaml` and a `Cargo.toml` is the root; failing that, the current
/// directory.
pub fn project_root() -> PathBuf {
    let from_manifest = std::env::var_os("CARGO_MANIFEST_DIR")
        .map(PathBuf::from)
        .and_then(|dir| dir.ancestors().find(|d| is_root(d)).map(Path::to_path_buf));
    let cwd = std::env::current_dir().unwrap_or_default();
    from_manifest.or_else(|| cwd.ancestors().find(|d| is_root(d)).map(Path::to_path_buf)).unwrap_or(cwd)
}

fn is_root(dir: &Path) -> bool {
    dir.join(SPEC_PATH).is_file() && dir.join("Cargo.toml").is_file()
}

/// Where the checked-in spec lives, relative to the root.
pub const SPEC_PATH: &str = "spec/openapi.yaml";
/// Where progenitor's client is written, relative to the root.
pub const CLIENT_PATH: &str = "openrouter-workspaces/src/generated/client.rs";
/// Where the rest of what the spec determines is written (see [`tables`]), relative to the root.
pub const TABLES_PATH: &str = "openrouter-workspaces/src/generated/tables.rs";
/// Where the checked calls are written (see [`calls`]), relative to the root.
pub const CALLS_PATH: &str = "openrouter-workspaces/src/generated/calls.rs";
/// Every generated file, relative to the root.
pub const GENERATED_FILES: [&str; 3] = [CLIENT_PATH, TABLES_PATH, CALLS_PATH];
/// Hand-written documentation appended to a generated request builder's, when `<DOCS_DIR>/<Builder>.md` exists.
pub const DOCS_DIR: &str = "openrouter-workspaces/docs";

/// The library's standalone fake server binary (feature `fake`), run by `cargo xtask fake-server`.
pub const FAKE_SERVER_BIN: &str = "openrouter-workspaces-fake";

/// What [`generate_from_spec`] produced.
pub struct Generated {
    /// Each generated file: its path relative to the root, and its contents.
    pub files: Vec<(&'static str, String)>,
    /// One line per change the transforms made.
    pub transforms: Vec<String>,
}

/// The library's manifest.
const LIBRARY_MANIFEST: &str = "openrouter-workspaces/Cargo.toml";

/// A pattern the generator cannot match by itself falls back to regex-lite ([`tables::matchers`]); the library
/// depends on it only then. Says so, with the line to add, instead of leaving it to a compile error.
fn needs_regex_engine(root: &Path, tables_source: &str) -> Result<(), String> {
    if !tables_source.contains("::regex_lite::") {
        return Ok(());
    }
    let manifest = format!("\n{}", std::fs::read_to_string(root.join(LIBRARY_MANIFEST)).unwrap_or_default());
    let dependencies = manifest.split("\n[").find(|s| s.starts_with("dependencies]")).unwrap_or_default();
    if dependencies.lines().any(|l| l.starts_with("regex-lite")) {
        return Ok(());
    }
    Err(format!(
        "a pattern of the spec is not one of the shapes the generator matches by itself (xtask/src/tables/matchers.rs), \
         so its check uses regex-lite: add `regex-lite.workspace = true` under [dependencies] in {LIBRARY_MANIFEST}"
    ))
}

/// Reads, lints, transforms and generates from the spec at `spec_path`, for the project at `root` (where the
/// builders' hand-written docs are). Lint problems come back as one error listing all of them.
pub fn generate_from_spec(root: &Path, spec_path: &Path) -> Result<Generated, String> {
    let mut tree = spec::read_tree(spec_path)?;
    let problems = lint::lint(&tree);
    if !problems.is_empty() {
        let list: Vec<String> = problems.iter().map(|p| format!("  {p}")).collect();
        return Err(format!("{} has {} problem(s):\n{}", spec_path.display(), problems.len(), list.join("\n")));
    }
    let model = tables::Model::from_spec(&tree).map_err(|e| format!("{}: {e}", spec_path.display()))?;
    let docs = root.join(DOCS_DIR);
    let tables_source = tables::generate(&model, &|name| docs.join(format!("{name}.md")).is_file())?;
    needs_regex_engine(root, &tables_source)?;
    let transforms = transform::apply_all(&mut tree);
    let openapi = spec::to_openapi(&tree)?;
    let client_source = codegen::generate(&openapi, &model.replacements())?;
    let calls_source = calls::generate(&model, &client_source)?;
    Ok(Generated {
        files: vec![(CLIENT_PATH, client_source), (TABLES_PATH, tables_source), (CALLS_PATH, calls_source)],
        transforms,
    })
}

/// `cargo xtask regenerate [--check]` rooted at `root`: every generated file, fresh or written. In check mode,
/// every stale file is reported (with a diff), not only the first.
pub fn regenerate(root: &Path, check: bool) -> Result<freshness::Outcome, String> {
    let generated = generate_from_spec(root, &root.join(SPEC_PATH))?;
    let mut outcome = freshness::Outcome::Fresh;
    let mut stale = Vec::new();
    for (path, source) in &generated.files {
        match freshness::ensure_file_contents(&root.join(path), source, check) {
            Ok(freshness::Outcome::Written) => outcome = freshness::Outcome::Written,
            Ok(freshness::Outcome::Fresh) => {}
            Err(e) => stale.push(e),
        }
    }
    if stale.is_empty() { Ok(outcome) } else { Err(stale.join("\n")) }
}

/// Where the last imported upstream document lives, relative to the root: the part of OpenRouter's
/// published OpenAPI 3.1 document, as `cargo xtask import-spec FILE` extracted it. `spec/openapi.yaml` is this
/// plus `spec/overlay.yaml`, imported (a test holds them to each other).
pub const UPSTREAM_PATH: &str = "spec/upstream/openrouter-openapi.yaml";

/// The first lines of a spec written by `cargo xtask import-spec`.
pub fn import_header(overlay: bool) -> String {
    if overlay {
        format!(
            "# Generated by `cargo xtask import-spec` from {UPSTREAM_PATH} (OpenRouter's published document) and\n\
             # {}. Do not edit: change the overlay (or import a newer upstream document) and run\n\
             # `cargo xtask import-spec`, then `cargo xtask regenerate`.\n",
            import::OVERLAY_PATH
        )
    } else {
        format!("# Imported by `cargo xtask import-spec --no-overlay` from {UPSTREAM_PATH}: upstream alone.\n")
    }
}

/// The first lines of the upstream snapshot.
pub fn upstream_header(source: &str) -> String {
    format!(
        "# The part of OpenRouter's published OpenAPI 3.1 document this SDK covers (/workspaces*, /keys, /keys/{{hash}},\n\
         # GET and PATCH /guardrails/{{id}}), as last imported by `cargo xtask import-spec` (from {source}). The next\n\
         # import replaces it; our additions are in {}.\n",
        import::OVERLAY_PATH
    )
}

/// `cargo xtask import-spec [FILE] [--out <file>] [--no-overlay]` rooted at `root`.
///
/// With `input`, its selected part ([`import::SELECTION`]) replaces the upstream snapshot ([`UPSTREAM_PATH`]) when the result goes
/// to the project's spec (`out` is `spec/openapi.yaml`); without, the snapshot is the input (after an edit of the
/// overlay, say). Then the snapshot is imported ([`import::import`]), linted, and written to `out`. Returns the
/// report.
pub fn import_spec(root: &Path, input: Option<&Path>, out: &Path, use_overlay: bool) -> Result<Vec<String>, String> {
    let snapshot_path = root.join(UPSTREAM_PATH);
    let writes_project_spec = same_file(out, &root.join(SPEC_PATH)) && use_overlay;
    let mut report = Vec::new();
    let mut rename_advice: Option<String> = None;
    let upstream = match input {
        Some(input) => {
            let upstream = import::extract(&spec::read_tree(input)?, import::SELECTION)?;
            if let Ok(previous) = spec::read_tree(&snapshot_path) {
                let renamed = import::renamed_schemas(&previous, &upstream);
                if !renamed.is_empty() {
                    rename_advice = Some(format!("WARNING: {}", import::renamed_schema_advice(&renamed)));
                    report.extend(rename_advice.clone());
                }
            }
            if writes_project_spec {
                let name =
                    input.file_name().map_or_else(|| input.display().to_string(), |n| n.to_string_lossy().into());
                let yaml = import::to_yaml(&upstream, &upstream_header(&name))?;
                if let Some(dir) = snapshot_path.parent() {
                    std::fs::create_dir_all(dir).map_err(|e| format!("cannot create {}: {e}", dir.display()))?;
                }
                std::fs::write(&snapshot_path, yaml)
                    .map_err(|e| format!("cannot write {}: {e}", snapshot_path.display()))?;
                report.push(format!("wrote {UPSTREAM_PATH} (the selected part of {name})"));
            }
            upstream
        }
        None => spec::read_tree(&snapshot_path)?,
    };
    // An overlay action naming a schema upstream renamed fails the import: the advice goes with the error.
    let yaml = imported_spec(root, &upstream, use_overlay, &mut report).map_err(|e| match &rename_advice {
        Some(advice) => format!("{e}\n{advice}"),
        None => e,
    })?;
    std::fs::write(out, yaml).map_err(|e| format!("cannot write {}: {e}", out.display()))?;
    report.push(format!("wrote {}", out.display()));
    Ok(report)
}

/// The spec `cargo xtask import-spec` writes for an upstream document, as text.
pub fn imported_spec(
    root: &Path,
    upstream: &serde_json::Value,
    use_overlay: bool,
    report: &mut Vec<String>,
) -> Result<String, String> {
    let overlay = if use_overlay { Some(spec::read_tree(&root.join(import::OVERLAY_PATH))?) } else { None };
    let (doc, steps) = import::import(upstream, overlay.as_ref())?;
    report.extend(steps);
    let problems = lint::lint(&doc);
    if !problems.is_empty() {
        let list: Vec<String> = problems.iter().map(|p| format!("  {p}")).collect();
        return Err(format!("the imported spec has {} problem(s):\n{}", problems.len(), list.join("\n")));
    }
    import::to_yaml(&doc, &import_header(use_overlay))
}

fn same_file(a: &Path, b: &Path) -> bool {
    match (a.canonicalize(), b.canonicalize()) {
        (Ok(a), Ok(b)) => a == b,
        _ => a == b,
    }
}

/// Reads a spec for `diff-spec`: a 3.0 document as is, a 3.1 document converted to 3.0 first.
pub fn read_for_diff(path: &Path) -> Result<serde_json::Value, String> {
    let mut doc = spec::read_tree(path)?;
    convert::to_openapi_30(&mut doc).map_err(|p| format!("{}: {}", path.display(), p.join("; ")))?;
    Ok(doc)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_pattern_that_needs_regex_lite_names_the_dependency_to_add() {
        let root = std::env::temp_dir().join(format!("xtask-regex-engine-{}", std::process::id()));
        let manifest = root.join(LIBRARY_MANIFEST);
        std::fs::create_dir_all(manifest.parent().unwrap()).unwrap();
        let body = tables::matchers::body(r"\bsk-[a-z]{4}\b");
        let file: syn::File = syn::parse2(quote::quote!(fn m(value: &str) -> bool { #body })).unwrap();
        let fallback = prettyplease::unparse(&file);
        std::fs::write(&manifest, "[dependencies]\nserde = \"1\"\n\n[dev-dependencies]\nregex-lite = \"0.1\"\n")
            .unwrap();
        let error = needs_regex_engine(&root, &fallback).unwrap_err();
        assert!(error.contains("regex-lite.workspace = true"), "{error}");
        assert_eq!(needs_regex_engine(&root, "fn f(value: &str) -> bool { true }"), Ok(()));
        std::fs::write(&manifest, "[dependencies]\nregex-lite.workspace = true\n").unwrap();
        assert_eq!(needs_regex_engine(&root, &fallback), Ok(()));
        let _ = std::fs::remove_dir_all(&root);
    }
}
