//! What the `local` source already read from Claude Code's transcripts, kept beside the usage
//! cache so a second read is served from it: per file its size, mtime, the byte offset read so
//! far and the messages found — an appended file is read from its offset, a shrunk or rewritten
//! one again from the start, a deleted one forgotten.

use chrono::{DateTime, NaiveDate, Utc};
use serde::{Deserialize, Serialize};
use std::borrow::Cow;
use std::collections::BTreeMap;
use std::hash::Hasher;
use std::io::{Read, Seek, SeekFrom};
use std::path::{Path, PathBuf};

/// Bumped when [`Record`]'s meaning changes: an index of another version is read afresh.
const VERSION: u32 = 1;
/// How many bytes before the offset are fingerprinted to tell an appended file from a rewritten one.
const TAIL: u64 = 256;

/// One assistant message that carries usage, as far as a tally goes (a JSON array on disk: there
/// are hundreds of thousands).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(from = "RecordOnDisk", into = "RecordOnDisk")]
pub struct Record {
    /// The UTC day, as days from the common era (`NaiveDate::num_days_from_ce`).
    pub day: i32,
    /// Index into the file's `models`.
    pub model: u32,
    /// Input, output, cache read, cache write (5-minute), cache write (1-hour).
    pub tokens: [u64; 5],
    /// A stable hash of (message id, request id): a streamed message is written more than once,
    /// and a resumed session copies earlier messages into a new file.
    pub key: Option<u64>,
    /// A negative or absurd token count: dropped, and said so.
    pub absurd: bool,
}

type RecordOnDisk = (i32, u32, [u64; 5], Option<u64>, bool);

impl From<RecordOnDisk> for Record {
    fn from((day, model, tokens, key, absurd): RecordOnDisk) -> Self {
        Record { day, model, tokens, key, absurd }
    }
}

impl From<Record> for RecordOnDisk {
    fn from(r: Record) -> Self {
        (r.day, r.model, r.tokens, r.key, r.absurd)
    }
}

impl Record {
    pub fn date(&self) -> Option<NaiveDate> {
        NaiveDate::from_num_days_from_ce_opt(self.day)
    }
}

/// What was read from one transcript file.
#[derive(Debug, Default, Clone, PartialEq, Serialize, Deserialize)]
pub struct FileEntry {
    size: u64,
    mtime_ns: u64,
    /// Bytes read so far (always the end of a complete line).
    offset: u64,
    /// A hash of the [`TAIL`] bytes before `offset`.
    tail: u64,
    pub models: Vec<String>,
    pub records: Vec<Record>,
}

/// Every transcript file read so far, by path.
#[derive(Debug, Default, Serialize, Deserialize)]
pub struct TranscriptIndex {
    version: u32,
    pub files: BTreeMap<PathBuf, FileEntry>,
}

/// What one update did (for the bench and the tests).
#[derive(Debug, Default, Clone, Copy, PartialEq, Eq)]
pub struct IndexUpdate {
    /// Files whose bytes were read (whole or from their offset).
    pub read: usize,
    /// Bytes read from transcript files.
    pub bytes: u64,
    /// Files that could not be read.
    pub unreadable: usize,
    /// Files in the index that are gone now.
    pub forgotten: usize,
}

impl IndexUpdate {
    /// Whether the index on disk needs writing again.
    pub fn changed(&self) -> bool {
        self.read > 0 || self.forgotten > 0 || self.unreadable > 0
    }
}

impl TranscriptIndex {
    /// The index at `path`, or an empty one when there is none or it cannot be used.
    pub fn load(path: &Path) -> Self {
        crate::limited_read::read(path, crate::limited_read::Limit::STATE)
            .ok()
            .and_then(|bytes| serde_json::from_slice::<TranscriptIndex>(&bytes).ok())
            .filter(|i| i.version == VERSION)
            .unwrap_or_default()
    }

    /// Writes the index atomically (it holds counts, model names and hashes: no secret).
    pub fn store(&self, path: &Path) {
        let written = serde_json::to_vec(self).map_err(std::io::Error::other).and_then(|bytes| {
            if let Some(dir) = path.parent() {
                std::fs::create_dir_all(dir)?;
            }
            crate::atomic_file::write_private(path, &bytes)
        });
        if let Err(e) = written {
            tracing::warn!("cannot keep the transcript index in {}: {e}", path.display());
        }
    }

    /// Brings the index up to date with `files` (the transcripts there are now): unchanged files
    /// are not read, appended ones from their offset, others from the start — across the
    /// machine's cores; files no longer there are forgotten.
    pub fn update(&mut self, files: &[PathBuf]) -> IndexUpdate {
        self.version = VERSION;
        let mut previous = std::mem::take(&mut self.files);
        let jobs: Vec<(PathBuf, Option<FileEntry>)> = files.iter().map(|f| (f.clone(), previous.remove(f))).collect();
        let forgotten = previous.len();
        let workers = std::thread::available_parallelism().map(|n| n.get()).unwrap_or(1).clamp(1, 8).min(jobs.len().max(1));
        let chunk = jobs.len().div_ceil(workers).max(1);
        let results: Vec<Vec<(PathBuf, FileRead)>> = std::thread::scope(|scope| {
            let handles: Vec<_> = jobs
                .chunks(chunk)
                .map(|part| scope.spawn(move || part.iter().map(|(path, old)| (path.clone(), refresh_file(path, old.as_ref()))).collect::<Vec<_>>()))
                .collect();
            // A worker that panicked (it cannot: no unwrap in it) would count its files as unreadable.
            handles.into_iter().map(|h| h.join().unwrap_or_default()).collect()
        });
        let mut update = IndexUpdate { unreadable: files.len() - results.iter().map(Vec::len).sum::<usize>(), forgotten, ..IndexUpdate::default() };
        for (path, result) in results.into_iter().flatten() {
            match result {
                Ok((entry, read)) => {
                    if read > 0 {
                        update.read += 1;
                        update.bytes += read;
                    }
                    self.files.insert(path, entry);
                }
                Err(()) => update.unreadable += 1,
            }
        }
        update
    }
}

/// A file's entry now and how many bytes were read for it; Err when it could not be read.
type FileRead = Result<(FileEntry, u64), ()>;

/// The file's entry now, and how many bytes were read for it.
fn refresh_file(path: &Path, old: Option<&FileEntry>) -> FileRead {
    let mut file = std::fs::File::open(path).map_err(|_| ())?;
    let meta = file.metadata().map_err(|_| ())?;
    let size = meta.len();
    let mtime_ns = meta.modified().ok().and_then(|t| t.duration_since(std::time::UNIX_EPOCH).ok()).map_or(0, |d| d.as_nanos() as u64);
    if let Some(old) = old {
        if old.size == size && old.mtime_ns == mtime_ns {
            return Ok((old.clone(), 0));
        }
        if size >= old.offset {
            // Appended? The bytes before the offset must be the ones read last time.
            let from = old.offset.saturating_sub(TAIL);
            let mut bytes = Vec::new();
            file.seek(SeekFrom::Start(from)).map_err(|_| ())?;
            file.read_to_end(&mut bytes).map_err(|_| ())?;
            let split = usize::try_from(old.offset - from).map_err(|_| ())?;
            if bytes.len() >= split && fingerprint(&bytes[..split]) == old.tail {
                let mut entry = old.clone();
                let read = parse(&bytes[split..], &mut entry);
                entry.offset += read;
                entry.tail = tail_of(&bytes[..split + usize::try_from(read).map_err(|_| ())?]);
                (entry.size, entry.mtime_ns) = (size, mtime_ns);
                return Ok((entry, (bytes.len() - split) as u64));
            }
            file.seek(SeekFrom::Start(0)).map_err(|_| ())?;
        }
    }
    let mut bytes = Vec::with_capacity(usize::try_from(size).unwrap_or(0));
    file.read_to_end(&mut bytes).map_err(|_| ())?;
    let mut entry = FileEntry { size, mtime_ns, ..FileEntry::default() };
    entry.offset = parse(&bytes, &mut entry);
    entry.tail = tail_of(&bytes[..usize::try_from(entry.offset).unwrap_or(bytes.len()).min(bytes.len())]);
    Ok((entry, bytes.len() as u64))
}

fn tail_of(read: &[u8]) -> u64 {
    fingerprint(&read[read.len().saturating_sub(TAIL as usize)..])
}

/// A hash that stays the same across builds and Rust releases (SipHash 1-3, fixed keys).
fn fingerprint(bytes: &[u8]) -> u64 {
    let mut h = siphasher::sip::SipHasher13::new();
    h.write(bytes);
    h.finish()
}

/// One transcript line, as far as usage goes (borrowed from the file's bytes where it can be).
#[derive(Deserialize)]
struct Line<'a> {
    #[serde(rename = "type", borrow)]
    kind: Option<Cow<'a, str>>,
    timestamp: Option<DateTime<Utc>>,
    #[serde(rename = "requestId", borrow)]
    request_id: Option<Cow<'a, str>>,
    #[serde(borrow)]
    message: Option<Message<'a>>,
}

#[derive(Deserialize)]
struct Message<'a> {
    #[serde(borrow)]
    id: Option<Cow<'a, str>>,
    #[serde(borrow)]
    model: Option<Cow<'a, str>>,
    usage: Option<MessageUsage>,
}

#[derive(Default, Deserialize)]
#[serde(default)]
struct MessageUsage {
    input_tokens: f64,
    output_tokens: f64,
    cache_read_input_tokens: f64,
    cache_creation_input_tokens: f64,
    cache_creation: Option<CacheCreation>,
}

#[derive(Default, Deserialize)]
#[serde(default)]
struct CacheCreation {
    ephemeral_1h_input_tokens: f64,
}

/// Adds the messages in `bytes` to `entry`; returns how many bytes were consumed: every complete
/// line, and a last line without its newline only when it is whole JSON already.
pub fn parse(bytes: &[u8], entry: &mut FileEntry) -> u64 {
    let usage = memchr::memmem::Finder::new(b"\"usage\"");
    let assistant = memchr::memmem::Finder::new(b"\"assistant\"");
    let mut start = 0usize;
    let mut consumed = 0usize;
    while start < bytes.len() {
        let (line, next, whole) = match memchr::memchr(b'\n', &bytes[start..]) {
            Some(i) => (&bytes[start..start + i], start + i + 1, true),
            None => (&bytes[start..], bytes.len(), false),
        };
        // Most lines are tool output and prompts: only assistant lines carry usage.
        let candidate = usage.find(line).is_some() && assistant.find(line).is_some();
        let parsed = if candidate || !whole { serde_json::from_slice::<Line>(line).ok() } else { None };
        if !whole && parsed.is_none() {
            break;
        }
        if let Some(l) = parsed {
            record(l, entry);
        }
        consumed = next;
        start = next;
    }
    consumed as u64
}

fn record(line: Line, entry: &mut FileEntry) {
    let (Some("assistant"), Some(at), Some(message)) = (line.kind.as_deref(), line.timestamp, line.message) else { return };
    let Some(u) = message.usage else { return };
    let model = message.model.as_deref().unwrap_or("(no model named)");
    // Claude Code's own notices (model `<synthetic>`) use no tokens.
    if model == "<synthetic>" {
        return;
    }
    let key = match (&message.id, &line.request_id) {
        (Some(id), Some(request)) => {
            let mut h = siphasher::sip::SipHasher13::new();
            h.write(id.as_bytes());
            h.write_u8(0xff);
            h.write(request.as_bytes());
            Some(h.finish())
        }
        _ => None,
    };
    let numbers = [u.input_tokens, u.output_tokens, u.cache_read_input_tokens, u.cache_creation_input_tokens];
    let absurd = numbers.iter().any(|n| !(0.0..=1e9).contains(n));
    let write_1h = u.cache_creation.as_ref().map_or(0.0, |c| c.ephemeral_1h_input_tokens.clamp(0.0, u.cache_creation_input_tokens.max(0.0)));
    let tokens = if absurd {
        [0; 5]
    } else {
        [u.input_tokens as u64, u.output_tokens as u64, u.cache_read_input_tokens as u64, (u.cache_creation_input_tokens - write_1h) as u64, write_1h as u64]
    };
    let model = match entry.models.iter().position(|m| m == model) {
        Some(i) => i,
        None => {
            entry.models.push(model.to_string());
            entry.models.len() - 1
        }
    };
    let day = chrono::Datelike::num_days_from_ce(&at.date_naive());
    entry.records.push(Record { day, model: model as u32, tokens, key, absurd });
}

#[cfg(test)]
#[path = "local_index_tests.rs"]
mod tests;
