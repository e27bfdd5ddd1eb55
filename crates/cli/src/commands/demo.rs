//! `cors-doctor demo`: starts the lab in-process on an ephemeral loopback
//! port, checks every endpoint and prints the reports and a summary table.
//!
//! The lab is served over HTTPS with a throw-away certificate: the demo plays
//! an https page, and an https page calling an http loopback server is mixed
//! content in WebKit, which would hide every lesson behind that one.

use crate::cli::{CredentialsArg, DemoArgs, ModeArg, RequestArgs};
use crate::commands::check::{build_request, execute, exit_code, Prepared};
use crate::exit::{self, Failure};
use crate::output::Output;
use cors_engine::{Browser, Origin, Verdict};
use cors_probe::{CheckRequest, TransportOptions};
use cors_report::{render_check, CurlOptions};
use url::Url;

pub fn run(args: &DemoArgs, out: &mut Output) -> Result<u8, Failure> {
    let runtime = crate::runtime()?;
    runtime.block_on(async {
        let listener = tokio::net::TcpListener::bind("127.0.0.1:0")
            .await
            .map_err(|e| Failure::usage(format!("cannot start the lab on loopback: {e}")))?;
        let addr = listener
            .local_addr()
            .map_err(|e| Failure::usage(e.to_string()))?;
        let tls = cors_lab::self_signed(&["127.0.0.1", "localhost"])
            .map_err(|e| Failure::usage(format!("cannot make the lab's certificate: {e}")))?;
        let cacert = certificate_file(&tls.cert_pem)?;
        let (stop, stopped) = tokio::sync::oneshot::channel::<()>();
        let server = tokio::spawn(cors_lab::serve_tls(listener, tls, async {
            let _ = stopped.await;
        }));
        let base = format!("https://{addr}");
        let palette = out.palette();
        let mut rows = Vec::new();
        let mut surprises = 0;
        for endpoint in cors_lab::endpoints() {
            if args
                .only
                .as_deref()
                .is_some_and(|only| !endpoint.path.contains(only))
            {
                continue;
            }
            let url = Url::parse(&format!("{base}{}", endpoint.path))
                .map_err(|e| Failure::usage(e.to_string()))?;
            let origin =
                Origin::parse(endpoint.origin).map_err(|e| Failure::usage(e.to_string()))?;
            let page = Url::parse(&format!("{}/", endpoint.origin))
                .map_err(|e| Failure::usage(e.to_string()))?;
            let request_args = RequestArgs {
                method: Some(endpoint.method.to_string()),
                headers: endpoint
                    .headers
                    .iter()
                    .map(|(n, v)| format!("{n}: {v}"))
                    .collect(),
                body: None,
                credentials: match endpoint.credentials {
                    "include" => CredentialsArg::Include,
                    "omit" => CredentialsArg::Omit,
                    _ => CredentialsArg::SameOrigin,
                },
                mode: ModeArg::Cors,
                initiator: "fetch".to_string(),
                upload_listener: false,
                page_address_space: None,
                target_address_space: None,
            };
            let (request, body) = build_request(page, origin, url, &request_args)?;
            let prepared = Prepared {
                check: CheckRequest {
                    request,
                    body,
                    browsers: Browser::ALL.to_vec(),
                    probe_second_origin: true,
                },
                transport: TransportOptions {
                    ca_cert: Some(cacert.path().to_path_buf()),
                    ..TransportOptions::default()
                },
                curl: CurlOptions::default(),
            };
            let report = execute(&prepared).await?;
            let allowed_everywhere = report.all_allowed();
            if allowed_everywhere != endpoint.healthy {
                surprises += 1;
            }
            if !args.summary {
                out.print(&format!(
                    "{}\n{}\n$ {} --cacert {}\n\n",
                    palette.heading(&format!("━━ {} — {}", endpoint.path, endpoint.title)),
                    endpoint.problem,
                    cors_lab::check_command(&base, endpoint),
                    cacert.path().display()
                ));
                out.print(&render_check(&report, &palette, &prepared.curl));
                out.print("\n");
            }
            let cell = |b: Browser| match report.outcome.get(b).map(|o| o.verdict) {
                Some(Verdict::Allowed) => "allowed",
                Some(Verdict::Blocked) => "blocked",
                Some(Verdict::Opaque) => "opaque",
                _ => "no answer",
            };
            let main =
                cors_report::findings::merge(&report.outcome, &report.cross_request_findings)
                    .first()
                    .map(|f| f.id.slug())
                    .unwrap_or("-");
            rows.push(format!(
                "{:<28} {:<8} {:<8} {:<8} {}{}",
                endpoint.path,
                cell(Browser::Chromium),
                cell(Browser::Firefox),
                cell(Browser::WebKit),
                main,
                if exit_code(&report) == exit::UNREACHABLE {
                    "  (unreachable!)"
                } else {
                    ""
                }
            ));
        }
        let _ = stop.send(());
        let _ = server.await;
        out.print(&format!(
            "{}\n{:<28} {:<8} {:<8} {:<8} {}\n{}\n",
            palette.heading("Summary"),
            "endpoint",
            "chromium",
            "firefox",
            "webkit",
            "first finding",
            rows.join("\n")
        ));
        if surprises > 0 {
            out.error(
                &format!("{surprises} endpoint(s) did not behave as the lab declares"),
                None,
            );
            return Ok(exit::BLOCKED);
        }
        out.print(&format!(
            "Every endpoint behaved as the lab declares ({} checked).\n",
            rows.len()
        ));
        Ok(exit::OK)
    })
}

/// The lab's certificate in a temporary file for `--cacert`, removed when dropped.
fn certificate_file(pem: &str) -> Result<tempfile::NamedTempFile, Failure> {
    let failed = |e: std::io::Error| {
        Failure::usage(format!(
            "cannot write the lab's certificate to a temporary file: {e}"
        ))
    };
    let mut file = tempfile::Builder::new()
        .prefix("cors-doctor-demo-")
        .suffix(".pem")
        .tempfile()
        .map_err(failed)?;
    std::io::Write::write_all(&mut file, pem.as_bytes()).map_err(failed)?;
    Ok(file)
}
