//! `cors-doctor check`: turns arguments into an engine request, runs the probe
//! and prints the report.

use crate::cli::{CheckArgs, CredentialsArg, ModeArg, NetworkArgs, RequestArgs};
use crate::commands::config;
use crate::exit::{self, Failure};
use crate::output::Output;
use cors_config::Target;
use cors_engine::{Browser, CredentialsMode, Initiator, Mode, Origin, Request};
use cors_probe::{run_check, CheckRequest, Client, ResolveOverride, TransportOptions};
use cors_report::check_json::CheckDocument;
use cors_report::{check_to_json, render_check, CurlOptions, FixConfig};
use std::time::Duration;
use url::Url;

/// Everything needed to run one check.
pub struct Prepared {
    pub check: CheckRequest,
    pub transport: TransportOptions,
    pub curl: CurlOptions,
}

/// The target URL of `check` and `scan`: absolute, http or https.
pub(crate) fn parse_http_url(text: &str, what: &str) -> Result<Url, Failure> {
    let url = Url::parse(text).map_err(|e| {
        Failure::usage(format!("{what} `{text}` is not a valid URL: {e}"))
            .with_hint("write the full URL with its scheme, e.g. https://api.example.com/items")
    })?;
    if !matches!(url.scheme(), "http" | "https") {
        return Err(Failure::usage(format!(
            "{what} `{text}` is not an http(s) URL"
        )));
    }
    Ok(url)
}

/// One `--origin` argument.
pub(crate) fn parse_origin(text: &str) -> Result<Origin, Failure> {
    Origin::parse(text).map_err(|e| Failure::usage(format!("--origin `{text}`: {e}")))
}

pub fn parse_header(text: &str) -> Result<(String, String), Failure> {
    use cors_engine::headers::{parse_header_line, HeaderLineError};
    parse_header_line(text).map_err(|e| match e {
        HeaderLineError::NoColon => Failure::usage(format!("header `{text}` has no `:`"))
            .with_hint("write headers as -H 'Name: value'"),
        HeaderLineError::BadName(name) => Failure::usage(format!(
            "`{name}` is not a valid header name (in -H '{text}')"
        )),
        HeaderLineError::BadValue(name) => Failure::usage(format!(
            "the value of header `{name}` contains a line break or NUL"
        )),
        HeaderLineError::NotLatin1 { name, found } => Failure::usage(format!(
            "the value of header `{name}` contains `{found}` (U+{:04X}), outside Latin-1: fetch() throws a TypeError before sending anything (Chrome: \"Failed to execute 'fetch' on 'Window': Failed to read the 'headers' property from 'RequestInit': String contains non ISO-8859-1 code point.\"), so no browser would make this request",
            u32::from(found)
        ))
        .with_hint("encode the value first (percent-encoding, base64), as the page must"),
    })
}

pub fn parse_browsers(list: &[String]) -> Result<Vec<Browser>, Failure> {
    let mut browsers = Vec::new();
    for item in list {
        if item.eq_ignore_ascii_case("all") {
            return Ok(Browser::ALL.to_vec());
        }
        let browser = Browser::from_id(item).ok_or_else(|| {
            Failure::usage(format!("unknown browser `{item}`"))
                .with_hint("use chromium, firefox, webkit (or chrome, edge, safari), or all")
        })?;
        if !browsers.contains(&browser) {
            browsers.push(browser);
        }
    }
    if browsers.is_empty() {
        return Ok(Browser::ALL.to_vec());
    }
    browsers.sort();
    Ok(browsers)
}

pub fn transport_options(
    network: &NetworkArgs,
) -> Result<(TransportOptions, CurlOptions), Failure> {
    let mut resolve = Vec::new();
    for entry in &network.resolve {
        resolve.push(entry.parse::<ResolveOverride>().map_err(Failure::usage)?);
    }
    if !(network.timeout.is_finite() && network.timeout >= 0.001 && network.timeout <= 3600.0) {
        return Err(Failure::usage(format!(
            "--timeout {:?} must be from 0.001 to 3600 seconds",
            network.timeout
        )));
    }
    let timeout = Duration::from_secs_f64(network.timeout);
    let transport = TransportOptions {
        timeout,
        // One budget: the connection and the handshake may take nearly all
        // of it (a tenth less, at most a quarter second, so that a handshake
        // that never ends is reported as the connection's timeout, not the
        // response's, even on a loaded machine).
        connect_timeout: timeout
            .saturating_sub((timeout / 10).min(Duration::from_millis(250)))
            .max(Duration::from_millis(1)),
        resolve,
        ca_cert: network.cacert.clone(),
        insecure: network.insecure,
        http1_only: network.http1_only,
        ..TransportOptions::default()
    };
    let curl = CurlOptions {
        resolve: network.resolve.clone(),
        cacert: network.cacert.as_ref().map(|p| p.display().to_string()),
        insecure: network.insecure,
    };
    Ok((transport, curl))
}

/// Builds the engine request from the request arguments.
pub fn build_request(
    page: Url,
    origin: Origin,
    url: Url,
    args: &RequestArgs,
) -> Result<(Request, Option<Vec<u8>>), Failure> {
    let mut request = Request::new(page, url).origin(origin);
    request.method = match (&args.method, &args.body) {
        (Some(m), _) => m.clone(),
        (None, Some(_)) => "POST".to_string(),
        (None, None) => "GET".to_string(),
    };
    for h in &args.headers {
        request.headers.push(parse_header(h)?);
    }
    if args.body.is_some()
        && !request
            .headers
            .iter()
            .any(|(n, _)| n.eq_ignore_ascii_case("content-type"))
    {
        request.headers.push((
            "Content-Type".to_string(),
            "text/plain;charset=UTF-8".to_string(),
        ));
    }
    request.credentials = match args.credentials {
        CredentialsArg::Omit => CredentialsMode::Omit,
        CredentialsArg::SameOrigin => CredentialsMode::SameOrigin,
        CredentialsArg::Include => CredentialsMode::Include,
    };
    request.mode = match args.mode {
        ModeArg::Cors => Mode::Cors,
        ModeArg::NoCors => Mode::NoCors,
        ModeArg::SameOrigin => Mode::SameOrigin,
    };
    request.initiator = Initiator::from_id(&args.initiator).ok_or_else(|| {
        Failure::usage(format!("unknown initiator `{}`", args.initiator))
            .with_hint("use fetch, xhr, script, stylesheet, font, image, audio, video, manifest, text-track or eventsource")
    })?;
    request.force_preflight = args.upload_listener;
    let space =
        |text: &Option<String>, flag: &str| -> Result<Option<cors_engine::AddressSpace>, Failure> {
            match text {
                None => Ok(None),
                Some(t) => cors_engine::AddressSpace::from_id(t)
                    .map(Some)
                    .ok_or_else(|| {
                        Failure::usage(format!("{flag} `{t}` is not public, local or loopback"))
                    }),
            }
        };
    request.initiator_address_space = space(&args.page_address_space, "--page-address-space")?;
    request.declared_target_address_space =
        space(&args.target_address_space, "--target-address-space")?;
    request
        .validate()
        .map_err(|e| Failure::usage(e.to_string()))?;
    Ok((request, args.body.as_ref().map(|b| b.as_bytes().to_vec())))
}

pub fn prepare(args: &CheckArgs) -> Result<Prepared, Failure> {
    let url = parse_http_url(&args.url, "the URL")?;
    let (page, origin) = match (&args.page, &args.origin) {
        (Some(page), _) => {
            let page = Url::parse(page)
                .map_err(|e| Failure::usage(format!("--page `{page}` is not a valid URL: {e}")))?;
            let origin = Origin::of_url(&page);
            (page, origin)
        }
        (None, Some(origin)) => {
            let parsed = parse_origin(origin)?;
            let page = match &parsed {
                Origin::Opaque => {
                    Url::parse("file:///index.html").map_err(|e| Failure::usage(e.to_string()))?
                }
                tuple => Url::parse(&format!("{}/", tuple.serialize()))
                    .map_err(|e| Failure::usage(e.to_string()))?,
            };
            (page, parsed)
        }
        (None, None) => {
            return Err(Failure::usage(
                "which page makes the request? pass --origin ORIGIN or --page URL",
            )
            .with_hint(
                "e.g. --origin http://localhost:3000 (the origin shown in the console message)",
            ))
        }
    };
    let (request, body) = build_request(page, origin, url, &args.request)?;
    let browsers = parse_browsers(&args.browser)?;
    let (transport, curl) = transport_options(&args.network)?;
    Ok(Prepared {
        check: CheckRequest {
            request,
            body,
            browsers,
            probe_second_origin: !args.no_second_origin,
        },
        transport,
        curl,
    })
}

/// Runs a prepared check and returns the report, or exit 3 when unreachable.
pub async fn execute(prepared: &Prepared) -> Result<cors_probe::CheckReport, Failure> {
    let client = client(&prepared.transport)?;
    Ok(run_check(&prepared.check, &client).await)
}

/// The HTTP client of `check` and `scan`; a bad `--cacert` or proxy setting is a usage error.
pub(crate) fn client(transport: &TransportOptions) -> Result<Client, Failure> {
    Client::new(transport).map_err(|e| Failure {
        code: exit::USAGE,
        message: e.to_string(),
        hint: e.hint().map(str::to_string),
    })
}

/// The exit code of a finished report.
pub fn exit_code(report: &cors_probe::CheckReport) -> u8 {
    match report.network_error() {
        Some(e) if e.is_unreachable() => return exit::UNREACHABLE,
        // A request cors-doctor could not send: the check could not run.
        Some(_) => return exit::USAGE,
        None => {}
    }
    if report.all_allowed() {
        exit::OK
    } else {
        exit::BLOCKED
    }
}

/// `--fix-for`'s target; an unknown one is a usage error before anything is sent.
pub fn fix_target(args: &CheckArgs) -> Result<Option<Target>, Failure> {
    args.fix_for.as_deref().map(config::target).transpose()
}

/// The configuration for `target` that lets the checked request through
/// (none when the server could not be reached).
pub fn fix(target: Option<Target>, report: &cors_probe::CheckReport) -> Option<FixConfig> {
    target
        .filter(|_| report.network_error().is_none())
        .map(|target| config::fix_config(target, report))
}

/// `check --json`'s document (`serve` answers with it too).
pub fn json_document(
    report: &cors_probe::CheckReport,
    curl: &CurlOptions,
    fix: Option<&FixConfig>,
) -> CheckDocument {
    let mut doc = check_to_json(report, curl);
    doc.fix_config = fix.map(FixConfig::to_doc);
    doc
}

pub fn run(args: &CheckArgs, out: &mut Output) -> Result<u8, Failure> {
    let prepared = prepare(args)?;
    let fix_target = fix_target(args)?;
    let runtime = crate::runtime()?;
    let report = runtime.block_on(execute(&prepared))?;
    let fix = fix(fix_target, &report);
    if args.json {
        out.json(&json_document(&report, &prepared.curl, fix.as_ref()))?;
    } else {
        let mut text = render_check(&report, &out.palette(), &prepared.curl);
        if let Some(fix) = &fix {
            text.push('\n');
            text.push_str(&fix.render(&out.palette()));
        }
        out.print(&text);
    }
    let code = exit_code(&report);
    if !args.json {
        if let Some(e) = report.network_error() {
            let what = if code == exit::UNREACHABLE {
                "could not reach the server"
            } else {
                "could not send the request"
            };
            out.error(
                &format!("{what}: {e} (stage: {})", e.stage().id()),
                e.hint(),
            );
        }
    }
    Ok(code)
}
