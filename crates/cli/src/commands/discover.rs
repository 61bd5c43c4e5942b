//! `foundry-onboard discover`: subscriptions → Azure AI Foundry resources → Claude deployments.

use crate::args::{DiscoverArgs, Global};
use crate::failure::{Exit, Outcome, runtime};
use crate::output::emit;
use foundry_onboard_core::azure::discovery::Discovered;
use foundry_onboard_core::azure::session;

#[derive(serde::Serialize)]
struct Found {
    discovered: Discovered,
}

pub fn run(global: &Global, args: DiscoverArgs) -> Outcome {
    let config = super::config::load_live(global)?.config;
    let discovered = runtime()?.block_on(session::discover_all_signed_in(&config, args.subscription.as_deref(), global.timeout_ms))?;
    emit(global.json, &Found { discovered }, |f| print_found(&f.discovered));
    Ok(Exit::Ok)
}

fn print_found(found: &Discovered) {
    if found.subscriptions.is_empty() {
        println!("No subscription is visible to this account.");
    }
    for s in &found.subscriptions {
        println!("{} ({})", s.name, s.id);
        if let Some(e) = &s.error {
            println!("  cannot list resources: {e}");
        }
        if s.accounts.is_empty() && s.error.is_none() {
            println!("  no Azure AI Foundry (AIServices) resource");
        }
        for a in &s.accounts {
            let pe = a.private_endpoints.iter().map(|p| p.status.as_str()).collect::<Vec<_>>().join(", ");
            println!(
                "  {} — {}, public network access {}, private endpoints: {}",
                a.name,
                a.location,
                a.public_network_access,
                if pe.is_empty() { "none".to_string() } else { pe }
            );
            if let Some(note) = &a.note {
                println!("    ({note})");
            }
            for d in a.deployments.iter().filter(|d| d.tier.is_some()) {
                let tier = d.tier.map(|t| format!("{t:?}").to_lowercase()).unwrap_or_default();
                let proposed = [&a.proposed.sonnet, &a.proposed.haiku, &a.proposed.opus].iter().any(|p| p.as_deref() == Some(d.name.as_str()));
                println!(
                    "    {:<7} {:<24} {} {} · {} · capacity {}{}",
                    tier,
                    d.name,
                    d.model,
                    d.model_version,
                    d.sku,
                    d.capacity.map(|c| c.to_string()).unwrap_or_else(|| "?".into()),
                    if proposed { "  ← proposed" } else { "" }
                );
            }
        }
    }
    println!("({} ARM requests in {} ms)", found.requests, found.elapsed_ms);
}
