//! Discovery over ARM REST: subscriptions → AIServices accounts → their deployments and private
//! endpoints, with `nextLink` followed only on the ARM origin (the token never goes elsewhere),
//! `Retry-After` honoured, 5xx retried, and accounts queried concurrently with a bound.

use super::AzError;
use crate::Secret;
use crate::config::Config;
use crate::net::Network;
use serde::{Deserialize, Serialize};
use serde_json::Value;
use std::sync::Arc;
use std::time::{Duration, Instant};
use ts_rs::TS;

const API_SUBSCRIPTIONS: &str = "2022-12-01";
const API_ACCOUNTS: &str = "2024-10-01";
/// At most this many ARM requests in flight.
const PARALLEL: usize = 6;

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

#[derive(Debug, Clone, PartialEq, Eq, Serialize, TS)]
#[serde(rename_all = "camelCase")]
pub struct PrivateEndpoint {
    pub id: String,
    pub status: String,
}

#[derive(Debug, Clone, PartialEq, Eq, Default, Serialize, TS)]
#[serde(rename_all = "camelCase")]
pub struct Proposed {
    pub sonnet: Option<String>,
    pub haiku: Option<String>,
    pub opus: Option<String>,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, TS)]
#[serde(rename_all = "camelCase")]
pub struct Account {
    pub id: String,
    pub name: String,
    pub location: String,
    pub sku: String,
    pub custom_subdomain: Option<String>,
    pub public_network_access: String,
    pub private_endpoints: Vec<PrivateEndpoint>,
    pub deployments: Vec<Deployment>,
    /// The newest deployment per tier.
    pub proposed: Proposed,
    /// Why this account cannot be used, when it cannot (shown greyed out).
    pub note: Option<String>,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, TS)]
#[serde(rename_all = "camelCase")]
pub struct Subscription {
    pub id: String,
    pub name: String,
    pub tenant_id: String,
    pub accounts: Vec<Account>,
    /// ARM's refusal for this subscription (e.g. 403), when listing its accounts failed.
    pub error: Option<String>,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, TS)]
#[serde(rename_all = "camelCase")]
pub struct Discovered {
    pub subscriptions: Vec<Subscription>,
    #[ts(type = "number")]
    pub elapsed_ms: u64,
    #[ts(type = "number")]
    pub requests: u64,
}

struct Arm {
    net: Network,
    base: String,
    origin: url::Origin,
    token: Secret,
    requests: std::sync::atomic::AtomicU64,
    gate: tokio::sync::Semaphore,
}

impl Arm {
    async fn get(&self, url: &str) -> Result<Value, AzError> {
        let parsed = url::Url::parse(url).map_err(|e| AzError::Parse(e.to_string()))?;
        if parsed.origin() != self.origin {
            return Err(AzError::ForeignLink { target: parsed.origin().ascii_serialization(), arm: self.origin.ascii_serialization() });
        }
        let _permit = self.gate.acquire().await.map_err(|_| AzError::Spawn("closed".into()))?;
        let mut attempt = 0u32;
        loop {
            attempt += 1;
            self.requests.fetch_add(1, std::sync::atomic::Ordering::Relaxed);
            let rb = self.net.http.request(reqwest::Method::GET, url)?.bearer_auth(self.token.expose());
            let resp = self.net.http.send(rb).await?;
            let status = resp.status().as_u16();
            let retry_after = resp.headers().get("retry-after").and_then(|v| v.to_str().ok()).and_then(|v| v.parse::<u64>().ok());
            let text = resp.text().await.unwrap_or_default();
            if (status == 429 || status >= 500) && attempt < 4 {
                let wait = match (status, retry_after) {
                    (429, Some(s)) => Duration::from_secs(s.min(10)),
                    _ => Duration::from_millis(250 * 2u64.pow(attempt)),
                };
                tokio::time::sleep(wait).await;
                continue;
            }
            let what = parsed.path().to_string();
            if !(200..300).contains(&status) {
                let v: Value = serde_json::from_str(&text).unwrap_or(Value::Null);
                return Err(AzError::Arm {
                    status,
                    what,
                    code: v["error"]["code"].as_str().unwrap_or("(no code)").to_string(),
                    message: v["error"]["message"].as_str().map(str::to_string).unwrap_or_else(|| crate::redact::first_bytes(&text, 200)),
                });
            }
            return serde_json::from_str(&text).map_err(|e| AzError::Parse(format!("{what}: {e}: {}", crate::redact::first_bytes(&text, 120))));
        }
    }

    /// Every `value` item, following `nextLink` pages.
    async fn list(&self, first: String) -> Result<Vec<Value>, AzError> {
        let mut out = Vec::new();
        let mut next = Some(first);
        let mut pages = 0;
        while let Some(url) = next.take() {
            pages += 1;
            if pages > 200 {
                break;
            }
            let page = self.get(&url).await?;
            if let Some(items) = page["value"].as_array() {
                out.extend(items.iter().cloned());
            }
            next = page["nextLink"].as_str().filter(|s| !s.is_empty()).map(str::to_string);
        }
        Ok(out)
    }
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

fn parse_deployment(v: &Value) -> Deployment {
    let model = v["properties"]["model"]["name"].as_str().unwrap_or("").to_string();
    let format = v["properties"]["model"]["format"].as_str().unwrap_or("").to_string();
    let name = v["name"].as_str().unwrap_or("").to_string();
    let claude = format == "Anthropic" || model.starts_with("claude-");
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
fn propose(deployments: &[Deployment]) -> Proposed {
    let best = |t: Tier| {
        deployments
            .iter()
            .filter(|d| d.tier == Some(t))
            .max_by(|a, b| (a.model.as_str(), a.model_version.as_str()).cmp(&(b.model.as_str(), b.model_version.as_str())))
            .map(|d| d.name.clone())
    };
    Proposed { sonnet: best(Tier::Sonnet), haiku: best(Tier::Haiku), opus: best(Tier::Opus) }
}

async fn account(arm: Arc<Arm>, v: Value) -> Account {
    let id = v["id"].as_str().unwrap_or("").to_string();
    let p = &v["properties"];
    let mut acc = Account {
        name: v["name"].as_str().unwrap_or("").to_string(),
        location: v["location"].as_str().unwrap_or("").to_string(),
        sku: v["sku"]["name"].as_str().unwrap_or("").to_string(),
        custom_subdomain: p["customSubDomainName"].as_str().map(str::to_string),
        public_network_access: p["publicNetworkAccess"].as_str().unwrap_or("Enabled").to_string(),
        private_endpoints: Vec::new(),
        deployments: Vec::new(),
        proposed: Proposed::default(),
        note: None,
        id: id.clone(),
    };
    let deployments = arm.list(format!("{}{id}/deployments?api-version={API_ACCOUNTS}", arm.base));
    let pecs = arm.list(format!("{}{id}/privateEndpointConnections?api-version={API_ACCOUNTS}", arm.base));
    let (deployments, pecs) = tokio::join!(deployments, pecs);
    match deployments {
        Ok(list) => acc.deployments = list.iter().map(parse_deployment).collect(),
        Err(e) => acc.note = Some(format!("its deployments could not be listed: {e}")),
    }
    if let Ok(list) = pecs {
        acc.private_endpoints = list
            .iter()
            .map(|c| PrivateEndpoint {
                id: c["properties"]["privateEndpoint"]["id"].as_str().unwrap_or("").to_string(),
                status: c["properties"]["privateLinkServiceConnectionState"]["status"].as_str().unwrap_or("").to_string(),
            })
            .collect();
    }
    acc.proposed = propose(&acc.deployments);
    if acc.note.is_none() && !acc.deployments.iter().any(|d| d.tier.is_some()) {
        acc.note = Some("no Claude deployment on this resource (a platform team creates them; deploying Anthropic models needs the organisation details Azure asks for)".into());
    }
    acc
}

/// Subscriptions (optionally only one, by id or name) → AIServices accounts → deployments.
pub async fn discover(net: &Network, config: &Config, token: &Secret, only: Option<&str>) -> Result<Discovered, AzError> {
    let started = Instant::now();
    let base = config.azure.arm_url.trim_end_matches('/').to_string();
    let origin = url::Url::parse(&base).map_err(|e| AzError::Parse(e.to_string()))?.origin();
    let arm = Arc::new(Arm { net: net.clone(), base: base.clone(), origin, token: token.clone(), requests: Default::default(), gate: tokio::sync::Semaphore::new(PARALLEL) });
    let subs = arm.list(format!("{base}/subscriptions?api-version={API_SUBSCRIPTIONS}")).await?;
    let only = only.map(str::to_string).or_else(|| config.azure.subscription.clone());
    let mut tasks = tokio::task::JoinSet::new();
    for (i, s) in subs.iter().enumerate() {
        let id = s["subscriptionId"].as_str().unwrap_or("").to_string();
        let name = s["displayName"].as_str().unwrap_or("").to_string();
        if only.as_ref().is_some_and(|o| *o != id && !o.eq_ignore_ascii_case(&name)) {
            continue;
        }
        let tenant_id = s["tenantId"].as_str().unwrap_or("").to_string();
        let arm = arm.clone();
        tasks.spawn(async move {
            let mut sub = Subscription { id: id.clone(), name, tenant_id, accounts: Vec::new(), error: None };
            match arm.list(format!("{}/subscriptions/{id}/providers/Microsoft.CognitiveServices/accounts?api-version={API_ACCOUNTS}", arm.base)).await {
                Ok(accounts) => {
                    let mut inner = tokio::task::JoinSet::new();
                    for (j, a) in accounts.into_iter().filter(|a| a["kind"] == "AIServices").enumerate() {
                        let arm = arm.clone();
                        inner.spawn(async move { (j, account(arm, a).await) });
                    }
                    let mut done: Vec<(usize, Account)> = inner.join_all().await;
                    done.sort_by_key(|(j, _)| *j);
                    sub.accounts = done.into_iter().map(|(_, a)| a).collect();
                }
                Err(e) => sub.error = Some(e.to_string()),
            }
            (i, sub)
        });
    }
    let mut done: Vec<(usize, Subscription)> = tasks.join_all().await;
    done.sort_by_key(|(i, _)| *i);
    Ok(Discovered {
        subscriptions: done.into_iter().map(|(_, s)| s).collect(),
        elapsed_ms: started.elapsed().as_millis() as u64,
        requests: arm.requests.load(std::sync::atomic::Ordering::Relaxed),
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    fn d(name: &str, model: &str, version: &str) -> Deployment {
        parse_deployment(&serde_json::json!({"name": name, "sku": {"name": "GlobalStandard", "capacity": 10}, "properties": {"model": {"format": "Anthropic", "name": model, "version": version}}}))
    }

    #[test]
    fn tiers_and_the_newest_per_tier() {
        let list = vec![d("s45", "claude-sonnet-4-5", "20250929"), d("s4", "claude-sonnet-4", "20250514"), d("h", "claude-haiku-4-5", "1"), d("team-opus", "claude-opus-4-6", "1")];
        let p = propose(&list);
        assert_eq!(p.sonnet.as_deref(), Some("s45"));
        assert_eq!(p.haiku.as_deref(), Some("h"));
        assert_eq!(p.opus.as_deref(), Some("team-opus"));
        let gpt = parse_deployment(&serde_json::json!({"name": "gpt", "properties": {"model": {"format": "OpenAI", "name": "gpt-4o"}}}));
        assert_eq!(gpt.tier, None);
    }
}
