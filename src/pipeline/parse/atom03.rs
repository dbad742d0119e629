//! Atom 0.3, read as Atom 1.0.
//!
//! feed-rs knows only the Atom 1.0 namespace, so an Atom 0.3 document
//! (namespace `http://purl.org/atom/ns#`, still produced by old portal
//! CMSs) parses as a feed with no entries. No maintained crate reads 0.3;
//! its differences that matter here are names only, so the document is
//! renamed into 1.0 before parsing: the namespace, `issued` → `published`,
//! `modified` → `updated`, `tagline` → `subtitle`, `copyright` → `rights`.
//! The renaming works on bytes, so it holds for every ASCII-compatible
//! encoding a declaration may name.

use std::borrow::Cow;

const ATOM_03: &[u8] = b"http://purl.org/atom/ns#";
const ATOM_10: &[u8] = b"http://www.w3.org/2005/Atom";

const RENAMES: [(&[u8], &[u8]); 8] = [
    (b"<issued", b"<published"),
    (b"</issued", b"</published"),
    (b"<modified", b"<updated"),
    (b"</modified", b"</updated"),
    (b"<tagline", b"<subtitle"),
    (b"</tagline", b"</subtitle"),
    (b"<copyright", b"<rights"),
    (b"</copyright", b"</rights"),
];

/// The document renamed into Atom 1.0 when it is Atom 0.3; else as is.
pub fn upgrade(bytes: &[u8]) -> Cow<'_, [u8]> {
    if find(bytes, ATOM_03).is_none() {
        return Cow::Borrowed(bytes);
    }
    let mut doc = replace_all(bytes, ATOM_03, ATOM_10);
    for (from, to) in RENAMES {
        doc = replace_all(&doc, from, to);
    }
    Cow::Owned(doc)
}

fn find(haystack: &[u8], needle: &[u8]) -> Option<usize> {
    haystack.windows(needle.len()).position(|w| w == needle)
}

fn replace_all(haystack: &[u8], from: &[u8], to: &[u8]) -> Vec<u8> {
    let mut out = Vec::with_capacity(haystack.len());
    let mut rest = haystack;
    while let Some(at) = find(rest, from) {
        out.extend_from_slice(&rest[..at]);
        out.extend_from_slice(to);
        rest = &rest[at + from.len()..];
    }
    out.extend_from_slice(rest);
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn atom_10_is_untouched() {
        let doc = b"<feed xmlns=\"http://www.w3.org/2005/Atom\"><modified/></feed>";
        assert!(matches!(upgrade(doc), Cow::Borrowed(_)));
    }

    #[test]
    fn atom_03_names_become_10_names() {
        let doc =
            b"<feed xmlns=\"http://purl.org/atom/ns#\"><entry><issued>x</issued></entry></feed>";
        assert_eq!(
            &*upgrade(doc),
            &b"<feed xmlns=\"http://www.w3.org/2005/Atom\"><entry><published>x</published></entry></feed>"[..]
        );
    }
}
