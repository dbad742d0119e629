//! parse → normalize → classify → merge → store, in items per second.
//!
//! Reads the shared sample corpus (../shared/corpus, when this checkout has
//! it: ten feeds and two scraped HTML list pages) or else the labelled
//! merge corpus (tests/fixtures/merge), and measures:
//!
//! - `prepare`: parse, normalize and classify only (no store);
//! - `fresh_store`: the whole path into an empty store on disk (redb, or
//!   sled with `BENCH_ENGINE=sled`);
//! - `unchanged`: the same bodies again into a store that already holds
//!   them (a server that ignores conditional requests).
//!
//! Run: `cargo bench --bench ingest`. Figures: bench/README.md.

// Only its `engine()`.
#[allow(dead_code)]
mod common;

use std::path::{Path, PathBuf};

use bantin::pipeline::merge;
use bantin::pipeline::prepare;
use bantin::store::Store;
use bantin::tools::eval::Corpus;
use chrono::Utc;
use criterion::{BatchSize, Criterion, Throughput, criterion_group, criterion_main};

struct Named {
    name: &'static str,
    corpus: Corpus,
}

impl Named {
    fn items(&self) -> u64 {
        let now = Utc::now();
        self.corpus
            .bodies
            .iter()
            .map(|(s, b, _)| {
                prepare(&self.corpus.config, s, b, now).map_or(0, |p| p.items.len() as u64)
            })
            .sum()
    }
}

fn manifest_dir() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR"))
}

/// The shared corpus when this checkout has it (its feeds.toml names each
/// source's file in a `# file:` comment), else the offline demo's feeds.
fn corpus() -> Named {
    match Corpus::load(&manifest_dir().join("../shared/corpus")) {
        Ok(corpus) => Named {
            name: "shared-corpus",
            corpus,
        },
        Err(_) => Named {
            name: "fixtures",
            corpus: Corpus::load(&manifest_dir().join("tests/fixtures/merge"))
                .expect("tests/fixtures/merge"),
        },
    }
}

fn ingest_all(corpus: &Corpus, store: &Store) -> usize {
    let now = Utc::now();
    let mut stories = 0;
    for (source, body, _) in &corpus.bodies {
        let items = prepare(&corpus.config, source, body, now).expect("corpus feeds parse");
        stories += merge::ingest(store, source, items.items, now)
            .expect("store")
            .new_stories;
    }
    stories
}

fn temp_store(dir: &Path, n: &mut u32) -> Store {
    *n += 1;
    Store::open_with(
        &dir.join(format!("store-{n}")),
        common::engine(),
        bantin::config::DEFAULT_CACHE,
    )
    .expect("store")
}

fn bench(c: &mut Criterion) {
    let named = corpus();
    let items = named.items();
    let corpus = &named.corpus;
    let tmp = tempfile::tempdir().expect("tempdir");
    let mut n = 0;

    let mut group = c.benchmark_group(format!("ingest/{}", named.name));
    group.throughput(Throughput::Elements(items));
    group.sample_size(20);

    group.bench_function("prepare", |b| {
        let now = Utc::now();
        b.iter(|| {
            corpus
                .bodies
                .iter()
                .map(|(s, body, _)| {
                    prepare(&corpus.config, s, body, now).map_or(0, |p| p.items.len())
                })
                .sum::<usize>()
        })
    });

    group.bench_function("fresh_store", |b| {
        b.iter_batched(
            || temp_store(tmp.path(), &mut n),
            |store| ingest_all(corpus, &store),
            BatchSize::PerIteration,
        )
    });

    let full = temp_store(tmp.path(), &mut n);
    ingest_all(corpus, &full);
    group.bench_function("unchanged", |b| b.iter(|| ingest_all(corpus, &full)));
    group.finish();
}

criterion_group!(benches, bench);
criterion_main!(benches);
