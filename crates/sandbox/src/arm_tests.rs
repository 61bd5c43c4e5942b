//! `--accounts N` through the production discovery code: the extra accounts come after the fixed
//! ones, 50 to a `nextLink` page on the ARM origin, each with one to three Claude deployments.

use super::*;
use foundry_onboard_core::azure::discovery;
use foundry_onboard_core::net::{Network, Timeouts};

async fn discover_all(extra_accounts: usize) -> discovery::Discovered {
    let sb = Sandbox::start(SandboxOptions { extra_accounts, ..Default::default() }).await.unwrap();
    let token = foundry_onboard_core::Secret::new(std::fs::read_to_string(sb.dir().join("entra-token")).unwrap());
    let config = sb.config();
    let net = Network::new(&config, Timeouts::from_total_ms(20_000)).unwrap();
    let phase_one = discovery::discover(&net, &config, &token, None).await.unwrap();
    // The subscription list, both subscriptions' first pages, sandbox-openai's page, the team pages.
    assert_eq!(phase_one.requests as usize, 4 + extra_accounts.div_ceil(TEAM_PAGE), "one request per page");
    let found = discovery::discover_all(&net, &config, &token, None).await.unwrap();
    sb.shutdown().await;
    found
}

#[tokio::test]
async fn extra_accounts_follow_the_fixed_ones_in_pages_of_fifty() {
    let found = discover_all(1000).await;
    let dev = &found.subscriptions[0];
    assert_eq!(dev.id, SUB_DEV);
    let names: Vec<&str> = dev.accounts.iter().map(|a| a.name.as_str()).collect();
    assert_eq!(names.len(), 1002);
    assert_eq!(&names[..3], [RESOURCE, "sandbox-openai", "team-ai-0001"]);
    assert_eq!(names[1001], "team-ai-1000");
    assert_eq!(team_account(42), "team-ai-0042");
    // sandbox-ai is unchanged: its four deployments, the newest proposed.
    assert_eq!(dev.accounts[0].deployments.len(), 4);
    assert_eq!(dev.accounts[0].proposed.opus.as_deref(), Some("claude-opus-4-6"));
    for (i, a) in dev.accounts[2..].iter().enumerate() {
        let i = i + 1;
        assert!(a.deployments_loaded && a.note.is_none(), "{}: {:?}", a.name, a.note);
        assert_eq!(a.deployments.len(), (i - 1) % 3 + 1, "{}", a.name);
        assert!(a.deployments.iter().all(|d| d.tier.is_some()), "{}: all Claude", a.name);
        assert_eq!(a.public_network_access == "Enabled", i % 10 == 0, "{}", a.name);
        assert_eq!(a.private_endpoints.len(), usize::from(i % 10 != 0), "{}", a.name);
    }
    assert_eq!(dev.accounts[4].proposed.haiku.as_deref(), Some("claude-haiku-4-5"), "team-ai-0003 has all three tiers");
    assert_eq!(found.subscriptions[1].accounts.len(), 1, "the second subscription is unchanged");
}

#[tokio::test]
async fn without_extra_accounts_the_tenant_is_the_small_one() {
    let found = discover_all(0).await;
    let names: Vec<&str> = found.subscriptions.iter().flat_map(|s| s.accounts.iter().map(|a| a.name.as_str())).collect();
    assert_eq!(names, [RESOURCE, "sandbox-openai", "sandbox-ai-public"]);
}
