//! Budget alerts as desktop notifications: after each usage report (the Usage tab's refresh, or
//! the background watcher while the app runs, window shown or not) the core says which alert is
//! due, once per budget period; a click on the notification brings the window up on the Usage tab.

use foundry_onboard_core::config::Config;
use foundry_onboard_core::usage::{self, Outcome, Schedule, UsageAsk, UsageReport};
use std::time::Duration;
use tauri::{AppHandle, Emitter, Manager};
use tauri_plugin_notification::NotificationExt;
use tokio_util::sync::CancellationToken;

/// The event that makes the UI switch tabs; its payload is the tab's id.
pub const OPEN_TAB: &str = "open-tab";
/// The watcher's first look, soon after start but after the window's first paint.
const FIRST_LOOK: Duration = Duration::from_secs(2);
/// How often a watcher without a usage source looks at the config again (no network).
const CONFIG_RECHECK: Duration = Duration::from_secs(60);

/// Shows the notification `report` calls for, if any (the core's ledger makes it once per
/// threshold and budget period, across restarts).
pub fn observe(app: &AppHandle, config: &Config, report: &UsageReport) {
    let Some(notice) = usage::alert::due_now(config, report) else {
        tracing::info!(percent_used = report.percent_used, "usage checked for budget alerts: none due");
        return;
    };
    // The plugin sends it from a background thread and reports no delivery failure (no
    // notification server): the log says what was due either way.
    tracing::info!(threshold = notice.threshold, "budget alert sent to the desktop's notification server: {}", notice.title);
    let shown = app.notification().builder().id(i32::try_from(notice.threshold).unwrap_or(i32::MAX)).title(&notice.title).body(&notice.body).show();
    if let Err(e) = shown {
        tracing::warn!("cannot show the budget alert: {e}");
    }
}

/// A click on one of our notifications (the plugin reports it as `tap`) opens the Usage tab.
/// Registered before any notification is shown: the plugin offers the click only then.
pub fn listen_for_clicks(app: &AppHandle) {
    let handle = app.clone();
    let registered = app.notification().on_action(move |performed| {
        if performed.action_id() == "tap" {
            open_usage_tab(&handle);
        }
    });
    if let Err(e) = registered {
        tracing::warn!("clicks on budget alerts will not open the app: {e}");
    }
}

fn open_usage_tab(app: &AppHandle) {
    tracing::info!("budget alert clicked: opening the Usage tab");
    if let Some(w) = app.get_webview_window("main") {
        let _ = w.show();
        let _ = w.unminimize();
        let _ = w.set_focus();
    }
    if let Err(e) = app.emit(OPEN_TAB, "usage") {
        tracing::warn!("cannot open the Usage tab: {e}");
    }
}

/// Cancels the background watcher when the app exits.
pub struct Watcher(CancellationToken);

impl Watcher {
    pub fn stop(&self) {
        self.0.cancel();
    }
}

/// Starts the background watcher: it asks for usage on the core's [`Schedule`] (a first look
/// soon after start, from the cache when fresh) through the same one-in-flight `usage::report` as the Usage tab,
/// and hands each report to [`observe`]. While the config names no usage source it asks nothing
/// and only looks at the config again now and then (the wizard may add one).
pub fn start_watcher(app: &AppHandle) -> Watcher {
    let cancel = CancellationToken::new();
    let stop = cancel.clone();
    let app = app.clone();
    tauri::async_runtime::spawn(async move {
        // The Usage tab's window (it always asks for 90 days): the watcher and the open tab then
        // share one cached report and one request in flight instead of asking the source twice.
        let mut wait = FIRST_LOOK;
        let mut plan = (String::new(), Schedule::new(1));
        // The first look takes a fresh cached report as it is (a restart asks nothing new); after
        // that the schedule is the pace, and a cached report younger than refresh_minutes (the
        // schedule's jitter can come back sooner) must not hide a crossing for another round.
        let mut first = true;
        loop {
            tokio::select! {
                () = stop.cancelled() => return,
                () = tokio::time::sleep(wait) => {}
            }
            let config = match app.state::<crate::state::AppState>().loaded() {
                Ok(l) if usage::alert::watched(&l.config) => l.config,
                _ => {
                    wait = CONFIG_RECHECK;
                    continue;
                }
            };
            // A changed config (another source, another interval) starts a fresh schedule.
            let key = format!("{:?} {}", config.usage_source(), config.usage.refresh_minutes);
            if plan.0 != key {
                plan = (key, Schedule::new(config.usage.refresh_minutes));
            }
            let result = tokio::select! {
                () = stop.cancelled() => return,
                r = usage::report(&config, UsageAsk { days: usage::view::TAB_DAYS, force: !first }) => r,
            };
            match &result {
                Ok(report) => observe(&app, &config, report),
                Err(e) => tracing::info!("usage for budget alerts not available now: {e}"),
            }
            first = false;
            wait = plan.1.wait_after(Outcome::of(&result));
        }
    });
    Watcher(cancel)
}
