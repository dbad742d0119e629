//! Times for items whose source stated none: no date at all, or a date
//! without a time of day (which the date reader reads as midnight in
//! Vietnam).
//!
//! Left as read, a portal's stories of one day would share one instant,
//! and so would every undated story of one poll: a reader could not sort
//! them, and Atom validators warn of entries with the same `updated`. So
//! each is dated when bantin saw it, on its own date, less a second per
//! place below the top of its document: portals list newest first, and the
//! feed's own order is the only order there is. A document gives dates
//! without times when every date it gives is at midnight: one CMS writes
//! all its dates alike, and a feed of real times has some that are not
//! midnight (as its day/month order is settled per document, by
//! [`crate::pipeline::parse::date_order`]). The time chosen is kept
//! while the source's date stays ([`Stated::same_date`]), so a poll does
//! not move it again.

use chrono::{DateTime, Duration, NaiveTime, SubsecRound, Utc};

use crate::model::{Item, Stated};
use crate::pipeline::parse::date::vietnam;

/// How much of a date the source stated, from the date as read: a date
/// at midnight in Vietnam may be a date without a time of day; whether it
/// is, its document says ([`place_all`]).
pub fn stated(date: Option<DateTime<Utc>>) -> Stated {
    match date {
        None => Stated::Nothing,
        Some(d) if d.with_timezone(&vietnam()).time() == NaiveTime::MIN => Stated::Day,
        Some(_) => Stated::Time,
    }
}

/// Dates a document's items, in its order (newest first), where its
/// source left the time to bantin. Midnights are dates only when all its
/// dates are midnights; else they are times like the others.
pub fn place_all(items: &mut [Item], seen: DateTime<Utc>) {
    let real_times = items.iter().any(|i| i.stated == Stated::Time);
    for (n, item) in items.iter_mut().enumerate() {
        if real_times && item.stated == Stated::Day {
            item.stated = Stated::Time;
        }
        place(item, n, seen);
    }
}

/// Dates `item`, the `place`th of its document (0 at the top), if its
/// source left the time to bantin. `seen` is when bantin fetched it.
fn place(item: &mut Item, place: usize, seen: DateTime<Utc>) {
    // Whole seconds: the feeds carry no finer time, and two stories a
    // fraction apart would print the same.
    let seen = seen.trunc_subsecs(0);
    let back = Duration::seconds(i64::try_from(place).unwrap_or(i64::MAX).min(86_399));
    match item.stated {
        Stated::Time => {}
        Stated::Nothing => item.published = seen - back,
        Stated::Day => {
            let tz = vietnam();
            let day = item.published.with_timezone(&tz).date_naive();
            let seen_local = seen.with_timezone(&tz);
            // A date after the day it was seen on (a source's clock ahead,
            // within normalize's slack) keeps its midnight: bantin's clock
            // says nothing of it.
            if day > seen_local.date_naive() {
                return;
            }
            let at_seen = day
                .and_time(seen_local.time())
                .and_local_timezone(tz)
                .single();
            if let Some(at) = at_seen {
                let at = at.with_timezone(&Utc) - back;
                item.published = at.max(item.published);
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use chrono::TimeZone;

    fn vn(y: i32, m: u32, d: u32, h: u32, min: u32, s: u32) -> DateTime<Utc> {
        vietnam()
            .with_ymd_and_hms(y, m, d, h, min, s)
            .single()
            .map(|t| t.with_timezone(&Utc))
            .unwrap_or_default()
    }

    fn item(published: DateTime<Utc>, stated: Stated) -> Item {
        Item {
            published,
            stated,
            ..Item::default()
        }
    }

    #[test]
    fn a_date_with_a_time_is_left_alone() {
        let at = vn(2026, 12, 1, 8, 30, 0);
        let mut it = item(at, stated(Some(at)));
        place(&mut it, 5, vn(2026, 12, 3, 10, 0, 0));
        assert_eq!(it.published, at);
    }

    #[test]
    fn a_days_stories_keep_the_documents_order_within_their_day() {
        let seen = vn(2026, 12, 3, 16, 50, 12);
        let midnight = vn(2026, 12, 1, 0, 0, 0);
        let dated: Vec<DateTime<Utc>> = (0..30)
            .map(|n| {
                let mut it = item(midnight, stated(Some(midnight)));
                place(&mut it, n, seen);
                it.published
            })
            .collect();
        assert_eq!(dated[0], vn(2026, 12, 1, 16, 50, 12));
        assert!(dated.windows(2).all(|w| w[0] > w[1]), "{dated:?}");
        assert!(
            dated
                .iter()
                .all(|d| d.with_timezone(&vietnam()).date_naive()
                    == midnight.with_timezone(&vietnam()).date_naive())
        );
    }

    #[test]
    fn a_date_only_item_seen_just_after_midnight_stays_on_its_day() {
        let seen = vn(2026, 12, 3, 0, 0, 3);
        let midnight = vn(2026, 12, 3, 0, 0, 0);
        let mut it = item(midnight, Stated::Day);
        place(&mut it, 10, seen);
        assert_eq!(it.published, midnight);
    }

    #[test]
    fn undated_items_are_seen_a_second_apart_in_order() {
        let seen = vn(2026, 12, 3, 9, 0, 0) + Duration::milliseconds(700);
        let mut first = item(seen, Stated::Nothing);
        let mut second = item(seen, Stated::Nothing);
        place(&mut first, 0, seen);
        place(&mut second, 1, seen);
        assert_eq!(first.published, vn(2026, 12, 3, 9, 0, 0));
        assert_eq!(second.published, vn(2026, 12, 3, 8, 59, 59));
    }

    #[test]
    fn a_date_ahead_of_the_clock_keeps_its_midnight() {
        let seen = vn(2026, 12, 3, 23, 0, 0);
        let tomorrow = vn(2026, 12, 4, 0, 0, 0);
        let mut it = item(tomorrow, Stated::Day);
        place(&mut it, 0, seen);
        assert_eq!(it.published, tomorrow);
    }

    #[test]
    fn midnights_among_real_times_are_real_times() {
        let seen = vn(2026, 12, 3, 16, 50, 12);
        let midnight = vn(2026, 12, 1, 0, 0, 0);
        let morning = vn(2026, 12, 1, 8, 15, 0);
        let mut items = vec![
            item(morning, stated(Some(morning))),
            item(midnight, stated(Some(midnight))),
        ];
        place_all(&mut items, seen);
        assert_eq!(
            (items[0].published, items[1].published),
            (morning, midnight)
        );
        assert_eq!(items[1].stated, Stated::Time);

        let mut only_days = vec![
            item(midnight, stated(Some(midnight))),
            item(seen, Stated::Nothing),
        ];
        place_all(&mut only_days, seen);
        assert_eq!(only_days[0].published, vn(2026, 12, 1, 16, 50, 12));
        assert_eq!(only_days[1].published, vn(2026, 12, 3, 16, 50, 11));
    }

    #[test]
    fn the_chosen_time_is_kept_while_the_date_stays() {
        let kept = vn(2026, 12, 1, 16, 50, 12);
        assert!(Stated::Day.same_date(kept, vn(2026, 12, 1, 17, 5, 0)));
        assert!(!Stated::Day.same_date(kept, vn(2026, 12, 2, 17, 5, 0)));
        assert!(Stated::Nothing.same_date(kept, vn(2027, 1, 1, 0, 0, 0)));
        assert!(!Stated::Time.same_date(kept, vn(2026, 12, 1, 16, 50, 13)));
    }
}
