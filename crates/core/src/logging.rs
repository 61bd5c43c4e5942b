//! Where logs go on each OS, and whether a desktop session is there: facts about the host that
//! the README, the report and both faces state the same way.

use std::path::PathBuf;

/// `~/.local/state/foundry-onboard/logs` on Linux, the platform's local data dir elsewhere.
pub fn log_dir() -> Option<PathBuf> {
    let dirs = directories::ProjectDirs::from("com", "FoundryOnboard", "foundry-onboard")?;
    Some(dirs.state_dir().unwrap_or_else(|| dirs.data_local_dir()).join("logs"))
}

/// Linux and the BSDs need an X11 or Wayland display; macOS and Windows always have one.
pub fn display_available() -> bool {
    if cfg!(any(target_os = "macos", windows)) {
        return true;
    }
    ["DISPLAY", "WAYLAND_DISPLAY"].iter().any(|v| std::env::var_os(v).is_some_and(|s| !s.is_empty()))
}
