//! Plain data the faces show: what the app is running against and the effective config.

use crate::config::LoadedConfig;
use crate::sandbox_info::SandboxInfo;
use serde::Serialize;
use ts_rs::TS;

/// The status line: version, sandbox or not, which files are in play.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, TS)]
#[serde(rename_all = "camelCase")]
pub struct AppInfo {
    pub version: String,
    pub os: String,
    pub sandbox: Option<SandboxInfo>,
    /// The config is a sandbox config (the loopback guard is on), whoever started the sandbox.
    pub sandbox_config: bool,
    pub config_file: Option<String>,
    pub policy_file: Option<String>,
    pub log_dir: Option<String>,
}

impl AppInfo {
    pub fn gather(loaded: &LoadedConfig, sandbox: Option<SandboxInfo>) -> Self {
        Self {
            version: crate::VERSION.to_string(),
            os: format!("{} {}", std::env::consts::OS, std::env::consts::ARCH),
            sandbox,
            sandbox_config: loaded.config.is_sandbox(),
            config_file: Some(loaded.path.display().to_string()).filter(|_| loaded.exists),
            policy_file: loaded.policy.path().map(|p| p.display().to_string()),
            log_dir: crate::logging::log_dir().map(|p| p.display().to_string()),
        }
    }
}

/// The Settings tab: the effective config as TOML, and what the org policy locks.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, TS)]
#[serde(rename_all = "camelCase")]
pub struct ConfigView {
    pub toml: String,
    pub locked: Vec<String>,
    pub notices: Vec<String>,
    /// What the org policy decided for onboarding and what is left to ask (the wizard skips
    /// what is decided and shows who decided it).
    pub decided: crate::setup::Decided,
}

impl ConfigView {
    pub fn of(loaded: &LoadedConfig) -> Self {
        Self {
            toml: loaded.config.to_toml().unwrap_or_else(|e| format!("# cannot show the config: {e}")),
            locked: loaded.policy.enforced_locks(),
            notices: loaded.notices.clone(),
            decided: crate::setup::decided(loaded),
        }
    }
}
