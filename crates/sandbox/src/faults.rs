//! The fault switchboard: each name is one real-world failure the doctor must name as itself.

use serde::{Deserialize, Serialize};
use std::fmt;
use std::str::FromStr;
use std::sync::Arc;
use std::sync::atomic::{AtomicBool, Ordering};

macro_rules! faults {
    ($($variant:ident = $name:literal : $what:literal,)*) => {
        /// A failure the sandbox can inject (`--faults a,b`).
        #[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
        pub enum Fault { $($variant,)* }

        impl Fault {
            pub const ALL: &'static [Fault] = &[$(Fault::$variant,)*];

            pub fn name(self) -> &'static str {
                match self { $(Fault::$variant => $name,)* }
            }

            /// What the fault imitates, for `--help` and the UI.
            pub fn describe(self) -> &'static str {
                match self { $(Fault::$variant => $what,)* }
            }
        }
    };
}

faults! {
    DnsPublicIp = "dns-public-ip": "the resource name resolves to a public address (private DNS zone not linked)",
    DnsNxdomain = "dns-nxdomain": "the resource name does not exist in DNS",
    NoPrivatelinkCname = "no-privatelink-cname": "the answer does not go through a privatelink CNAME",
    ZoneMissingServicesAi = "zone-missing-services-ai": "services.ai.azure.com resolves publicly while cognitiveservices is private",
    TcpBlackhole = "tcp-blackhole": "TCP 443 never answers (NSG or route drops it)",
    TlsIntercepted = "tls-intercepted": "a TLS-inspecting proxy presents its own certificate",
    TlsExpired = "tls-expired": "the server certificate has expired",
    SlowLink = "slow-link": "the round trip is above the latency threshold",
    AuthExpired = "auth-expired": "the token or key is rejected with 401",
    RoleMissing = "role-missing": "the caller lacks the Azure AI User / Cognitive Services User role (403)",
    DeploymentMissing = "deployment-missing": "the deployment does not exist (404 DeploymentNotFound)",
    Quota429 = "quota-429": "requests are throttled (429 with Retry-After)",
    GatewayHtml = "gateway-html": "a proxy login page answers instead of JSON",
    GatewayDown = "gateway-down": "the gateway does not answer",
    PublicNetworkEnabled = "public-network-enabled": "the account allows public network access",
    UsageUnauthorized = "usage-unauthorized": "the usage source refuses the credential (401: an expired gateway key, a rejected token)",
    UsageRateLimited = "usage-rate-limited": "the usage source limits requests (429 with Retry-After)",
    UsageBudgetExceeded = "usage-budget-exceeded": "the gateway key is over its budget (LiteLLM's 422 budget_exceeded)",
    UsagePartial = "usage-partial": "Log Analytics answers part of the query (PartialError)",
    UsageForbidden = "usage-forbidden": "the signed-in user may not read the workspace (403 InsufficientAccessError)",
}

impl fmt::Display for Fault {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.name())
    }
}

/// The faults the running servers apply. `auth-expired` can be held back while the sandbox signs
/// its own az in (`--signed-in`): the sign-in then succeeds and the expiry bites afterwards, as a
/// sign-in gone stale does.
#[derive(Debug, Clone, Default)]
pub struct ActiveFaults {
    list: Arc<Vec<Fault>>,
    sign_in_held: Arc<AtomicBool>,
}

impl ActiveFaults {
    pub fn new(list: Vec<Fault>) -> Self {
        Self { list: Arc::new(list), sign_in_held: Arc::default() }
    }

    pub fn contains(&self, fault: &Fault) -> bool {
        self.list.contains(fault) && !(*fault == Fault::AuthExpired && self.sign_in_held.load(Ordering::SeqCst))
    }

    /// Holds `auth-expired` back until the guard is dropped.
    pub fn hold_for_sign_in(&self) -> SignInHold {
        self.sign_in_held.store(true, Ordering::SeqCst);
        SignInHold(self.sign_in_held.clone())
    }
}

/// Releases `auth-expired` when dropped.
pub struct SignInHold(Arc<AtomicBool>);

impl Drop for SignInHold {
    fn drop(&mut self) {
        self.0.store(false, Ordering::SeqCst);
    }
}

/// An unknown fault name, with the list of valid ones.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("unknown fault {name:?}; valid faults are: {}", Fault::ALL.iter().map(|f| f.name()).collect::<Vec<_>>().join(", "))]
pub struct UnknownFault {
    pub name: String,
}

impl FromStr for Fault {
    type Err = UnknownFault;
    fn from_str(s: &str) -> Result<Self, Self::Err> {
        let s = s.trim();
        Fault::ALL.iter().copied().find(|f| f.name() == s).ok_or_else(|| UnknownFault { name: s.to_string() })
    }
}

/// Parses `a,b,c` (empty entries ignored, duplicates removed, order kept sorted).
pub fn parse_list(list: &str) -> Result<Vec<Fault>, UnknownFault> {
    let mut out: Vec<Fault> = list.split(',').filter(|s| !s.trim().is_empty()).map(str::parse).collect::<Result<_, _>>()?;
    out.sort();
    out.dedup();
    Ok(out)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_name_round_trips() {
        assert_eq!(Fault::ALL.len(), 20);
        for f in Fault::ALL {
            assert_eq!(f.name().parse::<Fault>().unwrap(), *f);
        }
    }

    #[test]
    fn unknown_fault_lists_the_valid_ones() {
        let err = parse_list("tls-expired,nope").unwrap_err();
        assert_eq!(err.name, "nope");
        let msg = err.to_string();
        assert!(msg.contains("zone-missing-services-ai") && msg.contains("quota-429"), "{msg}");
    }

    #[test]
    fn auth_expired_is_held_back_only_while_signing_in() {
        let active = ActiveFaults::new(vec![Fault::AuthExpired, Fault::RoleMissing]);
        let hold = active.hold_for_sign_in();
        assert!(!active.clone().contains(&Fault::AuthExpired) && active.contains(&Fault::RoleMissing));
        drop(hold);
        assert!(active.contains(&Fault::AuthExpired));
        assert!(!active.contains(&Fault::SlowLink));
    }

    #[test]
    fn list_is_deduplicated() {
        assert_eq!(parse_list("quota-429, quota-429,,slow-link").unwrap(), vec![Fault::SlowLink, Fault::Quota429]);
        assert!(parse_list("").unwrap().is_empty());
    }
}
