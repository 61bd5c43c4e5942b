//! LiteLLM's key-holder endpoints on the gateway stand-in (facts/litellm.md): `/key/info`,
//! `/user/info`, `/team/info` and `/user/daily/activity` (paged over rows) for the sandbox key,
//! from the generated history plus what the sandbox served; LiteLLM's own error bodies; the
//! gateway and usage faults.

use super::Fault;
use super::foundry::DEPLOYMENTS;
use super::http::Shared;
use super::usage_history::{self, DayUsage};
use axum::Router;
use axum::extract::{Query, State};
use axum::http::{HeaderMap, StatusCode, header};
use axum::response::{IntoResponse, Response};
use axum::routing::get;
use chrono::NaiveDate;
use serde_json::{Value, json};
use std::collections::BTreeMap;

/// Day rows per page of `/user/daily/activity`, whatever the client asks: 90 days are 4 pages.
pub const PAGE_ROWS: usize = 25;
/// What `usage-rate-limited` asks the client to wait, in seconds.
pub const RETRY_AFTER_S: u64 = 30;
const USER_ID: &str = "dev-sandbox";
const TEAM_ID: &str = "team-sandbox";
const KEY_ALIAS: &str = "sandbox-laptop";
const TEAM_BUDGET: f64 = 2000.0;

pub fn routes() -> Router<Shared> {
    Router::new()
        .route("/key/info", get(key_info))
        .route("/user/info", get(user_info))
        .route("/team/info", get(team_info))
        .route("/user/daily/activity", get(daily_activity))
}

fn litellm_error(status: StatusCode, message: &str, kind: &str, param: Option<&str>) -> Response {
    (status, axum::Json(json!({"error": {"message": message, "type": kind, "param": param, "code": status.as_u16().to_string()}}))).into_response()
}

/// The page a corporate proxy shows instead of the gateway's JSON (`gateway-html`).
pub fn proxy_page() -> Response {
    let page =
        "<!DOCTYPE html><html><head><title>Sign in - Corporate Proxy</title></head><body><form action=\"/login\"><input name=\"user\"></form></body></html>";
    (StatusCode::OK, [(header::CONTENT_TYPE, "text/html; charset=utf-8")], page).into_response()
}

/// The faults and the key check every key-holder endpoint goes through; `None` lets it answer.
fn refused(shared: &Shared, headers: &HeaderMap) -> Option<Response> {
    let has = |f: Fault| shared.faults.contains(&f);
    if has(Fault::GatewayDown) {
        return Some((StatusCode::BAD_GATEWAY, "Bad Gateway").into_response());
    }
    if has(Fault::GatewayHtml) {
        return Some(proxy_page());
    }
    let Some(bearer) = headers.get(header::AUTHORIZATION).and_then(|v| v.to_str().ok()).and_then(|v| v.strip_prefix("Bearer ")) else {
        return Some(litellm_error(StatusCode::UNAUTHORIZED, "Authentication Error, No api key passed in.", "auth_error", Some("None")));
    };
    if bearer != shared.gateway_key.expose() {
        return Some(litellm_error(StatusCode::UNAUTHORIZED, "Authentication Error, Invalid API key provided.", "token_not_found_in_db", Some("key")));
    }
    if has(Fault::UsageUnauthorized) {
        return Some(litellm_error(
            StatusCode::UNAUTHORIZED,
            "Authentication Error - Expired Key. Key Expiry time 2026-11-01 00:00:00+00:00 and current time 2026-12-03 12:00:00+00:00",
            "expired_key",
            Some("key"),
        ));
    }
    if has(Fault::UsageRateLimited) {
        let mut r = litellm_error(StatusCode::TOO_MANY_REQUESTS, "Rate limit exceeded for this key. Retry after 30 seconds.", "throttling_error", None);
        r.headers_mut().insert(header::RETRY_AFTER, header::HeaderValue::from(RETRY_AFTER_S));
        return Some(r);
    }
    None
}

/// The key's spend in its period: the history's, plus what the sandbox's gateway served (at
/// Sonnet-like list prices, $3 / $15 per million tokens).
fn key_spend(shared: &Shared, today: NaiveDate) -> f64 {
    let (input, output) = shared.usage.lock().map(|u| u.values().fold((0, 0), |a, v| (a.0 + v.1, a.1 + v.2))).unwrap_or_default();
    usage_history::period_spend(today, shared.usage_models) + (input as f64 * 3.0 + output as f64 * 15.0) / 1_000_000.0
}

fn reset_at(today: NaiveDate) -> String {
    format!("{}T00:00:00Z", usage_history::period(today).1)
}

/// `usage-budget-exceeded`: LiteLLM's 422 for the key, with the numbers in its message.
pub fn budget_exceeded(shared: &Shared) -> Option<Response> {
    if !shared.faults.contains(&Fault::UsageBudgetExceeded) {
        return None;
    }
    let today = usage_history::today();
    let limit = usage_history::key_budget(today, shared.budget_used, shared.usage_models);
    let key = shared.gateway_key.expose();
    let message = format!(
        "Budget has been exceeded! Key={KEY_ALIAS} (sk-...{}) Current cost: {:.5}, Max budget: {limit:.1}",
        &key[key.len().saturating_sub(3)..],
        limit + 0.01234
    );
    Some(litellm_error(StatusCode::UNPROCESSABLE_ENTITY, &message, "budget_exceeded", None))
}

async fn key_info(State(shared): State<Shared>, headers: HeaderMap) -> Response {
    if let Some(r) = refused(&shared, &headers).or_else(|| budget_exceeded(&shared)) {
        return r;
    }
    let today = usage_history::today();
    let key = shared.gateway_key.expose();
    let spend = key_spend(&shared, today);
    let masked = format!("sk-...{}", &key[key.len().saturating_sub(3)..]);
    axum::Json(json!({"key": key, "info": {
        "key_name": masked, "key_alias": KEY_ALIAS, "soft_budget_cooldown": false, "spend": spend, "total_spend": spend,
        "expires": null, "models": DEPLOYMENTS, "user_id": USER_ID, "team_id": TEAM_ID, "max_parallel_requests": null,
        "blocked": null, "tpm_limit": 200000, "rpm_limit": 60, "max_budget": usage_history::key_budget(today, shared.budget_used, shared.usage_models), "budget_duration": "30d",
        "budget_reset_at": reset_at(today), "status": "active"
    }}))
    .into_response()
}

async fn user_info(State(shared): State<Shared>, headers: HeaderMap) -> Response {
    if let Some(r) = refused(&shared, &headers) {
        return r;
    }
    let today = usage_history::today();
    axum::Json(json!({"user_id": USER_ID, "user_info": {
        "user_id": USER_ID, "user_role": "internal_user", "teams": [TEAM_ID], "max_budget": null, "spend": key_spend(&shared, today),
        "user_email": super::USER, "models": [], "budget_duration": null, "budget_reset_at": null, "metadata": {}
    }, "keys": [], "teams": []}))
    .into_response()
}

async fn team_info(State(shared): State<Shared>, headers: HeaderMap, Query(q): Query<BTreeMap<String, String>>) -> Response {
    if let Some(r) = refused(&shared, &headers) {
        return r;
    }
    if q.get("team_id").map(String::as_str) != Some(TEAM_ID) {
        return (
            StatusCode::NOT_FOUND,
            axum::Json(json!({"detail": {"error": format!("Team not found, passed team_id={}", q.get("team_id").cloned().unwrap_or_default())}})),
        )
            .into_response();
    }
    let today = usage_history::today();
    axum::Json(json!({"team_id": TEAM_ID, "team_info": {
        "team_alias": "sandbox-team", "team_id": TEAM_ID, "max_budget": TEAM_BUDGET, "soft_budget": null, "budget_duration": "30d",
        "spend": key_spend(&shared, today) * 4.0, "budget_reset_at": reset_at(today), "models": DEPLOYMENTS, "blocked": false
    }, "keys": [], "team_memberships": []}))
    .into_response()
}

fn metrics(rows: &[&DayUsage]) -> Value {
    let sum = |f: fn(&DayUsage) -> u64| rows.iter().map(|r| f(r)).sum::<u64>();
    let (input, output, requests) = (sum(|r| r.input), sum(|r| r.output), sum(|r| r.requests));
    json!({
        "spend": rows.iter().map(|r| r.spend).sum::<f64>(), "prompt_tokens": input, "completion_tokens": output,
        "cache_read_input_tokens": sum(|r| r.cache_read), "cache_creation_input_tokens": sum(|r| r.cache_write),
        "total_tokens": input + output, "successful_requests": requests, "failed_requests": 0, "api_requests": requests,
        "total_response_time_ms": requests * 4_200, "timed_requests": requests
    })
}

/// `GET /user/daily/activity?start_date&end_date&page&page_size`: both dates required; pages of
/// [`PAGE_ROWS`] days with per-page totals, as LiteLLM sends them.
async fn daily_activity(State(shared): State<Shared>, headers: HeaderMap, Query(q): Query<BTreeMap<String, String>>) -> Response {
    if let Some(r) = refused(&shared, &headers) {
        return r;
    }
    let date = |k: &str| q.get(k).and_then(|v| NaiveDate::parse_from_str(v, "%Y-%m-%d").ok());
    let (Some(start), Some(end)) = (date("start_date"), date("end_date")) else {
        return (StatusCode::BAD_REQUEST, axum::Json(json!({"detail": {"error": "Please provide start_date and end_date"}}))).into_response();
    };
    let page: usize = q.get("page").and_then(|p| p.parse().ok()).filter(|p| *p >= 1).unwrap_or(1);
    let history = usage_history::history(usage_history::today(), shared.usage_models);
    let mut days: BTreeMap<NaiveDate, Vec<&DayUsage>> = BTreeMap::new();
    for d in history.iter().filter(|d| d.date >= start && d.date <= end) {
        days.entry(d.date).or_default().push(d);
    }
    let days: Vec<_> = days.into_iter().rev().collect();
    let total_pages = days.len().div_ceil(PAGE_ROWS).max(1);
    let this: Vec<_> = days.iter().skip((page - 1) * PAGE_ROWS).take(PAGE_ROWS).collect();
    let results: Vec<Value> = this
        .iter()
        .map(|(date, rows)| {
            let models: serde_json::Map<String, Value> = rows
                .iter()
                .map(|r| (r.model.to_string(), json!({"metrics": metrics(std::slice::from_ref(r)), "metadata": {}, "api_key_breakdown": {}})))
                .collect();
            json!({"date": date.to_string(), "metrics": metrics(rows), "breakdown": {"mcp_servers": {}, "models": models, "providers": {}, "api_keys": {}}})
        })
        .collect();
    let all: Vec<&DayUsage> = this.iter().flat_map(|(_, r)| r.iter().copied()).collect();
    let m = metrics(&all);
    axum::Json(json!({"results": results, "metadata": {
        "total_spend": m["spend"], "total_prompt_tokens": m["prompt_tokens"], "total_completion_tokens": m["completion_tokens"],
        "total_tokens": m["total_tokens"], "total_api_requests": m["api_requests"], "total_successful_requests": m["successful_requests"],
        "total_failed_requests": 0, "total_cache_read_input_tokens": m["cache_read_input_tokens"],
        "total_cache_creation_input_tokens": m["cache_creation_input_tokens"], "page": page, "total_pages": total_pages, "has_more": page < total_pages
    }}))
    .into_response()
}
