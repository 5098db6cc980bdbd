//! `cargo xtask api-change`: the API changes the way OpenRouter changes it, and `cargo xtask import-spec` +
//! `cargo xtask regenerate` carry the change to every layer with no file edited by hand.
//!
//! In a copy of the workspace (under `target/`), the upstream snapshot gains a new optional, nullable property on
//! `Workspace` and on both request bodies, a raised `maxLength`, and a new value of an open enum (a member role).
//! The copy's library is broken on purpose while its xtask imports and regenerates (xtask must not need it). Then:
//! only `spec/` and the generated files changed; the copy's own `cargo test --workspace` passes; and a probe test
//! dropped into the copy's test crate (`xtask/assets/api_change_probe.rs`) sets, stores, returns and clears the new
//! property, checks the new limit on the client (no request sent) and on the fake, and reads the new role.
//!
//! The copy builds in a target directory of its own (`target/api-change`). It cannot share the project's: cargo
//! hashes a path package by its place in the workspace, not by its absolute path, so the copy's crates would take
//! the very file names of the project's and the project's next build could run the copy's (seen: a `cargo xtask`
//! that was the copy's). The copy is removed when the scenario passes.

use std::path::{Path, PathBuf};
use std::process::Command;

use serde_json::json;

use crate::{GENERATED_FILES, SPEC_PATH, UPSTREAM_PATH};

/// The new property.
pub const PROPERTY: &str = "spend_alert_email";
/// The raised `maxLength` of a workspace's name.
pub const NEW_NAME_MAX: u64 = 120;
/// The new member role.
pub const NEW_ROLE: &str = "owner";

const PROBE: &str = include_str!("../assets/api_change_probe.rs");

/// Runs the whole scenario on a fresh copy of the workspace at `root`, building in `target_dir` (never the
/// project's own target directory: see the module docs). Returns what it did, step by step.
///
/// # Errors
/// The first step that failed, with what it printed.
pub fn run(root: &Path, target_dir: &Path) -> Result<Vec<String>, String> {
    let project_target = std::env::var_os("CARGO_TARGET_DIR").map_or_else(|| root.join("target"), PathBuf::from);
    if same_dir(target_dir, &project_target) {
        return Err(format!(
            "{} is the project's own target directory; the copy's crates would overwrite the project's (cargo \
             hashes path packages by their place in the workspace): give the copy a directory of its own",
            target_dir.display()
        ));
    }
    let copy = root.join("target").join("api-change-copy");
    let _ = std::fs::remove_dir_all(&copy);
    copy_dir(root, &copy, &root.join("target")).map_err(|e| format!("cannot copy the workspace: {e}"))?;
    let before = snapshot(&copy)?;
    let mut report = vec![format!("copied the workspace to {}", copy.display())];

    // 1. OpenRouter changes its document.
    let mut upstream = crate::spec::read_tree(&copy.join(UPSTREAM_PATH))?;
    let schemas = &mut upstream["components"]["schemas"];
    for schema in ["Workspace", "CreateWorkspaceRequest", "UpdateWorkspaceRequest"] {
        schemas[schema]["properties"][PROPERTY] = json!({
            "type": ["string", "null"],
            "description": "Where spend alerts are sent",
            "example": "ops@example.com"
        });
    }
    for schema in ["CreateWorkspaceRequest", "UpdateWorkspaceRequest"] {
        schemas[schema]["properties"]["name"]["maxLength"] = json!(NEW_NAME_MAX);
    }
    let roles = schemas["WorkspaceMember"]["properties"]["role"]["enum"]
        .as_array_mut()
        .ok_or("the upstream snapshot's WorkspaceMember.role is no longer an inline enum; update this scenario")?;
    roles.push(json!(NEW_ROLE));
    let input = copy.join("upstream-changed.json");
    let text = serde_json::to_string_pretty(&upstream).map_err(|e| e.to_string())?;
    std::fs::write(&input, text).map_err(|e| format!("cannot write {}: {e}", input.display()))?;
    report.push(format!("upstream: `{PROPERTY}` added (nullable) to Workspace and both request bodies, name maxLength {NEW_NAME_MAX}, role `{NEW_ROLE}`"));

    // 2. With the library broken (as a spec change can leave it), the copy's xtask still builds and runs.
    let lib = copy.join("openrouter-workspaces/src/lib.rs");
    let lib_text = std::fs::read_to_string(&lib).map_err(|e| e.to_string())?;
    std::fs::write(&lib, "compile_error!(\"broken on purpose by cargo xtask api-change\");\n")
        .map_err(|e| e.to_string())?;
    cargo(&copy, target_dir, &["xtask", "import-spec", &input.to_string_lossy()])?;
    cargo(&copy, target_dir, &["xtask", "regenerate"])?;
    std::fs::write(&lib, lib_text).map_err(|e| e.to_string())?;
    std::fs::remove_file(&input).map_err(|e| e.to_string())?;
    report.push("import-spec and regenerate ran while the library did not compile".to_owned());

    // 3. Only the spec and the generated files changed.
    let after = snapshot(&copy)?;
    let names = |s: &[(PathBuf, Vec<u8>)]| s.iter().map(|(f, _)| f.clone()).collect::<Vec<_>>();
    if names(&after) != names(&before) {
        return Err("files were added or removed by import-spec + regenerate".to_owned());
    }
    let changed: Vec<String> = before
        .iter()
        .zip(&after)
        .filter(|((_, old), (_, new))| old != new)
        .map(|((file, _), _)| file.to_string_lossy().replace('\\', "/"))
        .collect();
    let allowed: Vec<&str> = [SPEC_PATH, UPSTREAM_PATH].into_iter().chain(GENERATED_FILES).collect();
    let unexpected: Vec<&String> = changed.iter().filter(|f| !allowed.contains(&f.as_str())).collect();
    if !unexpected.is_empty() {
        return Err(format!("files outside spec/ and the generated ones changed: {unexpected:?}"));
    }
    // The spec and its upstream snapshot must change, and so must some generated file; which generated files an
    // added property touches is the generator's business (the checked calls, for one, do not change).
    if let Some(missing) = [SPEC_PATH, UPSTREAM_PATH].into_iter().find(|a| !changed.iter().any(|f| f == *a)) {
        return Err(format!("{missing} did not change"));
    }
    if !changed.iter().any(|f| GENERATED_FILES.contains(&f.as_str())) {
        return Err("no generated file changed".to_owned());
    }
    report.push(format!("changed: {} (nothing else)", changed.join(", ")));

    // 4. The copy's own suite passes, and the probe shows the change working end to end.
    let probe = copy.join("tests/tests/api_change_probe.rs");
    std::fs::write(&probe, PROBE).map_err(|e| format!("cannot write {}: {e}", probe.display()))?;
    cargo(&copy, target_dir, &["test", "--workspace", "--quiet"])?;
    report.push("the copy's cargo test --workspace passed, the probe included".to_owned());
    let _ = std::fs::remove_dir_all(&copy);
    Ok(report)
}

fn same_dir(a: &Path, b: &Path) -> bool {
    match (a.canonicalize(), b.canonicalize()) {
        (Ok(a), Ok(b)) => a == b,
        _ => a == b,
    }
}

fn cargo(dir: &Path, target_dir: &Path, args: &[&str]) -> Result<(), String> {
    let cargo = std::env::var_os("CARGO").unwrap_or_else(|| "cargo".into());
    let out = Command::new(cargo)
        .args(args)
        .current_dir(dir)
        .env("CARGO_TARGET_DIR", target_dir)
        .env_remove("CARGO_MANIFEST_DIR")
        .output()
        .map_err(|e| format!("cannot run cargo {args:?}: {e}"))?;
    if out.status.success() {
        Ok(())
    } else {
        Err(format!(
            "cargo {} failed in {}:\n{}\n{}",
            args.join(" "),
            dir.display(),
            String::from_utf8_lossy(&out.stdout),
            String::from_utf8_lossy(&out.stderr)
        ))
    }
}

/// Every file under `dir` with its contents, sorted, without `target/` and VCS data.
fn snapshot(dir: &Path) -> Result<Vec<(PathBuf, Vec<u8>)>, String> {
    fn walk(base: &Path, dir: &Path, out: &mut Vec<(PathBuf, Vec<u8>)>) -> std::io::Result<()> {
        for entry in std::fs::read_dir(dir)? {
            let entry = entry?;
            let path = entry.path();
            if skipped(&entry.file_name()) {
                continue;
            }
            if entry.file_type()?.is_dir() {
                walk(base, &path, out)?;
            } else {
                let relative = path.strip_prefix(base).unwrap_or(&path).to_path_buf();
                out.push((relative, std::fs::read(&path)?));
            }
        }
        Ok(())
    }
    let mut out = Vec::new();
    walk(dir, dir, &mut out).map_err(|e| format!("cannot read {}: {e}", dir.display()))?;
    out.sort();
    Ok(out)
}

fn skipped(name: &std::ffi::OsStr) -> bool {
    name == "target" || name == ".git" || name == "node_modules"
}

fn copy_dir(from: &Path, to: &Path, skip: &Path) -> std::io::Result<()> {
    std::fs::create_dir_all(to)?;
    for entry in std::fs::read_dir(from)? {
        let entry = entry?;
        let path = entry.path();
        if path == skip || skipped(&entry.file_name()) {
            continue;
        }
        let target = to.join(entry.file_name());
        if entry.file_type()?.is_dir() {
            copy_dir(&path, &target, skip)?;
        } else {
            std::fs::copy(&path, target)?;
        }
    }
    Ok(())
}
