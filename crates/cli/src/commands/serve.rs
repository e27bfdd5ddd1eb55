//! `cors-doctor serve`: the diagnosis in a local web page. A loopback
//! server (axum) with the page and its script embedded in the binary, and
//! a JSON API that runs the CLI's own commands in-process: each form is
//! turned into the command line it stands for (only the flags the form
//! has), parsed by the same clap types, and answered with the same JSON
//! document `--json` prints. Safe by default: loopback only, a random token
//! in the URL, the Host header must name the bound address (no DNS
//! rebinding), and the API refuses cross-site requests.

use crate::cli::{Cli, Command, ServeArgs};
use crate::commands::check;
use crate::exit::{self, Failure};
use crate::output::Output;
use axum::extract::rejection::JsonRejection;
use axum::extract::{Query, State};
use axum::http::{header, HeaderMap, HeaderValue, StatusCode};
use axum::response::{IntoResponse, Response};
use axum::routing::{get, post};
use axum::serve::ListenerExt;
use axum::{Json, Router};
use clap::Parser;
use serde::Deserialize;
use std::collections::HashMap;
use std::net::SocketAddr;
use std::sync::Arc;

const PAGE: &str = include_str!("serve_page/index.html");
const SCRIPT: &str = include_str!("serve_page/app.js");
const STYLE: &str = include_str!("serve_page/style.css");

/// The largest API request body read (a pasted console dump).
const MAX_BODY: usize = 1024 * 1024;

/// The largest HAR file taken by the drop zone (held in memory while read;
/// `cors-doctor har` reads larger files as a stream).
const MAX_HAR_BODY: usize = 256 * 1024 * 1024;

/// What every request is checked against.
struct Guard {
    token: String,
    /// The Host values that name the bound address.
    hosts: Vec<String>,
    /// The page's own origin (`http://127.0.0.1:PORT`).
    origin: String,
}

pub fn run(args: &ServeArgs, out: &mut Output) -> Result<u8, Failure> {
    let addr: SocketAddr = args.listen.parse().map_err(|_| {
        Failure::usage(format!(
            "--listen `{}` is not ADDR:PORT (e.g. 127.0.0.1:8080)",
            args.listen
        ))
    })?;
    if !addr.ip().is_loopback() {
        return Err(Failure::usage(format!(
            "refusing to serve on {addr}: the page sends requests from this machine on behalf of whoever opens it"
        ))
        .with_hint("use a loopback address: 127.0.0.1 or [::1]"));
    }
    let token = random_token()?;
    let runtime = crate::runtime()?;
    runtime.block_on(async {
        let listener = tokio::net::TcpListener::bind(addr).await.map_err(|e| {
            Failure::usage(format!("cannot listen on {addr}: {e}"))
                .with_hint("is another program using that port? try --listen 127.0.0.1:0")
        })?;
        let local = listener
            .local_addr()
            .map_err(|e| Failure::usage(e.to_string()))?;
        let port = local.port();
        let guard = Arc::new(Guard {
            hosts: vec![
                local.to_string(),
                format!("localhost:{port}"),
                format!("[::1]:{port}"),
                format!("127.0.0.1:{port}"),
            ],
            origin: format!("http://{local}"),
            token: token.clone(),
        });
        let url = format!("http://{local}/?token={token}");
        out.print(&format!(
            "cors-doctor serve: open {url}\n  (loopback only; the token in the URL is needed for every request)\nPress Ctrl-C to stop.\n"
        ));
        if args.open {
            open_browser(&url, out);
        }
        let app = router(guard);
        // Answers go out at once: with Nagle's algorithm a response written
        // in two parts waits for the browser's delayed ACK (~40 ms each).
        let listener = listener.tap_io(|tcp| {
            let _ = tcp.set_nodelay(true);
        });
        axum::serve(listener, app)
            .with_graceful_shutdown(async {
                let _ = tokio::signal::ctrl_c().await;
            })
            .await
            .map_err(|e| Failure::usage(format!("the server stopped: {e}")))?;
        Ok(exit::OK)
    })
}

fn router(guard: Arc<Guard>) -> Router {
    Router::new()
        .route("/", get(page))
        .route(
            "/app.js",
            get(|| async { asset(SCRIPT, "text/javascript") }),
        )
        .route("/style.css", get(|| async { asset(STYLE, "text/css") }))
        .route("/api/check", post(api_check))
        .route("/api/scan", post(api_scan))
        .route(
            "/api/har",
            post(api_har).layer(axum::extract::DefaultBodyLimit::max(MAX_HAR_BODY)),
        )
        .route("/api/targets", post(api_targets))
        .route("/api/explain", post(api_explain))
        .layer(axum::extract::DefaultBodyLimit::max(MAX_BODY))
        .layer(axum::middleware::from_fn_with_state(
            guard.clone(),
            only_bound_host,
        ))
        .with_state(guard)
}

/// 128 random bits, hex.
fn random_token() -> Result<String, Failure> {
    let mut bytes = [0u8; 16];
    getrandom::fill(&mut bytes)
        .map_err(|e| Failure::usage(format!("no random source for the token: {e}")))?;
    Ok(bytes.iter().map(|b| format!("{b:02x}")).collect())
}

fn open_browser(url: &str, out: &mut Output) {
    let opener = if cfg!(target_os = "macos") {
        "open"
    } else if cfg!(windows) {
        "explorer"
    } else {
        "xdg-open"
    };
    if std::process::Command::new(opener).arg(url).spawn().is_err() {
        out.error(
            &format!("could not start `{opener}`; open the URL above by hand"),
            None,
        );
    }
}

/// Headers every answer carries: nothing cached, not framed, no referrer
/// (the URL holds the token), and only the page's own script and style.
fn hardened(mut response: Response) -> Response {
    let headers = response.headers_mut();
    for (name, value) in [
        (header::CACHE_CONTROL, "no-store"),
        (header::X_FRAME_OPTIONS, "DENY"),
        (header::REFERRER_POLICY, "no-referrer"),
        (header::X_CONTENT_TYPE_OPTIONS, "nosniff"),
        (
            header::CONTENT_SECURITY_POLICY,
            "default-src 'none'; script-src 'self'; style-src 'self'; connect-src 'self'; img-src 'self' data:; form-action 'self'; frame-ancestors 'none'; base-uri 'none'",
        ),
    ] {
        headers.insert(name, HeaderValue::from_static(value));
    }
    response
}

fn refused(status: StatusCode, why: &str) -> Response {
    hardened((status, format!("cors-doctor serve: {why}\n")).into_response())
}

/// The Host check, on every request: only the bound address, so a DNS
/// rebinding page that resolves its own name to 127.0.0.1 is refused.
async fn only_bound_host(
    State(guard): State<Arc<Guard>>,
    request: axum::extract::Request,
    next: axum::middleware::Next,
) -> Response {
    let host = request
        .headers()
        .get(header::HOST)
        .and_then(|h| h.to_str().ok());
    if host.is_some_and(|host| guard.hosts.iter().any(|h| h.eq_ignore_ascii_case(host))) {
        next.run(request).await
    } else {
        refused(
            StatusCode::MISDIRECTED_REQUEST,
            "this Host is not the address cors-doctor serve listens on",
        )
    }
}

/// The API's checks (the Host is checked for every request): the token (a header the page's
/// script sets, so another site's form cannot send it), JSON, and no other
/// site's page as the sender.
fn api_refusal(guard: &Guard, headers: &HeaderMap) -> Option<Response> {
    let text = |name: &str| headers.get(name).and_then(|v| v.to_str().ok());
    if text("x-cors-doctor-token") != Some(guard.token.as_str()) {
        return Some(refused(StatusCode::FORBIDDEN, "missing or wrong token"));
    }
    if let Some(origin) = text("origin") {
        if origin != guard.origin {
            return Some(refused(
                StatusCode::FORBIDDEN,
                "a request from another site",
            ));
        }
    }
    if text("sec-fetch-site").is_some_and(|s| s != "same-origin") {
        return Some(refused(
            StatusCode::FORBIDDEN,
            "a request from another site",
        ));
    }
    if !text("content-type").is_some_and(|c| c.starts_with("application/json")) {
        return Some(refused(
            StatusCode::UNSUPPORTED_MEDIA_TYPE,
            "the API takes JSON",
        ));
    }
    None
}

async fn page(
    State(guard): State<Arc<Guard>>,
    Query(query): Query<HashMap<String, String>>,
) -> Response {
    if query.get("token") != Some(&guard.token) {
        return refused(
            StatusCode::FORBIDDEN,
            "open the URL cors-doctor serve printed (it carries the token)",
        );
    }
    hardened(([(header::CONTENT_TYPE, "text/html; charset=utf-8")], PAGE).into_response())
}

fn asset(body: &'static str, kind: &'static str) -> Response {
    hardened(([(header::CONTENT_TYPE, kind)], body).into_response())
}

/// The check form.
#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct CheckForm {
    url: String,
    #[serde(default)]
    origin: String,
    #[serde(default)]
    page: String,
    #[serde(default)]
    method: String,
    #[serde(default)]
    headers: Vec<String>,
    #[serde(default)]
    body: Option<String>,
    #[serde(default)]
    credentials: String,
    #[serde(default)]
    mode: String,
    #[serde(default)]
    browsers: Vec<String>,
    /// A `config` target: the configuration that lets the request through.
    #[serde(default)]
    fix_for: String,
}

impl CheckForm {
    /// The `check` command line this form stands for.
    fn argv(&self) -> Vec<String> {
        let mut argv: Vec<String> = ["cors-doctor", "check", "--json"].map(String::from).into();
        let mut flag = |name: &str, value: &str| {
            if !value.trim().is_empty() {
                argv.push(format!("--{name}={}", value.trim()));
            }
        };
        flag("origin", &self.origin);
        flag("page", &self.page);
        flag("request", &self.method);
        flag("credentials", &self.credentials);
        flag("mode", &self.mode);
        flag("browser", &self.browsers.join(","));
        flag("fix-for", &self.fix_for);
        for h in self.headers.iter().filter(|h| !h.trim().is_empty()) {
            argv.push(format!("--header={h}"));
        }
        if let Some(body) = &self.body {
            argv.push(format!("--data={body}"));
        }
        // After `--`, a URL starting with `-` is not a flag.
        argv.push("--".to_string());
        argv.push(self.url.trim().to_string());
        argv
    }
}

/// The scan form.
#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct ScanForm {
    url: String,
    origins: Vec<String>,
    #[serde(default)]
    methods: Vec<String>,
    #[serde(default)]
    headers: Vec<String>,
    #[serde(default)]
    browsers: Vec<String>,
}

impl ScanForm {
    /// The `scan` command line this form stands for.
    fn argv(&self) -> Vec<String> {
        let mut argv: Vec<String> = ["cors-doctor", "scan", "--json"].map(String::from).into();
        let lists = [
            ("origin", &self.origins),
            ("request", &self.methods),
            ("header", &self.headers),
        ];
        for (name, values) in lists {
            for value in values.iter().filter(|v| !v.trim().is_empty()) {
                argv.push(format!("--{name}={}", value.trim()));
            }
        }
        if !self.browsers.is_empty() {
            argv.push(format!("--browser={}", self.browsers.join(",")));
        }
        argv.push("--".to_string());
        argv.push(self.url.trim().to_string());
        argv
    }
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct ExplainForm {
    text: String,
}

/// A usage error as the API answers it: what the CLI would have said.
fn failure(e: &Failure) -> Response {
    let body = serde_json::json!({"error": e.message, "hint": e.hint});
    hardened((StatusCode::UNPROCESSABLE_ENTITY, Json(body)).into_response())
}

/// The form of an API request that passed the checks, or the answer that
/// refuses it.
fn accepted<T>(
    guard: &Guard,
    headers: &HeaderMap,
    form: Result<Json<T>, JsonRejection>,
) -> Result<T, Box<Response>> {
    if let Some(refusal) = api_refusal(guard, headers) {
        return Err(Box::new(refusal));
    }
    form.map(|Json(form)| form)
        .map_err(|e| Box::new(failure(&Failure::usage(e.body_text()))))
}

fn parse(argv: Vec<String>) -> Result<Command, Failure> {
    Cli::try_parse_from(argv)
        .map(|cli| cli.command)
        .map_err(|e| Failure::usage(e.kind().to_string()).with_hint(e.to_string().trim()))
}

async fn api_check(
    State(guard): State<Arc<Guard>>,
    headers: HeaderMap,
    form: Result<Json<CheckForm>, JsonRejection>,
) -> Response {
    let form = match accepted(&guard, &headers, form) {
        Ok(form) => form,
        Err(answer) => return *answer,
    };
    let args = match parse(form.argv()) {
        Ok(Command::Check(args)) => args,
        Ok(_) => return failure(&Failure::usage("not a check")),
        Err(e) => return failure(&e),
    };
    let prepared = check::prepare(&args).and_then(|p| Ok((p, check::fix_target(&args)?)));
    let (prepared, fix_target) = match prepared {
        Ok(p) => p,
        Err(e) => return failure(&e),
    };
    match check::execute(&prepared).await {
        Ok(report) => {
            let fix = check::fix(fix_target, &report);
            let doc = check::json_document(&report, &prepared.curl, fix.as_ref());
            hardened(Json(doc).into_response())
        }
        Err(e) => failure(&e),
    }
}

async fn api_scan(
    State(guard): State<Arc<Guard>>,
    headers: HeaderMap,
    form: Result<Json<ScanForm>, JsonRejection>,
) -> Response {
    let form = match accepted(&guard, &headers, form) {
        Ok(form) => form,
        Err(answer) => return *answer,
    };
    let args = match parse(form.argv()) {
        Ok(Command::Scan(args)) => args,
        Ok(_) => return failure(&Failure::usage("not a scan")),
        Err(e) => return failure(&e),
    };
    let (scan, transport, _) = match crate::commands::scan::prepare(&args) {
        Ok(prepared) => prepared,
        Err(e) => return failure(&e),
    };
    let client = match check::client(&transport) {
        Ok(client) => client,
        Err(e) => return failure(&e),
    };
    let report = cors_probe::scan::run_scan(&scan, &client, &|_, _| {}).await;
    let analysis = cors_probe::scan_analysis::analyse(&report);
    hardened(Json(cors_report::scan_json::scan_to_json(&report, &analysis)).into_response())
}

/// `config`'s targets, for the check form's "configuration for" list.
async fn api_targets(
    State(guard): State<Arc<Guard>>,
    headers: HeaderMap,
    form: Result<Json<serde_json::Value>, JsonRejection>,
) -> Response {
    if let Err(answer) = accepted(&guard, &headers, form) {
        return *answer;
    }
    let targets: Vec<_> = cors_config::Target::ALL
        .iter()
        .map(|t| serde_json::json!({"id": t.id(), "name": t.name(), "verified_here": t.verified_here()}))
        .collect();
    hardened(Json(targets).into_response())
}

/// The drop zone: a HAR file as the body, judged as `har --json` judges
/// it (`?browser=` as `--browser`).
async fn api_har(
    State(guard): State<Arc<Guard>>,
    Query(query): Query<HashMap<String, String>>,
    headers: HeaderMap,
    body: Result<axum::body::Bytes, axum::extract::rejection::BytesRejection>,
) -> Response {
    if let Some(refusal) = api_refusal(&guard, &headers) {
        return refusal;
    }
    let body = match body {
        Ok(body) => body,
        Err(e) => return failure(&Failure::usage(e.body_text())),
    };
    let browser = query.get("browser").filter(|b| !b.is_empty()).cloned();
    let name = query
        .get("name")
        .cloned()
        .unwrap_or_else(|| "the dropped file".to_string());
    let judged = tokio::task::spawn_blocking(move || {
        let chosen = crate::commands::har::browser_choice(browser.as_deref())?;
        let report = crate::commands::har::judge_input(&body[..], &name, chosen)?;
        let doc = cors_report::har::har_to_json(&report, &name, false);
        serde_json::to_value(doc).map_err(|e| Failure::usage(format!("{name}: {e}")))
    })
    .await;
    match judged {
        Ok(Ok(doc)) => hardened(Json(doc).into_response()),
        Ok(Err(e)) => failure(&e),
        Err(e) => failure(&Failure::usage(format!("the HAR could not be judged: {e}"))),
    }
}

async fn api_explain(
    State(guard): State<Arc<Guard>>,
    headers: HeaderMap,
    form: Result<Json<ExplainForm>, JsonRejection>,
) -> Response {
    let form = match accepted(&guard, &headers, form) {
        Ok(form) => form,
        Err(answer) => return *answer,
    };
    let argv = ["cors-doctor", "explain", "--json", "--", form.text.as_str()].map(String::from);
    let args = match parse(argv.into()) {
        Ok(Command::Explain(args)) => args,
        Ok(_) => return failure(&Failure::usage("not an explanation")),
        Err(e) => return failure(&e),
    };
    // Recognition is pure CPU work: off the async workers.
    let doc = tokio::task::spawn_blocking(move || crate::commands::explain::document(&args)).await;
    match doc {
        Ok(Ok((doc, _))) => hardened(Json(doc).into_response()),
        Ok(Err(e)) => failure(&e),
        Err(e) => failure(&Failure::usage(format!("the explanation failed: {e}"))),
    }
}
