//! Origins as the HTML standard defines them: a scheme/host/port tuple or an
//! opaque origin, which serialises as `null`.

use std::fmt;
use url::Url;

/// Schemes whose URLs have a tuple origin of their own (`blob:` borrows
/// its inner URL's; the rest are opaque).
fn has_tuple_origin(scheme: &str) -> bool {
    matches!(scheme, "http" | "https" | "ws" | "wss" | "ftp")
}

/// An origin: a tuple (scheme, host, port) or opaque.
#[derive(Clone, Debug, PartialEq, Eq, Hash)]
pub enum Origin {
    /// The `(scheme, host, port)` tuple; `port` is `None` for the scheme's default.
    Tuple {
        scheme: String,
        host: String,
        port: Option<u16>,
    },
    /// Sandboxed frames, `file:` and `data:` documents, redirect-tainted requests.
    Opaque,
}

/// Why a string is not an origin a page can have.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum OriginParseError {
    NotAUrl(String),
    HasPath(String),
    HasQueryOrFragment,
    HasCredentials,
    NoHost,
}

impl fmt::Display for OriginParseError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Self::NotAUrl(detail) => write!(f, "not an absolute URL ({detail}); an origin looks like https://app.example.com"),
            Self::HasPath(path) => write!(f, "an origin has no path, but this one has `{path}`; drop it (browsers send `Origin` without a path)"),
            Self::HasQueryOrFragment => f.write_str("an origin has no query or fragment"),
            Self::HasCredentials => f.write_str("an origin has no user name or password"),
            Self::NoHost => f.write_str("an origin needs a host (for an opaque origin write `null`)"),
        }
    }
}

impl Origin {
    /// The origin of a URL, per the URL standard (`file:`, `data:`… are opaque).
    pub fn of_url(url: &Url) -> Origin {
        // The special schemes' tuple straight from the parsed URL (which
        // already omits a default port), without `Url::origin`'s copies.
        if let (true, Some(host)) = (has_tuple_origin(url.scheme()), url.host_str()) {
            return Origin::Tuple {
                scheme: url.scheme().to_string(),
                host: host.to_string(),
                port: url.port(),
            };
        }
        match url.origin() {
            url::Origin::Tuple(scheme, host, port) => {
                let default = default_port(&scheme);
                Origin::Tuple {
                    host: host.to_string(),
                    port: if default == Some(port) {
                        None
                    } else {
                        Some(port)
                    },
                    scheme,
                }
            }
            url::Origin::Opaque(_) => Origin::Opaque,
        }
    }

    /// Parses what a user types for `--origin`: a serialised origin or `null`.
    /// A trailing `/` alone is tolerated (it is what `new URL(o).href` gives);
    /// any other path is refused because no browser sends one.
    pub fn parse(text: &str) -> Result<Origin, OriginParseError> {
        let text = text.trim();
        if text == "null" {
            return Ok(Origin::Opaque);
        }
        let url = Url::parse(text).map_err(|e| OriginParseError::NotAUrl(e.to_string()))?;
        if !url.username().is_empty() || url.password().is_some() {
            return Err(OriginParseError::HasCredentials);
        }
        if url.query().is_some() || url.fragment().is_some() {
            return Err(OriginParseError::HasQueryOrFragment);
        }
        if url.path() != "/" && url.path() != "" && url.has_host() {
            return Err(OriginParseError::HasPath(url.path().to_string()));
        }
        if !url.has_host() && matches!(url.scheme(), "http" | "https") {
            return Err(OriginParseError::NoHost);
        }
        Ok(Origin::of_url(&url))
    }

    /// The ASCII serialisation browsers put in the `Origin` header.
    pub fn serialize(&self) -> String {
        match self {
            Origin::Opaque => "null".to_string(),
            Origin::Tuple { scheme, host, port } => {
                let mut out = String::with_capacity(scheme.len() + host.len() + 9);
                out.push_str(scheme);
                out.push_str("://");
                out.push_str(host);
                if let Some(port) = port {
                    let _ = fmt::Write::write_fmt(&mut out, format_args!(":{port}"));
                }
                out
            }
        }
    }

    pub fn is_opaque(&self) -> bool {
        matches!(self, Origin::Opaque)
    }

    pub fn scheme(&self) -> Option<&str> {
        match self {
            Origin::Tuple { scheme, .. } => Some(scheme),
            Origin::Opaque => None,
        }
    }

    pub fn host(&self) -> Option<&str> {
        match self {
            Origin::Tuple { host, .. } => Some(host),
            Origin::Opaque => None,
        }
    }

    /// `self.same_origin(&Origin::of_url(url))`, without building the origin.
    pub fn same_origin_as_url(&self, url: &Url) -> bool {
        match self {
            Origin::Tuple { scheme, host, port } if has_tuple_origin(url.scheme()) => {
                scheme == url.scheme()
                    && Some(host.as_str()) == url.host_str()
                    && *port == url.port()
            }
            _ => self.same_origin(&Origin::of_url(url)),
        }
    }

    /// Same origin in the HTML sense; two opaque origins here are never the same
    /// (each opaque origin is unique).
    pub fn same_origin(&self, other: &Origin) -> bool {
        match (self, other) {
            (Origin::Tuple { .. }, Origin::Tuple { .. }) => self == other,
            _ => false,
        }
    }

    /// Potentially trustworthy (secure context): https/wss, loopback hosts, `*.localhost`.
    pub fn is_potentially_trustworthy(&self) -> bool {
        match self {
            Origin::Opaque => false,
            Origin::Tuple { scheme, host, .. } => {
                matches!(scheme.as_str(), "https" | "wss" | "file") || is_loopback_host(host)
            }
        }
    }
}

impl fmt::Display for Origin {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.serialize())
    }
}

/// `localhost`, `*.localhost`, 127.0.0.0/8 and `[::1]` are potentially trustworthy.
pub fn is_loopback_host(host: &str) -> bool {
    let host = host.trim_end_matches('.').to_ascii_lowercase();
    if host == "localhost" || host.ends_with(".localhost") || host == "[::1]" || host == "::1" {
        return true;
    }
    host.parse::<std::net::Ipv4Addr>()
        .map(|ip| ip.is_loopback())
        .unwrap_or(false)
}

/// A URL's own trustworthiness, for mixed-content decisions.
pub fn is_url_potentially_trustworthy(url: &Url) -> bool {
    match url.scheme() {
        "https" | "wss" | "data" | "about" | "blob" | "file" => true,
        _ => url.host_str().map(is_loopback_host).unwrap_or(false),
    }
}

pub(crate) fn default_port(scheme: &str) -> Option<u16> {
    match scheme {
        "http" | "ws" => Some(80),
        "https" | "wss" => Some(443),
        "ftp" => Some(21),
        _ => None,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn parses_and_serialises_origins() {
        let cases = [
            ("https://app.example.com", "https://app.example.com"),
            ("https://app.example.com/", "https://app.example.com"),
            ("https://App.Example.com:443", "https://app.example.com"),
            ("http://localhost:3000", "http://localhost:3000"),
            ("null", "null"),
        ];
        for (input, expected) in cases {
            assert_eq!(
                Origin::parse(input).map(|o| o.serialize()).ok().as_deref(),
                Some(expected),
                "{input}"
            );
        }
        assert!(matches!(
            Origin::parse("https://app.example.com/path"),
            Err(OriginParseError::HasPath(_))
        ));
        assert!(matches!(
            Origin::parse("app.example.com"),
            Err(OriginParseError::NotAUrl(_))
        ));
        assert!(Origin::parse("https://u:p@a.com").is_err());
    }

    #[test]
    fn trustworthiness() {
        assert!(is_loopback_host("127.0.0.1"));
        assert!(is_loopback_host("127.9.9.9"));
        assert!(is_loopback_host("api.localhost"));
        assert!(is_loopback_host("[::1]"));
        assert!(!is_loopback_host("10.0.0.1"));
        assert!(!is_loopback_host("example.com"));
    }
}
