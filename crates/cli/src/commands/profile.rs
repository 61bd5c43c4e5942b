//! `foundry-onboard profile write|show|remove`: flags → the core's [`setup`] jobs (the same the
//! app's Save and Remove call), printed for people or as JSON.

use crate::args::{Global, ProfileChoices, ProfileCommand, ProfileTarget, ShellTarget};
use crate::failure::{Exit, Failure, Outcome, runtime};
use crate::output::emit;
use foundry_onboard_core::Status;
use foundry_onboard_core::config::{Config, LoginMode};
use foundry_onboard_core::profile::FileAction;
use foundry_onboard_core::profile::effective::EffectiveEnv;
use foundry_onboard_core::profile::{self, AuthMode, FileChange, ProfileHome, ProfileOutcome, ProfileSpec, Target};
use foundry_onboard_core::setup::{self, Choice, EndpointChoice, ProfileJob, SetupError};
use serde::Serialize;
use std::path::PathBuf;

pub fn run(global: &Global, cmd: ProfileCommand) -> Outcome {
    let location = super::config::location(global)?;
    let loaded = super::config::load(global)?;
    let target_args = match &cmd {
        ProfileCommand::Write { target, .. } | ProfileCommand::Show { target, .. } => target,
        ProfileCommand::Remove(t) => t,
    };
    let cli = std::env::current_exe().unwrap_or_else(|_| "foundry-onboard".into());
    let home = ProfileHome::for_config(&loaded.config, &loaded.path, cli)?;
    if home.sandbox && !global.json {
        eprintln!("Sandbox mode: profile files live under {} (never your own ~/.bashrc or ~/.claude).", home.home.display());
    }
    let job = ProfileJob { location, targets: targets(target_args, &loaded.config), home };
    match cmd {
        ProfileCommand::Write { target, choices } => write(global, &job, target.dry_run, &choices),
        ProfileCommand::Show { cwd, .. } => show(global, &loaded.config, &job, cwd),
        ProfileCommand::Remove(t) => {
            let files = setup::remove_profile(&job, &loaded.config, t.dry_run)?;
            emit(global.json, &Changed { dry_run: t.dry_run, mode: None, home: &job.home.home, files: &files }, |c| print_changes(c.files, t.dry_run));
            Ok(Exit::Ok)
        }
    }
}

/// The flags as the core's one [`Choice`] (the wizard builds the same from its steps).
fn choice(c: &ProfileChoices) -> Choice {
    let endpoint = match (&c.resource, &c.base_url, c.gateway) {
        (Some(name), _, _) => Some(EndpointChoice::Resource { name: name.clone(), subscription: c.subscription.clone() }),
        (None, Some(url), true) => Some(EndpointChoice::Gateway(Some(url.clone()))),
        (None, Some(url), false) => Some(EndpointChoice::BaseUrl(url.clone())),
        (None, None, true) => Some(EndpointChoice::Gateway(None)),
        (None, None, false) => None,
    };
    Choice {
        endpoint,
        sonnet: c.sonnet.clone(),
        haiku: c.haiku.clone(),
        opus: c.opus.clone(),
        login: c.api_key.then_some(LoginMode::ApiKey),
        max_output_tokens: c.max_output_tokens,
        reuse_confirmed: c.reuse_deployment,
    }
}

/// A reuse the app would ask to confirm: here it is a flag.
fn with_flags(e: SetupError) -> Failure {
    let needs_flag = matches!(&e, SetupError::Choice(c) if c.needs_confirmation());
    let f = Failure::from(e);
    if needs_flag { f.with_flag_hint("--reuse-deployment confirms it") } else { f }
}

fn targets(args: &ProfileTarget, config: &Config) -> Vec<Target> {
    if args.shells.is_empty() {
        return profile::default_targets(config);
    }
    args.shells
        .iter()
        .map(|s| match s {
            ShellTarget::Bash => Target::Bash,
            ShellTarget::Zsh => Target::Zsh,
            ShellTarget::Fish => Target::Fish,
            ShellTarget::Pwsh => Target::Pwsh,
            ShellTarget::ClaudeSettings => Target::ClaudeSettings,
        })
        .collect()
}

/// `write --dry-run` and `remove`: each file's change.
#[derive(Serialize)]
#[serde(rename_all = "camelCase")]
struct Changed<'a> {
    dry_run: bool,
    #[serde(skip_serializing_if = "Option::is_none")]
    mode: Option<AuthMode>,
    home: &'a std::path::Path,
    files: &'a [FileChange],
}

fn print_changes(files: &[FileChange], dry_run: bool) {
    for c in files {
        println!("  {}{:<9} {:<16} {}", if dry_run { "would " } else { "" }, c.action, c.target.name(), c.path);
        if dry_run && !c.diff.is_empty() {
            print!("{}", c.diff);
        }
    }
}

fn write(global: &Global, job: &ProfileJob, dry_run: bool, choices: &ProfileChoices) -> Outcome {
    let choice = choice(choices);
    if dry_run {
        let (config, files) = setup::dry_run(job, &choice).map_err(with_flags)?;
        let mode = ProfileSpec::from_config(&config)?.mode;
        emit(global.json, &Changed { dry_run: true, mode: Some(mode), home: &job.home.home, files: &files }, |c| print_changes(c.files, true));
        return Ok(Exit::Ok);
    }
    let (_, outcome) = runtime()?.block_on(setup::write_profile(job, &choice, !choices.no_verify)).map_err(with_flags)?;
    let failed = outcome.shells.iter().map(|c| c.status).chain(outcome.client.as_ref().map(|c| c.status)).any(|s| s == Status::Fail);
    emit(global.json, &outcome, print_outcome);
    Ok(if failed { Exit::Warnings } else { Exit::Ok })
}

fn print_outcome(outcome: &ProfileOutcome) {
    for c in &outcome.files {
        println!("  {:<9} {:<16} {}", c.action, c.target.name(), c.path);
    }
    if !outcome.shells.is_empty() {
        println!("Each shell, started as a terminal would:");
        for c in &outcome.shells {
            println!("  {:<4}  {:<5} {}", c.status, c.target.name(), c.detail);
            for m in &c.mismatches {
                println!("          {m}");
            }
        }
    }
    if let Some(c) = &outcome.client {
        println!("The real client, from {}:\n  {:<4}  claude -p  {}", c.target.name(), c.status, c.detail);
    }
}

/// `show`: what the profile sets, each file's state, and what Claude Code sees in a directory.
#[derive(Serialize)]
#[serde(rename_all = "camelCase")]
struct Shown<'a> {
    mode: AuthMode,
    home: &'a std::path::Path,
    variables: Vec<Variable>,
    files: Vec<FileState>,
    effective: EffectiveEnv,
}

#[derive(Serialize)]
#[serde(rename_all = "camelCase")]
struct Variable {
    name: String,
    #[serde(skip_serializing_if = "Option::is_none")]
    value: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    from_keyring: Option<String>,
}

#[derive(Serialize)]
struct FileState {
    target: Target,
    path: String,
    state: &'static str,
}

fn show(global: &Global, config: &Config, job: &ProfileJob, cwd: Option<PathBuf>) -> Outcome {
    let spec = ProfileSpec::from_config(config)?;
    let cwd = cwd.or_else(|| std::env::current_dir().ok()).unwrap_or_else(|| job.home.home.clone());
    let preview = profile::preview(config, &job.home, &job.targets, &cwd)?;
    let variables = spec
        .entries
        .iter()
        .map(|e| match &e.value {
            profile::EnvValue::Literal(v) => Variable { name: e.name.to_string(), value: Some(v.clone()), from_keyring: None },
            profile::EnvValue::Keyring { secret, .. } => Variable { name: e.name.to_string(), value: None, from_keyring: Some(secret.to_string()) },
        })
        .collect();
    let files = preview
        .files
        .iter()
        .map(|c| FileState {
            target: c.target,
            path: c.path.clone(),
            state: match c.action {
                FileAction::Unchanged => "current",
                FileAction::Create => "absent",
                _ => "outdated or missing the block",
            },
        })
        .collect();
    let eff = preview.effective;
    // The same verdict the doctor's env.profile and the app give (effective::status_of).
    let exit = match eff.status {
        Status::Fail => Exit::Failures,
        Status::Warn => Exit::Warnings,
        Status::Pass | Status::Skip => Exit::Ok,
    };
    emit(global.json, &Shown { mode: spec.mode, home: &job.home.home, variables, files, effective: eff }, print_shown);
    Ok(exit)
}

fn print_shown(s: &Shown) {
    println!("The profile sets ({:?} mode):", s.mode);
    for v in &s.variables {
        match (&v.value, &v.from_keyring) {
            (Some(value), _) => println!("  {}={value}", v.name),
            (None, Some(secret)) => println!("  {}=(from the keyring: {secret})", v.name),
            (None, None) => println!("  {}", v.name),
        }
    }
    println!("Files:");
    for f in &s.files {
        println!("  {:<30} {}", f.state, f.path);
    }
    let eff = &s.effective;
    println!("What Claude Code sees when started in {} from this shell:", eff.cwd);
    for v in &eff.vars {
        println!("  {}={}    ({})", v.name, v.value, v.source);
    }
    for (path, state) in &eff.files {
        if state != "absent" {
            println!("  settings file {path}: {state}");
        }
    }
    if eff.findings.is_empty() {
        println!("No conflicts.");
    }
    for f in &eff.findings {
        println!("{}: {}\n  help: {}", f.severity.status(), f.message, f.hint);
    }
}
