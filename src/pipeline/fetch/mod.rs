//! HTTP (and `file:`) fetching: the fetch stage.
//!
//! Owns everything about getting a body: the conditional GET with stored
//! validators, redirects (followed by hand, so that a permanent move can be
//! told from a temporary one), per-host politeness ([`politeness`]), the
//! timeouts, the body and rate limits and the decompression ([`body`]),
//! and what the response headers say about the next poll ([`headers`]),
//! and which addresses a source may reach ([`guard`]).
//! Every failure is one [`FetchError`] variant with the words an operator
//! needs. It never parses what it fetched.

mod body;
mod error;
pub mod guard;
pub mod headers;
mod politeness;

use std::collections::HashMap;
use std::sync::Arc;
use std::time::Duration;

use bytes::Bytes;
use chrono::Utc;
use reqwest::StatusCode;
use reqwest::header::{self, HeaderMap, HeaderValue};

use url::Url;

use crate::config::{PollSettings, Source};
use crate::model::Validators;
use body::{BodyError, BodyLimits};
use error::error_chain;

use politeness::HostGate;

pub use error::{ClientError, FetchError};

/// Redirect hops followed for one fetch.
const MAX_REDIRECTS: usize = 5;

/// A successful fetch: a body, or "not modified".
#[derive(Debug)]
pub struct Fetched {
    /// `None` for 304 (or a local file whose time has not moved).
    pub body: Option<Bytes>,
    pub status: u16,
    /// The validators to send next time: the new ones, or the ones sent
    /// when the answer was 304.
    pub validators: Validators,
    /// Where the body came from after redirects.
    pub final_url: Url,
    /// The target of the permanent redirects (301/308) at the start of the
    /// chain, when there were any.
    pub moved_to: Option<Url>,
    /// How long the server says the response stays fresh.
    pub fresh_for: Option<Duration>,
    pub content_type: Option<String>,
    /// Bytes on the wire, before decompression.
    pub wire_bytes: u64,
    /// Held by a large body until it has been ingested (see [`body`]).
    pub large: body::LargePermit,
    /// Held by every body read from the network until it has been
    /// ingested (see [`BODIES_AT_ONCE`]).
    pub reading: Option<tokio::sync::OwnedSemaphorePermit>,
}

/// Bodies being read or waiting to be ingested, all fetches together.
/// Ingest takes one body per core at a time; a cycle that fetches faster
/// than that would otherwise hold every fetched body (and its read
/// buffers) in memory at once: 1,000 feeds of 115 KB made 105 MiB of
/// bodies and 66 MiB of buffers. Taken once a response's head has come,
/// so requests still go out `concurrency` at a time, and the bodies wait
/// on the wire instead.
pub const BODIES_AT_ONCE: usize = 32;

/// A request's place under the per-host and global limits.
struct Slot<'a> {
    _pass: politeness::HostPass,
    _permit: Option<tokio::sync::SemaphorePermit<'a>>,
}

/// The HTTP clients and the per-host gate, shared by every poll.
pub struct Fetcher {
    /// Sources that may reach only public addresses (see [`guard`]).
    client: reqwest::Client,
    /// Sources with `allow_private = true`.
    open: reqwest::Client,
    /// Clients of sources with their own TLS settings, or why one could
    /// not be built (reported when the source is polled).
    special: HashMap<String, Result<reqwest::Client, String>>,
    gate: HostGate,
    /// `poll.concurrency`: requests in flight, all hosts together. Taken
    /// after the host gate, so no permit idles while a host's gap runs.
    in_flight: tokio::sync::Semaphore,
    large: body::LargeBodies,
    /// [`BODIES_AT_ONCE`].
    reading: Arc<tokio::sync::Semaphore>,
    timeout: Duration,
    limits: BodyLimits,
}

impl Fetcher {
    pub fn new(poll: &PollSettings, sources: &[Source]) -> Result<Fetcher, ClientError> {
        let special = sources
            .iter()
            .filter(|s| s.ca_file.is_some() || s.insecure_tls)
            .map(|s| (s.id.clone(), client_for(poll, s)))
            .collect();
        Ok(Fetcher {
            client: builder(poll, false).build()?,
            open: builder(poll, true).build()?,
            special,
            gate: HostGate::new(poll.per_host, poll.host_gap),
            in_flight: tokio::sync::Semaphore::new(poll.concurrency),
            large: body::LargeBodies::default(),
            reading: Arc::new(tokio::sync::Semaphore::new(BODIES_AT_ONCE)),
            timeout: poll.timeout,
            limits: BodyLimits {
                max_body: poll.max_body,
                min_rate: poll.min_rate,
                rate_window: poll.rate_window,
            },
        })
    }

    /// Fetches `url` for `source`, conditionally when `validators` are
    /// known: once a server has given validators, bantin never sends it an
    /// unconditional request for that feed.
    pub async fn fetch(
        &self,
        source: &Source,
        url: &Url,
        validators: &Validators,
    ) -> Result<Fetched, FetchError> {
        if url.scheme() == "file" {
            // Boxed, like `finish` below: an HTTP fetch should not carry
            // the size of a file read.
            return Box::pin(self.fetch_file(url, validators)).await;
        }
        let client = match self.special.get(&source.id) {
            Some(Ok(client)) => client,
            Some(Err(reason)) => {
                return Err(FetchError::Tls {
                    url: url.to_string(),
                    reason: reason.clone(),
                });
            }
            None if source.allow_private => &self.open,
            None => &self.client,
        };
        let mut current = url.clone();
        let mut visited = vec![url.clone()];
        let mut moved_to = None;
        let mut still_permanent = true;
        loop {
            // The resolver never sees an IP address: this hop's host is
            // checked here, before it takes a place at the host gate.
            if !source.allow_private {
                guard::check_host(&current).map_err(|refusal| FetchError::Refused {
                    url: current.to_string(),
                    refusal,
                })?;
            }
            // Held until the body is read: the limits count whole requests.
            let (response, _slot) = self.send(client, &current, validators).await?;
            let status = response.status();
            if status.is_redirection() && status != StatusCode::NOT_MODIFIED {
                let target = location(&response, &current).ok_or(FetchError::BadRedirect {
                    url: current.to_string(),
                    status,
                })?;
                if visited.contains(&target) {
                    return Err(FetchError::RedirectLoop {
                        url: url.to_string(),
                        to: target.to_string(),
                    });
                }
                if visited.len() > MAX_REDIRECTS {
                    return Err(FetchError::TooManyRedirects {
                        url: url.to_string(),
                    });
                }
                // Only an unbroken run of permanent redirects from the
                // configured URL says the feed itself moved.
                still_permanent &= matches!(
                    status,
                    StatusCode::MOVED_PERMANENTLY | StatusCode::PERMANENT_REDIRECT
                );
                if still_permanent {
                    moved_to = Some(target.clone());
                }
                visited.push(target.clone());
                current = target;
                continue;
            }
            // Boxed: a fetch spends most of its life waiting at the host
            // gate, where the body-reading state is dead weight.
            return Box::pin(self.finish(response, current, moved_to, validators)).await;
        }
    }

    async fn send(
        &self,
        client: &reqwest::Client,
        url: &Url,
        validators: &Validators,
    ) -> Result<(reqwest::Response, Slot<'_>), FetchError> {
        let pass = self.gate.enter(url.host_str().unwrap_or_default()).await;
        // Never closed, so acquiring cannot fail; `ok()` keeps it panic-free.
        let permit = self.in_flight.acquire().await.ok();
        let mut request = client.get(url.clone());
        if let Some(etag) = &validators.etag {
            request = request.header(header::IF_NONE_MATCH, etag);
        }
        if let Some(date) = &validators.last_modified {
            request = request.header(header::IF_MODIFIED_SINCE, date);
        }
        // Boxed, like the body read below: thousands of polls can wait at
        // the host gate at once, and each waiting future should not carry
        // the size of a request in flight.
        let response = Box::pin(request.send())
            .await
            .map_err(|e| self.error(url, e))?;
        Ok((
            response,
            Slot {
                _pass: pass,
                _permit: permit,
            },
        ))
    }

    async fn finish(
        &self,
        response: reqwest::Response,
        url: Url,
        moved_to: Option<Url>,
        sent: &Validators,
    ) -> Result<Fetched, FetchError> {
        let status = response.status();
        let headers = response.headers().clone();
        let text = |name| header_text(&headers, name);
        let now = Utc::now();
        match status {
            StatusCode::GONE => {
                return Err(FetchError::Gone {
                    url: url.to_string(),
                });
            }
            StatusCode::TOO_MANY_REQUESTS | StatusCode::SERVICE_UNAVAILABLE => {
                return Err(FetchError::Throttled {
                    url: url.to_string(),
                    status,
                    retry_after: text(header::RETRY_AFTER)
                        .and_then(|v| headers::retry_after(&v, now)),
                });
            }
            s if !s.is_success() && s != StatusCode::NOT_MODIFIED => {
                return Err(FetchError::Status {
                    url: url.to_string(),
                    status,
                });
            }
            _ => {}
        }
        let fresh_for = headers::freshness(
            text(header::CACHE_CONTROL).as_deref(),
            text(header::EXPIRES).as_deref(),
            text(header::DATE).as_deref(),
            now,
        );
        let mut fetched = Fetched {
            body: None,
            status: status.as_u16(),
            validators: sent.clone(),
            final_url: url.clone(),
            moved_to,
            fresh_for,
            content_type: text(header::CONTENT_TYPE),
            wire_bytes: 0,
            large: None,
            reading: None,
        };
        if status == StatusCode::NOT_MODIFIED {
            return Ok(fetched);
        }
        // Never closed, so acquiring cannot fail; `ok()` keeps it panic-free.
        fetched.reading = Arc::clone(&self.reading).acquire_owned().await.ok();
        let (wire, permit) = Box::pin(body::read(response, self.limits, &self.large))
            .await
            .map_err(|e| self.body_error(&url, e))?;
        fetched.wire_bytes = wire.len() as u64;
        let (decoded, permit) = Box::pin(body::decode(
            wire,
            text(header::CONTENT_ENCODING).as_deref(),
            self.limits.max_body,
            &self.large,
            permit,
        ))
        .await
        .map_err(|e| self.body_error(&url, e))?;
        fetched.body = Some(decoded);
        fetched.large = permit;
        fetched.validators = Validators {
            etag: text(header::ETAG),
            last_modified: text(header::LAST_MODIFIED),
        };
        Ok(fetched)
    }

    /// A local feed file. Its modification time stands in for
    /// Last-Modified, so an untouched file is "not modified" like a 304.
    /// The same limits as HTTP apply: `poll.timeout` for the whole read,
    /// `poll.max_body` for its size; and only a regular file is read,
    /// never a device (`/dev/zero` never ends) or a FIFO (which blocks).
    async fn fetch_file(&self, url: &Url, validators: &Validators) -> Result<Fetched, FetchError> {
        match tokio::time::timeout(self.timeout, self.read_file(url, validators)).await {
            Ok(read) => read,
            Err(_) => Err(FetchError::Timeout {
                url: url.to_string(),
                after: self.timeout,
            }),
        }
    }

    async fn read_file(&self, url: &Url, validators: &Validators) -> Result<Fetched, FetchError> {
        use tokio::io::AsyncReadExt;
        let path = url.to_file_path().map_err(|()| FetchError::Transfer {
            url: url.to_string(),
            reason: "not a local file path".into(),
        })?;
        let file_error = |source| FetchError::File {
            path: path.display().to_string(),
            source,
        };
        let mut open = tokio::fs::OpenOptions::new();
        open.read(true);
        // Opening a FIFO for reading blocks until a writer comes; without
        // blocking it opens at once, and is refused below.
        #[cfg(unix)]
        open.custom_flags(libc::O_NONBLOCK);
        let file = open.open(&path).await.map_err(file_error)?;
        // The opened file's own metadata: the path may have changed since.
        let meta = file.metadata().await.map_err(file_error)?;
        if !meta.is_file() {
            return Err(FetchError::NotAFile {
                path: path.display().to_string(),
                what: file_type(&meta.file_type()),
            });
        }
        let modified = meta
            .modified()
            .ok()
            .map(|t| headers::format_http_date(t.into()));
        let mut fetched = Fetched {
            body: None,
            status: 304,
            validators: validators.clone(),
            final_url: url.clone(),
            moved_to: None,
            fresh_for: None,
            content_type: None,
            wire_bytes: 0,
            large: None,
            reading: None,
        };
        if modified.is_some() && modified == validators.last_modified {
            return Ok(fetched);
        }
        if meta.len() > self.limits.max_body {
            return Err(self.body_error(url, BodyError::TooLarge));
        }
        // A file that grows while it is read is cut at the limit too.
        let mut bytes = Vec::with_capacity(meta.len() as usize);
        file.take(self.limits.max_body.saturating_add(1))
            .read_to_end(&mut bytes)
            .await
            .map_err(file_error)?;
        if bytes.len() as u64 > self.limits.max_body {
            return Err(self.body_error(url, BodyError::TooLarge));
        }
        fetched.status = 200;
        fetched.wire_bytes = bytes.len() as u64;
        let (decoded, permit) = body::decode(
            Bytes::from(bytes),
            None,
            self.limits.max_body,
            &self.large,
            None,
        )
        .await
        .map_err(|e| self.body_error(url, e))?;
        fetched.body = Some(decoded);
        fetched.large = permit;
        fetched.validators = Validators {
            etag: None,
            last_modified: modified,
        };
        Ok(fetched)
    }

    fn body_error(&self, url: &Url, e: BodyError) -> FetchError {
        let url = url.to_string();
        match e {
            BodyError::TooLarge => FetchError::TooLarge {
                url,
                limit: self.limits.max_body,
            },
            BodyError::TooSlow { bytes, after } => FetchError::TooSlow { url, bytes, after },
            BodyError::Transfer(e) => self.error_at(url, e),
            BodyError::Decode(reason) => FetchError::Transfer { url, reason },
        }
    }

    fn error(&self, url: &Url, e: reqwest::Error) -> FetchError {
        self.error_at(url.to_string(), e)
    }

    fn error_at(&self, url: String, e: reqwest::Error) -> FetchError {
        FetchError::from_client(url, &e, self.timeout)
    }
}

/// Idle connections kept per host at most.
const IDLE_PER_HOST: usize = 2;

fn builder(poll: &PollSettings, allow_private: bool) -> reqwest::ClientBuilder {
    let builder = reqwest::Client::builder()
        .user_agent(poll.user_agent.clone())
        .timeout(poll.timeout)
        .connect_timeout(poll.timeout.min(Duration::from_secs(10)))
        // Redirects are followed by `Fetcher::fetch` itself.
        .redirect(reqwest::redirect::Policy::none())
        // An idle connection keeps its read buffer, grown to the size of
        // the bodies it carried. Unbounded, a cycle over 64 hosts at
        // `per_host = 16` left ~750 of them holding 43 MiB; polls of one
        // host are spaced by `host_gap`, so two reused connections serve
        // its next requests as well as sixteen.
        .pool_max_idle_per_host(poll.per_host.min(IDLE_PER_HOST))
        .default_headers(default_headers());
    if allow_private {
        builder
    } else {
        builder.dns_resolver(Arc::new(guard::PublicOnly))
    }
}

/// What a non-regular file is, for the operator.
fn file_type(t: &std::fs::FileType) -> &'static str {
    #[cfg(unix)]
    {
        use std::os::unix::fs::FileTypeExt;
        if t.is_fifo() {
            return "a FIFO";
        }
        if t.is_char_device() {
            return "a character device";
        }
        if t.is_block_device() {
            return "a block device";
        }
        if t.is_socket() {
            return "a socket";
        }
    }
    if t.is_dir() {
        "a directory"
    } else {
        "not a regular file"
    }
}

/// A client for a source with its own CA file or with verification off.
fn client_for(poll: &PollSettings, source: &Source) -> Result<reqwest::Client, String> {
    let mut b = builder(poll, source.allow_private);
    if let Some(path) = &source.ca_file {
        let pem = std::fs::read(path)
            .map_err(|e| format!("cannot read ca_file {}: {e}", path.display()))?;
        let certs = reqwest::Certificate::from_pem_bundle(&pem).map_err(|e| {
            format!(
                "ca_file {} holds no usable PEM certificate: {e}",
                path.display()
            )
        })?;
        for cert in certs {
            b = b.add_root_certificate(cert);
        }
    }
    if source.insecure_tls {
        b = b.danger_accept_invalid_certs(true);
    }
    b.build().map_err(|e| error_chain(&e))
}

/// Feeds first, HTML last: some portals pick the representation by Accept.
fn default_headers() -> HeaderMap {
    let mut headers = HeaderMap::new();
    headers.insert(
        header::ACCEPT,
        HeaderValue::from_static(
            "application/atom+xml, application/rss+xml, application/feed+json, application/rdf+xml;q=0.9, application/xml;q=0.9, text/xml;q=0.9, application/json;q=0.8, */*;q=0.5",
        ),
    );
    // Decompression is done by `body::decode`, within the size cap.
    headers.insert(
        header::ACCEPT_ENCODING,
        HeaderValue::from_static("gzip, br"),
    );
    headers
}

fn header_text(headers: &HeaderMap, name: header::HeaderName) -> Option<String> {
    headers
        .get(name)
        .and_then(|v| v.to_str().ok())
        .map(str::to_string)
}

fn location(response: &reqwest::Response, base: &Url) -> Option<Url> {
    let value = response.headers().get(header::LOCATION)?.to_str().ok()?;
    let target = base.join(value.trim()).ok()?;
    matches!(target.scheme(), "http" | "https").then_some(target)
}
