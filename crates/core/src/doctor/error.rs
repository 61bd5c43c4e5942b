//! Why a doctor run could not start: its network layer could not be built, or `--only` names
//! checks this setup does not have (gateway checks on a Foundry resource, TLS on plain http).

use crate::error::{Diagnose, ErrorKind};
use crate::net::NetError;

#[derive(Debug, thiserror::Error)]
pub enum DoctorError {
    #[error(transparent)]
    Network(#[from] NetError),
    #[error("{only} names no check of this setup ({setup})")]
    NothingSelected { only: String, setup: String, available: Vec<String> },
}

impl Diagnose for DoctorError {
    fn kind(&self) -> ErrorKind {
        match self {
            Self::Network(e) => e.kind(),
            Self::NothingSelected { .. } => ErrorKind::Config,
        }
    }

    fn hint(&self) -> String {
        match self {
            Self::Network(e) => e.hint(),
            Self::NothingSelected { available, .. } => format!("This setup's checks: {}.", available.join(", ")),
        }
    }
}
