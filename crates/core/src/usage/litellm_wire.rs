//! What LiteLLM's key-holder endpoints send (facts/litellm.md §1, 1.108.7), as serde types that
//! ignore unknown fields, and how a page of daily activity becomes day × model rows — bad records
//! dropped one by one with the reason, never the whole answer.

use super::model::{Cost, CostBasis, DroppedRecord, Latency, UsageRow};
use chrono::{DateTime, Duration, Months, NaiveDate, Utc};
use serde::Deserialize;
use std::collections::BTreeMap;

/// `/key/info`: `{"key": …, "info": {…}}` (the `key` echo is never read).
#[derive(Debug, Deserialize)]
pub(super) struct KeyInfoAnswer {
    pub info: KeyInfo,
}

#[derive(Debug, Deserialize)]
pub(super) struct KeyInfo {
    /// Spend in the current budget window.
    pub spend: f64,
    pub key_alias: Option<String>,
    pub user_id: Option<String>,
    pub team_id: Option<String>,
    pub max_budget: Option<f64>,
    pub budget_duration: Option<String>,
    pub budget_reset_at: Option<DateTime<Utc>>,
    /// The key's soft budget lives in its linked budget table.
    pub litellm_budget_table: Option<BudgetTable>,
}

#[derive(Debug, Deserialize)]
pub(super) struct BudgetTable {
    pub soft_budget: Option<f64>,
}

/// `/user/info`.
#[derive(Debug, Deserialize)]
pub(super) struct UserInfoAnswer {
    pub user_info: UserInfo,
}

#[derive(Debug, Deserialize)]
pub(super) struct UserInfo {
    pub user_id: Option<String>,
    pub user_email: Option<String>,
    pub spend: Option<f64>,
    pub max_budget: Option<f64>,
    pub budget_duration: Option<String>,
    pub budget_reset_at: Option<DateTime<Utc>>,
}

/// `/team/info`.
#[derive(Debug, Deserialize)]
pub(super) struct TeamInfoAnswer {
    pub team_info: TeamInfo,
}

#[derive(Debug, Deserialize)]
pub(super) struct TeamInfo {
    pub spend: Option<f64>,
    pub max_budget: Option<f64>,
    pub soft_budget: Option<f64>,
    pub budget_duration: Option<String>,
    pub budget_reset_at: Option<DateTime<Utc>>,
}

/// `/user/daily/activity`: one page of raw rows grouped by date (a date may span two pages).
#[derive(Debug, Deserialize)]
pub(super) struct ActivityPage {
    pub results: Vec<DailySpend>,
    pub metadata: PageMetadata,
}

#[derive(Debug, Deserialize)]
pub(super) struct PageMetadata {
    pub page: Option<u32>,
    pub total_pages: Option<u32>,
    pub has_more: bool,
}

#[derive(Debug, Deserialize)]
pub(super) struct DailySpend {
    /// Kept as text: a bad date drops this record, not the page.
    pub date: String,
    pub metrics: Metrics,
    #[serde(default)]
    pub breakdown: Breakdown,
}

#[derive(Debug, Default, Deserialize)]
pub(super) struct Breakdown {
    #[serde(default)]
    pub models: BTreeMap<String, ModelMetrics>,
}

#[derive(Debug, Deserialize)]
pub(super) struct ModelMetrics {
    pub metrics: Metrics,
}

/// `SpendMetrics`, as numbers of any size and sign, so that one bad value drops one record.
#[derive(Debug, Default, Clone, Deserialize)]
#[serde(default)]
pub(super) struct Metrics {
    pub spend: f64,
    /// Includes cache reads and writes for Anthropic models (facts/litellm.md §1.4).
    pub prompt_tokens: f64,
    pub completion_tokens: f64,
    pub cache_read_input_tokens: f64,
    pub cache_creation_input_tokens: f64,
    pub successful_requests: f64,
    pub failed_requests: f64,
    pub api_requests: f64,
    pub total_response_time_ms: f64,
    pub timed_requests: f64,
}

/// More tokens than any one person sends one model in a day (a year of a busy team is ~10¹⁰).
const ABSURD_TOKENS: f64 = 1e11;
const ABSURD_USD: f64 = 1e6;
const ABSURD_REQUESTS: f64 = 1e8;

impl Metrics {
    /// Why these numbers cannot be used, if they cannot.
    fn fault(&self) -> Option<&'static str> {
        let tokens = [self.prompt_tokens, self.completion_tokens, self.cache_read_input_tokens, self.cache_creation_input_tokens];
        let requests = [self.successful_requests, self.failed_requests, self.api_requests, self.timed_requests];
        let all = tokens.iter().chain(&requests).chain([&self.spend, &self.total_response_time_ms]);
        if all.clone().any(|v| !v.is_finite() || *v < 0.0) {
            return Some("a negative number");
        }
        if tokens.iter().any(|v| *v > ABSURD_TOKENS) || self.spend > ABSURD_USD || requests.iter().any(|v| *v > ABSURD_REQUESTS) {
            return Some("an absurd number (over 100 billion tokens, $1 million or 100 million requests for one model in one day)");
        }
        None
    }

    fn add(&mut self, o: &Metrics) {
        self.spend += o.spend;
        self.prompt_tokens += o.prompt_tokens;
        self.completion_tokens += o.completion_tokens;
        self.cache_read_input_tokens += o.cache_read_input_tokens;
        self.cache_creation_input_tokens += o.cache_creation_input_tokens;
        self.successful_requests += o.successful_requests;
        self.failed_requests += o.failed_requests;
        self.api_requests += o.api_requests;
        self.total_response_time_ms += o.total_response_time_ms;
        self.timed_requests += o.timed_requests;
    }

    fn row(&self, date: NaiveDate, model: &str) -> UsageRow {
        let cache = self.cache_read_input_tokens + self.cache_creation_input_tokens;
        let requests = if self.api_requests > 0.0 { self.api_requests } else { self.successful_requests + self.failed_requests };
        UsageRow {
            date,
            model: model.to_string(),
            input_tokens: (self.prompt_tokens - cache).max(0.0) as u64,
            output_tokens: self.completion_tokens as u64,
            cache_read_tokens: self.cache_read_input_tokens as u64,
            cache_write_tokens: self.cache_creation_input_tokens as u64,
            requests: requests as u64,
            failed_requests: self.failed_requests as u64,
            cost: Some(Cost { usd: self.spend, basis: CostBasis::Gateway }),
            latency: (self.timed_requests > 0.0).then(|| Latency {
                mean_ms: Some(self.total_response_time_ms / self.timed_requests),
                p50_ms: None,
                p95_ms: None,
                p99_ms: None,
            }),
        }
    }
}

/// Day × model sums over every page read so far, and what was left out.
#[derive(Debug, Default)]
pub(super) struct Activity {
    sums: BTreeMap<(NaiveDate, String), Metrics>,
    pub dropped: Vec<DroppedRecord>,
}

/// What a day without a per-model breakdown is filed under.
pub const UNATTRIBUTED: &str = "(no model named)";

impl Activity {
    /// Adds one page: each date × model is checked on its own; a date after `today` (UTC) or one
    /// that is not `YYYY-MM-DD` drops that day's records.
    pub fn add_page(&mut self, page: &ActivityPage, today: NaiveDate) {
        for day in &page.results {
            let drop =
                |reason: &str, model: Option<&str>| DroppedRecord { date: day.date.clone(), model: model.map(str::to_string), reason: reason.to_string() };
            let Ok(date) = NaiveDate::parse_from_str(&day.date, "%Y-%m-%d") else {
                self.dropped.push(drop("a date that is not YYYY-MM-DD", None));
                continue;
            };
            if date > today {
                self.dropped.push(drop("a date in the future", None));
                continue;
            }
            let models: Vec<(&str, &Metrics)> = if day.breakdown.models.is_empty() {
                vec![(UNATTRIBUTED, &day.metrics)]
            } else {
                day.breakdown.models.iter().map(|(m, v)| (m.as_str(), &v.metrics)).collect()
            };
            for (model, metrics) in models {
                if let Some(why) = metrics.fault() {
                    self.dropped.push(drop(why, Some(model)));
                    continue;
                }
                self.sums.entry((date, model.to_string())).or_default().add(metrics);
            }
        }
    }

    /// Rows oldest first, models by name within a day.
    pub fn rows(&self) -> Vec<UsageRow> {
        self.sums.iter().map(|((date, model), m)| m.row(*date, model)).collect()
    }
}

/// The start of the budget window that ends at `reset`, from LiteLLM's `budget_duration`
/// (`30s`, `15m`, `24h`, `30d`, `1w`, `1mo`); None for a duration it does not recognise.
pub(super) fn period_start(reset: DateTime<Utc>, duration: &str) -> Option<DateTime<Utc>> {
    let d = duration.trim();
    let (n, unit) = d.split_at(d.find(|c: char| !c.is_ascii_digit())?);
    let n: u32 = n.parse().ok()?;
    match unit {
        "mo" => reset.checked_sub_months(Months::new(n)),
        "s" => Some(reset - Duration::seconds(n.into())),
        "m" => Some(reset - Duration::minutes(n.into())),
        "h" => Some(reset - Duration::hours(n.into())),
        "d" => Some(reset - Duration::days(n.into())),
        "w" => Some(reset - Duration::weeks(n.into())),
        _ => None,
    }
}

/// The person-readable text of a LiteLLM error body: `{"error":{"message"}}`, or FastAPI's
/// `{"detail": "…" | {"error": "…"}}`; else the start of the body. Credentials masked.
pub(super) fn error_message(body: &str) -> String {
    let v: serde_json::Value = serde_json::from_str(body).unwrap_or_default();
    let text = v
        .pointer("/error/message")
        .and_then(|m| m.as_str())
        .or_else(|| v.pointer("/detail/error").and_then(|m| m.as_str()))
        .or_else(|| v.get("detail").and_then(|m| m.as_str()))
        .map(str::to_string)
        .unwrap_or_else(|| body.trim().to_string());
    crate::redact::first_bytes(&text, 300)
}

/// The error body's `type` (`budget_exceeded`, `auth_error`, `expired_key`, …).
pub(super) fn error_type(body: &str) -> Option<String> {
    let v: serde_json::Value = serde_json::from_str(body).ok()?;
    v.pointer("/error/type").and_then(|t| t.as_str()).map(str::to_string)
}

/// The spend and limit a `budget_exceeded` message names ("Current cost: X, Max budget: Y" or
/// "Spend=X, Budget=Y").
pub(super) fn exceeded_numbers(message: &str) -> Option<(f64, f64)> {
    let number_after = |tag: &str| -> Option<f64> {
        let rest = &message[message.find(tag)? + tag.len()..];
        let end = rest.find(|c: char| !(c.is_ascii_digit() || c == '.')).unwrap_or(rest.len());
        rest[..end].parse().ok()
    };
    let spent = number_after("Current cost: ").or_else(|| number_after("Spend="))?;
    let limit = number_after("Max budget: ").or_else(|| number_after("Budget="))?;
    Some((spent, limit))
}
