//! The sandbox developer's generated usage history, one source of truth for the LiteLLM and Log
//! Analytics stand-ins and the Claude Code transcripts: 90 days of three deployments (or up to
//! [`MAX_MODELS`] models, `--usage-models`) with a weekday/weekend rhythm and one spike, priced at
//! list prices, the same on every start.

use super::foundry::DEPLOYMENTS;
use chrono::{Datelike, Days, NaiveDate, Utc, Weekday};

/// How many days of history, today included.
pub const DAYS: u64 = 90;
/// The spike: this many days before today, four times a usual day.
pub const SPIKE_DAYS_AGO: u64 = 12;

/// Models after the three deployments, for `--usage-models N` (a busy developer's history: the
/// Usage tab's charts and tables with many series).
const MORE_MODELS: [&str; 9] = [
    "claude-sonnet-4-5-batch",
    "claude-opus-4-1",
    "claude-sonnet-4",
    "claude-opus-4-5",
    "claude-haiku-3-5",
    "claude-3-7-sonnet",
    "claude-opus-4",
    "claude-sonnet-4-5-eu",
    "claude-haiku-4-5-eval",
];
/// The most models `--usage-models` gives the history.
pub const MAX_MODELS: usize = DEPLOYMENTS.len() + MORE_MODELS.len();

/// How many models the history has: the three deployments unless `--usage-models` said more.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Models(usize);

impl Default for Models {
    fn default() -> Self {
        Self(DEPLOYMENTS.len())
    }
}

impl Models {
    /// `n` models, kept within 1..=[`MAX_MODELS`].
    pub fn new(n: usize) -> Self {
        Self(n.clamp(1, MAX_MODELS))
    }
    fn names(self) -> impl Iterator<Item = (usize, &'static str)> {
        DEPLOYMENTS.iter().chain(MORE_MODELS.iter()).copied().take(self.0).enumerate()
    }
}

/// One day × deployment.
#[derive(Debug, Clone, PartialEq)]
pub struct DayUsage {
    pub date: NaiveDate,
    pub model: &'static str,
    pub input: u64,
    pub output: u64,
    pub cache_read: u64,
    pub cache_write: u64,
    pub requests: u64,
    pub spend: f64,
}

/// USD per million tokens: input, output (cache reads at a tenth of input, writes at 1.25×).
fn price(model: &str) -> (f64, f64) {
    match model {
        "claude-haiku-4-5" => (1.0, 5.0),
        "claude-opus-4-6" => (5.0, 25.0),
        _ => (3.0, 15.0),
    }
}

/// The history up to `today` (UTC), oldest first, models in [`DEPLOYMENTS`] order, then the others.
pub fn history(today: NaiveDate, models: Models) -> Vec<DayUsage> {
    let mut out = Vec::new();
    for ago in (0..DAYS).rev() {
        let Some(date) = today.checked_sub_days(Days::new(ago)) else { continue };
        let weekend = matches!(date.weekday(), Weekday::Sat | Weekday::Sun);
        // A gentle wobble by day so the days are not all alike (deterministic).
        let wobble = 0.85 + f64::from((date.ordinal() * 37) % 30) / 100.0;
        let factor = if ago == SPIKE_DAYS_AGO {
            4.0
        } else if weekend {
            0.12
        } else {
            1.0
        } * wobble;
        for (i, model) in models.names() {
            // The deployments as they always were; each further model a little smaller.
            let base = [420_000.0, 150_000.0, 45_000.0].get(i).copied().unwrap_or(60_000.0 - 4_000.0 * i as f64) * factor;
            let (p_in, p_out) = price(model);
            let input = base as u64;
            let output = (base * 0.03) as u64;
            let cache_read = (base * 0.7) as u64;
            let cache_write = (base * 0.05) as u64;
            let requests = (base / 12_000.0).ceil() as u64;
            let spend = (input as f64 * p_in + output as f64 * p_out + cache_read as f64 * p_in * 0.1 + cache_write as f64 * p_in * 1.25) / 1_000_000.0;
            out.push(DayUsage { date, model, input, output, cache_read, cache_write, requests, spend });
        }
    }
    out
}

pub fn today() -> NaiveDate {
    Utc::now().date_naive()
}

/// The key's budget period: 30 days that reset 9 days from today.
pub fn period(today: NaiveDate) -> (NaiveDate, NaiveDate) {
    let reset = today.checked_add_days(Days::new(9)).unwrap_or(today);
    (reset.checked_sub_days(Days::new(30)).unwrap_or(today), reset)
}

/// The history's spend inside the key's current period.
pub fn period_spend(today: NaiveDate, models: Models) -> f64 {
    let (start, _) = period(today);
    history(today, models).iter().filter(|d| d.date >= start).map(|d| d.spend).sum()
}

/// The share of the key's budget the history's period spend is when nothing says otherwise.
pub const DEFAULT_BUDGET_USED: f64 = 70.0;
/// The range `--budget-used` accepts, in percent.
pub const BUDGET_USED_RANGE: std::ops::RangeInclusive<f64> = 1.0..=200.0;

/// The key's limit: set so the history's period spend is about 70 % of it (whole dollars), or
/// `budget_used` percent of it to the cent (`--budget-used`: a budget just under an alert
/// threshold, which real traffic through the gateway then crosses).
pub fn key_budget(today: NaiveDate, budget_used: Option<f64>, models: Models) -> f64 {
    match budget_used {
        None => (period_spend(today, models) / (DEFAULT_BUDGET_USED / 100.0)).round(),
        Some(p) => (period_spend(today, models) / (p / 100.0) * 100.0).round() / 100.0,
    }
}

/// `--budget-used PERCENT`: a number from 1 to 200.
pub fn parse_budget_used(s: &str) -> Result<f64, String> {
    match s.trim().trim_end_matches('%').trim().parse::<f64>() {
        Ok(p) if BUDGET_USED_RANGE.contains(&p) => Ok(p),
        _ => Err(format!("--budget-used {s:?} is not a percentage from 1 to 200 (for example 79.9)")),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_history_has_a_rhythm_a_spike_and_a_budget_near_seventy_percent() {
        let today = NaiveDate::from_ymd_opt(2026, 12, 3).unwrap();
        let h = history(today, Models::default());
        assert_eq!(h.len(), 90 * 3);
        let day = |d: NaiveDate| h.iter().filter(|u| u.date == d).map(|u| u.input).sum::<u64>();
        let spike = today.checked_sub_days(Days::new(SPIKE_DAYS_AGO)).unwrap();
        let monday = NaiveDate::from_ymd_opt(2026, 11, 30).unwrap();
        let sunday = NaiveDate::from_ymd_opt(2026, 11, 29).unwrap();
        assert!(day(sunday) * 5 < day(monday), "weekends are quiet");
        assert!(day(spike) > 2 * day(monday), "one spike");
        let m = Models::default();
        let used = period_spend(today, m) / key_budget(today, None, m);
        assert!((0.68..0.72).contains(&used), "{used}");
        let used = period_spend(today, m) / key_budget(today, Some(79.9), m) * 100.0;
        assert!((79.85..79.95).contains(&used), "just under 80 %: {used}");
    }

    #[test]
    fn more_models_keep_the_deployments_as_they_were_and_add_smaller_ones() {
        let today = NaiveDate::from_ymd_opt(2026, 12, 3).unwrap();
        let three = history(today, Models::default());
        let ten = history(today, Models::new(10));
        assert_eq!(ten.len(), 90 * 10);
        let names: std::collections::BTreeSet<_> = ten.iter().map(|d| d.model).collect();
        assert_eq!(names.len(), 10, "ten distinct names");
        assert_eq!(ten.iter().filter(|d| DEPLOYMENTS.contains(&d.model)).cloned().collect::<Vec<_>>(), three, "the deployments' days unchanged");
        assert_eq!(Models::new(500), Models::new(MAX_MODELS), "at most MAX_MODELS");
        let m = Models::new(10);
        let used = period_spend(today, m) / key_budget(today, None, m);
        assert!((0.68..0.72).contains(&used), "the budget follows the history: {used}");
    }

    #[test]
    fn budget_used_takes_a_percentage_and_refuses_anything_else() {
        assert_eq!(parse_budget_used("79.9"), Ok(79.9));
        assert_eq!(parse_budget_used(" 99.5 % "), Ok(99.5));
        for bad in ["", "abc", "0", "-5", "201", "NaN", "inf"] {
            let e = parse_budget_used(bad).unwrap_err();
            assert!(e.contains("from 1 to 200"), "{bad}: {e}");
        }
    }
}
