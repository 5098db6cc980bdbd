//! Retries: when to retry a failed attempt ([`policy`]), how many retries a client may make while its calls fail
//! ([`budget`]), what a response's headers hint about waiting ([`hints`], read once per response), and the
//! client-side rate limiter that paces a client and its clones after a `429` ([`rate_limiter`]).
//!
//! The layout follows smithy-rs's `aws-smithy-runtime` `client/retries` (a policy, a retry quota, a client rate
//! limiter), whose adaptive retry mode is the model for [`rate_limiter`].

pub(crate) mod budget;
pub(crate) mod hints;
pub(crate) mod policy;
pub(crate) mod rate_limiter;

pub use budget::RetryBudget;
pub use hints::RateLimitInfo;
pub use policy::RetryPolicy;
