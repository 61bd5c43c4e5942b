//! Many small results reach the webview as a few messages: a Tauri channel evaluates a script in
//! WebKit per message, and 1,000 accounts' deployment lists one by one kept it busy. Results
//! wait at most until the next one arrives after 50 ms have passed, or the end.

use serde::Serialize;
use std::time::{Duration, Instant};
use tauri::ipc::{Channel, IpcResponse};

const EVERY: Duration = Duration::from_millis(50);
const AT_MOST: usize = 64;

pub struct Batched<T: Serialize + Clone>
where
    Vec<T>: IpcResponse,
{
    channel: Channel<Vec<T>>,
    waiting: Vec<T>,
    sent_at: Instant,
}

impl<T: Serialize + Clone> Batched<T>
where
    Vec<T>: IpcResponse,
{
    /// The first result goes out at once (nothing was sent for longer than a batch's wait).
    pub fn new(channel: Channel<Vec<T>>) -> Self {
        Self { channel, waiting: Vec::new(), sent_at: Instant::now() - EVERY }
    }

    pub fn push(&mut self, item: T) {
        self.waiting.push(item);
        if self.waiting.len() >= AT_MOST || self.sent_at.elapsed() >= EVERY {
            self.flush();
        }
    }

    pub fn flush(&mut self) {
        if !self.waiting.is_empty() {
            let _ = self.channel.send(std::mem::take(&mut self.waiting));
            self.sent_at = Instant::now();
        }
    }
}

impl<T: Serialize + Clone> Drop for Batched<T>
where
    Vec<T>: IpcResponse,
{
    fn drop(&mut self) {
        self.flush();
    }
}
