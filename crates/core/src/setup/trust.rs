//! Trusting the inspection CA a doctor run offered: the CA joins the extra-CA bundle, the config
//! points at it, and the profile is written again so Node (Claude Code) gets `NODE_EXTRA_CA_CERTS`.

use super::{ProfileJob, SetupError};
use crate::config;
use crate::doctor::{self, Fix, Report};
use crate::error::{Diagnose, ErrorKind};
use crate::profile::{self, WriteLock};
use std::path::PathBuf;

#[derive(Debug, thiserror::Error)]
pub enum TrustError {
    #[error("this certificate was not offered by the last doctor run")]
    NotOffered,
    #[error(transparent)]
    Fix(#[from] doctor::FixError),
    #[error(transparent)]
    Setup(#[from] SetupError),
}

impl Diagnose for TrustError {
    fn kind(&self) -> ErrorKind {
        match self {
            TrustError::NotOffered => ErrorKind::Config,
            TrustError::Fix(e) => e.kind(),
            TrustError::Setup(e) => e.kind(),
        }
    }
    fn hint(&self) -> String {
        match self {
            TrustError::NotOffered => "Run the doctor again and use the \"Trust this CA\" fix it offers.".into(),
            TrustError::Fix(e) => e.hint(),
            TrustError::Setup(e) => e.hint(),
        }
    }
}

/// Trusts `pem` when `last` (the last finished doctor run) offered exactly it; returns the bundle.
pub async fn trust_offered_ca(job: &ProfileJob, last: Option<&Report>, pem: &str) -> Result<PathBuf, TrustError> {
    let offered = last.is_some_and(|r| r.checks.iter().any(|c| matches!(&c.fix, Some(Fix::TrustCa { pem: p, .. }) if p.trim() == pem.trim())));
    if !offered {
        return Err(TrustError::NotOffered);
    }
    let lock = WriteLock::acquire(&job.home).map_err(SetupError::from)?;
    let loaded = config::load_effective(&job.location).map_err(SetupError::from)?;
    let (config, bundle) = doctor::trust_ca(&loaded, pem)?;
    profile::write_and_verify_holding(lock, &config, &job.home, &job.targets, false).await.map_err(SetupError::from)?;
    Ok(bundle)
}
