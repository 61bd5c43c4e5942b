//! The IPC surface: each command takes the state, makes one core call, maps the error.

use crate::state::AppState;
use foundry_onboard_core::profile::{self, ProfileOutcome, ProfilePreview};
use foundry_onboard_core::views::{AppInfo, ConfigView};
use foundry_onboard_core::IpcError;
use tauri::State;

#[tauri::command]
pub fn app_info(state: State<'_, AppState>) -> Result<AppInfo, IpcError> {
    Ok(AppInfo::gather(&state.loaded()?, state.sandbox_info()))
}

#[tauri::command]
pub fn config_view(state: State<'_, AppState>) -> Result<ConfigView, IpcError> {
    Ok(ConfigView::of(&state.loaded()?))
}

/// The first-paint probe the startup benchmark reads from stdout.
#[tauri::command]
pub fn mark_first_paint(state: State<'_, AppState>) {
    state.mark_first_paint();
}

/// The Profile step's preview: every file's diff and what Claude Code sees now.
#[tauri::command]
pub fn profile_preview(state: State<'_, AppState>) -> Result<ProfilePreview, IpcError> {
    let (loaded, home) = state.profile_home()?;
    profile::preview(&loaded.config, &home, &profile::default_targets(&loaded.config), &home.home).map_err(|e| IpcError::from_diagnose(&e))
}

/// Writes the profile, then checks each shell and the real client (off the UI thread).
#[tauri::command]
pub async fn profile_write(state: State<'_, AppState>) -> Result<ProfileOutcome, IpcError> {
    let (loaded, home) = state.profile_home()?;
    profile::write_and_verify(&loaded.config, &home, &profile::default_targets(&loaded.config), true).await.map_err(|e| IpcError::from_diagnose(&e))
}
