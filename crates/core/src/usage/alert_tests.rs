//! The ledger's rules with reports built by hand (no wall clock), the words of each notice, and
//! the file on disk: kept across loads, a corrupt one read as empty.

use super::*;
use crate::usage::model::{BudgetScope, Completeness, Identity, Provenance, SourceKind, UsageSnapshot};
use chrono::{Duration, TimeZone};

fn t(day: u32, hour: u32) -> DateTime<Utc> {
    Utc.with_ymd_and_hms(2026, 12, day, hour, 0, 0).unwrap()
}

fn utc() -> FixedOffset {
    FixedOffset::east_opt(0).unwrap()
}

/// A key budget of $400 for the 30 days from `start`, `spent` of it used, as of `as_of`.
fn report(spent: f64, start: DateTime<Utc>, as_of: DateTime<Utc>) -> UsageReport {
    let mut budget = Budget {
        scope: BudgetScope::Key,
        unit: BudgetUnit::Usd,
        limit: Some(400.0),
        soft_limit: None,
        spent,
        period_start: Some(start),
        resets_at: Some(start + Duration::days(30)),
        state: BudgetState::Within,
    };
    budget.state = budget.implied_state();
    let snapshot = UsageSnapshot {
        identity: Identity::default(),
        as_of,
        source: SourceKind::Litellm,
        provenance: Provenance::Gateway,
        completeness: Completeness::Complete,
        budget: Some(budget),
        team_budget: None,
        rows: Vec::new(),
        dropped: Vec::new(),
    };
    UsageReport::new(snapshot, &[80, 100])
}

const THRESHOLDS: [u32; 2] = [80, 100];

#[test]
fn each_threshold_fires_once_per_period_and_a_new_period_fires_again() {
    let start = t(2, 0);
    let mut ledger = Ledger::default();
    assert_eq!(ledger.record(&report(300.0, start, t(3, 9)), &THRESHOLDS, t(3, 9)), None, "75 %: nothing");
    assert_eq!(ledger.record(&report(328.0, start, t(3, 10)), &THRESHOLDS, t(3, 10)), Some(80), "82 %: the 80 % alert");
    assert_eq!(ledger.record(&report(340.0, start, t(3, 11)), &THRESHOLDS, t(3, 11)), None, "85 %: already announced");
    assert_eq!(ledger.record(&report(401.0, start, t(4, 9)), &THRESHOLDS, t(4, 9)), Some(100), "over: the 100 % alert");
    assert_eq!(ledger.record(&report(420.0, start, t(5, 9)), &THRESHOLDS, t(5, 9)), None, "still over: nothing more");

    let next = start + Duration::days(30);
    let now = next + Duration::days(1);
    assert_eq!(ledger.record(&report(330.0, next, now), &THRESHOLDS, now), Some(80), "a new period announces again");
}

#[test]
fn crossing_both_at_once_announces_the_highest_and_marks_both() {
    let start = t(2, 0);
    let mut ledger = Ledger::default();
    assert_eq!(ledger.record(&report(410.0, start, t(3, 9)), &THRESHOLDS, t(3, 9)), Some(100));
    assert_eq!(ledger.record(&report(410.0, start, t(3, 10)), &THRESHOLDS, t(3, 10)), None, "the 80 % alert does not follow");
    let json = serde_json::to_value(&ledger).unwrap();
    assert_eq!(json["budgets"]["litellm key"]["thresholds"], serde_json::json!([80, 100]), "{json}");
}

#[test]
fn a_report_from_an_ended_period_or_without_a_limit_announces_nothing() {
    let start = t(2, 0);
    let mut ledger = Ledger::default();
    let old = report(390.0, start - Duration::days(30), t(1, 9));
    assert_eq!(ledger.record(&old, &THRESHOLDS, t(3, 9)), None, "the period of that report ended on the 2nd");
    let mut no_limit = report(390.0, start, t(3, 9));
    if let Some(b) = no_limit.snapshot.budget.as_mut() {
        b.limit = None;
    }
    let no_limit = UsageReport::new(no_limit.snapshot, &THRESHOLDS);
    assert_eq!(ledger.record(&no_limit, &THRESHOLDS, t(3, 9)), None);
    assert_eq!(ledger, Ledger::default(), "nothing recorded");
}

#[test]
fn the_gateways_refusal_counts_as_every_threshold() {
    let mut r = report(100.0, t(2, 0), t(3, 9));
    if let Some(b) = r.snapshot.budget.as_mut() {
        b.state = BudgetState::Exceeded { message: "Budget has been exceeded! Key=k (sk-...abc)".into() };
    }
    let r = UsageReport::new(r.snapshot, &THRESHOLDS);
    let mut ledger = Ledger::default();
    assert_eq!(ledger.record(&r, &THRESHOLDS, t(3, 9)), Some(100));
    let notice = Notice::new(&r, 100, utc());
    assert_eq!(notice.title, "Budget exceeded: 25 % used", "the gateway's word counts, whatever the numbers say");
    assert!(notice.body.contains("The gateway refuses further requests until the budget resets on 1 Jan."), "{}", notice.body);
    assert!(!notice.body.contains("sk-"), "the gateway's message (with part of the key) is not repeated: {}", notice.body);
}

#[test]
fn the_words_say_how_much_of_which_budget_and_when_it_resets() {
    let start = t(2, 0);
    let n = Notice::new(&report(328.0, start, t(3, 9)), 80, utc());
    assert_eq!(n.title, "82 % of your budget used");
    assert_eq!(n.body, "You have used 82 % of your monthly budget ($328 of $400); it resets on 1 Jan.");
    let n = Notice::new(&report(412.4, start, t(3, 9)), 100, utc());
    assert_eq!(n.title, "Budget exceeded: 103 % used");
    assert_eq!(
        n.body,
        "You have used 103 % of your monthly budget ($412 of $400). The gateway refuses further requests until the budget resets on 1 Jan. If you need more, ask your platform team to raise the limit."
    );
    // The org policy's budget is counted, not enforced: no gateway in the words.
    let mut policy = report(412.4, start, t(3, 9));
    if let Some(b) = policy.snapshot.budget.as_mut() {
        b.scope = BudgetScope::Policy;
        b.unit = BudgetUnit::Tokens;
        b.limit = Some(4_000_000.0);
        b.spent = 4_124_000.0;
        b.state = b.implied_state();
    }
    let policy = UsageReport::new(policy.snapshot, &THRESHOLDS);
    let n = Notice::new(&policy, 100, utc());
    assert_eq!(n.title, "Over budget: 103 % used");
    assert_eq!(
        n.body,
        "You have used 103 % of your monthly budget (4.1 M tokens of 4.0 M tokens); it resets on 1 Jan. If you need more, ask your platform team to raise the limit."
    );
    // 99.96 % is not yet "100 %" in words.
    let n = Notice::new(&report(399.85, start, t(3, 9)), 80, utc());
    assert!(n.title.starts_with("99 %"), "{}", n.title);
    // The reset date is the person's: 1 Jan 00:00 UTC is still 31 Dec in New York.
    let n = Notice::new(&report(328.0, start, t(3, 9)), 80, FixedOffset::west_opt(5 * 3600).unwrap());
    assert!(n.body.ends_with("it resets on 31 Dec."), "{}", n.body);
}

#[test]
fn the_ledger_is_kept_on_disk_and_a_corrupt_one_is_read_as_empty() {
    let dir = tempfile::tempdir().unwrap();
    let file = dir.path().join("state/alerts.json");
    assert_eq!(load(&file), Ledger::default(), "no file yet");
    let mut ledger = Ledger::default();
    assert_eq!(ledger.record(&report(328.0, t(2, 0), t(3, 9)), &THRESHOLDS, t(3, 9)), Some(80));
    store(&file, &ledger).unwrap();
    let mut again = load(&file);
    assert_eq!(again, ledger, "a restart reads what was announced");
    assert_eq!(again.record(&report(330.0, t(2, 0), t(3, 10)), &THRESHOLDS, t(3, 10)), None, "not again after a restart");

    for junk in [&b"{\"budgets\": 42}"[..], b"\xff\xfe not json", b""] {
        std::fs::write(&file, junk).unwrap();
        assert_eq!(load(&file), Ledger::default(), "{junk:?} is read as empty");
    }
    // A directory where the file should be: still no panic.
    std::fs::remove_file(&file).unwrap();
    std::fs::create_dir(&file).unwrap();
    assert_eq!(load(&file), Ledger::default());
}

#[test]
fn only_a_config_with_a_source_a_gateway_or_a_budget_is_watched() {
    let mut config = Config::default();
    assert!(!watched(&config), "nothing to alert on");
    config.gateway.url = Some("https://gw.example".into());
    assert!(watched(&config));
    let mut config = Config::default();
    config.usage.source = Some(SourceKind::Local);
    assert!(watched(&config));
}

#[test]
fn due_keeps_the_ledger_beside_the_usage_cache_of_the_sandbox_home() {
    let home = tempfile::tempdir().unwrap();
    let mut config = Config::default();
    config.sandbox = Some(crate::config::SandboxLink { home: home.path().into(), ca_file: home.path().join("ca.pem"), private_base_url: None, policy: None });
    let file = path(&config).unwrap();
    assert!(file.starts_with(home.path()) && file.ends_with(".local/state/foundry-onboard/alerts.json"), "{}", file.display());
    let now = Utc::now();
    let r = report(328.0, now - Duration::days(3), now);
    let notice = due(&config, &r, now, utc()).expect("the 80 % alert");
    assert_eq!(notice.threshold, 80);
    assert_eq!(due(&config, &r, now, utc()), None, "once");
    let text = std::fs::read_to_string(&file).unwrap();
    assert!(text.contains("litellm key") && !text.contains("sk-"), "{text}");
    config.usage.alert_percent = vec![50];
    assert_eq!(due(&config, &r, now, utc()).map(|n| n.threshold), Some(50), "the thresholds come from the config");
}
