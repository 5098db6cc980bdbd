//! How a path parameter is written into a request's path: percent-encoded as one segment, the way progenitor's
//! `encode_path` does it, but written straight into the URL being formatted. progenitor's function returns a new
//! `String` per parameter per call; the generator's `path-segments-encoded-in-place` pass calls this instead.

use std::fmt::Display;

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

#[cfg(test)]
mod tests {
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
}
