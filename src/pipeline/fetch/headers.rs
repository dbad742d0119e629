//! What response headers say about the next request: `Retry-After`,
//! `Cache-Control: max-age`, `Expires`. Pure functions of header values.

use std::time::Duration;

use chrono::{DateTime, Utc};

/// An HTTP date (IMF-fixdate, RFC 850 or asctime, as RFC 9110 requires a
/// recipient to accept).
pub fn parse_http_date(value: &str) -> Option<DateTime<Utc>> {
    httpdate::parse_http_date(value.trim())
        .ok()
        .map(DateTime::<Utc>::from)
}

pub fn format_http_date(t: DateTime<Utc>) -> String {
    httpdate::fmt_http_date(t.into())
}

/// `Retry-After`: delay-seconds or an HTTP date, as a delay from `now`.
/// A date in the past means "now".
pub fn retry_after(value: &str, now: DateTime<Utc>) -> Option<Duration> {
    let value = value.trim();
    if let Ok(seconds) = value.parse::<u64>() {
        return Some(Duration::from_secs(seconds));
    }
    let at = parse_http_date(value)?;
    Some((at - now).to_std().unwrap_or_default())
}

/// How long the response stays fresh: `Cache-Control: max-age` (or
/// `s-maxage`), else `Expires` minus `Date` (or minus `now` without a
/// Date). `no-cache` / `no-store` say nothing about polling frequency, so
/// they give `None` rather than zero.
pub fn freshness(
    cache_control: Option<&str>,
    expires: Option<&str>,
    date: Option<&str>,
    now: DateTime<Utc>,
) -> Option<Duration> {
    if let Some(cc) = cache_control {
        let max_age = cc.split(',').find_map(|directive| {
            let (name, value) = directive.trim().split_once('=')?;
            matches!(
                name.trim().to_ascii_lowercase().as_str(),
                "max-age" | "s-maxage"
            )
            .then(|| value.trim().trim_matches('"').parse::<u64>().ok())
            .flatten()
        });
        if let Some(seconds) = max_age {
            return Some(Duration::from_secs(seconds));
        }
    }
    let expires = parse_http_date(expires?)?;
    let origin = date.and_then(parse_http_date).unwrap_or(now);
    (expires - origin).to_std().ok()
}

#[cfg(test)]
mod tests {
    use super::*;

    fn now() -> DateTime<Utc> {
        parse_http_date("Sat, 28 Nov 2026 10:00:00 GMT").unwrap()
    }

    #[test]
    fn retry_after_seconds() {
        assert_eq!(retry_after(" 120 ", now()), Some(Duration::from_secs(120)));
    }

    #[test]
    fn retry_after_http_date() {
        assert_eq!(
            retry_after("Sat, 28 Nov 2026 11:30:00 GMT", now()),
            Some(Duration::from_secs(5400))
        );
    }

    #[test]
    fn retry_after_past_date_is_now() {
        assert_eq!(
            retry_after("Sat, 28 Nov 2026 09:00:00 GMT", now()),
            Some(Duration::ZERO)
        );
    }

    #[test]
    fn retry_after_garbage_is_none() {
        assert_eq!(retry_after("soon", now()), None);
    }

    #[test]
    fn max_age_wins_over_expires() {
        let f = freshness(
            Some("public, max-age=1800"),
            Some("Sat, 28 Nov 2026 12:00:00 GMT"),
            None,
            now(),
        );
        assert_eq!(f, Some(Duration::from_secs(1800)));
    }

    #[test]
    fn expires_counts_from_date_header() {
        let f = freshness(
            None,
            Some("Sat, 28 Nov 2026 12:00:00 GMT"),
            Some("Sat, 28 Nov 2026 11:00:00 GMT"),
            now(),
        );
        assert_eq!(f, Some(Duration::from_secs(3600)));
    }

    #[test]
    fn no_cache_says_nothing() {
        assert_eq!(freshness(Some("no-cache"), None, None, now()), None);
    }
}
