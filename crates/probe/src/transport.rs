//! Sends one HTTP request exactly as given — method case, header order and
//! names, no automatic redirects, no cookie jar — over HTTP/1.1 or HTTP/2
//! (ALPN) with rustls, and returns what came back. Honours
//! HTTPS_PROXY/HTTP_PROXY/NO_PROXY, curl-style `--resolve`, `--cacert` and
//! `--insecure`, with a whole-exchange timeout and a body size limit.
//! Plain `http://` (unless proxied), and a header value the HTTP library
//! refuses but browsers send (a control character), go over `raw_http1`.

use crate::error::{ProbeError, Stage, TlsFailure};
use hyper_util::client::proxy::matcher::Matcher;
use rustls::pki_types::CertificateDer;
use std::error::Error as _;
use std::net::{IpAddr, SocketAddr};
use std::path::PathBuf;
use std::str::FromStr;
use std::sync::{Arc, OnceLock};
use std::time::{Duration, Instant};
use url::Url;

/// The longest URL the HTTP library (the `http` crate) can put on the wire.
const MAX_URL_BYTES: usize = 65_534;
/// How many response header lines are read: enough for any head under
/// Chromium's 256 KiB (a shortest line is 4 bytes).
pub(crate) const MAX_RESPONSE_HEADER_LINES: usize = 65_536;
/// How much of a response body an exchange keeps (nothing reads further:
/// CORS is decided on the headers).
pub(crate) const KEPT_BODY_BYTES: usize = 64 * 1024;
/// Chromium's limit on a response's head (`ERR_RESPONSE_HEADERS_TOO_BIG`).
pub(crate) const MAX_HEAD_BYTES: usize = 256 * 1024;

/// The User-Agent the probe sends (browsers always send one; some servers refuse requests without).
pub const USER_AGENT: &str = concat!("cors-doctor/", env!("CARGO_PKG_VERSION"));

/// How to reach servers.
#[derive(Clone, Debug)]
pub struct TransportOptions {
    /// The whole exchange: connect, TLS, request, headers and body.
    pub timeout: Duration,
    pub connect_timeout: Duration,
    pub resolve: Vec<ResolveOverride>,
    /// Extra PEM root certificate(s) to trust.
    pub ca_cert: Option<PathBuf>,
    /// Accept any certificate (like `curl --insecure`).
    pub insecure: bool,
    /// Read at most this many body bytes, then stop.
    pub max_body_bytes: usize,
    /// Honour HTTPS_PROXY/HTTP_PROXY/NO_PROXY (on by default).
    pub use_env_proxy: bool,
    /// Never negotiate HTTP/2.
    pub http1_only: bool,
    /// Plain `http://` goes over the raw HTTP/1.1 path (a new connection
    /// per request, heads read as browsers read them). Off for `audit`,
    /// which needs pooled connections more than byte-exact heads.
    pub raw_plain_http: bool,
    /// Resolve names with the caching asynchronous resolver (`audit`: many
    /// hosts) instead of the system's `getaddrinfo`.
    pub caching_resolver: bool,
    /// Idle connections kept per host.
    pub idle_per_host: usize,
    /// How long an idle connection is kept (`audit` moves on from each
    /// host: its connections are closed soon, not 90 s later).
    pub idle_timeout: Duration,
}

impl Default for TransportOptions {
    fn default() -> Self {
        TransportOptions {
            timeout: Duration::from_secs(10),
            connect_timeout: Duration::from_secs(5),
            resolve: Vec::new(),
            ca_cert: None,
            insecure: false,
            max_body_bytes: 1024 * 1024,
            use_env_proxy: true,
            http1_only: false,
            raw_plain_http: true,
            caching_resolver: false,
            idle_per_host: 4,
            idle_timeout: Duration::from_secs(90),
        }
    }
}

/// `HOST:PORT:ADDR`, as curl's `--resolve`.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct ResolveOverride {
    pub host: String,
    pub port: u16,
    pub addr: IpAddr,
}

impl FromStr for ResolveOverride {
    type Err = String;

    fn from_str(text: &str) -> Result<Self, Self::Err> {
        let usage = || {
            format!("`{text}` is not HOST:PORT:ADDR (for example api.example.com:443:127.0.0.1)")
        };
        let (host, rest) = text.split_once(':').ok_or_else(usage)?;
        let (port, addr) = rest.split_once(':').ok_or_else(usage)?;
        if host.is_empty() {
            return Err(usage());
        }
        let port: u16 = port
            .parse()
            .map_err(|_| format!("`{port}` in `{text}` is not a port number"))?;
        // `[::1]` as curl writes it, or bare; never half-bracketed.
        let addr_text = match (addr.strip_prefix('['), addr.ends_with(']')) {
            (Some(inner), true) => &inner[..inner.len() - 1],
            (None, false) => addr,
            _ => {
                return Err(format!(
                "`{addr}` in `{text}` has an unbalanced bracket (write an IPv6 address as [::1])"
            ))
            }
        };
        let addr: IpAddr = addr_text
            .parse()
            .map_err(|_| format!("`{addr}` in `{text}` is not an IP address"))?;
        Ok(ResolveOverride {
            host: host.to_ascii_lowercase(),
            port,
            addr,
        })
    }
}

/// A request to put on the wire.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct OutgoingRequest {
    /// Sent as is: `patch` stays `patch`.
    pub method: String,
    pub url: Url,
    /// In order, names as given.
    pub headers: Vec<(String, String)>,
    pub body: Option<Vec<u8>>,
}

impl OutgoingRequest {
    /// What a browser puts on the wire for `planned`: its headers, then the
    /// browser's own, and `body` when the request carries one.
    pub fn planned(planned: &cors_engine::PlannedRequest, body: Option<&[u8]>) -> OutgoingRequest {
        OutgoingRequest {
            method: planned.method.clone(),
            url: planned.url.clone(),
            headers: planned.wire_headers(),
            body: body.filter(|_| planned.with_body).map(<[u8]>::to_vec),
        }
    }
}

impl OutgoingRequest {
    /// An OPTIONS shaped like a browser's preflight, for the probe's own
    /// requests (header order as Chromium sends them).
    pub fn preflight(
        url: &Url,
        origin: &str,
        method: &str,
        request_headers: Option<&str>,
    ) -> OutgoingRequest {
        let mut headers = vec![
            ("Origin".to_string(), origin.to_string()),
            (
                "Access-Control-Request-Method".to_string(),
                method.to_string(),
            ),
        ];
        if let Some(request_headers) = request_headers {
            headers.push((
                "Access-Control-Request-Headers".to_string(),
                request_headers.to_string(),
            ));
        }
        headers.push(("Accept".to_string(), "*/*".to_string()));
        OutgoingRequest {
            method: "OPTIONS".to_string(),
            url: url.clone(),
            headers,
            body: None,
        }
    }
}

/// The protocol version of a response.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum HttpVersion {
    Http1_0,
    Http1_1,
    Http2,
    Http3,
}

impl std::fmt::Display for HttpVersion {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(match self {
            HttpVersion::Http1_0 => "HTTP/1.0",
            HttpVersion::Http1_1 => "HTTP/1.1",
            HttpVersion::Http2 => "HTTP/2",
            HttpVersion::Http3 => "HTTP/3",
        })
    }
}

/// One request and its response.
#[derive(Clone, Debug)]
pub struct Exchange {
    /// What was sent, including the headers the probe adds itself (User-Agent).
    pub request: OutgoingRequest,
    pub status: u16,
    pub reason: Option<String>,
    pub version: HttpVersion,
    /// Response header lines; duplicates kept as separate entries. Names are
    /// lower-case as HTTP/2 requires and hyper reports; lines of one name keep
    /// their order. Non-UTF-8 bytes are replaced (`lossy_headers` says so).
    pub headers: Vec<(String, String)>,
    pub lossy_headers: bool,
    pub body: Vec<u8>,
    pub body_truncated: bool,
    /// The body failed after the headers (short Content-Length, reset,
    /// timeout): what failed. The headers are still the response.
    pub body_error: Option<String>,
    /// What kind of failure `body_error` is, as the engine weighs it.
    pub body_failure: Option<cors_engine::BodyFailure>,
    pub remote_addr: Option<SocketAddr>,
    pub elapsed: Duration,
}

/// A configured HTTP client.
#[derive(Clone, Debug)]
pub struct Client {
    inner: reqwest::Client,
    /// Shared: a client is cloned for every request in flight, and the
    /// options may hold thousands of `--resolve` entries.
    options: Arc<TransportOptions>,
    /// The `--cacert` certificates, read once.
    ca_certs: Arc<Vec<CertificateDer<'static>>>,
    /// The raw HTTP/1.1 path's TLS configuration, built on its first https
    /// request (loading the system roots once, not per request).
    raw_tls: Arc<OnceLock<Result<Arc<rustls::ClientConfig>, String>>>,
    /// The environment's proxies (when honoured), for the raw path's choice.
    proxies: Option<Arc<Matcher>>,
}

impl Client {
    pub fn new(options: &TransportOptions) -> Result<Client, ProbeError> {
        // reqwest is built without a crypto provider: ring, as everywhere
        // else in the workspace. Already installed (a second client) is fine.
        let _ = rustls::crypto::ring::default_provider().install_default();
        let mut builder = reqwest::Client::builder()
            .redirect(reqwest::redirect::Policy::none())
            .timeout(options.timeout)
            .connect_timeout(options.connect_timeout)
            .http1_title_case_headers()
            .pool_max_idle_per_host(options.idle_per_host)
            .pool_idle_timeout(options.idle_timeout)
            .tls_danger_accept_invalid_certs(options.insecure);
        if options.http1_only {
            builder = builder.http1_only();
        }
        if options.caching_resolver {
            builder = builder.dns_resolver(Arc::new(crate::resolver::CachingResolver::default()));
        }
        if !options.use_env_proxy {
            builder = builder.no_proxy();
        }
        for r in &options.resolve {
            builder = builder.resolve(&r.host, SocketAddr::new(r.addr, r.port));
        }
        let mut ca_certs = Vec::new();
        if let Some(path) = &options.ca_cert {
            let shown = path.display().to_string();
            let pem = crate::trust::read_ca_file(path).map_err(|detail| ProbeError::CaCert {
                path: shown.clone(),
                detail,
            })?;
            ca_certs =
                crate::trust::pem_certificates(&pem).map_err(|detail| ProbeError::CaCert {
                    path: shown.clone(),
                    detail,
                })?;
            if !options.insecure {
                let config = crate::trust::client_config(ca_certs.clone(), options.http1_only)
                    .map_err(|detail| ProbeError::CaCert {
                        path: shown,
                        detail,
                    })?;
                builder = builder.use_preconfigured_tls(config);
            }
        }
        let inner = builder
            .build()
            .map_err(|e| ProbeError::Client { detail: chain(&e) })?;
        Ok(Client {
            inner,
            options: Arc::new(options.clone()),
            ca_certs: Arc::new(ca_certs),
            raw_tls: Arc::default(),
            proxies: options.use_env_proxy.then(|| Arc::new(Matcher::from_env())),
        })
    }

    /// The raw HTTP/1.1 path's TLS configuration: `http/1.1` only, trusting
    /// what the library path trusts (or anything with `--insecure`).
    fn raw_tls_config(&self) -> Result<Arc<rustls::ClientConfig>, ProbeError> {
        self.raw_tls
            .get_or_init(|| {
                let config = if self.options.insecure {
                    crate::trust::insecure_client_config()
                } else {
                    crate::trust::client_config(self.ca_certs.to_vec(), true)
                };
                config.map(Arc::new)
            })
            .clone()
            .map_err(|detail| ProbeError::Client { detail })
    }

    /// The first address `url`'s host resolves to, honouring `--resolve`
    /// (IP literals resolve to themselves); `None` when resolution fails.
    pub async fn resolve_first(&self, url: &Url) -> Option<IpAddr> {
        let host = url
            .host_str()?
            .trim_start_matches('[')
            .trim_end_matches(']');
        if let Ok(ip) = host.parse::<IpAddr>() {
            return Some(ip);
        }
        let port = url.port_or_known_default()?;
        if let Some(r) = self
            .options
            .resolve
            .iter()
            .find(|r| r.host.eq_ignore_ascii_case(host))
        {
            return Some(r.addr);
        }
        tokio::net::lookup_host((host, port))
            .await
            .ok()?
            .next()
            .map(|a| a.ip())
    }

    /// A connect-phase timeout on an https URL is the TLS handshake's when
    /// the TCP connection itself opens at once (a server that accepts and
    /// never speaks TLS): say which, since raising --timeout will not help.
    async fn tls_or_connect(&self, error: ProbeError, url: &Url) -> ProbeError {
        let ProbeError::Timeout {
            target,
            stage: Stage::Connect,
            after,
        } = error
        else {
            return error;
        };
        let tcp_opens = match (
            url.scheme(),
            self.resolve_first(url).await,
            url.port_or_known_default(),
        ) {
            ("https", Some(ip), Some(port)) => tokio::time::timeout(
                // A server that accepts at all accepts at once: keep the
                // overrun of the budget small.
                Duration::from_millis(300),
                tokio::net::TcpStream::connect(SocketAddr::new(ip, port)),
            )
            .await
            .is_ok_and(|connected| connected.is_ok()),
            _ => false,
        };
        ProbeError::Timeout {
            target,
            stage: if tcp_opens {
                Stage::Tls
            } else {
                Stage::Connect
            },
            after,
        }
    }

    /// Sends `request` and reads the response (body up to the size limit).
    pub async fn send(&self, request: &OutgoingRequest) -> Result<Exchange, ProbeError> {
        let started = Instant::now();
        let target = target_of(&request.url);
        let method = reqwest::Method::from_bytes(request.method.as_bytes()).map_err(|_| {
            ProbeError::InvalidRequest {
                detail: format!("`{}` is not a valid method", request.method),
            }
        })?;
        let mut sent = request.clone();
        if !sent
            .headers
            .iter()
            .any(|(n, _)| n.eq_ignore_ascii_case("user-agent"))
        {
            sent.headers
                .push(("User-Agent".to_string(), USER_AGENT.to_string()));
        }
        if crate::raw_http1::wanted(&sent, self.proxies.as_deref(), self.options.raw_plain_http)? {
            let tls = || self.raw_tls_config();
            return crate::raw_http1::send(&self.options, tls, &sent, target, started).await;
        }
        let mut builder = self.inner.request(method, request.url.clone());
        for (name, value) in &sent.headers {
            let name = reqwest::header::HeaderName::from_bytes(name.as_bytes()).map_err(|_| {
                ProbeError::InvalidRequest {
                    detail: format!("`{name}` is not a valid header name"),
                }
            })?;
            let value = reqwest::header::HeaderValue::from_str(value).map_err(|_| {
                ProbeError::InvalidRequest {
                    detail: format!("the value of `{name}` is not a valid header value"),
                }
            })?;
            builder = builder.header(name, value);
        }
        if let Some(body) = &request.body {
            builder = builder.body(body.clone());
        }
        // Like Chromium (at most two resends, `kMaxRetryAttempts`), a request
        // whose connection dropped before any response is sent again: a
        // keep-alive connection the server closed meanwhile (after a 500 that
        // ended the connection, say) is not the server's answer, and the pool
        // may hold more than one such connection.
        let mut retries = 2;
        let mut next = builder.try_clone();
        let mut sent_once = builder.send().await;
        while let (Err(e), Some(retry)) = (&sent_once, next.take()) {
            let dropped = matches!(
                classify(e, &target, &request.url, self.options.timeout, false),
                ProbeError::Reset { .. } | ProbeError::EmptyResponse { .. }
            );
            if !dropped || retries == 0 {
                break;
            }
            retries -= 1;
            next = retry.try_clone();
            sent_once = retry.send().await;
        }
        if let Err(e) = &sent_once {
            // hyper reads at most 100 header lines (its buffer for more is
            // allocated for every response, 3.6 MiB at 65 536 lines); a
            // browser reads any number within 256 KiB: the rare head with
            // more is asked again over the path that reads them all.
            if head_too_large(e) && crate::raw_http1::direct(&sent, self.proxies.as_deref()) {
                let tls = || self.raw_tls_config();
                return crate::raw_http1::send(&self.options, tls, &sent, target, started).await;
            }
        }
        let mut response = match sent_once {
            Ok(response) => response,
            Err(e) => {
                let mut error = classify(&e, &target, &request.url, self.options.timeout, false);
                if let ProbeError::Tls { ca_given, .. } = &mut error {
                    *ca_given = self.options.ca_cert.is_some();
                }
                return Err(self.tls_or_connect(error, &request.url).await);
            }
        };
        let status = response.status();
        let version = match response.version() {
            reqwest::Version::HTTP_10 | reqwest::Version::HTTP_09 => HttpVersion::Http1_0,
            reqwest::Version::HTTP_2 => HttpVersion::Http2,
            reqwest::Version::HTTP_3 => HttpVersion::Http3,
            _ => HttpVersion::Http1_1,
        };
        let mut lossy_headers = false;
        let headers: Vec<(String, String)> = response
            .headers()
            .iter()
            .map(|(name, value)| {
                let text = match value.to_str() {
                    Ok(t) => t.to_string(),
                    Err(_) => {
                        lossy_headers = true;
                        String::from_utf8_lossy(value.as_bytes()).into_owned()
                    }
                };
                (name.as_str().to_string(), text)
            })
            .collect();
        let head_bytes = head_size(&headers);
        if head_bytes > MAX_HEAD_BYTES {
            return Err(ProbeError::HeadersTooBig {
                target,
                bytes: Some(head_bytes),
            });
        }
        let remote_addr = response.remote_addr();
        let mut body = Vec::new();
        let mut body_read = 0usize;
        let mut body_truncated = false;
        let mut body_error = None;
        let mut body_failure = None;
        loop {
            match response.chunk().await {
                Ok(Some(chunk)) => {
                    // Read up to the cap (a failing body is found), keep a
                    // prefix: a scan holds a hundred exchanges.
                    let keep = KEPT_BODY_BYTES
                        .min(self.options.max_body_bytes)
                        .saturating_sub(body.len())
                        .min(chunk.len());
                    body.extend_from_slice(&chunk[..keep]);
                    body_read += chunk.len();
                    if body_read > self.options.max_body_bytes {
                        body_truncated = true;
                        break;
                    }
                    body_truncated |= keep < chunk.len();
                }
                Ok(None) => break,
                // The headers arrived: the CORS check runs on them, as in a
                // browser; the body's failure is reported beside it.
                Err(e) => {
                    let error = classify(&e, &target, &request.url, self.options.timeout, true);
                    body_failure = Some(body_failure_of(&error, &headers));
                    body_error = Some(error.to_string());
                    break;
                }
            }
        }
        Ok(Exchange {
            request: sent,
            status: status.as_u16(),
            reason: status.canonical_reason().map(str::to_string),
            version,
            headers,
            lossy_headers,
            body,
            body_truncated,
            body_error,
            body_failure,
            remote_addr,
            elapsed: started.elapsed(),
        })
    }
}

/// The kind of a body that broke off after the headers: cut inside a
/// chunked body, short of its `Content-Length`, or stopped (our timeout).
pub(crate) fn body_failure_of(
    error: &ProbeError,
    headers: &[(String, String)],
) -> cors_engine::BodyFailure {
    use cors_engine::BodyFailure;
    let has = |name: &str, needle: &str| {
        headers
            .iter()
            .any(|(n, v)| n.eq_ignore_ascii_case(name) && v.to_ascii_lowercase().contains(needle))
    };
    if matches!(error, ProbeError::Timeout { .. }) {
        BodyFailure::Interrupted
    } else if has("transfer-encoding", "chunked") {
        BodyFailure::IncompleteChunked
    } else if has("content-length", "") {
        BodyFailure::ContentLengthMismatch
    } else {
        BodyFailure::Interrupted
    }
}

/// The head's size on the wire (HTTP/1.1 framing), as Chromium counts it
/// against its limit.
fn head_size(headers: &[(String, String)]) -> usize {
    // "HTTP/1.1 " + the three-digit status + " " + CRLF (the reason phrase
    // is not kept).
    let status_line = "HTTP/1.1 ".len() + 3 + 1 + 2;
    status_line
        + headers
            .iter()
            .map(|(name, value)| name.len() + 2 + value.len() + 2)
            .sum::<usize>()
        + 2
}

fn target_of(url: &Url) -> String {
    format!(
        "{}:{}",
        url.host_str().unwrap_or("?"),
        url.port_or_known_default().unwrap_or(0)
    )
}

/// The error and all its sources, joined.
fn chain(error: &dyn std::error::Error) -> String {
    let mut parts = vec![error.to_string()];
    let mut source = error.source();
    while let Some(e) = source {
        let text = e.to_string();
        if !parts.iter().any(|p| p.contains(&text)) {
            parts.push(text);
        }
        source = e.source();
    }
    parts.join(": ")
}

fn has_source<T: std::error::Error + 'static>(error: &reqwest::Error) -> bool {
    find_source::<T>(error).is_some()
}

/// The first error of type `T` in `error`'s chain (an I/O error's inner one included).
fn find_source<T: std::error::Error + 'static>(error: &reqwest::Error) -> Option<&T> {
    let mut source = error.source();
    while let Some(e) = source {
        if let Some(found) = e.downcast_ref::<T>() {
            return Some(found);
        }
        if let Some(io) = e.downcast_ref::<std::io::Error>() {
            if let Some(found) = io.get_ref().and_then(|inner| inner.downcast_ref::<T>()) {
                return Some(found);
            }
        }
        source = e.source();
    }
    None
}

/// Whether an I/O error of `kind` is in the error's source chain.
fn has_io_kind(error: &reqwest::Error, kind: std::io::ErrorKind) -> bool {
    let mut source: Option<&(dyn std::error::Error + 'static)> = Some(error);
    while let Some(e) = source {
        if e.downcast_ref::<std::io::Error>()
            .is_some_and(|io| io.kind() == kind)
        {
            return true;
        }
        source = e.source();
    }
    false
}

pub(crate) fn tls_error(target: String, detail: String) -> ProbeError {
    ProbeError::Tls {
        code: TlsFailure::from_detail(&detail),
        target,
        detail,
        ca_given: false,
    }
}

fn classify(
    error: &reqwest::Error,
    target: &str,
    url: &Url,
    timeout: Duration,
    in_body: bool,
) -> ProbeError {
    let detail = chain(error);
    let lower = detail.to_ascii_lowercase();
    let target = target.to_string();
    // Nothing was sent: the request could not be built (our limits).
    if error.is_builder() {
        let length = url.as_str().len();
        let detail = if length > MAX_URL_BYTES {
            format!("the URL is {length} bytes long; cors-doctor's HTTP library sends at most {MAX_URL_BYTES} (Chromium accepts up to 2 MiB), so this request cannot be checked — nothing was sent")
        } else {
            format!("cors-doctor could not build this request (nothing was sent): {detail}")
        };
        return ProbeError::InvalidRequest { detail };
    }
    // hyper stops reading a head beyond about 400 KiB (a head of more than
    // 100 lines is read again over raw_http1 first, where a proxy allows).
    if lower.contains("message head is too large") {
        return ProbeError::HeadersTooBig {
            target,
            bytes: None,
        };
    }
    let tls = has_source::<rustls::Error>(error)
        || lower.contains("certificate")
        || lower.contains("received fatal alert")
        || lower.contains("tls handshake")
        || lower.contains("invalidcontenttype")
        || lower.contains("received corrupt message");
    if error.is_timeout() {
        let stage = if in_body {
            Stage::ResponseBody
        } else if error.is_connect() {
            Stage::Connect
        } else {
            Stage::ResponseHeaders
        };
        return ProbeError::Timeout {
            target,
            stage,
            after: timeout,
        };
    }
    if error.is_connect() {
        if lower.contains("dns error")
            || lower.contains("failed to lookup address")
            || lower.contains("name or service not known")
            || lower.contains("no address")
        {
            return ProbeError::Dns {
                host: url.host_str().unwrap_or("?").to_string(),
                detail,
            };
        }
        if tls {
            return tls_error(target, detail);
        }
        return ProbeError::Connect { target, detail };
    }
    if tls {
        return tls_error(target, detail);
    }
    if in_body {
        return ProbeError::Body { target, detail };
    }
    if has_io_kind(error, std::io::ErrorKind::ConnectionReset) || lower.contains("connection reset")
    {
        return ProbeError::Reset { target };
    }
    // hyper: the connection closed before a response began.
    if lower.contains("connection closed before message completed") {
        return ProbeError::EmptyResponse { target };
    }
    ProbeError::Protocol { target, detail }
}

/// Whether hyper refused a response head as too large (too many lines, or
/// over its size cap).
fn head_too_large(error: &reqwest::Error) -> bool {
    find_source::<hyper::Error>(error).is_some_and(hyper::Error::is_parse_too_large)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn resolve_override_parsing() {
        let ok = [
            (
                "api.example.com:443:127.0.0.1",
                ("api.example.com", 443, "127.0.0.1"),
            ),
            ("API.example.com:80:[::1]", ("api.example.com", 80, "::1")),
            ("localhost:8080:::1", ("localhost", 8080, "::1")),
        ];
        for (input, (host, port, addr)) in ok {
            let r: ResolveOverride = input.parse().unwrap();
            assert_eq!(
                (r.host.as_str(), r.port, r.addr),
                (host, port, addr.parse().unwrap()),
                "{input}"
            );
        }
        for bad in [
            "api.example.com",
            "api.example.com:443",
            ":443:127.0.0.1",
            "a:port:127.0.0.1",
            "a:443:not-an-ip",
            "a:70000:127.0.0.1",
            "api.test:443:[::1",
            "api.test:443:::1]",
        ] {
            assert!(bad.parse::<ResolveOverride>().is_err(), "{bad}");
        }
    }
}
