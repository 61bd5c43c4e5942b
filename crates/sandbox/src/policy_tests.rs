//! `sandbox --policy`: what the written config leaves to the policy and what the sandbox keeps.

use super::*;
use foundry_onboard_core::config::{ConfigLocation, FoundryEndpoint, load_effective};

/// `sandbox --policy`: the written config records the policy and leaves to it what it decides,
/// while the sandbox's endpoints stay its own; a broken policy stops the start at its line.
#[tokio::test]
async fn a_sandbox_started_with_a_policy_leaves_the_choices_to_it() {
    let dir = tempfile::tempdir().unwrap();
    let policy = dir.path().join("policy.toml");
    std::fs::write(&policy, "locked = [\"foundry.resource\"]\n[azure]\nlogin = \"api-key\"\n[foundry]\nresource = \"sandbox-ai\"\n[models]\nchoose = \"newest\"\nopus = \"claude-opus-4-6\"\n").unwrap();
    let mut sb = Sandbox::start(SandboxOptions { policy: Some(policy.clone()), dir: Some(dir.path().join("sb")), ..Default::default() }).await.unwrap();
    let cfg = dir.path().join("sandbox.toml");
    sb.write_config(&cfg).unwrap();
    let written = std::fs::read_to_string(&cfg).unwrap();
    assert!(written.contains(&format!("policy = {:?}", policy.display().to_string())), "{written}");
    assert!(!written.contains("sonnet") && !written.contains("login ="), "the choices are the policy's: {written}");
    let loaded = load_effective(&ConfigLocation::Flag(cfg)).unwrap();
    let c = &loaded.config;
    assert_eq!(c.foundry.endpoint, Some(FoundryEndpoint::at(&sb.endpoints().foundry_base_url).unwrap()), "the loopback URL reaches sandbox-ai");
    assert_eq!(c.azure.login, foundry_onboard_core::config::LoginMode::ApiKey);
    assert_eq!((c.models.sonnet.as_deref(), c.models.opus.as_deref()), (None, Some("claude-opus-4-6")));
    assert_eq!(c.azure.arm_url, sb.endpoints().arm_url);
    let d = foundry_onboard_core::setup::decided(&loaded);
    assert!(d.is_complete() && d.takes_newest(), "{d:?}");
    sb.shutdown().await;

    std::fs::write(&policy, "[models]\nchoose = \"latest\"\n").unwrap();
    let err = Sandbox::start(SandboxOptions { policy: Some(policy.clone()), ..Default::default() }).await.err().unwrap();
    assert!(err.to_string().starts_with(&format!("{}:2:", policy.display())), "{err}");
    assert_eq!(err.kind(), ErrorKind::Policy);
    let missing = Sandbox::start(SandboxOptions { policy: Some(dir.path().join("nope.toml")), ..Default::default() }).await.err().unwrap();
    assert!(missing.to_string().contains("does not exist") && missing.hint().contains("--policy"), "{missing}");
}
