//! The `fake` table: the fake server's typed request per operation, its parser, and the `Rules` trait (one method
//! per operation, named after its operationId, whose default answers `501`) with the dispatch over it.

use proc_macro2::{Ident, TokenStream};
use quote::quote;

use super::model::{Kind, Model};
use super::names::{doc, field_ident, ident, param_owner, upper_camel};

pub(super) fn emit(model: &Model) -> TokenStream {
    let mut variants = Vec::new();
    let mut arms = Vec::new();
    let mut rules = Vec::new();
    let mut dispatch = Vec::new();
    for op in &model.operations {
        let v = ident(&upper_camel(&op.id));
        let mut fields = Vec::new();
        let mut parse = Vec::new();
        for p in &op.params {
            let f = field_ident(&p.name);
            let c = ident(&param_owner(op, p));
            let default_const = ident(&format!("{}_DEFAULT", param_owner(op, p)));
            let has_default = p.schema.default.is_some();
            let (ty, get) = match (p.schema.kind, &p.enum_type) {
                (_, Some(e)) => {
                    let e = ident(e);
                    (quote!(crate::enums::#e), quote!(param_enum::<crate::enums::#e>(raw, &operations::#c)))
                }
                (Kind::Integer, None) => (quote!(i64), quote!(param_int(raw, &operations::#c))),
                (Kind::Boolean, None) => (quote!(bool), quote!(param_bool(raw, &operations::#c))),
                _ => (quote!(::std::string::String), quote!(param_str(raw, &operations::#c))),
            };
            let (field_ty, value) = if p.required {
                (ty, quote!(required(raw, &operations::#c, #get?)?))
            } else if has_default {
                let or_default = match (p.schema.kind, &p.enum_type) {
                    (_, Some(_)) => {
                        quote!(unwrap_or_else(|| ::std::convert::From::from(crate::limits::#default_const)))
                    }
                    (Kind::String, None) => quote!(unwrap_or_else(|| crate::limits::#default_const.to_owned())),
                    _ => quote!(unwrap_or(crate::limits::#default_const)),
                };
                (ty, quote!(#get?.#or_default))
            } else {
                (quote!(::std::option::Option<#ty>), quote!(#get?))
            };
            fields.push(quote!(#f: #field_ty));
            parse.push(quote!(#f: #value));
        }
        if let Some(body) = &op.body {
            let b = ident(&body.rust);
            if body.required {
                fields.push(quote!(body: crate::requests::#b));
                parse.push(quote!(body: required_body(raw, body::<crate::requests::#b>(raw)?)?));
            } else {
                fields.push(quote!(body: ::std::option::Option<crate::requests::#b>));
                parse.push(quote!(body: body::<crate::requests::#b>(raw)?));
            }
        }
        let text = doc(&format!("`{}`.", op.id));
        let names: Vec<Ident> =
            op.params.iter().map(|p| field_ident(&p.name)).chain(op.body.as_ref().map(|_| ident("body"))).collect();
        let method = field_ident(&op.id);
        let rule_doc = doc(&format!(
            "`{}`: `{} {}`. {}. Without a rule of its own, answers `501 Not Implemented`.",
            op.id,
            op.method,
            op.path,
            op.summary.trim_end_matches('.')
        ));
        rules.push(quote! {
            #rule_doc
            fn #method(&mut self, #(#fields),*) -> crate::fake::state::Outcome {
                let _ = (#(#names,)*);
                Err(crate::fake::rules::not_implemented(OperationId::#v))
            }
        });
        dispatch.push(quote!(Request::#v { #(#names),* } => rules.#method(#(#names),*)));
        variants.push(quote!(#text #v { #(#fields),* }));
        arms.push(quote!(OperationId::#v => Request::#v { #(#parse),* }));
    }
    quote! {
        /// The fake server's requests, parsed and checked against the spec.
        #[cfg(feature = "fake")]
        pub(crate) mod fake {
            use super::operations::{self, OperationId};
            use crate::fake::parse::{Raw, Rejection, body, param_bool, param_enum, param_int, param_str, required, required_body};

            /// A request of one operation, with its parameters (defaults applied) and its body.
            #[derive(Debug)]
            pub(crate) enum Request {
                #(#variants,)*
            }

            /// Parses the parameters and body of a routed request, checking each against the spec.
            pub(crate) fn parse(raw: &Raw<'_>) -> ::std::result::Result<Request, Rejection> {
                Ok(match raw.operation.id {
                    #(#arms,)*
                })
            }

            /// The fake's business rules: one method per operation, named after its operationId, taking the
            /// operation's parameters (defaults applied) and body as parsed and checked against the spec. An
            /// operation the spec gains answers `501` until its method is written (in `fake/rules.rs`).
            pub(crate) trait Rules {
                #(#rules)*
            }

            /// Runs a parsed request by its operation's rule.
            pub(crate) fn dispatch(rules: &mut impl Rules, request: Request) -> crate::fake::state::Outcome {
                match request {
                    #(#dispatch,)*
                }
            }
        }
    }
}
