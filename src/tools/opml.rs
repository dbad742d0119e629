//! OPML for the sources: `bantin sources --opml` writes them out for a
//! feed reader; `bantin import-opml` turns a reader's export into
//! `[[source]]` blocks for feeds.toml.
//!
//! Reading never writes feeds.toml: it only proposes blocks, each with an
//! id made from its title (ASCII, the Vietnamese diacritics folded), and
//! leaves every source already configured alone. Whether the blocks may
//! be appended is for `bantin check`'s validation to say.

use std::collections::HashSet;

use quick_xml::events::Event;

use crate::config::Config;
use crate::pipeline::parse::charset;
use crate::pipeline::publish::opml::{Outline, write};
use crate::text::fold_diacritics;

/// Longest id made from a title: enough for "so-y-te-thanh-pho-ho-chi-minh".
const MAX_ID: usize = 40;

#[derive(Debug, thiserror::Error)]
pub enum OpmlError {
    #[error("opml: not well-formed XML at byte {at}: {source}")]
    Xml {
        at: u64,
        #[source]
        source: quick_xml::Error,
    },
    #[error("opml: no <opml> root element: not an OPML file")]
    NotOpml,
}

/// One subscription in an OPML file.
#[derive(Debug, Clone, PartialEq)]
pub struct Feed {
    /// `title`, else `text`; may be empty.
    pub title: String,
    pub xml_url: String,
}

/// Every `outline` with an `xmlUrl`, at any depth (readers nest them in
/// folders), in file order. The bytes are decoded as a feed is: a BOM, the
/// XML declaration, else UTF-8.
pub fn read(bytes: &[u8]) -> Result<Vec<Feed>, OpmlError> {
    let text = charset::decode(bytes, None).text;
    let mut reader = quick_xml::Reader::from_str(&text);
    reader.config_mut().check_end_names = true;
    let mut feeds = Vec::new();
    let mut root = None;
    loop {
        let event = reader.read_event().map_err(|source| OpmlError::Xml {
            at: reader.error_position(),
            source,
        })?;
        match event {
            Event::Start(e) | Event::Empty(e) => {
                let name = e.name();
                let name = name.as_ref();
                if root.is_none() {
                    root = Some(name.eq_ignore_ascii_case("opml"));
                }
                if !name.eq_ignore_ascii_case("outline") {
                    continue;
                }
                let mut title = None;
                let mut text = None;
                let mut xml_url = None;
                // Attribute names are matched without case: some readers
                // write `xmlurl`.
                for attribute in e.attributes().flatten() {
                    let value = attribute
                        .normalized_value(quick_xml::XmlVersion::Implicit1_0)
                        .map(|v| v.trim().to_string())
                        .unwrap_or_default();
                    let key = attribute.key;
                    let key = key.as_ref();
                    if key.eq_ignore_ascii_case("title") {
                        title = Some(value);
                    } else if key.eq_ignore_ascii_case("text") {
                        text = Some(value);
                    } else if key.eq_ignore_ascii_case("xmlurl") {
                        xml_url = Some(value);
                    }
                }
                if let Some(xml_url) = xml_url.filter(|u| !u.is_empty()) {
                    let title = title.filter(|t| !t.is_empty()).or(text).unwrap_or_default();
                    feeds.push(Feed { title, xml_url });
                }
            }
            Event::Eof => break,
            _ => {}
        }
    }
    match root {
        Some(true) => Ok(feeds),
        _ => Err(OpmlError::NotOpml),
    }
}

/// An id for a source titled `title`: lowercase ASCII letters, digits and
/// dashes, the diacritics folded ("Bộ Y tế" is `bo-y-te`); from the URL's
/// host when the title has no letter or digit.
pub fn source_id(title: &str, url: &str) -> String {
    let from_title = slug(title);
    if !from_title.is_empty() {
        return from_title;
    }
    let host = url::Url::parse(url)
        .ok()
        .and_then(|u| u.host_str().map(str::to_string))
        .unwrap_or_default();
    let from_host = slug(host.trim_start_matches("www."));
    if from_host.is_empty() {
        "source".into()
    } else {
        from_host
    }
}

fn slug(text: &str) -> String {
    let mut out = String::new();
    for c in fold_diacritics(text).chars() {
        if c.is_ascii_alphanumeric() {
            out.push(c.to_ascii_lowercase());
        } else if !out.is_empty() && !out.ends_with('-') {
            out.push('-');
        }
    }
    let mut out = out.trim_end_matches('-').to_string();
    if out.len() > MAX_ID {
        out.truncate(MAX_ID);
        out = out.trim_end_matches('-').to_string();
    }
    out
}

/// What an import proposes.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct Imported {
    /// `[[source]]` blocks, ready to append to feeds.toml.
    pub blocks: String,
    pub added: usize,
    /// Feeds left out or renamed, and why: one line each.
    pub notes: Vec<String>,
}

/// `[[source]]` blocks for the `feeds` that `config` does not have yet.
/// A feed whose URL is configured already is skipped; an id taken by a
/// configured source (or an earlier feed of the file) gets `-2`, `-3`…:
/// existing ids are never changed or reused.
pub fn import(feeds: &[Feed], config: &Config) -> Imported {
    let mut taken: HashSet<String> = config.sources.iter().map(|s| s.id.clone()).collect();
    let mut urls: HashSet<String> = config.sources.iter().map(|s| s.url.to_string()).collect();
    let mut done = Imported::default();
    for feed in feeds {
        let Ok(url) = url::Url::parse(&feed.xml_url) else {
            done.notes
                .push(format!("skipped `{}`: not a URL", feed.xml_url));
            continue;
        };
        if !matches!(url.scheme(), "http" | "https") {
            done.notes.push(format!("skipped {url}: not http or https"));
            continue;
        }
        if let Some(same) = config.sources.iter().find(|s| s.url == url) {
            done.notes.push(format!(
                "skipped {url}: configured already as `{}`, left as it is",
                same.id
            ));
            continue;
        }
        if !urls.insert(url.to_string()) {
            done.notes
                .push(format!("skipped {url}: listed twice in the file"));
            continue;
        }
        let base = source_id(&feed.title, url.as_str());
        let mut id = base.clone();
        let mut n = 2;
        while taken.contains(&id) {
            id = format!("{base}-{n}");
            n += 1;
        }
        if id != base {
            done.notes
                .push(format!("{url}: id `{base}` is taken, proposed as `{id}`"));
        }
        taken.insert(id.clone());
        let name = if feed.title.is_empty() {
            id.clone()
        } else {
            feed.title.clone()
        };
        done.blocks.push_str(&format!(
            "\n[[source]]\nid   = {}\nname = {}\nurl  = {}\n",
            toml_string(&id),
            toml_string(&name),
            toml_string(url.as_str())
        ));
        done.added += 1;
    }
    done
}

/// A TOML basic string, quoted and escaped by the toml crate.
fn toml_string(text: &str) -> String {
    toml::Value::String(text.to_string()).to_string()
}

/// The sources as OPML, for a feed reader. A source read from an HTML
/// page (`[source.scrape]`) is listed as a link, not a feed: a reader
/// could not read it.
pub fn sources(config: &Config) -> Vec<u8> {
    let outlines: Vec<Outline> = config
        .sources
        .iter()
        .map(|s| Outline {
            text: s.name.clone(),
            kind: if s.scrape.is_some() { "link" } else { "rss" },
            xml_url: s.url.to_string(),
            html_url: None,
        })
        .collect();
    write("bantin: sources", &outlines)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn id_folds_vietnamese_diacritics_to_ascii() {
        assert_eq!(source_id("Bộ Y tế", "https://moh.gov.vn/rss"), "bo-y-te");
        assert_eq!(
            source_id("Công an tỉnh Đắk Lắk – Tin tức", "https://x.test/"),
            "cong-an-tinh-dak-lak-tin-tuc"
        );
    }

    #[test]
    fn id_without_letters_comes_from_the_host() {
        assert_eq!(
            source_id("★ ★", "https://www.baochinhphu.vn/rss/home.rss"),
            "baochinhphu-vn"
        );
    }

    #[test]
    fn long_title_is_cut_at_a_dash() {
        let id = source_id(
            &"Sở Y tế thành phố Hồ Chí Minh ".repeat(4),
            "https://x.test/",
        );
        assert!(id.len() <= MAX_ID && !id.ends_with('-'), "{id}");
    }

    #[test]
    fn nested_outlines_are_read_and_folders_skipped() {
        let opml = r#"<?xml version="1.0"?><opml version="2.0"><head/><body>
            <outline text="Tin tỉnh"><outline text="Bộ Y tế" xmlUrl="https://moh.gov.vn.test/rss"/></outline>
            <outline title="A &amp; B" text="ignored" xmlurl="https://ab.test/feed"/></body></opml>"#;
        let feeds = read(opml.as_bytes()).unwrap();
        assert_eq!(
            feeds,
            [
                Feed {
                    title: "Bộ Y tế".into(),
                    xml_url: "https://moh.gov.vn.test/rss".into()
                },
                Feed {
                    title: "A & B".into(),
                    xml_url: "https://ab.test/feed".into()
                }
            ]
        );
    }

    #[test]
    fn a_feed_is_not_opml() {
        assert!(matches!(
            read(b"<rss version=\"2.0\"><channel/></rss>"),
            Err(OpmlError::NotOpml)
        ));
        assert!(matches!(
            read(b"<opml><body></opml>"),
            Err(OpmlError::Xml { .. })
        ));
    }
}
