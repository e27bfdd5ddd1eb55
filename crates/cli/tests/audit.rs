//! `cors-doctor audit` against the estate (`lab --estate`, real HTTP over
//! loopback): every planted mistake found and nothing else, few requests,
//! SARIF and JUnit valid, shards merged into the whole; and 10 000
//! endpoints, 5% never answering, interrupted halfway and resumed into
//! exactly the uninterrupted result.

#![allow(clippy::unwrap_used, clippy::expect_used)] // tests may panic on broken fixtures

mod support;

use serde_json::Value;
use std::collections::{BTreeMap, BTreeSet};
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Output, Stdio};
use std::time::{Duration, Instant};
use support::reports::{assert_valid_junit, assert_valid_sarif};

const BIN: &str = env!("CARGO_BIN_EXE_cors-doctor");

/// The estate served by `cors-doctor lab --estate` until dropped.
struct Estate {
    child: Child,
    dir: tempfile::TempDir,
}

impl Drop for Estate {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

impl Estate {
    fn start(size: usize, extra: &[&str]) -> Estate {
        let dir = tempfile::tempdir().unwrap();
        let child = Command::new(BIN)
            .args([
                "lab",
                "--estate",
                &size.to_string(),
                "--listen",
                "127.0.0.1:0",
            ])
            .arg("--estate-dir")
            .arg(dir.path())
            .args(extra)
            .stdout(Stdio::null())
            .stderr(Stdio::null())
            .spawn()
            .unwrap();
        let estate = Estate { child, dir };
        let truth = estate.path("truth.json");
        let started = Instant::now();
        while !truth.exists() {
            assert!(
                started.elapsed() < Duration::from_secs(30),
                "the estate did not start"
            );
            std::thread::sleep(Duration::from_millis(20));
        }
        // Written last but one; wait until it parses.
        while std::fs::read_to_string(&truth)
            .ok()
            .and_then(|t| serde_json::from_str::<Value>(&t).ok())
            .is_none()
        {
            std::thread::sleep(Duration::from_millis(20));
        }
        estate
    }

    fn path(&self, name: &str) -> PathBuf {
        self.dir.path().join(name)
    }

    /// URL → planted class.
    fn truth(&self) -> BTreeMap<String, String> {
        let truth: Value =
            serde_json::from_str(&std::fs::read_to_string(self.path("truth.json")).unwrap())
                .unwrap();
        truth
            .as_array()
            .unwrap()
            .iter()
            .map(|t| {
                (
                    t["url"].as_str().unwrap().to_string(),
                    t["class"].as_str().unwrap().to_string(),
                )
            })
            .collect()
    }
}

fn audit(args: &[&str], files: &[&Path]) -> Output {
    Command::new(BIN)
        .arg("audit")
        .args(args)
        .args(files)
        .env("NO_COLOR", "1")
        .env_remove("HTTP_PROXY")
        .env_remove("http_proxy")
        .output()
        .unwrap()
}

/// The records of an NDJSON output by URL, without their timing.
fn records(path: &Path) -> BTreeMap<String, Value> {
    let mut out = BTreeMap::new();
    for line in std::fs::read_to_string(path).unwrap().lines() {
        let mut record: Value = serde_json::from_str(line).unwrap();
        record.as_object_mut().unwrap().remove("elapsed_ms");
        let url = record["url"].as_str().unwrap().to_string();
        assert!(
            out.insert(url.clone(), record).is_none(),
            "{url} twice in {}",
            path.display()
        );
    }
    out
}

/// The finding ids a planted class makes true (an arbitrary origin
/// reflected implies every narrower shape; a suffix check on the site
/// accepts its subdomains; a prefix check the special characters).
fn allowed_ids(class: &str) -> BTreeSet<&str> {
    let shapes = [
        "null-origin-allowed",
        "prefix-match",
        "suffix-match",
        "unescaped-dot",
        "special-characters",
        "any-subdomain",
        "http-origin-trusted",
        "third-party-hosting",
        "substring-match",
    ];
    let mut ids: BTreeSet<&str> = match class {
        "reflected-arbitrary-origin" | "reflected-origin-without-vary" => shapes
            .into_iter()
            .chain(["reflected-arbitrary-origin"])
            .collect(),
        "reflected-allow-lists" | "preflight-arbitrary-origin" => {
            ["reflected-allow-lists", "preflight-arbitrary-origin"].into()
        }
        "suffix-match" => ["any-subdomain"].into(),
        "prefix-match" => ["special-characters"].into(),
        _ => BTreeSet::new(),
    };
    if !matches!(class, "safe" | "unreachable") {
        ids.insert(match class {
            "reflected-origin-without-vary" => "reflected-origin-without-vary",
            other => other,
        });
    }
    ids
}

fn ids(record: &Value) -> BTreeSet<String> {
    record["findings"]
        .as_array()
        .unwrap()
        .iter()
        .map(|f| f["id"].as_str().unwrap().to_string())
        .collect()
}

#[test]
fn every_planted_mistake_is_found_and_nothing_else() {
    // Four turns of the estate's rotation: every class, over https origins
    // and over the http ones.
    let estate = Estate::start(100, &[]);
    let sarif = estate.path("audit.sarif");
    let junit = estate.path("audit.junit.xml");
    let out = estate.path("audit.ndjson");
    let run = audit(
        &[
            "--ndjson",
            out.to_str().unwrap(),
            "--sarif",
            sarif.to_str().unwrap(),
            "--junit",
            junit.to_str().unwrap(),
            "--timeout",
            "5",
        ],
        &[&estate.path("targets.ndjson")],
    );
    let stdout = String::from_utf8_lossy(&run.stdout);
    assert_eq!(
        run.status.code(),
        Some(1),
        "{stdout}\n{}",
        String::from_utf8_lossy(&run.stderr)
    );
    let truth = estate.truth();
    let found = records(&out);
    assert_eq!(found.len(), truth.len());
    let mut requests_safe = Vec::new();
    for (url, class) in &truth {
        let record = &found[url];
        assert_eq!(record["schema"], "cors-doctor/audit/v1");
        assert_eq!(record["status"], "done", "{url}: {record}");
        let ids = ids(record);
        let allowed = allowed_ids(class);
        if class != "safe" {
            assert!(
                ids.contains(class.as_str()),
                "{url} ({class}) not found: {ids:?}"
            );
        }
        for id in &ids {
            assert!(
                allowed.contains(id.as_str()),
                "{url} ({class}): {id} reported"
            );
        }
        let requests = record["requests"].as_u64().unwrap();
        match class.as_str() {
            // Decided by the first request: the narrower shapes are not
            // asked; only the preflight follows (two of them when a public
            // http page calls this loopback address: Chromium's carries the
            // local-network header).
            "reflected-arbitrary-origin" | "reflected-origin-without-vary" | "wildcard-origin" => {
                assert!(requests <= 3, "{url}: {requests} requests")
            }
            "safe" => requests_safe.push(requests),
            _ => {}
        }
        if class != "safe" {
            assert!(
                stdout.contains(url.as_str()),
                "{url} not in the text output"
            );
        }
    }
    // A clean endpoint costs one request per attack shape and the preflight.
    assert!(requests_safe.iter().all(|r| *r <= 30), "{requests_safe:?}");
    assert!(stdout.contains("100 endpoints"), "{stdout}");

    let log: Value = serde_json::from_str(&std::fs::read_to_string(&sarif).unwrap()).unwrap();
    assert_valid_sarif(&log);
    let results = log["runs"][0]["results"].as_array().unwrap();
    let findings: usize = found
        .values()
        .map(|r| r["findings"].as_array().unwrap().len())
        .sum();
    assert_eq!(results.len(), findings);
    assert_valid_junit(&junit);
    let xml = std::fs::read_to_string(&junit).unwrap();
    assert!(xml.contains("tests=\"100\""), "{xml}");

    // Three shards, merged, are the whole run.
    let mut parts = Vec::new();
    for shard in ["1/3", "2/3", "3/3"] {
        let part = estate.path(&format!("part-{}.ndjson", &shard[..1]));
        let run = audit(
            &[
                "--shard",
                shard,
                "--ndjson",
                part.to_str().unwrap(),
                "--fail-on",
                "none",
            ],
            &[&estate.path("targets.ndjson")],
        );
        assert_eq!(
            run.status.code(),
            Some(0),
            "{}",
            String::from_utf8_lossy(&run.stderr)
        );
        assert!(records(&part).len() > 10, "shard {shard} is too small");
        parts.push(part);
    }
    let merged = estate.path("merged.ndjson");
    let mut args: Vec<&str> = vec![
        "merge",
        "--ndjson",
        merged.to_str().unwrap(),
        "--fail-on",
        "none",
    ];
    args.extend(parts.iter().map(|p| p.to_str().unwrap()));
    let run = audit(&args, &[]);
    assert_eq!(
        run.status.code(),
        Some(0),
        "{}",
        String::from_utf8_lossy(&run.stderr)
    );
    assert_eq!(records(&merged), found);
}

#[test]
fn ten_thousand_endpoints_interrupted_and_resumed_lose_nothing() {
    // One endpoint in 20 accepts the connection and never answers.
    let estate = Estate::start(
        10_000,
        &["--estate-hang-every", "20", "--estate-reflecting"],
    );
    let targets = estate.path("targets.ndjson");
    let common = [
        "--timeout",
        "3",
        "--concurrency",
        "256",
        "--fail-on",
        "none",
    ];

    // A deadline ends what it catches in flight, as `deadline` records.
    let first_40 = estate.path("first-40.ndjson");
    let lines: Vec<String> = std::fs::read_to_string(&targets)
        .unwrap()
        .lines()
        .take(40)
        .map(str::to_string)
        .collect();
    std::fs::write(&first_40, lines.join("\n")).unwrap();
    let cut = estate.path("cut.ndjson");
    let run = audit(
        &[
            "--timeout",
            "30",
            "--deadline",
            "1",
            "--ndjson",
            cut.to_str().unwrap(),
        ],
        &[&first_40],
    );
    assert_eq!(
        run.status.code(),
        Some(1),
        "{}",
        String::from_utf8_lossy(&run.stderr)
    );
    let cut = records(&cut);
    let unfinished: Vec<&String> = cut
        .keys()
        .filter(|u| cut[*u]["status"] == "deadline")
        .collect();
    assert_eq!(unfinished.len(), 2, "{unfinished:?}");

    // Uninterrupted.
    let whole = estate.path("whole.ndjson");
    let mut args = common.to_vec();
    args.extend(["--ndjson", whole.to_str().unwrap()]);
    let run = audit(&args, &[&targets]);
    assert_eq!(
        run.status.code(),
        Some(0),
        "{}",
        String::from_utf8_lossy(&run.stderr)
    );
    let whole = records(&whole);
    assert_eq!(whole.len(), 10_000);
    let errors = whole.values().filter(|r| r["status"] == "error").count();
    assert_eq!(
        errors, 500,
        "the hanging endpoints are results, and only they"
    );
    assert!(whole.values().all(|r| r["status"] != "deadline"));

    // Interrupted halfway (Ctrl-C), then resumed.
    let part = estate.path("part.ndjson");
    let mut args = vec!["audit"];
    args.extend(common);
    args.extend([
        "--ndjson",
        part.to_str().unwrap(),
        targets.to_str().unwrap(),
    ]);
    let mut child = Command::new(BIN)
        .args(&args)
        .stdout(Stdio::null())
        .stderr(Stdio::null())
        .spawn()
        .unwrap();
    let started = Instant::now();
    while std::fs::read_to_string(&part).map_or(0, |t| t.lines().count()) < 5_000 {
        assert!(started.elapsed() < Duration::from_secs(300), "no progress");
        std::thread::sleep(Duration::from_millis(10));
    }
    let kill = Command::new("kill")
        .args(["-INT", &child.id().to_string()])
        .status()
        .unwrap();
    assert!(kill.success());
    let status = child.wait().unwrap();
    assert_eq!(status.code(), Some(130));
    let written = std::fs::read_to_string(&part).unwrap().lines().count();
    assert!(
        (5_000..10_000).contains(&written),
        "{written} records before the interrupt"
    );
    let run = audit(
        &[&common[..], &["--resume", part.to_str().unwrap()]].concat(),
        &[&targets],
    );
    assert_eq!(
        run.status.code(),
        Some(0),
        "{}",
        String::from_utf8_lossy(&run.stderr)
    );
    assert_eq!(records(&part), whole);
}

#[test]
fn bad_input_is_named_by_file_and_line() {
    let dir = tempfile::tempdir().unwrap();
    let file = dir.path().join("urls.txt");
    std::fs::write(&file, "https://127.0.0.1:1/a\n# comment\n\nftp://x/\n").unwrap();
    let run = audit(&[], &[&file]);
    assert_eq!(run.status.code(), Some(2));
    let stderr = String::from_utf8_lossy(&run.stderr);
    assert!(stderr.contains("line 4 of"), "{stderr}");
    let run = audit(&["--shard", "3/2"], &[&file]);
    assert_eq!(run.status.code(), Some(2));
    // An endpoint that cannot be reached is a result, and the exit code
    // says so: its record, from `audit --json` of `url` alone.
    let unreachable = |url: &str| -> Value {
        std::fs::write(&file, format!("{url}\n")).unwrap();
        let run = audit(&["--json", "--timeout", "2"], &[&file]);
        assert_eq!(
            run.status.code(),
            Some(3),
            "{}",
            String::from_utf8_lossy(&run.stderr)
        );
        let record: Value = serde_json::from_slice(&run.stdout).unwrap();
        assert_eq!(record["status"], "error", "{record}");
        record
    };
    let record = unreachable("http://127.0.0.1:9/");
    assert_eq!(record["error"]["stage"], "connect");
    // A name that does not resolve, named as a DNS failure (`.invalid`
    // never resolves, and the resolver answers it without a query: RFC 6761).
    let record = unreachable("https://cors-doctor-nowhere.invalid/api");
    assert_eq!(record["error"]["stage"], "dns", "{record}");
    assert!(
        record["error"]["message"]
            .as_str()
            .unwrap()
            .contains("cors-doctor-nowhere.invalid"),
        "{record}"
    );
}

/// The lab's port when the HAR fixtures were recorded (conformance/record-har.mjs).
const RECORDED_LAB_PORT: u16 = 21787;

/// Runs `audit ARGS --ndjson OUT`, which must exit 1 (a finding), and
/// returns its records by (method, URL).
fn audit_records(args: &[&str], out: &Path) -> BTreeMap<(String, String), Value> {
    let mut args = args.to_vec();
    args.extend(["--ndjson", out.to_str().unwrap()]);
    let run = audit(&args, &[]);
    assert_eq!(
        run.status.code(),
        Some(1),
        "{}",
        String::from_utf8_lossy(&run.stderr)
    );
    std::fs::read_to_string(out)
        .unwrap()
        .lines()
        .map(|line| {
            let record: Value = serde_json::from_str(line).unwrap();
            let key = (
                record["method"].as_str().unwrap().to_string(),
                record["url"].as_str().unwrap().to_string(),
            );
            (key, record)
        })
        .collect()
}

#[test]
fn an_openapi_document_and_a_har_recording_name_the_endpoints() {
    let _lab = support::start_lab_on(RECORDED_LAB_PORT);
    let dir = tempfile::tempdir().unwrap();
    let lab = format!("http://127.0.0.1:{RECORDED_LAB_PORT}");

    // Every operation of the document, with its body type and credentials.
    let spec = dir.path().join("openapi.yaml");
    std::fs::write(
        &spec,
        "openapi: 3.0.3
info: {title: the lab, version: '1'}
servers: [{url: /}]
components:
  securitySchemes:
    bearer: {type: http, scheme: bearer}
paths:
  /ok/simple: {get: {}}
  /reflect-no-vary: {get: {}}
  /ok/preflight:
    put:
      security: [{bearer: []}]
      requestBody: {content: {application/json: {}}}
",
    )
    .unwrap();
    let found = audit_records(
        &[
            "--openapi",
            spec.to_str().unwrap(),
            "--base-url",
            &lab,
            "--origin",
            "https://app.example.com",
            // One host: its endpoints one request at a time, and the same results.
            "--per-host",
            "1",
        ],
        &dir.path().join("openapi.ndjson"),
    );
    let keys: Vec<_> = found.keys().cloned().collect();
    let request = |method: &str, path: &str| (method.to_string(), format!("{lab}{path}"));
    assert_eq!(
        keys,
        [
            request("GET", "/ok/simple"),
            request("GET", "/reflect-no-vary"),
            request("PUT", "/ok/preflight"),
        ]
    );
    assert!(ids(&found[&request("GET", "/reflect-no-vary")]).contains("reflected-arbitrary-origin"));
    for safe in [
        request("GET", "/ok/simple"),
        request("PUT", "/ok/preflight"),
    ] {
        let record = &found[&safe];
        assert_eq!(record["status"], "done", "{record}");
        assert!(ids(record).is_empty(), "{record}");
        assert_eq!(record["origin"], "https://app.example.com");
    }
    assert_eq!(
        found[&request("PUT", "/ok/preflight")]["headers"],
        serde_json::json!([
            {"name": "Content-Type", "value": "application/json"},
            {"name": "Authorization", "value": "Bearer cors-doctor-probe"}
        ])
    );

    // The endpoints a recorded session called, from the page's origin,
    // without the recorded credentials.
    let har = Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("../har/tests/fixtures/chromium/all-endpoints.har");
    let found = audit_records(
        &["--har", har.to_str().unwrap()],
        &dir.path().join("har.ndjson"),
    );
    assert_eq!(found.len(), 30);
    for record in found.values() {
        assert_eq!(record["status"], "done", "{record}");
        assert_eq!(record["origin"], "https://app.example.com");
        assert!(!record.to_string().contains("demo-token"), "{record}");
    }
    assert!(ids(&found[&request("GET", "/reflect-no-vary")]).contains("reflected-arbitrary-origin"));
    assert!(ids(&found[&request("GET", "/ok/simple")]).is_empty());
    assert!(ids(&found[&request("GET", "/http-origin-only")]).contains("http-origin-trusted"));

    // A document that is not one says so, and where.
    std::fs::write(&spec, "openapi: 3.0.3\npaths: {/a/{id}: {get: {}}}\n").unwrap();
    let run = audit(&["--openapi", spec.to_str().unwrap()], &[]);
    assert_eq!(run.status.code(), Some(2));
    let stderr = String::from_utf8_lossy(&run.stderr);
    assert!(
        stderr.contains("openapi.yaml") && stderr.contains("line 2"),
        "{stderr}"
    );
}
