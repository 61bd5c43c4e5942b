//! The private path after DNS: which proxy applies (and whether `NO_PROXY` spares the private
//! names), TCP 443 with its round trip against `max_latency_ms`, and an unauthenticated HTTPS call
//! that must get Azure's own JSON 401 — not a proxy's login page or a firewall's 403.

use super::context::Ctx;
use super::facts::{ADDRESSES, REACHED, TERMINAL_ENV, Upstream};
use super::model::{Evidence, HttpEvidence};
use super::runner::Outcome;
use std::net::SocketAddr;
use std::sync::Arc;
use std::time::{Duration, Instant};

/// `path.proxy`: judged for a new terminal, where Claude Code runs (its rc file may export a
/// proxy this process never saw — the app started from the desktop, say); the doctor's own
/// requests follow this process's environment, and a difference between the two is named.
pub async fn proxy(ctx: Arc<Ctx>, up: Upstream) -> Outcome {
    let Some(endpoint) = ctx.endpoint.clone() else { return Outcome::fail("no endpoint is configured", "Finish the setup first.") };
    let Ok(url) = url::Url::parse(&endpoint.base_url) else {
        return Outcome::fail(format!("{} is not a URL", endpoint.base_url), "Fix the URL in the config.");
    };
    let here = ctx.net.proxy.decide(&url);
    let terminal = up.get(&TERMINAL_ENV).map(|env| crate::net::ProxyEnv::from_lookup(|k| env.get(k).cloned()).decide(&url));
    let mut evidence = Evidence::default();
    if ctx.net.guard.loopback_only() {
        evidence = evidence.fact("sandbox", "the doctor's own requests never use a proxy in sandbox mode");
    }
    let say = |d: &crate::net::ProxyDecision| match (&d.proxy, &d.bypassed_by) {
        (Some(p), _) => format!("through {p} ({})", d.from.clone().unwrap_or_default()),
        (None, Some(b)) => format!("direct (NO_PROXY entry {b})"),
        (None, None) => "direct".to_string(),
    };
    let (d, whose) = match &terminal {
        Some(t) => {
            evidence = evidence.fact("a new terminal", say(t));
            (t.clone(), "from a new terminal, ")
        }
        None => (here.clone(), ""),
    };
    evidence = evidence.fact("this process", say(&here));
    let differs = terminal.as_ref().is_some_and(|t| t.proxy != here.proxy);
    let note = if differs { format!(" (the doctor's own environment goes {} — Claude Code follows the terminal)", say(&here)) } else { String::new() };
    match (&d.proxy, &d.from) {
        (Some(p), from) => {
            let from = from.clone().unwrap_or_default();
            if endpoint.resource.is_some() {
                let zone = endpoint.host.split_once('.').map(|(_, z)| z.to_string()).unwrap_or_default();
                let where_set = if terminal.is_some() { "where the terminal sets it (your rc file, or the session)" } else { "in the profile" };
                Outcome::warn(
                    format!(
                        "{whose}requests to {} go through the proxy {p} ({from}): a proxy outside your VNet cannot reach the private endpoint{note}",
                        endpoint.host
                    ),
                    format!(
                        "Add .{zone} (and .{}, .{}) to NO_PROXY {where_set}, unless your proxy is inside the VNet.",
                        crate::azure::names::COGNITIVE_DOMAIN,
                        crate::azure::names::OPENAI_DOMAIN
                    ),
                )
                .with(evidence)
            } else {
                Outcome::pass(format!("{whose}requests to {} go through the proxy {p}{note}", endpoint.host)).with(evidence)
            }
        }
        (None, _) => Outcome::pass(match &d.bypassed_by {
            Some(b) => format!("{whose}direct: NO_PROXY ({b}) covers {}{note}", endpoint.host),
            None => format!("{whose}direct: no proxy applies to {}{note}", endpoint.host),
        })
        .with(evidence),
    }
}

/// `path.tcp`: five connects to the first private address, each followed by a TLS hello whose
/// round trip is the latency sample (a bare connect completes in the kernel and can hide a slow
/// path; the first TLS round trip cannot). The median goes against `max_latency_ms`. A plain-http
/// endpoint (a gateway on loopback) gets no TLS hello: it would take it for a broken request.
pub async fn tcp(ctx: Arc<Ctx>, up: Upstream) -> Outcome {
    let Some(endpoint) = ctx.endpoint.clone() else { return Outcome::fail("no endpoint is configured", "Finish the setup first.") };
    let Some(ip) = up.get(&ADDRESSES).and_then(|a| a.first().copied()) else {
        return Outcome::skip("skipped: path.dns gave no private address to connect to");
    };
    let addr = SocketAddr::new(ip, endpoint.port);
    if let Err(e) = ctx.net.guard.check_ip(ip) {
        return Outcome::fail(e.to_string(), crate::Diagnose::hint(&e));
    }
    let tls = super::tls::timing_config().filter(|_| endpoint.tls);
    let server = rustls::pki_types::ServerName::try_from(endpoint.host.clone()).ok();
    let budget = ctx.options.check_timeout.mul_f32(0.9);
    let begun = Instant::now();
    let max = ctx.config.network.max_latency_ms;
    let (mut connects, mut hellos) = (Vec::new(), Vec::new());
    let evidence = |connects: &[f64], hellos: &[f64]| {
        let mut e = Evidence { rtt_ms: hellos.to_vec(), ..Default::default() }.fact("address", addr.to_string()).fact("max_latency_ms", max.to_string());
        if !connects.is_empty() {
            e = e.fact("TCP connect ms", connects.iter().map(|c| format!("{c:.1}")).collect::<Vec<_>>().join(", "));
        }
        e
    };
    for _ in 0..5 {
        let left = budget.saturating_sub(begun.elapsed()).max(Duration::from_millis(1));
        let start = Instant::now();
        let stream = match tokio::time::timeout(left, tokio::net::TcpStream::connect(addr)).await {
            Ok(Ok(stream)) => stream,
            Ok(Err(e)) if e.kind() == std::io::ErrorKind::ConnectionRefused => {
                return Outcome::fail(format!("{addr} refused the connection: nothing listens on port {}", endpoint.port), "The private endpoint may have been deleted or the address is stale; ask the platform team to check the private endpoint and its DNS record.")
                    .with(evidence(&connects, &hellos));
            }
            Ok(Err(e)) => {
                return Outcome::fail(format!("cannot connect to {addr}: {e}"), "Check the VPN and the route to the private endpoint's subnet.")
                    .with(evidence(&connects, &hellos));
            }
            Err(_) => {
                return Outcome::fail(
                    format!("no answer from {addr} within {:.1} s: the packets are dropped", budget.as_secs_f32()),
                    "A network security group, firewall or missing route drops TCP to the private endpoint: the network team checks the NSG on the endpoint's subnet and the VPN's routes.",
                )
                .with(evidence(&connects, &hellos));
            }
        };
        connects.push(start.elapsed().as_secs_f64() * 1000.0);
        if let (Some(tls), Some(server)) = (&tls, &server) {
            let hello = Instant::now();
            let left = budget.saturating_sub(begun.elapsed()).max(Duration::from_millis(1));
            match tokio::time::timeout(left, tokio_rustls::TlsConnector::from(tls.clone()).connect(server.clone(), stream)).await {
                Ok(Ok(_)) => hellos.push(hello.elapsed().as_secs_f64() * 1000.0),
                // Not TLS, or a handshake refused: path.tls says why; the connect times still count.
                Ok(Err(_)) => {}
                Err(_) => {
                    return Outcome::fail(
                        format!("{addr} accepts TCP but sends no TLS answer within {:.1} s", budget.as_secs_f32()),
                        "Something accepts the connection and then holds it (a proxy or a firewall that inspects): the network team checks what answers on this address.",
                    )
                    .with(evidence(&connects, &hellos));
                }
            }
        }
    }
    ctx.facts.set(&REACHED, addr);
    let median = |v: &[f64]| {
        let mut s = v.to_vec();
        s.sort_by(f64::total_cmp);
        s.get(s.len() / 2).copied().unwrap_or(0.0)
    };
    let (connect, hello) = (median(&connects), median(&hellos));
    let rtt = connect.max(hello);
    let evidence = evidence(&connects, &hellos);
    let parts =
        if endpoint.tls { format!("TCP connect {connect:.1} ms, TLS hello {hello:.1} ms") } else { format!("TCP connect {connect:.1} ms; plain http, no TLS") };
    if rtt > f64::from(max) {
        return Outcome::warn(
            format!("{addr} answers, but slowly: median round trip {rtt:.1} ms > {max} ms ({parts})"),
            "A slow VPN or a long way round (a hub in another region): Claude Code works but feels sluggish. The network team checks the route; raise network.max_latency_ms if this is expected.",
        )
        .with(evidence);
    }
    Outcome::pass(format!("{addr} reachable: median round trip {rtt:.1} ms ≤ {max} ms ({parts})")).with(evidence)
}

/// `path.https`: without a credential, Azure answers its own JSON 401.
pub async fn https(ctx: Arc<Ctx>) -> Outcome {
    let Some(endpoint) = ctx.endpoint.clone() else { return Outcome::fail("no endpoint is configured", "Finish the setup first.") };
    let base = if ctx.is_gateway() { format!("{}/anthropic", endpoint.base_url) } else { endpoint.base_url.clone() };
    let url = format!("{base}/v1/messages?beta=true");
    let rb = match ctx.net.http.request(reqwest::Method::POST, &url) {
        Ok(rb) => rb
            .header("anthropic-version", "2023-06-01")
            .header("content-type", "application/json")
            .body(r#"{"model":"doctor","max_tokens":1,"messages":[{"role":"user","content":"ping"}]}"#),
        Err(e) => return Outcome::fail(e.to_string(), crate::Diagnose::hint(&e)),
    };
    let resp = match ctx.net.http.send(rb).await {
        Ok(r) => r,
        Err(e) => return Outcome::fail(e.to_string(), crate::Diagnose::hint(&e)),
    };
    let status = resp.status().as_u16();
    let content_type = resp.headers().get("content-type").and_then(|v| v.to_str().ok()).map(str::to_string);
    let text = crate::net::body_text(resp).await;
    let html = crate::net::looks_like_html(content_type.as_deref(), &text);
    let json: Option<serde_json::Value> = serde_json::from_str(&text).ok();
    let azure_shaped = json.as_ref().is_some_and(|v| v["error"].is_object() || v["error"].is_string() || v["detail"].is_string());
    let mut http = HttpEvidence { url: url.clone(), status, content_type: content_type.clone(), body_start: None };
    let unexpected = |http: &mut HttpEvidence| http.body_start = Some(crate::redact::first_bytes(&text, 300));
    let what = if ctx.is_gateway() { "the gateway" } else { "Azure AI Foundry" };
    let outcome = if html {
        unexpected(&mut http);
        let title = text.split("<title>").nth(1).and_then(|t| t.split("</title>").next()).map(|t| format!(" (\"{}\")", t.trim())).unwrap_or_default();
        Outcome::fail(
            format!("an HTML page answered{title}, HTTP {status}: a proxy's sign-in page or a captive portal, not {what}"),
            "Sign in to the proxy in a browser, or have the profile bypass it: add the host to NO_PROXY. Claude Code reports this as \"API returned an empty or malformed response\".",
        )
    } else if status == 401 && azure_shaped {
        Outcome::pass(format!("{what} answers (HTTP 401 without a credential, as it should)"))
    } else if status == 403 && azure_shaped {
        unexpected(&mut http);
        Outcome::fail(
            format!("{what} refused the request itself (HTTP 403): {}", crate::redact::first_bytes(&text, 200)),
            "Public network access is disabled and this request did not arrive through the private endpoint, or an IP rule blocks this network: the platform team checks the resource's Networking page.",
        )
    } else if status == 403 {
        unexpected(&mut http);
        Outcome::fail(
            format!("HTTP 403 from something that is not {what} (a firewall or web filter)"),
            "Ask the network team to allow the host through the firewall or web filter.",
        )
    } else if status == 404 {
        unexpected(&mut http);
        Outcome::fail(
            format!("HTTP 404 at {url}: this is not the Anthropic endpoint"),
            "The base URL must end in /anthropic: https://<resource>.services.ai.azure.com/anthropic (field report #9).",
        )
    } else if matches!(status, 502..=504) {
        unexpected(&mut http);
        Outcome::fail(
            format!("{what} is down: HTTP {status} from the load balancer in front of it"),
            if ctx.is_gateway() {
                "The gateway team runs it: tell them, with this report."
            } else {
                "Azure's front end could not reach the service: try again in a few minutes; check the Azure status page."
            },
        )
    } else if (200..300).contains(&status) {
        Outcome::warn(
            format!("{what} answered HTTP {status} without any credential"),
            "Something in the path adds a credential (a gateway or proxy): make sure that is intended.",
        )
    } else {
        unexpected(&mut http);
        Outcome::fail(
            format!("unexpected HTTP {status} from {url}"),
            if status >= 500 {
                "The service or a proxy in front of it is failing; try again, then check the Azure status page."
            } else {
                "Compare with the Foundry endpoint in the Azure portal."
            },
        )
    };
    outcome.with(Evidence { http: Some(http), ..Default::default() })
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::fuzz::{self, json_value, object_of, string_value};
    use proptest::prelude::*;

    /// What answers `path.https`'s request without a credential — the service, a gateway, a web
    /// filter, a proxy page, a load balancer — with any status and body: a verdict whose detail
    /// names who answered or how; never a panic.
    #[test]
    fn fuzz_path_https_answers_get_a_verdict_that_says_what_answered() {
        let server = fuzz::LoopbackServer::start();
        let dir = tempfile::tempdir().unwrap();
        let ctxs: Vec<Arc<Ctx>> = [true, false]
            .into_iter()
            .map(|gateway| {
                let mut config = crate::config::Config::default();
                if gateway {
                    config.foundry.via_gateway = true;
                    config.gateway.url = Some(server.base.clone());
                } else {
                    config.foundry.endpoint = Some(crate::config::FoundryEndpoint::at(format!("{}/anthropic", server.base)).unwrap());
                }
                super::super::gateway::tests::loopback_ctx(config, dir.path())
            })
            .collect();
        let shaped = prop_oneof![
            object_of(vec![(
                "error",
                prop_oneof![object_of(vec![("code", string_value()), ("message", string_value())]).boxed(), json_value().boxed()].boxed()
            )]),
            object_of(vec![("detail", string_value())]),
        ];
        let cases = (fuzz::answer(fuzz::status(), fuzz::body(shaped)), any::<prop::sample::Index>());
        let rt = fuzz::runtime();
        fuzz::runner(64)
            .run(&cases, |(answer, which)| {
                server.answer(answer);
                let o = rt.block_on(https(ctxs[which.index(ctxs.len())].clone()));
                prop_assert!(o.status.is_some(), "{o:?}");
                prop_assert!(fuzz::names_what(&o.detail, &["HTTP", "127.0.0.1", "gateway", "Azure AI Foundry"]), "{}", o.detail);
                Ok(())
            })
            .unwrap();
    }
}
