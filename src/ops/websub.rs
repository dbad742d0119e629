//! WebSub publishing: `[server] websub_hub` is told which feeds changed.
//!
//! After publish renders a topic whose bytes differ (after a change, or
//! a reload that changes the feed; not the first render at start), it
//! lands in [`Publisher`](crate::pipeline::publish::Publisher)'s
//! published set; this task takes the whole set, and for each topic still configured
//! sends the hub one `POST` per feed URL (its Atom, RSS and JSON Feed:
//! each is a WebSub topic of its own, and one `hub.url` per request is
//! what every hub takes), form-encoded `hub.mode=publish&hub.url=…`.
//!
//! It never holds up polling or rendering: publish only adds to a set
//! bounded by the number of topics, and the pings run here. Changes that
//! come while a round is under way (or retried) wait in that set and
//! make the next round, one ping per URL however many renders they were.
//!
//! A failed request (no answer, or not 2xx) is tried again after
//! [`Backoff::first`], doubling, [`Backoff::attempts`] times in all, then
//! given up: the hub learns of the feed with its next change, and its
//! subscribers' own polls still find it. Each request is logged and
//! counted in `bantin_websub_pings_total{result}`.

use std::collections::BTreeSet;
use std::sync::Arc;
use std::time::Duration;

use futures_util::StreamExt;
use tokio_util::sync::CancellationToken;
use url::Url;

use crate::config::Config;
use crate::metrics::Metrics;
use crate::pipeline::Pipeline;
use crate::pipeline::publish::Format;
use crate::pipeline::publish::view::feed_url;

/// How a failed ping is tried again.
#[derive(Debug, Clone, Copy)]
pub struct Backoff {
    /// The wait after the first failure; doubled after each next one.
    pub first: Duration,
    /// Requests in all, the first one included.
    pub attempts: u32,
}

/// 1 s, 2 s, 4 s: a hub restarting or briefly overloaded is caught, and a
/// hub that is down costs four requests per feed and change.
pub const BACKOFF: Backoff = Backoff {
    first: Duration::from_secs(1),
    attempts: 4,
};

/// A hub that does not answer within this is a failed try.
const TIMEOUT: Duration = Duration::from_secs(10);

/// Pings sent at once: a change of every topic does not open hundreds
/// of connections to one hub.
const AT_ONCE: usize = 16;

/// Tells the hub of every changed feed until the stop.
pub async fn run(pipeline: Arc<Pipeline>, shutdown: CancellationToken) {
    let client = match reqwest::Client::builder()
        .timeout(TIMEOUT)
        .user_agent(pipeline.config().poll.user_agent.clone())
        .build()
    {
        Ok(client) => client,
        Err(e) => {
            tracing::error!(error = %e, "websub: cannot build an HTTP client; the hub is not told of changes");
            return;
        }
    };
    loop {
        tokio::select! {
            () = pipeline.publisher.published_wake.notified() => {}
            () = shutdown.cancelled() => return,
        }
        let slugs = pipeline.publisher.take_published();
        // Read each round: a reload may set, change or remove the hub.
        let config = pipeline.config();
        let Some(hub) = config.server.websub_hub.clone() else {
            continue;
        };
        let urls = feed_urls(&config, &slugs);
        let metrics = &pipeline.metrics;
        let round = futures_util::stream::iter(urls)
            .for_each_concurrent(AT_ONCE, |url| ping(&client, &hub, url, metrics, BACKOFF));
        tokio::select! {
            () = round => {}
            () = shutdown.cancelled() => return,
        }
    }
}

/// Every format's URL of each of `slugs` still configured, in order.
pub fn feed_urls(config: &Config, slugs: &BTreeSet<String>) -> Vec<String> {
    let base = config.server.base_url.as_str();
    slugs
        .iter()
        .filter(|slug| config.topic(slug).is_some())
        .flat_map(|slug| Format::ALL.map(|f| feed_url(base, slug, f.ext())))
        .collect()
}

/// One feed's publish request, tried again as `backoff` says.
pub async fn ping(
    client: &reqwest::Client,
    hub: &Url,
    feed: String,
    metrics: &Metrics,
    backoff: Backoff,
) {
    let body = url::form_urlencoded::Serializer::new(String::new())
        .append_pair("hub.mode", "publish")
        .append_pair("hub.url", &feed)
        .finish();
    let mut wait = backoff.first;
    for attempt in 1..=backoff.attempts.max(1) {
        let sent = client
            .post(hub.clone())
            .header(
                reqwest::header::CONTENT_TYPE,
                "application/x-www-form-urlencoded",
            )
            .body(body.clone())
            .send()
            .await;
        let failure = match sent {
            Ok(answer) if answer.status().is_success() => {
                tracing::debug!(%hub, %feed, "websub: hub told of a change");
                metrics.websub_ping("ok");
                return;
            }
            Ok(answer) => format!("answered {}", answer.status()),
            Err(e) => e.to_string(),
        };
        if attempt == backoff.attempts.max(1) {
            tracing::warn!(%hub, %feed, attempts = attempt, error = %failure, "websub: the hub was not told of a change; given up until the next one");
            metrics.websub_ping("given_up");
            return;
        }
        tracing::info!(%hub, %feed, attempt, error = %failure, retry_in = ?wait, "websub: ping failed; trying again");
        metrics.websub_ping("error");
        tokio::time::sleep(wait).await;
        wait = wait.saturating_mul(2);
    }
}
