//! Test support: start the lab on a loopback port, stop it, and talk to it
//! either with reqwest or with raw HTTP/1.1 bytes (to see header lines
//! exactly as they are written on the wire).

// Test helpers: a failed setup step is a failed test, so panicking is right.
#![allow(clippy::unwrap_used, clippy::expect_used)]

use std::net::SocketAddr;

use tokio::io::{AsyncReadExt, AsyncWriteExt};
use tokio::net::{TcpListener, TcpStream};
use tokio::sync::oneshot;
use tokio::task::JoinHandle;

/// A running lab on `127.0.0.1:<ephemeral>`.
pub struct Lab {
    pub addr: SocketAddr,
    stop: oneshot::Sender<()>,
    task: JoinHandle<std::io::Result<()>>,
}

impl Lab {
    /// Starts the plain-HTTP lab.
    pub async fn start() -> Lab {
        let (listener, stop, shutdown) = bind().await;
        let addr = listener.local_addr().unwrap();
        let task = tokio::spawn(cors_lab::serve(listener, shutdown));
        Lab { addr, stop, task }
    }

    /// Starts the HTTPS lab with `tls`.
    pub async fn start_tls(tls: cors_lab::TlsMaterial) -> Lab {
        let (listener, stop, shutdown) = bind().await;
        let addr = listener.local_addr().unwrap();
        let task = tokio::spawn(cors_lab::serve_tls(listener, tls, shutdown));
        Lab { addr, stop, task }
    }

    /// `http://127.0.0.1:<port>`.
    pub fn base(&self) -> String {
        format!("http://{}", self.addr)
    }

    /// Signals shutdown and asserts the server returned `Ok`.
    pub async fn stop(self) {
        let _ = self.stop.send(());
        self.task.await.unwrap().unwrap();
    }
}

async fn bind() -> (
    TcpListener,
    oneshot::Sender<()>,
    impl std::future::Future<Output = ()> + Send + 'static,
) {
    let listener = TcpListener::bind("127.0.0.1:0").await.unwrap();
    let (stop, stopped) = oneshot::channel::<()>();
    let shutdown = async move {
        let _ = stopped.await;
    };
    (listener, stop, shutdown)
}

/// reqwest's builder, with ring installed as the process's TLS provider
/// (the workspace builds reqwest without one).
pub fn builder() -> reqwest::ClientBuilder {
    let _ = rustls::crypto::ring::default_provider().install_default();
    reqwest::Client::builder()
}

/// A reqwest client that never follows redirects.
pub fn client() -> reqwest::Client {
    builder()
        .redirect(reqwest::redirect::Policy::none())
        .build()
        .unwrap()
}

/// A client that trusts `tls` and resolves `localhost` to the lab at `addr`.
pub fn trusting_client(
    tls: &cors_lab::TlsMaterial,
    addr: std::net::SocketAddr,
) -> reqwest::ClientBuilder {
    let root = reqwest::Certificate::from_pem(tls.cert_pem.as_bytes()).unwrap();
    builder()
        .add_root_certificate(root)
        .resolve("localhost", addr)
        .redirect(reqwest::redirect::Policy::none())
}

/// A raw HTTP/1.1 response: status code and header lines as written.
#[derive(Debug)]
pub struct RawResponse {
    pub status: u16,
    pub lines: Vec<String>,
    pub body: Vec<u8>,
}

impl RawResponse {
    /// Header lines, minus the ones whose value depends on time or body
    /// length, and the transport's own `Connection` (`Date`, `Content-Length`,
    /// `Content-Type`, `Connection`).
    pub fn cors_lines(&self) -> Vec<&str> {
        self.lines
            .iter()
            .map(String::as_str)
            .filter(|line| {
                let name = line.split(':').next().unwrap_or("").to_ascii_lowercase();
                !matches!(
                    name.as_str(),
                    "date" | "content-length" | "content-type" | "connection"
                )
            })
            .collect()
    }
}

/// Sends `method path` with `headers` over a fresh connection
/// (`Connection: close`) and reads the whole response.
pub async fn raw(
    addr: SocketAddr,
    method: &str,
    path: &str,
    headers: &[(&str, &str)],
) -> RawResponse {
    let mut request = format!("{method} {path} HTTP/1.1\r\nHost: {addr}\r\nConnection: close\r\n");
    for (name, value) in headers {
        request.push_str(&format!("{name}: {value}\r\n"));
    }
    request.push_str("\r\n");
    let mut stream = TcpStream::connect(addr).await.unwrap();
    stream.write_all(request.as_bytes()).await.unwrap();
    let mut bytes = Vec::new();
    stream.read_to_end(&mut bytes).await.unwrap();
    parse(&bytes)
}

fn parse(bytes: &[u8]) -> RawResponse {
    let split = bytes
        .windows(4)
        .position(|window| window == b"\r\n\r\n")
        .expect("end of headers");
    let head = std::str::from_utf8(&bytes[..split]).unwrap();
    let mut lines = head.split("\r\n");
    let status_line = lines.next().unwrap();
    let status = status_line.split(' ').nth(1).unwrap().parse().unwrap();
    RawResponse {
        status,
        lines: lines.map(str::to_owned).collect(),
        body: bytes[split + 4..].to_vec(),
    }
}
