//! The `litellm` usage source: LiteLLM's key-holder endpoints (`/key/info`, `/user/info`,
//! `/team/info`, `/user/daily/activity`) over the core's network layer, independent calls at
//! once, every page of the daily activity (bounded), each failure named as itself.

use super::litellm_wire::{self as wire, Activity, ActivityPage, KeyInfoAnswer, TeamInfoAnswer, UserInfoAnswer};
use super::model::{Budget, BudgetScope, BudgetState, BudgetUnit, Completeness, Identity, Provenance, SourceKind, UsageSnapshot};
use super::{RefreshRequest, UsageError, UsageSource};
use crate::Secret;
use crate::error::{Diagnose, ErrorKind};
use crate::net::{NetError, Network};
use chrono::Duration;
use serde::de::DeserializeOwned;

/// The most pages of daily activity read in one refresh (at 1,000 rows a page: a year of 20
/// models on a few keys needs 8).
pub const MAX_PAGES: u32 = 50;
pub const PAGE_SIZE: u32 = 1000;
/// How many pages after the first are asked at once (the rest wait for a free slot).
pub const PAGES_AT_ONCE: usize = 4;

/// The daily activity gathered page by page, in page order.
struct Pages {
    activity: Activity,
    today: chrono::NaiveDate,
    url: String,
}

impl Pages {
    /// Adds page `n`; whether more pages follow. A page that is not the one asked for, or says
    /// there is more while empty or the last, is a loop.
    fn take(&mut self, n: u32, got: ActivityPage) -> Result<bool, LitellmError> {
        if got.metadata.page.is_some_and(|p| p != n) {
            let detail = format!("asked for page {n}, it sent page {}", got.metadata.page.unwrap_or_default());
            return Err(LitellmError::PageLoop { url: self.url.clone(), detail });
        }
        self.activity.add_page(&got, self.today);
        if !got.metadata.has_more {
            return Ok(false);
        }
        if got.results.is_empty() || got.metadata.total_pages.is_some_and(|t| n >= t) {
            let detail = format!("page {n} says there is more, but it is empty or the last of {} pages", got.metadata.total_pages.unwrap_or(n));
            return Err(LitellmError::PageLoop { url: self.url.clone(), detail });
        }
        Ok(true)
    }
}

/// Which credential the gateway was given, so a 401 can say which one it refused.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum GatewayCredential {
    /// The user's virtual key, from the keyring secret `gateway-key`.
    Key,
    /// An Entra token for `gateway.scope`.
    EntraToken,
}

impl std::fmt::Display for GatewayCredential {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(match self {
            GatewayCredential::Key => "your gateway key (the keyring secret gateway-key)",
            GatewayCredential::EntraToken => "your Entra token for gateway.scope",
        })
    }
}

#[derive(Debug, thiserror::Error)]
pub enum LitellmError {
    #[error(transparent)]
    Net(#[from] NetError),
    #[error("{url} answered with an HTML page (HTTP {status}), not the gateway's JSON")]
    Html { url: String, status: u16 },
    #[error("{url} sent JSON that stops early: {detail}")]
    Truncated { url: String, detail: String },
    #[error("{url} answered without the field `{field}`")]
    MissingField { url: String, field: String },
    #[error("{url} answered with JSON this app cannot read: {detail}")]
    Malformed { url: String, detail: String },
    #[error("the gateway refused {credential} (HTTP 401 at {url}): {message}")]
    Unauthorized { url: String, credential: GatewayCredential, message: String },
    #[error("the gateway does not let this credential read {url} (HTTP 403): {message}")]
    Forbidden { url: String, message: String },
    #[error("{url} was not found (HTTP 404): {message}")]
    NotFound { url: String, message: String },
    #[error("the gateway is limiting requests (HTTP 429 at {url}){}", retry_after_s.map(|s| format!("; it asks to wait {s} s")).unwrap_or_default())]
    RateLimited { url: String, retry_after_s: Option<u64> },
    #[error("the gateway failed (HTTP {status} at {url}): {message}")]
    Server { url: String, status: u16, message: String },
    #[error("{url} answered HTTP {status}: {message}")]
    Status { url: String, status: u16, message: String },
    #[error("the daily activity's pages do not end ({url}): {detail}")]
    PageLoop { url: String, detail: String },
}

impl Diagnose for LitellmError {
    fn kind(&self) -> ErrorKind {
        match self {
            LitellmError::Net(e) => e.kind(),
            _ => ErrorKind::Network,
        }
    }

    fn hint(&self) -> String {
        match self {
            LitellmError::Net(e) => e.hint(),
            LitellmError::Html { .. } => "Something between you and the gateway answered in its place (a proxy's sign-in page or a portal): sign in to the proxy in a browser, or add the gateway's host to NO_PROXY.".into(),
            LitellmError::Truncated { .. } => "The answer was cut off: the gateway or a proxy closed the connection early. Try again; if it keeps happening, tell the gateway team.".into(),
            LitellmError::MissingField { field, .. } => format!("The gateway's LiteLLM answers in a shape this app does not know (no `{field}`): tell the gateway team its LiteLLM version."),
            LitellmError::Malformed { .. } => "The gateway's answer is not LiteLLM's usage JSON: check gateway.url points at the LiteLLM proxy itself.".into(),
            LitellmError::Unauthorized { credential: GatewayCredential::Key, .. } => {
                "Your gateway key may be expired or revoked: get a new one from the gateway team and store it again as the keyring secret gateway-key.".into()
            }
            LitellmError::Unauthorized { credential: GatewayCredential::EntraToken, .. } => {
                "Sign in again (az login); if it keeps failing, the gateway may not take tokens for gateway.scope: ask the gateway team.".into()
            }
            LitellmError::Forbidden { .. } => "Ask the gateway team for a key of your own (an internal_user key) that may read its spend.".into(),
            LitellmError::NotFound { .. } => "This gateway has no such endpoint: check that gateway.url is a LiteLLM proxy and gateway.kind is litellm.".into(),
            LitellmError::RateLimited { retry_after_s: Some(s), .. } => format!("Wait {s} s before the next refresh."),
            LitellmError::RateLimited { .. } => "Wait a minute before the next refresh.".into(),
            LitellmError::Server { .. } | LitellmError::Status { .. } => "The gateway team runs the LLM gateway: tell them, with the time of this error.".into(),
            LitellmError::PageLoop { .. } => "The gateway's paging never ends: tell the gateway team, with its LiteLLM version.".into(),
        }
    }
}

/// A usable answer, or LiteLLM's `budget_exceeded` — a state, not a failure.
enum Reply<T> {
    Json(T),
    BudgetExceeded(String),
}

/// The `litellm` source for one gateway and one credential.
pub struct LitellmSource {
    net: Network,
    base_url: String,
    credential: Secret,
    kind: GatewayCredential,
}

impl LitellmSource {
    pub fn new(net: Network, gateway_url: &str, credential: Secret, kind: GatewayCredential) -> Self {
        Self { net, base_url: gateway_url.trim_end_matches('/').to_string(), credential, kind }
    }

    async fn get<T: DeserializeOwned>(&self, path_and_query: &str) -> Result<Reply<T>, LitellmError> {
        let url = format!("{}{path_and_query}", self.base_url);
        let mut rb = self.net.http.request(reqwest::Method::GET, &url)?.bearer_auth(self.credential.expose()).header("accept", "application/json");
        let known = super::litellm_etag::Validators::shared().get(&url, &self.credential);
        if let Some((etag, _)) = &known {
            rb = rb.header("if-none-match", etag.as_str());
        }
        let resp = self.net.http.send(rb).await?;
        let status = resp.status().as_u16();
        let header = |name: &str| resp.headers().get(name).and_then(|v| v.to_str().ok()).map(str::to_string);
        let (content_type, retry_after, etag) = (header("content-type"), header("retry-after"), header("etag"));
        let body = crate::net::body_text(resp).await;
        // 304 Not Modified: the answer kept from last time, unchanged.
        if let (304, Some((_, kept))) = (status, known) {
            return classify(url, 200, Some("application/json"), None, &kept, self.kind);
        }
        if let (200, Some(etag)) = (status, etag) {
            super::litellm_etag::Validators::shared().keep(&url, &self.credential, etag, &body);
        }
        classify(url, status, content_type.as_deref(), retry_after.as_deref(), &body, self.kind)
    }

    /// One page of daily activity.
    async fn page(&self, start: chrono::NaiveDate, today: chrono::NaiveDate, page: u32) -> Result<Reply<ActivityPage>, LitellmError> {
        self.get(&format!("/user/daily/activity?start_date={start}&end_date={today}&page={page}&page_size={PAGE_SIZE}&include_current_utc_day=true")).await
    }

    /// Every page of daily activity from `start` to `end`, following `has_more` up to [`MAX_PAGES`]:
    /// once page 1 names `total_pages`, the others are asked at once ([`PAGES_AT_ONCE`] at a
    /// time, taken in order); without it, one after another.
    async fn activity(&self, request: &RefreshRequest) -> Result<Reply<Activity>, LitellmError> {
        use futures::StreamExt;
        let today = request.as_of.date_naive();
        let start = today - Duration::days(i64::from(request.days.max(1)) - 1);
        let mut pages = Pages { activity: Activity::default(), today, url: format!("{}/user/daily/activity", self.base_url) };
        let first = match self.page(start, today, 1).await? {
            Reply::Json(p) => p,
            Reply::BudgetExceeded(m) => return Ok(Reply::BudgetExceeded(m)),
        };
        let total = first.metadata.total_pages;
        if !pages.take(1, first)? {
            return Ok(Reply::Json(pages.activity));
        }
        match total {
            Some(total) => {
                let last = total.min(MAX_PAGES);
                let mut rest = futures::stream::iter(2..=last).map(|n| async move { (n, self.page(start, today, n).await) }).buffered(PAGES_AT_ONCE);
                while let Some((n, got)) = rest.next().await {
                    let got = match got? {
                        Reply::Json(p) => p,
                        Reply::BudgetExceeded(m) => return Ok(Reply::BudgetExceeded(m)),
                    };
                    if !pages.take(n, got)? {
                        return Ok(Reply::Json(pages.activity));
                    }
                }
            }
            None => {
                for n in 2..=MAX_PAGES {
                    let got = match self.page(start, today, n).await? {
                        Reply::Json(p) => p,
                        Reply::BudgetExceeded(m) => return Ok(Reply::BudgetExceeded(m)),
                    };
                    if !pages.take(n, got)? {
                        return Ok(Reply::Json(pages.activity));
                    }
                }
            }
        }
        Err(LitellmError::PageLoop { url: pages.url, detail: format!("still more after {MAX_PAGES} pages of {PAGE_SIZE} rows") })
    }

    /// The refresh, with LiteLLM's own error.
    pub async fn fetch(&self, request: &RefreshRequest) -> Result<UsageSnapshot, LitellmError> {
        // /key/info → /team/info is the one dependent chain; /user/info and the pages run beside it.
        let key_then_team = async {
            let key = self.get::<KeyInfoAnswer>("/key/info").await?;
            let team_id = match &key {
                Reply::Json(k) => k.info.team_id.clone(),
                Reply::BudgetExceeded(_) => None,
            };
            let team = match team_id {
                Some(id) => optional(self.get::<TeamInfoAnswer>(&format!("/team/info?team_id={}", encode(&id))).await)?,
                None => None,
            };
            Ok::<_, LitellmError>((key, team))
        };
        let (key_team, user, activity) = futures::join!(key_then_team, self.get::<UserInfoAnswer>("/user/info"), self.activity(request));
        let (key, team) = key_team?;
        let user = optional(user)?;
        let mut exceeded = None;
        let key = match key {
            Reply::Json(k) => Some(k.info),
            Reply::BudgetExceeded(m) => {
                exceeded = Some(m);
                None
            }
        };
        let mut completeness = Completeness::Complete;
        let activity = match activity {
            Ok(Reply::Json(a)) => Some(a),
            Ok(Reply::BudgetExceeded(m)) => {
                exceeded.get_or_insert(m);
                None
            }
            Err(LitellmError::Forbidden { message, .. }) => {
                completeness = Completeness::Partial {
                    reason: format!(
                        "the gateway gives this key no per-day breakdown (HTTP 403: {message}); a service-account key sees its spend and budget only"
                    ),
                };
                None
            }
            Err(e) => return Err(e),
        };
        let user = user.and_then(|u| match u {
            Reply::Json(u) => Some(u.user_info),
            Reply::BudgetExceeded(_) => None,
        });
        let team = team.and_then(|t| match t {
            Reply::Json(t) => Some(t.team_info),
            Reply::BudgetExceeded(_) => None,
        });
        let identity = Identity {
            user_id: key.as_ref().and_then(|k| k.user_id.clone()).or_else(|| user.as_ref().and_then(|u| u.user_id.clone())),
            email: user.as_ref().and_then(|u| u.user_email.clone()),
            key_alias: key.as_ref().and_then(|k| k.key_alias.clone()),
            team_id: key.as_ref().and_then(|k| k.team_id.clone()),
        };
        let key_budget = match (&key, &exceeded) {
            (Some(k), _) => {
                let soft = k.litellm_budget_table.as_ref().and_then(|t| t.soft_budget);
                Some(new_budget(BudgetScope::Key, k.spend, k.max_budget, soft, k.budget_reset_at, k.budget_duration.as_deref()))
            }
            // /key/info itself refused with budget_exceeded: the numbers its message names.
            (None, Some(message)) => {
                let (spent, limit) = wire::exceeded_numbers(message).map_or((0.0, None), |(s, l)| (s, Some(l)));
                Some(new_budget(BudgetScope::Key, spent, limit, None, None, None))
            }
            (None, None) => None,
        };
        let mut budget = key_or_user_budget(key_budget, user.as_ref());
        if let (Some(b), Some(message)) = (budget.as_mut(), exceeded) {
            b.state = BudgetState::Exceeded { message };
        }
        let team_budget =
            team.map(|t| new_budget(BudgetScope::Team, t.spend.unwrap_or(0.0), t.max_budget, t.soft_budget, t.budget_reset_at, t.budget_duration.as_deref()));
        let (rows, dropped) = activity.map(|a| (a.rows(), a.dropped)).unwrap_or_default();
        if rows.is_empty() && dropped.is_empty() && completeness == Completeness::Complete {
            completeness = Completeness::Empty;
        }
        let mut snapshot = UsageSnapshot {
            identity,
            as_of: request.as_of,
            source: SourceKind::Litellm,
            provenance: Provenance::Gateway,
            completeness,
            budget,
            team_budget,
            rows,
            dropped,
        };
        snapshot.note_dropped();
        Ok(snapshot)
    }
}

#[async_trait::async_trait]
impl UsageSource for LitellmSource {
    fn kind(&self) -> SourceKind {
        SourceKind::Litellm
    }

    async fn refresh(&self, request: &RefreshRequest) -> Result<UsageSnapshot, UsageError> {
        Ok(self.fetch(request).await?)
    }
}

/// The rows in bodies of `/user/daily/activity` pages already received, in page order: what a
/// refresh does with them once they arrived (the chart bench times it on a year of answers).
pub fn activity_rows(pages: &[&str], today: chrono::NaiveDate) -> Result<(Vec<super::UsageRow>, Vec<super::DroppedRecord>), LitellmError> {
    let mut activity = Activity::default();
    for body in pages {
        match classify::<ActivityPage>("/user/daily/activity".into(), 200, None, None, body, GatewayCredential::Key)? {
            Reply::Json(page) => activity.add_page(&page, today),
            Reply::BudgetExceeded(_) => {}
        }
    }
    Ok((activity.rows(), activity.dropped))
}

/// A 403 or 404 on an endpoint the snapshot can do without (`/user/info` for a service account,
/// `/team/info` for a non-member) is an absence, not a failure.
fn optional<T>(r: Result<Reply<T>, LitellmError>) -> Result<Option<Reply<T>>, LitellmError> {
    match r {
        Ok(v) => Ok(Some(v)),
        Err(LitellmError::Forbidden { .. } | LitellmError::NotFound { .. }) => Ok(None),
        Err(e) => Err(e),
    }
}

fn new_budget(
    scope: BudgetScope,
    spent: f64,
    limit: Option<f64>,
    soft_limit: Option<f64>,
    resets_at: Option<chrono::DateTime<chrono::Utc>>,
    duration: Option<&str>,
) -> Budget {
    let period_start = resets_at.zip(duration).and_then(|(r, d)| wire::period_start(r, d));
    let mut b = Budget { scope, unit: BudgetUnit::Usd, limit, soft_limit, spent, period_start, resets_at, state: BudgetState::Within };
    b.state = b.implied_state();
    b
}

/// The key's budget when it has a limit, else the user's when that has one, else the key's spend
/// with no limit.
fn key_or_user_budget(key: Option<Budget>, user: Option<&wire::UserInfo>) -> Option<Budget> {
    let user_budget = user
        .filter(|u| u.max_budget.is_some())
        .map(|u| new_budget(BudgetScope::User, u.spend.unwrap_or(0.0), u.max_budget, None, u.budget_reset_at, u.budget_duration.as_deref()));
    match key {
        Some(k) if k.limit.is_some() => Some(k),
        k => user_budget.or(k),
    }
}

/// A query value: LiteLLM ids are plain, but a team id is the server's text.
fn encode(value: &str) -> String {
    url::form_urlencoded::byte_serialize(value.as_bytes()).collect()
}

/// One answer judged: HTML, LiteLLM's error bodies by status, or the JSON as `T` (the missing
/// field named, a cut-off body told from a malformed one).
fn classify<T: DeserializeOwned>(
    url: String,
    status: u16,
    content_type: Option<&str>,
    retry_after: Option<&str>,
    body: &str,
    credential: GatewayCredential,
) -> Result<Reply<T>, LitellmError> {
    if crate::net::looks_like_html(content_type, body) {
        return Err(LitellmError::Html { url, status });
    }
    let message = || wire::error_message(body);
    match status {
        200..=299 => match serde_json::from_str::<T>(body) {
            Ok(v) => Ok(Reply::Json(v)),
            Err(e) if e.is_eof() => Err(LitellmError::Truncated { url, detail: e.to_string() }),
            Err(e) => {
                let text = e.to_string();
                match text.strip_prefix("missing field `").and_then(|r| r.split('`').next()) {
                    Some(field) => Err(LitellmError::MissingField { url, field: field.to_string() }),
                    None => Err(LitellmError::Malformed { url, detail: text }),
                }
            }
        },
        401 => Err(LitellmError::Unauthorized { url, credential, message: message() }),
        403 => Err(LitellmError::Forbidden { url, message: message() }),
        404 => Err(LitellmError::NotFound { url, message: message() }),
        422 if wire::error_type(body).as_deref() == Some("budget_exceeded") => Ok(Reply::BudgetExceeded(message())),
        429 => Err(LitellmError::RateLimited { url, retry_after_s: retry_after.and_then(|v| v.trim().parse().ok()) }),
        500..=599 => Err(LitellmError::Server { url, status, message: message() }),
        _ => Err(LitellmError::Status { url, status, message: message() }),
    }
}

#[cfg(test)]
#[path = "litellm_tests.rs"]
mod tests;
