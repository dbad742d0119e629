//! The store under steady input with retention: entries per tree and
//! bytes on disk as simulated days pass.
//!
//! Each simulated day brings `PER_DAY` new stories from 50 sources (a
//! 12-syllable title, a three-sentence body), a fifth of them reposted
//! by another source under a place-prefixed title; the store is pruned
//! at the end of each day with `keep_days = KEEP_DAYS`. Once the window
//! is full, each prune removes a day as old as the day added: the
//! entries per tree stay flat, and the bytes on disk should too once
//! the engine reuses the space it freed.
//!
//! Run: `cargo bench --bench retention` (about 4 minutes on the 2-core
//! machine). `BANTIN_RETENTION_DAYS` (default 120), `BANTIN_RETENTION_KEEP`
//! (30) and `BANTIN_RETENTION_PER_DAY` (2000) change the run. Figures:
//! bench/README.md. `BENCH_ENGINE=sled` runs it on sled.

mod common;

use std::time::Instant;

use bantin::config::Config;
use bantin::model::Item;
use bantin::ops::retention;
use bantin::pipeline::merge;
use bantin::store::Store;
use chrono::{DateTime, Duration, TimeZone, Utc};
use common::{du, sources_config};

const SOURCES: usize = 50;

const VOCABULARY: &str = "an ninh trật tự công tác phòng chống dịch bệnh tỉnh huyện xã phường \
    người dân cán bộ chiến sĩ lực lượng chức năng kiểm tra xử lý vi phạm giao thông đường bộ \
    tuyến quốc lộ thị trấn ấp khu vực trung tâm y tế bệnh viện bác sĩ điều trị bệnh nhân \
    tiêm chủng vắc xin trẻ em học sinh trường học giáo dục nông nghiệp lúa gạo thủy sản \
    kinh tế doanh nghiệp đầu tư dự án công trình xây dựng hội nghị triển khai kế hoạch \
    năm tháng tuần ngày đêm sáng chiều tối mới cũ lớn nhỏ nhiều ít cao thấp nhanh chậm \
    tội phạm ma túy trộm cắp lừa đảo đánh bạc khởi tố bắt giữ điều tra truy nã cảnh sát";

/// Counts the bytes of an export, which the disk goal compares
/// the store with.
struct Counted(u64);

impl std::io::Write for Counted {
    fn write(&mut self, buf: &[u8]) -> std::io::Result<usize> {
        self.0 += buf.len() as u64;
        Ok(buf.len())
    }

    fn flush(&mut self) -> std::io::Result<()> {
        Ok(())
    }
}

fn setting(name: &str, default: usize) -> usize {
    std::env::var(name)
        .ok()
        .and_then(|v| v.parse().ok())
        .unwrap_or(default)
}

fn main() {
    let days = setting("BANTIN_RETENTION_DAYS", 120);
    let keep_days = setting("BANTIN_RETENTION_KEEP", 30) as u32;
    let per_day = setting("BANTIN_RETENTION_PER_DAY", 2000);
    let words: Vec<&str> = VOCABULARY.split_whitespace().collect();
    let config = sources_config(SOURCES);
    let dir = tempfile::tempdir().expect("tempdir");
    let store = Store::open_with(
        &dir.path().join("store"),
        common::engine(),
        bantin::config::DEFAULT_CACHE,
    )
    .expect("store");
    let start = Utc.with_ymd_and_hms(2026, 1, 1, 0, 0, 0).unwrap();

    println!(
        "{}: keep_days = {keep_days}, {per_day} stories a day (+{} reposts)",
        common::engine(),
        per_day / 5
    );
    println!(
        "{:>4}  {:>7}  {:>7}  {:>7}  {:>7}  {:>7}  {:>8}  {:>7}  {:>9}  {:>9}  {:>9}  {:>5}",
        "day",
        "stories",
        "copies",
        "links",
        "titles",
        "topics",
        "sketches",
        "pruned",
        "size",
        "on disk",
        "export",
        "ratio"
    );
    let started = Instant::now();
    for day in 0..days {
        let today = start + Duration::days(day as i64);
        for k in 0..per_day {
            let n = day * per_day + k;
            let published = today + Duration::seconds((k * 86_400 / per_day) as i64);
            ingest(
                &store,
                &config,
                n % SOURCES,
                story_item(&words, n, published),
            );
            if k % 5 == 0 {
                let mut repost = story_item(&words, n, published + Duration::hours(3));
                let source = (n + 1 + k % 7) % SOURCES;
                repost.title = format!("Hậu Giang: {}", repost.title);
                let link = format!("https://s{source:03}.gov.vn.test/tin/{n}.html");
                repost.guid = Some(link.clone());
                repost.link = Some(link);
                ingest(&store, &config, source, repost);
            }
        }
        let end_of_day = today + Duration::days(1);
        let pruned = retention::prune(&store, keep_days, end_of_day).expect("prune");
        store.flush().expect("flush");
        if day % 10 == 9 || day + 1 == days {
            let c = store.counts();
            let mut export = Counted(0);
            bantin::ops::backup::export(&store, &mut export).expect("export");
            let on_disk = du(dir.path());
            println!(
                "{:>4}  {:>7}  {:>7}  {:>7}  {:>7}  {:>7}  {:>8}  {:>7}  {:>9}  {:>9}  {:>9}  {:>5.2}",
                day + 1,
                c.stories,
                c.copies,
                c.links,
                c.titles,
                c.topics,
                c.sketches,
                pruned.stories,
                mib(store.size_on_disk()),
                mib(on_disk),
                mib(export.0),
                on_disk as f64 / export.0.max(1) as f64
            );
        }
    }
    println!("{:.0} s", started.elapsed().as_secs_f64());
}

fn story_item(words: &[&str], n: usize, published: DateTime<Utc>) -> Item {
    let mut rng = fastrand::Rng::with_seed(n as u64);
    let mut phrase = |len: usize| -> String {
        (0..len)
            .map(|_| words[rng.usize(..words.len())])
            .collect::<Vec<_>>()
            .join(" ")
    };
    let title = format!("{} {n}", phrase(12));
    let body = format!("{}, {n}. {}. {}.", phrase(25), phrase(25), phrase(25));
    let link = format!("https://s{:03}.gov.vn.test/tin/{n}.html", n % SOURCES);
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

fn ingest(store: &Store, config: &Config, source: usize, item: Item) {
    let source = &config.sources[source];
    let topics = bantin::pipeline::classify::classify(&item, source, &config.topics);
    merge::ingest(store, source, vec![(item, topics)], Utc::now()).expect("ingest");
}

fn mib(bytes: u64) -> String {
    format!("{:.1} MiB", bytes as f64 / (1u64 << 20) as f64)
}
