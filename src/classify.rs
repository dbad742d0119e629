//! Topics: which feeds a story belongs in.
//!
//! A topic's [`Rules`] are keyword phrases matched as whole syllable runs
//! on the folded text of an item (see [`crate::text`]). A keyword written
//! with diacritics matches only that spelling, whatever the case, the
//! Unicode form or the tone placement; a keyword written without them
//! (`covid`, `phong chong dich`) also matches the diacritic-free text.
//! `exclude` wins over everything, the source's fixed topics included: an
//! operator who excludes a phrase wants it out of that feed.

use crate::config::{Source, Topic};
use crate::normalize::Item;
use crate::text::{Tokens, has_diacritics};

/// One keyword, ready to match.
#[derive(Debug, Clone)]
pub struct Keyword {
    /// As the operator wrote it, for explanations.
    pub written: String,
    syllables: Vec<String>,
    /// Written without diacritics: match against the folded text too.
    diacritic_free: bool,
}

impl Keyword {
    pub fn new(written: &str) -> Keyword {
        let diacritic_free = !has_diacritics(written);
        let tokens = Tokens::of(written);
        Keyword {
            written: written.to_string(),
            syllables: tokens.0,
            diacritic_free,
        }
    }

    fn matches(&self, text: &MatchText) -> bool {
        if self.diacritic_free {
            text.folded.contains_run(&self.syllables)
        } else {
            text.exact.contains_run(&self.syllables)
        }
    }
}

/// A topic's compiled keyword and exclude lists.
#[derive(Debug, Clone)]
pub struct Rules {
    keywords: Vec<Keyword>,
    exclude: Vec<Keyword>,
    /// The implicit `all` topic.
    everything: bool,
}

impl Rules {
    pub fn new(keywords: Vec<String>, exclude: Vec<String>) -> Rules {
        Rules {
            keywords: keywords.iter().map(|k| Keyword::new(k)).collect(),
            exclude: exclude.iter().map(|k| Keyword::new(k)).collect(),
            everything: false,
        }
    }

    pub fn everything() -> Rules {
        Rules {
            keywords: Vec::new(),
            exclude: Vec::new(),
            everything: true,
        }
    }

    /// The first keyword that matches, if any.
    fn first_keyword(&self, text: &MatchText) -> Option<&Keyword> {
        self.keywords.iter().find(|k| k.matches(text))
    }

    fn first_exclusion(&self, text: &MatchText) -> Option<&Keyword> {
        self.exclude.iter().find(|k| k.matches(text))
    }
}

/// An item's text, folded once for all topics.
pub struct MatchText {
    exact: Tokens,
    folded: Tokens,
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
        MatchText { exact, folded }
    }
}

/// The slugs of the topics an item belongs to, in config order, `all` last.
pub fn classify(item: &Item, source: &Source, topics: &[Topic]) -> Vec<String> {
    let text = MatchText::of(item);
    topics
        .iter()
        .filter(|topic| {
            let rules = &topic.rules;
            if rules.everything {
                return true;
            }
            if rules.first_exclusion(&text).is_some() {
                return false;
            }
            source.topics.contains(&topic.slug) || rules.first_keyword(&text).is_some()
        })
        .map(|topic| topic.slug.clone())
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    fn text(s: &str) -> MatchText {
        let exact = Tokens::of(s);
        let folded = exact.without_diacritics();
        MatchText { exact, folded }
    }

    fn hits(keyword: &str, s: &str) -> bool {
        Keyword::new(keyword).matches(&text(s))
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
                rules: Rules::new(vec!["covid".into(), "y tế".into()], vec![]),
            },
            Topic {
                slug: "an-ninh".into(),
                title: "An ninh".into(),
                rules: Rules::new(vec!["công an".into()], vec!["quảng cáo".into()]),
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
    fn exclude_wins_over_keywords_and_fixed_topic() {
        let item = item("Công an cảnh báo quảng cáo giả", "");
        assert_eq!(classify(&item, &source(&[]), &topics()), ["all"]);
        assert_eq!(classify(&item, &source(&["an-ninh"]), &topics()), ["all"]);
    }
}
