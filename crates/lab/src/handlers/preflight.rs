//! Servers whose answer to the preflight (OPTIONS) is the point: routing and
//! authentication mistakes that never reach CORS, bad status codes, and
//! method/header lists that leave out what the page sends.
//!
//! Servers with a fixed preflight answer are a table; the ones whose answer
//! depends on the method or the request are written out.

use axum::extract::Request;
use axum::http::{Method, StatusCode};
use axum::Router;

use super::{is_options, route, Reply, ALLOW_LAB, ALL_METHODS, COMMON_HEADERS};
use crate::LAB_ORIGIN;

const ACAO: &str = "Access-Control-Allow-Origin";
const ACAM: &str = "Access-Control-Allow-Methods";
const ACAH: &str = "Access-Control-Allow-Headers";

type Lines = &'static [(&'static str, &'static str)];

/// A server configured with fixed lines: (path, 204 preflight lines, actual response lines).
const FIXED: &[(&str, Lines, Lines)] = &[
    (
        "/method-missing",
        &[
            (ACAO, LAB_ORIGIN),
            (ACAM, "GET, POST"),
            (ACAH, "Content-Type"),
            ("Vary", "Origin"),
        ],
        ALLOW_LAB,
    ),
    (
        "/header-missing",
        &[
            (ACAO, LAB_ORIGIN),
            (ACAM, "GET, POST, PUT"),
            (ACAH, "Content-Type"),
            ("Vary", "Origin"),
        ],
        ALLOW_LAB,
    ),
    (
        "/wildcard-authorization",
        &[(ACAO, "*"), (ACAM, "*"), (ACAH, "*")],
        &[(ACAO, "*")],
    ),
    (
        "/lowercase-patch",
        &[
            (ACAO, LAB_ORIGIN),
            (ACAM, ALL_METHODS),
            (ACAH, "Content-Type"),
            ("Vary", "Origin"),
        ],
        ALLOW_LAB,
    ),
    (
        "/max-age-day",
        &[
            (ACAO, LAB_ORIGIN),
            (ACAM, "PUT"),
            (ACAH, "Content-Type"),
            ("Access-Control-Max-Age", "86400"),
            ("Vary", "Origin"),
        ],
        ALLOW_LAB,
    ),
    (
        "/invalid-allow-methods",
        &[
            (ACAO, LAB_ORIGIN),
            (ACAM, "GET POST PUT"),
            (ACAH, "Content-Type"),
            ("Vary", "Origin"),
        ],
        ALLOW_LAB,
    ),
];

pub(super) fn routes() -> Router {
    let router = FIXED
        .iter()
        .fold(Router::new(), |router, &(path, preflight, actual)| {
            route(router, path, move |request: Request| async move {
                if is_options(&request) {
                    Reply::empty(StatusCode::NO_CONTENT).headers(preflight)
                } else {
                    Reply::ok(path).headers(actual)
                }
            })
        });
    let router = route(router, "/ok/preflight", ok_preflight);
    let router = route(router, "/preflight-404", preflight_404);
    let router = route(router, "/preflight-405", preflight_405);
    let router = route(router, "/preflight-401", preflight_401);
    route(router, "/preflight-500-with-cors", preflight_500_with_cors)
}

/// A correctly configured credentialed API.
async fn ok_preflight(request: Request) -> Reply {
    if is_options(&request) {
        Reply::empty(StatusCode::NO_CONTENT).headers(&[
            (ACAO, LAB_ORIGIN),
            (ACAM, ALL_METHODS),
            (ACAH, "Content-Type, Authorization, X-Request-Id"),
            ("Access-Control-Allow-Credentials", "true"),
            ("Access-Control-Max-Age", "600"),
            ("Vary", "Origin"),
        ])
    } else {
        Reply::ok("/ok/preflight").headers(&[
            (ACAO, LAB_ORIGIN),
            ("Access-Control-Allow-Credentials", "true"),
            ("Vary", "Origin"),
            ("Access-Control-Expose-Headers", "X-Request-Id"),
            ("X-Request-Id", "lab-1"),
        ])
    }
}

/// CORS headers are added by the route handlers, and no route exists for OPTIONS.
async fn preflight_404(request: Request) -> Reply {
    if is_options(&request) {
        Reply::text(StatusCode::NOT_FOUND, "Not Found")
    } else {
        Reply::ok("/preflight-404").headers(ALLOW_LAB)
    }
}

/// The framework's method router: only GET and PUT are declared, so OPTIONS
/// (and anything else) is 405 before any CORS code runs.
async fn preflight_405(request: Request) -> Reply {
    let method = request.method();
    if method == Method::GET || method == Method::HEAD || method == Method::PUT {
        Reply::ok("/preflight-405").headers(ALLOW_LAB)
    } else {
        Reply::text(StatusCode::METHOD_NOT_ALLOWED, "Method Not Allowed")
            .header("Allow", "GET, PUT")
    }
}

/// An authentication middleware in front of the CORS middleware: anything
/// without `Authorization` (which a preflight never carries) gets 401.
async fn preflight_401(request: Request) -> Reply {
    if is_options(&request) || !request.headers().contains_key("authorization") {
        Reply::json("/preflight-401", StatusCode::UNAUTHORIZED)
            .header("WWW-Authenticate", "Bearer realm=\"lab\"")
    } else {
        Reply::ok("/preflight-401").headers(&[
            (ACAO, LAB_ORIGIN),
            ("Access-Control-Allow-Credentials", "true"),
            ("Vary", "Origin"),
        ])
    }
}

/// The CORS layer does its job, then the OPTIONS handler behind it crashes.
async fn preflight_500_with_cors(request: Request) -> Reply {
    if is_options(&request) {
        Reply::json(
            "/preflight-500-with-cors",
            StatusCode::INTERNAL_SERVER_ERROR,
        )
        .headers(&[
            (ACAO, LAB_ORIGIN),
            (ACAM, ALL_METHODS),
            (ACAH, COMMON_HEADERS),
            ("Vary", "Origin"),
        ])
    } else {
        Reply::ok("/preflight-500-with-cors").headers(ALLOW_LAB)
    }
}
