//! HTML list pages ("TIN KHÁC", "Tin tức - Sự kiện") as feeds.
//!
//! Owns [`ScrapeRules`], the compiled `[source.scrape]` block of a source,
//! and [`scrape_page`], which applies them to a page: one [`RawItem`] per
//! `item` match, with its title, absolute link, date, summary, author and
//! image. Items without a title or a link are skipped and counted, never
//! fatal; the counts let the pipeline tell a redesigned page ("broken
//! rules") from a quiet one. Uses the `scraper` crate (html5ever), which
//! reads broken markup the way browsers do.

use chrono::{DateTime, Datelike, NaiveDate, NaiveDateTime, TimeZone, Utc};
use scraper::{ElementRef, Html, Selector};
use url::Url;

use super::date::{Reading, parse_date_as, vietnam};
use super::date_order::{self, Role};
use super::{DateContext, ParseError, ParsedFeed};
use crate::model::{DateOrder, RawItem};
use crate::text::clean;

/// One field of an item: a selector within the item, and the attribute to
/// read (`a@href`), or its text when there is none.
#[derive(Debug, Clone)]
pub struct Field {
    pub written: String,
    selector: Selector,
    attribute: Option<String>,
}

impl Field {
    /// Compiles `selector` or `selector@attribute`.
    pub fn new(written: &str) -> Result<Field, String> {
        let (css, attribute) = match written.rsplit_once('@') {
            Some((css, attr)) if !attr.trim().is_empty() => (css, Some(attr.trim().to_string())),
            _ => (written, None),
        };
        let selector = Selector::parse(css.trim())
            .map_err(|e| format!("`{written}` is not a CSS selector: {e}"))?;
        Ok(Field {
            written: written.to_string(),
            selector,
            attribute,
        })
    }

    /// The field's value in one item: the attribute, or the text, of the
    /// first match; `None` when nothing matches or it is blank.
    fn read(&self, item: ElementRef<'_>) -> Option<String> {
        let found = item.select(&self.selector).next()?;
        let value = match &self.attribute {
            Some(attr) => found.value().attr(attr)?.to_string(),
            None => found.text().collect::<Vec<_>>().join(" "),
        };
        let value = clean(&value);
        (!value.is_empty()).then_some(value)
    }
}

/// A source's compiled `[source.scrape]` block.
#[derive(Debug, Clone)]
pub struct ScrapeRules {
    pub item: Field,
    pub title: Field,
    pub link: Field,
    pub date: Option<Field>,
    /// A chrono format for `date`; bantin's own Vietnamese date reading is
    /// the fallback, and the whole rule when this is absent.
    pub date_format: Option<String>,
    pub summary: Option<Field>,
    pub author: Option<Field>,
    pub image: Option<Field>,
}

/// What a page gave, with the counts that tell a healthy page from one
/// whose layout changed.
#[derive(Debug, Clone, Default)]
pub struct ScrapedPage {
    pub items: Vec<RawItem>,
    /// Elements the `item` selector matched.
    pub matched: usize,
    /// Matches without a title or a usable link.
    pub skipped: usize,
    /// Items whose date text was there but could not be read.
    pub dates_failed: usize,
    /// The first date text that could not be read, for the operator.
    pub first_bad_date: Option<String>,
    /// The day/month order the page's dates were read in.
    pub date_order: DateOrder,
}

/// A fetched list page as a feed: decoded (HTTP charset, BOM or `<meta>`,
/// windows-1258 included), scraped, and judged. A page that yields no item
/// is an error naming the rule that failed: the portal was redesigned, and
/// stored stories must not be touched. Most dates unreadable is a warning
/// in `broken_rules`; the items still count.
pub fn parse_list_page(
    bytes: &[u8],
    content_type: Option<&str>,
    page_url: &str,
    rules: &ScrapeRules,
    dates: DateContext,
) -> Result<ParsedFeed, ParseError> {
    let text = super::charset::decode(bytes, content_type).text;
    let page = scrape_page(&text, page_url, rules, dates);
    if page.items.is_empty() {
        return Err(ParseError::BrokenRules(if page.matched == 0 {
            format!(
                "the item selector `{}` matched nothing: has the page's layout changed?",
                rules.item.written
            )
        } else {
            format!(
                "`{}` matched {} elements, but none had both a title (`{}`) and a link (`{}`)",
                rules.item.written, page.matched, rules.title.written, rules.link.written
            )
        }));
    }
    let with_dates = page.items.len();
    let broken_rules = (page.dates_failed * 2 > with_dates).then(|| {
        format!(
            "{} of {} dates could not be read{} (first: \"{}\")",
            page.dates_failed,
            with_dates,
            rules
                .date_format
                .as_deref()
                .map(|f| format!(" with `{f}`"))
                .unwrap_or_default(),
            page.first_bad_date.as_deref().unwrap_or_default()
        )
    });
    Ok(ParsedFeed {
        title: None,
        items: page.items,
        hints: Default::default(),
        partial: (page.skipped > 0).then(|| {
            format!(
                "{} of {} list entries had no title or link and were skipped",
                page.skipped, page.matched
            )
        }),
        broken_rules,
        date_order: page.date_order,
    })
}

/// Applies `rules` to a page fetched from `page_url`; `dates` says how the
/// source's numeric dates were read before.
pub fn scrape_page(
    html: &str,
    page_url: &str,
    rules: &ScrapeRules,
    dates: DateContext,
) -> ScrapedPage {
    // Bounded: HTML5 tree building is quadratic in nesting depth.
    let (html, _) = crate::text::nesting::bound_page(html);
    let page = Html::parse_document(&html);
    let base = base_url(&page, page_url);
    let mut scraped = ScrapedPage::default();
    // The page's dates are weighed together before any is read (see
    // `date_order`): one CMS writes them all in one order.
    let date_texts: Vec<String> = match &rules.date {
        Some(field) => page
            .select(&rules.item.selector)
            .filter_map(|e| field.read(e))
            .collect(),
        None => Vec::new(),
    };
    let decision = date_order::decide(
        date_texts.iter().map(|t| (Role::Item, t.as_str())),
        dates.prior,
        dates.fetched,
    );
    scraped.date_order = decision.order;
    let reading = decision.reading(dates.fetched);
    for element in page.select(&rules.item.selector) {
        scraped.matched += 1;
        let title = rules.title.read(element);
        let link = rules
            .link
            .read(element)
            .and_then(|href| absolute(&base, &href));
        let (Some(title), Some(link)) = (title, link) else {
            scraped.skipped += 1;
            continue;
        };
        let date_text = rules.date.as_ref().and_then(|d| d.read(element));
        let published = date_text
            .as_deref()
            .and_then(|t| read_date(t, rules.date_format.as_deref(), reading, dates.fetched));
        if let (Some(text), None) = (&date_text, published) {
            scraped.dates_failed += 1;
            scraped.first_bad_date.get_or_insert_with(|| text.clone());
        }
        let image = rules
            .image
            .as_ref()
            .and_then(|f| f.read(element))
            .and_then(|src| absolute(&base, &src));
        let summary = rules.summary.as_ref().and_then(|f| f.read(element));
        let summary = match (summary, image) {
            (Some(text), Some(src)) => Some(format!(
                "<p><img src=\"{}\"></p><p>{}</p>",
                html_escape::encode_double_quoted_attribute(&src),
                html_escape::encode_text(&text)
            )),
            (None, Some(src)) => Some(format!(
                "<p><img src=\"{}\"></p>",
                html_escape::encode_double_quoted_attribute(&src)
            )),
            (Some(text), None) => Some(html_escape::encode_text(&text).into_owned()),
            (None, None) => None,
        };
        scraped.items.push(RawItem {
            guid: None,
            title: Some(html_escape::encode_text(&title).into_owned()),
            link: Some(link),
            summary,
            content: None,
            published,
            updated: None,
            authors: rules
                .author
                .as_ref()
                .and_then(|f| f.read(element))
                .into_iter()
                .collect(),
            categories: Vec::new(),
        });
    }
    scraped
}

/// The page's `<base href>`, resolved against its own URL, else its URL.
fn base_url(page: &Html, page_url: &str) -> Option<Url> {
    let own = Url::parse(page_url).ok();
    let declared = Selector::parse("base[href]").ok().and_then(|s| {
        page.select(&s)
            .next()
            .and_then(|b| b.value().attr("href"))
            .map(str::to_string)
    });
    // A `<base>` that is no web address (`javascript:`) would turn every
    // relative link into one: the page's own address serves instead.
    let resolved = match (declared, &own) {
        (Some(href), Some(own)) => own.join(href.trim()).ok(),
        (Some(href), None) => Url::parse(href.trim()).ok(),
        (None, _) => None,
    };
    resolved.filter(|b| same_kind(b, own.as_ref())).or(own)
}

/// Whether `url` is a web address, or a local file beside a local page:
/// what a page may point a reader or a poll at.
fn same_kind(url: &Url, page: Option<&Url>) -> bool {
    matches!(url.scheme(), "http" | "https")
        || (url.scheme() == "file" && page.is_some_and(|p| p.scheme() == "file"))
}

/// A link as a browser would follow it; `None` for `javascript:`,
/// `mailto:` and anything else that is not a web page.
fn absolute(base: &Option<Url>, href: &str) -> Option<String> {
    let href: String = href.split_whitespace().collect::<Vec<_>>().join("%20");
    let url = match base {
        Some(b) => b.join(&href).ok()?,
        None => Url::parse(&href).ok()?,
    };
    matches!(url.scheme(), "http" | "https").then(|| url.into())
}

/// A list page's date: the configured format first (zone-less means
/// Vietnam time), then bantin's reading of the Vietnamese spellings.
fn read_date(
    text: &str,
    format: Option<&str>,
    reading: Reading,
    fetched: DateTime<Utc>,
) -> Option<DateTime<Utc>> {
    // Portals put `&nbsp;` between date and time; the text is cleaned,
    // so it is a plain space here.
    if let Some(format) = format {
        if let Ok(t) = DateTime::parse_from_str(text, format) {
            return Some(t.with_timezone(&Utc));
        }
        let local = NaiveDateTime::parse_from_str(text, format)
            .ok()
            .or_else(|| {
                NaiveDate::parse_from_str(text, format)
                    .ok()
                    .and_then(|d| d.and_hms_opt(0, 0, 0))
            });
        if let Some(local) = local {
            return vietnam()
                .from_local_datetime(&local)
                .single()
                .map(|t| t.with_timezone(&Utc));
        }
    }
    parse_date_as(text, reading).or_else(|| without_year(text, fetched))
}

/// "Ngày 03/8", "03/8", "9.5": a day and month with no year, as list
/// pages and leads write them. The year is the one that puts the date
/// most recently in the past (a list page shows recent news), in Vietnam
/// time.
fn without_year(text: &str, now: DateTime<Utc>) -> Option<DateTime<Utc>> {
    let lower = text.trim().to_lowercase();
    let rest = lower.strip_prefix("ngày").unwrap_or(&lower).trim();
    let (day, month) = rest.split_once(['/', '.', '-'])?;
    let (day, month): (u32, u32) = (day.trim().parse().ok()?, month.trim().parse().ok()?);
    let today = now.with_timezone(&vietnam()).date_naive();
    let this_year = NaiveDate::from_ymd_opt(today.year(), month, day)?;
    let date = if this_year > today {
        NaiveDate::from_ymd_opt(today.year() - 1, month, day)?
    } else {
        this_year
    };
    vietnam()
        .from_local_datetime(&date.and_hms_opt(0, 0, 0)?)
        .single()
        .map(|t| t.with_timezone(&Utc))
}

/// The feeds an HTML page advertises with `<link rel="alternate">`, as
/// absolute URLs: what the operator should have configured instead.
pub fn advertised_feeds(html: &str, base: &str) -> Vec<String> {
    let (html, _) = crate::text::nesting::bound_page(html);
    let page = scraper::Html::parse_document(&html);
    let Ok(links) = scraper::Selector::parse("link[rel~=alternate][href]") else {
        return Vec::new();
    };
    let base = url::Url::parse(base).ok();
    page.select(&links)
        .filter(|l| {
            let kind = l
                .value()
                .attr("type")
                .unwrap_or_default()
                .to_ascii_lowercase();
            kind.contains("rss") || kind.contains("atom") || kind.contains("feed+json")
        })
        .filter_map(|l| {
            let href = l.value().attr("href")?.trim();
            let url = match &base {
                Some(b) => b.join(href).ok()?,
                None => url::Url::parse(href).ok()?,
            };
            // Only what bantin could poll: never `javascript:` or `data:`.
            same_kind(&url, base.as_ref()).then(|| String::from(url))
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    fn rules() -> ScrapeRules {
        ScrapeRules {
            item: Field::new("ul.news > li").unwrap(),
            title: Field::new("a").unwrap(),
            link: Field::new("a@href").unwrap(),
            date: Some(Field::new(".date").unwrap()),
            date_format: Some("%d/%m/%Y %H:%M".into()),
            summary: Some(Field::new("p").unwrap()),
            author: None,
            image: None,
        }
    }

    const PAGE: &str = r#"<html><body><ul class="news">
        <li><a href="/tin/1.html">Tin &amp; sự kiện</a><span class="date">20/11/2026&nbsp;09:24</span><p>Lead...</p></li>
        <li><span>Không có liên kết</span></li>
        <li><a href="javascript:__doPostBack('p','2')">2</a></li>
        <li><a href="tin/2.html">Tin hai</a><span class="date">hôm qua</span></li>
        </ul></body></html>"#;

    #[test]
    fn items_links_and_dates() {
        let page = scrape_page(
            PAGE,
            "https://soyte.test/tin-tuc/tin-hoat-dong",
            &rules(),
            DateContext::new_source(),
        );
        assert_eq!((page.matched, page.skipped), (4, 2));
        assert_eq!(page.items.len(), 2);
        let first = &page.items[0];
        assert_eq!(first.title.as_deref(), Some("Tin &amp; sự kiện"));
        assert_eq!(first.link.as_deref(), Some("https://soyte.test/tin/1.html"));
        assert_eq!(
            first.published.map(|d| d.to_rfc3339()).as_deref(),
            Some("2026-11-20T02:24:00+00:00")
        );
        assert_eq!(
            page.items[1].link.as_deref(),
            Some("https://soyte.test/tin-tuc/tin/2.html")
        );
        assert_eq!(
            (page.dates_failed, page.first_bad_date.as_deref()),
            (1, Some("hôm qua"))
        );
    }

    #[test]
    fn one_cell_over_12_settles_the_whole_page_month_first() {
        let html = r#"<ul class="news">
            <li><a href="/1">Một</a><span class="date">9/5/2026 1:30 PM</span></li>
            <li><a href="/2">Hai</a><span class="date">8/28/2026 12:49 PM</span></li>
            </ul>"#;
        let rules = ScrapeRules {
            date_format: None,
            ..rules()
        };
        let page = scrape_page(html, "https://bcp.test/", &rules, DateContext::new_source());
        assert_eq!(page.date_order, DateOrder::MonthFirst);
        assert_eq!(
            page.items[0].published.map(|d| d.to_rfc3339()).as_deref(),
            Some("2026-09-05T06:30:00+00:00")
        );
    }

    #[test]
    fn base_href_wins_over_the_page_url() {
        let html = r#"<html><head><base href="https://congan.test/tin-tuc/"></head><body>
            <ul class="news"><li><a href="an-ninh/1.html">Tin</a></li></ul></body></html>"#;
        let page = scrape_page(
            html,
            "https://congan.test/trang-chu/index.aspx",
            &rules(),
            DateContext::new_source(),
        );
        assert_eq!(
            page.items[0].link.as_deref(),
            Some("https://congan.test/tin-tuc/an-ninh/1.html")
        );
    }

    #[test]
    fn bad_selector_is_an_error_naming_it() {
        let err = Field::new("ul >> li").unwrap_err();
        assert!(err.starts_with("`ul >> li` is not a CSS selector"), "{err}");
    }

    #[test]
    fn day_and_month_take_the_most_recent_year() {
        let now = Utc.with_ymd_and_hms(2026, 11, 28, 3, 0, 0).unwrap();
        let date = |t| without_year(t, now).map(|d| d.to_rfc3339());
        assert_eq!(
            date("Ngày 03/8").as_deref(),
            Some("2026-08-02T17:00:00+00:00")
        );
        assert_eq!(date("9.5").as_deref(), Some("2026-05-08T17:00:00+00:00"));
        // Still to come this year: it was last year's.
        assert_eq!(
            date("ngày 24/12").as_deref(),
            Some("2025-12-23T17:00:00+00:00")
        );
        assert_eq!(date("31/2"), None);
        assert_eq!(date("hôm qua"), None);
    }

    #[test]
    fn attribute_after_at() {
        let field = Field::new("img.thumb@data-src").unwrap();
        assert_eq!(field.attribute.as_deref(), Some("data-src"));
    }

    #[test]
    fn a_script_base_is_ignored_for_the_pages_own_address() {
        let html = r#"<base href="javascript:alert(1)//"><ul class="news">
            <li><a href="/tin/1.html">Một</a></li></ul>"#;
        let page = scrape_page(
            html,
            "https://x.test/list",
            &rules(),
            DateContext::new_source(),
        );
        assert_eq!(page.items.len(), 1);
        assert_eq!(
            page.items[0].link.as_deref(),
            Some("https://x.test/tin/1.html")
        );
    }

    #[test]
    fn only_pollable_feeds_are_advertised() {
        let html = r#"<link rel="alternate" type="application/rss+xml" href="javascript:alert(1)">
            <link rel="alternate" type="application/atom+xml" href="data:application/atom+xml,x">
            <link rel="alternate" type="application/rss+xml" href="/rss.xml">"#;
        assert_eq!(
            advertised_feeds(html, "https://x.test/"),
            ["https://x.test/rss.xml"]
        );
        let local = advertised_feeds(html, "file:///srv/demo/index.html");
        assert_eq!(local, ["file:///rss.xml"]);
    }
}
