//! Politeness, measured where it matters: at the servers.
//!
//! Thirty sources on three hosts (127.0.0.1, .2 and .3), each due every
//! second, run through the real daemon for a few seconds: at that scale
//! as many polls as an hour and more of 15-minute intervals. Every server
//! records when each request arrived, how many were in flight, and whether
//! it was conditional.

use std::collections::HashMap;
use std::net::SocketAddr;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use axum::Router;
use axum::extract::{Path, State};
use axum::http::{HeaderMap, StatusCode, header};
use axum::response::{IntoResponse, Response};
use axum::routing::get;
use tokio::net::TcpListener;
use tokio_util::sync::CancellationToken;

const HOSTS: [&str; 3] = ["127.0.0.1", "127.0.0.2", "127.0.0.3"];
const SOURCES_PER_HOST: usize = 10;
const PER_HOST: usize = 2;
const HOST_GAP: Duration = Duration::from_millis(200);
/// Each answer takes this long, so requests can overlap if allowed to.
const SERVICE_TIME: Duration = Duration::from_millis(50);
const RUN_FOR: Duration = Duration::from_secs(5);

#[derive(Clone, Debug)]
struct Arrival {
    path: String,
    at: Instant,
    conditional: bool,
}

#[derive(Default)]
struct Host {
    in_flight: AtomicUsize,
    most_in_flight: AtomicUsize,
    arrivals: Mutex<Vec<Arrival>>,
}

async fn feed(
    State(host): State<Arc<Host>>,
    Path(name): Path<String>,
    headers: HeaderMap,
) -> Response {
    let now = host.in_flight.fetch_add(1, Ordering::SeqCst) + 1;
    host.most_in_flight.fetch_max(now, Ordering::SeqCst);
    let etag = format!("\"{name}-v1\"");
    let conditional = headers.contains_key(header::IF_NONE_MATCH);
    host.arrivals.lock().unwrap().push(Arrival {
        path: name.clone(),
        at: Instant::now(),
        conditional,
    });
    tokio::time::sleep(SERVICE_TIME).await;
    let response = if headers
        .get(header::IF_NONE_MATCH)
        .and_then(|v| v.to_str().ok())
        == Some(&etag)
    {
        (StatusCode::NOT_MODIFIED, [(header::ETAG, etag)]).into_response()
    } else {
        let body = format!(
            r#"<rss version="2.0"><channel><title>{name}</title><item><title>Tin {name} về công an</title>
            <link>https://{name}.test/1</link><guid>{name}-1</guid></item></channel></rss>"#
        );
        (StatusCode::OK, [(header::ETAG, etag)], body).into_response()
    };
    host.in_flight.fetch_sub(1, Ordering::SeqCst);
    response
}

async fn start_host(ip: &str) -> (SocketAddr, Arc<Host>) {
    let listener = TcpListener::bind((ip, 0)).await.unwrap_or_else(|e| {
        panic!("cannot bind {ip}: {e} (the test needs 127.0.0.0/8 on loopback)")
    });
    let addr = listener.local_addr().unwrap();
    let host = Arc::new(Host::default());
    let app = Router::new()
        .route("/{name}", get(feed))
        .with_state(Arc::clone(&host));
    tokio::spawn(async move { axum::serve(listener, app).await });
    (addr, host)
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn no_host_sees_too_many_or_too_close_requests_and_all_are_conditional() {
    let mut hosts = Vec::new();
    let mut sources = String::new();
    for ip in HOSTS {
        let (addr, host) = start_host(ip).await;
        for n in 0..SOURCES_PER_HOST {
            let id = format!("h{}-s{n}", hosts.len());
            sources.push_str(&format!(
                "\n[[source]]\nid = \"{id}\"\nurl = \"http://{addr}/{id}\"\nevery = \"1s\"\nallow_private = true\n"
            ));
        }
        hosts.push(host);
    }
    let dir = tempfile::tempdir().unwrap();
    let text = format!(
        "[server]\nlisten = \"127.0.0.1:0\"\n[store]\npath = \"store\"\n\
         [poll]\nconcurrency = 16\nper_host = {PER_HOST}\nhost_gap = \"{}ms\"\ntimeout = \"5s\"\n{sources}",
        HOST_GAP.as_millis()
    );
    let path = dir.path().join("feeds.toml");
    std::fs::write(&path, text).unwrap();
    let config = Arc::new(bantin::config::Config::load(&path).unwrap());

    let listener = TcpListener::bind("127.0.0.1:0").await.unwrap();
    let shutdown = CancellationToken::new();
    let daemon = tokio::spawn(bantin::daemon::run(config, listener, shutdown.clone()));
    tokio::time::sleep(RUN_FOR).await;
    shutdown.cancel();
    daemon.await.unwrap().unwrap();

    let mut total = 0;
    for (ip, host) in HOSTS.iter().zip(&hosts) {
        let most = host.most_in_flight.load(Ordering::SeqCst);
        assert!(most <= PER_HOST, "{ip} saw {most} requests in flight");
        let arrivals = host.arrivals.lock().unwrap().clone();
        total += arrivals.len();
        // Arrival times are taken at the server, a little after bantin
        // sent each request, and a loaded machine delays some more than
        // others: allow for half the gap (a 2-core machine under a full
        // build has shown 60 ms). Without the gate, requests due together
        // arrive within a few milliseconds of each other; the rate bound
        // below checks the gap on average.
        for pair in arrivals.windows(2) {
            let gap = pair[1].at.duration_since(pair[0].at);
            assert!(
                gap + HOST_GAP / 2 >= HOST_GAP,
                "{ip}: two requests {gap:?} apart"
            );
        }
        let mut answered: HashMap<&str, bool> = HashMap::new();
        for a in &arrivals {
            if answered.insert(&a.path, true).is_some() {
                assert!(
                    a.conditional,
                    "{ip}/{}: unconditional request after validators",
                    a.path
                );
            }
        }
        // Every source on the host was polled at least once.
        assert_eq!(answered.len(), SOURCES_PER_HOST, "{ip}");
    }
    // The gap, not the schedule, bounds the rate: about RUN_FOR / HOST_GAP
    // requests per host.
    let ceiling = HOSTS.len() * (RUN_FOR.as_millis() / HOST_GAP.as_millis() + 1) as usize;
    assert!(
        total <= ceiling,
        "{total} requests, at most {ceiling} possible"
    );
    assert!(
        total >= 2 * HOSTS.len() * SOURCES_PER_HOST / 2,
        "only {total} requests"
    );
}
