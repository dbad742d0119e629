//! The reading pages, for a person without a feed reader: a topic's
//! newest stories (`/topics/{slug}`) and each month of its archives
//! (`/topics/{slug}/{YYYY-MM}`), written from the same [`TopicView`] as
//! the feeds, and one story with every copy (`/stories/{id}`).
//!
//! HTML5 that reads on a phone: a viewport, a small inline stylesheet,
//! no script. Every text and attribute from a source is escaped; a
//! copy's content goes in as stored, which normalize has sanitized
//! (ammonia) already. Only `http(s)` links from sources become `href`s.
//! Dates are Vietnam time (UTC+7).

use std::fmt::Write as _;

use chrono::{DateTime, Utc};
use html_escape::{encode_double_quoted_attribute as attr, encode_text as esc};

use super::Format;
use super::view::{TopicView, shown_first, source_name};
use crate::config::{ALL_TOPIC, Config};
use crate::model::VIETNAM;
use crate::model::story::StoryId;
use crate::store::{Result, Store};

const STYLE: &str = "body{font:1.05rem/1.5 system-ui,sans-serif;margin:0 auto;max-width:42rem;\
padding:0 1rem;color:#222}a{color:#0645ad}h1{font-size:1.5rem}h2{font-size:1.15rem;margin:.2rem 0}\
article{border-bottom:1px solid #ddd;padding:.8rem 0}.meta,.via,nav{font-size:.9rem;color:#555}\
nav.pages{display:flex;justify-content:space-between;padding:1rem 0}img{max-width:100%;height:auto}";

/// The path bantin is served under, from `[server] base_url`: links
/// between pages stay on this server whatever its host is called.
fn base_path(base_url: &str) -> String {
    url::Url::parse(base_url).map_or_else(|_| "/".into(), |u| u.path().to_string())
}

fn head(out: &mut String, title: &str, alternates: &[(Format, String)]) {
    let _ = write!(
        out,
        "<!DOCTYPE html>\n<html lang=\"vi\">\n<head>\n<meta charset=\"utf-8\">\n\
         <meta name=\"viewport\" content=\"width=device-width, initial-scale=1\">\n\
         <title>{}</title>\n",
        esc(title)
    );
    for (format, href) in alternates {
        let _ = writeln!(
            out,
            "<link rel=\"alternate\" type=\"{}\" title=\"{} ({})\" href=\"{}\">",
            format.content_type().split(';').next().unwrap_or_default(),
            attr(title),
            format.name(),
            attr(href)
        );
    }
    let _ = write!(out, "<style>{STYLE}</style>\n</head>\n<body>\n");
}

/// `<time>` in Vietnam time: the machine's form in `datetime`, the
/// reader's in the text.
fn time(t: DateTime<Utc>) -> String {
    let local = t.with_timezone(&VIETNAM);
    format!(
        "<time datetime=\"{}\">{}</time>",
        local.to_rfc3339(),
        local.format("%H:%M, %d/%m/%Y")
    )
}

/// A source's link as an `href`, if it is one a browser should follow.
fn safe_href(href: &str) -> Option<String> {
    let lower = href.trim_start().to_ascii_lowercase();
    (lower.starts_with("https://") || lower.starts_with("http://")).then(|| attr(href).into_owned())
}

/// A topic's page: its feed's stories, or an archive month's.
pub fn topic_page(view: &TopicView) -> Vec<u8> {
    let base = base_path(&view.base_url);
    let slug = attr(&view.slug).into_owned();
    let mut out = String::new();
    let title = match view.history.this {
        Some(month) => format!("{} — {month}", view.title),
        None => view.title.clone(),
    };
    let alternates: Vec<(Format, String)> = Format::ALL
        .into_iter()
        .map(|f| (f, view.feed_url(f.ext())))
        .collect();
    head(&mut out, &title, &alternates);
    let _ = write!(
        out,
        "<header><nav><a href=\"{base}\">bantin</a></nav><h1>{}</h1></header>\n<main>\n",
        esc(&title)
    );
    if view.entries.is_empty() {
        out.push_str("<p>Chưa có tin.</p>\n");
    }
    for e in &view.entries {
        let id = e.id.strip_prefix("urn:uuid:").unwrap_or(&e.id);
        let _ = write!(
            out,
            "<article id=\"{id}\">\n<h2><a href=\"{base}stories/{id}\">{}</a></h2>\n<p class=\"meta\">{} · {}",
            esc(&e.title),
            time(e.published),
            esc(&e.source_name),
            id = attr(id),
        );
        if let Some(href) = e.link.as_deref().and_then(safe_href) {
            let _ = write!(out, " · <a class=\"original\" href=\"{href}\">bài gốc</a>");
        }
        out.push_str("</p>\n");
        if !e.summary.is_empty() {
            let _ = writeln!(out, "<p class=\"summary\">{}</p>", esc(&e.summary));
        }
        if !e.via.is_empty() {
            out.push_str("<p class=\"via\">Cũng đưa tin:");
            for (n, (href, name)) in e.via.iter().enumerate() {
                out.push_str(if n == 0 { " " } else { ", " });
                match safe_href(href) {
                    Some(href) => {
                        let _ = write!(out, "<a href=\"{href}\">{}</a>", esc(name));
                    }
                    None => out.push_str(&esc(name)),
                }
            }
            out.push_str("</p>\n");
        }
        out.push_str("</article>\n");
    }
    out.push_str("</main>\n<nav class=\"pages\">");
    // Newer on the left, older on the right, as a reader pages back.
    if view.history.this.is_some() {
        let newer = match view.history.next {
            Some(next) => format!("{base}topics/{slug}/{next}"),
            None => format!("{base}topics/{slug}"),
        };
        let _ = write!(out, "<a class=\"newer\" href=\"{newer}\">← Mới hơn</a>");
    } else {
        out.push_str("<span></span>");
    }
    if let Some(prev) = view.history.prev {
        let _ = write!(
            out,
            "<a class=\"older\" href=\"{base}topics/{slug}/{prev}\">Cũ hơn ({prev}) →</a>"
        );
    }
    out.push_str("</nav>\n</body>\n</html>\n");
    out.into_bytes()
}

/// The page of one stored story: its title, dates, topics, and every
/// copy with its source, link and content. `None` when there is no such
/// story.
pub fn story_page(config: &Config, store: &Store, id: StoryId) -> Result<Option<Vec<u8>>> {
    let Some(story) = store.story(id)? else {
        return Ok(None);
    };
    let copies = shown_first(config, store, &story)?;
    let base = base_path(config.server.base_url.as_str());
    let title = copies
        .first()
        .map_or_else(|| story.id.urn(), |c| c.title.clone());
    let mut out = String::new();
    head(&mut out, &title, &[]);
    let _ = write!(
        out,
        "<header><nav><a href=\"{base}\">bantin</a></nav><h1>{}</h1>\n\
         <p class=\"meta\">Đăng {} · cập nhật {}</p>\n",
        esc(&title),
        time(story.published),
        time(story.updated),
    );
    let topics: Vec<String> = story
        .topics
        .iter()
        .filter(|slug| *slug != ALL_TOPIC)
        .filter_map(|slug| config.topic(slug))
        .map(|t| {
            format!(
                "<a href=\"{base}topics/{}\">{}</a>",
                attr(&t.slug),
                esc(&t.title)
            )
        })
        .collect();
    if !topics.is_empty() {
        let _ = writeln!(out, "<p class=\"meta\">Chủ đề: {}</p>", topics.join(", "));
    }
    let _ = write!(
        out,
        "<p class=\"meta\"><a href=\"{base}stories/{}.json\">JSON</a></p>\n</header>\n<main>\n",
        story.id.0
    );
    for copy in &copies {
        let _ = write!(
            out,
            "<article>\n<h2>{}</h2>\n<p class=\"meta\">{} · {}",
            esc(&copy.title),
            esc(&source_name(config, copy)),
            time(copy.published),
        );
        if let Some(href) = copy.link.as_deref().and_then(safe_href) {
            let _ = write!(out, " · <a class=\"original\" href=\"{href}\">bài gốc</a>");
        }
        out.push_str("</p>\n");
        if copy.content.is_empty() {
            let _ = writeln!(out, "<p>{}</p>", esc(&copy.summary));
        } else {
            // Sanitized by normalize (ammonia) when it was stored.
            out.push_str("<div class=\"content\">");
            out.push_str(&copy.content);
            out.push_str("</div>\n");
        }
        out.push_str("</article>\n");
    }
    out.push_str("</main>\n</body>\n</html>\n");
    Ok(Some(out.into_bytes()))
}

/// A stored story and its copies, as JSON: `/stories/{id}.json`.
pub fn story_json(config: &Config, store: &Store, id: StoryId) -> Result<Option<Vec<u8>>> {
    let Some(story) = store.story(id)? else {
        return Ok(None);
    };
    let copies = shown_first(config, store, &story)?;
    let copies: Vec<serde_json::Value> = copies
        .iter()
        .map(|c| {
            serde_json::json!({
                "source": c.key.source,
                "source_name": source_name(config, c),
                "title": c.title,
                "link": c.link,
                "published": c.published,
                "changed": c.changed,
                "authors": c.authors,
                "summary": c.summary,
                "content_html": c.content,
            })
        })
        .collect();
    let value = serde_json::json!({
        "id": story.id.urn(),
        "published": story.published,
        "updated": story.updated,
        "topics": story.topics,
        "copies": copies,
    });
    Ok(Some(serde_json::to_vec_pretty(&value).unwrap_or_default()))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_script_link_from_a_source_is_no_href() {
        assert_eq!(safe_href("javascript:alert(1)"), None);
        assert_eq!(
            safe_href("https://a.test/?x=\"y\"").as_deref(),
            Some("https://a.test/?x=&quot;y&quot;")
        );
    }

    #[test]
    fn times_are_shown_in_vietnam() {
        let t = DateTime::parse_from_rfc3339("2026-11-30T20:00:00Z")
            .unwrap()
            .with_timezone(&Utc);
        assert_eq!(
            time(t),
            "<time datetime=\"2026-12-01T03:00:00+07:00\">03:00, 01/12/2026</time>"
        );
    }

    #[test]
    fn pages_link_under_the_base_urls_path() {
        assert_eq!(base_path("https://tin.example/bantin/"), "/bantin/");
        assert_eq!(base_path("http://bantin.test/"), "/");
    }
}
