//! What a token costs where the source has no cost of its own: Anthropic's list prices for the
//! Claude models, overridden and extended by the org policy's `[usage.prices]`. A model in
//! neither has no price — never $0.

use super::model::{Cost, CostBasis, UsageRow};
use crate::config::ModelPrice;
use std::collections::BTreeMap;

/// USD per million tokens at list price (input, output, cache read, cache write 5 min, 1 h).
const LIST: &[(&str, [f64; 5])] = &[
    ("claude-sonnet-4-5", [3.0, 15.0, 0.30, 3.75, 6.0]),
    ("claude-haiku-4-5", [1.0, 5.0, 0.10, 1.25, 2.0]),
    ("claude-opus-4-1", [15.0, 75.0, 1.50, 18.75, 30.0]),
];

#[derive(Debug, Clone, PartialEq)]
pub struct PriceTable {
    prices: BTreeMap<String, ModelPrice>,
    /// Deployment name → the model it serves, as discovery saw it ([`super::deployment_models`]).
    deployments: BTreeMap<String, String>,
}

impl PriceTable {
    /// The list prices with the policy's on top (a policy price for a model wins).
    pub fn with_overrides(overrides: &BTreeMap<String, ModelPrice>) -> Self {
        let mut prices: BTreeMap<String, ModelPrice> = LIST
            .iter()
            .map(|(m, p)| {
                ((*m).to_string(), ModelPrice { input: p[0], output: p[1], cache_read: Some(p[2]), cache_write_5m: Some(p[3]), cache_write_1h: Some(p[4]) })
            })
            .collect();
        prices.extend(overrides.iter().map(|(k, v)| (k.clone(), *v)));
        Self { prices, deployments: BTreeMap::new() }
    }

    /// The same table, pricing a deployment whose name is no known model as the model it serves.
    pub fn with_deployments(mut self, deployments: BTreeMap<String, String>) -> Self {
        self.deployments = deployments;
        self
    }

    /// The price of a model or deployment name: exact, else without a `-YYYYMMDD` version suffix,
    /// else — for a deployment discovery has seen — its model's.
    pub fn price(&self, model: &str) -> Option<&ModelPrice> {
        self.model_price(model).or_else(|| self.deployments.get(model).and_then(|m| self.model_price(m)))
    }

    fn model_price(&self, model: &str) -> Option<&ModelPrice> {
        self.prices.get(model).or_else(|| {
            let (base, suffix) = model.rsplit_once('-')?;
            (suffix.len() == 8 && suffix.bytes().all(|b| b.is_ascii_digit())).then(|| self.prices.get(base)).flatten()
        })
    }

    /// The row's cost from its tokens (cache writes at the 5-minute rate, Claude Code's default),
    /// or None when the model has no price.
    pub fn cost(&self, row: &UsageRow) -> Option<Cost> {
        let tokens = Tokens {
            input: row.input_tokens,
            output: row.output_tokens,
            cache_read: row.cache_read_tokens,
            cache_write_5m: row.cache_write_tokens,
            cache_write_1h: 0,
        };
        self.cost_of(&row.model, &tokens)
    }

    /// The cost of one call's tokens; 1-hour cache writes at their own rate (else twice the input
    /// price, as Anthropic charges).
    pub fn cost_of(&self, model: &str, t: &Tokens) -> Option<Cost> {
        let p = self.price(model)?;
        let per_token = |tokens: u64, usd_per_million: f64| tokens as f64 * usd_per_million / 1e6;
        let usd = per_token(t.input, p.input)
            + per_token(t.output, p.output)
            + per_token(t.cache_read, p.cache_read.unwrap_or(p.input))
            + per_token(t.cache_write_5m, p.cache_write_5m.unwrap_or(p.input))
            + per_token(t.cache_write_1h, p.cache_write_1h.unwrap_or(2.0 * p.input));
        Some(Cost { usd, basis: CostBasis::PriceTable })
    }
}

/// One call's tokens, with cache writes split by lifetime.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct Tokens {
    pub input: u64,
    pub output: u64,
    pub cache_read: u64,
    pub cache_write_5m: u64,
    pub cache_write_1h: u64,
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn list_prices_policy_overrides_and_no_price() {
        let mut overrides = BTreeMap::new();
        overrides.insert("team-sonnet".to_string(), ModelPrice { input: 2.0, output: 10.0, cache_read: None, cache_write_5m: None, cache_write_1h: None });
        let t = PriceTable::with_overrides(&overrides);
        let mut row = UsageRow::empty(chrono::NaiveDate::from_ymd_opt(2026, 11, 1).unwrap(), "claude-sonnet-4-5-20250929");
        // facts/litellm.md §5: 1200 in, 350 out, 800 cache read, 100 cache write = $0.009465.
        (row.input_tokens, row.output_tokens, row.cache_read_tokens, row.cache_write_tokens) = (1200, 350, 800, 100);
        assert!((t.cost(&row).unwrap().usd - 0.009465).abs() < 1e-12, "{:?}", t.cost(&row));
        row.model = "team-sonnet".into();
        assert!((t.cost(&row).unwrap().usd - (1200.0 * 2.0 + 350.0 * 10.0 + 900.0 * 2.0) / 1e6).abs() < 1e-12);
        row.model = "someone-elses-model".into();
        assert_eq!(t.cost(&row), None, "no price, not $0");
    }
}
