//! `path.tls`: a full handshake with the verifier the app trusts (the platform's roots plus the
//! configured extra CA; the sandbox CA in sandbox mode), the presented chain recorded and shown,
//! and an issuer that is not a public CA named as TLS inspection — with the one fix that works
//! for Claude Code: the CA in a PEM file, referenced by `NODE_EXTRA_CA_CERTS` (field reports #2, #3).

use super::context::Ctx;
use super::facts::{REACHED, Upstream};
use super::model::{CertEvidence, Evidence, Fix};
use super::runner::Outcome;
use crate::realm::Trust;
use rustls::client::danger::{HandshakeSignatureValid, ServerCertVerified, ServerCertVerifier};
use rustls::pki_types::{CertificateDer, ServerName, UnixTime};
use rustls::{DigitallySignedStruct, SignatureScheme};
use std::sync::{Arc, Mutex};

/// Delegates to a real verifier and keeps the chain the server presented.
#[derive(Debug)]
struct Recording {
    inner: Arc<dyn ServerCertVerifier>,
    chain: Mutex<Vec<CertificateDer<'static>>>,
}

impl ServerCertVerifier for Recording {
    fn verify_server_cert(
        &self,
        end_entity: &CertificateDer<'_>,
        intermediates: &[CertificateDer<'_>],
        server_name: &ServerName<'_>,
        ocsp: &[u8],
        now: UnixTime,
    ) -> Result<ServerCertVerified, rustls::Error> {
        if let Ok(mut c) = self.chain.lock() {
            *c = std::iter::once(end_entity).chain(intermediates).map(|d| d.clone().into_owned()).collect();
        }
        self.inner.verify_server_cert(end_entity, intermediates, server_name, ocsp, now)
    }
    fn verify_tls12_signature(&self, message: &[u8], cert: &CertificateDer<'_>, dss: &DigitallySignedStruct) -> Result<HandshakeSignatureValid, rustls::Error> {
        self.inner.verify_tls12_signature(message, cert, dss)
    }
    fn verify_tls13_signature(&self, message: &[u8], cert: &CertificateDer<'_>, dss: &DigitallySignedStruct) -> Result<HandshakeSignatureValid, rustls::Error> {
        self.inner.verify_tls13_signature(message, cert, dss)
    }
    fn supported_verify_schemes(&self) -> Vec<SignatureScheme> {
        self.inner.supported_verify_schemes()
    }
}

/// Accepts any certificate: for timing the TLS round trip only (path.tcp), where nothing is sent
/// after the handshake and path.tls does the real verification.
#[derive(Debug)]
struct TimingOnly(Arc<rustls::crypto::CryptoProvider>);

impl ServerCertVerifier for TimingOnly {
    fn verify_server_cert(
        &self,
        _: &CertificateDer<'_>,
        _: &[CertificateDer<'_>],
        _: &ServerName<'_>,
        _: &[u8],
        _: UnixTime,
    ) -> Result<ServerCertVerified, rustls::Error> {
        Ok(ServerCertVerified::assertion())
    }
    fn verify_tls12_signature(&self, message: &[u8], cert: &CertificateDer<'_>, dss: &DigitallySignedStruct) -> Result<HandshakeSignatureValid, rustls::Error> {
        rustls::crypto::verify_tls12_signature(message, cert, dss, &self.0.signature_verification_algorithms)
    }
    fn verify_tls13_signature(&self, message: &[u8], cert: &CertificateDer<'_>, dss: &DigitallySignedStruct) -> Result<HandshakeSignatureValid, rustls::Error> {
        rustls::crypto::verify_tls13_signature(message, cert, dss, &self.0.signature_verification_algorithms)
    }
    fn supported_verify_schemes(&self) -> Vec<SignatureScheme> {
        self.0.signature_verification_algorithms.supported_schemes()
    }
}

/// A client config for timing handshakes (never for sending data).
pub fn timing_config() -> Option<Arc<rustls::ClientConfig>> {
    let p = provider();
    let b = rustls::ClientConfig::builder_with_provider(p.clone()).with_safe_default_protocol_versions().ok()?;
    Some(Arc::new(b.dangerous().with_custom_certificate_verifier(Arc::new(TimingOnly(p))).with_no_client_auth()))
}

fn provider() -> Arc<rustls::crypto::CryptoProvider> {
    Arc::new(rustls::crypto::aws_lc_rs::default_provider())
}

fn pem_certs(path: &std::path::Path) -> Result<Vec<CertificateDer<'static>>, String> {
    use rustls::pki_types::pem::PemObject;
    CertificateDer::pem_file_iter(path).and_then(|certs| certs.collect()).map_err(|e| format!("cannot read {}: {e}", path.display()))
}

fn webpki_verifier(roots: impl IntoIterator<Item = CertificateDer<'static>>) -> Result<Arc<dyn ServerCertVerifier>, String> {
    let mut store = rustls::RootCertStore::empty();
    store.add_parsable_certificates(roots);
    rustls::client::WebPkiServerVerifier::builder_with_provider(Arc::new(store), provider())
        .build()
        .map(|v| v as Arc<dyn ServerCertVerifier>)
        .map_err(|e| e.to_string())
}

/// The verifier the app trusts for this config.
fn trusted_verifier(ctx: &Ctx) -> Result<Arc<dyn ServerCertVerifier>, String> {
    let extra = match ctx.config.realm().trust() {
        Trust::Only(files) => {
            let mut certs = Vec::new();
            for file in files {
                certs.extend(pem_certs(file)?);
            }
            return webpki_verifier(certs);
        }
        Trust::Platform { extra: Some(p) } => pem_certs(p)?,
        Trust::Platform { extra: None } => Vec::new(),
    };
    rustls_platform_verifier::Verifier::new_with_extra_roots(extra, provider()).map(|v| Arc::new(v) as Arc<dyn ServerCertVerifier>).map_err(|e| e.to_string())
}

pub fn describe(der: &CertificateDer<'_>) -> Option<(CertEvidence, bool)> {
    let (_, cert) = x509_parser::parse_x509_certificate(der.as_ref()).ok()?;
    let names = cert
        .subject_alternative_name()
        .ok()
        .flatten()
        .map(|san| {
            san.value
                .general_names
                .iter()
                .filter_map(|g| match g {
                    x509_parser::extensions::GeneralName::DNSName(d) => Some(d.to_string()),
                    x509_parser::extensions::GeneralName::IPAddress(b) if b.len() == 4 => Some(std::net::Ipv4Addr::new(b[0], b[1], b[2], b[3]).to_string()),
                    _ => None,
                })
                .collect()
        })
        .unwrap_or_default();
    Some((
        CertEvidence {
            subject: cert.subject().to_string(),
            issuer: cert.issuer().to_string(),
            not_before: cert.validity().not_before.to_string(),
            not_after: cert.validity().not_after.to_string(),
            names,
        },
        cert.is_ca(),
    ))
}

fn pem(der: &CertificateDer<'_>) -> String {
    use base64::Engine;
    let b64 = base64::engine::general_purpose::STANDARD.encode(der.as_ref());
    let lines: Vec<&str> = b64.as_bytes().chunks(64).map(|c| std::str::from_utf8(c).unwrap_or("")).collect();
    format!("-----BEGIN CERTIFICATE-----\n{}\n-----END CERTIFICATE-----\n", lines.join("\n"))
}

fn common_name(dn: &str) -> String {
    dn.split(", ").find_map(|p| p.strip_prefix("CN=")).unwrap_or(dn).to_string()
}

pub async fn check(ctx: Arc<Ctx>, up: Upstream) -> Outcome {
    let (Some(endpoint), Some(addr)) = (ctx.endpoint.clone(), up.get(&REACHED).copied()) else {
        return Outcome::skip("skipped: path.tcp reached no address");
    };
    let trusted = match trusted_verifier(&ctx) {
        Ok(v) => v,
        Err(e) => return Outcome::fail(format!("cannot load the trusted certificates: {e}"), "Check network.extra_ca_file in the config (a PEM bundle)."),
    };
    let recording = Arc::new(Recording { inner: trusted, chain: Mutex::new(Vec::new()) });
    let client = match rustls::ClientConfig::builder_with_provider(provider()).with_safe_default_protocol_versions() {
        Ok(b) => b.dangerous().with_custom_certificate_verifier(recording.clone()).with_no_client_auth(),
        Err(e) => return Outcome::fail(format!("TLS setup failed: {e}"), "Report this as a bug."),
    };
    let Ok(name) = ServerName::try_from(endpoint.host.clone()) else {
        return Outcome::fail(format!("{} is not a valid TLS server name", endpoint.host), "Fix the host in the config.");
    };
    if let Err(e) = ctx.net.guard.check_ip(addr.ip()) {
        return Outcome::fail(e.to_string(), crate::Diagnose::hint(&e));
    }
    let started = std::time::Instant::now();
    let handshake = async {
        let tcp = tokio::net::TcpStream::connect(addr).await.map_err(|e| format!("TCP connect to {addr} failed: {e}"))?;
        tokio_rustls::TlsConnector::from(Arc::new(client)).connect(name, tcp).await.map_err(|e| e.to_string())
    };
    let result = match tokio::time::timeout(ctx.options.check_timeout.mul_f32(0.9), handshake).await {
        Ok(r) => r,
        Err(_) => Err(format!("no TLS answer from {addr} within {:.1} s", ctx.options.check_timeout.as_secs_f32() * 0.9)),
    };
    let took = started.elapsed().as_millis();
    let chain = recording.chain.lock().map(|c| c.clone()).unwrap_or_default();
    let described: Vec<(CertEvidence, bool)> = chain.iter().filter_map(describe).collect();
    let mut evidence = Evidence { certificates: described.iter().map(|(c, _)| c.clone()).collect(), ..Default::default() }
        .fact("server name", endpoint.host.clone())
        .fact("address", addr.to_string())
        .fact("handshake", format!("{took} ms"));
    let leaf = described.first().map(|(c, _)| c.clone());
    let issuer = leaf.as_ref().map(|c| common_name(&c.issuer)).unwrap_or_else(|| "an unknown issuer".into());
    match result {
        Ok(stream) => {
            let (_, conn) = stream.get_ref();
            if let Some(v) = conn.protocol_version() {
                evidence = evidence.fact("protocol", format!("{v:?}"));
            }
            // Trusted here; would Node (Claude Code) trust it? It uses public roots, not the OS store.
            if ctx.config.realm().judged_by_public_roots()
                && let (Ok(public), Some(end)) = (webpki_verifier(webpki_root_certs::TLS_SERVER_ROOT_CERTS.iter().cloned()), chain.first())
            {
                let server = ServerName::try_from(endpoint.host.clone()).ok();
                let public_ok = server.is_some_and(|s| public.verify_server_cert(end, &chain[1..], &s, &[], UnixTime::now()).is_ok());
                if !public_ok {
                    return inspection(&ctx, issuer, &chain, &described, evidence, false);
                }
            }
            Outcome::pass(format!("certificate for {} issued by {issuer}, valid until {}", endpoint.host, leaf.map(|l| l.not_after).unwrap_or_default()))
                .with(evidence)
        }
        Err(e) if e.contains("UnknownIssuer") || e.contains("unknown issuer") || e.contains("UnknownCA") => {
            inspection(&ctx, issuer, &chain, &described, evidence, true)
        }
        Err(e) if e.contains("Expired") || e.contains("expired") => Outcome::fail(
            format!("the certificate {} presents expired on {}", endpoint.host, leaf.map(|l| l.not_after).unwrap_or_default()),
            "The server's certificate must be renewed: tell the platform team (or, if it belongs to a proxy, the network team). Do not turn verification off.",
        )
        .with(evidence),
        Err(e) if e.contains("NotValidForName") => Outcome::fail(
            format!("the certificate is for {}, not {}", leaf.map(|l| l.names.join(", ")).unwrap_or_default(), endpoint.host),
            "Something other than the Foundry resource answers on this address: a proxy, or a DNS record pointing at the wrong host.",
        )
        .with(evidence),
        Err(e) => Outcome::fail(
            format!("TLS handshake with {} failed: {e}", endpoint.host),
            "A TLS-inspecting proxy or a firewall that resets TLS; compare with `openssl s_client -connect HOST:443`.",
        )
        .with(evidence),
    }
}

/// The chain is anchored in a CA that is not a public one: TLS inspection.
fn inspection(
    ctx: &Ctx,
    issuer: String,
    chain: &[CertificateDer<'static>],
    described: &[(CertEvidence, bool)],
    evidence: Evidence,
    untrusted_here: bool,
) -> Outcome {
    let ca = chain.iter().zip(described).rev().find(|(_, (_, is_ca))| *is_ca).map(|(der, (c, _))| (pem(der), common_name(&c.subject)));
    let dir = ctx.home.as_ref().map(|h| h.home.join(".config/foundry-onboard")).unwrap_or_else(|| std::path::PathBuf::from("."));
    let detail = if untrusted_here {
        format!("the certificate is issued by {issuer}, which is not a trusted CA: a TLS-inspecting proxy is in the path")
    } else {
        format!(
            "the certificate is issued by {issuer}, which this machine trusts but no public CA vouches for: TLS inspection — Claude Code (Node) ignores the OS store and will refuse it"
        )
    };
    let hint = "Save the inspection CA to a PEM file and add NODE_EXTRA_CA_CERTS=<that file> to the profile (the app's \"Trust this CA\" does both; it must be in the shell profile — settings.json alone is read too late), and set network.extra_ca_file to the same file.";
    let out = Outcome::fail(detail, hint).with(evidence);
    match ca {
        Some((pem, name)) => out.with_fix(Fix::TrustCa { pem, suggested_path: dir.join("inspection-ca.pem").display().to_string(), issuer: name }),
        None => Outcome { hint: format!("{hint} The proxy did not send its CA: ask the network team for it."), ..out },
    }
}
