//! The Doctor tab: a missing private DNS zone named, its dependents skipped, the report copied
//! and saved, the layout whole at 800×600 in light and dark; "Trust this CA" fixing TLS inspection;
//! a black hole that neither freezes the window nor outlives the deadline, and Cancel.

use super::{dark, doctor_rows, in_app, poll};
use foundry_onboard_e2e::artifacts_dir;
use foundry_onboard_e2e::webdriver::Session;

/// The help desk's path: the header's Troubleshoot link opens the Doctor tab before any setup;
/// path.dns fails naming the missing zone, the later path checks skip naming it; the report is
/// copied (WebKit's clipboard, a real click) and saved into the home directory.
async fn doctor_tab_zone_missing(s: &Session, home: &std::path::Path, light: bool) -> anyhow::Result<()> {
    s.resize(800, 600).await?;
    s.click("open-doctor").await?;
    anyhow::ensure!(s.displayed("panel-doctor").await?, "Doctor tab shown");
    let rows = doctor_rows(s, 30).await?;
    let status = |id: &str| rows.iter().find(|r| r.0 == id).map(|r| r.1.clone()).unwrap_or_default();
    anyhow::ensure!(status("path.dns") == "fail", "path.dns: {rows:?}");
    let hint = s.text("hint-path.dns").await?;
    anyhow::ensure!(hint.contains("privatelink.services.ai.azure.com"), "hint names the zone: {hint}");
    anyhow::ensure!(s.text("evidence-dns").await?.contains("203.0.113.10"), "the public answer is shown");
    let section = s.script("return document.querySelector('[data-testid=\"doctor-section-private-path\"]').dataset.status").await?;
    anyhow::ensure!(section == "fail", "Private path headed by its worst status: {section}");
    anyhow::ensure!(status("path.tcp") == "skip", "path.tcp skips: {rows:?}");
    let why = s.script("return document.querySelector('[data-testid=\"check-path.tcp\"] [data-testid=\"skip-reason\"]').textContent").await?;
    anyhow::ensure!(why.as_str().is_some_and(|w| w.contains("path.dns")), "the skip names path.dns: {why}");
    // No layout break at 800×600: nothing wider than the window, the page itself never scrolls.
    let fit = s.script("const m = document.querySelector('.app-main'); return [m.scrollWidth <= m.clientWidth, document.documentElement.scrollHeight === window.innerHeight, window.innerWidth]").await?;
    anyhow::ensure!(fit[0] == true && fit[1] == true, "layout at 800×600: {fit}");
    if light {
        s.click("doctor-copy").await?;
        s.find("copy-done").await.map_err(|e| e.context("the report did not reach the clipboard"))?;
        s.click("doctor-save").await?;
        let saved = s.text("saved-path").await?;
        let path = std::path::PathBuf::from(&saved);
        anyhow::ensure!(path.starts_with(home), "saved under the home directory: {saved}");
        let md = std::fs::read_to_string(&path)?;
        anyhow::ensure!(md.contains("path.dns") && md.contains("privatelink.services.ai.azure.com"), "report content: {md}");
    }
    s.script("document.querySelector('[data-testid=\"doctor-section-private-path\"]').scrollIntoView({block: 'start'}); return true").await?;
    tokio::time::sleep(std::time::Duration::from_millis(300)).await;
    Ok(())
}

#[tokio::test]
async fn doctor_tab_names_the_missing_services_ai_zone() {
    let home = tempfile::tempdir().unwrap();
    let args = ["--sandbox", "--faults", "zone-missing-services-ai"];
    for (theme, env) in [("light", vec![]), ("dark", dark())] {
        let shot = format!("gui-doctor-zone-missing-{theme}");
        in_app(home.path(), &env, &args, &shot, async |s| doctor_tab_zone_missing(s, home.path(), theme == "light").await)
            .await
            .unwrap_or_else(|e| panic!("{theme}: {e:#}"));
    }
}

/// The one-click fix, end to end: behind a TLS-inspecting proxy path.tls fails naming the
/// unknown issuer; "Trust this CA" adds it to a bundle that keeps what was trusted before, the
/// profile exports that bundle as NODE_EXTRA_CA_CERTS, and the run that follows passes path.tls.
async fn trust_the_inspection_ca(s: &Session) -> anyhow::Result<std::path::PathBuf> {
    s.click("open-doctor").await?;
    let rows = doctor_rows(s, 30).await?;
    let status = |rows: &[(String, String, String)], id: &str| rows.iter().find(|r| r.0 == id).map(|r| r.1.clone()).unwrap_or_default();
    anyhow::ensure!(status(&rows, "path.tls") == "fail", "path.tls fails behind the inspection proxy: {rows:?}");
    anyhow::ensure!(status(&rows, "path.https") == "skip", "path.https skips: {rows:?}");
    s.click("fix-trust-ca").await?;
    // The profile is written and verified in real shells first: allow it time.
    poll(s, "return document.querySelector('[data-testid=\"fix-done\"]') ? true : null", 60).await?;
    let done = s.text("fix-done").await?;
    let bundle = s.script("return document.querySelector('[data-testid=\"fix-done\"] code').textContent").await?;
    let bundle = std::path::PathBuf::from(bundle.as_str().unwrap_or_default());
    anyhow::ensure!(done.contains(foundry_onboard_sandbox::INSPECTION_CA_NAME), "the notice names the issuer: {done}");
    // The run the fix started: wait for path.tls to settle again, then for the whole run.
    poll(s, "const r = document.querySelector('[data-testid=\"check-path.tls\"]'); return r && r.dataset.status === 'pass' ? true : null", 30).await?;
    let rows = doctor_rows(s, 30).await?;
    anyhow::ensure!(status(&rows, "path.tls") == "pass" && status(&rows, "path.https") == "pass", "after the fix: {rows:?}");
    anyhow::ensure!(s.displayed("fix-done").await?, "the notice stays above the new run");
    Ok(bundle)
}

#[tokio::test]
async fn trust_this_ca_fixes_tls_inspection_and_keeps_the_sandbox_ca() {
    let home = tempfile::tempdir().unwrap();
    let bundle = in_app(home.path(), &[], &["--sandbox", "--faults", "tls-intercepted"], "gui-doctor-ca-trusted", trust_the_inspection_ca)
        .await
        .unwrap_or_else(|e| panic!("{e:#}"));
    // Nothing trusted before is lost: the sandbox's own CA and the inspection CA, one file.
    let pem = std::fs::read_to_string(&bundle).unwrap();
    assert_eq!(pem.matches("-----BEGIN CERTIFICATE-----").count(), 2, "{pem}");
    let dir = bundle.parent().unwrap();
    assert!(pem.contains(std::fs::read_to_string(dir.join("sandbox-ca.pem")).unwrap().trim()), "the sandbox CA is kept");
    let config = std::fs::read_to_string(dir.join("config.toml")).unwrap();
    assert!(config.contains(&format!("extra_ca_file = \"{}\"", bundle.display())), "{config}");
    // The profile a new terminal sources exports the bundle.
    let rc = std::fs::read_to_string(dir.join("home/.bashrc")).unwrap_or_default();
    assert!(
        rc.contains(&format!("NODE_EXTRA_CA_CERTS='{}'", bundle.display())) || rc.contains(&format!("NODE_EXTRA_CA_CERTS=\"{}\"", bundle.display())),
        "{rc}"
    );
}

/// Records, in the page, each doctor row's first final status and when, the run's start and end,
/// and the longest gap between animation frames while it runs (the longest main-thread stall).
const RUN_PROBE: &str = r#"
const m = { startAt: null, doneAt: null, maxGap: 0, slow: [], rows: {} };
window.__run = m;
let last = performance.now();
const tick = () => {
  const now = performance.now();
  const d = document.querySelector('[data-testid="doctor"]');
  // The frame that opens the tab and starts the run is the tab's first layout, not the run's.
  const first = d && d.dataset.state === 'running' && m.startAt === null;
  if (first) { m.startAt = now; m.openFrame = Math.round(now - last); }
  if (m.startAt !== null && m.doneAt === null && !first) {
    m.maxGap = Math.max(m.maxGap, now - last);
    if (now - last > 100) m.slow.push([Math.round(now - m.startAt), Math.round(now - last)]);
    for (const r of document.querySelectorAll('[data-testid="doctor"] li[data-testid^="check-"]')) {
      const id = r.dataset.testid.slice(6), s = r.dataset.status;
      if (!(id in m.rows) && s !== 'pending' && s !== 'running') m.rows[id] = [s, Math.round(now - m.startAt)];
    }
    if (d && d.dataset.state === 'done') m.doneAt = now;
  }
  last = now;
  requestAnimationFrame(tick);
};
requestAnimationFrame(tick);
return true;
"#;

/// A black-holed endpoint in the window: rows keep filling in while path.tcp waits, the page keeps
/// painting, path.tcp fails at its timeout within the deadline, and Cancel ends a second run now.
async fn black_hole_in_the_window(s: &Session) -> anyhow::Result<String> {
    s.script(RUN_PROBE).await?;
    s.click("open-doctor").await?;
    let rows = doctor_rows(s, 30).await?;
    // The probe sees the end at its next animation frame, which may come after WebDriver's look.
    let m = poll(s, "return window.__run.doneAt !== null ? window.__run : null", 5).await?;
    let at = |id: &str| m["rows"][id][1].as_f64().unwrap_or(f64::MAX);
    let status = |id: &str| rows.iter().find(|r| r.0 == id).map(|r| r.1.clone()).unwrap_or_default();
    anyhow::ensure!(status("path.tcp") == "fail", "path.tcp fails: {rows:?}");
    let tcp = s.text("detail-path.tcp").await?;
    anyhow::ensure!(tcp.contains("dropped"), "path.tcp names the black hole: {tcp}");
    anyhow::ensure!(status("path.tls") == "skip" && status("path.https") == "skip", "{rows:?}");
    for id in ["path.dns", "path.proxy", "env.claude", "signin.az"] {
        anyhow::ensure!(at(id) < at("path.tcp"), "{id} was shown while path.tcp still waited: {m}");
    }
    let took = m["doneAt"].as_f64().unwrap_or(f64::MAX) - m["startAt"].as_f64().unwrap_or(0.0);
    let deadline = foundry_onboard_core::doctor::DoctorOptions::new(Default::default(), Default::default(), Default::default()).deadline.as_millis() as f64;
    anyhow::ensure!(took <= deadline + 500.0, "the run took {took:.0} ms (deadline {deadline} ms)");
    let gap = m["maxGap"].as_f64().unwrap_or(f64::MAX);
    // A freeze detector, not a frame-time target (that is a bench's): on 2 cores the run's first
    // moments start az (Python) and Node beside WebKit, and the longest gap measured 76–181 ms on
    // an idle machine and once 300 ms in a full CI run; a UI blocked on the run would stall for
    // seconds (path.tcp alone waits 4 s).
    anyhow::ensure!(gap < 500.0, "the window stalled for {gap:.0} ms during the run: [at, gap] {}", m["slow"]);
    let figures = format!(
        "first run {took:.0} ms, path.tcp failed at {:.0} ms, longest frame gap {gap:.0} ms (the frame that opened the tab: {} ms)",
        at("path.tcp"),
        m["openFrame"]
    );

    // Run again, and Cancel while path.tcp waits on the black hole.
    s.click("doctor-run").await?;
    poll(s, "const r = document.querySelector('[data-testid=\"check-path.tcp\"]'); return r && r.dataset.status === 'running' ? true : null", 10).await?;
    s.script("document.querySelector('[data-testid=\"check-path.tcp\"]').scrollIntoView({block: 'center'}); return true").await?;
    tokio::time::sleep(std::time::Duration::from_millis(300)).await;
    if let Ok(png) = s.screenshot().await {
        let _ = std::fs::write(artifacts_dir().join("gui-doctor-blackhole-running.png"), png);
    }
    let t = std::time::Instant::now();
    s.click("doctor-cancel").await?;
    poll(s, "return document.querySelector('[data-testid=\"doctor\"]').dataset.state === 'done' ? true : null", 5).await?;
    let cancelled = t.elapsed();
    anyhow::ensure!(cancelled < std::time::Duration::from_millis(1500), "Cancel ended the run in {cancelled:?}");
    let tcp_now = s.script("return document.querySelector('[data-testid=\"check-path.tcp\"]').dataset.status").await?;
    anyhow::ensure!(tcp_now == "skip", "path.tcp shows as stopped, not failed, after Cancel: {tcp_now}");
    Ok(format!("{figures}; Cancel → done in {} ms (from WebDriver)", cancelled.as_millis()))
}

#[tokio::test]
async fn a_black_hole_neither_freezes_the_window_nor_outlives_the_deadline_and_cancel_stops_it() {
    let home = tempfile::tempdir().unwrap();
    // Dark here (the running state's look); the other Doctor tests cover light.
    let figures = in_app(home.path(), &dark(), &["--sandbox", "--faults", "tcp-blackhole"], "gui-doctor-blackhole", black_hole_in_the_window)
        .await
        .unwrap_or_else(|e| panic!("{e:#}"));
    eprintln!("tcp-blackhole in the window: {figures}");
}
