//! `foundry-onboard secret set|print|delete NAME`: the keyring, never argv, never a file.

use crate::args::{Global, SecretCommand};
use crate::output::report_error;
use foundry_onboard_core::secrets::{self, SecretStore};
use foundry_onboard_core::{ErrorKind, IpcError, Secret};
use std::io::{IsTerminal, Read, Write};

pub fn run(global: &Global, cmd: SecretCommand) -> u8 {
    let loaded = match super::config::load(global) {
        Ok(l) => l,
        Err(code) => return code,
    };
    let store = SecretStore::for_realm(&loaded.config.realm());
    match cmd {
        SecretCommand::Set { name, no_verify } => {
            let value = match read_secret(&name) {
                Ok(v) => v,
                Err(e) => return report_error(global.json, &e),
            };
            if name == foundry_onboard_core::profile::FOUNDRY_API_KEY
                && !no_verify
                && let Err(code) = verify_key(global, &loaded.config, &value)
            {
                return code;
            }
            match store.set(&name, &value) {
                Ok(()) => {
                    if global.json {
                        println!("{}", serde_json::json!({"ok": true, "name": name, "stored": true}));
                    } else {
                        eprintln!("Saved {name} in the {} keyring.", if loaded.config.is_sandbox() { "sandbox's" } else { "OS" });
                    }
                    0
                }
                Err(e) => report_error(global.json, &e),
            }
        }
        SecretCommand::Print { name, force } => {
            if std::io::stdout().is_terminal() && !force {
                return report_error(
                    global.json,
                    &IpcError::new(
                        ErrorKind::Config,
                        "refusing to print a secret to a terminal",
                        "This is for the shell profile (`$(foundry-onboard secret print NAME)`); add --force to show it anyway.",
                    ),
                );
            }
            match store.get(&name) {
                Ok(v) => {
                    let mut out = std::io::stdout();
                    let _ = out.write_all(v.expose().as_bytes());
                    let _ = out.flush();
                    0
                }
                Err(e) => report_error(global.json, &e),
            }
        }
        SecretCommand::Delete { name } => match store.delete(&name) {
            Ok(()) => {
                if !global.json {
                    eprintln!("Deleted {name}.");
                } else {
                    println!("{}", serde_json::json!({"ok": true, "name": name, "deleted": true}));
                }
                0
            }
            Err(e) => report_error(global.json, &e),
        },
    }
}

/// A one-token call to the sonnet deployment with the key, before it is saved.
fn verify_key(global: &Global, config: &foundry_onboard_core::config::Config, key: &Secret) -> Result<(), u8> {
    use foundry_onboard_core::foundry::{Credential, probe};
    use foundry_onboard_core::net::{Network, Timeouts};
    let Some(sonnet) = config.models.sonnet.clone() else {
        return Err(report_error(
            global.json,
            &IpcError::new(
                ErrorKind::Config,
                "cannot check the key: no sonnet deployment is chosen",
                "Choose the deployments first (`profile write --sonnet …`), or pass --no-verify.",
            ),
        ));
    };
    let rt = super::runtime().map_err(|e| report_error(global.json, &IpcError::new(ErrorKind::Internal, e.to_string(), "Report this as a bug.")))?;
    let result = rt.block_on(async {
        let net = Network::new(config, Timeouts::from_total_ms(global.timeout_ms))?;
        probe(&net, config, &sonnet, Credential::ApiKey(key)).await
    });
    match result {
        Ok(ms) => {
            if !global.json {
                eprintln!("Checked: {sonnet} answered a one-token request with this key in {ms} ms.");
            }
            Ok(())
        }
        Err(e) => {
            let mut err = IpcError::from_diagnose(&e);
            err.message = format!("the key was not saved: {}", err.message);
            err.hint = format!("{} (To store it anyway, e.g. offline: --no-verify.)", err.hint);
            Err(report_error(global.json, &err))
        }
    }
}

/// From a pipe: everything, minus one trailing newline (`echo key |`). From a terminal: a prompt
/// without echo. Checked before anything is done with it: no control character, not over
/// `MAX_SECRET_BYTES` — a longer input is an error, never cut.
fn read_secret(name: &str) -> Result<Secret, IpcError> {
    let io = |e: std::io::Error| {
        IpcError::new(ErrorKind::Io, format!("cannot read the secret: {e}"), "Pipe it in: `printf %s \"$KEY\" | foundry-onboard secret set NAME`.")
    };
    let secret = if std::io::stdin().is_terminal() {
        rpassword::prompt_password(format!("Paste {name} (it is not shown), then press Enter: ")).map(Secret::new).map_err(io)?
    } else {
        // One byte more than the longest value with its "\r\n" tells an over-long input apart.
        let limit = secrets::MAX_SECRET_BYTES + 2;
        let mut bytes = Vec::new();
        std::io::stdin().take(limit as u64 + 1).read_to_end(&mut bytes).map_err(io)?;
        if bytes.len() > limit {
            return Err(IpcError::from_diagnose(&secrets::SecretError::TooLong));
        }
        let text = String::from_utf8(bytes).map_err(|_| io(std::io::Error::new(std::io::ErrorKind::InvalidData, "it is not UTF-8 text")))?;
        let trimmed = text.strip_suffix('\n').map(|t| t.strip_suffix('\r').unwrap_or(t)).unwrap_or(&text);
        Secret::new(trimmed.to_string())
    };
    secrets::check(name, &secret).map_err(|e| IpcError::from_diagnose(&e))?;
    Ok(secret)
}
