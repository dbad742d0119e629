//! How values and ids are written in the trees: JSON values (fields can
//! be added with `#[serde(default)]` without a migration) and fixed-width
//! byte keys.

use serde::Serialize;
use serde::de::DeserializeOwned;
use uuid::Uuid;

use super::{Result, StoreError};
use crate::model::story::StoryId;

/// Every value of a JSON tree, in key order.
pub(super) fn all_json<'t, T: DeserializeOwned>(
    tree: &'t sled::Tree,
    name: &'static str,
) -> impl Iterator<Item = Result<T>> + 't {
    tree.iter().map(move |entry| {
        let (_, value) = entry?;
        serde_json::from_slice(&value).map_err(|e| StoreError::Corrupt {
            tree: name,
            reason: e.to_string(),
        })
    })
}

pub(super) fn get_json<T: DeserializeOwned>(
    tree: &sled::Tree,
    name: &'static str,
    key: &[u8],
) -> Result<Option<T>> {
    match tree.get(key)? {
        None => Ok(None),
        Some(bytes) => serde_json::from_slice(&bytes)
            .map(Some)
            .map_err(|e| StoreError::Corrupt {
                tree: name,
                reason: e.to_string(),
            }),
    }
}

pub(super) fn put_json<T: Serialize>(tree: &sled::Tree, key: &[u8], value: &T) -> Result<()> {
    let bytes = serde_json::to_vec(value).map_err(|e| StoreError::Corrupt {
        tree: "(encode)",
        reason: e.to_string(),
    })?;
    tree.insert(key, bytes)?;
    Ok(())
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
