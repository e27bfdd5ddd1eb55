//! A plain HTTP/1.1 exchange written and read by hand, as browsers speak it
//! over `http://`, and for the one kind of request the `http` crate (under
//! reqwest and hyper) refuses to send: a header value holding a control
//! character (0x01–0x1f but tab, or 0x7f), which browsers put on the wire
//! as the script wrote it (only NUL, CR and LF make `fetch()` throw).
//! Without it, `check` could not say what a browser does with
//! `Content-Type: text/plain\x0b`, nor with a head the server cut off.
//!
//! One connection per exchange (TCP, then TLS offering only `http/1.1`),
//! the head parsed by `httparse`, the body framed by `Content-Length`,
//! `chunked` or the connection's end, all within the transport's deadline
//! and size limits. Like browsers, a head that ends with the connection
//! after complete header lines (no blank line) is taken as it arrived.
//! No proxy: when one is configured for the URL the request is refused
//! with an explanation rather than sent around it.

use std::net::SocketAddr;
use std::sync::Arc;
use std::time::{Duration, Instant};

use hyper_util::client::proxy::matcher::Matcher;
use tokio::io::{AsyncRead, AsyncReadExt, AsyncWrite, AsyncWriteExt};
use tokio::net::TcpStream;
use url::Url;

use crate::error::{ProbeError, Stage};
use crate::transport::{
    body_failure_of, tls_error, Exchange, HttpVersion, OutgoingRequest, TransportOptions,
    KEPT_BODY_BYTES, MAX_HEAD_BYTES, MAX_RESPONSE_HEADER_LINES,
};

/// Whether `request` goes this way: plain `http://` not through a proxy
/// (browsers speak HTTP/1.1 there, and read a cut-off head as this path
/// does), or a header value only this path can send — refused when a proxy
/// is configured for it, since this path does not go through one.
pub(crate) fn wanted(
    request: &OutgoingRequest,
    proxies: Option<&Matcher>,
    plain_http: bool,
) -> Result<bool, ProbeError> {
    let proxy = proxies.and_then(|p| proxy_for(&request.url, p));
    match (needs_raw(request), proxy) {
        (true, Some(proxy)) => Err(ProbeError::InvalidRequest {
            detail: format!("a header value holds a control character, which cors-doctor sends over its own HTTP/1.1 path (its HTTP library refuses such values), and that path does not go through the proxy configured in the environment ({proxy}): run again with --no-proxy, or set NO_PROXY for this host"),
        }),
        (true, None) => Ok(true),
        (false, proxy) => Ok(plain_http && proxy.is_none() && request.url.scheme() == "http"),
    }
}

/// Whether `request` may go this way at all: no proxy is configured for it.
pub(crate) fn direct(request: &OutgoingRequest, proxies: Option<&Matcher>) -> bool {
    proxies.and_then(|p| proxy_for(&request.url, p)).is_none()
}

/// Whether `request` holds a header value the `http` crate refuses but a
/// browser sends (a control character other than NUL, CR and LF).
fn needs_raw(request: &OutgoingRequest) -> bool {
    request.headers.iter().any(|(_, value)| {
        reqwest::header::HeaderValue::from_bytes(value.as_bytes()).is_err()
            && !value.bytes().any(|b| matches!(b, 0 | b'\r' | b'\n'))
    })
}

/// The proxy `proxies` (the environment's, read as reqwest reads it) sends
/// `url` through, by host: never its credentials.
fn proxy_for(url: &Url, proxies: &Matcher) -> Option<String> {
    let uri: http::Uri = url.as_str().parse().ok()?;
    let proxy = proxies.intercept(&uri)?;
    Some(match (proxy.uri().host(), proxy.uri().port_u16()) {
        (Some(host), Some(port)) => format!("{host}:{port}"),
        (Some(host), None) => host.to_string(),
        _ => "a proxy".to_string(),
    })
}

/// What the deadline cuts off, and where.
struct Deadline {
    at: Instant,
    after: Duration,
    target: String,
}

impl Deadline {
    async fn run<T>(
        &self,
        stage: Stage,
        step: impl std::future::Future<Output = T>,
    ) -> Result<T, ProbeError> {
        tokio::time::timeout_at(self.at.into(), step)
            .await
            .map_err(|_| ProbeError::Timeout {
                target: self.target.clone(),
                stage,
                after: self.after,
            })
    }
}

/// Sends `request` (its headers exactly as given) and reads the response;
/// `tls` gives the client's TLS configuration for this path.
pub(crate) async fn send(
    options: &TransportOptions,
    tls: impl FnOnce() -> Result<Arc<rustls::ClientConfig>, ProbeError>,
    request: &OutgoingRequest,
    target: String,
    started: Instant,
) -> Result<Exchange, ProbeError> {
    let url = &request.url;
    let deadline = Deadline {
        at: started + options.timeout,
        after: options.timeout,
        target: target.clone(),
    };
    let host = url
        .host_str()
        .ok_or_else(|| ProbeError::InvalidRequest {
            detail: format!("`{url}` has no host"),
        })?
        .trim_start_matches('[')
        .trim_end_matches(']')
        .to_string();
    let port = url.port_or_known_default().unwrap_or(80);
    let addrs = addresses(options, &host, port, &deadline).await?;
    let connect = async {
        let mut last = None;
        for addr in &addrs {
            match tokio::time::timeout(options.connect_timeout, TcpStream::connect(addr)).await {
                Ok(Ok(stream)) => return Ok((stream, *addr)),
                Ok(Err(e)) => last = Some(e.to_string()),
                Err(_) => last = Some(format!("no answer within {:?}", options.connect_timeout)),
            }
        }
        Err(last.unwrap_or_else(|| "no address".to_string()))
    };
    let (stream, remote) = deadline
        .run(Stage::Connect, connect)
        .await?
        .map_err(|detail| ProbeError::Connect {
            target: target.clone(),
            detail,
        })?;
    let head = request_head(request, url, &host);
    if url.scheme() == "https" {
        let config = tls()?;
        let name = rustls::pki_types::ServerName::try_from(host.clone()).map_err(|e| {
            ProbeError::InvalidRequest {
                detail: format!("`{host}` is not a valid TLS server name: {e}"),
            }
        })?;
        let tls = deadline
            .run(
                Stage::Tls,
                tokio_rustls::TlsConnector::from(config).connect(name, stream),
            )
            .await?
            .map_err(|e| {
                let mut error = tls_error(target.clone(), e.to_string());
                if let ProbeError::Tls { ca_given, .. } = &mut error {
                    *ca_given = options.ca_cert.is_some();
                }
                error
            })?;
        exchange(tls, options, request, &head, remote, &deadline, started).await
    } else {
        exchange(stream, options, request, &head, remote, &deadline, started).await
    }
}

/// The addresses to try: `--resolve`, an IP literal, or DNS.
async fn addresses(
    options: &TransportOptions,
    host: &str,
    port: u16,
    deadline: &Deadline,
) -> Result<Vec<SocketAddr>, ProbeError> {
    if let Some(r) = options
        .resolve
        .iter()
        .find(|r| r.host.eq_ignore_ascii_case(host) && r.port == port)
    {
        return Ok(vec![SocketAddr::new(r.addr, port)]);
    }
    if let Ok(ip) = host.parse() {
        return Ok(vec![SocketAddr::new(ip, port)]);
    }
    let found = deadline
        .run(Stage::Connect, tokio::net::lookup_host((host, port)))
        .await?
        .map_err(|e| ProbeError::Dns {
            host: host.to_string(),
            detail: e.to_string(),
        })?;
    Ok(found.collect())
}

/// The request line and header lines, as given, then `Content-Length` for a body.
fn request_head(request: &OutgoingRequest, url: &Url, host: &str) -> Vec<u8> {
    let path = &url[url::Position::BeforePath..url::Position::AfterQuery];
    let authority = match url.port() {
        Some(port) if url.host_str().is_some_and(|h| h.starts_with('[')) => {
            format!("[{host}]:{port}")
        }
        Some(port) => format!("{host}:{port}"),
        None if host.contains(':') => format!("[{host}]"),
        None => host.to_string(),
    };
    let mut head = format!(
        "{} {path} HTTP/1.1\r\nHost: {authority}\r\n",
        request.method
    )
    .into_bytes();
    for (name, value) in &request.headers {
        head.extend_from_slice(name.as_bytes());
        head.extend_from_slice(b": ");
        head.extend_from_slice(value.as_bytes());
        head.extend_from_slice(b"\r\n");
    }
    if let Some(body) = &request.body {
        head.extend_from_slice(format!("Content-Length: {}\r\n", body.len()).as_bytes());
    }
    head.extend_from_slice(b"\r\n");
    head
}

/// The bytes read so far from a connection, consumed from the front.
struct Wire<S> {
    stream: S,
    buf: Vec<u8>,
    pos: usize,
}

impl<S: AsyncRead + Unpin> Wire<S> {
    /// Reads more; `Ok(0)` at the connection's end.
    async fn fill(&mut self) -> std::io::Result<usize> {
        // What was consumed goes: a server sending interim responses or
        // chunks without end never grows the buffer past what is unread.
        self.buf.drain(..self.pos);
        self.pos = 0;
        let mut chunk = [0u8; 16 * 1024];
        let n = self.stream.read(&mut chunk).await?;
        self.buf.extend_from_slice(&chunk[..n]);
        Ok(n)
    }

    fn available(&self) -> &[u8] {
        &self.buf[self.pos..]
    }
}

async fn exchange<S: AsyncRead + AsyncWrite + Unpin>(
    mut stream: S,
    options: &TransportOptions,
    request: &OutgoingRequest,
    head: &[u8],
    remote: SocketAddr,
    deadline: &Deadline,
    started: Instant,
) -> Result<Exchange, ProbeError> {
    let target = deadline.target.clone();
    let write = async {
        stream.write_all(head).await?;
        if let Some(body) = &request.body {
            stream.write_all(body).await?;
        }
        stream.flush().await
    };
    deadline
        .run(Stage::ResponseHeaders, write)
        .await?
        .map_err(|e| io_failure(&target, &e))?;
    let mut wire = Wire {
        stream,
        buf: Vec::new(),
        pos: 0,
    };
    let (status, reason, version, headers, lossy_headers) = deadline
        .run(Stage::ResponseHeaders, read_head(&mut wire, &target))
        .await??;
    let mut exchange = Exchange {
        request: request.clone(),
        status,
        reason,
        version,
        headers,
        lossy_headers,
        body: Vec::new(),
        body_truncated: false,
        body_error: None,
        body_failure: None,
        remote_addr: Some(remote),
        elapsed: Duration::ZERO,
    };
    let bodiless = request.method.eq_ignore_ascii_case("HEAD")
        || (100..200).contains(&status)
        || status == 204
        || status == 304;
    if !bodiless {
        let read = deadline
            .run(
                Stage::ResponseBody,
                read_body(&mut wire, options, &mut exchange),
            )
            .await;
        let failure = match read {
            Ok(Ok(())) => None,
            Ok(Err(detail)) => Some(ProbeError::Body {
                target: target.clone(),
                detail,
            }),
            Err(timeout) => Some(timeout),
        };
        if let Some(error) = failure {
            exchange.body_failure = Some(body_failure_of(&error, &exchange.headers));
            exchange.body_error = Some(error.to_string());
        }
    }
    exchange.elapsed = started.elapsed();
    Ok(exchange)
}

fn io_failure(target: &str, e: &std::io::Error) -> ProbeError {
    match e.kind() {
        std::io::ErrorKind::ConnectionReset | std::io::ErrorKind::BrokenPipe => ProbeError::Reset {
            target: target.to_string(),
        },
        _ => ProbeError::Protocol {
            target: target.to_string(),
            detail: e.to_string(),
        },
    }
}

type Head = (
    u16,
    Option<String>,
    HttpVersion,
    Vec<(String, String)>,
    bool,
);

/// Reads and parses the response head.
async fn read_head<S: AsyncRead + Unpin>(
    wire: &mut Wire<S>,
    target: &str,
) -> Result<Head, ProbeError> {
    let mut lines = 64;
    let mut ended = false;
    loop {
        let mut slots = vec![httparse::EMPTY_HEADER; lines];
        let mut response = httparse::Response::new(&mut slots);
        match response.parse(wire.available()) {
            Ok(httparse::Status::Complete(length)) => {
                let head = head_of(&response);
                wire.pos += length;
                // Interim responses (100 Continue, 103 Early Hints) are not
                // the answer: browsers read on to the final one.
                if (100..200).contains(&head.0) && head.0 != 101 {
                    lines = 64;
                    continue;
                }
                return Ok(head);
            }
            Err(httparse::Error::TooManyHeaders) if lines < MAX_RESPONSE_HEADER_LINES => {
                lines = (lines * 4).min(MAX_RESPONSE_HEADER_LINES);
                continue;
            }
            Err(e) => {
                return Err(ProbeError::Protocol {
                    target: target.to_string(),
                    detail: format!("the response head is not valid HTTP/1.1: {e}"),
                })
            }
            Ok(httparse::Status::Partial) if ended => {
                return Err(ProbeError::EmptyResponse {
                    target: target.to_string(),
                })
            }
            Ok(httparse::Status::Partial) => {}
        }
        if wire.available().len() > MAX_HEAD_BYTES {
            return Err(ProbeError::HeadersTooBig {
                target: target.to_string(),
                bytes: None,
            });
        }
        let n = wire.fill().await.map_err(|e| io_failure(target, &e))?;
        if n == 0 {
            // Browsers take complete header lines cut off before the blank
            // line as the whole head (the body is then empty).
            let got = wire.available();
            if got.is_empty() || !got.ends_with(b"\n") {
                return Err(ProbeError::EmptyResponse {
                    target: target.to_string(),
                });
            }
            wire.buf.extend_from_slice(b"\r\n");
            ended = true;
        }
    }
}

fn head_of(response: &httparse::Response<'_, '_>) -> Head {
    let mut lossy = false;
    let headers = response
        .headers
        .iter()
        .map(|h| {
            let value = match std::str::from_utf8(h.value) {
                Ok(v) => v.to_string(),
                Err(_) => {
                    lossy = true;
                    String::from_utf8_lossy(h.value).into_owned()
                }
            };
            (h.name.to_ascii_lowercase(), value)
        })
        .collect();
    let version = if response.version == Some(0) {
        HttpVersion::Http1_0
    } else {
        HttpVersion::Http1_1
    };
    (
        response.code.unwrap_or(0),
        response.reason.map(str::to_string),
        version,
        headers,
        lossy,
    )
}

/// Reads the body as framed, keeping a prefix; an error says how it broke off.
async fn read_body<S: AsyncRead + Unpin>(
    wire: &mut Wire<S>,
    options: &TransportOptions,
    exchange: &mut Exchange,
) -> Result<(), String> {
    let header = |name: &str| {
        exchange
            .headers
            .iter()
            .find(|(n, _)| n == name)
            .map(|(_, v)| v.trim().to_ascii_lowercase())
    };
    let chunked = header("transfer-encoding").is_some_and(|v| v.ends_with("chunked"));
    let length = header("content-length").and_then(|v| v.parse::<u64>().ok());
    let mut sink = Sink {
        keep: KEPT_BODY_BYTES.min(options.max_body_bytes),
        max: options.max_body_bytes as u64,
        read: 0,
        body: Vec::new(),
        truncated: false,
    };
    let result = if chunked {
        read_chunked(wire, &mut sink).await
    } else {
        read_sized(wire, &mut sink, length).await
    };
    exchange.body = sink.body;
    exchange.body_truncated = sink.truncated;
    result
}

/// Where body bytes go: a kept prefix, and a count against the size limit.
struct Sink {
    keep: usize,
    max: u64,
    read: u64,
    body: Vec<u8>,
    truncated: bool,
}

impl Sink {
    /// Takes `bytes`; false once the size limit is passed (stop reading).
    fn take(&mut self, bytes: &[u8]) -> bool {
        let room = self.keep.saturating_sub(self.body.len()).min(bytes.len());
        self.body.extend_from_slice(&bytes[..room]);
        self.truncated |= room < bytes.len();
        self.read += bytes.len() as u64;
        if self.read > self.max {
            self.truncated = true;
            return false;
        }
        true
    }
}

/// What became of the next body bytes asked for.
enum Passed {
    All,
    /// The size limit was reached: stop reading.
    Enough,
    /// The connection ended after this many.
    ClosedAfter(u64),
}

/// Passes the next `count` body bytes to `sink`.
async fn pass<S: AsyncRead + Unpin>(
    wire: &mut Wire<S>,
    sink: &mut Sink,
    count: u64,
) -> Result<Passed, String> {
    let mut left = count;
    while left > 0 {
        if wire.available().is_empty() && wire.fill().await.map_err(|e| e.to_string())? == 0 {
            return Ok(Passed::ClosedAfter(count - left));
        }
        let take = wire
            .available()
            .len()
            .min(usize::try_from(left).unwrap_or(usize::MAX));
        let more = sink.take(&wire.available()[..take]);
        wire.pos += take;
        left -= take as u64;
        if !more {
            return Ok(Passed::Enough);
        }
    }
    Ok(Passed::All)
}

/// A body of `length` bytes, or up to the connection's end.
async fn read_sized<S: AsyncRead + Unpin>(
    wire: &mut Wire<S>,
    sink: &mut Sink,
    length: Option<u64>,
) -> Result<(), String> {
    match (pass(wire, sink, length.unwrap_or(u64::MAX)).await?, length) {
        (Passed::ClosedAfter(got), Some(length)) => Err(format!(
            "the connection closed after {got} of the {length} body bytes its Content-Length announced"
        )),
        _ => Ok(()),
    }
}

/// A `chunked` body (chunk extensions and trailers ignored).
async fn read_chunked<S: AsyncRead + Unpin>(
    wire: &mut Wire<S>,
    sink: &mut Sink,
) -> Result<(), String> {
    loop {
        let line = read_line(wire).await?;
        let size_text = line.split(|&b| b == b';').next().unwrap_or_default();
        let size_text = String::from_utf8_lossy(size_text);
        let size = u64::from_str_radix(size_text.trim(), 16)
            .map_err(|_| format!("`{}` is not a chunk size", size_text.trim()))?;
        if size == 0 {
            return Ok(());
        }
        match pass(wire, sink, size).await? {
            Passed::All => {}
            Passed::Enough => return Ok(()),
            Passed::ClosedAfter(_) => {
                return Err("the connection closed inside a chunk of the chunked body".to_string())
            }
        }
        if !read_line(wire).await?.is_empty() {
            return Err("a chunk of the chunked body is longer than its size says".to_string());
        }
    }
}

/// One line (CRLF or LF ended, without it), at most 4 KiB.
async fn read_line<S: AsyncRead + Unpin>(wire: &mut Wire<S>) -> Result<Vec<u8>, String> {
    loop {
        if let Some(end) = wire.available().iter().position(|&b| b == b'\n') {
            let mut line = wire.available()[..end].to_vec();
            wire.pos += end + 1;
            if line.last() == Some(&b'\r') {
                line.pop();
            }
            return Ok(line);
        }
        if wire.available().len() > 4096 {
            return Err("a chunk-size line longer than 4 KiB".to_string());
        }
        if wire.fill().await.map_err(|e| e.to_string())? == 0 {
            return Err("the connection closed inside the chunked body".to_string());
        }
    }
}
