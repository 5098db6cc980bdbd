//! Project tasks for openrouter-workspaces. The binary (`cargo xtask ...`) is a thin command line over these
//! modules, so that every step is a function with tests.

pub mod bench;
pub mod codegen;
pub mod convert;
pub mod diff;
pub mod freshness;
pub mod import;
pub mod lint;
pub mod overlay;
pub mod spec;
pub mod transform;

use std::path::{Path, PathBuf};

/// The repository root (the directory holding the workspace `Cargo.toml`).
pub fn project_root() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).parent().map(Path::to_path_buf).unwrap_or_default()
}

/// Where the checked-in spec lives, relative to the root.
pub const SPEC_PATH: &str = "spec/openapi.yaml";
/// Where the generated client is written, relative to the root.
pub const GENERATED_PATH: &str = "openrouter-workspaces/src/generated.rs";

/// What [`generate_from_spec`] produced.
pub struct Generated {
    /// The generated source.
    pub source: String,
    /// One line per change the transforms made.
    pub transforms: Vec<String>,
}

/// Reads, lints, transforms and generates from the spec at `spec_path`. Lint problems come back as one error
/// listing all of them.
pub fn generate_from_spec(spec_path: &Path) -> Result<Generated, String> {
    let mut tree = spec::read_tree(spec_path)?;
    let problems = lint::lint(&tree);
    if !problems.is_empty() {
        let list: Vec<String> = problems.iter().map(|p| format!("  {p}")).collect();
        return Err(format!("{} has {} problem(s):\n{}", spec_path.display(), problems.len(), list.join("\n")));
    }
    let transforms = transform::apply_all(&mut tree);
    let api = spec::to_openapi(&tree)?;
    let source = codegen::generate(&api)?;
    Ok(Generated { source, transforms })
}

/// `cargo xtask regenerate [--check]` rooted at `root`.
pub fn regenerate(root: &Path, check: bool) -> Result<freshness::Outcome, String> {
    let generated = generate_from_spec(&root.join(SPEC_PATH))?;
    freshness::ensure_file_contents(&root.join(GENERATED_PATH), &generated.source, check)
}

/// The first lines of a spec written by `cargo xtask import-spec`.
pub fn import_header(input: &Path, overlay: bool) -> String {
    let name = input.file_name().map_or_else(|| input.display().to_string(), |n| n.to_string_lossy().into_owned());
    let with = if overlay { format!(" + {}", import::OVERLAY_PATH) } else { " (--no-overlay)".to_owned() };
    format!(
        "# Imported by `cargo xtask import-spec` from {name}{with}.\n\
         # Edit the upstream document or the overlay and import again, rather than this file.\n"
    )
}

/// `cargo xtask import-spec <input> [--out <file>] [--no-overlay]` rooted at `root`: imports `input`, lints the
/// result, and writes it. Returns the report.
pub fn import_spec(root: &Path, input: &Path, out: &Path, use_overlay: bool) -> Result<Vec<String>, String> {
    let upstream = spec::read_tree(input)?;
    let overlay = if use_overlay { Some(spec::read_tree(&root.join(import::OVERLAY_PATH))?) } else { None };
    let (doc, mut report) = import::import(&upstream, overlay.as_ref())?;
    let problems = lint::lint(&doc);
    if !problems.is_empty() {
        let list: Vec<String> = problems.iter().map(|p| format!("  {p}")).collect();
        return Err(format!("the imported spec has {} problem(s):\n{}", problems.len(), list.join("\n")));
    }
    let yaml = import::to_yaml(&doc, &import_header(input, use_overlay))?;
    std::fs::write(out, yaml).map_err(|e| format!("cannot write {}: {e}", out.display()))?;
    report.push(format!("wrote {}", out.display()));
    Ok(report)
}

/// Reads a spec for `diff-spec`: a 3.0 document as is, a 3.1 document converted to 3.0 first.
pub fn read_for_diff(path: &Path) -> Result<serde_json::Value, String> {
    let mut doc = spec::read_tree(path)?;
    convert::to_openapi_30(&mut doc).map_err(|p| format!("{}: {}", path.display(), p.join("; ")))?;
    Ok(doc)
}
