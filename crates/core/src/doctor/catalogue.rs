//! The check catalogue (PRODUCT.md §7) as data: which checks a config gets, in which section,
//! and what each waits for. Gateway mode swaps the per-deployment checks for the gateway's.

use super::context::Ctx;
use super::model::Section;
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
    out.extend([
        Check::new("path.dns", Section::PrivatePath, "DNS resolves to the private endpoint", dns::check)
            .timeout(ctx.options.check_timeout + ctx.options.deadline / 2),
        Check::new("path.proxy", Section::PrivatePath, "Proxy settings", path::proxy).after(&["env.profile"]),
        Check::new("path.tcp", Section::PrivatePath, "TCP reachable, round-trip time", path::tcp).requires(&["path.dns"]),
    ]);
    // A plain-http endpoint (allowed on loopback only: a local gateway) has no TLS to check.
    let https_after = if ctx.endpoint.as_ref().is_none_or(|e| e.tls) {
        out.push(Check::new("path.tls", Section::PrivatePath, "TLS certificate and issuer", tls::check).requires(&["path.tcp"]));
        "path.tls"
    } else {
        "path.tcp"
    };
    out.push(Check::new("path.https", Section::PrivatePath, "The endpoint answers as itself", path::https).requires(&[https_after]));
    if ctx.is_gateway() {
        out.extend([
            Check::new("gateway.reachable", Section::Gateway, "The gateway answers", gateway::reachable).requires(&["path.https"]),
            Check::new("gateway.auth", Section::Gateway, "The gateway accepts your credential", gateway::auth).requires(&["gateway.reachable"]),
            Check::new("gateway.usage", Section::Gateway, "The gateway serves your usage", gateway::usage).requires(&["gateway.auth"]),
        ]);
    } else {
        let cred: &[&str] = if ctx.mode == AuthMode::Entra { &["path.https", "signin.token"] } else { &["path.https"] };
        for (tier, id, title) in [
            (Tier::Sonnet, "foundry.sonnet", "Sonnet deployment answers"),
            (Tier::Haiku, "foundry.haiku", "Haiku deployment answers"),
            (Tier::Opus, "foundry.opus", "Opus deployment answers"),
        ] {
            out.push(Check::new(id, Section::Foundry, title, move |c| foundry::tier(c, tier)).requires(cred));
        }
        let arm_needs: &[&str] = if ctx.mode == AuthMode::Entra { &["signin.token"] } else { &["signin.az"] };
        out.push(Check::new("foundry.config", Section::Foundry, "Resource configuration (ARM)", foundry::config).requires(arm_needs).timeout(az_budget));
    }
    // Only where the config names a usage source (an implied one is the usage view's default,
    // not something the platform team set up to be checked).
    if ctx.config.usage.source.is_some() {
        out.push(Check::new("usage.source", Section::Gateway, "The usage source answers for you", usage_source::check));
    }
    if ctx.options.with_claude {
        let before: &[&str] = if ctx.is_gateway() { &["env.claude", "env.profile", "gateway.auth"] } else { &["env.claude", "env.profile", "path.https"] };
        out.push(
            Check::new("claude.live", Section::Environment, "Claude Code answers through the profile", live::check)
                .requires(before)
                .timeout(ctx.options.live_timeout),
        );
    }
    out
}

/// Whether `only` (an id, an id prefix such as `path`, or a section name such as `private-path`)
/// names the check `id` of `section`.
fn names(only: &str, id: &str, section: Section) -> bool {
    let o = only.trim().to_ascii_lowercase();
    id == o || id.starts_with(&format!("{o}.")) || section.title().eq_ignore_ascii_case(&o) || section.title().replace(' ', "-").eq_ignore_ascii_case(&o)
}

/// Whether `only` names any check a catalogue can contain (`--only` typos are refused up front).
pub fn names_a_check(only: &str) -> bool {
    IDS.iter().any(|(id, section)| names(only, id, *section))
}

/// Keeps the checks `only` names (ids, id prefixes, section names) and everything they need.
fn select(all: Vec<Check>, only: &[String]) -> Vec<Check> {
    if only.is_empty() {
        return all;
    }
    let matches = |c: &Check| only.iter().any(|o| names(o, &c.id, c.section));
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

/// Every check a catalogue can contain, with its section (for `--only` validation and help).
pub const IDS: &[(&str, Section)] = &[
    ("env.claude", Section::Environment),
    ("env.profile", Section::Environment),
    ("claude.live", Section::Environment),
    ("signin.az", Section::SignIn),
    ("signin.token", Section::SignIn),
    ("path.dns", Section::PrivatePath),
    ("path.proxy", Section::PrivatePath),
    ("path.tcp", Section::PrivatePath),
    ("path.tls", Section::PrivatePath),
    ("path.https", Section::PrivatePath),
    ("foundry.sonnet", Section::Foundry),
    ("foundry.haiku", Section::Foundry),
    ("foundry.opus", Section::Foundry),
    ("foundry.config", Section::Foundry),
    ("gateway.reachable", Section::Gateway),
    ("gateway.auth", Section::Gateway),
    ("gateway.usage", Section::Gateway),
    ("usage.source", Section::Gateway),
];

#[cfg(test)]
mod tests {
    use super::*;
    use crate::config::Config;

    #[test]
    fn every_check_a_catalogue_builds_is_listed_with_its_section_and_only_matches_the_same_way() {
        let mut foundry = Config::default();
        foundry.foundry.resource = Some("contoso-ai".into());
        let mut gateway = foundry.clone();
        gateway.foundry.via_gateway = true;
        gateway.gateway.url = Some("https://llm.contoso.com".into());
        for config in [foundry, gateway] {
            let mut options = super::super::DoctorOptions::new("c.toml".into(), "foundry-onboard".into(), ".".into());
            options.az = None;
            options.with_claude = true;
            let ctx = Ctx::new(config, options).unwrap();
            for c in checks(&ctx) {
                assert!(IDS.contains(&(c.id.as_str(), c.section)), "{} ({:?}) is missing from IDS", c.id, c.section);
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
