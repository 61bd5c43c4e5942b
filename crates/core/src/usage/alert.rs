//! Budget alerts that arrive once: which `usage.alert_percent` thresholds a report crossed that
//! were not yet announced in its budget period, remembered across restarts in a small ledger
//! beside the usage cache (`alerts.json`, no secrets), and the plain words of the notification.
//!
//! The rules a person would want, written down once:
//! - Each threshold is announced once per budget period of one budget (the source and the
//!   budget's scope). A new period (a new `period_start`) announces again.
//! - Several thresholds crossed at once (80 and 100 after a weekend away) give one notification,
//!   about the highest; all of them are marked announced, so the lower one does not follow later.
//! - A report whose period already ended (a stale report from before the reset) announces nothing.
//! - A stale report (the source failed now) still counts: it is the last known truth, and the
//!   ledger keeps it from repeating.
//! - The ledger is written before the notification is shown: a crash in between loses one
//!   notification rather than repeating it on every start.

use super::model::{Budget, BudgetState, BudgetUnit};
use super::refresh::UsageReport;
use crate::config::Config;
use chrono::{DateTime, FixedOffset, Utc};
use serde::{Deserialize, Serialize};
use std::collections::BTreeMap;
use std::path::{Path, PathBuf};
use std::sync::Mutex;

/// Whether `threshold` (percent) counts as reached: the spend is at or above that share of the
/// limit, or the gateway already refuses calls (then every threshold is).
pub fn threshold_reached(percent_used: Option<f64>, exceeded: bool, threshold: u32) -> bool {
    exceeded || percent_used.is_some_and(|used| used >= f64::from(threshold))
}

/// What to show: one desktop notification.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Notice {
    /// The highest threshold just crossed.
    pub threshold: u32,
    pub title: String,
    pub body: String,
}

/// What was announced, per budget: the period it was in and the thresholds announced in it.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct Ledger {
    budgets: BTreeMap<String, Announced>,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
struct Announced {
    period: String,
    thresholds: Vec<u32>,
}

/// Which budget a report is about: its source and the budget's scope (a switch of source or of
/// budget is another budget).
fn budget_key(report: &UsageReport, budget: &Budget) -> String {
    let scope = serde_json::to_value(budget.scope).ok().and_then(|v| v.as_str().map(str::to_string)).unwrap_or_default();
    format!("{} {scope}", report.snapshot.source.as_str())
}

/// The budget period a report falls in: its start when the source says, else its end, else the
/// calendar month (UTC) of the report — a budget without a period announces once a month.
fn period_key(report: &UsageReport, budget: &Budget) -> String {
    match (budget.period_start, budget.resets_at) {
        (Some(start), _) => start.to_rfc3339(),
        (None, Some(end)) => format!("until {}", end.to_rfc3339()),
        (None, None) => format!("month {}", report.snapshot.as_of.format("%Y-%m")),
    }
}

impl Ledger {
    /// Records what `report` crossed of `thresholds` at `now`; returns the highest threshold not
    /// announced before in this period (the one to announce now), with every crossed one marked.
    pub fn record(&mut self, report: &UsageReport, thresholds: &[u32], now: DateTime<Utc>) -> Option<u32> {
        let budget = report.snapshot.budget.as_ref()?;
        if budget.resets_at.is_some_and(|end| end <= now) {
            return None;
        }
        let exceeded = matches!(budget.state, BudgetState::Exceeded { .. });
        let crossed: Vec<u32> = thresholds.iter().copied().filter(|t| threshold_reached(report.percent_used, exceeded, *t)).collect();
        if crossed.is_empty() {
            return None;
        }
        let period = period_key(report, budget);
        let entry = self.budgets.entry(budget_key(report, budget)).or_insert_with(|| Announced { period: period.clone(), thresholds: Vec::new() });
        if entry.period != period {
            *entry = Announced { period, thresholds: Vec::new() };
        }
        let new: Vec<u32> = crossed.into_iter().filter(|t| !entry.thresholds.contains(t)).collect();
        entry.thresholds.extend(&new);
        entry.thresholds.sort_unstable();
        new.into_iter().max()
    }
}

/// `<home>/.local/state/foundry-onboard/alerts.json`, beside the usage cache.
pub fn path(config: &Config) -> Option<PathBuf> {
    super::cache::path(config).map(|p| p.with_file_name("alerts.json"))
}

/// The ledger on disk; a missing file is an empty ledger, and so is an unreadable one (with a
/// log line): the worst case is one notification again, never a failure.
pub fn load(path: &Path) -> Ledger {
    let bytes = match crate::limited_read::read(path, crate::limited_read::Limit::TOOL_STATE) {
        Ok(b) => b,
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => return Ledger::default(),
        Err(e) => {
            tracing::warn!("cannot read the budget alert ledger {}: {e}; starting with an empty one", path.display());
            return Ledger::default();
        }
    };
    serde_json::from_slice(&bytes).unwrap_or_else(|e| {
        tracing::warn!("the budget alert ledger {} is not valid ({e}); starting with an empty one", path.display());
        Ledger::default()
    })
}

fn store(path: &Path, ledger: &Ledger) -> std::io::Result<()> {
    let bytes = serde_json::to_vec_pretty(ledger).map_err(std::io::Error::other)?;
    if let Some(dir) = path.parent() {
        std::fs::create_dir_all(dir)?;
    }
    crate::atomic_file::write_private(path, &bytes)
}

/// Whether a face should watch `config`'s usage for alerts in the background: a source named, a
/// gateway (the LiteLLM source then), or the policy's budget (which the other sources report
/// against). Without any of them there is no budget to alert on, and nothing is asked.
pub fn watched(config: &Config) -> bool {
    config.usage.source.is_some() || config.gateway.url.is_some() || config.usage.budget.is_some()
}

/// [`due`] now, with the reset date in this machine's time zone.
pub fn due_now(config: &Config, report: &UsageReport) -> Option<Notice> {
    use chrono::Offset;
    due(config, report, Utc::now(), chrono::Local::now().offset().fix())
}

/// The alert `report` calls for now under `config`'s thresholds, if any; the ledger beside the
/// usage cache is updated first. `tz` is the person's time zone (for the reset date).
///
/// Callers in one process take turns (the app's background watcher and the Usage tab's refresh
/// may finish at once), so a threshold is never announced twice.
pub fn due(config: &Config, report: &UsageReport, now: DateTime<Utc>, tz: FixedOffset) -> Option<Notice> {
    static TURN: Mutex<()> = Mutex::new(());
    // A panic elsewhere while holding the lock leaves no half-done state behind: take it anyway.
    let _turn = TURN.lock().unwrap_or_else(|e| e.into_inner());
    let path = path(config)?;
    let mut ledger = load(&path);
    let threshold = ledger.record(report, &config.usage.alert_percent, now)?;
    if let Err(e) = store(&path, &ledger) {
        // Shown all the same: better twice after a restart than never.
        tracing::warn!("cannot keep the budget alert ledger in {}: {e}", path.display());
    }
    Some(Notice::new(report, threshold, tz))
}

impl Notice {
    /// The words for `report` having crossed `threshold`.
    pub fn new(report: &UsageReport, threshold: u32, tz: FixedOffset) -> Self {
        let Some(budget) = report.snapshot.budget.as_ref() else {
            return Self { threshold, title: "Budget alert".into(), body: "Open Foundry Onboard to see your usage.".into() };
        };
        let exceeded = matches!(budget.state, BudgetState::Exceeded { .. });
        let percent = report.percent_used.map(|p| p.floor());
        let over = exceeded || percent.is_some_and(|p| p >= 100.0);
        // A gateway's budget (the key's, the user's, the team's) stops requests; the policy's
        // budget is only counted.
        let enforced = exceeded && budget.scope != super::model::BudgetScope::Policy;
        let which = match period_days(budget) {
            Some(1) => "daily budget",
            Some(7) => "weekly budget",
            Some(28..=31) => "monthly budget",
            _ => "budget",
        };
        let amounts = budget.limit.map(|limit| format!(" ({} of {})", amount(budget.unit, budget.spent), amount(budget.unit, limit))).unwrap_or_default();
        let reset = budget.resets_at.map(|r| r.with_timezone(&tz).format("%-d %b").to_string());
        let used = match percent {
            Some(p) => format!("You have used {p:.0} % of your {which}{amounts}"),
            None => format!("You have used your {which}{amounts}"),
        };
        let share = percent.map(|p| format!(": {p:.0} % used")).unwrap_or_default();
        let raise = "If you need more, ask your platform team to raise the limit.";
        let (title, body) = if enforced {
            let until = reset.map(|r| format!(" until the budget resets on {r}")).unwrap_or_default();
            (format!("Budget exceeded{share}"), format!("{used}. The gateway refuses further requests{until}. {raise}"))
        } else if over {
            let then = reset.map(|r| format!("; it resets on {r}")).unwrap_or_default();
            (format!("Over budget{share}"), format!("{used}{then}. {raise}"))
        } else {
            let then = reset.map(|r| format!("; it resets on {r}")).unwrap_or_default();
            (format!("{:.0} % of your budget used", percent.unwrap_or(f64::from(threshold))), format!("{used}{then}."))
        };
        Self { threshold, title, body }
    }
}

/// The period's length in whole days, when the source gives both ends.
fn period_days(budget: &Budget) -> Option<i64> {
    let (start, end) = budget.period_start.zip(budget.resets_at)?;
    let hours = (end - start).num_hours();
    Some((hours + 12) / 24)
}

/// An amount in the budget's unit, as a person reads it: "$328" or "$12.40"; "1.2 M tokens".
fn amount(unit: BudgetUnit, v: f64) -> String {
    match unit {
        BudgetUnit::Usd if v.abs() >= 100.0 => format!("${v:.0}"),
        BudgetUnit::Usd => format!("${v:.2}"),
        BudgetUnit::Tokens if v.abs() >= 1e6 => format!("{:.1} M tokens", v / 1e6),
        BudgetUnit::Tokens if v.abs() >= 1e3 => format!("{:.0} k tokens", v / 1e3),
        BudgetUnit::Tokens => format!("{v:.0} tokens"),
    }
}

#[cfg(test)]
#[path = "alert_tests.rs"]
mod tests;
