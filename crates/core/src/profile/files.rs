//! Planning, writing and removing the profile files: a diff before anything is written, atomic
//! replacement through symlinks with the mode kept, a timestamped backup (last 5), refusal when
//! the file changed since it was read, and a small state file so `remove` restores the bytes.

use super::render::{Target, shell_lines};
use super::{ProfileError, ProfileHome, ProfileSpec, block, settings_json};
use crate::atomic_file;
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
    /// "create", "update", "unchanged", "remove", "delete" or "absent".
    pub action: String,
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

#[derive(Debug, Default, Serialize, Deserialize)]
struct State {
    files: BTreeMap<String, FileState>,
}

fn state_path(home: &ProfileHome) -> PathBuf {
    home.state_dir().join("state.json")
}

fn load_state(home: &ProfileHome) -> State {
    std::fs::read(state_path(home)).ok().and_then(|b| serde_json::from_slice(&b).ok()).unwrap_or_default()
}

fn save_state(home: &ProfileHome, state: &State) -> Result<(), ProfileError> {
    let path = state_path(home);
    let dir = home.state_dir();
    std::fs::create_dir_all(&dir).map_err(|source| ProfileError::Write { path: dir.clone(), source })?;
    let bytes = serde_json::to_vec_pretty(state).unwrap_or_default();
    atomic_file::write(&path, &bytes, 0o600).map_err(|source| ProfileError::Write { path, source })
}

fn read_optional(path: &Path) -> Result<Option<Vec<u8>>, ProfileError> {
    match std::fs::read(path) {
        Ok(b) => Ok(Some(b)),
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => Ok(None),
        Err(source) => Err(ProfileError::Read { path: path.into(), source }),
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
    previous: serde_json::Map<String, serde_json::Value>,
    keys: Vec<String>,
}

impl Planned {
    pub fn change(&self) -> FileChange {
        let action = match &self.before {
            None => "create",
            Some(b) if *b == self.after => "unchanged",
            Some(_) => "update",
        };
        FileChange {
            target: self.target,
            path: self.path.display().to_string(),
            action: action.into(),
            diff: diff(&self.path, self.before.as_deref(), Some(&self.after)),
        }
    }
}

/// Computes every target's new content without writing anything (the preview / `--dry-run`).
pub fn plan(spec: &ProfileSpec, home: &ProfileHome, targets: &[Target]) -> Result<Vec<Planned>, ProfileError> {
    let cli = home.cli_invocation();
    let mut out = Vec::new();
    for &target in targets {
        let path = home.path(target);
        let real = atomic_file::real_target(&path).map_err(|source| ProfileError::Read { path: path.clone(), source })?;
        let before = read_optional(&real)?;
        let planned = if target == Target::ClaudeSettings {
            let literal: Vec<(&str, &str)> = spec.literal_entries().collect();
            let (after, previous) = settings_json::upsert(&real, before.as_deref(), &literal)?;
            let keys = literal.iter().map(|(k, _)| (*k).to_string()).collect();
            Planned { target, path, before, after, added_newline: Vec::new(), previous, keys }
        } else {
            let body = shell_lines(target, &spec.entries, &cli);
            let inserted = block::upsert(before.as_deref().unwrap_or_default(), &body, target == Target::Pwsh)
                .map_err(|source| ProfileError::Block { path: path.clone(), source })?;
            Planned { target, path, before, after: inserted.bytes, added_newline: inserted.added_newline, previous: Default::default(), keys: vec![] }
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
    atomic_file::write(&path, bytes, 0o600).map_err(|source| ProfileError::Write { path, source })?;
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

/// Writes the planned files. Refuses (and writes nothing more) if a file changed since `plan`.
pub fn write(home: &ProfileHome, planned: &[Planned]) -> Result<Vec<FileChange>, ProfileError> {
    let mut state = load_state(home);
    let mut changes = Vec::new();
    for p in planned {
        let change = p.change();
        if change.action == "unchanged" {
            changes.push(change);
            continue;
        }
        let real = atomic_file::real_target(&p.path).map_err(|source| ProfileError::Read { path: p.path.clone(), source })?;
        if read_optional(&real)? != p.before {
            return Err(ProfileError::ChangedSinceRead { path: p.path.clone() });
        }
        if let Some(before) = &p.before {
            backup(home, p.target, before)?;
        }
        if let Some(dir) = real.parent() {
            std::fs::create_dir_all(dir).map_err(|source| ProfileError::Write { path: dir.to_path_buf(), source })?;
        }
        let mode = if p.target == Target::ClaudeSettings { 0o600 } else { 0o644 };
        let key = p.path.display().to_string();
        let entry = state.files.entry(key).or_insert_with(|| FileState {
            created: p.before.is_none(),
            added_newline: String::from_utf8_lossy(&p.added_newline).into_owned(),
            original: if p.target == Target::ClaudeSettings { p.before.clone() } else { None },
            ..Default::default()
        });
        if p.target == Target::ClaudeSettings {
            for (k, v) in &p.previous {
                entry.previous.entry(k.clone()).or_insert_with(|| v.clone());
            }
            for k in &p.keys {
                if !entry.keys.contains(k) {
                    entry.keys.push(k.clone());
                }
            }
            entry.written = Some(p.after.clone());
        }
        // Record the state first: a crash after the write can then still be undone.
        save_state(home, &state)?;
        atomic_file::write(&p.path, &p.after, mode).map_err(|source| ProfileError::Write { path: p.path.clone(), source })?;
        changes.push(change);
    }
    Ok(changes)
}

/// Removes our block from each target (and files we created), restoring the earlier bytes.
pub fn remove(home: &ProfileHome, targets: &[Target], dry_run: bool) -> Result<Vec<FileChange>, ProfileError> {
    let mut state = load_state(home);
    let mut changes = Vec::new();
    for &target in targets {
        let path = home.path(target);
        let key = path.display().to_string();
        let real = atomic_file::real_target(&path).map_err(|source| ProfileError::Read { path: path.clone(), source })?;
        let Some(current) = read_optional(&real)? else {
            changes.push(FileChange { target, path: key.clone(), action: "absent".into(), diff: String::new() });
            state.files.remove(&key);
            continue;
        };
        let fs = state.files.get(&key).cloned().unwrap_or_default();
        let after: Option<Vec<u8>> = if target == Target::ClaudeSettings {
            if fs.written.as_deref() == Some(current.as_slice()) {
                fs.original.clone() // untouched since our write: the original bytes (None = we created it)
            } else if fs.keys.is_empty() {
                Some(current.clone())
            } else {
                Some(settings_json::remove(&path, &current, &fs.keys, &fs.previous)?)
            }
        } else {
            match block::remove(&current, fs.added_newline.as_bytes()).map_err(|source| ProfileError::Block { path: path.clone(), source })? {
                None => Some(current.clone()),
                Some(rest) if rest.is_empty() && fs.created => None,
                Some(rest) => Some(rest),
            }
        };
        let action = match &after {
            None => "delete",
            Some(a) if *a == current => "unchanged",
            Some(_) => "remove",
        };
        changes.push(FileChange { target, path: key.clone(), action: action.into(), diff: diff(&path, Some(&current), after.as_deref()) });
        if dry_run || action == "unchanged" {
            continue;
        }
        backup(home, target, &current)?;
        match after {
            None => std::fs::remove_file(&real).map_err(|source| ProfileError::Write { path: path.clone(), source })?,
            Some(bytes) => atomic_file::write(&path, &bytes, 0o644).map_err(|source| ProfileError::Write { path: path.clone(), source })?,
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
        let home = ProfileHome {
            home: dir.path().to_path_buf(),
            zdotdir: None,
            claude_config_dir: None,
            xdg_config_home: None,
            cli: "foundry-onboard".into(),
            sandbox: false,
            config_file: None,
        };
        let mut c = Config::default();
        c.foundry.resource = Some("contoso-ai".into());
        c.models.sonnet = Some("s".into());
        c.models.haiku = Some("h".into());
        c.models.opus = Some("o".into());
        (dir, home, ProfileSpec::from_config(&c).unwrap())
    }

    #[test]
    fn a_concurrent_writer_is_detected_and_nothing_is_written() {
        let (dir, home, spec) = setup();
        let rc = dir.path().join(".bashrc");
        std::fs::write(&rc, "one\n").unwrap();
        let planned = plan(&spec, &home, &[Target::Bash]).unwrap();
        std::fs::write(&rc, "one\ntwo (another editor saved meanwhile)\n").unwrap();
        let err = write(&home, &planned).unwrap_err();
        assert!(matches!(err, ProfileError::ChangedSinceRead { .. }), "{err}");
        assert_eq!(std::fs::read_to_string(&rc).unwrap(), "one\ntwo (another editor saved meanwhile)\n");
    }

    #[test]
    fn backups_keep_the_last_five() {
        let (dir, home, mut spec) = setup();
        let rc = dir.path().join(".bashrc");
        std::fs::write(&rc, "mine\n").unwrap();
        for i in 0..8 {
            spec.entries[2].value = super::super::EnvValue::Literal(format!("sonnet-{i}"));
            let planned = plan(&spec, &home, &[Target::Bash]).unwrap();
            write(&home, &planned).unwrap();
            std::thread::sleep(std::time::Duration::from_millis(2));
        }
        let backups = std::fs::read_dir(home.state_dir().join("backups")).unwrap().count();
        assert_eq!(backups, BACKUPS_KEPT);
    }
}
