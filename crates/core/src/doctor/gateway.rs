//! Gateway mode's checks, in place of the per-deployment ones: the gateway answers as itself (not
//! a proxy page, not a 502), accepts the user's credential for a one-token call, and serves the
//! usage API the budget view reads.

use super::context::Ctx;
use super::model::{Evidence, HttpEvidence};
use super::runner::Outcome;
use crate::config::GatewayKind;
use std::sync::Arc;

fn base(ctx: &Ctx) -> Option<String> {
    ctx.endpoint.as_ref().map(|e| e.base_url.clone())
}

/// `gateway.reachable`: its health endpoint (LiteLLM) or its root answers, as JSON.
pub async fn reachable(ctx: Arc<Ctx>) -> Outcome {
    let Some(base) = base(&ctx) else {
        return Outcome::fail("no gateway URL is configured", "Set gateway.url (the app's Resource & models step, gateway option).");
    };
    let url = match ctx.config.gateway.kind {
        GatewayKind::Litellm => format!("{base}/health/liveliness"),
        GatewayKind::Generic => format!("{base}/"),
    };
    let resp = match ctx.net.http.get(&url).await {
        Ok(r) => r,
        Err(e) => return Outcome::fail(format!("the gateway does not answer: {e}"), crate::Diagnose::hint(&e)),
    };
    let status = resp.status().as_u16();
    let content_type = resp.headers().get("content-type").and_then(|v| v.to_str().ok()).map(str::to_string);
    let text = crate::net::body_text(resp).await;
    let mut http = HttpEvidence { url: url.clone(), status, content_type: content_type.clone(), body_start: None };
    if crate::net::looks_like_html(content_type.as_deref(), &text) {
        http.body_start = Some(crate::redact::first_bytes(&text, 300));
        return Outcome::fail(
            format!("an HTML page answered at {url} (HTTP {status}): a proxy's sign-in page, not the gateway"),
            "Sign in to the proxy in a browser, or add the gateway's host to NO_PROXY.",
        )
        .with(Evidence { http: Some(http), ..Default::default() });
    }
    if status >= 500 {
        http.body_start = Some(crate::redact::first_bytes(&text, 300));
        return Outcome::fail(format!("the gateway is down (HTTP {status} at {url})"), "The gateway team runs the LLM gateway: tell them, with this report.")
            .with(Evidence { http: Some(http), ..Default::default() });
    }
    Outcome::pass(format!("the gateway answers at {url} (HTTP {status})")).with(Evidence { http: Some(http), ..Default::default() })
}

/// The gateway credential: its key from the keyring, or an Entra token for `gateway.scope`.
async fn credential(ctx: &Ctx) -> Result<crate::Secret, Box<Outcome>> {
    if ctx.config.gateway.auth == crate::config::GatewayAuth::Entra {
        let Some(scope) = ctx.config.gateway.scope.clone() else {
            return Err(Box::new(Outcome::fail(
                "gateway.auth is entra but gateway.scope is not set",
                "Set gateway.scope to the gateway's Entra application scope (api://…/.default).",
            )));
        };
        let Some(tokens) = &ctx.tokens else { return Err(Box::new(Outcome::skip("skipped: az is not installed (signin.az)"))) };
        return match tokens.token(&scope).await {
            Ok(t) => {
                ctx.secret_seen(&t);
                Ok(t)
            }
            Err(e) => Err(Box::new(Outcome::fail(e.to_string(), crate::Diagnose::hint(&e)))),
        };
    }
    super::foundry::credential(ctx, None, crate::profile::GATEWAY_KEY)
}

/// `gateway.auth`: a one-token call with the user's credential.
pub async fn auth(ctx: Arc<Ctx>) -> Outcome {
    let Some(base) = base(&ctx) else { return Outcome::fail("no gateway URL is configured", "Set gateway.url.") };
    let secret = match credential(&ctx).await {
        Ok(s) => s,
        Err(o) => return *o,
    };
    let Some(model) = ctx.config.models.sonnet.clone() else { return Outcome::fail("no sonnet deployment is chosen", "Choose the three deployments first.") };
    let url = format!("{base}/anthropic");
    match crate::probe::probe_at(&ctx.net, &url, &model, crate::probe::Credential::Bearer(&secret), crate::probe::Shape::ClaudeCode).await {
        Ok(ms) => Outcome::pass(format!("the gateway accepted your credential and {model} answered in {ms} ms")),
        Err(crate::probe::ProbeError::Unauthorized { message, .. }) => Outcome::fail(
            format!("the gateway refused your credential (401): {message}"),
            "Your gateway key may be expired or revoked: get a new one from the gateway team and store it with `foundry-onboard secret set gateway-key`.",
        ),
        Err(e) => Outcome::fail(e.to_string(), crate::Diagnose::hint(&e)),
    }
}

/// `gateway.usage`: the usage API the budget view reads answers for this credential.
pub async fn usage(ctx: Arc<Ctx>) -> Outcome {
    let Some(base) = base(&ctx) else { return Outcome::fail("no gateway URL is configured", "Set gateway.url.") };
    let secret = match credential(&ctx).await {
        Ok(s) => s,
        Err(o) => return *o,
    };
    let url = match ctx.config.gateway.kind {
        GatewayKind::Litellm => format!("{base}/key/info"),
        GatewayKind::Generic => format!("{base}/v1/usage/budget"),
    };
    let rb = match ctx.net.http.request(reqwest::Method::GET, &url) {
        Ok(rb) => rb.bearer_auth(secret.expose()),
        Err(e) => return Outcome::fail(e.to_string(), crate::Diagnose::hint(&e)),
    };
    let resp = match ctx.net.http.send(rb).await {
        Ok(r) => r,
        Err(e) => return Outcome::fail(e.to_string(), crate::Diagnose::hint(&e)),
    };
    let status = resp.status().as_u16();
    let text = crate::net::body_text(resp).await;
    let http = HttpEvidence { url: url.clone(), status, content_type: None, body_start: (status >= 300).then(|| crate::redact::first_bytes(&text, 200)) };
    let ev = Evidence { http: Some(http), ..Default::default() };
    match status {
        200 if serde_json::from_str::<serde_json::Value>(&text).is_ok() => Outcome::pass(format!("the usage API answers at {url}")).with(ev),
        200 => Outcome::warn(format!("{url} answered, but not with JSON"), "The budget view cannot read it: tell the gateway team.").with(ev),
        401 | 403 => Outcome::warn(
            format!("the usage API refused your credential (HTTP {status})"),
            "Usage and budget need a key that may read its own spend: ask the gateway team.",
        )
        .with(ev),
        _ => Outcome::warn(
            format!("the usage API is not available at {url} (HTTP {status})"),
            "The Usage tab will stay empty; the gateway team can enable it (see docs/gateway-usage-api.yaml for the generic contract).",
        )
        .with(ev),
    }
}

#[cfg(test)]
pub(super) mod tests {
    use super::*;
    use crate::fuzz::{self, json_value, object_of, string_value};
    use proptest::prelude::*;

    /// A doctor context for `config` whose network is held to loopback; no az. `dir` holds its
    /// files. (Shared with the path and DNS checks' fuzz properties.)
    pub(in crate::doctor) fn loopback_ctx(config: crate::config::Config, dir: &std::path::Path) -> Arc<Ctx> {
        let mut options = crate::doctor::DoctorOptions::new(dir.join("config.toml"), dir.join("foundry-onboard"), dir.to_path_buf());
        options.az = None;
        options.check_timeout = std::time::Duration::from_secs(5);
        let net = fuzz::loopback_network(&config);
        let mut ctx = Ctx::new(config, options).unwrap();
        Arc::get_mut(&mut ctx).unwrap().net = net;
        ctx
    }

    /// The gateway's answers to the doctor's three calls (health, a one-token call, the usage API):
    /// any status, HTML, junk, JSON of any shape. Each check ends with a verdict whose detail names
    /// the gateway or its address; never a panic.
    #[test]
    fn fuzz_gateway_answers_get_a_verdict_that_names_the_gateway() {
        crate::keyring::use_mock_store();
        let server = fuzz::LoopbackServer::start();
        let dir = tempfile::tempdir().unwrap();
        let ctxs: Vec<Arc<Ctx>> = [GatewayKind::Litellm, GatewayKind::Generic]
            .into_iter()
            .map(|kind| {
                let mut config = crate::config::Config::default();
                config.foundry.via_gateway = true;
                config.gateway.url = Some(server.base.clone());
                config.gateway.kind = kind;
                config.models.sonnet = Some("fuzz-sonnet".into());
                loopback_ctx(config, dir.path())
            })
            .collect();
        crate::keyring::SecretStore::new(false).set(crate::profile::GATEWAY_KEY, &crate::Secret::new("fuzz-gateway-key")).unwrap();
        let shaped = prop_oneof![
            object_of(vec![("status", string_value()), ("error", json_value().boxed())]),
            object_of(vec![("info", object_of(vec![("spend", json_value().boxed()), ("max_budget", json_value().boxed())]).boxed())]),
        ];
        let cases = (fuzz::answer(fuzz::status(), fuzz::body(shaped)), any::<prop::sample::Index>());
        let rt = fuzz::runtime();
        fuzz::runner(48)
            .run(&cases, |(answer, which)| {
                server.answer(answer);
                let ctx = ctxs[which.index(ctxs.len())].clone();
                let outcomes = rt.block_on(async { [reachable(ctx.clone()).await, auth(ctx.clone()).await, usage(ctx).await] });
                for o in outcomes {
                    prop_assert!(o.status.is_some(), "{o:?}");
                    prop_assert!(fuzz::names_what(&o.detail, &["gateway", "127.0.0.1", "usage API", "fuzz-sonnet", "credential"]), "{}", o.detail);
                    prop_assert!(!o.detail.contains("fuzz-gateway-key") && !o.hint.contains("fuzz-gateway-key"), "the key in a verdict: {o:?}");
                }
                Ok(())
            })
            .unwrap();
    }
}
