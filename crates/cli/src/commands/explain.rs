//! `cors-doctor explain`: recognises browser console messages in pasted text
//! (or takes a catalogue id) and explains each: which browser, what failed,
//! the cause, the fix and the `check` command that reproduces it.

use crate::cli::ExplainArgs;
use crate::exit::{self, Failure};
use crate::output::Output;
use cors_engine::catalogue::{entries, entry, FindingId};
use cors_engine::recognize::{Recognized, Recognizer};
use cors_engine::{Browser, Stage};
use serde::Serialize;
use std::fmt::Write as _;
use std::io::Read;

pub const EXPLAIN_SCHEMA: &str = "cors-doctor/explain/v1";

/// A line that carries no reason: the pattern, the browser that prints it,
/// and what it means when that is more than "no reason given".
type NoReason = (&'static str, &'static str, Option<&'static str>);

/// Lines that carry no reason at all.
const NO_REASON: [NoReason; 6] = [
    // WebKit prints it when it refuses a request before sending it
    // (conformance: mixed-https-to-http-*, nocors-redirect-manual).
    ("Not allowed to request resource", "Safari", Some("means Safari refused to send the request at all — most often mixed content (an https page calling an http URL; Safari makes no exception for localhost or 127.0.0.1), else a no-cors request whose redirect mode is not `follow`. Safari logs the reason as a warning (`[blocked] The page at …`), hidden when the console shows only errors; or run `cors-doctor check URL --page PAGE_URL`")),
    ("Failed to fetch", "Chromium", None),
    ("NetworkError when attempting to fetch resource", "Firefox", None),
    ("Load failed", "Safari", None),
    ("net::ERR_FAILED", "Chromium", None),
    ("due to access control checks", "Safari", None),
];

#[derive(Serialize)]
struct ExplainDocument {
    schema: &'static str,
    messages: Vec<MessageDoc>,
    unrecognized_hints: Vec<String>,
}

#[derive(Serialize)]
struct MessageDoc {
    line: usize,
    browser: &'static str,
    id: &'static str,
    candidates: Vec<&'static str>,
    legacy: bool,
    title: &'static str,
    cause: &'static str,
    stage: &'static str,
    url: Option<String>,
    redirected_from: Option<String>,
    origin: Option<String>,
    method: Option<String>,
    header: Option<String>,
    value: Option<String>,
    status: Option<u16>,
    explanation: String,
    fix: String,
    check: Option<String>,
    probe: Option<ProbeDoc>,
}

#[derive(Serialize)]
struct ProbeDoc {
    still_blocked_in: Vec<&'static str>,
    allowed_in: Vec<&'static str>,
    findings: Vec<&'static str>,
    error: Option<String>,
}

fn read_input(args: &ExplainArgs) -> Result<String, Failure> {
    if let Some(path) = &args.file {
        let bytes = std::fs::read(path)
            .map_err(|e| Failure::usage(format!("cannot read {}: {e}", path.display())))?;
        return Ok(String::from_utf8_lossy(&bytes).into_owned());
    }
    if !args.text.is_empty() {
        return Ok(args.text.join(" "));
    }
    if std::io::IsTerminal::is_terminal(&std::io::stdin()) {
        return Err(Failure::usage("nothing to explain").with_hint(
            "paste the console message as an argument, pipe it on standard input, or use --file",
        ));
    }
    let mut text = String::new();
    std::io::stdin()
        .read_to_string(&mut text)
        .map_err(|e| Failure::usage(format!("cannot read standard input: {e}")))?;
    Ok(text)
}

/// The `check` command that reproduces a recognised message.
fn check_command(r: &Recognized, id: FindingId) -> Option<String> {
    let url = r
        .values
        .initial_url
        .clone()
        .unwrap_or_else(|| r.values.url.clone());
    if url.is_empty() || !url.starts_with("http") {
        return None;
    }
    let origin = if r.values.origin.is_empty() {
        "ORIGIN".to_string()
    } else {
        r.values.origin.clone()
    };
    let mut parts = vec![
        "cors-doctor check".to_string(),
        quote(&url),
        "--origin".to_string(),
        quote(&origin),
    ];
    if let Some(m) = &r.values.method {
        if id == FindingId::MethodNotAllowed && m != "GET" {
            parts.push(format!("-X {}", quote(m)));
        }
    }
    if let Some(h) = &r.values.header {
        if matches!(
            id,
            FindingId::HeaderNotAllowed | FindingId::AuthorizationNotCoveredByWildcard
        ) {
            parts.push(format!("-H {}", quote(&format!("{h}: x"))));
        }
    }
    if r.stage == Stage::Preflight && r.values.method.is_none() && r.values.header.is_none() {
        // The message does not say which method or headers triggered the
        // preflight: a representative preflighted request, to be adjusted.
        parts.push("-X PUT -H 'Content-Type: application/json'".to_string());
    }
    if matches!(
        id,
        FindingId::WildcardWithCredentials | FindingId::AllowCredentialsNotTrue
    ) {
        parts.push("--credentials include".to_string());
    }
    if r.values.kind == "XMLHttpRequest" {
        parts.push("--initiator xhr".to_string());
    }
    Some(parts.join(" "))
}

fn quote(text: &str) -> String {
    if text
        .bytes()
        .all(|b| b.is_ascii_alphanumeric() || b"-_./:=@,+".contains(&b))
    {
        text.to_string()
    } else {
        format!("'{}'", text.replace('\'', "'\\''"))
    }
}

fn list(out: &mut Output, json: bool) -> Result<u8, Failure> {
    if json {
        #[derive(Serialize)]
        struct Row {
            id: &'static str,
            title: &'static str,
            cause: &'static str,
            severity: &'static str,
            legacy_only: bool,
            browsers: Vec<&'static str>,
        }
        let rows: Vec<Row> = entries()
            .iter()
            .map(|e| Row {
                id: e.id.slug(),
                title: e.title,
                cause: e.cause.id(),
                severity: e.severity.id(),
                legacy_only: e.legacy_only,
                browsers: Browser::ALL
                    .into_iter()
                    .filter(|b| e.template(*b).is_some())
                    .map(|b| b.id())
                    .collect(),
            })
            .collect();
        out.json(&rows)?;
        return Ok(exit::OK);
    }
    let mut text = String::new();
    for e in entries() {
        let browsers: Vec<&str> = Browser::ALL
            .into_iter()
            .filter(|b| e.template(*b).is_some())
            .map(|b| b.id())
            .collect();
        let _ = writeln!(
            text,
            "{:<42} {:<22} {}{}{}",
            e.id.slug(),
            e.cause.id(),
            e.title,
            if browsers.is_empty() {
                String::new()
            } else {
                format!(" [{}]", browsers.join(", "))
            },
            if e.legacy_only {
                " (older browsers)"
            } else {
                ""
            }
        );
    }
    out.print(&text);
    Ok(exit::OK)
}

fn explain_id(id: FindingId, out: &mut Output, json: bool) -> Result<u8, Failure> {
    let e = entry(id);
    if json {
        #[derive(Serialize)]
        struct Doc {
            schema: &'static str,
            id: &'static str,
            title: &'static str,
            cause: &'static str,
            explanation: &'static str,
            fix: &'static str,
            reference: &'static str,
            messages: std::collections::BTreeMap<&'static str, &'static str>,
        }
        let doc = Doc {
            schema: EXPLAIN_SCHEMA,
            id: id.slug(),
            title: e.title,
            cause: e.cause.id(),
            explanation: e.explanation,
            fix: e.fix,
            reference: e.reference,
            messages: Browser::ALL
                .into_iter()
                .filter_map(|b| e.template(b).map(|t| (b.id(), t)))
                .collect(),
        };
        out.json(&doc)?;
        return Ok(exit::OK);
    }
    let p = out.palette();
    let mut text = format!(
        "{} [{}]\ncause: {}\n\n{}\n\nfix: {}\nsee: {}\n",
        p.strong(e.title),
        id.slug(),
        e.cause.describe(),
        e.explanation,
        e.fix,
        e.reference
    );
    for b in Browser::ALL {
        if let Some(t) = e.template(b) {
            let _ = writeln!(text, "\n{} prints:\n  {}", b.display_name(), p.code(t));
        }
    }
    out.print(&text);
    Ok(exit::OK)
}

/// Entries whose words overlap most with the text, for unrecognised input.
fn closest(text: &str) -> Vec<&'static str> {
    let words: Vec<String> = text
        .split(|c: char| !c.is_ascii_alphanumeric() && c != '-')
        .filter(|w| w.len() > 3)
        .map(|w| w.to_ascii_lowercase())
        .collect();
    let mut scored: Vec<(usize, &'static str)> = entries()
        .iter()
        .map(|e| {
            let hay = format!(
                "{} {} {}",
                e.title,
                e.id.slug(),
                Browser::ALL
                    .iter()
                    .filter_map(|b| e.template(*b))
                    .collect::<Vec<_>>()
                    .join(" ")
            )
            .to_ascii_lowercase();
            (
                words.iter().filter(|w| hay.contains(w.as_str())).count(),
                e.id.slug(),
            )
        })
        .filter(|(score, _)| *score > 0)
        .collect();
    scored.sort_by(|a, b| b.0.cmp(&a.0).then(a.1.cmp(b.1)));
    scored.into_iter().take(3).map(|(_, id)| id).collect()
}

pub fn run(args: &ExplainArgs, out: &mut Output) -> Result<u8, Failure> {
    if args.list {
        return list(out, args.json);
    }
    if args.text.len() == 1 && args.file.is_none() {
        if let Some(id) = FindingId::from_slug(args.text[0].trim()) {
            return explain_id(id, out, args.json);
        }
    }
    let input = read_input(args)?;
    let recognizer = Recognizer::new();
    let mut found: Vec<(usize, Recognized)> = Vec::new();
    let mut no_reason: Vec<(usize, &NoReason)> = Vec::new();
    for (index, line) in input.lines().enumerate() {
        let recognized = recognizer.recognize_line(line);
        if recognized.is_empty() {
            if let Some(entry) = NO_REASON
                .iter()
                .find(|(pattern, ..)| line.contains(pattern))
            {
                no_reason.push((index + 1, entry));
            }
        }
        found.extend(recognized.into_iter().map(|r| (index + 1, r)));
    }
    let runtime = if args.probe {
        Some(crate::runtime()?)
    } else {
        None
    };
    let mut messages = Vec::new();
    for (line, r) in &found {
        let id = r.candidates[0];
        let finding = cors_engine::Finding {
            id,
            browser: r.browser,
            severity: entry(id).severity,
            stage: r.stage,
            values: r.values.clone(),
            message: None,
        };
        let check = check_command(r, id);
        let probe = match (&runtime, &check) {
            (Some(rt), Some(_)) => Some(rt.block_on(probe(r, id, &args.network))),
            _ => None,
        };
        messages.push(MessageDoc {
            line: *line,
            browser: r.browser.id(),
            id: id.slug(),
            candidates: r.candidates.iter().map(|c| c.slug()).collect(),
            legacy: r.legacy,
            title: entry(id).title,
            cause: entry(id).cause.id(),
            stage: r.stage.id(),
            url: (!r.values.url.is_empty()).then(|| r.values.url.clone()),
            redirected_from: r.values.initial_url.clone(),
            origin: (!r.values.origin.is_empty()).then(|| r.values.origin.clone()),
            method: r.values.method.clone(),
            header: r.values.header.clone(),
            value: r.values.value.clone(),
            status: r.values.status,
            explanation: finding.explanation(),
            fix: finding.fix(),
            check,
            probe,
        });
    }
    // Script-side errors only matter when no console line gives the reason.
    if !found.is_empty() {
        no_reason.clear();
    }
    let hints: Vec<String> = no_reason
        .iter()
        .map(|(line, (pattern, browser, meaning))| match meaning {
            Some(meaning) => format!("line {line}: `{pattern}` {meaning}"),
            None => format!("line {line}: `{pattern}` is what script sees; {browser} gives no reason there — copy the console line that mentions CORS or Access-Control (DevTools → Console, with \"Errors\" shown), or run `cors-doctor check URL --origin ORIGIN`"),
        })
        .collect();
    if args.json {
        out.json(&ExplainDocument {
            schema: EXPLAIN_SCHEMA,
            messages,
            unrecognized_hints: hints.clone(),
        })?;
    } else {
        print_messages(out, &messages, &hints);
    }
    if found.is_empty() {
        if !args.json {
            let close = closest(&input);
            let mut hint = String::from("paste the whole console line, e.g. \"Access to fetch at '…' from origin '…' has been blocked by CORS policy: …\" (Chrome) or \"Cross-Origin Request Blocked: …\" (Firefox)");
            if !close.is_empty() {
                hint.push_str(&format!(
                    "; closest catalogue entries: {} (see `cors-doctor explain ID`)",
                    close.join(", ")
                ));
            }
            out.error(
                "no CORS console message recognised in the input",
                Some(&hint),
            );
        }
        return Ok(exit::USAGE);
    }
    Ok(exit::OK)
}

fn print_messages(out: &mut Output, messages: &[MessageDoc], hints: &[String]) {
    let p = out.palette();
    let mut text = String::new();
    for m in messages {
        let browser = Browser::from_id(m.browser)
            .map(|b| b.display_name())
            .unwrap_or(m.browser);
        let _ = writeln!(
            text,
            "{} (line {}) {} [{}]{}",
            p.heading(browser),
            m.line,
            p.strong(m.title),
            m.id,
            if m.legacy {
                " — older browser wording"
            } else {
                ""
            }
        );
        if m.candidates.len() > 1 {
            let _ = writeln!(
                text,
                "  this wording also covers: {}",
                m.candidates[1..].join(", ")
            );
        }
        for (label, value) in [
            ("url", &m.url),
            ("redirected from", &m.redirected_from),
            ("origin", &m.origin),
            ("method", &m.method),
            ("header", &m.header),
            ("value", &m.value),
        ] {
            if let Some(v) = value {
                let _ = writeln!(text, "  {label}: {v}");
            }
        }
        if let Some(s) = m.status {
            let _ = writeln!(text, "  status: {s}");
        }
        let _ = writeln!(text, "  stage: {} · cause: {}", m.stage, m.cause);
        let _ = writeln!(text, "  why: {}", m.explanation);
        let _ = writeln!(text, "  fix: {}", p.strong(&m.fix));
        if let Some(c) = &m.check {
            let _ = writeln!(text, "  reproduce: {}", p.code(c));
        }
        if let Some(probe) = &m.probe {
            match &probe.error {
                Some(e) => {
                    let _ = writeln!(text, "  probe: could not check the server: {e}");
                }
                None if probe.still_blocked_in.is_empty() => {
                    let _ = writeln!(
                        text,
                        "  probe: {}",
                        p.good("the server now passes in every browser")
                    );
                }
                None => {
                    let _ = writeln!(
                        text,
                        "  probe: {} in {} ({})",
                        p.bad("still blocked"),
                        probe.still_blocked_in.join(", "),
                        probe.findings.join(", ")
                    );
                }
            }
        }
        text.push('\n');
    }
    for h in hints {
        let _ = writeln!(text, "{} {h}", p.warn("note:"));
    }
    out.print(&text);
}

async fn probe(r: &Recognized, id: FindingId, network: &crate::cli::NetworkArgs) -> ProbeDoc {
    use crate::cli::{CredentialsArg, ModeArg, RequestArgs};
    let fail = |e: String| ProbeDoc {
        still_blocked_in: vec![],
        allowed_in: vec![],
        findings: vec![],
        error: Some(e),
    };
    let url_text = r
        .values
        .initial_url
        .clone()
        .unwrap_or_else(|| r.values.url.clone());
    let Ok(url) = url::Url::parse(&url_text) else {
        return fail(format!("`{url_text}` is not a URL"));
    };
    let Ok(origin) = cors_engine::Origin::parse(&r.values.origin) else {
        return fail(format!("`{}` is not an origin", r.values.origin));
    };
    let page = match url::Url::parse(&format!("{}/", r.values.origin)) {
        Ok(p) => p,
        Err(_) => match url::Url::parse("file:///index.html") {
            Ok(p) => p,
            Err(e) => return fail(e.to_string()),
        },
    };
    let args = RequestArgs {
        method: match id {
            FindingId::MethodNotAllowed => r.values.method.clone(),
            _ if r.stage == Stage::Preflight => Some("PUT".to_string()),
            _ => None,
        },
        headers: match (id, &r.values.header) {
            (
                FindingId::HeaderNotAllowed | FindingId::AuthorizationNotCoveredByWildcard,
                Some(h),
            ) => vec![format!("{h}: x")],
            _ if r.stage == Stage::Preflight => vec!["Content-Type: application/json".to_string()],
            _ => vec![],
        },
        body: None,
        credentials: if matches!(
            id,
            FindingId::WildcardWithCredentials | FindingId::AllowCredentialsNotTrue
        ) {
            CredentialsArg::Include
        } else {
            CredentialsArg::SameOrigin
        },
        mode: ModeArg::Cors,
        initiator: if r.values.kind == "XMLHttpRequest" {
            "xhr".into()
        } else {
            "fetch".into()
        },
        upload_listener: false,
        page_address_space: None,
        target_address_space: None,
    };
    let prepared = (|| {
        let (request, body) = crate::commands::check::build_request(page, origin, url, &args)?;
        let (transport, curl) = crate::commands::check::transport_options(network)?;
        Ok::<_, Failure>(crate::commands::check::Prepared {
            check: cors_probe::CheckRequest {
                request,
                body,
                browsers: Browser::ALL.to_vec(),
                probe_second_origin: false,
            },
            transport,
            curl,
        })
    })();
    let prepared = match prepared {
        Ok(p) => p,
        Err(f) => return fail(f.message),
    };
    match crate::commands::check::execute(&prepared).await {
        Err(f) => fail(f.message),
        Ok(report) => {
            if let Some(e) = report.network_error() {
                return fail(e.to_string());
            }
            ProbeDoc {
                still_blocked_in: report
                    .outcome
                    .browsers
                    .iter()
                    .filter(|b| b.verdict != cors_engine::Verdict::Allowed)
                    .map(|b| b.browser.id())
                    .collect(),
                allowed_in: report
                    .outcome
                    .browsers
                    .iter()
                    .filter(|b| b.verdict == cors_engine::Verdict::Allowed)
                    .map(|b| b.browser.id())
                    .collect(),
                findings: report
                    .outcome
                    .browsers
                    .iter()
                    .filter_map(|b| b.blocking().map(|f| f.id.slug()))
                    .collect(),
                error: None,
            }
        }
    }
}
