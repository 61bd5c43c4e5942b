//! Commands whose features arrive in later releases: they load and validate the config exactly
//! like the finished commands will (so a bad config reads the same everywhere), then say so.

use crate::args::Global;
use crate::output::report_error;
use foundry_onboard_core::config::{ConfigLocation, load_effective};
use foundry_onboard_core::{ErrorKind, IpcError, sandbox};

pub fn run(global: &Global, name: &str) -> u8 {
    let loaded = match ConfigLocation::resolve(global.config.as_deref())
        .and_then(|loc| load_effective(&loc))
    {
        Ok(l) => l,
        Err(e) => return report_error(global.json, &e),
    };
    for notice in &loaded.notices {
        eprintln!("note: {notice}");
    }
    if loaded.config.is_sandbox() {
        let running = super::runtime().map(|rt| rt.block_on(sandbox::is_running(&loaded.config))).unwrap_or(false);
        if !running {
            let err = IpcError::new(
                ErrorKind::Sandbox,
                format!("the sandbox that {} points at is not running", loaded.path.display()),
                "Start it again with `foundry-onboard sandbox --write-config FILE` and use the new file.",
            );
            return report_error(global.json, &err);
        }
    }
    let err = IpcError::new(
        ErrorKind::NotBuilt,
        format!("`foundry-onboard {name}` is not built yet in version {}", foundry_onboard_core::VERSION),
        "It arrives in a later release; `foundry-onboard sandbox` and the desktop app work today. See `foundry-onboard --help`.",
    );
    report_error(global.json, &err)
}
