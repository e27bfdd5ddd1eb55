//! Exploitable allow-lists, one per class that CORS scanners look for: each
//! reflects the request's origin (with credentials and `Vary: Origin`) when
//! a flawed check accepts it. They are routed for `scan` and its tests, and
//! listed by [`crate::scan_endpoints`], not in the demo's table.

use axum::extract::Request;
use axum::http::StatusCode;
use axum::Router;

use super::{is_options, reflect_origin_if, route, Reply, ALL_METHODS, COMMON_HEADERS};

/// A flawed allow-list check: does it accept this `Origin` value?
type OriginCheck = fn(&str) -> bool;

/// (path, what is wrong, the flawed check).
pub(crate) const VULNERABLE: &[(&str, &str, OriginCheck)] = &[
    (
        "/vuln/null",
        "accepts the `null` origin with credentials",
        |o| o == "null" || o == "https://app.example.com",
    ),
    (
        "/vuln/prefix",
        "accepts any origin that starts with https://app.example.com",
        |o| o.starts_with("https://app.example.com"),
    ),
    (
        "/vuln/suffix",
        "accepts any origin that ends with example.com",
        |o| o.starts_with("https://") && o.ends_with("example.com"),
    ),
    (
        "/vuln/unescaped-dot",
        "checks with the regex ^https://app.example.com$ (dots unescaped)",
        |o| {
            o.len() == "https://app.example.com".len()
                && o.starts_with("https://app")
                && o.ends_with("com")
                && o.as_bytes()["https://app".len()..]
                    .iter()
                    .zip(b".example.com")
                    .all(|(a, b)| *b == b'.' || a == b)
        },
    ),
    (
        "/vuln/any-subdomain",
        "accepts every subdomain of example.com, over http too",
        |o| {
            (o.starts_with("https://") || o.starts_with("http://"))
                && (o.ends_with(".example.com") || o.ends_with("://example.com"))
        },
    ),
    (
        "/vuln/http-trusted",
        "trusts http://app.example.com as well as https",
        |o| o == "https://app.example.com" || o == "http://app.example.com",
    ),
    (
        "/vuln/special-chars",
        "accepts origins whose host merely starts with app.example.com",
        |o| {
            o.strip_prefix("https://app.example.com")
                .is_some_and(|rest| rest.is_empty() || !rest.starts_with(['.', ':', '/']))
        },
    ),
];

/// Trusts only https://app.example.com, but echoes whatever method and
/// headers a preflight asks for, with credentials: the flaw scanners that
/// only vary the origin miss.
pub(crate) const REFLECT_ALLOW_LISTS: (&str, &str) = (
    "/vuln/reflect-allow-lists",
    "echoes Access-Control-Request-Method/-Headers into the allow lists, with credentials",
);

pub(crate) fn routes() -> Router {
    let router = route(Router::new(), REFLECT_ALLOW_LISTS.0, reflect_allow_lists);
    VULNERABLE
        .iter()
        .fold(router, |router, &(path, _, accepts)| {
            route(router, path, move |request: Request| async move {
                reply(&request, path, accepts)
            })
        })
}

fn reply(request: &Request, path: &'static str, accepts: OriginCheck) -> Reply {
    let reply = if is_options(request) {
        Reply::empty(StatusCode::NO_CONTENT)
            .header("Access-Control-Allow-Methods", ALL_METHODS)
            .header("Access-Control-Allow-Headers", COMMON_HEADERS)
    } else {
        Reply::ok(path)
    };
    reflect_origin_if(reply, request, |o| o.to_str().is_ok_and(accepts))
}

async fn reflect_allow_lists(request: Request) -> Reply {
    let reply = if is_options(&request) {
        let mut reply = Reply::empty(StatusCode::NO_CONTENT);
        for (asked, allowed) in [
            (
                "access-control-request-method",
                "Access-Control-Allow-Methods",
            ),
            (
                "access-control-request-headers",
                "Access-Control-Allow-Headers",
            ),
        ] {
            if let Some(value) = request.headers().get(asked) {
                reply = reply.header_value(allowed, value.clone());
            }
        }
        reply
    } else {
        Reply::ok(REFLECT_ALLOW_LISTS.0)
    };
    reflect_origin_if(reply, &request, |o| {
        o.as_bytes() == b"https://app.example.com"
    })
}
