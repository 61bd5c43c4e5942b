//! What every check of one run shares: the config, a network layer built afresh for this run
//! (proxy, CA and DNS read now — field report #13), the endpoint under test, and the facts one
//! check learns for another (the addresses DNS found, the account ARM described, the token).

use super::facts::Facts;
use crate::Secret;
pub use crate::azure::discovery::ArmAccount;
use crate::azure::token::TokenSource;
use crate::config::Config;
use crate::net::Network;
use crate::profile::{AuthMode, ProfileHome, ProfileSpec};
use std::collections::BTreeMap;
use std::net::IpAddr;
use std::path::PathBuf;
use std::sync::Arc;
use std::time::Duration;

/// How to run the doctor.
#[derive(Debug, Clone)]
pub struct DoctorOptions {
    /// The directory Claude Code would start in (project settings files are read there).
    pub cwd: PathBuf,
    /// Run `claude -p` through the profile (`--with-claude`; on in the wizard's Verify step).
    pub with_claude: bool,
    /// Check ids, id prefixes (`path`, `foundry`) or section names; empty = everything.
    pub only: Vec<String>,
    pub check_timeout: Duration,
    pub deadline: Duration,
    /// The config file in use (the shell block's `secret print` reads it in sandbox mode).
    pub config_file: PathBuf,
    /// The `foundry-onboard` executable the profile block calls.
    pub cli: PathBuf,
    /// The `az` program, when found.
    pub az: Option<PathBuf>,
    /// Per `az` run (token requests).
    pub az_timeout: Duration,
    /// `claude.live`'s own budget (Claude Code starts slower than a socket connects).
    pub live_timeout: Duration,
    /// Keep user principal names in results and reports (`--include-identity`).
    pub include_identity: bool,
}

impl DoctorOptions {
    pub fn new(config_file: PathBuf, cli: PathBuf, cwd: PathBuf) -> Self {
        Self {
            cwd,
            with_claude: false,
            only: Vec::new(),
            check_timeout: Duration::from_secs(5),
            deadline: Duration::from_secs(15),
            config_file,
            cli,
            az: crate::azure::az::find(),
            az_timeout: Duration::from_secs(20),
            include_identity: false,
            live_timeout: Duration::from_secs(12),
        }
    }
}

/// The endpoint the private-path checks follow.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Endpoint {
    /// `https://host[:port]/anthropic` (Foundry) or the gateway's URL.
    pub base_url: String,
    pub host: String,
    pub port: u16,
    /// The Azure resource name, when the host is one of its three names.
    pub resource: Option<String>,
    /// `https`; plain `http` is allowed only on loopback (a local gateway), and has no TLS to check.
    pub tls: bool,
}

impl Endpoint {
    pub fn parse(base_url: &str) -> Option<Self> {
        let url = url::Url::parse(base_url).ok()?;
        let host = url.host_str()?.trim_start_matches('[').trim_end_matches(']').to_string();
        let port = url.port_or_known_default()?;
        let resource = crate::azure::names::BASE_DOMAINS
            .iter()
            .find_map(|d| host.strip_suffix(&format!(".{d}")))
            .map(|r| r.trim_end_matches(&format!(".{}", crate::azure::names::PRIVATELINK)).to_string())
            .filter(|r| !r.is_empty() && !r.contains('.'));
        Some(Self { base_url: base_url.trim_end_matches('/').to_string(), host, port, resource, tls: url.scheme() != "http" })
    }
}

pub struct Ctx {
    pub config: Config,
    pub options: DoctorOptions,
    pub net: Network,
    pub mode: AuthMode,
    pub endpoint: Option<Endpoint>,
    pub tokens: Option<TokenSource>,
    pub home: Option<ProfileHome>,
    pub spec: Option<ProfileSpec>,
    pub process_env: BTreeMap<String, String>,
    /// What checks learn for each other; read only through a check's [`super::facts::Upstream`].
    pub facts: Facts,
    /// Every secret the run handled: blanked from every result (see `scrub`).
    pub secrets: std::sync::Mutex<Vec<Secret>>,
    /// When the run began: waits for another check's facts end half a deadline after it.
    pub began: tokio::time::Instant,
}

impl Ctx {
    /// Builds the context; the network layer is new for every run.
    pub fn new(config: Config, options: DoctorOptions) -> Result<Arc<Self>, crate::net::NetError> {
        let net = Network::new(&config, crate::net::Timeouts { connect: options.check_timeout, total: options.check_timeout })?;
        let spec = ProfileSpec::from_config(&config).ok();
        let mode = spec.as_ref().map(|s| s.mode).unwrap_or(if config.foundry.via_gateway { AuthMode::Gateway } else { AuthMode::Entra });
        let endpoint = endpoint_of(&config);
        let tokens = options.az.as_ref().and_then(|az| TokenSource::new(az, &config, options.az_timeout).ok());
        let home = ProfileHome::for_config(&config, &options.config_file, options.cli.clone()).ok();
        Ok(Arc::new(Self {
            config,
            options,
            net,
            mode,
            endpoint,
            tokens,
            home,
            spec,
            process_env: std::env::vars().collect(),
            facts: Facts::default(),
            secrets: Default::default(),
            began: tokio::time::Instant::now(),
        }))
    }

    /// How long a check may wait for another's facts: until half the deadline has gone, so the
    /// checks that then go on without them keep the other half. Not a fixed few seconds: az
    /// takes 1–4 s on a laptop and longer on a loaded one, and a verdict must not depend on it.
    pub fn facts_until(&self) -> tokio::time::Instant {
        self.began + self.options.deadline / 2
    }

    pub fn is_gateway(&self) -> bool {
        self.config.foundry.via_gateway
    }

    /// Whether `ip` counts as private here (RFC 1918, CGNAT, ULA, link-local — and loopback, the
    /// sandbox's private network).
    pub fn is_private(ip: IpAddr) -> bool {
        match ip {
            IpAddr::V4(v4) => v4.is_private() || v4.is_loopback() || v4.is_link_local() || (v4.octets()[0] == 100 && (64..128).contains(&v4.octets()[1])),
            IpAddr::V6(v6) => v6.is_loopback() || (v6.segments()[0] & 0xfe00) == 0xfc00 || (v6.segments()[0] & 0xffc0) == 0xfe80,
        }
    }
}

/// The endpoint the path checks follow: the gateway in gateway mode; else the Foundry endpoint by
/// its Azure name (a sandbox config records that name beside the `localhost` URL it gives Claude
/// Code, because only the sandbox's DNS server knows it).
pub fn endpoint_of(config: &Config) -> Option<Endpoint> {
    if config.foundry.via_gateway {
        return config.gateway.url.as_deref().and_then(Endpoint::parse);
    }
    if let Some(private) = config.realm().private_base_url() {
        return Endpoint::parse(private);
    }
    crate::probe::base_url(config).as_deref().and_then(Endpoint::parse)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_resource_is_read_from_any_of_its_three_names() {
        let e = Endpoint::parse("https://contoso-ai.services.ai.azure.com/anthropic").unwrap();
        assert_eq!((e.host.as_str(), e.port, e.resource.as_deref()), ("contoso-ai.services.ai.azure.com", 443, Some("contoso-ai")));
        assert_eq!(Endpoint::parse("https://x.cognitiveservices.azure.com:8443/anthropic").unwrap().resource.as_deref(), Some("x"));
        assert_eq!(Endpoint::parse("https://llm.contoso.com").unwrap().resource, None);
        assert!(Ctx::is_private("10.1.2.3".parse().unwrap()) && Ctx::is_private("127.0.0.1".parse().unwrap()));
        assert!(!Ctx::is_private("203.0.113.10".parse().unwrap()) && !Ctx::is_private("20.42.1.1".parse().unwrap()));
    }
}
