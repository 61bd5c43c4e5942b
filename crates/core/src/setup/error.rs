//! What a job can fail on: each step's own error, kept whole so its kind and hint reach the face.

use crate::config::ConfigError;
use crate::config::policy::PolicyError;
use crate::error::{Diagnose, ErrorKind};
use crate::profile::ProfileError;

#[derive(Debug, thiserror::Error)]
pub enum SetupError {
    #[error(transparent)]
    Choice(#[from] super::ChoiceError),
    #[error(transparent)]
    Config(#[from] ConfigError),
    #[error(transparent)]
    Policy(#[from] PolicyError),
    #[error(transparent)]
    Profile(#[from] ProfileError),
    #[error("the sandbox that {} points at is not running", path.display())]
    SandboxGone { path: std::path::PathBuf },
    /// The config the choice leads to breaks a rule of the config file.
    #[error("{message}")]
    Invalid { message: String, hint: String },
}

impl Diagnose for SetupError {
    fn kind(&self) -> ErrorKind {
        match self {
            SetupError::Choice(e) => e.kind(),
            SetupError::Config(e) => e.kind(),
            SetupError::Policy(e) => e.kind(),
            SetupError::Profile(e) => e.kind(),
            SetupError::Invalid { .. } => ErrorKind::Config,
            SetupError::SandboxGone { .. } => ErrorKind::Sandbox,
        }
    }
    fn hint(&self) -> String {
        match self {
            SetupError::Choice(e) => e.hint(),
            SetupError::Config(e) => e.hint(),
            SetupError::Policy(e) => e.hint(),
            SetupError::Profile(e) => e.hint(),
            SetupError::Invalid { hint, .. } => hint.clone(),
            SetupError::SandboxGone { .. } => "Start the sandbox again (it writes a new config with its new ports) and use that config.".into(),
        }
    }
}
