//! The HTTP client every feature uses: timeouts always set, our proxy decision, our resolver,
//! the sandbox CA only in sandbox mode, an extra CA from the config, the guard first — and no
//! redirect followed, so the guard's URL is the only one a request goes to.

use super::{DnsResolver, Guard, NetError, ProxyEnv, Timeouts};
use crate::config::Config;
use crate::limited_read::{self, Limit};
use crate::realm::Trust;
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
            // Never followed: see `NetError::Redirect`. `send` turns every 3xx into that error.
            .redirect(reqwest::redirect::Policy::none())
            .tls_info(true);
        builder =
            if guard.loopback_only() || proxy.is_empty() { builder.no_proxy() } else { builder.proxy(reqwest::Proxy::custom(move |url| proxy.proxy_for(url))) };
        match config.realm().trust() {
            Trust::Only(files) => {
                let mut certs = Vec::new();
                for file in files {
                    certs.extend(read_certs(file)?);
                }
                builder = builder.tls_certs_only(certs);
            }
            Trust::Platform { extra: Some(extra) } => builder = builder.tls_certs_merge(read_certs(extra)?),
            Trust::Platform { extra: None } => {}
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
        let response = request.send().await.map_err(|e| NetError::from_reqwest(&target, &e, self.timeouts.total.as_millis() as u64))?;
        // 304 Not Modified answers a conditional request (If-None-Match): not a redirect.
        if response.status().is_redirection() && response.status() != reqwest::StatusCode::NOT_MODIFIED {
            return Err(NetError::Redirect { target, status: response.status().as_u16(), location: redirect_target(&response) });
        }
        Ok(response)
    }

    /// GET a URL and return the response.
    pub async fn get(&self, url: &str) -> Result<reqwest::Response, NetError> {
        let rb = self.request(reqwest::Method::GET, url)?;
        self.send(rb).await
    }
}

/// The most of an answer's body the product reads. API answers are a few KiB (an ARM page of 50
/// accounts, about 100 KiB); a proxy's page or a server that never stops sending ends here.
pub const MAX_BODY: usize = 16 * 1024 * 1024;

/// An answer's body as text (invalid UTF-8 replaced), read up to [`MAX_BODY`] and cut there: the
/// rest is never read, so an endless body cannot grow the process. A body that fails midway gives
/// what arrived (the callers judge the text: HTML, JSON, empty).
pub async fn body_text(mut response: reqwest::Response) -> String {
    let mut bytes: Vec<u8> = Vec::new();
    while let Ok(Some(chunk)) = response.chunk().await {
        let room = MAX_BODY - bytes.len();
        bytes.extend_from_slice(&chunk[..chunk.len().min(room)]);
        if bytes.len() >= MAX_BODY {
            break;
        }
    }
    String::from_utf8_lossy(&bytes).into_owned()
}

/// An HTML page where an API answer was expected: a proxy's sign-in page or a captive portal.
pub fn looks_like_html(content_type: Option<&str>, body: &str) -> bool {
    content_type.is_some_and(|c| c.contains("html")) || body.trim_start().starts_with('<')
}

/// Where a redirect points, resolved against the request's URL, without credentials or query
/// (either may hold a secret of whoever sent it).
fn redirect_target(response: &reqwest::Response) -> String {
    let Some(raw) = response.headers().get(reqwest::header::LOCATION) else { return "nowhere (no Location header)".into() };
    let raw = String::from_utf8_lossy(raw.as_bytes());
    match response.url().join(&raw) {
        Ok(mut u) => {
            let _ = u.set_username("");
            let _ = u.set_password(None);
            let had_query = u.query().is_some();
            u.set_query(None);
            u.set_fragment(None);
            format!("{u}{}", if had_query { "?…" } else { "" })
        }
        Err(_) => format!("{:?}", crate::redact::first_bytes(&raw, 120)),
    }
}

fn read_certs(path: &Path) -> Result<Vec<reqwest::Certificate>, NetError> {
    let bytes = limited_read::read(path, Limit::CA_BUNDLE).map_err(|e| NetError::CaFile { path: path.into(), detail: e.to_string() })?;
    let certs = reqwest::Certificate::from_pem_bundle(&bytes).map_err(|e| NetError::CaFile { path: path.into(), detail: e.to_string() })?;
    if certs.is_empty() {
        return Err(NetError::CaFile { path: path.into(), detail: "no PEM certificate in the file".into() });
    }
    Ok(certs)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::net::build_resolver;
    use std::sync::atomic::{AtomicUsize, Ordering};
    use tokio::io::{AsyncReadExt, AsyncWriteExt};
    use tokio::net::TcpListener;

    fn client(config: &Config, guard: Guard) -> Result<HttpClient, NetError> {
        let timeouts = Timeouts::from_total_ms(3_000);
        let resolver = build_resolver(config, guard.clone(), timeouts)?;
        HttpClient::new(config, guard, ProxyEnv::none(), resolver, timeouts)
    }

    /// Reads one request head; true when it carried a credential header.
    async fn read_head(stream: &mut tokio::net::TcpStream) -> bool {
        let mut buf = Vec::new();
        let mut chunk = [0u8; 4096];
        while !buf.windows(4).any(|w| w == b"\r\n\r\n") {
            match stream.read(&mut chunk).await {
                Ok(0) | Err(_) => break,
                Ok(n) => buf.extend_from_slice(&chunk[..n]),
            }
        }
        let head = String::from_utf8_lossy(&buf).to_ascii_lowercase();
        ["x-api-key:", "api-key:", "authorization:"].iter().any(|h| head.contains(h))
    }

    /// A loopback server that counts connections and credential headers, answering 200.
    async fn target() -> (u16, Arc<AtomicUsize>, Arc<AtomicUsize>) {
        let listener = TcpListener::bind("127.0.0.1:0").await.unwrap();
        let port = listener.local_addr().unwrap().port();
        let (connections, credentials) = (Arc::new(AtomicUsize::new(0)), Arc::new(AtomicUsize::new(0)));
        let (c, k) = (connections.clone(), credentials.clone());
        tokio::spawn(async move {
            while let Ok((mut s, _)) = listener.accept().await {
                c.fetch_add(1, Ordering::SeqCst);
                if read_head(&mut s).await {
                    k.fetch_add(1, Ordering::SeqCst);
                }
                let _ = s.write_all(b"HTTP/1.1 200 OK\r\ncontent-type: application/json\r\ncontent-length: 2\r\nconnection: close\r\n\r\n{}").await;
            }
        });
        (port, connections, credentials)
    }

    /// A loopback server answering every request with `status` and `Location: location`.
    async fn redirector(status: u16, location: String) -> u16 {
        let listener = TcpListener::bind("127.0.0.1:0").await.unwrap();
        let port = listener.local_addr().unwrap().port();
        tokio::spawn(async move {
            while let Ok((mut s, _)) = listener.accept().await {
                read_head(&mut s).await;
                let reply = format!("HTTP/1.1 {status} Moved\r\nlocation: {location}\r\ncontent-length: 0\r\nconnection: close\r\n\r\n");
                let _ = s.write_all(reply.as_bytes()).await;
            }
        });
        port
    }

    /// A closed port is named with its cause, not reqwest's and hyper's wrappers around it.
    #[tokio::test]
    async fn a_refused_connection_says_refused_in_one_clause() {
        let port = TcpListener::bind("127.0.0.1:0").await.unwrap().local_addr().unwrap().port();
        let http = client(&Config::default(), Guard::loopback_only_guard()).unwrap();
        let url = format!("http://127.0.0.1:{port}/key/info");
        let e = http.get(&url).await.unwrap_err();
        let said = e.to_string();
        assert!(said.starts_with(&format!("cannot connect to http://127.0.0.1:{port}: ")) && said.to_lowercase().contains("connection refused"), "{said}");
        assert!(!said.contains("error sending request") && !said.contains("client error"), "{said}");
    }

    /// A server that never stops sending: the body is read up to MAX_BODY, no further.
    #[tokio::test]
    async fn an_endless_body_is_read_up_to_the_limit_and_no_further() {
        let listener = TcpListener::bind("127.0.0.1:0").await.unwrap();
        let port = listener.local_addr().unwrap().port();
        let sent = Arc::new(AtomicUsize::new(0));
        let counted = sent.clone();
        tokio::spawn(async move {
            if let Ok((mut s, _)) = listener.accept().await {
                read_head(&mut s).await;
                let _ = s.write_all(b"HTTP/1.1 200 OK\r\ncontent-type: text/html\r\nconnection: close\r\n\r\n").await;
                let block = vec![b'<'; 64 * 1024];
                while s.write_all(&block).await.is_ok() {
                    counted.fetch_add(block.len(), Ordering::SeqCst);
                }
            }
        });
        let http = client(&Config::default(), Guard::loopback_only_guard()).unwrap();
        let resp = http.get(&format!("http://127.0.0.1:{port}/")).await.unwrap();
        let text = body_text(resp).await;
        assert_eq!(text.len(), MAX_BODY, "read exactly up to the limit");
        assert!(looks_like_html(None, &text));
        // The server stops once the client stops reading (socket buffers aside), far short of 2×.
        tokio::time::sleep(std::time::Duration::from_millis(200)).await;
        assert!(sent.load(Ordering::SeqCst) < 2 * MAX_BODY, "sent {} bytes", sent.load(Ordering::SeqCst));
    }

    #[tokio::test]
    async fn finding_02_a_redirect_is_refused_and_named_and_its_target_gets_nothing() {
        let (target_port, connections, credentials) = target().await;
        for status in [301u16, 302, 303, 307, 308] {
            let location = format!("http://127.0.0.1:{target_port}/anthropic/v1/messages?beta=true");
            let port = redirector(status, location.clone()).await;
            for guard in [Guard::default(), Guard::loopback_only_guard()] {
                let http = client(&Config::default(), guard).unwrap();
                let rb = http
                    .request(reqwest::Method::POST, &format!("http://127.0.0.1:{port}/anthropic/v1/messages"))
                    .unwrap()
                    .header("x-api-key", "k-123")
                    .body("{}");
                match http.send(rb).await {
                    Err(e) => {
                        let said = format!("{e} {}", crate::Diagnose::hint(&e));
                        assert!(
                            said.contains(&format!("answered HTTP {status}"))
                                && said.contains(&format!("to http://127.0.0.1:{target_port}/anthropic/v1/messages")),
                            "{status}: {said}"
                        );
                        assert!(said.contains("a proxy or a wrong URL"), "{status}: {said}");
                        assert_eq!(crate::Diagnose::kind(&e), crate::ErrorKind::Network);
                    }
                    other => panic!("{status}: a redirect must be an error, got {:?}", other.map(|r| r.status())),
                }
            }
        }
        assert_eq!(connections.load(Ordering::SeqCst), 0, "the redirect's target was contacted");
        assert_eq!(credentials.load(Ordering::SeqCst), 0, "the key reached the redirect's target");
    }

    /// A sparse file far larger than every limit, without using the disk or memory it names.
    fn huge_file(dir: &Path) -> std::path::PathBuf {
        let p = dir.join("huge.pem");
        std::fs::File::create(&p).unwrap().set_len(64 * 1024 * 1024).unwrap();
        p
    }

    #[test]
    fn finding_07_an_oversized_ca_bundle_names_the_limit() {
        let dir = tempfile::tempdir().unwrap();
        let mut config = Config::default();
        config.network.extra_ca_file = Some(huge_file(dir.path()));
        let err = client(&config, Guard::default()).unwrap_err();
        assert!(matches!(err, NetError::CaFile { .. }), "{err}");
        assert!(err.to_string().contains("8 MiB, the limit for a CA certificate bundle"), "{err}");
    }
}
