//! The sandbox's wire faults seen by a client, through a real `foundry-onboard sandbox` process and
//! the core's network layer (as the doctor will see them), and `sandbox --signed-in` with the real
//! az inside a loopback-only namespace.

use foundry_onboard_core::config::policy::Policy;
use foundry_onboard_core::config::{Config, ConfigLocation, load};
use foundry_onboard_core::net::{NetError, Network, Timeouts};
use foundry_onboard_e2e::{SandboxProcess, cli_command, real_az, reexec_in_netns, run};
use std::net::SocketAddr;
use std::path::Path;
use std::process::Stdio;
use std::time::{Duration, Instant};

fn config_of(sb: &SandboxProcess) -> Config {
    load(&ConfigLocation::Flag(sb.config.clone()), Policy::default()).expect("the written config loads").config
}

fn foundry_addr(sb: &SandboxProcess) -> SocketAddr {
    let url = url_port(&sb.endpoint("foundryPrivateUrl"));
    assert_eq!(url, url_port(&sb.endpoint("foundryBaseUrl")), "the private and base URLs share the port");
    SocketAddr::from(([127, 0, 0, 1], url))
}

fn url_port(url: &str) -> u16 {
    url.split(':').nth(2).and_then(|r| r.split('/').next()).and_then(|p| p.parse().ok()).unwrap_or_else(|| panic!("no port in {url}"))
}

/// `https://sandbox-ai.services.ai.azure.com:PORT/` — sandbox DNS, then the Foundry HTTPS port.
fn foundry_root(sb: &SandboxProcess) -> String {
    format!("{}/", sb.endpoint("foundryPrivateUrl").trim_end_matches("/anthropic"))
}

#[test]
fn tcp_blackhole_connect_hangs_until_the_clients_timeout_and_is_not_refused() {
    let mut sb = SandboxProcess::start(&["--faults", "tcp-blackhole"]);
    let addr = foundry_addr(&sb);
    let rt = tokio::runtime::Runtime::new().unwrap();
    rt.block_on(async {
        let started = Instant::now();
        let attempt = tokio::time::timeout(Duration::from_secs(1), tokio::net::TcpStream::connect(addr)).await;
        assert!(attempt.is_err(), "the connect completed or was refused: {attempt:?}");
        assert!(started.elapsed() >= Duration::from_secs(1));

        // The network layer's own connect (the doctor's path.tcp seam) ends at its connect timeout.
        let net = Network::new(&config_of(&sb), Timeouts::from_total_ms(4_000)).unwrap();
        let started = Instant::now();
        let err = net.connect_tcp(addr).await.unwrap_err();
        assert!(matches!(err, NetError::Timeout { after_ms: 1_000, .. }), "{err}");
        assert!(started.elapsed() < Duration::from_secs(2), "{:?}", started.elapsed());
        // HTTPS by the resource's name (sandbox DNS → 127.0.0.1) times out the same way.
        let err = net.http.get(&foundry_root(&sb)).await.unwrap_err();
        assert!(matches!(err, NetError::Timeout { .. }), "{err}");

        // Only the Foundry HTTPS port is black: ARM and Foundry over plain HTTP still answer.
        assert_eq!(net.http.get(&sb.endpoint("armUrl")).await.unwrap().status(), 200);
        let http_root = sb.endpoint("foundryHttpUrl").trim_end_matches("/anthropic").to_string();
        assert_eq!(net.http.get(&http_root).await.unwrap().status(), 200);
    });
    assert_eq!(sb.stop_with("-TERM"), 0, "a blackholed sandbox still stops cleanly");
}

#[test]
fn tls_intercepted_fails_on_the_unknown_issuer_until_the_inspection_ca_is_trusted() {
    let mut sb = SandboxProcess::start(&["--faults", "tls-intercepted"]);
    let inspection = sb.endpoint("inspectionCaFile");
    assert!(inspection.ends_with("inspection-ca.pem"), "{inspection}");
    let pem = std::fs::read_to_string(&inspection).unwrap();
    assert!(pem.starts_with("-----BEGIN CERTIFICATE-----"), "{pem}");
    assert!(!std::fs::read_to_string(sb.endpoint("caFile")).unwrap().contains(pem.trim()), "the inspection CA is not in the sandbox CA file");
    let rt = tokio::runtime::Runtime::new().unwrap();
    rt.block_on(async {
        let config = config_of(&sb);
        let net = Network::new(&config, Timeouts::from_total_ms(5_000)).unwrap();
        let err = net.http.get(&foundry_root(&sb)).await.unwrap_err();
        match &err {
            NetError::Tls { detail, .. } => assert!(detail.contains("UnknownIssuer"), "{detail}"),
            other => panic!("not a TLS error: {other}"),
        }
        // ARM is not intercepted.
        assert_eq!(net.http.get(&sb.endpoint("armUrl")).await.unwrap().status(), 200);

        // Trusting the inspection CA as well (what NODE_EXTRA_CA_CERTS does for Claude Code) works.
        let bundle = sb.home.path().join("with-inspection.pem");
        std::fs::write(&bundle, format!("{}{pem}", std::fs::read_to_string(sb.endpoint("caFile")).unwrap())).unwrap();
        let mut trusting = config.clone();
        trusting.sandbox.as_mut().unwrap().ca_file = bundle;
        let net = Network::new(&trusting, Timeouts::from_total_ms(5_000)).unwrap();
        let body: serde_json::Value = net.http.get(&foundry_root(&sb)).await.unwrap().json().await.unwrap();
        assert_eq!(body["service"], "foundry");
    });
    sb.stop_with("-TERM");
}

#[test]
fn tls_expired_fails_as_expired() {
    let mut sb = SandboxProcess::start(&["--faults", "tls-expired"]);
    assert!(sb.endpoints["inspectionCaFile"].is_null(), "{}", sb.endpoints);
    let rt = tokio::runtime::Runtime::new().unwrap();
    rt.block_on(async {
        let net = Network::new(&config_of(&sb), Timeouts::from_total_ms(5_000)).unwrap();
        match net.http.get(&foundry_root(&sb)).await.unwrap_err() {
            NetError::Tls { detail, .. } => assert!(detail.contains("certificate expired"), "{detail}"),
            other => panic!("not a TLS error: {other}"),
        }
        assert_eq!(net.http.get(&sb.endpoint("armUrl")).await.unwrap().status(), 200);
    });
    sb.stop_with("-TERM");
}

/// Minimum over five fresh connections of (bare TCP connect, HTTPS GET on a new client): the
/// minimum, because a busy machine only ever adds time.
async fn min_timings(sb: &SandboxProcess, url: &str) -> (Duration, Duration) {
    let config = config_of(sb);
    let addr = foundry_addr(sb);
    let mut best = (Duration::MAX, Duration::MAX);
    for _ in 0..5 {
        let started = Instant::now();
        drop(tokio::net::TcpStream::connect(addr).await.unwrap());
        let connect = started.elapsed();
        let net = Network::new(&config, Timeouts::from_total_ms(5_000)).unwrap(); // no pooled connection
        let started = Instant::now();
        assert_eq!(net.http.get(url).await.unwrap().status(), 200);
        best = (best.0.min(connect), best.1.min(started.elapsed()));
    }
    best
}

#[test]
fn slow_link_adds_latency_before_the_tls_handshake_not_to_the_bare_connect() {
    let mut slow = SandboxProcess::start(&["--faults", "slow-link"]);
    let mut healthy = SandboxProcess::start(&[]);
    let rt = tokio::runtime::Runtime::new().unwrap();
    rt.block_on(async {
        let (s_connect, s_https) = min_timings(&slow, &foundry_root(&slow)).await;
        let (h_connect, h_https) = min_timings(&healthy, &foundry_root(&healthy)).await;
        eprintln!("slow-link: TCP connect {s_connect:?}, HTTPS GET {s_https:?}; healthy: {h_connect:?}, {h_https:?}");
        assert!(s_https >= foundry_onboard_sandbox::SLOW_LINK, "{s_https:?}");
        assert!(h_https < foundry_onboard_sandbox::SLOW_LINK, "a healthy sandbox is faster: {h_https:?}");
        assert!(s_connect < Duration::from_millis(50) && h_connect < Duration::from_millis(50), "{s_connect:?} {h_connect:?}");
        // Only the Foundry HTTPS port is slow.
        let (_, arm) = min_timings(&slow, &slow.endpoint("armUrl")).await;
        assert!(arm < foundry_onboard_sandbox::SLOW_LINK, "{arm:?}");
    });
    slow.stop_with("-TERM");
    healthy.stop_with("-TERM");
}

fn start_signed_in(az: &Path, extra: &[&str]) -> SandboxProcess {
    SandboxProcess::start_signed_in(az, extra)
}

fn cli_json(sb: &SandboxProcess, az: &Path, args: &[&str]) -> (i32, serde_json::Value, String) {
    let mut c = cli_command(sb.home.path());
    c.env("FOUNDRY_ONBOARD_AZ", az).arg("--config").arg(&sb.config).arg("--json").args(args);
    let r = run(c);
    let value = r.stdout.lines().find_map(|l| serde_json::from_str(l).ok()).unwrap_or_default();
    (r.code, value, r.stderr)
}

#[test]
fn signed_in_starts_with_the_sandboxs_own_az_signed_in() {
    let Some(az) = real_az() else {
        assert!(std::env::var_os("CI").is_none(), "CI must run the real-az tests");
        foundry_onboard_e2e::skipped("the signed-in sandbox faults", "azure-cli is not installed in ~/.cache/foundry-onboard-az");
        return;
    };
    if reexec_in_netns("sandbox_faults::signed_in_starts_with_the_sandboxs_own_az_signed_in") {
        return;
    }
    let mut sb = start_signed_in(&az, &[]);
    assert_eq!(sb.endpoints["signedInAs"], foundry_onboard_sandbox::USER, "{}", sb.endpoints);
    let (code, status, err) = cli_json(&sb, &az, &["login", "--status"]);
    assert_eq!(code, 0, "{err}");
    assert_eq!(status["state"]["signedIn"], true);
    assert_eq!(status["state"]["cloud"], "FoundryOnboardSandbox");
    assert!(!sb.home.path().join(".azure").exists(), "the user's own ~/.azure is untouched");
    // A working sign-in: discovery gets an ARM token from that az and finds the Claude resource.
    let (code, found, err) = cli_json(&sb, &az, &["discover"]);
    assert_eq!(code, 0, "{err}");
    assert_eq!(found["discovered"]["subscriptions"][0]["accounts"][0]["name"], "sandbox-ai");
    // az was kept on loopback: its update check is settled, its telemetry off, in its config dir.
    let azure = Path::new(&sb.endpoint("home")).parent().unwrap().join("azure");
    let check = std::fs::read_to_string(azure.join("versionCheck.json")).unwrap();
    assert!(check.contains("\"local\":\"2."), "{check}");
    let az_config = std::fs::read_to_string(azure.join("config")).unwrap();
    assert!(az_config.contains("collect_telemetry = false") && az_config.contains("instance_discovery = false"), "{az_config}");
    assert_eq!(sb.stop_with("-TERM"), 0);
}

#[test]
fn signed_in_with_auth_expired_is_signed_in_but_refused() {
    let Some(az) = real_az() else { return };
    if reexec_in_netns("sandbox_faults::signed_in_with_auth_expired_is_signed_in_but_refused") {
        return;
    }
    let mut sb = start_signed_in(&az, &["--faults", "auth-expired"]);
    assert_eq!(sb.endpoints["signedInAs"], foundry_onboard_sandbox::USER);
    let (code, status, _) = cli_json(&sb, &az, &["login", "--status"]);
    assert_eq!((code, &status["state"]["signedIn"]), (0, &serde_json::Value::Bool(true)));
    // The sign-in has gone stale: ARM refuses the cached token…
    let (code, out, _) = cli_json(&sb, &az, &["discover"]);
    assert_eq!(code, 2, "{out}");
    assert!(out["error"]["message"].as_str().unwrap().contains("ExpiredAuthenticationToken"), "{out}");
    // …and Entra refuses to refresh it for the Foundry scope.
    let config = config_of(&sb);
    let out = foundry_onboard_e2e::az_command(&az, sb.home.path())
        .args(["account", "get-access-token", "-o", "json", "--scope", foundry_onboard_core::azure::COGNITIVE_SCOPE])
        .envs(foundry_onboard_core::azure::az::env(&config))
        .output()
        .unwrap();
    assert!(!out.status.success() && String::from_utf8_lossy(&out.stderr).contains("AADSTS700082"), "{}", String::from_utf8_lossy(&out.stderr));
    sb.stop_with("-TERM");
}

#[test]
fn signed_in_without_az_is_a_clear_error() {
    let home = tempfile::tempdir().unwrap();
    for json in [false, true] {
        let mut c = cli_command(home.path());
        c.env("FOUNDRY_ONBOARD_AZ", home.path().join("no-such-az"));
        if json {
            c.arg("--json");
        }
        c.args(["sandbox", "--signed-in"]);
        let r = run(c);
        assert_eq!(r.code, 3, "{}", r.stderr);
        if json {
            let v: serde_json::Value = serde_json::from_str(r.stdout.trim()).unwrap();
            assert_eq!(v["ok"], false);
            assert!(v["error"]["message"].as_str().unwrap().contains("not installed"), "{v}");
            assert!(v["error"]["hint"].as_str().unwrap().contains("FOUNDRY_ONBOARD_AZ"), "{v}");
        } else {
            assert!(r.stderr.contains("error: cannot sign the sandbox's az in: the Azure CLI (az) is not installed"), "{}", r.stderr);
            assert!(r.stderr.contains("help:") && r.stderr.contains("FOUNDRY_ONBOARD_AZ") && r.stderr.contains("without --signed-in"), "{}", r.stderr);
            assert!(!r.stdout.contains("armUrl"), "no endpoints are printed for a sandbox that did not start");
        }
    }
}

#[test]
fn stopping_the_sandbox_during_sign_in_ends_az_and_its_children() {
    let home = tempfile::tempdir().unwrap();
    let child_pid = home.path().join("az-child.pid");
    // An az of ours: a current version, any setup command succeeds, and `login` hangs with a child.
    let az = home.path().join("az");
    std::fs::write(
        &az,
        format!(
            "#!/bin/sh\ncase \"$1\" in\n  version) echo '{{\"azure-cli\": \"2.91.0\", \"extensions\": {{}}}}' ;;\n  login) sleep 300 & echo $! > {} ; wait ;;\n  *) exit 0 ;;\nesac\n",
            child_pid.display()
        ),
    )
    .unwrap();
    use std::os::unix::fs::PermissionsExt;
    std::fs::set_permissions(&az, std::fs::Permissions::from_mode(0o755)).unwrap();
    let mut c = cli_command(home.path());
    c.env("FOUNDRY_ONBOARD_AZ", &az).args(["sandbox", "--signed-in"]).stdout(Stdio::piped()).stderr(Stdio::piped());
    let mut sandbox = c.spawn().unwrap();
    let deadline = Instant::now() + Duration::from_secs(30);
    while !child_pid.exists() || std::fs::read_to_string(&child_pid).unwrap().trim().is_empty() {
        assert!(Instant::now() < deadline, "the fake az login never started");
        std::thread::sleep(Duration::from_millis(50));
    }
    let sleeper: u32 = std::fs::read_to_string(&child_pid).unwrap().trim().parse().unwrap();
    assert!(foundry_onboard_e2e::still_running(sleeper));
    let started = Instant::now();
    let _ = std::process::Command::new("kill").args(["-TERM", &sandbox.id().to_string()]).status();
    assert_eq!(foundry_onboard_e2e::wait_exit(&mut sandbox, Duration::from_secs(10)), 0);
    assert!(started.elapsed() < Duration::from_secs(5), "{:?}", started.elapsed());
    assert!(foundry_onboard_e2e::ends_within(sleeper, Duration::from_secs(3)), "az's child outlived the sandbox");
    let mut out = String::new();
    std::io::Read::read_to_string(&mut sandbox.stdout.take().unwrap(), &mut out).unwrap();
    assert!(!out.contains("armUrl"), "no endpoints for a sandbox stopped before it was signed in: {out}");
}
