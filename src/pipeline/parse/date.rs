//! Date parsing for feeds and portal pages.
//!
//! This module turns the date spellings found in Vietnamese RSS/Atom feeds and
//! HTML pages (RFC 3339, RFC 822/2822 and the portals' own `dd/mm/yyyy` forms,
//! with Vietnamese weekday words and SA/CH meridiems) into UTC instants. A
//! date without a zone is Vietnamese local time (+07:00).
//!
//! It never does I/O, never decodes HTML entities (the caller does), and never
//! guesses: a date with no year, an impossible date or an unknown spelling is
//! `None`, not a best effort. The one choice it cannot make alone, whether
//! `9/5/2026` is day/month or month/day, is the caller's [`Reading`]: a
//! document settles it for all its dates ([`super::date_order`]).
//!
//! The parser is hand-written because feed-rs's own lenient parser returns
//! nothing for the non-RFC spellings, and chrono's format strings cannot
//! express the optional pieces (weekday words in any case or Unicode form,
//! time before or after the date, zone in a dozen spellings). It tokenizes
//! the text, picks out a date, a zone and a time wherever they stand, and
//! accepts the result only if every token left over is known noise
//! (weekday words, `ngày`, separators).

use crate::model::DateOrder;
use chrono::{DateTime, Datelike, FixedOffset, NaiveDate, NaiveDateTime, NaiveTime, TimeZone, Utc};

use super::date_iso;
use super::date_zones::zone_minutes;

use crate::model::VIETNAM;

/// Years outside this range are typos or epoch placeholders, not news dates.
const YEARS: std::ops::RangeInclusive<u32> = 1990..=2100;

/// Vietnam's offset: Asia/Ho_Chi_Minh is +07:00 all year (no DST), so a zone-less date is read in it.
pub fn vietnam() -> FixedOffset {
    VIETNAM
}

/// How to read the choices a spelling leaves open.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Reading {
    /// The order of an all-numeric date whose numbers could both be a month
    /// (`9/5/2026`). A date only one order can read (`13/5/2026`) is read
    /// that way whatever this says.
    pub order: DateOrder,
    /// The year a two-digit year is read near (the fetch's year).
    pub year: i32,
}

impl Reading {
    /// `order`, with two-digit years read near `now`.
    pub fn new(order: DateOrder, now: DateTime<Utc>) -> Reading {
        Reading {
            order,
            year: now.year(),
        }
    }
}

/// What a date's spelling says about the day/month order.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Evidence {
    /// Nothing: the date reads the same either way (RFC 822, ISO 8601,
    /// `5/5/2026`), or is not a date.
    None,
    /// Only this order reads it (`28/8/2026`, `8/28/2026`).
    Settles(DateOrder),
    /// Both orders read it, as different days (`9/5/2026`).
    Open,
}

/// Parses a date as feeds and portals write it, day first when the
/// spelling leaves the order open; `None` when it is not a date this knows.
pub fn parse_date(text: &str) -> Option<DateTime<Utc>> {
    parse_date_as(text, Reading::new(DateOrder::DayFirst, Utc::now()))
}

/// Parses a date the way `reading` says for what the spelling leaves open.
pub fn parse_date_as(text: &str, reading: Reading) -> Option<DateTime<Utc>> {
    weigh(text, reading).0
}

/// Parses a date as [`parse_date_as`] does, and says what its spelling
/// shows about the day/month order (nothing when it is not a date).
pub fn weigh(text: &str, reading: Reading) -> (Option<DateTime<Utc>>, Evidence) {
    // ISO 8601's compact forms (basic, week, ordinal, reduced) are first
    // spelled out as the extended `yyyy-mm-dd` the scan below reads.
    let spelled = date_iso::extended(text, reading.year);
    let mut scan = Scan::new(spelled.as_deref().unwrap_or(text), reading);
    match scan.read() {
        Some(read) => (Some(read), scan.evidence.get()),
        None => (None, Evidence::None),
    }
}

impl Scan {
    fn read(&mut self) -> Option<DateTime<Utc>> {
        let scan = self;
        let (y, m, d) = scan.find(Scan::date_at).or_else(|| scan.asctime())?;
        let named_zone = scan.find(Scan::zone_at);
        let time = scan.find(Scan::time_at);
        // A numeric offset only counts right after the time ("09:10:00 +0700"),
        // so a dash before a date ("09:15 - 05/08/2021") is never read as one.
        let numeric_zone = time.as_ref().and_then(|t| scan.offset_after(t.end));
        if !scan.only_noise_left() || !YEARS.contains(&y) {
            return None;
        }
        let date = NaiveDate::from_ymd_opt(i32::try_from(y).ok()?, m, d)?;
        let time = time.map_or(Some(NaiveTime::MIN), |t| t.to_naive())?;
        // RFC 2822 allows "+0700 (ICT)": the number wins over the comment.
        let offset = numeric_zone
            .or(named_zone)
            .map_or(Some(VIETNAM), FixedOffset::east_opt)?;
        let local = offset.from_local_datetime(&NaiveDateTime::new(date, time));
        Some(local.single()?.with_timezone(&Utc))
    }
}

enum Tok {
    Num(String),
    Word(String),
    Punct(char),
}

/// Accented Vietnamese letters (lowercase, precomposed) and their base letter.
const FOLDS: [(char, &str); 7] = [
    ('a', "àáảãạăằắẳẵặâầấẩẫậ"),
    ('d', "đ"),
    ('e', "èéẻẽẹêềếểễệ"),
    ('i', "ìíỉĩị"),
    ('o', "òóỏõọôồốổỗộơờớởỡợ"),
    ('u', "ùúủũụưừứửữự"),
    ('y', "ỳýỷỹỵ"),
];

/// Lowercases, drops accents (precomposed or NFD combining marks) and splits
/// into digit runs, letter runs and single punctuation; whitespace only splits.
fn tokenize(text: &str) -> Vec<Tok> {
    let mut toks = Vec::new();
    let mut gap = true;
    for c in text.chars().flat_map(char::to_lowercase) {
        if ('\u{300}'..='\u{36f}').contains(&c) {
            continue; // NFD accent: the base letter before it is kept
        }
        if c.is_whitespace() || c == '\u{200b}' || c == '\u{feff}' {
            gap = true; // covers U+00A0, tabs, thin spaces, zero-width spaces
            continue;
        }
        let c = if c.is_ascii() {
            c
        } else {
            FOLDS.iter().find(|(_, v)| v.contains(c)).map_or(c, |f| f.0)
        };
        match toks.last_mut() {
            Some(Tok::Num(s)) if !gap && c.is_ascii_digit() => s.push(c),
            Some(Tok::Word(s)) if !gap && c.is_alphabetic() => s.push(c),
            _ if c.is_ascii_digit() => toks.push(Tok::Num(c.to_string())),
            _ if c.is_alphabetic() => toks.push(Tok::Word(c.to_string())),
            _ => toks.push(Tok::Punct(c)),
        }
        gap = false;
    }
    toks
}

/// Words that may surround a date and carry nothing we use: weekdays (wrong
/// ones are common), "ngày" (day), "lúc" (at) and English "at", the ISO
/// `T`. Accents are folded.
const NOISE: &str = "mon tue wed thu fri sat sun monday tuesday wednesday thursday friday \
    saturday sunday hai ba tu nam sau bay chu nhat cn ngay luc t at";

const MONTHS: &str = "january february march april may june july august september october \
    november december";

/// A time as written, before validation.
#[derive(Default)]
struct Clock {
    hour: u32,
    min: u32,
    sec: u32,
    nano: u32,
    pm: Option<bool>,
    /// Index of the first token after the time (and its SA/CH/AM/PM).
    end: usize,
}

impl Clock {
    fn to_naive(&self) -> Option<NaiveTime> {
        let hour = match (self.pm, self.hour) {
            (None, h) => h,
            (Some(false), 12) => 0,
            (Some(true), 12) => 12,
            (Some(pm), h @ 1..=11) => h + if pm { 12 } else { 0 },
            _ => return None, // "00:15 SA", "13:00 CH": not a 12-hour clock
        };
        let sec = Some(self.sec).filter(|s| *s < 60)?; // no leap seconds
        NaiveTime::from_hms_nano_opt(hour, self.min, sec, self.nano)
    }
}

/// Tokens plus which of them a recognised piece has consumed.
struct Scan {
    toks: Vec<Tok>,
    used: Vec<bool>,
    reading: Reading,
    /// Set by [`Scan::month_day`]; a cell because `date_at` only looks.
    evidence: std::cell::Cell<Evidence>,
}

/// A two-digit year, by a sliding window: the year ending in those digits
/// that falls from 80 years before `near` to 19 after it (the window
/// java.text.SimpleDateFormat uses). In 2026, `21` is 2021, `45` is 2045
/// and `85` is 1985, which [`YEARS`] then refuses.
pub(super) fn two_digit_year_near(yy: u32, near: i32) -> Option<u32> {
    let yy = i32::try_from(yy).ok()?;
    let low = near - 80;
    let year = low + (yy - low).rem_euclid(100);
    u32::try_from(year).ok()
}

impl Scan {
    fn new(text: &str, reading: Reading) -> Self {
        let toks = tokenize(text);
        let used = vec![false; toks.len()];
        Scan {
            toks,
            used,
            reading,
            evidence: std::cell::Cell::new(Evidence::None),
        }
    }

    /// A year as written: four digits, or two read by [`two_digit_year_near`].
    fn year(&self, (y, len): (u32, usize)) -> Option<u32> {
        match len {
            4 => Some(y),
            2 => two_digit_year_near(y, self.reading.year),
            _ => None,
        }
    }

    /// Month and day of two numbers that could be either, by the reading's
    /// order; a number over 12 can only be the day. Notes the evidence.
    fn month_day(&self, p: u32, q: u32) -> (u32, u32) {
        let (order, evidence) = match (p > 12, q > 12) {
            (true, false) => (DateOrder::DayFirst, Evidence::Settles(DateOrder::DayFirst)),
            (false, true) => (
                DateOrder::MonthFirst,
                Evidence::Settles(DateOrder::MonthFirst),
            ),
            (false, false) if p != q => (self.reading.order, Evidence::Open),
            _ => (self.reading.order, Evidence::None),
        };
        self.evidence.set(evidence);
        match order {
            DateOrder::DayFirst => (q, p),
            DateOrder::MonthFirst => (p, q),
        }
    }

    /// First position where `at` matches; marks its tokens used.
    fn find<T>(&mut self, at: fn(&Self, usize) -> Option<(T, usize)>) -> Option<T> {
        let (i, (found, len)) = (0..self.toks.len()).find_map(|i| Some((i, at(self, i)?)))?;
        self.used[i..i + len].fill(true);
        Some(found)
    }

    fn free(&self, i: usize) -> Option<&Tok> {
        self.toks
            .get(i)
            .filter(|_| self.used.get(i) == Some(&false))
    }

    fn digits(&self, i: usize) -> Option<&str> {
        match self.free(i)? {
            Tok::Num(s) => Some(s),
            _ => None,
        }
    }

    /// Value and digit count of a free number token.
    fn num(&self, i: usize) -> Option<(u32, usize)> {
        let s = self.digits(i)?;
        Some((s.parse().ok()?, s.len()))
    }

    fn word(&self, i: usize) -> Option<&str> {
        match self.free(i)? {
            Tok::Word(s) => Some(s),
            _ => None,
        }
    }

    fn punct(&self, i: usize) -> Option<char> {
        match self.free(i)? {
            Tok::Punct(c) => Some(*c),
            _ => None,
        }
    }

    /// 1-based month of an English month name or an abbreviation of it ("aug", "sept").
    fn month(&self, i: usize) -> Option<u32> {
        let w = self.word(i)?;
        let mut names = (1..).zip(MONTHS.split_whitespace());
        names
            .find(|(_, m)| w.len() >= 3 && m.starts_with(w))
            .map(|(n, _)| n)
    }

    /// `(year, month, day)` starting at `i`, unvalidated.
    fn date_at(&self, i: usize) -> Option<((u32, u32, u32), usize)> {
        let sep = self.punct(i + 1).filter(|s| matches!(s, '/' | '-' | '.'));
        if sep.is_some()
            && sep == self.punct(i + 3)
            && let (Some(a), Some(b), Some(c)) = (self.num(i), self.num(i + 2), self.num(i + 4))
        {
            match (a, b, c) {
                // Google once wrote a three-digit month ("2003-012-31").
                ((y, 4), (m, 1..=3), (d, 1..=2)) => return Some(((y, m, d), 5)),
                ((p, 1..=2), (q, 1..=2), (y, 4)) => {
                    let (m, d) = self.month_day(p, q);
                    return Some(((y, m, d), 5));
                }
                // "05/08/21"; with dashes two digits first is ISO's
                // yy-mm-dd as often as a day, so that is left unread.
                ((p, 1..=2), (q, 1..=2), y @ (_, 2)) if sep != Some('-') => {
                    let year = self.year(y)?;
                    let (m, d) = self.month_day(p, q);
                    return Some(((year, m, d), 5));
                }
                _ => {}
            }
        }
        // RFC 822 "4 Aug 2021" / "04 August 21" / "13 Feb, 2012".
        if let (Some((d, 1..=2)), Some(m)) = (self.num(i), self.month(i + 1)) {
            let comma = usize::from(self.punct(i + 2) == Some(','));
            if let Some(y) = self.num(i + 2 + comma) {
                return Some(((self.year(y)?, m, d), 3 + comma));
            }
        }
        // "August 4, 2021".
        let (m, (d, 1..=2)) = (self.month(i)?, self.num(i + 1)?) else {
            return None;
        };
        let comma = usize::from(self.punct(i + 2) == Some(','));
        match self.num(i + 2 + comma)? {
            (y, 4) => Some(((y, m, d), 3 + comma)),
            _ => None,
        }
    }

    /// asctime, "Sun Jan  4 16:29:06 2004" (or with a zone before the
    /// year): a month and day, and a year after the time. Marks the three
    /// used.
    fn asctime(&mut self) -> Option<(u32, u32, u32)> {
        let i = (0..self.toks.len())
            .find(|&i| self.month(i).is_some() && matches!(self.num(i + 1), Some((_, 1..=2))))?;
        let (m, (d, _)) = (self.month(i)?, self.num(i + 1)?);
        // The year is the last four-digit number that is not an offset.
        let j = (i + 2..self.toks.len()).rev().find(|&j| {
            matches!(self.num(j), Some((y, 4)) if YEARS.contains(&y))
                && !matches!(self.punct(j.wrapping_sub(1)), Some('+' | '-'))
        })?;
        let (y, _) = self.num(j)?;
        self.used[i..i + 2].fill(true);
        self.used[j] = true;
        Some((y, m, d))
    }

    /// `HH:MM[:SS[.fff]] [SA|CH|AM|PM]` starting at `i`, unvalidated.
    fn time_at(&self, i: usize) -> Option<(Clock, usize)> {
        let ((hour, 1..=2), ':', (min, 2)) = (self.num(i)?, self.punct(i + 1)?, self.num(i + 2)?)
        else {
            return None;
        };
        let mut t = Clock {
            hour,
            min,
            end: i + 3,
            ..Clock::default()
        };
        if let (Some(':'), Some((sec, 2))) = (self.punct(t.end), self.num(t.end + 1)) {
            t.sec = sec;
            t.end += 2;
            // ISO 8601 allows a comma before the fraction as well.
            if let (Some('.' | ','), Some(frac)) = (self.punct(t.end), self.digits(t.end + 1)) {
                // Nanoseconds: first nine digits, right-padded ("123" -> 123_000_000).
                let nine: String = frac.chars().chain(std::iter::repeat('0')).take(9).collect();
                t.nano = nine.parse().ok()?;
                t.end += 2;
            }
        }
        t.pm = match self.word(t.end) {
            Some("sa" | "am") => Some(false),
            Some("ch" | "pm") => Some(true),
            _ => None,
        };
        t.end += usize::from(t.pm.is_some());
        // "1:30 p.m." / "a.m."
        if t.pm.is_none()
            && let (Some(ap @ ("a" | "p")), Some('.'), Some("m")) = (
                self.word(t.end),
                self.punct(t.end + 1),
                self.word(t.end + 2),
            )
        {
            t.pm = Some(ap == "p");
            t.end += 3 + usize::from(self.punct(t.end + 3) == Some('.'));
        }
        let len = t.end - i;
        Some((t, len))
    }

    /// A named zone (seconds east of UTC), with an offset after GMT/UTC
    /// ("GMT+7"), or the tz database's `Etc/GMT+7`, whose sign is POSIX's:
    /// `Etc/GMT+7` is seven hours *behind* UTC.
    fn zone_at(&self, i: usize) -> Option<(i32, usize)> {
        if self.word(i) == Some("etc")
            && self.punct(i + 1) == Some('/')
            && matches!(self.word(i + 2), Some("gmt" | "utc" | "ut" | "uct"))
        {
            return match self.offset_at(i + 3) {
                Some((secs, len)) => Some((-secs, len + 3)),
                None => Some((0, 3)),
            };
        }
        let word = self.word(i)?;
        // A lone letter before a dot is "a.m." / "p.m.", not a zone.
        if word.len() == 1 && self.punct(i + 1) == Some('.') {
            return None;
        }
        // "at" is also the English word before a time ("August 4, 2021 at
        // 9:10 am"); as Atlantic time it follows one ("16:31:00 AT").
        let after_time = i >= 2
            && matches!(self.toks.get(i - 1), Some(Tok::Num(_)))
            && matches!(self.toks.get(i - 2), Some(Tok::Punct(':')));
        if word == "at" && !after_time {
            return None;
        }
        let minutes = zone_minutes(word)?;
        match self.offset_at(i + 1) {
            Some((secs, len)) if minutes == 0 && word != "z" => Some((secs, len + 1)),
            _ => Some((minutes * 60, 1)),
        }
    }

    /// `+07`, `+7`, `+0700`, `+07:00` (or `-`) at `i`.
    fn offset_at(&self, i: usize) -> Option<(i32, usize)> {
        let sign = match self.punct(i)? {
            '+' => 1,
            '-' => -1,
            _ => return None,
        };
        let (h, m, len) = match (self.num(i + 1)?, self.punct(i + 2), self.num(i + 3)) {
            ((hm, 4), _, _) => (hm / 100, hm % 100, 2),
            ((h, 1..=2), Some(':'), Some((m, 2))) => (h, m, 4),
            ((h, 1..=2), _, _) => (h, 0, 2),
            _ => return None,
        };
        let secs = i32::try_from(h * 3600 + m * 60).ok().filter(|_| m < 60)?;
        Some((sign * secs, len))
    }

    /// Consumes a numeric offset starting at `i`, if there is one.
    fn offset_after(&mut self, i: usize) -> Option<i32> {
        let (secs, len) = self.offset_at(i)?;
        self.used[i..i + len].fill(true);
        Some(secs)
    }

    /// True when every unconsumed token is punctuation, a noise word, or the
    /// number of "Thứ 5" / "T5".
    fn only_noise_left(&self) -> bool {
        (0..self.toks.len()).all(|i| match self.free(i) {
            None => true,
            Some(Tok::Punct(c)) => matches!(c, ',' | '-' | '–' | '—' | '|' | '(' | ')' | '.'),
            Some(Tok::Word(w)) => NOISE.split_whitespace().any(|n| n == w),
            Some(Tok::Num(n)) => {
                let after_thu = i.checked_sub(1).and_then(|p| self.word(p));
                matches!(n.as_str(), "2" | "3" | "4" | "5" | "6" | "7")
                    && matches!(after_thu, Some("thu" | "t"))
            }
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// `want` is an RFC 3339 instant (any offset) or "None".
    fn check(input: &str, want: &str) {
        let got = parse_date(input);
        let want = (want != "None").then(|| {
            DateTime::parse_from_rfc3339(want)
                .unwrap()
                .with_timezone(&Utc)
        });
        assert_eq!(got, want, "input {input:?}");
    }

    macro_rules! cases {
        ($($name:ident { $($input:expr => $want:expr),+ $(,)? })+) => {
            $(#[test] fn $name() { $(check($input, $want);)+ })+
        };
    }

    cases! {
        rfc3339_forms {
            "2021-08-04T09:10:00+07:00" => "2021-08-04T09:10:00+07:00",
            "2021-08-04T02:10:00Z" => "2021-08-04T02:10:00Z",
            "2021-08-04t02:10:00.123456z" => "2021-08-04T02:10:00.123456Z",
            "2021-08-04 09:10:00-05:00" => "2021-08-04T09:10:00-05:00",
            "2021-08-04T09:10+07:00" => "2021-08-04T09:10:00+07:00",
        }
        zone_less_is_plus_0700 {
            "2021-08-04T09:10:00" => "2021-08-04T09:10:00+07:00",
            "2021-08-04 09:10:00" => "2021-08-04T09:10:00+07:00",
            "2021-08-04" => "2021-08-04T00:00:00+07:00",
            "Wed, 04 Aug 2021 09:10:00" => "2021-08-04T09:10:00+07:00",
        }
        rfc822_numeric_zone {
            "Wed, 04 Aug 2021 09:10:00 +0700" => "2021-08-04T09:10:00+07:00",
            "04 Aug 2021 09:10:00 +0700" => "2021-08-04T09:10:00+07:00",
            "Wed, 4 Aug 2021 09:10:00 -0400" => "2021-08-04T09:10:00-04:00",
            "Wed, 04 Aug 21 09:10 +07:00" => "2021-08-04T09:10:00+07:00",
            "Mon, 04 August 2021 09:10:00 +07" => "2021-08-04T09:10:00+07:00",
            "Wed, 04 Aug 2021 09:10:00 +0000 (ICT)" => "2021-08-04T09:10:00Z",
            "August 4, 2021 09:10" => "2021-08-04T09:10:00+07:00",
        }
        rfc822_gmt_is_utc {
            "Wed, 04 Aug 2021 02:10:00 GMT" => "2021-08-04T02:10:00Z",
            "Wed, 04 Aug 2021 02:10:00 UT" => "2021-08-04T02:10:00Z",
            "wed, 04 AUG 2021 02:10:00 utc" => "2021-08-04T02:10:00Z",
            "Wed, 04 Aug 2021 02:10:00 Z" => "2021-08-04T02:10:00Z",
        }
        rfc822_named_zones {
            "Wed, 04 Aug 2021 09:10:00 ICT" => "2021-08-04T09:10:00+07:00",
            "Tue, 03 Aug 2021 22:10:00 EDT" => "2021-08-03T22:10:00-04:00",
            "Tue, 03 Aug 2021 22:10:00 PST" => "2021-08-03T22:10:00-08:00",
            "Wed, 04 Aug 2021 09:10:00 GMT+7" => "2021-08-04T09:10:00+07:00",
            "Wed, 04 Aug 2021 09:10:00 GMT+07:00" => "2021-08-04T09:10:00+07:00",
            "Wed, 04 Aug 2021 09:10:00 (GMT+7)" => "2021-08-04T09:10:00+07:00",
            "Wed, 04 Aug 2021 09:10:00 GMT+0700" => "2021-08-04T09:10:00+07:00",
        }
        portal_numeric_dates {
            "05/08/2021" => "2021-08-05T00:00:00+07:00",
            "5/8/2021" => "2021-08-05T00:00:00+07:00",
            "05/08/2021 09:15" => "2021-08-05T09:15:00+07:00",
            "05/08/2021 09:15:30" => "2021-08-05T09:15:30+07:00",
            "05-08-2021 09:15" => "2021-08-05T09:15:00+07:00",
            "05.08.2021" => "2021-08-05T00:00:00+07:00",
        }
        portal_time_first {
            "09:15 05/08/2021" => "2021-08-05T09:15:00+07:00",
            "09:15 - 05/08/2021" => "2021-08-05T09:15:00+07:00",
            "9:15, 05/08/2021" => "2021-08-05T09:15:00+07:00",
        }
        portal_time_after_separator {
            "05/08/2021 - 09:15" => "2021-08-05T09:15:00+07:00",
            "05/08/2021 | 09:15" => "2021-08-05T09:15:00+07:00",
            "05/08/2021 09:15 (GMT+7)" => "2021-08-05T09:15:00+07:00",
        }
        weekday_vietnamese_dash_time {
            "Thứ Hai, 05/08/2021 - 09:15" => "2021-08-05T09:15:00+07:00",
            "Thứ hai, ngày 5/8/2021" => "2021-08-05T00:00:00+07:00",
            "THỨ HAI, 05/08/2021 09:15" => "2021-08-05T09:15:00+07:00",
            "Thứ 5, 28/05/2026 17:00:00 GMT+7" => "2026-05-28T17:00:00+07:00",
            "Chủ nhật, 01/08/2021 08:00" => "2021-08-01T08:00:00+07:00",
            "Chủ Nhật, 01/08/2021" => "2021-08-01T00:00:00+07:00",
            "CN, 01/08/2021" => "2021-08-01T00:00:00+07:00",
            "T2, 02/08/2021 07:00" => "2021-08-02T07:00:00+07:00",
            "Ngày 05/08/2021" => "2021-08-05T00:00:00+07:00",
        }
        weekday_nfd_input {
            "Thu\u{31b}\u{301} hai, 05/08/2021 09:15" => "2021-08-05T09:15:00+07:00",
            "Chu\u{309} nha\u{302}\u{323}t, 01/08/2021" => "2021-08-01T00:00:00+07:00",
        }
        sa_ch_morning {
            "05/08/2021 09:15 SA" => "2021-08-05T09:15:00+07:00",
            "05/08/2021 12:05 SA" => "2021-08-05T00:05:00+07:00",
        }
        sa_ch_afternoon {
            "05/08/2021 09:15 CH" => "2021-08-05T21:15:00+07:00",
            "05/08/2021 12:30 CH" => "2021-08-05T12:30:00+07:00",
            "05/08/2021 09:15 PM" => "2021-08-05T21:15:00+07:00",
        }
        whitespace_is_collapsed {
            "  05/08/2021\u{a0}09:15  " => "2021-08-05T09:15:00+07:00",
            "02/08/2021\u{a0}\u{a0}08:50" => "2021-08-02T08:50:00+07:00",
            "Wed,  04\tAug 2021 09:10:00\n+0700" => "2021-08-04T09:10:00+07:00",
        }
        us_order_when_second_number_over_12 {
            "05/28/2026 05:00:00 PM" => "2026-05-28T17:00:00+07:00",
            "13/05/2026" => "2026-05-13T00:00:00+07:00",
            "05/06/2026" => "2026-06-05T00:00:00+07:00",
        }
        impossible_date_is_none {
            "31/02/2021" => "None",
            "2021-02-29" => "None",
            "05/08/2021 25:00" => "None",
            "13/13/2021" => "None",
            "05/08/2021 13:00 CH" => "None",
            "Wed, 04 Aug 2021 09:10:00 +2500" => "None",
        }
        year_out_of_range_is_none {
            "31/12/1989" => "None",
            "01/01/2101" => "None",
            "Wed, 04 Aug 85 09:10:00 GMT" => "None",
        }
        missing_year_is_none {
            "Ngày 03/8" => "None",
            "03/08 09:15" => "None",
        }
        garbage_is_none {
            "" => "None",
            "hôm qua" => "None",
            "05/08/2021 hello" => "None",
            "02/08/2021&nbsp;08:50" => "None",
            "05/08/2021 09:15 06/08/2021" => "None",
        }
    }

    fn evidence(text: &str) -> Evidence {
        let reading = Reading {
            order: DateOrder::DayFirst,
            year: 2026,
        };
        weigh(text, reading).1
    }

    #[test]
    fn a_second_number_over_12_is_evidence_of_month_first() {
        assert_eq!(
            evidence("8/28/2026 12:49:00 PM"),
            Evidence::Settles(DateOrder::MonthFirst)
        );
    }

    #[test]
    fn a_first_number_over_12_is_evidence_of_day_first() {
        assert_eq!(
            evidence("28/8/2026"),
            Evidence::Settles(DateOrder::DayFirst)
        );
    }

    #[test]
    fn two_months_apart_is_open() {
        assert_eq!(evidence("9/5/2026 1:30:00 PM"), Evidence::Open);
    }

    #[test]
    fn the_same_number_twice_is_no_evidence() {
        assert_eq!(evidence("5/5/2026"), Evidence::None);
    }

    #[test]
    fn an_impossible_date_is_no_evidence() {
        assert_eq!(evidence("2/31/2026"), Evidence::None);
    }

    #[test]
    fn vietnam_is_plus_seven() {
        assert_eq!(vietnam().local_minus_utc(), 7 * 3600);
    }
}
