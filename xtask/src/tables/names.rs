//! The names things take in Rust: builders and enums (a generator setting where they differ from the schema's),
//! variants, constants, fields; and the owner of a constraint (the prefix of its `limits` constants).

use proc_macro2::{Ident, Span, TokenStream};
use quote::quote;

use super::model::{BodyDef, Op, Param, PropDef};

/// Rust names that differ from the schema's name (a generator setting, not a fact of the API). Without an entry, a
/// request body's builder is named after its schema without the `Request` suffix, and an enum after its schema.
pub const RUST_NAMES: &[(&str, &str)] = &[
    ("WorkspaceBudgetInterval", "BudgetInterval"),
    ("WorkspaceBudgetResetInterval", "ResetInterval"),
    // `budgets(..).set(interval, BudgetLimit::new(100.0))`, or just `100.0`.
    ("UpsertWorkspaceBudgetRequest", "BudgetLimit"),
    // `workspaces().keys("acme").create(CreateKey::new("ci"))`, `keys().update(hash, UpdateKey::new())`.
    ("CreateApiKeyRequest", "CreateKey"),
    ("UpdateApiKeyRequest", "UpdateKey"),
];

/// The library's type for a string schema with `format: password` (OpenAPI's word for a value to obscure): a
/// secret whose `Debug`, `Display` and `Serialize` redact it (a created API key's `key`).
pub const SECRET_TYPE: &str = "crate::secret::Secret";

/// The Rust name of a schema: [`RUST_NAMES`], else the schema's name (without `Request` for a request body).
pub fn rust_name(schema: &str, body: bool) -> String {
    if let Some((_, rust)) = RUST_NAMES.iter().find(|(s, _)| *s == schema) {
        return (*rust).to_owned();
    }
    match schema.strip_suffix("Request") {
        Some(stripped) if body && !stripped.is_empty() => stripped.to_owned(),
        _ => schema.to_owned(),
    }
}

/// `openrouter:web_search` -> `WebSearch`, `daily` -> `Daily`: the part after the last `:`, in UpperCamelCase.
pub fn variant_name(value: &str) -> String {
    let tail = value.rsplit(':').next().unwrap_or(value);
    let name = upper_camel(tail);
    if name.starts_with(|c: char| c.is_ascii_digit()) { format!("V{name}") } else { name }
}

/// UpperCamelCase of words split at anything but letters and digits, and at lower-to-upper changes.
pub fn upper_camel(text: &str) -> String {
    words(text)
        .iter()
        .map(|w| {
            let mut chars = w.chars();
            chars
                .next()
                .map(|c| c.to_ascii_uppercase().to_string() + &chars.as_str().to_ascii_lowercase())
                .unwrap_or_default()
        })
        .collect()
}

/// SCREAMING_SNAKE_CASE of the same words.
pub fn screaming(text: &str) -> String {
    words(text).iter().map(|w| w.to_ascii_uppercase()).collect::<Vec<_>>().join("_")
}

/// snake_case of the same words.
pub fn snake(text: &str) -> String {
    words(text).iter().map(|w| w.to_ascii_lowercase()).collect::<Vec<_>>().join("_")
}

fn words(text: &str) -> Vec<String> {
    let mut words = Vec::new();
    let mut current = String::new();
    let mut previous_lower = false;
    for c in text.chars() {
        if !c.is_ascii_alphanumeric() {
            if !current.is_empty() {
                words.push(std::mem::take(&mut current));
            }
            previous_lower = false;
            continue;
        }
        if c.is_ascii_uppercase() && previous_lower && !current.is_empty() {
            words.push(std::mem::take(&mut current));
        }
        previous_lower = c.is_ascii_lowercase() || c.is_ascii_digit();
        current.push(c);
    }
    if !current.is_empty() {
        words.push(current);
    }
    words
}

pub(super) fn ident(name: &str) -> Ident {
    Ident::new(name, Span::call_site())
}

/// A field or method name: snake_case, raw when it is a keyword.
pub(super) fn field_ident(name: &str) -> Ident {
    let snake = snake(name);
    match syn::parse_str::<Ident>(&snake) {
        Ok(id) => id,
        Err(_) => Ident::new_raw(&snake, Span::call_site()),
    }
}

pub(super) fn doc(text: &str) -> TokenStream {
    let lines: Vec<TokenStream> = text
        .lines()
        .map(|l| {
            let l = format!(" {l}");
            quote!(#[doc = #l])
        })
        .collect();
    quote!(#(#lines)*)
}

/// The owner of a parameter's limits: `<OPERATION>_<PARAMETER>`.
pub(super) fn param_owner(op: &Op, p: &Param) -> String {
    format!("{}_{}", screaming(&op.id), screaming(&p.name))
}

/// The owner of a body property's limits: `<BUILDER>_<PROPERTY>`.
pub(super) fn body_owner(b: &BodyDef, p: &PropDef) -> String {
    format!("{}_{}", screaming(&b.rust), screaming(&p.name))
}

/// The owner of the items of an array property: `<BUILDER>_<PROPERTY>_ITEMS`.
pub(super) fn items_owner(b: &BodyDef, p: &PropDef) -> String {
    format!("{}_ITEMS", body_owner(b, p))
}

pub(super) fn sentence(text: &str) -> String {
    let t = text.trim();
    if t.is_empty() || t.ends_with('.') { t.to_owned() } else { format!("{t}.") }
}

pub(super) fn capitalize(text: &str) -> String {
    let mut chars = text.chars();
    chars.next().map(|c| c.to_uppercase().collect::<String>() + chars.as_str()).unwrap_or_default()
}
