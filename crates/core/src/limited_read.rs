//! Every file the product reads from disk is read with a size limit, so that `--config /dev/zero`,
//! a runaway log or a hostile repository's settings file cannot grow the process without bound.
//! The error says which limit was hit; callers keep their own error types (it is an `io::Error`
//! of kind `FileTooLarge`).

use std::io::Read;
use std::path::Path;

/// A kind of file and the most we read of it.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Limit {
    /// What the file is, for the error: "a config file".
    pub what: &'static str,
    pub bytes: u64,
}

const MIB: u64 = 1024 * 1024;

impl Limit {
    /// `config.toml` and the org policy: hand-written, a few KiB.
    pub const CONFIG: Limit = Limit { what: "a config or policy file", bytes: MIB };
    /// A shell start-up file (`.bashrc`, `.zshrc`, the fish and PowerShell profiles).
    pub const SHELL_PROFILE: Limit = Limit { what: "a shell profile", bytes: 32 * MIB };
    /// Claude Code's `settings.json` (user, project, `--settings`).
    pub const SETTINGS_JSON: Limit = Limit { what: "a Claude Code settings file", bytes: 4 * MIB };
    /// Our own state and backups index.
    pub const STATE: Limit = Limit { what: "Foundry Onboard's profile state", bytes: 64 * MIB };
    /// A PEM bundle (`network.extra_ca_file`, the sandbox CA).
    pub const CA_BUNDLE: Limit = Limit { what: "a CA certificate bundle", bytes: 8 * MIB };
    /// The system's hosts file, which the doctor reads for overrides.
    pub const HOSTS_FILE: Limit = Limit { what: "the hosts file", bytes: 16 * MIB };
    /// az's `azureProfile.json` and similar small files of other tools.
    pub const TOOL_STATE: Limit = Limit { what: "a file of another tool's state", bytes: 16 * MIB };

    fn describe(self) -> String {
        if self.bytes.is_multiple_of(MIB) { format!("{} MiB", self.bytes / MIB) } else { format!("{} bytes", self.bytes) }
    }
}

/// Reads the whole file, or fails with `FileTooLarge` naming the limit once it passes `limit`.
/// Only `limit + 1` bytes are ever read, whatever the file is (a device, a pipe, a huge file).
pub fn read(path: &Path, limit: Limit) -> std::io::Result<Vec<u8>> {
    let file = std::fs::File::open(path)?;
    let mut bytes = Vec::new();
    file.take(limit.bytes.saturating_add(1)).read_to_end(&mut bytes)?;
    if bytes.len() as u64 > limit.bytes {
        return Err(std::io::Error::new(std::io::ErrorKind::FileTooLarge, format!("it is larger than {}, the limit for {}", limit.describe(), limit.what)));
    }
    Ok(bytes)
}

/// [`read`], as UTF-8 text (invalid UTF-8 is an `InvalidData` error).
pub fn read_to_string(path: &Path, limit: Limit) -> std::io::Result<String> {
    String::from_utf8(read(path, limit)?).map_err(|_| std::io::Error::new(std::io::ErrorKind::InvalidData, "it is not valid UTF-8 text"))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn an_endless_device_stops_at_the_limit_and_names_it() {
        let small = Limit { what: "a test file", bytes: 4096 };
        let err = read(Path::new("/dev/zero"), small).unwrap_err();
        assert_eq!(err.kind(), std::io::ErrorKind::FileTooLarge);
        assert_eq!(err.to_string(), "it is larger than 4096 bytes, the limit for a test file");
        assert!(Limit::CONFIG.describe() == "1 MiB");
    }

    #[test]
    fn a_file_at_the_limit_is_read_whole() {
        let dir = tempfile::tempdir().unwrap();
        let p = dir.path().join("f");
        std::fs::write(&p, vec![b'a'; 4096]).unwrap();
        assert_eq!(read(&p, Limit { what: "x", bytes: 4096 }).unwrap().len(), 4096);
        assert_eq!(read(&p, Limit { what: "x", bytes: 4095 }).unwrap_err().kind(), std::io::ErrorKind::FileTooLarge);
        std::fs::write(&p, b"\xff").unwrap();
        assert_eq!(read_to_string(&p, Limit::CONFIG).unwrap_err().kind(), std::io::ErrorKind::InvalidData);
        assert_eq!(read(&dir.path().join("missing"), Limit::CONFIG).unwrap_err().kind(), std::io::ErrorKind::NotFound);
    }
}
