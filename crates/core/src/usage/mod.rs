//! Usage and budget (issue #20): one snapshot type that every source fills, the forecast, the
//! charts and tables drawn from it, and the sources behind one trait.

pub mod alert;
pub mod azure_monitor;
pub mod cache;
pub mod chart;
pub mod credential;
pub mod deployment_models;
pub mod forecast;
pub mod kql;
pub mod litellm;
mod litellm_etag;
mod litellm_wire;
pub mod local;
pub mod local_index;
#[cfg(test)]
mod loopback_http;
pub mod model;
pub mod price;
pub mod refresh;
pub mod schedule;
pub mod tab;
pub mod table;
pub mod view;
pub mod view_charts;

pub use azure_monitor::{AzureMonitorError, AzureMonitorSource};
pub use cache::{Stale, UsageAsk, cached, local_estimate, report};
pub use credential::{CredentialError, credential};
pub use forecast::{Forecast, ForecastOutcome, RateRange};
pub use litellm::{GatewayCredential, LitellmError, LitellmSource};
pub use local::{LocalError, LocalSource};
pub use model::{
    Budget, BudgetScope, BudgetState, BudgetUnit, Completeness, Cost, CostBasis, DroppedRecord, Identity, Latency, Provenance, SourceKind, UsageRow,
    UsageSnapshot,
};
pub use refresh::{Credential, LocalPaths, RefreshError, UsageReport};
pub use schedule::{InFlight, Outcome, Schedule};

use crate::error::{Diagnose, ErrorKind};
use chrono::{DateTime, Utc};

/// What a refresh asks a source for.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct RefreshRequest {
    /// "Now": the day it falls on is today (counted, but partial).
    pub as_of: DateTime<Utc>,
    /// How many days back, today included.
    pub days: u32,
}

impl RefreshRequest {
    pub fn last_days(days: u32) -> Self {
        Self { as_of: Utc::now(), days }
    }
}

/// One source of usage: the config's `usage.source` picks which.
#[async_trait::async_trait]
pub trait UsageSource: Send + Sync {
    fn kind(&self) -> SourceKind;
    /// Asks the source now and returns what it knows; a budget-exceeded gateway is a state in
    /// the snapshot, not an error.
    async fn refresh(&self, request: &RefreshRequest) -> Result<UsageSnapshot, UsageError>;
}

/// Why a refresh failed, by source.
#[derive(Debug, thiserror::Error)]
pub enum UsageError {
    #[error(transparent)]
    Litellm(#[from] LitellmError),
    #[error(transparent)]
    AzureMonitor(#[from] AzureMonitorError),
    #[error(transparent)]
    Local(#[from] LocalError),
    #[error(transparent)]
    Refresh(#[from] RefreshError),
    #[error(transparent)]
    Credential(#[from] CredentialError),
    #[error(transparent)]
    Net(#[from] crate::net::NetError),
}

impl Diagnose for UsageError {
    fn kind(&self) -> ErrorKind {
        match self {
            UsageError::Litellm(e) => e.kind(),
            UsageError::AzureMonitor(e) => e.kind(),
            UsageError::Local(e) => e.kind(),
            UsageError::Refresh(e) => e.kind(),
            UsageError::Credential(e) => e.kind(),
            UsageError::Net(e) => e.kind(),
        }
    }
    fn hint(&self) -> String {
        match self {
            UsageError::Litellm(e) => e.hint(),
            UsageError::AzureMonitor(e) => e.hint(),
            UsageError::Local(e) => e.hint(),
            UsageError::Refresh(e) => e.hint(),
            UsageError::Credential(e) => e.hint(),
            UsageError::Net(e) => e.hint(),
        }
    }
}
