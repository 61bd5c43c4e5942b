//! When a polling face (the app's Usage tab) asks for usage next, so that thousands of developers
//! do not hit one gateway in step: `usage.refresh_minutes` with ±20 % jitter, exponential backoff
//! after failures (capped), a source's `Retry-After` honoured; and one request in flight per
//! endpoint, a second caller joining the first.

use super::UsageError;
use chrono::{DateTime, Duration, Utc};
use std::collections::HashMap;
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::{Arc, Mutex, OnceLock};

/// How far a refresh moves from the interval, either way, as a share of it.
pub const JITTER: f64 = 0.2;
/// The first wait after a failure; each further failure doubles it.
pub const FIRST_BACKOFF: Duration = Duration::seconds(30);
/// The longest wait after failures (a `Retry-After` may ask for longer).
pub const MAX_BACKOFF: Duration = Duration::minutes(30);
/// The longest `Retry-After` believed (a server's typo should not stop refreshes for days).
pub const MAX_RETRY_AFTER: Duration = Duration::hours(1);

/// How the last refresh went.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Outcome {
    /// A report came back (fresh, or the cached one while the source is down counts as a failure).
    Refreshed,
    /// The source failed; `retry_after` when it said how long to wait.
    Failed { retry_after: Option<Duration> },
}

impl Outcome {
    /// The outcome of a [`super::report`] call: a stale report is a failure of the source.
    pub fn of(result: &Result<super::UsageReport, UsageError>) -> Self {
        match result {
            Ok(r) if r.stale.is_none() => Outcome::Refreshed,
            Ok(_) => Outcome::Failed { retry_after: None },
            Err(e) => Outcome::Failed { retry_after: super::cache::retry_after(e) },
        }
    }
}

/// The polling plan of one face for one source.
#[derive(Debug, Clone, PartialEq)]
pub struct Schedule {
    interval: Duration,
    failures: u32,
}

impl Schedule {
    /// `refresh_minutes` from the config (0 is taken as 1: a poll loop must not spin).
    pub fn new(refresh_minutes: u32) -> Self {
        Self { interval: Duration::minutes(i64::from(refresh_minutes.max(1))), failures: 0 }
    }

    /// Failures since the last good refresh.
    pub fn failures(&self) -> u32 {
        self.failures
    }

    /// When to refresh next after a refresh that ended at `now` with `outcome`, with a random jitter.
    pub fn next(&mut self, now: DateTime<Utc>, outcome: Outcome) -> DateTime<Utc> {
        self.next_with(now, outcome, fastrand::f64() * 2.0 - 1.0)
    }

    /// How long to wait from now until the next refresh after one that just ended with `outcome`
    /// (at least a second: a poll loop must not spin).
    pub fn wait_after(&mut self, outcome: Outcome) -> std::time::Duration {
        let now = Utc::now();
        (self.next(now, outcome) - now).to_std().unwrap_or_default().max(std::time::Duration::from_secs(1))
    }

    /// [`Schedule::next`] with the jitter given: `jitter` in −1..=1 moves the wait by up to
    /// ±[`JITTER`] of it (a `Retry-After` is only ever lengthened).
    pub fn next_with(&mut self, now: DateTime<Utc>, outcome: Outcome, jitter: f64) -> DateTime<Utc> {
        let jitter = jitter.clamp(-1.0, 1.0);
        let spread = |d: Duration, share: f64| d + Duration::milliseconds((d.num_milliseconds() as f64 * JITTER * share) as i64);
        match outcome {
            Outcome::Refreshed => {
                self.failures = 0;
                now + spread(self.interval, jitter)
            }
            Outcome::Failed { retry_after } => {
                self.failures = self.failures.saturating_add(1);
                let doubled = FIRST_BACKOFF.checked_mul(1i32 << (self.failures - 1).min(16)).unwrap_or(MAX_BACKOFF);
                let backoff = spread(doubled.min(MAX_BACKOFF), jitter);
                let asked = retry_after.map(|r| spread(r.clamp(Duration::zero(), MAX_RETRY_AFTER), jitter.abs()));
                now + asked.map_or(backoff, |a| a.max(backoff))
            }
        }
    }
}

/// One request in flight per endpoint: callers for the same endpoint wait behind the one asking,
/// and a caller that waited while another's request finished takes that answer instead of asking
/// again.
#[derive(Default)]
pub struct InFlight {
    endpoints: Mutex<HashMap<String, Arc<Endpoint>>>,
}

#[derive(Default)]
struct Endpoint {
    asking: tokio::sync::Mutex<()>,
    /// How many requests to this endpoint have finished.
    finished: AtomicU64,
}

impl InFlight {
    /// The process's registry (both the Usage tab and the doctor go through it).
    pub fn shared() -> &'static InFlight {
        static SHARED: OnceLock<InFlight> = OnceLock::new();
        SHARED.get_or_init(InFlight::default)
    }

    /// Runs `ask` for `endpoint` when no other request to it is in flight; `ask` gets `true`
    /// when another caller's request finished while this one waited (its answer is in the cache).
    pub async fn run<T, F: std::future::Future<Output = T>>(&self, endpoint: &str, ask: impl FnOnce(bool) -> F) -> T {
        let entry = {
            // A panic while holding this lock cannot leave the map half-changed: take it anyway.
            let mut map = self.endpoints.lock().unwrap_or_else(|e| e.into_inner());
            map.entry(endpoint.to_string()).or_default().clone()
        };
        let before = entry.finished.load(Ordering::SeqCst);
        let _turn = entry.asking.lock().await;
        let joined = entry.finished.load(Ordering::SeqCst) != before;
        let out = ask(joined).await;
        entry.finished.fetch_add(1, Ordering::SeqCst);
        out
    }
}

#[cfg(test)]
#[path = "schedule_tests.rs"]
mod tests;
