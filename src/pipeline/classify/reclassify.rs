//! Stored copies classified again when the topic rules change.
//!
//! A copy's topics are decided when it is ingested. When an operator edits
//! a topic's keywords (and restarts or reloads), the feeds must follow the
//! new rules for the stories already stored, not only for news that
//! arrives later. The rules in force are remembered in the store; on a
//! difference, every copy within the retention window is classified again
//! from its stored text, and the stories whose topics moved are rewritten.

use chrono::Utc;

use crate::config::Config;
use crate::model::story::Copy;
use crate::pipeline::classify::classify;
use crate::store::{Result, Store};

/// What a re-classification changed.
#[derive(Debug, Default, Clone, PartialEq, Eq)]
pub struct Reclassified {
    pub copies_checked: usize,
    pub copies_changed: usize,
    pub stories_changed: usize,
}

/// The rules as the store remembers them: every topic's rules and every
/// source's fixed topics. The text is only compared for equality, so a
/// formatting change between bantin versions costs one needless pass,
/// never a missed one.
fn rules_of(config: &Config) -> String {
    let sources: Vec<(&str, &[String])> = config
        .sources
        .iter()
        .map(|s| (s.id.as_str(), s.topics.as_slice()))
        .collect();
    format!("{:?}\n{:?}", config.topics, sources)
}

/// Classifies stored copies again if the rules changed since the store
/// last saw them; returns `None` when they did not.
pub fn if_rules_changed(config: &Config, store: &Store) -> Result<Option<Reclassified>> {
    let rules = rules_of(config);
    if store.rules()?.as_deref() == Some(rules.as_str()) {
        return Ok(None);
    }
    let done = reclassify(config, store)?;
    // Remembered last: a pass cut off midway is redone in full.
    store.set_rules(&rules)?;
    tracing::info!(
        checked = done.copies_checked,
        copies = done.copies_changed,
        stories = done.stories_changed,
        "topic rules changed: stored stories classified again"
    );
    Ok(Some(done))
}

/// Classifies every copy within the retention window again.
pub fn reclassify(config: &Config, store: &Store) -> Result<Reclassified> {
    let oldest = crate::config::cutoff(config.store.keep_days, Utc::now());
    let mut done = Reclassified::default();
    let mut changed: Vec<Copy> = Vec::new();
    for copy in store.copies() {
        let copy = copy?;
        if oldest.is_some_and(|oldest| copy.published < oldest) {
            continue;
        }
        done.copies_checked += 1;
        let topics = match config.source(&copy.key.source) {
            Some(source) => classify(&copy.to_item(), source, &config.topics),
            // A removed source's stories stay until retention removes
            // them, in the topics that still exist.
            None => copy
                .topics
                .iter()
                .filter(|t| config.topic(t).is_some())
                .cloned()
                .collect(),
        };
        if topics != copy.topics {
            changed.push(Copy { topics, ..copy });
        }
    }
    done.copies_changed = changed.len();
    let mut by_story: std::collections::BTreeMap<_, Vec<Copy>> = Default::default();
    for copy in changed {
        by_story.entry(copy.story).or_default().push(copy);
    }
    // Each story before its copies (a batch's order): a pass cut off between the two finds
    // the copies unchanged next time and does them again, whereas copies
    // written first would look done and leave their story's topics stale.
    for (id, changed) in by_story {
        let mut batch = store.batch();
        if let Some(before) = store.story(id)? {
            let mut copies = Vec::with_capacity(before.copies.len());
            for key in &before.copies {
                match changed.iter().find(|c| c.key == *key) {
                    Some(copy) => copies.push(copy.clone()),
                    None => copies.extend(store.copy(key)?),
                }
            }
            let mut story = before.clone();
            story.set_topics(&copies);
            if story.topics != before.topics {
                batch.put_story(&story, Some(&before));
                done.stories_changed += 1;
            }
        }
        for copy in &changed {
            batch.put_copy(copy);
        }
        batch.commit()?;
    }
    Ok(done)
}
