//! The numbers behind every chart, as a series (day × name), a table a face can print, and CSV —
//! so a chart is never the only way to read them.

use super::model::{UsageRow, UsageSnapshot};
use chrono::{Duration, NaiveDate};
use serde::{Deserialize, Serialize};
use std::collections::BTreeMap;
use ts_rs::TS;

/// Which tokens the stacked chart shows.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, TS)]
#[serde(rename_all = "kebab-case")]
pub enum TokenKind {
    Input,
    Output,
    /// Cache reads and writes.
    Cache,
    All,
}

impl TokenKind {
    fn of(self, r: &UsageRow) -> u64 {
        match self {
            TokenKind::Input => r.input_tokens,
            TokenKind::Output => r.output_tokens,
            TokenKind::Cache => r.cache_read_tokens.saturating_add(r.cache_write_tokens),
            TokenKind::All => r.total_tokens(),
        }
    }

    fn label(self) -> &'static str {
        match self {
            TokenKind::Input => "input tokens",
            TokenKind::Output => "output tokens",
            TokenKind::Cache => "cache tokens (read + write)",
            TokenKind::All => "tokens",
        }
    }
}

/// The most series a chart stacks; the rest are summed as [`OTHER_MODELS`].
pub const MAX_SERIES: usize = 9;
pub const OTHER_MODELS: &str = "other models";

/// Per day (every day from the first to the last, none skipped) and per name, one number.
#[derive(Debug, Clone, PartialEq, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct Series {
    pub title: String,
    pub unit: String,
    pub days: Vec<NaiveDate>,
    pub names: Vec<String>,
    /// `values[name][day]`.
    pub values: Vec<Vec<f64>>,
    /// Rows left out of a cost series because they have no price.
    pub unpriced_rows: usize,
}

/// A printable table: a header and rows of text.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, TS)]
#[serde(rename_all = "camelCase")]
pub struct Table {
    pub header: Vec<String>,
    pub rows: Vec<Vec<String>>,
}

#[derive(Debug, thiserror::Error)]
pub enum TableError {
    #[error("cannot write the CSV: {0}")]
    Csv(String),
}

impl crate::Diagnose for TableError {
    fn kind(&self) -> crate::ErrorKind {
        crate::ErrorKind::Internal
    }
    fn hint(&self) -> String {
        "This is a bug in Foundry Onboard: please report it with the usage source you use.".into()
    }
}

fn all_days(rows: &[UsageRow]) -> Vec<NaiveDate> {
    let (Some(first), Some(last)) = (rows.iter().map(|r| r.date).min(), rows.iter().map(|r| r.date).max()) else { return Vec::new() };
    let mut days = Vec::new();
    let mut d = first;
    while d <= last {
        days.push(d);
        d += Duration::days(1);
    }
    days
}

/// Tokens per day stacked by model: the [`MAX_SERIES`] − 1 biggest models by name, the rest as
/// one "other models" series.
pub fn tokens_by_model(snapshot: &UsageSnapshot, kind: TokenKind) -> Series {
    let days = all_days(&snapshot.rows);
    let mut totals: BTreeMap<&str, u64> = BTreeMap::new();
    for r in &snapshot.rows {
        *totals.entry(&r.model).or_default() += kind.of(r);
    }
    let mut ranked: Vec<(&str, u64)> = totals.into_iter().collect();
    ranked.sort_by(|a, b| b.1.cmp(&a.1).then_with(|| a.0.cmp(b.0)));
    let mut names: Vec<String> = ranked.iter().map(|(m, _)| m.to_string()).collect();
    if names.len() > MAX_SERIES {
        names.truncate(MAX_SERIES - 1);
        names.push(OTHER_MODELS.into());
    }
    let mut values = vec![vec![0.0; days.len()]; names.len()];
    for r in &snapshot.rows {
        let i = names.iter().position(|n| *n == r.model).unwrap_or(names.len() - 1);
        let d = (r.date - days[0]).num_days() as usize;
        values[i][d] += kind.of(r) as f64;
    }
    Series { title: format!("{} per day, by model", kind.label()), unit: "tokens".into(), days, names, values, unpriced_rows: 0 }
}

/// Cost per day in USD, summed over models; rows without a price are counted, not added as $0.
pub fn cost_by_day(snapshot: &UsageSnapshot) -> Series {
    let days = all_days(&snapshot.rows);
    let mut values = vec![0.0; days.len()];
    let mut unpriced = 0;
    for r in &snapshot.rows {
        match r.cost {
            Some(c) => values[(r.date - days[0]).num_days() as usize] += c.usd,
            None => unpriced += 1,
        }
    }
    Series { title: "cost per day".into(), unit: "USD".into(), days, names: vec!["cost".into()], values: vec![values], unpriced_rows: unpriced }
}

impl Series {
    /// One row per day: the date, then one column per name.
    pub fn table(&self) -> Table {
        let mut header = vec!["date".to_string()];
        header.extend(self.names.iter().cloned());
        let rows =
            self.days.iter().enumerate().map(|(d, day)| std::iter::once(day.to_string()).chain(self.values.iter().map(|v| number(v[d]))).collect()).collect();
        Table { header, rows }
    }

    pub fn csv(&self) -> Result<String, TableError> {
        self.table().csv()
    }
}

fn number(v: f64) -> String {
    if v.fract() == 0.0 && v.abs() < 1e15 { format!("{v:.0}") } else { format!("{v:.6}").trim_end_matches('0').to_string() }
}

/// Every row of the snapshot, as printed and exported (cost blank when there is no price).
pub fn rows_table(snapshot: &UsageSnapshot) -> Table {
    let header =
        ["date", "model", "input_tokens", "output_tokens", "cache_read_tokens", "cache_write_tokens", "requests", "failed_requests", "cost_usd", "cost_basis"];
    let rows = snapshot
        .rows
        .iter()
        .map(|r| {
            vec![
                r.date.to_string(),
                r.model.clone(),
                r.input_tokens.to_string(),
                r.output_tokens.to_string(),
                r.cache_read_tokens.to_string(),
                r.cache_write_tokens.to_string(),
                r.requests.to_string(),
                r.failed_requests.to_string(),
                r.cost.map(|c| number(c.usd)).unwrap_or_default(),
                r.cost.map(|c| format!("{:?}", c.basis).to_lowercase()).unwrap_or_else(|| "no price".into()),
            ]
        })
        .collect();
    Table { header: header.iter().map(|h| h.to_string()).collect(), rows }
}

impl Table {
    /// RFC 4180 CSV. A cell a spreadsheet would run as a formula (`=`, `+`, `-`, `@` first) gets a
    /// leading `'` — a model name is the server's text, not a formula.
    pub fn csv(&self) -> Result<String, TableError> {
        let mut w = csv::Writer::from_writer(Vec::new());
        let inert = |cell: &String| {
            if cell.starts_with(['=', '+', '@', '\t', '\r']) || (cell.starts_with('-') && cell.parse::<f64>().is_err()) {
                format!("'{cell}")
            } else {
                cell.clone()
            }
        };
        for row in std::iter::once(&self.header).chain(&self.rows) {
            w.write_record(row.iter().map(inert)).map_err(|e| TableError::Csv(e.to_string()))?;
        }
        let bytes = w.into_inner().map_err(|e| TableError::Csv(e.to_string()))?;
        String::from_utf8(bytes).map_err(|e| TableError::Csv(e.to_string()))
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::usage::model::*;

    pub(crate) fn snapshot(rows: Vec<UsageRow>) -> UsageSnapshot {
        UsageSnapshot {
            identity: Identity::default(),
            as_of: chrono::Utc::now(),
            source: SourceKind::Local,
            provenance: Provenance::LocalEstimate,
            completeness: Completeness::Complete,
            budget: None,
            team_budget: None,
            rows,
            dropped: vec![],
        }
    }

    fn row(day: u32, model: &str, output: u64, cost: Option<f64>) -> UsageRow {
        let mut r = UsageRow::empty(NaiveDate::from_ymd_opt(2026, 11, day).unwrap(), model);
        r.output_tokens = output;
        r.cache_read_tokens = 5;
        r.cost = cost.map(|usd| Cost { usd, basis: CostBasis::PriceTable });
        r
    }

    #[test]
    fn series_fill_missing_days_and_keep_no_price_apart() {
        let s = snapshot(vec![row(1, "a", 10, Some(1.5)), row(3, "b", 20, None), row(3, "a", 1, Some(0.25))]);
        let t = tokens_by_model(&s, TokenKind::Output);
        assert_eq!(t.names, vec!["b", "a"], "biggest first");
        assert_eq!(t.values, vec![vec![0.0, 0.0, 20.0], vec![10.0, 0.0, 1.0]]);
        assert_eq!(tokens_by_model(&s, TokenKind::Cache).values, vec![vec![5.0, 0.0, 5.0], vec![0.0, 0.0, 5.0]], "cache chosen: a (10) before b (5)");
        let c = cost_by_day(&s);
        assert_eq!((c.values[0].clone(), c.unpriced_rows), (vec![1.5, 0.0, 0.25], 1));
        assert_eq!(c.csv().unwrap(), "date,cost\n2026-11-01,1.5\n2026-11-02,0\n2026-11-03,0.25\n");
        let rows = rows_table(&s);
        assert_eq!(rows.rows[1][8..], ["".to_string(), "no price".to_string()], "no price is blank, never 0");
    }

    #[test]
    fn many_models_fold_into_other_models() {
        let rows = (0..20).map(|i| row(1, &format!("m{i:02}"), 100 + i, None)).collect();
        let t = tokens_by_model(&snapshot(rows), TokenKind::Output);
        assert_eq!(t.names.len(), MAX_SERIES);
        assert_eq!(t.names.last().map(String::as_str), Some(OTHER_MODELS));
        assert_eq!(t.values.iter().map(|v| v[0]).sum::<f64>(), (0..20).map(|i| (100 + i) as f64).sum::<f64>(), "nothing lost");
    }

    #[test]
    fn csv_quotes_and_disarms_what_a_server_named() {
        let s = snapshot(vec![row(1, "=HYPERLINK(\"http://x\")", 1, Some(1.0)), row(1, "a,b \"c\"", 1, Some(-0.5))]);
        let csv = rows_table(&s).csv().unwrap();
        assert!(csv.contains("\"'=HYPERLINK(\"\"http://x\"\")\""), "{csv}");
        assert!(csv.contains("\"a,b \"\"c\"\"\""), "{csv}");
        assert!(csv.contains(",-0.5,"), "a negative number stays a number: {csv}");
    }
}
