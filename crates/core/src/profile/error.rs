//! What can stop a profile from being written or removed, with the next step.

use crate::error::{Diagnose, ErrorKind};
use std::path::PathBuf;

#[derive(Debug, thiserror::Error)]
pub enum ProfileError {
    #[error("no Foundry endpoint is configured (foundry.resource or foundry.base_url)")]
    NoEndpoint,
    #[error("no deployment is chosen for the {tier} tier (models.{tier})")]
    MissingModel { tier: &'static str },
    #[error("{key}: {message}")]
    Invalid { key: &'static str, message: String },
    #[error("{}: {source}", path.display())]
    Block { path: PathBuf, source: super::block::BlockError },
    #[error("cannot read {}: {source}", path.display())]
    Read { path: PathBuf, source: std::io::Error },
    #[error("cannot write {}: {source}", path.display())]
    Write { path: PathBuf, source: std::io::Error },
    #[error("{} changed while it was being updated", path.display())]
    ChangedSinceRead { path: PathBuf },
    #[error("{} is not valid JSON ({detail}); Claude Code skips such a file silently", path.display())]
    SettingsInvalid { path: PathBuf, detail: String },
    #[error("{} holds JSON that is not an object", path.display())]
    SettingsNotObject { path: PathBuf },
    #[error("no home directory was found")]
    NoHome,
    #[error("{} is a symbolic link loop (it never reaches a file)", path.display())]
    SymlinkLoop { path: PathBuf },
    #[error("will not replace {}: {reason}", path.display())]
    Protected { path: PathBuf, reason: String },
    #[error("{} is a symbolic link to {}, whose directory does not exist", path.display(), target.display())]
    DanglingLink { path: PathBuf, target: PathBuf },
    #[error("cannot read {}: {source}", path.display())]
    TooLarge { path: PathBuf, source: std::io::Error },
    #[error("Foundry Onboard's profile state {} is not valid ({detail})", path.display())]
    StateInvalid { path: PathBuf, detail: String },
    #[error("another foundry-onboard is writing the profile (it holds {})", path.display())]
    Busy { path: PathBuf },
}

impl Diagnose for ProfileError {
    fn kind(&self) -> ErrorKind {
        match self {
            ProfileError::NoEndpoint | ProfileError::MissingModel { .. } | ProfileError::Invalid { .. } => ErrorKind::Config,
            _ => ErrorKind::Io,
        }
    }

    fn hint(&self) -> String {
        match self {
            ProfileError::NoEndpoint => "Choose the resource in the app's setup, or pass --resource NAME or --base-url URL.".into(),
            ProfileError::MissingModel { .. } => "Choose all three tiers (sonnet, haiku, opus): Claude Code falls back to retired model names without them. Pass --sonnet/--haiku/--opus or set [models] in the config.".into(),
            ProfileError::Invalid { .. } => "Fix the value in the config (or the flag) and run the command again.".into(),
            ProfileError::Block { .. } => "Open the file and delete the stray or duplicate foundry-onboard marker lines (# >>> foundry-onboard >>> / # <<< foundry-onboard <<<), then run the command again.".into(),
            ProfileError::Read { .. } | ProfileError::Write { .. } => "Check the file's permissions (ls -l) and that its directory is writable; nothing was changed.".into(),
            ProfileError::ChangedSinceRead { .. } => "Another program edited the file at the same moment; nothing was written. Run the command again.".into(),
            ProfileError::SettingsInvalid { .. } | ProfileError::SettingsNotObject { .. } => "Fix the JSON (comments and trailing commas are not allowed), or move the file aside; it was left untouched.".into(),
            ProfileError::NoHome => "Set $HOME and run the command again.".into(),
            ProfileError::SymlinkLoop { .. } => "Fix or delete the link (`ls -l` shows where it points), then run the command again; nothing was changed.".into(),
            ProfileError::Protected { .. } => "Nothing was changed. If the block belongs in this file, make it yours and writable (`chmod u+w`); or add the lines yourself (`foundry-onboard profile show` lists them).".into(),
            ProfileError::DanglingLink { .. } => "Create the link's target directory, point the link at a file that can exist, or delete the link; nothing was created.".into(),
            ProfileError::TooLarge { .. } => "Nothing was changed. Check that the path is the file you meant (not a log or a device); trim the file or move it aside.".into(),
            ProfileError::StateInvalid { .. } => "Move the state file aside and run the command again. Blocks written before are then left alone: delete them by hand (they start with # >>> foundry-onboard >>>).".into(),
            ProfileError::Busy { .. } => "Wait for the other foundry-onboard (CLI or app) to finish, then run the command again.".into(),
        }
    }
}
