//! The measured side of `cargo xtask bench` (which builds this in release and drives it; run that instead).
//!
//! ```text
//! openrouter-workspaces-bench serve [--addr 127.0.0.1:0]
//! openrouter-workspaces-bench run --impl sdk|raw|baseline --workload w1|w2|w3|w4 --server URL [--n N] [--total N]
//!                                 [--page-size N] [--concurrency N]
//! openrouter-workspaces-bench check-fake [--total N] [--page-size N]
//! openrouter-workspaces-bench provision [--n N] [--concurrency C] [--rate R] [--coordination on|off|off-no-budget]
//!                                       [--shape fixed-window|token-bucket|retry-after-seconds|bare] [--clients K]
//! ```
//! `run` prints one JSON object: the figures of one workload for one implementation, measured in this process
//! (so each run starts from a cold heap and a cold connection pool, and warms up before it measures).

mod baseline;
mod server;

use std::collections::{BTreeMap, HashSet};
use std::sync::Arc;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::time::{Duration, Instant};

use futures_util::TryStreamExt;
use serde_json::{Value, json};

use baseline::Baseline;

type BoxError = Box<dyn std::error::Error + Send + Sync>;

const KEY: &str = "sk-or-v1-bench";
const WARMUP_CALLS: usize = 200;

fn main() -> std::process::ExitCode {
    let args: Vec<String> = std::env::args().skip(1).collect();
    let runtime = match tokio::runtime::Builder::new_multi_thread().enable_all().build() {
        Ok(runtime) => runtime,
        Err(e) => return fail(&format!("cannot start tokio: {e}")),
    };
    match runtime.block_on(dispatch(&args)) {
        Ok(()) => std::process::ExitCode::SUCCESS,
        Err(e) => fail(&e.to_string()),
    }
}

fn fail(message: &str) -> std::process::ExitCode {
    eprintln!("openrouter-workspaces-bench: {message}");
    std::process::ExitCode::FAILURE
}

async fn dispatch(args: &[String]) -> Result<(), BoxError> {
    let (command, options) = args.split_first().ok_or("missing command: serve, run or check-fake")?;
    let options = Options::parse(options)?;
    match command.as_str() {
        "serve" => Ok(server::serve(options.get("addr", "127.0.0.1:0".parse()?)?).await?),
        "run" => {
            let figures = run(&options).await?;
            println!("{figures}");
            Ok(())
        }
        "check-fake" => {
            println!("{}", check_fake(options.get("total", 10_000)?, options.get("page-size", 100)?).await?);
            Ok(())
        }
        "provision" => {
            let job = Job {
                n: options.get("n", 500)?,
                concurrency: options.get("concurrency", 32)?,
                rate: options.get("rate", 200)?,
                mode: options.get("coordination", "on".to_owned())?,
                shape: options.get("shape", openrouter_workspaces::fake::RateLimitShape::default())?,
                clients: options.get("clients", 1)?,
            };
            let figures = provision(&job).await?;
            println!("{figures}");
            Ok(())
        }
        other => Err(format!("unknown command {other:?}: expected serve, run, check-fake or provision").into()),
    }
}

/// `--name value` pairs. Hand-parsed rather than with clap: the only caller is `cargo xtask bench`, and the
/// release build it waits for stays smaller.
struct Options(BTreeMap<String, String>);

impl Options {
    fn parse(args: &[String]) -> Result<Self, BoxError> {
        let mut map = BTreeMap::new();
        let mut it = args.iter();
        while let Some(name) = it.next() {
            let name = name.strip_prefix("--").ok_or_else(|| format!("expected --option, got {name:?}"))?;
            let value = it.next().ok_or_else(|| format!("--{name} needs a value"))?;
            map.insert(name.to_owned(), value.clone());
        }
        Ok(Options(map))
    }

    fn get<T: std::str::FromStr>(&self, name: &str, default: T) -> Result<T, BoxError>
    where
        T::Err: std::fmt::Display,
    {
        match self.0.get(name) {
            None => Ok(default),
            Some(v) => v.parse().map_err(|e| format!("--{name} {v:?}: {e}").into()),
        }
    }

    fn required(&self, name: &str) -> Result<&str, BoxError> {
        self.0.get(name).map(String::as_str).ok_or_else(|| format!("--{name} is required").into())
    }
}

/// The implementations under test, behind one interface so that every workload is written once.
#[derive(Clone)]
enum Impl {
    Sdk(openrouter_workspaces::Client),
    /// The SDK's generated client alone (`Client::raw`: progenitor's method with this crate's transport hook), no
    /// checks, retries or error mapping: where the SDK's cost over the baseline lies, below its own layer or in it.
    Raw(openrouter_workspaces::Client),
    Baseline(Baseline),
}

impl Impl {
    fn new(name: &str, base_url: &str) -> Result<Self, BoxError> {
        Ok(match name {
            "sdk" => Impl::Sdk(openrouter_workspaces::Client::builder().api_key(KEY).base_url(base_url).build()?),
            "raw" => Impl::Raw(openrouter_workspaces::Client::builder().api_key(KEY).base_url(base_url).build()?),
            "baseline" => Impl::Baseline(Baseline::new(base_url, KEY).map_err(|e| e.to_string())?),
            other => return Err(format!("--impl {other:?}: expected sdk, raw or baseline").into()),
        })
    }

    /// One `get`; returns the id read back (so the decode cannot be optimized away).
    async fn get(&self, id: &str) -> Result<usize, BoxError> {
        Ok(match self {
            Impl::Sdk(client) => client.workspaces().get(id).await?.id.len(),
            Impl::Raw(client) => {
                let response = client.raw().get_workspace(id).await.map_err(|e| e.to_string())?;
                response.into_inner().data.id.len()
            }
            Impl::Baseline(client) => client.get(id).await?.id.len(),
        })
    }

    /// Streams the whole list, one item at a time, at `page_size` per request; returns the item count.
    async fn enumerate(&self, page_size: u32) -> Result<u64, BoxError> {
        let mut count = 0u64;
        match self {
            // The list is the SDK's stream either way (`raw` is measured on `get` only).
            Impl::Sdk(client) | Impl::Raw(client) => {
                let mut items = client.workspaces().list().page_size(page_size).items();
                while let Some(workspace) = items.try_next().await? {
                    count += std::hint::black_box(&workspace).id.len().min(1) as u64;
                }
            }
            Impl::Baseline(client) => {
                let mut offset = 0u64;
                loop {
                    let page = client.page(offset, page_size).await?;
                    let seen = page.data.len() as u64;
                    for workspace in page.data {
                        count += std::hint::black_box(&workspace).id.len().min(1) as u64;
                    }
                    offset += seen;
                    if seen == 0 || offset >= page.total_count {
                        break;
                    }
                }
            }
        }
        Ok(count)
    }
}

async fn run(options: &Options) -> Result<Value, BoxError> {
    let server = options.required("server")?.trim_end_matches('/').to_owned();
    let total: u64 = options.get("total", 10_000)?;
    let base_url = format!("{server}/t/{total}/api/v1");
    let imp = Impl::new(options.required("impl")?, &base_url)?;
    let id = "550e8400-e29b-41d4-a716-446655440000";
    match options.required("workload")? {
        "w1" => {
            let n: usize = options.get("n", 2_000)?;
            for _ in 0..WARMUP_CALLS {
                imp.get(id).await?;
            }
            let mut latencies = Vec::with_capacity(n);
            let started = Instant::now();
            for _ in 0..n {
                let call = Instant::now();
                std::hint::black_box(imp.get(id).await?);
                latencies.push(call.elapsed());
            }
            let wall = started.elapsed();
            latencies.sort_unstable();
            Ok(json!({
                "p50_us": micros(percentile(&latencies, 0.50)),
                "p99_us": micros(percentile(&latencies, 0.99)),
                "calls_per_s": n as f64 / wall.as_secs_f64(),
            }))
        }
        "w2" => {
            let n: usize = options.get("n", 10_000)?;
            let concurrency: usize = options.get("concurrency", 64)?;
            concurrent_gets(&imp, id, WARMUP_CALLS.max(concurrency * 4), concurrency).await?;
            let started = Instant::now();
            concurrent_gets(&imp, id, n, concurrency).await?;
            Ok(json!({ "calls_per_s": n as f64 / started.elapsed().as_secs_f64() }))
        }
        "w3" => {
            let page_size: u32 = options.get("page-size", 100)?;
            // Warm up the connection with a single get (not a list request), then count what the list costs.
            imp.get(id).await?;
            let before = requests_seen(&server).await?;
            let started = Instant::now();
            let items = imp.enumerate(page_size).await?;
            let wall = started.elapsed();
            let requests = requests_seen(&server).await? - before;
            Ok(json!({ "wall_ms": wall.as_secs_f64() * 1e3, "requests": requests, "items": items }))
        }
        "w4" => {
            let page_size: u32 = options.get("page-size", 100)?;
            let items = imp.enumerate(page_size).await?;
            Ok(json!({ "items": items, "peak_rss_kib": peak_rss_kib()? }))
        }
        other => Err(format!("--workload {other:?}: expected w1, w2, w3 or w4").into()),
    }
}

/// `n` gets, `concurrency` in flight at any time, spread over the runtime's worker threads.
async fn concurrent_gets(imp: &Impl, id: &str, n: usize, concurrency: usize) -> Result<(), BoxError> {
    let next = Arc::new(AtomicUsize::new(0));
    let mut tasks = Vec::with_capacity(concurrency);
    for _ in 0..concurrency {
        let (imp, next, id) = (imp.clone(), next.clone(), id.to_owned());
        tasks.push(tokio::spawn(async move {
            while next.fetch_add(1, Ordering::Relaxed) < n {
                std::hint::black_box(imp.get(&id).await?);
            }
            Ok::<(), BoxError>(())
        }));
    }
    for task in tasks {
        task.await??;
    }
    Ok(())
}

fn percentile(sorted: &[Duration], q: f64) -> Duration {
    if sorted.is_empty() {
        return Duration::ZERO;
    }
    let rank = ((sorted.len() as f64 * q).ceil() as usize).clamp(1, sorted.len());
    sorted[rank - 1]
}

fn micros(d: Duration) -> f64 {
    d.as_secs_f64() * 1e6
}

/// The API requests the canned server has answered so far.
async fn requests_seen(server: &str) -> Result<u64, BoxError> {
    let stats: Value = reqwest::get(format!("{server}/stats")).await?.json().await?;
    stats["requests"].as_u64().ok_or_else(|| "the server's /stats has no request count".into())
}

/// This process's peak resident set size (`VmHWM`), in KiB.
fn peak_rss_kib() -> Result<u64, BoxError> {
    let status = std::fs::read_to_string("/proc/self/status")
        .map_err(|e| format!("cannot read /proc/self/status for the peak RSS (Linux only): {e}"))?;
    status
        .lines()
        .find_map(|line| line.strip_prefix("VmHWM:"))
        .and_then(|v| v.trim().trim_end_matches("kB").trim().parse().ok())
        .ok_or_else(|| "no VmHWM line in /proc/self/status".into())
}

/// W3's semantics, on the stateful fake: `total` workspaces enumerated through the SDK's item stream cost exactly
/// `ceil(total / page_size)` list requests and yield every workspace once.
async fn check_fake(total: usize, page_size: u32) -> Result<Value, BoxError> {
    use openrouter_workspaces::fake::FakeServer;
    // The fake starts with its default workspace.
    let fake = FakeServer::builder().seed_workspaces(total.saturating_sub(1)).start().await?;
    let client = fake.client();
    let ids: HashSet<String> =
        client.workspaces().list().page_size(page_size).items().map_ok(|w| w.id).try_collect().await?;
    Ok(json!({
        "items": ids.len(),
        "requests": fake.request_count(openrouter_workspaces::operation::OperationId::ListWorkspaces),
        "expected_requests": total.div_ceil(page_size as usize).max(1),
    }))
}

/// One W6 run.
struct Job {
    /// Workspaces provisioned, each with a monthly budget (`2n` requests at least).
    n: usize,
    /// Items in progress at once, per client.
    concurrency: usize,
    /// The fake's limit, requests/s per key (a limit holding a quarter of a second's requests: `rate / 4` per
    /// 250 ms).
    rate: u32,
    /// `on` (the default client), `off` (no client-wide rate limiter: each call backs off alone),
    /// `off-no-budget` (that, and no retry budget either: the SDK before issue 13).
    mode: String,
    /// How the fake enforces its limit and what its 429s say.
    shape: openrouter_workspaces::fake::RateLimitShape,
    /// Independent clients (not clones) sharing the key's limit, each provisioning its share of the `n` items.
    clients: usize,
}

/// W6: provisions `n` workspaces with the SDK's `create_many`, against the stateful fake limited to `rate`
/// requests/s per key in the given shape; with `clients` independent clients, each takes its share of the items,
/// all at once.
async fn provision(job: &Job) -> Result<Value, BoxError> {
    use futures_util::StreamExt;
    use openrouter_workspaces::fake::{FakeServer, RateLimit};
    use openrouter_workspaces::{BudgetInterval, CreateWorkspace, NewWorkspace, RetryPolicy};

    let (n, rate) = (job.n, job.rate);
    let burst = (rate / 4).max(1);
    let fake = FakeServer::builder()
        .rate_limit(RateLimit::new(burst, Duration::from_millis(250)))
        .rate_limit_shape(job.shape)
        .start()
        .await?;
    let clients = job.clients.max(1);
    let mut jobs = Vec::new();
    for c in 0..clients {
        let mut builder = fake.client_builder();
        match job.mode.as_str() {
            "on" => {}
            "off" => builder = builder.rate_limit_coordination(false),
            "off-no-budget" => {
                builder = builder.rate_limit_coordination(false).retry_policy(RetryPolicy::default().no_retry_budget());
            }
            other => return Err(format!("--coordination {other:?}: expected on, off or off-no-budget").into()),
        }
        let client = builder.build()?;
        let items: Vec<NewWorkspace> = (0..n)
            .filter(|i| i % clients == c)
            .map(|i| {
                NewWorkspace::new(CreateWorkspace::new(format!("Customer {i}"), format!("customer-{i}")))
                    .budget(BudgetInterval::Monthly, 100.0)
            })
            .collect();
        jobs.push((client, items));
    }
    let started = Instant::now();
    let runs = jobs.into_iter().map(|(client, items)| async move {
        let mut results = client.workspaces().create_many(items).concurrency(job.concurrency).stream();
        let (mut done, mut failed) = (0usize, 0usize);
        while let Some(item) = results.next().await {
            match item.result {
                Ok(_) => done += 1,
                Err(_) => failed += 1,
            }
        }
        (done, failed)
    });
    let outcomes = futures_util::future::join_all(runs).await;
    let (done, failed) = outcomes.iter().fold((0, 0), |(d, f), (d2, f2)| (d + d2, f + f2));
    let wall = started.elapsed().as_secs_f64();
    let requests = fake.requests().len();
    let limit = (2 * n) as f64 / f64::from(rate);
    Ok(json!({
        "items": done + failed,
        "failed": failed,
        "wall_s": wall,
        "limit_s": limit,
        "wall_over_limit": wall / limit,
        "requests": requests,
        "rate_limited": fake.rate_limited_count(),
        "rate_limited_share": fake.rate_limited_count() as f64 / requests.max(1) as f64,
        "burst": burst,
        "shape": job.shape.name(),
        "clients": clients,
    }))
}
