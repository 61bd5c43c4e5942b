//! Commands whose features arrive in later releases: they load and validate the config exactly
//! like the finished commands will (so a bad config reads the same everywhere), then say so.

use crate::args::Global;
use crate::output::report_error;
use foundry_onboard_core::{ErrorKind, IpcError};

pub fn run(global: &Global, name: &str) -> u8 {
    if let Err(code) = super::config::load_live(global) {
        return code;
    }
    let err = IpcError::new(
        ErrorKind::NotBuilt,
        format!("`foundry-onboard {name}` is not built yet in version {}", foundry_onboard_core::VERSION),
        format!("It arrives in a later release; {} and the desktop app work today. See `foundry-onboard --help`.", super::readiness::working()),
    );
    report_error(global.json, &err)
}
