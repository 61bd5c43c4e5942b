//! The sandbox's own certificate authority, generated at start and trusted only in sandbox
//! mode, and the server certificate it signs for every sandbox host name.

use super::SandboxError;
use rcgen::{BasicConstraints, CertificateParams, CertifiedIssuer, DnType, IsCa, KeyPair, KeyUsagePurpose};
use rustls::pki_types::{CertificateDer, PrivateKeyDer, PrivatePkcs8KeyDer};
use std::sync::Arc;

pub struct SandboxCa {
    pub ca_pem: String,
    pub server_config: Arc<rustls::ServerConfig>,
}

fn err(e: impl std::fmt::Display) -> SandboxError {
    SandboxError::Tls(e.to_string())
}

/// A fresh CA ("Foundry Onboard Sandbox CA") and a leaf for `names` (DNS names or IPs).
pub fn generate(names: &[String]) -> Result<SandboxCa, SandboxError> {
    let mut ca_params = CertificateParams::new(Vec::<String>::new()).map_err(err)?;
    ca_params.distinguished_name.push(DnType::CommonName, "Foundry Onboard Sandbox CA");
    ca_params.distinguished_name.push(DnType::OrganizationName, "Foundry Onboard sandbox (not a real CA)");
    ca_params.is_ca = IsCa::Ca(BasicConstraints::Unconstrained);
    ca_params.key_usages = vec![KeyUsagePurpose::KeyCertSign, KeyUsagePurpose::CrlSign, KeyUsagePurpose::DigitalSignature];
    let ca = CertifiedIssuer::self_signed(ca_params, KeyPair::generate().map_err(err)?).map_err(err)?;

    let mut leaf_params = CertificateParams::new(names.to_vec()).map_err(err)?;
    leaf_params.distinguished_name.push(DnType::CommonName, names.first().cloned().unwrap_or_default());
    let leaf_key = KeyPair::generate().map_err(err)?;
    let leaf = leaf_params.signed_by(&leaf_key, &ca).map_err(err)?;

    let chain: Vec<CertificateDer<'static>> = vec![leaf.der().clone(), ca.der().clone()];
    let key = PrivateKeyDer::Pkcs8(PrivatePkcs8KeyDer::from(leaf_key.serialize_der()));
    let provider = Arc::new(rustls::crypto::aws_lc_rs::default_provider());
    let mut config = rustls::ServerConfig::builder_with_provider(provider)
        .with_safe_default_protocol_versions()
        .map_err(err)?
        .with_no_client_auth()
        .with_single_cert(chain, key)
        .map_err(err)?;
    config.alpn_protocols = vec![b"http/1.1".to_vec()];
    Ok(SandboxCa { ca_pem: ca.pem(), server_config: Arc::new(config) })
}
