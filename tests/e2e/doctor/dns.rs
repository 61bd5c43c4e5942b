//! `path.dns` against a DNS server we did not write (dnsmasq, inside `unshare -n -m`): a private
//! zone passes, a missing zone, all-public answers and NXDOMAIN fail, a hosts-file override warns;
//! a stale record (private, but not the private endpoint's address in ARM) fails even when ARM is
//! slow to say so.

use super::events_of;
use foundry_onboard_core::doctor::{self, DoctorOptions, Status};
use foundry_onboard_e2e::{SandboxProcess, cli_command, real_az, reexec_in_netns, run};
use foundry_onboard_sandbox::{Sandbox, SandboxOptions};
use std::path::Path;
use std::time::{Duration, Instant};

/// dnsmasq (Debian's, not ours) on a loopback port with `records`, in a HOME of its own; stopped
/// (by pid) on drop.
struct Dnsmasq(std::process::Child, u16, #[allow(dead_code)] tempfile::TempDir);

impl Dnsmasq {
    fn start(records: &[String]) -> Self {
        let port = foundry_onboard_e2e::free_port();
        let home = tempfile::tempdir().unwrap();
        let mut cmd = std::process::Command::new("dnsmasq");
        foundry_onboard_e2e::isolate(&mut cmd, home.path());
        let child = cmd
            .args([
                "--keep-in-foreground",
                "--conf-file=/dev/null",
                "--no-resolv",
                "--no-hosts",
                "--pid-file=",
                "--listen-address=127.0.0.1",
                "--bind-interfaces",
                "--local=/azure.com/",
            ])
            .arg(format!("--port={port}"))
            .args(records)
            .stderr(std::process::Stdio::null())
            .spawn()
            .expect("dnsmasq (scripts/install-test-deps.sh installs dnsmasq-base)");
        // Ready when it listens (it serves TCP as well as UDP).
        let deadline = Instant::now() + Duration::from_secs(5);
        while std::net::TcpStream::connect(("127.0.0.1", port)).is_err() && Instant::now() < deadline {
            std::thread::sleep(Duration::from_millis(50));
        }
        Self(child, port, home)
    }
}

impl Drop for Dnsmasq {
    fn drop(&mut self) {
        let _ = self.0.kill();
        let _ = self.0.wait();
    }
}

fn private_zone(base: &str) -> Vec<String> {
    private_zone_at(base, "127.0.0.1")
}

fn private_zone_at(base: &str, ip: &str) -> Vec<String> {
    vec![format!("--cname=sandbox-ai.{base},sandbox-ai.privatelink.{base}"), format!("--host-record=sandbox-ai.privatelink.{base},{ip}")]
}

fn dnsmasq_missing() -> bool {
    !foundry_onboard_core::profile::verify::installed("dnsmasq") && !Path::new("/usr/sbin/dnsmasq").exists()
}

fn public_zone(base: &str) -> Vec<String> {
    vec![
        format!("--cname=sandbox-ai.{base},sandbox-ai.privatelink.{base}"),
        format!("--cname=sandbox-ai.privatelink.{base},frontend.public-sandbox-ai.{base}"),
        format!("--host-record=frontend.public-sandbox-ai.{base},203.0.113.10"),
    ]
}

fn dns_only(config: &foundry_onboard_core::config::Config, dns: &Dnsmasq, dir: &Path) -> doctor::CheckResult {
    let mut c = config.clone();
    c.network.dns_servers = vec![format!("127.0.0.1:{}", dns.1)];
    let mut options = DoctorOptions::new(dir.join("sandbox.toml"), foundry_onboard_e2e::cli(), dir.to_path_buf());
    options.az = None;
    options.only = vec!["path.dns".into()];
    let (_, report, _) = events_of(&c, options);
    assert_eq!(report.checks.len(), 1, "only path.dns ran");
    report.checks[0].clone()
}

#[test]
fn path_dns_reads_a_dns_server_we_did_not_write() {
    if dnsmasq_missing() {
        assert!(std::env::var_os("CI").is_none(), "CI must run the dnsmasq test (scripts/install-test-deps.sh installs dnsmasq-base)");
        foundry_onboard_e2e::skipped("path.dns against dnsmasq", "dnsmasq is not installed (scripts/install-test-deps.sh installs dnsmasq-base)");
        return;
    }
    // In a namespace: loopback only, and a private /etc/hosts for the override case.
    if reexec_in_netns("doctor::dns::path_dns_reads_a_dns_server_we_did_not_write") {
        return;
    }
    let rt = tokio::runtime::Runtime::new().unwrap();
    let dir = tempfile::tempdir().unwrap();
    let sandbox = rt.block_on(Sandbox::start(SandboxOptions { dir: Some(dir.path().join("sbx")), ..Default::default() })).unwrap();
    let config = sandbox.config();
    let zones = ["services.ai.azure.com", "cognitiveservices.azure.com", "openai.azure.com"];

    let healthy = Dnsmasq::start(&zones.iter().flat_map(|z| private_zone(z)).collect::<Vec<_>>());
    let r = dns_only(&config, &healthy, dir.path());
    assert_eq!(r.status, Status::Pass, "{r:?}");
    assert_eq!(r.evidence.names.len(), 3, "all three names: {r:?}");
    assert!(r.evidence.names.iter().all(|n| n.via_privatelink && n.addresses.iter().all(|a| a.ip == "127.0.0.1" && a.private)), "{r:?}");
    assert!(r.evidence.names[0].chain.contains(&"sandbox-ai.privatelink.services.ai.azure.com".to_string()));
    assert!(r.evidence.resolver.as_deref().unwrap().contains(&healthy.1.to_string()), "names the resolver that answered");

    let mut missing = public_zone(zones[0]);
    missing.extend(private_zone(zones[1]));
    missing.extend(private_zone(zones[2]));
    let r = dns_only(&config, &Dnsmasq::start(&missing), dir.path());
    assert_eq!(r.status, Status::Fail, "{r:?}");
    assert!(r.detail.contains("privatelink.services.ai.azure.com zone") && r.detail.contains("203.0.113.10"), "{}", r.detail);
    assert!(r.hint.contains("not your key"), "{}", r.hint);

    let r = dns_only(&config, &Dnsmasq::start(&zones.iter().flat_map(|z| public_zone(z)).collect::<Vec<_>>()), dir.path());
    assert_eq!(r.status, Status::Fail);
    assert!(r.detail.contains("public address") && !r.detail.contains("zone has no record"), "all public is not the one-zone case: {}", r.detail);

    let r = dns_only(&config, &Dnsmasq::start(&[]), dir.path());
    assert_eq!(r.status, Status::Fail);
    assert!(r.detail.contains("NXDOMAIN"), "{}", r.detail);

    // A hosts-file override: the answer DNS gives is bypassed.
    let hosts = dir.path().join("hosts");
    std::fs::write(&hosts, "127.0.0.1 localhost\n127.0.0.9 sandbox-ai.services.ai.azure.com\n").unwrap();
    let mounted = std::process::Command::new("mount").args(["--bind"]).arg(&hosts).arg("/etc/hosts").status().unwrap();
    assert!(mounted.success(), "bind-mount a private /etc/hosts inside the namespace");
    let r = dns_only(&config, &healthy, dir.path());
    assert_eq!(r.status, Status::Warn, "{r:?}");
    assert!(r.detail.contains("hosts file") && r.evidence.names[0].hosts_override.as_deref().unwrap().starts_with("127.0.0.9"), "{r:?}");
    rt.block_on(sandbox.shutdown());
}

/// The private endpoint was re-created at a new address and the zone still holds the old one: the
/// answer is private and inside `expected_cidrs`, so only ARM's view tells it apart. ARM answers
/// late here (1 s per HTTP answer, the sandbox's latency; dnsmasq's DNS is not delayed), as az calls
/// do on a slow laptop: path.dns waits for it and fails on the stale record. With a deadline too
/// short to wait for ARM it passes, saying the comparison was not made.
#[test]
fn a_stale_record_fails_even_when_arm_answers_late() {
    let Some(az) = real_az() else {
        assert!(std::env::var_os("CI").is_none(), "CI must run the stale-record test (scripts/install-test-deps.sh installs azure-cli)");
        return;
    };
    if dnsmasq_missing() {
        assert!(std::env::var_os("CI").is_none(), "CI must run the stale-record test (scripts/install-test-deps.sh installs dnsmasq-base)");
        foundry_onboard_e2e::skipped("the stale-record test", "dnsmasq is not installed (scripts/install-test-deps.sh installs dnsmasq-base)");
        return;
    }
    if reexec_in_netns("doctor::dns::a_stale_record_fails_even_when_arm_answers_late") {
        return;
    }
    let sb = SandboxProcess::start_with_env(&["--signed-in", "--latency-ms", "1000"], &[("FOUNDRY_ONBOARD_AZ", az.as_os_str())]);
    let zones = ["services.ai.azure.com", "cognitiveservices.azure.com", "openai.azure.com"];
    let stale = Dnsmasq::start(&zones.iter().flat_map(|z| private_zone_at(z, "127.0.0.2")).collect::<Vec<_>>());
    let text = std::fs::read_to_string(&sb.config).unwrap();
    let text: String =
        text.lines().map(|l| if l.starts_with("dns_servers =") { format!("dns_servers = [\"127.0.0.1:{}\"]\n", stale.1) } else { format!("{l}\n") }).collect();
    assert!(text.contains(&format!("127.0.0.1:{}", stale.1)), "{text}");
    let config = sb.home.path().join("stale.toml");
    std::fs::write(&config, text).unwrap();
    let doctor = |deadline_ms: &str| {
        let mut cmd = cli_command(sb.home.path());
        cmd.env("FOUNDRY_ONBOARD_AZ", &az).arg("--config").arg(&config).args([
            "doctor",
            "--json",
            "--only",
            "signin.az,foundry.config,path.dns",
            "--deadline-ms",
            deadline_ms,
        ]);
        let r = run(cmd);
        let json: serde_json::Value = serde_json::from_str(r.stdout.trim()).unwrap_or_else(|e| panic!("no JSON ({e}): {}\n{}", r.stdout, r.stderr));
        let check = |id: &str| json["checks"].as_array().unwrap().iter().find(|c| c["id"] == id).cloned().unwrap_or_else(|| panic!("{id} ran: {json}"));
        (check("path.dns"), check("foundry.config"))
    };

    let (dns, arm) = doctor("30000");
    eprintln!("stale record: ARM answered in {} ms; path.dns {} after {} ms", arm["durationMs"], dns["status"], dns["durationMs"]);
    assert_eq!(arm["status"], "pass", "ARM described the account: {arm}");
    assert!(arm["durationMs"].as_u64().unwrap() >= 2500, "ARM answered later than the 2.5 s path.dns used to wait: {arm}");
    assert_eq!(dns["status"], "fail", "a stale record is not a pass: {dns}");
    assert!(dns["detail"].as_str().unwrap().contains("127.0.0.2, which is not the private endpoint's address from ARM"), "{dns}");
    assert!(dns["hint"].as_str().unwrap().contains("stale"), "{dns}");
    assert!(
        dns["evidence"]["facts"].as_array().unwrap().contains(&serde_json::json!(["private endpoint IPs (ARM)", "127.0.0.1"])),
        "ARM's address is shown: {dns}"
    );

    // Half of a 4 s deadline is 2 s, less than ARM takes: DNS goes on and says so.
    let (dns, _) = doctor("4000");
    assert_eq!(dns["status"], "pass", "{dns}");
    assert!(
        dns["evidence"].to_string().contains("not known: foundry.config had not answered after 2."),
        "the comparison was not made, and the report says so: {dns}"
    );
}
