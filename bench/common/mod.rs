//! What the store benchmarks share: their generated configuration and
//! the size of a store on disk.

use std::path::Path;

use bantin::config::{Config, Engine};

/// A configuration of `sources` sources `s000`, `s001`, ... (never
/// fetched: the benchmarks ingest generated items) and one topic.
pub fn sources_config(sources: usize) -> Config {
    let mut text = String::from(
        "[[topic]]\nslug = \"y-te\"\ntitle = \"Y tế\"\nkeywords = [\"y tế\", \"bệnh viện\"]\n",
    );
    for n in 0..sources {
        text.push_str(&format!(
            "[[source]]\nid = \"s{n:03}\"\nurl = \"https://s{n:03}.gov.vn.test/rss\"\n"
        ));
    }
    Config::parse(&text, Path::new("bench.toml")).expect("config")
}

/// Bytes the files under `path` take on the disk, as `du` counts them:
/// the blocks allocated, not the lengths (redb grows its file by
/// doubling it, sparsely).
pub fn du(path: &Path) -> u64 {
    use std::os::unix::fs::MetadataExt as _;
    let mut total = 0;
    if let Ok(entries) = std::fs::read_dir(path) {
        for entry in entries.flatten() {
            match entry.metadata() {
                Ok(m) if m.is_dir() => total += du(&entry.path()),
                Ok(m) => total += m.blocks() * 512,
                Err(_) => {}
            }
        }
    }
    total
}

/// The storage engine a benchmark's store is made with: `BENCH_ENGINE`
/// (`redb`, the default, or `sled`), so that both can be measured in one
/// run.
pub fn engine() -> Engine {
    match std::env::var("BENCH_ENGINE") {
        Ok(name) => Engine::parse(&name).expect("BENCH_ENGINE is redb or sled"),
        Err(_) => Engine::default(),
    }
}
