//! RFC 5005 archives: a topic's history, one document per month.
//!
//! The subscription feed (`/feeds/{topic}.atom`) holds the topic's newest
//! `feed_size` stories; the stories before its oldest entry (its
//! *cutoff*) are in archives, one per calendar month (Vietnam time) of
//! their `published` date: `/feeds/{topic}/archive/{YYYY-MM}.atom`
//! (`.rss`, `.json` too). A story is in the feed or in exactly one
//! archive, never both: a reader that walks `prev-archive` from the feed
//! sees each stored story of the topic once.
//!
//! Months rather than pages of a fixed size: a page numbered by its rank
//! would shift whenever retention drops the oldest stories or a story
//! dated in the past arrives, and every closed page would change with
//! it; a month's stories change only when a story dated in that month
//! arrives late or is removed. The cost is a page's size, which follows
//! the topic's traffic in that month.
//!
//! The month of the cutoff is the *open* archive: it holds that month's
//! stories before the cutoff and grows as the feed moves on. Every
//! earlier month is *closed*: nothing is added to it as news comes, and
//! since its bytes come from the stories alone (never the clock) it is
//! byte-stable across fetches and restarts, and is served with a long
//! Cache-Control. Months with no story have no archive and are skipped
//! by the links.
//!
//! Archives are rendered on demand, one month's range scan of the
//! `topics` index ([`Store::topic_span`]), never a scan of the store,
//! and kept in a cache of at most [`CACHE_BYTES`]. A topic's change
//! empties its part of the cache: `mark_changed` names topics, not
//! months, and a closed month rendered again is the same bytes.

use std::collections::HashMap;
use std::fmt;
use std::sync::{Arc, Mutex};

use chrono::{DateTime, Datelike, FixedOffset, NaiveDate, Utc};

use super::view::{History, stories_view};
use super::{RenderedTopic, render_view};
use crate::config::{Config, Topic};
use crate::store::{Place, Result, Store};

fn vietnam() -> FixedOffset {
    crate::model::VIETNAM
}

/// The rendered archives kept at most, in bytes of every format together.
pub const CACHE_BYTES: usize = 32 << 20;

/// A calendar month in Vietnam time.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct Month {
    year: i32,
    month: u32,
}

impl Month {
    /// The month `t` falls in, in Vietnam.
    pub fn of(t: DateTime<Utc>) -> Month {
        let local = t.with_timezone(&vietnam());
        Month {
            year: local.year(),
            month: local.month(),
        }
    }

    /// `YYYY-MM`, as in the archive's URL.
    pub fn parse(text: &str) -> Option<Month> {
        let (year, month) = text.split_once('-')?;
        if year.len() != 4 || month.len() != 2 {
            return None;
        }
        let month = Month {
            year: year.parse().ok()?,
            month: month.parse().ok()?,
        };
        NaiveDate::from_ymd_opt(month.year, month.month, 1).map(|_| month)
    }

    /// Its first instant.
    pub fn start(self) -> DateTime<Utc> {
        NaiveDate::from_ymd_opt(self.year, self.month, 1)
            .and_then(|d| d.and_hms_opt(0, 0, 0))
            .and_then(|t| t.and_local_timezone(vietnam()).single())
            .map_or(DateTime::<Utc>::MIN_UTC, |t| t.with_timezone(&Utc))
    }

    pub fn next(self) -> Month {
        if self.month == 12 {
            Month {
                year: self.year + 1,
                month: 1,
            }
        } else {
            Month {
                year: self.year,
                month: self.month + 1,
            }
        }
    }
}

impl fmt::Display for Month {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{:04}-{:02}", self.year, self.month)
    }
}

/// One month's archive in every format, and its HTML page.
#[derive(Debug)]
pub struct RenderedArchive {
    pub documents: RenderedTopic,
    /// Before the open month: its bytes no longer move with the news.
    pub closed: bool,
}

impl RenderedArchive {
    fn bytes(&self) -> usize {
        let d = &self.documents;
        d.atom.body.len() + d.rss.body.len() + d.json.body.len() + d.page.body.len()
    }
}

/// The view of `topic`'s archive of `month`, given the subscription
/// feed's `cutoff`; `None` when that month has no archive.
pub fn archive(
    config: &Config,
    store: &Store,
    topic: &Topic,
    month: Month,
    cutoff: Place,
) -> Result<Option<RenderedArchive>> {
    let open = Month::of(cutoff.published);
    if month > open {
        return Ok(None);
    }
    let slug = &topic.slug;
    let from = Place::first(month.start());
    let to = Place::first(month.next().start()).min(cutoff);
    let mut stories = store.topic_span(slug, from, to)?;
    // The open month is linked from the feed whenever an older story
    // exists, even when the cutoff is its first story: it then only
    // leads on.
    let prev = store.topic_last_before(slug, from)?.map(Month::of);
    if stories.is_empty() && (month != open || prev.is_none()) {
        return Ok(None);
    }
    stories.reverse();
    let next = if month == open {
        None
    } else {
        // The cutoff's own story is at or after the next month: found.
        store
            .topic_first_from(slug, Place::first(month.next().start()))?
            .map(Month::of)
    };
    let updated = stories
        .iter()
        .map(|s| s.updated)
        .max()
        .unwrap_or_else(|| month.start());
    let history = History {
        this: Some(month),
        prev,
        next,
        cutoff: None,
    };
    let view = stories_view(config, store, topic, &stories, updated, history)?;
    Ok(Some(RenderedArchive {
        documents: render_view(&view),
        closed: month < open,
    }))
}

/// Rendered archives, least recently used dropped first past their
/// budget ([`CACHE_BYTES`]).
pub struct Cache {
    // A std lock: held to look up, insert or drop, never while rendering
    // and never across an `.await`.
    inner: Mutex<Inner>,
    budget: usize,
}

impl Default for Cache {
    fn default() -> Self {
        Cache::with_budget(CACHE_BYTES)
    }
}

#[derive(Default)]
struct Inner {
    held: HashMap<(String, Month), (Arc<RenderedArchive>, u64)>,
    /// Each topic's changes so far: an archive rendered before a change
    /// is not kept after it.
    generation: HashMap<String, u64>,
    bytes: usize,
    tick: u64,
}

impl Cache {
    /// A cache of at most `budget` bytes.
    pub fn with_budget(budget: usize) -> Cache {
        Cache {
            inner: Mutex::default(),
            budget,
        }
    }

    fn lock(&self) -> std::sync::MutexGuard<'_, Inner> {
        self.inner.lock().unwrap_or_else(|p| p.into_inner())
    }

    /// The topic's generation now, and its archive of `month` if held.
    pub fn get(&self, slug: &str, month: Month) -> (u64, Option<Arc<RenderedArchive>>) {
        let mut inner = self.lock();
        inner.tick += 1;
        let tick = inner.tick;
        let generation = inner.generation.get(slug).copied().unwrap_or(0);
        let found = inner
            .held
            .get_mut(&(slug.to_string(), month))
            .map(|(archive, used)| {
                *used = tick;
                Arc::clone(archive)
            });
        (generation, found)
    }

    /// Keeps `archive` unless its topic changed since `generation`.
    pub fn put(&self, slug: &str, month: Month, generation: u64, archive: Arc<RenderedArchive>) {
        let mut inner = self.lock();
        if inner.generation.get(slug).copied().unwrap_or(0) != generation {
            return;
        }
        let size = archive.bytes();
        if size > self.budget {
            return;
        }
        inner.tick += 1;
        let tick = inner.tick;
        if let Some((old, _)) = inner
            .held
            .insert((slug.to_string(), month), (archive, tick))
        {
            inner.bytes -= old.bytes();
        }
        inner.bytes += size;
        while inner.bytes > self.budget {
            let Some(oldest) = inner
                .held
                .iter()
                .min_by_key(|(_, (_, used))| *used)
                .map(|(key, _)| key.clone())
            else {
                break;
            };
            if let Some((dropped, _)) = inner.held.remove(&oldest) {
                inner.bytes -= dropped.bytes();
            }
        }
    }

    /// Forgets the archives of `slugs`: their topics changed.
    pub fn changed<'a>(&self, slugs: impl IntoIterator<Item = &'a String>) {
        let mut inner = self.lock();
        for slug in slugs {
            *inner.generation.entry(slug.clone()).or_default() += 1;
            let dropped: Vec<(String, Month)> = inner
                .held
                .keys()
                .filter(|(s, _)| s == slug)
                .cloned()
                .collect();
            for key in dropped {
                if let Some((archive, _)) = inner.held.remove(&key) {
                    inner.bytes -= archive.bytes();
                }
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::super::view::TopicView;
    use super::*;

    fn rendered(month: &str) -> Arc<RenderedArchive> {
        let view = TopicView {
            slug: "y-te".into(),
            title: "Y tế".into(),
            base_url: "http://bantin.test/".into(),
            hub: None,
            search: None,
            updated: at("2026-11-22T03:00:00Z"),
            entries: vec![],
            history: History {
                this: Month::parse(month),
                ..History::default()
            },
        };
        Arc::new(RenderedArchive {
            documents: render_view(&view),
            closed: true,
        })
    }

    fn month(text: &str) -> Month {
        Month::parse(text).unwrap()
    }

    #[test]
    fn an_archive_rendered_before_its_topic_changed_is_not_kept() {
        let cache = Cache::default();
        let (generation, held) = cache.get("y-te", month("2026-10"));
        assert!(held.is_none());
        cache.changed(&["y-te".to_string()]);
        cache.put("y-te", month("2026-10"), generation, rendered("2026-10"));
        assert!(cache.get("y-te", month("2026-10")).1.is_none());
        let (generation, _) = cache.get("y-te", month("2026-10"));
        cache.put("y-te", month("2026-10"), generation, rendered("2026-10"));
        assert!(cache.get("y-te", month("2026-10")).1.is_some());
        // Another topic's change leaves it.
        cache.changed(&["an-ninh".to_string()]);
        assert!(cache.get("y-te", month("2026-10")).1.is_some());
        cache.changed(&["y-te".to_string()]);
        assert!(cache.get("y-te", month("2026-10")).1.is_none());
    }

    #[test]
    fn past_its_budget_the_cache_drops_the_least_recently_used() {
        let one = rendered("2026-08").bytes();
        let cache = Cache::with_budget(one * 2 + one / 2);
        for m in ["2026-08", "2026-09"] {
            cache.put("y-te", month(m), 0, rendered(m));
        }
        // August read again: September is now the least recently used.
        assert!(cache.get("y-te", month("2026-08")).1.is_some());
        cache.put("y-te", month("2026-10"), 0, rendered("2026-10"));
        assert!(cache.get("y-te", month("2026-09")).1.is_none());
        assert!(cache.get("y-te", month("2026-08")).1.is_some());
        assert!(cache.get("y-te", month("2026-10")).1.is_some());
        assert!(cache.lock().bytes <= one * 2 + one / 2);
    }

    fn at(text: &str) -> DateTime<Utc> {
        DateTime::parse_from_rfc3339(text)
            .unwrap()
            .with_timezone(&Utc)
    }

    #[test]
    fn month_is_vietnams_not_utcs() {
        // 2026-11-30 20:00 UTC is 1 December 03:00 in Hà Nội.
        assert_eq!(Month::of(at("2026-11-30T20:00:00Z")).to_string(), "2026-12");
        assert_eq!(Month::of(at("2026-11-30T16:59:59Z")).to_string(), "2026-11");
        assert_eq!(
            Month::parse("2026-12").unwrap().start(),
            at("2026-11-30T17:00:00Z")
        );
    }

    #[test]
    fn december_is_followed_by_january() {
        let december = Month::parse("2026-12").unwrap();
        assert_eq!(december.next().to_string(), "2027-01");
        assert!(december < december.next());
    }

    #[test]
    fn only_a_real_month_parses() {
        for bad in [
            "2026-13",
            "2026-00",
            "26-11",
            "2026-1",
            "2026-11-01",
            "abcd-ef",
            "",
        ] {
            assert!(Month::parse(bad).is_none(), "{bad}");
        }
    }
}
