//! The DNS resolver: the system's, or the resolvers named in `network.dns_servers` — and, for
//! a sandbox config, only loopback resolvers and only loopback answers.

use super::{Guard, NetError, Timeouts, guard::is_loopback};
use crate::config::{Config, validate::parse_dns_server};
use hickory_resolver::config::{NameServerConfig, ResolverConfig};
use hickory_resolver::net::runtime::TokioRuntimeProvider;
use hickory_resolver::{Resolver, TokioResolver};
use std::net::{IpAddr, SocketAddr};
use std::sync::Arc;

/// A hickory resolver behind the sandbox guard.
#[derive(Clone)]
pub struct DnsResolver {
    inner: Option<Arc<TokioResolver>>,
    guard: Guard,
    /// Human description of who answers ("system (/etc/resolv.conf)" or the ip:port list).
    pub servers: String,
}

impl std::fmt::Debug for DnsResolver {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("DnsResolver").field("servers", &self.servers).finish()
    }
}

pub fn build_resolver(config: &Config, guard: Guard, timeouts: Timeouts) -> Result<DnsResolver, NetError> {
    let servers: Vec<SocketAddr> = config.network.dns_servers.iter().filter_map(|s| parse_dns_server(s)).collect();
    if guard.loopback_only() && (servers.is_empty() || servers.iter().any(|s| !is_loopback(s.ip()))) {
        // Asking the system's resolver would send a packet off this machine: refuse every lookup.
        return Ok(DnsResolver { inner: None, guard, servers: "none (sandbox: no loopback resolver configured)".into() });
    }
    let mut builder = if servers.is_empty() {
        TokioResolver::builder_tokio().map_err(|e| NetError::Resolver(e.to_string()))?
    } else {
        let name_servers = servers
            .iter()
            .map(|addr| {
                let mut ns = NameServerConfig::udp_and_tcp(addr.ip());
                for c in ns.connections.iter_mut() {
                    c.port = addr.port();
                }
                ns
            })
            .collect();
        Resolver::builder_with_config(ResolverConfig::from_parts(None, vec![], name_servers), TokioRuntimeProvider::default())
    };
    let opts = builder.options_mut();
    opts.timeout = timeouts.connect.min(std::time::Duration::from_secs(2));
    opts.attempts = 1;
    opts.cache_size = 0; // a doctor run must see the answer of now, not of the last run
    let resolver = builder.build().map_err(|e| NetError::Resolver(e.to_string()))?;
    let described =
        if servers.is_empty() { "system (/etc/resolv.conf)".to_string() } else { servers.iter().map(ToString::to_string).collect::<Vec<_>>().join(", ") };
    Ok(DnsResolver { inner: Some(Arc::new(resolver)), guard, servers: described })
}

impl DnsResolver {
    /// Resolves `name` to addresses; in sandbox mode a non-loopback answer is refused.
    pub async fn lookup_ip(&self, name: &str) -> Result<Vec<IpAddr>, NetError> {
        if let Ok(ip) = name.trim_start_matches('[').trim_end_matches(']').parse::<IpAddr>() {
            self.guard.check_ip(ip)?;
            return Ok(vec![ip]);
        }
        // RFC 6761: localhost is always loopback, whatever the configured resolvers say.
        let lower = name.trim_end_matches('.').to_ascii_lowercase();
        if lower == "localhost" || lower.ends_with(".localhost") {
            return Ok(vec![IpAddr::from([127, 0, 0, 1])]);
        }
        let Some(inner) = &self.inner else {
            return Err(NetError::Guard { target: format!("the system DNS resolver (to look up {name})") });
        };
        let fqdn = if name.ends_with('.') { name.to_string() } else { format!("{name}.") };
        let lookup = inner.lookup_ip(fqdn.as_str()).await.map_err(|e| NetError::Dns { name: name.into(), detail: e.to_string() })?;
        let ips: Vec<IpAddr> = lookup.iter().collect();
        for ip in &ips {
            self.guard.check_ip(*ip)?;
        }
        Ok(ips)
    }

    pub fn hickory(&self) -> Option<&TokioResolver> {
        self.inner.as_deref()
    }
}

impl reqwest::dns::Resolve for DnsResolver {
    fn resolve(&self, name: reqwest::dns::Name) -> reqwest::dns::Resolving {
        let this = self.clone();
        let host = name.as_str().to_string();
        Box::pin(async move {
            let ips = this.lookup_ip(&host).await.map_err(|e| Box::new(e) as Box<dyn std::error::Error + Send + Sync>)?;
            let addrs: reqwest::dns::Addrs = Box::new(ips.into_iter().map(|ip| SocketAddr::new(ip, 0)));
            Ok(addrs)
        })
    }
}
