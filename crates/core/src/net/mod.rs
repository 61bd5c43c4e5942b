//! The one place that builds HTTP clients, DNS resolvers and TCP connections, so every
//! network operation has a timeout, honours the proxy and extra CA read *now* (not cached at
//! start-up), and — for a sandbox config — never leaves the loopback range.

mod dns;
mod error;
mod guard;
mod http;
mod proxy;

pub use dns::{DnsResolver, build_resolver};
pub use error::NetError;
pub use guard::Guard;
pub use http::{HttpClient, MAX_BODY, body_text, looks_like_html};
pub use proxy::{ProxyDecision, ProxyEnv};

use crate::config::Config;
use std::time::Duration;

/// Timeouts every operation gets; `--timeout-ms` sets `total`.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Timeouts {
    pub connect: Duration,
    pub total: Duration,
}

impl Default for Timeouts {
    fn default() -> Self {
        Self { connect: Duration::from_secs(5), total: Duration::from_secs(20) }
    }
}

impl Timeouts {
    /// A total budget; the connect timeout is a quarter of it, at most 5 s.
    pub fn from_total_ms(ms: u64) -> Self {
        let total = Duration::from_millis(ms.max(1));
        Self { connect: (total / 4).clamp(Duration::from_millis(1), Duration::from_secs(5)), total }
    }
}

/// Everything network-facing, built afresh from the config and the process environment.
#[derive(Clone)]
pub struct Network {
    pub http: HttpClient,
    pub resolver: DnsResolver,
    pub guard: Guard,
    pub proxy: ProxyEnv,
    pub timeouts: Timeouts,
}

impl Network {
    /// Reads the proxy variables and the CA files now. Call it per doctor run or refresh.
    pub fn new(config: &Config, timeouts: Timeouts) -> Result<Self, NetError> {
        let guard = Guard::for_config(config);
        let proxy = if guard.loopback_only() { ProxyEnv::none() } else { ProxyEnv::from_process_env() };
        let resolver = build_resolver(config, guard.clone(), timeouts)?;
        let http = HttpClient::new(config, guard.clone(), proxy.clone(), resolver.clone(), timeouts)?;
        Ok(Self { http, resolver, guard, proxy, timeouts })
    }

    /// Opens a TCP connection through the guard, with the connect timeout.
    pub async fn connect_tcp(&self, addr: std::net::SocketAddr) -> Result<tokio::net::TcpStream, NetError> {
        self.guard.check_ip(addr.ip())?;
        match tokio::time::timeout(self.timeouts.connect, tokio::net::TcpStream::connect(addr)).await {
            Ok(Ok(s)) => Ok(s),
            Ok(Err(e)) => Err(NetError::Connect { target: addr.to_string(), detail: e.to_string() }),
            Err(_) => Err(NetError::Timeout { target: addr.to_string(), after_ms: self.timeouts.connect.as_millis() as u64 }),
        }
    }
}
