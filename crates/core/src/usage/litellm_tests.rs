//! The LiteLLM source against LiteLLM's own samples (`tests/fixtures/litellm/`, copied unchanged
//! from facts/litellm/) and a real loopback HTTP/1.1 server: paging, 403, 422, 429, HTML, bad input.

use super::*;
use crate::usage::RefreshRequest;
use crate::usage::loopback_http::{Canned, Server, serve};
use chrono::{NaiveDate, TimeZone, Utc};
use serde_json::{Value, json};

const KEY: &str = "sk-test-0123456789-usage";

fn fixture(name: &str) -> String {
    let path = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/fixtures/litellm").join(name);
    std::fs::read_to_string(&path).unwrap_or_else(|e| panic!("{}: {e}", path.display()))
}

fn fixture_json(name: &str) -> Value {
    serde_json::from_str(&fixture(name)).unwrap()
}

fn judge<T: DeserializeOwned>(status: u16, body: &str) -> Result<Reply<T>, LitellmError> {
    classify("http://127.0.0.1:1/x".into(), status, Some("application/json"), None, body, GatewayCredential::Key)
}

fn today() -> NaiveDate {
    NaiveDate::from_ymd_opt(2026, 11, 24).unwrap()
}

#[test]
fn every_sample_parses_unchanged() {
    for name in ["key-info.json", "key-info.by-hash.json"] {
        let Ok(Reply::Json(k)) = judge::<KeyInfoAnswer>(200, &fixture(name)) else { panic!("{name}") };
        assert_eq!((k.info.spend, k.info.max_budget, k.info.litellm_budget_table.and_then(|t| t.soft_budget)), (37.512345, Some(50.0), Some(40.0)));
        assert_eq!(k.info.budget_reset_at.map(|r| r.to_rfc3339()), Some("2026-12-01T00:00:00+00:00".into()));
    }
    let Ok(Reply::Json(u)) = judge::<UserInfoAnswer>(200, &fixture("user-info.json")) else { panic!("user-info") };
    assert_eq!((u.user_info.max_budget, u.user_info.user_email.as_deref()), (Some(100.0), Some("dev@example.com")));
    let Ok(Reply::Json(t)) = judge::<TeamInfoAnswer>(200, &fixture("team-info.json")) else { panic!("team-info") };
    assert_eq!((t.team_info.max_budget, t.team_info.spend), (Some(500.0), Some(212.4471)));

    // The two pages share 8 Nov; merged, they are 30 days × 3 models whose sums match the
    // per-page metadata totals.
    let mut activity = Activity::default();
    let (mut spend, mut output) = (0.0, 0u64);
    for name in ["user-daily-activity.page1.json", "user-daily-activity.page2.json"] {
        let Ok(Reply::Json(page)) = judge::<ActivityPage>(200, &fixture(name)) else { panic!("{name}") };
        spend += fixture_json(name)["metadata"]["total_spend"].as_f64().unwrap();
        output += fixture_json(name)["metadata"]["total_completion_tokens"].as_u64().unwrap();
        activity.add_page(&page, today());
    }
    let rows = activity.rows();
    assert_eq!(rows.len(), 90);
    assert!(activity.dropped.is_empty(), "{:?}", activity.dropped);
    assert!((rows.iter().map(|r| r.cost.unwrap().usd).sum::<f64>() - spend).abs() < 1e-6);
    assert_eq!(rows.iter().map(|r| r.output_tokens).sum::<u64>(), output);
    let first = &rows[0];
    assert_eq!((first.date, first.model.as_str()), (NaiveDate::from_ymd_opt(2026, 10, 26).unwrap(), "claude-haiku-4-5"));
    // prompt_tokens include the cache for Anthropic models: input is what is left.
    let s = rows.iter().find(|r| r.date == today() && r.model == "claude-sonnet-4-5").unwrap();
    assert_eq!((s.input_tokens, s.cache_read_tokens, s.cache_write_tokens), (471_639 - 411_884 - 18_870, 411_884, 18_870));
    assert!((s.latency.unwrap().mean_ms.unwrap() - 230_843.0 / 37.0).abs() < 1e-9);

    for (name, want) in [("error.auth-invalid-key.json", "Invalid API key"), ("error.auth-expired-key.json", "Expired Key")] {
        let f = fixture_json(name);
        match judge::<KeyInfoAnswer>(f["_http_status"].as_u64().unwrap() as u16, &f["body"].to_string()) {
            Err(e @ LitellmError::Unauthorized { .. }) => assert!(e.to_string().contains(want) && e.to_string().contains("gateway-key"), "{e}"),
            other => panic!("{name}: {:?}", other.err()),
        }
    }
    for (name, numbers) in [("error.budget-exceeded-key.json", (50.01234, 50.0)), ("error.budget-exceeded-user.json", (100.2, 100.0))] {
        let f = fixture_json(name);
        let Ok(Reply::BudgetExceeded(m)) = judge::<KeyInfoAnswer>(422, &f["body"].to_string()) else { panic!("{name}") };
        assert_eq!(wire::exceeded_numbers(&m), Some(numbers), "{m}");
    }
    // The proxy without a database: every capture of an endpoint this source calls (the others
    // are LLM and admin routes).
    let captures = fixture_json("proxy-nodb-captures.json");
    let ours = captures["captures"].as_array().unwrap().iter().filter(|c| {
        let r = c["request"].as_str().unwrap();
        ["GET /key/info", "GET /user/info", "GET /team/info", "GET /user/daily/activity"].iter().any(|e| r.starts_with(e))
    });
    assert_eq!(ours.clone().count(), 7);
    for c in ours {
        let status = c["status"].as_u64().unwrap() as u16;
        let err = judge::<KeyInfoAnswer>(status, &c["body"].to_string()).err().unwrap();
        let said = err.to_string();
        match status {
            401 => assert!(matches!(err, LitellmError::Unauthorized { .. }) && said.contains("No api key passed"), "{said}"),
            400 => assert!(matches!(err, LitellmError::Status { status: 400, .. }) && said.contains("No connected db"), "{said}"),
            500 => assert!(matches!(err, LitellmError::Server { .. }) && said.to_lowercase().contains("not connected"), "{said}"),
            other => panic!("a capture with status {other}: {said}"),
        }
    }
}

#[test]
fn truncated_json_and_a_missing_field_are_named() {
    let text = fixture("key-info.json");
    assert!(matches!(judge::<KeyInfoAnswer>(200, &text[..text.len() / 2]), Err(LitellmError::Truncated { .. })));
    let mut v = fixture_json("key-info.json");
    v["info"].as_object_mut().unwrap().remove("spend");
    match judge::<KeyInfoAnswer>(200, &v.to_string()) {
        Err(e @ LitellmError::MissingField { .. }) => assert!(e.to_string().contains("`spend`") && e.hint().contains("`spend`"), "{e}"),
        other => panic!("{:?}", other.err()),
    }
    let Ok(Reply::Json(_)) = judge::<KeyInfoAnswer>(200, &json!({"info": {"spend": 1.0, "a_field_from_2027": [1]}}).to_string()) else {
        panic!("unknown fields are ignored")
    };
}

type Answer = Canned;

/// A scripted LiteLLM on 127.0.0.1, answering by path.
async fn gateway(answer: impl Fn(&str) -> Canned + Send + Sync + 'static) -> Server {
    serve(move |seen| answer(&seen.path)).await
}

fn ok(body: String) -> Answer {
    Canned::new(200, body)
}

/// The healthy gateway of the samples; `daily` answers the activity endpoint by page.
fn samples(path: &str, daily: &(dyn Fn(u32) -> Answer + Send + Sync)) -> Answer {
    if path.starts_with("/key/info") {
        // Slow enough to show what is asked while it is being answered.
        ok(fixture("key-info.json")).after(std::time::Duration::from_millis(300))
    } else if path.starts_with("/user/info") {
        ok(fixture("user-info.json"))
    } else if path == "/team/info?team_id=team-platform-01" {
        ok(fixture("team-info.json"))
    } else if path.starts_with("/user/daily/activity?start_date=2026-10-26&end_date=2026-11-24&") {
        let page = path.split("page=").nth(1).and_then(|p| p.split('&').next()).and_then(|p| p.parse().ok()).unwrap_or(0);
        daily(page)
    } else {
        Canned::new(404, json!({"detail": "Not Found"}).to_string())
    }
}

fn two_pages(page: u32) -> Answer {
    ok(fixture(&format!("user-daily-activity.page{page}.json")))
}

fn request() -> RefreshRequest {
    RefreshRequest { as_of: Utc.with_ymd_and_hms(2026, 11, 24, 18, 0, 0).unwrap(), days: 30 }
}

async fn refresh(g: &Server) -> Result<UsageSnapshot, LitellmError> {
    let net = crate::fuzz::loopback_network(&crate::config::Config::default());
    LitellmSource::new(net, &g.url, Secret::new(KEY), GatewayCredential::Key).fetch(&request()).await
}

#[tokio::test]
async fn a_full_refresh_reads_every_endpoint_and_every_page_with_independent_calls_at_once() {
    let g = gateway(|p| samples(p, &two_pages)).await;
    let s = refresh(&g).await.unwrap();
    let b = s.budget.as_ref().unwrap();
    assert_eq!((b.scope, b.limit, b.soft_limit, b.spent, b.state.clone()), (BudgetScope::Key, Some(50.0), Some(40.0), 37.512345, BudgetState::Within));
    assert_eq!(b.period_start.map(|d| d.to_rfc3339()), Some("2026-11-01T00:00:00+00:00".into()), "1mo before the reset");
    let t = s.team_budget.as_ref().unwrap();
    assert_eq!((t.scope, t.limit, t.spent), (BudgetScope::Team, Some(500.0), 212.4471));
    assert_eq!(s.identity.email.as_deref(), Some("dev@example.com"));
    assert_eq!((s.identity.key_alias.as_deref(), s.identity.team_id.as_deref()), (Some("dev-laptop"), Some("team-platform-01")));
    assert_eq!((s.rows.len(), &s.completeness, &s.provenance), (90, &Completeness::Complete, &Provenance::Gateway));
    // The key went as a bearer header on every request, and nowhere into the snapshot.
    let seen = g.seen();
    assert!(seen.len() == 5 && seen.iter().all(|s| s.authorization == format!("Bearer {KEY}")), "{seen:?}");
    assert!(!serde_json::to_string(&s).unwrap().contains(KEY));
    // /user/info and the first page were asked while /key/info (300 ms) was still being answered.
    let log = g.events();
    let at = |what: &str| log.iter().position(|l| l.starts_with(what)).unwrap_or_else(|| panic!("{what}: {log:?}"));
    assert!(at("request /user/info") < at("reply /key/info") && at("request /user/daily/activity") < at("reply /key/info"), "{log:?}");
    assert!(at("reply /key/info") < at("request /team/info"), "team/info needs the key's team: {log:?}");
    let forecast = crate::usage::forecast::for_snapshot(&s).unwrap();
    assert!(forecast.sentence.contains("1 Dec") || forecast.sentence.contains("budget on"), "{}", forecast.sentence);
}

#[tokio::test]
async fn a_service_account_key_keeps_spend_and_budget_and_says_why_the_breakdown_is_missing() {
    let g = gateway(|p| {
        if p.starts_with("/user/info") {
            Canned::new(404, json!({"error": {"message": "User None not found", "type": "not_found", "param": null, "code": "404"}}).to_string())
        } else {
            samples(p, &|_| Canned::new(403, json!({"detail": {"error": "Service-account keys cannot query user analytics"}}).to_string()))
        }
    })
    .await;
    let s = refresh(&g).await.unwrap();
    assert!(
        matches!(&s.completeness, Completeness::Partial { reason } if reason.contains("service-account") && reason.contains("403")),
        "{:?}",
        s.completeness
    );
    assert_eq!(s.budget.as_ref().map(|b| (b.spent, b.limit)), Some((37.512345, Some(50.0))));
    assert!(s.rows.is_empty());
}

#[tokio::test]
async fn budget_exceeded_is_a_state_of_the_snapshot() {
    let exceeded = fixture_json("error.budget-exceeded-key.json")["body"].to_string();
    let body = exceeded.clone();
    let g = gateway(move |p| samples(p, &|_| Canned::new(422, body.clone()))).await;
    let s = refresh(&g).await.unwrap();
    assert!(matches!(&s.budget.as_ref().unwrap().state, BudgetState::Exceeded { message } if message.contains("Budget has been exceeded")));
    // Even /key/info refusing with 422 gives a snapshot, with the numbers the message names.
    let g = gateway(move |p| if p.starts_with("/key/info") { Canned::new(422, exceeded.clone()) } else { samples(p, &two_pages) }).await;
    let s = refresh(&g).await.unwrap();
    let b = s.budget.unwrap();
    assert_eq!((b.spent, b.limit), (50.01234, Some(50.0)));
    assert!(matches!(b.state, BudgetState::Exceeded { .. }));
    assert_eq!(s.rows.len(), 90);
}

#[tokio::test]
async fn rate_limiting_html_5xx_and_401_are_each_named() {
    let g = gateway(|_| Canned::new(429, json!({"error": {"message": "slow down"}}).to_string()).header("retry-after", "30")).await;
    let e = refresh(&g).await.unwrap_err();
    assert!(matches!(e, LitellmError::RateLimited { retry_after_s: Some(30), .. }) && e.hint().contains("30 s"), "{e}");
    let g = gateway(|_| Canned::new(200, "<html><body>Sign in to Contoso proxy</body></html>").header("content-type", "text/html")).await;
    assert!(matches!(refresh(&g).await.unwrap_err(), LitellmError::Html { status: 200, .. }));
    let g = gateway(|_| Canned::new(502, "{\"error\":{\"message\":\"upstream down\"}}")).await;
    assert!(matches!(refresh(&g).await.unwrap_err(), LitellmError::Server { status: 502, .. }));
    let g = gateway(|_| Canned::new(401, fixture_json("error.auth-expired-key.json")["body"].to_string())).await;
    let e = refresh(&g).await.unwrap_err();
    assert!(e.to_string().contains("your gateway key") && !e.to_string().contains(KEY) && e.hint().contains("gateway-key"), "{e}");
}

#[tokio::test]
async fn a_page_loop_and_an_endless_has_more_are_stopped() {
    // Asked for page 2, it sends page 1 again.
    let g = gateway(|p| samples(p, &|_| two_pages(1))).await;
    assert!(matches!(refresh(&g).await.unwrap_err(), LitellmError::PageLoop { detail, .. } if detail.contains("asked for page 2")));
    // Every page says there is more, numbers itself correctly, and never ends.
    let g = gateway(|p| {
        samples(p, &|page| {
            let mut v = fixture_json("user-daily-activity.page2.json");
            v["metadata"]["page"] = json!(page);
            v["metadata"]["has_more"] = json!(true);
            v["metadata"]["total_pages"] = Value::Null;
            ok(v.to_string())
        })
    })
    .await;
    let e = refresh(&g).await.unwrap_err();
    assert!(matches!(&e, LitellmError::PageLoop { detail, .. } if detail.contains("after 50 pages")), "{e}");
    let pages = g.events().iter().filter(|l| l.starts_with("request /user/daily")).count();
    assert_eq!(pages, MAX_PAGES as usize);
}

#[tokio::test]
async fn bad_records_are_dropped_one_by_one_and_the_snapshot_says_so() {
    let page = |_| {
        let m = |spend: f64, prompt: i64| json!({"metrics": {"spend": spend, "prompt_tokens": prompt, "completion_tokens": 10, "api_requests": 1}});
        ok(json!({
            "results": [
                {"date": "2026-11-20", "metrics": {}, "breakdown": {"models": {"good": m(1.0, 100), "negative": m(0.5, -40)}}},
                {"date": "2026-11-22", "metrics": {}, "breakdown": {"models": {"absurd": m(1e12, 100), "<script>alert(1)</script>": m(0.25, 50)}}},
                {"date": "2026-11-21", "metrics": {}, "breakdown": {"models": {"good": m(2.0, 200)}}},
                {"date": "2026-12-25", "metrics": {}, "breakdown": {"models": {"good": m(2.0, 200)}}},
                {"date": "yesterday", "metrics": {}, "breakdown": {"models": {"good": m(2.0, 200)}}},
            ],
            "metadata": {"page": 1, "total_pages": 1, "has_more": false}
        })
        .to_string())
    };
    let g = gateway(move |p| samples(p, &page)).await;
    let s = refresh(&g).await.unwrap();
    let kept: Vec<(String, &str)> = s.rows.iter().map(|r| (r.date.to_string(), r.model.as_str())).collect();
    assert_eq!(
        kept,
        vec![("2026-11-20".into(), "good"), ("2026-11-21".into(), "good"), ("2026-11-22".into(), "<script>alert(1)</script>")],
        "sorted, markup kept as text"
    );
    let reasons: Vec<&str> = s.dropped.iter().map(|d| d.reason.as_str()).collect();
    assert_eq!(s.dropped.len(), 4, "{reasons:?}");
    for want in ["negative", "absurd", "future", "YYYY-MM-DD"] {
        assert!(reasons.iter().any(|r| r.contains(want)), "{want}: {reasons:?}");
    }
    assert!(matches!(&s.completeness, Completeness::Partial { reason } if reason.contains("4 record(s)")), "{:?}", s.completeness);
}

#[tokio::test]
async fn an_empty_history_is_empty_not_complete() {
    let g = gateway(|p| samples(p, &|_| ok(json!({"results": [], "metadata": {"page": 1, "total_pages": 0, "has_more": false}}).to_string()))).await;
    let s = refresh(&g).await.unwrap();
    assert_eq!(s.completeness, Completeness::Empty);
    assert!(s.budget.is_some());
}

#[tokio::test]
async fn after_the_first_page_names_the_total_the_other_pages_are_asked_at_once_and_taken_in_order() {
    let g = gateway(|p| {
        samples(p, &|page| {
            let mut v = fixture_json("user-daily-activity.page2.json");
            v["metadata"]["page"] = json!(page);
            v["metadata"]["total_pages"] = json!(5);
            v["metadata"]["has_more"] = json!(page < 5);
            // Later pages answer slowly: whether they were asked together shows in the log.
            ok(v.to_string()).after(std::time::Duration::from_millis(if page == 1 { 0 } else { 200 }))
        })
    })
    .await;
    let s = refresh(&g).await.unwrap();
    assert_eq!(s.completeness, Completeness::Complete);
    let log = g.events();
    let at = |what: &str| log.iter().position(|l| l.starts_with("request /user/daily") && l.contains(what)).unwrap_or_else(|| panic!("{what}: {log:?}"));
    let first_reply = log.iter().position(|l| l.starts_with("reply /user/daily") && l.contains("&page=2&")).unwrap();
    let reply_1 = log.iter().position(|l| l.starts_with("reply /user/daily") && l.contains("&page=1&")).unwrap();
    assert!(reply_1 < at("&page=2&"), "page 2 waits for page 1's total: {log:?}");
    for page in 2..=5 {
        assert!(at(&format!("&page={page}&")) < first_reply, "page {page} was asked before page 2 came back: {log:?}");
    }
    assert_eq!(log.iter().filter(|l| l.starts_with("request /user/daily")).count(), 5, "each page once");
}

#[tokio::test]
async fn an_etag_is_sent_back_and_a_304_keeps_the_last_answer_for_that_key_only() {
    let g = serve(|seen| {
        if !seen.path.starts_with("/key/info") {
            return samples(&seen.path, &two_pages);
        }
        match seen.if_none_match.as_deref() {
            Some("\"key-v1\"") => Canned::new(304, ""),
            _ => ok(fixture("key-info.json")).header("etag", "\"key-v1\""),
        }
    })
    .await;
    let first = refresh(&g).await.unwrap();
    let again = refresh(&g).await.unwrap();
    assert_eq!(again.budget, first.budget, "the 304 kept the last answer");
    let key_info: Vec<Option<String>> = g.seen().iter().filter(|s| s.path.starts_with("/key/info")).map(|s| s.if_none_match.clone()).collect();
    assert_eq!(key_info, vec![None, Some("\"key-v1\"".into())]);
    // Another credential never gets this key's answer.
    let net = crate::fuzz::loopback_network(&crate::config::Config::default());
    LitellmSource::new(net, &g.url, Secret::new("sk-someone-else"), GatewayCredential::Key).fetch(&request()).await.unwrap();
    assert_eq!(g.seen().iter().rfind(|s| s.path.starts_with("/key/info")).map(|s| s.if_none_match.clone()), Some(None));
}
