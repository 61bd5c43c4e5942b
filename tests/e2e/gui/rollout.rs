//! The rollout path in the app (issue #22): started with `--sandbox --policy FILE`, the wizard
//! shows what the org policy decided and asks only what is left. Measured: the clicks from launch
//! to a verified profile and the wall time without the person's approval; a policy with
//! `choose = "newest"` takes the deployments without a question; locked values cannot be changed.

use foundry_onboard_e2e::display::{TauriDriver, Xvfb};
use foundry_onboard_e2e::rollout::{Figures, config_file, poll, with_policy};
use foundry_onboard_e2e::webdriver::Session;
use foundry_onboard_e2e::{artifacts_dir, gui};
use std::path::{Path, PathBuf};
use std::time::Instant;

/// The issue's click goal for the app with a full policy. Its time goal (10 s to verified) is a
/// performance target: `tests/benches/rollout.rs` prints it as a ratio (a timed test would
/// measure the machine's load); this test records the figure and bounds only a hang.
const MAX_CLICKS: u32 = 4;
const HANG_MS: u64 = 90_000;

/// The sample policy with the sandbox's names (the README shows it).
fn sandbox_policy() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("../docs/policy.sandbox.toml")
}

/// A PATH with the real az and Claude Code first (inside the namespace), for the app's children.
fn tools_path() -> std::ffi::OsString {
    let az = foundry_onboard_e2e::real_az().and_then(|p| p.parent().map(Path::to_path_buf));
    let claude = foundry_onboard_e2e::claude_dir();
    std::env::join_paths(az.into_iter().chain(claude).chain(std::env::split_paths(&std::env::var_os("PATH").unwrap_or_default()))).unwrap_or_default()
}

/// Why the tests that sign in with the real az and verify with the real Claude Code cannot run.
fn blocked() -> Option<String> {
    if foundry_onboard_e2e::real_az().is_none() {
        return Some("azure-cli is not installed (scripts/install-test-deps.sh installs it)".into());
    }
    crate::claude::blocked()
}

/// The app (under its own Xvfb and tauri-driver, HOME = a temp dir) started with `args` at a
/// window size; `steps` gets the session and when the app was asked for. A screenshot is kept
/// either way and the window closed.
fn in_app<T>(
    args: &[&str],
    size: Option<(u32, u32)>,
    env: &[(&str, std::ffi::OsString)],
    shot: &str,
    steps: impl AsyncFnOnce(&Session, Instant) -> anyhow::Result<T>,
) -> T {
    let home = tempfile::tempdir().unwrap();
    let mut env: Vec<(&str, std::ffi::OsString)> = env.to_vec();
    env.push(("PATH", tools_path()));
    let xvfb = Xvfb::start();
    let driver = TauriDriver::start_with(&xvfb.display, home.path(), &env);
    let rt = tokio::runtime::Runtime::new().unwrap();
    let result = rt.block_on(async {
        let started = Instant::now();
        let s = Session::start(driver.port, gui().to_str().unwrap(), args).await?;
        if let Some((w, h)) = size {
            s.resize(w, h).await?;
        }
        let r = steps(&s, started).await;
        let name = if r.is_ok() { format!("{shot}.png") } else { format!("{shot}-failure.png") };
        if let Ok(png) = s.screenshot().await {
            let _ = std::fs::write(artifacts_dir().join(&name), png);
        }
        let _ = s.close().await;
        r.map_err(|e| e.context(format!("screenshot {name}")))
    });
    drop(driver);
    drop(xvfb);
    result.unwrap_or_else(|e| panic!("{e:#}"))
}

/// A screenshot into the artifacts once WebKit has painted the last change.
async fn shot(s: &Session, name: &str) {
    tokio::time::sleep(std::time::Duration::from_millis(300)).await;
    if let Ok(png) = s.screenshot().await {
        let _ = std::fs::write(artifacts_dir().join(name), png);
    }
}

/// A policy file in `dir` with `body`.
fn policy(dir: &Path, body: &str) -> PathBuf {
    let p = dir.join("policy.toml");
    std::fs::write(&p, body).unwrap();
    p
}

#[test]
fn a_full_policy_goes_from_launch_to_a_verified_profile_in_four_clicks() {
    if let Some(why) = blocked() {
        assert!(std::env::var_os("CI").is_none(), "CI must run the rollout GUI test: {why}");
        foundry_onboard_e2e::skipped("the rollout GUI test", &why);
        return;
    }
    if foundry_onboard_e2e::reexec_in_netns("gui::rollout::a_full_policy_goes_from_launch_to_a_verified_profile_in_four_clicks") {
        return;
    }
    let policy = sandbox_policy();
    let policy = policy.to_str().unwrap();
    let figures: Figures =
        in_app(&["--sandbox", "--policy", policy], None, &[], "rollout-end", async |s, started| with_policy(s, started, Some("rollout")).await);
    let json = serde_json::to_string_pretty(&figures).unwrap();
    std::fs::write(artifacts_dir().join("rollout-figures.json"), &json).unwrap();
    println!("rollout (app, full policy): {json}");
    assert!(figures.clicks <= MAX_CLICKS, "{} clicks from launch to Done (goal <= {MAX_CLICKS}): {json}", figures.clicks);
    assert!(
        figures.to_verified_ms <= HANG_MS,
        "{} ms from launch to verified without the approval (a hang: more than {HANG_MS} ms): {json}",
        figures.to_verified_ms
    );
}

#[test]
fn choose_newest_takes_the_newest_deployments_without_a_question() {
    if let Some(why) = blocked() {
        assert!(std::env::var_os("CI").is_none(), "CI must run the choose = newest GUI test: {why}");
        foundry_onboard_e2e::skipped("the choose = newest GUI test", &why);
        return;
    }
    if foundry_onboard_e2e::reexec_in_netns("gui::rollout::choose_newest_takes_the_newest_deployments_without_a_question") {
        return;
    }
    let dir = tempfile::tempdir().unwrap();
    let p = policy(dir.path(), "[azure]\nlogin = \"cli\"\n\n[foundry]\nresource = \"sandbox-ai\"\n\n[models]\nchoose = \"newest\"\n");
    in_app(&["--sandbox", "--policy", p.to_str().unwrap()], None, &[], "rollout-newest", async |s, started| {
        let mut w = foundry_onboard_e2e::rollout::Walk::new(s, started, Some("rollout-newest"));
        let config = config_file(s).await?;
        if s.exists("step-welcome").await? && s.displayed("step-welcome").await? {
            w.click("wizard-next").await?;
        }
        w.sign_in(&config).await?;
        if !s.exists("newest").await? {
            w.click("wizard-next").await?;
        }
        // Taken, not asked: no choice of deployment on screen, the newest of each tier saved.
        poll(s, "return document.querySelector('[data-testid=\"newest-taken\"]') ? true : null", 60).await?;
        anyhow::ensure!(!s.exists("tier-sonnet").await? && !s.exists("save-models").await?, "a question was asked");
        let taken = s.text("newest-taken").await?;
        for name in ["claude-sonnet-4-5", "claude-haiku-4-5", "claude-opus-4-6"] {
            anyhow::ensure!(taken.contains(name), "{name} taken: {taken}");
        }
        // Why: the older sonnet was there too, and not taken.
        s.script("document.querySelector('[data-testid=\"newest-why\"]').open = true; return true").await?;
        let why = s.text("newest-why").await?;
        anyhow::ensure!(
            why.contains("claude-sonnet-4 (claude-sonnet-4 20250514)") && why.contains("claude-sonnet-4-5 (claude-sonnet-4-5 20250929) ← taken"),
            "{why}"
        );
        w.shot("taken").await;
        let saved = std::fs::read_to_string(&config)?;
        anyhow::ensure!(saved.contains("sonnet = \"claude-sonnet-4-5\"") && saved.contains("opus = \"claude-opus-4-6\""), "saved to the config: {saved}");
        // Next: the profile writes what was taken.
        w.click("wizard-next").await?;
        poll(s, "return document.querySelector('[data-testid=\"file-bash\"]') ? true : null", 60).await?;
        let diff = s.text("file-bash").await?;
        anyhow::ensure!(diff.contains("ANTHROPIC_DEFAULT_SONNET_MODEL='claude-sonnet-4-5'"), "{diff}");
        Ok(())
    });
}

const LOCKED: &str = r#"locked = ["azure.login", "foundry.resource", "models.sonnet", "models.haiku", "models.opus"]

[azure]
login = "cli"

[foundry]
resource = "sandbox-ai"

[models]
sonnet = "claude-sonnet-4-5"
haiku = "claude-haiku-4-5"
opus = "claude-opus-4-6"
"#;

/// Locked values are shown, not offered: no control for them on any step, the keyboard reaches
/// what is left, and the backend refuses a save that tries anyway. Dark, at 800×600.
#[test]
fn locked_values_cannot_be_changed_in_the_app() {
    let dir = tempfile::tempdir().unwrap();
    let p = policy(dir.path(), LOCKED);
    let dark = [("GTK_THEME", std::ffi::OsString::from("Adwaita:dark"))];
    in_app(&["--sandbox", "--policy", p.to_str().unwrap()], Some((800, 600)), &dark, "rollout-locked", async |s, _| {
        poll(s, "return document.querySelector('[data-testid=\"decided-panel\"]') ? true : null", 30).await?;
        anyhow::ensure!(s.displayed("step-signin").await?, "nothing left to ask: the wizard opens at Sign in");
        for key in ["login", "endpoint", "sonnet", "haiku", "opus"] {
            let locked = s.script(&format!("return document.querySelector('[data-testid=\"decided-{key}\"]')?.dataset.locked ?? null")).await?;
            anyhow::ensure!(locked == "true", "{key} shown as locked: {locked}");
        }
        anyhow::ensure!(s.text("decided-opus").await?.contains("Set by your organisation"), "who decided is said");
        // The one thing left to do is on screen at 800×600 without scrolling, and the keyboard
        // reaches it with a visible focus ring.
        poll(s, "return document.querySelector('[data-testid=\"signin-start\"]') ? true : null", 90).await?;
        let fits = s.script("const b = document.querySelector('[data-testid=\"signin-start\"]').getBoundingClientRect(); const m = document.querySelector('main').getBoundingClientRect(); return b.bottom <= m.bottom && b.top >= m.top").await?;
        anyhow::ensure!(fits == true, "Sign in is below the fold at 800×600");
        let mut reached = false;
        for _ in 0..12 {
            s.keys("\u{E004}").await?; // Tab
            if s.script("return document.activeElement?.dataset.testid ?? null").await? == "signin-start" {
                reached = true;
                break;
            }
        }
        anyhow::ensure!(reached, "Tab reaches Sign in");
        let ring = s.script("return getComputedStyle(document.activeElement).outlineStyle").await?;
        anyhow::ensure!(ring != "none", "focus visible: {ring}");
        shot(s, "rollout-locked-signin.png").await;
        // Resource & models: shown as made, nothing to pick, no gateway to type in.
        s.click("wizard-next").await?;
        anyhow::ensure!(s.displayed("resource-decided").await?, "the decided resource step");
        for id in ["tier-sonnet", "save-models", "account-list", "gateway-option", "gateway-url"] {
            anyhow::ensure!(!s.exists(id).await?, "{id} offered for a locked value");
        }
        shot(s, "rollout-locked-resource.png").await;
        // A save that tries anyway (as a modified page would) is refused by the core, by name.
        let refused = s
            .script(
                "return window.__TAURI_INTERNALS__.invoke('save_models', {choice: {subscriptionId: '5b0f2a8e-1c3d-4e5f-8a9b-0c1d2e3f4a51', resource: 'sandbox-ai', \
                 sonnet: 'claude-sonnet-4', haiku: 'claude-haiku-4-5', opus: 'claude-opus-4-6', reuseConfirmed: false}}).then(() => 'saved', e => JSON.stringify(e))",
            )
            .await?;
        let refused = refused.as_str().unwrap_or_default().to_string();
        anyhow::ensure!(refused.contains("\"kind\":\"policy\"") && refused.contains("models.sonnet"), "the locked sonnet was refused: {refused}");
        let config = config_file(s).await?;
        let saved = std::fs::read_to_string(&config).unwrap_or_default();
        anyhow::ensure!(!saved.contains("claude-sonnet-4\""), "nothing of the refused save reached the config: {saved}");
        Ok(())
    });
}
