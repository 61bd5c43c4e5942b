//! `foundry-onboard setup` against a sandbox started with a policy (`sandbox --policy`): the
//! zero-decision rollout with the real `az` signing in and the real Claude Code answering through
//! the written profile (inside `unshare -n`), its events in order, its wall time measured; a second
//! run that changes nothing; and the policies that leave something undecided (exit 3, named).

use foundry_onboard_e2e::{SandboxProcess, artifacts_dir, cli_command, real_az, reexec_in_netns, run};
use std::path::{Path, PathBuf};
use std::time::{Duration, Instant, SystemTime};

fn sample_policy() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("../docs/policy.sandbox.toml")
}

/// `setup` with the CLI's clean environment plus `env`; its JSON lines and the wall time.
/// The real az and Claude Code for a test that signs in and verifies, inside the loopback-only
/// namespace: None when the test was skipped (a tool missing outside CI) or has run re-executed
/// in the namespace; else the environment that puts both first on PATH and names az.
pub(crate) fn real_tools_in_netns(test: &str) -> Option<[(&'static str, std::ffi::OsString); 2]> {
    if let Some(why) = crate::claude::blocked() {
        assert!(std::env::var_os("CI").is_none(), "CI must run the setup rollout test: {why}");
        foundry_onboard_e2e::skipped("setup with the real client", &why);
        return None;
    }
    let Some(az) = real_az() else {
        assert!(std::env::var_os("CI").is_none(), "CI must run the setup rollout test (scripts/install-test-deps.sh installs azure-cli)");
        foundry_onboard_e2e::skipped("setup with the real az", "azure-cli is not installed in ~/.cache/foundry-onboard-az");
        return None;
    };
    if reexec_in_netns(test) {
        return None;
    }
    let claude = crate::claude::claude_dir().unwrap();
    let path = std::env::join_paths(
        [claude, az.parent().unwrap().to_path_buf()].into_iter().chain(std::env::split_paths(&std::env::var_os("PATH").unwrap_or_default())),
    )
    .unwrap();
    let env = [("PATH", path), ("FOUNDRY_ONBOARD_AZ", az.clone().into_os_string())];
    Some(env)
}

fn setup(sb: &SandboxProcess, env: &[(&str, std::ffi::OsString)], args: &[&str]) -> (i32, Vec<serde_json::Value>, String, Duration) {
    let mut c = cli_command(sb.home.path());
    for (k, v) in env {
        c.env(k, v);
    }
    c.arg("--config").arg(&sb.config).arg("--json").arg("setup").args(args);
    let started = Instant::now();
    let r = run(c);
    let took = started.elapsed();
    let events: Vec<serde_json::Value> = r.stdout.lines().filter_map(|l| serde_json::from_str(l).ok()).collect();
    assert_eq!(events.len(), r.stdout.lines().count(), "every line of setup --json is one JSON object:\n{}", r.stdout);
    for e in &events {
        assert_eq!(schema_errors(e), Vec::<String>::new(), "{e} follows docs/setup-events.schema.json");
    }
    (r.code, events, r.stderr, took)
}

/// Schema violations of one `setup --json` line against docs/setup-events.schema.json.
fn schema_errors(value: &serde_json::Value) -> Vec<String> {
    let schema: serde_json::Value = serde_json::from_str(include_str!("../../docs/setup-events.schema.json")).unwrap();
    let validator = jsonschema::validator_for(&schema).expect("docs/setup-events.schema.json is a valid JSON Schema");
    validator.iter_errors(value).map(|e| format!("{} at {}", e, e.instance_path())).collect()
}

fn steps(events: &[serde_json::Value]) -> Vec<String> {
    events
        .iter()
        .map(|e| {
            format!(
                "{}:{}",
                e["step"].as_str().unwrap_or("?"),
                e["status"].as_str().or(e["ok"].as_bool().map(|b| if b { "ok" } else { "not-ok" })).unwrap_or("?")
            )
        })
        .collect()
}

fn modified(p: &Path) -> SystemTime {
    std::fs::metadata(p).and_then(|m| m.modified()).unwrap_or_else(|e| panic!("{}: {e}", p.display()))
}

#[test]
fn setup_from_a_full_policy_signs_in_writes_verifies_with_the_real_client_and_runs_again_as_a_no_op() {
    let Some(env) = real_tools_in_netns("setup::setup_from_a_full_policy_signs_in_writes_verifies_with_the_real_client_and_runs_again_as_a_no_op") else {
        return;
    };
    let policy = sample_policy();
    let sb = SandboxProcess::start(&["--policy", policy.to_str().unwrap(), "--approve-after-ms", "0"]);
    let before = std::fs::read_to_string(&sb.config).unwrap();
    assert!(!before.contains("claude-sonnet-4-5"), "the sandbox config leaves the deployments to the policy: {before}");

    let (code, events, stderr, first) = setup(&sb, &env, &["--yes"]);
    let _ = std::fs::write(artifacts_dir().join("setup-first-run.jsonl"), events.iter().map(|e| format!("{e}\n")).collect::<String>());
    assert_eq!(code, 0, "{stderr}\n{events:#?}");
    assert_eq!(
        steps(&events),
        ["policy:applied", "signin:waiting", "signin:done", "choose:decided", "profile:written", "verify:pass", "doctor:pass", "done:ok"],
        "{events:#?}"
    );
    let decided = &events[0]["decided"];
    assert_eq!(decided["endpoint"]["endpoint"], serde_json::json!({"kind": "resource", "name": "sandbox-ai"}));
    assert_eq!((decided["sonnet"]["locked"].as_bool(), decided["sonnet"]["by"].as_str()), (Some(true), Some("organisation")));
    assert_eq!(decided["leftToAsk"], serde_json::json!([]));
    assert!(events[1]["code"].as_str().is_some_and(|c| !c.is_empty()), "the device code is printed: {}", events[1]);
    assert_eq!(events[2]["user"], foundry_onboard_sandbox::USER);
    assert_eq!(
        (events[3]["sonnet"].as_str(), events[3]["haiku"].as_str(), events[3]["opus"].as_str()),
        (Some("claude-sonnet-4-5"), Some("claude-haiku-4-5"), Some("claude-opus-4-6"))
    );
    assert!(events[5]["detail"].as_str().unwrap().contains("answered"), "the real Claude Code answered: {}", events[5]);
    assert_eq!(events[7]["changed"], true);

    // The profile carries the policy's names, in the sandbox's own home (never ~/.bashrc).
    let home = PathBuf::from(sb.endpoint("home"));
    let bashrc = home.join(".bashrc");
    let block = std::fs::read_to_string(&bashrc).unwrap();
    for line in [
        "ANTHROPIC_DEFAULT_SONNET_MODEL='claude-sonnet-4-5'",
        "ANTHROPIC_DEFAULT_HAIKU_MODEL='claude-haiku-4-5'",
        "ANTHROPIC_DEFAULT_OPUS_MODEL='claude-opus-4-6'",
    ] {
        assert!(block.contains(line), "{line} in {block}");
    }
    assert!(!sb.home.path().join(".bashrc").exists(), "the user's own home is untouched");
    let written = std::fs::read_to_string(&sb.config).unwrap();
    assert!(!written.contains("sonnet =") && written.contains("policy = "), "locked names stay the policy's, out of the file: {written}");

    // Again: nothing rewritten, the same exit code, and it says so.
    let (config_at, bashrc_at) = (modified(&sb.config), modified(&bashrc));
    let (code, again, stderr, second) = setup(&sb, &env, &["--yes"]);
    assert_eq!(code, 0, "{stderr}\n{again:#?}");
    assert_eq!(steps(&again), ["policy:applied", "signin:done", "choose:decided", "profile:unchanged", "verify:pass", "doctor:pass", "done:ok"], "{again:#?}");
    assert_eq!(again[1]["already"], true);
    assert_eq!(again[6]["changed"], false);
    assert!(again[6]["summary"].as_str().unwrap().contains("nothing was changed"), "{}", again[6]);
    assert_eq!((modified(&sb.config), modified(&bashrc)), (config_at, bashrc_at), "nothing was rewritten");

    // The measurement (issue #22: goal ≤ 8 s for `setup --yes`, the real az sign-in included).
    let timing = serde_json::json!({
        "what": "foundry-onboard setup --yes against sandbox --policy docs/policy.sandbox.toml --approve-after-ms 0, real az and real Claude Code, in unshare -n",
        "firstRunMs": first.as_millis() as u64,
        "secondRunMs": second.as_millis() as u64,
        "reportedMs": events[7]["ms"],
        "goalMs": 8000,
        "decisions": 0,
    });
    std::fs::write(artifacts_dir().join("setup-timing.json"), serde_json::to_string_pretty(&timing).unwrap()).unwrap();
    println!("setup --yes: {:.1} s first run (goal 8 s), {:.1} s second run (no-op)", first.as_secs_f64(), second.as_secs_f64());
}

/// A sandbox with `policy`, its JSON events for `setup` with `args` (no az, no client needed: each
/// case stops before signing in or before writing).
fn sandbox_with(policy: &str) -> (tempfile::TempDir, SandboxProcess) {
    let dir = tempfile::tempdir().unwrap();
    let file = dir.path().join("policy.toml");
    std::fs::write(&file, policy).unwrap();
    let sb = SandboxProcess::start(&["--policy", file.to_str().unwrap()]);
    (dir, sb)
}

fn error_of(events: &[serde_json::Value]) -> serde_json::Value {
    events.iter().find(|e| e["ok"] == false).map(|e| e["error"].clone()).unwrap_or_else(|| panic!("no error line: {events:#?}"))
}

#[test]
fn a_policy_that_leaves_the_deployments_to_ask_stops_setup_yes_with_exit_3_naming_the_keys() {
    let (_dir, sb) = sandbox_with("[foundry]\nresource = \"sandbox-ai\"\n[models]\nchoose = \"ask\"\nopus = \"claude-opus-4-6\"\n");
    let (code, events, stderr, _) = setup(&sb, &[], &["--yes"]);
    assert_eq!(code, 3, "{stderr}\n{events:#?}");
    assert_eq!(events[0]["step"], "policy");
    assert_eq!(events[0]["decided"]["leftToAsk"], serde_json::json!(["sonnet", "haiku"]));
    assert!(events.iter().all(|e| e["step"] != "signin"), "nobody signs in for a choice nobody may make: {events:#?}");
    let error = error_of(&events);
    let message = error["message"].as_str().unwrap();
    assert!(message.contains("models.sonnet, models.haiku") && !message.contains("models.opus"), "{message}");
    assert_eq!(error["kind"], "policy");
    assert!(error["hint"].as_str().unwrap().contains("choose = \"newest\""), "{error}");

    // A policy with no endpoint at all names that too.
    let (_dir, sb) = sandbox_with("[models]\nchoose = \"newest\"\n");
    let (code, events, _, _) = setup(&sb, &[], &["--yes"]);
    assert_eq!(code, 3);
    assert!(error_of(&events)["message"].as_str().unwrap().contains("foundry.resource"), "{events:#?}");
}

/// A user config contradicting a locked key: the policy's value is used and a notice says so;
/// without `--yes` and without a terminal, setup asks nothing and writes nothing (exit 3).
#[test]
fn a_locked_key_the_config_contradicts_takes_the_policys_value_and_no_terminal_means_no_write() {
    let (_dir, sb) = sandbox_with(
        "locked = [\"models.sonnet\"]\n[azure]\nlogin = \"api-key\"\n[foundry]\nresource = \"sandbox-ai\"\n[models]\nsonnet = \"claude-sonnet-4-5\"\nhaiku = \"claude-haiku-4-5\"\nopus = \"claude-opus-4-6\"\n",
    );
    let text = std::fs::read_to_string(&sb.config).unwrap().replace("[models]\n", "[models]\nsonnet = \"my-own-sonnet\"\n");
    std::fs::write(&sb.config, &text).unwrap();
    let bashrc = PathBuf::from(sb.endpoint("home")).join(".bashrc");
    let (code, events, stderr, _) = setup(&sb, &[], &[]);
    assert!(stderr.contains("models.sonnet is locked by the org policy") && stderr.contains("its value there is used"), "{stderr}");
    let choose = events.iter().find(|e| e["step"] == "choose").unwrap_or_else(|| panic!("{events:#?}\n{stderr}"));
    assert_eq!(choose["sonnet"], "claude-sonnet-4-5", "the policy wins");
    assert_eq!(events.iter().find(|e| e["step"] == "signin").map(|e| e["status"].clone()), Some("skipped".into()), "API-key mode signs nobody in");
    assert_eq!(code, 3, "{events:#?}");
    assert!(error_of(&events)["hint"].as_str().unwrap().contains("--yes"), "{events:#?}");
    assert!(!bashrc.exists(), "nothing was written without approval");
    assert_eq!(std::fs::read_to_string(&sb.config).unwrap(), text, "the config is untouched");
}

#[test]
fn setup_policy_naming_a_missing_file_is_a_clear_error() {
    let home = tempfile::tempdir().unwrap();
    let mut c = cli_command(home.path());
    c.args(["setup", "--yes", "--policy"]).arg(home.path().join("draft.toml"));
    let r = run(c);
    assert_eq!(r.code, 3, "{}", r.stderr);
    assert!(r.stderr.contains("draft.toml does not exist") && r.stderr.contains("help:"), "{}", r.stderr);
}

/// `[models] choose = "newest"` with only the resource named: discovery (the real az's token,
/// the sandbox's ARM) finds the newest deployment of each tier, and setup takes it without asking.
#[test]
fn setup_with_choose_newest_takes_the_newest_deployment_of_each_tier_from_discovery() {
    let Some(env) = real_tools_in_netns("setup::setup_with_choose_newest_takes_the_newest_deployment_of_each_tier_from_discovery") else { return };
    let dir = tempfile::tempdir().unwrap();
    let policy = dir.path().join("policy.toml");
    std::fs::write(&policy, "locked = [\"models.choose\"]\n[foundry]\nresource = \"sandbox-ai\"\n[models]\nchoose = \"newest\"\n").unwrap();
    let sb = SandboxProcess::start(&["--policy", policy.to_str().unwrap(), "--approve-after-ms", "0"]);
    let (code, events, stderr, took) = setup(&sb, &env, &["--yes"]);
    let _ = std::fs::write(artifacts_dir().join("setup-newest.jsonl"), events.iter().map(|e| format!("{e}\n")).collect::<String>());
    assert_eq!(code, 0, "{stderr}\n{events:#?}");
    assert_eq!(
        steps(&events),
        ["policy:applied", "signin:waiting", "signin:done", "choose:newest", "profile:written", "verify:pass", "doctor:pass", "done:ok"],
        "{events:#?}"
    );
    assert_eq!(events[0]["decided"]["leftToAsk"], serde_json::json!([]), "nothing left to ask: the newest is taken");
    let choose = &events[3];
    // The sandbox's sandbox-ai has claude-sonnet-4 and claude-sonnet-4-5: the newest is taken.
    assert_eq!(
        (choose["sonnet"].as_str(), choose["haiku"].as_str(), choose["opus"].as_str()),
        (Some("claude-sonnet-4-5"), Some("claude-haiku-4-5"), Some("claude-opus-4-6")),
        "{choose}"
    );
    assert_eq!(choose["newest"], serde_json::json!(["sonnet", "haiku", "opus"]));
    let written = std::fs::read_to_string(&sb.config).unwrap();
    assert!(
        written.contains("sonnet = \"claude-sonnet-4-5\"") && written.contains("subscription = "),
        "the picked names and their subscription are saved: {written}"
    );
    println!("setup --yes with choose = newest: {:.1} s", took.as_secs_f64());
}

/// On a terminal (`script` gives the CLI a pseudo-terminal), setup shows what it will write and
/// asks; "n" writes nothing and exits 3.
#[test]
fn on_a_terminal_setup_shows_what_it_will_write_and_a_no_writes_nothing() {
    if !foundry_onboard_core::profile::verify::installed("script") {
        foundry_onboard_e2e::skipped("the terminal prompt", "script (util-linux) is not installed");
        return;
    }
    let (_dir, sb) = sandbox_with(
        "locked = [\"azure.login\"]\n[azure]\nlogin = \"api-key\"\n[foundry]\nresource = \"sandbox-ai\"\n[models]\nsonnet = \"claude-sonnet-4-5\"\nhaiku = \"claude-haiku-4-5\"\nopus = \"claude-opus-4-6\"\n",
    );
    let home = PathBuf::from(sb.endpoint("home"));
    let command = format!("{} --config {} setup", foundry_onboard_e2e::cli().display(), sb.config.display());
    let mut c = std::process::Command::new("script");
    foundry_onboard_e2e::scrub(&mut c, sb.home.path());
    c.args(["-qec", &command, "/dev/null"]).stdin(std::process::Stdio::piped()).stdout(std::process::Stdio::piped()).stderr(std::process::Stdio::piped());
    let mut child = c.spawn().unwrap();
    std::io::Write::write_all(&mut child.stdin.take().unwrap(), b"n\n").unwrap();
    let out = child.wait_with_output().unwrap();
    let text = String::from_utf8_lossy(&out.stdout);
    assert_eq!(out.status.code(), Some(3), "{text}");
    assert!(text.contains("What setup will write:") && text.contains(&home.join(".bashrc").display().to_string()), "{text}");
    assert!(text.contains(&format!("Write the profile to {} ? [y/N]", home.display())), "{text}");
    assert!(text.contains("nothing was written"), "{text}");
    assert!(!home.join(".bashrc").exists() && !home.join(".claude/settings.json").exists(), "a no writes nothing");
}
