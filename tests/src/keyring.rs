//! A private session bus with an unlocked gnome-keyring (the API key lives there), stopped on drop.

pub struct KeyringSession {
    bus_pid: u32,
    pub address: String,
}

impl KeyringSession {
    pub fn start() -> Self {
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
