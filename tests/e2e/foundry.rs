//! The Foundry stand-in answers every request Claude Code 2.1.331 was captured sending
//! (facts/claude-code-requests.json), in the shapes the real service uses, errors included.

use foundry_onboard_core::anthropic::{Message, StreamEvent, parse_sse};
use foundry_onboard_core::config::policy::Policy;
use foundry_onboard_core::config::{ConfigLocation, load};
use foundry_onboard_core::net::{Network, Timeouts};
use foundry_onboard_e2e::SandboxProcess;
use serde_json::Value;

fn network(sb: &SandboxProcess) -> Network {
    let loaded = load(&ConfigLocation::Flag(sb.config.clone()), Policy::default()).unwrap();
    Network::new(&loaded.config, Timeouts::from_total_ms(5_000)).unwrap()
}

fn sandbox_file(sb: &SandboxProcess, name: &str) -> String {
    let home = sb.endpoint("home");
    std::fs::read_to_string(std::path::Path::new(&home).parent().unwrap().join(name)).unwrap()
}

async fn post(net: &Network, url: &str, headers: &[(&str, String)], body: &Value) -> (u16, String, String) {
    let mut rb = net.http.request(reqwest::Method::POST, url).unwrap().json(body);
    for (k, v) in headers {
        rb = rb.header(*k, v);
    }
    let resp = net.http.send(rb).await.unwrap();
    let status = resp.status().as_u16();
    let ctype = resp.headers().get("content-type").and_then(|v| v.to_str().ok()).unwrap_or("").to_string();
    (status, ctype, resp.text().await.unwrap())
}

#[tokio::test]
async fn every_captured_claude_code_request_gets_an_answer_it_accepts() {
    let mut sb = SandboxProcess::start(&[]);
    let net = network(&sb);
    let key = sandbox_file(&sb, "foundry-api-key");
    let token = sandbox_file(&sb, "entra-token");
    let captures: Value = serde_json::from_str(include_str!("fixtures/claude-code-requests.json")).unwrap();
    let url = format!("{}/v1/messages?beta=true", sb.endpoint("foundryBaseUrl"));
    let mut replayed = 0;
    for capture in captures["requests"].as_array().unwrap() {
        let kind = capture["kind"].as_str().unwrap();
        let req = &capture["request"];
        let mut body = req["body"].clone();
        body["model"] = Value::from("claude-sonnet-4-5");
        let mut headers: Vec<(&str, String)> = vec![("anthropic-version", req["headers"]["anthropic-version"].as_str().unwrap_or("2023-06-01").to_string())];
        let h = req["headers"].as_object().unwrap();
        if h.contains_key("x-api-key") {
            headers.push(("x-api-key", key.clone()));
        } else {
            headers.push(("authorization", format!("Bearer {token}")));
        }
        let (status, ctype, text) = post(&net, &url, &headers, &body).await;
        assert_eq!(status, 200, "{kind}: {text}");
        if body["stream"] == Value::Bool(true) {
            assert!(ctype.starts_with("text/event-stream"), "{kind}: {ctype}");
            let events = parse_sse(&text).unwrap_or_else(|e| panic!("{kind}: {e}\n{text}"));
            assert!(matches!(events.first(), Some(StreamEvent::MessageStart { .. })), "{kind}");
            assert!(events.iter().any(|e| matches!(e, StreamEvent::MessageDelta { .. })), "{kind}: message_delta is required by Claude Code");
            assert!(events.iter().any(|e| matches!(e, StreamEvent::ContentBlockDelta { .. })), "{kind}");
        } else {
            let m: Message = serde_json::from_str(&text).unwrap_or_else(|e| panic!("{kind}: {e}\n{text}"));
            assert_eq!(m.model, "claude-sonnet-4-5");
        }
        replayed += 1;
    }
    assert_eq!(replayed, 8, "all eight captured kinds");
    sb.stop_with("-TERM");
}

#[tokio::test]
async fn errors_have_azure_bodies() {
    let mut sb = SandboxProcess::start(&[]);
    let net = network(&sb);
    let key = sandbox_file(&sb, "foundry-api-key");
    let url = format!("{}/v1/messages?beta=true", sb.endpoint("foundryBaseUrl"));
    let body = serde_json::json!({"model": "claude-haiku-4-5", "max_tokens": 1, "messages": [{"role": "user", "content": "ping"}]});
    let v = [("anthropic-version", "2023-06-01".to_string())];
    // wrong key → 401 with Azure's message
    let (s, _, t) = post(&net, &url, &[v[0].clone(), ("x-api-key", "wrong".into())], &body).await;
    assert_eq!(s, 401);
    assert!(t.contains("invalid subscription key or wrong API endpoint"), "{t}");
    // unknown deployment → 404 DeploymentNotFound
    let mut b = body.clone();
    b["model"] = "claude-nope".into();
    let (s, _, t) = post(&net, &url, &[v[0].clone(), ("x-api-key", key.clone())], &b).await;
    assert_eq!(s, 404);
    assert!(t.contains("DeploymentNotFound"), "{t}");
    // JSON answer with model and usage, max_tokens 1
    let (s, ctype, t) = post(&net, &url, &[v[0].clone(), ("x-api-key", key.clone())], &body).await;
    assert_eq!(s, 200, "{t}");
    assert!(ctype.starts_with("application/json"));
    let m: Message = serde_json::from_str(&t).unwrap();
    assert_eq!(m.stop_reason.as_deref(), Some("max_tokens"));
    sb.stop_with("-TERM");

    for (fault, status, needle) in [
        ("quota-429", 429, "Rate limit"),
        ("role-missing", 403, "lacks the required data action"),
        ("auth-expired", 401, "Access denied"),
        ("gateway-html", 200, "<!DOCTYPE html>"),
        ("deployment-missing", 404, "DeploymentNotFound"),
    ] {
        let mut sb = SandboxProcess::start(&["--faults", fault]);
        let net = network(&sb);
        let key = sandbox_file(&sb, "foundry-api-key");
        let url = format!("{}/v1/messages?beta=true", sb.endpoint("foundryBaseUrl"));
        let (s, _, t) = post(&net, &url, &[v[0].clone(), ("x-api-key", key)], &body).await;
        assert_eq!(s, status, "{fault}: {t}");
        assert!(t.contains(needle), "{fault}: {t}");
        sb.stop_with("-TERM");
    }
}

#[test]
fn a_rejected_key_is_not_saved() {
    let mut sb = SandboxProcess::start(&[]);
    let mut c = foundry_onboard_e2e::cli_command(sb.home.path());
    c.arg("--config")
        .arg(&sb.config)
        .args(["secret", "set", "foundry-api-key"])
        .stdin(std::process::Stdio::piped())
        .stdout(std::process::Stdio::piped())
        .stderr(std::process::Stdio::piped());
    let mut child = c.spawn().unwrap();
    use std::io::Write;
    child.stdin.take().unwrap().write_all(b"not-the-sandbox-key\n").unwrap();
    let out = child.wait_with_output().unwrap();
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert_eq!(out.status.code(), Some(2), "{stderr}");
    assert!(stderr.contains("the key was not saved") && stderr.contains("(401)"), "{stderr}");
    assert!(stderr.contains("--no-verify"), "{stderr}");
    assert!(!stderr.contains("not-the-sandbox-key"), "the key is never echoed");
    sb.stop_with("-TERM");
}
