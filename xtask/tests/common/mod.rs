//! Helpers shared by the xtask integration tests.

#![allow(dead_code)]

use std::path::PathBuf;

use xtask::project_root;

/// An empty scratch directory under `target/xtask-tests/`.
pub fn scratch(name: &str) -> PathBuf {
    let dir = project_root().join("target").join("xtask-tests").join(name);
    let _ = std::fs::remove_dir_all(&dir);
    std::fs::create_dir_all(&dir).unwrap();
    dir
}
