//! `foundry-onboard usage`: the one core refresh (`usage::report`), printed as a short summary
//! or `{"ok": true, "usage": {…}}` (docs/usage.schema.json), with the chart and the CSV written
//! from the same report; exit 1 at or over the first alert threshold.

use crate::args::{Global, UsageArgs};
use crate::failure::{CliError, Exit, Outcome, runtime};
use crate::output::emit;
use foundry_onboard_core::usage::chart::{self, Chart, Theme};
use foundry_onboard_core::usage::table::{self, TokenKind};
use foundry_onboard_core::usage::view::NoticeKind;
use foundry_onboard_core::usage::{self, Budget, Completeness, Provenance, SourceKind, UsageAsk, UsageReport};

#[derive(serde::Serialize)]
struct Shown {
    usage: UsageReport,
}

pub fn run(global: &Global, args: UsageArgs) -> Outcome {
    let mut config = super::config::load_live(global)?.config;
    if let Some(source) = &args.source {
        config.usage.source = serde_json::from_value::<SourceKind>(serde_json::Value::String(source.clone())).ok();
    }
    let report = runtime()?.block_on(usage::report(&config, UsageAsk { days: args.days, force: args.refresh }))?;
    if let Some(path) = &args.csv {
        let text = table::rows_table(&report.snapshot).csv()?;
        foundry_onboard_core::atomic_file::write(path, text.as_bytes(), 0o644).map_err(|source| CliError::WriteReport { path: path.clone(), source })?;
    }
    if let Some(path) = &args.chart {
        write_chart(&report, path)?;
    }
    let exit = if report.alert_reached.is_some() { Exit::Warnings } else { Exit::Ok };
    emit(global.json, &Shown { usage: report }, |s| print_report(&s.usage, &config));
    Ok(exit)
}

/// The cost chart (budget line and forecast) where there is a budget, else tokens by model;
/// PNG or SVG by the file's extension.
fn write_chart(report: &UsageReport, path: &std::path::Path) -> Result<(), crate::failure::Failure> {
    let s = &report.snapshot;
    let cost = table::cost_by_day(s);
    let tokens = table::tokens_by_model(s, TokenKind::All);
    let chart = match &s.budget {
        Some(b) => Chart::Cost { series: &cost, budget: Some(b), forecast: report.forecast.as_ref(), as_of: s.as_of },
        None => Chart::Tokens(&tokens),
    };
    if path.extension().is_some_and(|e| e.eq_ignore_ascii_case("svg")) {
        let svg = chart::svg(&chart, Theme::Light)?;
        foundry_onboard_core::atomic_file::write(path, svg.as_bytes(), 0o644).map_err(|source| CliError::WriteReport { path: path.into(), source })?;
    } else {
        chart::write_png(&chart, Theme::Light, path)?;
    }
    Ok(())
}

fn money(b: &Budget, v: f64) -> String {
    match b.unit {
        usage::BudgetUnit::Usd => format!("${v:.2}"),
        usage::BudgetUnit::Tokens => format!("{v:.0} tokens"),
    }
}

fn print_report(r: &UsageReport, config: &foundry_onboard_core::config::Config) {
    let s = &r.snapshot;
    if let Some(stale) = &r.stale {
        println!("STALE: showing the report fetched {} — {}", stale.fetched_at.format("%Y-%m-%d %H:%M UTC"), stale.reason);
        println!("  {}", stale.hint);
    }
    match &s.budget {
        Some(b) => {
            let limit = b.limit.map(|l| format!(" of {}", money(b, l))).unwrap_or_else(|| " (no limit)".into());
            let percent = r.percent_used.map(|p| format!(" ({p:.0} %)")).unwrap_or_default();
            let reset = b.resets_at.map(|t| format!(", resets {}", t.format("%Y-%m-%d"))).unwrap_or_default();
            println!("Spent {}{limit}{percent}{reset} — {:?} budget", money(b, b.spent), b.scope);
            // The budget's state in the Usage tab's words (one core, two faces).
            let budget_notices = [NoticeKind::BudgetExceeded, NoticeKind::OverBudget, NoticeKind::OverSoftLimit];
            for n in usage::view::view(r, config, &chrono::Utc).notices.into_iter().filter(|n| budget_notices.contains(&n.kind)) {
                println!("{}\n  {}", n.text, n.hint);
            }
        }
        None => println!("No budget is known for this source."),
    }
    if let Some(t) = &s.team_budget {
        let limit = t.limit.map(|l| format!(" of {}", money(t, l))).unwrap_or_default();
        println!("Team: {}{limit}", money(t, t.spent));
    }
    if let Some(f) = &r.forecast {
        println!("{}", f.sentence);
    }
    if let Some(a) = r.alert_reached {
        println!("Alert: {a} % of the budget reached.");
    }
    // Per model: tokens, and the cost — None as soon as one row has no price (never shown as $0).
    let mut models: std::collections::BTreeMap<&str, (u64, Option<f64>)> = std::collections::BTreeMap::new();
    for row in &s.rows {
        let e = models.entry(row.model.as_str()).or_insert((0, Some(0.0)));
        e.0 += row.total_tokens();
        e.1 = e.1.zip(row.cost.map(|c| c.usd)).map(|(a, b)| a + b);
    }
    let mut top: Vec<_> = models.into_iter().collect();
    top.sort_by_key(|m| std::cmp::Reverse(m.1.0));
    if !top.is_empty() {
        println!("Top models:");
    }
    for (model, (tokens, usd)) in top.iter().take(3) {
        let cost = usd.map(|u| format!("${u:.2}")).unwrap_or_else(|| "no price".into());
        println!("  {model:<28} {tokens:>14} tokens  {cost}");
    }
    let provenance = match &s.provenance {
        Provenance::Gateway => "the gateway's own figures".to_string(),
        Provenance::AzureMonitor { lag_minutes } => format!("Azure Monitor (up to {lag_minutes} min behind)"),
        Provenance::LocalEstimate => "this machine, estimate".to_string(),
    };
    println!("Source: {} — {provenance}; as of {}", s.source.as_str(), s.as_of.format("%Y-%m-%d %H:%M UTC"));
    match &s.completeness {
        Completeness::Complete => {}
        Completeness::Partial { reason } => println!("Partial: {reason}"),
        Completeness::Empty => println!("No usage in this period."),
    }
}
