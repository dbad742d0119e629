//! HTTP: the serve stage.
//!
//! Routes: `/` (status page), `/sources/{id}` (a source's history),
//! `/status.json`, `/feeds/{topic}.atom`,
//! `.rss` and `.json`, their archives `/feeds/{topic}/archive/{YYYY-MM}.…`,
//! `/feeds.opml` (every topic's feed), the reading pages `/topics/{slug}`
//! (and `/{YYYY-MM}`) and `/stories/{id}` (HTML; `.json`; `.txt`, why a
//! story is where it is), `/search?q=…` (stored stories matching a
//! keyword), `/metrics` (Prometheus),
//! `/healthz`, `/readyz`, `/favicon.ico` (an SVG held in the binary); anything else is a 404, and no file is ever read
//! from disk. Feeds are served from the bytes `publish` rendered, with
//! ETag / Last-Modified and 304 answers; this module never fetches, parses
//! or renders a feed: archives and story pages are rendered by publish
//! when asked for, off the async threads.
//!
//! It also owns what a client may send: the routes take no body, and a
//! request's head is small, so bodies, request targets and heads beyond
//! small caps are refused (413, 414, 431), and a client that does not
//! finish its request head in time is disconnected.
//!
//! - [`caps`]: what a client may send.
//! - [`connections`]: how many connections, and for how long.
//! - [`routes`]: the feeds and their list, `/status.json`, `/metrics`, the icon.
//! - [`pages`]: the reading pages, the archives, `/stories/{id}`.
//! - [`search`]: `/search`, as a page or a feed.
//! - [`sendfile`]: large cached bodies sent from memory files, uncopied.
//! - [`status_page`]: the page at `/`.
//! - [`source_page`]: a source's history, `/sources/{id}`.
//! - [`charts`]: their pictures, in SVG.

mod caps;
mod charts;
mod connections;
mod pages;
mod routes;
mod search;
mod sendfile;
mod source_page;
mod status_page;

use std::sync::Arc;
use std::time::Duration;

use axum::Router;
use axum::extract::DefaultBodyLimit;
use axum::middleware;
use axum::routing::get;
use hyper_util::rt::{TokioIo, TokioTimer};
use hyper_util::service::TowerToHyperService;
use tokio::net::TcpListener;
use tokio::task::JoinSet;

use crate::config::InForce;
use crate::metrics::Metrics;
use crate::pipeline::Pipeline;
use crate::pipeline::publish::Publisher;
use crate::shutdown::Shutdown;
use crate::status::Notices;
use crate::store::Store;
use crate::store::search::SearchIndex;
use connections::{Admission, Connections};

/// After an accept error other than a reset: out of descriptors, most
/// likely, which only time frees.
const ACCEPT_PAUSE: Duration = Duration::from_secs(1);

/// What the routes read: the rendered feeds, the counters, the store and
/// the configuration in force. Never the pipeline: serving does not
/// fetch, parse or merge.
#[derive(Clone)]
pub struct Served {
    pub config: Arc<InForce>,
    pub store: Store,
    pub publisher: Arc<Publisher>,
    pub metrics: Arc<Metrics>,
    pub notices: Arc<Notices>,
    pub search: Arc<SearchIndex>,
    /// The status page's topic charts, counted at most once a minute.
    pub bars: Arc<status_page::BarsCache>,
    /// The feeds' bodies as memory files, for `sendfile` (see [`sendfile`]).
    pub(crate) send_files: Arc<sendfile::SendFiles>,
    /// The sources' statuses, read again after a poll writes.
    pub statuses: Arc<status_page::StatusCache>,
    /// The status page's renderings, shared by the requests waiting.
    pub pages: Arc<status_page::PageRenders>,
}

impl Served {
    /// What `pipeline` renders and counts, with `notices` from reload.
    pub fn of(pipeline: &Pipeline, notices: Arc<Notices>) -> Served {
        Served {
            config: pipeline.config_cell(),
            store: pipeline.store.clone(),
            publisher: Arc::clone(&pipeline.publisher),
            metrics: Arc::clone(&pipeline.metrics),
            notices,
            search: Arc::clone(&pipeline.search),
            bars: Arc::default(),
            send_files: Arc::default(),
            statuses: Arc::default(),
            pages: Arc::default(),
        }
    }
}

/// Serves until the stop begins, then finishes the requests in flight,
/// until the stop is forced: a client that never finishes its request
/// must not hold the daemon.
///
/// The accept loop is bantin's own rather than `axum::serve`'s, which does
/// not expose hyper's connection settings: the head cap and timeout are
/// set on each connection here.
pub async fn run(listener: TcpListener, state: Served, shutdown: Shutdown) -> std::io::Result<()> {
    let limit = Connections::new(state.config.get().server.max_connections);
    tracing::debug!(max = limit.max(), "client connections at most");
    let send_files = Arc::clone(&state.send_files);
    let app = router(state);
    let busy = busy_router();
    let mut http = hyper::server::conn::http1::Builder::new();
    http.timer(TokioTimer::new())
        .header_read_timeout(caps::HEAD_TIMEOUT)
        .max_header_size(caps::MAX_HEAD);
    // Near the cap: one request per connection, sent at once.
    let mut reserved = http.clone();
    reserved
        .header_read_timeout(connections::RESERVE_HEAD_TIMEOUT)
        .keep_alive(false);
    let mut refused = Refusals::default();
    // Owned here, so a forced stop can drop the connections still open.
    let mut connections = JoinSet::new();
    loop {
        let stream = tokio::select! {
            accepted = listener.accept() => match accepted {
                Ok((stream, _)) => stream,
                Err(e) => {
                    if !is_connection_error(&e) {
                        tracing::warn!(error = %e, "cannot accept a connection");
                        tokio::time::sleep(ACCEPT_PAUSE).await;
                    }
                    continue;
                }
            },
            () = shutdown.drain().cancelled() => break,
        };
        // Finished connections are reaped as new ones come, so the set
        // holds only the open ones.
        while connections.try_join_next().is_some() {}
        let (slot, admission) = limit.admit();
        let (router, builder) = match admission {
            Admission::Full => (app.clone(), &http),
            Admission::Reserved => (busy.clone(), &reserved),
            Admission::Refused => {
                refused.count(limit.max());
                drop(stream);
                continue;
            }
        };
        // As nginx's `tcp_nodelay`: a response's last segment goes out at
        // once rather than after the client's (delayed) ACK. A failure
        // only costs latency.
        let _ = stream.set_nodelay(true);
        let stream = sendfile::Connection::new(stream, Arc::clone(&send_files));
        let service = closing_after(router, connections::DEADLINE);
        let connection = builder.serve_connection(TokioIo::new(stream), service);
        let drain = shutdown.drain().clone();
        connections.spawn(async move {
            let _slot = slot;
            let mut connection = std::pin::pin!(connection);
            // Past its deadline a connection's responses say `close`
            // ([`closing_after`]), so it ends after the next one, which
            // the client knows not to follow with another request; an
            // idle one ends at its keep-alive timeout. A response still
            // going LAST_RESPONSE later is cut: its reader is too slow.
            // A stop takes no new request and lets the responses being
            // sent finish, within the same bound: a proxy holding
            // connections to bantin never gets a feed cut short.
            let hard_stop = connections::DEADLINE + connections::LAST_RESPONSE;
            let ended = tokio::select! {
                ended = connection.as_mut() => Some(ended),
                () = tokio::time::sleep(hard_stop) => None,
                () = drain.cancelled() => {
                    connection.as_mut().graceful_shutdown();
                    tokio::time::timeout(connections::LAST_RESPONSE, connection).await.ok()
                }
            };
            let Some(ended) = ended else {
                tracing::debug!("connection closed at its deadline");
                return;
            };
            // Timeouts, resets and malformed requests end one connection;
            // hyper has already answered what could be answered.
            if let Err(e) = ended {
                tracing::debug!(error = %e, "connection ended with an error");
            }
        });
    }
    drop(listener);
    tokio::select! {
        () = async { while connections.join_next().await.is_some() {} } => {}
        () = shutdown.until_forced() => {
            tracing::warn!(open = connections.len(), "closing the connections still open");
            connections.abort_all();
        }
    }
    Ok(())
}

/// `router` as a connection's service whose responses, from `deadline`
/// after the connection began, carry `Connection: close`: hyper then
/// ends the connection after sending it, and the client, told so, opens
/// another rather than sending a request into a closing socket.
fn closing_after(
    router: Router,
    deadline: Duration,
) -> impl hyper::service::Service<
    hyper::Request<hyper::body::Incoming>,
    Response = axum::response::Response,
    Error = std::convert::Infallible,
    Future = impl Future<Output = Result<axum::response::Response, std::convert::Infallible>> + Send,
> + Clone {
    use hyper::service::Service as _;
    let close_at = tokio::time::Instant::now() + deadline;
    let service = TowerToHyperService::new(router);
    hyper::service::service_fn(move |request| {
        let response = service.call(request);
        async move {
            let mut response = response.await?;
            if tokio::time::Instant::now() >= close_at {
                response.headers_mut().insert(
                    axum::http::header::CONNECTION,
                    axum::http::HeaderValue::from_static("close"),
                );
            }
            Ok(response)
        }
    })
}

/// Connections closed at the cap, logged at most once a minute.
#[derive(Default)]
struct Refusals {
    since_log: u64,
    logged: Option<std::time::Instant>,
}

impl Refusals {
    fn count(&mut self, max: usize) {
        self.since_log += 1;
        if self
            .logged
            .is_none_or(|t| t.elapsed() >= Duration::from_secs(60))
        {
            tracing::warn!(
                max,
                closed = self.since_log,
                "client connections at their cap ([server] max_connections): closing new ones"
            );
            self.since_log = 0;
            self.logged = Some(std::time::Instant::now());
        }
    }
}

/// What a reserved slot serves: `/healthz`, and 503 for the rest.
fn busy_router() -> Router {
    Router::new()
        .route("/healthz", get(|| async { "ok\n" }))
        .fallback(|| async {
            (
                axum::http::StatusCode::SERVICE_UNAVAILABLE,
                [(axum::http::header::RETRY_AFTER, "5")],
                "too many connections; try again shortly\n",
            )
        })
        .layer(middleware::from_fn(caps::caps))
}

/// A client that gave up before its connection was accepted.
fn is_connection_error(e: &std::io::Error) -> bool {
    use std::io::ErrorKind;
    matches!(
        e.kind(),
        ErrorKind::ConnectionRefused | ErrorKind::ConnectionAborted | ErrorKind::ConnectionReset
    )
}

/// The routes, over `state`.
pub fn router(state: Served) -> Router {
    Router::new()
        .route("/", get(status_page::page))
        .route("/healthz", get(|| async { "ok\n" }))
        .route("/readyz", get(routes::ready))
        .route("/status.json", get(routes::status_json))
        .route("/sources/{id}", get(source_page::page))
        .route("/feeds/{file}", get(routes::feed))
        .route("/feeds.opml", get(routes::opml))
        .route("/feeds/{topic}/archive/{file}", get(pages::feed_archive))
        .route("/topics/{slug}", get(pages::topic))
        .route("/topics/{slug}/{month}", get(pages::topic_month))
        .route("/stories/{id}", get(pages::story))
        .route("/search", get(search::search))
        .route("/metrics", get(routes::metrics))
        .route("/favicon.ico", get(routes::favicon))
        .route_layer(middleware::from_fn_with_state(
            state.clone(),
            routes::count_request,
        ))
        .fallback(routes::not_found)
        // Layered last, so the caps run before routing and for every path,
        // the fallback included.
        .layer(middleware::from_fn(caps::caps))
        // For a route that one day extracts a body: the same cap.
        .layer(DefaultBodyLimit::max(caps::MAX_BODY))
        .with_state(state)
}
