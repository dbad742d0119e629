//! Cached feeds sent with `sendfile(2)`, as nginx sends a static file.
//!
//! A feed's body is rendered once and sent many times. Written with
//! `writev`, every response copies the body from bantin's memory into
//! the socket: the soak benchmark (`bench/soak/run`) measured that copy as
//! a quarter of the daemon's CPU while serving a cached 88 KB feed, and
//! the reason nginx serving the same bytes as a file was faster. So each
//! large rendered body also gets an in-memory file (`memfd`) holding the
//! same bytes, and the connection's writer, when hyper hands it a slice
//! of such a body, sends that part from the file with `sendfile` instead:
//! the kernel passes the file's pages to the socket without a copy.
//!
//! hyper is not told: it queues the response's `Bytes` as usual and
//! [`Connection`] recognises the body by its address. That is sound
//! because a slice is only sent from a file while the [`RenderedFeed`]
//! whose body holds that address is alive (a `Weak` that upgrades): its
//! bytes never change, so any slice into them is those bytes, and the
//! file holds the same. Anything else (the head, other routes, a feed
//! gone meanwhile) is written as before. Bodies under [`MIN_BYTES`] are
//! left to `writev`: one syscall for head and body is cheaper there.

use std::collections::BTreeMap;
use std::fs::File;
use std::io::{self, IoSlice, Write};
use std::pin::Pin;
use std::sync::{Arc, RwLock, Weak};
use std::task::{Context, Poll, ready};

use tokio::io::{AsyncRead, AsyncWrite, Interest, ReadBuf};
use tokio::net::TcpStream;

use crate::pipeline::publish::RenderedFeed;

/// Smaller bodies go out with their head in one `writev`.
pub const MIN_BYTES: usize = 16 * 1024;

/// The in-memory files of the rendered bodies being served, by the
/// address of the body.
#[derive(Default)]
pub struct SendFiles {
    files: RwLock<BTreeMap<usize, Entry>>,
}

struct Entry {
    len: usize,
    /// Alive: the body at this address is this feed's, unchanged.
    feed: Weak<RenderedFeed>,
    file: Arc<File>,
}

impl SendFiles {
    /// Gives `feed`'s body a file, once, when it is large enough. A file
    /// that cannot be made leaves the body to be written as before.
    pub fn offer(&self, feed: &Arc<RenderedFeed>) {
        let body = &feed.body;
        if body.len() < MIN_BYTES {
            return;
        }
        let addr = body.as_ptr() as usize;
        let held = |files: &BTreeMap<usize, Entry>| {
            files
                .get(&addr)
                .is_some_and(|e| e.feed.as_ptr() == Arc::as_ptr(feed))
        };
        if self.files.read().is_ok_and(|files| held(&files)) {
            return;
        }
        let Ok(mut files) = self.files.write() else {
            return;
        };
        if held(&files) {
            return;
        }
        // The feeds that were replaced since: their files go (and their
        // descriptors with them).
        files.retain(|_, e| e.feed.strong_count() > 0);
        match memory_file(body) {
            Ok(file) => {
                files.insert(
                    addr,
                    Entry {
                        len: body.len(),
                        feed: Arc::downgrade(feed),
                        file: Arc::new(file),
                    },
                );
            }
            Err(e) => {
                tracing::debug!(error = %e, "no memory file for a feed; it is written instead")
            }
        }
    }

    /// The file and offset holding `slice`, if it lies in a live body.
    fn find(&self, slice: &[u8]) -> Option<(Arc<File>, u64)> {
        if slice.is_empty() {
            return None;
        }
        let addr = slice.as_ptr() as usize;
        let files = self.files.read().ok()?;
        let (&start, entry) = files.range(..=addr).next_back()?;
        let offset = addr - start;
        if offset + slice.len() > entry.len {
            return None;
        }
        // Alive now, so its body is still at `start`: held for the check.
        let feed = entry.feed.upgrade()?;
        if feed.body.as_ptr() as usize != start {
            return None;
        }
        Some((Arc::clone(&entry.file), offset as u64))
    }

    /// Files held now (for the tests).
    #[cfg(test)]
    fn len(&self) -> usize {
        self.files.read().map_or(0, |f| f.len())
    }
}

/// An anonymous in-memory file holding `bytes`.
fn memory_file(bytes: &[u8]) -> io::Result<File> {
    let fd = rustix::fs::memfd_create("bantin-feed", rustix::fs::MemfdFlags::CLOEXEC)?;
    let mut file = File::from(fd);
    file.write_all(bytes)?;
    Ok(file)
}

/// A client connection that sends the slices of known bodies from their
/// files, and everything else as a `TcpStream` does.
pub struct Connection {
    stream: TcpStream,
    files: Arc<SendFiles>,
}

impl Connection {
    pub fn new(stream: TcpStream, files: Arc<SendFiles>) -> Connection {
        Connection { stream, files }
    }

    fn poll_send_file(
        &self,
        cx: &mut Context<'_>,
        file: &File,
        offset: u64,
        len: usize,
    ) -> Poll<io::Result<usize>> {
        loop {
            ready!(self.stream.poll_write_ready(cx))?;
            let sent = self.stream.try_io(Interest::WRITABLE, || {
                let mut at = offset;
                rustix::fs::sendfile(&self.stream, file, Some(&mut at), len)
                    .map_err(io::Error::from)
            });
            match sent {
                Err(e) if e.kind() == io::ErrorKind::WouldBlock => continue,
                other => return Poll::Ready(other),
            }
        }
    }
}

impl Connection {
    fn poll_send_more(&self, cx: &mut Context<'_>, buf: &[u8]) -> Poll<io::Result<usize>> {
        loop {
            ready!(self.stream.poll_write_ready(cx))?;
            let sent = self.stream.try_io(Interest::WRITABLE, || {
                rustix::net::send(&self.stream, buf, rustix::net::SendFlags::MORE)
                    .map_err(io::Error::from)
            });
            match sent {
                Err(e) if e.kind() == io::ErrorKind::WouldBlock => continue,
                other => return Poll::Ready(other),
            }
        }
    }
}

impl AsyncRead for Connection {
    fn poll_read(
        mut self: Pin<&mut Self>,
        cx: &mut Context<'_>,
        buf: &mut ReadBuf<'_>,
    ) -> Poll<io::Result<()>> {
        Pin::new(&mut self.stream).poll_read(cx, buf)
    }
}

impl AsyncWrite for Connection {
    fn poll_write(
        mut self: Pin<&mut Self>,
        cx: &mut Context<'_>,
        buf: &[u8],
    ) -> Poll<io::Result<usize>> {
        if let Some((file, offset)) = self.files.find(buf) {
            return self.poll_send_file(cx, &file, offset, buf.len());
        }
        Pin::new(&mut self.stream).poll_write(cx, buf)
    }

    /// hyper writes a response as head and body slices at once: the
    /// slices before the first one from a file go out with `writev`, that
    /// one with `sendfile`, each a short write hyper continues from.
    fn poll_write_vectored(
        mut self: Pin<&mut Self>,
        cx: &mut Context<'_>,
        bufs: &[IoSlice<'_>],
    ) -> Poll<io::Result<usize>> {
        let bufs = match bufs.iter().position(|b| !b.is_empty()) {
            Some(first) => &bufs[first..],
            None => return Poll::Ready(Ok(0)),
        };
        if let Some((file, offset)) = self.files.find(&bufs[0]) {
            return self.poll_send_file(cx, &file, offset, bufs[0].len());
        }
        let plain = bufs
            .iter()
            .position(|b| self.files.find(b).is_some())
            .unwrap_or(bufs.len());
        if plain == 1 && bufs.len() > 1 {
            // The head, a body from a file after it: sent with MSG_MORE
            // (nginx's `tcp_nopush`), so that it leaves in the body's
            // first segment instead of a small packet of its own.
            return self.poll_send_more(cx, &bufs[0]);
        }
        Pin::new(&mut self.stream).poll_write_vectored(cx, &bufs[..plain])
    }

    fn is_write_vectored(&self) -> bool {
        true
    }

    fn poll_flush(mut self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<io::Result<()>> {
        Pin::new(&mut self.stream).poll_flush(cx)
    }

    fn poll_shutdown(mut self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<io::Result<()>> {
        Pin::new(&mut self.stream).poll_shutdown(cx)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use chrono::Utc;
    use tokio::io::{AsyncReadExt, AsyncWriteExt};
    use tokio::net::TcpListener;

    fn feed(len: usize) -> Arc<RenderedFeed> {
        Arc::new(RenderedFeed {
            body: bytes::Bytes::from((0..len).map(|i| (i % 251) as u8).collect::<Vec<u8>>()),
            etag: "\"x\"".to_string(),
            last_modified: Utc::now(),
            entries: 1,
        })
    }

    #[test]
    fn a_slice_is_found_only_inside_a_live_body() {
        let files = SendFiles::default();
        let big = feed(MIN_BYTES * 2);
        files.offer(&big);
        files.offer(&big);
        assert_eq!(files.len(), 1, "one file a body");
        let (_, offset) = files.find(&big.body[100..200]).expect("inside");
        assert_eq!(offset, 100);
        assert!(files.find(&big.body[..]).is_some());
        let other = vec![0u8; 10];
        assert!(files.find(&other).is_none(), "another buffer");

        let small = feed(MIN_BYTES - 1);
        files.offer(&small);
        assert!(
            files.find(&small.body[..]).is_none(),
            "small bodies are written"
        );

        // Replaced: a clone of the body outlives the feed, but is no
        // longer sent from the file, and the file goes at the next offer.
        let body = big.body.clone();
        drop(big);
        assert!(files.find(&body[..]).is_none());
        files.offer(&feed(MIN_BYTES));
        assert_eq!(files.len(), 1);
    }

    #[tokio::test]
    async fn a_body_sent_from_its_file_arrives_whole_after_its_head() {
        let files = Arc::new(SendFiles::default());
        let big = feed(1024 * 1024);
        files.offer(&big);
        let listener = TcpListener::bind("127.0.0.1:0").await.unwrap();
        let addr = listener.local_addr().unwrap();
        let reader = tokio::spawn(async move {
            let (mut s, _) = listener.accept().await.unwrap();
            let mut got = Vec::new();
            s.read_to_end(&mut got).await.unwrap();
            got
        });
        let stream = TcpStream::connect(addr).await.unwrap();
        let mut conn = Connection::new(stream, Arc::clone(&files));
        let head = b"HEAD\r\n".to_vec();
        let mut at = 0;
        // As hyper does: head and body together, continued after short writes.
        while at < head.len() + big.body.len() {
            let bufs: Vec<IoSlice<'_>> = if at < head.len() {
                vec![IoSlice::new(&head[at..]), IoSlice::new(&big.body)]
            } else {
                vec![IoSlice::new(&big.body[at - head.len()..])]
            };
            at += conn.write_vectored(&bufs).await.unwrap();
        }
        conn.shutdown().await.unwrap();
        let got = reader.await.unwrap();
        assert_eq!(&got[..head.len()], &head[..]);
        assert!(got[head.len()..] == big.body[..], "the body, byte for byte");
    }
}
