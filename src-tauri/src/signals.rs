//! Ctrl-C in the terminal `make run` started, a `kill`, a closed SSH session: the app ends as if
//! its window were closed, so a sandbox it started removes its directory, and the keys in it.

use tauri::AppHandle;

/// Closes the app on SIGINT, SIGTERM or SIGHUP (through `RunEvent::Exit`, like the window's close).
pub fn end_on_signals(app: &AppHandle) {
    let app = app.clone();
    tauri::async_runtime::spawn(async move {
        use tokio::signal::unix::{SignalKind, signal};
        let (Ok(mut interrupt), Ok(mut terminate), Ok(mut hangup)) =
            (signal(SignalKind::interrupt()), signal(SignalKind::terminate()), signal(SignalKind::hangup()))
        else {
            tracing::warn!("cannot listen for signals: a killed app leaves its sandbox directory behind");
            return;
        };
        let name = tokio::select! {
            _ = interrupt.recv() => "SIGINT",
            _ = terminate.recv() => "SIGTERM",
            _ = hangup.recv() => "SIGHUP",
        };
        tracing::info!(signal = name, "closing on a signal");
        app.exit(0);
    });
}
