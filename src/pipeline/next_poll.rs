//! When a source is due again, as a pure function of what the last poll
//! learned. The scheduler runs the clock; this module only does the sums.
//!
//! - After a success (or 304): the source's `every`, raised to what the
//!   server or the feed asks (`Cache-Control: max-age`, `Expires`, RSS
//!   `<ttl>`, `sy:updatePeriod`), never below `min_every`, and a server's
//!   or feed's hint never beyond `max_every`; then moved out of the feed's
//!   `skipHours` / `skipDays`.
//! - After a failure: exponential backoff from `every`, capped at
//!   `max_every`; a 429/503 `Retry-After` is a lower bound.
//!
//! Every interval gets up to 10 % of jitter, added, never taken away (a
//! `Retry-After` is a floor), so sources with one interval drift apart
//! instead of firing together forever.

use std::time::Duration;

use chrono::{DateTime, Datelike, Timelike, Utc};

use crate::config::{PollSettings, Source};
use crate::model::Hints;

/// The interval after a successful poll, before jitter.
pub fn interval_after_success(source: &Source, poll: &PollSettings, hints: &Hints) -> Duration {
    let asked = hints
        .fresh_for
        .into_iter()
        .chain(hints.feed_interval)
        .max()
        .map(|d| d.max(poll.min_every).min(poll.max_every));
    asked.map_or(source.every, |a| a.max(source.every))
}

/// The interval after `failures` failures in a row (1 for the first).
pub fn interval_after_failure(
    source: &Source,
    poll: &PollSettings,
    failures: u32,
    retry_after: Option<Duration>,
) -> Duration {
    let cap = poll.max_every.max(source.every);
    let doublings = failures.saturating_sub(1).min(20);
    let backoff = source
        .every
        .checked_mul(1 << doublings)
        .unwrap_or(cap)
        .min(cap);
    match retry_after {
        // A server's explicit wish wins over the cap, within reason: a
        // day is the most bantin will wait before asking again.
        Some(wait) => backoff.max(wait.min(Duration::from_secs(24 * 3600))),
        None => backoff,
    }
}

/// Two years: longer than any interval the configuration allows.
const MAX_WAIT_SECONDS: f64 = 2.0 * 365.0 * 86_400.0;

/// `interval` from `now` plus up to 10 % jitter, then out of the skipped
/// hours and days.
pub fn next_poll(now: DateTime<Utc>, interval: Duration, hints: &Hints) -> DateTime<Utc> {
    let jitter = interval.as_secs_f64() * fastrand::f64() * 0.1;
    // Capped, and added without panicking: configuration bounds every
    // interval, and a date sum must still never end a source's task.
    let seconds = (interval.as_secs_f64() + jitter).clamp(1.0, MAX_WAIT_SECONDS);
    let due = chrono::TimeDelta::from_std(Duration::from_secs_f64(seconds))
        .ok()
        .and_then(|wait| now.checked_add_signed(wait))
        .unwrap_or(DateTime::<Utc>::MAX_UTC);
    outside_skips(due, hints)
}

/// The first whole hour at or after `t` that the feed does not skip; `t`
/// itself when it is not skipped. A feed that skips every hour is not
/// believed.
fn outside_skips(t: DateTime<Utc>, hints: &Hints) -> DateTime<Utc> {
    let skipped = |t: DateTime<Utc>| {
        hints.skip_hours.contains(&t.hour()) || hints.skip_days.contains(&t.weekday())
    };
    if !skipped(t) {
        return t;
    }
    let mut hour = t
        .with_minute(0)
        .and_then(|h| h.with_second(0))
        .and_then(|h| h.with_nanosecond(0))
        .unwrap_or(t);
    for _ in 0..(24 * 7) {
        let Some(next) = hour.checked_add_signed(chrono::Duration::hours(1)) else {
            return t;
        };
        hour = next;
        if !skipped(hour) {
            return hour;
        }
    }
    t
}

#[cfg(test)]
mod tests {
    use super::*;
    use chrono::{TimeZone, Weekday};

    fn poll() -> PollSettings {
        PollSettings {
            every: Duration::from_secs(900),
            min_every: Duration::from_secs(300),
            max_every: Duration::from_secs(6 * 3600),
            timeout: Duration::from_secs(30),
            concurrency: 4,
            per_host: 2,
            host_gap: Duration::from_secs(1),
            max_body: 1 << 20,
            min_rate: 1024,
            rate_window: Duration::from_secs(10),
            user_agent: "bantin/test".into(),
            allow_no_sources: false,
        }
    }

    fn source(every: u64) -> Source {
        Source {
            id: "s".into(),
            name: "s".into(),
            url: url::Url::parse("https://s.test/rss").unwrap(),
            topics: vec![],
            every: Duration::from_secs(every),
            priority: 0,
            ca_file: None,
            insecure_tls: false,
            allow_private: false,
            scrape: None,
            article: None,
        }
    }

    fn mins(m: u64) -> Duration {
        Duration::from_secs(m * 60)
    }

    #[test]
    fn no_hints_means_every() {
        assert_eq!(
            interval_after_success(&source(900), &poll(), &Hints::default()),
            mins(15)
        );
    }

    #[test]
    fn ttl_longer_than_every_wins() {
        let hints = Hints {
            feed_interval: Some(mins(60)),
            ..Hints::default()
        };
        assert_eq!(
            interval_after_success(&source(900), &poll(), &hints),
            mins(60)
        );
    }

    #[test]
    fn hint_shorter_than_every_does_not_speed_up() {
        let hints = Hints {
            fresh_for: Some(mins(1)),
            ..Hints::default()
        };
        assert_eq!(
            interval_after_success(&source(900), &poll(), &hints),
            mins(15)
        );
    }

    #[test]
    fn hint_is_capped_by_max_every() {
        let hints = Hints {
            fresh_for: Some(Duration::from_secs(7 * 24 * 3600)),
            ..Hints::default()
        };
        assert_eq!(
            interval_after_success(&source(900), &poll(), &hints),
            mins(360)
        );
    }

    #[test]
    fn backoff_doubles_and_is_capped() {
        let s = source(900);
        let got: Vec<u64> = (1..=7)
            .map(|n| interval_after_failure(&s, &poll(), n, None).as_secs() / 60)
            .collect();
        assert_eq!(got, [15, 30, 60, 120, 240, 360, 360]);
    }

    #[test]
    fn retry_after_is_a_lower_bound() {
        let s = source(900);
        assert_eq!(
            interval_after_failure(&s, &poll(), 1, Some(mins(90))),
            mins(90)
        );
        assert_eq!(
            interval_after_failure(&s, &poll(), 3, Some(mins(5))),
            mins(60)
        );
    }

    #[test]
    fn jitter_adds_at_most_ten_percent() {
        let now = Utc.with_ymd_and_hms(2026, 11, 28, 10, 0, 0).unwrap();
        for _ in 0..200 {
            let due = next_poll(now, mins(100), &Hints::default());
            let minutes = (due - now).num_seconds() as f64 / 60.0;
            assert!((100.0..=110.0).contains(&minutes), "{minutes}");
        }
    }

    #[test]
    fn skipped_hours_move_to_the_next_open_hour() {
        let now = Utc.with_ymd_and_hms(2026, 11, 28, 16, 30, 0).unwrap();
        let hints = Hints {
            skip_hours: (17..24).collect(),
            ..Hints::default()
        };
        let due = outside_skips(now + chrono::Duration::hours(1), &hints);
        assert_eq!(due, Utc.with_ymd_and_hms(2026, 11, 29, 0, 0, 0).unwrap());
    }

    #[test]
    fn skipped_day_moves_to_the_next_day() {
        // 2026-11-28 is a Saturday.
        let sat = Utc.with_ymd_and_hms(2026, 11, 28, 9, 15, 0).unwrap();
        let hints = Hints {
            skip_days: vec![Weekday::Sat, Weekday::Sun],
            ..Hints::default()
        };
        assert_eq!(
            outside_skips(sat, &hints),
            Utc.with_ymd_and_hms(2026, 11, 30, 0, 0, 0).unwrap()
        );
    }
}
