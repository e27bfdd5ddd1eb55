//! Servers that answer with a redirect: an http→https upgrade and a login
//! redirect that catch the preflight, and a redirect of the actual request
//! to another origin (which taints the request's origin to `null`).

use axum::extract::Request;
use axum::http::StatusCode;
use axum::Router;

use super::{host, is_options, route, scheme, Reply, ALLOW_LAB, ALL_METHODS, COMMON_HEADERS};

pub(super) fn routes() -> Router {
    let router = route(
        Router::new(),
        "/preflight-redirect-https",
        preflight_redirect_https,
    );
    let router = route(
        router,
        "/preflight-login-redirect",
        preflight_login_redirect,
    );
    let router = route(router, "/login", login);
    let router = route(router, "/redirect-cross-origin", redirect_cross_origin);
    route(router, "/ok/simple-any", ok_simple_any)
}

/// A front server that sends every request to the canonical https URL,
/// OPTIONS included: from http, the same host over https; already on https
/// (the demo's lab), the canonical host (`127.0.0.1` ↔ `localhost`).
async fn preflight_redirect_https(request: Request) -> Reply {
    let host = host(&request);
    let canonical = if scheme(&request) == "https" {
        other_loopback_host(&host)
    } else {
        host
    };
    let location = format!("https://{canonical}/preflight-redirect-https");
    Reply::empty(StatusCode::MOVED_PERMANENTLY).header("Location", &location)
}

/// A session middleware that sends anything it deems unauthenticated to the
/// login page; its only OPTIONS handling is that redirect.
async fn preflight_login_redirect(request: Request) -> Reply {
    if is_options(&request) {
        Reply::empty(StatusCode::FOUND).header("Location", "/login?next=/preflight-login-redirect")
    } else {
        Reply::ok("/preflight-login-redirect").headers(ALLOW_LAB)
    }
}

/// The login page the redirect points at.
async fn login() -> Reply {
    Reply::html(
        StatusCode::OK,
        "<!doctype html>\n<html><head><title>Sign in</title></head>\n<body><h1>Sign in</h1>\n\
         <form method=\"post\" action=\"/login\"><input name=\"user\"> <button>Sign in</button></form>\n\
         </body></html>\n"
            .to_owned(),
    )
}

/// Moves the request to the same path space on another origin (`localhost`
/// ↔ `127.0.0.1`, same port). The redirect itself passes the CORS check.
async fn redirect_cross_origin(request: Request) -> Reply {
    if is_options(&request) {
        return Reply::empty(StatusCode::NO_CONTENT)
            .headers(ALLOW_LAB)
            .header("Access-Control-Allow-Methods", ALL_METHODS)
            .header("Access-Control-Allow-Headers", COMMON_HEADERS);
    }
    let location = format!(
        "{}://{}/ok/simple-any",
        scheme(&request),
        other_loopback_host(&host(&request))
    );
    Reply::json("/redirect-cross-origin", StatusCode::FOUND)
        .header("Location", &location)
        .headers(ALLOW_LAB)
}

/// The redirect's target: allows only the lab origin, so the `Origin: null`
/// a browser sends after a cross-origin hop is refused.
async fn ok_simple_any(request: Request) -> Reply {
    // The server "reflects" only the lab origin and otherwise falls back to
    // its one configured origin: either way the value is the lab origin.
    if is_options(&request) {
        Reply::empty(StatusCode::NO_CONTENT)
            .headers(ALLOW_LAB)
            .header("Access-Control-Allow-Methods", ALL_METHODS)
    } else {
        Reply::ok("/ok/simple-any").headers(ALLOW_LAB)
    }
}

/// `localhost:P` becomes `127.0.0.1:P`; any other host becomes `localhost:P`.
fn other_loopback_host(host: &str) -> String {
    let (name, port) = split_port(host);
    let other = if name.eq_ignore_ascii_case("localhost") {
        "127.0.0.1"
    } else {
        "localhost"
    };
    match port {
        Some(port) => format!("{other}:{port}"),
        None => other.to_owned(),
    }
}

/// Splits `host[:port]`, keeping a bracketed IPv6 literal whole.
fn split_port(host: &str) -> (&str, Option<&str>) {
    let after_literal = host.rfind(']').map_or(0, |end| end + 1);
    match host[after_literal..].rfind(':') {
        Some(colon) => {
            let colon = after_literal + colon;
            (&host[..colon], Some(&host[colon + 1..]))
        }
        None => (host, None),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn swaps_loopback_names() {
        assert_eq!(other_loopback_host("127.0.0.1:8080"), "localhost:8080");
        assert_eq!(other_loopback_host("LOCALHOST:8080"), "127.0.0.1:8080");
        assert_eq!(other_loopback_host("[::1]:9"), "localhost:9");
        assert_eq!(other_loopback_host("[::1]"), "localhost");
        assert_eq!(other_loopback_host("lab.test"), "localhost");
    }
}
