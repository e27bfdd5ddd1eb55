//! `verify`'s report: the assertions grouped by policy rule, then by
//! request and check with every browser's result — one shape that the
//! terminal text, the JSON document (schema `cors-doctor/verify/v1`), the
//! JUnit file, the SARIF file and GitHub's annotations all render.

use crate::style::Palette;
use cors_engine::{Browser, FindingId};
use cors_probe::verify::{Check, Expect, VerifyReport};
use serde::Serialize;
use std::fmt::Write;

pub const VERIFY_SCHEMA: &str = "cors-doctor/verify/v1";

/// One check of one request, in every browser.
#[derive(Clone, Debug)]
pub struct Case<'a> {
    pub api: usize,
    pub rule: usize,
    pub request: usize,
    pub check: Check,
    /// (browser, held, message, finding, console lines).
    pub results: Vec<BrowserResult<'a>>,
}

#[derive(Clone, Debug)]
pub struct BrowserResult<'a> {
    pub browser: Browser,
    pub held: bool,
    pub message: &'a str,
    pub finding: Option<FindingId>,
    pub console: &'a [String],
    /// The policy key this browser's result is about.
    pub key: &'static str,
}

impl Case<'_> {
    pub fn held(&self) -> bool {
        self.results.iter().all(|r| r.held)
    }

    /// The browsers where the check failed.
    pub fn violated_in(&self) -> Vec<Browser> {
        self.results
            .iter()
            .filter(|r| !r.held)
            .map(|r| r.browser)
            .collect()
    }

    /// The first violation (its message, finding and console lines).
    pub fn first_violation(&self) -> Option<&BrowserResult<'_>> {
        self.results.iter().find(|r| !r.held)
    }

    /// The policy key the case points at: its first violation's, else the check's.
    pub fn key(&self) -> &'static str {
        self.first_violation().map_or(self.check.key(), |v| v.key)
    }
}

/// The assertions as cases, in policy order (rule, request, check).
pub fn cases(report: &VerifyReport) -> Vec<Case<'_>> {
    let mut out: Vec<Case<'_>> = Vec::new();
    // (request, check) → index in `out`: thousands of assertions at 100 rules.
    let mut index: std::collections::HashMap<(usize, u8), usize> = std::collections::HashMap::new();
    for a in &report.assertions {
        let Some(request) = report.requests.get(a.request) else {
            continue;
        };
        let result = BrowserResult {
            browser: a.browser,
            held: a.held,
            message: &a.message,
            finding: a.finding,
            console: &a.console,
            key: a.key,
        };
        match index.get(&(a.request, a.check as u8)) {
            Some(&at) => out[at].results.push(result),
            None => {
                index.insert((a.request, a.check as u8), out.len());
                out.push(Case {
                    api: request.api,
                    rule: request.rule,
                    request: a.request,
                    check: a.check,
                    results: vec![result],
                });
            }
        }
    }
    out.sort_by_key(|c| (c.api, c.rule, c.request, c.check as u8));
    out
}

/// The counts a summary line needs.
pub fn counts(cases: &[Case<'_>]) -> (usize, usize) {
    let held = cases.iter().filter(|c| c.held()).count();
    (held, cases.len() - held)
}

fn browsers_text(browsers: &[Browser]) -> String {
    let names: Vec<&str> = browsers.iter().map(|b| b.display_name()).collect();
    names.join(", ")
}

/// The terminal report: per rule its file position, then one line per case.
pub fn render_text(report: &VerifyReport, p: &Palette) -> String {
    let cases = cases(report);
    let (held, violated) = counts(&cases);
    let mut out = String::new();
    let rules: usize = report.policy.apis.iter().map(|a| a.rules.len()).sum();
    let _ = writeln!(
        out,
        "{} {} — {} API(s), {rules} rule(s), {} requests sent, browsers: {}",
        p.heading("cors-doctor verify"),
        report.policy.file,
        report.policy.apis.len(),
        report.requests_sent,
        browsers_text(&report.browsers)
    );
    let mut current: Option<(usize, usize)> = None;
    // Origins refused as they should be: one line per rule, not one each;
    // origins allowed that must be refused: one line when there are many
    // (a server that reflects whatever it is sent).
    let mut refused: Vec<String> = Vec::new();
    let mut let_in: Vec<(String, String)> = Vec::new();
    let mut tail: String = String::new();
    let flush = |out: &mut String,
                 refused: &mut Vec<String>,
                 let_in: &mut Vec<(String, String)>,
                 tail: &mut String| {
        let list = |items: Vec<&str>, total: usize| {
            let more = total.saturating_sub(items.len());
            format!(
                "{}{}",
                items.join(", "),
                if more > 0 {
                    format!(" and {more} more")
                } else {
                    String::new()
                }
            )
        };
        if let_in.len() >= 3 {
            let shown: Vec<&str> = let_in.iter().take(4).map(|(o, _)| o.as_str()).collect();
            let reflects = let_in
                .iter()
                .any(|(_, line)| line.contains("reflects the origin"));
            let _ = writeln!(
                out,
                "  {} {} origins that must be refused are allowed{}: {}  {}",
                p.bad("✗"),
                let_in.len(),
                if reflects {
                    " (the server reflects the origin it is sent)"
                } else {
                    ""
                },
                list(shown, let_in.len()),
                p.dim(tail)
            );
        } else {
            for (_, line) in let_in.iter() {
                out.push_str(line);
            }
        }
        if !refused.is_empty() {
            let shown: Vec<&str> = refused.iter().take(4).map(String::as_str).collect();
            let _ = writeln!(
                out,
                "  {} {} other origin(s) refused: {}",
                p.good("✓"),
                refused.len(),
                list(shown, refused.len())
            );
        }
        refused.clear();
        let_in.clear();
        tail.clear();
    };
    for case in &cases {
        let (Some(api), Some(request)) = (
            report.policy.apis.get(case.api),
            report.requests.get(case.request),
        ) else {
            continue;
        };
        let Some(rule) = api.rules.get(case.rule) else {
            continue;
        };
        if current != Some((case.api, case.rule)) {
            flush(&mut out, &mut refused, &mut let_in, &mut tail);
            current = Some((case.api, case.rule));
            let _ = writeln!(
                out,
                "\n{} {} · {} ({})  {}:{}:{}",
                p.strong("rule"),
                api.name,
                rule.name,
                rule.path,
                report.policy.file,
                rule.at.line,
                rule.at.column
            );
        }
        // The message names origin and request; the path tells which probe.
        let on = match request.url.query() {
            Some(q) => format!("{}?{q}", request.url.path()),
            None => request.url.path().to_string(),
        };
        if case.held() && case.check == Check::Refused {
            // An origin is tried with several requests: listed once.
            let origin = request.origin.serialize();
            if !refused.contains(&origin) {
                refused.push(origin);
            }
            continue;
        }
        if case.held() {
            let first = case.results.first().map_or("", |r| r.message);
            let _ = writeln!(out, "  {} {first}  {}", p.good("✓"), p.dim(&on));
            continue;
        }
        let Some(v) = case.first_violation() else {
            continue;
        };
        let key = case.key();
        let at = rule.position_of(key);
        let where_ = format!(
            "[{}] in {} · policy {}:{}:{} ({key})",
            v.finding.map_or(case.check.id(), FindingId::slug),
            browsers_text(&case.violated_in()),
            report.policy.file,
            at.line,
            at.column
        );
        if case.check == Check::Refused {
            if tail.is_empty() {
                tail.clone_from(&where_);
            }
            if let_in.iter().any(|(o, _)| *o == request.origin.serialize()) {
                continue;
            }
            let_in.push((
                request.origin.serialize(),
                format!("  {} {}  {}\n", p.bad("✗"), v.message, p.dim(&where_)),
            ));
            continue;
        }
        let _ = writeln!(out, "  {} {}  {}", p.bad("✗"), v.message, p.dim(&where_));
        for line in v.console.iter().take(2) {
            let _ = writeln!(
                out,
                "      {} {line}",
                p.dim(&format!("{}:", v.browser.display_name()))
            );
        }
    }
    flush(&mut out, &mut refused, &mut let_in, &mut tail);
    if let Some(e) = &report.network_error {
        let _ = writeln!(
            out,
            "\n{} could not reach the server: {e} (stage: {})",
            p.bad("error:"),
            e.stage().id()
        );
    }
    let verdict = if report.holds() {
        p.good("the policy holds")
    } else {
        p.bad("the policy is violated")
    };
    let _ = writeln!(out, "\n{verdict}: {held} held, {violated} violated");
    out
}

#[derive(Serialize)]
pub struct VerifyDocument {
    pub schema: &'static str,
    pub tool_version: &'static str,
    pub policy: String,
    pub holds: bool,
    pub requests_sent: usize,
    pub browsers: Vec<&'static str>,
    pub held: usize,
    pub violated: usize,
    pub cases: Vec<CaseDoc>,
    pub error: Option<crate::check_json::ErrorDoc>,
}

#[derive(Serialize)]
pub struct CaseDoc {
    pub api: String,
    pub rule: String,
    pub path: String,
    /// The policy line and column of the key this case proves.
    pub policy_line: usize,
    pub policy_column: usize,
    pub policy_key: &'static str,
    pub url: String,
    pub origin: String,
    /// `allowed` or `refused`: what the policy wants for this origin.
    pub expect: &'static str,
    /// Why: the `allow_origins` entry, or where the refused origin comes from.
    pub because: String,
    pub method: String,
    pub request_headers: Vec<String>,
    pub credentials: bool,
    /// `allowed`, `exposed`, `vary`, `max-age` or `refused`.
    pub check: &'static str,
    pub held: bool,
    pub browsers: Vec<BrowserResultDoc>,
}

#[derive(Serialize)]
pub struct BrowserResultDoc {
    pub name: &'static str,
    pub held: bool,
    pub message: String,
    pub finding: Option<&'static str>,
    pub console: Vec<String>,
}

pub fn to_json(report: &VerifyReport) -> VerifyDocument {
    let cases = cases(report);
    let (held, violated) = counts(&cases);
    let docs = cases
        .iter()
        .filter_map(|case| {
            let api = report.policy.apis.get(case.api)?;
            let rule = api.rules.get(case.rule)?;
            let request = report.requests.get(case.request)?;
            let at = rule.position_of(case.key());
            let (expect, because) = match &request.expect {
                Expect::Allowed { pattern } => ("allowed", pattern.clone()),
                Expect::Refused { label } => ("refused", label.clone()),
            };
            Some(CaseDoc {
                api: api.name.clone(),
                rule: rule.name.clone(),
                path: rule.path.clone(),
                policy_line: at.line,
                policy_column: at.column,
                policy_key: case.key(),
                url: request.url.to_string(),
                origin: request.origin.serialize(),
                expect,
                because,
                method: request.method.clone(),
                request_headers: request.headers.iter().map(|(n, _)| n.clone()).collect(),
                credentials: request.credentials,
                check: case.check.id(),
                held: case.held(),
                browsers: case
                    .results
                    .iter()
                    .map(|r| BrowserResultDoc {
                        name: r.browser.id(),
                        held: r.held,
                        message: r.message.to_string(),
                        finding: r.finding.map(FindingId::slug),
                        console: r.console.to_vec(),
                    })
                    .collect(),
            })
        })
        .collect();
    VerifyDocument {
        schema: VERIFY_SCHEMA,
        tool_version: env!("CARGO_PKG_VERSION"),
        policy: report.policy.file.clone(),
        holds: report.holds(),
        requests_sent: report.requests_sent,
        browsers: report.browsers.iter().map(|b| b.id()).collect(),
        held,
        violated,
        cases: docs,
        error: report
            .network_error
            .as_ref()
            .map(crate::check_json::ErrorDoc::of),
    }
}
