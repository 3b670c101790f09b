//! An instant as a user writes it for `--since` / `--until`: a duration back from now (`2h`,
//! `30m`, `1d 12h`, humantime's syntax), a day (`2026-11-28`, its start in UTC), or an RFC 3339
//! time (`2026-11-28T09:30:00Z`, `2026-11-28T10:30:00+01:00`). Pure: `now_us` is passed in.

/// Microseconds since the Unix epoch for `text`, or why it is not an instant.
pub fn parse_instant(text: &str, now_us: i64) -> Result<i64, String> {
    let t = text.trim();
    if let Ok(at) = chrono::DateTime::parse_from_rfc3339(t) {
        return Ok(at.timestamp_micros());
    }
    if let Ok(day) = chrono::NaiveDate::parse_from_str(t, "%Y-%m-%d") {
        if let Some(start) = day.and_hms_opt(0, 0, 0) {
            return Ok(start.and_utc().timestamp_micros());
        }
    }
    match humantime::parse_duration(t) {
        Ok(d) => Ok(now_us.saturating_sub(i64::try_from(d.as_micros()).unwrap_or(i64::MAX))),
        Err(_) => Err(format!(
            "{t:?} is not a time: write a duration back from now (2h, 30m, 7d), a day (2026-11-28) or an RFC 3339 time (2026-11-28T09:30:00Z)"
        )),
    }
}

#[cfg(test)]
mod tests {
    use super::parse_instant;

    const NOW: i64 = 1_795_000_000_000_000;

    #[test]
    fn durations_days_and_times() {
        assert_eq!(parse_instant("2h", NOW), Ok(NOW - 2 * 3600 * 1_000_000));
        assert_eq!(parse_instant(" 1d 30m ", NOW), Ok(NOW - (86_400 + 1800) * 1_000_000));
        assert_eq!(parse_instant("2026-11-28", NOW), Ok(1_795_824_000_000_000));
        assert_eq!(parse_instant("2026-11-28T01:00:00+01:00", NOW), Ok(1_795_824_000_000_000));
        assert_eq!(parse_instant("2026-11-28T00:00:00.5Z", NOW), Ok(1_795_824_000_500_000));
        assert!(parse_instant("yesterday", NOW).unwrap_err().contains("not a time"));
        assert!(parse_instant("2026-13-01", NOW).is_err());
    }
}
