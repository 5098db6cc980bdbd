//! The limits: every number, pattern and default a constraint states, named `<OWNER>_<KIND>`, and the `Schema`
//! expression of a value that names them.

use proc_macro2::{Ident, TokenStream};
use quote::{format_ident, quote};
use serde_json::Value;

use super::matchers;
use super::model::{Kind, Model, SchemaDef};
use super::names::{body_owner, doc, ident, items_owner, param_owner, snake};

/// A constant of the `limits` module: name, type, value and what it is.
struct Limit {
    name: String,
    ty: TokenStream,
    value: TokenStream,
    what: String,
}

/// A value the spec constrains, as its limits know it: the prefix of its constants (`LIST_WORKSPACES_LIMIT`), what
/// it is (for their docs), and its constraints.
struct Owner<'a> {
    /// The prefix of its constants.
    name: String,
    /// What it is, e.g. "query parameter `limit` of `listWorkspaces`".
    what: String,
    /// Its constraints.
    schema: &'a SchemaDef,
}

/// Every value of the model that can have limits, in the order of the `limits` module: the parameters of each
/// operation, then the properties of each request body (each followed by its items, for an array).
fn owners(model: &Model) -> Vec<Owner<'_>> {
    let mut out = Vec::new();
    for op in &model.operations {
        for p in &op.params {
            let what = format!("{} parameter `{}` of `{}`", p.location.as_str(), p.name, op.id);
            out.push(Owner { name: param_owner(op, p), what, schema: &p.schema });
        }
    }
    for b in &model.bodies {
        for p in &b.props {
            let what = format!("property `{}` of `{}`", p.name, b.schema);
            out.push(Owner { name: body_owner(b, p), what, schema: &p.schema });
            if let Some(items) = &p.items {
                let what = format!("the items of `{}` of `{}`", p.name, b.schema);
                out.push(Owner { name: items_owner(b, p), what, schema: items });
            }
        }
    }
    out
}

/// What the limits of one value are, computed in one place: its constants (named `{owner}_{KIND}`), the
/// `Schema` expression that names them, and the matcher of its pattern.
struct Analysis {
    limits: Vec<Limit>,
    expr: TokenStream,
    pattern: Option<(Ident, String)>,
}

/// The `Schema` expression of a value, naming its constants in `crate::limits`.
pub(super) fn schema_expr(owner: &str, schema: &SchemaDef) -> TokenStream {
    analyse(owner, schema).expr
}

/// The matcher function of a value's pattern (its name and the pattern), if it has one.
pub(super) fn pattern_of(owner: &str, schema: &SchemaDef) -> Option<(Ident, String)> {
    analyse(owner, schema).pattern
}

fn analyse(owner: &str, schema: &SchemaDef) -> Analysis {
    let mut limits = Vec::new();
    let mut pattern = None;
    let kind = match schema.kind {
        Kind::String => quote!(String),
        Kind::Integer => quote!(Integer),
        Kind::Number => quote!(Number),
        Kind::Boolean => quote!(Boolean),
        Kind::Array => quote!(Array),
        Kind::Object => quote!(Object),
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
        let bound = match (schema.kind, n.as_i64()) {
            (Kind::Integer, Some(i)) => {
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
        pattern = Some((matcher.clone(), p.clone()));
        fields.push(match &schema.pattern_rule {
            Some(rule) => quote!(pattern: Some(crate::validate::Pattern::with_rule(#path, #matcher, #rule))),
            None => quote!(pattern: Some(crate::validate::Pattern::new(#path, #matcher))),
        });
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
    let expr =
        quote!(crate::validate::Schema { #(#fields,)* ..crate::validate::Schema::of(crate::validate::Kind::#kind) });
    Analysis { limits, expr, pattern }
}

/// One matcher function per pattern (the body from [`matchers::body`]), and, for the library's tests, the table
/// `MATCHERS` of each pattern, its matcher and the boundaries of its classes.
pub(super) fn pattern_fns(patterns: &[(Ident, String)]) -> TokenStream {
    let fns = patterns.iter().map(|(name, source)| {
        let body = matchers::body(source);
        quote! {
            fn #name(value: &str) -> bool {
                #body
            }
        }
    });
    let cases = patterns.iter().map(|(name, source)| {
        let edges = matchers::boundaries(source);
        quote!((crate::validate::Pattern::new(#source, #name), #edges))
    });
    quote! {
        #(#fns)*
        /// Each pattern, its matcher and the characters at the edges of its classes (for the tests).
        #[cfg(test)]
        pub(crate) const MATCHERS: &[(crate::validate::Pattern, &str)] = &[#(#cases),*];
    }
}

pub(super) fn emit(model: &Model) -> TokenStream {
    let items = owners(model).into_iter().flat_map(|owner| {
        analyse(&owner.name, owner.schema).limits.into_iter().map(move |l| {
            let text = doc(&format!("{}, {}.", l.what, owner.what));
            let name = ident(&l.name);
            let (ty, value) = (l.ty, l.value);
            quote! { #text pub const #name: #ty = #value; }
        })
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
