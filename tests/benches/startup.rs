//! Startup benchmarks that print ratios (PRODUCT.md §10):
//! - `foundry-onboard --version` against `az version`, paired runs, median ratio (goal ≥ 20×);
//! - the desktop app under Xvfb: time to first paint (goal ≤ 1.5 s) and PSS summed over the app
//!   and its WebKit processes against an empty Tauri window measured in the same run (goal ≤ 1.2×),
//!   once on the wizard (`--sandbox`) and once on the Usage tab (`--tab usage`) with a 90-day
//!   history of 10 models drawn (issue #21, goal ≤ 1.2×). The empty window runs with the same
//!   WebKit choices as the app (`src-tauri/src/engine.rs`); it is also measured with WebKit's own
//!   defaults, so the choices' effect on the baseline is printed too.
//!
//! Run with `make bench` (it installs azure-cli from PyPI into a venv and sets `AZ`).
//! Both clients run inside `unshare -n` (loopback only), like every client we did not write.
#![allow(clippy::unwrap_used, clippy::expect_used)] // a benchmark: a failed expectation aborts the run

use foundry_onboard_e2e::display::Xvfb;
use foundry_onboard_e2e::median;
use foundry_onboard_e2e::{cli, gui};
use std::process::{Command, Stdio};
use std::time::{Duration, Instant};

/// One run under `unshare -n`, with `home` as HOME and XDG dirs (az writes its config there).
fn time_once(program: &str, args: &[&str], home: &std::path::Path) -> f64 {
    let mut c = Command::new("unshare");
    c.arg("-n").arg("--").arg(program).args(args).stdout(Stdio::null()).stderr(Stdio::null());
    foundry_onboard_e2e::isolate(&mut c, home);
    let start = Instant::now();
    let status = c.status().expect("run under unshare -n");
    assert!(status.success(), "{program} {args:?} failed");
    start.elapsed().as_secs_f64() * 1000.0
}

fn version_vs_az(runs: usize) {
    let Some(az) = std::env::var_os("AZ") else {
        println!("version: skipped (set AZ=/path/to/az; `make bench` installs azure-cli in a venv)");
        return;
    };
    let az = az.to_string_lossy().to_string();
    let ours = cli();
    let ours = ours.to_str().expect("path");
    // warm both (page cache, Python bytecode)
    let home = tempfile::tempdir().expect("tempdir");
    let home = home.path();
    time_once(ours, &["--version"], home);
    time_once(&az, &["version"], home);
    let (mut a, mut b) = (Vec::new(), Vec::new());
    let mut ratios = Vec::new();
    for _ in 0..runs {
        let x = time_once(ours, &["--version"], home);
        let y = time_once(&az, &["version"], home);
        a.push(x);
        b.push(y);
        ratios.push(y / x);
    }
    println!(
        "version: foundry-onboard --version median {:.2} ms, az version median {:.1} ms, paired median ratio {:.1}x (goal >= 20x) over {runs} pairs",
        median(a),
        median(b),
        median(ratios)
    );
}

/// PSS in KiB of a process and all its descendants (the WebKit helpers are children of the app).
fn pss_tree_kib(root: u32) -> u64 {
    let pss = |pid: u32| {
        let rollup = std::fs::read_to_string(format!("/proc/{pid}/smaps_rollup")).unwrap_or_default();
        rollup.lines().find(|l| l.starts_with("Pss:")).and_then(|l| l.split_whitespace().nth(1)).and_then(|v| v.parse::<u64>().ok()).unwrap_or(0)
    };
    std::iter::once(root).chain(foundry_onboard_e2e::descendants(root)).map(pss).sum()
}

/// WebKit's own defaults, which the app's choices (`src-tauri/src/engine.rs`) give way to.
const WEBKIT_DEFAULTS: [(&str, &str); 2] = [("WEBKIT_SKIA_ENABLE_CPU_RENDERING", "0"), ("JSC_useJIT", "true")];

/// Starts the app (in `home`, else a fresh one; `env` added), returns (first paint ms if it
/// reports one, PSS MiB after settling).
fn app_run(display: &str, args: &[&str], settle: Duration, home: Option<&std::path::Path>, env: &[(&str, &str)]) -> (Option<f64>, f64) {
    let fresh = tempfile::tempdir().expect("tempdir");
    let mut c = Command::new(gui());
    foundry_onboard_e2e::scrub(&mut c, home.unwrap_or(fresh.path()));
    for (name, _) in WEBKIT_DEFAULTS {
        c.env_remove(name);
    }
    c.envs(env.iter().copied()).env("DISPLAY", display).env_remove("DBUS_SESSION_BUS_ADDRESS").args(args).stdout(Stdio::piped()).stderr(Stdio::null());
    let start = Instant::now();
    let mut child = c.spawn().expect("start the app");
    let painted = foundry_onboard_e2e::first_paint(child.stdout.take().expect("stdout"), Duration::from_secs(15));
    let paint = painted.ok().map(|_| start.elapsed().as_secs_f64() * 1000.0);
    std::thread::sleep(settle);
    let pss = pss_tree_kib(child.id()) as f64 / 1024.0;
    // SIGTERM, so the sandbox the app started removes its directory; SIGKILL if it lingers.
    foundry_onboard_e2e::end_gently(&mut child, Duration::from_secs(10));
    // let the WebKit helpers go before the next run
    std::thread::sleep(Duration::from_millis(1500));
    (paint, pss)
}

fn gui_startup(runs: usize) {
    let xvfb = Xvfb::start();
    let settle = Duration::from_secs(8);
    let sb = foundry_onboard_e2e::SandboxProcess::busy_local_usage();
    let config = sb.config.to_str().expect("path").to_string();
    let (mut paints, mut ours, mut usage, mut empty, mut stock) = (Vec::new(), Vec::new(), Vec::new(), Vec::new(), Vec::new());
    for _ in 0..runs {
        let (paint, pss) = app_run(&xvfb.display, &["--sandbox"], settle, None, &[]);
        if let Some(p) = paint {
            paints.push(p);
        }
        ours.push(pss);
        let (_, pss_usage) = app_run(&xvfb.display, &["--config", &config, "--tab", "usage"], settle, Some(sb.home.path()), &[]);
        usage.push(pss_usage);
        let (_, pss_empty) = app_run(&xvfb.display, &["--bench-empty-window"], settle, None, &[]);
        empty.push(pss_empty);
        let (_, pss_stock) = app_run(&xvfb.display, &["--bench-empty-window"], settle, None, &WEBKIT_DEFAULTS);
        stock.push(pss_stock);
    }
    if paints.is_empty() {
        println!("gui: first paint: the app never reported FIRST_PAINT");
    } else {
        println!(
            "gui: first paint median {:.0} ms over {} runs (goal <= 1500 ms; ratio to goal {:.2})",
            median(paints.clone()),
            paints.len(),
            median(paints) / 1500.0
        );
    }
    let (o, u, e, st) = (median(ours), median(usage), median(empty), median(stock));
    println!("gui: PSS app+WebKit median {o:.1} MiB, empty Tauri window {e:.1} MiB, ratio {:.2}x (goal <= 1.2x)", o / e);
    println!("gui: PSS with the Usage tab open (90 days x 10 models drawn) median {u:.1} MiB, ratio to the empty window {:.2}x (goal <= 1.2x)", u / e);
    println!(
        "gui: the empty window with WebKit's own defaults (GPU painting, JIT) median {st:.1} MiB: the Usage tab is {:.2}x that, the empty window with the app's choices {:.2}x",
        u / st,
        e / st
    );
}

/// A sandbox-style config (own home) for the profile benchmarks.
fn profile_fixture(api_key: bool) -> (tempfile::TempDir, std::path::PathBuf, std::path::PathBuf) {
    let dir = tempfile::tempdir().expect("tempdir");
    let home = dir.path().join("home");
    std::fs::create_dir_all(&home).expect("home");
    let config = dir.path().join("c.toml");
    std::fs::write(
        &config,
        format!(
            "[azure]\nlogin = \"{}\"\n[foundry]\nbase_url = \"https://localhost:8443/anthropic\"\n[models]\nsonnet = \"s\"\nhaiku = \"h\"\nopus = \"o\"\n[sandbox]\nhome = \"{}\"\nca_file = \"{}\"\n",
            if api_key { "api-key" } else { "cli" },
            home.display(),
            dir.path().join("ca.pem").display()
        ),
    )
    .expect("config");
    (dir, config, home)
}

fn time_cmd(mut c: Command) -> f64 {
    let start = Instant::now();
    let st = c.stdout(Stdio::null()).stderr(Stdio::null()).status().expect("run");
    assert!(st.success(), "{c:?}");
    start.elapsed().as_secs_f64() * 1000.0
}

fn profile_costs(runs: usize) {
    // profile write of all five targets into a fresh home, cold (a new process each time).
    let mut writes = Vec::new();
    for _ in 0..runs {
        let (_dir, config, home) = profile_fixture(false);
        let mut c = Command::new(cli());
        foundry_onboard_e2e::scrub(&mut c, &home);
        c.arg("--config").arg(&config).args([
            "profile",
            "write",
            "--no-verify",
            "--shell",
            "bash",
            "--shell",
            "zsh",
            "--shell",
            "fish",
            "--shell",
            "pwsh",
            "--shell",
            "claude-settings",
        ]);
        writes.push(time_cmd(c));
    }
    println!(
        "profile: `profile write` of 5 targets, cold, median {:.1} ms over {runs} runs (goal <= 50 ms; ratio to goal {:.2})",
        median(writes.clone()),
        median(writes) / 50.0
    );

    // The block's cost on shell start: paired `bash -ic exit` with and without it.
    for api_key in [false, true] {
        let (_dir, config, home) = profile_fixture(api_key);
        let plain = tempfile::tempdir().expect("tempdir");
        std::fs::write(plain.path().join(".bashrc"), "# an rc without our block\n").expect("rc");
        let mut c = Command::new(cli());
        foundry_onboard_e2e::scrub(&mut c, &home);
        c.arg("--config").arg(&config).args(["profile", "write", "--no-verify", "--shell", "bash"]);
        time_cmd(c);
        let bash = |h: &std::path::Path| {
            let mut c = Command::new("bash");
            c.args(["-ic", "exit"]);
            foundry_onboard_e2e::isolate(&mut c, h);
            c
        };
        let (mut with, mut without, mut ratios) = (Vec::new(), Vec::new(), Vec::new());
        for _ in 0..runs {
            let a = time_cmd(bash(&home));
            let b = time_cmd(bash(plain.path()));
            with.push(a);
            without.push(b);
            ratios.push(a / b);
        }
        let (w, wo) = (median(with), median(without));
        if api_key {
            println!(
                "profile: `bash -ic exit` API-key block adds {:.1} ms (median {w:.1} vs {wo:.1} ms; goal <= 25 ms; runs one `secret print`, keyring unavailable here)",
                w - wo
            );
        } else {
            println!(
                "profile: `bash -ic exit` with the Entra block / without, paired median ratio {:.3}x (goal <= 1.05x; {w:.1} vs {wo:.1} ms)",
                median(ratios)
            );
        }
    }
}

fn main() {
    let runs: usize = std::env::var("BENCH_RUNS").ok().and_then(|v| v.parse().ok()).unwrap_or(30);
    // `cargo bench` passes `--bench`; `cargo test --benches` would pass nothing: both just run.
    version_vs_az(runs);
    profile_costs(runs);
    if std::env::var_os("BENCH_SKIP_GUI").is_none() {
        gui_startup((runs / 6).max(3));
    }
}
