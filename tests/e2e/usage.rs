//! `foundry-onboard usage` and the doctor's `usage.source` through the real binary against the
//! sandbox's LiteLLM stand-in (the gateway key in a real keyring session) and the transcripts in
//! its home: budget, forecast and provenance, the schema, the chart and CSV, the stale cache, and
//! each usage fault named by the CLI and the doctor as itself.

use foundry_onboard_core::config::policy::Policy;
use foundry_onboard_core::config::{ConfigLocation, GatewayAuth, load, save};
use foundry_onboard_core::usage::SourceKind;
use foundry_onboard_e2e::keyring::KeyringSession;
use foundry_onboard_e2e::{SandboxProcess, artifacts_dir, cli_command, run};
use serde_json::Value;
use std::io::Write;
use std::path::{Path, PathBuf};
use std::process::Stdio;

/// Schema violations of `usage --json` output against docs/usage.schema.json.
pub fn schema_errors(value: &Value) -> Vec<String> {
    let schema: Value = serde_json::from_str(include_str!("../../docs/usage.schema.json")).unwrap();
    let validator = jsonschema::validator_for(&schema).expect("docs/usage.schema.json is a valid JSON Schema");
    validator.iter_errors(value).map(|e| format!("{} at {}", e, e.instance_path())).collect()
}

/// The sandbox's own directory (its CA file lives there, beside the gateway key it minted).
pub(crate) fn sandbox_dir(sb: &SandboxProcess) -> PathBuf {
    PathBuf::from(sb.endpoint("caFile")).parent().unwrap().to_path_buf()
}

/// Names the usage source in the sandbox's config and takes the gateway's key (not Entra), so
/// the doctor checks it and the CLI reads it.
pub(crate) fn configure(sb: &SandboxProcess, source: SourceKind) {
    let mut config = load(&ConfigLocation::Flag(sb.config.clone()), Policy::default()).unwrap().config;
    config.gateway.auth = GatewayAuth::Key;
    config.usage.source = Some(source);
    save(&sb.config, &config, &Policy::default()).unwrap();
}

/// Stores the sandbox's gateway key through `secret set` on the session's keyring.
pub(crate) fn store_gateway_key(sb: &SandboxProcess, keyring: &KeyringSession) {
    let key = std::fs::read_to_string(sandbox_dir(sb).join("gateway-key")).unwrap();
    let mut c = cli_command(sb.home.path());
    c.env("DBUS_SESSION_BUS_ADDRESS", &keyring.address).arg("--config").arg(&sb.config).args(["secret", "set", "gateway-key", "--no-verify"]);
    let mut child = c.stdin(Stdio::piped()).stdout(Stdio::piped()).stderr(Stdio::piped()).spawn().unwrap();
    child.stdin.take().unwrap().write_all(key.trim().as_bytes()).unwrap();
    let out = child.wait_with_output().unwrap();
    assert!(out.status.success(), "secret set: {}", String::from_utf8_lossy(&out.stderr));
}

struct Answer {
    code: i32,
    json: Value,
    stdout: String,
    stderr: String,
}

fn cli(sb: &SandboxProcess, keyring: Option<&KeyringSession>, args: &[&str]) -> Answer {
    let mut c = cli_command(sb.home.path());
    if let Some(k) = keyring {
        c.env("DBUS_SESSION_BUS_ADDRESS", &k.address);
    }
    c.env("FOUNDRY_ONBOARD_AZ", sb.home.path().join("no-az")).arg("--config").arg(&sb.config).args(args);
    let r = run(c);
    let json = r.stdout.lines().find_map(|l| serde_json::from_str(l).ok()).unwrap_or_default();
    Answer { code: r.code, json, stdout: r.stdout, stderr: r.stderr }
}

pub(crate) fn keyring_or_skip() -> Option<KeyringSession> {
    let missing = ["dbus-daemon", "gnome-keyring-daemon"].into_iter().find(|t| !foundry_onboard_core::profile::verify::installed(t));
    if let Some(tool) = missing {
        assert!(std::env::var_os("CI").is_none(), "CI must run the usage keyring tests: {tool} is missing");
        foundry_onboard_e2e::skipped("the litellm usage tests", &format!("{tool} is not installed"));
        return None;
    }
    Some(KeyringSession::start())
}

/// A sandbox with `faults`, configured for the LiteLLM source, its key stored.
fn litellm_sandbox(faults: &str, keyring: &KeyringSession, extra: &[&str]) -> SandboxProcess {
    let mut args: Vec<&str> = if faults.is_empty() { vec![] } else { vec!["--faults", faults] };
    args.extend(extra);
    let sb = SandboxProcess::start(&args);
    configure(&sb, SourceKind::Litellm);
    store_gateway_key(&sb, keyring);
    sb
}

#[test]
fn litellm_shows_the_key_budget_near_seventy_percent_the_forecast_and_the_gateways_provenance() {
    let Some(keyring) = keyring_or_skip() else { return };
    // The sandbox's directory and ports outlive it: a second sandbox on them, whose gateway is
    // down, is the same source to the cache in its home.
    let dir = tempfile::tempdir().unwrap();
    let port = foundry_onboard_e2e::free_port_run(6).to_string();
    let fixed = ["--dir", dir.path().to_str().unwrap(), "--port", port.as_str()];
    let mut sb = litellm_sandbox("", &keyring, &fixed);
    let a = cli(&sb, Some(&keyring), &["--json", "usage", "--days", "90"]);
    assert_eq!(a.code, 0, "under the first alert threshold: {}{}", a.stdout, a.stderr);
    assert_eq!(schema_errors(&a.json), Vec::<String>::new(), "usage --json follows docs/usage.schema.json");
    let u = &a.json["usage"];
    let s = &u["snapshot"];
    assert_eq!((s["source"].as_str(), s["provenance"]["kind"].as_str()), (Some("litellm"), Some("gateway")));
    assert_eq!(s["budget"]["scope"], "key");
    let used = u["percentUsed"].as_f64().unwrap();
    assert!((65.0..75.0).contains(&used), "the sandbox key's budget is near 70 %: {used}");
    assert_eq!(s["teamBudget"]["limit"], 2000.0, "the team budget beside it");
    assert_eq!(s["identity"]["keyAlias"], "sandbox-laptop");
    let key = std::fs::read_to_string(sandbox_dir(&sb).join("gateway-key")).unwrap();
    assert!(!a.stdout.contains(key.trim()), "no key in the output");
    // Every page of the daily activity (90 days over 4 pages of 25): three deployments a day.
    let rows = s["rows"].as_array().unwrap();
    assert_eq!(rows.len(), 90 * 3, "all pages were read");
    assert!(rows.iter().all(|r| r["cost"]["basis"] == "gateway"), "the gateway's own cost");
    assert!(u["forecast"]["sentence"].as_str().is_some_and(|t| !t.is_empty()), "{}", u["forecast"]);

    // The person's summary, the CSV and the chart from the same report.
    let csv = sb.home.path().join("usage.csv");
    let png = artifacts_dir().join("usage-litellm-cost.png");
    let _ = std::fs::remove_file(&png);
    let a = cli(&sb, Some(&keyring), &["usage", "--refresh", "--days", "90", "--csv", csv.to_str().unwrap(), "--chart", png.to_str().unwrap()]);
    assert_eq!(a.code, 0, "{}{}", a.stdout, a.stderr);
    for want in ["Spent $", "resets", "Key budget", "Team: $", "Top models:", "claude-sonnet-4-5", "Source: litellm — the gateway's own figures; as of"] {
        assert!(a.stdout.contains(want), "{want:?} in:\n{}", a.stdout);
    }
    let text = std::fs::read_to_string(&csv).unwrap();
    assert!(
        text.starts_with("date,model,input_tokens,output_tokens,cache_read_tokens,cache_write_tokens,requests,failed_requests,cost_usd,cost_basis"),
        "{text}"
    );
    assert_eq!(text.lines().count(), 1 + 90 * 3);
    let bytes = std::fs::read(&png).unwrap();
    assert!(bytes.starts_with(b"\x89PNG\r\n\x1a\n") && bytes.len() > 10_000, "a PNG chart ({} bytes) in {}", bytes.len(), png.display());
    let svg = sb.home.path().join("usage.svg");
    assert_eq!(cli(&sb, Some(&keyring), &["usage", "--days", "90", "--chart", svg.to_str().unwrap()]).code, 0);
    assert!(std::fs::read_to_string(&svg).unwrap().starts_with("<svg"), "an SVG chart");

    // The doctor asks the same source with the same credential.
    let d = cli(&sb, Some(&keyring), &["--json", "doctor", "--only", "usage.source"]);
    let check = d.json["checks"].as_array().and_then(|c| c.iter().find(|c| c["id"] == "usage.source").cloned()).unwrap_or_default();
    assert_eq!(check["status"], "pass", "{}{}", d.stdout, d.stderr);
    assert!(check["detail"].as_str().unwrap().contains("litellm source answered"), "{check}");

    // The gateway goes down: the last good report, marked stale with the reason.
    assert_eq!(sb.stop_with("-TERM"), 0);
    let sb = litellm_sandbox("gateway-down", &keyring, &fixed);
    let a = cli(&sb, Some(&keyring), &["--json", "usage", "--days", "90", "--refresh"]);
    assert_eq!(a.code, 0, "{}{}", a.stdout, a.stderr);
    assert_eq!(schema_errors(&a.json), Vec::<String>::new());
    let stale = &a.json["usage"]["stale"];
    assert!(stale["reason"].as_str().is_some_and(|r| r.contains("HTTP 502")), "{stale}");
    let a = cli(&sb, Some(&keyring), &["usage", "--days", "90", "--refresh"]);
    assert!(a.stdout.starts_with("STALE: showing the report fetched"), "{}", a.stdout);
    let text = std::fs::read_to_string(dir.path().join("home/.local/state/foundry-onboard/usage.json")).unwrap();
    assert!(!text.contains(key.trim()), "no key in the cache");
    let key = std::fs::read_to_string(sandbox_dir(&sb).join("gateway-key")).unwrap();
    assert!(!text.contains(key.trim()), "no key in the cache");
}

#[test]
fn each_litellm_usage_fault_is_named_as_itself_by_the_cli_and_the_doctor() {
    let Some(keyring) = keyring_or_skip() else { return };
    // (fault, words in the CLI's error, words in the doctor's verdict)
    let cases: [(&str, &[&str], &[&str]); 4] = [
        ("gateway-html", &["HTML page"], &["HTML page"]),
        ("gateway-down", &["502"], &["502"]),
        ("usage-unauthorized", &["401", "gateway key"], &["401", "gateway key"]),
        ("usage-rate-limited", &["429", "30 s"], &["429", "30 s"]),
    ];
    for (fault, cli_words, doctor_words) in cases {
        let sb = litellm_sandbox(fault, &keyring, &[]);
        let a = cli(&sb, Some(&keyring), &["--json", "usage"]);
        assert_eq!(a.code, 2, "{fault}: {}{}", a.stdout, a.stderr);
        let message = format!("{} {}", a.json["error"]["message"], a.json["error"]["hint"]);
        for w in cli_words {
            assert!(message.contains(w), "{fault}: {w:?} in {message}");
        }
        let d = cli(&sb, Some(&keyring), &["--json", "doctor", "--only", "usage.source"]);
        let check = d.json["checks"].as_array().and_then(|c| c.iter().find(|c| c["id"] == "usage.source").cloned()).unwrap_or_default();
        assert_eq!(check["status"], "fail", "{fault}: {check}");
        let verdict = format!("{} {}", check["detail"], check["hint"]);
        for w in doctor_words {
            assert!(verdict.contains(w), "{fault}: {w:?} in the doctor's {verdict}");
        }
    }

    // Over budget is a state, not an error: shown, exit 1 (the top alert), a doctor warning.
    let sb = litellm_sandbox("usage-budget-exceeded", &keyring, &[]);
    let a = cli(&sb, Some(&keyring), &["--json", "usage"]);
    assert_eq!(a.code, 1, "{}{}", a.stdout, a.stderr);
    assert_eq!(schema_errors(&a.json), Vec::<String>::new());
    let budget = &a.json["usage"]["snapshot"]["budget"];
    assert_eq!(budget["state"]["kind"], "exceeded", "{budget}");
    assert!(budget["state"]["message"].as_str().unwrap().contains("Budget has been exceeded!"), "{budget}");
    assert_eq!(a.json["usage"]["alertReached"], 100);
    let h = cli(&sb, Some(&keyring), &["usage"]);
    // The tab's words for the state, and what to do.
    assert!(
        h.stdout.contains("Budget exceeded: the gateway refuses further calls (\"Budget has been exceeded!") && h.stdout.contains("Alert: 100 %"),
        "{}",
        h.stdout
    );
    assert!(h.stdout.contains("Claude Code stops working until the budget resets."), "{}", h.stdout);
    let d = cli(&sb, Some(&keyring), &["--json", "doctor", "--only", "usage.source"]);
    let check = d.json["checks"].as_array().and_then(|c| c.iter().find(|c| c["id"] == "usage.source").cloned()).unwrap_or_default();
    assert_eq!(check["status"], "warn", "{check}");
    assert!(check["detail"].as_str().unwrap().contains("budget is exceeded"), "{check}");
}

#[test]
fn local_reads_the_transcripts_in_the_sandbox_home_as_this_machines_estimate() {
    let sb = SandboxProcess::start(&[]);
    let a = cli(&sb, None, &["--json", "usage", "--source", "local", "--days", "30"]);
    assert_eq!(a.code, 0, "{}{}", a.stdout, a.stderr);
    assert_eq!(schema_errors(&a.json), Vec::<String>::new());
    let s = &a.json["usage"]["snapshot"];
    assert_eq!((s["source"].as_str(), s["provenance"]["kind"].as_str()), (Some("local"), Some("localEstimate")));
    let rows = s["rows"].as_array().unwrap();
    assert_eq!(rows.len(), 21 * 3, "21 days of transcripts for three deployments");
    assert_eq!(s["budget"]["scope"], "policy", "the sandbox's [usage.budget] applies");
    let h = cli(&sb, None, &["usage", "--source", "local"]);
    assert!(h.stdout.contains("Source: local — this machine, estimate"), "{}", h.stdout);
    let written = Path::new(&sb.endpoint("home")).join(".claude/projects/-home-dev-project");
    assert_eq!(std::fs::read_dir(&written).unwrap().count(), 21, "one session file a day in {}", written.display());
}

/// The `local` source over the transcripts the REAL Claude Code wrote in the sandbox's home
/// during `claude.rs`'s run (`work` is that run's directory, `claude` its `-p --output-format
/// json` answer): per model, the input and output tokens equal what the sandbox's Foundry
/// stand-in answered to those calls, as Claude Code summed them in `modelUsage`. The sandbox's
/// own generated transcripts (`-home-dev-project`) are left out.
pub fn local_matches_what_the_stand_in_reported(work: &Path, claude: &Value) {
    let projects = work.join("sb/home/.claude/projects");
    let home = tempfile::tempdir().unwrap();
    let mut copied = 0;
    for entry in std::fs::read_dir(&projects).unwrap().flatten() {
        if entry.file_name() == "-home-dev-project" {
            continue;
        }
        let to = home.path().join(".claude/projects").join(entry.file_name());
        std::fs::create_dir_all(&to).unwrap();
        for f in std::fs::read_dir(entry.path()).unwrap().flatten().filter(|f| f.path().extension().is_some_and(|e| e == "jsonl")) {
            std::fs::copy(f.path(), to.join(f.file_name())).unwrap();
            copied += 1;
        }
    }
    assert!(copied >= 1, "the real client wrote a transcript under {}", projects.display());
    let mut c = cli_command(home.path());
    c.args(["--json", "usage", "--source", "local", "--days", "2"]);
    let r = run(c);
    assert_eq!(r.code, 0, "{}{}", r.stdout, r.stderr);
    let v: Value = serde_json::from_str(r.stdout.trim()).unwrap();
    assert_eq!(schema_errors(&v), Vec::<String>::new());
    let mut local: std::collections::BTreeMap<String, (u64, u64)> = Default::default();
    for row in v["usage"]["snapshot"]["rows"].as_array().unwrap() {
        let e = local.entry(row["model"].as_str().unwrap().to_string()).or_default();
        e.0 += row["inputTokens"].as_u64().unwrap();
        e.1 += row["outputTokens"].as_u64().unwrap();
    }
    let reported: std::collections::BTreeMap<String, (u64, u64)> = claude["modelUsage"]
        .as_object()
        .unwrap()
        .iter()
        .map(|(m, u)| (m.clone(), (u["inputTokens"].as_u64().unwrap(), u["outputTokens"].as_u64().unwrap())))
        .collect();
    assert!(!reported.is_empty(), "{claude}");
    assert_eq!(local, reported, "the local source counts each call the stand-in answered once");
}

/// The `local` source's index through the real CLI: the first read leaves it beside the usage
/// cache, and a message appended to a transcript afterwards is in the next refresh.
#[test]
fn local_keeps_an_index_beside_the_cache_and_a_refresh_sees_what_was_appended() {
    let sb = SandboxProcess::start(&[]);
    let first = cli(&sb, None, &["--json", "usage", "--source", "local", "--days", "30", "--refresh"]);
    assert_eq!(first.code, 0, "{}{}", first.stdout, first.stderr);
    let home = PathBuf::from(sb.endpoint("home"));
    let index = home.join(".local/state/foundry-onboard/usage-transcripts.json");
    assert!(index.exists(), "the index is kept beside the usage cache in {}", index.parent().unwrap().display());
    let today = first.json["usage"]["snapshot"]["asOf"].as_str().unwrap()[..10].to_string();
    let dir = home.join(".claude/projects/-home-dev-project");
    let file = std::fs::read_dir(&dir).unwrap().flatten().map(|e| e.path()).max().unwrap();
    let line = serde_json::json!({"type": "assistant", "timestamp": format!("{today}T00:00:01.000Z"), "requestId": "req_e2e_appended",
        "message": {"id": "msg_e2e_appended", "model": "claude-e2e-appended", "usage": {"input_tokens": 4242, "output_tokens": 7}}});
    let mut f = std::fs::OpenOptions::new().append(true).open(&file).unwrap();
    writeln!(f, "{line}").unwrap();
    let again = cli(&sb, None, &["--json", "usage", "--source", "local", "--days", "30", "--refresh"]);
    assert_eq!(again.code, 0, "{}{}", again.stdout, again.stderr);
    let rows = again.json["usage"]["snapshot"]["rows"].as_array().unwrap();
    let appended: Vec<&Value> = rows.iter().filter(|r| r["model"] == "claude-e2e-appended").collect();
    assert_eq!(appended.len(), 1, "{appended:?}");
    assert_eq!((appended[0]["inputTokens"].as_u64(), appended[0]["date"].as_str()), (Some(4242), Some(today.as_str())));
    assert_eq!(rows.len(), first.json["usage"]["snapshot"]["rows"].as_array().unwrap().len() + 1, "the rest unchanged");
}
