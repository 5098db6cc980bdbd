//! `cargo xtask bench`: the SDK side by side with a raw-reqwest baseline, on the same workloads, in one run.
//!
//! The measured code is the `bench/` crate, built in release: a canned loopback server (`serve`) and one process
//! per measurement (`run`), so that every figure starts from a fresh heap and pool and the peak RSS of a process is
//! the peak RSS of one workload. Rounds interleave the two implementations (baseline, SDK, then SDK, baseline in
//! the next round, ...); the figures reported are medians over the rounds. See BENCHMARKS.md for how to read them.

use std::io::{BufRead, BufReader};
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};
use std::time::Instant;

use serde_json::{Value, json};

/// How much to run.
#[derive(Clone, Debug, PartialEq)]
pub struct Plan {
    /// Rounds of every workload for both implementations.
    pub rounds: usize,
    /// W1: sequential gets.
    pub w1_calls: usize,
    /// W2: gets with `w2_in_flight` in flight.
    pub w2_calls: usize,
    /// W2: concurrency.
    pub w2_in_flight: usize,
    /// W3: items enumerated.
    pub w3_items: u64,
    /// W3 and W4: page size.
    pub page_size: u64,
    /// W4: the small and the large list.
    pub w4_items: (u64, u64),
    /// W6: workspaces provisioned (each with one budget: two requests).
    pub w6_items: usize,
    /// W6: workspaces in progress at once.
    pub w6_in_flight: usize,
    /// W6: the fake's rate limit, requests/s per key.
    pub w6_rate: u32,
    /// Whether the targets are checked (not in a quick run).
    pub check_targets: bool,
}

impl Plan {
    /// The full run of the issue: 2,000 / 10,000 at 64 / 10,000 at 100 / 1,000 and 100,000 items.
    pub fn full(rounds: usize) -> Plan {
        Plan {
            rounds: rounds.max(1),
            w1_calls: 2_000,
            w2_calls: 10_000,
            w2_in_flight: 64,
            w3_items: 10_000,
            page_size: 100,
            w4_items: (1_000, 100_000),
            w6_items: 500,
            w6_in_flight: 32,
            w6_rate: 200,
            check_targets: true,
        }
    }

    /// A smoke test (CI): every workload once, smaller, no targets.
    pub fn quick() -> Plan {
        Plan {
            rounds: 1,
            w1_calls: 300,
            w2_calls: 2_000,
            w2_in_flight: 64,
            w3_items: 2_000,
            page_size: 100,
            w4_items: (1_000, 10_000),
            w6_items: 40,
            w6_in_flight: 8,
            w6_rate: 80,
            check_targets: false,
        }
    }
}

/// One line of the report: a figure of the SDK, of the baseline when there is one, and their ratio.
#[derive(Clone, Debug, PartialEq)]
pub struct Figure {
    /// What is measured, with its unit.
    pub metric: String,
    /// The baseline's median.
    pub baseline: Option<f64>,
    /// The SDK's median.
    pub sdk: f64,
    /// The target, when this figure has one: a description and whether it holds.
    pub target: Option<(String, bool)>,
}

impl Figure {
    /// SDK / baseline.
    pub fn ratio(&self) -> Option<f64> {
        self.baseline.filter(|b| *b != 0.0).map(|b| self.sdk / b)
    }
}

/// One workload and its figures; the first figure is the headline.
#[derive(Clone, Debug, PartialEq)]
pub struct Workload {
    /// `W1` ... `W6`.
    pub id: &'static str,
    /// What it does.
    pub name: String,
    /// Its figures.
    pub figures: Vec<Figure>,
}

/// The median of some samples (the mean of the middle two for an even count); 0 for none.
pub fn median(samples: &[f64]) -> f64 {
    let mut sorted: Vec<f64> = samples.iter().copied().filter(|x| x.is_finite()).collect();
    sorted.sort_by(f64::total_cmp);
    match sorted.len() {
        0 => 0.0,
        n if n % 2 == 1 => sorted[n / 2],
        n => (sorted[n / 2 - 1] + sorted[n / 2]) / 2.0,
    }
}

/// Where the processes run. On a machine with two CPUs or more (and `taskset`), the server gets CPU 1 and every
/// measured process CPU 0, so that the two never fight over a core and the client's figures do not swing with
/// where the scheduler happened to put its threads (unpinned, one process's W1 p50 varied from 42 to 79 us here).
#[derive(Clone, Debug)]
struct Bin {
    path: PathBuf,
    pinned: bool,
}

impl Bin {
    fn new(path: PathBuf) -> Bin {
        let cpus = std::thread::available_parallelism().map_or(1, |n| n.get());
        let taskset = Command::new("taskset").args(["-c", "0", "true"]).output().is_ok_and(|o| o.status.success());
        Bin { path, pinned: cpus >= 2 && taskset }
    }

    /// The binary, on `cpu` when pinning.
    fn command(&self, cpu: u32) -> Command {
        if self.pinned {
            let mut command = Command::new("taskset");
            command.arg("-c").arg(cpu.to_string()).arg(&self.path);
            command
        } else {
            Command::new(&self.path)
        }
    }
}

/// How the processes were placed, for the report.
pub fn placement(pinned: bool) -> &'static str {
    if pinned {
        "pinned: server on CPU 1, measured process on CPU 0 (one tokio worker)"
    } else {
        "not pinned (fewer than 2 CPUs, or no taskset)"
    }
}

/// What a run produced: the workloads, whether every target held, and how the processes were placed.
pub struct Outcome {
    /// The workloads and their figures.
    pub workloads: Vec<Workload>,
    /// Whether every target held (always true in a quick run).
    pub all_met: bool,
    /// Whether the server and the measured processes were pinned to separate CPUs.
    pub pinned: bool,
}

/// Runs the benchmark: builds, serves, measures, reports.
pub fn run(root: &Path, plan: &Plan) -> Result<Outcome, String> {
    let bin = Bin::new(build(root, plan.check_targets)?);
    eprintln!("{}", placement(bin.pinned));
    let server = Server::start(&bin)?;
    let mut samples = Samples::default();
    for round in 1..=plan.rounds {
        eprintln!("round {round}/{}", plan.rounds);
        // Interleaved, and whichever goes first alternates, so that neither side always runs on a warmer machine.
        let order = if round % 2 == 1 { ["baseline", "sdk"] } else { ["sdk", "baseline"] };
        for imp in order {
            let w1 = measure(&bin, &server.url, imp, "w1", &[("n", plan.w1_calls.to_string())])?;
            samples.push(imp, "w1_p50_us", &w1, "p50_us")?;
            samples.push(imp, "w1_p99_us", &w1, "p99_us")?;
            samples.push(imp, "w1_calls_per_s", &w1, "calls_per_s")?;
        }
        // W2 also measures the generated client alone (`raw`: progenitor's method with the transport hook), a reference
        // for what the SDK's own path (checks, the generated request, its transport, the call loop) costs beyond it.
        let w2_order = if round % 2 == 1 { ["baseline", "raw", "sdk"] } else { ["sdk", "raw", "baseline"] };
        for imp in w2_order {
            let args = [("n", plan.w2_calls.to_string()), ("concurrency", plan.w2_in_flight.to_string())];
            let w2 = measure(&bin, &server.url, imp, "w2", &args)?;
            samples.push(imp, "w2_calls_per_s", &w2, "calls_per_s")?;
        }
        for imp in order {
            let args = [("total", plan.w3_items.to_string()), ("page-size", plan.page_size.to_string())];
            let w3 = measure(&bin, &server.url, imp, "w3", &args)?;
            expect_items(&w3, plan.w3_items, imp, "W3")?;
            samples.push(imp, "w3_wall_ms", &w3, "wall_ms")?;
            samples.push(imp, "w3_requests", &w3, "requests")?;
        }
        for (size, key) in [(plan.w4_items.0, "w4_rss_small_kib"), (plan.w4_items.1, "w4_rss_large_kib")] {
            for imp in order {
                let args = [("total", size.to_string()), ("page-size", plan.page_size.to_string())];
                let w4 = measure(&bin, &server.url, imp, "w4", &args)?;
                expect_items(&w4, size, imp, "W4")?;
                samples.push(imp, key, &w4, "peak_rss_kib")?;
            }
        }
    }
    drop(server);
    // W6 is paced by a rate limit, not by the CPU: at most 3 rounds of each run (about 5 s each at full size).
    for round in 1..=plan.rounds.min(3) {
        for run in &W6_RUNS {
            eprintln!("W6 round {round}: {}", run.label);
            let w6 = provision(&bin, plan, run)?;
            for field in ["wall_over_limit", "rate_limited_share", "failed", "requests", "rate_limited"] {
                samples.push("w6", &format!("{}_{field}", run.label), &w6, field)?;
            }
        }
    }
    let fake = fake_check(&bin, plan)?;
    let regenerate = time_regenerate(root, plan.rounds)?;
    let workloads = report(plan, &samples, &fake, &regenerate);
    let all_met = workloads.iter().flat_map(|w| &w.figures).all(|f| f.target.as_ref().is_none_or(|(_, met)| *met));
    Ok(Outcome { workloads, all_met, pinned: bin.pinned })
}

/// Medians of what the rounds measured, per implementation and figure.
#[derive(Default)]
struct Samples(std::collections::BTreeMap<(String, String), Vec<f64>>);

impl Samples {
    fn push(&mut self, imp: &str, key: &str, figures: &Value, field: &str) -> Result<(), String> {
        let value = figures[field].as_f64().ok_or_else(|| format!("the bench run gave no {field}: {figures}"))?;
        self.0.entry((imp.to_owned(), key.to_owned())).or_default().push(value);
        Ok(())
    }

    fn median(&self, imp: &str, key: &str) -> f64 {
        self.0.get(&(imp.to_owned(), key.to_owned())).map_or(0.0, |v| median(v))
    }
}

fn expect_items(figures: &Value, expected: u64, imp: &str, workload: &str) -> Result<(), String> {
    match figures["items"].as_u64() {
        Some(n) if n == expected => Ok(()),
        other => Err(format!("{workload} ({imp}) streamed {other:?} items, expected {expected}")),
    }
}

/// One W6 run: the fake's rate-limit shape, the client's mode, and how many independent clients share the limit.
struct W6Run {
    /// Names its samples.
    label: &'static str,
    /// `fixed-window`, `token-bucket`, `retry-after-seconds` or `bare` (the fake's `RateLimitShape`).
    shape: &'static str,
    /// `on` (the default client), `off` (no client-wide rate limiter), `off-no-budget` (nor a retry budget: the SDK
    /// before issue 13).
    mode: &'static str,
    clients: usize,
    /// Targets: the most wall time / limit, the most 429s / requests.
    targets: Option<(f64, f64)>,
}

/// W6's matrix: the default client against each shape (issue 16's targets), two independent clients sharing one
/// limit, and the default shape with the client's coordination off, for contrast.
const W6_RUNS: [W6Run; 7] = [
    W6Run { label: "fixed-window", shape: "fixed-window", mode: "on", clients: 1, targets: Some((1.15, 0.05)) },
    W6Run { label: "token-bucket", shape: "token-bucket", mode: "on", clients: 1, targets: Some((1.15, 0.05)) },
    W6Run {
        label: "retry-after-seconds",
        shape: "retry-after-seconds",
        mode: "on",
        clients: 1,
        targets: Some((1.3, 0.05)),
    },
    W6Run { label: "bare", shape: "bare", mode: "on", clients: 1, targets: Some((1.3, 0.10)) },
    W6Run { label: "two-clients", shape: "fixed-window", mode: "on", clients: 2, targets: Some((1.3, f64::INFINITY)) },
    W6Run { label: "off", shape: "fixed-window", mode: "off", clients: 1, targets: None },
    W6Run { label: "off-no-budget", shape: "fixed-window", mode: "off-no-budget", clients: 1, targets: None },
];

/// Builds the figures and checks the targets.
fn report(plan: &Plan, s: &Samples, fake: &Value, regenerate: &[f64]) -> Vec<Workload> {
    let target = |text: &str, met: bool| plan.check_targets.then(|| (text.to_owned(), met));
    let pair = |metric: &str, key: &str| Figure {
        metric: metric.to_owned(),
        baseline: Some(s.median("baseline", key)),
        sdk: s.median("sdk", key),
        target: None,
    };
    let with_target = |mut figure: Figure, text: &str, holds: fn(f64) -> bool| {
        let met = figure.ratio().is_some_and(holds);
        figure.target = target(text, met);
        figure
    };
    let expected_requests = plan.w3_items.div_ceil(plan.page_size).max(1) as f64;
    let mut w3_requests = pair("requests seen by the server", "w3_requests");
    w3_requests.target = target(&format!("exactly {expected_requests}"), w3_requests.sdk == expected_requests);
    let fake_requests = fake["requests"].as_f64().unwrap_or(-1.0);
    let fake_items = fake["items"].as_f64().unwrap_or(-1.0);
    let growth = |imp: &str| {
        let small = s.median(imp, "w4_rss_small_kib");
        if small > 0.0 { s.median(imp, "w4_rss_large_kib") / small } else { f64::INFINITY }
    };
    let sdk_growth = growth("sdk");
    let regenerate_s = median(regenerate);
    vec![
        Workload {
            id: "W1",
            name: format!("{} sequential get", plan.w1_calls),
            figures: vec![
                with_target(pair("p50 latency (us)", "w1_p50_us"), "ratio <= 1.05", |r| r <= 1.05),
                pair("p99 latency (us)", "w1_p99_us"),
                pair("calls/s", "w1_calls_per_s"),
            ],
        },
        Workload {
            id: "W2",
            name: format!("{} get, {} in flight", plan.w2_calls, plan.w2_in_flight),
            figures: vec![
                with_target(pair("calls/s", "w2_calls_per_s"), "ratio >= 0.95", |r| r >= 0.95),
                Figure {
                    metric: "calls/s, the generated client alone (`Client::raw`, no checks or retries)".to_owned(),
                    baseline: Some(s.median("baseline", "w2_calls_per_s")),
                    sdk: s.median("raw", "w2_calls_per_s"),
                    target: None,
                },
            ],
        },
        Workload {
            id: "W3",
            name: format!("enumerate {} at page size {}", plan.w3_items, plan.page_size),
            figures: vec![
                with_target(pair("wall time (ms)", "w3_wall_ms"), "ratio <= 1.15", |r| r <= 1.15),
                w3_requests,
                Figure {
                    metric: "fake server: list requests / distinct items".to_owned(),
                    baseline: None,
                    sdk: fake_requests,
                    target: target(
                        &format!("{expected_requests} / {}", plan.w3_items),
                        fake_requests == expected_requests && fake_items == plan.w3_items as f64,
                    ),
                },
            ],
        },
        Workload {
            id: "W4",
            name: format!("stream {} vs {} items (separate processes)", plan.w4_items.1, plan.w4_items.0),
            figures: vec![
                Figure {
                    metric: format!("peak RSS {} / peak RSS {}", plan.w4_items.1, plan.w4_items.0),
                    baseline: Some(growth("baseline")),
                    sdk: sdk_growth,
                    target: target("sdk <= 1.20", sdk_growth <= 1.20),
                },
                pair(&format!("peak RSS at {} items (KiB)", plan.w4_items.0), "w4_rss_small_kib"),
                pair(&format!("peak RSS at {} items (KiB)", plan.w4_items.1), "w4_rss_large_kib"),
            ],
        },
        Workload {
            id: "W5",
            name: "cargo xtask regenerate, warm".to_owned(),
            figures: vec![Figure {
                metric: "wall time (s)".to_owned(),
                baseline: None,
                sdk: regenerate_s,
                target: target("< 1 s", regenerate_s < 1.0),
            }],
        },
        w6(plan, s),
    ]
}

/// W6: provisioning under the fake's rate limit, one group of figures per run of [`W6_RUNS`]. Targets (issue 16):
/// no failed item, wall time within the run's bound of the limit, 429s within its share of the requests. The
/// baseline column of the default shape is the same SDK with its coordination off, for contrast.
fn w6(plan: &Plan, s: &Samples) -> Workload {
    let get = |label: &str, field: &str| s.median("w6", &format!("{label}_{field}"));
    let target = |text: String, met: bool| plan.check_targets.then_some((text, met));
    let mut figures = Vec::new();
    for run in W6_RUNS.iter().filter(|r| r.mode == "on") {
        let baseline = |field: &str| (run.label == "fixed-window").then(|| get("off", field));
        let who =
            if run.clients > 1 { format!("{}, {} clients", run.shape, run.clients) } else { run.shape.to_owned() };
        let (wall, share, failed) =
            (get(run.label, "wall_over_limit"), get(run.label, "rate_limited_share"), get(run.label, "failed"));
        let (max_wall, max_share) = run.targets.unwrap_or((f64::INFINITY, f64::INFINITY));
        figures.push(Figure {
            metric: format!("{who}: wall time / limit (2N requests / R)"),
            baseline: baseline("wall_over_limit"),
            sdk: wall,
            target: target(format!("sdk <= {max_wall}"), wall <= max_wall),
        });
        if max_share.is_finite() {
            figures.push(Figure {
                metric: format!("{who}: 429s / requests sent"),
                baseline: baseline("rate_limited_share"),
                sdk: share,
                target: target(format!("sdk <= {max_share}"), share <= max_share),
            });
        }
        figures.push(Figure {
            metric: format!("{who}: failed items"),
            baseline: baseline("failed"),
            sdk: failed,
            target: target("sdk = 0".to_owned(), failed == 0.0),
        });
    }
    for field in ["failed", "rate_limited_share", "requests"] {
        figures.push(Figure {
            metric: format!("fixed-window, no coordination, no retry budget: {}", field.replace('_', " ")),
            baseline: None,
            sdk: get("off-no-budget", field),
            target: None,
        });
    }
    Workload {
        id: "W6",
        name: format!(
            "provision {} workspaces + budget, {} in flight, fake limited to {}/s in bursts of {} (baseline: \
             coordination off)",
            plan.w6_items,
            plan.w6_in_flight,
            plan.w6_rate,
            (plan.w6_rate / 4).max(1)
        ),
        figures,
    }
}

/// The table printed at the end.
pub fn render_table(workloads: &[Workload]) -> String {
    let mut rows = vec![[
        "workload".to_owned(),
        "metric".to_owned(),
        "baseline".to_owned(),
        "sdk".to_owned(),
        "sdk/baseline".to_owned(),
        "target".to_owned(),
    ]];
    for w in workloads {
        for (i, f) in w.figures.iter().enumerate() {
            let name = if i == 0 { format!("{} {}", w.id, w.name) } else { String::new() };
            let target = match &f.target {
                Some((text, met)) => format!("{text}: {}", if *met { "ok" } else { "MISSED" }),
                None => String::new(),
            };
            rows.push([
                name,
                f.metric.clone(),
                f.baseline.map(number).unwrap_or_else(|| "-".to_owned()),
                number(f.sdk),
                f.ratio().map(|r| format!("{r:.3}")).unwrap_or_else(|| "-".to_owned()),
                target,
            ]);
        }
    }
    let widths: Vec<usize> = (0..6).map(|c| rows.iter().map(|r| r[c].chars().count()).max().unwrap_or(0)).collect();
    let mut out = String::new();
    for (i, row) in rows.iter().enumerate() {
        let cells: Vec<String> = row.iter().zip(&widths).map(|(cell, w)| format!("{cell:<w$}")).collect();
        out.push_str(&format!("| {} |\n", cells.join(" | ")));
        if i == 0 {
            let rule: Vec<String> = widths.iter().map(|w| "-".repeat(*w)).collect();
            out.push_str(&format!("|-{}-|\n", rule.join("-|-")));
        }
    }
    out
}

fn number(x: f64) -> String {
    if (x.fract() == 0.0 && x.abs() < 1e15) || x.abs() >= 100.0 { format!("{x:.0}") } else { format!("{x:.3}") }
}

/// `target/bench/results.json`: the machine, the plan, one object per workload.
pub fn results_json(plan: &Plan, workloads: &[Workload], pinned: bool) -> Value {
    let workloads: Vec<Value> = workloads
        .iter()
        .map(|w| {
            let figures: Vec<Value> = w
                .figures
                .iter()
                .map(|f| {
                    json!({
                        "metric": f.metric,
                        "sdk": f.sdk,
                        "baseline": f.baseline,
                        "ratio": f.ratio(),
                        "target": f.target.as_ref().map(|(t, _)| t),
                        "met": f.target.as_ref().map(|(_, met)| met),
                    })
                })
                .collect();
            let head = &figures[0];
            json!({
                "workload": w.id,
                "name": w.name,
                "metric": head["metric"],
                "sdk": head["sdk"],
                "baseline": head["baseline"],
                "ratio": head["ratio"],
                "target": head["target"],
                "met": head["met"],
                "figures": figures,
            })
        })
        .collect();
    json!({
        "command": if plan.check_targets { "cargo xtask bench" } else { "cargo xtask bench --quick" },
        "rounds": plan.rounds,
        "machine": machine(),
        "placement": placement(pinned),
        "workloads": workloads,
    })
}

/// What the figures were measured on.
pub fn machine() -> Value {
    let cpu = std::fs::read_to_string("/proc/cpuinfo").ok().and_then(|s| {
        s.lines().find_map(|l| l.strip_prefix("model name")).map(|l| l.trim_start_matches([' ', '\t', ':']).to_owned())
    });
    let kernel = std::fs::read_to_string("/proc/sys/kernel/osrelease").ok().map(|s| s.trim().to_owned());
    let rustc =
        Command::new("rustc").arg("-V").output().ok().map(|o| String::from_utf8_lossy(&o.stdout).trim().to_owned());
    json!({
        "cpus": std::thread::available_parallelism().map(|n| n.get()).unwrap_or(0),
        "cpu": cpu,
        "os": std::env::consts::OS,
        "kernel": kernel,
        "rustc": rustc,
    })
}

fn cargo() -> String {
    std::env::var("CARGO").unwrap_or_else(|_| "cargo".to_owned())
}

/// `cargo build -p openrouter-workspaces-bench`, in release when the run checks targets; returns the binary. A
/// smoke run (`--quick`, which checks none) takes the dev profile: it shows that every workload runs, and a release
/// build of the whole stack would be most of its time (about 3 minutes of CI on a 2-core machine).
fn build(root: &Path, release: bool) -> Result<PathBuf, String> {
    let (profile, dir) = if release { ("release", "release") } else { ("dev", "debug") };
    eprintln!("building the benchmark ({profile} profile)...");
    let status = Command::new(cargo())
        .current_dir(root)
        .args(["build", "--profile", profile, "--quiet", "-p", "openrouter-workspaces-bench"])
        .status()
        .map_err(|e| format!("cannot run cargo: {e}"))?;
    if !status.success() {
        return Err(format!("the {profile} build of the benchmark failed ({status})"));
    }
    let target = std::env::var_os("CARGO_TARGET_DIR").map_or_else(|| root.join("target"), PathBuf::from);
    Ok(target.join(dir).join(format!("openrouter-workspaces-bench{}", std::env::consts::EXE_SUFFIX)))
}

/// The canned server, stopped when dropped (it exits when its standard input closes; it is killed anyway).
struct Server {
    child: Child,
    url: String,
}

impl Server {
    fn start(bin: &Bin) -> Result<Server, String> {
        let mut child = bin
            .command(1)
            .arg("serve")
            .stdin(Stdio::piped())
            .stdout(Stdio::piped())
            .spawn()
            .map_err(|e| format!("cannot start the canned server {}: {e}", bin.path.display()))?;
        let mut line = String::new();
        let stdout = child.stdout.take().ok_or("the canned server has no stdout")?;
        BufReader::new(stdout).read_line(&mut line).map_err(|e| format!("cannot read the server's address: {e}"))?;
        let url = line.trim().to_owned();
        if !url.starts_with("http://") {
            let _ = child.kill();
            return Err(format!("the canned server did not print its URL (got {url:?})"));
        }
        Ok(Server { child, url })
    }
}

impl Drop for Server {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

/// One `run` process: one workload, one implementation; its JSON figures.
fn measure(bin: &Bin, server: &str, imp: &str, workload: &str, args: &[(&str, String)]) -> Result<Value, String> {
    let mut command = bin.command(0);
    command.args(["run", "--impl", imp, "--workload", workload, "--server", server]);
    for (name, value) in args {
        command.arg(format!("--{name}")).arg(value);
    }
    json_output(&mut command, &format!("{workload} ({imp})"))
}

fn json_output(command: &mut Command, what: &str) -> Result<Value, String> {
    let output = command.stderr(Stdio::inherit()).output().map_err(|e| format!("cannot run {what}: {e}"))?;
    if !output.status.success() {
        return Err(format!("{what} failed ({})", output.status));
    }
    serde_json::from_slice(&output.stdout)
        .map_err(|e| format!("{what} printed no JSON ({e}): {}", String::from_utf8_lossy(&output.stdout)))
}

/// W3's semantics on the stateful fake server.
fn fake_check(bin: &Bin, plan: &Plan) -> Result<Value, String> {
    let mut command = Command::new(&bin.path);
    command.args(["check-fake", "--total", &plan.w3_items.to_string(), "--page-size", &plan.page_size.to_string()]);
    json_output(&mut command, "the fake server check")
}

/// One W6 run (`provision`): its figures.
fn provision(bin: &Bin, plan: &Plan, run: &W6Run) -> Result<Value, String> {
    let mut command = Command::new(&bin.path);
    command.args([
        "provision",
        "--n",
        &plan.w6_items.to_string(),
        "--concurrency",
        &plan.w6_in_flight.to_string(),
        "--rate",
        &plan.w6_rate.to_string(),
        "--coordination",
        run.mode,
        "--shape",
        run.shape,
        "--clients",
        &run.clients.to_string(),
    ]);
    json_output(&mut command, &format!("W6 ({})", run.label))
}

/// W5: `cargo xtask regenerate` as a user runs it, after one warm-up run; wall seconds per run.
fn time_regenerate(root: &Path, rounds: usize) -> Result<Vec<f64>, String> {
    let once = || -> Result<f64, String> {
        let started = Instant::now();
        let output = Command::new(cargo())
            .current_dir(root)
            .args(["xtask", "regenerate"])
            .output()
            .map_err(|e| format!("cannot run cargo xtask regenerate: {e}"))?;
        if !output.status.success() {
            return Err(format!("cargo xtask regenerate failed: {}", String::from_utf8_lossy(&output.stderr)));
        }
        Ok(started.elapsed().as_secs_f64())
    };
    once()?;
    (0..rounds).map(|_| once()).collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn medians_of_odd_even_and_empty_samples() {
        assert_eq!(median(&[3.0, 1.0, 2.0]), 2.0);
        assert_eq!(median(&[4.0, 1.0, 3.0, 2.0]), 2.5);
        assert_eq!(median(&[]), 0.0);
        assert_eq!(median(&[f64::NAN, 5.0]), 5.0);
    }

    fn samples(pairs: &[(&str, &str, f64)]) -> Samples {
        let mut s = Samples::default();
        for (imp, key, v) in pairs {
            s.0.entry((imp.to_string(), key.to_string())).or_default().push(*v);
        }
        s
    }

    #[test]
    fn targets_are_judged_on_ratios_of_medians() {
        let plan = Plan::full(1);
        let s = samples(&[
            ("baseline", "w1_p50_us", 100.0),
            ("sdk", "w1_p50_us", 106.0), // 1.06: missed
            ("baseline", "w2_calls_per_s", 1000.0),
            ("sdk", "w2_calls_per_s", 950.0), // 0.95: ok
            ("baseline", "w3_wall_ms", 10.0),
            ("sdk", "w3_wall_ms", 11.0),
            ("baseline", "w3_requests", 100.0),
            ("sdk", "w3_requests", 101.0), // not exactly 100: missed
            ("sdk", "w4_rss_small_kib", 5000.0),
            ("sdk", "w4_rss_large_kib", 5500.0), // 1.1: ok
            ("w6", "fixed-window_wall_over_limit", 1.02),
            ("w6", "fixed-window_rate_limited_share", 0.06), // missed
            ("w6", "fixed-window_failed", 0.0),
            ("w6", "token-bucket_wall_over_limit", 1.10),
            ("w6", "token-bucket_rate_limited_share", 0.04),
            ("w6", "token-bucket_failed", 1.0), // missed
            ("w6", "retry-after-seconds_wall_over_limit", 1.25),
            ("w6", "retry-after-seconds_rate_limited_share", 0.03),
            ("w6", "retry-after-seconds_failed", 0.0),
            ("w6", "bare_wall_over_limit", 1.31), // missed
            ("w6", "bare_rate_limited_share", 0.09),
            ("w6", "bare_failed", 0.0),
            ("w6", "two-clients_wall_over_limit", 1.2),
            ("w6", "two-clients_failed", 0.0),
        ]);
        let fake = json!({"requests": 100, "items": 10000});
        let workloads = report(&plan, &s, &fake, &[0.4, 0.5, 2.0]);
        let verdicts: Vec<(&str, bool)> = workloads
            .iter()
            .flat_map(|w| w.figures.iter().filter_map(move |f| f.target.as_ref().map(|(_, met)| (w.id, *met))))
            .collect();
        assert_eq!(
            verdicts,
            [
                ("W1", false),
                ("W2", true),
                ("W3", true),
                ("W3", false),
                ("W3", true),
                ("W4", true),
                ("W5", true),
                ("W6", true),
                ("W6", false),
                ("W6", true),
                ("W6", true),
                ("W6", true),
                ("W6", false),
                ("W6", true),
                ("W6", true),
                ("W6", true),
                ("W6", false),
                ("W6", true),
                ("W6", true),
                ("W6", true),
                ("W6", true),
            ]
        );
        let table = render_table(&workloads);
        assert!(table.contains("ratio <= 1.05: MISSED"), "{table}");
        assert!(table.contains("| 1.060"), "{table}");
        assert!(table.contains("bare: 429s / requests sent"), "{table}");
        assert!(table.contains("fixed-window, 2 clients: wall time"), "{table}");
        let results = results_json(&plan, &workloads, true);
        assert_eq!(results["workloads"][0]["ratio"].as_f64(), Some(1.06));
        assert_eq!(results["workloads"][4]["baseline"], Value::Null);
        assert_eq!(results["workloads"][5]["workload"], "W6");
    }

    #[test]
    fn a_quick_plan_checks_no_target() {
        let workloads = report(&Plan::quick(), &Samples::default(), &json!({}), &[]);
        assert!(workloads.iter().flat_map(|w| &w.figures).all(|f| f.target.is_none()));
        assert_eq!(workloads.len(), 6);
    }
}
