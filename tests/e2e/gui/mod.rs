//! The desktop app, for real: WebKitGTK under Xvfb, driven over WebDriver by `data-testid`.
//! A failure leaves a screenshot in the artifacts directory. This file holds what the steps
//! share (the sign-in by the sandbox's page, polling the page, the doctor panel's rows); the
//! tests are grouped by what they drive.

mod alerts;
mod doctor;
mod engine;
mod faces;
mod netns;
mod rollout;
mod rough_edges;
mod scale;
mod signals;
mod usage;
mod wizard;

use foundry_onboard_e2e::artifacts_dir;
use foundry_onboard_e2e::webdriver::Session;

/// The Sign in step with the real az: the device code shown, then typed on the sandbox's sign-in
/// page (the page az named, reached with the CA of `config`) and approved, as a person would.
/// Returns that page's address.
async fn sign_in(s: &Session, config: &std::path::Path, screenshot: Option<&str>) -> anyhow::Result<String> {
    anyhow::ensure!(s.text("az-version").await?.contains("2.91"), "az found");
    s.click("signin-start").await?;
    // The real az takes its time before it prints the code (a Python start; seconds on a loaded
    // machine), so the wait is az's, not the page's.
    if let Err(e) = poll(s, "return document.querySelector('[data-testid=\"device-code\"]')?.innerText || null", 90).await {
        // What az printed says why no code came (its log is in a closed <details>).
        let log = s.script("return document.querySelector('[data-testid=\"az-log\"]')?.textContent ?? null").await.unwrap_or_default();
        return Err(e.context(format!("what az printed: {log}")));
    }
    let code = s.text("device-code").await?;
    anyhow::ensure!(!code.is_empty(), "device code shown");
    let url = s.text("sign-in-url").await?;
    anyhow::ensure!(url.ends_with("/device"), "{url}");
    if let Some(name) = screenshot
        && let Ok(png) = s.screenshot().await
    {
        let _ = std::fs::write(artifacts_dir().join(name), png);
    }
    approve_on_sandbox_page(config, &url, &code).await?;
    // az then fetches its tokens and subscriptions: its time again, not the page's.
    poll(s, "return document.querySelector('[data-testid=\"signed-in-as\"]') ? true : null", 90).await?;
    let who = s.text("signed-in-as").await?;
    anyhow::ensure!(who.contains(foundry_onboard_sandbox::USER), "{who}");
    Ok(url)
}

/// The person types `code` on the sandbox's sign-in page at `url` and presses Approve (reached
/// with the CA of the sandbox config at `config`).
async fn approve_on_sandbox_page(config: &std::path::Path, url: &str, code: &str) -> anyhow::Result<()> {
    foundry_onboard_e2e::rollout::approve_on_sandbox_page(config, url, code).await
}

/// The app under its own Xvfb and tauri-driver (HOME = `home`, `env` added), started with `args`
/// and driven by `steps`; a screenshot is kept either way (`<shot>.png`, or `<shot>-failure.png`)
/// and the window is closed, whatever happened.
async fn in_app<T>(
    home: &std::path::Path,
    env: &[(&str, std::ffi::OsString)],
    args: &[&str],
    shot: &str,
    steps: impl AsyncFnOnce(&Session) -> anyhow::Result<T>,
) -> anyhow::Result<T> {
    let xvfb = foundry_onboard_e2e::display::Xvfb::start();
    let driver = foundry_onboard_e2e::display::TauriDriver::start_with(&xvfb.display, home, env);
    let session = Session::start(driver.port, foundry_onboard_e2e::gui().to_str().unwrap(), args).await?;
    let result = steps(&session).await;
    let name = if result.is_ok() { format!("{shot}.png") } else { format!("{shot}-failure.png") };
    if let Ok(png) = session.screenshot().await {
        let _ = std::fs::write(artifacts_dir().join(&name), png);
    }
    let _ = session.close().await;
    drop(driver);
    drop(xvfb);
    result.map_err(|e| e.context(format!("screenshot {name}")))
}

/// GTK's dark variant, which sets prefers-color-scheme in WebKitGTK.
fn dark() -> Vec<(&'static str, std::ffi::OsString)> {
    vec![("GTK_THEME", std::ffi::OsString::from("Adwaita:dark"))]
}

/// Polls a script until it returns something other than null, for up to `secs`.
async fn poll(s: &Session, script: &str, secs: u64) -> anyhow::Result<serde_json::Value> {
    let start = std::time::Instant::now();
    loop {
        let v = s.script(script).await?;
        if !v.is_null() {
            return Ok(v);
        }
        anyhow::ensure!(start.elapsed() < std::time::Duration::from_secs(secs), "nothing after {secs} s: {script}");
        tokio::time::sleep(std::time::Duration::from_millis(100)).await;
    }
}

/// Waits for the doctor panel's run to end; returns every row as [id, status, detail].
async fn doctor_rows(s: &Session, secs: u64) -> anyhow::Result<Vec<(String, String, String)>> {
    poll(s, "return document.querySelector('[data-testid=\"doctor\"]')?.dataset.state === 'done' ? true : null", secs).await?;
    let rows = s.script("return [...document.querySelectorAll('[data-testid=\"doctor\"] li[data-testid^=\"check-\"]')].map(r => [r.dataset.testid.slice(6), r.dataset.status, r.innerText])").await?;
    let rows: Vec<(String, String, String)> = serde_json::from_value(rows)?;
    Ok(rows)
}
