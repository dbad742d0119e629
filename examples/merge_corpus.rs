//! Writes a generated labelled merge corpus to a directory, for
//! `bantin eval`:
//!
//! ```text
//! cargo run --release --example merge_corpus -- DIR [--seed N] [--sources N] [--pools all|even|odd]
//! bantin eval --corpus DIR --labels DIR/labels.json
//! ```
//!
//! The defaults (seed 1, 600 sources, every pool) give about 21,000
//! items. What the corpus holds: tests/common/merge_corpus.rs.

#[path = "../tests/common/merge_corpus.rs"]
mod merge_corpus;

use std::path::PathBuf;
use std::process::ExitCode;

use merge_corpus::{Params, Pools, generate};

fn main() -> ExitCode {
    let mut args = std::env::args().skip(1);
    let mut dir: Option<PathBuf> = None;
    let mut params = Params {
        seed: 1,
        sources: 600,
        pools: Pools::All,
    };
    while let Some(arg) = args.next() {
        let value = |args: &mut dyn Iterator<Item = String>| args.next().unwrap_or_default();
        match arg.as_str() {
            "--seed" => params.seed = value(&mut args).parse().unwrap_or(params.seed),
            "--sources" => params.sources = value(&mut args).parse().unwrap_or(params.sources),
            "--pools" => {
                params.pools = match value(&mut args).as_str() {
                    "even" => Pools::Even,
                    "odd" => Pools::Odd,
                    _ => Pools::All,
                }
            }
            _ if dir.is_none() && !arg.starts_with('-') => dir = Some(PathBuf::from(arg)),
            _ => {
                eprintln!(
                    "usage: merge_corpus DIR [--seed N] [--sources N] [--pools all|even|odd]"
                );
                return ExitCode::from(2);
            }
        }
    }
    let Some(dir) = dir else {
        eprintln!("usage: merge_corpus DIR [--seed N] [--sources N] [--pools all|even|odd]");
        return ExitCode::from(2);
    };
    match generate(&dir, &params) {
        Ok(g) => {
            println!(
                "{}: {} items from {} sources, {} stories, {} items of stories several sources carry",
                dir.display(),
                g.items,
                g.sources,
                g.stories,
                g.copied_items
            );
            ExitCode::SUCCESS
        }
        Err(e) => {
            eprintln!("{}: {e}", dir.display());
            ExitCode::FAILURE
        }
    }
}
