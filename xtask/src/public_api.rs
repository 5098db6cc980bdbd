//! `cargo xtask public-api [--check]`: the library's public API as a sorted list of items (one per line, as
//! [`public_api`] renders them from rustdoc's JSON), kept in `openrouter-workspaces/public-api.txt`.
//!
//! A change of the public surface, a regeneration that renames a generated type for instance, shows up as a diff of
//! that file: `--check` (CI) fails on any difference and says which lines are gone (a breaking change: removed or
//! changed items) and which are new (compatible); running without `--check` accepts the change, to be committed
//! with a line in the CHANGELOG. The generated client of the `raw` module is left out: it carries no semver promise
//! beyond the spec (its models, which the crate's aliases name, are in).
//!
//! rustdoc's JSON output is unstable: it is asked of the stable toolchain with `RUSTC_BOOTSTRAP=1`, as docs.rs-style
//! builds are, and read by the `public-api` release that knows its format version.

use std::path::{Path, PathBuf};
use std::process::Command;

use crate::freshness::Outcome;

/// Where the snapshot lives, relative to the root.
pub const SNAPSHOT_PATH: &str = "openrouter-workspaces/public-api.txt";

/// Whether a line of the listing is part of the promise: everything but the generated client of `raw` (its
/// `Client`, its methods and progenitor's types). The models in `raw::types` are in: the crate's aliases
/// (`Workspace`, `WorkspaceBudget`, ...) name them, and their fields are what users read.
fn promised(line: &str) -> bool {
    if line.ends_with("mod openrouter_workspaces::raw") {
        return false;
    }
    // The item a line declares is the first path of the crate on it (`pub fn openrouter_workspaces::X::f(..)`,
    // `impl Trait for openrouter_workspaces::X`).
    let declared = line.find("openrouter_workspaces::").and_then(|i| line.get(i..)).unwrap_or("");
    !declared.starts_with("openrouter_workspaces::raw::") || declared.starts_with("openrouter_workspaces::raw::types::")
}

/// The library's public items, one per line, sorted.
///
/// # Errors
/// When rustdoc or the JSON reader fails.
pub fn current(root: &Path) -> Result<String, String> {
    let target = std::env::var_os("CARGO_TARGET_DIR").map_or_else(|| root.join("target"), PathBuf::from);
    current_in(root, &target)
}

/// [`current`] for the workspace at `root` built in `target` (`cargo xtask api-change` reads a copy's).
pub fn current_in(root: &Path, target: &Path) -> Result<String, String> {
    let cargo = std::env::var_os("CARGO").unwrap_or_else(|| "cargo".into());
    let out = Command::new(cargo)
        .current_dir(root)
        .env("CARGO_TARGET_DIR", target)
        .env_remove("CARGO_MANIFEST_DIR")
        .env("RUSTC_BOOTSTRAP", "1")
        // Every feature, as docs.rs documents the crate (and as CI's docs step builds it, so the two share a build).
        .args(["rustdoc", "--quiet", "-p", "openrouter-workspaces", "--lib", "--all-features"])
        .args(["--", "-Z", "unstable-options", "--output-format", "json"])
        .output()
        .map_err(|e| format!("cannot run cargo rustdoc: {e}"))?;
    if !out.status.success() {
        return Err(format!("cargo rustdoc failed:\n{}", String::from_utf8_lossy(&out.stderr)));
    }
    let json = target.join("doc").join("openrouter_workspaces.json");
    let api = public_api::Builder::from_rustdoc_json(&json)
        .omit_blanket_impls(true)
        .omit_auto_trait_impls(true)
        .omit_auto_derived_impls(true)
        .build()
        .map_err(|e| format!("cannot read {}: {e}", json.display()))?;
    let mut lines: Vec<String> = api.items().map(ToString::to_string).filter(|line| promised(line)).collect();
    lines.sort();
    lines.dedup();
    Ok(lines.join("\n") + "\n")
}

/// What changed between two snapshots: the lines gone and the lines new.
pub fn diff(old: &str, new: &str) -> (Vec<String>, Vec<String>) {
    let old: std::collections::BTreeSet<&str> = old.lines().collect();
    let new: std::collections::BTreeSet<&str> = new.lines().collect();
    let gone = old.difference(&new).map(|l| (*l).to_owned()).collect();
    let added = new.difference(&old).map(|l| (*l).to_owned()).collect();
    (gone, added)
}

/// `cargo xtask public-api [--check]`.
///
/// # Errors
/// In check mode, any difference from the snapshot (with the lines gone and new); else a failure to build or write.
pub fn run(root: &Path, check: bool) -> Result<Outcome, String> {
    let path = root.join(SNAPSHOT_PATH);
    let new = current(root)?;
    let old = std::fs::read_to_string(&path).unwrap_or_default().replace("\r\n", "\n");
    if old == new {
        return Ok(Outcome::Fresh);
    }
    if check {
        let (gone, added) = diff(&old, &new);
        let mut report = format!(
            "the public API differs from {SNAPSHOT_PATH}: {} item(s) gone or changed (BREAKING), {} new \
             (compatible). If that is intended, run `cargo xtask public-api`, commit the file and say it in \
             CHANGELOG.md.\n",
            gone.len(),
            added.len()
        );
        for line in &gone {
            report.push_str(&format!("BREAKING    - {line}\n"));
        }
        for line in &added {
            report.push_str(&format!("compatible  + {line}\n"));
        }
        return Err(report);
    }
    std::fs::write(&path, new).map_err(|e| format!("cannot write {}: {e}", path.display()))?;
    Ok(Outcome::Written)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_raw_client_is_left_out_and_its_models_kept() {
        assert!(!promised("pub fn openrouter_workspaces::raw::Client::get_workspace<'a>(&'a self, id: &'a str)"));
        assert!(!promised("pub mod openrouter_workspaces::raw"));
        assert!(promised("pub openrouter_workspaces::raw::types::Workspace::slug: alloc::string::String"));
        assert!(promised("pub fn openrouter_workspaces::Client::raw(&self) -> &openrouter_workspaces::raw::Client"));
    }

    #[test]
    fn the_diff_tells_gone_from_new() {
        let (gone, added) = diff("pub fn a()\npub fn b()\n", "pub fn b()\npub fn c(x: u8)\n");
        assert_eq!(gone, ["pub fn a()"]);
        assert_eq!(added, ["pub fn c(x: u8)"]);
    }
}
