//! Usage benchmarks that print ratios (issue #20), through the real CLI binary:
//! - a LiteLLM refresh against the sandbox with 200 ms added to every answer, against the longest
//!   chain of dependent requests (independent calls run at once) and beside the sequential sum;
//! - the `local` source reading 1,000 transcript files (about 200 MB): MB/s, and a second read
//!   served from the index of what was already read (`usage-transcripts.json` beside the cache).
//!
//! - parsing a year of daily activity for 10 models (LiteLLM's page shape) and drawing both
//!   charts as SVG: the time (goal under 50 ms in a release build) and the SVG's size.
//!
//! Run with `cargo bench -p foundry-onboard-e2e --bench usage` after a release build of the CLI.
#![allow(clippy::unwrap_used, clippy::expect_used)] // a benchmark: a failed expectation aborts the run

use foundry_onboard_core::config::policy::Policy;
use foundry_onboard_core::config::{ConfigLocation, GatewayAuth, load, save};
use foundry_onboard_e2e::keyring::KeyringSession;
use foundry_onboard_e2e::{SandboxProcess, cli_command, run};
use std::io::Write;
use std::path::PathBuf;
use std::process::Stdio;
use std::time::Instant;

const LATENCY_MS: f64 = 200.0;

fn refresh_against_a_slow_gateway() {
    let tools = ["dbus-daemon", "gnome-keyring-daemon"];
    if let Some(t) = tools.iter().find(|t| !foundry_onboard_core::profile::verify::installed(t)) {
        println!("refresh: skipped ({t} is not installed: the gateway key lives in a keyring)");
        return;
    }
    let keyring = KeyringSession::start();
    let sb = SandboxProcess::start(&["--latency-ms", "200"]);
    let mut config = load(&ConfigLocation::Flag(sb.config.clone()), Policy::default()).unwrap().config;
    config.gateway.auth = GatewayAuth::Key;
    save(&sb.config, &config, &Policy::default()).unwrap();
    let key = std::fs::read_to_string(PathBuf::from(sb.endpoint("caFile")).parent().unwrap().join("gateway-key")).unwrap();
    let mut c = cli_command(sb.home.path());
    c.env("DBUS_SESSION_BUS_ADDRESS", &keyring.address).arg("--config").arg(&sb.config).args(["secret", "set", "gateway-key", "--no-verify"]);
    let mut child = c.stdin(Stdio::piped()).stdout(Stdio::null()).stderr(Stdio::null()).spawn().unwrap();
    child.stdin.take().unwrap().write_all(key.trim().as_bytes()).unwrap();
    assert!(child.wait().unwrap().success());
    for days in [30u32, 90] {
        let mut best = f64::MAX;
        for _ in 0..3 {
            let mut c = cli_command(sb.home.path());
            c.env("DBUS_SESSION_BUS_ADDRESS", &keyring.address).arg("--config").arg(&sb.config).args([
                "--json",
                "usage",
                "--refresh",
                "--days",
                &days.to_string(),
            ]);
            let start = Instant::now();
            let r = run(c);
            best = best.min(start.elapsed().as_secs_f64() * 1000.0);
            assert_eq!(r.code, 0, "{}{}", r.stdout, r.stderr);
        }
        // Pages of 25 days: page 1 names the total, the others follow at once (4 at a time);
        // /key/info → /team/info and /user/info beside them.
        let pages = f64::from(days.div_ceil(25));
        let page_chain = 1.0 + ((pages - 1.0) / foundry_onboard_core::usage::litellm::PAGES_AT_ONCE as f64).ceil();
        let chain = page_chain.max(2.0) * LATENCY_MS;
        let sequential = (3.0 + pages) * LATENCY_MS;
        println!(
            "refresh ({days} days, {pages} pages, {LATENCY_MS} ms an answer): {best:.0} ms — {:.2}× the longest chain ({chain:.0} ms; goal ≤ 1.3×), sequential sum {sequential:.0} ms",
            best / chain
        );
    }
}

fn local_read_speed() {
    let home = tempfile::tempdir().unwrap();
    let dir = home.path().join(".claude/projects/-bench");
    std::fs::create_dir_all(&dir).unwrap();
    let out = std::process::Command::new("date").args(["-u", "+%Y-%m-%d"]).output().unwrap();
    let today = String::from_utf8_lossy(&out.stdout).trim().to_string();
    let mut bytes = 0usize;
    for f in 0..1000 {
        let mut text = String::new();
        let mut n = 0;
        while text.len() < 200_000 {
            let filler = "x".repeat(400);
            text.push_str(&format!(
                "{{\"type\":\"assistant\",\"timestamp\":\"{today}T10:00:00.000Z\",\"requestId\":\"req_{f}_{n}\",\"message\":{{\"id\":\"msg_{f}_{n}\",\"model\":\"claude-sonnet-4-5\",\"content\":[{{\"type\":\"text\",\"text\":\"{filler}\"}}],\"usage\":{{\"input_tokens\":1200,\"output_tokens\":80,\"cache_read_input_tokens\":9000,\"cache_creation_input_tokens\":300}}}}}}\n"
            ));
            n += 1;
        }
        bytes += text.len();
        std::fs::write(dir.join(format!("{f:04}.jsonl")), text).unwrap();
    }
    let mb = bytes as f64 / 1_000_000.0;
    for pass in ["first", "second"] {
        let mut c = cli_command(home.path());
        c.args(["--json", "usage", "--source", "local", "--refresh", "--days", "2"]);
        let start = Instant::now();
        let r = run(c);
        let secs = start.elapsed().as_secs_f64();
        assert_eq!(r.code, 0, "{}", r.stderr);
        println!("local ({pass} read): {mb:.0} MB in 1,000 files in {:.0} ms — {:.0} MB/s (goal ≥ 200 MB/s)", secs * 1000.0, mb / secs);
    }
    let index = home.path().join(".local/state/foundry-onboard/usage-transcripts.json");
    let size = std::fs::metadata(&index).map(|m| m.len() as f64 / 1_000_000.0).unwrap_or(0.0);
    println!("local: the second read stats the files and reads the index ({size:.1} MB) instead of the transcripts");
}

/// A year of `/user/daily/activity` for 10 models, in pages of 25 days as LiteLLM sends them.
fn a_year_of_activity(today: chrono::NaiveDate) -> Vec<String> {
    use serde_json::json;
    let models: Vec<String> = (0..10).map(|i| format!("claude-model-{i}")).collect();
    let days: Vec<serde_json::Value> = (0..365i64)
        .map(|back| {
            let date = today - chrono::Duration::days(back);
            let per_model = |i: usize| {
                let scale = if back % 7 >= 5 { 0.2 } else { 1.0 } / (i + 1) as f64;
                json!({"spend": 1.5 * scale, "prompt_tokens": (400_000.0 * scale) as u64, "completion_tokens": (9_000.0 * scale) as u64,
                       "cache_read_input_tokens": (300_000.0 * scale) as u64, "cache_creation_input_tokens": (20_000.0 * scale) as u64,
                       "successful_requests": (40.0 * scale) as u64 + 1, "failed_requests": 0, "api_requests": (40.0 * scale) as u64 + 1,
                       "total_response_time_ms": 90_000, "timed_requests": 40})
            };
            let breakdown: serde_json::Map<String, serde_json::Value> =
                models.iter().enumerate().map(|(i, m)| (m.clone(), json!({"metrics": per_model(i), "api_key_breakdown": {}}))).collect();
            json!({"date": date.to_string(), "metrics": per_model(0), "breakdown": {"models": breakdown, "mcp_servers": {}, "providers": {}}})
        })
        .collect();
    let total_pages = days.len().div_ceil(25);
    days.chunks(25)
        .enumerate()
        .map(|(i, chunk)| json!({"results": chunk, "metadata": {"page": i + 1, "total_pages": total_pages, "has_more": i + 1 < total_pages}}).to_string())
        .collect()
}

fn parse_and_chart_a_year() {
    use foundry_onboard_core::usage::chart::{self, Chart, Theme};
    use foundry_onboard_core::usage::{Completeness, Identity, Provenance, SourceKind, UsageSnapshot, forecast, litellm, table};
    let as_of = chrono::Utc::now();
    let pages = a_year_of_activity(as_of.date_naive());
    let bytes: usize = pages.iter().map(String::len).sum();
    let mut best = (f64::MAX, 0usize, 0usize);
    for _ in 0..5 {
        let start = Instant::now();
        let bodies: Vec<&str> = pages.iter().map(String::as_str).collect();
        let (rows, dropped) = litellm::activity_rows(&bodies, as_of.date_naive()).unwrap();
        assert!(rows.len() == 3650 && dropped.is_empty(), "{} rows, {} dropped", rows.len(), dropped.len());
        let s = UsageSnapshot {
            identity: Identity::default(),
            as_of,
            source: SourceKind::Litellm,
            provenance: Provenance::Gateway,
            completeness: Completeness::Complete,
            budget: None,
            team_budget: None,
            rows,
            dropped,
        };
        let f = forecast::for_snapshot(&s);
        let tokens = chart::svg(&Chart::Tokens(&table::tokens_by_model(&s, table::TokenKind::All)), Theme::Light).unwrap();
        let cost = chart::svg(&Chart::Cost { series: &table::cost_by_day(&s), budget: s.budget.as_ref(), forecast: f.as_ref(), as_of }, Theme::Light).unwrap();
        let ms = start.elapsed().as_secs_f64() * 1000.0;
        if ms < best.0 {
            best = (ms, tokens.len(), cost.len());
        }
    }
    println!(
        "charts: a year of daily activity for 10 models ({:.1} MB of JSON in {} pages) parsed and both charts drawn in {:.1} ms (goal < 50 ms in release); SVG {} kB (tokens) + {} kB (cost)",
        bytes as f64 / 1e6,
        pages.len(),
        best.0,
        best.1 / 1000,
        best.2 / 1000
    );
}

fn main() {
    parse_and_chart_a_year();
    refresh_against_a_slow_gateway();
    local_read_speed();
}
