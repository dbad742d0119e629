//! Keyword rules, compiled once and matched as whole syllable runs on
//! folded Vietnamese text. A keyword written with diacritics matches only
//! that spelling, whatever the case, the Unicode form or the tone
//! placement; one written without them (`covid`, `phong chong dich`) also
//! matches the diacritic-free text. A keyword starting with `re:` is a
//! regular expression over the lowercase text.
//!
//! Here rather than in the classify stage because feeds.toml's keywords
//! are compiled, and their errors reported, when the configuration is
//! read: `config` builds [`Rules`], `pipeline::classify` applies them.

use regex::Regex;

use super::syllables::{Syllables, syllable_hash};
use super::{Tokens, fold_diacritics, has_diacritics};

/// One keyword, ready to match.
#[derive(Debug, Clone)]
pub struct Keyword {
    /// As the operator wrote it, for explanations.
    pub written: String,
    pattern: Pattern,
}

#[derive(Debug, Clone)]
enum Pattern {
    /// Syllables; diacritic-free keywords also match folded text.
    Phrase {
        /// [`syllable_hash`] of each syllable.
        syllables: Vec<u64>,
        diacritic_free: bool,
    },
    /// `re:...`: a regular expression over the lowercase NFC text.
    Regex(Regex),
}

impl Keyword {
    /// Compiles a keyword; a `re:` keyword that is not a regular
    /// expression is an error naming it.
    pub fn new(written: &str) -> Result<Keyword, String> {
        let pattern = match written.strip_prefix("re:") {
            Some(re) => Pattern::Regex(
                Regex::new(re)
                    .map_err(|e| format!("`{written}` is not a regular expression: {e}"))?,
            ),
            None => Pattern::Phrase {
                syllables: Tokens::of(written)
                    .0
                    .iter()
                    .map(|s| syllable_hash(s))
                    .collect(),
                diacritic_free: !has_diacritics(written),
            },
        };
        Ok(Keyword {
            written: written.to_string(),
            pattern,
        })
    }

    /// Whether the keyword occurs in `text`.
    pub fn matches(&self, text: &MatchText) -> bool {
        match &self.pattern {
            Pattern::Phrase {
                syllables,
                diacritic_free: true,
            } => text.syllables.contains_run(syllables, true),
            Pattern::Phrase { syllables, .. } => text.syllables.contains_run(syllables, false),
            Pattern::Regex(re) => re.is_match(text.lower()),
        }
    }
}

/// A topic's compiled keyword, exclude and category lists.
#[derive(Debug, Clone)]
pub struct Rules {
    keywords: Vec<Keyword>,
    exclude: Vec<Keyword>,
    /// Feed categories (folded) that put an item in the topic.
    categories: Vec<(String, String)>,
    /// The implicit `all` topic.
    everything: bool,
}

impl Rules {
    pub fn new(keywords: Vec<Keyword>, exclude: Vec<Keyword>, categories: Vec<String>) -> Rules {
        Rules {
            keywords,
            exclude,
            categories: categories
                .into_iter()
                .map(|c| (category_key(&c), c))
                .collect(),
            everything: false,
        }
    }

    pub fn everything() -> Rules {
        Rules {
            keywords: Vec::new(),
            exclude: Vec::new(),
            categories: Vec::new(),
            everything: true,
        }
    }
}

/// Feed categories compare folded: `An ninh - Trật tự` = `an ninh trật tự`.
pub fn category_key(category: &str) -> String {
    fold_diacritics(&Tokens::of(category).joined())
}

/// An item's text, folded once for all topics.
#[derive(Debug)]
pub struct MatchText {
    syllables: Syllables,
    /// The whole text lowercased, for regex rules; made on first use, as
    /// most configurations have none and it is a copy of the whole body.
    lower: std::sync::OnceLock<String>,
    text: String,
    categories: Vec<String>,
}

impl MatchText {
    /// The text of `parts`, each kept apart so that the last word of one
    /// and the first of the next never make a phrase together, and the
    /// item's feed categories.
    pub fn new<'a>(parts: impl IntoIterator<Item = &'a str>, categories: &[String]) -> MatchText {
        let mut text = String::new();
        let parts: Vec<&str> = parts.into_iter().collect();
        for part in &parts {
            text.push_str(part);
            text.push_str(" \n ");
        }
        MatchText {
            syllables: Syllables::of_parts(parts),
            lower: std::sync::OnceLock::new(),
            text,
            categories: categories.iter().map(|c| category_key(c)).collect(),
        }
    }

    /// The syllables of the parts, in the order given to [`MatchText::new`].
    pub fn syllables(&self) -> &Syllables {
        &self.syllables
    }

    fn lower(&self) -> &str {
        self.lower.get_or_init(|| self.text.to_lowercase())
    }
}

impl Rules {
    /// The implicit `all` topic, which takes every story.
    pub fn is_everything(&self) -> bool {
        self.everything
    }

    /// The first keyword that occurs in `text`, as written.
    pub fn keyword_in(&self, text: &MatchText) -> Option<&str> {
        self.keywords
            .iter()
            .find(|k| k.matches(text))
            .map(|k| k.written.as_str())
    }

    /// The first of the topic's categories that `text` carries, as written.
    pub fn category_in(&self, text: &MatchText) -> Option<&str> {
        self.categories
            .iter()
            .find(|(key, _)| text.categories.contains(key))
            .map(|(_, written)| written.as_str())
    }

    /// The first `exclude` keyword that occurs in `text`, as written.
    pub fn excluded_by(&self, text: &MatchText) -> Option<&str> {
        self.exclude
            .iter()
            .find(|k| k.matches(text))
            .map(|k| k.written.as_str())
    }
}
