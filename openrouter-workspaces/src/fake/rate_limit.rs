//! The fake's rate limit: a limiter per API key, answering `429` beyond it in one of four shapes
//! ([`RateLimitShape`]), because a client that is right about one server's headers may be wrong about another's.
//!
//! Hand-written rather than taken from `governor`: the fake needs, for each refusal, both the time until the next
//! request would pass and when the period's requests come back, which a GCRA limiter's refusal does not report
//! as such; and the `fake` feature is compiled into users' test builds, where a dozen more crates for a few
//! dozen lines of arithmetic is a poor trade.

use std::collections::HashMap;
use std::str::FromStr;
use std::sync::Mutex;
use std::sync::atomic::{AtomicU64, Ordering};
use std::time::{Duration, SystemTime, UNIX_EPOCH};

use serde_json::{Value, json};
use tokio::time::Instant;

/// A rate limit for the fake server: `requests` per `interval` for each API key, the shape OpenRouter reports for
/// a key (`"rate_limit": {"requests": 200, "interval": "10s"}`). How it is enforced, and what its `429`s say, is
/// the [`RateLimitShape`] given to [`FakeServerBuilder::rate_limit_shape`](super::FakeServerBuilder::rate_limit_shape)
/// (a fixed window by default).
///
/// Refused requests take nothing from the limit, change no state, consume no injected fault, and are logged with
/// status 429.
///
/// ```
/// use std::time::Duration;
/// use openrouter_workspaces::fake::RateLimit;
///
/// let limit = RateLimit::new(50, Duration::from_millis(250)); // 200 requests/s, in bursts of at most 50
/// assert_eq!(limit, "50/250ms".parse().unwrap());
/// assert_eq!(RateLimit::per_second(200), "200".parse().unwrap());
/// assert_eq!(RateLimit::per_second(200), "200/s".parse().unwrap());
/// ```
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct RateLimit {
    requests: u32,
    interval: Duration,
}

impl RateLimit {
    /// `requests` per `interval` (at least 1 request, and at least a millisecond).
    pub fn new(requests: u32, interval: Duration) -> RateLimit {
        RateLimit { requests: requests.max(1), interval: interval.max(Duration::from_millis(1)) }
    }

    /// `requests` per second.
    pub fn per_second(requests: u32) -> RateLimit {
        RateLimit::new(requests, Duration::from_secs(1))
    }

    /// The requests allowed per interval (and the most a key can send at once).
    pub fn requests(&self) -> u32 {
        self.requests
    }

    /// The interval.
    pub fn interval(&self) -> Duration {
        self.interval
    }

    fn per_second_f64(&self) -> f64 {
        f64::from(self.requests) / self.interval.as_secs_f64()
    }
}

impl FromStr for RateLimit {
    type Err = String;

    /// `REQUESTS` (per second) or `REQUESTS/INTERVAL` with a humantime interval: `200`, `200/s`, `200/10s`,
    /// `50/250ms` (a bare unit is one of it).
    fn from_str(text: &str) -> Result<RateLimit, String> {
        let (requests, interval) = match text.split_once('/') {
            Some((r, i)) => (r, Some(i.trim())),
            None => (text, None),
        };
        let requests: u32 = requests
            .trim()
            .parse()
            .ok()
            .filter(|n| *n > 0)
            .ok_or_else(|| format!("{text:?}: expected REQUESTS or REQUESTS/INTERVAL, e.g. 200/10s"))?;
        let interval = match interval {
            None => Duration::from_secs(1),
            Some(i) => {
                let one = if i.starts_with(|c: char| c.is_ascii_alphabetic()) { format!("1{i}") } else { i.to_owned() };
                humantime::parse_duration(&one)
                    .ok()
                    .filter(|d| *d >= Duration::from_millis(1))
                    .ok_or_else(|| format!("{text:?}: the interval must be a duration of 1ms or more, e.g. 10s"))?
            }
        };
        Ok(RateLimit::new(requests, interval))
    }
}

/// How the fake enforces its [`RateLimit`] and what its `429`s say. Every shape is one a real server has; a
/// client should meet each of them without failing an item (the crate's tests and `cargo xtask bench` W6 check
/// that it does).
///
/// | shape | limiter | `429` headers |
/// |---|---|---|
/// | [`FixedWindow`](Self::FixedWindow) (default) | `requests` per window of `interval`, windows back to back | `retry-after-ms` and `Retry-After` (whole seconds, rounded up): the window's end; `X-RateLimit-Limit` = `requests`, `X-RateLimit-Remaining: 0`, `X-RateLimit-Reset` = the window's end (Unix ms) |
/// | [`TokenBucket`](Self::TokenBucket) | a bucket of `requests` tokens, refilled at `requests / interval` | `retry-after-ms` and `Retry-After` (whole seconds, rounded up): the next token; `X-RateLimit-Limit` = the bucket's size, `Remaining: 0`, `X-RateLimit-Reset` = when the next request comes back |
/// | [`RetryAfterSeconds`](Self::RetryAfterSeconds) | the token bucket | only `Retry-After`: the next token, in whole seconds rounded up |
/// | [`Bare`](Self::Bare) | the token bucket | none |
///
/// The `X-RateLimit-*` headers also appear in the error body's `metadata.headers`, as OpenRouter does.
///
/// ```
/// use openrouter_workspaces::fake::RateLimitShape;
///
/// assert_eq!("token-bucket".parse(), Ok(RateLimitShape::TokenBucket));
/// assert_eq!(RateLimitShape::default(), RateLimitShape::FixedWindow);
/// assert_eq!(RateLimitShape::Bare.to_string(), "bare");
/// ```
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Hash)]
#[non_exhaustive]
pub enum RateLimitShape {
    /// A fixed window: `requests` per `interval`; the `429` points to the window's end.
    #[default]
    FixedWindow,
    /// A token bucket: the `429` points to the next token, and `X-RateLimit-Limit` is the bucket's size.
    TokenBucket,
    /// A token bucket whose `429` says only `Retry-After`, in whole seconds rounded up.
    RetryAfterSeconds,
    /// A token bucket whose `429` has no header at all.
    Bare,
}

impl RateLimitShape {
    /// Every shape, in the order of the table above.
    pub const ALL: [RateLimitShape; 4] = [
        RateLimitShape::FixedWindow,
        RateLimitShape::TokenBucket,
        RateLimitShape::RetryAfterSeconds,
        RateLimitShape::Bare,
    ];

    /// Its name on the command line: `fixed-window`, `token-bucket`, `retry-after-seconds`, `bare`.
    pub fn name(self) -> &'static str {
        match self {
            RateLimitShape::FixedWindow => "fixed-window",
            RateLimitShape::TokenBucket => "token-bucket",
            RateLimitShape::RetryAfterSeconds => "retry-after-seconds",
            RateLimitShape::Bare => "bare",
        }
    }
}

impl std::fmt::Display for RateLimitShape {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(self.name())
    }
}

impl FromStr for RateLimitShape {
    type Err = String;

    fn from_str(text: &str) -> Result<RateLimitShape, String> {
        RateLimitShape::ALL
            .into_iter()
            .find(|s| s.name() == text.trim())
            .ok_or_else(|| format!("{text:?}: expected one of fixed-window, token-bucket, retry-after-seconds, bare"))
    }
}

/// One key's use of the limit: tokens for a bucket, the window and its count for a fixed window.
#[derive(Debug)]
struct Usage {
    tokens: f64,
    updated: Instant,
    window: u64,
    used: u32,
}

/// The fake's limiter: a usage per key the fake accepts (other keys are refused with 401 anyway, so the map never
/// grows beyond the configured keys).
#[derive(Debug)]
pub(crate) struct Limiter {
    limit: RateLimit,
    shape: RateLimitShape,
    /// Where the fixed windows start.
    origin: Instant,
    usage: Mutex<HashMap<String, Usage>>,
    refused: AtomicU64,
}

/// A `429` to answer.
pub(crate) struct Refusal {
    pub(crate) status: u16,
    pub(crate) body: Value,
    pub(crate) headers: Vec<(String, String)>,
}

impl Limiter {
    pub(crate) fn new(limit: RateLimit, shape: RateLimitShape) -> Limiter {
        Limiter { limit, shape, origin: Instant::now(), usage: Mutex::new(HashMap::new()), refused: AtomicU64::new(0) }
    }

    /// How many requests were refused so far.
    pub(crate) fn refused(&self) -> u64 {
        self.refused.load(Ordering::Relaxed)
    }

    /// Takes one request's worth of the limit for the key of this request, if it is one of `keys`; a refusal when
    /// none is left.
    pub(crate) fn check(&self, keys: &[String], headers: &hyper::HeaderMap) -> Option<Refusal> {
        let value = headers.get(hyper::header::AUTHORIZATION)?.to_str().ok()?;
        let (scheme, key) = value.split_once(' ')?;
        let key = key.trim();
        if !scheme.eq_ignore_ascii_case("bearer") || !keys.iter().any(|k| k == key) {
            return None;
        }
        let now = Instant::now();
        let capacity = f64::from(self.limit.requests);
        let mut usage = self.usage.lock().unwrap_or_else(|p| p.into_inner());
        let u = usage.entry(key.to_owned()).or_insert(Usage { tokens: capacity, updated: now, window: 0, used: 0 });
        // Seconds until the next request passes, and until the period's requests come back.
        let (next_s, reset_s) = if self.shape == RateLimitShape::FixedWindow {
            let interval = self.limit.interval.as_secs_f64();
            let since = now.saturating_duration_since(self.origin).as_secs_f64();
            let window = (since / interval).floor() as u64;
            if window != u.window {
                u.window = window;
                u.used = 0;
            }
            if u.used < self.limit.requests {
                u.used += 1;
                return None;
            }
            let end = (window + 1) as f64 * interval - since;
            (end, end)
        } else {
            let rate = self.limit.per_second_f64();
            let elapsed = now.saturating_duration_since(u.updated).as_secs_f64();
            u.tokens = (u.tokens + elapsed * rate).min(capacity);
            u.updated = now;
            if u.tokens >= 1.0 {
                u.tokens -= 1.0;
                return None;
            }
            let next = (1.0 - u.tokens) / rate;
            (next, next)
        };
        drop(usage);
        self.refused.fetch_add(1, Ordering::Relaxed);
        Some(self.refusal(next_s, reset_s))
    }

    fn refusal(&self, next_s: f64, reset_s: f64) -> Refusal {
        let ms = |s: f64| (s * 1000.0).ceil().max(1.0) as u64;
        let seconds = next_s.ceil().max(1.0).to_string();
        let reset = SystemTime::now()
            .checked_add(Duration::from_millis(ms(reset_s)))
            .and_then(|t| t.duration_since(UNIX_EPOCH).ok())
            .map_or(0, |d| u64::try_from(d.as_millis()).unwrap_or(u64::MAX));
        let mut headers: Vec<(String, String)> = Vec::new();
        let mut add = |name: &str, value: String| headers.push((name.to_owned(), value));
        match self.shape {
            RateLimitShape::FixedWindow | RateLimitShape::TokenBucket => {
                add("retry-after", seconds);
                add("retry-after-ms", ms(next_s).to_string());
                add("X-RateLimit-Limit", self.limit.requests.to_string());
                add("X-RateLimit-Remaining", "0".to_owned());
                add("X-RateLimit-Reset", reset.to_string());
            }
            RateLimitShape::RetryAfterSeconds => add("retry-after", seconds),
            RateLimitShape::Bare => {}
        }
        let message = format!(
            "Rate limit exceeded: {} requests per {} for this key (fake server, {})",
            self.limit.requests,
            humantime::format_duration(self.limit.interval),
            self.shape
        );
        let mut error = json!({ "code": 429, "message": message });
        // OpenRouter repeats its `X-RateLimit-*` headers in the body.
        let shown: serde_json::Map<String, Value> = headers
            .iter()
            .filter(|(n, _)| n.starts_with("X-RateLimit"))
            .map(|(n, v)| (n.clone(), Value::String(v.clone())))
            .collect();
        if !shown.is_empty() {
            error["metadata"] = json!({ "headers": shown });
        }
        Refusal { status: 429, body: json!({ "error": error }), headers }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn auth(key: &str) -> hyper::HeaderMap {
        let mut h = hyper::HeaderMap::new();
        h.insert(hyper::header::AUTHORIZATION, hyper::header::HeaderValue::from_str(&format!("Bearer {key}")).unwrap());
        h
    }

    fn header(refusal: &Refusal, name: &str) -> Option<String> {
        refusal.headers.iter().find(|(n, _)| n.eq_ignore_ascii_case(name)).map(|(_, v)| v.clone())
    }

    fn now_ms() -> u64 {
        SystemTime::now().duration_since(UNIX_EPOCH).unwrap().as_millis() as u64
    }

    #[tokio::test(start_paused = true)]
    async fn a_token_bucket_per_key_refuses_beyond_it_refills_at_the_rate_and_points_to_the_next_token() {
        let limiter = Limiter::new(RateLimit::new(3, Duration::from_millis(300)), RateLimitShape::TokenBucket);
        let keys = vec!["a".to_owned(), "b".to_owned()];
        for _ in 0..3 {
            assert!(limiter.check(&keys, &auth("a")).is_none());
        }
        let refusal = limiter.check(&keys, &auth("a")).expect("the fourth request of a burst of 3 is refused");
        assert_eq!(refusal.status, 429);
        let h = |name| header(&refusal, name).unwrap();
        assert_eq!(h("retry-after-ms"), "100", "one token every 100 ms");
        assert_eq!(h("retry-after"), "1", "whole seconds, rounded up");
        assert_eq!((h("x-ratelimit-limit"), h("x-ratelimit-remaining")), ("3".into(), "0".into()));
        let reset: u64 = h("x-ratelimit-reset").parse().unwrap();
        assert!(reset >= now_ms() + 90 && reset <= now_ms() + 110, "the next token, in 100 ms: {reset}");
        assert_eq!(refusal.body["error"]["metadata"]["headers"]["X-RateLimit-Remaining"], "0");
        assert!(limiter.check(&keys, &auth("b")).is_none(), "another key has its own bucket");
        assert!(limiter.check(&keys, &auth("stranger")).is_none(), "unknown keys are left to the 401");
        tokio::time::advance(Duration::from_millis(100)).await;
        assert!(limiter.check(&keys, &auth("a")).is_none(), "a token came back");
        assert!(limiter.check(&keys, &auth("a")).is_some());
        assert_eq!(limiter.refused(), 2);
    }

    #[tokio::test(start_paused = true)]
    async fn a_fixed_window_allows_its_requests_per_window_and_points_to_the_windows_end() {
        let limiter = Limiter::new(RateLimit::new(3, Duration::from_millis(300)), RateLimitShape::FixedWindow);
        let keys = vec!["a".to_owned()];
        tokio::time::advance(Duration::from_millis(100)).await;
        for _ in 0..3 {
            assert!(limiter.check(&keys, &auth("a")).is_none());
        }
        let refusal = limiter.check(&keys, &auth("a")).expect("a fourth in the window is refused");
        let h = |name| header(&refusal, name).unwrap();
        assert_eq!(h("retry-after-ms"), "200", "the window ends 200 ms later");
        let reset: u64 = h("x-ratelimit-reset").parse().unwrap();
        assert!(reset >= now_ms() + 190 && reset <= now_ms() + 210, "{reset}");
        tokio::time::advance(Duration::from_millis(199)).await;
        assert!(limiter.check(&keys, &auth("a")).is_some(), "still the same window");
        tokio::time::advance(Duration::from_millis(1)).await;
        for _ in 0..3 {
            assert!(limiter.check(&keys, &auth("a")).is_none(), "a new window: three more");
        }
        assert!(limiter.check(&keys, &auth("a")).is_some());
    }

    #[tokio::test(start_paused = true)]
    async fn the_seconds_and_bare_shapes_say_less() {
        let keys = vec!["a".to_owned()];
        let seconds = Limiter::new(RateLimit::new(1, Duration::from_millis(10)), RateLimitShape::RetryAfterSeconds);
        seconds.check(&keys, &auth("a"));
        let refusal = seconds.check(&keys, &auth("a")).unwrap();
        assert_eq!(refusal.headers, [("retry-after".to_owned(), "1".to_owned())]);
        assert!(refusal.body["error"].get("metadata").is_none());
        let bare = Limiter::new(RateLimit::new(1, Duration::from_millis(10)), RateLimitShape::Bare);
        bare.check(&keys, &auth("a"));
        let refusal = bare.check(&keys, &auth("a")).unwrap();
        assert!(refusal.headers.is_empty());
        assert_eq!(refusal.body["error"]["code"], 429);
    }

    #[test]
    fn limits_parse_from_the_command_line_form() {
        assert_eq!("200".parse(), Ok(RateLimit::per_second(200)));
        assert_eq!("200/10s".parse(), Ok(RateLimit::new(200, Duration::from_secs(10))));
        assert_eq!("200/s".parse(), Ok(RateLimit::per_second(200)));
        assert_eq!("5/ms".parse(), Ok(RateLimit::new(5, Duration::from_millis(1))));
        for shape in RateLimitShape::ALL {
            assert_eq!(shape.name().parse(), Ok(shape));
        }
        assert!("leaky".parse::<RateLimitShape>().unwrap_err().contains("token-bucket"));
        assert!("0/1s".parse::<RateLimit>().is_err());
        assert!("10/0s".parse::<RateLimit>().unwrap_err().contains("1ms or more"));
        assert!("x".parse::<RateLimit>().unwrap_err().contains("REQUESTS/INTERVAL"));
    }
}
