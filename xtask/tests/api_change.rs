//! `cargo xtask api-change` (see `xtask/src/api_change.rs`) as a test: an upstream API change reaches every layer
//! through `import-spec` + `regenerate` with no hand edit. It builds and tests a whole copy of the workspace, so it
//! is `#[ignore]`d in the default run: `cargo test -p xtask --test api_change -- --ignored` (CI runs the command,
//! `cargo xtask api-change`). The copy builds in `target/api-change`.

use xtask::project_root;

#[test]
#[ignore = "builds and tests a copy of the workspace (minutes); CI runs `cargo xtask api-change`"]
fn an_upstream_change_reaches_every_layer_without_hand_edits() {
    let root = project_root();
    match xtask::api_change::run(&root, &root.join("target").join("api-change")) {
        Ok(report) => println!("{}", report.join("\n")),
        Err(e) => panic!("{e}"),
    }
}
