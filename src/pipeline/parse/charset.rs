//! Character encodings: choosing a fetched body's encoding and decoding it to
//! NFC UTF-8, and repairing unmistakable mojibake (UTF-8 once read as
//! windows-1252) in text that is already decoded.
//!
//! It does no I/O and parses no feed or page: it reads only as much of a body
//! as it takes to find a declared encoding (BOM, HTTP charset, XML
//! declaration, `<meta>`), and it leaves the XML declaration agreeing with the
//! UTF-8 it hands on, so a parser given those bytes does not decode them again.

use std::borrow::Cow;
use std::ops::Range;

use crate::text::repair_c1;
use encoding_rs::{Encoding, REPLACEMENT, UTF_8, UTF_16BE, UTF_16LE, WINDOWS_1252, WINDOWS_1258};
use unicode_normalization::{IsNormalized, UnicodeNormalization};

/// How far into a body to look for an XML declaration or a `<meta>` charset:
/// WHATWG says 1024 bytes, but portal pages put long scripts before the meta.
const PRESCAN: usize = 4096;

/// A body decoded to UTF-8.
#[derive(Debug, Clone)]
pub struct Decoded {
    /// The text, NFC. For an XML document, its XML declaration now says
    /// encoding="UTF-8" (or has no encoding pseudo-attribute) so a parser
    /// reading the bytes will not decode them a second time.
    pub text: String,
    /// The encoding used, as encoding_rs names it ("UTF-8", "windows-1258",
    /// "UTF-16LE", ...).
    pub encoding: &'static str,
    /// Where the decision came from.
    pub decided_by: EncodingSource,
    /// True when the decoder met malformed sequences (replacement characters
    /// were inserted).
    pub had_errors: bool,
}

/// Where an encoding decision came from, strongest first.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum EncodingSource {
    Bom,
    HttpHeader,
    XmlDeclaration,
    HtmlMeta,
    ValidUtf8,
    Fallback,
}

/// Decodes a feed or page body. `content_type` is the HTTP Content-Type header
/// value if any (e.g. "application/rss+xml; charset=windows-1258").
///
/// A BOM wins, then the HTTP charset (RFC 7303: it overrides the XML
/// declaration), then the XML declaration or an HTML `<meta>`, then valid
/// UTF-8, then windows-1258. Labels encoding_rs does not know are skipped.
pub fn decode(bytes: &[u8], content_type: Option<&str>) -> Decoded {
    let (encoding, decided_by, body) = choose(bytes, content_type);
    let (text, had_errors) = encoding.decode_without_bom_handling(body);
    let text = text.strip_prefix('\u{FEFF}').unwrap_or(&text);
    let text = repair_c1(text);
    let text = match crate::text::nfc_quick(&text) {
        IsNormalized::Yes => text,
        _ => Cow::Owned(text.nfc().collect()),
    };
    Decoded {
        text: declare_utf8(text.into_owned()),
        encoding: encoding.name(),
        decided_by,
        had_errors,
    }
}

fn choose<'a>(
    bytes: &'a [u8],
    content_type: Option<&str>,
) -> (&'static Encoding, EncodingSource, &'a [u8]) {
    if let Some((encoding, bom_len)) = Encoding::for_bom(bytes) {
        return (encoding, EncodingSource::Bom, &bytes[bom_len..]);
    }
    let declared = content_type
        .and_then(|ct| charset_param(ct.as_bytes()))
        .and_then(|label| usable(label, bytes))
        .map(|e| (e, EncodingSource::HttpHeader))
        .or_else(|| xml_declared(bytes).map(|e| (e, EncodingSource::XmlDeclaration)))
        .or_else(|| html_declared(bytes).map(|e| (e, EncodingSource::HtmlMeta)));
    match declared {
        Some((encoding, source)) => (encoding, source, bytes),
        None if std::str::from_utf8(bytes).is_ok() => (UTF_8, EncodingSource::ValidUtf8, bytes),
        // Undeclared non-UTF-8 from a Vietnamese site is almost always the
        // old Windows code page; windows-1252 would garble every tone mark.
        None => (WINDOWS_1258, EncodingSource::Fallback, bytes),
    }
}

/// The encoding a declared label names, if it is worth believing.
fn usable(label: &[u8], bytes: &[u8]) -> Option<&'static Encoding> {
    let encoding = Encoding::for_label(label)?;
    // "replacement" labels (ISO-2022-KR, HZ...) would turn the body into one U+FFFD.
    if encoding == REPLACEMENT {
        return None;
    }
    if encoding == UTF_16LE || encoding == UTF_16BE {
        // Servers and templates say "UTF-16" over plain ASCII-compatible
        // bytes; real UTF-16 markup is full of NULs.
        if !bytes[..bytes.len().min(PRESCAN)].contains(&0) {
            return None;
        }
        // Plain "UTF-16" names no byte order (encoding_rs assumes LE): the bytes do.
        return Some(sniff_utf16(bytes).unwrap_or(encoding));
    }
    Some(encoding)
}

/// UTF-16 without a BOM, recognised by `<?` (XML 1.0 appendix F).
fn sniff_utf16(bytes: &[u8]) -> Option<&'static Encoding> {
    match bytes {
        [b'<', 0, b'?', 0, ..] => Some(UTF_16LE),
        [0, b'<', 0, b'?', ..] => Some(UTF_16BE),
        _ => None,
    }
}

fn xml_declared(bytes: &[u8]) -> Option<&'static Encoding> {
    sniff_utf16(bytes).or_else(|| usable(&bytes[xml_encoding_value(bytes)?], bytes))
}

/// Where the value of the XML declaration's `encoding` pseudo-attribute lies.
fn xml_encoding_value(b: &[u8]) -> Option<Range<usize>> {
    let start = skip_ws(b, 0);
    let rest = &b[start..b.len().min(start + PRESCAN)];
    // `<?xml-stylesheet` is a processing instruction, not the declaration.
    if !rest.starts_with(b"<?xml") || !rest.get(5).is_some_and(u8::is_ascii_whitespace) {
        return None;
    }
    let decl = &rest[..find(rest, b"?>").unwrap_or(rest.len())];
    let mut i = skip_ws(decl, find(decl, b"encoding")? + b"encoding".len());
    if decl.get(i) != Some(&b'=') {
        return None;
    }
    i = skip_ws(decl, i + 1);
    let quote = *decl.get(i).filter(|q| matches!(q, b'"' | b'\''))?;
    let len = decl[i + 1..].iter().position(|&c| c == quote)?;
    Some(start + i + 1..start + i + 1 + len)
}

/// Makes the XML declaration agree with the text: feed-rs (quick-xml) obeys
/// the declared encoding, so a stale "windows-1258" would decode UTF-8 again.
fn declare_utf8(mut text: String) -> String {
    let stale = xml_encoding_value(text.as_bytes())
        .filter(|value| !text[value.clone()].eq_ignore_ascii_case("UTF-8"));
    if let Some(value) = stale {
        text.replace_range(value, "UTF-8");
    }
    out_of_place_declarations(text)
}

/// The text with every XML declaration but a leading one made a plain
/// processing instruction (`<?xml-stray ...?>`). Two documents served
/// back to back carry a second declaration; quick-xml reads it as one and
/// feed-rs then switches the decoder to its encoding, which quick-xml
/// 0.42 only allows within the first bytes: past them it panics. A
/// declaration anywhere but at the start is ill-formed XML, so nothing is
/// lost by reading it as an instruction nobody handles.
fn out_of_place_declarations(text: String) -> String {
    let lead = skip_ws(text.as_bytes(), 0);
    let stray = |(at, _): &(usize, &str)| {
        *at != lead
            && text
                .as_bytes()
                .get(at + 5)
                .is_some_and(|c| matches!(c, b' ' | b'\t' | b'\r' | b'\n'))
    };
    let found: Vec<usize> = text
        .match_indices("<?xml")
        .filter(stray)
        .map(|(at, _)| at)
        .collect();
    if found.is_empty() {
        return text;
    }
    let mut out = String::with_capacity(text.len() + found.len() * 6);
    let mut from = 0;
    for at in found {
        out.push_str(&text[from..at + 5]);
        out.push_str("-stray");
        from = at + 5;
    }
    out.push_str(&text[from..]);
    out
}

/// An approximation of the WHATWG prescan: `<meta charset=...>` or the
/// `charset=` inside `<meta http-equiv=... content="...; charset=...">`.
fn html_declared(bytes: &[u8]) -> Option<&'static Encoding> {
    let head = bytes[..bytes.len().min(PRESCAN)].to_ascii_lowercase();
    let first = &head[skip_ws(&head, 0)..];
    // A feed's CDATA may quote a whole page, meta and all; only a page speaks
    // for itself. An XML declaration without encoding means UTF-8 already.
    let roots: [&[u8]; 4] = [b"<?xml", b"<rss", b"<feed", b"<rdf:rdf"];
    if roots.iter().any(|root| first.starts_with(root)) {
        return None;
    }
    let mut i = 0;
    while i < head.len() {
        let rest = &head[i..];
        if rest.starts_with(b"<!--") {
            // Pages keep the meta of their previous encoding commented out.
            i += find(rest, b"-->").map_or(rest.len(), |end| end + 3);
        } else if rest.starts_with(b"<meta") {
            let tag = &rest[..find(rest, b">").unwrap_or(rest.len())];
            if let Some(encoding) = charset_param(tag).and_then(|l| usable(l, bytes)) {
                return Some(encoding);
            }
            i += tag.len();
        } else {
            i += 1;
        }
    }
    None
}

/// The label after `charset=` in a Content-Type value or a whole `<meta>`
/// tag; an unquoted label also ends at a quote, for the latter.
fn charset_param(s: &[u8]) -> Option<&[u8]> {
    let mut from = 0;
    loop {
        let at = from + find(&s[from..], b"charset")? + b"charset".len();
        let i = skip_ws(s, at);
        if s.get(i) != Some(&b'=') {
            from = at;
            continue;
        }
        let i = skip_ws(s, i + 1);
        return match s.get(i) {
            Some(&q @ (b'"' | b'\'')) => {
                let len = s[i + 1..].iter().position(|&c| c == q)?;
                Some(&s[i + 1..i + 1 + len])
            }
            _ => {
                let len = s[i..]
                    .iter()
                    .position(|&c| c.is_ascii_whitespace() || b";\"'>".contains(&c));
                Some(&s[i..i + len.unwrap_or(s.len() - i)])
            }
        };
    }
}

/// Case-insensitive, since header parameters and HTML are.
fn find(hay: &[u8], needle: &[u8]) -> Option<usize> {
    hay.windows(needle.len())
        .position(|w| w.eq_ignore_ascii_case(needle))
}

fn skip_ws(s: &[u8], i: usize) -> usize {
    let rest = s.get(i..).unwrap_or_default();
    i + rest.iter().take_while(|c| c.is_ascii_whitespace()).count()
}

/// UTF-8 text that was once decoded as windows-1252 (mojibake such as
/// "Bá»™ Y táº¿" for "Bộ Y tế", "PhÃ²ng" for "Phòng"), repaired; None when the
/// text is not unmistakably such mojibake (leave it alone).
///
/// The whole text must be mojibake: a string mixing good Vietnamese with
/// mojibake is left alone, because the good letters do not map back to
/// windows-1252. Call it before whitespace cleanup: the "à" of "và", "Hà"
/// ends in byte A0, which windows-1252 reads as a no-break space. A space or
/// the end of the text right after "Ã" is taken for that lost A0: right when
/// the no-break space became a space or was trimmed, but it joins "à" to the
/// next word where spaces were also collapsed. Mac Roman and Latin-1 (C1
/// controls) mojibake are not recognised.
pub fn repair_mojibake(text: &str) -> Option<String> {
    // Nearly every title is clean, and re-encoding allocates: screen first.
    if !has_mojibake_pair(text) {
        return None;
    }
    let (bytes, _, unmappable) = WINDOWS_1252.encode(text);
    if unmappable {
        return None;
    }
    let repaired = String::from_utf8(restore_lost_nbsp(bytes.into_owned())).ok()?;
    let repaired: String = repaired.nfc().collect();
    let vietnamese = repaired.chars().any(is_vietnamese_letter);
    vietnamese.then_some(repaired)
}

/// A UTF-8 lead byte seen through windows-1252 (Â..Æ for U+0080..U+01BF,
/// Ì Í for combining marks, á for the U+1Exx Vietnamese block) followed by a
/// continuation byte seen the same way.
fn has_mojibake_pair(text: &str) -> bool {
    text.chars().zip(text.chars().skip(1)).any(|(lead, next)| {
        matches!(lead, '\u{C2}'..='\u{C6}' | '\u{CC}' | '\u{CD}' | 'á')
            && is_1252_continuation(next)
    })
}

fn is_1252_continuation(c: char) -> bool {
    let mut buf = [0; 4];
    // encoding_rs maps the five bytes windows-1252 leaves undefined (81 8D 8F
    // 90 9D) to U+0081... and back, so "Đ" (C4 90) and "ề" (E1 BB 81) survive.
    let (byte, _, unmappable) = WINDOWS_1252.encode(c.encode_utf8(&mut buf));
    !unmappable && matches!(*byte, [0x80..=0xBF])
}

/// A C3 followed by a space or by nothing is never valid UTF-8, so putting
/// back the A0 of "à" there cannot break text that was fine.
fn restore_lost_nbsp(mut bytes: Vec<u8>) -> Vec<u8> {
    for i in 1..bytes.len() {
        if bytes[i - 1] == 0xC3 && bytes[i] == b' ' {
            bytes[i] = 0xA0;
        }
    }
    if bytes.last() == Some(&0xC3) {
        bytes.push(0xA0);
    }
    bytes
}

fn is_vietnamese_letter(c: char) -> bool {
    matches!(c, '\u{1EA0}'..='\u{1EF9}')
        || "àáâãèéêìíòóôõùúýăđĩũơưÀÁÂÃÈÉÊÌÍÒÓÔÕÙÚÝĂĐĨŨƠƯ".contains(c)
}

#[cfg(test)]
mod tests {
    use super::EncodingSource::*;
    use super::*;

    const TITLE: &str = "Bộ Y tế tăng cường phòng, chống dịch";
    const CP1258: &str = "windows-1258";

    fn rss(encoding: &str) -> String {
        format!(
            "<?xml version=\"1.0\" encoding=\"{encoding}\"?>\n<rss version=\"2.0\"><channel>\
             <title>Sức khỏe</title><link>https://example.vn/</link><description>d</description>\
             <item><title>{TITLE}</title><link>https://example.vn/a</link></item></channel></rss>"
        )
    }

    fn html(meta: &str) -> String {
        format!("<!DOCTYPE html><html><head>{meta}<title>{TITLE}</title></head></html>")
    }

    /// Decodes and checks (text, encoding, source); hands the text back.
    fn check(bytes: &[u8], header: Option<&str>, want: (&str, &str, EncodingSource)) -> String {
        let d = decode(bytes, header);
        assert_eq!((d.text.as_str(), d.encoding, d.decided_by), want);
        d.text
    }

    fn feed_title(bytes: &[u8]) -> String {
        let feed = feed_rs::parser::parse(bytes).expect("feed-rs parses it");
        let title = feed.entries[0].title.clone();
        title.expect("a title").content
    }

    fn encode(encoding: &'static Encoding, s: &str) -> Vec<u8> {
        let (bytes, _, unmappable) = encoding.encode(s);
        assert!(!unmappable, "{s} fits {}", encoding.name());
        bytes.into_owned()
    }

    /// windows-1258 has â ê ô ă ơ ư but the five tones only as combining
    /// marks, and encoding_rs does not decompose: split them off first.
    fn to_1258(s: &str) -> Vec<u8> {
        let tones = ['\u{300}', '\u{301}', '\u{303}', '\u{309}', '\u{323}'];
        let mut split = String::new();
        for c in s.chars() {
            let (tone, base): (String, String) = c.nfd().partition(|m| tones.contains(m));
            split.extend(base.nfc());
            split.push_str(&tone);
        }
        encode(WINDOWS_1258, &split)
    }

    /// encoding_rs encodes only to ASCII-compatible encodings.
    fn utf16(s: &str, le: bool) -> Vec<u8> {
        let order = |u: u16| if le { u.to_le_bytes() } else { u.to_be_bytes() };
        s.encode_utf16().flat_map(order).collect()
    }

    /// What UTF-8 text turns into when read as windows-1252.
    fn mojibake(s: &str) -> String {
        let (text, _) = WINDOWS_1252.decode_without_bom_handling(s.as_bytes());
        text.into_owned()
    }

    #[test]
    fn utf8_plain() {
        let doc = rss("UTF-8");
        assert!(!decode(doc.as_bytes(), None).had_errors);
        check(doc.as_bytes(), None, (&doc, "UTF-8", XmlDeclaration));
    }

    #[test]
    fn utf8_with_bom() {
        let (doc, header) = (rss("UTF-8"), Some("text/xml; charset=windows-1258"));
        let bytes = [b"\xEF\xBB\xBF", doc.as_bytes()].concat();
        check(&bytes, header, (&doc, "UTF-8", Bom));
    }

    #[test]
    fn utf16le_with_bom_parses_with_feed_rs() {
        let bytes = utf16(&format!("\u{FEFF}{}", rss("UTF-16")), true);
        let text = check(&bytes, None, (&rss("UTF-8"), "UTF-16LE", Bom));
        assert_eq!(feed_title(text.as_bytes()), TITLE);
    }

    #[test]
    fn utf16be_with_bom() {
        let bytes = utf16(&format!("\u{FEFF}{}", rss("UTF-16")), false);
        check(&bytes, None, (&rss("UTF-8"), "UTF-16BE", Bom));
    }

    #[test]
    fn utf16_without_bom_recognised_from_declaration() {
        let bytes = utf16(&rss("UTF-16"), false);
        check(&bytes, None, (&rss("UTF-8"), "UTF-16BE", XmlDeclaration));
    }

    #[test]
    fn windows1258_in_xml_declaration_is_decoded_once() {
        let (bytes, header) = (to_1258(&rss("windows-1258")), Some("application/rss+xml"));
        // feed-rs alone honours the declaration but leaves the tones decomposed.
        assert_ne!(feed_title(&bytes), TITLE);
        let text = check(&bytes, header, (&rss("UTF-8"), CP1258, XmlDeclaration));
        assert_eq!(feed_title(text.as_bytes()), TITLE);
    }

    #[test]
    fn http_header_beats_xml_declaration() {
        let header = Some("text/xml; Charset=\"windows-1258\"");
        let bytes = to_1258(&rss("UTF-8"));
        let text = check(&bytes, header, (&rss("UTF-8"), CP1258, HttpHeader));
        assert_eq!(feed_title(text.as_bytes()), TITLE);
    }

    #[test]
    fn iso_8859_1_label_decodes_as_windows_1252() {
        let page = "<p>H&#7897;i ngh&#7883; \u{2013} Caf\u{e9}\u{2019}s</p>";
        let header = Some("text/html; charset=ISO-8859-1");
        let bytes = encode(WINDOWS_1252, page);
        check(&bytes, header, (page, "windows-1252", HttpHeader));
    }

    #[test]
    fn html_meta_charset() {
        // NFC, and the meta is left saying windows-1258.
        let page = html("<meta charset=\"windows-1258\">");
        check(&to_1258(&page), None, (&page, CP1258, HtmlMeta));
    }

    #[test]
    fn html_meta_http_equiv() {
        let page = html("<META HTTP-EQUIV=Content-Type CONTENT='text/html; charset=windows-1258'>");
        let header = Some("text/html");
        check(&to_1258(&page), header, (&page, CP1258, HtmlMeta));
    }

    #[test]
    fn html_meta_in_comment_or_feed_cdata_ignored() {
        let page = html("<!-- <meta charset=\"windows-1258\"> --><meta charset=utf-8>");
        check(page.as_bytes(), None, (&page, "UTF-8", HtmlMeta));
        let quoted = html("<meta charset=\"windows-1258\">");
        let feed = format!("<rss><channel><description><![CDATA[{quoted}]]></description></rss>");
        check(feed.as_bytes(), None, (&feed, "UTF-8", ValidUtf8));
    }

    #[test]
    fn no_declaration_valid_utf8() {
        check(TITLE.as_bytes(), None, (TITLE, "UTF-8", ValidUtf8));
    }

    #[test]
    fn no_declaration_invalid_utf8_falls_back_to_windows_1258() {
        check(&to_1258(TITLE), None, (TITLE, CP1258, Fallback));
    }

    #[test]
    fn unknown_labels_skipped() {
        let (doc, header) = (rss("TCVN3"), Some("text/xml; charset=x-unknown"));
        check(doc.as_bytes(), header, (&rss("UTF-8"), "UTF-8", ValidUtf8));
        let header = Some("text/xml; charset=TCVN3");
        let bytes = to_1258(&rss("windows-1258"));
        check(&bytes, header, (&rss("UTF-8"), CP1258, XmlDeclaration));
    }

    #[test]
    fn replacement_label_skipped() {
        let header = Some("text/plain; charset=iso-2022-kr");
        check(TITLE.as_bytes(), header, (TITLE, "UTF-8", ValidUtf8));
    }

    #[test]
    fn utf16_label_without_nuls_ignored() {
        let (doc, header) = (rss("UTF-16"), Some("application/xml; charset=utf-16"));
        let text = check(doc.as_bytes(), header, (&rss("UTF-8"), "UTF-8", ValidUtf8));
        assert_eq!(feed_title(text.as_bytes()), TITLE);
    }

    #[test]
    fn malformed_utf8_declared_utf8_has_errors() {
        let bytes = [TITLE.as_bytes(), b" \xFF\xC3"].concat();
        let d = decode(&bytes, Some("text/html; charset=utf-8"));
        assert_eq!((d.encoding, d.decided_by), ("UTF-8", HttpHeader));
        assert!(d.had_errors);
        assert_eq!(d.text, format!("{TITLE} \u{FFFD}\u{FFFD}"));
    }

    #[test]
    fn nfd_input_returned_nfc() {
        let nfd: String = TITLE.nfd().collect();
        assert_ne!(nfd, TITLE);
        check(nfd.as_bytes(), None, (TITLE, "UTF-8", ValidUtf8));
    }

    #[test]
    fn declaration_rewrite_keeps_the_rest() {
        let doc = "<?xml version='1.0' encoding = 'windows-1258' standalone='yes'?>\n<a/>";
        let want = doc.replace("windows-1258", "UTF-8");
        check(doc.as_bytes(), None, (&want, CP1258, XmlDeclaration));
        let pi = "<?xml-stylesheet encoding=\"x\"?><a/>";
        check(pi.as_bytes(), None, (pi, "UTF-8", ValidUtf8));
    }

    #[test]
    fn only_a_leading_declaration_stays_one() {
        let two = "\n<?xml version=\"1.0\"?><a/>\n<?xml version=\"1.0\" encoding=\"utf-16\"?><b/><?xml?><?xml-stylesheet href=\"s\"?>";
        let want = "\n<?xml version=\"1.0\"?><a/>\n<?xml-stray version=\"1.0\" encoding=\"utf-16\"?><b/><?xml?><?xml-stylesheet href=\"s\"?>";
        assert_eq!(decode(two.as_bytes(), None).text, want);
    }

    #[test]
    fn c1_raw_in_utf8_body_repaired_on_decode() {
        let d = decode("Tin m\u{92}i".as_bytes(), Some("text/xml; charset=utf-8"));
        assert_eq!(d.text, "Tin m’i");
    }

    #[test]
    fn mojibake_repaired() {
        assert_eq!(mojibake("Bộ Y tế"), "Bá»™ Y táº¿");
        assert_eq!(mojibake("Phòng"), "PhÃ²ng");
        assert_eq!(repair_mojibake("Bá»™ Y táº¿").as_deref(), Some("Bộ Y tế"));
        assert_eq!(repair_mojibake(&mojibake(TITLE)).as_deref(), Some(TITLE));
    }

    #[test]
    fn mojibake_with_undefined_1252_bytes_repaired() {
        // Đ is C4 90, ề E1 BB 81, ỏ E1 BB 8F, Ý C3 9D: windows-1252 leaves 81 8F 90 9D undefined.
        let text = "Đảng ủy về nhiều ý kiến nhỏ; Ý";
        assert_eq!(repair_mojibake(&mojibake(text)).as_deref(), Some(text));
    }

    #[test]
    fn mojibake_with_lost_no_break_space_repaired() {
        let text = "Hà Nội và TP.HCM: tài liệu về";
        let flattened = mojibake(text).replace('\u{A0}', " ");
        assert_eq!(repair_mojibake(&flattened).as_deref(), Some(text));
        let trimmed = mojibake("Hội nghị tại Hà");
        let repaired = repair_mojibake(trimmed.trim());
        assert_eq!(repaired.as_deref(), Some("Hội nghị tại Hà"));
    }

    #[test]
    fn correct_vietnamese_not_claimed() {
        for text in [
            TITLE,
            "Phòng chống dịch",
            "Đà Nẵng",
            "“Cá”",
            "“cá”…",
            "Giá: 5 €",
        ] {
            assert_eq!(repair_mojibake(text), None, "{text}");
        }
    }

    #[test]
    fn latin_text_not_claimed() {
        for text in [
            "café à Paris",
            "São Paulo",
            "Ça va",
            "IRMÃ SILVA",
            "Â¿",
            "plain ASCII",
        ] {
            assert_eq!(repair_mojibake(text), None, "{text}");
        }
    }

    #[test]
    fn partial_or_non_vietnamese_mojibake_not_claimed() {
        assert_eq!(repair_mojibake(&mojibake("“Hello” — world")), None);
        assert_eq!(repair_mojibake("Bá»™ Y tế"), None, "a mix is left alone");
    }
}
