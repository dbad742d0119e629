//! Salvage of feed documents that feed-rs rejected as a whole.
//!
//! Owns one step: turning a feed document that feed-rs 3.0 refused (a cut
//! download, an ill-formed tail, a JSON Feed with one bad item) into the
//! largest well-formed document made of its complete items, as Python's
//! feedparser keeps what it read before a fault. It never does I/O, never
//! invents content (it adds only end tags for ancestors left open, and for a
//! cut JSON Feed the `]}` that closes it) and never guesses where an
//! unfinished item was meant to end: that item is dropped whole.
//!
//! XML faults are those at which feed-rs stops: quick-xml syntax and
//! well-formedness errors (unclosed tag, CDATA or comment; mismatched end tag;
//! dangling `&`; bad namespace binding), a bad character reference (`&#0;`),
//! the end of input inside the root, and a non-UTF-8 byte in a document that
//! declares UTF-8 or nothing. An undeclared entity (`&nbsp;`) is no fault:
//! feed-rs 3.0 keeps it as literal text. Work is on the input bytes; in a
//! document declared in another encoding non-ASCII bytes are only skipped
//! over, so any ASCII-compatible one (windows-1258, ISO-8859-x) works.
//!
//! A salvaged JSON Feed is re-serialised: compact, object keys sorted. Fields
//! of the wrong type other than `id` (a numeric `title`) are not repaired.

use std::borrow::Cow;

use quick_xml::events::Event;
use quick_xml::reader::{NsReader, Reader};
use serde_json::Value;

/// A repaired document and what was given up to get it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Salvaged {
    pub document: Vec<u8>,
    /// What was wrong, in words, for the operator: e.g. "the document ends inside item 3 (byte 5120); kept the 2 complete items before it", "item 4 is null; dropped it", "item 2 has a numeric id 1187; used it as text".
    pub note: String,
}

/// An XML feed (RSS 0.9x/1.0/2.0, Atom) that is truncated or ill-formed part-way: the document up to the end of the last complete `item` / `entry` element before the fault, with the still-open ancestors (channel, rss, rdf:RDF, feed) closed in order. None when the input is well-formed (nothing to salvage), is not XML, or has no complete item before the fault.
pub fn xml(bytes: &[u8]) -> Option<Salvaged> {
    let utf8 = utf8_declared(bytes);
    // feed-rs decodes the whole stream before parsing, so one bad UTF-8 byte
    // anywhere rejects it: reading stops there as if the document ended.
    let (limit, bad_utf8) = match utf8.then(|| std::str::from_utf8(bytes)) {
        Some(Err(e)) => (e.valid_up_to(), true),
        _ => (bytes.len(), false),
    };
    // quick-xml skips a BOM without counting it in its offsets.
    let bom = bytes.len() - bytes.strip_prefix(b"\xEF\xBB\xBF").unwrap_or(bytes).len();
    // quick-xml 0.42 reads only UTF-8, and offsets must stay those of the
    // input: in any other (ASCII-compatible) encoding every non-ASCII byte
    // becomes an `x`, which no markup delimiter is.
    let shadow: Cow<[u8]> = match utf8 {
        true => Cow::Borrowed(&bytes[bom..limit]),
        false => bytes[bom..]
            .iter()
            .map(|&b| if b < 0x80 { b } else { b'x' })
            .collect(),
    };
    // NsReader, as in feed-rs, so that a bad namespace binding is a fault too.
    let mut reader = NsReader::from_reader(shadow.as_ref());
    // The default in 0.42, but a mismatched end tag must stop the salvage.
    reader.config_mut().check_end_names = true;
    let at = |reader: &NsReader<&[u8]>| bom + reader.buffer_position() as usize;
    let (mut stack, mut open_item): (Vec<&[u8]>, Option<usize>) = (Vec::new(), None);
    let (mut started, mut complete, mut words) = (0, 0, ("item", "items"));
    // Where the last complete item ends, and its ancestors then still open.
    let mut kept: Option<(usize, Vec<&[u8]>)> = None;
    let (fault, what) = loop {
        let before = at(&reader);
        let event = match reader.read_event() {
            Ok(event) => event,
            Err(e) => {
                let fault = before.max(bom + reader.error_position() as usize);
                break (fault, format!("is broken ({e})"));
            }
        };
        let (len, empty) = match &event {
            Event::Start(e) => (e.name().as_ref().len(), false),
            Event::Empty(e) => (e.name().as_ref().len(), true),
            Event::End(_) => {
                stack.pop();
                if open_item == Some(stack.len()) {
                    (open_item, complete) = (None, complete + 1);
                    kept = Some((at(&reader), stack.clone()));
                }
                // Once the root is closed, whatever follows feed-rs ignores.
                if stack.is_empty() {
                    return None;
                }
                continue;
            }
            Event::GeneralRef(r) if r.resolve_char_ref().is_err() => {
                let what = format!("has a bad character reference `&{};`", &**r);
                break (before, what);
            }
            Event::Eof if stack.is_empty() => return None,
            Event::Eof if bad_utf8 => break (limit, "is not UTF-8".to_owned()),
            Event::Eof => break (limit, "ends".to_owned()),
            _ => continue,
        };
        // The name as written, from the input rather than its shadow.
        let name = bytes.get(before + 1..before + 1 + len)?;
        let local = name.rsplit(|&b| b == b':').next().unwrap_or(name);
        if stack.is_empty() && (empty || !matches!(local, b"rss" | b"RDF" | b"feed")) {
            return None;
        }
        if open_item.is_none() && matches!(local, b"item" | b"entry") {
            started += 1;
            if local == b"entry" {
                words = ("entry", "entries");
            }
            match empty {
                true => (complete, kept) = (complete + 1, Some((at(&reader), stack.clone()))),
                false => open_item = Some(stack.len()),
            }
        }
        if !empty {
            stack.push(name);
        }
    };
    let (end, ancestors) = kept?;
    let mut document = bytes[..end].to_vec();
    for name in ancestors.iter().rev() {
        document.extend([&b"</"[..], name, b">"].concat());
    }
    let (word, plural) = words;
    let place = match open_item {
        Some(_) => format!("inside {word} {started}"),
        None => format!("after {word} {complete}"),
    };
    let noun = if complete == 1 { word } else { plural };
    let note = format!(
        "the document {what} {place} (byte {fault}); kept the {complete} complete {noun} before it"
    );
    Some(Salvaged { document, note })
}

/// Whether feed-rs will decode the document as UTF-8: it declares UTF-8 or no
/// encoding. Other labels are taken as encodings that cannot fail to decode;
/// a label encoding_rs does not know, which feed-rs reads as UTF-8, is missed.
fn utf8_declared(bytes: &[u8]) -> bool {
    match Reader::from_reader(bytes).read_event() {
        Ok(Event::Decl(decl)) => match decl.encoding() {
            Some(Ok(label)) => matches!(&*label.to_ascii_lowercase(), "utf-8" | "utf8"),
            _ => true,
        },
        _ => true,
    }
}

/// A JSON Feed whose items do not all fit the spec: items that are not objects (null, numbers, strings) dropped; an `id` that is a number made a string; an item with no usable id nor url dropped; `items` not an array → None. None when nothing needed fixing or the body is not a JSON object with a `version` string that starts with "https://jsonfeed.org/version/".
pub fn json_feed(bytes: &[u8]) -> Option<Salvaged> {
    let mut notes = Vec::new();
    let parsed = match serde_json::from_slice::<Value>(bytes) {
        Err(e) if e.is_eof() => {
            let (cut, note) = cut_truncated(bytes)?;
            notes.push(note);
            serde_json::from_slice(&cut).ok()?
        }
        other => other.ok()?,
    };
    let Value::Object(mut feed) = parsed else {
        return None;
    };
    let version = feed.get("version").and_then(Value::as_str);
    if !version.is_some_and(|v| v.starts_with("https://jsonfeed.org/version/")) {
        return None;
    }
    let Some(Value::Array(items)) = feed.get_mut("items") else {
        return None;
    };
    let all = std::mem::take(items).into_iter().enumerate();
    *items = all
        .filter_map(|(i, item)| fix_item(item, i + 1, &mut notes))
        .collect();
    if notes.is_empty() {
        return None;
    }
    let document = serde_json::to_vec(&Value::Object(feed)).ok()?;
    let note = notes.join("; ");
    Some(Salvaged { document, note })
}

/// The item as feed-rs can read it, or None to drop it; each change is noted.
fn fix_item(item: Value, n: usize, notes: &mut Vec<String>) -> Option<Value> {
    // None, so that dropping the item is `return note(..)`.
    let mut note = |what: String| -> Option<Value> {
        notes.push(format!("item {n} {what}"));
        None
    };
    let mut item = match item {
        Value::Object(item) => item,
        Value::Array(_) => return note("is an array; dropped it".to_owned()),
        Value::String(_) => return note("is a string; dropped it".to_owned()),
        Value::Number(x) => return note(format!("is a number {x}; dropped it")),
        other => return note(format!("is {other}; dropped it")),
    };
    let url = item.get("url").and_then(Value::as_str);
    let has_url = url.is_some_and(|u| !u.trim().is_empty());
    match item.get("id").cloned().unwrap_or(Value::Null) {
        Value::String(s) if !s.trim().is_empty() => {}
        // Only whole numbers: serde_json has rounded a larger or fractional
        // one to a float, and its text would not be the source's id.
        Value::Number(x) if x.is_i64() || x.is_u64() => {
            note(format!("has a numeric id {x}; used it as text"));
            item.insert("id".to_owned(), Value::String(x.to_string()));
        }
        _ if !has_url => return note("has neither a usable id nor a url; dropped it".to_owned()),
        Value::Null | Value::String(_) => {}
        id => {
            note(format!(
                "has an id {id} that is not text; kept it without one"
            ));
            item.remove("id");
        }
    }
    Some(Value::Object(item))
}

/// A JSON document cut short, cut back to the last complete element of its
/// top-level `items` array (or to that array's end) and closed. Needs no
/// validation of its own: the caller parses the result.
fn cut_truncated(bytes: &[u8]) -> Option<(Vec<u8>, String)> {
    let mut stack = Vec::new();
    let (mut in_string, mut escaped, mut string_start) = (false, false, 0);
    let (mut last_string, mut in_items) = (&b""[..], false);
    let (mut cut, mut commas) = (None, 0usize);
    for (i, &b) in bytes.iter().enumerate() {
        if in_string {
            match (escaped, b) {
                (true, _) => escaped = false,
                (false, b'\\') => escaped = true,
                (false, b'"') => {
                    in_string = false;
                    last_string = &bytes[string_start..i];
                }
                _ => {}
            }
            continue;
        }
        match b {
            b'"' => (in_string, string_start) = (true, i + 1),
            // At depth 1 the string just before a `[` can only be its key.
            b'[' if stack.len() == 1 && last_string == b"items" => {
                in_items = true;
                stack.push(b);
            }
            b'{' | b'[' => stack.push(b),
            b'}' | b']' => {
                stack.pop();
                match stack.len() {
                    2 if in_items => cut = Some((i + 1, &b"]}"[..], commas + 1)),
                    1 if in_items => {
                        in_items = false;
                        cut = Some((i + 1, &b"}"[..], commas + 1));
                    }
                    _ => {}
                }
            }
            b',' if in_items && stack.len() == 2 => {
                commas += 1;
                cut = Some((i, &b"]}"[..], commas));
            }
            _ => {}
        }
    }
    if stack.is_empty() && !in_string {
        return None;
    }
    let (end, closers, count) = cut?;
    let mut document = bytes[..end].to_vec();
    document.extend_from_slice(closers);
    let kept = match (in_items, count) {
        (true, 1) => "the 1 complete item".to_owned(),
        (true, _) => format!("the {count} complete items"),
        (false, _) => "all the items".to_owned(),
    };
    let len = bytes.len();
    let note = format!("the document ends at byte {len}; kept {kept} before the cut");
    Some((document, note))
}

#[cfg(test)]
mod tests {
    use super::*;

    // The prolog carries a DOCTYPE, a comment and a PI: salvage must keep them.
    const HEAD: &str = r#"<?xml version="1.0" encoding="utf-8"?><!DOCTYPE rss><!-- c --><?xml-stylesheet href="s.xsl"?><rss version="2.0"><channel><title>Cổng thông tin Hậu Giang</title>"#;
    const T: [&str; 3] = ["Hội nghị tổng kết", "Lịch tiếp dân", "Mưa lớn ở Vị Thanh"];

    fn rss2() -> String {
        let item = |t| format!("<item><title>{t}</title><description>{t}.</description></item>");
        format!("{HEAD}{}</channel></rss>", T.map(item).concat())
    }

    /// The document cut just before the first occurrence of `at`.
    fn cut(doc: &str, at: &str) -> Vec<u8> {
        doc.as_bytes()[..doc.find(at).expect("marker in document")].to_vec()
    }

    fn titles(doc: &[u8]) -> Vec<String> {
        let feed = feed_rs::parser::parse(doc).expect("feed-rs parses the salvaged document");
        let titles = feed.entries.into_iter().filter_map(|e| e.title);
        titles.map(|t| t.content).collect()
    }

    /// Salvages `bytes`; feed-rs must read exactly `want` from the result.
    fn check(bytes: &[u8], want: &[&str], says: &str) -> Vec<u8> {
        assert!(feed_rs::parser::parse(bytes).is_err());
        let Salvaged { document, note } = xml(bytes).expect("salvaged");
        assert_eq!(titles(&document), want, "{note}");
        assert!(note.contains(says), "{note}");
        document
    }

    #[test]
    fn rss2_cut_inside_third_description_keeps_first_two() {
        let says = "ends inside item 3 (byte 437); kept the 2 complete items before it";
        let document = check(&cut(&rss2(), "Vị Thanh.</description>"), &T[..2], says);
        assert!(document.starts_with(HEAD.as_bytes()) && document.ends_with(b"</channel></rss>"));
    }

    #[test]
    fn cut_inside_cdata() {
        let doc = rss2().replace("<description>", "<description><![CDATA[<p>");
        let doc = doc.replace("</description>", "</p>]]></description>");
        check(&cut(&doc, "Vị Thanh.</p>"), &T[..2], "CDATA not closed");
    }

    #[test]
    fn cut_in_the_middle_of_a_tag_name() {
        check(&cut(&rss2(), "le>Mưa lớn"), &T[..2], "inside item 3");
    }

    #[test]
    fn mismatched_end_tag_in_third_item_is_the_fault() {
        let doc = rss2().replace("Vị Thanh</title>", "Vị Thanh</titel>");
        let says = "`</title>`, but `</titel>` was found) inside item 3";
        check(doc.as_bytes(), &T[..2], says);
    }

    #[test]
    fn atom_cut_inside_second_entry_keeps_first() {
        let doc = r#"<?xml version="1.0"?><feed xmlns="http://www.w3.org/2005/Atom"><title>Bộ Y tế</title><id>urn:x</id><updated>2024-05-01T00:00:00Z</updated><entry><title>Phòng chống sốt xuất huyết</title><id>urn:1</id><updated>2024-05-01T00:00:00Z</updated></entry><entry><title>Tiêm chủng mở rộng</title><id>urn:2</id>"#;
        let says = "inside entry 2 (byte 321); kept the 1 complete entry before it";
        check(doc.as_bytes(), &["Phòng chống sốt xuất huyết"], says);
    }

    #[test]
    fn rss1_items_under_rdf_root_cut_in_second_item() {
        let doc = r#"<?xml version="1.0"?><rdf:RDF xmlns:rdf="http://www.w3.org/1999/02/22-rdf-syntax-ns#" xmlns="http://purl.org/rss/1.0/"><channel rdf:about="http://x.test/"><title>Sở Tư pháp</title><link>http://x.test/</link><description>d</description><items><rdf:Seq><rdf:li resource="http://x.test/1"/></rdf:Seq></items></channel><item rdf:about="http://x.test/1"><title>Phổ biến pháp luật</title><link>http://x.test/1</link></item><item rdf:about="http://x.test/2"><title>Hòa giải"#;
        let document = check(doc.as_bytes(), &["Phổ biến pháp luật"], "inside item 2");
        assert!(document.ends_with(b"</link></item></rdf:RDF>"));
    }

    #[test]
    fn prefixed_root_is_closed_by_its_qualified_name() {
        let doc = r#"<atom:feed xmlns:atom="http://www.w3.org/2005/Atom"><atom:title>Tin</atom:title><atom:entry><atom:title>Một</atom:title><atom:id>urn:1</atom:id></atom:entry><atom:entry><atom:ti"#;
        let document = check(doc.as_bytes(), &["Một"], "inside entry 2");
        assert!(document.ends_with(b"</atom:entry></atom:feed>"));
    }

    #[test]
    fn well_formed_document_is_none() {
        assert_eq!(xml(rss2().as_bytes()), None);
    }

    #[test]
    fn truncated_before_any_complete_item_is_none() {
        assert_eq!(xml(&cut(&rss2(), "</item>")), None);
    }

    #[test]
    fn html_maintenance_page_is_none() {
        let page = "<!DOCTYPE html><html><head><title>Bảo trì</title></head><body><p>Bảo trì<br>";
        assert_eq!(xml(page.as_bytes()), None);
    }

    #[test]
    fn garbage_bytes_are_none() {
        assert_eq!(xml(&[0x1f, 0x8b, 0x08, 0xff, 0xfe, b'<', 0x00, 0x91]), None);
    }

    #[test]
    fn windows_1258_document_is_cut_on_bytes() {
        // In windows-1258 0xE0 is "à" and 0xEC a combining acute; neither is UTF-8.
        let doc = b"<?xml version=\"1.0\" encoding=\"windows-1258\"?><rss version=\"2.0\"><channel><title>S\xe0n</title><item><title>B\xe0i m\xf4\xect</title></item><item><title>B\xe0i hai";
        check(doc, &["Bài mô\u{301}t"], "ends inside item 2");
    }

    #[test]
    fn invalid_utf8_in_third_item_is_the_fault() {
        let mut doc = rss2().into_bytes();
        doc[rss2().find("Mưa").expect("third title") + 1] = 0xff;
        check(&doc, &T[..2], "is not UTF-8 inside item 3");
    }

    #[test]
    fn invalid_character_reference_is_the_fault() {
        let doc = rss2().replace("Mưa lớn ở", "Mưa&#0;");
        let says = "bad character reference `&#0;` inside item 3";
        check(doc.as_bytes(), &T[..2], says);
    }

    #[test]
    fn undeclared_entity_is_left_to_feed_rs() {
        // feed-rs 3.0 keeps `&nbsp;` as text, so such a document never needs salvage.
        let doc = rss2().replace("Mưa lớn ở", "Mưa&nbsp;lớn ở");
        assert_eq!(titles(doc.as_bytes())[2], "Mưa&nbsp;lớn ở Vị Thanh");
        assert_eq!(xml(doc.as_bytes()), None);
    }

    const JSON_HEAD: &str =
        r#"{"version":"https://jsonfeed.org/version/1.1","title":"Báo Chính phủ","items":["#;

    fn json(items: &str) -> Vec<u8> {
        format!("{JSON_HEAD}{items}]}}").into_bytes()
    }

    /// As [`check`], for a JSON Feed, whose note must be `note` exactly.
    fn check_json(bytes: &[u8], want: &[&str], note: &str) -> Vec<u8> {
        assert!(feed_rs::parser::parse(bytes).is_err());
        let salvaged = json_feed(bytes).expect("salvaged");
        assert_eq!(titles(&salvaged.document), want, "{}", salvaged.note);
        assert_eq!(salvaged.note, note);
        salvaged.document
    }

    #[test]
    fn json_null_item_is_dropped() {
        let doc = json(r#"{"id":"1","title":"Một"},null,{"id":"3","title":"Ba"}"#);
        check_json(&doc, &["Một", "Ba"], "item 2 is null; dropped it");
    }

    #[test]
    fn json_numeric_id_is_made_text() {
        let doc = json(r#"{"id":"1","title":"Một"},{"id":1187,"title":"Hai"}"#);
        let note = "item 2 has a numeric id 1187; used it as text";
        let document = check_json(&doc, &["Một", "Hai"], note);
        let feed = feed_rs::parser::parse(document.as_slice()).expect("parses");
        assert_eq!(feed.entries[1].id, "1187");
    }

    #[test]
    fn json_number_item_is_dropped() {
        let doc = json(r#"42,{"id":"2","title":"Hai"}"#);
        check_json(&doc, &["Hai"], "item 1 is a number 42; dropped it");
    }

    #[test]
    fn json_item_without_id_or_url_is_dropped_and_a_bad_id_removed() {
        let doc = json(r#"{"title":"Một"},{"id":true,"url":"http://x.test/2","title":"Hai"}"#);
        let note = "item 1 has neither a usable id nor a url; dropped it; \
            item 2 has an id true that is not text; kept it without one";
        check_json(&doc, &["Hai"], note);
    }

    #[test]
    fn valid_json_feed_is_none() {
        assert_eq!(json_feed(&json(r#"{"id":"1","title":"Một"}"#)), None);
    }

    #[test]
    fn json_without_version_is_none() {
        assert_eq!(json_feed(br#"{"title":"x","items":[null]}"#), None);
    }

    #[test]
    fn json_items_not_an_array_is_none() {
        assert_eq!(json_feed(JSON_HEAD.replace('[', "{}}").as_bytes()), None);
    }

    #[test]
    fn truncated_json_keeps_the_complete_items() {
        let doc = json(r#"{"id":"1","title":"Một"},{"id":"2","title":"Hai \"b\" [x]"},{"id":"3""#);
        let note = "the document ends at byte 154; kept the 2 complete items before the cut";
        check_json(&doc[..154], &["Một", "Hai \"b\" [x]"], note);
    }
}
