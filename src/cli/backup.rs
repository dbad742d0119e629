//! `bantin prune`, `bantin export` and `bantin import`: the store's
//! retention and backups, run by hand.

use std::io::Write as _;
use std::path::Path;
use std::process::ExitCode;

use anyhow::Context;
use bantin::config::Config;
use bantin::ops::backup::BackupError;
use bantin::store::StoreError;

use super::open_store;
use super::progress::{CountBytes, CountLines, Progress};

pub(super) fn prune(config: &Config) -> anyhow::Result<ExitCode> {
    let store = open_store(config)?;
    let keep_days = config.store.keep_days;
    let now = chrono::Utc::now();
    // `all` holds every story once: its entries before the cutoff are
    // the stories to remove.
    let total = bantin::config::cutoff(keep_days, now)
        .map(|cutoff| store.count_before(bantin::config::ALL_TOPIC, cutoff) as u64);
    let progress = Progress::new("prune", "stories", total);
    let configured: std::collections::HashSet<String> =
        config.sources.iter().map(|s| s.id.clone()).collect();
    let pruned = bantin::ops::retention::prune_reporting(
        &store,
        keep_days,
        Some(&configured),
        now,
        &mut |done| progress.set(done.stories as u64),
    )?;
    progress.finish();
    store.flush()?;
    let Some(cutoff) = pruned.cutoff else {
        println!("keep_days = {keep_days} keeps every story");
        return Ok(ExitCode::SUCCESS);
    };
    let left = store.counts();
    println!(
        "pruned {} stories published before {} ({} copies, {} dangling topic entries, {} old index keys)",
        pruned.stories,
        cutoff.format("%Y-%m-%d %H:%M UTC"),
        pruned.copies,
        pruned.dangling,
        pruned.week_keys,
    );
    println!(
        "kept {} stories, {} copies; index entries: {} links, {} titles, {} topics, {} sketches",
        left.stories, left.copies, left.links, left.titles, left.topics, left.sketches
    );
    Ok(ExitCode::SUCCESS)
}

/// Said when a plain export fails on a damaged store.
const TRY_SALVAGE: &str =
    "if the store is damaged, `bantin export --salvage` writes what can still be read of it";

pub(super) fn export(config: &Config) -> anyhow::Result<ExitCode> {
    let store = open_store(config).map_err(|e| hint_salvage(e, config))?;
    // Stories without a copy are left out: the count is an upper bound,
    // which the closing line corrects.
    let progress = Progress::new("export", "stories", Some(store.counts().stories as u64));
    let stdout = std::io::stdout();
    let mut out = CountLines {
        inner: std::io::BufWriter::new(stdout.lock()),
        progress: &progress,
    };
    let done = bantin::ops::backup::export(&store, &mut out).map_err(|e| match e {
        BackupError::Store(e) => hint_salvage(e.into(), config),
        other => other.into(),
    })?;
    out.flush()?;
    progress.finish();
    eprintln!(
        "exported {} stories, {} copies{}",
        done.stories,
        done.copies,
        if done.without_copies > 0 {
            format!(
                " ({} stories without a stored copy left out: the next poll completes them)",
                done.without_copies
            )
        } else {
            String::new()
        }
    );
    Ok(ExitCode::SUCCESS)
}

/// A store error, with the salvage named, unless the store is only in
/// use by a running daemon.
fn hint_salvage(e: anyhow::Error, config: &Config) -> anyhow::Error {
    let busy = matches!(
        e.downcast_ref::<StoreError>(),
        Some(StoreError::Locked { .. })
    );
    if busy {
        e
    } else {
        e.context(format!(
            "export: cannot read the store at {}; {TRY_SALVAGE}",
            config.store.path.display()
        ))
    }
}

/// `bantin export --salvage`: the records a damaged store still holds.
pub(super) fn salvage(config: &Config) -> anyhow::Result<ExitCode> {
    let path = &config.store.path;
    // An engine may panic on a damaged store; the salvage takes that as one
    // failed way to open it and tries the next, so its report is noise.
    let hook = std::panic::take_hook();
    std::panic::set_hook(Box::new(|_| {}));
    let opened = bantin::store::salvage::Salvage::open(path);
    std::panic::set_hook(hook);
    let mut salvage = opened?;
    // How much a damaged store holds is known once it is read.
    let progress = Progress::new("export --salvage", "stories", None);
    let stdout = std::io::stdout();
    let mut out = CountLines {
        inner: std::io::BufWriter::new(stdout.lock()),
        progress: &progress,
    };
    let done = bantin::ops::backup::salvage(&mut salvage, &mut out)?;
    out.flush()?;
    progress.finish();
    eprintln!(
        "salvaged {} stories, {} copies; {} records unreadable{}{} (the store was opened {}{})",
        done.stories,
        done.copies,
        done.unreadable,
        if done.rebuilt > 0 {
            format!("; {} stories rebuilt from their copies", done.rebuilt)
        } else {
            String::new()
        },
        if done.without_copies > 0 {
            format!(
                "; {} stories without a readable copy left out",
                done.without_copies
            )
        } else {
            String::new()
        },
        done.opened,
        if done.from_log {
            "; sled drops what its log holds after the first damaged spot, and that is not counted"
        } else {
            ""
        },
    );
    Ok(ExitCode::SUCCESS)
}

pub(super) fn import(config: &Config, file: &Path) -> anyhow::Result<ExitCode> {
    // The file is opened first: a wrong name must not create a store.
    let (input, size): (Box<dyn std::io::Read>, Option<u64>) = if file == Path::new("-") {
        (Box::new(std::io::stdin().lock()), None)
    } else {
        let opened = std::fs::File::open(file)
            .with_context(|| format!("import: cannot open {}", file.display()))?;
        let size = opened.metadata().ok().map(|m| m.len());
        (Box::new(opened), size)
    };
    let store = open_store(config)?;
    let progress = Progress::new("import", "bytes", size);
    let input = std::io::BufReader::new(CountBytes {
        inner: input,
        progress: &progress,
    });
    let done = bantin::ops::backup::import(&store, input)?;
    progress.finish();
    println!(
        "imported {} stories ({} replaced), {} copies into {}",
        done.stories,
        done.replaced,
        done.copies,
        config.store.path.display()
    );
    Ok(ExitCode::SUCCESS)
}
