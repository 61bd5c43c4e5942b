//! The wire faults seen from a client's side of 127.0.0.1: real TCP connects, real TLS handshakes
//! with rustls and the platform's verifier, timed.

use super::*;
use rustls::pki_types::pem::PemObject;
use rustls::pki_types::{CertificateDer, ServerName};
use std::time::Instant;
use tokio::io::{AsyncReadExt, AsyncWriteExt};
use tokio::net::TcpStream;

const HOST: &str = "sandbox-ai.services.ai.azure.com";

async fn start(faults: &[Fault]) -> Sandbox {
    Sandbox::start(SandboxOptions { faults: faults.to_vec(), ..Default::default() }).await.unwrap()
}

fn port_of(url: &str) -> u16 {
    url::Url::parse(url).unwrap().port().unwrap()
}

fn foundry_port(sb: &Sandbox) -> u16 {
    let e = sb.endpoints();
    assert_eq!(port_of(&e.foundry_base_url), port_of(&e.foundry_private_url), "the base and private URLs share the port");
    port_of(&e.foundry_base_url)
}

fn client_config(ca_files: &[&str]) -> Arc<rustls::ClientConfig> {
    let mut roots = rustls::RootCertStore::empty();
    for f in ca_files {
        for cert in CertificateDer::pem_file_iter(f).unwrap() {
            roots.add(cert.unwrap()).unwrap();
        }
    }
    let provider = Arc::new(rustls::crypto::aws_lc_rs::default_provider());
    Arc::new(
        rustls::ClientConfig::builder_with_provider(provider)
            .with_safe_default_protocol_versions()
            .unwrap()
            .with_root_certificates(roots)
            .with_no_client_auth(),
    )
}

/// A full TLS handshake trusting `ca_files`: the presented chain, or rustls's verdict.
async fn handshake(port: u16, ca_files: &[&str]) -> Result<Vec<CertificateDer<'static>>, rustls::Error> {
    let tcp = TcpStream::connect(("127.0.0.1", port)).await.unwrap();
    let connector = tokio_rustls::TlsConnector::from(client_config(ca_files));
    match connector.connect(ServerName::try_from(HOST).unwrap(), tcp).await {
        Ok(tls) => Ok(tls.get_ref().1.peer_certificates().unwrap().iter().map(|c| c.clone().into_owned()).collect()),
        Err(e) => Err(e.get_ref().and_then(|i| i.downcast_ref::<rustls::Error>()).cloned().unwrap_or_else(|| panic!("not a TLS error: {e}"))),
    }
}

/// (bare TCP connect, ClientHello sent → first ServerHello byte), as a doctor would time them.
async fn connect_and_hello(port: u16, ca_file: &str) -> (Duration, Duration) {
    let start = Instant::now();
    let mut tcp = TcpStream::connect(("127.0.0.1", port)).await.unwrap();
    let connect = start.elapsed();
    let mut conn = rustls::ClientConnection::new(client_config(&[ca_file]), ServerName::try_from(HOST).unwrap()).unwrap();
    let mut hello = Vec::new();
    conn.write_tls(&mut hello).unwrap();
    let sent = Instant::now();
    tcp.write_all(&hello).await.unwrap();
    let mut first = [0u8; 5];
    tcp.read_exact(&mut first).await.unwrap();
    assert_eq!(first[0], 0x16, "a TLS handshake record (ServerHello)");
    (connect, sent.elapsed())
}

/// The issuer Name of a DER certificate (Certificate → tbsCertificate → version, serial,
/// signature algorithm, issuer).
fn issuer(der: &[u8]) -> &[u8] {
    fn tlv(b: &[u8]) -> (u8, &[u8], &[u8]) {
        let (len, head) = if b[1] < 0x80 {
            (b[1] as usize, 2)
        } else {
            let n = (b[1] & 0x7f) as usize;
            (b[2..2 + n].iter().fold(0usize, |a, x| a << 8 | *x as usize), 2 + n)
        };
        (b[0], &b[head..head + len], &b[head + len..])
    }
    let (_, cert, _) = tlv(der);
    let (_, tbs, _) = tlv(cert);
    let (tag, _, rest) = tlv(tbs);
    assert_eq!(tag, 0xa0, "an X.509 v3 certificate starts with its version");
    let (_, _, rest) = tlv(rest); // serial number
    let (_, _, rest) = tlv(rest); // signature algorithm
    tlv(rest).1
}

fn contains(hay: &[u8], needle: &str) -> bool {
    hay.windows(needle.len()).any(|w| w == needle.as_bytes())
}

#[tokio::test]
async fn tcp_blackhole_connect_hangs_without_being_refused() {
    let sb = start(&[Fault::TcpBlackhole]).await;
    let port = foundry_port(&sb);
    let started = Instant::now();
    let attempt = tokio::time::timeout(Duration::from_secs(1), TcpStream::connect(("127.0.0.1", port))).await;
    assert!(attempt.is_err(), "connect to the blackholed port completed or was refused: {attempt:?}");
    assert!(started.elapsed() >= Duration::from_secs(1));
    // Only the Foundry HTTPS port is black: ARM still answers at once.
    let arm = port_of(&sb.endpoints().arm_url);
    tokio::time::timeout(Duration::from_secs(1), TcpStream::connect(("127.0.0.1", arm))).await.unwrap().unwrap();
    sb.shutdown().await;
    // Shut down, the port is closed: now a connect is refused, as for any closed port.
    let after = tokio::time::timeout(Duration::from_secs(1), TcpStream::connect(("127.0.0.1", port))).await.unwrap();
    assert_eq!(after.unwrap_err().kind(), std::io::ErrorKind::ConnectionRefused);
}

#[tokio::test]
async fn healthy_foundry_port_connects_and_verifies_with_the_sandbox_ca() {
    let sb = start(&[]).await;
    let ca = sb.endpoints().ca_file.clone();
    assert!(sb.endpoints().inspection_ca_file.is_none());
    assert!(!sb.dir().join("inspection-ca.pem").exists());
    let chain = handshake(foundry_port(&sb), &[&ca]).await.unwrap();
    assert!(contains(issuer(&chain[0]), "Foundry Onboard Sandbox CA"));
    sb.shutdown().await;
}

#[tokio::test]
async fn tls_intercepted_presents_a_leaf_from_the_inspection_ca() {
    let sb = start(&[Fault::TlsIntercepted]).await;
    let e = sb.endpoints().clone();
    let port = foundry_port(&sb);
    let inspection = e.inspection_ca_file.clone().expect("the inspection CA file is in the endpoints");
    assert_eq!(Path::new(&inspection), sb.dir().join("inspection-ca.pem"));
    // The app trusts only the sandbox CA: the handshake fails on an unknown issuer.
    let err = handshake(port, &[&e.ca_file]).await.unwrap_err();
    assert_eq!(err, rustls::Error::InvalidCertificate(rustls::CertificateError::UnknownIssuer), "{err}");
    // Trusting the inspection CA (the NODE_EXTRA_CA_CERTS fix) makes it pass; the issuer names it.
    let chain = handshake(port, &[&e.ca_file, &inspection]).await.unwrap();
    let issuer = issuer(&chain[0]);
    assert!(contains(issuer, INSPECTION_CA_NAME) && contains(issuer, INSPECTION_CA_ORG));
    assert!(!contains(issuer, "Foundry Onboard Sandbox CA"));
    // The other HTTPS ports are not intercepted.
    handshake(port_of(&e.arm_url), &[&e.ca_file]).await.unwrap();
    sb.shutdown().await;
}

#[tokio::test]
async fn tls_expired_is_rejected_as_expired() {
    let sb = start(&[Fault::TlsExpired]).await;
    let e = sb.endpoints().clone();
    let err = handshake(foundry_port(&sb), &[&e.ca_file]).await.unwrap_err();
    match err {
        rustls::Error::InvalidCertificate(rustls::CertificateError::ExpiredContext { time, not_after }) => {
            let ago = time.as_secs() - not_after.as_secs();
            assert!(ago / 86_400 == EXPIRED_DAYS_AGO || ago / 86_400 == EXPIRED_DAYS_AGO - 1, "expired {ago} s ago");
        }
        rustls::Error::InvalidCertificate(rustls::CertificateError::Expired) => {}
        other => panic!("not an expiry: {other}"),
    }
    assert!(e.inspection_ca_file.is_none());
    handshake(port_of(&e.arm_url), &[&e.ca_file]).await.unwrap();
    sb.shutdown().await;
}

/// Minimum over a few samples: the box may be busy, but it is never faster than the link.
async fn min_timings(port: u16, ca: &str) -> (Duration, Duration) {
    let mut best = (Duration::MAX, Duration::MAX);
    for _ in 0..5 {
        let (c, h) = connect_and_hello(port, ca).await;
        best = (best.0.min(c), best.1.min(h));
    }
    best
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn slow_link_delays_the_server_hello_not_the_bare_connect() {
    let slow = start(&[Fault::SlowLink]).await;
    let healthy = start(&[]).await;
    let (s_connect, s_hello) = min_timings(foundry_port(&slow), &slow.endpoints().ca_file).await;
    let (h_connect, h_hello) = min_timings(foundry_port(&healthy), &healthy.endpoints().ca_file).await;
    eprintln!("slow-link: connect {s_connect:?}, ServerHello {s_hello:?}; healthy: connect {h_connect:?}, ServerHello {h_hello:?}");
    assert!(s_hello >= SLOW_LINK, "{s_hello:?}");
    assert!(s_hello < SLOW_LINK + Duration::from_millis(400), "{s_hello:?}");
    assert!(h_hello < Duration::from_millis(60), "a healthy sandbox answers at once: {h_hello:?}");
    // The kernel completes the TCP handshake before accept(): no latency there, either way.
    assert!(s_connect < Duration::from_millis(50) && h_connect < Duration::from_millis(50), "{s_connect:?} {h_connect:?}");
    slow.shutdown().await;
    healthy.shutdown().await;
}
