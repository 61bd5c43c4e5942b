//! Commands whose features arrive in later releases: they load and validate the config exactly
//! like the finished commands will (so a bad config reads the same everywhere), then say so.

use crate::args::Global;
use crate::failure::{CliError, Outcome};

pub fn run(global: &Global, name: &'static str) -> Outcome {
    super::config::load_live(global)?;
    Err(CliError::NotBuilt(name).into())
}
