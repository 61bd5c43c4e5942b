//! `usage.source`: when the config names a usage source, ask it as the usage view will — the
//! same credential (fetched by the usage core), the same network layer — and name what answered:
//! a proxy's HTML, a refused credential, a missing role, a rate limit, a server error, silence.

use super::context::Ctx;
use super::model::Evidence;
use super::runner::Outcome;
use crate::Diagnose;
use crate::usage::refresh::{self, Credential};
use crate::usage::{BudgetState, Completeness, RefreshRequest, UsageSource};
use std::sync::Arc;

/// Days asked for: enough to see data for someone who used Claude Code this week.
const DAYS: u32 = 7;

pub async fn check(ctx: Arc<Ctx>) -> Outcome {
    let config = &ctx.config;
    let kind = config.usage_source();
    let evidence = Evidence::default().fact("usage.source", kind.as_str());
    let credential = match crate::usage::credential(config).await {
        Ok(c) => c,
        Err(e) => return Outcome::fail(e.to_string(), e.hint()).with(evidence),
    };
    match &credential {
        Credential::Gateway(s) | Credential::LogAnalytics { token: s, .. } => ctx.secret_seen(s),
        Credential::None => {}
    }
    let custom = match crate::usage::cache::custom_query(config) {
        Ok(q) => q,
        Err(e) => return Outcome::fail(e.to_string(), e.hint()).with(evidence),
    };
    let source: Box<dyn UsageSource> = match refresh::source(config, ctx.net.clone(), credential, crate::usage::credential::local_paths(config), custom) {
        Ok(s) => s,
        Err(e) => return Outcome::fail(e.to_string(), e.hint()).with(evidence),
    };
    let snapshot = match source.refresh(&RefreshRequest::last_days(DAYS)).await {
        Ok(s) => s,
        Err(e) => return Outcome::fail(e.to_string(), e.hint()).with(evidence),
    };
    let evidence = evidence.fact("rows", snapshot.rows.len().to_string());
    if let Some(BudgetState::Exceeded { message }) = snapshot.budget.as_ref().map(|b| &b.state) {
        return Outcome::warn(
            format!("the {} source answered: your budget is exceeded ({message})", kind.as_str()),
            "Requests through the gateway are refused until the budget resets or the gateway team raises it.",
        )
        .with(evidence);
    }
    match &snapshot.completeness {
        Completeness::Complete => {
            Outcome::pass(format!("the {} source answered with {} day × model rows for you (last {DAYS} days)", kind.as_str(), snapshot.rows.len()))
                .with(evidence)
        }
        Completeness::Partial { reason } => Outcome::warn(
            format!("the {} source answered only in part: {reason}", kind.as_str()),
            "The totals shown are incomplete; run the check again later, and tell the platform team if it stays partial.",
        )
        .with(evidence),
        Completeness::Empty => Outcome::warn(
            format!("the {} source answered, but holds no usage for you in the last {DAYS} days", kind.as_str()),
            "If you used Claude Code this week, ask the platform team which identity the usage is recorded under (usage.user_dimension, usage.user_claim).",
        )
        .with(evidence),
    }
}
