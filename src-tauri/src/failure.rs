//! The app's side of the error edge: its own failures (a poisoned lock, no browser, no folder to
//! save in) as a module error like the core's, and [`ipc`] — the one place where any error becomes
//! the `{kind, message, hint}` the page shows, and is logged, once.

use foundry_onboard_core::{Diagnose, ErrorKind, IpcError};

#[derive(Debug, thiserror::Error)]
pub enum AppError {
    #[error("the app's state is unreadable after an earlier crash of a command")]
    StatePoisoned,
    #[error("cannot open a browser: {0}")]
    Browser(String),
    #[error("the doctor has not finished a run yet")]
    NoReport,
    #[error("no folder to save the report in")]
    NoSaveFolder,
    #[error("cannot write {}: {source}", path.display())]
    SaveReport { path: std::path::PathBuf, source: std::io::Error },
    #[error("cannot turn the report into JSON: {0}")]
    ReportJson(String),
    #[error("no usage report is shown yet")]
    NoUsageReport,
    #[error("{0} stopped before it finished")]
    TaskEnded(&'static str),
}

impl Diagnose for AppError {
    fn kind(&self) -> ErrorKind {
        match self {
            AppError::StatePoisoned | AppError::ReportJson(_) | AppError::TaskEnded(_) => ErrorKind::Internal,
            AppError::Browser(_) | AppError::NoSaveFolder | AppError::SaveReport { .. } => ErrorKind::Io,
            AppError::NoReport | AppError::NoUsageReport => ErrorKind::Config,
        }
    }
    fn hint(&self) -> String {
        match self {
            AppError::StatePoisoned => "Restart the app.".into(),
            AppError::Browser(_) => "Copy the address and open it in your browser yourself.".into(),
            AppError::NoReport => "Run the doctor first, then copy or save its report.".into(),
            AppError::NoSaveFolder => "Use Copy report and paste it into a file or ticket.".into(),
            AppError::SaveReport { .. } => "Use Copy report and paste it into a file or ticket instead.".into(),
            AppError::ReportJson(_) => "Report this as a bug.".into(),
            AppError::NoUsageReport => "Press Refresh on the Usage tab first.".into(),
            AppError::TaskEnded(_) => "Try again; if it keeps happening, restart the app and send its log to the help desk.".into(),
        }
    }
}

/// Any module's error as the page receives it, logged once here (the page shows it; the log
/// keeps it for the help desk).
pub fn ipc<E: Diagnose>(err: E) -> IpcError {
    let e = IpcError::from(err);
    tracing::warn!(kind = ?e.kind, message = %e.message, hint = %e.hint, "command failed");
    e
}
