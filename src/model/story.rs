//! The domain: copies and the stories they make.
//!
//! A [`Copy`] is one item as one source published it; a [`Story`] is what a
//! reader sees, one or more copies of the same news. These are the values
//! `merge` decides about, `store` keeps and `publish` renders.

use std::collections::BTreeSet;

use chrono::{DateTime, Duration, Utc};
use serde::{Deserialize, Serialize};
use uuid::Uuid;

use crate::model::state::Dropped;
use crate::model::{Item, Stated};
use crate::text::syllables::Terms;

/// A story's id. Minted once from its first copy's key and never changed,
/// so a feed reader's entry id survives re-polls, restarts and merges.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
pub struct StoryId(pub Uuid);

/// The namespace of story ids (UUID v5): any fixed UUID works; this one
/// must never change.
const STORY_NAMESPACE: Uuid = Uuid::from_u128(0x6261_6e74_696e_4000_8000_0000_7374_6f72);

impl StoryId {
    pub fn mint(first: &CopyKey) -> StoryId {
        StoryId(Uuid::new_v5(&STORY_NAMESPACE, first.to_bytes().as_slice()))
    }

    pub fn urn(&self) -> String {
        self.0.urn().to_string()
    }
}

/// Identifies a copy: the source and the source's own key for the item
/// (its guid, or its canonical link when it has no usable guid).
#[derive(Debug, Clone, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
pub struct CopyKey {
    pub source: String,
    pub item: String,
}

impl CopyKey {
    /// A 64-bit stand-in for the key, for in-memory indexes: a collision
    /// among a store's copies is not a risk worth keeping both strings.
    pub fn fingerprint(&self) -> u64 {
        use std::hash::{Hash, Hasher};
        let mut h = std::hash::DefaultHasher::new();
        self.hash(&mut h);
        h.finish()
    }

    /// `source \0 item`: source ids cannot hold a NUL, so keys of one
    /// source sort together and never collide across sources.
    pub fn to_bytes(&self) -> Vec<u8> {
        let mut key = Vec::with_capacity(self.source.len() + 1 + self.item.len());
        key.extend_from_slice(self.source.as_bytes());
        key.push(0);
        key.extend_from_slice(self.item.as_bytes());
        key
    }
}

/// One item as one source carried it, as last seen.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Copy {
    pub key: CopyKey,
    pub story: StoryId,
    pub title: String,
    pub link: Option<String>,
    pub summary: String,
    pub content: String,
    pub published: DateTime<Utc>,
    /// When bantin first saw this copy.
    pub first_seen: DateTime<Utc>,
    /// When what a reader sees of this copy last changed: at first its
    /// own date ([`own_date`]), later the moment of an edit.
    pub changed: DateTime<Utc>,
    #[serde(default)]
    pub authors: Vec<String>,
    #[serde(default)]
    pub categories: Vec<String>,
    /// Topic slugs from the rules in force when it was last classified.
    pub topics: Vec<String>,
    /// `content` is the article fetched from the item's page.
    #[serde(default)]
    pub article: bool,
}

impl Copy {
    pub fn new(
        key: CopyKey,
        story: StoryId,
        item: Item,
        topics: Vec<String>,
        seen: DateTime<Utc>,
    ) -> Copy {
        let changed = own_date(&item, seen);
        Copy {
            key,
            story,
            title: item.title,
            link: item.link,
            summary: item.summary,
            content: item.content,
            published: item.published,
            first_seen: seen,
            changed,
            authors: item.authors,
            categories: item.categories,
            topics,
            article: item.article,
        }
    }

    /// The copy as an item again, for classifying it anew.
    pub fn to_item(&self) -> Item {
        Item {
            guid: None,
            link: self.link.clone(),
            title: self.title.clone(),
            summary: self.summary.clone(),
            content: self.content.clone(),
            content_text: crate::text::html_to_text(&self.content),
            published: self.published,
            stated: Stated::Time,
            updated: None,
            authors: self.authors.clone(),
            categories: self.categories.clone(),
            article: self.article,
        }
    }

    /// Whether `item` differs from this copy in anything a reader sees.
    /// The date of an item without a date is the time first seen, so it
    /// is not compared.
    pub fn differs_from(&self, item: &Item, topics: &[String]) -> bool {
        self.title != item.title
            || self.link != item.link
            || self.summary != item.summary
            || self.content != item.content
            || !item.stated.same_date(self.published, item.published)
            || self.authors != item.authors
            || self.categories != item.categories
            || self.topics != topics
    }

    /// This copy updated from a newer version of its item, which
    /// [`Copy::differs_from`] this one. It changed when its source says,
    /// if the source moved its date past the last change; else (an edit
    /// under the same date, a new topic) when bantin saw it. Never earlier
    /// than the last change: a reader sorting by `updated` sees the edit.
    pub fn updated_from(&self, mut item: Item, topics: Vec<String>, seen: DateTime<Utc>) -> Copy {
        if item.stated.same_date(self.published, item.published) {
            item.published = self.published;
        }
        let own = own_date(&item, seen);
        let changed = if own > self.changed { own } else { seen };
        Copy {
            first_seen: self.first_seen,
            changed: changed.max(self.changed),
            ..Copy::new(self.key.clone(), self.story, item, topics, seen)
        }
    }
}

/// How far past bantin's clock a copy's date may be: a source's clock
/// that runs a little fast. A later date is when bantin saw it, so that
/// no story sorts above the ones published after it for long.
pub const CLOCK_SKEW: Duration = Duration::minutes(5);

/// A copy's own date: the latest its source gave (published, or updated
/// when later), not the moment bantin first saw it, so that a reader
/// sorting by `updated` gets the sources' order; at most [`CLOCK_SKEW`]
/// past `seen`. An item without a date is dated when first seen.
pub fn own_date(item: &Item, seen: DateTime<Utc>) -> DateTime<Utc> {
    let stated = item
        .updated
        .map_or(item.published, |u| u.max(item.published));
    stated.min(seen + CLOCK_SKEW)
}

/// What readers see: one piece of news and every copy of it.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Story {
    pub id: StoryId,
    /// In the order they joined; the first is the one the id was minted from.
    pub copies: Vec<CopyKey>,
    /// The earliest copy's date.
    pub published: DateTime<Utc>,
    /// The latest change to any copy: its copies' own dates, and the
    /// moments of later edits ([`Copy::changed`]).
    pub updated: DateTime<Utc>,
    /// Union of the copies' topics.
    pub topics: Vec<String>,
}

impl Story {
    pub fn new(first: &Copy) -> Story {
        Story {
            id: first.story,
            copies: vec![first.key.clone()],
            published: first.published,
            updated: first.changed,
            topics: first.topics.clone(),
        }
    }

    /// Folds a new or changed copy into the story.
    pub fn absorb(&mut self, copy: &Copy) {
        if !self.copies.contains(&copy.key) {
            self.copies.push(copy.key.clone());
        }
        self.published = self.published.min(copy.published);
        self.updated = self.updated.max(copy.changed);
    }

    /// Adds a copy's topics to the union, in order.
    pub fn add_topics(&mut self, topics: &[String]) {
        for t in topics {
            if !self.topics.contains(t) {
                self.topics.push(t.clone());
            }
        }
        self.topics.sort();
    }

    /// Recomputes the topic union from all copies.
    pub fn set_topics<'a>(&mut self, copies: impl IntoIterator<Item = &'a Copy>) {
        let mut topics: Vec<String> = Vec::new();
        for copy in copies {
            for t in &copy.topics {
                if !topics.contains(t) {
                    topics.push(t.clone());
                }
            }
        }
        topics.sort();
        self.topics = topics;
    }
}

/// A copy as the search index takes it: its story, the story's date,
/// the copy's [`CopyKey::fingerprint`] and its text's terms.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Searchable {
    pub story: StoryId,
    pub published: DateTime<Utc>,
    pub copy: u64,
    pub terms: Terms,
}

/// What one batch of items did to the store.
#[derive(Debug, Default, Clone, PartialEq, Eq)]
pub struct Ingested {
    pub new_copies: usize,
    pub updated_copies: usize,
    pub new_stories: usize,
    /// New copies that joined a story, by the rule that joined them.
    pub joined_by_link: usize,
    pub joined_by_title: usize,
    pub joined_by_text: usize,
    /// Topics whose feed changed.
    pub touched_topics: BTreeSet<String>,
    /// Copies stored with new text, for the search index: handed over
    /// rather than read back from the store.
    pub searchable: Vec<Searchable>,
    /// Items not stored, and why.
    pub dropped: Dropped,
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn story_id_depends_only_on_the_first_copy_key() {
        let key = CopyKey {
            source: "moh".into(),
            item: "https://moh.gov.vn.test/tin/1".into(),
        };
        assert_eq!(StoryId::mint(&key), StoryId::mint(&key.clone()));
        let other = CopyKey {
            source: "cdc".into(),
            item: key.item.clone(),
        };
        assert_ne!(StoryId::mint(&key), StoryId::mint(&other));
    }

    fn at(text: &str) -> DateTime<Utc> {
        DateTime::parse_from_rfc3339(text)
            .unwrap()
            .with_timezone(&Utc)
    }

    fn copy_of(item: Item, seen: DateTime<Utc>) -> Copy {
        let key = CopyKey {
            source: "moh".into(),
            item: "https://moh.gov.vn.test/tin/1".into(),
        };
        let story = StoryId::mint(&key);
        Copy::new(key, story, item, vec!["all".into()], seen)
    }

    fn dated(published: &str, updated: Option<&str>) -> Item {
        Item {
            title: "Bộ Y tế hướng dẫn tiêm chủng".into(),
            published: at(published),
            updated: updated.map(at),
            ..Default::default()
        }
    }

    #[test]
    fn new_story_is_updated_at_its_own_date_not_when_seen() {
        let seen = at("2026-05-03T08:00:00Z");
        let copy = copy_of(dated("2026-05-01T02:00:00Z", None), seen);
        assert_eq!(Story::new(&copy).updated, at("2026-05-01T02:00:00Z"));
    }

    #[test]
    fn new_story_is_updated_at_its_sources_updated_date_when_later() {
        let seen = at("2026-05-03T08:00:00Z");
        let item = dated("2026-05-01T02:00:00Z", Some("2026-05-02T09:30:00Z"));
        let copy = copy_of(item, seen);
        assert_eq!(Story::new(&copy).updated, at("2026-05-02T09:30:00Z"));
    }

    #[test]
    fn future_date_is_clamped_to_the_clock_skew() {
        let seen = at("2026-05-03T08:00:00Z");
        let copy = copy_of(dated("2026-05-03T20:00:00Z", None), seen);
        assert_eq!(copy.changed, seen + CLOCK_SKEW);
    }

    #[test]
    fn story_updated_is_the_latest_copy_date() {
        let seen = at("2026-05-03T08:00:00Z");
        let first = copy_of(dated("2026-05-01T02:00:00Z", None), seen);
        let mut story = Story::new(&first);
        let later = Copy {
            key: CopyKey {
                source: "cdc".into(),
                item: "https://cdc.gov.vn.test/tin/9".into(),
            },
            ..copy_of(dated("2026-05-01T06:00:00Z", None), seen)
        };
        story.absorb(&later);
        assert_eq!(story.updated, at("2026-05-01T06:00:00Z"));
        assert_eq!(story.published, at("2026-05-01T02:00:00Z"));
    }

    #[test]
    fn edit_under_the_same_date_is_updated_when_seen() {
        let first_seen = at("2026-05-03T08:00:00Z");
        let copy = copy_of(dated("2026-05-01T02:00:00Z", None), first_seen);
        let edit_seen = at("2026-05-04T10:00:00Z");
        let edited = Item {
            title: "Bộ Y tế hướng dẫn tiêm chủng mở rộng".into(),
            ..dated("2026-05-01T02:00:00Z", None)
        };
        assert!(copy.differs_from(&edited, &copy.topics));
        assert_eq!(
            copy.updated_from(edited, copy.topics.clone(), edit_seen)
                .changed,
            edit_seen
        );
    }

    #[test]
    fn edit_with_a_new_updated_date_is_updated_at_that_date() {
        let copy = copy_of(
            dated("2026-05-01T02:00:00Z", None),
            at("2026-05-03T08:00:00Z"),
        );
        let edited = Item {
            title: "Bộ Y tế hướng dẫn tiêm chủng mở rộng".into(),
            ..dated("2026-05-01T02:00:00Z", Some("2026-05-04T01:00:00Z"))
        };
        let seen = at("2026-05-04T10:00:00Z");
        assert_eq!(
            copy.updated_from(edited, copy.topics.clone(), seen).changed,
            at("2026-05-04T01:00:00Z")
        );
    }
}
