//! Merge and store as the store grows: copies per second, and the cost of
//! one lookup (where does a new copy belong?), at 10k, 100k and 1M stories.
//!
//! Items are generated, not parsed (parsing is `bench/ingest.rs`): each
//! story a 12-syllable title and a three-sentence body drawn from a
//! Vietnamese vocabulary, 100 sources, dates spread over a year. At each
//! size a batch of 5,000 new copies is ingested: 4,000 new stories, 500
//! reposts of recent stories under a place-prefixed title (joined by
//! title), 500 reposts with a rewritten title and a credit line (joined by
//! text). Then 2,000 lookups of unseen items are timed without writing.
//!
//! Rates are given per second of wall time and per second of CPU time
//! (all threads), the latter meaningful on a busy machine too.
//!
//! Run: `cargo bench --bench store_scale` (long, and gigabytes of disk, for
//! 1M; `BANTIN_SCALE_MAX=100000` stops earlier; `BANTIN_SCALE_CACHE_MB=64`
//! gives sled the cache `[store] cache = "64 MiB"` would). Figures: bench/README.md.

mod common;

use std::time::Instant;

use bantin::config::{Config, Source};
use bantin::model::Item;
use bantin::pipeline::merge;
use bantin::store::Store;
use chrono::{DateTime, Duration, TimeZone, Utc};
use common::{du, sources_config};

const SOURCES: usize = 100;
const BATCH: usize = 5_000;
const REPOSTS_BY_TITLE: usize = 500;
const REPOSTS_BY_TEXT: usize = 500;
const LOOKUPS: usize = 2_000;
const FILL_CHUNK: usize = 1_000;

const VOCABULARY: &str = "an ninh trật tự công tác phòng chống dịch bệnh tỉnh huyện xã phường \
    người dân cán bộ chiến sĩ lực lượng chức năng kiểm tra xử lý vi phạm giao thông đường bộ \
    tuyến quốc lộ thị trấn ấp khu vực trung tâm y tế bệnh viện bác sĩ điều trị bệnh nhân \
    tiêm chủng vắc xin trẻ em học sinh trường học giáo dục nông nghiệp lúa gạo thủy sản \
    kinh tế doanh nghiệp đầu tư dự án công trình xây dựng hội nghị triển khai kế hoạch \
    năm tháng tuần ngày đêm sáng chiều tối mới cũ lớn nhỏ nhiều ít cao thấp nhanh chậm \
    tăng cường đẩy mạnh nâng cao hiệu quả chất lượng chỉ đạo điều hành thực hiện nhiệm vụ \
    tội phạm ma túy trộm cắp lừa đảo đánh bạc khởi tố bắt giữ điều tra truy nã cảnh sát \
    cháy nổ cứu hộ cứu nạn mưa bão lũ lụt sạt lở môi trường rác thải nước sạch điện lực \
    văn hóa thể thao du lịch lễ hội di tích truyền thống gia đình phụ nữ thanh niên \
    Hậu Giang Vị Thanh Long Mỹ Ngã Bảy Châu Thành Phụng Hiệp Vị Thủy Cần Thơ Sóc Trăng";

fn main() {
    let max: usize = std::env::var("BANTIN_SCALE_MAX")
        .ok()
        .and_then(|v| v.parse().ok())
        .unwrap_or(1_000_000);
    let words: Vec<&str> = VOCABULARY.split_whitespace().collect();
    let config = sources_config(SOURCES);
    let dir = tempfile::tempdir().expect("tempdir");
    // `[store] cache`, in MiB: bantin's default unless set.
    let cache = std::env::var("BANTIN_SCALE_CACHE_MB")
        .ok()
        .and_then(|v| v.parse::<u64>().ok())
        .map_or(bantin::config::DEFAULT_CACHE, |mib| mib << 20);
    let store =
        Store::open_with(&dir.path().join("store"), common::engine(), cache).expect("store");
    println!("{} cache {} MiB", common::engine(), cache >> 20);

    println!(
        "stories    copies/s  per CPU-s  (new, by title, by text)   lookup µs  CPU µs  store size"
    );
    let mut stories = 0;
    for size in [10_000, 100_000, 1_000_000]
        .into_iter()
        .filter(|&s| s <= max)
    {
        fill(&store, &config, &words, &mut stories, size);
        store.flush().expect("flush");
        let (rate, cpu_rate, joined) = measure_ingest(&store, &config, &words, &mut stories);
        let (lookup, lookup_cpu) = measure_lookup(&store, &config, &words, stories);
        println!(
            "{:>9}  {:>8.0}  {:>9.0}  ({}, {}, {})  {:>9.1}  {:>6.1}  {}",
            size,
            rate,
            cpu_rate,
            joined.0,
            joined.1,
            joined.2,
            lookup,
            lookup_cpu,
            human(du(dir.path()))
        );
    }
}

/// The date of story `n`: stories spread over a year, about 2,700 a day
/// at 1M, so a 72-hour window holds some 8,000 of them.
fn date(n: usize) -> DateTime<Utc> {
    let start = Utc.with_ymd_and_hms(2026, 1, 1, 0, 0, 0).unwrap();
    start + Duration::seconds((n as i64 * 31_536_000) / 1_000_000)
}

/// Story `n`'s item as source `source` carries it: always the same text
/// for the same `n`.
fn story_item(words: &[&str], n: usize, source: usize) -> Item {
    let mut rng = fastrand::Rng::with_seed(n as u64);
    let mut phrase = |len: usize| -> String {
        (0..len)
            .map(|_| words[rng.usize(..words.len())])
            .collect::<Vec<_>>()
            .join(" ")
    };
    let title = phrase(12);
    let body = format!(
        "{}, {} trường hợp. {}. {}.",
        phrase(25),
        n % 997,
        phrase(25),
        phrase(25)
    );
    let link = format!("https://s{source:03}.gov.vn.test/tin/{n}.html");
    Item {
        guid: Some(link.clone()),
        link: Some(link),
        title,
        summary: body.clone(),
        content: format!("<p>{body}</p>"),
        content_text: body,
        published: date(n),
        ..Default::default()
    }
}

fn ingest(
    store: &Store,
    config: &Config,
    source: usize,
    items: Vec<Item>,
) -> bantin::model::Ingested {
    let source: &Source = &config.sources[source];
    let items = items.into_iter().map(|i| (i, vec!["all".to_string()]));
    merge::ingest(store, source, items.collect(), Utc::now()).expect("ingest")
}

/// Adds new stories until the store holds `size`.
fn fill(store: &Store, config: &Config, words: &[&str], stories: &mut usize, size: usize) {
    while *stories < size {
        let chunk = FILL_CHUNK.min(size - *stories);
        let source = *stories / FILL_CHUNK % SOURCES;
        let items = (*stories..*stories + chunk)
            .map(|n| story_item(words, n, source))
            .collect();
        ingest(store, config, source, items);
        *stories += chunk;
    }
}

/// Ingests one batch; returns copies per second of wall time and of CPU
/// time (all threads: sled flushes on its own), and how the reposts
/// joined.
fn measure_ingest(
    store: &Store,
    config: &Config,
    words: &[&str],
    stories: &mut usize,
) -> (f64, f64, (usize, usize, usize)) {
    let fresh = BATCH - REPOSTS_BY_TITLE - REPOSTS_BY_TEXT;
    let first = *stories;
    let mut batches: Vec<(usize, Vec<Item>)> = Vec::new();
    for (k, chunk) in (first..first + fresh)
        .collect::<Vec<_>>()
        .chunks(100)
        .enumerate()
    {
        let source = (first / FILL_CHUNK + k) % SOURCES;
        batches.push((
            source,
            chunk
                .iter()
                .map(|&n| story_item(words, n, source))
                .collect(),
        ));
    }
    // Reposts of the stories just before: another source, the next day.
    let repost = |n: usize, by_text: bool| {
        let source = (n / FILL_CHUNK + 1 + n % 7) % SOURCES;
        let mut item = story_item(words, n, source);
        item.published += Duration::hours(20);
        if by_text {
            item.title = format!("Tin mới: {}", story_item(words, n + 7_777_777, 0).title);
            item.content_text = format!(
                "{} Nguồn: Cổng thông tin điện tử Hậu Giang",
                item.content_text
            );
        } else {
            item.title = format!("Hậu Giang: {}", item.title);
        }
        (source, item)
    };
    for k in 0..REPOSTS_BY_TITLE + REPOSTS_BY_TEXT {
        let (source, item) = repost(first - 1 - 3 * k, k >= REPOSTS_BY_TITLE);
        batches.push((source, vec![item]));
    }
    let started = Instant::now();
    let cpu = cpu_seconds();
    let mut joined = (0, 0, 0);
    for (source, items) in batches {
        let done = ingest(store, config, source, items);
        joined.0 += done.new_stories;
        joined.1 += done.joined_by_title;
        joined.2 += done.joined_by_text;
    }
    let elapsed = started.elapsed().as_secs_f64();
    let cpu = cpu_seconds() - cpu;
    *stories += fresh;
    (BATCH as f64 / elapsed, BATCH as f64 / cpu, joined)
}

/// Microseconds (wall, CPU) to place an unseen item (link, title and text
/// indexes), without writing it.
fn measure_lookup(store: &Store, config: &Config, words: &[&str], stories: usize) -> (f64, f64) {
    let items: Vec<Item> = (0..LOOKUPS)
        .map(|k| {
            let mut item = story_item(words, 50_000_000 + k, 0);
            // Dated among the newest stories, where the indexes are densest.
            item.published = date(stories.saturating_sub(k));
            item
        })
        .collect();
    let source = &config.sources[0];
    let started = Instant::now();
    let cpu = cpu_seconds();
    for item in &items {
        let key = bantin::model::story::CopyKey {
            source: source.id.clone(),
            item: item.guid.clone().unwrap_or_default(),
        };
        let titles = merge::title_keys(&item.title);
        let sketch = merge::sketch_of(item);
        std::hint::black_box(
            merge::place(&store.batch(), &key, item, &titles, sketch.as_ref()).expect("place"),
        );
    }
    let per = |seconds: f64| seconds * 1e6 / LOOKUPS as f64;
    (
        per(started.elapsed().as_secs_f64()),
        per(cpu_seconds() - cpu),
    )
}

/// This process's CPU time so far, user and system (Linux: /proc), so
/// figures taken on a busy machine still mean something.
fn cpu_seconds() -> f64 {
    let stat = std::fs::read_to_string("/proc/self/stat").unwrap_or_default();
    // Fields after the command name, which is in parentheses.
    let fields: Vec<&str> = stat
        .rsplit_once(')')
        .map_or(vec![], |(_, rest)| rest.split_whitespace().collect());
    let ticks = |n: usize| {
        fields
            .get(n)
            .and_then(|v| v.parse::<f64>().ok())
            .unwrap_or(0.0)
    };
    // utime and stime are fields 14 and 15, in clock ticks of 1/100 s.
    (ticks(11) + ticks(12)) / 100.0
}

fn human(bytes: u64) -> String {
    format!("{:.1} GiB", bytes as f64 / (1u64 << 30) as f64)
}
