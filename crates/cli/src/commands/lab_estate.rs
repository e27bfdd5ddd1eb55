//! `cors-doctor lab --estate N`: serves the estate of planted mistakes
//! (`cors_lab::estate`) until Ctrl-C, and writes what `audit` and the other
//! scanners need to be measured on it: the target lists, the truth, the
//! host names' addresses and the test CA.

use crate::cli::LabArgs;
use crate::exit::{self, Failure};
use crate::output::Output;
use cors_lab::estate::{self, Estate};
use serde_json::json;
use std::fmt::Write as _;
use std::net::SocketAddr;
use std::path::Path;

fn write(dir: &Path, name: &str, text: &str) -> Result<(), Failure> {
    let path = dir.join(name);
    std::fs::write(&path, text).map_err(|e| Failure {
        code: exit::OUTPUT,
        message: format!("cannot write {}: {e}", path.display()),
        hint: None,
    })
}

fn cannot_listen(addr: SocketAddr, e: &std::io::Error) -> Failure {
    Failure::usage(format!("cannot listen on {addr}: {e}")).with_hint(
        "--estate-hosts binds 127.2.x.y on ports 443 and 80: run as root, or serve one --listen address without it",
    )
}

pub fn run(args: &LabArgs, size: usize, out: &mut Output) -> Result<u8, Failure> {
    if size == 0 {
        return Err(Failure::usage("--estate must be at least 1"));
    }
    let estate = Estate {
        size,
        hang_every: args.estate_hang_every,
        reflecting: args.estate_reflecting,
    };
    let runtime = crate::runtime()?;
    runtime.block_on(async {
        let (stop, stopped) = tokio::sync::watch::channel(false);
        let shutdown = move || {
            let mut stopped = stopped.clone();
            async move {
                let _ = stopped.changed().await;
            }
        };
        let requests = std::sync::Arc::new(std::sync::atomic::AtomicU64::new(0));
        let mut urls = Vec::with_capacity(size);
        let mut ca_pem = None;
        if args.estate_hosts {
            let tls = estate::tls(size).map_err(|e| Failure::usage(e.to_string()))?;
            for i in 0..size {
                let http = estate.planted(i).1;
                let addr = SocketAddr::new(estate::address(i).into(), if http { 80 } else { 443 });
                let listener = tokio::net::TcpListener::bind(addr)
                    .await
                    .map_err(|e| cannot_listen(addr, &e))?;
                let config = (!http).then(|| tls.config.clone());
                tokio::spawn(estate::serve(
                    listener,
                    config,
                    estate,
                    requests.clone(),
                    shutdown(),
                ));
                let scheme = if http { "http" } else { "https" };
                urls.push(format!("{scheme}://{}/api", estate::host(i)));
            }
            ca_pem = Some(tls.ca_pem);
        } else {
            let addr: SocketAddr = args.listen.parse().map_err(|_| {
                Failure::usage(format!("--listen `{}` is not ADDR:PORT", args.listen))
            })?;
            if !addr.ip().is_loopback() {
                return Err(Failure::usage(format!(
                    "refusing to serve the estate on {addr}: use a loopback address"
                )));
            }
            let listener = tokio::net::TcpListener::bind(addr)
                .await
                .map_err(|e| cannot_listen(addr, &e))?;
            let local = listener
                .local_addr()
                .map_err(|e| Failure::usage(e.to_string()))?;
            tokio::spawn(estate::serve(
                listener,
                None,
                estate,
                requests.clone(),
                shutdown(),
            ));
            urls.extend((0..size).map(|i| format!("http://{local}/s{i}/api")));
        }
        if let Some(dir) = &args.estate_dir {
            std::fs::create_dir_all(dir)
                .map_err(|e| Failure::usage(format!("cannot create {}: {e}", dir.display())))?;
            let mut targets = String::new();
            let mut ndjson = String::new();
            let mut hosts = String::new();
            let mut truth = Vec::with_capacity(size);
            for (i, url) in urls.iter().enumerate() {
                let scheme = if estate.planted(i).1 { "http" } else { "https" };
                let origin = format!("{scheme}://{}", estate::host(i));
                let _ = writeln!(targets, "{url}");
                let _ = writeln!(ndjson, "{}", json!({"url": url, "origin": origin}));
                let _ = writeln!(hosts, "{} {}", estate::address(i), estate::host(i));
                truth.push(
                    json!({"url": url, "class": estate.class_of(i), "planted": estate.describe(i)}),
                );
            }
            write(dir, "targets.txt", &targets)?;
            write(dir, "targets.ndjson", &ndjson)?;
            write(
                dir,
                "truth.json",
                &serde_json::Value::Array(truth).to_string(),
            )?;
            if let Some(pem) = &ca_pem {
                write(dir, "hosts", &hosts)?;
                write(dir, "ca.pem", pem)?;
            }
        }
        out.print(&format!(
            "cors-doctor estate: {size} endpoints, e.g. {}\nPress Ctrl-C to stop.\n",
            urls.first().map_or("", String::as_str)
        ));
        let _ = tokio::signal::ctrl_c().await;
        let _ = stop.send(true);
        Ok(exit::OK)
    })
}
