//! The date spellings bantin must read, as a table
//! (`tests/fixtures/parse/date-spellings.tsv`), and how bantin's reading
//! compares with feedparser's on feedparser's own date cases
//! (`tests/fixtures/parse/feedparser-dates.tsv`, written by the script
//! beside it).

use chrono::{DateTime, Utc};

use super::date::{Reading, parse_date_as};
use crate::model::DateOrder;

const SPELLINGS: &str = include_str!("../../../tests/fixtures/parse/date-spellings.tsv");
const FEEDPARSER: &str = include_str!("../../../tests/fixtures/parse/feedparser-dates.tsv");

/// Two-digit years are read near 2026 in both tables.
fn reading(order: DateOrder) -> Reading {
    Reading { order, year: 2026 }
}

/// The table's rows: input, expected instant, order.
fn rows(table: &str) -> impl Iterator<Item = Vec<&str>> {
    table
        .lines()
        .filter(|l| !l.starts_with('#') && !l.trim().is_empty())
        .map(|l| l.split('\t').collect())
}

fn instant(text: &str) -> Option<DateTime<Utc>> {
    (text != "None").then(|| {
        DateTime::parse_from_rfc3339(text)
            .unwrap_or_else(|e| panic!("bad expected instant {text:?}: {e}"))
            .with_timezone(&Utc)
    })
}

#[test]
fn every_spelling_in_the_table_reads_as_expected() {
    let mut failed = Vec::new();
    let mut total = 0;
    for row in rows(SPELLINGS) {
        let [input, want, rest @ ..] = row.as_slice() else {
            panic!("a row needs an input and an expected instant: {row:?}");
        };
        let order = match rest {
            ["m/d"] => DateOrder::MonthFirst,
            [] => DateOrder::DayFirst,
            _ => panic!("unknown order in {row:?}"),
        };
        total += 1;
        let got = parse_date_as(input, reading(order));
        if got != instant(want) {
            failed.push(format!("{input:?}: got {got:?}, want {want}"));
        }
    }
    println!("date table: {} of {total} pass", total - failed.len());
    assert!(total >= 100, "the table holds {total} spellings");
    assert!(failed.is_empty(), "{}", failed.join("\n"));
}

/// Not a target to tune to: feedparser reads impossible times by rolling
/// them over and fills missing fields from the clock, which bantin refuses
/// to do. The figure is printed; the floor only catches a regression.
#[test]
fn feedparser_date_cases_read_alike() {
    let (mut total, mut alike, mut zone_less) = (0, 0, 0);
    let mut differ = Vec::new();
    for row in rows(FEEDPARSER) {
        let [input, want] = row.as_slice() else {
            panic!("a row needs an input and feedparser's instant: {row:?}");
        };
        total += 1;
        // feedparser keeps whole seconds and has no year 10000 in chrono's
        // sense; compare seconds.
        let theirs = (*want != "None")
            .then(|| {
                DateTime::parse_from_rfc3339(want)
                    .ok()
                    .map(|t| t.timestamp())
            })
            .flatten();
        let ours = parse_date_as(input, reading(DateOrder::DayFirst)).map(|t| t.timestamp());
        if ours == theirs && (*want == "None") == ours.is_none() {
            alike += 1;
        } else if ours.zip(theirs).is_some_and(|(o, t)| t - o == 7 * 3600) {
            // feedparser reads a zone-less date as UTC, bantin as +07:00.
            zone_less += 1;
        } else {
            differ.push(format!("{input:?}: bantin {ours:?}, feedparser {want}"));
        }
    }
    println!(
        "feedparser cases: {total}; read alike {alike}; alike but for the zone-less \
         convention {zone_less}; different {}:\n{}",
        differ.len(),
        differ.join("\n")
    );
    assert!(alike + zone_less >= 80, "{alike} + {zone_less} of {total}");
}
