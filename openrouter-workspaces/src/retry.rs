//! When to retry a failed attempt, and how long to wait first.
//!
//! The defaults never duplicate a write and never hang: a request that may have reached the server is retried
//! only when the method is idempotent (GET, PUT, DELETE), unless the caller opts in; waits grow exponentially
//! with jitter, honour the server's `retry-after-ms` / `Retry-After` up to a cap, and every call ends within the
//! client's total deadline.

// No panics on any input: no unchecked arithmetic, no indexing that can be out of bounds (string slicing is
// refused crate-wide, in lib.rs).
#![cfg_attr(not(test), warn(clippy::arithmetic_side_effects, clippy::indexing_slicing))]

use std::time::{Duration, SystemTime};

use reqwest::header::HeaderMap;

use crate::retry_budget::RetryBudget;

/// How the client retries failed attempts.
///
/// | condition | retried by default for |
/// |---|---|
/// | connection could not be opened (nothing was sent) | every method |
/// | `429 Too Many Requests` | every method |
/// | `408`, `500`, `502`, `503`, `504` | GET, PUT, DELETE and the POSTs the spec marks idempotent (and other POST/PATCH with [`retry_non_idempotent`](Self::retry_non_idempotent)) |
/// | timeout or connection lost after sending | the same (likewise) |
///
/// The POSTs marked idempotent (`x-idempotent` in the spec, [`Operation::is_idempotent`](crate::operation::Operation::is_idempotent))
/// are adding and removing workspace members: replaying them adds or removes nobody twice. Creating a workspace
/// is not one of them.
///
/// Every retry also draws on the client's [`RetryBudget`] (on by default), shared by all the calls of a client
/// and its clones: when it runs out, calls end with their last error instead of retrying, so a failing server
/// sees a bounded amount of extra load.
///
/// ```
/// use std::time::Duration;
/// use openrouter_workspaces::RetryPolicy;
///
/// let policy = RetryPolicy::default()
///     .max_attempts(5)
///     .initial_backoff(Duration::from_millis(100))
///     .max_backoff(Duration::from_secs(2));
/// assert_eq!(policy.get_max_attempts(), 5);
/// assert_eq!(RetryPolicy::none().get_max_attempts(), 1);
/// ```
#[derive(Clone, Debug, PartialEq)]
pub struct RetryPolicy {
    max_attempts: u32,
    initial_backoff: Duration,
    max_backoff: Duration,
    max_retry_after: Duration,
    jitter: bool,
    retry_non_idempotent: bool,
    retry_rate_limited: bool,
    retry_budget: Option<RetryBudget>,
}

impl Default for RetryPolicy {
    /// 3 attempts, backoff from 250 ms doubling up to 5 s with jitter, server hints honoured up to 20 s, and the
    /// default [`RetryBudget`] (500 tokens, 5 per retry).
    fn default() -> Self {
        RetryPolicy {
            max_attempts: 3,
            initial_backoff: Duration::from_millis(250),
            max_backoff: Duration::from_secs(5),
            max_retry_after: Duration::from_secs(20),
            jitter: true,
            retry_non_idempotent: false,
            retry_rate_limited: true,
            retry_budget: Some(RetryBudget::default()),
        }
    }
}

/// Why an attempt failed, as the retry policy sees it.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) enum Failure {
    /// A connection could not be opened: the request was not sent.
    NotSent,
    /// The exchange failed after the request may have been sent (timeout, reset).
    Transport,
    /// The server answered with this status.
    Status(u16),
}

impl RetryPolicy {
    /// No retries: every call makes exactly one attempt.
    pub fn none() -> Self {
        RetryPolicy { max_attempts: 1, ..RetryPolicy::default() }
    }

    /// The most attempts per call, the first included (at least 1).
    pub fn max_attempts(mut self, attempts: u32) -> Self {
        self.max_attempts = attempts.max(1);
        self
    }

    /// The wait before the first retry; each later wait doubles, up to [`max_backoff`](Self::max_backoff).
    pub fn initial_backoff(mut self, wait: Duration) -> Self {
        self.initial_backoff = wait;
        self
    }

    /// The longest computed wait between attempts.
    pub fn max_backoff(mut self, wait: Duration) -> Self {
        self.max_backoff = wait;
        self
    }

    /// The longest wait the server may ask for with `Retry-After` / `retry-after-ms`; longer requests are cut to it.
    pub fn max_retry_after(mut self, wait: Duration) -> Self {
        self.max_retry_after = wait;
        self
    }

    /// Whether computed waits are randomized (between half and all of the backoff) to spread out clients.
    pub fn jitter(mut self, jitter: bool) -> Self {
        self.jitter = jitter;
        self
    }

    /// Also retry POST and PATCH after a server error or a lost connection. Off by default: such a retry may
    /// create a second workspace or apply a change twice.
    pub fn retry_non_idempotent(mut self, retry: bool) -> Self {
        self.retry_non_idempotent = retry;
        self
    }

    /// Whether `429 Too Many Requests` is retried (on by default, for every method: the server did not act).
    pub fn retry_rate_limited(mut self, retry: bool) -> Self {
        self.retry_rate_limited = retry;
        self
    }

    /// The retry budget that bounds the retries of all the calls of a client together (see [`RetryBudget`]).
    /// On by default. A client and its clones share one bucket; [`Client::with_retry_policy`] keeps sharing it
    /// when the new policy's budget is the same, and starts a bucket of its own when it is not.
    ///
    /// [`Client::with_retry_policy`]: crate::Client::with_retry_policy
    pub fn retry_budget(mut self, budget: RetryBudget) -> Self {
        self.retry_budget = Some(budget);
        self
    }

    /// No retry budget: every call may make all of its attempts, whatever the other calls did. A server that fails
    /// everything then sees up to [`max_attempts`](Self::max_attempts) times its normal load.
    pub fn no_retry_budget(mut self) -> Self {
        self.retry_budget = None;
        self
    }

    /// The most attempts per call.
    pub fn get_max_attempts(&self) -> u32 {
        self.max_attempts
    }

    /// The longest wait a server's `Retry-After` may impose (see [`max_retry_after`](Self::max_retry_after)).
    pub fn get_max_retry_after(&self) -> Duration {
        self.max_retry_after
    }

    /// The retry budget, if there is one.
    pub fn get_retry_budget(&self) -> Option<RetryBudget> {
        self.retry_budget
    }

    /// Whether a failure of an operation with this idempotency may be retried (attempt counting aside).
    pub(crate) fn allows(&self, failure: Failure, idempotent: bool) -> bool {
        let replay_ok = idempotent || self.retry_non_idempotent;
        match failure {
            Failure::NotSent => true,
            Failure::Status(429) => self.retry_rate_limited,
            Failure::Status(408 | 500 | 502 | 503 | 504) => replay_ok,
            Failure::Status(_) => false,
            Failure::Transport => replay_ok,
        }
    }

    /// The wait before attempt `attempt + 1`, given the server's hint (already parsed) if any.
    pub(crate) fn wait(&self, attempt: u32, hint: Option<Duration>) -> Duration {
        if let Some(hint) = hint {
            return hint.min(self.max_retry_after);
        }
        let exp = attempt.saturating_sub(1).min(20);
        let backoff = self.initial_backoff.saturating_mul(1u32 << exp).min(self.max_backoff);
        if self.jitter {
            let half = backoff.checked_div(2).unwrap_or_default();
            half.saturating_add(half.mul_f64(fastrand::f64()))
        } else {
            backoff
        }
    }
}

/// Reads the server's wait hint: `retry-after-ms` (milliseconds), then `Retry-After` (seconds, possibly
/// fractional, or an HTTP date).
pub(crate) fn retry_after(headers: &HeaderMap) -> Option<Duration> {
    let text = |name: &str| headers.get(name).and_then(|v| v.to_str().ok()).map(str::trim);
    if let Some(ms) = text("retry-after-ms").and_then(|v| v.parse::<f64>().ok()) {
        return secs(ms / 1000.0);
    }
    let value = text("retry-after")?;
    if let Ok(s) = value.parse::<f64>() {
        return secs(s);
    }
    let date = httpdate::parse_http_date(value).ok()?;
    Some(date.duration_since(SystemTime::now()).unwrap_or(Duration::ZERO))
}

fn secs(s: f64) -> Option<Duration> {
    (s.is_finite() && s >= 0.0).then(|| Duration::try_from_secs_f64(s).ok()).flatten()
}

#[cfg(test)]
mod tests {
    use super::*;
    use reqwest::header::HeaderValue;

    #[test]
    fn default_rules_never_replay_a_write_after_it_may_have_been_sent() {
        let p = RetryPolicy::default();
        for (failure, get, post) in [
            (Failure::NotSent, true, true),
            (Failure::Status(429), true, true),
            (Failure::Status(500), true, false),
            (Failure::Status(502), true, false),
            (Failure::Status(503), true, false),
            (Failure::Status(504), true, false),
            (Failure::Status(408), true, false),
            (Failure::Transport, true, false),
            (Failure::Status(404), false, false),
            (Failure::Status(501), false, false),
        ] {
            assert_eq!(p.allows(failure, true), get, "{failure:?} on GET");
            assert_eq!(p.allows(failure, false), post, "{failure:?} on POST");
        }
        let opted = p.clone().retry_non_idempotent(true);
        assert!(opted.allows(Failure::Status(500), false) && opted.allows(Failure::Transport, false));
        assert!(!p.retry_rate_limited(false).allows(Failure::Status(429), true));
    }

    #[test]
    fn backoff_doubles_up_to_the_cap_and_jitter_stays_within_half_to_all() {
        let p = RetryPolicy::default()
            .initial_backoff(Duration::from_millis(100))
            .max_backoff(Duration::from_millis(350))
            .jitter(false);
        let waits: Vec<u128> = (1..=4).map(|a| p.wait(a, None).as_millis()).collect();
        assert_eq!(waits, [100, 200, 350, 350]);
        let j = p.jitter(true);
        for attempt in 1..=4 {
            for _ in 0..50 {
                let w = j.wait(attempt, None).as_millis();
                let full = [100, 200, 350, 350][attempt as usize - 1];
                assert!(w >= full / 2 && w <= full, "attempt {attempt}: {w}");
            }
        }
    }

    #[test]
    fn server_hints_are_honoured_and_capped() {
        let p = RetryPolicy::default().max_retry_after(Duration::from_secs(10));
        assert_eq!(p.wait(1, Some(Duration::from_secs(3))), Duration::from_secs(3));
        assert_eq!(p.wait(1, Some(Duration::from_secs(3600))), Duration::from_secs(10));
    }

    #[test]
    fn retry_after_forms_are_parsed() {
        let mut h = HeaderMap::new();
        assert_eq!(retry_after(&h), None);
        h.insert("retry-after", HeaderValue::from_static("2"));
        assert_eq!(retry_after(&h), Some(Duration::from_secs(2)));
        h.insert("retry-after", HeaderValue::from_static("0.5"));
        assert_eq!(retry_after(&h), Some(Duration::from_millis(500)));
        h.insert("retry-after-ms", HeaderValue::from_static("1500"));
        assert_eq!(retry_after(&h), Some(Duration::from_millis(1500)), "retry-after-ms wins");
        h.remove("retry-after-ms");
        let later = httpdate::fmt_http_date(SystemTime::now() + Duration::from_secs(30));
        h.insert("retry-after", HeaderValue::from_str(&later).unwrap());
        let d = retry_after(&h).unwrap();
        assert!(d > Duration::from_secs(27) && d <= Duration::from_secs(30), "{d:?}");
        h.insert("retry-after", HeaderValue::from_static("Wed, 21 Oct 2015 07:28:00 GMT"));
        assert_eq!(retry_after(&h), Some(Duration::ZERO), "a past date means now");
        for junk in ["-1", "soon", "NaN", "inf"] {
            h.insert("retry-after", HeaderValue::from_static(junk));
            assert_eq!(retry_after(&h), None, "{junk}");
        }
    }
}
