//! Reading a response body within fixed bounds, then undoing its
//! compression within the same bounds.
//!
//! The wire bytes are capped at `max_body` while they stream in, and so are
//! the decoded bytes: a gzip bomb stops at the cap, and memory per fetch
//! never exceeds twice `max_body`. A server that drips bytes is cut off
//! once the transfer has lasted `rate_window` at less than `min_rate`.

use std::io::Read;
use std::time::Duration;

use bytes::{Bytes, BytesMut};
use futures_util::StreamExt;
use tokio::time::Instant;

#[derive(Debug, Clone, Copy)]
pub struct BodyLimits {
    pub max_body: u64,
    /// Bytes per second, averaged over the whole transfer.
    pub min_rate: u64,
    /// How long a transfer may run before its rate is judged.
    pub rate_window: Duration,
}

#[derive(Debug)]
pub enum BodyError {
    TooLarge,
    TooSlow { bytes: u64, after: Duration },
    Transfer(reqwest::Error),
    Decode(String),
}

/// Streams the body of `response`, enforcing the limits.
pub async fn read(response: reqwest::Response, limits: BodyLimits) -> Result<Bytes, BodyError> {
    if response
        .content_length()
        .is_some_and(|n| n > limits.max_body)
    {
        return Err(BodyError::TooLarge);
    }
    let started = Instant::now();
    let mut body = BytesMut::new();
    let mut stream = response.bytes_stream();
    loop {
        // Wake at least once per window even when nothing arrives, so a
        // silent server is judged too.
        let next = tokio::time::timeout(limits.rate_window, stream.next()).await;
        let chunk = match next {
            Ok(Some(chunk)) => chunk.map_err(BodyError::Transfer)?,
            Ok(None) => break,
            Err(_) => Bytes::new(),
        };
        if (body.len() + chunk.len()) as u64 > limits.max_body {
            return Err(BodyError::TooLarge);
        }
        body.extend_from_slice(&chunk);
        let elapsed = started.elapsed();
        if elapsed >= limits.rate_window {
            let rate = body.len() as f64 / elapsed.as_secs_f64();
            if rate < limits.min_rate as f64 {
                return Err(BodyError::TooSlow {
                    bytes: body.len() as u64,
                    after: elapsed,
                });
            }
        }
    }
    Ok(body.freeze())
}

/// Undoes `Content-Encoding` (gzip, deflate, br), and gzip that arrived
/// without the header (recognised by its magic number: some portals
/// serve pre-compressed files as they are).
pub fn decode(
    body: Bytes,
    content_encoding: Option<&str>,
    max_body: u64,
) -> Result<Bytes, BodyError> {
    let encoding = content_encoding
        .map(|e| e.trim().to_ascii_lowercase())
        .unwrap_or_default();
    let gzip_magic = body.starts_with(&[0x1f, 0x8b]);
    match encoding.as_str() {
        "gzip" | "x-gzip" => capped(flate2::read::MultiGzDecoder::new(&body[..]), max_body),
        "deflate" => capped(flate2::read::ZlibDecoder::new(&body[..]), max_body),
        "br" => capped(
            brotli_decompressor::Decompressor::new(&body[..], 8192),
            max_body,
        ),
        "" | "identity" if gzip_magic => {
            capped(flate2::read::MultiGzDecoder::new(&body[..]), max_body)
        }
        "" | "identity" => Ok(body),
        other => Err(BodyError::Decode(format!(
            "unsupported Content-Encoding `{other}`"
        ))),
    }
}

fn capped(decoder: impl Read, max_body: u64) -> Result<Bytes, BodyError> {
    let mut out = Vec::new();
    decoder
        .take(max_body + 1)
        .read_to_end(&mut out)
        .map_err(|e| BodyError::Decode(format!("cannot decompress: {e}")))?;
    if out.len() as u64 > max_body {
        return Err(BodyError::TooLarge);
    }
    Ok(Bytes::from(out))
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::io::Write;

    fn gzip(data: &[u8]) -> Bytes {
        let mut e = flate2::write::GzEncoder::new(Vec::new(), flate2::Compression::fast());
        e.write_all(data).unwrap();
        Bytes::from(e.finish().unwrap())
    }

    #[test]
    fn gzip_without_header_is_recognised() {
        let body = gzip(b"<rss/>");
        assert_eq!(&decode(body, None, 1024).unwrap()[..], b"<rss/>");
    }

    #[test]
    fn gzip_bomb_stops_at_the_cap() {
        let bomb = gzip(&vec![b' '; 10 * 1024 * 1024]);
        assert!(bomb.len() < 64 * 1024);
        assert!(matches!(
            decode(bomb, Some("gzip"), 1024 * 1024),
            Err(BodyError::TooLarge)
        ));
    }

    #[test]
    fn brotli_is_decoded() {
        // "<rss/>" as Python's brotli.compress(quality=11) writes it.
        let body = Bytes::from_static(&[139, 2, 128, 60, 114, 115, 115, 47, 62, 3]);
        assert_eq!(&decode(body, Some("br"), 1024).unwrap()[..], b"<rss/>");
    }

    #[test]
    fn unknown_encoding_is_an_error() {
        assert!(matches!(
            decode(Bytes::from_static(b"x"), Some("zstd"), 10),
            Err(BodyError::Decode(_))
        ));
    }
}
