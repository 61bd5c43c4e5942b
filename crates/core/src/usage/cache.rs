//! The one "refresh usage" entry point both faces call with the loaded config, and the last good
//! report kept on disk (atomic write, no secrets): served while it is younger than
//! `usage.refresh_minutes`, while a source's `Retry-After` lasts, and — marked stale with the
//! time and the reason — when the source fails.

use super::model::SourceKind;
use super::refresh::{self, UsageReport};
use super::{AzureMonitorError, LitellmError, UsageError};
use crate::config::Config;
use crate::error::Diagnose;
use chrono::{DateTime, Duration, Utc};
use serde::{Deserialize, Serialize};
use std::path::PathBuf;
use ts_rs::TS;

/// Why the report shown is the last good one and not a fresh one.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, TS)]
#[serde(rename_all = "camelCase")]
pub struct Stale {
    /// What went wrong now (the source's error, as the person would read it).
    pub reason: String,
    pub hint: String,
    /// When the report shown was fetched.
    #[ts(type = "string")]
    pub fetched_at: DateTime<Utc>,
    /// When the source refused or lacked the credential: what brings fresh numbers (the Usage tab
    /// asks for a gateway key). Not part of `usage --json` nor of the file.
    #[serde(skip)]
    #[ts(skip)]
    pub remedy: Option<super::credential::Remedy>,
}

/// What a face asks for.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct UsageAsk {
    /// How many days back, today included.
    pub days: u32,
    /// Ask the source now even when the cached report is younger than `usage.refresh_minutes`.
    pub force: bool,
}

/// What is on disk: the report and what it is about (never a credential).
#[derive(Debug, Clone, Serialize, Deserialize)]
struct CacheEntry {
    subject: String,
    days: u32,
    fetched_at: DateTime<Utc>,
    /// A source's `Retry-After`: no request before this time.
    not_before: Option<DateTime<Utc>>,
    report: UsageReport,
}

/// Which source a report came from: the kind and where it was asked (a gateway URL, a workspace).
fn subject(config: &Config) -> String {
    let u = &config.usage;
    match config.usage_source() {
        SourceKind::Litellm => format!("litellm {}", config.gateway.url.as_deref().unwrap_or("")),
        SourceKind::AzureMonitor => format!("azure-monitor {} {}", u.endpoint, u.workspace.as_deref().or(u.resource_id.as_deref()).unwrap_or("")),
        SourceKind::Local => "local".to_string(),
    }
}

/// `<home>/.local/state/foundry-onboard/usage.json` (the sandbox's home in a sandbox).
pub fn path(config: &Config) -> Option<PathBuf> {
    let home = config.realm().profile_home().map(PathBuf::from).or_else(|| std::env::var_os("HOME").filter(|h| !h.is_empty()).map(PathBuf::from))?;
    Some(home.join(".local/state/foundry-onboard/usage.json"))
}

/// The `local` source's index of what it read from the transcripts, beside the cached report.
pub fn transcript_index_path(config: &Config) -> Option<PathBuf> {
    path(config).map(|p| p.with_file_name("usage-transcripts.json"))
}

/// How many reports the file keeps (one per source and window: the tab's 90 days, the doctor's
/// check, the CLI's `--days`), newest first.
pub const KEPT: usize = 6;

/// What the file holds: the newest reports, or — written by an older version — a single one.
#[derive(Deserialize)]
#[serde(untagged)]
enum CacheFile {
    Many { entries: Vec<CacheEntry> },
    One(Box<CacheEntry>),
}

fn load_all(config: &Config) -> Vec<CacheEntry> {
    let Some(bytes) = path(config).and_then(|p| crate::limited_read::read(&p, crate::limited_read::Limit::TOOL_STATE).ok()) else { return Vec::new() };
    match serde_json::from_slice(&bytes) {
        Ok(CacheFile::Many { entries }) => entries,
        Ok(CacheFile::One(entry)) => vec![*entry],
        Err(_) => Vec::new(),
    }
}

/// The report kept for this source and window.
fn load(config: &Config, subject: &str, days: u32) -> Option<CacheEntry> {
    load_all(config).into_iter().find(|c| c.subject == subject && c.days == days)
}

/// Keeps `entry` in place of the one for the same source and window, the others after it.
fn store(config: &Config, entry: &CacheEntry) {
    let Some(path) = path(config) else { return };
    let mut entries: Vec<&CacheEntry> = vec![entry];
    let others = load_all(config);
    entries.extend(others.iter().filter(|c| !(c.subject == entry.subject && c.days == entry.days)).take(KEPT - 1));
    let written = serde_json::to_vec(&serde_json::json!({ "entries": entries })).map_err(std::io::Error::other).and_then(|bytes| {
        if let Some(dir) = path.parent() {
            std::fs::create_dir_all(dir)?;
        }
        crate::atomic_file::write_private(&path, &bytes)
    });
    if let Err(e) = written {
        tracing::warn!("cannot keep the usage report in {}: {e}", path.display());
    }
}

/// The last report kept for `config`'s source and this many days, read from disk with no network
/// (the tab's first paint); None when there is none. It may be older than `usage.refresh_minutes`:
/// the caller refreshes after painting it.
pub fn cached(config: &Config, days: u32) -> Option<UsageReport> {
    let subject = subject(config);
    load(config, &subject, days).map(|c| c.report)
}

/// This machine's own record for the last `days` days, read now from the transcripts (no network,
/// no credential, not cached: the cache holds the configured source's report) — what the tab
/// compares a gateway's figures with.
pub async fn local_estimate(config: &Config, days: u32) -> Result<UsageReport, UsageError> {
    let mut local = config.clone();
    local.usage.source = Some(SourceKind::Local);
    let net = crate::net::Network::new(&local, crate::net::Timeouts::default())?;
    let source = refresh::source(&local, net, refresh::Credential::None, super::credential::local_paths(&local), None)?;
    refresh::refresh(source.as_ref(), &local, days).await
}

/// How long a source asked to be left alone, from its 429.
pub(super) fn retry_after(e: &UsageError) -> Option<Duration> {
    let s = match e {
        UsageError::Litellm(LitellmError::RateLimited { retry_after_s, .. }) => *retry_after_s,
        UsageError::AzureMonitor(AzureMonitorError::RateLimited { retry_after_s, .. }) => *retry_after_s,
        _ => None,
    }?;
    Duration::try_seconds(i64::try_from(s.min(3600)).ok()?)
}

/// The usage report for `config`'s source: from the cache while it is fresh, else asked now (the
/// credential fetched here, once); when the source fails, the last good report marked stale, or
/// the error when there is none.
///
/// One request in flight per source and window ([`super::schedule::InFlight`]): a caller that
/// waited while another's refresh finished is given that report, even when it asked to force one.
pub async fn report(config: &Config, ask: UsageAsk) -> Result<UsageReport, UsageError> {
    let endpoint = format!("{} {}", subject(config), ask.days);
    super::schedule::InFlight::shared().run(&endpoint, |joined| report_now(config, if joined { UsageAsk { force: false, ..ask } } else { ask })).await
}

async fn report_now(config: &Config, ask: UsageAsk) -> Result<UsageReport, UsageError> {
    let now = Utc::now();
    let subject = subject(config);
    let cached = load(config, &subject, ask.days);
    if let Some(c) = &cached {
        let fresh_for = Duration::minutes(i64::from(config.usage.refresh_minutes));
        if !ask.force && now < c.fetched_at + fresh_for && c.not_before.is_none() {
            return Ok(c.report.clone());
        }
    }
    let (cached, waiting) = match cached {
        Some(c) if c.not_before.is_some_and(|t| now < t) => (None, Some(c)),
        other => (other, None),
    };
    if let Some(c) = waiting {
        let until = c.not_before.map(|t| t.format("%H:%M:%S UTC").to_string()).unwrap_or_default();
        return Ok(stale(c, format!("the source asked to be left alone until {until} (Retry-After)"), "The report updates after that time.".into(), None));
    }
    match fetch(config, ask.days).await {
        Ok(report) => {
            store(config, &CacheEntry { subject, days: ask.days, fetched_at: now, not_before: None, report: report.clone() });
            Ok(report)
        }
        Err(e) => {
            let wait = retry_after(&e).map(|d| now + d);
            let Some(mut c) = cached else { return Err(e) };
            c.not_before = wait;
            store(config, &c);
            let remedy = super::credential::remedy(config, &e);
            Ok(stale(c, e.to_string(), e.hint(), remedy))
        }
    }
}

fn stale(c: CacheEntry, reason: String, hint: String, remedy: Option<super::credential::Remedy>) -> UsageReport {
    let mut report = c.report;
    report.stale = Some(Stale { reason, hint, fetched_at: c.fetched_at, remedy });
    report
}

/// Asks the configured source now, with the credential fetched here.
async fn fetch(config: &Config, days: u32) -> Result<UsageReport, UsageError> {
    let credential = super::credential::credential(config).await?;
    let net = crate::net::Network::new(config, crate::net::Timeouts::default())?;
    let source = refresh::source(config, net, credential, super::credential::local_paths(config), custom_query(config)?)?;
    refresh::refresh(source.as_ref(), config, days).await
}

/// The org's KQL (`usage.query_file`) when the preset is `custom`.
pub fn custom_query(config: &Config) -> Result<Option<String>, super::RefreshError> {
    match (&config.usage.preset, &config.usage.query_file) {
        (Some(crate::config::KqlPreset::Custom), Some(file)) => {
            std::fs::read_to_string(file).map(Some).map_err(|source| super::RefreshError::QueryFile { path: file.clone(), source })
        }
        _ => Ok(None),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn sandbox_config(home: &std::path::Path) -> Config {
        let mut c = Config::default();
        std::fs::write(home.join("ca.pem"), include_str!("../../../../tests/e2e/fixtures/any-ca.pem")).unwrap();
        c.gateway.auth = crate::config::GatewayAuth::Key;
        c.sandbox = Some(crate::config::SandboxLink { home: home.into(), ca_file: home.join("ca.pem"), private_base_url: None, policy: None });
        c
    }

    #[tokio::test]
    async fn the_last_good_report_is_kept_and_shown_stale_with_the_reason_when_the_source_fails() {
        crate::keyring::use_mock_store();
        let home = tempfile::tempdir().unwrap();
        let mut config = sandbox_config(home.path());
        let ask = UsageAsk { days: 30, force: false };
        let fresh = report(&config, ask).await.unwrap();
        assert_eq!((fresh.snapshot.source, fresh.stale.clone()), (SourceKind::Local, None));
        let file = path(&config).unwrap();
        assert!(file.starts_with(home.path()), "{}", file.display());

        // The same report, now about a gateway that does not answer (port 9 on loopback).
        config.gateway.url = Some("http://127.0.0.1:9".into());
        let CacheFile::Many { entries } = serde_json::from_slice(&std::fs::read(&file).unwrap()).unwrap() else { panic!("the file holds entries") };
        let mut entry = entries[0].clone();
        entry.subject = subject(&config);
        // Written as an older version wrote it: one report, not a list.
        std::fs::write(&file, serde_json::to_vec(&entry).unwrap()).unwrap();
        crate::keyring::SecretStore::for_realm(&config.realm()).set(crate::profile::GATEWAY_KEY, &crate::Secret::new("sk-cache-test-key")).unwrap();
        let cached = report(&config, ask).await.unwrap();
        assert_eq!(cached.stale, None, "younger than refresh_minutes: served without asking");
        let stale = report(&config, UsageAsk { force: true, ..ask }).await.unwrap().stale.expect("stale");
        assert!(stale.reason.contains("127.0.0.1:9") && !stale.hint.is_empty(), "{stale:?}");
        assert_eq!(stale.fetched_at, entry.fetched_at);
        assert_eq!(stale.remedy, None, "a gateway that does not answer is not fixed by a key");
        let text = std::fs::read_to_string(&file).unwrap();
        assert!(!text.contains("sk-cache-test-key"), "no secret on disk");
        // The key gone from the keyring: still the last report, and the tab asks for a key.
        crate::keyring::SecretStore::for_realm(&config.realm()).delete(crate::profile::GATEWAY_KEY).unwrap();
        let stale = report(&config, UsageAsk { force: true, ..ask }).await.unwrap().stale.expect("stale");
        let key_file = home.path().parent().unwrap().join(crate::sandbox_info::GATEWAY_KEY_FILE).display().to_string();
        assert_eq!(stale.remedy, Some(super::super::credential::Remedy::GatewayKey { sandbox_key_file: Some(key_file) }), "{stale:?}");
        crate::keyring::SecretStore::for_realm(&config.realm()).set(crate::profile::GATEWAY_KEY, &crate::Secret::new("sk-cache-test-key")).unwrap();

        // Another days window has no cache: the error itself.
        assert!(report(&config, UsageAsk { days: 7, force: true }).await.is_err());
        // Another window's report does not replace this one's.
        config.gateway.url = None;
        report(&config, UsageAsk { days: 7, force: true }).await.unwrap();
        report(&config, UsageAsk { days: 90, force: true }).await.unwrap();
        assert!(super::cached(&config, 7).is_some() && super::cached(&config, 90).is_some(), "one report per window");
        config.gateway.url = Some("http://127.0.0.1:9".into());
        assert_eq!(super::cached(&config, 30).map(|r| r.stale), Some(None), "the gateway's 30-day report is still kept");
    }
}
