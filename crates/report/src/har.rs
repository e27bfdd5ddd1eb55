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

use cors_engine::{Finding, Severity, Verdict};
use cors_har::{host_of, HarFetch, HarReport, Judgement, CREDENTIALED_DETAILS};
use serde::Serialize;

use crate::style::Palette;

pub const HAR_SCHEMA: &str = "cors-doctor/har/v1";

/// `url` as shown: credential-like query values hidden unless `show_secrets`.
pub fn redact_url(url: &str, show_secrets: bool) -> String {
    if show_secrets {
        url.to_string()
    } else {
        cors_har::redact_url(url)
    }
}

/// What kind of line a fetch gets in the details.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord)]
enum Group {
    Blocked,
    NoResponse,
    BlockedIfCredentialed,
    CachedPreflight,
    HttpCache,
    Risky,
    Fine,
}

fn group_of(fetch: &HarFetch, report: &HarReport) -> Group {
    if fetch.replay.is_none() {
        if let Judgement::NoResponse { .. } = fetch.judgement {
            return Group::NoResponse;
        }
    }
    if fetch.verdict() != Verdict::Allowed {
        return Group::Blocked;
    }
    let judged = fetch.judged();
    if fetch.replay.is_none() && fetch.blocked_if_credentialed {
        Group::BlockedIfCredentialed
    } else if judged.is_some_and(|j| j.from_http_cache) {
        Group::HttpCache
    } else if report.records_preflights && judged.is_some_and(|j| j.preflight_from_cache) {
        Group::CachedPreflight
    } else if fetch
        .findings()
        .iter()
        .any(|f| f.severity == Severity::Warning)
    {
        Group::Risky
    } else {
        Group::Fine
    }
}

fn group_id(group: Group) -> &'static str {
    match group {
        Group::Blocked => "blocked",
        Group::NoResponse => "no-response",
        Group::BlockedIfCredentialed => "blocked-if-credentialed",
        Group::HttpCache => "http-cache",
        Group::CachedPreflight => "cached-preflight",
        Group::Risky => "risky",
        Group::Fine => "ok",
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
        if fetch.verdict() == Verdict::Allowed {
            row.allowed += 1;
        } else {
            row.blocked += 1;
            match fetch
                .findings()
                .iter()
                .find(|f| f.severity == Severity::Blocking)
            {
                Some(f) => *row.causes.entry(f.id.slug()).or_default() += 1,
                None => *row.causes.entry("no-response-recorded").or_default() += 1,
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
        (
            Group::NoResponse,
            "Failed, and the recording holds no response",
        ),
        (
            Group::BlockedIfCredentialed,
            "Allowed as recorded, blocked if the page sends credentials",
        ),
        (Group::HttpCache, "Served from the HTTP cache"),
        (
            Group::CachedPreflight,
            "Allowed thanks to a cached preflight",
        ),
        (Group::Risky, "Allowed, but risky"),
    ];
    for (group, title) in sections {
        let members: Vec<&&HarFetch> = fetches
            .iter()
            .filter(|f| group_of(f, report) == group)
            .collect();
        if members.is_empty() {
            continue;
        }
        let _ = writeln!(
            out,
            "\n{}",
            p.heading(&format!("{title} ({})", members.len()))
        );
        if group == Group::NoResponse {
            let _ = writeln!(
                out,
                "  The browser reported a failure, and the file holds no response headers for it\n  (Playwright, and some exporters, drop them when CORS blocks a request), so the\n  cause is not in the file: run with --replay to send each request again and see why."
            );
        }
        let mut unshown = 0;
        for fetch in members {
            if group == Group::BlockedIfCredentialed && fetch.if_credentialed.is_none() {
                unshown += 1;
                continue;
            }
            render_fetch(&mut out, fetch, report, p, show_secrets, group);
        }
        if unshown > 0 {
            let _ = writeln!(
                out,
                "  … and {unshown} more like these (the first {CREDENTIALED_DETAILS} per page origin → API host are shown; --json lists every one)"
            );
        }
    }
    let fine = fetches
        .iter()
        .filter(|f| group_of(f, report) == Group::Fine)
        .count();
    if !report.records_preflights
        && fetches
            .iter()
            .any(|f| f.judged().is_some_and(|j| j.preflight_from_cache))
    {
        let _ = writeln!(
            out,
            "\nThis recording holds no preflights at all ({} never records them), so whether a preflight came from the cache cannot be told.",
            if report.creator.is_empty() { "its exporter" } else { &report.creator }
        );
    }
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
    let mark = if fetch.verdict() == Verdict::Allowed {
        p.good("✓")
    } else {
        p.bad("✗")
    };
    let inferred = if fetch.origin_inferred {
        " (the page's; the recorded headers lack Origin)"
    } else {
        ""
    };
    let _ = writeln!(
        out,
        "  {mark} {} {}  · {} · from {}{inferred}",
        fetch.method,
        redact_url(&fetch.url, show_secrets),
        entry_label(fetch),
        fetch.origin
    );
    let browser = report.browser.display_name();
    match (&fetch.judgement, group) {
        (Judgement::NoResponse { error }, _) => {
            let _ = writeln!(
                out,
                "    {browser} reported {error}, with no response recorded"
            );
        }
        (_, Group::CachedPreflight) => {
            let _ = writeln!(
                out,
                "    no preflight was recorded before it: {browser} answered it from its preflight cache, filled by an earlier one; a cold cache sends a new preflight"
            );
        }
        (_, Group::BlockedIfCredentialed) => {
            if let Some(again) = &fetch.if_credentialed {
                let _ = writeln!(
                    out,
                    "    no cookie was sent, so the file cannot tell whether the page asked for credentials; with credentials: 'include' (or withCredentials) {browser} blocks it:"
                );
                for line in &again.outcome.console {
                    let _ = writeln!(out, "      {}", p.dim(line));
                }
                render_findings(out, &again.outcome.findings, p);
            }
        }
        (_, Group::HttpCache) => {
            let _ = writeln!(
                out,
                "    the response came from the HTTP cache, with the CORS headers it was stored with"
            );
        }
        _ => {}
    }
    if let Some(replay) = &fetch.replay {
        let said = match &replay.error {
            Some(e) => format!("could not be sent again: {e}"),
            None if replay.assumed_credentials => format!(
                "sent again now: {} with credentials (without them it passes, and the browser failed it, so the page must send credentials: 'include'; the recording does not say)",
                replay.verdict.id()
            ),
            None => format!("sent again now: {}", replay.verdict.id()),
        };
        let _ = writeln!(out, "    --replay: {said}");
    }
    if !fetch.console().is_empty() {
        let _ = writeln!(out, "    {browser} console:");
        for line in fetch.console() {
            let _ = writeln!(out, "      {}", p.dim(line));
        }
    }
    render_findings(out, fetch.findings(), p);
}

pub(crate) fn render_findings(out: &mut String, findings: &[Finding], p: &Palette) {
    for finding in findings {
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

/// `cors-doctor/har/v1`. The fetches are written one by one as the
/// document is serialized, not built first: a long recording's report is
/// never held twice.
#[derive(Serialize)]
pub struct HarDocument<'a> {
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
    pub fetches: FetchDocs<'a>,
}

/// The `fetches` array of [`HarDocument`], rendered as it is written.
pub struct FetchDocs<'a> {
    report: &'a HarReport,
    show_secrets: bool,
}

impl Serialize for FetchDocs<'_> {
    fn serialize<S: serde::Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        serializer.collect_seq(self.report.pages.iter().flat_map(|page| {
            page.fetches.iter().map(move |fetch| {
                fetch_doc(self.report, page.page.as_deref(), fetch, self.show_secrets)
            })
        }))
    }
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
    pub origin_inferred: bool,
    pub verdict: &'static str,
    pub allowed: bool,
    /// "blocked", "no-response", "http-cache", "cached-preflight", "risky" or "ok".
    pub group: &'static str,
    /// The failure the recording holds instead of a response (`net::ERR_FAILED`).
    pub recorded_error: Option<String>,
    /// Whether `--replay` sent it again (verdict, console and findings are then the replay's).
    pub replayed: bool,
    pub replay_error: Option<String>,
    /// The replay was sent with credentials, which the recording does not show (see the text report).
    pub replay_assumed_credentials: bool,
    pub preflight_from_cache: bool,
    pub from_http_cache: bool,
    pub console: Vec<String>,
    pub findings: Vec<FindingDoc>,
    /// Allowed as recorded, but no cookie was sent: what the browser does
    /// when the page sends credentials, when it blocks it.
    pub if_credentialed: Option<CredentialedDoc>,
    /// Allowed as recorded, blocked if credentialed (`if_credentialed` has
    /// the details for the first 20 per page origin → API host).
    pub blocked_if_credentialed: bool,
}

#[derive(Serialize)]
pub struct CredentialedDoc {
    pub verdict: &'static str,
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

fn fetch_doc(
    report: &HarReport,
    page: Option<&str>,
    fetch: &HarFetch,
    show_secrets: bool,
) -> FetchDoc {
    let judged = fetch.judged();
    FetchDoc {
        entry: fetch.entry,
        preflight_entry: fetch.preflight_entry,
        redirect_entries: fetch.hop_entries.clone(),
        page: page.map(|u| redact_url(u, show_secrets)),
        origin: fetch.origin.clone(),
        method: fetch.method.clone(),
        url: redact_url(&fetch.url, show_secrets),
        origin_inferred: fetch.origin_inferred,
        verdict: fetch.verdict().id(),
        allowed: fetch.verdict() == Verdict::Allowed,
        group: group_id(group_of(fetch, report)),
        recorded_error: match &fetch.judgement {
            Judgement::NoResponse { error } => Some(error.clone()),
            Judgement::Judged(_) => None,
        },
        replayed: fetch.replay.is_some(),
        replay_error: fetch.replay.as_ref().and_then(|r| r.error.clone()),
        replay_assumed_credentials: fetch.replay.as_ref().is_some_and(|r| r.assumed_credentials),
        preflight_from_cache: report.records_preflights
            && judged.is_some_and(|j| j.preflight_from_cache),
        from_http_cache: judged.is_some_and(|j| j.from_http_cache),
        console: fetch.console().to_vec(),
        findings: finding_docs(fetch.findings()),
        blocked_if_credentialed: fetch.blocked_if_credentialed,
        if_credentialed: fetch.if_credentialed.as_ref().map(|again| CredentialedDoc {
            verdict: again.outcome.verdict.id(),
            console: again.outcome.console.clone(),
            findings: finding_docs(&again.outcome.findings),
        }),
    }
}

pub(crate) fn finding_docs(findings: &[Finding]) -> Vec<FindingDoc> {
    findings
        .iter()
        .map(|f| FindingDoc {
            id: f.id.slug(),
            title: f.entry().title,
            severity: f.severity.id(),
            cause: f.entry().cause.id(),
            message: f.message.clone(),
            fix: f.fix(),
        })
        .collect()
}

pub fn har_to_json<'a>(report: &'a HarReport, file: &str, show_secrets: bool) -> HarDocument<'a> {
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
        fetches: FetchDocs {
            report,
            show_secrets,
        },
    }
}
