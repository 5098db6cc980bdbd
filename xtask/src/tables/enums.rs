//! The `enums` table: the spec's string enums as the library's open enums (unknown values kept).

use proc_macro2::{Ident, TokenStream};
use quote::quote;

use super::model::Model;
use super::names::{doc, ident, sentence};

pub(super) fn emit(model: &Model) -> TokenStream {
    let enums = model.enums.iter().map(|e| {
        let name = ident(&e.rust);
        let text = doc(&format!(
            "{}\n\nThe spec's `{}`{}. Open: a value this version does not know is kept in `Unknown`.",
            sentence(&e.description),
            e.schema,
            if e.nullable { " (its `null` is `None`: this is used as an `Option`)" } else { "" }
        ));
        let variants: Vec<Ident> = e.values.iter().map(|(v, _)| ident(v)).collect();
        let wires: Vec<&String> = e.values.iter().map(|(_, w)| w).collect();
        let variant_docs = wires.iter().map(|w| format!(" `{w}`"));
        // The schema of an open enum: a string, one of the values this version knows (what to send). The type also
        // reads any other string, into `Unknown`: the schema says what the API documents, not everything accepted.
        let rust = &e.rust;
        let description = if e.description.is_empty() {
            quote!()
        } else {
            let d = &e.description;
            quote!(schema.insert("description".into(), #d.into());)
        };
        let schema_impl = quote! {
            #[cfg(feature = "schemars")]
            #[cfg_attr(docsrs, doc(cfg(feature = "schemars")))]
            impl ::schemars::JsonSchema for #name {
                fn schema_name() -> ::std::borrow::Cow<'static, str> {
                    ::std::borrow::Cow::Borrowed(#rust)
                }

                fn schema_id() -> ::std::borrow::Cow<'static, str> {
                    ::std::borrow::Cow::Borrowed(concat!(module_path!(), "::", #rust))
                }

                fn json_schema(_: &mut ::schemars::SchemaGenerator) -> ::schemars::Schema {
                    #[allow(unused_mut)]
                    let mut schema = ::schemars::json_schema!({ "type": "string", "enum": [#(#wires),*] });
                    #description
                    schema
                }
            }
        };
        quote! {
            #text
            #[derive(Clone, Debug, PartialEq, Eq, Hash, PartialOrd, Ord)]
            #[non_exhaustive]
            pub enum #name {
                #(#[doc = #variant_docs] #variants,)*
                /// A value this version of the crate does not know, kept as the server sent it.
                Unknown(crate::enums::UnknownValue),
            }

            impl #name {
                /// Every value this version of the crate knows, in the spec's order.
                pub const KNOWN: &'static [#name] = &[#(#name::#variants),*];

                /// The value as it appears on the wire.
                pub fn as_str(&self) -> &str {
                    match self {
                        #(#name::#variants => #wires,)*
                        #name::Unknown(other) => other.as_str(),
                    }
                }

                /// Whether this is a value this version of the crate does not know.
                pub fn is_unknown(&self) -> bool {
                    matches!(self, #name::Unknown(_))
                }
            }

            impl ::std::fmt::Display for #name {
                fn fmt(&self, f: &mut ::std::fmt::Formatter<'_>) -> ::std::fmt::Result {
                    f.write_str(self.as_str())
                }
            }

            impl ::std::str::FromStr for #name {
                type Err = ::std::convert::Infallible;

                /// Never fails: a value this crate does not know becomes `Unknown`.
                fn from_str(s: &str) -> ::std::result::Result<Self, Self::Err> {
                    Ok(Self::from(s))
                }
            }

            impl ::std::convert::From<&str> for #name {
                fn from(s: &str) -> Self {
                    match s {
                        #(#wires => #name::#variants,)*
                        other => #name::Unknown(crate::enums::UnknownValue::new(other.to_owned())),
                    }
                }
            }

            impl ::std::convert::From<::std::string::String> for #name {
                fn from(s: ::std::string::String) -> Self {
                    match s.as_str() {
                        #(#wires => #name::#variants,)*
                        _ => #name::Unknown(crate::enums::UnknownValue::new(s)),
                    }
                }
            }

            impl ::serde::Serialize for #name {
                fn serialize<S: ::serde::Serializer>(&self, serializer: S) -> ::std::result::Result<S::Ok, S::Error> {
                    serializer.serialize_str(self.as_str())
                }
            }

            impl<'de> ::serde::Deserialize<'de> for #name {
                fn deserialize<D: ::serde::Deserializer<'de>>(deserializer: D) -> ::std::result::Result<Self, D::Error> {
                    // Borrowed when the input allows it, owned otherwise (escaped strings, readers).
                    let s = <::std::borrow::Cow<'de, str> as ::serde::Deserialize>::deserialize(deserializer)?;
                    Ok(Self::from(s.into_owned()))
                }
            }

            #schema_impl
        }
    });
    quote! {
        /// The spec's string enums, open: each keeps a value it does not know in `Unknown`.
        pub(crate) mod enums {
            #(#enums)*
        }
    }
}
