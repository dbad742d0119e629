//! `bantin preview` and `bantin discover`: one fetch of a page, and what
//! bantin reads on it, before or after it is configured.

use std::process::ExitCode;

use anyhow::Context;
use bantin::config::{Config, Source};
use bantin::model::{Stated, Validators};
use bantin::pipeline::Body;
use bantin::pipeline::fetch::Fetcher;
use bantin::pipeline::normalize::normalize;
use bantin::pipeline::parse::date::vietnam;
use bantin::pipeline::parse::parse_body;
use bantin::pipeline::parse::scrape::{Field, ScrapeRules};
use bantin::tools::discover::Discovery;

#[derive(clap::Args)]
pub struct PreviewArgs {
    /// A configured source, read with its own rules.
    #[arg(long, value_name = "ID", conflicts_with = "url")]
    pub(super) source: Option<String>,
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

/// The source's page, fetched once without validators, and the URL it
/// was finally read from.
pub(super) async fn fetch_once(config: &Config, source: &Source) -> anyhow::Result<(Body, String)> {
    let fetcher = Fetcher::new(&config.poll, std::slice::from_ref(source))?;
    let fetched = fetcher
        .fetch(source, &source.url, &Validators::default())
        .await?;
    let bytes = fetched.body.context("the server sent no body")?;
    // Read as a new source's first document would be: preview and explain
    // look at the page as it is, not through what earlier polls settled.
    let body = Body {
        bytes,
        content_type: fetched.content_type,
        date_order: Default::default(),
    };
    Ok((body, fetched.final_url.to_string()))
}

pub(super) async fn preview(config: Config, args: PreviewArgs) -> anyhow::Result<ExitCode> {
    let source = preview_source(&config, args)?;
    let (body, url) = fetch_once(&config, &source).await?;
    let feed = match parse_body(
        &body.bytes,
        body.content_type.as_deref(),
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
        let when = if item.stated == Stated::Nothing {
            undated += 1;
            "(no date)".to_string()
        } else if item.stated == Stated::Day {
            item.published
                .with_timezone(&vietnam())
                .format("%Y-%m-%d (no time)")
                .to_string()
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

pub(super) async fn discover(config: Config, url: String) -> anyhow::Result<ExitCode> {
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
    let (body, url) = fetch_once(&config, &source).await?;
    match bantin::tools::discover::discover(&body.bytes, body.content_type.as_deref(), &url) {
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
