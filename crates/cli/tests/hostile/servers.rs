//! Hostile servers on 127.0.0.1, one misbehaviour each, a thread per
//! connection for the test binary's life. Each misbehaviour answers every
//! request the same way, so `check`, `scan` and `explain --probe` all meet it.

use std::io::{Read, Write};
use std::net::{SocketAddr, TcpListener, TcpStream};
use std::sync::Arc;
use std::time::Duration;

/// What a hostile server does with each connection.
#[derive(Clone, Copy, Debug)]
pub enum Misbehaviour {
    /// Accepts and never answers.
    Silent,
    /// Closes with the request unread: the kernel answers with a reset.
    Reset,
    /// Reads the request, then closes without a byte.
    CloseEmpty,
    /// Sends part of the headers, then closes.
    CloseMidHeaders,
    /// Answers something that is not HTTP.
    Garbage,
    /// Answers 200 with 150 header lines (browsers read them all).
    ManyHeaders,
    /// 100,000 header lines (1.8 MB): more than any browser reads.
    HundredThousandHeaders,
    /// One header line of 1 MiB.
    MegabyteHeader,
    /// Good headers (allowing any origin), then a body shorter than its
    /// Content-Length.
    ShortBody,
    /// The status line, then one byte of headers every 100 ms, forever.
    SlowDrip,
    /// Good headers (allowing any origin), then a body that never ends.
    EndlessBody,
    /// `Content-Encoding: gzip` over 64 KiB that inflate to 64 MiB.
    GzipBomb,
    /// `302` to itself, forever (with `Access-Control-Allow-Origin: *`).
    RedirectLoop,
    /// `/` → `/hop/1` → … → `/hop/N`, then 200 (all allowing any origin).
    RedirectChain(u32),
}

/// Serves `misbehaviour` on 127.0.0.1:0.
pub fn hostile(misbehaviour: Misbehaviour) -> SocketAddr {
    let bomb = matches!(misbehaviour, Misbehaviour::GzipBomb).then(gzip_bomb);
    let bomb = Arc::new(bomb.unwrap_or_default());
    serve(move |stream| answer(misbehaviour, stream, &bomb))
}

/// Accepts on 127.0.0.1:0 and runs `handle` on each connection in its own thread.
fn serve(handle: impl Fn(TcpStream) + Send + Sync + 'static) -> SocketAddr {
    let listener = TcpListener::bind("127.0.0.1:0").unwrap();
    let addr = listener.local_addr().unwrap();
    let handle = Arc::new(handle);
    std::thread::spawn(move || {
        for stream in listener.incoming() {
            let Ok(stream) = stream else { continue };
            let handle = handle.clone();
            std::thread::spawn(move || handle(stream));
        }
    });
    addr
}

fn answer(misbehaviour: Misbehaviour, mut stream: TcpStream, bomb: &[u8]) {
    use Misbehaviour::*;
    // The chain reads the request itself, for its path.
    if !matches!(misbehaviour, Reset | Silent | RedirectChain(_)) {
        read_head(&mut stream);
    }
    respond(misbehaviour, stream, bomb);
}

/// Misbehaves on `stream`, whose request head is read (the redirect chain
/// reads it itself). `bomb` is the gzip bomb's body when that is the
/// misbehaviour.
pub fn respond(misbehaviour: Misbehaviour, mut stream: TcpStream, bomb: &[u8]) {
    use Misbehaviour::*;
    let _ = match misbehaviour {
        // Held open until the client gives up.
        Silent => {
            let mut sink = [0u8; 1024];
            while matches!(stream.read(&mut sink), Ok(n) if n > 0) {}
            Ok(())
        }
        Reset => {
            // Let the request arrive, then close without reading it.
            std::thread::sleep(Duration::from_millis(50));
            Ok(())
        }
        CloseEmpty => Ok(()),
        CloseMidHeaders => stream
            .write_all(b"HTTP/1.1 200 OK\r\nAccess-Control-Allow-Origin: *\r\nX-Cut-Off: hal"),
        Garbage => stream.write_all(b"\x00\x01 this is not HTTP at all\r\n\r\n"),
        ManyHeaders => stream.write_all(&filler_head(150, 0)),
        HundredThousandHeaders => stream.write_all(&filler_head(100_000, 0)),
        MegabyteHeader => stream.write_all(&filler_head(1, 1024 * 1024)),
        ShortBody => stream.write_all(
            b"HTTP/1.1 200 OK\r\nContent-Length: 100\r\nAccess-Control-Allow-Origin: *\r\n\r\nonly ten b",
        ),
        SlowDrip => {
            let _ = stream.write_all(b"HTTP/1.1 200 OK\r\n");
            while stream.write_all(b"X").is_ok() {
                std::thread::sleep(Duration::from_millis(100));
            }
            Ok(())
        }
        EndlessBody => {
            let _ = stream.write_all(
                b"HTTP/1.1 200 OK\r\nAccess-Control-Allow-Origin: *\r\nContent-Type: text/plain\r\n\r\n",
            );
            let chunk = [b'a'; 64 * 1024];
            while stream.write_all(&chunk).is_ok() {}
            Ok(())
        }
        GzipBomb => {
            let head = format!("HTTP/1.1 200 OK\r\nAccess-Control-Allow-Origin: *\r\nContent-Type: text/plain\r\nContent-Encoding: gzip\r\nContent-Length: {}\r\nConnection: close\r\n\r\n", bomb.len());
            stream
                .write_all(head.as_bytes())
                .and_then(|()| stream.write_all(bomb))
        }
        RedirectLoop => stream.write_all(
            b"HTTP/1.1 302 Found\r\nLocation: /loop\r\nAccess-Control-Allow-Origin: *\r\nContent-Length: 0\r\nConnection: close\r\n\r\n",
        ),
        RedirectChain(hops) => {
            let reply = match next_hop(&mut stream, hops) {
                Some(next) => format!("HTTP/1.1 302 Found\r\nLocation: /hop/{next}\r\nAccess-Control-Allow-Origin: *\r\nContent-Length: 0\r\nConnection: close\r\n\r\n"),
                None => "HTTP/1.1 200 OK\r\nAccess-Control-Allow-Origin: *\r\nContent-Length: 2\r\nConnection: close\r\n\r\nok".to_string(),
            };
            stream.write_all(reply.as_bytes())
        }
    };
}

/// The hop after the one requested (`/hop/K`, `/` is hop 0), or `None` at the end.
fn next_hop(stream: &mut TcpStream, hops: u32) -> Option<u32> {
    let head = stream_head(stream);
    let path = head.split(' ').nth(1).unwrap_or("/");
    let at: u32 = path
        .strip_prefix("/hop/")
        .and_then(|k| k.parse().ok())
        .unwrap_or(0);
    (at < hops).then_some(at + 1)
}

/// A 200 head with `lines` filler header lines of `value_bytes` each
/// (their number when 0), allowing any origin.
fn filler_head(lines: usize, value_bytes: usize) -> Vec<u8> {
    let mut head =
        b"HTTP/1.1 200 OK\r\nContent-Length: 0\r\nAccess-Control-Allow-Origin: *\r\n".to_vec();
    for i in 0..lines {
        if value_bytes == 0 {
            head.extend_from_slice(format!("X-Filler-{i}: {i}\r\n").as_bytes());
        } else {
            head.extend_from_slice(format!("X-Filler-{i}: ").as_bytes());
            head.extend(std::iter::repeat_n(b'h', value_bytes));
            head.extend_from_slice(b"\r\n");
        }
    }
    head.extend_from_slice(b"\r\n");
    head
}

/// 64 MiB of zeros through the system's `gzip` (Debian: essential).
fn gzip_bomb() -> Vec<u8> {
    use std::process::{Command, Stdio};
    let mut gzip = Command::new("gzip")
        .arg("-c")
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .spawn()
        .expect("the gzip command (Debian's essential gzip package)");
    let mut input = gzip.stdin.take().unwrap();
    let writer = std::thread::spawn(move || {
        let zeros = vec![0u8; 1024 * 1024];
        for _ in 0..64 {
            input.write_all(&zeros).unwrap();
        }
    });
    let out = gzip.wait_with_output().unwrap();
    writer.join().unwrap();
    assert!(out.status.success() && out.stdout.len() < 1024 * 1024);
    out.stdout
}

/// Reads up to the end of the request's head (or 2 s, or the close).
fn read_head(stream: &mut TcpStream) {
    stream_head(stream);
}

pub fn stream_head(stream: &mut TcpStream) -> String {
    let _ = stream.set_read_timeout(Some(Duration::from_secs(2)));
    let mut seen = Vec::new();
    let mut buf = [0u8; 4096];
    while !seen.windows(4).any(|w| w == b"\r\n\r\n") {
        match stream.read(&mut buf) {
            Ok(0) | Err(_) => break,
            Ok(n) => seen.extend_from_slice(&buf[..n]),
        }
    }
    String::from_utf8_lossy(&seen).into_owned()
}

/// A TLS server (rustls, ring) with `cert_pem`/`key_pem` that offers only
/// the ALPN protocols `alpn`, and answers 200 allowing any origin once the
/// handshake completes.
pub fn tls(cert_pem: &str, key_pem: &str, alpn: &[&[u8]]) -> SocketAddr {
    use rustls::pki_types::pem::PemObject;
    use rustls::pki_types::{CertificateDer, PrivateKeyDer};
    let chain = CertificateDer::pem_slice_iter(cert_pem.as_bytes())
        .collect::<Result<Vec<_>, _>>()
        .unwrap();
    let key = PrivateKeyDer::from_pem_slice(key_pem.as_bytes()).unwrap();
    let mut config = rustls::ServerConfig::builder_with_provider(Arc::new(
        rustls::crypto::ring::default_provider(),
    ))
    .with_safe_default_protocol_versions()
    .unwrap()
    .with_no_client_auth()
    .with_single_cert(chain, key)
    .unwrap();
    config.alpn_protocols = alpn.iter().map(|p| p.to_vec()).collect();
    let config = Arc::new(config);
    serve(move |tcp| {
        let _ = tcp.set_read_timeout(Some(Duration::from_secs(5)));
        let Ok(conn) = rustls::ServerConnection::new(config.clone()) else {
            return;
        };
        let mut tls = rustls::StreamOwned::new(conn, tcp);
        let mut buf = [0u8; 4096];
        // The handshake runs inside the first read; a refused one ends here.
        if matches!(tls.read(&mut buf), Ok(n) if n > 0) {
            let _ = tls.write_all(b"HTTP/1.1 200 OK\r\nAccess-Control-Allow-Origin: *\r\nContent-Length: 0\r\nConnection: close\r\n\r\n");
            tls.conn.send_close_notify();
            let _ = tls.flush();
        }
    })
}
