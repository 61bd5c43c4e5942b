//! Where logs go on each OS, so the README, the report and the UI can all say the same thing.

use std::path::PathBuf;

/// `~/.local/state/foundry-onboard/logs` on Linux, the platform's local data dir elsewhere.
pub fn log_dir() -> Option<PathBuf> {
    let dirs = directories::ProjectDirs::from("com", "FoundryOnboard", "foundry-onboard")?;
    Some(dirs.state_dir().unwrap_or_else(|| dirs.data_local_dir()).join("logs"))
}
