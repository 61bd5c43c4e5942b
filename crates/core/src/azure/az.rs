//! Finding and judging `az`, its environment (the sandbox's private config dir and CA), and who
//! is signed in — read straight from `azureProfile.json`, no process needed.

use super::AzError;
use crate::config::Config;
use crate::limited_read::{self, Limit};
use crate::process;
use serde::{Deserialize, Serialize};
use std::ffi::OsStr;
use std::path::{Path, PathBuf};
use std::time::Duration;
use ts_rs::TS;

/// Overrides where `az` is looked for (tests, unusual installs).
pub const AZ_ENV: &str = "FOUNDRY_ONBOARD_AZ";
const MIN_VERSION: (u32, u32) = (2, 54);

/// The `az` program: PATH first, then the usual install locations of each OS.
pub fn find() -> Option<PathBuf> {
    if let Some(p) = std::env::var_os(AZ_ENV).map(PathBuf::from) {
        return p.is_file().then_some(p);
    }
    let names: &[&str] = if cfg!(windows) { &["az.cmd", "az.exe"] } else { &["az"] };
    if let Some(path) = std::env::var_os("PATH") {
        for dir in std::env::split_paths(&path) {
            for n in names {
                let p = dir.join(n);
                if p.is_file() {
                    return Some(p);
                }
            }
        }
    }
    let home = std::env::var_os("HOME").map(PathBuf::from).unwrap_or_default();
    let usual: Vec<PathBuf> = if cfg!(windows) {
        vec![
            PathBuf::from(r"C:\Program Files\Microsoft SDKs\Azure\CLI2\wbin\az.cmd"),
            PathBuf::from(r"C:\Program Files (x86)\Microsoft SDKs\Azure\CLI2\wbin\az.cmd"),
        ]
    } else {
        vec![
            PathBuf::from("/usr/bin/az"),
            PathBuf::from("/usr/local/bin/az"),
            PathBuf::from("/opt/homebrew/bin/az"),
            home.join(".local/bin/az"),
            PathBuf::from("/opt/az/bin/az"),
        ]
    };
    usual.into_iter().find(|p| p.is_file())
}

/// Where az keeps its state: the sandbox's own directory, else `$AZURE_CONFIG_DIR` or `~/.azure`
/// (see [`crate::realm::Realm::az_config_dir`]).
pub fn config_dir(config: &Config) -> PathBuf {
    config.realm().az_config_dir().to_path_buf()
}

/// Extra environment for every az run: in sandbox mode, its private config dir and CA, so the
/// user's own `~/.azure` is never touched.
pub fn env(config: &Config) -> Vec<(String, String)> {
    let realm = config.realm();
    if realm.loopback_only() {
        keep_version_check_local(realm.az_config_dir());
    }
    let mut v = vec![("AZURE_CORE_COLLECT_TELEMETRY".to_string(), "false".to_string()), ("AZURE_CORE_ONLY_SHOW_ERRORS".to_string(), "true".to_string())];
    v.extend(realm.az_env().into_iter().map(|(k, val)| (k.to_string(), val)));
    if !realm.az_instance_discovery() {
        // MSAL would otherwise ask login.microsoftonline.com about the sandbox's authority.
        v.push(("AZURE_CORE_INSTANCE_DISCOVERY".into(), "false".into()));
    }
    v
}

/// Keeps a sandbox's az on loopback: an az whose config dir has no `versionCheck.json` first asks
/// `azcliprod.blob.core.windows.net` for the latest release (`handle_version_update` in
/// azure-cli-core). Recording the installed version (read from its package metadata, no process)
/// stops that; when it cannot be read, a placeholder sends az down its "was updated" path, which
/// only rewrites the file — no network call either way.
fn keep_version_check_local(dir: &Path) {
    let path = dir.join("versionCheck.json");
    if path.exists() {
        return;
    }
    let version = find().and_then(|az| installed_version(&az)).unwrap_or_else(|| "0".into());
    let text = serde_json::json!({"versions": {"core": {"local": version}, "azure-cli": {"local": version}}, "update_time": ""}).to_string();
    if std::fs::create_dir_all(dir).is_ok() {
        let _ = crate::atomic_file::write(&path, text.as_bytes(), 0o600);
    }
}

/// Runs az with the config's environment, bounded by `timeout`.
pub async fn run(az: &Path, config: &Config, args: &[&str], timeout: Duration) -> Result<std::process::Output, AzError> {
    let os_args: Vec<&OsStr> = args.iter().map(OsStr::new).collect();
    let cmd = process::command(az.as_os_str(), &os_args, &env(config));
    let out = process::output(cmd, timeout).await.map_err(|e| {
        if e.kind() == std::io::ErrorKind::TimedOut {
            AzError::Timeout { command: args.join(" "), secs: timeout.as_secs() }
        } else {
            AzError::Spawn(e.to_string())
        }
    })?;
    if !out.status.success() {
        let stderr = String::from_utf8_lossy(&out.stderr).trim().to_string();
        return Err(AzError::Failed { command: args.join(" "), explained: super::aadsts::explain(&stderr), stderr });
    }
    Ok(out)
}

/// Parses the first JSON value in az's stdout, skipping any warning lines printed before it.
pub fn parse_json<T: for<'de> Deserialize<'de>>(stdout: &[u8]) -> Result<T, AzError> {
    let text = String::from_utf8_lossy(stdout);
    let start = text.find(['{', '[']).ok_or_else(|| AzError::Parse(crate::redact::first_bytes(&text, 200)))?;
    serde_json::from_str(&text[start..]).map_err(|e| AzError::Parse(format!("{e}: {}", crate::redact::first_bytes(&text[start..], 200))))
}

/// `az version -o json` → "2.91.0"; refuses a version below 2.54.
pub async fn version(az: &Path, config: &Config) -> Result<String, AzError> {
    let out = run(az, config, &["version", "-o", "json"], Duration::from_secs(20)).await?;
    let v: serde_json::Value = parse_json(&out.stdout)?;
    let found = v["azure-cli"].as_str().ok_or_else(|| AzError::Parse("no azure-cli version".into()))?.to_string();
    if too_old(&found) {
        return Err(AzError::TooOld { found });
    }
    Ok(found)
}

/// Below 2.54 (no `expires_on` in tokens).
pub fn too_old(version: &str) -> bool {
    let mut parts = version.split('.').map(|p| p.parse::<u32>().unwrap_or(0));
    (parts.next().unwrap_or(0), parts.next().unwrap_or(0)) < MIN_VERSION
}

/// az's version read from its installed package metadata (`azure_cli-X.Y.Z.dist-info` beside the
/// Python it runs), without starting Python — a second or more saved on every doctor run. None
/// when the layout is unfamiliar; then ask `az version`.
pub fn installed_version(az: &Path) -> Option<String> {
    let real = std::fs::canonicalize(az).ok()?;
    // venv and pip: <prefix>/bin/az; Debian's package: /opt/az/bin/az; Windows: CLI2\wbin\az.cmd
    let prefix = real.parent()?.parent()?;
    let lib_dirs: Vec<PathBuf> = [prefix.join("lib"), prefix.join("lib64"), prefix.join("Lib")].into_iter().filter(|d| d.is_dir()).collect();
    for lib in lib_dirs {
        let mut candidates = vec![lib.join("site-packages")];
        if let Ok(rd) = std::fs::read_dir(&lib) {
            candidates.extend(rd.filter_map(|e| e.ok()).map(|e| e.path().join("site-packages")));
        }
        for sp in candidates.into_iter().filter(|d| d.is_dir()) {
            let Ok(rd) = std::fs::read_dir(&sp) else { continue };
            for entry in rd.filter_map(|e| e.ok()) {
                let name = entry.file_name().to_string_lossy().into_owned();
                if let Some(v) = name.strip_prefix("azure_cli-").and_then(|r| r.strip_suffix(".dist-info")) {
                    return Some(v.to_string());
                }
            }
        }
    }
    None
}

/// Who is signed in, from `azureProfile.json`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, TS)]
#[serde(rename_all = "camelCase")]
pub struct LoginState {
    pub signed_in: bool,
    pub user: Option<String>,
    pub tenant_id: Option<String>,
    pub subscription: Option<String>,
    pub subscription_id: Option<String>,
    pub cloud: Option<String>,
    pub config_dir: String,
}

#[derive(Debug, Deserialize)]
struct Profile {
    #[serde(default)]
    subscriptions: Vec<ProfileSubscription>,
}

#[derive(Debug, Deserialize)]
#[serde(rename_all = "camelCase")]
struct ProfileSubscription {
    id: String,
    name: String,
    #[serde(default)]
    is_default: bool,
    tenant_id: String,
    #[serde(default)]
    environment_name: Option<String>,
    user: ProfileUser,
}

#[derive(Debug, Deserialize)]
struct ProfileUser {
    name: String,
}

/// Reads the sign-in state (the file starts with a UTF-8 BOM, which is stripped).
pub fn login_state(config: &Config) -> LoginState {
    let dir = config_dir(config);
    let mut state = LoginState {
        signed_in: false,
        user: None,
        tenant_id: None,
        subscription: None,
        subscription_id: None,
        cloud: None,
        config_dir: dir.display().to_string(),
    };
    let file = dir.join("azureProfile.json");
    let bytes = match limited_read::read(&file, Limit::TOOL_STATE) {
        Ok(b) => b,
        Err(e) => {
            if e.kind() != std::io::ErrorKind::NotFound {
                tracing::warn!("cannot read {}: {e}; counting az as not signed in", file.display());
            }
            return state;
        }
    };
    let bytes = bytes.strip_prefix(b"\xEF\xBB\xBF").unwrap_or(&bytes);
    let Ok(profile) = serde_json::from_slice::<Profile>(bytes) else { return state };
    if let Some(s) = profile.subscriptions.iter().find(|s| s.is_default).or(profile.subscriptions.first()) {
        state.signed_in = true;
        state.user = Some(s.user.name.clone());
        state.tenant_id = Some(s.tenant_id.clone());
        state.subscription = Some(s.name.clone());
        state.subscription_id = Some(s.id.clone());
        state.cloud = s.environment_name.clone();
    }
    state
}

/// In sandbox mode, registers the sandbox as an az cloud in its private config dir (once).
pub async fn prepare_sandbox_cloud(az: &Path, config: &Config) -> Result<(), AzError> {
    let realm = config.realm();
    let Some(cloud) = realm.az_cloud() else { return Ok(()) };
    let dir = realm.az_config_dir();
    let marker = dir.join("foundry-onboard-cloud");
    if limited_read::read_to_string(&marker, Limit::TOOL_STATE).ok().as_deref() == Some(config.azure.arm_url.as_str()) {
        return Ok(());
    }
    std::fs::create_dir_all(dir).map_err(|e| AzError::Spawn(e.to_string()))?;
    let t = Duration::from_secs(60);
    // A sandbox started again has new ports: leave the old registration (az refuses to
    // unregister the active cloud), drop it, and register the new endpoints.
    let _ = run(az, config, &["cloud", "set", "--name", "AzureCloud"], t).await;
    let _ = run(az, config, &["cloud", "unregister", "--name", cloud], t).await;
    run(az, config, &["cloud", "register", "--name", cloud, "--endpoint-resource-manager", &config.azure.arm_url], t).await?;
    run(az, config, &["cloud", "set", "--name", cloud], t).await?;
    // Persisted in the sandbox's own az config, so every az using that directory — Claude Code's
    // own token call included — skips MSAL's instance discovery at login.microsoftonline.com and
    // sends no telemetry to dc.services.visualstudio.com.
    run(az, config, &["config", "set", "core.instance_discovery=false", "core.collect_telemetry=false"], t).await?;
    std::fs::write(&marker, &config.azure.arm_url).map_err(|e| AzError::Spawn(e.to_string()))?;
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn reads_a_bom_prefixed_profile() {
        let dir = tempfile::tempdir().unwrap();
        let c = Config {
            sandbox: Some(crate::config::SandboxLink {
                home: dir.path().join("home"),
                ca_file: dir.path().join("ca.pem"),
                private_base_url: None,
                policy: None,
            }),
            ..Default::default()
        };
        std::fs::create_dir_all(dir.path().join("azure")).unwrap();
        let mut bytes = b"\xEF\xBB\xBF".to_vec();
        bytes.extend_from_slice(br#"{"installationId":"x","subscriptions":[{"id":"s1","name":"Dev","isDefault":true,"tenantId":"t1","environmentName":"AzureCloud","state":"Enabled","user":{"name":"dev@contoso.example","type":"user"}}]}"#);
        std::fs::write(dir.path().join("azure/azureProfile.json"), bytes).unwrap();
        let s = login_state(&c);
        assert!(s.signed_in);
        assert_eq!(s.user.as_deref(), Some("dev@contoso.example"));
        assert_eq!(s.tenant_id.as_deref(), Some("t1"));
    }

    #[test]
    fn json_after_a_warning_line_parses() {
        let v: serde_json::Value = parse_json(b"WARNING: something\n{\"a\": 1}").unwrap();
        assert_eq!(v["a"], 1);
        assert!(parse_json::<serde_json::Value>(b"<html>").is_err());
    }

    #[test]
    fn finding_07_an_az_profile_past_the_limit_is_not_read() {
        let dir = tempfile::tempdir().unwrap();
        let c = Config {
            sandbox: Some(crate::config::SandboxLink {
                home: dir.path().join("home"),
                ca_file: dir.path().join("ca.pem"),
                private_base_url: None,
                policy: None,
            }),
            ..Default::default()
        };
        std::fs::create_dir_all(dir.path().join("azure")).unwrap();
        // A valid profile followed by 17 MiB of blanks: past the 16 MiB limit for another tool's state.
        let mut bytes = br#"{"subscriptions":[{"id":"s1","name":"Dev","isDefault":true,"tenantId":"t1","user":{"name":"dev@contoso.example"}}]}"#.to_vec();
        bytes.resize(bytes.len() + 17 * 1024 * 1024, b' ');
        std::fs::write(dir.path().join("azure/azureProfile.json"), &bytes).unwrap();
        let s = login_state(&c);
        assert!(!s.signed_in, "a profile past the limit was read whole: {s:?}");
        bytes.truncate(bytes.len() - 2 * 1024 * 1024);
        std::fs::write(dir.path().join("azure/azureProfile.json"), &bytes).unwrap();
        assert!(login_state(&c).signed_in, "a profile inside the limit is read");
    }
}
