//! `bantin poll` and `bantin check`: one cycle of every source, and the
//! configuration's verdict, each printed as a report.

use std::process::ExitCode;
use std::sync::Arc;

use bantin::config::Config;
use bantin::pipeline::Pipeline;

use super::open_store;
use super::progress::Progress;

pub(super) async fn poll(config: Config) -> anyhow::Result<ExitCode> {
    let store = open_store(&config)?;
    let pipeline = Pipeline::new(Arc::new(config), store.clone())?;
    let progress = Arc::new(Progress::new(
        "poll",
        "sources",
        Some(pipeline.config().sources.len() as u64),
    ));
    let counted = Arc::clone(&progress);
    let reports =
        bantin::scheduler::poll_all_reporting(&pipeline, Arc::new(move |_| counted.inc(1))).await;
    progress.finish();
    store.flush()?;
    let width = reports.iter().map(|r| r.source.len()).max().unwrap_or(0);
    for report in &reports {
        println!("{:width$}  {}", report.source, report.result.summary());
    }
    let failed = reports.iter().any(|r| r.result.is_failure());
    Ok(if failed {
        ExitCode::FAILURE
    } else {
        ExitCode::SUCCESS
    })
}

pub(super) fn check(config: &Config) {
    println!(
        "{}: ok: {} sources, {} topics (and `all`)",
        config.path.display(),
        config.sources.len(),
        config.topics.len() - 1
    );
}
