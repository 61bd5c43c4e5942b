//! Files only their owner may read — a doctor report names hosts, addresses, resources and (with
//! `--include-identity`) people. Unlike [`crate::atomic_file::write`], which keeps the mode of the
//! file it replaces (a `.bashrc` stays 0644), these are 0600 whatever they replace: the new bytes
//! are never readable by anyone else, not even for a moment.

use std::fs;
use std::io::Write;
use std::path::Path;

/// Writes `bytes` to `path` atomically (temp file in the target's real directory, fsync, rename)
/// with mode 0600, through a symlink as `atomic_file` does.
pub fn write(path: &Path, bytes: &[u8]) -> std::io::Result<()> {
    let target = crate::atomic_file::real_target(path)?;
    let dir = target.parent().filter(|p| !p.as_os_str().is_empty()).unwrap_or(Path::new("."));
    let mut tmp = tempfile::Builder::new().prefix(".foundry-onboard.").suffix(".tmp").tempfile_in(dir)?;
    owner_only(tmp.path())?;
    tmp.write_all(bytes)?;
    tmp.as_file().sync_all()?;
    tmp.persist(&target).map_err(|e| e.error)?;
    sync_dir(dir);
    Ok(())
}

#[cfg(unix)]
fn owner_only(path: &Path) -> std::io::Result<()> {
    use std::os::unix::fs::PermissionsExt;
    fs::set_permissions(path, fs::Permissions::from_mode(0o600))
}

#[cfg(not(unix))]
fn owner_only(_path: &Path) -> std::io::Result<()> {
    // A new file in the user's profile inherits its owner-only ACL.
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
#[cfg(unix)]
mod tests {
    use super::*;
    use std::os::unix::fs::PermissionsExt;

    fn mode(p: &Path) -> u32 {
        fs::metadata(p).unwrap().permissions().mode() & 0o7777
    }

    #[test]
    fn finding_13_replaces_a_world_readable_file_with_an_owner_only_one() {
        let dir = tempfile::tempdir().unwrap();
        let p = dir.path().join("report.md");
        for before in [0o644, 0o666, 0o755, 0o600] {
            fs::write(&p, b"old").unwrap();
            fs::set_permissions(&p, fs::Permissions::from_mode(before)).unwrap();
            write(&p, b"new report").unwrap();
            assert_eq!(fs::read(&p).unwrap(), b"new report");
            assert_eq!(mode(&p), 0o600, "was {before:o}");
        }
        fs::remove_file(&p).unwrap();
        write(&p, b"fresh").unwrap();
        assert_eq!(mode(&p), 0o600);
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
        write(&link, b"new").unwrap();
        assert!(fs::symlink_metadata(&link).unwrap().file_type().is_symlink());
        assert_eq!(fs::read(&real).unwrap(), b"new");
        assert_eq!(mode(&real), 0o600);
    }
}
