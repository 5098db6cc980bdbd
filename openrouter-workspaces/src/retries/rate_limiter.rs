//! The client-side rate limiter, shared by a client and its clones: calls wait their turn here before each
//! attempt, so that one call's `429` spares the others theirs, and the client finds the server's rate from what
//! happens rather than from what the headers seem to say.
//!
//! # What it does
//! - **Nothing, until a `429`.** While no `429` (or `503` asking for a wait) has been seen, an attempt costs one
//!   atomic load here.
//! - **A pause.** A `429` or `503` that says how long to wait holds every attempt of the client that would start
//!   before the wait is over (capped by the retry policy's `max_retry_after`). A `Retry-After` in whole seconds is
//!   rounded up by servers, so `Retry-After: N` holds attempts `N - 1` seconds, and the pace does the rest.
//! - **An adaptive pace** (the idea of aws-sdk-rust's adaptive retry mode, smithy-rs `ClientRateLimiter`: cut
//!   the rate on a throttle, grow it back along a CUBIC curve; measured differently, see below). After the first
//!   `429`, attempts are spaced by `1 / rate`, turns given in order. The rate:
//!   - starts from the best hint there is: `X-RateLimit-Limit` per `X-RateLimit-Reset` when that period is at
//!     least [`MIN_WINDOW`] long (a window, not the time to a bucket's next token); else one request per precise
//!     wait (`retry-after-ms`: the time to the next token); else [`START_RATE`]. Without a window hint it then
//!     *probes*, doubling every [`PROBE_DOUBLING`], until the next `429`;
//!   - is **measured** at each `429`: the requests the server accepted since an earlier `429` over the time
//!     between them. A `429` means the server's allowance was used up at that moment; between two of them, what
//!     it accepted is its rate, whatever its limiter is (token bucket, fixed or sliding window), and whatever its
//!     headers mean. That rate is taken as the ceiling (`w_max`) once at least [`MIN_SPAN`] separates the two;
//!   - is cut to `BETA` (0.9) of the ceiling and grows back along a CUBIC curve, reaching it after [`CUBIC_K`]
//!     and probing beyond; the next `429` measures again. A `429` answering a request sent before the last cut
//!     does not cut again (it says nothing about the new rate);
//!   - is forgotten a minute ([`FORGET_AFTER`]) after the last `429`: the client is back on the free path.
//! - **A fixed pace** the caller sets with [`ClientBuilder::requests_per_second`](crate::ClientBuilder), for a
//!   known quota: the slower of it and the adaptive pace holds.
//!
//! Every wait happens inside the call's total deadline: an attempt whose turn would come after it is not sent.
//! A turn reserved before a cut or a pause is taken again after it.

// No panics on any input: no unchecked arithmetic, no indexing that can be out of bounds (string slicing is
// refused crate-wide, in lib.rs).
#![cfg_attr(not(test), warn(clippy::arithmetic_side_effects, clippy::indexing_slicing))]

use std::sync::Mutex;
use std::sync::atomic::{AtomicBool, Ordering};
use std::time::{Duration, SystemTime};

use tokio::time::Instant;

use super::hints::Hints;

/// What is left of the ceiling after a cut (smithy-rs uses 0.7 of the *send* rate; the measured accepted rate is
/// a better ceiling, so the cut can be smaller).
const BETA: f64 = 0.9;
/// How long the CUBIC curve takes to grow back to the ceiling after a cut.
pub(crate) const CUBIC_K: Duration = Duration::from_secs(1);
/// While probing, the rate doubles this often.
pub(crate) const PROBE_DOUBLING: Duration = Duration::from_millis(100);
/// The least time between two `429`s for what was accepted between them to be taken as the server's rate.
pub(crate) const MIN_SPAN: Duration = Duration::from_millis(300);
/// The least `X-RateLimit-Reset` distance that reads as a window (shorter: the time to a bucket's next token).
pub(crate) const MIN_WINDOW: Duration = Duration::from_millis(100);
/// The probe's first rate when no header says anything usable, in requests per second.
pub(crate) const START_RATE: f64 = 10.0;
/// A learned pace is forgotten this long after the last `429`.
pub(crate) const FORGET_AFTER: Duration = Duration::from_secs(60);
/// The period of the send meter.
const METER_PERIOD: Duration = Duration::from_millis(250);
/// How far behind its pace a waiter that woke late may catch up.
const CATCH_UP: Duration = Duration::from_millis(10);
/// The slowest pace (smithy-rs's minimum fill rate), in requests per second.
const MIN_RATE: f64 = 0.5;
/// Above this, the pace spaces nothing (requests per second).
const MAX_RATE: f64 = 1.0e6;
/// After a probe of the CUBIC curve, the ceiling is at least this share of the rate that was refused: a
/// measurement biased low (a bucket that overflowed while the client was below the rate) cannot ratchet it down.
const KEEP_OF_REFUSED: f64 = 0.95;

/// The client-wide rate limiter. See the module's docs.
#[derive(Debug)]
pub(crate) struct RateLimiter {
    /// Whether a pause or a pace may be in force: the one thing every attempt reads.
    active: AtomicBool,
    /// Whether `429`s and `503`s are shared and the pace is learned (off: each call backs off alone).
    coordinate: bool,
    /// The caller's own pace (`requests_per_second`), as the least time between two attempts.
    fixed: Option<Duration>,
    schedule: Mutex<Schedule>,
}

#[derive(Debug, Default)]
struct Schedule {
    pause_until: Option<Instant>,
    /// The next free turn of the pace.
    next_slot: Option<Instant>,
    learned: Option<Learned>,
}

/// What the limiter learned since the first `429` it remembers.
#[derive(Debug, Clone, Copy)]
struct Learned {
    curve: Curve,
    /// When the rate was last cut: a `429` for a request sent before it does not cut again.
    cut_at: Instant,
    /// The measurement: a `429`'s instant, the requests the server accepted since, and the attempts sent since.
    anchor: Instant,
    accepted: u64,
    /// The attempts sent lately.
    sent: SendMeter,
    /// The last `429`, to forget all this a while after it.
    last_429: Instant,
}

/// The attempts sent in the last two periods of [`METER_PERIOD`]: the rate the client really sent at lately.
#[derive(Debug, Clone, Copy)]
struct SendMeter {
    since: Instant,
    current: u32,
    previous: u32,
}

impl SendMeter {
    fn new(now: Instant) -> SendMeter {
        SendMeter { since: now, current: 0, previous: 0 }
    }

    fn roll(&mut self, now: Instant) {
        let age = now.saturating_duration_since(self.since);
        if age >= METER_PERIOD {
            self.previous = if age < METER_PERIOD.saturating_mul(2) { self.current } else { 0 };
            self.current = 0;
            self.since = now;
        }
    }

    fn sent(&mut self, now: Instant) {
        self.roll(now);
        self.current = self.current.saturating_add(1);
    }

    /// Requests per second over the last period and this one so far.
    fn rate(&mut self, now: Instant) -> f64 {
        self.roll(now);
        let span = METER_PERIOD.saturating_add(now.saturating_duration_since(self.since)).as_secs_f64();
        f64::from(self.current.saturating_add(self.previous)) / span
    }
}

/// How the rate moves with time.
#[derive(Debug, Clone, Copy, PartialEq)]
enum Curve {
    /// No ceiling known yet: `start`, doubling every [`PROBE_DOUBLING`] since `since`.
    Probe { start: f64, since: Instant },
    /// A ceiling `w_max` cut at `at`: `BETA * w_max` then, `w_max` after [`CUBIC_K`], more after that.
    Cubic { w_max: f64, at: Instant },
}

impl Curve {
    /// The rate at `t` (requests per second), within [`MIN_RATE`, `MAX_RATE`].
    fn rate(&self, t: Instant) -> f64 {
        let rate = match *self {
            Curve::Probe { start, since } => {
                let doublings = t.saturating_duration_since(since).as_secs_f64() / PROBE_DOUBLING.as_secs_f64();
                start * doublings.min(64.0).exp2()
            }
            Curve::Cubic { w_max, at } => {
                let k = CUBIC_K.as_secs_f64();
                let x = (t.saturating_duration_since(at).as_secs_f64() - k) / k;
                w_max * (1.0 + (1.0 - BETA) * x.powi(3))
            }
        };
        if rate.is_nan() { MIN_RATE } else { rate.clamp(MIN_RATE, MAX_RATE) }
    }
}

/// When an attempt may go.
#[derive(Debug, PartialEq, Eq)]
pub(crate) enum Turn {
    /// Now.
    Now,
    /// Not before this instant: ask again then (nothing is reserved).
    At(Instant),
    /// Not before the deadline: this much later than now.
    TooLate(Duration),
}

impl RateLimiter {
    /// `coordinate`: whether `429`s and `503`s are shared and the pace learned; `fixed`: the least time between
    /// two attempts the caller asked for.
    pub(crate) fn new(coordinate: bool, fixed: Option<Duration>) -> RateLimiter {
        RateLimiter {
            active: AtomicBool::new(fixed.is_some()),
            coordinate,
            fixed,
            schedule: Mutex::new(Schedule::default()),
        }
    }

    /// Whether a pause or a pace may be in force (when not, an attempt goes at once and nothing is locked).
    #[inline]
    pub(crate) fn is_active(&self) -> bool {
        self.active.load(Ordering::Relaxed)
    }

    /// Whether `429`s are shared (the client's pace answers them, not each call's own backoff).
    pub(crate) fn coordinates(&self) -> bool {
        self.coordinate
    }

    fn lock(&self) -> std::sync::MutexGuard<'_, Schedule> {
        self.schedule.lock().unwrap_or_else(|p| p.into_inner())
    }

    /// Takes a turn for an attempt that wants to go at `now`: `Now` (the turn is taken), or when to ask again
    /// (nothing is reserved: a rate that grows meanwhile serves the waiters sooner), or `TooLate` when the next
    /// turn would come at or after `deadline`.
    pub(crate) fn reserve(&self, now: Instant, deadline: Option<Instant>) -> Turn {
        let mut s = self.lock();
        if s.pause_until.is_some_and(|p| p <= now) {
            s.pause_until = None;
        }
        if s.learned.is_some_and(|l| now.saturating_duration_since(l.last_429) >= FORGET_AFTER) {
            tracing::debug!("rate limit: no 429 for a while; the learned pace is forgotten");
            s.learned = None;
        }
        let learned = s.learned.map(|l| Duration::from_secs_f64(1.0 / l.curve.rate(now)));
        let interval = match (self.fixed, learned) {
            (Some(a), Some(b)) => Some(a.max(b)),
            (a, b) => a.or(b),
        };
        if interval.is_none() {
            s.next_slot = None;
            if s.pause_until.is_none() {
                self.active.store(false, Ordering::Relaxed);
                return Turn::Now;
            }
        }
        let earliest = s.pause_until.map_or(now, |p| p.max(now));
        let slot = match s.next_slot {
            Some(next) if interval.is_some() => next.max(earliest),
            _ => earliest,
        };
        if deadline.is_some_and(|d| slot >= d) {
            return Turn::TooLate(slot.saturating_duration_since(now));
        }
        if slot > now {
            return Turn::At(slot);
        }
        if let Some(l) = s.learned.as_mut() {
            l.sent.sent(now);
        }
        if let Some(interval) = interval {
            // A waiter that woke late may catch up by a little, so that timer jitter does not slow the pace.
            let floor = now.checked_sub(interval.max(CATCH_UP)).unwrap_or(now);
            let from = s.next_slot.map_or(now, |n| n.max(floor));
            // Past the end of time: no later turn can be given.
            s.next_slot = Some(from.checked_add(interval).unwrap_or(from));
        }
        Turn::Now
    }

    /// Waits for the attempt's turn; `Err(wait)` at once, without waiting, when the turn would come at or after
    /// the deadline (`wait`: how long from now it would have been).
    pub(crate) async fn wait_turn(&self, deadline: Option<Instant>) -> Result<(), Duration> {
        loop {
            match self.reserve(Instant::now(), deadline) {
                Turn::Now => return Ok(()),
                Turn::TooLate(wait) => return Err(wait),
                Turn::At(at) => tokio::time::sleep_until(at).await,
            }
        }
    }

    /// Learns from the answer to an attempt sent at `sent_at`: a `429` or a `503` with a wait pauses the
    /// client, a `429` cuts the pace, anything else counts as accepted while a pace is learned. `max_wait` caps
    /// a pause. Costs one atomic load while nothing is in force and the status is neither.
    pub(crate) fn observe(&self, status: u16, sent_at: Instant, hints: &Hints, max_wait: Duration) {
        if !self.coordinate || (status != 429 && status != 503 && !self.is_active()) {
            return;
        }
        let now = Instant::now();
        let pause = (status == 429 || status == 503)
            .then(|| hints.pause())
            .flatten()
            .map(|p| p.min(max_wait))
            .filter(|p| !p.is_zero())
            .and_then(|p| now.checked_add(p));
        let mut s = self.lock();
        if status != 429
            && let Some(learned) = s.learned.as_mut()
        {
            learned.accepted = learned.accepted.saturating_add(1);
        }
        if let Some(until) = pause {
            if s.pause_until.is_none_or(|p| p < until) {
                s.pause_until = Some(until);
            }
            self.active.store(true, Ordering::Relaxed);
        }
        if status != 429 {
            return;
        }
        self.active.store(true, Ordering::Relaxed);
        // The server gives its allowance back when its pause ends: measure from there.
        let resume = s.pause_until.map_or(now, |p| p.max(now));
        let learned = match s.learned {
            None => Learned {
                curve: first_curve(hints, resume),
                cut_at: now,
                anchor: resume,
                accepted: 0,
                sent: SendMeter::new(now),
                last_429: now,
            },
            Some(mut l) => {
                l.last_429 = now;
                if sent_at >= l.cut_at {
                    cut(&mut l, sent_at, hints, now, resume);
                }
                l
            }
        };
        if s.learned.is_none_or(|old| old.cut_at != learned.cut_at) {
            // The server just said no: the next turn is one interval of the new pace away.
            let interval = Duration::from_secs_f64(1.0 / learned.curve.rate(now));
            s.next_slot = Some(now.checked_add(interval).unwrap_or(now));
            tracing::debug!(
                rate = learned.curve.rate(now),
                curve = ?learned.curve,
                "rate limit: the client paces its calls"
            );
        }
        s.learned = Some(learned);
    }

    /// The learned rate at `now`, if any (requests per second).
    #[cfg(test)]
    fn rate(&self, now: Instant) -> Option<f64> {
        self.lock().learned.map(|l| l.curve.rate(now))
    }
}

/// The pace after the first `429`: a window the headers state (believed only when long enough to be one), else
/// a probe from one request per precise wait, else from [`START_RATE`].
fn first_curve(hints: &Hints, now: Instant) -> Curve {
    if let Some(rate) = hints.window_rate(SystemTime::now(), MIN_WINDOW) {
        return Curve::Cubic { w_max: rate, at: now };
    }
    let per_wait = hints.wait.filter(|w| !hints.coarse && !w.is_zero()).map(|w| 1.0 / w.as_secs_f64());
    Curve::Probe { start: per_wait.unwrap_or(START_RATE), since: now }
}

/// A `429` answering a request sent under the current pace: measure if the span allows, and cut.
fn cut(l: &mut Learned, sent_at: Instant, hints: &Hints, now: Instant, resume: Instant) {
    let span = now.saturating_duration_since(l.anchor);
    #[allow(clippy::cast_precision_loss)] // a request count: far below 2^52
    let measured = (span >= MIN_SPAN && l.accepted > 0).then(|| l.accepted as f64 / span.as_secs_f64());
    // The rate the refused request was sent at: the pace's, or what was really sent lately when that was less.
    let refused = l.curve.rate(sent_at).min(l.sent.rate(now));
    let w_max = match (measured, l.curve) {
        // What was accepted is the ceiling; a probe may have been refused at up to twice the rate.
        (Some(accepted), Curve::Probe { .. }) => accepted.max(refused / 2.0),
        (Some(accepted), Curve::Cubic { .. }) => accepted.max(KEEP_OF_REFUSED * refused),
        // Too soon to measure: keep probing from half the refused rate, or cut the curve at the refused rate.
        (None, Curve::Probe { .. }) => {
            l.curve = Curve::Probe { start: (refused / 2.0).max(START_RATE), since: now };
            l.cut_at = now;
            return;
        }
        (None, Curve::Cubic { .. }) => refused,
    };
    // A window the headers state, lower than what was measured, is believed: it explains the refusal.
    let hinted = hints.window_rate(SystemTime::now(), MIN_WINDOW).filter(|h| *h < w_max);
    l.curve = Curve::Cubic { w_max: hinted.unwrap_or(w_max), at: now };
    l.cut_at = now;
    if measured.is_some() {
        l.anchor = resume;
        l.accepted = 0;
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::retries::hints::RateLimitInfo;
    use std::time::UNIX_EPOCH;

    fn wait(ms: u64) -> Hints {
        Hints { wait: Some(Duration::from_millis(ms)), ..Hints::default() }
    }

    #[tokio::test(start_paused = true)]
    async fn a_pause_holds_every_turn_until_it_ends_and_a_deadline_before_it_is_refused() {
        let t = RateLimiter::new(true, None);
        assert!(!t.is_active());
        assert_eq!(t.reserve(Instant::now(), None), Turn::Now);
        let now = Instant::now();
        t.observe(503, now, &wait(2_000), Duration::from_secs(20));
        assert!(t.is_active());
        let Turn::At(at) = t.reserve(now, None) else { panic!("held") };
        assert_eq!(at, now + Duration::from_secs(2));
        assert_eq!(t.reserve(now, Some(now + Duration::from_secs(1))), Turn::TooLate(Duration::from_secs(2)));
        // The server's wait is capped by the policy's.
        t.observe(503, now, &wait(3_600_000), Duration::from_secs(5));
        let Turn::At(at) = t.reserve(now, None) else { panic!("held") };
        assert_eq!(at, now + Duration::from_secs(5));
        tokio::time::advance(Duration::from_secs(6)).await;
        assert_eq!(t.reserve(Instant::now(), None), Turn::Now);
        assert!(!t.is_active(), "a 503 teaches no pace: back to the free path");
        // Other statuses, and a client that does not coordinate, change nothing.
        t.observe(500, now, &wait(2_000), Duration::from_secs(20));
        assert!(!t.is_active());
        let alone = RateLimiter::new(false, None);
        alone.observe(429, now, &wait(2_000), Duration::from_secs(20));
        assert_eq!(alone.reserve(Instant::now(), None), Turn::Now);
    }

    #[tokio::test(start_paused = true)]
    async fn a_whole_seconds_retry_after_is_rounded_up_by_the_server_so_it_pauses_a_second_less() {
        let t = RateLimiter::new(true, None);
        let now = Instant::now();
        let coarse = Hints { wait: Some(Duration::from_secs(3)), coarse: true, rate_limit: None };
        t.observe(429, now, &coarse, Duration::from_secs(20));
        let Turn::At(at) = t.reserve(now, None) else { panic!("held") };
        assert_eq!(at, now + Duration::from_secs(2));
    }

    #[tokio::test(start_paused = true)]
    async fn a_fixed_pace_gives_one_turn_per_interval_and_reserves_none_ahead() {
        let t = RateLimiter::new(true, Some(Duration::from_millis(100)));
        assert!(t.is_active());
        let now = Instant::now();
        assert_eq!(t.reserve(now, None), Turn::Now);
        let next = Turn::At(now + Duration::from_millis(100));
        assert_eq!(t.reserve(now, None), next);
        assert_eq!(t.reserve(now, None), next, "asking again takes nothing");
        let deadline = Some(now + Duration::from_millis(50));
        assert_eq!(t.reserve(now, deadline), Turn::TooLate(Duration::from_millis(100)));
        tokio::time::advance(Duration::from_millis(100)).await;
        assert_eq!(t.reserve(Instant::now(), None), Turn::Now);
        assert_eq!(t.reserve(Instant::now(), None), Turn::At(now + Duration::from_millis(200)));
        // Four waiters, one turn each, one interval apart.
        let started = Instant::now();
        let waiters = (0..4).map(|_| t.wait_turn(None));
        futures_util::future::join_all(waiters).await;
        assert_eq!(Instant::now() - started, Duration::from_millis(400));
    }

    #[test]
    fn the_cubic_curve_starts_at_beta_reaches_the_ceiling_after_k_and_probes_beyond() {
        let at = Instant::now();
        let curve = Curve::Cubic { w_max: 200.0, at };
        let rate = |ms| curve.rate(at + Duration::from_millis(ms));
        assert!((rate(0) - 180.0).abs() < 1e-9, "{}", rate(0));
        assert!(rate(500) > 197.0 && rate(500) < 200.0, "concave: close to the ceiling early");
        assert!((rate(1_000) - 200.0).abs() < 1e-9);
        assert!(rate(1_500) > 200.0 && rate(1_500) < 203.0, "flat near the ceiling");
        assert!(rate(3_000) > 250.0, "convex beyond: probes for more");
        let probe = Curve::Probe { start: 10.0, since: at };
        assert!((probe.rate(at + PROBE_DOUBLING * 3) - 80.0).abs() < 1e-9);
        assert_eq!(probe.rate(at + Duration::from_secs(3600)), MAX_RATE);
    }

    /// A token bucket at 200/s whose 429s point to the next token: the first 429 starts a probe at one request
    /// per wait; a 429 after MIN_SPAN measures what was accepted since the first and takes it as the ceiling.
    #[tokio::test(start_paused = true)]
    async fn the_ceiling_is_what_the_server_accepted_between_two_429s_whatever_its_headers_say() {
        let t = RateLimiter::new(true, None);
        let start = Instant::now();
        // `X-RateLimit-Limit` 50 with a reset 5 ms away: not a window, so no rate is taken from it.
        let reset = SystemTime::now() + Duration::from_millis(5);
        let bucket = Hints {
            wait: Some(Duration::from_millis(5)),
            coarse: false,
            rate_limit: Some(RateLimitInfo { limit: Some(50), remaining: Some(0), reset: Some(reset) }),
        };
        t.observe(429, start, &bucket, Duration::from_secs(20));
        let r0 = t.rate(start).unwrap();
        assert!((r0 - 200.0).abs() < 1.0, "one request per 5 ms wait: {r0}");
        // 400 ms during which the server accepts 80 requests (200/s), then a 429 for a request sent after the
        // first: the ceiling is 200/s, whatever the probe had grown to.
        for _ in 0..100 {
            t.reserve(start, None);
        }
        tokio::time::advance(Duration::from_millis(400)).await;
        for _ in 0..80 {
            t.observe(201, start, &Hints::default(), Duration::from_secs(20));
        }
        let now = Instant::now();
        t.observe(429, now - Duration::from_millis(1), &Hints::default(), Duration::from_secs(20));
        let rate = t.rate(now).unwrap();
        // Measured from the end of the 5 ms pause: 80 in 395 ms.
        assert!((rate - 0.9 * 80.0 / 0.395).abs() < 1.0, "BETA of the measured ~200/s: {rate}");
        // A 429 answering a request sent before that cut does not cut again.
        t.observe(429, now - Duration::from_millis(2), &Hints::default(), Duration::from_secs(20));
        assert!((t.rate(now).unwrap() - rate).abs() < 1e-9);
        // A minute without a 429: forgotten, and the client is back on the free path.
        tokio::time::advance(FORGET_AFTER).await;
        assert_eq!(t.reserve(Instant::now(), None), Turn::Now);
        assert!(!t.is_active());
    }

    #[tokio::test(start_paused = true)]
    async fn a_window_the_headers_state_sets_the_ceiling_and_a_bare_429_starts_a_probe() {
        let now = Instant::now();
        let epoch_ms = |t: SystemTime| t.duration_since(UNIX_EPOCH).unwrap().as_millis() as u64;
        let reset = UNIX_EPOCH + Duration::from_millis(epoch_ms(SystemTime::now() + Duration::from_millis(250)));
        let window = Hints {
            wait: Some(Duration::from_millis(250)),
            coarse: false,
            rate_limit: Some(RateLimitInfo { limit: Some(50), remaining: Some(0), reset: Some(reset) }),
        };
        let t = RateLimiter::new(true, None);
        t.observe(429, now, &window, Duration::from_secs(20));
        let rate = t.rate(now).unwrap();
        assert!(rate > 175.0 && rate < 190.0, "BETA of 50 per 250 ms: {rate}");
        let Turn::At(at) = t.reserve(now, None) else { panic!("paused") };
        assert!(at >= now + Duration::from_millis(240), "and the window's end is waited for");

        let bare = RateLimiter::new(true, None);
        bare.observe(429, now, &Hints::default(), Duration::from_secs(20));
        assert_eq!(bare.rate(now), Some(START_RATE));
        assert!(
            matches!(bare.reserve(now, None), Turn::At(at) if at == now + Duration::from_millis(100)),
            "no pause, but the next turn is one interval of the start rate away"
        );
        // A 429 before MIN_SPAN: too soon to measure; the probe restarts from half the rate sent (never below
        // START_RATE), slower than it had grown to.
        let mut sent = 0;
        while sent < 8 {
            match bare.reserve(Instant::now(), None) {
                Turn::Now => sent += 1,
                Turn::At(at) => tokio::time::advance(at - Instant::now()).await,
                Turn::TooLate(_) => unreachable!("no deadline"),
            }
        }
        let now = Instant::now();
        let before = bare.rate(now).unwrap();
        bare.observe(429, now, &Hints::default(), Duration::from_secs(20));
        let after = bare.rate(now).unwrap();
        assert!(after >= START_RATE && after <= before / 2.0 + 1e-9, "{before} -> {after}");
    }
}
