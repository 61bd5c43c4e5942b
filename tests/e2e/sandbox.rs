//! `foundry-onboard sandbox` as a process: endpoints, the config it writes, real HTTPS and DNS
//! through the core's network layer, clean exit on signals, and its failures.

use foundry_onboard_core::config::policy::Policy;
use foundry_onboard_core::config::{ConfigLocation, load};
use foundry_onboard_core::net::{Network, Timeouts};
use foundry_onboard_e2e::{SandboxProcess, cli_command, free_port, run};
use std::time::Duration;

fn network_for(sb: &SandboxProcess) -> Network {
    let loaded = load(&ConfigLocation::Flag(sb.config.clone()), Policy::default()).expect("the written config loads");
    assert!(loaded.config.is_sandbox());
    Network::new(&loaded.config, Timeouts::from_total_ms(5_000)).expect("network")
}

#[tokio::test]
async fn endpoints_config_https_and_dns_work_end_to_end() {
    let mut sb = SandboxProcess::start(&[]);
    for key in ["armUrl", "authorityUrl", "foundryBaseUrl", "foundryPrivateUrl", "foundryHttpUrl", "gatewayUrl", "dns", "caFile", "home", "configFile"] {
        assert!(sb.endpoints[key].is_string(), "endpoint {key} missing: {}", sb.endpoints);
    }
    let text = std::fs::read_to_string(&sb.config).unwrap();
    assert!(text.contains("[sandbox]") && text.contains("dns_servers"), "{text}");
    let net = network_for(&sb);

    // HTTPS to the Foundry stand-in by its Azure host name: sandbox DNS → CNAME → loopback, sandbox CA.
    let base = sb.endpoint("foundryPrivateUrl");
    assert!(base.starts_with("https://sandbox-ai.services.ai.azure.com:"), "{base}");
    let host_root = base.trim_end_matches("/anthropic");
    let resp = net.http.get(host_root).await.expect("HTTPS through sandbox DNS and CA");
    assert_eq!(resp.status(), 200);
    let body: serde_json::Value = resp.json().await.unwrap();
    assert_eq!(body["service"], "foundry");
    // The base URL Claude Code gets (localhost) reaches the same server.
    let body: serde_json::Value = net.http.get(sb.endpoint("foundryBaseUrl").trim_end_matches("/anthropic")).await.unwrap().json().await.unwrap();
    assert_eq!(body["service"], "foundry");
    // An unknown Foundry path answers with Azure's 404 body.
    let resp = net.http.get(&format!("{base}/nope")).await.unwrap();
    assert_eq!(resp.status(), 404);
    let body: serde_json::Value = resp.json().await.unwrap();
    assert_eq!(body["error"]["code"], "404");
    // ARM, login and the gateway answer on their own HTTPS ports.
    for (key, service) in [("armUrl", "arm"), ("authorityUrl", "login"), ("gatewayUrl", "gateway")] {
        let body: serde_json::Value = net.http.get(&sb.endpoint(key)).await.unwrap().json().await.unwrap();
        assert_eq!(body["service"], service);
    }

    // Real DNS queries: each of the three names goes through its privatelink zone to loopback.
    let resolver = net.resolver.hickory().expect("a resolver");
    for base in ["services.ai.azure.com", "cognitiveservices.azure.com", "openai.azure.com"] {
        let name = format!("sandbox-ai.{base}.");
        let lookup = resolver.lookup_ip(name.as_str()).await.unwrap_or_else(|e| panic!("{name}: {e}"));
        let records: Vec<String> = lookup.as_lookup().answers().iter().map(|r| format!("{} {}", r.name, r.data)).collect();
        assert!(records.iter().any(|r| r.contains(&format!("sandbox-ai.privatelink.{base}."))), "{records:?}");
        assert_eq!(lookup.iter().collect::<Vec<_>>(), vec![std::net::IpAddr::from([127, 0, 0, 1])]);
    }
    assert_eq!(sb.stop_with("-TERM"), 0);
}

#[tokio::test]
async fn sigint_and_sigterm_stop_it_cleanly_and_free_the_ports() {
    for signal in ["-INT", "-TERM"] {
        let mut sb = SandboxProcess::start(&[]);
        let arm = sb.endpoint("armUrl");
        let port: u16 = arm.rsplit(':').next().unwrap().parse().unwrap();
        assert!(std::net::TcpStream::connect(("127.0.0.1", port)).is_ok());
        assert_eq!(sb.stop_with(signal), 0, "exit code after {signal}");
        assert!(
            std::net::TcpStream::connect_timeout(&([127, 0, 0, 1], port).into(), Duration::from_millis(300)).is_err(),
            "port {port} still open after {signal}"
        );
    }
}

#[test]
fn latency_is_added_to_every_answer() {
    let mut sb = SandboxProcess::start(&["--latency-ms", "300"]);
    let rt = tokio::runtime::Runtime::new().unwrap();
    let net = network_for(&sb);
    let arm = sb.endpoint("armUrl");
    let start = std::time::Instant::now();
    let status = rt.block_on(async { net.http.get(&arm).await.map(|r| r.status()) }).unwrap();
    assert_eq!(status, 200);
    assert!(start.elapsed() >= Duration::from_millis(300), "{:?}", start.elapsed());
    sb.stop_with("-TERM");
}

#[test]
fn faults_change_the_dns_answers() {
    let mut sb = SandboxProcess::start(&["--faults", "zone-missing-services-ai"]);
    let rt = tokio::runtime::Runtime::new().unwrap();
    let net = network_for(&sb);
    rt.block_on(async {
        // The private cognitiveservices name still resolves to loopback…
        let ips = net.resolver.lookup_ip("sandbox-ai.cognitiveservices.azure.com").await.unwrap();
        assert_eq!(ips, vec![std::net::IpAddr::from([127, 0, 0, 1])]);
        // …while services.ai answers a public address, which the guard refuses to use.
        let err = net.resolver.lookup_ip("sandbox-ai.services.ai.azure.com").await.unwrap_err();
        assert!(err.to_string().contains("sandbox guard") && err.to_string().contains("203.0.113.10"), "{err}");
        let raw = net.resolver.hickory().unwrap().lookup_ip("sandbox-ai.services.ai.azure.com.").await.unwrap();
        assert_eq!(raw.iter().collect::<Vec<_>>(), vec![std::net::IpAddr::from([203, 0, 113, 10])]);
    });
    sb.stop_with("-TERM");
}

#[test]
fn unknown_fault_exits_3_with_the_valid_list() {
    let home = tempfile::tempdir().unwrap();
    let mut c = cli_command(home.path());
    c.args(["sandbox", "--faults", "dns-nxdomain,cosmic-rays"]);
    let r = run(c);
    assert_eq!(r.code, 3);
    assert!(r.stderr.contains("cosmic-rays") && r.stderr.contains("zone-missing-services-ai") && r.stderr.contains("gateway-html"), "{}", r.stderr);
}

#[test]
fn a_port_in_use_is_a_clear_error() {
    let taken = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
    let port = taken.local_addr().unwrap().port();
    let home = tempfile::tempdir().unwrap();
    let mut c = cli_command(home.path());
    c.args(["sandbox", "--port", &port.to_string()]);
    let r = run(c);
    assert_eq!(r.code, 2, "{}", r.stderr);
    assert!(r.stderr.contains(&format!("port {port} is already in use")), "{}", r.stderr);
    assert!(r.stderr.contains("help:") && r.stderr.contains("--port"), "{}", r.stderr);
    let _ = free_port();
}

#[test]
fn a_killed_sandbox_is_reported_by_the_commands_that_use_its_config() {
    let mut sb = SandboxProcess::start(&[]);
    assert_eq!(sb.stop_with("-KILL"), -1);
    let mut c = cli_command(sb.home.path());
    c.arg("--config").arg(&sb.config).arg("doctor");
    let r = run(c);
    assert_eq!(r.code, 2, "{}", r.stderr);
    assert!(r.stderr.contains("is not running"), "{}", r.stderr);
    assert!(r.stderr.contains("foundry-onboard sandbox --write-config"), "{}", r.stderr);
}
