//! Each topic's stories in time order: the `topics` tree, whose keys sort
//! a slug's stories newest last, so a feed is one short reverse scan.

use std::collections::HashSet;

use chrono::{DateTime, Utc};

use super::backend::Backend as _;
use super::backend::Tree;
use super::codec::{fixed, story_id};
use super::{Result, Store, StoreError};
use crate::model::story::{Story, StoryId};

impl Store {
    /// The newest `limit` stories of a topic, newest first.
    pub fn newest(&self, slug: &str, limit: usize) -> Result<Vec<Story>> {
        let mut prefix = slug.as_bytes().to_vec();
        prefix.push(0);
        let mut stories = Vec::with_capacity(limit);
        // A story moved to another date and cut off before its old entry
        // went has two: it is shown once.
        let mut seen = HashSet::new();
        for entry in self.backend.scan(Tree::Topics, &prefix).rev() {
            if stories.len() == limit {
                break;
            }
            let (key, _) = entry?;
            let id = story_id(&key[key.len().saturating_sub(16)..], "topics")?;
            if !seen.insert(id) {
                continue;
            }
            match self.story(id)? {
                Some(story) => stories.push(story),
                // An index entry whose story is gone: skip it rather than
                // fail the whole feed; pruning tidies it.
                None => continue,
            }
        }
        Ok(stories)
    }

    /// A topic's stories whose place in it (published, then id) is in
    /// `[from, to)`, oldest first: one range scan of the slug's keys in
    /// that span, whatever the store's size. An entry left behind by a
    /// story moved to another date is skipped: the story is listed at its
    /// own place only, so two spans that do not overlap never list one
    /// story twice.
    pub fn topic_span(&self, slug: &str, from: Place, to: Place) -> Result<Vec<Story>> {
        let (start, end) = (from.key(slug), to.key(slug));
        let mut stories = Vec::new();
        for entry in self.backend.range(Tree::Topics, &start, Some(&end)) {
            let (key, _) = entry?;
            let entry = topic_entry(&key)?;
            if let Some(story) = self.story(entry.story)?
                && story.published.timestamp() == entry.published.timestamp()
            {
                stories.push(story);
            }
        }
        Ok(stories)
    }

    /// The `published` of the topic's last entry before `at`, if any: a
    /// short reverse scan.
    pub fn topic_last_before(&self, slug: &str, at: Place) -> Result<Option<DateTime<Utc>>> {
        let start = Place::first(DateTime::<Utc>::MIN_UTC).key(slug);
        match self
            .backend
            .range(Tree::Topics, &start, Some(&at.key(slug)))
            .next_back()
        {
            Some(entry) => Ok(Some(topic_entry(&entry?.0)?.published)),
            None => Ok(None),
        }
    }

    /// The `published` of the topic's first entry at or after `at`, if any.
    pub fn topic_first_from(&self, slug: &str, at: Place) -> Result<Option<DateTime<Utc>>> {
        let mut end = slug.as_bytes().to_vec();
        end.push(1);
        match self
            .backend
            .range(Tree::Topics, &at.key(slug), Some(&end))
            .next()
        {
            Some(entry) => Ok(Some(topic_entry(&entry?.0)?.published)),
            None => Ok(None),
        }
    }

    /// A topic's entries per day of publication (UTC) over the `days`
    /// days up to `now`'s, oldest first: one range scan of its keys in
    /// that span, no story read.
    pub fn per_day(&self, slug: &str, now: DateTime<Utc>, days: i64) -> Result<Vec<u32>> {
        let today = now.timestamp().div_euclid(86_400);
        let first = today - days + 1;
        let at = |day: i64| DateTime::from_timestamp(day * 86_400, 0).unwrap_or_default();
        let mut counts = vec![0u32; usize::try_from(days).unwrap_or(0)];
        let (start, end) = (
            Place::first(at(first)).key(slug),
            Place::first(at(today + 1)).key(slug),
        );
        for entry in self.backend.range(Tree::Topics, &start, Some(&end)) {
            let (key, _) = entry?;
            let published = topic_entry(&key)?.published;
            let day = published.timestamp().div_euclid(86_400) - first;
            if let Some(n) = usize::try_from(day).ok().and_then(|d| counts.get_mut(d)) {
                *n += 1;
            }
        }
        Ok(counts)
    }

    /// How many stories a topic holds.
    pub fn count(&self, slug: &str) -> usize {
        let mut prefix = slug.as_bytes().to_vec();
        prefix.push(0);
        self.backend.scan(Tree::Topics, &prefix).count()
    }

    /// How many entries of topic `slug` are of stories published before
    /// `before`: a range of keys, none of them decoded. For `all`, which
    /// holds every story once, the stories a prune at `before` removes.
    pub fn count_before(&self, slug: &str, before: DateTime<Utc>) -> usize {
        let mut start = slug.as_bytes().to_vec();
        start.push(0);
        let mut end = start.clone();
        end.extend_from_slice(&sortable(before));
        self.backend.range(Tree::Topics, &start, Some(&end)).count()
    }

    /// Every `topics` entry of a story published before `before`, under
    /// every slug, configured or not: the oldest stories of each topic
    /// are a short range scan at the start of its prefix. At most `limit`
    /// distinct stories' entries are returned.
    pub fn topic_entries_before(
        &self,
        before: DateTime<Utc>,
        limit: usize,
    ) -> Result<Vec<TopicEntry>> {
        let mut found = Vec::new();
        let mut stories = HashSet::new();
        // Jump from slug to slug: slugs hold no byte below `-`, so `slug
        // \x01` sorts after every key of `slug` and before the next slug.
        let mut from: Vec<u8> = Vec::new();
        while let Some(first) = self.backend.range(Tree::Topics, &from, None).next() {
            let (key, _) = first?;
            let slug_len = key.iter().position(|&b| b == 0).unwrap_or(key.len());
            let mut start = key[..slug_len].to_vec();
            start.push(0);
            let mut end = start.clone();
            end.extend_from_slice(&sortable(before));
            for entry in self.backend.range(Tree::Topics, &start, Some(&end)) {
                let (key, _) = entry?;
                let entry = topic_entry(&key)?;
                if !stories.contains(&entry.story) {
                    if stories.len() == limit {
                        break;
                    }
                    stories.insert(entry.story);
                }
                found.push(entry);
            }
            from = key[..slug_len].to_vec();
            from.push(1);
        }
        Ok(found)
    }
}

/// A place in a topic's time order: a story's `published`, then its id.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
pub struct Place {
    pub published: DateTime<Utc>,
    pub story: StoryId,
}

impl Place {
    /// Where `story` stands.
    pub fn of(story: &Story) -> Place {
        Place {
            published: story.published,
            story: story.id,
        }
    }

    /// Before every story published at `at` or later.
    pub fn first(at: DateTime<Utc>) -> Place {
        Place {
            published: at,
            story: StoryId(uuid::Uuid::nil()),
        }
    }

    fn key(self, slug: &str) -> Vec<u8> {
        topic_key_of(slug, self.published, self.story)
    }
}

/// One `topics` index entry: a story under one topic's slug.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct TopicEntry {
    pub slug: String,
    /// The story's `published` when the entry was written.
    pub published: DateTime<Utc>,
    pub story: StoryId,
}

pub(super) fn topic_key(slug: &str, story: &Story) -> Vec<u8> {
    topic_key_of(slug, story.published, story.id)
}

pub(super) fn topic_key_of(slug: &str, published: DateTime<Utc>, id: StoryId) -> Vec<u8> {
    let mut key = slug.as_bytes().to_vec();
    key.push(0);
    key.extend_from_slice(&sortable(published));
    key.extend_from_slice(id.0.as_bytes());
    key
}

pub(super) fn topic_entry(key: &[u8]) -> Result<TopicEntry> {
    let corrupt = || StoreError::Corrupt {
        tree: "topics",
        reason: format!("a key of {} bytes", key.len()),
    };
    let slug_len = key.iter().position(|&b| b == 0).ok_or_else(corrupt)?;
    let rest = &key[slug_len + 1..];
    if rest.len() != 24 {
        return Err(corrupt());
    }
    Ok(TopicEntry {
        slug: String::from_utf8_lossy(&key[..slug_len]).into_owned(),
        published: from_sortable(fixed(&rest[..8], "topics")?),
        story: story_id(&rest[8..], "topics")?,
    })
}

/// A time as 8 bytes whose byte order is time order: seconds with the
/// sign bit flipped, big-endian.
pub(super) fn sortable(time: DateTime<Utc>) -> [u8; 8] {
    ((time.timestamp() as u64) ^ (1 << 63)).to_be_bytes()
}

pub(super) fn from_sortable(bytes: [u8; 8]) -> DateTime<Utc> {
    let seconds = (u64::from_be_bytes(bytes) ^ (1 << 63)) as i64;
    DateTime::from_timestamp(seconds, 0).unwrap_or_default()
}
