//! What the `schemars` feature needs besides the derives, and the table of every component schema.

use std::collections::BTreeMap;

use proc_macro2::TokenStream;
use quote::quote;

use super::model::Model;

/// What the `schemars` feature needs besides the derives, and the table from each component schema of the spec to
/// the SDK type that stands for it (the contract tests compare the two).
pub(super) fn emit(model: &Model) -> TokenStream {
    // Every component schema: the object schemas, the string enums and the secrets. A body, an enum or a secret is
    // the type progenitor was told to use instead (its replacement), anything else progenitor's own type, named
    // after the schema.
    let replacements: BTreeMap<String, String> = model.replacements().into_iter().collect();
    let mut names: Vec<&str> = model
        .shapes
        .iter()
        .map(|s| s.schema.as_str())
        .chain(model.enums.iter().map(|e| e.schema.as_str()))
        .chain(model.secrets.iter().map(String::as_str))
        .collect();
    names.sort_unstable();
    names.dedup();
    let rows = names.iter().map(|name| {
        // `crate::requests::X` is re-exported at the root (`requests` is private); `crate::enums` is public.
        let path = match replacements.get(*name) {
            Some(r) => r
                .replace("crate::requests::", "$crate::")
                .replace("crate::secret::", "$crate::")
                .replace("crate::enums::", "$crate::enums::"),
            None => format!("$crate::raw::types::{name}"),
        };
        let ty: TokenStream = path.parse().unwrap_or_default();
        quote!((#name, #ty))
    });
    quote! {
        /// Helpers of the `schemars` feature.
        #[cfg(feature = "schemars")]
        pub(crate) mod schema {
            /// The schema of `T` for a property that must be present, even when `T` is an `Option` (a required
            /// nullable property): schemars takes a property whose type is an `Option` for an optional one, and
            /// `Required<T>` is not an `Option`. Used as `#[schemars(with = "Required<Option<T>>")]`.
            // Only named in `with` attributes, never built.
            #[allow(dead_code)]
            pub(crate) struct Required<T: ?Sized>(::std::marker::PhantomData<T>);

            impl<T: ::schemars::JsonSchema + ?Sized> ::schemars::JsonSchema for Required<T> {
                fn inline_schema() -> bool {
                    true
                }

                fn schema_name() -> ::std::borrow::Cow<'static, str> {
                    T::schema_name()
                }

                fn schema_id() -> ::std::borrow::Cow<'static, str> {
                    T::schema_id()
                }

                fn json_schema(generator: &mut ::schemars::SchemaGenerator) -> ::schemars::Schema {
                    generator.subschema_for::<T>()
                }
            }
        }

        /// Calls `$callback! { ("Schema", Type), ... }` with every component schema of the spec and the SDK type
        /// that stands for it: a request builder, an open enum (`Option` of it for a nullable one), or a type of
        /// [`raw::types`](crate::raw::types). Generated from the spec, for the contract tests; not part of the API
        /// (no semver promise).
        #[doc(hidden)]
        #[macro_export]
        macro_rules! __component_types {
            ($callback:ident) => {
                $callback! { #(#rows),* }
            };
        }
    }
}
