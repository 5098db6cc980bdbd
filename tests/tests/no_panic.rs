//! No panic, no hang, on any input: property tests that throw arbitrary keys, base URLs, header values, timeouts,
//! ids, page sizes and offsets, and arbitrary response bytes (status line, headers, body, framing) at the public
//! API. Every case must end with a value or an [`Error`], within a bound; proptest reports a panic as a failure.
//!
//! Case counts are kept small so the whole file runs in a few seconds; raise them locally with
//! `PROPTEST_CASES=5000 cargo test -p openrouter-workspaces-tests --test no_panic`.
//!
//! This suite lives in the test crate, not beside the library's own tests, so that proptest (and its
//! regex-syntax and rand) is not a dev-dependency of the library: `cargo run --example tour` on a fresh checkout
//! builds the library's dev-dependencies, and does not build these (see `cargo xtask cold-build`). The hostile
//! server is the library tests' own.

#[path = "../../openrouter-workspaces/tests/support/mod.rs"]
mod support;

use std::sync::{Arc, Mutex, OnceLock};
use std::time::Duration;

use openrouter_workspaces::operation::OperationId;
use openrouter_workspaces::{
    BudgetInterval, Client, CreateKey, CreateWorkspace, Error, RetryPolicy, UpdateGuardrail, UpdateKey, UpdateWorkspace,
};
use proptest::prelude::*;
use proptest::test_runner::Config;
use support::{HostileServer, Reply, Then};

/// One runtime for every case, with a worker thread for the servers.
fn runtime() -> &'static tokio::runtime::Runtime {
    static RUNTIME: OnceLock<tokio::runtime::Runtime> = OnceLock::new();
    RUNTIME.get_or_init(|| {
        tokio::runtime::Builder::new_multi_thread().worker_threads(2).enable_all().build().expect("a runtime")
    })
}

/// A server whose reply the current case sets.
struct Scripted {
    server: HostileServer,
    reply: Arc<Mutex<Reply>>,
}

impl Scripted {
    fn start() -> Scripted {
        let reply = Arc::new(Mutex::new(Reply::json(200, &serde_json::json!({}))));
        let current = reply.clone();
        let server = runtime().block_on(HostileServer::start(move |_| current.lock().unwrap().clone()));
        Scripted { server, reply }
    }

    fn set(&self, reply: Reply) {
        *self.reply.lock().unwrap() = reply;
    }
}

/// The cases of one property, from `PROPTEST_CASES` when set.
fn cases(default: u32) -> Config {
    let cases = std::env::var("PROPTEST_CASES").ok().and_then(|v| v.parse().ok()).unwrap_or(default);
    Config { cases, failure_persistence: None, ..Config::default() }
}

/// Every accessor of an error, as a user would call them: none may panic, and the message is never empty.
fn inspect(err: &Error) {
    let text = err.to_string();
    assert!(!text.is_empty(), "{err:?}");
    let _ = (format!("{err:?}"), err.status(), err.request_id(), err.retry_after(), err.is_retryable());
    let _ = (err.operation(), err.api_error(), std::error::Error::source(err));
}

/// Text that looks like what users and servers send, and text that does not.
fn text() -> impl Strategy<Value = String> {
    prop_oneof![
        any::<String>(),
        "[ -~]{0,40}",
        "(?i)(bearer ?)?sk-or-[éév1ü-]{0,6}[a-z0-9]{0,20}",
        "[\\x00-\\x1f\\x7f\u{80}-\u{a0}é€😀 a-z]{0,12}",
    ]
}

fn duration() -> impl Strategy<Value = Duration> {
    prop_oneof![
        Just(Duration::ZERO),
        Just(Duration::MAX),
        (0u64..5_000).prop_map(Duration::from_millis),
        (any::<u64>(), 0u32..1_000_000_000).prop_map(|(s, n)| Duration::new(s, n)),
    ]
}

proptest! {
    #![proptest_config(cases(200))]

    /// Any key, base URL and header value: a client, or a configuration error that names the setting and never
    /// shows the key.
    #[test]
    fn any_configuration_builds_or_says_why(
        key in text(),
        base_url in prop_oneof![text(), "(https?|ftp|)://[a-zé0-9.:\\[\\]@%/?#-]{0,30}"],
        referer in proptest::option::of(text()),
        title in proptest::option::of(text()),
        categories in proptest::option::of(proptest::collection::vec(text(), 0..3)),
        timeouts in (duration(), duration(), duration()),
        insecure in any::<bool>(),
    ) {
        let mut builder = Client::builder()
            .api_key(key.clone())
            .base_url(base_url)
            .ignore_env()
            .allow_insecure_http(insecure)
            .timeout(timeouts.0)
            .connect_timeout(timeouts.1)
            .total_timeout(timeouts.2);
        if let Some(referer) = referer {
            builder = builder.http_referer(referer);
        }
        if let Some(title) = title {
            builder = builder.app_title(title);
        }
        if let Some(categories) = categories {
            builder = builder.app_categories(categories);
        }
        let secret = key.trim().len() >= 12;
        match builder.build() {
            Ok(client) => {
                let debug = format!("{client:?}");
                prop_assert!(!secret || !debug.contains(key.trim()), "the key leaked: {}", debug);
            }
            Err(err) => {
                prop_assert!(matches!(err, Error::Config(_)), "{err:?}");
                inspect(&err);
                prop_assert!(!secret || !err.to_string().contains(key.trim()), "the key leaked: {err}");
                prop_assert!(!secret || !format!("{err:?}").contains(key.trim()), "the key leaked: {err:?}");
            }
        }
    }
}

/// What a case calls: every operation of the spec (`OperationId::ALL`, through a handle method that sends it),
/// the three list streams, a key handle's workspace lookup, and the raw client.
#[derive(Clone, Copy, Debug)]
enum Case {
    Operation(OperationId),
    WorkspaceStream,
    MemberStream,
    KeyStream,
    KeyWorkspaceId,
    Raw,
}

/// Every case, derived from the spec's operations: a new operation is a case at once (and fails until `call` knows it).
fn every_case() -> Vec<Case> {
    let operations = OperationId::ALL.iter().copied().map(Case::Operation);
    let others = [Case::WorkspaceStream, Case::MemberStream, Case::KeyStream, Case::KeyWorkspaceId, Case::Raw];
    operations.chain(others).collect()
}

/// Calls `case` with these arguments; `Ok(())` for any value it returned.
async fn call(client: &Client, case: Case, id: &str, offset: u64, limit: u32) -> Result<(), Error> {
    let workspaces = client.workspaces();
    let operation = match case {
        Case::Operation(operation) => operation,
        Case::WorkspaceStream => {
            return workspaces.list().starting_at(offset).page_size(limit).collect().await.map(drop);
        }
        Case::MemberStream => {
            return workspaces.members(id).list().starting_at(offset).page_size(limit).collect().await.map(drop);
        }
        Case::KeyStream => return workspaces.keys(id).list().starting_at(offset).collect().await.map(drop),
        Case::KeyWorkspaceId => return workspaces.keys(id).workspace_id().await.map(drop),
        // The raw client: any error is its own type; only that it returns matters.
        Case::Raw => {
            let _ = client.raw().get_workspace(id).await;
            return Ok(());
        }
    };
    match operation {
        OperationId::GetWorkspace => workspaces.get(id).await.map(drop),
        OperationId::ListWorkspaces => workspaces.list_page(offset, limit).await.map(drop),
        OperationId::CreateWorkspace => workspaces.create(CreateWorkspace::new(id, id)).await.map(drop),
        OperationId::UpdateWorkspace => {
            workspaces.update(id, UpdateWorkspace::new().name(id).clear_description()).await.map(drop)
        }
        OperationId::DeleteWorkspace => workspaces.delete(id).await,
        OperationId::ListWorkspaceMembers => workspaces.members(id).list_page(offset, limit).await.map(drop),
        OperationId::BulkAddWorkspaceMembers => workspaces.members(id).add([id]).await.map(drop),
        OperationId::BulkRemoveWorkspaceMembers => workspaces.members(id).remove([id, "user_b"]).await.map(drop),
        OperationId::ListWorkspaceBudgets => workspaces.budgets(id).list().await.map(drop),
        OperationId::GetWorkspaceBudget => workspaces.budgets(id).get(BudgetInterval::from(id)).await.map(drop),
        OperationId::UpsertWorkspaceBudget => {
            workspaces.budgets(id).set(BudgetInterval::Monthly, f64::from(limit)).await.map(drop)
        }
        OperationId::DeleteWorkspaceBudget => workspaces.budgets(id).delete(BudgetInterval::Daily).await,
        OperationId::ListApiKeys => {
            workspaces.keys(id).include_disabled(limit.is_multiple_of(2)).list_page(offset).await.map(drop)
        }
        OperationId::CreateApiKey => {
            workspaces.keys(id).create(CreateKey::new(id).limit(f64::from(limit))).await.map(drop)
        }
        OperationId::GetApiKey => client.keys().get(id).await.map(drop),
        OperationId::UpdateApiKey => client.keys().update(id, UpdateKey::new().name(id).clear_limit()).await.map(drop),
        OperationId::DeleteApiKey => client.keys().delete(id).await,
        OperationId::GetGuardrail => workspaces.default_guardrail(id).get().await.map(drop),
        OperationId::UpdateGuardrail => {
            workspaces.default_guardrail(id).update(UpdateGuardrail::new().limit_usd(f64::from(limit))).await.map(drop)
        }
        other => panic!("no case for the operation {other}: add it to `call` in tests/no_panic.rs"),
    }
}

/// Runs `call` on the shared runtime, failing when it does not end within 10 s (every client here has a total
/// deadline of at most 2 s per call, and a list stops at the first repeated page).
fn bounded(client: &Client, case: Case, id: &str, offset: u64, limit: u32) -> Result<(), Error> {
    runtime()
        .block_on(async { tokio::time::timeout(Duration::from_secs(10), call(client, case, id, offset, limit)).await })
        .unwrap_or_else(|_| panic!("{case:?} did not end within 10 s"))
}

/// The scripted server of one test (tests run in parallel: each has its own).
fn scripted(test: usize) -> &'static Scripted {
    static SERVERS: [OnceLock<Scripted>; 5] = [const { OnceLock::new() }; 5];
    SERVERS[test].get_or_init(Scripted::start)
}

/// One HTTP client for the cases that do not test the builder: building one (its TLS roots) takes tens of
/// milliseconds. No pooling, so that no case gets a connection a previous case's server left in any state.
fn http() -> reqwest::Client {
    static HTTP: OnceLock<reqwest::Client> = OnceLock::new();
    HTTP.get_or_init(|| {
        openrouter_workspaces_tests::plain_http_client_builder().pool_max_idle_per_host(0).build().unwrap()
    })
    .clone()
}

/// A client of a scripted server: quick retries, short deadlines.
fn quick_client(server: &Scripted) -> Client {
    Client::builder()
        .api_key("sk-or-v1-proptest")
        .base_url(server.server.base_url())
        .http_client(http())
        .ignore_env()
        .timeout(Duration::from_secs(1))
        .total_timeout(Duration::from_secs(2))
        .retry_policy(
            RetryPolicy::default()
                .initial_backoff(Duration::from_millis(1))
                .max_backoff(Duration::from_millis(5))
                .max_retry_after(Duration::from_millis(5)),
        )
        .build()
        .expect("a valid configuration")
}

/// What the scripted server answers: a status line, headers and a body, framed correctly or not.
fn response() -> impl Strategy<Value = Reply> {
    let status_line = prop_oneof![
        4 => (100u16..=999).prop_map(|s| format!("HTTP/1.1 {s} Reason")),
        1 => "HTTP/1\\.[019] [0-9]{0,5}[ -~]{0,10}",
        1 => text(),
    ];
    let name = prop_oneof![
        Just("retry-after".to_owned()),
        Just("retry-after-ms".to_owned()),
        Just("x-request-id".to_owned()),
        Just("content-type".to_owned()),
        Just("content-encoding".to_owned()),
        "[a-zA-Z-]{1,12}",
        text(),
    ];
    let value = prop_oneof![text(), "-?[0-9]{0,20}(\\.[0-9]{0,5})?", Just("Wed, 21 Oct 2015 07:28:00 GMT".to_owned())];
    let json_text = prop_oneof![any::<String>(), "[a-z0-9-]{1,12}"];
    let body = prop_oneof![
        proptest::collection::vec(any::<u8>(), 0..600),
        (json_text.clone(), any::<i64>())
            .prop_map(|(id, total)| { support::page(&[id.as_str()], total).to_string().into_bytes() }),
        json_text
            .clone()
            .prop_map(|id| serde_json::json!({ "data": support::workspace(&id) }).to_string().into_bytes()),
        (any::<i64>(), json_text).prop_map(|(code, message)| {
            serde_json::json!({ "error": { "code": code, "message": message } }).to_string().into_bytes()
        }),
    ];
    // 0: content-length, 1: chunked, 2: none (ends with the connection), 3: a content-length too large,
    // 4: too small, 5: a content-length that is not a number.
    (status_line, proptest::collection::vec((name, value), 0..5), body, 0u8..6, 1usize..64).prop_map(
        |(status_line, headers, body, framing, chunk)| {
            let mut bytes = format!("{status_line}\r\n").into_bytes();
            for (name, value) in headers {
                bytes.extend_from_slice(format!("{name}: {value}\r\n").as_bytes());
            }
            let length = match framing {
                0 => format!("content-length: {}\r\n", body.len()),
                1 => "transfer-encoding: chunked\r\n".to_owned(),
                3 => format!("content-length: {}\r\n", body.len() + chunk),
                4 => format!("content-length: {}\r\n", body.len().saturating_sub(chunk)),
                5 => "content-length: 12x\r\n".to_owned(),
                _ => String::new(),
            };
            bytes.extend_from_slice(length.as_bytes());
            bytes.extend_from_slice(b"\r\n");
            if framing == 1 {
                for part in body.chunks(chunk) {
                    bytes.extend_from_slice(format!("{:x}\r\n", part.len()).as_bytes());
                    bytes.extend_from_slice(part);
                    bytes.extend_from_slice(b"\r\n");
                }
                if chunk % 2 == 0 {
                    bytes.extend_from_slice(b"0\r\n\r\n");
                }
            } else {
                bytes.extend_from_slice(&body);
            }
            Reply { bytes, then: Then::Close }
        },
    )
}

proptest! {
    #![proptest_config(cases(150))]

    /// Any id, page size and offset, through every operation, against a server that answers with a valid page:
    /// a value or an error, within the bound (a list that repeats its page, or whose offset cannot move on,
    /// ends).
    #[test]
    fn any_id_page_size_and_offset_ends_with_a_value_or_an_error(
        which in proptest::sample::select(every_case()),
        id in text(),
        offset in prop_oneof![any::<u64>(), Just(u64::MAX), Just(u64::MAX - 1), 0u64..1000],
        limit in prop_oneof![any::<u32>(), 0u32..120],
    ) {
        let server = scripted(0);
        server.set(Reply::json(200, &support::page(&["p1", "p2"], i64::MAX)));
        if let Err(err) = bounded(&quick_client(server), which, &id, offset, limit) {
            inspect(&err);
        }
    }

    /// Any response bytes, through every operation: a value or an error, within the bound.
    #[test]
    fn any_response_ends_with_a_value_or_an_error(
        which in proptest::sample::select(every_case()),
        reply in response(),
        limit in 1u32..=100,
    ) {
        let server = scripted(1);
        server.set(reply);
        if let Err(err) = bounded(&quick_client(server), which, "w1", 0, limit) {
            inspect(&err);
        }
    }

    /// Any timeout and retry setting, however large or small, against a server that always fails with a
    /// retryable status: no arithmetic overflow, and the call ends.
    #[test]
    fn any_timeouts_and_retry_settings_end_without_overflow(
        which in proptest::sample::select(every_case()),
        timeouts in (duration(), duration()),
        attempts in 0u32..5,
        // The initial backoff may be anything; the longest wait and the longest server hint are short, so that no
        // configuration asks for a long wait (which would be what it configured, not a hang).
        waits in (duration(), (0u64..20).prop_map(Duration::from_millis), (0u64..20).prop_map(Duration::from_millis)),
        jitter in any::<bool>(),
        retry_after in prop_oneof![text(), "-?[0-9]{0,25}(\\.[0-9]{0,5})?"],
    ) {
        let (attempt_timeout, total_timeout) = timeouts;
        let policy = RetryPolicy::default()
            .max_attempts(attempts)
            .initial_backoff(waits.0)
            .max_backoff(waits.1)
            .max_retry_after(waits.2)
            .jitter(jitter)
            .retry_non_idempotent(true);
        let server = scripted(2);
        let client = Client::builder()
            .api_key("sk-or-v1-proptest")
            .base_url(server.server.base_url())
            .http_client(http())
            .ignore_env()
            .timeout(attempt_timeout)
            .total_timeout(total_timeout)
            .retry_policy(policy)
            .build()
            .expect("a valid configuration");
        let header = retry_after.replace(['\r', '\n'], "");
        server.set(Reply {
            bytes: format!(
                "HTTP/1.1 503 Busy\r\nretry-after: {header}\r\ncontent-length: 0\r\nconnection: close\r\n\r\n"
            )
            .into_bytes(),
            then: Then::Close,
        });
        if let Err(err) = bounded(&client, which, "w1", 0, 10) {
            inspect(&err);
        }
    }
}

/// The cases the issue reported, spelled out.
#[test]
fn a_key_with_a_multibyte_character_near_the_start_is_a_configuration_error() {
    for key in ["sk-or-év1-...", "éééé", "bearé", "Bearer é", "b€arer x"] {
        let err = Client::builder().api_key(key).ignore_env().build().unwrap_err();
        assert!(matches!(&err, Error::Config(c) if c.setting == "api_key"), "{key}: {err:?}");
        assert!(!err.to_string().contains(key), "{err}");
    }
}

#[test]
fn the_largest_durations_are_accepted_and_a_call_still_ends() {
    let server = scripted(3);
    server.set(Reply::json(404, &serde_json::json!({"error": {"code": 404, "message": "no"}})));
    let client = Client::builder()
        .api_key("sk-or-v1-proptest")
        .base_url(server.server.base_url())
        .ignore_env()
        .timeout(Duration::MAX)
        .total_timeout(Duration::MAX)
        .retry_policy(RetryPolicy::default().initial_backoff(Duration::MAX).max_backoff(Duration::MAX))
        .build()
        .unwrap();
    let err = bounded(&client, Case::Operation(OperationId::GetWorkspace), "w1", 0, 10).unwrap_err();
    assert_eq!(err.status(), Some(404), "{err}");
}

/// Every case once, so that an operation of the spec that `call` does not know fails here whatever proptest picks.
#[test]
fn every_operation_of_the_spec_is_a_case() {
    let server = scripted(4);
    server.set(Reply::json(200, &support::page(&["p1"], 1)));
    for case in every_case() {
        if let Err(err) = bounded(&quick_client(server), case, "w1", 0, 10) {
            inspect(&err);
        }
    }
}
