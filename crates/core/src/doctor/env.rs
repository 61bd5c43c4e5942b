//! The Environment checks: is Claude Code installed, and what will it see — the profile block in
//! place, the variables a new terminal gets, overlaid by Claude Code's settings files for the
//! directory, and everything that would route it elsewhere (field reports #1, #4).

use super::context::Ctx;
use super::facts::TERMINAL_ENV;
use super::model::Evidence;
use super::runner::Outcome;
use crate::Status;
use crate::profile::effective::{FindingAbout, status_of};
use crate::profile::{FileAction, Target, effective, verify};
use std::collections::BTreeMap;
use std::sync::Arc;

/// `env.claude`: on PATH, and its version.
pub async fn claude(ctx: Arc<Ctx>) -> Outcome {
    let Some(path) = verify::which("claude") else {
        return Outcome::fail(
            "claude is not installed (not on PATH)",
            "Install Claude Code: `curl -fsSL https://claude.ai/install.sh | bash` (or `npm install -g @anthropic-ai/claude-code`), then open a new terminal.",
        );
    };
    let cmd = crate::process::command(path.as_os_str(), &[std::ffi::OsStr::new("--version")], &[("DISABLE_AUTOUPDATER".into(), "1".into())]);
    match crate::process::output(cmd, ctx.options.check_timeout).await {
        Ok(out) if out.status.success() => {
            let version = String::from_utf8_lossy(&out.stdout).trim().to_string();
            Outcome::pass(format!("Claude Code {version}")).with(Evidence::default().fact("path", path.display().to_string()).fact("version", version))
        }
        Ok(out) => Outcome::fail(
            format!("`claude --version` exited with {}: {}", out.status, crate::redact::first_bytes(&String::from_utf8_lossy(&out.stderr), 200)),
            "Reinstall Claude Code (`claude install` or the installer), then run the doctor again.",
        ),
        Err(e) => Outcome::fail(
            format!("`claude --version` did not answer: {e}"),
            "Reinstall Claude Code; a hanging `claude --version` usually means a broken install.",
        ),
    }
}

/// `env.profile`: the block is in the rc file, a new terminal gets every variable, and nothing in
/// the settings files or this environment overrides them.
pub async fn profile(ctx: Arc<Ctx>) -> Outcome {
    let (Some(spec), Some(home)) = (&ctx.spec, &ctx.home) else {
        return Outcome::fail(
            "the config does not name a Foundry endpoint and three deployments yet",
            "Finish the setup: `foundry-onboard` (the app) or `foundry-onboard profile write --resource NAME --sonnet … --haiku … --opus …`.",
        );
    };
    let shell = crate::profile::default_targets(&ctx.config).into_iter().find(|t| *t != Target::ClaudeSettings && *t != Target::Pwsh).unwrap_or(Target::Bash);
    let mut evidence =
        Evidence::default().fact("mode", format!("{:?}", spec.mode)).fact("shell", shell.name()).fact("directory", ctx.options.cwd.display().to_string());
    match crate::profile::plan(spec, home, &[shell]) {
        Ok(planned) => {
            if let Some(p) = planned.first() {
                let change = p.change();
                if change.action != FileAction::Unchanged {
                    return Outcome::fail(
                        format!("{} has {} Foundry Onboard block", change.path, if change.action == FileAction::Create { "no" } else { "an outdated" }),
                        "Write it: `foundry-onboard profile write` (or the app's Profile step), then open a new terminal.",
                    )
                    .with(evidence);
                }
                evidence = evidence.fact("profile file", change.path);
            }
        }
        Err(e) => return Outcome::fail(format!("cannot read the profile: {e}"), crate::Diagnose::hint(&e)).with(evidence),
    }
    let shell_env = match verify::shell_env(shell, home, ctx.options.check_timeout).await {
        Ok(env) => {
            let env = env.into_iter().collect::<BTreeMap<_, _>>();
            ctx.facts.set(&TERMINAL_ENV, env.clone());
            env
        }
        Err(detail) => {
            return Outcome::fail(detail, "Start a new terminal by hand and look for an rc file that waits for input or exits early.").with(evidence);
        }
    };
    let settings = effective::settings_files(home, &ctx.options.cwd, None, std::path::Path::new("/etc/claude-code"));
    let eff = effective::effective(&shell_env, &settings, spec, &ctx.options.cwd);
    let mut findings = eff.findings.clone();
    // What wrapping apps inject (#4) lives in this process's environment, not in the rc file.
    let here = effective::effective(&ctx.process_env, &[], spec, &ctx.options.cwd);
    for f in here.findings.into_iter().filter(|f| f.about == FindingAbout::Conflict && f.message.contains("process environment")) {
        if !findings.iter().any(|g| g.message == f.message) {
            findings.push(crate::profile::effective::Finding { message: format!("{} (in the environment the doctor was started from)", f.message), ..f });
        }
    }
    for v in &eff.vars {
        evidence = evidence.fact(v.name.clone(), format!("{} ({})", v.value, v.source));
    }
    for (path, state) in eff.files.iter().filter(|(_, s)| s != "absent") {
        evidence = evidence.fact("settings file", format!("{path}: {state}"));
    }
    // The verdict is the profile's own (effective::status_of), as `profile show` gives it.
    let worst = findings.iter().find(|f| f.severity.status() == status_of(&findings));
    match (status_of(&findings), worst) {
        (Status::Fail, Some(first)) => {
            let more = if findings.len() > 1 { format!(" (and {} more finding(s) below)", findings.len() - 1) } else { String::new() };
            for f in findings.iter().skip(1) {
                evidence = evidence.fact(f.severity.status().word(), format!("{} — {}", f.message, f.hint));
            }
            return Outcome::fail(format!("{}{more}", first.message), first.hint.clone()).with(evidence);
        }
        (Status::Warn, Some(first)) => {
            for f in findings.iter().skip(1) {
                evidence = evidence.fact("warn", format!("{} — {}", f.message, f.hint));
            }
            return Outcome::warn(first.message.clone(), first.hint.clone()).with(evidence);
        }
        _ => {}
    }
    Outcome::pass(format!("a new {} terminal sets all {} variables and no settings file overrides them", shell.name(), spec.entries.len())).with(evidence)
}
