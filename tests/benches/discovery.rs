//! Discovery benchmarks that print ratios (issue #12), not pass/fail:
//! - 20 subscriptions × 50 AIServices accounts on a scripted loopback ARM that sleeps 100 ms per
//!   call: the first phase's wall time against the longest page chain (goal ≤ 1.5×) and the
//!   sequential sum; then the second phase (every account's deployments) and both together;
//! - 100 concurrent token requests for one scope: how many times `az` ran (goal: exactly 1).
//!
//! Run with `make bench` or `cargo bench -p foundry-onboard-e2e --bench discovery`. Everything
//! listens on and talks to 127.0.0.1 only.
#![allow(clippy::unwrap_used, clippy::expect_used)] // a benchmark: a failed expectation aborts the run

use foundry_onboard_core::Secret;
use foundry_onboard_core::azure::{COGNITIVE_SCOPE, discovery, token::TokenSource};
use foundry_onboard_core::config::Config;
use foundry_onboard_core::net::{Network, Timeouts};
use foundry_onboard_e2e::fake_http::{FakeHttp, Reply};
use serde_json::json;
use std::sync::Arc;
use std::sync::atomic::{AtomicU16, Ordering};
use std::time::{Duration, Instant};

const SUBSCRIPTIONS: usize = 20;
const ACCOUNTS: usize = 50;
/// Accounts per page: ARM's lists come in pages linked by `nextLink`.
const PAGE: usize = 25;
const LATENCY: Duration = Duration::from_millis(100);

fn account(sub: usize, i: usize) -> serde_json::Value {
    let name = format!("acct-{sub}-{i}");
    json!({"kind": "AIServices", "name": name, "location": "eastus2", "sku": {"name": "S0"},
           "id": format!("/subscriptions/sub-{sub}/resourceGroups/rg/providers/Microsoft.CognitiveServices/accounts/{name}"),
           "properties": {"customSubDomainName": name, "publicNetworkAccess": "Disabled", "privateEndpointConnections": [
               {"properties": {"privateEndpoint": {"id": format!("/subscriptions/sub-{sub}/resourceGroups/net/providers/Microsoft.Network/privateEndpoints/pe-{name}")},
                               "privateLinkServiceConnectionState": {"status": "Approved"}}}]}})
}

/// 1–3 Claude deployments, by the account's number.
fn deployments(path: &str) -> serde_json::Value {
    let n = path.bytes().map(usize::from).sum::<usize>() % 3 + 1;
    let all = [("claude-sonnet-4-5", "20250929"), ("claude-haiku-4-5", "20251001"), ("claude-opus-4-6", "20260205")];
    let value: Vec<_> = all[..n]
        .iter()
        .map(|(m, v)| json!({"name": m, "sku": {"name": "GlobalStandard", "capacity": 50}, "properties": {"model": {"format": "Anthropic", "name": m, "version": v}}}))
        .collect();
    json!({"value": value})
}

/// The scripted ARM: every answer after 100 ms.
fn arm() -> FakeHttp {
    let port = Arc::new(AtomicU16::new(0));
    let own = port.clone();
    let server = FakeHttp::start(move |path, _| {
        std::thread::sleep(LATENCY);
        if path.starts_with("/subscriptions?") {
            let value: Vec<_> =
                (0..SUBSCRIPTIONS).map(|s| json!({"subscriptionId": format!("sub-{s}"), "displayName": format!("Team {s}"), "tenantId": "t1"})).collect();
            return Reply::json(200, json!({"value": value}));
        }
        if path.contains("/deployments?") {
            return Reply::json(200, deployments(path));
        }
        let sub: usize = path.trim_start_matches("/subscriptions/sub-").split('/').next().and_then(|s| s.parse().ok()).unwrap_or(0);
        let page: usize = path.split("page=").nth(1).and_then(|p| p.parse().ok()).unwrap_or(0);
        let value: Vec<_> = (page * PAGE..((page + 1) * PAGE).min(ACCOUNTS)).map(|i| account(sub, i)).collect();
        let mut body = json!({"value": value});
        if (page + 1) * PAGE < ACCOUNTS {
            body["nextLink"] = json!(format!(
                "http://127.0.0.1:{}/subscriptions/sub-{sub}/providers/Microsoft.CognitiveServices/accounts?api-version=2024-10-01&page={}",
                own.load(Ordering::SeqCst),
                page + 1
            ));
        }
        Reply::json(200, body)
    });
    port.store(server.port, Ordering::SeqCst);
    server
}

fn ms(d: Duration) -> f64 {
    d.as_secs_f64() * 1000.0
}

async fn discovery_bench() {
    let server = arm();
    let mut config = Config::default();
    config.azure.arm_url = server.url();
    let net = Network::new(&config, Timeouts::from_total_ms(60_000)).unwrap();
    let token = Secret::new("bench-token");
    let latency = ms(LATENCY);
    let pages = ACCOUNTS.div_ceil(PAGE);

    // Phase 1: subscriptions → accounts.
    let started = Instant::now();
    let found = discovery::discover(&net, &config, &token, None).await.unwrap();
    let wall = ms(started.elapsed());
    let accounts: usize = found.subscriptions.iter().map(|s| s.accounts.len()).sum();
    assert_eq!(accounts, SUBSCRIPTIONS * ACCOUNTS, "every account found");
    let chain_calls = 1 + pages;
    let chain = chain_calls as f64 * latency;
    let sequential = found.requests as f64 * latency;
    println!(
        "discovery phase 1: {SUBSCRIPTIONS} subscriptions x {ACCOUNTS} AIServices accounts ({pages} pages of {PAGE} per subscription), {latency:.0} ms per ARM call: \
         wall {wall:.0} ms, longest page chain {chain_calls} calls = {chain:.0} ms, sequential sum {} calls = {sequential:.0} ms, wall/chain {:.2}x (goal <= 1.5x), wall/sequential {:.3}x",
        found.requests,
        wall / chain,
        wall / sequential
    );

    // Phase 2: every account's deployments.
    let ids = found.account_ids();
    let started = Instant::now();
    let mut first: Option<Duration> = None;
    let mut claude = 0usize;
    let mut failed = 0usize;
    let cost = discovery::load_deployments(&net, &config, &token, &ids, |d| {
        first.get_or_insert_with(|| started.elapsed());
        claude += d.deployments.iter().filter(|x| x.tier.is_some()).count();
        failed += usize::from(d.error.is_some());
    })
    .await
    .unwrap();
    let wall2 = ms(started.elapsed());
    let rounds = ids.len().div_ceil(16);
    println!(
        "discovery phase 2: deployments of {} accounts (at most 16 in flight): wall {wall2:.0} ms, {} requests, {claude} Claude deployments, {failed} failed, first account after {:.0} ms; \
         bounded chain {rounds} rounds = {:.0} ms (wall/bound {:.2}x), sequential sum {:.0} ms",
        ids.len(),
        cost.requests,
        first.map(ms).unwrap_or(0.0),
        rounds as f64 * latency,
        wall2 / (rounds as f64 * latency),
        cost.requests as f64 * latency
    );

    let started = Instant::now();
    let all = discovery::discover_all(&net, &config, &token, None).await.unwrap();
    println!(
        "discovery both phases (discover_all, what `discover --json` runs): wall {:.0} ms, {} requests, sequential sum {:.0} ms",
        ms(started.elapsed()),
        all.requests,
        all.requests as f64 * latency
    );
}

/// 100 concurrent callers for one scope, through a fake `az` that takes 200 ms.
async fn token_bench() {
    let dir = tempfile::tempdir().unwrap();
    let az = dir.path().join("az");
    std::fs::write(
        &az,
        "#!/bin/sh\nsleep 0.2\necho \"{\\\"accessToken\\\": \\\"tok\\\", \\\"expires_on\\\": $(( $(date +%s) + 3600 )), \\\"tokenType\\\": \\\"Bearer\\\"}\"\n",
    )
    .unwrap();
    use std::os::unix::fs::PermissionsExt;
    std::fs::set_permissions(&az, std::fs::Permissions::from_mode(0o755)).unwrap();
    let source = Arc::new(TokenSource::new(&az, &Config::default(), Duration::from_secs(20)).unwrap());
    let started = Instant::now();
    let mut set = tokio::task::JoinSet::new();
    for _ in 0..100 {
        let s = source.clone();
        set.spawn(async move { s.token(COGNITIVE_SCOPE).await.is_ok() });
    }
    let ok = set.join_all().await.into_iter().filter(|ok| *ok).count();
    println!(
        "tokens: 100 concurrent requests for one scope -> {} az run(s) (goal: exactly 1), {ok} tokens, wall {:.0} ms",
        source.az_runs(),
        ms(started.elapsed())
    );
}

fn main() {
    // `cargo bench` passes `--bench`; there is nothing to filter.
    let rt = tokio::runtime::Runtime::new().unwrap();
    rt.block_on(discovery_bench());
    rt.block_on(token_bench());
}
