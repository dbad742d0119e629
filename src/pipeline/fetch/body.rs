//! Reading a response body within fixed bounds, then undoing its
//! compression within the same bounds.
//!
//! The wire bytes are capped at `max_body` while they stream in, and so are
//! the decoded bytes: a gzip bomb stops at the cap, and memory per fetch
//! never exceeds twice `max_body`. A server that drips bytes is cut off
//! once the transfer has lasted `rate_window` at less than `min_rate`.
//!
//! Across fetches, a body past [`LARGE`] bytes (on the wire or decoded)
//! needs one of [`LARGE_AT_ONCE`] permits, held until it is ingested:
//! however many huge bodies and bombs arrive at once, only that many hold
//! megabytes. Feeds are far smaller and never wait for one.

use std::io::Read;
use std::sync::Arc;
use std::time::Duration;

use bytes::{Bytes, BytesMut};
use futures_util::StreamExt;
use tokio::sync::{OwnedSemaphorePermit, Semaphore};
use tokio::time::Instant;

/// A body past this size is a large body.
pub const LARGE: u64 = 1024 * 1024;

/// Large bodies in memory at once, all fetches together.
pub const LARGE_AT_ONCE: usize = 2;

/// A large body's permit, if it needed one.
pub type LargePermit = Option<OwnedSemaphorePermit>;

/// The permits for large bodies, shared by every fetch.
#[derive(Clone)]
pub struct LargeBodies(Arc<Semaphore>);

impl Default for LargeBodies {
    fn default() -> Self {
        LargeBodies(Arc::new(Semaphore::new(LARGE_AT_ONCE)))
    }
}

impl LargeBodies {
    /// Waits for a permit once a body has grown past [`LARGE`]; returns
    /// how long it waited.
    async fn admit(&self, permit: &mut LargePermit, size: u64) -> Duration {
        if size <= LARGE || permit.is_some() {
            return Duration::ZERO;
        }
        let started = Instant::now();
        // Never closed, so acquiring cannot fail; `ok()` keeps it panic-free.
        *permit = Arc::clone(&self.0).acquire_owned().await.ok();
        started.elapsed()
    }
}

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
pub async fn read(
    response: reqwest::Response,
    limits: BodyLimits,
    large: &LargeBodies,
) -> Result<(Bytes, LargePermit), BodyError> {
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
    let mut permit: LargePermit = None;
    // Waiting for a large-body permit is not the server's slowness.
    let mut waited = Duration::ZERO;
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
                waited += large.admit(&mut permit, received).await;
            }
            Ok(None) => break,
            Err(_) => {}
        }
        let elapsed = started.elapsed().saturating_sub(waited);
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
    Ok((join(chunks, received), permit))
}

/// The body in one buffer of its own size. A lone chunk is copied too: it
/// is a slice of a larger buffer (hyper's read buffer, or a 64 KiB
/// decompression buffer) that a body waiting to be parsed would keep whole,
/// and the connection would allocate another for its next read.
fn join(chunks: Vec<Bytes>, len: u64) -> Bytes {
    let mut body = BytesMut::with_capacity(len as usize);
    for chunk in chunks {
        body.extend_from_slice(&chunk);
    }
    body.freeze()
}

/// Undoes `Content-Encoding` (gzip, deflate, br), and gzip that arrived
/// without the header (recognised by its magic number: some portals
/// serve pre-compressed files as they are).
pub async fn decode(
    body: Bytes,
    content_encoding: Option<&str>,
    max_body: u64,
    large: &LargeBodies,
    permit: LargePermit,
) -> Result<(Bytes, LargePermit), BodyError> {
    let encoding = content_encoding
        .map(|e| e.trim().to_ascii_lowercase())
        .unwrap_or_default();
    let gzip_magic = body.starts_with(&[0x1f, 0x8b]);
    let decoder = match encoding.as_str() {
        "gzip" | "x-gzip" => Decoder::Gzip(flate2::read::MultiGzDecoder::new(&body[..])),
        "deflate" => Decoder::Deflate(flate2::read::ZlibDecoder::new(&body[..])),
        "br" => Decoder::Brotli(Box::new(brotli_decompressor::Decompressor::new(
            &body[..],
            8192,
        ))),
        "" | "identity" if gzip_magic => {
            Decoder::Gzip(flate2::read::MultiGzDecoder::new(&body[..]))
        }
        "" | "identity" => return Ok((body, permit)),
        other => {
            return Err(BodyError::Decode(format!(
                "unsupported Content-Encoding `{other}`"
            )));
        }
    };
    capped(decoder, max_body, large, permit).await
}

/// The decompressors, as one type so `capped` is one function.
enum Decoder<'a> {
    Gzip(flate2::read::MultiGzDecoder<&'a [u8]>),
    Deflate(flate2::read::ZlibDecoder<&'a [u8]>),
    // Boxed: its state is kilobytes, the others' a few hundred bytes.
    Brotli(Box<brotli_decompressor::Decompressor<&'a [u8]>>),
}

impl Read for Decoder<'_> {
    fn read(&mut self, buf: &mut [u8]) -> std::io::Result<usize> {
        match self {
            Decoder::Gzip(d) => d.read(buf),
            Decoder::Deflate(d) => d.read(buf),
            Decoder::Brotli(d) => d.read(buf),
        }
    }
}

/// Decompresses in 64 KiB pieces, joined once at the end, so a bomb
/// costs at most `max_body` before it is refused; past [`LARGE`] the
/// output waits for a large-body permit.
async fn capped(
    mut decoder: Decoder<'_>,
    max_body: u64,
    large: &LargeBodies,
    mut permit: LargePermit,
) -> Result<(Bytes, LargePermit), BodyError> {
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
        large.admit(&mut permit, total).await;
    }
    Ok((join(chunks, total), permit))
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

    async fn decoded(body: Bytes, encoding: Option<&str>, max: u64) -> Result<Bytes, BodyError> {
        decode(body, encoding, max, &LargeBodies::default(), None)
            .await
            .map(|(b, _)| b)
    }

    #[tokio::test]
    async fn gzip_without_header_is_recognised() {
        let body = gzip(b"<rss/>");
        assert_eq!(&decoded(body, None, 1024).await.unwrap()[..], b"<rss/>");
    }

    #[tokio::test]
    async fn gzip_bomb_stops_at_the_cap() {
        let bomb = gzip(&vec![b' '; 10 * 1024 * 1024]);
        assert!(bomb.len() < 64 * 1024);
        assert!(matches!(
            decoded(bomb, Some("gzip"), 1024 * 1024).await,
            Err(BodyError::TooLarge)
        ));
    }

    #[tokio::test]
    async fn a_large_decoded_body_holds_a_permit_until_dropped() {
        let large = LargeBodies::default();
        let body = gzip(&vec![b'x'; 2 * LARGE as usize]);
        let (out, permit) = decode(body, Some("gzip"), 4 * LARGE, &large, None)
            .await
            .unwrap();
        assert_eq!(out.len() as u64, 2 * LARGE);
        assert_eq!(large.0.available_permits(), LARGE_AT_ONCE - 1);
        drop(permit);
        assert_eq!(large.0.available_permits(), LARGE_AT_ONCE);
    }

    #[tokio::test(start_paused = true)]
    async fn a_third_large_body_waits_for_a_permit() {
        let large = LargeBodies::default();
        let (mut a, mut b) = (None, None);
        large.admit(&mut a, 2 * LARGE).await;
        large.admit(&mut b, 2 * LARGE).await;
        let waiting = tokio::spawn({
            let large = large.clone();
            async move {
                let mut c = None;
                large.admit(&mut c, 2 * LARGE).await;
                c.is_some()
            }
        });
        tokio::time::sleep(Duration::from_secs(1)).await;
        assert!(!waiting.is_finished());
        drop(a);
        assert!(waiting.await.unwrap());
        // Small bodies never wait.
        let mut small = None;
        large.admit(&mut small, LARGE).await;
        assert!(small.is_none());
    }

    #[tokio::test]
    async fn brotli_is_decoded() {
        // "<rss/>" as Python's brotli.compress(quality=11) writes it.
        let body = Bytes::from_static(&[139, 2, 128, 60, 114, 115, 115, 47, 62, 3]);
        assert_eq!(
            &decoded(body, Some("br"), 1024).await.unwrap()[..],
            b"<rss/>"
        );
    }

    #[tokio::test]
    async fn unknown_encoding_is_an_error() {
        assert!(matches!(
            decoded(Bytes::from_static(b"x"), Some("zstd"), 10).await,
            Err(BodyError::Decode(_))
        ));
    }
}
