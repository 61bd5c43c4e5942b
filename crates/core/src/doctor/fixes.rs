//! One-click fixes the doctor offers. Trusting an inspection CA: the CA goes into a PEM bundle
//! beside the config (with whatever was trusted before, so nothing is lost), `network.extra_ca_file`
//! points at it, and the next profile write exports it as `NODE_EXTRA_CA_CERTS` — in the shell
//! profile, where Node reads it at start (field report #2).

use crate::config::{self, Config, ConfigError, LoadedConfig};
use crate::error::{Diagnose, ErrorKind};
use std::path::{Path, PathBuf};

#[derive(Debug, thiserror::Error)]
pub enum FixError {
    #[error("the certificate is not PEM")]
    NotPem,
    #[error("cannot read {}: {source}", path.display())]
    ReadBundle { path: PathBuf, source: std::io::Error },
    #[error("cannot write {}: {source}", path.display())]
    WriteBundle { path: PathBuf, source: std::io::Error },
    #[error(transparent)]
    Config(#[from] ConfigError),
}

impl Diagnose for FixError {
    fn kind(&self) -> ErrorKind {
        match self {
            FixError::NotPem => ErrorKind::Config,
            FixError::ReadBundle { .. } | FixError::WriteBundle { .. } => ErrorKind::Io,
            FixError::Config(e) => e.kind(),
        }
    }
    fn hint(&self) -> String {
        match self {
            FixError::NotPem => "Run the doctor again and use the fix it offers.".into(),
            FixError::ReadBundle { .. } => "Fix network.extra_ca_file in the config, or remove it.".into(),
            FixError::WriteBundle { .. } => "Check the permissions of the config directory.".into(),
            FixError::Config(e) => e.hint(),
        }
    }
}

/// Adds `pem` to the extra-CA bundle and saves the config; returns the new config and the bundle.
pub fn trust_ca(loaded: &LoadedConfig, pem: &str) -> Result<(Config, PathBuf), FixError> {
    if !pem.contains("-----BEGIN CERTIFICATE-----") {
        return Err(FixError::NotPem);
    }
    let dir = loaded.path.parent().map(PathBuf::from).unwrap_or_else(|| PathBuf::from("."));
    let bundle = dir.join("extra-ca.pem");
    let mut text = String::new();
    let previous = loaded.config.realm().ca_bundle().map(Path::to_path_buf);
    if let Some(prev) = &previous {
        text = crate::limited_read::read_to_string(prev, crate::limited_read::Limit::CA_BUNDLE)
            .map_err(|source| FixError::ReadBundle { path: prev.clone(), source })?;
    }
    if !text.contains(pem.trim()) {
        if !text.is_empty() && !text.ends_with('\n') {
            text.push('\n');
        }
        text.push_str(pem.trim());
        text.push('\n');
    }
    std::fs::create_dir_all(&dir).map_err(|source| FixError::WriteBundle { path: dir.clone(), source })?;
    crate::atomic_file::write(&bundle, text.as_bytes(), 0o644).map_err(|source| FixError::WriteBundle { path: bundle.clone(), source })?;
    let mut c = loaded.config.clone();
    c.network.extra_ca_file = Some(bundle.clone());
    config::save(&loaded.path, &c, &loaded.policy)?;
    Ok((c, bundle))
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::config::policy::Policy;

    #[test]
    fn finding_07_an_oversized_bundle_is_not_read_whole_and_the_limit_is_named() {
        let dir = tempfile::tempdir().unwrap();
        let huge = dir.path().join("huge.pem");
        std::fs::File::create(&huge).unwrap().set_len(64 * 1024 * 1024).unwrap();
        let mut config = Config::default();
        config.network.extra_ca_file = Some(huge);
        let loaded = LoadedConfig { config, path: dir.path().join("config.toml"), exists: false, policy: Policy::default(), notices: vec![] };
        let err = trust_ca(&loaded, "-----BEGIN CERTIFICATE-----\nMIIB\n-----END CERTIFICATE-----\n").unwrap_err();
        assert!(err.to_string().contains("8 MiB, the limit for a CA certificate bundle"), "{err}");
        assert!(!dir.path().join("extra-ca.pem").exists(), "nothing was written");
    }
}
