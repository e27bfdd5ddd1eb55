//! `proxy`'s views of one forwarded request: the live line, the full
//! report served at `/.cors-doctor/{id}`, and the NDJSON object of
//! `proxy --json` (`cors-doctor/proxy/v1`).

use crate::har::{finding_docs, render_findings, FindingDoc};
use crate::style::Palette;
use crate::words::verdict_word;
use cors_engine::{LiveJudgement, ObservedFetch, Verdict};
use cors_proxy::{BrowserSource, Fix, PolicyVerdict, ProxyEvent};
use serde::Serialize;
use std::fmt::Write as _;

/// The schema of every line `proxy --json` prints.
pub const PROXY_SCHEMA: &str = "cors-doctor/proxy/v1";

/// Where the full report of `event` is served.
pub fn details_url(proxy_origin: &str, event: &ProxyEvent) -> String {
    format!("{proxy_origin}{}{}", cors_proxy::REPORT_PREFIX, event.id)
}

fn fetch_of(judgement: &LiveJudgement) -> Option<&ObservedFetch> {
    match judgement {
        LiveJudgement::Fetch(fetch) => Some(fetch),
        _ => None,
    }
}

/// The blocking finding's id, if the browser blocks the fetch.
fn blocking_id(fetch: &ObservedFetch) -> Option<&'static str> {
    fetch.outcome.blocking().map(|f| f.id.slug())
}

/// One line as the request passes (and, with `--fix`, a second one).
pub fn render_proxy_line(event: &ProxyEvent, proxy_origin: &str, p: &Palette) -> String {
    let mut out = String::new();
    let from = event
        .origin
        .as_deref()
        .map(|o| format!("  from {o}"))
        .unwrap_or_default();
    let head = format!("#{} {} {}{from}", event.id, event.method, event.path);
    let browser = event.browser.id();
    let status = event.status.map(|s| format!(" ({s})")).unwrap_or_default();
    let said = match (&event.upstream_error, &event.judgement) {
        (Some(error), _) => format!("{} {head}  {error}", p.bad("✗")),
        (None, Some(LiveJudgement::Fetch(fetch))) if fetch.unrecorded_hop.is_some() => {
            let to = fetch.unrecorded_hop.as_ref().map(|u| u.as_str());
            format!(
                "{} {head}  {browser}: follows the redirect to {}{status}  {}",
                p.dim("→"),
                to.unwrap_or_default(),
                p.dim(&details_url(proxy_origin, event))
            )
        }
        (None, Some(LiveJudgement::Fetch(fetch))) => {
            let verdict = fetch.outcome.verdict;
            let mark = if verdict == Verdict::Allowed {
                p.good("✓")
            } else {
                p.bad("✗")
            };
            let finding = blocking_id(fetch)
                .map(|id| format!(" · {id}"))
                .unwrap_or_default();
            format!(
                "{mark} {head}  {browser}: {}{finding}{status}  {}",
                verdict_word(verdict),
                p.dim(&details_url(proxy_origin, event))
            )
        }
        (None, Some(LiveJudgement::PreflightPassed)) => {
            format!("{} {head}  {browser}: preflight passed{status}", p.dim("·"))
        }
        (None, _) => format!(
            "{} {head}  no Origin: not a cross-origin request{status}",
            p.dim("·")
        ),
    };
    out.push_str(&said);
    out.push('\n');
    match &event.fix {
        Some(Fix::Added {
            added,
            upstream_must_send,
            served,
            status_replaced,
            ..
        }) => {
            let now = match served {
                LiveJudgement::Fetch(f) if f.outcome.verdict == Verdict::Allowed => "allows it",
                LiveJudgement::Fetch(f) => verdict_word(f.outcome.verdict),
                LiveJudgement::PreflightPassed => "passes the preflight",
                LiveJudgement::NotAFetch => "sees no fetch",
            };
            let replaced = if *status_replaced { ", status 204" } else { "" };
            let _ = writeln!(
                out,
                "    {} the proxy added {}{replaced}: {browser} now {now}",
                p.warn("fixed:"),
                lines(added)
            );
            let _ = writeln!(
                out,
                "    the upstream itself must send: {}",
                p.code(&lines(upstream_must_send))
            );
        }
        Some(Fix::NotFixed { why }) => {
            let _ = writeln!(out, "    {} {why}", p.warn("not fixed:"));
        }
        None => {}
    }
    if let Some(policy) = &event.policy {
        if !policy.agrees {
            let _ = writeln!(
                out,
                "    {} {}",
                p.bad("against the policy:"),
                policy_words(policy)
            );
        }
    }
    out
}

/// What the policy says, and how the upstream's answer differs from it.
fn policy_words(policy: &PolicyVerdict) -> String {
    let rule = policy
        .rule
        .as_deref()
        .map(|r| format!("rule `{r}`"))
        .unwrap_or_else(|| "no rule".to_string());
    match (&policy.allowed, policy.agrees) {
        (Ok(()), true) => format!("{rule} allows it, and the upstream lets it through"),
        (Ok(()), false) => format!("{rule} allows it, but the upstream's answer is blocked"),
        (Err(why), true) => format!("{rule}: {why}; the upstream refuses it too"),
        (Err(why), false) => format!("{rule}: {why}, but the upstream lets it through"),
    }
}

fn lines(lines: &[(String, String)]) -> String {
    lines
        .iter()
        .map(|(n, v)| format!("{n}: {v}"))
        .collect::<Vec<_>>()
        .join(", ")
}

fn source_words(source: BrowserSource) -> &'static str {
    match source {
        BrowserSource::Flag => "as --browser says",
        BrowserSource::UserAgent => "from its User-Agent",
        BrowserSource::Assumed => "its User-Agent names no browser: judged as Chromium",
    }
}

/// Everything known about one request (the on-demand report).
pub fn render_proxy_event(event: &ProxyEvent, p: &Palette) -> String {
    let mut out = String::new();
    let _ = writeln!(
        out,
        "{}",
        p.heading(&format!("#{} {} {}", event.id, event.method, event.url))
    );
    let _ = writeln!(
        out,
        "from {}, sent by {} ({})",
        event.origin.as_deref().unwrap_or("no Origin"),
        event.browser.display_name(),
        source_words(event.browser_source)
    );
    match (&event.upstream_error, event.status) {
        (Some(error), _) => {
            let _ = writeln!(out, "{error}");
        }
        (None, Some(status)) => {
            let _ = writeln!(
                out,
                "the upstream answered {status} over {} in {} ms",
                event.upstream_version.unwrap_or("HTTP/1.1"),
                event.upstream_ms
            );
        }
        (None, None) => {}
    }
    let browser = event.browser.display_name();
    match &event.judgement {
        Some(LiveJudgement::Fetch(fetch)) => {
            match &fetch.unrecorded_hop {
                Some(to) => {
                    let _ = writeln!(
                        out,
                        "{browser} accepts the redirect and follows it to {to}: that request is judged on its own"
                    );
                }
                None => {
                    let _ = writeln!(out, "verdict: {}", verdict_word(fetch.outcome.verdict));
                }
            }
            if fetch.preflight_from_cache {
                let _ = writeln!(
                    out,
                    "no preflight came before it: {browser} answered it from its preflight cache"
                );
            }
            if !fetch.outcome.console.is_empty() {
                let _ = writeln!(out, "{browser} console:");
                for line in &fetch.outcome.console {
                    let _ = writeln!(out, "  {}", p.dim(line));
                }
            }
            render_findings(&mut out, &fetch.outcome.findings, p);
        }
        Some(LiveJudgement::PreflightPassed) => {
            let _ = writeln!(
                out,
                "a preflight {browser} accepts: the request it asks for comes next"
            );
        }
        Some(LiveJudgement::NotAFetch) | None if event.upstream_error.is_none() => {
            let _ = writeln!(
                out,
                "no Origin (or a navigation): not a cross-origin request a script made"
            );
        }
        _ => {}
    }
    if let Some(fix) = &event.fix {
        out.push('\n');
        match fix {
            Fix::Added {
                added,
                dropped,
                upstream_must_send,
                config,
                ..
            } => {
                let _ = writeln!(out, "--fix added: {}", lines(added));
                if !dropped.is_empty() {
                    let _ = writeln!(out, "--fix dropped the upstream's: {}", lines(dropped));
                }
                let _ = writeln!(
                    out,
                    "the upstream itself must send: {}",
                    lines(upstream_must_send)
                );
                match config {
                    Some(Ok(text)) => {
                        let _ = writeln!(out, "\n{text}");
                    }
                    Some(Err(why)) => {
                        let _ = writeln!(out, "no configuration: {why}");
                    }
                    None => {}
                }
            }
            Fix::NotFixed { why } => {
                let _ = writeln!(out, "not fixed: {why}");
            }
        }
    }
    if let Some(policy) = &event.policy {
        let _ = writeln!(out, "\npolicy: {}", policy_words(policy));
    }
    out
}

/// The first line of `proxy --json`.
#[derive(Serialize)]
pub struct ProxyStartDoc<'a> {
    pub schema: &'static str,
    pub kind: &'static str,
    pub proxy: &'a str,
    pub upstream: &'a str,
    pub fix: bool,
}

/// One forwarded request, in `proxy --json`.
#[derive(Serialize)]
pub struct ProxyEventDoc {
    pub schema: &'static str,
    pub kind: &'static str,
    pub id: u64,
    pub method: String,
    pub url: String,
    pub path: String,
    pub origin: Option<String>,
    pub browser: &'static str,
    pub browser_source: &'static str,
    pub status: Option<u16>,
    pub upstream_version: Option<&'static str>,
    pub upstream_ms: u64,
    pub upstream_error: Option<String>,
    /// `fetch`, `preflight-passed`, `not-a-fetch`, or null (no answer).
    pub judgement: Option<&'static str>,
    pub verdict: Option<&'static str>,
    pub finding: Option<&'static str>,
    pub preflight_from_cache: bool,
    pub redirected_to: Option<String>,
    pub console: Vec<String>,
    pub findings: Vec<FindingDoc>,
    pub fix: Option<FixDoc>,
    pub policy: Option<PolicyDoc>,
    pub details: String,
}

#[derive(Serialize)]
pub struct FixDoc {
    pub added: Vec<(String, String)>,
    pub dropped: Vec<(String, String)>,
    pub upstream_must_send: Vec<(String, String)>,
    pub status_replaced: bool,
    /// What the browser makes of the fixed answer.
    pub served: &'static str,
    pub config: Option<String>,
    pub config_error: Option<String>,
    /// Why it was not fixed (then nothing was added): no header lets it
    /// through, or the policy does not allow it.
    pub not_fixed: Option<String>,
}

#[derive(Serialize)]
pub struct PolicyDoc {
    pub rule: Option<String>,
    pub allowed: bool,
    /// Why the policy does not allow it.
    pub why: Option<String>,
    /// The upstream lets it through exactly when the policy allows it.
    pub agrees: bool,
}

fn judgement_id(judgement: &LiveJudgement) -> &'static str {
    match judgement {
        LiveJudgement::Fetch(_) => "fetch",
        LiveJudgement::PreflightPassed => "preflight-passed",
        LiveJudgement::NotAFetch => "not-a-fetch",
    }
}

pub fn proxy_event_doc(event: &ProxyEvent, proxy_origin: &str) -> ProxyEventDoc {
    let fetch = event.judgement.as_ref().and_then(fetch_of);
    ProxyEventDoc {
        schema: PROXY_SCHEMA,
        kind: "exchange",
        id: event.id,
        method: event.method.clone(),
        url: event.url.clone(),
        path: event.path.clone(),
        origin: event.origin.clone(),
        browser: event.browser.id(),
        browser_source: match event.browser_source {
            BrowserSource::Flag => "flag",
            BrowserSource::UserAgent => "user-agent",
            BrowserSource::Assumed => "assumed",
        },
        status: event.status,
        upstream_version: event.upstream_version,
        upstream_ms: event.upstream_ms,
        upstream_error: event.upstream_error.clone(),
        judgement: event.judgement.as_ref().map(judgement_id),
        // A redirect the browser follows has no verdict yet.
        verdict: fetch
            .filter(|f| f.unrecorded_hop.is_none())
            .map(|f| f.outcome.verdict.id()),
        finding: fetch.and_then(blocking_id),
        preflight_from_cache: fetch.is_some_and(|f| f.preflight_from_cache),
        redirected_to: fetch.and_then(|f| f.unrecorded_hop.as_ref().map(|u| u.to_string())),
        console: fetch.map(|f| f.outcome.console.clone()).unwrap_or_default(),
        findings: fetch
            .map(|f| finding_docs(&f.outcome.findings))
            .unwrap_or_default(),
        fix: event.fix.as_ref().map(|fix| match fix {
            Fix::Added {
                added,
                dropped,
                upstream_must_send,
                config,
                status_replaced,
                served,
                ..
            } => FixDoc {
                added: added.clone(),
                dropped: dropped.clone(),
                upstream_must_send: upstream_must_send.clone(),
                status_replaced: *status_replaced,
                served: match served {
                    LiveJudgement::Fetch(f) => f.outcome.verdict.id(),
                    other => judgement_id(other),
                },
                config: config.as_ref().and_then(|c| c.as_ref().ok().cloned()),
                config_error: config.as_ref().and_then(|c| c.as_ref().err().cloned()),
                not_fixed: None,
            },
            Fix::NotFixed { why } => FixDoc {
                added: Vec::new(),
                dropped: Vec::new(),
                upstream_must_send: Vec::new(),
                status_replaced: false,
                served: "blocked",
                config: None,
                config_error: None,
                not_fixed: Some(why.clone()),
            },
        }),
        policy: event.policy.as_ref().map(|p| PolicyDoc {
            rule: p.rule.clone(),
            allowed: p.allowed.is_ok(),
            why: p.allowed.as_ref().err().cloned(),
            agrees: p.agrees,
        }),
        details: details_url(proxy_origin, event),
    }
}
