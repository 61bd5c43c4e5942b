//! What the fuzz properties (`fuzz_…` tests, run longer by `make fuzz`) share: the bodies an
//! outside server may send — random bytes, JSON of any shape, JSON cut short, HTML, huge numbers,
//! nulls where objects belong — and a loopback HTTP server that answers every request with the
//! answer the current case chose, so each parser is fed through the real client; and hostile
//! TOML-ish text for config and policy loading, with the `FILE:LINE: what` check of their errors.
#![allow(clippy::unwrap_used, clippy::expect_used)] // test support: a failed expectation is a test failure

use crate::config::{Config, KNOWN_KEYS};
use crate::net::{Guard, HttpClient, Network, ProxyEnv, Timeouts, build_resolver};
use proptest::prelude::*;
use proptest::test_runner::{Config as RunnerConfig, TestRunner};
use serde_json::Value;
use std::io::{Read, Write};
use std::net::{TcpListener, TcpStream};
use std::path::Path;
use std::sync::atomic::{AtomicBool, AtomicUsize, Ordering};
use std::sync::{Arc, Mutex};
use std::time::Duration;

/// A runner with `default_cases` cases, or `PROPTEST_CASES` when set (`make fuzz`).
pub fn runner(default_cases: u32) -> TestRunner {
    let cases = std::env::var("PROPTEST_CASES").ok().and_then(|v| v.parse().ok()).unwrap_or(default_cases);
    TestRunner::new(RunnerConfig { cases, failure_persistence: None, ..RunnerConfig::default() })
}

/// In a generated body, replaced by the server's own `http://127.0.0.1:port` (for links to itself).
pub const SELF: &str = "{{SELF}}";

/// Object keys the parsers look up, and a few they do not.
fn key() -> impl Strategy<Value = String> {
    prop_oneof![
        3 => prop::sample::select(vec![
            "value", "nextLink", "error", "code", "message", "id", "name", "type", "properties", "subscriptionId", "displayName", "tenantId",
            "kind", "sku", "model", "format", "version", "capacity", "privateEndpointConnections", "customDnsConfigs", "ipAddresses", "fqdn",
            "accessToken", "expiresOn", "expires_on", "tokenType", "usage", "content", "detail", "azure-cli",
        ])
        .prop_map(str::to_string),
        1 => "[a-zA-Z_]{1,10}",
    ]
}

/// A string an outside server might put anywhere: text, a link (to itself, to another host,
/// not a URL at all), markup, a huge number spelled out.
pub fn text() -> impl Strategy<Value = String> {
    prop_oneof![
        4 => ".{0,30}",
        1 => Just(format!("{SELF}/subscriptions?page=2")),
        1 => Just(SELF.to_string()),
        1 => Just("https://attacker.example/steal?token=1".to_string()),
        1 => Just("//attacker.example/x".to_string()),
        1 => Just("not a url".to_string()),
        1 => Just("<script>alert(1)</script>".to_string()),
        1 => Just("999999999999999999999999999999".to_string()),
    ]
}

/// Any JSON value, its keys biased toward the ones parsers look up.
pub fn json_value() -> BoxedStrategy<Value> {
    let leaf = prop_oneof![
        Just(Value::Null),
        any::<bool>().prop_map(Value::Bool),
        any::<i64>().prop_map(Value::from),
        any::<u64>().prop_map(Value::from),
        any::<f64>().prop_filter_map("a finite number", |f| serde_json::Number::from_f64(f).map(Value::Number)),
        text().prop_map(Value::String),
    ];
    leaf.prop_recursive(4, 40, 6, |inner| {
        prop_oneof![
            prop::collection::vec(inner.clone(), 0..6).prop_map(Value::Array),
            prop::collection::btree_map(key(), inner, 0..6).prop_map(|m| Value::Object(m.into_iter().collect())),
        ]
    })
    .boxed()
}

/// Numbers no parser expects: past u64, past f64, negative where a count belongs.
fn huge_number() -> impl Strategy<Value = String> {
    prop::sample::select(vec!["1e999999", "-1e400", "18446744073709551616", "-9223372036854775809", "123456789012345678901234567890123456789", "-0", "1.5"])
        .prop_map(str::to_string)
}

/// A body: bytes of any kind, JSON of the wrong shape, `shaped` (the expected shape with wrong
/// values in it) whole or cut short, HTML, a huge number (bare or where an object belongs).
pub fn body(shaped: impl Strategy<Value = Value> + Clone + 'static) -> impl Strategy<Value = Vec<u8>> {
    prop_oneof![
        2 => prop::collection::vec(any::<u8>(), 0..200),
        2 => json_value().prop_map(|v| v.to_string().into_bytes()),
        4 => shaped.clone().prop_map(|v| v.to_string().into_bytes()),
        2 => (shaped, any::<prop::sample::Index>()).prop_map(|(v, cut)| {
            let s = v.to_string().into_bytes();
            let at = cut.index(s.len().max(1));
            s[..at.min(s.len())].to_vec()
        }),
        1 => Just(b"<!DOCTYPE html><html><head><title>Sign in - Web Proxy</title></head><body>log in</body></html>".to_vec()),
        1 => huge_number().prop_map(String::into_bytes),
        1 => (key(), huge_number()).prop_map(|(k, n)| format!("{{\"{k}\": {n}}}").into_bytes()),
        1 => prop::sample::select(vec!["", "null", "[]", "{}", "{\"value\": null}", "{\"error\": null}", "{\"error\": \"\"}", "\u{feff}{}"]).prop_map(|s| s.as_bytes().to_vec()),
    ]
}

/// What the server answers.
#[derive(Debug, Clone)]
pub struct Answer {
    pub status: u16,
    pub content_type: Option<String>,
    pub headers: Vec<(String, String)>,
    pub body: Vec<u8>,
}

/// HTTP statuses (no 1xx, which the client waits past): success, refusals, throttling, failures.
pub fn status() -> impl Strategy<Value = u16> {
    prop::sample::select(vec![200, 200, 200, 201, 204, 301, 400, 401, 403, 404, 409, 418, 429, 500, 502, 503, 504])
}

pub fn content_type() -> impl Strategy<Value = Option<String>> {
    prop::option::of(
        prop::sample::select(vec!["application/json", "application/json; charset=utf-8", "text/html", "text/plain", "", "application/problem+json"])
            .prop_map(str::to_string),
    )
}

/// An answer with `body`; `Retry-After` (when present) a number, a date or anything.
pub fn answer(statuses: impl Strategy<Value = u16>, body: impl Strategy<Value = Vec<u8>>) -> impl Strategy<Value = Answer> {
    let retry_after = prop::option::of(prop_oneof![Just("0".to_string()), "[0-9]{1,25}", ".{0,12}"]);
    (statuses, content_type(), retry_after, body).prop_map(|(status, content_type, retry_after, body)| Answer {
        status,
        content_type,
        headers: retry_after.map(|r| vec![("Retry-After".to_string(), r.replace(['\r', '\n'], ""))]).unwrap_or_default(),
        body,
    })
}

/// An HTTP/1.1 server on 127.0.0.1 answering every request with the current [`Answer`]; it reads
/// each request whole before answering and closes the connection after. Stopped on drop.
pub struct LoopbackServer {
    pub base: String,
    answer: Arc<Mutex<Answer>>,
    requests: Arc<AtomicUsize>,
    stop: Arc<AtomicBool>,
    port: u16,
}

impl LoopbackServer {
    pub fn start() -> Self {
        let listener = TcpListener::bind("127.0.0.1:0").expect("bind 127.0.0.1");
        let port = listener.local_addr().expect("addr").port();
        let base = format!("http://127.0.0.1:{port}");
        let answer = Arc::new(Mutex::new(Answer { status: 200, content_type: None, headers: Vec::new(), body: b"{}".to_vec() }));
        let requests = Arc::new(AtomicUsize::new(0));
        let stop = Arc::new(AtomicBool::new(false));
        let (a, n, s, b) = (answer.clone(), requests.clone(), stop.clone(), base.clone());
        std::thread::spawn(move || {
            for stream in listener.incoming() {
                if s.load(Ordering::SeqCst) {
                    break;
                }
                let Ok(stream) = stream else { continue };
                let (a, n, b) = (a.clone(), n.clone(), b.clone());
                std::thread::spawn(move || serve(stream, &a, &n, &b));
            }
        });
        Self { base, answer, requests, stop, port }
    }

    /// Answer every request with `answer` from now on; resets the request count.
    pub fn answer(&self, answer: Answer) {
        *self.answer.lock().expect("answer") = answer;
        self.requests.store(0, Ordering::SeqCst);
    }

    /// Requests since the last [`LoopbackServer::answer`].
    pub fn requests(&self) -> usize {
        self.requests.load(Ordering::SeqCst)
    }
}

impl Drop for LoopbackServer {
    fn drop(&mut self) {
        self.stop.store(true, Ordering::SeqCst);
        let _ = TcpStream::connect(("127.0.0.1", self.port));
    }
}

fn serve(mut stream: TcpStream, answer: &Mutex<Answer>, requests: &AtomicUsize, base: &str) {
    let _ = stream.set_read_timeout(Some(Duration::from_secs(5)));
    let mut head = Vec::new();
    let mut byte = [0u8; 1];
    while !head.ends_with(b"\r\n\r\n") {
        match stream.read(&mut byte) {
            Ok(1) => head.push(byte[0]),
            _ => return,
        }
    }
    let head = String::from_utf8_lossy(&head).to_ascii_lowercase();
    let length: usize = head.lines().find_map(|l| l.strip_prefix("content-length:")).and_then(|v| v.trim().parse().ok()).unwrap_or(0);
    let mut body = vec![0u8; length];
    if stream.read_exact(&mut body).is_err() {
        return;
    }
    requests.fetch_add(1, Ordering::SeqCst);
    let a = answer.lock().expect("answer").clone();
    let payload = replace_self(&a.body, base);
    let mut out = format!("HTTP/1.1 {} Fuzz\r\nContent-Length: {}\r\nConnection: close\r\n", a.status, payload.len());
    if let Some(ct) = &a.content_type {
        out.push_str(&format!("Content-Type: {ct}\r\n"));
    }
    for (k, v) in &a.headers {
        out.push_str(&format!("{k}: {v}\r\n"));
    }
    out.push_str("\r\n");
    let _ = stream.write_all(out.as_bytes());
    let _ = stream.write_all(&payload);
    let _ = stream.flush();
}

fn replace_self(body: &[u8], base: &str) -> Vec<u8> {
    let marker = SELF.as_bytes();
    let mut out = Vec::with_capacity(body.len());
    let mut i = 0;
    while i < body.len() {
        if body[i..].starts_with(marker) {
            out.extend_from_slice(base.as_bytes());
            i += marker.len();
        } else {
            out.push(body[i]);
            i += 1;
        }
    }
    out
}

/// The network layer of `config` held to loopback (no proxy, the sandbox guard), as tests need.
pub fn loopback_network(config: &Config) -> Network {
    let guard = Guard::loopback_only_guard();
    let timeouts = Timeouts::from_total_ms(5000);
    let resolver = build_resolver(config, guard.clone(), timeouts).expect("resolver");
    let http = HttpClient::new(config, guard.clone(), ProxyEnv::none(), resolver.clone(), timeouts).expect("client");
    Network { http, resolver, guard, proxy: ProxyEnv::none(), timeouts }
}

/// A current-thread runtime with IO and time.
pub fn runtime() -> tokio::runtime::Runtime {
    tokio::runtime::Builder::new_current_thread().enable_all().build().expect("runtime")
}

/// Whether `message` is a sentence about what went wrong: not empty, and naming one of `context`.
pub fn names_what(message: &str, context: &[&str]) -> bool {
    !message.trim().is_empty() && context.iter().any(|c| message.contains(c))
}

/// An object of `fields`, each either the right kind of value or anything at all.
pub fn object_of(fields: Vec<(&'static str, BoxedStrategy<Value>)>) -> impl Strategy<Value = Value> + Clone {
    let parts: Vec<BoxedStrategy<Option<(String, Value)>>> = fields
        .into_iter()
        .map(|(k, right)| prop::option::weighted(0.85, prop_oneof![3 => right, 1 => json_value()]).prop_map(move |v| v.map(|v| (k.to_string(), v))).boxed())
        .collect();
    parts.prop_map(|kvs| Value::Object(kvs.into_iter().flatten().collect()))
}

/// A string value, or a string that is not quite one.
pub fn string_value() -> BoxedStrategy<Value> {
    text().prop_map(Value::String).boxed()
}

/// Values of every TOML type, of the wrong type for most keys, huge, or hostile.
fn toml_value() -> impl Strategy<Value = String> {
    prop_oneof![
        Just("1".to_string()),
        Just("-170141183460469231731687303715884105728".to_string()),
        Just("99999999999999999999999999".to_string()),
        Just("1e400".to_string()),
        Just("nan".to_string()),
        Just("-inf".to_string()),
        Just("true".to_string()),
        Just("1979-05-27T07:32:00Z".to_string()),
        Just("[1, \"two\", [3]]".to_string()),
        Just("{ a = 1, b = { c = [] } }".to_string()),
        Just("\"\"".to_string()),
        Just("\"\\u0000\\u001b[31m\\u202e\\ud7ff\"".to_string()),
        Just("'''\nmulti\r\nline'''".to_string()),
        Just("\"https://x.services.ai.azure.com/anthropic\"".to_string()),
        Just("[\"bash\", \"zsh\", \"fish\"]".to_string()),
        Just("[\"10.0.0.0/8\", \"not-a-cidr\"]".to_string()),
        Just("[\"models.sonnet\", 1]".to_string()),
        Just("[\"azure.tenant\", \"nope.key\"]".to_string()),
        Just("{ home = \"/\", ca_file = \"/\" }".to_string()),
        Just("-1e400".to_string()),
        "[ -~]{0,40}".prop_map(|s| format!("{s:?}")),
        "\\PC{0,40}".prop_map(|s| format!("{s:?}")),
        (1usize..3000).prop_map(|n| format!("{}{}", "[".repeat(n), "]".repeat(n))),
        (1usize..3000).prop_map(|n| format!("{}1{}", "{ a = ".repeat(n), " }".repeat(n))),
        (1usize..200_000).prop_map(|n| format!("\"{}\"", "x".repeat(n))),
    ]
}

/// A key: a known `section.key`, a known key in an unknown place, or an unknown one.
fn toml_key() -> impl Strategy<Value = String> {
    prop_oneof![
        proptest::sample::select(KNOWN_KEYS).prop_map(str::to_string),
        proptest::sample::select(KNOWN_KEYS).prop_map(|k| k.replace('.', ".x.")),
        Just("locked".to_string()),
        Just("sandbox".to_string()),
        Just("sandbox.home".to_string()),
        Just("sandbox.ca_file".to_string()),
        "[a-z_]{1,12}(\\.[a-z_]{1,12}){0,3}",
        "\"[^\"\\\\]{0,20}\"",
        (1usize..2000).prop_map(|n| vec!["a"; n].join(".")),
    ]
}

/// Hostile TOML-ish text for config and policy loading: random bytes, assignments of any value to any key (dotted, in
/// tables, in arrays of tables), or a valid config with junk spliced in.
pub fn toml_text() -> impl Strategy<Value = Vec<u8>> {
    let line = prop_oneof![
        (toml_key(), toml_value()).prop_map(|(k, v)| format!("{k} = {v}")),
        toml_key().prop_map(|k| format!("[{k}]")),
        toml_key().prop_map(|k| format!("[[{k}]]")),
        "[ -~]{0,60}",
        Just(String::new()),
        Just("# comment".to_string()),
    ];
    prop_oneof![
        proptest::collection::vec(any::<u8>(), 0..400),
        proptest::collection::vec(line, 0..12).prop_map(|lines| lines.join("\n").into_bytes()),
        (proptest::collection::vec(any::<u8>(), 0..8), 0usize..120).prop_map(|(junk, at)| {
            let mut t = b"[azure]\ntenant = \"t\"\n[foundry]\nresource = \"r\"\n[models]\nsonnet = \"claude-sonnet-4-5\"\n".to_vec();
            let at = at.min(t.len());
            t.splice(at..at, junk);
            t
        }),
    ]
}

/// Every error reads `FILE:LINE: what`, with a line inside the file.
pub fn names_file_line_and_what(said: &str, path: &Path, bytes: &[u8]) -> Result<(), TestCaseError> {
    let prefix = format!("{}:", path.display());
    prop_assert!(said.starts_with(&prefix), "no file: {said}");
    let rest = &said[prefix.len()..];
    let (line, what) = rest.split_once(": ").ok_or_else(|| TestCaseError::fail(format!("no line: {said}")))?;
    let line: usize = line.parse().map_err(|_| TestCaseError::fail(format!("no line number: {said}")))?;
    let lines = bytes.iter().filter(|b| **b == b'\n').count() + 1;
    prop_assert!((1..=lines).contains(&line), "line {line} of {lines}: {said}");
    prop_assert!(!what.trim().is_empty(), "nothing said: {said}");
    Ok(())
}
