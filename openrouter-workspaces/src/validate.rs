//! Input rules checked before anything is sent: the spec's constraints, and ids that must stay inside their
//! path segment. Each failure is an [`Error::InvalidInput`] naming the field, the rule and the value.

use crate::error::{Error, Result};

/// Longest workspace name, in characters.
pub const NAME_MAX: usize = 100;
/// Longest slug, in characters.
pub const SLUG_MAX: usize = 50;
/// Longest description, in characters.
pub const DESCRIPTION_MAX: usize = 500;
/// Most user ids in one bulk add or remove.
pub const USER_IDS_MAX: usize = 100;
/// Largest page size.
pub const PAGE_SIZE_MAX: u32 = 100;
/// Smallest I/O logging sampling rate.
pub const SAMPLING_RATE_MIN: f64 = 0.0001;

/// A workspace id (UUID) or slug, or another path segment: non-empty, not `.` or `..`, no `/`, `\` or control
/// characters. (Percent-encoding keeps other characters inside the segment; these would still escape it once
/// the URL is normalized, or be rejected by proxies.)
pub fn path_segment<'a>(field: &'static str, value: &'a str) -> Result<&'a str> {
    let rule = if value.is_empty() {
        "must not be empty"
    } else if value == "." || value == ".." {
        "must not be `.` or `..` (it would leave its path segment)"
    } else if value.bytes().any(|b| b == b'/' || b == b'\\') {
        "must not contain `/` or `\\` (it would leave its path segment); use the workspace's id or slug"
    } else if has_control(value) {
        "must not contain control characters"
    } else {
        return Ok(value);
    };
    Err(Error::invalid(field, rule, value))
}

/// Whether `value` has a control character (C0, DEL or C1). Every call checks its ids, so the common case, plain
/// ASCII, is one pass over the bytes; only non-ASCII text is decoded.
fn has_control(value: &str) -> bool {
    if value.is_ascii() { value.bytes().any(|b| b.is_ascii_control()) } else { value.chars().any(char::is_control) }
}

/// A workspace name: 1 to 100 characters.
pub fn name(value: &str) -> Result<()> {
    length("name", value, 1, NAME_MAX)
}

/// A slug: 1 to 50 characters, lowercase letters and digits in segments joined by single hyphens
/// (`^[a-z0-9]+(?:-[a-z0-9]+)*$`).
pub fn slug(value: &str) -> Result<()> {
    length("slug", value, 1, SLUG_MAX)?;
    let well_formed = value
        .split('-')
        .all(|segment| !segment.is_empty() && segment.bytes().all(|b| b.is_ascii_lowercase() || b.is_ascii_digit()));
    if well_formed {
        Ok(())
    } else {
        Err(Error::invalid(
            "slug",
            "must be lowercase letters and digits in segments joined by single hyphens, \
             like `prod-eu-2` (pattern ^[a-z0-9]+(?:-[a-z0-9]+)*$)",
            value,
        ))
    }
}

/// A description: at most 500 characters.
pub fn description(value: &str) -> Result<()> {
    length("description", value, 0, DESCRIPTION_MAX)
}

/// The I/O logging sampling rate: a number from 0.0001 to 1.
pub fn sampling_rate(value: f64) -> Result<()> {
    if value.is_finite() && (SAMPLING_RATE_MIN..=1.0).contains(&value) {
        Ok(())
    } else {
        Err(Error::invalid(
            "io_logging_sampling_rate",
            "must be a number from 0.0001 to 1 (1 logs every request)",
            value,
        ))
    }
}

/// A budget limit: a finite number of US dollars greater than 0.
pub fn limit_usd(value: f64) -> Result<()> {
    if value.is_finite() && value > 0.0 {
        Ok(())
    } else {
        Err(Error::invalid("limit_usd", "must be a finite number of US dollars greater than 0", value))
    }
}

/// A page size: 1 to 100.
pub fn page_size(value: u32) -> Result<()> {
    if (1..=PAGE_SIZE_MAX).contains(&value) {
        Ok(())
    } else {
        Err(Error::invalid("limit", "must be from 1 to 100", value))
    }
}

/// The user ids of a bulk add or remove: 1 to 100, each non-empty and without control characters.
pub fn user_ids(values: &[String]) -> Result<()> {
    if values.is_empty() || values.len() > USER_IDS_MAX {
        return Err(Error::invalid(
            "user_ids",
            format!("must hold 1 to 100 user ids (got {}); split larger changes into several calls", values.len()),
            values.len(),
        ));
    }
    for id in values {
        if id.trim().is_empty() || id.chars().any(char::is_control) {
            return Err(Error::invalid("user_ids", "each user id must be non-empty, without control characters", id));
        }
    }
    Ok(())
}

fn length(field: &'static str, value: &str, min: usize, max: usize) -> Result<()> {
    let n = value.chars().count();
    if n < min {
        Err(Error::invalid(field, format!("must have at least {min} character(s)"), value))
    } else if n > max {
        Err(Error::invalid(field, format!("must have at most {max} characters (got {n})"), value))
    } else {
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn rule_of(r: Result<impl Sized>) -> String {
        match r {
            Err(Error::InvalidInput(i)) => format!("{}: {}", i.field, i.rule),
            Err(other) => panic!("not invalid input: {other}"),
            Ok(_) => "ok".into(),
        }
    }

    #[test]
    fn path_segments_that_would_escape_are_rejected() {
        for ok in ["production", "550e8400-e29b-41d4-a716-446655440000", "a b", "a?b", "...", "%2e%2e"] {
            assert!(path_segment("id", ok).is_ok(), "{ok}");
        }
        for bad in ["", ".", "..", "a/b", "../x", "a\\b", "a\nb", "\u{0}", "a\u{7f}", "é\u{85}", "é\tx"] {
            assert!(rule_of(path_segment("id", bad)).starts_with("id: must not"), "{bad:?}");
        }
    }

    #[test]
    fn slugs_follow_the_pattern_and_length() {
        for ok in ["a", "prod", "prod-eu-2", "0", &"a".repeat(50)] {
            assert_eq!(rule_of(slug(ok)), "ok", "{ok}");
        }
        for bad in ["", "Prod", "prod_eu", "-prod", "prod-", "prod--eu", "prød", &"a".repeat(51)] {
            assert!(rule_of(slug(bad)).starts_with("slug: must"), "{bad}");
        }
    }

    #[test]
    fn lengths_count_characters_not_bytes() {
        assert!(name(&"é".repeat(100)).is_ok());
        assert_eq!(rule_of(name(&"é".repeat(101))), "name: must have at most 100 characters (got 101)");
        assert_eq!(rule_of(name("")), "name: must have at least 1 character(s)");
        assert!(description("").is_ok() && description(&"x".repeat(500)).is_ok());
        assert!(description(&"x".repeat(501)).is_err());
    }

    #[test]
    fn numbers_are_checked_for_range_and_finiteness() {
        for ok in [0.0001, 0.5, 1.0] {
            assert!(sampling_rate(ok).is_ok(), "{ok}");
        }
        for bad in [0.0, 0.00009, 1.0001, f64::NAN, f64::INFINITY, -1.0] {
            assert!(sampling_rate(bad).is_err(), "{bad}");
        }
        assert!(limit_usd(0.01).is_ok());
        for bad in [0.0, -5.0, f64::NAN, f64::INFINITY] {
            assert!(limit_usd(bad).is_err(), "{bad}");
        }
        assert!(page_size(1).is_ok() && page_size(100).is_ok());
        assert!(page_size(0).is_err() && page_size(101).is_err());
    }

    #[test]
    fn user_id_lists_are_bounded() {
        assert!(user_ids(&["u1".into()]).is_ok());
        assert!(user_ids(&vec!["u".to_string(); 100]).is_ok());
        assert!(rule_of(user_ids(&[])).contains("1 to 100"));
        assert!(rule_of(user_ids(&vec!["u".to_string(); 101])).contains("got 101"));
        assert!(user_ids(&["ok".into(), " ".into()]).is_err());
    }
}
