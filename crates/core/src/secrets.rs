//! Keys and tokens live in the OS keyring — the Secret Service on Linux, the Keychain on macOS,
//! the Credential Manager on Windows — never in a file. The sandbox keeps its own service name
//! so it can never read or overwrite a real credential.

use crate::Secret;
use crate::error::{Diagnose, ErrorKind};
use std::sync::OnceLock;

const SERVICE: &str = "foundry-onboard";
const SANDBOX_SERVICE: &str = "foundry-onboard-sandbox";
/// The secrets the app knows about.
pub const KNOWN: &[&str] = &[crate::profile::FOUNDRY_API_KEY, crate::profile::GATEWAY_KEY];

#[derive(Debug, thiserror::Error)]
pub enum SecretError {
    #[error("unknown secret name {0:?}")]
    UnknownName(String),
    #[error("no secret named {0:?} is stored")]
    NotFound(String),
    #[error("the OS keyring is not available: {0}")]
    Unavailable(String),
    #[error("the keyring refused the operation: {0}")]
    Keyring(String),
    #[error("the secret is empty")]
    Empty,
}

impl Diagnose for SecretError {
    fn kind(&self) -> ErrorKind {
        match self {
            SecretError::UnknownName(_) | SecretError::Empty => ErrorKind::Config,
            _ => ErrorKind::Io,
        }
    }
    fn hint(&self) -> String {
        match self {
            SecretError::UnknownName(_) => format!("Known secrets: {}.", KNOWN.join(", ")),
            SecretError::NotFound(n) => format!("Store it with `foundry-onboard secret set {n}` (the value is read from stdin)."),
            SecretError::Unavailable(_) => {
                "Unlock your login keyring (on Linux: a running Secret Service such as gnome-keyring, and a D-Bus session), then try again.".into()
            }
            SecretError::Keyring(_) => "Unlock the keyring and try again; if it keeps failing, check the keyring application's own log.".into(),
            SecretError::Empty => "Paste the key itself, then press Enter (or pipe it in).".into(),
        }
    }
}

fn init_store() -> Result<(), String> {
    static INIT: OnceLock<Result<(), String>> = OnceLock::new();
    INIT.get_or_init(|| {
        #[cfg(target_os = "linux")]
        {
            let store = zbus_secret_service_keyring_store::Store::new().map_err(|e| e.to_string())?;
            keyring_core::set_default_store(store);
        }
        #[cfg(target_os = "macos")]
        {
            let store = apple_native_keyring_store::keychain::Store::new().map_err(|e| e.to_string())?;
            keyring_core::set_default_store(store);
        }
        #[cfg(windows)]
        {
            let store = windows_native_keyring_store::Store::new().map_err(|e| e.to_string())?;
            keyring_core::set_default_store(store);
        }
        Ok(())
    })
    .clone()
}

/// Uses keyring-core's in-memory mock store (tests only).
pub fn use_mock_store() {
    keyring_core::set_default_store(keyring_core::mock::Store::new().unwrap_or_else(|_| unreachable!("the mock store cannot fail")));
}

/// The keyring, scoped to the real app or to the sandbox.
#[derive(Debug, Clone)]
pub struct SecretStore {
    service: &'static str,
}

impl SecretStore {
    pub fn new(sandbox: bool) -> Self {
        Self { service: if sandbox { SANDBOX_SERVICE } else { SERVICE } }
    }

    fn entry(&self, name: &str) -> Result<keyring_core::Entry, SecretError> {
        if !KNOWN.contains(&name) {
            return Err(SecretError::UnknownName(name.into()));
        }
        if keyring_core::get_default_store().is_none() {
            init_store().map_err(SecretError::Unavailable)?;
        }
        keyring_core::Entry::new(self.service, name).map_err(map_err)
    }

    pub fn set(&self, name: &str, value: &Secret) -> Result<(), SecretError> {
        if value.expose().trim().is_empty() {
            return Err(SecretError::Empty);
        }
        self.entry(name)?.set_password(value.expose()).map_err(map_err)
    }

    pub fn get(&self, name: &str) -> Result<Secret, SecretError> {
        match self.entry(name)?.get_password() {
            Ok(v) => Ok(Secret::new(v)),
            Err(keyring_core::Error::NoEntry) => Err(SecretError::NotFound(name.into())),
            Err(e) => Err(map_err(e)),
        }
    }

    pub fn delete(&self, name: &str) -> Result<(), SecretError> {
        match self.entry(name)?.delete_credential() {
            Ok(()) => Ok(()),
            Err(keyring_core::Error::NoEntry) => Err(SecretError::NotFound(name.into())),
            Err(e) => Err(map_err(e)),
        }
    }
}

fn map_err(e: keyring_core::Error) -> SecretError {
    match e {
        keyring_core::Error::NoDefaultStore | keyring_core::Error::NoStorageAccess(_) | keyring_core::Error::PlatformFailure(_) => {
            SecretError::Unavailable(e.to_string())
        }
        other => SecretError::Keyring(other.to_string()),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn round_trip_on_the_mock_store_and_sandbox_is_separate() {
        use_mock_store();
        let real = SecretStore::new(false);
        let sandbox = SecretStore::new(true);
        real.set("foundry-api-key", &Secret::new("real-key")).unwrap();
        assert!(matches!(sandbox.get("foundry-api-key"), Err(SecretError::NotFound(_))));
        assert_eq!(real.get("foundry-api-key").unwrap().expose(), "real-key");
        assert!(matches!(real.set("nope", &Secret::new("x")), Err(SecretError::UnknownName(_))));
        assert!(matches!(real.set("gateway-key", &Secret::new("  ")), Err(SecretError::Empty)));
        real.delete("foundry-api-key").unwrap();
        assert!(matches!(real.delete("foundry-api-key"), Err(SecretError::NotFound(_))));
    }
}
