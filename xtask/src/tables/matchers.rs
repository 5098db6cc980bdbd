//! The matcher of a `pattern`: the body of a `fn(&str) -> bool` that says whether a value matches it.
//!
//! Every pattern the spec holds today is one of three shapes, made only of character classes (the overlay's
//! `x-rules` and the slug). For those the generator writes the match as one pass over the characters, which is what
//! keeps a pattern check off the profile of a call (regex-lite took a W2 `get` from 0.85 to 0.67 of raw reqwest,
//! BENCHMARKS.md). Any other pattern falls back to regex-lite, compiled once. The shapes, after `^` and before `$`:
//!
//! - `[C]*` or `[C]+`: every character in `C` (and at least one);
//! - `[E](?:[I]*[F])?`: the first character in `E`; when there are more, the last in `F` and the rest in `I` (the
//!   overlay's "no blank, no whitespace at either end, no control character");
//! - `[W]+(?:s[W]+)*`, the separator `s` not in `W`: words of `W` joined by single separators (the slug).
//!
//! The shapes are read from regex-syntax's HIR, so the classes are the ones the regex engines see (escapes, ranges
//! and negation resolved). The library's tests hold every generated matcher to regex-lite on every short string
//! over the boundaries of its classes ([`boundaries`]).

use proc_macro2::{Literal, TokenStream};
use quote::quote;
use regex_syntax::hir::{Class, ClassUnicode, Hir, HirKind, Look};

/// The body of the matcher of `source` (the function's argument is `value: &str`).
pub fn body(source: &str) -> TokenStream {
    // Each shape first takes the common case, an ASCII value, a byte at a time against the class's ASCII set (two
    // 64-bit halves: a 128-bit shift costs several instructions per byte); any other value goes through its
    // characters.
    let has = quote!(let has = |set: (u64, u64), b: u8| (if b < 64 { set.0 } else { set.1 }) >> (b & 63) & 1 == 1;);
    match shape(source) {
        Some(Shape::All { class, non_empty }) => {
            let (c, set) = (class_pattern(&class), ascii_set(&class));
            let (ascii, chars) =
                (quote!(value.bytes().all(|b| has(#set, b))), quote!(value.chars().all(|c| matches!(c, #c))));
            let guard = if non_empty { quote!(!value.is_empty() &&) } else { quote!() };
            quote! {
                if value.is_ascii() {
                    #has
                    return #guard #ascii;
                }
                #guard #chars
            }
        }
        Some(Shape::Trimmed { ends, inner, last }) => {
            let (e, i, f) = (class_pattern(&ends), class_pattern(&inner), class_pattern(&last));
            let (se, si, sf) = (ascii_set(&ends), ascii_set(&inner), ascii_set(&last));
            quote! {
                if value.is_ascii() {
                    #has
                    return match value.as_bytes() {
                        [] => false,
                        [only] => has(#se, *only),
                        [first, middle @ .., last] => {
                            has(#se, *first) && has(#sf, *last) && middle.iter().all(|&b| has(#si, b))
                        }
                    };
                }
                let mut chars = value.chars();
                let (Some(first), last) = (chars.next(), chars.next_back()) else { return false };
                matches!(first, #e) && last.is_none_or(|c| matches!(c, #f)) && chars.all(|c| matches!(c, #i))
            }
        }
        Some(Shape::Words { word, separator }) => {
            let (w, set) = (class_pattern(&word), ascii_set(&word));
            let s = Literal::character(separator);
            quote! {
                if value.is_ascii() {
                    #has
                    return value.split(#s).all(|word| !word.is_empty() && word.bytes().all(|b| has(#set, b)));
                }
                value.split(#s).all(|word| !word.is_empty() && word.chars().all(|c| matches!(c, #w)))
            }
        }
        None => quote! {
            static RE: ::std::sync::LazyLock<::std::option::Option<::regex_lite::Regex>> =
                ::std::sync::LazyLock::new(|| ::regex_lite::Regex::new(#source).ok());
            // The generator compiled the pattern with the same engine, so `None` cannot happen; it would let
            // the value through (the server still checks it) rather than panic.
            RE.as_ref().is_none_or(|re| re.is_match(value))
        },
    }
}

/// The body of a path parameter's fast check (the function's argument is `value: &str`): true only for a value
/// that every rule of the parameter accepts (the SDK's path-segment rule, the pattern, the lengths), decided in one
/// pass over printable ASCII bytes with the sets of the pattern's classes narrowed to the bytes a segment may hold.
/// `false` is not a verdict: the checked call then runs the parameter's whole check, which decides and explains.
/// `None` when the pattern has no shape this can narrow (a slug's words, a regex).
///
/// Every call checks its ids, and the whole check (the segment rule, then the pattern's matcher through its
/// `Pattern`) is several functions apart in the binary: in W2 it cost 2-3% of a `get`, where this, inlined in the
/// checked call, costs what skipping the check does (BENCHMARKS.md).
pub fn plain_segment(pattern: Option<&str>, min_length: Option<u64>, max_length: Option<u64>) -> Option<TokenStream> {
    let bytes = match plain_sets(pattern)? {
        Plain::All(all) => {
            let all = halves(all);
            quote!(!value.is_empty() && value.bytes().all(|b| has(#all, b)))
        }
        Plain::Trimmed { ends, inner, last } => {
            let (se, si, sf) = (halves(ends), halves(inner), halves(last));
            quote!(match value.as_bytes() {
                [] => false,
                [only] => has(#se, *only),
                [first, middle @ .., last] => has(#se, *first) && has(#sf, *last) && middle.iter().all(|&b| has(#si, b)),
            })
        }
    };
    // An ASCII value has as many characters as bytes. A segment is never empty: a minimum of 0 or 1 says no more.
    let min = min_length.filter(|&m| m > 1).map(|m| {
        let m = Literal::u64_unsuffixed(m);
        quote!(value.len() >= #m &&)
    });
    let max = max_length.map(|m| {
        let m = Literal::u64_unsuffixed(m);
        quote!(value.len() <= #m &&)
    });
    // Unlike a matcher's, this `has` takes any byte: one of a non-ASCII character is in no set.
    Some(quote! {
        let has = |set: (u64, u64), b: u8| b < 128 && (if b < 64 { set.0 } else { set.1 }) >> (b & 63) & 1 == 1;
        #min #max !matches!(value, "." | "..") && #bytes
    })
}

/// The bytes a fast check lets through, where: the pattern's classes (every character, with no pattern) narrowed
/// to what a path segment may hold of ASCII.
#[derive(Debug, PartialEq)]
enum Plain {
    /// Every byte in the set.
    All(u128),
    /// The first byte in `ends`, the last in `last`, the others in `inner` (a single byte: in `ends`).
    Trimmed { ends: u128, inner: u128, last: u128 },
}

/// What a path segment may hold, of ASCII: printable characters (space included), not `/` or `\`. The rule is the
/// library's `validate::path_segment` (which also explains a refusal); the library's test of every fast check
/// against the whole check holds the two together over every ASCII character.
const SEGMENT: u128 = {
    let (mut set, mut b) = (0u128, 0x20);
    while b < 0x7f {
        if b != b'/' as u32 && b != b'\\' as u32 {
            set |= 1 << b;
        }
        b += 1;
    }
    set
};

fn plain_sets(pattern: Option<&str>) -> Option<Plain> {
    let Some(pattern) = pattern else { return Some(Plain::All(SEGMENT)) };
    match shape(pattern)? {
        Shape::All { class, .. } => Some(Plain::All(ascii_bits(&class) & SEGMENT)),
        Shape::Trimmed { ends, inner, last } => Some(Plain::Trimmed {
            ends: ascii_bits(&ends) & SEGMENT,
            inner: ascii_bits(&inner) & SEGMENT,
            last: ascii_bits(&last) & SEGMENT,
        }),
        Shape::Words { .. } => None,
    }
}

/// The ASCII characters of a class as a 128-bit set, bit `b` for the byte `b`, written as two 64-bit halves in hex
/// (bytes 0-63, 64-127): the set a matcher tests an ASCII value's bytes against.
fn ascii_set(class: &ClassUnicode) -> TokenStream {
    halves(ascii_bits(class))
}

/// A 128-bit set as two 64-bit halves in hex (bytes 0-63, 64-127).
fn halves(set: u128) -> TokenStream {
    let half =
        |bits: u64| -> Literal { format!("{bits:#018x}u64").parse().unwrap_or_else(|_| Literal::u64_suffixed(bits)) };
    let (low, high) = (half(set as u64), half((set >> 64) as u64));
    quote!((#low, #high))
}

fn ascii_bits(class: &ClassUnicode) -> u128 {
    let ascii = class.ranges().iter().filter(|r| u32::from(r.start()) < 128);
    ascii.fold(0, |set, r| (u32::from(r.start())..=u32::from(r.end()).min(127)).fold(set, |s, b| s | 1 << b))
}

/// The characters at the edges of the pattern's classes (each end of each range and its neighbours) and its
/// literals, sorted: the alphabet on which the tests compare a matcher with regex-lite.
pub fn boundaries(source: &str) -> String {
    let mut chars = Vec::new();
    if let Ok(hir) = regex_syntax::Parser::new().parse(source) {
        collect(&hir, &mut chars);
    }
    chars.sort_unstable();
    chars.dedup();
    chars.into_iter().collect()
}

fn collect(hir: &Hir, out: &mut Vec<char>) {
    match hir.kind() {
        HirKind::Class(Class::Unicode(class)) => {
            for r in class.ranges() {
                for c in [r.start() as u32, r.end() as u32] {
                    out.extend(
                        [c.checked_sub(1), Some(c), c.checked_add(1)].into_iter().flatten().filter_map(char::from_u32),
                    );
                }
            }
        }
        HirKind::Literal(lit) => out.extend(String::from_utf8_lossy(&lit.0).chars()),
        HirKind::Repetition(r) => collect(&r.sub, out),
        HirKind::Capture(c) => collect(&c.sub, out),
        HirKind::Concat(items) | HirKind::Alternation(items) => items.iter().for_each(|h| collect(h, out)),
        _ => {}
    }
}

/// A pattern the generator matches without a regex engine.
#[derive(Debug, PartialEq)]
enum Shape {
    /// `^[C]*$` (`non_empty`: `^[C]+$`).
    All { class: ClassUnicode, non_empty: bool },
    /// `^[E](?:[I]*[F])?$`.
    Trimmed { ends: ClassUnicode, inner: ClassUnicode, last: ClassUnicode },
    /// `^[W]+(?:s[W]+)*$`.
    Words { word: ClassUnicode, separator: char },
}

fn shape(source: &str) -> Option<Shape> {
    if !same_in_both_engines(source) {
        return None;
    }
    let hir = regex_syntax::Parser::new().parse(source).ok()?;
    let HirKind::Concat(items) = hir.kind() else { return None };
    let [start, body @ .., end] = items.as_slice() else { return None };
    if start.kind() != &HirKind::Look(Look::Start) || end.kind() != &HirKind::Look(Look::End) {
        return None;
    }
    match body {
        [one] => {
            let (class, min) = star_or_plus(one)?;
            Some(Shape::All { class, non_empty: min == 1 })
        }
        [first, rest] => {
            if let (Some(ends), Some((sub, 0, Some(1)))) = (class(first), repetition(rest)) {
                let HirKind::Concat(tail) = sub.kind() else { return None };
                let [middle, last] = tail.as_slice() else { return None };
                let (inner, 0) = star_or_plus(middle)? else { return None };
                return Some(Shape::Trimmed { ends, inner, last: class(last)? });
            }
            let (word, 1) = star_or_plus(first)? else { return None };
            let (sub, 0, None) = repetition(rest)? else { return None };
            let HirKind::Concat(tail) = sub.kind() else { return None };
            let [sep, again] = tail.as_slice() else { return None };
            let HirKind::Literal(lit) = sep.kind() else { return None };
            let mut sep_chars = std::str::from_utf8(&lit.0).ok()?.chars();
            let (Some(separator), None) = (sep_chars.next(), sep_chars.next()) else { return None };
            let (again, 1) = star_or_plus(again)? else { return None };
            let in_word = word.ranges().iter().any(|r| (r.start()..=r.end()).contains(&separator));
            (again == word && !in_word).then_some(Shape::Words { word, separator })
        }
        _ => None,
    }
}

/// Whether regex-syntax (Unicode mode) reads the pattern as regex-lite does: not when it holds a Perl class or
/// a word boundary (`\d`, `\w`, `\s`, `\b` and their negations are ASCII in regex-lite, as `\d` and `\w` are in
/// ECMA-262, and Unicode in regex-syntax), or an inline flag group (`(?i)`: case folding differs). Such a pattern
/// keeps regex-lite.
fn same_in_both_engines(source: &str) -> bool {
    let mut chars = source.chars().peekable();
    while let Some(c) = chars.next() {
        match c {
            '\\' if chars.next().is_some_and(|e| "dDwWsSbB".contains(e)) => return false,
            '(' if chars.peek() == Some(&'?') => {
                chars.next();
                if chars.peek() != Some(&':') {
                    return false;
                }
            }
            _ => {}
        }
    }
    true
}

fn class(hir: &Hir) -> Option<ClassUnicode> {
    match hir.kind() {
        HirKind::Class(Class::Unicode(c)) => Some(c.clone()),
        _ => None,
    }
}

fn repetition(hir: &Hir) -> Option<(&Hir, u32, Option<u32>)> {
    match hir.kind() {
        HirKind::Repetition(r) => Some((&r.sub, r.min, r.max)),
        _ => None,
    }
}

/// `[C]*` or `[C]+`: the class and the minimum (0 or 1).
fn star_or_plus(hir: &Hir) -> Option<(ClassUnicode, u32)> {
    let (sub, min, None) = repetition(hir)? else { return None };
    (min <= 1).then_some((class(sub)?, min))
}

/// The class as a `match` pattern: `'a'..='z' | '0'..='9'`.
fn class_pattern(class: &ClassUnicode) -> TokenStream {
    let ranges = class.ranges().iter().map(|r| {
        let (start, end) = (Literal::character(r.start()), Literal::character(r.end()));
        if r.start() == r.end() { quote!(#start) } else { quote!(#start..=#end) }
    });
    quote!(#(#ranges)|*)
}

#[cfg(test)]
mod tests {
    use super::*;

    const RULE: &str = r"^[^\x00-\x20\x7F-\x9F/\\](?:[^\x00-\x1F\x7F-\x9F/\\]*[^\x00-\x20\x7F-\x9F/\\])?$";

    #[test]
    fn the_overlay_rules_and_the_slug_need_no_regex_engine() {
        assert!(matches!(shape(RULE), Some(Shape::Trimmed { .. })));
        assert!(matches!(
            shape(r"^[^\x00-\x08\x0B\x0C\x0E-\x1F\x7F-\x9F]*$"),
            Some(Shape::All { non_empty: false, .. })
        ));
        assert!(matches!(shape("^[a-z]+$"), Some(Shape::All { non_empty: true, .. })));
        assert!(matches!(shape("^[a-z0-9]+(?:-[a-z0-9]+)*$"), Some(Shape::Words { separator: '-', .. })));
        assert!(matches!(shape(r"^[^\\d](?:[^\\s]*[^\\d])?$"), Some(Shape::Trimmed { .. })), "escaped backslashes");
    }

    #[test]
    fn anything_else_falls_back_to_regex_lite() {
        for source in [
            r"\b(sk-[a-zA-Z0-9]{48})\b",
            "[a-z]+",
            "^[a-z]+",
            "^[a-z]{2,3}$",
            "^[a-z-]+(?:-[a-z-]+)*$",
            "^[a-z]+(?:-[0-9]+)*$",
            "^[a-z]+(?:--[a-z]+)*$",
            "^(?:ab|c)$",
            "^a$",
            r"^\d+$",
            r"^[\w-]+$",
            r"^\S(?:[^\n]*\S)?$",
            "^(?i)[a-z]+$",
        ] {
            assert_eq!(shape(source), None, "{source}");
            assert!(body(source).to_string().contains("regex_lite"), "{source}");
        }
    }

    #[test]
    fn ascii_sets_hold_the_ascii_characters_of_the_class_and_nothing_else() {
        let set = |source: &str| match shape(source) {
            Some(Shape::All { class, .. }) => ascii_bits(&class),
            other => panic!("{source}: {other:?}"),
        };
        assert_eq!(set("^[a-c]*$"), 0b111 << b'a');
        assert_eq!(set("^[\\x00\\x02]*$"), 0b101);
        assert_eq!(set("^[\\x7F-\\x{10FFFF}]*$"), 1 << 127);
        assert_eq!(set("^[^\\x00-\\x7E]*$"), 1 << 127);
        assert_eq!(set("^[\\x{80}-\\x{10FFFF}]*$"), 0);
        assert_eq!(set("^[^a]*$"), !(1u128 << b'a'));
        assert_eq!(ascii_set(&ClassUnicode::empty()).to_string(), "(0x0000000000000000u64 , 0x0000000000000000u64)");
    }

    #[test]
    fn the_boundaries_are_the_edges_of_each_range_and_the_literals() {
        assert_eq!(boundaries("^[b-d]+(?:_[b-d]+)*$"), "_abcde");
        assert_eq!(boundaries("^x$"), "x");
    }

    /// A fast check lets through only what a path segment may hold (printable ASCII, not `/` or `\`), narrowed by
    /// the pattern's classes; a pattern of words (a slug), or one only a regex matches, has none.
    #[test]
    fn a_fast_check_lets_through_the_pattern_s_classes_narrowed_to_a_segment() {
        let bit = |c: u8| 1u128 << c;
        for c in (0u8..0x20).chain([b'/', b'\\', 0x7f]) {
            assert_eq!(SEGMENT & bit(c), 0, "{c:#x}");
        }
        for c in [b' ', b'.', b'a', b'~', b'%', b'?'] {
            assert_ne!(SEGMENT & bit(c), 0, "{c:#x}");
        }
        assert_eq!(plain_sets(None), Some(Plain::All(SEGMENT)));
        assert_eq!(plain_sets(Some("^[a-c/]+$")), Some(Plain::All(0b111 << b'a')));
        let id = r"^[^\x00-\x20\x7F-\x9F/\\](?:[^\x00-\x1F\x7F-\x9F/\\]*[^\x00-\x20\x7F-\x9F/\\])?$";
        assert_eq!(
            plain_sets(Some(id)),
            Some(Plain::Trimmed { ends: SEGMENT & !bit(b' '), inner: SEGMENT, last: SEGMENT & !bit(b' ') })
        );
        assert_eq!(plain_sets(Some("^[a-z0-9]+(?:-[a-z0-9]+)*$")), None);
        assert_eq!(plain_sets(Some(r"^\S(?:[^\n]*\S)?$")), None);
        assert!(plain_segment(Some("^[a-z0-9]+(?:-[a-z0-9]+)*$"), None, None).is_none());
        let body = plain_segment(None, Some(3), Some(10)).map(|b| b.to_string()).unwrap_or_default();
        assert!(body.contains("value . len () >= 3") && body.contains("value . len () <= 10"), "{body}");
        assert!(!plain_segment(None, Some(1), None).map(|b| b.to_string()).unwrap_or_default().contains(">="));
    }
}
