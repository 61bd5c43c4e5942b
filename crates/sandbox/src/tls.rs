//! The sandbox's own certificate authority, generated at start and trusted only in sandbox
//! mode, the server certificate it signs for every sandbox host name — and, for the TLS faults,
//! what the Foundry HTTPS port presents instead: a leaf from a second "inspection" CA the app
//! does not trust (`tls-intercepted`), or a leaf whose validity ended a month ago (`tls-expired`).

use super::{Fault, SandboxError};
use rcgen::{BasicConstraints, CertificateParams, CertifiedIssuer, DnType, IsCa, KeyPair, KeyUsagePurpose};
use rustls::pki_types::{CertificateDer, PrivateKeyDer, PrivatePkcs8KeyDer};
use std::sync::Arc;
use std::time::{Duration, SystemTime, UNIX_EPOCH};

/// The common name of the `tls-intercepted` fault's CA, named like a TLS-inspecting proxy's.
pub const INSPECTION_CA_NAME: &str = "Netskope-style Inspection CA (sandbox)";
/// Its organization, shaped like a vendor's domain.
pub const INSPECTION_CA_ORG: &str = "ca.inspection.sandbox.example";
/// How long ago the `tls-expired` leaf stopped being valid.
pub const EXPIRED_DAYS_AGO: u64 = 30;

pub struct SandboxCa {
    pub ca_pem: String,
    /// What every HTTPS listener presents when healthy: a leaf signed by the sandbox CA.
    pub server_config: Arc<rustls::ServerConfig>,
    /// What the Foundry HTTPS listener presents, given the TLS faults (the healthy one without).
    pub foundry_config: Arc<rustls::ServerConfig>,
    /// The inspection CA's PEM, with `tls-intercepted` only.
    pub inspection_ca_pem: Option<String>,
}

fn err(e: impl std::fmt::Display) -> SandboxError {
    SandboxError::Tls(e.to_string())
}

fn ca(common_name: &str, organization: &str) -> Result<CertifiedIssuer<'static, KeyPair>, SandboxError> {
    let mut params = CertificateParams::new(Vec::<String>::new()).map_err(err)?;
    params.distinguished_name.push(DnType::CommonName, common_name);
    params.distinguished_name.push(DnType::OrganizationName, organization);
    params.is_ca = IsCa::Ca(BasicConstraints::Unconstrained);
    params.key_usages = vec![KeyUsagePurpose::KeyCertSign, KeyUsagePurpose::CrlSign, KeyUsagePurpose::DigitalSignature];
    CertifiedIssuer::self_signed(params, KeyPair::generate().map_err(err)?).map_err(err)
}

/// A rustls server config presenting a leaf for `names`, signed by `issuer` (and sent with it, as
/// real servers and inspecting proxies send their intermediate). `expired` moves its validity into
/// the past: issued 395 days ago, expired [`EXPIRED_DAYS_AGO`] days ago.
fn presenting(names: &[String], issuer: &CertifiedIssuer<'static, KeyPair>, expired: bool) -> Result<Arc<rustls::ServerConfig>, SandboxError> {
    let mut params = CertificateParams::new(names.to_vec()).map_err(err)?;
    params.distinguished_name.push(DnType::CommonName, names.first().cloned().unwrap_or_default());
    if expired {
        let now = rcgen::date_time_ymd(1970, 1, 1) + SystemTime::now().duration_since(UNIX_EPOCH).map_err(err)?;
        let day = Duration::from_secs(86_400);
        params.not_before = now - day * 395;
        params.not_after = now - day * u32::try_from(EXPIRED_DAYS_AGO).unwrap_or(30);
    }
    let key = KeyPair::generate().map_err(err)?;
    let leaf = params.signed_by(&key, issuer).map_err(err)?;
    let chain: Vec<CertificateDer<'static>> = vec![leaf.der().clone(), issuer.der().clone()];
    let key = PrivateKeyDer::Pkcs8(PrivatePkcs8KeyDer::from(key.serialize_der()));
    let provider = Arc::new(rustls::crypto::aws_lc_rs::default_provider());
    let mut config = rustls::ServerConfig::builder_with_provider(provider)
        .with_safe_default_protocol_versions()
        .map_err(err)?
        .with_no_client_auth()
        .with_single_cert(chain, key)
        .map_err(err)?;
    config.alpn_protocols = vec![b"http/1.1".to_vec()];
    Ok(Arc::new(config))
}

/// A fresh CA ("Foundry Onboard Sandbox CA") and a leaf for `names` (DNS names or IPs); with the
/// TLS faults, the Foundry listener's certificate as the fault makes it.
pub fn generate(names: &[String], faults: &[Fault]) -> Result<SandboxCa, SandboxError> {
    let sandbox_ca = ca("Foundry Onboard Sandbox CA", "Foundry Onboard sandbox (not a real CA)")?;
    let server_config = presenting(names, &sandbox_ca, false)?;
    let expired = faults.contains(&Fault::TlsExpired);
    let (foundry_config, inspection_ca_pem) = if faults.contains(&Fault::TlsIntercepted) {
        let inspection = ca(INSPECTION_CA_NAME, INSPECTION_CA_ORG)?;
        (presenting(names, &inspection, expired)?, Some(inspection.pem()))
    } else if expired {
        (presenting(names, &sandbox_ca, true)?, None)
    } else {
        (server_config.clone(), None)
    };
    Ok(SandboxCa { ca_pem: sandbox_ca.pem(), server_config, foundry_config, inspection_ca_pem })
}
