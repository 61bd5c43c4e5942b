//! Where the budget is heading: the burn rate of the recent complete days (a named method over a
//! named window), the day the budget runs out or the share used when it resets, a range when the
//! days vary a lot, and the sentence a person reads.

use super::model::{Budget, UsageSnapshot};
use chrono::{DateTime, Duration, NaiveDate, Utc};
use serde::{Deserialize, Serialize};
use ts_rs::TS;

/// The number of complete days the rate looks back at.
pub const WINDOW_DAYS: i64 = 14;
/// Fewer complete days than this give no forecast.
pub const MIN_DAYS: u32 = 3;
/// Days whose spread (population standard deviation over mean) is above this get a range.
pub const VARIES_A_LOT: f64 = 0.5;
/// The method, as every face names it.
pub const METHOD: &str =
    "linearly weighted mean of the last 14 complete days (the newest day weighs 14, the oldest 1); today is left out of the rate but counted in the spend";

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, TS)]
#[serde(rename_all = "camelCase")]
pub struct Forecast {
    pub method: String,
    /// Complete days the rate was computed from (days without use count as zero).
    pub window_days: u32,
    /// Budget units per day; None with too little history.
    pub daily_rate: Option<f64>,
    /// The 25th and 75th percentile day of the window, when the days vary a lot.
    pub rate_range: Option<RateRange>,
    pub outcome: ForecastOutcome,
    pub sentence: String,
}

#[derive(Debug, Clone, Copy, PartialEq, Serialize, Deserialize, TS)]
#[serde(rename_all = "camelCase")]
pub struct RateRange {
    pub low: f64,
    pub high: f64,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, TS)]
#[serde(rename_all = "camelCase", tag = "kind")]
pub enum ForecastOutcome {
    #[serde(rename_all = "camelCase")]
    NotEnoughData { days: u32 },
    #[serde(rename_all = "camelCase")]
    AlreadyOver { percent: f64 },
    /// The budget runs out before it resets.
    #[serde(rename_all = "camelCase")]
    RunsOut {
        #[ts(type = "string")]
        on: NaiveDate,
        days_before_reset: i64,
        /// At the high end of the rate range.
        #[ts(type = "string | null")]
        earliest: Option<NaiveDate>,
        /// At the low end; None when the low rate lasts until the reset.
        #[ts(type = "string | null")]
        latest: Option<NaiveDate>,
    },
    /// The budget lasts; this share of it is used by the reset.
    #[serde(rename_all = "camelCase")]
    ShareAtReset {
        percent: f64,
        low_percent: Option<f64>,
        high_percent: Option<f64>,
        #[ts(type = "string")]
        reset_on: NaiveDate,
    },
}

/// The forecast for a snapshot's budget; None without a limit or a reset time.
pub fn for_snapshot(snapshot: &UsageSnapshot) -> Option<Forecast> {
    let budget = snapshot.budget.as_ref()?;
    forecast(&snapshot.daily_totals(budget.unit), budget, snapshot.as_of)
}

/// The forecast from daily totals (in the budget's unit, any order), the budget and the time now.
pub fn forecast(daily: &[(NaiveDate, f64)], budget: &Budget, as_of: DateTime<Utc>) -> Option<Forecast> {
    let limit = budget.limit.filter(|l| *l > 0.0)?;
    let resets_at = budget.resets_at?;
    let reset_on = resets_at.date_naive();
    let window = window(daily, as_of.date_naive());
    let days = window.len() as u32;
    let done = |daily_rate, rate_range, outcome: ForecastOutcome| {
        let sentence = sentence(&outcome, reset_on);
        Some(Forecast { method: METHOD.into(), window_days: days, daily_rate, rate_range, outcome, sentence })
    };
    if budget.spent >= limit {
        return done(None, None, ForecastOutcome::AlreadyOver { percent: budget.spent / limit * 100.0 });
    }
    if days < MIN_DAYS {
        return done(None, None, ForecastOutcome::NotEnoughData { days });
    }
    let rate = weighted_rate(&window);
    let range = spread(&window, rate);
    let remaining_days = ((resets_at - as_of).num_seconds().max(0) as f64) / 86_400.0;
    let left = limit - budget.spent;
    let runs_out_on = |r: f64| (r > 0.0 && r * remaining_days >= left).then(|| (as_of + Duration::seconds((left / r * 86_400.0) as i64)).date_naive());
    // Never below 0, and never -0 (an empty period's spend is a sum of nothing: -0.0 in Rust,
    // which prints as "-0 %").
    let share = |r: f64| ((budget.spent + r * remaining_days) / limit * 100.0).max(0.0) + 0.0;
    let outcome = match runs_out_on(rate) {
        Some(on) => ForecastOutcome::RunsOut {
            on,
            days_before_reset: (reset_on - on).num_days(),
            earliest: range.and_then(|r| runs_out_on(r.high)),
            latest: range.and_then(|r| runs_out_on(r.low)),
        },
        None => ForecastOutcome::ShareAtReset {
            percent: share(rate),
            low_percent: range.map(|r| share(r.low)),
            high_percent: range.map(|r| share(r.high)),
            reset_on,
        },
    };
    done(Some(rate), range, outcome)
}

/// The last [`WINDOW_DAYS`] complete days before `today`, not before the first day with data;
/// days without a record are zero.
fn window(daily: &[(NaiveDate, f64)], today: NaiveDate) -> Vec<f64> {
    let Some(first) = daily.iter().map(|(d, _)| *d).filter(|d| *d < today).min() else { return Vec::new() };
    let start = first.max(today - Duration::days(WINDOW_DAYS));
    let mut out = Vec::new();
    let mut day = start;
    while day < today {
        out.push(daily.iter().filter(|(d, _)| *d == day).map(|(_, v)| *v).sum());
        day += Duration::days(1);
    }
    out
}

/// Σ i·xᵢ / Σ i, oldest day i = 1.
fn weighted_rate(window: &[f64]) -> f64 {
    let (mut num, mut den) = (0.0, 0.0);
    for (i, v) in window.iter().enumerate() {
        let w = (i + 1) as f64;
        num += w * v;
        den += w;
    }
    if den > 0.0 { num / den } else { 0.0 }
}

/// The 25th–75th percentile day (nearest rank), widened to hold the rate, when the days vary a lot.
fn spread(window: &[f64], rate: f64) -> Option<RateRange> {
    let n = window.len() as f64;
    let mean = window.iter().sum::<f64>() / n;
    if mean <= 0.0 {
        return None;
    }
    let sd = (window.iter().map(|v| (v - mean).powi(2)).sum::<f64>() / n).sqrt();
    if sd / mean <= VARIES_A_LOT {
        return None;
    }
    let mut sorted = window.to_vec();
    sorted.sort_by(f64::total_cmp);
    let rank = |p: f64| sorted[((p * n).ceil() as usize).clamp(1, sorted.len()) - 1];
    Some(RateRange { low: rank(0.25).min(rate), high: rank(0.75).max(rate) })
}

fn day(d: NaiveDate) -> String {
    d.format("%-d %b").to_string()
}

fn days(n: i64) -> String {
    if n == 1 { "1 day".into() } else { format!("{n} days") }
}

fn sentence(outcome: &ForecastOutcome, reset_on: NaiveDate) -> String {
    match outcome {
        ForecastOutcome::NotEnoughData { days: n } => {
            format!("too little history for a forecast: {} complete (at least {MIN_DAYS} needed)", days(i64::from(*n)))
        }
        ForecastOutcome::AlreadyOver { percent } => format!("you have used {percent:.0} % of your budget; it resets on {}", day(reset_on)),
        ForecastOutcome::RunsOut { on, days_before_reset, earliest, latest } => {
            let when = match days_before_reset {
                0 => "the day it resets".to_string(),
                n => format!("{} before it resets", days(*n)),
            };
            let range = match (earliest, latest) {
                (Some(e), Some(l)) if e != l => format!(" (between {} and {})", day(*e), day(*l)),
                (Some(e), None) => format!(" (from {} to not before the reset)", day(*e)),
                _ => String::new(),
            };
            format!("at this pace you reach your budget on {}, {when}{range}", day(*on))
        }
        ForecastOutcome::ShareAtReset { percent, low_percent, high_percent, reset_on } => {
            let range = match (low_percent, high_percent) {
                (Some(l), Some(h)) if l.round() != h.round() => format!(" (between {l:.0} % and {h:.0} %)"),
                _ => String::new(),
            };
            format!("you will use about {percent:.0} % by {}{range}", day(*reset_on))
        }
    }
}

#[cfg(test)]
#[path = "forecast_tests.rs"]
mod tests;
