//! The one configuration file — typed, readable by people, never holding a secret — and where
//! it lives. Loading merges the org policy underneath (see [`policy`]).

mod endpoint;
mod load;
pub mod policy;
mod source;
mod usage;
pub mod validate;

pub use endpoint::{BaseUrl, EndpointError, FoundryEndpoint, ResourceName};
pub(crate) use load::without_foundry;
pub use load::{CONFIG_ENV, ConfigError, ConfigLocation, LoadedConfig, load, load_effective, save, save_under_policy};
pub use source::{KNOWN_KEYS, ReadError, SourceFile};
pub use usage::{BudgetPeriod, KqlPreset, ModelPrice, PolicyBudget, Usage, UserClaim};

use ipnet::IpNet;
use serde::{Deserialize, Serialize};
use std::path::PathBuf;
use ts_rs::TS;

/// Everything the wizard writes. Every endpoint is overridable so the sandbox and tests run the
/// same code as production.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields, default)]
pub struct Config {
    pub azure: Azure,
    pub foundry: Foundry,
    pub models: Models,
    pub gateway: Gateway,
    pub network: Network,
    pub profile: Profile,
    /// Left out of a written file while it holds only defaults.
    #[serde(skip_serializing_if = "Usage::is_default")]
    pub usage: Usage,
    /// Present only in a config written by `foundry-onboard sandbox`: marks it as a sandbox config,
    /// which turns on the loopback-only guard.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub sandbox: Option<SandboxLink>,
    /// Only valid in the org policy file: keys people may not change.
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub locked: Vec<String>,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields, default)]
pub struct Azure {
    #[serde(skip_serializing_if = "Option::is_none")]
    pub tenant: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub subscription: Option<String>,
    pub arm_url: String,
    /// The Entra ID authority (login.microsoftonline.com in the public cloud).
    pub authority_url: String,
    pub login: LoginMode,
}

impl Default for Azure {
    fn default() -> Self {
        Self {
            tenant: None,
            subscription: None,
            arm_url: crate::azure::names::ARM_URL.into(),
            authority_url: crate::azure::names::AUTHORITY_URL.into(),
            login: LoginMode::Cli,
        }
    }
}

#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize, Deserialize, TS)]
#[serde(rename_all = "kebab-case")]
pub enum LoginMode {
    /// Entra ID through `az login`; no secret anywhere.
    #[default]
    Cli,
    /// A Foundry API key kept in the OS keyring.
    ApiKey,
}

/// The `[foundry]` section. In the file it is `resource = "…"` or `base_url = "…"` (never both);
/// here it is one [`FoundryEndpoint`], checked as it is read.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[serde(try_from = "endpoint::FoundryKeys", into = "endpoint::FoundryKeys")]
pub struct Foundry {
    /// None until the wizard (or `profile write --resource/--base-url`) chooses one.
    pub endpoint: Option<FoundryEndpoint>,
    pub via_gateway: bool,
}

#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields, default)]
pub struct Models {
    #[serde(skip_serializing_if = "Option::is_none")]
    pub sonnet: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub haiku: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub opus: Option<String>,
    /// What to do where the deployments are not named: ask (propose and confirm), or take the
    /// newest deployment of each tier. Mostly set by an org policy; left out of a file at `ask`.
    #[serde(skip_serializing_if = "ChooseModels::is_ask")]
    pub choose: ChooseModels,
}

/// `[models] choose`: how the deployments the config does not name are picked.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize, Deserialize, TS)]
#[serde(rename_all = "kebab-case")]
pub enum ChooseModels {
    /// Propose the newest per tier and let the person confirm (the wizard's proposal).
    #[default]
    Ask,
    /// Take the newest deployment of each tier without asking.
    Newest,
}

impl ChooseModels {
    pub fn is_ask(&self) -> bool {
        *self == ChooseModels::Ask
    }
}

#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields, default)]
pub struct Gateway {
    #[serde(skip_serializing_if = "Option::is_none")]
    pub url: Option<String>,
    pub kind: GatewayKind,
    pub auth: GatewayAuth,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub scope: Option<String>,
}

#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize, Deserialize, TS)]
#[serde(rename_all = "kebab-case")]
pub enum GatewayKind {
    #[default]
    Litellm,
    Generic,
}

#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize, Deserialize, TS)]
#[serde(rename_all = "kebab-case")]
pub enum GatewayAuth {
    #[default]
    Entra,
    Key,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields, default)]
pub struct Network {
    /// `ip:port` of the resolvers to ask; empty means the system's.
    pub dns_servers: Vec<String>,
    /// Where the private endpoint's addresses must fall.
    pub expected_cidrs: Vec<IpNet>,
    /// The TCP round trip above which the link counts as slow (the seed says < 50 ms).
    pub max_latency_ms: u32,
    /// A PEM bundle trusted in addition to the platform's roots (e.g. a TLS-inspecting proxy).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub extra_ca_file: Option<PathBuf>,
}

impl Default for Network {
    fn default() -> Self {
        Self { dns_servers: Vec::new(), expected_cidrs: Vec::new(), max_latency_ms: 50, extra_ca_file: None }
    }
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields, default)]
pub struct Profile {
    pub shells: Vec<Shell>,
    pub claude_settings: bool,
    /// Written as `CLAUDE_CODE_MAX_OUTPUT_TOKENS` (Claude Code does not read `ANTHROPIC_MAX_TOKENS`).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub max_output_tokens: Option<u32>,
}

impl Default for Profile {
    fn default() -> Self {
        Self { shells: Vec::new(), claude_settings: true, max_output_tokens: None }
    }
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, TS)]
#[serde(rename_all = "kebab-case")]
pub enum Shell {
    Bash,
    Zsh,
    Fish,
    Pwsh,
}

/// What ties a config to a running sandbox: its private directory and CA.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct SandboxLink {
    /// The sandbox's own home: profiles, az config and Claude settings go here, never to `~`.
    pub home: PathBuf,
    /// The CA generated at sandbox start; trusted only in sandbox mode.
    pub ca_file: PathBuf,
    /// The Foundry endpoint by its Azure name (`https://<res>.services.ai.azure.com:<port>/anthropic`),
    /// which only the sandbox's DNS server resolves. Claude Code gets a `localhost` URL (the
    /// system resolver knows no sandbox names); the doctor follows this one through the sandbox
    /// DNS, so its path checks meet the DNS faults a real network has.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub private_base_url: Option<String>,
    /// The policy file this sandbox was started with (`sandbox --policy FILE`, absolute): the
    /// config is loaded over it instead of the system-wide org policy (see
    /// [`policy::SANDBOX_OWNED_KEYS`] for what the sandbox keeps its own).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub policy: Option<PathBuf>,
}

impl Config {
    /// A sandbox config turns on the loopback-only guard in [`crate::net`].
    pub fn is_sandbox(&self) -> bool {
        self.sandbox.is_some()
    }

    /// The TOML a person reads and the wizard writes.
    pub fn to_toml(&self) -> Result<String, toml::ser::Error> {
        toml::to_string_pretty(self)
    }
}
