//! The tab's view from real reports: states in words, provenance, health only when present, the
//! machine-vs-gateway line, the range cut, and a hostile model name kept as text.

use super::*;
use crate::usage::cache::Stale;
use crate::usage::model::*;
use crate::usage::view_charts::range_charts;
use crate::usage::{chart::Theme, table::TokenKind};
use chrono::{NaiveDate, TimeZone};

fn as_of() -> DateTime<Utc> {
    Utc.with_ymd_and_hms(2026, 11, 20, 10, 42, 0).unwrap()
}

fn row(day: u32, model: &str, output: u64, usd: Option<f64>) -> UsageRow {
    let mut r = UsageRow::empty(NaiveDate::from_ymd_opt(2026, 11, day).unwrap(), model);
    r.output_tokens = output;
    r.requests = 10;
    r.cost = usd.map(|usd| Cost { usd, basis: CostBasis::Gateway });
    r
}

fn snapshot(source: SourceKind, rows: Vec<UsageRow>, budget: Option<Budget>) -> UsageSnapshot {
    let provenance = match source {
        SourceKind::Litellm => Provenance::Gateway,
        SourceKind::AzureMonitor => Provenance::AzureMonitor { lag_minutes: 5 },
        SourceKind::Local => Provenance::LocalEstimate,
    };
    UsageSnapshot {
        identity: Identity::default(),
        as_of: as_of(),
        source,
        provenance,
        completeness: Completeness::Complete,
        budget,
        team_budget: None,
        rows,
        dropped: vec![],
    }
}

fn budget(spent: f64, state: BudgetState) -> Budget {
    Budget {
        scope: BudgetScope::Key,
        unit: BudgetUnit::Usd,
        limit: Some(50.0),
        soft_limit: None,
        spent,
        period_start: None,
        resets_at: Some(Utc.with_ymd_and_hms(2026, 12, 1, 0, 0, 0).unwrap()),
        state,
    }
}

fn gateway_config() -> Config {
    let mut c = Config::default();
    c.gateway.url = Some("http://127.0.0.1:9".into());
    c
}

#[test]
fn the_gauge_carries_the_reports_numbers_and_provenance_is_a_sentence() {
    let rows = (1..=19).map(|d| row(d, "claude-sonnet-4-5", 1000, Some(1.0))).collect();
    let report = UsageReport::new(snapshot(SourceKind::Litellm, rows, Some(budget(35.0, BudgetState::Within))), &[80, 100]);
    let v = view(&report, &gateway_config(), &Utc);
    let g = v.gauge.clone().unwrap();
    assert_eq!((g.spent, g.limit, g.percent), (35.0, Some(50.0), report.percent_used));
    assert_eq!(v.provenance, "from the gateway (LiteLLM)");
    assert_eq!(v.forecast, report.forecast.as_ref().map(|f| f.sentence.clone()));
    assert!(v.forecast.is_some(), "a limit and a reset give a forecast");
    assert!(v.notices.is_empty(), "{:?}", v.notices);
    assert_eq!(v.health, None, "no failures and no latency: no panel");
    assert_eq!(provenance(&Provenance::AzureMonitor { lag_minutes: 5 }), "from Azure Monitor, about 5 minutes behind");
    assert_eq!(provenance(&Provenance::LocalEstimate), "this machine only, estimate");
}

#[test]
fn times_are_words_in_the_persons_time_zone() {
    let mut b = budget(35.0, BudgetState::Within);
    b.period_start = Some(Utc.with_ymd_and_hms(2026, 11, 1, 0, 0, 0).unwrap());
    let report = UsageReport::new(snapshot(SourceKind::Litellm, vec![row(19, "m", 1, Some(1.0))], Some(b)), &[80]);
    let utc = view(&report, &gateway_config(), &Utc);
    assert_eq!(utc.as_of_text, "20 Nov 2026, 10:42");
    assert_eq!(utc.gauge.unwrap().period.as_deref(), Some("period from 1 Nov 2026, 00:00, resets 1 Dec 2026, 00:00"));
    // Five and a half hours east (India): the same instants, the person's clock.
    let ist = chrono::FixedOffset::east_opt(5 * 3600 + 1800).unwrap();
    let there = view(&report, &gateway_config(), &ist);
    assert_eq!(there.as_of_text, "20 Nov 2026, 16:12");
    assert_eq!(there.gauge.unwrap().period.as_deref(), Some("period from 1 Nov 2026, 05:30, resets 1 Dec 2026, 05:30"));
    // Only the end known: only the end said; neither: nothing.
    let mut end_only = report.clone();
    end_only.snapshot.budget.as_mut().unwrap().period_start = None;
    assert_eq!(view(&end_only, &gateway_config(), &Utc).gauge.unwrap().period.as_deref(), Some("resets 1 Dec 2026, 00:00"));
    end_only.snapshot.budget.as_mut().unwrap().resets_at = None;
    assert_eq!(view(&end_only, &gateway_config(), &Utc).gauge.unwrap().period, None);
}

#[test]
fn states_are_words_with_what_to_do_worst_first() {
    let mut s = snapshot(
        SourceKind::Litellm,
        vec![row(19, "m", 1, Some(1.0))],
        Some(budget(51.0, BudgetState::Exceeded { message: "Budget has been exceeded!".into() })),
    );
    s.completeness = Completeness::Partial { reason: "one workspace did not answer.".into() };
    let mut report = UsageReport::new(s, &[80, 100]);
    report.stale = Some(Stale { reason: "the gateway is down".into(), hint: "Try again later.".into(), fetched_at: as_of(), remedy: None });
    let v = view(&report, &gateway_config(), &Utc);
    let kinds: Vec<NoticeKind> = v.notices.iter().map(|n| n.kind).collect();
    assert_eq!(kinds, vec![NoticeKind::BudgetExceeded, NoticeKind::Stale, NoticeKind::Partial]);
    assert!(v.notices[0].text.contains("Budget has been exceeded!") && !v.notices[0].hint.is_empty());
    assert_eq!(v.notices[1].since, Some(as_of()));
    assert_eq!(v.notices[1].since_text.as_deref(), Some("20 Nov 2026, 10:42"));
    assert!(v.notices[1].text.contains("the gateway is down"));
    assert_eq!(v.notices[2].text, "Partial data: one workspace did not answer.", "one full stop");
    assert_eq!(v.alert_reached, Some(100));

    // Over the limit by the numbers, without the gateway's refusal (a policy budget).
    let over = UsageReport::new(snapshot(SourceKind::AzureMonitor, vec![], Some(budget(60.0, BudgetState::Within))), &[80]);
    assert_eq!(view(&over, &gateway_config(), &Utc).notices[0].kind, NoticeKind::OverBudget);
}

#[test]
fn an_org_policy_budget_past_its_limit_is_over_budget_and_never_says_a_gateway_refuses() {
    use crate::config::{BudgetPeriod, PolicyBudget};
    let rows = vec![row(19, "claude-sonnet-4-5", 1000, Some(30.0)), row(20, "claude-sonnet-4-5", 1000, Some(30.0))];
    let policy = PolicyBudget { limit: 50.0, unit: BudgetUnit::Usd, period: BudgetPeriod::Monthly, reset_day: None, team_limit: None };
    let start = Utc.with_ymd_and_hms(2026, 11, 1, 0, 0, 0).unwrap();
    let end = Utc.with_ymd_and_hms(2026, 12, 1, 0, 0, 0).unwrap();
    let b = crate::usage::azure_monitor::policy_budget(&policy, start, end, &rows);
    assert_eq!((b.spent, b.state.clone()), (60.0, BudgetState::Within), "counted, not enforced");
    let mut s = snapshot(SourceKind::Local, rows, Some(b));
    s.provenance = Provenance::LocalEstimate;
    let report = UsageReport::new(s, &[80, 100]);
    let v = view(&report, &Config::default(), &Utc);
    let over = v.notices.iter().find(|n| n.kind == NoticeKind::OverBudget).expect("over budget");
    assert_eq!(over.text, "Over budget: $60.00 spent of $50.00.");
    assert!(v.notices.iter().all(|n| n.kind != NoticeKind::BudgetExceeded && !n.text.contains("refuses")), "{:?}", v.notices);
    assert_eq!(report.alert_reached, Some(100), "the 100 % alert still comes");
}

#[test]
fn no_source_and_no_data_teach_what_to_do() {
    let mut s = snapshot(SourceKind::Local, vec![], None);
    s.completeness = Completeness::Empty;
    let v = view(&UsageReport::new(s, &[80]), &Config::default(), &Utc);
    let kinds: Vec<NoticeKind> = v.notices.iter().map(|n| n.kind).collect();
    assert_eq!(kinds, vec![NoticeKind::NoSourceConfigured, NoticeKind::NoData]);
    assert!(v.notices[0].hint.contains("platform team can point the app at the gateway"), "{}", v.notices[0].hint);
    assert!(no_source_configured(&Config::default()) && !no_source_configured(&gateway_config()));
}

#[test]
fn health_only_when_the_source_has_failures_or_latency() {
    let mut a = row(18, "m", 1, None);
    a.requests = 30;
    a.failed_requests = 3;
    a.latency = Some(Latency { mean_ms: None, p50_ms: Some(100.0), p95_ms: Some(400.0), p99_ms: None });
    let mut b = row(19, "m", 1, None);
    b.requests = 10;
    b.latency = Some(Latency { mean_ms: None, p50_ms: Some(200.0), p95_ms: None, p99_ms: None });
    let h = health(&snapshot(SourceKind::AzureMonitor, vec![a, b], None)).unwrap();
    assert_eq!((h.requests, h.failed, h.failed_percent), (40, 3, Some(7.5)));
    assert_eq!((h.p50_ms, h.p95_ms, h.p99_ms), (Some(125.0), Some(400.0), None), "weighted by requests");
}

#[test]
fn this_machine_beside_the_gateway_with_a_hint_when_they_differ_a_lot() {
    let gw = snapshot(SourceKind::Litellm, vec![row(19, "m", 1000, None)], None);
    let close = snapshot(SourceKind::Local, vec![row(19, "m", 800, None)], None);
    let c = compare(&gw, &close).unwrap();
    assert_eq!((c.local_tokens, c.source_tokens, c.hint.clone()), (800, 1000, None));
    assert_eq!(c.sentence, "This machine: 800 tokens, 80 % of the 1,000 tokens the gateway counted.");
    let more = snapshot(SourceKind::Local, vec![row(19, "m", 5000, None)], None);
    assert!(compare(&gw, &more).unwrap().hint.unwrap().contains("bypass"));
    let less = snapshot(SourceKind::Local, vec![row(19, "m", 100, None)], None);
    assert!(compare(&gw, &less).unwrap().hint.unwrap().contains("elsewhere"));
    assert_eq!(compare(&close, &close), None, "the local estimate is not compared with itself");
    let mut partial = gw.clone();
    partial.completeness = Completeness::Partial { reason: "a timeout.".into() };
    assert_eq!(compare(&partial, &more).unwrap().hint, None, "no hint from partial figures");
}

#[test]
fn ranges_cut_the_report_and_a_hostile_name_stays_text() {
    let hostile = "<img src=x onerror=alert(1)>";
    let rows = vec![row(1, "old", 5, Some(0.5)), row(14, hostile, 7, Some(1.0)), row(20, "claude-sonnet-4-5", 9, Some(2.0))];
    let report = UsageReport::new(snapshot(SourceKind::Litellm, rows, Some(budget(3.5, BudgetState::Within))), &[80]);
    assert_eq!(last_days(&report.snapshot, 7).rows.len(), 2, "14 Nov to 20 Nov");
    assert_eq!(last_days(&report.snapshot, 30).rows.len(), 3);
    let c = range_charts(&report, 7, TokenKind::Output, Theme::Dark).unwrap();
    assert!(!c.tokens.svg.contains(hostile) && c.tokens.svg.contains("&lt;img src=x onerror=alert(1)&gt;"), "escaped in the SVG");
    assert_eq!(c.tokens.table.header, vec!["date", "claude-sonnet-4-5", hostile], "the table holds the name as text");
    assert!(!c.tokens.table.header.contains(&"old".to_string()), "outside the range");
    let cost = c.cost.unwrap();
    assert!(cost.alt.contains("$3.00 in total") && cost.alt.contains("budget line at $50.00"), "{}", cost.alt);
    assert!(c.tokens.alt.contains("16 in total across 2 model(s)"), "{}", c.tokens.alt);
    let csv = crate::usage::view_charts::csv(&report, 7).unwrap();
    assert_eq!(csv.lines().count(), 3, "{csv}");
}

#[test]
fn a_range_without_usage_says_so_and_names_the_last_day_that_had_some() {
    // Usage on 1 Nov only; the tab's as-of is 20 Nov.
    let report = UsageReport::new(snapshot(SourceKind::Litellm, vec![row(1, "m", 5, Some(0.5)), row(18, "m", 0, None)], None), &[80]);
    let week = range_charts(&report, 7, TokenKind::All, Theme::Light).unwrap();
    assert_eq!(week.empty.as_deref(), Some("No usage in the last 7 days. The last usage the source has is on 1 Nov 2026; a longer range shows it."));
    assert_eq!(range_charts(&report, 30, TokenKind::All, Theme::Light).unwrap().empty, None, "30 days reach 1 Nov");
    let nothing = UsageReport::new(snapshot(SourceKind::Local, vec![], None), &[80]);
    let e = range_charts(&nothing, 90, TokenKind::All, Theme::Light).unwrap().empty.unwrap();
    assert!(e.starts_with("No usage in the last 90 days: nothing has been sent"), "{e}");
}

#[test]
fn the_first_paint_is_the_view_alone_and_the_tab_adds_charts_and_the_comparison() {
    use crate::usage::tab::{TabAsk, first_paint, tab};
    let report = UsageReport::new(snapshot(SourceKind::Litellm, vec![row(19, "m", 1000, Some(1.0))], Some(budget(35.0, BudgetState::Within))), &[80]);
    let local = UsageReport::new(snapshot(SourceKind::Local, vec![row(19, "m", 800, None)], None), &[80]);
    let first = first_paint(&gateway_config(), &report);
    assert!(first.from_cache && first.charts.is_none() && first.comparison.is_none());
    assert_eq!(first.view, view(&report, &gateway_config(), &chrono::Local), "the same view the refresh shows");
    let full = tab(&gateway_config(), &report, Some(&local), TabAsk { days: 500, kind: TokenKind::All, theme: Theme::Light }).unwrap();
    assert_eq!(full.charts.map(|c| c.days), Some(90), "a range beyond what the tab fetched is cut to it");
    assert_eq!(full.comparison.map(|c| (c.local_tokens, c.source_tokens)), Some((800, 1000)));
}

#[test]
fn the_comparison_covers_only_the_days_this_machine_has_a_record_of() {
    // The gateway counted 90 days; this machine's transcripts start on day 18 (older ones deleted).
    let gw = snapshot(SourceKind::Litellm, vec![row(2, "m", 9000, None), row(18, "m", 500, None), row(19, "m", 500, None)], None);
    let local = snapshot(SourceKind::Local, vec![row(18, "m", 450, None), row(19, "m", 450, None)], None);
    let c = compare(&gw, &local).unwrap();
    assert_eq!((c.local_tokens, c.source_tokens, c.hint.clone()), (900, 1000, None), "day 2 is left out: no 'came from elsewhere'");
    assert!(c.sentence.starts_with("This machine: 900 tokens since "), "{}", c.sentence);
    assert!(c.sentence.ends_with(", 90 % of the 1,000 tokens the gateway counted."), "{}", c.sentence);
}

#[test]
fn a_missing_or_refused_key_asks_for_the_key_a_missing_token_for_a_sign_in_and_a_config_error_for_neither() {
    use crate::config::{Config, GatewayAuth, SandboxLink};
    use crate::keyring::SecretError;
    use crate::usage::UsageError as E;
    use crate::usage::credential::CredentialError as C;
    use crate::usage::credential::{Remedy, remedy as signed_out};
    use crate::usage::litellm::{GatewayCredential, LitellmError};
    use crate::usage::refresh::RefreshError;
    let mut config = Config::default();
    config.gateway.url = Some("https://llm.example.com".into());
    config.gateway.auth = GatewayAuth::Key;
    let key = Some(Remedy::GatewayKey { sandbox_key_file: None });
    assert_eq!(signed_out(&config, &E::Credential(C::GatewayKey(SecretError::NotFound("gateway-key".into())))), key, "no key stored");
    let refused = LitellmError::Unauthorized { url: "u".into(), credential: GatewayCredential::Key, message: "Invalid API key".into() };
    assert_eq!(signed_out(&config, &E::Litellm(refused)), key, "a key the gateway refuses: paste another");
    let missing = || E::Refresh(RefreshError::MissingCredential { usage_source: "litellm", needs: "the gateway credential" });
    assert_eq!(signed_out(&config, &missing()), key);
    // Pasting a key does not bring a keyring back, nor names a scope.
    assert_eq!(signed_out(&config, &E::Credential(C::GatewayKey(SecretError::Unavailable("no Secret Service".into())))), None);
    assert_eq!(signed_out(&config, &E::Credential(C::NoGatewayScope)), None, "signing in cannot fix a config without gateway.scope");
    let forbidden = LitellmError::Forbidden { url: "u".into(), message: "not allowed".into() };
    assert_eq!(signed_out(&config, &E::Litellm(forbidden)), None, "a key that may not read its spend is no signed-out state");
    // Entra: a sign-in.
    config.gateway.auth = GatewayAuth::Entra;
    assert_eq!(signed_out(&config, &missing()), Some(Remedy::SignIn));
    assert_eq!(signed_out(&config, &E::Credential(C::NoClaim { claim: "upn" })), Some(Remedy::SignIn));
    let entra_refused = LitellmError::Unauthorized { url: "u".into(), credential: GatewayCredential::EntraToken, message: "expired".into() };
    assert_eq!(signed_out(&config, &E::Litellm(entra_refused)), None, "a refused token is a failure the hint explains");
    // In a sandbox, the file its gateway's key is in.
    config.gateway.auth = GatewayAuth::Key;
    let dir = std::path::Path::new("/tmp/foundry-onboard-sandbox-x");
    config.sandbox = Some(SandboxLink { home: dir.join("home"), ca_file: dir.join("ca.pem"), private_base_url: None, policy: None });
    let file = dir.join(crate::sandbox_info::GATEWAY_KEY_FILE).display().to_string();
    assert_eq!(signed_out(&config, &missing()), Some(Remedy::GatewayKey { sandbox_key_file: Some(file) }));
}
