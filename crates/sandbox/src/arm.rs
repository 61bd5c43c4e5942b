//! The Azure Resource Manager stand-in, with the shapes of facts/arm/: two subscriptions, three
//! AIServices accounts (Claude deployments behind an approved private endpoint; none at all;
//! public network access on), a `nextLink` page, and ARM's error bodies; with `--accounts N`, N
//! more accounts (`team-ai-0001`…) in the first subscription, 50 to a `nextLink` page.

use super::http::Shared;
use super::{Fault, RESOURCE, TENANT};
use axum::extract::{Path, Query, State};
use axum::http::{HeaderMap, StatusCode, header};
use axum::response::{IntoResponse, Response};
use axum::routing::get;
use axum::{Json, Router};
use foundry_onboard_core::azure::names::{COGNITIVE_DOMAIN, FOUNDRY_DOMAIN, OPENAI_DOMAIN};
use serde_json::{Value, json};
use std::collections::HashMap;

pub const SUB_DEV: &str = "5b0f2a8e-1c3d-4e5f-8a9b-0c1d2e3f4a51";
pub const SUB_PROD: &str = "5b0f2a8e-1c3d-4e5f-8a9b-0c1d2e3f4a52";
const RG: &str = "rg-sandbox-ai";
/// The extra accounts of `--accounts N` per `nextLink` page (1,000 accounts: 20 pages).
pub const TEAM_PAGE: usize = 50;
/// The extra accounts' regions, in turn.
const TEAM_REGIONS: [&str; 4] = ["eastus2", "swedencentral", "westus3", "francecentral"];

/// The name of extra account `i` (1-based): `team-ai-0001`.
pub fn team_account(i: usize) -> String {
    format!("team-ai-{i:04}")
}

/// Which extra account a name is, when it is one of the `n` served.
fn team_index(name: &str, n: usize) -> Option<usize> {
    let digits = name.strip_prefix("team-ai-").filter(|d| d.len() == 4 && d.bytes().all(|b| b.is_ascii_digit()))?;
    digits.parse().ok().filter(|i| (1..=n).contains(i))
}

pub fn routes() -> Router<Shared> {
    Router::new()
        .route("/metadata/endpoints", get(metadata))
        .route("/tenants", get(tenants))
        .route("/subscriptions", get(subscriptions))
        .route("/subscriptions/{sub}/providers/Microsoft.CognitiveServices/accounts", get(accounts))
        .route("/subscriptions/{sub}/resourceGroups/{rg}/providers/Microsoft.CognitiveServices/accounts/{name}/deployments", get(deployments))
        .route(
            "/subscriptions/{sub}/resourceGroups/{rg}/providers/Microsoft.CognitiveServices/accounts/{name}/privateEndpointConnections",
            get(private_endpoints),
        )
        .route("/subscriptions/{sub}/resourceGroups/{rg}/providers/Microsoft.Network/privateEndpoints/{name}", get(private_endpoint))
}

fn arm_error(status: StatusCode, code: &str, message: &str) -> Response {
    (status, Json(json!({"error": {"code": code, "message": message}}))).into_response()
}

/// ARM's authentication: a Bearer token the sandbox's Entra minted; the sandbox's faults.
#[allow(clippy::result_large_err)] // the error is the handler's own response, returned as is
fn authorize(shared: &Shared, headers: &HeaderMap) -> Result<(), Response> {
    let token = headers.get(header::AUTHORIZATION).and_then(|v| v.to_str().ok()).and_then(|v| v.strip_prefix("Bearer "));
    let Some(token) = token else {
        return Err(arm_error(StatusCode::UNAUTHORIZED, "AuthenticationFailed", "Authentication failed. The 'Authorization' header is missing."));
    };
    if shared.faults.contains(&Fault::AuthExpired) {
        return Err(arm_error(
            StatusCode::UNAUTHORIZED,
            "ExpiredAuthenticationToken",
            "The access token expiry UTC time '11/30/2026 10:00:00 AM' is earlier than current UTC time. The token has expired.",
        ));
    }
    if !shared.token_is_valid(token) {
        return Err(arm_error(StatusCode::UNAUTHORIZED, "InvalidAuthenticationToken", "The access token is invalid."));
    }
    Ok(())
}

fn forbidden_for(shared: &Shared, scope: &str) -> Option<Response> {
    shared.faults.contains(&Fault::RoleMissing).then(|| {
        arm_error(
            StatusCode::FORBIDDEN,
            "AuthorizationFailed",
            &format!("The client '{}' with object id '{}' does not have authorization to perform action 'Microsoft.CognitiveServices/accounts/read' over scope '{scope}' or the scope is invalid. If access was recently granted, please refresh your credentials.", super::entra::USER, super::entra::OBJECT_ID),
        )
    })
}

pub async fn metadata(State(shared): State<Shared>) -> Response {
    let arm = format!("{}/", shared.arm_url);
    Json(json!({
        "name": "Sandbox",
        "portal": arm,
        "resourceManager": arm,
        "authentication": {"loginEndpoint": shared.authority_url, "audiences": [arm], "tenant": "common", "identityProvider": "AAD"},
        "suffixes": {"storage": "core.windows.net", "keyVaultDns": "vault.azure.net", "acrLoginServer": "azurecr.io"}
    }))
    .into_response()
}

async fn tenants(State(shared): State<Shared>, headers: HeaderMap) -> Response {
    if let Err(r) = authorize(&shared, &headers) {
        return r;
    }
    Json(json!({"value": [{"id": format!("/tenants/{TENANT}"), "tenantId": TENANT, "tenantCategory": "Home", "country": "United States", "countryCode": "US", "displayName": "Sandbox Contoso", "domains": ["sandbox.example"], "defaultDomain": "sandbox.example", "tenantType": "AAD"}]}))
        .into_response()
}

fn subscription(id: &str, name: &str) -> Value {
    json!({"id": format!("/subscriptions/{id}"), "subscriptionId": id, "displayName": name, "tenantId": TENANT, "state": "Enabled",
           "subscriptionPolicies": {"locationPlacementId": "Public_2014-09-01", "quotaId": "EnterpriseAgreement_2014-09-01", "spendingLimit": "Off"},
           "authorizationSource": "RoleBased", "managedByTenants": []})
}

async fn subscriptions(State(shared): State<Shared>, headers: HeaderMap) -> Response {
    if let Err(r) = authorize(&shared, &headers) {
        return r;
    }
    Json(json!({"count": {"type": "Total", "value": 2}, "value": [subscription(SUB_DEV, "Sandbox Dev"), subscription(SUB_PROD, "Sandbox Prod")]}))
        .into_response()
}

fn account(sub: &str, name: &str, location: &str, public: bool, with_private_endpoint: bool) -> Value {
    let id = format!("/subscriptions/{sub}/resourceGroups/{RG}/providers/Microsoft.CognitiveServices/accounts/{name}");
    let pecs = if with_private_endpoint {
        json!([{"properties": {"privateLinkServiceConnectionState": {"status": "Approved", "description": "Auto-Approved", "actionsRequired": "None"}, "groupIds": ["account"],
                "privateEndpoint": {"id": format!("/subscriptions/{sub}/resourceGroups/rg-network/providers/Microsoft.Network/privateEndpoints/pe-{name}")}, "provisioningState": "Succeeded"},
                "id": format!("{id}/privateEndpointConnections/pe-{name}.0001"), "name": format!("pe-{name}.0001"), "type": "Microsoft.CognitiveServices/accounts/privateEndpointConnections"}])
    } else {
        json!([])
    };
    json!({
        "kind": "AIServices", "sku": {"name": "S0"}, "location": location, "tags": {"env": "sandbox"},
        "properties": {
            "provisioningState": "Succeeded",
            "endpoint": format!("https://{name}.{COGNITIVE_DOMAIN}/"),
            "endpoints": {"AI Foundry API": format!("https://{name}.{FOUNDRY_DOMAIN}/"), "OpenAI Language Model Instance API": format!("https://{name}.{OPENAI_DOMAIN}/")},
            "customSubDomainName": name,
            "publicNetworkAccess": if public { "Enabled" } else { "Disabled" },
            "networkAcls": {"defaultAction": if public { "Allow" } else { "Deny" }, "bypass": "AzureServices", "ipRules": [], "virtualNetworkRules": []},
            "privateEndpointConnections": pecs
        },
        "id": id, "name": name, "type": "Microsoft.CognitiveServices/accounts",
        "identity": {"type": "SystemAssigned", "principalId": "00000000-0000-0000-0000-00000000a001", "tenantId": TENANT}
    })
}

async fn accounts(State(shared): State<Shared>, headers: HeaderMap, Path(sub): Path<String>, Query(q): Query<HashMap<String, String>>) -> Response {
    if let Err(r) = authorize(&shared, &headers) {
        return r;
    }
    if let Some(r) = forbidden_for(&shared, &format!("/subscriptions/{sub}")) {
        return r;
    }
    let public_claude = shared.faults.contains(&Fault::PublicNetworkEnabled);
    match sub.as_str() {
        SUB_DEV if !q.contains_key("$skiptoken") => {
            let next =
                format!("{}/subscriptions/{SUB_DEV}/providers/Microsoft.CognitiveServices/accounts?api-version=2024-10-01&$skiptoken=page2", shared.arm_url);
            Json(json!({"value": [account(SUB_DEV, RESOURCE, "eastus2", public_claude, true)], "nextLink": next})).into_response()
        }
        SUB_DEV if q.get("$skiptoken").is_some_and(|t| t == "page2") => {
            let mut page = json!({"value": [account(SUB_DEV, "sandbox-openai", "swedencentral", false, false)]});
            if shared.extra_accounts > 0 {
                page["nextLink"] = json!(team_link(&shared, 0));
            }
            Json(page).into_response()
        }
        SUB_DEV => team_page(&shared, q.get("$skiptoken").and_then(|t| t.strip_prefix("team-")).and_then(|p| p.parse().ok()).unwrap_or(usize::MAX)),
        SUB_PROD => Json(json!({"value": [account(SUB_PROD, "sandbox-ai-public", "swedencentral", true, false)]})).into_response(),
        _ => arm_error(StatusCode::NOT_FOUND, "SubscriptionNotFound", &format!("The subscription '{sub}' could not be found.")),
    }
}

fn team_link(shared: &Shared, page: usize) -> String {
    format!("{}/subscriptions/{SUB_DEV}/providers/Microsoft.CognitiveServices/accounts?api-version=2024-10-01&$skiptoken=team-{page}", shared.arm_url)
}

/// Page `page` (0-based) of the extra accounts; every tenth allows public network access, the
/// others sit behind an approved private endpoint.
fn team_page(shared: &Shared, page: usize) -> Response {
    let n = shared.extra_accounts;
    let first = page.saturating_mul(TEAM_PAGE).saturating_add(1);
    if first > n {
        return arm_error(StatusCode::BAD_REQUEST, "InvalidSkipToken", "The skip token is not valid for this list.");
    }
    let last = (first + TEAM_PAGE - 1).min(n);
    let value: Vec<Value> =
        (first..=last).map(|i| account(SUB_DEV, &team_account(i), TEAM_REGIONS[i % TEAM_REGIONS.len()], i % 10 == 0, i % 10 != 0)).collect();
    let mut body = json!({"value": value});
    if last < n {
        body["nextLink"] = json!(team_link(shared, page + 1));
    }
    Json(body).into_response()
}

/// Extra account `i`'s deployments: one to three Claude tiers (sonnet; + haiku; + opus), in turn.
fn team_deployments(sub: &str, name: &str, i: usize) -> Vec<Value> {
    let all = [
        ("claude-sonnet-4-5", "20250929", "GlobalStandard", 50),
        ("claude-haiku-4-5", "20251001", "GlobalStandard", 100),
        ("claude-opus-4-6", "20260205", "DataZoneStandard", 10),
    ];
    all.iter().take((i - 1) % 3 + 1).map(|(model, version, sku, capacity)| deployment(sub, name, model, "Anthropic", model, version, sku, *capacity)).collect()
}

#[allow(clippy::too_many_arguments)] // one row of the stand-in's data, named field by field
fn deployment(sub: &str, account: &str, name: &str, format: &str, model: &str, version: &str, sku: &str, capacity: u32) -> Value {
    json!({
        "sku": {"name": sku, "capacity": capacity},
        "properties": {"model": {"format": format, "name": model, "version": version}, "versionUpgradeOption": "OnceNewDefaultVersionAvailable", "provisioningState": "Succeeded", "currentCapacity": capacity,
                       "rateLimits": [{"key": "request", "renewalPeriod": 60, "count": capacity}, {"key": "token", "renewalPeriod": 60, "count": capacity * 1000}]},
        "id": format!("/subscriptions/{sub}/resourceGroups/{RG}/providers/Microsoft.CognitiveServices/accounts/{account}/deployments/{name}"),
        "name": name, "type": "Microsoft.CognitiveServices/accounts/deployments"
    })
}

async fn deployments(State(shared): State<Shared>, headers: HeaderMap, Path((sub, _rg, name)): Path<(String, String, String)>) -> Response {
    if let Err(r) = authorize(&shared, &headers) {
        return r;
    }
    if let Some(i) = team_index(&name, shared.extra_accounts) {
        return Json(json!({"value": team_deployments(&sub, &name, i)})).into_response();
    }
    let value = match name.as_str() {
        RESOURCE if !shared.faults.contains(&Fault::DeploymentMissing) => vec![
            deployment(&sub, &name, "claude-sonnet-4-5", "Anthropic", "claude-sonnet-4-5", "20250929", "GlobalStandard", 100),
            deployment(&sub, &name, "claude-sonnet-4", "Anthropic", "claude-sonnet-4", "20250514", "GlobalStandard", 50),
            deployment(&sub, &name, "claude-haiku-4-5", "Anthropic", "claude-haiku-4-5", "20251001", "GlobalStandard", 200),
            deployment(&sub, &name, "claude-opus-4-6", "Anthropic", "claude-opus-4-6", "20260205", "DataZoneStandard", 20),
        ],
        RESOURCE => vec![],
        "sandbox-openai" => vec![deployment(&sub, &name, "gpt-4o", "OpenAI", "gpt-4o", "2024-11-20", "GlobalStandard", 100)],
        "sandbox-ai-public" => vec![deployment(&sub, &name, "team-sonnet", "Anthropic", "claude-sonnet-4-5", "20250929", "GlobalStandard", 30)],
        _ => {
            return arm_error(
                StatusCode::NOT_FOUND,
                "ResourceNotFound",
                &format!("The Resource 'Microsoft.CognitiveServices/accounts/{name}' under resource group '{RG}' was not found."),
            );
        }
    };
    Json(json!({"value": value})).into_response()
}

async fn private_endpoints(State(shared): State<Shared>, headers: HeaderMap, Path((sub, _rg, name)): Path<(String, String, String)>) -> Response {
    if let Err(r) = authorize(&shared, &headers) {
        return r;
    }
    let pecs = account(&sub, &name, "eastus2", false, name == RESOURCE)["properties"]["privateEndpointConnections"].clone();
    Json(json!({"value": pecs})).into_response()
}

/// A private endpoint (Microsoft.Network, 2023-11-01) with its `customDnsConfigs`: the address
/// each of the account's three names must resolve to. In the sandbox that private network is
/// loopback, so the endpoint's NIC address is 127.0.0.1.
async fn private_endpoint(State(shared): State<Shared>, headers: HeaderMap, Path((sub, rg, name)): Path<(String, String, String)>) -> Response {
    if let Err(r) = authorize(&shared, &headers) {
        return r;
    }
    let Some(account) = name.strip_prefix("pe-").filter(|a| *a == RESOURCE) else {
        return arm_error(
            StatusCode::NOT_FOUND,
            "ResourceNotFound",
            &format!("The Resource 'Microsoft.Network/privateEndpoints/{name}' under resource group '{rg}' was not found."),
        );
    };
    let id = format!("/subscriptions/{sub}/resourceGroups/{rg}/providers/Microsoft.Network/privateEndpoints/{name}");
    let dns: Vec<Value> =
        foundry_onboard_core::azure::names::BASE_DOMAINS.iter().map(|d| json!({"fqdn": format!("{account}.{d}"), "ipAddresses": ["127.0.0.1"]})).collect();
    Json(json!({
        "name": name, "id": id, "type": "Microsoft.Network/privateEndpoints", "location": "eastus2",
        "properties": {
            "provisioningState": "Succeeded",
            "subnet": {"id": format!("/subscriptions/{sub}/resourceGroups/{rg}/providers/Microsoft.Network/virtualNetworks/vnet-sandbox/subnets/snet-private-endpoints")},
            "privateLinkServiceConnections": [{"name": name, "properties": {"privateLinkServiceId": format!("/subscriptions/{sub}/resourceGroups/{RG}/providers/Microsoft.CognitiveServices/accounts/{account}"), "groupIds": ["account"], "privateLinkServiceConnectionState": {"status": "Approved", "description": "Auto-Approved", "actionsRequired": "None"}}}],
            "customDnsConfigs": dns
        }
    }))
    .into_response()
}
