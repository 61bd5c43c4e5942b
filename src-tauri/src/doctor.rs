//! The doctor's IPC surface: a run streamed to the page over a channel (one at a time, cancellable
//! at once), its report kept for Copy and Save, and the one-click trust of an inspection CA.

use crate::failure::{AppError, ipc};
use crate::state::AppState;
use foundry_onboard_core::IpcError;
use foundry_onboard_core::doctor::{self, DoctorEvent, DoctorOptions, Report};
use foundry_onboard_core::setup;
use serde::Deserialize;
use std::path::{Path, PathBuf};
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::{Arc, Mutex};
use tauri::ipc::Channel;
use tauri::{AppHandle, Manager, State};
use tokio_util::sync::CancellationToken;

/// The run in progress (so a cancel or a second run stops it) and the last finished report.
#[derive(Default)]
pub struct DoctorState {
    current: Mutex<Option<(u64, CancellationToken)>>,
    runs: AtomicU64,
    last: Mutex<Option<Report>>,
}

impl DoctorState {
    /// Cancels the run in progress, if any, and registers a new one.
    fn begin(&self) -> (u64, CancellationToken) {
        let id = self.runs.fetch_add(1, Ordering::SeqCst) + 1;
        let token = CancellationToken::new();
        if let Ok(mut cur) = self.current.lock()
            && let Some((_, old)) = cur.replace((id, token.clone()))
        {
            old.cancel();
        }
        (id, token)
    }

    /// Keeps the report unless a newer run has started since (its report will be the one to copy).
    fn finish(&self, id: u64, report: &Report) {
        let newest = self.current.lock().map(|mut cur| match cur.as_ref() {
            Some((cur_id, _)) if *cur_id == id => {
                *cur = None;
                true
            }
            Some(_) => false,
            None => true,
        });
        if newest.unwrap_or(false)
            && let Ok(mut last) = self.last.lock()
        {
            *last = Some(report.clone());
        }
    }

    fn cancel(&self) {
        if let Some((_, token)) = self.current.lock().ok().and_then(|mut c| c.take()) {
            token.cancel();
        }
    }

    fn last(&self) -> Result<Report, AppError> {
        self.last.lock().ok().and_then(|l| l.clone()).ok_or(AppError::NoReport)
    }
}

/// Runs every check, streaming each event to the page; ends with the whole report.
#[tauri::command]
pub async fn doctor_run(
    state: State<'_, AppState>,
    runs: State<'_, DoctorState>,
    with_claude: bool,
    on_event: Channel<DoctorEvent>,
) -> Result<Report, IpcError> {
    let (loaded, home) = state.profile_home()?;
    // Claude Code would start in the home directory of the profile (the sandbox's, in sandbox mode).
    let mut options = DoctorOptions::new(loaded.path.clone(), home.cli.clone(), home.home.clone());
    options.with_claude = with_claude;
    let (id, cancel) = runs.begin();
    let emit: Arc<dyn Fn(DoctorEvent) + Send + Sync> = Arc::new(move |event| {
        let _ = on_event.send(event);
    });
    let report = doctor::run(&loaded.config, options, cancel, emit).await.map_err(ipc)?;
    runs.finish(id, &report);
    Ok(report)
}

/// Stops the run in progress at once (every check still running ends as "cancelled").
#[tauri::command]
pub fn doctor_cancel(runs: State<'_, DoctorState>) {
    runs.cancel();
}

/// The last report as Markdown, for Copy.
#[tauri::command]
pub fn doctor_report_markdown(runs: State<'_, DoctorState>) -> Result<String, IpcError> {
    Ok(runs.last().map_err(ipc)?.markdown())
}

#[derive(Debug, Clone, Copy, Deserialize, ts_rs::TS)]
#[serde(rename_all = "lowercase")]
pub enum ReportFormat {
    Md,
    Json,
}

/// Saves the last report (the webview does no file IO, and there is no save dialog) into the
/// Downloads folder, else Documents, else home, else beside the config; returns the path.
#[tauri::command]
pub fn doctor_save_report(app: AppHandle, state: State<'_, AppState>, runs: State<'_, DoctorState>, format: ReportFormat) -> Result<String, IpcError> {
    let report = runs.last().map_err(ipc)?;
    let (ext, bytes) = match format {
        ReportFormat::Md => ("md", report.markdown().into_bytes()),
        ReportFormat::Json => ("json", serde_json::to_vec_pretty(&report).map_err(|e| ipc(AppError::ReportJson(e.to_string())))?),
    };
    let dir = save_folder(&app, &state)?;
    let path = free_name(&dir, &report_stem(&report.time), ext);
    foundry_onboard_core::atomic_file::write_private(&path, &bytes).map_err(|source| ipc(AppError::SaveReport { path: path.clone(), source }))?;
    Ok(path.display().to_string())
}

/// Where the app saves what a person asks to keep (no save dialog): Downloads, else Documents,
/// else home, else beside the config.
pub fn save_folder(app: &AppHandle, state: &AppState) -> Result<PathBuf, IpcError> {
    let paths = app.path();
    let config_dir = state.loaded().ok().and_then(|l| l.path.parent().map(Path::to_path_buf));
    [paths.download_dir().ok(), paths.document_dir().ok(), paths.home_dir().ok(), config_dir]
        .into_iter()
        .flatten()
        .find(|d| d.is_dir())
        .ok_or_else(|| ipc(AppError::NoSaveFolder))
}

/// Trusts the inspection CA the last run offered: the CA joins the extra-CA bundle, the config
/// points at it, and the profile is written again so Node (Claude Code) gets `NODE_EXTRA_CA_CERTS`.
/// Returns the bundle's path. Only a CA the doctor itself presented is accepted.
#[tauri::command]
pub async fn doctor_trust_ca(state: State<'_, AppState>, runs: State<'_, DoctorState>, pem: String) -> Result<String, IpcError> {
    let job = state.profile_job()?;
    let bundle = setup::trust_offered_ca(&job, runs.last().ok().as_ref(), &pem).await.map_err(ipc)?;
    state.reload()?;
    Ok(bundle.display().to_string())
}

/// `foundry-onboard-report-20261130T120824` from an RFC 3339 time (no `:`, valid on every OS).
fn report_stem(time: &str) -> String {
    let stamp: String = time.chars().take(19).filter(|c| c.is_ascii_digit() || *c == 'T').collect();
    format!("foundry-onboard-report-{stamp}")
}

pub fn free_name(dir: &Path, stem: &str, ext: &str) -> PathBuf {
    let first = dir.join(format!("{stem}.{ext}"));
    if !first.exists() {
        return first;
    }
    (2..1000).map(|n| dir.join(format!("{stem}-{n}.{ext}"))).find(|p| !p.exists()).unwrap_or(first)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn report_names_carry_the_time_and_never_overwrite() {
        assert_eq!(report_stem("2026-11-30T12:08:24.584101218Z"), "foundry-onboard-report-20261130T120824");
        let dir = std::env::temp_dir().join(format!("fo-report-{}", std::process::id()));
        std::fs::create_dir_all(&dir).unwrap_or_default();
        let a = free_name(&dir, "r", "md");
        assert_eq!(a, dir.join("r.md"));
        std::fs::write(&a, "x").unwrap_or_default();
        assert_eq!(free_name(&dir, "r", "md"), dir.join("r-2.md"));
        let _ = std::fs::remove_dir_all(&dir);
    }

    #[test]
    fn a_second_run_cancels_the_first_and_only_the_newest_report_is_kept() {
        let s = DoctorState::default();
        let (first, t1) = s.begin();
        let (second, t2) = s.begin();
        assert!(t1.is_cancelled(), "a second run cancels the first");
        assert!(!t2.is_cancelled());
        assert!(s.last().is_err());
        s.cancel();
        assert!(t2.is_cancelled(), "cancel stops the run in progress");
        let _ = (first, second);
    }

    #[test]
    fn report_formats_are_md_and_json() {
        assert!(matches!(serde_json::from_str::<ReportFormat>("\"md\""), Ok(ReportFormat::Md)));
        assert!(matches!(serde_json::from_str::<ReportFormat>("\"json\""), Ok(ReportFormat::Json)));
        assert!(serde_json::from_str::<ReportFormat>("\"pdf\"").is_err());
    }
}
