//! `claude.live`: the real Claude Code, once, from a new terminal that read the profile, with no
//! retries — the only end-to-end proof (its own `claude doctor` tests no network in Foundry mode),
//! and its `api_error_status` mapped like the probes'.

use super::context::Ctx;
use super::model::Evidence;
use super::runner::Outcome;
use crate::Status;
use crate::profile::{Target, verify};
use std::sync::Arc;

pub async fn check(ctx: Arc<Ctx>) -> Outcome {
    let Some(home) = &ctx.home else { return Outcome::skip("skipped: no profile home") };
    let shell = crate::profile::default_targets(&ctx.config).into_iter().find(|t| matches!(t, Target::Bash | Target::Zsh)).unwrap_or(Target::Bash);
    let c = verify::check_claude(shell, home, ctx.options.live_timeout).await;
    let evidence = Evidence::default().fact("shell", shell.name()).fact("command", "CLAUDE_CODE_MAX_RETRIES=0 claude -p ping --output-format json");
    let evidence = match c.api_error_status {
        Some(s) => evidence.fact("api_error_status", s.to_string()),
        None => evidence,
    };
    match (c.status, c.api_error_status) {
        (Status::Pass, _) => Outcome::pass("claude -p answered through the profile").with(evidence),
        (Status::Skip, _) => Outcome::fail(c.detail, "Install Claude Code, then run the doctor again.").with(evidence),
        (_, Some(401)) => Outcome::fail(
            format!("Claude Code got 401: {}", c.detail),
            "The credential Claude Code sends was refused: see signin.token / foundry.* above; with Entra ID, sign in again.",
        )
        .with(evidence),
        (_, Some(403)) => Outcome::fail(format!("Claude Code got 403: {}", c.detail), crate::probe::role_hint("the resource")).with(evidence),
        (_, Some(404)) => {
            Outcome::fail(format!("Claude Code got 404: {}", c.detail), "A model variable names a deployment that does not exist: see foundry.* above.")
                .with(evidence)
        }
        (_, Some(429)) => Outcome::fail(format!("Claude Code got 429: {}", c.detail), crate::probe::QUOTA_HINT).with(evidence),
        _ => Outcome::fail(c.detail, "Run the same command in a new terminal to see Claude Code's full message.").with(evidence),
    }
}
