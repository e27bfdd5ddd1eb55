//! `audit`'s report: one record per endpoint (an NDJSON line, schema
//! `cors-doctor/audit/v1`), the text line printed as an endpoint finishes,
//! the summary table, and SARIF 2.1.0 and JUnit written as records arrive —
//! every view from the same [`AuditRecord`], which `audit merge` and
//! `--resume` read back.

use crate::check_json::{ErrorDoc, Header};
use crate::scan_json::SecurityDoc;
use crate::verify_ci::xml_escape;
use crate::Palette;
use cors_probe::audit::{AuditTarget, EndpointAudit};
use cors_probe::scan_analysis::Severity;
use serde::{Deserialize, Serialize};
use std::collections::BTreeMap;
use std::fmt::Write as _;
use std::io::{self, Write};

pub const AUDIT_SCHEMA: &str = "cors-doctor/audit/v1";

/// One endpoint's result.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct AuditRecord {
    pub schema: String,
    pub url: String,
    /// The origin the attack shapes were derived from.
    pub origin: String,
    /// Whether that origin was given (else it is the endpoint's own).
    pub origin_given: bool,
    pub method: String,
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub headers: Vec<Header>,
    /// `done`, `error` (no usable answer) or `deadline` (not finished).
    pub status: String,
    /// The worst finding's severity.
    pub worst: Option<String>,
    /// Worst first.
    pub findings: Vec<SecurityDoc>,
    pub requests: usize,
    pub error: Option<ErrorDoc>,
    pub elapsed_ms: u64,
}

/// What identifies an endpoint across runs: the same input line gives the
/// same key, so `--resume` and `merge` can tell what is done.
pub fn target_key(target: &AuditTarget) -> String {
    let origin = target
        .origin
        .as_ref()
        .map(cors_engine::Origin::serialize)
        .unwrap_or_default();
    let headers: Vec<(&str, &str)> = target
        .headers
        .iter()
        .map(|(n, v)| (n.as_str(), v.as_str()))
        .collect();
    key_of(target.url.as_str(), &origin, target.method(), &headers)
}

fn key_of(url: &str, origin: &str, method: &str, headers: &[(&str, &str)]) -> String {
    let mut key = format!("{url}\t{origin}\t{method}");
    for (name, value) in headers {
        let _ = write!(key, "\t{name}: {value}");
    }
    key
}

/// A stable 64-bit hash (FNV-1a): the same on every machine and run, so
/// `--shard` splits an input the same way in every CI job.
pub fn stable_hash(text: &str) -> u64 {
    text.bytes().fold(0xcbf2_9ce4_8422_2325, |hash, byte| {
        (hash ^ u64::from(byte)).wrapping_mul(0x0100_0000_01b3)
    })
}

impl AuditRecord {
    pub fn of(audit: &EndpointAudit) -> AuditRecord {
        let target = &audit.target;
        AuditRecord {
            schema: AUDIT_SCHEMA.to_string(),
            url: target.url.to_string(),
            origin: target.trusted_origin().serialize(),
            origin_given: target.origin.is_some(),
            method: target.method().to_string(),
            headers: target
                .headers
                .iter()
                .map(|(name, value)| Header {
                    name: name.clone(),
                    value: value.clone(),
                })
                .collect(),
            status: audit.status.id().to_string(),
            worst: audit.findings.first().map(|f| f.severity.id().to_string()),
            findings: audit.findings.iter().map(SecurityDoc::of).collect(),
            requests: audit.requests_sent,
            error: audit.error.as_ref().map(ErrorDoc::of),
            elapsed_ms: u64::try_from(audit.elapsed.as_millis()).unwrap_or(u64::MAX),
        }
    }

    /// [`target_key`] of the target this record answers.
    pub fn key(&self) -> String {
        let origin = if self.origin_given {
            &self.origin[..]
        } else {
            ""
        };
        let headers: Vec<(&str, &str)> = self
            .headers
            .iter()
            .map(|h| (h.name.as_str(), h.value.as_str()))
            .collect();
        key_of(&self.url, origin, &self.method, &headers)
    }

    /// Finished: judged, or judged unreachable. A `deadline` record is not,
    /// and a resumed run asks that endpoint again.
    pub fn is_final(&self) -> bool {
        self.status != "deadline"
    }

    pub fn worst_severity(&self) -> Option<Severity> {
        self.worst.as_deref().and_then(Severity::from_id)
    }
}

/// The text line for a finished endpoint: nothing for a clean one.
pub fn render_line(record: &AuditRecord, palette: &Palette) -> Option<String> {
    match record.status.as_str() {
        "error" => Some(format!(
            "{}  {}  {}\n",
            palette.dim(&format!("{:<8}", "error")),
            record.url,
            record
                .error
                .as_ref()
                .map_or("no usable answer", |e| e.message.as_str())
        )),
        "deadline" => Some(format!(
            "{}  {}  not finished before --deadline\n",
            palette.dim(&format!("{:<8}", "deadline")),
            record.url
        )),
        _ => {
            let worst = record.findings.first()?;
            let label = format!("{:<8}", worst.severity);
            let label = match record.worst_severity() {
                Some(Severity::Critical | Severity::High) => palette.bad(&label),
                Some(Severity::Medium) => palette.warn(&label),
                _ => palette.dim(&label),
            };
            let ids: Vec<&str> = record.findings.iter().map(|f| f.id.as_str()).collect();
            Some(format!(
                "{label}  {}  {}  (origin {})\n",
                record.url,
                ids.join(", "),
                worst.origin
            ))
        }
    }
}

/// Counts over every record seen: constant memory, whatever the estate.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize)]
pub struct AuditSummary {
    pub endpoints: usize,
    pub done: usize,
    pub errors: usize,
    pub deadline: usize,
    pub with_findings: usize,
    pub requests: usize,
    /// Endpoints per finding id.
    pub by_class: BTreeMap<String, usize>,
    /// Endpoints per worst severity.
    pub by_severity: BTreeMap<String, usize>,
}

impl AuditSummary {
    pub fn add(&mut self, record: &AuditRecord) {
        self.endpoints += 1;
        self.requests += record.requests;
        match record.status.as_str() {
            "error" => self.errors += 1,
            "deadline" => self.deadline += 1,
            _ => self.done += 1,
        }
        if let Some(worst) = &record.worst {
            self.with_findings += 1;
            *self.by_severity.entry(worst.clone()).or_default() += 1;
        }
        for f in &record.findings {
            *self.by_class.entry(f.id.clone()).or_default() += 1;
        }
    }

    /// Whether a finding at or above `threshold` was seen.
    pub fn reaches(&self, threshold: Severity) -> bool {
        self.by_severity
            .keys()
            .filter_map(|s| Severity::from_id(s))
            .any(|s| s >= threshold)
    }

    /// The table printed at the end.
    pub fn render(&self, seconds: f64) -> String {
        let mut out = String::new();
        let rate = if seconds > 0.0 {
            self.endpoints as f64 / seconds
        } else {
            0.0
        };
        let endpoints = match self.endpoints {
            1 => "1 endpoint".to_string(),
            n => format!("{n} endpoints"),
        };
        let requests = match self.requests {
            1 => "1 request".to_string(),
            n => format!("{n} requests"),
        };
        let _ = writeln!(
            out,
            "\n{endpoints} in {seconds:.1} s ({rate:.0}/s, {requests}): {} judged, {} unreachable, {} unfinished; {} with findings",
            self.done, self.errors, self.deadline, self.with_findings
        );
        if !self.by_class.is_empty() {
            let width = self.by_class.keys().map(String::len).max().unwrap_or(0);
            let _ = writeln!(out, "\n  {:<width$}  endpoints", "finding");
            for (id, n) in &self.by_class {
                let _ = writeln!(out, "  {id:<width$}  {n:>9}");
            }
        }
        out
    }
}

fn sarif_level(severity: &str) -> &'static str {
    match Severity::from_id(severity) {
        Some(Severity::Critical | Severity::High) => "error",
        Some(Severity::Medium) => "warning",
        _ => "note",
    }
}

/// SARIF 2.1.0, written as records arrive: the results first, the rules
/// (known only at the end) after them in the same run object.
#[derive(Debug)]
pub struct SarifWriter<W: Write> {
    out: W,
    first: bool,
    rules: BTreeMap<String, String>,
    unfinished: bool,
}

impl<W: Write> SarifWriter<W> {
    pub fn new(mut out: W) -> io::Result<SarifWriter<W>> {
        out.write_all(
            b"{\"$schema\":\"https://json.schemastore.org/sarif-2.1.0.json\",\"version\":\"2.1.0\",\"runs\":[{\"results\":[",
        )?;
        Ok(SarifWriter {
            out,
            first: true,
            rules: BTreeMap::new(),
            unfinished: false,
        })
    }

    pub fn add(&mut self, record: &AuditRecord) -> io::Result<()> {
        self.unfinished |= !record.is_final();
        for f in &record.findings {
            self.rules
                .entry(f.id.clone())
                .or_insert_with(|| f.title.clone());
            let result = serde_json::json!({
                "ruleId": f.id,
                "level": sarif_level(&f.severity),
                "message": {"text": format!("{} — {} accepted at {}", f.title, f.origin, record.url)},
                "locations": [{"physicalLocation": {"artifactLocation": {"uri": record.url}}}],
                "properties": {
                    "severity": f.severity,
                    "origin": f.origin,
                    "credentials": f.credentials,
                    "browsers": f.browsers,
                    "accessControlAllowOrigin": f.access_control_allow_origin,
                }
            });
            if !self.first {
                self.out.write_all(b",")?;
            }
            self.first = false;
            serde_json::to_writer(&mut self.out, &result)?;
        }
        Ok(())
    }

    /// Closes the document. `complete` is false when the run was cut short.
    pub fn finish(mut self, complete: bool) -> io::Result<W> {
        let rules: Vec<serde_json::Value> = self
            .rules
            .iter()
            .map(|(id, title)| {
                serde_json::json!({
                    "id": id,
                    "shortDescription": {"text": id},
                    "fullDescription": {"text": title},
                    "helpUri": "https://github.com/cors-doctor/cors-doctor/blob/main/docs/json-schema.md#audit",
                })
            })
            .collect();
        let tail = serde_json::json!({
            "driver": {
                "name": "cors-doctor",
                "version": env!("CARGO_PKG_VERSION"),
                "informationUri": "https://github.com/cors-doctor/cors-doctor",
                "rules": rules,
            }
        });
        self.out.write_all(b"],\"tool\":")?;
        serde_json::to_writer(&mut self.out, &tail)?;
        let invocations =
            serde_json::json!([{"executionSuccessful": complete && !self.unfinished}]);
        self.out.write_all(b",\"invocations\":")?;
        serde_json::to_writer(&mut self.out, &invocations)?;
        self.out.write_all(b"}]}\n")?;
        self.out.flush()?;
        Ok(self.out)
    }
}

/// One JUnit test case per endpoint: failed when its worst finding reaches
/// the threshold, an error when it could not be judged.
pub fn junit_case(record: &AuditRecord, fail_on: Option<Severity>) -> String {
    let name = xml_escape(&format!("{} from {}", record.url, record.origin));
    let open = format!("    <testcase name=\"{name}\" classname=\"cors-doctor audit\">");
    if !record.is_final() || record.status == "error" {
        let message = record
            .error
            .as_ref()
            .map_or("not finished before the deadline", |e| e.message.as_str());
        return format!(
            "{open}\n      <error message=\"{}\" type=\"{}\"/>\n    </testcase>\n",
            xml_escape(message),
            xml_escape(&record.status)
        );
    }
    let failing: Vec<&SecurityDoc> = record
        .findings
        .iter()
        .filter(|f| fail_on.is_some_and(|t| Severity::from_id(&f.severity).is_some_and(|s| s >= t)))
        .collect();
    let Some(first) = failing.first() else {
        return format!("    <testcase name=\"{name}\" classname=\"cors-doctor audit\"/>\n");
    };
    let mut text = String::new();
    for f in &failing {
        let _ = writeln!(
            text,
            "{} ({}): {} — {}",
            f.id, f.severity, f.origin, f.title
        );
    }
    format!(
        "{open}\n      <failure message=\"{}\" type=\"{}\">{}</failure>\n    </testcase>\n",
        xml_escape(&first.title),
        xml_escape(&first.id),
        xml_escape(&text)
    )
}

/// The JUnit document's head; the cases of [`junit_case`] follow, then
/// [`JUNIT_TAIL`] (so cases can be kept on disk, not in memory, until the
/// counts are known).
pub fn junit_head(summary: &AuditSummary, failures: usize) -> String {
    format!(
        "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n<testsuites name=\"cors-doctor audit\" tests=\"{n}\" failures=\"{failures}\" errors=\"{e}\">\n  <testsuite name=\"cors-doctor audit\" tests=\"{n}\" failures=\"{failures}\" errors=\"{e}\" skipped=\"0\">\n",
        n = summary.endpoints,
        e = summary.errors + summary.deadline
    )
}

pub const JUNIT_TAIL: &str = "  </testsuite>\n</testsuites>\n";

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_summary_line_counts_in_words() {
        let cases = [
            ((1, 1, 1), 0.1, "\n1 endpoint in 0.1 s (10/s, 1 request): "),
            (
                (2, 0, 40),
                1.0,
                "\n2 endpoints in 1.0 s (2/s, 40 requests): ",
            ),
        ];
        for ((endpoints, errors, requests), seconds, start) in cases {
            let summary = AuditSummary {
                endpoints,
                errors,
                requests,
                ..AuditSummary::default()
            };
            let line = summary.render(seconds);
            assert!(line.starts_with(start), "{line}");
        }
    }
}
