//! How well the merge does on a labelled corpus: pairwise precision and
//! recall, and the pairs it got wrong.
//!
//! A corpus is a directory with a `feeds.toml` and the bodies of its
//! sources: a source's `file:` URL, or, for a source with a real URL, the
//! file named in a `# file: PATH` comment inside its `[[source]]` block
//! (the item links then resolve against the real URL, as in production).
//! The labels are JSON: `{"items": [{"id", "source", "file", "guid",
//! "link", "cluster"}]}`; two items are the same story when they have the
//! same non-null `cluster`. Labels may also say which pairs are hard
//! negatives, different stories a merge is likely to join: an item's
//! `traps` names the trap groups it belongs to (two items of one group in
//! different clusters are a hard negative), and `must_not_merge` lists
//! such pairs as `[id, id, reason]`. The report then scores them apart.
//!
//! Every body goes through the real stages (parse, normalize, classify,
//! merge) into a temporary store; then every pair of labelled items
//! is checked: merged and labelled same (true positive), merged and
//! labelled different (a wrong merge), apart and labelled same (a missed
//! merge).

mod corpus;
mod hard;

use std::collections::HashMap;
use std::path::PathBuf;

use crate::config::ConfigError;
use crate::model::story::{Copy, StoryId};
use crate::pipeline::merge::link_key;
use crate::pipeline::parse::ParseError;
use crate::store::{Store, StoreError};

pub use corpus::{Corpus, Label, Labels};
use hard::HardNegatives;

/// Why a corpus or its labels could not be read or scored. Each message
/// names the file or the source, so the operator knows which to fix.
#[derive(Debug, thiserror::Error)]
pub enum EvalError {
    #[error(transparent)]
    Config(#[from] ConfigError),
    #[error("cannot read {}", path.display())]
    Read {
        path: PathBuf,
        #[source]
        cause: std::io::Error,
    },
    #[error("source `{source_id}`: bad file URL")]
    BadFileUrl { source_id: String },
    #[error(
        "source `{source_id}` has neither a file: URL nor a `# file: PATH` comment in {}",
        config.display()
    )]
    NoFile { source_id: String, config: PathBuf },
    #[error("source `{source_id}`: cannot read {}", path.display())]
    ReadBody {
        source_id: String,
        path: PathBuf,
        #[source]
        cause: std::io::Error,
    },
    #[error("{}: not a labels file", path.display())]
    Labels {
        path: PathBuf,
        #[source]
        cause: serde_json::Error,
    },
    #[error("source `{source_id}` ({file})")]
    Parse {
        source_id: String,
        file: String,
        #[source]
        cause: ParseError,
    },
    #[error(transparent)]
    Store(#[from] StoreError),
}

/// Two labelled items, by id.
pub type Pair = (String, String);

/// The verdict on a corpus.
#[derive(Debug, Default)]
pub struct Evaluation {
    pub labelled: usize,
    /// Labels whose item bantin did not store (a parse or key problem).
    pub missing: Vec<String>,
    /// Pairs the labels call one story.
    pub same_pairs: usize,
    pub true_positives: usize,
    /// Merged, but labelled as different stories.
    pub wrong_merges: Vec<Pair>,
    /// Labelled as one story, but kept apart.
    pub missed_merges: Vec<Pair>,
    /// Pairs of different stories the labels call hard negatives.
    pub hard_pairs: usize,
    /// Hard negatives merged.
    pub hard_merges: Vec<Pair>,
    /// Items in at least one hard negative.
    pub hard_items: usize,
    /// Merged pairs of two such items: one story, and not.
    pub hard_true_positives: usize,
    pub hard_false_positives: usize,
}

impl Evaluation {
    /// Of the pairs merged, the share that are one story (1 when none).
    pub fn precision(&self) -> f64 {
        ratio(
            self.true_positives,
            self.true_positives + self.wrong_merges.len(),
        )
    }

    /// Of the pairs that are one story, the share merged (1 when none).
    pub fn recall(&self) -> f64 {
        ratio(self.true_positives, self.same_pairs)
    }

    /// Precision over the items of the hard negatives alone: of the pairs
    /// of such items merged, the share that are one story.
    pub fn hard_precision(&self) -> f64 {
        ratio(
            self.hard_true_positives,
            self.hard_true_positives + self.hard_false_positives,
        )
    }
}

fn ratio(part: usize, whole: usize) -> f64 {
    if whole == 0 {
        1.0
    } else {
        part as f64 / whole as f64
    }
}

/// Ingests the corpus into a temporary store and scores the merge.
pub fn evaluate(corpus: &Corpus, labels: &Labels) -> Result<Evaluation, EvalError> {
    evaluate_reporting(corpus, labels, &mut |_| {})
}

/// [`evaluate`], telling `ingested` how many of the corpus's sources are
/// in as it goes (the scoring after them is quick).
pub fn evaluate_reporting(
    corpus: &Corpus,
    labels: &Labels,
    ingested: &mut dyn FnMut(usize),
) -> Result<Evaluation, EvalError> {
    let store = Store::temporary()?;
    corpus.ingest_reporting(&store, ingested)?;
    score(corpus, labels, &store)
}

/// Scores what `store` made of the corpus against the labels.
pub fn score(corpus: &Corpus, labels: &Labels, store: &Store) -> Result<Evaluation, EvalError> {
    let all: Vec<Copy> = store.copies().collect::<Result<_, _>>()?;
    let mut copies: HashMap<&str, Vec<&Copy>> = HashMap::new();
    for copy in &all {
        copies
            .entry(copy.key.source.as_str())
            .or_default()
            .push(copy);
    }
    let mut evaluation = Evaluation {
        labelled: labels.items.len(),
        ..Evaluation::default()
    };
    let mut stories: Vec<Option<StoryId>> = Vec::with_capacity(labels.items.len());
    for label in &labels.items {
        let story = sources_of(corpus, label)
            .iter()
            .filter_map(|id| copies.get(id.as_str()))
            .flatten()
            .find(|copy| is_labelled(copy, label))
            .map(|copy| copy.story);
        if story.is_none() {
            evaluation.missing.push(label.id.clone());
        }
        stories.push(story);
    }
    // Pairs come from groups (a story's items, a cluster's items) rather
    // than from every pair of items: a corpus of 20,000 items has 200
    // million pairs and a few thousand merged ones.
    let items = &labels.items;
    let pair = |i: usize, j: usize| (items[i].id.clone(), items[j].id.clone());
    let same =
        |i: usize, j: usize| items[i].cluster.is_some() && items[i].cluster == items[j].cluster;
    let mut by_story: HashMap<StoryId, Vec<usize>> = HashMap::new();
    for (i, story) in stories.iter().enumerate() {
        if let Some(story) = story {
            by_story.entry(*story).or_default().push(i);
        }
    }
    let mut by_cluster: HashMap<&str, Vec<usize>> = HashMap::new();
    for (i, label) in items.iter().enumerate() {
        if let Some(cluster) = &label.cluster {
            by_cluster.entry(cluster.as_str()).or_default().push(i);
        }
    }
    let hard = HardNegatives::of(labels);
    let mut wrong = Vec::new();
    let mut hard_wrong = Vec::new();
    for members in by_story.values() {
        for (n, &i) in members.iter().enumerate() {
            for &j in &members[n + 1..] {
                let (i, j) = (i.min(j), i.max(j));
                let both_hard = hard.has_item(i) && hard.has_item(j);
                if same(i, j) {
                    evaluation.true_positives += 1;
                    evaluation.hard_true_positives += usize::from(both_hard);
                } else {
                    wrong.push((i, j));
                    evaluation.hard_false_positives += usize::from(both_hard);
                    if hard.pairs(i, j) {
                        hard_wrong.push((i, j));
                    }
                }
            }
        }
    }
    let mut missed = Vec::new();
    for members in by_cluster.values() {
        for (n, &i) in members.iter().enumerate() {
            for &j in &members[n + 1..] {
                evaluation.same_pairs += 1;
                if stories[i].is_none() || stories[i] != stories[j] {
                    missed.push((i.min(j), i.max(j)));
                }
            }
        }
    }
    for list in [&mut wrong, &mut hard_wrong, &mut missed] {
        list.sort_unstable();
    }
    evaluation.wrong_merges = wrong.into_iter().map(|(i, j)| pair(i, j)).collect();
    evaluation.hard_merges = hard_wrong.into_iter().map(|(i, j)| pair(i, j)).collect();
    evaluation.missed_merges = missed.into_iter().map(|(i, j)| pair(i, j)).collect();
    evaluation.hard_pairs = hard.count(&same);
    evaluation.hard_items = hard.items();
    Ok(evaluation)
}

/// The configured sources a label can be from: its own id, or, when the
/// labels name the publisher rather than one of its feeds, the sources
/// read from the label's file.
fn sources_of(corpus: &Corpus, label: &Label) -> Vec<String> {
    if corpus.config.source(&label.source).is_some() {
        return vec![label.source.clone()];
    }
    corpus
        .bodies
        .iter()
        .filter(|(_, _, file)| label.file.as_deref() == Some(file.as_str()))
        .map(|(source, _, _)| source.id.clone())
        .collect()
}

fn is_labelled(copy: &Copy, label: &Label) -> bool {
    if label.guid.as_deref() == Some(copy.key.item.as_str()) {
        return true;
    }
    match (&label.link, &copy.link) {
        (Some(wanted), Some(link)) => link_key(wanted) == link_key(link),
        _ => false,
    }
}

/// Pairs listed under each heading: past this many, a large corpus's
/// report is a wall nobody reads.
const LISTED_PAIRS: usize = 200;

/// The report `bantin eval` prints.
pub fn report(evaluation: &Evaluation, labels: &Labels) -> String {
    let title = |id: &str| {
        labels
            .items
            .iter()
            .find(|l| l.id == id)
            .and_then(|l| l.title.clone())
            .unwrap_or_default()
    };
    let mut out = format!(
        "items: {} labelled, {} not found in what bantin stored\n\
         pairs: {} labelled as one story; {} merged, {} missed, {} merged wrongly\n\
         precision {:.3}  recall {:.3}\n",
        evaluation.labelled,
        evaluation.missing.len(),
        evaluation.same_pairs,
        evaluation.true_positives,
        evaluation.missed_merges.len(),
        evaluation.wrong_merges.len(),
        evaluation.precision(),
        evaluation.recall(),
    );
    if evaluation.hard_pairs > 0 {
        out.push_str(&format!(
            "hard negatives: {} pairs, {} merged wrongly; over their {} items precision {:.3} \
             ({} merged pairs, {} wrong)\n",
            evaluation.hard_pairs,
            evaluation.hard_merges.len(),
            evaluation.hard_items,
            evaluation.hard_precision(),
            evaluation.hard_true_positives + evaluation.hard_false_positives,
            evaluation.hard_false_positives,
        ));
    }
    if !evaluation.missing.is_empty() {
        out.push_str(&format!("\nnot found: {}\n", evaluation.missing.join(", ")));
    }
    for (heading, pairs) in [
        (
            "wrong merges (different stories, one entry)",
            &evaluation.wrong_merges,
        ),
        (
            "missed merges (one story, several entries)",
            &evaluation.missed_merges,
        ),
    ] {
        if pairs.is_empty() {
            continue;
        }
        out.push_str(&format!("\n{heading}:\n"));
        for (a, b) in pairs.iter().take(LISTED_PAIRS) {
            out.push_str(&format!("  {a}  {}\n  {b}  {}\n\n", title(a), title(b)));
        }
        if pairs.len() > LISTED_PAIRS {
            out.push_str(&format!("  ... and {} more\n", pairs.len() - LISTED_PAIRS));
        }
    }
    out
}
