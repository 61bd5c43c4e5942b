//! The Log Analytics query API stand-in (`POST /v1/workspaces/{id}/query`, facts/usage/): it
//! takes a token the sandbox's Entra minted for `https://api.loganalytics.io`, recognises the
//! app's presets by what they read (no KQL engine), and answers the signed-in sandbox user's
//! generated history in the API's table shape; the usage faults answer as the API does.

use super::Fault;
use super::entra::{OBJECT_ID, USER};
use super::http::Shared;
use super::usage_history::{self, DayUsage};
use axum::Router;
use axum::extract::{Path, State};
use axum::http::{HeaderMap, StatusCode, header};
use axum::response::{IntoResponse, Response};
use axum::routing::post;
use base64::Engine as _;
use chrono::Days;
use serde_json::{Value, json};

/// The audience a Log Analytics token carries.
pub const AUDIENCE: &str = "https://api.loganalytics.io";
/// The sandbox's workspace id (`usage.workspace` in the sandbox config).
pub const WORKSPACE: &str = "0b5a7c1e-3d2f-4e6a-8b9c-5a4d3c2b1a00";

pub fn routes() -> Router<Shared> {
    Router::new().route("/v1/workspaces/{id}/query", post(query))
}

fn api_error(status: StatusCode, code: &str, message: &str) -> Response {
    (status, axum::Json(json!({"error": {"code": code, "message": message}}))).into_response()
}

/// The `aud` claim of a token (unsigned sandbox JWTs: read, as the real API would after checking).
fn audience(token: &str) -> Option<String> {
    let payload = token.split('.').nth(1)?;
    let bytes = base64::engine::general_purpose::URL_SAFE_NO_PAD.decode(payload).ok()?;
    let claims: Value = serde_json::from_slice(&bytes).ok()?;
    claims.get("aud")?.as_str().map(|a| a.trim_end_matches('/').to_string())
}

/// What a preset reads: each token type the shape carries, by its name in the answer.
fn preset_token_types(query: &str) -> Option<(&'static [&'static str], bool)> {
    if query.contains("claude_code.token.usage") {
        Some((&["input", "output", "cacheRead", "cacheWrite"], false))
    } else if query.contains("gen_ai.client.token.usage") || query.contains("'Prompt Tokens'") {
        Some((&["input", "output"], true))
    } else {
        None
    }
}

fn tokens(d: &DayUsage, kind: &str) -> u64 {
    match kind {
        "input" => d.input,
        "output" => d.output,
        "cacheRead" => d.cache_read,
        _ => d.cache_write,
    }
}

async fn query(State(shared): State<Shared>, Path(workspace): Path<String>, headers: HeaderMap, body: String) -> Response {
    let has = |f: Fault| shared.faults.contains(&f);
    if has(Fault::GatewayHtml) {
        return super::litellm::proxy_page();
    }
    let Some(token) = headers.get(header::AUTHORIZATION).and_then(|v| v.to_str().ok()).and_then(|v| v.strip_prefix("Bearer ")) else {
        return api_error(StatusCode::UNAUTHORIZED, "AuthenticationFailed", "Authentication failed. The 'Authorization' header is missing.");
    };
    if !shared.token_is_valid(token) {
        return api_error(StatusCode::FORBIDDEN, "InvalidAuthenticationToken", "The access token is invalid.");
    }
    if let Some(aud) = audience(token).filter(|a| a != AUDIENCE) {
        return api_error(
            StatusCode::FORBIDDEN,
            "InvalidAuthenticationTokenAudience",
            &format!(
                "The access token has been obtained from wrong audience or resource '{aud}'. It should exactly match (including forward slash) with one of the allowed audiences '{AUDIENCE}'."
            ),
        );
    }
    if has(Fault::UsageUnauthorized) {
        return api_error(StatusCode::UNAUTHORIZED, "InvalidAuthenticationToken", "The access token has expired. Acquire a new token and try again.");
    }
    if has(Fault::UsageForbidden) {
        return api_error(
            StatusCode::FORBIDDEN,
            "InsufficientAccessError",
            "The provided credentials have insufficient access to perform the requested operation",
        );
    }
    if has(Fault::UsageRateLimited) {
        let mut r =
            api_error(StatusCode::TOO_MANY_REQUESTS, "ThrottledError", "Your request was throttled: too many queries from this user in the last 30 seconds.");
        r.headers_mut().insert(header::RETRY_AFTER, header::HeaderValue::from(super::litellm::RETRY_AFTER_S));
        return r;
    }
    if workspace != WORKSPACE {
        return api_error(StatusCode::NOT_FOUND, "PathNotFoundError", "The requested path does not exist");
    }
    let Ok(request) = serde_json::from_str::<Value>(&body) else { return (StatusCode::OK, "").into_response() };
    let text = request.get("query").and_then(Value::as_str).unwrap_or_default();
    let Some((types, with_requests)) = preset_token_types(text) else {
        return api_error(StatusCode::BAD_REQUEST, "BadArgumentError", "The sandbox's Log Analytics answers the app's presets only.");
    };
    let days: u64 = request.get("timespan").and_then(Value::as_str).and_then(|t| t.strip_prefix('P')?.strip_suffix('D')?.parse().ok()).unwrap_or(30);
    // The query names the user as the `user` literal: only the sandbox user has a history.
    let names_user = [OBJECT_ID, USER].iter().any(|u| text.contains(&format!("let user = '{u}';")));
    let today = usage_history::today();
    let from = today.checked_sub_days(Days::new(days.saturating_sub(1))).unwrap_or(today);
    let history = if names_user { usage_history::history(today, shared.usage_models) } else { Vec::new() };
    let mut rows: Vec<Value> = Vec::new();
    for d in history.iter().filter(|d| d.date >= from) {
        for kind in types {
            let mut row = vec![json!(format!("{}T00:00:00Z", d.date)), json!(d.model), json!(kind), json!(tokens(d, kind) as f64)];
            if with_requests {
                row.push(json!(if *kind == "input" { d.requests } else { 0 }));
            }
            rows.push(Value::Array(row));
        }
    }
    let mut columns = vec![
        json!({"name": "Day", "type": "datetime"}),
        json!({"name": "Model", "type": "string"}),
        json!({"name": "TokenType", "type": "string"}),
        json!({"name": "Tokens", "type": "real"}),
    ];
    if with_requests {
        columns.push(json!({"name": "Requests", "type": "long"}));
    }
    if has(Fault::UsagePartial) {
        // A query that ran out of time answers the part it got to: here the newest half of the
        // rows (so the budget period still has figures, marked partial).
        rows.drain(..rows.len() / 2);
        return axum::Json(json!({"tables": [{"name": "PrimaryResult", "columns": columns, "rows": rows}], "error": {
            "code": "PartialError", "message": "There were some errors when processing your query.",
            "details": [{"code": "QueryTimeout", "message": "The query ran past its time limit; the results are incomplete."}]
        }}))
        .into_response();
    }
    axum::Json(json!({"tables": [{"name": "PrimaryResult", "columns": columns, "rows": rows}]})).into_response()
}
