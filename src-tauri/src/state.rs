//! What the app holds while it runs: the loaded config (or why it failed to load) and, in
//! sandbox mode, the sandbox it started.

use crate::failure::{AppError, ipc};
use foundry_onboard_core::IpcError;
use foundry_onboard_core::config::{ConfigLocation, LoadedConfig};
use foundry_onboard_core::profile::{ProfileHome, default_targets};
use foundry_onboard_core::setup::{self, ProfileJob, SetupError};
use foundry_onboard_core::views::HomeTab;
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
    /// `--tab`: the home tab the app opens on.
    pub start_tab: Option<HomeTab>,
}

impl AppState {
    pub fn new(loaded: Result<LoadedConfig, SetupError>, sandbox: Option<Sandbox>, started: Instant, start_tab: Option<HomeTab>) -> Self {
        let info = sandbox.as_ref().map(Sandbox::info);
        Self {
            loaded: Mutex::new(loaded.map_err(ipc)),
            signin: Mutex::new(None),
            sign_in_page: Mutex::new(None),
            sandbox: Mutex::new(sandbox),
            info,
            started,
            painted: AtomicBool::new(false),
            start_tab,
        }
    }

    pub fn loaded(&self) -> Result<LoadedConfig, IpcError> {
        self.loaded.lock().map_err(|_| ipc(AppError::StatePoisoned))?.clone()
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

    /// Reads the config again from its file (after a job saved it).
    pub fn reload(&self) -> Result<(), IpcError> {
        let loaded = self.loaded()?;
        let fresh = foundry_onboard_core::config::load_effective(&ConfigLocation::Flag(loaded.path)).map_err(ipc)?;
        self.set_loaded(fresh);
        Ok(())
    }

    /// The config and where its profile files live; the CLI beside this app answers `secret print`.
    pub fn profile_home(&self) -> Result<(LoadedConfig, ProfileHome), IpcError> {
        let loaded = self.loaded()?;
        let cli = std::env::current_exe()
            .ok()
            .and_then(|p| p.parent().map(|d| d.join(if cfg!(windows) { "foundry-onboard.exe" } else { "foundry-onboard" })))
            .filter(|p| p.exists())
            .unwrap_or_else(|| "foundry-onboard".into());
        let home = ProfileHome::for_config(&loaded.config, &loaded.path, cli).map_err(ipc)?;
        Ok((loaded, home))
    }

    /// What the core's profile jobs need: the config file, its profile home, the default targets.
    pub fn profile_job(&self) -> Result<ProfileJob, IpcError> {
        let (loaded, home) = self.profile_home()?;
        Ok(ProfileJob { location: ConfigLocation::Flag(loaded.path.clone()), targets: default_targets(&loaded.config), home })
    }

    /// Takes the sandbox out so it can be shut down on exit.
    pub fn take_sandbox(&self) -> Option<Sandbox> {
        self.sandbox.lock().ok().and_then(|mut s| s.take())
    }
}

/// Loads the user config (or the sandbox's) exactly as the CLI does: the core's one loader,
/// which also refuses a config whose sandbox has stopped.
pub async fn load_config(flag: Option<&std::path::Path>, sandbox_config: Option<&std::path::Path>) -> Result<LoadedConfig, SetupError> {
    let location = match sandbox_config {
        Some(path) => ConfigLocation::Flag(path.to_path_buf()),
        None => ConfigLocation::resolve(flag)?,
    };
    setup::load_live(&location).await
}
