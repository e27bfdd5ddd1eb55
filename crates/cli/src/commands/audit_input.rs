//! `audit`'s input: endpoint lines (a URL, or an NDJSON object) from files
//! or standard input, OpenAPI documents and HAR recordings, the `--shard` split, and the records an earlier run
//! already wrote (for `--resume` and `merge`). Every error names the file
//! and line.

use crate::commands::explain_input::{read_line, LineError};
use crate::exit::Failure;
use cors_engine::Origin;
use cors_har::{read_har, script_requests, Limits as HarLimits};
use cors_probe::audit::AuditTarget;
use cors_probe::audit_input::parse_target_line;
use cors_probe::audit_openapi::{self as openapi, parse_openapi};
use cors_report::audit::{stable_hash, target_key, AuditRecord};
use std::collections::HashSet;
use std::io::{BufRead, BufReader, Read};
use std::path::{Path, PathBuf};
use url::Url;

fn shown(path: &Path) -> String {
    if path == Path::new("-") {
        "standard input".to_string()
    } else {
        path.display().to_string()
    }
}

/// The longest input line read: an endpoint or a record is a few KiB; a
/// file without line breaks (`/dev/zero`, a binary) is refused at this
/// length instead of read whole.
const MAX_LINE_BYTES: usize = 1 << 20;

/// The lines of `reader` as [`BufRead::lines`] gives them, each at most
/// [`MAX_LINE_BYTES`]: a longer one is an error, and the end of reading.
fn bounded_lines<R: BufRead>(mut reader: R) -> impl Iterator<Item = std::io::Result<String>> {
    let mut done = false;
    std::iter::from_fn(move || {
        if done {
            return None;
        }
        let mut line = Vec::new();
        match read_line(&mut reader, &mut line, MAX_LINE_BYTES) {
            Ok(false) => {
                done = true;
                None
            }
            Ok(true) => Some(String::from_utf8(line).map_err(|_| {
                std::io::Error::new(
                    std::io::ErrorKind::InvalidData,
                    "stream did not contain valid UTF-8",
                )
            })),
            Err(LineError::TooLong) => {
                done = true;
                Some(Err(std::io::Error::new(
                    std::io::ErrorKind::InvalidData,
                    format!("the line is longer than {} MiB", MAX_LINE_BYTES >> 20),
                )))
            }
            Err(LineError::Io(e)) => {
                done = true;
                Some(Err(e))
            }
        }
    })
}

/// Every endpoint of `inputs`, in order. Standard input is read at most once.
pub fn read_targets(
    inputs: &[PathBuf],
    default_origin: Option<&Origin>,
) -> Result<Vec<AuditTarget>, Failure> {
    let mut targets = Vec::new();
    for path in inputs {
        for (n, line) in bounded_lines(BufReader::new(open(path)?)).enumerate() {
            let line = line.map_err(|e| {
                Failure::usage(format!(
                    "cannot read line {} of {}: {e}",
                    n + 1,
                    shown(path)
                ))
            })?;
            match parse_target_line(&line, default_origin) {
                Ok(Some(target)) => targets.push(target),
                Ok(None) => {}
                Err(message) => {
                    return Err(Failure::usage(format!(
                        "line {} of {}: {message}",
                        n + 1,
                        shown(path)
                    ))
                    .with_hint("write one URL per line, or one JSON object per line: {\"url\": \"https://api.example.com/x\", \"origin\": \"https://app.example.com\"}"))
                }
            }
        }
    }
    Ok(targets)
}

/// The largest OpenAPI document read (a large public API's is a few MiB).
const MAX_OPENAPI_BYTES: u64 = 64 * 1024 * 1024;

/// `--base-url`: an http(s) URL.
pub fn parse_base_url(text: &str) -> Result<Url, Failure> {
    Url::parse(text)
        .ok()
        .filter(|u| matches!(u.scheme(), "http" | "https"))
        .ok_or_else(|| Failure::usage(format!("--base-url `{text}` is not an http(s) URL")))
}

/// Every operation of the OpenAPI document at `path` (`-`: standard input).
pub fn openapi_targets(
    path: &Path,
    base: Option<&Url>,
    origin: Option<&Origin>,
) -> Result<Vec<AuditTarget>, Failure> {
    let mut text = String::new();
    open(path)?
        .take(MAX_OPENAPI_BYTES + 1)
        .read_to_string(&mut text)
        .map_err(|e| Failure::usage(format!("cannot read {}: {e}", shown(path))))?;
    if text.len() as u64 > MAX_OPENAPI_BYTES {
        return Err(Failure::usage(format!(
            "{} is larger than {} MiB: not read as an OpenAPI document",
            shown(path),
            MAX_OPENAPI_BYTES >> 20
        )));
    }
    let bad = |message: String| Failure::usage(format!("{}: {message}", shown(path)));
    let doc = parse_openapi(&text).map_err(bad)?;
    openapi::openapi_targets(&doc, base, origin).map_err(bad)
}

/// The cross-origin endpoints the recording at `path` called.
pub fn har_targets(path: &Path) -> Result<Vec<AuditTarget>, Failure> {
    let har = read_har(open(path)?, &HarLimits::default(), &mut |_| {})
        .map_err(|e| Failure::usage(format!("{}: {e}", shown(path))))?;
    Ok(script_requests(har)
        .into_iter()
        .map(|request| {
            let mut target = AuditTarget::new(request.url);
            target.origin = Some(request.origin);
            target.method = Some(request.method);
            target.headers = request.headers;
            target
        })
        .collect())
}

fn open(path: &Path) -> Result<Box<dyn Read>, Failure> {
    Ok(if path == Path::new("-") {
        Box::new(std::io::stdin().lock())
    } else {
        Box::new(
            std::fs::File::open(path)
                .map_err(|e| Failure::usage(format!("cannot read {}: {e}", path.display())))?,
        )
    })
}

/// `--shard I/N`: (index from 0, count).
pub fn parse_shard(text: &str) -> Result<(u64, u64), Failure> {
    let usage = || {
        Failure::usage(format!(
            "--shard `{text}` is not I/N with 1 <= I <= N (e.g. 2/8)"
        ))
    };
    let (i, n) = text.split_once('/').ok_or_else(usage)?;
    let (i, n): (u64, u64) = (
        i.trim().parse().map_err(|_| usage())?,
        n.trim().parse().map_err(|_| usage())?,
    );
    if n == 0 || i == 0 || i > n {
        return Err(usage());
    }
    Ok((i - 1, n))
}

/// Whether `target` belongs to shard `(index, count)`.
pub fn in_shard(target: &AuditTarget, shard: Option<(u64, u64)>) -> bool {
    shard.is_none_or(|(index, count)| stable_hash(&target_key(target)) % count == index)
}

/// Reads the records of an NDJSON audit output, calling `each` with each.
/// A last line cut short (the run was killed while writing it) is skipped;
/// any other bad line is an error naming the file and line.
pub fn read_records(path: &Path, mut each: impl FnMut(AuditRecord)) -> Result<(), Failure> {
    let file = std::fs::File::open(path)
        .map_err(|e| Failure::usage(format!("cannot read {}: {e}", path.display())))?;
    let mut lines = bounded_lines(BufReader::new(file)).enumerate().peekable();
    while let Some((n, line)) = lines.next() {
        let line = line.map_err(|e| {
            Failure::usage(format!(
                "cannot read line {} of {}: {e}",
                n + 1,
                path.display()
            ))
        })?;
        if line.trim().is_empty() {
            continue;
        }
        match serde_json::from_str::<AuditRecord>(&line) {
            Ok(record) => each(record),
            Err(_) if lines.peek().is_none() => {}
            Err(e) => {
                return Err(Failure::usage(format!(
                    "line {} of {} is not an audit record (cors-doctor/audit/v1): {e}",
                    n + 1,
                    path.display()
                )))
            }
        }
    }
    Ok(())
}

/// The keys (hashed) of the endpoints a previous run finished.
pub fn finished_keys(path: &Path) -> Result<HashSet<u64>, Failure> {
    let mut done = HashSet::new();
    if !path.exists() {
        return Ok(done);
    }
    read_records(path, |record| {
        if record.is_final() {
            done.insert(stable_hash(&record.key()));
        }
    })?;
    Ok(done)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn shards_partition_the_input() {
        let targets: Vec<AuditTarget> = (0..1000)
            .map(|i| AuditTarget::new(url::Url::parse(&format!("https://h{i}.example/")).unwrap()))
            .collect();
        let mut seen = 0;
        for index in 0..4 {
            let part = targets
                .iter()
                .filter(|t| in_shard(t, Some((index, 4))))
                .count();
            assert!(part > 150, "shard {index} has {part}");
            seen += part;
        }
        assert_eq!(seen, 1000);
        assert!(parse_shard("0/4").is_err());
        assert!(parse_shard("5/4").is_err());
        assert_eq!(parse_shard("2/8").unwrap(), (1, 8));
    }
}
