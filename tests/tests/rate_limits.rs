//! The client-wide view of the rate limit (a `429` holds the other calls, `X-RateLimit-*`, `requests_per_second`,
//! the deadline) and the retry budget, against the fake server and its rate limit. What is asserted is behaviour:
//! requests counted at the server, and waits that must at least last what the server asked (never speed: the
//! speed targets live in `cargo xtask bench`).

use std::time::{Duration, Instant, SystemTime, UNIX_EPOCH};

use futures_util::StreamExt;
use openrouter_workspaces::fake::{FakeServer, Fault, RateLimit, RateLimitShape};
use openrouter_workspaces::operation::OperationId;
use openrouter_workspaces::{BudgetInterval, Client, CreateWorkspace, Error, NewWorkspace, RetryPolicy};

fn fast_retries() -> RetryPolicy {
    RetryPolicy::default().initial_backoff(Duration::from_millis(1)).max_backoff(Duration::from_millis(2)).jitter(false)
}

/// `n` gets of the default workspace, `in_flight` at a time, half of them on clones of `client`; their results.
async fn many_gets(client: &Client, n: usize, in_flight: usize) -> Vec<Result<(), Error>> {
    futures_util::stream::iter(0..n)
        .map(|i| {
            let c = if i % 2 == 0 { client.clone() } else { client.with_total_timeout(Duration::from_secs(30)) };
            async move { c.workspaces().get("default").await.map(|_| ()) }
        })
        .buffer_unordered(in_flight)
        .collect()
        .await
}

#[tokio::test]
async fn a_server_that_fails_everything_sees_extra_load_bounded_by_the_retry_budget() {
    let server = FakeServer::start().await.unwrap();
    let calls = 1_000;
    let attempts = 3;
    server.inject(OperationId::GetWorkspace, (0..calls * attempts).map(|_| Fault::status(503)));
    let client = server.client_builder().retry_policy(fast_retries().max_attempts(3)).build().unwrap();
    let results = many_gets(&client, calls, 50).await;
    assert!(results.iter().all(|r| matches!(r, Err(Error::Server(_)))));
    // The default budget: 500 tokens, 5 per retry, nothing back (nothing succeeds): exactly 100 retries in all,
    // shared by the client and its copies, instead of 2 per call.
    let sent = server.request_count(OperationId::GetWorkspace);
    assert_eq!(sent, calls + 500 / 5, "1,000 first attempts and the 100 retries the budget pays for");
    assert_eq!(sent, calls + client.retry_policy().get_retry_budget().unwrap().get_capacity() as usize / 5);

    // The same failing server, without a budget: every call makes all its attempts.
    let server = FakeServer::start().await.unwrap();
    let calls = 200;
    server.inject(OperationId::GetWorkspace, (0..calls * attempts).map(|_| Fault::status(503)));
    let unbounded = server.client_builder().retry_policy(fast_retries().no_retry_budget()).build().unwrap();
    many_gets(&unbounded, calls, 50).await;
    assert_eq!(server.request_count(OperationId::GetWorkspace), calls * attempts);
}

#[tokio::test]
async fn an_empty_budget_fails_at_once_with_the_last_error_and_successes_refill_it() {
    let server = FakeServer::start().await.unwrap();
    let budget = openrouter_workspaces::RetryBudget::new(10).retry_cost(5);
    let client = server.client_builder().retry_policy(fast_retries().retry_budget(budget)).build().unwrap();
    server.inject(OperationId::GetWorkspace, (0..4).map(|_| Fault::status(503)));
    // One call of 3 attempts spends the 10 tokens (2 retries of 5) ...
    let e = client.workspaces().get("default").await.unwrap_err();
    assert_eq!(e.api_error().unwrap().attempts, 3, "{e}");
    // ... so the next failure is not retried: the call ends at once with its error.
    let e = client.workspaces().get("default").await.unwrap_err();
    assert_eq!((e.status(), e.api_error().unwrap().attempts), (Some(503), 1), "{e}");
    assert_eq!(server.request_count(OperationId::GetWorkspace), 4);
    // Five first-attempt successes earn one retry back.
    for _ in 0..5 {
        client.workspaces().get("default").await.unwrap();
    }
    server.inject(OperationId::GetWorkspace, [Fault::status(503), Fault::status(503)]);
    let e = client.workspaces().get("default").await.unwrap_err();
    assert_eq!(e.api_error().unwrap().attempts, 2, "one retry paid for, not two: {e}");
}

#[tokio::test]
async fn a_429_holds_every_call_of_the_client_and_its_clones_until_its_wait_is_over() {
    let server = FakeServer::start().await.unwrap();
    let client = server.client();
    let once = client.with_retry_policy(RetryPolicy::none());
    server.inject(OperationId::GetWorkspace, [Fault::status(429).retry_after_ms(400)]);
    let started = Instant::now();
    let e = once.workspaces().get("default").await.unwrap_err();
    assert!(matches!(e, Error::RateLimited(_)), "{e}");
    // Another call, on a clone, starting during the window: it waits the window out before sending.
    let other = client.clone();
    let got = other.workspaces().list_page(0, 10).await.unwrap();
    assert!(started.elapsed() >= Duration::from_millis(390), "{:?}", started.elapsed());
    assert_eq!(got.items.len(), 1);
    assert_eq!(server.request_count(OperationId::ListWorkspaces), 1, "it was sent once, after the window");

    // Without coordination, another client's calls do not wait.
    let alone =
        server.client_builder().rate_limit_coordination(false).retry_policy(RetryPolicy::none()).build().unwrap();
    server.inject(OperationId::GetWorkspace, [Fault::status(429).retry_after_ms(5_000)]);
    alone.workspaces().get("default").await.unwrap_err();
    let started = Instant::now();
    alone.workspaces().list_page(0, 10).await.unwrap();
    assert!(started.elapsed() < Duration::from_secs(4), "{:?}", started.elapsed());
}

#[tokio::test]
async fn a_window_past_the_deadline_fails_at_once_and_sends_nothing() {
    let server = FakeServer::start().await.unwrap();
    let client = server.client_builder().total_timeout(Duration::from_secs(2)).build().unwrap();
    server.inject(OperationId::GetWorkspace, [Fault::status(503).retry_after("10")]);
    let e = client.with_retry_policy(RetryPolicy::none()).workspaces().get("default").await.unwrap_err();
    assert_eq!(e.status(), Some(503));
    let started = Instant::now();
    let e = client.workspaces().list_page(0, 10).await.unwrap_err();
    assert!(started.elapsed() < Duration::from_secs(1), "failed fast: {:?}", started.elapsed());
    let Error::RateLimited(api) = &e else { panic!("expected RateLimited, got {e:?}") };
    assert_eq!(api.attempts, 0, "nothing was sent");
    // `Retry-After: 10` in whole seconds is rounded up by the server: the client holds more than 9 s of it.
    assert!(api.retry_after.unwrap() > Duration::from_secs(8), "{e}");
    assert!(e.to_string().contains("not sent"), "{e}");
    assert!(e.to_string().contains("total_timeout"), "says how to fix: {e}");
    assert_eq!(server.request_count(OperationId::ListWorkspaces), 0);
}

#[tokio::test]
async fn the_fakes_rate_limit_answers_429_with_the_documented_headers_which_the_client_reads() {
    let limit = RateLimit::new(2, Duration::from_secs(1));
    let server = FakeServer::builder().rate_limit(limit).start().await.unwrap();
    let client = server.client_builder().retry_policy(RetryPolicy::none()).build().unwrap();
    client.workspaces().get("default").await.unwrap();
    client.workspaces().get("default").await.unwrap();
    let e = client.workspaces().get("default").await.unwrap_err();
    let Error::RateLimited(api) = &e else { panic!("expected RateLimited, got {e:?}") };
    let info = api.rate_limit.as_ref().expect("X-RateLimit-* read");
    assert_eq!((info.limit, info.remaining), (Some(2), Some(0)));
    // The default shape is a fixed window: both point to the window's end, within the second.
    let reset = info.reset.unwrap().duration_since(SystemTime::now()).unwrap_or_default();
    assert!(reset <= Duration::from_secs(1), "{reset:?}");
    let wait = api.retry_after.unwrap();
    assert!(wait <= Duration::from_secs(1), "retry-after-ms: {wait:?}");
    assert!(wait.abs_diff(reset) < Duration::from_millis(50), "{wait:?} vs {reset:?}");
    assert_eq!(server.rate_limited_count(), 1);
    let logged = server.requests().last().unwrap().clone();
    assert_eq!(logged.status, 429);
    assert_eq!(logged.response_body.unwrap()["error"]["metadata"]["headers"]["X-RateLimit-Limit"], "2");
    // The refused request changed nothing and took no token: the next one after the wait passes.
    tokio::time::sleep(wait).await;
    client.workspaces().get("default").await.unwrap();
}

#[tokio::test]
async fn x_ratelimit_reset_is_the_hint_of_a_429_without_retry_after() {
    let server = FakeServer::start().await.unwrap();
    let client = server.client_builder().retry_policy(RetryPolicy::none()).build().unwrap();
    let reset = SystemTime::now() + Duration::from_millis(1500);
    let reset_ms = reset.duration_since(UNIX_EPOCH).unwrap().as_millis().to_string();
    server.inject(
        OperationId::GetWorkspace,
        [Fault::status(429)
            .header("X-RateLimit-Limit", "20")
            .header("X-RateLimit-Remaining", "0")
            .header("X-RateLimit-Reset", reset_ms)],
    );
    let e = client.workspaces().get("default").await.unwrap_err();
    let wait = e.retry_after().expect("the reset is the hint");
    assert!(wait > Duration::from_millis(1300) && wait <= Duration::from_millis(1500), "{wait:?}");
    // A reset in seconds (not OpenRouter's unit) is ignored rather than misread.
    let seconds = (reset.duration_since(UNIX_EPOCH).unwrap().as_secs()).to_string();
    server.inject(
        OperationId::GetWorkspace,
        [Fault::status(429).header("X-RateLimit-Remaining", "0").header("X-RateLimit-Reset", seconds)],
    );
    let fresh = server.client_builder().retry_policy(RetryPolicy::none()).build().unwrap();
    let e = fresh.workspaces().get("default").await.unwrap_err();
    assert_eq!(e.retry_after(), None);
    assert_eq!(e.api_error().unwrap().rate_limit.as_ref().unwrap().reset, None);
}

#[tokio::test]
async fn requests_per_second_spaces_attempts_and_refuses_what_the_deadline_cannot_wait_for() {
    let server = FakeServer::start().await.unwrap();
    let client = server.client_builder().requests_per_second(20.0).build().unwrap();
    let started = Instant::now();
    for _ in 0..5 {
        client.workspaces().get("default").await.unwrap();
    }
    assert!(started.elapsed() >= Duration::from_millis(195), "4 intervals of 50 ms: {:?}", started.elapsed());

    let slow =
        server.client_builder().requests_per_second(0.5).total_timeout(Duration::from_millis(500)).build().unwrap();
    slow.workspaces().get("default").await.unwrap();
    let e = slow.workspaces().get("default").await.unwrap_err();
    assert!(matches!(&e, Error::RateLimited(api) if api.attempts == 0), "{e:?}");
    assert_eq!(server.request_count(OperationId::GetWorkspace), 6);

    for bad in [0.0, -1.0, f64::NAN, f64::INFINITY] {
        let e = server.client_builder().requests_per_second(bad).build().unwrap_err();
        assert!(e.to_string().contains("requests_per_second"), "{e}");
    }
}

#[tokio::test]
async fn a_coordinated_client_meets_the_fakes_limit_without_failing_an_item() {
    // 100 requests/s in bursts of at most 10; 80 calls, 10 in flight.
    let server =
        FakeServer::builder().rate_limit(RateLimit::new(10, Duration::from_millis(100))).start().await.unwrap();
    let client = server.client();
    let results = many_gets(&client, 80, 10).await;
    assert!(results.iter().all(Result::is_ok), "{:?}", results.iter().find(|r| r.is_err()));
    let refused = server.rate_limited_count() as usize;
    let sent = server.request_count(OperationId::GetWorkspace);
    assert_eq!(sent, 80 + refused);
    // The first burst meets the limit with what is in flight; after it, the client paces itself.
    assert!(refused <= 25, "{refused} of {sent} requests refused");
}

/// A small bulk job (15 workspaces, each with a budget: 30 requests, 8 in flight) against a fake limited to
/// 20 requests/s in bursts of 5, in `shape`: every item is provisioned, once, and the limit was met (429s
/// happened). `clients` independent clients (not clones) share the key's limit, each with its share of the items.
async fn bulk_job_under(shape: RateLimitShape, clients: usize) {
    let n = 15;
    let server = FakeServer::builder()
        .rate_limit(RateLimit::new(5, Duration::from_millis(250)))
        .rate_limit_shape(shape)
        .start()
        .await
        .unwrap();
    let jobs = (0..clients).map(|c| {
        let client = server.client();
        let items: Vec<NewWorkspace> = (0..n)
            .filter(|i| i % clients == c)
            .map(|i| {
                NewWorkspace::new(CreateWorkspace::new(format!("Customer {i}"), format!("customer-{i}")))
                    .budget(BudgetInterval::Monthly, 100.0)
            })
            .collect();
        async move { client.workspaces().create_many(items).concurrency(8).collect().await }
    });
    let reports = futures_util::future::join_all(jobs).await;
    let failed: Vec<String> =
        reports.iter().flatten().filter_map(|i| i.result.as_ref().err().map(|e| format!("{}: {e}", i.key))).collect();
    assert!(failed.is_empty(), "{shape}: {} of {n} failed: {failed:?}", failed.len());
    assert_eq!(reports.iter().map(Vec::len).sum::<usize>(), n);
    assert_eq!(server.workspaces().len(), n + 1, "{shape}: each created once (and the default workspace)");
    let log = server.requests();
    let passed = |op| log.iter().filter(|r| r.operation_id == Some(op) && r.status != 429).count();
    assert_eq!(passed(OperationId::CreateWorkspace), n, "{shape}: no create was sent twice");
    assert_eq!(passed(OperationId::UpsertWorkspaceBudget), n, "{shape}");
    assert!(server.rate_limited_count() > 0, "{shape}: the job met the limit");
}

#[tokio::test]
async fn a_bulk_job_against_a_fixed_window_fails_no_item() {
    bulk_job_under(RateLimitShape::FixedWindow, 1).await;
}

#[tokio::test]
async fn a_bulk_job_against_a_token_bucket_whose_429s_point_to_the_next_token_fails_no_item() {
    bulk_job_under(RateLimitShape::TokenBucket, 1).await;
}

#[tokio::test]
async fn a_bulk_job_against_whole_seconds_retry_after_fails_no_item() {
    bulk_job_under(RateLimitShape::RetryAfterSeconds, 1).await;
}

#[tokio::test]
async fn a_bulk_job_against_bare_429s_fails_no_item() {
    bulk_job_under(RateLimitShape::Bare, 1).await;
}

#[tokio::test]
async fn two_independent_clients_sharing_one_limit_fail_no_item() {
    bulk_job_under(RateLimitShape::TokenBucket, 2).await;
}

/// A 429 means the request was not processed: it is resent for every method, past `max_attempts`, as long as
/// the deadline and the retry budget allow; without coordination, `max_attempts` bounds it as before.
#[tokio::test]
async fn a_429_does_not_end_a_call_while_there_is_time_whatever_max_attempts_says() {
    let server = FakeServer::start().await.unwrap();
    let client = server.client_builder().retry_policy(fast_retries().max_attempts(2)).build().unwrap();
    server.inject(OperationId::CreateWorkspace, (0..5).map(|_| Fault::status(429).retry_after_ms(1)));
    client.workspaces().create(CreateWorkspace::new("A", "a")).await.unwrap();
    assert_eq!(server.request_count(OperationId::CreateWorkspace), 6, "five 429s, then the create, once");
    assert_eq!(server.workspaces().len(), 2);

    let alone = server
        .client_builder()
        .rate_limit_coordination(false)
        .retry_policy(fast_retries().max_attempts(2))
        .build()
        .unwrap();
    server.inject(OperationId::GetWorkspace, (0..3).map(|_| Fault::status(429).retry_after_ms(1)));
    let e = alone.workspaces().get("default").await.unwrap_err();
    assert_eq!((e.status(), e.api_error().unwrap().attempts), (Some(429), 2), "{e}");
}
