//! `cors-doctor explain`: recognises browser console messages in pasted text
//! (or takes a catalogue id) and explains each: which browser, what failed,
//! the cause, the fix and the `check` command that reproduces it.

use crate::cli::ExplainArgs;
use crate::exit::{self, Failure};
use crate::output::Output;
use cors_engine::catalogue::FindingId;
use cors_engine::recognize::{Recognized, Recognizer};
use cors_engine::{Browser, Stage};
use cors_report::explain::{
    render_explain, ExplainDocument, MessageDoc, NetworkDoc, ProbeDoc, EXPLAIN_SCHEMA,
};
use cors_report::explain_docs::{
    catalogue_rows, closest, hints, message_doc, network_doc, note_docs, render_catalogue,
    render_entry, EntryDoc, MessageIndex,
};
use std::fmt::Write as _;

pub fn run(args: &ExplainArgs, out: &mut Output) -> Result<u8, Failure> {
    if args.list {
        if args.json {
            out.json(&catalogue_rows())?;
        } else {
            out.print(&render_catalogue());
        }
        return Ok(exit::OK);
    }
    if args.text.len() == 1 && args.file.is_none() {
        if let Some(id) = FindingId::from_slug(args.text[0].trim()) {
            if args.json {
                out.json(&EntryDoc::of(id))?;
            } else {
                out.print(&render_entry(id, out.palette()));
            }
            return Ok(exit::OK);
        }
    }
    let (doc, nothing) = document(args)?;
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

/// The explanation of the text `args` name (its probes run when asked),
/// and whether nothing at all was recognised. `serve` answers with it too.
pub fn document(args: &ExplainArgs) -> Result<(ExplainDocument, bool), Failure> {
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
    let hints = hints(&notes, !messages.is_empty());
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
    Ok((doc, nothing))
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
                    .fold(Vec::new(), |mut ids, b| {
                        // Each blocking finding once, as browsers agree on most.
                        if let Some(id) = b.blocking().map(|f| f.id.slug()) {
                            if !ids.contains(&id) {
                                ids.push(id);
                            }
                        }
                        ids
                    }),
                error: None,
            }
        }
    }
}
