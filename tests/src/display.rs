//! A private virtual display (Xvfb on a free display number) and tauri-driver on free ports,
//! both stopped — with every app they started — when dropped.

use std::io::Read;
use std::path::PathBuf;
use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant};

pub struct Xvfb {
    child: Child,
    pub display: String,
    /// The HOME (and XDG dirs) Xvfb runs with: its own, not the machine's.
    _home: tempfile::TempDir,
}

impl Xvfb {
    pub fn start() -> Self {
        let home = tempfile::tempdir().expect("tempdir");
        let mut cmd = Command::new("Xvfb");
        cmd.args(["-displayfd", "1", "-screen", "0", "1280x800x24", "-nolisten", "tcp"]).stdout(Stdio::piped()).stderr(Stdio::null());
        crate::isolate(&mut cmd, home.path());
        let mut child = cmd.spawn().expect("Xvfb is installed (scripts/install-test-deps.sh installs it)");
        let mut out = child.stdout.take().expect("Xvfb stdout");
        let start = Instant::now();
        let mut buf = Vec::new();
        let mut byte = [0u8; 1];
        while start.elapsed() < Duration::from_secs(10) {
            match out.read(&mut byte) {
                Ok(1) if byte[0] == b'\n' => break,
                Ok(1) => buf.push(byte[0]),
                _ => break,
            }
        }
        let number = String::from_utf8_lossy(&buf).trim().to_string();
        if number.is_empty() {
            let _ = child.kill();
            let _ = child.wait();
            panic!("Xvfb did not report a display number");
        }
        Self { child, display: format!(":{number}"), _home: home }
    }
}

impl Drop for Xvfb {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

/// tauri-driver (which starts WebKitWebDriver, which starts the app) on the given display.
pub struct TauriDriver {
    child: Child,
    pub port: u16,
    pub log: PathBuf,
}

impl TauriDriver {
    pub fn start(display: &str, home: &std::path::Path) -> Self {
        Self::start_with(display, home, &[])
    }

    /// Like [`TauriDriver::start`], with extra environment for the app (e.g. a `PATH` with `claude`).
    pub fn start_with(display: &str, home: &std::path::Path, extra_env: &[(&str, std::ffi::OsString)]) -> Self {
        let port = crate::free_port();
        let mut native = crate::free_port();
        while native == port {
            native = crate::free_port();
        }
        let log = crate::artifacts_dir().join(format!("tauri-driver-{port}.log"));
        let log_file = std::fs::File::create(&log).expect("driver log");
        let mut cmd = Command::new(driver_path());
        cmd.args(["--port", &port.to_string(), "--native-port", &native.to_string()]).stdout(log_file.try_clone().expect("log")).stderr(log_file);
        crate::scrub(&mut cmd, home);
        // The app's temporary files, its sandbox's directory among them, go under the test's home,
        // which ends with the test: WebDriver ends the app harder than a signal it handles, and
        // the directories it left in /tmp added up to hundreds a day.
        let tmp = home.join("tmp");
        let _ = std::fs::create_dir_all(&tmp);
        cmd.env("TMPDIR", &tmp)
            .env("DISPLAY", display)
            .env_remove("DBUS_SESSION_BUS_ADDRESS")
            .env_remove("WEBKIT_DISABLE_DMABUF_RENDERER")
            .env_remove("WEBKIT_DISABLE_COMPOSITING_MODE");
        for (k, v) in extra_env {
            cmd.env(k, v);
        }
        let child = cmd.spawn().expect("tauri-driver is installed (scripts/install-test-deps.sh installs it)");
        let driver = Self { child, port, log };
        driver.wait_ready();
        driver
    }

    fn wait_ready(&self) {
        let url = format!("http://127.0.0.1:{}/status", self.port);
        let start = Instant::now();
        while start.elapsed() < Duration::from_secs(20) {
            if let Ok(s) = std::net::TcpStream::connect_timeout(&format!("127.0.0.1:{}", self.port).parse().expect("addr"), Duration::from_millis(200)) {
                drop(s);
                if ureq_like_get(&url).is_some_and(|b| b.contains("ready")) {
                    return;
                }
            }
            std::thread::sleep(Duration::from_millis(100));
        }
        panic!("tauri-driver did not become ready; see {}", self.log.display());
    }

    /// PIDs of the processes tauri-driver started (WebKitWebDriver and its apps), deepest first.
    fn descendants(&self) -> Vec<u32> {
        let mut out = crate::descendants(self.child.id());
        out.reverse();
        out
    }
}

impl Drop for TauriDriver {
    fn drop(&mut self) {
        // Kill the apps first: killing tauri-driver alone orphans them (facts/tauri-headless.md §4).
        let pids = self.descendants();
        for pid in &pids {
            let _ = Command::new("kill").arg(pid.to_string()).status();
        }
        let _ = self.child.kill();
        let _ = self.child.wait();
        // Until they are gone: an app still exiting holds its single-instance name on the test's
        // D-Bus, and the next app started in the same session would hand over to it and quit.
        let deadline = Instant::now() + Duration::from_secs(10);
        for pid in pids {
            crate::ends_within(pid, deadline.saturating_duration_since(Instant::now()));
        }
    }
}

/// tauri-driver: `TAURI_DRIVER`, else `~/.cargo/bin/tauri-driver`, else the one on PATH.
pub(crate) fn driver_path() -> PathBuf {
    if let Some(p) = std::env::var_os("TAURI_DRIVER") {
        return PathBuf::from(p);
    }
    let home_bin = std::env::var_os("HOME").map(PathBuf::from).map(|h| h.join(".cargo/bin/tauri-driver"));
    match home_bin {
        Some(p) if p.exists() => p,
        _ => PathBuf::from("tauri-driver"),
    }
}

/// A blocking GET over plain loopback HTTP with std only (it runs inside async tests too).
fn ureq_like_get(url: &str) -> Option<String> {
    use std::io::Write;
    let rest = url.strip_prefix("http://")?;
    let (authority, path) = rest.split_once('/').map(|(a, p)| (a, format!("/{p}"))).unwrap_or((rest, "/".into()));
    let mut stream = std::net::TcpStream::connect_timeout(&authority.parse().ok()?, Duration::from_secs(1)).ok()?;
    stream.set_read_timeout(Some(Duration::from_secs(2))).ok()?;
    write!(stream, "GET {path} HTTP/1.1\r\nHost: {authority}\r\nConnection: close\r\n\r\n").ok()?;
    let mut body = String::new();
    stream.read_to_string(&mut body).ok()?;
    Some(body)
}
