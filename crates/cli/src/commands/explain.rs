//! `cors-doctor explain`: recognises browser console messages in pasted text
//! (or takes a catalogue id) and explains each: which browser, what failed,
//! the cause, the fix and the `check` command that reproduces it.

use crate::cli::ExplainArgs;
use crate::exit::{self, Failure};
use crate::output::Output;
use cors_engine::catalogue::{entries, entry, FindingId};
use cors_engine::recognize::{NetworkLine, Note, NoteKind, Recognized, Recognizer};
use cors_engine::{Browser, Stage};
use cors_report::explain::{
    render_explain, ExplainDocument, MessageDoc, NetworkDoc, NoteDoc, ProbeDoc, EXPLAIN_SCHEMA,
};
use serde::Serialize;
use std::fmt::Write as _;

/// The `check` command that reproduces a recognised message.
fn check_command(finding: &cors_engine::Finding, stage: Stage) -> Option<String> {
    let id = finding.id;
    let v = &finding.values;
    let url = v.initial_url.clone().unwrap_or_else(|| v.url.clone());
    if url.is_empty() {
        return None;
    }
    let mut parts = vec!["cors-doctor check".to_string(), quote(&url)];
    if !v.page.is_empty() && cors_engine::message::is_plausible_url(&v.page) {
        parts.push("--page".to_string());
        parts.push(quote(&v.page));
    } else {
        let origin = if cors_engine::message::is_plausible_origin(&v.origin) {
            v.origin.as_str()
        } else {
            "ORIGIN"
        };
        parts.push("--origin".to_string());
        parts.push(quote(origin));
    }
    if let Some(m) = &v.method {
        if id == FindingId::MethodNotAllowed && m != "GET" {
            parts.push(format!("-X {}", quote(m)));
        }
    }
    if let Some(h) = &v.header {
        if matches!(
            id,
            FindingId::HeaderNotAllowed | FindingId::AuthorizationNotCoveredByWildcard
        ) {
            parts.push(format!("-H {}", quote(&format!("{h}: x"))));
        }
    }
    if stage == Stage::Preflight && v.method.is_none() && v.header.is_none() {
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
    if v.kind == "XMLHttpRequest" {
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

const CLOSEST_SCAN: usize = 64 * 1024;
const CLOSEST_WORDS: usize = 2048;

/// Entries whose words overlap most with the text, for unrecognised input.
fn closest(text: &str) -> Vec<&'static str> {
    // Distinct words of the start of the text: enough to point somewhere,
    // bounded whatever was pasted.
    let mut cut = text.len().min(CLOSEST_SCAN);
    while !text.is_char_boundary(cut) {
        cut -= 1;
    }
    let start = &text[..cut];
    let words: std::collections::BTreeSet<String> = start
        .split(|c: char| !c.is_ascii_alphanumeric() && c != '-')
        .filter(|w| w.len() > 3)
        .map(|w| w.to_ascii_lowercase())
        .take(CLOSEST_WORDS)
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
    let recognizer = Recognizer::new();
    let input = super::explain_input::recognize(args, &recognizer)?;
    let recognition = input.recognition;
    let mut checks: Vec<Option<String>> = Vec::new();
    let mut messages: Vec<MessageDoc> = recognition
        .messages
        .iter()
        .map(|r| {
            let doc = message_doc(r);
            checks.push(doc.check.clone());
            doc
        })
        .collect();
    if args.probe {
        let runtime = crate::runtime()?;
        let probes = runtime.block_on(futures_join(
            recognition
                .messages
                .iter()
                .zip(&checks)
                .map(|(r, check)| async move {
                    match check {
                        Some(_) => Some(probe(r, r.candidates[0], &args.network).await),
                        None => None,
                    }
                })
                .collect(),
        ));
        for (m, p) in messages.iter_mut().zip(probes) {
            m.probe = p;
        }
    }
    let accompanied = MessageIndex::new(&recognition.messages);
    let network: Vec<NetworkDoc> = recognition
        .network
        .iter()
        .map(|n| network_doc(n, &accompanied))
        .collect();
    let notes = note_docs(&recognition.notes);
    // Script-side errors only matter when no console line gives the reason.
    let hints: Vec<String> = notes
        .iter()
        .filter(|n| messages.is_empty() || n.kind != NoteKind::ScriptError.id())
        .map(|n| {
            let mut hint = match n.repeated {
                0 => format!("line {}: {}", n.line, n.meaning),
                more => format!("line {} (and {more} more like it): {}", n.line, n.meaning),
            };
            if let Some(check) = &n.check {
                let _ = write!(hint, " — reproduce: {check}");
            }
            hint
        })
        .collect();
    let nothing = messages.is_empty() && notes.is_empty() && network.is_empty();
    let closest = if nothing {
        closest(&input.start)
    } else {
        Vec::new()
    };
    let doc = ExplainDocument {
        schema: EXPLAIN_SCHEMA,
        messages,
        network,
        notes,
        unrecognized_hints: hints,
        closest,
    };
    if args.json {
        out.json(&doc)?;
    } else {
        out.print(&render_explain(&doc, out.palette()));
    }
    if doc.messages.is_empty() {
        if !args.json {
            let mut hint = String::from("for a CORS error, paste the whole console line, e.g. \"Access to fetch at '…' from origin '…' has been blocked by CORS policy: …\" (Chrome) or \"Cross-Origin Request Blocked: …\" (Firefox)");
            if !doc.closest.is_empty() {
                let _ = write!(
                    hint,
                    "; closest catalogue entries: {} (see `cors-doctor explain ID`)",
                    doc.closest.join(", ")
                );
            }
            let what = if nothing {
                "no CORS console message recognised in the input"
            } else {
                "no CORS console message in the input (what was recognised is explained above)"
            };
            out.error(what, Some(&hint));
        }
        return Ok(if nothing { exit::USAGE } else { exit::BLOCKED });
    }
    Ok(exit::OK)
}

/// Runs the probes concurrently, at most [`PROBES_AT_ONCE`] at a time (a
/// dump may hold thousands of messages), in order.
async fn futures_join<F: std::future::Future<Output = Option<ProbeDoc>>>(
    probes: Vec<F>,
) -> Vec<Option<ProbeDoc>> {
    use futures_util::StreamExt;
    futures_util::stream::iter(probes)
        .buffered(PROBES_AT_ONCE)
        .collect()
        .await
}

const PROBES_AT_ONCE: usize = 8;

fn message_doc(r: &Recognized) -> MessageDoc {
    let id = r.candidates[0];
    let mut values = r.values.clone();
    // Mixed-content wordings name the insecure URL as the location.
    if values.url.is_empty() {
        if let Some(location) = &values.location {
            values.url = location.clone();
        }
    }
    let finding = cors_engine::Finding {
        id,
        browser: r.browser,
        severity: entry(id).severity,
        stage: r.stage,
        values,
        message: None,
    };
    let v = &finding.values;
    let some = |s: &str| (!s.is_empty()).then(|| s.to_string());
    MessageDoc {
        line: r.line,
        browser: r.browser.id(),
        id: id.slug(),
        candidates: r.candidates.iter().map(|c| c.slug()).collect(),
        legacy: r.legacy,
        title: entry(id).title,
        cause: entry(id).cause.id(),
        stage: r.stage.id(),
        url: some(&v.url),
        redirected_from: v.initial_url.clone(),
        origin: some(&v.origin),
        method: v.method.clone(),
        header: v.header.clone(),
        value: v.value.clone(),
        status: v.status,
        explanation: finding.explanation(),
        fix: finding.fix(),
        check: check_command(&finding, r.stage),
        probe: None,
    }
}

/// Finds the message a network line accompanies: the one naming the same
/// URL, else one within two lines (a dump may hold thousands of each).
struct MessageIndex<'a> {
    by_url: std::collections::HashMap<&'a str, usize>,
    lines: Vec<usize>,
}

impl<'a> MessageIndex<'a> {
    fn new(messages: &'a [Recognized]) -> MessageIndex<'a> {
        let mut by_url = std::collections::HashMap::new();
        for (i, m) in messages.iter().enumerate() {
            for url in std::iter::once(m.values.url.as_str()).chain(m.values.initial_url.as_deref())
            {
                if !url.is_empty() {
                    by_url.entry(url.trim_end_matches('/')).or_insert(i);
                }
            }
        }
        // Messages come in line order.
        let lines = messages.iter().map(|m| m.line).collect();
        MessageIndex { by_url, lines }
    }

    fn accompanied_by(&self, n: &NetworkLine) -> Option<usize> {
        if let Some(&i) = n
            .url
            .as_deref()
            .and_then(|u| self.by_url.get(u.trim_end_matches('/')))
        {
            return Some(i);
        }
        let at = self.lines.partition_point(|&l| l + 2 < n.line);
        self.lines
            .get(at)
            .filter(|&&l| l.abs_diff(n.line) <= 2)
            .map(|_| at)
    }
}

fn network_doc(n: &NetworkLine, messages: &MessageIndex<'_>) -> NetworkDoc {
    NetworkDoc {
        line: n.line,
        method: n.method.clone(),
        url: n.url.clone(),
        error: n.error.clone(),
        status: n.status,
        meaning: n.meaning(),
        message: messages.accompanied_by(n),
    }
}

/// What makes two notes the same: kind, browser, URL, status.
type NoteKey<'a> = (NoteKind, Option<Browser>, Option<&'a str>, Option<u16>);

/// One document per distinct note (a dump repeats `Failed to fetch`
/// thousands of times): the first line, and how many more there are.
fn note_docs(notes: &[Note]) -> Vec<NoteDoc> {
    let mut docs: Vec<NoteDoc> = Vec::new();
    let mut seen: std::collections::HashMap<NoteKey<'_>, usize> = std::collections::HashMap::new();
    for n in notes {
        let key = (n.kind, n.browser, n.url.as_deref(), n.status);
        match seen.get(&key) {
            Some(&i) => docs[i].repeated += 1,
            None => {
                seen.insert(key, docs.len());
                docs.push(note_doc(n));
            }
        }
    }
    docs
}

fn note_doc(n: &Note) -> NoteDoc {
    NoteDoc {
        repeated: 0,
        line: n.line,
        kind: n.kind.id(),
        browser: n.browser.map(|b| b.id()),
        cors: n.kind.is_cors(),
        url: n.url.clone(),
        status: n.status,
        meaning: n.kind.meaning(n.browser),
        check: n
            .url
            .as_deref()
            .filter(|u| u.starts_with("http"))
            .map(|u| format!("cors-doctor check {} --origin ORIGIN", quote(u))),
    }
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
