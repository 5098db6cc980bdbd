//! Forward-compatible enums: the API adds member roles, budget intervals and server tools over time, and a
//! response naming a value this version does not know must still decode. Each enum keeps such a value in its
//! `Unknown` variant, as an opaque [`UnknownValue`], serializes it back unchanged, and says so through
//! `is_unknown()`.
//!
//! The enums and their values are generated from the spec by `cargo xtask regenerate` (each string enum of the
//! spec's components); this module holds the opaque [`UnknownValue`] and the helpers that relate two of them.
//!
//! ```
//! use openrouter_workspaces::BudgetInterval;
//!
//! let known: BudgetInterval = "monthly".parse().unwrap();
//! assert_eq!(known, BudgetInterval::Monthly);
//! // A value this version does not know is kept, and always compares by its text.
//! let newer = BudgetInterval::from("hourly");
//! assert!(newer.is_unknown());
//! assert_eq!(newer.as_str(), "hourly");
//! assert_eq!(serde_json::to_string(&newer).unwrap(), "\"hourly\"");
//! ```

use std::fmt;

pub use crate::tables::enums::*;

/// A value of an open enum that this version of the crate does not know, kept as the server sent it.
///
/// It cannot be built by hand: parsing (`from`, `parse`, deserializing) gives the known variant whenever the text
/// names one, so `Unknown` never stands for a value that has a variant of its own, and a `match` on a variant keeps
/// matching when a later version of the crate learns a value.
///
/// ```compile_fail
/// use openrouter_workspaces::{BudgetInterval, enums::UnknownValue};
/// let daily = BudgetInterval::Unknown(UnknownValue("daily".into())); // private: does not compile
/// ```
#[derive(Clone, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct UnknownValue(String);

impl UnknownValue {
    /// The value as it appears on the wire.
    pub fn as_str(&self) -> &str {
        &self.0
    }
}

impl fmt::Debug for UnknownValue {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        fmt::Debug::fmt(&self.0, f)
    }
}

impl fmt::Display for UnknownValue {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.0)
    }
}

impl UnknownValue {
    /// Only the enums' conversions build one, after checking that no variant has this text.
    pub(crate) fn new(value: String) -> UnknownValue {
        UnknownValue(value)
    }
}

impl BudgetInterval {
    /// The `reset_interval` a budget of this interval reports: `None` for [`Lifetime`](Self::Lifetime) (the API
    /// reports a lifetime budget with a null `reset_interval`), else the value of the same name.
    pub fn reset_interval(&self) -> Option<ResetInterval> {
        match self {
            BudgetInterval::Lifetime => None,
            other => Some(ResetInterval::from(other.as_str())),
        }
    }

    /// The interval of a budget that reports `reset_interval` (`None` means lifetime).
    pub fn from_reset_interval(reset: Option<&ResetInterval>) -> BudgetInterval {
        match reset {
            None => BudgetInterval::Lifetime,
            Some(reset) => BudgetInterval::from(reset.as_str()),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn known_values_round_trip() {
        for role in WorkspaceMemberRole::KNOWN {
            let json = serde_json::to_string(role).unwrap();
            assert_eq!(serde_json::from_str::<WorkspaceMemberRole>(&json).unwrap(), *role);
            assert!(!role.is_unknown());
        }
        assert_eq!(serde_json::to_string(&ServerTool::WebSearch).unwrap(), "\"openrouter:web_search\"");
    }

    #[test]
    fn unknown_values_are_kept_and_sent_back_unchanged() {
        let role: WorkspaceMemberRole = serde_json::from_str("\"owner_future\"").unwrap();
        assert!(role.is_unknown());
        assert_eq!(role, WorkspaceMemberRole::from("owner_future"));
        assert_eq!(serde_json::to_string(&role).unwrap(), "\"owner_future\"");
        assert_eq!(format!("{role:?}"), "Unknown(\"owner_future\")");
        // Escaped input cannot be borrowed; it must still decode.
        let tool: ServerTool = serde_json::from_str("\"openrouter:new\\u0021\"").unwrap();
        assert_eq!(tool.as_str(), "openrouter:new!");
        let interval: BudgetInterval = "hourly".parse().unwrap();
        assert_eq!(interval.to_string(), "hourly");
        // A known value never parses as unknown, so the two cannot differ for the same text.
        assert_eq!(BudgetInterval::from("daily".to_owned()), BudgetInterval::Daily);
    }

    #[test]
    fn a_null_reset_interval_is_a_lifetime_budget() {
        let reset: Option<ResetInterval> = serde_json::from_str("null").unwrap();
        assert_eq!(BudgetInterval::from_reset_interval(reset.as_ref()), BudgetInterval::Lifetime);
        for interval in BudgetInterval::KNOWN {
            assert_eq!(&BudgetInterval::from_reset_interval(interval.reset_interval().as_ref()), interval);
        }
    }
}
