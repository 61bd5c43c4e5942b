//! Discovery over ARM REST in two phases, so a long account list is on screen before any
//! deployment is listed: `discover` walks subscriptions → AIServices accounts (subscriptions in
//! parallel; private endpoints read from the account body), then `load_deployments` lists each
//! account's deployments in the background. `discover_all` does both for the CLI.

mod account;
mod arm;
mod deployments;

pub use account::{ArmAccount, find_account};
pub use deployments::{AccountDeployments, ArmCost, Deployment, NO_CLAUDE, Proposed, Tier, load_deployments};

use super::AzError;
use crate::Secret;
use crate::config::Config;
use crate::net::Network;
use arm::ArmReader;
use serde::Serialize;
use serde_json::Value;
use std::collections::HashMap;
use std::sync::Arc;
use std::time::Instant;
use ts_rs::TS;

const API_SUBSCRIPTIONS: &str = "2022-12-01";
const API_ACCOUNTS: &str = "2024-10-01";
/// At most this many ARM requests in flight in the first phase: every subscription of a large
/// tenant (20 and more) lists its accounts at once.
const PARALLEL: usize = 32;

#[derive(Debug, Clone, PartialEq, Eq, Serialize, TS)]
#[serde(rename_all = "camelCase")]
pub struct PrivateEndpoint {
    pub id: String,
    pub status: String,
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
    /// Empty until `deploymentsLoaded`.
    pub deployments: Vec<Deployment>,
    /// False after the first phase; true once the second phase listed the deployments (and
    /// `proposed` and `note` are final).
    pub deployments_loaded: bool,
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

impl Discovered {
    /// Every account's id, in the order shown.
    pub fn account_ids(&self) -> Vec<String> {
        self.subscriptions.iter().flat_map(|s| s.accounts.iter().map(|a| a.id.clone())).collect()
    }
}

fn private_endpoints(connections: &[Value]) -> Vec<PrivateEndpoint> {
    connections
        .iter()
        .map(|c| PrivateEndpoint {
            id: c["properties"]["privateEndpoint"]["id"].as_str().unwrap_or("").to_string(),
            status: c["properties"]["privateLinkServiceConnectionState"]["status"].as_str().unwrap_or("").to_string(),
        })
        .collect()
}

/// An account from its list entry. Its private endpoint connections come with it; only when ARM
/// left them out are they asked for separately.
async fn account(arm: Arc<ArmReader>, v: Value) -> Account {
    let id = v["id"].as_str().unwrap_or("").to_string();
    let p = &v["properties"];
    let private = match p["privateEndpointConnections"].as_array() {
        Some(list) => private_endpoints(list),
        None => arm
            .list(format!("{}{id}/privateEndpointConnections?api-version={API_ACCOUNTS}", arm.base()))
            .await
            .map(|list| private_endpoints(&list))
            .unwrap_or_default(),
    };
    Account {
        name: v["name"].as_str().unwrap_or("").to_string(),
        location: v["location"].as_str().unwrap_or("").to_string(),
        sku: v["sku"]["name"].as_str().unwrap_or("").to_string(),
        custom_subdomain: p["customSubDomainName"].as_str().map(str::to_string),
        public_network_access: p["publicNetworkAccess"].as_str().unwrap_or("Enabled").to_string(),
        private_endpoints: private,
        deployments: Vec::new(),
        deployments_loaded: false,
        proposed: Proposed::default(),
        note: None,
        id,
    }
}

async fn subscription(arm: Arc<ArmReader>, id: String, name: String, tenant_id: String) -> Subscription {
    let mut sub = Subscription { id: id.clone(), name, tenant_id, accounts: Vec::new(), error: None };
    match arm.list(format!("{}/subscriptions/{id}/providers/Microsoft.CognitiveServices/accounts?api-version={API_ACCOUNTS}", arm.base())).await {
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
    sub
}

/// The first phase: subscriptions (optionally only one, by id or name) → AIServices accounts,
/// deployments not yet listed (`deploymentsLoaded` false). Subscriptions are walked in parallel;
/// the pages of one list follow each other.
pub async fn discover(net: &Network, config: &Config, token: &Secret, only: Option<&str>) -> Result<Discovered, AzError> {
    let started = Instant::now();
    let arm = Arc::new(ArmReader::new(net, config, token, PARALLEL)?);
    let subs = arm.list(format!("{}/subscriptions?api-version={API_SUBSCRIPTIONS}", arm.base())).await?;
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
        tasks.spawn(async move { (i, subscription(arm, id, name, tenant_id).await) });
    }
    let mut done: Vec<(usize, Subscription)> = tasks.join_all().await;
    done.sort_by_key(|(i, _)| *i);
    Ok(Discovered { subscriptions: done.into_iter().map(|(_, s)| s).collect(), elapsed_ms: started.elapsed().as_millis() as u64, requests: arm.requests() })
}

/// Both phases: the whole tree, every account's deployments listed (what `discover --json` prints).
pub async fn discover_all(net: &Network, config: &Config, token: &Secret, only: Option<&str>) -> Result<Discovered, AzError> {
    let started = Instant::now();
    let mut found = discover(net, config, token, only).await?;
    let mut at: HashMap<String, Vec<(usize, usize)>> = HashMap::new();
    let mut ids = Vec::new();
    for (i, s) in found.subscriptions.iter().enumerate() {
        for (j, a) in s.accounts.iter().enumerate() {
            let places = at.entry(a.id.clone()).or_default();
            if places.is_empty() {
                ids.push(a.id.clone());
            }
            places.push((i, j));
        }
    }
    let mut listed = Vec::new();
    let cost = load_deployments(net, config, token, &ids, |d| listed.push(d)).await?;
    for d in &listed {
        for &(i, j) in at.get(&d.account_id).into_iter().flatten() {
            found.subscriptions[i].accounts[j].apply(d);
        }
    }
    found.requests += cost.requests;
    found.elapsed_ms = started.elapsed().as_millis() as u64;
    Ok(found)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::fuzz::{self, SELF, json_value, object_of, string_value};
    use proptest::prelude::*;

    fn id_value() -> BoxedStrategy<Value> {
        prop_oneof![
            3 => Just(Value::from("/subscriptions/s1/resourceGroups/rg/providers/Microsoft.CognitiveServices/accounts/fuzz-ai")),
            1 => Just(Value::from("/subscriptions/s1/resourceGroups/rg/providers/Microsoft.Network/privateEndpoints/pe1")),
            1 => Just(Value::from("@attacker.example/x")),
            2 => string_value(),
        ]
        .boxed()
    }

    fn one_of(words: &'static [&'static str]) -> BoxedStrategy<Value> {
        prop_oneof![3 => prop::sample::select(words).prop_map(Value::from), 1 => string_value()].boxed()
    }

    /// An ARM list item: a subscription, an account, a deployment or a private endpoint, with
    /// any field of the wrong kind, missing, or null.
    fn arm_item() -> impl Strategy<Value = Value> + Clone {
        let ip = prop_oneof![Just(Value::from("10.0.0.5")), Just(Value::from("203.0.113.10")), Just(Value::from("::1")), string_value()];
        let dns = object_of(vec![("fqdn", string_value()), ("ipAddresses", prop::collection::vec(ip, 0..3).prop_map(Value::Array).boxed())]);
        let connection = object_of(vec![(
            "properties",
            object_of(vec![
                ("privateEndpoint", object_of(vec![("id", id_value())]).boxed()),
                ("privateLinkServiceConnectionState", object_of(vec![("status", one_of(&["Approved", "Pending"]))]).boxed()),
            ])
            .boxed(),
        )]);
        let properties = object_of(vec![
            ("customSubDomainName", one_of(&["fuzz-ai"])),
            ("publicNetworkAccess", one_of(&["Enabled", "Disabled"])),
            ("privateEndpointConnections", prop::collection::vec(connection, 0..3).prop_map(Value::Array).boxed()),
            ("customDnsConfigs", prop::collection::vec(dns, 0..3).prop_map(Value::Array).boxed()),
            (
                "model",
                object_of(vec![
                    ("format", one_of(&["Anthropic", "OpenAI"])),
                    ("name", one_of(&["claude-sonnet-4-5", "claude-haiku-4-5", "claude-opus-4-6", "gpt-4o"])),
                    ("version", string_value()),
                ])
                .boxed(),
            ),
        ]);
        object_of(vec![
            ("id", id_value()),
            ("subscriptionId", one_of(&["s1", "s2"])),
            ("displayName", string_value()),
            ("tenantId", string_value()),
            ("kind", one_of(&["AIServices", "OpenAI"])),
            ("name", one_of(&["fuzz-ai", "dep-sonnet"])),
            ("location", string_value()),
            ("sku", object_of(vec![("name", string_value()), ("capacity", json_value().boxed())]).boxed()),
            ("properties", properties.boxed()),
        ])
    }

    /// An ARM page: `value` and `nextLink` — which may loop back, go to another host, or be junk.
    fn arm_page() -> impl Strategy<Value = Value> + Clone {
        let next = prop_oneof![
            4 => Just(Value::Null),
            1 => Just(Value::from(format!("{SELF}/subscriptions?api-version={API_SUBSCRIPTIONS}"))),
            1 => Just(Value::from(format!("{SELF}/page?n=2"))),
            1 => Just(Value::from("https://attacker.example/next?api-version=1")),
            1 => string_value(),
        ];
        object_of(vec![("value", prop::collection::vec(arm_item(), 0..4).prop_map(Value::Array).boxed()), ("nextLink", next.boxed())])
    }

    fn arm_error() -> impl Strategy<Value = Value> + Clone {
        object_of(vec![("error", object_of(vec![("code", string_value()), ("message", string_value())]).boxed())])
    }

    /// A `nextLink` that leads back to a page already read (ARM paging gone wrong, or a hostile
    /// answer) ends the listing at the repeat, with an error that says so — not 200 requests and
    /// every item 200 times.
    #[test]
    fn a_nextlink_loop_ends_at_the_first_repeat_and_says_so() {
        let server = fuzz::LoopbackServer::start();
        let mut config = Config::default();
        config.azure.arm_url = server.base.clone();
        let net = fuzz::loopback_network(&config);
        let page = serde_json::json!({"value": [{"subscriptionId": "s1", "displayName": "one"}], "nextLink": format!("{SELF}/subscriptions?api-version={API_SUBSCRIPTIONS}")});
        server.answer(fuzz::Answer { status: 200, content_type: Some("application/json".into()), headers: Vec::new(), body: page.to_string().into_bytes() });
        let err = fuzz::runtime().block_on(discover(&net, &config, &Secret::new("fuzz-token"), None)).map(|d| d.subscriptions.len());
        assert_eq!(server.requests(), 1, "the repeated page is not asked for again");
        let err = err.unwrap_err().to_string();
        assert!(err.contains("nextLink") && err.contains("/subscriptions"), "{err}");
    }

    /// ARM list and paging bodies through both discovery phases and the doctor's account lookup:
    /// no panic, no unbounded paging, and every error names ARM (or the address it could not read).
    #[test]
    fn fuzz_arm_bodies_through_discovery_never_panic_and_errors_name_arm() {
        let server = fuzz::LoopbackServer::start();
        let mut config = Config::default();
        config.azure.arm_url = server.base.clone();
        let net = fuzz::loopback_network(&config);
        let token = Secret::new("fuzz-token");
        let rt = fuzz::runtime();
        // No 5xx: ARM's backoff (0.5 s, 1 s, 2 s) would make each case seconds long; 429 comes with
        // Retry-After, which is capped at 10 s, so only "0" or junk here.
        let statuses = prop::sample::select(vec![200, 200, 200, 200, 201, 204, 400, 401, 403, 404, 409, 429]);
        let shaped = prop_oneof![4 => arm_page(), 1 => arm_error()];
        let answers = fuzz::answer(statuses, fuzz::body(shaped)).prop_map(|mut a| {
            if a.status == 429 {
                a.headers = vec![("Retry-After".into(), "0".into())];
            }
            a
        });
        fuzz::runner(48)
            .run(&answers, |answer| {
                server.answer(answer);
                let (all, account) = rt.block_on(async {
                    let all = discover_all(&net, &config, &token, None).await;
                    let account = find_account(&net, &config, &token, "fuzz-ai").await;
                    (all, account)
                });
                let context = ["Azure Resource Manager", "127.0.0.1"];
                for e in [all.as_ref().err(), account.as_ref().err()].into_iter().flatten() {
                    prop_assert!(fuzz::names_what(&e.to_string(), &context), "an error that does not say what failed: {e}");
                    prop_assert!(!crate::Diagnose::hint(e).is_empty());
                }
                if let Ok(found) = &all {
                    for s in &found.subscriptions {
                        if let Some(e) = &s.error {
                            prop_assert!(fuzz::names_what(e, &context), "a subscription's error that does not say what failed: {e}");
                        }
                    }
                }
                prop_assert!(server.requests() <= 400, "{} requests for one answer: paging does not stop", server.requests());
                Ok(())
            })
            .unwrap();
    }
}
