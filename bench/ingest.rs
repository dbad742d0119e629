//! parse → normalize → classify → merge → store, in items per second.
//!
//! Reads the shared sample corpus (../shared/corpus, when this checkout has
//! it) or else the offline demo's feeds, and measures:
//!
//! - `prepare`: parse, normalize and classify only (no store);
//! - `fresh_store`: the whole path into an empty sled store on disk;
//! - `unchanged`: the same bodies again into a store that already holds
//!   them (a server that ignores conditional requests).
//!
//! Run: `cargo bench --bench ingest`. Figures: bench/README.md.

use std::path::{Path, PathBuf};

use bantin::config::{Config, Source};
use bantin::merge;
use bantin::pipeline::{Body, prepare};
use bantin::store::Store;
use chrono::Utc;
use criterion::{BatchSize, Criterion, Throughput, criterion_group, criterion_main};

struct Corpus {
    name: &'static str,
    config: Config,
    bodies: Vec<(Source, Body)>,
}

impl Corpus {
    fn items(&self) -> u64 {
        let now = Utc::now();
        self.bodies
            .iter()
            .map(|(s, b)| prepare(&self.config, s, b, now).map_or(0, |p| p.items.len() as u64))
            .sum()
    }
}

fn manifest_dir() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR"))
}

/// The shared corpus: its feeds.toml names each source's file in a
/// `# file: ...` comment. HTML list sources are left out: scraping is not
/// part of this path yet.
fn shared_corpus() -> Option<Corpus> {
    let dir = manifest_dir().join("../shared/corpus");
    let text = std::fs::read_to_string(dir.join("feeds.toml")).ok()?;
    let mut kept = String::new();
    let mut files = Vec::new();
    let mut in_scrape = false;
    for line in text.lines() {
        let trimmed = line.trim();
        if trimmed == "[source.scrape]" {
            in_scrape = true;
            // The scraped source's file is not a feed: forget it.
            files.pop();
            continue;
        }
        if in_scrape && (trimmed.starts_with('[') && trimmed != "[source.scrape]") {
            in_scrape = false;
        }
        if in_scrape {
            continue;
        }
        if let Some(file) = trimmed.strip_prefix("# file: ") {
            let file = file.split_whitespace().next().unwrap_or_default();
            files.push(file.to_string());
        }
        kept.push_str(line);
        kept.push('\n');
    }
    let config = Config::parse(&kept, &dir.join("feeds.toml")).ok()?;
    let bodies = config
        .sources
        .iter()
        .zip(files)
        .filter(|(_, f)| !f.starts_with("html/"))
        .filter_map(|(s, f)| Some((s.clone(), Body::new(std::fs::read(dir.join(f)).ok()?))))
        .collect();
    Some(Corpus {
        name: "shared-corpus",
        config,
        bodies,
    })
}

/// The offline demo: its sources are `file:` URLs.
fn demo_corpus() -> Corpus {
    let config = Config::load(&manifest_dir().join("examples/offline.toml")).expect("offline.toml");
    let bodies = config
        .sources
        .iter()
        .filter_map(|s| {
            let path = s.url.to_file_path().ok()?;
            Some((s.clone(), Body::new(std::fs::read(path).ok()?)))
        })
        .collect();
    Corpus {
        name: "fixtures",
        config,
        bodies,
    }
}

fn ingest_all(corpus: &Corpus, store: &Store) -> usize {
    let now = Utc::now();
    let mut stories = 0;
    for (source, body) in &corpus.bodies {
        let items = prepare(&corpus.config, source, body, now).expect("corpus feeds parse");
        stories += merge::ingest(store, source, items.items, now)
            .expect("store")
            .new_stories;
    }
    stories
}

fn temp_store(dir: &Path, n: &mut u32) -> Store {
    *n += 1;
    Store::open(&dir.join(format!("store-{n}"))).expect("store")
}

fn bench(c: &mut Criterion) {
    let corpus = shared_corpus().unwrap_or_else(demo_corpus);
    let items = corpus.items();
    let tmp = tempfile::tempdir().expect("tempdir");
    let mut n = 0;

    let mut group = c.benchmark_group(format!("ingest/{}", corpus.name));
    group.throughput(Throughput::Elements(items));
    group.sample_size(20);

    group.bench_function("prepare", |b| {
        let now = Utc::now();
        b.iter(|| {
            corpus
                .bodies
                .iter()
                .map(|(s, body)| prepare(&corpus.config, s, body, now).map_or(0, |p| p.items.len()))
                .sum::<usize>()
        })
    });

    group.bench_function("fresh_store", |b| {
        b.iter_batched(
            || temp_store(tmp.path(), &mut n),
            |store| ingest_all(&corpus, &store),
            BatchSize::PerIteration,
        )
    });

    let full = temp_store(tmp.path(), &mut n);
    ingest_all(&corpus, &full);
    group.bench_function("unchanged", |b| b.iter(|| ingest_all(&corpus, &full)));
    group.finish();
}

criterion_group!(benches, bench);
criterion_main!(benches);
