//! The "refresh usage" use case, once for both faces: the config picks the source, the source
//! answers a snapshot, and the report adds the forecast and where the budget stands against the
//! alert thresholds — what `usage --json` prints and the Usage tab draws.

use super::azure_monitor::AzureMonitorSource;
use super::forecast::{self, Forecast};
use super::litellm::{GatewayCredential, LitellmSource};
use super::local::LocalSource;
use super::model::{SourceKind, UsageSnapshot};
use super::{RefreshRequest, UsageError, UsageSource};
use crate::Secret;
use crate::config::{Config, GatewayAuth};
use crate::error::{Diagnose, ErrorKind};
use crate::net::Network;
use serde::{Deserialize, Serialize};
use std::path::PathBuf;
use ts_rs::TS;

/// What the configured source needs to be reached, fetched once by [`super::credential`] (keyring,
/// az's token source) for both faces — the core never prompts.
pub enum Credential {
    /// The `litellm` source: the gateway key, or an Entra token for `gateway.scope`, per `gateway.auth`.
    Gateway(Secret),
    /// The `azure-monitor` source: a token for the Log Analytics API and the signed-in identity's
    /// claim named by `usage.user_claim` (its oid or UPN).
    LogAnalytics { token: Secret, user: String },
    /// The `local` source needs none.
    None,
}

/// Where the `local` source looks: the home, and `$CLAUDE_CONFIG_DIR` when set; and where it keeps
/// what it read (beside the usage cache).
pub struct LocalPaths {
    pub home: PathBuf,
    pub claude_config_dir: Option<PathBuf>,
    pub index: Option<PathBuf>,
}

#[derive(Debug, thiserror::Error)]
pub enum RefreshError {
    #[error("the {usage_source} usage source needs {needs}")]
    MissingCredential { usage_source: &'static str, needs: &'static str },
    #[error("cannot read the custom query {}: {source}", path.display())]
    QueryFile { path: PathBuf, source: std::io::Error },
}

impl Diagnose for RefreshError {
    fn kind(&self) -> ErrorKind {
        ErrorKind::Config
    }
    fn hint(&self) -> String {
        match self {
            RefreshError::QueryFile { .. } => "Check usage.query_file in the org policy: it names the platform team's KQL file.".into(),
            RefreshError::MissingCredential { usage_source: "litellm", .. } => {
                "Store your gateway key in the keyring as gateway-key, or sign in with az login when gateway.auth is entra.".into()
            }
            RefreshError::MissingCredential { .. } => "Sign in with az login: the usage query runs with your own Entra identity.".into(),
        }
    }
}

/// The source `config` names, ready to refresh.
pub fn source(
    config: &Config,
    net: Network,
    credential: Credential,
    local: LocalPaths,
    custom_query: Option<String>,
) -> Result<Box<dyn UsageSource>, UsageError> {
    let u = &config.usage;
    match (config.usage_source(), credential) {
        (SourceKind::Local, _) => Ok(Box::new(LocalSource::new(&local.home, local.claude_config_dir, u).with_index(local.index).with_prices(prices(config)))),
        (SourceKind::Litellm, Credential::Gateway(secret)) => {
            let url = config.gateway.url.as_deref().ok_or(RefreshError::MissingCredential { usage_source: "litellm", needs: "gateway.url" })?;
            let kind = if config.gateway.auth == GatewayAuth::Key { GatewayCredential::Key } else { GatewayCredential::EntraToken };
            Ok(Box::new(LitellmSource::new(net, url, secret, kind)))
        }
        (SourceKind::AzureMonitor, Credential::LogAnalytics { token, user }) => {
            Ok(Box::new(AzureMonitorSource::new(net, u, custom_query, user, token)?.with_prices(prices(config))))
        }
        (SourceKind::Litellm, _) => Err(RefreshError::MissingCredential { usage_source: "litellm", needs: "the gateway credential" }.into()),
        (SourceKind::AzureMonitor, _) => {
            Err(RefreshError::MissingCredential { usage_source: "azure-monitor", needs: "an Entra token for the Log Analytics API" }.into())
        }
    }
}

/// A snapshot with what it means.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, TS)]
#[serde(rename_all = "camelCase")]
pub struct UsageReport {
    pub snapshot: UsageSnapshot,
    pub forecast: Option<Forecast>,
    /// Spent as a share of the limit, in percent.
    pub percent_used: Option<f64>,
    /// The highest `usage.alert_percent` threshold reached, if any: `usage` exits 1 when set.
    pub alert_reached: Option<u32>,
    /// Set when this is the last good report from the disk cache because the source failed now.
    pub stale: Option<super::cache::Stale>,
}

impl UsageReport {
    pub fn new(snapshot: UsageSnapshot, alert_percent: &[u32]) -> Self {
        let forecast = forecast::for_snapshot(&snapshot);
        let percent_used = snapshot.budget.as_ref().and_then(|b| b.percent_used());
        let exceeded = snapshot.budget.as_ref().is_some_and(|b| matches!(b.state, super::BudgetState::Exceeded { .. }));
        let reached = |p: &&u32| super::alert::threshold_reached(percent_used, exceeded, **p);
        let alert_reached = alert_percent.iter().filter(reached).max().copied();
        Self { snapshot, forecast, percent_used, alert_reached, stale: None }
    }
}

/// Refreshes `source` for the last `days` days and reports it against the config's thresholds.
pub async fn refresh(source: &dyn UsageSource, config: &Config, days: u32) -> Result<UsageReport, UsageError> {
    let snapshot = source.refresh(&RefreshRequest::last_days(days)).await?;
    Ok(UsageReport::new(snapshot, &config.usage.alert_percent))
}

/// The price table for `config`: list prices, the policy's on top, and the deployments discovery saw.
pub fn prices(config: &Config) -> super::price::PriceTable {
    super::price::PriceTable::with_overrides(&config.usage.prices).with_deployments(super::deployment_models::known(config))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[tokio::test]
    async fn the_config_picks_the_source_and_the_report_marks_the_alert() {
        let home = tempfile::tempdir().unwrap();
        let net = crate::fuzz::loopback_network(&Config::default());
        let paths = || LocalPaths { home: home.path().to_path_buf(), claude_config_dir: None, index: None };
        let mut config = Config::default();
        let local = source(&config, net.clone(), Credential::None, paths(), None).unwrap();
        assert_eq!(local.kind(), SourceKind::Local);
        let report = refresh(local.as_ref(), &config, 30).await.unwrap();
        assert_eq!((report.snapshot.completeness.clone(), report.alert_reached), (super::super::Completeness::Empty, None));

        config.gateway.url = Some("http://127.0.0.1:9".into());
        let err = source(&config, net.clone(), Credential::None, paths(), None).err().unwrap();
        assert!(err.to_string().contains("litellm") && err.hint().contains("gateway-key"), "{err}");
        assert_eq!(source(&config, net, Credential::Gateway(Secret::new("k")), paths(), None).unwrap().kind(), SourceKind::Litellm);

        let mut snapshot = report.snapshot;
        snapshot.budget = Some(super::super::Budget {
            scope: super::super::BudgetScope::Key,
            unit: super::super::BudgetUnit::Usd,
            limit: Some(50.0),
            soft_limit: None,
            spent: 45.0,
            period_start: None,
            resets_at: None,
            state: super::super::BudgetState::Within,
        });
        let r = UsageReport::new(snapshot.clone(), &[80, 100]);
        assert_eq!((r.percent_used, r.alert_reached), (Some(90.0), Some(80)));
        assert_eq!(UsageReport::new(snapshot.clone(), &[95]).alert_reached, None);
        if let Some(b) = snapshot.budget.as_mut() {
            b.state = super::super::BudgetState::Exceeded { message: "Budget has been exceeded!".into() };
        }
        assert_eq!(UsageReport::new(snapshot, &[80, 100]).alert_reached, Some(100), "the gateway's refusal is the top alert");
    }
}
