//! The WebKit settings the app chooses for its window (CPU painting, no JavaScript JIT: issue
//! #21's memory goal) reach the web process WebKit starts, a person's own setting wins over the
//! app's, and WebDriver's screenshot still returns with them (the compositing switches that save
//! memory too make it hang: facts/tauri-headless.md §4).

use super::in_app;
use foundry_onboard_e2e::display::Xvfb;
use foundry_onboard_e2e::{descendants, gui, scrub, still_running};
use std::process::{Command, Stdio};
use std::time::{Duration, Instant};

const CHOSEN: [(&str, &str); 2] = [("WEBKIT_SKIA_ENABLE_CPU_RENDERING", "1"), ("JSC_useJIT", "false")];

/// The environment of the WebKit web process the app (`pid`) started, as `NAME=value` lines.
fn web_process_environ(pid: u32) -> Option<Vec<String>> {
    let web = descendants(pid).into_iter().find(|p| std::fs::read_to_string(format!("/proc/{p}/comm")).is_ok_and(|c| c.trim() == "WebKitWebProces"))?;
    let raw = std::fs::read(format!("/proc/{web}/environ")).ok()?;
    Some(raw.split(|b| *b == 0).map(|v| String::from_utf8_lossy(v).into_owned()).collect())
}

/// Starts the app on the built-in sandbox with `env`, returns its web process's environment.
fn launched_with(display: &str, env: &[(&str, &str)]) -> Vec<String> {
    let home = tempfile::tempdir().expect("tempdir");
    let mut c = Command::new(gui());
    scrub(&mut c, home.path());
    for (name, _) in CHOSEN {
        c.env_remove(name);
    }
    c.envs(env.iter().copied()).env("DISPLAY", display).arg("--sandbox").stdout(Stdio::null()).stderr(Stdio::null());
    let mut app = c.spawn().expect("start the app");
    let start = Instant::now();
    let found = loop {
        if let Some(e) = web_process_environ(app.id()) {
            break Some(e);
        }
        if start.elapsed() > Duration::from_secs(30) || !still_running(app.id()) {
            break None;
        }
        std::thread::sleep(Duration::from_millis(100));
    };
    // SIGTERM, so the sandbox the app started removes its directory (SIGKILL left it in /tmp).
    foundry_onboard_e2e::end_gently(&mut app, Duration::from_secs(10));
    found.expect("the app started a WebKit web process within 30 s")
}

#[test]
fn the_apps_webkit_settings_reach_its_web_process_and_a_persons_own_win() {
    let xvfb = Xvfb::start();
    let chosen = launched_with(&xvfb.display, &[]);
    for (name, value) in CHOSEN {
        assert!(
            chosen.contains(&format!("{name}={value}")),
            "the web process runs with {name}={value}: {:?}",
            chosen.iter().filter(|v| v.starts_with(name)).collect::<Vec<_>>()
        );
    }
    let own = [("WEBKIT_SKIA_ENABLE_CPU_RENDERING", "0"), ("JSC_useJIT", "true")];
    let theirs = launched_with(&xvfb.display, &own);
    for (name, value) in own {
        assert!(
            theirs.contains(&format!("{name}={value}")),
            "the person's {name}={value} is kept: {:?}",
            theirs.iter().filter(|v| v.starts_with(name)).collect::<Vec<_>>()
        );
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_screenshot_returns_with_the_apps_webkit_settings() {
    let home = tempfile::tempdir().expect("tempdir");
    in_app(home.path(), &[], &["--sandbox"], "gui-engine", async |s| {
        s.find("wizard-next").await?;
        let png =
            tokio::time::timeout(Duration::from_secs(15), s.screenshot()).await.map_err(|_| anyhow::anyhow!("the screenshot did not return within 15 s"))??;
        anyhow::ensure!(png.starts_with(b"\x89PNG\r\n\x1a\n") && png.len() > 10_000, "a PNG of the window ({} bytes)", png.len());
        Ok(())
    })
    .await
    .unwrap();
}
