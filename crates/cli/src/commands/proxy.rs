//! `cors-doctor proxy`: wiring only — the options checked, the proxy bound
//! (`cors-proxy`), and its events printed as they come: a line each (or a
//! JSON object each), and with `--fix --server` each new rule's
//! configuration once.

use crate::cli::ProxyArgs;
use crate::commands::{config, har::browser_choice};
use crate::exit::{self, Failure};
use crate::output::Output;
use cors_proxy::{Fix, Proxy, ProxyEvent, ProxyOptions};
use cors_report::proxy::{
    proxy_event_doc, render_proxy_event, render_proxy_line, ProxyStartDoc, PROXY_SCHEMA,
};
use cors_report::Palette;
use std::collections::HashSet;
use std::net::SocketAddr;
use std::sync::Arc;
use std::time::Duration;
use url::Url;

/// Lines waiting to be printed; beyond, the proxy drops lines, not requests.
const EVENT_QUEUE: usize = 4096;
/// At most this much text per write.
const BATCH_BYTES: usize = 64 * 1024;
/// Distinct configurations printed (beyond, they are printed again).
const CONFIGS_REMEMBERED: usize = 1000;

fn options(args: &ProxyArgs) -> Result<ProxyOptions, Failure> {
    let upstream = Url::parse(&args.upstream).map_err(|e| {
        Failure::usage(format!("--upstream `{}` is not a URL: {e}", args.upstream))
            .with_hint("give the API's origin, e.g. --upstream https://api.example.com")
    })?;
    let listen: SocketAddr = args.listen.parse().map_err(|_| {
        Failure::usage(format!(
            "--listen `{}` is not ADDR:PORT (e.g. 127.0.0.1:8080)",
            args.listen
        ))
    })?;
    if !(args.timeout.is_finite() && args.timeout >= 0.001 && args.timeout <= 3600.0) {
        return Err(Failure::usage(format!(
            "--timeout {:?} must be from 0.001 to 3600 seconds",
            args.timeout
        )));
    }
    Ok(ProxyOptions {
        upstream,
        listen,
        fix: args.fix,
        server: args.server.as_deref().map(config::target).transpose()?,
        browser: browser_choice(args.browser.as_deref())?,
        timeout: Duration::from_secs_f64(args.timeout),
        ca_cert: args.cacert.clone(),
        insecure: args.insecure,
        policy: args
            .policy
            .as_deref()
            .map(crate::commands::verify::load_policy)
            .transpose()?,
    })
}

pub fn run(args: &ProxyArgs, out: &mut Output) -> Result<u8, Failure> {
    let options = options(args)?;
    if !options.listen.ip().is_loopback() {
        out.error(
            &format!(
                "warning: listening on {}: anyone who can reach it can send requests to {} through it",
                options.listen, options.upstream
            ),
            Some("use --listen 127.0.0.1:PORT unless another machine must reach it"),
        );
    }
    let runtime = crate::runtime()?;
    runtime.block_on(async {
        let (sender, mut events) = tokio::sync::mpsc::channel(EVENT_QUEUE);
        let render: cors_proxy::Render =
            Arc::new(|event: &ProxyEvent| render_proxy_event(event, &Palette::plain()));
        let upstream = options.upstream.to_string();
        let fix = options.fix;
        let proxy = Proxy::bind(options, render, sender)
            .await
            .map_err(|e| {
                let failure = Failure::usage(e.to_string());
                match e {
                    cors_proxy::ProxyError::Bind { .. } => failure
                        .with_hint("is another program using that port? try --listen 127.0.0.1:0"),
                    _ => failure,
                }
            })?;
        let origin = proxy.origin();
        if args.json {
            out.print(&json_line(&ProxyStartDoc {
                schema: PROXY_SCHEMA,
                kind: "listening",
                proxy: &origin,
                upstream: &upstream,
                fix,
            }));
        } else {
            out.print(&format!(
                "cors-doctor proxy: {origin} → {upstream}\n  point the page's API base URL at {origin}; one line per request, the full report at the URL each line gives. Ctrl-C stops.\n"
            ));
        }
        let serving = tokio::spawn(proxy.run());
        let palette = out.palette();
        let mut printed_configs = HashSet::new();
        loop {
            tokio::select! {
                event = events.recv() => {
                    let Some(first) = event else { break };
                    // What else is waiting goes out in the same write: one
                    // system call per batch, not per request, under load.
                    let mut text = String::new();
                    let mut next = Some(first);
                    while let Some(event) = next {
                        if args.json {
                            text.push_str(&json_line(&proxy_event_doc(&event, &origin)));
                        } else {
                            text.push_str(&render_proxy_line(&event, &origin, &palette));
                            config_once(&event, &mut printed_configs, &mut text);
                        }
                        next = if text.len() < BATCH_BYTES { events.try_recv().ok() } else { None };
                    }
                    out.print(&text);
                }
                _ = tokio::signal::ctrl_c() => break,
            }
        }
        serving.abort();
        Ok(exit::OK)
    })
}

/// A configuration not printed before (one per rule; one for a policy),
/// added to `text`.
fn config_once(event: &ProxyEvent, printed: &mut HashSet<String>, text: &mut String) {
    let Some(Fix::Added {
        config: Some(config),
        ..
    }) = &event.fix
    else {
        return;
    };
    if printed.len() == CONFIGS_REMEMBERED {
        printed.clear();
    }
    let said = match config {
        Ok(config) => format!(
            "    the upstream's configuration for this request:\n{}\n",
            indent(config)
        ),
        Err(why) => format!("    no configuration: {why}\n"),
    };
    if printed.insert(said.clone()) {
        text.push_str(&said);
    }
}

fn indent(text: &str) -> String {
    text.lines()
        .map(|l| format!("      {l}"))
        .collect::<Vec<_>>()
        .join("\n")
}

fn json_line<T: serde::Serialize>(value: &T) -> String {
    // The documents hold strings, numbers and lists only: they serialise.
    let mut line = serde_json::to_string(value).unwrap_or_default();
    line.push('\n');
    line
}
