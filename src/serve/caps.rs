//! What a client may send: the routes take no body, and a request's head
//! is small, so bodies, request targets and heads beyond small caps are
//! refused (413, 414, 431), and a client that does not finish its request
//! head in time is disconnected.

use std::time::Duration;

use axum::extract::Request;
use axum::http::{StatusCode, header};
use axum::middleware::Next;
use axum::response::{IntoResponse, Response};

/// Request bodies: no route reads one, and any body is refused (413).
/// Kept for the extractor's limit, should a route one day read one.
pub const MAX_BODY: usize = 1024;
/// Path and query: the longest route is `/feeds/{topic}.atom` with a slug.
pub const MAX_TARGET: usize = 2 * 1024;
/// The request line and headers together (hyper answers 431 beyond it).
pub const MAX_HEAD: usize = 16 * 1024;
/// Time to send a request's head. Also how long an idle keep-alive
/// connection stays open: a client that trickles bytes (slowloris) holds
/// a connection and a task for this long at most.
pub const HEAD_TIMEOUT: Duration = Duration::from_secs(10);
/// Refuses request targets and bodies no route needs. A request with a
/// body (a length above 0, or any transfer coding) is refused before a
/// byte of the body is read: it is never waited for, so a body that never
/// comes holds nothing, and hyper closes the connection after the answer.
pub async fn caps(request: Request, next: Next) -> Response {
    let target = request
        .uri()
        .path_and_query()
        .map_or(0, |p| p.as_str().len());
    if target > MAX_TARGET {
        return (StatusCode::URI_TOO_LONG, "request target too long\n").into_response();
    }
    let headers = request.headers();
    // hyper refuses a Content-Length that is not a number (400) before
    // this runs; one that is not 0 is a body.
    let declared = headers
        .get(header::CONTENT_LENGTH)
        .is_some_and(|v| v.to_str().map_or(true, |v| v.trim() != "0"));
    if declared || headers.contains_key(header::TRANSFER_ENCODING) {
        return too_large();
    }
    next.run(request).await
}

fn too_large() -> Response {
    (
        StatusCode::PAYLOAD_TOO_LARGE,
        "no route takes a request body\n",
    )
        .into_response()
}
