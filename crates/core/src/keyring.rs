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
/// The longest secret kept: far above any API key or gateway token, and within what an HTTP
/// server accepts in one header.
pub const MAX_SECRET_BYTES: usize = 16 * 1024;

/// What every secret must be on its way into the keyring and on its way out (a value stored by an
/// older version is checked again before it becomes a header): not empty, not over
/// [`MAX_SECRET_BYTES`], and free of control characters — a line break in a gateway key would
/// otherwise put a header of its own into `ANTHROPIC_CUSTOM_HEADERS`.
pub fn check(name: &str, value: &Secret) -> Result<(), SecretError> {
    let v = value.expose();
    if v.trim().is_empty() {
        return Err(SecretError::Empty);
    }
    if v.len() > MAX_SECRET_BYTES {
        return Err(SecretError::TooLong);
    }
    match v.chars().find(|c| c.is_control()) {
        Some(c) => Err(SecretError::ControlCharacter { name: name.to_string(), code: u32::from(c) }),
        None => Ok(()),
    }
}

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
    /// The value itself is never part of the message; the character's code point is.
    #[error("the secret {name} holds a control character (U+{code:04X}); sent as a header it could add headers of its own")]
    ControlCharacter { name: String, code: u32 },
    #[error("the secret is too long (more than {max} bytes)", max = MAX_SECRET_BYTES)]
    TooLong,
}

impl Diagnose for SecretError {
    fn kind(&self) -> ErrorKind {
        match self {
            SecretError::UnknownName(_) | SecretError::Empty | SecretError::ControlCharacter { .. } | SecretError::TooLong => ErrorKind::Config,
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
            SecretError::ControlCharacter { name, .. } => format!(
                "Store the key alone, on one line, with `foundry-onboard secret set {name}` (one trailing newline from `echo` is fine; a line break or escape inside is not)."
            ),
            SecretError::TooLong => "Check that you piped in the key and nothing else (not a file or a whole response).".into(),
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

    /// The keyring of a config's realm: the sandbox keeps its own service name.
    pub fn for_realm(realm: &crate::realm::Realm) -> Self {
        Self::new(realm.is_sandbox())
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
        check(name, value)?;
        self.entry(name)?.set_password(value.expose()).map_err(map_err)
    }

    /// The stored value, checked again ([`check`]) before anyone sends it.
    pub fn get(&self, name: &str) -> Result<Secret, SecretError> {
        match self.entry(name)?.get_password() {
            Ok(v) => {
                let secret = Secret::new(v);
                check(name, &secret)?;
                Ok(secret)
            }
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

    const GATEWAY: &str = crate::profile::GATEWAY_KEY;

    /// The mock store is one per process: tests that use it take turns.
    static MOCK: std::sync::Mutex<()> = std::sync::Mutex::new(());

    #[test]
    fn round_trip_on_the_mock_store_and_sandbox_is_separate() {
        let _turn = MOCK.lock().unwrap_or_else(|p| p.into_inner());
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

    #[test]
    fn finding_12_a_secret_with_a_control_character_or_too_long_is_refused() {
        let _turn = MOCK.lock().unwrap_or_else(|p| p.into_inner());
        use_mock_store();
        let store = SecretStore::new(false);
        for bad in ["sk-123\r\nX-Injected: 1", "sk-123\n", "sk\u{0}123", "sk\u{1b}[2J", "sk\u{85}"] {
            let err = store.set(GATEWAY, &Secret::new(bad)).unwrap_err();
            let text = format!("{err} {}", err.hint());
            assert!(text.contains("control character") && !text.contains("sk-123") && !text.contains("X-Injected"), "{text}");
            assert!(matches!(store.get(GATEWAY), Err(SecretError::NotFound(_))), "nothing was stored for {bad:?}");
        }
        let long = "k".repeat(64 * 1024 + 1);
        let err = store.set(GATEWAY, &Secret::new(long.clone())).unwrap_err();
        assert!(err.to_string().contains("too long"), "{err}");
        store.set(GATEWAY, &Secret::new("sk-good_value.with/other+chars=")).unwrap();
        store.delete(GATEWAY).unwrap();
    }

    #[test]
    fn finding_12_a_stored_secret_with_a_line_break_is_not_handed_out() {
        let _turn = MOCK.lock().unwrap_or_else(|p| p.into_inner());
        use_mock_store();
        // As an older version could have stored it, past today's check.
        keyring_core::Entry::new(SERVICE, GATEWAY).unwrap().set_password("sk-123\r\nX-Injected: 1").unwrap();
        let err = SecretStore::new(false).get(GATEWAY).unwrap_err();
        let text = format!("{err} {}", err.hint());
        assert!(text.contains("control character") && text.contains("secret set gateway-key") && !text.contains("X-Injected"), "{text}");
    }
}
