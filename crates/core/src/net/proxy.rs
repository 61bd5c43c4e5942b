//! Which proxy applies to a URL, decided by us from the environment (curl's rules), so the
//! decision the client acts on is the same one the doctor reports.

use serde::Serialize;
use url::Url;

#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct ProxyEnv {
    /// (variable name, value) for the first of HTTPS_PROXY/https_proxy/ALL_PROXY/all_proxy set.
    https: Option<(String, String)>,
    /// (variable name, value) for HTTP_PROXY/http_proxy/ALL_PROXY/all_proxy.
    http: Option<(String, String)>,
    /// (variable name, value) of NO_PROXY/no_proxy.
    no_proxy: Option<(String, String)>,
}

/// What was decided for one URL, and why.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct ProxyDecision {
    /// The proxy URL with any credentials removed, or None for a direct connection.
    pub proxy: Option<String>,
    /// The variable the proxy came from.
    pub from: Option<String>,
    /// The NO_PROXY entry that matched, when one did.
    pub bypassed_by: Option<String>,
}

impl ProxyEnv {
    pub fn none() -> Self {
        Self::default()
    }

    /// Reads the variables now (never cached across runs: a VPN or proxy may have changed).
    pub fn from_process_env() -> Self {
        Self::from_lookup(|k| std::env::var(k).ok())
    }

    pub fn from_lookup(get: impl Fn(&str) -> Option<String>) -> Self {
        let first = |names: &[&str]| names.iter().find_map(|n| get(n).filter(|v| !v.trim().is_empty()).map(|v| (n.to_string(), v.trim().to_string())));
        Self {
            https: first(&["HTTPS_PROXY", "https_proxy", "ALL_PROXY", "all_proxy"]),
            // CGI: HTTP_PROXY may come from a request header there; curl ignores it too.
            http: if get("REQUEST_METHOD").is_some() {
                first(&["ALL_PROXY", "all_proxy"])
            } else {
                first(&["HTTP_PROXY", "http_proxy", "ALL_PROXY", "all_proxy"])
            },
            no_proxy: first(&["NO_PROXY", "no_proxy"]),
        }
    }

    pub fn is_empty(&self) -> bool {
        self.https.is_none() && self.http.is_none()
    }

    pub fn decide(&self, url: &Url) -> ProxyDecision {
        let chosen = if url.scheme() == "https" { &self.https } else { &self.http };
        let Some((var, value)) = chosen else {
            return ProxyDecision { proxy: None, from: None, bypassed_by: None };
        };
        let host = url.host_str().unwrap_or("").trim_start_matches('[').trim_end_matches(']').to_ascii_lowercase();
        if let Some((_, list)) = &self.no_proxy {
            for entry in list.split(',').map(str::trim).filter(|e| !e.is_empty()) {
                if no_proxy_matches(entry, &host) {
                    return ProxyDecision { proxy: None, from: None, bypassed_by: Some(entry.to_string()) };
                }
            }
        }
        ProxyDecision { proxy: Some(redact_userinfo(value)), from: Some(var.clone()), bypassed_by: None }
    }

    /// The proxy URL (with credentials) to use for `url`, if any.
    pub fn proxy_for(&self, url: &Url) -> Option<String> {
        let d = self.decide(url);
        d.proxy.as_ref()?;
        let chosen = if url.scheme() == "https" { &self.https } else { &self.http };
        chosen.as_ref().map(|(_, v)| if v.contains("://") { v.clone() } else { format!("http://{v}") })
    }
}

/// curl's NO_PROXY matching: `*`, an exact host, a domain suffix (with or without a leading
/// dot), an IP, or an IP range in CIDR form.
fn no_proxy_matches(entry: &str, host: &str) -> bool {
    let entry = entry.to_ascii_lowercase();
    if entry == "*" {
        return true;
    }
    if let Ok(net) = entry.parse::<ipnet::IpNet>() {
        return host.parse::<std::net::IpAddr>().is_ok_and(|ip| net.contains(&ip));
    }
    let entry = entry.split(':').next().unwrap_or("").trim_start_matches("*.");
    let bare = entry.trim_start_matches('.');
    host == bare || host.ends_with(&format!(".{bare}"))
}

fn redact_userinfo(value: &str) -> String {
    match Url::parse(if value.contains("://") { value.to_string() } else { format!("http://{value}") }.as_str()) {
        Ok(mut u) if !u.username().is_empty() || u.password().is_some() => {
            let _ = u.set_username("***");
            let _ = u.set_password(None);
            u.to_string()
        }
        _ => value.to_string(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn env(pairs: &[(&str, &str)]) -> ProxyEnv {
        let map: std::collections::HashMap<String, String> = pairs.iter().map(|(k, v)| (k.to_string(), v.to_string())).collect();
        ProxyEnv::from_lookup(move |k| map.get(k).cloned())
    }

    #[test]
    fn https_proxy_applies_unless_no_proxy_matches() {
        let e = env(&[("HTTPS_PROXY", "http://user:pw@proxy.corp:3128"), ("NO_PROXY", "localhost,.privatelink.services.ai.azure.com,10.0.0.0/8")]);
        let d = e.decide(&Url::parse("https://res.services.ai.azure.com/anthropic").unwrap());
        assert_eq!(d.from.as_deref(), Some("HTTPS_PROXY"));
        assert_eq!(d.proxy.as_deref(), Some("http://***@proxy.corp:3128/"));
        let d = e.decide(&Url::parse("https://res.privatelink.services.ai.azure.com/").unwrap());
        assert_eq!(d.bypassed_by.as_deref(), Some(".privatelink.services.ai.azure.com"));
        let d = e.decide(&Url::parse("https://10.1.2.3/").unwrap());
        assert_eq!(d.bypassed_by.as_deref(), Some("10.0.0.0/8"));
        assert_eq!(e.proxy_for(&Url::parse("https://x.example/").unwrap()).as_deref(), Some("http://user:pw@proxy.corp:3128"));
    }

    #[test]
    fn lowercase_and_all_proxy_and_cgi() {
        let e = env(&[("all_proxy", "proxy:8080")]);
        assert_eq!(e.decide(&Url::parse("http://a.example/").unwrap()).from.as_deref(), Some("all_proxy"));
        let e = env(&[("HTTP_PROXY", "http://evil:1"), ("REQUEST_METHOD", "GET")]);
        assert_eq!(e.decide(&Url::parse("http://a.example/").unwrap()).proxy, None);
        assert!(env(&[]).decide(&Url::parse("https://a.example/").unwrap()).proxy.is_none());
    }

    #[test]
    fn no_proxy_star_and_suffix_without_dot() {
        let e = env(&[("HTTPS_PROXY", "http://p:1"), ("no_proxy", "azure.com")]);
        assert!(e.decide(&Url::parse("https://res.services.ai.azure.com/").unwrap()).proxy.is_none());
        assert!(e.decide(&Url::parse("https://notazure.com/").unwrap()).proxy.is_some());
        let e = env(&[("HTTPS_PROXY", "http://p:1"), ("NO_PROXY", "*")]);
        assert!(e.decide(&Url::parse("https://x/").unwrap()).proxy.is_none());
    }
}
