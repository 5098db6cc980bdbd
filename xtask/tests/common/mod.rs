//! Helpers shared by the xtask integration tests.

use std::path::{Path, PathBuf};

use xtask::project_root;

/// A copy of the library crate in its own one-member workspace under `target/`.
pub fn scratch_workspace(name: &str) -> PathBuf {
    let root = project_root();
    let dir = scratch(name);
    copy_dir(&root.join("openrouter-workspaces"), &dir.join("openrouter-workspaces"));
    std::fs::create_dir_all(dir.join("spec")).unwrap();
    let manifest = std::fs::read_to_string(root.join("Cargo.toml")).unwrap();
    let manifest: Vec<&str> = manifest
        .lines()
        .map(|l| match l {
            l if l.starts_with("members =") => "members = [\"openrouter-workspaces\"]",
            l if l.starts_with("default-members =") => "default-members = [\"openrouter-workspaces\"]",
            l => l,
        })
        .collect();
    std::fs::write(dir.join("Cargo.toml"), manifest.join("\n")).unwrap();
    std::fs::copy(root.join("Cargo.lock"), dir.join("Cargo.lock")).unwrap();
    dir
}

fn copy_dir(from: &Path, to: &Path) {
    std::fs::create_dir_all(to).unwrap();
    for entry in std::fs::read_dir(from).unwrap() {
        let entry = entry.unwrap();
        let target = to.join(entry.file_name());
        if entry.file_type().unwrap().is_dir() {
            copy_dir(&entry.path(), &target);
        } else {
            std::fs::copy(entry.path(), target).unwrap();
        }
    }
}

/// An empty scratch directory under `target/xtask-tests/`.
pub fn scratch(name: &str) -> PathBuf {
    let dir = project_root().join("target").join("xtask-tests").join(name);
    let _ = std::fs::remove_dir_all(&dir);
    std::fs::create_dir_all(&dir).unwrap();
    dir
}
