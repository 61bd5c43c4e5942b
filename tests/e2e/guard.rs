//! The sandbox guard: with a sandbox config nothing connects outside 127.0.0.0/8 — IP literals,
//! names that resolve elsewhere, the system resolver, raw TCP — and it says so clearly.

use foundry_onboard_core::config::{Config, SandboxLink};
use foundry_onboard_core::net::{Network, Timeouts};
use foundry_onboard_core::{Diagnose, ErrorKind};
use foundry_onboard_e2e::SandboxProcess;
use std::time::{Duration, Instant};

fn sandbox_config_without_resolver(dir: &std::path::Path) -> Config {
    let ca = dir.join("ca.pem");
    // Any valid PEM will do: nothing here is allowed to connect.
    std::fs::write(&ca, include_str!("fixtures/any-ca.pem")).unwrap();
    Config { sandbox: Some(SandboxLink { home: dir.to_path_buf(), ca_file: ca, private_base_url: None, policy: None }), ..Default::default() }
}

#[tokio::test]
async fn non_loopback_addresses_are_refused_before_any_packet() {
    let dir = tempfile::tempdir().unwrap();
    let net = Network::new(&sandbox_config_without_resolver(dir.path()), Timeouts::from_total_ms(3_000)).unwrap();
    for url in ["https://10.0.0.4/", "https://20.42.0.1/anthropic/v1/messages", "http://[2001:db8::1]/"] {
        let start = Instant::now();
        let err = net.http.get(url).await.unwrap_err();
        assert_eq!(err.kind(), ErrorKind::Guard, "{url}: {err}");
        assert!(err.to_string().contains("not a loopback address"), "{err}");
        assert!(err.hint().contains("sandbox config"), "{}", err.hint());
        assert!(start.elapsed() < Duration::from_millis(100), "refused before connecting");
    }
    let err = net.connect_tcp("192.0.2.1:443".parse().unwrap()).await.unwrap_err();
    assert_eq!(err.kind(), ErrorKind::Guard);
    // With no loopback resolver configured, a host name is never sent to the system resolver.
    let err = net.http.get("https://management.azure.com/").await.unwrap_err();
    assert_eq!(err.kind(), ErrorKind::Guard, "{err}");
    assert!(err.to_string().contains("system DNS resolver"), "{err}");
    // Loopback is allowed: a refused connection, not a guard error.
    let port = foundry_onboard_e2e::free_port();
    let err = net.http.get(&format!("https://127.0.0.1:{port}/")).await.unwrap_err();
    assert_eq!(err.kind(), ErrorKind::Network, "{err}");
}

#[tokio::test]
async fn a_name_the_sandbox_dns_resolves_publicly_is_refused() {
    let mut sb = SandboxProcess::start(&["--faults", "dns-public-ip"]);
    let loaded = foundry_onboard_core::config::load(
        &foundry_onboard_core::config::ConfigLocation::Flag(sb.config.clone()),
        foundry_onboard_core::config::policy::Policy::default(),
    )
    .unwrap();
    let net = Network::new(&loaded.config, Timeouts::from_total_ms(3_000)).unwrap();
    let err = net.http.get(&sb.endpoint("foundryPrivateUrl")).await.unwrap_err();
    assert_eq!(err.kind(), ErrorKind::Guard, "{err}");
    assert!(err.to_string().contains("203.0.113.10"), "{err}");
    sb.stop_with("-TERM");
}

#[tokio::test]
async fn outside_sandbox_mode_the_guard_is_off() {
    // Not a sandbox config: the guard must not refuse (nothing is sent: the URL's port is closed
    // on loopback, and a public IP is only checked, never contacted).
    let net = Network::new(&Config::default(), Timeouts::from_total_ms(2_000)).unwrap();
    assert!(!net.guard.loopback_only());
    assert!(net.guard.check_ip("20.42.0.1".parse().unwrap()).is_ok());
}
