//! `cargo xtask api-change` (see `xtask/src/api_change.rs`) as a test: each kind of upstream API change, through
//! `import-spec` + `regenerate`, has the outcome README "When the API changes" promises. It builds and tests a
//! whole copy of the workspace, so it is `#[ignore]`d in the default run: `cargo test -p xtask --test api_change -- --ignored` (CI runs the command,
//! `cargo xtask api-change`). The copy builds in `target/api-change`.

use xtask::project_root;

#[test]
#[ignore = "builds and tests a copy of the workspace (minutes); CI runs `cargo xtask api-change`"]
fn every_kind_of_upstream_change_has_its_promised_outcome() {
    let root = project_root();
    match xtask::api_change::run(&root, &root.join("target").join("api-change")) {
        Ok(report) => println!("{}", report.join("\n")),
        Err(e) => panic!("{e}"),
    }
}
