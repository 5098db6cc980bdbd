//! The `operations` table: the typed `OperationId`, one `Operation` per operation and one `Parameter` constant per
//! parameter.

use std::collections::BTreeMap;

use proc_macro2::{Ident, TokenStream};
use quote::{format_ident, quote};

use super::limits::{pattern_fns, pattern_of, schema_expr};
use super::matchers;
use super::model::{Kind, Location, Model, Op, Param};
use super::names::{doc, ident, param_owner, screaming, sentence, upper_camel};

/// The fast checks of the model's path parameters (`matchers::plain_segment`), one function per distinct check
/// (`plain_segment_<n>`, in the order of first use): a string path parameter that is not an enum has one when its
/// pattern has a shape the check can narrow. The checked call (`generated/calls.rs`) calls it first and runs the
/// whole check only when it says no.
pub struct PlainChecks {
    /// The function of each `(operationId, parameter)` that has one.
    by_param: BTreeMap<(String, String), Ident>,
    /// Each function: its name, its body and the parameters it serves (for its doc).
    fns: Vec<(Ident, TokenStream, Vec<String>)>,
}

impl PlainChecks {
    /// Every fast check of the model.
    pub fn of_model(model: &Model) -> PlainChecks {
        let mut checks = PlainChecks { by_param: BTreeMap::new(), fns: Vec::new() };
        let mut by_body = BTreeMap::new();
        for op in &model.operations {
            for p in &op.params {
                let eligible = p.location == Location::Path
                    && p.schema.kind == Kind::String
                    && p.enum_type.is_none()
                    && p.schema.values.is_empty();
                let body = eligible
                    .then(|| {
                        matchers::plain_segment(p.schema.pattern.as_deref(), p.schema.min_length, p.schema.max_length)
                    })
                    .flatten();
                let Some(body) = body else { continue };
                let fns = &mut checks.fns;
                let index = *by_body.entry(body.to_string()).or_insert_with(|| {
                    fns.push((format_ident!("plain_segment_{}", fns.len() + 1), body, Vec::new()));
                    fns.len() - 1
                });
                if let Some((name, _, serves)) = checks.fns.get_mut(index) {
                    serves.push(format!("`{}` of `{}`", p.name, op.id));
                    checks.by_param.insert((op.id.clone(), p.name.clone()), name.clone());
                }
            }
        }
        checks
    }

    /// The fast check of a parameter, if it has one.
    pub fn of(&self, op: &Op, p: &Param) -> Option<&Ident> {
        self.by_param.get(&(op.id.clone(), p.name.clone()))
    }
}

pub(super) fn emit(model: &Model) -> TokenStream {
    let mut patterns = Vec::new();
    let variants = model.operations.iter().map(|op| {
        let v = ident(&upper_camel(&op.id));
        let text = doc(&format!("`{}`: `{} {}`. {}.", op.id, op.method, op.path, op.summary.trim_end_matches('.')));
        quote!(#text #v)
    });
    let all_ids = model.operations.iter().map(|op| ident(&upper_camel(&op.id)));
    let as_str = model.operations.iter().map(|op| {
        let v = ident(&upper_camel(&op.id));
        let s = &op.id;
        quote!(OperationId::#v => #s)
    });
    let to_op = model.operations.iter().map(|op| {
        let v = ident(&upper_camel(&op.id));
        let c = ident(&screaming(&op.id));
        quote!(OperationId::#v => &#c)
    });
    let mut params = Vec::new();
    let mut ops = Vec::new();
    let plain_checks = PlainChecks::of_model(model);
    let mut plain_cases = Vec::new();
    let plain = plain_checks.fns.iter().map(|(name, body, serves)| {
        let text = doc(&format!(
            "The fast check of {}: whether a value is one that every rule of theirs accepts, in printable ASCII \
             (`false`: run the whole check, which decides and says why).",
            serves.join(", ")
        ));
        quote! {
            #text
            #[inline]
            pub(crate) fn #name(value: &str) -> bool {
                #body
            }
        }
    });
    for op in &model.operations {
        let mut refs = Vec::new();
        for p in &op.params {
            let owner = param_owner(op, p);
            let c = ident(&owner);
            let schema = schema_expr(&owner, &p.schema);
            patterns.extend(pattern_of(&owner, &p.schema));
            let name = &p.name;
            let location = match p.location {
                Location::Path => quote!(Path),
                Location::Query => quote!(Query),
            };
            let required = p.required;
            let text = doc(&format!(
                "The {} parameter `{}` of `{}`.{}",
                p.location.as_str(),
                p.name,
                op.id,
                if p.schema.description.is_empty() {
                    String::new()
                } else {
                    format!(" {}", sentence(&p.schema.description))
                }
            ));
            if let Some(name) = plain_checks.of(op, p) {
                plain_cases.push(quote!((&#c, #name as fn(&str) -> bool)));
            }
            params.push(quote! {
                #text
                pub const #c: Parameter = Parameter {
                    name: #name,
                    location: crate::operation::Location::#location,
                    required: #required,
                    schema: #schema,
                };
            });
            refs.push(c);
        }
        let c = ident(&screaming(&op.id));
        let v = ident(&upper_camel(&op.id));
        let (method, path, summary, success, idempotent) =
            (&op.method, &op.path, &op.summary, op.success, op.idempotent);
        let body = match &op.body {
            Some(body) => {
                let (schema, required) = (&body.schema, body.required);
                quote!(Some(crate::operation::RequestBody { schema: #schema, required: #required }))
            }
            None => quote!(None),
        };
        let mark =
            if op.idempotent { " Marked idempotent in the spec (`x-idempotent`): retried as PUT is." } else { "" };
        let text = doc(&format!("`{}`: `{} {}`.{mark}", op.id, op.method, op.path));
        ops.push(quote! {
            #text
            pub const #c: Operation = Operation {
                id: OperationId::#v,
                method: #method,
                path: #path,
                summary: #summary,
                parameters: &[#(#refs),*],
                request_body: #body,
                success_status: #success,
                marked_idempotent: #idempotent,
            };
        });
    }
    let all_ops = model.operations.iter().map(|op| ident(&screaming(&op.id)));
    let matchers = pattern_fns(&patterns);
    quote! {
        /// The operations of the spec.
        pub(crate) mod operations {
            use crate::operation::{Operation, Parameter};

            /// An operation of the API, by its `operationId`.
            #[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, PartialOrd, Ord)]
            #[non_exhaustive]
            pub enum OperationId {
                #(#variants,)*
            }

            impl OperationId {
                /// Every operation, in the spec's order (by path, then method).
                pub const ALL: &'static [OperationId] = &[#(OperationId::#all_ids),*];

                /// The `operationId`, e.g. `getWorkspace`.
                pub const fn as_str(self) -> &'static str {
                    match self {
                        #(#as_str,)*
                    }
                }

                /// The operation's method, path, parameters, body and success status.
                pub const fn operation(self) -> &'static Operation {
                    match self {
                        #(#to_op,)*
                    }
                }
            }

            #(#params)*
            #(#ops)*

            /// Every operation, in the spec's order.
            pub const ALL: &[Operation] = &[#(#all_ops),*];

            #matchers

            #(#plain)*

            /// Each path parameter with a fast check, and the check (for the tests).
            #[cfg(test)]
            #[allow(clippy::type_complexity)]
            pub(crate) const PLAIN_CHECKS: &[(&Parameter, fn(&str) -> bool)] = &[#(#plain_cases),*];
        }
    }
}
