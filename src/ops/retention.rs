//! Retention: stories older than `[store] keep_days` leave the store,
//! with their copies and every index entry that points at them.
//!
//! A story is as old as its publication (its `published`, the earliest
//! copy's date), never as old as the day bantin first saw it: a store
//! filled today from a feed that lists last year's news keeps only what
//! is recent by the news's own dates. Items already too old are not
//! stored at all ([`crate::pipeline::merge::ingest_since`]), or a feed that keeps
//! them would bring them back after every prune.
//!
//! This module owns the policy: the cutoff, which stories fall before it,
//! and the batches the work is done in. Removing one story is
//! [`crate::pipeline::merge::forget`], the inverse of merging; the daemon runs
//! [`prune_running`] at start and every [`EVERY`],
//! `bantin prune` runs it once.
//!
//! Stories are found through the `topics` index (every story is in
//! `all`), oldest first, so a prune reads only what it removes. The
//! week-keyed title and text indexes are then dropped whole for the weeks
//! older than the cutoff by more than merging ever looks back: a copy
//! re-dated since it was indexed left keys its story's removal could not
//! name.
//!
//! The sources' poll history ([`prune_history`]) goes by the same
//! cutoff: poll records older than it leave, and day counters older than
//! a chart shows; the daemon and `bantin prune` also drop the whole
//! history of a source no longer configured.

use std::collections::{BTreeSet, HashSet};
use std::time::Duration;

use chrono::{DateTime, Utc};
use tokio_util::sync::CancellationToken;

use crate::model::story::StoryId;
use crate::pipeline::{Pipeline, merge};
use crate::store::{HistoryPruned, Result, Store};

/// How often the daemon prunes. Stories age by the hour; a day's delay
/// would cost a day of extra store, an hour's costs a few range scans.
pub const EVERY: Duration = Duration::from_secs(3600);

/// Stories removed per batch. The daemon holds off merges during a
/// batch: the first prune of a large old store must not stall polls.
pub const BATCH: usize = 500;

/// How much older than the cutoff, beyond [`merge::WINDOW`], a week of
/// title and text index must be to be dropped whole. Merging looks up
/// these indexes within `WINDOW` of a new item's date, and items older
/// than the cutoff are not merged: a week more than that is never asked
/// about.
pub const MARGIN: chrono::Duration = chrono::Duration::days(7);

/// What a prune removed.
#[derive(Debug, Default, Clone, PartialEq, Eq)]
pub struct Pruned {
    /// Stories published before this were removed.
    pub cutoff: Option<DateTime<Utc>>,
    pub stories: usize,
    pub copies: usize,
    /// Topic entries that named a story already gone.
    pub dangling: usize,
    /// Title, sketch and band keys dropped with their week.
    pub week_keys: usize,
    /// Topics whose feed lost stories.
    pub touched_topics: BTreeSet<String>,
    /// The stories removed, for the search index to let go of.
    pub removed: BTreeSet<StoryId>,
    /// Set when a batch stopped at [`BATCH`] with more to do.
    pub more: bool,
    /// Poll history removed.
    pub history: HistoryPruned,
}

impl Pruned {
    /// Adds a batch's figures to these.
    pub fn add(&mut self, other: Pruned) {
        self.cutoff = other.cutoff.or(self.cutoff);
        self.stories += other.stories;
        self.copies += other.copies;
        self.dangling += other.dangling;
        self.week_keys += other.week_keys;
        self.touched_topics.extend(other.touched_topics);
        self.removed.extend(other.removed);
        self.more = other.more;
        self.history.polls += other.history.polls;
        self.history.sources += other.history.sources;
    }
}

/// Removes every story published before the cutoff of `keep_days` at
/// `now`, then the weeks of index behind it. The caller keeps merges
/// away while it runs ([`prune_running`] does).
pub fn prune(store: &Store, keep_days: u32, now: DateTime<Utc>) -> Result<Pruned> {
    prune_reporting(store, keep_days, None, now, &mut |_| {})
}

/// [`prune`], telling `done` how far it is after each batch: the stories
/// removed so far (`bantin prune` draws it; [`Store::count_before`] of
/// the `all` topic at the cutoff is the total). Given `configured`, the
/// history of every other source goes too.
pub fn prune_reporting(
    store: &Store,
    keep_days: u32,
    configured: Option<&HashSet<String>>,
    now: DateTime<Utc>,
    done_so_far: &mut dyn FnMut(&Pruned),
) -> Result<Pruned> {
    let history = prune_history(store, keep_days, configured, now)?;
    let Some(cutoff) = crate::config::cutoff(keep_days, now) else {
        return Ok(Pruned {
            history,
            ..Pruned::default()
        });
    };
    let mut done = Pruned {
        history,
        ..Pruned::default()
    };
    loop {
        done.add(prune_batch(store, cutoff, BATCH)?);
        done_so_far(&done);
        if !done.more {
            break;
        }
    }
    done.week_keys += drop_old_weeks(store, cutoff)?;
    Ok(done)
}

/// Removes at most `limit` stories published before `cutoff`, oldest
/// first; `more` says whether some are left.
pub fn prune_batch(store: &Store, cutoff: DateTime<Utc>, limit: usize) -> Result<Pruned> {
    let entries = store.topic_entries_before(cutoff, limit)?;
    let mut done = Pruned {
        cutoff: Some(cutoff),
        ..Pruned::default()
    };
    let ids: BTreeSet<_> = entries.iter().map(|e| e.story).collect();
    done.more = ids.len() == limit;
    let mut batch = store.batch();
    for id in ids {
        match batch.story(id)? {
            Some(story) if story.published < cutoff => {
                done.copies += merge::forget(&mut batch, &story)?;
                done.stories += 1;
                done.removed.insert(story.id);
                done.touched_topics.extend(story.topics);
            }
            // The story is gone, or is recent and indexed elsewhere: these
            // entries point at nothing a feed should show.
            _ => {
                for entry in entries.iter().filter(|e| e.story == id) {
                    batch.remove_topic_entry(entry);
                    done.dangling += 1;
                }
            }
        }
    }
    batch.commit()?;
    Ok(done)
}

/// Removes the poll records older than `keep_days` at `now`, the day
/// counters older than a chart, and, given `configured`, the history of
/// every source not in it.
pub fn prune_history(
    store: &Store,
    keep_days: u32,
    configured: Option<&HashSet<String>>,
    now: DateTime<Utc>,
) -> Result<HistoryPruned> {
    store.prune_history(crate::config::cutoff(keep_days, now), configured, now)
}

/// Drops the title and text index weeks older than `cutoff` by
/// [`merge::WINDOW`] and [`MARGIN`]; returns the keys removed.
pub fn drop_old_weeks(store: &Store, cutoff: DateTime<Utc>) -> Result<usize> {
    let before = cutoff
        .checked_sub_signed(merge::WINDOW)
        .and_then(|t| t.checked_sub_signed(MARGIN));
    match before {
        Some(before) => store.drop_weeks_before(before),
        None => Ok(0),
    }
}

/// Removes the stories older than `keep_days` at `now` from the running
/// pipeline's store, and marks the feeds that lose some. Merges wait for
/// one batch at a time, not for the whole prune; `stop` ends it between
/// batches (the next prune goes on from there). Blocking.
pub fn prune_running(
    pipeline: &Pipeline,
    now: DateTime<Utc>,
    stop: &CancellationToken,
) -> Result<Pruned> {
    let config = pipeline.config();
    let configured: HashSet<String> = config.sources.iter().map(|s| s.id.clone()).collect();
    // Polls write history outside the merge lock. A summary trimmed here
    // just as its source's poll rewrites it may lose that poll's sample,
    // a counter, never news; a source dropped here is no longer polled.
    let history = prune_history(
        &pipeline.store,
        config.store.keep_days,
        Some(&configured),
        now,
    )?;
    let Some(cutoff) = crate::config::cutoff(config.store.keep_days, now) else {
        return Ok(Pruned {
            history,
            ..Pruned::default()
        });
    };
    let mut done = Pruned {
        history,
        ..Pruned::default()
    };
    loop {
        let batch = {
            let _merges = pipeline.hold_merges();
            prune_batch(&pipeline.store, cutoff, BATCH)?
        };
        pipeline
            .publisher
            .mark_changed(batch.touched_topics.iter().cloned());
        // Gone from the store, so `update` takes them out of the index.
        if let Err(e) = pipeline.search.update(&pipeline.store, &batch.removed) {
            tracing::warn!(error = %e, "cannot take pruned stories out of the search index");
        }
        let more = batch.more;
        done.add(batch);
        if !more {
            break;
        }
        if stop.is_cancelled() {
            return Ok(done);
        }
    }
    let _merges = pipeline.hold_merges();
    done.week_keys += drop_old_weeks(&pipeline.store, cutoff)?;
    Ok(done)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::config::cutoff;

    #[test]
    fn cutoff_is_keep_days_before_now() {
        let now = DateTime::parse_from_rfc3339("2026-11-28T12:00:00Z")
            .unwrap()
            .to_utc();
        assert_eq!(
            cutoff(365, now).unwrap().to_rfc3339(),
            "2025-11-28T12:00:00+00:00"
        );
    }

    #[test]
    fn keep_days_past_the_calendar_keeps_everything() {
        assert_eq!(cutoff(u32::MAX, Utc::now()), None);
    }
}
