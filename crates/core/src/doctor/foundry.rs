//! The Foundry checks: one request per chosen deployment, shaped like the installed Claude Code's
//! own, each answer named as itself (#7, #8, #9); and the account's configuration as ARM reports
//! it — public network access, custom subdomain, private endpoint approval, region.

use super::context::{ArmAccount, Ctx};
use super::facts::{ACCOUNT, FOUNDRY_TOKEN, Upstream};
use super::model::CheckId;
use super::model::Evidence;
use super::runner::Outcome;
use crate::Diagnose;
use crate::azure::discovery::Tier;
use crate::probe::{Credential, ProbeError, Shape};
use crate::profile::AuthMode;
use std::sync::Arc;

pub fn deployment_for(ctx: &Ctx, tier: Tier) -> Option<String> {
    match tier {
        Tier::Sonnet => ctx.config.models.sonnet.clone(),
        Tier::Haiku => ctx.config.models.haiku.clone(),
        Tier::Opus => ctx.config.models.opus.clone(),
    }
}

/// The credential Claude Code will use, fetched (and remembered for scrubbing).
/// `token` is signin.token's (Entra ID mode), as the caller's [`Upstream`] hands it.
pub fn credential(ctx: &Ctx, token: Option<&crate::Secret>, secret_name: &str) -> Result<crate::Secret, Box<Outcome>> {
    match ctx.mode {
        AuthMode::Entra => token.cloned().ok_or_else(|| Box::new(Outcome::skip("skipped: signin.token gave no token"))),
        _ => {
            let store = crate::keyring::SecretStore::for_realm(&ctx.config.realm());
            match store.get(secret_name) {
                Ok(s) => {
                    ctx.secret_seen(&s);
                    Ok(s)
                }
                Err(e) => Err(Box::new(Outcome::fail(format!("no {secret_name} in the keyring: {e}"), e.hint()))),
            }
        }
    }
}

/// `foundry.<tier>`.
pub async fn tier(ctx: Arc<Ctx>, up: Upstream, tier: Tier) -> Outcome {
    let Some(name) = deployment_for(&ctx, tier) else {
        return Outcome::fail(
            format!("no {tier:?} deployment is chosen").to_lowercase(),
            "Choose all three tiers (the app's Resource & models step, or `profile write --sonnet … --haiku … --opus …`): Claude Code falls back to names that fail otherwise.",
        );
    };
    let Some(endpoint) = ctx.endpoint.clone() else { return Outcome::fail("no endpoint is configured", "Finish the setup first.") };
    let secret = match credential(&ctx, up.get(&FOUNDRY_TOKEN), crate::profile::FOUNDRY_API_KEY) {
        Ok(s) => s,
        Err(o) => return *o,
    };
    let cred = if ctx.mode == AuthMode::Entra { Credential::Bearer(&secret) } else { Credential::ApiKey(&secret) };
    let shape = if crate::probe::recognised_by_claude_code(&name) {
        "as Claude Code sends it for a known model"
    } else {
        "with adaptive thinking and output_config.effort, as Claude Code sends it for this name"
    };
    let evidence = Evidence::default().fact("deployment", name.clone()).fact("endpoint", endpoint.base_url.clone()).fact("request", shape);
    let resource = endpoint.resource.clone().unwrap_or_else(|| endpoint.host.clone());
    match crate::probe::probe_at(&ctx.net, &endpoint.base_url, &name, cred, Shape::ClaudeCode).await {
        Ok(ms) => Outcome::pass(format!("{name} answered in {ms} ms")).with(evidence.fact("time to answer", format!("{ms} ms"))),
        Err(ProbeError::DeploymentNotFound { .. }) => {
            // Only this answer needs ARM's list: wait for foundry.config's facts here, briefly.
            up.settled_by(CheckId::FoundryConfig, tokio::time::Instant::now() + std::time::Duration::from_secs(3)).await;
            let existing = up.get(&ACCOUNT).map(|a| a.deployments.clone()).unwrap_or_default();
            let list = if existing.is_empty() {
                "ARM did not list the deployments (foundry.config)".to_string()
            } else {
                format!("the Claude deployments that exist: {}", existing.join(", "))
            };
            Outcome::fail(
                format!("there is no deployment named {name} on resource {resource} (404 DeploymentNotFound); {list}"),
                "Pick one of the existing deployments for this tier (the app's Resource & models step), or create it; a deployment created in the last 5 minutes may not be served yet — wait and run the doctor again.",
            )
            .with(evidence)
        }
        Err(ProbeError::Unauthorized { message, .. }) => {
            Outcome::fail(format!("{name}: 401 — {message}"), crate::probe::refused_hint(ctx.mode == AuthMode::Entra)).with(evidence)
        }
        Err(ProbeError::Forbidden { message, .. }) => Outcome::fail(format!("{name}: 403 — {message}"), crate::probe::role_hint(&resource)).with(evidence),
        Err(ProbeError::Throttled { retry_after, .. }) => Outcome::fail(
            format!("{name} is throttled (429{})", retry_after.map(|s| format!(", retry after {s} s")).unwrap_or_default()),
            crate::probe::QUOTA_HINT,
        )
        .with(evidence),
        Err(ProbeError::BadRequest { message, .. }) => {
            let parameter = ["effort", "thinking", "output_config", "context_management"].into_iter().find(|p| message.contains(p));
            let e = ProbeError::BadRequest { deployment: name.clone(), message: message.clone() };
            Outcome::fail(
                format!(
                    "{name} rejects the request Claude Code sends (400){}: {message}",
                    parameter.map(|p| format!(" — the `{p}` parameter")).unwrap_or_default()
                ),
                e.hint(),
            )
            .with(evidence)
        }
        Err(e) => Outcome::fail(format!("{name}: {e}"), e.hint()).with(evidence),
    }
}

/// `foundry.config`: the account as ARM describes it.
pub async fn config(ctx: Arc<Ctx>) -> Outcome {
    let configured = ctx.config.foundry.endpoint.as_ref().and_then(|e| e.resource()).map(|r| r.to_string());
    let Some(resource) = ctx.endpoint.as_ref().and_then(|e| e.resource.clone()).or(configured) else {
        return Outcome::skip("skipped: the endpoint is not an Azure resource name, so ARM cannot be asked about it");
    };
    let Some(tokens) = &ctx.tokens else { return Outcome::skip("skipped: az is not installed (signin.az)") };
    let token = match tokens.token(&crate::azure::arm_scope(&ctx.config)).await {
        Ok(t) => t,
        Err(e) => return Outcome::fail(format!("no ARM token: {e}"), e.hint()),
    };
    ctx.secret_seen(&token);
    let account = match crate::azure::discovery::find_account(&ctx.net, &ctx.config, &token, &resource).await {
        Ok(Some(a)) => a,
        Ok(None) => {
            return Outcome::fail(
                format!("no AIServices account named {resource} in the subscriptions you can read"),
                "Check the resource name, or ask for Reader access on its subscription; `foundry-onboard discover` lists what you can see.",
            );
        }
        Err(e) => return Outcome::fail(e.to_string(), e.hint()),
    };
    judge(&ctx, account)
}

fn judge(ctx: &Ctx, a: ArmAccount) -> Outcome {
    let mut evidence = Evidence::default()
        .fact("account", a.id.clone())
        .fact("region", a.location.clone())
        .fact("custom subdomain", a.custom_subdomain.clone().unwrap_or_else(|| "(none)".into()))
        .fact("public network access", a.public_network_access.clone())
        .fact("Claude deployments", a.deployments.join(", "));
    for (id, status) in &a.private_endpoints {
        evidence = evidence.fact("private endpoint", format!("{} — {status}", id.rsplit('/').next().unwrap_or(id)));
    }
    for (fqdn, ip) in &a.private_ips {
        evidence = evidence.fact("private endpoint DNS", format!("{fqdn} → {ip}"));
    }
    let name = a.name.clone();
    let approved = a.private_endpoints.iter().any(|(_, s)| s.eq_ignore_ascii_case("Approved"));
    let outcome = if a.custom_subdomain.as_deref().unwrap_or("").is_empty() {
        Outcome::fail(
            format!("{name} has no custom subdomain: Entra ID tokens and private endpoints need one"),
            "The platform team sets a custom subdomain on the resource (it cannot be changed later).",
        )
    } else if let Some((id, status)) = a.private_endpoints.iter().find(|(_, s)| !s.eq_ignore_ascii_case("Approved")).filter(|_| !approved) {
        Outcome::fail(
            format!("the private endpoint {} is {status}, not Approved", id.rsplit('/').next().unwrap_or(id)),
            "The resource's owner approves it: Networking → Private endpoint connections → Approve.",
        )
    } else if a.public_network_access.eq_ignore_ascii_case("Enabled") {
        Outcome::warn(
            format!("{name} allows public network access"),
            "The platform team disables public network access so the resource answers only through its private endpoint (Networking → Firewalls and virtual networks → Disabled).",
        )
    } else if a.private_endpoints.is_empty() {
        Outcome::warn(
            format!("{name} has no private endpoint"),
            "Without one, traffic goes over the public internet: the platform team adds a private endpoint in your VNet.",
        )
    } else {
        Outcome::pass(format!(
            "{name} in {}: public access disabled, custom subdomain {}, private endpoint approved",
            a.location,
            a.custom_subdomain.clone().unwrap_or_default()
        ))
    };
    ctx.facts.set(&ACCOUNT, a);
    outcome.with(evidence)
}
