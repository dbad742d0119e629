//! How values and ids are written in the trees: JSON values (fields can
//! be added with `#[serde(default)]` without a migration) and fixed-width
//! byte keys.

use serde::Serialize;
use serde::de::DeserializeOwned;
use uuid::Uuid;

use super::backend::{Backend, Tree};
use super::{Result, StoreError};
use crate::model::story::StoryId;

/// Every value of a JSON tree, in key order.
pub(super) fn all_json<'t, T: DeserializeOwned>(
    backend: &'t dyn Backend,
    tree: Tree,
) -> impl Iterator<Item = Result<T>> + 't {
    backend
        .range(tree, &[], None)
        .map(move |entry| decode(&entry?.1, tree))
}

pub(super) fn get_json<T: DeserializeOwned>(
    backend: &dyn Backend,
    tree: Tree,
    key: &[u8],
) -> Result<Option<T>> {
    match backend.get(tree, key)? {
        None => Ok(None),
        Some(bytes) => decode(&bytes, tree).map(Some),
    }
}

pub(super) fn decode<T: DeserializeOwned>(bytes: &[u8], tree: Tree) -> Result<T> {
    serde_json::from_slice(bytes).map_err(|e| StoreError::Corrupt {
        tree: tree.name(),
        reason: e.to_string(),
    })
}

pub(super) fn encode<T: Serialize>(value: &T) -> Result<Vec<u8>> {
    serde_json::to_vec(value).map_err(|e| StoreError::Corrupt {
        tree: "(encode)",
        reason: e.to_string(),
    })
}

pub(super) fn fixed<const N: usize>(bytes: &[u8], tree: &'static str) -> Result<[u8; N]> {
    bytes.try_into().map_err(|_| StoreError::Corrupt {
        tree,
        reason: format!("expected {N} bytes, found {}", bytes.len()),
    })
}

pub(super) fn story_id(bytes: &[u8], tree: &'static str) -> Result<StoryId> {
    Ok(StoryId(Uuid::from_bytes(fixed(bytes, tree)?)))
}
