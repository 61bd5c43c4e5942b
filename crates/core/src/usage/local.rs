//! The `local` usage source: this machine's own record, read from Claude Code's transcripts
//! (`<CLAUDE_CONFIG_DIR or ~/.claude>/projects/**/*.jsonl`, facts/usage.md §4) — offline, an
//! estimate, each streamed message counted once.

use super::azure_monitor::{period, policy_budget};
use super::model::{Completeness, Cost, CostBasis, DroppedRecord, Identity, Provenance, SourceKind, UsageRow, UsageSnapshot};
use super::price::{PriceTable, Tokens};
use super::{RefreshRequest, UsageError, UsageSource};
use crate::config::{PolicyBudget, Usage};
use crate::error::{Diagnose, ErrorKind};
use chrono::{DateTime, Duration, NaiveDate, Utc};
use serde::Deserialize;
use std::collections::{BTreeMap, HashSet};
use std::io::BufRead;
use std::path::{Path, PathBuf};

/// How deep under `projects/` transcripts are looked for (Claude Code writes them one level down).
const MAX_DEPTH: usize = 4;

#[derive(Debug, thiserror::Error)]
pub enum LocalError {
    #[error("reading Claude Code's transcripts stopped: {0}")]
    Stopped(String),
}

impl Diagnose for LocalError {
    fn kind(&self) -> ErrorKind {
        ErrorKind::Internal
    }
    fn hint(&self) -> String {
        "This is a bug in Foundry Onboard: please report it.".into()
    }
}

/// One transcript line, as far as usage goes.
#[derive(Debug, Deserialize)]
struct Line {
    #[serde(rename = "type")]
    kind: Option<String>,
    timestamp: Option<DateTime<Utc>>,
    #[serde(rename = "requestId")]
    request_id: Option<String>,
    message: Option<Message>,
}

#[derive(Debug, Deserialize)]
struct Message {
    id: Option<String>,
    model: Option<String>,
    usage: Option<MessageUsage>,
}

#[derive(Debug, Default, Deserialize)]
#[serde(default)]
struct MessageUsage {
    input_tokens: f64,
    output_tokens: f64,
    cache_read_input_tokens: f64,
    cache_creation_input_tokens: f64,
    cache_creation: Option<CacheCreation>,
}

#[derive(Debug, Default, Deserialize)]
#[serde(default)]
struct CacheCreation {
    ephemeral_5m_input_tokens: f64,
    ephemeral_1h_input_tokens: f64,
}

/// The `local` source.
pub struct LocalSource {
    claude_dir: PathBuf,
    budget: Option<PolicyBudget>,
    prices: PriceTable,
}

impl LocalSource {
    /// `claude_config_dir` is `$CLAUDE_CONFIG_DIR` when set; else `home/.claude`.
    pub fn new(home: &Path, claude_config_dir: Option<PathBuf>, usage: &Usage) -> Self {
        Self {
            claude_dir: claude_config_dir.unwrap_or_else(|| home.join(".claude")),
            budget: usage.budget.clone(),
            prices: PriceTable::with_overrides(&usage.prices),
        }
    }

    /// Reads every transcript now (blocking file IO).
    pub fn read(&self, request: &RefreshRequest) -> Result<UsageSnapshot, LocalError> {
        let today = request.as_of.date_naive();
        let period = self.budget.as_ref().map(|b| period(b, today));
        let from = period.map(|(s, _)| s.date_naive()).unwrap_or(today).min(today - Duration::days(i64::from(request.days.max(1)) - 1));
        let mut files = Vec::new();
        let mut unreadable = 0usize;
        collect(&self.claude_dir.join("projects"), 0, &mut files, &mut unreadable);
        let mut tally = Tally { from, today, prices: &self.prices, seen: HashSet::new(), rows: BTreeMap::new(), dropped: Vec::new() };
        for file in &files {
            match std::fs::File::open(file) {
                Ok(f) => tally.read(std::io::BufReader::new(f)),
                Err(_) => unreadable += 1,
            }
        }
        let mut snapshot = UsageSnapshot {
            identity: Identity::default(),
            as_of: request.as_of,
            source: SourceKind::Local,
            provenance: Provenance::LocalEstimate,
            completeness: Completeness::Complete,
            budget: None,
            team_budget: None,
            rows: tally.rows.into_values().collect(),
            dropped: tally.dropped,
        };
        if unreadable > 0 {
            snapshot.completeness =
                Completeness::Partial { reason: format!("{unreadable} transcript file(s) or folder(s) under {} could not be read", self.claude_dir.display()) };
        } else if snapshot.rows.is_empty() && snapshot.dropped.is_empty() {
            snapshot.completeness = Completeness::Empty;
        }
        snapshot.note_dropped();
        snapshot.budget = self.budget.as_ref().zip(period).map(|(b, (start, end))| policy_budget(b, start, end, &snapshot.rows));
        Ok(snapshot)
    }
}

#[async_trait::async_trait]
impl UsageSource for LocalSource {
    fn kind(&self) -> SourceKind {
        SourceKind::Local
    }

    async fn refresh(&self, request: &RefreshRequest) -> Result<UsageSnapshot, UsageError> {
        let source = LocalSource { claude_dir: self.claude_dir.clone(), budget: self.budget.clone(), prices: self.prices.clone() };
        let request = *request;
        let read = tokio::task::spawn_blocking(move || source.read(&request)).await.map_err(|e| LocalError::Stopped(e.to_string()))?;
        Ok(read?)
    }
}

/// The `.jsonl` files under `dir` (symlinked folders are not followed: no loops).
fn collect(dir: &Path, depth: usize, files: &mut Vec<PathBuf>, unreadable: &mut usize) {
    let Ok(entries) = std::fs::read_dir(dir) else {
        *unreadable += usize::from(depth > 0 || dir.exists());
        return;
    };
    for entry in entries.flatten() {
        let Ok(kind) = entry.file_type() else { continue };
        let path = entry.path();
        if kind.is_dir() && depth < MAX_DEPTH {
            collect(&path, depth + 1, files, unreadable);
        } else if kind.is_file() && path.extension().is_some_and(|e| e == "jsonl") {
            files.push(path);
        }
    }
}

struct Tally<'a> {
    from: NaiveDate,
    today: NaiveDate,
    prices: &'a PriceTable,
    seen: HashSet<(String, String)>,
    rows: BTreeMap<(NaiveDate, String), UsageRow>,
    dropped: Vec<DroppedRecord>,
}

impl Tally<'_> {
    fn read(&mut self, reader: impl BufRead) {
        for line in reader.lines() {
            let Ok(line) = line else { break };
            // Most lines are tool output and prompts: only assistant lines carry usage.
            if !line.contains("\"usage\"") {
                continue;
            }
            if let Ok(parsed) = serde_json::from_str::<Line>(&line) {
                self.count(parsed);
            }
        }
    }

    fn count(&mut self, line: Line) {
        let (Some("assistant"), Some(at), Some(message)) = (line.kind.as_deref(), line.timestamp, line.message) else { return };
        let Some(usage) = message.usage else { return };
        let model = message.model.unwrap_or_else(|| "(no model named)".into());
        // Claude Code's own notices (model `<synthetic>`) use no tokens.
        if model == "<synthetic>" {
            return;
        }
        // A streamed answer is written more than once with the same message id and request id.
        if let (Some(id), Some(request)) = (message.id, line.request_id)
            && !self.seen.insert((id, request))
        {
            return;
        }
        let date = at.date_naive();
        let drop = |reason: &str| DroppedRecord { date: date.to_string(), model: Some(model.clone()), reason: reason.into() };
        if date > self.today {
            return self.dropped.push(drop("a date in the future"));
        }
        if date < self.from {
            return;
        }
        let u = &usage;
        let split = u.cache_creation.as_ref();
        let numbers = [u.input_tokens, u.output_tokens, u.cache_read_input_tokens, u.cache_creation_input_tokens];
        if numbers.iter().any(|n| !(0.0..=1e9).contains(n)) {
            return self.dropped.push(drop("a negative or absurd token count"));
        }
        let write_1h = split.map(|c| c.ephemeral_1h_input_tokens.clamp(0.0, u.cache_creation_input_tokens)).unwrap_or(0.0);
        let tokens = Tokens {
            input: u.input_tokens as u64,
            output: u.output_tokens as u64,
            cache_read: u.cache_read_input_tokens as u64,
            cache_write_5m: (u.cache_creation_input_tokens - write_1h) as u64,
            cache_write_1h: write_1h as u64,
        };
        let cost = self.prices.cost_of(&model, &tokens);
        let row = self.rows.entry((date, model.clone())).or_insert_with(|| {
            let mut r = UsageRow::empty(date, model.clone());
            r.cost = Some(Cost { usd: 0.0, basis: CostBasis::PriceTable });
            r
        });
        row.input_tokens += tokens.input;
        row.output_tokens += tokens.output;
        row.cache_read_tokens += tokens.cache_read;
        row.cache_write_tokens += tokens.cache_write_5m + tokens.cache_write_1h;
        row.requests += 1;
        row.cost = match (row.cost, cost) {
            (Some(a), Some(b)) => Some(Cost { usd: a.usd + b.usd, basis: CostBasis::PriceTable }),
            _ => None,
        };
    }
}

#[cfg(test)]
#[path = "local_tests.rs"]
mod tests;
