//! The forecast's table of hand-computed cases (issue #20): flat, rising, weekend rhythm, one
//! spike, fewer than 3 days, already over budget, reset tomorrow.

use super::*;
use crate::usage::model::{BudgetScope, BudgetState, BudgetUnit};
use chrono::TimeZone;

fn d(m: u32, day: u32) -> NaiveDate {
    NaiveDate::from_ymd_opt(2026, m, day).unwrap()
}

fn at(m: u32, day: u32, h: u32) -> DateTime<Utc> {
    Utc.with_ymd_and_hms(2026, m, day, h, 0, 0).unwrap()
}

fn budget(spent: f64, limit: Option<f64>, resets_at: DateTime<Utc>) -> Budget {
    Budget {
        scope: BudgetScope::Key,
        unit: BudgetUnit::Usd,
        limit,
        soft_limit: None,
        spent,
        period_start: None,
        resets_at: Some(resets_at),
        state: BudgetState::Within,
    }
}

/// 14 complete days 10–23 Nov with the given values, oldest first.
fn fortnight(values: &[f64]) -> Vec<(NaiveDate, f64)> {
    values.iter().enumerate().map(|(i, v)| (d(11, 10) + Duration::days(i as i64), *v)).collect()
}

fn close(a: f64, b: f64) -> bool {
    (a - b).abs() < 1e-6
}

// Unless a case says otherwise: now is 24 Nov 12:00, the budget resets 1 Dec 00:00 (6.5 days
// left), limit $50, spent $30 ($20 left).

#[test]
fn flat_days_give_their_own_rate_and_todays_partial_day_is_left_out() {
    let mut daily = fortnight(&[2.0; 14]);
    daily.push((d(11, 24), 9.0)); // today, so far: not a rate
    let f = forecast(&daily, &budget(30.0, Some(50.0), at(12, 1, 0)), at(11, 24, 12)).unwrap();
    assert_eq!(f.window_days, 14);
    assert_eq!(f.daily_rate, Some(2.0));
    assert_eq!(f.rate_range, None, "no spread");
    // 30 + 2 × 6.5 = 43 of 50 = 86 %.
    assert!(matches!(f.outcome, ForecastOutcome::ShareAtReset { percent, low_percent: None, .. } if close(percent, 86.0)), "{f:?}");
    assert_eq!(f.sentence, "you will use about 86 % by 1 Dec");
    assert!(f.method.contains("linearly weighted") && f.method.contains("14"));
}

#[test]
fn rising_days_weigh_the_recent_ones_more_and_run_out_before_the_reset() {
    let values: Vec<f64> = (1..=14).map(f64::from).collect();
    let f = forecast(&fortnight(&values), &budget(30.0, Some(50.0), at(12, 1, 0)), at(11, 24, 12)).unwrap();
    // Σi² / Σi = 1015 / 105 = 9.667 a day (the plain mean would be 7.5).
    assert!(close(f.daily_rate.unwrap(), 1015.0 / 105.0), "{f:?}");
    // mean 7.5, σ = √16.25 = 4.03, σ/mean = 0.54 > 0.5: a range of the 4th and 11th of 14 sorted days.
    assert_eq!(f.rate_range, Some(RateRange { low: 4.0, high: 11.0 }));
    // $20 left: 20 / 9.667 = 2.07 days → 26 Nov; at 11/day 1.8 days → 26 Nov; at 4/day 5 days → 29 Nov.
    assert_eq!(f.outcome, ForecastOutcome::RunsOut { on: d(11, 26), days_before_reset: 5, earliest: Some(d(11, 26)), latest: Some(d(11, 29)) });
    assert_eq!(f.sentence, "at this pace you reach your budget on 26 Nov, 5 days before it resets (between 26 Nov and 29 Nov)");
}

#[test]
fn a_weekend_rhythm_counts_days_without_records_as_zero() {
    // $4 on weekdays; the weekends (14–15 and 21–22 Nov) have no records at all.
    let daily: Vec<_> = fortnight(&[4.0; 14]).into_iter().filter(|(day, _)| ![14, 15, 21, 22].contains(&chrono::Datelike::day(day))).collect();
    let f = forecast(&daily, &budget(30.0, Some(50.0), at(12, 1, 0)), at(11, 24, 12)).unwrap();
    assert_eq!(f.window_days, 14);
    // The weekend days are days 5, 6, 12 and 13 (weights summing to 36): 4 × (105 − 36) / 105 = 276/105 = 2.629.
    assert!(close(f.daily_rate.unwrap(), 276.0 / 105.0), "{f:?}");
    // mean 2.857, σ 1.807, σ/mean = 0.63: range from the 4th sorted day (0) to the 11th (4).
    assert_eq!(f.rate_range, Some(RateRange { low: 0.0, high: 4.0 }));
    // 30 + 2.629 × 6.5 = 47.09 → 94 %; at 0/day 60 %; at 4/day 30 + 26 = 56 → 112 %.
    match f.outcome {
        ForecastOutcome::ShareAtReset { percent, low_percent: Some(l), high_percent: Some(h), reset_on } => {
            assert!(close(percent, (30.0 + 276.0 / 105.0 * 6.5) / 50.0 * 100.0) && close(l, 60.0) && close(h, 112.0), "{percent} {l} {h}");
            assert_eq!(reset_on, d(12, 1));
        }
        other => panic!("{other:?}"),
    }
    assert_eq!(f.sentence, "you will use about 94 % by 1 Dec (between 60 % and 112 %)");
}

#[test]
fn one_spike_widens_the_range_without_running_out() {
    let mut values = [1.0; 14];
    values[6] = 15.0; // 16 Nov, weight 7
    let f = forecast(&fortnight(&values), &budget(30.0, Some(50.0), at(12, 1, 0)), at(11, 24, 12)).unwrap();
    // (105 − 7 + 7 × 15) / 105 = 203/105 = 1.933 a day.
    assert!(close(f.daily_rate.unwrap(), 203.0 / 105.0), "{f:?}");
    // mean 2, σ 3, σ/mean 1.5; the 4th and 11th sorted days are both 1, widened up to the rate.
    assert_eq!(f.rate_range, Some(RateRange { low: 1.0, high: 203.0 / 105.0 }));
    // 30 + 1.933 × 6.5 = 42.57 → 85 %; at 1/day 36.5 → 73 %.
    assert_eq!(f.sentence, "you will use about 85 % by 1 Dec (between 73 % and 85 %)");
}

#[test]
fn nothing_spent_this_period_and_quiet_days_never_print_minus_zero() {
    // The spend of an empty period is a sum of nothing: -0.0.
    let spent: f64 = std::iter::empty::<f64>().sum();
    // Days without a record are sums of nothing too; one busy day among them: the low end is 0.
    let mut values = [spent; 14];
    values[13] = 6.0;
    let f = forecast(&fortnight(&values), &budget(spent, Some(50.0), at(12, 1, 0)), at(11, 24, 12)).unwrap();
    assert!(!f.sentence.contains("-0"), "{}", f.sentence);
    assert!(f.sentence.contains("(between 0 % and "), "{}", f.sentence);
}

#[test]
fn fewer_than_three_complete_days_give_no_rate() {
    let daily = vec![(d(11, 22), 5.0), (d(11, 23), 5.0), (d(11, 24), 5.0)];
    let f = forecast(&daily, &budget(30.0, Some(50.0), at(12, 1, 0)), at(11, 24, 12)).unwrap();
    assert_eq!(f.outcome, ForecastOutcome::NotEnoughData { days: 2 });
    assert_eq!(f.daily_rate, None);
    assert_eq!(f.sentence, "too little history for a forecast: 2 days complete (at least 3 needed)");
    let f = forecast(&[], &budget(0.0, Some(50.0), at(12, 1, 0)), at(11, 24, 12)).unwrap();
    assert_eq!(f.outcome, ForecastOutcome::NotEnoughData { days: 0 }, "an empty history");
}

#[test]
fn already_over_budget_says_so_whatever_the_history() {
    let f = forecast(&fortnight(&[2.0; 14]), &budget(52.0, Some(50.0), at(12, 1, 0)), at(11, 24, 12)).unwrap();
    assert!(matches!(f.outcome, ForecastOutcome::AlreadyOver { percent } if close(percent, 104.0)), "{f:?}");
    assert_eq!(f.sentence, "you have used 104 % of your budget; it resets on 1 Dec");
}

#[test]
fn a_reset_tomorrow_leaves_half_a_day() {
    // Now 30 Nov 12:00: 0.5 days left; $2 a day over 16–29 Nov.
    let daily: Vec<_> = (0..14).map(|i| (d(11, 16) + Duration::days(i), 2.0)).collect();
    let f = forecast(&daily, &budget(40.0, Some(50.0), at(12, 1, 0)), at(11, 30, 12)).unwrap();
    // 40 + 2 × 0.5 = 41 → 82 %.
    assert_eq!(f.sentence, "you will use about 82 % by 1 Dec");
    // $49.50 spent: 0.5 left at 2/day = 0.25 days → 30 Nov 18:00.
    let f = forecast(&daily, &budget(49.5, Some(50.0), at(12, 1, 0)), at(11, 30, 12)).unwrap();
    assert_eq!(f.outcome, ForecastOutcome::RunsOut { on: d(11, 30), days_before_reset: 1, earliest: None, latest: None });
    assert_eq!(f.sentence, "at this pace you reach your budget on 30 Nov, 1 day before it resets");
}

#[test]
fn no_limit_or_no_reset_means_no_forecast() {
    assert!(forecast(&fortnight(&[2.0; 14]), &budget(30.0, None, at(12, 1, 0)), at(11, 24, 12)).is_none());
    let mut b = budget(30.0, Some(50.0), at(12, 1, 0));
    b.resets_at = None;
    assert!(forecast(&fortnight(&[2.0; 14]), &b, at(11, 24, 12)).is_none());
}
