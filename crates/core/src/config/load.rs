//! Finding, reading, merging (user over policy) and writing the config file.

use super::source::ReadError;
use super::validate::{self, violations};
use super::{Config, SourceFile};
use crate::config::policy::{Policy, PolicyError, lookup};
use crate::error::{Diagnose, ErrorKind};
use std::path::{Path, PathBuf};

/// Overrides the platform config path.
pub const CONFIG_ENV: &str = "FOUNDRY_ONBOARD_CONFIG";

#[derive(Debug, thiserror::Error)]
pub enum ConfigError {
    #[error("the config file {} does not exist", path.display())]
    NotFound { path: PathBuf, from: &'static str },
    #[error("cannot read the config file {}: {source}", path.display())]
    Read { path: PathBuf, source: std::io::Error },
    #[error("{}:{line}: {message}", path.display())]
    Parse { path: PathBuf, line: usize, message: String },
    #[error("{}:{line}: {message}", path.display())]
    Invalid { path: PathBuf, line: usize, key: String, message: String, hint: String },
    #[error("{}:{line}: `locked` belongs in the org policy file, not in a user config", path.display())]
    LockedInUserConfig { path: PathBuf, line: usize },
    #[error("cannot write the config file {}: {source}", path.display())]
    Write { path: PathBuf, source: std::io::Error },
    #[error("no config directory could be found for this user")]
    NoConfigDir,
    #[error(transparent)]
    Policy(#[from] PolicyError),
}

impl Diagnose for ConfigError {
    fn kind(&self) -> ErrorKind {
        match self {
            ConfigError::Policy(p) => p.kind(),
            ConfigError::Write { .. } => ErrorKind::Io,
            _ => ErrorKind::Config,
        }
    }
    fn hint(&self) -> String {
        match self {
            ConfigError::NotFound { from, .. } => {
                format!("Check the path given by {from}, or create a config with `foundry-onboard sandbox --write-config FILE` or the app's setup wizard.")
            }
            ConfigError::Read { source, .. } if source.kind() == std::io::ErrorKind::FileTooLarge => {
                format!("A config is a TOML file of a few KiB: point --config / ${CONFIG_ENV} at the config file itself.")
            }
            ConfigError::Read { .. } => "Check that the file is readable by you (ls -l).".into(),
            ConfigError::Parse { .. } => {
                format!("Fix that line. Valid keys are: {}. `foundry-onboard --help` lists the files read.", super::KNOWN_KEYS.join(", "))
            }
            ConfigError::Invalid { hint, .. } => hint.clone(),
            ConfigError::LockedInUserConfig { .. } => "Delete the `locked` line from your config.".into(),
            ConfigError::Write { path, .. } => {
                format!("Check that {} is writable, or choose another file with --config / ${CONFIG_ENV}.", path.parent().unwrap_or(Path::new(".")).display())
            }
            ConfigError::NoConfigDir => format!("Set ${CONFIG_ENV} or pass --config FILE."),
            ConfigError::Policy(p) => p.hint(),
        }
    }
}

/// Where the user config comes from, in order of precedence.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum ConfigLocation {
    /// `--config FILE`: must exist.
    Flag(PathBuf),
    /// `$FOUNDRY_ONBOARD_CONFIG`: must exist.
    Env(PathBuf),
    /// The platform config dir: may not exist yet (first run).
    Default(PathBuf),
}

impl ConfigLocation {
    /// `--config`, else `$FOUNDRY_ONBOARD_CONFIG`, else `…/foundry-onboard/config.toml`.
    pub fn resolve(flag: Option<&Path>) -> Result<Self, ConfigError> {
        if let Some(p) = flag {
            return Ok(Self::Flag(p.to_path_buf()));
        }
        if let Some(p) = std::env::var_os(CONFIG_ENV).filter(|v| !v.is_empty()) {
            return Ok(Self::Env(PathBuf::from(p)));
        }
        let dirs = directories::ProjectDirs::from("com", "FoundryOnboard", "foundry-onboard").ok_or(ConfigError::NoConfigDir)?;
        Ok(Self::Default(dirs.config_dir().join("config.toml")))
    }

    pub fn path(&self) -> &Path {
        match self {
            Self::Flag(p) | Self::Env(p) | Self::Default(p) => p,
        }
    }

    fn described_by(&self) -> &'static str {
        match self {
            Self::Flag(_) => "--config",
            Self::Env(_) => "$FOUNDRY_ONBOARD_CONFIG",
            Self::Default(_) => "the default location",
        }
    }
}

/// The effective configuration and where each part came from.
#[derive(Debug, Clone)]
pub struct LoadedConfig {
    pub config: Config,
    /// The user config file (which may not exist yet).
    pub path: PathBuf,
    pub exists: bool,
    pub policy: Policy,
    /// Things a person should know, e.g. a user value overridden by a locked policy value.
    pub notices: Vec<String>,
}

/// Loads the user config at `location` merged over `policy`, and validates the result.
pub fn load(location: &ConfigLocation, policy: Policy) -> Result<LoadedConfig, ConfigError> {
    let user = read_user(location)?;
    merge(location.path().to_path_buf(), user, policy)
}

/// The user config file (bounded by [`crate::limited_read::Limit::CONFIG`]); None for a default
/// location that does not exist yet.
fn read_user(location: &ConfigLocation) -> Result<Option<SourceFile>, ConfigError> {
    let path = location.path().to_path_buf();
    match SourceFile::read(&path) {
        Ok(file) => Ok(Some(file)),
        Err(ReadError::Io(e)) if e.kind() == std::io::ErrorKind::NotFound => match location {
            ConfigLocation::Default(_) => Ok(None),
            _ => Err(ConfigError::NotFound { path, from: location.described_by() }),
        },
        Err(ReadError::Io(source)) => Err(ConfigError::Read { path, source }),
        Err(ReadError::NotUtf8 { line, message }) => Err(ConfigError::Parse { path, line, message }),
    }
}

/// The user's file (read once) laid over the policy, typed and validated.
fn merge(path: PathBuf, user: Option<SourceFile>, policy: Policy) -> Result<LoadedConfig, ConfigError> {
    let mut merged = policy.base_table();
    let mut notices = Vec::new();
    if let Some(user) = &user {
        let table: toml::Table = toml::from_str(&user.text).map_err(|e| parse_error(user, &e))?;
        let typed: Config = match toml::from_str(&user.text) {
            Ok(typed) => typed,
            // A `[foundry]` endpoint the file breaks is judged after the merge, where the policy's
            // locks apply and its key's line is found; the rest of the file is typed here.
            Err(_) if validate::endpoint_violation(&table).is_some() => {
                without_foundry(&table).map_err(|message| ConfigError::Parse { path: user.path.clone(), line: 1, message })?
            }
            Err(e) => return Err(parse_error(user, &e)),
        };
        if !typed.locked.is_empty() {
            return Err(ConfigError::LockedInUserConfig { path, line: user.line_of_key("locked").unwrap_or(1) });
        }
        overlay(&mut merged, &table, "", &policy, user, &mut notices);
    }
    let invalid = |v: validate::Violation| {
        let (file, line) = match &user {
            Some(u) if u.sets(v.key) => (u.path.clone(), u.line_of_key(v.key).unwrap_or(1)),
            _ => match &policy.source {
                Some(p) if p.sets(v.key) => (p.path.clone(), p.line_of_key(v.key).unwrap_or(1)),
                _ => (path.clone(), 1),
            },
        };
        ConfigError::Invalid { path: file, line, key: v.key.to_string(), message: v.message, hint: v.hint }
    };
    if let Some(v) = validate::endpoint_violation(&merged) {
        return Err(invalid(v));
    }
    let mut config: Config = toml::Value::Table(merged).try_into().map_err(|e: toml::de::Error| ConfigError::Parse {
        path: path.clone(),
        line: 1,
        message: e.message().to_string(),
    })?;
    validate::anchor_relative_paths(&mut config, user.as_ref(), &policy);
    if let Some(v) = violations(&config).into_iter().next() {
        return Err(invalid(v));
    }
    Ok(LoadedConfig { config, exists: user.is_some(), path, policy, notices })
}

/// A file's table typed without its `[foundry]` section (whose endpoint is judged elsewhere).
pub(crate) fn without_foundry(table: &toml::Table) -> Result<Config, String> {
    let mut rest = table.clone();
    rest.remove("foundry");
    toml::Value::Table(rest).try_into().map_err(|e: toml::de::Error| e.message().to_string())
}

/// Loads the config the way both faces do: the org policy underneath — except for a sandbox
/// config, which never inherits it (its endpoints must stay on loopback) but takes the policy it
/// was started with (`sandbox --policy`), less the keys the sandbox keeps its own.
pub fn load_effective(location: &ConfigLocation) -> Result<LoadedConfig, ConfigError> {
    load_effective_with(location, &Policy::default_path())
}

/// [`load_effective`] with the org policy at `policy_path`. A sandbox config leaves the org policy
/// out, and says so in a notice when there is one: the Settings tab and the CLI's `note:` lines
/// show it, so nobody takes the sandbox for what the org policy allows.
fn load_effective_with(location: &ConfigLocation, policy_path: &Path) -> Result<LoadedConfig, ConfigError> {
    let user = read_user(location)?;
    // Judged without the [foundry] section: a sandbox config whose endpoint is broken is still a
    // sandbox's, and must not take a locked endpoint from the org policy instead.
    let sandbox = user.as_ref().and_then(|u| toml::from_str::<toml::Table>(&u.text).ok()).and_then(|t| without_foundry(&t).ok()).and_then(|c| c.sandbox);
    let Some(link) = sandbox else {
        return merge(location.path().to_path_buf(), user, Policy::load(policy_path)?);
    };
    let own = match &link.policy {
        Some(p) => Policy::load_named(p)?.for_sandbox(),
        None => Policy::default(),
    };
    let mut loaded = merge(location.path().to_path_buf(), user, own)?;
    if policy_path.is_file() && link.policy.as_deref() != Some(policy_path) {
        let applied = match &link.policy {
            Some(p) => format!("it applies the policy it was started with, {}", p.display()),
            None => "a sandbox config never inherits it (its endpoints stay on this machine)".into(),
        };
        loaded.notices.push(format!("the org policy {} is not applied: {applied}", policy_path.display()));
    }
    Ok(loaded)
}

fn parse_error(file: &SourceFile, e: &toml::de::Error) -> ConfigError {
    ConfigError::Parse { path: file.path.clone(), line: e.span().map(|s| file.line_of(s.start)).unwrap_or(1), message: e.message().trim().to_string() }
}

/// Lays the user's values over the policy's, except where the policy locks a key.
fn overlay(base: &mut toml::Table, user: &toml::Table, prefix: &str, policy: &Policy, file: &SourceFile, notices: &mut Vec<String>) {
    for (key, value) in user {
        let dotted = if prefix.is_empty() { key.clone() } else { format!("{prefix}.{key}") };
        match (base.get_mut(key), value) {
            // A locked table (`usage.prices`, `usage.budget`) is the policy's whole: not merged into.
            (Some(toml::Value::Table(b)), toml::Value::Table(u)) if !policy.is_locked(&dotted) => overlay(b, u, &dotted, policy, file, notices),
            // A section the policy does not set is still overlaid key by key: a key it locks
            // without a value must stay unset, not arrive inside the user's whole table.
            (None, toml::Value::Table(u)) if !policy.is_locked(&dotted) => {
                let mut section = toml::Table::new();
                overlay(&mut section, u, &dotted, policy, file, notices);
                base.insert(key.clone(), toml::Value::Table(section));
            }
            _ if policy.is_locked(&dotted) => {
                if lookup(&policy.table, &dotted) != Some(value) {
                    notices.push(format!(
                        "{}:{}: {dotted} is locked by the org policy {}; its value there is used",
                        file.path.display(),
                        file.line_of_key(&dotted).unwrap_or(1),
                        policy.path().map(|p| p.display().to_string()).unwrap_or_default()
                    ));
                }
            }
            _ => {
                base.insert(key.clone(), value.clone());
            }
        }
    }
}

/// Writes `config` to `path` atomically (mode 0600 for a new file), refusing a change to a key
/// the policy locks. Locked keys are left out: they come from the policy.
pub fn save(path: &Path, config: &Config, policy: &Policy) -> Result<(), ConfigError> {
    policy.check_change(config)?;
    write_without(path, config, |key| policy.is_locked(key))
}

/// Writes `config` leaving out every key `policy` sets or locks (but the realm's own keys): the
/// config of a sandbox started with a policy, so that loading it over the policy gives the
/// policy's values — a typed default (`login = "cli"`) written out would otherwise override them.
pub fn save_under_policy(path: &Path, config: &Config, policy: &Policy) -> Result<(), ConfigError> {
    write_without(path, config, |key| (policy.value(key).is_some() || policy.locks(key)) && !policy.is_realm_owned(key))
}

fn write_without(path: &Path, config: &Config, leave_out: impl Fn(&str) -> bool) -> Result<(), ConfigError> {
    let mut value = toml::Value::try_from(config).map_err(|e| ConfigError::Write { path: path.into(), source: std::io::Error::other(e.to_string()) })?;
    if let toml::Value::Table(t) = &mut value {
        for key in super::KNOWN_KEYS.iter().filter(|k| leave_out(k)) {
            if let Some((section, leaf)) = key.split_once('.')
                && let Some(toml::Value::Table(s)) = t.get_mut(section)
            {
                s.remove(leaf);
            }
        }
    }
    let text = toml::to_string_pretty(&value).map_err(|e| ConfigError::Write { path: path.into(), source: std::io::Error::other(e.to_string()) })?;
    let header = "# Foundry Onboard configuration. Written by the app; safe to edit. Never holds a secret:\n# keys and tokens live in the OS keyring.\n\n";
    if let Some(dir) = path.parent().filter(|d| !d.as_os_str().is_empty()) {
        std::fs::create_dir_all(dir).map_err(|source| ConfigError::Write { path: path.into(), source })?;
    }
    crate::atomic_file::write(path, format!("{header}{text}").as_bytes(), 0o600).map_err(|source| ConfigError::Write { path: path.into(), source })
}

#[cfg(test)]
mod tests {
    use super::*;

    fn write(dir: &Path, name: &str, text: &str) -> PathBuf {
        let p = dir.join(name);
        std::fs::write(&p, text).unwrap();
        p
    }

    #[test]
    fn missing_default_file_is_an_empty_config() {
        let dir = tempfile::tempdir().unwrap();
        let loaded = load(&ConfigLocation::Default(dir.path().join("none.toml")), Policy::default()).unwrap();
        assert!(!loaded.exists);
        assert_eq!(loaded.config, Config::default());
    }

    #[test]
    fn missing_explicit_file_is_an_error() {
        let dir = tempfile::tempdir().unwrap();
        let err = load(&ConfigLocation::Flag(dir.path().join("none.toml")), Policy::default()).unwrap_err();
        assert!(matches!(err, ConfigError::NotFound { .. }));
        assert!(err.hint().contains("--config"));
        assert!(matches!(err.kind(), crate::ErrorKind::Config | crate::ErrorKind::Policy));
    }

    #[test]
    fn unknown_key_names_file_line_and_key() {
        let dir = tempfile::tempdir().unwrap();
        let p = write(dir.path(), "c.toml", "[models]\nsonnet = \"s\"\nsonet = \"typo\"\n");
        let err = load(&ConfigLocation::Flag(p.clone()), Policy::default()).unwrap_err();
        let msg = err.to_string();
        assert!(msg.starts_with(&format!("{}:3:", p.display())), "{msg}");
        assert!(msg.contains("sonet"), "{msg}");
    }

    #[test]
    fn corrupt_toml_names_the_line() {
        let dir = tempfile::tempdir().unwrap();
        let p = write(dir.path(), "c.toml", "[azure]\ntenant = \"unterminated\n");
        let err = load(&ConfigLocation::Flag(p.clone()), Policy::default()).unwrap_err();
        assert!(err.to_string().starts_with(&format!("{}:2:", p.display())), "{err}");
    }

    #[test]
    fn semantic_error_points_at_the_key_line() {
        let dir = tempfile::tempdir().unwrap();
        let p = write(dir.path(), "c.toml", "[foundry]\nresource = \"r1\"\n\nbase_url = \"https://r1.services.ai.azure.com/anthropic\"\n");
        let err = load(&ConfigLocation::Flag(p.clone()), Policy::default()).unwrap_err();
        assert!(err.to_string().starts_with(&format!("{}:4:", p.display())), "{err}");
        assert!(err.hint().contains("Claude Code refuses"));
    }

    #[test]
    fn policy_prefills_and_locked_wins() {
        let dir = tempfile::tempdir().unwrap();
        let pol = write(
            dir.path(),
            "policy.toml",
            "locked = [\"foundry.base_url\"]\n[foundry]\nbase_url = \"https://corp.services.ai.azure.com/anthropic\"\n[models]\nsonnet = \"corp-sonnet\"\nhaiku = \"corp-haiku\"\n",
        );
        let user = write(dir.path(), "c.toml", "[foundry]\nbase_url = \"https://mine.services.ai.azure.com/anthropic\"\n[models]\nhaiku = \"my-haiku\"\n");
        let policy = Policy::load(&pol).unwrap();
        let loaded = load(&ConfigLocation::Flag(user), policy).unwrap();
        assert_eq!(loaded.config.foundry.endpoint, Some(crate::config::FoundryEndpoint::at("https://corp.services.ai.azure.com/anthropic").unwrap()));
        assert_eq!(loaded.config.models.sonnet.as_deref(), Some("corp-sonnet"));
        assert_eq!(loaded.config.models.haiku.as_deref(), Some("my-haiku"));
        assert_eq!(loaded.notices.len(), 1);
        assert!(loaded.notices[0].contains(":2: foundry.base_url is locked"), "{:?}", loaded.notices);
    }

    /// A key the policy locks without giving it a value stays unset: a user's table for a section
    /// the policy does not mention is overlaid key by key, not taken whole.
    #[test]
    fn a_key_locked_without_a_value_cannot_be_set_by_the_user() {
        let dir = tempfile::tempdir().unwrap();
        let pol = write(dir.path(), "policy.toml", "locked = [\"foundry.resource\"]\n[models]\nsonnet = \"corp-sonnet\"\n");
        let user = write(dir.path(), "c.toml", "[foundry]\nresource = \"elsewhere\"\nvia_gateway = false\n");
        let loaded = load(&ConfigLocation::Flag(user), Policy::load(&pol).unwrap()).unwrap();
        assert_eq!(loaded.config.foundry.endpoint, None, "the locked key kept the policy's (absent) value");
        assert!(!loaded.config.foundry.via_gateway, "the table's other keys still apply");
        assert!(loaded.notices.len() == 1 && loaded.notices[0].contains(":2: foundry.resource is locked"), "{:?}", loaded.notices);
    }

    /// The endpoint rule is judged on the merged file, as before it was a type: a broken endpoint
    /// the policy replaces (a locked key) or the user replaces (an unlocked one) is no error, and
    /// a sandbox config with a broken endpoint is still kept apart from the policy.
    #[test]
    fn a_broken_endpoint_is_judged_after_the_merge() {
        let dir = tempfile::tempdir().unwrap();
        let locking =
            write(dir.path(), "policy.toml", "locked = [\"foundry.base_url\"]\n[foundry]\nbase_url = \"https://corp.services.ai.azure.com/anthropic\"\n");
        let user = write(dir.path(), "c.toml", "[foundry]\nbase_url = \"https://mine.example/v1\"\n");
        let loaded = load(&ConfigLocation::Flag(user), Policy::load(&locking).unwrap()).unwrap();
        assert_eq!(loaded.config.foundry.endpoint, Some(crate::config::FoundryEndpoint::at("https://corp.services.ai.azure.com/anthropic").unwrap()));
        assert!(loaded.notices[0].contains("foundry.base_url is locked"), "{:?}", loaded.notices);

        let pol = write(dir.path(), "policy2.toml", "[foundry]\nresource = \"-bad-\"\n");
        let user = write(dir.path(), "c2.toml", "[foundry]\nresource = \"mine\"\n");
        let loaded = load(&ConfigLocation::Flag(user.clone()), Policy::load(&pol).unwrap()).unwrap();
        assert_eq!(loaded.config.foundry.endpoint, Some(crate::config::FoundryEndpoint::named("mine").unwrap()), "the user's value replaced the policy's");
        let err = load(&ConfigLocation::Default(dir.path().join("none.toml")), Policy::load(&pol).unwrap()).unwrap_err();
        assert!(err.to_string().starts_with(&format!("{}:2: foundry.resource", pol.display())), "the policy's own broken value is named where it is: {err}");

        let sandbox = write(
            dir.path(),
            "sandbox.toml",
            &format!("[foundry]\nbase_url = \"https://x/v1\"\n[sandbox]\nhome = {:?}\nca_file = {:?}\n", dir.path().join("home"), dir.path().join("ca.pem")),
        );
        // Were the locking policy applied, its endpoint would silently replace the sandbox's.
        let err = load_effective_with(&ConfigLocation::Flag(sandbox.clone()), &locking).unwrap_err();
        assert!(err.to_string().starts_with(&format!("{}:2: foundry.base_url", sandbox.display())), "{err}");
    }

    /// Settings showed no notice in the sandbox although an org policy was there (issue #23): the
    /// sandbox config still leaves it out, and now says so.
    #[test]
    fn sandbox_config_says_the_org_policy_is_not_applied() {
        let dir = tempfile::tempdir().unwrap();
        let cfg = write(dir.path(), "sandbox.toml", &format!("[sandbox]\nhome = {:?}\nca_file = {:?}\n", dir.path().join("home"), dir.path().join("ca.pem")));
        let loc = ConfigLocation::Flag(cfg);
        let missing = dir.path().join("no-policy.toml");
        assert!(load_effective_with(&loc, &missing).unwrap().notices.is_empty(), "no policy file, nothing to note");
        let policy = write(dir.path(), "policy.toml", "locked = [\"foundry.resource\"]\n[foundry]\nresource = \"contoso-ai\"\n");
        let loaded = load_effective_with(&loc, &policy).unwrap();
        assert!(loaded.policy.locked.is_empty(), "the sandbox never inherits the policy");
        assert_eq!(loaded.notices.len(), 1, "{:?}", loaded.notices);
        assert!(loaded.notices[0].contains(&format!("the org policy {} is not applied", policy.display())), "{:?}", loaded.notices);
        // A config that is no sandbox's takes the policy, and a notice only for a locked key it overrides.
        let user = write(dir.path(), "user.toml", "[foundry]\nresource = \"mine\"\n");
        let loaded = load_effective_with(&ConfigLocation::Flag(user), &policy).unwrap();
        assert_eq!(loaded.policy.locked, vec!["foundry.resource".to_string()]);
        assert!(loaded.notices.len() == 1 && loaded.notices[0].contains("foundry.resource is locked"), "{:?}", loaded.notices);
    }

    /// `sandbox --policy`: the sandbox config loads over its own policy (never the system one);
    /// the policy's resource is what the organisation decided, the sandbox's loopback URL is
    /// what reaches it, and a locked deployment the config contradicts takes the policy's value.
    #[test]
    fn a_sandbox_config_takes_the_policy_it_was_started_with_less_its_own_keys() {
        let dir = tempfile::tempdir().unwrap();
        let own = write(
            dir.path(),
            "sandbox-policy.toml",
            "locked = [\"foundry.resource\", \"models.sonnet\", \"azure.arm_url\"]\n[azure]\narm_url = \"https://management.azure.com\"\n[foundry]\nresource = \"sandbox-ai\"\n[models]\nsonnet = \"claude-sonnet-4-5\"\nchoose = \"newest\"\n",
        );
        let system = write(dir.path(), "system.toml", "locked = [\"models.haiku\"]\n[models]\nhaiku = \"corp-haiku\"\n");
        let cfg = write(
            dir.path(),
            "sandbox.toml",
            &format!(
                "[azure]\narm_url = \"https://127.0.0.1:4000\"\n[foundry]\nbase_url = \"https://localhost:4002/anthropic\"\n[models]\nsonnet = \"mine\"\n[sandbox]\nhome = {:?}\nca_file = {:?}\npolicy = {:?}\n",
                dir.path().join("home"),
                dir.path().join("ca.pem"),
                own
            ),
        );
        let loaded = load_effective_with(&ConfigLocation::Flag(cfg.clone()), &system).unwrap();
        let c = &loaded.config;
        assert_eq!(
            c.foundry.endpoint,
            Some(crate::config::FoundryEndpoint::at("https://localhost:4002/anthropic").unwrap()),
            "the sandbox's URL reaches its resource"
        );
        assert_eq!(c.azure.arm_url, "https://127.0.0.1:4000", "a realm-owned key stays the sandbox's even when locked");
        assert_eq!(c.models.sonnet.as_deref(), Some("claude-sonnet-4-5"), "a locked deployment wins over the config");
        assert_eq!(c.models.haiku, None, "the system policy is not applied");
        assert_eq!(c.models.choose, crate::config::ChooseModels::Newest);
        assert_eq!(loaded.policy.path(), Some(own.as_path()));
        assert_eq!(loaded.policy.enforced_locks(), vec!["models.sonnet".to_string()]);
        assert!(loaded.policy.locks("foundry.resource"), "still what the organisation decided");
        assert!(loaded.notices.iter().any(|n| n.contains("models.sonnet is locked")), "{:?}", loaded.notices);
        assert!(
            loaded
                .notices
                .iter()
                .any(|n| n.contains(&format!("the org policy {} is not applied: it applies the policy it was started with", system.display()))),
            "{:?}",
            loaded.notices
        );
        // Saving what was loaded is no locked change: the sandbox's own keys are not enforced.
        save(&cfg, c, &loaded.policy).unwrap();
        let again = load_effective_with(&ConfigLocation::Flag(cfg), &system).unwrap();
        assert_eq!(&again.config, c);
        // A policy file that went away is named, not silently dropped.
        std::fs::remove_file(&own).unwrap();
        let err = load_effective_with(&ConfigLocation::Flag(dir.path().join("sandbox.toml")), &system).unwrap_err();
        assert!(err.to_string().contains("does not exist") && err.to_string().contains("sandbox-policy.toml"), "{err}");
    }

    #[test]
    fn models_choose_is_typed_lockable_and_left_out_at_its_default() {
        let dir = tempfile::tempdir().unwrap();
        let user = write(dir.path(), "c.toml", "[models]\nchoose = \"newest\"\n");
        let loaded = load(&ConfigLocation::Flag(user), Policy::default()).unwrap();
        assert_eq!(loaded.config.models.choose, crate::config::ChooseModels::Newest);
        assert!(loaded.config.to_toml().unwrap().contains("choose = \"newest\""));
        assert!(!Config::default().to_toml().unwrap().contains("choose"), "ask is the default and not written");
        let bad = write(dir.path(), "bad.toml", "[models]\n\nchoose = \"latest\"\n");
        let err = load(&ConfigLocation::Flag(bad.clone()), Policy::default()).unwrap_err();
        assert!(err.to_string().starts_with(&format!("{}:3:", bad.display())) && err.to_string().contains("newest"), "{err}");
        let pol = write(dir.path(), "policy.toml", "locked = [\"models.choose\"]\n[models]\nchoose = \"newest\"\n");
        let user = write(dir.path(), "ask.toml", "[models]\nchoose = \"ask\"\n");
        let loaded = load(&ConfigLocation::Flag(user), Policy::load(&pol).unwrap()).unwrap();
        assert_eq!(loaded.config.models.choose, crate::config::ChooseModels::Newest, "the lock wins");
        assert!(loaded.notices[0].contains("models.choose is locked"), "{:?}", loaded.notices);
    }

    #[test]
    fn save_round_trips_and_refuses_locked_changes() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("sub").join("config.toml");
        let mut c = Config::default();
        c.foundry.endpoint = Some(crate::config::FoundryEndpoint::named("my-res").unwrap());
        c.models.sonnet = Some("claude-sonnet-4-5".into());
        save(&path, &c, &Policy::default()).unwrap();
        let loaded = load(&ConfigLocation::Flag(path.clone()), Policy::default()).unwrap();
        assert_eq!(loaded.config, c);

        let pol = write(dir.path(), "policy.toml", "locked = [\"foundry.resource\"]\n[foundry]\nresource = \"corp\"\n");
        let policy = Policy::load(&pol).unwrap();
        let err = save(&path, &c, &policy).unwrap_err();
        assert!(matches!(err, ConfigError::Policy(PolicyError::Locked { .. })));
        assert_eq!(err.kind(), ErrorKind::Policy);
    }

    /// A sparse file far larger than every limit, without using the disk or memory it names.
    fn huge_file(dir: &Path, name: &str) -> PathBuf {
        let p = dir.join(name);
        std::fs::File::create(&p).unwrap().set_len(64 * 1024 * 1024).unwrap();
        p
    }

    #[test]
    fn finding_07_an_oversized_config_names_the_limit_on_every_path_that_reads_it() {
        let dir = tempfile::tempdir().unwrap();
        let p = huge_file(dir.path(), "c.toml");
        for err in [load(&ConfigLocation::Flag(p.clone()), Policy::default()).unwrap_err(), load_effective(&ConfigLocation::Flag(p.clone())).unwrap_err()] {
            let said = err.to_string();
            assert!(said.contains(&p.display().to_string()) && said.contains("1 MiB, the limit for a config or policy file"), "{said}");
            assert!(matches!(err.kind(), crate::ErrorKind::Config | crate::ErrorKind::Policy), "{said}");
            assert!(err.hint().contains("a few KiB"), "{}", err.hint());
        }
    }

    #[test]
    fn finding_07_invalid_utf8_names_the_line() {
        let dir = tempfile::tempdir().unwrap();
        let p = dir.path().join("c.toml");
        std::fs::write(&p, b"[models]\nsonnet = \"s\"\nhaiku = \"\xff\"\n").unwrap();
        let err = load(&ConfigLocation::Flag(p.clone()), Policy::default()).unwrap_err();
        assert!(err.to_string().starts_with(&format!("{}:3: ", p.display())), "{err}");
        assert!(err.to_string().contains("UTF-8"), "{err}");
    }

    mod fuzz {
        use super::super::*;
        use crate::config::KNOWN_KEYS;
        use crate::fuzz::{names_file_line_and_what, toml_text as text};
        use proptest::prelude::*;

        proptest! {
            #[test]
            fn fuzz_config_loading_never_panics_and_names_file_and_line(bytes in text()) {
                let dir = tempfile::tempdir().unwrap();
                let path = dir.path().join("config.toml");
                std::fs::write(&path, &bytes).unwrap();
                for result in [load(&ConfigLocation::Flag(path.clone()), Policy::default()), load_effective(&ConfigLocation::Flag(path.clone()))] {
                    if let Err(e) = result {
                        names_file_line_and_what(&e.to_string(), &path, &bytes)?;
                        prop_assert!(!e.hint().is_empty());
                    }
                }
            }

            #[test]
            fn fuzz_a_user_config_over_a_locking_policy_never_panics_and_names_file_and_line(bytes in text(), locked in proptest::sample::subsequence(KNOWN_KEYS, 0..4)) {
                let dir = tempfile::tempdir().unwrap();
                let policy_path = dir.path().join("policy.toml");
                let locked: Vec<String> = locked.iter().map(|k| format!("{k:?}")).collect();
                std::fs::write(&policy_path, format!("locked = [{}]\n[models]\nsonnet = \"corp-sonnet\"\n[network]\nmax_latency_ms = 40\n", locked.join(", "))).unwrap();
                let policy = Policy::load(&policy_path).unwrap();
                let path = dir.path().join("config.toml");
                std::fs::write(&path, &bytes).unwrap();
                if let Err(e) = load(&ConfigLocation::Flag(path.clone()), policy) {
                    names_file_line_and_what(&e.to_string(), &path, &bytes)?;
                }
            }
        }
    }

    #[test]
    fn unwritable_dir_is_a_clear_error() {
        // A regular file where the directory should be: fails even for root.
        let dir = tempfile::tempdir().unwrap();
        let blocker = write(dir.path(), "not-a-dir", "x");
        let err = save(&blocker.join("config.toml"), &Config::default(), &Policy::default()).unwrap_err();
        assert!(matches!(err, ConfigError::Write { .. }));
        assert!(err.hint().contains("writable"), "{}", err.hint());
        assert_eq!(err.kind(), ErrorKind::Io);
    }
}
