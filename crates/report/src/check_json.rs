//! The JSON document of `check --json`: schema `cors-doctor/check/v1`,
//! documented in docs/json-schema.md. These wire types are the contract;
//! engine and probe types never appear in JSON directly. Fields are only
//! ever added within a schema version, never renamed or removed.

use crate::curl::{curl_command, CurlOptions};
use crate::findings::merge;
use crate::marks::exchange_marks;
use crate::words::preflight_reason;
use cors_engine::{PreflightReason, RequestPurpose};
use cors_probe::CheckReport;
use serde::Serialize;
use std::collections::BTreeMap;

pub const CHECK_SCHEMA: &str = "cors-doctor/check/v1";

#[derive(Serialize)]
pub struct CheckDocument {
    pub schema: &'static str,
    pub tool_version: &'static str,
    pub request: RequestDoc,
    pub classification: ClassificationDoc,
    pub exchanges: Vec<ExchangeDoc>,
    pub browsers: BTreeMap<&'static str, BrowserDoc>,
    pub findings: Vec<FindingDoc>,
    pub second_origin: Option<SecondOriginDoc>,
    pub summary: SummaryDoc,
    /// With `check --fix-for TARGET` only (added in 0.1, additive).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub fix_config: Option<crate::fix_config::FixConfigDoc>,
}

#[derive(Clone, Debug, PartialEq, Eq, Serialize, serde::Deserialize)]
pub struct Header {
    pub name: String,
    pub value: String,
}

pub(crate) fn headers(list: &[(String, String)]) -> Vec<Header> {
    list.iter()
        .map(|(n, v)| Header {
            name: n.clone(),
            value: v.clone(),
        })
        .collect()
}

#[derive(Serialize)]
pub struct RequestDoc {
    pub page: String,
    pub origin: String,
    pub url: String,
    pub method: String,
    pub headers: Vec<Header>,
    pub mode: &'static str,
    pub credentials: &'static str,
    pub initiator: &'static str,
}

#[derive(Serialize)]
pub struct PreflightReasonDoc {
    pub kind: &'static str,
    pub method: Option<String>,
    pub header: Option<String>,
    pub description: String,
}

#[derive(Serialize)]
pub struct ClassificationDoc {
    pub same_origin: bool,
    pub cors: bool,
    pub blocked_before_network: Option<&'static str>,
    pub dropped_headers: Vec<String>,
    /// Per browser: whether a preflight is sent and why (they can differ).
    pub preflight: BTreeMap<&'static str, PreflightDoc>,
}

#[derive(Serialize)]
pub struct PreflightDoc {
    pub needed: bool,
    pub reasons: Vec<PreflightReasonDoc>,
    pub access_control_request_headers: Option<String>,
}

#[derive(Serialize)]
pub struct ExchangeDoc {
    pub index: usize,
    pub purpose: &'static str,
    pub request: SentRequestDoc,
    pub response: Option<ResponseDoc>,
    pub error: Option<ErrorDoc>,
    pub curl: String,
}

#[derive(Serialize)]
pub struct SentRequestDoc {
    pub method: String,
    pub url: String,
    /// Exactly the header lines sent (Host aside).
    pub headers: Vec<Header>,
    pub credentials: bool,
}

#[derive(Serialize)]
pub struct ResponseDoc {
    pub status: u16,
    pub http_version: String,
    pub headers: Vec<Header>,
    /// The body failed after these headers (the CORS check is on them).
    pub body_error: Option<String>,
    /// A browser refused the status (a preflight's non-2xx or redirect).
    pub status_refused: bool,
    /// The lines worth showing, each with what the browsers made of it,
    /// then the lines a finding names that the response lacks.
    pub marks: Vec<MarkDoc>,
}

/// One response line and what the browsers made of it.
#[derive(Serialize)]
pub struct MarkDoc {
    pub name: String,
    /// Null: the response lacks the line a finding names.
    pub value: Option<String>,
    /// `ok` (a CORS line the browsers accepted), `warning`, `blocking`,
    /// or null (shown for context only).
    pub mark: Option<&'static str>,
    pub finding: Option<&'static str>,
}

#[derive(Clone, Debug, PartialEq, Eq, Serialize, serde::Deserialize)]
pub struct ErrorDoc {
    pub stage: String,
    pub message: String,
    pub hint: Option<String>,
}

impl ErrorDoc {
    pub fn of(e: &cors_probe::error::ProbeError) -> ErrorDoc {
        ErrorDoc {
            stage: e.stage().id().to_string(),
            message: e.to_string(),
            hint: e.hint().map(str::to_string),
        }
    }
}

#[derive(Serialize)]
pub struct BrowserDoc {
    pub name: &'static str,
    pub verdict: &'static str,
    pub allowed: bool,
    /// Indexes into `exchanges`, in the order this browser went through them.
    pub exchanges: Vec<usize>,
    pub console: Vec<String>,
    pub findings: Vec<&'static str>,
    pub readable_response_headers: Option<Vec<String>>,
    pub preflight_cache_seconds: Option<u64>,
}

#[derive(Serialize)]
pub struct FindingDoc {
    pub id: &'static str,
    pub title: &'static str,
    pub severity: &'static str,
    pub cause: &'static str,
    pub cause_description: &'static str,
    pub stage: &'static str,
    pub browsers: Vec<&'static str>,
    pub messages: BTreeMap<&'static str, String>,
    pub explanation: String,
    pub fix: String,
    pub reference: &'static str,
    pub value: Option<String>,
}

#[derive(Serialize)]
pub struct SecondOriginDoc {
    pub origin: String,
    pub purpose: &'static str,
    pub status: u16,
    pub access_control_allow_origin: Option<String>,
    pub access_control_allow_credentials: Option<String>,
    pub vary_origin: bool,
}

#[derive(Serialize)]
pub struct SummaryDoc {
    pub allowed_in: Vec<&'static str>,
    pub blocked_in: Vec<&'static str>,
    pub browsers_differ: bool,
    pub requests_sent: usize,
}

pub(crate) fn purpose_id(p: RequestPurpose) -> &'static str {
    match p {
        RequestPurpose::Preflight => "preflight",
        RequestPurpose::Actual => "actual",
    }
}

/// Builds the document (serialise it with `serde_json`).
pub fn check_to_json(report: &CheckReport, curl: &CurlOptions) -> CheckDocument {
    let r = &report.request;
    let first = report.outcome.browsers.first().map(|b| &b.classification);
    let mut preflight = BTreeMap::new();
    for b in &report.outcome.browsers {
        let c = &b.classification;
        preflight.insert(
            b.browser.id(),
            PreflightDoc {
                needed: c.needs_preflight(),
                reasons: c
                    .preflight_reasons()
                    .iter()
                    .map(|reason| PreflightReasonDoc {
                        kind: match reason {
                            PreflightReason::Method(_) => "method",
                            PreflightReason::Header(_) => "header",
                            PreflightReason::Forced => "forced",
                        },
                        method: match reason {
                            PreflightReason::Method(m) => Some(m.clone()),
                            _ => None,
                        },
                        header: match reason {
                            PreflightReason::Header(h) => Some(h.name.clone()),
                            _ => None,
                        },
                        description: preflight_reason(reason),
                    })
                    .collect(),
                access_control_request_headers: c.access_control_request_headers.clone(),
            },
        );
    }
    let merged = merge(&report.outcome, &report.cross_request_findings);
    let exchanges = report
        .wire
        .iter()
        .enumerate()
        .map(|(index, wire)| {
            let (sent_headers, response, error, outgoing) = match &wire.result {
                Ok(x) => (
                    headers(&x.request.headers),
                    Some(response_doc(report, x, index, &merged)),
                    None,
                    x.request.clone(),
                ),
                Err(e) => {
                    let outgoing = cors_probe::OutgoingRequest {
                        method: wire.planned.method.clone(),
                        url: wire.planned.url.clone(),
                        headers: wire.planned.owned_headers(),
                        body: None,
                    };
                    (
                        headers(&wire.planned.owned_headers()),
                        None,
                        Some(ErrorDoc::of(e)),
                        outgoing,
                    )
                }
            };
            ExchangeDoc {
                index,
                purpose: purpose_id(wire.planned.purpose),
                request: SentRequestDoc {
                    method: wire.planned.method.clone(),
                    url: wire.planned.url.to_string(),
                    headers: sent_headers,
                    credentials: wire.planned.credentials,
                },
                response,
                error,
                curl: curl_command(&outgoing, curl, wire.planned.credentials),
            }
        })
        .collect();
    let mut browsers = BTreeMap::new();
    for b in &report.outcome.browsers {
        browsers.insert(
            b.browser.id(),
            BrowserDoc {
                name: b.browser.display_name(),
                verdict: b.verdict.id(),
                allowed: b.verdict == cors_engine::Verdict::Allowed,
                exchanges: b.steps.clone(),
                console: b.console.clone(),
                findings: b.findings.iter().map(|f| f.id.slug()).collect(),
                readable_response_headers: b.readable_headers.clone(),
                preflight_cache_seconds: b.preflight_cache_seconds,
            },
        );
    }
    let findings = merged
        .into_iter()
        .map(|m| {
            let entry = m.finding.entry();
            FindingDoc {
                id: m.id.slug(),
                title: entry.title,
                severity: m.severity.id(),
                cause: entry.cause.id(),
                cause_description: entry.cause.describe(),
                stage: m.stage.id(),
                browsers: m.browsers.iter().map(|b| b.id()).collect(),
                messages: m
                    .messages
                    .iter()
                    .map(|(b, t)| (b.id(), t.clone()))
                    .collect(),
                explanation: m.finding.explanation(),
                fix: m.finding.fix(),
                reference: entry.reference,
                value: m.finding.values.value.clone(),
            }
        })
        .collect();
    let allowed_in: Vec<&'static str> = report
        .outcome
        .browsers
        .iter()
        .filter(|b| b.verdict == cors_engine::Verdict::Allowed)
        .map(|b| b.browser.id())
        .collect();
    let blocked_in: Vec<&'static str> = report
        .outcome
        .browsers
        .iter()
        .filter(|b| b.verdict != cors_engine::Verdict::Allowed)
        .map(|b| b.browser.id())
        .collect();
    CheckDocument {
        schema: CHECK_SCHEMA,
        tool_version: env!("CARGO_PKG_VERSION"),
        request: RequestDoc {
            page: r.page_url.to_string(),
            origin: r.origin.serialize(),
            url: r.url.to_string(),
            method: r.method.clone(),
            headers: headers(&r.headers),
            mode: r.mode.id(),
            credentials: r.credentials.id(),
            initiator: r.initiator.id(),
        },
        classification: ClassificationDoc {
            same_origin: first.map(|c| c.same_origin).unwrap_or(false),
            cors: first.map(|c| c.cors).unwrap_or(false),
            blocked_before_network: first
                .and_then(|c| c.blocked_before_network)
                .map(|id| id.slug()),
            dropped_headers: first.map(|c| c.dropped_headers.clone()).unwrap_or_default(),
            preflight,
        },
        exchanges,
        browsers,
        findings,
        second_origin: report.second_origin.as_ref().map(|s| SecondOriginDoc {
            origin: s.origin.clone(),
            purpose: purpose_id(s.purpose),
            status: s.status,
            access_control_allow_origin: s.allow_origin.clone(),
            access_control_allow_credentials: s.allow_credentials.clone(),
            vary_origin: s.vary_origin,
        }),
        summary: SummaryDoc {
            browsers_differ: !allowed_in.is_empty() && !blocked_in.is_empty(),
            allowed_in,
            blocked_in,
            requests_sent: report.wire.len() + usize::from(report.second_origin.is_some()),
        },
        fix_config: None,
    }
}

fn response_doc(
    report: &CheckReport,
    exchange: &cors_probe::transport::Exchange,
    index: usize,
    findings: &[crate::findings::MergedFinding],
) -> ResponseDoc {
    let marks = exchange_marks(report, &exchange.headers, index, findings);
    ResponseDoc {
        status: exchange.status,
        http_version: exchange.version.to_string(),
        headers: headers(&exchange.headers),
        body_error: exchange.body_error.clone(),
        status_refused: marks.status_refused,
        marks: marks
            .lines
            .iter()
            .map(|line| MarkDoc {
                name: line.name.to_string(),
                value: line.value.map(str::to_string),
                mark: line.mark.id(),
                finding: line.mark.finding().map(|id| id.slug()),
            })
            .collect(),
    }
}
