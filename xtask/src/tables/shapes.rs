//! The `shapes` table: the properties of every object schema, for the fake's storage.

use proc_macro2::TokenStream;
use quote::quote;

use super::model::Model;
use super::names::{doc, ident, screaming};

pub(super) fn emit(model: &Model) -> TokenStream {
    let shapes = model.shapes.iter().map(|s| {
        let c = ident(&screaming(&s.schema));
        let props = s.props.iter().map(|(n, r, nl)| quote!((#n, #r, #nl)));
        let text = doc(&format!("The properties of `{}`: (name, required, nullable).", s.schema));
        quote!(#text pub(crate) const #c: &[(&str, bool, bool)] = &[#(#props),*];)
    });
    quote! {
        /// The properties of every object schema, for the fake's storage.
        #[cfg(feature = "fake")]
        #[allow(dead_code)]
        pub(crate) mod shapes {
            #(#shapes)*
        }
    }
}
