//! A private Secret Service for one test: a D-Bus bus of its own that activates nothing, and a
//! gnome-keyring-daemon unlocked with a test password — both in a temporary HOME with every XDG
//! dir under it, never the keyrings, runtime dir or session bus of the HOME the tests were
//! started from. Both stay in the foreground as our children and are ended by pid on drop.

use std::io::{BufRead, BufReader, Write};
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant};

/// The password of every test keyring (a test value, not a secret).
const PASSWORD: &[u8] = b"test-pass";

/// A bus that only routes: no `<servicedir>`, so nothing is activated on it (no second keyring,
/// no at-spi helper) and every process on it is one the test started.
const BUS_CONFIG: &str = r#"<!DOCTYPE busconfig PUBLIC "-//freedesktop//DTD D-Bus Bus Configuration 1.0//EN"
 "http://www.freedesktop.org/standards/dbus/1.0/busconfig.dtd">
<busconfig>
  <type>session</type>
  <listen>unix:path=SOCKET</listen>
  <auth>EXTERNAL</auth>
  <policy context="default">
    <allow send_destination="*" eavesdrop="true"/>
    <allow eavesdrop="true"/>
    <allow own="*"/>
  </policy>
</busconfig>
"#;

pub struct KeyringSession {
    bus: Child,
    keyring: Child,
    /// The bus address for `DBUS_SESSION_BUS_ADDRESS`.
    pub address: String,
    home: tempfile::TempDir,
}

impl KeyringSession {
    /// Starts the bus and the keyring; returns once the keyring owns `org.freedesktop.secrets`.
    pub fn start() -> Self {
        let home = tempfile::tempdir().expect("tempdir");
        let socket = crate::runtime_dir(home.path()).join("bus");
        let config = home.path().join("bus.conf");
        std::fs::write(&config, BUS_CONFIG.replace("SOCKET", &socket.display().to_string())).expect("bus config");
        let mut bus = Command::new("dbus-daemon");
        bus.arg(format!("--config-file={}", config.display())).args(["--nofork", "--print-address=1"]).stdout(Stdio::piped()).stderr(Stdio::null());
        crate::isolate(&mut bus, home.path());
        let mut bus = bus.spawn().expect("dbus-daemon is installed (scripts/install-test-deps.sh installs dbus-daemon)");
        let mut line = String::new();
        let read = BufReader::new(bus.stdout.take().expect("bus stdout")).read_line(&mut line);
        let address = line.trim().to_string();
        if read.is_err() || address.is_empty() {
            stop(&mut bus);
            panic!("dbus-daemon printed no address");
        }
        let mut keyring = Command::new("gnome-keyring-daemon");
        keyring.args(["--foreground", "--unlock", "--components=secrets"]).stdin(Stdio::piped()).stdout(Stdio::null()).stderr(Stdio::null());
        crate::isolate(&mut keyring, home.path());
        keyring.env("DBUS_SESSION_BUS_ADDRESS", &address);
        let mut keyring = match keyring.spawn() {
            Ok(k) => k,
            Err(e) => {
                stop(&mut bus);
                panic!("gnome-keyring-daemon is installed (scripts/install-test-deps.sh installs it): {e}");
            }
        };
        // The password, then end of input: --unlock reads until EOF.
        let _ = keyring.stdin.take().expect("keyring stdin").write_all(PASSWORD);
        let mut session = Self { bus, keyring, address, home };
        session.wait_for_the_secret_service();
        session
    }

    /// The temporary HOME both daemons run in (the keyrings are in `.local/share/keyrings`).
    pub fn home(&self) -> &Path {
        self.home.path()
    }

    /// The keyring files of this session.
    pub fn keyrings(&self) -> PathBuf {
        self.home.path().join(".local/share/keyrings")
    }

    /// The pids of the bus and the keyring daemon.
    pub fn pids(&self) -> [u32; 2] {
        [self.bus.id(), self.keyring.id()]
    }

    fn wait_for_the_secret_service(&mut self) {
        let deadline = Instant::now() + Duration::from_secs(10);
        loop {
            let mut ask = Command::new("dbus-send");
            ask.args([
                "--session",
                "--print-reply",
                "--dest=org.freedesktop.DBus",
                "/org/freedesktop/DBus",
                "org.freedesktop.DBus.NameHasOwner",
                "string:org.freedesktop.secrets",
            ]);
            crate::isolate(&mut ask, self.home.path());
            ask.env("DBUS_SESSION_BUS_ADDRESS", &self.address);
            if ask.output().is_ok_and(|o| String::from_utf8_lossy(&o.stdout).contains("boolean true")) {
                return;
            }
            if Instant::now() > deadline || self.keyring.try_wait().ok().flatten().is_some() {
                panic!("gnome-keyring-daemon did not take org.freedesktop.secrets on the test bus within 10 s");
            }
            std::thread::sleep(Duration::from_millis(50));
        }
    }
}

impl Drop for KeyringSession {
    fn drop(&mut self) {
        stop(&mut self.keyring);
        stop(&mut self.bus);
    }
}

/// Ends a child of ours by its pid: SIGTERM, then SIGKILL after 3 s; always reaped.
fn stop(child: &mut Child) {
    if child.try_wait().ok().flatten().is_none() {
        let _ = Command::new("kill").args(["-TERM", &child.id().to_string()]).status();
        let deadline = Instant::now() + Duration::from_secs(3);
        while child.try_wait().ok().flatten().is_none() && Instant::now() < deadline {
            std::thread::sleep(Duration::from_millis(20));
        }
        let _ = child.kill();
    }
    let _ = child.wait();
}
