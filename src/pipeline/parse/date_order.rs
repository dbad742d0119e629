//! The day/month order of one document's all-numeric dates.
//!
//! `9/5/2026` is 9 May to a Vietnamese portal and 5 September to a
//! US-made CMS (baochinhphu.vn writes `9/5/2026 1:30:00 PM`). A document
//! is written by one CMS, so its dates share one order, and the evidence
//! for it is in the document. [`decide`] weighs it, strongest first:
//!
//! 1. **A date only one order can read**: `28/8/2026` is day first,
//!    `8/28/2026` month first. The majority of such dates settles it.
//! 2. **Impossible readings**: an item dated after the fetch, or after the
//!    feed's own `lastBuildDate` / channel date (a day of slack for zones
//!    and clocks), rules its order out; fewer such items wins.
//! 3. **Distance**: feeds list recent items close together, so an order
//!    that puts the items clearly farther from each other, or the newest
//!    clearly farther from the channel date (or the fetch), loses. The two
//!    are weighed apart, so a document fetched years after it was written
//!    still shows its spread; when they point opposite ways, neither wins.
//!
//! When none of these speak the order is the source's `prior`: what an
//! earlier document of the same source settled, or day first for a source
//! never seen to do otherwise. No I/O: the fetch time is given.

use chrono::{DateTime, Duration, Utc};

use super::date::{Evidence, Reading, parse_date_as, weigh};
use crate::model::DateOrder;

/// Where a date string stands in its document.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Role {
    /// The feed's own date: `lastBuildDate`, channel `pubDate`, Atom feed
    /// `updated`.
    Channel,
    /// An item's date.
    Item,
}

/// The order chosen for a document and whether the document itself showed
/// it (`settled`), or it is only the prior.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Decision {
    pub order: DateOrder,
    pub settled: bool,
}

impl Decision {
    /// The lenient reading in this order, two-digit years near `fetched`.
    pub fn reading(self, fetched: DateTime<Utc>) -> Reading {
        Reading::new(self.order, fetched)
    }
}

/// Slack for zones and clocks before a date counts as after another.
fn slack() -> Duration {
    Duration::days(1)
}

/// Chooses the order of the document whose date strings are `dates`,
/// fetched at `fetched`, for a source whose earlier documents gave
/// `prior`.
pub fn decide<'a>(
    dates: impl IntoIterator<Item = (Role, &'a str)>,
    prior: DateOrder,
    fetched: DateTime<Utc>,
) -> Decision {
    decide_and_read(dates, prior, fetched).0
}

/// [`decide`], with each date as the chosen order reads it (in the order
/// given): the reading was needed to decide, and need not be done twice.
pub fn decide_and_read<'a>(
    dates: impl IntoIterator<Item = (Role, &'a str)>,
    prior: DateOrder,
    fetched: DateTime<Utc>,
) -> (Decision, Vec<Option<DateTime<Utc>>>) {
    // One reading of each date, day first: it gives the evidence, and the
    // instants of every date but the open ones month first.
    let reading = Reading::new(DateOrder::DayFirst, fetched);
    let weighed: Vec<(Role, &str, Option<DateTime<Utc>>, Evidence)> = dates
        .into_iter()
        .map(|(role, text)| {
            let (read, evidence) = weigh(text, reading);
            (role, text, read, evidence)
        })
        .collect();
    let as_day = || {
        weighed
            .iter()
            .map(|(.., read, _)| *read)
            .collect::<Vec<_>>()
    };
    let month_reading = Reading::new(DateOrder::MonthFirst, fetched);
    let as_month = || {
        weighed
            .iter()
            .map(|(_, text, read, evidence)| match evidence {
                Evidence::Open => parse_date_as(text, month_reading),
                _ => *read,
            })
            .collect::<Vec<_>>()
    };
    let decision = choose(&weighed, prior, || {
        let roles = weighed.iter().map(|(role, ..)| *role);
        (
            Fit::of(roles.clone(), &as_day(), fetched),
            Fit::of(roles, &as_month(), fetched),
        )
    });
    let read = match decision.order {
        DateOrder::DayFirst => as_day(),
        DateOrder::MonthFirst => as_month(),
    };
    (decision, read)
}

/// The decision itself; `fits` weighs both orders, only when the votes
/// leave open dates undecided.
fn choose(
    weighed: &[(Role, &str, Option<DateTime<Utc>>, Evidence)],
    prior: DateOrder,
    fits: impl FnOnce() -> (Fit, Fit),
) -> Decision {
    let (mut day_first, mut month_first, mut open) = (0usize, 0usize, false);
    for (.., evidence) in weighed {
        match evidence {
            Evidence::Settles(DateOrder::DayFirst) => day_first += 1,
            Evidence::Settles(DateOrder::MonthFirst) => month_first += 1,
            Evidence::Open => open = true,
            Evidence::None => {}
        }
    }
    let settled = |order| Decision {
        order,
        settled: true,
    };
    if day_first > month_first {
        return settled(DateOrder::DayFirst);
    }
    if month_first > day_first {
        return settled(DateOrder::MonthFirst);
    }
    let unsettled = Decision {
        order: prior,
        settled: false,
    };
    if !open {
        return unsettled;
    }
    let (day, month) = fits();
    if day.impossible != month.impossible {
        return settled(if day.impossible < month.impossible {
            DateOrder::DayFirst
        } else {
            DateOrder::MonthFirst
        });
    }
    match (nearer(day.spread, month.spread), nearer(day.age, month.age)) {
        (Some(a), Some(b)) if a != b => unsettled,
        (Some(order), _) | (None, Some(order)) => settled(order),
        (None, None) => unsettled,
    }
}

/// The order whose distance is clearly the smaller: the other's is more
/// than twice it, and by over a day, so readings about as plausible settle
/// nothing.
fn nearer(day: Duration, month: Duration) -> Option<DateOrder> {
    let clearly_worse = |a: Duration, b: Duration| a > b * 2 + slack();
    if clearly_worse(month, day) {
        Some(DateOrder::DayFirst)
    } else if clearly_worse(day, month) {
        Some(DateOrder::MonthFirst)
    } else {
        None
    }
}

/// How well the document's dates fit one order.
struct Fit {
    /// Dates this order puts after the fetch, or items after the channel
    /// date.
    impossible: usize,
    /// The items' mean distance from their median.
    spread: Duration,
    /// The newest item's distance from the channel date (or the fetch); the
    /// channel date's from the fetch when there are no items.
    age: Duration,
}

impl Fit {
    /// The fit of the document's dates (`roles` beside `read`) as one
    /// order reads them.
    fn of(
        roles: impl Iterator<Item = Role> + Clone,
        read: &[Option<DateTime<Utc>>],
        fetched: DateTime<Utc>,
    ) -> Fit {
        let read = |role| {
            roles
                .clone()
                .zip(read)
                .filter(move |(r, _)| *r == role)
                .filter_map(|(_, t)| *t)
        };
        let mut items: Vec<DateTime<Utc>> = read(Role::Item).collect();
        let channel = read(Role::Channel).max();
        let future = fetched + slack();
        let mut impossible = items.iter().filter(|t| **t > future).count();
        impossible += usize::from(channel.is_some_and(|c| c > future));
        if let Some(c) = channel {
            impossible += items.iter().filter(|t| **t > c + slack()).count();
        }
        let reference = channel.map_or(fetched, |c| c.min(fetched));
        items.sort();
        let spread = match items.get(items.len() / 2) {
            Some(median) => {
                items
                    .iter()
                    .map(|t| (*t - *median).abs())
                    .fold(Duration::zero(), |a, b| a + b)
                    / i32::try_from(items.len()).unwrap_or(i32::MAX)
            }
            None => Duration::zero(),
        };
        let age = match items.last() {
            Some(newest) => (reference - *newest).abs(),
            None => channel.map_or(Duration::zero(), |c| (fetched - c).abs()),
        };
        Fit {
            impossible,
            spread,
            age,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use chrono::TimeZone;

    fn fetched() -> DateTime<Utc> {
        Utc.with_ymd_and_hms(2026, 9, 6, 3, 0, 0).unwrap()
    }

    fn items(dates: &[&'static str]) -> Vec<(Role, &'static str)> {
        dates.iter().map(|d| (Role::Item, *d)).collect()
    }

    #[test]
    fn a_second_number_over_12_settles_month_first() {
        let dates = items(&["8/28/2026 12:49:00 PM", "9/5/2026 1:30:00 PM"]);
        let decision = decide(dates, DateOrder::DayFirst, fetched());
        assert_eq!(decision.order, DateOrder::MonthFirst);
        assert!(decision.settled);
    }

    #[test]
    fn a_first_number_over_12_settles_day_first() {
        let dates = items(&["28/8/2026 08:00", "5/9/2026 13:30"]);
        let decision = decide(dates, DateOrder::MonthFirst, fetched());
        assert_eq!(decision.order, DateOrder::DayFirst);
    }

    #[test]
    fn the_majority_of_settling_dates_wins() {
        let dates = items(&["8/28/2026", "8/29/2026", "30/8/2026"]);
        assert_eq!(
            decide(dates, DateOrder::DayFirst, fetched()).order,
            DateOrder::MonthFirst
        );
    }

    #[test]
    fn a_reading_in_the_future_loses() {
        // Fetched 6 September: 9 August (day first) is the past, 8 September
        // (month first) is two days ahead.
        let dates = items(&["9/8/2026 09:00"]);
        let decision = decide(dates, DateOrder::MonthFirst, fetched());
        assert_eq!(decision.order, DateOrder::DayFirst);
        assert!(decision.settled);
    }

    #[test]
    fn items_after_the_channel_date_lose() {
        let dates = vec![
            (Role::Channel, "Sat, 06 Jun 2026 10:00:00 +0700"),
            (Role::Item, "6/3/2026 09:00"),
            (Role::Item, "6/2/2026 09:00"),
        ];
        // Month first would be 3 June and 2 June; day first is 6 March and
        // 6 February: both before the channel date, but far from it.
        let decision = decide(dates, DateOrder::DayFirst, fetched());
        assert_eq!(decision.order, DateOrder::MonthFirst);
    }

    #[test]
    fn items_far_from_each_other_lose() {
        // Day first: 1, 2, 3 February. Month first: 2 January to 2 March.
        let dates = items(&["1/2/2026", "2/2/2026", "3/2/2026"]);
        let at = Utc.with_ymd_and_hms(2026, 2, 3, 12, 0, 0).unwrap();
        assert_eq!(
            decide(dates, DateOrder::MonthFirst, at).order,
            DateOrder::DayFirst
        );
    }

    #[test]
    fn one_numeric_date_far_from_the_others_loses_in_an_old_document() {
        // Fetched five years on, the newest item is as old either way; the
        // odd one out is 6 August among 2-9 August, not 8 June.
        let dates = items(&[
            "Mon, 02 Aug 2021 09:00:00 +0700",
            "Wed, 04 Aug 2021 07:15:00 +0700",
            "06/08/2021 14:30",
            "Sun, 08 Aug 2021 09:00:00 +0700",
            "Mon, 09 Aug 2021 08:00:00 +0700",
        ]);
        let at = Utc.with_ymd_and_hms(2026, 12, 3, 3, 0, 0).unwrap();
        let decision = decide(dates, DateOrder::MonthFirst, at);
        assert_eq!(decision.order, DateOrder::DayFirst);
        assert!(decision.settled);
    }

    #[test]
    fn ambiguous_dates_keep_the_prior() {
        let dates = items(&["3/4/2020 09:00:00 AM", "3/4/2020 10:15:00 AM"]);
        for prior in [DateOrder::DayFirst, DateOrder::MonthFirst] {
            let decision = decide(dates.clone(), prior, fetched());
            assert_eq!(
                decision,
                Decision {
                    order: prior,
                    settled: false
                }
            );
        }
    }

    #[test]
    fn a_document_without_numeric_dates_keeps_the_prior() {
        let dates = items(&["Sat, 05 Sep 2026 06:30:00 GMT"]);
        let decision = decide(dates, DateOrder::MonthFirst, fetched());
        assert_eq!(decision.order, DateOrder::MonthFirst);
        assert!(!decision.settled);
    }
}
