//! The ARM reader both discovery phases share: GET with the token only on the configured ARM
//! origin (a `nextLink` elsewhere is refused before anything is sent), `Retry-After` honoured on
//! 429, 5xx retried with backoff, and at most a fixed number of requests in flight.

use crate::Secret;
use crate::azure::AzError;
use crate::config::Config;
use crate::net::Network;
use serde_json::Value;
use std::sync::atomic::{AtomicU64, Ordering};
use std::time::Duration;

/// At most this many pages of one list are followed (a loop guard, not a limit anyone meets).
const MAX_PAGES: usize = 200;
/// Attempts per request when ARM throttles (429) or fails (5xx).
const ATTEMPTS: u32 = 4;

pub(super) struct ArmReader {
    net: Network,
    base: String,
    origin: url::Origin,
    token: Secret,
    requests: AtomicU64,
    gate: tokio::sync::Semaphore,
}

impl ArmReader {
    /// A reader for the config's ARM URL with at most `parallel` requests in flight.
    pub(super) fn new(net: &Network, config: &Config, token: &Secret, parallel: usize) -> Result<Self, AzError> {
        let base = config.azure.arm_url.trim_end_matches('/').to_string();
        let origin = url::Url::parse(&base).map_err(|e| AzError::Parse(format!("the ARM URL {base:?}: {e}")))?.origin();
        Ok(Self { net: net.clone(), base, origin, token: token.clone(), requests: AtomicU64::new(0), gate: tokio::sync::Semaphore::new(parallel) })
    }

    /// The ARM URL without a trailing slash; resource ids are appended to it.
    pub(super) fn base(&self) -> &str {
        &self.base
    }

    /// Requests sent so far, retries included.
    pub(super) fn requests(&self) -> u64 {
        self.requests.load(Ordering::Relaxed)
    }

    /// One JSON body. The gate is held only while a request is on the wire, not while waiting
    /// out a `Retry-After`, so a throttled request does not stall the others.
    pub(super) async fn get(&self, url: &str) -> Result<Value, AzError> {
        let parsed = url::Url::parse(url).map_err(|e| AzError::Arm {
            status: 200,
            what: "a page's nextLink".into(),
            code: "(not a URL)".into(),
            message: format!("{e}: {}", crate::redact::first_bytes(url, 120)),
        })?;
        if parsed.origin() != self.origin {
            return Err(AzError::ForeignLink { target: parsed.origin().ascii_serialization(), arm: self.origin.ascii_serialization() });
        }
        let what = parsed.path().to_string();
        let mut attempt = 0u32;
        loop {
            attempt += 1;
            let (status, retry_after, text) = {
                let _permit = self.gate.acquire().await.map_err(|_| AzError::Spawn("the ARM request gate is closed".into()))?;
                self.requests.fetch_add(1, Ordering::Relaxed);
                let rb = self.net.http.request(reqwest::Method::GET, url)?.bearer_auth(self.token.expose());
                let resp = self.net.http.send(rb).await?;
                let status = resp.status().as_u16();
                let retry_after = resp.headers().get("retry-after").and_then(|v| v.to_str().ok()).and_then(|v| v.trim().parse::<u64>().ok());
                (status, retry_after, crate::net::body_text(resp).await)
            };
            if (status == 429 || status >= 500) && attempt < ATTEMPTS {
                let wait = match (status, retry_after) {
                    (429, Some(s)) => Duration::from_secs(s.min(10)),
                    _ => Duration::from_millis(250 * 2u64.pow(attempt)),
                };
                tokio::time::sleep(wait).await;
                continue;
            }
            if !(200..300).contains(&status) {
                let v: Value = serde_json::from_str(&text).unwrap_or(Value::Null);
                return Err(AzError::Arm {
                    status,
                    what,
                    code: crate::redact::first_bytes(v["error"]["code"].as_str().unwrap_or("(no code)"), 100),
                    message: crate::redact::first_bytes(v["error"]["message"].as_str().unwrap_or(&text), 300),
                });
            }
            // A body that is not JSON is ARM's (or what stands in its place), not az's.
            return serde_json::from_str(&text).map_err(|e| AzError::Arm {
                status,
                what,
                code: "(not JSON)".into(),
                message: format!("{e}: {}", crate::redact::first_bytes(&text, 120)),
            });
        }
    }

    /// Every `value` item, following `nextLink` pages one after the other (each page names the
    /// next). A link back to a page already read ends the listing with an error: followed, it
    /// would repeat every page (and, for subscriptions, every account listing) up to `MAX_PAGES`.
    pub(super) async fn list(&self, first: String) -> Result<Vec<Value>, AzError> {
        let mut out = Vec::new();
        let mut next = Some(first);
        let mut seen = std::collections::HashSet::new();
        while let Some(url) = next.take() {
            if seen.len() >= MAX_PAGES {
                break;
            }
            if !seen.insert(url.clone()) {
                let what = url::Url::parse(&url).map(|u| u.path().to_string()).unwrap_or_default();
                return Err(AzError::Arm {
                    status: 200,
                    what,
                    code: "(nextLink loop)".into(),
                    message: "the nextLink points back to a page already read; not followed".into(),
                });
            }
            let page = self.get(&url).await?;
            if let Some(items) = page["value"].as_array() {
                out.extend(items.iter().cloned());
            }
            next = page["nextLink"].as_str().filter(|s| !s.is_empty()).map(str::to_string);
        }
        Ok(out)
    }
}
