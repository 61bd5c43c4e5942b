//! The `local` usage source: this machine's own record, read from Claude Code's transcripts
//! (`<CLAUDE_CONFIG_DIR or ~/.claude>/projects/**/*.jsonl`, facts/usage.md §4) — offline, an
//! estimate, each streamed message counted once.

use super::azure_monitor::{period, policy_budget};
use super::local_index::{FileEntry, TranscriptIndex};
use super::model::{Completeness, DroppedRecord, Identity, Provenance, SourceKind, UsageRow, UsageSnapshot};
use super::price::{PriceTable, Tokens};
use super::{RefreshRequest, UsageError, UsageSource};
use crate::config::{PolicyBudget, Usage};
use crate::error::{Diagnose, ErrorKind};
use chrono::{Duration, NaiveDate};
use std::collections::{BTreeMap, HashSet};
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

/// The `local` source.
#[derive(Clone)]
pub struct LocalSource {
    claude_dir: PathBuf,
    budget: Option<PolicyBudget>,
    prices: PriceTable,
    /// Where what was read is kept ([`TranscriptIndex`]); None reads everything every time.
    index: Option<PathBuf>,
}

impl LocalSource {
    /// Prices from this table (deployments priced as the model discovery saw them serve).
    pub fn with_prices(mut self, prices: PriceTable) -> Self {
        self.prices = prices;
        self
    }

    /// `claude_config_dir` is `$CLAUDE_CONFIG_DIR` when set; else `home/.claude`.
    pub fn new(home: &Path, claude_config_dir: Option<PathBuf>, usage: &Usage) -> Self {
        Self {
            claude_dir: claude_config_dir.unwrap_or_else(|| home.join(".claude")),
            budget: usage.budget.clone(),
            prices: PriceTable::with_overrides(&usage.prices),
            index: None,
        }
    }

    /// Keeps what was read in `index` (beside the usage cache), so the next read reads only what
    /// was appended since.
    pub fn with_index(mut self, index: Option<PathBuf>) -> Self {
        self.index = index;
        self
    }

    /// Reads every transcript now (blocking file IO).
    pub fn read(&self, request: &RefreshRequest) -> Result<UsageSnapshot, LocalError> {
        let today = request.as_of.date_naive();
        let period = self.budget.as_ref().map(|b| period(b, today));
        let from = period.map(|(s, _)| s.date_naive()).unwrap_or(today).min(today - Duration::days(i64::from(request.days.max(1)) - 1));
        let mut files = Vec::new();
        let mut unreadable = 0usize;
        collect(&self.claude_dir.join("projects"), 0, &mut files, &mut unreadable);
        files.sort();
        let mut index = self.index.as_deref().map(TranscriptIndex::load).unwrap_or_default();
        let update = index.update(&files);
        unreadable += update.unreadable;
        if let Some(path) = self.index.as_deref().filter(|_| update.changed()) {
            index.store(path);
        }
        let mut tally = Tally { from, today, seen: HashSet::new(), rows: BTreeMap::new(), dropped: Vec::new() };
        for entry in index.files.values() {
            tally.add(entry);
        }
        let rows = tally
            .rows
            .into_values()
            .map(|(mut row, tokens)| {
                row.cost = self.prices.cost_of(&row.model, &tokens);
                row
            })
            .collect();
        let mut snapshot = UsageSnapshot {
            identity: Identity::default(),
            as_of: request.as_of,
            source: SourceKind::Local,
            provenance: Provenance::LocalEstimate,
            completeness: Completeness::Complete,
            budget: None,
            team_budget: None,
            rows,
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
        let source = self.clone();
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

/// The rows of the window, each message counted once across every file.
struct Tally {
    from: NaiveDate,
    today: NaiveDate,
    seen: HashSet<u64>,
    /// Per day and model: the row, and its tokens with cache writes split by lifetime (priced at the end).
    rows: BTreeMap<(NaiveDate, String), (UsageRow, Tokens)>,
    dropped: Vec<DroppedRecord>,
}

impl Tally {
    fn add(&mut self, entry: &FileEntry) {
        for r in &entry.records {
            // A streamed answer is written more than once, and a resumed session copies messages.
            if let Some(key) = r.key
                && !self.seen.insert(key)
            {
                continue;
            }
            let (Some(date), Some(model)) = (r.date(), entry.models.get(r.model as usize)) else { continue };
            let drop = |reason: &str| DroppedRecord { date: date.to_string(), model: Some(model.clone()), reason: reason.into() };
            if date > self.today {
                self.dropped.push(drop("a date in the future"));
                continue;
            }
            if date < self.from {
                continue;
            }
            if r.absurd {
                self.dropped.push(drop("a negative or absurd token count"));
                continue;
            }
            let [input, output, cache_read, write_5m, write_1h] = r.tokens;
            let (row, tokens) = self.rows.entry((date, model.clone())).or_insert_with(|| (UsageRow::empty(date, model.clone()), Tokens::default()));
            row.input_tokens += input;
            row.output_tokens += output;
            row.cache_read_tokens += cache_read;
            row.cache_write_tokens += write_5m + write_1h;
            row.requests += 1;
            tokens.input += input;
            tokens.output += output;
            tokens.cache_read += cache_read;
            tokens.cache_write_5m += write_5m;
            tokens.cache_write_1h += write_1h;
        }
    }
}

#[cfg(test)]
#[path = "local_tests.rs"]
mod tests;
