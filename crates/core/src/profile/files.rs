//! Planning, writing and removing the profile files: a diff before anything is written, atomic
//! replacement through symlinks with the mode kept, a timestamped backup (last 5), refusal when
//! the file changed since it was read, and a small state file so `remove` restores the bytes.

use super::block::{self, Owned};
use super::render::{Target, shell_lines};
use super::{FileAction, ProfileError, ProfileHome, ProfileSpec, WriteLock, settings_json};
use crate::atomic_file::{self, AtomicFileError};
use crate::limited_read::{self, Limit};
use serde::{Deserialize, Serialize};
use std::collections::BTreeMap;
use std::path::{Path, PathBuf};
use ts_rs::TS;

const BACKUPS_KEPT: usize = 5;

/// One file's change, for the preview and for `--json` output.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, TS)]
#[serde(rename_all = "camelCase")]
pub struct FileChange {
    pub target: Target,
    pub path: String,
    pub action: FileAction,
    /// A unified diff (lossy UTF-8) of the change.
    pub diff: String,
}

/// What we remember per file between `write` and `remove`.
#[derive(Debug, Clone, Default, Serialize, Deserialize)]
struct FileState {
    created: bool,
    /// The line break added before the block ("" when none was needed).
    #[serde(default)]
    added_newline: String,
    /// Rc files: the id on our block's second line. None for a block of the previous release,
    /// which carried none (recognised by its bare markers, since we know we wrote the file).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    block_id: Option<String>,
    /// settings.json: the keys we set and the values they replaced.
    #[serde(default)]
    keys: Vec<String>,
    #[serde(default)]
    previous: serde_json::Map<String, serde_json::Value>,
    /// settings.json: the bytes before our first write and after our last one.
    #[serde(default)]
    original: Option<Vec<u8>>,
    #[serde(default)]
    written: Option<Vec<u8>>,
}

impl FileState {
    fn owned(&self) -> Owned<'_> {
        self.block_id.as_deref().map(Owned::Id).unwrap_or(Owned::Legacy)
    }
}

#[derive(Debug, Clone, Default, Serialize, Deserialize)]
struct State {
    files: BTreeMap<String, FileState>,
}

fn state_path(home: &ProfileHome) -> PathBuf {
    home.state_dir().join("state.json")
}

fn load_state(home: &ProfileHome) -> Result<State, ProfileError> {
    let path = state_path(home);
    match limited_read::read(&path, Limit::STATE) {
        Ok(bytes) => serde_json::from_slice(&bytes).map_err(|e| ProfileError::StateInvalid { path, detail: e.to_string() }),
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => Ok(State::default()),
        Err(source) => Err(read_error(&path, source)),
    }
}

fn save_state(home: &ProfileHome, state: &State) -> Result<(), ProfileError> {
    let path = state_path(home);
    let dir = home.state_dir();
    std::fs::create_dir_all(&dir).map_err(|source| ProfileError::Write { path: dir.clone(), source })?;
    let bytes = serde_json::to_vec_pretty(state).unwrap_or_default();
    atomic_file::write(&path, &bytes, 0o600).map_err(|source| write_error(&path, source))
}

/// The most we read of a target: an rc file is a shell profile, settings.json is Claude Code's.
fn limit_for(target: Target) -> Limit {
    if target == Target::ClaudeSettings { Limit::SETTINGS_JSON } else { Limit::SHELL_PROFILE }
}

fn read_error(path: &Path, source: std::io::Error) -> ProfileError {
    match AtomicFileError::of(&source) {
        Some(AtomicFileError::SymlinkLoop { .. }) => ProfileError::SymlinkLoop { path: path.into() },
        _ if source.kind() == std::io::ErrorKind::FileTooLarge => ProfileError::TooLarge { path: path.into(), source },
        _ => ProfileError::Read { path: path.into(), source },
    }
}

fn write_error(path: &Path, source: std::io::Error) -> ProfileError {
    match AtomicFileError::of(&source) {
        Some(AtomicFileError::SymlinkLoop { .. }) => ProfileError::SymlinkLoop { path: path.into() },
        Some(AtomicFileError::ReadOnly { mode, .. }) => ProfileError::Protected { path: path.into(), reason: format!("it is read-only (mode {mode:o})") },
        Some(AtomicFileError::NotOwner { owner, .. }) => {
            ProfileError::Protected { path: path.into(), reason: format!("it belongs to another user (uid {owner}), and our copy would become ours") }
        }
        Some(AtomicFileError::Changed { .. }) => ProfileError::ChangedSinceRead { path: path.into() },
        None => ProfileError::Write { path: path.into(), source },
    }
}

/// Where the bytes of `path` really are (symlinks followed, with a bound).
fn resolve(path: &Path) -> Result<PathBuf, ProfileError> {
    atomic_file::real_target(path).map_err(|source| read_error(path, source))
}

fn read_optional(path: &Path, limit: Limit) -> Result<Option<Vec<u8>>, ProfileError> {
    match limited_read::read(path, limit) {
        Ok(b) => Ok(Some(b)),
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => Ok(None),
        Err(source) => Err(read_error(path, source)),
    }
}

fn diff(path: &Path, before: Option<&[u8]>, after: Option<&[u8]>) -> String {
    let a = String::from_utf8_lossy(before.unwrap_or_default()).into_owned();
    let b = String::from_utf8_lossy(after.unwrap_or_default()).into_owned();
    let name = path.display().to_string();
    similar::TextDiff::from_lines(&a, &b).unified_diff().context_radius(2).header(&name, &name).to_string()
}

/// A planned write: everything computed, nothing touched yet.
#[derive(Debug, Clone)]
pub struct Planned {
    pub target: Target,
    /// The path the user knows (maybe a symlink).
    pub path: PathBuf,
    before: Option<Vec<u8>>,
    after: Vec<u8>,
    added_newline: Vec<u8>,
    /// Rc files: the id our block carries, and whether it is appended (not replaced in place).
    block_id: Option<String>,
    appended: bool,
    previous: serde_json::Map<String, serde_json::Value>,
    keys: Vec<String>,
    /// settings.json: which of `keys` the file held before this write.
    present: Vec<String>,
}

impl Planned {
    pub fn change(&self) -> FileChange {
        let action = match &self.before {
            None => FileAction::Create,
            Some(b) if *b == self.after => FileAction::Unchanged,
            Some(_) => FileAction::Update,
        };
        FileChange { target: self.target, path: self.path.display().to_string(), action, diff: diff(&self.path, self.before.as_deref(), Some(&self.after)) }
    }
}

/// Computes every target's new content without writing anything (the preview / `--dry-run`).
pub fn plan(spec: &ProfileSpec, home: &ProfileHome, targets: &[Target]) -> Result<Vec<Planned>, ProfileError> {
    let cli = home.cli_invocation();
    let state = load_state(home)?;
    let mut out = Vec::new();
    for &target in targets {
        let path = home.path(target);
        let real = resolve(&path)?;
        let before = read_optional(&real, limit_for(target))?;
        let known = state.files.get(&path.display().to_string());
        let planned = if target == Target::ClaudeSettings {
            let literal: Vec<(&str, &str)> = spec.literal_entries().collect();
            let (after, previous) = settings_json::upsert(&real, before.as_deref(), &literal)?;
            let keys: Vec<String> = literal.iter().map(|(k, _)| (*k).to_string()).collect();
            let present = settings_json::env_keys(&real, before.as_deref())?.into_iter().filter(|k| keys.contains(k)).collect();
            Planned { target, path, before, after, added_newline: Vec::new(), block_id: None, appended: false, previous, keys, present }
        } else {
            let body = shell_lines(target, &spec.entries, &cli);
            let owned = known.map(FileState::owned).unwrap_or(Owned::None);
            let id = known.and_then(|k| k.block_id.clone()).unwrap_or_else(block::new_id);
            let inserted = block::upsert(before.as_deref().unwrap_or_default(), &body, target == Target::Pwsh, owned, &id)
                .map_err(|source| ProfileError::Block { path: path.clone(), source })?;
            Planned {
                target,
                path,
                before,
                after: inserted.bytes,
                added_newline: inserted.added_newline,
                block_id: Some(id),
                appended: inserted.appended,
                previous: Default::default(),
                keys: vec![],
                present: vec![],
            }
        };
        out.push(planned);
    }
    Ok(out)
}

fn timestamp() -> String {
    let d = std::time::SystemTime::now().duration_since(std::time::UNIX_EPOCH).unwrap_or_default();
    format!("{}{:03}", d.as_secs(), d.subsec_millis())
}

/// Copies the current bytes aside and keeps only the newest few backups of that target.
fn backup(home: &ProfileHome, target: Target, bytes: &[u8]) -> Result<(), ProfileError> {
    let dir = home.state_dir().join("backups");
    std::fs::create_dir_all(&dir).map_err(|source| ProfileError::Write { path: dir.clone(), source })?;
    let path = dir.join(format!("{}.{}.bak", target.name(), timestamp()));
    atomic_file::write(&path, bytes, 0o600).map_err(|source| write_error(&path, source))?;
    let prefix = format!("{}.", target.name());
    let mut existing: Vec<PathBuf> = std::fs::read_dir(&dir)
        .map(|rd| rd.filter_map(|e| e.ok()).map(|e| e.path()).filter(|p| p.file_name().is_some_and(|n| n.to_string_lossy().starts_with(&prefix))).collect())
        .unwrap_or_default();
    existing.sort();
    while existing.len() > BACKUPS_KEPT {
        let _ = std::fs::remove_file(existing.remove(0));
    }
    Ok(())
}

/// The directory the new file goes in: created under the home when missing — but never along a
/// symlink's target, which may point anywhere (a dangling link is refused instead).
fn prepare_dir(path: &Path, real: &Path) -> Result<(), ProfileError> {
    if real != path {
        return match real.parent() {
            Some(dir) if !dir.as_os_str().is_empty() && !dir.is_dir() => Err(ProfileError::DanglingLink { path: path.into(), target: real.into() }),
            _ => Ok(()),
        };
    }
    match path.parent() {
        Some(dir) if !dir.as_os_str().is_empty() => std::fs::create_dir_all(dir).map_err(|source| ProfileError::Write { path: dir.to_path_buf(), source }),
        _ => Ok(()),
    }
}

/// Brings our record of one file up to date with the write about to happen. A block appended
/// anew (the user removed ours, or rewrote the file) and a settings.json rewritten since our
/// last write start their record afresh, so `remove` restores what the user has now.
fn record(entry: Option<FileState>, p: &Planned) -> Result<FileState, ProfileError> {
    let fresh = FileState {
        created: p.before.is_none(),
        added_newline: String::from_utf8_lossy(&p.added_newline).into_owned(),
        block_id: p.block_id.clone(),
        keys: p.keys.clone(),
        previous: p.previous.clone(),
        original: if p.target == Target::ClaudeSettings { p.before.clone() } else { None },
        written: None,
    };
    let Some(mut entry) = entry else {
        return Ok(FileState { written: (p.target == Target::ClaudeSettings).then(|| p.after.clone()), ..fresh });
    };
    if p.target != Target::ClaudeSettings {
        entry.block_id = p.block_id.clone();
        if p.appended {
            entry.added_newline = fresh.added_newline;
            entry.created = fresh.created;
        }
        return Ok(entry);
    }
    if entry.written.as_deref() != p.before.as_deref() {
        // Rewritten since our last write: what it holds now is the user's, apart from any of
        // our keys still in it (with our values, or p.previous records theirs).
        let mut previous = p.previous.clone();
        for k in &p.present {
            if !previous.contains_key(k)
                && let Some(v) = entry.previous.get(k)
            {
                previous.insert(k.clone(), v.clone());
            }
        }
        let mut keys = p.keys.clone();
        keys.extend(entry.keys.iter().filter(|k| p.present.contains(k) && !p.keys.contains(k)).cloned());
        let original = match &p.before {
            Some(before) if !p.present.is_empty() => Some(settings_json::remove(&p.path, before, &p.present, &previous)?),
            other => other.clone(),
        };
        return Ok(FileState { created: p.before.is_none(), keys, previous, original, written: Some(p.after.clone()), ..fresh });
    }
    for (k, v) in &p.previous {
        entry.previous.entry(k.clone()).or_insert_with(|| v.clone());
    }
    for k in &p.keys {
        if !entry.keys.contains(k) {
            entry.keys.push(k.clone());
        }
    }
    entry.written = Some(p.after.clone());
    Ok(entry)
}

/// Writes the planned files under `lock`. Refuses (and writes nothing more) if a file changed
/// since `plan` — checked again just before each rename, and once more right after it.
pub fn write(lock: &WriteLock, planned: &[Planned]) -> Result<Vec<FileChange>, ProfileError> {
    let home = lock.home();
    let mut state = load_state(home)?;
    let mut changes = Vec::new();
    for p in planned {
        let change = p.change();
        if change.action == FileAction::Unchanged {
            changes.push(change);
            continue;
        }
        let limit = limit_for(p.target);
        let real = resolve(&p.path)?;
        if read_optional(&real, limit)? != p.before {
            return Err(ProfileError::ChangedSinceRead { path: p.path.clone() });
        }
        prepare_dir(&p.path, &real)?;
        if let Some(before) = &p.before {
            backup(home, p.target, before)?;
        }
        let mode = if p.target == Target::ClaudeSettings { 0o600 } else { 0o644 };
        let key = p.path.display().to_string();
        let earlier = state.clone();
        let entry = record(state.files.remove(&key), p)?;
        state.files.insert(key, entry);
        // Record the state first: a crash after the write can then still be undone.
        save_state(home, &state)?;
        if let Err(source) = atomic_file::write_if_unchanged(&p.path, p.before.as_deref(), &p.after, mode, limit) {
            let _ = save_state(home, &earlier); // the file was not written: neither is our record of it
            return Err(write_error(&p.path, source));
        }
        changes.push(change);
    }
    Ok(changes)
}

/// Removes our block from each target (and files we created), restoring the earlier bytes.
pub fn remove(home: &ProfileHome, targets: &[Target], dry_run: bool) -> Result<Vec<FileChange>, ProfileError> {
    let _lock = if dry_run { None } else { Some(WriteLock::acquire(home)?) };
    let mut state = load_state(home)?;
    let mut changes = Vec::new();
    for &target in targets {
        let path = home.path(target);
        let key = path.display().to_string();
        let limit = limit_for(target);
        let real = resolve(&path)?;
        let Some(current) = read_optional(&real, limit)? else {
            changes.push(FileChange { target, path: key.clone(), action: FileAction::Absent, diff: String::new() });
            state.files.remove(&key);
            continue;
        };
        let known = state.files.get(&key).cloned();
        let fs = known.clone().unwrap_or_default();
        let after: Option<Vec<u8>> = if target == Target::ClaudeSettings {
            if fs.written.as_deref() == Some(current.as_slice()) {
                fs.original.clone() // untouched since our write: the original bytes (None = we created it)
            } else if fs.keys.is_empty() {
                Some(current.clone())
            } else {
                Some(settings_json::remove(&path, &current, &fs.keys, &fs.previous)?)
            }
        } else {
            let owned = known.as_ref().map(FileState::owned).unwrap_or(Owned::None);
            match block::remove(&current, fs.added_newline.as_bytes(), owned).map_err(|source| ProfileError::Block { path: path.clone(), source })? {
                None => Some(current.clone()),
                Some(rest) if rest.is_empty() && fs.created => None,
                Some(rest) => Some(rest),
            }
        };
        let action = match &after {
            None => FileAction::Delete,
            Some(a) if *a == current => FileAction::Unchanged,
            Some(_) => FileAction::Remove,
        };
        changes.push(FileChange { target, path: key.clone(), action, diff: diff(&path, Some(&current), after.as_deref()) });
        if dry_run || action == FileAction::Unchanged {
            continue;
        }
        backup(home, target, &current)?;
        match after {
            None => std::fs::remove_file(&real).map_err(|source| ProfileError::Write { path: path.clone(), source })?,
            Some(bytes) => atomic_file::write_if_unchanged(&path, Some(&current), &bytes, 0o644, limit).map_err(|source| write_error(&path, source))?,
        }
        state.files.remove(&key);
        save_state(home, &state)?;
    }
    Ok(changes)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::config::Config;

    fn setup() -> (tempfile::TempDir, ProfileHome, ProfileSpec) {
        let dir = tempfile::tempdir().unwrap();
        let home = ProfileHome::plain(dir.path());
        let mut c = Config::default();
        c.foundry.endpoint = Some(crate::config::FoundryEndpoint::named("contoso-ai").unwrap());
        c.models.sonnet = Some("s".into());
        c.models.haiku = Some("h".into());
        c.models.opus = Some("o".into());
        (dir, home, ProfileSpec::from_config(&c).unwrap())
    }

    fn with_sonnet(spec: &ProfileSpec, name: &str) -> ProfileSpec {
        let mut spec = spec.clone();
        for e in &mut spec.entries {
            if e.name == "ANTHROPIC_DEFAULT_SONNET_MODEL" {
                e.value = super::super::EnvValue::Literal(name.into());
            }
        }
        spec
    }

    /// Plans and writes under the lock, as the CLI and the app do.
    fn write_locked(home: &ProfileHome, spec: &ProfileSpec, targets: &[Target]) -> Result<Vec<FileChange>, ProfileError> {
        let lock = WriteLock::acquire(home)?;
        write(&lock, &plan(spec, home, targets)?)
    }

    #[test]
    fn a_concurrent_writer_is_detected_and_nothing_is_written() {
        let (dir, home, spec) = setup();
        let rc = dir.path().join(".bashrc");
        std::fs::write(&rc, "one\n").unwrap();
        let planned = plan(&spec, &home, &[Target::Bash]).unwrap();
        std::fs::write(&rc, "one\ntwo (another editor saved meanwhile)\n").unwrap();
        let err = write(&WriteLock::acquire(&home).unwrap(), &planned).unwrap_err();
        assert!(matches!(err, ProfileError::ChangedSinceRead { .. }), "{err}");
        assert_eq!(std::fs::read_to_string(&rc).unwrap(), "one\ntwo (another editor saved meanwhile)\n");
    }

    #[test]
    fn backups_keep_the_last_five() {
        let (dir, home, spec) = setup();
        let rc = dir.path().join(".bashrc");
        std::fs::write(&rc, "mine\n").unwrap();
        for i in 0..8 {
            write_locked(&home, &with_sonnet(&spec, &format!("sonnet-{i}")), &[Target::Bash]).unwrap();
            std::thread::sleep(std::time::Duration::from_millis(2));
        }
        let backups = std::fs::read_dir(home.state_dir().join("backups")).unwrap().count();
        assert_eq!(backups, BACKUPS_KEPT);
    }

    /// The sonnet deployment each file holds ("" when absent), and how many of our blocks `.bashrc` has.
    fn sonnet_in(dir: &Path) -> (String, String, usize) {
        let rc = std::fs::read_to_string(dir.join(".bashrc")).unwrap_or_default();
        let in_rc = rc.lines().find_map(|l| l.strip_prefix("export ANTHROPIC_DEFAULT_SONNET_MODEL='")).unwrap_or_default().trim_end_matches('\'').to_string();
        let settings: serde_json::Value = serde_json::from_slice(&std::fs::read(dir.join(".claude/settings.json")).unwrap_or_default()).unwrap_or_default();
        (in_rc, settings["env"]["ANTHROPIC_DEFAULT_SONNET_MODEL"].as_str().unwrap_or_default().to_string(), rc.matches(block::BEGIN).count())
    }

    /// Rounds for the races: a CI-sized count (a few seconds), twenty times as many — thousands —
    /// when `PROPTEST_CASES` asks for a long run (`make fuzz`). Each round is real writes with
    /// real fsyncs.
    fn rounds(default: usize) -> usize {
        let long = std::env::var("PROPTEST_CASES").ok().and_then(|v| v.parse::<usize>().ok()).is_some_and(|n| n > 1000);
        if long { 20 * default } else { default }
    }

    #[test]
    fn finding_04_fuzz_two_writers_never_leave_the_files_disagreeing() {
        let (dir, home, spec) = setup();
        std::fs::write(dir.path().join(".bashrc"), "# mine\n").unwrap();
        let targets = [Target::Bash, Target::ClaudeSettings];
        for round in 0..rounds(100) {
            let writers: Vec<_> = ["sonnet-a", "sonnet-b"]
                .into_iter()
                .map(|name| {
                    let (home, spec) = (home.clone(), with_sonnet(&spec, &format!("{name}-{round}")));
                    std::thread::spawn(move || write_locked(&home, &spec, &targets))
                })
                .collect();
            for w in writers {
                w.join().unwrap().unwrap();
            }
            let (rc, settings, blocks) = sonnet_in(dir.path());
            assert!(
                rc == settings && rc.ends_with(&format!("-{round}")) && blocks == 1,
                "round {round}: .bashrc {rc:?}, settings.json {settings:?}, {blocks} blocks"
            );
        }
        assert!(std::fs::read_to_string(dir.path().join(".bashrc")).unwrap().starts_with("# mine\n"));
    }

    #[test]
    fn finding_04_fuzz_appends_racing_a_writer_are_never_lost() {
        let (dir, home, spec) = setup();
        let rc = dir.path().join(".bashrc");
        std::fs::write(&rc, "# mine\n").unwrap();
        // How long a write takes here: the appends are spread over that window.
        let t = std::time::Instant::now();
        write_locked(&home, &with_sonnet(&spec, "warm-up"), &[Target::Bash]).unwrap();
        let window = t.elapsed().as_micros().max(200) as u64;
        let (mut written, mut refused) = (0, 0);
        let total = rounds(150);
        for round in 0..total {
            let path = rc.clone();
            let delay = std::time::Duration::from_micros((round as u64 * 7919) % (window * 3 / 2));
            let appender = std::thread::spawn(move || {
                std::thread::sleep(delay);
                use std::io::Write;
                let mut f = std::fs::OpenOptions::new().append(true).open(&path).unwrap();
                f.write_all(format!("echo user-line-{round}\n").as_bytes()).unwrap();
            });
            match write_locked(&home, &with_sonnet(&spec, &format!("s{round}")), &[Target::Bash]) {
                Ok(_) => written += 1,
                Err(ProfileError::ChangedSinceRead { .. }) => refused += 1,
                Err(e) => panic!("round {round}: {e}"),
            }
            appender.join().unwrap();
            let text = std::fs::read_to_string(&rc).unwrap();
            assert!(text.contains(&format!("echo user-line-{round}\n")), "round {round}: the user's line was lost");
            assert_eq!(text.matches(block::BEGIN).count(), 1, "round {round}");
        }
        let text = std::fs::read_to_string(&rc).unwrap();
        let lines: Vec<usize> = text.lines().filter_map(|l| l.strip_prefix("echo user-line-")?.parse().ok()).collect();
        assert_eq!(lines, (0..total).collect::<Vec<_>>(), "every line, once, in order");
        eprintln!("{written} writes, {refused} refused as a concurrent edit, 0 bytes lost");
    }

    #[test]
    fn finding_07_a_state_file_past_its_limit_is_refused_naming_the_limit() {
        let (_dir, home, spec) = setup();
        std::fs::create_dir_all(home.state_dir()).unwrap();
        std::fs::File::create(state_path(&home)).unwrap().set_len(Limit::STATE.bytes + 1).unwrap();
        let err = plan(&spec, &home, &[Target::Bash]).unwrap_err();
        assert!(matches!(err, ProfileError::TooLarge { .. }), "{err}");
        assert!(err.to_string().contains("the limit for Foundry Onboard's profile state"), "{err}");
        std::fs::write(state_path(&home), b"{not json").unwrap();
        assert!(matches!(plan(&spec, &home, &[Target::Bash]).unwrap_err(), ProfileError::StateInvalid { .. }));
    }

    #[test]
    fn finding_10_a_block_appended_anew_records_its_own_line_break() {
        let (dir, home, spec) = setup();
        let rc = dir.path().join(".bashrc");
        for (first, rewritten) in [("abc", "xyz\n"), ("abc\n", "xyz")] {
            std::fs::write(&rc, first).unwrap();
            write_locked(&home, &spec, &[Target::Bash]).unwrap();
            std::fs::write(&rc, rewritten).unwrap(); // our block is gone, the last line changed
            write_locked(&home, &with_sonnet(&spec, "other"), &[Target::Bash]).unwrap();
            remove(&home, &[Target::Bash], false).unwrap();
            assert_eq!(std::fs::read_to_string(&rc).unwrap(), rewritten, "from {first:?}");
        }
    }
}
