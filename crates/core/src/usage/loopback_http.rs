//! A scripted HTTP/1.1 server on 127.0.0.1 for the usage sources' tests: raw answers written by
//! hand (any status, header or body a real service or a proxy can send), every request recorded
//! with its Authorization header and JSON body, and when each answer went out.

use serde_json::Value;
use std::sync::{Arc, Mutex};
use std::time::Duration;
use tokio::io::{AsyncReadExt, AsyncWriteExt};
use tokio::net::TcpListener;

/// A request as the server saw it.
#[derive(Debug, Clone)]
pub struct Seen {
    pub path: String,
    pub authorization: String,
    pub if_none_match: Option<String>,
    pub body: Value,
}

/// An answer: status, extra headers (JSON content type unless one is given), body, and how long
/// to wait before sending it.
pub struct Canned {
    pub status: u16,
    pub headers: Vec<(&'static str, String)>,
    pub body: String,
    pub delay: Duration,
}

impl Canned {
    pub fn new(status: u16, body: impl Into<String>) -> Self {
        Self { status, headers: Vec::new(), body: body.into(), delay: Duration::ZERO }
    }

    pub fn header(mut self, name: &'static str, value: impl Into<String>) -> Self {
        self.headers.push((name, value.into()));
        self
    }

    pub fn after(mut self, delay: Duration) -> Self {
        self.delay = delay;
        self
    }
}

pub struct Server {
    pub url: String,
    pub seen: Arc<Mutex<Vec<Seen>>>,
    /// "request <path>" and "reply <path>", in the order they happened.
    pub events: Arc<Mutex<Vec<String>>>,
}

impl Server {
    pub fn seen(&self) -> Vec<Seen> {
        self.seen.lock().unwrap().clone()
    }

    pub fn events(&self) -> Vec<String> {
        self.events.lock().unwrap().clone()
    }
}

/// Serves every request with `answer`, one task per connection, until the test's runtime ends.
pub async fn serve(answer: impl Fn(&Seen) -> Canned + Send + Sync + 'static) -> Server {
    let listener = TcpListener::bind("127.0.0.1:0").await.unwrap();
    let url = format!("http://127.0.0.1:{}", listener.local_addr().unwrap().port());
    let seen: Arc<Mutex<Vec<Seen>>> = Arc::default();
    let events: Arc<Mutex<Vec<String>>> = Arc::default();
    let (log, ev, answer) = (seen.clone(), events.clone(), Arc::new(answer));
    tokio::spawn(async move {
        while let Ok((mut s, _)) = listener.accept().await {
            let (log, ev, answer) = (log.clone(), ev.clone(), answer.clone());
            tokio::spawn(async move {
                let mut buf = Vec::new();
                let mut chunk = [0u8; 8192];
                let head_end = loop {
                    if let Some(i) = buf.windows(4).position(|w| w == b"\r\n\r\n") {
                        break i + 4;
                    }
                    match s.read(&mut chunk).await {
                        Ok(0) | Err(_) => return,
                        Ok(n) => buf.extend_from_slice(&chunk[..n]),
                    }
                };
                let head = String::from_utf8_lossy(&buf[..head_end]).to_string();
                let header = |name: &str| head.lines().find_map(|l| l.to_ascii_lowercase().starts_with(name).then(|| l[name.len()..].trim().to_string()));
                let length: usize = header("content-length:").and_then(|v| v.parse().ok()).unwrap_or(0);
                while buf.len() < head_end + length {
                    match s.read(&mut chunk).await {
                        Ok(0) | Err(_) => break,
                        Ok(n) => buf.extend_from_slice(&chunk[..n]),
                    }
                }
                let request = Seen {
                    path: head.split_whitespace().nth(1).unwrap_or("/").to_string(),
                    authorization: header("authorization:").unwrap_or_default(),
                    if_none_match: header("if-none-match:"),
                    body: serde_json::from_slice(&buf[head_end..]).unwrap_or(Value::Null),
                };
                log.lock().unwrap().push(request.clone());
                ev.lock().unwrap().push(format!("request {}", request.path));
                let reply = answer(&request);
                tokio::time::sleep(reply.delay).await;
                let mut out = format!("HTTP/1.1 {} X\r\ncontent-length: {}\r\nconnection: close\r\n", reply.status, reply.body.len());
                if !reply.headers.iter().any(|(k, _)| k.eq_ignore_ascii_case("content-type")) {
                    out.push_str("content-type: application/json\r\n");
                }
                for (k, v) in &reply.headers {
                    out.push_str(&format!("{k}: {v}\r\n"));
                }
                out.push_str("\r\n");
                out.push_str(&reply.body);
                ev.lock().unwrap().push(format!("reply {}", request.path));
                let _ = s.write_all(out.as_bytes()).await;
            });
        }
    });
    Server { url, seen, events }
}
