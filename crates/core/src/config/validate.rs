//! The rules a config must follow beyond its types: names Azure accepts, URLs Claude Code
//! accepts. Each broken rule names its key. (The Foundry endpoint's rules — one of two keys,
//! each valid — are carried by its type, [`super::FoundryEndpoint`].)

use super::{Config, SourceFile};
use std::net::{IpAddr, SocketAddr};
use std::path::Path;
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
    // The Foundry endpoint's own rules are its type's (see `super::endpoint`): a Config cannot hold a bad one.
    let f = &config.foundry;
    if f.via_gateway && config.gateway.url.is_none() {
        out.push(violation(
            "foundry.via_gateway",
            "foundry.via_gateway is true but gateway.url is not set",
            "Set gateway.url to your LLM gateway, or set foundry.via_gateway = false.",
        ));
    }
    for (key, value) in [("models.sonnet", &config.models.sonnet), ("models.haiku", &config.models.haiku), ("models.opus", &config.models.opus)] {
        if let Some(name) = value
            && let Err(why) = deployment_name(name)
        {
            out.push(violation(
                key,
                format!("{key} {name:?} is not a deployment name: {why}"),
                "Copy the deployment name exactly as Azure shows it (letters, digits, '-', '_', '.'; up to 64).",
            ));
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
    if let Some(c) = config.network.extra_ca_file.as_ref().and_then(|p| p.to_string_lossy().chars().find(|c| c.is_control())) {
        out.push(violation(
            "network.extra_ca_file",
            format!("network.extra_ca_file holds the control character U+{:04X}", u32::from(c)),
            "Rename the PEM file (or its directory) to a name without control characters and set network.extra_ca_file to it.",
        ));
    }
    if config.network.max_latency_ms == 0 {
        out.push(violation("network.max_latency_ms", "network.max_latency_ms must be above 0", "The seed's target is 50 ms: set network.max_latency_ms = 50."));
    }
    check_url(&mut out, "usage.endpoint", Some(&config.usage.endpoint));
    super::usage::violations(config, &mut out);
    out
}

/// The Foundry endpoint's rule applied to a raw table (one file, or the policy and the user file
/// merged), as a [`Violation`] the loader can place at its file and line.
pub fn endpoint_violation(table: &toml::Table) -> Option<Violation> {
    use crate::error::Diagnose;
    super::endpoint::check_table(table).err().map(|e| violation(e.key(), e.to_string(), e.hint()))
}

/// Makes a relative `network.extra_ca_file` absolute against the directory of the file its value
/// came from (the user config, else — or when it locks the key — the org policy), never against
/// the working directory, which is another one in every shell that reads the profile.
pub fn anchor_relative_paths(config: &mut Config, user: Option<&SourceFile>, policy: &crate::config::policy::Policy) {
    const KEY: &str = "network.extra_ca_file";
    let Some(ca) = config.network.extra_ca_file.as_mut().filter(|p| p.is_relative()) else { return };
    let from_policy = policy.source.as_ref().filter(|p| p.sets(KEY));
    let from_user = user.filter(|u| u.sets(KEY) && !policy.is_locked(KEY));
    let Some(file) = from_user.or(from_policy) else { return };
    let dir = file.path().parent().filter(|d| !d.as_os_str().is_empty()).unwrap_or(Path::new("."));
    let joined = dir.join(&*ca);
    *ca = std::path::absolute(&joined).unwrap_or(joined);
}

fn check_url(out: &mut Vec<Violation>, key: &'static str, value: Option<&String>) {
    let Some(value) = value else { return };
    let shown = shown_url(value);
    if let Err(why) = typed_url(value) {
        return out.push(violation(key, format!("{key} {shown} {why}"), TYPED_URL_HINT));
    }
    match Url::parse(value) {
        Err(e) => out.push(violation(key, format!("{key} {shown} is not a URL: {e}"), "Write a full URL such as https://host/path.")),
        Ok(u) if !u.username().is_empty() || u.password().is_some() => {
            out.push(violation(key, format!("{key} {shown} holds a user name or password"), USERINFO_HINT))
        }
        Ok(u) if u.fragment().is_some() => out.push(violation(key, format!("{key} {shown} has a #fragment"), "Remove the # and what follows it.")),
        Ok(u) if u.scheme() == "https" => {}
        Ok(u) if u.scheme() == "http" && is_loopback_host(&u) => {}
        Ok(_) => out.push(violation(key, format!("{key} {shown} must use https"), "Plain http is allowed only for loopback addresses (the sandbox).")),
    }
}

const TYPED_URL_HINT: &str = "Type the URL again with plain ASCII characters (a word processor or chat may have turned ' into \u{2019}); percent-encode anything else, and write an international domain name in its xn-- form.";
const USERINFO_HINT: &str =
    "Remove the user:password@ part: the URL is written into your shell profile. Credentials belong in the keyring (`foundry-onboard secret set`).";

/// Characters RFC 3986 lets a URL hold as typed; anything else must be percent-encoded. A value
/// with another character (a typographic quote, a space, a control character) is refused, so it
/// can never reach a shell profile.
fn is_url_character(c: char) -> bool {
    c.is_ascii_alphanumeric() || "-._~:/?#[]@!$&'()*+,;=%".contains(c)
}

/// `Ok` when every character of `value` can be part of a URL; else which one cannot.
fn typed_url(value: &str) -> Result<(), String> {
    match value.chars().find(|c| !is_url_character(*c)) {
        None => Ok(()),
        Some(c) if c.is_control() || c.is_whitespace() => Err(format!("holds U+{:04X}, which no URL can contain", u32::from(c))),
        Some(c) => Err(format!("holds U+{:04X} ({c}), which no URL can contain", u32::from(c))),
    }
}

/// A URL for a message: quoted and escaped, with any `user:password@` replaced by `***@`.
pub fn shown_url(value: &str) -> String {
    let (scheme, rest) = value.split_once("://").unwrap_or(("", value));
    let end = rest.find(['/', '?', '#']).unwrap_or(rest.len());
    let shown = match rest[..end].rfind('@') {
        Some(at) => format!("{}{}***{}", scheme, if scheme.is_empty() { "" } else { "://" }, &rest[at..]),
        None => value.to_string(),
    };
    format!("{shown:?}")
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

/// What Claude Code accepts as `ANTHROPIC_FOUNDRY_BASE_URL` — and what may be written into a
/// shell profile: URL characters only, no credentials, no query, no fragment.
pub fn foundry_base_url(value: &str) -> Result<Url, String> {
    typed_url(value)?;
    let url = Url::parse(value).map_err(|e| format!("is not a URL ({e})"))?;
    if !url.username().is_empty() || url.password().is_some() {
        return Err("must not hold a user name or password (it is written into your shell profile)".into());
    }
    if url.fragment().is_some() {
        return Err("must not have a #fragment".into());
    }
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
    fn finding_01_urls_with_characters_no_url_can_contain_are_refused() {
        let hostile = "https://gw.example/\u{2019};Start-Process calc;\u{2019}/anthropic";
        let why = foundry_base_url(hostile).unwrap_err();
        assert!(why.contains("U+2019"), "{why}");
        let why = foundry_base_url("https://gw.example/a\0b/anthropic").unwrap_err();
        assert!(why.contains("U+0000"), "{why}");
        for bad in [
            "https://gw.example/a b/anthropic",
            "https://gw.example/a\"b/anthropic",
            "https://gw.example/a`b/anthropic",
            "https://gw.example/\u{2018}/anthropic",
        ] {
            assert!(foundry_base_url(bad).is_err(), "{bad}");
        }
        // What a URL may hold stays allowed: the quoting, not the check, keeps these inert.
        assert!(foundry_base_url("https://gw.example/team's;$(x)/anthropic").is_ok());

        let mut c = Config::default();
        c.gateway.url = Some("https://gw.example/\u{201B}x".into());
        c.azure.arm_url = "https://management.azure.com/\u{1b}[2J".into();
        let v = violations(&c);
        assert!(v.iter().any(|v| v.key == "gateway.url" && v.message.contains("U+201B")), "{v:?}");
        assert!(v.iter().any(|v| v.key == "azure.arm_url" && v.message.contains("U+001B")), "{v:?}");

        // The app's save_gateway goes through the same check.
        let choice = crate::setup::GatewayChoice {
            url: "https://gw.example/\u{2019};Start-Process calc;\u{2019}".into(),
            sonnet: "s".into(),
            haiku: "h".into(),
            opus: "o".into(),
            reuse_confirmed: false,
        };
        let err = crate::setup::choice::apply(&Config::default(), &crate::setup::Choice::from(&choice)).unwrap_err();
        assert!(err.to_string().contains("U+2019"), "{err:?}");
    }

    #[test]
    fn finding_15_a_url_with_a_fragment_is_refused() {
        assert!(foundry_base_url("https://r.services.ai.azure.com/anthropic#frag").is_err());
        assert!(foundry_base_url("https://r.services.ai.azure.com/x#/anthropic").is_err());
        let mut c = Config::default();
        c.gateway.url = Some("https://gw.example#x".into());
        assert!(violations(&c).iter().any(|v| v.key == "gateway.url" && v.message.contains('#')), "{:?}", violations(&c));
    }

    #[test]
    fn urls_never_carry_a_user_name_or_password() {
        let why = foundry_base_url("https://user:hunter2@gw.example/anthropic").unwrap_err();
        assert!(!why.contains("hunter2"), "the password is never repeated: {why}");
        let mut c = Config::default();
        c.gateway.url = Some("https://user:hunter2@gw.example".into());
        let v = violations(&c);
        assert!(v.iter().any(|v| v.key == "gateway.url"), "{v:?}");
        assert!(!format!("{v:?}").contains("hunter2"), "{v:?}");
    }

    #[test]
    fn finding_15_a_relative_extra_ca_file_is_anchored_at_the_file_that_set_it() {
        let mut c = Config::default();
        c.network.extra_ca_file = Some("certs/corp.pem".into());
        let user = SourceFile::new("/etc/x/user.toml", "[network]\nextra_ca_file = \"certs/corp.pem\"\n");
        let policy = crate::config::policy::Policy::parse(SourceFile::new("/srv/policy.toml", "[network]\nextra_ca_file = \"certs/corp.pem\"\n")).unwrap();
        anchor_relative_paths(&mut c, Some(&user), &policy);
        assert_eq!(c.network.extra_ca_file.as_deref(), Some(Path::new("/etc/x/certs/corp.pem")));
        let mut c = Config::default();
        c.network.extra_ca_file = Some("corp.pem".into());
        anchor_relative_paths(&mut c, Some(&SourceFile::new("/etc/x/user.toml", "")), &policy);
        assert_eq!(c.network.extra_ca_file.as_deref(), Some(Path::new("/srv/corp.pem")), "set by the policy, not the user file");
        let locked = crate::config::policy::Policy::parse(SourceFile::new(
            "/srv/policy.toml",
            "locked = [\"network.extra_ca_file\"]\n[network]\nextra_ca_file = \"corp.pem\"\n",
        ))
        .unwrap();
        let mut c = Config::default();
        c.network.extra_ca_file = Some("corp.pem".into());
        anchor_relative_paths(&mut c, Some(&user), &locked);
        assert_eq!(c.network.extra_ca_file.as_deref(), Some(Path::new("/srv/corp.pem")), "a locked key's value is the policy's");
    }

    #[test]
    fn both_endpoint_forms_is_a_violation() {
        let mut t = toml::Table::new();
        t.insert(
            "foundry".into(),
            toml::Value::Table(toml::from_str("resource = \"res\"\nbase_url = \"https://res.services.ai.azure.com/anthropic\"\n").unwrap()),
        );
        let v = endpoint_violation(&t).unwrap();
        assert_eq!(v.key, "foundry.base_url");
        assert!(v.hint.contains("Claude Code refuses"), "{v:?}");
        t.remove("foundry");
        assert_eq!(endpoint_violation(&t), None);
    }
}
