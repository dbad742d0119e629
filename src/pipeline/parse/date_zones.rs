//! Zone abbreviations, for [`super::date`]: what a feed may write after a
//! time instead of a numeric offset. A table only; no I/O.

/// Minutes east of UTC of a zone abbreviation. The North American ones are
/// RFC 822's, plus the season-less `AT`/`ET`/`CT`/`MT`/`PT` read as standard
/// time (as feedparser does); the European and Asian ones feeds are seen to
/// use; and RFC 822's military letters with RFC 822's signs (`A` is -1),
/// which is how feedparser and the feeds that use them read them. `T` is
/// left out: it is ISO 8601's date/time separator. Abbreviations that name
/// two zones (IST, BST) are not read.
pub fn zone_minutes(word: &str) -> Option<i32> {
    let hours = match word {
        "z" | "gmt" | "ut" | "utc" | "uct" | "wet" => 0,
        "met" | "cet" | "mez" | "west" => 1,
        "mest" | "cest" | "mesz" | "eet" => 2,
        "eest" | "msk" => 3,
        "ict" | "wib" => 7,
        "hkt" | "sgt" | "awst" | "pht" => 8,
        "jst" | "kst" => 9,
        "aest" => 10,
        "aedt" => 11,
        "nzst" => 12,
        "nzdt" => 13,
        "adt" => -3,
        "ast" | "at" | "edt" => -4,
        "est" | "et" | "cdt" => -5,
        "cst" | "ct" | "mdt" => -6,
        "mst" | "mt" | "pdt" => -7,
        "pst" | "pt" | "akdt" => -8,
        "akst" | "hdt" => -9,
        "hst" => -10,
        letter if letter.len() == 1 => {
            let c = letter.chars().next()?;
            match c {
                'a'..='i' => -(c as i32 - 'a' as i32 + 1),
                'k'..='m' => -(c as i32 - 'a' as i32),
                'n'..='s' | 'u'..='y' => c as i32 - 'n' as i32 + 1,
                _ => return None,
            }
        }
        _ => return None,
    };
    Some(hours * 60)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn military_letters_keep_rfc_822_signs() {
        assert_eq!(zone_minutes("a"), Some(-60));
        assert_eq!(zone_minutes("n"), Some(60));
        assert_eq!(zone_minutes("m"), Some(-12 * 60));
        assert_eq!(zone_minutes("y"), Some(12 * 60));
    }

    #[test]
    fn t_is_not_a_zone() {
        assert_eq!(zone_minutes("t"), None);
    }

    #[test]
    fn ambiguous_abbreviations_are_not_read() {
        assert_eq!(zone_minutes("ist"), None);
        assert_eq!(zone_minutes("bst"), None);
    }
}
