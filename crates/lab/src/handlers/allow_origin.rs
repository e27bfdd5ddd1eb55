//! Servers that get `Access-Control-Allow-Origin` (and its companions
//! `-Allow-Credentials`, `Vary`, `-Expose-Headers`) right or wrong.
//!
//! Most of them imitate a configuration that adds the same header lines to
//! every response (nginx `add_header … always`, a hard-coded middleware):
//! those are a table of fixed lines. The reflecting servers are written out.

use axum::extract::Request;
use axum::http::{HeaderValue, StatusCode};
use axum::Router;

use super::{
    is_options, origin, reflect_origin_if, route, Reply, ALLOW_LAB, ALL_METHODS, COMMON_HEADERS,
};
use crate::LAB_ORIGIN;

const ACAO: &str = "Access-Control-Allow-Origin";
const ACAC: &str = "Access-Control-Allow-Credentials";

/// Header lines each fixed-configuration server adds to every response.
type Lines = &'static [(&'static str, &'static str)];

/// (path, the lines that server always sends).
const FIXED: &[(&str, Lines)] = &[
    ("/ok/simple", ALLOW_LAB),
    ("/wrong-origin", &[(ACAO, "https://admin.example.com")]),
    ("/trailing-slash", &[(ACAO, "https://app.example.com/")]),
    ("/http-origin-only", &[(ACAO, "http://app.example.com")]),
    ("/www-origin", &[(ACAO, "https://www.app.example.com")]),
    (
        "/multiple-values",
        &[(ACAO, "https://app.example.com, https://admin.example.com")],
    ),
    // The application and a proxy in front of it both add the header.
    (
        "/duplicate-lines",
        &[(ACAO, LAB_ORIGIN), (ACAO, LAB_ORIGIN)],
    ),
    ("/wildcard-credentials", &[(ACAO, "*"), (ACAC, "true")]),
    ("/credentials-missing", ALLOW_LAB),
    (
        "/no-expose",
        &[
            (ACAO, LAB_ORIGIN),
            ("Vary", "Origin"),
            ("X-Total-Count", "42"),
        ],
    ),
    // What a shared cache hands out: the answer computed for another origin,
    // stored because the response had no `Vary: Origin`.
    (
        "/cached-acao",
        &[
            (ACAO, "https://admin.example.com"),
            ("Age", "120"),
            ("X-Cache", "HIT"),
            ("Via", "1.1 varnish"),
            ("Cache-Control", "public, max-age=300"),
        ],
    ),
];

pub(super) fn routes() -> Router {
    let router = FIXED.iter().fold(Router::new(), |router, &(path, lines)| {
        route(router, path, move |request: Request| async move {
            fixed_lines(&request, path, lines)
        })
    });
    let router = route(router, "/ok/wildcard", ok_wildcard);
    let router = route(router, "/no-cors", no_cors);
    let router = route(router, "/reflect-no-vary", reflect_no_vary);
    route(router, "/reflect-with-vary", reflect_with_vary)
}

/// A server that always adds `lines`; OPTIONS gets 204 with the same lines
/// plus a generous method and header list.
fn fixed_lines(request: &Request, path: &str, lines: Lines) -> Reply {
    if is_options(request) {
        Reply::empty(StatusCode::NO_CONTENT)
            .headers(lines)
            .header("Access-Control-Allow-Methods", ALL_METHODS)
            .header("Access-Control-Allow-Headers", COMMON_HEADERS)
    } else {
        Reply::ok(path).headers(lines)
    }
}

/// A public API: `*` everywhere, no credentials.
async fn ok_wildcard(request: Request) -> Reply {
    if is_options(&request) {
        Reply::empty(StatusCode::NO_CONTENT).headers(&[
            (ACAO, "*"),
            ("Access-Control-Allow-Methods", "*"),
            ("Access-Control-Allow-Headers", "*"),
        ])
    } else {
        Reply::ok("/ok/wildcard").header(ACAO, "*")
    }
}

/// A server that knows nothing about CORS; OPTIONS is answered by the
/// framework's automatic `Allow` response.
async fn no_cors(request: Request) -> Reply {
    if is_options(&request) {
        Reply::empty(StatusCode::NO_CONTENT).header("Allow", "GET, HEAD, POST, OPTIONS")
    } else {
        Reply::ok("/no-cors")
    }
}

/// The classic insecure shortcut: echo whatever Origin arrives, with
/// credentials, and forget `Vary: Origin`.
async fn reflect_no_vary(request: Request) -> Reply {
    let reply = if is_options(&request) {
        Reply::empty(StatusCode::NO_CONTENT)
            .header("Access-Control-Allow-Methods", ALL_METHODS)
            .header("Access-Control-Allow-Headers", COMMON_HEADERS)
    } else {
        Reply::ok("/reflect-no-vary")
    };
    match origin(&request) {
        Some(origin) => reply.header_value(ACAO, origin).header(ACAC, "true"),
        None => reply,
    }
}

/// An allow-list done right: reflect only `https://*.example.com`, and say
/// `Vary: Origin` on every response.
async fn reflect_with_vary(request: Request) -> Reply {
    let reply = if is_options(&request) {
        Reply::empty(StatusCode::NO_CONTENT)
            .header("Access-Control-Allow-Methods", ALL_METHODS)
            .header("Access-Control-Allow-Headers", COMMON_HEADERS)
    } else {
        Reply::ok("/reflect-with-vary")
    };
    reflect_origin_if(reply, &request, is_example_subdomain)
}

/// `https://<label>.….example.com` on the default port, with nothing after
/// the host (another port is another origin: not on the list).
fn is_example_subdomain(origin: &HeaderValue) -> bool {
    let Some(host) = origin
        .to_str()
        .ok()
        .and_then(|origin| origin.strip_prefix("https://"))
    else {
        return false;
    };
    let Some(labels) = host.strip_suffix(".example.com") else {
        return false;
    };
    !labels.is_empty()
        && labels.split('.').all(|label| {
            !label.is_empty()
                && label
                    .bytes()
                    .all(|b| b.is_ascii_lowercase() || b.is_ascii_digit() || b == b'-')
        })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn example_subdomain_allow_list() {
        let check = |origin: &str| is_example_subdomain(&HeaderValue::from_str(origin).unwrap());
        assert!(check("https://app.example.com"));
        assert!(check("https://a.b.example.com"));
        assert!(!check("https://a.b.example.com:8443"));
        assert!(!check("http://app.example.com"));
        assert!(!check("https://example.com"));
        assert!(!check("https://evilexample.com"));
        assert!(!check("https://app.example.com.evil.net"));
        assert!(!check("https://app.example.com/"));
        assert!(!check("null"));
    }
}
