//! The store across bantin versions: an older store is migrated, a newer
//! one refused, and merging works on a migrated store as on a fresh one.

mod common;

use std::path::Path;

use bantin::config::Config;
use bantin::pipeline::merge;
use bantin::pipeline::prepare;
use bantin::store::Store;
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
    let db = sled::open(path).unwrap();
    db.open_tree("meta")
        .unwrap()
        .insert("schema", &1u64.to_be_bytes())
        .unwrap();
    for tree in ["titles", "sketches"] {
        db.open_tree(tree).unwrap().clear().unwrap();
    }
    db.flush().unwrap();
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
    let path = dir.path().join("store");
    {
        let store = Store::open(&path).unwrap();
        ingest(&corpus, &store, 0..half);
        store.flush().unwrap();
    }
    downgrade_to_schema_1(&path);
    let store = Store::open(&path).unwrap();
    assert!(store.outdated().unwrap());
    let copies = merge::reindex(&store).unwrap();
    assert!(copies > 0);
    assert!(!store.outdated().unwrap());
    // The other sources' copies find the first half's stories by title and
    // text through the rebuilt indexes.
    ingest(&corpus, &store, half..all.end);
    assert_eq!(stories_and_copies(&store), expected);
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
    drop(Store::open(&path).unwrap());
    {
        let db = sled::open(&path).unwrap();
        db.open_tree("meta")
            .unwrap()
            .insert("schema", &99u64.to_be_bytes())
            .unwrap();
        db.flush().unwrap();
    }
    let error = Store::open(&path).err().expect("refused").to_string();
    assert!(
        error.contains("written by a newer bantin (schema 99") && error.contains("upgrade bantin"),
        "{error}"
    );
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
