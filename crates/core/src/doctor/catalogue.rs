//! The check catalogue (PRODUCT.md §7) as data: which checks a config gets, in which section,
//! and what each waits for. Gateway mode swaps the per-deployment checks for the gateway's.

use super::context::Ctx;
use super::model::Section;
use super::runner::Check;
use super::{dns, env, foundry, gateway, live, path, signin, tls};
use crate::azure::discovery::Tier;
use crate::config::GatewayAuth;
use crate::profile::AuthMode;
use std::time::Duration;

pub fn checks(ctx: &Ctx) -> Vec<Check> {
    let az_budget = ctx.options.az_timeout.min(Duration::from_secs(12));
    let mut out = vec![
        Check::new("env.claude", Section::Environment, "Claude Code is installed", env::claude),
        Check::new("env.profile", Section::Environment, "Claude Code sees the profile", env::profile),
    ];
    let needs_az = match ctx.mode {
        AuthMode::Entra | AuthMode::ApiKey => true,
        AuthMode::Gateway => ctx.config.gateway.auth == GatewayAuth::Entra,
    };
    if needs_az {
        out.push(Check::new("signin.az", Section::SignIn, "Azure CLI is signed in", signin::az).timeout(az_budget));
    }
    if ctx.mode == AuthMode::Entra {
        out.push(Check::new("signin.token", Section::SignIn, "A Foundry token can be had", signin::token).requires(&["signin.az"]).timeout(az_budget));
    }
    let after_arm: &[&str] = if ctx.is_gateway() { &[] } else { &["foundry.config"] };
    out.extend([
        Check::new("path.dns", Section::PrivatePath, "DNS resolves to the private endpoint", dns::check).after(after_arm),
        Check::new("path.proxy", Section::PrivatePath, "Proxy settings", path::proxy),
        Check::new("path.tcp", Section::PrivatePath, "TCP reachable, round-trip time", path::tcp).requires(&["path.dns"]),
        Check::new("path.tls", Section::PrivatePath, "TLS certificate and issuer", tls::check).requires(&["path.tcp"]),
        Check::new("path.https", Section::PrivatePath, "The endpoint answers as itself", path::https).requires(&["path.tls"]),
    ]);
    if ctx.is_gateway() {
        out.extend([
            Check::new("gateway.reachable", Section::Gateway, "The gateway answers", gateway::reachable).requires(&["path.https"]),
            Check::new("gateway.auth", Section::Gateway, "The gateway accepts your credential", gateway::auth).requires(&["gateway.reachable"]),
            Check::new("gateway.usage", Section::Gateway, "The gateway serves your usage", gateway::usage).requires(&["gateway.auth"]),
        ]);
    } else {
        let cred: &[&str] = if ctx.mode == AuthMode::Entra { &["path.https", "signin.token"] } else { &["path.https"] };
        for (tier, id, title) in [(Tier::Sonnet, "foundry.sonnet", "Sonnet deployment answers"), (Tier::Haiku, "foundry.haiku", "Haiku deployment answers"), (Tier::Opus, "foundry.opus", "Opus deployment answers")] {
            out.push(Check::new(id, Section::Foundry, title, move |c| foundry::tier(c, tier)).requires(cred));
        }
        let arm_needs: &[&str] = if ctx.mode == AuthMode::Entra { &["signin.token"] } else { &["signin.az"] };
        out.push(Check::new("foundry.config", Section::Foundry, "Resource configuration (ARM)", foundry::config).requires(arm_needs).timeout(az_budget));
    }
    if ctx.options.with_claude {
        let before: &[&str] = if ctx.is_gateway() { &["env.claude", "env.profile", "gateway.auth"] } else { &["env.claude", "env.profile", "path.https"] };
        out.push(Check::new("claude.live", Section::Environment, "Claude Code answers through the profile", live::check).requires(before).timeout(ctx.options.live_timeout));
    }
    select(out, &ctx.options.only)
}

/// Keeps the checks `only` names (ids, id prefixes, section names) and everything they need.
fn select(all: Vec<Check>, only: &[String]) -> Vec<Check> {
    if only.is_empty() {
        return all;
    }
    let matches = |c: &Check| {
        only.iter().any(|o| {
            let o = o.trim().to_ascii_lowercase();
            c.id == o || c.id.starts_with(&format!("{o}.")) || c.section.title().eq_ignore_ascii_case(&o) || c.section.title().replace(' ', "-").eq_ignore_ascii_case(&o)
        })
    };
    let mut keep: std::collections::BTreeSet<String> = all.iter().filter(|c| matches(c)).map(|c| c.id.clone()).collect();
    loop {
        let before = keep.len();
        let needed: Vec<String> = all.iter().filter(|c| keep.contains(&c.id)).flat_map(|c| c.requires.iter().cloned()).collect();
        keep.extend(needed);
        if keep.len() == before {
            break;
        }
    }
    all.into_iter().filter(|c| keep.contains(&c.id)).collect()
}

/// Every check id a catalogue can contain (for `--only` validation and help).
pub const IDS: &[&str] = &[
    "env.claude", "env.profile", "signin.az", "signin.token", "path.dns", "path.proxy", "path.tcp", "path.tls", "path.https",
    "foundry.sonnet", "foundry.haiku", "foundry.opus", "foundry.config", "gateway.reachable", "gateway.auth", "gateway.usage", "claude.live",
];
