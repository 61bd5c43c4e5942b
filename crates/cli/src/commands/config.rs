//! Loading the config for every command through the core's one loader, and printing its notices.

use crate::args::Global;
use crate::failure::{Failure, runtime};
use foundry_onboard_core::config::{ConfigLocation, LoadedConfig, load_effective};
use foundry_onboard_core::setup;

/// Where `--config` / `$FOUNDRY_ONBOARD_CONFIG` / the default put the config.
pub fn location(global: &Global) -> Result<ConfigLocation, Failure> {
    Ok(ConfigLocation::resolve(global.config.as_deref())?)
}

/// The effective config (for commands that reach no endpoint).
pub fn load(global: &Global) -> Result<LoadedConfig, Failure> {
    let loaded = load_effective(&location(global)?)?;
    print_notices(&loaded);
    Ok(loaded)
}

/// The effective config, refusing a sandbox config whose sandbox has stopped (as the app does).
pub fn load_live(global: &Global) -> Result<LoadedConfig, Failure> {
    let location = location(global)?;
    let loaded = runtime()?.block_on(setup::load_live(&location)).map_err(|e| {
        let gone = matches!(e, setup::SetupError::SandboxGone { .. });
        let f = Failure::from(e);
        if gone { f.with_flag_hint("`foundry-onboard sandbox --write-config FILE` starts one and writes its config") } else { f }
    })?;
    print_notices(&loaded);
    Ok(loaded)
}

fn print_notices(loaded: &LoadedConfig) {
    for notice in &loaded.notices {
        eprintln!("note: {notice}");
    }
}
