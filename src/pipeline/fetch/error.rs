//! What went wrong with a fetch, in the operator's words: one place
//! decides how a timeout, a refusal, TLS, a status or a body cap reads
//! on the status page and in the log, and what its short kind is.

use std::time::Duration;

use reqwest::StatusCode;

use super::MAX_REDIRECTS;
use super::guard::Refusal;

#[derive(Debug, thiserror::Error)]
pub enum FetchError {
    #[error("fetch: {url}: timed out after {after:?}")]
    Timeout { url: String, after: Duration },
    #[error("fetch: {url}: cannot connect: {reason}")]
    Connect { url: String, reason: String },
    #[error("fetch: {url}: TLS: {reason}")]
    Tls { url: String, reason: String },
    #[error("fetch: {url}: {refusal}; set allow_private = true on the source to allow it")]
    Refused { url: String, refusal: Refusal },
    #[error("fetch: {url}: the server answered {status}")]
    Status { url: String, status: StatusCode },
    #[error("fetch: {url}: the server answered {status}{}", retry_after.map(|d| format!("; retry after {}s", d.as_secs())).unwrap_or_default())]
    Throttled {
        url: String,
        status: StatusCode,
        retry_after: Option<Duration>,
    },
    #[error(
        "fetch: {url}: 410 Gone: the feed was removed; polling stopped (change the source's url to resume)"
    )]
    Gone { url: String },
    #[error("fetch: {url}: more than {MAX_REDIRECTS} redirects")]
    TooManyRedirects { url: String },
    #[error("fetch: {url}: redirect loop back to {to}")]
    RedirectLoop { url: String, to: String },
    #[error("fetch: {url}: a {status} redirect without a usable Location")]
    BadRedirect { url: String, status: StatusCode },
    #[error("fetch: {url}: the body is larger than the {limit}-byte limit (poll.max_body)")]
    TooLarge { url: String, limit: u64 },
    #[error("fetch: {url}: too slow: {bytes} bytes in {:.1}s (poll.min_rate)", after.as_secs_f64())]
    TooSlow {
        url: String,
        bytes: u64,
        after: Duration,
    },
    #[error("fetch: {url}: {reason}")]
    Transfer { url: String, reason: String },
    #[error("fetch: {path} is {what}; a file: source must name a regular file")]
    NotAFile { path: String, what: &'static str },
    #[error("fetch: {path}: {source}")]
    File {
        path: String,
        #[source]
        source: std::io::Error,
    },
}

impl FetchError {
    /// What a failed request means to the operator: the private-address
    /// refusal, a timeout, TLS, a connection that never opened, or a
    /// transfer cut short, with the cause's whole chain in words.
    pub(super) fn from_client(url: String, e: &reqwest::Error, timeout: Duration) -> FetchError {
        if let Some(refusal) = refusal_in(e) {
            return FetchError::Refused { url, refusal };
        }
        let reason = error_chain(e);
        if e.is_timeout() {
            FetchError::Timeout {
                url,
                after: timeout,
            }
        } else if reason.contains("certificate") || reason.contains("tls") || reason.contains("TLS")
        {
            FetchError::Tls { url, reason }
        } else if e.is_connect() {
            FetchError::Connect { url, reason }
        } else {
            FetchError::Transfer { url, reason }
        }
    }

    /// A short, stable name for status pages and metrics.
    pub fn kind(&self) -> String {
        match self {
            FetchError::Timeout { .. } => "timeout".into(),
            FetchError::Connect { .. } => "connect".into(),
            FetchError::Tls { .. } => "tls".into(),
            FetchError::Refused { .. } => "refused".into(),
            FetchError::Status { status, .. } | FetchError::Throttled { status, .. } => {
                format!("http {}", status.as_u16())
            }
            FetchError::Gone { .. } => "gone".into(),
            FetchError::TooManyRedirects { .. } => "too many redirects".into(),
            FetchError::RedirectLoop { .. } => "redirect loop".into(),
            FetchError::BadRedirect { .. } => "bad redirect".into(),
            FetchError::TooLarge { .. } => "too large".into(),
            FetchError::TooSlow { .. } => "too slow".into(),
            FetchError::Transfer { .. } => "transfer".into(),
            FetchError::File { .. } | FetchError::NotAFile { .. } => "file".into(),
        }
    }

    pub fn http_status(&self) -> Option<u16> {
        match self {
            FetchError::Status { status, .. } | FetchError::Throttled { status, .. } => {
                Some(status.as_u16())
            }
            FetchError::Gone { .. } => Some(410),
            _ => None,
        }
    }

    /// The delay a 429 or 503 asked for.
    pub fn retry_after(&self) -> Option<Duration> {
        match self {
            FetchError::Throttled { retry_after, .. } => *retry_after,
            _ => None,
        }
    }
}

/// The HTTP client could not be built (no TLS roots, say): nothing can
/// be fetched.
#[derive(Debug, thiserror::Error)]
#[error("fetch: cannot build the HTTP client: {0}")]
pub struct ClientError(#[from] reqwest::Error);

/// The resolver's refusal, wherever reqwest and hyper wrapped it.
fn refusal_in(e: &(dyn std::error::Error + 'static)) -> Option<Refusal> {
    let mut cause = Some(e);
    while let Some(c) = cause {
        if let Some(refusal) = c.downcast_ref::<Refusal>() {
            return Some(refusal.clone());
        }
        cause = c.source();
    }
    None
}

/// reqwest's Display stops at "error sending request"; the cause (DNS,
/// refused, TLS) is what the operator needs.
pub(super) fn error_chain(e: &dyn std::error::Error) -> String {
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
