//! Issue #14, item 5: proof against hostile input. Property tests over the
//! readers that take what a portal, a feed or an operator wrote: the date
//! reader, link canonicalization, the sanitizer, the feed parser and its
//! salvage, the scrape rules and feeds.toml. Each property is checked on a
//! bounded number of generated cases so the whole file stays quick in a
//! debug build; a failure prints the minimal case proptest shrank it to.

mod common;

use std::path::Path;

use bantin::config::Config;
use bantin::model::RawItem;
use bantin::pipeline::normalize::{canonical_link, normalize, sanitize_html};
use bantin::pipeline::parse::date::{Reading, parse_date, parse_date_as};
use bantin::pipeline::parse::scrape::{Field, ScrapeRules, parse_list_page, scrape_page};
use bantin::pipeline::parse::{DateContext, parse_body, parse_feed};
use chrono::{DateTime, FixedOffset, SecondsFormat, TimeZone, Utc};
use common::unsafe_html;
use proptest::prelude::*;
use proptest::test_runner::Config as ProptestConfig;

/// Cases per property: enough to find the faults below within a few
/// hundred tries, few enough for a debug build in seconds. PROPTEST_CASES
/// set in the environment overrides them all, for a longer hunt.
fn cases(n: u32) -> ProptestConfig {
    let n = std::env::var("PROPTEST_CASES")
        .ok()
        .and_then(|v| v.parse().ok())
        .unwrap_or(n);
    ProptestConfig {
        cases: n,
        failure_persistence: None,
        ..ProptestConfig::default()
    }
}

// ------------------------------------------------------------------ dates

/// Date-like text: the pieces the reader looks for, in any order.
fn date_like() -> impl Strategy<Value = String> {
    let piece = prop_oneof![
        "[0-9]{1,5}",
        Just("/".to_string()),
        Just("-".to_string()),
        Just(":".to_string()),
        Just(".".to_string()),
        Just(",".to_string()),
        Just(" ".to_string()),
        Just("T".to_string()),
        Just("Z".to_string()),
        Just("+".to_string()),
        Just("W".to_string()),
        Just("SA".to_string()),
        Just("CH".to_string()),
        Just("ngày".to_string()),
        Just("Thứ Hai".to_string()),
        Just("tháng".to_string()),
        Just("GMT".to_string()),
        Just("ICT".to_string()),
        Just("Mon".to_string()),
        Just("Feb".to_string()),
        Just("(ICT)".to_string()),
        "\\PC{0,3}",
    ];
    prop::collection::vec(piece, 0..16).prop_map(|p| p.concat())
}

/// An instant in the years the reader accepts (1990..=2100), with any
/// nanoseconds, and an offset within ±14 h.
fn instant() -> impl Strategy<Value = (DateTime<Utc>, FixedOffset)> {
    let from = Utc
        .with_ymd_and_hms(1990, 1, 2, 0, 0, 0)
        .unwrap()
        .timestamp();
    let to = Utc
        .with_ymd_and_hms(2100, 12, 30, 0, 0, 0)
        .unwrap()
        .timestamp();
    (from..to, 0u32..1_000_000_000, -14 * 60..=14 * 60i32).prop_map(|(s, n, m)| {
        let at = Utc.timestamp_opt(s, n).unwrap();
        (at, FixedOffset::east_opt(m * 60).unwrap())
    })
}

proptest! {
    #![proptest_config(cases(2000))]

    #[test]
    fn date_reader_never_panics_on_any_text(text in "\\PC{0,40}") {
        let _ = parse_date(&text);
    }

    #[test]
    fn date_reader_never_panics_on_date_like_text(text in date_like(), year in -262_000i32..262_000) {
        let _ = parse_date(&text);
        for order in [bantin::model::DateOrder::DayFirst, bantin::model::DateOrder::MonthFirst] {
            let _ = parse_date_as(&text, Reading { order, year });
        }
    }
}

proptest! {
    #![proptest_config(cases(1000))]

    #[test]
    fn rfc3339_round_trips((at, offset) in instant()) {
        let local = at.with_timezone(&offset);
        let whole = at - chrono::Duration::nanoseconds(i64::from(at.timestamp_subsec_nanos()));
        let millis = at - chrono::Duration::nanoseconds(i64::from(at.timestamp_subsec_nanos() % 1_000_000));
        let spellings = [
            (at.to_rfc3339(), at),
            (local.to_rfc3339(), at),
            (at.to_rfc3339_opts(SecondsFormat::Secs, true), whole),
            (local.to_rfc3339_opts(SecondsFormat::Secs, false), whole),
            (local.to_rfc3339_opts(SecondsFormat::Millis, true), millis),
            (at.to_rfc3339_opts(SecondsFormat::Nanos, true), at),
            // RFC 3339 §5.6: `t`, `z` and a space for `T` are allowed too.
            (local.to_rfc3339().to_lowercase(), at),
            (at.to_rfc3339_opts(SecondsFormat::Secs, true).replace('T', " "), whole),
        ];
        for (text, want) in spellings {
            prop_assert_eq!(parse_date(&text), Some(want), "{}", text);
        }
    }
}

// ------------------------------------------------------------------ links

fn link_like() -> impl Strategy<Value = String> {
    let piece = prop_oneof![
        Just("http://".to_string()),
        Just("HTTPS://".to_string()),
        Just("javascript:".to_string()),
        Just("JaVaScRiPt:".to_string()),
        Just("java\nscript:".to_string()),
        Just("data:text/html,".to_string()),
        Just("mailto:".to_string()),
        Just("file:///".to_string()),
        Just("//".to_string()),
        Just("x.test".to_string()),
        Just("XN--bcher-kva.test".to_string()),
        Just("[::1]".to_string()),
        Just("127.0.0.1".to_string()),
        Just(":443".to_string()),
        Just(":80".to_string()),
        Just(":".to_string()),
        Just("@".to_string()),
        Just("/".to_string()),
        Just("/./".to_string()),
        Just("/../".to_string()),
        Just("%2e%2E/".to_string()),
        Just("?".to_string()),
        Just("&".to_string()),
        Just("=".to_string()),
        Just("#".to_string()),
        Just("utm_source=rss".to_string()),
        Just("fbclid=1".to_string()),
        Just("id=7".to_string()),
        Just("%20".to_string()),
        Just("%zz".to_string()),
        Just("+".to_string()),
        Just(" ".to_string()),
        Just("\t".to_string()),
        Just("\\".to_string()),
        "[a-zA-Z0-9._~-]{1,6}",
        "\\PC{1,2}",
    ];
    prop::collection::vec(piece, 0..14).prop_map(|p| p.concat())
}

fn base_like() -> impl Strategy<Value = String> {
    prop_oneof![
        Just("https://x.test/tin-tuc/an-ninh/".to_string()),
        Just("http://X.Test:8080/a/b?c=d#e".to_string()),
        Just("https://x.test".to_string()),
        Just("file:///srv/demo/feed.xml".to_string()),
        Just("not a url".to_string()),
        Just(String::new()),
        link_like(),
    ]
}

proptest! {
    #![proptest_config(cases(3000))]

    #[test]
    fn canonical_link_is_idempotent_and_only_web(link in link_like(), base in base_like()) {
        if let Some(once) = canonical_link(&link, &base) {
            let url = url::Url::parse(&once).unwrap();
            prop_assert!(matches!(url.scheme(), "http" | "https"), "{}", once);
            prop_assert!(url.host_str().is_some_and(|h| !h.is_empty()), "{}", once);
            prop_assert_eq!(url.fragment(), None);
            // Canonical against any base: it is absolute.
            for again_base in [base.as_str(), "https://other.test/", ""] {
                let twice = canonical_link(&once, again_base);
                prop_assert_eq!(twice.as_deref(), Some(once.as_str()), "base {:?}", again_base);
            }
        }
    }

    #[test]
    fn canonical_link_never_panics(link in "\\PC{0,60}", base in "\\PC{0,30}") {
        let _ = canonical_link(&link, &base);
        let _ = canonical_link(&link, "https://x.test/a/");
    }
}

// ------------------------------------------------------------- sanitizer

const TAGS: &[&str] = &[
    "script",
    "ScRiPt",
    "SCRIPT",
    "svg",
    "SvG",
    "math",
    "style",
    "StYlE",
    "a",
    "A",
    "img",
    "iframe",
    "object",
    "embed",
    "form",
    "input",
    "button",
    "base",
    "link",
    "meta",
    "video",
    "audio",
    "source",
    "div",
    "p",
    "b",
    "i",
    "table",
    "tr",
    "td",
    "noscript",
    "template",
    "textarea",
    "title",
    "xmp",
    "plaintext",
    "noembed",
    "select",
    "option",
    "foreignObject",
    "animate",
    "set",
    "use",
    "image",
    "frameset",
    "isindex",
    "marquee",
    "applet",
    "details",
    "blockquote",
    "q",
    "ins",
    "del",
    "area",
    "map",
];

const ATTRIBUTES: &[&str] = &[
    "href",
    "HREF",
    "src",
    "SrC",
    "onclick",
    "OnLoad",
    "ONERROR",
    "onmouseover",
    "style",
    "Style",
    "xlink:href",
    "action",
    "formaction",
    "background",
    "poster",
    "srcset",
    "data",
    "cite",
    "longdesc",
    "lowsrc",
    "dynsrc",
    "usemap",
    "to",
    "values",
    "from",
    "attributeName",
    "class",
    "id",
    "title",
    "alt",
    "rel",
    "target",
    "width",
    "type",
    "content",
    "http-equiv",
];

const VALUES: &[&str] = &[
    "javascript:alert(1)",
    "JaVaScRiPt:alert(1)",
    "&#106;avascript:alert(1)",
    "&#x6A;&#x61;vascript:alert(1)",
    "&#0000106;avascript:alert(1)",
    "java\nscript:alert(1)",
    "java\tscript:alert(1)",
    "java&#x09;script:alert(1)",
    "java&Tab;script:alert(1)",
    " \n javascript:alert(1)",
    "\u{1}javascript:alert(1)",
    "javascript&colon;alert(1)",
    "vbscript:msgbox(1)",
    "data:text/html;base64,PHNjcmlwdD5hbGVydCgxKTwvc2NyaXB0Pg==",
    "DaTa:image/svg+xml,<svg onload=alert(1)>",
    "data:image/png;base64,iVBORw0KGgo=",
    "expression(alert(1))",
    "width: expression(alert(1))",
    "background:url(javascript:alert(1))",
    "alert(1)",
    "https://x.test/a.jpg",
    "/relative/b.png",
    "//evil.test/c",
    "mailto:a@x.test",
    "#top",
    "",
];

/// One piece of hostile HTML: a tag (well-formed or not), text, an
/// entity, a comment or a piece of broken markup.
fn html_piece() -> impl Strategy<Value = String> {
    let tag = prop::sample::select(TAGS.to_vec());
    let attribute = (
        prop::sample::select(ATTRIBUTES.to_vec()),
        prop::sample::select(VALUES.to_vec()),
        0..4usize,
    )
        .prop_map(|(name, value, quote)| match quote {
            0 => format!(" {name}=\"{value}\""),
            1 => format!(" {name}='{value}'"),
            2 => format!(" {name}={}", value.replace(' ', "")),
            _ => format!("\n{name} = \"{value}\""),
        });
    let open = (
        tag.clone(),
        prop::collection::vec(attribute, 0..3),
        any::<bool>(),
    )
        .prop_map(|(tag, attrs, closed)| {
            format!("<{tag}{}{}>", attrs.concat(), if closed { "/" } else { "" })
        });
    let close = tag.prop_map(|t| format!("</{t}>"));
    let fixed = prop::sample::select(vec![
        "alert(1)",
        "Tin tức &amp; sự kiện",
        "&lt;script&gt;alert(1)&lt;/script&gt;",
        "&amp;lt;script&amp;gt;",
        "&#60;script&#62;",
        "&nbsp;",
        "&",
        "<",
        ">",
        "</",
        "<!--",
        "-->",
        "<!-- <script>alert(1)</script> -->",
        "<![CDATA[",
        "]]>",
        "<scr<script>ipt>alert(1)</scr</script>ipt>",
        "<<script>script>",
        "<script/src=//evil.test/x.js>",
        "<script\n>alert(1)</script\n>",
        "<img src=x onerror=alert(1)//",
        "<svg><script>alert(1)</script></svg>",
        "<svg/onload=alert(1)>",
        "<math><mtext><table><mglyph><style><img src=x onerror=alert(1)>",
        "<style>body{background:url(javascript:alert(1))}</style>",
        "<div style=\"width:expression(alert(1))\">",
        "<a href=\"java&#x0A;script:alert(1)\">x</a>",
        "<iframe srcdoc=\"<script>alert(1)</script>\">",
        "<object data=\"data:text/html,<script>alert(1)</script>\">",
        "<meta http-equiv=\"refresh\" content=\"0;url=javascript:alert(1)\">",
        "<base href=\"javascript:/\">",
        "<form><button formaction=javascript:alert(1)>x",
        "<noscript><p title=\"</noscript><img src=x onerror=alert(1)>\">",
        "<template><script>alert(1)</script></template>",
        "<!doctype html>",
        "<?xml version=\"1.0\"?>",
        "\n",
        "\u{0}",
    ])
    .prop_map(str::to_string);
    prop_oneof![3 => open, 2 => close, 3 => fixed, 1 => "\\PC{0,6}"]
}

fn hostile_html() -> impl Strategy<Value = String> {
    prop::collection::vec(html_piece(), 0..40).prop_map(|p| p.concat())
}

proptest! {
    #![proptest_config(cases(1500))]

    #[test]
    fn sanitizer_lets_no_script_handler_or_script_url_through(
        html in hostile_html(),
        base in prop::sample::select(vec![
            "https://x.test/tin/1.html",
            "javascript:alert(1)//",
            "data:text/html,x/",
            "not a url",
        ]),
    ) {
        // Relative URLs are resolved against `base`: a hostile one must not
        // turn them into script URLs either.
        let out = sanitize_html(&html, base);
        prop_assert_eq!(unsafe_html(&out), None, "input: {:?}\noutput: {:?}", html, out);
        // What it gives is already clean: cleaning it again changes nothing
        // a browser would run.
        let again = sanitize_html(&out, base);
        prop_assert_eq!(unsafe_html(&again), None);
    }

    #[test]
    fn normalized_items_carry_no_script(html in hostile_html(), link in link_like()) {
        let raw = RawItem {
            title: Some(html.clone()),
            link: Some(link),
            summary: Some(html.clone()),
            content: Some(format!("<div>{html}</div>")),
            authors: vec![html.clone()],
            categories: vec![html.clone()],
            ..RawItem::default()
        };
        let item = normalize(&raw, "https://x.test/feed.rss", Utc::now());
        prop_assert_eq!(unsafe_html(&item.content), None, "input: {:?}\ncontent: {:?}", html, item.content);
        // Text fields hold no markup a reader's HTML view would run.
        for text in [&item.title].into_iter().chain(&item.authors).chain(&item.categories) {
            prop_assert!(!text.to_lowercase().contains("<script"), "input: {:?}\ntext: {:?}", html, text);
            prop_assert_eq!(unsafe_html(text), None, "input: {:?}\ntext: {:?}", html, text);
        }
        if let Some(link) = &item.link {
            prop_assert!(link.starts_with("http://") || link.starts_with("https://"), "{}", link);
        }
    }
}

/// The sanitizer's bound on nesting holds for hostile depth too: 100,000
/// nested elements are cut, quickly, and nothing unsafe gets through the
/// cut.
#[test]
fn sanitizer_cuts_deep_hostile_nesting() {
    let deep = "<div><svg><a href=javascript:alert(1)>".repeat(100_000);
    let started = std::time::Instant::now();
    let out = sanitize_html(
        &format!("{deep}<script>alert(1)</script>"),
        "https://x.test/",
    );
    assert!(started.elapsed() < std::time::Duration::from_secs(30));
    assert_eq!(unsafe_html(&out), None);
}

// ------------------------------------------------------ feeds and salvage

/// Every feed fixture the project ships, with a content type.
fn feed_fixtures() -> Vec<(String, Vec<u8>)> {
    let root = Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/fixtures");
    let mut found = Vec::new();
    for dir in ["feeds", "parse", "c1", "cli", "hostile"] {
        let Ok(entries) = std::fs::read_dir(root.join(dir)) else {
            continue;
        };
        for entry in entries.flatten() {
            let path = entry.path();
            let ext = path.extension().and_then(|e| e.to_str()).unwrap_or("");
            if matches!(ext, "xml" | "rss" | "atom" | "rdf" | "json") {
                found.push((ext.to_string(), std::fs::read(&path).unwrap()));
            }
        }
    }
    found.sort();
    assert!(found.len() > 30, "fixtures not found");
    found
}

fn content_type(ext: &str) -> Option<&'static str> {
    match ext {
        "json" => Some("application/feed+json"),
        "atom" => Some("application/atom+xml; charset=utf-8"),
        "rss" => Some("application/rss+xml"),
        "rdf" => Some("application/rdf+xml; charset=windows-1258"),
        _ => None,
    }
}

/// How a document is damaged.
#[derive(Debug, Clone)]
enum Damage {
    /// Cut at a fraction (in ‱) of its length.
    Truncate(u32),
    /// These bytes (at ‱ of the length) xor'ed with a value.
    Flip(Vec<(u32, u8)>),
    /// Another fixture, cut at ‱, appended.
    Concatenate(usize, u32),
    /// A hostile piece inserted at ‱.
    Insert(u32, String),
}

fn damage() -> impl Strategy<Value = Vec<Damage>> {
    let one = prop_oneof![
        (0u32..10_000).prop_map(Damage::Truncate),
        prop::collection::vec((0u32..10_000, 1u8..=255), 1..8).prop_map(Damage::Flip),
        (any::<usize>(), 0u32..=10_000).prop_map(|(i, at)| Damage::Concatenate(i, at)),
        (
            0u32..10_000,
            prop::sample::select(vec![
                "<!DOCTYPE x [<!ENTITY a \"aaaaaaaaaa\"><!ENTITY b \"&a;&a;&a;&a;&a;&a;&a;&a;\">]>",
                "<!DOCTYPE x [<!ENTITY xxe SYSTEM \"file:///etc/passwd\">]>",
                "&xxe;",
                "&b;",
                "<![CDATA[",
                "]]>",
                "<item>",
                "</item>",
                "<entry>",
                "</channel>",
                "</feed>",
                "&#0;",
                "&#xD800;",
                "&",
                "<",
                "\u{FEFF}",
                "\u{0}",
                "\"items\": [null, 1, \"x\", {\"id\": 7}],",
                "{",
                "]",
                "<?xml version=\"1.0\" encoding=\"utf-16\"?>",
                "<?xml version=\"1.0\" encoding=\"x-nonsense\"?>",
            ])
            .prop_map(str::to_string)
        )
            .prop_map(|(at, s)| Damage::Insert(at, s)),
    ];
    prop::collection::vec(one, 1..4)
}

fn at(len: usize, per_ten_thousand: u32) -> usize {
    (len as u64 * u64::from(per_ten_thousand) / 10_000) as usize
}

fn damaged(mut doc: Vec<u8>, damage: &[Damage], fixtures: &[(String, Vec<u8>)]) -> Vec<u8> {
    for d in damage {
        match d {
            Damage::Truncate(p) => doc.truncate(at(doc.len(), *p)),
            Damage::Flip(flips) => {
                for (p, x) in flips {
                    if !doc.is_empty() {
                        let i = at(doc.len() - 1, *p);
                        doc[i] ^= x;
                    }
                }
            }
            Damage::Concatenate(i, p) => {
                let other = &fixtures[i % fixtures.len()].1;
                doc.extend_from_slice(&other[..at(other.len(), *p)]);
            }
            Damage::Insert(p, s) => {
                let i = at(doc.len(), *p);
                doc.splice(i..i, s.bytes());
            }
        }
    }
    doc
}

proptest! {
    #![proptest_config(cases(600))]

    #[test]
    fn feed_parser_never_panics_on_damaged_documents(which in any::<usize>(), damage in damage()) {
        let fixtures = feed_fixtures();
        let (ext, doc) = &fixtures[which % fixtures.len()];
        let doc = damaged(doc.clone(), &damage, &fixtures);
        for ct in [content_type(ext), None] {
            if let Ok(parsed) = parse_feed(&doc, ct, "https://x.test/feed") {
                // What was read goes on through normalize: that must hold too.
                for raw in &parsed.items {
                    let item = normalize(raw, "https://x.test/feed", Utc::now());
                    prop_assert_eq!(unsafe_html(&item.content), None);
                }
            }
        }
    }

    #[test]
    fn feed_parser_never_panics_on_any_bytes(doc in prop::collection::vec(any::<u8>(), 0..600)) {
        let _ = parse_feed(&doc, None, "https://x.test/feed");
        let _ = parse_feed(&doc, Some("application/feed+json"), "https://x.test/feed");
    }
}

// ------------------------------------------------------------ scrape rules

/// A selector as an operator might write one, or get wrong.
fn selector() -> impl Strategy<Value = String> {
    let simple = prop_oneof![
        Just("div".to_string()),
        Just("li".to_string()),
        Just("a".to_string()),
        Just("span".to_string()),
        Just("*".to_string()),
        Just(".tin".to_string()),
        Just(".date".to_string()),
        Just("#main".to_string()),
        Just("[href]".to_string()),
        Just("[class~=tin]".to_string()),
        Just("a[href^=\"http\"]".to_string()),
        Just(":first-child".to_string()),
        Just("li:nth-child(2n+1)".to_string()),
        Just(":not(.x)".to_string()),
        Just(":has(a)".to_string()),
        Just("::before".to_string()),
        Just("svg|a".to_string()),
        "[a-z\\[\\]():.#*>+~,|=\"' -]{1,6}",
    ];
    let combinator = prop::sample::select(vec![" ", " > ", " + ", " ~ ", ", ", ">>", ""]);
    let attribute =
        prop::sample::select(vec!["", "", "@href", "@src", "@title", "@", "@ ", "@on x"]);
    (prop::collection::vec((simple, combinator), 1..4), attribute).prop_map(|(parts, attr)| {
        let mut s: String = parts.into_iter().map(|(a, b)| format!("{a}{b}")).collect();
        s.push_str(attr);
        s
    })
}

fn list_page() -> impl Strategy<Value = String> {
    let piece = prop_oneof![
        Just("<ul class=\"tin\">".to_string()),
        Just("</ul>".to_string()),
        Just("<li>".to_string()),
        Just("</li>".to_string()),
        Just("<div id=\"main\" class=\"tin\">".to_string()),
        Just("</div>".to_string()),
        Just("<a href=\"/tin/1.html\">Công an tỉnh".to_string()),
        Just("<a href=\"javascript:void(0)\">x</a>".to_string()),
        Just("<a href=\"  \n\">".to_string()),
        Just("</a>".to_string()),
        Just("<span class=\"date\">09/05/2026 08:30</span>".to_string()),
        Just("<span class=\"date\">31/02/2026</span>".to_string()),
        Just("<span class=\"date\">99999999999/5/2026 25:61</span>".to_string()),
        Just("<img src=\"data:image/png;base64,AAAA\" title=\"x\">".to_string()),
        Just("<base href=\"javascript:/\">".to_string()),
        Just("<base href=\"https://other.test/\">".to_string()),
        Just("<meta charset=\"windows-1258\">".to_string()),
        Just("<table><tr><td>".to_string()),
        Just("<svg><a href=\"/x\">s</a></svg>".to_string()),
        Just("<!--".to_string()),
        Just("&amp;&#x0;&#1114112;".to_string()),
        "\\PC{0,8}",
        html_piece(),
    ];
    prop::collection::vec(piece, 0..40).prop_map(|p| p.concat())
}

fn date_format() -> impl Strategy<Value = Option<String>> {
    prop_oneof![
        Just(None),
        Just(Some("%d/%m/%Y %H:%M".to_string())),
        Just(Some("%d/%m/%Y".to_string())),
        Just(Some("%Y-%m-%dT%H:%M:%S%z".to_string())),
        Just(Some("%s".to_string())),
        Just(Some("%H:%M".to_string())),
        // Only formats feeds.toml validation lets through reach the rules.
        "(%[dmYyHMSzZbBaApIjs]|[/ :.T-]){0,8}".prop_map(Some),
    ]
}

proptest! {
    #![proptest_config(cases(500))]

    #[test]
    fn scrape_rules_never_panic(
        page in list_page(),
        item in selector(),
        title in selector(),
        link in selector(),
        date in selector(),
        format in date_format(),
    ) {
        // An invalid selector is an error in words, never a panic.
        let (Ok(item), Ok(title), Ok(link)) = (Field::new(&item), Field::new(&title), Field::new(&link)) else {
            return Ok(());
        };
        let rules = ScrapeRules {
            item,
            title: title.clone(),
            link,
            date: Field::new(&date).ok(),
            date_format: format,
            summary: Some(title.clone()),
            author: Field::new("span").ok(),
            image: Field::new("img@src").ok(),
        };
        let scraped = scrape_page(&page, "https://x.test/tin-tuc/", &rules, DateContext::new_source());
        for raw in &scraped.items {
            let link = raw.link.as_deref().unwrap_or_default();
            prop_assert!(link.starts_with("http://") || link.starts_with("https://"), "{}", link);
        }
        let _ = parse_list_page(page.as_bytes(), Some("text/html"), "https://x.test/", &rules, DateContext::new_source());
        let _ = parse_body(page.as_bytes(), None, "https://x.test/", Some(&rules));
    }

    #[test]
    fn selectors_never_panic(written in "\\PC{0,20}") {
        let _ = Field::new(&written);
    }
}

// -------------------------------------------------------------- feeds.toml

fn config_fixtures() -> Vec<String> {
    let root = Path::new(env!("CARGO_MANIFEST_DIR"));
    let mut texts: Vec<String> = ["feeds.toml", "tests/fixtures/merge/feeds.toml"]
        .iter()
        .map(|p| std::fs::read_to_string(root.join(p)).unwrap())
        .collect();
    texts.push(
        "[server]\nlisten = \"127.0.0.1:0\"\nbase_url = \"http://bantin.test/\"\n\
         [store]\npath = \"store\"\nkeep_days = 30\ncache = \"64 MiB\"\n\
         [poll]\nevery = \"15m\"\ntimeout = \"5s\"\nmax_body = \"8 MiB\"\n\
         [[topic]]\nslug = \"an-ninh\"\ntitle = \"An ninh\"\nkeywords = [\"công an\"]\n\
         [[source]]\nid = \"cahg\"\nname = \"Công an\"\nurl = \"https://x.test/\"\nevery = \"1h\"\ntopics = [\"an-ninh\"]\n\
         [source.scrape]\nitem = \"ul > li\"\ntitle = \"a\"\nlink = \"a@href\"\ndate = \"span\"\ndate_format = \"%d/%m/%Y\"\n\
         [source.article]\ncontent = \"div.body\"\n"
            .to_string(),
    );
    texts
}

/// A mutation of TOML text.
#[derive(Debug, Clone)]
enum Edit {
    Truncate(u32),
    Delete(u32, u32),
    Insert(u32, String),
    Flip(u32, u8),
}

fn edits() -> impl Strategy<Value = Vec<Edit>> {
    let token = prop_oneof![
        prop::sample::select(vec![
            "\"",
            "'",
            "\"\"\"",
            "[",
            "]",
            "[[",
            "]]",
            "{",
            "}",
            "=",
            ",",
            "\n",
            "#",
            "\\",
            ".",
            "\"500000000y\"",
            "\"0s\"",
            "\"-1s\"",
            "\"99999999999999 TiB\"",
            "\"1 GiB\"",
            "18446744073709551616",
            "-9223372036854775809",
            "1e400",
            "nan",
            "inf",
            "true",
            "1979-05-27T07:32:00Z",
            "[source.scrape]",
            "[[source]]",
            "[[topic]]",
            "[poll]",
            "[server]",
            "[store]",
            "every = ",
            "url = ",
            "id = ",
            "item = ",
            "date_format = ",
            "keywords = ",
            "\"%Q\"",
            "\"ul >> li\"",
            "\"file:///\"",
            "\"javascript:alert(1)\"",
            "\u{0}",
            "\u{FEFF}",
            "ả",
            "\r",
            "\t",
        ])
        .prop_map(str::to_string),
        "\\PC{0,4}",
    ];
    let one = prop_oneof![
        (0u32..=10_000).prop_map(Edit::Truncate),
        (0u32..10_000, 1u32..200).prop_map(|(a, n)| Edit::Delete(a, n)),
        (0u32..=10_000, token).prop_map(|(a, t)| Edit::Insert(a, t)),
        (0u32..10_000, 1u8..128).prop_map(|(a, x)| Edit::Flip(a, x)),
    ];
    prop::collection::vec(one, 1..6)
}

/// A char boundary at ‱ of `text`.
fn boundary(text: &str, p: u32) -> usize {
    let mut i = at(text.len(), p);
    while !text.is_char_boundary(i) {
        i -= 1;
    }
    i
}

fn edited(mut text: String, edits: &[Edit]) -> String {
    for e in edits {
        match e {
            Edit::Truncate(p) => {
                let i = boundary(&text, *p);
                text.truncate(i);
            }
            Edit::Delete(p, n) => {
                let a = boundary(&text, *p);
                let mut b = (a + *n as usize).min(text.len());
                while !text.is_char_boundary(b) {
                    b += 1;
                }
                text.replace_range(a..b, "");
            }
            Edit::Insert(p, t) => {
                let i = boundary(&text, *p);
                text.insert_str(i, t);
            }
            Edit::Flip(p, x) => {
                // ASCII bytes only, so the text stays UTF-8.
                let i = boundary(&text, *p);
                if let Some(c) = text[i..].chars().next().filter(char::is_ascii) {
                    let flipped = char::from((c as u8 ^ x) & 0x7f);
                    text.replace_range(i..i + 1, flipped.encode_utf8(&mut [0; 4]));
                }
            }
        }
    }
    text
}

proptest! {
    #![proptest_config(cases(600))]

    #[test]
    fn feeds_toml_never_panics_and_every_problem_has_a_place(
        which in any::<usize>(),
        edits in edits(),
    ) {
        let fixtures = config_fixtures();
        let text = edited(fixtures[which % fixtures.len()].clone(), &edits);
        let dir = Path::new("/nonexistent/bantin-properties/feeds.toml");
        if let Err(e) = Config::parse(&text, dir) {
            prop_assert!(!e.problems.is_empty());
            for p in &e.problems {
                prop_assert!(p.line >= 1 && p.column >= 1, "{:?} in\n{}", p, text);
                // The place is inside the text: line and column exist.
                let line = text.split('\n').nth(p.line - 1);
                prop_assert!(line.is_some(), "{:?}", p);
                prop_assert!(p.column <= line.unwrap().chars().count() + 1, "{:?} in\n{}", p, text);
            }
            let shown = e.to_string();
            for line in shown.lines() {
                prop_assert!(line.starts_with("/nonexistent/bantin-properties/feeds.toml:"), "{}", line);
            }
        }
    }
}

// ------------------------------------------------------------ regressions

/// Found by `feed_parser_never_panics_on_damaged_documents`: a second XML
/// declaration naming another encoding (two documents served back to back)
/// made quick-xml panic inside feed-rs, so the source's poll task died.
#[test]
fn feed_with_a_second_declaration_naming_another_encoding_is_read() {
    let doc = "<?xml version=\"1.0\" encoding=\"utf-8\"?>\n<rss version=\"2.0\"><channel><title>Cổng</title>\
        <item><title>Tin một</title><link>https://x.test/1.html</link></item>\
        <?xml version=\"1.0\" encoding=\"windows-1258\"?>\
        <item><title>Tin hai</title><link>https://x.test/2.html</link></item></channel></rss>";
    let parsed = parse_feed(
        doc.as_bytes(),
        Some("application/rss+xml"),
        "https://x.test/rss",
    )
    .unwrap_or_else(|e| panic!("{e}"));
    let titles: Vec<_> = parsed
        .items
        .iter()
        .filter_map(|i| i.title.as_deref())
        .collect();
    assert_eq!(titles, ["Tin một", "Tin hai"]);
}

/// Found by `sanitizer_lets_no_script_handler_or_script_url_through`:
/// ammonia keeps `cite` on `blockquote`, `q`, `del` and `ins` without
/// checking its scheme, so a `javascript:` URL went out in the feed.
#[test]
fn javascript_in_cite_does_not_survive() {
    for tag in ["blockquote", "q", "del", "ins"] {
        let html = format!("<{tag} cite=\"JaVaScRiPt:alert(1)\">Tin</{tag}>");
        let out = sanitize_html(&html, "https://x.test/");
        assert!(!out.to_lowercase().contains("javascript"), "{out}");
        assert_eq!(unsafe_html(&out), None);
    }
}
