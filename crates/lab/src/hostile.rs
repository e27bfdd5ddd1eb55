//! Hostile endpoints for client robustness tests: responses that are huge,
//! slow or endless. They are routed but not part of [`crate::endpoints`];
//! a well-behaved client must survive each with a clean error.

use std::convert::Infallible;
use std::time::Duration;

use axum::body::{Body, Bytes};
use axum::http::StatusCode;
use axum::Router;

use crate::handlers::{route, Reply};
use crate::LAB_ORIGIN;

/// (path, description) of every hostile endpoint.
pub fn hostile_paths() -> &'static [(&'static str, &'static str)] {
    HOSTILE
}

const HOSTILE: &[(&str, &str)] = &[
    (
        "/hostile/huge-headers",
        "about 200 KiB of response headers: 400 header lines of 512 bytes",
    ),
    (
        "/hostile/slow",
        "sends the response headers only after 30 seconds",
    ),
    (
        "/hostile/redirect-loop",
        "302 to itself forever, with Access-Control-Allow-Origin so a CORS client follows",
    ),
    (
        "/hostile/huge-body",
        "streams a 64 MiB body, with Access-Control-Allow-Origin",
    ),
];

/// Number and size of the header lines of `/hostile/huge-headers`.
const HUGE_HEADER_COUNT: usize = 400;
const HUGE_HEADER_LINE_BYTES: usize = 512;
/// Delay before `/hostile/slow` answers.
const SLOW_DELAY: Duration = Duration::from_secs(30);
/// `/hostile/huge-body` size: `CHUNK_COUNT` chunks of `CHUNK.len()` bytes = 64 MiB.
const CHUNK_COUNT: usize = 1024;
static CHUNK: [u8; 64 * 1024] = [b'x'; 64 * 1024];

pub(crate) fn routes() -> Router {
    let router = route(Router::new(), "/hostile/huge-headers", huge_headers);
    let router = route(router, "/hostile/slow", slow);
    let router = route(router, "/hostile/redirect-loop", redirect_loop);
    route(router, "/hostile/huge-body", huge_body)
}

async fn huge_headers() -> Reply {
    // "X-Hostile-000: " is 15 bytes and the line ends with CRLF.
    let filler = "h".repeat(HUGE_HEADER_LINE_BYTES - 15 - 2);
    (0..HUGE_HEADER_COUNT).fold(
        Reply::ok("/hostile/huge-headers").header("Access-Control-Allow-Origin", LAB_ORIGIN),
        |reply, index| reply.header(&format!("X-Hostile-{index:03}"), &filler),
    )
}

async fn slow() -> Reply {
    tokio::time::sleep(SLOW_DELAY).await;
    Reply::ok("/hostile/slow").header("Access-Control-Allow-Origin", LAB_ORIGIN)
}

async fn redirect_loop() -> Reply {
    Reply::empty(StatusCode::FOUND)
        .header("Location", "/hostile/redirect-loop")
        .header("Access-Control-Allow-Origin", LAB_ORIGIN)
}

async fn huge_body() -> Reply {
    let chunks = futures_util::stream::iter(
        (0..CHUNK_COUNT).map(|_| Ok::<_, Infallible>(Bytes::from_static(&CHUNK))),
    );
    Reply::empty(StatusCode::OK)
        .header("Content-Type", "application/octet-stream")
        .header("Access-Control-Allow-Origin", LAB_ORIGIN)
        .with_body(Body::from_stream(chunks))
}
