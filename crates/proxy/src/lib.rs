//! `cors-doctor proxy`: a development proxy to one upstream. It forwards
//! every request faithfully (HTTP/1.1 and HTTP/2, bodies streamed both
//! ways, WebSocket upgrades and server-sent events passed through), judges
//! each cross-origin exchange with the engine as the browser that sent it,
//! and with `--fix` adds the lines the request needs — saying each time
//! what the upstream must send itself.
//!
//! Never an open proxy: requests go only to the configured upstream
//! (absolute-form and `CONNECT` requests are refused), the `Host` header
//! must name the proxy, and the listener binds loopback unless the caller
//! asks otherwise. Each connection is its own task with a bounded head,
//! a head-read timeout and an upstream timeout; the number of connections
//! is capped; bodies stream with back-pressure, so nothing grows without
//! bound.

mod event;
mod forward;
mod judge;

pub use event::{BrowserSource, Fix, PolicyVerdict, ProxyEvent};
pub use forward::REPORT_PREFIX;

use cors_config::Target;
use cors_engine::Browser;
use forward::{Forwarder, Upstream};
use hyper_util::rt::{TokioExecutor, TokioIo, TokioTimer};
use std::net::SocketAddr;
use std::path::PathBuf;
use std::sync::Arc;
use std::time::Duration;
use tokio::net::TcpListener;
use tokio::sync::{mpsc, Semaphore};
use url::Url;

/// How long a client may take to send a request's head (slowloris).
pub const HEAD_READ_TIMEOUT: Duration = Duration::from_secs(10);
/// The largest request head read from a client (hyper answers 431 above).
pub const MAX_REQUEST_HEAD_BYTES: usize = 64 * 1024;
/// Connections served at once; more wait in the kernel's backlog.
pub const MAX_CONNECTIONS: usize = 1024;

/// What `cors-doctor proxy` was asked to do.
#[derive(Clone, Debug)]
pub struct ProxyOptions {
    /// Where requests go: an origin, and a path prefix if any.
    pub upstream: Url,
    pub listen: SocketAddr,
    /// Add the lines an answer the browser blocks lacks.
    pub fix: bool,
    /// With `fix`: the rule as this server's configuration.
    pub server: Option<Target>,
    /// Judge traffic against this policy; with `fix`, fix only what it
    /// allows, with its rule's lists.
    pub policy: Option<cors_policy::Policy>,
    /// Judge every request as this browser, whatever its User-Agent.
    pub browser: Option<Browser>,
    /// How long the upstream may take to send its response head.
    pub timeout: Duration,
    /// Extra PEM roots for an `https://` upstream.
    pub ca_cert: Option<PathBuf>,
    /// Accept any certificate from the upstream.
    pub insecure: bool,
}

/// Why the proxy could not start.
#[derive(Debug, thiserror::Error)]
pub enum ProxyError {
    #[error("cannot listen on {addr}: {source}")]
    Bind {
        addr: SocketAddr,
        source: std::io::Error,
    },
    #[error("the upstream URL {0}")]
    Upstream(String),
    #[error("TLS to the upstream: {0}")]
    Tls(String),
}

/// Renders the on-demand report of one event (`/.cors-doctor/{id}`).
pub type Render = Arc<dyn Fn(&ProxyEvent) -> String + Send + Sync>;

/// A bound proxy, ready to serve.
pub struct Proxy {
    listener: TcpListener,
    forwarder: Arc<Forwarder>,
}

impl std::fmt::Debug for Proxy {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Proxy")
            .field("listener", &self.listener)
            .finish_non_exhaustive()
    }
}

impl Proxy {
    /// Binds the listener and prepares the upstream client. Events go to
    /// `events` (dropped, and counted, when its reader falls behind).
    pub async fn bind(
        options: ProxyOptions,
        render: Render,
        events: mpsc::Sender<Arc<ProxyEvent>>,
    ) -> Result<Proxy, ProxyError> {
        let upstream = Upstream::new(&options)?;
        let listener =
            TcpListener::bind(options.listen)
                .await
                .map_err(|source| ProxyError::Bind {
                    addr: options.listen,
                    source,
                })?;
        let local = listener.local_addr().map_err(|source| ProxyError::Bind {
            addr: options.listen,
            source,
        })?;
        let forwarder = Arc::new(Forwarder::new(options, local, upstream, render, events));
        Ok(Proxy {
            listener,
            forwarder,
        })
    }

    /// The address bound (the port chosen for `:0`).
    pub fn local_addr(&self) -> SocketAddr {
        self.forwarder.local
    }

    /// The proxy's own origin, as a page reaches it.
    pub fn origin(&self) -> String {
        self.forwarder.origin()
    }

    /// Serves until the task is dropped.
    pub async fn run(self) {
        let permits = Arc::new(Semaphore::new(MAX_CONNECTIONS));
        loop {
            // Waits for a free slot first: over the cap, clients queue in
            // the kernel's backlog instead of costing memory here.
            let Ok(permit) = permits.clone().acquire_owned().await else {
                return;
            };
            let (stream, _) = match self.listener.accept().await {
                Ok(accepted) => accepted,
                Err(_) => {
                    // Out of file descriptors, most likely: let some close.
                    tokio::time::sleep(Duration::from_millis(50)).await;
                    continue;
                }
            };
            let _ = stream.set_nodelay(true);
            let forwarder = self.forwarder.clone();
            tokio::spawn(async move {
                let service = hyper::service::service_fn(move |request| {
                    let forwarder = forwarder.clone();
                    async move { Ok::<_, std::convert::Infallible>(forwarder.handle(request).await) }
                });
                let mut builder =
                    hyper_util::server::conn::auto::Builder::new(TokioExecutor::new());
                builder
                    .http1()
                    .timer(TokioTimer::new())
                    .header_read_timeout(HEAD_READ_TIMEOUT)
                    .max_buf_size(MAX_REQUEST_HEAD_BYTES)
                    .preserve_header_case(true);
                builder
                    .http2()
                    .timer(TokioTimer::new())
                    .max_header_list_size(MAX_REQUEST_HEAD_BYTES as u32);
                let _ = builder
                    .serve_connection_with_upgrades(TokioIo::new(stream), service)
                    .await;
                drop(permit);
            });
        }
    }
}
