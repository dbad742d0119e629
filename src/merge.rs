//! Copies to stories: the merge stage.
//!
//! Decides, for each normalized and classified item, whether it is an
//! update of a copy bantin already has, a copy of a story another source
//! carried, or a new story; then records that in the store. The rules, in
//! order:
//!
//! 1. same source and item key (guid, else canonical link): an update;
//! 2. same canonical link as a known story: a copy of it;
//! 3. same folded title, from another source, within [`TITLE_WINDOW`]: a
//!    copy of the closest such story in time;
//! 4. otherwise a new story, whose id is minted from this copy's key.
//!
//! Writes go story and indexes first, the copy last: a poll cut off midway
//! leaves no copy behind, so the next poll redoes the item, and the story
//! id (derived from the copy key) comes out the same.

use std::collections::{BTreeSet, HashMap};

use chrono::{DateTime, Duration, Utc};

use crate::config::Source;
use crate::normalize::Item;
use crate::store::{Result, Store};
use crate::story::{Copy, CopyKey, Story, StoryId};
use crate::text::Tokens;

/// Two sources' items with the same title are one story only when
/// published this close together: portals republish within a day or
/// two, while a recurring bulletin title comes back every week.
pub const TITLE_WINDOW: Duration = Duration::hours(72);

/// Titles shorter than this ("Thông báo", "Lịch công tác") are too generic
/// to merge on.
const MIN_TITLE_SYLLABLES: usize = 5;

/// What one batch of items did to the store.
#[derive(Debug, Default, Clone, PartialEq, Eq)]
pub struct Ingested {
    pub new_copies: usize,
    pub updated_copies: usize,
    pub new_stories: usize,
    /// Topics whose feed changed.
    pub touched_topics: BTreeSet<String>,
}

/// Why a new copy joined an existing story.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum JoinRule {
    Link,
    Title,
}

enum Placement {
    Update(Box<Copy>),
    Join(StoryId, JoinRule),
    New,
}

/// Stores a source's items. Must not run concurrently with another
/// `ingest` on the same store: two sources carrying one new story at the
/// same moment would otherwise both mint it.
pub fn ingest(
    store: &Store,
    source: &Source,
    items: Vec<(Item, Vec<String>)>,
    seen: DateTime<Utc>,
) -> Result<Ingested> {
    let keys = copy_keys(source, &items);
    let mut done = Ingested::default();
    for ((item, topics), key) in items.into_iter().zip(keys) {
        match place(store, &key, &item)? {
            Placement::Update(old) => {
                if old.differs_from(&item, &topics) {
                    let copy = old.updated_from(item, topics, seen);
                    save(store, &copy, Some(&old), &mut done)?;
                    done.updated_copies += 1;
                }
            }
            Placement::Join(story, _rule) => {
                let copy = Copy::new(key, story, item, topics, seen);
                save(store, &copy, None, &mut done)?;
                done.new_copies += 1;
            }
            Placement::New => {
                let copy = Copy::new(key.clone(), StoryId::mint(&key), item, topics, seen);
                save(store, &copy, None, &mut done)?;
                done.new_copies += 1;
                done.new_stories += 1;
            }
        }
    }
    Ok(done)
}

/// Each item's key within its source: its guid, unless the feed gives the
/// same guid to several items (then the guid means nothing); else its
/// link; else its title.
pub fn copy_keys(source: &Source, items: &[(Item, Vec<String>)]) -> Vec<CopyKey> {
    let mut guid_uses: HashMap<&str, usize> = HashMap::new();
    for (item, _) in items {
        if let Some(guid) = &item.guid {
            *guid_uses.entry(guid).or_default() += 1;
        }
    }
    items
        .iter()
        .map(|(item, _)| {
            let guid = item
                .guid
                .as_deref()
                .filter(|g| guid_uses.get(g) == Some(&1));
            let key = guid
                .or(item.link.as_deref())
                .map(str::to_string)
                .unwrap_or_else(|| format!("title:{}", Tokens::of(&item.title).joined()));
            CopyKey {
                source: source.id.clone(),
                item: key,
            }
        })
        .collect()
}

fn place(store: &Store, key: &CopyKey, item: &Item) -> Result<Placement> {
    if let Some(old) = store.copy(key)? {
        return Ok(Placement::Update(Box::new(old)));
    }
    if let Some(link) = &item.link {
        if let Some(id) = store.story_by_link(&link_key(link))? {
            if store.story(id)?.is_some() {
                return Ok(Placement::Join(id, JoinRule::Link));
            }
        }
    }
    if let Some(title) = title_key(&item.title) {
        let mut best: Option<(StoryId, Duration)> = None;
        for (id, published) in store.stories_by_title(&title)? {
            let distance = (published - item.published).abs();
            if distance > TITLE_WINDOW || best.is_some_and(|(_, d)| d <= distance) {
                continue;
            }
            let Some(story) = store.story(id)? else {
                continue;
            };
            // One source does not repeat a story under a new guid and a new
            // link; two such items are two stories with a generic title.
            if story.copies.iter().any(|c| c.source == key.source) {
                continue;
            }
            best = Some((id, distance));
        }
        if let Some((id, _)) = best {
            return Ok(Placement::Join(id, JoinRule::Title));
        }
    }
    Ok(Placement::New)
}

/// The form of a title that title matching compares, or `None` for a
/// title too short to be telling. A leading place or outlet ("Hậu Giang:",
/// "(Chinhphu.vn) -") and a trailing credit ("(Theo Báo Điện tử Chính
/// phủ)") are how republishers decorate a title, not part of it.
pub fn title_key(title: &str) -> Option<String> {
    let tokens = Tokens::of(undecorated(title));
    (tokens.len() >= MIN_TITLE_SYLLABLES).then(|| tokens.joined())
}

/// Words a leading "Place:" prefix may have at most.
const PREFIX_WORDS: usize = 4;

fn undecorated(title: &str) -> &str {
    let mut t = title.trim();
    // "(Chinhphu.vn) - ..." / "[Video] ..."
    if let Some(rest) = t.strip_prefix(['(', '[']) {
        if let Some(end) = rest.find([')', ']']).filter(|&end| end <= 40) {
            t = rest[end + 1..].trim_start_matches([' ', '-', '–', '—', ':']);
        }
    }
    // "Hậu Giang: ..." (a short name, no digits: not "Ngày 3/8: ...")
    if let Some((head, rest)) = t.split_once(':') {
        let words = head.split_whitespace().count();
        if (1..=PREFIX_WORDS).contains(&words)
            && !head.chars().any(|c| c.is_ascii_digit())
            && !rest.trim().is_empty()
        {
            t = rest.trim_start();
        }
    }
    // "... (Theo Báo Điện tử Chính phủ)" / "(Nguồn: ...)"
    if let Some(open) = t.rfind('(').filter(|_| t.ends_with(')')) {
        let credit = t[open + 1..].trim_start().to_lowercase();
        if credit.starts_with("theo") || credit.starts_with("nguồn") {
            t = t[..open].trim_end_matches([' ', '-', '–', '—']);
        }
    }
    t
}

/// The form of a canonical link that link matching compares: the same
/// page is often linked as http and https, with and without `www.` or
/// the mobile `m.` host, with and without a trailing slash.
pub fn link_key(link: &str) -> String {
    let Ok(url) = url::Url::parse(link) else {
        return link.to_string();
    };
    let host = url.host_str().unwrap_or_default();
    let host = host
        .strip_prefix("www.")
        .or_else(|| host.strip_prefix("m."))
        .unwrap_or(host);
    let port = url.port().map(|p| format!(":{p}")).unwrap_or_default();
    let path = url.path().trim_end_matches('/');
    match url.query() {
        Some(query) => format!("{host}{port}{path}?{query}"),
        None => format!("{host}{port}{path}"),
    }
}

/// Writes a new or changed copy and the story it belongs to.
fn save(store: &Store, copy: &Copy, old: Option<&Copy>, done: &mut Ingested) -> Result<()> {
    let before = store.story(copy.story)?;
    let mut story = before.clone().unwrap_or_else(|| Story::new(copy));
    story.absorb(copy);
    let mut copies = Vec::with_capacity(story.copies.len());
    for key in &story.copies {
        if *key == copy.key {
            copies.push(copy.clone());
        } else if let Some(other) = store.copy(key)? {
            copies.push(other);
        }
    }
    story.set_topics(&copies);

    store.put_story(&story, before.as_ref())?;
    if let Some(link) = &copy.link {
        if old.and_then(|o| o.link.as_ref()) != Some(link) {
            store.index_link(&link_key(link), story.id)?;
        }
    }
    if let Some(title) = title_key(&copy.title) {
        if old.map(|o| o.title.as_str()) != Some(copy.title.as_str()) {
            store.index_title(&title, story.id, copy.published)?;
        }
    }
    store.put_copy(copy)?;

    done.touched_topics.extend(story.topics.iter().cloned());
    if let Some(before) = before {
        done.touched_topics.extend(before.topics);
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn place_prefix_and_credit_do_not_count() {
        let plain = title_key("Bộ Y tế hướng dẫn tiêm bổ sung vắc xin sởi cho trẻ em");
        assert!(plain.is_some());
        for decorated in [
            "Hậu Giang: Bộ Y tế hướng dẫn tiêm bổ sung vắc xin sởi cho trẻ em",
            "(Chinhphu.vn) - Bộ Y tế hướng dẫn tiêm bổ sung vắc xin sởi cho trẻ em",
            "Bộ Y tế hướng dẫn tiêm bổ sung vắc xin sởi cho trẻ em (Theo Báo Điện tử Chính phủ)",
        ] {
            assert_eq!(title_key(decorated), plain, "{decorated}");
        }
    }

    #[test]
    fn a_date_before_a_colon_is_not_a_place() {
        assert_ne!(
            title_key("Ngày 3/8: Hậu Giang ghi nhận thêm 45 ca mắc mới"),
            title_key("Hậu Giang ghi nhận thêm 45 ca mắc mới")
        );
    }

    #[test]
    fn template_bulletins_with_other_numbers_differ() {
        assert_ne!(
            title_key("Hậu Giang ghi nhận 25 ca mắc Covid-19 mới"),
            title_key("Hậu Giang ghi nhận 31 ca mắc Covid-19 mới")
        );
    }

    #[test]
    fn link_variants_share_a_key() {
        let key = link_key("https://haugiang.gov.vn/tin-tuc/a");
        for variant in [
            "http://haugiang.gov.vn/tin-tuc/a/",
            "https://www.haugiang.gov.vn/tin-tuc/a",
            "https://m.haugiang.gov.vn/tin-tuc/a",
        ] {
            assert_eq!(link_key(variant), key, "{variant}");
        }
        assert_ne!(link_key("https://haugiang.gov.vn/tin-tuc/a?id=2"), key);
    }
}
