//! OPML 2.0 subscription lists: `/feeds.opml`, every topic's feed, for a
//! reader to subscribe to all at once; and the writer that `bantin
//! sources --opml` uses for the sources.

use std::io;

use quick_xml::Writer;
use quick_xml::events::{BytesDecl, BytesText, Event};

use super::view::feed_url;
use crate::config::Config;

/// One subscription.
#[derive(Debug, Clone, PartialEq)]
pub struct Outline {
    pub text: String,
    /// `rss` for a feed (OPML's word for any feed format), `link` for a
    /// page that is not one.
    pub kind: &'static str,
    pub xml_url: String,
    pub html_url: Option<String>,
}

/// Every topic's Atom feed, `all` included. Only Atom: a reader that
/// imports the list subscribes to each outline, and three formats of one
/// topic would be three subscriptions to the same stories.
pub fn topics(config: &Config) -> Vec<u8> {
    let base = config.server.base_url.as_str();
    let outlines: Vec<Outline> = config
        .topics
        .iter()
        .map(|t| Outline {
            text: t.title.clone(),
            kind: "rss",
            xml_url: feed_url(base, &t.slug, "atom"),
            html_url: Some(base.to_string()),
        })
        .collect();
    write("bantin", &outlines)
}

/// An OPML 2.0 document of `outlines`. Without `dateModified` (it is
/// optional): an unchanged list renders the same bytes, and ETag.
pub fn write(title: &str, outlines: &[Outline]) -> Vec<u8> {
    let mut writer = Writer::new_with_indent(Vec::new(), b' ', 2);
    // Writing to a Vec cannot fail for I/O reasons.
    let _ = document(&mut writer, title, outlines);
    let mut body = writer.into_inner();
    body.push(b'\n');
    body
}

fn document(writer: &mut Writer<Vec<u8>>, title: &str, outlines: &[Outline]) -> io::Result<()> {
    writer.write_event(Event::Decl(BytesDecl::new("1.0", Some("UTF-8"), None)))?;
    writer
        .create_element("opml")
        .with_attribute(("version", "2.0"))
        .write_inner_content(|w| {
            w.create_element("head").write_inner_content(|w| {
                w.create_element("title")
                    .write_text_content(BytesText::new(title))?;
                Ok(())
            })?;
            w.create_element("body").write_inner_content(|w| {
                for o in outlines {
                    let mut element = w
                        .create_element("outline")
                        .with_attribute(("text", o.text.as_str()))
                        .with_attribute(("title", o.text.as_str()))
                        .with_attribute(("type", o.kind));
                    element = if o.kind == "rss" {
                        element.with_attribute(("xmlUrl", o.xml_url.as_str()))
                    } else {
                        element.with_attribute(("url", o.xml_url.as_str()))
                    };
                    if let Some(html) = &o.html_url {
                        element = element.with_attribute(("htmlUrl", html.as_str()));
                    }
                    element.write_empty()?;
                }
                Ok(())
            })?;
            Ok(())
        })?;
    Ok(())
}
