//! A large cached feed reaches its readers byte for byte (issue #14, item
//! 4): the feeds over 16 KiB are sent from memory files with `sendfile`
//! (src/serve/sendfile.rs), so what a reader gets, on a kept-alive
//! connection and on many at once, must be exactly what publish rendered,
//! with a Content-Length that says so, also after the feed changed.

mod common;

use std::sync::Arc;

use bantin::pipeline::Pipeline;
use bantin::pipeline::publish::Format;
use bantin::store::Store;
use common::{Answer, Setup, serve};

/// An RSS feed of 40 items with long descriptions, numbered from `from`.
fn big_feed(from: usize) -> Vec<u8> {
    let mut text = String::from(
        "<?xml version=\"1.0\" encoding=\"UTF-8\"?><rss version=\"2.0\"><channel>\
         <title>Cổng lớn</title><link>https://lon.gov.vn.test/</link><description>x</description>",
    );
    for n in from..from + 40 {
        let paragraph = format!("Bệnh viện tỉnh báo cáo công tác y tế số {n}. ").repeat(20);
        text.push_str(&format!(
            "<item><title>Y tế: bản tin số {n} của cổng lớn</title>\
             <link>https://lon.gov.vn.test/tin/{n}.html</link><guid>lon-{n}</guid>\
             <pubDate>Mon, 01 Dec 2025 08:{:02}:00 +0700</pubDate>\
             <description>&lt;p&gt;{paragraph}&lt;/p&gt;</description></item>",
            n % 60
        ));
    }
    text.push_str("</channel></rss>");
    text.into_bytes()
}

/// Each topic's feed in each format, as publish rendered it and as three
/// GETs on one connection and eight at once receive it.
async fn served_as_rendered(pipeline: &Pipeline, addr: std::net::SocketAddr) -> usize {
    let client = reqwest::Client::new();
    let mut large = 0;
    for topic in ["all", "y-te"] {
        for format in [Format::Atom, Format::Rss, Format::Json] {
            let rendered = pipeline
                .publisher
                .get_as(topic, format)
                .unwrap()
                .body
                .clone();
            if rendered.len() > 16 * 1024 {
                large += 1;
            }
            let url = format!("http://{addr}/feeds/{topic}.{}", format.ext());
            for _ in 0..3 {
                let response = client.get(&url).send().await.unwrap();
                assert_eq!(response.status(), 200, "GET {url}");
                assert_eq!(
                    response.content_length(),
                    Some(rendered.len() as u64),
                    "{url}"
                );
                let body = response.bytes().await.unwrap();
                assert!(body == rendered, "{url}: the bytes publish rendered");
            }
            let at_once: Vec<_> = (0..8)
                .map(|_| {
                    let url = url.clone();
                    tokio::spawn(async move {
                        reqwest::Client::new()
                            .get(url)
                            .send()
                            .await
                            .unwrap()
                            .bytes()
                            .await
                            .unwrap()
                    })
                })
                .collect();
            for got in at_once {
                assert!(got.await.unwrap() == rendered, "{url}, eight at once");
            }
        }
    }
    large
}

#[tokio::test]
async fn a_large_feed_arrives_as_rendered_before_and_after_it_changes() {
    let setup = Setup::new().await;
    setup.server.set("big.rss", Answer::rss(big_feed(0)));
    let extra = format!(
        "\n[[source]]\nid = \"lon\"\nname = \"lon\"\nurl = \"{}\"\nallow_private = true\n",
        setup.server.url("big.rss")
    );
    let config = setup.config(&extra);
    let store = Store::open(&config.store.path).unwrap();
    let pipeline = Pipeline::new(config, store).unwrap();
    bantin::scheduler::poll_all(&pipeline).await;
    let served = serve(Arc::clone(&pipeline)).await;

    let before = pipeline
        .publisher
        .get_as("all", Format::Atom)
        .unwrap()
        .body
        .clone();
    let large = served_as_rendered(&pipeline, served.addr).await;
    assert!(
        large >= 4,
        "the feeds over 16 KiB are the ones sent from files ({large})"
    );

    // New items: publish renders new bodies, and readers get those, not
    // the bytes of the feed they replaced.
    setup.server.set("big.rss", Answer::rss(big_feed(100)));
    bantin::scheduler::poll_all(&pipeline).await;
    let after = pipeline
        .publisher
        .get_as("all", Format::Atom)
        .unwrap()
        .body
        .clone();
    assert!(after != before, "the feed changed");
    served_as_rendered(&pipeline, served.addr).await;
    served.stop().await;
}
