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
    // The chunks are kept as they came and joined once at the end: a
    // growing buffer would double past the cap before the cap is seen.
    let mut chunks: Vec<Bytes> = Vec::new();
    let mut received: u64 = 0;
    let mut stream = response.bytes_stream();
    loop {
        // Wake at least once per window even when nothing arrives, so a
        // silent server is judged too.
        let next = tokio::time::timeout(limits.rate_window, stream.next()).await;
        match next {
            Ok(Some(chunk)) => {
                let chunk = chunk.map_err(BodyError::Transfer)?;
                received += chunk.len() as u64;
                if received > limits.max_body {
                    return Err(BodyError::TooLarge);
                }
                chunks.push(chunk);
            }
            Ok(None) => break,
            Err(_) => {}
        }
        let elapsed = started.elapsed();
        if elapsed >= limits.rate_window {
            let rate = received as f64 / elapsed.as_secs_f64();
            if rate < limits.min_rate as f64 {
                return Err(BodyError::TooSlow {
                    bytes: received,
                    after: elapsed,
                });
            }
        }
    }
    Ok(join(chunks, received))
}

fn join(chunks: Vec<Bytes>, len: u64) -> Bytes {
    match <[Bytes; 1]>::try_from(chunks) {
        Ok([one]) => one,
        Err(chunks) => {
            let mut body = BytesMut::with_capacity(len as usize);
            for chunk in chunks {
                body.extend_from_slice(&chunk);
            }
            body.freeze()
        }
    }
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

/// Decompresses in 64 KiB pieces, joined once at the end, so a bomb
/// costs at most `max_body` before it is refused.
fn capped(mut decoder: impl Read, max_body: u64) -> Result<Bytes, BodyError> {
    let mut chunks = Vec::new();
    let mut total: u64 = 0;
    loop {
        let mut chunk = vec![0u8; 64 * 1024];
        let n = read_full(&mut decoder, &mut chunk)
            .map_err(|e| BodyError::Decode(format!("cannot decompress: {e}")))?;
        if n == 0 {
            break;
        }
        total += n as u64;
        if total > max_body {
            return Err(BodyError::TooLarge);
        }
        chunk.truncate(n);
        chunks.push(Bytes::from(chunk));
    }
    Ok(join(chunks, total))
}

/// Reads until `buf` is full or the input ends.
fn read_full(reader: &mut impl Read, buf: &mut [u8]) -> std::io::Result<usize> {
    let mut filled = 0;
    while filled < buf.len() {
        match reader.read(&mut buf[filled..]) {
            Ok(0) => break,
            Ok(n) => filled += n,
            Err(e) if e.kind() == std::io::ErrorKind::Interrupted => {}
            Err(e) => return Err(e),
        }
    }
    Ok(filled)
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
