//! Retention: stories older than `keep_days` leave the store with every
//! index entry that points at them; recent ones stay, ids unchanged; the
//! store stays the same size under steady input.

use std::collections::BTreeSet;
use std::path::Path;
use std::sync::Arc;

use bantin::config::Config;
use bantin::model::Hints;
use bantin::model::Item;
use bantin::ops::retention;
use bantin::pipeline::classify::classify;
use bantin::pipeline::merge;
use bantin::pipeline::publish::render;
use bantin::pipeline::{Pipeline, Prepared};
use bantin::store::Store;
use chrono::{DateTime, Duration, TimeZone, Utc};
use tokio_util::sync::CancellationToken;

/// Phrases stories are made of; some are topic keywords.
const PHRASES: &str = "an ninh trật tự, công tác, phòng chống dịch bệnh, tỉnh, huyện, xã, \
    người dân, cán bộ chiến sĩ, lực lượng chức năng, kiểm tra, xử lý vi phạm, giao thông, \
    quốc lộ, thị trấn, khu vực, trung tâm y tế, bệnh viện, bác sĩ, điều trị, bệnh nhân, \
    tiêm chủng, vắc xin, trẻ em, học sinh, trường học, nông nghiệp, lúa gạo, thủy sản, \
    doanh nghiệp, đầu tư, dự án, công trình, hội nghị, triển khai, kế hoạch, tội phạm, \
    ma túy, trộm cắp, lừa đảo, khởi tố, bắt giữ, điều tra, công an, cảnh sát";

fn config(keep_days: u32) -> Config {
    let text = format!(
        r#"
[store]
keep_days = {keep_days}
feed_size = 500

[[topic]]
slug = "y-te"
title = "Y tế"
keywords = ["y tế", "bệnh viện"]

[[topic]]
slug = "an-ninh"
title = "An ninh"
keywords = ["công an", "tội phạm"]

[[source]]
id = "portal"
url = "https://portal.gov.vn.test/rss"
priority = 1

[[source]]
id = "police"
url = "https://police.gov.vn.test/rss"

[[source]]
id = "paper"
url = "https://paper.vn.test/rss"
"#
    );
    Config::parse(&text, Path::new("retention.toml")).unwrap()
}

fn phrase(rng: &mut fastrand::Rng, len: usize) -> String {
    let phrases: Vec<&str> = PHRASES.split(',').map(str::trim).collect();
    (0..len)
        .map(|_| phrases[rng.usize(..phrases.len())])
        .collect::<Vec<_>>()
        .join(" ")
}

/// Story `n` as the portal carries it: the same text for the same `n`.
fn item(n: usize, published: DateTime<Utc>) -> Item {
    let mut rng = fastrand::Rng::with_seed(n as u64);
    let title = format!("{} {n}", phrase(&mut rng, 6));
    // Four sentences: more than a summary, so that the text alone joins
    // the repost that carries it under a title of its own.
    let body = format!(
        "{} {n}. {}. {}. {}.",
        phrase(&mut rng, 12),
        phrase(&mut rng, 12),
        phrase(&mut rng, 12),
        phrase(&mut rng, 12)
    );
    let link = format!("https://portal.gov.vn.test/tin/{n}.html");
    Item {
        guid: Some(link.clone()),
        link: Some(link),
        title,
        summary: body.clone(),
        content: format!("<p>{body}</p>"),
        content_text: body,
        published,
        ..Default::default()
    }
}

/// Story `n`'s repost by another source five hours later, joined by
/// link, title or text in turn.
fn repost(n: usize, published: DateTime<Utc>) -> (usize, Item) {
    let mut item = item(n, published + Duration::hours(5));
    match n % 3 {
        0 => {
            let link = format!("http://www.portal.gov.vn.test/tin/{n}.html/");
            item.guid = Some(format!("police-{n}"));
            item.link = Some(link);
            (1, item)
        }
        1 => {
            item.title = format!("Hậu Giang: {}", item.title);
            let link = format!("https://paper.vn.test/{n}");
            item.guid = Some(link.clone());
            item.link = Some(link);
            (2, item)
        }
        _ => {
            item.title = format!("Tin mới số {n} trong ngày hôm nay của tỉnh");
            item.content_text = format!("{} Nguồn: Cổng thông tin", item.content_text);
            item.content = format!("<p>{}</p>", item.content_text);
            let link = format!("https://police.gov.vn.test/{n}");
            item.guid = Some(link.clone());
            item.link = Some(link);
            (1, item)
        }
    }
}

/// Stores story `n` (and its repost) as published at `published`,
/// whatever its age: a store that has simply grown old.
fn add_story(
    store: &Store,
    config: &Config,
    n: usize,
    published: DateTime<Utc>,
    seen: DateTime<Utc>,
) {
    let mut batches = vec![(0, item(n, published))];
    batches.push(repost(n, published));
    for (source, item) in batches {
        let source = &config.sources[source];
        let topics = classify(&item, source, &config.topics);
        merge::ingest(store, source, vec![(item, topics)], seen).unwrap();
    }
}

fn ids(store: &Store) -> BTreeSet<String> {
    store.stories().map(|s| s.unwrap().id.urn()).collect()
}

fn feeds(config: &Config, store: &Store) -> Vec<(String, Vec<u8>)> {
    config
        .topics
        .iter()
        .map(|t| {
            (
                t.slug.clone(),
                render(config, store, t).unwrap().atom.body.to_vec(),
            )
        })
        .collect()
}

fn now() -> DateTime<Utc> {
    Utc.with_ymd_and_hms(2026, 11, 28, 12, 0, 0).unwrap()
}

#[test]
fn old_stories_leave_with_every_index_entry_and_recent_ones_stay() {
    let keep_days = 365;
    let config = config(keep_days);
    let now = now();
    let cutoff = bantin::config::cutoff(keep_days, now).unwrap();
    let seen = now - Duration::days(1);
    // Recent stories, one of them just inside the cutoff.
    let recent: Vec<(usize, DateTime<Utc>)> = (0..30)
        .map(|n| (n, now - Duration::days(10) + Duration::hours(n as i64)))
        .chain([(100, cutoff + Duration::hours(2))])
        .collect();
    // Old stories, one of them just outside the cutoff with its repost
    // inside it: a story is as old as its first publication.
    let old: Vec<(usize, DateTime<Utc>)> = (1000..1030)
        .map(|n| {
            (
                n,
                now - Duration::days(400) + Duration::hours(n as i64 - 1000),
            )
        })
        .chain([(1100, cutoff - Duration::hours(2))])
        .collect();

    let expected = Store::temporary().unwrap();
    for &(n, published) in &recent {
        add_story(&expected, &config, n, published, seen);
    }
    let store = Store::temporary().unwrap();
    for &(n, published) in old.iter().chain(&recent) {
        add_story(&store, &config, n, published, seen);
    }
    let before = store.counts();
    assert_eq!(before.stories, expected.counts().stories + old.len());

    let pruned = retention::prune(&store, keep_days, now).unwrap();

    // Every repost joined its story: the pruned stories had two copies.
    assert_eq!(expected.counts().stories, recent.len());
    assert_eq!(pruned.stories, old.len(), "{pruned:?}");
    assert_eq!(pruned.copies, 2 * old.len());
    assert!(pruned.touched_topics.contains("all"), "{pruned:?}");
    assert_eq!(ids(&store), ids(&expected), "recent stories keep their ids");
    // Every tree holds exactly what a store that never saw the old stories
    // holds: no copy, link, title, topic, sketch or band entry is left.
    assert_eq!(store.counts(), expected.counts(), "before: {before:?}");
    assert_eq!(feeds(&config, &store), feeds(&config, &expected));
    assert!(store.stories().all(|s| s.unwrap().published >= cutoff));

    let again = retention::prune(&store, keep_days, now).unwrap();
    assert_eq!((again.stories, again.dangling, again.week_keys), (0, 0, 0));
}

#[test]
fn a_prune_removes_old_stories_from_served_feeds() {
    let config = Arc::new(config(30));
    let now = Utc::now();
    let store = Store::temporary().unwrap();
    for n in 0..5 {
        add_story(&store, &config, n, now - Duration::days(60), now);
        add_story(&store, &config, 10 + n, now - Duration::days(3), now);
    }
    let pipeline = Pipeline::new(Arc::clone(&config), store).unwrap();
    let served = |slug: &str| pipeline.publisher.get(slug).unwrap().entries;
    assert_eq!(served("all"), 10);

    let pruned =
        bantin::ops::retention::prune_running(&pipeline, now, &CancellationToken::new()).unwrap();
    assert_eq!(pruned.stories, 5);
    pipeline.render_changed().unwrap();
    assert_eq!(served("all"), 5);
    let body = pipeline.publisher.get("all").unwrap().body.clone();
    let feed = feed_rs::parser::parse(&body[..]).unwrap();
    for entry in &feed.entries {
        let published = entry.published.unwrap();
        assert!(published > now - Duration::days(30), "{published}");
    }
}

#[test]
fn items_older_than_keep_days_are_not_stored() {
    let config = Arc::new(config(30));
    let now = Utc::now();
    let pipeline = Pipeline::new(Arc::clone(&config), Store::temporary().unwrap()).unwrap();
    let source = &config.sources[0];
    let prepared = |items: Vec<Item>| Prepared {
        items: items
            .into_iter()
            .map(|i| {
                let topics = classify(&i, source, &config.topics);
                (i, topics).into()
            })
            .collect(),
        hints: Hints::default(),
        partial: None,
        broken_rules: None,
        date_order: Default::default(),
        cut: Default::default(),
    };
    let feed = vec![
        item(1, now - Duration::days(40)),
        item(2, now - Duration::days(2)),
    ];
    let done = pipeline
        .merge_prepared(source, prepared(feed.clone()), now)
        .unwrap();
    assert_eq!(done.ingested.new_copies, 1);
    // Polled again after a prune: the old item still does not come back.
    bantin::ops::retention::prune_running(&pipeline, now, &CancellationToken::new()).unwrap();
    let done = pipeline
        .merge_prepared(source, prepared(feed), now)
        .unwrap();
    assert_eq!(done.ingested.new_copies, 0);
    assert_eq!(pipeline.store.counts().stories, 1);
}

/// The topic entries and sketches the stored stories account for: a
/// story's topics, and one sketch per copy with text enough for one.
fn accounted(store: &Store) -> (usize, usize) {
    let topics = store.stories().map(|s| s.unwrap().topics.len()).sum();
    let sketches = store
        .copies()
        .filter(|copy| merge::sketch_of(&copy.as_ref().unwrap().to_item()).is_some())
        .count();
    (topics, sketches)
}

#[test]
fn counts_stay_flat_under_steady_input() {
    let keep_days = 10;
    let config = config(keep_days);
    let store = Store::temporary().unwrap();
    let start = now() - Duration::days(40);
    let per_day = 12;
    let mut counts = Vec::new();
    for day in 0..40 {
        let today = start + Duration::days(day);
        for k in 0..per_day {
            let n = day as usize * per_day + k;
            add_story(
                &store,
                &config,
                n,
                today + Duration::minutes(37 * k as i64),
                today,
            );
        }
        retention::prune(&store, keep_days, today + Duration::hours(12)).unwrap();
        let c = store.counts();
        // Nothing is left of the pruned stories: every topic entry and
        // sketch belongs to a story kept.
        assert_eq!((c.topics, c.sketches), accounted(&store), "day {day}");
        counts.push(c);
    }
    // Once the window is full, each day's prune removes what the day
    // added. Topic entries follow the kept stories' words.
    let settled = &counts[keep_days as usize + 3..];
    let flat = |c: &bantin::store::Counts| (c.stories, c.copies, c.links, c.titles, c.sketches);
    assert!(
        settled.iter().all(|c| flat(c) == flat(&settled[0])),
        "{settled:#?}"
    );
    // Days d-9 to d: day d-10's stories were published before noon.
    assert_eq!(settled[0].stories, per_day * keep_days as usize);
    assert_eq!(settled[0].copies, 2 * settled[0].stories);
}

#[test]
fn prune_command_removes_old_stories_and_says_what_is_left() {
    let dir = tempfile::tempdir().unwrap();
    let config_path = dir.path().join("feeds.toml");
    let text = "[store]\npath = \"store\"\nkeep_days = 30\n\n\
                [[source]]\nid = \"portal\"\nurl = \"https://portal.gov.vn.test/rss\"\n\n\
                [[source]]\nid = \"police\"\nurl = \"https://police.gov.vn.test/rss\"\n\n\
                [[source]]\nid = \"paper\"\nurl = \"https://paper.vn.test/rss\"\n";
    std::fs::write(&config_path, text).unwrap();
    let config = Config::load(&config_path).unwrap();
    let now = Utc::now();
    {
        let store = Store::open(&config.store.path).unwrap();
        for n in 0..4 {
            add_story(&store, &config, n, now - Duration::days(45), now);
            add_story(&store, &config, 10 + n, now - Duration::days(5), now);
        }
        store.flush().unwrap();
    }
    let out = std::process::Command::new(env!("CARGO_BIN_EXE_bantin"))
        .args(["prune", "--config", config_path.to_str().unwrap()])
        .output()
        .unwrap();
    let stdout = String::from_utf8(out.stdout).unwrap();
    assert!(
        out.status.success(),
        "{stdout}{}",
        String::from_utf8_lossy(&out.stderr)
    );
    assert!(
        stdout.starts_with("pruned 4 stories published before "),
        "{stdout}"
    );
    assert!(stdout.contains("\nkept 4 stories, 8 copies;"), "{stdout}");
    let store = Store::open(&config.store.path).unwrap();
    assert_eq!(store.counts().stories, 4);
}
