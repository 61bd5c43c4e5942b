//! The rules a config must follow beyond its types: names Azure accepts, URLs Claude Code
//! accepts, no two ways of naming the endpoint. Each broken rule names its key.

use super::Config;
use std::net::{IpAddr, SocketAddr};
use url::Url;

/// A rule a config breaks: the key, what is wrong, and what to do.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Violation {
    pub key: &'static str,
    pub message: String,
    pub hint: String,
}

fn violation(key: &'static str, message: impl Into<String>, hint: impl Into<String>) -> Violation {
    Violation { key, message: message.into(), hint: hint.into() }
}

/// Every rule the config breaks, in key order.
pub fn violations(config: &Config) -> Vec<Violation> {
    let mut out = Vec::new();
    check_url(&mut out, "azure.arm_url", Some(&config.azure.arm_url));
    check_url(&mut out, "azure.authority_url", Some(&config.azure.authority_url));
    let f = &config.foundry;
    if f.resource.is_some() && f.base_url.is_some() {
        out.push(violation(
            "foundry.base_url",
            "foundry.resource and foundry.base_url are both set",
            "Keep one: Claude Code refuses ANTHROPIC_FOUNDRY_RESOURCE and ANTHROPIC_FOUNDRY_BASE_URL together.",
        ));
    }
    if let Some(r) = &f.resource {
        if let Err(why) = resource_name(r) {
            out.push(violation(
                "foundry.resource",
                format!("foundry.resource {r:?} is not an Azure resource name: {why}"),
                "Give the bare name (e.g. \"my-ai-resource\"); to give a URL, use foundry.base_url instead.",
            ));
        }
    }
    if let Some(b) = &f.base_url {
        if let Err(why) = foundry_base_url(b) {
            out.push(violation(
                "foundry.base_url",
                format!("foundry.base_url {b:?} {why}"),
                "Use the form https://<resource>.services.ai.azure.com/anthropic (no /v1, no query string).",
            ));
        }
    }
    if f.via_gateway && config.gateway.url.is_none() {
        out.push(violation(
            "foundry.via_gateway",
            "foundry.via_gateway is true but gateway.url is not set",
            "Set gateway.url to your LLM gateway, or set foundry.via_gateway = false.",
        ));
    }
    for (key, value) in [("models.sonnet", &config.models.sonnet), ("models.haiku", &config.models.haiku), ("models.opus", &config.models.opus)] {
        if let Some(name) = value {
            if let Err(why) = deployment_name(name) {
                out.push(violation(
                    key,
                    format!("{key} {name:?} is not a deployment name: {why}"),
                    "Copy the deployment name exactly as Azure shows it (letters, digits, '-', '_', '.'; up to 64).",
                ));
            }
        }
    }
    check_url(&mut out, "gateway.url", config.gateway.url.as_ref());
    for server in &config.network.dns_servers {
        if parse_dns_server(server).is_none() {
            out.push(violation(
                "network.dns_servers",
                format!("network.dns_servers entry {server:?} is not an address"),
                "Write each resolver as \"ip:port\" (e.g. \"10.0.0.4:53\") or a bare IP for port 53.",
            ));
        }
    }
    if config.network.max_latency_ms == 0 {
        out.push(violation("network.max_latency_ms", "network.max_latency_ms must be above 0", "The seed's target is 50 ms: set network.max_latency_ms = 50."));
    }
    out
}

fn check_url(out: &mut Vec<Violation>, key: &'static str, value: Option<&String>) {
    let Some(value) = value else { return };
    match Url::parse(value) {
        Err(e) => out.push(violation(key, format!("{key} {value:?} is not a URL: {e}"), "Write a full URL such as https://host/path.")),
        Ok(u) if u.scheme() == "https" => {}
        Ok(u) if u.scheme() == "http" && is_loopback_host(&u) => {}
        Ok(_) => out.push(violation(key, format!("{key} {value:?} must use https"), "Plain http is allowed only for loopback addresses (the sandbox).")),
    }
}

/// `127.0.0.0/8`, `::1` or `localhost`.
pub fn is_loopback_host(url: &Url) -> bool {
    match url.host() {
        Some(url::Host::Ipv4(ip)) => ip.is_loopback(),
        Some(url::Host::Ipv6(ip)) => ip.is_loopback(),
        Some(url::Host::Domain(d)) => d.eq_ignore_ascii_case("localhost"),
        None => false,
    }
}

/// Azure's custom-subdomain rule: 2–64 characters, letters, digits and hyphens, starting with a
/// letter or digit and not ending with a hyphen.
pub fn resource_name(name: &str) -> Result<(), &'static str> {
    if name.contains("://") || name.contains('.') || name.contains('/') {
        return Err("it looks like a URL or host name, not a bare resource name");
    }
    if !(2..=64).contains(&name.len()) {
        return Err("it must be 2 to 64 characters long");
    }
    if !name.bytes().all(|b| b.is_ascii_alphanumeric() || b == b'-') {
        return Err("only letters, digits and '-' are allowed");
    }
    if name.starts_with('-') || name.ends_with('-') {
        return Err("it cannot start or end with '-'");
    }
    Ok(())
}

/// A deployment name as Azure allows it.
pub fn deployment_name(name: &str) -> Result<(), &'static str> {
    if name.is_empty() || name.len() > 64 {
        return Err("it must be 1 to 64 characters long");
    }
    if !name.bytes().all(|b| b.is_ascii_alphanumeric() || matches!(b, b'-' | b'_' | b'.')) {
        return Err("only letters, digits, '-', '_' and '.' are allowed");
    }
    if !name.as_bytes()[0].is_ascii_alphanumeric() {
        return Err("it must start with a letter or digit");
    }
    Ok(())
}

/// What Claude Code accepts as `ANTHROPIC_FOUNDRY_BASE_URL`.
pub fn foundry_base_url(value: &str) -> Result<Url, String> {
    let url = Url::parse(value).map_err(|e| format!("is not a URL ({e})"))?;
    match url.scheme() {
        "https" => {}
        "http" if is_loopback_host(&url) => {}
        "http" => return Err("must use https (http only for loopback)".into()),
        other => return Err(format!("has scheme {other:?}; use https")),
    }
    if url.query().is_some() {
        return Err("must not have a query string".into());
    }
    let path = url.path().trim_end_matches('/');
    if path.ends_with("/v1") || path.ends_with("/v1/messages") {
        return Err("must end in /anthropic, without /v1".into());
    }
    if !path.ends_with("/anthropic") {
        return Err("must end in /anthropic".into());
    }
    Ok(url)
}

/// `ip:port`, or a bare IP meaning port 53.
pub fn parse_dns_server(value: &str) -> Option<SocketAddr> {
    value.parse::<SocketAddr>().ok().or_else(|| value.parse::<IpAddr>().ok().map(|ip| SocketAddr::new(ip, 53)))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn resource_names() {
        assert!(resource_name("my-ai-resource").is_ok());
        assert!(resource_name("a").is_err());
        assert!(resource_name("-x").is_err());
        assert!(resource_name("x-").is_err());
        assert!(resource_name("https://x.services.ai.azure.com").is_err());
        assert!(resource_name("x.services").is_err());
        assert!(resource_name("has space").is_err());
    }

    #[test]
    fn base_urls() {
        assert!(foundry_base_url("https://r.services.ai.azure.com/anthropic").is_ok());
        assert!(foundry_base_url("https://r.services.ai.azure.com/anthropic/").is_ok());
        assert!(foundry_base_url("http://127.0.0.1:8080/anthropic").is_ok());
        assert!(foundry_base_url("https://r.services.ai.azure.com").is_err());
        assert!(foundry_base_url("https://r.services.ai.azure.com/anthropic/v1").is_err());
        assert!(foundry_base_url("https://r.services.ai.azure.com/anthropic?x=1").is_err());
        assert!(foundry_base_url("http://r.services.ai.azure.com/anthropic").is_err());
    }

    #[test]
    fn deployment_names() {
        assert!(deployment_name("claude-sonnet-4-5").is_ok());
        assert!(deployment_name("team_a.sonnet").is_ok());
        assert!(deployment_name("").is_err());
        assert!(deployment_name("bad name").is_err());
        assert!(deployment_name("x;rm").is_err());
        assert!(deployment_name("-lead").is_err());
    }

    #[test]
    fn dns_servers() {
        assert_eq!(parse_dns_server("127.0.0.1:5353"), Some("127.0.0.1:5353".parse().unwrap()));
        assert_eq!(parse_dns_server("10.0.0.4"), Some("10.0.0.4:53".parse().unwrap()));
        assert_eq!(parse_dns_server("dns.example"), None);
    }

    #[test]
    fn both_endpoint_forms_is_a_violation() {
        let mut c = Config::default();
        c.foundry.resource = Some("res".into());
        c.foundry.base_url = Some("https://res.services.ai.azure.com/anthropic".into());
        let v = violations(&c);
        assert_eq!(v.len(), 1);
        assert_eq!(v[0].key, "foundry.base_url");
    }
}
