//! kill -9 at any moment of heavy ingest loses nothing and corrupts
//! nothing (issue #6): the real `bantin serve` is killed at random
//! points, restarted on the same store each time, and the store it ends
//! with is compared with a clean run's.
//!
//! Forty feeds of up to fifty items grow while the daemon is being
//! killed, so kills land in fetches, merges, renders and startups alike.
//! Even-numbered feeds repost some of the next feed's stories (same link,
//! or a "Hậu Giang:" title): which copy arrives first decides such a
//! story's id, in a clean run as in a killed one, so stories are compared
//! by their copies, and ids exactly where one copy makes the story.

mod common;

use std::collections::{BTreeMap, BTreeSet, HashSet};
use std::path::Path;
use std::process::{Child, Command, Stdio};
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use bantin::config::Config;
use bantin::model::story::StoryId;
use bantin::pipeline::publish::render;
use bantin::status::SourceStatus;
use bantin::store::Store;
use chrono::{DateTime, Utc};
use common::{Answer, FixtureServer, TOPICS};

const FEEDS: usize = 40;
const ITEMS: usize = 50;
/// Items every feed starts with; each kill adds one to every feed.
const FIRST_ITEMS: usize = 30;
const KILLS: usize = 20;

const PHRASES: &str = "an ninh trật tự, công tác, phòng chống dịch bệnh, người dân, \
    cán bộ chiến sĩ, lực lượng chức năng, kiểm tra, xử lý vi phạm, giao thông, quốc lộ, \
    trung tâm y tế, bệnh viện, bác sĩ, bệnh nhân, tiêm chủng, học sinh, nông nghiệp, \
    doanh nghiệp, dự án, hội nghị, kế hoạch, tội phạm, ma túy, khởi tố, công an, cảnh sát";

const SYLLABLES: &str = "an ba ca da đa ga ha kha la ma na nga nha pha qua ra sa ta tha tra \
    va xa bê cê đê ghê hê kê lê mê nê phê quê rê sê tê thê vê xê bi ci di gi hi ki li mi \
    ni phi qui ri si ti thi vi xi bo co do go ho kho lo mo no ngo nho pho ro so to tho tro \
    vo xo bu cu du gu hu khu lu mu nu ngu nhu phu ru su tu thu tru vu xu";

/// The date every feed's items count back from.
fn base() -> DateTime<Utc> {
    let now = Utc::now().timestamp();
    DateTime::from_timestamp(now - now % 60 - 3600, 0).unwrap()
}

/// The title and body of feed `k`'s own item `j`: nothing like any other.
fn text(k: usize, j: usize) -> (String, String) {
    let mut rng = fastrand::Rng::with_seed((k * 1000 + j) as u64);
    let phrases: Vec<&str> = PHRASES.split(',').map(str::trim).collect();
    let syllables: Vec<&str> = SYLLABLES.split_whitespace().collect();
    let title: Vec<&str> = (0..4)
        .map(|_| phrases[rng.usize(..phrases.len())])
        .collect();
    let body: Vec<&str> = (0..80)
        .map(|_| syllables[rng.usize(..syllables.len())])
        .collect();
    (
        format!("{} số {k} {j}", title.join(" ")),
        format!("{}.", body.join(" ")),
    )
}

/// Feed `k` with its first `items` items. An even feed's item `j` is a
/// repost of the next feed's when `j % 10` is 0 (same page, another form
/// of its link) or 5 (same text, a place before the title).
fn feed(k: usize, items: usize, base: DateTime<Utc>) -> Vec<u8> {
    let mut xml = format!(
        "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n<rss version=\"2.0\"><channel>\
         <title>Nguồn {k}</title><link>http://site{k}.test/</link><description>d</description>\n"
    );
    for j in 0..items {
        let own = |k: usize| {
            let (title, body) = text(k, j);
            let link = format!("https://site{k}.test/tin/{j}.html");
            let date = base - chrono::Duration::minutes((j * 60 + k) as i64);
            (title, body, link, date)
        };
        let (title, body, link, date) = match (k % 2, j % 10) {
            (0, 0) if k + 1 < FEEDS => {
                let (title, body, _, date) = own(k + 1);
                let link = format!("http://www.site{}.test/tin/{j}.html/", k + 1);
                (title, body, link, date + chrono::Duration::minutes(30))
            }
            (0, 5) if k + 1 < FEEDS => {
                let (title, body, _, date) = own(k + 1);
                let link = format!("https://site{k}.test/lai/{j}.html");
                (
                    format!("Hậu Giang: {title}"),
                    body,
                    link,
                    date + chrono::Duration::minutes(30),
                )
            }
            _ => own(k),
        };
        xml.push_str(&format!(
            "<item><guid isPermaLink=\"false\">{k}-{j}</guid><title>{title}</title>\
             <link>{link}</link><pubDate>{}</pubDate><description>{body}</description></item>\n",
            date.to_rfc2822()
        ));
    }
    xml.push_str("</channel></rss>\n");
    xml.into_bytes()
}

fn set_feeds(server: &FixtureServer, items: usize, base: DateTime<Utc>) {
    for k in 0..FEEDS {
        server.set(&format!("feed{k}.rss"), Answer::rss(feed(k, items, base)));
    }
}

/// A feeds.toml for the forty feeds, on `listen`, storing in `store`.
fn config_text(server: &FixtureServer, listen: &str, store: &Path) -> String {
    let mut text = format!(
        "[server]\nlisten = \"{listen}\"\nbase_url = \"http://bantin.test/\"\n\n\
         [store]\npath = \"{}\"\nfeed_size = 5000\n\n\
         [poll]\nevery = \"1s\"\nmin_every = \"1s\"\ntimeout = \"5s\"\nhost_gap = \"0s\"\nper_host = 8\n{TOPICS}",
        store.display()
    );
    for k in 0..FEEDS {
        text.push_str(&format!(
            "\n[[source]]\nid = \"feed{k:02}\"\nname = \"Nguồn {k}\"\nurl = \"{}\"\nallow_private = true\n",
            server.url(&format!("feed{k}.rss"))
        ));
    }
    text
}

/// A running `bantin serve`; killed if the test fails before it is done
/// with it, so no daemon outlives the test.
struct Daemon(Option<Child>);

impl Daemon {
    fn start(config: &Path, log: &Path) -> Daemon {
        let log = std::fs::OpenOptions::new()
            .create(true)
            .append(true)
            .open(log)
            .unwrap();
        let child = Command::new(env!("CARGO_BIN_EXE_bantin"))
            .args(["serve", "--config", config.to_str().unwrap()])
            .env("RUST_LOG", "bantin=warn")
            .stdout(Stdio::null())
            .stderr(Stdio::from(log))
            .spawn()
            .unwrap();
        Daemon(Some(child))
    }

    fn child(&mut self) -> &mut Child {
        self.0.as_mut().unwrap()
    }

    /// SIGKILL: no signal handler, no flush, nothing runs.
    fn kill_9(mut self) {
        let mut child = self.0.take().unwrap();
        child.kill().unwrap();
        child.wait().unwrap();
    }

    /// SIGTERM, and a clean exit.
    fn terminate(mut self) {
        let mut child = self.0.take().unwrap();
        let status = Command::new("kill")
            .args(["-TERM", &child.id().to_string()])
            .status()
            .unwrap();
        assert!(status.success());
        let exit = child.wait().unwrap();
        assert!(exit.success(), "{exit:?}");
    }
}

impl Drop for Daemon {
    fn drop(&mut self) {
        if let Some(mut child) = self.0.take() {
            let _ = child.kill();
            let _ = child.wait();
        }
    }
}

/// A port nothing listens on now; every daemon of the test serves on it.
fn free_port() -> u16 {
    let listener = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
    listener.local_addr().unwrap().port()
}

/// Reads `/feeds/all.atom` over and over while daemons come and go, and
/// keeps every entry id it was served.
fn watch_served(addr: String, served: Arc<Mutex<HashSet<String>>>) -> tokio::task::JoinHandle<()> {
    tokio::spawn(async move {
        let client = reqwest::Client::builder()
            .timeout(Duration::from_millis(500))
            .build()
            .unwrap();
        loop {
            let url = format!("http://{addr}/feeds/all.atom");
            if let Ok(response) = client.get(&url).send().await {
                if let Ok(body) = response.bytes().await {
                    if let Ok(feed) = feed_rs::parser::parse(&body[..]) {
                        let mut served = served.lock().unwrap();
                        served.extend(feed.entries.into_iter().map(|e| e.id));
                    }
                }
            }
            tokio::time::sleep(Duration::from_millis(100)).await;
        }
    })
}

/// Waits until every source was polled successfully since `since`.
async fn wait_for_cycle(addr: &str, since: DateTime<Utc>, log: &Path) {
    let deadline = Instant::now() + Duration::from_secs(20);
    loop {
        assert!(
            Instant::now() < deadline,
            "no complete poll cycle; log:\n{}",
            std::fs::read_to_string(log).unwrap_or_default()
        );
        let url = format!("http://{addr}/status.json");
        if let Ok(response) = reqwest::get(&url).await {
            let body = response.bytes().await.unwrap_or_default();
            if let Ok(statuses) = serde_json::from_slice::<Vec<SourceStatus>>(&body) {
                let done = statuses
                    .iter()
                    .all(|s| s.error_kind.is_none() && s.last_success.is_some_and(|t| t > since));
                if statuses.len() == FEEDS && done {
                    return;
                }
            }
        }
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
}

/// Every topic's feed as served, once three reads a second apart agree:
/// changes are rendered half a second after they are stored, and
/// rendering the topics of a thousand stories in every format takes up
/// to a second or more in a debug build, so two reads a second apart can
/// both fall in one render.
async fn settled_feeds(addr: &str, config: &Config) -> BTreeMap<String, Vec<u8>> {
    let read = || async {
        let mut feeds = BTreeMap::new();
        for topic in &config.topics {
            let url = format!("http://{addr}/feeds/{}.atom", topic.slug);
            let body = reqwest::get(&url).await.unwrap().bytes().await.unwrap();
            feeds.insert(topic.slug.clone(), body.to_vec());
        }
        feeds
    };
    let mut last = read().await;
    let mut agreeing = 1;
    for _ in 0..30 {
        tokio::time::sleep(Duration::from_secs(1)).await;
        let now = read().await;
        if now == last {
            agreeing += 1;
            if agreeing == 3 {
                return now;
            }
        } else {
            agreeing = 1;
        }
        last = now;
    }
    panic!("the feeds never settled");
}

/// A story as the comparison sees it: its copies' keys.
type Copies = BTreeSet<String>;

/// The store's stories by their copies, checked for consistency on the
/// way: every story has its copies, every copy its story.
fn stories(store: &Store) -> BTreeMap<Copies, StoryId> {
    let mut by_copies = BTreeMap::new();
    for story in store.stories() {
        let story = story.unwrap();
        assert!(!story.copies.is_empty(), "{story:?}");
        let mut keys = Copies::new();
        for key in &story.copies {
            let copy = store
                .copy(key)
                .unwrap()
                .unwrap_or_else(|| panic!("story {} lists a missing copy {key:?}", story.id.urn()));
            assert_eq!(copy.story, story.id, "{key:?}");
            keys.insert(format!("{}/{}", key.source, key.item));
        }
        assert!(
            story.copies.iter().any(|k| StoryId::mint(k) == story.id),
            "story {} has an id none of its copies mints",
            story.id.urn()
        );
        by_copies.insert(keys, story.id);
    }
    for copy in store.copies() {
        let copy = copy.unwrap();
        let story = store
            .story(copy.story)
            .unwrap()
            .expect("a copy's story exists");
        assert!(story.copies.contains(&copy.key), "{copy:?}");
    }
    by_copies
}

/// A topic's entries, each as its story's copies, title and date.
fn entries(store: &Store, body: &[u8]) -> Vec<(Copies, String, DateTime<Utc>)> {
    let feed = feed_rs::parser::parse(body).unwrap();
    feed.entries
        .iter()
        .map(|entry| {
            let id = bantin::tools::explain::parse_story_id(&entry.id).unwrap();
            let story = store.story(id).unwrap().unwrap();
            let copies = story
                .copies
                .iter()
                .map(|k| format!("{}/{}", k.source, k.item))
                .collect();
            let title = entry.title.as_ref().unwrap().content.clone();
            (copies, title, entry.published.unwrap().to_utc())
        })
        .collect()
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn kill_9_during_ingest_loses_and_corrupts_nothing() {
    let started = Instant::now();
    let base = base();
    let server = FixtureServer::start(&[]).await;
    set_feeds(&server, FIRST_ITEMS, base);
    let dir = tempfile::tempdir().unwrap();
    let addr = format!("127.0.0.1:{}", free_port());
    let config_path = dir.path().join("feeds.toml");
    let store_path = dir.path().join("store");
    std::fs::write(&config_path, config_text(&server, &addr, &store_path)).unwrap();
    let log = dir.path().join("bantin.log");

    let seed = std::env::var("BANTIN_CRASH_SEED")
        .ok()
        .and_then(|s| s.parse().ok())
        .unwrap_or_else(|| fastrand::u64(..));
    eprintln!("kill timings: BANTIN_CRASH_SEED={seed}");
    let mut rng = fastrand::Rng::with_seed(seed);

    let served = Arc::new(Mutex::new(HashSet::new()));
    let watcher = watch_served(addr.clone(), Arc::clone(&served));
    let mut progress = Vec::new();
    for kill in 0..KILLS {
        let mut daemon = Daemon::start(&config_path, &log);
        let delay = rng.u64(50..=400);
        tokio::time::sleep(Duration::from_millis(delay)).await;
        progress.push((delay, served.lock().unwrap().len()));
        if let Some(exit) = daemon.child().try_wait().unwrap() {
            panic!(
                "run {kill}: bantin exited by itself ({exit:?}); log:\n{}",
                std::fs::read_to_string(&log).unwrap_or_default()
            );
        }
        daemon.kill_9();
        set_feeds(&server, (FIRST_ITEMS + kill + 1).min(ITEMS), base);
    }
    set_feeds(&server, ITEMS, base);

    // Once more, to the end of a poll cycle.
    let last_start = Utc::now();
    let daemon = Daemon::start(&config_path, &log);
    wait_for_cycle(&addr, last_start, &log).await;
    let config = Config::load(&config_path).unwrap();
    let served_feeds = settled_feeds(&addr, &config).await;
    watcher.abort();
    daemon.terminate();

    // The clean run: the same feeds, one poll, no kills.
    let clean_dir = tempfile::tempdir().unwrap();
    let clean_config = clean_dir.path().join("feeds.toml");
    let clean_path = clean_dir.path().join("store");
    std::fs::write(
        &clean_config,
        config_text(&server, "127.0.0.1:0", &clean_path),
    )
    .unwrap();
    let polled = Command::new(env!("CARGO_BIN_EXE_bantin"))
        .args(["poll", "--config", clean_config.to_str().unwrap()])
        .output()
        .unwrap();
    assert!(polled.status.success(), "{polled:?}");

    let store = Store::open(&store_path).unwrap();
    let clean = Store::open(&clean_path).unwrap();
    let killed_stories = stories(&store);
    let clean_stories = stories(&clean);
    assert_eq!(
        killed_stories.keys().collect::<Vec<_>>(),
        clean_stories.keys().collect::<Vec<_>>(),
        "the same stories, each with the same copies"
    );
    // Reposts must have joined, or this test proves less than it says.
    let joined = clean_stories.keys().filter(|c| c.len() > 1).count();
    assert_eq!(joined, FEEDS / 2 * ITEMS / 5);
    for (copies, id) in &clean_stories {
        if copies.len() == 1 {
            assert_eq!(killed_stories[copies], *id, "{copies:?}");
        }
    }
    for copy in clean.copies() {
        let copy = copy.unwrap();
        let mine = store.copy(&copy.key).unwrap().unwrap();
        assert_eq!(
            (
                &mine.title,
                &mine.link,
                &mine.content,
                mine.published,
                &mine.topics
            ),
            (
                &copy.title,
                &copy.link,
                &copy.content,
                copy.published,
                &copy.topics
            )
        );
    }

    // What was served before a kill is still there.
    let ids: HashSet<String> = store.stories().map(|s| s.unwrap().id.urn()).collect();
    let served = served.lock().unwrap().clone();
    assert!(!served.is_empty(), "no feed was read between kills");
    let lost: Vec<&String> = served.difference(&ids).collect();
    assert!(lost.is_empty(), "served, then lost: {lost:?}");

    // Every feed as served is the store's, and holds the clean run's entries.
    for topic in &config.topics {
        let body = &served_feeds[&topic.slug];
        let rendered = render(&config, &store, topic).unwrap();
        assert_eq!(
            &rendered.atom.body[..],
            &body[..],
            "{} as served",
            topic.slug
        );
        let clean_feed = render(&config, &clean, topic).unwrap();
        assert_eq!(
            entries(&store, body),
            entries(&clean, &clean_feed.atom.body),
            "{}",
            topic.slug
        );
    }
    eprintln!(
        "{KILLS} kills (after ms, entries served so far): {progress:?}; {} stories, {} ids \
         ever served, {:?}",
        killed_stories.len(),
        served.len(),
        started.elapsed()
    );
}
