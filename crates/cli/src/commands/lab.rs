//! `cors-doctor lab`: serves the misconfigured lab API until Ctrl-C.

use crate::cli::LabArgs;
use crate::exit::{self, Failure};
use crate::output::Output;
use std::net::SocketAddr;

pub fn run(args: &LabArgs, out: &mut Output) -> Result<u8, Failure> {
    if let Some(size) = args.estate {
        return crate::commands::lab_estate::run(args, size as usize, out);
    }
    let addr: SocketAddr = args.listen.parse().map_err(|_| {
        Failure::usage(format!(
            "--listen `{}` is not ADDR:PORT (e.g. 127.0.0.1:8787)",
            args.listen
        ))
    })?;
    if !addr.ip().is_loopback() && !args.allow_remote {
        return Err(Failure::usage(format!(
            "refusing to serve the deliberately insecure lab on {addr}"
        ))
        .with_hint(
            "use a loopback address (127.0.0.1, ::1), or pass --allow-remote if you really mean it",
        ));
    }
    let runtime = crate::runtime()?;
    runtime.block_on(async {
        let listener = tokio::net::TcpListener::bind(addr)
            .await
            .map_err(|e| Failure { code: exit::USAGE, message: format!("cannot listen on {addr}: {e}"), hint: Some("is another program using that port? try --listen 127.0.0.1:0".into()) })?;
        let local = listener.local_addr().map_err(|e| Failure::usage(e.to_string()))?;
        let scheme = if args.tls { "https" } else { "http" };
        let base = format!("{scheme}://{local}");
        let shutdown = async {
            let _ = tokio::signal::ctrl_c().await;
        };
        let mut banner = format!("cors-doctor lab listening on {base}\n  index: {base}/  (JSON: {base}/index.json)\n  the lab expects pages from {}\n", cors_lab::LAB_ORIGIN);
        if args.tls {
            let names = ["localhost", "127.0.0.1"];
            let tls = cors_lab::self_signed(&names).map_err(|e| Failure::usage(e.to_string()))?;
            let path = std::env::temp_dir().join(format!("cors-doctor-lab-{}.pem", local.port()));
            std::fs::write(&path, &tls.cert_pem).map_err(|e| Failure::usage(format!("cannot write {}: {e}", path.display())))?;
            banner.push_str(&format!("  certificate: {} (use --cacert with check)\n", path.display()));
            out.print(&format!("{banner}  try: cors-doctor check {base}/trailing-slash --origin {} --cacert {}\nPress Ctrl-C to stop.\n", cors_lab::LAB_ORIGIN, path.display()));
            cors_lab::serve_tls(listener, tls, shutdown).await.map_err(|e| Failure::usage(e.to_string()))?;
        } else {
            out.print(&format!("{banner}  note: Safari blocks an https page's requests to http://127.0.0.1 as mixed content before any CORS check; serve the lab with --tls to see Safari's CORS lessons too\n  try: cors-doctor check {base}/trailing-slash --origin {}\nPress Ctrl-C to stop.\n", cors_lab::LAB_ORIGIN));
            cors_lab::serve(listener, shutdown).await.map_err(|e| Failure::usage(e.to_string()))?;
        }
        Ok(exit::OK)
    })
}
