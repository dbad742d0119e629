//! HTTPS sources with a certificate from a CA the system does not know, as
//! gov.vn servers with incomplete chains look to a client: refused by
//! default, accepted with the source's `ca_file`, or with `insecure_tls`
//! (which the status page flags).

mod common;

use std::net::SocketAddr;
use std::sync::Arc;

use axum::Router;
use axum::routing::get;
use bantin::config::Config;
use bantin::model::PollResult;
use bantin::pipeline::Pipeline;
use bantin::store::Store;
use tokio::net::{TcpListener, TcpStream};
use tokio_rustls::TlsAcceptor;
use tokio_rustls::rustls::ServerConfig;
use tokio_rustls::rustls::pki_types::pem::PemObject;
use tokio_rustls::rustls::pki_types::{CertificateDer, PrivateKeyDer};

const TLS: &str = concat!(env!("CARGO_MANIFEST_DIR"), "/tests/fixtures/tls");

/// An axum listener that speaks TLS with the test certificate.
struct TlsListener {
    tcp: TcpListener,
    acceptor: TlsAcceptor,
}

impl axum::serve::Listener for TlsListener {
    type Io = tokio_rustls::server::TlsStream<TcpStream>;
    type Addr = SocketAddr;

    async fn accept(&mut self) -> (Self::Io, Self::Addr) {
        loop {
            let Ok((stream, addr)) = self.tcp.accept().await else {
                continue;
            };
            // A client that refuses the certificate ends its handshake:
            // that is what the tests expect, not a reason to stop.
            if let Ok(tls) = self.acceptor.accept(stream).await {
                return (tls, addr);
            }
        }
    }

    fn local_addr(&self) -> std::io::Result<Self::Addr> {
        self.tcp.local_addr()
    }
}

async fn https_feed_server() -> SocketAddr {
    let certs = CertificateDer::pem_file_iter(format!("{TLS}/server.pem"))
        .unwrap()
        .collect::<Result<Vec<_>, _>>()
        .unwrap();
    let key = PrivateKeyDer::from_pem_file(format!("{TLS}/server.key")).unwrap();
    let provider = Arc::new(tokio_rustls::rustls::crypto::ring::default_provider());
    let config = ServerConfig::builder_with_provider(provider)
        .with_safe_default_protocol_versions()
        .unwrap()
        .with_no_client_auth()
        .with_single_cert(certs, key)
        .unwrap();
    let tcp = TcpListener::bind("127.0.0.1:0").await.unwrap();
    let addr = tcp.local_addr().unwrap();
    let listener = TlsListener {
        tcp,
        acceptor: TlsAcceptor::from(Arc::new(config)),
    };
    let feed = String::from_utf8(common::fixture("police.rss")).unwrap();
    let app = Router::new().route("/rss", get(move || async move { feed }));
    tokio::spawn(async move { axum::serve(listener, app).await });
    addr
}

async fn poll_once(source_extra: &str) -> (PollResult, Vec<String>) {
    let addr = https_feed_server().await;
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("feeds.toml");
    std::fs::write(
        &path,
        format!(
            "[store]\npath = \"store\"\nkeep_days = 36500\n[poll]\ntimeout = \"5s\"\n\
             [[source]]\nid = \"congan\"\nurl = \"https://{addr}/rss\"\nallow_private = true\n{source_extra}\n"
        ),
    )
    .unwrap();
    let config = Arc::new(Config::load(&path).unwrap_or_else(|e| panic!("{e}")));
    let store = Store::open(&config.store.path).unwrap();
    let pipeline = Pipeline::new(config, store).unwrap();
    let report = bantin::scheduler::poll_all(&pipeline).await.remove(0);
    let warnings = bantin::status::statuses(&pipeline.config(), &pipeline.store)
        .remove(0)
        .warnings;
    (report.result, warnings)
}

#[tokio::test]
async fn unknown_ca_is_refused_as_a_tls_error() {
    let (result, _) = poll_once("").await;
    match result {
        PollResult::Failed { kind, message } => {
            assert_eq!(kind, "tls", "{message}");
            assert!(message.contains("certificate"), "{message}");
        }
        other => panic!("{other:?}"),
    }
}

#[tokio::test]
async fn ca_file_makes_the_chain_complete() {
    let (result, warnings) = poll_once(&format!("ca_file = \"{TLS}/ca.pem\"")).await;
    assert!(
        matches!(result, PollResult::Fetched { items: 6, .. }),
        "{result:?}"
    );
    assert!(warnings.is_empty(), "{warnings:?}");
}

#[tokio::test]
async fn insecure_tls_works_and_is_flagged() {
    let (result, warnings) = poll_once("insecure_tls = true").await;
    assert!(
        matches!(result, PollResult::Fetched { items: 6, .. }),
        "{result:?}"
    );
    assert_eq!(warnings.len(), 1);
    assert!(warnings[0].starts_with("insecure_tls"));
}

#[test]
fn unreadable_ca_file_is_a_config_error_with_its_place() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("feeds.toml");
    std::fs::write(
        &path,
        "[[source]]\nid = \"x\"\nurl = \"https://x.test/rss\"\nca_file = \"missing.pem\"\n",
    )
    .unwrap();
    let err = Config::load(&path).unwrap_err();
    assert_eq!((err.problems[0].line, err.problems[0].column), (4, 11));
    assert!(err.problems[0].message.contains("cannot read ca_file"));
}
