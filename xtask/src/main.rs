//! `cargo xtask`: project tasks. Run `cargo xtask --help`.

use std::process::ExitCode;

use clap::{Parser, Subcommand};
use xtask::{freshness::Outcome, project_root};

#[derive(Parser)]
#[command(name = "cargo xtask", about = "Project tasks for openrouter-workspaces")]
struct Cli {
    #[command(subcommand)]
    command: Command,
}

#[derive(Subcommand)]
enum Command {
    /// Lint spec/openapi.yaml and regenerate the client from it.
    Regenerate {
        /// Change nothing; fail with a diff when the generated file is stale.
        #[arg(long)]
        check: bool,
    },
    /// Lint spec/openapi.yaml and report the problems found.
    Lint,
    /// Change the upstream API in a copy of the workspace, one kind of change per scenario (a new property, a
    /// raised limit, a constraint on a response field, a new enum value, a removed property, a renamed schema, a
    /// new required property), import and regenerate there, and check the outcome README "When the API changes"
    /// promises: generated code, diff-spec, the copy's tests with a probe, the copy's public API.
    ApiChange {
        /// Where the copy builds (default: target/api-change; never the project's own target directory).
        #[arg(long)]
        target_dir: Option<std::path::PathBuf>,
    },
    /// Write the library's public API to openrouter-workspaces/public-api.txt (needs no nightly: rustdoc's JSON
    /// through RUSTC_BOOTSTRAP=1).
    PublicApi {
        /// Change nothing; fail listing what differs (gone items are breaking changes).
        #[arg(long)]
        check: bool,
    },
    /// Import OpenRouter's upstream OpenAPI 3.1 document (YAML or JSON, whole or in part) as our 3.0.3 spec:
    /// keep the paths this SDK covers (/workspaces*, /keys, /keys/{hash}, GET/PATCH /guardrails/{id}; saved as
    /// spec/upstream/openrouter-openapi.yaml), convert, apply
    /// spec/overlay.yaml, lint, write spec/openapi.yaml. Without FILE, the saved upstream part is imported again
    /// (after a change of the overlay).
    ImportSpec {
        /// The upstream document (default: the last one imported, spec/upstream/openrouter-openapi.yaml).
        input: Option<std::path::PathBuf>,
        /// Where to write the 3.0.3 spec (default: the project's spec/openapi.yaml). Writing elsewhere leaves
        /// the saved upstream part alone.
        #[arg(long)]
        out: Option<std::path::PathBuf>,
        /// Do not apply spec/overlay.yaml (shows what upstream alone says).
        #[arg(long)]
        no_overlay: bool,
    },
    /// Report what changed between two specs, field by field, each change marked breaking or compatible.
    /// Exit status: 0 nothing breaking, 1 something breaking, 2 an error.
    DiffSpec {
        /// The old spec (3.0, or 3.1 converted on the fly).
        old: std::path::PathBuf,
        /// The new spec.
        new: std::path::PathBuf,
        /// Print JSON instead of text.
        #[arg(long)]
        json: bool,
    },
    /// Benchmark the SDK against a raw-reqwest baseline (release build, loopback). Writes
    /// target/bench/results.json; exits non-zero when a target is missed (not with --quick).
    Bench {
        /// A short smoke run: one round, smaller workloads, no targets.
        #[arg(long)]
        quick: bool,
        /// Rounds of every workload (medians are reported).
        #[arg(long, default_value_t = 9)]
        rounds: usize,
    },
    /// Time a cold `cargo run --example tour` (fresh target directory, registry cache warm) beside the floor
    /// crate (reqwest + rustls on ring + tokio + serde_json + a hyper server), in one run; exits non-zero when
    /// the tour takes more than 1.5 times the floor or more than 45 s.
    ColdBuild {
        /// Rounds, alternating which side goes first (medians are reported).
        #[arg(long, default_value_t = 1)]
        rounds: usize,
        /// Also keep cargo's `--timings` report of each side (target/cold-build/{floor,tour}-target.timings/).
        #[arg(long)]
        timings: bool,
    },
    /// Serve the fake OpenRouter Workspaces API under /api/v1 until killed; prints its base URL first. A launcher
    /// for the library's `openrouter-workspaces-fake` binary (feature `fake`): every argument is passed on, e.g.
    /// `--addr 127.0.0.1:8080 --seed 25 --latency-ms 50 --api-key KEY`; `--help` lists them.
    #[command(disable_help_flag = true)]
    FakeServer {
        /// The arguments of the fake server.
        #[arg(trailing_var_arg = true, allow_hyphen_values = true)]
        args: Vec<String>,
    },
}

fn main() -> ExitCode {
    let cli = Cli::parse();
    let root = project_root();
    let result = match cli.command {
        Command::Regenerate { check } => xtask::regenerate(&root, check).map(|outcome| match (outcome, check) {
            (Outcome::Fresh, _) => format!("{} are up to date.", xtask::GENERATED_FILES.join(" and ")),
            (Outcome::Written, _) => format!("{} regenerated.", xtask::GENERATED_FILES.join(" and ")),
        }),
        Command::ImportSpec { input, out, no_overlay } => {
            let out = match out {
                None => root.join(xtask::SPEC_PATH),
                Some(out) if out.is_relative() => std::env::current_dir().unwrap_or_default().join(out),
                Some(out) => out,
            };
            xtask::import_spec(&root, input.as_deref(), &out, !no_overlay).map(|report| report.join("\n"))
        }
        Command::DiffSpec { old, new, json } => return diff_spec(&old, &new, json),
        Command::Bench { quick, rounds } => return bench(&root, quick, rounds),
        Command::FakeServer { args } => return fake_server(&root, &args),
        Command::ColdBuild { rounds, timings } => return cold_build(&root, rounds, timings),
        Command::PublicApi { check } => xtask::public_api::run(&root, check).map(|outcome| match outcome {
            Outcome::Fresh => format!("{} is up to date.", xtask::public_api::SNAPSHOT_PATH),
            Outcome::Written => format!("{} written.", xtask::public_api::SNAPSHOT_PATH),
        }),
        Command::ApiChange { target_dir } => {
            let target = target_dir.unwrap_or_else(|| {
                let project = std::env::var_os("CARGO_TARGET_DIR").map_or_else(|| root.join("target"), Into::into);
                project.join("api-change")
            });
            xtask::api_change::run(&root, &target).map(|report| report.join("\n"))
        }
        Command::Lint => {
            let tree = xtask::spec::read_tree(&root.join(xtask::SPEC_PATH));
            tree.and_then(|tree| {
                let problems = xtask::lint::lint(&tree);
                if problems.is_empty() {
                    Ok(format!("{}: no problems.", xtask::SPEC_PATH))
                } else {
                    Err(problems.iter().map(ToString::to_string).collect::<Vec<_>>().join("\n"))
                }
            })
        }
    };
    match result {
        Ok(message) => {
            println!("{message}");
            ExitCode::SUCCESS
        }
        Err(message) => {
            eprintln!("error: {message}");
            ExitCode::FAILURE
        }
    }
}

fn diff_spec(old: &std::path::Path, new: &std::path::Path, json: bool) -> ExitCode {
    let docs = xtask::read_for_diff(old).and_then(|o| xtask::read_for_diff(new).map(|n| (o, n)));
    let (old, new) = match docs {
        Ok(docs) => docs,
        Err(message) => {
            eprintln!("error: {message}");
            return ExitCode::from(2);
        }
    };
    let changes = xtask::diff::diff(&old, &new);
    print!("{}", if json { xtask::diff::render_json(&changes) + "\n" } else { xtask::diff::render_text(&changes) });
    if changes.iter().any(|c| c.breaking) { ExitCode::from(1) } else { ExitCode::SUCCESS }
}

fn bench(root: &std::path::Path, quick: bool, rounds: usize) -> ExitCode {
    use xtask::bench;
    let plan = if quick { bench::Plan::quick() } else { bench::Plan::full(rounds) };
    let bench::Outcome { workloads, all_met, pinned } = match bench::run(root, &plan) {
        Ok(outcome) => outcome,
        Err(message) => {
            eprintln!("error: {message}");
            return ExitCode::FAILURE;
        }
    };
    println!("{}", bench::render_table(&workloads));
    let results = bench::results_json(&plan, &workloads, pinned);
    let dir = root.join("target").join("bench");
    let written = std::fs::create_dir_all(&dir).and_then(|()| {
        let text = serde_json::to_string_pretty(&results).unwrap_or_default();
        std::fs::write(dir.join("results.json"), text + "\n")
    });
    match written {
        Ok(()) => println!("wrote target/bench/results.json ({} round(s))", plan.rounds),
        Err(e) => {
            eprintln!("error: cannot write target/bench/results.json: {e}");
            return ExitCode::FAILURE;
        }
    }
    if quick {
        println!("quick run: targets not checked");
        ExitCode::SUCCESS
    } else if all_met {
        println!("every target holds");
        ExitCode::SUCCESS
    } else {
        eprintln!("error: a target was missed (see the table)");
        ExitCode::FAILURE
    }
}

fn cold_build(root: &std::path::Path, rounds: usize, timings: bool) -> ExitCode {
    use xtask::cold_build;
    let project = std::env::var_os("CARGO_TARGET_DIR").map_or_else(|| root.join("target"), Into::into);
    match cold_build::run_rounds(root, &project.join("cold-build"), rounds, timings) {
        Ok(report) => {
            println!("{}", report.render());
            if report.targets_hold() { ExitCode::SUCCESS } else { ExitCode::FAILURE }
        }
        Err(message) => {
            eprintln!("error: {message}");
            ExitCode::FAILURE
        }
    }
}

/// Builds and runs the standalone fake (a binary of the library crate, so that this xtask never depends on the
/// library and builds even when the library does not compile).
fn fake_server(root: &std::path::Path, args: &[String]) -> ExitCode {
    let cargo = std::env::var_os("CARGO").unwrap_or_else(|| "cargo".into());
    let status = std::process::Command::new(cargo)
        .current_dir(root)
        .args(["run", "--quiet", "-p", "openrouter-workspaces", "--features", "fake", "--bin"])
        .arg(xtask::FAKE_SERVER_BIN)
        .arg("--")
        .args(args)
        .status();
    match status {
        Ok(status) if status.success() => ExitCode::SUCCESS,
        Ok(status) => ExitCode::from(u8::try_from(status.code().unwrap_or(1)).unwrap_or(1)),
        Err(e) => {
            eprintln!("error: cannot run cargo: {e}");
            ExitCode::FAILURE
        }
    }
}
