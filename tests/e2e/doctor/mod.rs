//! The doctor against the sandbox: every fault diagnosed as itself by `doctor --json` (the real
//! `az` signed in, inside `unshare -n`), only its dependents skipped, a healthy sandbox all pass;
//! `path.dns` against dnsmasq as well; checks overlapping in time; redacted report snapshots.
//! This file holds what the groups share: the report's verdict and schema check, the doctor run
//! in-process over an in-process sandbox.

mod answers;
mod cli;
mod dns;
mod matrix;
mod runner;

use foundry_onboard_core::doctor::{self, DoctorEvent, DoctorOptions};
use foundry_onboard_sandbox::{Fault, Sandbox, SandboxOptions};
use serde_json::Value;
use std::collections::BTreeMap;
use std::path::Path;
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

const FOUNDRY: &[&str] = &["foundry.sonnet", "foundry.haiku", "foundry.opus"];

/// Schema violations of a JSON report against docs/doctor-report.schema.json.
fn schema_errors(report: &Value) -> Vec<String> {
    let schema: Value = serde_json::from_str(include_str!("../../../docs/doctor-report.schema.json")).unwrap();
    let validator = jsonschema::validator_for(&schema).expect("the schema file is a valid JSON Schema");
    validator.iter_errors(report).map(|e| format!("{e} at {}", e.instance_path())).collect()
}

fn verdict(json: &Value) -> BTreeMap<String, String> {
    json["checks"].as_array().unwrap().iter().map(|c| (c["id"].as_str().unwrap().to_string(), c["status"].as_str().unwrap().to_string())).collect()
}

/// Runs the doctor in-process, recording each event and when it happened.
fn events_of(config: &foundry_onboard_core::config::Config, options: DoctorOptions) -> (Vec<(Duration, DoctorEvent)>, doctor::Report, Duration) {
    let log: Arc<Mutex<Vec<(Duration, DoctorEvent)>>> = Arc::default();
    let started = Instant::now();
    let sink = log.clone();
    let rt = tokio::runtime::Builder::new_multi_thread().worker_threads(2).enable_all().build().unwrap();
    let report = rt
        .block_on(doctor::run(
            config,
            options,
            tokio_util::sync::CancellationToken::new(),
            Arc::new(move |e| sink.lock().unwrap().push((started.elapsed(), e))),
        ))
        .unwrap();
    let took = started.elapsed();
    let events = log.lock().unwrap().clone();
    (events, report, took)
}

/// An in-process sandbox with `faults`, its config, and doctor options that never start az (az
/// runs only inside a network namespace).
fn sandbox_with(rt: &tokio::runtime::Runtime, dir: &Path, faults: Vec<Fault>) -> (Sandbox, foundry_onboard_core::config::Config, DoctorOptions) {
    let sandbox = rt.block_on(Sandbox::start(SandboxOptions { faults, dir: Some(dir.join("sbx")), ..Default::default() })).unwrap();
    let config = sandbox.config();
    let mut options = DoctorOptions::new(dir.join("sandbox.toml"), foundry_onboard_e2e::cli(), dir.to_path_buf());
    options.az = None;
    (sandbox, config, options)
}
