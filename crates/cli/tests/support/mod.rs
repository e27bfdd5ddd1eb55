//! Shared by the CLI integration tests: the lab on an ephemeral loopback port.

#![allow(dead_code, clippy::unwrap_used, clippy::expect_used)] // not every test binary uses every helper

use std::net::SocketAddr;

pub mod reports;
pub mod servers;

/// A lab served from its own thread until dropped.
pub struct Lab {
    pub addr: SocketAddr,
    stop: Option<tokio::sync::oneshot::Sender<()>>,
    thread: Option<std::thread::JoinHandle<()>>,
}

impl Drop for Lab {
    fn drop(&mut self) {
        if let Some(stop) = self.stop.take() {
            let _ = stop.send(());
        }
        if let Some(thread) = self.thread.take() {
            let _ = thread.join();
        }
    }
}

/// Starts the lab on 127.0.0.1:0, over HTTPS when `tls` is given.
pub fn start_lab(tls: Option<cors_lab::TlsMaterial>) -> Lab {
    start_lab_at(0, tls)
}

/// Starts the lab over HTTP on a given port (recordings name the port they
/// were made with); panics with a clear message when the port is taken.
pub fn start_lab_on(port: u16) -> Lab {
    start_lab_at(port, None)
}

fn start_lab_at(port: u16, tls: Option<cors_lab::TlsMaterial>) -> Lab {
    let (addr_tx, addr_rx) = std::sync::mpsc::channel();
    let (stop, stopped) = tokio::sync::oneshot::channel::<()>();
    let thread = std::thread::spawn(move || {
        let runtime = tokio::runtime::Builder::new_multi_thread()
            .worker_threads(2)
            .enable_all()
            .build()
            .unwrap();
        runtime.block_on(async move {
            let listener = tokio::net::TcpListener::bind(("127.0.0.1", port))
                .await
                .unwrap_or_else(|e| panic!("cannot serve the lab on 127.0.0.1:{port}: {e}"));
            addr_tx.send(listener.local_addr().unwrap()).unwrap();
            let shutdown = async {
                let _ = stopped.await;
            };
            match tls {
                Some(tls) => cors_lab::serve_tls(listener, tls, shutdown).await.unwrap(),
                None => cors_lab::serve(listener, shutdown).await.unwrap(),
            }
        });
    });
    Lab {
        addr: addr_rx.recv().unwrap(),
        stop: Some(stop),
        thread: Some(thread),
    }
}

/// The lab over HTTPS (a fresh self-signed certificate for 127.0.0.1 and
/// localhost) and that certificate in a file for `--cacert`. Tests that play
/// an https page use it: an https page calling an http loopback server is
/// mixed content in WebKit.
pub struct HttpsLab {
    pub lab: Lab,
    /// `https://127.0.0.1:PORT`
    pub base: String,
    /// The certificate's path, for `--cacert`.
    pub cacert: String,
    _dir: tempfile::TempDir,
}

pub fn start_https_lab() -> HttpsLab {
    let tls = cors_lab::self_signed(&["127.0.0.1", "localhost"]).unwrap();
    let dir = tempfile::tempdir().unwrap();
    let cacert = dir.path().join("lab.pem");
    std::fs::write(&cacert, &tls.cert_pem).unwrap();
    let lab = start_lab(Some(tls));
    HttpsLab {
        base: format!("https://{}", lab.addr),
        cacert: cacert.to_string_lossy().into_owned(),
        lab,
        _dir: dir,
    }
}

/// Runs `cors-doctor` with `args` and `stdin` on its standard input, without
/// colour, and waits for it.
pub fn run_with_stdin(args: &[&str], stdin: &[u8]) -> std::process::Output {
    use std::io::Write;
    use std::process::{Command, Stdio};
    let mut child = Command::new(env!("CARGO_BIN_EXE_cors-doctor"))
        .args(args)
        .env("NO_COLOR", "1")
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap();
    let mut input = child.stdin.take().unwrap();
    // The program may stop reading early (a refused input): not the test's failure.
    match input.write_all(stdin) {
        Err(e) if e.kind() != std::io::ErrorKind::BrokenPipe => panic!("writing stdin: {e}"),
        _ => {}
    }
    drop(input);
    child.wait_with_output().unwrap()
}
