//! What a feed says about how often to poll it: RSS `<ttl>`,
//! `<skipHours>`, `<skipDays>` and the syndication module's
//! `sy:updatePeriod` / `sy:updateFrequency`. feed-rs keeps only `ttl`, so
//! the channel head is read here with quick-xml, up to the first item.

use std::time::Duration;

use chrono::Weekday;
use quick_xml::Reader;
use quick_xml::events::Event;

use crate::model::Hints;

/// Reads the polling hints of an XML feed; empty hints for anything else.
pub fn of(bytes: &[u8]) -> Hints {
    let mut reader = Reader::from_reader(bytes);
    let mut hints = Hints::default();
    let mut path: Vec<String> = Vec::new();
    let mut ttl = None;
    let mut period = None;
    let mut frequency: u32 = 1;
    let mut buf = Vec::new();
    // A channel head is small; a bound keeps a hostile document from
    // making this scan the whole body.
    for _ in 0..10_000 {
        match reader.read_event_into(&mut buf) {
            Ok(Event::Start(e)) => {
                let name = e.local_name().as_ref().to_ascii_lowercase();
                if name == "item" || name == "entry" {
                    break;
                }
                path.push(name);
            }
            Ok(Event::End(_)) => {
                path.pop();
            }
            Ok(Event::Text(t)) => {
                let text = t.trim();
                match path.last().map(String::as_str) {
                    Some("ttl") => ttl = text.parse::<u64>().ok(),
                    Some("updateperiod") => period = period_seconds(text),
                    Some("updatefrequency") => frequency = text.parse().unwrap_or(1).max(1),
                    Some("hour") if parent_is(&path, "skiphours") => {
                        if let Ok(h) = text.parse::<u32>() {
                            // RSS allows 0–23; some feeds write 24 for midnight.
                            hints.skip_hours.push(h % 24);
                        }
                    }
                    Some("day") if parent_is(&path, "skipdays") => {
                        if let Ok(d) = text.parse::<Weekday>() {
                            hints.skip_days.push(d);
                        }
                    }
                    _ => {}
                }
            }
            Ok(Event::Eof) | Err(_) => break,
            Ok(_) => {}
        }
        buf.clear();
    }
    let ttl = ttl.map(|minutes| Duration::from_secs(minutes.saturating_mul(60)));
    let sy = period.map(|seconds| Duration::from_secs(seconds / u64::from(frequency)));
    hints.feed_interval = ttl.into_iter().chain(sy).max();
    // A feed that skips every hour or day would never be polled: ignore it.
    if hints.skip_hours.len() >= 24 {
        hints.skip_hours.clear();
    }
    if hints.skip_days.len() >= 7 {
        hints.skip_days.clear();
    }
    hints
}

fn parent_is(path: &[String], name: &str) -> bool {
    path.len() >= 2 && path[path.len() - 2] == name
}

fn period_seconds(period: &str) -> Option<u64> {
    match period.to_ascii_lowercase().as_str() {
        "hourly" => Some(3600),
        "daily" => Some(86_400),
        "weekly" => Some(7 * 86_400),
        "monthly" => Some(30 * 86_400),
        "yearly" => Some(365 * 86_400),
        _ => None,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn ttl_is_minutes() {
        let rss =
            b"<rss><channel><title>t</title><ttl>60</ttl><item><ttl>1</ttl></item></channel></rss>";
        assert_eq!(of(rss).feed_interval, Some(Duration::from_secs(3600)));
    }

    #[test]
    fn sy_update_period_divided_by_frequency() {
        let rss = br#"<rdf:RDF xmlns:sy="http://purl.org/rss/1.0/modules/syndication/"><channel>
            <sy:updatePeriod>daily</sy:updatePeriod><sy:updateFrequency>4</sy:updateFrequency>
            </channel></rdf:RDF>"#;
        assert_eq!(of(rss).feed_interval, Some(Duration::from_secs(6 * 3600)));
    }

    #[test]
    fn skip_hours_and_days() {
        let rss =
            b"<rss><channel><skipHours><hour>0</hour><hour>24</hour><hour>1</hour></skipHours>\
            <skipDays><day>Sunday</day></skipDays></channel></rss>";
        let hints = of(rss);
        assert_eq!(hints.skip_hours, [0, 0, 1]);
        assert_eq!(hints.skip_days, [Weekday::Sun]);
    }

    #[test]
    fn json_feed_has_no_hints() {
        assert_eq!(
            of(br#"{"version":"https://jsonfeed.org/version/1.1"}"#),
            Hints::default()
        );
    }
}
