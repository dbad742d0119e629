//! From [`RawConfig`] to [`Config`]: every check, every default, and the
//! line and column of every problem. Validation never stops at the first
//! problem: the operator fixes the whole file in one pass.

use std::collections::HashSet;
use std::net::SocketAddr;
use std::ops::Range;
use std::path::{Path, PathBuf};
use std::str::FromStr;
use std::sync::Arc;
use std::time::Duration;

use toml::Spanned;
use url::Url;

use super::raw::{RawConfig, RawPoll, RawScrape, RawSource, RawTopic};
use super::{
    ALL_TOPIC, Config, ConfigError, Engine, PollSettings, Problem, ServerSettings, Source,
    StoreSettings, Topic,
};
use crate::pipeline::parse::article::ArticleRule;
use crate::pipeline::parse::scrape::{Field, ScrapeRules};
use crate::text::keywords::{Keyword, Rules};

const DEFAULT_LISTEN: &str = "127.0.0.1:8088";
const DEFAULT_CONTACT: &str = "https://github.com/bantin/bantin";

pub(super) fn validate(text: &str, path: &Path) -> Result<Config, ConfigError> {
    let mut check = Checker {
        text,
        problems: Vec::new(),
    };
    let raw: RawConfig = match toml::from_str(text) {
        Ok(raw) => raw,
        Err(e) => {
            check.problem(e.span(), e.message().trim_end().to_string());
            return Err(check.into_error(path));
        }
    };
    let dir = path.parent().map(Path::to_path_buf).unwrap_or_default();

    let listen = match &raw.server.listen {
        Some(s) => check.parse_with(s, |v| {
            SocketAddr::from_str(v)
                .map_err(|_| format!("`{v}` is not an address:port such as \"127.0.0.1:8088\""))
        }),
        None => SocketAddr::from_str(DEFAULT_LISTEN).ok(),
    };
    let base_url = match &raw.server.base_url {
        Some(s) => check.parse_with(s, parse_base_url),
        None => listen.and_then(|l| Url::parse(&format!("http://{l}/")).ok()),
    };

    let websub_hub = raw
        .server
        .websub_hub
        .as_ref()
        .and_then(|s| check.parse_with(s, parse_hub_url));
    if let (Some(hub), None) = (&raw.server.websub_hub, &raw.server.base_url) {
        // The hub fetches the feeds it is told of from their `rel="self"`
        // address: one made up from `listen` (127.0.0.1 by default) is
        // not one it can reach.
        check.problem(
            Some(hub.span()),
            "`websub_hub` needs `base_url` in [server]: the public address the hub fetches the feeds from".into(),
        );
    }

    let shutdown_timeout = raw.server.shutdown_timeout.as_ref().and_then(|v| {
        check.parse_with(v, |s| match parse_duration(s)? {
            d if d > MAX_SHUTDOWN_TIMEOUT => Err(format!(
                "`{s}` is longer than an hour; a stop that waits longer is a hung stop"
            )),
            d => Ok(d),
        })
    });
    let shutdown_timeout = shutdown_timeout.unwrap_or(DEFAULT_SHUTDOWN_TIMEOUT);
    let max_connections = check
        .count(
            raw.server.max_connections.as_ref(),
            DEFAULT_MAX_CONNECTIONS,
            "max_connections",
            MAX_CONCURRENCY,
        )
        .unwrap_or(DEFAULT_MAX_CONNECTIONS);

    let store = StoreSettings {
        path: raw
            .store
            .path
            .as_ref()
            .map(|p| dir.join(p.get_ref()))
            .unwrap_or_else(|| dir.join("data")),
        engine: raw.store.engine.as_ref().and_then(|v| {
            check.parse_with(v, |s| {
                Engine::parse(s)
                    .ok_or_else(|| format!("engine = {s:?}: the engines are \"redb\" and \"sled\""))
            })
        }),
        keep_days: check
            .count(
                raw.store.keep_days.as_ref(),
                365,
                "keep_days",
                MAX_KEEP_DAYS,
            )
            .unwrap_or(365) as u32,
        feed_size: check
            .count(raw.store.feed_size.as_ref(), 50, "feed_size", MAX_FEED_SIZE)
            .unwrap_or(50),
        cache: raw
            .store
            .cache
            .as_ref()
            .and_then(|v| check.parse_with(v, |s| size_within(s, "cache", MAX_CACHE)))
            .unwrap_or(crate::config::DEFAULT_CACHE),
        index_memory: raw
            .store
            .index_memory
            .as_ref()
            .and_then(|v| check.parse_with(v, |s| size_within(s, "index_memory", MAX_CACHE)))
            .unwrap_or(crate::config::DEFAULT_INDEX_MEMORY),
        search_memory: raw
            .store
            .search_memory
            .as_ref()
            .and_then(|v| check.parse_with(v, |s| size_within(s, "search_memory", MAX_CACHE)))
            .unwrap_or(crate::config::DEFAULT_SEARCH_MEMORY),
    };

    let poll = check.poll(&raw.poll);
    let topics = check.topics(&raw.topics);
    let topic_slugs: HashSet<&str> = topics.iter().map(|t| t.slug.as_str()).collect();
    let sources = check.sources(&raw.sources, &poll, &topic_slugs, &dir);

    match (listen, base_url, check.problems.is_empty()) {
        (Some(listen), Some(base_url), true) => Ok(Config {
            path: path.to_path_buf(),
            server: ServerSettings {
                listen,
                base_url,
                shutdown_timeout,
                max_connections,
                websub_hub,
            },
            store,
            poll,
            topics,
            sources,
        }),
        _ => Err(check.into_error(path)),
    }
}

struct Checker<'a> {
    text: &'a str,
    problems: Vec<Problem>,
}

impl Checker<'_> {
    fn problem(&mut self, span: Option<Range<usize>>, message: String) {
        let (line, column) = span.map_or((0, 0), |s| line_column(self.text, s.start));
        self.problems.push(Problem {
            line,
            column,
            message: one_line(&message),
        });
    }

    fn into_error(mut self, path: &Path) -> ConfigError {
        self.problems.sort_by_key(|p| (p.line, p.column));
        ConfigError {
            path: path.to_path_buf(),
            problems: self.problems,
        }
    }

    fn parse_with<T>(
        &mut self,
        value: &Spanned<String>,
        parse: impl FnOnce(&str) -> Result<T, String>,
    ) -> Option<T> {
        match parse(value.get_ref()) {
            Ok(v) => Some(v),
            Err(message) => {
                self.problem(Some(value.span()), message);
                None
            }
        }
    }

    /// A duration above 0 and at most `max`: past the bounds, the sums of
    /// the schedule overflow (a poll task once panicked on `"300000y"`).
    fn duration(
        &mut self,
        value: Option<&Spanned<String>>,
        default: Duration,
        key: &str,
        max: Duration,
    ) -> Duration {
        value
            .and_then(|v| {
                self.parse_with(v, |s| {
                    parse_duration(s).and_then(|d| duration_within(s, d, key, max))
                })
            })
            .unwrap_or(default)
    }

    fn count(
        &mut self,
        value: Option<&Spanned<i64>>,
        default: usize,
        key: &str,
        max: usize,
    ) -> Option<usize> {
        let Some(v) = value else {
            return Some(default);
        };
        match usize::try_from(*v.get_ref()) {
            Ok(n) if n > 0 && n <= max => Some(n),
            _ => {
                self.problem(
                    Some(v.span()),
                    format!("`{key}` must be a whole number from 1 to {max}"),
                );
                None
            }
        }
    }

    fn poll(&mut self, raw: &RawPoll) -> PollSettings {
        let max_body = raw
            .max_body
            .as_ref()
            .and_then(|v| self.parse_with(v, |s| size_within(s, "max_body", MAX_SIZE)))
            .unwrap_or(8 * 1024 * 1024);
        let poll = PollSettings {
            every: self.duration(
                raw.every.as_ref(),
                Duration::from_secs(15 * 60),
                "every",
                MAX_INTERVAL,
            ),
            min_every: self.duration(
                raw.min_every.as_ref(),
                Duration::from_secs(5 * 60),
                "min_every",
                MAX_INTERVAL,
            ),
            max_every: self.duration(
                raw.max_every.as_ref(),
                Duration::from_secs(6 * 3600),
                "max_every",
                MAX_INTERVAL,
            ),
            timeout: self.duration(
                raw.timeout.as_ref(),
                Duration::from_secs(30),
                "timeout",
                MAX_WAIT,
            ),
            concurrency: self
                .count(raw.concurrency.as_ref(), 16, "concurrency", MAX_CONCURRENCY)
                .unwrap_or(16),
            per_host: self
                .count(raw.per_host.as_ref(), 2, "per_host", MAX_CONCURRENCY)
                .unwrap_or(2),
            host_gap: match &raw.host_gap {
                // A gap of zero is a valid choice (no gap), unlike an interval.
                Some(v) => self
                    .parse_with(v, |s| {
                        humantime::parse_duration(s)
                            .map_err(|e| duration_message(s, &e))
                            .and_then(|d| duration_within(s, d, "host_gap", MAX_WAIT))
                    })
                    .unwrap_or_default(),
                None => Duration::from_secs(1),
            },
            max_body,
            min_rate: raw
                .min_rate
                .as_ref()
                .and_then(|v| self.parse_with(v, |s| size_within(s, "min_rate", MAX_SIZE)))
                .unwrap_or(1024),
            rate_window: self.duration(
                raw.rate_window.as_ref(),
                Duration::from_secs(10),
                "rate_window",
                MAX_WAIT,
            ),
            // Portal admins who see bantin in their logs should find who
            // runs it: the User-Agent names bantin and a contact.
            user_agent: match (&raw.user_agent, &raw.contact) {
                (Some(ua), _) => ua.get_ref().clone(),
                (None, contact) => format!(
                    "bantin/{} (+{})",
                    env!("CARGO_PKG_VERSION"),
                    contact
                        .as_ref()
                        .map_or(DEFAULT_CONTACT, |c| c.get_ref().as_str())
                ),
            },
            allow_no_sources: raw.allow_no_sources.unwrap_or(false),
        };
        if poll.min_every > poll.max_every {
            self.problem(
                raw.min_every.as_ref().map(Spanned::span),
                "`min_every` is longer than `max_every`".to_string(),
            );
        }
        poll
    }

    fn topics(&mut self, raw: &[RawTopic]) -> Vec<Topic> {
        let mut seen = HashSet::new();
        let mut topics = Vec::new();
        for t in raw {
            let slug = t.slug.get_ref();
            if !is_slug(slug) {
                self.problem(
                    Some(t.slug.span()),
                    format!(
                        "topic slug `{slug}` must be lowercase ASCII letters, digits and dashes (it is a URL path)"
                    ),
                );
            } else if slug == ALL_TOPIC {
                self.problem(
                    Some(t.slug.span()),
                    format!("topic `{ALL_TOPIC}` is built in: every story is in it"),
                );
            } else if !seen.insert(slug.clone()) {
                self.problem(
                    Some(t.slug.span()),
                    format!("topic `{slug}` is defined twice"),
                );
            }
            let keywords = self.keywords(&t.keywords);
            let exclude = self.keywords(&t.exclude);
            topics.push(Topic {
                slug: slug.clone(),
                title: t.title.clone().unwrap_or_else(|| slug.clone()),
                rules: Rules::new(keywords, exclude, t.categories.clone()),
            });
        }
        topics.push(Topic {
            slug: ALL_TOPIC.to_string(),
            title: "Tất cả tin".to_string(),
            rules: Rules::everything(),
        });
        topics
    }

    fn keywords(&mut self, raw: &[Spanned<String>]) -> Vec<Keyword> {
        let mut keywords = Vec::new();
        for k in raw {
            let written = k.get_ref();
            if !written.starts_with("re:") && crate::text::Tokens::of(written).is_empty() {
                self.problem(
                    Some(k.span()),
                    format!("keyword `{written}` has no letters or digits"),
                );
            } else if let Some(keyword) = self.parse_with(k, Keyword::new) {
                keywords.push(keyword);
            }
        }
        keywords
    }

    fn sources(
        &mut self,
        raw: &[RawSource],
        poll: &PollSettings,
        topics: &HashSet<&str>,
        dir: &Path,
    ) -> Vec<Source> {
        let mut seen = HashSet::new();
        let mut sources = Vec::new();
        for s in raw {
            let id = s.id.get_ref();
            if !is_slug(id) {
                self.problem(
                    Some(s.id.span()),
                    format!("source id `{id}` must be lowercase ASCII letters, digits and dashes"),
                );
            } else if !seen.insert(id.clone()) {
                self.problem(Some(s.id.span()), format!("source `{id}` is defined twice"));
            }
            for t in &s.topics {
                if !topics.contains(t.get_ref().as_str()) {
                    self.problem(
                        Some(t.span()),
                        format!(
                            "source `{id}` names topic `{}`, which no [[topic]] defines",
                            t.get_ref()
                        ),
                    );
                }
            }
            let url = self.parse_with(&s.url, |u| parse_source_url(u, dir));
            let every = self.duration(s.every.as_ref(), poll.every, "every", MAX_INTERVAL);
            let ca_file = s.ca_file.as_ref().and_then(|f| {
                let path = dir.join(f.get_ref());
                match std::fs::metadata(&path) {
                    Ok(_) => Some(path),
                    Err(e) => {
                        self.problem(
                            Some(f.span()),
                            format!("cannot read ca_file `{}`: {e}", path.display()),
                        );
                        None
                    }
                }
            });
            let scrape = s.scrape.as_ref().and_then(|raw| self.scrape(raw));
            let article = s
                .article
                .as_ref()
                .and_then(|a| self.parse_with(a, ArticleRule::new));
            if let Some(url) = url {
                sources.push(Source {
                    id: id.clone(),
                    name: s.name.clone().unwrap_or_else(|| id.clone()),
                    url,
                    topics: s.topics.iter().map(|t| t.get_ref().clone()).collect(),
                    every,
                    priority: s.priority,
                    ca_file,
                    insecure_tls: s.insecure_tls,
                    allow_private: s.allow_private,
                    scrape: scrape.map(Arc::new),
                    article: article.map(Arc::new),
                });
            }
        }
        sources
    }
}

impl Checker<'_> {
    /// Compiles a `[source.scrape]` block; every bad selector or format is
    /// reported where it is written.
    fn scrape(&mut self, raw: &RawScrape) -> Option<ScrapeRules> {
        let mut field = |v: &Spanned<String>| self.parse_with(v, Field::new);
        // Every field is checked before any `?`, so all problems are told.
        let (item, title, link) = (field(&raw.item), field(&raw.title), field(&raw.link));
        // `Some(None)`: not given; `None`: given and wrong.
        let mut optional = |v: &Option<Spanned<String>>| match v {
            Some(v) => field(v).map(Some),
            None => Some(None),
        };
        let (date, summary) = (optional(&raw.date), optional(&raw.summary));
        let (author, image) = (optional(&raw.author), optional(&raw.image));
        let date_format = match &raw.date_format {
            Some(f) => self.parse_with(f, check_date_format).map(Some),
            None => Some(None),
        };
        Some(ScrapeRules {
            item: item?,
            title: title?,
            link: link?,
            date: date?,
            date_format: date_format?,
            summary: summary?,
            author: author?,
            image: image?,
        })
    }
}

/// A chrono format with no unknown `%` specifier.
fn check_date_format(format: &str) -> Result<String, String> {
    use chrono::format::{Item, StrftimeItems};
    if StrftimeItems::new(format).any(|i| matches!(i, Item::Error)) {
        return Err(format!(
            "`{format}` is not a date format such as \"%d/%m/%Y %H:%M\""
        ));
    }
    Ok(format.to_string())
}

/// A message on one line: a value it quotes may hold a newline or other
/// control characters (`slug = "a\nb"`), which are shown escaped so
/// every problem stays one `path:line:column: message` line.
fn one_line(message: &str) -> String {
    if !message.chars().any(char::is_control) {
        return message.to_string();
    }
    message
        .chars()
        .map(|c| match c {
            c if c.is_control() => c.escape_default().to_string(),
            c => c.to_string(),
        })
        .collect()
}

/// 1-based line and column (in characters) of a byte offset.
fn line_column(text: &str, offset: usize) -> (usize, usize) {
    let before = &text[..offset.min(text.len())];
    let line = before.matches('\n').count() + 1;
    let line_start = before.rfind('\n').map_or(0, |i| i + 1);
    let column = before[line_start..].chars().count() + 1;
    (line, column)
}

fn is_slug(s: &str) -> bool {
    !s.is_empty()
        && s.bytes()
            .all(|b| b.is_ascii_lowercase() || b.is_ascii_digit() || b == b'-' || b == b'_')
}

fn duration_message(s: &str, e: &humantime::DurationError) -> String {
    format!("`{s}` is not a duration such as \"90s\", \"15m\" or \"2h\" ({e})")
}

/// How long a stop waits for requests and writes in flight by default:
/// under systemd's `TimeoutStopSec` in the shipped unit (15 s), so bantin
/// flushes its store before systemd would kill it.
const DEFAULT_SHUTDOWN_TIMEOUT: Duration = Duration::from_secs(10);
const MAX_SHUTDOWN_TIMEOUT: Duration = Duration::from_secs(3600);
/// Readers poll a feed every few minutes: a thousand connections at once
/// is far more than a bulletin's audience needs, and far less than the
/// descriptors a daemon of thousands of sources keeps for its polls.
const DEFAULT_MAX_CONNECTIONS: usize = 1024;

/// The longest interval between two polls: a year (humantime's `1y` is
/// 365.25 days). Beyond it a source is
/// better removed, and the schedule's date sums stay far from overflow.
const MAX_INTERVAL: Duration = Duration::from_secs(366 * 24 * 3600);
/// The longest request timeout, host gap or rate window.
const MAX_WAIT: Duration = Duration::from_secs(3600);
/// The largest body or rate.
const MAX_SIZE: u64 = 1024 * 1024 * 1024;
/// The largest page cache.
const MAX_CACHE: u64 = 64 * 1024 * 1024 * 1024;
/// A century.
const MAX_KEEP_DAYS: usize = 36_525;
const MAX_FEED_SIZE: usize = 10_000;
const MAX_CONCURRENCY: usize = 65_536;

fn duration_within(s: &str, d: Duration, key: &str, max: Duration) -> Result<Duration, String> {
    if d > max {
        return Err(format!(
            "`{key}` = `{s}` is longer than {}, the most it may be",
            whole_units(max)
        ));
    }
    Ok(d)
}

/// "365 days", "1h": humantime would write a year as 11 months and more.
fn whole_units(d: Duration) -> String {
    match d.as_secs() {
        s if s % 86_400 == 0 => format!("{} days", s / 86_400),
        s if s % 3600 == 0 => format!("{}h", s / 3600),
        s => format!("{s}s"),
    }
}

fn size_within(s: &str, key: &str, max: u64) -> Result<u64, String> {
    let size = parse_size(s)?;
    if size > max {
        return Err(format!(
            "`{key}` = `{s}` is larger than {}, the most it may be",
            bytesize::ByteSize::b(max).display().iec()
        ));
    }
    Ok(size)
}

fn parse_duration(s: &str) -> Result<Duration, String> {
    match humantime::parse_duration(s) {
        Ok(d) if d.is_zero() => Err(format!("`{s}` is zero; give a duration above 0")),
        Ok(d) => Ok(d),
        Err(e) => Err(duration_message(s, &e)),
    }
}

fn parse_size(s: &str) -> Result<u64, String> {
    match bytesize::ByteSize::from_str(s) {
        Ok(size) if size.as_u64() > 0 => Ok(size.as_u64()),
        Ok(_) => Err(format!("`{s}` is zero; give a size above 0")),
        Err(_) => Err(format!(
            "`{s}` is not a size such as \"8 MiB\" or \"512 KiB\""
        )),
    }
}

fn parse_base_url(s: &str) -> Result<Url, String> {
    let mut url = Url::parse(s).map_err(|e| format!("`{s}` is not an absolute URL ({e})"))?;
    if !matches!(url.scheme(), "http" | "https") {
        return Err(format!("`{s}` must be an http or https URL"));
    }
    if !url.path().ends_with('/') {
        let path = format!("{}/", url.path());
        url.set_path(&path);
    }
    Ok(url)
}

/// A hub is reached over http or https, at a host.
fn parse_hub_url(s: &str) -> Result<Url, String> {
    let url = Url::parse(s).map_err(|e| format!("`{s}` is not an absolute URL ({e})"))?;
    match url.scheme() {
        "http" | "https" if url.host_str().is_some() => Ok(url),
        "http" | "https" => Err(format!("`{s}` has no host")),
        _ => Err(format!("`{s}` must be an http or https URL")),
    }
}

/// Source URLs are http(s), or `file:` for bundled and local feeds. A
/// `file:` URL without a leading `/` is relative to feeds.toml's directory,
/// so the offline demo works from any checkout.
fn parse_source_url(s: &str, dir: &Path) -> Result<Url, String> {
    if let Some(rest) = s.strip_prefix("file:").filter(|r| !r.starts_with('/')) {
        let path: PathBuf = dir.join(rest);
        // Canonical when the file exists (no `..` on the status page);
        // a file that appears later still gets an absolute path.
        let absolute = std::fs::canonicalize(&path)
            .or_else(|_| std::path::absolute(&path))
            .map_err(|e| format!("cannot resolve `{}`: {e}", path.display()))?;
        return Url::from_file_path(&absolute)
            .map_err(|()| format!("`{s}` is not a usable file path"));
    }
    let url = Url::parse(s).map_err(|e| format!("`{s}` is not an absolute URL ({e})"))?;
    match url.scheme() {
        "http" | "https" if url.host_str().is_some() => Ok(url),
        "http" | "https" => Err(format!("`{s}` has no host")),
        "file" => Ok(url),
        other => Err(format!(
            "`{s}` uses `{other}:`; a source URL is http, https or file"
        )),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn problems(text: &str) -> Vec<Problem> {
        match validate(text, Path::new("feeds.toml")) {
            Ok(_) => Vec::new(),
            Err(e) => e.problems,
        }
    }

    #[test]
    fn empty_file_is_a_valid_config_with_defaults() {
        let config = validate("", Path::new("/etc/bantin/feeds.toml")).unwrap();
        assert_eq!(config.server.listen.to_string(), "127.0.0.1:8088");
        assert_eq!(config.server.base_url.as_str(), "http://127.0.0.1:8088/");
        assert_eq!(config.store.path, Path::new("/etc/bantin/data"));
        assert_eq!(config.poll.max_body, 8 * 1024 * 1024);
        assert_eq!(config.store.cache, 8 * 1024 * 1024);
        assert_eq!(config.topics.last().unwrap().slug, ALL_TOPIC);
    }

    #[test]
    fn store_cache_is_a_size() {
        let config = validate("[store]\ncache = \"64 MiB\"\n", Path::new("feeds.toml")).unwrap();
        assert_eq!(config.store.cache, 64 * 1024 * 1024);
        let found = problems("[store]\ncache = \"lots\"\n");
        assert_eq!(found.len(), 1);
        assert_eq!((found[0].line, found[0].column), (2, 9));
    }

    #[test]
    fn index_memory_is_a_size() {
        let config = validate("[store]\nindex_memory = \"8 MiB\"\n", Path::new("f.toml")).unwrap();
        assert_eq!(config.store.index_memory, 8 * 1024 * 1024);
        let found = problems("[store]\nindex_memory = \"much\"\n");
        assert_eq!(found.len(), 1);
        assert_eq!(found[0].line, 2);
    }

    #[test]
    fn store_engine_is_redb_or_sled_and_unset_by_default() {
        assert_eq!(
            validate("", Path::new("f.toml")).unwrap().store.engine,
            None
        );
        let config = validate("[store]\nengine = \"sled\"\n", Path::new("f.toml")).unwrap();
        assert_eq!(config.store.engine, Some(Engine::Sled));
        let found = problems("[store]\nengine = \"lmdb\"\n");
        assert_eq!(found.len(), 1);
        assert_eq!((found[0].line, found[0].column), (2, 10));
        assert!(
            found[0].message.contains("\"redb\" and \"sled\""),
            "{found:?}"
        );
    }

    #[test]
    fn a_quoted_newline_keeps_the_problem_on_one_line() {
        // Found by the property tests: a `\n` inside a bad slug split the
        // message, and the second line had no place.
        let p = problems("[[topic]]\nslug = \"an-nin\\ng\"\ntitle = \"x\"\n");
        assert_eq!(p.len(), 1, "{p:?}");
        assert!(p[0].message.contains("`an-nin\\ng`"), "{p:?}");
        assert!(!p[0].message.contains('\n'));
    }

    #[test]
    fn unknown_key_has_line_and_column() {
        let p = problems("[poll]\nevery = \"15m\"\n  intervall = \"5m\"\n");
        assert_eq!(p.len(), 1);
        assert_eq!((p[0].line, p[0].column), (3, 3));
        assert!(p[0].message.contains("intervall"), "{}", p[0].message);
    }

    #[test]
    fn every_problem_is_reported_in_order() {
        let text = r#"
[poll]
every = "soon"
max_body = "big"

[[topic]]
slug = "y-te"

[[source]]
id = "a"
url = "ftp://x.test/feed"
topics = ["an-ninh"]

[[source]]
id = "a"
url = "https://x.test/rss"
"#;
        let p = problems(text);
        let lines: Vec<usize> = p.iter().map(|p| p.line).collect();
        assert_eq!(lines, [3, 4, 11, 12, 15], "{p:?}");
        assert!(p[3].message.contains("an-ninh"));
        assert!(p[4].message.contains("twice"));
    }

    #[test]
    fn relative_file_url_is_anchored_at_the_config() {
        let config = validate(
            "[[source]]\nid = \"demo\"\nurl = \"file:feeds/a.rss\"\n",
            Path::new("/srv/demo/offline.toml"),
        )
        .unwrap();
        assert_eq!(
            config.sources[0].url.as_str(),
            "file:///srv/demo/feeds/a.rss"
        );
    }

    #[test]
    fn scrape_block_errors_point_at_the_selector() {
        let p = problems(
            "[[source]]\nid = \"cahg\"\nurl = \"https://x.test/\"\n  [source.scrape]\n  item = \"ul >> li\"\n  title = \"a\"\n  link = \"a@href\"\n  date_format = \"%d/%Q\"\n",
        );
        assert_eq!(p.len(), 2, "{p:?}");
        assert_eq!((p[0].line, p[0].column), (5, 10));
        assert!(p[0].message.contains("not a CSS selector"));
        assert_eq!(p[1].line, 8);
    }

    #[test]
    fn column_counts_vietnamese_characters_not_bytes() {
        let p =
            problems("[[topic]]\nslug = \"y-te\"\ntitle = \"Y tế\"\nkeywords = [\"tế\", \"--\"]\n");
        assert_eq!((p[0].line, p[0].column), (4, 19), "{p:?}");
    }

    #[test]
    fn websub_hub_must_be_http_and_names_its_place() {
        let p = problems(
            "[server]\nbase_url = \"https://tin.example/\"\nwebsub_hub = \"ftp://hub.example/\"\n",
        );
        assert_eq!((p[0].line, p[0].column), (3, 14), "{p:?}");
        assert!(p[0].message.contains("http or https"), "{p:?}");
        let config = validate(
            "[server]\nbase_url = \"https://tin.example/\"\nwebsub_hub = \"https://hub.example/\"\n",
            Path::new("feeds.toml"),
        )
        .unwrap();
        assert_eq!(
            config.server.websub_hub.map(|u| u.to_string()),
            Some("https://hub.example/".into())
        );
    }

    #[test]
    fn websub_hub_without_base_url_is_an_error() {
        let p = problems("[server]\nwebsub_hub = \"https://hub.example/\"\n");
        assert_eq!((p[0].line, p[0].column), (2, 14), "{p:?}");
        assert!(p[0].message.contains("base_url"), "{p:?}");
    }
}
