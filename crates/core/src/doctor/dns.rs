//! `path.dns`: each of the account's three names through its own `privatelink.` zone to a private
//! address — the one the private endpoint owns — with the CNAME chain and the resolver shown, and
//! the landing-zone mistake of field report #12 (only the cognitiveservices zone linked) named as
//! exactly that.

use super::context::{Ctx, Endpoint};
use super::facts::{ACCOUNT, ADDRESSES, Upstream};
use super::model::CheckId;
use super::model::{AddressEvidence, Evidence, NameEvidence};
use super::runner::Outcome;
use hickory_resolver::proto::rr::{RData, RecordType};
use std::net::IpAddr;
use std::sync::Arc;

pub async fn check(ctx: Arc<Ctx>, up: Upstream) -> Outcome {
    let Some(endpoint) = ctx.endpoint.clone() else {
        return Outcome::fail("no endpoint is configured", "Finish the setup first (the app, or `foundry-onboard profile write`).");
    };
    let mut evidence = Evidence { resolver: Some(ctx.net.resolver.servers.clone()), ..Default::default() };
    if let Ok(ip) = endpoint.host.parse::<IpAddr>() {
        ctx.facts.set(&ADDRESSES, vec![ip]);
        return Outcome::pass(format!("{} is an address; nothing to resolve", endpoint.host)).with(evidence);
    }
    let Some(resolver) = ctx.net.resolver.hickory() else {
        return Outcome::fail(
            format!("no resolver may be asked ({})", ctx.net.resolver.servers),
            "A sandbox config must name the sandbox's DNS server in network.dns_servers.",
        )
        .with(evidence);
    };
    let names: Vec<String> = match &endpoint.resource {
        Some(res) => crate::azure::names::BASE_DOMAINS.iter().map(|d| format!("{res}.{d}")).collect(),
        None => vec![endpoint.host.clone()],
    };
    let hosts = read_hosts();
    let lookups = names.iter().map(|n| lookup(resolver, n, &ctx, &hosts));
    let mut answers: Vec<NameEvidence> = futures::future::join_all(lookups).await;
    // The private endpoint's own address (ARM, foundry.config) tells a stale record from a good
    // one. It is awaited only when it can change the verdict — a private answer — and ARM is
    // still on its way; a failure is said at once.
    let private = main_answer(&endpoint, &answers).is_some_and(resolves_privately);
    if private && endpoint.resource.is_some() && !ctx.is_gateway() {
        let waited = std::time::Instant::now();
        let arm_ended = up.get(&ACCOUNT).is_some() || up.settled(CheckId::FoundryConfig).await;
        let pe_ips = private_endpoint_ips(&up);
        if pe_ips.is_empty() {
            let why = if !up.is_planned(CheckId::FoundryConfig) {
                "not known: foundry.config is not part of this run".to_string()
            } else if !arm_ended {
                format!("not known: foundry.config had not answered after {:.1} s", ctx.began.elapsed().as_secs_f32())
            } else {
                "not known: foundry.config did not describe the account".to_string()
            };
            evidence = evidence.fact("private endpoint IPs (ARM)", why);
        } else {
            for a in answers.iter_mut().flat_map(|n| n.addresses.iter_mut()) {
                a.matches_private_endpoint = a.ip.parse().ok().map(|ip| pe_ips.contains(&ip));
            }
            evidence = evidence.fact("private endpoint IPs (ARM)", pe_ips.iter().map(ToString::to_string).collect::<Vec<_>>().join(", "));
        }
        // This check's time includes the wait; say how much of it was ARM's, not DNS's.
        if up.is_planned(CheckId::FoundryConfig) {
            evidence = evidence.fact("of this check's time, waiting for ARM", format!("{} ms", waited.elapsed().as_millis()));
        }
    }
    evidence.names = answers.clone();
    let know_pe = answers.iter().flat_map(|n| &n.addresses).any(|a| a.matches_private_endpoint.is_some());
    judge(&endpoint, &answers, &ctx, know_pe).with(evidence)
}

/// The private endpoint's addresses, as foundry.config found them in ARM (empty until then).
fn private_endpoint_ips(up: &Upstream) -> Vec<IpAddr> {
    let mut ips: Vec<IpAddr> = up.get(&ACCOUNT).map(|a| a.private_ips.iter().map(|(_, ip)| *ip).collect()).unwrap_or_default();
    ips.sort();
    ips.dedup();
    ips
}

async fn lookup(resolver: &hickory_resolver::TokioResolver, name: &str, ctx: &Ctx, hosts: &[(IpAddr, String)]) -> NameEvidence {
    let mut ev = NameEvidence { name: name.to_string(), ..Default::default() };
    ev.hosts_override = hosts.iter().find(|(_, h)| h.eq_ignore_ascii_case(name)).map(|(ip, _)| format!("{ip} (hosts file)"));
    match resolver.lookup(format!("{name}."), RecordType::A).await {
        Ok(lookup) => {
            for r in lookup.answers() {
                match &r.data {
                    RData::CNAME(c) => {
                        let target = c.to_string().trim_end_matches('.').to_string();
                        if target.contains(&format!(".{}.", crate::azure::names::PRIVATELINK)) {
                            ev.via_privatelink = true;
                        }
                        ev.chain.push(target);
                    }
                    RData::A(a) => ev.addresses.push(address(IpAddr::V4(a.0), ctx)),
                    RData::AAAA(a) => ev.addresses.push(address(IpAddr::V6(a.0), ctx)),
                    _ => {}
                }
            }
            if ev.addresses.is_empty() {
                ev.error = Some("no address records".into());
            }
        }
        Err(e) if e.is_nx_domain() => ev.error = Some("NXDOMAIN (the name does not exist)".into()),
        Err(e) if e.is_no_records_found() => ev.error = Some("no address records".into()),
        Err(e) => ev.error = Some(crate::redact::first_bytes(&e.to_string(), 200)),
    }
    ev
}

/// An answer's address as DNS alone can judge it; the private endpoint's is marked later.
fn address(ip: IpAddr, ctx: &Ctx) -> AddressEvidence {
    let cidrs = &ctx.config.network.expected_cidrs;
    AddressEvidence {
        ip: ip.to_string(),
        private: Ctx::is_private(ip),
        in_expected_cidrs: (!cidrs.is_empty()).then(|| cidrs.iter().any(|c| c.contains(&ip))),
        matches_private_endpoint: None,
    }
}

/// The answer for the endpoint's own host name (the others are its sibling names).
fn main_answer<'a>(endpoint: &Endpoint, answers: &'a [NameEvidence]) -> Option<&'a NameEvidence> {
    answers.iter().find(|a| a.name.eq_ignore_ascii_case(&endpoint.host)).or(answers.first())
}

/// Resolved, and every address private (and inside `expected_cidrs` when set).
fn resolves_privately(a: &NameEvidence) -> bool {
    a.error.is_none() && !a.addresses.is_empty() && a.addresses.iter().all(is_good)
}

fn is_good(a: &AddressEvidence) -> bool {
    a.private && a.in_expected_cidrs != Some(false)
}

fn judge(endpoint: &Endpoint, answers: &[NameEvidence], ctx: &Ctx, know_pe: bool) -> Outcome {
    let Some(main) = main_answer(endpoint, answers) else { return Outcome::fail("nothing was resolved", "Report this: the doctor had no name to resolve.") };
    let public = |a: &NameEvidence| a.error.is_none() && a.addresses.iter().any(|x| !x.private);
    let zone = |name: &str| name.split_once('.').map(|(_, z)| crate::azure::names::privatelink_zone(z)).unwrap_or_default();
    let res = endpoint.resource.clone().unwrap_or_else(|| endpoint.host.clone());
    let addrs = |a: &NameEvidence| a.addresses.iter().map(|x| x.ip.clone()).collect::<Vec<_>>().join(", ");

    if let Some(err) = &main.error {
        let hint = if endpoint.resource.is_some() {
            format!(
                "Check the resource name ({res}); if it is right, the {} zone has no record for it — the platform team adds the private endpoint's A record there (or re-creates the private DNS zone group).",
                zone(&main.name)
            )
        } else {
            "Check the host name in the config and that the VPN is connected (its DNS servers are the ones that know private names).".into()
        };
        return Outcome::fail(format!("{} did not resolve: {err}", main.name), hint);
    }
    if public(main) {
        let others_private: Vec<&NameEvidence> = answers.iter().filter(|a| a.name != main.name && resolves_privately(a)).collect();
        if !others_private.is_empty() && endpoint.resource.is_some() {
            return Outcome::fail(
                format!(
                    "{} resolves to the public address {} while {} resolve{} privately: the {} zone has no record for {res} or is not linked to your VNet",
                    main.name,
                    addrs(main),
                    others_private.iter().map(|a| a.name.as_str()).collect::<Vec<_>>().join(" and "),
                    if others_private.len() == 1 { "s" } else { "" },
                    zone(&main.name)
                ),
                format!(
                    "Platform team: add {res} to the {z} private DNS zone (an A record to the private endpoint's IP, or a privateDnsZoneGroup entry for {z}) and link the zone to the VNet your DNS resolver serves. Azure's built-in policy registers only the cognitiveservices zone. Until then Claude Code gets a misleading 401 — it is not your key.",
                    z = zone(&main.name)
                ),
            );
        }
        if endpoint.resource.is_none() && !ctx.config.network.expected_cidrs.is_empty() {
            return Outcome::warn(
                format!("{} resolves to {}, outside network.expected_cidrs", main.name, addrs(main)),
                "If the gateway should be private, check the VPN and its DNS.",
            );
        }
        if endpoint.resource.is_none() {
            return Outcome::pass(format!("{} resolves to {}", main.name, addrs(main)));
        }
        return Outcome::fail(
            format!("{} resolves to the public address {}: the private DNS zone is not used here", main.name, addrs(main)),
            "Connect the VPN (its DNS servers know the private zones), or ask the platform team to link the privatelink zones to the VNet your DNS resolver serves. With public access disabled Azure answers 401 from the public address — not a key problem.",
        );
    }
    let outside: Vec<&AddressEvidence> = main.addresses.iter().filter(|a| a.in_expected_cidrs == Some(false)).collect();
    if !outside.is_empty() {
        return Outcome::fail(
            format!("{} resolves to {}, outside network.expected_cidrs", main.name, addrs(main)),
            "A stale record or another network's private endpoint: ask the platform team which private endpoint IP is right.",
        );
    }
    if know_pe && main.addresses.iter().any(|a| a.matches_private_endpoint == Some(false)) {
        return Outcome::fail(
            format!("{} resolves to {}, which is not the private endpoint's address from ARM", main.name, addrs(main)),
            format!("The record in {} is stale (the private endpoint was re-created?): the platform team updates it to the endpoint's IP.", zone(&main.name)),
        );
    }
    let mut warnings = Vec::new();
    if let Some(h) = &main.hosts_override {
        warnings.push(format!("{} is pinned in the hosts file ({h}); DNS is bypassed", main.name));
    }
    if endpoint.resource.is_some() && !main.via_privatelink && main.hosts_override.is_none() {
        warnings.push(format!(
            "{} answers {} directly, not through {res}.{}: a custom zone or a manual record that will go stale when the private endpoint changes",
            main.name,
            addrs(main),
            zone(&main.name)
        ));
    }
    for a in answers.iter().filter(|a| a.name != main.name) {
        if a.error.is_some() || public(a) {
            warnings.push(format!("{} {}", a.name, a.error.clone().unwrap_or_else(|| format!("resolves publicly ({})", addrs(a)))));
        }
    }
    ctx.facts.set(&ADDRESSES, main.addresses.iter().filter_map(|a| a.ip.parse().ok()).collect());
    if !warnings.is_empty() {
        return Outcome::warn(
            warnings.join("; "),
            "The platform team links each privatelink zone (services.ai, cognitiveservices, openai) with an A record to the private endpoint.",
        );
    }
    Outcome::pass(format!("{} → {} (private{})", main.name, addrs(main), if know_pe { ", the private endpoint's own address" } else { "" }))
}

/// `/etc/hosts` (or Windows' hosts file): (address, name) pairs.
fn read_hosts() -> Vec<(IpAddr, String)> {
    let path = if cfg!(windows) { r"C:\Windows\System32\drivers\etc\hosts" } else { "/etc/hosts" };
    // A hosts file past its limit (or unreadable) counts as no override; path.dns still resolves.
    crate::limited_read::read_to_string(std::path::Path::new(path), crate::limited_read::Limit::HOSTS_FILE)
        .unwrap_or_default()
        .lines()
        .filter_map(|l| {
            let l = l.split('#').next().unwrap_or("");
            let mut parts = l.split_whitespace();
            let ip: IpAddr = parts.next()?.parse().ok()?;
            Some(parts.map(move |h| (ip, h.to_string())).collect::<Vec<_>>())
        })
        .flatten()
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::doctor::Status;
    use crate::fuzz;
    use hickory_server::Server;
    use hickory_server::net::runtime::TokioRuntimeProvider;
    use hickory_server::proto::rr::{LowerName, Name};
    use hickory_server::proto::serialize::txt::Parser;
    use hickory_server::store::in_memory::InMemoryZoneHandler;
    use hickory_server::zone_handler::{AxfrPolicy, Catalog, ZoneType};
    use proptest::prelude::*;

    const IPS: [&str; 10] = ["10.0.0.5", "10.1.2.3", "127.0.0.1", "192.168.1.1", "172.16.0.1", "203.0.113.10", "20.42.1.1", "::1", "fd00::1", "2001:db8::1"];
    const NAMES: [&str; 5] = ["fuzz-ai", "fuzz-ai.privatelink", "frontend", "loop-a", "loop-b"];

    /// One name's data in a zone: a CNAME (in the zone, to itself, into a loop, out of the
    /// zone) or address records, private, public or both.
    #[derive(Debug, Clone)]
    enum Data {
        Cname(&'static str),
        Addresses(Vec<&'static str>),
    }

    fn data() -> impl Strategy<Value = Option<Data>> {
        let target = prop::sample::select(vec!["fuzz-ai.privatelink", "frontend", "fuzz-ai", "loop-a", "loop-b", "outside.example."]);
        prop::option::weighted(
            0.8,
            prop_oneof![target.prop_map(Data::Cname), prop::collection::vec(prop::sample::select(IPS.to_vec()), 0..3).prop_map(Data::Addresses)],
        )
    }

    fn zone_text(base: &str, names: &[Option<Data>]) -> String {
        let mut z = format!("$ORIGIN {base}.\n$TTL 60\n@ IN SOA ns.fuzz.invalid. admin.fuzz.invalid. 1 3600 600 86400 60\n");
        for (name, d) in NAMES.iter().zip(names) {
            match d {
                Some(Data::Cname(t)) if t.ends_with('.') => z.push_str(&format!("{name} IN CNAME {t}\n")),
                Some(Data::Cname(t)) => z.push_str(&format!("{name} IN CNAME {t}.{base}.\n")),
                Some(Data::Addresses(ips)) => {
                    for ip in ips {
                        z.push_str(&format!("{name} IN {} {ip}\n", if ip.contains(':') { "AAAA" } else { "A" }));
                    }
                }
                None => {}
            }
        }
        z
    }

    /// A DNS server on loopback serving `zones` (one per base domain); None when the zones do not load.
    async fn serve(zones: &[Vec<Option<Data>>]) -> Option<(Server<Catalog>, u16)> {
        let mut catalog = Catalog::new();
        for (base, names) in crate::azure::names::BASE_DOMAINS.iter().zip(zones) {
            let origin = Name::from_ascii(format!("{base}.")).ok()?;
            let text = zone_text(base, names);
            let (_, records) = Parser::new(text.as_str(), None, Some(origin.clone())).parse().ok()?;
            let zone = InMemoryZoneHandler::<TokioRuntimeProvider>::new(origin.clone(), records, ZoneType::Primary, AxfrPolicy::Deny).ok()?;
            catalog.upsert(LowerName::from(origin), vec![Arc::new(zone)]);
        }
        for _ in 0..20 {
            let udp = tokio::net::UdpSocket::bind(("127.0.0.1", 0)).await.ok()?;
            let port = udp.local_addr().ok()?.port();
            if let Ok(tcp) = tokio::net::TcpListener::bind(("127.0.0.1", port)).await {
                let mut server = Server::new(catalog);
                server.register_socket(udp);
                server.register_listener(tcp, std::time::Duration::from_secs(2), 4096);
                return Some((server, port));
            }
        }
        None
    }

    /// The doctor's DNS answer handling against a real DNS server on loopback serving generated
    /// zones: CNAME chains of any length, loops, names out of the zone, empty answers, addresses in
    /// and out of `expected_cidrs`, public and private. A verdict naming the name, and never a pass
    /// for an answer that is public or outside the expected ranges; never a panic.
    #[test]
    fn fuzz_dns_answers_get_a_verdict_and_a_pass_only_when_private() {
        let dir = tempfile::tempdir().unwrap();
        let zones = prop::collection::vec(prop::collection::vec(data(), NAMES.len()), 3);
        let cidrs = prop::sample::subsequence(vec!["10.0.0.0/8", "127.0.0.0/8", "192.168.0.0/16", "fd00::/8"], 0..3);
        let rt = fuzz::runtime();
        fuzz::runner(20)
            .run(&(zones, cidrs), |(zones, cidrs)| {
                let Some((mut server, port)) = rt.block_on(serve(&zones)) else { return Ok(()) };
                let mut config = crate::config::Config::default();
                config.foundry.endpoint = Some(crate::config::FoundryEndpoint::named("fuzz-ai").unwrap());
                config.network.dns_servers = vec![format!("127.0.0.1:{port}")];
                config.network.expected_cidrs = cidrs.iter().map(|c| c.parse().unwrap()).collect();
                let ctx = crate::doctor::gateway::tests::loopback_ctx(config, dir.path());
                let o = rt.block_on(check(ctx.clone(), Upstream::new(ctx.clone(), Default::default())));
                let _ = rt.block_on(server.shutdown_gracefully());
                prop_assert!(o.status.is_some(), "{o:?}");
                prop_assert!(fuzz::names_what(&o.detail, &["fuzz-ai", "resolve"]), "{}", o.detail);
                if o.status == Some(Status::Pass) {
                    let main = o.evidence.names.iter().find(|n| n.name == "fuzz-ai.services.ai.azure.com").unwrap();
                    prop_assert!(
                        !main.addresses.is_empty() && main.addresses.iter().all(|a| a.private && a.in_expected_cidrs != Some(false)),
                        "a pass for {main:?}"
                    );
                }
                Ok(())
            })
            .unwrap();
    }
}
