//! The limits: every number, pattern and default a constraint states, named `<OWNER>_<KIND>`, and the `Schema`
//! expression of a value that names them.

use std::collections::BTreeMap;

use proc_macro2::{Ident, TokenStream};
use quote::{format_ident, quote};
use serde_json::Value;

use super::model::{Model, SchemaDef};
use super::names::{body_owner, doc, ident, param_owner, snake};

/// A constant of the `limits` module: name, type, value and what it is.
pub(super) struct Limit {
    name: String,
    ty: TokenStream,
    value: TokenStream,
    what: String,
}

/// The limits of one value, named `{owner}_{KIND}`, and the `Schema` expression that uses them.
pub(super) fn schema_expr(
    owner: &str,
    schema: &SchemaDef,
    limits: &mut Vec<Limit>,
    patterns: &mut Vec<(Ident, String)>,
) -> TokenStream {
    let kind = match schema.kind.as_str() {
        "string" => quote!(String),
        "integer" => quote!(Integer),
        "number" => quote!(Number),
        "boolean" => quote!(Boolean),
        "array" => quote!(Array),
        _ => quote!(Object),
    };
    let mut fields = Vec::new();
    let mut limit = |suffix: &str, ty: TokenStream, value: TokenStream, what: String| {
        let name = format!("{owner}_{suffix}");
        let id = ident(&name);
        limits.push(Limit { name, ty, value, what });
        quote!(crate::limits::#id)
    };
    if schema.nullable {
        fields.push(quote!(nullable: true));
    }
    for (key, suffix, value, spec_key) in [
        ("min_length", "MIN_LENGTH", schema.min_length, "minLength"),
        ("max_length", "MAX_LENGTH", schema.max_length, "maxLength"),
        ("min_items", "MIN_ITEMS", schema.min_items, "minItems"),
        ("max_items", "MAX_ITEMS", schema.max_items, "maxItems"),
    ] {
        if let Some(v) = value {
            let lit = proc_macro2::Literal::usize_unsuffixed(v as usize);
            let path = limit(suffix, quote!(usize), quote!(#lit), format!("`{spec_key}`: {v}"));
            let key = ident(key);
            fields.push(quote!(#key: Some(#path)));
        }
    }
    for (key, suffix, value, exclusive, spec_key) in [
        ("minimum", "MINIMUM", &schema.minimum, schema.exclusive_minimum, "minimum"),
        ("maximum", "MAXIMUM", &schema.maximum, schema.exclusive_maximum, "maximum"),
    ] {
        let Some(n) = value else { continue };
        let what = format!("`{spec_key}`{}: {n}", if exclusive { " (exclusive)" } else { "" });
        let bound = match (schema.kind.as_str(), n.as_i64()) {
            ("integer", Some(i)) => {
                let lit = proc_macro2::Literal::i64_unsuffixed(i);
                let path = limit(suffix, quote!(i64), quote!(#lit), what);
                quote!(crate::validate::Bound::Integer(#path))
            }
            _ => {
                let f = n.as_f64().unwrap_or(0.0);
                let lit = proc_macro2::Literal::f64_unsuffixed(f);
                let path = limit(suffix, quote!(f64), quote!(#lit), what);
                quote!(crate::validate::Bound::Number(#path))
            }
        };
        let key = ident(key);
        fields.push(quote!(#key: Some(#bound)));
        if exclusive {
            let flag = format_ident!("exclusive_{}", key);
            fields.push(quote!(#flag: true));
        }
    }
    if let Some(p) = &schema.pattern {
        let path = limit("PATTERN", quote!(&str), quote!(#p), format!("`pattern`: `{p}`"));
        let matcher = format_ident!("{}_matches", snake(owner));
        patterns.push((matcher.clone(), p.clone()));
        fields.push(quote!(pattern: Some(crate::validate::Pattern::new(#path, #matcher))));
    }
    if !schema.values.is_empty() {
        let values = &schema.values;
        fields.push(quote!(values: &[#(#values),*]));
        if schema.open {
            fields.push(quote!(open: true));
        }
    }
    if let Some(default) = &schema.default {
        let text = default.to_string();
        fields.push(quote!(default: Some(#text)));
        let (ty, value) = match default {
            Value::Number(n) if n.is_i64() => {
                let lit = proc_macro2::Literal::i64_unsuffixed(n.as_i64().unwrap_or(0));
                (quote!(i64), quote!(#lit))
            }
            Value::Number(n) => {
                let lit = proc_macro2::Literal::f64_unsuffixed(n.as_f64().unwrap_or(0.0));
                (quote!(f64), quote!(#lit))
            }
            Value::Bool(b) => (quote!(bool), quote!(#b)),
            Value::String(s) => (quote!(&str), quote!(#s)),
            _ => (quote!(&str), quote!(#text)),
        };
        limit("DEFAULT", ty, value, format!("`default`: {text}"));
    }
    quote!(crate::validate::Schema { #(#fields,)* ..crate::validate::Schema::of(crate::validate::Kind::#kind) })
}

pub(super) fn pattern_fns(patterns: &[(Ident, String)]) -> TokenStream {
    let fns = patterns.iter().map(|(name, source)| {
        quote! {
            fn #name(value: &str) -> bool {
                static RE: ::std::sync::LazyLock<::std::option::Option<::regex_lite::Regex>> =
                    ::std::sync::LazyLock::new(|| ::regex_lite::Regex::new(#source).ok());
                // The generator compiled the pattern with the same engine, so `None` cannot happen; it would let
                // the value through (the server still checks it) rather than panic.
                RE.as_ref().is_none_or(|re| re.is_match(value))
            }
        }
    });
    quote!(#(#fns)*)
}

pub(super) fn emit(model: &Model) -> TokenStream {
    let mut limits = Vec::new();
    let mut patterns = Vec::new();
    for op in &model.operations {
        for p in &op.params {
            schema_expr(&param_owner(op, p), &p.schema, &mut limits, &mut patterns);
        }
    }
    for b in &model.bodies {
        for p in &b.props {
            schema_expr(&body_owner(b, p), &p.schema, &mut limits, &mut patterns);
            if let Some(items) = &p.items {
                schema_expr(&format!("{}_ITEMS", body_owner(b, p)), items, &mut limits, &mut patterns);
            }
        }
    }
    let mut owners = BTreeMap::new();
    for op in &model.operations {
        for p in &op.params {
            owners.insert(param_owner(op, p), format!("{} parameter `{}` of `{}`", p.location, p.name, op.id));
        }
    }
    for b in &model.bodies {
        for p in &b.props {
            owners.insert(body_owner(b, p), format!("property `{}` of `{}`", p.name, b.schema));
            owners
                .insert(format!("{}_ITEMS", body_owner(b, p)), format!("the items of `{}` of `{}`", p.name, b.schema));
        }
    }
    let items = limits.iter().map(|l| {
        let owner = owners.iter().filter(|(o, _)| l.name.starts_with(o.as_str())).max_by_key(|(o, _)| o.len());
        let of = owner.map(|(_, w)| w.as_str()).unwrap_or("");
        let text = doc(&format!("{}, {of}.", l.what));
        let name = ident(&l.name);
        let ty = &l.ty;
        let value = &l.value;
        quote! { #text pub const #name: #ty = #value; }
    });
    quote! {
        /// Every limit the spec states: lengths in characters, bounds, item counts, patterns and defaults, named
        /// `<OWNER>_<PROPERTY>_<KIND>` (a request builder and its property, or an operation and its parameter).
        /// The client checks them before sending and the fake on receiving.
        pub mod limits {
            #(#items)*
        }
    }
}
