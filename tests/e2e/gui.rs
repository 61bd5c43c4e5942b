//! The desktop app, for real: WebKitGTK under Xvfb, driven over WebDriver by `data-testid`.
//! A failure leaves a screenshot in the artifacts directory.

use foundry_onboard_e2e::display::{TauriDriver, Xvfb};
use foundry_onboard_e2e::webdriver::Session;
use foundry_onboard_e2e::{artifacts_dir, gui};

/// Walks the app; returns the sandbox's ARM port read from the Settings tab.
/// The Profile step: the diff is shown before writing, then every shell turns green.
async fn profile_step(s: &Session) -> anyhow::Result<()> {
    anyhow::ensure!(s.text("profile-sandbox-home").await?.contains("Sandbox mode"), "sandbox home named");
    let diff = s.text("file-bash").await?;
    anyhow::ensure!(diff.contains("export CLAUDE_CODE_USE_FOUNDRY='1'"), "bash diff previewed: {diff}");
    s.click("profile-write").await?;
    for shell in ["bash", "zsh", "fish"] {
        let id = format!("shell-check-{shell}");
        let start = std::time::Instant::now();
        loop {
            let status = s.script(&format!("return document.querySelector('[data-testid=\"{id}\"]')?.dataset.status ?? null")).await?;
            match status.as_str() {
                Some("pass") => break,
                Some(other) => anyhow::bail!("{shell}: {other}: {}", s.text(&id).await?),
                None if start.elapsed() > std::time::Duration::from_secs(30) => anyhow::bail!("{shell}: no result"),
                None => tokio::time::sleep(std::time::Duration::from_millis(100)).await,
            }
        }
    }
    // The app is a fixed shell: however long the step, only the main area scrolls.
    let sizes = s.script("document.querySelector('[data-testid=\"profile-result\"]').scrollIntoView({block: 'center'}); return [document.documentElement.scrollHeight, window.innerHeight]").await?;
    anyhow::ensure!(sizes[0] == sizes[1], "the page itself scrolls: {sizes}");
    tokio::time::sleep(std::time::Duration::from_millis(300)).await;
    if let Ok(png) = s.screenshot().await {
        let _ = std::fs::write(artifacts_dir().join("gui-profile.png"), png);
    }
    Ok(())
}

async fn walk(s: &Session) -> anyhow::Result<u16> {
    anyhow::ensure!(s.title().await? == "Foundry Onboard", "window title");
    // The sandbox badge is on the status line.
    anyhow::ensure!(s.displayed("sandbox-badge").await?, "sandbox badge visible");
    anyhow::ensure!(s.text("sandbox-badge").await?.contains("Sandbox"));
    anyhow::ensure!(s.text("app-version").await?.contains(env!("CARGO_PKG_VERSION")));
    // Walk the wizard forward: Welcome → Sign in → Resource & models → Profile → Verify → Done.
    let steps = ["welcome", "signin", "resource", "profile", "verify", "done"];
    for (i, step) in steps.iter().enumerate() {
        anyhow::ensure!(s.displayed(&format!("step-{step}")).await?, "step {step} shown");
        if *step == "profile" {
            profile_step(s).await?;
        }
        if i + 1 < steps.len() {
            s.click("wizard-next").await?;
        }
    }
    // …and one step back, then forward again.
    s.click("wizard-back").await?;
    anyhow::ensure!(s.displayed("step-verify").await?, "back to verify");
    s.click("wizard-next").await?;
    s.click("wizard-finish").await?;
    // Home: tabs by keyboard, Settings shows the sandbox config.
    s.click("tab-usage").await?;
    anyhow::ensure!(s.displayed("panel-usage").await?);
    s.keys("\u{E014}").await?; // ArrowRight → Doctor
    anyhow::ensure!(s.script("return document.activeElement.dataset.testid").await?.as_str() == Some("tab-doctor"), "ArrowRight moved focus");
    s.click("tab-settings").await?;
    let toml = s.text("config-toml").await?;
    anyhow::ensure!(toml.contains("[sandbox]") && toml.contains("dns_servers"), "settings shows the sandbox config: {toml}");
    // The page never talks to the network itself: with the CSP in force, a fetch from the page
    // to a listening loopback port never arrives.
    let listener = std::net::TcpListener::bind("127.0.0.1:0")?;
    listener.set_nonblocking(true)?;
    let port = listener.local_addr()?.port();
    s.script(&format!("fetch('http://127.0.0.1:{port}/leak').catch(() => {{}}); new Image().src = 'http://127.0.0.1:{port}/img.png'; return true;")).await?;
    let deadline = std::time::Instant::now() + std::time::Duration::from_millis(1500);
    while std::time::Instant::now() < deadline {
        anyhow::ensure!(listener.accept().is_err(), "the webview connected to 127.0.0.1:{port}: CSP not applied");
        tokio::time::sleep(std::time::Duration::from_millis(50)).await;
    }
    let port = toml
        .lines()
        .find_map(|l| l.trim().strip_prefix("arm_url = \"https://127.0.0.1:"))
        .and_then(|rest| rest.trim_end_matches('"').parse::<u16>().ok())
        .ok_or_else(|| anyhow::anyhow!("no arm_url in {toml}"))?;
    Ok(port)
}

#[tokio::test]
async fn app_walks_the_wizard_against_the_sandbox() {
    let home = tempfile::tempdir().unwrap();
    let xvfb = Xvfb::start();
    let driver = TauriDriver::start(&xvfb.display, home.path());
    let app = gui();
    let session = Session::start(driver.port, app.to_str().unwrap(), &["--sandbox"]).await.expect("WebDriver session");
    let result = walk(&session).await;
    if result.is_err() {
        if let Ok(png) = session.screenshot().await {
            let path = artifacts_dir().join("gui-failure.png");
            let _ = std::fs::write(&path, png);
            eprintln!("screenshot: {}", path.display());
        }
    } else if let Ok(png) = session.screenshot().await {
        let _ = std::fs::write(artifacts_dir().join("gui-settings.png"), png);
    }
    let _ = session.close().await;
    let port = result.unwrap();
    // Closing the window ends the app and the sandbox it started: its ports close.
    let deadline = std::time::Instant::now() + std::time::Duration::from_secs(10);
    while std::net::TcpStream::connect(("127.0.0.1", port)).is_ok() {
        assert!(std::time::Instant::now() < deadline, "the sandbox on port {port} outlived the window");
        tokio::time::sleep(std::time::Duration::from_millis(100)).await;
    }
    drop(driver);
    drop(xvfb);
}

#[test]
fn the_cli_starts_the_app_and_passes_its_arguments() {
    use std::io::{BufRead, BufReader};
    let home = tempfile::tempdir().unwrap();
    let xvfb = Xvfb::start();
    let mut c = foundry_onboard_e2e::cli_command(home.path());
    c.env("DISPLAY", &xvfb.display).arg("--sandbox").stdout(std::process::Stdio::piped()).stderr(std::process::Stdio::null());
    let mut cli = c.spawn().unwrap();
    let stdout = cli.stdout.take().unwrap();
    let (tx, rx) = std::sync::mpsc::channel();
    std::thread::spawn(move || {
        for line in BufReader::new(stdout).lines().map_while(Result::ok) {
            let _ = tx.send(line);
        }
    });
    // The app (a child of the CLI, sharing its stdout) paints its first frame in sandbox mode.
    let painted = rx.recv_timeout(std::time::Duration::from_secs(30));
    let children = std::fs::read_to_string(format!("/proc/{0}/task/{0}/children", cli.id())).unwrap_or_default();
    let app_pid: Option<u32> = children.split_whitespace().next().and_then(|p| p.parse().ok());
    let app_cmdline = app_pid.map(|p| std::fs::read(format!("/proc/{p}/cmdline")).unwrap_or_default()).unwrap_or_default();
    if let Some(pid) = app_pid {
        let _ = std::process::Command::new("kill").arg(pid.to_string()).status();
    }
    let code = foundry_onboard_e2e::wait_exit(&mut cli, std::time::Duration::from_secs(10));
    drop(xvfb);
    assert!(painted.as_deref().is_ok_and(|l| l.starts_with("FIRST_PAINT")), "{painted:?}");
    let args: Vec<String> = app_cmdline.split(|b| *b == 0).map(|a| String::from_utf8_lossy(a).into_owned()).collect();
    assert!(args.first().is_some_and(|a| a.ends_with("foundry-onboard-gui")), "{args:?}");
    assert!(args.iter().any(|a| a == "--sandbox"), "arguments passed through: {args:?}");
    assert_ne!(code, 0, "the app was killed, and the CLI reports its exit");
}

/// The Profile step's real-client check turning green needs the real `claude`, which only ever
/// runs inside a loopback-only network namespace: this test re-runs itself under `unshare -n -m`.
#[test]
fn profile_step_real_client_goes_green_in_a_loopback_namespace() {
    if let Some(why) = crate::claude::blocked() {
        assert!(std::env::var_os("CI").is_none(), "CI must run the real-client GUI test: {why}");
        eprintln!("SKIPPED the GUI real-client check: {why}");
        return;
    }
    if foundry_onboard_e2e::reexec_in_netns("gui::profile_step_real_client_goes_green_in_a_loopback_namespace") {
        return;
    }
    inside_the_namespace();
}

/// The Sign in step with the real az (device code approved on the sandbox's page, as a person
/// would), then the Resource & models step: the proposed tiers saved to the config.
async fn sign_in_and_choose(s: &Session, authority: &str, config: &std::path::Path) -> anyhow::Result<()> {
    anyhow::ensure!(s.text("az-version").await?.contains("2.91"), "az found");
    s.click("signin-start").await?;
    let code = s.text("device-code").await?;
    anyhow::ensure!(!code.is_empty(), "device code shown");
    anyhow::ensure!(s.text("sign-in-url").await?.ends_with("/device"));
    if let Ok(png) = s.screenshot().await {
        let _ = std::fs::write(artifacts_dir().join("gui-signin-code.png"), png);
    }
    // The person types the code on the sandbox's sign-in page and presses Approve.
    let loaded = foundry_onboard_core::config::load(&foundry_onboard_core::config::ConfigLocation::Flag(config.to_path_buf()), foundry_onboard_core::policy::Policy::default())?;
    let net = foundry_onboard_core::net::Network::new(&loaded.config, foundry_onboard_core::net::Timeouts::from_total_ms(5000))?;
    let rb = net.http.request(reqwest::Method::POST, &format!("{authority}/device"))?.header("content-type", "application/x-www-form-urlencoded").body(format!("code={code}"));
    let resp = net.http.send(rb).await?;
    anyhow::ensure!(resp.status() == 200, "approve: {}", resp.status());
    let who = s.text("signed-in-as").await?;
    anyhow::ensure!(who.contains(foundry_onboard_core::sandbox::USER), "{who}");
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

/// A private session bus with an unlocked gnome-keyring (the API key lives there), stopped on drop.
struct KeyringSession {
    bus_pid: u32,
    address: String,
}

impl KeyringSession {
    fn start() -> Self {
        let out = std::process::Command::new("dbus-daemon").args(["--session", "--fork", "--print-address=1", "--print-pid=1"]).output().unwrap();
        let text = String::from_utf8_lossy(&out.stdout);
        let mut lines = text.lines();
        let address = lines.next().unwrap().trim().to_string();
        let bus_pid = lines.next().unwrap().trim().parse().unwrap();
        let mut keyring = std::process::Command::new("gnome-keyring-daemon")
            .args(["--unlock", "--components=secrets", "--daemonize"])
            .env("DBUS_SESSION_BUS_ADDRESS", &address)
            .stdin(std::process::Stdio::piped())
            .stdout(std::process::Stdio::null())
            .spawn()
            .unwrap();
        use std::io::Write;
        keyring.stdin.take().unwrap().write_all(b"test-pass").unwrap();
        keyring.wait().unwrap();
        Self { bus_pid, address }
    }
}

impl Drop for KeyringSession {
    fn drop(&mut self) {
        let _ = std::process::Command::new("pkill").args(["-f", "gnome-keyring-daemon --unlock --components=secrets --daemonize"]).status();
        let _ = std::process::Command::new("kill").arg(self.bus_pid.to_string()).status();
    }
}

fn inside_the_namespace() {
    let claude = crate::claude::claude_dir().unwrap();
    let az_dir = foundry_onboard_e2e::real_az().and_then(|p| p.parent().map(std::path::Path::to_path_buf)).expect("azure-cli for the sign-in steps");
    let path = std::env::join_paths([claude, az_dir].into_iter().chain(std::env::split_paths(&std::env::var_os("PATH").unwrap_or_default()))).unwrap();
    let home = tempfile::tempdir().unwrap();
    std::fs::create_dir_all(home.path().join(".local/share/keyrings")).unwrap();
    let bus = KeyringSession::start();
    // A sandbox in API-key mode (Entra needs the sign-in issue's az), its key in the keyring.
    let mut sb = foundry_onboard_e2e::SandboxProcess::start(&[]);
    let cfg = std::fs::read_to_string(&sb.config).unwrap().replace("login = \"cli\"", "login = \"api-key\"");
    std::fs::write(&sb.config, cfg).unwrap();
    let key = std::fs::read(std::path::Path::new(&sb.endpoint("home")).parent().unwrap().join("foundry-api-key")).unwrap();
    let mut set = foundry_onboard_e2e::cli_command(home.path());
    set.env("DBUS_SESSION_BUS_ADDRESS", &bus.address).arg("--config").arg(&sb.config).args(["secret", "set", "foundry-api-key"]).stdin(std::process::Stdio::piped());
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
        if r.is_err() {
            if let Ok(png) = s.screenshot().await {
                let _ = std::fs::write(artifacts_dir().join("gui-netns-failure.png"), png);
            }
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
    let xvfb = Xvfb::start();
    let app = gui();
    // Light, then dark (GTK's dark variant sets prefers-color-scheme in WebKitGTK).
    for (theme, env) in [("light", vec![]), ("dark", vec![("GTK_THEME", std::ffi::OsString::from("Adwaita:dark"))])] {
        let driver = TauriDriver::start_with(&xvfb.display, home.path(), &env);
        let session = Session::start(driver.port, app.to_str().unwrap(), &["--sandbox", "--faults", "zone-missing-services-ai"]).await.expect("WebDriver session");
        let result = doctor_tab_zone_missing(&session, home.path(), theme == "light").await;
        let name = if result.is_ok() { format!("gui-doctor-zone-missing-{theme}.png") } else { format!("gui-doctor-failure-{theme}.png") };
        if let Ok(png) = session.screenshot().await {
            let _ = std::fs::write(artifacts_dir().join(&name), png);
        }
        let _ = session.close().await;
        drop(driver);
        result.unwrap_or_else(|e| panic!("{theme}: {e:#} (screenshot {name})"));
    }
    drop(xvfb);
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
