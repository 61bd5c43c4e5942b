//! The harness's keyring session (tests/src/keyring.rs) keeps to itself: it never opens the
//! keyrings of the HOME the tests were started from (a developer's desktop has a login keyring
//! there, locked with another password), and dropping one session never ends another's daemons.

use foundry_onboard_e2e::keyring::KeyringSession;
use foundry_onboard_e2e::{cli_command, run};
use std::collections::BTreeMap;
use std::io::Write;
use std::path::Path;
use std::process::{Command, Stdio};
use std::time::{Duration, Instant};

/// Why the keyring tests cannot run here, if they cannot.
fn blocked() -> Option<String> {
    ["dbus-daemon", "dbus-send", "gnome-keyring-daemon"]
        .into_iter()
        .find(|tool| !foundry_onboard_core::profile::verify::installed(tool))
        .map(|tool| format!("{tool} is not installed (scripts/install-test-deps.sh installs it)"))
}

fn skip() -> bool {
    match blocked() {
        Some(why) => {
            assert!(std::env::var_os("CI").is_none(), "CI must run the keyring session tests: {why}");
            foundry_onboard_e2e::skipped("the keyring session test", &why);
            true
        }
        None => false,
    }
}

/// Stores `value` as the gateway key through the real CLI on `session`'s bus; the CLI's stderr
/// when it failed.
fn secret_set(session: &KeyringSession, home: &Path, value: &str) -> Result<(), String> {
    let mut c = cli_command(home);
    c.env("DBUS_SESSION_BUS_ADDRESS", &session.address)
        .args(["secret", "set", "gateway-key"])
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped());
    let mut child = c.spawn().unwrap();
    child.stdin.take().unwrap().write_all(value.as_bytes()).unwrap();
    // A keyring that wants a password shows a prompt nobody can answer here: the CLI would wait
    // forever, so it gets 20 s.
    let deadline = Instant::now() + Duration::from_secs(20);
    while child.try_wait().unwrap().is_none() {
        if Instant::now() > deadline {
            let _ = child.kill();
            let _ = child.wait();
            return Err("`secret set` still waited after 20 s (a keyring prompt nobody can answer)".into());
        }
        std::thread::sleep(Duration::from_millis(50));
    }
    let out = child.wait_with_output().unwrap();
    if out.status.success() { Ok(()) } else { Err(String::from_utf8_lossy(&out.stderr).into_owned()) }
}

fn secret_print(session: &KeyringSession, home: &Path) -> String {
    let mut c = cli_command(home);
    c.env("DBUS_SESSION_BUS_ADDRESS", &session.address).args(["secret", "print", "gateway-key"]);
    let r = run(c);
    assert_eq!(r.code, 0, "secret print: {}", r.stderr);
    r.stdout
}

/// Every file under `dir` with its bytes (what a session must leave as it found it).
fn snapshot(dir: &Path) -> BTreeMap<String, Vec<u8>> {
    let mut out = BTreeMap::new();
    let mut stack = vec![dir.to_path_buf()];
    while let Some(d) = stack.pop() {
        for e in std::fs::read_dir(&d).into_iter().flatten().flatten() {
            let p = e.path();
            if p.is_dir() && !p.is_symlink() {
                stack.push(p.clone());
            }
            out.insert(p.strip_prefix(dir).unwrap().display().to_string(), std::fs::read(&p).unwrap_or_default());
        }
    }
    out
}

/// A login keyring locked with a password the tests do not know, as on a developer's desktop:
/// made by a gnome-keyring-daemon of its own in `home`, stopped (by pid) once the file exists.
fn a_machines_login_keyring(home: &Path) {
    let run_dir = home.join("run");
    std::fs::create_dir_all(&run_dir).unwrap();
    std::fs::set_permissions(&run_dir, std::os::unix::fs::PermissionsExt::from_mode(0o700)).unwrap();
    let mut c = Command::new("gnome-keyring-daemon");
    c.args(["--foreground", "--unlock", "--components=secrets"])
        .env_clear()
        .env("PATH", std::env::var_os("PATH").unwrap_or_default())
        .env("HOME", home)
        .env("XDG_DATA_HOME", home.join(".local/share"))
        .env("XDG_RUNTIME_DIR", &run_dir)
        .stdin(Stdio::piped())
        .stdout(Stdio::null())
        .stderr(Stdio::null());
    let mut daemon = c.spawn().unwrap();
    daemon.stdin.take().unwrap().write_all(b"the-machines-own-password").unwrap();
    let login = home.join(".local/share/keyrings/login.keyring");
    let deadline = Instant::now() + Duration::from_secs(10);
    while !login.exists() && Instant::now() < deadline {
        std::thread::sleep(Duration::from_millis(50));
    }
    let _ = daemon.kill();
    let _ = daemon.wait();
    assert!(login.exists(), "gnome-keyring-daemon made no login keyring in {}", home.display());
}

const MACHINE_HOME: &str = "FOUNDRY_ONBOARD_TEST_MACHINE_HOME";

/// The tests started from a HOME whose login keyring would prompt: a keyring session still
/// unlocks, stores and reads a secret, and leaves that HOME (and its runtime dir) as it was.
/// Before the fix the session's gnome-keyring-daemon opened the HOME's own keyrings: `secret set`
/// failed with "prompt dismissed".
#[test]
fn finding_18_a_keyring_session_never_opens_the_keyrings_of_the_home_the_tests_run_in() {
    if skip() {
        return;
    }
    let Some(machine) = std::env::var_os(MACHINE_HOME) else {
        // Outer run: a "machine" HOME with a login keyring locked by another password, then this
        // test again in a process that sees it as its HOME (as `make test` on a desktop does).
        let machine = tempfile::tempdir().unwrap();
        a_machines_login_keyring(machine.path());
        let status = Command::new(std::env::current_exe().unwrap())
            .args(["keyring::finding_18_a_keyring_session_never_opens_the_keyrings_of_the_home_the_tests_run_in", "--exact", "--nocapture", "--test-threads=1"])
            .env(MACHINE_HOME, machine.path())
            .env("HOME", machine.path())
            .env("XDG_RUNTIME_DIR", machine.path().join("run"))
            .env_remove("XDG_DATA_HOME")
            .env_remove("XDG_CONFIG_HOME")
            .env_remove("XDG_CACHE_HOME")
            .env_remove("DBUS_SESSION_BUS_ADDRESS")
            .status()
            .unwrap();
        assert!(status.success(), "the keyring session failed beside a machine's login keyring: {status}");
        return;
    };
    let machine = Path::new(&machine);
    let before = snapshot(machine);
    assert!(before.contains_key(".local/share/keyrings/login.keyring"), "{:?}", before.keys());
    let session = KeyringSession::start();
    let home = tempfile::tempdir().unwrap();
    secret_set(&session, home.path(), "a-gateway-key-for-the-keyring-test").unwrap_or_else(|e| panic!("secret set on the session's keyring: {e}"));
    assert_eq!(secret_print(&session, home.path()), "a-gateway-key-for-the-keyring-test");
    assert!(session.keyrings().join("login.keyring").is_file(), "the session keeps its keyring in its own home");
    drop(session);
    let after = snapshot(machine);
    assert_eq!(before.keys().collect::<Vec<_>>(), after.keys().collect::<Vec<_>>(), "the session created or removed files in the machine's HOME");
    assert!(before == after, "the session changed the machine's keyrings");
}

/// Two sessions side by side (two tests at once): dropping one leaves the other's daemons running
/// and its keyring usable. Before the fix the drop ran `pkill -f gnome-keyring-daemon …`, which
/// ended every such daemon on the machine, the other session's (and a developer's own) included.
#[test]
fn finding_18_dropping_a_keyring_session_ends_only_its_own_processes() {
    if skip() {
        return;
    }
    let home = tempfile::tempdir().unwrap();
    let first = KeyringSession::start();
    let second = KeyringSession::start();
    secret_set(&second, home.path(), "the-second-sessions-key").unwrap_or_else(|e| panic!("secret set on the second session: {e}"));
    let (first_pids, second_pids) = (first.pids(), second.pids());
    drop(first);
    for pid in first_pids {
        assert!(foundry_onboard_e2e::ends_within(pid, Duration::from_secs(5)), "the first session's process {pid} outlived its drop");
    }
    for pid in second_pids {
        assert!(foundry_onboard_e2e::still_running(pid), "the second session's process {pid} ended with the first session");
    }
    // The second session's keyring still answers, and still holds what it was given.
    secret_set(&second, home.path(), "the-second-sessions-key").unwrap_or_else(|e| panic!("the second session's keyring went away with the first: {e}"));
    assert_eq!(secret_print(&second, home.path()), "the-second-sessions-key");
    drop(second);
    for pid in second_pids {
        assert!(foundry_onboard_e2e::ends_within(pid, Duration::from_secs(5)), "the second session's process {pid} outlived its drop");
    }
}
