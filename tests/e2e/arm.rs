//! Discovery against the answers ARM can give that the sandbox does not: throttling with
//! Retry-After, 5xx, an HTML page, truncated JSON, an empty subscription list, 1,000 accounts in
//! 20 pages, and a `nextLink` to another host (not followed, and the token never sent there).

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
    assert!(matches!(err, AzError::Parse(_)), "{err}");
    assert!(err.to_string().contains("<html>"), "shows the first bytes: {err}");

    let cut = FakeHttp::start(|_, _| Reply::raw(200, "application/json", "{\"value\": [{\"subscriptionId\": \"s1\""));
    assert!(matches!(run(&cut).await.unwrap_err(), AzError::Parse(_)));

    let expired = FakeHttp::start(|_, _| Reply::json(401, json!({"error": {"code": "ExpiredAuthenticationToken", "message": "The access token expiry UTC time is earlier than current UTC time."}})));
    let err = run(&expired).await.unwrap_err();
    assert!(err.to_string().contains("ExpiredAuthenticationToken"), "{err}");
    assert!(foundry_onboard_core::Diagnose::hint(&err).contains("login"), "{}", foundry_onboard_core::Diagnose::hint(&err));

    let empty = FakeHttp::start(|_, _| Reply::json(200, json!({"value": []})));
    assert!(run(&empty).await.unwrap().subscriptions.is_empty());
}

#[tokio::test]
async fn a_thousand_accounts_in_twenty_pages() {
    use std::sync::atomic::{AtomicU16, Ordering};
    let port = std::sync::Arc::new(AtomicU16::new(0));
    let own = port.clone();
    let arm = FakeHttp::start(move |path, _| {
        if path.starts_with("/subscriptions?") {
            return Reply::json(200, one_sub());
        }
        let page: usize = path.split("page=").nth(1).and_then(|p| p.parse().ok()).unwrap_or(0);
        let value: Vec<_> = (0..50).map(|i| json!({"kind": "OpenAI", "name": format!("acct-{page}-{i}"), "id": format!("/subscriptions/s1/x/acct-{page}-{i}")})).collect();
        let mut body = json!({"value": value});
        if page < 19 {
            body["nextLink"] = json!(format!("http://127.0.0.1:{}/subscriptions/s1/providers/Microsoft.CognitiveServices/accounts?api-version=2024-10-01&page={}", own.load(Ordering::SeqCst), page + 1));
        }
        Reply::json(200, body)
    });
    port.store(arm.port, Ordering::SeqCst);
    let found = run(&arm).await.unwrap();
    assert!(found.subscriptions[0].accounts.is_empty(), "OpenAI-kind accounts are not Foundry resources");
    let pages = arm.requests().iter().filter(|r| r.path.contains("/accounts?")).count();
    assert_eq!(pages, 20);
}
