//! Each shell's syntax for our variables, quoted so that no value can break out of its string.
//! Values are validated before they get here; quoting is the second line of defence.

use super::{EnvEntry, EnvValue};
use serde::{Deserialize, Serialize};
use ts_rs::TS;

/// A file we write the profile into.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize, TS)]
#[serde(rename_all = "kebab-case")]
pub enum Target {
    Bash,
    Zsh,
    Fish,
    Pwsh,
    ClaudeSettings,
}

impl Target {
    pub const SHELLS: [Target; 4] = [Target::Bash, Target::Zsh, Target::Fish, Target::Pwsh];

    pub fn name(self) -> &'static str {
        match self {
            Target::Bash => "bash",
            Target::Zsh => "zsh",
            Target::Fish => "fish",
            Target::Pwsh => "pwsh",
            Target::ClaudeSettings => "claude-settings",
        }
    }

    pub fn from_shell(shell: crate::config::Shell) -> Self {
        match shell {
            crate::config::Shell::Bash => Target::Bash,
            crate::config::Shell::Zsh => Target::Zsh,
            crate::config::Shell::Fish => Target::Fish,
            crate::config::Shell::Pwsh => Target::Pwsh,
        }
    }
}

/// `'…'` for POSIX shells: a `'` inside becomes `'\''`.
pub fn posix_quote(v: &str) -> String {
    format!("'{}'", v.replace('\'', r"'\''"))
}

/// `'…'` for fish: `\` and `'` are escaped with a backslash.
pub fn fish_quote(v: &str) -> String {
    format!("'{}'", v.replace('\\', r"\\").replace('\'', r"\'"))
}

/// `'…'` for PowerShell: a `'` inside is doubled.
pub fn pwsh_quote(v: &str) -> String {
    format!("'{}'", v.replace('\'', "''"))
}

/// The body lines of the block for one shell (not for the settings file).
pub fn shell_lines(target: Target, entries: &[EnvEntry], cli: &[String]) -> Vec<String> {
    let mut out = Vec::new();
    let quoted = |q: fn(&str) -> String| cli.iter().map(|a| q(a)).collect::<Vec<_>>().join(" ");
    let (posix_cli, fish_cli, pwsh_cli) = (quoted(posix_quote), quoted(fish_quote), quoted(pwsh_quote));
    for e in entries {
        match (&e.value, target) {
            (EnvValue::Literal(v), Target::Bash | Target::Zsh) => out.push(format!("export {}={}", e.name, posix_quote(v))),
            (EnvValue::Literal(v), Target::Fish) => out.push(format!("set -gx {} {}", e.name, fish_quote(v))),
            (EnvValue::Literal(v), Target::Pwsh) => out.push(format!("$env:{} = {}", e.name, pwsh_quote(v))),
            // A secret comes from the keyring at shell start; if the keyring is unavailable the
            // variable is left unset and the shell starts normally (the doctor reports it).
            (EnvValue::Keyring { secret, prefix }, Target::Bash | Target::Zsh) => out.push(format!(
                "if __fo_v=\"$({} secret print {} 2>/dev/null)\" && [ -n \"$__fo_v\" ]; then export {}={}\"$__fo_v\"; fi; unset __fo_v",
                posix_cli,
                secret,
                e.name,
                posix_quote(prefix)
            )),
            (EnvValue::Keyring { secret, prefix }, Target::Fish) => out.push(format!(
                "if set -l __fo_v ({} secret print {} 2>/dev/null); and test -n \"$__fo_v\"; set -gx {} {}\"$__fo_v\"; end",
                fish_cli,
                secret,
                e.name,
                fish_quote(prefix)
            )),
            (EnvValue::Keyring { secret, prefix }, Target::Pwsh) => out.push(format!(
                "try {{ $__fo_v = & {} secret print {} 2>$null; if ($LASTEXITCODE -eq 0 -and $__fo_v) {{ $env:{} = {} + $__fo_v }} }} catch {{ }}; Remove-Variable __fo_v -ErrorAction SilentlyContinue",
                pwsh_cli,
                secret,
                e.name,
                pwsh_quote(prefix)
            )),
            (_, Target::ClaudeSettings) => {}
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn quoting_survives_hostile_values() {
        assert_eq!(posix_quote("a'b"), r"'a'\''b'");
        assert_eq!(fish_quote(r"a\'b"), r"'a\\\'b'");
        assert_eq!(pwsh_quote("a'b"), "'a''b'");
        assert_eq!(posix_quote("$(rm -rf /)"), "'$(rm -rf /)'");
    }
}
