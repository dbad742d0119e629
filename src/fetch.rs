//! HTTP (and `file:`) fetching: the fetch stage.
//!
//! Owns the reqwest client and everything about getting a body: the
//! conditional GET with stored validators, the timeout, the User-Agent,
//! gzip, and the body cap enforced while streaming so that no source can
//! make memory grow past `max_body`. It never parses what it fetched.

use std::time::Duration;

use bytes::{Bytes, BytesMut};
use futures_util::StreamExt;
use reqwest::StatusCode;
use reqwest::header::{self, HeaderMap, HeaderValue};
use serde::{Deserialize, Serialize};
use url::Url;

use crate::config::PollSettings;

/// What a server said about a body, sent back on the next request so an
/// unchanged feed costs a 304 and no body.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct Validators {
    pub etag: Option<String>,
    pub last_modified: Option<String>,
}

impl Validators {
    fn from_headers(headers: &HeaderMap) -> Validators {
        let text = |name| {
            headers
                .get(name)
                .and_then(|v: &HeaderValue| v.to_str().ok())
                .map(str::to_string)
        };
        Validators {
            etag: text(header::ETAG),
            last_modified: text(header::LAST_MODIFIED),
        }
    }
}

/// A successful fetch.
#[derive(Debug)]
pub enum Fetched {
    Body {
        bytes: Bytes,
        status: u16,
        validators: Validators,
    },
    /// 304, or a local file whose modification time has not moved.
    NotModified,
}

#[derive(Debug, thiserror::Error)]
pub enum FetchError {
    #[error("fetch: {url}: timed out after {after:?}")]
    Timeout { url: String, after: Duration },
    #[error("fetch: {url}: cannot connect: {reason}")]
    Connect { url: String, reason: String },
    #[error("fetch: {url}: the server answered {status}")]
    Status { url: String, status: StatusCode },
    #[error("fetch: {url}: the body is larger than the {limit}-byte limit (poll.max_body)")]
    TooLarge { url: String, limit: u64 },
    #[error("fetch: {url}: {reason}")]
    Transfer { url: String, reason: String },
    #[error("fetch: {path}: {source}")]
    File {
        path: String,
        #[source]
        source: std::io::Error,
    },
}

impl FetchError {
    /// A short, stable name for status pages and metrics.
    pub fn kind(&self) -> String {
        match self {
            FetchError::Timeout { .. } => "timeout".into(),
            FetchError::Connect { .. } => "connect".into(),
            FetchError::Status { status, .. } => format!("http {}", status.as_u16()),
            FetchError::TooLarge { .. } => "too large".into(),
            FetchError::Transfer { .. } => "transfer".into(),
            FetchError::File { .. } => "file".into(),
        }
    }

    pub fn http_status(&self) -> Option<u16> {
        match self {
            FetchError::Status { status, .. } => Some(status.as_u16()),
            _ => None,
        }
    }
}

/// One HTTP client for all sources: connections and TLS sessions are
/// reused across polls of one host.
#[derive(Clone)]
pub struct Fetcher {
    client: reqwest::Client,
    timeout: Duration,
    max_body: u64,
}

impl Fetcher {
    pub fn new(poll: &PollSettings) -> Result<Fetcher, reqwest::Error> {
        let client = reqwest::Client::builder()
            .user_agent(poll.user_agent.clone())
            .timeout(poll.timeout)
            .connect_timeout(poll.timeout.min(Duration::from_secs(10)))
            .redirect(reqwest::redirect::Policy::limited(5))
            .default_headers(accept_headers())
            .build()?;
        Ok(Fetcher {
            client,
            timeout: poll.timeout,
            max_body: poll.max_body,
        })
    }

    /// Fetches `url`, conditionally when `validators` are known.
    pub async fn fetch(&self, url: &Url, validators: &Validators) -> Result<Fetched, FetchError> {
        if url.scheme() == "file" {
            return self.fetch_file(url, validators).await;
        }
        let mut request = self.client.get(url.clone());
        if let Some(etag) = &validators.etag {
            request = request.header(header::IF_NONE_MATCH, etag);
        }
        if let Some(date) = &validators.last_modified {
            request = request.header(header::IF_MODIFIED_SINCE, date);
        }
        let response = request.send().await.map_err(|e| self.error(url, e))?;
        let status = response.status();
        if status == StatusCode::NOT_MODIFIED {
            return Ok(Fetched::NotModified);
        }
        if !status.is_success() {
            return Err(FetchError::Status {
                url: url.to_string(),
                status,
            });
        }
        let validators = Validators::from_headers(response.headers());
        if response.content_length().is_some_and(|n| n > self.max_body) {
            return Err(self.too_large(url));
        }
        // Counted as it arrives (after gzip decoding): a body that lies
        // about its length or has none still stops at the cap.
        let mut body = BytesMut::new();
        let mut stream = response.bytes_stream();
        while let Some(chunk) = stream.next().await {
            let chunk = chunk.map_err(|e| self.error(url, e))?;
            if (body.len() + chunk.len()) as u64 > self.max_body {
                return Err(self.too_large(url));
            }
            body.extend_from_slice(&chunk);
        }
        Ok(Fetched::Body {
            bytes: body.freeze(),
            status: status.as_u16(),
            validators,
        })
    }

    /// A local feed file. Its modification time stands in for
    /// Last-Modified, so an untouched file is "not modified" like a 304.
    async fn fetch_file(&self, url: &Url, validators: &Validators) -> Result<Fetched, FetchError> {
        let path = url.to_file_path().map_err(|()| FetchError::Transfer {
            url: url.to_string(),
            reason: "not a local file path".into(),
        })?;
        let file_error = |source| FetchError::File {
            path: path.display().to_string(),
            source,
        };
        let meta = tokio::fs::metadata(&path).await.map_err(file_error)?;
        let modified = meta
            .modified()
            .ok()
            .map(|t| chrono::DateTime::<chrono::Utc>::from(t).to_rfc2822());
        if modified.is_some() && modified == validators.last_modified {
            return Ok(Fetched::NotModified);
        }
        if meta.len() > self.max_body {
            return Err(self.too_large(url));
        }
        let bytes = tokio::fs::read(&path).await.map_err(file_error)?;
        Ok(Fetched::Body {
            bytes: Bytes::from(bytes),
            status: 200,
            validators: Validators {
                etag: None,
                last_modified: modified,
            },
        })
    }

    fn too_large(&self, url: &Url) -> FetchError {
        FetchError::TooLarge {
            url: url.to_string(),
            limit: self.max_body,
        }
    }

    fn error(&self, url: &Url, e: reqwest::Error) -> FetchError {
        let url = url.to_string();
        if e.is_timeout() {
            FetchError::Timeout {
                url,
                after: self.timeout,
            }
        } else if e.is_connect() {
            FetchError::Connect {
                url,
                reason: error_chain(&e),
            }
        } else {
            FetchError::Transfer {
                url,
                reason: error_chain(&e),
            }
        }
    }
}

/// Feeds first, HTML last: some portals pick the representation by Accept.
fn accept_headers() -> HeaderMap {
    let mut headers = HeaderMap::new();
    headers.insert(
        header::ACCEPT,
        HeaderValue::from_static(
            "application/atom+xml, application/rss+xml, application/feed+json, application/rdf+xml;q=0.9, application/xml;q=0.9, text/xml;q=0.9, application/json;q=0.8, */*;q=0.5",
        ),
    );
    headers
}

/// reqwest's Display stops at "error sending request"; the cause (DNS,
/// refused, TLS) is what the operator needs.
fn error_chain(e: &dyn std::error::Error) -> String {
    let mut text = e.to_string();
    let mut cause = e.source();
    while let Some(c) = cause {
        let next = c.to_string();
        if !text.contains(&next) {
            text.push_str(": ");
            text.push_str(&next);
        }
        cause = c.source();
    }
    text
}
