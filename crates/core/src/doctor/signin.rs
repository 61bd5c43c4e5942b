//! The Sign-in checks: `az` installed, recent enough, signed in to the configured tenant — read
//! from its files, no process when avoidable — and a Cognitive Services token actually issued.

use super::context::Ctx;
use super::facts::FOUNDRY_TOKEN;
use super::model::Evidence;
use super::runner::Outcome;
use crate::Diagnose;
use crate::azure::{AzError, az};
use crate::profile::AuthMode;
use std::sync::Arc;

/// `signin.az`.
pub async fn az(ctx: Arc<Ctx>) -> Outcome {
    // With a key, az is needed only for foundry.config: its absence is a warning.
    let miss = |detail: String, hint: String| {
        if ctx.mode == AuthMode::Entra {
            Outcome::fail(detail, hint)
        } else {
            Outcome::warn(format!("{detail} (only foundry.config needs it with a key)"), hint)
        }
    };
    let Some(az) = ctx.options.az.clone() else {
        return miss(AzError::NotInstalled.to_string(), AzError::NotInstalled.hint());
    };
    let mut evidence = Evidence::default().fact("az", az.display().to_string());
    let version = match az::installed_version(&az) {
        Some(v) => Ok(v),
        None => az::version(&az, &ctx.config).await,
    };
    let version = match version {
        Ok(v) => v,
        Err(e) => return miss(e.to_string(), e.hint()).with(evidence),
    };
    if az::too_old(&version) {
        let e = AzError::TooOld { found: version };
        return miss(e.to_string(), e.hint()).with(evidence);
    }
    evidence = evidence.fact("version", version.clone());
    let state = az::login_state(&ctx.config);
    evidence = evidence.fact("config dir", state.config_dir.clone());
    if !state.signed_in {
        return miss(format!("az {version} is installed but nobody is signed in ({} has no account)", state.config_dir), AzError::NotLoggedIn.hint())
            .with(evidence);
    }
    let user = state.user.clone().unwrap_or_default();
    let tenant = state.tenant_id.clone().unwrap_or_default();
    evidence = evidence
        .fact("user", user.clone())
        .fact("tenant", tenant.clone())
        .fact("subscription", format!("{} ({})", state.subscription.clone().unwrap_or_default(), state.subscription_id.clone().unwrap_or_default()));
    if let Some(want) = ctx.config.azure.tenant.as_deref()
        && !want.eq_ignore_ascii_case(&tenant)
    {
        return miss(
            format!("az is signed in to tenant {tenant}, but the config expects {want}"),
            format!("Sign in to the right tenant: `foundry-onboard login --tenant {want}` (or `az login --tenant {want}`)."),
        )
        .with(evidence);
    }
    Outcome::pass(format!("az {version}, signed in as {user} in tenant {tenant}")).with(evidence)
}

/// `signin.token`: the token Claude Code itself will ask az for.
pub async fn token(ctx: Arc<Ctx>) -> Outcome {
    let Some(tokens) = &ctx.tokens else {
        return Outcome::fail(AzError::NotInstalled.to_string(), AzError::NotInstalled.hint());
    };
    let scope = crate::azure::COGNITIVE_SCOPE;
    let evidence = Evidence::default().fact("scope", scope);
    // The ARM token foundry.config needs is fetched alongside (a second az run on another core,
    // cached for it), so the Foundry section does not wait for two az runs one after the other.
    let arm_scope = crate::azure::arm_scope(&ctx.config);
    let (cognitive, _) = tokio::join!(tokens.token(scope), tokens.token(&arm_scope));
    match cognitive {
        Ok(t) => {
            ctx.secret_seen(&t);
            ctx.facts.set(&FOUNDRY_TOKEN, t);
            Outcome::pass(format!("az issued a token for {scope}")).with(evidence)
        }
        Err(e) => Outcome::fail(e.to_string(), e.hint()).with(evidence),
    }
}
