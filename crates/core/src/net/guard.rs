//! The sandbox guard: with a sandbox config, any address outside 127.0.0.0/8 (or ::1) is refused
//! before a packet is sent — so the sandbox can never reach a real tenant by mistake.

use super::NetError;
use crate::config::Config;
use std::net::IpAddr;
use url::Url;

#[derive(Debug, Clone, Default)]
pub struct Guard {
    loopback_only: bool,
}

impl Guard {
    pub fn for_config(config: &Config) -> Self {
        Self { loopback_only: config.realm().loopback_only() }
    }

    pub fn loopback_only_guard() -> Self {
        Self { loopback_only: true }
    }

    pub fn loopback_only(&self) -> bool {
        self.loopback_only
    }

    pub fn check_ip(&self, ip: IpAddr) -> Result<(), NetError> {
        if self.loopback_only && !is_loopback(ip) {
            return Err(NetError::Guard { target: ip.to_string() });
        }
        Ok(())
    }

    /// Checks a URL whose host is an IP literal; host names are checked when they resolve.
    pub fn check_url(&self, url: &Url) -> Result<(), NetError> {
        match url.host() {
            Some(url::Host::Ipv4(ip)) => self.check_ip(IpAddr::V4(ip)),
            Some(url::Host::Ipv6(ip)) => self.check_ip(IpAddr::V6(ip)),
            _ => Ok(()),
        }
    }
}

/// 127.0.0.0/8, ::1, or an IPv4-mapped loopback.
pub fn is_loopback(ip: IpAddr) -> bool {
    match ip {
        IpAddr::V4(v4) => v4.is_loopback(),
        IpAddr::V6(v6) => v6.is_loopback() || v6.to_ipv4_mapped().is_some_and(|v4| v4.is_loopback()),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn refuses_only_non_loopback_in_sandbox_mode() {
        let g = Guard::loopback_only_guard();
        assert!(g.check_ip("127.0.0.1".parse().unwrap()).is_ok());
        assert!(g.check_ip("127.9.8.7".parse().unwrap()).is_ok());
        assert!(g.check_ip("::1".parse().unwrap()).is_ok());
        assert!(g.check_ip("10.0.0.4".parse().unwrap()).is_err());
        assert!(g.check_ip("20.1.2.3".parse().unwrap()).is_err());
        assert!(g.check_url(&Url::parse("https://192.168.1.1/x").unwrap()).is_err());
        assert!(Guard::default().check_ip("20.1.2.3".parse().unwrap()).is_ok());
    }
}
