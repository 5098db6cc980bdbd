//! Project tasks for openrouter-workspaces. The binary (`cargo xtask ...`) is a thin command line over these
//! modules, so that every step is a function with tests.

pub mod codegen;
pub mod freshness;
pub mod lint;
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
