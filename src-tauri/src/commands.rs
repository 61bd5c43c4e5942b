//! The IPC surface: each command takes the state, makes one core call, maps the error.

use crate::state::AppState;
use foundry_onboard_core::IpcError;
use foundry_onboard_core::views::{AppInfo, ConfigView};
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
