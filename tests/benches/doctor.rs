//! Doctor benchmarks (PRODUCT.md §10; ratios, not pass/fail), inside `unshare -n -m` with the
//! real `az` signed in to the sandbox:
//! - 200 ms injected per HTTP answer: the run's total against the longest dependency chain
//!   (goal ≤ 1.3×), with the sequential sum beside it;
//! - `tcp-blackhole`: the total against the deadline (goal ≤ deadline + 0.5 s);
//! - a healthy `foundry-onboard doctor --json`, the az token included (goal < 2 s).
#![allow(clippy::unwrap_used, clippy::expect_used)] // a benchmark: a failed expectation aborts the run

use foundry_onboard_core::config::policy::Policy;
use foundry_onboard_core::config::{ConfigLocation, load};
use foundry_onboard_core::doctor::{self, DoctorEvent, DoctorOptions, PlannedCheck};
use foundry_onboard_e2e::median;
use foundry_onboard_e2e::{SandboxProcess, cli, cli_command, real_az, run};
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

fn in_process(sb: &SandboxProcess, az: &std::path::Path, deadline: Duration) -> (doctor::Report, Vec<PlannedCheck>, Duration) {
    let config = load(&ConfigLocation::Flag(sb.config.clone()), Policy::default()).unwrap().config;
    let mut options = DoctorOptions::new(sb.config.clone(), cli(), sb.home.path().to_path_buf());
    options.az = Some(az.to_path_buf());
    options.deadline = deadline;
    options.check_timeout = Duration::from_secs(5);
    let planned: Arc<Mutex<Vec<PlannedCheck>>> = Arc::default();
    let sink = planned.clone();
    let rt = tokio::runtime::Builder::new_multi_thread().worker_threads(2).enable_all().build().unwrap();
    let started = Instant::now();
    let report = rt
        .block_on(doctor::run(
            &config,
            options,
            tokio_util::sync::CancellationToken::new(),
            Arc::new(move |e| {
                if let DoctorEvent::Planned { checks } = e {
                    *sink.lock().unwrap() = checks;
                }
            }),
        ))
        .unwrap();
    let took = started.elapsed();
    let planned = planned.lock().unwrap().clone();
    (report, planned, took)
}

fn write_profile(sb: &SandboxProcess, az: &std::path::Path) {
    let mut c = cli_command(sb.home.path());
    c.env("FOUNDRY_ONBOARD_AZ", az).arg("--config").arg(&sb.config).args(["profile", "write", "--no-verify"]);
    assert_eq!(run(c).code, 0);
}

fn latency_chain(az: &std::path::Path) {
    let sb = SandboxProcess::start_with_env(&["--signed-in", "--latency-ms", "200"], &[("FOUNDRY_ONBOARD_AZ", az.as_os_str())]);
    write_profile(&sb, az);
    let (report, planned, took) = in_process(&sb, az, Duration::from_secs(30));
    let chain = doctor::longest_chain_ms(&planned, &report.checks) as f64;
    let sum: u64 = report.checks.iter().map(|c| c.duration_ms).sum();
    let total = took.as_secs_f64() * 1000.0;
    let s = &report.summary;
    println!(
        "doctor, 200 ms per HTTP answer: total {total:.0} ms, longest chain {chain:.0} ms, sequential sum {sum} ms → total/chain {:.2}× (goal ≤ 1.3×), sum/total {:.1}× ({} pass, {} warn, {} fail, {} skip)",
        total / chain.max(1.0),
        sum as f64 / total.max(1.0),
        s.pass,
        s.warn,
        s.fail,
        s.skip
    );
    for c in &report.checks {
        println!("    {:<16} {:>6} ms  {:?}", c.id, c.duration_ms, c.status);
    }
}

fn black_hole(az: &std::path::Path) {
    let sb = SandboxProcess::start_with_env(&["--signed-in", "--faults", "tcp-blackhole"], &[("FOUNDRY_ONBOARD_AZ", az.as_os_str())]);
    write_profile(&sb, az);
    for deadline in [Duration::from_secs(15), Duration::from_secs(3)] {
        let (report, _, took) = in_process(&sb, az, deadline);
        let tcp = report.checks.iter().find(|c| c.id == "path.tcp").map(|c| format!("{:?} after {} ms", c.status, c.duration_ms)).unwrap_or_default();
        println!(
            "doctor, tcp-blackhole, deadline {:.1} s: total {:.2} s (goal ≤ {:.1} s), path.tcp {tcp}{}",
            deadline.as_secs_f64(),
            took.as_secs_f64(),
            deadline.as_secs_f64() + 0.5,
            if report.summary.incomplete { ", run cut at the deadline" } else { "" }
        );
    }
}

fn healthy_cli(az: &std::path::Path) {
    let sb = SandboxProcess::start_with_env(&["--signed-in"], &[("FOUNDRY_ONBOARD_AZ", az.as_os_str())]);
    write_profile(&sb, az);
    let mut times = Vec::new();
    let mut last = 0;
    for _ in 0..5 {
        let mut c = cli_command(sb.home.path());
        c.env("FOUNDRY_ONBOARD_AZ", az).arg("--config").arg(&sb.config).args(["--json", "doctor"]);
        let start = Instant::now();
        let r = run(c);
        times.push(start.elapsed().as_secs_f64() * 1000.0);
        last = r.code;
    }
    println!(
        "doctor --json on a healthy sandbox (az token included): median {:.0} ms over 5 runs, min {:.0} ms (goal < 2000 ms), exit {last}",
        median(times.clone()),
        times.iter().cloned().fold(f64::MAX, f64::min)
    );
}

fn main() {
    let Some(az) = real_az() else {
        println!("doctor bench: skipped (azure-cli is not installed; `make bench` installs it)");
        return;
    };
    if std::env::var_os("FOUNDRY_ONBOARD_IN_NETNS").is_none() {
        // az is a client we did not write: it runs only where loopback is the whole network.
        // Claude Code on PATH, so env.claude passes as it does on a developer's machine.
        let claude = std::env::var_os("HOME").map(|h| std::path::PathBuf::from(h).join(".cache/foundry-onboard-claude/node_modules/.bin")).unwrap_or_default();
        let path = std::env::join_paths(std::iter::once(claude).chain(std::env::split_paths(&std::env::var_os("PATH").unwrap_or_default()))).unwrap();
        // Inside, a temporary HOME and XDG dirs and no session bus: az (run in-process by the
        // doctor) sees none of the machine's own files.
        let home = tempfile::tempdir().unwrap();
        let status = std::process::Command::new("unshare")
            .args(["-n", "-m", "--"])
            .arg(std::env::current_exe().unwrap())
            .env("FOUNDRY_ONBOARD_IN_NETNS", "1")
            .env("PATH", path)
            .env("FOUNDRY_ONBOARD_TEST_AZ", &az)
            .envs(foundry_onboard_e2e::home_env(home.path()))
            .env_remove("DBUS_SESSION_BUS_ADDRESS")
            .status()
            .expect("unshare");
        assert!(status.success(), "the doctor bench failed inside the namespace");
        return;
    }
    assert!(std::process::Command::new("ip").args(["link", "set", "lo", "up"]).status().unwrap().success());
    healthy_cli(&az);
    latency_chain(&az);
    black_hole(&az);
}
