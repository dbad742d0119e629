//! Copies to stories: the merge stage.
//!
//! Decides, for each normalized and classified item, whether it is an
//! update of a copy bantin already has, a copy of a story another source
//! carried, or a new story; then records that in the store. The rules, in
//! order:
//!
//! 1. same source and item key (guid, else canonical link): an update;
//! 2. same canonical link as a known story ([`link_key`]): a copy of it;
//! 3. same title from another source within [`WINDOW`], after removing
//!    a place prefix and a credit ([`title_keys`]): a copy of the closest
//!    such story in time, unless the texts tell two stories (other
//!    numbers, or full texts not alike: [`resemble::other_story`]);
//! 4. near-duplicate text from another source within [`WINDOW`]
//!    ([`resemble`]): a copy of the most resembling story;
//! 5. otherwise a new story, whose id is minted from this copy's key.
//!
//! Stories are never merged with each other afterwards: a copy that
//! matches two stories joins one, and ids never change.
//!
//! A poll's writes go in one [`Batch`], written indexes first, then the
//! stories, the copies last: a poll cut off midway leaves no copy behind, so the next poll redoes the item, and the
//! story id (derived from the copy key) comes out the same. A story is
//! never written before the index entries that lead its copy back to it:
//! one cut off after the story finds it again by its own link or title,
//! rather than starting another story and leaving the first one listing
//! a copy that is not its own. Index entries of a story never written
//! lead nowhere: every lookup checks that the story exists.

mod keys;
pub mod resemble;
mod titles;

use std::collections::HashSet;

use chrono::{DateTime, Duration, Utc};

use crate::config::Source;
use crate::model::story::{Copy, CopyKey, Ingested, Searchable, Story, StoryId};
use crate::model::{Classified, Item};
use crate::store::{Batch, Result, Store, same_week};

use crate::text::sketch::Sketch;
use crate::text::syllables::{Span, Syllables, Terms};
pub use keys::{copy_keys, link_key, title_key, title_keys, undecorated};

/// Two sources' items are one story by title or text only when published
/// this close together: portals republish within a day or two, while a
/// recurring bulletin comes back every week.
pub const WINDOW: Duration = Duration::hours(72);

/// A story holds at most this many copies. Even a ministry's release is
/// not carried by this many portals; more is a template or a flood, and a
/// story's writes must not grow without bound. Past it, a matching copy
/// starts a story of its own.
pub const MAX_COPIES: usize = 64;

/// Stories opening with one lead within [`WINDOW`] that make it a
/// standard opening rather than a story's own.
const COMMON_LEAD_STORIES: usize = 2;

/// Why a new copy joined an existing story.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum JoinRule {
    Link,
    Title,
    Text,
}

/// Where a new copy goes.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Placement {
    Join(StoryId, JoinRule),
    New,
}

/// Stores a source's items. Must not run concurrently with another
/// `ingest` on the same store: two sources carrying one new story at the
/// same moment would otherwise both mint it.
pub fn ingest(
    store: &Store,
    source: &Source,
    items: Vec<impl Into<Classified>>,
    seen: DateTime<Utc>,
) -> Result<Ingested> {
    ingest_since(store, source, items, seen, None)
}

/// As [`ingest`], leaving out items published before `oldest`: what
/// retention would prune at once must not come back with every poll of a
/// feed that keeps old items.
pub fn ingest_since(
    store: &Store,
    source: &Source,
    items: Vec<impl Into<Classified>>,
    seen: DateTime<Utc>,
    oldest: Option<DateTime<Utc>>,
) -> Result<Ingested> {
    let items: Vec<Classified> = items.into_iter().map(Into::into).collect();
    // Keys are decided over the whole feed, old items included: whether
    // a guid is unique depends on every item that carries it.
    let keys = copy_keys(source, &items);
    let mut batch = store.batch();
    let mut done = Ingested::default();
    let mut in_this_feed: HashSet<CopyKey> = HashSet::new();
    for (classified, key) in items.into_iter().zip(keys) {
        let Classified {
            item,
            topics,
            sketch,
            terms,
        } = classified;
        if item.title.is_empty() && item.link.is_none() {
            done.dropped.no_title_or_link += 1;
            continue;
        }
        if oldest.is_some_and(|oldest| item.published < oldest) {
            done.dropped.too_old += 1;
            continue;
        }
        // A feed that lists an item twice: the first, as it stands higher.
        if !in_this_feed.insert(key.clone()) {
            done.dropped.duplicate += 1;
            continue;
        }
        if let Some(old) = batch.copy(&key)? {
            if old.differs_from(&item, &topics) {
                // Titles and text are indexed again only when they (or,
                // for the text, which is kept by week, the date) changed.
                let titles = if old.title != item.title {
                    title_keys(&item.title)
                } else {
                    Vec::new()
                };
                let text_moved = old.title != item.title
                    || old.summary != item.summary
                    || old.content != item.content
                    || !item.stated.same_date(old.published, item.published);
                let sketch = sketch.filter(|_| text_moved);
                let copy = old.updated_from(item, topics, seen);
                let text = Text {
                    titles: &titles,
                    sketch: sketch.as_ref(),
                    terms: text_moved.then_some(terms),
                };
                save(&mut batch, &copy, Some(&old), text, &mut done)?;
                done.updated_copies += 1;
            }
            continue;
        }
        let titles = title_keys(&item.title);
        let placement = place(&batch, &key, &item, &titles, sketch.as_ref())?;
        let story = match placement {
            Placement::Join(story, rule) => {
                match rule {
                    JoinRule::Link => done.joined_by_link += 1,
                    JoinRule::Title => done.joined_by_title += 1,
                    JoinRule::Text => done.joined_by_text += 1,
                }
                story
            }
            Placement::New => {
                done.new_stories += 1;
                StoryId::mint(&key)
            }
        };
        let copy = Copy::new(key, story, item, topics, seen);
        let text = Text {
            titles: &titles,
            sketch: sketch.as_ref(),
            terms: Some(terms),
        };
        save(&mut batch, &copy, None, text, &mut done)?;
        done.new_copies += 1;
    }
    batch.commit()?;
    Ok(done)
}

/// The text fingerprint of an item: its undecorated title, and its
/// summary and body as the body.
pub fn sketch_of(item: &Item) -> Option<Sketch> {
    let body = format!("{}\n{}", item.summary, item.content_text);
    Sketch::of(undecorated(&item.title), &body)
}

/// [`sketch_of`], with the summary and body already split.
pub fn sketch_of_span(item: &Item, body: &Span<'_>) -> Option<Sketch> {
    Sketch::of_span(undecorated(&item.title), body)
}

/// An item and its topics, fingerprinted here: for callers that classify
/// on their own (tests, tools). A poll's items come from
/// [`crate::pipeline::prepare::classified`], which splits the text once.
impl From<(Item, Vec<String>)> for Classified {
    fn from((item, topics): (Item, Vec<String>)) -> Classified {
        let sketch = sketch_of(&item);
        let parts = [
            item.title.as_str(),
            item.summary.as_str(),
            item.content_text.as_str(),
        ];
        let terms = Syllables::of_parts(parts).terms();
        Classified {
            item,
            topics,
            sketch,
            terms,
        }
    }
}

/// Where a copy the store does not have yet belongs; `titles` are the
/// item's [`title_keys`], `sketch` its [`sketch_of`].
pub fn place(
    batch: &Batch,
    key: &CopyKey,
    item: &Item,
    titles: &[String],
    sketch: Option<&Sketch>,
) -> Result<Placement> {
    let store = batch.store();
    if let Some(link) = &item.link {
        if let Some(id) = batch.story_by_link(&link_key(link))? {
            if batch
                .story(id)?
                .is_some_and(|s| s.copies.len() < MAX_COPIES)
            {
                return Ok(Placement::Join(id, JoinRule::Link));
            }
        }
    }
    let from_elsewhere = |id: StoryId| -> Result<bool> {
        // One source does not repeat a story under a new guid and a new
        // link; two such items are two stories (a bulletin, a generic
        // title).
        Ok(batch.story(id)?.is_some_and(|story| {
            story.copies.len() < MAX_COPIES && story.copies.iter().all(|c| c.source != key.source)
        }))
    };
    // One title over texts that tell two stories (a daily bulletin's
    // numbers, one headline over two offices' articles) is not a copy.
    let other_text = |id: StoryId| -> Result<bool> {
        let Some(sketch) = sketch else {
            return Ok(false);
        };
        let theirs = store.sketches_of(id, item.published, WINDOW)?;
        Ok(!theirs.is_empty() && theirs.iter().all(|o| resemble::other_story(sketch, o)))
    };
    let mut best: Option<(StoryId, Duration)> = None;
    for title in titles {
        for (id, published) in store.stories_by_title(title, item.published, WINDOW)? {
            let distance = (published - item.published).abs();
            if distance > WINDOW || best.is_some_and(|(_, d)| d <= distance) {
                continue;
            }
            if from_elsewhere(id)? && !other_text(id)? {
                best = Some((id, distance));
            }
        }
    }
    if let Some((id, _)) = best {
        return Ok(Placement::Join(id, JoinRule::Title));
    }
    if let Some(sketch) = sketch {
        let mut best: Option<(StoryId, f64)> = None;
        let similar = store.similar(&sketch.bands(), item.published, WINDOW)?;
        // A lead that opens several different stories is boilerplate, not
        // a sign of which one this copy is.
        let opening_the_same = similar
            .iter()
            .filter(|(_, sketches)| sketches.iter().any(|o| resemble::same_lead(sketch, o)))
            .count();
        let common_lead = opening_the_same >= COMMON_LEAD_STORIES;
        for (id, sketches) in similar {
            let score = sketches
                .iter()
                .filter_map(|other| resemble::resemblance_given(sketch, other, common_lead))
                .map(|r| r.score())
                .fold(None, |best: Option<f64>, s| {
                    Some(best.map_or(s, |b| b.max(s)))
                });
            let Some(score) = score else { continue };
            if best.is_some_and(|(_, b)| b >= score) {
                continue;
            }
            if from_elsewhere(id)? {
                best = Some((id, score));
            }
        }
        if let Some((id, _)) = best {
            return Ok(Placement::Join(id, JoinRule::Text));
        }
    }
    Ok(Placement::New)
}

/// Copies a reindex writes the indexes of at once: its memory stays
/// bounded whatever the store's size.
const REINDEX_BATCH: usize = 1_000;

/// Rebuilds the title and text indexes from the stored copies: how a
/// store written by an older bantin is brought up to date. Safe to cut
/// off and run again.
pub fn reindex(store: &Store) -> Result<usize> {
    store.clear_indexes()?;
    let mut copies = 0;
    let mut batch = store.batch();
    for copy in store.copies() {
        let copy = copy?;
        for title in title_keys(&copy.title) {
            batch.index_title(&title, copy.story, copy.published)?;
        }
        if let Some(sketch) = sketch_of(&copy.to_item()) {
            batch.index_sketch(copy.story, &copy.key, &sketch, copy.published);
        }
        copies += 1;
        if copies % REINDEX_BATCH == 0 {
            std::mem::replace(&mut batch, store.batch()).commit()?;
        }
    }
    batch.commit()?;
    store.mark_current()?;
    Ok(copies)
}

/// Removes a story with its copies and every index entry merging made
/// for them: the inverse of merging, for retention and for an import
/// that replaces a story. The entries computed from the copies go first,
/// then the copies, the story and its topic entries last: a removal cut
/// off midway leaves the story to be found by its topic entries and
/// removed again, and nothing it needs for that is gone yet.
pub fn forget(batch: &mut Batch, story: &Story) -> Result<usize> {
    let mut copies = Vec::with_capacity(story.copies.len());
    for key in &story.copies {
        // A copy moved to another story (by an import) is that story's.
        if let Some(copy) = batch.copy(key)?.filter(|c| c.story == story.id) {
            copies.push(copy);
        }
    }
    for copy in &copies {
        unindex(batch, copy)?;
    }
    let mut dates: Vec<DateTime<Utc>> = copies.iter().map(|c| c.published).collect();
    dates.push(story.published);
    batch.unindex_sketches(story.id, &dates)?;
    for copy in &copies {
        batch.remove_copy(&copy.key);
    }
    batch.remove_story(story);
    Ok(copies.len())
}

/// Takes a copy's link and titles out of the indexes, where they name
/// its story.
fn unindex(batch: &mut Batch, copy: &Copy) -> Result<()> {
    if let Some(link) = &copy.link {
        batch.unindex_link(&link_key(link), copy.story)?;
    }
    for title in title_keys(&copy.title) {
        batch.unindex_title(&title, copy.story, copy.published)?;
    }
    Ok(())
}

/// Writes a story and its copies as they were exported, with every index
/// entry merging would have made for them: links, titles, sketches and
/// topics. A story with the same id is replaced; a copy the store holds
/// under another story moves to this one. Running it twice changes
/// nothing more: an import cut off midway can be run again.
pub fn restore(batch: &mut Batch, story: &Story, copies: &[Copy]) -> Result<()> {
    if let Some(old) = batch.story(story.id)? {
        forget(batch, &old)?;
    }
    for copy in copies {
        if let Some(held) = batch.copy(&copy.key)?.filter(|c| c.story != story.id) {
            detach(batch, &held)?;
        }
    }
    for copy in copies {
        index(batch, story.id, copy)?;
    }
    batch.put_story(story, None);
    for copy in copies {
        batch.put_copy(copy);
    }
    Ok(())
}

/// Takes a copy out of the story that holds it; a story left without
/// copies is removed, another one is dated and classified anew from the
/// copies it keeps.
fn detach(batch: &mut Batch, copy: &Copy) -> Result<()> {
    unindex(batch, copy)?;
    batch.unindex_sketches(copy.story, &[copy.published])?;
    let Some(before) = batch.story(copy.story)? else {
        return Ok(());
    };
    let mut rest = Vec::new();
    for key in before.copies.iter().filter(|k| **k != copy.key) {
        rest.extend(batch.copy(key)?.filter(|c| c.story == before.id));
    }
    let Some(first) = rest.first() else {
        batch.remove_story(&before);
        return Ok(());
    };
    let mut story = Story::new(first);
    story.id = before.id;
    for other in &rest {
        story.absorb(other);
    }
    story.set_topics(&rest);
    // The copies it keeps may share the link, a title or the week of
    // sketches just taken out: index them again.
    for other in &rest {
        index(batch, story.id, other)?;
    }
    batch.put_story(&story, Some(&before));
    Ok(())
}

/// Indexes a stored copy as merging does: its link, titles and sketch.
fn index(batch: &mut Batch, id: StoryId, copy: &Copy) -> Result<()> {
    if let Some(link) = &copy.link {
        batch.index_link(&link_key(link), id)?;
    }
    for title in title_keys(&copy.title) {
        batch.index_title(&title, id, copy.published)?;
    }
    if let Some(sketch) = sketch_of(&copy.to_item()) {
        batch.index_sketch(id, &copy.key, &sketch, copy.published);
    }
    Ok(())
}

/// Writes a copy and its story; `titles` and `sketch` are what to index
/// (nothing for what did not change).
/// What a copy's text adds to the indexes: its [`title_keys`], its
/// sketch, and its search terms (`None`: the text did not change).
struct Text<'a> {
    titles: &'a [String],
    sketch: Option<&'a Sketch>,
    terms: Option<Terms>,
}

fn save(
    batch: &mut Batch,
    copy: &Copy,
    old: Option<&Copy>,
    text: Text<'_>,
    done: &mut Ingested,
) -> Result<()> {
    let before = batch.story(copy.story)?;
    let mut story = before.clone().unwrap_or_else(|| Story::new(copy));
    story.absorb(copy);
    let lost_topics = old.is_some_and(|o| o.topics.iter().any(|t| !copy.topics.contains(t)));
    if lost_topics {
        // A topic this copy no longer has may still be another copy's.
        let mut copies = Vec::with_capacity(story.copies.len());
        for key in &story.copies {
            if *key == copy.key {
                copies.push(copy.clone());
            } else if let Some(other) = batch.copy(key)? {
                copies.push(other);
            }
        }
        story.set_topics(&copies);
    } else {
        story.add_topics(&copy.topics);
    }

    if let Some(link) = &copy.link {
        if old.and_then(|o| o.link.as_ref()) != Some(link) {
            batch.index_link(&link_key(link), story.id)?;
        }
    }
    for title in text.titles {
        batch.index_title(title, story.id, copy.published)?;
    }
    if let Some(sketch) = text.sketch {
        if let Some(old) = old.filter(|o| !same_week(o.published, copy.published)) {
            batch.unindex_sketch(old.story, &old.key, old.published);
        }
        batch.index_sketch(story.id, &copy.key, sketch, copy.published);
    }
    batch.put_story(&story, before.as_ref());
    batch.put_copy(copy);

    done.touched_topics.extend(story.topics.iter().cloned());
    if let Some(terms) = text.terms {
        done.searchable.push(Searchable {
            story: story.id,
            published: story.published,
            copy: copy.key.fingerprint(),
            terms,
        });
    }
    if let Some(before) = before {
        done.touched_topics.extend(before.topics);
    }
    Ok(())
}
