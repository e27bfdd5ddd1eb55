//! One request's way through the proxy: refused unless it is for the proxy
//! itself, sent to the upstream with only the hop-by-hop lines changed,
//! the answer judged (and fixed) on its head, then its body streamed back;
//! a `101 Switching Protocols` joins the two connections.

use crate::event::ProxyEvent;
use crate::judge::{browser_of, Judge};
use crate::{ProxyError, ProxyOptions, Render};
use bytes::Bytes;
use cors_engine::ObservedExchange;
use http::header::{HeaderName, HeaderValue, CONTENT_TYPE, HOST, LOCATION};
use http::{Method, Request, Response, StatusCode, Uri, Version};
use http_body_util::combinators::BoxBody;
use http_body_util::{BodyExt, Empty, Full};
use hyper::body::Incoming;
use hyper_rustls::HttpsConnector;
use hyper_util::client::legacy::connect::HttpConnector;
use hyper_util::client::legacy::Client;
use hyper_util::rt::{TokioExecutor, TokioIo, TokioTimer};
use std::collections::VecDeque;
use std::net::SocketAddr;
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};
use tokio::sync::mpsc;
use url::Url;

pub(crate) type Body = BoxBody<Bytes, hyper::Error>;
type UpstreamClient = Client<HttpsConnector<HttpConnector>, Incoming>;

/// Events kept for the on-demand report.
const KEPT_EVENTS: usize = 1000;
/// Where the on-demand reports are served, on the proxy's own origin.
pub const REPORT_PREFIX: &str = "/.cors-doctor/";

/// The upstream and the clients that reach it.
pub(crate) struct Upstream {
    /// The scheme and authority, and the path prefix without its final `/`.
    origin: String,
    prefix: String,
    client: UpstreamClient,
    /// HTTP/1.1 only: an upgrade (WebSocket) cannot go over HTTP/2.
    client_h1: UpstreamClient,
}

impl Upstream {
    pub(crate) fn new(options: &ProxyOptions) -> Result<Upstream, ProxyError> {
        let url = &options.upstream;
        if !matches!(url.scheme(), "http" | "https") || url.host_str().is_none() {
            return Err(ProxyError::Upstream(format!(
                "{url} is not an http:// or https:// URL with a host"
            )));
        }
        if url.query().is_some() || url.fragment().is_some() {
            return Err(ProxyError::Upstream(format!(
                "{url} has a query or fragment: give the origin and, if any, a path prefix"
            )));
        }
        let tls = if options.insecure {
            cors_probe::trust::insecure_client_config()
        } else {
            let extra = match &options.ca_cert {
                Some(path) => cors_probe::trust::read_ca_file(path)
                    .map_err(|e| format!("cannot read {}: {e}", path.display()))
                    .and_then(|pem| cors_probe::trust::pem_certificates(&pem))
                    .map_err(ProxyError::Tls)?,
                None => Vec::new(),
            };
            cors_probe::trust::client_config(extra, false)
        }
        .map_err(ProxyError::Tls)?;
        let mut tls = tls;
        // The connector sets the ALPN list itself (h2 and http/1.1, or
        // http/1.1 alone), and refuses a configuration that has one.
        tls.alpn_protocols.clear();
        let client = |http2: bool| {
            let mut http = HttpConnector::new();
            http.enforce_http(false);
            http.set_nodelay(true);
            http.set_connect_timeout(Some(options.timeout));
            let builder = hyper_rustls::HttpsConnectorBuilder::new()
                .with_tls_config(tls.clone())
                .https_or_http()
                .enable_http1();
            let connector = if http2 {
                builder.enable_http2().wrap_connector(http)
            } else {
                builder.wrap_connector(http)
            };
            Client::builder(TokioExecutor::new())
                .timer(TokioTimer::new())
                .pool_timer(TokioTimer::new())
                .pool_idle_timeout(Duration::from_secs(30))
                .http1_preserve_header_case(true)
                .build(connector)
        };
        Ok(Upstream {
            origin: url.origin().ascii_serialization(),
            prefix: url.path().trim_end_matches('/').to_string(),
            client: client(true),
            client_h1: client(false),
        })
    }

    fn uri(&self, path_and_query: &str) -> Result<Uri, http::uri::InvalidUri> {
        format!("{}{}{}", self.origin, self.prefix, path_and_query).parse()
    }
}

/// Everything a request needs, shared by all connections.
pub(crate) struct Forwarder {
    options: ProxyOptions,
    pub(crate) local: SocketAddr,
    upstream: Upstream,
    render: Render,
    events: mpsc::Sender<Arc<ProxyEvent>>,
    judge: Mutex<Judge>,
    recent: Mutex<VecDeque<Arc<ProxyEvent>>>,
    next_id: AtomicU64,
}

impl Forwarder {
    pub(crate) fn new(
        options: ProxyOptions,
        local: SocketAddr,
        upstream: Upstream,
        render: Render,
        events: mpsc::Sender<Arc<ProxyEvent>>,
    ) -> Forwarder {
        Forwarder {
            local,
            upstream,
            render,
            events,
            judge: Mutex::new(Judge::new(
                options.fix.then_some(options.server),
                options.policy.clone(),
            )),
            recent: Mutex::new(VecDeque::new()),
            next_id: AtomicU64::new(1),
            options,
        }
    }

    pub(crate) fn origin(&self) -> String {
        format!("http://{}", self.local)
    }

    /// Whether `host` (a `Host` header or an absolute URI's authority)
    /// names this proxy: its address, or `localhost` and `*.localhost` on
    /// its port; on a non-loopback address, any name on its port.
    fn is_own_host(&self, host: &str) -> bool {
        let host = host.to_ascii_lowercase();
        let port = format!(":{}", self.local.port());
        let Some(name) = host.strip_suffix(&port) else {
            return false;
        };
        host == self.local.to_string()
            || name == "localhost"
            || name.ends_with(".localhost")
            || (!self.local.ip().is_loopback() && !name.is_empty())
    }

    /// A request that is not for the upstream through this proxy.
    fn refusal(&self, request: &Request<Incoming>) -> Result<String, (StatusCode, String)> {
        if request.method() == Method::CONNECT {
            return Err((
                StatusCode::METHOD_NOT_ALLOWED,
                format!(
                    "cors-doctor proxy forwards only to {}: CONNECT (a forward-proxy tunnel) is refused\n",
                    self.upstream.origin
                ),
            ));
        }
        let host = request
            .uri()
            .authority()
            .map(|a| a.as_str().to_string())
            .or_else(|| {
                request
                    .headers()
                    .get(HOST)
                    .and_then(|h| h.to_str().ok())
                    .map(str::to_string)
            })
            .unwrap_or_default();
        if !self.is_own_host(&host) {
            return Err((
                StatusCode::MISDIRECTED_REQUEST,
                format!(
                    "cors-doctor proxy answers for {} only, and forwards only to {} (the request named `{host}`)\n",
                    self.origin(),
                    self.upstream.origin
                ),
            ));
        }
        Ok(host)
    }

    pub(crate) async fn handle(&self, mut request: Request<Incoming>) -> Response<Body> {
        let host = match self.refusal(&request) {
            Ok(host) => host,
            Err((status, why)) => return text(status, why),
        };
        let path_and_query = request
            .uri()
            .path_and_query()
            .map(|p| p.as_str().to_string())
            .unwrap_or_else(|| "/".to_string());
        if let Some(id) = path_and_query.strip_prefix(REPORT_PREFIX) {
            return self.report(id);
        }
        let started = Instant::now();
        let method = request.method().as_str().to_string();
        let request_headers = header_lines(request.headers());
        let is_upgrade = request.headers().contains_key(http::header::UPGRADE);
        let client_upgrade = is_upgrade.then(|| hyper::upgrade::on(&mut request));
        let (mut parts, body) = request.into_parts();
        let Ok(uri) = self.upstream.uri(&path_and_query) else {
            return text(
                StatusCode::BAD_REQUEST,
                format!("cannot forward the path {path_and_query}\n"),
            );
        };
        strip_hop_by_hop(&mut parts.headers, is_upgrade);
        parts.headers.remove(HOST);
        parts.uri = uri;
        parts.version = Version::HTTP_11;
        let client = if is_upgrade {
            &self.upstream.client_h1
        } else {
            &self.upstream.client
        };
        let browser_url = format!("http://{host}{path_and_query}");
        let user_agent = header(&request_headers, "user-agent");
        let (browser, browser_source) = browser_of(self.options.browser, user_agent);
        // Numbered as it arrives, and reported even when the page hangs up
        // before the upstream answers (hyper then drops this future).
        let pending = Pending {
            forwarder: self,
            started,
            event: Some(ProxyEvent {
                id: self.next_id.fetch_add(1, Ordering::Relaxed),
                method,
                url: browser_url.clone(),
                path: path_and_query,
                origin: header(&request_headers, "origin").map(str::to_string),
                browser,
                browser_source,
                status: None,
                upstream_version: None,
                upstream_error: None,
                judgement: None,
                fix: None,
                policy: None,
                upstream_ms: 0,
            }),
        };
        let answer = tokio::time::timeout(
            self.options.timeout,
            client.request(Request::from_parts(parts, body)),
        )
        .await;
        let Some(mut event) = pending.answered() else {
            return text(StatusCode::INTERNAL_SERVER_ERROR, "no event\n".to_string());
        };
        event.upstream_ms = millis_since(started);
        let mut response = match answer {
            Err(_) => {
                let why = format!(
                    "the upstream sent no response head within {} s",
                    self.options.timeout.as_secs_f64()
                );
                return self.upstream_failed(event, StatusCode::GATEWAY_TIMEOUT, why);
            }
            Ok(Err(error)) => {
                return self.upstream_failed(event, StatusCode::BAD_GATEWAY, describe(&error))
            }
            Ok(Ok(response)) => response,
        };
        event.status = Some(response.status().as_u16());
        event.upstream_version = Some(match response.version() {
            Version::HTTP_2 => "HTTP/2",
            Version::HTTP_10 => "HTTP/1.0",
            _ => "HTTP/1.1",
        });
        let switching = response.status() == StatusCode::SWITCHING_PROTOCOLS;
        let upstream_upgrade = switching.then(|| hyper::upgrade::on(&mut response));
        let (mut parts, body) = response.into_parts();
        strip_hop_by_hop(&mut parts.headers, switching);
        self.rewrite_location(&mut parts.headers, &host);
        let exchange = Url::parse(&browser_url).ok().map(|url| ObservedExchange {
            method: event.method.clone(),
            url,
            request_headers,
            response: Ok(cors_engine::Response::new(
                parts.status.as_u16(),
                header_lines(&parts.headers),
            )),
            from_cache: false,
        });
        let mut body = body.boxed();
        if let Some(exchange) = exchange {
            let judged = self
                .judge
                .lock()
                .unwrap_or_else(|poisoned| poisoned.into_inner())
                .observe(browser, exchange);
            if let Some((lines, status_replaced)) = judged.rewrite {
                parts.headers.clear();
                for (name, value) in lines {
                    if let (Ok(name), Ok(value)) = (
                        HeaderName::from_bytes(name.as_bytes()),
                        HeaderValue::from_str(&value),
                    ) {
                        parts.headers.append(name, value);
                    }
                }
                if status_replaced {
                    parts.status = StatusCode::NO_CONTENT;
                    parts.headers.remove(http::header::CONTENT_LENGTH);
                    body = Empty::new().map_err(|never| match never {}).boxed();
                }
            }
            event.judgement = Some(judged.judgement);
            event.policy = judged.policy;
            event.fix = judged.fix;
        }
        self.emit(event);
        if let (Some(client), Some(upstream)) = (client_upgrade, upstream_upgrade) {
            tokio::spawn(async move {
                if let (Ok(client), Ok(upstream)) = tokio::join!(client, upstream) {
                    let _ = tokio::io::copy_bidirectional(
                        &mut TokioIo::new(client),
                        &mut TokioIo::new(upstream),
                    )
                    .await;
                }
            });
        }
        Response::from_parts(parts, body)
    }

    /// The proxy's own answer when the upstream gave none. It lets the
    /// page's origin read it (the upstream never answered, so there is no
    /// CORS answer of its to keep): the script sees this status and why,
    /// not a CORS error about the proxy.
    fn upstream_failed(
        &self,
        mut event: ProxyEvent,
        status: StatusCode,
        why: String,
    ) -> Response<Body> {
        let origin = event
            .origin
            .as_deref()
            .and_then(|o| HeaderValue::from_str(o).ok());
        event.upstream_error = Some(why.clone());
        self.emit(event);
        let mut answer = text(status, format!("cors-doctor proxy: {why}\n"));
        if let Some(origin) = origin {
            let headers = answer.headers_mut();
            headers.insert(http::header::ACCESS_CONTROL_ALLOW_ORIGIN, origin);
            headers.insert(
                http::header::ACCESS_CONTROL_ALLOW_CREDENTIALS,
                HeaderValue::from_static("true"),
            );
            headers.insert(http::header::VARY, HeaderValue::from_static("Origin"));
        }
        answer
    }

    /// A `Location` on the upstream's origin (under its prefix) points the
    /// browser back through the proxy, as a reverse proxy does; the
    /// browser would otherwise leave the proxy at the first redirect.
    fn rewrite_location(&self, headers: &mut http::HeaderMap, host: &str) {
        let Some(location) = headers.get(LOCATION).and_then(|l| l.to_str().ok()) else {
            return;
        };
        let Ok(url) = Url::parse(location) else {
            return;
        };
        if url.origin().ascii_serialization() != self.upstream.origin {
            return;
        }
        let Some(rest) = url[url::Position::BeforePath..].strip_prefix(&self.upstream.prefix)
        else {
            return;
        };
        if let Ok(value) = HeaderValue::from_str(&format!("http://{host}{rest}")) {
            headers.insert(LOCATION, value);
        }
    }

    fn emit(&self, event: ProxyEvent) {
        let event = Arc::new(event);
        {
            let mut recent = self
                .recent
                .lock()
                .unwrap_or_else(|poisoned| poisoned.into_inner());
            if recent.len() == KEPT_EVENTS {
                recent.pop_front();
            }
            recent.push_back(event.clone());
        }
        // A reader that fell behind loses lines, not memory; the
        // on-demand report still has the event.
        let _ = self.events.try_send(event);
    }

    /// `/.cors-doctor/{id}`: the full report of one of the recent events.
    fn report(&self, id: &str) -> Response<Body> {
        let found = id.parse::<u64>().ok().and_then(|id| {
            self.recent
                .lock()
                .unwrap_or_else(|poisoned| poisoned.into_inner())
                .iter()
                .find(|e| e.id == id)
                .cloned()
        });
        match found {
            Some(event) => text(StatusCode::OK, (self.render)(&event)),
            None => text(
                StatusCode::NOT_FOUND,
                format!("no request {id} among the last {KEPT_EVENTS} through this proxy\n"),
            ),
        }
    }
}

/// A request waiting for the upstream's head. Dropped before
/// [`Pending::answered`] — the page closed the connection, so hyper dropped
/// the handler — it still reports the request, with why it has no answer.
struct Pending<'a> {
    forwarder: &'a Forwarder,
    started: Instant,
    event: Option<ProxyEvent>,
}

impl Pending<'_> {
    /// The event, now the caller's to finish and emit (`None` only for a
    /// guard already disarmed, which `answered` consuming it rules out).
    fn answered(mut self) -> Option<ProxyEvent> {
        self.event.take()
    }
}

impl Drop for Pending<'_> {
    fn drop(&mut self) {
        if let Some(mut event) = self.event.take() {
            event.upstream_ms = millis_since(self.started);
            event.upstream_error = Some(format!(
                "the page closed the connection after {:.1} s, before the upstream answered",
                self.started.elapsed().as_secs_f64()
            ));
            self.forwarder.emit(event);
        }
    }
}

/// Milliseconds since `started`.
fn millis_since(started: Instant) -> u64 {
    u64::try_from(started.elapsed().as_millis()).unwrap_or(u64::MAX)
}

/// A plain-text answer of the proxy's own.
fn text(status: StatusCode, message: String) -> Response<Body> {
    let mut response = Response::new(
        Full::new(Bytes::from(message))
            .map_err(|never| match never {})
            .boxed(),
    );
    *response.status_mut() = status;
    response.headers_mut().insert(
        CONTENT_TYPE,
        HeaderValue::from_static("text/plain; charset=utf-8"),
    );
    response
}

/// The lines as (name, value), values read as the browser would show them.
fn header_lines(headers: &http::HeaderMap) -> Vec<(String, String)> {
    headers
        .iter()
        .map(|(name, value)| {
            (
                name.as_str().to_string(),
                String::from_utf8_lossy(value.as_bytes()).into_owned(),
            )
        })
        .collect()
}

fn header<'a>(lines: &'a [(String, String)], name: &str) -> Option<&'a str> {
    lines
        .iter()
        .find(|(n, _)| n.eq_ignore_ascii_case(name))
        .map(|(_, v)| v.as_str())
}

/// Drops the lines that belong to one connection (RFC 9110 §7.6.1), and
/// those `Connection` names; an upgrade keeps `Connection` and `Upgrade`.
fn strip_hop_by_hop(headers: &mut http::HeaderMap, upgrade: bool) {
    let named: Vec<String> = headers
        .get_all(http::header::CONNECTION)
        .iter()
        .filter_map(|v| v.to_str().ok())
        .flat_map(|v| v.split(','))
        .map(|n| n.trim().to_ascii_lowercase())
        .filter(|n| !upgrade || n != "upgrade")
        .collect();
    for name in named {
        headers.remove(name.as_str());
    }
    for name in [
        "keep-alive",
        "proxy-connection",
        "proxy-authenticate",
        "proxy-authorization",
        "te",
        "trailer",
        "transfer-encoding",
    ] {
        headers.remove(name);
    }
    if !upgrade {
        headers.remove(http::header::CONNECTION);
        headers.remove(http::header::UPGRADE);
    }
}

/// The upstream client's error and its causes, each said once.
fn describe(error: &(dyn std::error::Error + 'static)) -> String {
    let mut said: Vec<String> = Vec::new();
    let mut cause = Some(error);
    while let Some(e) = cause {
        let text = e.to_string();
        if !said.iter().any(|s| s.contains(&text)) {
            said.push(text);
        }
        cause = e.source();
    }
    format!("the upstream failed: {}", said.join(": "))
}
