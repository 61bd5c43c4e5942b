//! `foundry-onboard usage --source azure-monitor` and the doctor's `usage.source` with the real az
//! signed in to the sandbox (`sandbox --signed-in`, inside a loopback-only namespace): the Log
//! Analytics token from az, the user claim from that token, the sandbox's query API stand-in —
//! and its faults named as themselves.

use super::usage::schema_errors;
use foundry_onboard_core::config::policy::Policy;
use foundry_onboard_core::config::{ConfigLocation, load, save};
use foundry_onboard_core::usage::SourceKind;
use foundry_onboard_e2e::{SandboxProcess, cli_command, real_az, reexec_in_netns, run};
use serde_json::Value;
use std::path::Path;

/// `sandbox --signed-in` with the real az, its config naming the azure-monitor source.
fn start_signed_in(az: &Path, faults: &str) -> SandboxProcess {
    let extra: &[&str] = if faults.is_empty() { &[] } else { &["--faults", faults] };
    let sb = SandboxProcess::start_signed_in(az, extra);
    let mut config = load(&ConfigLocation::Flag(sb.config.clone()), Policy::default()).unwrap().config;
    config.usage.source = Some(SourceKind::AzureMonitor);
    save(&sb.config, &config, &Policy::default()).unwrap();
    sb
}

fn cli_json(sb: &SandboxProcess, az: &Path, args: &[&str]) -> (i32, Value, String) {
    let mut c = cli_command(sb.home.path());
    c.env("FOUNDRY_ONBOARD_AZ", az).arg("--config").arg(&sb.config).arg("--json").args(args);
    let r = run(c);
    let value = r.stdout.lines().find_map(|l| serde_json::from_str(l).ok()).unwrap_or_default();
    (r.code, value, format!("{}{}", r.stdout, r.stderr))
}

fn usage_check(doctor: &Value) -> Value {
    doctor["checks"].as_array().and_then(|c| c.iter().find(|c| c["id"] == "usage.source").cloned()).unwrap_or_default()
}

#[test]
fn azure_monitor_reads_the_signed_in_users_history_and_names_each_fault() {
    let Some(az) = real_az() else {
        assert!(std::env::var_os("CI").is_none(), "CI must run the real-az tests");
        foundry_onboard_e2e::skipped("the azure-monitor usage test", "azure-cli is not installed in ~/.cache/foundry-onboard-az");
        return;
    };
    if reexec_in_netns("usage_azure::azure_monitor_reads_the_signed_in_users_history_and_names_each_fault") {
        return;
    }
    let sb = start_signed_in(&az, "");
    let (code, out, all) = cli_json(&sb, &az, &["usage", "--days", "14"]);
    assert_eq!(code, 0, "{all}");
    assert_eq!(schema_errors(&out), Vec::<String>::new());
    let s = &out["usage"]["snapshot"];
    assert_eq!((s["source"].as_str(), s["provenance"]["kind"].as_str()), (Some("azure-monitor"), Some("azureMonitor")), "{s}");
    assert_eq!(s["completeness"]["kind"], "complete", "{s}");
    // The query named the signed-in user (the stand-in answers nobody else): 14 days × 3 models.
    let models: std::collections::BTreeSet<&str> = s["rows"].as_array().unwrap().iter().filter_map(|r| r["model"].as_str()).collect();
    assert_eq!(models.len(), 3, "{s}");
    assert!(s["rows"].as_array().unwrap().len() >= 14 * 3 - 3, "{s}");
    assert_eq!(s["budget"]["scope"], "policy", "the [usage.budget] budget, which Azure Monitor has none of");
    let (_, doctor, all) = cli_json(&sb, &az, &["doctor", "--only", "usage.source"]);
    assert_eq!(usage_check(&doctor)["status"], "pass", "{all}");
    drop(sb);

    // (fault, exit code, words in the CLI's answer, doctor status, words in its verdict)
    let cases: [(&str, i32, &str, &str, &str); 3] = [
        ("usage-forbidden", 2, "Reader", "fail", "Reader"),
        ("usage-unauthorized", 2, "401", "fail", "401"),
        ("usage-partial", 0, "PartialError", "warn", "PartialError"),
    ];
    for (fault, exit, words, status, verdict_words) in cases {
        let sb = start_signed_in(&az, fault);
        let (code, out, all) = cli_json(&sb, &az, &["usage"]);
        assert_eq!(code, exit, "{fault}: {all}");
        assert!(out.to_string().contains(words), "{fault}: {words:?} in {out}");
        let (_, doctor, all) = cli_json(&sb, &az, &["doctor", "--only", "usage.source"]);
        let check = usage_check(&doctor);
        assert_eq!(check["status"], status, "{fault}: {all}");
        assert!(format!("{} {}", check["detail"], check["hint"]).contains(verdict_words), "{fault}: {verdict_words:?} in {check}");
    }
}
