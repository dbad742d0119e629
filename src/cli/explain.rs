//! `bantin explain`: why an item of a source, or a stored story, is or
//! is not in each topic.

use std::process::ExitCode;

use anyhow::Context;
use bantin::config::Config;
use bantin::pipeline::classify::explain as explain_topics;
use bantin::pipeline::normalize::canonical_link;
use bantin::pipeline::prepare;

use super::open_store;
use super::preview::fetch_once;
use super::status::ask_daemon;

/// Fetches the source live (the daemon may hold the store) and explains
/// the item with this guid or link.
pub(super) async fn explain(
    config: Config,
    source: String,
    guid: String,
) -> anyhow::Result<ExitCode> {
    let source = config
        .source(&source)
        .cloned()
        .with_context(|| format!("no source `{source}` in {}", config.path.display()))?;
    let (body, url) = fetch_once(&config, &source).await?;
    // The daemon's own stages, so the verdict is the one a poll would
    // reach: links resolve against the configured URL, as they are stored.
    let prepared = prepare(&config, &source, &body, chrono::Utc::now())?;
    let wanted = canonical_link(&guid, source.url.as_str());
    let Some(item) = prepared.items.iter().map(|c| &c.item).find(|item| {
        item.guid.as_deref() == Some(guid.as_str()) || (wanted.is_some() && item.link == wanted)
    }) else {
        println!(
            "{} items in {url}; none has the guid or link {guid}",
            prepared.items.len()
        );
        return Ok(ExitCode::FAILURE);
    };
    println!("{}", item.title);
    for (topic, verdict) in explain_topics(item, &source, &config.topics) {
        println!("  {:12} {verdict}", topic.slug);
    }
    Ok(ExitCode::SUCCESS)
}

/// Explains a stored story by its feed entry id, as the running daemon
/// serves it at `/stories/{id}.txt`, or from the store when none answers.
pub(super) async fn explain_story(config: Config, story: String) -> anyhow::Result<ExitCode> {
    let id = bantin::tools::explain::parse_story_id(&story)
        .with_context(|| format!("`{story}` is not a story id (urn:uuid:... or a UUID)"))?;
    let from_daemon = async {
        let response = ask_daemon(&config, &format!("stories/{}.txt", id.0)).await?;
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
