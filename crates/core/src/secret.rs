//! A string that must never reach a log, a report, an error message or the screen by accident.

use std::fmt;

/// Holds a key or token. `Debug` and `Display` print `***`, so a secret cannot leak through
/// `tracing` fields, `format!` or a derived `Debug` of a struct that contains it. The only way
/// out is [`Secret::expose`], which is easy to grep for.
#[derive(Clone, PartialEq, Eq)]
pub struct Secret(String);

impl Secret {
    pub fn new(value: impl Into<String>) -> Self {
        Self(value.into())
    }

    /// The raw value, for the one place that must send it (an HTTP header, the keyring).
    pub fn expose(&self) -> &str {
        &self.0
    }

    pub fn is_empty(&self) -> bool {
        self.0.is_empty()
    }
}

impl fmt::Debug for Secret {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("***")
    }
}

impl fmt::Display for Secret {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("***")
    }
}

impl From<String> for Secret {
    fn from(value: String) -> Self {
        Self(value)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[derive(Debug)]
    #[allow(dead_code)] // the field is read only through Debug
    struct Holder {
        key: Secret,
    }

    #[test]
    fn never_prints_its_value() {
        let s = Secret::new("sk-live-123456");
        assert_eq!(format!("{s}"), "***");
        assert_eq!(format!("{s:?}"), "***");
        let h = Holder { key: s.clone() };
        assert!(!format!("{h:?}").contains("sk-live"));
        assert_eq!(s.expose(), "sk-live-123456");
    }
}
