//! Each shell's syntax for our variables, quoted so that no value can break out of its string —
//! for every quote character each shell's grammar knows. Values are validated before they get
//! here (no control character, nothing no URL can hold); quoting is the second line of defence.

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

/// `'…'` for bash and zsh: inside, only `'` ends the string (no escape works there), so each
/// becomes `'\''` — close, an escaped quote, reopen. Every `'` we emit inside is followed by `\`,
/// so zsh's `RC_QUOTES` (`''` as a quote) reads it the same.
pub fn posix_quote(v: &str) -> String {
    format!("'{}'", v.replace('\'', r"'\''"))
}

/// `'…'` for fish: inside, `\'` and `\\` are its only escapes, so `\` and `'` get a backslash.
pub fn fish_quote(v: &str) -> String {
    format!("'{}'", v.replace('\\', r"\\").replace('\'', r"\'"))
}

/// PowerShell's single-quote characters: a `'…'` string ends on any of them, not only on `'`
/// (the language specification, §2.3.5.2 "String literals").
pub const PWSH_SINGLE_QUOTES: [char; 5] = ['\'', '\u{2018}', '\u{2019}', '\u{201A}', '\u{201B}'];

/// `'…'` for PowerShell: each single-quote character inside is doubled, which PowerShell reads
/// as that one character.
pub fn pwsh_quote(v: &str) -> String {
    let mut out = String::with_capacity(v.len() + 2);
    out.push('\'');
    for c in v.chars() {
        if PWSH_SINGLE_QUOTES.contains(&c) {
            out.push(c);
        }
        out.push(c);
    }
    out.push('\'');
    out
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
    use proptest::prelude::*;
    use std::path::Path;
    use std::process::Command;

    #[test]
    fn quoting_survives_hostile_values() {
        assert_eq!(posix_quote("a'b"), r"'a'\''b'");
        assert_eq!(fish_quote(r"a\'b"), r"'a\\\'b'");
        assert_eq!(pwsh_quote("a'b"), "'a''b'");
        assert_eq!(posix_quote("$(rm -rf /)"), "'$(rm -rf /)'");
    }

    /// PowerShell's single-quote-character (the language specification, §2.3.5.2 "String literals").
    const PWSH_QUOTES: [char; 5] = ['\'', '\u{2018}', '\u{2019}', '\u{201A}', '\u{201B}'];

    /// PowerShell's verbatim-string-literal, as its tokenizer reads it: a single-quote-character
    /// opens it, any other character is itself, two single-quote-characters in a row stand for the
    /// second one, and a lone one closes it. Returns the value and what follows the literal.
    fn pwsh_verbatim(text: &str) -> Option<(String, &str)> {
        let mut chars = text.char_indices().peekable();
        let (_, open) = chars.next()?;
        if !PWSH_QUOTES.contains(&open) {
            return None;
        }
        let mut value = String::new();
        while let Some((i, c)) = chars.next() {
            if PWSH_QUOTES.contains(&c) {
                match chars.peek() {
                    Some(&(_, next)) if PWSH_QUOTES.contains(&next) => {
                        value.push(next);
                        chars.next();
                    }
                    _ => return Some((value, &text[i + c.len_utf8()..])),
                }
            } else {
                value.push(c);
            }
        }
        None
    }

    #[test]
    fn finding_01_pwsh_quote_doubles_every_single_quote_character_of_powershell() {
        let hostile = "https://gw.example/\u{2019};Start-Process calc;\u{2019}/anthropic";
        let line = format!("$env:ANTHROPIC_FOUNDRY_BASE_URL = {}", pwsh_quote(hostile));
        let literal = line.strip_prefix("$env:ANTHROPIC_FOUNDRY_BASE_URL = ").unwrap();
        assert_eq!(pwsh_verbatim(literal), Some((hostile.to_string(), "")), "{line}");
        for q in PWSH_QUOTES {
            let v = format!("corp{q}ca.pem");
            assert_eq!(pwsh_verbatim(&pwsh_quote(&v)), Some((v.clone(), "")), "{q:?}");
        }
    }

    /// Characters that mean something to some shell: every quote, escape, expansion and separator.
    const HOSTILE: &[&str] = &[
        "'",
        "\"",
        "\\",
        "`",
        "$",
        "$(",
        ")",
        "(",
        "{",
        "}",
        "[",
        "]",
        ";",
        "&",
        "|",
        "<",
        ">",
        "#",
        "!",
        "*",
        "?",
        "~",
        "%",
        "^",
        " ",
        "\t",
        "\n",
        "\r",
        "\u{1b}",
        "\u{7}",
        "\u{7f}",
        "\u{85}",
        "\u{2018}",
        "\u{2019}",
        "\u{201A}",
        "\u{201B}",
        "\u{201C}",
        "\u{201D}",
        "\u{201E}",
        "\u{2028}",
        "\u{feff}",
        "''",
        "'\\''",
        "\\'",
        "\\\\",
        "$HOME",
        "${HOME}",
        "$env:HOME",
        "@(",
        "-ErrorAction",
        "--",
        "\u{1}",
        "é",
        "中",
    ];

    /// Each tries to create the file `pwned` in the shell's working directory.
    const PAYLOADS: &[&str] = &[
        "$(touch pwned)",
        "`touch pwned`",
        "(touch pwned)",
        "'; touch pwned; '",
        "\"; touch pwned; \"",
        "\\'; touch pwned; #",
        "'\\''; touch pwned; '\\''",
        "\u{2019}; touch pwned; \u{2019}",
        "\u{2018}; New-Item pwned; \u{2018}",
        "\n touch pwned \n",
        "\r\ntouch pwned\r\n",
        "$(New-Item pwned)",
        "; touch pwned #",
    ];

    fn hostile_value() -> impl Strategy<Value = String> {
        let piece = prop_oneof![
            4 => proptest::sample::select(HOSTILE).prop_map(str::to_string),
            3 => proptest::sample::select(PAYLOADS).prop_map(str::to_string),
            2 => "[a-zA-Z0-9/._:-]{1,6}",
            1 => any::<char>().prop_filter("no NUL: no environment variable can hold one", |c| *c != '\0').prop_map(String::from),
        ];
        proptest::collection::vec(piece, 0..10).prop_map(|v| v.concat())
    }

    /// A file name: no `/`, no NUL, no control character (the block refuses those in a path).
    fn hostile_file_name() -> impl Strategy<Value = String> {
        hostile_value().prop_map(|v| format!("fo{}", v.replace('/', "_").chars().filter(|c| !c.is_control()).take(60).collect::<String>()))
    }

    fn cases(default: u32) -> ProptestConfig {
        ProptestConfig { cases: std::env::var("PROPTEST_CASES").ok().and_then(|v| v.parse().ok()).unwrap_or(default), ..ProptestConfig::default() }
    }

    /// Sources `file` in `program` after its own parser accepted it; the environment it ends with.
    fn source_in(program: &str, file: &Path, dir: &Path) -> Result<std::collections::HashMap<String, Vec<u8>>, String> {
        let script = match program {
            "fish" => "fish --no-config --no-execute $FO_FILE; or exit 97; source $FO_FILE; env -0",
            // RC_QUOTES (`''` inside '…' as a quote) is an option a user's .zshrc may set before our block.
            "zsh" => "zsh -f -n \"$FO_FILE\" || exit 97; setopt rc_quotes; . \"$FO_FILE\"; env -0",
            _ => "bash -n \"$FO_FILE\" || exit 97; . \"$FO_FILE\"; env -0",
        };
        let mut cmd = Command::new(program);
        if program == "fish" {
            cmd.arg("--no-config");
        } else if program == "zsh" {
            cmd.arg("-f");
        }
        let out = cmd
            .arg("-c")
            .arg(script)
            .env_clear()
            .env("PATH", std::env::var_os("PATH").unwrap_or_default())
            .env("HOME", dir)
            .env("XDG_CONFIG_HOME", dir.join(".config"))
            .env("LANG", "C.UTF-8")
            .env("FO_FILE", file)
            .current_dir(dir)
            .stdin(std::process::Stdio::null())
            .output()
            .map_err(|e| format!("{program}: {e}"))?;
        if !out.status.success() {
            return Err(format!("{program} exited {:?} (97: its parser refused the file): {}", out.status.code(), String::from_utf8_lossy(&out.stderr)));
        }
        Ok(out
            .stdout
            .split(|b| *b == 0)
            .filter_map(|kv| kv.iter().position(|b| *b == b'=').map(|i| (String::from_utf8_lossy(&kv[..i]).into_owned(), kv[i + 1..].to_vec())))
            .collect())
    }

    proptest! {
        #![proptest_config(cases(16))]

        /// What each shell's parser reads back is the value, byte for byte, and nothing ran: for
        /// literal values (control characters included), the CLI path and the config path.
        #[test]
        fn finding_01_hostile_values_are_inert_in_every_shell(a in hostile_value(), b in hostile_value(), c in hostile_value(), cli_name in hostile_file_name(), config_name in hostile_file_name()) {
            let dir = tempfile::tempdir().unwrap();
            let cli = dir.path().join(&cli_name);
            std::fs::write(&cli, "#!/bin/sh\nprintf '%s|' \"$@\"\n").unwrap();
            use std::os::unix::fs::PermissionsExt;
            std::fs::set_permissions(&cli, std::fs::Permissions::from_mode(0o755)).unwrap();
            let config = dir.path().join(&config_name);
            let invocation = vec![cli.display().to_string(), "--config".to_string(), config.display().to_string()];
            let entries = [
                EnvEntry { name: "FO_TEST_A", value: EnvValue::Literal(a.clone()) },
                EnvEntry { name: "FO_TEST_B", value: EnvValue::Literal(b.clone()) },
                EnvEntry { name: "FO_TEST_C", value: EnvValue::Literal(c.clone()) },
                EnvEntry { name: "FO_TEST_K", value: EnvValue::Keyring { secret: "gateway-key", prefix: "Authorization: Bearer " } },
            ];
            let keyring = format!("Authorization: Bearer --config|{}|secret|print|gateway-key|", config.display());
            for (target, program) in [(Target::Bash, "bash"), (Target::Zsh, "zsh"), (Target::Fish, "fish")] {
                let file = dir.path().join(format!("profile.{program}"));
                std::fs::write(&file, shell_lines(target, &entries, &invocation).join("\n") + "\n").unwrap();
                let env = source_in(program, &file, dir.path()).map_err(TestCaseError::fail)?;
                prop_assert!(!dir.path().join("pwned").exists(), "{program} ran a command hidden in a value");
                for (name, want) in [("FO_TEST_A", &a), ("FO_TEST_B", &b), ("FO_TEST_C", &c), ("FO_TEST_K", &keyring)] {
                    prop_assert_eq!(env.get(name).map(|v| String::from_utf8_lossy(v).into_owned()), Some(want.clone()), "{} in {}", name, program);
                }
            }
            let line = shell_lines(Target::Pwsh, &entries, &invocation).join("\n");
            for v in [&a, &b, &c] {
                let quoted = pwsh_quote(v);
                prop_assert!(line.contains(&quoted));
                prop_assert_eq!(pwsh_verbatim(&quoted), Some((v.clone(), "")));
            }
            let literal: Vec<(&str, &str)> = [("FO_TEST_A", a.as_str()), ("FO_TEST_B", b.as_str())].into();
            let (json, _) = super::super::settings_json::upsert(&dir.path().join("settings.json"), None, &literal).unwrap();
            let parsed: serde_json::Value = serde_json::from_slice(&json).unwrap();
            prop_assert_eq!(parsed["env"]["FO_TEST_A"].as_str(), Some(a.as_str()));
            prop_assert_eq!(parsed["env"]["FO_TEST_B"].as_str(), Some(b.as_str()));
        }

        #[test]
        fn finding_01_pwsh_quote_reads_back_every_value(v in hostile_value(), tail in hostile_value()) {
            let quoted = pwsh_quote(&v);
            // What follows a literal in the block is never a quote character (` + $__fo_v`, `;`, the line's end).
            let text = format!("{quoted} {tail}");
            let (value, rest) = pwsh_verbatim(&text).unwrap();
            prop_assert_eq!(value, v);
            prop_assert_eq!(rest, format!(" {tail}"));
        }
    }
}
