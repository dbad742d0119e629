//! The recovering reader's own pieces, one case per test.

use super::values::{is_binary_type, unprefixed};
use super::*;

#[test]
fn undeclared_module_prefix_is_taken_at_its_word() {
    let doc = br#"<rss><channel><item><dc:title>Tin</dc:title><link>https://x.test/1</link></item></channel></rss>"#;
    let item = &read(doc, "https://x.test/").items[0].raw;
    assert_eq!(item.title.as_deref(), Some("Tin"));
}

#[test]
fn unknown_prefixed_title_is_not_the_title() {
    let doc =
        br#"<rss xmlns:x="urn:x"><channel><item><x:title>Khac</x:title></item></channel></rss>"#;
    assert_eq!(read(doc, "https://x.test/").items[0].raw.title, None);
}

#[test]
fn atom_source_title_is_not_the_entry_title() {
    let doc = br#"<feed xmlns="http://www.w3.org/2005/Atom"><entry><source><title>Nguon</title></source><title>Tin</title></entry></feed>"#;
    let item = &read(doc, "https://x.test/").items[0].raw;
    assert_eq!(item.title.as_deref(), Some("Tin"));
}

#[test]
fn image_link_is_not_the_channel_link() {
    let doc = br#"<rss><channel><image><link>https://cdn.test/</link></image><item><link>tin/1</link></item></channel></rss>"#;
    let item = &read(doc, "https://x.test/rss/").items[0].raw;
    assert_eq!(item.link.as_deref(), Some("https://x.test/rss/tin/1"));
}

#[test]
fn atom_self_and_replies_links_are_not_the_link() {
    let doc = br#"<feed xmlns="http://www.w3.org/2005/Atom"><entry><link rel="replies" href="/c"/><link rel="self" href="/s"/><link rel="enclosure" href="/a.mp3"/><link href="/tin"/></entry></feed>"#;
    let item = &read(doc, "https://x.test/").items[0].raw;
    assert_eq!(item.link.as_deref(), Some("https://x.test/tin"));
}

#[test]
fn link_broken_over_lines_is_one_url() {
    let doc = b"<rss><channel><item><link>\n  https://x.test/tin-\n  tuc/1.html\n</link></item></channel></rss>";
    let item = &read(doc, "https://x.test/").items[0].raw;
    assert_eq!(item.link.as_deref(), Some("https://x.test/tin-tuc/1.html"));
}

#[test]
fn item_cut_off_by_a_fault_is_dropped() {
    let doc = b"<rss><channel><item><title>Mot</title></item><item><title>Hai</titel></item></channel></rss>";
    let lenient = read(doc, "https://x.test/");
    let titles: Vec<_> = lenient
        .items
        .iter()
        .map(|i| i.raw.title.as_deref())
        .collect();
    assert_eq!(titles, [Some("Mot")]);
}

#[test]
fn atom_entry_document_is_one_item() {
    let doc = br#"<entry xmlns="http://www.w3.org/2005/Atom"><title>Tin</title><link href="https://x.test/1"/></entry>"#;
    let lenient = read(doc, "https://x.test/");
    assert_eq!(lenient.items.len(), 1);
    assert_eq!(
        lenient.items[0].raw.link.as_deref(),
        Some("https://x.test/1")
    );
}

#[test]
fn body_shorter_than_the_description_is_not_the_content() {
    let doc = br#"<rss xmlns:media="http://search.yahoo.com/mrss/"><channel><item><description>Full text of the story, several sentences long.</description><media:description>Video.</media:description></item></channel></rss>"#;
    assert_eq!(read(doc, "https://x.test/").items[0].raw.content, None);
}

#[test]
fn json_has_no_items() {
    assert!(
        read(br#"{"items":[{"title":"x"}]}"#, "https://x.test/")
            .items
            .is_empty()
    );
}

#[test]
fn text_and_xml_types_are_not_base64() {
    for kind in [
        "text",
        "html",
        "xhtml",
        "text/plain",
        "text/html",
        "application/xhtml+xml",
        "application/xml",
    ] {
        assert!(!is_binary_type(kind), "{kind}");
    }
    assert!(is_binary_type("application/octet-stream"));
    assert!(is_binary_type("image/png"));
}

#[test]
fn xhtml_prefixes_are_dropped_from_markup() {
    assert_eq!(
        unprefixed("<xhtml:p>Tin <h:b>mới</h:b><br/></xhtml:p>"),
        "<p>Tin <b>mới</b><br/></p>"
    );
}
