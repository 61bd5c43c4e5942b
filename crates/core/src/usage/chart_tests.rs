//! Charts drawn for real: SVG text escaped, both themes as PNG, a year of 20 models.

use super::*;
use crate::usage::forecast;
use crate::usage::model::*;
use crate::usage::table::{self, TokenKind};
use chrono::{Datelike, TimeZone};

/// `days` days to 24 Nov 2026 for `models` models, weekdays busier than weekends, one spike.
fn history(days: i64, models: &[&str]) -> UsageSnapshot {
    let last = NaiveDate::from_ymd_opt(2026, 11, 24).unwrap();
    let mut rows = Vec::new();
    for back in 0..days {
        let date = last - Duration::days(back);
        let weekend = date.weekday().number_from_monday() >= 6;
        for (i, m) in models.iter().enumerate() {
            let scale = if weekend { 0.2 } else { 1.0 } * if back == 9 { 4.0 } else { 1.0 } / (i + 1) as f64;
            let mut r = UsageRow::empty(date, *m);
            r.input_tokens = (40_000.0 * scale) as u64;
            r.output_tokens = (8_000.0 * scale) as u64;
            r.cache_read_tokens = (120_000.0 * scale) as u64;
            r.cache_write_tokens = (9_000.0 * scale) as u64;
            r.requests = (30.0 * scale) as u64;
            r.cost = Some(Cost { usd: 1.2 * scale, basis: CostBasis::Gateway });
            rows.push(r);
        }
    }
    let mut s = UsageSnapshot {
        identity: Identity::default(),
        as_of: Utc.with_ymd_and_hms(2026, 11, 24, 15, 0, 0).unwrap(),
        source: SourceKind::Litellm,
        provenance: Provenance::Gateway,
        completeness: Completeness::Complete,
        budget: Some(Budget {
            scope: BudgetScope::Key,
            unit: BudgetUnit::Usd,
            limit: Some(50.0),
            soft_limit: Some(40.0),
            spent: 35.0,
            period_start: Some(Utc.with_ymd_and_hms(2026, 11, 1, 0, 0, 0).unwrap()),
            resets_at: Some(Utc.with_ymd_and_hms(2026, 12, 1, 0, 0, 0).unwrap()),
            state: BudgetState::Within,
        }),
        team_budget: None,
        rows,
        dropped: vec![],
    };
    s.sort_rows();
    // The gateway's figure for the period agrees with the rows since 1 Nov.
    let spent: f64 = s.rows.iter().filter(|r| r.date.month() == 11).filter_map(|r| r.cost).map(|c| c.usd).sum();
    if let Some(b) = s.budget.as_mut() {
        b.spent = spent;
    }
    s
}

/// Where the PNGs go: a temp dir, or `$FOUNDRY_ONBOARD_KEEP_CHARTS` to look at them.
fn out_dir() -> (Option<tempfile::TempDir>, std::path::PathBuf) {
    match std::env::var_os("FOUNDRY_ONBOARD_KEEP_CHARTS") {
        Some(d) => (None, d.into()),
        None => {
            let t = tempfile::tempdir().unwrap();
            let p = t.path().to_path_buf();
            (Some(t), p)
        }
    }
}

#[test]
fn a_model_named_like_markup_is_text_in_the_svg() {
    let s = history(10, &["<script>alert(1)</script>", "claude-haiku-4-5 & co"]);
    let series = table::tokens_by_model(&s, TokenKind::All);
    let svg = svg(&Chart::Tokens(&series), Theme::Light).unwrap();
    assert!(svg.contains("&lt;script&gt;alert(1)&lt;/script&gt;"), "the name is escaped text");
    assert!(!svg.contains("<script"), "no live markup");
    assert!(svg.contains("claude-haiku-4-5 &amp; co"));
    assert!(svg.starts_with("<svg") && svg.contains("<rect"));
}

#[test]
fn both_charts_render_in_light_and_dark_as_svg_and_png() {
    let s = history(30, &["claude-sonnet-4-5", "claude-haiku-4-5", "claude-opus-4-6"]);
    let f = forecast::for_snapshot(&s).unwrap();
    let tokens = table::tokens_by_model(&s, TokenKind::All);
    let cost = table::cost_by_day(&s);
    let charts = [("tokens", Chart::Tokens(&tokens)), ("cost", Chart::Cost { series: &cost, budget: s.budget.as_ref(), forecast: Some(&f), as_of: s.as_of })];
    let (_keep, dir) = out_dir();
    for (name, chart) in &charts {
        for (theme, label) in [(Theme::Light, "light"), (Theme::Dark, "dark")] {
            let text = svg(chart, theme).unwrap();
            let background = if theme == Theme::Light { "#FFFFFF" } else { "#1E1E1E" };
            assert!(text.contains(background), "{name} {label}: the theme's background");
            let path = dir.join(format!("usage-{name}-{label}.png"));
            write_png(chart, theme, &path).unwrap();
            let bytes = std::fs::read(&path).unwrap();
            assert!(bytes.starts_with(b"\x89PNG\r\n\x1a\n") && bytes.len() > 5_000, "{}: {} bytes", path.display(), bytes.len());
        }
    }
    let cost_svg = svg(&charts[1].1, Theme::Light).unwrap();
    assert!(cost_svg.contains("budget $50") && cost_svg.contains("forecast to the reset") && cost_svg.contains(&f.sentence), "legend and sentence");
    for model in ["claude-sonnet-4-5", "claude-haiku-4-5", "claude-opus-4-6"] {
        assert!(svg(&charts[0].1, Theme::Dark).unwrap().contains(model), "{model} in the legend");
    }
}

#[test]
fn a_year_of_twenty_models_renders_and_its_table_matches() {
    let names: Vec<String> = (0..20).map(|i| format!("deployment-{i:02}")).collect();
    let refs: Vec<&str> = names.iter().map(String::as_str).collect();
    let s = history(365, &refs);
    let started = std::time::Instant::now();
    let series = table::tokens_by_model(&s, TokenKind::Output);
    let text = svg(&Chart::Tokens(&series), Theme::Light).unwrap();
    println!("365 days × 20 models: stacked SVG of {} bytes in {:?} (debug build)", text.len(), started.elapsed());
    assert_eq!(series.days.len(), 365);
    assert_eq!(series.names.len(), table::MAX_SERIES);
    let t = series.table();
    assert_eq!(t.rows.len(), 365);
    let total: f64 = t.rows.iter().flat_map(|r| r[1..].iter()).map(|c| c.parse::<f64>().unwrap()).sum();
    assert_eq!(total, s.rows.iter().map(|r| r.output_tokens as f64).sum::<f64>(), "the table holds every token the chart draws");
}

#[test]
fn an_empty_history_still_draws_axes() {
    let mut s = history(1, &["m"]);
    s.rows.clear();
    let text = svg(&Chart::Tokens(&table::tokens_by_model(&s, TokenKind::All)), Theme::Dark).unwrap();
    assert!(text.starts_with("<svg"));
    let cost = table::cost_by_day(&s);
    assert!(svg(&Chart::Cost { series: &cost, budget: s.budget.as_ref(), forecast: None, as_of: s.as_of }, Theme::Light).unwrap().contains("budget $50"));
}
