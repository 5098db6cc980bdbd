//! `cargo xtask api-change`: the API changes the way OpenRouter changes it, and `cargo xtask import-spec` +
//! `cargo xtask regenerate` carry each change to every layer with the outcome README "When the API changes"
//! promises. [`SCENARIOS`] is the table: one upstream mutation each, its promised outcome, and a check of it.
//!
//! One copy of the workspace (under `target/`), one target directory, the scenarios in sequence:
//!
//! 1. The compatible ones together ([`Scenario::together`]): their mutations of the upstream snapshot are applied
//!    at once, and the copy's own xtask imports and regenerates while the copy's library is broken on purpose
//!    (xtask must not need it). Then: only `spec/` and the generated files changed; each scenario's check holds
//!    (the response type's fields, `diff-spec`, the generated code); the copy's `cargo test --workspace` passes with a
//!    probe test dropped into its test crate (`xtask/assets/api_change_probe.rs`); and the copy's public API
//!    (rustdoc JSON) differs from the checked-in snapshot by exactly what the scenarios promise. One build and one
//!    test run for all of them.
//! 2. The breaking ones alone, each on top of the previous state, without the test suite (they break callers by
//!    design): import and regenerate, the check, and what else it needs (a `cargo check` of the library).
//!
//! The copy builds in a target directory of its own (`target/api-change`). It cannot share the project's: cargo
//! hashes a path package by its place in the workspace, not by its absolute path, so the copy's crates would take
//! the very file names of the project's and the project's next build could run the copy's (seen: a `cargo xtask`
//! that was the copy's). The first run seeds it with the project's compiled dependencies (a copy of
//! `debug/{deps,build,.fingerprint}`), so only the workspace's own crates build. The copy is removed when every
//! scenario passes.

use std::path::{Path, PathBuf};
use std::process::Command;

use serde_json::{Value, json};

use crate::{CLIENT_PATH, GENERATED_FILES, SPEC_PATH, TABLES_PATH, UPSTREAM_PATH};

/// The new property.
pub const PROPERTY: &str = "spend_alert_email";
/// The new property's `maxLength` (with `format: email`).
pub const PROPERTY_MAX: u64 = 254;
/// The raised `maxLength` of a workspace's name in the request bodies.
pub const NEW_NAME_MAX: u64 = 120;
/// The `maxLength` upstream documents on the response's `Workspace.name`: the requests' (raised) one, so that
/// the fake's answers, checked against the changed spec by the probe, conform.
pub const RESPONSE_NAME_MAX: u64 = NEW_NAME_MAX;
/// The new member role.
pub const NEW_ROLE: &str = "owner";
/// The optional response property upstream removes.
pub const REMOVED: &str = "include_byok_in_budgets";
/// The schema upstream renames, and its new name.
pub const RENAMED: (&str, &str) = ("WorkspaceBudget", "Budget");
/// The new required request property (of `CreateWorkspaceRequest`).
pub const REQUIRED: &str = "region";

const PROBE: &str = include_str!("../assets/api_change_probe.rs");

/// What a scenario's check sees once the change is imported and regenerated.
#[derive(Debug)]
pub struct Observed {
    /// The fields of the generated `Workspace` struct (`name: Type`), before and after.
    pub workspace_fields: (Vec<String>, Vec<String>),
    /// `diff-spec` from the spec before to the spec after.
    pub changes: Vec<crate::diff::Change>,
    /// The generated files before and after.
    pub generated: (Vec<String>, Vec<String>),
    /// What `import-spec` reported, or its error.
    pub import_report: String,
    /// Whether `import-spec` failed.
    pub import_failed: bool,
}

/// One upstream change and the outcome the README promises.
pub struct Scenario {
    /// A short name.
    pub name: &'static str,
    /// The upstream change, in words.
    pub change: &'static str,
    /// The promised outcome, in words (README "When the API changes" has the same table).
    pub outcome: &'static str,
    /// Whether it is compatible: tested together with the others, with the copy's whole test suite.
    pub together: bool,
    mutate: fn(&mut Value) -> Result<(), String>,
    check: fn(&Observed) -> Result<(), String>,
}

/// Every scenario, in the order they run (the compatible ones first, together).
pub const SCENARIOS: &[Scenario] = &[
    Scenario {
        name: "new-property",
        change: "a new optional nullable string property with `maxLength: 254` and `format: email` on `Workspace` and \
                 both request bodies",
        outcome: "a field `Option<String>` on the response type, a setter (and `clear_`) on the builders, a `limits` \
                  constant checked by the client and the fake, stored and returned by the fake; public API: \
                  additions only",
        together: true,
        mutate: |up| {
            for schema in ["Workspace", "CreateWorkspaceRequest", "UpdateWorkspaceRequest"] {
                schemas(up)?[schema]["properties"][PROPERTY] = json!({
                    "type": ["string", "null"], "maxLength": PROPERTY_MAX, "format": "email",
                    "description": "Where spend alerts are sent", "example": "ops@example.com"
                });
            }
            Ok(())
        },
        check: |o| {
            let field = format!("{PROPERTY}: ::std::option::Option<::std::string::String>");
            expect(o.workspace_fields.1.contains(&field), format!("Workspace has no `{field}`"))?;
            expect(compatible_at(o, PROPERTY), format!("diff-spec does not report `{PROPERTY}` as compatible"))
        },
    },
    Scenario {
        name: "raised-limit",
        change: "a raised `maxLength` of `name` in both request bodies",
        outcome: "the `limits` constants, the client's checks and the fake's follow; public API unchanged",
        together: true,
        mutate: |up| {
            for schema in ["CreateWorkspaceRequest", "UpdateWorkspaceRequest"] {
                schemas(up)?[schema]["properties"]["name"]["maxLength"] = json!(NEW_NAME_MAX);
            }
            Ok(())
        },
        check: |o| {
            let constant = format!("CREATE_WORKSPACE_NAME_MAX_LENGTH: usize = {NEW_NAME_MAX};");
            expect(o.generated.1.iter().any(|f| f.contains(&constant)), format!("no `{constant}` generated"))
        },
    },
    Scenario {
        name: "response-constraint",
        change: "a `maxLength` documented on an existing response field (`Workspace.name`)",
        outcome: "nothing changes for users: the field stays `String` (`plain-model-types`), the public API is \
                  unchanged, longer values still decode; the schemas test explains the difference by its one \
                  general rule",
        together: true,
        mutate: |up| {
            schemas(up)?["Workspace"]["properties"]["name"]["maxLength"] = json!(RESPONSE_NAME_MAX);
            Ok(())
        },
        check: |o| {
            let name = "name: ::std::string::String".to_owned();
            expect(o.workspace_fields.1.contains(&name), "Workspace.name is no longer a `String`".to_owned())
        },
    },
    Scenario {
        name: "new-enum-value",
        change: "a new value in an enum the spec closes (a member role)",
        outcome: "a new variant of the open enum (older versions of the crate read it as `Unknown`); the fake \
                  stores and returns it; public API: one variant added",
        together: true,
        mutate: |up| {
            let roles = schemas(up)?["WorkspaceMember"]["properties"]["role"]["enum"].as_array_mut().ok_or(
                "the upstream snapshot's WorkspaceMember.role is no longer an inline enum; update this scenario",
            )?;
            roles.push(json!(NEW_ROLE));
            Ok(())
        },
        check: |o| {
            let variant = "Owner,";
            expect(o.generated.1.iter().any(|f| f.contains(variant)), "no `Owner` variant generated".to_owned())
        },
    },
    Scenario {
        name: "optional-property-removed",
        change: "an optional property removed from a response (`Workspace.include_byok_in_budgets`)",
        outcome: "removed from the response type: BREAKING, reported by `diff-spec` and by `cargo xtask public-api \
                  --check` (the field is gone, nothing else); the fake and the tests build and pass as before. \
                  Ship it in a breaking release (refresh the snapshot, say it in CHANGELOG)",
        together: true,
        mutate: |up| {
            // From the schema's properties and from every example of a workspace (both hold its sibling
            // `default_guardrail_id`), as upstream would: the budget responses' own `include_byok_in_budgets` stays.
            fn strip(node: &mut Value) -> usize {
                match node {
                    Value::Object(map) => {
                        let here =
                            usize::from(map.contains_key("default_guardrail_id") && map.remove(REMOVED).is_some());
                        here + map.values_mut().map(strip).sum::<usize>()
                    }
                    Value::Array(items) => items.iter_mut().map(strip).sum(),
                    _ => 0,
                }
            }
            if schemas(up)?["Workspace"]["properties"].get(REMOVED).is_none() {
                return Err(format!("the upstream Workspace has no `{REMOVED}` any more; update this scenario"));
            }
            strip(up);
            Ok(())
        },
        check: |o| {
            expect(
                !o.workspace_fields.1.iter().any(|f| f.starts_with(REMOVED)),
                format!("`{REMOVED}` is still there"),
            )?;
            let breaking = o.changes.iter().any(|c| c.breaking && c.change.contains(REMOVED));
            expect(breaking, format!("diff-spec does not report the removal of `{REMOVED}` as breaking"))
        },
    },
    Scenario {
        name: "renamed-schema",
        change: "a schema renamed upstream with the same shape (`WorkspaceBudget` to `Budget`)",
        outcome: "`import-spec` names the rename and the overlay action that keeps the name (an `x-rename` of \
                  `$.components.schemas`, which moves the `$ref`s too): a warning, or part of its error when an \
                  overlay action names the old schema (as ours does); with the action nothing generated changes",
        together: false,
        mutate: |up| {
            let (old, new) = RENAMED;
            let all = schemas(up)?.as_object_mut().ok_or("no components/schemas")?;
            let schema =
                all.remove(old).ok_or(format!("the upstream snapshot has no `{old}`; update this scenario"))?;
            all.insert(new.to_owned(), schema);
            let text = serde_json::to_string(up)
                .map_err(|e| e.to_string())?
                .replace(&format!("\"#/components/schemas/{old}\""), &format!("\"#/components/schemas/{new}\""));
            *up = serde_json::from_str(&text).map_err(|e| e.to_string())?;
            Ok(())
        },
        check: |o| {
            let (old, new) = RENAMED;
            let warned =
                o.import_report.contains(&format!("`{old}` to `{new}`")) && o.import_report.contains("x-rename");
            expect(warned, format!("import-spec did not warn about the rename:\n{}", o.import_report))?;
            // Without the action: the import refuses (an overlay action names the old schema), or the type is renamed.
            let changed = o.import_failed || o.generated.0 != o.generated.1;
            expect(changed, "without the overlay action nothing changed?".to_owned())
        },
    },
    Scenario {
        name: "new-required-request-property",
        change: "a new required property of a request body (`CreateWorkspaceRequest.region`)",
        outcome: "BREAKING, as the API's change is: `CreateWorkspace::new` takes it, so every caller fails to compile \
                  until it passes one (rather than every request failing at the server); `diff-spec` reports it; \
                  the one hand edit in the library is the fake's own seeding (`fake/state.rs` creates the default and \
                  seeded workspaces, and must choose a value): the compiler names exactly those calls",
        together: false,
        mutate: |up| {
            let body = &mut schemas(up)?["CreateWorkspaceRequest"];
            body["properties"][REQUIRED] =
                json!({"type": "string", "description": "Where the data lives", "example": "eu"});
            body["required"].as_array_mut().ok_or("CreateWorkspaceRequest has no required list")?.push(json!(REQUIRED));
            Ok(())
        },
        check: |o| {
            expect(!o.import_failed, format!("import-spec failed: {}", o.import_report))?;
            let doc =
                o.generated.1.iter().flat_map(|f| f.lines()).find(|l| l.contains("[`new`](CreateWorkspace::new)"));
            let takes = doc.is_some_and(|l| l.contains(&format!("`{REQUIRED}`")));
            expect(takes, format!("CreateWorkspace::new does not take `{REQUIRED}`: {doc:?}"))?;
            let breaking = o.changes.iter().any(|c| c.breaking && c.change.contains(REQUIRED));
            expect(breaking, format!("diff-spec does not report `{REQUIRED}` as breaking"))
        },
    },
];

/// The README's table of scenarios ("When the API changes"), from [`SCENARIOS`] (a test holds the README to it).
pub fn readme_table() -> String {
    let mut out = "| Upstream change | Outcome | Run |\n|---|---|---|\n".to_owned();
    for s in SCENARIOS {
        let run = if s.together { "together, with the test suite" } else { "alone" };
        out.push_str(&format!("| {} | {} | {run} |\n", s.change, s.outcome));
    }
    out
}

fn schemas(upstream: &mut Value) -> Result<&mut Value, String> {
    upstream.pointer_mut("/components/schemas").ok_or_else(|| "the upstream snapshot has no components/schemas".into())
}

fn expect(ok: bool, otherwise: String) -> Result<(), String> {
    if ok { Ok(()) } else { Err(otherwise) }
}

fn compatible_at(o: &Observed, what: &str) -> bool {
    o.changes.iter().any(|c| !c.breaking && c.change.contains(what))
}

/// The fields of the generated `Workspace` struct, as `name: Type` (the type without spaces).
fn workspace_fields(client: &str) -> Vec<String> {
    let Ok(file) = syn::parse_file(client) else { return Vec::new() };
    let types = file.items.iter().find_map(|item| match item {
        syn::Item::Mod(m) if m.ident == "types" => m.content.as_ref().map(|(_, items)| items),
        _ => None,
    });
    let workspace = types.into_iter().flatten().find_map(|item| match item {
        syn::Item::Struct(s) if s.ident == "Workspace" => Some(s),
        _ => None,
    });
    let fields = workspace.into_iter().flat_map(|s| s.fields.iter());
    fields
        .filter_map(|f| {
            let ty = &f.ty;
            f.ident.as_ref().map(|name| format!("{name}: {}", quote::quote!(#ty).to_string().replace(' ', "")))
        })
        .collect()
}

/// Runs every scenario on a fresh copy of the workspace at `root`, building in `target_dir` (never the project's
/// own target directory: see the module docs). Returns what it did, step by step.
///
/// # Errors
/// The first step or check that failed, with what it printed.
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
    let mut report = vec![format!("copied the workspace to {}", copy.display())];
    if seed(&project_target, target_dir).map_err(|e| format!("cannot seed {}: {e}", target_dir.display()))? {
        report.push(format!("seeded {} with the project's compiled dependencies", target_dir.display()));
    }
    let before = snapshot(&copy)?;
    let spec_before = crate::spec::read_tree(&copy.join(SPEC_PATH))?;
    let generated_before = generated(&copy)?;

    // 1. The compatible changes, together: OpenRouter changes its document.
    let mut upstream = crate::spec::read_tree(&copy.join(UPSTREAM_PATH))?;
    let together: Vec<&Scenario> = SCENARIOS.iter().filter(|s| s.together).collect();
    for s in &together {
        (s.mutate)(&mut upstream).map_err(|e| format!("{}: {e}", s.name))?;
    }
    let input = copy.join("upstream-changed.json");
    write_json(&input, &upstream)?;

    // With the library broken (as a spec change can leave it), the copy's xtask still builds and runs.
    let lib = copy.join("openrouter-workspaces/src/lib.rs");
    let lib_text = std::fs::read_to_string(&lib).map_err(|e| e.to_string())?;
    std::fs::write(&lib, "compile_error!(\"broken on purpose by cargo xtask api-change\");\n")
        .map_err(|e| e.to_string())?;
    let import_report = cargo(&copy, target_dir, &["xtask", "import-spec", &input.to_string_lossy()])?;
    cargo(&copy, target_dir, &["xtask", "regenerate"])?;
    std::fs::write(&lib, lib_text).map_err(|e| e.to_string())?;
    std::fs::remove_file(&input).map_err(|e| e.to_string())?;
    report.push(format!(
        "upstream changed ({}); import-spec and regenerate ran while the library did not compile",
        together.iter().map(|s| s.name).collect::<Vec<_>>().join(", ")
    ));

    // Only the spec and the generated files changed.
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

    let observed = observe(&copy, &spec_before, &generated_before, import_report)?;
    for s in &together {
        (s.check)(&observed).map_err(|e| format!("{}: {e}", s.name))?;
        report.push(format!("{}: {}", s.name, s.outcome));
    }

    // The copy's own suite passes, and the probe shows the changes working end to end.
    let probe = copy.join("tests/tests/api_change_probe.rs");
    std::fs::write(&probe, PROBE).map_err(|e| format!("cannot write {}: {e}", probe.display()))?;
    // xtask's own unit tests read the project's spec as committed (the scenarios' preconditions): they run on the
    // project, not on the copy, whose spec is changed on purpose. Its integration tests (the spec is the import of
    // the snapshot and the overlay, the generated files are fresh) run here.
    let suites: [&[&str]; 2] = [
        &["test", "--workspace", "--exclude", "xtask", "--all-features", "--quiet", "--no-fail-fast"],
        &["test", "-p", "xtask", "--test", "*", "--quiet", "--no-fail-fast"],
    ];
    for test in suites {
        if let Err(first) = cargo(&copy, target_dir, test) {
            // The suite has timing tests (total deadlines) that a loaded machine can miss: one more run, built.
            cargo(&copy, target_dir, test)
                .map_err(|second| format!("{second}\n(the first run failed too:)\n{first}"))?;
            report.push(format!("cargo {} failed once, then passed (timing tests under load)", test.join(" ")));
        }
    }
    report.push("the copy's cargo test --workspace passed, the probe included".to_owned());

    // The public API differs from the checked-in snapshot by exactly what the scenarios promise.
    let old_api = std::fs::read_to_string(copy.join(crate::public_api::SNAPSHOT_PATH)).map_err(|e| e.to_string())?;
    let new_api = crate::public_api::current_in(&copy, target_dir)?;
    let (gone, added) = crate::public_api::diff(&old_api, &new_api);
    let expected_gone = format!("Workspace::{REMOVED}:");
    if gone.len() != 1 || !gone[0].contains(&expected_gone) {
        return Err(format!("public API: expected only `{expected_gone}` gone (BREAKING), found gone: {gone:#?}"));
    }
    let promised = [PROPERTY, &PROPERTY.to_uppercase(), "WorkspaceMemberRole::Owner"];
    let unpromised: Vec<&String> = added.iter().filter(|l| !promised.iter().any(|p| l.contains(p))).collect();
    if !unpromised.is_empty() {
        return Err(format!("public API: additions no scenario promises (a changed type?): {unpromised:#?}"));
    }
    if let Some(missing) = promised.iter().find(|p| !added.iter().any(|l| l.contains(*p))) {
        return Err(format!("public API: nothing added for `{missing}`"));
    }
    report.push(format!(
        "public API: `{REMOVED}` gone (BREAKING, as promised), {} additions for `{PROPERTY}` and the role, nothing \
         else (`Workspace.name` is still a `String`)",
        added.len()
    ));

    // 2. The breaking changes, one at a time, each on top of the previous state.
    for s in SCENARIOS.iter().filter(|s| !s.together) {
        let spec_before = crate::spec::read_tree(&copy.join(SPEC_PATH))?;
        let generated_before = generated(&copy)?;
        let mut upstream = crate::spec::read_tree(&copy.join(UPSTREAM_PATH))?;
        (s.mutate)(&mut upstream).map_err(|e| format!("{}: {e}", s.name))?;
        write_json(&input, &upstream)?;
        let imported = crate::import_spec(&copy, Some(&input), &copy.join(SPEC_PATH), true);
        std::fs::remove_file(&input).map_err(|e| e.to_string())?;
        if imported.is_ok() {
            crate::regenerate(&copy, false).map_err(|e| format!("{}: regenerate: {e}", s.name))?;
        }
        let text = imported.as_ref().map_or_else(Clone::clone, |r| r.join("\n"));
        let mut observed = observe(&copy, &spec_before, &generated_before, text)?;
        observed.import_failed = imported.is_err();
        (s.check)(&observed).map_err(|e| format!("{}: {e}", s.name))?;
        match s.name {
            "renamed-schema" => {
                // The maintainer follows the warning: the overlay action, first, then import again.
                let (old, new) = RENAMED;
                let overlay_path = copy.join(crate::import::OVERLAY_PATH);
                let overlay = std::fs::read_to_string(&overlay_path).map_err(|e| e.to_string())?;
                let action = format!(
                    "actions:\n  - description: Schemas upstream renamed keep this SDK's names\n    target: \
                     $.components.schemas\n    x-rename: {{{new}: {old}}}\n"
                );
                std::fs::write(&overlay_path, overlay.replacen("actions:\n", &action, 1)).map_err(|e| e.to_string())?;
                crate::import_spec(&copy, None, &copy.join(SPEC_PATH), true)
                    .map_err(|e| format!("{}: import-spec with the overlay action: {e}", s.name))?;
                crate::regenerate(&copy, false).map_err(|e| format!("{}: regenerate: {e}", s.name))?;
                if generated(&copy)? != generated_before {
                    return Err(format!("{}: with the overlay action, the generated files still changed", s.name));
                }
            }
            "new-required-request-property" => {
                // The generated code and every handle build; only the fake's own seeding calls
                // `CreateWorkspace::new`, and the compiler must name those calls and nothing else.
                let check = ["check", "--quiet", "--message-format", "short", "-p", "openrouter-workspaces"];
                let errors = match cargo(&copy, target_dir, &[&check[..], &["--all-features"]].concat()) {
                    Ok(_) => return Err(format!("{}: the library built without passing `{REQUIRED}`", s.name)),
                    Err(e) => e,
                };
                let located: Vec<&str> = errors.lines().filter(|l| l.contains(": error")).collect();
                let elsewhere: Vec<&&str> = located
                    .iter()
                    .filter(|l| !(l.starts_with("openrouter-workspaces/src/fake/state.rs:") && l.contains("E0061")))
                    .collect();
                expect(
                    !located.is_empty() && elsewhere.is_empty(),
                    format!("{}: expected only the fake's seeding to miss `{REQUIRED}`, got: {errors}", s.name),
                )?;
            }
            _ => {}
        }
        report.push(format!("{}: {}", s.name, s.outcome));
    }
    let _ = std::fs::remove_dir_all(&copy);
    Ok(report)
}

fn observe(
    copy: &Path,
    spec_before: &Value,
    generated_before: &[String],
    import_report: String,
) -> Result<Observed, String> {
    let spec_after = crate::spec::read_tree(&copy.join(SPEC_PATH))?;
    let generated_after = generated(copy)?;
    Ok(Observed {
        workspace_fields: (workspace_fields(&generated_before[0]), workspace_fields(&generated_after[0])),
        changes: crate::diff::diff(spec_before, &spec_after),
        generated: (generated_before.to_vec(), generated_after),
        import_report,
        import_failed: false,
    })
}

/// The generated files of the copy: the client, then the rest.
fn generated(copy: &Path) -> Result<Vec<String>, String> {
    [CLIENT_PATH, TABLES_PATH]
        .iter()
        .map(|f| std::fs::read_to_string(copy.join(f)).map_err(|e| format!("cannot read {f}: {e}")))
        .collect()
}

fn write_json(path: &Path, value: &Value) -> Result<(), String> {
    let text = serde_json::to_string_pretty(value).map_err(|e| e.to_string())?;
    std::fs::write(path, text).map_err(|e| format!("cannot write {}: {e}", path.display()))
}

/// Copies the project's compiled dependencies into an empty target directory (`debug/{deps,build,.fingerprint}`),
/// so that the copy builds only the workspace's own crates. Returns whether it did.
fn seed(project_target: &Path, target_dir: &Path) -> std::io::Result<bool> {
    let from = project_target.join("debug");
    let to = target_dir.join("debug");
    if to.join("deps").exists() || !from.join("deps").exists() {
        return Ok(false);
    }
    for dir in ["deps", "build", ".fingerprint"] {
        if from.join(dir).exists() {
            copy_keeping_times(&from.join(dir), &to.join(dir))?;
        }
    }
    Ok(true)
}

/// A recursive copy that keeps each file's modification time: cargo judges freshness by comparing them, and
/// copies stamped in copying order would make dependents look older than their dependencies.
fn copy_keeping_times(from: &Path, to: &Path) -> std::io::Result<()> {
    std::fs::create_dir_all(to)?;
    for entry in std::fs::read_dir(from)? {
        let entry = entry?;
        let target = to.join(entry.file_name());
        if entry.file_type()?.is_dir() {
            copy_keeping_times(&entry.path(), &target)?;
        } else {
            std::fs::copy(entry.path(), &target)?;
            let modified = entry.metadata()?.modified()?;
            std::fs::File::options().write(true).open(&target)?.set_modified(modified)?;
        }
    }
    Ok(())
}

fn same_dir(a: &Path, b: &Path) -> bool {
    match (a.canonicalize(), b.canonicalize()) {
        (Ok(a), Ok(b)) => a == b,
        _ => a == b,
    }
}

fn cargo(dir: &Path, target_dir: &Path, args: &[&str]) -> Result<String, String> {
    let cargo = std::env::var_os("CARGO").unwrap_or_else(|| "cargo".into());
    let out = Command::new(cargo)
        .args(args)
        .current_dir(dir)
        .env("CARGO_TARGET_DIR", target_dir)
        .env_remove("CARGO_MANIFEST_DIR")
        .output()
        .map_err(|e| format!("cannot run cargo {args:?}: {e}"))?;
    if out.status.success() {
        Ok(String::from_utf8_lossy(&out.stdout).into_owned())
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

#[cfg(test)]
mod tests {
    use super::*;

    fn upstream() -> Value {
        crate::spec::read_tree(&crate::project_root().join(UPSTREAM_PATH)).unwrap()
    }

    #[test]
    fn every_scenario_applies_to_the_upstream_snapshot_and_changes_it() {
        for s in SCENARIOS {
            let mut doc = upstream();
            (s.mutate)(&mut doc).unwrap_or_else(|e| panic!("{}: {e}", s.name));
            assert!(doc != upstream(), "{}: the mutation changed nothing", s.name);
        }
        let names: Vec<&str> = SCENARIOS.iter().map(|s| s.name).collect();
        let mut sorted = names.clone();
        sorted.dedup();
        assert_eq!(names.len(), sorted.len(), "names are unique");
        let first_alone = SCENARIOS.iter().position(|s| !s.together).unwrap();
        assert!(SCENARIOS[first_alone..].iter().all(|s| !s.together), "the compatible scenarios come first");
    }

    #[test]
    fn the_readme_has_the_table_of_scenarios() {
        let readme = std::fs::read_to_string(crate::project_root().join("README.md")).unwrap();
        assert!(
            readme.contains(&readme_table()),
            "README.md lacks (or has a stale) table of scenarios:\n{}",
            readme_table()
        );
    }

    #[test]
    fn the_renamed_schema_is_recognised_by_its_shape() {
        let mut doc = upstream();
        (SCENARIOS.iter().find(|s| s.name == "renamed-schema").unwrap().mutate)(&mut doc).unwrap();
        let renamed = crate::import::renamed_schemas(&upstream(), &doc);
        assert_eq!(renamed, [(RENAMED.0.to_owned(), RENAMED.1.to_owned())]);
        let advice = crate::import::renamed_schema_advice(&renamed);
        assert!(advice.contains("x-rename: {Budget: WorkspaceBudget}"), "{advice}");
        assert!(crate::import::renamed_schemas(&upstream(), &upstream()).is_empty());
    }

    #[test]
    fn checks_fail_when_nothing_changed() {
        let root = crate::project_root();
        let generated = generated(&root).unwrap();
        let spec = crate::spec::read_tree(&root.join(SPEC_PATH)).unwrap();
        let observed = observe(&root, &spec, &generated, String::new()).unwrap();
        assert!(observed.workspace_fields.0.contains(&"name: ::std::string::String".to_owned()), "{observed:?}");
        assert!(observed.workspace_fields.0.len() >= 17, "{:?}", observed.workspace_fields.0);
        for s in SCENARIOS {
            // The response-constraint scenario promises that nothing changes: its check holds on any state.
            if s.name != "response-constraint" {
                assert!((s.check)(&observed).is_err(), "{}: its check passes with no change", s.name);
            }
        }
    }
}
