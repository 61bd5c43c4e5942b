//! The azure-monitor source against a raw HTTP/1.1 Log Analytics stand-in on 127.0.0.1 (loopback_http), answering
//! with the documented envelopes (`tests/fixtures/usage/loganalytics-query.errors.json`).

use super::*;
use crate::config::UserClaim;
use crate::usage::loopback_http::{Canned, Seen, serve};
use chrono::TimeZone;
use serde_json::{Value, json};

const TOKEN: &str = "eyJ0eXAiOiJKV1QiLCJhbGciOi.test-log-analytics-token";
const USER: &str = "o'brien@contoso.example";

fn errors(name: &str) -> Value {
    let path = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/fixtures/usage/loganalytics-query.errors.json");
    let all: Value = serde_json::from_str(&std::fs::read_to_string(path).unwrap()).unwrap();
    all[name].clone()
}

fn usage(endpoint: &str) -> Usage {
    Usage {
        source: Some(SourceKind::AzureMonitor),
        endpoint: endpoint.into(),
        workspace: Some("a0a0a0a0-bbbb-cccc-dddd-e1e1e1e1e1e1".into()),
        preset: Some(KqlPreset::ApimEmitTokenMetric),
        user_dimension: Some("oid".into()),
        user_claim: UserClaim::Upn,
        budget: Some(PolicyBudget { limit: 100.0, unit: BudgetUnit::Usd, period: BudgetPeriod::Monthly, reset_day: Some(1), team_limit: None }),
        ..Usage::default()
    }
}

fn request() -> RefreshRequest {
    RefreshRequest { as_of: Utc.with_ymd_and_hms(2026, 11, 24, 18, 0, 0).unwrap(), days: 7 }
}

async fn refresh(endpoint: &str) -> Result<UsageSnapshot, AzureMonitorError> {
    let net = crate::fuzz::loopback_network(&crate::config::Config::default());
    AzureMonitorSource::new(net, &usage(endpoint), None, USER.into(), Secret::new(TOKEN))?.fetch(&request()).await
}

/// A PrimaryResult table in the contract's columns.
fn table(rows: Value) -> String {
    json!({"tables": [{"name": "PrimaryResult", "columns": [
        {"name": "Day", "type": "datetime"}, {"name": "Model", "type": "string"}, {"name": "TokenType", "type": "string"},
        {"name": "Tokens", "type": "real"}, {"name": "Requests", "type": "long"}], "rows": rows}]})
    .to_string()
}

#[tokio::test]
async fn one_query_for_the_signed_in_user_gives_priced_rows_and_the_policy_budget() {
    let server = serve(|_| {
        Canned::new(
            200,
            table(json!([
                ["2026-11-23T00:00:00Z", "claude-sonnet-4-5", "input", 1_000_000, 412],
                ["2026-11-23T00:00:00Z", "claude-sonnet-4-5", "output", 100_000, 412],
                ["2026-11-24T00:00:00Z", "claude-haiku-4-5", "input", "2000000", 88],
                ["2026-11-24T00:00:00Z", "team-custom-model", "output", 5, 1],
            ])),
        )
    })
    .await;
    let s = refresh(&server.url).await.unwrap();
    let seen: Vec<Seen> = server.seen();
    assert_eq!(seen.len(), 1, "one query per refresh");
    assert_eq!(seen[0].path, "/v1/workspaces/a0a0a0a0-bbbb-cccc-dddd-e1e1e1e1e1e1/query");
    assert_eq!(seen[0].authorization, format!("Bearer {TOKEN}"));
    let query = seen[0].body["query"].as_str().unwrap();
    assert!(query.starts_with("let user = 'o\\'brien@contoso.example';"), "the user is an escaped literal: {query}");
    assert_eq!(seen[0].body["timespan"], "P24D", "back to the budget period's start (1 Nov)");
    assert_eq!(s.provenance, Provenance::AzureMonitor { lag_minutes: 5 });
    assert_eq!(s.rows.len(), 3);
    let sonnet = &s.rows[0];
    assert_eq!((sonnet.input_tokens, sonnet.output_tokens, sonnet.requests), (1_000_000, 100_000, 412));
    // $3 + 0.1 × $15 = $4.50 at list price; haiku 2 M input × $1 = $2; the custom model has no price.
    assert!((sonnet.cost.unwrap().usd - 4.5).abs() < 1e-9);
    assert_eq!(s.rows[2].cost, None, "no price, not $0");
    let b = s.budget.unwrap();
    assert_eq!((b.scope, b.limit, b.spent), (BudgetScope::Policy, Some(100.0), 6.5));
    assert_eq!(
        (b.period_start.unwrap().to_rfc3339(), b.resets_at.unwrap().to_rfc3339()),
        ("2026-11-01T00:00:00+00:00".into(), "2026-12-01T00:00:00+00:00".into())
    );
    assert_eq!(s.completeness, Completeness::Complete);
}

#[tokio::test]
async fn a_partial_answer_is_marked_partial_and_an_empty_workspace_is_empty() {
    let server = serve(|_| {
        let mut body: Value = serde_json::from_str(&table(json!([["2026-11-23T00:00:00Z", "claude-sonnet-4-5", "input", 10, 1]]))).unwrap();
        body["error"] = errors("partial_200")["body"]["error"].clone();
        Canned::new(200, body.to_string())
    })
    .await;
    let s = refresh(&server.url).await.unwrap();
    assert!(
        matches!(&s.completeness, Completeness::Partial { reason } if reason.contains("PartialError") && reason.contains("QueryTimeout")),
        "{:?}",
        s.completeness
    );
    assert_eq!(s.rows.len(), 1, "the rows that came are kept, marked partial");
    let server = serve(|_| Canned::new(204, "")).await;
    let s = refresh(&server.url).await.unwrap();
    assert_eq!((s.completeness, s.rows.len()), (Completeness::Empty, 0));
    assert_eq!(s.budget.map(|b| b.spent), Some(0.0));
}

#[tokio::test]
async fn each_refusal_is_named_with_what_to_do() {
    for (name, check) in [
        ("no_rbac_403", "Reader role on the Log Analytics workspace a0a0a0a0-bbbb-cccc-dddd-e1e1e1e1e1e1"),
        ("resource_no_access_403", "Reader role"),
        ("wrong_audience_403", "az login"),
        ("no_auth_401", "az login"),
        ("path_404", "usage.workspace"),
        ("syntax_400", "bug in Foundry Onboard's preset query"),
    ] {
        let sample = errors(name);
        let (status, body) = (sample["status"].as_u64().unwrap() as u16, sample["body"].to_string());
        let server = serve(move |_| Canned::new(status, body.clone())).await;
        let e = refresh(&server.url).await.unwrap_err();
        assert!(e.hint().contains(check), "{name}: {e} — {}", e.hint());
        assert!(!e.to_string().contains(TOKEN) && !e.hint().contains(TOKEN));
    }
    let server = serve(|_| Canned::new(429, "{}").header("retry-after", "12")).await;
    assert!(matches!(refresh(&server.url).await.unwrap_err(), AzureMonitorError::RateLimited { retry_after_s: Some(12) }));
    let server = serve(|_| Canned::new(200, "<html>proxy sign-in</html>").header("content-type", "text/html")).await;
    assert!(matches!(refresh(&server.url).await.unwrap_err(), AzureMonitorError::Html { .. }));
}

#[tokio::test]
async fn a_missing_column_is_named_and_bad_rows_are_dropped() {
    let server =
        serve(|_| Canned::new(200, json!({"tables": [{"columns": [{"name": "Day"}, {"name": "Model"}, {"name": "Tokens"}], "rows": []}]}).to_string())).await;
    assert!(matches!(refresh(&server.url).await.unwrap_err(), AzureMonitorError::MissingColumn { column: "TokenType" }));
    let server = serve(|_| {
        Canned::new(
            200,
            table(json!([
                ["2026-11-23T00:00:00Z", "<b>m</b>", "input", 10, 1],
                ["2026-11-23T00:00:00Z", "m", "input", -10, 1],
                ["2026-11-23T00:00:00Z", "m", "input", 1e15, 1],
                ["2027-01-01T00:00:00Z", "m", "input", 10, 1],
                ["not a date", "m", "input", 10, 1],
                ["2026-11-23T00:00:00Z", "m", "reasoning", 10, 1],
            ])),
        )
    })
    .await;
    let s = refresh(&server.url).await.unwrap();
    assert_eq!(s.rows.iter().map(|r| r.model.as_str()).collect::<Vec<_>>(), vec!["<b>m</b>"], "markup kept as text");
    assert_eq!(s.dropped.len(), 5, "{:?}", s.dropped);
    assert!(matches!(s.completeness, Completeness::Partial { .. }));
}

#[test]
fn budget_periods() {
    let b = |period, reset_day| PolicyBudget { limit: 1.0, unit: BudgetUnit::Tokens, period, reset_day, team_limit: None };
    let day = |m, d| NaiveDate::from_ymd_opt(2026, m, d).unwrap();
    let dates = |(s, e): (DateTime<Utc>, DateTime<Utc>)| (s.date_naive(), e.date_naive());
    assert_eq!(dates(period(&b(BudgetPeriod::Monthly, Some(15)), day(11, 24))), (day(11, 15), day(12, 15)));
    assert_eq!(dates(period(&b(BudgetPeriod::Monthly, Some(15)), day(11, 3))), (day(10, 15), day(11, 15)));
    // 24 Nov 2026 is a Tuesday; a week starting Monday began on the 23rd, one starting Wednesday on the 18th.
    assert_eq!(dates(period(&b(BudgetPeriod::Weekly, None), day(11, 24))), (day(11, 23), day(11, 30)));
    assert_eq!(dates(period(&b(BudgetPeriod::Weekly, Some(3)), day(11, 24))), (day(11, 18), day(11, 25)));
    assert_eq!(dates(period(&b(BudgetPeriod::Daily, None), day(11, 24))), (day(11, 24), day(11, 25)));
}
