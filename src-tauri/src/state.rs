//! What the app holds while it runs: the loaded config (or why it failed to load) and, in
//! sandbox mode, the sandbox it started.

use foundry_onboard_core::IpcError;
use foundry_onboard_core::config::{ConfigError, ConfigLocation, LoadedConfig, load_effective};
use foundry_onboard_sandbox::{Sandbox, SandboxInfo};
use std::sync::Mutex;
use std::sync::atomic::{AtomicBool, Ordering};
use std::time::Instant;

pub struct AppState {
    loaded: Mutex<Result<LoadedConfig, IpcError>>,
    /// Cancels the sign-in in progress.
    pub signin: Mutex<Option<tokio_util::sync::CancellationToken>>,
    /// The device-login page of the sign-in in progress, as the core judged what az printed: the
    /// only page `open_sign_in_page` opens (the webview names none).
    pub sign_in_page: Mutex<Option<Result<String, IpcError>>>,
    sandbox: Mutex<Option<Sandbox>>,
    info: Option<SandboxInfo>,
    started: Instant,
    painted: AtomicBool,
}

impl AppState {
    pub fn new(loaded: Result<LoadedConfig, ConfigError>, sandbox: Option<Sandbox>, started: Instant) -> Self {
        let info = sandbox.as_ref().map(Sandbox::info);
        Self {
            loaded: Mutex::new(loaded.map_err(|e| IpcError::from_diagnose(&e))),
            signin: Mutex::new(None),
            sign_in_page: Mutex::new(None),
            sandbox: Mutex::new(sandbox),
            info,
            started,
            painted: AtomicBool::new(false),
        }
    }

    pub fn loaded(&self) -> Result<LoadedConfig, IpcError> {
        self.loaded.lock().map_err(|_| IpcError::new(foundry_onboard_core::ErrorKind::Internal, "state lock poisoned", "Restart the app."))?.clone()
    }

    /// After the config was saved: what every command reads from now on.
    pub fn set_loaded(&self, loaded: LoadedConfig) {
        if let Ok(mut l) = self.loaded.lock() {
            *l = Ok(loaded);
        }
    }

    pub fn sandbox_info(&self) -> Option<SandboxInfo> {
        self.info.clone()
    }

    pub fn mark_first_paint(&self) {
        if !self.painted.swap(true, Ordering::SeqCst) {
            println!("FIRST_PAINT ms={}", self.started.elapsed().as_millis());
        }
    }

    /// The config and where its profile files live; the CLI beside this app answers `secret print`.
    pub fn profile_home(&self) -> Result<(LoadedConfig, foundry_onboard_core::profile::ProfileHome), IpcError> {
        let loaded = self.loaded()?;
        let cli = std::env::current_exe()
            .ok()
            .and_then(|p| p.parent().map(|d| d.join(if cfg!(windows) { "foundry-onboard.exe" } else { "foundry-onboard" })))
            .filter(|p| p.exists())
            .unwrap_or_else(|| "foundry-onboard".into());
        let home = foundry_onboard_core::profile::ProfileHome::for_config(&loaded.config, &loaded.path, cli).map_err(|e| IpcError::from_diagnose(&e))?;
        Ok((loaded, home))
    }

    /// Takes the sandbox out so it can be shut down on exit.
    pub fn take_sandbox(&self) -> Option<Sandbox> {
        self.sandbox.lock().ok().and_then(|mut s| s.take())
    }
}

/// Loads the user config (or the sandbox's) exactly as the CLI does.
pub fn load_config(flag: Option<&std::path::Path>, sandbox_config: Option<&std::path::Path>) -> Result<LoadedConfig, ConfigError> {
    let location = match sandbox_config {
        Some(path) => ConfigLocation::Flag(path.to_path_buf()),
        None => ConfigLocation::resolve(flag)?,
    };
    load_effective(&location)
}
