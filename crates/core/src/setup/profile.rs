//! The profile jobs: save a choice, write + verify, remove — each under the one write lock, each
//! from the config as it is on disk at that moment, so two faces (or two runs) cannot interleave.

use super::{Choice, SetupError, choice};
use crate::config::{self, ConfigLocation, LoadedConfig, validate};
use crate::profile::{self, FileChange, ProfileHome, ProfileOutcome, ProfileSpec, Target, WriteLock};

/// Where a job reads and writes: the config file and the profile home it belongs to.
#[derive(Debug, Clone)]
pub struct ProfileJob {
    pub location: ConfigLocation,
    pub home: ProfileHome,
    pub targets: Vec<Target>,
}

/// Lays the choice over the config as it is now, checks it, saves it; returns what was saved
/// (read back, so its notices stay). Takes the profile write lock: a profile write running at the
/// same time sees the config before or after, never half.
pub fn save_choice(job: &ProfileJob, choice: &Choice) -> Result<LoadedConfig, SetupError> {
    let lock = WriteLock::acquire(&job.home)?;
    save_holding(&lock, &job.location, choice)
}

fn save_holding(_lock: &WriteLock, location: &ConfigLocation, choice: &Choice) -> Result<LoadedConfig, SetupError> {
    match chosen(location, choice)? {
        (fresh, None) => Ok(fresh),
        (fresh, Some(next)) => {
            config::save(&fresh.path, &next, &fresh.policy)?;
            Ok(config::load_effective(location)?)
        }
    }
}

/// The config as it is on disk now and — when the choice changes it — the changed config,
/// checked against the config file's rules and the org policy: what a save and a dry run share.
fn chosen(location: &ConfigLocation, choice: &Choice) -> Result<(LoadedConfig, Option<config::Config>), SetupError> {
    let fresh = config::load_effective(location)?;
    let next = choice::apply(&fresh.config, choice)?;
    if next == fresh.config {
        return Ok((fresh, None));
    }
    if let Some(v) = validate::violations(&next).into_iter().next() {
        return Err(SetupError::Invalid { message: v.message, hint: v.hint });
    }
    fresh.policy.check_change(&next)?;
    Ok((fresh, Some(next)))
}

/// Saves the choice (when it changes anything), writes every target from that config under the
/// same lock, then starts each shell and the real client to verify (unless `verify` is false).
pub async fn write_profile(job: &ProfileJob, choice: &Choice, verify: bool) -> Result<(LoadedConfig, ProfileOutcome), SetupError> {
    let lock = WriteLock::acquire(&job.home)?;
    let loaded = save_holding(&lock, &job.location, choice)?;
    let outcome = profile::write_and_verify_holding(lock, &loaded.config, &job.home, &job.targets, verify).await?;
    Ok((loaded, outcome))
}

/// Removes our block from every target (restoring each file byte for byte) and, on Windows, the
/// user environment variables the write set.
pub fn remove_profile(job: &ProfileJob, config: &config::Config, dry_run: bool) -> Result<Vec<FileChange>, SetupError> {
    let changes = profile::remove(&job.home, &job.targets, dry_run)?;
    if cfg!(windows)
        && !job.home.sandbox
        && !dry_run
        && let Ok(spec) = ProfileSpec::from_config(config)
    {
        profile::windows_env::run(&profile::windows_env::remove_commands(&spec))?;
    }
    Ok(changes)
}

/// What `write_profile` would save and write, without saving or writing anything: the config
/// with the choice laid over (checked like a save), and every target's change.
pub fn dry_run(job: &ProfileJob, choice: &Choice) -> Result<(config::Config, Vec<FileChange>), SetupError> {
    let (fresh, changed) = chosen(&job.location, choice)?;
    let next = changed.unwrap_or(fresh.config);
    let spec = ProfileSpec::from_config(&next)?;
    let changes = profile::plan(&spec, &job.home, &job.targets)?.iter().map(|p| p.change()).collect();
    Ok((next, changes))
}
