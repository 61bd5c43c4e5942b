//! `foundry-onboard profile write|show|remove`: one core call each, printed for people or as JSON.

use crate::args::{Global, ProfileChoices, ProfileCommand, ProfileTarget, ShellTarget};
use crate::output::report_error;
use foundry_onboard_core::config::{Config, ConfigLocation, EndpointError, FoundryEndpoint, LoginMode, load_effective, save, validate::violations};
use foundry_onboard_core::profile::FileAction;
use foundry_onboard_core::profile::{self, ProfileHome, ProfileSpec, Target, effective};
use foundry_onboard_core::{ErrorKind, IpcError, Status};

pub fn run(global: &Global, cmd: ProfileCommand) -> u8 {
    let loaded = match super::config::load(global) {
        Ok(l) => l,
        Err(code) => return code,
    };
    let mut config = loaded.config.clone();
    let (target_args, choices) = match &cmd {
        ProfileCommand::Write { target, choices } => (target, Some(choices)),
        ProfileCommand::Show { target, .. } => (target, None),
        ProfileCommand::Remove(t) => (t, None),
    };
    let changed = match choices.map(|c| apply(&mut config, c)).transpose() {
        Ok(changed) => changed.unwrap_or(false),
        Err(e) => return report_error(global.json, &e),
    };
    if changed {
        if let Some(v) = violations(&config).into_iter().next() {
            return report_error(global.json, &IpcError::new(ErrorKind::Config, v.message, v.hint));
        }
        if let Err(e) = loaded.policy.check_change(&config) {
            return report_error(global.json, &e);
        }
    }
    let cli = std::env::current_exe().unwrap_or_else(|_| "foundry-onboard".into());
    let home = match ProfileHome::for_config(&config, &loaded.path, cli) {
        Ok(h) => h,
        Err(e) => return report_error(global.json, &e),
    };
    let targets = targets(target_args, &config);
    if home.sandbox && !global.json {
        eprintln!("Sandbox mode: profile files live under {} (never your own ~/.bashrc or ~/.claude).", home.home.display());
    }
    match cmd {
        ProfileCommand::Write { target, choices } => write(global, &config, &home, &targets, target.dry_run, &choices),
        ProfileCommand::Show { cwd, .. } => show(global, &config, &home, &targets, cwd),
        ProfileCommand::Remove(t) => match profile::remove(&home, &targets, t.dry_run) {
            Ok(changes) => {
                if cfg!(windows)
                    && !home.sandbox
                    && !t.dry_run
                    && let Ok(spec) = ProfileSpec::from_config(&config)
                    && let Err(e) = profile::windows_env::run(&profile::windows_env::remove_commands(&spec))
                {
                    return report_error(global.json, &e);
                }
                if global.json {
                    println!("{}", serde_json::json!({"ok": true, "dryRun": t.dry_run, "home": home.home, "files": changes}));
                } else {
                    for c in &changes {
                        println!("  {:<9} {:<16} {}", c.action, c.target.name(), c.path);
                        if t.dry_run && !c.diff.is_empty() {
                            print!("{}", c.diff);
                        }
                    }
                }
                0
            }
            Err(e) => report_error(global.json, &e),
        },
    }
}

/// Lays the command-line choices over the config; true when anything changed.
fn apply(config: &mut Config, c: &ProfileChoices) -> Result<bool, EndpointError> {
    let before = config.clone();
    if let Some(r) = &c.resource {
        config.foundry.endpoint = Some(FoundryEndpoint::named(r.clone())?);
    }
    if let Some(b) = &c.base_url {
        config.foundry.endpoint = Some(FoundryEndpoint::at(b.clone())?);
    }
    for (dst, src) in [(&mut config.models.sonnet, &c.sonnet), (&mut config.models.haiku, &c.haiku), (&mut config.models.opus, &c.opus)] {
        if let Some(v) = src {
            *dst = Some(v.clone());
        }
    }
    if c.api_key {
        config.azure.login = LoginMode::ApiKey;
        config.foundry.via_gateway = false;
    }
    if c.gateway {
        config.foundry.via_gateway = true;
        if config.gateway.url.is_none() {
            config.gateway.url = match &config.foundry.endpoint {
                Some(FoundryEndpoint::BaseUrl(b)) => url::Url::parse(b.as_str()).ok().map(|u| u.origin().ascii_serialization()),
                _ => None,
            };
        }
    }
    if let Some(n) = c.max_output_tokens {
        config.profile.max_output_tokens = Some(n);
    }
    Ok(*config != before)
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

fn write(global: &Global, config: &Config, home: &ProfileHome, targets: &[Target], dry_run: bool, choices: &ProfileChoices) -> u8 {
    let (spec, planned) = match spec_and_plan(global, config, home, targets) {
        Ok(x) => x,
        Err(code) => return code,
    };
    if dry_run {
        let changes: Vec<_> = planned.iter().map(|p| p.change()).collect();
        if global.json {
            println!("{}", serde_json::json!({"ok": true, "dryRun": true, "mode": spec.mode, "home": home.home, "files": changes}));
        } else {
            for c in &changes {
                println!("  would {:<9} {:<16} {}", c.action, c.target.name(), c.path);
                print!("{}", c.diff);
            }
        }
        return 0;
    }
    // One lock over the config and every profile file: a second writer waits, then plans anew.
    let lock = match profile::WriteLock::acquire(home) {
        Ok(l) => l,
        Err(e) => return report_error(global.json, &e),
    };
    // Under the lock, the config as it is now (another run may have saved it since we read it),
    // with this run's choices: that is what is saved and what the files are written from.
    let fresh = match ConfigLocation::resolve(global.config.as_deref()).and_then(|loc| load_effective(&loc)) {
        Ok(l) => l,
        Err(e) => return report_error(global.json, &e),
    };
    let mut config = fresh.config.clone();
    let changed = match apply(&mut config, choices) {
        Ok(changed) => changed,
        Err(e) => return report_error(global.json, &e),
    };
    if changed {
        if let Some(v) = violations(&config).into_iter().next() {
            return report_error(global.json, &IpcError::new(ErrorKind::Config, v.message, v.hint));
        }
        if let Err(e) = fresh.policy.check_change(&config) {
            return report_error(global.json, &e);
        }
        if let Err(e) = save(&fresh.path, &config, &fresh.policy) {
            return report_error(global.json, &e);
        }
    }
    let config = &config;
    let rt = match super::runtime() {
        Ok(rt) => rt,
        Err(e) => return report_error(global.json, &IpcError::new(ErrorKind::Internal, e.to_string(), "Report this as a bug.")),
    };
    let outcome = match rt.block_on(profile::write_and_verify_holding(lock, config, home, targets, !choices.no_verify)) {
        Ok(o) => o,
        Err(e) => return report_error(global.json, &e),
    };
    let (outcome_mode, changes, checks, client) = (outcome.mode, outcome.files, outcome.shells, outcome.client);
    let failed = checks.iter().map(|c| c.status).chain(client.as_ref().map(|c| c.status)).any(|s| s == Status::Fail);
    if global.json {
        println!("{}", serde_json::json!({"ok": !failed, "mode": outcome_mode, "home": home.home, "files": changes, "shells": checks, "client": client}));
    } else {
        for c in &changes {
            println!("  {:<9} {:<16} {}", c.action, c.target.name(), c.path);
        }
        if !checks.is_empty() {
            println!("Each shell, started as a terminal would:");
            for c in &checks {
                println!("  {:<4}  {:<5} {}", c.status, c.target.name(), c.detail);
                for m in &c.mismatches {
                    println!("          {m}");
                }
            }
        }
        if let Some(c) = &client {
            println!("The real client, from {}:\n  {:<4}  claude -p  {}", c.target.name(), c.status, c.detail);
        }
    }
    if failed { 1 } else { 0 }
}

/// The variables and every target's planned content, or the exit code after reporting why not.
fn spec_and_plan(global: &Global, config: &Config, home: &ProfileHome, targets: &[Target]) -> Result<(ProfileSpec, Vec<profile::Planned>), u8> {
    let spec = ProfileSpec::from_config(config).map_err(|e| report_error(global.json, &e))?;
    let planned = profile::plan(&spec, home, targets).map_err(|e| report_error(global.json, &e))?;
    Ok((spec, planned))
}

fn show(global: &Global, config: &Config, home: &ProfileHome, targets: &[Target], cwd: Option<std::path::PathBuf>) -> u8 {
    let (spec, planned) = match spec_and_plan(global, config, home, targets) {
        Ok(x) => x,
        Err(code) => return code,
    };
    let variables: Vec<serde_json::Value> = spec
        .entries
        .iter()
        .map(|e| match &e.value {
            profile::EnvValue::Literal(v) => serde_json::json!({"name": e.name, "value": v}),
            profile::EnvValue::Keyring { secret, .. } => serde_json::json!({"name": e.name, "fromKeyring": secret}),
        })
        .collect();
    let files: Vec<serde_json::Value> = planned
        .iter()
        .map(|p| {
            let c = p.change();
            let state = match c.action {
                FileAction::Unchanged => "current",
                FileAction::Create => "absent",
                _ => "outdated or missing the block",
            };
            serde_json::json!({"target": c.target, "path": c.path, "state": state})
        })
        .collect();
    let cwd = cwd.or_else(|| std::env::current_dir().ok()).unwrap_or_else(|| home.home.clone());
    let process_env: std::collections::BTreeMap<String, String> = std::env::vars().collect();
    let settings = effective::settings_files(home, &cwd, None, std::path::Path::new("/etc/claude-code"));
    let eff = effective::effective(&process_env, &settings, &spec, &cwd);
    // The same verdict the doctor's env.profile and the app give (effective::status_of).
    let code = match eff.status {
        Status::Fail => 2,
        Status::Warn => 1,
        Status::Pass | Status::Skip => 0,
    };
    if global.json {
        println!("{}", serde_json::json!({"ok": code == 0, "mode": spec.mode, "home": home.home, "variables": variables, "files": files, "effective": eff}));
        return code;
    } else {
        println!("The profile sets ({:?} mode):", spec.mode);
        for e in &spec.entries {
            match &e.value {
                profile::EnvValue::Literal(v) => println!("  {}={v}", e.name),
                profile::EnvValue::Keyring { secret, .. } => println!("  {}=(from the keyring: {secret})", e.name),
            }
        }
        println!("Files:");
        for f in &files {
            println!("  {:<30} {}", f["state"].as_str().unwrap_or(""), f["path"].as_str().unwrap_or(""));
        }
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
    code
}
