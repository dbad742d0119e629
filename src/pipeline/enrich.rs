//! Full text for sources that give only a title and a line: the enrich
//! stage, between classify and merge.
//!
//! For a source with `article = "<selector>"` (or `"auto"`), each item
//! bantin has never seen has its page fetched once, through the same
//! fetcher (and so the same politeness limits) as polls; the article's
//! HTML becomes the item's content and the item is classified again on
//! it. An item already stored keeps the article it got: the list page's
//! shorter version never overwrites it, and its page is never fetched
//! again, whether that first fetch worked or not.

use crate::config::{Config, Source};
use crate::model::Validators;
use crate::model::{Classified, Cuts};
use crate::pipeline::fetch::{FetchError, Fetcher};
use crate::pipeline::merge;
use crate::pipeline::normalize::article_content;
use crate::pipeline::parse::article::{ArticleRule, extract};
use crate::pipeline::parse::charset;
use crate::pipeline::prepare;
use crate::pipeline::prepare::count_cut;
use crate::store::Store;
use crate::text::html_to_text;
use crate::text::nesting::Cut;

/// Article pages fetched per poll of one source at most: a list page that
/// suddenly shows a hundred new links costs a few polls, not a flood.
const MAX_ARTICLES_PER_POLL: usize = 20;

/// Gives the items of `source` their article text, where it has a rule;
/// returns the articles cut before they were parsed.
pub async fn articles(
    fetcher: &Fetcher,
    store: &Store,
    config: &Config,
    source: &Source,
    items: &mut [Classified],
) -> Cuts {
    let mut cuts = Cuts::default();
    let Some(rule) = &source.article else {
        return cuts;
    };
    let keys = merge::copy_keys(source, items);
    let oldest = crate::config::cutoff(config.store.keep_days, chrono::Utc::now());
    let mut fetched = 0;
    for (classified, key) in items.iter_mut().zip(keys) {
        let item = &mut classified.item;
        // Too old to be stored: its page would be fetched at every poll.
        if oldest.is_some_and(|oldest| item.published < oldest) {
            continue;
        }
        let stored = match store.copy(&key) {
            Ok(stored) => stored,
            Err(e) => {
                tracing::warn!(source = %source.id, error = %e, "cannot read a stored copy");
                continue;
            }
        };
        match stored {
            Some(copy) if copy.article => {
                item.content_text = html_to_text(&copy.content);
                item.content = copy.content;
                item.article = true;
            }
            Some(_) => {}
            None if fetched < MAX_ARTICLES_PER_POLL => {
                let Some(link) = item.link.clone() else {
                    continue;
                };
                fetched += 1;
                match article(fetcher, source, &link, rule).await {
                    Ok((content, content_text, cut)) => {
                        count_cut(&mut cuts, cut);
                        item.content = content;
                        item.content_text = content_text;
                        item.article = true;
                    }
                    Err(e) => {
                        tracing::warn!(source = %source.id, %link, error = %e, "no article text");
                    }
                }
            }
            None => {}
        }
        if item.article {
            // The text changed: its topics and fingerprint with it.
            *classified = prepare::classified(config, source, std::mem::take(item));
        }
    }
    cuts
}

/// Why an item got no article text. The item keeps its list-page text
/// and is stored; this is logged, never a poll failure.
#[derive(Debug, thiserror::Error)]
pub enum EnrichError {
    #[error("enrich: the item's link {link} is not a URL: {source}")]
    BadLink {
        link: String,
        #[source]
        source: url::ParseError,
    },
    #[error(transparent)]
    Fetch(#[from] FetchError),
    #[error("enrich: {url} sent no body")]
    NoBody { url: String },
    #[error("enrich: the article rule found nothing on {url}")]
    RuleFoundNothing { url: String },
    #[error("enrich: the article on {url} has no text")]
    NoText { url: String },
}

/// One article page's sanitized content and its text.
async fn article(
    fetcher: &Fetcher,
    source: &Source,
    link: &str,
    rule: &ArticleRule,
) -> Result<(String, String, Option<Cut>), EnrichError> {
    let url = url::Url::parse(link).map_err(|source| EnrichError::BadLink {
        link: link.to_string(),
        source,
    })?;
    let fetched = fetcher.fetch(source, &url, &Validators::default()).await?;
    let final_url = fetched.final_url.to_string();
    let body = fetched.body.ok_or_else(|| EnrichError::NoBody {
        url: final_url.clone(),
    })?;
    let page = charset::decode(&body, fetched.content_type.as_deref()).text;
    let html = extract(&page, rule).ok_or_else(|| EnrichError::RuleFoundNothing {
        url: final_url.clone(),
    })?;
    let (content, text, cut) = article_content(&html, &final_url);
    if text.is_empty() {
        return Err(EnrichError::NoText { url: final_url });
    }
    Ok((content, text, cut))
}
