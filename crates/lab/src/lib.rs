//! cors-lab: a deliberately misconfigured HTTP API on loopback, one endpoint
//! per CORS cause and variant, for `cors-doctor lab`, `cors-doctor demo` and
//! integration tests.
//!
//! Every endpoint hand-codes the behaviour of one real misconfigured server
//! (a wrong `Access-Control-Allow-Origin`, an OPTIONS route that 404s, an
//! auth middleware in front of CORS, …); nothing here implements CORS
//! generically. [`endpoints`] describes them, [`router`] serves them, and
//! [`serve`] / [`serve_tls`] run the router on a listener the caller bound.
//!
//! ```no_run
//! # async fn demo() -> std::io::Result<()> {
//! let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await?;
//! let url = format!("http://{}", listener.local_addr()?);
//! # let _ = url;
//! cors_lab::serve(listener, std::future::pending()).await
//! # }
//! ```

mod endpoints;
pub mod estate;
mod handlers;
mod hostile;
mod index;
mod server;
mod tls;

use std::future::Future;

use axum::{Extension, Router};

pub use endpoints::{endpoints, LabEndpoint};
pub use hostile::hostile_paths;
pub use index::check_command;
pub use tls::{self_signed, TlsMaterial};

/// The page origin the lab's configuration intends to allow.
pub const LAB_ORIGIN: &str = "https://app.example.com";

/// Why the lab could not be set up (never a verdict about CORS).
#[derive(Debug, thiserror::Error)]
pub enum LabError {
    /// rcgen could not generate the self-signed certificate.
    #[error("could not generate a self-signed certificate: {0}")]
    Certificate(#[source] rcgen::Error),
    /// The certificate or key PEM could not be read.
    #[error("invalid TLS PEM material: {0}")]
    Pem(String),
    /// rustls rejected the certificate or key.
    #[error("TLS configuration rejected: {0}")]
    Tls(#[source] rustls::Error),
}

/// All endpoints of [`endpoints`] (plus `/ok/simple-any` and `/login`, which
/// they redirect to), the hostile endpoints of [`hostile_paths`], the HTML
/// index at `/` and its JSON form at `/index.json`.
/// The deliberately exploitable endpoints `scan` finds: (path, what is wrong).
pub fn scan_endpoints() -> Vec<(&'static str, &'static str)> {
    handlers::VULNERABLE
        .iter()
        .map(|(path, problem, _)| (*path, *problem))
        .chain([handlers::REFLECT_ALLOW_LISTS])
        .collect()
}

pub fn router() -> Router {
    handlers::routes()
        .merge(index::routes())
        .merge(hostile::routes())
}

/// Serves [`router`] over plain HTTP (HTTP/1.1, and HTTP/2 with prior
/// knowledge) on `listener` until `shutdown` completes.
pub async fn serve(
    listener: tokio::net::TcpListener,
    shutdown: impl Future<Output = ()> + Send + 'static,
) -> std::io::Result<()> {
    server::run(listener, None, router(), shutdown).await
}

/// HTTPS with HTTP/1.1 and HTTP/2 via ALPN (tokio-rustls + hyper-util auto builder), same router.
///
/// Fails at once with [`std::io::ErrorKind::InvalidInput`] when `tls` is not
/// a usable certificate and key.
pub async fn serve_tls(
    listener: tokio::net::TcpListener,
    tls: TlsMaterial,
    shutdown: impl Future<Output = ()> + Send + 'static,
) -> std::io::Result<()> {
    let config = tls::server_config(&tls)
        .map_err(|error| std::io::Error::new(std::io::ErrorKind::InvalidInput, error))?;
    let acceptor = tokio_rustls::TlsAcceptor::from(config);
    let router = router().layer(Extension(handlers::Scheme("https")));
    server::run(listener, Some(acceptor), router, shutdown).await
}
