//! `cargo xtask cold-build`: how long a newcomer waits for `cargo run --example tour` on a fresh target
//! directory, beside the floor that no HTTP client of this API can go under, measured in the same run.
//!
//! The floor is a bare crate (written under `target/cold-build/floor/`) with what every such client needs:
//! reqwest 0.13 (`json`, `query`, `rustls-no-provider`) with rustls on `ring`, tokio, serde_json, and a hyper
//! server; its `main` serves one JSON body on loopback and fetches it with reqwest. It starts from the
//! project's `Cargo.lock`, so both sides build the same versions. Each side is built and run with `cargo run`
//! in a target directory of its own, removed first (the registry cache stays warm: both sides are fetched
//! before the clock starts). Rounds alternate which side goes first; figures are medians.
//!
//! Targets (issue 17): the tour at most 1.5 times the floor, and at most 45 s. Both are wall times on a
//! machine that may be shared: the load average is printed beside them.

use std::path::{Path, PathBuf};
use std::process::Command;
use std::time::{Duration, Instant};

/// The tour may take at most this many times the floor.
pub const MAX_RATIO: f64 = 1.5;
/// The tour's cold build and run may take at most this long.
pub const MAX_TOUR: Duration = Duration::from_secs(45);

const FLOOR_MANIFEST: &str = r#"[package]
name = "cold-build-floor"
version = "0.0.0"
edition = "2024"
publish = false

# Not a member of the project's workspace.
[workspace]

[dependencies]
reqwest = { version = "0.13", default-features = false, features = ["json", "query", "rustls-no-provider"] }
rustls = { version = "0.23", default-features = false, features = ["std", "tls12", "ring"] }
rustls-platform-verifier = "0.7"
tokio = { version = "1", features = ["rt", "macros", "net", "time", "sync"] }
serde_json = "1"
hyper = { version = "1", features = ["server", "http1"] }
hyper-util = { version = "0.1", features = ["server", "http1", "tokio"] }
http-body-util = "0.1"
bytes = "1"
"#;

const FLOOR_MAIN: &str = r#"//! The floor of `cargo xtask cold-build`: serve one JSON body on loopback, fetch it with reqwest over a
//! rustls (ring) client, decode it.
use std::sync::Arc;

use bytes::Bytes;
use http_body_util::Full;
use hyper::service::service_fn;

#[tokio::main(flavor = "current_thread")]
async fn main() -> Result<(), Box<dyn std::error::Error>> {
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await?;
    let addr = listener.local_addr()?;
    tokio::spawn(async move {
        while let Ok((tcp, _)) = listener.accept().await {
            tokio::spawn(async move {
                let service = service_fn(|_req| async {
                    let body = serde_json::json!({"data": [{"id": "w1", "name": "Floor"}]}).to_string();
                    Ok::<_, std::convert::Infallible>(hyper::Response::new(Full::new(Bytes::from(body))))
                });
                let io = hyper_util::rt::TokioIo::new(tcp);
                let _ = hyper::server::conn::http1::Builder::new().serve_connection(io, service).await;
            });
        }
    });
    let provider = Arc::new(rustls::crypto::ring::default_provider());
    let verifier = rustls_platform_verifier::Verifier::new(provider.clone())?;
    let tls = rustls::ClientConfig::builder_with_provider(provider)
        .with_safe_default_protocol_versions()?
        .dangerous()
        .with_custom_certificate_verifier(Arc::new(verifier))
        .with_no_client_auth();
    let client = reqwest::Client::builder().tls_backend_preconfigured(tls).build()?;
    let page: serde_json::Value =
        client.get(format!("http://{addr}/workspaces")).query(&[("limit", 1)]).send().await?.json().await?;
    println!("floor: {}", page["data"][0]["name"]);
    Ok(())
}
"#;

/// One side of the comparison.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Side {
    /// The bare crate.
    Floor,
    /// `cargo run --example tour` of the project.
    Tour,
}

impl Side {
    fn name(self) -> &'static str {
        match self {
            Side::Floor => "floor (reqwest + rustls/ring + tokio + serde_json + hyper server)",
            Side::Tour => "cargo run --example tour",
        }
    }
}

/// The figures of a run.
#[derive(Debug)]
pub struct Report {
    /// Each round's seconds, floor then tour.
    pub rounds: Vec<(f64, f64)>,
    /// The load average (1, 5, 15 minutes) before and after, as `/proc/loadavg` says (empty elsewhere).
    pub load_before: String,
    /// See `load_before`.
    pub load_after: String,
}

fn median(mut values: Vec<f64>) -> f64 {
    values.sort_by(f64::total_cmp);
    match values.len() {
        0 => f64::NAN,
        n if n % 2 == 1 => values[n / 2],
        n => (values[n / 2 - 1] + values[n / 2]) / 2.0,
    }
}

impl Report {
    /// The median seconds of the floor and of the tour.
    pub fn medians(&self) -> (f64, f64) {
        (median(self.rounds.iter().map(|r| r.0).collect()), median(self.rounds.iter().map(|r| r.1).collect()))
    }

    /// Whether both targets hold.
    pub fn targets_hold(&self) -> bool {
        let (floor, tour) = self.medians();
        tour <= floor * MAX_RATIO && tour <= MAX_TOUR.as_secs_f64()
    }

    /// The table printed at the end.
    pub fn render(&self) -> String {
        let (floor, tour) = self.medians();
        let ratio = tour / floor;
        let mut out = String::new();
        for (i, (f, t)) in self.rounds.iter().enumerate() {
            out += &format!("round {}: floor {f:.1} s, tour {t:.1} s, ratio {:.2}\n", i + 1, t / f);
        }
        out += &format!("{:<70} {:>7.1} s\n", Side::Floor.name(), floor);
        out += &format!("{:<70} {:>7.1} s\n", Side::Tour.name(), tour);
        let mark = |ok: bool| if ok { "ok" } else { "MISSED" };
        out += &format!(
            "tour / floor: {ratio:.2} (target <= {MAX_RATIO}: {}); tour {tour:.1} s (target <= {} s: {})\n",
            mark(ratio <= MAX_RATIO),
            MAX_TOUR.as_secs(),
            mark(tour <= MAX_TOUR.as_secs_f64()),
        );
        out += &format!("load average before: {}; after: {}", self.load_before, self.load_after);
        out
    }
}

fn load_average() -> String {
    std::fs::read_to_string("/proc/loadavg")
        .map(|l| l.split_whitespace().take(3).collect::<Vec<_>>().join(" "))
        .unwrap_or_else(|_| "unknown".to_owned())
}

fn cargo() -> Command {
    Command::new(std::env::var_os("CARGO").unwrap_or_else(|| "cargo".into()))
}

fn run(mut command: Command, what: &str) -> Result<(), String> {
    let out = command.output().map_err(|e| format!("cannot run cargo for {what}: {e}"))?;
    if out.status.success() {
        Ok(())
    } else {
        Err(format!("{what} failed ({}):\n{}", out.status, String::from_utf8_lossy(&out.stderr)))
    }
}

/// Writes the floor crate into `dir`, with the project's `Cargo.lock` as its starting point.
pub fn write_floor(root: &Path, dir: &Path) -> Result<(), String> {
    let write = |path: PathBuf, text: &str| {
        std::fs::write(&path, text).map_err(|e| format!("cannot write {}: {e}", path.display()))
    };
    std::fs::create_dir_all(dir.join("src")).map_err(|e| format!("cannot create {}: {e}", dir.display()))?;
    write(dir.join("Cargo.toml"), FLOOR_MANIFEST)?;
    write(dir.join("src/main.rs"), FLOOR_MAIN)?;
    let lock = std::fs::read_to_string(root.join("Cargo.lock")).map_err(|e| format!("cannot read Cargo.lock: {e}"))?;
    write(dir.join("Cargo.lock"), &lock)
}

/// Builds and runs one side in a fresh `target`, removed afterwards; returns the wall time. With `timings`,
/// cargo's `--timings` report (where each crate's build time went) is kept in `<target>.timings/`.
fn measure(side: Side, root: &Path, floor_dir: &Path, target: &Path, timings: bool) -> Result<Duration, String> {
    if target.exists() {
        std::fs::remove_dir_all(target).map_err(|e| format!("cannot remove {}: {e}", target.display()))?;
    }
    let mut command = cargo();
    command.env("CARGO_TARGET_DIR", target).env_remove("OPENROUTER_BASE_URL");
    match side {
        Side::Floor => command.current_dir(floor_dir).args(["run", "--quiet"]),
        Side::Tour => {
            command.current_dir(root).args(["run", "--quiet", "-p", "openrouter-workspaces", "--example", "tour"])
        }
    };
    if timings {
        command.arg("--timings");
    }
    let start = Instant::now();
    let outcome = run(command, side.name());
    let elapsed = start.elapsed();
    // A cold target is several hundred MB: keep only cargo's timings report (beside it), on a machine whose disk
    // other builds share.
    if timings {
        let report = target.join("cargo-timings");
        let kept = target.with_extension("timings");
        let _ = std::fs::remove_dir_all(&kept);
        let _ = std::fs::rename(&report, &kept);
    }
    let _ = std::fs::remove_dir_all(target);
    outcome.map(|()| elapsed)
}

/// Runs `rounds` rounds (at least one) under `work` (the floor crate and both target directories), each side
/// alternately first; `timings` passes `--timings` to cargo.
pub fn run_rounds(root: &Path, work: &Path, rounds: usize, timings: bool) -> Result<Report, String> {
    let floor_dir = work.join("floor");
    write_floor(root, &floor_dir)?;
    // The registry cache warm for both sides: whatever is missing is downloaded now, not on the clock.
    let mut fetch = cargo();
    fetch.current_dir(&floor_dir).arg("fetch");
    run(fetch, "cargo fetch (floor)")?;
    let mut fetch = cargo();
    fetch.current_dir(root).arg("fetch");
    run(fetch, "cargo fetch (project)")?;

    let load_before = load_average();
    let mut figures = Vec::new();
    for round in 0..rounds.max(1) {
        let order = if round % 2 == 0 { [Side::Floor, Side::Tour] } else { [Side::Tour, Side::Floor] };
        let (mut floor, mut tour) = (0.0, 0.0);
        for side in order {
            let target = work.join(match side {
                Side::Floor => "floor-target",
                Side::Tour => "tour-target",
            });
            let seconds = measure(side, root, &floor_dir, &target, timings)?.as_secs_f64();
            eprintln!("round {}: {} {seconds:.1} s (load {})", round + 1, side.name(), load_average());
            match side {
                Side::Floor => floor = seconds,
                Side::Tour => tour = seconds,
            }
        }
        figures.push((floor, tour));
    }
    Ok(Report { rounds: figures, load_before, load_after: load_average() })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_floor_crate_is_written_with_the_projects_lock_and_the_ring_provider() {
        let root = crate::project_root();
        let dir = std::env::temp_dir().join(format!("cold-build-floor-{}", std::process::id()));
        write_floor(&root, &dir).unwrap();
        let manifest = std::fs::read_to_string(dir.join("Cargo.toml")).unwrap();
        assert!(manifest.contains("rustls-no-provider") && manifest.contains("\"ring\""), "{manifest}");
        assert!(!manifest.contains("aws-lc"), "{manifest}");
        let lock = std::fs::read_to_string(dir.join("Cargo.lock")).unwrap();
        assert_eq!(lock, std::fs::read_to_string(root.join("Cargo.lock")).unwrap());
        std::fs::remove_dir_all(&dir).unwrap();
    }

    #[test]
    fn targets_are_judged_on_medians() {
        let report = |rounds: Vec<(f64, f64)>| Report { rounds, load_before: String::new(), load_after: String::new() };
        assert!(report(vec![(30.0, 40.0)]).targets_hold());
        assert!(!report(vec![(20.0, 40.0)]).targets_hold(), "ratio 2");
        assert!(!report(vec![(40.0, 50.0)]).targets_hold(), "over 45 s");
        let three = report(vec![(30.0, 44.0), (10.0, 100.0), (31.0, 40.0)]);
        assert_eq!(three.medians(), (30.0, 44.0));
        assert!(three.targets_hold());
        assert!(three.render().contains("tour / floor: 1.47"), "{}", three.render());
    }
}
