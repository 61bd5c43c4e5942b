//! One writer at a time per profile home: the config, every profile file and our state change
//! together under one lock, so two runs (CLI or app) never leave them disagreeing.

use super::{ProfileError, ProfileHome};
use std::fs::{File, OpenOptions, TryLockError};
use std::path::PathBuf;
use std::time::{Duration, Instant};

/// How long a second writer waits for the first before giving up with [`ProfileError::Busy`].
const WAIT: Duration = Duration::from_secs(30);

/// Held while the profile (and the config that produced it) is written; released on drop, and
/// by the system when the process dies, so a killed writer never leaves it taken.
#[derive(Debug)]
pub struct WriteLock {
    home: ProfileHome,
    _file: File,
}

impl WriteLock {
    /// Waits (up to 30 s) until no other process or thread writes this home's profile.
    pub fn acquire(home: &ProfileHome) -> Result<Self, ProfileError> {
        Self::acquire_within(home, WAIT)
    }

    pub(crate) fn acquire_within(home: &ProfileHome, wait: Duration) -> Result<Self, ProfileError> {
        let dir = home.state_dir();
        std::fs::create_dir_all(&dir).map_err(|source| ProfileError::Write { path: dir.clone(), source })?;
        let path: PathBuf = dir.join("write.lock");
        let file = OpenOptions::new()
            .create(true)
            .truncate(false)
            .read(true)
            .write(true)
            .open(&path)
            .map_err(|source| ProfileError::Write { path: path.clone(), source })?;
        let deadline = Instant::now() + wait;
        loop {
            let attempt = file.try_lock();
            match attempt {
                Ok(()) => return Ok(Self { home: home.clone(), _file: file }),
                Err(TryLockError::WouldBlock) if Instant::now() < deadline => std::thread::sleep(Duration::from_millis(10)),
                Err(TryLockError::WouldBlock) => return Err(ProfileError::Busy { path }),
                Err(TryLockError::Error(source)) => return Err(ProfileError::Write { path, source }),
            }
        }
    }

    /// The home this lock guards.
    pub fn home(&self) -> &ProfileHome {
        &self.home
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn finding_04_a_second_writer_waits_and_then_gives_up_naming_the_lock() {
        let dir = tempfile::tempdir().unwrap();
        let home = ProfileHome::plain(dir.path());
        let first = WriteLock::acquire(&home).unwrap();
        let err = WriteLock::acquire_within(&home, Duration::from_millis(50)).unwrap_err();
        assert!(matches!(err, ProfileError::Busy { .. }), "{err}");
        assert!(err.to_string().contains("write.lock"), "{err}");
        drop(first);
        assert!(WriteLock::acquire_within(&home, Duration::from_millis(50)).is_ok(), "released on drop");
    }
}
