//! Operator aids: commands that help write feeds.toml or judge the merge.
//! They reuse the pipeline's stages; the daemon never runs them on its
//! own, though `/stories/{id}` shows what [`explain`] says of a story.
//!
//! - [`discover`]: what a page is and which feed or scrape rules fit it.
//! - [`explain`]: why a stored story is in the topics it is in.
//! - [`eval`]: the merge's precision and recall on a labelled corpus.
//! - [`opml`]: the sources as OPML, and a reader's OPML as sources.

pub mod discover;
pub mod eval;
pub mod explain;
pub mod opml;
