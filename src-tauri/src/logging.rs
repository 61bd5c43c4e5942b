//! The app's log file in the platform log dir. Secrets never reach it: they are `Secret`s,
//! whose Debug and Display print `***`.

use tracing_appender::non_blocking::{NonBlockingBuilder, WorkerGuard};

/// Lines the writer thread may lag behind; past that, lines are dropped rather than the app
/// blocked (tracing-appender's lossy mode). The app logs a few lines a minute; the default
/// (128 000) allocates and touches a 4 MiB queue up front, the largest single block of the app's
/// memory.
const QUEUED_LINES: usize = 1024;

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
    let (writer, guard) = NonBlockingBuilder::default().buffered_lines_limit(QUEUED_LINES).finish(appender);
    let filter = tracing_subscriber::EnvFilter::try_from_env("FOUNDRY_ONBOARD_LOG").unwrap_or_else(|_| tracing_subscriber::EnvFilter::new("info"));
    tracing_subscriber::fmt().with_env_filter(filter).with_writer(writer).with_ansi(false).try_init().ok()?;
    Some(guard)
}
