//! Where `audit`'s records go, as each arrives: standard output (a text
//! line, or the NDJSON record with --json), the --ndjson file (flushed per
//! record, so an interrupted run loses nothing it finished), SARIF, JUnit
//! (its cases kept in a side file until the counts are known), and the
//! summary. Shared by `audit` and `audit merge`.

use crate::cli::AuditReportArgs;
use crate::exit::{self, Failure};
use crate::output::Output;
use cors_probe::scan_analysis::Severity;
use cors_report::audit::{
    junit_case, junit_head, render_line, AuditRecord, AuditSummary, SarifWriter, JUNIT_TAIL,
};
use std::fs::File;
use std::io::{BufWriter, Write};
use std::path::{Path, PathBuf};

/// The files and views records are written to.
pub struct Sinks {
    ndjson: Option<(PathBuf, BufWriter<File>)>,
    sarif: Option<(PathBuf, SarifWriter<BufWriter<File>>)>,
    junit: Option<(PathBuf, PathBuf, BufWriter<File>)>,
    json: bool,
    fail_on: Option<Severity>,
    failures: usize,
    pub summary: AuditSummary,
}

fn cannot_write(path: &Path, e: &std::io::Error) -> Failure {
    Failure {
        code: exit::OUTPUT,
        message: format!("cannot write {}: {e}", path.display()),
        hint: None,
    }
}

fn create(path: &Path, append: bool) -> Result<BufWriter<File>, Failure> {
    let file = if append {
        std::fs::OpenOptions::new()
            .create(true)
            .append(true)
            .open(path)
    } else {
        File::create(path)
    };
    file.map(BufWriter::new).map_err(|e| cannot_write(path, &e))
}

/// `--fail-on`: a severity, or `none`.
pub fn parse_fail_on(text: &str) -> Result<Option<Severity>, Failure> {
    match text {
        "none" => Ok(None),
        text => Severity::from_id(text).map(Some).ok_or_else(|| {
            Failure::usage(format!(
                "--fail-on `{text}`: use info, low, medium, high, critical or none"
            ))
        }),
    }
}

impl Sinks {
    pub fn open(
        ndjson: Option<&Path>,
        append: bool,
        reports: &AuditReportArgs,
        fail_on: Option<Severity>,
    ) -> Result<Sinks, Failure> {
        let (sarif, junit, json) = (
            reports.sarif.as_deref(),
            reports.junit.as_deref(),
            reports.json,
        );
        let ndjson = match ndjson {
            Some(path) => Some((path.to_path_buf(), create(path, append)?)),
            None => None,
        };
        let sarif = match sarif {
            Some(path) => Some((
                path.to_path_buf(),
                SarifWriter::new(create(path, false)?).map_err(|e| cannot_write(path, &e))?,
            )),
            None => None,
        };
        let junit = match junit {
            Some(path) => {
                let cases = path.with_extension("cases.partial");
                let writer = create(&cases, false)?;
                Some((path.to_path_buf(), cases, writer))
            }
            None => None,
        };
        Ok(Sinks {
            ndjson,
            sarif,
            junit,
            json,
            fail_on,
            failures: 0,
            summary: AuditSummary::default(),
        })
    }

    /// Writes one record everywhere.
    pub fn add(&mut self, record: &AuditRecord, out: &mut Output) -> Result<(), Failure> {
        self.summary.add(record);
        let line = serde_json::to_string(record).map_err(|e| Failure {
            code: exit::OUTPUT,
            message: format!("cannot serialise a record: {e}"),
            hint: None,
        })?;
        if self.json {
            out.print(&format!("{line}\n"));
        } else if let Some(text) = render_line(record, &out.palette()) {
            out.print(&text);
        }
        if let Some((path, w)) = &mut self.ndjson {
            w.write_all(line.as_bytes())
                .and_then(|()| w.write_all(b"\n"))
                .and_then(|()| w.flush())
                .map_err(|e| cannot_write(path, &e))?;
        }
        if let Some((path, w)) = &mut self.sarif {
            w.add(record).map_err(|e| cannot_write(path, &e))?;
        }
        let failed = self
            .fail_on
            .zip(record.worst_severity())
            .is_some_and(|(threshold, worst)| worst >= threshold);
        self.failures += usize::from(failed);
        if let Some((_, cases, w)) = &mut self.junit {
            w.write_all(junit_case(record, self.fail_on).as_bytes())
                .map_err(|e| cannot_write(cases, &e))?;
        }
        Ok(())
    }

    /// Closes every file; `complete` is false for an interrupted run.
    /// Completes every file and prints the summary table (on standard
    /// error under --json, which keeps standard output for records);
    /// `elapsed` seconds give the rate (0: none shown).
    pub fn finish(
        self,
        complete: bool,
        elapsed: f64,
        out: &mut Output,
    ) -> Result<AuditSummary, Failure> {
        if let Some((path, mut w)) = self.ndjson {
            w.flush().map_err(|e| cannot_write(&path, &e))?;
        }
        if let Some((path, w)) = self.sarif {
            w.finish(complete).map_err(|e| cannot_write(&path, &e))?;
        }
        if let Some((path, cases, w)) = self.junit {
            drop(
                w.into_inner()
                    .map_err(|e| cannot_write(&cases, e.error()))?,
            );
            let mut out = create(&path, false)?;
            let written = out
                .write_all(junit_head(&self.summary, self.failures).as_bytes())
                .and_then(|()| {
                    let mut from = File::open(&cases)?;
                    std::io::copy(&mut from, &mut out)?;
                    out.write_all(JUNIT_TAIL.as_bytes())?;
                    out.flush()
                });
            let _ = std::fs::remove_file(&cases);
            written.map_err(|e| cannot_write(&path, &e))?;
        }
        let table = self.summary.render(elapsed);
        if self.json {
            out.error_text(&table);
        } else {
            out.print(&table);
        }
        Ok(self.summary)
    }
}

/// The exit code of a finished audit.
pub fn exit_code(summary: &AuditSummary, fail_on: Option<Severity>) -> u8 {
    if fail_on.is_some_and(|t| summary.reaches(t)) {
        exit::BLOCKED
    } else if summary.endpoints > 0 && summary.errors == summary.endpoints {
        exit::UNREACHABLE
    } else {
        exit::OK
    }
}
