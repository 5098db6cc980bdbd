//! What a response's headers say about when to try again: read once per response, here and nowhere else.
//!
//! - `retry-after-ms` (milliseconds), then `Retry-After` (seconds, possibly fractional, or an HTTP date): the wait
//!   the server asks for. A `Retry-After` in whole seconds with no `retry-after-ms` is **coarse**: servers round
//!   it up, so `Retry-After: 1` means "somewhere within the next second" (see [`Hints::coarse`]).
//! - On a `429`, the `X-RateLimit-*` headers OpenRouter documents on its rate-limit errors ([`RateLimitInfo`]);
//!   `X-RateLimit-Reset` with `X-RateLimit-Remaining: 0` is the wait when no `Retry-After` is given.
//!
//! # `X-RateLimit-Reset`
//! Read as an absolute Unix time in **milliseconds**: OpenRouter's rate-limit errors carry values such as
//! `1743033600000` (the next midnight UTC, for a daily limit), which only read as milliseconds. A value that is
//! not a time within a day of now in that unit (seconds would read as 1970, microseconds as a far future) is
//! ignored, so a wrong guess about the unit costs the hint, never a long wait. It relies on this machine's clock
//! being close to the server's (NTP).
//!
//! None of these is taken for the server's rate: they are hints, which the rate limiter
//! ([`rate_limiter`](super::rate_limiter)) weighs against what it measures.

// No panics on any input: no unchecked arithmetic, no indexing that can be out of bounds (string slicing is
// refused crate-wide, in lib.rs).
#![cfg_attr(not(test), warn(clippy::arithmetic_side_effects, clippy::indexing_slicing))]

use std::time::{Duration, SystemTime, UNIX_EPOCH};

use reqwest::header::HeaderMap;

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

/// What one response's headers hint at. Read only for error statuses: a success costs nothing here.
#[derive(Clone, Debug, Default, PartialEq)]
pub(crate) struct Hints {
    /// The wait asked for: `retry-after-ms`, `Retry-After`, or on a `429` an exhausted `X-RateLimit-Reset`.
    pub(crate) wait: Option<Duration>,
    /// Whether [`wait`](Self::wait) is only a whole-seconds `Retry-After` (no `retry-after-ms`): rounded up by the
    /// server, so an upper bound of the real wait rather than a measure of it.
    pub(crate) coarse: bool,
    /// The `X-RateLimit-*` headers of a `429`.
    pub(crate) rate_limit: Option<RateLimitInfo>,
}

impl Hints {
    /// No hint at all.
    pub(crate) const NONE: Hints = Hints { wait: None, coarse: false, rate_limit: None };

    /// The hints of a response with this status and headers, read at `now`.
    pub(crate) fn read(status: u16, headers: &HeaderMap, now: SystemTime) -> Hints {
        if (200..300).contains(&status) {
            return Hints::default();
        }
        let (mut wait, coarse) = match retry_after(headers) {
            Some((wait, coarse)) => (Some(wait), coarse),
            None => (None, false),
        };
        let rate_limit = if status == 429 { RateLimitInfo::from_headers(headers, now) } else { None };
        if wait.is_none() {
            wait = rate_limit.as_ref().and_then(|i| i.exhausted_for(now));
        }
        Hints { wait, coarse, rate_limit }
    }

    /// How long the client should hold its attempts: the wait, a second less when it is coarse (a whole-seconds
    /// `Retry-After: N` is rounded up, so the server's real wait is somewhere after `N - 1` seconds).
    pub(crate) fn pause(&self) -> Option<Duration> {
        let wait = self.wait?;
        Some(if self.coarse { wait.saturating_sub(Duration::from_secs(1)) } else { wait })
    }

    /// The rate that `X-RateLimit-Limit` requests per `X-RateLimit-Reset` implies (requests per second), when the
    /// server says none are left and the period is long enough to be a limiter's window rather than the time to
    /// its next token (`min_period`). Whether to believe it is the rate limiter's call.
    pub(crate) fn window_rate(&self, now: SystemTime, min_period: Duration) -> Option<f64> {
        let info = self.rate_limit.as_ref()?;
        let period = info.exhausted_for(now).filter(|p| *p >= min_period)?;
        let limit = info.limit.filter(|l| *l > 0)?;
        #[allow(clippy::cast_precision_loss)] // a request count: far below 2^52
        let rate = limit as f64 / period.as_secs_f64();
        rate.is_finite().then_some(rate)
    }
}

/// Reads the server's wait hint: `retry-after-ms` (milliseconds), then `Retry-After` (seconds, possibly
/// fractional, or an HTTP date); and whether it is coarse (a `Retry-After` in whole seconds).
fn retry_after(headers: &HeaderMap) -> Option<(Duration, bool)> {
    let text = |name: &str| headers.get(name).and_then(|v| v.to_str().ok()).map(str::trim);
    if let Some(ms) = text("retry-after-ms").and_then(|v| v.parse::<f64>().ok()) {
        return secs(ms / 1000.0).map(|d| (d, false));
    }
    let value = text("retry-after")?;
    if let Ok(whole) = value.parse::<u64>() {
        return Some((Duration::from_secs(whole), true));
    }
    if let Ok(s) = value.parse::<f64>() {
        return secs(s).map(|d| (d, false));
    }
    let date = httpdate::parse_http_date(value).ok()?;
    Some((date.duration_since(SystemTime::now()).unwrap_or(Duration::ZERO), true))
}

fn secs(s: f64) -> Option<Duration> {
    (s.is_finite() && s >= 0.0).then(|| Duration::try_from_secs_f64(s).ok()).flatten()
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
    fn retry_after_forms_are_parsed_and_whole_seconds_are_coarse() {
        let mut h = HeaderMap::new();
        assert_eq!(retry_after(&h), None);
        h.insert("retry-after", HeaderValue::from_static("2"));
        assert_eq!(retry_after(&h), Some((Duration::from_secs(2), true)));
        h.insert("retry-after", HeaderValue::from_static("0.5"));
        assert_eq!(retry_after(&h), Some((Duration::from_millis(500), false)));
        h.insert("retry-after-ms", HeaderValue::from_static("1500"));
        assert_eq!(retry_after(&h), Some((Duration::from_millis(1500), false)), "retry-after-ms wins");
        h.remove("retry-after-ms");
        let later = httpdate::fmt_http_date(SystemTime::now() + Duration::from_secs(30));
        h.insert("retry-after", HeaderValue::from_str(&later).unwrap());
        let (d, coarse) = retry_after(&h).unwrap();
        assert!(d > Duration::from_secs(27) && d <= Duration::from_secs(30) && coarse, "{d:?}");
        h.insert("retry-after", HeaderValue::from_static("Wed, 21 Oct 2015 07:28:00 GMT"));
        assert_eq!(retry_after(&h), Some((Duration::ZERO, true)), "a past date means now");
        for junk in ["-1", "soon", "NaN", "inf"] {
            h.insert("retry-after", HeaderValue::from_static(junk));
            assert_eq!(retry_after(&h), None, "{junk}");
        }
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

    #[test]
    fn a_429_reads_everything_once_and_a_window_rate_needs_a_long_enough_period() {
        let now = SystemTime::now();
        let reset = |ms: u64| epoch_ms(now + Duration::from_millis(ms)).to_string();
        let window = headers(&[
            ("x-ratelimit-limit", "50".into()),
            ("x-ratelimit-remaining", "0".into()),
            ("x-ratelimit-reset", reset(250)),
        ]);
        let hints = Hints::read(429, &window, now);
        let wait = hints.wait.expect("the reset is the wait when no Retry-After is given");
        assert!(wait > Duration::from_millis(240) && wait <= Duration::from_millis(250), "{wait:?}");
        assert!(!hints.coarse);
        let rate = hints.window_rate(now, Duration::from_millis(100)).unwrap();
        assert!((199.0..=209.0).contains(&rate), "50 per 250 ms: {rate}");
        // A reset 5 ms away is the time to the next token, not a window: no rate from it.
        let bucket = headers(&[
            ("retry-after-ms", "5".into()),
            ("x-ratelimit-limit", "50".into()),
            ("x-ratelimit-remaining", "0".into()),
            ("x-ratelimit-reset", reset(5)),
        ]);
        let hints = Hints::read(429, &bucket, now);
        assert_eq!(hints.wait, Some(Duration::from_millis(5)));
        assert_eq!(hints.window_rate(now, Duration::from_millis(100)), None);
        // The X-RateLimit-* headers are read on 429s only; successes are not read at all.
        assert_eq!(Hints::read(503, &window, now).rate_limit, None);
        assert_eq!(Hints::read(200, &bucket, now), Hints::default());
        assert_eq!(Hints::read(429, &HeaderMap::new(), now), Hints::default(), "a bare 429");
    }
}
