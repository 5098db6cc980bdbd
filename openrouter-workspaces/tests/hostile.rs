//! Hostile servers: bodies that stall or never end, on documented and undocumented statuses, and lists that
//! repeat themselves. Every call must end within its total deadline, keep the status it got, and hold no more
//! of a body than the limits allow.

mod support;

use std::time::{Duration, Instant};

use futures_util::TryStreamExt;
use openrouter_workspaces::{Client, CreateWorkspace, Error, MAX_BODY_KEPT, RetryPolicy};
use support::{HostileServer, Reply, page};

fn client_of(server: &HostileServer, total: Duration) -> Client {
    Client::builder()
        .api_key("sk-or-v1-test")
        .base_url(server.base_url())
        .ignore_env()
        .total_timeout(total)
        .build()
        .expect("a valid configuration")
}

/// Runs `call`, failing the test (instead of hanging it) when it takes longer than `limit`; the result and how
/// long it took.
async fn within<T>(limit: Duration, call: impl Future<Output = T>) -> (T, Duration) {
    let started = Instant::now();
    match tokio::time::timeout(limit, call).await {
        Ok(out) => (out, started.elapsed()),
        Err(_) => panic!("the call did not end within {limit:?}"),
    }
}

#[tokio::test]
async fn a_stalled_body_on_an_error_status_ends_within_the_total_deadline_and_keeps_the_status() {
    // 418 is undocumented (read by the error mapping), 500 documented (read by the generated code); the body
    // stalls after 4 bytes, with a content-length or chunked.
    let cases = [
        (418, Reply::stalled(418, 1000, b"<htm")),
        (418, Reply::stalled_chunked(418, b"<htm")),
        (500, Reply::stalled(500, 1000, b"<htm")),
        (500, Reply::stalled_chunked(500, b"<htm")),
    ];
    // The cases run side by side: each waits for its deadline.
    futures_util::future::join_all(cases.into_iter().map(|(status, reply)| async move {
        let server = HostileServer::always(reply).await;
        let client = client_of(&server, Duration::from_secs(1)).with_retry_policy(RetryPolicy::none());
        let (result, elapsed) = within(Duration::from_secs(5), client.workspaces().get("default")).await;
        let err = result.unwrap_err();
        assert!(elapsed < Duration::from_millis(1500), "{status}: took {elapsed:?}: {err}");
        assert_eq!(err.status(), Some(status), "{err:?}");
        assert!(err.to_string().starts_with(&format!("{status} ")), "{err}");
    }))
    .await;
}

#[tokio::test]
async fn a_stalled_body_on_an_unexpected_success_status_ends_within_the_total_deadline() {
    // createWorkspace answers 201; a 200 is unexpected, and its body stalls after 4 bytes.
    let cases = [Reply::stalled(200, 1000, b"{\"da"), Reply::stalled_chunked(200, b"{\"da")];
    futures_util::future::join_all(cases.into_iter().map(|reply| async move {
        let server = HostileServer::always(reply).await;
        let client = client_of(&server, Duration::from_secs(1));
        let workspaces = client.workspaces();
        let create = workspaces.create(CreateWorkspace::new("A", "a"));
        let (result, elapsed) = within(Duration::from_secs(5), create).await;
        let err = result.unwrap_err();
        assert!(elapsed < Duration::from_millis(1500), "took {elapsed:?}: {err}");
        assert!(matches!(err, Error::Timeout(_)), "{err:?}");
        assert_eq!(err.status(), Some(200), "the timeout records the status that came: {err:?}");
        assert!(err.to_string().contains("200"), "{err}");
        assert_eq!(server.requests(), 1, "a POST is not retried");
    }))
    .await;
}

#[tokio::test]
async fn an_endless_error_body_is_cut_at_max_body_kept_and_the_status_returned_at_once() {
    // 500 is documented for getWorkspace (the generated code reads its body), 502 is not.
    for status in [500, 502] {
        let server = HostileServer::always(Reply::endless(status, "text/html")).await;
        let client = client_of(&server, Duration::from_secs(5)).with_retry_policy(RetryPolicy::none());
        let (result, elapsed) = within(Duration::from_secs(10), client.workspaces().get("default")).await;
        let err = result.unwrap_err();
        assert!(elapsed < Duration::from_secs(1), "{status}: took {elapsed:?}: {err}");
        assert!(matches!(err, Error::Server(_)), "{err:?}");
        let api = err.api_error().unwrap();
        assert_eq!(api.status, status);
        let body = api.body.as_deref().unwrap();
        assert!(body.starts_with("<html><body><p>endless") && body.len() <= MAX_BODY_KEPT, "{}", body.len());
    }
}

#[tokio::test]
async fn the_raw_client_is_bounded_too() {
    let server = HostileServer::always(Reply::endless(500, "text/html")).await;
    let client = client_of(&server, Duration::from_secs(5));
    let (result, elapsed) = within(Duration::from_secs(10), client.raw().get_workspace("default")).await;
    assert!(elapsed < Duration::from_secs(1), "took {elapsed:?}");
    match result {
        Err(openrouter_workspaces::raw::Error::InvalidResponsePayload(bytes, _)) => {
            assert!(bytes.len() <= MAX_BODY_KEPT, "{}", bytes.len())
        }
        other => panic!("expected the 500's first bytes as an invalid payload, got {other:?}"),
    }
}

#[tokio::test]
async fn an_endless_success_body_is_refused_past_the_default_maximum() {
    let server = HostileServer::always(Reply::endless(200, "application/json")).await;
    let client = client_of(&server, Duration::from_secs(10));
    let (result, elapsed) = within(Duration::from_secs(15), client.workspaces().get("default")).await;
    let err = result.unwrap_err();
    assert!(elapsed < Duration::from_secs(3), "took {elapsed:?}: {err}");
    assert!(matches!(err, Error::Decode(_)), "{err:?}");
    assert_eq!(err.status(), Some(200));
    assert!(err.to_string().contains("max_response_body"), "the error says how to raise the limit: {err}");
    assert_eq!(server.requests(), 1, "a body too large is not retried");

    // Announced larger than the maximum, then stalled: refused at once, without waiting for the body.
    let server = HostileServer::always(Reply::stalled(200, 100_000_000_000, b"{")).await;
    let announced = client_of(&server, Duration::from_secs(5));
    let (result, elapsed) = within(Duration::from_secs(10), announced.workspaces().get("default")).await;
    let err = result.unwrap_err();
    assert!(elapsed < Duration::from_secs(1), "took {elapsed:?}: {err}");
    assert!(matches!(err, Error::Decode(_)) && err.to_string().contains("max_response_body"), "{err:?}");
}

#[tokio::test]
async fn max_response_body_sets_the_limit_for_success_bodies() {
    let body = page(&["w1", "w2", "w3"], 3); // about 1.7 KB
    let size = body.to_string().len();
    let server = HostileServer::always(Reply::json(200, &body)).await;
    let exact = Client::builder()
        .api_key("sk-or-v1-test")
        .base_url(server.base_url())
        .ignore_env()
        .max_response_body(size)
        .build()
        .unwrap();
    assert_eq!(exact.workspaces().list_page(0, 3).await.unwrap().items.len(), 3, "a body of exactly the maximum");
    let small = Client::builder()
        .api_key("sk-or-v1-test")
        .base_url(server.base_url())
        .ignore_env()
        .max_response_body(size - 1)
        .build()
        .unwrap();
    let err = small.workspaces().list_page(0, 3).await.unwrap_err();
    assert!(matches!(err, Error::Decode(_)), "{err:?}");
    assert!(err.to_string().contains(&format!("max_response_body of {} bytes", size - 1)), "{err}");
    // The raw client too: a body error whose source is the limit.
    let raw = small.raw().list_workspaces(None, None).await.unwrap_err();
    assert!(matches!(raw, openrouter_workspaces::raw::Error::ResponseBodyError(_)), "{raw:?}");
}

#[tokio::test]
async fn a_list_that_alternates_two_pages_forever_ends() {
    // A, B, A, B, ... with a total_count that never runs out.
    let server = HostileServer::start(|request| {
        let ids: &[&str] = if request.index % 2 == 0 { &["a1", "a2", "a3"] } else { &["b1", "b2", "b3"] };
        Reply::json(200, &page(ids, 1_000_000_000_000))
    })
    .await;
    let client = client_of(&server, Duration::from_secs(5));
    let collect = client.workspaces().list().page_size(3).collect();
    let (result, _) = within(Duration::from_secs(5), collect).await;
    let ids: Vec<String> = result.unwrap().into_iter().map(|w| w.id).collect();
    assert_eq!(ids, ["a1", "a2", "a3", "b1", "b2", "b3"]);
    assert_eq!(server.requests(), 3, "the third page, A again, ends the list");

    // The page stream stops the same way.
    let pages = client.workspaces().list().page_size(3).pages().try_collect::<Vec<_>>();
    let (result, _) = within(Duration::from_secs(5), pages).await;
    assert_eq!(result.unwrap().len(), 2);
}

#[tokio::test]
async fn a_list_starting_near_the_largest_offset_ends_without_overflow() {
    let server = HostileServer::always(Reply::json(200, &page(&["x1", "x2", "x3"], i64::MAX))).await;
    let client = client_of(&server, Duration::from_secs(5));
    // The largest offset the spec allows (`limits::LIST_WORKSPACES_OFFSET_MAXIMUM`), less one.
    let near_the_end = u64::try_from(openrouter_workspaces::limits::LIST_WORKSPACES_OFFSET_MAXIMUM - 1).unwrap();
    let collect = client.workspaces().list().starting_at(near_the_end).page_size(3).collect();
    let (result, _) = within(Duration::from_secs(5), collect).await;
    assert_eq!(result.unwrap().len(), 3, "one page, then the offset cannot move on: the stream ends");
    assert_eq!(server.requests(), 1);
    // Beyond the spec's bound, nothing is sent.
    let collect = client.workspaces().list().starting_at(u64::MAX - 1).page_size(3).collect();
    let (result, _) = within(Duration::from_secs(5), collect).await;
    assert!(matches!(result, Err(openrouter_workspaces::Error::InvalidInput(_))), "{result:?}");
    assert_eq!(server.requests(), 1);
}

/// A created API key's answer that does not decode (here: `data.hash` a number): the error keeps neither the body
/// nor what the decoder quoted, so the secret in it cannot reach a log through the error.
#[tokio::test]
async fn an_undecodable_answer_holding_a_secret_keeps_it_out_of_the_error() {
    const SECRET: &str = "sk-or-v1-leak-me-if-you-can-0123456789";
    let body = serde_json::json!({"key": SECRET, "data": {"hash": 5, "name": SECRET}});
    let server = HostileServer::always(Reply::json(201, &body)).await;
    let keys = client_of(&server, Duration::from_secs(5)).workspaces().keys("0df9e665-d932-5740-b2c7-b52af166bc11");
    let err = keys.create(openrouter_workspaces::CreateKey::new("ci")).await.unwrap_err();
    let shown = format!("{err} {err:?}");
    assert!(matches!(err, Error::Decode(_)), "{shown}");
    assert!(!shown.contains("leak-me"), "the secret reached the error: {shown}");
    assert!(shown.contains("withheld"), "{shown}");
}
