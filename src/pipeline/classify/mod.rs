//! Topics: which feeds a story belongs in.
//!
//! A topic's [`Rules`] are keyword phrases matched as whole syllable runs
//! on the folded text of an item (see [`crate::text`]). A keyword written
//! with diacritics matches only that spelling, whatever the case, the
//! Unicode form or the tone placement; a keyword written without them
//! (`covid`, `phong chong dich`) also matches the diacritic-free text.
//! A keyword starting with `re:` is a regular expression over the item's
//! lowercase text. A topic's `categories` list puts items whose feed
//! category matches (folded) in it. `exclude` wins over everything, the
//! source's fixed topics included: an operator who excludes a phrase wants
//! it out of that feed. [`explain`] says which rule decided.

pub mod reclassify;

use std::fmt;

use regex::Regex;

use crate::config::{Source, Topic};
use crate::pipeline::normalize::Item;
use crate::text::{Tokens, fold_diacritics, has_diacritics};

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
        syllables: Vec<String>,
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
                syllables: Tokens::of(written).0,
                diacritic_free: !has_diacritics(written),
            },
        };
        Ok(Keyword {
            written: written.to_string(),
            pattern,
        })
    }

    fn matches(&self, text: &MatchText) -> bool {
        match &self.pattern {
            Pattern::Phrase {
                syllables,
                diacritic_free: true,
            } => text.folded.contains_run(syllables),
            Pattern::Phrase { syllables, .. } => text.exact.contains_run(syllables),
            Pattern::Regex(re) => re.is_match(&text.lower),
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
fn category_key(category: &str) -> String {
    fold_diacritics(&Tokens::of(category).joined())
}

/// An item's text, folded once for all topics.
pub struct MatchText {
    exact: Tokens,
    folded: Tokens,
    lower: String,
    categories: Vec<String>,
}

impl MatchText {
    /// Title, summary, content (tags stripped) and the feed's own categories.
    pub fn of(item: &Item) -> MatchText {
        let mut text = String::new();
        for part in [&item.title, &item.summary, &item.content_text] {
            text.push_str(part);
            // A separator, so the last word of the title and the first of
            // the summary never make a phrase together.
            text.push_str(" \n ");
        }
        for category in &item.categories {
            text.push_str(category);
            text.push_str(" \n ");
        }
        let exact = Tokens::of(&text);
        let folded = exact.without_diacritics();
        MatchText {
            exact,
            folded,
            lower: text.to_lowercase(),
            categories: item.categories.iter().map(|c| category_key(c)).collect(),
        }
    }
}

/// Why an item is, or is not, in a topic.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Verdict {
    /// The implicit `all` topic.
    Everything,
    /// The source's fixed `topics` list names it.
    Fixed,
    Keyword(String),
    Category(String),
    /// In by the rule in `by`, out by this `exclude` keyword.
    Excluded {
        keyword: String,
        by: Box<Verdict>,
    },
    NoMatch,
}

impl Verdict {
    pub fn is_in(&self) -> bool {
        matches!(
            self,
            Verdict::Everything | Verdict::Fixed | Verdict::Keyword(_) | Verdict::Category(_)
        )
    }
}

impl fmt::Display for Verdict {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Verdict::Everything => write!(f, "in: every story is"),
            Verdict::Fixed => write!(f, "in: the source's `topics` names it"),
            Verdict::Keyword(k) => write!(f, "in: keyword `{k}` matched"),
            Verdict::Category(c) => write!(f, "in: feed category `{c}` is mapped to it"),
            Verdict::Excluded { keyword, by } => {
                write!(
                    f,
                    "out: `exclude` keyword `{keyword}` matched (would be {by})"
                )
            }
            Verdict::NoMatch => write!(f, "out: no keyword or category matched"),
        }
    }
}

/// Why `item` is or is not in each topic, in config order.
pub fn explain<'t>(item: &Item, source: &Source, topics: &'t [Topic]) -> Vec<(&'t Topic, Verdict)> {
    let text = MatchText::of(item);
    topics
        .iter()
        .map(|topic| (topic, verdict(&text, source, topic)))
        .collect()
}

fn verdict(text: &MatchText, source: &Source, topic: &Topic) -> Verdict {
    let rules = &topic.rules;
    if rules.everything {
        return Verdict::Everything;
    }
    let inside = if source.topics.contains(&topic.slug) {
        Some(Verdict::Fixed)
    } else if let Some(k) = rules.keywords.iter().find(|k| k.matches(text)) {
        Some(Verdict::Keyword(k.written.clone()))
    } else {
        rules
            .categories
            .iter()
            .find(|(key, _)| text.categories.contains(key))
            .map(|(_, written)| Verdict::Category(written.clone()))
    };
    match (inside, rules.exclude.iter().find(|k| k.matches(text))) {
        (Some(by), Some(k)) => Verdict::Excluded {
            keyword: k.written.clone(),
            by: Box::new(by),
        },
        (Some(by), None) => by,
        (None, _) => Verdict::NoMatch,
    }
}

/// The slugs of the topics an item belongs to, in config order, `all` last.
pub fn classify(item: &Item, source: &Source, topics: &[Topic]) -> Vec<String> {
    explain(item, source, topics)
        .into_iter()
        .filter(|(_, v)| v.is_in())
        .map(|(topic, _)| topic.slug.clone())
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    fn text(s: &str) -> MatchText {
        MatchText::of(&item(s, ""))
    }

    fn hits(keyword: &str, s: &str) -> bool {
        Keyword::new(keyword).unwrap().matches(&text(s))
    }

    fn keywords(list: &[&str]) -> Vec<Keyword> {
        list.iter().map(|k| Keyword::new(k).unwrap()).collect()
    }

    #[test]
    fn diacritic_keyword_matches_only_its_spelling() {
        assert!(hits("ma túy", "Bắt giữ đối tượng mua bán MA TUÝ"));
        assert!(!hits("ma túy", "Tổ chức mà tùy điều kiện"));
    }

    #[test]
    fn diacritic_free_keyword_matches_folded_text() {
        assert!(hits("covid", "Phòng, chống Covid-19"));
        assert!(hits("phong chong dich", "công tác phòng, chống dịch"));
    }

    #[test]
    fn phrase_ignores_punctuation_and_spacing() {
        assert!(hits("phòng, chống dịch", "phòng chống dịch bệnh"));
        assert!(hits("phòng chống dịch", "phòng,chống  dịch"));
    }

    #[test]
    fn bare_syllable_is_whole_syllables_only() {
        assert!(!hits("an ninh", "huyện Ban Ninh"));
        assert!(hits("an ninh", "bảo đảm an ninh, trật tự"));
    }

    fn topics() -> Vec<Topic> {
        vec![
            Topic {
                slug: "y-te".into(),
                title: "Y tế".into(),
                rules: Rules::new(
                    keywords(&["covid", "y tế"]),
                    vec![],
                    vec!["Sức khỏe".into()],
                ),
            },
            Topic {
                slug: "an-ninh".into(),
                title: "An ninh".into(),
                rules: Rules::new(
                    keywords(&["công an", r"re:\bcsgt\b"]),
                    keywords(&["quảng cáo"]),
                    vec![],
                ),
            },
            Topic {
                slug: "all".into(),
                title: "Tất cả".into(),
                rules: Rules::everything(),
            },
        ]
    }

    fn source(topics: &[&str]) -> Source {
        Source {
            id: "s".into(),
            name: "s".into(),
            url: url::Url::parse("https://s.test/rss").unwrap(),
            topics: topics.iter().map(|t| t.to_string()).collect(),
            every: std::time::Duration::from_secs(60),
            priority: 0,
            ca_file: None,
            insecure_tls: false,
            allow_private: false,
            scrape: None,
            article: None,
        }
    }

    fn item(title: &str, content_text: &str) -> Item {
        Item {
            guid: None,
            link: None,
            title: title.into(),
            summary: String::new(),
            content: String::new(),
            content_text: content_text.into(),
            published: chrono::DateTime::UNIX_EPOCH,
            date_missing: false,
            authors: vec![],
            categories: vec![],
            article: false,
        }
    }

    #[test]
    fn keywords_in_content_classify() {
        let got = classify(
            &item("Tin mới", "Công an tỉnh và ngành y tế"),
            &source(&[]),
            &topics(),
        );
        assert_eq!(got, ["y-te", "an-ninh", "all"]);
    }

    #[test]
    fn every_story_is_in_all() {
        let got = classify(&item("Khai mạc lễ hội", ""), &source(&[]), &topics());
        assert_eq!(got, ["all"]);
    }

    #[test]
    fn fixed_topic_applies_without_keywords() {
        let got = classify(
            &item("Khai mạc lễ hội", ""),
            &source(&["an-ninh"]),
            &topics(),
        );
        assert_eq!(got, ["an-ninh", "all"]);
    }

    #[test]
    fn regex_keyword_matches_lowercase_text() {
        let got = classify(&item("Tổ CSGT tuần tra đêm", ""), &source(&[]), &topics());
        assert_eq!(got, ["an-ninh", "all"]);
        assert!(Keyword::new("re:(unclosed").is_err());
    }

    #[test]
    fn feed_category_maps_to_a_topic() {
        let mut it = item("Khám miễn phí cho người cao tuổi", "");
        it.categories = vec!["SỨC KHỎE".into()];
        let topics = topics();
        let verdicts = explain(&it, &source(&[]), &topics);
        assert_eq!(verdicts[0].1, Verdict::Category("Sức khỏe".into()));
        assert_eq!(verdicts[1].1, Verdict::NoMatch);
    }

    #[test]
    fn explanation_names_the_rule() {
        let it = item("Công an cảnh báo quảng cáo giả", "");
        let topics = topics();
        let verdicts = explain(&it, &source(&[]), &topics);
        assert_eq!(
            verdicts[1].1.to_string(),
            "out: `exclude` keyword `quảng cáo` matched (would be in: keyword `công an` matched)"
        );
    }

    #[test]
    fn exclude_wins_over_keywords_and_fixed_topic() {
        let item = item("Công an cảnh báo quảng cáo giả", "");
        assert_eq!(classify(&item, &source(&[]), &topics()), ["all"]);
        assert_eq!(classify(&item, &source(&["an-ninh"]), &topics()), ["all"]);
    }
}
