//! C1 control characters repaired: text whose author's editor wrote
//! windows-1252 bytes into a UTF-8 or latin-1 document.

use std::borrow::Cow;

use encoding_rs::WINDOWS_1252;

/// C1 controls (U+0080–U+009F) read as the windows-1252 characters they
/// stand for: "don\u{92}t" is "don’t". Text from UTF-8 and latin-1
/// documents carries them when its author's editor wrote windows-1252
/// bytes; no feed means the controls themselves. A C1 that windows-1252
/// leaves undefined (81, 8D, 8F, 90, 9D) means nothing and is dropped.
pub fn repair_c1(text: &str) -> Cow<'_, str> {
    // Bodies are long and almost never hold one: screen their bytes (C2 80
    // to C2 9F in UTF-8) rather than decode every character.
    let bytes = text.as_bytes();
    let screened = bytes
        .iter()
        .enumerate()
        .any(|(i, &b)| b == 0xC2 && bytes.get(i + 1).is_some_and(|n| (0x80..=0x9F).contains(n)));
    if !screened {
        return Cow::Borrowed(text);
    }
    let mut out = String::with_capacity(text.len());
    for c in text.chars() {
        if !is_c1(c) {
            out.push(c);
            continue;
        }
        // Checked by is_c1: the code point fits one byte.
        let byte = [c as u32 as u8];
        let (mapped, _) = WINDOWS_1252.decode_without_bom_handling(&byte);
        out.extend(mapped.chars().filter(|m| !is_c1(*m)));
    }
    Cow::Owned(out)
}

fn is_c1(c: char) -> bool {
    matches!(c, '\u{80}'..='\u{9F}')
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn c1_controls_read_as_windows_1252() {
        assert_eq!(
            repair_c1("don\u{92}t \u{93}x\u{94} \u{80}5"),
            "don’t “x” €5"
        );
    }

    #[test]
    fn c1_without_windows_1252_meaning_dropped() {
        assert_eq!(repair_c1("a\u{81}b\u{8D}c\u{8F}d\u{90}e\u{9D}f"), "abcdef");
    }
}
