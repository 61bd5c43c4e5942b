//! Discovery's second phase: each account's deployments, the Claude ones sorted into the sonnet /
//! haiku / opus tiers and the newest per tier proposed. It runs after the account list is shown,
//! in the order asked (the account the person picked first), a bounded number at a time, and
//! reports every account as soon as it is done.

use super::arm::ArmReader;
use super::{API_ACCOUNTS, Account};
use crate::Secret;
use crate::azure::AzError;
use crate::config::Config;
use crate::error::IpcError;
use crate::net::Network;
use serde::{Deserialize, Serialize};
use serde_json::Value;
use std::sync::Arc;
use std::time::Instant;
use ts_rs::TS;

/// At most this many deployment lists in flight (1,000 accounts at 100 ms each: about 6 s).
const PARALLEL: usize = 16;

/// Why an account without a Claude deployment is greyed out.
pub const NO_CLAUDE: &str =
    "no Claude deployment on this resource (a platform team creates them; deploying Anthropic models needs the organisation details Azure asks for)";

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, TS)]
#[serde(rename_all = "lowercase")]
pub enum Tier {
    Sonnet,
    Haiku,
    Opus,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, TS)]
#[serde(rename_all = "camelCase")]
pub struct Deployment {
    pub name: String,
    pub model: String,
    pub model_version: String,
    pub format: String,
    pub sku: String,
    pub capacity: Option<u32>,
    /// Set for Claude deployments.
    pub tier: Option<Tier>,
}

/// The newest deployment per tier (also sent back by the app for `choose = "newest"`).
#[derive(Debug, Clone, PartialEq, Eq, Default, Serialize, Deserialize, TS)]
#[serde(rename_all = "camelCase")]
pub struct Proposed {
    pub sonnet: Option<String>,
    pub haiku: Option<String>,
    pub opus: Option<String>,
}

/// One account's deployments, as the second phase lists them (streamed to the app one by one).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, TS)]
#[serde(rename_all = "camelCase")]
pub struct AccountDeployments {
    pub account_id: String,
    pub deployments: Vec<Deployment>,
    /// The newest deployment per tier.
    pub proposed: Proposed,
    /// Why this account cannot be used, when it cannot (shown greyed out).
    pub note: Option<String>,
    /// Listing failed: what happened and what to do (the app offers a retry).
    pub error: Option<IpcError>,
}

impl Account {
    /// Takes in what the second phase found for this account.
    pub fn apply(&mut self, found: &AccountDeployments) {
        self.deployments = found.deployments.clone();
        self.proposed = found.proposed.clone();
        self.note = found.note.clone();
        self.deployments_loaded = true;
    }
}

/// What a phase cost: ARM requests (retries included) and wall time.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct ArmCost {
    pub requests: u64,
    pub elapsed_ms: u64,
}

fn tier_of(model: &str, name: &str) -> Option<Tier> {
    let m = format!("{model} {name}").to_ascii_lowercase();
    if m.contains("sonnet") {
        Some(Tier::Sonnet)
    } else if m.contains("haiku") {
        Some(Tier::Haiku)
    } else if m.contains("opus") {
        Some(Tier::Opus)
    } else {
        None
    }
}

/// A Claude deployment: Anthropic's model format, or a `claude-` model name.
pub(super) fn is_claude(format: &str, model: &str) -> bool {
    format == "Anthropic" || model.starts_with("claude-")
}

pub(super) fn parse_deployment(v: &Value) -> Deployment {
    let model = v["properties"]["model"]["name"].as_str().unwrap_or("").to_string();
    let format = v["properties"]["model"]["format"].as_str().unwrap_or("").to_string();
    let name = v["name"].as_str().unwrap_or("").to_string();
    let claude = is_claude(&format, &model);
    Deployment {
        tier: if claude { tier_of(&model, &name) } else { None },
        model_version: v["properties"]["model"]["version"].as_str().unwrap_or("").to_string(),
        sku: v["sku"]["name"].as_str().unwrap_or("").to_string(),
        capacity: v["sku"]["capacity"].as_u64().and_then(|c| u32::try_from(c).ok()),
        name,
        model,
        format,
    }
}

/// The newest deployment per tier: the highest model name (4-6 > 4-5), then version.
pub(super) fn propose(deployments: &[Deployment]) -> Proposed {
    let best = |t: Tier| {
        deployments
            .iter()
            .filter(|d| d.tier == Some(t))
            .max_by(|a, b| (a.model.as_str(), a.model_version.as_str()).cmp(&(b.model.as_str(), b.model_version.as_str())))
            .map(|d| d.name.clone())
    };
    Proposed { sonnet: best(Tier::Sonnet), haiku: best(Tier::Haiku), opus: best(Tier::Opus) }
}

/// An ARM account id as discovery produced it: `/subscriptions/…/accounts/<name>`, nothing that
/// could change the host or the query when appended to the ARM URL.
/// (Resource group names may hold any letter, so non-ASCII letters pass; ARM's casing varies.)
fn is_account_id(id: &str) -> bool {
    let lower = id.to_lowercase();
    lower.starts_with("/subscriptions/")
        && lower.contains("/providers/microsoft.cognitiveservices/accounts/")
        && !id.split('/').any(|seg| seg == "..")
        && id.chars().all(|c| c.is_alphanumeric() || "/-_.()".contains(c))
}

async fn list_one(arm: &ArmReader, account_id: String) -> AccountDeployments {
    if !is_account_id(&account_id) {
        let error = AzError::NotAnAccount(account_id.clone());
        return AccountDeployments {
            note: Some(error.to_string()),
            account_id,
            deployments: Vec::new(),
            proposed: Proposed::default(),
            error: Some(error.into()),
        };
    }
    match arm.list(format!("{}{account_id}/deployments?api-version={API_ACCOUNTS}", arm.base())).await {
        Ok(list) => {
            let deployments: Vec<Deployment> = list.iter().map(parse_deployment).collect();
            let note = (!deployments.iter().any(|d| d.tier.is_some())).then(|| NO_CLAUDE.to_string());
            AccountDeployments { proposed: propose(&deployments), account_id, deployments, note, error: None }
        }
        Err(e) => AccountDeployments {
            note: Some(format!("its deployments could not be listed: {e}")),
            error: Some(IpcError::from(e)),
            account_id,
            deployments: Vec::new(),
            proposed: Proposed::default(),
        },
    }
}

/// Lists the deployments of `account_ids`, started in that order with at most 16 in flight;
/// `on_each` sees every account as soon as it is done. A failure is reported on its account
/// (`error`), never for the whole batch; only an unusable ARM URL fails the call.
pub async fn load_deployments(
    net: &Network,
    config: &Config,
    token: &Secret,
    account_ids: &[String],
    mut on_each: impl FnMut(AccountDeployments),
) -> Result<ArmCost, AzError> {
    let started = Instant::now();
    let arm = Arc::new(ArmReader::new(net, config, token, PARALLEL)?);
    let mut tasks = tokio::task::JoinSet::new();
    // The gate is first come, first served, so the order given is the order started.
    for id in account_ids {
        let (arm, id) = (arm.clone(), id.clone());
        tasks.spawn(async move { list_one(&arm, id).await });
    }
    while let Some(done) = tasks.join_next().await {
        match done {
            Ok(found) => on_each(found),
            Err(e) => tracing::warn!("a deployments listing task ended abnormally: {e}"),
        }
    }
    Ok(ArmCost { requests: arm.requests(), elapsed_ms: started.elapsed().as_millis() as u64 })
}

#[cfg(test)]
mod tests {
    use super::*;

    fn d(name: &str, model: &str, version: &str) -> Deployment {
        parse_deployment(
            &serde_json::json!({"name": name, "sku": {"name": "GlobalStandard", "capacity": 10}, "properties": {"model": {"format": "Anthropic", "name": model, "version": version}}}),
        )
    }

    #[test]
    fn tiers_and_the_newest_per_tier() {
        let list = vec![
            d("s45", "claude-sonnet-4-5", "20250929"),
            d("s4", "claude-sonnet-4", "20250514"),
            d("h", "claude-haiku-4-5", "1"),
            d("team-opus", "claude-opus-4-6", "1"),
        ];
        let p = propose(&list);
        assert_eq!(p.sonnet.as_deref(), Some("s45"));
        assert_eq!(p.haiku.as_deref(), Some("h"));
        assert_eq!(p.opus.as_deref(), Some("team-opus"));
        let gpt = parse_deployment(&serde_json::json!({"name": "gpt", "properties": {"model": {"format": "OpenAI", "name": "gpt-4o"}}}));
        assert_eq!(gpt.tier, None);
    }

    #[test]
    fn only_account_ids_are_appended_to_the_arm_url() {
        assert!(is_account_id("/subscriptions/s1/resourceGroups/rg-ai/providers/Microsoft.CognitiveServices/accounts/contoso-ai"));
        for bad in [
            "@evil.example/x",
            "/subscriptions/s1/providers/Microsoft.CognitiveServices/accounts/a?x=1",
            "/subscriptions/s1/../providers/Microsoft.CognitiveServices/accounts/a",
            "/subscriptions/s1/providers/Other/a",
            "/subscriptions/s1/providers/Microsoft.CognitiveServices/accounts/a#f",
        ] {
            assert!(!is_account_id(bad), "{bad}");
        }
    }
}
