//! Sign-in and discovery with the real `az` 2.91 against the sandbox's Entra ID and ARM (inside
//! `unshare -n`), and with fake `az` scripts only for what the real one cannot be made to do:
//! hang, print garbage, be too old, be missing.

use foundry_onboard_core::azure::{AzError, COGNITIVE_SCOPE, arm_scope, az, token::TokenSource};
use foundry_onboard_core::config::policy::Policy;
use foundry_onboard_core::config::{Config, ConfigLocation, load};
use foundry_onboard_e2e::{SandboxProcess, cli_command, real_az, reexec_in_netns, run};
use std::path::Path;
use std::time::Duration;

fn skip_without_az() -> Option<std::path::PathBuf> {
    let az = real_az();
    if az.is_none() {
        assert!(std::env::var_os("CI").is_none(), "CI must run the real-az tests (scripts/install-test-deps.sh installs azure-cli)");
        foundry_onboard_e2e::skipped("the real az tests", "azure-cli is not installed in ~/.cache/foundry-onboard-az");
    }
    az
}

fn cli_json(sb: &SandboxProcess, az: &Path, args: &[&str]) -> (i32, Vec<serde_json::Value>, String) {
    let mut c = cli_command(sb.home.path());
    c.env("FOUNDRY_ONBOARD_AZ", az).arg("--config").arg(&sb.config).arg("--json").args(args);
    let r = run(c);
    let values = r.stdout.lines().filter_map(|l| serde_json::from_str(l).ok()).collect();
    (r.code, values, r.stderr)
}

#[test]
fn real_az_signs_in_by_device_code_and_discovery_finds_the_claude_deployments() {
    let Some(az) = skip_without_az() else { return };
    if reexec_in_netns("azure::real_az_signs_in_by_device_code_and_discovery_finds_the_claude_deployments") {
        return;
    }
    let mut sb = SandboxProcess::start(&["--approve-after-ms", "700"]);
    let (code, out, err) = cli_json(&sb, &az, &["login", "--device-code"]);
    assert_eq!(code, 0, "{err}\n{out:?}");
    assert_eq!(out[0]["event"], "deviceCode", "the device code is reported first: {out:?}");
    assert!(out[0]["url"].as_str().unwrap().ends_with("/device"));
    let last = out.last().unwrap();
    assert_eq!(last["state"]["user"], foundry_onboard_sandbox::USER);
    // The user's own ~/.azure is never touched: az worked in the sandbox's directory.
    assert!(!sb.home.path().join(".azure").exists());
    assert!(last["state"]["configDir"].as_str().unwrap().starts_with(Path::new(&sb.endpoint("home")).parent().unwrap().to_str().unwrap()));

    let (code, out, _) = cli_json(&sb, &az, &["login", "--status"]);
    assert_eq!(code, 0);
    assert_eq!(out[0]["state"]["signedIn"], true);

    let (code, out, err) = cli_json(&sb, &az, &["discover"]);
    assert_eq!(code, 0, "{err}");
    let subs = out[0]["discovered"]["subscriptions"].as_array().unwrap();
    assert_eq!(subs.len(), 2);
    let dev = &subs[0]["accounts"];
    assert_eq!(dev[0]["name"], "sandbox-ai");
    assert_eq!(dev[0]["publicNetworkAccess"], "Disabled");
    assert_eq!(dev[0]["privateEndpoints"][0]["status"], "Approved");
    assert_eq!(dev[0]["proposed"]["sonnet"], "claude-sonnet-4-5", "the newest sonnet, not claude-sonnet-4");
    assert_eq!(dev[0]["proposed"]["haiku"], "claude-haiku-4-5");
    assert_eq!(dev[0]["proposed"]["opus"], "claude-opus-4-6");
    assert_eq!(dev[1]["name"], "sandbox-openai", "the account on the nextLink page");
    assert!(dev[1]["note"].as_str().unwrap().contains("no Claude deployment"));
    assert_eq!(subs[1]["accounts"][0]["publicNetworkAccess"], "Enabled");
    // Discovery remembers which model each Claude deployment serves, for pricing usage by deployment.
    let config = foundry_onboard_core::config::load(&foundry_onboard_core::config::ConfigLocation::Flag(sb.config.clone()), Default::default()).unwrap().config;
    let models = foundry_onboard_core::usage::deployment_models::known(&config);
    let listed: Vec<(String, String)> = dev[0]["deployments"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|d| !d["tier"].is_null())
        .map(|d| (d["name"].as_str().unwrap().to_string(), d["model"].as_str().unwrap().to_string()))
        .collect();
    assert!(!listed.is_empty());
    for (name, model) in &listed {
        assert_eq!(models.get(name), Some(model), "{name} remembered as {model}: {models:?}");
    }
    let (_, out, _) = cli_json(&sb, &az, &["discover", "--subscription", "Sandbox Prod"]);
    assert_eq!(out[0]["discovered"]["subscriptions"].as_array().unwrap().len(), 1);

    // Tokens for each scope through azure_identity, cached: 100 concurrent callers, one az run.
    let config = load(&ConfigLocation::Flag(sb.config.clone()), Policy::default()).unwrap().config;
    let rt = tokio::runtime::Runtime::new().unwrap();
    rt.block_on(async {
        let source = std::sync::Arc::new(TokenSource::new(&az, &config, Duration::from_secs(30)).unwrap());
        let mut set = tokio::task::JoinSet::new();
        for _ in 0..100 {
            let s = source.clone();
            set.spawn(async move { s.token(COGNITIVE_SCOPE).await.map(|t| t.expose().to_string()) });
        }
        let tokens: Vec<String> = set.join_all().await.into_iter().map(Result::unwrap).collect();
        assert!(tokens.iter().all(|t| *t == tokens[0]));
        assert_eq!(source.az_runs(), 1, "single flight: one az run for 100 callers");
        let arm = source.token(&arm_scope(&config)).await.unwrap();
        assert_ne!(arm.expose(), tokens[0], "a different scope gets its own token");
        assert_eq!(source.az_runs(), 2);
        // The Foundry stand-in accepts the Entra token, as Claude Code would send it.
        let net = foundry_onboard_core::net::Network::new(&config, foundry_onboard_core::net::Timeouts::from_total_ms(5000)).unwrap();
        let secret = foundry_onboard_core::Secret::new(tokens[0].clone());
        let ms = foundry_onboard_core::probe::probe(&net, &config, "claude-haiku-4-5", foundry_onboard_core::probe::Credential::Bearer(&secret)).await;
        assert!(ms.is_ok(), "{ms:?}");
    });

    // Sign out: the status says so.
    let out = foundry_onboard_e2e::az_command(&az, sb.home.path()).arg("logout").envs(az::env(&config)).output().unwrap();
    assert!(out.status.success(), "{}", String::from_utf8_lossy(&out.stderr));
    let (code, _, _) = cli_json(&sb, &az, &["login", "--status"]);
    assert_eq!(code, 2);
    sb.stop_with("-TERM");
}

#[test]
fn role_missing_is_reported_per_subscription_with_arms_words() {
    let Some(az) = skip_without_az() else { return };
    if reexec_in_netns("azure::role_missing_is_reported_per_subscription_with_arms_words") {
        return;
    }
    let mut sb = SandboxProcess::start(&["--approve-after-ms", "300", "--faults", "role-missing"]);
    let (code, _, err) = cli_json(&sb, &az, &["login", "--device-code"]);
    assert_eq!(code, 0, "{err}");
    let (code, out, _) = cli_json(&sb, &az, &["discover"]);
    assert_eq!(code, 0);
    let e = out[0]["discovered"]["subscriptions"][0]["error"].as_str().unwrap();
    assert!(e.contains("403") && e.contains("AuthorizationFailed"), "{e}");
    sb.stop_with("-TERM");
}

/// A fake `az` script (ours) in a temp dir.
fn fake_az(dir: &Path, body: &str) -> std::path::PathBuf {
    let p = dir.join("az");
    std::fs::write(&p, format!("#!/bin/sh\n{body}\n")).unwrap();
    use std::os::unix::fs::PermissionsExt;
    std::fs::set_permissions(&p, std::fs::Permissions::from_mode(0o755)).unwrap();
    p
}

#[tokio::test]
async fn a_hanging_az_is_stopped_with_its_children_at_the_deadline() {
    let dir = tempfile::tempdir().unwrap();
    let marker = dir.path().join("child.pid");
    // az that starts a child (like Python az does) and hangs.
    let az = fake_az(dir.path(), &format!("sleep 300 &\necho $! > {}\nwait", marker.display()));
    let source = TokenSource::new(&az, &Config::default(), Duration::from_millis(800)).unwrap();
    let started = std::time::Instant::now();
    let err = source.token(COGNITIVE_SCOPE).await.unwrap_err();
    assert!(started.elapsed() < Duration::from_secs(5), "{:?}", started.elapsed());
    assert!(matches!(err, AzError::Timeout { .. }), "{err}");
    let child: u32 = std::fs::read_to_string(&marker).unwrap().trim().parse().unwrap();
    assert!(foundry_onboard_e2e::ends_within(child, Duration::from_secs(3)), "the hanging child {child} outlived the deadline");
}

#[tokio::test]
async fn garbage_too_old_and_missing_az_are_clear_errors() {
    let dir = tempfile::tempdir().unwrap();
    let az = fake_az(dir.path(), "echo 'this is not json'");
    let err = TokenSource::new(&az, &Config::default(), Duration::from_secs(5)).unwrap().token(COGNITIVE_SCOPE).await.unwrap_err();
    assert!(matches!(err, AzError::Failed { .. }), "{err}");

    let old = fake_az(dir.path(), "echo '{\"azure-cli\": \"2.45.0\"}'");
    let err = az::version(&old, &Config::default()).await.unwrap_err();
    assert!(matches!(err, AzError::TooOld { .. }), "{err}");
    assert!(foundry_onboard_core::Diagnose::hint(&err).contains("2.45"), "{}", foundry_onboard_core::Diagnose::hint(&err));

    let warn = fake_az(dir.path(), "echo 'WARNING: a new version is available'; echo '{\"azure-cli\": \"2.91.0\"}'");
    assert_eq!(az::version(&warn, &Config::default()).await.unwrap(), "2.91.0");

    let not_logged_in = fake_az(dir.path(), "echo \"ERROR: Please run 'az login' to setup account.\" >&2; exit 1");
    let err = TokenSource::new(&not_logged_in, &Config::default(), Duration::from_secs(5)).unwrap().token(COGNITIVE_SCOPE).await.unwrap_err();
    assert!(matches!(err, AzError::NotLoggedIn), "{err}");

    let mut c = cli_command(dir.path());
    c.env("FOUNDRY_ONBOARD_AZ", dir.path().join("nope")).args(["login"]);
    let r = run(c);
    assert_eq!(r.code, 3, "{}", r.stderr);
    assert!(r.stderr.contains("not installed") && r.stderr.contains("help:"), "{}", r.stderr);
}

#[tokio::test]
async fn an_aadsts_error_from_az_is_explained() {
    let dir = tempfile::tempdir().unwrap();
    let az = fake_az(dir.path(), "echo 'ERROR: AADSTS53003: Access has been blocked by Conditional Access policies.' >&2; exit 1");
    let err = TokenSource::new(&az, &Config::default(), Duration::from_secs(5)).unwrap().token(COGNITIVE_SCOPE).await.unwrap_err();
    assert!(err.to_string().contains("conditional-access"), "{err}");
    assert!(foundry_onboard_core::Diagnose::hint(&err).contains("compliant"), "{}", foundry_onboard_core::Diagnose::hint(&err));
}

#[tokio::test]
async fn a_stuck_sign_in_ends_at_its_deadline_or_on_cancel_with_the_whole_group() {
    use foundry_onboard_core::azure::login::{LoginEvent, LoginOptions, login};
    let dir = tempfile::tempdir().unwrap();
    let marker = dir.path().join("child.pid");
    let az = fake_az(
        dir.path(),
        &format!(
            "echo 'To sign in, use a web browser to open the page https://microsoft.com/devicelogin and enter the code FAKE-0001 to authenticate.' >&2\nsleep 300 &\necho $! > {}\nwait",
            marker.display()
        ),
    );
    let mut events = Vec::new();
    let options = LoginOptions { device_code: true, tenant: None, timeout: Duration::from_millis(1500) };
    let err = login(&az, &Config::default(), &options, tokio_util::sync::CancellationToken::new(), |e| events.push(e)).await.unwrap_err();
    assert!(matches!(err, AzError::Timeout { .. }), "{err}");
    assert!(events.contains(&LoginEvent::DeviceCode { code: "FAKE-0001".into(), url: "https://microsoft.com/devicelogin".into() }), "{events:?}");
    let child: u32 = std::fs::read_to_string(&marker).unwrap().trim().parse().unwrap();
    assert!(foundry_onboard_e2e::ends_within(child, Duration::from_secs(3)), "az's child outlived the sign-in deadline");

    // Cancel ends it at once.
    let cancel = tokio_util::sync::CancellationToken::new();
    let trigger = cancel.clone();
    tokio::spawn(async move {
        tokio::time::sleep(Duration::from_millis(300)).await;
        trigger.cancel();
    });
    let options = LoginOptions { device_code: true, tenant: None, timeout: Duration::from_secs(60) };
    let started = std::time::Instant::now();
    let err = login(&az, &Config::default(), &options, cancel, |_| {}).await.unwrap_err();
    assert!(matches!(err, AzError::Cancelled), "{err}");
    assert!(started.elapsed() < Duration::from_secs(5));
}

#[tokio::test]
async fn a_token_close_to_expiry_is_fetched_again() {
    let dir = tempfile::tempdir().unwrap();
    // expires in 100 s: inside the 5-minute margin, so every call asks az again.
    let az =
        fake_az(dir.path(), "echo \"{\\\"accessToken\\\": \\\"tok\\\", \\\"expires_on\\\": $(( $(date +%s) + 100 )), \\\"tokenType\\\": \\\"Bearer\\\"}\"");
    let source = TokenSource::new(&az, &Config::default(), Duration::from_secs(5)).unwrap();
    source.token(COGNITIVE_SCOPE).await.unwrap();
    source.token(COGNITIVE_SCOPE).await.unwrap();
    assert_eq!(source.az_runs(), 2);
    let fresh =
        fake_az(dir.path(), "echo \"{\\\"accessToken\\\": \\\"tok\\\", \\\"expires_on\\\": $(( $(date +%s) + 3600 )), \\\"tokenType\\\": \\\"Bearer\\\"}\"");
    let source = TokenSource::new(&fresh, &Config::default(), Duration::from_secs(5)).unwrap();
    source.token(COGNITIVE_SCOPE).await.unwrap();
    source.token(COGNITIVE_SCOPE).await.unwrap();
    assert_eq!(source.az_runs(), 1, "an hour-long token is cached");
}

#[test]
fn entra_refusals_played_by_the_sandbox_reach_the_user_as_plain_sentences() {
    let Some(az) = skip_without_az() else { return };
    if reexec_in_netns("azure::entra_refusals_played_by_the_sandbox_reach_the_user_as_plain_sentences") {
        return;
    }
    let mut sb = SandboxProcess::start(&[]);
    let config = load(&ConfigLocation::Flag(sb.config.clone()), Policy::default()).unwrap().config;
    let net = foundry_onboard_core::net::Network::new(&config, foundry_onboard_core::net::Timeouts::from_total_ms(5000)).unwrap();
    let authority = sb.endpoint("authorityUrl");
    let rt = tokio::runtime::Runtime::new().unwrap();
    for (code, needle) in
        [("50076", "multi-factor"), ("53003", "conditional-access"), ("50020", "not a member"), ("65001", "consent"), ("7000218", "client secret")]
    {
        let mut c = cli_command(sb.home.path());
        c.env("FOUNDRY_ONBOARD_AZ", &az).arg("--config").arg(&sb.config).args(["--json", "login", "--device-code", "--timeout-secs", "60"]);
        c.stdout(std::process::Stdio::piped()).stderr(std::process::Stdio::piped());
        let mut child = c.spawn().unwrap();
        // Read the device code from the first JSON line, then answer on the sandbox's page.
        use std::io::BufRead;
        let mut lines = std::io::BufReader::new(child.stdout.take().unwrap()).lines();
        let first: serde_json::Value = serde_json::from_str(&lines.next().unwrap().unwrap()).unwrap();
        let user_code = first["code"].as_str().unwrap().to_string();
        rt.block_on(async {
            let rb = net
                .http
                .request(reqwest::Method::POST, &format!("{authority}/device"))
                .unwrap()
                .header("content-type", "application/x-www-form-urlencoded")
                .body(format!("code={user_code}&outcome={code}"));
            assert_eq!(net.http.send(rb).await.unwrap().status(), 200);
        });
        let rest: Vec<String> = lines.map_while(Result::ok).collect();
        let status = child.wait().unwrap();
        assert_eq!(status.code(), Some(2), "{code}: {rest:?}");
        let err: serde_json::Value = serde_json::from_str(rest.last().unwrap()).unwrap();
        let message = err["error"]["message"].as_str().unwrap();
        assert!(message.contains(&format!("AADSTS{code}")) && message.contains(needle), "{code}: {message}");
        assert!(!err["error"]["hint"].as_str().unwrap().is_empty());
    }
    sb.stop_with("-TERM");
}

#[test]
fn an_expired_sign_in_says_to_sign_in_again() {
    let Some(az) = skip_without_az() else { return };
    if reexec_in_netns("azure::an_expired_sign_in_says_to_sign_in_again") {
        return;
    }
    let dir = tempfile::tempdir().unwrap();
    let sb_dir = dir.path().join("sb");
    let mut first = SandboxProcess::start(&["--approve-after-ms", "300", "--dir", sb_dir.to_str().unwrap()]);
    let (code, _, err) = cli_json(&first, &az, &["login", "--device-code"]);
    assert_eq!(code, 0, "{err}");
    first.stop_with("-TERM");
    // The same az profile, a sandbox whose Entra and ARM now reject the old sign-in.
    let mut second = SandboxProcess::start(&["--faults", "auth-expired", "--dir", sb_dir.to_str().unwrap()]);
    let (code, out, _) = cli_json(&second, &az, &["discover"]);
    assert_eq!(code, 2, "{out:?}");
    let e = &out.last().unwrap()["error"];
    let text = format!("{} {}", e["message"], e["hint"]);
    assert!(text.contains("login"), "the next step is to sign in again: {text}");
    second.stop_with("-TERM");
}

/// Counts the DNS queries that reach 127.0.0.1:53 (the namespace's only resolver).
fn dns_query_counter() -> (std::sync::Arc<std::sync::Mutex<Vec<String>>>, std::thread::JoinHandle<()>) {
    let socket = std::net::UdpSocket::bind("127.0.0.1:53").expect("bind 127.0.0.1:53 inside the namespace");
    socket.set_read_timeout(Some(Duration::from_millis(200))).unwrap();
    let seen: std::sync::Arc<std::sync::Mutex<Vec<String>>> = std::sync::Arc::default();
    let log = seen.clone();
    let handle = std::thread::spawn(move || {
        let mut buf = [0u8; 1500];
        let deadline = std::time::Instant::now() + Duration::from_secs(120);
        while std::time::Instant::now() < deadline && !log.lock().unwrap().iter().any(|s| s == "<stop>") {
            if let Ok((n, _)) = socket.recv_from(&mut buf) {
                // The question's name: length-prefixed labels after the 12-byte header.
                let (mut i, mut labels) = (12, Vec::new());
                while i < n && buf[i] != 0 {
                    let l = buf[i] as usize;
                    labels.push(String::from_utf8_lossy(&buf[i + 1..(i + 1 + l).min(n)]).into_owned());
                    i += 1 + l;
                }
                log.lock().unwrap().push(labels.join("."));
            }
        }
    });
    (seen, handle)
}

#[test]
fn in_sandbox_mode_az_asks_no_dns_name_at_all() {
    let Some(az) = skip_without_az() else { return };
    if reexec_in_netns("azure::in_sandbox_mode_az_asks_no_dns_name_at_all") {
        return;
    }
    // Every name az might look up (update check, telemetry, instance discovery) goes to a resolver
    // we own: a private /etc/resolv.conf points at 127.0.0.1, where the counter listens.
    let dir = tempfile::tempdir().unwrap();
    let resolv = dir.path().join("resolv.conf");
    std::fs::write(&resolv, "nameserver 127.0.0.1\n").unwrap();
    assert!(std::process::Command::new("mount").arg("--bind").arg(&resolv).arg("/etc/resolv.conf").status().unwrap().success());
    let (seen, counter) = dns_query_counter();
    let sb = SandboxProcess::start(&["--approve-after-ms", "300"]);
    for args in [&["login", "--device-code"][..], &["login", "--status"], &["discover"], &["doctor", "--only", "signin,foundry.config"]] {
        let (code, out, err) = cli_json(&sb, &az, args);
        assert!(code == 0 || args[0] == "doctor", "{args:?}: {err}\n{out:?}");
    }
    // Claude Code's own az call goes through the same config dir: run az as it would.
    let dir_az = std::path::PathBuf::from(sb.endpoint("home")).parent().unwrap().join("azure");
    let out = foundry_onboard_e2e::az_command(&az, sb.home.path())
        .args(["account", "get-access-token", "--resource", "https://cognitiveservices.azure.com", "-o", "json"])
        .env("AZURE_CONFIG_DIR", &dir_az)
        .env("REQUESTS_CA_BUNDLE", sb.endpoint("caFile"))
        .output()
        .unwrap();
    assert!(out.status.success(), "{}", String::from_utf8_lossy(&out.stderr));
    std::thread::sleep(Duration::from_millis(300));
    let queries: Vec<String> = seen.lock().unwrap().clone();
    seen.lock().unwrap().push("<stop>".into());
    counter.join().unwrap();
    assert!(queries.is_empty(), "az looked up names (it would have left loopback): {queries:?}");
}
