//! Shared harness for the end-to-end tests: where the built binaries are, running the CLI,
#![allow(clippy::unwrap_used, clippy::expect_used)] // a harness: a failed expectation is a test failure
//! a sandbox in a child process, a virtual display, and a small WebDriver client.

pub mod display;
pub mod fake_http;
pub mod keyring;
pub mod notifications;
pub mod rollout;
pub mod webdriver;

use std::path::{Path, PathBuf};
use std::process::{Child, Command, Output, Stdio};
use std::time::{Duration, Instant};

/// `target/<profile>/`, found from the test executable (`target/<profile>/deps/…`), so a
/// `CARGO_TARGET_DIR` outside the clone works.
pub fn target_dir() -> PathBuf {
    let exe = std::env::current_exe().expect("test executable path");
    let deps = exe.parent().expect("deps dir");
    let dir = if deps.ends_with("deps") { deps.parent().expect("profile dir") } else { deps };
    dir.to_path_buf()
}

/// A built binary of the workspace; panics with the command to build it when it is missing.
pub fn bin(name: &str) -> PathBuf {
    let p = target_dir().join(name);
    assert!(p.exists(), "{} is not built: run `make build` (or `cargo build -p {name}`) first", p.display());
    p
}

pub fn cli() -> PathBuf {
    bin("foundry-onboard")
}

pub fn gui() -> PathBuf {
    bin("foundry-onboard-gui")
}

/// A CLI command with a clean environment: no real config, no policy, no display, no proxy.
pub fn cli_command(home: &Path) -> Command {
    let mut c = Command::new(cli());
    scrub(&mut c, home);
    c
}

/// Removes what could make a test touch the user's real files, keyring or network: the CLI (or
/// the app) sees `home` as HOME with every XDG dir under it, and no session bus unless the test
/// names one (a [`keyring::KeyringSession`]'s).
pub fn scrub(c: &mut Command, home: &Path) {
    for v in [
        "FOUNDRY_ONBOARD_CONFIG",
        "DISPLAY",
        "WAYLAND_DISPLAY",
        "HTTPS_PROXY",
        "https_proxy",
        "HTTP_PROXY",
        "http_proxy",
        "ALL_PROXY",
        "all_proxy",
        "RUST_BACKTRACE",
        "DBUS_SESSION_BUS_ADDRESS",
        "GNOME_KEYRING_CONTROL",
        "SSH_AUTH_SOCK",
        "XDG_CACHE_HOME",
    ] {
        c.env_remove(v);
    }
    c.envs(home_env(home)).env("FOUNDRY_ONBOARD_POLICY", home.join("no-policy.toml"));
}

/// For a helper we did not write (dbus-daemon, gnome-keyring-daemon, dnsmasq, Xvfb, az): an
/// environment of PATH (and LANG) and nothing else but `home` as HOME with every XDG dir under it,
/// so the helper can neither read nor write the machine's own dot-files, keyrings or sockets.
pub fn isolate(c: &mut Command, home: &Path) {
    c.env_clear();
    for keep in ["PATH", "LANG"] {
        if let Some(v) = std::env::var_os(keep) {
            c.env(keep, v);
        }
    }
    c.envs(home_env(home));
}

/// HOME and the XDG base dirs, all under `home` (the runtime dir created, mode 0700).
///
/// `XDG_CACHE_HOME` is left to its default, `$HOME/.cache` — the same place. Set explicitly, the
/// app's window stalled 1–2.5 s as the doctor started (gui::doctor's black-hole test: in 7 runs
/// of 7 with it, in none of 8 without it): measured, cause not found.
pub fn home_env(home: &Path) -> Vec<(&'static str, PathBuf)> {
    vec![
        ("HOME", home.to_path_buf()),
        ("XDG_CONFIG_HOME", home.join(".config")),
        ("XDG_STATE_HOME", home.join(".local/state")),
        ("XDG_DATA_HOME", home.join(".local/share")),
        ("XDG_RUNTIME_DIR", runtime_dir(home)),
    ]
}

/// `home`'s XDG_RUNTIME_DIR (`home/.run`, mode 0700 as the spec asks), created when missing.
pub fn runtime_dir(home: &Path) -> PathBuf {
    use std::os::unix::fs::PermissionsExt;
    let dir = home.join(".run");
    if std::fs::create_dir_all(&dir).is_ok() {
        let _ = std::fs::set_permissions(&dir, std::fs::Permissions::from_mode(0o700));
    }
    dir
}

pub struct Run {
    pub code: i32,
    pub stdout: String,
    pub stderr: String,
}

pub fn run(mut c: Command) -> Run {
    c.stdin(Stdio::null());
    // A binary a test has just written (a copy of the CLI) can fail to start with ETXTBSY while
    // another test thread's fork still holds the copy's write descriptor, until that child execs
    // (rust-lang/rust#114554). That ends within milliseconds: try again, for up to 2 s.
    let deadline = Instant::now() + Duration::from_secs(2);
    let out: Output = loop {
        match c.output() {
            Err(e) if e.kind() == std::io::ErrorKind::ExecutableFileBusy && Instant::now() < deadline => std::thread::sleep(Duration::from_millis(20)),
            other => break other.expect("run command"),
        }
    };
    Run {
        code: out.status.code().unwrap_or(-1),
        stdout: String::from_utf8_lossy(&out.stdout).into_owned(),
        stderr: String::from_utf8_lossy(&out.stderr).into_owned(),
    }
}

/// A `foundry-onboard sandbox --write-config` child process, stopped on drop.
pub struct SandboxProcess {
    pub child: Child,
    pub endpoints: serde_json::Value,
    pub config: PathBuf,
    pub home: tempfile::TempDir,
}

impl SandboxProcess {
    /// `foundry-onboard sandbox --signed-in …` with `FOUNDRY_ONBOARD_AZ=az`; waits up to two minutes
    /// for the endpoints (az builds its command index in a fresh config dir).
    pub fn start_signed_in(az: &Path, extra: &[&str]) -> Self {
        let home = tempfile::tempdir().unwrap();
        let config = home.path().join("sandbox.toml");
        let mut c = cli_command(home.path());
        c.env("FOUNDRY_ONBOARD_AZ", az).arg("sandbox").arg("--signed-in").arg("--write-config").arg(&config).args(extra);
        let mut child = c.stdout(Stdio::piped()).stderr(Stdio::inherit()).spawn().unwrap();
        let stdout = child.stdout.take().unwrap();
        let (tx, rx) = std::sync::mpsc::channel();
        std::thread::spawn(move || {
            let mut text = String::new();
            for line in std::io::BufRead::lines(std::io::BufReader::new(stdout)).map_while(Result::ok) {
                text.push_str(&line);
                text.push('\n');
                if line.starts_with('}') {
                    let _ = tx.send(std::mem::take(&mut text));
                }
            }
        });
        let text = rx.recv_timeout(Duration::from_secs(120)).expect("the signed-in sandbox printed its endpoints");
        let endpoints = serde_json::from_str(&text).unwrap();
        Self { child, endpoints, config, home }
    }

    pub fn start(extra: &[&str]) -> Self {
        Self::start_with_env(extra, &[])
    }

    /// [`SandboxProcess::start`] with extra environment (e.g. `FOUNDRY_ONBOARD_AZ`).
    pub fn start_with_env(extra: &[&str], env: &[(&str, &std::ffi::OsStr)]) -> Self {
        Self::start_by(&cli(), extra, env)
    }

    /// [`SandboxProcess::start`] by another build of the CLI (the one a package installs).
    pub fn start_by(program: &Path, extra: &[&str], env: &[(&str, &std::ffi::OsStr)]) -> Self {
        let home = tempfile::tempdir().expect("tempdir");
        let config = home.path().join("sandbox.toml");
        let mut c = Command::new(program);
        scrub(&mut c, home.path());
        for (k, v) in env {
            c.env(k, v);
        }
        // stderr to the test's own: why a sandbox failed to start reaches the log (a pipe nobody
        // read hid it, and could have blocked a chatty sandbox).
        c.arg("sandbox").arg("--write-config").arg(&config).args(extra).stdout(Stdio::piped()).stderr(Stdio::inherit());
        let mut child = c.spawn().expect("spawn sandbox");
        let endpoints = read_json_object(child.stdout.take().expect("stdout"), Duration::from_secs(60));
        Self { child, endpoints, config, home }
    }

    /// A busy developer's sandbox for the Usage tab's benches: its `local` source holds 90 days of
    /// 10 models (`--usage-models 10`), and the tab's 90-day report is already cached by the CLI
    /// (as after any earlier look), so the tab's first paint reads it from disk.
    pub fn busy_local_usage() -> Self {
        use foundry_onboard_core::config::{ConfigLocation, load, policy::Policy, save};
        let sb = Self::start(&["--usage-models", "10"]);
        let mut config = load(&ConfigLocation::Flag(sb.config.clone()), Policy::default()).expect("the sandbox's config").config;
        config.usage.source = Some(foundry_onboard_core::usage::SourceKind::Local);
        save(&sb.config, &config, &Policy::default()).expect("save the sandbox's config");
        let mut c = cli_command(sb.home.path());
        c.arg("--config").arg(&sb.config).args(["usage", "--days", "90", "--refresh"]);
        assert!(run(c).code <= 1, "the CLI read usage");
        sb
    }

    pub fn endpoint(&self, key: &str) -> String {
        self.endpoints[key].as_str().unwrap_or_else(|| panic!("no endpoint {key} in {}", self.endpoints)).to_string()
    }

    /// Sends a signal and waits (bounded) for the exit code.
    pub fn stop_with(&mut self, signal: &str) -> i32 {
        let pid = self.child.id().to_string();
        let _ = Command::new("kill").args([signal, &pid]).status();
        wait_exit(&mut self.child, Duration::from_secs(10))
    }
}

impl Drop for SandboxProcess {
    /// SIGTERM first, as Ctrl-C would: the sandbox removes its directory (and the keys in it) on
    /// the way out. SIGKILL only when it has not ended within 5 s.
    fn drop(&mut self) {
        end_gently(&mut self.child, Duration::from_secs(5));
    }
}

/// Ends a child the test started as Ctrl-C or `kill` would (SIGTERM), so what it cleans up on
/// the way out (a sandbox's directory and the keys in it) is cleaned; SIGKILL only when it has not
/// ended within `limit`. Reaps it either way.
pub fn end_gently(child: &mut Child, limit: Duration) {
    if let Ok(None) = child.try_wait() {
        let _ = Command::new("kill").args(["-TERM", &child.id().to_string()]).status();
        let deadline = Instant::now() + limit;
        while matches!(child.try_wait(), Ok(None)) && Instant::now() < deadline {
            std::thread::sleep(Duration::from_millis(20));
        }
    }
    let _ = child.kill();
    let _ = child.wait();
}

/// Waits for a child to exit; kills it and panics after `limit`.
pub fn wait_exit(child: &mut Child, limit: Duration) -> i32 {
    let start = Instant::now();
    loop {
        if let Ok(Some(status)) = child.try_wait() {
            return status.code().unwrap_or(-1);
        }
        if start.elapsed() > limit {
            let _ = child.kill();
            panic!("process did not exit within {limit:?}");
        }
        std::thread::sleep(Duration::from_millis(20));
    }
}

/// Reads one pretty-printed JSON object from a pipe (the sandbox prints it, then keeps running);
/// the reader thread keeps draining the pipe afterwards so the child never blocks on it.
fn read_json_object(pipe: std::process::ChildStdout, limit: Duration) -> serde_json::Value {
    use std::io::BufRead;
    let (tx, rx) = std::sync::mpsc::channel();
    std::thread::spawn(move || {
        let mut reader = std::io::BufReader::new(pipe);
        let mut text = String::new();
        let mut line = String::new();
        while reader.read_line(&mut line).map(|n| n > 0).unwrap_or(false) {
            text.push_str(&line);
            if line.starts_with('}') {
                let _ = tx.send(std::mem::take(&mut text));
            }
            line.clear();
        }
        let _ = tx.send(text);
    });
    let text = rx.recv_timeout(limit).expect("the sandbox printed its endpoints in time");
    serde_json::from_str(&text).unwrap_or_else(|e| panic!("endpoints are not JSON ({e}): {text}"))
}

/// A free loopback TCP port (bound then released).
pub fn free_port() -> u16 {
    std::net::TcpListener::bind("127.0.0.1:0").and_then(|l| l.local_addr()).map(|a| a.port()).expect("free port")
}

/// The first of `count` consecutive ports free for TCP and UDP on loopback, for a sandbox
/// started with `--port` (six ports from there). They are taken below Linux's ephemeral range
/// (32768–60999), which every `bind(0)` and outgoing connection of the other tests draws from:
/// a run picked inside it was once taken by one of those, and that sandbox exited at its start.
pub fn free_port_run(count: u16) -> u16 {
    use std::hash::{BuildHasher, Hasher};
    const LOW: u16 = 20_000;
    const HIGH: u16 = 32_000;
    for _ in 0..500 {
        let mut h = std::collections::hash_map::RandomState::new().build_hasher();
        h.write_u32(std::process::id());
        let first = LOW + (h.finish() % u64::from(HIGH - LOW - count)) as u16;
        let free = (first..first + count).all(|p| std::net::TcpListener::bind(("127.0.0.1", p)).is_ok() && std::net::UdpSocket::bind(("127.0.0.1", p)).is_ok());
        if free {
            return first;
        }
    }
    panic!("no {count} consecutive free ports between {LOW} and {HIGH} on 127.0.0.1");
}

/// Where tests leave screenshots and logs for a person to look at.
pub fn artifacts_dir() -> PathBuf {
    let d = std::env::var_os("TEST_LOG_DIR").map(PathBuf::from).unwrap_or_else(|| Path::new(env!("CARGO_MANIFEST_DIR")).join("../artifacts/test-logs"));
    let _ = std::fs::create_dir_all(&d);
    d
}

/// Says that a test could not do part of its work because a tool is missing: on stderr, and as a
/// line (`test<TAB>what: why`) in `skipped.tsv` beside the test logs, which scripts/test.sh counts
/// and lists, so a summary never reads as if everything ran.
pub fn skipped(what: &str, why: &str) {
    eprintln!("SKIPPED {what}: {why}");
    let test = std::thread::current().name().filter(|n| *n != "main").unwrap_or(what).to_string();
    let line = format!("{test}\t{what}: {why}\n");
    let path = artifacts_dir().join("skipped.tsv");
    let written = std::fs::OpenOptions::new().create(true).append(true).open(&path).and_then(|mut f| std::io::Write::write_all(&mut f, line.as_bytes()));
    if let Err(e) = written {
        eprintln!("(could not record the skip in {}: {e})", path.display());
    }
}

/// Runs the test named `test` again inside `unshare -n -m` (only loopback, brought up here), for
/// clients we did not write (`az`, `claude`). Returns true in the outer run, which should then
/// return; false inside the namespace, where the test body runs.
pub fn reexec_in_netns(test: &str) -> bool {
    if std::env::var_os("FOUNDRY_ONBOARD_IN_NETNS").is_some() {
        let up = Command::new("ip").args(["link", "set", "lo", "up"]).status().expect("ip");
        assert!(up.success(), "ip link set lo up");
        return false;
    }
    // The run inside gets a temporary HOME and XDG dirs and no session bus, so what it starts
    // in-process (az through the core's TokenSource) cannot reach the machine's own files either;
    // the tools found through the real HOME are found here and named to it.
    let home = tempfile::tempdir().expect("tempdir");
    let mut c = Command::new("timeout");
    c.args(["300", "unshare", "-n", "-m", "--"])
        .arg(std::env::current_exe().expect("test exe"))
        .args([test, "--exact", "--nocapture", "--test-threads=1"])
        .env("FOUNDRY_ONBOARD_IN_NETNS", "1")
        .envs(home_env(home.path()))
        .env_remove("DBUS_SESSION_BUS_ADDRESS")
        .env_remove("GNOME_KEYRING_CONTROL")
        .env_remove("SSH_AUTH_SOCK");
    if let Some(az) = real_az() {
        c.env("FOUNDRY_ONBOARD_TEST_AZ", az);
    }
    if let Some(dir) = claude_dir() {
        c.env("FOUNDRY_ONBOARD_CLAUDE_DIR", dir);
    }
    c.env("TAURI_DRIVER", display::driver_path());
    // The inner run's output goes to a log of its own, not between the outer run's `test … ok`
    // line and its status (scripts/count_tests.py reads those lines); its figures stay in the
    // artifacts, and a failure carries its end.
    let log = artifacts_dir().join(format!("netns-{}.log", test.replace("::", "-")));
    let out = c.output().expect("unshare");
    let text = [String::from_utf8_lossy(&out.stdout), String::from_utf8_lossy(&out.stderr)].concat();
    let _ = std::fs::write(&log, &text);
    if !out.status.success() {
        // From the inner panic on (its message and where), else the end of the output.
        let lines: Vec<&str> = text.lines().collect();
        let from = lines.iter().position(|l| l.contains("panicked at")).unwrap_or(lines.len().saturating_sub(40));
        let shown = lines[from..].iter().take(40).copied().collect::<Vec<_>>().join("\n");
        panic!("{test} failed inside the loopback-only namespace: {} (whole output: {})\n{shown}", out.status, log.display());
    }
    true
}

/// The real Azure CLI the tests use (installed by scripts/install-test-deps.sh).
pub fn real_az() -> Option<PathBuf> {
    let p = std::env::var_os("FOUNDRY_ONBOARD_TEST_AZ")
        .map(PathBuf::from)
        .or_else(|| std::env::var_os("HOME").map(|h| PathBuf::from(h).join(".cache/foundry-onboard-az/bin/az")))?;
    p.is_file().then_some(p)
}

/// The real az run directly by a test (as Claude Code runs it), with `home` as its HOME and XDG
/// dirs and nothing else of the machine's environment; add the config's az environment
/// (`azure::az::env`) to it.
pub fn az_command(az: &Path, home: &Path) -> Command {
    let mut c = Command::new(az);
    isolate(&mut c, home);
    c
}

/// Where the real Claude Code is (installed by scripts/install-test-deps.sh), if it is.
pub fn claude_dir() -> Option<PathBuf> {
    let dir = std::env::var_os("FOUNDRY_ONBOARD_CLAUDE_DIR")
        .map(PathBuf::from)
        .or_else(|| std::env::var_os("HOME").map(|h| PathBuf::from(h).join(".cache/foundry-onboard-claude/node_modules/.bin")))?;
    dir.join("claude").exists().then_some(dir)
}

/// Waits up to `limit` for the app writing to `stdout` to print its `FIRST_PAINT ms=…` line; the
/// pipe is read to its end on a thread, so the app never blocks on it.
pub fn first_paint(stdout: std::process::ChildStdout, limit: Duration) -> Result<String, std::sync::mpsc::RecvTimeoutError> {
    use std::io::BufRead;
    let (tx, rx) = std::sync::mpsc::channel();
    std::thread::spawn(move || {
        for line in std::io::BufReader::new(stdout).lines().map_while(Result::ok) {
            if line.starts_with("FIRST_PAINT") {
                let _ = tx.send(line);
            }
        }
    });
    rx.recv_timeout(limit)
}

/// The processes `root` started, and theirs, parents before their children (`root` excluded).
pub fn descendants(root: u32) -> Vec<u32> {
    let mut out = Vec::new();
    let mut frontier = vec![root];
    while let Some(pid) = frontier.pop() {
        let children = std::fs::read_to_string(format!("/proc/{pid}/task/{pid}/children")).unwrap_or_default();
        for c in children.split_whitespace().filter_map(|s| s.parse::<u32>().ok()) {
            out.push(c);
            frontier.push(c);
        }
    }
    out
}

/// Whether a process still runs (a zombie waiting for init to reap it does not count).
pub fn still_running(pid: u32) -> bool {
    std::fs::read_to_string(format!("/proc/{pid}/stat")).ok().and_then(|s| s.rsplit(')').next().map(|r| !r.trim().starts_with('Z'))).unwrap_or(false)
}

/// Waits up to `limit` for a process to end; true when it did.
pub fn ends_within(pid: u32, limit: Duration) -> bool {
    let deadline = Instant::now() + limit;
    while still_running(pid) && Instant::now() < deadline {
        std::thread::sleep(Duration::from_millis(50));
    }
    !still_running(pid)
}

/// The median of a bench's samples (the mean of the middle two for an even count; NaN for none).
pub fn median(mut v: Vec<f64>) -> f64 {
    v.sort_by(f64::total_cmp);
    let n = v.len();
    match n {
        0 => f64::NAN,
        _ if n % 2 == 1 => v[n / 2],
        _ => (v[n / 2 - 1] + v[n / 2]) / 2.0,
    }
}
