//! How values and ids are written in the trees: JSON values (fields can
//! be added with `#[serde(default)]` without a migration), deflated when
//! long, and fixed-width byte keys.

use std::io::{Read, Write};

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

/// Values at least this long are stored deflated. A copy's text is most
/// of the store, and sled's cost of an insert grows with the bytes in the
/// node it lands in: Vietnamese text deflates to about a third.
const DEFLATE_FROM: usize = 1024;
/// The first byte of a deflated value. JSON never starts with it, so the
/// plain values older stores hold read as they always did.
const DEFLATED: u8 = 0x01;
/// What one value may inflate to: beyond it the bytes are damage.
const MAX_VALUE: u64 = 256 << 20;

pub(super) fn decode<T: DeserializeOwned>(bytes: &[u8], tree: Tree) -> Result<T> {
    let corrupt = |reason: String| StoreError::Corrupt {
        tree: tree.name(),
        reason,
    };
    match bytes.split_first() {
        Some((&DEFLATED, deflated)) => {
            let mut json = Vec::with_capacity(deflated.len() * 4);
            flate2::read::DeflateDecoder::new(deflated)
                .take(MAX_VALUE)
                .read_to_end(&mut json)
                .map_err(|e| corrupt(format!("a deflated value does not inflate: {e}")))?;
            serde_json::from_slice(&json).map_err(|e| corrupt(e.to_string()))
        }
        _ => serde_json::from_slice(bytes).map_err(|e| corrupt(e.to_string())),
    }
}

pub(super) fn encode<T: Serialize>(value: &T) -> Result<Vec<u8>> {
    let failed = |reason: String| StoreError::Corrupt {
        tree: "(encode)",
        reason,
    };
    let json = serde_json::to_vec(value).map_err(|e| failed(e.to_string()))?;
    if json.len() < DEFLATE_FROM {
        return Ok(json);
    }
    let mut out = Vec::with_capacity(json.len() / 2);
    out.push(DEFLATED);
    let mut deflate = flate2::write::DeflateEncoder::new(out, flate2::Compression::fast());
    deflate
        .write_all(&json)
        .and_then(|()| deflate.finish())
        .map_err(|e| failed(e.to_string()))
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

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn long_values_are_deflated_and_read_back() {
        let text = "Sở Y tế tỉnh Hậu Giang tổ chức hội nghị triển khai tiêm chủng. ".repeat(40);
        let bytes = encode(&text).unwrap();
        assert_eq!(bytes[0], DEFLATED);
        assert!(
            bytes.len() * 3 < text.len(),
            "{} of {}",
            bytes.len(),
            text.len()
        );
        assert_eq!(decode::<String>(&bytes, Tree::Copies).unwrap(), text);
    }

    #[test]
    fn short_values_and_plain_json_of_older_stores_read_as_before() {
        let bytes = encode(&"ngắn").unwrap();
        assert_eq!(bytes, "\"ngắn\"".as_bytes());
        let older = serde_json::to_vec(&"x".repeat(5000)).unwrap();
        assert_eq!(decode::<String>(&older, Tree::Copies).unwrap().len(), 5000);
    }

    #[test]
    fn a_damaged_deflated_value_is_a_corrupt_store_error() {
        let mut bytes = encode(&"dữ liệu ".repeat(500)).unwrap();
        bytes.truncate(bytes.len() / 2);
        let err = decode::<String>(&bytes, Tree::Copies).unwrap_err();
        assert!(err.to_string().contains("copies"), "{err}");
    }
}
