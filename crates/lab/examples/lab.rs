//! Runs the lab by hand until Ctrl-C, before (or without) the CLI:
//! `cargo run -p cors-lab --example lab -- [PORT] [--tls]`.
//!
//! Binds loopback only. With `--tls` it serves HTTPS with a fresh
//! self-signed certificate for `localhost` and `127.0.0.1`.

// An example program's job is to tell the user where the lab is.
#![allow(clippy::print_stdout)]

use std::error::Error;

#[tokio::main]
async fn main() -> Result<(), Box<dyn Error>> {
    let mut port = 0u16;
    let mut tls = false;
    for argument in std::env::args().skip(1) {
        match argument.as_str() {
            "--tls" => tls = true,
            other => port = other.parse()?,
        }
    }
    let listener = tokio::net::TcpListener::bind(("127.0.0.1", port)).await?;
    let addr = listener.local_addr()?;
    let shutdown = async {
        let _ = tokio::signal::ctrl_c().await;
    };
    if tls {
        println!("cors-doctor lab on https://{addr}/ (self-signed certificate)");
        let material = cors_lab::self_signed(&["localhost", "127.0.0.1"])?;
        cors_lab::serve_tls(listener, material, shutdown).await?;
    } else {
        println!("cors-doctor lab on http://{addr}/");
        cors_lab::serve(listener, shutdown).await?;
    }
    Ok(())
}
