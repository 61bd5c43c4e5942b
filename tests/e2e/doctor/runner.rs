//! The doctor's runner, in-process against an in-process sandbox: independent checks overlap, a
//! black hole ends at its timeout while the others report, a cancel stops every check at once,
//! and API-key mode sends the keyring's key without any event carrying it.

use super::{FOUNDRY, events_of, sandbox_with, schema_errors};
use foundry_onboard_core::doctor::{self, DoctorEvent, Status};
use foundry_onboard_sandbox::Fault;
use std::collections::BTreeMap;
use std::sync::Arc;
use std::time::{Duration, Instant};

#[test]
fn independent_checks_overlap_and_a_black_hole_ends_at_its_timeout_while_others_report() {
    let rt = tokio::runtime::Runtime::new().unwrap();
    let dir = tempfile::tempdir().unwrap();
    let (sandbox, config, mut options) = sandbox_with(&rt, dir.path(), vec![Fault::TcpBlackhole]);
    // The profile in the sandbox's home, so env.profile really starts a bash.
    let home = foundry_onboard_core::profile::ProfileHome::for_config(&config, &dir.path().join("sandbox.toml"), foundry_onboard_e2e::cli()).unwrap();
    let spec = foundry_onboard_core::profile::ProfileSpec::from_config(&config).unwrap();
    let targets = [foundry_onboard_core::profile::Target::Bash];
    let lock = foundry_onboard_core::profile::WriteLock::acquire(&home).unwrap();
    foundry_onboard_core::profile::write(&lock, &foundry_onboard_core::profile::plan(&spec, &home, &targets).unwrap()).unwrap();
    options.check_timeout = Duration::from_millis(1500);
    options.deadline = Duration::from_secs(4);
    let (events, report, took) = events_of(&config, options);
    let at = |pred: &dyn Fn(&DoctorEvent) -> bool| events.iter().find(|(_, e)| pred(e)).map(|(t, _)| *t);
    let started = |id: &str| at(&|e| matches!(e, DoctorEvent::Started { id: x } if x == id));
    let finished = |id: &str| at(&|e| matches!(e, DoctorEvent::Finished { result, .. } if result.id == id));
    // Ordering, not wall-clock: every check without prerequisites starts before the slowest of
    // them (a bash that reads its rc file) has finished.
    let profile_done = finished("env.profile").expect("env.profile finished");
    // (path.proxy waits softly for the terminal's environment, so not it; path.dns resolves at
    // once and waits for ARM only inside the check.)
    for id in ["env.claude", "signin.az", "path.dns"] {
        assert!(started(id).expect(id) <= profile_done, "{id} started only after env.profile finished: {events:?}");
    }
    // path.proxy waits (softly) for the new terminal's environment that env.profile reads.
    assert!(started("path.proxy").expect("path.proxy") >= profile_done, "path.proxy judged the terminal's proxy: {events:?}");
    // The black hole: path.tcp fails at its own timeout, after path.dns, path.proxy and the
    // environment checks have all reported; its dependents skip; the run ends within the deadline.
    let tcp = report.checks.iter().find(|c| c.id == "path.tcp").unwrap();
    assert_eq!(tcp.status, Status::Fail, "{tcp:?}");
    assert!(tcp.duration_ms >= 1000 && tcp.duration_ms <= 2000, "path.tcp ended at its timeout: {} ms", tcp.duration_ms);
    for id in ["path.dns", "path.proxy", "env.profile", "env.claude"] {
        assert!(finished(id).unwrap() < finished("path.tcp").unwrap(), "{id} reported while path.tcp was still waiting");
    }
    for id in ["path.tls", "path.https", "foundry.sonnet"] {
        assert_eq!(report.checks.iter().find(|c| c.id == id).unwrap().status, Status::Skip, "{id}");
    }
    // Each skip names the prerequisite that held it back and, down the chain, the check that
    // caused it: the runner says so, no face walks the chain.
    let held = |id: &str| {
        events.iter().find_map(|(_, e)| match e {
            DoctorEvent::Finished { result, held_back } if result.id == id => held_back.clone(),
            _ => None,
        })
    };
    assert_eq!(held("path.tls"), Some(doctor::HeldBack { by: doctor::CheckId::PathTcp, cause: doctor::CheckId::PathTcp }));
    let https = held("path.https").expect("path.https held back");
    assert_eq!(https.cause, "path.tcp", "{https:?}");
    assert_ne!(https.by, "path.tcp", "path.https waits on a later step of the chain: {https:?}");
    assert_eq!(held("path.tcp"), None, "a check that ran and failed was not held back");
    assert!(took < Duration::from_millis(4500), "the run ended within its deadline + 0.5 s: {took:?}");
    let json = serde_json::to_value(&report).unwrap();
    assert_eq!(schema_errors(&json), Vec::<String>::new(), "the JSON report follows docs/doctor-report.schema.json");
    let mut broken = json.clone();
    broken["checks"][0]["status"] = "maybe".into();
    assert!(!schema_errors(&broken).is_empty(), "the schema check can fail");
    rt.block_on(sandbox.shutdown());
}

#[test]
fn a_cancel_stops_every_check_at_once() {
    let rt = tokio::runtime::Runtime::new().unwrap();
    let dir = tempfile::tempdir().unwrap();
    let (sandbox, config, mut options) = sandbox_with(&rt, dir.path(), vec![Fault::TcpBlackhole]);
    options.check_timeout = Duration::from_secs(10);
    let cancel = tokio_util::sync::CancellationToken::new();
    let trigger = cancel.clone();
    let started = Instant::now();
    let report = rt.block_on(async move {
        tokio::spawn(async move {
            tokio::time::sleep(Duration::from_millis(300)).await;
            trigger.cancel();
        });
        doctor::run(&config, options, cancel, Arc::new(|_| {})).await.unwrap()
    });
    assert!(started.elapsed() < Duration::from_secs(2), "cancel ended the run at once: {:?}", started.elapsed());
    assert!(report.summary.incomplete);
    let tcp = report.checks.iter().find(|c| c.id == "path.tcp").unwrap();
    assert!(tcp.detail.contains("cancelled"), "{tcp:?}");
    assert_eq!(tcp.status, Status::Skip, "a cancel is not a failure of the check it stopped: {tcp:?}");
    assert_eq!(report.summary.verdict(), foundry_onboard_core::doctor::Status::Fail, "a run cut short still fails");
    rt.block_on(sandbox.shutdown());
}

#[test]
fn api_key_mode_checks_each_deployment_with_the_key_from_the_keyring_and_no_event_carries_it() {
    foundry_onboard_core::keyring::use_mock_store();
    let rt = tokio::runtime::Runtime::new().unwrap();
    let dir = tempfile::tempdir().unwrap();
    let (sandbox, mut config, mut options) = sandbox_with(&rt, dir.path(), vec![]);
    config.azure.login = foundry_onboard_core::config::LoginMode::ApiKey;
    let key = std::fs::read_to_string(sandbox.dir().join("foundry-api-key")).unwrap();
    foundry_onboard_core::keyring::SecretStore::new(true)
        .set(foundry_onboard_core::profile::FOUNDRY_API_KEY, &foundry_onboard_core::Secret::new(key.trim()))
        .unwrap();
    options.only = vec!["foundry".into(), "signin".into()];
    let (events, report, _) = events_of(&config, options);
    let got: BTreeMap<&str, Status> = report.checks.iter().map(|c| (c.id.as_str(), c.status)).collect();
    // The sandbox answers 401 to anything but its key: a pass means the keyring's key was sent.
    for tier in FOUNDRY {
        assert_eq!(got[tier], Status::Pass, "{tier} with the key: {report:?}");
    }
    assert_eq!(got["signin.az"], Status::Warn, "with a key, a missing az is only a warning");
    assert!(!got.contains_key("signin.token"), "no Entra token is asked for in API-key mode");
    assert_eq!(got["foundry.config"], Status::Skip, "ARM needs az");
    // Redacted by construction: the key is in no event, no JSON and no Markdown.
    let streamed = serde_json::to_string(&events.iter().map(|(_, e)| e).collect::<Vec<_>>()).unwrap();
    for text in [streamed, serde_json::to_string(&report).unwrap(), report.markdown()] {
        assert!(!text.contains(key.trim()), "the key leaked");
    }
    rt.block_on(sandbox.shutdown());
}
