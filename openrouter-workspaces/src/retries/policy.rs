//! When to retry a failed attempt, and how long to wait first.
//!
//! The defaults never duplicate a write and never hang: a request that may have reached the server is retried
//! only when the method is idempotent (GET, PUT, DELETE), unless the caller opts in; waits grow exponentially
//! with jitter, honour the server's `retry-after-ms` / `Retry-After` up to a cap, and every call ends within the
//! client's total deadline.

// No panics on any input: no unchecked arithmetic, no indexing that can be out of bounds (string slicing is
// refused crate-wide, in lib.rs).
#![cfg_attr(not(test), warn(clippy::arithmetic_side_effects, clippy::indexing_slicing))]

use std::time::Duration;

use super::budget::RetryBudget;

/// How the client retries failed attempts.
///
/// | condition | retried by default for |
/// |---|---|
/// | connection could not be opened (nothing was sent) | every method |
/// | `429 Too Many Requests` | every method, however many attempts were made (see below) |
/// | `408`, `500`, `502`, `503`, `504` | GET, PUT, DELETE and the POSTs the spec marks idempotent (and other POST/PATCH with [`retry_non_idempotent`](Self::retry_non_idempotent)) |
/// | timeout or connection lost after sending | the same methods as the row above (likewise) |
///
/// The POSTs marked idempotent (`x-idempotent` in the spec, [`Operation::is_idempotent`](crate::operation::Operation::is_idempotent))
/// are adding and removing workspace members: replaying them adds or removes nobody twice. Creating a workspace
/// is not one of them.
///
/// A `429` means the server did not process the request, so resending it is safe for every method, and it does
/// not end a call while there is time: retries after a `429` are bounded by the call's total deadline
/// ([`ClientBuilder::total_timeout`](crate::ClientBuilder::total_timeout)) and the retry budget, not by
/// [`max_attempts`](Self::max_attempts). They wait for the client's rate limiter, which honours the server's
/// wait and paces the client and its clones at the rate it measures (see
/// [`ClientBuilder::rate_limit_coordination`](crate::ClientBuilder::rate_limit_coordination)); a `429` whose wait
/// would pass the deadline ends the call at once with [`Error::RateLimited`](crate::Error::RateLimited). Without
/// coordination, a `429` is retried like the others: up to `max_attempts`, after the server's wait. A POST or
/// PATCH that got a `5xx` is still never replayed unless [`retry_non_idempotent`](Self::retry_non_idempotent)
/// says so.
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
pub(crate) enum AttemptFailure {
    /// A connection could not be opened: the request was not sent.
    NotSent,
    /// The exchange failed after the request may have been sent (timeout, reset).
    Transport,
    /// The server answered with this status.
    Status(u16),
}

impl RetryPolicy {
    /// No retries: every call makes exactly one attempt (a `429` included).
    pub fn none() -> Self {
        RetryPolicy { max_attempts: 1, retry_rate_limited: false, ..RetryPolicy::default() }
    }

    /// The most attempts per call, the first included (at least 1). Retries after a `429` are not counted against
    /// it when the client coordinates (see the type's docs).
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

    /// Whether attempt number `attempt` may be followed by another: the policy allows the failure, and attempts
    /// are left (`rate_limit_paced`: a `429` paced by the client's rate limiter, bounded by the deadline and the
    /// budget instead).
    pub(crate) fn may_retry(
        &self,
        failure: AttemptFailure,
        attempt: u32,
        idempotent: bool,
        rate_limit_paced: bool,
    ) -> bool {
        let paced_429 = rate_limit_paced && failure == AttemptFailure::Status(429);
        (attempt < self.max_attempts || paced_429) && self.allows(failure, idempotent)
    }

    /// Whether a failure of an operation with this idempotency may be retried (attempt counting aside).
    pub(crate) fn allows(&self, failure: AttemptFailure, idempotent: bool) -> bool {
        let replay_ok = idempotent || self.retry_non_idempotent;
        match failure {
            AttemptFailure::NotSent => true,
            AttemptFailure::Status(429) => self.retry_rate_limited,
            AttemptFailure::Status(408 | 500 | 502 | 503 | 504) => replay_ok,
            AttemptFailure::Status(_) => false,
            AttemptFailure::Transport => replay_ok,
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

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn default_rules_never_replay_a_write_after_it_may_have_been_sent() {
        let p = RetryPolicy::default();
        for (failure, get, post) in [
            (AttemptFailure::NotSent, true, true),
            (AttemptFailure::Status(429), true, true),
            (AttemptFailure::Status(500), true, false),
            (AttemptFailure::Status(502), true, false),
            (AttemptFailure::Status(503), true, false),
            (AttemptFailure::Status(504), true, false),
            (AttemptFailure::Status(408), true, false),
            (AttemptFailure::Transport, true, false),
            (AttemptFailure::Status(404), false, false),
            (AttemptFailure::Status(501), false, false),
        ] {
            assert_eq!(p.allows(failure, true), get, "{failure:?} on GET");
            assert_eq!(p.allows(failure, false), post, "{failure:?} on POST");
        }
        let opted = p.clone().retry_non_idempotent(true);
        assert!(opted.allows(AttemptFailure::Status(500), false) && opted.allows(AttemptFailure::Transport, false));
        assert!(!p.clone().retry_rate_limited(false).allows(AttemptFailure::Status(429), true));
        // A paced 429 is retried past max_attempts; nothing else is, and `none()` retries nothing.
        assert!(p.may_retry(AttemptFailure::Status(429), 10, false, true));
        assert!(!p.may_retry(AttemptFailure::Status(429), 3, false, false));
        assert!(!p.may_retry(AttemptFailure::Status(503), 3, true, true));
        assert!(p.may_retry(AttemptFailure::Status(503), 2, true, true));
        assert!(!RetryPolicy::none().may_retry(AttemptFailure::Status(429), 1, true, true));
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
}
