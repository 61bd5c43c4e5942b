//! Ctrl-C in the terminal `make run` started (SIGINT), or a `kill` (SIGTERM): the app ends as if
//! its window were closed, and the sandbox it started leaves no directory behind, nor the keys
//! that directory holds.

use foundry_onboard_e2e::display::Xvfb;
use foundry_onboard_e2e::{gui, scrub, wait_exit};
use std::process::{Command, Stdio};
use std::time::Duration;

/// The sandbox directories under `tmp`.
fn sandbox_dirs(tmp: &std::path::Path) -> Vec<std::path::PathBuf> {
    std::fs::read_dir(tmp)
        .into_iter()
        .flatten()
        .flatten()
        .map(|e| e.path())
        .filter(|p| p.file_name().and_then(|n| n.to_str()).is_some_and(|n| n.starts_with("foundry-onboard-sandbox-")))
        .collect()
}

#[test]
fn sigint_and_sigterm_close_the_app_and_its_sandbox_removes_its_directory() {
    let xvfb = Xvfb::start();
    for signal in ["-INT", "-TERM"] {
        let home = tempfile::tempdir().unwrap();
        // Its own TMPDIR: the sandbox's directory is found without a race with other tests'.
        let tmp = home.path().join("tmp");
        std::fs::create_dir_all(&tmp).unwrap();
        let mut c = Command::new(gui());
        scrub(&mut c, home.path());
        c.env("DISPLAY", &xvfb.display).env("TMPDIR", &tmp).arg("--sandbox").stdout(Stdio::piped()).stderr(Stdio::null());
        let mut app = c.spawn().expect("start the app");
        let painted = foundry_onboard_e2e::first_paint(app.stdout.take().unwrap(), Duration::from_secs(45));
        let dirs = sandbox_dirs(&tmp);
        let keys: Vec<_> = dirs.iter().map(|d| d.join("gateway-key")).filter(|k| k.exists()).collect();
        let _ = Command::new("kill").args([signal, &app.id().to_string()]).status();
        let code = wait_exit(&mut app, Duration::from_secs(15));
        assert!(painted.is_ok(), "{signal}: the app painted no first frame within 45 s");
        assert_eq!((dirs.len(), keys.len()), (1, 1), "{signal}: one sandbox directory, with its keys, while the app ran: {dirs:?}");
        assert_eq!(code, 0, "{signal}: the app ended as if its window were closed");
        assert_eq!(sandbox_dirs(&tmp), Vec::<std::path::PathBuf>::new(), "{signal}: the sandbox's directory is gone");
    }
}
