//! Unit tests of the retry policy and the rate limit: exact times, no clock.

use super::*;
use AttemptResult::{Failure, Response};

const T0: i64 = 1_700_000_000_000;
/// Every simulated attempt takes this long.
const TOOK: i64 = 120;

fn status(s: u16) -> AttemptResult<'static> {
    Response { status: s, retry_after: None }
}

/// Plays `results` through the policy from a forward queued at T0: the start time of each
/// attempt made, and how it ended (`None` when the results ran out while a retry was due).
fn run(policy: &RetryPolicy, results: &[AttemptResult]) -> (Vec<i64>, Option<Final>) {
    let mut starts = Vec::new();
    let mut at = first_at(policy, T0);
    for (i, r) in results.iter().enumerate() {
        starts.push(at);
        match next(policy, i as u32 + 1, *r, at + TOOK) {
            Next::Done(f) => return (starts, Some(f)),
            Next::RetryAt(t) => at = t,
        }
    }
    (starts, None)
}

#[test]
fn default_is_seed_001() {
    let p = RetryPolicy::default();
    assert_eq!((p.timeout_ms, p.attempts, p.backoff_ms.clone()), (10_000, 3, vec![0, 5_000, 25_000]));
    p.validate().unwrap();
    assert_eq!(serde_json::to_value(&p).unwrap(), serde_json::json!({"timeout_ms": 10000, "attempts": 3, "backoff_ms": [0, 5000, 25000]}));
}

/// A case: its name, what each attempt gives, the expected starts and end.
type Case = (&'static str, Vec<AttemptResult<'static>>, Vec<i64>, Option<Final>);

#[test]
fn sequences() {
    let p = RetryPolicy::default();
    let e1 = T0 + TOOK;
    let e2 = e1 + 5_000 + TOOK;
    let cases: &[Case] = &[
        ("503,503,200: 0, +5 s, +25 s after each end", vec![status(503), status(503), status(200)], vec![T0, e1 + 5_000, e2 + 25_000], Some(Final::Succeeded)),
        ("200 at once", vec![status(204)], vec![T0], Some(Final::Succeeded)),
        ("400 is final", vec![status(400), status(200)], vec![T0], Some(Final::Failed)),
        ("404 is final", vec![status(404)], vec![T0], Some(Final::Failed)),
        ("301 is an answer, not followed", vec![status(301)], vec![T0], Some(Final::Failed)),
        ("exhausted", vec![status(500), status(502), status(503), status(200)], vec![T0, e1 + 5_000, e2 + 25_000], Some(Final::Failed)),
        ("timeout, refused, then 200", vec![Failure(SendFailure::Timeout), Failure(SendFailure::Refused), status(200)], vec![T0, e1 + 5_000, e2 + 25_000], Some(Final::Succeeded)),
        ("reset and network retry", vec![Failure(SendFailure::Reset), Failure(SendFailure::Network)], vec![T0, e1 + 5_000], None),
        ("dns retries", vec![Failure(SendFailure::Dns), status(200)], vec![T0, e1 + 5_000], Some(Final::Succeeded)),
        ("tls is final", vec![Failure(SendFailure::Tls)], vec![T0], Some(Final::Failed)),
        ("invalid_response is final", vec![Failure(SendFailure::InvalidResponse)], vec![T0], Some(Final::Failed)),
        ("too_large is final", vec![Failure(SendFailure::TooLarge)], vec![T0], Some(Final::Failed)),
        ("cancelled", vec![status(503), Failure(SendFailure::Cancelled)], vec![T0, e1 + 5_000], Some(Final::Cancelled)),
        ("429 without Retry-After: the backoff", vec![status(429), status(200)], vec![T0, e1 + 5_000], Some(Final::Succeeded)),
    ];
    for (name, results, starts, end) in cases {
        assert_eq!(run(&p, results), (starts.clone(), *end), "{name}");
    }
}

#[test]
fn retry_after() {
    let p = RetryPolicy::default();
    let end = T0 + TOOK;
    let ra = |v: &'static str| Response { status: 429, retry_after: Some(v) };
    // 7 s is longer than the 5 s backoff: waits 7 s.
    assert_eq!(next(&p, 1, ra("7"), end), Next::RetryAt(end + 7_000));
    // 2 s is shorter: the backoff wins.
    assert_eq!(next(&p, 1, ra(" 2 "), end), Next::RetryAt(end + 5_000));
    // An HTTP-date 40 s after the end of the attempt (end is a whole second here).
    let whole = 1_445_412_440_000; // Wed, 21 Oct 2015 07:27:20 GMT
    assert_eq!(next(&p, 1, ra("Wed, 21 Oct 2015 07:28:00 GMT"), whole), Next::RetryAt(whole + 40_000));
    // The obsolete RFC 850 form too.
    assert_eq!(next(&p, 1, ra("Wednesday, 21-Oct-15 07:28:00 GMT"), whole), Next::RetryAt(whole + 40_000));
    // A date in the past, or garbage: the backoff.
    assert_eq!(next(&p, 1, ra("Wed, 21 Oct 2015 07:00:00 GMT"), whole), Next::RetryAt(whole + 5_000));
    assert_eq!(next(&p, 1, ra("soon"), end), Next::RetryAt(end + 5_000));
    assert_eq!(next(&p, 1, ra("-3"), end), Next::RetryAt(end + 5_000));
    // Capped at an hour, however large.
    assert_eq!(next(&p, 1, ra("86400"), end), Next::RetryAt(end + 3_600_000));
    assert_eq!(next(&p, 1, ra("99999999999999999999999"), end), Next::RetryAt(end + 3_600_000));
    // 503 honours it too; other statuses ignore it.
    assert_eq!(next(&p, 1, Response { status: 503, retry_after: Some("60") }, end), Next::RetryAt(end + 60_000));
    assert_eq!(next(&p, 1, Response { status: 500, retry_after: Some("60") }, end), Next::RetryAt(end + 5_000));
    assert_eq!(next(&p, 1, Response { status: 400, retry_after: Some("60") }, end), Next::Done(Final::Failed));
    // No attempts left: Retry-After does not add one.
    assert_eq!(next(&p, 3, ra("7"), end), Next::Done(Final::Failed));
}

#[test]
fn backoff_extends_with_its_last_value() {
    let p = RetryPolicy::new(10_000, 5, parse_backoff("0s,5s,25s").unwrap()).unwrap();
    assert_eq!(p.backoff_ms, vec![0, 5_000, 25_000, 25_000, 25_000]);
    let (starts, end) = run(&p, &[status(500); 6]);
    let gaps: Vec<i64> = starts.windows(2).map(|w| w[1] - w[0] - TOOK).collect();
    assert_eq!((gaps, end), (vec![5_000, 25_000, 25_000, 25_000], Some(Final::Failed)));
    // A single wait applies to every attempt, the first one included.
    let p = RetryPolicy::new(1_000, 3, vec![2_000]).unwrap();
    assert_eq!((p.backoff_ms.clone(), first_at(&p, T0)), (vec![2_000; 3], T0 + 2_000));
    // One attempt: never retried.
    let p = RetryPolicy::new(1_000, 1, vec![0]).unwrap();
    assert_eq!(next(&p, 1, status(503), T0), Next::Done(Final::Failed));
}

#[test]
fn refused_policies_say_why() {
    let cases: &[(u64, u32, &[u64], &str)] = &[
        (0, 3, &[0], "timeout"),
        (600_001, 3, &[0], "10 minutes"),
        (10_000, 0, &[0], "between 1 and 20"),
        (10_000, 21, &[0], "between 1 and 20"),
        (10_000, 3, &[], "at least one wait"),
        (10_000, 2, &[0, 5_000, 25_000], "3 waits for 2 attempts"),
        (10_000, 2, &[0, 86_400_001], "at most a day"),
    ];
    for (timeout, attempts, backoff, words) in cases {
        let err = RetryPolicy::new(*timeout, *attempts, backoff.to_vec()).unwrap_err();
        assert!(err.0.contains(words), "{timeout} {attempts} {backoff:?}: {err}");
    }
    // Breakpoint debugging: 10 minutes is allowed.
    RetryPolicy::new(MAX_TIMEOUT_MS, 20, vec![0]).unwrap();
}

#[test]
fn parses_backoffs() {
    assert_eq!(parse_backoff("0s,5s,25s").unwrap(), vec![0, 5_000, 25_000]);
    assert_eq!(parse_backoff(" 0 , 1.5, 500ms, 2m, 1h ").unwrap(), vec![0, 1_500, 500, 120_000, 3_600_000]);
    for (text, words) in [("", "empty"), ("5s,,25s", "empty wait"), ("5s,soon", "\"soon\" is not a duration"), ("-1", "0 or more"), ("2d", "longer than a day")] {
        let err = parse_backoff(text).unwrap_err();
        assert!(err.0.contains(words), "{text:?}: {err}");
    }
}

#[test]
fn parses_rates() {
    for (text, count, period_ms, shown) in [
        ("1/s", 1, 1_000, "1/s"),
        ("10/min", 10, 60_000, "10/min"),
        ("100/h", 100, 3_600_000, "100/h"),
        ("5/10s", 5, 10_000, "5/10s"),
        (" 2 / d ", 2, 86_400_000, "2/d"),
        ("3/90s", 3, 90_000, "3/1m30s"),
        ("1000/s", 1000, 1_000, "1000/s"),
    ] {
        let rate: Rate = text.parse().unwrap_or_else(|e| panic!("{text}: {e}"));
        assert_eq!((rate.count, rate.period_ms, rate.to_string().as_str()), (count, period_ms, shown), "{text}");
        assert_eq!(shown.parse::<Rate>().unwrap(), rate, "{shown} reads back");
        assert_eq!(serde_json::to_value(rate).unwrap(), serde_json::json!(shown));
        assert_eq!(serde_json::from_value::<Rate>(serde_json::json!(text)).unwrap(), rate);
    }
    for (text, words) in [
        ("0/s", "at least 1"),
        ("fast", "not a rate"),
        ("x/s", "not a whole number"),
        ("-1/s", "not a whole number"),
        ("1/fortnight", "not a period"),
        ("1/0s", "at least 1 ms"),
        ("1/2d", "longer than a day"),
        ("1001/s", "faster than 1000"),
        ("", "not a rate"),
    ] {
        let err = text.parse::<Rate>().unwrap_err();
        assert!(err.0.contains(words), "{text:?}: {err}");
    }
    assert!(serde_json::from_value::<Rate>(serde_json::json!("0/s")).is_err());
}

#[test]
fn one_per_second_spaces_takes_exactly() {
    let mut b = Bucket::new("1/s".parse().unwrap());
    let mut now = T0;
    let mut allowed = Vec::new();
    while allowed.len() < 5 {
        match b.take(now) {
            Ok(()) => allowed.push(now),
            Err(wait) => {
                assert!(wait >= 1);
                now += wait;
            }
        }
    }
    assert_eq!(allowed, vec![T0, T0 + 1_000, T0 + 2_000, T0 + 3_000, T0 + 4_000]);
}

#[test]
fn burst_is_one_and_refusals_take_nothing() {
    let mut b = Bucket::new("1/s".parse().unwrap());
    assert_eq!(b.take(T0), Ok(()));
    assert_eq!(b.take(T0), Err(1_000));
    assert_eq!(b.take(T0 + 400), Err(600));
    assert_eq!(b.take(T0 + 999), Err(1));
    assert_eq!(b.take(T0 + 1_000), Ok(()));
    // Idle for a minute: still only one token, not sixty.
    assert_eq!(b.take(T0 + 61_000), Ok(()));
    assert_eq!(b.take(T0 + 61_000), Err(1_000));
}

#[test]
fn never_more_than_count_per_period() {
    // 3 per 10 s: one every 3334 ms (rounded up), so a 4th never lands inside the same 10 s.
    let mut b = Bucket::new("3/10s".parse().unwrap());
    let mut allowed = Vec::new();
    let mut now = T0;
    while allowed.len() < 7 {
        match b.take(now) {
            Ok(()) => allowed.push(now),
            Err(w) => now += w,
        }
    }
    for w in allowed.windows(4) {
        assert!(w[3] - w[0] >= 10_000, "{allowed:?}");
    }
    assert_eq!(allowed[1] - allowed[0], 3_334);
    // A clock that steps back is told to wait, not let through.
    let mut b = Bucket::new("1/s".parse().unwrap());
    assert_eq!(b.take(T0), Ok(()));
    assert_eq!(b.take(T0 - 5_000), Err(6_000));
    assert_eq!(b.rate().to_string(), "1/s");
}
