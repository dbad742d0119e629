//! The recovering reader: every `item` and `entry` element of an XML feed,
//! read with quick-xml whatever the root, version or namespace.
//!
//! feed-rs picks a parser from the root element and its `version`, and one
//! construct it does not know costs the whole document: `<rss>` with no
//! version or version 0.93, RSS in the Userland namespace, `<item>` directly
//! under `<rss>`, Atom 0.3's `type="text/plain"` or inline XML content, an
//! unknown `type` on one title. It also drops fields feedparser reads: a
//! permalink `<guid>`, a link written as element text, base64 text,
//! `xhtml:body`, `fullitem`, `media:description`, `dc:title`. No maintained
//! crate reads feeds the way feedparser does, so this one is hand-written,
//! and kept small by reading only what [`RawItem`] holds.
//!
//! It owns the field rules of the parse stage: which element is an item's
//! link (`<link>`, then a permalink `<guid>`; never `<comments>`,
//! `wfw:commentRss` or an enclosure), what a relative link resolves against
//! (`xml:base`, then the channel's absolute `<link>`, then the fetch URL),
//! which text is base64 and which body is the richest. It never repairs
//! ill-formed XML, which is [`super::salvage`]'s job: at the first syntax
//! fault it stops, and an item left unfinished there is dropped whole.

mod links;
mod names;
mod values;

use std::borrow::Cow;
use std::rc::Rc;

use quick_xml::XmlVersion;
use quick_xml::events::{BytesStart, Event};

use quick_xml::reader::NsReader;
use url::Url;

use chrono::{DateTime, Utc};

use crate::model::RawItem;
use links::{is_absolute_http, link_of, resolve};
use names::{Ns, classify};
use values::value;

/// What the recovering reader found in a document.
#[derive(Debug, Default)]
pub struct Lenient {
    pub title: Option<String>,
    pub items: Vec<LenientItem>,
    /// The root element as written, e.g. `<rss version="0.93">`.
    pub root: Option<String>,
    /// Whether some item sits directly under an `<rss>` root, outside its
    /// channel.
    pub item_outside_channel: bool,
}

#[derive(Debug)]
pub struct LenientItem {
    /// The item, its dates not yet read: see [`LenientItem::into_raw`].
    pub raw: RawItem,
    /// Some text of the item was base64, which feed-rs leaves encoded.
    pub decoded: bool,
    /// The dates as written. Reading a date costs more than the rest of
    /// the item, and feed-rs has read them already when it read the item.
    pub published: Option<String>,
    pub updated: Option<String>,
}

impl LenientItem {
    /// The item with its dates read by `dates`, in the document's order.
    pub fn into_raw(self, dates: &dyn Fn(&str) -> Option<DateTime<Utc>>) -> RawItem {
        RawItem {
            published: self.published.as_deref().and_then(dates),
            updated: self.updated.as_deref().and_then(dates),
            ..self.raw
        }
    }
}

/// Reads the items of an XML document. `base` is the URL it was fetched
/// from. A document that is not XML has no items.
pub fn read(document: &[u8], base: &str) -> Lenient {
    let mut reader = Reader::new(document, Url::parse(base).ok());
    reader.run();
    reader.finish()
}

struct Frame {
    /// A `channel` or `feed`, whose title and link are the channel's.
    channel: bool,
    /// The `xml:base` in effect, resolved; shared, since every element
    /// under it carries it.
    base: Option<Rc<Url>>,
}

/// A field element being read.
struct Capture {
    ns: Ns,
    local: String,
    /// Its index in the element stack.
    depth: usize,
    attrs: Vec<(String, String)>,
    text: String,
    /// Where its content starts in the document, for markup kept as is.
    inner: usize,
    has_children: bool,
    /// Text of an Atom person's `<name>`.
    name: Option<String>,
    in_name: bool,
    base: Option<Rc<Url>>,
}

/// A link as written, with the `xml:base` in effect where it was.
struct Href {
    href: String,
    base: Option<Rc<Url>>,
}

#[derive(Default)]
struct ItemFields {
    depth: usize,
    guid: Option<String>,
    /// RSS 1.0's `rdf:about`, the id when there is no other.
    about: Option<String>,
    permalink: Option<Href>,
    link: Option<Href>,
    own_href: Option<Href>,
    title: Option<String>,
    dc_title: Option<String>,
    media_title: Option<String>,
    summary: Option<String>,
    bodies: Vec<String>,
    published: Option<String>,
    updated: Option<String>,
    authors: Vec<String>,
    categories: Vec<String>,
    decoded: bool,
}

struct Reader<'a> {
    doc: &'a [u8],
    fetched: Option<Url>,
    stack: Vec<Frame>,
    capture: Option<Capture>,
    item: Option<ItemFields>,
    done: Vec<ItemFields>,
    channel_title: Option<String>,
    channel_link: Option<Href>,
    root: Option<String>,
    root_is_rss: bool,
    outside_channel: bool,
}

impl<'a> Reader<'a> {
    fn new(doc: &'a [u8], fetched: Option<Url>) -> Self {
        Reader {
            doc,
            fetched,
            stack: Vec::new(),
            capture: None,
            item: None,
            done: Vec::new(),
            channel_title: None,
            channel_link: None,
            root: None,
            root_is_rss: false,
            outside_channel: false,
        }
    }

    fn run(&mut self) {
        if !self.doc.trim_ascii_start().starts_with(b"<") {
            return;
        }
        let mut xml = NsReader::from_reader(self.doc);
        // A stray end tag is a fault; its item is dropped, as in salvage.
        xml.config_mut().check_end_names = true;
        loop {
            let before = xml.buffer_position() as usize;
            let (ns, event) = match xml.read_resolved_event() {
                Ok((resolved, event)) => {
                    let prefixed = match &event {
                        Event::Start(e) | Event::Empty(e) => e.name().prefix().is_some(),
                        _ => false,
                    };
                    (classify(&resolved, prefixed), event)
                }
                Err(_) => return,
            };
            let after = xml.buffer_position() as usize;
            match event {
                Event::Start(e) => self.start(&e, ns, after, false),
                Event::Empty(e) => self.start(&e, ns, after, true),
                Event::End(_) => self.end(before),
                // Outside a field, text is nothing to keep.
                Event::Text(_) | Event::CData(_) | Event::GeneralRef(_)
                    if self.capture.is_none() => {}
                Event::Text(t) => self.text(&t.xml10_content()),
                Event::CData(t) => self.text(&t.xml10_content()),
                Event::GeneralRef(r) => {
                    let text = match r.resolve_char_ref() {
                        Ok(Some(c)) => c.to_string(),
                        // `&#X41;` is not XML but is written; any other bad
                        // reference is dropped, not a fault.
                        Err(_) => upper_hex_ref(&r).map(String::from).unwrap_or_default(),
                        Ok(None) => match &*r {
                            "amp" => "&".to_owned(),
                            "lt" => "<".to_owned(),
                            "gt" => ">".to_owned(),
                            "quot" => "\"".to_owned(),
                            "apos" => "'".to_owned(),
                            // Undeclared HTML entities stay as written, as
                            // feed-rs keeps them; normalize decodes them.
                            name => format!("&{name};"),
                        },
                    };
                    self.text(&text);
                }
                Event::Eof => return,
                _ => {}
            }
        }
    }

    fn start(&mut self, e: &BytesStart, ns: Ns, after: usize, empty: bool) {
        let name = e.local_name();
        let local: Cow<str> = match name.as_ref().bytes().any(|b| b.is_ascii_uppercase()) {
            true => Cow::Owned(name.as_ref().to_ascii_lowercase()),
            false => Cow::Borrowed(name.as_ref()),
        };
        let local = local.as_ref();
        let parent_base = self.stack.last().and_then(|f| f.base.clone());
        // Most elements have no attribute this reader needs: they are read
        // only for the elements it keeps.
        let base = match e.attributes_raw().contains("xml:base") {
            true => {
                let attrs = attributes(e);
                let outer = parent_base.as_deref().or(self.fetched.as_ref());
                let own = attr(&attrs, "xml:base").and_then(|b| resolve(b, outer));
                own.map(Rc::new).or(parent_base)
            }
            false => parent_base,
        };
        let depth = self.stack.len();
        if let Some(cap) = &mut self.capture {
            cap.has_children = true;
            if local == "name" && depth == cap.depth + 1 {
                cap.in_name = !empty;
                cap.name.get_or_insert_default();
            }
        } else if depth == 0 && !matches!(local, "item" | "entry") {
            self.root = Some(describe_root(e, &attributes(e)));
            self.root_is_rss = local == "rss";
        } else if self.item.is_none() && ns == Ns::Core && (local == "item" || local == "entry") {
            // An Atom entry document is its own root.
            if depth == 0 {
                self.root = Some(describe_root(e, &attributes(e)));
            }
            if depth == 1 && self.root_is_rss {
                self.outside_channel = true;
            }
            let attrs = attributes(e);
            let own_href = attr(&attrs, "href").map(|h| Href {
                href: h.to_owned(),
                base: base.clone(),
            });
            let about = attrs
                .iter()
                .find(|(k, _)| k.ends_with(":about"))
                .map(|(_, v)| v.clone());
            self.item = Some(ItemFields {
                depth,
                about,
                own_href,
                ..ItemFields::default()
            });
        } else if self.wants(ns, local, depth) {
            self.capture = Some(Capture {
                ns,
                local: local.to_owned(),
                depth,
                attrs: attributes(e),
                text: String::new(),
                inner: after,
                has_children: false,
                name: None,
                in_name: false,
                base: base.clone(),
            });
        }
        let channel = matches!(local, "channel" | "feed");
        self.stack.push(Frame { channel, base });
        if empty {
            self.end(after);
        }
    }

    /// Whether the element at `depth` is a field this reader keeps.
    fn wants(&self, ns: Ns, local: &str, depth: usize) -> bool {
        let Some(item) = &self.item else {
            // The channel's own title and link, not those of its image.
            let channel = depth == 1 || self.stack.last().is_some_and(|f| f.channel);
            return ns == Ns::Core && channel && matches!(local, "title" | "link");
        };
        if ns == Ns::Media {
            // media:group and media:content nest them.
            return matches!(local, "title" | "description");
        }
        depth == item.depth + 1
            && matches!(
                (ns, local),
                (
                    Ns::Core,
                    "title"
                        | "link"
                        | "guid"
                        | "id"
                        | "description"
                        | "summary"
                        | "content"
                        | "fullitem"
                        | "pubdate"
                        | "published"
                        | "issued"
                        | "created"
                        | "updated"
                        | "modified"
                        | "author"
                        | "category"
                ) | (
                    Ns::Dc,
                    "title" | "date" | "issued" | "created" | "modified" | "creator" | "subject"
                ) | (Ns::Content, "encoded")
                    | (Ns::Xhtml, "body")
            )
    }

    fn text(&mut self, text: &str) {
        if let Some(cap) = &mut self.capture {
            cap.text.push_str(text);
            if cap.in_name {
                cap.name.get_or_insert_default().push_str(text);
            }
        }
    }

    fn end(&mut self, before: usize) {
        if self.stack.pop().is_none() {
            return;
        }
        let depth = self.stack.len();
        if let Some(cap) = &mut self.capture {
            if depth == cap.depth + 1 {
                cap.in_name = false;
            }
        }
        if self.capture.as_ref().is_some_and(|c| c.depth == depth) {
            if let Some(cap) = self.capture.take() {
                let inner = self.doc.get(cap.inner..before).unwrap_or_default();
                self.field(cap, inner);
            }
        }
        if self.item.as_ref().is_some_and(|i| i.depth == depth) {
            self.done.extend(self.item.take());
        }
    }

    fn field(&mut self, cap: Capture, inner: &[u8]) {
        let Some(item) = &mut self.item else {
            match cap.local.as_str() {
                "title" if self.channel_title.is_none() => {
                    self.channel_title = Some(value(&cap, inner).0);
                }
                "link" if self.channel_link.is_none() => self.channel_link = link_of(&cap),
                _ => {}
            }
            return;
        };
        let first = |slot: &mut Option<String>, text: String| {
            if slot.is_none() && !text.trim().is_empty() {
                *slot = Some(text);
            }
        };
        let (text, decoded) = value(&cap, inner);
        item.decoded |= decoded;
        let plain = || cap.text.trim().to_owned();
        match (cap.ns, cap.local.as_str()) {
            (Ns::Core, "title") => first(&mut item.title, text),
            (Ns::Dc, "title") => first(&mut item.dc_title, text),
            (Ns::Media, "title") => first(&mut item.media_title, text),
            (Ns::Media, "description") => item.bodies.push(text),
            (Ns::Core, "link") if item.link.is_none() => item.link = link_of(&cap),
            (Ns::Core, "guid" | "id") => {
                let guid = plain();
                let flag = attr(&cap.attrs, "ispermalink").map(str::to_ascii_lowercase);
                let url_like = is_absolute_http(&guid);
                // feedparser's rule: a guid (or an Atom id) without the flag
                // that is an http URL is the item's page.
                let permalink = match flag.as_deref() {
                    Some(f) => f == "true",
                    None => url_like,
                };
                if permalink && item.permalink.is_none() {
                    item.permalink = Some(Href {
                        href: guid.clone(),
                        base: cap.base.clone(),
                    });
                }
                first(&mut item.guid, guid);
            }
            (Ns::Core, "description" | "summary") => first(&mut item.summary, text),
            (Ns::Core, "content" | "fullitem") | (Ns::Content, "encoded") | (Ns::Xhtml, "body") => {
                item.bodies.push(text)
            }
            (Ns::Core, "pubdate" | "published" | "issued" | "created")
            | (Ns::Dc, "date" | "issued" | "created") => first(&mut item.published, plain()),
            (Ns::Core, "updated" | "modified") | (Ns::Dc, "modified") => {
                first(&mut item.updated, plain())
            }
            (Ns::Core, "author") | (Ns::Dc, "creator") => {
                let name = cap.name.clone().unwrap_or_else(plain);
                let name = name.trim();
                if !name.is_empty() {
                    item.authors.push(name.to_owned());
                }
            }
            (Ns::Core, "category") | (Ns::Dc, "subject") => {
                let label = attr(&cap.attrs, "label").or_else(|| attr(&cap.attrs, "term"));
                let label = label.map(str::to_owned).unwrap_or_else(plain);
                if !label.trim().is_empty() {
                    item.categories.push(label);
                }
            }
            _ => {}
        }
    }

    fn finish(self) -> Lenient {
        // Only an absolute channel link (as written, or under xml:base) says
        // where the site is; a relative one says nothing the fetch URL does not.
        let channel = self
            .channel_link
            .as_ref()
            .filter(|l| l.base.is_some() || is_absolute_http(&l.href))
            .and_then(|l| resolve(&l.href, l.base.as_deref()))
            .filter(|u| matches!(u.scheme(), "http" | "https"));
        let link_of = |h: Href| -> String {
            // An absolute link needs no base; normalize makes it canonical.
            if is_absolute_http(&h.href) {
                return h.href;
            }
            let base = h.base.as_deref().or(channel.as_ref());
            let base = base.or(self.fetched.as_ref());
            resolve(&h.href, base).map_or(h.href, String::from)
        };
        let items = self
            .done
            .into_iter()
            .map(|f| {
                let link = f.link.or(f.permalink).or(f.own_href).map(link_of);
                // The richest body: the longest of those the item gives, and
                // only if it says more than the summary, which normalize
                // makes the content otherwise (a one-line media:description
                // under a full description is no body).
                let length = |b: &String| b.trim().chars().count();
                let summary = f.summary.as_ref().map_or(0, length);
                let content = f
                    .bodies
                    .into_iter()
                    .max_by_key(length)
                    .filter(|b| length(b) > summary);
                LenientItem {
                    raw: RawItem {
                        guid: f.guid.or(f.about),
                        title: f.title.or(f.dc_title).or(f.media_title),
                        link,
                        summary: f.summary,
                        content,
                        published: None,
                        updated: None,
                        authors: f.authors,
                        categories: f.categories,
                    },
                    decoded: f.decoded,
                    published: f.published,
                    updated: f.updated,
                }
            })
            .collect();
        Lenient {
            title: self.channel_title,
            items,
            root: self.root,
            item_outside_channel: self.outside_channel,
        }
    }
}

fn upper_hex_ref(name: &str) -> Option<char> {
    let hex = name.strip_prefix("#X")?;
    char::from_u32(u32::from_str_radix(hex, 16).ok()?).filter(|c| *c != '\0')
}

fn attributes(e: &BytesStart) -> Vec<(String, String)> {
    // Most elements have none; this spares them an iterator.
    if e.attributes_raw().trim().is_empty() {
        return Vec::new();
    }
    e.attributes()
        .with_checks(false)
        .flatten()
        .map(|a| {
            let key = a.key.as_ref().to_ascii_lowercase();
            let value = match a.normalized_value(XmlVersion::Implicit1_0) {
                Ok(v) => v.into_owned(),
                Err(_) => a.value.clone().into_owned(),
            };
            (key, value)
        })
        .collect()
}

fn attr<'v>(attrs: &'v [(String, String)], key: &str) -> Option<&'v str> {
    attrs
        .iter()
        .find(|(k, _)| k == key)
        .map(|(_, v)| v.as_str())
}

/// `<rss version="0.93">`, `<rss>`, `<feed xmlns="...">`: what the operator
/// is told feed-rs did not know.
fn describe_root(e: &BytesStart, attrs: &[(String, String)]) -> String {
    let name = e.name().as_ref().to_owned();
    let shown: String = attrs
        .iter()
        .filter(|(k, _)| k == "version" || k == "xmlns")
        .map(|(k, v)| format!(" {k}=\"{v}\""))
        .collect();
    let unversioned =
        e.local_name().as_ref().eq_ignore_ascii_case("rss") && attr(attrs, "version").is_none();
    let note = if unversioned { " with no version" } else { "" };
    format!("<{name}{shown}>{note}")
}

#[cfg(test)]
mod tests;
