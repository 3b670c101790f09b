//! When a forward is tried again, and how fast a target may be sent to: the retry policy of a
//! rule ([`RetryPolicy`], [`next`]) and the rate limit of a target ([`Rate`], [`Bucket`]).
//! Pure: every time is a unix time in milliseconds passed in by the caller; this module must not
//! read the clock, sleep, send, or touch the outbox (the engine's worker does all of that).
//!
//! The rules, from seed 001 (FinSight's delivery policy) unless said otherwise:
//! - `backoff_ms[k]` is the wait before attempt `k + 1`, counted from the end of the previous
//!   attempt (for the first one: from the moment the forward was queued, see [`first_at`]).
//!   `0s,5s,25s` gives attempts at about 0 s, 5 s and 30 s. A list shorter than `attempts` is
//!   extended with its last value (`attempts: 5` with `0s,5s,25s` waits 0, 5, 25, 25, 25 s); a
//!   longer one is refused, since its tail could never be used and is likely a mistake.
//! - 2xx succeeds. 5xx, and the failures a target can recover from in seconds (`timeout`,
//!   `refused`, `reset`, `network`, and `dns`: a laptop waking up, a resolver hiccup) are
//!   retried while attempts are left. `tls`, `invalid_response` and `too_large` are not: a bad
//!   certificate or a wrong port does not fix itself in 30 s. Other 4xx and every 3xx are final
//!   answers (redirects are not followed). `cancelled` ends the forward as cancelled.
//! - `429` (and `503`, which RFC 9110 also allows to carry it) waits the longer of the backoff
//!   and `Retry-After` (delta-seconds or an HTTP-date), capped at [`MAX_RETRY_AFTER_MS`].
//! - A rate (`1/s`, `10/min`, `5/10s`) spaces sends evenly, a burst of one: never more than `n`
//!   sends in any window of the period, which is what a target's "n per period" limit means.

use std::fmt;
use std::num::NonZeroU32;
use std::sync::atomic::{AtomicU64, Ordering};
use std::time::Duration;

use governor::clock::Clock;
use governor::middleware::NoOpMiddleware;
use governor::nanos::Nanos;
use governor::state::{InMemoryState, NotKeyed};
use governor::{Quota, RateLimiter};
use serde::{Deserialize, Serialize};
use ts_rs::TS;

use super::{BuildError, MAX_TIMEOUT_MS};
use super::failure::SendFailure;

/// Most attempts a rule may make.
pub const MAX_ATTEMPTS: u32 = 20;
/// Longest single wait of a backoff: past a day a forward has lost its point.
pub const MAX_BACKOFF_MS: u64 = 86_400_000;
/// Longest `Retry-After` honoured: 1 hour. A target asking for more is closed for the day, and
/// a forward kept pending for longer only blocks its target's queue; we try again after an hour
/// (the attempt then most likely fails for good).
pub const MAX_RETRY_AFTER_MS: u64 = 3_600_000;

fn bad(msg: impl Into<String>) -> BuildError {
    BuildError(msg.into())
}

/// How a rule retries. `Default` is seed 001's: 10 s timeout, 3 attempts, 0 s / 5 s / 25 s.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, TS)]
#[serde(rename_all = "snake_case")]
#[ts(export)]
pub struct RetryPolicy {
    /// Per attempt, at most [`MAX_TIMEOUT_MS`] (10 minutes, for breakpoint debugging).
    #[ts(type = "number")]
    pub timeout_ms: u64,
    /// 1 to 20, the first one included.
    pub attempts: u32,
    /// The wait before each attempt, from the end of the previous one (the first: from queuing).
    #[ts(type = "Array<number>")]
    pub backoff_ms: Vec<u64>,
}

impl Default for RetryPolicy {
    fn default() -> Self {
        RetryPolicy { timeout_ms: 10_000, attempts: 3, backoff_ms: vec![0, 5_000, 25_000] }
    }
}

impl RetryPolicy {
    /// A checked policy, its backoff extended to `attempts` values with its last one.
    pub fn new(timeout_ms: u64, attempts: u32, backoff_ms: Vec<u64>) -> Result<RetryPolicy, BuildError> {
        let mut p = RetryPolicy { timeout_ms, attempts, backoff_ms };
        p.validate()?;
        let last = *p.backoff_ms.last().unwrap_or(&0);
        p.backoff_ms.resize(attempts as usize, last);
        Ok(p)
    }

    /// Why this policy cannot be saved, if it cannot.
    pub fn validate(&self) -> Result<(), BuildError> {
        if self.timeout_ms == 0 || self.timeout_ms > MAX_TIMEOUT_MS {
            return Err(bad(format!(
                "the timeout must be more than 0 and at most 10 minutes (got {} ms)",
                self.timeout_ms
            )));
        }
        if !(1..=MAX_ATTEMPTS).contains(&self.attempts) {
            return Err(bad(format!("attempts must be between 1 and {MAX_ATTEMPTS} (got {})", self.attempts)));
        }
        if self.backoff_ms.is_empty() {
            return Err(bad("the backoff needs at least one wait, e.g. 0s,5s,25s"));
        }
        if self.backoff_ms.len() > self.attempts as usize {
            return Err(bad(format!(
                "the backoff has {} waits for {} attempts: give one wait per attempt, or fewer (the last one repeats)",
                self.backoff_ms.len(),
                self.attempts
            )));
        }
        if let Some(w) = self.backoff_ms.iter().find(|w| **w > MAX_BACKOFF_MS) {
            return Err(bad(format!("a backoff wait is at most a day (got {})", show_ms(*w))));
        }
        Ok(())
    }

    /// The wait before attempt `n` (1-based), from the end of attempt `n - 1`.
    pub fn wait_before(&self, n: u32) -> u64 {
        let i = (n.max(1) - 1) as usize;
        self.backoff_ms.get(i).or(self.backoff_ms.last()).copied().unwrap_or(0)
    }
}

fn show_ms(ms: u64) -> String {
    humantime::format_duration(Duration::from_millis(ms)).to_string()
}

/// A backoff as the user writes it: waits separated by commas, `0s,5s,25s` (`500ms`, `2m`, and
/// plain numbers as seconds too).
pub fn parse_backoff(text: &str) -> Result<Vec<u64>, BuildError> {
    let t = text.trim();
    if t.is_empty() {
        return Err(bad("the backoff is empty: write the waits before each attempt, e.g. 0s,5s,25s"));
    }
    t.split(',')
        .map(|part| {
            let p = part.trim();
            let ms = match p.parse::<f64>() {
                Ok(secs) if secs.is_finite() && secs >= 0.0 => (secs * 1000.0).round() as u64,
                Ok(_) => return Err(bad(format!("the wait {p:?} must be 0 or more"))),
                Err(_) if p.is_empty() => return Err(bad(format!("{t:?} has an empty wait between commas"))),
                Err(_) => humantime::parse_duration(p)
                    .map_err(|e| bad(format!("{p:?} is not a duration ({e}); write e.g. 0s,5s,25s")))?
                    .as_millis()
                    .min(u64::MAX as u128) as u64,
            };
            if ms > MAX_BACKOFF_MS {
                return Err(bad(format!("the wait {p} is longer than a day")));
            }
            Ok(ms)
        })
        .collect()
}

/// What one attempt gave.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum AttemptResult<'a> {
    /// The target answered; `retry_after` is the raw `Retry-After` header, when present.
    Response { status: u16, retry_after: Option<&'a str> },
    /// No answer (see [`SendFailure`]).
    Failure(SendFailure),
}

/// How a forward ended.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Final {
    Succeeded,
    Failed,
    Cancelled,
}

/// What to do after an attempt.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Next {
    Done(Final),
    /// Try again at this unix time (ms).
    RetryAt(i64),
}

/// Whether a failure is worth another attempt (see the module documentation).
pub fn retries(failure: SendFailure) -> bool {
    match failure {
        SendFailure::Timeout | SendFailure::Refused | SendFailure::Reset | SendFailure::Network | SendFailure::Dns => true,
        SendFailure::Tls | SendFailure::InvalidResponse | SendFailure::TooLarge | SendFailure::Cancelled => false,
    }
}

/// When the first attempt of a forward queued at `queued_at_ms` is due.
pub fn first_at(policy: &RetryPolicy, queued_at_ms: i64) -> i64 {
    queued_at_ms.saturating_add(policy.wait_before(1) as i64)
}

/// What follows attempt number `attempt` (1-based, the one just made) of `policy`, which ended
/// at `finished_at_ms` with `result`.
pub fn next(policy: &RetryPolicy, attempt: u32, result: AttemptResult, finished_at_ms: i64) -> Next {
    let (retry, asked_ms) = match result {
        AttemptResult::Response { status: 200..=299, .. } => return Next::Done(Final::Succeeded),
        AttemptResult::Response { status: 429 | 503, retry_after } => {
            (true, retry_after.and_then(|v| retry_after_ms(v, finished_at_ms)))
        }
        AttemptResult::Response { status, .. } => (status >= 500, None),
        AttemptResult::Failure(SendFailure::Cancelled) => return Next::Done(Final::Cancelled),
        AttemptResult::Failure(f) => (retries(f), None),
    };
    if !retry || attempt >= policy.attempts {
        return Next::Done(Final::Failed);
    }
    let wait = policy.wait_before(attempt + 1).max(asked_ms.unwrap_or(0));
    Next::RetryAt(finished_at_ms.saturating_add(wait as i64))
}

/// The wait a `Retry-After` value asks for, from `now_ms`, capped at [`MAX_RETRY_AFTER_MS`]:
/// delta-seconds (`120`) or an HTTP-date (`Wed, 21 Oct 2015 07:28:00 GMT`, and the two obsolete
/// forms). `None` when it is neither: the backoff applies alone.
pub fn retry_after_ms(value: &str, now_ms: i64) -> Option<u64> {
    let v = value.trim();
    let ms = if !v.is_empty() && v.bytes().all(|b| b.is_ascii_digit()) {
        v.parse::<u64>().unwrap_or(u64::MAX).saturating_mul(1000)
    } else {
        let at = httpdate::parse_http_date(v).ok()?;
        let at_ms = match at.duration_since(std::time::UNIX_EPOCH) {
            Ok(d) => d.as_millis().min(i64::MAX as u128) as i64,
            Err(_) => 0,
        };
        at_ms.saturating_sub(now_ms).max(0) as u64
    };
    Some(ms.min(MAX_RETRY_AFTER_MS))
}

/// A rate limit: `count` sends per `period_ms`. Written `1/s`, `10/min`, `100/h`, `2/d`,
/// `5/10s` (any humantime period after the slash).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub struct Rate {
    pub count: u32,
    pub period_ms: u64,
}

/// At most 1000 per second: the bucket answers in whole milliseconds.
const MIN_INTERVAL_MS: u64 = 1;

impl Rate {
    /// The time between two sends: the period divided by the count, rounded up (so that
    /// rounding never lets `count + 1` sends into one period).
    pub fn interval_ns(&self) -> u64 {
        (self.period_ms.saturating_mul(1_000_000)).div_ceil(self.count.max(1) as u64)
    }
}

impl std::str::FromStr for Rate {
    type Err = BuildError;

    fn from_str(text: &str) -> Result<Rate, BuildError> {
        let t = text.trim();
        let hint = "write it as a count per period, e.g. 1/s, 10/min, 100/h or 5/10s";
        let (count, period) = t.split_once('/').ok_or_else(|| bad(format!("{t:?} is not a rate: {hint}")))?;
        let count: u32 = count
            .trim()
            .parse()
            .map_err(|_| bad(format!("{:?} is not a whole number of sends: {hint}", count.trim())))?;
        if count == 0 {
            return Err(bad(format!("the rate {t:?} allows nothing: the count must be at least 1 (remove the limit instead)")));
        }
        let period = period.trim();
        let written = if period.starts_with(|c: char| c.is_ascii_digit()) { period.to_string() } else { format!("1{period}") };
        let period_ms = humantime::parse_duration(&written)
            .map_err(|_| bad(format!("{period:?} is not a period: {hint}")))?
            .as_millis()
            .min(u64::MAX as u128) as u64;
        if period_ms == 0 {
            return Err(bad(format!("the period of {t:?} must be at least 1 ms")));
        }
        if period_ms > MAX_BACKOFF_MS {
            return Err(bad(format!("the period of {t:?} is longer than a day: use at most /d")));
        }
        let rate = Rate { count, period_ms };
        if rate.interval_ns() < MIN_INTERVAL_MS * 1_000_000 {
            return Err(bad(format!("{t:?} is faster than 1000 sends a second, the most a limit can say")));
        }
        Ok(rate)
    }
}

impl fmt::Display for Rate {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self.period_ms {
            1_000 => write!(f, "{}/s", self.count),
            60_000 => write!(f, "{}/min", self.count),
            3_600_000 => write!(f, "{}/h", self.count),
            86_400_000 => write!(f, "{}/d", self.count),
            p => write!(f, "{}/{}", self.count, show_ms(p).replace(' ', "")),
        }
    }
}

impl Serialize for Rate {
    fn serialize<S: serde::Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        s.collect_str(self)
    }
}

impl<'de> Deserialize<'de> for Rate {
    fn deserialize<D: serde::Deserializer<'de>>(d: D) -> Result<Rate, D::Error> {
        let text = String::deserialize(d)?;
        text.parse().map_err(serde::de::Error::custom)
    }
}

/// The bucket's clock: the time the caller passed to [`Bucket::take`], in nanoseconds since the
/// unix epoch. governor takes any [`Clock`]; this one only reports what it was told.
#[derive(Debug, Default)]
struct Given(AtomicU64);

impl Clock for Given {
    type Instant = Nanos;

    fn now(&self) -> Nanos {
        self.0.load(Ordering::Relaxed).into()
    }
}

/// The token bucket of one target: governor's GCRA (a token bucket in its exact, constant-space
/// form) with burst 1, driven by the time passed in.
pub struct Bucket {
    rate: Rate,
    limiter: RateLimiter<NotKeyed, InMemoryState, Given, NoOpMiddleware<Nanos>>,
}

impl fmt::Debug for Bucket {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Bucket").field("rate", &self.rate).finish_non_exhaustive()
    }
}

impl Bucket {
    pub fn new(rate: Rate) -> Bucket {
        let interval = Duration::from_nanos(rate.interval_ns().max(1));
        let quota = Quota::with_period(interval)
            .expect("the interval is never zero")
            .allow_burst(NonZeroU32::MIN);
        Bucket { rate, limiter: RateLimiter::direct_with_clock(quota, Given::default()) }
    }

    pub fn rate(&self) -> Rate {
        self.rate
    }

    /// Takes the token for one send at `now_ms` (unix ms), or says how many milliseconds
    /// until one is allowed (at least 1). A refused take takes nothing.
    pub fn take(&mut self, now_ms: i64) -> Result<(), i64> {
        let ns = (now_ms.max(0) as u64).saturating_mul(1_000_000);
        self.limiter.clock().0.store(ns, Ordering::Relaxed);
        match self.limiter.check() {
            Ok(()) => Ok(()),
            Err(not_until) => {
                let wait = not_until.wait_time_from(Nanos::from(ns)).as_nanos();
                Err((wait.div_ceil(1_000_000).max(1)).min(i64::MAX as u128) as i64)
            }
        }
    }
}

#[cfg(test)]
#[path = "policy_tests.rs"]
mod tests;
