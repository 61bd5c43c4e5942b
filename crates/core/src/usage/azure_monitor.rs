//! The `azure-monitor` usage source: one KQL query per refresh over the Log Analytics query API
//! with the developer's own Entra token, its answer read by column name; partial answers stay
//! partial, an empty workspace is empty, and the budget comes from the org policy.

use super::kql::{self, KqlError};
use super::model::{Budget, BudgetScope, BudgetState, BudgetUnit, Completeness, DroppedRecord, Identity, Provenance, SourceKind, UsageRow, UsageSnapshot};
use super::price::PriceTable;
use super::{RefreshRequest, UsageError, UsageSource};
use crate::Secret;
use crate::config::{BudgetPeriod, KqlPreset, PolicyBudget, Usage};
use crate::error::{Diagnose, ErrorKind};
use crate::net::{NetError, Network};
use chrono::{DateTime, Datelike, Duration, Months, NaiveDate, Utc};
use serde::Deserialize;
use std::collections::BTreeMap;

/// The token scope of the Log Analytics query API.
pub const SCOPE: &str = "https://api.loganalytics.io/.default";
/// Metrics reach Log Analytics 3–5 minutes late (facts/usage.md §2).
pub const METRIC_LAG_MINUTES: u32 = 5;

/// Where the query runs: a workspace, or a resource (resource-centric query).
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum LogTarget {
    Workspace(String),
    Resource(String),
}

impl std::fmt::Display for LogTarget {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            LogTarget::Workspace(w) => write!(f, "the Log Analytics workspace {w}"),
            LogTarget::Resource(r) => write!(f, "the resource {r}"),
        }
    }
}

#[derive(Debug, thiserror::Error)]
pub enum AzureMonitorError {
    #[error(transparent)]
    Net(#[from] NetError),
    #[error(transparent)]
    Query(#[from] KqlError),
    #[error("{key} is not set, and the azure-monitor source needs it")]
    NotConfigured { key: &'static str },
    #[error("{url} answered with an HTML page (HTTP {status}), not the Log Analytics API")]
    Html { url: String, status: u16 },
    #[error("the Log Analytics API answered with JSON this app cannot read: {detail}")]
    Malformed { detail: String },
    #[error("the query's answer has no column {column} (it needs Day, Model, TokenType, Tokens)")]
    MissingColumn { column: &'static str },
    #[error("the Log Analytics API refused the query (HTTP 400): {message}")]
    BadQuery { message: String, custom: bool },
    #[error("the Log Analytics API did not accept your Entra token (HTTP {status}, {code}): {message}")]
    Unauthorized { status: u16, code: String, message: String },
    #[error("you may not read {target} (HTTP 403 InsufficientAccessError): {message}")]
    NoReader { target: LogTarget, message: String },
    #[error("{target} was not found (HTTP 404): {message}")]
    NotFound { target: LogTarget, message: String },
    #[error("the Log Analytics API is limiting your queries (HTTP 429){}", retry_after_s.map(|s| format!("; it asks to wait {s} s")).unwrap_or_default())]
    RateLimited { retry_after_s: Option<u64> },
    #[error("the Log Analytics API answered HTTP {status}: {message}")]
    Status { status: u16, message: String },
}

impl Diagnose for AzureMonitorError {
    fn kind(&self) -> ErrorKind {
        match self {
            AzureMonitorError::Net(e) => e.kind(),
            AzureMonitorError::Query(e) => e.kind(),
            AzureMonitorError::NotConfigured { .. } => ErrorKind::Config,
            _ => ErrorKind::Network,
        }
    }

    fn hint(&self) -> String {
        match self {
            AzureMonitorError::Net(e) => e.hint(),
            AzureMonitorError::Query(e) => e.hint(),
            AzureMonitorError::NotConfigured { key } => format!("The platform team sets {key} in the org policy; ask them."),
            AzureMonitorError::Html { .. } => "A proxy answered in place of Azure Monitor: sign in to it in a browser, or add the host to NO_PROXY.".into(),
            AzureMonitorError::Malformed { .. } => "Check usage.endpoint: it should be the Log Analytics API (https://api.loganalytics.azure.com).".into(),
            AzureMonitorError::MissingColumn { .. } => {
                "The org's query (usage.query_file) must return Day, Model, TokenType, Tokens and optionally Requests: tell the platform team.".into()
            }
            AzureMonitorError::BadQuery { custom: true, .. } => "The org's query in usage.query_file has an error: tell the platform team.".into(),
            AzureMonitorError::BadQuery { custom: false, .. } => "This is a bug in Foundry Onboard's preset query: please report it with this message.".into(),
            AzureMonitorError::Unauthorized { .. } => "Sign in again (az login) with the account that has access to the workspace.".into(),
            AzureMonitorError::NoReader { target, .. } => {
                format!(
                    "Ask your platform team for the Reader role on {target} (Log Analytics Reader is enough); a new role assignment can take up to 60 minutes to apply."
                )
            }
            AzureMonitorError::NotFound { .. } => "Check usage.workspace (the workspace id, a GUID) or usage.resource_id in the org policy.".into(),
            AzureMonitorError::RateLimited { retry_after_s: Some(s) } => {
                format!("Wait {s} s before the next refresh (the API allows 200 queries per 30 s per user).")
            }
            AzureMonitorError::RateLimited { .. } => "Wait a minute before the next refresh (the API allows 200 queries per 30 s per user).".into(),
            AzureMonitorError::Status { .. } => "Azure Monitor may be having trouble: try again later.".into(),
        }
    }
}

/// The query API's answer: `tables` and, on a partial result, an `error` beside them.
#[derive(Debug, Deserialize)]
struct QueryAnswer {
    tables: Vec<ResultTable>,
    error: Option<ApiError>,
}

#[derive(Debug, Deserialize)]
struct ResultTable {
    columns: Vec<Column>,
    rows: Vec<Vec<serde_json::Value>>,
}

#[derive(Debug, Deserialize)]
struct Column {
    name: String,
}

#[derive(Debug, Default, Deserialize)]
struct ApiError {
    #[serde(default)]
    code: String,
    #[serde(default)]
    message: String,
    #[serde(default)]
    details: Vec<ApiError>,
    innererror: Option<Box<ApiError>>,
}

impl ApiError {
    fn from_body(body: &str) -> Self {
        #[derive(Deserialize)]
        struct Envelope {
            error: ApiError,
        }
        serde_json::from_str::<Envelope>(body)
            .map(|e| e.error)
            .unwrap_or_else(|_| ApiError { message: crate::redact::first_bytes(body.trim(), 200), ..Default::default() })
    }

    /// The message with the inner and detail codes that say what actually happened.
    fn said(&self) -> String {
        let mut parts = vec![self.message.clone()];
        parts.extend(self.innererror.iter().map(|i| format!("{}: {}", i.code, i.message)));
        parts.extend(self.details.iter().map(|d| format!("{}: {}", d.code, d.message)));
        crate::redact::first_bytes(&parts.join("; "), 400)
    }
}

/// The `azure-monitor` source for one signed-in user.
pub struct AzureMonitorSource {
    net: Network,
    endpoint: String,
    target: LogTarget,
    preset: KqlPreset,
    custom_query: Option<String>,
    dimension: String,
    user: String,
    token: Secret,
    budget: Option<PolicyBudget>,
    prices: PriceTable,
}

impl AzureMonitorSource {
    /// Prices from this table (deployments priced as the model discovery saw them serve).
    pub fn with_prices(mut self, prices: PriceTable) -> Self {
        self.prices = prices;
        self
    }

    /// From `[usage]`; `user` is the signed-in identity's claim named by `usage.user_claim`,
    /// `token` an Entra token for [`SCOPE`], `custom_query` the text of `usage.query_file`.
    pub fn new(net: Network, usage: &Usage, custom_query: Option<String>, user: String, token: Secret) -> Result<Self, AzureMonitorError> {
        let target = match (&usage.workspace, &usage.resource_id) {
            (Some(w), _) => LogTarget::Workspace(w.clone()),
            (None, Some(r)) => LogTarget::Resource(r.clone()),
            (None, None) => return Err(AzureMonitorError::NotConfigured { key: "usage.workspace" }),
        };
        let preset = usage.preset.ok_or(AzureMonitorError::NotConfigured { key: "usage.preset" })?;
        let dimension = usage.user_dimension.clone().ok_or(AzureMonitorError::NotConfigured { key: "usage.user_dimension" })?;
        Ok(Self {
            net,
            endpoint: usage.endpoint.trim_end_matches('/').to_string(),
            target,
            preset,
            custom_query,
            dimension,
            user,
            token,
            budget: usage.budget.clone(),
            prices: PriceTable::with_overrides(&usage.prices),
        })
    }

    fn url(&self) -> String {
        match &self.target {
            LogTarget::Workspace(w) => {
                format!("{}/v1/workspaces/{}/query", self.endpoint, url::form_urlencoded::byte_serialize(w.as_bytes()).collect::<String>())
            }
            LogTarget::Resource(r) => format!("{}/v1{}/query", self.endpoint, r),
        }
    }

    pub async fn fetch(&self, request: &RefreshRequest) -> Result<UsageSnapshot, AzureMonitorError> {
        let today = request.as_of.date_naive();
        let period = self.budget.as_ref().map(|b| period(b, today));
        // Enough days for the budget period's spend, and for what was asked.
        let since_period = period.map(|(start, _)| (today - start.date_naive()).num_days() + 1).unwrap_or(0);
        let days = u32::try_from(since_period).unwrap_or(0).max(request.days).max(1);
        let query = kql::query(self.preset, self.custom_query.as_deref(), &self.dimension, &self.user, days)?;
        let url = self.url();
        let body = serde_json::json!({"query": query, "timespan": format!("P{days}D")});
        let rb = self.net.http.request(reqwest::Method::POST, &url)?.bearer_auth(self.token.expose()).json(&body);
        let resp = self.net.http.send(rb).await?;
        let status = resp.status().as_u16();
        let header = |n: &str| resp.headers().get(n).and_then(|v| v.to_str().ok()).map(str::to_string);
        let (content_type, retry_after) = (header("content-type"), header("retry-after"));
        let text = crate::net::body_text(resp).await;
        if crate::net::looks_like_html(content_type.as_deref(), &text) {
            return Err(AzureMonitorError::Html { url, status });
        }
        let mut snapshot = self.empty_snapshot(request);
        match status {
            204 => {}
            200 => {
                let answer: QueryAnswer = serde_json::from_str(&text).map_err(|e| AzureMonitorError::Malformed { detail: e.to_string() })?;
                if let Some(e) = answer.error {
                    snapshot.completeness = Completeness::Partial { reason: format!("Azure Monitor returned part of the answer ({}): {}", e.code, e.said()) };
                }
                if let Some(table) = answer.tables.first() {
                    let (rows, dropped) = self.rows(table, today)?;
                    (snapshot.rows, snapshot.dropped) = (rows, dropped);
                }
            }
            _ => return Err(self.refusal(status, &text, retry_after.as_deref())),
        }
        if snapshot.rows.is_empty() && snapshot.dropped.is_empty() && snapshot.completeness == Completeness::Complete {
            snapshot.completeness = Completeness::Empty;
        }
        snapshot.note_dropped();
        snapshot.budget = self.budget.as_ref().zip(period).map(|(b, (start, end))| policy_budget(b, start, end, &snapshot.rows));
        Ok(snapshot)
    }

    fn empty_snapshot(&self, request: &RefreshRequest) -> UsageSnapshot {
        UsageSnapshot {
            identity: Identity { user_id: Some(self.user.clone()), ..Identity::default() },
            as_of: request.as_of,
            source: SourceKind::AzureMonitor,
            provenance: Provenance::AzureMonitor { lag_minutes: METRIC_LAG_MINUTES },
            completeness: Completeness::Complete,
            budget: None,
            team_budget: None,
            rows: Vec::new(),
            dropped: Vec::new(),
        }
    }

    fn refusal(&self, status: u16, body: &str, retry_after: Option<&str>) -> AzureMonitorError {
        let e = ApiError::from_body(body);
        match (status, e.code.as_str()) {
            (400, _) => AzureMonitorError::BadQuery { message: e.said(), custom: self.preset == KqlPreset::Custom },
            (403, "InsufficientAccessError") => AzureMonitorError::NoReader { target: self.target.clone(), message: e.said() },
            (401 | 403, code) => AzureMonitorError::Unauthorized { status, code: code.to_string(), message: e.said() },
            (404, _) => AzureMonitorError::NotFound { target: self.target.clone(), message: e.said() },
            (429, _) => AzureMonitorError::RateLimited { retry_after_s: retry_after.and_then(|v| v.trim().parse().ok()) },
            _ => AzureMonitorError::Status { status, message: e.said() },
        }
    }

    /// Day × model rows from the answer's columns; a bad record is dropped with its reason.
    fn rows(&self, table: &ResultTable, today: NaiveDate) -> Result<(Vec<UsageRow>, Vec<DroppedRecord>), AzureMonitorError> {
        let col = |name: &'static str| table.columns.iter().position(|c| c.name.eq_ignore_ascii_case(name));
        let need = |name: &'static str| col(name).ok_or(AzureMonitorError::MissingColumn { column: name });
        let (day, model, kind, tokens, requests) = (need("Day")?, need("Model")?, need("TokenType")?, need("Tokens")?, col("Requests"));
        let mut sums: BTreeMap<(NaiveDate, String), UsageRow> = BTreeMap::new();
        let mut dropped = Vec::new();
        for r in &table.rows {
            let text = |i: usize| r.get(i).map(|v| v.as_str().map(str::to_string).unwrap_or_else(|| v.to_string())).unwrap_or_default();
            let number = |i: usize| r.get(i).and_then(|v| v.as_f64().or_else(|| v.as_str().and_then(|s| s.parse().ok())));
            let model_name = text(model);
            let mut skip = |reason: &str| dropped.push(DroppedRecord { date: text(day), model: Some(model_name.clone()), reason: reason.into() });
            let Some(date) = DateTime::parse_from_rfc3339(&text(day)).ok().map(|d| d.with_timezone(&Utc).date_naive()) else {
                skip("a Day that is not a date and time");
                continue;
            };
            if date > today {
                skip("a date in the future");
                continue;
            }
            let n = number(tokens).unwrap_or(-1.0);
            let calls = requests.map(|i| number(i).unwrap_or(0.0)).unwrap_or(0.0);
            if !(0.0..=1e11).contains(&n) || !(0.0..=1e8).contains(&calls) {
                skip("a negative, missing or absurd number");
                continue;
            }
            let kind = text(kind);
            if !["input", "output", "cacheRead", "cacheWrite"].contains(&kind.as_str()) {
                skip("a TokenType other than input, output, cacheRead or cacheWrite");
                continue;
            }
            let row = sums.entry((date, model_name.clone())).or_insert_with(|| UsageRow::empty(date, model_name.clone()));
            let field = match kind.as_str() {
                "input" => &mut row.input_tokens,
                "output" => &mut row.output_tokens,
                "cacheRead" => &mut row.cache_read_tokens,
                _ => &mut row.cache_write_tokens,
            };
            *field += n as u64;
            // Each token type counts the same calls: the most any type saw.
            row.requests = row.requests.max(calls as u64);
        }
        let rows = sums
            .into_values()
            .map(|mut r| {
                r.cost = self.prices.cost(&r);
                r
            })
            .collect();
        Ok((rows, dropped))
    }
}

#[async_trait::async_trait]
impl UsageSource for AzureMonitorSource {
    fn kind(&self) -> SourceKind {
        SourceKind::AzureMonitor
    }

    async fn refresh(&self, request: &RefreshRequest) -> Result<UsageSnapshot, UsageError> {
        Ok(self.fetch(request).await?)
    }
}

fn midnight(d: NaiveDate) -> DateTime<Utc> {
    d.and_hms_opt(0, 0, 0).unwrap_or_default().and_utc()
}

/// The policy budget's current period around `today`: its start and its reset (UTC midnights).
pub fn period(b: &PolicyBudget, today: NaiveDate) -> (DateTime<Utc>, DateTime<Utc>) {
    let (start, end) = match b.period {
        BudgetPeriod::Daily => (today, today + Duration::days(1)),
        BudgetPeriod::Weekly => {
            let first = b.reset_day.unwrap_or(1).clamp(1, 7) as i64 - 1;
            let back = (i64::from(today.weekday().num_days_from_monday()) - first).rem_euclid(7);
            let start = today - Duration::days(back);
            (start, start + Duration::days(7))
        }
        BudgetPeriod::Monthly => {
            let day = b.reset_day.unwrap_or(1).clamp(1, 28);
            let this = today.with_day(day).unwrap_or(today);
            let start = if today.day() >= day { this } else { this.checked_sub_months(Months::new(1)).unwrap_or(this) };
            (start, start.checked_add_months(Months::new(1)).unwrap_or(start + Duration::days(30)))
        }
    };
    (midnight(start), midnight(end))
}

/// The org policy's budget with the spend of the period from the rows (USD from the price table:
/// rows without a price add nothing, and the snapshot's rows say which those are).
pub(super) fn policy_budget(b: &PolicyBudget, start: DateTime<Utc>, end: DateTime<Utc>, rows: &[UsageRow]) -> Budget {
    let in_period = rows.iter().filter(|r| r.date >= start.date_naive() && r.date < end.date_naive());
    let spent = match b.unit {
        BudgetUnit::Usd => in_period.filter_map(|r| r.cost).map(|c| c.usd).sum(),
        BudgetUnit::Tokens => in_period.map(|r| r.total_tokens() as f64).sum(),
    };
    // Counted here, enforced by nobody: past the limit it is over budget, never "exceeded" (which
    // says a gateway refuses calls).
    Budget {
        scope: BudgetScope::Policy,
        unit: b.unit,
        limit: Some(b.limit),
        soft_limit: None,
        spent,
        period_start: Some(start),
        resets_at: Some(end),
        state: BudgetState::Within,
    }
}

#[cfg(test)]
#[path = "azure_monitor_tests.rs"]
mod tests;
