//! Helpers shared by the xtask integration tests.

#![allow(dead_code)]

use std::path::{Path, PathBuf};

use xtask::project_root;

/// A copy of the whole workspace (sources, specs, manifests and lock file; no `target/` or VCS data) under
/// `target/xtask-tests/<name>`.
pub fn workspace_copy(name: &str) -> PathBuf {
    let root = project_root();
    let dir = scratch(name);
    copy_dir(&root, &dir, &root.join("target"));
    dir
}

fn copy_dir(from: &Path, to: &Path, skip: &Path) {
    std::fs::create_dir_all(to).unwrap();
    for entry in std::fs::read_dir(from).unwrap() {
        let entry = entry.unwrap();
        let path = entry.path();
        let name = entry.file_name();
        if path == skip || name == ".git" || name == "target" || name == "node_modules" {
            continue;
        }
        let target = to.join(&name);
        if entry.file_type().unwrap().is_dir() {
            copy_dir(&path, &target, skip);
        } else {
            std::fs::copy(&path, target).unwrap();
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
