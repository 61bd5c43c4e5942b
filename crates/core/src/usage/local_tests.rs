//! The local source over transcript files in a temp home, in the shape Claude Code writes
//! (facts/usage.md §4): streamed duplicates counted once, cache writes split by lifetime.

use super::*;
use crate::usage::UsageSource;
use chrono::{TimeZone, Utc};
use serde_json::json;

fn assistant(at: &str, model: &str, id: &str, request: &str, usage: serde_json::Value) -> String {
    json!({"type": "assistant", "timestamp": at, "requestId": request, "sessionId": "s1",
           "message": {"id": id, "type": "message", "role": "assistant", "model": model, "content": [{"type": "text", "text": "ok"}], "usage": usage}})
    .to_string()
}

fn usage(input: i64, output: i64, read: i64, write_5m: i64, write_1h: i64) -> serde_json::Value {
    json!({"input_tokens": input, "cache_creation_input_tokens": write_5m + write_1h, "cache_read_input_tokens": read, "output_tokens": output,
           "server_tool_use": {"web_search_requests": 0, "web_fetch_requests": 0}, "service_tier": "standard",
           "cache_creation": {"ephemeral_1h_input_tokens": write_1h, "ephemeral_5m_input_tokens": write_5m}})
}

fn request() -> RefreshRequest {
    RefreshRequest { as_of: Utc.with_ymd_and_hms(2026, 11, 24, 18, 0, 0).unwrap(), days: 30 }
}

fn write(dir: &Path, lines: &[String]) {
    std::fs::create_dir_all(dir).unwrap();
    std::fs::write(dir.join("0b6a3c4e-session.jsonl"), lines.join("\n") + "\n").unwrap();
}

#[tokio::test]
async fn each_message_counts_once_and_is_priced_from_the_table() {
    let home = tempfile::tempdir().unwrap();
    let streamed = assistant("2026-11-23T10:00:00.000Z", "claude-sonnet-4-5", "msg_1", "req_1", usage(21571, 9, 0, 0, 0));
    write(
        &home.path().join(".claude/projects/-work-repo"),
        &[
            json!({"type": "user", "timestamp": "2026-11-23T09:59:59.000Z", "message": {"role": "user", "content": "hi"}}).to_string(),
            streamed.clone(),
            streamed,
            assistant("2026-11-23T11:00:00.000Z", "claude-haiku-4-5", "msg_2", "req_2", usage(100, 50, 1000, 200, 400)),
            assistant("2026-11-24T08:00:00.000Z", "<synthetic>", "msg_3", "req_3", usage(0, 0, 0, 0, 0)),
            assistant("2026-11-24T09:00:00.000Z", "my-deployment", "msg_4", "req_4", usage(10, 10, 0, 0, 0)),
            assistant("2026-12-30T09:00:00.000Z", "claude-sonnet-4-5", "msg_5", "req_5", usage(10, 10, 0, 0, 0)),
            assistant("2026-11-22T09:00:00.000Z", "claude-sonnet-4-5", "msg_6", "req_6", usage(-10, 10, 0, 0, 0)),
            assistant("2026-08-01T09:00:00.000Z", "claude-sonnet-4-5", "msg_7", "req_7", usage(10, 10, 0, 0, 0)),
            "{\"type\": \"assistant\", \"usage\": {trunc".to_string(),
        ],
    );
    let source = LocalSource::new(home.path(), None, &Usage::default());
    let s = source.refresh(&request()).await.unwrap();
    assert_eq!((s.source, &s.provenance), (SourceKind::Local, &Provenance::LocalEstimate));
    let got: Vec<(String, &str, u64, u64)> = s.rows.iter().map(|r| (r.date.to_string(), r.model.as_str(), r.input_tokens, r.requests)).collect();
    assert_eq!(
        got,
        vec![
            ("2026-11-23".into(), "claude-haiku-4-5", 100, 1),
            ("2026-11-23".into(), "claude-sonnet-4-5", 21571, 1),
            ("2026-11-24".into(), "my-deployment", 10, 1)
        ],
        "the streamed duplicate once, the synthetic notice and the old message not at all"
    );
    // Sonnet 4.5: 21571 × $3 + 9 × $15 per million.
    assert!((s.rows[1].cost.unwrap().usd - (21571.0 * 3.0 + 9.0 * 15.0) / 1e6).abs() < 1e-12);
    // Haiku 4.5: 100 × $1 + 50 × $5 + 1000 × $0.10 + 200 × $1.25 + 400 × $2 (1-hour writes).
    assert!((s.rows[0].cost.unwrap().usd - (100.0 + 250.0 + 100.0 + 250.0 + 800.0) / 1e6).abs() < 1e-12);
    assert_eq!(s.rows[0].cache_write_tokens, 600);
    assert_eq!(s.rows[2].cost, None, "a deployment with no price has no price");
    let reasons: Vec<&str> = s.dropped.iter().map(|d| d.reason.as_str()).collect();
    assert_eq!(reasons, vec!["a date in the future", "a negative or absurd token count"]);
    assert!(matches!(s.completeness, Completeness::Partial { .. }));
}

#[test]
fn claude_config_dir_is_read_instead_of_the_home_and_an_empty_one_is_empty() {
    let home = tempfile::tempdir().unwrap();
    let elsewhere = tempfile::tempdir().unwrap();
    write(&elsewhere.path().join("projects/-srv-app"), &[assistant("2026-11-24T10:00:00Z", "claude-haiku-4-5", "m", "r", usage(5, 5, 0, 0, 0))]);
    let s = LocalSource::new(home.path(), Some(elsewhere.path().to_path_buf()), &Usage::default()).read(&request()).unwrap();
    assert_eq!(s.rows.len(), 1);
    let s = LocalSource::new(home.path(), None, &Usage::default()).read(&request()).unwrap();
    assert_eq!(s.completeness, Completeness::Empty, "no ~/.claude yet: nothing used on this machine");
}

#[test]
fn the_policy_budget_applies_to_this_machines_estimate() {
    let home = tempfile::tempdir().unwrap();
    write(&home.path().join(".claude/projects/p"), &[assistant("2026-11-20T10:00:00Z", "claude-sonnet-4-5", "m", "r", usage(0, 1_000_000, 0, 0, 0))]);
    let budget =
        PolicyBudget { limit: 60.0, unit: crate::usage::BudgetUnit::Usd, period: crate::config::BudgetPeriod::Monthly, reset_day: None, team_limit: None };
    let u = Usage { budget: Some(budget), ..Usage::default() };
    let s = LocalSource::new(home.path(), None, &u).read(&request()).unwrap();
    let b = s.budget.unwrap();
    assert_eq!((b.spent, b.limit, b.scope), (15.0, Some(60.0), crate::usage::BudgetScope::Policy));
}
