//! Loading the config the same way for every command, and refusing a dead sandbox's config.

use crate::args::Global;
use crate::output::report_error;
use foundry_onboard_core::config::{ConfigLocation, LoadedConfig, load_effective};
use foundry_onboard_core::{ErrorKind, IpcError};
use foundry_onboard_sandbox as sandbox;

/// The effective config, or the exit code after reporting why not.
pub fn load(global: &Global) -> Result<LoadedConfig, u8> {
    let loaded = ConfigLocation::resolve(global.config.as_deref()).and_then(|loc| load_effective(&loc)).map_err(|e| report_error(global.json, &e))?;
    for notice in &loaded.notices {
        eprintln!("note: {notice}");
    }
    Ok(loaded)
}

/// Like [`load`], and for a sandbox config also checks that its sandbox still answers.
pub fn load_live(global: &Global) -> Result<LoadedConfig, u8> {
    let loaded = load(global)?;
    if loaded.config.is_sandbox() {
        let running = super::runtime().map(|rt| rt.block_on(sandbox::is_running(&loaded.config))).unwrap_or(false);
        if !running {
            let err = IpcError::new(
                ErrorKind::Sandbox,
                format!("the sandbox that {} points at is not running", loaded.path.display()),
                "Start it again with `foundry-onboard sandbox --write-config FILE` and use the new file.",
            );
            return Err(report_error(global.json, &err));
        }
    }
    Ok(loaded)
}
