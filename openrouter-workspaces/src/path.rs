//! How a request's URL is made: its path parameters percent-encoded as one segment each, the way progenitor's
//! `encode_path` does it, but written straight into the path being formatted ([`encode`]); and the path joined
//! to the client's base URL, parsed once when the client was built ([`url`]).
//!
//! progenitor's code formats the whole URL into a `String` (its `encode_path` making one more per parameter) and
//! reqwest parses it again on every request: scheme, host (through IDNA mapping, even for an IP address), port
//! and path, some 8,600 instructions for a `getWorkspace`. The generator's `path-segments-encoded-in-place` and
//! `urls-joined-to-the-parsed-base` passes call these instead; the URL is the same (held to it by the tests below).

use std::fmt::{self, Display, Write as _};

use reqwest::Url;

use percent_encoding::{AsciiSet, CONTROLS};

/// What is percent-encoded in a path segment: progenitor-client's set (its `PATH_SET`, after the URL standard's
/// path-segment set, with `%` too). The test below holds the two to the same output.
const SEGMENT: &AsciiSet = &CONTROLS
    .add(b' ')
    .add(b'"')
    .add(b'#')
    .add(b'<')
    .add(b'>')
    .add(b'?')
    .add(b'`')
    .add(b'{')
    .add(b'}')
    .add(b'/')
    .add(b'%');

/// `value` as one percent-encoded path segment, for `format!`.
pub(crate) fn encode(value: &str) -> impl Display + '_ {
    percent_encoding::utf8_percent_encode(value, SEGMENT)
}

/// The URL of a request: `base` (the client's base URL, parsed when the client was built) with `path`, the
/// operation's path with its parameters [`encode`]d, after the base's own path. The same URL as parsing
/// `format!("{base}{path}")`, as progenitor's code does, but only the path is parsed (dot segments and
/// backslashes are handled as a full parse handles them): the scheme, host and port are copied as they are.
pub(crate) fn url(base: &Url, path: fmt::Arguments<'_>) -> Url {
    let base_path = base.path().strip_suffix('/').unwrap_or(base.path());
    let mut full = String::with_capacity(base_path.len().saturating_add(64));
    full.push_str(base_path);
    // Writing to a `String` fails only if a `Display` implementation does; the path's pieces are strings and
    // percent-encoders, which do not.
    let _ = full.write_fmt(path);
    let mut url = base.clone();
    url.set_path(&full);
    url
}

#[cfg(test)]
mod tests {
    use reqwest::Url;

    /// Percent-encoding works a byte at a time: every character alone (all of the first 12,288, every 97th after),
    /// then all of them in one string, is what progenitor's `encode_path` makes of it.
    #[test]
    fn a_segment_is_what_progenitor_would_write() {
        let chars: Vec<char> =
            (0..=u32::from(char::MAX)).filter(|&c| c < 0x3000 || c % 97 == 0).filter_map(char::from_u32).collect();
        for c in &chars {
            let value = c.to_string();
            assert_eq!(super::encode(&value).to_string(), progenitor_client::encode_path(&value), "{c:?}");
        }
        let all: String = chars.iter().collect();
        assert_eq!(super::encode(&all).to_string(), progenitor_client::encode_path(&all));
    }

    #[test]
    fn the_characters_that_would_leave_or_change_the_segment_are_encoded() {
        assert_eq!(super::encode("a b/c?d#e%f").to_string(), "a%20b%2Fc%3Fd%23e%25f");
        let uuid = "550e8400-e29b-41d4-a716-446655440000";
        assert_eq!(super::encode(uuid).to_string(), uuid);
        assert_eq!(super::encode("é").to_string(), "%C3%A9");
    }

    /// Joining a path to the parsed base gives the URL that parsing the whole formatted string gives, for bases
    /// with and without a path, port or IPv6 host, and for paths whose parameter is any character (all of the first
    /// 12,288, every 97th after), a dot segment (plain or percent-encoded), a backslash, or a mix of them.
    #[test]
    fn a_joined_url_is_the_parsed_one() {
        let bases = [
            "https://openrouter.ai/api/v1",
            "http://127.0.0.1:8080",
            "http://localhost:1/t/10000/api/v1",
            "http://[::1]:9/api",
            "https://x.example/a%20b/c d",
            "https://x.example/api/v1/",
        ];
        let mut values: Vec<String> = (0..=u32::from(char::MAX))
            .filter(|&c| c < 0x3000 || c % 97 == 0)
            .filter_map(char::from_u32)
            .map(String::from)
            .collect();
        for special in [
            "",
            ".",
            "..",
            "%2e",
            "%2E%2e",
            ".%2e",
            "...",
            "a\\b",
            "\\..",
            "a/../b",
            "550e8400-e29b-41d4-a716-446655440000",
            "é/ü?x#y",
            "%",
            "%zz",
            "\t\n",
            " lead",
            "trail ",
            "a;b=c",
            "@:!$&'()*+,",
        ] {
            values.push(special.to_owned());
        }
        for base in bases {
            let parsed = Url::parse(base).expect("a base URL");
            for value in &values {
                let joined = super::url(&parsed, format_args!("/workspaces/{}/budgets/{}", super::encode(value), "x"));
                let whole =
                    format!("{}/workspaces/{}/budgets/{}", base.trim_end_matches('/'), super::encode(value), "x");
                assert_eq!(Url::parse(&whole).map(String::from), Ok(String::from(joined)), "{base} {value:?}");
            }
            let bare = super::url(&parsed, format_args!("/workspaces"));
            assert_eq!(bare.as_str(), format!("{}/workspaces", base.trim_end_matches('/')).replace(' ', "%20"));
        }
    }
}
