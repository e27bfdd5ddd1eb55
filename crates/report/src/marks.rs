//! Which response lines of an exchange the browsers accepted (✓), warned
//! about (!) or refused (✗), and the lines a finding names that the
//! response lacks: one computation for `check`'s transcript, its JSON and
//! `serve`'s page.

use crate::findings::MergedFinding;
use crate::words::{header_of, is_relevant_response_header};
use cors_engine::{FindingId, RequestPurpose, Severity};
use cors_probe::CheckReport;

/// What the browsers made of one response line.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Mark {
    /// Shown for context (Content-Type, Server, …): no CORS check reads it.
    Plain,
    /// A CORS line the browsers accepted.
    Ok,
    /// A finding of lower severity names it.
    Warning(FindingId),
    /// A browser refused the response because of it.
    Blocking(FindingId),
}

impl Mark {
    pub fn id(self) -> Option<&'static str> {
        match self {
            Mark::Plain => None,
            Mark::Ok => Some("ok"),
            Mark::Warning(_) => Some("warning"),
            Mark::Blocking(_) => Some("blocking"),
        }
    }

    pub fn finding(self) -> Option<FindingId> {
        match self {
            Mark::Warning(id) | Mark::Blocking(id) => Some(id),
            Mark::Plain | Mark::Ok => None,
        }
    }
}

/// One relevant response line, or one a finding names that is absent
/// (`value` is `None`).
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct LineMark<'a> {
    pub name: &'a str,
    pub value: Option<&'a str>,
    pub mark: Mark,
}

/// The marks of one exchange's response.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct ExchangeMarks<'a> {
    /// A browser refused the status (a preflight's non-2xx, a redirect).
    pub status_refused: bool,
    pub lines: Vec<LineMark<'a>>,
}

/// Whether `finding` is about exchange `index`: a blocking finding about
/// the last exchange a browser went through; another about the last
/// exchange of its stage's purpose.
pub(crate) fn attached(report: &CheckReport, finding: &MergedFinding, index: usize) -> bool {
    let purpose = report
        .outcome
        .exchanges
        .get(index)
        .map(|e| e.request.purpose);
    finding.browsers.iter().any(|browser| {
        let Some(b) = report.outcome.get(*browser) else {
            return false;
        };
        match finding.severity {
            Severity::Blocking => b.steps.last() == Some(&index),
            _ => {
                let wanted = match finding.stage {
                    cors_engine::Stage::Preflight => Some(RequestPurpose::Preflight),
                    _ => Some(RequestPurpose::Actual),
                };
                purpose == wanted
                    && b.steps.iter().rev().find(|i| {
                        report.outcome.exchanges.get(**i).map(|e| e.request.purpose) == wanted
                    }) == Some(&index)
            }
        }
    })
}

/// The marks of exchange `index`, whose response lines are `headers`.
pub fn exchange_marks<'a>(
    report: &CheckReport,
    headers: &'a [(String, String)],
    index: usize,
    findings: &[MergedFinding],
) -> ExchangeMarks<'a> {
    let here: Vec<&MergedFinding> = findings
        .iter()
        .filter(|f| attached(report, f, index))
        .collect();
    let status_refused = here.iter().any(|f| {
        f.severity == Severity::Blocking
            && matches!(
                f.id,
                FindingId::PreflightStatusNotOk | FindingId::PreflightRedirect
            )
    });
    let mut lines = Vec::new();
    for (name, value) in headers {
        if !is_relevant_response_header(name) {
            continue;
        }
        let implicated: Vec<&&MergedFinding> = here
            .iter()
            .filter(|f| header_of(f.id) == Some(name.as_str()))
            .collect();
        let mark = if let Some(f) = implicated.iter().find(|f| f.severity == Severity::Blocking) {
            Mark::Blocking(f.id)
        } else if let Some(f) = implicated.first() {
            Mark::Warning(f.id)
        } else if name.starts_with("access-control-") {
            Mark::Ok
        } else {
            Mark::Plain
        };
        lines.push(LineMark {
            name,
            value: Some(value),
            mark,
        });
    }
    for f in &here {
        let Some(name) = header_of(f.id) else {
            continue;
        };
        if name == "location" || lines.iter().any(|l| l.name.eq_ignore_ascii_case(name)) {
            continue;
        }
        lines.push(LineMark {
            name,
            value: None,
            mark: if f.severity == Severity::Blocking {
                Mark::Blocking(f.id)
            } else {
                Mark::Warning(f.id)
            },
        });
    }
    ExchangeMarks {
        status_refused,
        lines,
    }
}
