//! One account by its resource name, with what the doctor compares against the wire: network
//! settings, private endpoint connections and the endpoints' own addresses (`customDnsConfigs`),
//! and the Claude deployments that exist (named when a chosen one does not).

use super::arm::ArmReader;
use super::{API_ACCOUNTS, API_SUBSCRIPTIONS};
use crate::Secret;
use crate::azure::AzError;
use crate::config::Config;
use crate::net::Network;
use serde_json::Value;
use std::net::IpAddr;

const API_PRIVATE_ENDPOINTS: &str = "2023-11-01";

/// An account as ARM describes it.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct ArmAccount {
    pub id: String,
    pub name: String,
    pub location: String,
    pub custom_subdomain: Option<String>,
    pub public_network_access: String,
    /// (private endpoint id, connection status)
    pub private_endpoints: Vec<(String, String)>,
    /// The private endpoints' own addresses, by FQDN.
    pub private_ips: Vec<(String, IpAddr)>,
    /// Claude deployment names that exist.
    pub deployments: Vec<String>,
}

/// Finds the AIServices account named (or custom-subdomained) `resource` in the subscriptions the
/// token can read (only the configured one, when set).
pub async fn find_account(net: &Network, config: &Config, token: &Secret, resource: &str) -> Result<Option<ArmAccount>, AzError> {
    let arm = ArmReader::new(net, config, token, 8)?;
    let base = arm.base().to_string();
    let subs = arm.list(format!("{base}/subscriptions?api-version={API_SUBSCRIPTIONS}")).await?;
    let wanted = config.azure.subscription.clone();
    let ids: Vec<String> = subs
        .iter()
        .filter(|s| {
            wanted
                .as_ref()
                .is_none_or(|w| s["subscriptionId"].as_str() == Some(w.as_str()) || s["displayName"].as_str().is_some_and(|n| n.eq_ignore_ascii_case(w)))
        })
        .filter_map(|s| s["subscriptionId"].as_str().map(str::to_string))
        .collect();
    let lists = futures::future::join_all(
        ids.iter().map(|id| arm.list(format!("{base}/subscriptions/{id}/providers/Microsoft.CognitiveServices/accounts?api-version={API_ACCOUNTS}"))),
    )
    .await;
    let is_it = |a: &&Value| {
        a["name"].as_str().is_some_and(|n| n.eq_ignore_ascii_case(resource))
            || a["properties"]["customSubDomainName"].as_str().is_some_and(|n| n.eq_ignore_ascii_case(resource))
    };
    let mut found = None;
    for list in lists {
        if let Some(a) = list?.iter().find(is_it) {
            found = Some(a.clone());
            break;
        }
    }
    let Some(v) = found else { return Ok(None) };
    let id = v["id"].as_str().unwrap_or("").to_string();
    let p = &v["properties"];
    let connections: Vec<(String, String)> = p["privateEndpointConnections"]
        .as_array()
        .map(|cs| {
            cs.iter()
                .map(|c| {
                    (
                        c["properties"]["privateEndpoint"]["id"].as_str().unwrap_or("").to_string(),
                        c["properties"]["privateLinkServiceConnectionState"]["status"].as_str().unwrap_or("").to_string(),
                    )
                })
                .collect()
        })
        .unwrap_or_default();
    let deployments = arm.list(format!("{base}{id}/deployments?api-version={API_ACCOUNTS}"));
    let pe_urls: Vec<String> =
        connections.iter().filter(|(pe, _)| !pe.is_empty()).map(|(pe, _)| format!("{base}{pe}?api-version={API_PRIVATE_ENDPOINTS}")).collect();
    let endpoints = futures::future::join_all(pe_urls.iter().map(|u| arm.get(u)));
    let (deployments, endpoints) = tokio::join!(deployments, endpoints);
    let mut private_ips = Vec::new();
    for e in endpoints.into_iter().flatten() {
        for cfg in e["properties"]["customDnsConfigs"].as_array().into_iter().flatten() {
            let fqdn = cfg["fqdn"].as_str().unwrap_or("").to_string();
            for ip in cfg["ipAddresses"].as_array().into_iter().flatten().filter_map(|i| i.as_str()?.parse().ok()) {
                private_ips.push((fqdn.clone(), ip));
            }
        }
    }
    let deployments =
        deployments?.iter().map(super::deployments::parse_deployment).filter(|d| super::deployments::is_claude(&d.format, &d.model)).map(|d| d.name).collect();
    Ok(Some(ArmAccount {
        name: v["name"].as_str().unwrap_or("").to_string(),
        location: v["location"].as_str().unwrap_or("").to_string(),
        custom_subdomain: p["customSubDomainName"].as_str().map(str::to_string),
        public_network_access: p["publicNetworkAccess"].as_str().unwrap_or("Enabled").to_string(),
        private_endpoints: connections,
        private_ips,
        deployments,
        id,
    }))
}
