//! The app's log file in the platform log dir. Secrets never reach it: they are `Secret`s,
//! whose Debug and Display print `***`.

use tracing_appender::non_blocking::WorkerGuard;

pub fn init() -> Option<WorkerGuard> {
    let dir = foundry_onboard_core::logging::log_dir()?;
    std::fs::create_dir_all(&dir).ok()?;
    let appender = tracing_appender::rolling::Builder::new()
        .rotation(tracing_appender::rolling::Rotation::DAILY)
        .filename_prefix("foundry-onboard-gui")
        .filename_suffix("log")
        .max_log_files(7)
        .build(&dir)
        .ok()?;
    let (writer, guard) = tracing_appender::non_blocking(appender);
    let filter = tracing_subscriber::EnvFilter::try_from_env("FOUNDRY_ONBOARD_LOG").unwrap_or_else(|_| tracing_subscriber::EnvFilter::new("info"));
    tracing_subscriber::fmt().with_env_filter(filter).with_writer(writer).with_ansi(false).try_init().ok()?;
    Some(guard)
}
