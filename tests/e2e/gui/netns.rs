//! The wizard with the clients we did not write, inside a loopback-only network namespace: the
//! real az signs in, the real Claude Code turns the Profile step's client check green, and the
//! Verify step's doctor passes every row.

use super::{doctor_rows, sign_in};
use foundry_onboard_e2e::display::{TauriDriver, Xvfb};
use foundry_onboard_e2e::keyring::KeyringSession;
use foundry_onboard_e2e::webdriver::Session;
use foundry_onboard_e2e::{artifacts_dir, gui};

/// The Profile step's real-client check turning green needs the real `claude`, which only ever
/// runs inside a loopback-only network namespace: this test re-runs itself under `unshare -n -m`.
#[test]
fn profile_step_real_client_goes_green_in_a_loopback_namespace() {
    if let Some(why) = crate::claude::blocked() {
        assert!(std::env::var_os("CI").is_none(), "CI must run the real-client GUI test: {why}");
        foundry_onboard_e2e::skipped("the GUI real-client check", &why);
        return;
    }
    if foundry_onboard_e2e::reexec_in_netns("gui::netns::profile_step_real_client_goes_green_in_a_loopback_namespace") {
        return;
    }
    inside_the_namespace();
}

/// The Sign in step with the real az (device code approved on the sandbox's page, as a person
/// would), then the Resource & models step: the proposed tiers saved to the config.
async fn sign_in_and_choose(s: &Session, authority: &str, config: &std::path::Path) -> anyhow::Result<()> {
    let url = sign_in(s, config, Some("gui-signin-code.png")).await?;
    anyhow::ensure!(url == format!("{authority}/device"), "the sandbox's sign-in page: {url}");
    s.click("wizard-next").await?;
    // Resource & models: the accounts come first, their deployments after; once listed, the
    // account without Claude is greyed and the proposals are the newest.
    s.find("account-sandbox-ai").await?;
    s.find("account-note-sandbox-openai").await?;
    let disabled = s.script("return document.querySelector('[data-testid=\"account-sandbox-openai\"]').disabled").await?;
    anyhow::ensure!(disabled == true, "sandbox-openai greyed");
    s.click("account-sandbox-ai").await?;
    s.find("tier-opus").await?;
    let opus = s.script("return document.querySelector('[data-testid=\"tier-opus\"]').value").await?;
    anyhow::ensure!(opus == "claude-opus-4-6", "{opus}");
    s.click("save-models").await?;
    s.find("models-saved").await?;
    if let Ok(png) = s.screenshot().await {
        let _ = std::fs::write(artifacts_dir().join("gui-resource.png"), png);
    }
    let saved = std::fs::read_to_string(config)?;
    anyhow::ensure!(saved.contains("subscription = \"5b0f2a8e-1c3d-4e5f-8a9b-0c1d2e3f4a51\""), "choice saved: {saved}");
    Ok(())
}

fn inside_the_namespace() {
    let claude = crate::claude::claude_dir().unwrap();
    let az_dir = foundry_onboard_e2e::real_az().and_then(|p| p.parent().map(std::path::Path::to_path_buf)).expect("azure-cli for the sign-in steps");
    let path = std::env::join_paths([claude, az_dir].into_iter().chain(std::env::split_paths(&std::env::var_os("PATH").unwrap_or_default()))).unwrap();
    let home = tempfile::tempdir().unwrap();
    let bus = KeyringSession::start();
    // A sandbox in API-key mode (Entra needs the sign-in issue's az), its key in the keyring.
    let mut sb = foundry_onboard_e2e::SandboxProcess::start(&[]);
    let cfg = std::fs::read_to_string(&sb.config).unwrap().replace("login = \"cli\"", "login = \"api-key\"");
    std::fs::write(&sb.config, cfg).unwrap();
    let key = std::fs::read(std::path::Path::new(&sb.endpoint("home")).parent().unwrap().join("foundry-api-key")).unwrap();
    let mut set = foundry_onboard_e2e::cli_command(home.path());
    set.env("DBUS_SESSION_BUS_ADDRESS", &bus.address)
        .arg("--config")
        .arg(&sb.config)
        .args(["secret", "set", "foundry-api-key"])
        .stdin(std::process::Stdio::piped());
    let mut child = set.spawn().unwrap();
    use std::io::Write;
    child.stdin.take().unwrap().write_all(&key).unwrap();
    assert!(child.wait().unwrap().success(), "secret set");
    let xvfb = Xvfb::start();
    let driver = TauriDriver::start_with(&xvfb.display, home.path(), &[("PATH", path), ("DBUS_SESSION_BUS_ADDRESS", bus.address.clone().into())]);
    let rt = tokio::runtime::Runtime::new().unwrap();
    let app = gui();
    let config = sb.config.display().to_string();
    let config_path = sb.config.clone();
    let authority = sb.endpoint("authorityUrl");
    let result: anyhow::Result<()> = rt.block_on(async {
        let s = Session::start(driver.port, app.to_str().unwrap(), &["--config", &config]).await?;
        let r = async {
            anyhow::ensure!(s.displayed("sandbox-badge").await?, "a sandbox config shows the badge");
            s.click("wizard-next").await?;
            sign_in_and_choose(&s, &authority, &config_path).await?;
            s.click("wizard-next").await?;
            anyhow::ensure!(s.displayed("step-profile").await?);
            s.find("file-bash").await?;
            s.click("profile-write").await?;
            let start = std::time::Instant::now();
            loop {
                let status = s.script("return document.querySelector('[data-testid=\"client-check\"]')?.dataset.status ?? null").await?;
                match status.as_str() {
                    Some("pass") => break,
                    Some(other) => anyhow::bail!("client check {other}: {}", s.text("client-check").await?),
                    None if start.elapsed() > std::time::Duration::from_secs(120) => anyhow::bail!("no client check result"),
                    None => tokio::time::sleep(std::time::Duration::from_millis(200)).await,
                }
            }
            s.script("document.querySelector('[data-testid=\"client-check\"]').scrollIntoView({block: 'center'})").await?;
            tokio::time::sleep(std::time::Duration::from_millis(300)).await;
            if let Ok(png) = s.screenshot().await {
                let _ = std::fs::write(artifacts_dir().join("gui-profile-client.png"), png);
            }
            verify_all_green(&s).await
        }
        .await;
        if r.is_err()
            && let Ok(png) = s.screenshot().await
        {
            let _ = std::fs::write(artifacts_dir().join("gui-netns-failure.png"), png);
        }
        let _ = s.close().await;
        r
    });
    drop(driver);
    drop(xvfb);
    sb.stop_with("-TERM");
    drop(bus);
    result.unwrap();
}

/// The Verify step runs the doctor, the real Claude Code included, on entry: every row passes.
async fn verify_all_green(s: &Session) -> anyhow::Result<()> {
    s.click("wizard-next").await?;
    anyhow::ensure!(s.displayed("step-verify").await?, "Verify step shown");
    let rows = doctor_rows(s, 90).await?;
    anyhow::ensure!(rows.iter().any(|r| r.0 == "claude.live"), "claude.live ran: {rows:?}");
    anyhow::ensure!(rows.len() >= 12, "every check ran: {rows:?}");
    let bad: Vec<_> = rows.iter().filter(|r| r.1 != "pass").collect();
    anyhow::ensure!(bad.is_empty(), "not all green: {bad:#?}");
    anyhow::ensure!(s.text("doctor-summary").await?.contains("All checks passed"), "summary");
    s.script("document.querySelector('[data-testid=\"doctor-summary\"]').scrollIntoView({block: 'start'}); return true").await?;
    tokio::time::sleep(std::time::Duration::from_millis(300)).await;
    if let Ok(png) = s.screenshot().await {
        let _ = std::fs::write(artifacts_dir().join("gui-verify.png"), png);
    }
    s.script("document.querySelector('[data-testid=\"doctor-sections\"]').lastElementChild.scrollIntoView({block: 'end'}); return true").await?;
    tokio::time::sleep(std::time::Duration::from_millis(300)).await;
    if let Ok(png) = s.screenshot().await {
        let _ = std::fs::write(artifacts_dir().join("gui-verify-end.png"), png);
    }
    Ok(())
}
