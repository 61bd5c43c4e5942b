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
    /// `--tab`: the app opens on this tab of its home instead of the wizard.
    pub start_tab: Option<HomeTab>,
}

/// A tab of the app's home, as `--tab` names it (a "Check my budget" shortcut opens `usage`).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, TS)]
#[serde(rename_all = "camelCase")]
pub enum HomeTab {
    Usage,
    Doctor,
    Settings,
}

impl HomeTab {
    pub const ALL: [HomeTab; 3] = [HomeTab::Usage, HomeTab::Doctor, HomeTab::Settings];

    pub fn as_str(self) -> &'static str {
        match self {
            HomeTab::Usage => "usage",
            HomeTab::Doctor => "doctor",
            HomeTab::Settings => "settings",
        }
    }

    /// `--tab NAME`; the error names the tabs there are.
    pub fn parse(s: &str) -> Result<Self, String> {
        Self::ALL.into_iter().find(|t| t.as_str() == s.trim()).ok_or_else(|| {
            let names: Vec<&str> = Self::ALL.iter().map(|t| t.as_str()).collect();
            format!("--tab {s:?} names no tab of the app (there are {})", names.join(", "))
        })
    }
}

impl AppInfo {
    pub fn gather(loaded: &LoadedConfig, sandbox: Option<SandboxInfo>, start_tab: Option<HomeTab>) -> Self {
        Self {
            version: crate::VERSION.to_string(),
            os: format!("{} {}", std::env::consts::OS, std::env::consts::ARCH),
            sandbox,
            sandbox_config: loaded.config.is_sandbox(),
            config_file: Some(loaded.path.display().to_string()).filter(|_| loaded.exists),
            policy_file: loaded.policy.path().map(|p| p.display().to_string()),
            log_dir: crate::logging::log_dir().map(|p| p.display().to_string()),
            start_tab,
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

#[cfg(test)]
mod tests {
    use super::HomeTab;

    #[test]
    fn tab_names_round_trip_and_a_wrong_one_names_the_tabs_there_are() {
        for t in HomeTab::ALL {
            assert_eq!(HomeTab::parse(t.as_str()), Ok(t));
            assert_eq!(serde_json::to_value(t).unwrap(), serde_json::json!(t.as_str()), "the page's TabId is the same word");
        }
        assert_eq!(HomeTab::parse("Usage").unwrap_err(), "--tab \"Usage\" names no tab of the app (there are usage, doctor, settings)");
    }
}
