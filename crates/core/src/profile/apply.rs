//! The profile use cases both faces call: which files, a preview with the effective environment,
//! and write-then-verify (each shell, then the real client once).

use super::effective::{self, EffectiveEnv};
use super::verify::{self, ClientCheck, ShellCheck};
use super::{AuthMode, FileChange, ProfileError, ProfileHome, ProfileSpec, Target, WriteLock};
use crate::config::{Config, Shell};
use serde::Serialize;
use std::path::Path;
use std::time::Duration;
use ts_rs::TS;

/// The shells in the config, else bash and every other installed shell; plus Claude Code's
/// settings file when the config asks for it.
pub fn default_targets(config: &Config) -> Vec<Target> {
    let mut out: Vec<Target> = if config.profile.shells.is_empty() {
        [(Shell::Bash, "bash"), (Shell::Zsh, "zsh"), (Shell::Fish, "fish"), (Shell::Pwsh, "pwsh")]
            .into_iter()
            .filter(|(s, program)| *s == Shell::Bash || verify::installed(program))
            .map(|(s, _)| Target::from_shell(s))
            .collect()
    } else {
        config.profile.shells.iter().map(|s| Target::from_shell(*s)).collect()
    };
    if config.profile.claude_settings {
        out.push(Target::ClaudeSettings);
    }
    out
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, TS)]
#[serde(rename_all = "camelCase")]
pub struct ProfilePreview {
    pub mode: AuthMode,
    pub home: String,
    pub sandbox: bool,
    pub files: Vec<FileChange>,
    /// What Claude Code sees now, before anything is written.
    pub effective: EffectiveEnv,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, TS)]
#[serde(rename_all = "camelCase")]
pub struct ProfileOutcome {
    pub mode: AuthMode,
    pub home: String,
    pub files: Vec<FileChange>,
    pub shells: Vec<ShellCheck>,
    pub client: Option<ClientCheck>,
}

pub fn preview(config: &Config, home: &ProfileHome, targets: &[Target], cwd: &Path) -> Result<ProfilePreview, ProfileError> {
    let spec = ProfileSpec::from_config(config)?;
    let files = super::plan(&spec, home, targets)?.iter().map(|p| p.change()).collect();
    let process_env = std::env::vars().collect();
    let settings = effective::settings_files(home, cwd, None, Path::new("/etc/claude-code"));
    let effective = effective::effective(&process_env, &settings, &spec, cwd);
    Ok(ProfilePreview { mode: spec.mode, home: home.home.display().to_string(), sandbox: home.sandbox, files, effective })
}

/// Writes every target, then starts each shell to compare what it sees, then — from the first
/// shell that passed — runs the real client once (skipped when `claude` is not installed).
pub async fn write_and_verify(config: &Config, home: &ProfileHome, targets: &[Target], verify: bool) -> Result<ProfileOutcome, ProfileError> {
    write_and_verify_holding(WriteLock::acquire(home)?, config, home, targets, verify).await
}

/// [`write_and_verify`] for a caller that already holds the lock (the CLI, which saves the
/// config under it first). Plans and writes under the lock; releases it before the checks.
pub async fn write_and_verify_holding(
    lock: WriteLock,
    config: &Config,
    home: &ProfileHome,
    targets: &[Target],
    verify: bool,
) -> Result<ProfileOutcome, ProfileError> {
    let spec = ProfileSpec::from_config(config)?;
    let planned = super::plan(&spec, home, targets)?;
    let files = super::write(&lock, &planned)?;
    if cfg!(windows) && !home.sandbox {
        // IDE- and Start-menu-launched Claude Code reads no rc file.
        super::windows_env::run(&super::windows_env::set_commands(&spec))?;
    }
    drop(lock);
    let (shells, client) = if verify { checks(&spec, home, targets).await } else { (Vec::new(), None) };
    Ok(ProfileOutcome { mode: spec.mode, home: home.home.display().to_string(), files, shells, client })
}

/// Verifies a written profile: starts each shell to compare what it sees, then — from the first
/// shell that passed — runs the real client once (skipped when `claude` is not installed).
/// `setup` runs it beside the doctor, after writing without verifying.
pub async fn verify_written(config: &Config, home: &ProfileHome, targets: &[Target]) -> Result<(Vec<ShellCheck>, Option<ClientCheck>), ProfileError> {
    Ok(checks(&ProfileSpec::from_config(config)?, home, targets).await)
}

async fn checks(spec: &ProfileSpec, home: &ProfileHome, targets: &[Target]) -> (Vec<ShellCheck>, Option<ClientCheck>) {
    let mut set = tokio::task::JoinSet::new();
    for (i, t) in targets.iter().copied().filter(|t| *t != Target::ClaudeSettings).enumerate() {
        let (home, spec) = (home.clone(), spec.clone());
        set.spawn(async move { (i, verify::check_shell(t, &home, &spec, Duration::from_secs(10)).await) });
    }
    let mut results: Vec<(usize, ShellCheck)> = set.join_all().await;
    results.sort_by_key(|(i, _)| *i);
    let shells: Vec<ShellCheck> = results.into_iter().map(|(_, c)| c).collect();
    let mut client = None;
    if let Some(c) = shells.iter().find(|c| c.status == crate::Status::Pass && matches!(c.target, Target::Bash | Target::Zsh)) {
        client = Some(verify::check_claude(c.target, home, Duration::from_secs(60)).await);
    }
    (shells, client)
}
