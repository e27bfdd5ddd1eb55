//! `cors-doctor har`: the report of a judged HAR file — who recorded it,
//! a summary per page origin → API host (allowed, blocked, by cause), then
//! the details: what was blocked (with the recording browser's console
//! lines, the cause and the fix), what succeeded only thanks to a cached
//! preflight, what came from the HTTP cache, and what works but is risky.
//! Text and JSON (`cors-doctor/har/v1`) render the same [`HarReport`].
//! Secrets never show: query values that look like credentials are
//! replaced unless `show_secrets`.

use std::collections::BTreeMap;
use std::fmt::Write;

use cors_engine::{Severity, Verdict};
use cors_har::{HarFetch, HarReport};
use serde::Serialize;
use url::Url;

use crate::style::Palette;

pub const HAR_SCHEMA: &str = "cors-doctor/har/v1";

/// Query parameters whose values are credentials.
fn is_secret_parameter(name: &str) -> bool {
    let name = name.to_ascii_lowercase();
    [
        "token",
        "key",
        "secret",
        "password",
        "passwd",
        "auth",
        "session",
        "sig",
        "signature",
        "code",
        "credential",
        "jwt",
        "bearer",
    ]
    .iter()
    .any(|s| name.contains(s))
}

/// `url` with credential-like query values replaced by `[redacted]`.
pub fn redact_url(url: &str, show_secrets: bool) -> String {
    if show_secrets {
        return url.to_string();
    }
    let Ok(mut parsed) = Url::parse(url) else {
        return url.to_string();
    };
    if parsed.query().is_none() {
        return url.to_string();
    }
    let pairs: Vec<(String, String)> = parsed
        .query_pairs()
        .map(|(k, v)| {
            let v = if is_secret_parameter(&k) {
                "[redacted]".to_string()
            } else {
                v.into_owned()
            };
            (k.into_owned(), v)
        })
        .collect();
    parsed.query_pairs_mut().clear().extend_pairs(pairs);
    if !parsed.username().is_empty() || parsed.password().is_some() {
        let _ = parsed.set_username("");
        let _ = parsed.set_password(None);
    }
    parsed.to_string()
}

fn host_of(url: &str) -> String {
    Url::parse(url)
        .ok()
        .and_then(|u| {
            u.host_str().map(|h| match u.port() {
                Some(p) => format!("{h}:{p}"),
                None => h.to_string(),
            })
        })
        .unwrap_or_else(|| url.to_string())
}

/// What kind of line a fetch gets in the details.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord)]
enum Group {
    Blocked,
    CachedPreflight,
    HttpCache,
    Risky,
    Fine,
}

fn group_of(fetch: &HarFetch) -> Group {
    let outcome = &fetch.judged.outcome;
    if outcome.verdict != Verdict::Allowed {
        Group::Blocked
    } else if fetch.judged.from_http_cache {
        Group::HttpCache
    } else if fetch.judged.preflight_from_cache {
        Group::CachedPreflight
    } else if outcome
        .findings
        .iter()
        .any(|f| f.severity == Severity::Warning)
    {
        Group::Risky
    } else {
        Group::Fine
    }
}

/// The summary rows, one per page origin → API host, in that order.
fn summary(report: &HarReport) -> Vec<SummaryRow> {
    let mut rows: BTreeMap<(String, String), SummaryRow> = BTreeMap::new();
    for fetch in report.fetches() {
        let (origin, host) = (fetch.origin.clone(), host_of(&fetch.url));
        let row = rows
            .entry((origin.clone(), host.clone()))
            .or_insert_with(|| SummaryRow {
                origin,
                host,
                allowed: 0,
                blocked: 0,
                causes: BTreeMap::new(),
            });
        let outcome = &fetch.judged.outcome;
        if outcome.verdict == Verdict::Allowed {
            row.allowed += 1;
        } else {
            row.blocked += 1;
            if let Some(f) = outcome.blocking() {
                *row.causes.entry(f.id.slug()).or_default() += 1;
            }
        }
    }
    rows.into_values().collect()
}

fn entry_label(fetch: &HarFetch) -> String {
    let mut label = format!("entry #{}", fetch.entry + 1);
    if let Some(p) = fetch.preflight_entry {
        let _ = write!(label, ", preflight #{}", p + 1);
    }
    if !fetch.hop_entries.is_empty() {
        let hops: Vec<String> = fetch
            .hop_entries
            .iter()
            .map(|h| format!("#{}", h + 1))
            .collect();
        let _ = write!(label, ", redirects {}", hops.join(" "));
    }
    label
}

/// The text report.
pub fn render_har(report: &HarReport, file: &str, p: &Palette, show_secrets: bool) -> String {
    let mut out = String::new();
    let fetches: Vec<&HarFetch> = report.fetches().collect();
    let _ = writeln!(out, "{}", p.heading(&format!("cors-doctor har {file}")));
    let _ = writeln!(
        out,
        "  recorded by {} ({}) · written by {}",
        report.browser.display_name(),
        report.browser_evidence,
        if report.creator.is_empty() {
            "an unnamed tool"
        } else {
            &report.creator
        }
    );
    let _ = writeln!(
        out,
        "  {} entries, {} with an Origin header: {} cross-origin fetches on {} page(s)",
        report.total_entries,
        report.cross_origin_entries,
        fetches.len(),
        report.pages.len()
    );
    if !report.unreadable_entries.is_empty() {
        let _ = writeln!(
            out,
            "  {} entries skipped: their URL is not an absolute http(s) URL",
            report.unreadable_entries.len()
        );
    }
    if fetches.is_empty() {
        let _ = writeln!(
            out,
            "\nNo cross-origin request made by a script is in this recording (none carries an Origin header)."
        );
        return out;
    }
    let _ = writeln!(out, "\n{}", p.heading("Summary"));
    for row in summary(report) {
        let mut line = format!(
            "  {} → {}: {} allowed · ",
            row.origin, row.host, row.allowed
        );
        let blocked_text = format!("{} blocked", row.blocked);
        line.push_str(&if row.blocked > 0 {
            p.bad(&blocked_text)
        } else {
            blocked_text
        });
        if !row.causes.is_empty() {
            let list: Vec<String> = row
                .causes
                .iter()
                .map(|(id, n)| format!("{id} ×{n}"))
                .collect();
            let _ = write!(line, " ({})", list.join(", "));
        }
        let _ = writeln!(out, "{line}");
    }
    let sections = [
        (Group::Blocked, "Blocked"),
        (Group::HttpCache, "Served from the HTTP cache"),
        (
            Group::CachedPreflight,
            "Allowed thanks to a cached preflight",
        ),
        (Group::Risky, "Allowed, but risky"),
    ];
    for (group, title) in sections {
        let members: Vec<&&HarFetch> = fetches.iter().filter(|f| group_of(f) == group).collect();
        if members.is_empty() {
            continue;
        }
        let _ = writeln!(
            out,
            "\n{}",
            p.heading(&format!("{title} ({})", members.len()))
        );
        for fetch in members {
            render_fetch(&mut out, fetch, report, p, show_secrets, group);
        }
    }
    let fine = fetches
        .iter()
        .filter(|f| group_of(f) == Group::Fine)
        .count();
    if fine > 0 {
        let _ = writeln!(
            out,
            "\n{} other fetches were allowed with nothing to report.",
            fine
        );
    }
    out
}

fn render_fetch(
    out: &mut String,
    fetch: &HarFetch,
    report: &HarReport,
    p: &Palette,
    show_secrets: bool,
    group: Group,
) {
    let outcome = &fetch.judged.outcome;
    let mark = if group == Group::Blocked {
        p.bad("✗")
    } else {
        p.good("✓")
    };
    let _ = writeln!(
        out,
        "  {mark} {} {}  · {} · from {}",
        fetch.method,
        redact_url(&fetch.url, show_secrets),
        entry_label(fetch),
        fetch.origin
    );
    match group {
        Group::CachedPreflight => {
            let _ = writeln!(
                out,
                "    no preflight was recorded before it: {} answered it from its preflight cache, filled by an earlier one; a cold cache sends a new preflight",
                report.browser.display_name()
            );
        }
        Group::HttpCache => {
            let _ = writeln!(
                out,
                "    the response came from the HTTP cache, with the CORS headers it was stored with"
            );
        }
        _ => {}
    }
    if !outcome.console.is_empty() {
        let _ = writeln!(out, "    {} console:", report.browser.display_name());
        for line in &outcome.console {
            let _ = writeln!(out, "      {}", p.dim(line));
        }
    }
    for finding in &outcome.findings {
        if finding.severity == Severity::Info {
            continue;
        }
        let entry = finding.entry();
        let _ = writeln!(
            out,
            "    {} [{}] · cause: {}",
            p.strong(entry.title),
            finding.id.slug(),
            entry.cause.describe()
        );
        let _ = writeln!(out, "      fix: {}", finding.fix());
    }
}

/// `cors-doctor/har/v1`.
#[derive(Serialize)]
pub struct HarDocument {
    pub schema: &'static str,
    pub tool_version: &'static str,
    pub file: String,
    pub browser: &'static str,
    pub browser_evidence: String,
    pub creator: String,
    pub total_entries: usize,
    pub cross_origin_entries: usize,
    pub unreadable_entries: Vec<usize>,
    pub summary: Vec<SummaryRow>,
    pub fetches: Vec<FetchDoc>,
}

#[derive(Serialize)]
pub struct SummaryRow {
    pub origin: String,
    pub host: String,
    pub allowed: usize,
    pub blocked: usize,
    pub causes: BTreeMap<&'static str, usize>,
}

#[derive(Serialize)]
pub struct FetchDoc {
    /// 0-based entry indexes into `log.entries`.
    pub entry: usize,
    pub preflight_entry: Option<usize>,
    pub redirect_entries: Vec<usize>,
    pub page: Option<String>,
    pub origin: String,
    pub method: String,
    pub url: String,
    pub verdict: &'static str,
    pub allowed: bool,
    /// "blocked", "http-cache", "cached-preflight", "risky" or "ok".
    pub group: &'static str,
    pub preflight_from_cache: bool,
    pub from_http_cache: bool,
    pub console: Vec<String>,
    pub findings: Vec<FindingDoc>,
}

#[derive(Serialize)]
pub struct FindingDoc {
    pub id: &'static str,
    pub title: &'static str,
    pub severity: &'static str,
    pub cause: &'static str,
    pub message: Option<String>,
    pub fix: String,
}

pub fn har_to_json(report: &HarReport, file: &str, show_secrets: bool) -> HarDocument {
    let mut fetches = Vec::new();
    for page in &report.pages {
        for fetch in &page.fetches {
            let outcome = &fetch.judged.outcome;
            fetches.push(FetchDoc {
                entry: fetch.entry,
                preflight_entry: fetch.preflight_entry,
                redirect_entries: fetch.hop_entries.clone(),
                page: page.page.as_deref().map(|u| redact_url(u, show_secrets)),
                origin: fetch.origin.clone(),
                method: fetch.method.clone(),
                url: redact_url(&fetch.url, show_secrets),
                verdict: outcome.verdict.id(),
                allowed: outcome.verdict == Verdict::Allowed,
                group: match group_of(fetch) {
                    Group::Blocked => "blocked",
                    Group::HttpCache => "http-cache",
                    Group::CachedPreflight => "cached-preflight",
                    Group::Risky => "risky",
                    Group::Fine => "ok",
                },
                preflight_from_cache: fetch.judged.preflight_from_cache,
                from_http_cache: fetch.judged.from_http_cache,
                console: outcome.console.clone(),
                findings: outcome
                    .findings
                    .iter()
                    .map(|f| FindingDoc {
                        id: f.id.slug(),
                        title: f.entry().title,
                        severity: f.severity.id(),
                        cause: f.entry().cause.id(),
                        message: f.message.clone(),
                        fix: f.fix(),
                    })
                    .collect(),
            });
        }
    }
    HarDocument {
        schema: HAR_SCHEMA,
        tool_version: env!("CARGO_PKG_VERSION"),
        file: file.to_string(),
        browser: report.browser.id(),
        browser_evidence: report.browser_evidence.clone(),
        creator: report.creator.clone(),
        total_entries: report.total_entries,
        cross_origin_entries: report.cross_origin_entries,
        unreadable_entries: report.unreadable_entries.clone(),
        summary: summary(report),
        fetches,
    }
}
