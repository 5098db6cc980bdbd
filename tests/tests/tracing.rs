//! Each attempt is visible in `tracing` (operation, attempt, status, elapsed, request id), and the key never is.
//!
//! In the test crate, so that tracing-subscriber is not a dev-dependency of the library (which
//! `cargo run --example tour` builds; see `cargo xtask cold-build`).

use std::sync::{Arc, Mutex};

use openrouter_workspaces::fake::{FakeServer, Fault};
use openrouter_workspaces::operation::OperationId;
use openrouter_workspaces::{Client, RetryPolicy};

const SECRET: &str = "sk-or-v1-do-not-log-me-0123456789";

/// Collects everything the fmt layer writes.
#[derive(Clone, Default)]
struct Captured(Arc<Mutex<Vec<u8>>>);

impl std::io::Write for Captured {
    fn write(&mut self, buf: &[u8]) -> std::io::Result<usize> {
        self.0.lock().unwrap().extend_from_slice(buf);
        Ok(buf.len())
    }
    fn flush(&mut self) -> std::io::Result<()> {
        Ok(())
    }
}

impl Captured {
    /// Captures every event at every level on this thread until the guard is dropped.
    fn every_event() -> (Captured, tracing::subscriber::DefaultGuard) {
        let captured = Captured::default();
        let writer = captured.clone();
        let subscriber = tracing_subscriber::fmt()
            .with_max_level(tracing::Level::TRACE)
            .with_ansi(false)
            .with_writer(move || writer.clone())
            .finish();
        (captured, tracing::subscriber::set_default(subscriber))
    }

    fn text(&self) -> String {
        String::from_utf8(self.0.lock().unwrap().clone()).unwrap()
    }
}

#[tokio::test(flavor = "current_thread")]
async fn every_attempt_is_traced_with_its_fields_and_without_the_key() {
    let (captured, _guard) = Captured::every_event();

    let server = FakeServer::builder().api_keys([SECRET]).start().await.unwrap();
    let client = Client::builder()
        .api_key(SECRET)
        .base_url(server.base_url())
        .ignore_env()
        .retry_policy(RetryPolicy::default().initial_backoff(std::time::Duration::from_millis(1)))
        .build()
        .unwrap();
    server.inject(OperationId::GetWorkspace, [Fault::status(503)]);
    client.workspaces().get("default").await.unwrap();
    // A 401 from a wrong key: its error is traced too, and the wrong key is not in it either.
    let wrong = Client::builder().api_key("sk-or-v1-wrong-key-also-secret").base_url(server.base_url()).ignore_env();
    let err = wrong.build().unwrap().workspaces().list_page(0, 1).await.unwrap_err();
    assert!(!err.to_string().contains("wrong-key"), "{err}");

    let log = captured.text();
    let lines: Vec<&str> = log
        .lines()
        .filter(|l| l.contains("operation=\"getWorkspace\"") || l.contains("operation=getWorkspace"))
        .collect();
    assert_eq!(lines.len(), 2, "one line per attempt:\n{log}");
    assert!(
        lines[0].contains("attempt failed") && lines[0].contains("attempt=1") && lines[0].contains("status=503"),
        "{log}"
    );
    assert!(lines[0].contains("retry_in_ms="), "{log}");
    assert!(
        lines[1].contains("attempt succeeded") && lines[1].contains("attempt=2") && lines[1].contains("status=200"),
        "{log}"
    );
    for line in &lines {
        assert!(line.contains("elapsed_ms=") && line.contains("request_id=\"req_fake_"), "{line}");
    }
    assert!(log.contains("status=401"), "the 401 attempt is traced:\n{log}");
    assert!(
        !log.contains(SECRET) && !log.contains("do-not-log-me") && !log.contains("wrong-key"),
        "a key leaked:\n{log}"
    );
}

/// A created API key's secret reaches the caller only: not the trace, not the fake's log, not `Debug`.
#[tokio::test(flavor = "current_thread")]
async fn a_created_keys_secret_is_never_traced_or_logged() {
    let (captured, _guard) = Captured::every_event();
    let server = FakeServer::start().await.unwrap();
    let client = server.client();
    let created =
        client.workspaces().keys("default").create(openrouter_workspaces::CreateKey::new("ci")).await.unwrap();
    let secret = created.key.expose_secret().to_owned();
    assert!(secret.starts_with("sk-or-v1-"));
    let shown = format!("{created:?} {} {}", created.key, serde_json::to_string(&created).unwrap());
    assert!(!shown.contains(&secret), "{shown}");
    tracing::info!(?created, "created a key");
    let log = captured.text();
    assert!(log.contains("created a key"), "{log}");
    assert!(!log.contains(&secret), "the secret was traced: {log}");
    let requests = format!("{:?}", server.requests());
    assert!(requests.contains(openrouter_workspaces::REDACTED), "{requests}");
    assert!(!requests.contains(&secret), "the secret is in the fake's log: {requests}");
}
