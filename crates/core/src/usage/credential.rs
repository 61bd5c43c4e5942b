//! The usage source's credential, fetched once in the core for both faces: the gateway key from
//! the realm's keyring, or an Entra token from az's cached token source (the gateway's scope, or
//! the Log Analytics API's with the signed-in identity's claim the query filters on); and, when
//! one is missing or refused, what brings it (`remedy`), with the Usage tab's way to store a key.

use super::UsageError;
use super::model::SourceKind;
use super::refresh::{Credential, LocalPaths};
use crate::Secret;
use crate::azure::AzError;
use crate::config::{Config, GatewayAuth, UserClaim};
use crate::error::{Diagnose, ErrorKind};
use crate::keyring::{SecretError, SecretStore};
use base64::Engine as _;
use serde::{Deserialize, Serialize};
use std::path::PathBuf;
use ts_rs::TS;

#[derive(Debug, thiserror::Error)]
pub enum CredentialError {
    #[error("no gateway key for the usage view: {0}")]
    GatewayKey(#[source] SecretError),
    #[error("gateway.auth is entra but gateway.scope is not set, so there is no scope to ask a token for")]
    NoGatewayScope,
    #[error("no Entra token for {scope}: {source}")]
    Token { scope: String, source: Box<AzError> },
    #[error("the signed-in identity's token carries no {claim} claim, which usage.user_claim names")]
    NoClaim { claim: &'static str },
}

impl Diagnose for CredentialError {
    fn kind(&self) -> ErrorKind {
        match self {
            CredentialError::GatewayKey(e) => e.kind(),
            CredentialError::Token { source, .. } => source.kind(),
            CredentialError::NoGatewayScope | CredentialError::NoClaim { .. } => ErrorKind::Config,
        }
    }
    fn hint(&self) -> String {
        match self {
            CredentialError::GatewayKey(e) => e.hint(),
            CredentialError::NoGatewayScope => {
                "The platform team sets gateway.scope (the gateway's Entra application scope, api://…/.default) or usage.source in the org policy; meanwhile `foundry-onboard usage --source local` shows this machine's own estimate.".into()
            }
            CredentialError::Token { source, .. } => source.hint(),
            CredentialError::NoClaim { claim: "upn" } => {
                "A guest or service identity may have no UPN: ask the platform team to key usage by oid (usage.user_claim = \"oid\").".into()
            }
            CredentialError::NoClaim { .. } => "Sign in again as a person (az login), not as a managed identity or service principal.".into(),
        }
    }
}

/// What lets a signed-out person see their usage.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, TS)]
#[serde(rename_all = "camelCase", tag = "kind")]
pub enum Remedy {
    /// An Entra token: `az login` (the wizard's Sign in step, or the CLI).
    SignIn,
    /// The gateway's key (`gateway.auth = "key"`): missing, or refused. The tab takes it and keeps
    /// it in the keyring, as `secret set gateway-key` does.
    #[serde(rename_all = "camelCase")]
    GatewayKey {
        /// In a sandbox: the file its gateway's key is in, to copy from.
        sandbox_key_file: Option<String>,
    },
}

/// What would fix a refresh that failed for want of the source's credential; None for any other
/// failure. A config that names no scope to ask a token for is a config error, which signing in
/// does not fix; a keyring that cannot be reached is not fixed by pasting a key either.
pub fn remedy(config: &Config, e: &UsageError) -> Option<Remedy> {
    use super::litellm::{GatewayCredential, LitellmError};
    use super::refresh::RefreshError;
    use CredentialError as C;
    let key = || Remedy::GatewayKey { sandbox_key_file: config.realm().sandbox_gateway_key_file().map(|p| p.display().to_string()) };
    match e {
        UsageError::Credential(C::NoGatewayScope | C::GatewayKey(SecretError::Unavailable(_) | SecretError::Keyring(_))) => None,
        UsageError::Credential(C::GatewayKey(_)) => Some(key()),
        UsageError::Litellm(LitellmError::Unauthorized { credential: GatewayCredential::Key, .. }) => Some(key()),
        UsageError::Refresh(RefreshError::MissingCredential { usage_source: "litellm", .. }) if config.gateway.auth == GatewayAuth::Key => Some(key()),
        UsageError::Credential(_) | UsageError::Refresh(RefreshError::MissingCredential { .. }) => Some(Remedy::SignIn),
        _ => None,
    }
}

/// Keeps the gateway key the person pasted into the Usage tab in the config's keyring (the sandbox's
/// own service in a sandbox), checked as `secret set` checks it; the blanks a paste brings along
/// are not part of any key.
pub fn save_gateway_key(config: &Config, key: &str) -> Result<(), SecretError> {
    SecretStore::for_realm(&config.realm()).set(crate::profile::GATEWAY_KEY, &crate::Secret::new(key.trim()))
}

/// The credential the configured usage source needs, fetched now.
pub async fn credential(config: &Config) -> Result<Credential, CredentialError> {
    match config.usage_source() {
        SourceKind::Local => Ok(Credential::None),
        SourceKind::Litellm if config.gateway.auth == GatewayAuth::Entra => {
            let scope = config.gateway.scope.clone().ok_or(CredentialError::NoGatewayScope)?;
            Ok(Credential::Gateway(token(config, &scope).await?))
        }
        SourceKind::Litellm => {
            let store = SecretStore::for_realm(&config.realm());
            Ok(Credential::Gateway(store.get(crate::profile::GATEWAY_KEY).map_err(CredentialError::GatewayKey)?))
        }
        SourceKind::AzureMonitor => {
            let token = token(config, crate::azure::names::LOG_ANALYTICS_SCOPE).await?;
            let user = claim(&token, config.usage.user_claim)?;
            Ok(Credential::LogAnalytics { token, user })
        }
    }
}

async fn token(config: &Config, scope: &str) -> Result<Secret, CredentialError> {
    crate::azure::session::token_for(config, scope).await.map_err(|source| CredentialError::Token { scope: scope.to_string(), source: Box::new(source) })
}

/// The claim `which` of the token's payload (read, not verified: the token came from az, and the
/// API that receives it verifies it).
pub fn claim(token: &Secret, which: UserClaim) -> Result<String, CredentialError> {
    let names: &[&'static str] = match which {
        UserClaim::Oid => &["oid"],
        UserClaim::Upn => &["upn", "preferred_username", "unique_name"],
    };
    let claim = names[0];
    let payload = token.expose().split('.').nth(1).ok_or(CredentialError::NoClaim { claim })?;
    let bytes = base64::engine::general_purpose::URL_SAFE_NO_PAD.decode(payload.trim_end_matches('=')).map_err(|_| CredentialError::NoClaim { claim })?;
    let value: serde_json::Value = serde_json::from_slice(&bytes).map_err(|_| CredentialError::NoClaim { claim })?;
    names.iter().find_map(|n| value.get(*n).and_then(|v| v.as_str()).filter(|s| !s.is_empty()).map(str::to_string)).ok_or(CredentialError::NoClaim { claim })
}

/// Where the `local` source looks: the sandbox's home in a sandbox, else `$HOME` and
/// `$CLAUDE_CONFIG_DIR`.
pub fn local_paths(config: &Config) -> LocalPaths {
    if let Some(home) = config.realm().profile_home() {
        return LocalPaths { home: home.to_path_buf(), claude_config_dir: None, index: super::cache::transcript_index_path(config) };
    }
    let var = |k: &str| std::env::var_os(k).filter(|v| !v.is_empty()).map(PathBuf::from);
    LocalPaths { home: var("HOME").unwrap_or_default(), claude_config_dir: var("CLAUDE_CONFIG_DIR"), index: super::cache::transcript_index_path(config) }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn jwt(payload: serde_json::Value) -> Secret {
        let b = |v: &str| base64::engine::general_purpose::URL_SAFE_NO_PAD.encode(v);
        Secret::new(format!("{}.{}.sig", b(r#"{"alg":"none"}"#), b(&payload.to_string())))
    }

    #[test]
    fn the_claim_is_read_from_the_token_the_query_runs_with() {
        let t = jwt(serde_json::json!({"aud": "https://api.loganalytics.io", "oid": "3f1c-oid", "upn": "o'brien@contoso.example"}));
        assert_eq!(claim(&t, UserClaim::Oid).unwrap(), "3f1c-oid");
        assert_eq!(claim(&t, UserClaim::Upn).unwrap(), "o'brien@contoso.example");
        let guest = jwt(serde_json::json!({"oid": "x", "preferred_username": "guest@example.com"}));
        assert_eq!(claim(&guest, UserClaim::Upn).unwrap(), "guest@example.com");
        let err = claim(&jwt(serde_json::json!({"oid": "x"})), UserClaim::Upn).unwrap_err();
        assert!(err.to_string().contains("upn") && err.hint().contains("oid"), "{err}");
        assert!(matches!(claim(&Secret::new("not-a-jwt"), UserClaim::Oid), Err(CredentialError::NoClaim { claim: "oid" })));
    }

    #[tokio::test]
    async fn local_needs_no_credential_and_a_gateway_key_comes_from_the_realms_keyring() {
        crate::keyring::use_mock_store();
        let home = tempfile::tempdir().unwrap();
        let mut config = Config::default();
        assert!(matches!(credential(&config).await, Ok(Credential::None)));
        config.sandbox =
            Some(crate::config::SandboxLink { home: home.path().into(), ca_file: home.path().join("ca.pem"), private_base_url: None, policy: None });
        config.gateway.url = Some("https://127.0.0.1:9".into());
        config.gateway.auth = GatewayAuth::Key;
        let store = SecretStore::for_realm(&config.realm());
        let _ = store.delete(crate::profile::GATEWAY_KEY);
        let err = credential(&config).await.err().unwrap();
        assert!(err.to_string().contains("gateway key") && err.hint().contains("gateway-key"), "{err}: {}", err.hint());
        store.set(crate::profile::GATEWAY_KEY, &Secret::new("sk-usage-test")).unwrap();
        match credential(&config).await {
            Ok(Credential::Gateway(s)) => assert_eq!(s.expose(), "sk-usage-test"),
            _ => panic!("the gateway key was not fetched"),
        }
        config.gateway.auth = GatewayAuth::Entra;
        assert!(matches!(credential(&config).await, Err(CredentialError::NoGatewayScope)));
        assert_eq!(local_paths(&config).home, home.path());
    }
}
