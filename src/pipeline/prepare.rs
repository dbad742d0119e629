//! The stages that need nothing but a fetched body: parse, normalize,
//! classify. Shared by a poll, `bantin explain`, `bantin eval` and the
//! benchmarks, so that all of them read a body exactly as the daemon does.

use bytes::Bytes;
use chrono::{DateTime, Utc};

use crate::config::{Config, Source};
use crate::model::{Classified, Cuts, DateOrder, Hints, Item};
use crate::pipeline::normalize::{dates, normalize_bounded};
use crate::pipeline::parse::{DateContext, ParseError, parse_body_with};
use crate::pipeline::{classify, merge};
use crate::text::nesting::Cut;

/// A fetched document and what its server said it is.
#[derive(Debug, Clone)]
pub struct Body {
    pub bytes: Bytes,
    /// The Content-Type header, which may name the charset.
    pub content_type: Option<String>,
    /// The day/month order the source's earlier documents settled: how
    /// this one's numeric dates are read when they settle nothing.
    pub date_order: DateOrder,
}

impl Body {
    pub fn new(bytes: impl Into<Bytes>) -> Body {
        Body {
            bytes: bytes.into(),
            content_type: None,
            date_order: DateOrder::default(),
        }
    }
}

/// A body's items, normalized and classified, not yet merged.
pub struct Prepared {
    pub items: Vec<Classified>,
    pub hints: Hints,
    pub partial: Option<String>,
    pub broken_rules: Option<String>,
    pub date_order: DateOrder,
    /// Items whose HTML was cut before it was parsed.
    pub cut: Cuts,
}

/// Counts one item's cut, if any.
pub fn count_cut(cuts: &mut Cuts, cut: Option<Cut>) {
    match cut {
        Some(Cut::TooDeep) => cuts.too_deep += 1,
        Some(Cut::TooLarge) => cuts.too_large += 1,
        None => {}
    }
}

/// An item's topics, text fingerprint and search terms, from one split of its text into
/// syllables. Done here, beside the parse, rather than in the merge: the
/// merge runs one source at a time, this on every core.
pub fn classified(config: &Config, source: &Source, item: Item) -> Classified {
    let text = classify::match_text(&item);
    let topics = classify::classify_text(&text, source, &config.topics);
    let syllables = text.syllables();
    let sketch = merge::sketch_of_span(&item, &syllables.span(classify::BODY_PARTS));
    Classified {
        terms: syllables.terms(),
        item,
        topics,
        sketch,
    }
}

/// The stages that need nothing but the body: parse, normalize, classify.
/// `seen` stands in for a missing date.
pub fn prepare(
    config: &Config,
    source: &Source,
    body: &Body,
    seen: DateTime<Utc>,
) -> Result<Prepared, ParseError> {
    let dates = DateContext {
        prior: body.date_order,
        fetched: seen,
    };
    let feed = parse_body_with(
        &body.bytes,
        body.content_type.as_deref(),
        source.url.as_str(),
        source.scrape.as_deref(),
        dates,
    )?;
    let mut cut = Cuts::default();
    let mut items: Vec<Item> = feed
        .items
        .iter()
        .map(|raw| {
            let (item, why) = normalize_bounded(raw, source.url.as_str(), seen);
            count_cut(&mut cut, why);
            item
        })
        .collect();
    dates::place_all(&mut items, seen);
    let items = items
        .into_iter()
        .map(|item| classified(config, source, item))
        .collect();
    Ok(Prepared {
        items,
        hints: feed.hints,
        partial: feed.partial,
        broken_rules: feed.broken_rules,
        date_order: feed.date_order,
        cut,
    })
}
