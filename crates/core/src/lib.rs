//! Foundry Onboard's domain, written once for both faces: the `foundry-onboard` CLI and the
//! `foundry-onboard-gui` desktop app. Nothing here depends on Tauri or any GUI library.

pub mod anthropic;
pub mod atomic_file;
pub mod azure;
pub mod bindings;
pub mod config;
pub mod doctor;
pub mod error;
pub mod foundry;
#[cfg(test)]
mod fuzz;
pub mod limited_read;
pub mod logging;
pub mod net;
pub mod policy;
pub(crate) mod process;
pub mod profile;
pub mod redact;
pub mod sandbox;
pub mod secret;
pub mod secrets;
pub mod status;
pub mod views;

pub use error::{Diagnose, ErrorKind, IpcError};
pub use secret::Secret;
pub use status::Status;

/// The version shared by the CLI, the app and every report.
pub const VERSION: &str = env!("CARGO_PKG_VERSION");
