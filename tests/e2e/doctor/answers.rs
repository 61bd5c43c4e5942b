//! `path.https` names each answer a real path can give to a request without a credential, over
//! real HTTP on loopback: the service's own 401 passes; a firewall's 403, the service's own 403,
//! a 404 (no `/anthropic`), a 502 and a proxy's HTML page each fail as themselves; a 200 warns.
//! The endpoint is a plain-http gateway on loopback (allowed there only): no TLS check, no TLS
//! hello in path.tcp (an http server would take it for a broken request).

use super::events_of;
use foundry_onboard_core::config::Config;
use foundry_onboard_core::doctor::{CheckResult, DoctorOptions, Status};
use foundry_onboard_e2e::fake_http::{FakeHttp, Reply};
use serde_json::json;

fn https_check(reply: fn() -> Reply) -> (CheckResult, FakeHttp) {
    let gateway = FakeHttp::start(move |_, _| reply());
    let mut config = Config::default();
    config.foundry.via_gateway = true;
    config.gateway.url = Some(gateway.url());
    let dir = tempfile::tempdir().unwrap();
    let mut options = DoctorOptions::new(dir.path().join("config.toml"), foundry_onboard_e2e::cli(), dir.path().to_path_buf());
    options.az = None;
    options.only = vec!["path.https".into()];
    let (_, report, _) = events_of(&config, options);
    let ids: Vec<&str> = report.checks.iter().map(|c| c.id.as_str()).collect();
    assert_eq!(ids, ["path.dns", "path.tcp", "path.https"], "path.https and what it needs; no TLS check for plain http: {:?}", report.checks);
    let tcp = &report.checks[1];
    assert!(tcp.status == Status::Pass && tcp.detail.contains("plain http, no TLS"), "{tcp:?}");
    (report.checks[2].clone(), gateway)
}

/// What answers, its reply, the verdict, and words the detail or hint must hold.
type Case = (&'static str, fn() -> Reply, Status, &'static [&'static str]);

#[test]
fn path_https_names_each_answer_as_what_sent_it() {
    let cases: [Case; 7] = [
        (
            "the service's own 401",
            || Reply::json(401, json!({"error": {"type": "authentication_error", "message": "missing credential"}})),
            Status::Pass,
            &["HTTP 401 without a credential"],
        ),
        (
            "a web filter's 403",
            || Reply::raw(403, "text/plain", "Access Denied: this site is blocked by policy (category: AI tools)"),
            Status::Fail,
            &["not the gateway (a firewall or web filter)", "network team"],
        ),
        (
            "the service's own 403",
            || Reply::json(403, json!({"error": {"code": "403", "message": "Public access is disabled. Please configure private endpoint."}})),
            Status::Fail,
            &["refused the request itself (HTTP 403)", "Public access is disabled", "Networking page"],
        ),
        ("no /anthropic", || Reply::json(404, json!({"error": {"code": "404", "message": "Resource not found"}})), Status::Fail, &["HTTP 404", "/anthropic"]),
        ("a load balancer's 502", || Reply::raw(502, "text/plain", "upstream connect error"), Status::Fail, &["is down: HTTP 502", "gateway team"]),
        (
            "a proxy's sign-in page",
            || Reply::raw(200, "text/html", "<html><head><title>Sign in - Web Proxy</title></head><body>Log in</body></html>"),
            Status::Fail,
            &["HTML page answered (\"Sign in - Web Proxy\")", "NO_PROXY"],
        ),
        (
            "an answer without a credential",
            || Reply::json(200, json!({"type": "message", "content": []})),
            Status::Warn,
            &["HTTP 200 without any credential", "adds a credential"],
        ),
    ];
    for (what, reply, status, words) in cases {
        let (r, gateway) = https_check(reply);
        assert_eq!(r.status, status, "{what}: {r:?}");
        let said = format!("{} {}", r.detail, r.hint);
        for w in words {
            assert!(said.contains(w), "{what}: {w:?} not in {said:?}");
        }
        let http = r.evidence.http.as_ref().unwrap_or_else(|| panic!("{what}: no HTTP evidence: {r:?}"));
        assert_eq!(http.status, reply().status, "{what}");
        assert!(http.url.ends_with("/anthropic/v1/messages?beta=true"), "{what}: {}", http.url);
        // What answered is shown when it is not the service's own 401.
        assert_eq!(http.body_start.is_some(), status == Status::Fail, "{what}: {http:?}");
        // path.tcp's five bare connects send nothing; path.https sends one request, no retries.
        let seen = gateway.requests();
        assert_eq!(seen.len(), 1, "{what}: one request, no retries: {seen:?}");
        assert_eq!(seen[0].authorization, None, "{what}: the check sends no credential");
    }
}
