//! Topics: which feeds a story belongs in.
//!
//! A topic's [`Rules`](crate::text::keywords::Rules) are keyword phrases
//! matched as whole syllable runs on the folded text of an item
//! ([`crate::text::keywords`] says how diacritics and `re:` keywords
//! match). A topic's `categories` list puts items whose feed
//! category matches (folded) in it. `exclude` wins over everything, the
//! source's fixed topics included: an operator who excludes a phrase wants
//! it out of that feed. [`explain`] says which rule decided.

pub mod reclassify;

use std::fmt;

use crate::config::{Source, Topic};
use crate::model::Item;
use crate::text::keywords::MatchText;

/// Where the summary and the content are among [`match_text`]'s parts:
/// the body that the text fingerprint reads.
pub const BODY_PARTS: std::ops::Range<usize> = 1..3;

/// An item's title, summary, content (tags stripped) and feed categories,
/// ready to match.
pub fn match_text(item: &Item) -> MatchText {
    let categories = item.categories.iter().map(String::as_str);
    let parts = [
        item.title.as_str(),
        item.summary.as_str(),
        item.content_text.as_str(),
    ];
    MatchText::new(parts.into_iter().chain(categories), &item.categories)
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
    explain_text(&match_text(item), source, topics)
}

/// [`explain`] for an item's [`match_text`].
pub fn explain_text<'t>(
    text: &MatchText,
    source: &Source,
    topics: &'t [Topic],
) -> Vec<(&'t Topic, Verdict)> {
    topics
        .iter()
        .map(|topic| (topic, verdict(text, source, topic)))
        .collect()
}

fn verdict(text: &MatchText, source: &Source, topic: &Topic) -> Verdict {
    let rules = &topic.rules;
    if rules.is_everything() {
        return Verdict::Everything;
    }
    let inside = if source.topics.contains(&topic.slug) {
        Some(Verdict::Fixed)
    } else if let Some(k) = rules.keyword_in(text) {
        Some(Verdict::Keyword(k.to_string()))
    } else {
        rules
            .category_in(text)
            .map(|c| Verdict::Category(c.to_string()))
    };
    match (inside, rules.excluded_by(text)) {
        (Some(by), Some(k)) => Verdict::Excluded {
            keyword: k.to_string(),
            by: Box::new(by),
        },
        (Some(by), None) => by,
        (None, _) => Verdict::NoMatch,
    }
}

/// The slugs of the topics an item belongs to, in config order, `all` last.
pub fn classify(item: &Item, source: &Source, topics: &[Topic]) -> Vec<String> {
    classify_text(&match_text(item), source, topics)
}

/// [`classify`] for an item's [`match_text`].
pub fn classify_text(text: &MatchText, source: &Source, topics: &[Topic]) -> Vec<String> {
    explain_text(text, source, topics)
        .into_iter()
        .filter(|(_, v)| v.is_in())
        .map(|(topic, _)| topic.slug.clone())
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::text::keywords::{Keyword, Rules};

    fn text(s: &str) -> MatchText {
        match_text(&item(s, ""))
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
            stated: crate::model::Stated::Time,
            updated: None,
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
