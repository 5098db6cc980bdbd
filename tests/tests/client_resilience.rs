//! Errors, retries, deadlines and injected faults: what the SDK does, and how many attempts reach the server.

use std::time::{Duration, Instant};

use openrouter_workspaces::fake::{FakeServer, Fault};
use openrouter_workspaces::operation::OperationId;
use openrouter_workspaces::{Client, CreateWorkspace, Error, RetryPolicy};

/// A client on the fake with fast, deterministic retries.
fn fast(server: &FakeServer) -> Client {
    server
        .client_builder()
        .retry_policy(RetryPolicy::default().initial_backoff(Duration::from_millis(10)).jitter(false))
        .timeout(Duration::from_millis(500))
        .total_timeout(Duration::from_secs(5))
        .build()
        .unwrap()
}

/// A `get` that must end in [`Error::Timeout`]; the error and how long the call took.
async fn timed_out_get(client: &Client) -> (Error, Duration) {
    let started = Instant::now();
    let err = client.workspaces().get("default").await.unwrap_err();
    let elapsed = started.elapsed();
    assert!(matches!(err, Error::Timeout(_)), "{err}");
    (err, elapsed)
}

#[tokio::test]
async fn each_status_maps_to_its_error_kind_with_code_message_and_request_id() {
    let server = FakeServer::start().await.unwrap();
    let client = fast(&server).with_retry_policy(RetryPolicy::none());
    type IsKind = fn(&Error) -> bool;
    let cases: [(u16, IsKind); 8] = [
        (400, |e| matches!(e, Error::BadRequest(_))),
        (401, |e| matches!(e, Error::Unauthorized(_))),
        (403, |e| matches!(e, Error::Forbidden(_))),
        (404, |e| matches!(e, Error::NotFound(_))),
        (409, |e| matches!(e, Error::Conflict(_))),
        (429, |e| matches!(e, Error::RateLimited(_))),
        (503, |e| matches!(e, Error::Server(_))),
        (418, |e| matches!(e, Error::Status(_))),
    ];
    for (status, is_kind) in cases {
        server.inject(OperationId::GetWorkspace, [Fault::status(status)]);
        let err = client.workspaces().get("default").await.unwrap_err();
        assert!(is_kind(&err), "{status}: {err:?}");
        let api = err.api_error().unwrap();
        assert_eq!((api.status, api.code), (status, Some(i64::from(status))), "{err}");
        assert!(api.message.is_some() && api.request_id.as_deref().unwrap().starts_with("req_fake_"), "{err}");
        assert!(err.to_string().starts_with(&format!("{status} ")), "{err}");
        assert!(err.to_string().contains("on GET /workspaces/{id}"), "{err}");
    }
    let e404 = client.workspaces().get("nope").await.unwrap_err();
    assert!(
        e404.to_string()
            .starts_with("404 Not Found on GET /workspaces/{id}: workspace \"nope\" not found (request id req_fake_"),
        "{e404}"
    );
}

#[tokio::test]
async fn an_html_page_from_a_proxy_keeps_status_and_body() {
    let server = FakeServer::start().await.unwrap();
    let client = fast(&server).with_retry_policy(RetryPolicy::none());
    // 502 is undocumented; 500 is documented (progenitor would lose the status of a non-JSON 500).
    for status in [502, 500] {
        server.inject(OperationId::GetWorkspace, [Fault::html(status)]);
        let err = client.workspaces().get("default").await.unwrap_err();
        assert!(matches!(err, Error::Server(_)), "{err:?}");
        let api = err.api_error().unwrap();
        assert_eq!(api.status, status);
        assert!(api.message.is_none() && api.body.as_deref().unwrap().contains("<html>"), "{api:?}");
        assert!(err.to_string().contains("unexpected body"), "{err}");
    }
    server.inject(OperationId::GetWorkspace, [Fault::oversized(500, 5_000_000)]);
    let err = client.workspaces().get("default").await.unwrap_err();
    assert!(err.api_error().unwrap().body.as_ref().unwrap().len() <= openrouter_workspaces::MAX_BODY_KEPT);
}

#[tokio::test]
async fn idempotent_calls_are_retried_on_5xx_and_succeed() {
    let server = FakeServer::start().await.unwrap();
    let client = fast(&server);
    server.inject(OperationId::GetWorkspace, [Fault::status(503), Fault::status(502)]);
    client.workspaces().get("default").await.unwrap();
    assert_eq!(server.request_count(OperationId::GetWorkspace), 3);

    server.inject(OperationId::GetWorkspace, [Fault::status(500), Fault::status(500), Fault::status(500)]);
    let err = client.workspaces().get("default").await.unwrap_err();
    assert_eq!(err.api_error().unwrap().attempts, 3, "{err}");
    assert_eq!(server.request_count(OperationId::GetWorkspace), 6, "max_attempts bounds the attempts");
}

#[tokio::test]
async fn a_post_is_never_retried_on_a_500_by_default_but_is_on_429() {
    let server = FakeServer::start().await.unwrap();
    let client = fast(&server);
    server.inject(OperationId::CreateWorkspace, [Fault::status(500)]);
    let err = client.workspaces().create(CreateWorkspace::new("A", "a")).await.unwrap_err();
    assert!(matches!(err, Error::Server(_)));
    assert_eq!(server.request_count(OperationId::CreateWorkspace), 1);

    server.inject(OperationId::CreateWorkspace, [Fault::status(429).retry_after_ms(10)]);
    client.workspaces().create(CreateWorkspace::new("B", "b")).await.unwrap();
    assert_eq!(server.request_count(OperationId::CreateWorkspace), 3);

    // Opting in per call.
    server.inject(OperationId::CreateWorkspace, [Fault::status(503)]);
    let eager = client.with_retry_policy(client.retry_policy().clone().retry_non_idempotent(true));
    eager.workspaces().create(CreateWorkspace::new("C", "c")).await.unwrap();
    assert_eq!(server.request_count(OperationId::CreateWorkspace), 5);
    assert_eq!(server.workspaces().len(), 3, "exactly the two successful creates happened");
}

#[tokio::test]
async fn retry_after_is_honoured_and_capped() {
    let server = FakeServer::start().await.unwrap();
    let client = fast(&server);
    server.inject(OperationId::GetWorkspace, [Fault::status(429).retry_after("1")]);
    let started = Instant::now();
    client.workspaces().get("default").await.unwrap();
    assert!(started.elapsed() >= Duration::from_millis(950), "{:?}", started.elapsed());

    let capped = client.with_retry_policy(client.retry_policy().clone().max_retry_after(Duration::from_millis(100)));
    server.inject(OperationId::GetWorkspace, [Fault::status(503).retry_after("3600")]);
    let started = Instant::now();
    capped.workspaces().get("default").await.unwrap();
    assert!(started.elapsed() < Duration::from_secs(2), "an hour-long Retry-After must be capped");

    server.inject(OperationId::GetWorkspace, [Fault::status(429).retry_after_ms(300)]);
    let started = Instant::now();
    client.workspaces().get("default").await.unwrap();
    assert!(started.elapsed() >= Duration::from_millis(290));
}

#[tokio::test]
async fn rate_limited_errors_carry_retry_after() {
    let server = FakeServer::start().await.unwrap();
    let client = fast(&server).with_retry_policy(RetryPolicy::none());
    server.inject(OperationId::ListWorkspaces, [Fault::status(429).retry_after("7")]);
    let err = client.workspaces().list_page(0, 10).await.unwrap_err();
    assert!(matches!(err, Error::RateLimited(_)) && err.is_retryable());
    assert_eq!(err.retry_after(), Some(Duration::from_secs(7)));
}

#[tokio::test]
async fn attempt_timeouts_are_retried_for_gets_and_the_total_deadline_holds() {
    let server = FakeServer::start().await.unwrap();
    let client = server
        .client_builder()
        .timeout(Duration::from_millis(200))
        .total_timeout(Duration::from_millis(700))
        .retry_policy(RetryPolicy::default().max_attempts(10).initial_backoff(Duration::from_millis(10)).jitter(false))
        .build()
        .unwrap();
    server.inject(OperationId::GetWorkspace, [Fault::delay(Duration::from_secs(2))]);
    client.workspaces().get("default").await.unwrap();
    assert_eq!(server.request_count(OperationId::GetWorkspace), 2, "timed out once, then succeeded");

    server.inject(OperationId::GetWorkspace, (0..10).map(|_| Fault::delay(Duration::from_secs(2))));
    let (_, elapsed) = timed_out_get(&client).await;
    assert!(elapsed >= Duration::from_millis(650) && elapsed < Duration::from_millis(1200), "{elapsed:?}");
}

#[tokio::test]
async fn a_post_that_times_out_is_not_replayed() {
    let server = FakeServer::start().await.unwrap();
    let client = server.client_builder().timeout(Duration::from_millis(200)).build().unwrap();
    server.inject(OperationId::CreateWorkspace, [Fault::delay(Duration::from_secs(1))]);
    let err = client.workspaces().create(CreateWorkspace::new("A", "a")).await.unwrap_err();
    assert!(matches!(err, Error::Timeout(_)) && err.is_retryable(), "{err}");
    assert_eq!(server.request_count(OperationId::CreateWorkspace), 1);
}

#[tokio::test]
async fn dropped_connections_are_retried_for_idempotent_operations_only() {
    let server = FakeServer::start().await.unwrap();
    let client = fast(&server);
    for (i, fault) in [Fault::close_before_response(), Fault::close_mid_body()].into_iter().enumerate() {
        server.clear_requests();
        server.inject(OperationId::GetWorkspace, [fault.clone()]);
        client.workspaces().get("default").await.unwrap();
        assert_eq!(server.request_count(OperationId::GetWorkspace), 2, "{fault:?}");

        // A POST the spec marks idempotent (`x-idempotent`) is retried as a GET is.
        server.inject(OperationId::BulkAddWorkspaceMembers, [fault.clone()]);
        client.workspaces().members("default").add(["user_bob"]).await.unwrap();
        assert_eq!(server.request_count(OperationId::BulkAddWorkspaceMembers), 2, "{fault:?}");

        server.inject(OperationId::CreateWorkspace, [fault.clone()]);
        let slug = format!("dropped-{i}");
        let err = client.workspaces().create(CreateWorkspace::new("Dropped", slug)).await.unwrap_err();
        assert!(matches!(err, Error::Connection(_)), "{fault:?}: {err:?}");
        assert_eq!(server.request_count(OperationId::CreateWorkspace), 1, "{fault:?}");
        server.clear_requests();
    }
}

#[tokio::test]
async fn undecodable_success_bodies_are_decode_errors_and_not_retried() {
    let server = FakeServer::start().await.unwrap();
    let client = fast(&server);
    server.inject(OperationId::GetWorkspace, [Fault::truncated_json()]);
    let err = client.workspaces().get("default").await.unwrap_err();
    assert!(matches!(err, Error::Decode(_)), "{err:?}");
    assert_eq!(err.status(), Some(200));
    assert!(err.request_id().is_some());
    assert_eq!(server.request_count(OperationId::GetWorkspace), 1);

    // A JSON body labelled text/plain still decodes: the content type is not trusted either way.
    server.inject(OperationId::GetWorkspace, [Fault::wrong_content_type()]);
    assert_eq!(client.workspaces().get("default").await.unwrap().slug, "default");
}

#[tokio::test]
async fn connection_refused_is_retried_then_reported() {
    // A port with nothing listening: bind, note the port, close.
    let port = std::net::TcpListener::bind("127.0.0.1:0").unwrap().local_addr().unwrap().port();
    let client = Client::builder()
        .ignore_env()
        .api_key("k")
        .base_url(format!("http://127.0.0.1:{port}/api/v1"))
        .retry_policy(RetryPolicy::default().initial_backoff(Duration::from_millis(5)).jitter(false))
        .build()
        .unwrap();
    let err = client.workspaces().create(CreateWorkspace::new("A", "a")).await.unwrap_err();
    match &err {
        Error::Connection(t) => assert!(t.before_send && t.attempts == 3, "{t:?}"),
        other => panic!("{other:?}"),
    }
    assert!(err.to_string().contains("could not connect on POST /workspaces (after 3 attempts)"), "{err}");
}

#[tokio::test]
async fn a_callers_own_http_client_still_gets_the_attempt_timeout() {
    let server = FakeServer::start().await.unwrap();
    // A reqwest client with no timeout of its own: the SDK's per-attempt timeout must still bound each attempt.
    let client = server
        .client_builder()
        .http_client(openrouter_workspaces_tests::plain_http_client())
        .timeout(Duration::from_millis(200))
        .retry_policy(RetryPolicy::none())
        .build()
        .unwrap();
    server.inject(OperationId::GetWorkspace, [Fault::delay(Duration::from_secs(3))]);
    let (_, elapsed) = timed_out_get(&client).await;
    assert!(elapsed >= Duration::from_millis(190) && elapsed < Duration::from_millis(1500), "{elapsed:?}");
}

#[tokio::test]
async fn a_total_deadline_shorter_than_the_attempt_timeout_ends_the_call() {
    let server = FakeServer::start().await.unwrap();
    let client = server
        .client_builder()
        .timeout(Duration::from_secs(10))
        .total_timeout(Duration::from_millis(300))
        .build()
        .unwrap();
    server.inject(OperationId::GetWorkspace, [Fault::delay(Duration::from_secs(3))]);
    let (err, elapsed) = timed_out_get(&client).await;
    assert!(err.to_string().contains("total deadline"), "{err}");
    assert!(elapsed >= Duration::from_millis(290) && elapsed < Duration::from_millis(1500), "{elapsed:?}");
}
