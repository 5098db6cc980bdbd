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
}

fn main() -> ExitCode {
    let cli = Cli::parse();
    let root = project_root();
    let result = match cli.command {
        Command::Regenerate { check } => xtask::regenerate(&root, check).map(|outcome| match (outcome, check) {
            (Outcome::Fresh, _) => format!("{GENERATED_PATH} is up to date."),
            (Outcome::Written, _) => format!("{GENERATED_PATH} regenerated."),
        }),
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
