//! A labelled corpus on disk: its feeds.toml, each source's body, and the
//! labels saying which items are one story.

use std::collections::HashMap;
use std::path::{Path, PathBuf};

use chrono::Utc;
use serde::Deserialize;

use super::EvalError;
use crate::config::{Config, Source};
use crate::pipeline::merge;
use crate::pipeline::{Body, prepare};
use crate::store::Store;

/// A corpus: its configuration and each source's body.
pub struct Corpus {
    pub config: Config,
    /// Each source with its body and the body's path within the corpus.
    pub bodies: Vec<(Source, Body, String)>,
}

impl Corpus {
    /// Reads `dir/feeds.toml` and every source's body.
    pub fn load(dir: &Path) -> Result<Corpus, EvalError> {
        let path = dir.join("feeds.toml");
        let config = Config::load(&path)?;
        let text = std::fs::read_to_string(&path).map_err(|cause| EvalError::Read {
            path: path.clone(),
            cause,
        })?;
        let named = file_comments(&text);
        let mut bodies = Vec::new();
        for source in &config.sources {
            let file: PathBuf = match (source.url.scheme(), named.get(&source.id)) {
                ("file", _) => source
                    .url
                    .to_file_path()
                    .map_err(|()| EvalError::BadFileUrl {
                        source_id: source.id.clone(),
                    })?,
                (_, Some(name)) => dir.join(name),
                (_, None) => {
                    return Err(EvalError::NoFile {
                        source_id: source.id.clone(),
                        config: path,
                    });
                }
            };
            let bytes = std::fs::read(&file).map_err(|cause| EvalError::ReadBody {
                source_id: source.id.clone(),
                path: file.clone(),
                cause,
            })?;
            let relative = file
                .strip_prefix(dir)
                .unwrap_or(&file)
                .to_string_lossy()
                .into_owned();
            bodies.push((source.clone(), Body::new(bytes), relative));
        }
        Ok(Corpus { config, bodies })
    }

    /// How many sources (bodies) the corpus has.
    pub fn sources(&self) -> usize {
        self.bodies.len()
    }

    /// Runs every body through the stages into `store`, in config order.
    pub fn ingest(&self, store: &Store) -> Result<(), EvalError> {
        self.ingest_reporting(store, &mut |_| {})
    }

    /// [`Corpus::ingest`], telling `ingested` how many sources are in
    /// after each.
    pub fn ingest_reporting(
        &self,
        store: &Store,
        ingested: &mut dyn FnMut(usize),
    ) -> Result<(), EvalError> {
        let now = Utc::now();
        for (n, (source, body, file)) in self.bodies.iter().enumerate() {
            let prepared =
                prepare(&self.config, source, body, now).map_err(|cause| EvalError::Parse {
                    source_id: source.id.clone(),
                    file: file.clone(),
                    cause,
                })?;
            merge::ingest(store, source, prepared.items, now)?;
            ingested(n + 1);
        }
        Ok(())
    }
}

/// `# file: PATH` comments, by the id of the `[[source]]` block they are in.
fn file_comments(toml: &str) -> HashMap<String, String> {
    let mut files = HashMap::new();
    for block in toml.split("[[source]]").skip(1) {
        let id = block
            .lines()
            .find_map(|l| l.trim().strip_prefix("id"))
            .and_then(|v| v.split('"').nth(1));
        let file = block
            .lines()
            .find_map(|l| l.trim().strip_prefix("# file:"))
            .and_then(|f| f.split_whitespace().next());
        if let (Some(id), Some(file)) = (id, file) {
            files.insert(id.to_string(), file.to_string());
        }
    }
    files
}

/// The labels file.
#[derive(Debug, Deserialize)]
pub struct Labels {
    pub items: Vec<Label>,
    /// Pairs of different stories named as hard negatives: two ids, then
    /// anything (a reason).
    #[serde(default)]
    pub must_not_merge: Vec<Vec<String>>,
}

/// One labelled item.
#[derive(Debug, Clone, Deserialize)]
pub struct Label {
    pub id: String,
    pub source: String,
    #[serde(default)]
    pub file: Option<String>,
    #[serde(default)]
    pub guid: Option<String>,
    #[serde(default)]
    pub link: Option<String>,
    #[serde(default)]
    pub title: Option<String>,
    pub cluster: Option<String>,
    /// The trap groups the item belongs to (see the module docs).
    #[serde(default)]
    pub traps: Vec<String>,
}

impl Labels {
    pub fn load(path: &Path) -> Result<Labels, EvalError> {
        let text = std::fs::read_to_string(path).map_err(|cause| EvalError::Read {
            path: path.to_path_buf(),
            cause,
        })?;
        serde_json::from_str(&text).map_err(|cause| EvalError::Labels {
            path: path.to_path_buf(),
            cause,
        })
    }
}
