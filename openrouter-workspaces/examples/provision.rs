//! Provisioning many workspaces (one per customer, each with a monthly budget) under a rate limit, with a
//! progress bar.
//!
//! ```sh
//! cargo run --example provision            # 300 workspaces, 16 at a time
//! cargo run --example provision -- 1000 32 # N workspaces, C at a time
//! ```
//!
//! It runs against the embedded fake server, limited to 100 requests per second per key (bursts of 25), so the
//! job meets the limit: the client's calls share what the fake's `429`s say (wait, then pace), and the bar keeps
//! moving at the limit's rate. Never touches the real API.

use std::time::{Duration, Instant};

use futures_util::StreamExt;
use indicatif::{ProgressBar, ProgressStyle};
use openrouter_workspaces::fake::{FakeServer, RateLimit};
use openrouter_workspaces::{BudgetInterval, CreateWorkspace, NewWorkspace};

#[tokio::main]
async fn main() -> std::process::ExitCode {
    match provision().await {
        Ok(0) => std::process::ExitCode::SUCCESS,
        Ok(_) => std::process::ExitCode::from(1),
        Err(e) => {
            eprintln!("error: {e}");
            std::process::ExitCode::from(2)
        }
    }
}

/// Provisions the workspaces; returns how many failed.
async fn provision() -> Result<usize, Box<dyn std::error::Error>> {
    let mut args = std::env::args().skip(1);
    let n: usize = args.next().map(|a| a.parse()).transpose()?.unwrap_or(300);
    let concurrency: usize = args.next().map(|a| a.parse()).transpose()?.unwrap_or(16);

    let fake = FakeServer::builder().rate_limit(RateLimit::new(25, Duration::from_millis(250))).start().await?;
    let client = fake.client();

    let customers = (1..=n).map(|i| {
        let slug = format!("customer-{i:05}");
        NewWorkspace::new(CreateWorkspace::new(format!("Customer {i}"), slug)).budget(BudgetInterval::Monthly, 100.0)
    });
    let job = client.workspaces().create_many(customers).concurrency(concurrency);

    let bar = ProgressBar::new(job.total().map_or(0, |t| t as u64));
    bar.set_style(
        ProgressStyle::with_template("{elapsed_precise} [{bar:40}] {pos}/{len} {per_sec} {msg}")?.progress_chars("=> "),
    );
    let started = Instant::now();
    let (mut done, mut failed, mut recovered) = (0usize, 0usize, 0usize);
    let mut results = job.stream();
    while let Some(item) = results.next().await {
        bar.inc(1);
        match item.result {
            Ok(provisioned) => {
                done += 1;
                recovered += usize::from(provisioned.recovered);
            }
            Err(e) => {
                failed += 1;
                bar.println(format!("{}: {e}", item.key));
            }
        }
        bar.set_message(format!("{failed} failed"));
    }
    bar.finish();

    let requests = fake.requests().len();
    let limited = fake.rate_limited_count();
    let wall = started.elapsed().as_secs_f64();
    println!(
        "{done} provisioned ({recovered} recovered after a lost answer), {failed} failed, in {wall:.2} s; \
         {requests} requests, {limited} answered 429 ({:.1}%); the limit alone needs {:.2} s",
        100.0 * limited as f64 / requests.max(1) as f64,
        (2 * n) as f64 / 100.0,
    );
    Ok(failed)
}
