//! An estate of many endpoints, each with one planted CORS mistake (or none),
//! for `audit`'s tests and its benchmark against other scanners.
//!
//! Endpoint `i` is `www.s{i}.test` — reached by host name (each name mapped
//! to its own 127.x address, [`address`]) or, on one listener, by the path
//! prefix `/s{i}/`. Its trusted origin is its own (`https://www.s{i}.test`,
//! or `http://` for the endpoints served over http), and [`planted`] says
//! deterministically which mistake it makes. Each mistake is hand-coded as
//! a real server would make it: a `starts_with`, an unescaped dot, an
//! `in` test the wrong way round, an allow list naming a hosting platform.

use std::future::Future;
use std::net::Ipv4Addr;
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::Arc;
use std::time::Duration;

use axum::body::Body;
use axum::extract::{Request, State};
use axum::http::{HeaderMap, HeaderValue, Method, Response, StatusCode};
use axum::Router;
use rustls::pki_types::{CertificateDer, PrivateKeyDer, PrivatePkcs8KeyDer};
use rustls::server::ResolvesServerCertUsingSni;
use rustls::sign::CertifiedKey;
use rustls::ServerConfig;

use crate::LabError;

/// One planted mistake, or a safe configuration.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Planted {
    /// Allows exactly its own origin, with credentials and `Vary: Origin`.
    SafeExact,
    /// Sends no CORS headers.
    SafeNone,
    /// Always names its own origin (no `Vary` needed: it never changes).
    SafeStatic,
    /// Reflects any origin, with credentials.
    Reflect,
    /// Reflects any origin without `Vary: Origin`.
    ReflectWithoutVary,
    /// Accepts `null`.
    Null,
    /// `origin.starts_with("https://www.sN.test")`.
    Prefix,
    /// The host ends with `sN.test` (no dot before it).
    SuffixSite,
    /// The host ends with `www.sN.test` (no dot before it).
    SuffixHost,
    /// A pattern with the dot at this position unescaped.
    UnescapedDot(usize),
    /// The trusted origin followed by a special character.
    SpecialCharacters,
    /// Any subdomain of `sN.test`.
    AnySubdomain,
    /// Trusts the http:// version of its https origin.
    HttpTrusted,
    /// Allows every site on this hosting platform (index into [`PLATFORMS`]).
    ThirdPartyList(usize),
    /// Always answers with one origin on GitHub Pages.
    ThirdPartyFixed,
    /// `"https://www.sN.test".contains(origin)`.
    Substring,
    /// The trusted host ends with the origin's host (parent domains pass).
    Parent,
    /// `Access-Control-Allow-Origin: *`.
    Wildcard,
    /// Preflights reflect the origin and echo the requested method and
    /// headers, with credentials; other responses allow only its own origin.
    ReflectAllowLists,
    /// Preflights reflect the origin with credentials and a fixed list;
    /// other responses allow only its own origin.
    PreflightOnly,
    /// Accepts the connection and never answers.
    Hang,
}

/// The hosting platforms an allow list may name: (the origin suffix it
/// matches, the class of origin an attacker gets there).
pub const PLATFORMS: &[&str] = &[
    ".github.io",
    "https://codepen.io",
    "https://jsfiddle.net",
    ".netlify.app",
    ".vercel.app",
    ".glitch.me",
    ".herokuapp.com",
    ".pages.dev",
];

/// What each endpoint plants, in turn; the second field says it is served
/// over plain http.
const ROTATION: &[(Planted, bool)] = &[
    (Planted::SafeExact, false),
    (Planted::SafeNone, false),
    (Planted::SafeStatic, false),
    (Planted::Reflect, false),
    (Planted::ReflectWithoutVary, false),
    (Planted::Null, false),
    (Planted::Prefix, false),
    (Planted::SuffixSite, false),
    (Planted::SuffixHost, false),
    (Planted::UnescapedDot(0), false),
    (Planted::UnescapedDot(1), false),
    (Planted::SpecialCharacters, false),
    (Planted::AnySubdomain, false),
    (Planted::HttpTrusted, false),
    (Planted::ThirdPartyList(0), false),
    (Planted::ThirdPartyFixed, false),
    (Planted::Substring, false),
    (Planted::Parent, false),
    (Planted::Wildcard, false),
    (Planted::ReflectAllowLists, false),
    (Planted::PreflightOnly, false),
    (Planted::Reflect, true),
    (Planted::Prefix, true),
    (Planted::SafeExact, true),
    (Planted::AnySubdomain, true),
];

/// What a reflecting estate plants: mistakes an auditor decides with its
/// first requests (for tests of scale, interruption and resumption).
const REFLECTING: &[(Planted, bool)] = &[
    (Planted::Reflect, false),
    (Planted::ReflectWithoutVary, false),
    (Planted::Wildcard, false),
    (Planted::Reflect, true),
];

/// How the estate is laid out.
#[derive(Clone, Copy, Debug)]
pub struct Estate {
    pub size: usize,
    /// Every so many endpoints, one never answers (`Some(20)`: 5%).
    pub hang_every: Option<usize>,
    /// Only the mistakes decided by the first requests (reflection, `*`).
    pub reflecting: bool,
}

impl Estate {
    /// What endpoint `i` plants and whether it is served over plain http.
    pub fn planted(&self, i: usize) -> (Planted, bool) {
        if self.hang_every.is_some_and(|n| n > 0 && i % n == n - 1) {
            return (Planted::Hang, false);
        }
        let rotation = if self.reflecting {
            REFLECTING
        } else {
            ROTATION
        };
        let (planted, http) = rotation[i % rotation.len()];
        match planted {
            Planted::ThirdPartyList(_) => (
                Planted::ThirdPartyList((i / ROTATION.len()) % PLATFORMS.len()),
                http,
            ),
            other => (other, http),
        }
    }

    /// The class id an auditor should report for endpoint `i` (`safe` and
    /// `unreachable` for none).
    pub fn class_of(&self, i: usize) -> &'static str {
        match self.planted(i).0 {
            Planted::SafeExact | Planted::SafeNone | Planted::SafeStatic => "safe",
            Planted::Reflect => "reflected-arbitrary-origin",
            Planted::ReflectWithoutVary => "reflected-origin-without-vary",
            Planted::Null => "null-origin-allowed",
            Planted::Prefix => "prefix-match",
            Planted::SuffixSite | Planted::SuffixHost => "suffix-match",
            Planted::UnescapedDot(_) => "unescaped-dot",
            Planted::SpecialCharacters => "special-characters",
            Planted::AnySubdomain => "any-subdomain",
            Planted::HttpTrusted => "http-origin-trusted",
            Planted::ThirdPartyList(_) | Planted::ThirdPartyFixed => "third-party-hosting",
            Planted::Substring | Planted::Parent => "substring-match",
            Planted::Wildcard => "wildcard-origin",
            Planted::ReflectAllowLists => "reflected-allow-lists",
            Planted::PreflightOnly => "preflight-arbitrary-origin",
            Planted::Hang => "unreachable",
        }
    }

    /// A short description of what endpoint `i` does wrong.
    pub fn describe(&self, i: usize) -> String {
        let (planted, http) = self.planted(i);
        format!("{planted:?}{}", if http { " over http" } else { "" })
    }
}

/// Endpoint `i`'s host name.
pub fn host(i: usize) -> String {
    format!("www.s{i}.test")
}

/// Endpoint `i`'s own loopback address, 127.2.0.1 onwards (250 per /24).
pub fn address(i: usize) -> Ipv4Addr {
    let block = i / 250;
    Ipv4Addr::new(
        127,
        2 + u8::try_from(block / 250).unwrap_or(u8::MAX - 2),
        u8::try_from(block % 250).unwrap_or(0),
        u8::try_from(i % 250 + 1).unwrap_or(1),
    )
}

/// Which endpoint a request is for: the `sN` label of its host (the Host
/// header, or HTTP/2's `:authority`), or the `/sN/` prefix of its path.
fn endpoint_of(headers: &HeaderMap, uri: &axum::http::Uri) -> Option<usize> {
    let path = uri.path();
    let from_host = uri
        .host()
        .or_else(|| headers.get("host").and_then(|h| h.to_str().ok()))
        .and_then(|h| h.strip_prefix("www.s"))
        .and_then(|rest| rest.split('.').next())
        .and_then(|n| n.parse().ok());
    from_host.or_else(|| {
        path.strip_prefix("/s")?
            .split('/')
            .next()
            .and_then(|n| n.parse().ok())
    })
}

/// The host of a serialised origin (`None` for `null` and junk).
fn origin_host(origin: &str) -> Option<&str> {
    let rest = origin.split_once("://")?.1;
    Some(rest.split(':').next().unwrap_or(rest))
}

/// Whether endpoint `i` (trusting `trusted`) lets `origin` through on an
/// ordinary (non-preflight) response, as its mistake would.
fn accepts(planted: Planted, i: usize, trusted: &str, origin: &str) -> bool {
    let own_host = host(i);
    let site = format!("s{i}.test");
    let host_of = origin_host(origin).unwrap_or_default();
    let scheme_ok = origin.starts_with(&trusted[..trusted.find("://").unwrap_or(0)]);
    match planted {
        Planted::SafeExact | Planted::ReflectAllowLists | Planted::PreflightOnly => {
            origin == trusted
        }
        Planted::Reflect | Planted::ReflectWithoutVary => true,
        Planted::Null => origin == trusted || origin == "null",
        Planted::Prefix => origin.starts_with(trusted),
        Planted::SuffixSite => scheme_ok && host_of.ends_with(&site),
        Planted::SuffixHost => scheme_ok && host_of.ends_with(&own_host),
        Planted::UnescapedDot(which) => {
            // `^https://www.sN.test$` with one dot left unescaped.
            let dots: Vec<usize> = own_host.match_indices('.').map(|(d, _)| d).collect();
            let Some(&dot) = dots.get(which) else {
                return origin == trusted;
            };
            scheme_ok
                && host_of.len() == own_host.len()
                && host_of[..dot] == own_host[..dot]
                && host_of[dot + 1..] == own_host[dot + 1..]
        }
        Planted::SpecialCharacters => origin
            .strip_prefix(trusted)
            .and_then(|rest| rest.chars().next())
            .map_or(origin == trusted, |c| "_`!$&'()*+,;=~".contains(c)),
        Planted::AnySubdomain => {
            origin == trusted || (scheme_ok && host_of.ends_with(&format!(".{site}")))
        }
        Planted::HttpTrusted => origin == trusted || origin == format!("http://{own_host}"),
        Planted::ThirdPartyList(p) => {
            let platform = PLATFORMS[p % PLATFORMS.len()];
            origin == trusted
                || if platform.starts_with('.') {
                    origin.starts_with("https://") && host_of.ends_with(platform)
                } else {
                    origin == platform
                }
        }
        Planted::Substring => trusted.contains(origin),
        Planted::Parent => scheme_ok && !host_of.is_empty() && own_host.ends_with(host_of),
        Planted::SafeNone | Planted::SafeStatic | Planted::ThirdPartyFixed => false,
        Planted::Wildcard | Planted::Hang => false,
    }
}

fn set(response: &mut Response<Body>, name: &'static str, value: &str) {
    if let Ok(value) = HeaderValue::from_str(value) {
        response.headers_mut().insert(name, value);
    }
}

/// The estate and how many requests it has answered.
#[derive(Clone, Debug)]
struct Served {
    estate: Estate,
    requests: Arc<AtomicU64>,
}

/// The path on any host that reports the request count (for benchmarks:
/// requests per endpoint, whichever tool sent them).
pub const COUNT_PATH: &str = "/__estate/requests";

/// The estate's one handler.
async fn handle(State(served): State<Served>, request: Request) -> Response<Body> {
    if request.uri().path() == COUNT_PATH {
        let count = served.requests.load(Ordering::Relaxed);
        return Response::new(Body::from(format!("{{\"requests\":{count}}}\n")));
    }
    served.requests.fetch_add(1, Ordering::Relaxed);
    let estate = served.estate;
    let headers = request.headers().clone();
    let Some(i) = endpoint_of(&headers, request.uri()).filter(|i| *i < estate.size) else {
        let mut response = Response::new(Body::from("no such endpoint\n"));
        *response.status_mut() = StatusCode::NOT_FOUND;
        return response;
    };
    let (planted, http) = estate.planted(i);
    if planted == Planted::Hang {
        // Never answers; the client gives up first.
        tokio::time::sleep(Duration::from_secs(3600)).await;
    }
    let trusted = format!("{}://{}", if http { "http" } else { "https" }, host(i));
    let origin = headers
        .get("origin")
        .and_then(|o| o.to_str().ok())
        .map(str::to_string);
    let preflight = request.method() == Method::OPTIONS
        && headers.contains_key("access-control-request-method");
    let mut response = Response::new(Body::from(format!("{{\"endpoint\":{i}}}\n")));
    set(&mut response, "content-type", "application/json");
    if preflight {
        *response.status_mut() = StatusCode::NO_CONTENT;
        *response.body_mut() = Body::empty();
    }
    match planted {
        Planted::SafeNone | Planted::Hang => {}
        Planted::SafeStatic => set(&mut response, "access-control-allow-origin", &trusted),
        Planted::Wildcard => set(&mut response, "access-control-allow-origin", "*"),
        Planted::ThirdPartyFixed => {
            set(
                &mut response,
                "access-control-allow-origin",
                "https://estate-widgets.github.io",
            );
            set(&mut response, "access-control-allow-credentials", "true");
        }
        _ => {
            let Some(origin) = origin else {
                return response;
            };
            let reflect_preflight =
                preflight && matches!(planted, Planted::ReflectAllowLists | Planted::PreflightOnly);
            if reflect_preflight || accepts(planted, i, &trusted, &origin) {
                set(&mut response, "access-control-allow-origin", &origin);
                set(&mut response, "access-control-allow-credentials", "true");
            }
            if planted != Planted::ReflectWithoutVary {
                set(&mut response, "vary", "Origin");
            }
            if preflight {
                let echo = |name: &str| {
                    headers
                        .get(name)
                        .and_then(|v| v.to_str().ok())
                        .unwrap_or_default()
                        .to_string()
                };
                if planted == Planted::ReflectAllowLists {
                    let method = echo("access-control-request-method");
                    let request_headers = echo("access-control-request-headers");
                    set(&mut response, "access-control-allow-methods", &method);
                    set(
                        &mut response,
                        "access-control-allow-headers",
                        &request_headers,
                    );
                } else {
                    set(
                        &mut response,
                        "access-control-allow-methods",
                        "GET, POST, PUT, DELETE",
                    );
                    set(
                        &mut response,
                        "access-control-allow-headers",
                        "Content-Type, Authorization",
                    );
                }
            }
        }
    }
    response
}

/// The estate's router: every request goes to [`handle`]; `requests` counts them.
pub fn router(estate: Estate, requests: Arc<AtomicU64>) -> Router {
    Router::new()
        .fallback(handle)
        .with_state(Served { estate, requests })
}

/// A test certificate authority and one certificate per endpoint host,
/// signed by it and chosen by SNI.
#[derive(Debug)]
pub struct EstateTls {
    /// The authority's certificate, PEM: what clients trust (`--cacert`).
    pub ca_pem: String,
    pub config: Arc<ServerConfig>,
}

/// Certificates for endpoints `0..size` (one shared key pair).
pub fn tls(size: usize) -> Result<EstateTls, LabError> {
    let ca_key = rcgen::KeyPair::generate().map_err(LabError::Certificate)?;
    let mut ca_params =
        rcgen::CertificateParams::new(Vec::<String>::new()).map_err(LabError::Certificate)?;
    ca_params.is_ca = rcgen::IsCa::Ca(rcgen::BasicConstraints::Unconstrained);
    ca_params
        .distinguished_name
        .push(rcgen::DnType::CommonName, "cors-doctor estate test CA");
    let ca = ca_params
        .self_signed(&ca_key)
        .map_err(LabError::Certificate)?;
    let leaf_key = rcgen::KeyPair::generate().map_err(LabError::Certificate)?;
    let key_der = PrivateKeyDer::Pkcs8(PrivatePkcs8KeyDer::from(leaf_key.serialize_der()));
    let signing_key =
        rustls::crypto::ring::sign::any_supported_type(&key_der).map_err(LabError::Tls)?;
    let mut resolver = ResolvesServerCertUsingSni::new();
    for i in 0..size {
        let name = host(i);
        let params =
            rcgen::CertificateParams::new(vec![name.clone()]).map_err(LabError::Certificate)?;
        let leaf = params
            .signed_by(&leaf_key, &ca, &ca_key)
            .map_err(LabError::Certificate)?;
        let chain = vec![
            CertificateDer::from(leaf.der().to_vec()),
            CertificateDer::from(ca.der().to_vec()),
        ];
        resolver
            .add(&name, CertifiedKey::new(chain, signing_key.clone()))
            .map_err(LabError::Tls)?;
    }
    let mut config =
        ServerConfig::builder_with_provider(Arc::new(rustls::crypto::ring::default_provider()))
            .with_safe_default_protocol_versions()
            .map_err(LabError::Tls)?
            .with_no_client_auth()
            .with_cert_resolver(Arc::new(resolver));
    config.alpn_protocols = vec![b"h2".to_vec(), b"http/1.1".to_vec()];
    Ok(EstateTls {
        ca_pem: ca.pem(),
        config: Arc::new(config),
    })
}

/// Serves the estate on `listener` (TLS when `tls` is given) until
/// `shutdown`, counting requests in `requests` (shared by every listener).
pub async fn serve(
    listener: tokio::net::TcpListener,
    tls: Option<Arc<ServerConfig>>,
    estate: Estate,
    requests: Arc<AtomicU64>,
    shutdown: impl Future<Output = ()> + Send + 'static,
) -> std::io::Result<()> {
    let acceptor = tls.map(tokio_rustls::TlsAcceptor::from);
    crate::server::run(listener, acceptor, router(estate, requests), shutdown).await
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn mistakes_accept_what_they_should() {
        let estate = Estate {
            size: 100,
            hang_every: None,
            reflecting: false,
        };
        let i = 6;
        assert_eq!(estate.planted(i).0, Planted::Prefix);
        let trusted = "https://www.s6.test";
        assert!(accepts(
            Planted::Prefix,
            i,
            trusted,
            "https://www.s6.test.evil.example"
        ));
        assert!(!accepts(
            Planted::Prefix,
            i,
            trusted,
            "https://evil.example"
        ));
        assert!(accepts(
            Planted::UnescapedDot(0),
            i,
            trusted,
            "https://wwwxs6.test"
        ));
        assert!(!accepts(
            Planted::UnescapedDot(0),
            i,
            trusted,
            "https://www.s6xtest"
        ));
        assert!(accepts(
            Planted::UnescapedDot(1),
            i,
            trusted,
            "https://www.s6xtest"
        ));
        assert!(accepts(
            Planted::Substring,
            i,
            trusted,
            "https://www.s6.tes"
        ));
        assert!(!accepts(Planted::Substring, i, trusted, "https://s6.test"));
        assert!(accepts(Planted::Parent, i, trusted, "https://s6.test"));
        assert!(accepts(
            Planted::SuffixSite,
            i,
            trusted,
            "https://evils6.test"
        ));
        assert!(!accepts(
            Planted::SuffixHost,
            i,
            trusted,
            "https://evils6.test"
        ));
        assert!(accepts(
            Planted::SuffixHost,
            i,
            trusted,
            "https://evilwww.s6.test"
        ));
        assert!(accepts(
            Planted::SpecialCharacters,
            i,
            trusted,
            "https://www.s6.test_.evil"
        ));
        assert!(!accepts(
            Planted::SpecialCharacters,
            i,
            trusted,
            "https://www.s6.test.evil"
        ));
        assert!(accepts(
            Planted::ThirdPartyList(0),
            i,
            trusted,
            "https://x.github.io"
        ));
        assert!(accepts(
            Planted::ThirdPartyList(1),
            i,
            trusted,
            "https://codepen.io"
        ));
        assert!(!accepts(
            Planted::SafeExact,
            i,
            trusted,
            "http://www.s6.test"
        ));
    }

    #[test]
    fn addresses_are_distinct_loopback() {
        let all: std::collections::HashSet<Ipv4Addr> = (0..20_000).map(address).collect();
        assert_eq!(all.len(), 20_000);
        assert!(all.iter().all(|a| a.is_loopback()));
    }

    #[test]
    fn every_twentieth_hangs_when_asked() {
        let estate = Estate {
            size: 100,
            hang_every: Some(20),
            reflecting: false,
        };
        let hanging = (0..100)
            .filter(|i| estate.planted(*i).0 == Planted::Hang)
            .count();
        assert_eq!(hanging, 5);
    }
}
