//! The one shape every usage source fills — who, as of when, from where and how sure, the budget,
//! and per day × model the tokens, requests and cost — so the CLI, the app and `--json` show the
//! same numbers with the same provenance.

use chrono::{DateTime, NaiveDate, Utc};
use serde::{Deserialize, Serialize};
use ts_rs::TS;

/// Everything a refresh of one source knows about one person's usage.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, TS)]
#[serde(rename_all = "camelCase")]
pub struct UsageSnapshot {
    /// Whom the numbers are about.
    pub identity: Identity,
    /// When the source was asked (RFC 3339, UTC).
    #[ts(type = "string")]
    pub as_of: DateTime<Utc>,
    pub source: SourceKind,
    /// How far each number can be trusted; it travels with the numbers to the screen and `--json`.
    pub provenance: Provenance,
    pub completeness: Completeness,
    /// The budget the person is held to, when any is known.
    pub budget: Option<Budget>,
    /// The team's budget beside it, when known.
    pub team_budget: Option<Budget>,
    /// One row per day and model, oldest day first, models by name within a day.
    pub rows: Vec<UsageRow>,
    /// Records the source sent that were not used (negative or absurd numbers, dates in the
    /// future, unreadable dates), each with the reason; when any, `completeness` is partial.
    pub dropped: Vec<DroppedRecord>,
}

/// Whom a snapshot is about, as far as the source says.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize, TS)]
#[serde(rename_all = "camelCase")]
pub struct Identity {
    pub user_id: Option<String>,
    pub email: Option<String>,
    /// The gateway key's alias (never the key itself).
    pub key_alias: Option<String>,
    pub team_id: Option<String>,
}

/// Which source a snapshot came from (the config's `usage.source`).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize, TS)]
#[serde(rename_all = "kebab-case")]
pub enum SourceKind {
    Litellm,
    AzureMonitor,
    Local,
}

impl SourceKind {
    pub fn as_str(self) -> &'static str {
        match self {
            SourceKind::Litellm => "litellm",
            SourceKind::AzureMonitor => "azure-monitor",
            SourceKind::Local => "local",
        }
    }
}

/// How authoritative the numbers are.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, TS)]
#[serde(rename_all = "camelCase", tag = "kind")]
pub enum Provenance {
    /// The gateway's own accounting: what the budget is enforced against.
    Gateway,
    /// An Azure Monitor metric, which arrives `lag_minutes` late.
    #[serde(rename_all = "camelCase")]
    AzureMonitor { lag_minutes: u32 },
    /// This machine's own record: an estimate, blind to other machines.
    LocalEstimate,
}

/// Whether the rows are the whole story.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, TS)]
#[serde(rename_all = "camelCase", tag = "kind")]
pub enum Completeness {
    Complete,
    /// Some of it is missing; never shown as complete totals.
    Partial {
        reason: String,
    },
    /// The source answered and has no usage for this person in the range.
    Empty,
}

/// A budget and where it stands.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, TS)]
#[serde(rename_all = "camelCase")]
pub struct Budget {
    /// Whose budget: the key's, the user's, the team's, or the org policy's.
    pub scope: BudgetScope,
    pub unit: BudgetUnit,
    /// The hard limit, when one is set.
    pub limit: Option<f64>,
    /// A warning level below the limit (LiteLLM's soft budget).
    pub soft_limit: Option<f64>,
    /// Spent in the current period.
    pub spent: f64,
    #[ts(type = "string | null")]
    pub period_start: Option<DateTime<Utc>>,
    /// The end of the current period: when `spent` goes back to zero.
    #[ts(type = "string | null")]
    pub resets_at: Option<DateTime<Utc>>,
    pub state: BudgetState,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, TS)]
#[serde(rename_all = "kebab-case")]
pub enum BudgetScope {
    Key,
    User,
    Team,
    Policy,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, TS)]
#[serde(rename_all = "kebab-case")]
pub enum BudgetUnit {
    Usd,
    Tokens,
}

/// Where the budget stands: a state to show, not an error.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, TS)]
#[serde(rename_all = "camelCase", tag = "kind")]
pub enum BudgetState {
    Within,
    /// At or over the soft limit, below the hard one.
    OverSoftLimit,
    /// The gateway refuses further calls; `message` is the gateway's own words.
    Exceeded {
        message: String,
    },
}

impl Budget {
    /// The state that `spent` against the limits implies (an `Exceeded` reported by the gateway
    /// is kept by the caller).
    pub fn implied_state(&self) -> BudgetState {
        match (self.limit, self.soft_limit) {
            (Some(l), _) if self.spent >= l => BudgetState::Exceeded { message: format!("spent {:.2} of a limit of {:.2}", self.spent, l) },
            (_, Some(s)) if self.spent >= s => BudgetState::OverSoftLimit,
            _ => BudgetState::Within,
        }
    }

    /// Spent as a share of the limit, in percent.
    pub fn percent_used(&self) -> Option<f64> {
        self.limit.filter(|l| *l > 0.0).map(|l| self.spent / l * 100.0)
    }
}

/// One day × one model.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, TS)]
#[serde(rename_all = "camelCase")]
pub struct UsageRow {
    /// The UTC day.
    #[ts(type = "string")]
    pub date: NaiveDate,
    /// The model or deployment name exactly as the source spells it (kept as text, never markup).
    pub model: String,
    /// Input tokens neither read from nor written to the prompt cache.
    #[ts(type = "number")]
    pub input_tokens: u64,
    #[ts(type = "number")]
    pub output_tokens: u64,
    #[ts(type = "number")]
    pub cache_read_tokens: u64,
    #[ts(type = "number")]
    pub cache_write_tokens: u64,
    #[ts(type = "number")]
    pub requests: u64,
    #[ts(type = "number")]
    pub failed_requests: u64,
    /// None means "no price" — never $0.
    pub cost: Option<Cost>,
    /// Only where the source has it.
    pub latency: Option<Latency>,
}

impl UsageRow {
    pub fn empty(date: NaiveDate, model: impl Into<String>) -> Self {
        Self {
            date,
            model: model.into(),
            input_tokens: 0,
            output_tokens: 0,
            cache_read_tokens: 0,
            cache_write_tokens: 0,
            requests: 0,
            failed_requests: 0,
            cost: None,
            latency: None,
        }
    }

    /// Every token of the row, cached or not.
    pub fn total_tokens(&self) -> u64 {
        self.input_tokens.saturating_add(self.output_tokens).saturating_add(self.cache_read_tokens).saturating_add(self.cache_write_tokens)
    }
}

/// A cost in US dollars and who computed it.
#[derive(Debug, Clone, Copy, PartialEq, Serialize, Deserialize, TS)]
#[serde(rename_all = "camelCase")]
pub struct Cost {
    pub usd: f64,
    pub basis: CostBasis,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, TS)]
#[serde(rename_all = "kebab-case")]
pub enum CostBasis {
    /// The gateway's own figure.
    Gateway,
    /// Tokens × the price table (built in, or the org policy's `usage.prices`).
    PriceTable,
}

/// Response times in milliseconds.
#[derive(Debug, Clone, Copy, PartialEq, Serialize, Deserialize, TS)]
#[serde(rename_all = "camelCase")]
pub struct Latency {
    pub mean_ms: Option<f64>,
    pub p50_ms: Option<f64>,
    pub p95_ms: Option<f64>,
    pub p99_ms: Option<f64>,
}

/// A record the source sent that was left out, and why.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, TS)]
#[serde(rename_all = "camelCase")]
pub struct DroppedRecord {
    /// The date as the source wrote it.
    pub date: String,
    pub model: Option<String>,
    pub reason: String,
}

impl UsageSnapshot {
    /// Per day, the sum over models of the budget's unit: cost (rows without a price add
    /// nothing) or tokens. Oldest first; days without rows are absent.
    pub fn daily_totals(&self, unit: BudgetUnit) -> Vec<(NaiveDate, f64)> {
        let mut out: std::collections::BTreeMap<NaiveDate, f64> = std::collections::BTreeMap::new();
        for row in &self.rows {
            let v = match unit {
                BudgetUnit::Usd => row.cost.map(|c| c.usd).unwrap_or(0.0),
                BudgetUnit::Tokens => row.total_tokens() as f64,
            };
            *out.entry(row.date).or_default() += v;
        }
        out.into_iter().collect()
    }

    /// Rows sorted by day, then model — the order every face shows.
    pub fn sort_rows(&mut self) {
        self.rows.sort_by(|a, b| a.date.cmp(&b.date).then_with(|| a.model.cmp(&b.model)));
    }

    /// Marks the snapshot partial when records were dropped (keeping an earlier reason).
    pub fn note_dropped(&mut self) {
        if self.dropped.is_empty() {
            return;
        }
        let why = format!("{} record(s) the source sent were left out: {}", self.dropped.len(), self.dropped[0].reason);
        self.completeness = match std::mem::replace(&mut self.completeness, Completeness::Complete) {
            Completeness::Partial { reason } => Completeness::Partial { reason: format!("{reason}; {why}") },
            _ => Completeness::Partial { reason: why },
        };
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn day(d: u32) -> NaiveDate {
        NaiveDate::from_ymd_opt(2026, 11, d).unwrap()
    }

    #[test]
    fn serializes_camel_case_with_no_price_as_null() {
        let mut row = UsageRow::empty(day(3), "claude-sonnet-4-5");
        row.input_tokens = 10;
        let json = serde_json::to_value(&row).unwrap();
        assert_eq!(json["date"], "2026-11-03");
        assert_eq!(json["inputTokens"], 10);
        assert!(json["cost"].is_null(), "no price is null, not 0: {json}");
        let p = serde_json::to_value(Provenance::AzureMonitor { lag_minutes: 5 }).unwrap();
        assert_eq!(p, serde_json::json!({"kind": "azureMonitor", "lagMinutes": 5}));
        let c = serde_json::to_value(Completeness::Partial { reason: "r".into() }).unwrap();
        assert_eq!(c, serde_json::json!({"kind": "partial", "reason": "r"}));
    }

    #[test]
    fn daily_totals_sum_models_and_leave_unpriced_rows_out_of_cost() {
        let mut a = UsageRow::empty(day(2), "a");
        a.cost = Some(Cost { usd: 1.5, basis: CostBasis::Gateway });
        a.output_tokens = 100;
        let mut b = UsageRow::empty(day(2), "b");
        b.output_tokens = 50;
        let mut c = UsageRow::empty(day(1), "a");
        c.cost = Some(Cost { usd: 2.0, basis: CostBasis::Gateway });
        let mut s = UsageSnapshot {
            identity: Identity::default(),
            as_of: Utc::now(),
            source: SourceKind::Local,
            provenance: Provenance::LocalEstimate,
            completeness: Completeness::Complete,
            budget: None,
            team_budget: None,
            rows: vec![a, b, c],
            dropped: vec![],
        };
        s.sort_rows();
        assert_eq!(s.daily_totals(BudgetUnit::Usd), vec![(day(1), 2.0), (day(2), 1.5)]);
        assert_eq!(s.daily_totals(BudgetUnit::Tokens), vec![(day(1), 0.0), (day(2), 150.0)]);
        s.dropped.push(DroppedRecord { date: "2027-01-01".into(), model: None, reason: "a date in the future".into() });
        s.note_dropped();
        assert!(matches!(&s.completeness, Completeness::Partial { reason } if reason.contains("1 record(s)") && reason.contains("future")));
    }

    #[test]
    fn budget_state_follows_the_limits() {
        let mut b = Budget {
            scope: BudgetScope::Key,
            unit: BudgetUnit::Usd,
            limit: Some(50.0),
            soft_limit: Some(40.0),
            spent: 37.5,
            period_start: None,
            resets_at: None,
            state: BudgetState::Within,
        };
        assert_eq!(b.implied_state(), BudgetState::Within);
        assert_eq!(b.percent_used(), Some(75.0));
        b.spent = 41.0;
        assert_eq!(b.implied_state(), BudgetState::OverSoftLimit);
        b.spent = 50.0;
        assert!(matches!(b.implied_state(), BudgetState::Exceeded { .. }));
    }
}
