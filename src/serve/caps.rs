//! What a client may send: the routes take no body, and a request's head
//! is small, so bodies, request targets and heads beyond small caps are
//! refused (413, 414, 431), and a client that does not finish its request
//! head in time is disconnected.

use std::time::Duration;

use axum::body::Body;
use axum::extract::Request;
use axum::http::{StatusCode, header};
use axum::middleware::Next;
use axum::response::{IntoResponse, Response};

/// Request bodies: no route reads one.
pub const MAX_BODY: usize = 1024;
/// Path and query: the longest route is `/feeds/{topic}.atom` with a slug.
pub const MAX_TARGET: usize = 2 * 1024;
/// The request line and headers together (hyper answers 431 beyond it).
pub const MAX_HEAD: usize = 16 * 1024;
/// Time to send a request's head. Also how long an idle keep-alive
/// connection stays open: a client that trickles bytes (slowloris) holds
/// a connection and a task for this long at most.
pub const HEAD_TIMEOUT: Duration = Duration::from_secs(10);
/// Refuses request targets and bodies no route needs. A declared length
/// is refused before a byte of the body is read; a chunked body is read
/// up to the cap.
pub async fn caps(request: Request, next: Next) -> Response {
    let target = request
        .uri()
        .path_and_query()
        .map_or(0, |p| p.as_str().len());
    if target > MAX_TARGET {
        return (StatusCode::URI_TOO_LONG, "request target too long\n").into_response();
    }
    let declared = request
        .headers()
        .get(header::CONTENT_LENGTH)
        .and_then(|v| v.to_str().ok())
        .and_then(|v| v.parse::<u64>().ok());
    if declared.is_some_and(|n| n > MAX_BODY as u64) {
        return too_large();
    }
    let (parts, body) = request.into_parts();
    // An error here is the cap, or a client gone mid-body, which will not
    // read the answer anyway.
    let Ok(body) = axum::body::to_bytes(body, MAX_BODY).await else {
        return too_large();
    };
    next.run(Request::from_parts(parts, Body::from(body))).await
}

fn too_large() -> Response {
    (
        StatusCode::PAYLOAD_TOO_LARGE,
        "no route takes a request body\n",
    )
        .into_response()
}
