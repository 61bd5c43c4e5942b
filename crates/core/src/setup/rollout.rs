//! `setup`: the whole onboarding from the org policy as one job — sign in, take what the policy
//! decided (and the newest deployments where it says so), write the profile, verify it with the
//! real Claude Code, run the doctor — emitting one typed event per step. The CLI prints them; the
//! app may show them. It runs in two halves so a face can ask before anything is written.

use super::{Ask, Choice, Decided, DecidedEndpoint, EndpointChoice, Found, ProfileJob, SetupError, decided, dry_run, policy_choice, write_profile};
use crate::Status;
use crate::azure::discovery::Tier;
use crate::azure::{AzError, az, login, session};
use crate::config::{LoadedConfig, LoginMode};
use crate::doctor::{self, DoctorError, DoctorOptions};
use crate::error::{Diagnose, ErrorKind};
use crate::profile::{FileAction, FileChange, Target};
use serde::Serialize;
use std::path::PathBuf;
use std::time::{Duration, Instant};
use tokio_util::sync::CancellationToken;
use ts_rs::TS;

/// How the sign-in ended.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, TS)]
#[serde(rename_all = "kebab-case")]
pub enum SigninStatus {
    /// az printed a device code and waits for the person to enter it.
    Waiting,
    Done,
    /// API-key mode: nobody signs in (the key comes from the keyring).
    Skipped,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, TS)]
#[serde(rename_all = "kebab-case")]
pub enum PolicyStatus {
    Applied,
    /// No policy file: everything is left to ask.
    None,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, TS)]
#[serde(rename_all = "kebab-case")]
pub enum ChooseStatus {
    /// Every name came from the policy.
    Decided,
    /// Some tiers took the newest deployment discovery found.
    Newest,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, TS)]
#[serde(rename_all = "kebab-case")]
pub enum ProfileStatus {
    Written,
    /// Config and every file already held what the policy leads to: nothing was rewritten.
    Unchanged,
}

/// One file of the profile, without its diff.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, TS)]
pub struct FileSummary {
    pub target: Target,
    pub path: String,
    pub action: FileAction,
}

impl From<&FileChange> for FileSummary {
    fn from(c: &FileChange) -> Self {
        Self { target: c.target, path: c.path.clone(), action: c.action }
    }
}

/// One step of `setup`, as it happens (`setup --json` prints one per line; docs/setup-events.schema.json).
#[derive(Debug, Clone, PartialEq, Serialize, TS)]
#[serde(tag = "step", rename_all = "kebab-case")]
pub enum RolloutEvent {
    Policy {
        status: PolicyStatus,
        file: Option<String>,
        decided: Decided,
    },
    Signin {
        status: SigninStatus,
        code: Option<String>,
        url: Option<String>,
        user: Option<String>,
        already: bool,
    },
    Choose {
        status: ChooseStatus,
        endpoint: String,
        sonnet: String,
        haiku: String,
        opus: String,
        newest: Vec<Tier>,
    },
    Profile {
        status: ProfileStatus,
        config: String,
        files: Vec<FileSummary>,
    },
    Verify {
        status: Status,
        detail: String,
    },
    Doctor {
        status: Status,
        pass: u32,
        warn: u32,
        fail: u32,
        fix: Option<String>,
    },
    Done {
        ok: bool,
        changed: bool,
        summary: String,
        #[ts(type = "number")]
        ms: u64,
    },
}

#[derive(Debug, thiserror::Error)]
pub enum RolloutError {
    #[error("the policy leaves {} undecided, and setup may not ask", names(.asks))]
    Undecided { asks: Vec<Ask>, policy: Option<String> },
    #[error("the policy's resource {0:?} is not among the resources your account can see")]
    ResourceNotFound(String),
    #[error(transparent)]
    Setup(#[from] SetupError),
    #[error(transparent)]
    Az(#[from] AzError),
    #[error(transparent)]
    Doctor(#[from] DoctorError),
}

fn names(asks: &[Ask]) -> String {
    asks.iter().map(|a| a.policy_keys()).collect::<Vec<_>>().join(", ")
}

impl Diagnose for RolloutError {
    fn kind(&self) -> ErrorKind {
        match self {
            RolloutError::Undecided { .. } => ErrorKind::Policy,
            RolloutError::ResourceNotFound(_) => ErrorKind::Policy,
            RolloutError::Setup(e) => e.kind(),
            RolloutError::Az(e) => e.kind(),
            RolloutError::Doctor(e) => e.kind(),
        }
    }
    fn hint(&self) -> String {
        match self {
            RolloutError::Undecided { asks, policy } => format!(
                "Ask your platform team to set {} in the policy{} (or `[models] choose = \"newest\"` beside foundry.resource); or choose yourself in the app's wizard or with `foundry-onboard profile write`.",
                names(asks),
                policy.as_ref().map(|p| format!(" ({p})")).unwrap_or_default()
            ),
            RolloutError::ResourceNotFound(_) => {
                "Check that you signed in to the right tenant (`foundry-onboard login --status`), or ask your platform team for access to the resource.".into()
            }
            RolloutError::Setup(e) => e.hint(),
            RolloutError::Az(e) => e.hint(),
            RolloutError::Doctor(e) => e.hint(),
        }
    }
}

/// What `setup` needs besides the profile job.
#[derive(Debug, Clone)]
pub struct RolloutOptions {
    /// How long az may wait for the person to enter the device code.
    pub login_timeout: Duration,
    /// The overall budget for one network operation (discovery), in ms.
    pub timeout_ms: u64,
    /// The `foundry-onboard` executable the profile block calls (for the doctor).
    pub cli: PathBuf,
    /// The directory Claude Code would start in (for the doctor).
    pub cwd: PathBuf,
}

/// The first half's result: what would be written.
#[derive(Debug, Clone)]
pub struct Prepared {
    pub loaded: LoadedConfig,
    pub decided: Decided,
    pub choice: Choice,
    /// The config file changes (the choice is not yet in it).
    pub config_changes: bool,
    pub files: Vec<FileChange>,
    started: Instant,
}

impl Prepared {
    /// Nothing to write: the config and every profile file already hold the policy's choice.
    pub fn up_to_date(&self) -> bool {
        !self.config_changes && self.files.iter().all(|f| f.action == FileAction::Unchanged)
    }
}

/// How `setup` ended.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Finished {
    /// The real Claude Code answered through the profile.
    pub verified: bool,
    pub doctor: Status,
    pub changed: bool,
}

type Emit<'a> = &'a mut (dyn FnMut(RolloutEvent) + Send);

/// The first half: the policy, the sign-in, the choice, and what writing it would change.
pub async fn prepare(job: &ProfileJob, options: &RolloutOptions, cancel: CancellationToken, emit: Emit<'_>) -> Result<Prepared, RolloutError> {
    let started = Instant::now();
    let loaded = super::load_live(&job.location).await?;
    let decided = decided(&loaded);
    let file = loaded.policy.path().map(|p| p.display().to_string());
    emit(RolloutEvent::Policy {
        status: if file.is_some() { PolicyStatus::Applied } else { PolicyStatus::None },
        file: file.clone(),
        decided: decided.clone(),
    });
    // Nothing is signed in for a choice nobody may make.
    if decided.endpoint.is_none() || (!decided.takes_newest() && !decided.is_complete()) {
        return Err(RolloutError::Undecided { asks: decided.left_to_ask.clone(), policy: file });
    }
    let config = &loaded.config;
    let mode = decided.login.as_ref().map(|l| l.mode).unwrap_or(config.azure.login);
    if mode == LoginMode::ApiKey {
        emit(RolloutEvent::Signin { status: SigninStatus::Skipped, code: None, url: None, user: None, already: false });
    } else {
        let state = az::login_state(config);
        if state.signed_in {
            emit(RolloutEvent::Signin { status: SigninStatus::Done, code: None, url: None, user: state.user, already: true });
        } else {
            let az = az::find().ok_or(AzError::NotInstalled)?;
            let opts = login::LoginOptions { device_code: true, tenant: None, timeout: options.login_timeout };
            let state = login::login(&az, config, &opts, cancel, |event| {
                if let login::LoginEvent::DeviceCode { code, url } = event {
                    emit(RolloutEvent::Signin { status: SigninStatus::Waiting, code: Some(code), url: Some(url), user: None, already: false });
                }
            })
            .await?;
            emit(RolloutEvent::Signin { status: SigninStatus::Done, code: None, url: None, user: state.user, already: false });
        }
    }
    let unnamed: Vec<Tier> = [Tier::Sonnet, Tier::Haiku, Tier::Opus].into_iter().filter(|t| decided.tier(*t).is_none()).collect();
    let choice = match &decided.endpoint.as_ref().map(|e| &e.endpoint) {
        Some(DecidedEndpoint::Resource { name }) if decided.takes_newest() && !unnamed.is_empty() => {
            let (subscription, proposed) = newest_on(config, name, options.timeout_ms).await?;
            policy_choice(&decided, Some(Found { subscription: &subscription, proposed: &proposed }))
        }
        _ => policy_choice(&decided, None),
    }
    .map_err(|asks| RolloutError::Undecided { asks, policy: file.clone() })?;
    let shown = |n: &Option<String>| n.clone().unwrap_or_default();
    emit(RolloutEvent::Choose {
        status: if decided.takes_newest() && !unnamed.is_empty() { ChooseStatus::Newest } else { ChooseStatus::Decided },
        endpoint: endpoint_words(choice.endpoint.as_ref()),
        sonnet: shown(&choice.sonnet),
        haiku: shown(&choice.haiku),
        opus: shown(&choice.opus),
        newest: if decided.takes_newest() { unnamed } else { Vec::new() },
    });
    let (next, files) = dry_run(job, &choice)?;
    let config_changes = next != loaded.config;
    Ok(Prepared { loaded, decided, choice, config_changes, files, started })
}

/// The second half: write (a no-op when up to date), verify with the real client, run the doctor.
pub async fn finish(
    job: &ProfileJob,
    prepared: Prepared,
    options: &RolloutOptions,
    cancel: CancellationToken,
    emit: Emit<'_>,
) -> Result<Finished, RolloutError> {
    let changed = !prepared.up_to_date();
    let (loaded, outcome) = write_profile(job, &prepared.choice, false).await?;
    let files: Vec<FileSummary> = outcome.files.iter().map(FileSummary::from).collect();
    let status = if changed { ProfileStatus::Written } else { ProfileStatus::Unchanged };
    emit(RolloutEvent::Profile { status, config: loaded.path.display().to_string(), files });
    // The real client and the doctor side by side: both only read what was just written.
    let mut doctor_options = DoctorOptions::new(loaded.path.clone(), options.cli.clone(), options.cwd.clone());
    doctor_options.with_claude = false;
    let (checked, report) = tokio::join!(
        crate::profile::verify_written(&loaded.config, &job.home, &job.targets),
        doctor::run(&loaded.config, doctor_options, cancel, std::sync::Arc::new(|_| {}))
    );
    let (shells, client) = checked.map_err(SetupError::from)?;
    let shell_failed = shells.iter().find(|s| s.status == Status::Fail);
    let (status, detail) = match (shell_failed, &client) {
        (Some(s), _) => (Status::Fail, format!("{}: {}", s.target.name(), s.detail)),
        (None, Some(c)) => (c.status, c.detail.clone()),
        (None, None) => (Status::Skip, "no shell passed, so the real client was not started".into()),
    };
    let verified = status == Status::Pass;
    emit(RolloutEvent::Verify { status, detail });
    let report = report?;
    let s = &report.summary;
    let fix = report.problems().into_iter().next().map(|(c, _)| format!("{}: {}", c.id, c.hint));
    emit(RolloutEvent::Doctor { status: s.verdict(), pass: s.pass, warn: s.warn, fail: s.fail, fix });
    let ok = verified && s.verdict() != Status::Fail;
    let summary = match (ok, changed) {
        (true, true) => "Claude Code is set up and verified.".to_string(),
        (true, false) => "Already set up: nothing was changed, and Claude Code still answers.".to_string(),
        (false, _) if !verified => "The profile is written, but Claude Code did not answer through it.".to_string(),
        (false, _) => "The profile is verified, but the doctor found a failure.".to_string(),
    };
    emit(RolloutEvent::Done { ok, changed, summary, ms: prepared.started.elapsed().as_millis() as u64 });
    Ok(Finished { verified, doctor: s.verdict(), changed })
}

/// The subscription and the newest deployment per tier of the resource the policy names.
async fn newest_on(config: &crate::config::Config, resource: &str, timeout_ms: u64) -> Result<(String, crate::azure::discovery::Proposed), RolloutError> {
    let found = session::discover_signed_in(config, None, timeout_ms).await?;
    let hit = found.subscriptions.iter().find_map(|s| {
        s.accounts
            .iter()
            .find(|a| a.name.eq_ignore_ascii_case(resource) || a.custom_subdomain.as_deref().is_some_and(|d| d.eq_ignore_ascii_case(resource)))
            .map(|a| (s.id.clone(), a.id.clone()))
    });
    let Some((subscription, account)) = hit else { return Err(RolloutError::ResourceNotFound(resource.to_string())) };
    let mut proposed = None;
    session::load_deployments_signed_in(config, std::slice::from_ref(&account), timeout_ms, |d| proposed = Some(d.proposed)).await?;
    Ok((subscription, proposed.unwrap_or_default()))
}

fn endpoint_words(e: Option<&EndpointChoice>) -> String {
    match e {
        Some(EndpointChoice::Resource { name, .. }) => format!("resource {name}"),
        Some(EndpointChoice::BaseUrl(url)) => url.clone(),
        Some(EndpointChoice::Gateway(Some(url))) => format!("gateway {url}"),
        Some(EndpointChoice::Gateway(None)) => "the configured gateway".into(),
        None => "the configured endpoint".into(),
    }
}
