//! The Usage tab's benchmarks in the real window (issue #21), printed as ratios to their goals:
//! - the tab's first paint from the cached report, from the click to the first drawn state
//!   (goal ≤ 100 ms);
//! - switching the range, from the click to the new charts drawn (goal ≤ 50 ms);
//! - the longest gap between frames while a forced refresh of 90 days arrives and is drawn
//!   (goal ≤ 100 ms; the sandbox's history has 10 models, `--usage-models 10`).
//!
//! Each time is taken in the page (`performance.now()` and a `MutationObserver`), against the
//! sandbox's `local` source. Run with `cargo bench -p foundry-onboard-e2e --bench usage_tab`.
#![allow(clippy::unwrap_used, clippy::expect_used)] // a benchmark: a failed expectation aborts the run

use foundry_onboard_e2e::display::{TauriDriver, Xvfb};
use foundry_onboard_e2e::median;
use foundry_onboard_e2e::webdriver::Session;
use foundry_onboard_e2e::{SandboxProcess, gui};
use std::time::{Duration, Instant};

async fn poll(s: &Session, script: &str, secs: u64) -> serde_json::Value {
    let start = Instant::now();
    loop {
        let v = s.script(script).await.expect("script");
        if !v.is_null() {
            return v;
        }
        assert!(start.elapsed() < Duration::from_secs(secs), "nothing after {secs} s: {script}");
        tokio::time::sleep(Duration::from_millis(20)).await;
    }
}

/// Clicks `testid` in the page and times until `done` (a JS expression) holds, in ms.
async fn timed_click(s: &Session, testid: &str, done: &str) -> f64 {
    s.script(&format!(
        "window.__t = null; const t0 = performance.now(); const check = () => {{ if (window.__t === null && ({done})) {{ window.__t = performance.now() - t0; obs.disconnect(); }} }};
         const obs = new MutationObserver(check); obs.observe(document.body, {{subtree: true, childList: true, attributes: true}});
         document.querySelector('[data-testid=\"{testid}\"]').click(); check(); return true;"
    ))
    .await
    .expect("click");
    poll(s, "return window.__t", 30).await.as_f64().unwrap_or(f64::NAN)
}

const STATE: &str = "document.querySelector('[data-testid=\"usage\"]')?.dataset.state";

/// One app: the first paint of the tab, then `runs` range switches and one refresh's frame gaps.
async fn one_app(sb: &SandboxProcess, runs: usize) -> (f64, Vec<f64>, f64) {
    let xvfb = Xvfb::start();
    let driver = TauriDriver::start(&xvfb.display, sb.home.path());
    let config = sb.config.to_str().unwrap().to_string();
    let s = Session::start(driver.port, gui().to_str().unwrap(), &["--config", &config]).await.expect("session");
    s.click("open-doctor").await.expect("home");
    // The home is reached through the Doctor tab, whose run starts at once: let it end first, as
    // the Usage tab (the home's first tab) is normally opened with nothing else running.
    poll(&s, "return document.querySelector('[data-testid=\"doctor\"]')?.dataset.state === 'done' ? true : null", 120).await;
    let paint = timed_click(&s, "tab-usage", &format!("['cached', 'fresh', 'noData'].includes({STATE})")).await;
    poll(&s, &format!("return {STATE} === 'fresh' ? true : null"), 60).await;
    let mut switches = Vec::new();
    for i in 0..runs {
        let (id, days) = if i % 2 == 0 { ("usage-range-7", 7) } else { ("usage-range-90", 90) };
        let done = format!("document.querySelector('[data-testid=\"usage-chart-tokens-img\"]')?.alt.includes('last {days} days')");
        switches.push(timed_click(&s, id, &done).await);
    }
    // Frame gaps while a forced refresh arrives and is drawn.
    s.script(
        "window.__gap = 0; window.__frames = true; let last = performance.now(); const f = (t) => { window.__gap = Math.max(window.__gap, t - last); last = t; if (window.__frames) requestAnimationFrame(f); }; requestAnimationFrame(f); return true;",
    )
    .await
    .expect("frames");
    let before = s.script("return document.querySelector('[data-testid=\"usage-provenance\"]').textContent").await.expect("provenance");
    s.click("usage-refresh").await.expect("refresh");
    poll(&s, &format!("return {STATE} === 'fresh' && !document.querySelector('[data-testid=\"usage-refresh\"]').disabled ? true : null"), 60).await;
    tokio::time::sleep(Duration::from_millis(200)).await;
    let gap = s.script("window.__frames = false; return window.__gap").await.expect("gap").as_f64().unwrap_or(f64::NAN);
    let _ = before;
    let _ = s.close().await;
    drop(driver);
    drop(xvfb);
    (paint, switches, gap)
}

fn main() {
    if std::env::var_os("BENCH_SKIP_GUI").is_some() {
        println!("usage tab: skipped (BENCH_SKIP_GUI)");
        return;
    }
    let runs: usize = std::env::var("BENCH_RUNS").ok().and_then(|v| v.parse().ok()).unwrap_or(30).clamp(4, 40);
    let sb = SandboxProcess::busy_local_usage();
    let rt = tokio::runtime::Runtime::new().unwrap();
    let (mut paints, mut switches, mut gaps) = (Vec::new(), Vec::new(), Vec::new());
    for _ in 0..3 {
        let (p, s, g) = rt.block_on(one_app(&sb, runs));
        paints.push(p);
        switches.extend(s);
        gaps.push(g);
    }
    let (p, s, g) = (median(paints.clone()), median(switches.clone()), gaps.iter().copied().fold(0.0, f64::max));
    println!("usage tab: first paint from the cache median {p:.0} ms over {} apps (goal <= 100 ms; ratio to goal {:.2})", paints.len(), p / 100.0);
    println!("usage tab: range switch median {s:.1} ms over {} switches (goal <= 50 ms; ratio to goal {:.2})", switches.len(), s / 50.0);
    println!("usage tab: longest frame gap during a refresh of 90 days x 10 models {g:.0} ms (goal <= 100 ms; ratio to goal {:.2})", g / 100.0);
}
