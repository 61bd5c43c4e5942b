//! The wizard walked in sandbox mode (every step, the keyboard, the CSP, the window's close
//! ending the sandbox), and the CLI starting the app with its arguments.

use foundry_onboard_e2e::artifacts_dir;
use foundry_onboard_e2e::display::Xvfb;
use foundry_onboard_e2e::webdriver::Session;

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
    let port = super::in_app(home.path(), &[], &["--sandbox"], "gui-settings", walk).await.unwrap_or_else(|e| panic!("{e:#}"));
    // Closing the window ends the app and the sandbox it started: its ports close.
    let deadline = std::time::Instant::now() + std::time::Duration::from_secs(10);
    while std::net::TcpStream::connect(("127.0.0.1", port)).is_ok() {
        assert!(std::time::Instant::now() < deadline, "the sandbox on port {port} outlived the window");
        tokio::time::sleep(std::time::Duration::from_millis(100)).await;
    }
}

#[test]
fn the_cli_starts_the_app_and_passes_its_arguments() {
    use std::io::{BufRead, BufReader};
    let home = tempfile::tempdir().unwrap();
    let xvfb = Xvfb::start();
    let mut c = foundry_onboard_e2e::cli_command(home.path());
    // With the sample org policy: the app starts its sandbox with it (the rollout path).
    let policy = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("../docs/policy.sandbox.toml");
    // Its own TMPDIR, in the test's home: the app is killed below, and a killed sandbox leaves
    // its directory.
    let tmp = home.path().join("tmp");
    std::fs::create_dir_all(&tmp).unwrap();
    c.env("DISPLAY", &xvfb.display)
        .env("TMPDIR", &tmp)
        .arg("--sandbox")
        .arg("--policy")
        .arg(&policy)
        .stdout(std::process::Stdio::piped())
        .stderr(std::process::Stdio::null());
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
    let app_pid: Option<u32> = foundry_onboard_e2e::descendants(cli.id()).first().copied();
    let app_cmdline = app_pid.map(|p| std::fs::read(format!("/proc/{p}/cmdline")).unwrap_or_default()).unwrap_or_default();
    // SIGKILL: SIGTERM would close it cleanly (exit 0, gui::signals); a crash must not look like that.
    if let Some(pid) = app_pid {
        let _ = std::process::Command::new("kill").args(["-KILL", &pid.to_string()]).status();
    }
    let code = foundry_onboard_e2e::wait_exit(&mut cli, std::time::Duration::from_secs(10));
    drop(xvfb);
    assert!(painted.as_deref().is_ok_and(|l| l.starts_with("FIRST_PAINT")), "{painted:?}");
    let args: Vec<String> = app_cmdline.split(|b| *b == 0).map(|a| String::from_utf8_lossy(a).into_owned()).collect();
    assert!(args.first().is_some_and(|a| a.ends_with("foundry-onboard-gui")), "{args:?}");
    assert!(args.iter().any(|a| a == "--sandbox"), "arguments passed through: {args:?}");
    assert!(args.windows(2).any(|w| w[0] == "--policy" && w[1].ends_with("policy.sandbox.toml")), "the policy passed through: {args:?}");
    assert_ne!(code, 0, "the app was killed, and the CLI reports it");
}

/// How many times the app was asked to run `command`, from its own log (each IPC call is logged
/// by name at debug level; the log is under the test's HOME).
fn ipc_calls(home: &std::path::Path, command: &str) -> usize {
    fn logs(dir: &std::path::Path, out: &mut Vec<std::path::PathBuf>) {
        for entry in std::fs::read_dir(dir).into_iter().flatten().flatten() {
            let path = entry.path();
            if path.is_dir() {
                logs(&path, out);
            } else if path.file_name().and_then(|n| n.to_str()).is_some_and(|n| n.starts_with("foundry-onboard-gui") && n.ends_with(".log")) {
                out.push(path);
            }
        }
    }
    let mut files = Vec::new();
    logs(home, &mut files);
    let needle = format!("ipc call command={command}");
    files.iter().map(|f| std::fs::read_to_string(f).unwrap_or_default().lines().filter(|l| l.trim_end().ends_with(&needle)).count()).sum()
}

/// Polls the app's log until `command` has been called `n` times (the log is written off-thread).
async fn logged(home: &std::path::Path, command: &str, n: usize) -> anyhow::Result<()> {
    let start = std::time::Instant::now();
    while ipc_calls(home, command) < n {
        anyhow::ensure!(start.elapsed() < std::time::Duration::from_secs(10), "{command} logged {} times, not {n}", ipc_calls(home, command));
        tokio::time::sleep(std::time::Duration::from_millis(100)).await;
    }
    Ok(())
}

/// Signs in with the real az (so inside a loopback-only namespace; it re-runs itself there), lists
/// the sandbox's resources, then Back and Next: the Resource step is the same element, and the
/// app's log shows one discovery (ARM) and one sign-in status, not two.
#[test]
fn back_then_next_keeps_the_steps_and_does_not_query_arm_again() {
    let Some(az) = foundry_onboard_e2e::real_az() else {
        assert!(std::env::var_os("CI").is_none(), "CI must run the Back/Next GUI test: the real az is missing");
        foundry_onboard_e2e::skipped("the Back/Next GUI test", "it needs azure-cli (scripts/install-test-deps.sh)");
        return;
    };
    if foundry_onboard_e2e::reexec_in_netns("gui::wizard::back_then_next_keeps_the_steps_and_does_not_query_arm_again") {
        return;
    }
    let az_dir = az.parent().map(std::path::Path::to_path_buf).unwrap_or_default();
    let path = std::env::join_paths(std::iter::once(az_dir).chain(std::env::split_paths(&std::env::var_os("PATH").unwrap_or_default()))).unwrap();
    let home = tempfile::tempdir().unwrap();
    let dir = home.path().to_path_buf();
    let env = [("PATH", path), ("FOUNDRY_ONBOARD_LOG", std::ffi::OsString::from("foundry_onboard_gui=debug,info"))];
    let rt = tokio::runtime::Runtime::new().unwrap();
    rt.block_on(async {
    super::in_app(home.path(), &env, &["--sandbox"], "gui-wizard-back-next", async |s: &Session| {
        s.click("wizard-next").await?;
        let config = s.script("return document.querySelector('[data-testid=\"config-file\"]').title").await?;
        // The step asks az who is signed in (a Python start: seconds on a loaded machine).
        super::poll(s, "return document.querySelector('[data-testid=\"az-version\"]') ? true : null", 60).await?;
        super::sign_in(s, std::path::Path::new(config.as_str().unwrap_or_default()), None).await?;
        logged(&dir, "signin_status", 1).await?;
        s.click("wizard-next").await?;
        // Discovery through the sandbox's ARM: the resources listed, with the requests it took.
        let arm = super::poll(s, "return [...document.querySelectorAll('[data-testid=\"resources\"] p.muted')].map(p => p.textContent).find(t => t.includes('requests to Azure Resource Manager')) ?? null", 60).await?;
        logged(&dir, "discover", 1).await?;
        // And every resource's deployments: each batch that arrives can grow a row under the
        // pointer (a two-line note replaces "loading deployments…"), which once moved Back away
        // between WebDriver placing its click and making it, in CI.
        super::poll(s, "return [...document.querySelectorAll('[data-testid=\"resources\"] p.muted')].some(p => p.textContent.startsWith('Deployments listed for')) ? true : null", 60).await?;
        // Marks the list the page shows now: the same element must come back after Back and Next.
        s.script("document.querySelector('[data-testid=\"resources\"]').e2eSeen = true; return true").await?;
        // Where a CI run once found the Back button: scrolled half under the status line. Its
        // click must still go back, and each step opens at its top, the progress list in view.
        let straddle = "const m = document.querySelector('[data-testid=\"main\"]'); const line = document.querySelector('[data-testid=\"status-line\"]').getBoundingClientRect(); \
            const back = () => document.querySelector('[data-testid=\"wizard-back\"]').getBoundingClientRect(); \
            m.scrollTop += back().top + back().height / 2 - line.top - 1; return back().top < line.top && back().bottom > line.top";
        anyhow::ensure!(s.script(straddle).await? == true, "Back could not be put under the status line");
        let top = "return document.querySelector('[data-testid=\"main\"]').scrollTop";
        // What the pointer did, for a failure's message (a CI run's click once changed nothing).
        s.script("window.__pointer = []; for (const t of ['mousedown', 'mouseup', 'click']) document.addEventListener(t, (e) => window.__pointer.push(`${t} ${e.target.dataset?.testid ?? e.target.tagName} ${e.clientX},${e.clientY} ${e.target.isConnected}`), true); return true").await?;
        s.click("wizard-back").await?;
        if !s.exists("step-signin").await? && super::poll(s, "return document.querySelector('[data-testid=\"step-signin\"]') ? true : null", 10).await.is_err() {
            let pointer = s.script("return JSON.stringify(window.__pointer)").await?;
            let back = s.script("const r = document.querySelector('[data-testid=\"wizard-back\"]').getBoundingClientRect(); return [r.x, r.y, r.width, r.height, document.querySelector('[data-testid=\"main\"]').scrollTop]").await?;
            anyhow::bail!("Back did not go back: the pointer did {pointer}; Back is at {back}");
        }
        anyhow::ensure!(s.displayed("step-signin").await?, "back on Sign in");
        anyhow::ensure!(s.script(top).await? == 0, "Sign in opened scrolled by {} px", s.script(top).await?);
        anyhow::ensure!(s.text("signed-in-as").await?.contains(foundry_onboard_sandbox::USER), "Sign in kept who signed in");
        s.click("wizard-next").await?;
        anyhow::ensure!(s.displayed("step-resource").await?, "forward on Resource");
        anyhow::ensure!(s.script(top).await? == 0, "Resource opened scrolled by {} px", s.script(top).await?);
        let kept = s.script("return document.querySelector('[data-testid=\"resources\"]').e2eSeen === true").await?;
        anyhow::ensure!(kept == true, "the Resource step was rebuilt");
        let again = s.script("return [...document.querySelectorAll('[data-testid=\"resources\"] p.muted')].map(p => p.textContent).find(t => t.includes('requests to Azure Resource Manager')) ?? null").await?;
        anyhow::ensure!(again == arm, "{again} vs {arm}");
        // Whatever the page was going to ask has been asked by now: still one discovery, one status.
        tokio::time::sleep(std::time::Duration::from_millis(1500)).await;
        anyhow::ensure!(ipc_calls(&dir, "discover") == 1, "Back then Next queried ARM again: {} discover calls", ipc_calls(&dir, "discover"));
        anyhow::ensure!(ipc_calls(&dir, "signin_status") == 1, "Back then Next asked az again: {} signin_status calls", ipc_calls(&dir, "signin_status"));
        Ok(())
    })
    .await
    .unwrap_or_else(|e| panic!("{e:#}"));
    });
}
