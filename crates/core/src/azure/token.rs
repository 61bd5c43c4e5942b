//! Tokens from `az` through `azure_identity`'s `AzureCliCredential` — which has neither a timeout
//! nor a cache — wrapped with both: az runs in its own process group and is killed with its
//! children at the deadline; a token is kept in memory until 5 minutes before it expires, and
//! concurrent callers for one scope share a single az run.

use super::{AzError, az};
use crate::Secret;
use crate::config::Config;
use crate::process;
use azure_core::credentials::TokenCredential;
use std::collections::HashMap;
use std::ffi::OsStr;
use std::path::{Path, PathBuf};
use std::sync::Arc;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::time::{Duration, SystemTime, UNIX_EPOCH};

/// Runs what `AzureCliCredential` asks for with our environment, our `az`, and a deadline.
#[derive(Debug)]
struct BoundedExecutor {
    path: std::ffi::OsString,
    env: Vec<(String, String)>,
    timeout: Duration,
    runs: Arc<AtomicUsize>,
}

#[async_trait::async_trait]
impl azure_identity::Executor for BoundedExecutor {
    async fn run(&self, program: &OsStr, args: &[&OsStr]) -> std::io::Result<std::process::Output> {
        self.runs.fetch_add(1, Ordering::SeqCst);
        let mut env = self.env.clone();
        env.push(("PATH".into(), self.path.to_string_lossy().into_owned()));
        process::output(process::command(program, args, &env), self.timeout).await
    }
}

#[derive(Debug, Clone)]
struct Cached {
    token: Secret,
    expires_on: i64,
}

fn now() -> i64 {
    SystemTime::now().duration_since(UNIX_EPOCH).map(|d| d.as_secs() as i64).unwrap_or(0)
}

/// Tokens per scope for one config (tenant, az, sandbox environment).
pub struct TokenSource {
    credential: Arc<azure_identity::AzureCliCredential>,
    cache: std::sync::Mutex<HashMap<String, Arc<tokio::sync::Mutex<Option<Cached>>>>>,
    runs: Arc<AtomicUsize>,
    timeout: Duration,
}

impl std::fmt::Debug for TokenSource {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("TokenSource").field("runs", &self.runs).finish()
    }
}

impl TokenSource {
    /// `timeout` bounds each az run (default 20 s in the faces).
    pub fn new(az: &Path, config: &Config, timeout: Duration) -> Result<Self, AzError> {
        let az_dir: PathBuf = az.parent().map(Path::to_path_buf).unwrap_or_default();
        let path = std::env::join_paths(std::iter::once(az_dir).chain(std::env::split_paths(&std::env::var_os("PATH").unwrap_or_default())))
            .map_err(|e| AzError::Spawn(e.to_string()))?;
        let runs = Arc::new(AtomicUsize::new(0));
        let executor = Arc::new(BoundedExecutor { path, env: az::env(config), timeout, runs: runs.clone() });
        let options = azure_identity::AzureCliCredentialOptions { tenant_id: config.azure.tenant.clone(), executor: Some(executor), ..Default::default() };
        let credential = azure_identity::AzureCliCredential::new(Some(options)).map_err(|e| AzError::Spawn(e.to_string()))?;
        Ok(Self { credential, cache: std::sync::Mutex::new(HashMap::new()), runs, timeout })
    }

    /// How many times az has run (for tests and the bench).
    pub fn az_runs(&self) -> usize {
        self.runs.load(Ordering::SeqCst)
    }

    /// A token for `scope`: cached until 5 minutes before expiry; one az run for any number of
    /// concurrent callers.
    pub async fn token(&self, scope: &str) -> Result<Secret, AzError> {
        let slot = {
            let mut cache = self.cache.lock().map_err(|_| AzError::Spawn("token cache poisoned".into()))?;
            cache.entry(scope.to_string()).or_default().clone()
        };
        let mut guard = slot.lock().await;
        if let Some(c) = guard.as_ref()
            && c.expires_on - 300 > now()
        {
            return Ok(c.token.clone());
        }
        let fetched = self.credential.get_token(&[scope], None).await.map_err(|e| {
            let text = e.to_string();
            if text.contains("still running after") || text.contains("timed out") {
                AzError::Timeout { command: "account get-access-token".into(), secs: self.timeout.as_secs() }
            } else if text.contains("not found on PATH") {
                AzError::NotInstalled
            } else if let Some(explained) = super::aadsts::explain(&text) {
                // A refusal Entra named (AADSTS700082: the sign-in went stale…) says more than
                // az's generic "run az login".
                AzError::Failed { command: "account get-access-token".into(), explained: Some(explained), stderr: crate::redact::first_bytes(&text, 400) }
            } else if text.contains("az login") {
                AzError::NotLoggedIn
            } else {
                AzError::Failed {
                    command: "account get-access-token".into(),
                    explained: super::aadsts::explain(&text),
                    stderr: crate::redact::first_bytes(&text, 400),
                }
            }
        })?;
        let token = Secret::new(fetched.token.secret().to_string());
        *guard = Some(Cached { token: token.clone(), expires_on: fetched.expires_on.unix_timestamp() });
        Ok(token)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::fuzz::{self, json_value, object_of, string_value};
    use proptest::prelude::*;

    /// What `az account get-access-token` prints: the token JSON with any field wrong (a huge or
    /// negative expiry, a date that is not one, nulls), other JSON, junk, or a refusal on stderr —
    /// through the real `AzureCliCredential` and a real process. A token or an error that says
    /// what az did; never a panic.
    #[test]
    fn fuzz_az_token_output_never_panics_and_errors_name_az() {
        let dir = tempfile::tempdir().unwrap();
        let az = dir.path().join("az");
        let (out, err, code) = (dir.path().join("out"), dir.path().join("err"), dir.path().join("code"));
        std::fs::write(&az, format!("#!/bin/sh\ncat '{}'\ncat '{}' >&2\nexit \"$(cat '{}')\"\n", out.display(), err.display(), code.display())).unwrap();
        std::fs::set_permissions(&az, std::os::unix::fs::PermissionsExt::from_mode(0o755)).unwrap();
        let expiry = prop_oneof![
            Just(serde_json::Value::from(now() + 3600)),
            Just(serde_json::Value::from(i64::MAX)),
            Just(serde_json::Value::from(i64::MIN)),
            Just(serde_json::Value::from(-1)),
            Just(serde_json::Value::from(1e300)),
            json_value(),
        ];
        let token = object_of(vec![
            ("accessToken", string_value()),
            ("expires_on", expiry.boxed()),
            ("expiresOn", prop_oneof![Just(serde_json::Value::from("2026-12-03 10:00:00.000000")), string_value()].boxed()),
            ("tokenType", prop_oneof![Just(serde_json::Value::from("Bearer")), string_value()].boxed()),
            ("tenant", string_value()),
        ]);
        let stderr = prop_oneof![
            Just(String::new()),
            Just("ERROR: Please run 'az login' to setup account.".to_string()),
            "ERROR: AADSTS[0-9]{0,8}: .{0,20}",
            ".{0,40}",
        ];
        let cases = (fuzz::body(token), stderr, prop::sample::select(vec![0, 0, 1, 2]));
        let rt = fuzz::runtime();
        fuzz::runner(32)
            .run(&cases, |(body, stderr, exit)| {
                std::fs::write(&out, &body).unwrap();
                std::fs::write(&err, &stderr).unwrap();
                std::fs::write(&code, exit.to_string()).unwrap();
                let source = TokenSource::new(&az, &Config::default(), Duration::from_secs(10)).unwrap();
                if let Err(e) = rt.block_on(source.token(crate::azure::COGNITIVE_SCOPE)) {
                    prop_assert!(fuzz::names_what(&e.to_string(), &["az", "Azure", "AADSTS"]), "{e}");
                    prop_assert!(!crate::Diagnose::hint(&e).is_empty());
                }
                Ok(())
            })
            .unwrap();
    }
}
