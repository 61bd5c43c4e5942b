//! What goes wrong with `az`, sign-in and ARM, with the next step.

use super::aadsts::Explained;
use crate::error::{Diagnose, ErrorKind};

#[derive(Debug, thiserror::Error)]
pub enum AzError {
    #[error("the Azure CLI (az) is not installed")]
    NotInstalled,
    #[error("az {found} is too old (2.54 or newer is needed: older versions do not report token expiry)")]
    TooOld { found: String },
    #[error("you are not signed in to Azure")]
    NotLoggedIn,
    #[error("{}", explained.as_ref().map(|e| format!("{}: {}", e.code, e.sentence)).unwrap_or_else(|| format!("`az {command}` failed: {stderr}")))]
    Failed { command: String, stderr: String, explained: Option<Explained> },
    #[error("`az {command}` did not finish within {secs} s and was stopped")]
    Timeout { command: String, secs: u64 },
    #[error("sign-in was cancelled")]
    Cancelled,
    #[error("cannot run az: {0}")]
    Spawn(String),
    #[error("az printed something that is not the expected JSON: {0}")]
    Parse(String),
    #[error("Azure Resource Manager answered {status} for {what}: {code}: {message}")]
    Arm { status: u16, what: String, code: String, message: String },
    #[error("Azure Resource Manager sent a link to {target}, which is not {arm}: not followed")]
    ForeignLink { target: String, arm: String },
    #[error("{0:?} is not an Azure AI Foundry resource id")]
    NotAnAccount(String),
    #[error(transparent)]
    Network(#[from] crate::net::NetError),
}

/// Per-OS install instructions, copyable.
pub fn install_hint() -> String {
    if cfg!(target_os = "macos") {
        "Install it with Homebrew: `brew install azure-cli`, then open a new terminal.".into()
    } else if cfg!(windows) {
        "Install it with winget: `winget install -e --id Microsoft.AzureCLI`, then open a new terminal.".into()
    } else {
        "Install a current Azure CLI: `curl -sL https://aka.ms/InstallAzureCLIDeb | sudo bash` (Debian/Ubuntu), or `python3 -m venv ~/.azcli && ~/.azcli/bin/pip install azure-cli`. Debian's own `azure-cli` package (2.45) is too old.".into()
    }
}

impl Diagnose for AzError {
    fn kind(&self) -> ErrorKind {
        match self {
            AzError::Network(n) => n.kind(),
            AzError::NotInstalled | AzError::TooOld { .. } | AzError::NotAnAccount(_) => ErrorKind::Config,
            _ => ErrorKind::Network,
        }
    }

    fn hint(&self) -> String {
        match self {
            AzError::NotInstalled | AzError::TooOld { .. } => install_hint(),
            AzError::NotLoggedIn => "Run `foundry-onboard login` (or `az login`).".into(),
            AzError::Failed { explained: Some(e), .. } => e.next_step.clone(),
            AzError::Failed { stderr, .. } if stderr.contains("az login") => "Run `foundry-onboard login` (or `az login`).".into(),
            AzError::Failed { stderr, .. } if ["Failed to establish a new connection", "NameResolutionError", "Max retries exceeded", "ConnectTimeout"].iter().any(|m| stderr.contains(m)) => {
                "az could not reach Entra ID or Azure Resource Manager: check the VPN and the proxy (HTTPS_PROXY / NO_PROXY), then run `foundry-onboard doctor`.".into()
            }
            AzError::Failed { .. } => "Run the same az command yourself to see its full output; `foundry-onboard doctor` checks the path.".into(),
            AzError::Timeout { .. } => "az may be waiting on the network or a prompt: check the VPN and proxy, then try again (or raise --timeout-ms).".into(),
            AzError::Cancelled => "Start the sign-in again when you are ready.".into(),
            AzError::Spawn(_) => "Check that az is executable (`az version`).".into(),
            AzError::Parse(_) => "A warning printed before the JSON can cause this; update az (`az upgrade`).".into(),
            AzError::Arm { status: 401, .. } => "Your sign-in expired: run `foundry-onboard login` again.".into(),
            AzError::Arm { status: 403, .. } => "Ask your Azure admin for Reader access on the subscription (and Azure AI User on the resource).".into(),
            AzError::Arm { status: 429, .. } => "Azure throttled the requests: wait a minute and try again.".into(),
            AzError::Arm { .. } => "Try again; if it persists, check the Azure status page.".into(),
            AzError::ForeignLink { .. } => "This is unexpected from Azure: report it. Your token was not sent to that host.".into(),
            AzError::NotAnAccount(_) => "Look for the resources again.".into(),
            AzError::Network(n) => n.hint(),
        }
    }
}
