//! The `[usage]`, `[usage.budget]` and `[usage.prices]` keys (PRODUCT.md §3): which source the
//! usage view reads, how it reaches it, the budget for sources that know none, and the price
//! table — typed, so the org policy can set and lock each of them.

use super::Config;
use super::validate::Violation;
use crate::usage::{BudgetUnit, SourceKind};
use serde::{Deserialize, Serialize};
use std::collections::BTreeMap;
use std::path::PathBuf;

/// `[usage]`.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields, default)]
pub struct Usage {
    /// Unset means: `litellm` when `gateway.url` is set, else `local` (see [`Config::usage_source`]).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub source: Option<SourceKind>,
    /// The Log Analytics query API (azure-monitor); overridable for tests and the sandbox.
    pub endpoint: String,
    /// A Log Analytics workspace id (azure-monitor). Exclusive with `resource_id`.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub workspace: Option<String>,
    /// An ARM resource id for a resource-centric query, e.g. an App Insights component.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub resource_id: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub preset: Option<KqlPreset>,
    /// The org's own KQL (preset `custom`).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub query_file: Option<PathBuf>,
    /// The dimension or attribute that holds the user (e.g. `oid`, or `User ID`).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub user_dimension: Option<String>,
    /// Which claim of the signed-in identity fills `user_dimension`.
    pub user_claim: UserClaim,
    pub refresh_minutes: u32,
    /// Percent of the budget at which to alert, ascending.
    pub alert_percent: Vec<u32>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub budget: Option<PolicyBudget>,
    /// USD per million tokens, by model or deployment name.
    #[serde(skip_serializing_if = "BTreeMap::is_empty")]
    pub prices: BTreeMap<String, ModelPrice>,
}

impl Default for Usage {
    fn default() -> Self {
        Self {
            source: None,
            endpoint: "https://api.loganalytics.azure.com".into(),
            workspace: None,
            resource_id: None,
            preset: None,
            query_file: None,
            user_dimension: None,
            user_claim: UserClaim::Oid,
            refresh_minutes: 5,
            alert_percent: vec![80, 100],
            budget: None,
            prices: BTreeMap::new(),
        }
    }
}

impl Usage {
    pub fn is_default(&self) -> bool {
        *self == Self::default()
    }
}

/// The shapes a gateway's metrics take in Azure Monitor.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "kebab-case")]
pub enum KqlPreset {
    /// APIM's `llm-emit-token-metric` policy.
    ApimEmitTokenMetric,
    /// OpenTelemetry GenAI metrics (`gen_ai.client.token.usage`).
    OtelGenai,
    /// Claude Code's own `claude_code.token.usage`.
    ClaudeCodeOtel,
    /// The org's query in `usage.query_file`.
    Custom,
}

#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "kebab-case")]
pub enum UserClaim {
    #[default]
    Oid,
    Upn,
}

/// `[usage.budget]`: for sources that know no budget; LiteLLM's own budget wins where it exists.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct PolicyBudget {
    pub limit: f64,
    #[serde(default = "usd")]
    pub unit: BudgetUnit,
    #[serde(default)]
    pub period: BudgetPeriod,
    /// The day the period starts: 1–28 of the month (monthly), 1 = Monday … 7 = Sunday (weekly).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub reset_day: Option<u32>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub team_limit: Option<f64>,
}

fn usd() -> BudgetUnit {
    BudgetUnit::Usd
}

#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "kebab-case")]
pub enum BudgetPeriod {
    #[default]
    Monthly,
    Weekly,
    Daily,
}

/// USD per million tokens.
#[derive(Debug, Clone, Copy, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct ModelPrice {
    pub input: f64,
    pub output: f64,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub cache_read: Option<f64>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub cache_write_5m: Option<f64>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub cache_write_1h: Option<f64>,
}

impl Config {
    /// The source the usage view reads: `usage.source`, else `litellm` when a gateway is
    /// configured, else this machine's own record.
    pub fn usage_source(&self) -> SourceKind {
        self.usage.source.unwrap_or(if self.gateway.url.is_some() { SourceKind::Litellm } else { SourceKind::Local })
    }
}

fn violation(key: &'static str, message: impl Into<String>, hint: impl Into<String>) -> Violation {
    Violation { key, message: message.into(), hint: hint.into() }
}

fn positive(v: f64) -> bool {
    v.is_finite() && v > 0.0
}

/// The rules `[usage]` must follow beyond its types; each names its key.
pub(super) fn violations(config: &Config, out: &mut Vec<Violation>) {
    let u = &config.usage;
    let source = config.usage_source();
    if source == SourceKind::Litellm && config.gateway.url.is_none() {
        out.push(violation(
            "usage.source",
            "usage.source is litellm but gateway.url is not set",
            "Set gateway.url to your LiteLLM gateway, or choose another usage.source.",
        ));
    }
    if u.workspace.is_some() && u.resource_id.is_some() {
        out.push(violation(
            "usage.resource_id",
            "usage.workspace and usage.resource_id are both set",
            "Keep one: a workspace id, or the resource id of an App Insights component.",
        ));
    }
    if let Some(r) = &u.resource_id
        && !r.starts_with("/subscriptions/")
    {
        out.push(violation(
            "usage.resource_id",
            format!("usage.resource_id {r:?} is not an Azure resource id"),
            "Copy the resource id from the portal's JSON view: /subscriptions/<id>/resourceGroups/<rg>/providers/…",
        ));
    }
    if source == SourceKind::AzureMonitor {
        if u.workspace.is_none() && u.resource_id.is_none() {
            out.push(violation("usage.workspace", "usage.source is azure-monitor but neither usage.workspace nor usage.resource_id is set", AZURE_HINT));
        }
        if u.preset.is_none() {
            out.push(violation("usage.preset", "usage.source is azure-monitor but usage.preset is not set", AZURE_HINT));
        }
        if u.user_dimension.is_none() {
            out.push(violation("usage.user_dimension", "usage.source is azure-monitor but usage.user_dimension is not set", AZURE_HINT));
        }
    }
    if u.preset == Some(KqlPreset::Custom) && u.query_file.is_none() {
        out.push(violation("usage.query_file", "usage.preset is custom but usage.query_file is not set", "Point usage.query_file at the org's KQL file."));
    }
    if let Some(d) = &u.user_dimension
        && (d.trim().is_empty() || d.chars().any(char::is_control))
    {
        out.push(violation(
            "usage.user_dimension",
            "usage.user_dimension is empty or holds a control character",
            "Name the dimension as Azure Monitor shows it, e.g. \"oid\".",
        ));
    }
    if !(1..=1440).contains(&u.refresh_minutes) {
        out.push(violation("usage.refresh_minutes", format!("usage.refresh_minutes is {}; it must be 1 to 1440", u.refresh_minutes), "The default is 5."));
    }
    if u.alert_percent.iter().any(|p| !(1..=1000).contains(p)) || u.alert_percent.windows(2).any(|w| w[0] >= w[1]) {
        out.push(violation(
            "usage.alert_percent",
            format!("usage.alert_percent {:?} must be ascending percentages from 1 to 1000", u.alert_percent),
            "For example alert_percent = [80, 100].",
        ));
    }
    if let Some(b) = &u.budget {
        if !positive(b.limit) {
            out.push(violation(
                "usage.budget.limit",
                format!("usage.budget.limit is {}; it must be above 0", b.limit),
                "Give the budget per period, e.g. limit = 100.",
            ));
        }
        if b.team_limit.is_some_and(|t| !positive(t)) {
            out.push(violation("usage.budget.team_limit", "usage.budget.team_limit must be above 0", "Remove it, or give the team's budget per period."));
        }
        let ok_day = match (b.period, b.reset_day) {
            (_, None) => true,
            (BudgetPeriod::Monthly, Some(d)) => (1..=28).contains(&d),
            (BudgetPeriod::Weekly, Some(d)) => (1..=7).contains(&d),
            (BudgetPeriod::Daily, Some(_)) => false,
        };
        if !ok_day {
            out.push(violation(
                "usage.budget.reset_day",
                format!("usage.budget.reset_day {:?} does not fit period {:?}", b.reset_day.unwrap_or_default(), b.period),
                "Monthly: a day from 1 to 28; weekly: 1 (Monday) to 7 (Sunday); daily: leave it out.",
            ));
        }
    }
    for (model, p) in &u.prices {
        let all = [Some(p.input), Some(p.output), p.cache_read, p.cache_write_5m, p.cache_write_1h];
        if all.into_iter().flatten().any(|v| !v.is_finite() || v < 0.0) {
            out.push(violation(
                "usage.prices",
                format!("usage.prices for {model:?} holds a negative or non-finite price"),
                "Prices are USD per million tokens, 0 or more.",
            ));
        }
    }
}

const AZURE_HINT: &str = "The platform team sets these in the org policy: the workspace (or App Insights resource id), the preset matching the gateway, and the dimension that holds the user.";

#[cfg(test)]
mod tests {
    use super::*;

    fn with_usage(toml_text: &str) -> Config {
        toml::from_str(toml_text).unwrap()
    }

    fn keys(c: &Config) -> Vec<&'static str> {
        let mut out = Vec::new();
        violations(c, &mut out);
        out.into_iter().map(|v| v.key).collect()
    }

    #[test]
    fn the_default_source_follows_the_gateway() {
        let mut c = Config::default();
        assert_eq!(c.usage_source(), SourceKind::Local);
        c.gateway.url = Some("https://gw.example".into());
        assert_eq!(c.usage_source(), SourceKind::Litellm);
        c.usage.source = Some(SourceKind::Local);
        assert_eq!(c.usage_source(), SourceKind::Local);
        assert!(keys(&Config::default()).is_empty());
    }

    #[test]
    fn every_key_of_product_spec_section_3_parses() {
        let c = with_usage(
            r#"
[usage]
source = "azure-monitor"
endpoint = "http://127.0.0.1:9/"
workspace = "ws-1"
preset = "apim-emit-token-metric"
user_dimension = "User ID"
user_claim = "upn"
refresh_minutes = 10
alert_percent = [50, 90]
[usage.budget]
limit = 100
unit = "tokens"
period = "weekly"
reset_day = 1
team_limit = 1000
[usage.prices]
"claude-sonnet-4-5" = { input = 3, output = 15, cache_read = 0.3, cache_write_5m = 3.75, cache_write_1h = 6 }
"#,
        );
        assert_eq!(c.usage_source(), SourceKind::AzureMonitor);
        assert_eq!(c.usage.budget.as_ref().map(|b| (b.unit, b.period)), Some((BudgetUnit::Tokens, BudgetPeriod::Weekly)));
        assert_eq!(c.usage.prices["claude-sonnet-4-5"].cache_write_1h, Some(6.0));
        assert!(keys(&c).is_empty(), "{:?}", keys(&c));
    }

    #[test]
    fn each_broken_rule_names_its_key() {
        let cases = [
            ("[usage]\nsource = \"litellm\"\n", "usage.source"),
            ("[usage]\nsource = \"local\"\nworkspace = \"w\"\nresource_id = \"/subscriptions/x\"\n", "usage.resource_id"),
            ("[usage]\nsource = \"local\"\nresource_id = \"components/app\"\n", "usage.resource_id"),
            ("[usage]\nsource = \"azure-monitor\"\npreset = \"otel-genai\"\nuser_dimension = \"oid\"\n", "usage.workspace"),
            ("[usage]\nsource = \"azure-monitor\"\nworkspace = \"w\"\nuser_dimension = \"oid\"\n", "usage.preset"),
            ("[usage]\nsource = \"azure-monitor\"\nworkspace = \"w\"\npreset = \"otel-genai\"\n", "usage.user_dimension"),
            ("[usage]\npreset = \"custom\"\n", "usage.query_file"),
            ("[usage]\nrefresh_minutes = 0\n", "usage.refresh_minutes"),
            ("[usage]\nalert_percent = [100, 80]\n", "usage.alert_percent"),
            ("[usage.budget]\nlimit = -5\n", "usage.budget.limit"),
            ("[usage.budget]\nlimit = 5\nperiod = \"monthly\"\nreset_day = 31\n", "usage.budget.reset_day"),
            ("[usage.budget]\nlimit = 5\nteam_limit = 0\n", "usage.budget.team_limit"),
            ("[usage.prices]\nm = { input = -1, output = 1 }\n", "usage.prices"),
        ];
        for (text, key) in cases {
            assert_eq!(keys(&with_usage(text)), vec![key], "{text}");
        }
        assert!(toml::from_str::<Config>("[usage]\nsorce = \"local\"\n").is_err(), "an unknown key is an error");
        assert!(toml::from_str::<Config>("[usage]\nsource = \"prometheus\"\n").is_err(), "an unknown source is an error");
    }

    /// The org policy can set and lock each `[usage]` key, whole tables included: a locked
    /// `usage.prices` is the policy's table, not merged with the user's.
    #[test]
    fn the_policy_sets_and_locks_usage_keys() {
        use crate::config::policy::Policy;
        use crate::config::{ConfigLocation, load};
        let dir = tempfile::tempdir().unwrap();
        let policy = dir.path().join("policy.toml");
        std::fs::write(
            &policy,
            "locked = [\"usage.source\", \"usage.prices\", \"usage.budget.limit\"]\n[usage]\nsource = \"local\"\n[usage.budget]\nlimit = 100\n[usage.prices]\nm = { input = 3, output = 15 }\n",
        )
        .unwrap();
        let user = dir.path().join("config.toml");
        std::fs::write(
            &user,
            "[usage]\nsource = \"litellm\"\nrefresh_minutes = 15\n[usage.budget]\nlimit = 5000\nperiod = \"weekly\"\n[usage.prices]\nm = { input = 0, output = 0 }\nother = { input = 1, output = 1 }\n",
        )
        .unwrap();
        let loaded = load(&ConfigLocation::Flag(user), Policy::load(&policy).unwrap()).unwrap();
        let u = &loaded.config.usage;
        assert_eq!(u.source, Some(SourceKind::Local), "locked");
        assert_eq!(u.refresh_minutes, 15, "not locked: the user's");
        assert_eq!(u.budget.as_ref().map(|b| (b.limit, b.period)), Some((100.0, BudgetPeriod::Weekly)), "limit locked, period the user's");
        assert_eq!(u.prices.keys().collect::<Vec<_>>(), vec!["m"], "a locked table takes nothing from the user");
        assert_eq!(u.prices["m"].input, 3.0);
        assert_eq!(loaded.notices.len(), 3, "{:?}", loaded.notices);
        assert!(loaded.notices.iter().any(|n| n.contains("usage.prices is locked")), "{:?}", loaded.notices);
    }
}
