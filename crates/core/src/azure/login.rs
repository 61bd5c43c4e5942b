//! Walking through `az login`: its own process group, everything az prints on stderr streamed as
//! it comes, the device code picked out, cancel and a deadline that end the whole group.

use super::{AzError, az};
use crate::config::Config;
use crate::process;
use serde::Serialize;
use std::ffi::OsStr;
use std::path::Path;
use std::time::Duration;
use tokio::io::{AsyncBufReadExt, AsyncReadExt, BufReader};
use tokio_util::sync::CancellationToken;
use ts_rs::TS;

/// What happens during a sign-in, as it happens.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, TS)]
#[serde(rename_all = "camelCase", tag = "type")]
pub enum LoginEvent {
    /// A line az printed (on stderr, where it prints everything but JSON).
    Line { text: String },
    /// The device code to enter on the sign-in page.
    DeviceCode { code: String, url: String },
}

#[derive(Debug, Clone, Default)]
pub struct LoginOptions {
    pub device_code: bool,
    pub tenant: Option<String>,
    pub timeout: Duration,
}

/// Finds "open the page URL and enter the code CODE" in an az line.
pub fn parse_device_code(line: &str) -> Option<(String, String)> {
    let url_start = line.find("https://").or_else(|| line.find("http://"))?;
    let url: String = line[url_start..].chars().take_while(|c| !c.is_whitespace()).collect();
    let code_at = line.find("enter the code ")? + "enter the code ".len();
    let code: String = line[code_at..].chars().take_while(|c| c.is_ascii_alphanumeric() || *c == '-').collect();
    (!code.is_empty()).then_some((code, url))
}

/// Microsoft's own device-login pages (public cloud, China, US Government): what Entra puts in
/// the message az prints, whatever the tenant.
const MICROSOFT_DEVICE_PAGES: &[(&str, &str)] = &[
    ("microsoft.com", "/devicelogin"),
    ("www.microsoft.com", "/devicelogin"),
    ("microsoft.com", "/deviceloginchina"),
    ("microsoft.com", "/deviceloginus"),
    ("login.microsoft.com", "/device"),
    ("login.microsoftonline.com", "/common/oauth2/deviceauth"),
];

/// Why a page is not opened for the person signing in.
#[derive(Debug, thiserror::Error)]
pub enum SignInPageError {
    #[error("no sign-in is waiting for a device code")]
    NoneWaiting,
    #[error("not opening {url:?}: it is not a sign-in page of {authority} or one of Microsoft's device-login pages")]
    Refused { url: String, authority: String },
}

impl crate::error::Diagnose for SignInPageError {
    fn kind(&self) -> crate::error::ErrorKind {
        crate::error::ErrorKind::Config
    }
    fn hint(&self) -> String {
        match self {
            SignInPageError::NoneWaiting => "Start the sign-in first; the page opens once az has printed the device code.".into(),
            SignInPageError::Refused { .. } => format!(
                "Only https pages of the configured authority (azure.authority_url) or {} are opened. If you trust the address az printed, copy it into your browser yourself.",
                MICROSOFT_DEVICE_PAGES.iter().map(|(h, p)| format!("https://{h}{p}")).collect::<Vec<_>>().join(", ")
            ),
        }
    }
}

/// The page to open for the device code az printed — only an https page, without credentials,
/// query or fragment, on the configured authority's own origin (a sovereign cloud, the sandbox)
/// or one of Microsoft's device-login pages. Anything else az (or whatever stands in for it)
/// prints is shown, never opened.
pub fn sign_in_page(config: &Config, printed: &str) -> Result<url::Url, SignInPageError> {
    let refused = || SignInPageError::Refused { url: crate::redact::first_bytes(printed, 200), authority: config.azure.authority_url.clone() };
    let url = url::Url::parse(printed.trim()).map_err(|_| refused())?;
    let plain = url.scheme() == "https" && url.username().is_empty() && url.password().is_none() && url.query().is_none() && url.fragment().is_none();
    if !plain || url.host_str().is_none() {
        return Err(refused());
    }
    let authority = url::Url::parse(&config.azure.authority_url).ok().filter(|a| a.scheme() == "https");
    if authority.is_some_and(|a| a.origin() == url.origin()) {
        return Ok(url);
    }
    let path = url.path().trim_end_matches('/');
    let microsoft = url.port().is_none() && MICROSOFT_DEVICE_PAGES.iter().any(|(h, p)| url.host_str() == Some(*h) && path.eq_ignore_ascii_case(p));
    if microsoft { Ok(url) } else { Err(refused()) }
}

/// Runs `az login`; returns the signed-in state. Every line goes to `on_event` as it arrives.
pub async fn login(
    az: &Path,
    config: &Config,
    options: &LoginOptions,
    cancel: CancellationToken,
    mut on_event: impl FnMut(LoginEvent) + Send,
) -> Result<az::LoginState, AzError> {
    az::prepare_sandbox_cloud(az, config).await?;
    let mut args: Vec<String> = vec!["login".into(), "-o".into(), "json".into()];
    if options.device_code {
        args.push("--use-device-code".into());
    }
    if let Some(t) = options.tenant.clone().or_else(|| config.azure.tenant.clone()) {
        args.push("--tenant".into());
        args.push(t);
    }
    let os_args: Vec<&OsStr> = args.iter().map(OsStr::new).collect();
    let mut cmd = process::command(az.as_os_str(), &os_args, &az::env(config));
    cmd.stdout(std::process::Stdio::piped()).stderr(std::process::Stdio::piped());
    let mut child = cmd.spawn().map_err(|e| AzError::Spawn(e.to_string()))?;
    let pid = child.id();
    let stderr = child.stderr.take().ok_or_else(|| AzError::Spawn("no stderr".into()))?;
    let mut stdout = child.stdout.take().ok_or_else(|| AzError::Spawn("no stdout".into()))?;
    let stdout_task = tokio::spawn(async move {
        let mut buf = Vec::new();
        let _ = stdout.read_to_end(&mut buf).await;
        buf
    });
    let mut lines = BufReader::new(stderr).lines();
    let mut seen = String::new();
    let deadline = tokio::time::sleep(if options.timeout.is_zero() { Duration::from_secs(600) } else { options.timeout });
    tokio::pin!(deadline);
    loop {
        tokio::select! {
            _ = cancel.cancelled() => {
                process::kill_group(pid);
                let _ = child.wait().await;
                return Err(AzError::Cancelled);
            }
            _ = &mut deadline => {
                process::kill_group(pid);
                let _ = child.wait().await;
                return Err(AzError::Timeout { command: "login".into(), secs: options.timeout.as_secs() });
            }
            line = lines.next_line() => match line {
                Ok(Some(text)) => {
                    if let Some((code, url)) = parse_device_code(&text) {
                        on_event(LoginEvent::DeviceCode { code, url });
                    }
                    seen.push_str(&text);
                    seen.push('\n');
                    on_event(LoginEvent::Line { text });
                }
                _ => break,
            }
        }
    }
    let status = child.wait().await.map_err(|e| AzError::Spawn(e.to_string()))?;
    let out = stdout_task.await.unwrap_or_default();
    if !status.success() {
        return Err(AzError::Failed { command: "login".into(), explained: super::aadsts::explain(&seen), stderr: seen.trim().to_string() });
    }
    let _: serde_json::Value = az::parse_json(&out)?;
    super::session::forget_tokens();
    Ok(az::login_state(config))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn finding_16_only_the_authoritys_or_microsofts_device_login_page_is_opened() {
        let public = Config::default();
        for ok in [
            "https://microsoft.com/devicelogin",
            "https://www.microsoft.com/devicelogin",
            "https://microsoft.com/deviceloginchina",
            "https://microsoft.com/deviceloginus",
            "https://login.microsoft.com/device",
            "https://login.microsoftonline.com/common/oauth2/deviceauth",
            "https://login.microsoftonline.com/device",
        ] {
            assert_eq!(sign_in_page(&public, ok).map(|u| u.to_string()).map_err(|e| e.to_string()), Ok(ok.to_string()), "{ok}");
        }
        for refused in [
            "https://evil.example/devicelogin",
            "https://microsoft.com.evil.example/devicelogin",
            "https://microsoft.com@evil.example/devicelogin",
            "https://user:pw@microsoft.com/devicelogin",
            "http://microsoft.com/devicelogin",
            "https://microsoft.com:8443/devicelogin",
            "https://microsoft.com/devicelogin/../../evil",
            "https://microsoft.com/other",
            "https://microsoft.com/devicelogin?next=https://evil.example",
            "https://login.microsoftonline.com/common/oauth2/authorize?redirect_uri=https://evil.example",
            "https://127.0.0.1:4443/device",
            "javascript:alert(1)",
            "file:///etc/passwd",
            "https://",
            "",
        ] {
            let err = sign_in_page(&public, refused).expect_err(refused);
            assert!(crate::error::Diagnose::hint(&err).contains("login.microsoftonline.com"), "{refused}: {}", crate::error::Diagnose::hint(&err));
        }
        // A sovereign cloud or the sandbox: pages of the configured authority's own origin.
        let mut sandbox = Config::default();
        sandbox.azure.authority_url = "https://127.0.0.1:4443".into();
        assert!(sign_in_page(&sandbox, "https://127.0.0.1:4443/device").is_ok());
        for refused in ["https://127.0.0.1:4444/device", "http://127.0.0.1:4443/device", "https://127.0.0.2:4443/device", "https://evil.example/device"] {
            assert!(sign_in_page(&sandbox, refused).is_err(), "{refused}");
        }
        let mut gov = Config::default();
        gov.azure.authority_url = "https://login.microsoftonline.us".into();
        assert!(sign_in_page(&gov, "https://login.microsoftonline.us/common/oauth2/deviceauth").is_ok());
        assert!(sign_in_page(&gov, "https://microsoft.com/deviceloginus").is_ok());
    }

    #[test]
    fn finds_the_device_code_in_azs_message() {
        let line = "To sign in, use a web browser to open the page https://microsoft.com/devicelogin and enter the code ABCD-1234 to authenticate.";
        assert_eq!(parse_device_code(line), Some(("ABCD-1234".into(), "https://microsoft.com/devicelogin".into())));
        assert_eq!(parse_device_code("WARNING: nothing here"), None);
    }

    /// Lines az prints around the device code: any text, the two markers anywhere (also inside a
    /// multi-byte character's neighbourhood), cut short.
    #[test]
    fn fuzz_device_code_lines_never_panic() {
        use proptest::prelude::*;
        let pieces = prop::collection::vec(
            prop_oneof![
                3 => ".{0,12}",
                1 => Just("https://".to_string()),
                1 => Just("http://".to_string()),
                1 => Just("enter the code ".to_string()),
                1 => Just("é日本".to_string()),
                1 => "[A-Z0-9-]{0,10}",
            ],
            0..10,
        );
        crate::fuzz::runner(2000)
            .run(&pieces, |pieces| {
                let line = pieces.concat();
                if let Some((code, url)) = parse_device_code(&line) {
                    prop_assert!(!code.is_empty() && code.chars().all(|c| c.is_ascii_alphanumeric() || c == '-'), "{code:?}");
                    prop_assert!(url.starts_with("http"), "{url:?}");
                }
                Ok(())
            })
            .unwrap();
    }

    /// az's JSON output (`az::parse_json`, public, owned by az.rs): bytes of any kind, JSON of the
    /// wrong shape or cut short, warnings before it. A failure says az printed it, and what.
    #[test]
    fn fuzz_az_json_output_parses_or_says_what_az_printed() {
        use proptest::prelude::*;
        let prefix = prop::sample::select(vec!["", "WARNING: a new version is available\n", "\u{feff}", "ERROR: x\n", "[", "{"]);
        let out = (prefix, crate::fuzz::body(crate::fuzz::json_value()));
        crate::fuzz::runner(2000)
            .run(&out, |(prefix, body)| {
                let mut stdout = prefix.as_bytes().to_vec();
                stdout.extend_from_slice(&body);
                match az::parse_json::<serde_json::Value>(&stdout) {
                    Ok(_) => {}
                    Err(e) => {
                        prop_assert!(crate::fuzz::names_what(&e.to_string(), &["az printed"]), "{e}");
                        prop_assert!(!crate::Diagnose::hint(&e).is_empty());
                    }
                }
                Ok(())
            })
            .unwrap();
    }
}
