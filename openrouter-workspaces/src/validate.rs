//! Input rules checked before anything is sent, and by the fake on what it receives: the constraints the spec
//! states, and ids that must stay inside their path segment. Each failure is an [`Error::InvalidInput`] naming the
//! field, the rule and the value.
//!
//! The constraints themselves are not written here: `cargo xtask regenerate` turns every constraint of the spec
//! (`minLength`/`maxLength` in characters, `pattern`, `minimum`/`maximum`, `minItems`/`maxItems`, `enum`) into a
//! [`Schema`] value, the numbers into the constants of [`limits`](crate::limits), and the request builders'
//! `validate` into calls of the few functions of this module. This module is the one engine they all run on.

use crate::error::{Error, Result};
use crate::operation::{Location, Parameter};
pub use crate::schema::{Bound, Kind, Pattern, Schema};

/// Who checks: the client before sending, or the (fake) server on receiving. They differ on open enums only.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) enum Side {
    /// This SDK, before sending: values of an open enum it does not know pass (a newer server may know them).
    Client,
    /// The fake server: only the values the spec lists pass.
    Server,
}

/// A request body the generator wrote a validation for.
pub(crate) trait Validate {
    /// Checks every constraint the spec states on the body's properties.
    fn validate(&self, side: Side) -> Result<()>;
}

/// A string: length in characters, pattern, and enum membership (see [`Side`]).
pub(crate) fn check_str(field: &'static str, schema: &Schema, value: &str, side: Side) -> Result<()> {
    // Characters are counted only when the length in bytes cannot decide (a character is 1 to 4 bytes): a
    // non-empty value has at least one character, and one within `max` bytes has at most `max` characters.
    let chars = || value.chars().count();
    if let Some(min) = schema.min_length.filter(|&min| value.len() < min || (min > 1 && chars() < min)) {
        let rule = match min {
            1 => "must not be empty".to_owned(),
            min => format!("must have at least {min} characters (got {})", chars()),
        };
        return Err(Error::invalid(field, rule, value));
    }
    if let Some(max) = schema.max_length.filter(|&max| value.len() > max && chars() > max) {
        return Err(Error::invalid(field, format!("must have at most {max} characters (got {})", chars()), value));
    }
    if let Some(pattern) = schema.pattern.filter(|p| !p.is_match(value)) {
        let rule = match pattern.rule() {
            Some(rule) => rule.to_owned(),
            None => format!("must match the pattern {}", pattern.source()),
        };
        return Err(Error::invalid(field, rule, value));
    }
    let must_know = side == Side::Server || !schema.open;
    if must_know && !schema.values.is_empty() && !schema.values.contains(&value) {
        return Err(Error::invalid(field, format!("must be one of {}", schema.values.join(", ")), value));
    }
    Ok(())
}

/// An integer (as `i128`, so that every `i64` and `u64` fits): its bounds.
pub(crate) fn check_int(field: &'static str, schema: &Schema, value: i128) -> Result<()> {
    let below = |bound: Bound, exclusive: bool| match bound {
        Bound::Integer(b) => value < i128::from(b) || (exclusive && value == i128::from(b)),
        Bound::Number(b) => (value as f64) < b || (exclusive && value as f64 == b),
    };
    let above = |bound: Bound, exclusive: bool| match bound {
        Bound::Integer(b) => value > i128::from(b) || (exclusive && value == i128::from(b)),
        Bound::Number(b) => (value as f64) > b || (exclusive && value as f64 == b),
    };
    let low = schema.minimum.is_some_and(|b| below(b, schema.exclusive_minimum));
    let high = schema.maximum.is_some_and(|b| above(b, schema.exclusive_maximum));
    if low || high { Err(Error::invalid(field, range_rule(schema, "an integer"), value)) } else { Ok(()) }
}

/// A number: finite (JSON has no NaN or infinity; serde_json would send `null`), and its bounds.
pub(crate) fn check_num(field: &'static str, schema: &Schema, value: f64) -> Result<()> {
    if !value.is_finite() {
        return Err(Error::invalid(field, range_rule(schema, "a finite number"), value));
    }
    let low = schema.minimum.map(Bound::as_f64).is_some_and(|b| value < b || (schema.exclusive_minimum && value == b));
    let high = schema.maximum.map(Bound::as_f64).is_some_and(|b| value > b || (schema.exclusive_maximum && value == b));
    if low || high { Err(Error::invalid(field, range_rule(schema, "a number"), value)) } else { Ok(()) }
}

/// The length of an array.
pub(crate) fn check_items(field: &'static str, schema: &Schema, len: usize) -> Result<()> {
    let few = schema.min_items.is_some_and(|min| len < min);
    let many = schema.max_items.is_some_and(|max| len > max);
    if !(few || many) {
        return Ok(());
    }
    let rule = match (schema.min_items, schema.max_items) {
        (Some(min), Some(max)) => format!("must hold {min} to {max} items (got {len})"),
        (Some(min), None) => format!("must hold at least {min} items (got {len})"),
        (None, Some(max)) => format!("must hold at most {max} items (got {len})"),
        (None, None) => String::new(),
    };
    let hint = if many { "; split it over several calls" } else { "" };
    Err(Error::invalid(field, format!("{rule}{hint}"), len))
}

/// "must be {what} from 1 to 100", "must be {what} greater than 0", ...: the bounds of `schema` in words.
pub(crate) fn range_rule(schema: &Schema, what: &str) -> String {
    let min = schema.minimum.map(|b| (b, schema.exclusive_minimum));
    let max = schema.maximum.map(|b| (b, schema.exclusive_maximum));
    match (min, max) {
        (Some((lo, false)), Some((hi, false))) => format!("must be {what} from {lo} to {hi}"),
        (lo, hi) => {
            let mut parts = Vec::new();
            match lo {
                Some((b, true)) => parts.push(format!("greater than {b}")),
                Some((b, false)) => parts.push(format!("at least {b}")),
                None => {}
            }
            match hi {
                Some((b, true)) => parts.push(format!("less than {b}")),
                Some((b, false)) => parts.push(format!("at most {b}")),
                None => {}
            }
            if parts.is_empty() { format!("must be {what}") } else { format!("must be {what} {}", parts.join(" and ")) }
        }
    }
}

/// A path parameter as the client sends it: the SDK's [`path_segment`] rule, then the spec's constraints.
pub(crate) fn path_param<'a>(param: &Parameter, value: &'a str) -> Result<&'a str> {
    path_segment(param.name, value)?;
    check_str(param.name, &param.schema, value, Side::Client)?;
    Ok(value)
}

/// An integer query parameter as the client sends it: the spec's bounds, then the type the generated client
/// takes (an `i64`, or a `u64` that is not 0).
pub(crate) fn int_param<T: TryFrom<i128>>(param: &Parameter, value: impl Into<i128>) -> Result<T> {
    let value = value.into();
    check_int(param.name, &param.schema, value)?;
    T::try_from(value).map_err(|_| Error::invalid(param.name, "is out of the range this client can send", value))
}

/// A parameter's value as the generated checked calls (`generated/calls.rs`) take it, checked against its
/// [`Parameter`]: a path parameter against [`path_segment`] and the spec's constraints, a query parameter against
/// the spec's constraints; `None` (not sent) passes. Implemented for the types progenitor gives parameters (and,
/// in the generated file, for every open enum): a parameter of another type is a compile error of the generated
/// code, to be answered here.
pub(crate) trait ParamValue {
    /// Checks the value (see the trait).
    fn check_param(&self, param: &Parameter) -> Result<()>;
}

impl ParamValue for str {
    fn check_param(&self, param: &Parameter) -> Result<()> {
        match param.location {
            Location::Path => path_param(param, self).map(|_| ()),
            _ => check_str(param.name, &param.schema, self, Side::Client),
        }
    }
}

impl ParamValue for String {
    fn check_param(&self, param: &Parameter) -> Result<()> {
        self.as_str().check_param(param)
    }
}

impl<T: ParamValue + ?Sized> ParamValue for &T {
    fn check_param(&self, param: &Parameter) -> Result<()> {
        (**self).check_param(param)
    }
}

impl<T: ParamValue> ParamValue for Option<T> {
    fn check_param(&self, param: &Parameter) -> Result<()> {
        self.as_ref().map_or(Ok(()), |value| value.check_param(param))
    }
}

impl ParamValue for bool {
    fn check_param(&self, _: &Parameter) -> Result<()> {
        Ok(())
    }
}

macro_rules! int_param_value {
    ($($t:ty),*) => {$(
        impl ParamValue for $t {
            fn check_param(&self, param: &Parameter) -> Result<()> {
                check_int(param.name, &param.schema, i128::from(*self))
            }
        }
    )*};
}
int_param_value!(i32, i64, u32, u64);

impl ParamValue for std::num::NonZeroU64 {
    fn check_param(&self, param: &Parameter) -> Result<()> {
        self.get().check_param(param)
    }
}

/// A workspace id (UUID) or slug, or another path segment: non-empty, not `.` or `..`, no `/`, `\` or control
/// characters. (Percent-encoding keeps other characters inside the segment; these would still escape it once
/// the URL is normalized, or be rejected by proxies.) This is the SDK's own rule, on top of the spec's.
pub fn path_segment<'a>(field: &'static str, value: &'a str) -> Result<&'a str> {
    // Every call checks its ids: one pass over the bytes; only non-ASCII text is decoded (for C1 controls).
    let (mut slash, mut control, mut ascii) = (false, false, true);
    for b in value.bytes() {
        slash |= b == b'/' || b == b'\\';
        control |= b.is_ascii_control();
        ascii &= b.is_ascii();
    }
    let rule = if value.is_empty() {
        "must not be empty"
    } else if value == "." || value == ".." {
        "must not be `.` or `..` (it would leave its path segment)"
    } else if slash {
        "must not contain `/` or `\\` (it would leave its path segment); use the workspace's id or slug"
    } else if control || (!ascii && value.chars().any(char::is_control)) {
        "must not contain control characters"
    } else {
        return Ok(value);
    };
    Err(Error::invalid(field, rule, value))
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

    fn lowercase_words(s: &str) -> bool {
        s.split('-').all(|w| !w.is_empty() && w.bytes().all(|b| b.is_ascii_lowercase() || b.is_ascii_digit()))
    }

    const SLUG: Schema = Schema {
        min_length: Some(1),
        max_length: Some(5),
        pattern: Some(Pattern::new("^[a-z0-9]+(?:-[a-z0-9]+)*$", lowercase_words)),
        ..Schema::of(Kind::String)
    };

    #[test]
    fn path_segments_that_would_escape_are_rejected() {
        for ok in ["production", "550e8400-e29b-41d4-a716-446655440000", "a b", "a?b", "...", "%2e%2e"] {
            assert!(path_segment("id", ok).is_ok(), "{ok}");
        }
        for bad in ["", ".", "..", "a/b", "../x", "a\\b", "a\nb", "\u{0}", "a\u{7f}", "é\u{85}", "é\tx"] {
            assert!(rule_of(path_segment("id", bad)).starts_with("id: must not"), "{bad:?}");
        }
    }

    /// The length rules count characters, whatever shortcut the bytes allow: every string of up to four
    /// characters of 1, 2, 3 and 4 bytes, against every bound up to 5.
    #[test]
    fn lengths_are_characters_whatever_their_bytes() {
        let alphabet = ['a', 'é', '€', '😀'];
        let mut strings = vec![String::new()];
        for _ in 0..4 {
            let longer: Vec<String> =
                strings.iter().flat_map(|s| alphabet.iter().map(move |c| format!("{s}{c}"))).collect();
            strings.extend(longer);
        }
        strings.sort();
        strings.dedup();
        for bound in 0..=5 {
            let min = Schema { min_length: Some(bound), ..Schema::of(Kind::String) };
            let max = Schema { max_length: Some(bound), ..Schema::of(Kind::String) };
            for value in &strings {
                let n = value.chars().count();
                assert_eq!(check_str("v", &min, value, Side::Client).is_ok(), n >= bound, "min {bound} {value:?}");
                assert_eq!(check_str("v", &max, value, Side::Client).is_ok(), n <= bound, "max {bound} {value:?}");
            }
        }
    }

    #[test]
    fn strings_are_checked_for_length_in_characters_and_pattern() {
        assert_eq!(rule_of(check_str("slug", &SLUG, "ab-1", Side::Client)), "ok");
        assert_eq!(rule_of(check_str("slug", &SLUG, "", Side::Client)), "slug: must not be empty");
        assert_eq!(
            rule_of(check_str("slug", &SLUG, "abcdef", Side::Client)),
            "slug: must have at most 5 characters (got 6)"
        );
        assert_eq!(
            rule_of(check_str("slug", &SLUG, "a--b", Side::Client)),
            "slug: must match the pattern ^[a-z0-9]+(?:-[a-z0-9]+)*$"
        );
        let name = Schema { min_length: Some(2), max_length: Some(3), ..Schema::of(Kind::String) };
        assert_eq!(rule_of(check_str("name", &name, "ééé", Side::Client)), "ok", "characters, not bytes");
        assert_eq!(
            rule_of(check_str("name", &name, "é", Side::Client)),
            "name: must have at least 2 characters (got 1)"
        );
    }

    #[test]
    fn a_pattern_with_a_rule_in_words_names_it_instead_of_the_pattern() {
        let id = Schema {
            min_length: Some(1),
            pattern: Some(Pattern::with_rule("^\\S+$", |v| !v.contains(' '), "must not hold spaces")),
            ..Schema::of(Kind::String)
        };
        assert_eq!(rule_of(check_str("user_ids", &id, "a b", Side::Client)), "user_ids: must not hold spaces");
        assert_eq!(rule_of(check_str("user_ids", &id, "", Side::Server)), "user_ids: must not be empty");
        assert_eq!(rule_of(check_str("user_ids", &id, "ab", Side::Server)), "ok");
    }

    #[test]
    fn open_enums_pass_unknown_values_on_the_client_only() {
        let open = Schema { values: &["daily", "weekly"], open: true, ..Schema::of(Kind::String) };
        assert_eq!(rule_of(check_str("interval", &open, "hourly", Side::Client)), "ok");
        assert_eq!(
            rule_of(check_str("interval", &open, "hourly", Side::Server)),
            "interval: must be one of daily, weekly"
        );
        assert_eq!(rule_of(check_str("interval", &open, "daily", Side::Server)), "ok");
        let closed = Schema { open: false, ..open };
        assert!(check_str("interval", &closed, "hourly", Side::Client).is_err());
    }

    #[test]
    fn numbers_are_checked_for_range_and_finiteness() {
        let rate = Schema {
            minimum: Some(Bound::Number(0.0001)),
            maximum: Some(Bound::Integer(1)),
            ..Schema::of(Kind::Number)
        };
        for ok in [0.0001, 0.5, 1.0] {
            assert_eq!(rule_of(check_num("rate", &rate, ok)), "ok", "{ok}");
        }
        for bad in [0.0, 0.00009, 1.0001, -1.0] {
            assert_eq!(rule_of(check_num("rate", &rate, bad)), "rate: must be a number from 0.0001 to 1", "{bad}");
        }
        for bad in [f64::NAN, f64::INFINITY, f64::NEG_INFINITY] {
            assert_eq!(rule_of(check_num("rate", &rate, bad)), "rate: must be a finite number from 0.0001 to 1");
        }
        let usd = Schema { minimum: Some(Bound::Integer(0)), exclusive_minimum: true, ..Schema::of(Kind::Number) };
        assert_eq!(rule_of(check_num("limit_usd", &usd, 0.01)), "ok");
        assert_eq!(rule_of(check_num("limit_usd", &usd, 0.0)), "limit_usd: must be a number greater than 0");
        assert_eq!(
            rule_of(check_num("limit_usd", &usd, f64::NAN)),
            "limit_usd: must be a finite number greater than 0"
        );
    }

    #[test]
    fn integers_are_checked_against_their_bounds_without_overflow() {
        let limit = Schema {
            minimum: Some(Bound::Integer(1)),
            maximum: Some(Bound::Integer(100)),
            ..Schema::of(Kind::Integer)
        };
        assert_eq!(rule_of(check_int("limit", &limit, 1)), "ok");
        assert_eq!(rule_of(check_int("limit", &limit, 101)), "limit: must be an integer from 1 to 100");
        let offset = Schema {
            minimum: Some(Bound::Integer(0)),
            maximum: Some(Bound::Integer(i64::MAX)),
            ..Schema::of(Kind::Integer)
        };
        assert_eq!(
            rule_of(check_int("offset", &offset, i128::from(u64::MAX))),
            format!("offset: must be an integer from 0 to {}", i64::MAX)
        );
        assert_eq!(
            rule_of(check_int("offset", &offset, -1)),
            format!("offset: must be an integer from 0 to {}", i64::MAX)
        );
    }

    #[test]
    fn arrays_are_bounded_and_too_many_items_say_how_to_fix_it() {
        let ids = Schema { min_items: Some(1), max_items: Some(100), ..Schema::of(Kind::Array) };
        assert_eq!(rule_of(check_items("user_ids", &ids, 100)), "ok");
        assert_eq!(rule_of(check_items("user_ids", &ids, 0)), "user_ids: must hold 1 to 100 items (got 0)");
        assert_eq!(
            rule_of(check_items("user_ids", &ids, 101)),
            "user_ids: must hold 1 to 100 items (got 101); split it over several calls"
        );
    }

    /// A path parameter's fast check (generated beside its `Parameter`, called first by the checked call) says yes
    /// exactly to the printable ASCII values its whole check accepts: never to a value the whole check refuses (it
    /// would be sent unchecked), and never no to a common one (the call would pay for both). Tried on every value
    /// of up to two characters over ASCII and a few others (C1 control, non-breaking space, line separator, `é`),
    /// each also between and after a plain character (the middle and the ends of a value are checked apart), on
    /// `.`-only values, and on values at each length limit and one past it.
    #[test]
    fn every_fast_path_check_says_yes_to_what_the_whole_check_accepts_of_printable_ascii() {
        let alphabet: Vec<char> = (0u8..128).map(char::from).chain(['\u{85}', '\u{a0}', '\u{2028}', 'é']).collect();
        let mut values: Vec<String> = ["", ".", "..", "...", ". ", " .", "a.", ".a"].map(str::to_owned).to_vec();
        for a in &alphabet {
            values.push(a.to_string());
            for b in &alphabet {
                values.extend([format!("{a}{b}"), format!("x{a}{b}"), format!("{a}x{b}"), format!("{a}{b}x")]);
            }
        }
        let checks = crate::tables::operations::PLAIN_CHECKS;
        for &(param, plain) in checks {
            let mut values = values.clone();
            for limit in [param.schema.min_length, param.schema.max_length].into_iter().flatten() {
                values.extend([limit.saturating_sub(1), limit, limit + 1].map(|n| "a".repeat(n)));
            }
            for value in &values {
                let whole = value.as_str().check_param(param).is_ok();
                let printable = value.bytes().all(|b| (b' '..=b'~').contains(&b));
                assert_eq!(plain(value), whole && printable, "{} on {value:?} (whole check: {whole})", param.name);
            }
        }
        // Every string path parameter that is not an enum has one (the spec's patterns all have a shape it narrows).
        assert!(checks.len() >= 15, "{} fast checks", checks.len());
    }
}
