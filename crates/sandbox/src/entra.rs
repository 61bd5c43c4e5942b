//! The Entra ID stand-in the real `az` signs in to (facts/az.md §8a): OpenID configuration,
//! device code, token (device-code and refresh-token grants, unsigned id_token, `client_info`),
//! and a small page where a person approves the code. Every access token it mints is accepted by
//! the sandbox's ARM and Foundry.

use super::http::Shared;
use super::{Fault, TENANT};
use axum::extract::{Form, Path, State};
use axum::http::StatusCode;
use axum::response::{Html, IntoResponse, Response};
use axum::routing::{get, post};
use axum::{Json, Router};
use base64::Engine;
use serde::Deserialize;
use serde_json::json;
use std::time::{SystemTime, UNIX_EPOCH};

/// The signed-in user of the sandbox.
pub const USER: &str = "dev@sandbox.example";
pub const OBJECT_ID: &str = "5e1f0c2a-7d3b-4c8e-9a61-0b2d4f6e8a10";

/// A device code waiting for approval.
#[derive(Debug, Clone)]
pub struct DeviceCode {
    pub user_code: String,
    pub scope: String,
    pub approved: bool,
    /// An AADSTS code the person chose to answer with instead of approving (help-desk training).
    pub refused_with: Option<String>,
}

/// The refusals the sign-in page can play, with Entra's own descriptions.
pub const REFUSALS: &[(&str, &str, &str)] = &[
    (
        "50076",
        "interaction_required",
        "AADSTS50076: Due to a configuration change made by your administrator, or because you moved to a new location, you must use multi-factor authentication to access the resource.",
    ),
    ("53003", "access_denied", "AADSTS53003: Access has been blocked by Conditional Access policies. The access policy does not allow token issuance."),
    (
        "50020",
        "invalid_grant",
        "AADSTS50020: User account 'dev@sandbox.example' from identity provider 'live.com' does not exist in tenant 'Sandbox Contoso' and cannot access the application in that tenant.",
    ),
    (
        "65001",
        "invalid_grant",
        "AADSTS65001: The user or administrator has not consented to use the application with ID '04b07795-8ddb-461a-bbee-02f9e1bf7b46' named 'Microsoft Azure CLI'.",
    ),
    ("7000218", "invalid_client", "AADSTS7000218: The request body must contain the following parameter: 'client_assertion' or 'client_secret'."),
];

pub fn routes() -> Router<Shared> {
    Router::new()
        .route("/{tenant}/v2.0/.well-known/openid-configuration", get(openid_configuration))
        .route("/{tenant}/oauth2/v2.0/devicecode", post(devicecode))
        .route("/{tenant}/oauth2/v2.0/token", post(token))
        .route("/device", get(device_page).post(device_approve))
}

fn now() -> u64 {
    SystemTime::now().duration_since(UNIX_EPOCH).map(|d| d.as_secs()).unwrap_or(0)
}

fn b64(v: &serde_json::Value) -> String {
    base64::engine::general_purpose::URL_SAFE_NO_PAD.encode(v.to_string())
}

/// An unsigned JWT (`alg: none`): MSAL reads its claims without checking a signature.
fn jwt(claims: serde_json::Value) -> String {
    format!("{}.{}.", b64(&json!({"alg": "none", "typ": "JWT"})), b64(&claims))
}

fn entra_error(status: StatusCode, error: &str, description: &str) -> Response {
    (status, Json(json!({"error": error, "error_description": description, "error_codes": [], "timestamp": "2026-11-30 00:00:00Z"}))).into_response()
}

async fn openid_configuration(State(shared): State<Shared>, Path(tenant): Path<String>) -> Response {
    let base = format!("{}/{tenant}", shared.authority_url);
    let issuer_tenant = if tenant == "organizations" || tenant == "common" { "{tenantid}".to_string() } else { tenant.clone() };
    Json(json!({
        "token_endpoint": format!("{base}/oauth2/v2.0/token"),
        "device_authorization_endpoint": format!("{base}/oauth2/v2.0/devicecode"),
        "authorization_endpoint": format!("{base}/oauth2/v2.0/authorize"),
        "end_session_endpoint": format!("{base}/oauth2/v2.0/logout"),
        "issuer": format!("{}/{issuer_tenant}/v2.0", shared.authority_url),
        "jwks_uri": format!("{base}/discovery/v2.0/keys"),
        "token_endpoint_auth_methods_supported": ["client_secret_post", "private_key_jwt", "client_secret_basic"],
        "response_modes_supported": ["query", "fragment", "form_post"],
        "response_types_supported": ["code", "id_token", "code id_token", "id_token token"],
        "scopes_supported": ["openid", "profile", "email", "offline_access"],
        "subject_types_supported": ["pairwise"],
        "id_token_signing_alg_values_supported": ["RS256"],
        "claims_supported": ["sub", "iss", "aud", "exp", "iat", "tid", "oid", "preferred_username", "nonce"],
        "tenant_region_scope": "NA",
        "request_uri_parameter_supported": false
    }))
    .into_response()
}

#[derive(Debug, Deserialize)]
struct DeviceCodeForm {
    #[serde(default)]
    scope: String,
}

async fn devicecode(State(shared): State<Shared>, Path(_tenant): Path<String>, Form(form): Form<DeviceCodeForm>) -> Response {
    let id = shared.next_id();
    let device_code = format!("sbx-device-{}-{id}", super::random_hex(12));
    let raw = super::random_hex(4).to_ascii_uppercase();
    let user_code = format!("{}-{id:04}", &raw[..4]);
    let scope = form.scope.split_whitespace().filter(|s| !["offline_access", "openid", "profile"].contains(s)).collect::<Vec<_>>().join(" ");
    if let Ok(mut codes) = shared.device_codes.lock() {
        codes.insert(device_code.clone(), DeviceCode { user_code: user_code.clone(), scope, approved: false, refused_with: None });
    }
    if let Some(after) = shared.approve_after {
        let (shared, device_code) = (shared.clone(), device_code.clone());
        tokio::spawn(async move {
            tokio::time::sleep(after).await;
            if let Ok(mut codes) = shared.device_codes.lock()
                && let Some(c) = codes.get_mut(&device_code)
            {
                c.approved = true;
            }
        });
    }
    let page = format!("{}/device", shared.authority_url);
    Json(json!({
        "user_code": user_code,
        "device_code": device_code,
        "verification_uri": page,
        "expires_in": 900,
        "interval": 1,
        "message": format!("To sign in, use a web browser to open the page {page} and enter the code {user_code} to authenticate.")
    }))
    .into_response()
}

#[derive(Debug, Deserialize)]
struct TokenForm {
    grant_type: String,
    #[serde(default)]
    device_code: Option<String>,
    #[serde(default)]
    code: Option<String>,
    #[serde(default)]
    refresh_token: Option<String>,
    #[serde(default)]
    scope: Option<String>,
    #[serde(default)]
    client_id: Option<String>,
}

async fn token(State(shared): State<Shared>, Path(_tenant): Path<String>, Form(form): Form<TokenForm>) -> Response {
    let client_id = form.client_id.clone().unwrap_or_else(|| "04b07795-8ddb-461a-bbee-02f9e1bf7b46".into());
    let scope = match form.grant_type.as_str() {
        "urn:ietf:params:oauth:grant-type:device_code" => {
            let code = form.device_code.or(form.code).unwrap_or_default();
            let entry = shared.device_codes.lock().ok().and_then(|c| c.get(&code).cloned());
            match entry {
                None => {
                    return entra_error(
                        StatusCode::BAD_REQUEST,
                        "expired_token",
                        "AADSTS70020: The provided value for the input parameter 'device_code' is not valid. This device code has expired.",
                    );
                }
                Some(DeviceCode { refused_with: Some(code), .. }) => {
                    let (_, error, description) = REFUSALS.iter().find(|(c, _, _)| *c == code).copied().unwrap_or(REFUSALS[0]);
                    return entra_error(StatusCode::BAD_REQUEST, error, description);
                }
                Some(c) if !c.approved => {
                    return entra_error(
                        StatusCode::BAD_REQUEST,
                        "authorization_pending",
                        "AADSTS70016: OAuth 2.0 device flow error. Authorization is pending. Continue polling.",
                    );
                }
                Some(c) => {
                    if let Ok(mut codes) = shared.device_codes.lock() {
                        codes.remove(&code);
                    }
                    c.scope
                }
            }
        }
        "refresh_token" => {
            let rt = form.refresh_token.unwrap_or_default();
            let known = shared.refresh_tokens.lock().map(|r| r.contains(&rt)).unwrap_or(false);
            if shared.faults.contains(&Fault::AuthExpired) || !known {
                return entra_error(
                    StatusCode::BAD_REQUEST,
                    "invalid_grant",
                    "AADSTS700082: The refresh token has expired due to inactivity. The token was issued on 2026-08-01T00:00:00.0000000Z and was inactive for 90.00:00:00.",
                );
            }
            form.scope.unwrap_or_default().split_whitespace().filter(|s| !["offline_access", "openid", "profile"].contains(s)).collect::<Vec<_>>().join(" ")
        }
        other => {
            return entra_error(
                StatusCode::BAD_REQUEST,
                "unsupported_grant_type",
                &format!("AADSTS70003: The app requested an unsupported grant type '{other}'."),
            );
        }
    };
    let resource = scope.split_whitespace().next().unwrap_or("").trim_end_matches(".default").trim_end_matches('/').to_string();
    let exp = now() + 3599;
    let access_token = jwt(
        json!({"aud": resource, "iss": format!("{}/{TENANT}/", shared.authority_url), "tid": TENANT, "oid": OBJECT_ID, "upn": USER, "exp": exp, "iat": now(), "jti": super::random_hex(8)}),
    );
    let refresh_token = format!("sbx-refresh-{}", super::random_hex(16));
    if let Ok(mut t) = shared.tokens.lock() {
        t.insert(access_token.clone());
    }
    if let Ok(mut r) = shared.refresh_tokens.lock() {
        r.insert(refresh_token.clone());
    }
    let id_token = jwt(
        json!({"aud": client_id, "iss": format!("{}/{TENANT}/v2.0", shared.authority_url), "tid": TENANT, "oid": OBJECT_ID, "sub": OBJECT_ID, "preferred_username": USER, "name": "Sandbox Developer", "exp": exp, "iat": now()}),
    );
    let client_info = base64::engine::general_purpose::URL_SAFE_NO_PAD.encode(json!({"uid": OBJECT_ID, "utid": TENANT}).to_string());
    Json(json!({
        "token_type": "Bearer",
        "scope": scope,
        "expires_in": 3599,
        "ext_expires_in": 3599,
        "access_token": access_token,
        "refresh_token": refresh_token,
        "id_token": id_token,
        "client_info": client_info
    }))
    .into_response()
}

const PAGE_STYLE: &str = "body{font-family:system-ui,sans-serif;max-width:32rem;margin:3rem auto;padding:0 1rem}input,button{font-size:1.2rem;padding:.4rem .6rem}button{margin-left:.5rem}";

async fn device_page() -> Html<String> {
    let options: String = REFUSALS
        .iter()
        .map(|(code, _, d)| format!("<option value=\"{code}\">Refuse: {}</option>", d.split(':').nth(1).unwrap_or("").split('.').next().unwrap_or("").trim()))
        .collect();
    Html(format!(
        "<!doctype html><html lang=\"en\"><head><meta charset=\"utf-8\"><title>Sandbox sign-in</title><style>{PAGE_STYLE}</style></head><body>\
         <h1>Sandbox sign-in</h1><p>This page stands in for Microsoft's device login. Enter the code the app shows, then approve.</p>\
         <form method=\"post\" action=\"/device\"><p><label>Code <input name=\"code\" autofocus autocomplete=\"off\" data-testid=\"device-code-input\"></label></p>\
         <p><label>Answer <select name=\"outcome\" data-testid=\"device-outcome\"><option value=\"approve\">Approve</option>{options}</select></label>\
         <button type=\"submit\" data-testid=\"device-approve\">Send</button></p></form>\
         <p>The other answers play Entra's refusals (for help-desk training).</p></body></html>"
    ))
}

#[derive(Debug, Deserialize)]
struct ApproveForm {
    code: String,
    #[serde(default)]
    outcome: Option<String>,
}

async fn device_approve(State(shared): State<Shared>, Form(form): Form<ApproveForm>) -> Response {
    let wanted = form.code.trim().to_ascii_uppercase();
    let mut approved = false;
    if let Ok(mut codes) = shared.device_codes.lock() {
        let refusal = form.outcome.filter(|o| REFUSALS.iter().any(|(c, _, _)| c == o));
        for c in codes.values_mut().filter(|c| c.user_code == wanted) {
            match &refusal {
                Some(code) => c.refused_with = Some(code.clone()),
                None => c.approved = true,
            }
            approved = true;
        }
    }
    let (status, text) = if approved {
        (StatusCode::OK, format!("Signed in as {USER}. You can close this page and return to the app."))
    } else {
        (StatusCode::NOT_FOUND, "That code is not known or has expired. Check it and try again.".to_string())
    };
    (status, Html(format!("<!doctype html><html lang=\"en\"><head><meta charset=\"utf-8\"><title>Sandbox sign-in</title><style>{PAGE_STYLE}</style></head><body><p data-testid=\"device-result\">{text}</p></body></html>"))).into_response()
}
