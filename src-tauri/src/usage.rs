//! The Usage tab's IPC surface: thin commands over `usage::tab` — the first paint from the cached
//! report (disk only), the refresh with its next time from the core's schedule, the charts of
//! another range or token kind from the report held here (no network), and the CSV export
//! written atomically into Downloads (no save dialog; the page shows where it went).

use crate::failure::{AppError, ipc};
use crate::state::AppState;
use foundry_onboard_core::IpcError;
use foundry_onboard_core::usage::schedule::{Outcome, Schedule};
use foundry_onboard_core::usage::tab::{self, Refreshed, TabAnswer, TabAsk, UsageTab};
use foundry_onboard_core::usage::{UsageReport, view_charts};
use std::sync::Mutex;
use tauri::{AppHandle, State};

/// The last report the tab showed (and this machine's beside it), and the polling plan.
#[derive(Default)]
pub struct UsageState {
    shown: Mutex<Option<(UsageReport, Option<UsageReport>)>>,
    schedule: Mutex<Option<Schedule>>,
}

impl UsageState {
    fn keep(&self, report: UsageReport, local: Option<UsageReport>) {
        if let Ok(mut s) = self.shown.lock() {
            *s = Some((report, local));
        }
    }

    fn shown(&self) -> Option<(UsageReport, Option<UsageReport>)> {
        self.shown.lock().ok().and_then(|s| s.clone())
    }

    /// Milliseconds until the next automatic refresh after one that ended with `outcome`.
    fn next_in_ms(&self, refresh_minutes: u32, outcome: Outcome) -> u64 {
        match self.schedule.lock() {
            Ok(mut s) => tab::next_in_ms(s.get_or_insert_with(|| Schedule::new(refresh_minutes)), outcome),
            Err(_) => tab::next_in_ms(&mut Schedule::new(refresh_minutes), outcome),
        }
    }
}

/// The first paint: the cached report's view from disk, before any network and without charts
/// (they come with the refresh right after); None when nothing is cached.
#[tauri::command]
pub async fn usage_cached(state: State<'_, AppState>, tabs: State<'_, UsageState>) -> Result<Option<UsageTab>, IpcError> {
    let config = state.loaded()?.config;
    let Some(report) = tab::cached(&config) else { return Ok(None) };
    let shown = tab::first_paint(&config, &report);
    if tabs.shown().is_none() {
        tabs.keep(report, None);
    }
    Ok(Some(shown))
}

/// Refreshes through the cache (`force` asks the source now) and answers the tab — shown,
/// signed out or failed — with when to refresh next.
#[tauri::command]
pub async fn usage_refresh(app: AppHandle, state: State<'_, AppState>, tabs: State<'_, UsageState>, ask: TabAsk, force: bool) -> Result<Refreshed, IpcError> {
    let config = state.loaded()?.config;
    let (result, outcome) = tab::refresh(&config, force).await;
    let next_in_ms = tabs.next_in_ms(config.usage.refresh_minutes, outcome);
    let report = match result {
        Ok(report) => report,
        Err(answer) => return Ok(Refreshed { answer, next_in_ms }),
    };
    // A refresh from the tab can cross a threshold too: the same once-per-period alert.
    crate::alerts::observe(&app, &config, &report);
    let local = tab::local_beside(&config).await;
    let shown = tab::tab(&config, &report, local.as_ref(), ask).map_err(ipc)?;
    tabs.keep(report, local);
    Ok(Refreshed { answer: TabAnswer::Shown(Box::new(shown)), next_in_ms })
}

/// Another range, token kind or theme, drawn from the report the tab shows (no network).
#[tauri::command]
pub async fn usage_charts(state: State<'_, AppState>, tabs: State<'_, UsageState>, ask: TabAsk) -> Result<UsageTab, IpcError> {
    let config = state.loaded()?.config;
    let (report, local) = tabs.shown().ok_or_else(|| ipc(AppError::NoUsageReport))?;
    tab::tab(&config, &report, local.as_ref(), ask).map_err(ipc)
}

/// Writes the rows of the last `days` days as CSV into Downloads (else Documents, else home);
/// resolves to the file's path.
#[tauri::command]
pub async fn usage_export_csv(app: AppHandle, state: State<'_, AppState>, tabs: State<'_, UsageState>, days: u32) -> Result<String, IpcError> {
    let (report, _) = tabs.shown().ok_or_else(|| ipc(AppError::NoUsageReport))?;
    let days = tab::clamp_days(days);
    let text = view_charts::csv(&report, days).map_err(ipc)?;
    let dir = crate::doctor::save_folder(&app, &state)?;
    let stamp = report.snapshot.as_of.format("%Y%m%dT%H%M%S");
    let path = crate::doctor::free_name(&dir, &format!("foundry-onboard-usage-{days}d-{stamp}"), "csv");
    foundry_onboard_core::atomic_file::write_private(&path, text.as_bytes()).map_err(|source| ipc(AppError::SaveReport { path: path.clone(), source }))?;
    Ok(path.display().to_string())
}

/// Keeps the gateway key pasted into the signed-out tab in the keyring (never a file, never the
/// log: IPC calls are logged by name only); the page refreshes right after.
#[tauri::command]
pub async fn usage_save_gateway_key(state: State<'_, AppState>, key: String) -> Result<(), IpcError> {
    let config = state.loaded()?.config;
    // The Secret Service answers over D-Bus: off the async workers.
    let saved = tauri::async_runtime::spawn_blocking(move || foundry_onboard_core::usage::credential::save_gateway_key(&config, &key)).await;
    match saved {
        Ok(result) => result.map_err(ipc),
        Err(_) => Err(ipc(AppError::TaskEnded("saving the gateway key"))),
    }
}
