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

/// Implemented by every module's error enum: a stable kind and a next step.
pub trait Diagnose: std::error::Error {
    fn kind(&self) -> ErrorKind;
    /// What to do next, in the spirit of rustup's `help:` lines. Never empty.
    fn hint(&self) -> String;
}

/// The serialized error at the app's IPC boundary (and inside the DTOs that carry a problem to a
/// face, like `SignInStatus`). Built only from a module's error through `From`, never by hand in
/// the domain; the CLI prints the same three fields from [`Diagnose`] directly.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, TS)]
#[serde(rename_all = "camelCase")]
pub struct IpcError {
    pub kind: ErrorKind,
    pub message: String,
    pub hint: String,
}

impl<E: Diagnose> From<E> for IpcError {
    fn from(err: E) -> Self {
        Self { kind: err.kind(), message: err.to_string(), hint: err.hint() }
    }
}

impl std::fmt::Display for IpcError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "{}", self.message)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[derive(Debug, thiserror::Error)]
    #[error("usage is not built yet")]
    struct NotYet;

    impl Diagnose for NotYet {
        fn kind(&self) -> ErrorKind {
            ErrorKind::NotBuilt
        }
        fn hint(&self) -> String {
            "Check for a newer release.".into()
        }
    }

    #[test]
    fn any_module_error_serializes_as_kind_message_hint() {
        let json = serde_json::to_string(&IpcError::from(NotYet)).unwrap();
        assert_eq!(json, r#"{"kind":"notBuilt","message":"usage is not built yet","hint":"Check for a newer release."}"#);
    }
}
