//! Replace a file so that a crash leaves the old bytes or the new, never a torn file — through
//! symlinks (dotfile managers) and keeping the file's permissions.

use std::fs;
use std::io::Write;
use std::path::{Path, PathBuf};

/// Where the bytes really go: a symlink is followed so the link itself survives.
pub fn real_target(path: &Path) -> std::io::Result<PathBuf> {
    match fs::symlink_metadata(path) {
        Ok(meta) if meta.file_type().is_symlink() => {
            let mut target = fs::read_link(path)?;
            if target.is_relative() {
                target = path.parent().unwrap_or(Path::new(".")).join(target);
            }
            real_target(&target)
        }
        _ => Ok(path.to_path_buf()),
    }
}

/// Writes `bytes` to `path` atomically: a temp file in the target's real directory, fsync,
/// rename, fsync of the directory. An existing file's mode is kept; a new file gets `new_mode`.
pub fn write(path: &Path, bytes: &[u8], new_mode: u32) -> std::io::Result<()> {
    let target = real_target(path)?;
    let dir = target.parent().filter(|p| !p.as_os_str().is_empty()).unwrap_or(Path::new("."));
    let existing_mode = fs::metadata(&target).ok().map(|m| mode_of(&m));
    let mut tmp = tempfile::Builder::new().prefix(".foundry-onboard.").suffix(".tmp").tempfile_in(dir)?;
    tmp.write_all(bytes)?;
    tmp.as_file().sync_all()?;
    set_mode(tmp.path(), existing_mode.unwrap_or(new_mode))?;
    tmp.persist(&target).map_err(|e| e.error)?;
    sync_dir(dir);
    Ok(())
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
}
