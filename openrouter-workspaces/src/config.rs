//! Building a [`Client`]: the key, the base URL, attribution headers, timeouts, body limits, retries and the
//! HTTP client. This module depends on `client.rs` (it builds a [`Client`]); `client.rs` does not know it.

// No panics on any input: no unchecked arithmetic, no indexing that can be out of bounds (string slicing is
// refused crate-wide, in lib.rs).
#![cfg_attr(not(test), warn(clippy::arithmetic_side_effects, clippy::indexing_slicing))]

use std::fmt;
use std::net::IpAddr;
use std::sync::Arc;
use std::time::Duration;

use reqwest::header::{HeaderMap, HeaderName, HeaderValue};

use crate::client::{Client, Settings};
use crate::error::{Error, Result};
use crate::retries::policy::RetryPolicy;
use crate::retries::rate_limiter::RateLimiter;
use crate::tls::{self, RootCertificates};
use crate::transport::Transport;

/// The production base URL.
pub const DEFAULT_BASE_URL: &str = "https://openrouter.ai/api/v1";
/// The `User-Agent` this crate sends.
pub const USER_AGENT: &str = concat!("openrouter-workspaces-rust/", env!("CARGO_PKG_VERSION"));

/// Default per-attempt timeout (connect, send, and read the whole response).
pub const DEFAULT_TIMEOUT: Duration = Duration::from_secs(30);
/// Default connect timeout.
pub const DEFAULT_CONNECT_TIMEOUT: Duration = Duration::from_secs(10);
/// Default total deadline of one call, across all its attempts and waits.
pub const DEFAULT_TOTAL_TIMEOUT: Duration = Duration::from_secs(60);
/// Default largest success body the client reads: 8 MiB, about 30 times the largest real page (100 workspaces
/// are a few hundred KB). See [`ClientBuilder::max_response_body`].
pub const DEFAULT_MAX_RESPONSE_BODY: usize = 8 * 1024 * 1024;

/// The API key and where it came from. Kept out of every `Debug` and `Display` (which show only its source);
/// sent only as the `Authorization` header, which is marked sensitive. (A crate like `secrecy` would add
/// zeroizing, which a key that must live as a header value for the client's lifetime cannot use; this small type
/// is all that is needed.)
#[derive(Clone)]
struct ApiKey {
    key: String,
    /// `ClientBuilder::api_key`, or the environment variable it was read from.
    source: &'static str,
}

impl fmt::Debug for ApiKey {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "ApiKey(<redacted> from {})", self.source)
    }
}

/// The environment variables a key is read from, first the one that wins: the management key's own name (as the
/// official Terraform provider and openrouter-rs read it), then the name OpenRouter's SDKs use.
pub const API_KEY_VARIABLES: [&str; 2] = ["OPENROUTER_MANAGEMENT_KEY", "OPENROUTER_API_KEY"];

/// Builds a [`Client`]. Get one from [`Client::builder`].
///
/// Settings not given fall back to the environment at [`build`](Self::build): `OPENROUTER_MANAGEMENT_KEY` (else
/// `OPENROUTER_API_KEY`), `OPENROUTER_BASE_URL`, `OPENROUTER_HTTP_REFERER`, `OPENROUTER_APP_TITLE` and `OPENROUTER_APP_CATEGORIES`
/// (comma-separated).
///
/// ```
/// use std::time::Duration;
/// use openrouter_workspaces::{Client, RetryPolicy};
///
/// let client = Client::builder()
///     .api_key("sk-or-v1-...")
///     .base_url("https://openrouter.ai/api/v1/")
///     .app_title("Acme Console")
///     .app_categories(["cli-agent", "cloud-agent"])
///     .timeout(Duration::from_secs(10))
///     .retry_policy(RetryPolicy::default().max_attempts(4))
///     .build()?;
/// assert_eq!(client.base_url(), "https://openrouter.ai/api/v1");
/// # Ok::<(), openrouter_workspaces::Error>(())
/// ```
#[derive(Clone, Debug, Default)]
pub struct ClientBuilder {
    api_key: Option<ApiKey>,
    base_url: Option<String>,
    http_referer: Option<String>,
    app_title: Option<String>,
    app_categories: Option<Vec<String>>,
    timeout: Option<Duration>,
    connect_timeout: Option<Duration>,
    total_timeout: Option<Duration>,
    max_response_body: Option<usize>,
    retry: Option<RetryPolicy>,
    requests_per_second: Option<f64>,
    uncoordinated: bool,
    http_client: Option<reqwest::Client>,
    root_certificates: RootCertificates,
    allow_insecure_http: bool,
    ignore_env: bool,
    /// The TLS implementation, when a test picks one other than [`tls::BACKENDS`]'s first.
    #[cfg(test)]
    pub(crate) tls_backend: Option<tls::Backend>,
}

impl Client {
    /// A builder; settings not given fall back to `OPENROUTER_*` environment variables. See [`ClientBuilder`].
    pub fn builder() -> ClientBuilder {
        ClientBuilder::default()
    }

    /// A client configured from the environment: the key from `OPENROUTER_MANAGEMENT_KEY`, or when that is unset
    /// or blank from `OPENROUTER_API_KEY` (one is required; see [`API_KEY_VARIABLES`]), and `OPENROUTER_BASE_URL`,
    /// `OPENROUTER_HTTP_REFERER`, `OPENROUTER_APP_TITLE`, `OPENROUTER_APP_CATEGORIES`. The client's `Debug` says
    /// which variable the key came from (never the key).
    ///
    /// ```no_run
    /// let client = openrouter_workspaces::Client::from_env()?;
    /// // Client { base_url: "https://openrouter.ai/api/v1", api_key: <redacted> from OPENROUTER_MANAGEMENT_KEY, .. }
    /// println!("{client:?}");
    /// # Ok::<(), openrouter_workspaces::Error>(())
    /// ```
    ///
    /// # Errors
    /// [`Error::Config`] when the key is missing or a value is invalid.
    pub fn from_env() -> Result<Client> {
        ClientBuilder::default().build()
    }
}

impl ClientBuilder {
    /// The management API key (`sk-or-v1-...`). `Bearer ` is added unless the value already starts with it.
    /// Wins over the environment ([`API_KEY_VARIABLES`]).
    pub fn api_key(mut self, key: impl Into<String>) -> Self {
        self.api_key = Some(ApiKey { key: key.into(), source: "ClientBuilder::api_key" });
        self
    }

    /// The API's base URL, e.g. `https://openrouter.ai/api/v1` (the default) or a local fake server's URL.
    /// Trailing slashes are removed. Plain `http://` is accepted for loopback hosts only, unless
    /// [`allow_insecure_http`](Self::allow_insecure_http) is set.
    pub fn base_url(mut self, url: impl Into<String>) -> Self {
        self.base_url = Some(url.into());
        self
    }

    /// The `HTTP-Referer` attribution header: your app's URL, its identifier in OpenRouter's rankings.
    pub fn http_referer(mut self, referer: impl Into<String>) -> Self {
        self.http_referer = Some(referer.into());
        self
    }

    /// The `X-OpenRouter-Title` attribution header: your app's name in OpenRouter's dashboard.
    pub fn app_title(mut self, title: impl Into<String>) -> Self {
        self.app_title = Some(title.into());
        self
    }

    /// The `X-OpenRouter-Categories` attribution header, e.g. `["cli-agent", "cloud-agent"]` (sent comma-separated).
    pub fn app_categories<I, S>(mut self, categories: I) -> Self
    where
        I: IntoIterator<Item = S>,
        S: Into<String>,
    {
        self.app_categories = Some(categories.into_iter().map(Into::into).collect());
        self
    }

    /// The timeout of one attempt: connecting, sending and reading the whole response. Default 30 s.
    pub fn timeout(mut self, timeout: Duration) -> Self {
        self.timeout = Some(timeout);
        self
    }

    /// The connect timeout of one attempt. Default 10 s. Ignored with [`http_client`](Self::http_client), whose
    /// own setting applies.
    pub fn connect_timeout(mut self, timeout: Duration) -> Self {
        self.connect_timeout = Some(timeout);
        self
    }

    /// The deadline of one call, across all its attempts and the waits between them, reading every response
    /// body included. Default 60 s.
    pub fn total_timeout(mut self, timeout: Duration) -> Self {
        self.total_timeout = Some(timeout);
        self
    }

    /// The largest response body the client reads for a success status, in bytes. Default
    /// [`DEFAULT_MAX_RESPONSE_BODY`] (8 MiB); the largest real response, a page of 100 workspaces, is a few
    /// hundred KB.
    ///
    /// A larger body is refused with [`Error::Decode`] as soon as it passes the maximum (at once when its
    /// `content-length` already does), and is not retried. Error statuses are bounded separately: only their
    /// first [`MAX_BODY_KEPT`](crate::MAX_BODY_KEPT) bytes are read. Both bounds also hold for
    /// [`Client::raw`], whose error is then a body error with `http_body_util::LengthLimitError` as its source.
    pub fn max_response_body(mut self, bytes: usize) -> Self {
        self.max_response_body = Some(bytes);
        self
    }

    /// How failed attempts are retried. Default [`RetryPolicy::default`].
    pub fn retry_policy(mut self, policy: RetryPolicy) -> Self {
        self.retry = Some(policy);
        self
    }

    /// Sends at most this many requests per second, across all the calls of this client and its clones (attempts
    /// are spaced by `1 / rate`, in the order they ask; none is starved): for a caller who knows the key's quota
    /// and would rather not meet it as `429`s. Every wait happens inside the call's total deadline; a call whose
    /// turn would come after it fails at once with [`Error::RateLimited`] (`attempts` 0) and sends nothing.
    /// Unset by default. Must be a finite number above 0 (checked by [`build`](Self::build)).
    ///
    /// Without it the client still paces itself once the server has said it is over its limit: see
    /// [`rate_limit_coordination`](Self::rate_limit_coordination).
    pub fn requests_per_second(mut self, rate: f64) -> Self {
        self.requests_per_second = Some(rate);
        self
    }

    /// Whether the calls of this client (and its clones) share what the server says about its rate limit. On by
    /// default: when any call gets a `429` or `503` that says how long to wait (`retry-after-ms`, `Retry-After`,
    /// or on a `429` `X-RateLimit-Reset` with `X-RateLimit-Remaining: 0`), every call that would send during that
    /// wait waits it out first, instead of meeting a `429` of its own; and a `429`'s `X-RateLimit-Limit` and
    /// `X-RateLimit-Reset` set a pace (`Limit` requests until `Reset`) that the client keeps, 5% slower, for a
    /// minute after the last such `429`. Waits are capped by the retry policy's `max_retry_after` and happen
    /// inside each call's total deadline; a call whose turn would come after its deadline fails at once with
    /// [`Error::RateLimited`] and sends nothing.
    ///
    /// Off: each call backs off on its own, as its own answers say (the behaviour of earlier releases).
    pub fn rate_limit_coordination(mut self, on: bool) -> Self {
        self.uncoordinated = !on;
        self
    }

    /// Use this `reqwest::Client` (its pool, proxy and TLS settings). The key, attribution headers, user agent,
    /// per-attempt timeout and body caps are still applied to every request.
    ///
    /// Its TLS is its own: this crate's TLS features and [`add_root_certificate_pem`](Self::add_root_certificate_pem)
    /// do not apply to it. With only this crate's default `rustls` feature, reqwest is built with
    /// `rustls-no-provider` and has no crypto provider of its own: give your `reqwest` dependency a TLS feature
    /// (`rustls`, `native-tls`), or configure its TLS yourself, or `reqwest::Client::new()` panics.
    ///
    /// This is the one place the crate's API names a type of the HTTP library (reqwest 0.13): the client you
    /// bring is a reqwest client, so a major version of reqwest is a major version of this method. Errors, by
    /// contrast, expose reqwest's only as `dyn std::error::Error` through [`std::error::Error::source`].
    pub fn http_client(mut self, client: reqwest::Client) -> Self {
        self.http_client = Some(client);
        self
    }

    /// Trusts the certificate authorities of this PEM text (one or more `-----BEGIN CERTIFICATE-----` blocks, say
    /// the contents of a company proxy's or a test server's `ca.pem`) beside the platform's own roots. May be
    /// called more than once. Applies to the client's own HTTP client, whichever TLS feature it uses.
    ///
    /// [`build`](Self::build) fails with [`Error::Config`] (setting `root_certificate`) when the text holds no
    /// certificate or one that does not parse, when the crate was built without a TLS feature, and with
    /// [`http_client`](Self::http_client), whose TLS is its own: add the certificate to that client instead.
    ///
    /// ```
    /// # let pem = include_str!("../tests/fixtures/tls/ca.pem");
    /// // let pem = std::fs::read("ca.pem")?;
    /// let client = openrouter_workspaces::Client::builder()
    ///     .api_key("sk-or-v1-...")
    ///     .base_url("https://openrouter.internal.example/api/v1")
    ///     .add_root_certificate_pem(pem)
    ///     .build()?;
    /// # Ok::<(), openrouter_workspaces::Error>(())
    /// ```
    pub fn add_root_certificate_pem(mut self, pem: impl AsRef<[u8]>) -> Self {
        self.root_certificates.add_pem(pem.as_ref().to_vec());
        self
    }

    /// Accept a plain `http://` base URL for a non-loopback host. The key then travels unencrypted.
    pub fn allow_insecure_http(mut self, allow: bool) -> Self {
        self.allow_insecure_http = allow;
        self
    }

    /// Do not read any `OPENROUTER_*` environment variable: every setting comes from this builder.
    pub fn ignore_env(mut self) -> Self {
        self.ignore_env = true;
        self
    }

    /// Checks the configuration and builds the client. Sends nothing.
    ///
    /// # Errors
    /// [`Error::Config`] when no key is given, the base URL is not a valid `https://` URL (or loopback
    /// `http://`), or a header value has control characters.
    pub fn build(self) -> Result<Client> {
        let ignore_env = self.ignore_env;
        self.build_with_env(|name| if ignore_env { None } else { std::env::var(name).ok() })
    }

    pub(crate) fn build_with_env(self, env: impl Fn(&str) -> Option<String>) -> Result<Client> {
        // The first variable set to something other than blanks: a blank OPENROUTER_MANAGEMENT_KEY (an `export`
        // left empty) does not hide a good OPENROUTER_API_KEY.
        let from_env = || {
            let set: Vec<ApiKey> = API_KEY_VARIABLES
                .iter()
                .filter_map(|&name| env(name).map(|key| ApiKey { key, source: name }))
                .collect();
            let first_set = set.first().cloned();
            set.into_iter().find(|k| !k.key.trim().is_empty()).or(first_set)
        };
        let ApiKey { key, source } = self.api_key.or_else(from_env).ok_or_else(|| {
            Error::config(
                "api_key",
                "no API key: call `.api_key(...)` or set OPENROUTER_MANAGEMENT_KEY (or OPENROUTER_API_KEY) to a \
                 management key",
            )
        })?;
        let key = key.trim();
        if key.is_empty() {
            return Err(Error::config("api_key", format!("the API key from {source} is empty")));
        }
        let base_url = self.base_url.or_else(|| env("OPENROUTER_BASE_URL")).unwrap_or_else(|| DEFAULT_BASE_URL.into());
        let (base_url, parsed_base_url) = normalize_base_url(&base_url, self.allow_insecure_http)?;

        let mut headers = HeaderMap::new();
        let bearer = if key.get(..7).is_some_and(|prefix| prefix.eq_ignore_ascii_case("bearer ")) {
            key.to_owned()
        } else {
            format!("Bearer {key}")
        };
        // HeaderValue accepts bytes above 0x7f, but no API key has any: such a key was mangled on its way here
        // (typographic quotes, a copy from a formatted document), and saying so beats a 401.
        let mut auth = HeaderValue::from_str(&bearer).ok().filter(|_| bearer.is_ascii()).ok_or_else(|| {
            Error::config(
                "api_key",
                format!(
                    "the API key from {source} has characters a key cannot have (control characters or \
                     non-ASCII); copy it again from the OpenRouter dashboard, without quotes or spaces"
                ),
            )
        })?;
        auth.set_sensitive(true);
        headers.insert(reqwest::header::AUTHORIZATION, auth);
        headers.insert(reqwest::header::USER_AGENT, HeaderValue::from_static(USER_AGENT));
        // Every operation answers JSON. Set here, once per client, not per request (the generator's
        // `accept-header-per-client` pass removes progenitor's per-request `accept`).
        headers.insert(reqwest::header::ACCEPT, HeaderValue::from_static("application/json"));
        let categories = self
            .app_categories
            .map(|c| c.iter().map(|s| s.trim()).filter(|s| !s.is_empty()).collect::<Vec<_>>().join(","))
            .or_else(|| env("OPENROUTER_APP_CATEGORIES"));
        for (setting, name, value) in [
            ("http_referer", "http-referer", self.http_referer.or_else(|| env("OPENROUTER_HTTP_REFERER"))),
            ("app_title", "x-openrouter-title", self.app_title.or_else(|| env("OPENROUTER_APP_TITLE"))),
            ("app_categories", "x-openrouter-categories", categories),
        ] {
            let Some(value) = value.filter(|v| !v.trim().is_empty()) else { continue };
            let header = HeaderValue::from_str(value.trim()).map_err(|_| {
                Error::config(
                    setting,
                    format!("{value:?} cannot be sent as a header: remove control characters and non-ASCII"),
                )
            })?;
            headers.insert(HeaderName::from_static(name), header);
        }

        let timeout = self.timeout.unwrap_or(DEFAULT_TIMEOUT);
        let own_client = self.http_client.is_none();
        #[cfg(not(test))]
        let backend = tls::BACKENDS.first().copied();
        #[cfg(test)]
        let backend = self.tls_backend.or_else(|| tls::BACKENDS.first().copied());
        let http = match self.http_client {
            Some(_) if !self.root_certificates.is_empty() => {
                return Err(Error::config(
                    "root_certificate",
                    "added root certificates apply to the client's own HTTP client, not to one given with \
                     `http_client(..)`: add them to that reqwest client (`tls_certs_merge`)",
                ));
            }
            Some(http) => http,
            None => {
                // The client-level headers and the attempt timeout are this client's defaults: nothing to set per
                // request (the transport sets them per request on a client the caller brought).
                let http = reqwest::Client::builder()
                    .default_headers(headers.clone())
                    .connect_timeout(self.connect_timeout.unwrap_or(DEFAULT_CONNECT_TIMEOUT))
                    .timeout(timeout);
                tls::configure(http, backend, &self.root_certificates)?
                    .build()
                    .map_err(|e| Error::config("http_client", format!("cannot build the HTTP client: {e}")))?
            }
        };
        let pace = match self.requests_per_second {
            None => None,
            Some(rate) => Some(
                Some(rate)
                    .filter(|r| r.is_finite() && *r > 0.0)
                    .and_then(|r| Duration::try_from_secs_f64(1.0 / r).ok())
                    .ok_or_else(|| {
                        Error::config(
                            "requests_per_second",
                            format!("{rate} is not a rate: give a finite number of requests per second above 0"),
                        )
                    })?,
            ),
        };
        let settings =
            Settings::new(self.retry.unwrap_or_default(), self.total_timeout.unwrap_or(DEFAULT_TOTAL_TIMEOUT), None);
        let limiter = Arc::new(RateLimiter::new(!self.uncoordinated, pace));
        let max_response_body = self.max_response_body.unwrap_or(DEFAULT_MAX_RESPONSE_BODY);
        let transport = Transport::new(parsed_base_url, headers, timeout, !own_client, max_response_body, source);
        let raw = crate::raw::Client::new_with_client(&base_url, http, transport);
        Ok(Client::from_parts(raw, Arc::new(settings), limiter))
    }
}

/// Checks and normalizes a base URL: `http`/`https` with a host, no query or fragment, no trailing slash. Returns
/// it as text and parsed.
pub(crate) fn normalize_base_url(url: &str, allow_insecure_http: bool) -> Result<(String, reqwest::Url)> {
    let trimmed = url.trim().trim_end_matches('/');
    let parsed = reqwest::Url::parse(trimmed).map_err(|e| {
        Error::config("base_url", format!("{url:?} is not a valid URL ({e}); expected e.g. {DEFAULT_BASE_URL}"))
    })?;
    let host = parsed.host_str().unwrap_or("");
    if host.is_empty() {
        return Err(Error::config("base_url", format!("{url:?} has no host")));
    }
    if parsed.query().is_some() || parsed.fragment().is_some() {
        return Err(Error::config("base_url", format!("{url:?} must not have a query or fragment")));
    }
    match parsed.scheme() {
        "https" => {}
        "http" if allow_insecure_http || is_loopback(host) => {}
        "http" => {
            return Err(Error::config(
                "base_url",
                format!(
                    "{url:?} uses plain http to a non-loopback host, which would send the key unencrypted; \
                     use https, or opt in with `.allow_insecure_http(true)`"
                ),
            ));
        }
        other => return Err(Error::config("base_url", format!("{url:?} has scheme {other:?}; use https"))),
    }
    Ok((trimmed.to_owned(), parsed))
}

fn is_loopback(host: &str) -> bool {
    let bare = host.trim_start_matches('[').trim_end_matches(']');
    host.eq_ignore_ascii_case("localhost") || bare.parse::<IpAddr>().is_ok_and(|ip| ip.is_loopback())
}

#[cfg(test)]
mod tests {
    use super::*;

    fn env_of(vars: &'static [(&'static str, &'static str)]) -> impl Fn(&str) -> Option<String> {
        move |name| vars.iter().find(|(k, _)| *k == name).map(|(_, v)| (*v).to_owned())
    }

    fn config_err(r: Result<Client>) -> crate::error::ConfigError {
        match r {
            Err(Error::Config(c)) => *c,
            Err(other) => panic!("expected a config error, got {other}"),
            Ok(_) => panic!("expected a config error, got a client"),
        }
    }

    #[test]
    fn a_missing_key_is_a_clear_error() {
        let e = config_err(ClientBuilder::default().build_with_env(env_of(&[])));
        assert_eq!(e.setting, "api_key");
        assert!(e.message.contains("OPENROUTER_MANAGEMENT_KEY (or OPENROUTER_API_KEY)"), "{}", e.message);
    }

    #[test]
    fn environment_fills_what_the_builder_leaves_unset() {
        let client = ClientBuilder::default()
            .build_with_env(env_of(&[
                ("OPENROUTER_API_KEY", "sk-env"),
                ("OPENROUTER_BASE_URL", "http://127.0.0.1:9/api/v1//"),
                ("OPENROUTER_APP_TITLE", "From Env"),
                ("OPENROUTER_APP_CATEGORIES", "cli-agent,cloud-agent"),
            ]))
            .unwrap();
        assert_eq!(client.base_url(), "http://127.0.0.1:9/api/v1");
        let h = client.transport_headers();
        assert_eq!(h["authorization"], "Bearer sk-env");
        assert_eq!(h["x-openrouter-title"], "From Env");
        assert_eq!(h["x-openrouter-categories"], "cli-agent,cloud-agent");
        assert!(h["user-agent"].to_str().unwrap().starts_with("openrouter-workspaces-rust/"));
        // The builder wins over the environment.
        let client = ClientBuilder::default()
            .api_key("Bearer sk-b")
            .app_categories(["a", " b "])
            .build_with_env(env_of(&[("OPENROUTER_API_KEY", "sk-env"), ("OPENROUTER_APP_CATEGORIES", "x")]))
            .unwrap();
        assert_eq!(client.transport_headers()["authorization"], "Bearer sk-b");
        assert_eq!(client.transport_headers()["x-openrouter-categories"], "a,b");
        assert_eq!(client.base_url(), DEFAULT_BASE_URL);
    }

    /// The environment is a closure in these tests (`build_with_env`), never the process's: no test sets a
    /// variable, so none can race another.
    #[test]
    fn the_management_key_variable_wins_over_the_api_key_variable_and_debug_names_the_source() {
        const BOTH: &[(&str, &str)] =
            &[("OPENROUTER_MANAGEMENT_KEY", "sk-management"), ("OPENROUTER_API_KEY", "sk-api")];
        let client = ClientBuilder::default().build_with_env(env_of(BOTH)).unwrap();
        assert_eq!(client.transport_headers()["authorization"], "Bearer sk-management");
        let debug = format!("{client:?}");
        assert!(debug.contains("api_key: <redacted> from OPENROUTER_MANAGEMENT_KEY"), "{debug}");
        assert!(!debug.contains("sk-management") && !debug.contains("sk-api"), "{debug}");

        let client = ClientBuilder::default().build_with_env(env_of(&[("OPENROUTER_API_KEY", "sk-api")])).unwrap();
        assert_eq!(client.transport_headers()["authorization"], "Bearer sk-api");
        assert!(format!("{client:?}").contains("<redacted> from OPENROUTER_API_KEY"), "{client:?}");

        // A blank management key (an `export` left empty) does not hide the API key.
        const BLANK: &[(&str, &str)] = &[("OPENROUTER_MANAGEMENT_KEY", "  "), ("OPENROUTER_API_KEY", "sk-api")];
        let client = ClientBuilder::default().build_with_env(env_of(BLANK)).unwrap();
        assert_eq!(client.transport_headers()["authorization"], "Bearer sk-api");
        assert!(format!("{client:?}").contains("from OPENROUTER_API_KEY"), "{client:?}");
        // Alone, it is an error that names it.
        let e = config_err(ClientBuilder::default().build_with_env(env_of(&[("OPENROUTER_MANAGEMENT_KEY", " ")])));
        assert_eq!((e.setting, e.message.as_str()), ("api_key", "the API key from OPENROUTER_MANAGEMENT_KEY is empty"));

        // The builder wins over both, and its Debug says so before and after build.
        let builder = ClientBuilder::default().api_key("sk-builder");
        assert!(format!("{builder:?}").contains("ApiKey(<redacted> from ClientBuilder::api_key)"), "{builder:?}");
        let client = builder.build_with_env(env_of(BOTH)).unwrap();
        assert_eq!(client.transport_headers()["authorization"], "Bearer sk-builder");
        assert!(format!("{client:?}").contains("from ClientBuilder::api_key"), "{client:?}");

        // A bad key read from the environment: the error names the variable, never the key.
        let e = config_err(
            ClientBuilder::default().build_with_env(env_of(&[("OPENROUTER_MANAGEMENT_KEY", "sk-\u{201c}quoted")])),
        );
        assert!(e.message.starts_with("the API key from OPENROUTER_MANAGEMENT_KEY has characters"), "{}", e.message);
        assert!(!e.message.contains("quoted"), "{}", e.message);
    }

    #[test]
    fn base_urls_are_normalized_and_checked() {
        assert_eq!(normalize_base_url("https://x.example/api/v1///", false).unwrap().0, "https://x.example/api/v1");
        assert_eq!(normalize_base_url("http://localhost:8080", false).unwrap().0, "http://localhost:8080");
        assert_eq!(normalize_base_url("http://[::1]:1/api", false).unwrap().0, "http://[::1]:1/api");
        assert!(normalize_base_url("http://127.0.0.5/api", false).is_ok());
        for bad in ["", "not a url", "ftp://x.example", "https://x.example/api?x=1", "http://10.0.0.1/api"] {
            assert!(normalize_base_url(bad, false).is_err(), "{bad}");
        }
        let e = normalize_base_url("http://api.example", false).unwrap_err();
        assert!(e.to_string().contains("allow_insecure_http"), "{e}");
        assert!(normalize_base_url("http://api.example", true).is_ok());
    }

    #[test]
    fn header_values_with_control_characters_are_rejected() {
        let e = config_err(
            ClientBuilder::default().api_key("k").app_title("bad\r\nX-Injected: 1").build_with_env(env_of(&[])),
        );
        assert_eq!(e.setting, "app_title");
        let e = config_err(
            ClientBuilder::default().api_key("sk\n").http_referer("ok").api_key("a\u{7}b").build_with_env(env_of(&[])),
        );
        assert_eq!(e.setting, "api_key");
        assert!(!e.message.contains("a\u{7}b"), "the key must not be echoed");
    }

    #[test]
    fn debug_never_shows_the_key() {
        let builder = ClientBuilder::default().api_key("sk-or-v1-secret-value");
        assert!(!format!("{builder:?}").contains("secret-value"));
        let client = builder.build_with_env(env_of(&[])).unwrap();
        assert!(!format!("{client:?}").contains("secret-value"), "{client:?}");
    }
}
