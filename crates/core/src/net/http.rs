//! The HTTP client every feature uses: timeouts always set, our proxy decision, our resolver,
//! the sandbox CA only in sandbox mode, an extra CA from the config, and the guard first.

use super::{DnsResolver, Guard, NetError, ProxyEnv, Timeouts};
use crate::config::Config;
use std::path::Path;
use std::sync::Arc;
use url::Url;

#[derive(Clone, Debug)]
pub struct HttpClient {
    client: reqwest::Client,
    guard: Guard,
    timeouts: Timeouts,
}

impl HttpClient {
    pub fn new(config: &Config, guard: Guard, proxy: ProxyEnv, resolver: DnsResolver, timeouts: Timeouts) -> Result<Self, NetError> {
        let mut builder = reqwest::Client::builder()
            .user_agent(concat!("foundry-onboard/", env!("CARGO_PKG_VERSION")))
            .connect_timeout(timeouts.connect)
            .timeout(timeouts.total)
            .dns_resolver(Arc::new(resolver))
            .tls_info(true);
        builder =
            if guard.loopback_only() || proxy.is_empty() { builder.no_proxy() } else { builder.proxy(reqwest::Proxy::custom(move |url| proxy.proxy_for(url))) };
        if let Some(sandbox) = &config.sandbox {
            let mut certs = read_certs(&sandbox.ca_file)?;
            if let Some(extra) = &config.network.extra_ca_file {
                certs.extend(read_certs(extra)?);
            }
            builder = builder.tls_certs_only(certs);
        } else if let Some(extra) = &config.network.extra_ca_file {
            builder = builder.tls_certs_merge(read_certs(extra)?);
        }
        let client = builder.build().map_err(|e| NetError::Build(e.to_string()))?;
        Ok(Self { client, guard, timeouts })
    }

    /// Starts a request after the guard has seen the URL.
    pub fn request(&self, method: reqwest::Method, url: &str) -> Result<reqwest::RequestBuilder, NetError> {
        let parsed = Url::parse(url).map_err(|e| NetError::InvalidUrl { url: url.into(), detail: e.to_string() })?;
        self.guard.check_url(&parsed)?;
        Ok(self.client.request(method, parsed))
    }

    pub async fn send(&self, request: reqwest::RequestBuilder) -> Result<reqwest::Response, NetError> {
        let target = request
            .try_clone()
            .and_then(|r| r.build().ok())
            .map(|r| {
                let u = r.url();
                format!("{}://{}{}", u.scheme(), u.host_str().unwrap_or(""), u.port().map(|p| format!(":{p}")).unwrap_or_default())
            })
            .unwrap_or_else(|| "the server".into());
        request.send().await.map_err(|e| NetError::from_reqwest(&target, &e, self.timeouts.total.as_millis() as u64))
    }

    /// GET a URL and return the response.
    pub async fn get(&self, url: &str) -> Result<reqwest::Response, NetError> {
        let rb = self.request(reqwest::Method::GET, url)?;
        self.send(rb).await
    }
}

/// An HTML page where an API answer was expected: a proxy's sign-in page or a captive portal.
pub fn looks_like_html(content_type: Option<&str>, body: &str) -> bool {
    content_type.is_some_and(|c| c.contains("html")) || body.trim_start().starts_with('<')
}

fn read_certs(path: &Path) -> Result<Vec<reqwest::Certificate>, NetError> {
    let bytes = std::fs::read(path).map_err(|e| NetError::CaFile { path: path.into(), detail: e.to_string() })?;
    let certs = reqwest::Certificate::from_pem_bundle(&bytes).map_err(|e| NetError::CaFile { path: path.into(), detail: e.to_string() })?;
    if certs.is_empty() {
        return Err(NetError::CaFile { path: path.into(), detail: "no PEM certificate in the file".into() });
    }
    Ok(certs)
}
