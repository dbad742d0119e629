//! parse → normalize → classify → merge → store, in items per second.
//!
//! Reads the shared sample corpus (../shared/corpus, when this checkout has
//! it: ten feeds and two scraped HTML list pages) or else the offline
//! demo's feeds, and measures:
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
/// `# file: ...` comment inside the source's block; HTML list pages are
/// scraped with the block's `[source.scrape]` rules.
fn shared_corpus() -> Option<Corpus> {
    let dir = manifest_dir().join("../shared/corpus");
    let config = Config::load(&dir.join("feeds.toml")).ok()?;
    let text = std::fs::read_to_string(dir.join("feeds.toml")).ok()?;
    let mut files = std::collections::HashMap::new();
    for block in text.split("[[source]]").skip(1) {
        let id = block
            .lines()
            .find_map(|l| l.trim().strip_prefix("id"))
            .and_then(|v| v.split('"').nth(1));
        let file = block
            .lines()
            .find_map(|l| l.trim().strip_prefix("# file: "))
            .and_then(|f| f.split_whitespace().next());
        if let (Some(id), Some(file)) = (id, file) {
            files.insert(id.to_string(), file.to_string());
        }
    }
    let bodies = config
        .sources
        .iter()
        .filter_map(|s| {
            let bytes = std::fs::read(dir.join(files.get(&s.id)?)).ok()?;
            Some((s.clone(), Body::new(bytes)))
        })
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
