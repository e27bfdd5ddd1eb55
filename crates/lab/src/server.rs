//! The accept loop shared by `serve` and `serve_tls`: one hyper-util "auto"
//! connection (HTTP/1.1 or HTTP/2) per accepted socket, optionally behind a
//! TLS handshake, with graceful shutdown.
//!
//! HTTP/1.1 header names are written in Title-Case, as most real servers
//! write them, so the lab's transcripts look like the servers it imitates.

use std::future::Future;
use std::io;
use std::time::Duration;

use axum::Router;
use hyper_util::rt::{TokioExecutor, TokioIo};
use hyper_util::server::conn::auto;
use hyper_util::server::graceful::{GracefulShutdown, Watcher};
use hyper_util::service::TowerToHyperService;
use tokio::io::{AsyncRead, AsyncWrite};
use tokio::net::TcpListener;
use tokio_rustls::TlsAcceptor;

/// How long a client may take to finish the TLS handshake.
const HANDSHAKE_TIMEOUT: Duration = Duration::from_secs(10);
/// How long shutdown waits for in-flight requests (e.g. `/hostile/slow`).
const DRAIN_TIMEOUT: Duration = Duration::from_secs(5);
/// Pause after a failed `accept` (e.g. out of file descriptors) before retrying.
const ACCEPT_BACKOFF: Duration = Duration::from_millis(50);

/// Serves `router` on `listener` until `shutdown` completes, then stops
/// accepting and gives open connections [`DRAIN_TIMEOUT`] to finish.
pub(crate) async fn run(
    listener: TcpListener,
    tls: Option<TlsAcceptor>,
    router: Router,
    shutdown: impl Future<Output = ()> + Send + 'static,
) -> io::Result<()> {
    let graceful = GracefulShutdown::new();
    let mut shutdown = std::pin::pin!(shutdown);
    loop {
        let stream = tokio::select! {
            () = &mut shutdown => break,
            accepted = listener.accept() => match accepted {
                Ok((stream, _peer)) => stream,
                Err(_) => {
                    tokio::time::sleep(ACCEPT_BACKOFF).await;
                    continue;
                }
            },
        };
        // Small responses, often in several TLS records or HTTP/2 frames:
        // without this, Nagle's algorithm and the client's delayed ACK add
        // ~40 ms to some exchanges (measured with bench/check_vs_curl.sh).
        let _ = stream.set_nodelay(true);
        let watcher = graceful.watcher();
        let router = router.clone();
        let tls = tls.clone();
        tokio::spawn(async move {
            match tls {
                None => serve_connection(stream, router, watcher).await,
                Some(acceptor) => {
                    let handshake =
                        tokio::time::timeout(HANDSHAKE_TIMEOUT, acceptor.accept(stream));
                    if let Ok(Ok(stream)) = handshake.await {
                        serve_connection(stream, router, watcher).await;
                    }
                }
            }
        });
    }
    drop(listener);
    // Connections still busy after the drain timeout are abandoned; they end
    // with the runtime.
    let _ = tokio::time::timeout(DRAIN_TIMEOUT, graceful.shutdown()).await;
    Ok(())
}

/// Serves one connection, speaking whichever HTTP version the client chose
/// (ALPN over TLS, or the HTTP/2 preface in clear text).
async fn serve_connection<I>(io: I, router: Router, watcher: Watcher)
where
    I: AsyncRead + AsyncWrite + Unpin + Send + 'static,
{
    let mut builder = auto::Builder::new(TokioExecutor::new());
    builder.http1().title_case_headers(true);
    let connection = builder.serve_connection(TokioIo::new(io), TowerToHyperService::new(router));
    // A client that resets the connection is not the lab's problem.
    let _ = watcher.watch(connection).await;
}
