//! `bantin poll` and `bantin check`: one cycle of every source, and the
//! configuration's verdict, each printed as a report.

use std::process::ExitCode;
use std::sync::Arc;

use bantin::config::Config;
use bantin::pipeline::Pipeline;

use super::open_store;

pub(super) async fn poll(config: Config) -> anyhow::Result<ExitCode> {
    let store = open_store(&config)?;
    let pipeline = Pipeline::new(Arc::new(config), store.clone())?;
    let reports = bantin::scheduler::poll_all(&pipeline).await;
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
