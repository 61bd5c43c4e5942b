//! The Usage tab's charts for one range and token kind: the core's plotters SVG (escaped text,
//! shown by the page as an image, never as markup), an alt text that says what the chart says,
//! and the numbers behind each chart as a table — so a chart is never the only way to read them.

use super::chart::{self, Chart, ChartError, Theme};
use super::refresh::UsageReport;
use super::table::{self, Table, TokenKind};
use super::view::last_days;
use serde::{Deserialize, Serialize};
use ts_rs::TS;

/// One chart as the page shows it.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, TS)]
#[serde(rename_all = "camelCase")]
pub struct ChartImage {
    /// SVG text: the page shows it as `data:image/svg+xml`, which runs no script.
    pub svg: String,
    pub alt: String,
    /// The numbers drawn, one row per day.
    pub table: Table,
}

/// The charts of one range.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, TS)]
#[serde(rename_all = "camelCase")]
pub struct RangeCharts {
    pub days: u32,
    pub kind: TokenKind,
    pub tokens: ChartImage,
    /// Only when some row has a price or the budget is in USD.
    pub cost: Option<ChartImage>,
    /// Set when the range holds no usage at all: what the page says instead of two empty charts
    /// (and, when the report has older days, when the last usage was).
    pub empty: Option<String>,
}

/// The tokens chart (stacked by model, `kind` tokens) and the cost chart (budget line and
/// forecast) of the last `days` days of `report`, in `theme`.
pub fn range_charts(report: &UsageReport, days: u32, kind: TokenKind, theme: Theme) -> Result<RangeCharts, ChartError> {
    let s = last_days(&report.snapshot, days);
    let tokens = table::tokens_by_model(&s, kind);
    let total: f64 = tokens.values.iter().flatten().sum();
    let biggest = tokens.names.first().map(|n| format!("; the most: {n}")).unwrap_or_default();
    let tokens_alt = format!(
        "{} over the last {days} days: {} in total across {} model(s){biggest}. The table below the chart has every number.",
        capital(&tokens.title),
        whole(total),
        tokens.names.len()
    );
    let tokens_image = ChartImage { svg: chart::svg(&Chart::Tokens(&tokens), theme)?, alt: tokens_alt, table: tokens.table() };
    let usd_budget = s.budget.as_ref().filter(|b| b.unit == super::BudgetUnit::Usd);
    let cost = if s.rows.iter().any(|r| r.cost.is_some()) || usd_budget.is_some() {
        let series = table::cost_by_day(&s);
        let spent: f64 = series.values.iter().flatten().sum();
        let mut alt = format!("Cost per day over the last {days} days: ${spent:.2} in total");
        if let Some(l) = usd_budget.and_then(|b| b.limit) {
            alt.push_str(&format!("; the budget line at ${l:.2}"));
        }
        if let Some(f) = &report.forecast {
            alt.push_str(&format!("; forecast: {}", f.sentence));
        }
        if series.unpriced_rows > 0 {
            alt.push_str(&format!("; {} row(s) have no price and are left out", series.unpriced_rows));
        }
        alt.push('.');
        let chart = Chart::Cost { series: &series, budget: usd_budget, forecast: report.forecast.as_ref(), as_of: s.as_of };
        Some(ChartImage { svg: chart::svg(&chart, theme)?, alt, table: series.table() })
    } else {
        None
    };
    Ok(RangeCharts { days, kind, tokens: tokens_image, cost, empty: empty_range(report, &s, days) })
}

/// "No usage in the last 7 days" when no row of the range has a token or a cent, naming the last
/// day with usage when the report has one (the range is too short) or none (nothing yet).
fn empty_range(report: &UsageReport, range: &super::UsageSnapshot, days: u32) -> Option<String> {
    let used = |r: &&super::UsageRow| r.total_tokens() > 0 || r.cost.as_ref().is_some_and(|c| c.usd > 0.0);
    if range.rows.iter().any(|r| used(&r)) {
        return None;
    }
    Some(match report.snapshot.rows.iter().filter(used).map(|r| r.date).max() {
        Some(last) => format!("No usage in the last {days} days. The last usage the source has is on {}; a longer range shows it.", last.format("%-d %b %Y")),
        None => format!("No usage in the last {days} days: nothing has been sent through this source yet, or it has not reported it."),
    })
}

/// The CSV of every row of the last `days` days (what the tab's Export writes).
pub fn csv(report: &UsageReport, days: u32) -> Result<String, table::TableError> {
    table::rows_table(&last_days(&report.snapshot, days)).csv()
}

fn capital(s: &str) -> String {
    let mut c = s.chars();
    c.next().map(|f| f.to_uppercase().chain(c).collect()).unwrap_or_default()
}

fn whole(v: f64) -> String {
    format!("{v:.0}")
}
