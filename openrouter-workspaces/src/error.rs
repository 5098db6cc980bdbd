//! The crate's one error type.
//!
//! Every failure is an [`Error`]: match on its variant to know what happened, or ask it through the helpers
//! ([`status`](Error::status), [`is_retryable`](Error::is_retryable), [`request_id`](Error::request_id),
//! [`retry_after`](Error::retry_after)). Nothing here ever holds the API key.

// No panics on any input: no unchecked arithmetic, no indexing that can be out of bounds (string slicing is
// refused crate-wide, in lib.rs).
#![cfg_attr(not(test), warn(clippy::arithmetic_side_effects, clippy::indexing_slicing))]

use std::fmt;
use std::time::Duration;

use crate::operation::Operation;
use crate::retries::hints::RateLimitInfo;

/// How much of an error response's body is read and kept: the rest is never read (the status is what matters).
pub const MAX_BODY_KEPT: usize = 4 * 1024;

/// Everything that can go wrong.
#[derive(Debug)]
#[non_exhaustive]
pub enum Error {
    /// 400: the server rejected the request as malformed or invalid.
    BadRequest(Box<ApiError>),
    /// 401: the API key is missing or invalid.
    Unauthorized(Box<ApiError>),
    /// 403: the key is valid but may not do this (for example, not a management key).
    Forbidden(Box<ApiError>),
    /// 404: the workspace, member or budget does not exist.
    NotFound(Box<ApiError>),
    /// 409: the request conflicts with the current state.
    Conflict(Box<ApiError>),
    /// 429: too many requests; see [`ApiError::retry_after`] and [`ApiError::rate_limit`]. Also the error of a
    /// call the client did not send (`attempts` 0) because its view of the rate limit held it past its total
    /// deadline.
    RateLimited(Box<ApiError>),
    /// 5xx: the server failed.
    Server(Box<ApiError>),
    /// Any other non-success status.
    Status(Box<ApiError>),
    /// An attempt timed out, or the call's total deadline passed. When a success status had arrived and its body
    /// had not, [`TransportError::status`] holds that status. (A deadline that passes while an *error* status's
    /// body is read is that status's error, not a timeout.)
    Timeout(Box<TransportError>),
    /// The server could not be reached, or the connection failed.
    Connection(Box<TransportError>),
    /// The input was rejected before anything was sent.
    InvalidInput(Box<InvalidInput>),
    /// The server answered with a success status, but a body that does not decode, or that is larger than the
    /// client's [`max_response_body`](crate::ClientBuilder::max_response_body).
    Decode(Box<DecodeError>),
    /// The client could not be built from its configuration.
    Config(Box<ConfigError>),
}

/// A response with a non-success status.
#[derive(Debug, Clone)]
#[non_exhaustive]
pub struct ApiError {
    /// The HTTP status.
    pub status: u16,
    /// The operation that failed.
    pub operation: Operation,
    /// The API's `error.code`, when the body had one.
    pub code: Option<i64>,
    /// The API's `error.message`, when the body had one.
    pub message: Option<String>,
    /// The API's `error.metadata`, when the body had one.
    pub metadata: Option<serde_json::Map<String, serde_json::Value>>,
    /// The request id the server sent (`x-request-id` and similar), if any.
    pub request_id: Option<String>,
    /// How long the server asked to wait before retrying (`retry-after-ms` or `Retry-After`; on a `429` without
    /// either, until `X-RateLimit-Reset` when `X-RateLimit-Remaining` is 0), if it said. When the client did not
    /// send at all (`attempts` is 0), how long its rate-limit view still holds requests.
    pub retry_after: Option<Duration>,
    /// What a `429`'s `X-RateLimit-*` headers said (the limit, what is left, when it resets), if it had any.
    pub rate_limit: Option<RateLimitInfo>,
    /// The raw body (at most [`MAX_BODY_KEPT`] bytes) when it was not the API's JSON error shape.
    pub body: Option<String>,
    /// How many attempts were made: 0 when nothing was sent because the client's view of the rate limit (a
    /// server's earlier `429`, or its `requests_per_second`) held the call past its total deadline.
    pub attempts: u32,
}

/// A failure to reach the server or to complete an exchange with it.
#[derive(Debug)]
#[non_exhaustive]
pub struct TransportError {
    /// The operation that failed.
    pub operation: Operation,
    /// What happened, in words.
    pub message: String,
    /// How many attempts were made.
    pub attempts: u32,
    /// Whether the request never left this machine (a connection could not be opened).
    pub before_send: bool,
    /// The status of a response whose body did not arrive in full (in time, or before the connection failed).
    pub status: Option<u16>,
    /// The underlying error, if any: reachable through [`std::error::Error::source`] on [`Error`] (as a
    /// `dyn Error`, so the HTTP library's version is not part of this crate's API).
    pub(crate) source: Option<reqwest::Error>,
}

/// Input rejected before sending: which field, which rule, which value.
#[derive(Debug, Clone, PartialEq, Eq)]
#[non_exhaustive]
pub struct InvalidInput {
    /// The field or argument, e.g. `slug`.
    pub field: &'static str,
    /// The rule it broke and how to fix it.
    pub rule: String,
    /// The value given (shortened when long).
    pub value: String,
}

/// A success status with a body that does not decode into the expected type.
#[derive(Debug)]
#[non_exhaustive]
pub struct DecodeError {
    /// The operation.
    pub operation: Operation,
    /// The status of the response.
    pub status: Option<u16>,
    /// The request id, if any.
    pub request_id: Option<String>,
    /// What did not decode.
    pub message: String,
    /// The start of the body, if it was read.
    pub body: Option<String>,
}

/// A configuration the client cannot be built from.
#[derive(Debug, Clone, PartialEq, Eq)]
#[non_exhaustive]
pub struct ConfigError {
    /// The setting, e.g. `base_url` or `OPENROUTER_API_KEY`.
    pub setting: &'static str,
    /// What is wrong and how to fix it.
    pub message: String,
}

/// The crate's result type.
pub type Result<T, E = Error> = std::result::Result<T, E>;

impl Error {
    pub(crate) fn invalid(field: &'static str, rule: impl Into<String>, value: impl fmt::Debug) -> Error {
        let mut value = format!("{value:?}");
        if value.len() > 120 {
            let cut = (0..=117).rev().find(|&i| value.is_char_boundary(i)).unwrap_or(0);
            value.truncate(cut);
            value.push_str("...");
        }
        Error::InvalidInput(Box::new(InvalidInput { field, rule: rule.into(), value }))
    }

    pub(crate) fn config(setting: &'static str, message: impl Into<String>) -> Error {
        Error::Config(Box::new(ConfigError { setting, message: message.into() }))
    }

    /// Classifies a non-success response by its status.
    pub(crate) fn from_api(api: ApiError) -> Error {
        let api = Box::new(api);
        match api.status {
            400 => Error::BadRequest(api),
            401 => Error::Unauthorized(api),
            403 => Error::Forbidden(api),
            404 => Error::NotFound(api),
            409 => Error::Conflict(api),
            429 => Error::RateLimited(api),
            500..=599 => Error::Server(api),
            _ => Error::Status(api),
        }
    }

    /// The status-bearing details, when the server answered with an error status.
    pub fn api_error(&self) -> Option<&ApiError> {
        match self {
            Error::BadRequest(e)
            | Error::Unauthorized(e)
            | Error::Forbidden(e)
            | Error::NotFound(e)
            | Error::Conflict(e)
            | Error::RateLimited(e)
            | Error::Server(e)
            | Error::Status(e) => Some(e),
            _ => None,
        }
    }

    /// The HTTP status, when there was a response (for a timeout or a failed connection, the status of a
    /// response whose body did not arrive in full).
    pub fn status(&self) -> Option<u16> {
        match self {
            Error::Decode(d) => d.status,
            Error::Timeout(t) | Error::Connection(t) => t.status,
            other => other.api_error().map(|e| e.status),
        }
    }

    /// The request id the server sent, when there was one.
    pub fn request_id(&self) -> Option<&str> {
        match self {
            Error::Decode(d) => d.request_id.as_deref(),
            other => other.api_error().and_then(|e| e.request_id.as_deref()),
        }
    }

    /// How long the server asked to wait, when it said.
    pub fn retry_after(&self) -> Option<Duration> {
        self.api_error().and_then(|e| e.retry_after)
    }

    /// The operation that failed, when a call was made.
    pub fn operation(&self) -> Option<Operation> {
        match self {
            Error::Timeout(t) | Error::Connection(t) => Some(t.operation),
            Error::Decode(d) => Some(d.operation),
            other => other.api_error().map(|e| e.operation),
        }
    }

    /// Whether trying the same call again later may succeed: rate limiting, server errors, 408, timeouts and
    /// connection failures. (Whether the client retries by itself also depends on the method: see
    /// [`RetryPolicy`](crate::RetryPolicy).)
    pub fn is_retryable(&self) -> bool {
        match self {
            Error::Timeout(_) | Error::Connection(_) => true,
            other => other.status().is_some_and(|s| matches!(s, 408 | 429 | 500 | 502 | 503 | 504)),
        }
    }
}

fn reason(status: u16) -> &'static str {
    reqwest::StatusCode::from_u16(status).ok().and_then(|s| s.canonical_reason()).unwrap_or("")
}

impl fmt::Display for Error {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Error::Timeout(t) | Error::Connection(t) => {
                write!(f, "{} on {}", t.message, t.operation)?;
                if t.attempts > 1 {
                    write!(f, " (after {} attempts)", t.attempts)?;
                }
                Ok(())
            }
            Error::InvalidInput(i) => write!(f, "invalid {}: {} (got {})", i.field, i.rule, i.value),
            Error::Decode(d) => {
                write!(f, "could not decode the response to {}", d.operation)?;
                if let Some(status) = d.status {
                    write!(f, " (status {status})")?;
                }
                write!(f, ": {}", d.message)?;
                if let Some(id) = &d.request_id {
                    write!(f, " (request id {id})")?;
                }
                Ok(())
            }
            Error::Config(c) => write!(f, "invalid client configuration, {}: {}", c.setting, c.message),
            other => match other.api_error() {
                Some(e) => fmt::Display::fmt(e, f),
                None => f.write_str("unknown error"),
            },
        }
    }
}

impl fmt::Display for ApiError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{} {} on {}", self.status, reason(self.status), self.operation)?;
        match (&self.message, &self.body) {
            (Some(message), _) => write!(f, ": {message}")?,
            (None, Some(body)) if !body.trim().is_empty() => {
                let line = body.lines().map(str::trim).find(|l| !l.is_empty()).unwrap_or("");
                let short: String = line.chars().take(100).collect();
                write!(f, ": unexpected body {short:?}")?;
            }
            _ => {}
        }
        if let Some(id) = &self.request_id {
            write!(f, " (request id {id})")?;
        }
        if let Some(wait) = self.retry_after {
            write!(f, " (retry after {:.3}s)", wait.as_secs_f64())?;
        }
        if self.attempts > 1 {
            write!(f, " (after {} attempts)", self.attempts)?;
        }
        Ok(())
    }
}

impl std::error::Error for Error {
    fn source(&self) -> Option<&(dyn std::error::Error + 'static)> {
        match self {
            Error::Timeout(t) | Error::Connection(t) => t.source.as_ref().map(|e| e as _),
            _ => None,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::operation;

    fn api(status: u16) -> ApiError {
        ApiError {
            status,
            operation: operation::GET_WORKSPACE,
            code: Some(status.into()),
            message: Some("Workspace not found".into()),
            metadata: None,
            request_id: Some("req-123".into()),
            retry_after: None,
            rate_limit: None,
            body: None,
            attempts: 1,
        }
    }

    #[test]
    fn display_is_one_useful_sentence() {
        let e = Error::from_api(api(404));
        assert_eq!(e.to_string(), "404 Not Found on GET /workspaces/{id}: Workspace not found (request id req-123)");
        assert!(matches!(e, Error::NotFound(_)));
        assert_eq!(e.status(), Some(404));
        assert_eq!(e.request_id(), Some("req-123"));
        assert!(!e.is_retryable());
    }

    #[test]
    fn statuses_map_to_variants() {
        let kinds: Vec<&str> = [400, 401, 403, 404, 409, 429, 500, 502, 503, 418]
            .into_iter()
            .map(|s| match Error::from_api(api(s)) {
                Error::BadRequest(_) => "bad",
                Error::Unauthorized(_) => "unauth",
                Error::Forbidden(_) => "forbidden",
                Error::NotFound(_) => "notfound",
                Error::Conflict(_) => "conflict",
                Error::RateLimited(_) => "ratelimited",
                Error::Server(_) => "server",
                Error::Status(_) => "status",
                _ => "other",
            })
            .collect();
        assert_eq!(
            kinds,
            [
                "bad",
                "unauth",
                "forbidden",
                "notfound",
                "conflict",
                "ratelimited",
                "server",
                "server",
                "server",
                "status"
            ]
        );
    }

    #[test]
    fn an_unparsed_body_shows_its_first_line() {
        let mut e = api(502);
        e.message = None;
        e.request_id = None;
        e.body = Some("\n<html><body>Bad gateway</body></html>\n".into());
        e.retry_after = Some(Duration::from_millis(1500));
        e.attempts = 3;
        assert_eq!(
            Error::from_api(e).to_string(),
            "502 Bad Gateway on GET /workspaces/{id}: unexpected body \"<html><body>Bad gateway</body></html>\" \
             (retry after 1.500s) (after 3 attempts)"
        );
    }

    #[test]
    fn invalid_input_names_field_rule_and_value_and_shortens_long_values() {
        let e = Error::invalid("slug", "must match ^[a-z0-9]+(?:-[a-z0-9]+)*$", "Bad Slug");
        assert_eq!(e.to_string(), "invalid slug: must match ^[a-z0-9]+(?:-[a-z0-9]+)*$ (got \"Bad Slug\")");
        let long = Error::invalid("name", "at most 100 characters", "é".repeat(200));
        let Error::InvalidInput(i) = long else { panic!("not invalid input") };
        assert!(i.value.len() <= 120 && i.value.ends_with("..."), "{}", i.value);
    }

    #[test]
    fn error_is_send_sync_static() {
        fn assert<T: std::error::Error + Send + Sync + 'static>() {}
        assert::<Error>();
        assert!(std::mem::size_of::<Error>() <= 16, "keep Result<T, Error> small");
    }
}
