//! The request bodies with many optional fields: [`CreateWorkspace`] and [`UpdateWorkspace`].
//!
//! They are the generated client's body types (the generator substitutes them for the spec's
//! `CreateWorkspaceRequest` and `UpdateWorkspaceRequest`), so what is built here is exactly what is sent.
//! [`UpdateWorkspace`] tells "leave unchanged" (absent), "set" (a value) and "clear" (`null`) apart for every
//! nullable field.

use serde::{Deserialize, Deserializer, Serialize};

use crate::enums::ServerTool;
use crate::error::Result;
use crate::validate;

/// A new workspace: a name and a slug, and any of the optional settings.
///
/// ```
/// use openrouter_workspaces::{CreateWorkspace, ServerTool};
///
/// let request = CreateWorkspace::new("Production", "production")
///     .description("Customer-facing traffic")
///     .default_text_model("openai/gpt-4o")
///     .disabled_server_tools([ServerTool::WebSearch])
///     .io_logging_sampling_rate(0.25);
/// assert_eq!(
///     serde_json::to_value(&request).unwrap()["disabled_server_tools"],
///     serde_json::json!(["openrouter:web_search"])
/// );
/// ```
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct CreateWorkspace {
    name: String,
    slug: String,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    description: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    default_text_model: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    default_image_model: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    default_provider_sort: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    disabled_server_tools: Option<Vec<ServerTool>>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    io_logging_api_key_ids: Option<Vec<i64>>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    io_logging_sampling_rate: Option<f64>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    is_data_discount_logging_enabled: Option<bool>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    is_observability_broadcast_enabled: Option<bool>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    is_observability_io_logging_enabled: Option<bool>,
}

/// Changes to a workspace. Fields not mentioned are left unchanged.
///
/// ```
/// use openrouter_workspaces::UpdateWorkspace;
///
/// let update = UpdateWorkspace::new()
///     .name("Production (EU)")
///     .clear_description()          // sends "description": null
///     .default_provider_sort("latency");
/// assert_eq!(
///     serde_json::to_string(&update).unwrap(),
///     r#"{"name":"Production (EU)","description":null,"default_provider_sort":"latency"}"#
/// );
/// ```
#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize)]
pub struct UpdateWorkspace {
    #[serde(default, skip_serializing_if = "Option::is_none")]
    name: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    slug: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none", deserialize_with = "present")]
    description: Option<Option<String>>,
    #[serde(default, skip_serializing_if = "Option::is_none", deserialize_with = "present")]
    default_text_model: Option<Option<String>>,
    #[serde(default, skip_serializing_if = "Option::is_none", deserialize_with = "present")]
    default_image_model: Option<Option<String>>,
    #[serde(default, skip_serializing_if = "Option::is_none", deserialize_with = "present")]
    default_provider_sort: Option<Option<String>>,
    #[serde(default, skip_serializing_if = "Option::is_none", deserialize_with = "present")]
    disabled_server_tools: Option<Option<Vec<ServerTool>>>,
    #[serde(default, skip_serializing_if = "Option::is_none", deserialize_with = "present")]
    io_logging_api_key_ids: Option<Option<Vec<i64>>>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    io_logging_sampling_rate: Option<f64>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    is_data_discount_logging_enabled: Option<bool>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    is_observability_broadcast_enabled: Option<bool>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    is_observability_io_logging_enabled: Option<bool>,
}

/// A field that is present deserializes to `Some(value or null)`; an absent one stays `None` (via `default`).
fn present<'de, D: Deserializer<'de>, T: Deserialize<'de>>(d: D) -> Result<Option<Option<T>>, D::Error> {
    Option::<T>::deserialize(d).map(Some)
}

/// Setters shared by both bodies for the non-nullable optional fields.
macro_rules! plain_setters {
    ($ty:ty { $( $(#[$doc:meta])* $field:ident: $value:ty ),+ $(,)? }) => {
        impl $ty {
            $(
                $(#[$doc])*
                pub fn $field(mut self, value: impl Into<$value>) -> Self {
                    self.$field = Some(value.into());
                    self
                }
            )+
        }
    };
}

plain_setters!(CreateWorkspace {
    /// Description of the workspace (at most 500 characters).
    description: String,
    /// Default text model, e.g. `openai/gpt-4o`.
    default_text_model: String,
    /// Default image model, e.g. `openai/dall-e-3`.
    default_image_model: String,
    /// Default provider sort: `price`, `throughput`, `latency` or `exacto`.
    default_provider_sort: String,
    /// API key ids whose requests are I/O-logged (all keys when not set).
    io_logging_api_key_ids: Vec<i64>,
    /// Sampling rate for I/O logging, 0.0001 to 1.
    io_logging_sampling_rate: f64,
    /// Whether data discount logging is enabled.
    is_data_discount_logging_enabled: bool,
    /// Whether observability broadcast is enabled.
    is_observability_broadcast_enabled: bool,
    /// Whether private (I/O) logging is enabled.
    is_observability_io_logging_enabled: bool,
});

plain_setters!(UpdateWorkspace {
    /// New name (1 to 100 characters).
    name: String,
    /// New slug (1 to 50 characters, `^[a-z0-9]+(?:-[a-z0-9]+)*$`).
    slug: String,
    /// New sampling rate for I/O logging, 0.0001 to 1.
    io_logging_sampling_rate: f64,
    /// Whether data discount logging is enabled.
    is_data_discount_logging_enabled: bool,
    /// Whether observability broadcast is enabled.
    is_observability_broadcast_enabled: bool,
    /// Whether private (I/O) logging is enabled.
    is_observability_io_logging_enabled: bool,
});

/// For each nullable field of [`UpdateWorkspace`]: a setter, and a `clear_` method that sends `null`.
macro_rules! nullable_setters {
    ($( $(#[$doc:meta])* $field:ident, $clear:ident: $value:ty ),+ $(,)?) => {
        impl UpdateWorkspace {
            $(
                $(#[$doc])*
                pub fn $field(mut self, value: impl Into<$value>) -> Self {
                    self.$field = Some(Some(value.into()));
                    self
                }

                #[doc = concat!("Clears `", stringify!($field), "` (sends `null`).")]
                pub fn $clear(mut self) -> Self {
                    self.$field = Some(None);
                    self
                }
            )+
        }
    };
}

nullable_setters!(
    /// New description (at most 500 characters).
    description, clear_description: String,
    /// New default text model.
    default_text_model, clear_default_text_model: String,
    /// New default image model.
    default_image_model, clear_default_image_model: String,
    /// New default provider sort.
    default_provider_sort, clear_default_provider_sort: String,
    /// API key ids whose requests are I/O-logged; clearing logs all keys.
    io_logging_api_key_ids, clear_io_logging_api_key_ids: Vec<i64>,
);

impl CreateWorkspace {
    /// A new workspace with its required name (1 to 100 characters) and slug (1 to 50 characters,
    /// `^[a-z0-9]+(?:-[a-z0-9]+)*$`). Checked when sent, not here.
    pub fn new(name: impl Into<String>, slug: impl Into<String>) -> Self {
        CreateWorkspace {
            name: name.into(),
            slug: slug.into(),
            description: None,
            default_text_model: None,
            default_image_model: None,
            default_provider_sort: None,
            disabled_server_tools: None,
            io_logging_api_key_ids: None,
            io_logging_sampling_rate: None,
            is_data_discount_logging_enabled: None,
            is_observability_broadcast_enabled: None,
            is_observability_io_logging_enabled: None,
        }
    }

    /// Server tools to disable in the new workspace.
    pub fn disabled_server_tools<I: IntoIterator<Item = ServerTool>>(mut self, tools: I) -> Self {
        self.disabled_server_tools = Some(tools.into_iter().collect());
        self
    }

    pub(crate) fn validate(&self) -> Result<()> {
        validate::name(&self.name)?;
        validate::slug(&self.slug)?;
        if let Some(d) = &self.description {
            validate::description(d)?;
        }
        if let Some(rate) = self.io_logging_sampling_rate {
            validate::sampling_rate(rate)?;
        }
        Ok(())
    }
}

impl UpdateWorkspace {
    /// An update that changes nothing yet.
    pub fn new() -> Self {
        UpdateWorkspace::default()
    }

    /// Server tools to disable (replaces the list; an empty list enables them all).
    pub fn disabled_server_tools<I: IntoIterator<Item = ServerTool>>(mut self, tools: I) -> Self {
        self.disabled_server_tools = Some(Some(tools.into_iter().collect()));
        self
    }

    /// Clears the disabled server tools (sends `null`): no tool is disabled.
    pub fn clear_disabled_server_tools(mut self) -> Self {
        self.disabled_server_tools = Some(None);
        self
    }

    /// Whether this update changes nothing.
    pub fn is_empty(&self) -> bool {
        *self == UpdateWorkspace::default()
    }

    pub(crate) fn validate(&self) -> Result<()> {
        if let Some(n) = &self.name {
            validate::name(n)?;
        }
        if let Some(s) = &self.slug {
            validate::slug(s)?;
        }
        if let Some(Some(d)) = &self.description {
            validate::description(d)?;
        }
        if let Some(rate) = self.io_logging_sampling_rate {
            validate::sampling_rate(rate)?;
        }
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn update_tells_unchanged_set_and_clear_apart() {
        let body = UpdateWorkspace::new()
            .default_text_model("m")
            .clear_default_image_model()
            .clear_io_logging_api_key_ids()
            .disabled_server_tools([]);
        assert_eq!(
            serde_json::to_value(&body).unwrap(),
            json!({"default_text_model": "m", "default_image_model": null, "io_logging_api_key_ids": null, "disabled_server_tools": []})
        );
        assert_eq!(serde_json::to_value(UpdateWorkspace::new()).unwrap(), json!({}));
        assert!(UpdateWorkspace::new().is_empty());
    }

    #[test]
    fn update_round_trips_null_and_absent() {
        let text = r#"{"description":null,"name":"x"}"#;
        let body: UpdateWorkspace = serde_json::from_str(text).unwrap();
        assert_eq!(body, UpdateWorkspace::new().clear_description().name("x"));
        assert_eq!(serde_json::to_value(&body).unwrap(), serde_json::from_str::<serde_json::Value>(text).unwrap());
    }

    #[test]
    fn create_sends_only_what_was_set() {
        let body = CreateWorkspace::new("N", "n").is_observability_io_logging_enabled(true);
        assert_eq!(
            serde_json::to_value(&body).unwrap(),
            json!({"name": "N", "slug": "n", "is_observability_io_logging_enabled": true})
        );
    }

    #[test]
    fn validation_covers_every_constrained_field() {
        assert!(CreateWorkspace::new("N", "n").validate().is_ok());
        assert!(CreateWorkspace::new("", "n").validate().is_err());
        assert!(CreateWorkspace::new("N", "N").validate().is_err());
        assert!(CreateWorkspace::new("N", "n").description("x".repeat(501)).validate().is_err());
        assert!(CreateWorkspace::new("N", "n").io_logging_sampling_rate(2.0).validate().is_err());
        assert!(UpdateWorkspace::new().slug("a--b").validate().is_err());
        assert!(UpdateWorkspace::new().name("x".repeat(101)).validate().is_err());
        assert!(UpdateWorkspace::new().description("x".repeat(501)).validate().is_err());
        assert!(UpdateWorkspace::new().clear_description().validate().is_ok());
        assert!(UpdateWorkspace::new().io_logging_sampling_rate(0.0).validate().is_err());
    }
}
