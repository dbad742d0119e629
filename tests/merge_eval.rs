//! The merge against a labelled corpus (tests/fixtures/merge: 165 items
//! from 10 sources, 34 clusters of reposts, decorated and rewritten
//! titles, link variants and summaries, among template bulletins, stories
//! sharing boilerplate and generic titles; see its README.md).

use std::path::PathBuf;
use std::process::Command;

use bantin::tools::eval::{Corpus, Labels, evaluate};

fn corpus_dir() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("tests/fixtures/merge")
}

#[test]
fn merge_precision_and_recall_meet_the_bar() {
    let corpus = Corpus::load(&corpus_dir()).unwrap();
    let labels = Labels::load(&corpus_dir().join("labels.json")).unwrap();
    let evaluation = evaluate(&corpus, &labels).unwrap();
    let report = bantin::tools::eval::report(&evaluation, &labels);
    assert_eq!(evaluation.labelled, 165);
    assert!(evaluation.missing.is_empty(), "{report}");
    assert_eq!(evaluation.same_pairs, 124, "{report}");
    assert!(evaluation.precision() >= 0.99, "{report}");
    assert!(evaluation.recall() >= 0.95, "{report}");
}

#[test]
fn the_must_not_merge_pairs_are_scored_apart() {
    let corpus = Corpus::load(&corpus_dir()).unwrap();
    let labels = Labels::load(&corpus_dir().join("labels.json")).unwrap();
    let evaluation = evaluate(&corpus, &labels).unwrap();
    let report = bantin::tools::eval::report(&evaluation, &labels);
    assert_eq!(
        evaluation.hard_pairs,
        labels.must_not_merge.len(),
        "{report}"
    );
    assert!(evaluation.hard_merges.is_empty(), "{report}");
    assert!(evaluation.hard_precision() >= 0.99, "{report}");
    assert!(report.contains("\nhard negatives: "), "{report}");
}

#[test]
fn eval_command_prints_the_figures_and_gates_on_them() {
    let run = |min_precision: &str| {
        Command::new(env!("CARGO_BIN_EXE_bantin"))
            .args(["eval", "--corpus"])
            .arg(corpus_dir())
            .arg("--labels")
            .arg(corpus_dir().join("labels.json"))
            .args(["--min-precision", min_precision, "--min-recall", "0.95"])
            .output()
            .unwrap()
    };
    let out = run("0.99");
    let stdout = String::from_utf8(out.stdout).unwrap();
    assert_eq!(out.status.code(), Some(0), "{stdout}");
    assert!(
        stdout.starts_with("items: 165 labelled, 0 not found"),
        "{stdout}"
    );
    assert!(
        stdout.contains("pairs: 124 labelled as one story;"),
        "{stdout}"
    );
    assert!(stdout.contains("\nprecision "), "{stdout}");
    // A gate no merge can pass makes the command fail.
    let out = run("1.01");
    assert_eq!(out.status.code(), Some(1));
    // So does one on the hard negatives alone.
    let hard = |bar: &str| {
        Command::new(env!("CARGO_BIN_EXE_bantin"))
            .args(["eval", "--corpus"])
            .arg(corpus_dir())
            .arg("--labels")
            .arg(corpus_dir().join("labels.json"))
            .args(["--min-hard-precision", bar])
            .status()
            .unwrap()
            .code()
    };
    assert_eq!(hard("0.99"), Some(0));
    assert_eq!(hard("1.01"), Some(1));
}
