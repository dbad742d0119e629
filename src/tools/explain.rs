//! Why a stored story is where it is: its copies, where each came from,
//! and each topic's verdict on each copy under the rules in force.
//!
//! Served at `/stories/{id}` and printed by `bantin explain --story ID`,
//! so an operator can ask about an entry of a feed by its Atom id.

use std::fmt::Write as _;

use uuid::Uuid;

use crate::config::Config;
use crate::model::story::StoryId;
use crate::pipeline::classify::explain;
use crate::store::{Result, Store};

/// Reads a story id as feeds show it (`urn:uuid:...`) or as a bare UUID.
pub fn parse_story_id(text: &str) -> Option<StoryId> {
    let bare = text.trim().strip_prefix("urn:uuid:").unwrap_or(text.trim());
    Uuid::parse_str(bare).ok().map(StoryId)
}

/// The report on one story, or `None` when the store has no such story.
pub fn story_report(config: &Config, store: &Store, id: StoryId) -> Result<Option<String>> {
    let Some(story) = store.story(id)? else {
        return Ok(None);
    };
    let mut out = String::new();
    let _ = writeln!(out, "story {}", story.id.urn());
    let _ = writeln!(
        out,
        "  published {}, updated {}",
        story.published.to_rfc3339(),
        story.updated.to_rfc3339()
    );
    let _ = writeln!(out, "  topics: {}", story.topics.join(", "));
    let _ = writeln!(
        out,
        "  copies ({}, the first minted the id):",
        story.copies.len()
    );
    for key in &story.copies {
        let Some(copy) = store.copy(key)? else {
            let _ = writeln!(out, "\n  {} {}: (copy missing)", key.source, key.item);
            continue;
        };
        let _ = writeln!(out, "\n  {} | {}", copy.key.source, copy.title);
        let _ = writeln!(out, "    key   {}", copy.key.item);
        if let Some(link) = &copy.link {
            let _ = writeln!(out, "    link  {link}");
        }
        let _ = writeln!(
            out,
            "    published {}, first seen {}",
            copy.published.to_rfc3339(),
            copy.first_seen.to_rfc3339()
        );
        match config.source(&copy.key.source) {
            Some(source) => {
                for (topic, verdict) in explain(&copy.to_item(), source, &config.topics) {
                    let _ = writeln!(out, "    {:12} {verdict}", topic.slug);
                }
            }
            None => {
                let _ = writeln!(
                    out,
                    "    (source no longer configured; stored topics: {})",
                    copy.topics.join(", ")
                );
            }
        }
    }
    Ok(Some(out))
}
