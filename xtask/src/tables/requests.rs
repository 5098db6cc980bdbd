//! The `requests` table: a builder per request body (required properties as constructor arguments, a setter per
//! optional property, `clear_<property>()` for the nullable ones of a PATCH body) and its validation.

use proc_macro2::{Ident, TokenStream};
use quote::{format_ident, quote};

use super::limits::{pattern_fns, pattern_of, schema_expr};
use super::model::{BodyDef, Model, PropDef, SchemaDef, Ty};
use super::names::{body_owner, capitalize, doc, field_ident, ident, items_owner, sentence};

fn rust_ty(ty: &Ty) -> TokenStream {
    match ty {
        Ty::String => quote!(::std::string::String),
        Ty::Integer => quote!(i64),
        Ty::Number => quote!(f64),
        Ty::Boolean => quote!(bool),
        Ty::Enum(name) => {
            let name = ident(name);
            quote!(crate::enums::#name)
        }
        Ty::Array(item) => {
            let item = rust_ty(item);
            quote!(::std::vec::Vec<#item>)
        }
        Ty::Json => quote!(::serde_json::Value),
    }
}

/// The argument type of a setter or constructor, and the expression that turns the argument `var` into the
/// field's type.
fn arg(ty: &Ty, var: &Ident) -> (TokenStream, TokenStream) {
    match ty {
        Ty::String => (quote!(impl ::std::convert::Into<::std::string::String>), quote!(#var.into())),
        Ty::Array(item) if **item == Ty::String => (
            quote!(impl ::std::iter::IntoIterator<Item = impl ::std::convert::Into<::std::string::String>>),
            quote!(#var.into_iter().map(::std::convert::Into::into).collect()),
        ),
        Ty::Array(item) => {
            let item = rust_ty(item);
            (quote!(impl ::std::iter::IntoIterator<Item = #item>), quote!(#var.into_iter().collect()))
        }
        other => (rust_ty(other), quote!(#var)),
    }
}

/// A sentence on a value's constraints, for docs: "1 to 100 characters; pattern `...`".
fn constraint_text(s: &SchemaDef) -> String {
    let mut parts = Vec::new();
    let range = |lo: Option<String>, hi: Option<String>, unit: &str| match (lo, hi) {
        (Some(lo), Some(hi)) => Some(format!("{lo} to {hi}{unit}")),
        (Some(lo), None) => Some(format!("at least {lo}{unit}")),
        (None, Some(hi)) => Some(format!("at most {hi}{unit}")),
        (None, None) => None,
    };
    parts.extend(range(s.min_length.map(|v| v.to_string()), s.max_length.map(|v| v.to_string()), " characters"));
    parts.extend(range(s.min_items.map(|v| v.to_string()), s.max_items.map(|v| v.to_string()), " items"));
    let lo = s.minimum.as_ref().map(|n| if s.exclusive_minimum { format!("greater than {n}") } else { n.to_string() });
    let hi = s.maximum.as_ref().map(|n| if s.exclusive_maximum { format!("less than {n}") } else { n.to_string() });
    match (lo, hi) {
        (Some(lo), None) if s.exclusive_minimum => parts.push(lo),
        (lo, hi) => parts.extend(range(lo, hi, "")),
    }
    if let Some(p) = &s.pattern {
        parts.push(format!("matching `{p}`"));
    }
    parts.join("; ")
}

/// The `schemars(...)` items that state a value's constraints, from the `limits` constants `schema_expr` names
/// `{owner}_{KIND}` (a constant that does not exist is a compile error of the generated code, not a silent gap):
/// `length` (string lengths and array sizes), `range`, `pattern`; an exclusive bound and a closed enum, which
/// schemars's attributes cannot state, through `extend`. An open enum's values are its type's schema.
fn schemars_constraints(owner: &str, s: &SchemaDef) -> Vec<TokenStream> {
    let limit = |suffix: &str| {
        let id = ident(&format!("{owner}_{suffix}"));
        quote!(crate::limits::#id)
    };
    let mut out = Vec::new();
    let sizes = if s.min_length.is_some() || s.max_length.is_some() {
        [(s.min_length, "min", "MIN_LENGTH"), (s.max_length, "max", "MAX_LENGTH")]
    } else {
        [(s.min_items, "min", "MIN_ITEMS"), (s.max_items, "max", "MAX_ITEMS")]
    };
    let bounds: Vec<TokenStream> = sizes
        .into_iter()
        .filter(|(v, _, _)| v.is_some())
        .map(|(_, key, suffix)| {
            let key = ident(key);
            let value = limit(suffix);
            quote!(#key = #value)
        })
        .collect();
    if !bounds.is_empty() {
        out.push(quote!(length(#(#bounds),*)));
    }
    let mut range = Vec::new();
    for (value, exclusive, key, suffix, keyword) in [
        (&s.minimum, s.exclusive_minimum, "min", "MINIMUM", "exclusiveMinimum"),
        (&s.maximum, s.exclusive_maximum, "max", "MAXIMUM", "exclusiveMaximum"),
    ] {
        if value.is_none() {
            continue;
        }
        let value = limit(suffix);
        if exclusive {
            out.push(quote!(extend(#keyword = #value)));
        } else {
            let key = ident(key);
            range.push(quote!(#key = #value));
        }
    }
    if !range.is_empty() {
        out.push(quote!(range(#(#range),*)));
    }
    if s.pattern.is_some() {
        let value = limit("PATTERN");
        out.push(quote!(pattern(#value)));
    }
    if !s.values.is_empty() && !s.open {
        let values = &s.values;
        out.push(quote!(extend("enum" = [#(#values),*])));
    }
    out
}

pub(super) fn emit(model: &Model, docs: &dyn Fn(&str) -> bool) -> TokenStream {
    let mut patterns = Vec::new();
    let mut items = Vec::new();
    for b in &model.bodies {
        let name = ident(&b.rust);
        let mut fields = Vec::new();
        let mut inits = Vec::new();
        let mut args = Vec::new();
        let mut setters = Vec::new();
        let mut checks = Vec::new();
        let mut schema_consts = Vec::new();
        let mut required_names = Vec::new();
        for p in &b.props {
            let f = field_ident(&p.name);
            let ty = rust_ty(&p.ty);
            let wire = &p.name;
            let tri = b.patch && !p.required && p.schema.nullable;
            let attrs = match (p.required, p.schema.nullable, tri) {
                (true, false, _) => quote!(),
                (true, true, _) => quote!(#[serde(deserialize_with = "::std::option::Option::deserialize")]),
                (false, _, true) => {
                    quote!(#[serde(default, skip_serializing_if = "::std::option::Option::is_none", deserialize_with = "crate::requests::present")])
                }
                (false, true, false) => {
                    quote!(#[serde(default, skip_serializing_if = "::std::option::Option::is_none")])
                }
                (false, false, _) => {
                    quote!(#[serde(default, skip_serializing_if = "::std::option::Option::is_none", deserialize_with = "crate::requests::non_null")])
                }
            };
            let field_ty = match (p.required, p.schema.nullable, tri) {
                (true, false, _) => ty.clone(),
                (_, _, true) => quote!(::std::option::Option<::std::option::Option<#ty>>),
                _ => quote!(::std::option::Option<#ty>),
            };
            let rename = if f.to_string().trim_start_matches("r#") == wire.as_str() {
                quote!()
            } else {
                quote!(#[serde(rename = #wire)])
            };
            // The spec's description (the schema's `description`, with the `schemars` feature) and what schemars needs
            // to say what serde does: an `Option` that is never `null` is its value's schema, a PATCH body's
            // `Option<Option<T>>` (absent, a value or `null`) is `Option<T>`'s, a required nullable `Option` is
            // required; and the constraints, from the `limits` constants.
            let field_doc = doc(&p.schema.description);
            let with = match (p.required, p.schema.nullable, tri) {
                (true, false, _) | (false, true, false) => None,
                (true, true, _) => Some(quote!(crate::tables::schema::Required<::std::option::Option<#ty>>)),
                (false, _, true) => Some(quote!(::std::option::Option<#ty>)),
                (false, false, _) => Some(ty.clone()),
            };
            let mut schemars = Vec::new();
            if let Some(with) = with {
                let with = with.to_string().replace(' ', "");
                schemars.push(quote!(with = #with));
            }
            schemars.extend(schemars_constraints(&body_owner(b, p), &p.schema));
            if let Some(items) = &p.items {
                let inner = schemars_constraints(&items_owner(b, p), items);
                if !inner.is_empty() {
                    schemars.push(quote!(inner(#(#inner),*)));
                }
            }
            let schemars = if schemars.is_empty() {
                quote!()
            } else {
                quote!(#[cfg_attr(feature = "schemars", schemars(#(#schemars),*))])
            };
            fields.push(quote!(#field_doc #rename #attrs #schemars pub(crate) #f: #field_ty));

            let limits_text = constraint_text(&p.schema);
            let items_text = p.items.as_ref().map(constraint_text).filter(|t| !t.is_empty());
            let mut about = sentence(&p.schema.description);
            if !limits_text.is_empty() {
                about = format!("{about} {}.", capitalize(&limits_text)).trim().to_owned();
            }
            if let Some(t) = items_text {
                about = format!("{about} Each item: {t}.").trim().to_owned();
            }
            if p.required {
                let (arg_ty, conv) = arg(&p.ty, &f);
                required_names.push(format!("`{wire}`"));
                args.push(quote!(#f: #arg_ty));
                let plain = f == conv.to_string();
                let init = match (p.schema.nullable, plain) {
                    (true, _) => quote!(#f: ::std::option::Option::Some(#conv)),
                    (false, true) => quote!(#f),
                    (false, false) => quote!(#f: #conv),
                };
                inits.push(init);
            } else {
                let (arg_ty, conv) = arg(&p.ty, &ident("value"));
                inits.push(quote!(#f: ::std::option::Option::None));
                let set = if tri { quote!(Some(Some(#conv))) } else { quote!(Some(#conv)) };
                let text = doc(&format!(
                    "Sets `{wire}`{}{}",
                    if about.is_empty() { ".".to_owned() } else { format!(": {about}") },
                    if tri {
                        format!(" Not sent unless set; [`clear_{f}`](Self::clear_{f}) sends `null`.")
                    } else {
                        " Not sent unless set.".to_owned()
                    },
                ));
                setters.push(quote! {
                    #text
                    pub fn #f(mut self, value: #arg_ty) -> Self {
                        self.#f = #set;
                        self
                    }
                });
                if tri {
                    let clear = format_ident!("clear_{}", f.to_string().trim_start_matches("r#"));
                    let text = doc(&format!("Clears `{wire}`: sends `null`."));
                    setters.push(quote! {
                        #text
                        pub fn #clear(mut self) -> Self {
                            self.#f = Some(None);
                            self
                        }
                    });
                }
            }

            // Validation.
            if let Some(check) = validation(b, p, tri, &mut schema_consts, &mut patterns) {
                checks.push(check);
            }
        }
        let has_default = b.props.iter().all(|p| !p.required);
        let derive_default = if has_default { quote!(Default,) } else { quote!() };
        let mut struct_doc = sentence(&b.description);
        if !struct_doc.is_empty() {
            struct_doc.push_str("\n\n");
        }
        struct_doc.push_str(&format!(
            "The body of {}. Built with [`new`]({}::new){} and one setter per optional property{}; checked against \
             the spec's constraints when sent (nothing is sent if it breaks one).",
            b.used_by.join(" and "),
            b.rust,
            if required_names.is_empty() {
                String::new()
            } else {
                format!(" (its required {})", required_names.join(", "))
            },
            if b.patch {
                ", plus a `clear_` method per nullable property (absent, a value and `null` are three states)"
            } else {
                ""
            },
        ));
        let struct_doc = doc(&struct_doc);
        let extra_doc = if docs(&b.rust) {
            let path = format!("../../docs/{}.md", b.rust);
            quote!(#[doc = ""] #[doc = include_str!(#path)])
        } else {
            quote!()
        };
        let new_doc = doc(&if required_names.is_empty() {
            "An empty body: nothing set yet.".to_owned()
        } else {
            format!(
                "A body with its required {}; the rest is set with the setters. Checked when sent, not here.",
                required_names.join(", ")
            )
        });
        let is_empty = if has_default {
            quote! {
                /// Whether nothing is set.
                pub fn is_empty(&self) -> bool {
                    *self == Self::default()
                }
            }
        } else {
            quote!()
        };
        // The schema's description: the spec's, else what the body is for (not the builder's docs and examples).
        let schema_description = if b.description.is_empty() {
            format!("The body of {}.", b.used_by.join(" and ")).replace('`', "")
        } else {
            sentence(&b.description)
        };
        items.push(quote! {
            #struct_doc
            #extra_doc
            #[derive(Clone, Debug, #derive_default PartialEq, ::serde::Serialize, ::serde::Deserialize)]
            #[cfg_attr(feature = "schemars", derive(::schemars::JsonSchema))]
            #[cfg_attr(feature = "schemars", schemars(description = #schema_description))]
            pub struct #name {
                #(#fields,)*
            }

            impl #name {
                #new_doc
                pub fn new(#(#args),*) -> Self {
                    #name { #(#inits,)* }
                }

                #(#setters)*
                #is_empty
            }

            impl crate::validate::Validate for #name {
                fn validate(&self, side: crate::validate::Side) -> crate::Result<()> {
                    #(#schema_consts)*
                    let _ = side;
                    #(#checks)*
                    Ok(())
                }
            }
        });
    }
    let matchers = pattern_fns(&patterns);
    quote! {
        /// A builder per request body.
        pub(crate) mod requests {
            #(#items)*
            #matchers
        }
    }
}

/// The validation of one property of a request body, if the spec constrains it: the `Schema` constants it needs
/// (pushed to `schema_consts`, their pattern matchers to `patterns`) and the check, for `validate`. `tri`: the
/// property is a PATCH body's nullable one (`Option<Option<T>>`).
fn validation(
    b: &BodyDef,
    p: &PropDef,
    tri: bool,
    schema_consts: &mut Vec<TokenStream>,
    patterns: &mut Vec<(Ident, String)>,
) -> Option<TokenStream> {
    let f = field_ident(&p.name);
    let wire = &p.name;
    let owner = body_owner(b, p);
    let needs = |s: &SchemaDef, ty: &Ty| -> bool {
        match ty {
            Ty::String | Ty::Enum(_) => {
                s.min_length.is_some() || s.max_length.is_some() || s.pattern.is_some() || !s.values.is_empty()
            }
            Ty::Integer => s.minimum.is_some() || s.maximum.is_some(),
            Ty::Number => true,
            Ty::Array(_) => s.min_items.is_some() || s.max_items.is_some(),
            Ty::Boolean | Ty::Json => false,
        }
    };
    let field_name = wire.as_str();
    let check_one = |s_const: &Ident, ty: &Ty, v: TokenStream| -> TokenStream {
        match ty {
            Ty::String => quote!(crate::validate::check_str(#field_name, &#s_const, #v, side)?;),
            Ty::Enum(_) => quote!(crate::validate::check_str(#field_name, &#s_const, #v.as_str(), side)?;),
            Ty::Integer => quote!(crate::validate::check_int(#field_name, &#s_const, i128::from(*#v))?;),
            Ty::Number => quote!(crate::validate::check_num(#field_name, &#s_const, *#v)?;),
            Ty::Array(_) => quote!(crate::validate::check_items(#field_name, &#s_const, #v.len())?;),
            Ty::Boolean | Ty::Json => quote!(),
        }
    };
    let mut body_checks = Vec::new();
    if needs(&p.schema, &p.ty) {
        let c = ident(&owner);
        let schema = schema_expr(&owner, &p.schema);
        patterns.extend(pattern_of(&owner, &p.schema));
        schema_consts.push(quote!(const #c: crate::validate::Schema = #schema;));
        body_checks.push(check_one(&c, &p.ty, quote!(v)));
    }
    if let (Ty::Array(item), Some(item_schema)) = (&p.ty, &p.items)
        && needs(item_schema, item)
    {
        let item_owner = items_owner(b, p);
        let c = ident(&item_owner);
        let schema = schema_expr(&item_owner, item_schema);
        patterns.extend(pattern_of(&item_owner, item_schema));
        schema_consts.push(quote!(const #c: crate::validate::Schema = #schema;));
        let one = check_one(&c, item, quote!(item));
        body_checks.push(quote!(for item in v.iter() { #one }));
    }
    if body_checks.is_empty() {
        return None;
    }
    Some(match (p.required && !p.schema.nullable, tri) {
        (true, _) => quote!({ let v = &self.#f; #(#body_checks)* }),
        (false, true) => quote!(if let Some(Some(v)) = &self.#f { #(#body_checks)* }),
        (false, false) => quote!(if let Some(v) = &self.#f { #(#body_checks)* }),
    })
}
