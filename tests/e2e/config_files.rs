//! The config file as written to disk: every mode, never a secret in it; org policy locks.

use foundry_onboard_core::Secret;
use foundry_onboard_core::config::policy::Policy;
use foundry_onboard_core::config::{Config, ConfigLocation, GatewayAuth, GatewayKind, LoginMode, load, save};

/// Credentials a user might have typed while configuring each mode.
const KEY: &str = "3f9c2a7be14d4e6b9a0c5d8e7f1a2b3c";
const GATEWAY_KEY: &str = "sk-litellm-Zq8vR2mN5pL1xK7w";
const TOKEN: &str = "eyJ0eXAiOiJKV1QiLCJhbGciOiJSUzI1NiJ9.eyJhdWQiOiJodHRwczovL2NvZ25pdGl2ZXNlcnZpY2VzIn0.sig";

fn configs() -> Vec<(&'static str, Config, Vec<Secret>)> {
    let mut entra = Config::default();
    entra.azure.tenant = Some("contoso.onmicrosoft.com".into());
    entra.foundry.endpoint = Some(foundry_onboard_core::config::FoundryEndpoint::named("contoso-ai").unwrap());
    entra.models.sonnet = Some("claude-sonnet-4-5".into());
    entra.models.haiku = Some("claude-haiku-4-5".into());
    entra.models.opus = Some("claude-opus-4-6".into());

    let mut key = entra.clone();
    key.azure.login = LoginMode::ApiKey;

    let mut gw_key = entra.clone();
    gw_key.foundry.endpoint = Some(foundry_onboard_core::config::FoundryEndpoint::at("https://llm.contoso.com/anthropic").unwrap());
    gw_key.foundry.via_gateway = true;
    gw_key.gateway.url = Some("https://llm.contoso.com".into());
    gw_key.gateway.kind = GatewayKind::Litellm;
    gw_key.gateway.auth = GatewayAuth::Key;

    let mut gw_entra = gw_key.clone();
    gw_entra.gateway.kind = GatewayKind::Generic;
    gw_entra.gateway.auth = GatewayAuth::Entra;
    gw_entra.gateway.scope = Some("api://llm-gateway/.default".into());

    vec![
        ("entra", entra, vec![Secret::new(TOKEN)]),
        ("api-key", key, vec![Secret::new(KEY)]),
        ("gateway-key", gw_key, vec![Secret::new(GATEWAY_KEY)]),
        ("gateway-entra", gw_entra, vec![Secret::new(TOKEN)]),
    ]
}

#[test]
fn a_config_in_every_mode_holds_no_secret() {
    let dir = tempfile::tempdir().unwrap();
    for (mode, config, secrets) in configs() {
        let path = dir.path().join(format!("{mode}.toml"));
        // Secrets exist in the same process while the config is written: they must not reach it.
        let debug = format!("{config:?} {secrets:?}");
        save(&path, &config, &Policy::default()).unwrap();
        let text = std::fs::read_to_string(&path).unwrap();
        for s in &secrets {
            assert!(!text.contains(s.expose()), "{mode}: secret in the config");
            assert!(!debug.contains(s.expose()), "{mode}: secret in a Debug string");
        }
        for material in [KEY, GATEWAY_KEY, "eyJ", "sk-", "Bearer", "password", "api_key", "apikey", "secret", "client_secret"] {
            let body: String = text.lines().filter(|l| !l.starts_with('#')).collect::<Vec<_>>().join("\n");
            assert!(!body.to_ascii_lowercase().contains(&material.to_ascii_lowercase()), "{mode}: {material:?} in\n{text}");
        }
        let loaded = load(&ConfigLocation::Flag(path.clone()), Policy::default()).unwrap();
        assert_eq!(loaded.config, config, "{mode} round-trips");
        #[cfg(unix)]
        {
            use std::os::unix::fs::PermissionsExt;
            assert_eq!(std::fs::metadata(&path).unwrap().permissions().mode() & 0o777, 0o600, "{mode}");
        }
    }
}

#[test]
fn the_cli_sees_the_policy_lock() {
    let home = tempfile::tempdir().unwrap();
    let policy = home.path().join("policy.toml");
    std::fs::write(&policy, "locked = [\"foundry.base_url\"]\n[foundry]\nbase_url = \"https://corp-ai.services.ai.azure.com/anthropic\"\n").unwrap();
    let cfg = home.path().join("c.toml");
    std::fs::write(&cfg, "[foundry]\nbase_url = \"https://mine.services.ai.azure.com/anthropic\"\n").unwrap();
    let mut c = foundry_onboard_e2e::cli_command(home.path());
    c.env("FOUNDRY_ONBOARD_POLICY", &policy).arg("--config").arg(&cfg).arg("discover");
    let r = foundry_onboard_e2e::run(c);
    assert!(r.stderr.contains(&format!("note: {}:2: foundry.base_url is locked by the org policy", cfg.display())), "{}", r.stderr);
}
