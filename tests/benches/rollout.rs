//! The rollout bench (issue #22): the app with a full org policy beside the wizard without one —
//! clicks from launch to a verified profile and the wall time without the person's approval, as
//! ratios — and the `setup --yes` figure from the CLI's measurement when it has been taken.
//!
//! The real az and Claude Code run only inside a loopback-only namespace: the bench re-runs itself
//! under `unshare -n -m` (like the e2e tests), walks the app there and leaves its figures in
//! `rollout-bench.json` beside the test logs; the outer run prints them. `ROLLOUT_RUNS` (default 2)
//! walks of each kind; medians are printed.
#![allow(clippy::unwrap_used, clippy::expect_used)] // a benchmark: a failed expectation aborts the run

use foundry_onboard_e2e::display::{TauriDriver, Xvfb};
use foundry_onboard_e2e::median;
use foundry_onboard_e2e::rollout::{Figures, with_policy, without_policy};
use foundry_onboard_e2e::webdriver::Session;
use foundry_onboard_e2e::{artifacts_dir, gui};
use std::path::Path;
use std::time::Instant;

const FIGURES: &str = "rollout-bench.json";
/// Where the CLI's `setup --yes` measurement is left (by `tests/e2e/setup.rs`), when it ran.
const SETUP_FIGURES: &str = "setup-timing.json";

/// One walk of the app started with `args`.
fn walk(args: &[&str], policy: bool) -> Figures {
    let home = tempfile::tempdir().unwrap();
    let az = foundry_onboard_e2e::real_az().and_then(|p| p.parent().map(Path::to_path_buf));
    let path = std::env::join_paths(
        az.into_iter().chain(foundry_onboard_e2e::claude_dir()).chain(std::env::split_paths(&std::env::var_os("PATH").unwrap_or_default())),
    )
    .unwrap();
    let xvfb = Xvfb::start();
    let driver = TauriDriver::start_with(&xvfb.display, home.path(), &[("PATH", path)]);
    let rt = tokio::runtime::Runtime::new().unwrap();
    let figures = rt.block_on(async {
        let started = Instant::now();
        let s = Session::start(driver.port, gui().to_str().unwrap(), args).await?;
        let r = if policy { with_policy(&s, started, None).await } else { without_policy(&s, started, None).await };
        let _ = s.close().await;
        r
    });
    drop(driver);
    drop(xvfb);
    figures.unwrap_or_else(|e| panic!("the walk ({args:?}) failed: {e:#}"))
}

fn inside() {
    let up = std::process::Command::new("ip").args(["link", "set", "lo", "up"]).status().expect("ip");
    assert!(up.success(), "ip link set lo up");
    let runs: usize = std::env::var("ROLLOUT_RUNS").ok().and_then(|v| v.parse().ok()).unwrap_or(2);
    let policy = Path::new(env!("CARGO_MANIFEST_DIR")).join("../docs/policy.sandbox.toml");
    let policy = policy.to_str().unwrap();
    let (mut with, mut without) = (Vec::new(), Vec::new());
    for _ in 0..runs {
        without.push(walk(&["--sandbox"], false));
        with.push(walk(&["--sandbox", "--policy", policy], true));
    }
    let json = serde_json::json!({ "with_policy": with, "without_policy": without });
    std::fs::write(artifacts_dir().join(FIGURES), serde_json::to_string_pretty(&json).unwrap()).unwrap();
}

fn print() {
    let text = std::fs::read_to_string(artifacts_dir().join(FIGURES)).expect("the walks left their figures");
    let v: serde_json::Value = serde_json::from_str(&text).unwrap();
    let figures = |kind: &str| -> Vec<Figures> {
        v[kind]
            .as_array()
            .unwrap()
            .iter()
            .map(|f| Figures {
                clicks: f["clicks"].as_u64().unwrap() as u32,
                clicks_to_verified: f["clicks_to_verified"].as_u64().unwrap() as u32,
                to_verified_ms: f["to_verified_ms"].as_u64().unwrap(),
                approval_ms: f["approval_ms"].as_u64().unwrap(),
                stages: serde_json::from_value(f["stages"].clone()).unwrap_or_default(),
            })
            .collect()
    };
    let (with, without) = (figures("with_policy"), figures("without_policy"));
    let clicks = |f: &[Figures]| median(f.iter().map(|x| f64::from(x.clicks)).collect());
    let to_verified_clicks = |f: &[Figures]| median(f.iter().map(|x| f64::from(x.clicks_to_verified)).collect());
    let ms = |f: &[Figures]| median(f.iter().map(|x| x.to_verified_ms as f64).collect());
    println!(
        "rollout: app with a full policy: {:.0} clicks to Done ({:.0} to verified), {:.0} ms launch to verified without the approval (goals <= 4 clicks, <= 10000 ms; ratio to goal {:.2})",
        clicks(&with),
        to_verified_clicks(&with),
        ms(&with),
        ms(&with) / 10_000.0
    );
    println!(
        "rollout: the wizard without a policy: {:.0} clicks to Done ({:.0} to verified), {:.0} ms launch to verified without the approval",
        clicks(&without),
        to_verified_clicks(&without),
        ms(&without)
    );
    println!(
        "rollout: policy / no policy: clicks {:.2}x, time {:.2}x (medians over {} walks each)",
        clicks(&with) / clicks(&without),
        ms(&with) / ms(&without),
        with.len()
    );
    // The CLI's half, measured by its own test (`setup --yes` with the real az sign-in).
    match std::fs::read_to_string(artifacts_dir().join(SETUP_FIGURES)) {
        Ok(text) => {
            let s: serde_json::Value = serde_json::from_str(&text).unwrap_or_default();
            let setup_ms = s["firstRunMs"].as_f64();
            match setup_ms {
                Some(ms_setup) => println!(
                    "rollout: setup --yes: {ms_setup:.0} ms (goal <= 8000 ms; ratio to goal {:.2}); app with a policy / setup --yes: {:.2}x",
                    ms_setup / 8_000.0,
                    ms(&with) / ms_setup
                ),
                None => println!("rollout: setup --yes: {SETUP_FIGURES} holds no time: {text}"),
            }
        }
        Err(_) => println!("rollout: setup --yes: not measured here ({SETUP_FIGURES} is written by the e2e test `setup`; run it first)"),
    }
}

fn main() {
    if std::env::var_os("FOUNDRY_ONBOARD_IN_NETNS").is_some() {
        inside();
        return;
    }
    if let Some(why) = foundry_onboard_e2e::real_az()
        .is_none()
        .then_some("azure-cli is missing")
        .or_else(|| foundry_onboard_e2e::claude_dir().is_none().then_some("Claude Code is missing"))
    {
        println!("rollout: skipped ({why}; scripts/install-test-deps.sh installs it)");
        return;
    }
    // The same run, inside a loopback-only namespace; its figures come back in a file.
    foundry_onboard_e2e::reexec_in_netns("rollout-bench");
    print();
}
