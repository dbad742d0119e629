//! The `bantin` command: a thin CLI over the library.

use std::path::{Path, PathBuf};
use std::process::ExitCode;
use std::sync::Arc;

use anyhow::Context;
use bantin::config::{Config, Source};
use bantin::model::Validators;
use bantin::pipeline::Pipeline;
use bantin::pipeline::classify::explain as explain_topics;
use bantin::pipeline::fetch::Fetcher;
use bantin::pipeline::normalize::{canonical_link, normalize};
use bantin::pipeline::parse::date::vietnam;
use bantin::pipeline::parse::parse_body;
use bantin::pipeline::parse::scrape::{Field, ScrapeRules};
use bantin::status::SourceStatus;
use bantin::store::Store;
use bantin::tools::discover::Discovery;
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
struct Cli {
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
    log_format: LogFormat,
    #[command(subcommand)]
    command: Command,
}

#[derive(Subcommand)]
enum Command {
    /// Run the daemon: poll every source on its interval and serve the feeds.
    ///
    /// Serves on `[server] listen` until SIGTERM or SIGINT, then finishes
    /// the requests and writes in flight and exits 0. SIGHUP (`systemctl
    /// reload`), or a change of the file on disk, reloads the
    /// configuration; a file with errors is rejected (log and status page)
    /// and the running configuration stays.
    Serve,
    /// Poll every source once, print what each gave, and exit (1 if any failed).
    Poll,
    /// Validate the configuration; print every problem with line and column (exit 2).
    Check,
    /// Show every source's state: asks the running daemon, or reads the store when none runs.
    Status,
    /// Fetch a source's page (or any URL with rules given here) and print what bantin extracts.
    Preview(PreviewArgs),
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
    Eval(EvalArgs),
    /// Print the feeds a page advertises, or a [source.scrape] block guessed from it.
    Discover {
        /// The page to look at.
        url: String,
    },
    /// Remove the stories published more than `[store] keep_days` ago, with
    /// their copies and index entries (the daemon does this every hour).
    Prune,
    /// Write every story with its copies to stdout, one JSON object per line.
    Export,
    /// Restore stories from an export, rebuilding their indexes; a stored
    /// story with the same id is replaced.
    Import {
        /// The export file, or `-` for stdin.
        file: PathBuf,
    },
}

#[derive(clap::Args)]
struct EvalArgs {
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
}

#[derive(clap::Args)]
struct PreviewArgs {
    /// A configured source, read with its own rules.
    #[arg(long, value_name = "ID", conflicts_with = "url")]
    source: Option<String>,
    /// A page not configured yet: a feed, or, with --item, a list of news to scrape.
    #[arg(long, required_unless_present = "source")]
    url: Option<String>,
    /// CSS selector of one news item on the page.
    #[arg(long, value_name = "SELECTOR", requires = "url")]
    item: Option<String>,
    /// Title within the item.
    #[arg(long, value_name = "SELECTOR", default_value = "a")]
    title: String,
    /// Link within the item.
    #[arg(long, value_name = "SELECTOR@ATTRIBUTE", default_value = "a@href")]
    link: String,
    /// Date within the item.
    #[arg(long, value_name = "SELECTOR")]
    date: Option<String>,
    /// chrono format of the date, in Vietnam time, e.g. "%d/%m/%Y %H:%M" (default: bantin's Vietnamese date reader).
    #[arg(long, value_name = "FORMAT")]
    date_format: Option<String>,
    /// Summary within the item.
    #[arg(long, value_name = "SELECTOR")]
    summary: Option<String>,
    /// Author within the item.
    #[arg(long, value_name = "SELECTOR")]
    author: Option<String>,
}

#[derive(Clone, Copy, ValueEnum)]
enum LogFormat {
    Text,
    Json,
}

fn main() -> ExitCode {
    bantin::ops::memory::tune_allocator();
    let cli = Cli::parse();
    // `poll` and `check` print their own report: only warnings go to the log.
    let quiet = !matches!(cli.command, Command::Serve);
    init_logging(cli.log_format, quiet);
    // `discover` and `preview --url` need no configuration of their own.
    let standalone = matches!(&cli.command, Command::Discover { .. } | Command::Eval(_))
        || matches!(&cli.command, Command::Preview(p) if p.source.is_none())
        // A backup needs only the store. Not `prune`: the default
        // keep_days may be shorter than the one configured.
        || (matches!(&cli.command, Command::Export | Command::Import { .. }) && cli.store.is_some());
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
            check(&config);
            Ok(ExitCode::SUCCESS)
        }
        Command::Serve => runtime().and_then(|rt| rt.block_on(serve(config))),
        Command::Poll => runtime().and_then(|rt| rt.block_on(poll(config))),
        Command::Status => runtime().and_then(|rt| rt.block_on(status(config))),
        Command::Preview(args) => runtime().and_then(|rt| rt.block_on(preview(config, args))),
        Command::Eval(args) => eval(args),
        Command::Discover { url } => runtime().and_then(|rt| rt.block_on(discover(config, url))),
        Command::Prune => prune(&config),
        Command::Export => export(&config),
        Command::Import { file } => import(&config, &file),
        Command::Explain {
            source,
            guid,
            story,
        } => runtime().and_then(|rt| match (source, guid, story) {
            (Some(source), Some(guid), _) => rt.block_on(explain(config, source, guid)),
            (_, _, Some(story)) => rt.block_on(explain_story(config, story)),
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

fn eval(args: EvalArgs) -> anyhow::Result<ExitCode> {
    let corpus = bantin::tools::eval::Corpus::load(&args.corpus)?;
    let labels = bantin::tools::eval::Labels::load(&args.labels)?;
    let evaluation = bantin::tools::eval::evaluate(&corpus, &labels)?;
    print!("{}", bantin::tools::eval::report(&evaluation, &labels));
    let good =
        evaluation.precision() >= args.min_precision && evaluation.recall() >= args.min_recall;
    Ok(if good {
        ExitCode::SUCCESS
    } else {
        ExitCode::FAILURE
    })
}

fn runtime() -> anyhow::Result<tokio::runtime::Runtime> {
    tokio::runtime::Builder::new_multi_thread()
        .enable_all()
        .build()
        .context("cannot start the async runtime")
}

fn init_logging(format: LogFormat, quiet: bool) {
    let default = if quiet { "warn" } else { "info" };
    let filter = tracing_subscriber::EnvFilter::try_from_default_env()
        .unwrap_or_else(|_| tracing_subscriber::EnvFilter::new(default));
    // Colours only for a person at a terminal; journald (which sets
    // JOURNAL_STREAM) stamps every line itself, so a second timestamp
    // would only be noise there.
    use std::io::IsTerminal;
    let builder = tracing_subscriber::fmt()
        .with_env_filter(filter)
        .with_writer(std::io::stderr)
        .with_ansi(std::io::stderr().is_terminal());
    match format {
        LogFormat::Json => builder.json().init(),
        LogFormat::Text if std::env::var_os("JOURNAL_STREAM").is_some() => {
            builder.without_time().init()
        }
        LogFormat::Text => builder.init(),
    }
}

fn check(config: &Config) {
    println!(
        "{}: ok: {} sources, {} topics (and `all`)",
        config.path.display(),
        config.sources.len(),
        config.topics.len() - 1
    );
}

async fn serve(config: Config) -> anyhow::Result<ExitCode> {
    // First, so that a signal during a long start still stops cleanly.
    let shutdown = bantin::shutdown::Shutdown::new();
    tokio::spawn(bantin::shutdown::on_signals(shutdown.clone()));
    // Each host keeps a pooled connection: thousands of sources need more
    // descriptors than the usual soft limit of 1024. The hard limit is
    // the sysadmin's (systemd: LimitNOFILE); failing to raise is no error.
    let _ = rlimit::increase_nofile_limit(u64::MAX);
    let listener = tokio::net::TcpListener::bind(config.server.listen)
        .await
        .with_context(|| format!("cannot listen on {}", config.server.listen))?;
    bantin::daemon::run(Arc::new(config), listener, shutdown).await?;
    Ok(ExitCode::SUCCESS)
}

async fn poll(config: Config) -> anyhow::Result<ExitCode> {
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

fn open_store(config: &Config) -> anyhow::Result<Store> {
    Ok(Store::open_with_cache(
        &config.store.path,
        config.store.cache,
    )?)
}

fn prune(config: &Config) -> anyhow::Result<ExitCode> {
    let store = open_store(config)?;
    let keep_days = config.store.keep_days;
    let pruned = bantin::ops::retention::prune(&store, keep_days, chrono::Utc::now())?;
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

fn export(config: &Config) -> anyhow::Result<ExitCode> {
    let store = open_store(config)?;
    let stdout = std::io::stdout();
    let mut out = std::io::BufWriter::new(stdout.lock());
    let done = bantin::ops::backup::export(&store, &mut out)?;
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

fn import(config: &Config, file: &Path) -> anyhow::Result<ExitCode> {
    // The file is opened first: a wrong name must not create a store.
    let input: Box<dyn std::io::BufRead> = if file == Path::new("-") {
        Box::new(std::io::stdin().lock())
    } else {
        let opened = std::fs::File::open(file)
            .with_context(|| format!("import: cannot open {}", file.display()))?;
        Box::new(std::io::BufReader::new(opened))
    };
    let store = open_store(config)?;
    let done = bantin::ops::backup::import(&store, input)?;
    println!(
        "imported {} stories ({} replaced), {} copies into {}",
        done.stories,
        done.replaced,
        done.copies,
        config.store.path.display()
    );
    Ok(ExitCode::SUCCESS)
}

/// The daemon holds the store's lock while it runs, so its own
/// `/status.json` is asked first; the store is read only when no daemon
/// answers.
async fn status(config: Config) -> anyhow::Result<ExitCode> {
    let from_daemon = async {
        let response = ask_daemon(&config, "status.json")
            .await?
            .error_for_status()
            .ok()?;
        serde_json::from_slice::<Vec<SourceStatus>>(&response.bytes().await.ok()?).ok()
    };
    let statuses = match from_daemon.await {
        Some(statuses) => statuses,
        None => {
            let store =
                open_store(&config).context("no daemon answered and the store cannot be opened")?;
            bantin::status::statuses(&config, &store)
        }
    };
    print_status_table(&statuses);
    let failing = statuses.iter().any(|s| s.error_kind.is_some());
    Ok(if failing {
        ExitCode::FAILURE
    } else {
        ExitCode::SUCCESS
    })
}

fn print_status_table(statuses: &[SourceStatus]) {
    let when = |t: Option<chrono::DateTime<chrono::Utc>>| {
        t.map_or_else(
            || "-".to_string(),
            |t| t.format("%m-%d %H:%M:%S").to_string(),
        )
    };
    let id_width = statuses
        .iter()
        .map(|s| s.id.len())
        .max()
        .unwrap_or(6)
        .max(6);
    println!(
        "{:id_width$}  {:12}  {:>4}  {:>4}  {:14}  {:14}  RESULT",
        "SOURCE", "STATE", "HTTP", "FAIL", "LAST POLL", "NEXT POLL"
    );
    for s in statuses {
        println!(
            "{:id_width$}  {:12}  {:>4}  {:>4}  {:14}  {:14}  {}",
            s.id,
            s.state,
            s.http_status
                .map_or_else(|| "-".to_string(), |c| c.to_string()),
            s.consecutive_failures,
            when(s.last_poll),
            when(s.next_poll),
            s.last_result.as_deref().unwrap_or("-"),
        );
        if let Some(m) = &s.moved {
            println!(
                "{:id_width$}  moved: {} -> {} ({})",
                "",
                m.from,
                m.to,
                when(Some(m.at))
            );
        }
        for w in &s.warnings {
            println!("{:id_width$}  warning: {w}", "");
        }
    }
}

/// The source `preview` looks at: a configured one, or one made of the
/// command line's rules.
fn preview_source(config: &Config, args: PreviewArgs) -> anyhow::Result<Source> {
    if let Some(id) = &args.source {
        return config
            .source(id)
            .cloned()
            .with_context(|| format!("no source `{id}` in {}", config.path.display()));
    }
    let url = args.url.unwrap_or_default();
    let field = |s: &str| Field::new(s).map_err(anyhow::Error::msg);
    let optional = |s: &Option<String>| s.as_deref().map(field).transpose();
    let scrape = match &args.item {
        Some(item) => Some(std::sync::Arc::new(ScrapeRules {
            item: field(item)?,
            title: field(&args.title)?,
            link: field(&args.link)?,
            date: optional(&args.date)?,
            date_format: args.date_format.clone(),
            summary: optional(&args.summary)?,
            author: optional(&args.author)?,
            image: None,
        })),
        None => None,
    };
    Ok(Source {
        id: "preview".into(),
        name: url.clone(),
        url: url::Url::parse(&url).with_context(|| format!("`{url}` is not a URL"))?,
        topics: Vec::new(),
        every: config.poll.every,
        priority: 0,
        ca_file: None,
        insecure_tls: false,
        // The operator typed this address into their own shell: nothing
        // is protected by refusing it, and `discover` on an intranet page
        // is a fair question. Configured sources keep their own setting.
        allow_private: true,
        scrape,
        article: None,
    })
}

async fn fetch_once(
    config: &Config,
    source: &Source,
) -> anyhow::Result<(bytes::Bytes, Option<String>, String)> {
    let fetcher = Fetcher::new(&config.poll, std::slice::from_ref(source))?;
    let fetched = fetcher
        .fetch(source, &source.url, &Validators::default())
        .await?;
    let body = fetched.body.context("the server sent no body")?;
    Ok((body, fetched.content_type, fetched.final_url.to_string()))
}

async fn preview(config: Config, args: PreviewArgs) -> anyhow::Result<ExitCode> {
    let source = preview_source(&config, args)?;
    let (body, content_type, url) = fetch_once(&config, &source).await?;
    let feed = match parse_body(
        &body,
        content_type.as_deref(),
        &url,
        source.scrape.as_deref(),
    ) {
        Ok(feed) => feed,
        Err(e) => {
            println!("{e}");
            return Ok(ExitCode::FAILURE);
        }
    };
    let seen = chrono::Utc::now();
    let mut undated = 0;
    for (n, raw) in feed.items.iter().enumerate() {
        let item = normalize(raw, &url, seen);
        let when = if item.date_missing {
            undated += 1;
            "(no date)".to_string()
        } else {
            item.published
                .with_timezone(&vietnam())
                .format("%Y-%m-%d %H:%M %:z")
                .to_string()
        };
        println!("{:>3}  {when:22}  {}", n + 1, item.title);
        println!(
            "     {:22}  {}",
            "",
            item.link.as_deref().unwrap_or("(no link)")
        );
    }
    println!("{} items", feed.items.len());
    for warning in [feed.partial, feed.broken_rules].into_iter().flatten() {
        println!("warning: {warning}");
    }
    if undated > 0 {
        println!(
            "warning: {undated} items have no readable date; they will be dated when first seen"
        );
    }
    Ok(ExitCode::SUCCESS)
}

async fn discover(config: Config, url: String) -> anyhow::Result<ExitCode> {
    let args = PreviewArgs {
        source: None,
        url: Some(url),
        item: None,
        title: "a".into(),
        link: "a@href".into(),
        date: None,
        date_format: None,
        summary: None,
        author: None,
    };
    let source = preview_source(&config, args)?;
    let (body, content_type, url) = fetch_once(&config, &source).await?;
    match bantin::tools::discover::discover(&body, content_type.as_deref(), &url) {
        Discovery::Feed { items } => {
            println!("{url} is a feed ({items} items): use it as the source's url.");
        }
        Discovery::Page { feeds, suggestion } => {
            if feeds.is_empty() {
                println!("{url} is an HTML page that advertises no feed.");
            } else {
                println!("{url} is an HTML page; it advertises:");
                for feed in &feeds {
                    println!("  {feed}");
                }
            }
            match suggestion {
                Some(block) => {
                    println!(
                        "A [source.scrape] block that may fit it (check with `bantin preview`):\n"
                    );
                    print!("{block}");
                }
                None if feeds.is_empty() => {
                    println!("No repeated list of news links was found on it.");
                }
                None => {}
            }
        }
    }
    Ok(ExitCode::SUCCESS)
}

/// Fetches the source live (the daemon may hold the store) and explains
/// the item with this guid or link.
async fn explain_story(config: Config, story: String) -> anyhow::Result<ExitCode> {
    let id = bantin::tools::explain::parse_story_id(&story)
        .with_context(|| format!("`{story}` is not a story id (urn:uuid:... or a UUID)"))?;
    let from_daemon = async {
        let response = ask_daemon(&config, &format!("stories/{}", id.0)).await?;
        let found = response.status().is_success();
        Some((found, response.text().await.ok()?))
    };
    let (found, text) = match from_daemon.await {
        Some(answer) => answer,
        None => {
            let store =
                open_store(&config).context("no daemon answered and the store cannot be opened")?;
            match bantin::tools::explain::story_report(&config, &store, id)? {
                Some(text) => (true, text),
                None => (false, "no such story\n".to_string()),
            }
        }
    };
    print!("{text}");
    Ok(if found {
        ExitCode::SUCCESS
    } else {
        ExitCode::FAILURE
    })
}

/// GETs `path` from the daemon of this configuration, if one answers
/// within 5 s; `None` sends the caller to the store.
async fn ask_daemon(config: &Config, path: &str) -> Option<reqwest::Response> {
    let mut addr = config.server.listen;
    if addr.ip().is_unspecified() {
        addr.set_ip(std::net::Ipv4Addr::LOCALHOST.into());
    }
    reqwest::Client::builder()
        .timeout(std::time::Duration::from_secs(5))
        .build()
        .ok()?
        .get(format!("http://{addr}/{path}"))
        .send()
        .await
        .ok()
}

async fn explain(config: Config, source: String, guid: String) -> anyhow::Result<ExitCode> {
    let source = config
        .source(&source)
        .cloned()
        .with_context(|| format!("no source `{source}` in {}", config.path.display()))?;
    let (body, content_type, url) = fetch_once(&config, &source).await?;
    let feed = parse_body(
        &body,
        content_type.as_deref(),
        &url,
        source.scrape.as_deref(),
    )?;
    let wanted = canonical_link(&guid, &url);
    let seen = chrono::Utc::now();
    let Some(item) = feed
        .items
        .iter()
        .map(|raw| normalize(raw, &url, seen))
        .find(|item| {
            item.guid.as_deref() == Some(guid.as_str()) || (wanted.is_some() && item.link == wanted)
        })
    else {
        println!(
            "{} items in {url}; none has the guid or link {guid}",
            feed.items.len()
        );
        return Ok(ExitCode::FAILURE);
    };
    println!("{}", item.title);
    for (topic, verdict) in explain_topics(&item, &source, &config.topics) {
        println!("  {:12} {verdict}", topic.slug);
    }
    Ok(ExitCode::SUCCESS)
}

#[cfg(test)]
mod tests {
    use std::collections::BTreeSet;

    use clap::CommandFactory;

    use super::Cli;

    /// The hand-written manual, shipped in the .deb.
    const MANUAL: &str = include_str!("../doc/bantin.1");

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
