//! Replace a file so that a crash leaves the old bytes or the new, never a torn file — through
//! symlinks (dotfile managers), keeping the file's permissions, refusing a file its owner
//! protected, and never losing an edit another program made while we wrote.

use crate::limited_read::{self, Limit};
use std::fs;
use std::io::{Read, Seek, Write};
use std::path::{Path, PathBuf};
use std::time::{Duration, SystemTime};

/// Links followed before a chain is called a loop (Linux's own limit is 40).
pub const MAX_LINKS: usize = 40;

/// Our temp files: `.foundry-onboard.XXXXXX.tmp` next to the target.
const TEMP_PREFIX: &str = ".foundry-onboard.";
const TEMP_SUFFIX: &str = ".tmp";

/// How long the replaced file is watched after the rename for a write through a descriptor
/// opened before it (small next to the fsyncs of a write).
const WATCH_AFTER_RENAME: Duration = Duration::from_millis(5);

/// A temp file younger than this is never cleaned: its writer may not have locked it yet.
const STALE_AFTER: Duration = Duration::from_secs(2);

/// Why a replacement was refused. Carried inside the `io::Error` (kind `Other`) so callers keep
/// their own error types; [`AtomicFileError::of`] finds it again.
#[derive(Debug, thiserror::Error)]
pub enum AtomicFileError {
    #[error("{} is a symbolic link loop (more than {MAX_LINKS} links)", path.display())]
    SymlinkLoop { path: PathBuf },
    #[error("{} is read-only (mode {mode:o}); its owner protected it", path.display())]
    ReadOnly { path: PathBuf, mode: u32 },
    #[error("{} belongs to another user (uid {owner}); replacing it would make it ours", path.display())]
    NotOwner { path: PathBuf, owner: u32 },
    #[error("{} changed while it was being replaced", path.display())]
    Changed { path: PathBuf },
}

impl AtomicFileError {
    /// The refusal inside an `io::Error` returned by this module, if it is one.
    pub fn of(e: &std::io::Error) -> Option<&AtomicFileError> {
        e.get_ref().and_then(|inner| inner.downcast_ref::<AtomicFileError>())
    }

    fn into_io(self) -> std::io::Error {
        std::io::Error::other(self)
    }
}

/// Where the bytes really go: symlinks are followed (at most [`MAX_LINKS`]) so the link itself
/// survives. A dangling link gives its missing target.
pub fn real_target(path: &Path) -> std::io::Result<PathBuf> {
    let mut current = path.to_path_buf();
    for _ in 0..=MAX_LINKS {
        match fs::symlink_metadata(&current) {
            Ok(meta) if meta.file_type().is_symlink() => {
                let target = fs::read_link(&current)?;
                current = if target.is_relative() { current.parent().unwrap_or(Path::new(".")).join(target) } else { target };
            }
            _ => return Ok(current),
        }
    }
    Err(AtomicFileError::SymlinkLoop { path: path.to_path_buf() }.into_io())
}

/// The mode a replacement gets.
#[derive(Debug, Clone, Copy)]
enum Mode {
    /// The replaced file's mode (a `.bashrc` stays 0644); a new file gets this one.
    KeepOr(u32),
    /// This mode whatever the replaced file had: for files only their owner may read.
    Always(u32),
}

/// Writes `bytes` to `path` atomically: a temp file in the target's real directory, fsync,
/// rename, fsync of the directory. An existing file's mode is kept; a new file gets `new_mode`.
pub fn write(path: &Path, bytes: &[u8], new_mode: u32) -> std::io::Result<()> {
    replace(path, None, bytes, Mode::KeepOr(new_mode))
}

/// [`write`] for a file only its owner may read — a doctor report names hosts, addresses,
/// resources and (with `--include-identity`) people: mode 0600 whatever it replaces. The temp
/// file is created 0600, so the bytes are never readable by anyone else, not even for a moment.
pub fn write_private(path: &Path, bytes: &[u8]) -> std::io::Result<()> {
    replace(path, None, bytes, Mode::Always(0o600))
}

/// [`write`], but only if the file still holds `expected` (`None`: does not exist) — checked
/// after the new bytes are on disk, just before the rename, and once more right after it; an
/// edit that landed in between is put back and the call fails with [`AtomicFileError::Changed`].
pub fn write_if_unchanged(path: &Path, expected: Option<&[u8]>, bytes: &[u8], new_mode: u32, limit: Limit) -> std::io::Result<()> {
    replace(path, Some((expected, limit)), bytes, Mode::KeepOr(new_mode))
}

fn replace(path: &Path, expect: Option<(Option<&[u8]>, Limit)>, bytes: &[u8], mode: Mode) -> std::io::Result<()> {
    let target = real_target(path)?;
    let dir = target.parent().filter(|p| !p.as_os_str().is_empty()).unwrap_or(Path::new("."));
    clean_stale_temps(dir);
    let mut tmp = tempfile::Builder::new().prefix(TEMP_PREFIX).suffix(TEMP_SUFFIX).tempfile_in(dir)?;
    // Held until the rename: a later run sees a locked temp file as in use, not as debris.
    let _ = tmp.as_file().try_lock();
    let existing = match fs::metadata(&target) {
        Ok(meta) => Some(meta),
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => None,
        Err(e) => return Err(e),
    };
    if let Some(meta) = &existing {
        refuse_protected(&target, meta, &tmp.as_file().metadata()?)?;
    }
    tmp.write_all(bytes)?;
    tmp.as_file().sync_all()?;
    let final_mode = match mode {
        Mode::KeepOr(new_mode) => existing.as_ref().map(mode_of).unwrap_or(new_mode),
        Mode::Always(m) => m,
    };
    set_mode(tmp.path(), final_mode)?;
    let Some((expected, limit)) = expect else {
        tmp.persist(&target).map_err(|e| e.error)?;
        sync_dir(dir);
        return Ok(());
    };
    // The last check, as close to the rename as we can: the old file stays open so that a write
    // landing between this read and the rename is still seen afterwards.
    let mut old = match fs::File::open(&target) {
        Ok(f) => Some(f),
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => None,
        Err(e) => return Err(e),
    };
    let now = match &mut old {
        Some(f) => Some(read_limited(f, limit)?),
        None => None,
    };
    if now.as_deref() != expected {
        return Err(AtomicFileError::Changed { path: path.to_path_buf() }.into_io());
    }
    tmp.persist(&target).map_err(|e| e.error)?;
    // A program that opened the old file just before the rename still writes to it (an append
    // is open, then write): watch it a moment longer, then read it again.
    let after = match &mut old {
        Some(f) => {
            std::thread::sleep(WATCH_AFTER_RENAME);
            Some(read_limited(f, limit)?)
        }
        None => None,
    };
    if after.as_deref() != expected {
        // Their bytes went to the old file: put them back, followed by anything appended to
        // ours meanwhile. (A new file rewritten meanwhile stays; the conflict is reported.)
        let current = limited_read::read(&target, limit).ok();
        if let (Some(theirs), Some(appended)) = (after, current.as_deref().and_then(|c| c.strip_prefix(bytes))) {
            replace(path, None, &[&theirs[..], appended].concat(), mode)?;
        }
        return Err(AtomicFileError::Changed { path: path.to_path_buf() }.into_io());
    }
    sync_dir(dir);
    Ok(())
}

fn read_limited(f: &mut fs::File, limit: Limit) -> std::io::Result<Vec<u8>> {
    f.rewind()?;
    let mut out = Vec::new();
    f.take(limit.bytes.saturating_add(1)).read_to_end(&mut out)?;
    if out.len() as u64 > limit.bytes {
        return Err(std::io::Error::new(std::io::ErrorKind::FileTooLarge, format!("it is larger than the limit for {}", limit.what)));
    }
    Ok(out)
}

/// A rename replaces any file in a directory we may write to, whoever owns it and whatever its
/// mode: refuse a file its owner made read-only, or one owned by someone else (our copy would
/// change its owner).
#[cfg(unix)]
fn refuse_protected(target: &Path, meta: &fs::Metadata, ours: &fs::Metadata) -> std::io::Result<()> {
    use std::os::unix::fs::MetadataExt;
    if meta.uid() != ours.uid() {
        return Err(AtomicFileError::NotOwner { path: target.to_path_buf(), owner: meta.uid() }.into_io());
    }
    if mode_of(meta) & 0o200 == 0 {
        return Err(AtomicFileError::ReadOnly { path: target.to_path_buf(), mode: mode_of(meta) }.into_io());
    }
    Ok(())
}

#[cfg(not(unix))]
fn refuse_protected(target: &Path, meta: &fs::Metadata, _ours: &fs::Metadata) -> std::io::Result<()> {
    if meta.permissions().readonly() {
        return Err(AtomicFileError::ReadOnly { path: target.to_path_buf(), mode: 0o444 }.into_io());
    }
    Ok(())
}

/// Whether a directory entry is one of our temp files (`.foundry-onboard.` + random + `.tmp`).
fn is_our_temp(name: &str) -> bool {
    name.strip_prefix(TEMP_PREFIX)
        .and_then(|rest| rest.strip_suffix(TEMP_SUFFIX))
        .is_some_and(|middle| middle.len() >= 6 && middle.bytes().all(|b| b.is_ascii_alphanumeric()))
}

/// Deletes temp files of ours that a killed writer left behind: older than a moment and not
/// locked by a live writer. Best effort; a temp file that cannot be removed is left.
pub fn clean_stale_temps(dir: &Path) {
    let Ok(entries) = fs::read_dir(dir) else { return };
    for entry in entries.flatten() {
        if !entry.file_name().to_str().is_some_and(is_our_temp) {
            continue;
        }
        let Ok(meta) = entry.metadata() else { continue };
        let old = meta.modified().ok().and_then(|m| SystemTime::now().duration_since(m).ok()).is_some_and(|age| age >= STALE_AFTER);
        if !meta.file_type().is_file() || !old {
            continue;
        }
        let Ok(file) = fs::OpenOptions::new().read(true).open(entry.path()) else { continue };
        let unlocked = file.try_lock().is_ok();
        if unlocked {
            let _ = fs::remove_file(entry.path());
        }
    }
}

#[cfg(unix)]
fn mode_of(meta: &fs::Metadata) -> u32 {
    use std::os::unix::fs::PermissionsExt;
    meta.permissions().mode() & 0o7777
}

#[cfg(not(unix))]
fn mode_of(_meta: &fs::Metadata) -> u32 {
    0o644
}

#[cfg(unix)]
fn set_mode(path: &Path, mode: u32) -> std::io::Result<()> {
    use std::os::unix::fs::PermissionsExt;
    fs::set_permissions(path, fs::Permissions::from_mode(mode))
}

#[cfg(not(unix))]
fn set_mode(_path: &Path, _mode: u32) -> std::io::Result<()> {
    Ok(())
}

#[cfg(unix)]
fn sync_dir(dir: &Path) {
    // Best effort: the rename is already atomic; this only makes it durable across power loss.
    if let Ok(d) = fs::File::open(dir) {
        let _ = d.sync_all();
    }
}

#[cfg(not(unix))]
fn sync_dir(_dir: &Path) {}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn writes_through_a_symlink_and_keeps_mode() {
        let dir = tempfile::tempdir().unwrap();
        let real = dir.path().join("real.toml");
        fs::write(&real, b"old").unwrap();
        #[cfg(unix)]
        {
            use std::os::unix::fs::PermissionsExt;
            fs::set_permissions(&real, fs::Permissions::from_mode(0o600)).unwrap();
            let link = dir.path().join("link.toml");
            std::os::unix::fs::symlink("real.toml", &link).unwrap();
            write(&link, b"new", 0o644).unwrap();
            assert!(fs::symlink_metadata(&link).unwrap().file_type().is_symlink());
            assert_eq!(fs::read(&real).unwrap(), b"new");
            assert_eq!(fs::metadata(&real).unwrap().permissions().mode() & 0o777, 0o600);
        }
        let leftovers: Vec<_> =
            fs::read_dir(dir.path()).unwrap().filter_map(|e| e.ok()).filter(|e| e.file_name().to_string_lossy().ends_with(".tmp")).collect();
        assert!(leftovers.is_empty());
    }

    #[test]
    fn new_file_gets_new_mode() {
        let dir = tempfile::tempdir().unwrap();
        let p = dir.path().join("c.toml");
        write(&p, b"x", 0o600).unwrap();
        #[cfg(unix)]
        {
            use std::os::unix::fs::PermissionsExt;
            assert_eq!(fs::metadata(&p).unwrap().permissions().mode() & 0o777, 0o600);
        }
    }

    #[cfg(unix)]
    #[test]
    fn finding_03_a_symlink_loop_is_an_error_not_a_stack_overflow() {
        let dir = tempfile::tempdir().unwrap();
        let rc = dir.path().join(".bashrc");
        std::os::unix::fs::symlink(".bashrc", &rc).unwrap();
        let err = real_target(&rc).unwrap_err();
        assert!(matches!(AtomicFileError::of(&err), Some(AtomicFileError::SymlinkLoop { .. })), "{err}");
        assert!(err.to_string().contains("symbolic link loop"), "{err}");
        // a two-link cycle, and a write through it: refused, nothing created
        let (a, b) = (dir.path().join("a"), dir.path().join("b"));
        std::os::unix::fs::symlink("b", &a).unwrap();
        std::os::unix::fs::symlink("a", &b).unwrap();
        assert!(matches!(AtomicFileError::of(&write(&a, b"x", 0o644).unwrap_err()), Some(AtomicFileError::SymlinkLoop { .. })));
        // a long chain below the limit is still followed
        let mut prev = dir.path().join("real");
        fs::write(&prev, b"r").unwrap();
        for i in 0..30 {
            let link = dir.path().join(format!("l{i}"));
            std::os::unix::fs::symlink(&prev, &link).unwrap();
            prev = link;
        }
        assert_eq!(real_target(&prev).unwrap(), dir.path().join("real"));
    }

    #[cfg(unix)]
    #[test]
    fn finding_09_a_read_only_file_is_refused_and_keeps_its_bytes_and_mode() {
        use std::os::unix::fs::PermissionsExt;
        let dir = tempfile::tempdir().unwrap();
        let rc = dir.path().join(".bashrc");
        fs::write(&rc, b"mine\n").unwrap();
        fs::set_permissions(&rc, fs::Permissions::from_mode(0o444)).unwrap();
        let err = write(&rc, b"ours\n", 0o644).unwrap_err();
        assert!(matches!(AtomicFileError::of(&err), Some(AtomicFileError::ReadOnly { mode: 0o444, .. })), "{err}");
        assert!(err.to_string().contains("read-only (mode 444)"), "{err}");
        assert_eq!(fs::read(&rc).unwrap(), b"mine\n");
        assert_eq!(fs::metadata(&rc).unwrap().permissions().mode() & 0o777, 0o444);
        let temps = fs::read_dir(dir.path()).unwrap().filter(|e| e.as_ref().unwrap().file_name().to_string_lossy().ends_with(".tmp")).count();
        assert_eq!(temps, 0);
    }

    #[cfg(unix)]
    #[test]
    fn finding_09_a_file_of_another_user_is_refused() {
        use std::os::unix::fs::MetadataExt;
        let dir = tempfile::tempdir().unwrap();
        let rc = dir.path().join(".bashrc");
        fs::write(&rc, b"theirs\n").unwrap();
        // As root (`sudo foundry-onboard`, or this CI): give the file to `nobody`, and our copy
        // would have become root's. As a user: compare with a file root owns.
        if std::os::unix::fs::chown(&rc, Some(65534), Some(65534)).is_ok() {
            let err = write(&rc, b"ours\n", 0o644).unwrap_err();
            assert!(matches!(AtomicFileError::of(&err), Some(AtomicFileError::NotOwner { owner: 65534, .. })), "{err}");
            assert_eq!(fs::read(&rc).unwrap(), b"theirs\n");
            assert_eq!(fs::metadata(&rc).unwrap().uid(), 65534);
        } else {
            let theirs = fs::metadata("/etc/passwd").unwrap();
            let ours = fs::metadata(&rc).unwrap();
            let err = refuse_protected(Path::new("/etc/passwd"), &theirs, &ours).unwrap_err();
            assert!(matches!(AtomicFileError::of(&err), Some(AtomicFileError::NotOwner { owner: 0, .. })), "{err}");
        }
    }

    #[test]
    fn finding_08_stale_temp_files_of_a_killed_writer_are_cleaned_on_the_next_write() {
        let dir = tempfile::tempdir().unwrap();
        let stale = dir.path().join(".foundry-onboard.Ab12Cd.tmp");
        let fresh = dir.path().join(".foundry-onboard.Zz99Yy.tmp");
        let locked = dir.path().join(".foundry-onboard.Lock01.tmp");
        let not_ours = dir.path().join(".foundry-onboard.notes.tmp.bak");
        let long_ago = SystemTime::now() - Duration::from_secs(3600);
        for p in [&stale, &locked, &not_ours] {
            fs::File::create(p).unwrap().set_modified(long_ago).unwrap();
        }
        fs::write(&fresh, b"a writer that has not locked yet").unwrap();
        let holder = fs::File::open(&locked).unwrap();
        holder.lock().unwrap(); // a live writer in another process would hold this
        write(&dir.path().join(".bashrc"), b"x\n", 0o644).unwrap();
        assert!(!stale.exists(), "a killed writer's temp file is removed");
        assert!(fresh.exists(), "a temp file younger than {STALE_AFTER:?} is left to its writer");
        assert!(locked.exists(), "a locked temp file belongs to a live writer");
        assert!(not_ours.exists(), "only our exact naming is cleaned");
        drop(holder);
    }

    #[test]
    fn finding_04_an_edit_before_the_rename_is_detected_and_kept() {
        let dir = tempfile::tempdir().unwrap();
        let rc = dir.path().join(".bashrc");
        fs::write(&rc, b"one\ntwo\n").unwrap();
        let err = write_if_unchanged(&rc, Some(b"one\n"), b"one\nblock\n", 0o644, Limit::SHELL_PROFILE).unwrap_err();
        assert!(matches!(AtomicFileError::of(&err), Some(AtomicFileError::Changed { .. })), "{err}");
        assert_eq!(fs::read(&rc).unwrap(), b"one\ntwo\n");
        let err = write_if_unchanged(&dir.path().join("new"), Some(b""), b"x", 0o644, Limit::SHELL_PROFILE).unwrap_err();
        assert!(matches!(AtomicFileError::of(&err), Some(AtomicFileError::Changed { .. })), "a vanished file is a change too");
        write_if_unchanged(&rc, Some(b"one\ntwo\n"), b"three\n", 0o644, Limit::SHELL_PROFILE).unwrap();
        assert_eq!(fs::read(&rc).unwrap(), b"three\n");
        write_if_unchanged(&dir.path().join("created"), None, b"c", 0o644, Limit::SHELL_PROFILE).unwrap();
        assert_eq!(fs::read(dir.path().join("created")).unwrap(), b"c");
    }

    #[cfg(unix)]
    mod private {
        use super::super::*;
        use std::os::unix::fs::PermissionsExt;

        fn file_mode(p: &Path) -> u32 {
            fs::metadata(p).unwrap().permissions().mode() & 0o7777
        }

        #[test]
        fn finding_13_replaces_a_world_readable_file_with_an_owner_only_one() {
            let dir = tempfile::tempdir().unwrap();
            let p = dir.path().join("report.md");
            for before in [0o644, 0o666, 0o755, 0o600] {
                fs::write(&p, b"old").unwrap();
                fs::set_permissions(&p, fs::Permissions::from_mode(before)).unwrap();
                write_private(&p, b"new report").unwrap();
                assert_eq!(fs::read(&p).unwrap(), b"new report");
                assert_eq!(file_mode(&p), 0o600, "was {before:o}");
            }
            fs::remove_file(&p).unwrap();
            write_private(&p, b"fresh").unwrap();
            assert_eq!(file_mode(&p), 0o600);
            let leftovers = fs::read_dir(dir.path()).unwrap().filter_map(|e| e.ok()).filter(|e| e.file_name().to_string_lossy().ends_with(".tmp")).count();
            assert_eq!(leftovers, 0);
        }

        #[test]
        fn finding_13_writes_through_a_symlink_and_makes_its_target_private() {
            let dir = tempfile::tempdir().unwrap();
            let real = dir.path().join("real.md");
            fs::write(&real, b"old").unwrap();
            fs::set_permissions(&real, fs::Permissions::from_mode(0o644)).unwrap();
            let link = dir.path().join("link.md");
            std::os::unix::fs::symlink("real.md", &link).unwrap();
            write_private(&link, b"new").unwrap();
            assert!(fs::symlink_metadata(&link).unwrap().file_type().is_symlink());
            assert_eq!(fs::read(&real).unwrap(), b"new");
            assert_eq!(file_mode(&real), 0o600);
        }
    }
}
