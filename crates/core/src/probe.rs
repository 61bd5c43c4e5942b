//! One-token calls to a Foundry deployment — to verify a key before saving it, and (later) for
//! the doctor's per-deployment checks — with every answer the real service gives mapped to a
//! sentence and a next step.

use crate::Secret;
use crate::anthropic::{AzureError, MessagesRequest};
use crate::config::Config;
use crate::error::{Diagnose, ErrorKind};
use crate::net::{NetError, Network};

#[derive(Debug, thiserror::Error)]
pub enum ProbeError {
    #[error("no Foundry endpoint is configured")]
    NoEndpoint,
    #[error("the key was rejected by {endpoint} (401): {message}")]
    Unauthorized { endpoint: String, message: String },
    #[error("access to deployment {deployment} was refused (403): {message}")]
    Forbidden { deployment: String, message: String },
    #[error("there is no deployment named {deployment} on {endpoint} (404 DeploymentNotFound)")]
    DeploymentNotFound { deployment: String, endpoint: String },
    #[error("{endpoint} answered 404 api_not_supported: the URL is not the Anthropic endpoint")]
    WrongUrl { endpoint: String },
    #[error("deployment {deployment} is throttled (429){}", retry_after.map(|s| format!("; retry after {s} s")).unwrap_or_default())]
    Throttled { deployment: String, retry_after: Option<u64> },
    #[error("deployment {deployment} refused the request (400): {message}")]
    BadRequest { deployment: String, message: String },
    #[error("{endpoint} answered with an HTML page (HTTP {status}), not the Foundry API")]
    Html { endpoint: String, status: u16 },
    #[error("{endpoint} answered HTTP {status}: {body}")]
    Unexpected { endpoint: String, status: u16, body: String },
    #[error(transparent)]
    Network(#[from] NetError),
}

/// What to do about Foundry's 401, by how the request was signed — written once for the probe,
/// the doctor's `foundry.<tier>` and its live Claude Code check.
pub fn refused_hint(entra: bool) -> &'static str {
    if entra {
        "The token was refused: sign in to Azure again (`foundry-onboard login` or the app's Sign in step), and check that the resource's custom subdomain is set (Entra ID tokens need it)."
    } else {
        "The key was refused: copy it again from the Azure portal (resource → Keys and Endpoint), check that it belongs to this resource, and store it again (`foundry-onboard secret set foundry-api-key`)."
    }
}

/// What to do about Foundry's 403 on `resource`.
pub fn role_hint(resource: &str) -> String {
    format!(
        "You need the Azure AI User (or Cognitive Services User) role on {resource}: the resource's Owner or a User Access Administrator grants it (Access control (IAM) → Add role assignment). Roles take up to 5 minutes to apply."
    )
}

/// What to do about Foundry's 429.
pub const QUOTA_HINT: &str =
    "The deployment's quota is used up or zero: request more in the Azure portal (Quotas). Increases take 24–48 h; non-enterprise subscriptions start at 0.";

impl Diagnose for ProbeError {
    fn kind(&self) -> ErrorKind {
        match self {
            ProbeError::NoEndpoint => ErrorKind::Config,
            ProbeError::Network(n) => n.kind(),
            _ => ErrorKind::Network,
        }
    }
    fn hint(&self) -> String {
        match self {
            ProbeError::NoEndpoint => "Choose the resource first (the app's setup, or `profile write --resource NAME`).".into(),
            ProbeError::Unauthorized { .. } => refused_hint(false).into(),
            ProbeError::Forbidden { .. } => role_hint("the resource"),
            ProbeError::DeploymentNotFound { .. } => "Check the deployment name exactly as Azure shows it; a deployment created in the last 5 minutes may not be served yet.".into(),
            ProbeError::WrongUrl { .. } => "The base URL must end in /anthropic (https://<resource>.services.ai.azure.com/anthropic).".into(),
            ProbeError::Throttled { .. } => QUOTA_HINT.into(),
            ProbeError::BadRequest { message, .. } if message.contains("effort") => "This deployment's model does not take the `effort` parameter Claude Code sends (field report #7): Claude Code sends `effort` to deployment names it does not recognise as a model. Name the deployment after its model (e.g. claude-sonnet-4-5) so Claude Code sends that model's own features, or pick a newer model for this tier.".into(),
            ProbeError::BadRequest { .. } => "Claude Code sends the same request: update Claude Code, or pick a deployment of a newer model for this tier.".into(),
            ProbeError::Html { .. } => "A proxy or captive portal answered instead of Azure: sign in to it, or set NO_PROXY for the resource's host.".into(),
            ProbeError::Unexpected { .. } => "Run `foundry-onboard doctor` to check each hop of the path.".into(),
            ProbeError::Network(n) => n.hint(),
        }
    }
}

/// `https://<resource>.services.ai.azure.com/anthropic` or the configured base URL, no trailing `/`.
pub fn base_url(config: &Config) -> Option<String> {
    config.foundry.endpoint.as_ref().map(crate::config::FoundryEndpoint::base_url)
}

/// The credential a probe sends.
pub enum Credential<'a> {
    ApiKey(&'a Secret),
    Bearer(&'a Secret),
}

/// How the probe's request looks.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Shape {
    /// The least a Messages call needs (verifying a key).
    Minimal,
    /// What the installed Claude Code sends for this deployment name (claude-code.md §2): for a name
    /// it does not recognise, adaptive thinking, `output_config.effort` and a `system` message.
    ClaudeCode,
}

/// The betas Claude Code 2.1.331 sends for a name it does not recognise.
const CLAUDE_CODE_BETAS: &str = "claude-code-20250219,interleaved-thinking-2025-05-14,context-management-2025-06-27,mid-conversation-tool-changes-2026-07-01,thinking-token-count-2026-05-13,effort-2025-11-24";

/// Whether Claude Code knows the name as a model (then it sends the model's own features).
pub fn recognised_by_claude_code(deployment: &str) -> bool {
    let rest = deployment.strip_prefix("claude-").unwrap_or("");
    ["sonnet-", "haiku-", "opus-"].iter().any(|t| rest.strip_prefix(t).is_some_and(|v| v.starts_with(|c: char| c.is_ascii_digit())))
}

/// One request with `max_tokens` 1 to `deployment`; Ok(elapsed ms) when it answered.
pub async fn probe(net: &Network, config: &Config, deployment: &str, credential: Credential<'_>) -> Result<u64, ProbeError> {
    let base = base_url(config).ok_or(ProbeError::NoEndpoint)?;
    probe_at(net, &base, deployment, credential, Shape::Minimal).await
}

/// [`probe`] against an explicit base URL (the doctor follows the private name) and shape.
pub async fn probe_at(net: &Network, base: &str, deployment: &str, credential: Credential<'_>, shape: Shape) -> Result<u64, ProbeError> {
    let base = base.trim_end_matches('/').to_string();
    let unknown_name = shape == Shape::ClaudeCode && !recognised_by_claude_code(deployment);
    let mut messages = vec![crate::anthropic::InputMessage { role: "user".into(), content: serde_json::Value::from("ping") }];
    if unknown_name {
        messages.push(crate::anthropic::InputMessage { role: "system".into(), content: serde_json::Value::from("Environment: foundry-onboard doctor probe") });
    }
    let body = MessagesRequest {
        model: deployment.to_string(),
        messages,
        max_tokens: 1,
        system: None,
        stream: Some(false),
        thinking: unknown_name.then(|| serde_json::json!({"type": "adaptive", "display": "omitted"})),
        output_config: unknown_name.then(|| serde_json::json!({"effort": "high"})),
        tools: None,
        metadata: None,
        other: Default::default(),
    };
    let mut rb = net.http.request(reqwest::Method::POST, &format!("{base}/v1/messages?beta=true"))?.header("anthropic-version", "2023-06-01").json(&body);
    if shape == Shape::ClaudeCode {
        rb = rb.header("anthropic-beta", CLAUDE_CODE_BETAS).header("x-app", "cli");
    }
    rb = match credential {
        Credential::ApiKey(k) => rb.header("x-api-key", k.expose()),
        Credential::Bearer(t) => rb.bearer_auth(t.expose()),
    };
    let start = std::time::Instant::now();
    let resp = net.http.send(rb).await?;
    let status = resp.status().as_u16();
    let retry_after = resp.headers().get("retry-after").and_then(|v| v.to_str().ok()).and_then(|v| v.parse().ok());
    let content_type = resp.headers().get("content-type").and_then(|v| v.to_str().ok()).map(str::to_string);
    let text = crate::net::body_text(resp).await;
    let elapsed = start.elapsed().as_millis() as u64;
    if crate::net::looks_like_html(content_type.as_deref(), &text) {
        return Err(ProbeError::Html { endpoint: base, status });
    }
    let azure: Option<AzureError> = serde_json::from_str(&text).ok();
    let message = azure.as_ref().map(|a| a.error.message.clone()).unwrap_or_else(|| crate::redact::first_bytes(&text, 200));
    let code = azure.as_ref().and_then(|a| a.error.code.clone()).unwrap_or_default();
    match status {
        200 => Ok(elapsed),
        401 => Err(ProbeError::Unauthorized { endpoint: base, message }),
        403 => Err(ProbeError::Forbidden { deployment: deployment.into(), message }),
        404 if code == "DeploymentNotFound" => Err(ProbeError::DeploymentNotFound { deployment: deployment.into(), endpoint: base }),
        404 if code == "api_not_supported" || text.contains("api_not_supported") => Err(ProbeError::WrongUrl { endpoint: base }),
        400 => Err(ProbeError::BadRequest { deployment: deployment.into(), message }),
        429 => Err(ProbeError::Throttled { deployment: deployment.into(), retry_after }),
        _ => Err(ProbeError::Unexpected { endpoint: base, status, body: message }),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::fuzz::{self, json_value, object_of, string_value};
    use proptest::prelude::*;

    /// What Foundry (or whatever answers in its place) sends to a one-token call: Azure's error
    /// envelope with any field wrong, an Anthropic answer of the wrong shape, HTML, junk, any
    /// status. The probe maps it or names the endpoint or deployment; never a panic.
    #[test]
    fn fuzz_foundry_answers_are_mapped_or_named() {
        let server = fuzz::LoopbackServer::start();
        let net = fuzz::loopback_network(&Config::default());
        let base = format!("{}/anthropic", server.base);
        let key = Secret::new("fuzz-key");
        let code = prop_oneof![
            Just(serde_json::Value::from("DeploymentNotFound")),
            Just(serde_json::Value::from("api_not_supported")),
            Just(serde_json::Value::from("429")),
            string_value(),
        ];
        let envelope = object_of(vec![("error", object_of(vec![("code", code.boxed()), ("message", string_value()), ("type", string_value())]).boxed())]);
        let message = object_of(vec![
            ("id", string_value()),
            ("type", string_value()),
            ("model", string_value()),
            ("content", json_value().boxed()),
            ("usage", object_of(vec![("input_tokens", json_value().boxed()), ("output_tokens", json_value().boxed())]).boxed()),
        ]);
        let detail = object_of(vec![("detail", string_value())]);
        let shaped = prop_oneof![3 => envelope, 2 => message, 1 => detail];
        let cases = (fuzz::answer(fuzz::status(), fuzz::body(shaped)), any::<bool>());
        let rt = fuzz::runtime();
        fuzz::runner(64)
            .run(&cases, |(answer, claude_code)| {
                let status = answer.status;
                server.answer(answer);
                let shape = if claude_code { Shape::ClaudeCode } else { Shape::Minimal };
                match rt.block_on(probe_at(&net, &base, "fuzz-deployment", Credential::ApiKey(&key), shape)) {
                    Ok(_) => prop_assert_eq!(status, 200),
                    Err(e) => {
                        prop_assert!(fuzz::names_what(&e.to_string(), &["127.0.0.1", "fuzz-deployment"]), "{e}");
                        prop_assert!(!e.hint().is_empty());
                        prop_assert!(!e.to_string().contains("fuzz-key"), "the key in a message: {e}");
                    }
                }
                Ok(())
            })
            .unwrap();
    }
}
