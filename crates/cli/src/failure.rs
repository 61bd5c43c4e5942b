//! How a command ends: an [`Exit`] code with its verdict, or a [`Failure`] — any module's error,
//! or the CLI's own ([`CliError`]) — printed once and mapped to the documented exit code here,
//! at the edge (the core knows no exit codes).

use foundry_onboard_core::{Diagnose, ErrorKind};

/// The documented exit codes: 0 ok, 1 warnings only, 2 failures, 3 usage or config error.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Exit {
    Ok = 0,
    Warnings = 1,
    Failures = 2,
    Usage = 3,
}

/// What every command returns.
pub type Outcome = Result<Exit, Failure>;

/// A failure as the person reads it: what went wrong, and what to do next.
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize)]
pub struct Failure {
    pub kind: ErrorKind,
    pub message: String,
    pub hint: String,
}

impl<E: Diagnose> From<E> for Failure {
    fn from(err: E) -> Self {
        Self { kind: err.kind(), message: err.to_string(), hint: err.hint() }
    }
}

impl Failure {
    /// Config and policy errors exit 3; every other failure 2.
    pub fn exit(&self) -> Exit {
        match self.kind {
            ErrorKind::Config | ErrorKind::Policy => Exit::Usage,
            _ => Exit::Failures,
        }
    }

    /// A next step only the CLI has (a flag), after the person's hint.
    pub fn with_flag_hint(mut self, flag_hint: &str) -> Self {
        self.hint = format!("{} ({flag_hint})", self.hint.trim_end_matches('.'));
        self
    }

    /// What was being done, before the error's own words.
    pub fn context(mut self, doing: &str) -> Self {
        self.message = format!("{doing}: {}", self.message);
        self
    }
}

/// The CLI's own errors: its flags, its terminal, its runtime.
#[derive(Debug, thiserror::Error)]
pub enum CliError {
    #[error("--only {0:?} names no check or section")]
    UnknownCheck(String, String),
    #[error("refusing to print a secret to a terminal")]
    SecretToTerminal,
    #[error("cannot check the key: no sonnet deployment is chosen")]
    NoSonnetToCheck,
    #[error("cannot read the secret: {0}")]
    ReadSecret(std::io::Error),
    #[error("cannot write the report to {}: {source}", path.display())]
    WriteReport { path: std::path::PathBuf, source: std::io::Error },
    #[error("cannot start the async runtime: {0}")]
    Runtime(std::io::Error),
    #[error("`foundry-onboard {0}` is not built yet in version {version}", version = foundry_onboard_core::VERSION)]
    // Every command works since `usage` (#20); kept for the next command that lands before its feature.
    #[allow(dead_code)]
    NotBuilt(&'static str),
}

impl Diagnose for CliError {
    fn kind(&self) -> ErrorKind {
        match self {
            CliError::UnknownCheck(..) | CliError::SecretToTerminal | CliError::NoSonnetToCheck => ErrorKind::Config,
            CliError::ReadSecret(_) | CliError::WriteReport { .. } => ErrorKind::Io,
            CliError::Runtime(_) => ErrorKind::Internal,
            CliError::NotBuilt(_) => ErrorKind::NotBuilt,
        }
    }
    fn hint(&self) -> String {
        match self {
            CliError::UnknownCheck(_, ids) => format!("Use a check id ({ids}), a prefix (env, signin, path, foundry, gateway) or a section."),
            CliError::SecretToTerminal => "This is for the shell profile (`$(foundry-onboard secret print NAME)`); add --force to show it anyway.".into(),
            CliError::NoSonnetToCheck => "Choose the deployments first (`profile write --sonnet …`), or pass --no-verify.".into(),
            CliError::ReadSecret(_) => "Pipe it in: `printf %s \"$KEY\" | foundry-onboard secret set NAME`.".into(),
            CliError::WriteReport { .. } => "Choose a writable path for --report.".into(),
            CliError::Runtime(_) => "Report this as a bug.".into(),
            CliError::NotBuilt(_) => {
                format!("It arrives in a later release; {} and the desktop app work today. See `foundry-onboard --help`.", crate::commands::working())
            }
        }
    }
}

/// The multi-threaded runtime the async commands run on, as a [`Failure`] when it cannot start.
pub fn runtime() -> Result<tokio::runtime::Runtime, Failure> {
    crate::commands::runtime().map_err(|e| CliError::Runtime(e).into())
}
