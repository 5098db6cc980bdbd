//! The [`Client`], and the one function every operation goes through: attempts, retries, the total deadline,
//! tracing, and turning what came back into a value or an [`Error`].

// No panics on any input: no unchecked arithmetic, no indexing that can be out of bounds (string slicing is
// refused crate-wide, in lib.rs).
#![cfg_attr(not(test), warn(clippy::arithmetic_side_effects, clippy::indexing_slicing))]

use std::fmt;
use std::future::Future;
use std::sync::Arc;
use std::time::Duration;

use serde::de::DeserializeOwned;
use tokio::time::Instant;

use crate::error::{ApiError, DecodeError, Error, Result, TransportError};
use crate::operation::Operation;
use crate::raw;
use crate::retries::budget::BudgetTokens;
use crate::retries::policy::{AttemptFailure, RetryPolicy};
use crate::retries::rate_limiter::RateLimiter;
use crate::transport::{Answer, AttemptNote};

/// A client for the OpenRouter Workspaces API. Cheap to clone (clones share one connection pool); `Send + Sync`.
///
/// ```no_run
/// # async fn run() -> Result<(), openrouter_workspaces::Error> {
/// use openrouter_workspaces::Client;
///
/// let client = Client::from_env()?; // OPENROUTER_MANAGEMENT_KEY, else OPENROUTER_API_KEY
/// let workspace = client.workspaces().get("production").await?;
/// println!("{} ({})", workspace.name, workspace.id);
/// # Ok(()) }
/// ```
#[derive(Clone)]
pub struct Client {
    inner: Arc<Inner>,
}

struct Inner {
    raw: raw::Client,
    settings: Arc<Settings>,
    /// The rate limiter, shared by every client made from the same builder (clones, and the copies of
    /// `with_retry_policy` and `with_total_timeout`).
    limiter: Arc<RateLimiter>,
}

/// The settings a built client runs with (shared by its clones). The builder in `config.rs` makes them; this
/// module does not know the builder.
#[derive(Debug, Clone)]
pub(crate) struct Settings {
    pub(crate) retry: RetryPolicy,
    pub(crate) total_timeout: Duration,
    /// The tokens of the retry policy's budget, if it has one.
    pub(crate) budget: Option<Arc<BudgetTokens>>,
}

impl Settings {
    /// Settings for a policy: the budget's tokens are `existing`'s when its budget is the same (the clients share
    /// one bucket), a full bucket of their own when it is not.
    pub(crate) fn new(retry: RetryPolicy, total_timeout: Duration, existing: Option<&Arc<BudgetTokens>>) -> Settings {
        let budget = retry.get_retry_budget().map(|config| match existing {
            Some(state) if state.config() == config => state.clone(),
            _ => Arc::new(BudgetTokens::new(config)),
        });
        Settings { retry, total_timeout, budget }
    }
}

impl fmt::Debug for Client {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Client")
            .field("base_url", &self.base_url())
            .field("api_key", &self.inner.raw.inner().key_source())
            .field("transport", self.inner.raw.inner())
            .field("retry", &self.inner.settings.retry)
            .field("total_timeout", &self.inner.settings.total_timeout)
            .field("retry_budget_tokens", &self.inner.settings.budget.as_ref().map(|b| b.available()))
            .finish_non_exhaustive()
    }
}

use progenitor_client::ClientInfo as _;

impl Client {
    pub(crate) fn from_parts(raw: raw::Client, settings: Arc<Settings>, limiter: Arc<RateLimiter>) -> Client {
        Client { inner: Arc::new(Inner { raw, settings, limiter }) }
    }

    /// The base URL requests go to, without a trailing slash.
    pub fn base_url(&self) -> &str {
        self.inner.raw.baseurl()
    }

    /// The generated client underneath, for anything the typed surface does not cover yet. It applies the key,
    /// attribution headers and per-attempt timeout, but no retries, validation or error mapping.
    pub fn raw(&self) -> &raw::Client {
        &self.inner.raw
    }

    /// A copy of this client (same pool, same key, same view of the rate limit) with another retry policy: for one
    /// call, or a group of calls. It shares this client's retry budget when the policy's budget is the same.
    ///
    /// ```no_run
    /// # async fn run(client: openrouter_workspaces::Client) -> Result<(), openrouter_workspaces::Error> {
    /// use openrouter_workspaces::RetryPolicy;
    /// // This create may be retried after a 5xx: the caller checked that a duplicate is harmless.
    /// let eager = client.with_retry_policy(RetryPolicy::default().retry_non_idempotent(true));
    /// # Ok(()) }
    /// ```
    pub fn with_retry_policy(&self, policy: RetryPolicy) -> Client {
        let current = &self.inner.settings;
        let settings = Settings::new(policy, current.total_timeout, current.budget.as_ref());
        Client::from_parts(self.inner.raw.clone(), Arc::new(settings), self.inner.limiter.clone())
    }

    /// A copy of this client with another total deadline per call (attempts and waits included).
    pub fn with_total_timeout(&self, timeout: Duration) -> Client {
        let settings = Settings { total_timeout: timeout, ..(*self.inner.settings).clone() };
        Client::from_parts(self.inner.raw.clone(), Arc::new(settings), self.inner.limiter.clone())
    }

    /// The retry policy of this client.
    pub fn retry_policy(&self) -> &RetryPolicy {
        &self.inner.settings.retry
    }

    #[cfg(test)]
    pub(crate) fn transport_headers(&self) -> &reqwest::header::HeaderMap {
        self.inner.raw.inner().headers()
    }

    /// Runs one operation: `build` makes its request (a generated `<operation>_request` method, which builds it as
    /// progenitor's method would); this sends it through the client's transport, retries it as the policy allows
    /// within the total deadline, and decodes or maps what came back. Everything an attempt reads, an error's body
    /// included, is read within the deadline.
    ///
    /// The call's state (the retry loop, the attempt under way, the error of the last one) is boxed once, here:
    /// every future above it (the checked call, the handle's method, the caller's) then holds a pointer, where
    /// each would otherwise hold, and move, the whole state.
    pub(crate) fn call<'c, T, F>(
        &'c self,
        op: Operation,
        build: F,
    ) -> std::pin::Pin<Box<impl Future<Output = Result<Box<T>>>>>
    where
        T: DeserializeOwned,
        F: Fn(&'c raw::Client) -> reqwest::Result<reqwest::Request>,
    {
        // Allocated first, then made in place: `Box::pin(self.run(..))` would make the 1.6 KiB future on the stack
        // and copy all of it into the box (cache lines written twice, the second time cold), where this writes only
        // what an unstarted future holds (its arguments).
        Box::into_pin(Box::write(Box::new_uninit(), self.run(op, build)))
    }

    async fn run<'c, T, F>(&'c self, op: Operation, build: F) -> Result<Box<T>>
    where
        T: DeserializeOwned,
        F: Fn(&'c raw::Client) -> reqwest::Result<reqwest::Request>,
    {
        let settings = &*self.inner.settings;
        let raw = &self.inner.raw;
        let transport = raw.inner();
        let started = Instant::now();
        // `None`: a total timeout so large that the deadline is past the end of time, so never.
        let deadline = started.checked_add(settings.total_timeout);
        let limiter = &*self.inner.limiter;
        let mut attempt = 0u32;
        // The error of the previous attempt, while a retry waits for its turn; and what that retry cost.
        let mut previous: Option<Error> = None;
        let mut retry_cost: Option<u32> = None;
        loop {
            attempt = attempt.saturating_add(1);
            // The client's rate limiter: one atomic load unless a pause or a pace is in force.
            if limiter.is_active()
                && let Err(wait) = Box::pin(limiter.wait_turn(deadline)).await
            {
                let sent = attempt.saturating_sub(1);
                tracing::warn!(
                    operation = op.id.as_str(),
                    attempt,
                    wait_ms = u64::try_from(wait.as_millis()).unwrap_or(u64::MAX),
                    "not sent: the client's rate-limit wait passes the total deadline"
                );
                return Err(previous.unwrap_or_else(|| not_sent(op, wait, sent, settings.total_timeout)));
            }
            // Built for every attempt: a request's body is consumed by sending it.
            let request = match build(raw) {
                Ok(request) => request,
                Err(error) => return Err(not_built(op, error)),
            };
            // One clock read fewer for the first attempt, which starts as the call does.
            let attempt_started = if attempt == 1 { started } else { Instant::now() };
            // The attempt's own timeout ends it before the total deadline can pass: no second timer.
            let timer = deadline.filter(|d| {
                d.saturating_duration_since(attempt_started)
                    <= transport.attempt_timeout().saturating_add(DEADLINE_SLACK)
            });
            let mut note = AttemptNote::default();
            let answer = {
                let sending = transport.attempt(raw.client(), request, &mut note);
                match timer {
                    None => Some(sending.await),
                    // Boxed: the timer (rare: only when the deadline is nearer than the attempt's own timeout) stays
                    // out of every call's state.
                    Some(deadline) => Box::pin(tokio::time::timeout_at(deadline, sending)).await.ok(),
                }
            };
            let deadline_passed = || {
                tracing::warn!(
                    operation = op.id.as_str(),
                    attempt,
                    status = note.status,
                    elapsed_ms = ms(started),
                    "total deadline passed"
                );
                Err(past_deadline(op, &note, attempt, settings.total_timeout))
            };
            let Some(answer) = answer else { return deadline_passed() };
            let (error, failure) = match decode::<T>(op, answer, &note, attempt, transport.max_response_body()) {
                Ok(value) => {
                    tracing::debug!(
                        operation = op.id.as_str(),
                        attempt,
                        status = note.status,
                        elapsed_ms = ms(attempt_started),
                        request_id = note.request_id(),
                        "attempt succeeded"
                    );
                    if let Some(status) = note.status {
                        limiter.observe(status, attempt_started, note.hints(), settings.retry.get_max_retry_after());
                    }
                    if let Some(budget) = &settings.budget {
                        budget.on_success(retry_cost);
                    }
                    return Ok(value);
                }
                Err(failed) => *failed,
            };
            let failed = Failure { op, note: &note, attempt, attempt_started, deadline, error: &error, failure };
            match failed.retry(settings, limiter) {
                Some((wait, cost)) => {
                    retry_cost = cost;
                    if !wait.is_zero() {
                        tokio::time::sleep(wait).await;
                    }
                }
                None => return Err(error),
            }
            previous = Some(error);
        }
    }
}

/// A failed attempt of a call, and what is needed to decide whether to try again.
struct Failure<'a> {
    op: Operation,
    note: &'a AttemptNote,
    attempt: u32,
    attempt_started: Instant,
    deadline: Option<Instant>,
    error: &'a Error,
    failure: Option<AttemptFailure>,
}

impl Failure<'_> {
    /// Tells the rate limiter what the attempt's status said, then decides: `Some((wait, cost))` to try again after
    /// `wait` (what the retry took from the budget: `cost`), `None` to fail with the attempt's error. Out of the call
    /// loop's code (`inline(never)`): what every call runs stays small, and this runs only after a failure.
    #[inline(never)]
    fn retry(&self, settings: &Settings, limiter: &RateLimiter) -> Option<(Duration, Option<u32>)> {
        let Failure { op, note, attempt, attempt_started, deadline, error, failure } = *self;
        if let Some(status) = note.status {
            limiter.observe(status, attempt_started, note.hints(), settings.retry.get_max_retry_after());
        }
        // A 429 waits for the rate limiter (which honours the server's wait and paces the client), not for a
        // backoff of its own, and is bounded by the deadline and the budget rather than by max_attempts.
        let paced_429 = note.status == Some(429) && limiter.coordinates();
        let retry =
            failure.filter(|f| settings.retry.may_retry(*f, attempt, op.is_idempotent(), limiter.coordinates()));
        let (wait, resume_after) = match retry {
            None => (None, None),
            Some(_) if paced_429 => {
                let pause = note.hints().pause().map(|p| p.min(settings.retry.get_max_retry_after()));
                (Some(Duration::ZERO), Some(pause.unwrap_or_default()))
            }
            Some(_) => {
                let wait = settings.retry.wait(attempt, note.hints().wait);
                (Some(wait), Some(wait))
            }
        };
        let mut in_time = resume_after.is_some_and(|w| match deadline {
            Some(deadline) => Instant::now().checked_add(w).is_some_and(|resume| resume < deadline),
            None => true,
        });
        let mut cost = None;
        if in_time && let Some(budget) = &settings.budget {
            cost = budget.try_spend(matches!(error, Error::Timeout(_)));
            if cost.is_none() {
                in_time = false;
                tracing::warn!(
                    operation = op.id.as_str(),
                    attempt,
                    "retry budget exhausted: failing at once instead of retrying (see RetryBudget)"
                );
            }
        }
        tracing::info!(
            operation = op.id.as_str(),
            attempt,
            status = note.status,
            elapsed_ms = ms(attempt_started),
            request_id = note.request_id(),
            retry_in_ms = wait.filter(|_| in_time).map(|w| u64::try_from(w.as_millis()).unwrap_or(u64::MAX)),
            error = %error,
            "attempt failed"
        );
        wait.filter(|_| in_time).map(|wait| (wait, cost))
    }
}

/// How much longer than its timeout an attempt may run (building the request, decoding the body) before the
/// total deadline must be watched by a timer of its own.
const DEADLINE_SLACK: Duration = Duration::from_millis(100);

fn ms(since: Instant) -> u64 {
    u64::try_from(since.elapsed().as_millis()).unwrap_or(u64::MAX)
}

/// The error for a call whose total deadline passed during an attempt. A response whose status had arrived keeps
/// it: an error status is that status's error (its body, which did not arrive in time, is what is missing); a
/// success status whose body did not arrive is a timeout that records the status.
fn past_deadline(op: Operation, note: &AttemptNote, attempts: u32, total: Duration) -> Error {
    match note.status {
        Some(status) if !(200..300).contains(&status) => Error::from_api(noted_api_error(op, status, note, attempts)),
        status => {
            let mut message = format!("the call's total deadline of {total:?} passed");
            if let Some(status) = status {
                message.push_str(&format!(" while reading the body of a {status} response"));
            }
            Error::Timeout(Box::new(TransportError {
                operation: op,
                message,
                attempts,
                before_send: false,
                status,
                source: None,
            }))
        }
    }
}

/// The error of a call the client did not send: its view of the rate limit holds attempts for `wait` more, past
/// the call's total deadline. `attempts`: those made before (0 for a call that sent nothing).
fn not_sent(op: Operation, wait: Duration, attempts: u32, total: Duration) -> Error {
    Error::from_api(ApiError {
        status: 429,
        operation: op,
        code: None,
        message: Some(format!(
            "not sent: this client holds its requests for {:.3}s more (the server's rate limit, from an earlier \
             429 or 503 of this client, or its requests_per_second), past the call's total deadline of {total:?}; \
             try again later, or raise the client's total_timeout",
            wait.as_secs_f64()
        )),
        metadata: None,
        request_id: None,
        retry_after: Some(wait),
        rate_limit: None,
        body: None,
        attempts,
    })
}

/// The error of a call whose request could not be built (a body that does not serialize): nothing was sent, and
/// nothing will be by trying again.
fn not_built(op: Operation, error: reqwest::Error) -> Error {
    Error::invalid("request", format!("the request of {} could not be built: {error}", op.id), "")
}

/// A failed attempt: the crate's error and, when the failure may be retried, its kind.
type Failed = Box<(Error, Option<AttemptFailure>)>;

/// Turns what an attempt came back with into the answer's value or the crate's error: a success status's body
/// (any 2xx: an unexpected one, say 200 where the spec says 201, is a success too) decoded as `T`; an error
/// status's body read as the API's error shape when it is one, else kept as text.
fn decode<T: DeserializeOwned>(
    op: Operation,
    answer: Answer,
    note: &AttemptNote,
    attempts: u32,
    max_body: usize,
) -> std::result::Result<Box<T>, Failed> {
    let status = note.status;
    match answer {
        Answer::Body(body) => match status {
            Some(status) if (200..300).contains(&status) => match serde_json::from_slice::<T>(&body) {
                // Boxed at once: the answer (376 bytes for `getWorkspace`) then passes through the call loop, the
                // checked call and the handle's method as a pointer, not as a copy at each.
                Ok(value) => Ok(Box::new(value)),
                Err(e) => Err(decode_error(op, Some(status), note, e.to_string(), Some(&body))),
            },
            Some(status) => {
                let error = Error::from_api(with_body(noted_api_error(op, status, note, attempts), &body));
                Err(Box::new((error, Some(AttemptFailure::Status(status)))))
            }
            // A body is read only once a status has arrived.
            None => Err(decode_error(op, None, note, "no status".to_owned(), Some(&body))),
        },
        Answer::TooLarge => Err(decode_error(
            op,
            status,
            note,
            format!(
                "the response body is larger than the client's max_response_body of {max_body} bytes; if the \
                 server's responses are legitimately this large, raise it with `ClientBuilder::max_response_body`"
            ),
            None,
        )),
        Answer::Failed { error, before_send } => Err(Box::new(transport_error(op, error, before_send, note, attempts))),
    }
}

/// A success status whose body is not the answer's shape.
fn decode_error(
    op: Operation,
    status: Option<u16>,
    note: &AttemptNote,
    message: String,
    body: Option<&[u8]>,
) -> Failed {
    // A success body that holds a secret (a created API key's) is not kept, nor is the decoder's message (serde
    // quotes the value it could not read): an error must never carry the secret.
    let (message, body) = if crate::secret::answer_holds_secret(op.id) && body.is_some() {
        (crate::secret::withheld(&message), None)
    } else {
        (message, body.map(snippet))
    };
    let d = DecodeError { operation: op, status, request_id: note.request_id().map(str::to_owned), message, body };
    Box::new((Error::Decode(Box::new(d)), None))
}

/// An attempt that got no whole response: a timeout or a connection error, and whether it may be retried.
fn transport_error(
    op: Operation,
    e: reqwest::Error,
    before_send: bool,
    note: &AttemptNote,
    attempts: u32,
) -> (Error, Option<AttemptFailure>) {
    let timeout = e.is_timeout();
    // A refused server certificate is refused again on every attempt: said as such, and not retried.
    let refused = if before_send && !timeout { crate::tls::refused_certificate(&e) } else { None };
    let message = match (timeout, before_send, note.status) {
        (false, true, _) if refused.is_some() => format!(
            "could not connect: the server's TLS certificate was refused ({}); if a private certificate \
             authority signed it, trust it with `ClientBuilder::add_root_certificate_pem`",
            refused.as_deref().unwrap_or_default()
        ),
        (true, _, Some(status)) => format!("the attempt timed out while reading the body of a {status} response"),
        (true, _, None) => "the attempt timed out".to_owned(),
        (false, true, _) => "could not connect".to_owned(),
        (false, false, Some(status)) => {
            format!("the connection failed while reading the body of a {status} response")
        }
        (false, false, None) => "the connection failed".to_owned(),
    };
    let err = Box::new(TransportError {
        operation: op,
        message,
        attempts,
        before_send,
        status: note.status,
        source: Some(e),
    });
    let failure = match (before_send, &refused) {
        (_, Some(_)) => None,
        (true, None) => Some(AttemptFailure::NotSent),
        (false, None) => Some(AttemptFailure::Transport),
    };
    (if timeout { Error::Timeout(err) } else { Error::Connection(err) }, failure)
}

/// Fills an [`ApiError`] from a body: the API's JSON error shape when it is one, else the raw text (capped).
/// An error status as the attempt's note saw it (request id, retry hint, rate-limit headers), before its body is
/// read into it.
fn noted_api_error(operation: Operation, status: u16, note: &AttemptNote, attempts: u32) -> ApiError {
    ApiError {
        status,
        operation,
        code: None,
        message: None,
        metadata: None,
        request_id: note.request_id().map(str::to_owned),
        retry_after: note.hints().wait,
        rate_limit: note.hints().rate_limit.clone(),
        body: None,
        attempts,
    }
}

fn with_body(mut e: ApiError, bytes: &[u8]) -> ApiError {
    match serde_json::from_slice::<raw::types::ErrorResponse>(bytes) {
        Ok(body) => {
            e.code = Some(body.error.code);
            e.message = Some(body.error.message);
            e.metadata = body.error.metadata;
        }
        Err(_) => e.body = Some(snippet(bytes)),
    }
    e
}

/// The start of a body as text, at most [`MAX_BODY_KEPT`](crate::MAX_BODY_KEPT) bytes (a character cut at the
/// end becomes U+FFFD).
fn snippet(bytes: &[u8]) -> String {
    let cut = bytes.get(..crate::MAX_BODY_KEPT).unwrap_or(bytes);
    String::from_utf8_lossy(cut).into_owned()
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::retries::budget::RetryBudget;

    /// A call's state is boxed once, in `call`: the future a handle method returns holds a pointer and the
    /// call's arguments, not the retry loop and the generated request (1.6 KiB before; every layer moved it).
    #[test]
    fn a_call_future_holds_its_state_in_one_box() {
        let client = Client::builder().api_key("k").ignore_env().build().expect("a client");
        let get = client.workspaces().get("production");
        assert!(std::mem::size_of_val(&get) <= 128, "{} bytes", std::mem::size_of_val(&get));
        let checked = client.get_workspace("production");
        assert!(std::mem::size_of_val(&checked) <= 96, "{} bytes", std::mem::size_of_val(&checked));
        let call = client.call::<raw::types::GetWorkspaceResponse, _>(crate::operation::GET_WORKSPACE, |raw| {
            raw.get_workspace_request("production")
        });
        assert_eq!(std::mem::size_of_val(&call), std::mem::size_of::<usize>());
        // The state in the box: the retry loop and one attempt (reqwest's future, the response, the body read),
        // not the request, which reqwest's future holds. At most 1,024 bytes, which glibc's malloc serves from its
        // per-thread cache; 1,664 before (it held the request, and reqwest's `bytes()` future twice over).
        let state = client.run::<raw::types::GetWorkspaceResponse, _>(crate::operation::GET_WORKSPACE, |raw| {
            raw.get_workspace_request("production")
        });
        assert!(std::mem::size_of_val(&state) <= 1024, "{} bytes", std::mem::size_of_val(&state));
    }

    /// A client and its copies share one retry budget while their policies' budgets are the same; a different
    /// budget is a bucket of its own, and a policy without one has none.
    #[test]
    fn copies_share_the_retry_budget_unless_it_changes() {
        let client = Client::builder().api_key("k").ignore_env().build().expect("a client");
        let budget = |c: &Client| c.inner.settings.budget.clone().expect("a budget");
        let eager = client.with_retry_policy(RetryPolicy::default().retry_non_idempotent(true));
        assert!(Arc::ptr_eq(&budget(&client), &budget(&eager)));
        assert!(Arc::ptr_eq(&budget(&client), &budget(&client.with_total_timeout(Duration::from_secs(1)))));
        let small = client.with_retry_policy(RetryPolicy::default().retry_budget(RetryBudget::new(10)));
        assert!(!Arc::ptr_eq(&budget(&client), &budget(&small)));
        assert!(client.with_retry_policy(RetryPolicy::default().no_retry_budget()).inner.settings.budget.is_none());
        assert!(Arc::ptr_eq(&client.inner.limiter, &small.inner.limiter), "one rate limiter");
    }
}
