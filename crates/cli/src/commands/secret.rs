//! `foundry-onboard secret set|print|delete NAME`: the keyring, never argv, never a file.

use crate::args::{Global, SecretCommand};
use crate::failure::{CliError, Exit, Failure, Outcome, runtime};
use crate::output::emit;
use foundry_onboard_core::Secret;
use foundry_onboard_core::keyring::{self, SecretStore};
use std::io::{IsTerminal, Read, Write};

/// What `secret set` and `secret delete` did, by name (never the value).
#[derive(serde::Serialize)]
struct Stored<'a> {
    name: &'a str,
    #[serde(skip_serializing_if = "Option::is_none")]
    stored: Option<bool>,
    #[serde(skip_serializing_if = "Option::is_none")]
    deleted: Option<bool>,
}

pub fn run(global: &Global, cmd: SecretCommand) -> Outcome {
    let loaded = super::config::load(global)?;
    let store = SecretStore::for_realm(&loaded.config.realm());
    match cmd {
        SecretCommand::Set { name, no_verify } => {
            let value = read_secret(&name)?;
            if name == foundry_onboard_core::profile::FOUNDRY_API_KEY && !no_verify {
                verify_key(global, &loaded.config, &value)?;
            }
            store.set(&name, &value)?;
            let keyring = if loaded.config.is_sandbox() { "sandbox's" } else { "OS" };
            emit(global.json, &Stored { name: &name, stored: Some(true), deleted: None }, |_| eprintln!("Saved {name} in the {keyring} keyring."));
            Ok(Exit::Ok)
        }
        SecretCommand::Print { name, force } => {
            if std::io::stdout().is_terminal() && !force {
                return Err(CliError::SecretToTerminal.into());
            }
            let v = store.get(&name)?;
            let mut out = std::io::stdout();
            let _ = out.write_all(v.expose().as_bytes());
            let _ = out.flush();
            Ok(Exit::Ok)
        }
        SecretCommand::Delete { name } => {
            store.delete(&name)?;
            emit(global.json, &Stored { name: &name, stored: None, deleted: Some(true) }, |_| eprintln!("Deleted {name}."));
            Ok(Exit::Ok)
        }
    }
}

/// A one-token call to the sonnet deployment with the key, before it is saved.
fn verify_key(global: &Global, config: &foundry_onboard_core::config::Config, key: &Secret) -> Result<(), Failure> {
    use foundry_onboard_core::net::{Network, Timeouts};
    use foundry_onboard_core::probe::{Credential, probe};
    let sonnet = config.models.sonnet.clone().ok_or(CliError::NoSonnetToCheck)?;
    let result = runtime()?.block_on(async {
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
        Err(e) => Err(Failure::from(e).context("the key was not saved").with_flag_hint("to store it anyway, e.g. offline: --no-verify")),
    }
}

/// From a pipe: everything, minus one trailing newline (`echo key |`). From a terminal: a prompt
/// without echo. Checked before anything is done with it: no control character, not over
/// `MAX_SECRET_BYTES` — a longer input is an error, never cut.
fn read_secret(name: &str) -> Result<Secret, Failure> {
    let io = |e: std::io::Error| Failure::from(CliError::ReadSecret(e));
    let secret = if std::io::stdin().is_terminal() {
        rpassword::prompt_password(format!("Paste {name} (it is not shown), then press Enter: ")).map(Secret::new).map_err(io)?
    } else {
        // One byte more than the longest value with its "\r\n" tells an over-long input apart.
        let limit = keyring::MAX_SECRET_BYTES + 2;
        let mut bytes = Vec::new();
        std::io::stdin().take(limit as u64 + 1).read_to_end(&mut bytes).map_err(io)?;
        if bytes.len() > limit {
            return Err(keyring::SecretError::TooLong.into());
        }
        let text = String::from_utf8(bytes).map_err(|_| io(std::io::Error::new(std::io::ErrorKind::InvalidData, "it is not UTF-8 text")))?;
        let trimmed = text.strip_suffix('\n').map(|t| t.strip_suffix('\r').unwrap_or(t)).unwrap_or(&text);
        Secret::new(trimmed.to_string())
    };
    keyring::check(name, &secret)?;
    Ok(secret)
}
