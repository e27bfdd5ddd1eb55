//! `verify`'s reports for CI, rendered from the same cases as the text and
//! JSON: JUnit XML (one test case per rule × origin × request × check, the
//! browser's console line as the failure), SARIF 2.1.0 (rule ids are
//! catalogue ids, locations the policy file's lines), and GitHub Actions
//! annotations.

use crate::verify::{cases, Case};
use cors_engine::catalogue::entry;
use cors_engine::FindingId;
use cors_probe::verify::{describe, VerifyReport};
use serde_json::{json, Value};
use std::fmt::Write;

const INFORMATION_URI: &str = "https://github.com/cors-doctor/cors-doctor";

/// Text as XML character data or an attribute value.
pub(crate) fn xml_escape(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    for c in text.chars() {
        match c {
            '&' => out.push_str("&amp;"),
            '<' => out.push_str("&lt;"),
            '>' => out.push_str("&gt;"),
            '"' => out.push_str("&quot;"),
            '\'' => out.push_str("&apos;"),
            // XML 1.0 has no way to write most control characters.
            c if (c as u32) < 0x20 && !matches!(c, '\t' | '\n' | '\r') => out.push('?'),
            c => out.push(c),
        }
    }
    out
}

/// The rule id of a violated case: the catalogue entry the engine named,
/// else `policy-<check>`.
pub fn rule_id(case: &Case<'_>) -> String {
    case.first_violation().and_then(|v| v.finding).map_or_else(
        || format!("policy-{}", case.check.id()),
        |f| f.slug().to_string(),
    )
}

/// A case's name: `allowed: GET + Content-Type from https://app.example.com /v1/x`.
fn case_name(report: &VerifyReport, case: &Case<'_>) -> String {
    report
        .requests
        .get(case.request)
        .map_or_else(String::new, |r| {
            format!(
                "{}: {} from {} {}",
                case.check.id(),
                describe(r),
                r.origin.serialize(),
                r.url.path()
            )
        })
}

/// The failure text: which browsers, what, and their console lines.
fn failure_text(case: &Case<'_>) -> String {
    let mut text = String::new();
    for r in case.results.iter().filter(|r| !r.held) {
        let _ = writeln!(text, "{}: {}", r.browser.display_name(), r.message);
        for line in r.console {
            let _ = writeln!(text, "  console: {line}");
        }
    }
    text
}

/// The JUnit XML document.
pub fn junit(report: &VerifyReport) -> String {
    let all = cases(report);
    let failures = all.iter().filter(|c| !c.held()).count();
    let mut out = String::from("<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n");
    let _ = writeln!(
        out,
        "<testsuites name=\"cors-doctor verify {}\" tests=\"{}\" failures=\"{failures}\" errors=\"{}\">",
        xml_escape(&report.policy.file),
        all.len() + usize::from(report.network_error.is_some()),
        usize::from(report.network_error.is_some())
    );
    for (ai, api) in report.policy.apis.iter().enumerate() {
        for (ri, rule) in api.rules.iter().enumerate() {
            let mine: Vec<&Case<'_>> = all.iter().filter(|c| c.api == ai && c.rule == ri).collect();
            let failed = mine.iter().filter(|c| !c.held()).count();
            let _ = writeln!(
                out,
                "  <testsuite name=\"{} · {} ({})\" tests=\"{}\" failures=\"{failed}\" errors=\"0\" skipped=\"0\">",
                xml_escape(&api.name),
                xml_escape(&rule.name),
                xml_escape(&rule.path),
                mine.len()
            );
            let classname = format!("{}:{}", report.policy.file, rule.at.line);
            for case in mine {
                let name = case_name(report, case);
                if case.held() {
                    let _ = writeln!(
                        out,
                        "    <testcase name=\"{}\" classname=\"{}\"/>",
                        xml_escape(&name),
                        xml_escape(&classname)
                    );
                    continue;
                }
                let message = case
                    .first_violation()
                    .map(|v| v.console.first().map_or(v.message, String::as_str))
                    .unwrap_or_default();
                let _ = writeln!(
                    out,
                    "    <testcase name=\"{}\" classname=\"{}\">\n      <failure message=\"{}\" type=\"{}\">{}</failure>\n    </testcase>",
                    xml_escape(&name),
                    xml_escape(&classname),
                    xml_escape(message),
                    xml_escape(&rule_id(case)),
                    xml_escape(&failure_text(case))
                );
            }
            out.push_str("  </testsuite>\n");
        }
    }
    if let Some(e) = &report.network_error {
        let _ = writeln!(
            out,
            "  <testsuite name=\"reaching the server\" tests=\"1\" failures=\"0\" errors=\"1\" skipped=\"0\">\n    <testcase name=\"the server answers\" classname=\"{}\">\n      <error message=\"{}\" type=\"{}\"/>\n    </testcase>\n  </testsuite>",
            xml_escape(&report.policy.file),
            xml_escape(&e.to_string()),
            e.stage().id()
        );
    }
    out.push_str("</testsuites>\n");
    out
}

/// The SARIF 2.1.0 log.
pub fn sarif(report: &VerifyReport) -> Value {
    let all = cases(report);
    let mut rule_ids: Vec<String> = Vec::new();
    let mut rules: Vec<Value> = Vec::new();
    let mut results: Vec<Value> = Vec::new();
    for case in all.iter().filter(|c| !c.held()) {
        let id = rule_id(case);
        let index = match rule_ids.iter().position(|r| *r == id) {
            Some(i) => i,
            None => {
                let finding = case.first_violation().and_then(|v| v.finding);
                rules.push(sarif_rule(&id, finding));
                rule_ids.push(id.clone());
                rule_ids.len() - 1
            }
        };
        let (Some(api), Some(request)) = (
            report.policy.apis.get(case.api),
            report.requests.get(case.request),
        ) else {
            continue;
        };
        let Some(rule) = api.rules.get(case.rule) else {
            continue;
        };
        let at = rule.position_of(case.key());
        let message = case
            .first_violation()
            .map_or_else(String::new, |v| v.message.to_string());
        let browsers: Vec<&str> = case.violated_in().iter().map(|b| b.id()).collect();
        results.push(json!({
            "ruleId": id,
            "ruleIndex": index,
            "level": "error",
            "message": {"text": format!("{message} ({} · {})", browsers.join(", "), request.url)},
            "locations": [{
                "physicalLocation": {
                    "artifactLocation": {"uri": report.policy.file},
                    "region": {"startLine": at.line, "startColumn": at.column}
                }
            }],
            "properties": {
                "check": case.check.id(),
                "origin": request.origin.serialize(),
                "url": request.url.as_str(),
                "browsers": browsers,
                "console": case.first_violation().map(|v| v.console.to_vec()).unwrap_or_default()
            }
        }));
    }
    json!({
        "$schema": "https://json.schemastore.org/sarif-2.1.0.json",
        "version": "2.1.0",
        "runs": [{
            "tool": {"driver": {
                "name": "cors-doctor",
                "version": env!("CARGO_PKG_VERSION"),
                "informationUri": INFORMATION_URI,
                "rules": rules
            }},
            // An unreachable deployment proves nothing: say so, so that code
            // scanning does not read the empty result list as "all fixed".
            "invocations": [{"executionSuccessful": report.network_error.is_none()}],
            "results": results
        }]
    })
}

fn sarif_rule(id: &str, finding: Option<FindingId>) -> Value {
    match finding {
        Some(f) => {
            let e = entry(f);
            json!({
                "id": id,
                "shortDescription": {"text": e.title},
                "fullDescription": {"text": e.explanation},
                "help": {"text": e.fix},
                "helpUri": e.reference,
            })
        }
        None => json!({
            "id": id,
            "shortDescription": {"text": format!("The policy's {} check", id.trim_start_matches("policy-"))},
            "helpUri": INFORMATION_URI,
        }),
    }
}

/// Escapes a GitHub Actions workflow command's message (or, with
/// `property`, a property value).
pub fn gh_escape(text: &str, property: bool) -> String {
    let mut out = text
        .replace('%', "%25")
        .replace('\r', "%0D")
        .replace('\n', "%0A");
    if property {
        out = out.replace(':', "%3A").replace(',', "%2C");
    }
    out
}

/// GitHub Actions `::error` commands, one per violated case, on the policy line.
pub fn github_annotations(report: &VerifyReport) -> Vec<String> {
    let escape = gh_escape;
    cases(report)
        .iter()
        .filter(|c| !c.held())
        .filter_map(|case| {
            let rule = report.policy.apis.get(case.api)?.rules.get(case.rule)?;
            let at = rule.position_of(case.key());
            let v = case.first_violation()?;
            let mut message = v.message.to_string();
            if let Some(line) = v.console.first() {
                message.push_str(&format!("\n{}: {line}", v.browser.display_name()));
            }
            Some(format!(
                "::error file={},line={},col={},title={}::{}",
                escape(&report.policy.file, true),
                at.line,
                at.column,
                escape(&format!("cors-doctor verify: {}", rule_id(case)), true),
                escape(&message, false)
            ))
        })
        .collect()
}
