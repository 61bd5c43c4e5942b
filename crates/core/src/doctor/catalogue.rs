//! The check catalogue (PRODUCT.md §7) as data: which checks a config gets, in which section,
//! and what each waits for. Gateway mode swaps the per-deployment checks for the gateway's.

use super::context::Ctx;
use super::model::CheckId;
use super::model::CheckId as Id;
use super::runner::Check;
use super::{dns, env, foundry, gateway, live, path, signin, tls, usage_source};
use crate::azure::discovery::Tier;
use crate::config::GatewayAuth;
use crate::profile::AuthMode;
use std::time::Duration;

/// The checks `--only` asks for (and what they need), out of [`all`].
pub fn checks(ctx: &Ctx) -> Vec<Check> {
    select(all(ctx), &ctx.options.only)
}

/// Every check this setup has: its mode (Entra, key, gateway), its endpoint's scheme, its options.
pub fn all(ctx: &Ctx) -> Vec<Check> {
    let az_budget = ctx.options.az_timeout.min(Duration::from_secs(12));
    let mut out =
        vec![Check::new(Id::EnvClaude, "Claude Code is installed", env::claude), Check::new(Id::EnvProfile, "Claude Code sees the profile", env::profile)];
    let needs_az = match ctx.mode {
        AuthMode::Entra | AuthMode::ApiKey => true,
        AuthMode::Gateway => ctx.config.gateway.auth == GatewayAuth::Entra,
    };
    if needs_az {
        out.push(Check::new(Id::SigninAz, "Azure CLI is signed in", signin::az).timeout(az_budget));
    }
    if ctx.mode == AuthMode::Entra {
        out.push(Check::new(Id::SigninToken, "A Foundry token can be had", signin::token).requires(&[Id::SigninAz]).timeout(az_budget));
    }
    out.extend([
        // The private endpoint's own addresses (ARM) tell a stale record from a good one: waited
        // for inside the check, and only when the answer is private.
        Check::reading(Id::PathDns, "DNS resolves to the private endpoint", dns::check)
            .uses(&[Id::FoundryConfig])
            .timeout(ctx.options.check_timeout + ctx.options.deadline / 2),
        Check::reading(Id::PathProxy, "Proxy settings", path::proxy).after(&[Id::EnvProfile]),
        Check::reading(Id::PathTcp, "TCP reachable, round-trip time", path::tcp).requires(&[Id::PathDns]),
    ]);
    // A plain-http endpoint (allowed on loopback only: a local gateway) has no TLS to check.
    let https_after = if ctx.endpoint.as_ref().is_none_or(|e| e.tls) {
        out.push(Check::reading(Id::PathTls, "TLS certificate and issuer", tls::check).requires(&[Id::PathTcp]));
        Id::PathTls
    } else {
        Id::PathTcp
    };
    out.push(Check::new(Id::PathHttps, "The endpoint answers as itself", path::https).requires(&[https_after]));
    if ctx.is_gateway() {
        out.extend([
            Check::new(Id::GatewayReachable, "The gateway answers", gateway::reachable).requires(&[Id::PathHttps]),
            Check::new(Id::GatewayAuth, "The gateway accepts your credential", gateway::auth).requires(&[Id::GatewayReachable]),
            Check::new(Id::GatewayUsage, "The gateway serves your usage", gateway::usage).requires(&[Id::GatewayAuth]),
        ]);
    } else {
        let cred: &[Id] = if ctx.mode == AuthMode::Entra { &[Id::PathHttps, Id::SigninToken] } else { &[Id::PathHttps] };
        for (tier, id, title) in [
            (Tier::Sonnet, Id::FoundrySonnet, "Sonnet deployment answers"),
            (Tier::Haiku, Id::FoundryHaiku, "Haiku deployment answers"),
            (Tier::Opus, Id::FoundryOpus, "Opus deployment answers"),
        ] {
            // ARM's list of deployments names the right one when a name is not found.
            out.push(Check::reading(id, title, move |c, up| foundry::tier(c, up, tier)).requires(cred).uses(&[Id::FoundryConfig]));
        }
        let arm_needs: &[Id] = if ctx.mode == AuthMode::Entra { &[Id::SigninToken] } else { &[Id::SigninAz] };
        out.push(Check::new(Id::FoundryConfig, "Resource configuration (ARM)", foundry::config).requires(arm_needs).timeout(az_budget));
    }
    // Only where the config names a usage source (an implied one is the usage view's default,
    // not something the platform team set up to be checked).
    if ctx.config.usage.source.is_some() {
        // A source read with the developer's Entra token waits on az like the sign-in checks do
        // (az answers in seconds, more on a busy machine), and needs az signed in.
        let usage_needs_az = match ctx.config.usage_source() {
            crate::usage::SourceKind::AzureMonitor => true,
            crate::usage::SourceKind::Litellm => ctx.config.gateway.auth == GatewayAuth::Entra,
            crate::usage::SourceKind::Local => false,
        };
        let check = Check::new(CheckId::UsageSource, "The usage source answers for you", usage_source::check);
        out.push(match (usage_needs_az, needs_az) {
            (true, true) => check.requires(&[Id::SigninAz]).timeout(az_budget + Duration::from_secs(5)),
            (true, false) => check.timeout(az_budget + Duration::from_secs(5)),
            (false, _) => check,
        });
    }
    if ctx.options.with_claude {
        let before: &[Id] = if ctx.is_gateway() { &[Id::EnvClaude, Id::EnvProfile, Id::GatewayAuth] } else { &[Id::EnvClaude, Id::EnvProfile, Id::PathHttps] };
        out.push(Check::new(Id::ClaudeLive, "Claude Code answers through the profile", live::check).requires(before).timeout(ctx.options.live_timeout));
    }
    out
}

/// Whether `only` (an id, an id prefix such as `path`, or a section name such as `private-path`)
/// names the check `id`.
fn names(only: &str, id: CheckId) -> bool {
    let o = only.trim().to_ascii_lowercase();
    let (id, section) = (id.as_str(), id.section());
    id == o || id.starts_with(&format!("{o}.")) || section.title().eq_ignore_ascii_case(&o) || section.title().replace(' ', "-").eq_ignore_ascii_case(&o)
}

/// Whether `only` names any check a catalogue can contain (`--only` typos are refused up front).
pub fn names_a_check(only: &str) -> bool {
    CheckId::ALL.iter().any(|id| names(only, *id))
}

/// Keeps the checks `only` names (ids, id prefixes, section names) and everything they need.
fn select(all: Vec<Check>, only: &[String]) -> Vec<Check> {
    if only.is_empty() {
        return all;
    }
    let matches = |c: &Check| only.iter().any(|o| names(o, c.id));
    let mut keep: std::collections::BTreeSet<CheckId> = all.iter().filter(|c| matches(c)).map(|c| c.id).collect();
    loop {
        let before = keep.len();
        let needed: Vec<CheckId> = all.iter().filter(|c| keep.contains(&c.id)).flat_map(|c| c.requires.iter().copied()).collect();
        keep.extend(needed);
        if keep.len() == before {
            break;
        }
    }
    all.into_iter().filter(|c| keep.contains(&c.id)).collect()
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::config::Config;

    #[test]
    fn every_check_waits_only_for_checks_of_its_catalogue_and_only_matches_the_same_way() {
        let mut foundry = Config::default();
        foundry.foundry.endpoint = Some(crate::config::FoundryEndpoint::named("contoso-ai").unwrap());
        let mut gateway = foundry.clone();
        gateway.foundry.via_gateway = true;
        gateway.gateway.url = Some("https://llm.contoso.com".into());
        for config in [foundry, gateway] {
            let mut options = super::super::DoctorOptions::new("c.toml".into(), "foundry-onboard".into(), ".".into());
            options.az = None;
            options.with_claude = true;
            let ctx = Ctx::new(config, options).unwrap();
            let all = checks(&ctx);
            for c in &all {
                assert_eq!(c.section, c.id.section(), "{}", c.id);
                for needed in c.requires.iter().chain(&c.after) {
                    assert!(all.iter().any(|o| o.id == *needed), "{} waits for {needed}, which this catalogue does not have", c.id);
                }
            }
        }
        for ok in ["path", "path.dns", "signin", "Sign-in", "private-path", "private path", "environment", "gateway", "claude"] {
            assert!(names_a_check(ok), "{ok}");
        }
        for bad in ["path.dsn", "pat", "network", ""] {
            assert!(!names_a_check(bad), "{bad}");
        }
    }
}
