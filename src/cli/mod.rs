//! The `bantin` commands, above the library: the arguments, the dispatch,
//! and what several commands share (the async runtime, the store, the exit
//! codes). Each command, or close family of commands, has its own file.
//! Errors become `anyhow` and reports are printed here and nowhere in the
//! library, which returns typed errors and values.

mod backup;
mod eval;
mod explain;
mod migrate;
mod opml;
mod poll;
mod preview;
mod progress;
mod serve;
mod status;

use std::path::PathBuf;
use std::process::ExitCode;

use anyhow::Context;
use bantin::config::Config;
use bantin::store::Store;
use clap::{Parser, Subcommand, ValueEnum};

/// Exit status for an invalid feeds.toml, as `check` documents.
const EXIT_BAD_CONFIG: u8 = 2;

#[derive(Parser)]
#[command(
    version,
    about = "Vietnamese provincial and ministry news, merged into one Atom feed per topic",
    after_help = "Exit status: 0 on success; 2 when the configuration is invalid; 1 for \
                  anything else: an error, a failing source (poll, status), a page bantin \
                  cannot read (preview), an item not found (explain).\n\
                  RUST_LOG sets the log level, e.g. RUST_LOG=bantin=debug. The manual: man bantin."
)]
pub struct Cli {
    /// The configuration file.
    #[arg(
        long,
        short,
        global = true,
        value_name = "FILE",
        default_value = "feeds.toml"
    )]
    config: PathBuf,
    /// The store directory, overriding `[store] path` of the configuration.
    #[arg(long, global = true, value_name = "DIR")]
    store: Option<PathBuf>,
    /// Log format: `text` for people, `json` for log collectors.
    #[arg(long, global = true, value_name = "FORMAT", value_enum, default_value_t = LogFormat::Text)]
    pub log_format: LogFormat,
    #[command(subcommand)]
    pub command: Command,
}

#[derive(Subcommand)]
pub enum Command {
    /// Run the daemon: poll every source on its interval and serve the feeds.
    ///
    /// Serves on `[server] listen` until SIGTERM or SIGINT, then finishes
    /// the requests and writes in flight for at most `[server]
    /// shutdown_timeout` (a second signal ends the wait), flushes the
    /// store and exits 0. SIGHUP (`systemctl
    /// reload`), or a change of the file on disk, reloads the
    /// configuration; a file with errors is rejected (log and status page)
    /// and the running configuration stays.
    Serve,
    /// Poll every source once, print what each gave, and exit (1 if any failed).
    Poll,
    /// Validate the configuration; print every problem with line and column (exit 2).
    Check,
    /// Show every source's state: asks the running daemon, or reads the store when none runs.
    Status {
        /// Show it again every 2 s until Ctrl-C (on a terminal, in place;
        /// otherwise each table after a separator line).
        #[arg(long)]
        watch: bool,
    },
    /// List the configured sources (id, name, URL), or write them as OPML for a feed reader.
    Sources {
        /// Write OPML 2.0 instead of a list.
        #[arg(long)]
        opml: bool,
    },
    /// Turn a feed reader's OPML export into `[[source]]` blocks for feeds.toml.
    ///
    /// Ids are made from the titles (ASCII, diacritics folded); feeds whose
    /// URL is configured already are skipped, and ids taken get a suffix,
    /// each with a note on stderr. The blocks are printed, or added to a
    /// feeds.toml with --append.
    ImportOpml {
        /// The OPML file.
        file: PathBuf,
        /// Append the blocks to this feeds.toml, and only if it then passes
        /// `bantin check` (else nothing is written; exit 2).
        #[arg(long, value_name = "FEEDS_TOML")]
        append: Option<PathBuf>,
    },
    /// Fetch a source's page (or any URL with rules given here) and print what bantin extracts.
    Preview(preview::PreviewArgs),
    /// Fetch a source and say why one of its items is, or is not, in each topic.
    Explain {
        /// The configured source.
        #[arg(
            long,
            value_name = "ID",
            required_unless_present = "story",
            requires = "guid"
        )]
        source: Option<String>,
        /// The item's guid, or its link.
        #[arg(long, requires = "source")]
        guid: Option<String>,
        /// Instead: a stored story, by its feed entry id (urn:uuid:...);
        /// asks the running daemon, or reads the store when none runs.
        #[arg(long, conflicts_with_all = ["source", "guid"])]
        story: Option<String>,
    },
    /// Measure the merge on a labelled corpus: pairwise precision and recall.
    Eval(eval::EvalArgs),
    /// Print the feeds a page advertises, or a [source.scrape] block guessed from it.
    Discover {
        /// The page to look at.
        url: String,
    },
    /// Remove the stories published more than `[store] keep_days` ago, with
    /// their copies and index entries (the daemon does this every hour).
    Prune,
    /// Write every story with its copies to stdout, one JSON object per line.
    Export {
        /// For a damaged store: open a copy of it as best its engine can, write
        /// every story and copy that can still be read, and count the rest.
        #[arg(long)]
        salvage: bool,
    },
    /// Restore stories from an export, rebuilding their indexes; a stored
    /// story with the same id is replaced.
    Import {
        /// The export file, or `-` for stdin.
        file: PathBuf,
    },
    /// Move a sled store (what bantin wrote before redb) to redb, in place,
    /// with every story, source state and poll history; stop the daemon first.
    Migrate,
}

#[derive(Clone, Copy, ValueEnum)]
pub enum LogFormat {
    Text,
    Json,
}

/// Loads the configuration the command needs and runs it; a failure is
/// printed once, here, with its causes.
pub fn run(cli: Cli) -> ExitCode {
    // `discover` and `preview --url` need no configuration of their own.
    let standalone = matches!(
        &cli.command,
        Command::Discover { .. } | Command::Eval(_) | Command::ImportOpml { .. }
    )
        || matches!(&cli.command, Command::Preview(p) if p.source.is_none())
        // A backup needs only the store. Not `prune`: the default
        // keep_days may be shorter than the one configured.
        || (matches!(
            &cli.command,
            Command::Export { .. } | Command::Import { .. } | Command::Migrate
        ) && cli.store.is_some());
    let loaded = match Config::load(&cli.config) {
        Err(_) if standalone && !cli.config.exists() => Config::parse("", &cli.config),
        other => other,
    };
    let config = match loaded {
        Ok(mut config) => {
            if let Some(store) = cli.store {
                config.store.path = store;
            }
            config
        }
        Err(e) => {
            eprintln!("{e}");
            return ExitCode::from(EXIT_BAD_CONFIG);
        }
    };
    let outcome = match cli.command {
        Command::Check => {
            poll::check(&config);
            Ok(ExitCode::SUCCESS)
        }
        Command::Serve => runtime().and_then(|rt| {
            let done = rt.block_on(serve::serve(config));
            // A parse still running after a forced stop must not hold the
            // exit: the store is flushed already.
            rt.shutdown_timeout(std::time::Duration::from_secs(1));
            done
        }),
        Command::Poll => runtime().and_then(|rt| rt.block_on(poll::poll(config))),
        Command::Status { watch: false } => {
            runtime().and_then(|rt| rt.block_on(status::status(config)))
        }
        Command::Status { watch: true } => {
            runtime().and_then(|rt| rt.block_on(status::watch(config)))
        }
        Command::Preview(args) => {
            runtime().and_then(|rt| rt.block_on(preview::preview(config, args)))
        }
        Command::Eval(args) => eval::eval(args),
        Command::Discover { url } => {
            runtime().and_then(|rt| rt.block_on(preview::discover(config, url)))
        }
        Command::Sources { opml } => opml::sources(&config, opml),
        Command::ImportOpml { file, append } => opml::import(&config, &file, append.as_deref()),
        Command::Prune => backup::prune(&config),
        Command::Export { salvage: false } => backup::export(&config),
        Command::Export { salvage: true } => backup::salvage(&config),
        Command::Import { file } => backup::import(&config, &file),
        Command::Migrate => migrate::migrate(&config),
        Command::Explain {
            source,
            guid,
            story,
        } => runtime().and_then(|rt| match (source, guid, story) {
            (Some(source), Some(guid), _) => rt.block_on(explain::explain(config, source, guid)),
            (_, _, Some(story)) => rt.block_on(explain::explain_story(config, story)),
            _ => Err(anyhow::anyhow!(
                "explain needs --source and --guid, or --story"
            )),
        }),
    };
    match outcome {
        Ok(code) => code,
        Err(e) => {
            eprintln!("bantin: {e:#}");
            ExitCode::FAILURE
        }
    }
}

fn runtime() -> anyhow::Result<tokio::runtime::Runtime> {
    tokio::runtime::Builder::new_multi_thread()
        .enable_all()
        .build()
        .context("cannot start the async runtime")
}

fn open_store(config: &Config) -> anyhow::Result<Store> {
    Ok(Store::open_configured(&config.store)?)
}

#[cfg(test)]
mod tests {
    use std::collections::BTreeSet;

    use clap::CommandFactory;

    use super::Cli;

    /// The hand-written manual, shipped in the .deb.
    const MANUAL: &str = include_str!("../../doc/bantin.1");

    #[test]
    fn cli_definition_is_consistent() {
        Cli::command().debug_assert();
    }

    /// Every `--name` in the text, roff's `\-` read as `-`.
    fn long_options_in(text: &str) -> BTreeSet<String> {
        let text = text.replace("\\-", "-");
        text.match_indices("--")
            .map(|(at, _)| {
                text[at + 2..]
                    .chars()
                    .take_while(|c| c.is_ascii_alphanumeric() || *c == '-')
                    .collect::<String>()
            })
            .filter(|name| !name.is_empty())
            .collect()
    }

    fn long_options_of(command: &clap::Command) -> BTreeSet<String> {
        let own = command
            .get_arguments()
            .filter_map(|a| a.get_long().map(str::to_string));
        let nested = command.get_subcommands().flat_map(long_options_of);
        own.chain(nested).collect()
    }

    #[test]
    fn manual_names_every_long_option_and_no_other() {
        let mut cli = Cli::command();
        // Built, so that the generated --help and --version count too.
        cli.build();
        assert_eq!(long_options_in(MANUAL), long_options_of(&cli));
    }

    #[test]
    fn manual_has_a_section_per_subcommand() {
        let sections: BTreeSet<String> = MANUAL
            .lines()
            .filter_map(|l| l.strip_prefix(".SS "))
            .map(str::to_string)
            .collect();
        let subcommands: BTreeSet<String> = Cli::command()
            .get_subcommands()
            .map(|c| c.get_name().to_string())
            .collect();
        assert_eq!(sections, subcommands);
    }

    #[test]
    fn manual_names_this_version() {
        assert!(MANUAL.contains(&format!("\"bantin {}\"", env!("CARGO_PKG_VERSION"))));
    }
}
