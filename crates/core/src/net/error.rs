//! What can go wrong on the wire, in words a help desk can act on.

use crate::error::{Diagnose, ErrorKind};
use std::path::PathBuf;

#[derive(Debug, thiserror::Error)]
pub enum NetError {
    #[error("sandbox guard: refused to connect to {target}, which is not a loopback address")]
    Guard { target: String },
    #[error("{url:?} is not a valid URL: {detail}")]
    InvalidUrl { url: String, detail: String },
    #[error("cannot read the CA file {}: {detail}", path.display())]
    CaFile { path: PathBuf, detail: String },
    #[error("cannot set up the HTTP client: {0}")]
    Build(String),
    #[error("cannot set up the DNS resolver: {0}")]
    Resolver(String),
    #[error("DNS lookup of {name} failed: {detail}")]
    Dns { name: String, detail: String },
    #[error("{target} did not answer within {after_ms} ms")]
    Timeout { target: String, after_ms: u64 },
    #[error("cannot connect to {target}: {detail}")]
    Connect { target: String, detail: String },
    #[error("TLS with {target} failed: {detail}")]
    Tls { target: String, detail: String },
    #[error("request to {target} failed: {detail}")]
    Request { target: String, detail: String },
    /// No request of the product is ever redirected, so none is followed: a hop the guard never
    /// saw, and a credential header (`x-api-key`) that would travel to another origin.
    #[error("{target} answered HTTP {status} with a redirect to {location}: a proxy or a wrong URL (the redirect was not followed)")]
    Redirect { target: String, status: u16, location: String },
}

impl Diagnose for NetError {
    fn kind(&self) -> ErrorKind {
        match self {
            NetError::Guard { .. } => ErrorKind::Guard,
            NetError::InvalidUrl { .. } => ErrorKind::Config,
            _ => ErrorKind::Network,
        }
    }

    fn hint(&self) -> String {
        match self {
            NetError::Guard { .. } => "This is a sandbox config: every endpoint must be on 127.0.0.0/8. Use your own config, not the sandbox's, to reach a real tenant.".into(),
            NetError::InvalidUrl { .. } => "Fix the URL in the config file (a full https:// URL).".into(),
            NetError::CaFile { .. } => "Point network.extra_ca_file at a readable PEM file, or remove the key.".into(),
            NetError::Build(_) | NetError::Resolver(_) => "Check network.dns_servers and network.extra_ca_file in the config.".into(),
            NetError::Dns { .. } => "The doctor's DNS check (path.dns) shows which resolver answered and what.".into(),
            NetError::Timeout { .. } => "A firewall, NSG or route may be dropping the traffic: the doctor finds the hop. On a slow link, allow more time and try again.".into(),
            NetError::Connect { .. } => "Check the VPN is up and the address is right; the doctor's path.tcp check shows where it stops.".into(),
            NetError::Tls { .. } => "A TLS-inspecting proxy or a wrong certificate; the doctor's path.tls check names the issuer.".into(),
            NetError::Request { .. } => "Run `foundry-onboard doctor` to check each hop of the path.".into(),
            NetError::Redirect { .. } => "Nothing was sent to where it points, no credential either. Check the URL in the config against the endpoint the Azure portal shows; if a proxy redirects it, add the host to NO_PROXY or ask the network team.".into(),
        }
    }
}

impl NetError {
    /// Classifies a reqwest failure, looking through its source chain for the rustls error.
    pub fn from_reqwest(target: &str, err: &reqwest::Error, total_ms: u64) -> Self {
        let mut chain = String::new();
        let mut source: Option<&(dyn std::error::Error + 'static)> = Some(err);
        let mut guard_refusal = None;
        // The innermost cause ("Connection refused (os error 111)"): what a connect failure says,
        // without reqwest's and hyper's wrappers around it.
        let mut root = String::new();
        while let Some(s) = source {
            if let Some(NetError::Guard { target }) = s.downcast_ref::<NetError>() {
                guard_refusal = Some(target.clone());
            }
            let text = s.to_string();
            root.clone_from(&text);
            if !chain.contains(&text) {
                if !chain.is_empty() {
                    chain.push_str(": ");
                }
                chain.push_str(&text);
            }
            source = s.source();
        }
        if let Some(target) = guard_refusal.or_else(|| chain.contains("sandbox guard").then(|| target.to_string())) {
            return NetError::Guard { target };
        }
        let lower = chain.to_ascii_lowercase();
        if err.is_timeout() {
            NetError::Timeout { target: target.into(), after_ms: total_ms }
        } else if lower.contains("certificate") || lower.contains("tls") || lower.contains("handshake") {
            NetError::Tls { target: target.into(), detail: chain }
        } else if err.is_connect() {
            NetError::Connect { target: target.into(), detail: root }
        } else {
            NetError::Request { target: target.into(), detail: chain }
        }
    }
}
