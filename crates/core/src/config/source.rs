//! A TOML file as read from disk, kept with its text so every error can name the file, the line
//! and the key.

use crate::limited_read::{self, Limit};
use std::path::{Path, PathBuf};

/// Every key a config or policy file may set, as `section.key` (used to check `locked`).
pub const KNOWN_KEYS: &[&str] = &[
    "azure.tenant",
    "azure.subscription",
    "azure.arm_url",
    "azure.authority_url",
    "azure.login",
    "foundry.resource",
    "foundry.base_url",
    "foundry.via_gateway",
    "models.sonnet",
    "models.haiku",
    "models.opus",
    "models.choose",
    "gateway.url",
    "gateway.kind",
    "gateway.auth",
    "gateway.scope",
    "network.dns_servers",
    "network.expected_cidrs",
    "network.max_latency_ms",
    "network.extra_ca_file",
    "profile.shells",
    "profile.claude_settings",
    "profile.max_output_tokens",
    "usage.source",
    "usage.endpoint",
    "usage.workspace",
    "usage.resource_id",
    "usage.preset",
    "usage.query_file",
    "usage.user_dimension",
    "usage.user_claim",
    "usage.refresh_minutes",
    "usage.alert_percent",
    "usage.budget",
    "usage.budget.limit",
    "usage.budget.unit",
    "usage.budget.period",
    "usage.budget.reset_day",
    "usage.budget.team_limit",
    "usage.prices",
];

#[derive(Debug, Clone)]
pub struct SourceFile {
    pub path: PathBuf,
    pub text: String,
}

/// Why a config or policy file could not be read as text.
#[derive(Debug)]
pub enum ReadError {
    /// Missing, unreadable, or larger than [`Limit::CONFIG`] (the message names the limit).
    Io(std::io::Error),
    /// Not UTF-8: the line of the first bad byte and what it is.
    NotUtf8 { line: usize, message: String },
}

impl SourceFile {
    pub fn new(path: impl Into<PathBuf>, text: impl Into<String>) -> Self {
        Self { path: path.into(), text: text.into() }
    }

    /// Reads a config or policy file, at most [`Limit::CONFIG`] of it (`--config /dev/zero` stops
    /// there), as UTF-8 text.
    pub fn read(path: &Path) -> Result<Self, ReadError> {
        let bytes = limited_read::read(path, Limit::CONFIG).map_err(ReadError::Io)?;
        String::from_utf8(bytes).map(|text| Self::new(path, text)).map_err(|e| {
            let bytes = e.as_bytes();
            let at = e.utf8_error().valid_up_to();
            let line = bytes[..at].iter().filter(|b| **b == b'\n').count() + 1;
            let column = bytes[..at].iter().rev().take_while(|b| **b != b'\n').count() + 1;
            let bad = bytes.get(at).map(|b| format!("byte 0x{b:02x}")).unwrap_or_else(|| "the last bytes".into());
            ReadError::NotUtf8 { line, message: format!("{bad} at column {column} is not UTF-8; a config or policy file is UTF-8 TOML text") }
        })
    }

    pub fn path(&self) -> &Path {
        &self.path
    }

    /// 1-based line of a byte offset.
    pub fn line_of(&self, offset: usize) -> usize {
        let end = offset.min(self.text.len());
        self.text.as_bytes()[..end].iter().filter(|b| **b == b'\n').count() + 1
    }

    /// The line where a dotted key (`foundry.base_url`) is set, if it is set in this file.
    pub fn line_of_key(&self, dotted: &str) -> Option<usize> {
        let parsed = toml::de::DeTable::parse(&self.text).ok()?;
        let mut table = parsed.get_ref();
        let mut parts = dotted.split('.').peekable();
        while let Some(part) = parts.next() {
            let (key, value) = table.iter().find(|(k, _)| k.get_ref().as_ref() == part)?;
            if parts.peek().is_none() {
                return Some(self.line_of(key.span().start));
            }
            match value.get_ref() {
                toml::de::DeValue::Table(t) => table = t,
                _ => return None,
            }
        }
        None
    }

    /// Whether this file sets the dotted key at all.
    pub fn sets(&self, dotted: &str) -> bool {
        self.line_of_key(dotted).is_some()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn finds_the_line_of_a_nested_key() {
        let f = SourceFile::new("c.toml", "# top\n[azure]\ntenant = \"t\"\n\n[foundry]\nbase_url = \"https://x/anthropic\"\n");
        assert_eq!(f.line_of_key("foundry.base_url"), Some(6));
        assert_eq!(f.line_of_key("azure.tenant"), Some(3));
        assert_eq!(f.line_of_key("azure.subscription"), None);
    }

    #[test]
    fn finds_dotted_keys_written_inline() {
        let f = SourceFile::new("c.toml", "models.sonnet = \"a\"\nfoundry = { resource = \"r\" }\n");
        assert_eq!(f.line_of_key("models.sonnet"), Some(1));
        assert_eq!(f.line_of_key("foundry.resource"), Some(2));
    }
}
