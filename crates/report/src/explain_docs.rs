//! The documents `explain` renders, built from what the engine recognised
//! and from the catalogue: one message, network line or note each, the
//! `check` command that reproduces a message, the catalogue listing and one
//! entry. `explain.rs` renders them as text; `--json` prints them as they are.

use crate::explain::{MessageDoc, NetworkDoc, NoteDoc, EXPLAIN_ENTRY_SCHEMA};
use crate::style::Palette;
use cors_engine::catalogue::{entries, entry, FindingId};
use cors_engine::recognize::{NetworkLine, Note, NoteKind, Recognized};
use cors_engine::{Browser, Stage};
use serde::Serialize;
use std::fmt::Write as _;

/// The `check` command that reproduces a recognised message.
pub fn check_command(finding: &cors_engine::Finding, stage: Stage) -> Option<String> {
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

/// `text` quoted for a POSIX shell when it needs it (explain's own rule,
/// which leaves `=` bare, unlike `curl.rs`'s).
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

/// One row of `explain --list --json`.
#[derive(Serialize)]
pub struct CatalogueRow {
    pub id: &'static str,
    pub title: &'static str,
    pub cause: &'static str,
    pub severity: &'static str,
    pub legacy_only: bool,
    pub browsers: Vec<&'static str>,
}

/// The browsers that print entry `e`'s message.
fn printed_by(e: &cors_engine::Entry) -> Vec<&'static str> {
    Browser::ALL
        .into_iter()
        .filter(|b| e.template(*b).is_some())
        .map(|b| b.id())
        .collect()
}

/// Every catalogue entry, for `explain --list --json`.
pub fn catalogue_rows() -> Vec<CatalogueRow> {
    entries()
        .iter()
        .map(|e| CatalogueRow {
            id: e.id.slug(),
            title: e.title,
            cause: e.cause.id(),
            severity: e.severity.id(),
            legacy_only: e.legacy_only,
            browsers: printed_by(e),
        })
        .collect()
}

/// `explain --list` as text: one entry per line.
pub fn render_catalogue() -> String {
    let mut text = String::new();
    for e in entries() {
        let browsers = printed_by(e);
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
    text
}

/// `explain ID --json`: one catalogue entry.
#[derive(Serialize)]
pub struct EntryDoc {
    pub schema: &'static str,
    pub id: &'static str,
    pub title: &'static str,
    pub cause: &'static str,
    pub explanation: &'static str,
    pub fix: &'static str,
    pub reference: &'static str,
    pub messages: std::collections::BTreeMap<&'static str, &'static str>,
}

impl EntryDoc {
    pub fn of(id: FindingId) -> EntryDoc {
        let e = entry(id);
        EntryDoc {
            schema: EXPLAIN_ENTRY_SCHEMA,
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
        }
    }
}

/// `explain ID` as text.
pub fn render_entry(id: FindingId, p: Palette) -> String {
    let e = entry(id);
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
    text
}

const CLOSEST_SCAN: usize = 64 * 1024;
const CLOSEST_WORDS: usize = 2048;

/// Entries whose words overlap most with the text, for unrecognised input.
pub fn closest(text: &str) -> Vec<&'static str> {
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

/// The document of one recognised message.
pub fn message_doc(r: &Recognized) -> MessageDoc {
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
pub struct MessageIndex<'a> {
    by_url: std::collections::HashMap<&'a str, usize>,
    lines: Vec<usize>,
}

impl<'a> MessageIndex<'a> {
    pub fn new(messages: &'a [Recognized]) -> MessageIndex<'a> {
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

/// The document of one network line.
pub fn network_doc(n: &NetworkLine, messages: &MessageIndex<'_>) -> NetworkDoc {
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
pub fn note_docs(notes: &[Note]) -> Vec<NoteDoc> {
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

/// The notes as hint lines beside the messages (script-side errors only
/// when no console line gives the reason).
pub fn hints(notes: &[NoteDoc], has_messages: bool) -> Vec<String> {
    notes
        .iter()
        .filter(|n| !has_messages || n.kind != NoteKind::ScriptError.id())
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
        .collect()
}
