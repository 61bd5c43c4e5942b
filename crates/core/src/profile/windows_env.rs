//! Windows user environment variables (`HKCU\Environment`): what Claude Code started from the
//! Start menu or an IDE sees, where no shell rc file is read. Written with `setx` (which tells
//! running programs the environment changed) and removed with `reg delete`. Never a secret: keys
//! stay in the keyring and reach Claude Code through the shell profiles only.
//!
//! The commands are built (and unit-tested) on every OS; they run only on Windows. This machine
//! cannot run or even compile for Windows, so that part is untested here.

use super::{ProfileError, ProfileSpec};

pub const KEY: &str = r"HKCU\Environment";

/// `setx NAME VALUE` for each variable the profile sets literally (no keyring values).
pub fn set_commands(spec: &ProfileSpec) -> Vec<Vec<String>> {
    spec.literal_entries().map(|(name, value)| vec!["setx".to_string(), name.to_string(), value.to_string()]).collect()
}

/// `reg delete HKCU\Environment /v NAME /f` for each variable the profile sets literally.
pub fn remove_commands(spec: &ProfileSpec) -> Vec<Vec<String>> {
    spec.literal_entries()
        .map(|(name, _)| vec!["reg".to_string(), "delete".to_string(), KEY.to_string(), "/v".to_string(), name.to_string(), "/f".to_string()])
        .collect()
}

/// Runs the commands (each value is one argument: no shell parses it).
#[cfg(windows)]
pub fn run(commands: &[Vec<String>]) -> Result<(), ProfileError> {
    for c in commands {
        let status = std::process::Command::new(&c[0])
            .args(&c[1..])
            .stdout(std::process::Stdio::null())
            .status()
            .map_err(|source| ProfileError::Write { path: KEY.into(), source })?;
        if !status.success() && c[0] == "setx" {
            return Err(ProfileError::Write { path: KEY.into(), source: std::io::Error::other(format!("{} exited with {status}", c.join(" "))) });
        }
    }
    Ok(())
}

#[cfg(not(windows))]
pub fn run(_commands: &[Vec<String>]) -> Result<(), ProfileError> {
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::config::{Config, LoginMode};

    #[test]
    fn literal_values_only_each_one_argument() {
        let mut c = Config::default();
        c.foundry.endpoint = Some(crate::config::FoundryEndpoint::at("https://my ai.example/anthropic".replace(' ', "-")).unwrap());
        c.models.sonnet = Some("s".into());
        c.models.haiku = Some("h".into());
        c.models.opus = Some("o".into());
        c.azure.login = LoginMode::ApiKey;
        let spec = ProfileSpec::from_config(&c).unwrap();
        let set = set_commands(&spec);
        assert!(set.iter().all(|cmd| cmd[0] == "setx" && cmd.len() == 3));
        assert!(set.iter().any(|cmd| cmd[1] == "ANTHROPIC_DEFAULT_OPUS_MODEL" && cmd[2] == "o"));
        assert!(!set.iter().any(|cmd| cmd[1] == "ANTHROPIC_FOUNDRY_API_KEY"), "the key never goes to the registry");
        let rm = remove_commands(&spec);
        assert_eq!(rm.len(), set.len());
        assert_eq!(rm[0][2], r"HKCU\Environment");
    }
}
