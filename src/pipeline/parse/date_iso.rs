//! ISO 8601's compact date forms, spelled out for [`super::date`].
//!
//! W3C-DTF and RFC 3339 (`2003-12-31T10:14:55Z`) are read by the date
//! scan itself. ISO 8601 has more spellings that feeds use and feedparser
//! reads: the basic format (`20031231T101010Z`), week dates (`2003-W52-1`,
//! `2003W521`), ordinal dates (`2003-365`, `2003365`), reduced precision
//! (`2003-12`, `2003`) and ISO 8601:2000's two-digit years (`031231`,
//! `03335`, `-0312`). This module recognises those shapes on the whole
//! text and rewrites them as the extended `yyyy-mm-ddThh:mm:ss` the scan
//! reads; anything else is left alone. No I/O, no guessing: a shape that
//! names no real day is `None`.

use chrono::{NaiveDate, Weekday};

use super::date::two_digit_year_near;

/// The text spelled as an extended ISO date, when it is one of the compact
/// forms; `None` when it is not (the caller reads it as written). `year` is
/// the year two-digit years are read near.
pub fn extended(text: &str, year: i32) -> Option<String> {
    let text = text.trim();
    if !text.is_ascii() {
        return None;
    }
    let (date, time) = match text.find(['T', 't']) {
        Some(at) => (&text[..at], Some(&text[at + 1..])),
        None => (text, None),
    };
    let day = compact_date(date, year)?;
    let mut out = day.format("%Y-%m-%d").to_string();
    if let Some(time) = time {
        out.push('T');
        out.push_str(&extended_time(time));
    }
    Some(out)
}

/// The date part when it is a compact form; `None` for the extended
/// `yyyy-mm-dd` (already readable) and for anything else.
fn compact_date(date: &str, near: i32) -> Option<NaiveDate> {
    let b = date.as_bytes();
    let digits = |s: &str| !s.is_empty() && s.bytes().all(|c| c.is_ascii_digit());
    let num = |s: &str| s.parse::<u32>().ok();
    let year4 = |s: &str| s.parse::<i32>().ok();
    let year2 = |s: &str| i32::try_from(two_digit_year_near(num(s)?, near)?).ok();
    match (b.len(), date) {
        // yyyy
        (4, _) if digits(date) => NaiveDate::from_ymd_opt(year4(date)?, 1, 1),
        // yyyy-mm
        (7, _) if b[4] == b'-' && digits(&date[..4]) && digits(&date[5..]) => {
            NaiveDate::from_ymd_opt(year4(&date[..4])?, num(&date[5..])?, 1)
        }
        // yyyymmdd
        (8, _) if digits(date) => {
            NaiveDate::from_ymd_opt(year4(&date[..4])?, num(&date[4..6])?, num(&date[6..])?)
        }
        // yyyy-ddd and yyyyddd, ordinal
        (8, _) if b[4] == b'-' && digits(&date[..4]) && digits(&date[5..]) => {
            NaiveDate::from_yo_opt(year4(&date[..4])?, num(&date[5..])?)
        }
        (7, _) if digits(date) => NaiveDate::from_yo_opt(year4(&date[..4])?, num(&date[4..])?),
        // yymmdd and yyddd (ISO 8601:2000)
        (6, _) if digits(date) => {
            NaiveDate::from_ymd_opt(year2(&date[..2])?, num(&date[2..4])?, num(&date[4..])?)
        }
        (5, _) if digits(date) => NaiveDate::from_yo_opt(year2(&date[..2])?, num(&date[2..])?),
        // -yymm and -yy-mm (ISO 8601:2000, year and month)
        (5, _) if b[0] == b'-' && digits(&date[1..]) => {
            NaiveDate::from_ymd_opt(year2(&date[1..3])?, num(&date[3..])?, 1)
        }
        (6, _) if b[0] == b'-' && b[3] == b'-' && digits(&date[1..3]) && digits(&date[4..]) => {
            NaiveDate::from_ymd_opt(year2(&date[1..3])?, num(&date[4..])?, 1)
        }
        _ => week_date(date),
    }
}

/// `yyyy-Www[-d]` or `yyyyWww[d]`; a week without a day is its Monday.
fn week_date(date: &str) -> Option<NaiveDate> {
    let (year, rest) = date.split_at_checked(4)?;
    let rest = rest.strip_prefix('-').unwrap_or(rest);
    let rest = rest.strip_prefix(['W', 'w'])?;
    let (week, day) = match rest.as_bytes() {
        [_, _] => (rest, "1"),
        [_, _, b'-', _] => (&rest[..2], &rest[3..]),
        [_, _, _] if !date.contains('-') => (&rest[..2], &rest[2..]),
        _ => return None,
    };
    if !(year.bytes().all(|c| c.is_ascii_digit()) && week.bytes().all(|c| c.is_ascii_digit())) {
        return None;
    }
    let weekday = match day.parse::<u8>().ok()? {
        n @ 1..=7 => Weekday::try_from(n - 1).ok()?,
        _ => return None,
    };
    NaiveDate::from_isoywd_opt(year.parse().ok()?, week.parse().ok()?, weekday)
}

/// The time part with a basic-format clock (`101010`, `1010`, `101010.5`)
/// given its colons; anything else as it was.
fn extended_time(time: &str) -> String {
    let clock_len = time.bytes().take_while(u8::is_ascii_digit).count();
    let (clock, rest) = time.split_at(clock_len);
    let spelled = match clock_len {
        4 => format!("{}:{}", &clock[..2], &clock[2..]),
        6 => format!("{}:{}:{}", &clock[..2], &clock[2..4], &clock[4..]),
        _ => clock.to_string(),
    };
    // A basic-format offset, "+0700", is read by the scan as it is.
    format!("{spelled}{rest}")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn basic_format_gets_its_separators() {
        assert_eq!(
            extended("20031231T101010Z", 2026).as_deref(),
            Some("2003-12-31T10:10:10Z")
        );
    }

    #[test]
    fn extended_dates_are_left_to_the_scan() {
        assert_eq!(extended("2003-12-31T10:14:55Z", 2026), None);
        assert_eq!(extended("05/08/2021", 2026), None);
    }

    #[test]
    fn week_without_day_is_its_monday() {
        assert_eq!(extended("2003-W52", 2026).as_deref(), Some("2003-12-22"));
    }

    #[test]
    fn week_53_of_a_52_week_year_is_none() {
        assert_eq!(extended("2003-W53-1", 2026), None);
    }
}
