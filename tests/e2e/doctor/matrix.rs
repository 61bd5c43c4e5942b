//! The fault matrix: every sandbox fault diagnosed as itself by `doctor --json` with the real az
//! signed in (inside `unshare -n`), only its dependents skipped, a healthy sandbox all pass, no
//! secret in any output; the healthy and zone-missing reports as snapshots.

use super::{FOUNDRY, schema_errors, verdict};
use foundry_onboard_e2e::{SandboxProcess, cli_command, real_az, reexec_in_netns, run};
use foundry_onboard_sandbox::Fault;
use serde_json::Value;
use std::collections::BTreeMap;
use std::path::{Path, PathBuf};
use std::sync::{Arc, Mutex};

const PATH_AFTER_DNS: &[&str] = &["path.tcp", "path.tls", "path.https"];

/// The doctor's verdict for one fault: the checks that must not pass, and what each must be.
struct Case {
    fault: &'static str,
    expect: Vec<(&'static str, &'static str)>,
    /// Words the failing check's detail or hint must contain.
    words: &'static [&'static str],
    gateway: bool,
    /// The config names `usage.source = "azure-monitor"` (the sandbox's Log Analytics stand-in),
    /// so the doctor runs `usage.source`.
    usage: bool,
}

fn case(fault: &'static str, named: &[(&'static str, &'static str)], skipped: &[&[&'static str]], words: &'static [&'static str]) -> Case {
    let mut expect = named.to_vec();
    for group in skipped {
        expect.extend(group.iter().map(|id| (*id, "skip")));
    }
    Case { fault, expect, words, gateway: false, usage: false }
}

fn cases() -> Vec<Case> {
    let mut all = vec![
        case("", &[], &[], &[]),
        case("dns-public-ip", &[("path.dns", "fail")], &[PATH_AFTER_DNS, FOUNDRY], &["public address", "203.0.113.10"]),
        case("dns-nxdomain", &[("path.dns", "fail")], &[PATH_AFTER_DNS, FOUNDRY], &["NXDOMAIN"]),
        case("no-privatelink-cname", &[("path.dns", "warn")], &[], &["not through", "privatelink"]),
        case("zone-missing-services-ai", &[("path.dns", "fail")], &[PATH_AFTER_DNS, FOUNDRY], &["privatelink.services.ai.azure.com", "resolve privately"]),
        case("tcp-blackhole", &[("path.tcp", "fail")], &[&["path.tls", "path.https"], FOUNDRY], &["dropped", "network security group"]),
        case("tls-intercepted", &[("path.tls", "fail")], &[&["path.https"], FOUNDRY], &["TLS-inspecting proxy", "NODE_EXTRA_CA_CERTS"]),
        case("tls-expired", &[("path.tls", "fail")], &[&["path.https"], FOUNDRY], &["expired"]),
        case("slow-link", &[("path.tcp", "warn")], &[], &["slowly", "median"]),
        case("auth-expired", &[("signin.token", "fail")], &[&["foundry.config"], FOUNDRY], &["AADSTS700082", "foundry-onboard login"]),
        case(
            "role-missing",
            &[("foundry.config", "fail"), ("foundry.sonnet", "fail"), ("foundry.haiku", "fail"), ("foundry.opus", "fail")],
            &[],
            &["Azure AI User"],
        ),
        case(
            "deployment-missing",
            &[("foundry.sonnet", "fail"), ("foundry.haiku", "fail"), ("foundry.opus", "fail")],
            &[],
            &["DeploymentNotFound", "5 minutes"],
        ),
        case("quota-429", &[("foundry.sonnet", "fail"), ("foundry.haiku", "fail"), ("foundry.opus", "fail")], &[], &["429", "24–48 h"]),
        case("gateway-html", &[("path.https", "fail")], &[FOUNDRY], &["HTML page", "Sign in - Corporate Proxy"]),
        case("public-network-enabled", &[("foundry.config", "warn")], &[], &["public network access"]),
    ];
    all.push(Case {
        fault: "gateway-down",
        expect: vec![("path.https", "fail"), ("gateway.reachable", "skip"), ("gateway.auth", "skip"), ("gateway.usage", "skip")],
        words: &["down", "502"],
        gateway: true,
        usage: false,
    });
    // The usage faults, through the azure-monitor source (the signed-in az's Log Analytics
    // token). `usage-budget-exceeded` is LiteLLM's and needs the gateway key in a keyring:
    // tests/e2e/usage.rs diagnoses it (and the LiteLLM side of the others) with a keyring session.
    for (fault, status, words) in [
        ("usage-forbidden", "fail", &["InsufficientAccessError", "Reader"][..]),
        ("usage-unauthorized", "fail", &["401"][..]),
        ("usage-rate-limited", "fail", &["429"][..]),
        ("usage-partial", "warn", &["PartialError"][..]),
    ] {
        all.push(Case { fault, expect: vec![("usage.source", status)], words, gateway: false, usage: true });
    }
    all
}

fn claude_on_path() -> std::ffi::OsString {
    let dir = crate::claude::claude_dir().expect("Claude Code is installed by scripts/install-test-deps.sh");
    std::env::join_paths(std::iter::once(dir).chain(std::env::split_paths(&std::env::var_os("PATH").unwrap_or_default()))).unwrap()
}

/// Starts a signed-in sandbox with `fault`, writes the profile into its home, and runs the doctor.
fn diagnose(az: &Path, c: &Case) -> (i32, Value, String, SandboxProcess) {
    let (code, json, md, stderr, sb) = diagnose_logged(az, c);
    (code, json, format!("{md}\n{stderr}"), sb)
}

/// [`diagnose`], with the doctor's log output (`-vv`) kept apart.
fn diagnose_logged(az: &Path, c: &Case) -> (i32, Value, String, String, SandboxProcess) {
    let mut args = vec!["--signed-in"];
    if !c.fault.is_empty() {
        args.extend(["--faults", c.fault]);
    }
    let sb = SandboxProcess::start_with_env(&args, &[("FOUNDRY_ONBOARD_AZ", az.as_os_str())]);
    let config = if c.gateway {
        let gw = sb.home.path().join("gateway.toml");
        let text = std::fs::read_to_string(&sb.config).unwrap();
        let text = text.replacen("via_gateway = false", "via_gateway = true", 1).replacen("auth = \"entra\"", "auth = \"key\"", 1);
        assert!(text.contains("via_gateway = true") && text.contains("auth = \"key\""), "{text}");
        std::fs::write(&gw, text).unwrap();
        gw
    } else if c.usage {
        let with_usage = sb.home.path().join("usage.toml");
        let text = std::fs::read_to_string(&sb.config).unwrap().replacen("[usage]\n", "[usage]\nsource = \"azure-monitor\"\n", 1);
        assert!(text.contains("source = \"azure-monitor\""), "{text}");
        std::fs::write(&with_usage, text).unwrap();
        with_usage
    } else {
        sb.config.clone()
    };
    let cli = |args: &[&str]| {
        let mut cmd = cli_command(sb.home.path());
        cmd.env("FOUNDRY_ONBOARD_AZ", az).env("PATH", claude_on_path()).arg("--config").arg(&config).args(args);
        run(cmd)
    };
    if !c.gateway {
        let w = cli(&["profile", "write", "--no-verify"]);
        assert_eq!(w.code, 0, "profile write: {}", w.stderr);
    }
    let report = sb.home.path().join("report.md");
    let only: &[&str] = if c.gateway { &["--only", "path,gateway"] } else { &[] };
    // The project lives under HOME, which a pasted report writes as `~` (it would name the account).
    let project = sb.home.path().join("project");
    std::fs::create_dir_all(&project).unwrap();
    // A deadline that a loaded CI machine (three doctors and their az at once) cannot reach: the
    // matrix is about what is diagnosed, and path.dns waits for ARM up to half of it.
    let mut args = vec!["-vv", "doctor", "--json", "--report", report.to_str().unwrap(), "--cwd", project.to_str().unwrap(), "--deadline-ms", "60000"];
    args.extend(only);
    let r = cli(&args);
    let json: Value = serde_json::from_str(r.stdout.trim()).unwrap_or_else(|e| panic!("{}: doctor printed no JSON ({e}): {}\n{}", c.fault, r.stdout, r.stderr));
    let md = std::fs::read_to_string(&report).unwrap_or_default();
    (r.code, json, md, r.stderr, sb)
}

/// Every credential the sandbox and its az hold: none may appear in any output.
fn sandbox_secrets(sb: &SandboxProcess) -> Vec<String> {
    let dir = PathBuf::from(sb.endpoint("home")).parent().unwrap().to_path_buf();
    let mut out: Vec<String> = ["foundry-api-key", "gateway-key", "entra-token"]
        .iter()
        .filter_map(|f| std::fs::read_to_string(dir.join(f)).ok())
        .map(|s| s.trim().to_string())
        .collect();
    if let Ok(cache) = std::fs::read_to_string(dir.join("azure/msal_token_cache.json")) {
        let v: Value = serde_json::from_str(&cache).unwrap_or(Value::Null);
        for kind in ["AccessToken", "RefreshToken", "IdToken"] {
            for (_, entry) in v[kind].as_object().into_iter().flatten() {
                if let Some(s) = entry["secret"].as_str() {
                    out.push(s.to_string());
                }
            }
        }
    }
    assert!(out.len() >= 4, "the sandbox and az hold keys and tokens to look for: {}", out.len());
    out
}

/// Times, ports and paths vary run to run and machine to machine; the words do not.
fn snapshot(name: &str, md: &str) {
    // Paths under the clone, the temp dir and HOME, wherever they live (CI clones under /check),
    // and the tools' install dirs: inside the namespace HOME is the run's own temporary one, while
    // az and claude stay where the real HOME's cache holds them.
    let tools = [foundry_onboard_e2e::real_az().and_then(|az| az.parent().and_then(Path::parent).map(Path::to_path_buf)), foundry_onboard_e2e::claude_dir()];
    let roots: Vec<PathBuf> =
        [Path::new(env!("CARGO_MANIFEST_DIR")).parent().unwrap().to_path_buf(), std::env::temp_dir(), std::env::home_dir().unwrap_or_default()]
            .into_iter()
            .chain(tools.into_iter().flatten())
            .collect();
    let paths: Vec<(String, &str)> =
        roots.iter().filter(|r| r.as_os_str().len() > 1).map(|r| (format!(r"{}[^\s`),]*", regex::escape(&r.to_string_lossy())), "<path>")).collect();
    let mut filters: Vec<(&str, &str)> = vec![
        (r"- Time: .*", "- Time: <time>"),
        (r"\b\d+(\.\d+)? ms\b", "<n> ms"),
        (r"(connect RTT ms|TCP connect ms): .*", "$1: <samples>"),
        (r"(127\.0\.0\.1|localhost|\.azure\.com):\d+", "$1:<port>"),
    ];
    filters.extend(paths.iter().map(|(re, to)| (re.as_str(), *to)));
    insta::with_settings!({filters => filters}, {
        insta::assert_snapshot!(name, md);
    });
}

#[test]
fn every_fault_is_diagnosed_as_itself_and_a_healthy_sandbox_is_all_pass() {
    let Some(az) = real_az() else {
        assert!(std::env::var_os("CI").is_none(), "CI must run the doctor's fault matrix (scripts/install-test-deps.sh installs azure-cli)");
        foundry_onboard_e2e::skipped("the doctor fault matrix", "azure-cli is not installed (scripts/install-test-deps.sh)");
        return;
    };
    if crate::claude::blocked().is_some() {
        assert!(std::env::var_os("CI").is_none(), "CI must run the fault matrix: {:?}", crate::claude::blocked());
        return;
    }
    if reexec_in_netns("doctor::matrix::every_fault_is_diagnosed_as_itself_and_a_healthy_sandbox_is_all_pass") {
        return;
    }
    // Every fault but gateway-down is covered in foundry mode; gateway-down needs a gateway.
    let covered: Vec<&str> = cases().iter().map(|c| c.fault).collect();
    for f in Fault::ALL.iter().filter(|f| **f != Fault::UsageBudgetExceeded) {
        assert!(covered.contains(&f.name()), "the matrix covers {}", f.name());
    }
    let cases = Arc::new(cases());
    let next = Arc::new(Mutex::new(0usize));
    let failures = Arc::new(Mutex::new(Vec::<String>::new()));
    let reports = Arc::new(Mutex::new(BTreeMap::<&'static str, String>::new()));
    let workers: Vec<_> = (0..3)
        .map(|_| {
            let (cases, next, failures, reports, az) = (cases.clone(), next.clone(), failures.clone(), reports.clone(), az.clone());
            std::thread::spawn(move || {
                loop {
                    let i = {
                        let mut n = next.lock().unwrap();
                        *n += 1;
                        *n - 1
                    };
                    let Some(c) = cases.get(i) else { break };
                    let (code, json, md, sb) = diagnose(&az, c);
                    let got = verdict(&json);
                    let mut problems = Vec::new();
                    for (id, status) in &got {
                        let want = c.expect.iter().find(|(e, _)| e == id).map(|(_, s)| *s).unwrap_or("pass");
                        if status != want {
                            let detail = json["checks"]
                                .as_array()
                                .unwrap()
                                .iter()
                                .find(|x| x["id"] == id.as_str())
                                .map(|x| format!("{} | {}", x["detail"], x["hint"]))
                                .unwrap_or_default();
                            problems.push(format!("{id}: {status}, expected {want} — {detail}"));
                        }
                    }
                    for (id, _) in &c.expect {
                        if !got.contains_key(*id) {
                            problems.push(format!("{id} did not run"));
                        }
                    }
                    let named: Vec<String> = json["checks"]
                        .as_array()
                        .unwrap()
                        .iter()
                        .filter(|x| x["status"] == "fail" || x["status"] == "warn")
                        .map(|x| format!("{} {} {}", x["detail"], x["hint"], x["evidence"]))
                        .collect();
                    for w in c.words {
                        if !named.iter().any(|n| n.contains(w)) {
                            problems.push(format!("no failing check mentions {w:?}; they say {named:?}"));
                        }
                    }
                    let want_code = if c.expect.iter().any(|(_, s)| *s == "fail") {
                        2
                    } else if c.expect.is_empty() {
                        0
                    } else {
                        1
                    };
                    if code != want_code {
                        problems.push(format!("exit code {code}, expected {want_code}"));
                    }
                    // Redacted by construction: no key, no token, no user name in any output.
                    let everything = format!("{json}\n{md}");
                    for s in sandbox_secrets(&sb) {
                        if everything.contains(&s) {
                            problems.push(format!("a secret ({}…) leaked into the report", &s[..6.min(s.len())]));
                        }
                    }
                    let report_only = format!("{json}\n{}", md.split("\n## Known Foundry limitations").next().unwrap_or_default());
                    if report_only.contains(&sb.home.path().display().to_string()) || (!c.gateway && !report_only.contains("directory: ~/project")) {
                        problems.push("the home directory is not written as ~ in the report".into());
                    }
                    if everything.contains(foundry_onboard_sandbox::USER) {
                        problems.push("the user name appears unredacted".into());
                    }
                    problems.extend(schema_errors(&json));
                    if !problems.is_empty() {
                        failures.lock().unwrap().push(format!("[{}] {}", if c.fault.is_empty() { "healthy" } else { c.fault }, problems.join("; ")));
                    }
                    reports.lock().unwrap().insert(c.fault, md);
                    eprintln!(
                        "doctor matrix: {:<26} {}",
                        if c.fault.is_empty() { "(healthy)" } else { c.fault },
                        if code == want_code { "ok" } else { "MISMATCH" }
                    );
                }
            })
        })
        .collect();
    for w in workers {
        w.join().unwrap();
    }
    let failures = failures.lock().unwrap();
    assert!(failures.is_empty(), "the doctor misdiagnosed:\n{}", failures.join("\n"));
    let reports = reports.lock().unwrap();
    // The Markdown part only (the log lines after it vary).
    let md = |k: &str| reports[k].split("\n## Known Foundry limitations").next().unwrap().to_string();
    snapshot("report_healthy", &md(""));
    snapshot("report_zone_missing_services_ai", &md("zone-missing-services-ai"));
}
