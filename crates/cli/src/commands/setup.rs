//! `foundry-onboard setup`: the core's rollout job (sign in, the policy's choice, the profile, the
//! real client, the doctor), its events printed as they happen — one JSON line each with `--json`
//! (docs/setup-events.schema.json) — and the one question it may ask: may it write the profile.

use crate::args::{Global, SetupArgs};
use crate::failure::{Exit, Failure, Outcome, runtime};
use foundry_onboard_core::Status;
use foundry_onboard_core::config::policy::{Policy, PolicyError};
use foundry_onboard_core::error::{Diagnose, ErrorKind};
use foundry_onboard_core::profile::{self, FileAction, ProfileHome};
use foundry_onboard_core::setup::rollout::{self, Prepared, RolloutEvent, RolloutOptions, SigninStatus};
use foundry_onboard_core::setup::{DecidedEndpoint, ProfileJob};
use std::io::IsTerminal;
use std::time::Duration;

#[derive(Debug, thiserror::Error)]
enum SetupCliError {
    #[error("setup needs your approval to write the profile, and there is no terminal to ask")]
    NeedsYes,
    #[error("nothing was written: you did not approve writing the profile")]
    Declined,
}

impl Diagnose for SetupCliError {
    fn kind(&self) -> ErrorKind {
        ErrorKind::Config
    }
    fn hint(&self) -> String {
        match self {
            SetupCliError::NeedsYes => "Pass --yes to write it without asking (a management script does).".into(),
            SetupCliError::Declined => "Run `foundry-onboard setup` again when you are ready, or `--yes` to skip the question.".into(),
        }
    }
}

pub fn run(global: &Global, args: SetupArgs) -> Outcome {
    if let Some(p) = &args.policy {
        if !p.is_file() {
            return Err(PolicyError::NotFound { path: p.clone() }.into());
        }
        Policy::set_path_override(std::path::absolute(p).unwrap_or_else(|_| p.clone()));
    }
    let location = super::config::location(global)?;
    let loaded = super::config::load(global)?;
    let cli = std::env::current_exe().unwrap_or_else(|_| "foundry-onboard".into());
    let home = ProfileHome::for_config(&loaded.config, &loaded.path, cli.clone())?;
    let job = ProfileJob { location, targets: profile::default_targets(&loaded.config), home };
    let cwd = std::env::current_dir().unwrap_or_else(|_| job.home.home.clone());
    let options = RolloutOptions { login_timeout: Duration::from_secs(args.login_timeout_secs), timeout_ms: global.timeout_ms, cli, cwd };
    let json = global.json;
    let interactive = std::io::stdin().is_terminal() && std::io::stderr().is_terminal();
    let cancel = tokio_util::sync::CancellationToken::new();
    runtime()?.block_on(async {
        let on_signal = cancel.clone();
        tokio::spawn(async move {
            if tokio::signal::ctrl_c().await.is_ok() {
                on_signal.cancel();
            }
        });
        let mut print = move |e: RolloutEvent| {
            if json {
                println!("{}", serde_json::to_string(&e).unwrap_or_default());
            } else {
                print_event(&e);
            }
        };
        let prepared = rollout::prepare(&job, &options, cancel.clone(), &mut print).await.map_err(Failure::from)?;
        if !prepared.up_to_date() && !args.yes {
            if !interactive {
                return Err(SetupCliError::NeedsYes.into());
            }
            if !approve(&prepared, &job.home) {
                return Err(SetupCliError::Declined.into());
            }
        }
        let finished = rollout::finish(&job, prepared, &options, cancel, &mut print).await.map_err(Failure::from)?;
        Ok(match (finished.verified, finished.doctor) {
            (false, _) | (true, Status::Fail) => Exit::Failures,
            (true, Status::Warn) => Exit::Warnings,
            (true, _) => Exit::Ok,
        })
    })
}

/// Shows what would change and asks (on stderr; the answer on stdin).
fn approve(prepared: &Prepared, home: &ProfileHome) -> bool {
    eprintln!("What setup will write:");
    if prepared.config_changes {
        eprintln!("  update    config           {}", prepared.loaded.path.display());
    }
    for f in prepared.files.iter().filter(|f| f.action != FileAction::Unchanged) {
        eprintln!("  {:<9} {:<16} {}", f.action, f.target.name(), f.path);
    }
    eprint!("Write the profile to {} ? [y/N] ", home.home.display());
    let mut answer = String::new();
    if std::io::stdin().read_line(&mut answer).is_err() {
        return false;
    }
    matches!(answer.trim(), "y" | "Y" | "yes" | "Yes")
}

fn mark(s: Status) -> &'static str {
    match s {
        Status::Pass => "✓",
        Status::Warn => "!",
        Status::Fail => "✗",
        Status::Skip => "-",
    }
}

fn print_event(e: &RolloutEvent) {
    match e {
        RolloutEvent::Policy { file, decided, .. } => {
            match file {
                Some(f) => println!("Policy: {f}"),
                None => println!("Policy: none (nothing is decided for you)"),
            }
            if let Some(d) = &decided.endpoint {
                let what = match &d.endpoint {
                    DecidedEndpoint::Resource { name } => format!("resource {name}"),
                    DecidedEndpoint::BaseUrl { url } => url.clone(),
                    DecidedEndpoint::Gateway { url } => format!("gateway {}", url.as_deref().unwrap_or("(configured)")),
                };
                println!("  endpoint  {what}{}", if d.locked { " (set by your organisation)" } else { "" });
            }
        }
        RolloutEvent::Signin { status: SigninStatus::Waiting, code, url, .. } => {
            eprintln!("\n    Open {}\n    and enter the code:  {}\n", url.as_deref().unwrap_or("?"), code.as_deref().unwrap_or("?"));
        }
        RolloutEvent::Signin { status: SigninStatus::Done, user, already, .. } => {
            println!("Signed in as {}{}", user.as_deref().unwrap_or("?"), if *already { " (already)" } else { "" });
        }
        RolloutEvent::Signin { status: SigninStatus::Skipped, .. } => println!("Sign-in: not needed (API-key mode; the key comes from the keyring)"),
        RolloutEvent::Choose { endpoint, sonnet, haiku, opus, newest, .. } => {
            println!("Using {endpoint}: sonnet {sonnet}, haiku {haiku}, opus {opus}");
            if !newest.is_empty() {
                let tiers: Vec<String> = newest.iter().map(|t| format!("{t:?}").to_lowercase()).collect();
                println!("  (the newest deployment for {}, as the policy says)", tiers.join(", "));
            }
        }
        RolloutEvent::Profile { status, config, files } => {
            if *status == rollout::ProfileStatus::Unchanged {
                println!("Profile: already up to date; nothing was rewritten ({config})");
            } else {
                println!("Profile written ({config}):");
                for f in files {
                    println!("  {:<9} {:<16} {}", f.action, f.target.name(), f.path);
                }
            }
        }
        RolloutEvent::Verify { status, detail } => println!("{} Claude Code: {detail}", mark(*status)),
        RolloutEvent::Doctor { status, pass, warn, fail, fix } => {
            println!("{} Doctor: {pass} passed, {warn} warnings, {fail} failures", mark(*status));
            if let Some(fix) = fix {
                println!("  first to fix: {fix}");
            }
        }
        RolloutEvent::Done { summary, ms, .. } => println!("{summary} ({:.1} s)", *ms as f64 / 1000.0),
    }
}
