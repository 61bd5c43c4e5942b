//! The rollout path walked in the desktop app over WebDriver, clicks counted and time measured:
//! with an org policy that decides everything (sign in, approve on the sandbox's page, write,
//! done) and without one (the wizard as a person walks it, every choice made). Shared by the GUI
//! test (`e2e/gui/rollout.rs`) and the bench (`benches/rollout.rs`), so both measure one walk.

use crate::webdriver::Session;
use anyhow::{Context, Result};
use serde_json::Value;
use std::path::{Path, PathBuf};
use std::time::{Duration, Instant};

/// What one walk took.
#[derive(Debug, Clone, serde::Serialize)]
pub struct Figures {
    /// Clicks from launch to the Done step, the Approve on the sandbox's sign-in page included.
    pub clicks: u32,
    /// Clicks until the profile was verified (Claude Code answered through it).
    pub clicks_to_verified: u32,
    /// From launch (the app asked for) to the profile verified, the person's approval taken out.
    pub to_verified_ms: u64,
    /// The person's part: from the device code shown to Approve pressed on the sandbox's page.
    pub approval_ms: u64,
    /// When each stage was reached, in ms from launch (the approval taken out): where the time goes.
    pub stages: Vec<(String, u64)>,
}

/// A walk in progress: every click goes through it, so none is left uncounted.
pub struct Walk<'a> {
    s: &'a Session,
    started: Instant,
    clicks: u32,
    human: Duration,
    /// Screenshots are kept as `<prefix>-<n>-<name>.png` in the artifacts when set.
    shots: Option<String>,
    shot_n: u32,
    stages: Vec<(String, u64)>,
}

impl<'a> Walk<'a> {
    /// `started`: when the app was asked for (before the WebDriver session was created).
    pub fn new(s: &'a Session, started: Instant, shots: Option<&str>) -> Self {
        Self { s, started, clicks: 0, human: Duration::ZERO, shots: shots.map(String::from), shot_n: 0, stages: Vec::new() }
    }

    pub async fn click(&mut self, testid: &str) -> Result<()> {
        self.s.click(testid).await?;
        self.clicks += 1;
        Ok(())
    }

    /// Keeps a screenshot of what the window shows now (when this walk keeps them).
    pub async fn shot(&mut self, name: &str) {
        let Some(prefix) = &self.shots else { return };
        self.shot_n += 1;
        // Let the last render and focus ring settle.
        tokio::time::sleep(Duration::from_millis(300)).await;
        if let Ok(png) = self.s.screenshot().await {
            let _ = std::fs::write(crate::artifacts_dir().join(format!("{prefix}-{}-{name}.png", self.shot_n)), png);
        }
    }

    /// Launch to now, the person's time taken out.
    fn elapsed(&self) -> Duration {
        self.started.elapsed().saturating_sub(self.human)
    }

    /// Notes that `stage` was reached now.
    pub fn stage(&mut self, stage: &str) {
        let at = self.elapsed().as_millis() as u64;
        self.stages.push((stage.to_string(), at));
    }

    /// Sign in with the real az: "Sign in", then the code approved on the sandbox's page (the
    /// person's click, counted; its time is theirs), then az's tokens and subscriptions.
    pub async fn sign_in(&mut self, config: &Path) -> Result<()> {
        poll(self.s, "return document.querySelector('[data-testid=\"signin-start\"]') ? true : null", 90)
            .await
            .context("the Sign in step asked az who is signed in")?;
        self.stage("az found");
        self.click("signin-start").await?;
        poll(self.s, "return document.querySelector('[data-testid=\"device-code\"]')?.innerText || null", 90).await.context("az printed a device code")?;
        self.stage("device code shown");
        let code = self.s.text("device-code").await?;
        let url = self.s.text("sign-in-url").await?;
        self.shot("code").await;
        let person = Instant::now();
        approve_on_sandbox_page(config, &url, &code).await?;
        self.clicks += 1;
        self.human += person.elapsed();
        // Signed in: who is shown — or, in a zero-decision run, the wizard has already moved on.
        poll(
            self.s,
            "return document.querySelector('[data-testid=\"signed-in-as\"]') || !document.querySelector('[data-testid=\"step-signin\"]') ? true : null",
            90,
        )
        .await
        .context("az signed in")?;
        self.stage("signed in");
        Ok(())
    }

    /// "Write profile", then every shell and the real Claude Code: Ok once verified.
    async fn write_and_verify(&mut self) -> Result<Duration> {
        poll(self.s, "return document.querySelector('[data-testid=\"profile-write\"]') ? true : null", 60).await.context("the profile preview")?;
        self.stage("profile preview");
        self.shot("profile").await;
        self.click("profile-write").await?;
        let state = poll(
            self.s,
            // A zero-decision run moves on to Verify only once the profile is verified.
            "if (document.querySelector('[data-testid=\"step-verify\"]')) return 'verified'; \
             const r = document.querySelector('[data-testid=\"profile-result\"]'); if (!r) return null; \
             const bad = [...r.querySelectorAll('li[data-status=\"fail\"]')].map(l => l.innerText); \
             return r.dataset.state === 'verified' ? 'verified' : bad.length ? 'failed: ' + bad.join(' | ') : (r.querySelector('[data-testid=\"client-check\"]') ? 'checked: ' + r.innerText : null)",
            120,
        )
        .await?;
        let at = self.elapsed();
        self.stage("verified");
        anyhow::ensure!(state == "verified", "the profile was not verified: {state}");
        Ok(at)
    }

    fn figures(&self, clicks_to_verified: u32, to_verified: Duration) -> Figures {
        Figures {
            clicks: self.clicks,
            clicks_to_verified,
            to_verified_ms: to_verified.as_millis() as u64,
            approval_ms: self.human.as_millis() as u64,
            stages: self.stages.clone(),
        }
    }
}

/// The app started with a policy that decides the login, the resource and the three deployments:
/// it opens at Sign in with the decisions shown, moves on by itself after the sign-in and after a
/// verified profile; the person's clicks are Sign in, Approve, Write profile, Done.
pub async fn with_policy(s: &Session, started: Instant, shots: Option<&str>) -> Result<Figures> {
    let mut w = Walk::new(s, started, shots);
    poll(s, "return document.querySelector('[data-testid=\"step-signin\"] [data-testid=\"decided-panel\"]') ? true : null", 30)
        .await
        .context("the wizard opened at Sign in with what was decided")?;
    w.stage("window with the decisions");
    let config = config_file(s).await?;
    poll(s, "return document.querySelector('[data-testid=\"signin-start\"]') ? true : null", 90).await?;
    w.shot("decided").await;
    w.sign_in(&config).await?;
    poll(s, "return document.querySelector('[data-testid=\"step-profile\"]') ? true : null", 30).await.context("the wizard moved on to Profile by itself")?;
    // The approval asked for is on screen without scrolling.
    poll(s, "return document.querySelector('[data-testid=\"profile-write\"]') ? true : null", 60).await?;
    let fits = s.script("const b = document.querySelector('[data-testid=\"profile-write\"]').getBoundingClientRect(); const m = document.querySelector('main').getBoundingClientRect(); return b.bottom <= m.bottom && b.top >= m.top").await?;
    anyhow::ensure!(fits == true, "Write profile is below the fold");
    let verified = w.write_and_verify().await?;
    let clicks_to_verified = w.clicks;
    poll(s, "return document.querySelector('[data-testid=\"step-verify\"]') ? true : null", 30).await.context("the wizard moved on to Verify by itself")?;
    // The doctor runs on Verify (the real Claude Code again): its end is kept, not timed.
    poll(s, "return document.querySelector('[data-testid=\"doctor\"]')?.dataset.state === 'done' ? true : null", 120).await.context("the doctor finished")?;
    w.stage("doctor done");
    s.script("document.querySelector('[data-testid=\"doctor-summary\"]')?.scrollIntoView({block: 'start'}); return true").await?;
    w.shot("verified").await;
    w.click("wizard-next").await?;
    anyhow::ensure!(s.displayed("step-done").await?, "the Done step");
    w.shot("done").await;
    Ok(w.figures(clicks_to_verified, verified))
}

/// The app without a policy, walked as a person does: Next, sign in, approve, Next, the resource
/// picked and its proposals saved, Next, write, then Next to Verify and Next to Done.
pub async fn without_policy(s: &Session, started: Instant, shots: Option<&str>) -> Result<Figures> {
    let mut w = Walk::new(s, started, shots);
    poll(s, "return document.querySelector('[data-testid=\"step-welcome\"]') ? true : null", 30).await?;
    let config = config_file(s).await?;
    w.click("wizard-next").await?;
    w.sign_in(&config).await?;
    w.click("wizard-next").await?;
    poll(s, "return document.querySelector('[data-testid=\"account-sandbox-ai\"]:not([disabled])') ? true : null", 60).await?;
    w.click("account-sandbox-ai").await?;
    poll(s, "return document.querySelector('[data-testid=\"save-models\"]') ? true : null", 60).await?;
    w.click("save-models").await?;
    poll(s, "return document.querySelector('[data-testid=\"models-saved\"]') ? true : null", 30).await?;
    w.click("wizard-next").await?;
    let verified = w.write_and_verify().await?;
    let clicks_to_verified = w.clicks;
    w.click("wizard-next").await?;
    w.click("wizard-next").await?;
    anyhow::ensure!(s.displayed("step-done").await?, "the Done step");
    Ok(w.figures(clicks_to_verified, verified))
}

/// The config file the app runs with, from its status line.
pub async fn config_file(s: &Session) -> Result<PathBuf> {
    let v = poll(s, "return document.querySelector('[data-testid=\"config-file\"]')?.title || null", 30).await?;
    Ok(PathBuf::from(v.as_str().unwrap_or_default()))
}

/// The person types `code` on the sandbox's sign-in page at `url` and presses Approve (reached
/// with the CA of the sandbox config at `config`).
pub async fn approve_on_sandbox_page(config: &Path, url: &str, code: &str) -> Result<()> {
    let loaded = foundry_onboard_core::config::load(
        &foundry_onboard_core::config::ConfigLocation::Flag(config.to_path_buf()),
        foundry_onboard_core::config::policy::Policy::default(),
    )?;
    let net = foundry_onboard_core::net::Network::new(&loaded.config, foundry_onboard_core::net::Timeouts::from_total_ms(5000))?;
    let rb = net.http.request(reqwest::Method::POST, url)?.header("content-type", "application/x-www-form-urlencoded").body(format!("code={code}"));
    let resp = net.http.send(rb).await?;
    anyhow::ensure!(resp.status() == 200, "approve: {}", resp.status());
    Ok(())
}

/// Polls a script until it returns something other than null, for up to `secs`.
pub async fn poll(s: &Session, script: &str, secs: u64) -> Result<Value> {
    let start = Instant::now();
    loop {
        let v = s.script(script).await?;
        if !v.is_null() {
            return Ok(v);
        }
        anyhow::ensure!(start.elapsed() < Duration::from_secs(secs), "nothing after {secs} s: {script}");
        tokio::time::sleep(Duration::from_millis(50)).await;
    }
}
