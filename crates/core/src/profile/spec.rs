//! What the profile sets, derived from the config: PRODUCT.md §6's table and nothing else.

use super::ProfileError;
use crate::config::{Config, FoundryEndpoint, LoginMode, validate};
use std::path::Path;

/// The keyring entry holding the Foundry API key.
pub const FOUNDRY_API_KEY: &str = "foundry-api-key";
/// The keyring entry holding the gateway credential.
pub const GATEWAY_KEY: &str = "gateway-key";

/// Every variable a profile of ours may set (for conflict checks and for verification).
pub const MANAGED_VARIABLES: &[&str] = &[
    "CLAUDE_CODE_USE_FOUNDRY",
    "ANTHROPIC_FOUNDRY_RESOURCE",
    "ANTHROPIC_FOUNDRY_BASE_URL",
    "ANTHROPIC_DEFAULT_SONNET_MODEL",
    "ANTHROPIC_DEFAULT_HAIKU_MODEL",
    "ANTHROPIC_DEFAULT_OPUS_MODEL",
    "AZURE_TOKEN_CREDENTIALS",
    "ANTHROPIC_FOUNDRY_API_KEY",
    "CLAUDE_CODE_SKIP_FOUNDRY_AUTH",
    "ANTHROPIC_CUSTOM_HEADERS",
    "CLAUDE_CODE_MAX_OUTPUT_TOKENS",
    "NODE_EXTRA_CA_CERTS",
    "AZURE_CONFIG_DIR",
    "REQUESTS_CA_BUNDLE",
];

#[derive(Debug, Clone, Copy, PartialEq, Eq, serde::Serialize, ts_rs::TS)]
#[serde(rename_all = "kebab-case")]
pub enum AuthMode {
    /// `az login`; no secret anywhere.
    Entra,
    /// `ANTHROPIC_FOUNDRY_API_KEY` from the keyring at shell start.
    ApiKey,
    /// A gateway in front of Foundry: SKIP auth + the gateway credential as a header.
    Gateway,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub enum EnvValue {
    Literal(String),
    /// Read from the keyring when the shell starts; never written to a file.
    Keyring {
        secret: &'static str,
        prefix: &'static str,
    },
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct EnvEntry {
    pub name: &'static str,
    pub value: EnvValue,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ProfileSpec {
    pub mode: AuthMode,
    pub entries: Vec<EnvEntry>,
}

fn lit(name: &'static str, v: impl Into<String>) -> EnvEntry {
    EnvEntry { name, value: EnvValue::Literal(v.into()) }
}

impl ProfileSpec {
    pub fn from_config(config: &Config) -> Result<Self, ProfileError> {
        let realm = config.realm();
        let mode = if config.foundry.via_gateway {
            AuthMode::Gateway
        } else if config.azure.login == LoginMode::ApiKey {
            AuthMode::ApiKey
        } else {
            AuthMode::Entra
        };
        let mut entries = vec![lit("CLAUDE_CODE_USE_FOUNDRY", "1")];
        // The endpoint's type already holds its rules (one key, a valid name or URL).
        match &config.foundry.endpoint {
            Some(FoundryEndpoint::Resource(r)) => entries.push(lit("ANTHROPIC_FOUNDRY_RESOURCE", r.as_str())),
            Some(FoundryEndpoint::BaseUrl(b)) => entries.push(lit("ANTHROPIC_FOUNDRY_BASE_URL", b.trimmed())),
            None => return Err(ProfileError::NoEndpoint),
        }
        for (tier, name, value) in [
            ("sonnet", "ANTHROPIC_DEFAULT_SONNET_MODEL", &config.models.sonnet),
            ("haiku", "ANTHROPIC_DEFAULT_HAIKU_MODEL", &config.models.haiku),
            ("opus", "ANTHROPIC_DEFAULT_OPUS_MODEL", &config.models.opus),
        ] {
            let v = value.as_ref().ok_or(ProfileError::MissingModel { tier })?;
            validate::deployment_name(v).map_err(|m| ProfileError::Invalid { key: "models", message: format!("{tier} deployment {v:?}: {m}") })?;
            entries.push(lit(name, v.clone()));
        }
        match mode {
            AuthMode::Entra => entries.push(lit("AZURE_TOKEN_CREDENTIALS", "dev")),
            AuthMode::ApiKey => entries.push(EnvEntry { name: "ANTHROPIC_FOUNDRY_API_KEY", value: EnvValue::Keyring { secret: FOUNDRY_API_KEY, prefix: "" } }),
            AuthMode::Gateway => {
                entries.push(lit("CLAUDE_CODE_SKIP_FOUNDRY_AUTH", "1"));
                entries.push(EnvEntry { name: "ANTHROPIC_CUSTOM_HEADERS", value: EnvValue::Keyring { secret: GATEWAY_KEY, prefix: "Authorization: Bearer " } });
            }
        }
        if let Some(n) = config.profile.max_output_tokens {
            entries.push(lit("CLAUDE_CODE_MAX_OUTPUT_TOKENS", n.to_string()));
        }
        if let Some(ca) = &config.network.extra_ca_file {
            extra_ca_file_exists(ca)?;
        }
        // Node reads one CA file: the extra CA file (in a sandbox, a bundle that already holds the
        // sandbox CA, see doctor::trust_ca), else the sandbox CA. Then what makes Claude Code's own
        // `az` reach the sandbox, never the real tenant (nothing for Azure).
        if let Some(ca) = realm.ca_bundle() {
            entries.push(lit("NODE_EXTRA_CA_CERTS", ca.display().to_string()));
        }
        for (name, value) in realm.az_env() {
            entries.push(lit(name, value));
        }
        // The block is line-based and a terminal shows it: no line break, NUL or escape sequence.
        for e in &entries {
            if let EnvValue::Literal(v) = &e.value
                && let Some(c) = v.chars().find(|c| c.is_control())
            {
                return Err(ProfileError::Invalid { key: "profile", message: format!("{} holds the control character U+{:04X}", e.name, u32::from(c)) });
            }
        }
        Ok(Self { mode, entries })
    }

    /// The entries that may go into a file read by other programs: no secret, ever.
    pub fn literal_entries(&self) -> impl Iterator<Item = (&'static str, &str)> {
        self.entries.iter().filter_map(|e| match &e.value {
            EnvValue::Literal(v) => Some((e.name, v.as_str())),
            EnvValue::Keyring { .. } => None,
        })
    }
}

/// `NODE_EXTRA_CA_CERTS` names a file Node reads at every start: absolute (config loading makes a
/// relative one absolute against the config file's directory) and there.
fn extra_ca_file_exists(ca: &Path) -> Result<(), ProfileError> {
    let invalid = |message: String| ProfileError::Invalid { key: "network.extra_ca_file", message };
    if !ca.is_absolute() {
        return Err(invalid(format!("{} is a relative path; write it in full (a config file's relative path is read from its own directory)", ca.display())));
    }
    match std::fs::metadata(ca) {
        Ok(m) if m.is_file() => Ok(()),
        Ok(_) => Err(invalid(format!("{} is not a file; point it at the PEM bundle", ca.display()))),
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => {
            Err(invalid(format!("{} does not exist; Claude Code would start without the extra CA and fail every TLS connection", ca.display())))
        }
        Err(e) => Err(invalid(format!("{} cannot be read: {e}", ca.display()))),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn base() -> Config {
        let mut c = Config::default();
        c.foundry.endpoint = Some(crate::config::FoundryEndpoint::named("contoso-ai").unwrap());
        c.models.sonnet = Some("claude-sonnet-4-5".into());
        c.models.haiku = Some("claude-haiku-4-5".into());
        c.models.opus = Some("claude-opus-4-6".into());
        c
    }

    fn names(s: &ProfileSpec) -> Vec<&str> {
        s.entries.iter().map(|e| e.name).collect()
    }

    #[test]
    fn entra_mode_is_exactly_the_table() {
        let s = ProfileSpec::from_config(&base()).unwrap();
        assert_eq!(s.mode, AuthMode::Entra);
        assert_eq!(
            names(&s),
            [
                "CLAUDE_CODE_USE_FOUNDRY",
                "ANTHROPIC_FOUNDRY_RESOURCE",
                "ANTHROPIC_DEFAULT_SONNET_MODEL",
                "ANTHROPIC_DEFAULT_HAIKU_MODEL",
                "ANTHROPIC_DEFAULT_OPUS_MODEL",
                "AZURE_TOKEN_CREDENTIALS"
            ]
        );
        assert!(s.entries.iter().any(|e| e.name == "AZURE_TOKEN_CREDENTIALS" && e.value == EnvValue::Literal("dev".into())));
        for e in &s.entries {
            assert!(MANAGED_VARIABLES.contains(&e.name));
        }
    }

    #[test]
    fn api_key_and_gateway_keep_secrets_in_the_keyring() {
        let mut c = base();
        c.azure.login = LoginMode::ApiKey;
        let s = ProfileSpec::from_config(&c).unwrap();
        assert!(s.entries.iter().any(|e| e.name == "ANTHROPIC_FOUNDRY_API_KEY" && matches!(e.value, EnvValue::Keyring { secret: FOUNDRY_API_KEY, .. })));
        assert!(!names(&s).contains(&"AZURE_TOKEN_CREDENTIALS"));
        assert!(s.literal_entries().all(|(n, _)| n != "ANTHROPIC_FOUNDRY_API_KEY"));

        let mut g = base();
        g.foundry.endpoint = Some(crate::config::FoundryEndpoint::at("https://llm.contoso.com/anthropic").unwrap());
        g.foundry.via_gateway = true;
        g.gateway.url = Some("https://llm.contoso.com".into());
        let s = ProfileSpec::from_config(&g).unwrap();
        assert_eq!(s.mode, AuthMode::Gateway);
        assert!(names(&s).contains(&"CLAUDE_CODE_SKIP_FOUNDRY_AUTH"));
        assert!(s.literal_entries().all(|(n, _)| n != "ANTHROPIC_CUSTOM_HEADERS"));
    }

    #[test]
    fn all_three_tiers_are_required_and_names_are_checked() {
        let mut c = base();
        c.models.opus = None;
        assert!(matches!(ProfileSpec::from_config(&c), Err(ProfileError::MissingModel { tier: "opus" })));
        let mut c = base();
        c.models.haiku = Some("bad name;".into());
        assert!(matches!(ProfileSpec::from_config(&c), Err(ProfileError::Invalid { .. })));
        // A URL given as the resource name cannot even be made (see config::endpoint).
        assert!(crate::config::FoundryEndpoint::named("https://x.services.ai.azure.com").is_err());
        let mut c = base();
        c.foundry.endpoint = None;
        assert!(matches!(ProfileSpec::from_config(&c), Err(ProfileError::NoEndpoint)));
    }

    #[test]
    fn finding_15_a_missing_or_relative_extra_ca_file_is_refused() {
        let dir = tempfile::tempdir().unwrap();
        let mut c = base();
        c.network.extra_ca_file = Some(dir.path().join("missing.pem"));
        let err = ProfileSpec::from_config(&c).unwrap_err();
        assert!(err.to_string().contains("network.extra_ca_file") && err.to_string().contains("does not exist"), "{err}");
        c.network.extra_ca_file = Some("corp.pem".into());
        let err = ProfileSpec::from_config(&c).unwrap_err();
        assert!(err.to_string().contains("network.extra_ca_file"), "{err}");
        std::fs::write(dir.path().join("corp.pem"), "pem").unwrap();
        c.network.extra_ca_file = Some(dir.path().join("corp.pem"));
        let s = ProfileSpec::from_config(&c).unwrap();
        assert!(s.literal_entries().any(|(n, v)| n == "NODE_EXTRA_CA_CERTS" && v == dir.path().join("corp.pem").to_str().unwrap()));
    }

    #[test]
    fn finding_01_control_characters_in_a_written_value_are_refused_by_name() {
        let dir = tempfile::tempdir().unwrap();
        let ca = dir.path().join("corp\u{1b}]0;x\u{7}.pem");
        std::fs::write(&ca, "pem").unwrap();
        let mut c = base();
        c.network.extra_ca_file = Some(ca);
        let err = ProfileSpec::from_config(&c).unwrap_err().to_string();
        assert!(err.contains("NODE_EXTRA_CA_CERTS") && err.contains("U+001B"), "{err}");
    }

    #[test]
    fn max_output_tokens_not_anthropic_max_tokens() {
        let mut c = base();
        c.profile.max_output_tokens = Some(16000);
        let s = ProfileSpec::from_config(&c).unwrap();
        assert!(names(&s).contains(&"CLAUDE_CODE_MAX_OUTPUT_TOKENS"));
        assert!(!names(&s).contains(&"ANTHROPIC_MAX_TOKENS"));
    }
}
