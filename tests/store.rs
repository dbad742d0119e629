//! The store across bantin versions: an older store is migrated, a newer
//! one refused, and merging works on a migrated store as on a fresh one.

mod common;

use std::path::Path;

use bantin::config::Config;
use bantin::pipeline::merge;
use bantin::pipeline::prepare;
use bantin::store::{Backend, Engine, Store, Tree};
use bantin::tools::eval::Corpus;
use chrono::Utc;
use common::{merge_corpus, stories_and_copies};

/// Ingests the corpus's sources in `sources`, in config order.
fn ingest(corpus: &Corpus, store: &Store, sources: std::ops::Range<usize>) {
    let now = Utc::now();
    for (source, body, _) in &corpus.bodies[sources] {
        let items = prepare(&corpus.config, source, body, now).unwrap().items;
        merge::ingest(store, source, items, now).unwrap();
    }
}

/// Rewrites the store's schema number and empties the indexes schema 1
/// did not have, as the first bantin left its stores.
fn downgrade_to_schema_1(path: &Path) {
    let engine = raw(path);
    engine
        .put(Tree::Meta, b"schema", &1u64.to_be_bytes())
        .unwrap();
    for tree in [Tree::Titles, Tree::Sketches] {
        engine.clear(tree).unwrap();
    }
    engine.flush().unwrap();
}

/// The engine of the store at `path` itself, for writing what no bantin
/// of today writes.
fn raw(path: &Path) -> Box<dyn Backend> {
    let engine = bantin::store::found_in(path).unwrap();
    bantin::store::open_engine(path, engine, 1 << 20).unwrap()
}

#[test]
fn an_older_store_is_migrated_and_merges_as_a_fresh_one() {
    let corpus = merge_corpus();
    let half = corpus.bodies.len() / 2;
    let all = 0..corpus.bodies.len();

    let fresh = Store::temporary().unwrap();
    ingest(&corpus, &fresh, all.clone());
    let expected = stories_and_copies(&fresh);

    let dir = tempfile::tempdir().unwrap();
    for engine in [Engine::Redb, Engine::Sled] {
        let path = dir.path().join(engine.name());
        {
            let store = Store::open_with(&path, engine, 1 << 20).unwrap();
            ingest(&corpus, &store, 0..half);
            store.flush().unwrap();
        }
        downgrade_to_schema_1(&path);
        let store = Store::open(&path).unwrap();
        assert_eq!(store.engine(), Some(engine));
        assert!(store.outdated().unwrap());
        let copies = merge::reindex(&store).unwrap();
        assert!(copies > 0);
        assert!(!store.outdated().unwrap());
        // The other sources' copies find the first half's stories by
        // title and text through the rebuilt indexes.
        ingest(&corpus, &store, half..all.end);
        assert_eq!(stories_and_copies(&store), expected, "{engine}");
    }
}

#[test]
fn a_pipeline_on_an_older_store_migrates_it() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("store");
    drop(Store::open(&path).unwrap());
    downgrade_to_schema_1(&path);
    let config = Config::parse("", &dir.path().join("feeds.toml")).unwrap();
    let store = Store::open(&path).unwrap();
    let pipeline = bantin::pipeline::Pipeline::new(std::sync::Arc::new(config), store).unwrap();
    assert!(!pipeline.store.outdated().unwrap());
}

#[test]
fn a_newer_store_is_refused_with_a_clear_message() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("store");
    for engine in [Engine::Redb, Engine::Sled] {
        let path = path.join(engine.name());
        drop(Store::open_with(&path, engine, 1 << 20).unwrap());
        raw(&path)
            .put(Tree::Meta, b"schema", &99u64.to_be_bytes())
            .unwrap();
        let error = Store::open(&path).err().expect("refused").to_string();
        assert!(
            error.contains("written by a newer bantin (schema 99")
                && error.contains("upgrade bantin"),
            "{engine}: {error}"
        );
    }
}

/// A story stops growing at `MAX_COPIES`: a template carried by hundreds
/// of sources cannot make every later write to it larger and slower.
#[test]
fn a_story_takes_at_most_max_copies() {
    let sources = merge::MAX_COPIES + 2;
    let mut text = String::from("[store]\nkeep_days = 36500\n");
    for n in 0..sources {
        text.push_str(&format!(
            "[[source]]\nid = \"s{n}\"\nurl = \"https://s{n}.gov.vn.test/rss\"\n"
        ));
    }
    let config = Config::parse(&text, Path::new("feeds.toml")).unwrap();
    let store = Store::temporary().unwrap();
    let now = Utc::now();
    for source in &config.sources {
        let link = format!("https://{}.gov.vn.test/tin/1.html", source.id);
        let item = bantin::model::Item {
            guid: Some(link.clone()),
            link: Some(link),
            title: "Bộ Y tế hướng dẫn tiêm bổ sung vắc xin sởi cho trẻ em".into(),
            summary: String::new(),
            content: String::new(),
            content_text: String::new(),
            published: now,
            ..Default::default()
        };
        merge::ingest(&store, source, vec![(item, vec!["all".into()])], now).unwrap();
    }
    let mut sizes: Vec<usize> = store.stories().map(|s| s.unwrap().copies.len()).collect();
    sizes.sort();
    assert_eq!(sizes, [2, merge::MAX_COPIES]);
}

/// A story of `source`, with a text of its own and `title`.
fn story_item(
    source: &str,
    n: usize,
    title: &str,
    published: chrono::DateTime<Utc>,
) -> bantin::model::Item {
    let link = format!("https://{source}.gov.vn.test/tin/{n}.html");
    let text = format!(
        "Tin số {n} của {source}: sáng nay tại trụ sở, lãnh đạo {source} đã chủ trì \
         cuộc họp số {n} bàn về kế hoạch {n} năm, với sự tham dự của đại diện các \
         phòng ban chuyên môn và {n} đơn vị trực thuộc trên địa bàn."
    );
    bantin::model::Item {
        guid: Some(link.clone()),
        link: Some(link),
        title: title.into(),
        summary: String::new(),
        content: format!("<p>{text}</p>"),
        content_text: text,
        published,
        ..Default::default()
    }
}

fn sources(n: usize) -> Config {
    let mut text = String::from("[store]\nkeep_days = 36500\n");
    for n in 0..n {
        text.push_str(&format!(
            "[[source]]\nid = \"s{n}\"\nurl = \"https://s{n}.gov.vn.test/rss\"\n"
        ));
    }
    Config::parse(&text, Path::new("feeds.toml")).unwrap()
}

/// With an index budget smaller than anything, every poll begins by
/// trimming the week in memory to nothing: its title lists must then come
/// from the store, so that copies of a story polled later still find it
/// by its title, and the list each poll writes back keeps every story.
#[test]
fn a_store_over_its_index_budget_trims_its_weeks_and_still_joins_by_title() {
    let config = sources(3);
    let store = Store::temporary().unwrap();
    store.set_index_budget(1);
    let now = Utc::now();
    let title = "Hậu Giang triển khai chiến dịch tiêm vắc xin sởi cho trẻ em dưới 5 tuổi";
    let mut joined = 0;
    for (n, source) in config.sources.iter().enumerate() {
        // Another story first, under a title of its own: the poll's own
        // writes reach the title's list as well.
        let other = story_item(
            &source.id,
            100 + n,
            &format!("Tin riêng số {n} của nguồn thứ {n} trong tỉnh"),
            now,
        );
        let copy = story_item(
            &source.id,
            n,
            title,
            now + chrono::Duration::minutes(n as i64),
        );
        let items = vec![(other, vec!["all".into()]), (copy, vec!["all".into()])];
        joined += merge::ingest(&store, source, items, now)
            .unwrap()
            .joined_by_title;
    }
    assert_eq!(joined, 2);
    let mut sizes: Vec<usize> = store.stories().map(|s| s.unwrap().copies.len()).collect();
    sizes.sort();
    assert_eq!(sizes, [1, 1, 1, 3]);
    assert!(
        store.index_memory().trimmed >= 3,
        "{:?}",
        store.index_memory()
    );
}

/// A portal that gives every item the time of the poll re-dates the same
/// copies at every poll: each is sketched again, and must take its own
/// place in the week's index rather than add one.
#[test]
fn a_feed_that_redates_its_items_at_every_poll_does_not_grow_the_index() {
    let config = sources(1);
    let source = &config.sources[0];
    let store = Store::temporary().unwrap();
    // A Wednesday noon: the polls stay within its week.
    let base = chrono::DateTime::parse_from_rfc3339("2026-11-25T12:00:00Z")
        .unwrap()
        .to_utc();
    let poll = |n: i64| {
        let at = base + chrono::Duration::minutes(n);
        let items = (0..20)
            .map(|k| {
                let title =
                    format!("Bản tin số {k} về công tác phòng chống dịch bệnh ở địa phương");
                let published = at - chrono::Duration::seconds(k as i64);
                (
                    story_item(&source.id, k, &title, published),
                    vec!["all".into()],
                )
            })
            .collect::<Vec<_>>();
        merge::ingest(&store, source, items, at).unwrap()
    };
    let first = poll(0);
    assert_eq!(first.new_stories, 20);
    let once = store.index_memory().week_bytes;
    for n in 1..=30 {
        assert_eq!(poll(n).updated_copies, 20, "poll {n}");
    }
    let after = store.index_memory().week_bytes;
    assert!(
        after <= once + once / 10,
        "{once} bytes after one poll, {after} after 31"
    );
    assert_eq!(store.stories().count(), 20);
}

/// A copy whose date moves into another week is sketched in that week, and
/// its sketch leaves the week it was in: one key per copy, not one per week
/// it was ever dated in (kept, read with that week and stored, until
/// retention dropped the week).
#[test]
fn a_copy_redated_into_another_week_leaves_its_old_weeks_sketch() {
    let config = sources(1);
    let source = &config.sources[0];
    let store = Store::temporary().unwrap();
    let title = "Bản tin về công tác phòng chống dịch bệnh ở địa phương trong tuần";
    // A Wednesday, then the same copy dated a week later.
    let first = chrono::DateTime::parse_from_rfc3339("2026-11-25T12:00:00Z")
        .unwrap()
        .to_utc();
    for at in [first, first + chrono::Duration::days(7)] {
        let item = story_item(&source.id, 1, title, at);
        merge::ingest(&store, source, vec![(item, vec!["all".into()])], at).unwrap();
    }
    assert_eq!(store.stories().count(), 1);
    assert_eq!(store.counts().sketches, 1, "{:?}", store.counts());
}
