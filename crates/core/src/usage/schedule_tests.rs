//! The schedule's instants computed from a given "now" and jitter (no wall clock), and the
//! in-flight registry's order of events (no sleeps).

use super::*;
use crate::usage::LitellmError;
use chrono::TimeZone;

fn now() -> DateTime<Utc> {
    Utc.with_ymd_and_hms(2026, 11, 24, 9, 0, 0).unwrap()
}

#[test]
fn a_good_refresh_waits_refresh_minutes_give_or_take_a_fifth() {
    let mut s = Schedule::new(5);
    assert_eq!(s.next_with(now(), Outcome::Refreshed, 0.0), now() + Duration::minutes(5));
    assert_eq!(s.next_with(now(), Outcome::Refreshed, 1.0), now() + Duration::minutes(6));
    assert_eq!(s.next_with(now(), Outcome::Refreshed, -1.0), now() + Duration::minutes(4));
    assert_eq!(s.next_with(now(), Outcome::Refreshed, 7.0), now() + Duration::minutes(6), "jitter is clamped");
    for _ in 0..200 {
        let at = s.next(now(), Outcome::Refreshed);
        assert!(at >= now() + Duration::minutes(4) && at <= now() + Duration::minutes(6), "{at}");
    }
    assert_eq!(Schedule::new(0).next_with(now(), Outcome::Refreshed, 0.0), now() + Duration::minutes(1), "0 minutes does not spin");
}

#[test]
fn failures_back_off_exponentially_up_to_the_cap_and_a_good_refresh_resets() {
    let mut s = Schedule::new(5);
    let failed = Outcome::Failed { retry_after: None };
    let waits: Vec<i64> = (0..9).map(|_| (s.next_with(now(), failed, 0.0) - now()).num_seconds()).collect();
    assert_eq!(waits, vec![30, 60, 120, 240, 480, 960, 1800, 1800, 1800]);
    assert_eq!(s.failures(), 9);
    assert_eq!(s.next_with(now(), failed, -1.0), now() + Duration::minutes(24), "the cap is jittered too");
    assert_eq!(s.next_with(now(), Outcome::Refreshed, 0.0), now() + Duration::minutes(5));
    assert_eq!((s.failures(), s.next_with(now(), failed, 0.0)), (0, now() + Duration::seconds(30)), "backoff starts over");
}

#[test]
fn retry_after_is_honoured_only_lengthened_and_capped() {
    let mut s = Schedule::new(5);
    let asked = |secs| Outcome::Failed { retry_after: Some(Duration::seconds(secs)) };
    assert_eq!(s.next_with(now(), asked(600), 0.0), now() + Duration::seconds(600));
    assert_eq!(s.next_with(now(), asked(600), -1.0), now() + Duration::seconds(720), "jitter never shortens it");
    assert_eq!(s.next_with(now(), asked(86_400), 0.0), now() + Duration::hours(1), "an hour at most");
    let mut s = Schedule::new(5);
    for _ in 0..6 {
        s.next_with(now(), Outcome::Failed { retry_after: None }, 0.0);
    }
    assert_eq!(s.next_with(now(), asked(5), 0.0), now() + Duration::minutes(30), "a short Retry-After does not cut the backoff");
}

#[test]
fn the_outcome_of_a_report_carries_the_sources_retry_after() {
    let limited: Result<crate::usage::UsageReport, UsageError> =
        Err(LitellmError::RateLimited { url: "http://127.0.0.1:9/key/info".into(), retry_after_s: Some(120) }.into());
    assert_eq!(Outcome::of(&limited), Outcome::Failed { retry_after: Some(Duration::seconds(120)) });
}

#[tokio::test]
async fn one_request_in_flight_per_endpoint_and_a_waiting_caller_joins_the_first() {
    let flight = InFlight::default();
    let log = Mutex::new(Vec::<String>::new());
    let say = |s: String| log.lock().unwrap().push(s);
    let (done, wait) = tokio::sync::oneshot::channel::<()>();
    let first = flight.run("litellm https://gw 30", |joined| async move {
        say(format!("first asks (joined: {joined})"));
        let _ = wait.await;
        say("first answered".into());
        1
    });
    let second = flight.run("litellm https://gw 30", |joined| async move {
        say(format!("second asks (joined: {joined})"));
        2
    });
    let elsewhere = async {
        flight.run("local 30", |joined| async move { say(format!("another endpoint asks (joined: {joined})")) }).await;
        let _ = done.send(());
    };
    let (a, b, ()) = tokio::join!(first, second, elsewhere);
    assert_eq!((a, b), (1, 2));
    assert_eq!(
        log.into_inner().unwrap(),
        vec!["first asks (joined: false)", "another endpoint asks (joined: false)", "first answered", "second asks (joined: true)"],
        "the second waited for the first and knows it finished; another endpoint did not wait"
    );
}

#[test]
fn the_wait_from_now_is_the_interval_give_or_take_a_fifth_and_never_zero() {
    let mut s = Schedule::new(5);
    for _ in 0..50 {
        let w = s.wait_after(Outcome::Refreshed).as_secs_f64();
        assert!((239.0..=361.0).contains(&w), "{w}");
    }
    assert!(s.wait_after(Outcome::Failed { retry_after: None }) >= std::time::Duration::from_secs(23), "a backoff after a failure");
}
