//! What the faces ask about sign-in and discovery: az's state in one call, and discovery as the
//! signed-in user (az's token, cached per az, config dir, tenant and cloud).

use super::{AzError, az};
use crate::config::Config;
use crate::error::IpcError;
use serde::Serialize;
use ts_rs::TS;

#[derive(Debug, Clone, PartialEq, Eq, Serialize, TS)]
#[serde(rename_all = "camelCase")]
pub struct SignInStatus {
    /// Where az is, when it is installed.
    pub az_path: Option<String>,
    pub az_version: Option<String>,
    /// Why az cannot be used (missing, too old), with the install instructions as its hint.
    pub az_problem: Option<IpcError>,
    pub state: az::LoginState,
}

/// Finds az, reads its version, and reads who is signed in.
pub async fn status(config: &Config) -> SignInStatus {
    let state = az::login_state(config);
    let Some(az) = az::find() else {
        return SignInStatus { az_path: None, az_version: None, az_problem: Some(IpcError::from(AzError::NotInstalled)), state };
    };
    match az::version(&az, config).await {
        Ok(v) => SignInStatus { az_path: Some(az.display().to_string()), az_version: Some(v), az_problem: None, state },
        Err(e) => SignInStatus { az_path: Some(az.display().to_string()), az_version: None, az_problem: Some(IpcError::from(e)), state },
    }
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
    let key = (az.to_path_buf(), az::config_dir(config), config.azure.tenant.clone(), config.azure.arm_url.clone());
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
    let az = az::find().ok_or(AzError::NotInstalled)?;
    // A sandbox started again has new ports: point its private az cloud at them first.
    az::prepare_sandbox_cloud(&az, config).await?;
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
    let found = super::discovery::discover_all(&net, config, &token, only).await?;
    // The usage view prices a deployment as the model it serves.
    crate::usage::deployment_models::remember(config, found.subscriptions.iter().flat_map(|s| &s.accounts).flat_map(|a| &a.deployments));
    Ok(found)
}

/// Discovery's second phase as a signed-in user: the deployments of these accounts, each
/// reported as soon as it is listed.
pub async fn load_deployments_signed_in(
    config: &Config,
    account_ids: &[String],
    timeout_ms: u64,
    mut on_each: impl FnMut(super::discovery::AccountDeployments),
) -> Result<super::discovery::ArmCost, AzError> {
    let (net, token) = signed_in_arm(config, timeout_ms).await?;
    let mut seen = Vec::new();
    let cost = super::discovery::load_deployments(&net, config, &token, account_ids, |found| {
        seen.extend(found.deployments.iter().cloned());
        on_each(found)
    })
    .await;
    // The usage view prices a deployment as the model it serves.
    crate::usage::deployment_models::remember(config, &seen);
    cost
}

/// A token for `scope` as the signed-in user, from the same cached token source discovery uses
/// (the usage view asks for the gateway's scope or the Log Analytics API's).
pub async fn token_for(config: &Config, scope: &str) -> Result<crate::Secret, AzError> {
    let az = az::find().ok_or(AzError::NotInstalled)?;
    az::prepare_sandbox_cloud(&az, config).await?;
    token_source(&az, config)?.token(scope).await
}
