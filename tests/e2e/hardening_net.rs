//! Issue #18, the network and the CLI's edges, through the real binary: a redirect is reported
//! and never followed (the key stays home), the config and policy are read with a size limit, a
//! report is private whatever file it replaces, a closed stdout is a quiet exit, and
//! `sandbox --signed-in --write-config F` writes F only once the sandbox is signed in.

use foundry_onboard_e2e::fake_http::{FakeHttp, Reply};
use foundry_onboard_e2e::{cli, cli_command, real_az, reexec_in_netns, run, scrub, wait_exit};
use std::io::{Read, Write};
use std::net::TcpListener;
use std::path::Path;
use std::process::{Child, Command, Stdio};
use std::sync::Arc;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::time::{Duration, Instant};

/// A loopback listener that counts the connections it gets (and answers 200 to each), to prove
/// that nothing reached it.
struct Target {
    port: u16,
    connections: Arc<AtomicUsize>,
}

impl Target {
    fn start() -> Self {
        let listener = TcpListener::bind("127.0.0.1:0").unwrap();
        let port = listener.local_addr().unwrap().port();
        let connections = Arc::new(AtomicUsize::new(0));
        let seen = connections.clone();
        std::thread::spawn(move || {
            for mut stream in listener.incoming().flatten() {
                seen.fetch_add(1, Ordering::SeqCst);
                let mut buf = [0u8; 4096];
                let _ = stream.set_read_timeout(Some(Duration::from_millis(500)));
                let _ = stream.read(&mut buf);
                let _ = stream.write_all(b"HTTP/1.1 200 OK\r\ncontent-type: application/json\r\ncontent-length: 2\r\nconnection: close\r\n\r\n{}");
            }
        });
        Self { port, connections }
    }

    fn connections(&self) -> usize {
        self.connections.load(Ordering::SeqCst)
    }
}

/// A server answering `status` with a `Location` on `target`, and that target.
fn redirect_to_target(status: u16) -> (FakeHttp, Target, String) {
    let target = Target::start();
    let location = format!("http://127.0.0.1:{}/anthropic/v1/messages?beta=true", target.port);
    let loc = location.clone();
    let redirector = FakeHttp::start(move |_, _| Reply::raw(status, "text/plain", "").with_header("Location", &loc));
    (redirector, target, location)
}

/// Runs a spawned child to its end (bounded), with stdout and stderr collected from files.
fn finish(mut child: Child, out: &Path, err: &Path, limit: Duration) -> (i32, String, String) {
    let code = wait_exit(&mut child, limit);
    (code, std::fs::read_to_string(out).unwrap_or_default(), std::fs::read_to_string(err).unwrap_or_default())
}

#[test]
fn finding_02_a_redirect_is_reported_and_the_key_never_reaches_its_target() {
    let key = "fo-test-key-5a1c9e77";
    for status in [302u16, 307] {
        let (redirector, target, _) = redirect_to_target(status);
        let home = tempfile::tempdir().unwrap();
        let config = home.path().join("config.toml");
        std::fs::write(
            &config,
            format!(
                "[foundry]\nbase_url = \"{}/anthropic\"\n[models]\nsonnet = \"claude-sonnet-4-5\"\nhaiku = \"claude-haiku-4-5\"\nopus = \"claude-opus-4-6\"\n",
                redirector.url()
            ),
        )
        .unwrap();
        let (out, err) = (home.path().join("out"), home.path().join("err"));
        let mut c = cli_command(home.path());
        // No keyring on the test bus: a key that got through verification fails to save, it never hangs.
        c.env_remove("DBUS_SESSION_BUS_ADDRESS").arg("--config").arg(&config).args(["secret", "set", "foundry-api-key"]);
        c.stdin(Stdio::piped()).stdout(std::fs::File::create(&out).unwrap()).stderr(std::fs::File::create(&err).unwrap());
        let mut child = c.spawn().unwrap();
        child.stdin.take().unwrap().write_all(key.as_bytes()).unwrap();
        let (code, stdout, stderr) = finish(child, &out, &err, Duration::from_secs(30));
        assert_eq!(target.connections(), 0, "{status}: the redirect was followed (with the key); the CLI said: {stderr}");
        assert_eq!(redirector.requests().len(), 1, "{status}: one request, no retry");
        assert_eq!(code, 2, "{status}: {stderr}");
        assert!(!stderr.contains("Checked:"), "{status}: the key was called verified: {stderr}");
        assert!(
            stderr.contains(&format!("answered HTTP {status}")) && stderr.contains(&format!("127.0.0.1:{}/anthropic/v1/messages", target.port)),
            "{status}: {stderr}"
        );
        assert!(stderr.contains("a proxy or a wrong URL"), "{status}: {stderr}");
        assert!(!stderr.contains(key) && !stdout.contains(key), "the key was printed");
    }
}

#[test]
fn finding_02_the_doctor_reports_a_redirect_as_one_and_does_not_follow_it() {
    let (redirector, target, _) = redirect_to_target(307);
    let home = tempfile::tempdir().unwrap();
    let config = home.path().join("config.toml");
    std::fs::write(&config, format!("[foundry]\nvia_gateway = true\n[gateway]\nurl = \"{}\"\n", redirector.url())).unwrap();
    let mut c = cli_command(home.path());
    c.arg("--config").arg(&config).args(["--json", "doctor", "--only", "path.https"]);
    let r = run(c);
    let report: serde_json::Value = serde_json::from_str(&r.stdout).unwrap_or_else(|e| panic!("{e}: {} {}", r.stdout, r.stderr));
    let check = report["checks"].as_array().unwrap().iter().find(|c| c["id"] == "path.https").unwrap();
    assert_eq!(check["status"], "fail", "{check}");
    let said = format!("{} {}", check["detail"], check["hint"]);
    assert!(said.contains("answered HTTP 307") && said.contains(&format!("127.0.0.1:{}", target.port)) && said.contains("a proxy or a wrong URL"), "{said}");
    assert_eq!(target.connections(), 0, "the redirect was followed");
    assert_eq!(r.code, 2);
}

/// The CLI under `ulimit -v` (so the unfixed reader fails fast instead of filling the machine).
fn bounded_cli(home: &Path) -> Command {
    let mut c = Command::new("sh");
    scrub(&mut c, home);
    c.args(["-c", "ulimit -v 2097152 && exec \"$@\"", "sh"]).arg(cli());
    c
}

#[test]
fn finding_07_an_endless_config_or_policy_exits_3_at_once_naming_the_limit() {
    type Case = (&'static str, &'static [&'static str], Option<(&'static str, &'static str)>);
    let cases: [Case; 3] = [
        ("--config /dev/zero", &["--config", "/dev/zero", "profile", "show"], None),
        ("$FOUNDRY_ONBOARD_CONFIG=/dev/zero", &["login", "--status"], Some(("FOUNDRY_ONBOARD_CONFIG", "/dev/zero"))),
        ("$FOUNDRY_ONBOARD_POLICY=/dev/zero", &["profile", "show"], Some(("FOUNDRY_ONBOARD_POLICY", "/dev/zero"))),
    ];
    for (what, args, env) in cases {
        let home = tempfile::tempdir().unwrap();
        let (out, err) = (home.path().join("out"), home.path().join("err"));
        let mut c = bounded_cli(home.path());
        c.args(args).stdin(Stdio::null()).stdout(std::fs::File::create(&out).unwrap()).stderr(std::fs::File::create(&err).unwrap());
        if let Some((k, v)) = env {
            c.env(k, v);
        }
        let started = Instant::now();
        let (code, _, stderr) = finish(c.spawn().unwrap(), &out, &err, Duration::from_secs(20));
        assert_eq!(code, 3, "{what}: {stderr}");
        assert!(started.elapsed() < Duration::from_secs(5), "{what}: took {:?}", started.elapsed());
        assert!(stderr.contains("/dev/zero") && stderr.contains("larger than 1 MiB, the limit for a config or policy file"), "{what}: {stderr}");
    }
}

#[cfg(unix)]
#[test]
fn finding_13_a_report_over_an_existing_world_readable_file_is_private() {
    use std::os::unix::fs::PermissionsExt;
    let home = tempfile::tempdir().unwrap();
    let report = home.path().join("report.md");
    std::fs::write(&report, "an old report\n").unwrap();
    std::fs::set_permissions(&report, std::fs::Permissions::from_mode(0o644)).unwrap();
    let mut c = cli_command(home.path());
    c.args(["doctor", "--only", "env.claude", "--report"]).arg(&report);
    let r = run(c);
    assert!(r.code <= 2, "{}", r.stderr);
    let text = std::fs::read_to_string(&report).unwrap();
    assert!(text.contains("env.claude"), "the report was written: {text}");
    let mode = std::fs::metadata(&report).unwrap().permissions().mode() & 0o777;
    assert_eq!(mode, 0o600, "the report kept mode {mode:o}");
}

/// A stdout whose reader is gone: every write to it fails with EPIPE.
#[cfg(unix)]
fn closed_stdout() -> Stdio {
    let (ours, theirs) = std::os::unix::net::UnixStream::pair().unwrap();
    drop(theirs);
    Stdio::from(std::os::fd::OwnedFd::from(ours))
}

#[cfg(unix)]
#[test]
fn finding_14_a_closed_stdout_is_a_quiet_exit_for_every_command() {
    let cases: &[&[&str]] = &[
        &["--json", "profile", "show"],
        &["profile", "show"],
        &["profile", "write", "--dry-run", "--shell", "bash", "--resource", "my-res", "--sonnet", "s", "--haiku", "h", "--opus", "o"],
        &["--json", "login", "--status"],
        &["login", "--status"],
        &["doctor", "--only", "env.claude"],
        &["--json", "doctor", "--only", "env.claude"],
        &["--json", "discover"],
        &["--json", "usage"],
        &["--help"],
        &["sandbox"],
        &["--json", "sandbox"],
    ];
    for args in cases {
        let home = tempfile::tempdir().unwrap();
        let config = home.path().join("config.toml");
        std::fs::write(&config, "[foundry]\nresource = \"my-res\"\n[models]\nsonnet = \"s\"\nhaiku = \"h\"\nopus = \"o\"\n").unwrap();
        let command = |home: &Path| {
            let mut c = cli_command(home);
            c.env("FOUNDRY_ONBOARD_AZ", home.join("no-az")).env("FOUNDRY_ONBOARD_CONFIG", &config).args(*args).stdin(Stdio::null());
            c
        };
        if args[0] != "sandbox" && args.get(1) != Some(&"sandbox") {
            // The command does print to stdout, so the closed pipe is met.
            assert!(!run(command(home.path())).stdout.is_empty(), "{args:?} prints nothing to stdout");
        }
        let err = home.path().join("err");
        let mut c = command(home.path());
        c.stdout(closed_stdout());
        c.stderr(std::fs::File::create(&err).unwrap());
        let child = c.spawn().unwrap();
        let pid = child.id();
        let (code, _, stderr) = finish(child, &home.path().join("none"), &err, Duration::from_secs(30));
        assert!(!stderr.contains("panicked") && !stderr.contains("Broken pipe") && !stderr.contains("failed printing"), "{args:?}: {stderr}");
        assert_eq!(code, 0, "{args:?}: a closed pipe is a quiet exit, not a failure: {stderr}");
        assert!(foundry_onboard_e2e::ends_within(pid, Duration::from_secs(1)), "{args:?}");
    }
}

/// Stops the sandbox it holds (by its pid) however the test ends.
struct Running(Child);

impl Drop for Running {
    fn drop(&mut self) {
        let _ = self.0.kill();
        let _ = self.0.wait();
    }
}

#[test]
fn finding_17_the_sandbox_config_appears_only_once_the_signed_in_sandbox_is_ready() {
    let Some(az) = real_az() else {
        assert!(std::env::var_os("CI").is_none(), "CI must run the real-az tests (scripts/install-test-deps.sh installs azure-cli)");
        eprintln!("SKIPPED: azure-cli is not installed in ~/.cache/foundry-onboard-az");
        return;
    };
    if reexec_in_netns("hardening_net::finding_17_the_sandbox_config_appears_only_once_the_signed_in_sandbox_is_ready") {
        return;
    }
    let home = tempfile::tempdir().unwrap();
    let config = home.path().join("sandbox.toml");
    let mut c = cli_command(home.path());
    c.env("FOUNDRY_ONBOARD_AZ", &az).args(["sandbox", "--signed-in", "--write-config"]).arg(&config);
    c.stdin(Stdio::null()).stdout(Stdio::null()).stderr(Stdio::null());
    let mut sandbox = Running(c.spawn().unwrap());
    let started = Instant::now();
    while !config.exists() {
        assert!(sandbox.0.try_wait().unwrap().is_none(), "the sandbox ended before writing its config");
        assert!(started.elapsed() < Duration::from_secs(180), "no config within 180 s");
        std::thread::sleep(Duration::from_millis(10));
    }
    // A script that waited for the file uses it at once: the sandbox is signed in, and the file is whole.
    let mut status = cli_command(home.path());
    status.env("FOUNDRY_ONBOARD_AZ", &az).arg("--config").arg(&config).args(["--json", "login", "--status"]);
    let r = run(status);
    let json: serde_json::Value = serde_json::from_str(r.stdout.trim()).unwrap_or_else(|e| panic!("{e}: {} {}", r.stdout, r.stderr));
    assert_eq!(json["state"]["signedIn"], true, "the config appeared {:?} after start, before the sign-in: {json}", started.elapsed());
    assert_eq!(r.code, 0, "{}", r.stderr);
    assert!(std::fs::read_to_string(&config).unwrap().contains("[sandbox]"));
    let pid = sandbox.0.id().to_string();
    let _ = Command::new("kill").args(["-TERM", &pid]).status();
    assert_eq!(wait_exit(&mut sandbox.0, Duration::from_secs(15)), 0);
}
