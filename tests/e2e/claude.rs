//! The real Claude Code (npm @anthropic-ai/claude-code 2.1.331) against the sandbox, started from
//! a bash that sourced the profile we wrote — inside `unshare -n` (loopback only), never outside.

use foundry_onboard_e2e::keyring::KeyringSession;
use foundry_onboard_e2e::{artifacts_dir, cli};
use std::path::{Path, PathBuf};
use std::process::Command;

pub use foundry_onboard_e2e::claude_dir;

/// Why the real-client tests cannot run here, if they cannot.
pub fn blocked() -> Option<String> {
    if claude_dir().is_none() {
        return Some("Claude Code is not installed (scripts/install-test-deps.sh installs it)".into());
    }
    let ok = Command::new("unshare").args(["-n", "-m", "--", "true"]).status().is_ok_and(|s| s.success());
    if !ok {
        return Some("unshare -n -m is refused here (needs root or user namespaces); the real client never runs outside a loopback-only namespace".into());
    }
    for tool in ["dbus-daemon", "dbus-send", "gnome-keyring-daemon"] {
        if !foundry_onboard_core::profile::verify::installed(tool) {
            return Some(format!("{tool} is not installed (scripts/install-test-deps.sh installs it)"));
        }
    }
    None
}

fn run_mode(mode: &str) -> (serde_json::Value, PathBuf, tempfile::TempDir) {
    let work = tempfile::tempdir().unwrap();
    let script = Path::new(env!("CARGO_MANIFEST_DIR")).join("e2e/scripts/claude-in-netns.sh");
    // The keyring the script stores the key in: the harness's, in its own temporary HOME (its bus
    // is a socket file, reachable from inside the namespace).
    let keyring = KeyringSession::start();
    let status = Command::new("timeout")
        .args(["180", "unshare", "-n", "-m", "--", "bash"])
        .arg(&script)
        .arg(cli())
        .arg(claude_dir().unwrap())
        .arg(work.path())
        .arg(mode)
        .arg(foundry_onboard_e2e::real_az().unwrap_or_default())
        .env("DBUS_SESSION_BUS_ADDRESS", &keyring.address)
        .status()
        .unwrap();
    drop(keyring);
    let read = |name: &str| std::fs::read_to_string(work.path().join(name)).unwrap_or_default();
    let out = read("claude.json");
    let keep = artifacts_dir().join(format!("claude-{mode}"));
    let _ = std::fs::create_dir_all(&keep);
    for f in ["claude.json", "claude.err", "profile.json", "sandbox.err", "login.out"] {
        let _ = std::fs::write(keep.join(f), read(f));
    }
    let v: serde_json::Value = serde_json::from_str(out.trim()).unwrap_or_else(|e| {
        panic!(
            "{mode}: claude printed no JSON ({e}; script {status}):\n{out}\nstderr: {}\nsandbox: {}\nprofile: {}",
            read("claude.err"),
            read("sandbox.err"),
            read("profile.json")
        )
    });
    let dir = work.path().to_path_buf();
    (v, dir, work)
}

/// No file under `dir` and no output holds `secret`.
fn assert_nowhere(dir: &Path, secret: &str, mode: &str) {
    let mut stack = vec![dir.to_path_buf()];
    while let Some(d) = stack.pop() {
        for e in std::fs::read_dir(&d).into_iter().flatten().flatten() {
            let p = e.path();
            if p.is_dir() && !p.is_symlink() {
                stack.push(p);
            } else if p.is_file() {
                let name = p.file_name().unwrap().to_string_lossy().to_string();
                // The sandbox's own key files and the keyring's encrypted store are where it belongs.
                if ["foundry-api-key", "gateway-key", "entra-token"].contains(&name.as_str()) || p.to_string_lossy().contains("/keyrings/") {
                    continue;
                }
                let bytes = std::fs::read(&p).unwrap_or_default();
                assert!(!String::from_utf8_lossy(&bytes).contains(secret), "{mode}: the key leaked into {}", p.display());
            }
        }
    }
}

#[test]
fn real_claude_code_answers_through_the_written_profile() {
    if let Some(why) = blocked() {
        assert!(std::env::var_os("CI").is_none(), "CI must run the real-client tests: {why}");
        foundry_onboard_e2e::skipped("the real Claude Code tests", &why);
        return;
    }
    for (mode, key_file) in [("api-key", "foundry-api-key"), ("gateway", "gateway-key"), ("resource", "foundry-api-key")] {
        let (v, dir, _keep) = run_mode(mode);
        assert_eq!(v["is_error"], false, "{mode}: {v}");
        assert!(v["result"].as_str().unwrap_or("").contains("Hello from the Foundry Onboard sandbox"), "{mode}: {v}");
        let key = std::fs::read_to_string(dir.join("sb").join(key_file)).unwrap();
        assert!(key.len() > 10);
        assert_nowhere(&dir, &key, mode);
        if mode == "api-key" {
            crate::usage::local_matches_what_the_stand_in_reported(&dir, &v);
        }
    }
    // Entra: the real az signed in to the sandbox; Claude Code runs it for a Bearer token.
    if foundry_onboard_e2e::real_az().is_some() {
        let (v, dir, _keep) = run_mode("entra");
        assert_eq!(v["is_error"], false, "entra: {v}");
        assert!(v["result"].as_str().unwrap_or("").contains("Hello from the Foundry Onboard sandbox"), "entra: {v}");
        let profile = std::fs::read_to_string(dir.join("profile.json")).unwrap();
        assert!(profile.contains("AZURE_TOKEN_CREDENTIALS") && !profile.contains("ANTHROPIC_FOUNDRY_API_KEY"), "{profile}");
    } else {
        assert!(std::env::var_os("CI").is_none(), "CI must run the Entra real-client test (azure-cli missing)");
        foundry_onboard_e2e::skipped("Entra mode with the real client", "azure-cli is not installed");
    }
}
