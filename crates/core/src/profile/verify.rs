//! Verify, don't assume: start each shell the way a terminal would, read its environment, and
//! compare it with what the profile meant.

use super::{EnvValue, MANAGED_VARIABLES, ProfileHome, ProfileSpec, Target};
use crate::Status;
use serde::Serialize;
use std::collections::HashMap;
use std::time::Duration;
use ts_rs::TS;

#[derive(Debug, Clone, PartialEq, Eq, Serialize, TS)]
#[serde(rename_all = "camelCase")]
pub struct ShellCheck {
    pub target: Target,
    /// Pass, fail or skip.
    pub status: Status,
    pub detail: String,
    /// Variables that were not set, or set to something else.
    pub mismatches: Vec<String>,
}

fn command_for(target: Target) -> Option<(&'static str, Vec<&'static str>)> {
    match target {
        // -i: read the rc file exactly as an interactive terminal does.
        Target::Bash => Some(("bash", vec!["-ic", "env -0"])),
        Target::Zsh => Some(("zsh", vec!["-ic", "env -0"])),
        Target::Fish => Some(("fish", vec!["-c", "env -0"])),
        Target::Pwsh => Some((
            "pwsh",
            vec!["-NoLogo", "-NonInteractive", "-Command", "Get-ChildItem env: | ForEach-Object { [Console]::Out.Write(\"$($_.Name)=$($_.Value)`0\") }"],
        )),
        Target::ClaudeSettings => None,
    }
}

/// Whether a program is on PATH.
pub fn installed(program: &str) -> bool {
    which(program).is_some()
}

/// Where a program is on PATH.
pub fn which(program: &str) -> Option<std::path::PathBuf> {
    std::env::split_paths(&std::env::var_os("PATH")?).map(|d| d.join(program)).find(|p| p.is_file())
}

/// The real client's answer, from a shell that sourced the profile.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, TS)]
#[serde(rename_all = "camelCase")]
pub struct ClientCheck {
    pub target: Target,
    /// Pass, fail or skip.
    pub status: Status,
    pub detail: String,
    pub api_error_status: Option<u16>,
}

/// `program args` as a new terminal of `home` would start: our variables removed from its starting
/// environment (so only the rc file can set them), the profile's HOME, XDG and ZDOTDIR, and the
/// CLI the block calls first on PATH.
fn start_shell(program: &str, args: &[&str], home: &ProfileHome) -> tokio::process::Command {
    let path = std::env::var_os("PATH").unwrap_or_default();
    let path = match home.cli.parent() {
        Some(dir) => std::env::join_paths(std::iter::once(dir.to_path_buf()).chain(std::env::split_paths(&path))).unwrap_or(path),
        None => path,
    };
    let mut env = vec![
        ("HOME".to_string(), home.home.display().to_string()),
        ("XDG_CONFIG_HOME".to_string(), home.config_dir().display().to_string()),
        ("PATH".to_string(), path.to_string_lossy().into_owned()),
    ];
    if let Some(z) = &home.zdotdir {
        env.push(("ZDOTDIR".into(), z.display().to_string()));
    }
    let os_args: Vec<&std::ffi::OsStr> = args.iter().map(std::ffi::OsStr::new).collect();
    let mut cmd = crate::process::command(std::ffi::OsStr::new(program), &os_args, &env);
    for v in MANAGED_VARIABLES {
        cmd.env_remove(v);
    }
    if home.zdotdir.is_none() {
        cmd.env_remove("ZDOTDIR");
    }
    cmd
}

/// Runs `claude -p ping` once from `target`'s shell (no retries: a 401 answers in under a second
/// instead of three minutes) and reads `is_error` / `api_error_status` from its JSON.
pub async fn check_claude(target: Target, home: &ProfileHome, timeout: Duration) -> ClientCheck {
    let line = "command -v claude >/dev/null 2>&1 || exit 127; env CLAUDE_CODE_MAX_RETRIES=0 DISABLE_TELEMETRY=1 DISABLE_ERROR_REPORTING=1 CLAUDE_CODE_DISABLE_NONESSENTIAL_TRAFFIC=1 DISABLE_AUTOUPDATER=1 claude -p ping --output-format json";
    let (program, flag) = match target {
        Target::Bash => ("bash", "-ic"),
        Target::Zsh => ("zsh", "-ic"),
        _ => return ClientCheck { target, status: Status::Skip, detail: "the client check runs from bash or zsh".into(), api_error_status: None },
    };
    let out = match crate::process::output(start_shell(program, &[flag, line], home), timeout).await {
        Ok(o) => o,
        Err(e) if e.kind() == std::io::ErrorKind::TimedOut => {
            return ClientCheck {
                target,
                status: Status::Fail,
                detail: format!("claude did not answer within {} s", timeout.as_secs()),
                api_error_status: None,
            };
        }
        Err(e) => return ClientCheck { target, status: Status::Fail, detail: format!("{program} did not start: {e}"), api_error_status: None },
    };
    if out.status.code() == Some(127) {
        return ClientCheck {
            target,
            status: Status::Skip,
            detail: "claude is not installed (npm install -g @anthropic-ai/claude-code)".into(),
            api_error_status: None,
        };
    }
    let text = String::from_utf8_lossy(&out.stdout);
    let json = text.lines().rev().find_map(|l| serde_json::from_str::<serde_json::Value>(l.trim()).ok());
    match json {
        Some(v) if v["is_error"] == false => {
            ClientCheck { target, status: Status::Pass, detail: "claude -p answered through the profile".into(), api_error_status: None }
        }
        Some(v) => ClientCheck {
            target,
            status: Status::Fail,
            detail: crate::redact::first_bytes(v["result"].as_str().unwrap_or("claude reported an error"), 400),
            api_error_status: v["api_error_status"].as_u64().and_then(|s| u16::try_from(s).ok()),
        },
        None => ClientCheck {
            target,
            status: Status::Fail,
            detail: format!("claude printed no JSON: {}", crate::redact::first_bytes(&text, 200)),
            api_error_status: None,
        },
    }
}

/// The environment a new terminal of `target` starts with (rc files read), or why it could not
/// be read. Bounded by `timeout`; the shell and its children are killed after.
pub async fn shell_env(target: Target, home: &ProfileHome, timeout: Duration) -> Result<HashMap<String, String>, String> {
    let Some((program, args)) = command_for(target) else { return Err("not a shell".into()) };
    let output = match crate::process::output(start_shell(program, &args, home), timeout).await {
        Ok(o) => o,
        Err(e) if e.kind() == std::io::ErrorKind::TimedOut => {
            return Err(format!("{program} did not finish within {} s (something in its rc file waits for input?)", timeout.as_secs()));
        }
        Err(e) => return Err(format!("{program} did not start: {e}")),
    };
    Ok(output
        .stdout
        .split(|b| *b == 0)
        .filter_map(|kv| {
            let s = String::from_utf8_lossy(kv);
            s.split_once('=').map(|(k, v)| (k.trim_start_matches('\n').to_string(), v.to_string()))
        })
        .collect())
}

/// Starts `target`'s shell with the profile home and our variables removed from its starting
/// environment, so only the rc file can set them. Bounded by `timeout`; the shell is killed after.
pub async fn check_shell(target: Target, home: &ProfileHome, spec: &ProfileSpec, timeout: Duration) -> ShellCheck {
    let skip = |detail: String| ShellCheck { target, status: Status::Skip, detail, mismatches: vec![] };
    let Some((program, _)) = command_for(target) else { return skip("not a shell".into()) };
    if !installed(program) {
        return skip(format!("{program} is not installed"));
    }
    let env = match shell_env(target, home, timeout).await {
        Ok(env) => env,
        Err(detail) => return ShellCheck { target, status: Status::Fail, detail, mismatches: vec![] },
    };
    let mut mismatches = Vec::new();
    let mut keyring_missing = Vec::new();
    for e in &spec.entries {
        match (&e.value, env.get(e.name)) {
            (EnvValue::Literal(want), Some(got)) if got == want => {}
            (EnvValue::Literal(want), Some(got)) => mismatches.push(format!("{} is {got:?}, expected {want:?}", e.name)),
            (EnvValue::Literal(_), None) => mismatches.push(format!("{} is not set", e.name)),
            (EnvValue::Keyring { .. }, Some(v)) if !v.is_empty() => {}
            (EnvValue::Keyring { secret, .. }, _) => keyring_missing.push(format!("{} (keyring entry {secret})", e.name)),
        }
    }
    if !mismatches.is_empty() {
        return ShellCheck { target, status: Status::Fail, detail: format!("{program} does not see the profile as written",), mismatches };
    }
    if !keyring_missing.is_empty() {
        return ShellCheck {
            target,
            status: Status::Fail,
            detail: format!("{program} started, but the keyring gave no value for {}", keyring_missing.join(", ")),
            mismatches: keyring_missing,
        };
    }
    ShellCheck { target, status: Status::Pass, detail: format!("{program} sees all {} variables", spec.entries.len()), mismatches }
}
