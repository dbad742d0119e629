//! `bantin eval`: the merge's precision and recall on a labelled corpus.

use std::path::PathBuf;
use std::process::ExitCode;

use super::progress::Progress;

#[derive(clap::Args)]
pub struct EvalArgs {
    /// A directory with a feeds.toml and its sources' bodies (`file:` URLs,
    /// or a `# file: PATH` comment in each [[source]] block).
    #[arg(long)]
    corpus: PathBuf,
    /// The labels: JSON `{"items": [{"id", "source", "guid" or "link",
    /// "cluster"}]}`; items with the same cluster are one story.
    #[arg(long)]
    labels: PathBuf,
    /// Exit 1 when precision is below this.
    #[arg(long, default_value_t = 0.0)]
    min_precision: f64,
    /// Exit 1 when recall is below this.
    #[arg(long, default_value_t = 0.0)]
    min_recall: f64,
    /// Exit 1 when precision over the labelled hard negatives is below this.
    #[arg(long, default_value_t = 0.0)]
    min_hard_precision: f64,
}

pub(super) fn eval(args: EvalArgs) -> anyhow::Result<ExitCode> {
    let corpus = bantin::tools::eval::Corpus::load(&args.corpus)?;
    let labels = bantin::tools::eval::Labels::load(&args.labels)?;
    let progress = Progress::new("eval", "sources", Some(corpus.sources() as u64));
    let evaluation = bantin::tools::eval::evaluate_reporting(&corpus, &labels, &mut |n| {
        progress.set(n as u64);
    })?;
    progress.finish();
    print!("{}", bantin::tools::eval::report(&evaluation, &labels));
    let good = evaluation.precision() >= args.min_precision
        && evaluation.recall() >= args.min_recall
        && evaluation.hard_precision() >= args.min_hard_precision;
    Ok(if good {
        ExitCode::SUCCESS
    } else {
        ExitCode::FAILURE
    })
}
