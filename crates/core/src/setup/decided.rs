//! What the org policy decided for onboarding — the login mode, the endpoint, each tier — and
//! what is left to ask, read once here so the wizard and `setup` show and skip the same steps.

use crate::azure::discovery::{Proposed, Tier};
use crate::config::policy::Policy;
use crate::config::{ChooseModels, LoadedConfig, LoginMode};
use serde::Serialize;
use ts_rs::TS;

use super::{Choice, EndpointChoice};

/// Who made a decision (only the organisation's policy decides today).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, TS)]
#[serde(rename_all = "kebab-case")]
pub enum DecidedBy {
    Organisation,
}

/// Where the policy points Claude Code.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, TS)]
#[serde(rename_all = "camelCase", tag = "kind")]
pub enum DecidedEndpoint {
    /// An Azure AI Foundry resource by name.
    Resource { name: String },
    /// A full endpoint ending in `/anthropic`.
    BaseUrl { url: String },
    /// The corporate gateway: its address when the policy names it, else the configured one.
    Gateway { url: Option<String> },
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, TS)]
#[serde(rename_all = "camelCase")]
pub struct LoginDecision {
    pub mode: LoginMode,
    pub by: DecidedBy,
    pub locked: bool,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, TS)]
#[serde(rename_all = "camelCase")]
pub struct EndpointDecision {
    pub endpoint: DecidedEndpoint,
    pub by: DecidedBy,
    pub locked: bool,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, TS)]
#[serde(rename_all = "camelCase")]
pub struct TierDecision {
    pub deployment: String,
    pub by: DecidedBy,
    pub locked: bool,
}

/// A question onboarding must still ask because the policy does not answer it.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, TS)]
#[serde(rename_all = "kebab-case")]
pub enum Ask {
    /// Which resource, URL or gateway.
    Endpoint,
    Sonnet,
    Haiku,
    Opus,
}

impl Ask {
    /// The policy keys that would answer this question (named when `setup --yes` cannot go on).
    pub fn policy_keys(self) -> &'static str {
        match self {
            Ask::Endpoint => "foundry.resource (or foundry.base_url, or foundry.via_gateway = true with gateway.url)",
            Ask::Sonnet => "models.sonnet",
            Ask::Haiku => "models.haiku",
            Ask::Opus => "models.opus",
        }
    }

    fn of(tier: Tier) -> Self {
        match tier {
            Tier::Sonnet => Ask::Sonnet,
            Tier::Haiku => Ask::Haiku,
            Tier::Opus => Ask::Opus,
        }
    }
}

/// What the policy decided, and what is left to ask.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, TS)]
#[serde(rename_all = "camelCase")]
pub struct Decided {
    /// The policy file read, when there is one.
    pub policy_file: Option<String>,
    pub login: Option<LoginDecision>,
    pub endpoint: Option<EndpointDecision>,
    pub sonnet: Option<TierDecision>,
    pub haiku: Option<TierDecision>,
    pub opus: Option<TierDecision>,
    /// `models.choose`: the policy's, else the config's.
    pub choose: ChooseModels,
    /// In order; empty when the policy answers everything (the newest pick included).
    pub left_to_ask: Vec<Ask>,
}

impl Decided {
    pub fn tier(&self, tier: Tier) -> Option<&TierDecision> {
        match tier {
            Tier::Sonnet => self.sonnet.as_ref(),
            Tier::Haiku => self.haiku.as_ref(),
            Tier::Opus => self.opus.as_ref(),
        }
    }

    /// Nothing is left to ask: onboarding needs only sign-in and the approval to write.
    pub fn is_complete(&self) -> bool {
        self.left_to_ask.is_empty()
    }

    /// The newest deployment of each unnamed tier is taken from discovery (the policy names a
    /// resource and says `choose = "newest"`).
    pub fn takes_newest(&self) -> bool {
        self.choose == ChooseModels::Newest && matches!(self.endpoint.as_ref().map(|e| &e.endpoint), Some(DecidedEndpoint::Resource { .. }))
    }
}

/// What the policy under `loaded` decided (read from the policy as written: in a sandbox the
/// policy's resource is shown although the sandbox's loopback URL reaches it).
pub fn decided(loaded: &LoadedConfig) -> Decided {
    let policy = &loaded.policy;
    let by = DecidedBy::Organisation;
    let text = |key: &str| policy.value(key).and_then(|v| v.as_str()).map(str::to_string);
    let login = policy.value("azure.login").and_then(|v| v.clone().try_into::<LoginMode>().ok()).map(|mode| LoginDecision {
        mode,
        by,
        locked: policy.locks("azure.login"),
    });
    let endpoint = endpoint_of(policy).map(|(endpoint, keys)| EndpointDecision { endpoint, by, locked: keys.iter().any(|k| policy.locks(k)) });
    let tier = |key: &str| text(key).filter(|n| !n.trim().is_empty()).map(|deployment| TierDecision { deployment, by, locked: policy.locks(key) });
    let choose = policy.value("models.choose").and_then(|v| v.clone().try_into::<ChooseModels>().ok()).unwrap_or(loaded.config.models.choose);
    let mut d = Decided {
        policy_file: policy.path().map(|p| p.display().to_string()),
        login,
        endpoint,
        sonnet: tier("models.sonnet"),
        haiku: tier("models.haiku"),
        opus: tier("models.opus"),
        choose,
        left_to_ask: Vec::new(),
    };
    if d.endpoint.is_none() {
        d.left_to_ask.push(Ask::Endpoint);
    }
    for t in [Tier::Sonnet, Tier::Haiku, Tier::Opus] {
        if d.tier(t).is_none() && !d.takes_newest() {
            d.left_to_ask.push(Ask::of(t));
        }
    }
    d
}

/// The policy's endpoint and the keys that make it.
fn endpoint_of(policy: &Policy) -> Option<(DecidedEndpoint, [&'static str; 3])> {
    let text = |key: &str| policy.value(key).and_then(|v| v.as_str()).map(str::to_string);
    let via_gateway = policy.value("foundry.via_gateway").and_then(|v| v.as_bool()) == Some(true);
    let keys = ["foundry.resource", "foundry.base_url", "foundry.via_gateway"];
    if via_gateway {
        return Some((DecidedEndpoint::Gateway { url: text("gateway.url").or_else(|| text("foundry.base_url")) }, keys));
    }
    if let Some(name) = text("foundry.resource") {
        return Some((DecidedEndpoint::Resource { name }, keys));
    }
    text("foundry.base_url").map(|url| (DecidedEndpoint::BaseUrl { url }, keys))
}

/// A resource's deployments as discovery found them: its subscription and the newest per tier.
#[derive(Debug, Clone, Copy)]
pub struct Found<'a> {
    pub subscription: &'a str,
    pub proposed: &'a Proposed,
}

/// Turns what the policy decided (and, where it says `choose = "newest"`, what discovery found on
/// its resource) into the [`Choice`] both faces apply — or the questions still open. A tier whose
/// newest deployment discovery could not find stays a question.
pub fn policy_choice(decided: &Decided, found: Option<Found<'_>>) -> Result<Choice, Vec<Ask>> {
    let mut open: Vec<Ask> = Vec::new();
    let endpoint = match decided.endpoint.as_ref().map(|e| &e.endpoint) {
        Some(DecidedEndpoint::Resource { name }) => {
            Some(EndpointChoice::Resource { name: name.clone(), subscription: found.map(|f| f.subscription.to_string()) })
        }
        Some(DecidedEndpoint::BaseUrl { url }) => Some(EndpointChoice::BaseUrl(url.clone())),
        Some(DecidedEndpoint::Gateway { url }) => Some(EndpointChoice::Gateway(url.clone())),
        None => {
            open.push(Ask::Endpoint);
            None
        }
    };
    let mut pick = |tier: Tier| {
        let named = decided.tier(tier).map(|t| t.deployment.clone());
        let newest = || decided.takes_newest().then(|| found.and_then(|f| proposed(f.proposed, tier))).flatten();
        let name = named.or_else(newest);
        if name.is_none() {
            open.push(Ask::of(tier));
        }
        name
    };
    let (sonnet, haiku, opus) = (pick(Tier::Sonnet), pick(Tier::Haiku), pick(Tier::Opus));
    if !open.is_empty() {
        return Err(open);
    }
    Ok(Choice {
        endpoint,
        sonnet,
        haiku,
        opus,
        login: decided.login.as_ref().map(|l| l.mode),
        max_output_tokens: None,
        // Nobody is there to confirm: the organisation named the deployments, or each is the
        // newest of a different tier.
        reuse_confirmed: true,
    })
}

fn proposed(p: &Proposed, tier: Tier) -> Option<String> {
    match tier {
        Tier::Sonnet => p.sonnet.clone(),
        Tier::Haiku => p.haiku.clone(),
        Tier::Opus => p.opus.clone(),
    }
}

#[cfg(test)]
#[path = "decided_tests.rs"]
mod tests;
