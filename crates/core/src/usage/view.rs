//! What the Usage tab shows, computed once in the core from a [`UsageReport`]: the gauge, the
//! forecast sentence, provenance, the states a person must read (stale, partial, over budget,
//! refused by the gateway, nothing configured, no data) with what to do, errors and latency only
//! where the source has them, and "this machine vs the gateway". Times are words here too, in
//! the person's time zone: the page draws; it decides and formats nothing (formatting dates in
//! the page took ICU's locale data into the web process, about 3 MiB).

use super::model::{Budget, BudgetScope, BudgetState, BudgetUnit, Completeness, Provenance, SourceKind, UsageSnapshot};
use super::refresh::UsageReport;
use crate::config::Config;
use chrono::{DateTime, Duration, TimeZone, Utc};
use serde::{Deserialize, Serialize};
use ts_rs::TS;

/// The ranges the tab offers, in days (today included).
pub const RANGES: [u32; 3] = [7, 30, 90];
/// The tab asks for the longest range once and slices it: switching range needs no network.
pub const TAB_DAYS: u32 = 90;

/// Everything above the charts.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, TS)]
#[serde(rename_all = "camelCase")]
pub struct UsageView {
    pub source: SourceKind,
    /// "from the gateway (LiteLLM)", "from Azure Monitor, about 5 minutes behind", "this machine only, estimate".
    pub provenance: String,
    /// When the source was asked.
    #[ts(type = "string")]
    pub as_of: DateTime<Utc>,
    /// `as_of` in the person's time zone: "3 Dec 2026, 19:35".
    pub as_of_text: String,
    /// The person's budget, when the source knows one.
    pub gauge: Option<Gauge>,
    /// The team's budget beside it, when the source has one.
    pub team: Option<Gauge>,
    /// The core's forecast sentence ("at this pace you reach your budget on 12 Dec, …").
    pub forecast: Option<String>,
    /// What the person must know before trusting the numbers, worst first.
    pub notices: Vec<Notice>,
    /// Requests, failures and latency — only when the source reports them.
    pub health: Option<Health>,
    /// The highest alert threshold reached.
    pub alert_reached: Option<u32>,
}

/// A budget as the gauge draws it (`role="meter"`: min 0, max the limit, now the spend).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, TS)]
#[serde(rename_all = "camelCase")]
pub struct Gauge {
    pub scope: BudgetScope,
    pub unit: BudgetUnit,
    pub spent: f64,
    pub limit: Option<f64>,
    /// Spent as a share of the limit, in percent (the report's own figure for the person's budget).
    pub percent: Option<f64>,
    #[ts(type = "string | null")]
    pub period_start: Option<DateTime<Utc>>,
    #[ts(type = "string | null")]
    pub resets_at: Option<DateTime<Utc>>,
    /// The period in words, in the person's time zone: "period from 1 Dec 2026, 00:00, resets
    /// 1 Jan 2027, 00:00"; None when the source gives neither end.
    pub period: Option<String>,
    pub state: BudgetState,
}

/// One state to read, in words, with what to do.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, TS)]
#[serde(rename_all = "camelCase")]
pub struct Notice {
    pub kind: NoticeKind,
    pub text: String,
    pub hint: String,
    /// For a stale report: when the report shown was fetched.
    #[ts(type = "string | null")]
    pub since: Option<DateTime<Utc>>,
    /// `since` in the person's time zone: "3 Dec 2026, 19:35".
    pub since_text: Option<String>,
}

/// Worst first: the order the tab lists them in.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Serialize, Deserialize, TS)]
#[serde(rename_all = "camelCase")]
pub enum NoticeKind {
    BudgetExceeded,
    OverBudget,
    Stale,
    Partial,
    OverSoftLimit,
    NoSourceConfigured,
    NoData,
}

/// Requests and latency over the range, only built when the source reports either.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, TS)]
#[serde(rename_all = "camelCase")]
pub struct Health {
    #[ts(type = "number")]
    pub requests: u64,
    #[ts(type = "number")]
    pub failed: u64,
    pub failed_percent: Option<f64>,
    /// Request-weighted means of the days' percentiles, in ms.
    pub p50_ms: Option<f64>,
    pub p95_ms: Option<f64>,
    pub p99_ms: Option<f64>,
}

/// "This machine vs the gateway" over the same days.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, TS)]
#[serde(rename_all = "camelCase")]
pub struct Comparison {
    #[ts(type = "number")]
    pub local_tokens: u64,
    #[ts(type = "number")]
    pub source_tokens: u64,
    pub sentence: String,
    /// Set when the two differ a lot, with what it likely means.
    pub hint: Option<String>,
}

/// The provenance sentence of a snapshot.
pub fn provenance(p: &Provenance) -> String {
    match p {
        Provenance::Gateway => "from the gateway (LiteLLM)".into(),
        Provenance::AzureMonitor { lag_minutes } => format!("from Azure Monitor, about {lag_minutes} minutes behind"),
        Provenance::LocalEstimate => "this machine only, estimate".into(),
    }
}

/// `t` in the time zone `tz`, as the tab writes every time: "3 Dec 2026, 19:35".
fn when<Tz: TimeZone>(t: DateTime<Utc>, tz: &Tz) -> String
where
    Tz::Offset: std::fmt::Display,
{
    t.with_timezone(tz).format("%-d %b %Y, %H:%M").to_string()
}

fn gauge<Tz: TimeZone>(b: &Budget, percent: Option<f64>, tz: &Tz) -> Gauge
where
    Tz::Offset: std::fmt::Display,
{
    let period = [b.period_start.map(|t| format!("period from {}", when(t, tz))), b.resets_at.map(|t| format!("resets {}", when(t, tz)))];
    let period: Vec<String> = period.into_iter().flatten().collect();
    Gauge {
        scope: b.scope,
        unit: b.unit,
        spent: b.spent,
        limit: b.limit,
        percent: percent.or_else(|| b.percent_used()),
        period_start: b.period_start,
        resets_at: b.resets_at,
        period: (!period.is_empty()).then(|| period.join(", ")),
        state: b.state.clone(),
    }
}

fn amount(b: &Budget, v: f64) -> String {
    match b.unit {
        BudgetUnit::Usd => format!("${v:.2}"),
        BudgetUnit::Tokens => format!("{v:.0} tokens"),
    }
}

/// The view of `report` for the tab; `config` says whether a source was chosen at all.
/// `tz` is the person's time zone (`chrono::Local` in the app) for the times in words.
pub fn view<Tz: TimeZone>(report: &UsageReport, config: &Config, tz: &Tz) -> UsageView
where
    Tz::Offset: std::fmt::Display,
{
    let s = &report.snapshot;
    let mut notices = Vec::new();
    if let Some(b) = &s.budget {
        match &b.state {
            BudgetState::Exceeded { message } => notices.push(Notice {
                kind: NoticeKind::BudgetExceeded,
                text: format!("Budget exceeded: the gateway refuses further calls (\"{message}\")."),
                hint: "Claude Code stops working until the budget resets. Ask your platform team to raise the limit if you need more now.".into(),
                since: None,
                since_text: None,
            }),
            _ if b.limit.is_some_and(|l| b.spent >= l) => notices.push(Notice {
                kind: NoticeKind::OverBudget,
                text: format!("Over budget: {} spent of {}.", amount(b, b.spent), amount(b, b.limit.unwrap_or_default())),
                hint: if b.scope == BudgetScope::Policy {
                    "This is your org's budget, counted here from your usage: nothing refuses your calls, but your platform team sees the overspend. Slow down, or ask them to raise it."
                } else {
                    "Calls may be refused at any time. Slow down, or ask your platform team to raise the limit."
                }
                .into(),
                since: None,
                since_text: None,
            }),
            BudgetState::OverSoftLimit => notices.push(Notice {
                kind: NoticeKind::OverSoftLimit,
                text: format!("Past the warning level: {} spent.", amount(b, b.spent)),
                hint: "You are close to your budget; the forecast says when you reach it.".into(),
                since: None,
                since_text: None,
            }),
            _ => {}
        }
    }
    if let Some(st) = &report.stale {
        notices.push(Notice {
            kind: NoticeKind::Stale,
            text: format!("Not up to date: the last refresh failed ({}). The numbers below are the last ones fetched.", st.reason.trim_end_matches('.')),
            hint: st.hint.clone(),
            since: Some(st.fetched_at),
            since_text: Some(when(st.fetched_at, tz)),
        });
    }
    match &s.completeness {
        Completeness::Partial { reason } => notices.push(Notice {
            kind: NoticeKind::Partial,
            text: format!("Partial data: {}.", reason.trim_end_matches('.')),
            hint: "Totals may be lower than the truth; refresh later for the rest.".into(),
            since: None,
            since_text: None,
        }),
        Completeness::Empty => notices.push(Notice {
            kind: NoticeKind::NoData,
            text: "No usage yet in this period.".into(),
            hint: "Use Claude Code; your usage shows here after the next refresh.".into(),
            since: None,
            since_text: None,
        }),
        Completeness::Complete => {}
    }
    if no_source_configured(config) {
        notices.push(Notice {
            kind: NoticeKind::NoSourceConfigured,
            text: "No usage source is configured, so these are this machine's own numbers: an estimate.".into(),
            hint: "Your platform team can point the app at the gateway: set gateway.url (LiteLLM) or usage.source = \"azure-monitor\" in the org policy."
                .into(),
            since: None,
            since_text: None,
        });
    }
    notices.sort_by_key(|n| n.kind);
    UsageView {
        source: s.source,
        provenance: provenance(&s.provenance),
        as_of: s.as_of,
        as_of_text: when(s.as_of, tz),
        gauge: s.budget.as_ref().map(|b| gauge(b, report.percent_used, tz)),
        team: s.team_budget.as_ref().map(|b| gauge(b, None, tz)),
        forecast: report.forecast.as_ref().map(|f| f.sentence.clone()),
        notices,
        health: health(s),
        alert_reached: report.alert_reached,
    }
}

/// Neither `usage.source` nor a gateway: the app falls back to this machine's transcripts.
pub fn no_source_configured(config: &Config) -> bool {
    config.usage.source.is_none() && config.gateway.url.is_none()
}

/// Requests, failures and latency; None when the source reports neither failures nor latency.
pub fn health(s: &UsageSnapshot) -> Option<Health> {
    let failed: u64 = s.rows.iter().map(|r| r.failed_requests).sum();
    let timed: Vec<_> = s.rows.iter().filter_map(|r| r.latency.map(|l| (r.requests.max(1) as f64, l))).collect();
    if failed == 0 && timed.is_empty() {
        return None;
    }
    let requests: u64 = s.rows.iter().map(|r| r.requests).sum();
    let mean = |pick: fn(&super::model::Latency) -> Option<f64>| {
        let (num, den) = timed.iter().filter_map(|(w, l)| pick(l).map(|v| (w * v, *w))).fold((0.0, 0.0), |a, b| (a.0 + b.0, a.1 + b.1));
        (den > 0.0).then(|| num / den)
    };
    Some(Health {
        requests,
        failed,
        failed_percent: (requests > 0).then(|| failed as f64 / requests as f64 * 100.0),
        p50_ms: mean(|l| l.p50_ms),
        p95_ms: mean(|l| l.p95_ms),
        p99_ms: mean(|l| l.p99_ms),
    })
}

/// The snapshot cut to the last `days` days (today included) before its `as_of`.
pub fn last_days(s: &UsageSnapshot, days: u32) -> UsageSnapshot {
    let first = s.as_of.date_naive() - Duration::days(i64::from(days.max(1)) - 1);
    let mut out = s.clone();
    out.rows.retain(|r| r.date >= first);
    out
}

/// Above this ratio of the machine's tokens to the source's, some calls likely bypass the source.
pub const MORE_THAN_SOURCE: f64 = 1.1;
/// Below this ratio, most usage comes from elsewhere (another machine, a script with the key).
pub const MOSTLY_ELSEWHERE: f64 = 0.5;

/// This machine's transcripts beside a gateway's (or Azure Monitor's) figures over the same days;
/// None when `source` is itself the local estimate or neither has tokens.
pub fn compare(source: &UsageSnapshot, local: &UsageSnapshot) -> Option<Comparison> {
    if source.source == SourceKind::Local {
        return None;
    }
    let local_tokens: u64 = local.rows.iter().map(|r| r.total_tokens()).sum();
    // Only the days this machine's record covers: Claude Code deletes old transcripts (after 30
    // days by default), so the days before the first one say nothing about a difference.
    let first_local = local.rows.iter().map(|r| r.date).min();
    let trimmed = first_local.filter(|d| source.rows.iter().any(|r| r.date < *d));
    let source_tokens: u64 = source.rows.iter().filter(|r| trimmed.is_none_or(|d| r.date >= d)).map(|r| r.total_tokens()).sum();
    let since = trimmed.map(|d| format!(" since {}", d.format("%-d %b"))).unwrap_or_default();
    if local_tokens == 0 && source_tokens == 0 {
        return None;
    }
    let name = if source.source == SourceKind::Litellm { "the gateway" } else { "Azure Monitor" };
    let share = if source_tokens > 0 { local_tokens as f64 / source_tokens as f64 } else { f64::INFINITY };
    let sentence = if source_tokens > 0 {
        format!("This machine: {} tokens{since}, {:.0} % of the {} tokens {name} counted.", group(local_tokens), share * 100.0, group(source_tokens))
    } else {
        format!("This machine: {} tokens{since}; {name} counted none.", group(local_tokens))
    };
    // Partial figures say nothing about a difference.
    let hint = if matches!(source.completeness, Completeness::Partial { .. }) {
        None
    } else if share > MORE_THAN_SOURCE {
        Some(format!("This machine used more than {name} counted: some calls may bypass it. Run the doctor to check where Claude Code sends its requests."))
    } else if share < MOSTLY_ELSEWHERE {
        Some(format!("Most of the usage {name} counted came from elsewhere: another machine, or a tool using the same key."))
    } else {
        None
    };
    Some(Comparison { local_tokens, source_tokens, sentence, hint })
}

/// 1234567 → "1,234,567".
fn group(n: u64) -> String {
    let digits = n.to_string();
    let mut out = String::new();
    for (i, c) in digits.chars().enumerate() {
        if i > 0 && (digits.len() - i).is_multiple_of(3) {
            out.push(',');
        }
        out.push(c);
    }
    out
}

#[cfg(test)]
#[path = "view_tests.rs"]
mod tests;
