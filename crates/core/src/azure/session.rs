//! What the faces ask about sign-in and what they save after discovery: az's state in one call,
//! and the chosen resource and deployments turned into config.

use super::{AzError, cli, discovery::Tier};
use crate::config::{BaseUrl, Config, EndpointError, FoundryEndpoint, ResourceName, validate};
use crate::error::IpcError;
use serde::{Deserialize, Serialize};
use ts_rs::TS;

#[derive(Debug, Clone, PartialEq, Eq, Serialize, TS)]
#[serde(rename_all = "camelCase")]
pub struct SignInStatus {
    /// Where az is, when it is installed.
    pub az_path: Option<String>,
    pub az_version: Option<String>,
    /// Why az cannot be used (missing, too old), with the install instructions as its hint.
    pub az_problem: Option<IpcError>,
    pub state: cli::LoginState,
}

/// Finds az, reads its version, and reads who is signed in.
pub async fn status(config: &Config) -> SignInStatus {
    let state = cli::login_state(config);
    let Some(az) = cli::find() else {
        return SignInStatus { az_path: None, az_version: None, az_problem: Some(IpcError::from_diagnose(&AzError::NotInstalled)), state };
    };
    match cli::version(&az, config).await {
        Ok(v) => SignInStatus { az_path: Some(az.display().to_string()), az_version: Some(v), az_problem: None, state },
        Err(e) => SignInStatus { az_path: Some(az.display().to_string()), az_version: None, az_problem: Some(IpcError::from_diagnose(&e)), state },
    }
}

/// The Resource & models step's choice.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, TS)]
#[serde(rename_all = "camelCase")]
pub struct ModelChoice {
    pub subscription_id: String,
    /// The account's custom subdomain (its resource name for Claude Code).
    pub resource: String,
    pub sonnet: String,
    pub haiku: String,
    pub opus: String,
    /// The same deployment serves two tiers, and the person confirmed it.
    #[serde(default)]
    pub reuse_confirmed: bool,
}

/// The corporate LLM gateway instead of a resource: its URL, and the deployments by name.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, TS)]
#[serde(rename_all = "camelCase")]
pub struct GatewayChoice {
    pub url: String,
    pub sonnet: String,
    pub haiku: String,
    pub opus: String,
    #[serde(default)]
    pub reuse_confirmed: bool,
}

/// Applies a gateway choice: Claude Code talks to `<url>/anthropic` with the gateway's credential.
pub fn apply_gateway(config: &Config, choice: &GatewayChoice) -> Result<Config, IpcError> {
    let url = choice.url.trim().trim_end_matches('/').trim_end_matches("/anthropic").to_string();
    let base = format!("{url}/anthropic");
    let base = BaseUrl::new(base).map_err(|e| {
        let m = match e {
            EndpointError::BaseUrl { why, .. } => why,
            other => other.to_string(),
        };
        IpcError::new(
            crate::ErrorKind::Config,
            format!("gateway URL {}: {m}", validate::shown_url(&url)),
            "Give the gateway's https address, e.g. https://llm.contoso.com.",
        )
    })?;
    let mut c = apply_choice(
        config,
        &ModelChoice {
            subscription_id: String::new(),
            resource: "gateway".into(),
            sonnet: choice.sonnet.clone(),
            haiku: choice.haiku.clone(),
            opus: choice.opus.clone(),
            reuse_confirmed: choice.reuse_confirmed,
        },
    )?;
    c.azure.subscription = config.azure.subscription.clone();
    if matches!(c.foundry.endpoint, Some(FoundryEndpoint::Resource(_))) {
        c.foundry.endpoint = None;
    }
    c.foundry.via_gateway = true;
    c.gateway.url = Some(url);
    if c.sandbox.is_none() {
        c.foundry.endpoint = Some(FoundryEndpoint::BaseUrl(base));
    }
    Ok(c)
}

/// Applies a choice to the config, refusing what Claude Code would reject.
pub fn apply_choice(config: &Config, choice: &ModelChoice) -> Result<Config, IpcError> {
    let bad = |m: String| IpcError::new(crate::ErrorKind::Config, m, "Choose another deployment, or ask the platform team to create one with a valid name.");
    for (tier, name) in [(Tier::Sonnet, &choice.sonnet), (Tier::Haiku, &choice.haiku), (Tier::Opus, &choice.opus)] {
        if name.is_empty() {
            return Err(IpcError::new(
                crate::ErrorKind::Config,
                format!("no deployment is chosen for the {tier:?} tier").to_lowercase(),
                "Choose all three tiers: Claude Code falls back to retired model names without them.",
            ));
        }
        validate::deployment_name(name).map_err(|m| bad(format!("deployment {name:?}: {m}")))?;
    }
    let names = [&choice.sonnet, &choice.haiku, &choice.opus];
    let reused = names.iter().enumerate().any(|(i, a)| names.iter().skip(i + 1).any(|b| a == b));
    if reused && !choice.reuse_confirmed {
        return Err(IpcError::new(
            crate::ErrorKind::Config,
            "the same deployment is chosen for two tiers",
            "Confirm that one deployment should serve both tiers, or choose another.",
        ));
    }
    let resource = ResourceName::new(choice.resource.clone()).map_err(|e| {
        let m = match e {
            EndpointError::Resource { why, .. } => why.to_string(),
            other => other.to_string(),
        };
        bad(format!("resource {:?}: {m}", choice.resource))
    })?;
    let mut c = config.clone();
    c.azure.subscription = Some(choice.subscription_id.clone());
    c.models.sonnet = Some(choice.sonnet.clone());
    c.models.haiku = Some(choice.haiku.clone());
    c.models.opus = Some(choice.opus.clone());
    // A sandbox keeps its loopback base URL; a real tenant names the resource.
    if c.sandbox.is_none() && !c.foundry.via_gateway {
        c.foundry.endpoint = Some(FoundryEndpoint::Resource(resource));
    }
    Ok(c)
}

type SourceKey = (std::path::PathBuf, std::path::PathBuf, Option<String>, String);

fn sources() -> &'static std::sync::Mutex<std::collections::HashMap<SourceKey, std::sync::Arc<super::token::TokenSource>>> {
    static SOURCES: std::sync::OnceLock<std::sync::Mutex<std::collections::HashMap<SourceKey, std::sync::Arc<super::token::TokenSource>>>> =
        std::sync::OnceLock::new();
    SOURCES.get_or_init(Default::default)
}

/// One token source per az, az config dir, tenant and cloud for the whole process: the app asks
/// for an ARM token on every discovery call, and each would otherwise start az again (about a
/// second). Tokens stay cached until 5 minutes before they expire; a new sign-in forgets them.
fn token_source(az: &std::path::Path, config: &Config) -> Result<std::sync::Arc<super::token::TokenSource>, AzError> {
    let key = (az.to_path_buf(), cli::config_dir(config), config.azure.tenant.clone(), config.azure.arm_url.clone());
    let mut map = sources().lock().map_err(|_| AzError::Spawn("the token cache is poisoned".into()))?;
    if let Some(s) = map.get(&key) {
        return Ok(s.clone());
    }
    let source = std::sync::Arc::new(super::token::TokenSource::new(az, config, std::time::Duration::from_secs(20))?);
    map.insert(key, source.clone());
    Ok(source)
}

/// Forgets every cached token (after a sign-in or sign-out: they may belong to someone else).
pub fn forget_tokens() {
    if let Ok(mut map) = sources().lock() {
        map.clear();
    }
}

/// An ARM token from az (bounded) and the network, for discovery as the signed-in user.
async fn signed_in_arm(config: &Config, timeout_ms: u64) -> Result<(crate::net::Network, crate::Secret), AzError> {
    let az = cli::find().ok_or(AzError::NotInstalled)?;
    // A sandbox started again has new ports: point its private az cloud at them first.
    cli::prepare_sandbox_cloud(&az, config).await?;
    let token = token_source(&az, config)?.token(&super::arm_scope(config)).await?;
    let net = crate::net::Network::new(config, crate::net::Timeouts::from_total_ms(timeout_ms))?;
    Ok((net, token))
}

/// Discovery's first phase as a signed-in user: subscriptions → accounts, deployments not yet listed.
pub async fn discover_signed_in(config: &Config, only: Option<&str>, timeout_ms: u64) -> Result<super::discovery::Discovered, AzError> {
    let (net, token) = signed_in_arm(config, timeout_ms).await?;
    super::discovery::discover(&net, config, &token, only).await
}

/// Both phases as a signed-in user: the whole tree with every account's deployments.
pub async fn discover_all_signed_in(config: &Config, only: Option<&str>, timeout_ms: u64) -> Result<super::discovery::Discovered, AzError> {
    let (net, token) = signed_in_arm(config, timeout_ms).await?;
    super::discovery::discover_all(&net, config, &token, only).await
}

/// Discovery's second phase as a signed-in user: the deployments of these accounts, each
/// reported as soon as it is listed.
pub async fn load_deployments_signed_in(
    config: &Config,
    account_ids: &[String],
    timeout_ms: u64,
    on_each: impl FnMut(super::discovery::AccountDeployments),
) -> Result<super::discovery::ArmCost, AzError> {
    let (net, token) = signed_in_arm(config, timeout_ms).await?;
    super::discovery::load_deployments(&net, config, &token, account_ids, on_each).await
}

/// Applies the choice, checks the org policy, writes the config and reads it back.
pub fn save_choice(loaded: &crate::config::LoadedConfig, choice: &ModelChoice) -> Result<crate::config::LoadedConfig, IpcError> {
    save_config(loaded, apply_choice(&loaded.config, choice)?)
}

/// The same for a gateway.
pub fn save_gateway(loaded: &crate::config::LoadedConfig, choice: &GatewayChoice) -> Result<crate::config::LoadedConfig, IpcError> {
    save_config(loaded, apply_gateway(&loaded.config, choice)?)
}

fn save_config(loaded: &crate::config::LoadedConfig, config: Config) -> Result<crate::config::LoadedConfig, IpcError> {
    crate::config::save(&loaded.path, &config, &loaded.policy).map_err(|e| IpcError::from_diagnose(&e))?;
    // Read back the way it was first loaded, so its notices (a sandbox's ignored org policy too) stay.
    crate::config::load_effective(&crate::config::ConfigLocation::Flag(loaded.path.clone())).map_err(|e| IpcError::from_diagnose(&e))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn choice() -> ModelChoice {
        ModelChoice {
            subscription_id: "s".into(),
            resource: "contoso-ai".into(),
            sonnet: "a".into(),
            haiku: "b".into(),
            opus: "c".into(),
            reuse_confirmed: false,
        }
    }

    #[test]
    fn a_gateway_choice_routes_claude_code_through_it() {
        let g = GatewayChoice {
            url: "https://llm.contoso.com/".into(),
            sonnet: "gw-sonnet".into(),
            haiku: "gw-haiku".into(),
            opus: "gw-opus".into(),
            reuse_confirmed: false,
        };
        let c = apply_gateway(&Config::default(), &g).unwrap();
        assert!(c.foundry.via_gateway);
        assert_eq!(c.foundry.endpoint, Some(FoundryEndpoint::at("https://llm.contoso.com/anthropic").unwrap()), "the base URL, not a resource");
        assert_eq!(c.gateway.url.as_deref(), Some("https://llm.contoso.com"));
        let spec = crate::profile::ProfileSpec::from_config(&c).unwrap();
        assert_eq!(spec.mode, crate::profile::AuthMode::Gateway);
        let bad = GatewayChoice { url: "http://llm.contoso.com".into(), ..g };
        assert!(apply_gateway(&Config::default(), &bad).is_err(), "plain http outside loopback");
    }

    #[test]
    fn a_choice_becomes_config_and_reuse_needs_confirmation() {
        let c = apply_choice(&Config::default(), &choice()).unwrap();
        assert_eq!(c.foundry.endpoint, Some(FoundryEndpoint::named("contoso-ai").unwrap()));
        assert_eq!(c.models.opus.as_deref(), Some("c"));
        let mut twice = choice();
        twice.opus = "a".into();
        assert!(apply_choice(&Config::default(), &twice).is_err());
        twice.reuse_confirmed = true;
        assert!(apply_choice(&Config::default(), &twice).is_ok());
        let mut bad = choice();
        bad.haiku = "has space".into();
        assert!(apply_choice(&Config::default(), &bad).is_err());
    }
}
