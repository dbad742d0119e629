//! `bantin export` and `bantin import`: a store restored from an export
//! has the same stories, copies and feeds, with ids preserved, and its
//! rebuilt indexes merge new reposts as the original's do.

mod common;

use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};

use bantin::model::Ingested;
use bantin::ops::backup::{self, BackupError};
use bantin::pipeline::merge;
use bantin::pipeline::prepare;
use bantin::pipeline::publish::render;
use bantin::store::Store;
use bantin::tools::eval::Corpus;
use chrono::{TimeZone, Utc};
use common::{merge_corpus, stories_and_copies};

/// Ingests the corpus's sources in `sources`, in config order, as seen
/// at one fixed time (the feeds' dates come from it); sums up what they
/// did.
fn ingest(corpus: &Corpus, store: &Store, sources: std::ops::Range<usize>) -> Ingested {
    let now = Utc.with_ymd_and_hms(2026, 11, 28, 12, 0, 0).unwrap();
    let mut all = Ingested::default();
    for (source, body, _) in &corpus.bodies[sources] {
        let items = prepare(&corpus.config, source, body, now).unwrap().items;
        let done = merge::ingest(store, source, items, now).unwrap();
        all.new_stories += done.new_stories;
        all.joined_by_link += done.joined_by_link;
        all.joined_by_title += done.joined_by_title;
        all.joined_by_text += done.joined_by_text;
    }
    all
}

fn export(store: &Store) -> Vec<u8> {
    let mut out = Vec::new();
    backup::export(store, &mut out).unwrap();
    out
}

/// Every topic's feed, rendered as the daemon serves it.
fn feeds(corpus: &Corpus, store: &Store) -> Vec<String> {
    corpus
        .config
        .topics
        .iter()
        .map(|t| {
            String::from_utf8(render(&corpus.config, store, t).unwrap().atom.body.to_vec()).unwrap()
        })
        .collect()
}

#[test]
fn an_imported_store_has_the_same_stories_feeds_and_merges() {
    let corpus = merge_corpus();
    let half = corpus.bodies.len() / 2;
    let all = 0..corpus.bodies.len();
    let original = Store::temporary().unwrap();
    ingest(&corpus, &original, 0..half);

    let exported = export(&original);
    let restored = Store::temporary().unwrap();
    let imported = backup::import(&restored, &exported[..]).unwrap();

    assert_eq!(imported.stories, original.counts().stories);
    assert_eq!(imported.copies, original.counts().copies);
    assert_eq!(
        stories_and_copies(&restored),
        stories_and_copies(&original),
        "same ids, same copies"
    );
    for copy in original.copies() {
        let copy = copy.unwrap();
        assert_eq!(restored.copy(&copy.key).unwrap(), Some(copy));
    }
    for story in original.stories() {
        let story = story.unwrap();
        assert_eq!(restored.story(story.id).unwrap(), Some(story));
    }
    assert_eq!(feeds(&corpus, &restored), feeds(&corpus, &original));
    for topic in &corpus.config.topics {
        assert_eq!(
            restored.newest(&topic.slug, 1000).unwrap(),
            original.newest(&topic.slug, 1000).unwrap()
        );
    }
    // The indexes are the original's, entry for entry.
    assert_eq!(restored.counts(), original.counts());

    // The other sources' reposts find the imported stories by link, title
    // and text, as they find the original ones.
    let later = ingest(&corpus, &restored, half..all.end);
    let expected = ingest(&corpus, &original, half..all.end);
    assert_eq!(later, expected);
    assert!(
        later.joined_by_link > 0 && later.joined_by_title > 0 && later.joined_by_text > 0,
        "{later:?}"
    );
    assert_eq!(stories_and_copies(&restored), stories_and_copies(&original));
    assert_eq!(feeds(&corpus, &restored), feeds(&corpus, &original));
}

#[test]
fn importing_twice_changes_nothing() {
    let corpus = merge_corpus();
    let original = Store::temporary().unwrap();
    ingest(&corpus, &original, 0..corpus.bodies.len());
    let exported = export(&original);
    let restored = Store::temporary().unwrap();
    backup::import(&restored, &exported[..]).unwrap();
    let once = (
        restored.counts(),
        stories_and_copies(&restored),
        feeds(&corpus, &restored),
    );
    let again = backup::import(&restored, &exported[..]).unwrap();
    assert_eq!(again.replaced, again.stories);
    assert_eq!(
        (
            restored.counts(),
            stories_and_copies(&restored),
            feeds(&corpus, &restored)
        ),
        once
    );
}

#[test]
fn an_imported_story_replaces_the_one_with_its_id_and_takes_its_copies() {
    let corpus = merge_corpus();
    // The store holds every source; the export only the first half, where
    // some stories have fewer copies.
    let first = Store::temporary().unwrap();
    ingest(&corpus, &first, 0..corpus.bodies.len() / 2);
    let exported = export(&first);
    let store = Store::temporary().unwrap();
    ingest(&corpus, &store, 0..corpus.bodies.len());

    backup::import(&store, &exported[..]).unwrap();

    for story in first.stories() {
        let story = story.unwrap();
        assert_eq!(store.story(story.id).unwrap(), Some(story.clone()));
        for key in &story.copies {
            assert_eq!(store.copy(key).unwrap().unwrap().story, story.id);
        }
    }
    // No copy is shown twice, no story lists a copy it does not hold.
    for story in store.stories() {
        let story = story.unwrap();
        for key in &story.copies {
            let copy = store.copy(key).unwrap().unwrap();
            assert_eq!(copy.story, story.id, "{key:?}");
        }
    }
}

#[test]
fn a_damaged_line_stops_the_import_with_its_number() {
    let corpus = merge_corpus();
    let original = Store::temporary().unwrap();
    ingest(&corpus, &original, 0..2);
    let mut exported = export(&original);
    let good_lines = exported
        .split(|&b| b == b'\n')
        .filter(|l| !l.is_empty())
        .count();
    exported.extend_from_slice(b"{\"story\": 42}\n");
    let restored = Store::temporary().unwrap();
    let error = backup::import(&restored, &exported[..]).unwrap_err();
    assert!(
        matches!(error, BackupError::Record { line, .. } if line == good_lines + 1),
        "{error}"
    );
    assert!(
        error.to_string().contains("importing the file again"),
        "{error}"
    );
    assert_eq!(restored.counts().stories, good_lines);
}

fn bantin(args: &[&str]) -> Command {
    let mut command = Command::new(env!("CARGO_BIN_EXE_bantin"));
    command.args(args);
    command
}

fn filled_store(dir: &Path) -> PathBuf {
    let path = dir.join("store");
    let store = Store::open(&path).unwrap();
    let corpus = merge_corpus();
    ingest(&corpus, &store, 0..corpus.bodies.len());
    store.flush().unwrap();
    path
}

#[test]
fn export_and_import_commands_round_trip_through_a_file_and_stdin() {
    let dir = tempfile::tempdir().unwrap();
    let from = filled_store(dir.path());
    // No feeds.toml: a backup needs only the store.
    let no_config = dir.path().join("absent.toml");
    let no_config = no_config.to_str().unwrap();
    let out = bantin(&[
        "export",
        "--config",
        no_config,
        "--store",
        from.to_str().unwrap(),
    ])
    .output()
    .unwrap();
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let stderr = String::from_utf8(out.stderr).unwrap();
    // After the progress lines (tests/progress.rs), the summary.
    assert!(
        stderr.lines().last().unwrap().starts_with("exported "),
        "{stderr}"
    );
    let file = dir.path().join("stories.jsonl");
    std::fs::write(&file, &out.stdout).unwrap();

    let to_file = dir.path().join("from-file");
    let out = bantin(&[
        "import",
        file.to_str().unwrap(),
        "--config",
        no_config,
        "--store",
        to_file.to_str().unwrap(),
    ])
    .output()
    .unwrap();
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    assert!(
        String::from_utf8(out.stdout)
            .unwrap()
            .starts_with("imported ")
    );

    let to_stdin = dir.path().join("from-stdin");
    let child = bantin(&[
        "import",
        "-",
        "--config",
        no_config,
        "--store",
        to_stdin.to_str().unwrap(),
    ])
    .stdin(Stdio::from(std::fs::File::open(&file).unwrap()))
    .output()
    .unwrap();
    assert!(
        child.status.success(),
        "{}",
        String::from_utf8_lossy(&child.stderr)
    );

    let original = Store::open(&from).unwrap();
    for path in [to_file, to_stdin] {
        let restored = Store::open(&path).unwrap();
        assert_eq!(stories_and_copies(&restored), stories_and_copies(&original));
        assert_eq!(restored.counts(), original.counts());
    }
}

#[test]
fn a_store_in_use_is_refused_with_a_clear_message() {
    let dir = tempfile::tempdir().unwrap();
    let path = filled_store(dir.path());
    let _daemon = Store::open(&path).unwrap();
    for command in ["export", "prune"] {
        let out = bantin(&[command, "--store", path.to_str().unwrap()])
            .output()
            .unwrap();
        assert_eq!(out.status.code(), Some(1), "{command}");
        let stderr = String::from_utf8(out.stderr).unwrap();
        assert!(
            stderr.contains("is in use by a running bantin; stop it first"),
            "{command}: {stderr}"
        );
    }
}
