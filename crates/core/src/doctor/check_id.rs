//! Every check a catalogue can hold, as a type: the id the report, `--only` and the app's rows
//! spell ("path.dns"), and the section it belongs to — one list instead of strings kept in sync.

use super::model::Section;
use serde::{Deserialize, Serialize};
use std::fmt;
use ts_rs::TS;

macro_rules! check_ids {
    ($($variant:ident = $id:literal in $section:ident,)*) => {
        #[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize, TS)]
        pub enum CheckId {
            $(#[serde(rename = $id)] $variant,)*
        }

        impl CheckId {
            /// Every check, in catalogue order.
            pub const ALL: &[CheckId] = &[$(CheckId::$variant,)*];

            /// As the report, `--only` and the app spell it.
            pub fn as_str(self) -> &'static str {
                match self {
                    $(CheckId::$variant => $id,)*
                }
            }

            pub fn section(self) -> Section {
                match self {
                    $(CheckId::$variant => Section::$section,)*
                }
            }
        }
    };
}

check_ids! {
    EnvClaude = "env.claude" in Environment,
    EnvProfile = "env.profile" in Environment,
    ClaudeLive = "claude.live" in Environment,
    SigninAz = "signin.az" in SignIn,
    SigninToken = "signin.token" in SignIn,
    PathDns = "path.dns" in PrivatePath,
    PathProxy = "path.proxy" in PrivatePath,
    PathTcp = "path.tcp" in PrivatePath,
    PathTls = "path.tls" in PrivatePath,
    PathHttps = "path.https" in PrivatePath,
    FoundrySonnet = "foundry.sonnet" in Foundry,
    FoundryHaiku = "foundry.haiku" in Foundry,
    FoundryOpus = "foundry.opus" in Foundry,
    FoundryConfig = "foundry.config" in Foundry,
    GatewayReachable = "gateway.reachable" in Gateway,
    GatewayAuth = "gateway.auth" in Gateway,
    GatewayUsage = "gateway.usage" in Gateway,
    UsageSource = "usage.source" in Gateway,
}

impl CheckId {
    /// The check spelled `id`, if there is one.
    pub fn parse(id: &str) -> Option<Self> {
        Self::ALL.iter().copied().find(|c| c.as_str() == id)
    }
}

impl fmt::Display for CheckId {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.pad(self.as_str())
    }
}

impl PartialEq<str> for CheckId {
    fn eq(&self, other: &str) -> bool {
        self.as_str() == other
    }
}

impl PartialEq<&str> for CheckId {
    fn eq(&self, other: &&str) -> bool {
        self.as_str() == *other
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn ids_serialize_as_the_report_spells_them() {
        assert_eq!(serde_json::to_string(&CheckId::FoundryConfig).unwrap(), "\"foundry.config\"");
        assert_eq!(serde_json::from_str::<CheckId>("\"path.dns\"").unwrap(), CheckId::PathDns);
        for id in CheckId::ALL {
            assert_eq!(CheckId::parse(id.as_str()), Some(*id));
            assert!(id.as_str().contains('.'), "{id}");
        }
        assert_eq!(CheckId::parse("path.dsn"), None);
        assert_eq!(format!("{:<12}|", CheckId::PathDns), "path.dns    |");
    }
}
