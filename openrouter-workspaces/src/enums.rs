//! Forward-compatible enums: the API adds member roles, budget intervals and server tools over time, and a
//! response naming a value this version does not know must still decode. Each enum keeps such a value in
//! `Unknown(String)`, serializes it back unchanged, and says so through [`is_unknown`](BudgetInterval::is_unknown).
//!
//! The generator substitutes these types for the spec's closed enums (`xtask/src/codegen.rs`, `REPLACEMENTS`).

use std::fmt;
use std::str::FromStr;

macro_rules! open_enum {
    (
        $(#[$meta:meta])*
        $name:ident { $( $(#[$vmeta:meta])* $variant:ident = $wire:literal, )+ }
    ) => {
        $(#[$meta])*
        #[derive(Clone, Debug, PartialEq, Eq, Hash, PartialOrd, Ord)]
        #[non_exhaustive]
        pub enum $name {
            $( $(#[$vmeta])* $variant, )+
            /// A value this version of the crate does not know, kept as the server sent it.
            Unknown(String),
        }

        impl $name {
            /// Every value this version of the crate knows, in the spec's order.
            pub const KNOWN: &'static [$name] = &[$($name::$variant),+];

            /// The value as it appears on the wire.
            pub fn as_str(&self) -> &str {
                match self {
                    $( $name::$variant => $wire, )+
                    $name::Unknown(other) => other,
                }
            }

            /// Whether this is a value this version of the crate does not know.
            pub fn is_unknown(&self) -> bool {
                matches!(self, $name::Unknown(_))
            }
        }

        impl fmt::Display for $name {
            fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
                f.write_str(self.as_str())
            }
        }

        impl FromStr for $name {
            type Err = std::convert::Infallible;

            /// Never fails: a value this crate does not know becomes `Unknown`.
            fn from_str(s: &str) -> Result<Self, Self::Err> {
                Ok(Self::from(s))
            }
        }

        impl From<&str> for $name {
            fn from(s: &str) -> Self {
                match s {
                    $( $wire => $name::$variant, )+
                    other => $name::Unknown(other.to_owned()),
                }
            }
        }

        impl From<String> for $name {
            fn from(s: String) -> Self {
                match s.as_str() {
                    $( $wire => $name::$variant, )+
                    _ => $name::Unknown(s),
                }
            }
        }

        impl serde::Serialize for $name {
            fn serialize<S: serde::Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
                serializer.serialize_str(self.as_str())
            }
        }

        impl<'de> serde::Deserialize<'de> for $name {
            fn deserialize<D: serde::Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
                // Borrow when the input allows it; own otherwise (escaped strings, readers).
                let s = <std::borrow::Cow<'de, str> as serde::Deserialize>::deserialize(deserializer)?;
                Ok(Self::from(s.into_owned()))
            }
        }
    };
}

open_enum! {
    /// The role of a member in a workspace. Members get the role they hold in the organization.
    WorkspaceMemberRole {
        /// Administers the workspace.
        Admin = "admin",
        /// An ordinary member.
        Member = "member",
    }
}

open_enum! {
    /// Which budget of a workspace: the interval at which its spend resets, or `Lifetime` for a one-time budget.
    ///
    /// Limits must strictly decrease as the interval narrows: lifetime > monthly > weekly > daily.
    BudgetInterval {
        /// Resets every day.
        Daily = "daily",
        /// Resets every week.
        Weekly = "weekly",
        /// Resets every month.
        Monthly = "monthly",
        /// Never resets.
        Lifetime = "lifetime",
    }
}

open_enum! {
    /// The interval at which a budget's spend resets, as budgets report it. A lifetime budget has none
    /// (`reset_interval: null`, `None` in Rust).
    ResetInterval {
        /// Resets every day.
        Daily = "daily",
        /// Resets every week.
        Weekly = "weekly",
        /// Resets every month.
        Monthly = "monthly",
    }
}

open_enum! {
    /// A server tool that can be disabled for a workspace. Requests naming a disabled tool are rejected with 403.
    ServerTool {
        /// `openrouter:advisor`
        Advisor = "openrouter:advisor",
        /// `openrouter:apply_patch`
        ApplyPatch = "openrouter:apply_patch",
        /// `openrouter:bash`
        Bash = "openrouter:bash",
        /// `openrouter:datetime`
        Datetime = "openrouter:datetime",
        /// `openrouter:fusion`
        Fusion = "openrouter:fusion",
        /// `openrouter:image_generation`
        ImageGeneration = "openrouter:image_generation",
        /// `openrouter:experimental__search_models`
        ExperimentalSearchModels = "openrouter:experimental__search_models",
        /// `openrouter:shell`
        Shell = "openrouter:shell",
        /// `openrouter:subagent`
        Subagent = "openrouter:subagent",
        /// `openrouter:tool_search`
        ToolSearch = "openrouter:tool_search",
        /// `openrouter:web_fetch`
        WebFetch = "openrouter:web_fetch",
        /// `openrouter:web_search`
        WebSearch = "openrouter:web_search",
    }
}

impl BudgetInterval {
    /// The `reset_interval` a budget of this interval reports (`None` for lifetime), or `None` for an unknown one.
    pub fn reset_interval(&self) -> Option<ResetInterval> {
        match self {
            BudgetInterval::Daily => Some(ResetInterval::Daily),
            BudgetInterval::Weekly => Some(ResetInterval::Weekly),
            BudgetInterval::Monthly => Some(ResetInterval::Monthly),
            BudgetInterval::Lifetime | BudgetInterval::Unknown(_) => None,
        }
    }

    /// The interval of a budget that reports `reset_interval` (`None` means lifetime).
    pub fn from_reset_interval(reset: Option<&ResetInterval>) -> BudgetInterval {
        match reset {
            None => BudgetInterval::Lifetime,
            Some(ResetInterval::Daily) => BudgetInterval::Daily,
            Some(ResetInterval::Weekly) => BudgetInterval::Weekly,
            Some(ResetInterval::Monthly) => BudgetInterval::Monthly,
            Some(ResetInterval::Unknown(s)) => BudgetInterval::Unknown(s.clone()),
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
        }
        assert_eq!(ServerTool::KNOWN.len(), 12);
        assert_eq!(serde_json::to_string(&ServerTool::WebSearch).unwrap(), "\"openrouter:web_search\"");
    }

    #[test]
    fn unknown_values_are_kept_and_sent_back_unchanged() {
        let role: WorkspaceMemberRole = serde_json::from_str("\"owner_future\"").unwrap();
        assert_eq!(role, WorkspaceMemberRole::Unknown("owner_future".into()));
        assert!(role.is_unknown());
        assert_eq!(serde_json::to_string(&role).unwrap(), "\"owner_future\"");
        // Escaped input cannot be borrowed; it must still decode.
        let tool: ServerTool = serde_json::from_str("\"openrouter:new\\u0021\"").unwrap();
        assert_eq!(tool.as_str(), "openrouter:new!");
        let interval: BudgetInterval = "hourly".parse().unwrap();
        assert_eq!(interval.to_string(), "hourly");
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
