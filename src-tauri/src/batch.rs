//! Many small results reach the webview as a few messages: a Tauri channel evaluates a script in
//! WebKit per message, and 1,000 accounts' deployment lists one by one kept it busy. A result
//! waits at most 50 ms (or until 64 are waiting) before it is sent.

use std::time::Duration;
use tauri::ipc::{Channel, IpcResponse};
use tokio::sync::mpsc;

const EVERY: Duration = Duration::from_millis(50);
const AT_MOST: usize = 64;

/// What the producer pushes into; [`Batched::finish`] sends what is still waiting.
pub struct Batched<T> {
    tx: mpsc::UnboundedSender<T>,
    sender: tauri::async_runtime::JoinHandle<()>,
}

impl<T: Send + 'static> Batched<T>
where
    Vec<T>: IpcResponse,
{
    pub fn new(channel: Channel<Vec<T>>) -> Self {
        let (tx, mut rx) = mpsc::unbounded_channel::<T>();
        let sender = tauri::async_runtime::spawn(async move {
            // The first result of a batch is sent at most EVERY after it arrived.
            while let Some(first) = rx.recv().await {
                let until = tokio::time::Instant::now() + EVERY;
                let mut batch = vec![first];
                while batch.len() < AT_MOST {
                    match tokio::time::timeout_at(until, rx.recv()).await {
                        Ok(Some(item)) => batch.push(item),
                        Ok(None) | Err(_) => break,
                    }
                }
                let _ = channel.send(batch);
            }
        });
        Self { tx, sender }
    }

    /// Where the producer's callback puts each result.
    pub fn sink(&self) -> impl Fn(T) + use<T> {
        let tx = self.tx.clone();
        move |item| {
            let _ = tx.send(item);
        }
    }

    /// Sends what is still waiting, and returns once it is sent.
    pub async fn finish(self) {
        drop(self.tx);
        let _ = self.sender.await;
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::sync::{Arc, Mutex};
    use tauri::ipc::InvokeResponseBody;

    /// Every message a channel carried, each the JSON array it held.
    type Received = Arc<Mutex<Vec<Vec<u32>>>>;

    fn recording() -> (Channel<Vec<u32>>, Received) {
        let got: Received = Arc::default();
        let seen = got.clone();
        let channel = Channel::new(move |body| {
            if let InvokeResponseBody::Json(json) = body {
                seen.lock().unwrap().push(serde_json::from_str(&json).unwrap());
            }
            Ok(())
        });
        (channel, got)
    }

    #[test]
    fn results_go_out_together_within_50_ms_and_none_waits_for_the_next() {
        tauri::async_runtime::block_on(async {
            let (channel, got) = recording();
            let batch = Batched::new(channel);
            let sink = batch.sink();
            // 100 at once: a full batch of 64, then the rest together.
            (0..100).for_each(&sink);
            tokio::time::sleep(Duration::from_millis(150)).await;
            assert_eq!(got.lock().unwrap().iter().map(Vec::len).collect::<Vec<_>>(), vec![64, 36]);
            // A lone result is sent after at most 50 ms, without waiting for another one.
            sink(100);
            tokio::time::sleep(Duration::from_millis(150)).await;
            assert_eq!(got.lock().unwrap().last().unwrap(), &vec![100]);
            // finish() returns once what was waiting has been sent.
            sink(101);
            drop(sink);
            batch.finish().await;
            let all: Vec<u32> = got.lock().unwrap().concat();
            assert_eq!(all, (0..=101).collect::<Vec<_>>(), "every result, in order, once");
        });
    }
}
