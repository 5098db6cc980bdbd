//! The `operations` table: the typed `OperationId`, one `Operation` per operation and one `Parameter` constant per
//! parameter.

use proc_macro2::{Ident, TokenStream};
use quote::{format_ident, quote};

use super::limits::{pattern_fns, pattern_of, schema_expr};
use super::matchers;
use super::model::{Kind, Location, Model, Op, Param};
use super::names::{doc, ident, param_owner, screaming, sentence, snake, upper_camel};

/// A path parameter's fast check (`matchers::plain_segment`), named `<operation>_<parameter>_plain`, with its
/// body: for a string path parameter that is not an enum, when its pattern has a shape the check can narrow. The
/// checked call (`generated/calls.rs`) calls it first and runs the whole check only when it says no.
pub fn plain_check(op: &Op, p: &Param) -> Option<(Ident, TokenStream)> {
    let plain = p.location == Location::Path
        && p.schema.kind == Kind::String
        && p.enum_type.is_none()
        && p.schema.values.is_empty();
    if !plain {
        return None;
    }
    let body = matchers::plain_segment(p.schema.pattern.as_deref(), p.schema.min_length, p.schema.max_length)?;
    Some((format_ident!("{}_plain", snake(&param_owner(op, p))), body))
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
    let (mut plain, mut plain_cases) = (Vec::new(), Vec::new());
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
            if let Some((name, body)) = plain_check(op, p) {
                let text = doc(&format!(
                    "Whether `{}` of `{}` is a value every rule of it accepts, printable ASCII (`false`: run the whole \
                     check, which decides and says why).",
                    p.name, op.id
                ));
                plain.push(quote! {
                    #text
                    #[inline]
                    pub(crate) fn #name(value: &str) -> bool {
                        #body
                    }
                });
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
