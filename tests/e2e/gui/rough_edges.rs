//! The wizard's rough edges (issue #23), in the real window: each one measured in the page (text
//! or geometry) and photographed in light and dark, at 800×600 and at the default 960×680.
//! The pictures go to `$ROUGH_EDGES_SHOTS` (else the artifacts directory) as
//! `<edge>-<$ROUGH_EDGES_TAG or "after">-<theme>-<size>.png`, for a person to compare
//! (`ROUGH_EDGES_THEME=light|dark` runs one theme only).

use foundry_onboard_e2e::display::{TauriDriver, Xvfb};
use foundry_onboard_e2e::webdriver::Session;
use foundry_onboard_e2e::{artifacts_dir, gui};

const SIZES: [(u32, u32); 2] = [(800, 600), (960, 680)];

/// Where the pictures go and what they are called.
struct Shots {
    dir: std::path::PathBuf,
    tag: String,
    theme: &'static str,
}

impl Shots {
    fn new(theme: &'static str) -> Self {
        let dir = std::env::var_os("ROUGH_EDGES_SHOTS").map(std::path::PathBuf::from).unwrap_or_else(artifacts_dir);
        let _ = std::fs::create_dir_all(&dir);
        Self { dir, tag: std::env::var("ROUGH_EDGES_TAG").unwrap_or_else(|_| "after".into()), theme }
    }

    /// Photographs `testid` at each size (scrolled into view), then goes back to the default size.
    async fn take(&self, s: &Session, edge: &str, testid: &str) -> anyhow::Result<()> {
        for (w, h) in SIZES {
            s.resize(w, h).await?;
            tokio::time::sleep(std::time::Duration::from_millis(400)).await;
            // Only the main area scrolls (the app is a fixed shell): bring the element to its top.
            s.script(&format!(
                "const m = document.querySelector('.app-main'); const e = document.querySelector('[data-testid=\"{testid}\"]'); \
                 if (m && e) m.scrollTop += e.getBoundingClientRect().top - m.getBoundingClientRect().top - 12; \
                 document.scrollingElement.scrollTop = 0; return true"
            ))
            .await?;
            tokio::time::sleep(std::time::Duration::from_millis(200)).await;
            let png = s.screenshot().await?;
            std::fs::write(self.dir.join(format!("{edge}-{}-{}-{w}x{h}.png", self.tag, self.theme)), png)?;
        }
        let (w, h) = SIZES[1];
        s.resize(w, h).await?;
        Ok(())
    }
}

/// What was found wrong; the walk goes on past each, so every edge is photographed.
type Wrong = Vec<String>;

fn note(wrong: &mut Wrong, r: anyhow::Result<()>) {
    if let Err(e) = r {
        wrong.push(format!("{e:#}"));
    }
}

/// Runs `check` (a script returning null when all is well, else what is wrong) at each size.
async fn holds_at_each_size(s: &Session, what: &str, check: &str) -> anyhow::Result<()> {
    for (w, h) in SIZES {
        s.resize(w, h).await?;
        tokio::time::sleep(std::time::Duration::from_millis(400)).await;
        let v = s.script(check).await?;
        anyhow::ensure!(v.is_null(), "{what} at {w}×{h}: {v}");
    }
    Ok(())
}

/// Every line box of `text` (an element) starts right of `mark`: nothing wraps back under it.
const BESIDE: &str = r#"
const beside = (mark, text) => {
  const r = document.createRange(); r.selectNodeContents(text);
  const right = mark.getBoundingClientRect().right;
  const lefts = [...r.getClientRects()].filter((b) => b.width > 0).map((b) => Math.round(b.left));
  return lefts.every((l) => l >= right) ? null : `starts at ${lefts} left of ${Math.round(right)}`;
};"#;

/// The first line of `value` is on the line of `label` (a path is not pushed onto a line of its own).
const SAME_LINE: &str = r#"
const sameLine = (label, value) => {
  const r = document.createRange(); r.selectNodeContents(value);
  const first = [...r.getClientRects()].find((b) => b.width > 0);
  const l = label.getBoundingClientRect();
  return first && first.top < l.bottom && first.bottom > l.top ? null : `${value.textContent} at ${first?.top} below ${l.top}`;
};"#;

/// Sign in: the device code, "Open the sign-in page" saying what happened, then the page approved
/// (as a person would, with the code typed there) and only "Signed in as" left.
async fn sign_in(s: &Session, config: &std::path::Path, shots: &Shots, wrong: &mut Wrong) -> anyhow::Result<()> {
    s.click("signin-start").await?;
    // The real az takes its time (a Python start, a loaded machine) before it prints the code.
    super::poll(s, "return document.querySelector('[data-testid=\"device-code\"]')?.innerText || null", 90).await?;
    let code = s.text("device-code").await?;
    let url = s.text("sign-in-url").await?;
    s.click("open-sign-in-page").await?;
    // Whatever happened (no browser here: no xdg-open, no network), the step says so.
    let said =
        super::poll(s, "return document.querySelector('[data-testid=\"open-sign-in-failed\"], [data-testid=\"open-sign-in-opened\"]')?.innerText ?? null", 10)
            .await;
    note(
        wrong,
        said.and_then(|said| {
            anyhow::ensure!(said.as_str().is_some_and(|t| t.contains(&url)), "the sign-in page's address to copy: {said}");
            Ok(())
        }),
    );
    shots.take(s, "signin-open", "device-code").await?;
    super::approve_on_sandbox_page(config, &url, &code).await?;
    super::poll(s, "return document.querySelector('[data-testid=\"signed-in-as\"]') ? true : null", 90).await?;
    let who = s.text("signed-in-as").await?;
    anyhow::ensure!(who.contains(foundry_onboard_sandbox::USER), "{who}");
    let step = s.text("step-signin").await?;
    if step.contains("not signed in") {
        wrong.push(format!("still says not signed in: {step}"));
    }
    shots.take(s, "signin", "step-signin").await?;
    Ok(())
}

async fn resource(s: &Session, shots: &Shots, wrong: &mut Wrong) -> anyhow::Result<()> {
    s.find("account-sandbox-ai").await?;
    s.find("account-note-sandbox-openai").await?;
    let check = format!(
        "{BESIDE} for (const row of document.querySelectorAll('.account')) {{ const radio = row.querySelector('input[type=radio]'); const text = row.querySelector('.account-text'); if (!text) return 'no .account-text beside the radio: ' + row.innerText; const why = beside(radio, text); if (why) return row.innerText + ': ' + why; }} return null"
    );
    note(wrong, holds_at_each_size(s, "a resource line wraps back under its radio", &check).await);
    s.click("account-sandbox-ai").await?;
    s.find("tier-opus").await?;
    shots.take(s, "resource", "step-resource").await?;
    s.click("save-models").await?;
    s.find("models-saved").await?;
    Ok(())
}

async fn profile(s: &Session, shots: &Shots, wrong: &mut Wrong) -> anyhow::Result<()> {
    s.find("file-fish").await?;
    let preview = format!(
        "{SAME_LINE} for (const sum of document.querySelectorAll('.file-change summary')) {{ const why = sameLine(sum.querySelector('strong'), sum.querySelector('code')); if (why) return why; }} return null"
    );
    note(wrong, holds_at_each_size(s, "a path of the preview is on a line of its own", &preview).await);
    shots.take(s, "profile", "profile-files").await?;
    s.click("profile-write").await?;
    for shell in ["bash", "zsh", "fish"] {
        super::poll(s, &format!("return document.querySelector('[data-testid=\"shell-check-{shell}\"]')?.dataset.status ?? null"), 60).await?;
    }
    let written = format!(
        "{SAME_LINE} for (const row of document.querySelectorAll('[data-testid=\"profile-result\"] .check')) {{ const detail = row.querySelector('.check-detail'); if (!detail) return 'no .check-detail in ' + row.innerText; const why = sameLine(row.querySelector('strong'), detail); if (why) return why; }} return null"
    );
    note(wrong, holds_at_each_size(s, "a written file's path is on a line of its own", &written).await);
    shots.take(s, "profile-written", "profile-result").await?;
    Ok(())
}

async fn doctor(s: &Session, shots: &Shots, wrong: &mut Wrong) -> anyhow::Result<()> {
    s.click("tab-doctor").await?;
    super::doctor_rows(s, 120).await?;
    // The grey header starts right under the card's top border: no white strip above it.
    let check = "for (const sec of document.querySelectorAll('[data-testid=\"panel-doctor\"] .dsection')) { const head = sec.querySelector('.dsection-head'); const gap = head.getBoundingClientRect().top - sec.getBoundingClientRect().top; if (gap > 1.5) return head.innerText + ': ' + gap + 'px above the header'; } return null";
    note(wrong, holds_at_each_size(s, "a strip above a doctor section's header", check).await);
    shots.take(s, "doctor", "panel-doctor").await?;
    Ok(())
}

async fn settings(s: &Session, shots: &Shots, wrong: &mut Wrong) -> anyhow::Result<()> {
    s.click("tab-settings").await?;
    s.find("config-toml").await?;
    let notices = s.script("return document.querySelector('[data-testid=\"config-notices\"]')?.innerText ?? ''").await?;
    if !notices.as_str().is_some_and(|n| n.contains("not applied")) {
        wrong.push(format!("the ignored org policy is no notice in Settings: {notices}"));
    }
    shots.take(s, "settings", "locked-keys").await?;
    Ok(())
}

/// Next, and waits for the step `to` to be there (each step renders anew).
async fn next_to(s: &Session, to: &str) -> anyhow::Result<()> {
    s.click("wizard-next").await?;
    super::poll(s, &format!("return document.querySelector('[data-testid=\"step-{to}\"]') ? true : null"), 20).await?;
    Ok(())
}

async fn walk(s: &Session, config: &std::path::Path, shots: &Shots) -> anyhow::Result<()> {
    let mut wrong = Wrong::new();
    s.resize(SIZES[1].0, SIZES[1].1).await?;
    next_to(s, "signin").await?;
    sign_in(s, config, shots, &mut wrong).await?;
    next_to(s, "resource").await?;
    resource(s, shots, &mut wrong).await?;
    next_to(s, "profile").await?;
    profile(s, shots, &mut wrong).await?;
    next_to(s, "verify").await?;
    next_to(s, "done").await?;
    s.click("wizard-finish").await?;
    doctor(s, shots, &mut wrong).await?;
    settings(s, shots, &mut wrong).await?;
    anyhow::ensure!(wrong.is_empty(), "{} rough edges left:\n{}", wrong.len(), wrong.join("\n"));
    Ok(())
}

/// The whole walk in one theme: its own sandbox, home, display and app.
fn in_theme(theme: &'static str) -> anyhow::Result<()> {
    let az_dir = foundry_onboard_e2e::real_az().and_then(|p| p.parent().map(std::path::Path::to_path_buf)).expect("azure-cli for the sign-in step");
    let path = std::env::join_paths(std::iter::once(az_dir).chain(std::env::split_paths(&std::env::var_os("PATH").unwrap_or_default()))).unwrap();
    let home = tempfile::tempdir().unwrap();
    // An org policy that the sandbox config does not inherit: the Settings tab must say so.
    std::fs::write(home.path().join("no-policy.toml"), "locked = [\"foundry.resource\"]\n[foundry]\nresource = \"contoso-ai\"\n").unwrap();
    let sb = foundry_onboard_e2e::SandboxProcess::start(&[]);
    let xvfb = Xvfb::start();
    let mut env = vec![("PATH", path)];
    if theme == "dark" {
        env.push(("GTK_THEME", "Adwaita:dark".into()));
    }
    let driver = TauriDriver::start_with(&xvfb.display, home.path(), &env);
    let shots = Shots::new(theme);
    let app = gui();
    let config = sb.config.display().to_string();
    let rt = tokio::runtime::Runtime::new().unwrap();
    rt.block_on(async {
        let s = Session::start(driver.port, app.to_str().unwrap(), &["--config", &config]).await?;
        let r = walk(&s, &sb.config, &shots).await;
        if r.is_err()
            && let Ok(png) = s.screenshot().await
        {
            let _ = std::fs::write(artifacts_dir().join(format!("gui-rough-edges-failure-{theme}.png")), png);
        }
        let _ = s.close().await;
        r
    })
}

/// The real az signs in, so this runs inside a loopback-only namespace (it re-runs itself there).
#[test]
fn rough_edges_of_the_wizard_are_gone_in_light_and_dark() {
    if foundry_onboard_e2e::real_az().is_none() {
        assert!(std::env::var_os("CI").is_none(), "CI must run the rough-edges GUI test: the real az is missing");
        eprintln!("SKIPPED the rough-edges GUI test: the real az is not installed (scripts/install-test-deps.sh installs it)");
        return;
    }
    if foundry_onboard_e2e::reexec_in_netns("gui::rough_edges::rough_edges_of_the_wizard_are_gone_in_light_and_dark") {
        return;
    }
    // Both themes run (and are photographed) whatever the first found.
    let only = std::env::var("ROUGH_EDGES_THEME").ok();
    let failed: Vec<String> = ["light", "dark"]
        .into_iter()
        .filter(|t| only.as_deref().is_none_or(|o| o == *t))
        .filter_map(|theme| in_theme(theme).err().map(|e| format!("{theme}: {e:#} (screenshot gui-rough-edges-failure-{theme}.png)")))
        .collect();
    assert!(failed.is_empty(), "{}", failed.join("\n"));
}
