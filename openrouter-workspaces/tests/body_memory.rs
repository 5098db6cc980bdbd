//! The memory one response may take: an endless body on an error status, or on a success status, must not
//! grow the process. Measured as the peak resident set (`VmHWM` in `/proc/self/status`, Linux only) of this test
//! binary, which holds this one test so that nothing else runs in its process.

#![cfg(target_os = "linux")]

mod support;

use std::time::{Duration, Instant};

use openrouter_workspaces::{Client, Error, RetryPolicy};
use support::{HostileServer, Reply};

/// The process's peak resident set so far, in KiB.
fn peak_rss_kib() -> u64 {
    let status = std::fs::read_to_string("/proc/self/status").expect("/proc/self/status is readable on Linux");
    status
        .lines()
        .find_map(|line| line.strip_prefix("VmHWM:"))
        .and_then(|rest| rest.trim().trim_end_matches("kB").trim().parse().ok())
        .expect("VmHWM in /proc/self/status")
}

#[test]
fn an_endless_body_does_not_grow_the_process() {
    let runtime = tokio::runtime::Builder::new_multi_thread().worker_threads(2).enable_all().build().unwrap();
    runtime.block_on(async {
        let error_page = HostileServer::always(Reply::endless(500, "text/html")).await;
        let endless_json = HostileServer::always(Reply::endless(200, "application/json")).await;
        let small = HostileServer::always(Reply::json(200, &support::page(&["w1"], 1))).await;
        let build = |server: &HostileServer| {
            Client::builder()
                .api_key("sk-or-v1-test")
                .base_url(server.base_url())
                .ignore_env()
                .retry_policy(RetryPolicy::none())
                .total_timeout(Duration::from_secs(3))
        };

        // Baseline: the runtime, the servers, a client and one ordinary call.
        let client = build(&small).build().unwrap();
        client.workspaces().list_page(0, 1).await.unwrap();
        let baseline = peak_rss_kib();

        // A 500 whose HTML page never ends, at loopback speed.
        let client = build(&error_page).build().unwrap();
        let started = Instant::now();
        let err = client.workspaces().get("default").await.unwrap_err();
        let elapsed = started.elapsed();
        let after_500 = peak_rss_kib();
        eprintln!(
            "peak RSS: baseline {baseline} KiB; after an endless 500: {after_500} KiB (+{} KiB, {elapsed:?}, {err})",
            after_500 - baseline
        );
        assert_eq!(err.status(), Some(500), "{err}");
        assert!(after_500 - baseline < 4 * 1024, "an endless 500 grew the peak RSS by {} KiB", after_500 - baseline);

        // A 200 whose JSON never ends, with a 2 MiB maximum: refused once the maximum is passed.
        let client = build(&endless_json).max_response_body(2 << 20).build().unwrap();
        let err = client.workspaces().get("default").await.unwrap_err();
        let after_200 = peak_rss_kib();
        eprintln!(
            "after an endless 200 with max_response_body(2 MiB): {after_200} KiB (+{} KiB)",
            after_200 - baseline
        );
        assert!(matches!(err, Error::Decode(_)), "{err:?}");
        assert!(
            after_200 - baseline < 2 * 1024 + 4 * 1024,
            "an endless 200 grew the peak RSS by {} KiB with a 2 MiB maximum",
            after_200 - baseline
        );
    });
}
