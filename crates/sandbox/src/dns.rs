//! The sandbox's DNS server (hickory-server, in-process): each of the resource's three names
//! answers through its `privatelink.` zone to a loopback address — or, with a DNS fault, the way
//! a broken landing zone answers.

use super::{Fault, RESOURCE, SandboxError};
use foundry_onboard_core::azure::names::{BASE_DOMAINS, FOUNDRY_DOMAIN, PRIVATELINK};
use hickory_server::Server;
use hickory_server::net::runtime::TokioRuntimeProvider;
use hickory_server::proto::rr::{LowerName, Name};
use hickory_server::proto::serialize::txt::Parser;
use hickory_server::store::in_memory::InMemoryZoneHandler;
use hickory_server::zone_handler::{AxfrPolicy, Catalog, ZoneType};
use std::sync::Arc;
use std::time::Duration;

/// Stands in for a public Azure front-end address (TEST-NET-3: never routed anywhere).
pub const PUBLIC_STANDIN: &str = "203.0.113.10";

/// The records for one base domain, given the active faults.
pub fn zone_text(base: &str, faults: &[Fault]) -> String {
    let mut z = format!("$ORIGIN {base}.\n$TTL 60\n@ IN SOA ns.sandbox.invalid. admin.sandbox.invalid. 1 3600 600 86400 60\n");
    let has = |f: Fault| faults.contains(&f);
    let public_here = has(Fault::DnsPublicIp) || (has(Fault::ZoneMissingServicesAi) && base == FOUNDRY_DOMAIN);
    if has(Fault::DnsNxdomain) {
        // the resource simply has no record: NXDOMAIN inside an authoritative zone
    } else if public_here {
        // what a resolver outside the private zone sees: a CNAME to the public front end
        z.push_str(&format!("{RESOURCE} IN CNAME {RESOURCE}.{PRIVATELINK}.{base}.\n"));
        z.push_str(&format!("{RESOURCE}.{PRIVATELINK} IN CNAME frontend.public-{RESOURCE}.{base}.\n"));
        z.push_str(&format!("frontend.public-{RESOURCE} IN A {PUBLIC_STANDIN}\n"));
    } else if has(Fault::NoPrivatelinkCname) {
        z.push_str(&format!("{RESOURCE} IN A 127.0.0.1\n"));
    } else {
        z.push_str(&format!("{RESOURCE} IN CNAME {RESOURCE}.{PRIVATELINK}.{base}.\n"));
        z.push_str(&format!("{RESOURCE}.{PRIVATELINK} IN A 127.0.0.1\n"));
    }
    z
}

/// Starts the server on `port` (0 = any) for UDP and TCP on 127.0.0.1; returns it and the port.
pub async fn start(port: u16, faults: &[Fault]) -> Result<(Server<Catalog>, u16), SandboxError> {
    let mut catalog = Catalog::new();
    for base in BASE_DOMAINS {
        let origin = Name::from_ascii(format!("{base}.")).map_err(|e| SandboxError::Dns(e.to_string()))?;
        let text = zone_text(base, faults);
        let (_, records) = Parser::new(text.as_str(), None, Some(origin.clone())).parse().map_err(|e| SandboxError::Dns(e.to_string()))?;
        let zone = InMemoryZoneHandler::<TokioRuntimeProvider>::new(origin.clone(), records, ZoneType::Primary, AxfrPolicy::Deny).map_err(SandboxError::Dns)?;
        catalog.upsert(LowerName::from(origin), vec![Arc::new(zone)]);
    }
    // UDP and TCP must share a port: with port 0, retry until a free pair is found.
    for _ in 0..20 {
        let udp = tokio::net::UdpSocket::bind(("127.0.0.1", port)).await.map_err(|e| bind_error("dns", port, e))?;
        let actual = udp.local_addr().map_err(|e| bind_error("dns", port, e))?.port();
        match tokio::net::TcpListener::bind(("127.0.0.1", actual)).await {
            Ok(tcp) => {
                let mut server = Server::new(catalog);
                server.register_socket(udp);
                server.register_listener(tcp, Duration::from_secs(5), 4096);
                return Ok((server, actual));
            }
            Err(e) if port != 0 => return Err(bind_error("dns", port, e)),
            Err(_) => continue,
        }
    }
    Err(SandboxError::Dns("no free port pair for UDP and TCP".into()))
}

pub(super) fn bind_error(what: &'static str, port: u16, e: std::io::Error) -> SandboxError {
    if e.kind() == std::io::ErrorKind::AddrInUse { SandboxError::PortInUse { what, port } } else { SandboxError::Bind { what, port, detail: e.to_string() } }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn healthy_zone_goes_through_privatelink_to_loopback() {
        let z = zone_text("services.ai.azure.com", &[]);
        assert!(z.contains("sandbox-ai IN CNAME sandbox-ai.privatelink.services.ai.azure.com."));
        assert!(z.contains("sandbox-ai.privatelink IN A 127.0.0.1"));
    }

    #[test]
    fn zone_missing_services_ai_is_public_only_there() {
        let f = [Fault::ZoneMissingServicesAi];
        assert!(zone_text("services.ai.azure.com", &f).contains(PUBLIC_STANDIN));
        assert!(!zone_text("cognitiveservices.azure.com", &f).contains(PUBLIC_STANDIN));
    }
}
