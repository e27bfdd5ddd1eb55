//! `explain`'s report: the wire types of schema `cors-doctor/explain/v1`
//! (see docs/json-schema.md) and their terminal rendering. The CLI fills
//! the document from the engine's recognition; both views render it.

use crate::style::Palette;
use serde::Serialize;
use std::fmt::Write as _;

pub const EXPLAIN_SCHEMA: &str = "cors-doctor/explain/v1";
/// `explain ID --json`: one catalogue entry, a document of its own shape.
pub const EXPLAIN_ENTRY_SCHEMA: &str = "cors-doctor/explain-entry/v1";

/// Everything `explain` says about one paste.
#[derive(Serialize, Debug, Default)]
pub struct ExplainDocument {
    pub schema: &'static str,
    /// Every CORS console message, in order.
    pub messages: Vec<MessageDoc>,
    /// DevTools network lines (`GET U net::ERR_FAILED 200`).
    pub network: Vec<NetworkDoc>,
    /// What else was recognised: script-side errors, non-CORS errors.
    pub notes: Vec<NoteDoc>,
    /// One sentence per note, as the text view prints them.
    pub unrecognized_hints: Vec<String>,
    /// When nothing was recognised: the catalogue entries whose words are
    /// closest to the text.
    pub closest: Vec<&'static str>,
}

#[derive(Serialize, Debug)]
pub struct MessageDoc {
    pub line: usize,
    pub browser: &'static str,
    pub id: &'static str,
    pub candidates: Vec<&'static str>,
    pub legacy: bool,
    pub title: &'static str,
    pub cause: &'static str,
    pub stage: &'static str,
    pub url: Option<String>,
    pub redirected_from: Option<String>,
    pub origin: Option<String>,
    pub method: Option<String>,
    pub header: Option<String>,
    pub value: Option<String>,
    pub status: Option<u16>,
    pub explanation: String,
    pub fix: String,
    pub check: Option<String>,
    pub probe: Option<ProbeDoc>,
}

#[derive(Serialize, Debug)]
pub struct ProbeDoc {
    pub still_blocked_in: Vec<&'static str>,
    pub allowed_in: Vec<&'static str>,
    pub findings: Vec<&'static str>,
    pub error: Option<String>,
}

#[derive(Serialize, Debug)]
pub struct NetworkDoc {
    pub line: usize,
    pub method: Option<String>,
    pub url: Option<String>,
    /// Chromium's net error name (`ERR_FAILED`), without `net::`.
    pub error: Option<String>,
    pub status: Option<u16>,
    pub meaning: String,
    /// Index into `messages` of the CORS message this line accompanies.
    pub message: Option<usize>,
}

#[derive(Serialize, Debug)]
pub struct NoteDoc {
    /// The first line that says it.
    pub line: usize,
    /// How many more lines say the same (same kind, browser, URL, status).
    pub repeated: usize,
    /// `script-error`, `cross-origin-frame`, `tainted-canvas`, `csp`,
    /// `blocked-by-client`, `http-status`, `not-allowed-to-request`,
    /// `access-control-checks`.
    pub kind: &'static str,
    pub browser: Option<&'static str>,
    /// Whether the note is about a CORS failure (one that names no reason).
    pub cors: bool,
    pub url: Option<String>,
    pub status: Option<u16>,
    pub meaning: String,
    pub check: Option<String>,
}

/// Browser ids as people know them.
fn browser_name(id: &str) -> &str {
    cors_engine::Browser::from_id(id).map_or(id, |b| b.display_name())
}

/// The text view.
pub fn render_explain(doc: &ExplainDocument, p: Palette) -> String {
    let mut text = String::new();
    let mut accompanying: Vec<Vec<&NetworkDoc>> = vec![Vec::new(); doc.messages.len()];
    for n in &doc.network {
        if let Some(list) = n.message.and_then(|i| accompanying.get_mut(i)) {
            list.push(n);
        }
    }
    for (m, network) in doc.messages.iter().zip(&accompanying) {
        let _ = writeln!(
            text,
            "{} (line {}) {} [{}]{}",
            p.heading(browser_name(m.browser)),
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
        for n in network {
            let _ = writeln!(
                text,
                "  with (line {}): {} — {}",
                n.line,
                network_words(n),
                n.meaning
            );
        }
        if let Some(probe) = &m.probe {
            render_probe(&mut text, probe, p);
        }
        text.push('\n');
    }
    for n in doc.network.iter().filter(|n| n.message.is_none()) {
        let _ = writeln!(
            text,
            "{} (line {}) {} — {}",
            p.heading("Network"),
            n.line,
            p.code(&network_words(n)),
            n.meaning
        );
    }
    for h in &doc.unrecognized_hints {
        let _ = writeln!(text, "{} {h}", p.warn("note:"));
    }
    text
}

fn render_probe(text: &mut String, probe: &ProbeDoc, p: Palette) {
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

/// `GET https://… net::ERR_FAILED 200`, as DevTools shows it.
fn network_words(n: &NetworkDoc) -> String {
    let mut words: Vec<String> = Vec::new();
    words.extend(n.method.clone());
    words.extend(n.url.clone());
    words.extend(n.error.as_ref().map(|e| format!("net::{e}")));
    words.extend(n.status.map(|s| s.to_string()));
    words.join(" ")
}
