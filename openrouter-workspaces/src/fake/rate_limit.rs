//! The fake's rate limit: a token bucket per API key, answering `429` beyond it with the headers OpenRouter
//! documents on its rate-limit errors.
//!
//! Hand-written rather than taken from `governor`: the fake needs, for each refusal, both the time until the next
//! request would pass (`Retry-After`, `retry-after-ms`) and the time until the bucket is full again
//! (`X-RateLimit-Reset`), which a GCRA limiter's refusal does not report as such; and the `fake` feature is
//! compiled into users' test builds, where a dozen more crates for thirty lines of arithmetic is a poor trade.

use std::collections::HashMap;
use std::str::FromStr;
use std::sync::Mutex;
use std::sync::atomic::{AtomicU64, Ordering};
use std::time::{Duration, SystemTime, UNIX_EPOCH};

use serde_json::{Value, json};
use tokio::time::Instant;

/// A rate limit for the fake server: `requests` per `interval` for each API key, the shape OpenRouter reports for
/// a key (`"rate_limit": {"requests": 200, "interval": "10s"}`).
///
/// It is a token bucket: a key starts with `requests` tokens, every request takes one, and tokens come back
/// continuously at `requests / interval` up to `requests`. A request that finds no token is answered `429` with
/// `Retry-After` (whole seconds, rounded up) and `retry-after-ms` (the wait until the next token), and
/// `X-RateLimit-Limit` (`requests`), `X-RateLimit-Remaining` (`0`) and `X-RateLimit-Reset` (Unix milliseconds,
/// when the bucket is full again), also repeated in the error body's `metadata.headers` as OpenRouter does.
/// Refused requests take no token, change no state, consume no injected fault, and are logged with status 429.
///
/// ```
/// use std::time::Duration;
/// use openrouter_workspaces::fake::RateLimit;
///
/// let limit = RateLimit::new(50, Duration::from_millis(250)); // 200 requests/s, in bursts of at most 50
/// assert_eq!(limit, "50/250ms".parse().unwrap());
/// assert_eq!(RateLimit::per_second(200), "200".parse().unwrap());
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

    /// `REQUESTS` (per second) or `REQUESTS/INTERVAL` with a humantime interval: `200`, `200/10s`, `50/250ms`.
    fn from_str(text: &str) -> Result<RateLimit, String> {
        let (requests, interval) = match text.split_once('/') {
            Some((r, i)) => (r, Some(i)),
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
            Some(i) => humantime::parse_duration(i.trim())
                .ok()
                .filter(|d| *d >= Duration::from_millis(1))
                .ok_or_else(|| format!("{text:?}: the interval must be a duration of 1ms or more, e.g. 10s"))?,
        };
        Ok(RateLimit::new(requests, interval))
    }
}

/// One key's bucket.
#[derive(Debug)]
struct Bucket {
    tokens: f64,
    updated: Instant,
}

/// The fake's limiter: a bucket per key the fake accepts (other keys are refused with 401 anyway, so the map never
/// grows beyond the configured keys).
#[derive(Debug)]
pub(crate) struct Limiter {
    limit: RateLimit,
    buckets: Mutex<HashMap<String, Bucket>>,
    refused: AtomicU64,
}

/// A `429` to answer.
pub(crate) struct Refusal {
    pub(crate) status: u16,
    pub(crate) body: Value,
    pub(crate) headers: Vec<(String, String)>,
}

impl Limiter {
    pub(crate) fn new(limit: RateLimit) -> Limiter {
        Limiter { limit, buckets: Mutex::new(HashMap::new()), refused: AtomicU64::new(0) }
    }

    /// How many requests were refused so far.
    pub(crate) fn refused(&self) -> u64 {
        self.refused.load(Ordering::Relaxed)
    }

    /// Takes a token for the key of this request, if it is one of `keys`; a refusal when there is none left.
    pub(crate) fn check(&self, keys: &[String], headers: &hyper::HeaderMap) -> Option<Refusal> {
        let value = headers.get(hyper::header::AUTHORIZATION)?.to_str().ok()?;
        let (scheme, key) = value.split_once(' ')?;
        let key = key.trim();
        if !scheme.eq_ignore_ascii_case("bearer") || !keys.iter().any(|k| k == key) {
            return None;
        }
        let rate = self.limit.per_second_f64();
        let capacity = f64::from(self.limit.requests);
        let now = Instant::now();
        let mut buckets = self.buckets.lock().unwrap_or_else(|p| p.into_inner());
        let bucket = buckets.entry(key.to_owned()).or_insert(Bucket { tokens: capacity, updated: now });
        let elapsed = now.saturating_duration_since(bucket.updated).as_secs_f64();
        bucket.tokens = (bucket.tokens + elapsed * rate).min(capacity);
        bucket.updated = now;
        if bucket.tokens >= 1.0 {
            bucket.tokens -= 1.0;
            return None;
        }
        let next_token = (1.0 - bucket.tokens) / rate;
        let full = (capacity - bucket.tokens) / rate;
        drop(buckets);
        self.refused.fetch_add(1, Ordering::Relaxed);
        Some(self.refusal(next_token, full))
    }

    fn refusal(&self, next_token_s: f64, full_s: f64) -> Refusal {
        let ms = |s: f64| (s * 1000.0).ceil().max(1.0) as u64;
        let reset = SystemTime::now()
            .checked_add(Duration::from_millis(ms(full_s)))
            .and_then(|t| t.duration_since(UNIX_EPOCH).ok())
            .map_or(0, |d| u64::try_from(d.as_millis()).unwrap_or(u64::MAX));
        let rate_headers = [
            ("X-RateLimit-Limit", self.limit.requests.to_string()),
            ("X-RateLimit-Remaining", "0".to_owned()),
            ("X-RateLimit-Reset", reset.to_string()),
        ];
        let message = format!(
            "Rate limit exceeded: {} requests per {} for this key (fake server)",
            self.limit.requests,
            humantime::format_duration(self.limit.interval)
        );
        let metadata: serde_json::Map<String, Value> =
            rate_headers.iter().map(|(n, v)| ((*n).to_owned(), Value::String(v.clone()))).collect();
        let mut headers = vec![
            ("retry-after".to_owned(), next_token_s.ceil().max(1.0).to_string()),
            ("retry-after-ms".to_owned(), ms(next_token_s).to_string()),
        ];
        headers.extend(rate_headers.iter().map(|(n, v)| ((*n).to_owned(), v.clone())));
        Refusal {
            status: 429,
            body: json!({ "error": { "code": 429, "message": message, "metadata": { "headers": metadata } } }),
            headers,
        }
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

    #[tokio::test(start_paused = true)]
    async fn a_bucket_per_key_refuses_beyond_it_and_refills_at_the_rate() {
        let limiter = Limiter::new(RateLimit::new(3, Duration::from_millis(300)));
        let keys = vec!["a".to_owned(), "b".to_owned()];
        for _ in 0..3 {
            assert!(limiter.check(&keys, &auth("a")).is_none());
        }
        let refusal = limiter.check(&keys, &auth("a")).expect("the fourth request of a burst of 3 is refused");
        assert_eq!(refusal.status, 429);
        let header = |name: &str| refusal.headers.iter().find(|(n, _)| n.eq_ignore_ascii_case(name)).unwrap().1.clone();
        assert_eq!(header("retry-after-ms"), "100", "one token every 100 ms");
        assert_eq!(header("retry-after"), "1", "whole seconds, rounded up");
        assert_eq!((header("x-ratelimit-limit"), header("x-ratelimit-remaining")), ("3".into(), "0".into()));
        let reset: u64 = header("x-ratelimit-reset").parse().unwrap();
        let now_ms = SystemTime::now().duration_since(UNIX_EPOCH).unwrap().as_millis() as u64;
        assert!(reset >= now_ms + 290 && reset <= now_ms + 310, "full again in 300 ms: {reset} vs {now_ms}");
        assert_eq!(refusal.body["error"]["metadata"]["headers"]["X-RateLimit-Remaining"], "0");
        assert!(limiter.check(&keys, &auth("b")).is_none(), "another key has its own bucket");
        assert!(limiter.check(&keys, &auth("stranger")).is_none(), "unknown keys are left to the 401");
        tokio::time::advance(Duration::from_millis(100)).await;
        assert!(limiter.check(&keys, &auth("a")).is_none(), "a token came back");
        assert!(limiter.check(&keys, &auth("a")).is_some());
        assert_eq!(limiter.refused(), 2);
    }

    #[test]
    fn limits_parse_from_the_command_line_form() {
        assert_eq!("200".parse(), Ok(RateLimit::per_second(200)));
        assert_eq!("200/10s".parse(), Ok(RateLimit::new(200, Duration::from_secs(10))));
        assert!("0/1s".parse::<RateLimit>().is_err());
        assert!("10/0s".parse::<RateLimit>().unwrap_err().contains("1ms or more"));
        assert!("x".parse::<RateLimit>().unwrap_err().contains("REQUESTS/INTERVAL"));
    }
}
