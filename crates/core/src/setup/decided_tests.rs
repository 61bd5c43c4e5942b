//! What a policy decides, what is left to ask, and the newest pick.

use super::*;
use crate::config::{ConfigLocation, load};

fn loaded(policy: &str, user: &str) -> LoadedConfig {
    let dir = tempfile::tempdir().unwrap();
    let p = dir.path().join("policy.toml");
    std::fs::write(&p, policy).unwrap();
    let u = dir.path().join("config.toml");
    std::fs::write(&u, user).unwrap();
    load(&ConfigLocation::Flag(u), Policy::load(&p).unwrap()).unwrap()
}

const FULL: &str = "locked = [\"foundry.resource\", \"models.sonnet\"]\n[azure]\nlogin = \"cli\"\n[foundry]\nresource = \"sandbox-ai\"\n[models]\nsonnet = \"claude-sonnet-4-5\"\nhaiku = \"claude-haiku-4-5\"\nopus = \"claude-opus-4-6\"\n";

#[test]
fn a_full_policy_leaves_nothing_to_ask_and_says_what_is_locked() {
    let d = decided(&loaded(FULL, ""));
    assert!(d.is_complete(), "{:?}", d.left_to_ask);
    assert_eq!(
        d.endpoint,
        Some(EndpointDecision { endpoint: DecidedEndpoint::Resource { name: "sandbox-ai".into() }, by: DecidedBy::Organisation, locked: true })
    );
    assert_eq!(d.sonnet.as_ref().map(|t| (t.deployment.as_str(), t.locked)), Some(("claude-sonnet-4-5", true)));
    assert_eq!(d.haiku.as_ref().map(|t| (t.deployment.as_str(), t.locked)), Some(("claude-haiku-4-5", false)));
    assert_eq!(d.login.as_ref().map(|l| (l.mode, l.locked)), Some((LoginMode::Cli, false)));
    assert_eq!(d.choose, ChooseModels::Ask);
    let json = serde_json::to_value(&d).unwrap();
    assert_eq!(json["endpoint"], serde_json::json!({"endpoint": {"kind": "resource", "name": "sandbox-ai"}, "by": "organisation", "locked": true}));
    assert_eq!(json["leftToAsk"], serde_json::json!([]));
}

#[test]
fn a_resource_with_choose_newest_asks_nothing_and_with_ask_asks_each_tier() {
    let newest = decided(&loaded("[foundry]\nresource = \"sandbox-ai\"\n[models]\nchoose = \"newest\"\n", ""));
    assert!(newest.is_complete() && newest.takes_newest(), "{:?}", newest.left_to_ask);
    let ask = decided(&loaded("[foundry]\nresource = \"sandbox-ai\"\n[models]\nopus = \"o\"\n", ""));
    assert_eq!(ask.left_to_ask, vec![Ask::Sonnet, Ask::Haiku]);
    let empty = decided(&loaded("", ""));
    assert_eq!(empty.left_to_ask, vec![Ask::Endpoint, Ask::Sonnet, Ask::Haiku, Ask::Opus]);
    assert!(empty.policy_file.is_some(), "an empty policy file is still the file read");
    // `newest` for a base URL cannot be honoured: no discovery lists its deployments.
    let url = decided(&loaded("[foundry]\nbase_url = \"https://r.services.ai.azure.com/anthropic\"\n[models]\nchoose = \"newest\"\n", ""));
    assert_eq!(url.left_to_ask, vec![Ask::Sonnet, Ask::Haiku, Ask::Opus]);
}

#[test]
fn the_user_config_choose_counts_when_the_policy_is_silent() {
    let d = decided(&loaded("[foundry]\nresource = \"sandbox-ai\"\n", "[models]\nchoose = \"newest\"\n"));
    assert_eq!(d.choose, ChooseModels::Newest);
    assert!(d.is_complete());
}

#[test]
fn a_gateway_policy_is_a_gateway_decision() {
    let d = decided(&loaded("locked = [\"foundry.via_gateway\"]\n[foundry]\nvia_gateway = true\n[gateway]\nurl = \"https://llm.contoso.com\"\n", ""));
    assert_eq!(d.endpoint.as_ref().map(|e| (&e.endpoint, e.locked)), Some((&DecidedEndpoint::Gateway { url: Some("https://llm.contoso.com".into()) }, true)));
}

#[test]
fn the_newest_pick_takes_discoverys_proposal_per_tier() {
    let d = decided(&loaded("[foundry]\nresource = \"sandbox-ai\"\n[models]\nchoose = \"newest\"\nhaiku = \"corp-haiku\"\n", ""));
    let proposed = Proposed { sonnet: Some("claude-sonnet-4-5".into()), haiku: Some("claude-haiku-4-5".into()), opus: Some("claude-opus-4-6".into()) };
    let choice = policy_choice(&d, Some(Found { subscription: "sub-1", proposed: &proposed })).unwrap();
    assert_eq!(choice.endpoint, Some(EndpointChoice::Resource { name: "sandbox-ai".into(), subscription: Some("sub-1".into()) }));
    assert_eq!(
        (choice.sonnet.as_deref(), choice.haiku.as_deref(), choice.opus.as_deref()),
        (Some("claude-sonnet-4-5"), Some("corp-haiku"), Some("claude-opus-4-6"))
    );
    // A tier the resource has no deployment for stays a question; no discovery at all, every unnamed tier.
    let partial = Proposed { opus: None, ..proposed.clone() };
    assert_eq!(policy_choice(&d, Some(Found { subscription: "sub-1", proposed: &partial })), Err(vec![Ask::Opus]));
    assert_eq!(policy_choice(&d, None), Err(vec![Ask::Sonnet, Ask::Opus]));
    // The choice is the one every face applies: it passes `choice::apply`.
    let applied = super::super::choice::apply(&crate::config::Config::default(), &choice).unwrap();
    assert_eq!(applied.models.haiku.as_deref(), Some("corp-haiku"));
}

#[test]
fn with_ask_nothing_is_picked_for_the_person() {
    let d = decided(&loaded("[foundry]\nresource = \"sandbox-ai\"\n", ""));
    let proposed = Proposed { sonnet: Some("s".into()), haiku: Some("h".into()), opus: Some("o".into()) };
    assert_eq!(policy_choice(&d, Some(Found { subscription: "sub", proposed: &proposed })), Err(vec![Ask::Sonnet, Ask::Haiku, Ask::Opus]));
    assert_eq!(Ask::Sonnet.policy_keys(), "models.sonnet");
}
