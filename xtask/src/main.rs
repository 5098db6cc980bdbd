//! `cargo xtask`: project tasks. Run `cargo xtask --help`.

use std::process::ExitCode;

use clap::{Parser, Subcommand};
use xtask::{GENERATED_PATH, freshness::Outcome, project_root};

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
    /// Import OpenRouter's upstream OpenAPI 3.1 document (YAML or JSON, whole or in part) as our 3.0.3 spec:
    /// keep the /workspaces paths, convert, apply spec/overlay.yaml, lint, write.
    ImportSpec {
        /// The upstream document.
        input: std::path::PathBuf,
        /// Where to write the 3.0.3 spec.
        #[arg(long, default_value = xtask::SPEC_PATH)]
        out: std::path::PathBuf,
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
    /// Serve the fake OpenRouter Workspaces API under /api/v1 until killed. Prints its base URL first.
    FakeServer {
        /// The address to listen on (loopback unless you say otherwise).
        #[arg(long, default_value = "127.0.0.1:8080")]
        addr: std::net::SocketAddr,
        /// Seed this many extra workspaces (`seeded-1`, `seeded-2`, ...).
        #[arg(long, default_value_t = 0)]
        seed: usize,
        /// Wait this many milliseconds before answering each request.
        #[arg(long, default_value_t = 0)]
        latency_ms: u64,
        /// The API key to accept (default: the fake's documented key).
        #[arg(long)]
        api_key: Option<String>,
    },
}

fn main() -> ExitCode {
    let cli = Cli::parse();
    let root = project_root();
    let result = match cli.command {
        Command::Regenerate { check } => xtask::regenerate(&root, check).map(|outcome| match (outcome, check) {
            (Outcome::Fresh, _) => format!("{GENERATED_PATH} is up to date."),
            (Outcome::Written, _) => format!("{GENERATED_PATH} regenerated."),
        }),
        Command::ImportSpec { input, out, no_overlay } => {
            let out = if out.is_relative() { std::env::current_dir().unwrap_or_default().join(out) } else { out };
            xtask::import_spec(&root, &input, &out, !no_overlay).map(|report| report.join("\n"))
        }
        Command::DiffSpec { old, new, json } => return diff_spec(&old, &new, json),
        Command::Bench { quick, rounds } => return bench(&root, quick, rounds),
        Command::FakeServer { addr, seed, latency_ms, api_key } => fake_server(addr, seed, latency_ms, api_key),
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

fn fake_server(
    addr: std::net::SocketAddr,
    seed: usize,
    latency_ms: u64,
    api_key: Option<String>,
) -> Result<String, String> {
    use openrouter_workspaces::fake::{FAKE_API_KEY, FakeServer};
    let runtime = tokio::runtime::Runtime::new().map_err(|e| format!("cannot start the runtime: {e}"))?;
    runtime.block_on(async {
        let key = api_key.unwrap_or_else(|| FAKE_API_KEY.to_owned());
        let server = FakeServer::builder()
            .addr(addr)
            .seed_workspaces(seed)
            .latency(std::time::Duration::from_millis(latency_ms))
            .api_keys([key.clone()])
            .start()
            .await
            .map_err(|e| format!("cannot listen on {addr}: {e}"))?;
        println!("{}", server.base_url());
        let which = if key == FAKE_API_KEY {
            format!("the fake key {FAKE_API_KEY}")
        } else {
            "the key given by --api-key".to_owned()
        };
        eprintln!("fake OpenRouter Workspaces API; accepts {which}; Ctrl-C to stop");
        tokio::signal::ctrl_c().await.map_err(|e| format!("cannot wait for Ctrl-C: {e}"))?;
        Ok("stopped".to_owned())
    })
}
