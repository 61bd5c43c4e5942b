//! The org policy: the same keys as the config, in a system-wide file the platform team ships.
//! Its values pre-fill the wizard; `locked` makes some of them read-only in the CLI and the UI.

use super::{Config, KNOWN_KEYS, ReadError, SourceFile, validate, without_foundry};
use crate::error::{Diagnose, ErrorKind};
use std::path::{Path, PathBuf};

/// Overrides the platform policy path (for tests and for admins trying a draft).
pub const POLICY_ENV: &str = "FOUNDRY_ONBOARD_POLICY";

/// `--policy FILE` (e.g. `setup --policy`): the same as [`POLICY_ENV`] for this process, set once
/// by a face before it loads any config.
static POLICY_FLAG: std::sync::OnceLock<PathBuf> = std::sync::OnceLock::new();

/// The keys a sandbox keeps its own whatever the policy it was started with says: its endpoints
/// (random loopback ports), its tenant, its resolver and address range. The policy's value for
/// one is still what the organisation decided ([`crate::setup::decided`] shows it, e.g. resource
/// `sandbox-ai`), but the config uses the sandbox's, so every request stays on loopback.
pub const SANDBOX_OWNED_KEYS: &[&str] = &[
    "azure.tenant",
    "azure.arm_url",
    "azure.authority_url",
    "foundry.resource",
    "foundry.base_url",
    "gateway.url",
    "network.dns_servers",
    "network.expected_cidrs",
    "usage.endpoint",
];

#[derive(Debug, thiserror::Error)]
pub enum PolicyError {
    #[error("cannot read the org policy {}: {source}", path.display())]
    Read { path: PathBuf, source: std::io::Error },
    #[error("{}:{line}: {message}", path.display())]
    Parse { path: PathBuf, line: usize, message: String },
    #[error("{}:{line}: locked key {key:?} is not a configuration key", path.display())]
    UnknownLockedKey { path: PathBuf, line: usize, key: String },
    #[error("{}:{line}: [sandbox] cannot be set by an org policy", path.display())]
    SandboxInPolicy { path: PathBuf, line: usize },
    #[error("{key} is locked by the org policy {}", path.display())]
    Locked { key: String, path: PathBuf },
    #[error("the policy file {} does not exist", path.display())]
    NotFound { path: PathBuf },
}

impl Diagnose for PolicyError {
    fn kind(&self) -> ErrorKind {
        ErrorKind::Policy
    }
    fn hint(&self) -> String {
        match self {
            PolicyError::Read { source, .. } if source.kind() == std::io::ErrorKind::FileTooLarge => {
                format!("An org policy is a TOML file of a few KiB: ask your platform team to reinstall it (or point ${POLICY_ENV} at the right file).")
            }
            PolicyError::Read { .. } => "Check the file's permissions, or ask your platform team to reinstall it.".into(),
            PolicyError::Parse { .. } | PolicyError::UnknownLockedKey { .. } | PolicyError::SandboxInPolicy { .. } => {
                format!("Ask your platform team to fix the policy file; valid keys are: {}.", KNOWN_KEYS.join(", "))
            }
            PolicyError::Locked { .. } => "Your platform team set this value; ask them if it needs to change.".into(),
            PolicyError::NotFound { .. } => "Check the path given to --policy (docs/policy.sandbox.toml is a sample).".into(),
        }
    }
}

/// A loaded policy (possibly empty when no policy file exists).
#[derive(Debug, Clone, Default)]
pub struct Policy {
    pub source: Option<SourceFile>,
    /// Every value the policy sets, as written (what the organisation decided).
    pub table: toml::Table,
    /// Every key the policy locks, as written.
    pub locked: Vec<String>,
    /// Keys the realm keeps its own ([`SANDBOX_OWNED_KEYS`] for a sandbox): neither laid under
    /// the config nor enforced, though still in `table` and `locked`.
    realm_owned: &'static [&'static str],
}

impl Policy {
    /// Sets the policy file for this process (`--policy FILE`); the first call wins.
    pub fn set_path_override(path: PathBuf) {
        let _ = POLICY_FLAG.set(path);
    }

    /// Where the platform team installs the policy on this OS (or `--policy`, or `$FOUNDRY_ONBOARD_POLICY`).
    pub fn default_path() -> PathBuf {
        if let Some(p) = POLICY_FLAG.get() {
            return p.clone();
        }
        if let Some(p) = std::env::var_os(POLICY_ENV) {
            return PathBuf::from(p);
        }
        if cfg!(target_os = "macos") {
            PathBuf::from("/Library/Application Support/FoundryOnboard/policy.toml")
        } else if cfg!(windows) {
            let base = std::env::var_os("ProgramData").map(PathBuf::from).unwrap_or_else(|| PathBuf::from(r"C:\ProgramData"));
            base.join("FoundryOnboard").join("policy.toml")
        } else {
            PathBuf::from("/etc/foundry-onboard/policy.toml")
        }
    }

    /// Reads the policy at `path`; a missing file is an empty policy.
    /// At most [`crate::limited_read::Limit::CONFIG`] of it is read.
    pub fn load(path: &Path) -> Result<Self, PolicyError> {
        match SourceFile::read(path) {
            Ok(file) => Self::parse(file),
            Err(ReadError::Io(e)) if e.kind() == std::io::ErrorKind::NotFound => Ok(Self::default()),
            Err(ReadError::Io(source)) => Err(PolicyError::Read { path: path.into(), source }),
            Err(ReadError::NotUtf8 { line, message }) => Err(PolicyError::Parse { path: path.into(), line, message }),
        }
    }

    /// Reads a policy named on purpose (`--policy FILE`): a missing file is an error.
    pub fn load_named(path: &Path) -> Result<Self, PolicyError> {
        if !path.exists() {
            return Err(PolicyError::NotFound { path: path.into() });
        }
        Self::load(path)
    }

    /// This policy as a sandbox applies it: the sandbox keeps [`SANDBOX_OWNED_KEYS`].
    pub fn for_sandbox(mut self) -> Self {
        self.realm_owned = SANDBOX_OWNED_KEYS;
        self
    }

    /// Whether the realm keeps `key` its own (so the policy's value is shown, not applied).
    pub fn is_realm_owned(&self, key: &str) -> bool {
        self.realm_owned.contains(&key)
    }

    /// What the policy lays under the config: its values without the realm's own keys.
    pub fn base_table(&self) -> toml::Table {
        let mut table = self.table.clone();
        for key in self.realm_owned {
            if let Some((section, leaf)) = key.split_once('.')
                && let Some(toml::Value::Table(s)) = table.get_mut(section)
            {
                s.remove(leaf);
            }
        }
        table
    }

    /// The locks enforced on the config (every lock but the realm's own keys).
    pub fn enforced_locks(&self) -> Vec<String> {
        self.locked.iter().filter(|k| !self.is_realm_owned(k)).cloned().collect()
    }

    pub fn parse(source: SourceFile) -> Result<Self, PolicyError> {
        let parse_error = |e: toml::de::Error| PolicyError::Parse {
            path: source.path.clone(),
            line: e.span().map(|s| source.line_of(s.start)).unwrap_or(1),
            message: e.message().to_string(),
        };
        let mut table: toml::Table = toml::from_str(&source.text).map_err(parse_error)?;
        let config: Config = match toml::from_str(&source.text) {
            Ok(config) => config,
            // A `[foundry]` endpoint the policy breaks is judged once a user file is laid over it
            // (a user value may replace the broken one); the rest of the policy is typed here.
            Err(_) if validate::endpoint_violation(&table).is_some() => {
                without_foundry(&table).map_err(|message| PolicyError::Parse { path: source.path.clone(), line: 1, message })?
            }
            Err(e) => return Err(parse_error(e)),
        };
        if config.sandbox.is_some() {
            let line = source.line_of_key("sandbox").unwrap_or(1);
            return Err(PolicyError::SandboxInPolicy { path: source.path.clone(), line });
        }
        for key in &config.locked {
            if !KNOWN_KEYS.contains(&key.as_str()) {
                let line = source.line_of_key("locked").unwrap_or(1);
                return Err(PolicyError::UnknownLockedKey { path: source.path.clone(), line, key: key.clone() });
            }
        }
        table.remove("locked");
        Ok(Self { locked: config.locked, table, source: Some(source), realm_owned: &[] })
    }

    pub fn path(&self) -> Option<&Path> {
        self.source.as_ref().map(|s| s.path())
    }

    /// Whether the config must take the policy's value for `key` (a lock the realm does not own).
    pub fn is_locked(&self, key: &str) -> bool {
        self.locked.iter().any(|k| k == key) && !self.is_realm_owned(key)
    }

    /// Whether the policy locks `key` as written (what the organisation decided, realm or not).
    pub fn locks(&self, key: &str) -> bool {
        self.locked.iter().any(|k| k == key)
    }

    /// The policy's own value for a dotted key.
    pub fn value(&self, dotted: &str) -> Option<&toml::Value> {
        lookup(&self.table, dotted)
    }

    /// Refuses a config whose locked keys differ from the policy's values.
    pub fn check_change(&self, config: &Config) -> Result<(), PolicyError> {
        let Ok(toml::Value::Table(table)) = toml::Value::try_from(config) else {
            return Ok(());
        };
        for key in self.enforced_locks() {
            if lookup(&table, &key) != self.value(&key) {
                return Err(PolicyError::Locked { key: key.clone(), path: self.path().map(Path::to_path_buf).unwrap_or_default() });
            }
        }
        Ok(())
    }
}

/// Looks a dotted key up in a TOML table.
pub fn lookup<'a>(table: &'a toml::Table, dotted: &str) -> Option<&'a toml::Value> {
    let mut parts = dotted.split('.');
    let mut value = table.get(parts.next()?)?;
    for part in parts {
        value = value.as_table()?.get(part)?;
    }
    Some(value)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn policy(text: &str) -> Result<Policy, PolicyError> {
        Policy::parse(SourceFile::new("/etc/foundry-onboard/policy.toml", text))
    }

    #[test]
    fn reads_locked_keys_and_values() {
        let p = policy("locked = [\"foundry.base_url\"]\n[foundry]\nbase_url = \"https://r.services.ai.azure.com/anthropic\"\n").unwrap();
        assert!(p.is_locked("foundry.base_url"));
        assert!(!p.is_locked("models.sonnet"));
        assert_eq!(p.value("foundry.base_url").and_then(|v| v.as_str()), Some("https://r.services.ai.azure.com/anthropic"));
    }

    #[test]
    fn unknown_locked_key_names_the_line() {
        let err = policy("\n\nlocked = [\"foundry.nope\"]\n").unwrap_err();
        assert_eq!(err.to_string(), "/etc/foundry-onboard/policy.toml:3: locked key \"foundry.nope\" is not a configuration key");
    }

    #[test]
    fn unknown_key_names_file_line_and_key() {
        let err = policy("[network]\nmax_latency_ms = 40\ndns = []\n").unwrap_err();
        let s = err.to_string();
        assert!(s.starts_with("/etc/foundry-onboard/policy.toml:3:"), "{s}");
        assert!(s.contains("dns"), "{s}");
        assert_eq!(err.kind(), ErrorKind::Policy);
    }

    #[test]
    fn locked_change_is_refused() {
        let p = policy("locked = [\"models.sonnet\"]\n[models]\nsonnet = \"corp-sonnet\"\n").unwrap();
        let mut c = Config::default();
        c.models.sonnet = Some("corp-sonnet".into());
        assert!(p.check_change(&c).is_ok());
        c.models.sonnet = Some("mine".into());
        assert!(matches!(p.check_change(&c), Err(PolicyError::Locked { .. })));
    }

    #[test]
    fn finding_07_an_oversized_policy_names_the_limit() {
        let dir = tempfile::tempdir().unwrap();
        let p = dir.path().join("policy.toml");
        std::fs::File::create(&p).unwrap().set_len(64 * 1024 * 1024).unwrap();
        let err = Policy::load(&p).unwrap_err();
        let said = err.to_string();
        assert!(said.contains(&p.display().to_string()) && said.contains("1 MiB, the limit for a config or policy file"), "{said}");
        assert!(matches!(err.kind(), crate::ErrorKind::Config | crate::ErrorKind::Policy));
    }

    #[test]
    fn finding_07_a_policy_that_is_not_utf8_names_the_line() {
        let dir = tempfile::tempdir().unwrap();
        let p = dir.path().join("policy.toml");
        std::fs::write(&p, b"[models]\n\nsonnet = \"\xc3\x28\"\n").unwrap();
        let err = Policy::load(&p).unwrap_err();
        assert!(err.to_string().starts_with(&format!("{}:3: ", p.display())) && err.to_string().contains("UTF-8"), "{err}");
    }

    mod fuzz {
        use super::super::*;
        use crate::fuzz::{names_file_line_and_what, toml_text as text};
        use proptest::prelude::*;

        proptest! {
            #[test]
            fn fuzz_policy_loading_never_panics_and_names_file_and_line(bytes in text()) {
                let dir = tempfile::tempdir().unwrap();
                let path = dir.path().join("policy.toml");
                std::fs::write(&path, &bytes).unwrap();
                if let Err(e) = Policy::load(&path) {
                    names_file_line_and_what(&e.to_string(), &path, &bytes)?;
                    prop_assert!(!e.hint().is_empty(), "{e}");
                }
            }
        }
    }
}
