//! The lab's hand-written server behaviours and the routes that bind them.
//!
//! Each endpoint imitates one real misconfigured server; none of them runs a
//! generic CORS algorithm. This module holds the shared response builder
//! ([`Reply`]) and request helpers; the behaviours are grouped by cause:
//! `allow_origin` (which origin is allowed, and how), `preflight` (what the
//! OPTIONS request gets) and `redirect` (responses that move the request).

mod allow_origin;
mod preflight;
mod redirect;
mod vuln;

pub(crate) use vuln::{REFLECT_ALLOW_LISTS, VULNERABLE};

use axum::body::Body;
use axum::extract::Request;
use axum::http::{HeaderMap, HeaderName, HeaderValue, Method, StatusCode};
use axum::response::{IntoResponse, Response};
use axum::routing::any;
use axum::Router;

use crate::LAB_ORIGIN;

/// The scheme the lab is served over, inserted as a request extension by
/// `serve_tls` so handlers can build absolute URLs; absent means `http`.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) struct Scheme(pub(crate) &'static str);

/// A permissive method list, as a typical framework default writes it.
pub(crate) const ALL_METHODS: &str = "GET, POST, PUT, PATCH, DELETE";
/// A permissive header list, as a typical framework default writes it.
pub(crate) const COMMON_HEADERS: &str = "Content-Type, Authorization";

/// Routes for every endpoint of [`crate::endpoints`] plus their helpers
/// (`/ok/simple-any`, `/login`).
pub(crate) fn routes() -> Router {
    Router::new()
        .merge(allow_origin::routes())
        .merge(preflight::routes())
        .merge(redirect::routes())
        .merge(vuln::routes())
}

/// Binds `handler` to every method of `path`; handlers look at the method themselves.
pub(crate) fn route<H, T>(router: Router, path: &'static str, handler: H) -> Router
where
    H: axum::handler::Handler<T, ()>,
    T: 'static,
{
    router.route(path, any(handler))
}

/// A response under construction: status, header lines (appended, so a
/// name may repeat) and body.
#[derive(Debug)]
pub(crate) struct Reply {
    status: StatusCode,
    headers: HeaderMap,
    body: Body,
}

impl Reply {
    /// `{"endpoint": path, "ok": <status is 2xx>}` with the given status.
    pub(crate) fn json(path: &str, status: StatusCode) -> Self {
        let body = serde_json::json!({ "endpoint": path, "ok": status.is_success() });
        Reply::empty(status)
            .header("Content-Type", "application/json")
            .with_body(Body::from(body.to_string()))
    }

    /// The 200 JSON answer of an actual request.
    pub(crate) fn ok(path: &str) -> Self {
        Reply::json(path, StatusCode::OK)
    }

    /// A bodiless response (204, redirects).
    pub(crate) fn empty(status: StatusCode) -> Self {
        Reply {
            status,
            headers: HeaderMap::new(),
            body: Body::empty(),
        }
    }

    /// A `text/plain` response.
    pub(crate) fn text(status: StatusCode, text: &'static str) -> Self {
        Reply::empty(status)
            .header("Content-Type", "text/plain; charset=utf-8")
            .with_body(Body::from(text))
    }

    /// A `text/html` response.
    pub(crate) fn html(status: StatusCode, html: String) -> Self {
        Reply::empty(status)
            .header("Content-Type", "text/html; charset=utf-8")
            .with_body(Body::from(html))
    }

    pub(crate) fn with_body(mut self, body: Body) -> Self {
        self.body = body;
        self
    }

    /// Appends one header line. Names and values here are written by the lab
    /// itself; one that is not valid HTTP is skipped rather than panicking.
    pub(crate) fn header(self, name: &str, value: &str) -> Self {
        match HeaderValue::from_str(value) {
            Ok(value) => self.header_value(name, value),
            Err(_) => self,
        }
    }

    /// Appends one header line whose value came from the request.
    pub(crate) fn header_value(mut self, name: &str, value: HeaderValue) -> Self {
        if let Ok(name) = HeaderName::from_bytes(name.as_bytes()) {
            self.headers.append(name, value);
        }
        self
    }

    /// Appends several header lines, in order.
    pub(crate) fn headers(self, lines: &[(&str, &str)]) -> Self {
        lines
            .iter()
            .fold(self, |reply, (name, value)| reply.header(name, value))
    }
}

impl IntoResponse for Reply {
    fn into_response(self) -> Response {
        let mut response = Response::new(self.body);
        *response.status_mut() = self.status;
        *response.headers_mut() = self.headers;
        response
    }
}

/// The headers an endpoint that "allows the lab origin" adds.
pub(crate) const ALLOW_LAB: &[(&str, &str)] = &[
    ("Access-Control-Allow-Origin", LAB_ORIGIN),
    ("Vary", "Origin"),
];

/// Whether this request is a preflight-shaped OPTIONS request. The lab's
/// servers, like most, treat every OPTIONS as the preflight.
pub(crate) fn is_options(request: &Request) -> bool {
    request.method() == Method::OPTIONS
}

/// The request's `Origin` header, when it is present.
pub(crate) fn origin(request: &Request) -> Option<HeaderValue> {
    request.headers().get("origin").cloned()
}

/// Adds `Vary: Origin`, and echoes the request's origin with credentials
/// when `accepts` it: the shape of every reflecting server in the lab.
pub(crate) fn reflect_origin_if(
    reply: Reply,
    request: &Request,
    accepts: impl Fn(&HeaderValue) -> bool,
) -> Reply {
    let reply = reply.header("Vary", "Origin");
    match origin(request).filter(|o| accepts(o)) {
        Some(origin) => reply
            .header_value("Access-Control-Allow-Origin", origin)
            .header("Access-Control-Allow-Credentials", "true"),
        None => reply,
    }
}

/// `host[:port]` the client addressed: the HTTP/2 authority, else the Host
/// header, else loopback.
pub(crate) fn host(request: &Request) -> String {
    if let Some(authority) = request.uri().authority() {
        return authority.as_str().to_owned();
    }
    request
        .headers()
        .get("host")
        .and_then(|value| value.to_str().ok())
        .filter(|value| !value.is_empty() && value.bytes().all(is_authority_byte))
        .unwrap_or("127.0.0.1")
        .to_owned()
}

/// `http` or `https`, as the lab is served.
pub(crate) fn scheme(request: &Request) -> &'static str {
    request
        .extensions()
        .get::<Scheme>()
        .map_or("http", |scheme| scheme.0)
}

/// `scheme://host[:port]` of the lab as this request reached it.
pub(crate) fn base_url(request: &Request) -> String {
    format!("{}://{}", scheme(request), host(request))
}

/// Bytes allowed in a Host value we echo into a Location or a page.
fn is_authority_byte(byte: u8) -> bool {
    byte.is_ascii_alphanumeric() || matches!(byte, b'.' | b'-' | b':' | b'[' | b']' | b'_')
}
