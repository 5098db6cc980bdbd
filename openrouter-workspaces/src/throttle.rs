//! The client-wide view of the rate limit, shared by a client and its clones: calls wait their turn here before
//! each attempt, so that one call's `429` spares the others theirs.
//!
//! # What is shared
//! - **A pause.** A `429` or `503` whose answer says how long to wait (`retry-after-ms`, `Retry-After`, or for a
//!   `429` only, `X-RateLimit-Reset`) holds every attempt of the client that would start before the wait is over
//!   (the wait is capped by the retry policy's `max_retry_after`).
//! - **A pace** learned from the `X-RateLimit-*` headers of a `429`: OpenRouter documents `X-RateLimit-Limit`,
//!   `X-RateLimit-Remaining` and `X-RateLimit-Reset` on its rate-limit errors. With `Remaining: 0`, the server says
//!   that `Limit` requests come back by `Reset`; the client then spaces its attempts by `(Reset - now) / Limit`,
//!   5% slower than that, for a minute after the last such `429` (every new one renews it; the slowest pace seen in
//!   that minute holds). Against a token bucket whose `Reset` is when the bucket is full again, that is exactly
//!   the bucket's rate; against a fixed window, it is at most the window's rate, and the next window's `429`
//!   corrects it. This is a hint, not a contract: it never makes the client send sooner than it would without it.
//! - **A fixed pace** the caller sets with [`ClientBuilder::requests_per_second`](crate::ClientBuilder), for a
//!   known quota.
//!
//! Turns are reserved in order (each attempt takes the next slot of the pace), so waiting calls are served first
//! come, first served and none is starved. Every wait happens inside the call's total deadline: an attempt whose
//! turn would come after it is not sent, and the call fails at once.
//!
//! # `X-RateLimit-Reset`
//! Read as an absolute Unix time in **milliseconds**: OpenRouter's rate-limit errors carry values such as
//! `1743033600000` (the next midnight UTC, for a daily limit), which only read as milliseconds. A value that is
//! not a time within a day of now in that unit (seconds would read as 1970, microseconds as a far future) is
//! ignored, so a wrong guess about the unit costs the hint, never a long wait. It is only used on a `429` that
//! says `X-RateLimit-Remaining: 0`, and `Retry-After` wins over it. It relies on this machine's clock being close
//! to the server's (NTP); a skewed clock makes the learned pace wrong for at most a minute.
//!
//! Nothing here costs a call anything while no pause or pace is in force: one atomic load per attempt.

// No panics on any input: no unchecked arithmetic, no indexing that can be out of bounds (string slicing is
// refused crate-wide, in lib.rs).
#![cfg_attr(not(test), warn(clippy::arithmetic_side_effects, clippy::indexing_slicing))]

use std::sync::Mutex;
use std::sync::atomic::{AtomicBool, Ordering};
use std::time::{Duration, SystemTime, UNIX_EPOCH};

use reqwest::header::HeaderMap;
use tokio::time::Instant;

/// How long a pace learned from a `429` holds after the last `429` that taught it.
const PACE_MEMORY: Duration = Duration::from_secs(60);
/// How far from now an `X-RateLimit-Reset` may be and still be believed.
const MAX_RESET_DISTANCE: Duration = Duration::from_secs(24 * 60 * 60);

/// What a `429` said about the rate limit in its `X-RateLimit-*` headers, as OpenRouter documents them on its
/// rate-limit errors. See [`ApiError::rate_limit`](crate::ApiError::rate_limit).
#[derive(Clone, Debug, PartialEq, Eq)]
#[non_exhaustive]
pub struct RateLimitInfo {
    /// `X-RateLimit-Limit`: the requests allowed per period.
    pub limit: Option<u64>,
    /// `X-RateLimit-Remaining`: the requests left in this period.
    pub remaining: Option<u64>,
    /// `X-RateLimit-Reset`, read as Unix milliseconds: when the period's requests come back. `None` when absent,
    /// or when the value is not a time within a day of now in that unit.
    pub reset: Option<SystemTime>,
}

impl RateLimitInfo {
    /// The `X-RateLimit-*` headers of a response, `None` when it has none of them. Numbers that do not parse as
    /// non-negative integers are left out.
    pub(crate) fn from_headers(headers: &HeaderMap, now: SystemTime) -> Option<RateLimitInfo> {
        let number = |name: &str| headers.get(name)?.to_str().ok()?.trim().parse::<u64>().ok();
        let (limit, remaining) = (number("x-ratelimit-limit"), number("x-ratelimit-remaining"));
        let reset = number("x-ratelimit-reset").and_then(|ms| {
            let at = UNIX_EPOCH.checked_add(Duration::from_millis(ms))?;
            let distance = at.duration_since(now).or_else(|e| Ok::<_, ()>(e.duration())).ok()?;
            if distance > MAX_RESET_DISTANCE {
                tracing::debug!(value = ms, "X-RateLimit-Reset is not Unix milliseconds within a day of now; ignored");
                return None;
            }
            Some(at)
        });
        let any = headers.contains_key("x-ratelimit-limit")
            || headers.contains_key("x-ratelimit-remaining")
            || headers.contains_key("x-ratelimit-reset");
        any.then_some(RateLimitInfo { limit, remaining, reset })
    }

    /// How long until the requests come back, when the server said that none are left and when they return.
    pub(crate) fn exhausted_for(&self, now: SystemTime) -> Option<Duration> {
        if self.remaining != Some(0) {
            return None;
        }
        self.reset?.duration_since(now).ok().filter(|d| !d.is_zero())
    }
}

/// A client's view of the rate limit. See the module's docs.
#[derive(Debug)]
pub(crate) struct Throttle {
    /// Whether a pause or a pace may be in force: the one thing every attempt reads.
    active: AtomicBool,
    /// Whether `429`s and `503`s of one call hold the others (off: each call backs off alone).
    coordinate: bool,
    /// The caller's own pace (`requests_per_second`).
    fixed: Option<Duration>,
    state: Mutex<State>,
}

#[derive(Debug, Default)]
struct State {
    pause_until: Option<Instant>,
    /// A pace learned from a `429`, and until when it holds.
    learned: Option<(Duration, Instant)>,
    /// The next free turn of the pace.
    next_slot: Option<Instant>,
}

/// When an attempt may go.
#[derive(Debug, PartialEq, Eq)]
pub(crate) enum Turn {
    /// Now.
    Now,
    /// At this instant (the turn is reserved).
    At(Instant),
    /// Not before the deadline: this much later than now.
    TooLate(Duration),
}

impl Throttle {
    /// `fixed`: the least time between two attempts the caller asked for.
    pub(crate) fn new(coordinate: bool, fixed: Option<Duration>) -> Throttle {
        Throttle { active: AtomicBool::new(fixed.is_some()), coordinate, fixed, state: Mutex::new(State::default()) }
    }

    /// Whether a pause or a pace may be in force (when not, an attempt goes at once and nothing is locked).
    #[inline]
    pub(crate) fn is_active(&self) -> bool {
        self.active.load(Ordering::Relaxed)
    }

    fn lock(&self) -> std::sync::MutexGuard<'_, State> {
        self.state.lock().unwrap_or_else(|p| p.into_inner())
    }

    /// Reserves the next turn for an attempt that wants to go at `now`, unless it would come at or after
    /// `deadline` (then nothing is reserved).
    pub(crate) fn reserve(&self, now: Instant, deadline: Option<Instant>) -> Turn {
        let mut s = self.lock();
        if s.pause_until.is_some_and(|p| p <= now) {
            s.pause_until = None;
        }
        if s.learned.is_some_and(|(_, until)| until <= now) {
            s.learned = None;
        }
        let interval = match (self.fixed, s.learned.map(|(i, _)| i)) {
            (Some(a), Some(b)) => Some(a.max(b)),
            (a, b) => a.or(b),
        };
        if interval.is_none() {
            s.next_slot = None;
        }
        if s.pause_until.is_none() && interval.is_none() {
            self.active.store(false, Ordering::Relaxed);
            return Turn::Now;
        }
        let earliest = s.pause_until.map_or(now, |p| p.max(now));
        let slot = match s.next_slot {
            Some(next) if interval.is_some() => next.max(earliest),
            _ => earliest,
        };
        if deadline.is_some_and(|d| slot >= d) {
            return Turn::TooLate(slot.saturating_duration_since(now));
        }
        if let Some(interval) = interval {
            // Past the end of time: no later turn can be given.
            s.next_slot = Some(slot.checked_add(interval).unwrap_or(slot));
        }
        if slot <= now { Turn::Now } else { Turn::At(slot) }
    }

    /// Whether a pause holds attempts at `now` (one that began while an attempt waited for its turn).
    fn paused_at(&self, now: Instant) -> bool {
        self.lock().pause_until.is_some_and(|p| p > now)
    }

    /// Waits for the attempt's turn; `Err(wait)` at once, without waiting, when the turn would come at or after
    /// the deadline (`wait`: how long from now it would have been).
    pub(crate) async fn wait_turn(&self, deadline: Option<Instant>) -> Result<(), Duration> {
        loop {
            match self.reserve(Instant::now(), deadline) {
                Turn::Now => return Ok(()),
                Turn::TooLate(wait) => return Err(wait),
                Turn::At(at) => {
                    tokio::time::sleep_until(at).await;
                    // A pause that began while this attempt waited holds it too: take a turn after it.
                    if !self.paused_at(Instant::now()) {
                        return Ok(());
                    }
                }
            }
        }
    }

    /// Learns from a `429` or `503`: `hint` is the wait the response asked for (already read from
    /// `retry-after-ms`, `Retry-After` or `X-RateLimit-Reset`), capped at `max_wait`; `info` its `X-RateLimit-*`
    /// headers. Does nothing for other statuses, or when coordination is off.
    pub(crate) fn observe(
        &self,
        status: u16,
        hint: Option<Duration>,
        info: Option<&RateLimitInfo>,
        max_wait: Duration,
    ) {
        if !self.coordinate || !matches!(status, 429 | 503) {
            return;
        }
        let now = Instant::now();
        let pause = hint.map(|h| h.min(max_wait)).filter(|h| !h.is_zero()).and_then(|h| now.checked_add(h));
        let pace = if status == 429 { info.and_then(|i| learned_interval(i, SystemTime::now())) } else { None };
        if pause.is_none() && pace.is_none() {
            return;
        }
        let mut s = self.lock();
        if let Some(until) = pause {
            s.pause_until = Some(s.pause_until.map_or(until, |p| p.max(until)));
        }
        if let Some(interval) = pace {
            let kept = s.learned.filter(|(_, until)| *until > now).map(|(i, _)| i);
            let until = now.checked_add(PACE_MEMORY).unwrap_or(now);
            s.learned = Some((kept.map_or(interval, |k| k.max(interval)), until));
        }
        self.active.store(true, Ordering::Relaxed);
        tracing::debug!(
            status,
            pause_ms = pause.map(|p| p.saturating_duration_since(now).as_millis()),
            pace_us = s.learned.map(|(i, _)| i.as_micros()),
            "rate limit: the client's calls wait their turn"
        );
    }
}

/// The time between two attempts that a `429`'s headers imply: `Limit` requests by `Reset`, 5% slower.
fn learned_interval(info: &RateLimitInfo, now: SystemTime) -> Option<Duration> {
    let until_reset = info.exhausted_for(now)?;
    let limit = u32::try_from(info.limit?).unwrap_or(u32::MAX);
    let interval = until_reset.checked_div(limit)?;
    interval.checked_mul(20)?.checked_div(19)
}

#[cfg(test)]
mod tests {
    use super::*;
    use reqwest::header::HeaderValue;

    fn headers(pairs: &[(&'static str, String)]) -> HeaderMap {
        let mut h = HeaderMap::new();
        for (name, value) in pairs {
            h.insert(*name, HeaderValue::from_str(value).unwrap());
        }
        h
    }

    fn epoch_ms(t: SystemTime) -> u64 {
        t.duration_since(UNIX_EPOCH).unwrap().as_millis() as u64
    }

    #[test]
    fn reset_is_unix_milliseconds_and_other_units_are_ignored() {
        let now = SystemTime::now();
        let in_two_s = now + Duration::from_secs(2);
        let h = headers(&[
            ("x-ratelimit-limit", "50".into()),
            ("x-ratelimit-remaining", "0".into()),
            ("x-ratelimit-reset", epoch_ms(in_two_s).to_string()),
        ]);
        let info = RateLimitInfo::from_headers(&h, now).unwrap();
        assert_eq!((info.limit, info.remaining), (Some(50), Some(0)));
        let left = info.exhausted_for(now).unwrap();
        assert!(left > Duration::from_millis(1990) && left <= Duration::from_secs(2), "{left:?}");
        // 2 s over 50 requests, 5% slower.
        let interval = learned_interval(&info, now).unwrap();
        assert!(interval > Duration::from_micros(41_900) && interval <= Duration::from_micros(42_106), "{interval:?}");

        let seconds = epoch_ms(in_two_s) / 1000;
        let micros = epoch_ms(in_two_s) * 1000;
        for wrong in [seconds.to_string(), micros.to_string(), "soon".into(), "-5".into(), u64::MAX.to_string()] {
            let h = headers(&[("x-ratelimit-remaining", "0".into()), ("x-ratelimit-reset", wrong.clone())]);
            let info = RateLimitInfo::from_headers(&h, now).unwrap();
            assert_eq!(info.reset, None, "{wrong}");
            assert_eq!(info.exhausted_for(now), None, "{wrong}");
        }
        assert_eq!(RateLimitInfo::from_headers(&HeaderMap::new(), now), None);
        // Requests left: no wait implied.
        let h =
            headers(&[("x-ratelimit-remaining", "3".into()), ("x-ratelimit-reset", epoch_ms(in_two_s).to_string())]);
        assert_eq!(RateLimitInfo::from_headers(&h, now).unwrap().exhausted_for(now), None);
    }

    #[tokio::test(start_paused = true)]
    async fn a_pause_holds_every_turn_until_it_ends_and_a_deadline_before_it_is_refused() {
        let t = Throttle::new(true, None);
        assert!(!t.is_active());
        assert_eq!(t.reserve(Instant::now(), None), Turn::Now);
        t.observe(429, Some(Duration::from_secs(2)), None, Duration::from_secs(20));
        assert!(t.is_active());
        let now = Instant::now();
        assert_eq!(t.reserve(now, None), Turn::At(now + Duration::from_secs(2)));
        assert_eq!(t.reserve(now, Some(now + Duration::from_secs(1))), Turn::TooLate(Duration::from_secs(2)));
        // The server's wait is capped by the policy's.
        t.observe(503, Some(Duration::from_secs(3600)), None, Duration::from_secs(5));
        assert_eq!(t.reserve(now, None), Turn::At(now + Duration::from_secs(5)));
        tokio::time::advance(Duration::from_secs(6)).await;
        assert_eq!(t.reserve(Instant::now(), None), Turn::Now);
        assert!(!t.is_active(), "nothing in force any more: back to the free path");
        // Other statuses, and a client that does not coordinate, change nothing.
        t.observe(500, Some(Duration::from_secs(2)), None, Duration::from_secs(20));
        assert!(!t.is_active());
        let alone = Throttle::new(false, None);
        alone.observe(429, Some(Duration::from_secs(2)), None, Duration::from_secs(20));
        assert_eq!(alone.reserve(Instant::now(), None), Turn::Now);
    }

    #[tokio::test(start_paused = true)]
    async fn a_pace_gives_turns_in_order_one_interval_apart() {
        let t = Throttle::new(true, Some(Duration::from_millis(100)));
        assert!(t.is_active());
        let now = Instant::now();
        let turns: Vec<Turn> = (0..4).map(|_| t.reserve(now, None)).collect();
        let at = |ms| Turn::At(now + Duration::from_millis(ms));
        assert_eq!(turns, [Turn::Now, at(100), at(200), at(300)]);
        assert_eq!(t.reserve(now, Some(now + Duration::from_millis(350))), Turn::TooLate(Duration::from_millis(400)));
        assert_eq!(t.reserve(now, None), at(400), "a refused turn is not taken");
    }

    #[tokio::test(start_paused = true)]
    async fn a_429_with_rate_limit_headers_teaches_a_pace_that_expires() {
        let t = Throttle::new(true, None);
        let now = SystemTime::now();
        let info = RateLimitInfo { limit: Some(10), remaining: Some(0), reset: Some(now + Duration::from_secs(1)) };
        t.observe(429, None, Some(&info), Duration::from_secs(20));
        let start = Instant::now();
        assert_eq!(t.reserve(start, None), Turn::Now);
        let Turn::At(second) = t.reserve(start, None) else { panic!("paced") };
        let gap = second - start;
        assert!(gap > Duration::from_millis(100) && gap < Duration::from_millis(110), "{gap:?}");
        tokio::time::advance(PACE_MEMORY + Duration::from_secs(1)).await;
        assert_eq!(t.reserve(Instant::now(), None), Turn::Now);
        assert!(!t.is_active());
    }
}
