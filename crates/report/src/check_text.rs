//! The terminal report of `check`: why a preflight is (not) needed, every
//! exchange with each relevant header marked, the verdict per browser, each
//! browser's console message, the cause, the fix and the curl commands.

use crate::curl::{curl_command, CurlOptions};
use crate::findings::{merge, MergedFinding};
use crate::marks::{exchange_marks, Mark};
use crate::style::Palette;
use crate::words::{browser_list, preflight_reason, verdict_word, visible};
use cors_engine::{origin_difference, Browser, FindingId, RequestPurpose, Severity, Verdict};
use cors_probe::{CheckReport, WireExchange};
use std::fmt::Write;

/// Renders the whole report.
pub fn render_check(report: &CheckReport, palette: &Palette, curl: &CurlOptions) -> String {
    let mut out = String::new();
    let findings = merge(&report.outcome, &report.cross_request_findings);
    header(&mut out, report, palette);
    classification(&mut out, report, palette);
    exchanges(&mut out, report, &findings, palette);
    second_origin(&mut out, report, palette);
    verdicts(&mut out, report, palette);
    findings_section(&mut out, report, &findings, palette);
    replay(&mut out, report, curl, palette);
    out
}

fn header(out: &mut String, report: &CheckReport, p: &Palette) {
    let r = &report.request;
    let class = &report.outcome.browsers.first().map(|b| &b.classification);
    let method = class
        .map(|c| c.method.clone())
        .unwrap_or_else(|| r.method.clone());
    let _ = writeln!(
        out,
        "{} {} {}",
        p.strong("cors-doctor check"),
        p.strong(&method),
        r.url
    );
    let _ = writeln!(
        out,
        "  from page origin {} · {} · mode {} · credentials {}",
        r.origin,
        r.initiator.chromium_kind(),
        r.mode.id(),
        r.credentials.id()
    );
    if !r.headers.is_empty() {
        let shown: Vec<String> = r
            .headers
            .iter()
            .map(|(n, v)| format!("{n}: {}", visible(v)))
            .collect();
        let _ = writeln!(out, "  headers set by the script: {}", shown.join("; "));
    }
    out.push('\n');
}

fn classification(out: &mut String, report: &CheckReport, p: &Palette) {
    let Some(first) = report.outcome.browsers.first() else {
        return;
    };
    let c = &first.classification;
    if c.same_origin {
        let _ = writeln!(
            out,
            "{} same origin: CORS does not apply.\n",
            p.heading("Request")
        );
        return;
    }
    // Which browsers drop which headers (Chromium alone drops User-Agent).
    let mut dropped: Vec<(&str, Vec<cors_engine::Browser>)> = Vec::new();
    for b in &report.outcome.browsers {
        for name in &b.classification.dropped_headers {
            match dropped.iter_mut().find(|(n, _)| *n == name.as_str()) {
                Some((_, by)) => by.push(b.browser),
                None => dropped.push((name, vec![b.browser])),
            }
        }
    }
    for (name, by) in &dropped {
        let who = if by.len() == report.outcome.browsers.len() {
            "the browser".to_string()
        } else {
            crate::words::browser_list(by)
        };
        let everywhere = by.len() == report.outcome.browsers.len();
        let _ = writeln!(
            out,
            "{} {who} {} {name}: scripts cannot set it{}.",
            p.warn("!"),
            if by.len() == 1 || everywhere {
                "drops"
            } else {
                "drop"
            },
            if everywhere { "" } else { " there" },
        );
    }
    if c.blocked_before_network.is_some() {
        let _ = writeln!(
            out,
            "{} refused by the browser itself: nothing is sent to the server.\n",
            p.heading("Request")
        );
        return;
    }
    // Preflight decisions can differ (Chromium's extra safelist, the 1024-byte budget).
    /// Browsers that decide alike: (browsers, needed, reasons, request-headers value).
    type Group = (Vec<Browser>, bool, Vec<String>, Option<String>);
    let mut groups: Vec<Group> = Vec::new();
    for b in &report.outcome.browsers {
        let reasons: Vec<String> = b
            .classification
            .preflight_reasons()
            .iter()
            .map(preflight_reason)
            .collect();
        let needed = b.classification.needs_preflight();
        let acrh = b.classification.access_control_request_headers.clone();
        match groups
            .iter_mut()
            .find(|g| g.1 == needed && g.2 == reasons && g.3 == acrh)
        {
            Some(g) => g.0.push(b.browser),
            None => groups.push((vec![b.browser], needed, reasons, acrh)),
        }
    }
    for (browsers, needed, reasons, acrh) in &groups {
        let who = if groups.len() > 1 {
            format!(" ({})", browser_list(browsers))
        } else {
            String::new()
        };
        if *needed {
            let _ = writeln!(out, "{} needed{who}, because:", p.heading("Preflight"));
            for reason in reasons {
                let _ = writeln!(out, "  - {reason}");
            }
            if let Some(acrh) = acrh {
                let _ = writeln!(out, "  so the browser first sends OPTIONS with Access-Control-Request-Headers: {acrh}");
            }
        } else {
            let _ = writeln!(
                out,
                "{} not needed{who}: {} with only CORS-safelisted headers is a \"simple\" request.",
                p.heading("Preflight"),
                first.classification.method
            );
        }
    }
    out.push('\n');
}

/// Which exchanges a finding is attached to, for marking headers.
fn exchanges(out: &mut String, report: &CheckReport, findings: &[MergedFinding], p: &Palette) {
    for (index, wire) in report.wire.iter().enumerate() {
        let purpose = match wire.planned.purpose {
            RequestPurpose::Preflight => "preflight",
            RequestPurpose::Actual => "actual request",
        };
        let users: Vec<Browser> = report
            .outcome
            .browsers
            .iter()
            .filter(|b| b.steps.contains(&index))
            .map(|b| b.browser)
            .collect();
        let who = if users.len() == report.outcome.browsers.len() {
            String::new()
        } else {
            format!(" — sent by {}", browser_list(&users))
        };
        let _ = writeln!(
            out,
            "{}",
            p.heading(&format!("Exchange {}: {purpose}{who}", index + 1))
        );
        request_lines(out, wire, p);
        response_lines(out, report, wire, index, findings, p);
        out.push('\n');
    }
}

fn request_lines(out: &mut String, wire: &WireExchange, p: &Palette) {
    let planned = &wire.planned;
    let target = match planned.url.query() {
        Some(q) => format!("{}?{q}", planned.url.path()),
        None => planned.url.path().to_string(),
    };
    let _ = writeln!(out, "  > {} {target}", planned.method);
    let _ = writeln!(out, "  > Host: {}", host_of(&planned.url));
    for (name, value) in &planned.headers {
        let _ = writeln!(out, "  > {name}: {}", visible(value));
    }
    let sent: Vec<(String, String)> = match &wire.result {
        Ok(x) => x.request.headers.clone(),
        Err(_) => planned
            .browser_headers
            .iter()
            .map(|(n, v)| (n.to_string(), v.to_string()))
            .collect(),
    };
    for (name, value) in sent.iter().filter(|(n, _)| {
        !planned
            .headers
            .iter()
            .any(|(p, _)| p.eq_ignore_ascii_case(n))
    }) {
        let _ = writeln!(out, "  > {}", p.dim(&format!("{name}: {}", visible(value))));
    }
    if planned.credentials {
        let _ = writeln!(
            out,
            "  > {}",
            p.dim("(with the user's cookies / HTTP auth)")
        );
    } else if planned.purpose == RequestPurpose::Preflight {
        let _ = writeln!(
            out,
            "  > {}",
            p.dim("(no cookies, no Authorization: a preflight never carries credentials)")
        );
    }
}

fn host_of(url: &url::Url) -> String {
    match (url.host_str(), url.port()) {
        (Some(h), Some(port)) => format!("{h}:{port}"),
        (Some(h), None) => h.to_string(),
        _ => String::new(),
    }
}

fn response_lines(
    out: &mut String,
    report: &CheckReport,
    wire: &WireExchange,
    index: usize,
    findings: &[MergedFinding],
    p: &Palette,
) {
    let exchange = match &wire.result {
        Ok(x) => x,
        Err(e) => {
            let _ = writeln!(out, "  < {} {e}", p.bad("✗ no response:"));
            if let Some(hint) = e.hint() {
                let _ = writeln!(out, "    hint: {hint}");
            }
            return;
        }
    };
    let marks = exchange_marks(report, &exchange.headers, index, findings);
    let status = format!(
        "{} {} {}",
        exchange.version,
        exchange.status,
        exchange.reason.clone().unwrap_or_default()
    );
    let mark = if marks.status_refused {
        p.bad("✗")
    } else {
        " ".to_string()
    };
    let _ = writeln!(out, "  < {} {mark}", status.trim_end());
    if let Some(e) = &exchange.body_error {
        let _ = writeln!(
            out,
            "  < {} {e} — the headers arrived, so the CORS check below is on them; what each browser makes of the body is under body-incomplete",
            p.warn("! body failed:")
        );
    }
    for line in &marks.lines {
        let mark = match line.mark {
            Mark::Blocking(id) => p.bad(&format!("✗ {}", id.slug())),
            Mark::Warning(id) => p.warn(&format!("! {}", id.slug())),
            Mark::Ok => p.good("✓"),
            Mark::Plain => String::new(),
        };
        match line.value {
            Some(value) => {
                let _ = writeln!(out, "  < {}: {value}  {mark}", line.name);
            }
            None => {
                let _ = writeln!(out, "  < {}: {}  {mark}", line.name, p.dim("(absent)"));
            }
        }
    }
}

fn second_origin(out: &mut String, report: &CheckReport, p: &Palette) {
    let Some(second) = &report.second_origin else {
        return;
    };
    let method = match second.purpose {
        RequestPurpose::Preflight => "OPTIONS (a preflight)",
        RequestPurpose::Actual => "GET",
    };
    let _ = writeln!(
        out,
        "{}",
        p.heading("Second origin: is Access-Control-Allow-Origin computed from the request?")
    );
    let _ = writeln!(out, "  > {method} with Origin: {}", second.origin);
    let _ = writeln!(
        out,
        "  < {} · access-control-allow-origin: {} · access-control-allow-credentials: {} · vary covers Origin: {}",
        second.status,
        second.allow_origin.as_deref().unwrap_or("(absent)"),
        second.allow_credentials.as_deref().unwrap_or("(absent)"),
        if second.vary_origin { "yes" } else { "no" }
    );
    let verdict = if second.allow_origin.as_deref() == Some(second.origin.as_str()) {
        "the server reflects any origin"
    } else if second.allow_origin
        == report
            .wire
            .first()
            .and_then(|w| w.result.as_ref().ok())
            .and_then(|x| {
                cors_engine::headers::get_combined(&x.headers, "access-control-allow-origin")
                    .map(std::borrow::Cow::into_owned)
            })
    {
        "the same value for every origin (static)"
    } else {
        "the server does not allow this origin"
    };
    let _ = writeln!(out, "  → {verdict}\n");
}

fn verdicts(out: &mut String, report: &CheckReport, p: &Palette) {
    let _ = writeln!(out, "{}", p.heading("Verdict"));
    for b in &report.outcome.browsers {
        let word = verdict_word(b.verdict);
        let shown = match b.verdict {
            Verdict::Allowed => p.good(&format!("✓ {word}")),
            Verdict::Opaque => p.warn(&format!("~ {word}")),
            _ => p.bad(&format!("✗ {word}")),
        };
        let why = b
            .blocking()
            .map(|f| format!("  {}", f.id.slug()))
            .unwrap_or_default();
        let _ = writeln!(out, "  {:<24} {shown}{why}", b.browser.display_name());
    }
    let allowed: Vec<Browser> = report
        .outcome
        .browsers
        .iter()
        .filter(|b| b.verdict == Verdict::Allowed)
        .map(|b| b.browser)
        .collect();
    let blocked: Vec<Browser> = report
        .outcome
        .browsers
        .iter()
        .filter(|b| b.verdict != Verdict::Allowed)
        .map(|b| b.browser)
        .collect();
    if !allowed.is_empty() && !blocked.is_empty() {
        let _ = writeln!(
            out,
            "  The browsers differ: allowed in {}, not in {}.",
            browser_list(&allowed),
            browser_list(&blocked)
        );
    }
    out.push('\n');
}

fn findings_section(
    out: &mut String,
    report: &CheckReport,
    findings: &[MergedFinding],
    p: &Palette,
) {
    if findings.is_empty() {
        let _ = writeln!(out, "{} none — nothing to fix.\n", p.heading("Findings"));
        return;
    }
    for f in findings {
        let entry = f.finding.entry();
        let label = match f.severity {
            Severity::Blocking => p.bad("BLOCKED"),
            Severity::Warning => p.warn("WARNING"),
            Severity::Info => p.dim("NOTE"),
        };
        let _ = writeln!(out, "{label} {} [{}]", p.strong(entry.title), f.id.slug());
        let stage = match f.stage {
            cors_engine::Stage::Client => "decided in the browser, nothing sent".to_string(),
            other => format!("{} response", other.id()),
        };
        let _ = writeln!(
            out,
            "  in: {} · {stage} · cause: {}",
            browser_list(&f.browsers),
            entry.cause.describe()
        );
        for (browser, message) in &f.messages {
            let _ = writeln!(out, "  {} console:", browser.display_name());
            let _ = writeln!(out, "    {}", p.code(message));
        }
        let _ = writeln!(out, "  why: {}", f.finding.explanation());
        if let Some(value) = &f.finding.values.value {
            if matches!(f.id, FindingId::AllowOriginMismatch) {
                if let Some(diff) = origin_difference(&report.request.origin.serialize(), value) {
                    let _ = writeln!(out, "  difference: {}", diff.replace('\n', "\n  "));
                }
            }
        }
        let _ = writeln!(out, "  fix: {}", p.strong(&f.finding.fix()));
        let _ = writeln!(out, "  see: {}", entry.reference);
        out.push('\n');
    }
}

fn replay(out: &mut String, report: &CheckReport, curl: &CurlOptions, p: &Palette) {
    if report.wire.is_empty() {
        return;
    }
    let _ = writeln!(out, "{}", p.heading("Replay by hand"));
    for (index, wire) in report.wire.iter().enumerate() {
        let outgoing = match &wire.result {
            Ok(x) => x.request.clone(),
            Err(_) => cors_probe::OutgoingRequest {
                method: wire.planned.method.clone(),
                url: wire.planned.url.clone(),
                headers: wire.planned.owned_headers(),
                body: None,
            },
        };
        let _ = writeln!(out, "  # {}", index + 1);
        let _ = writeln!(
            out,
            "  {}",
            curl_command(&outgoing, curl, wire.planned.credentials)
        );
    }
}
