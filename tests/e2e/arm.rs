//! Discovery against the answers ARM can give that the sandbox does not: throttling with
//! Retry-After, 5xx, an HTML page, truncated JSON, an empty subscription list, 1,000 accounts in
//! 20 pages, and a `nextLink` to another host (not followed, and the token never sent there);
//! and its two phases: the account list without a deployments call, then the deployments.

use foundry_onboard_core::Secret;
use foundry_onboard_core::azure::{AzError, discovery};
use foundry_onboard_core::config::Config;
use foundry_onboard_core::net::{Network, Timeouts};
use foundry_onboard_e2e::fake_http::{FakeHttp, Reply};
use serde_json::json;

fn config(arm: &FakeHttp) -> Config {
    let mut c = Config::default();
    c.azure.arm_url = arm.url();
    c
}

async fn run(arm: &FakeHttp) -> Result<discovery::Discovered, AzError> {
    let c = config(arm);
    let net = Network::new(&c, Timeouts::from_total_ms(10_000)).unwrap();
    discovery::discover(&net, &c, &Secret::new("arm-token-123"), None).await
}

fn one_sub() -> serde_json::Value {
    json!({"value": [{"subscriptionId": "s1", "displayName": "Dev", "tenantId": "t1"}]})
}

#[tokio::test]
async fn a_next_link_to_another_host_is_not_followed_and_gets_no_token() {
    let elsewhere = FakeHttp::start(|_, _| Reply::json(200, json!({"value": []})));
    let target = elsewhere.url();
    let arm = FakeHttp::start(move |_, _| Reply::json(200, json!({"value": [], "nextLink": format!("{target}/subscriptions?page=2")})));
    let err = run(&arm).await.unwrap_err();
    assert!(matches!(err, AzError::ForeignLink { .. }), "{err}");
    assert!(elsewhere.requests().is_empty(), "the foreign host got a request");
    assert_eq!(arm.requests()[0].authorization.as_deref(), Some("Bearer arm-token-123"));
}

#[tokio::test]
async fn throttling_honours_retry_after_and_5xx_is_retried() {
    let arm = FakeHttp::start(|path, n| match (path, n) {
        (_, 0) => Reply::json(429, json!({"error": {"code": "TooManyRequests", "message": "slow down"}})).with_header("Retry-After", "1"),
        (_, 1) => Reply::json(503, json!({"error": {"code": "ServiceUnavailable", "message": "later"}})),
        (p, _) if p.starts_with("/subscriptions?") => Reply::json(200, one_sub()),
        _ => Reply::json(200, json!({"value": []})),
    });
    let started = std::time::Instant::now();
    let found = run(&arm).await.unwrap();
    assert!(started.elapsed() >= std::time::Duration::from_secs(1), "Retry-After honoured: {:?}", started.elapsed());
    assert_eq!(found.subscriptions.len(), 1);
    assert!(arm.requests().len() >= 4);
}

#[tokio::test]
async fn html_truncated_json_401_and_an_empty_list_are_clear() {
    let html = FakeHttp::start(|_, _| Reply::raw(200, "text/html", "<html><body>Sign in to the proxy</body></html>"));
    let err = run(&html).await.unwrap_err();
    // ARM's answer (or what stood in its place), not az's output.
    assert!(matches!(&err, AzError::Arm { status: 200, code, .. } if code == "(not JSON)"), "{err}");
    assert!(err.to_string().contains("<html>") && err.to_string().starts_with("Azure Resource Manager"), "shows the first bytes: {err}");

    let cut = FakeHttp::start(|_, _| Reply::raw(200, "application/json", "{\"value\": [{\"subscriptionId\": \"s1\""));
    assert!(matches!(run(&cut).await.unwrap_err(), AzError::Arm { code, .. } if code == "(not JSON)"));

    let expired = FakeHttp::start(|_, _| {
        Reply::json(
            401,
            json!({"error": {"code": "ExpiredAuthenticationToken", "message": "The access token expiry UTC time is earlier than current UTC time."}}),
        )
    });
    let err = run(&expired).await.unwrap_err();
    assert!(err.to_string().contains("ExpiredAuthenticationToken"), "{err}");
    assert!(foundry_onboard_core::Diagnose::hint(&err).contains("login"), "{}", foundry_onboard_core::Diagnose::hint(&err));

    let empty = FakeHttp::start(|_, _| Reply::json(200, json!({"value": []})));
    assert!(run(&empty).await.unwrap().subscriptions.is_empty());
}

/// An AIServices account as ARM lists it: its private endpoint connections in the body.
fn ai_account(sub: &str, name: &str) -> serde_json::Value {
    json!({"kind": "AIServices", "name": name, "location": "eastus2", "sku": {"name": "S0"},
           "id": format!("/subscriptions/{sub}/resourceGroups/rg/providers/Microsoft.CognitiveServices/accounts/{name}"),
           "properties": {"customSubDomainName": name, "publicNetworkAccess": "Disabled", "privateEndpointConnections": [
               {"properties": {"privateEndpoint": {"id": format!("/subscriptions/{sub}/resourceGroups/net/providers/Microsoft.Network/privateEndpoints/pe-{name}")},
                               "privateLinkServiceConnectionState": {"status": "Approved"}}}]}})
}

fn claude_deployments() -> serde_json::Value {
    json!({"value": [
        {"name": "claude-sonnet-4-5", "sku": {"name": "GlobalStandard", "capacity": 10}, "properties": {"model": {"format": "Anthropic", "name": "claude-sonnet-4-5", "version": "1"}}},
        {"name": "claude-haiku-4-5", "sku": {"name": "GlobalStandard", "capacity": 10}, "properties": {"model": {"format": "Anthropic", "name": "claude-haiku-4-5", "version": "1"}}}]})
}

/// One subscription whose 1,000 AIServices accounts come in 20 pages of 50; every account has
/// two Claude deployments.
fn thousand_accounts() -> FakeHttp {
    use std::sync::atomic::{AtomicU16, Ordering};
    let port = std::sync::Arc::new(AtomicU16::new(0));
    let own = port.clone();
    let arm = FakeHttp::start(move |path, _| {
        if path.starts_with("/subscriptions?") {
            return Reply::json(200, one_sub());
        }
        if path.contains("/deployments?") {
            return Reply::json(200, claude_deployments());
        }
        let page: usize = path.split("page=").nth(1).and_then(|p| p.parse().ok()).unwrap_or(0);
        let value: Vec<_> = (0..50).map(|i| ai_account("s1", &format!("acct-{page}-{i}"))).collect();
        let mut body = json!({"value": value});
        if page < 19 {
            body["nextLink"] = json!(format!(
                "http://127.0.0.1:{}/subscriptions/s1/providers/Microsoft.CognitiveServices/accounts?api-version=2024-10-01&page={}",
                own.load(Ordering::SeqCst),
                page + 1
            ));
        }
        Reply::json(200, body)
    });
    port.store(arm.port, Ordering::SeqCst);
    arm
}

#[tokio::test]
async fn a_thousand_accounts_in_twenty_pages() {
    let arm = thousand_accounts();
    let found = run(&arm).await.unwrap();
    let accounts = &found.subscriptions[0].accounts;
    assert_eq!(accounts.len(), 1000);
    assert_eq!(accounts[0].name, "acct-0-0", "in ARM's order");
    assert_eq!(accounts[999].name, "acct-19-49");
    assert!(accounts.iter().all(|a| !a.deployments_loaded && a.deployments.is_empty() && a.note.is_none()));
    assert_eq!(accounts[0].private_endpoints[0].status, "Approved", "read from the account body");
    let seen = arm.requests();
    assert_eq!(seen.iter().filter(|r| r.path.contains("/accounts?")).count(), 20);
    assert_eq!(seen.len(), 21, "the subscriptions and 20 pages, nothing per account: {:?}", seen.iter().map(|r| &r.path).collect::<Vec<_>>());

    // The second phase: each account's deployments, reported one by one.
    let c = config(&arm);
    let net = Network::new(&c, Timeouts::from_total_ms(10_000)).unwrap();
    let ids: Vec<String> = accounts.iter().map(|a| a.id.clone()).collect();
    let mut listed = Vec::new();
    let cost = discovery::load_deployments(&net, &c, &Secret::new("arm-token-123"), &ids, |d| listed.push(d)).await.unwrap();
    assert_eq!(listed.len(), 1000);
    assert_eq!(cost.requests, 1000);
    assert!(listed.iter().all(|d| d.error.is_none() && d.proposed.sonnet.as_deref() == Some("claude-sonnet-4-5") && d.proposed.opus.is_none()));
    assert!(arm.requests().iter().all(|r| r.authorization.as_deref() == Some("Bearer arm-token-123")));
}

#[tokio::test]
async fn openai_kind_accounts_are_not_foundry_resources() {
    let arm = FakeHttp::start(|path, _| {
        if path.starts_with("/subscriptions?") {
            return Reply::json(200, one_sub());
        }
        Reply::json(200, json!({"value": [{"kind": "OpenAI", "name": "gpt-only", "id": "/subscriptions/s1/x/gpt-only"}]}))
    });
    assert!(run(&arm).await.unwrap().subscriptions[0].accounts.is_empty());
}

#[tokio::test]
async fn the_first_phase_lists_no_deployments_and_reads_private_endpoints_from_the_body() {
    let arm = FakeHttp::start(|path, _| {
        if path.starts_with("/subscriptions?") {
            return Reply::json(
                200,
                json!({"value": [{"subscriptionId": "s1", "displayName": "Dev", "tenantId": "t1"}, {"subscriptionId": "s2", "displayName": "Prod", "tenantId": "t1"}]}),
            );
        }
        if path.contains("/privateEndpointConnections?") {
            return Reply::json(
                200,
                json!({"value": [{"properties": {"privateEndpoint": {"id": "pe-old"}, "privateLinkServiceConnectionState": {"status": "Pending"}}}]}),
            );
        }
        if path.contains("/deployments?") {
            return Reply::json(200, claude_deployments());
        }
        if path.starts_with("/subscriptions/s1/") {
            return Reply::json(200, json!({"value": [ai_account("s1", "with-body"), ai_account("s1", "other")]}));
        }
        // An account whose body leaves the connections out: they are asked for separately.
        let mut bare = ai_account("s2", "no-connections");
        bare["properties"].as_object_mut().unwrap().remove("privateEndpointConnections");
        Reply::json(200, json!({"value": [bare]}))
    });
    let found = run(&arm).await.unwrap();
    let paths: Vec<String> = arm.requests().into_iter().map(|r| r.path).collect();
    assert!(!paths.iter().any(|p| p.contains("/deployments")), "no deployments call in the first phase: {paths:?}");
    assert_eq!(paths.iter().filter(|p| p.contains("/privateEndpointConnections")).count(), 1, "only for the account without them: {paths:?}");
    assert_eq!(found.requests, 4);
    assert_eq!(found.subscriptions[0].accounts[0].private_endpoints[0].status, "Approved");
    assert_eq!(found.subscriptions[1].accounts[0].private_endpoints[0].status, "Pending");

    // Both phases: the tree the CLI prints.
    let c = config(&arm);
    let net = Network::new(&c, Timeouts::from_total_ms(10_000)).unwrap();
    let all = discovery::discover_all(&net, &c, &Secret::new("arm-token-123"), None).await.unwrap();
    let a = &all.subscriptions[0].accounts[0];
    assert!(a.deployments_loaded);
    assert_eq!(a.deployments.len(), 2);
    assert_eq!(a.proposed.haiku.as_deref(), Some("claude-haiku-4-5"));
    assert_eq!(all.requests, 4 + 3, "the first phase again, and one deployments list per account");
}

#[tokio::test]
async fn a_failing_account_is_reported_on_its_own_and_a_bad_id_is_never_requested() {
    let elsewhere = FakeHttp::start(|_, _| Reply::json(200, json!({"value": []})));
    let target = elsewhere.url();
    let arm = FakeHttp::start(move |path, _| {
        if path.contains("/accounts/denied/") {
            return Reply::json(403, json!({"error": {"code": "AuthorizationFailed", "message": "no read on deployments"}}));
        }
        if path.contains("/accounts/leaky/") {
            return Reply::json(200, json!({"value": [], "nextLink": format!("{target}/steal")}));
        }
        if path.contains("/accounts/empty/") {
            return Reply::json(200, json!({"value": [{"name": "gpt-4o", "properties": {"model": {"format": "OpenAI", "name": "gpt-4o"}}}]}));
        }
        Reply::json(200, claude_deployments())
    });
    let c = config(&arm);
    let net = Network::new(&c, Timeouts::from_total_ms(10_000)).unwrap();
    let id = |n: &str| format!("/subscriptions/s1/resourceGroups/rg/providers/Microsoft.CognitiveServices/accounts/{n}");
    let ids = vec![id("ok"), id("denied"), id("leaky"), id("empty"), "@evil.example/subscriptions/x".to_string()];
    let mut listed = std::collections::HashMap::new();
    discovery::load_deployments(&net, &c, &Secret::new("arm-token-123"), &ids, |d| {
        listed.insert(d.account_id.clone(), d);
    })
    .await
    .unwrap();
    assert_eq!(listed.len(), 5);
    assert!(listed[&id("ok")].error.is_none());
    let denied = listed[&id("denied")].error.as_ref().unwrap();
    assert!(denied.message.contains("AuthorizationFailed"), "{denied:?}");
    assert!(denied.hint.contains("Reader"), "{denied:?}");
    assert!(listed[&id("denied")].note.as_deref().unwrap().contains("could not be listed"));
    assert!(listed[&id("leaky")].error.as_ref().unwrap().message.contains("not followed"));
    assert!(elsewhere.requests().is_empty(), "the foreign host got a request");
    assert_eq!(listed[&id("empty")].note.as_deref(), Some(discovery::NO_CLAUDE));
    assert!(listed[&id("empty")].error.is_none());
    assert!(listed["@evil.example/subscriptions/x"].error.is_some());
    assert_eq!(arm.requests().len(), 4, "the bad id was never requested");
}
