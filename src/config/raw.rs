//! feeds.toml exactly as written: serde structs that keep the position of
//! every value that validation may complain about. Nothing here is checked
//! beyond its TOML type; `super::validate` turns it into a [`super::Config`].

use serde::Deserialize;
use toml::Spanned;

#[derive(Debug, Deserialize, Default)]
#[serde(deny_unknown_fields)]
pub struct RawConfig {
    #[serde(default)]
    pub server: RawServer,
    #[serde(default)]
    pub store: RawStore,
    #[serde(default)]
    pub poll: RawPoll,
    #[serde(default, rename = "topic")]
    pub topics: Vec<RawTopic>,
    #[serde(default, rename = "source")]
    pub sources: Vec<RawSource>,
}

#[derive(Debug, Deserialize, Default)]
#[serde(deny_unknown_fields)]
pub struct RawServer {
    pub listen: Option<Spanned<String>>,
    pub base_url: Option<Spanned<String>>,
    pub shutdown_timeout: Option<Spanned<String>>,
    pub max_connections: Option<Spanned<i64>>,
    pub websub_hub: Option<Spanned<String>>,
}

#[derive(Debug, Deserialize, Default)]
#[serde(deny_unknown_fields)]
pub struct RawStore {
    pub path: Option<Spanned<String>>,
    pub engine: Option<Spanned<String>>,
    pub keep_days: Option<Spanned<i64>>,
    pub feed_size: Option<Spanned<i64>>,
    pub cache: Option<Spanned<String>>,
    pub index_memory: Option<Spanned<String>>,
    pub search_memory: Option<Spanned<String>>,
}

#[derive(Debug, Deserialize, Default)]
#[serde(deny_unknown_fields)]
pub struct RawPoll {
    pub every: Option<Spanned<String>>,
    pub min_every: Option<Spanned<String>>,
    pub max_every: Option<Spanned<String>>,
    pub timeout: Option<Spanned<String>>,
    pub concurrency: Option<Spanned<i64>>,
    pub per_host: Option<Spanned<i64>>,
    pub host_gap: Option<Spanned<String>>,
    pub max_body: Option<Spanned<String>>,
    pub min_rate: Option<Spanned<String>>,
    pub rate_window: Option<Spanned<String>>,
    pub user_agent: Option<Spanned<String>>,
    pub contact: Option<Spanned<String>>,
    pub allow_no_sources: Option<bool>,
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct RawTopic {
    pub slug: Spanned<String>,
    pub title: Option<String>,
    #[serde(default)]
    pub keywords: Vec<Spanned<String>>,
    #[serde(default)]
    pub exclude: Vec<Spanned<String>>,
    /// Feed categories that put an item in the topic.
    #[serde(default)]
    pub categories: Vec<String>,
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct RawSource {
    pub id: Spanned<String>,
    pub name: Option<String>,
    pub url: Spanned<String>,
    #[serde(default)]
    pub topics: Vec<Spanned<String>>,
    pub every: Option<Spanned<String>>,
    #[serde(default)]
    pub priority: i32,
    pub ca_file: Option<Spanned<String>>,
    #[serde(default)]
    pub insecure_tls: bool,
    #[serde(default)]
    pub allow_private: bool,
    pub scrape: Option<Box<RawScrape>>,
    pub article: Option<Spanned<String>>,
}

/// `[source.scrape]`: CSS selectors for a page that has no feed.
#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct RawScrape {
    pub item: Spanned<String>,
    pub title: Spanned<String>,
    pub link: Spanned<String>,
    pub date: Option<Spanned<String>>,
    pub date_format: Option<Spanned<String>>,
    pub summary: Option<Spanned<String>>,
    pub author: Option<Spanned<String>>,
    pub image: Option<Spanned<String>>,
}
