//! Why a request got no usable HTTP response, classified by the stage that
//! failed so the CLI can say "is the server running?" or "self-signed?".

use std::time::Duration;

/// The stage of an exchange where it failed.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Stage {
    Dns,
    Connect,
    Tls,
    Request,
    ResponseHeaders,
    ResponseBody,
}

impl Stage {
    pub fn id(self) -> &'static str {
        match self {
            Stage::Dns => "dns",
            Stage::Connect => "connect",
            Stage::Tls => "tls",
            Stage::Request => "request",
            Stage::ResponseHeaders => "response-headers",
            Stage::ResponseBody => "response-body",
        }
    }
}

/// Why a TLS handshake failed, as a browser tells.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum TlsFailure {
    /// Not signed by a trusted authority (self-signed, private CA).
    Authority,
    /// Expired or not yet valid.
    Date,
    /// Does not name the host.
    Name,
    /// Not TLS at all, or no common version or cipher.
    Protocol,
    /// The server refused every application protocol offered (ALPN): an
    /// HTTP/2-only server asked with `--http1.1`.
    Alpn,
}

impl TlsFailure {
    /// From the TLS library's error text.
    pub fn from_detail(detail: &str) -> TlsFailure {
        let lower = detail.to_ascii_lowercase();
        if lower.contains("expired")
            || lower.contains("notvalidyet")
            || lower.contains("not valid yet")
        {
            TlsFailure::Date
        } else if lower.contains("notvalidforname") || lower.contains("not valid for name") {
            TlsFailure::Name
        } else if lower.contains("noapplicationprotocol")
            || lower.contains("no application protocol")
        {
            TlsFailure::Alpn
        } else if lower.contains("corrupt message")
            || lower.contains("invalidcontenttype")
            || lower.contains("peerincompatible")
            || lower.contains("handshakefailure")
            || lower.contains("protocol version")
        {
            TlsFailure::Protocol
        } else {
            TlsFailure::Authority
        }
    }

    /// Chromium's net error for it.
    pub fn net_error(self) -> &'static str {
        match self {
            TlsFailure::Authority => "ERR_CERT_AUTHORITY_INVALID",
            TlsFailure::Date => "ERR_CERT_DATE_INVALID",
            TlsFailure::Name => "ERR_CERT_COMMON_NAME_INVALID",
            TlsFailure::Protocol | TlsFailure::Alpn => "ERR_SSL_PROTOCOL_ERROR",
        }
    }
}

/// A request that got no usable response, or a client that could not be built.
#[derive(Debug, thiserror::Error)]
pub enum ProbeError {
    #[error("invalid request: {detail}")]
    InvalidRequest { detail: String },
    #[error("DNS lookup of `{host}` failed: {detail}")]
    Dns { host: String, detail: String },
    #[error("could not connect to {target}: {detail}")]
    Connect { target: String, detail: String },
    #[error("TLS handshake with {target} failed: {detail}")]
    Tls {
        target: String,
        detail: String,
        /// What failed, as Chromium names it (`ERR_CERT_DATE_INVALID`…).
        code: TlsFailure,
        /// `--cacert` was given (then it is no advice).
        ca_given: bool,
    },
    #[error("{target} did not answer within {after:?}")]
    Timeout {
        target: String,
        stage: Stage,
        after: Duration,
    },
    #[error("{target} reset the connection before sending a response")]
    Reset { target: String },
    #[error("{target} closed the connection before a complete response (no bytes, or the headers cut off)")]
    EmptyResponse { target: String },
    #[error("{target} sent {} of response headers; browsers stop at 256 KiB (Chromium's limit)", .bytes.map_or("more than 256 KiB".to_string(), |b| format!("{} KiB", b / 1024)))]
    HeadersTooBig {
        target: String,
        /// The head's size when it was read whole; `None` when reading
        /// stopped first (past 256 KiB, or hyper's own cap near 400 KiB).
        bytes: Option<usize>,
    },
    #[error("{target} sent a response that is not valid HTTP: {detail}")]
    Protocol { target: String, detail: String },
    #[error("reading the body from {target} failed: {detail}")]
    Body { target: String, detail: String },
    #[error("cannot use the CA certificate file {path}: {detail}")]
    CaCert { path: String, detail: String },
    #[error("cannot set up the HTTP client: {detail}")]
    Client { detail: String },
}

impl ProbeError {
    pub fn stage(&self) -> Stage {
        match self {
            ProbeError::Dns { .. } => Stage::Dns,
            ProbeError::Connect { .. } => Stage::Connect,
            ProbeError::Tls { .. } => Stage::Tls,
            ProbeError::Timeout { stage, .. } => *stage,
            ProbeError::Protocol { .. }
            | ProbeError::Reset { .. }
            | ProbeError::EmptyResponse { .. }
            | ProbeError::HeadersTooBig { .. } => Stage::ResponseHeaders,
            ProbeError::Body { .. } => Stage::ResponseBody,
            ProbeError::InvalidRequest { .. }
            | ProbeError::CaCert { .. }
            | ProbeError::Client { .. } => Stage::Request,
        }
    }

    /// DNS, connection, TLS, timeout or a broken response: the server could
    /// not be reached or answered nothing usable (CLI exit code 3).
    pub fn is_unreachable(&self) -> bool {
        !matches!(
            self,
            ProbeError::InvalidRequest { .. }
                | ProbeError::CaCert { .. }
                | ProbeError::Client { .. }
        )
    }

    /// One line of help for the user.
    pub fn hint(&self) -> Option<&'static str> {
        match self {
            ProbeError::Dns { .. } => Some("check the host name; to point it at another address use --resolve HOST:PORT:ADDR"),
            // EMFILE: this machine's open-file limit, not the server.
            ProbeError::Connect { detail, .. } if detail.contains("os error 24") => Some("this machine ran out of open files (sockets count): lower --concurrency, or raise the limit (ulimit -n)"),
            ProbeError::Connect { .. } => Some("is the server running and listening on that port?"),
            ProbeError::Tls { code: TlsFailure::Date, .. } => Some("the server's certificate has expired or is not valid yet: renew it (or check this machine's clock)"),
            ProbeError::Tls { code: TlsFailure::Name, .. } => Some("the certificate does not name this host: check the URL's host name against the certificate's names (SAN), or use --resolve to reach the right server under its name"),
            ProbeError::Tls { code: TlsFailure::Alpn, .. } => Some("the server accepts no protocol offered: with --http1.1 that means it speaks only HTTP/2 — drop --http1.1 (browsers offer HTTP/2 and would connect)"),
            ProbeError::Tls { code: TlsFailure::Protocol, .. } => Some("is the server speaking TLS on that port? (plain HTTP behind an https URL, or a TLS version or cipher no browser accepts)"),
            ProbeError::Tls { ca_given: true, .. } => Some("the certificate is not signed by the --cacert given, nor by a system root: check that the file holds the CA (or the server's own self-signed certificate)"),
            ProbeError::Tls { .. } => Some("for a self-signed or private CA certificate use --cacert FILE (or --insecure to skip verification)"),
            ProbeError::Timeout { stage: Stage::Tls, .. } => Some("the server accepted the connection but never completed the TLS handshake: is it speaking TLS on that port (plain HTTP behind an https URL)? More time will not help"),
            ProbeError::Timeout { stage: Stage::Connect, .. } => Some("nothing answered the connection attempt (a firewall dropping packets, or a wrong address)"),
            ProbeError::Timeout { stage: Stage::ResponseBody, .. } => Some("the response headers arrived but the body did not finish; raise --timeout if the body is just large or slow"),
            ProbeError::Timeout { .. } => Some("the server accepted the request but sent no response; raise --timeout if it is just slow"),
            ProbeError::Protocol { .. } => Some("the server (or a proxy) answered with something that is not HTTP, or headers beyond the size limit"),
            ProbeError::Reset { .. } => Some("the server, or a proxy or firewall before it, dropped the connection: its logs say why (often a crash on this request)"),
            ProbeError::HeadersTooBig { .. } => Some("the response's headers are larger than any browser reads: look for a header that grows without bound (cookies set on every request, a debug or trace header)"),
            ProbeError::EmptyResponse { .. } => Some("the server accepted the connection and closed it without answering: its logs say why (a crash, or plain HTTP sent to an HTTPS port)"),
            ProbeError::CaCert { .. } => Some("--cacert expects a PEM file with one or more certificates"),
            _ => None,
        }
    }

    /// The browser-side name of this failure (Chromium's net error).
    pub fn net_error(&self) -> &'static str {
        match self {
            ProbeError::Dns { .. } => "ERR_NAME_NOT_RESOLVED",
            ProbeError::Connect { .. } => "ERR_CONNECTION_REFUSED",
            ProbeError::Tls { code, .. } => code.net_error(),
            ProbeError::Timeout { .. } => "ERR_TIMED_OUT",
            ProbeError::Protocol { .. } => "ERR_INVALID_HTTP_RESPONSE",
            ProbeError::Reset { .. } => "ERR_CONNECTION_RESET",
            ProbeError::EmptyResponse { .. } => "ERR_EMPTY_RESPONSE",
            ProbeError::HeadersTooBig { .. } => "ERR_RESPONSE_HEADERS_TOO_BIG",
            ProbeError::Body { .. } => "ERR_CONTENT_LENGTH_MISMATCH",
            _ => "ERR_FAILED",
        }
    }

    /// What WebKit says for it (its "Failed to load resource:" text).
    pub fn webkit_description(&self) -> &'static str {
        cors_engine::webkit_network_description(self.net_error())
    }
}

#[cfg(test)]
mod tests {
    use super::ProbeError;

    /// A connection this machine could not open (its open-file limit) is
    /// not blamed on the server.
    #[test]
    fn the_open_file_limit_is_not_the_servers_fault() {
        let connect = |detail: &str| ProbeError::Connect {
            target: "127.0.0.1:8080".to_string(),
            detail: detail.to_string(),
        };
        let emfile = connect("Too many open files (os error 24)").hint();
        assert!(
            emfile.is_some_and(|h| h.contains("ulimit -n")),
            "{emfile:?}"
        );
        let refused = connect("Connection refused (os error 111)").hint();
        assert!(
            refused.is_some_and(|h| h.contains("is the server running")),
            "{refused:?}"
        );
    }
}
