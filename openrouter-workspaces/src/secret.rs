//! [`Secret`]: a value that must never be logged, such as the `key` of a created API key, which the API shows only
//! once. The generator gives it to every string schema of the spec with `format: password` (see
//! `xtask/src/tables/`), so even [`raw`](crate::raw) types carry it.

use std::fmt;

use secrecy::{ExposeSecret as _, SecretString};

/// The text [`Secret`]'s `Debug`, `Display` and `Serialize` show instead of the secret.
pub const REDACTED: &str = "[REDACTED]";

/// A secret string, such as the `key` of a created API key (`sk-or-v1-...`).
///
/// Built on [`secrecy::SecretString`] (zeroized when dropped). Its `Debug` (`Secret([REDACTED])`), `Display`
/// (`[REDACTED]`) and `Serialize` (`"[REDACTED]"`) never show it, so it cannot reach a log, an error message or a
/// serialized response by accident: read it with [`expose_secret`](Secret::expose_secret), once, where it is
/// stored (a secret manager, an environment, ...). Equality compares the secrets.
///
/// ```
/// use openrouter_workspaces::Secret;
///
/// let secret = Secret::from("sk-or-v1-abc".to_owned());
/// assert_eq!(format!("{secret} {secret:?}"), "[REDACTED] Secret([REDACTED])");
/// assert_eq!(secret.expose_secret(), "sk-or-v1-abc");
/// ```
#[derive(Clone)]
pub struct Secret(SecretString);

impl Secret {
    /// The secret itself. Every read of it goes through this method, so that it is easy to find in a review.
    pub fn expose_secret(&self) -> &str {
        self.0.expose_secret()
    }
}

impl From<String> for Secret {
    fn from(secret: String) -> Self {
        Secret(SecretString::from(secret))
    }
}

impl std::str::FromStr for Secret {
    type Err = std::convert::Infallible;

    fn from_str(s: &str) -> Result<Self, Self::Err> {
        Ok(Secret(SecretString::from(s)))
    }
}

impl fmt::Debug for Secret {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "Secret({REDACTED})")
    }
}

impl fmt::Display for Secret {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(REDACTED)
    }
}

impl PartialEq for Secret {
    fn eq(&self, other: &Self) -> bool {
        self.expose_secret() == other.expose_secret()
    }
}

impl Eq for Secret {}

impl<'de> serde::Deserialize<'de> for Secret {
    fn deserialize<D: serde::Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        String::deserialize(deserializer).map(Secret::from)
    }
}

/// Serializes as `"[REDACTED]"`: a response serialized into a log must not carry the secret. Store it with
/// [`Secret::expose_secret`].
impl serde::Serialize for Secret {
    fn serialize<S: serde::Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        serializer.serialize_str(REDACTED)
    }
}

/// Whether the success answer of `operation` carries a secret (`createApiKey`'s `key`), so that the body of an
/// answer that does not decode is not kept in the error (see `client.rs`).
pub(crate) fn answer_holds_secret(operation: crate::operation::OperationId) -> bool {
    operation == crate::operation::OperationId::CreateApiKey
}

/// A decoder's message without what it quotes: its text up to the first quote (serde quotes the value it could not
/// read), and where it stopped.
pub(crate) fn withheld(message: &str) -> String {
    let head = message.split(['"', '`']).next().unwrap_or("").trim_end();
    let at = message.rfind(" at line ").and_then(|i| message.get(i..)).unwrap_or("");
    format!("{head}{at} (the body is withheld: it holds a secret)")
}

#[cfg(feature = "schemars")]
impl schemars::JsonSchema for Secret {
    fn inline_schema() -> bool {
        true
    }

    fn schema_name() -> std::borrow::Cow<'static, str> {
        "Secret".into()
    }

    fn json_schema(_: &mut schemars::SchemaGenerator) -> schemars::Schema {
        schemars::json_schema!({"type": "string", "format": "password"})
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_decoders_message_loses_what_it_quotes() {
        let message = "invalid type: string \"sk-or-v1-0123\", expected f64 at line 1 column 30";
        let shown = withheld(message);
        assert!(!shown.contains("sk-or"), "{shown}");
        assert_eq!(shown, "invalid type: string at line 1 column 30 (the body is withheld: it holds a secret)");
        assert!(answer_holds_secret(crate::operation::OperationId::CreateApiKey));
        assert!(!answer_holds_secret(crate::operation::OperationId::GetApiKey));
    }

    #[test]
    fn debug_display_and_serialize_redact_and_expose_reads() {
        let secret: Secret = serde_json::from_str("\"sk-or-v1-0123\"").unwrap();
        assert_eq!(secret.expose_secret(), "sk-or-v1-0123");
        for shown in [
            format!("{secret}"),
            format!("{secret:?}"),
            format!("{secret:#?}"),
            serde_json::to_string(&secret).unwrap(),
        ] {
            assert!(!shown.contains("sk-or"), "{shown}");
            assert!(shown.contains(REDACTED), "{shown}");
        }
        assert_eq!(secret, "sk-or-v1-0123".parse::<Secret>().unwrap());
        assert_ne!(secret, Secret::from("other".to_owned()));
    }
}
