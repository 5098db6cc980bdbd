//! What the spec states about one value: its [`Kind`], and the constraints a [`Schema`] holds ([`Bound`]s,
//! [`Pattern`]s, lengths, item counts, enum values). Plain descriptions, whose values `cargo xtask regenerate`
//! writes from the spec: the operation table ([`operation`](crate::operation)) describes its parameters with them, and
//! [`validate`](crate::validate) (which re-exports them, their public home) checks values against them. A leaf:
//! it uses nothing else of the crate.

use std::fmt;

/// What a value is, as far as its checks go.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
#[non_exhaustive]
pub enum Kind {
    /// A string (possibly one of an enum's values).
    String,
    /// An integer.
    Integer,
    /// A number.
    Number,
    /// `true` or `false`.
    Boolean,
    /// An array.
    Array,
    /// An object, or any JSON value.
    Object,
}

/// A bound of a number or an integer.
#[derive(Clone, Copy, Debug, PartialEq)]
#[non_exhaustive]
pub enum Bound {
    /// An integer bound.
    Integer(i64),
    /// A number bound.
    Number(f64),
}

impl Bound {
    /// The bound as an `f64`, to compare with non-integer values.
    pub(crate) fn as_f64(self) -> f64 {
        match self {
            // Exact for every bound the spec states; only used to compare with non-integer values.
            Bound::Integer(i) => i as f64,
            Bound::Number(n) => n,
        }
    }
}

impl fmt::Display for Bound {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Bound::Integer(i) => write!(f, "{i}"),
            Bound::Number(n) => write!(f, "{n}"),
        }
    }
}

/// A `pattern` of the spec (ECMA-262 syntax, matched anywhere in the value unless anchored), and the compiled
/// matcher the generator emitted for it.
#[derive(Clone, Copy)]
pub struct Pattern {
    source: &'static str,
    matches: fn(&str) -> bool,
    rule: Option<&'static str>,
}

impl Pattern {
    /// A pattern and its matcher (the generator emits both).
    pub(crate) const fn new(source: &'static str, matches: fn(&str) -> bool) -> Pattern {
        Pattern { source, matches, rule: None }
    }

    /// A pattern, its matcher, and what it requires in words (the spec's `x-pattern-rule`).
    pub(crate) const fn with_rule(source: &'static str, matches: fn(&str) -> bool, rule: &'static str) -> Pattern {
        Pattern { source, matches, rule: Some(rule) }
    }

    /// What the pattern requires in words, when the spec says it (`x-pattern-rule`, e.g. "must not be blank, start
    /// or end with whitespace, or hold control characters").
    pub fn rule(&self) -> Option<&'static str> {
        self.rule
    }

    /// The pattern as the spec writes it.
    pub fn source(&self) -> &'static str {
        self.source
    }

    /// Whether `value` matches.
    pub fn is_match(&self, value: &str) -> bool {
        (self.matches)(value)
    }
}

impl fmt::Debug for Pattern {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_tuple("Pattern").field(&self.source).finish()
    }
}

impl PartialEq for Pattern {
    fn eq(&self, other: &Pattern) -> bool {
        self.source == other.source
    }
}

/// The constraints the spec states on one value (a parameter, a property of a request body, or an array's items).
#[derive(Clone, Copy, Debug, PartialEq)]
#[non_exhaustive]
pub struct Schema {
    /// What the value is.
    pub kind: Kind,
    /// Whether `null` is allowed.
    pub nullable: bool,
    /// Fewest characters (Unicode scalar values, as JSON Schema counts them).
    pub min_length: Option<usize>,
    /// Most characters.
    pub max_length: Option<usize>,
    /// A pattern the whole value must match.
    pub pattern: Option<Pattern>,
    /// Smallest value (`exclusive_minimum`: the value must be greater).
    pub minimum: Option<Bound>,
    /// Whether `minimum` itself is excluded.
    pub exclusive_minimum: bool,
    /// Largest value (`exclusive_maximum`: the value must be smaller).
    pub maximum: Option<Bound>,
    /// Whether `maximum` itself is excluded.
    pub exclusive_maximum: bool,
    /// Fewest items of an array.
    pub min_items: Option<usize>,
    /// Most items of an array.
    pub max_items: Option<usize>,
    /// The values of an enum (empty when the value is not one).
    pub values: &'static [&'static str],
    /// Whether the enum is open in this SDK: values it does not know are sent as they are (the server may know
    /// them), and only the server side (the fake) refuses them.
    pub open: bool,
    /// The spec's `default`, as JSON text.
    pub default: Option<&'static str>,
}

impl Schema {
    /// A value of this kind without constraints.
    pub const fn of(kind: Kind) -> Schema {
        Schema {
            kind,
            nullable: false,
            min_length: None,
            max_length: None,
            pattern: None,
            minimum: None,
            exclusive_minimum: false,
            maximum: None,
            exclusive_maximum: false,
            min_items: None,
            max_items: None,
            values: &[],
            open: false,
            default: None,
        }
    }
}

#[cfg(test)]
mod tests {
    /// Every pattern matcher the generator wrote (one pass over the characters for the shapes it knows, regex-lite
    /// otherwise) agrees with regex-lite on every string of up to three characters drawn from the edges of the
    /// pattern's classes (each end of each range and its neighbours, and its literals), which is where a hand-made
    /// matcher goes wrong: the empty string, one character, and a first, middle and last character of each kind; and
    /// every ASCII character in each of those places (the matchers test an ASCII value against 128-bit sets).
    #[test]
    fn every_generated_matcher_agrees_with_regex_lite_at_the_edges_of_its_classes() {
        let all = crate::tables::operations::MATCHERS.iter().chain(crate::tables::requests::MATCHERS);
        let mut checked = 0;
        for &(pattern, edges) in all {
            let source = pattern.source();
            let regex = regex_lite::Regex::new(source).expect("the generator compiled every pattern");
            let alphabet: Vec<char> = edges.chars().collect();
            assert!(!alphabet.is_empty(), "{source}: no edges");
            let mut strings = vec![String::new()];
            let mut last = vec![String::new()];
            for _ in 0..3 {
                last = last.iter().flat_map(|s| alphabet.iter().map(move |c| format!("{s}{c}"))).collect();
                strings.extend(last.iter().cloned());
            }
            // Every ASCII character (each has its bit in the matcher's ASCII sets), alone, first, last and between
            // two edges: an ASCII value is matched a byte at a time, any other value a character at a time.
            for c in (0u8..128).map(char::from) {
                strings.push(c.to_string());
                for &e in &alphabet {
                    strings.extend([format!("{e}{c}"), format!("{c}{e}"), format!("{e}{c}{e}")]);
                }
            }
            for value in &strings {
                assert_eq!(pattern.is_match(value), regex.is_match(value), "{source} on {value:?}");
            }
            checked += 1;
        }
        assert!(checked >= 2, "the spec's parameters and request bodies hold patterns");
    }
}
