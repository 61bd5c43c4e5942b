//! The Azure AI Foundry stand-in: `POST /anthropic/v1/messages` as the real client sends it
//! (facts/claude-code.md §2, §8, §10) — `?beta=true`, `x-api-key` or a Bearer token the sandbox
//! minted, the deployment name as `model` — answered as SSE or JSON, with Azure's error bodies.

use super::Fault;
use super::http::Shared;
use axum::Router;
use axum::body::Bytes;
use axum::extract::State;
use axum::http::{HeaderMap, StatusCode, header};
use axum::response::{IntoResponse, Response};
use axum::routing::post;
use foundry_onboard_core::anthropic::{ContentBlock, Message, MessagesRequest, Usage};
use serde_json::json;

/// The deployments the sandbox's resource has.
pub const DEPLOYMENTS: [&str; 3] = ["claude-sonnet-4-5", "claude-haiku-4-5", "claude-opus-4-6"];
/// What every sandbox answer says.
pub const ANSWER: &str = "Hello from the Foundry Onboard sandbox.";

/// Who is answering: Foundry itself, or the LLM gateway in front of it (which takes its own key).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Front {
    Foundry,
    Gateway,
}

pub fn routes(front: Front) -> Router<Shared> {
    match front {
        Front::Foundry => Router::new().route("/anthropic/v1/messages", post(foundry_messages)),
        Front::Gateway => Router::new().route("/anthropic/v1/messages", post(gateway_messages)).merge(super::litellm::routes()),
    }
}

async fn foundry_messages(state: State<Shared>, headers: HeaderMap, body: Bytes) -> Response {
    messages(state, Front::Foundry, headers, body).await
}

async fn gateway_messages(state: State<Shared>, headers: HeaderMap, body: Bytes) -> Response {
    messages(state, Front::Gateway, headers, body).await
}

fn azure_error(status: StatusCode, code: &str, message: &str) -> Response {
    (status, axum::Json(json!({"error": {"code": code, "message": message}}))).into_response()
}

async fn messages(State(shared): State<Shared>, front: Front, headers: HeaderMap, body: Bytes) -> Response {
    let has = |f: Fault| shared.faults.contains(&f);
    if has(Fault::GatewayHtml) {
        let page = "<!DOCTYPE html><html><head><title>Sign in - Corporate Proxy</title></head><body><form action=\"/login\"><input name=\"user\"></form></body></html>";
        return (StatusCode::OK, [(header::CONTENT_TYPE, "text/html; charset=utf-8")], page).into_response();
    }
    let key_ok = headers.get("x-api-key").and_then(|v| v.to_str().ok()).is_some_and(|k| k == shared.api_key.expose());
    let bearer = headers.get(header::AUTHORIZATION).and_then(|v| v.to_str().ok()).and_then(|v| v.strip_prefix("Bearer "));
    let authorized = match front {
        Front::Foundry => key_ok || bearer.is_some_and(|t| shared.token_is_valid(t)),
        Front::Gateway => bearer.is_some_and(|t| t == shared.gateway_key.expose()),
    };
    if front == Front::Gateway && has(Fault::GatewayDown) {
        return (StatusCode::BAD_GATEWAY, "Bad Gateway").into_response();
    }
    if front == Front::Gateway
        && authorized
        && let Some(refusal) = super::litellm::budget_exceeded(&shared)
    {
        return refusal;
    }
    if !authorized || has(Fault::AuthExpired) {
        return azure_error(
            StatusCode::UNAUTHORIZED,
            "401",
            "Access denied due to invalid subscription key or wrong API endpoint. Make sure to provide a valid key for an active subscription and use a correct regional API endpoint for your resource.",
        );
    }
    if has(Fault::RoleMissing) {
        return azure_error(
            StatusCode::FORBIDDEN,
            "PermissionDenied",
            "The principal `00000000-0000-0000-0000-00000000cafe` lacks the required data action `Microsoft.CognitiveServices/accounts/MaaS/chat/completions/action` to perform `POST /anthropic/v1/messages` operation.",
        );
    }
    if headers.get("anthropic-version").is_none() {
        return (
            StatusCode::BAD_REQUEST,
            axum::Json(json!({"type": "error", "error": {"type": "invalid_request_error", "message": "anthropic-version: header is required"}})),
        )
            .into_response();
    }
    let request: MessagesRequest = match serde_json::from_slice(&body) {
        Ok(r) => r,
        Err(e) => {
            return (
                StatusCode::BAD_REQUEST,
                axum::Json(json!({"type": "error", "error": {"type": "invalid_request_error", "message": format!("invalid request body: {e}")}})),
            )
                .into_response();
        }
    };
    if has(Fault::DeploymentMissing) || !DEPLOYMENTS.contains(&request.model.as_str()) {
        return (
            StatusCode::NOT_FOUND,
            axum::Json(json!({"error": {"type": "invalid_request_error", "code": "DeploymentNotFound", "message": "The API deployment for this resource does not exist. If you created the deployment within the last 5 minutes, please wait a moment and try again."}})),
        )
            .into_response();
    }
    if has(Fault::Quota429) {
        let mut r = azure_error(StatusCode::TOO_MANY_REQUESTS, "429", "Rate limit is exceeded. Try again in 2 seconds.");
        r.headers_mut().insert(header::RETRY_AFTER, header::HeaderValue::from_static("2"));
        return r;
    }
    let input_tokens = (body.len() / 4).max(1) as u64;
    let output_tokens = u64::from(request.max_tokens.min(9));
    shared.record_usage(&request.model, input_tokens, output_tokens);
    let id = format!("msg_sandbox_{:016x}", shared.next_id());
    if request.stream == Some(true) {
        let text = text_for(request.max_tokens);
        let events = [
            (
                "message_start",
                json!({"type": "message_start", "message": {"id": id, "type": "message", "role": "assistant", "model": request.model, "content": [], "stop_reason": null, "usage": {"input_tokens": input_tokens, "output_tokens": 1}}}),
            ),
            ("content_block_start", json!({"type": "content_block_start", "index": 0, "content_block": {"type": "text", "text": ""}})),
            ("content_block_delta", json!({"type": "content_block_delta", "index": 0, "delta": {"type": "text_delta", "text": text}})),
            ("content_block_stop", json!({"type": "content_block_stop", "index": 0})),
            (
                "message_delta",
                json!({"type": "message_delta", "delta": {"stop_reason": stop_reason(request.max_tokens), "stop_sequence": null}, "usage": {"output_tokens": output_tokens}}),
            ),
            ("message_stop", json!({"type": "message_stop"})),
        ];
        let body: String = events.iter().map(|(name, data)| format!("event: {name}\ndata: {data}\n\n")).collect();
        return (StatusCode::OK, [(header::CONTENT_TYPE, "text/event-stream"), (header::CACHE_CONTROL, "no-cache")], body).into_response();
    }
    let message = Message {
        id,
        kind: "message".into(),
        role: "assistant".into(),
        model: request.model.clone(),
        content: vec![ContentBlock::Text { text: text_for(request.max_tokens) }],
        stop_reason: Some(stop_reason(request.max_tokens).into()),
        usage: Usage { input_tokens, output_tokens, cache_read_input_tokens: None, cache_creation_input_tokens: None },
    };
    axum::Json(message).into_response()
}

fn text_for(max_tokens: u32) -> String {
    if max_tokens <= 1 { "Hello".into() } else { ANSWER.into() }
}

fn stop_reason(max_tokens: u32) -> &'static str {
    if max_tokens <= 1 { "max_tokens" } else { "end_turn" }
}
