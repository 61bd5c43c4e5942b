//! Which model each deployment serves, as discovery last saw it: usage sources name deployments
//! (`team-sonnet`), the price table knows models (`claude-sonnet-4-5`). Discovery remembers the
//! pairs beside the usage cache; the price table looks a deployment up there when its name is no
//! model it knows. Nothing secret is in it: deployment and model names.

use crate::azure::discovery::Deployment;
use crate::config::Config;
use crate::limited_read::{self, Limit};
use std::collections::BTreeMap;
use std::path::PathBuf;

/// `<home>/.local/state/foundry-onboard/deployment-models.json` (the sandbox's home in a sandbox).
pub fn path(config: &Config) -> Option<PathBuf> {
    Some(super::cache::path(config)?.with_file_name("deployment-models.json"))
}

/// The deployments discovery has seen, by name, with their model.
pub fn known(config: &Config) -> BTreeMap<String, String> {
    path(config)
        .and_then(|p| limited_read::read(&p, Limit::TOOL_STATE).ok())
        .and_then(|bytes| serde_json::from_slice::<BTreeMap<String, String>>(&bytes).ok())
        .unwrap_or_default()
}

/// Adds what discovery just listed (Claude deployments only) to what was known; best effort —
/// a failure to write only means a deployment stays without a price.
pub fn remember<'a>(config: &Config, deployments: impl IntoIterator<Item = &'a Deployment>) {
    let mut map = known(config);
    let before = map.clone();
    for d in deployments.into_iter().filter(|d| d.tier.is_some() && !d.model.is_empty()) {
        map.insert(d.name.clone(), d.model.clone());
    }
    if map == before {
        return;
    }
    let Some(path) = path(config) else { return };
    let written = path
        .parent()
        .map(std::fs::create_dir_all)
        .unwrap_or(Ok(()))
        .and_then(|()| serde_json::to_vec_pretty(&map).map_err(std::io::Error::other))
        .and_then(|bytes| crate::atomic_file::write(&path, &bytes, 0o600));
    if let Err(e) = written {
        tracing::info!(path = %path.display(), error = %e, "cannot remember the deployments' models");
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::azure::discovery::Tier;

    fn deployment(name: &str, model: &str, tier: Option<Tier>) -> Deployment {
        Deployment {
            name: name.into(),
            model: model.into(),
            model_version: "1".into(),
            format: "Anthropic".into(),
            sku: "GlobalStandard".into(),
            capacity: None,
            tier,
        }
    }

    #[test]
    fn discovered_claude_deployments_are_remembered_and_merged() {
        let home = tempfile::tempdir().unwrap();
        let mut config = Config::default();
        config.sandbox =
            Some(crate::config::SandboxLink { home: home.path().join("home"), ca_file: home.path().join("ca.pem"), private_base_url: None, policy: None });
        remember(&config, &[deployment("team-sonnet", "claude-sonnet-4-5", Some(Tier::Sonnet)), deployment("gpt", "gpt-4o", None)]);
        remember(&config, &[deployment("team-haiku", "claude-haiku-4-5", Some(Tier::Haiku))]);
        let map = known(&config);
        assert_eq!(map.get("team-sonnet").map(String::as_str), Some("claude-sonnet-4-5"));
        assert_eq!(map.get("team-haiku").map(String::as_str), Some("claude-haiku-4-5"), "a second discovery adds to the first");
        assert!(!map.contains_key("gpt"), "only Claude deployments");
        let prices = super::super::price::PriceTable::with_overrides(&Default::default()).with_deployments(map);
        assert_eq!(prices.price("team-sonnet"), prices.price("claude-sonnet-4-5"), "a deployment is priced as its model");
        assert!(prices.price("team-sonnet").is_some());
        assert!(prices.price("unknown-deployment").is_none(), "no price, never $0");
    }
}
