//! The retry budget: a token bucket shared by a client and its clones that every retry draws from, so that a
//! failing server sees a bounded amount of extra load however many calls are made.
//!
//! The scheme and its numbers are those of the "retry quota" of aws-sdk-rust's standard retry mode (smithy-rs
//! `TokenBucket`: 500 tokens, 5 per retry, 10 per retry after a timeout, 1 back per call that succeeds at once, a
//! successful retry's cost given back).

// No panics on any input: no unchecked arithmetic, no indexing that can be out of bounds (string slicing is
// refused crate-wide, in lib.rs).
#![cfg_attr(not(test), warn(clippy::arithmetic_side_effects, clippy::indexing_slicing))]

use std::sync::atomic::{AtomicU32, Ordering};

/// How many retries a client may make while its calls fail: a token bucket shared by the client and its clones.
///
/// Every retry spends [`retry_cost`](Self::retry_cost) tokens ([`timeout_retry_cost`](Self::timeout_retry_cost)
/// after a timeout); a call that succeeds at its first attempt puts [`success_reward`](Self::success_reward) back,
/// and a call that succeeds after retrying gives back what its last retry cost. When a retry would cost more than
/// is left, the call ends at once with its last error (a `tracing` warning says the budget ran out) instead of
/// retrying: first attempts are never refused, only retries.
///
/// The defaults are aws-sdk-rust's (standard retry mode): 500 tokens, 5 per retry, 10 per retry after a timeout,
/// 1 back per success. What that means for a server that fails every request: at most `500 / 5 = 100` retries in
/// all, however many calls are made (1,000 calls cost 1,100 requests instead of the 3,000 that 3 attempts each
/// would); once the bucket is empty, retries resume at one per 5 successes, so extra load stays below 20% of the
/// successful traffic. A healthy client never notices: an isolated failure costs 5 of 500 tokens and is paid back
/// by the retry's success. A timeout costs twice as much, because a server that times out is the one least able
/// to take more load.
///
/// ```
/// use openrouter_workspaces::{RetryBudget, RetryPolicy};
///
/// let budget = RetryBudget::default();
/// assert_eq!((budget.get_capacity(), budget.get_retry_cost(), budget.get_success_reward()), (500, 5, 1));
/// // A smaller budget: at most 10 retries in a row of failures.
/// let policy = RetryPolicy::default().retry_budget(RetryBudget::new(50).retry_cost(5));
/// // Or none: every call may make all of its attempts, whatever the others did.
/// let unbounded = RetryPolicy::default().no_retry_budget();
/// assert_eq!(unbounded.get_retry_budget(), None);
/// ```
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct RetryBudget {
    capacity: u32,
    retry_cost: u32,
    timeout_retry_cost: u32,
    success_reward: u32,
}

impl Default for RetryBudget {
    /// 500 tokens, 5 per retry, 10 per retry after a timeout, 1 back per success (aws-sdk-rust's numbers).
    fn default() -> Self {
        RetryBudget { capacity: 500, retry_cost: 5, timeout_retry_cost: 10, success_reward: 1 }
    }
}

impl RetryBudget {
    /// A budget of `capacity` tokens (full at the start), with the default costs and reward.
    pub fn new(capacity: u32) -> Self {
        RetryBudget { capacity, ..RetryBudget::default() }
    }

    /// Tokens one retry spends (after a failure other than a timeout). Default 5.
    pub fn retry_cost(mut self, tokens: u32) -> Self {
        self.retry_cost = tokens;
        self
    }

    /// Tokens one retry after a timeout spends. Default 10.
    pub fn timeout_retry_cost(mut self, tokens: u32) -> Self {
        self.timeout_retry_cost = tokens;
        self
    }

    /// Tokens a call that succeeds at its first attempt puts back (up to the capacity). Default 1.
    pub fn success_reward(mut self, tokens: u32) -> Self {
        self.success_reward = tokens;
        self
    }

    /// The most tokens the bucket holds (and holds at the start).
    pub fn get_capacity(&self) -> u32 {
        self.capacity
    }

    /// Tokens one retry spends.
    pub fn get_retry_cost(&self) -> u32 {
        self.retry_cost
    }

    /// Tokens one retry after a timeout spends.
    pub fn get_timeout_retry_cost(&self) -> u32 {
        self.timeout_retry_cost
    }

    /// Tokens a first-attempt success puts back.
    pub fn get_success_reward(&self) -> u32 {
        self.success_reward
    }
}

/// A budget's tokens, shared by a client and its clones.
#[derive(Debug)]
pub(crate) struct BudgetTokens {
    config: RetryBudget,
    tokens: AtomicU32,
}

impl BudgetTokens {
    pub(crate) fn new(config: RetryBudget) -> Self {
        BudgetTokens { config, tokens: AtomicU32::new(config.capacity) }
    }

    pub(crate) fn config(&self) -> RetryBudget {
        self.config
    }

    /// Takes the cost of one retry (`after_timeout`: the failure was a timeout); `None` when too few tokens are
    /// left, or the tokens taken.
    pub(crate) fn try_spend(&self, after_timeout: bool) -> Option<u32> {
        let cost = if after_timeout { self.config.timeout_retry_cost } else { self.config.retry_cost };
        self.tokens.fetch_update(Ordering::AcqRel, Ordering::Acquire, |left| left.checked_sub(cost)).ok()?;
        Some(cost)
    }

    /// A call succeeded: `refund` is what its last retry cost (`None` when it succeeded at its first attempt,
    /// which earns the reward instead). Never above the capacity. Costs one atomic load when the bucket is full.
    pub(crate) fn on_success(&self, refund: Option<u32>) {
        let amount = refund.unwrap_or(self.config.success_reward);
        if amount == 0 || self.tokens.load(Ordering::Relaxed) >= self.config.capacity {
            return;
        }
        let cap = self.config.capacity;
        let _ = self.tokens.fetch_update(Ordering::AcqRel, Ordering::Acquire, |left| {
            (left < cap).then(|| left.saturating_add(amount).min(cap))
        });
    }

    /// Tokens left (for tests and `Debug`).
    pub(crate) fn available(&self) -> u32 {
        self.tokens.load(Ordering::Relaxed)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn retries_spend_successes_refill_and_an_empty_bucket_refuses() {
        let state = BudgetTokens::new(RetryBudget::new(12).retry_cost(5).timeout_retry_cost(10));
        assert_eq!(state.try_spend(false), Some(5));
        assert_eq!(state.available(), 7);
        assert_eq!(state.try_spend(true), None, "a timeout retry costs 10, 7 are left");
        assert_eq!(state.try_spend(false), Some(5));
        assert_eq!(state.try_spend(false), None, "2 left");
        state.on_success(None);
        assert_eq!(state.available(), 3, "a first-attempt success earns 1");
        state.on_success(Some(10));
        assert_eq!(state.available(), 12, "a successful retry gives its cost back, up to the capacity");
        state.on_success(None);
        assert_eq!(state.available(), 12, "never above the capacity");
    }

    #[test]
    fn the_defaults_are_aws_standard_retry_mode() {
        let b = RetryBudget::default();
        assert_eq!(
            (b.get_capacity(), b.get_retry_cost(), b.get_timeout_retry_cost(), b.get_success_reward()),
            (500, 5, 10, 1)
        );
        // A server that fails everything: the bucket pays for exactly capacity / cost retries.
        let state = BudgetTokens::new(b);
        let retries = std::iter::from_fn(|| state.try_spend(false)).count();
        assert_eq!(retries, 100);
    }
}
