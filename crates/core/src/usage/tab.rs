//! The Usage tab's use cases, once in the core: the first paint from the cached report (disk only),
//! the refresh (the one `usage::report`, plus this machine's transcripts to compare with), and the
//! answer the page renders — or "signed out" as a state, not an error, when the source's
//! credential is missing.

use super::SourceKind;
use super::cache::{self, UsageAsk};
use super::chart::{ChartError, Theme};
use super::credential::Remedy;
use super::refresh::UsageReport;
use super::schedule::Outcome;
use super::table::TokenKind;
use super::view::{self, Comparison, TAB_DAYS, UsageView};
use super::view_charts::{self, RangeCharts};
use crate::config::Config;
use crate::error::{Diagnose, IpcError};
use serde::{Deserialize, Serialize};
use ts_rs::TS;

/// What the page asks to see.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, TS)]
#[serde(rename_all = "camelCase")]
pub struct TabAsk {
    /// One of [`view::RANGES`] (other values are clamped to 1..=90).
    pub days: u32,
    pub kind: TokenKind,
    pub theme: Theme,
}

/// A report as the tab shows it.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, TS)]
#[serde(rename_all = "camelCase")]
pub struct UsageTab {
    pub view: UsageView,
    /// This machine beside the gateway (or Azure Monitor) over the range, when both have numbers.
    pub comparison: Option<Comparison>,
    /// None on the first paint from disk: the gauge and the sentences come first, the charts with
    /// the refresh right after.
    pub charts: Option<RangeCharts>,
    /// True for the first paint from disk, before any network.
    pub from_cache: bool,
    /// The report is stale because the source refused or lacked the credential: what brings fresh
    /// numbers (a gateway key the tab takes, or a sign-in).
    pub remedy: Option<Remedy>,
}

/// What a refresh answers: a failure is an answer too (the page keeps what it showed and waits
/// for the next refresh the schedule sets).
#[derive(Debug, Clone, PartialEq, Serialize, TS)]
#[serde(rename_all = "camelCase", tag = "kind")]
pub enum TabAnswer {
    Shown(Box<UsageTab>),
    /// The source needs a credential this person does not have yet (no gateway key, not signed in).
    #[serde(rename_all = "camelCase")]
    SignedOut {
        source: SourceKind,
        message: String,
        hint: String,
        /// What brings the numbers: signing in, or a gateway key pasted into the tab.
        remedy: Remedy,
    },
    /// The source failed and nothing is cached to show stale.
    #[serde(rename_all = "camelCase")]
    Failed {
        error: IpcError,
    },
}

/// A refresh's answer and when the page should ask again (the core's [`super::Schedule`] decides;
/// the page only waits).
#[derive(Debug, Clone, PartialEq, Serialize, TS)]
#[serde(rename_all = "camelCase")]
pub struct Refreshed {
    pub answer: TabAnswer,
    /// Milliseconds until the next automatic refresh while the tab is open.
    #[ts(type = "number")]
    pub next_in_ms: u64,
}

/// How long the page waits before the next automatic refresh, in ms, by `schedule`.
pub fn next_in_ms(schedule: &mut super::Schedule, outcome: Outcome) -> u64 {
    let now = chrono::Utc::now();
    u64::try_from((schedule.next(now, outcome) - now).num_milliseconds()).unwrap_or(0)
}

/// The range asked for, kept within what the tab fetched.
pub fn clamp_days(days: u32) -> u32 {
    days.clamp(1, TAB_DAYS)
}

/// The tab built from `report` (and this machine's own report, to compare with).
pub fn tab(config: &Config, report: &UsageReport, local: Option<&UsageReport>, ask: TabAsk) -> Result<UsageTab, ChartError> {
    let days = clamp_days(ask.days);
    let comparison = local.and_then(|l| view::compare(&view::last_days(&report.snapshot, days), &view::last_days(&l.snapshot, days)));
    let charts = Some(view_charts::range_charts(report, days, ask.kind, ask.theme)?);
    let remedy = report.stale.as_ref().and_then(|s| s.remedy.clone());
    Ok(UsageTab { view: view::view(report, config, &chrono::Local), comparison, charts, from_cache: false, remedy })
}

/// The first paint of `report` (from disk): the view only, no chart to draw yet.
pub fn first_paint(config: &Config, report: &UsageReport) -> UsageTab {
    UsageTab { view: view::view(report, config, &chrono::Local), comparison: None, charts: None, from_cache: true, remedy: None }
}

/// The first paint: the cached report, from disk only; None when nothing is cached yet.
pub fn cached(config: &Config) -> Option<UsageReport> {
    cache::cached(config, TAB_DAYS)
}

/// The refresh the tab runs: the configured source through the cache (`force` asks it now).
/// Returns the report (kept by the app for other ranges and the CSV) or the answer that replaces
/// it, and how the refresh went, for the schedule.
pub async fn refresh(config: &Config, force: bool) -> (Result<UsageReport, TabAnswer>, Outcome) {
    let result = cache::report(config, UsageAsk { days: TAB_DAYS, force }).await;
    let outcome = Outcome::of(&result);
    let answer = match result {
        Ok(r) => Ok(r),
        Err(e) => match super::credential::remedy(config, &e) {
            Some(remedy) => Err(TabAnswer::SignedOut { source: config.usage_source(), message: e.to_string(), hint: e.hint(), remedy }),
            None => {
                tracing::warn!(error = %e, "usage refresh failed with nothing cached");
                Err(TabAnswer::Failed { error: IpcError::from(e) })
            }
        },
    };
    (answer, outcome)
}

/// This machine's own report, when the configured source is another one (None when it is the
/// local estimate itself, or the transcripts cannot be read).
pub async fn local_beside(config: &Config) -> Option<UsageReport> {
    if config.usage_source() == SourceKind::Local {
        return None;
    }
    cache::local_estimate(config, TAB_DAYS).await.inspect_err(|e| tracing::debug!("no local estimate to compare with: {e}")).ok()
}
