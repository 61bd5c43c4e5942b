//! A desktop notification server for tests: it owns `org.freedesktop.Notifications` on a bus the
//! test started (e.g. a [`crate::keyring::KeyringSession`]'s), records every `Notify` call, and
//! can report a click (`ActionInvoked` with the `default` action) as a real server would.

use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

const PATH: &str = "/org/freedesktop/Notifications";
const INTERFACE: &str = "org.freedesktop.Notifications";

/// One `Notify` call, as the server received it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Received {
    /// The id the server answered.
    pub id: u32,
    pub app_name: String,
    pub summary: String,
    pub body: String,
    /// Pairs of action key and label, flattened as the specification sends them.
    pub actions: Vec<String>,
}

struct Server {
    received: Arc<Mutex<Vec<Received>>>,
}

#[zbus::interface(name = "org.freedesktop.Notifications")]
impl Server {
    #[allow(clippy::too_many_arguments)]
    fn notify(
        &self,
        app_name: String,
        _replaces_id: u32,
        _app_icon: String,
        summary: String,
        body: String,
        actions: Vec<String>,
        _hints: std::collections::HashMap<String, zbus::zvariant::OwnedValue>,
        _expire_timeout: i32,
    ) -> u32 {
        let mut received = self.received.lock().unwrap_or_else(|e| e.into_inner());
        let id = u32::try_from(received.len()).unwrap_or(u32::MAX - 1) + 1;
        received.push(Received { id, app_name, summary, body, actions });
        id
    }

    fn get_capabilities(&self) -> Vec<String> {
        vec!["actions".into(), "body".into()]
    }

    fn get_server_information(&self) -> (String, String, String, String) {
        ("foundry-onboard-test-sink".into(), "foundry-onboard".into(), "1".into(), "1.2".into())
    }

    fn close_notification(&self, _id: u32) {}
}

/// The server, on the bus at `address` until dropped.
pub struct NotificationSink {
    connection: zbus::blocking::Connection,
    received: Arc<Mutex<Vec<Received>>>,
}

impl NotificationSink {
    pub fn start(address: &str) -> zbus::Result<Self> {
        let received = Arc::new(Mutex::new(Vec::new()));
        let connection =
            zbus::blocking::connection::Builder::address(address)?.serve_at(PATH, Server { received: received.clone() })?.name(INTERFACE)?.build()?;
        Ok(Self { connection, received })
    }

    /// Every notification so far, oldest first.
    pub fn received(&self) -> Vec<Received> {
        self.received.lock().unwrap_or_else(|e| e.into_inner()).clone()
    }

    /// Waits up to `limit` for at least `n` notifications; returns all of them.
    pub fn wait_for(&self, n: usize, limit: Duration) -> Vec<Received> {
        let start = Instant::now();
        loop {
            let all = self.received();
            if all.len() >= n || start.elapsed() > limit {
                return all;
            }
            std::thread::sleep(Duration::from_millis(100));
        }
    }

    /// The person clicks notification `id`: `ActionInvoked(id, "default")`, then the server
    /// closes it (`NotificationClosed`, reason 2: dismissed by the user).
    pub fn click(&self, id: u32) -> zbus::Result<()> {
        self.connection.emit_signal(None::<&str>, PATH, INTERFACE, "ActionInvoked", &(id, "default"))?;
        self.connection.emit_signal(None::<&str>, PATH, INTERFACE, "NotificationClosed", &(id, 2u32))
    }
}
