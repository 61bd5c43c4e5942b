//! One error shape at every boundary — `{kind, message, hint}` — so the CLI, the JSON output and
//! the desktop app all tell a person what went wrong and what to do next.

use serde::Serialize;
use ts_rs::TS;

/// What the UI branches on. Add a kind only when a face treats it differently.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, TS)]
#[serde(rename_all = "camelCase")]
pub enum ErrorKind {
    /// The configuration or the command line is wrong: exit code 3.
    Config,
    /// The org policy file is wrong or forbids the change: exit code 3.
    Policy,
    /// A file could not be read or written.
    Io,
    /// A network operation failed (DNS, TCP, TLS, HTTP).
    Network,
    /// The sandbox guard refused a non-loopback address.
    Guard,
    /// The built-in sandbox could not start or stopped.
    Sandbox,
    /// The command exists but is not built yet.
    NotBuilt,
    /// A bug: the message says what, the hint where to report it.
    Internal,
}

impl ErrorKind {
    /// The CLI's documented exit code for a failure of this kind.
    pub fn exit_code(self) -> u8 {
        match self {
            ErrorKind::Config | ErrorKind::Policy => 3,
            _ => 2,
        }
    }
}

/// Implemented by every module's error enum: a stable kind and a next step.
pub trait Diagnose: std::error::Error {
    fn kind(&self) -> ErrorKind;
    /// What to do next, in the spirit of rustup's `help:` lines. Never empty.
    fn hint(&self) -> String;
}

/// The serialized error at the IPC and `--json` boundary.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, TS)]
#[serde(rename_all = "camelCase")]
pub struct IpcError {
    pub kind: ErrorKind,
    pub message: String,
    pub hint: String,
}

impl IpcError {
    pub fn from_diagnose(err: &(impl Diagnose + ?Sized)) -> Self {
        Self { kind: err.kind(), message: err.to_string(), hint: err.hint() }
    }

    pub fn new(kind: ErrorKind, message: impl Into<String>, hint: impl Into<String>) -> Self {
        Self { kind, message: message.into(), hint: hint.into() }
    }
}

impl std::fmt::Display for IpcError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "{}", self.message)
    }
}

impl std::error::Error for IpcError {}

impl Diagnose for IpcError {
    fn kind(&self) -> ErrorKind {
        self.kind
    }
    fn hint(&self) -> String {
        self.hint.clone()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn serializes_as_kind_message_hint() {
        let e = IpcError::new(ErrorKind::NotBuilt, "doctor is not built yet", "use --help");
        let json = serde_json::to_string(&e).unwrap();
        assert_eq!(json, r#"{"kind":"notBuilt","message":"doctor is not built yet","hint":"use --help"}"#);
    }

    #[test]
    fn config_errors_exit_3_others_2() {
        assert_eq!(ErrorKind::Config.exit_code(), 3);
        assert_eq!(ErrorKind::Policy.exit_code(), 3);
        assert_eq!(ErrorKind::Network.exit_code(), 2);
        assert_eq!(ErrorKind::Guard.exit_code(), 2);
    }
}
