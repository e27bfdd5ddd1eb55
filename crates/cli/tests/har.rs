//! `cors-doctor har` on HAR files recorded from real browsers by
//! `conformance/record-har.mjs` (crates/har/tests/fixtures/): Firefox's own
//! HAR exporter and Playwright's recorder on Chromium, one recording per lab
//! endpoint and one of all of them. Each `.expected.json` holds what the
//! browser itself did (fetch resolved or rejected) and printed (its console
//! lines). `har` must reach the same verdicts and console lines: from the
//! recording alone for Firefox (which records preflights and responses),
//! and with `--replay` against the lab for Chromium (Playwright keeps no
//! response for a blocked request, so the cause is not in the file).

#![allow(clippy::unwrap_used, clippy::expect_used)] // tests may panic on broken fixtures

mod support;

use std::path::{Path, PathBuf};
use std::process::Command;

use serde_json::Value;

/// The lab's port when the fixtures were recorded (record-har.mjs).
const RECORDED_LAB_PORT: u16 = 21787;

fn fixtures(browser: &str) -> Vec<PathBuf> {
    let dir = Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("../har/tests/fixtures")
        .join(browser);
    let mut files: Vec<PathBuf> = std::fs::read_dir(&dir)
        .unwrap()
        .map(|e| e.unwrap().path())
        .filter(|p| p.extension().is_some_and(|x| x == "har"))
        .collect();
    files.sort();
    assert!(
        files.len() >= 20,
        "{}: {} recordings",
        dir.display(),
        files.len()
    );
    files
}

fn har_json(file: &Path, extra: &[&str]) -> Value {
    let output = Command::new(env!("CARGO_BIN_EXE_cors-doctor"))
        .arg("har")
        .arg(file)
        .arg("--json")
        .args(extra)
        .output()
        .unwrap();
    let code = output.status.code().unwrap_or(-1);
    assert!(
        code == 0 || code == 1,
        "{}: exit {code}\n{}",
        file.display(),
        String::from_utf8_lossy(&output.stderr)
    );
    serde_json::from_slice(&output.stdout).unwrap()
}

/// Compares `har`'s judgement of each recorded fetch with the browser's own.
fn agrees(browser: &str, extra: &[&str]) {
    let mut failures = Vec::new();
    let mut compared = 0;
    for file in fixtures(browser) {
        let expected: Value = serde_json::from_str(
            &std::fs::read_to_string(file.with_extension("expected.json")).unwrap(),
        )
        .unwrap();
        let doc = har_json(&file, extra);
        assert_eq!(doc["browser"], browser, "{}", file.display());
        let fetches = doc["fetches"].as_array().unwrap();
        for want in expected["fetches"].as_array().unwrap() {
            let name = format!(
                "{} {} {}",
                file.file_name().unwrap().to_string_lossy(),
                want["method"],
                want["url"]
            );
            let Some(got) = fetches
                .iter()
                .find(|f| f["url"] == want["url"] && f["method"] == want["method"])
            else {
                failures.push(format!("{name}: not found among har's fetches"));
                continue;
            };
            compared += 1;
            if got["allowed"] != want["allowed"] {
                failures.push(format!(
                    "{name}: the browser's fetch {} but har says {}",
                    if want["allowed"] == true {
                        "resolved"
                    } else {
                        "was rejected"
                    },
                    got["verdict"]
                ));
            }
            if got["console"] != want["console"] {
                failures.push(format!(
                    "{name}: console differs\n  browser: {}\n  har:     {}",
                    want["console"], got["console"]
                ));
            }
        }
    }
    assert!(compared >= 40, "only {compared} fetches compared");
    assert!(
        failures.is_empty(),
        "{} differences:\n{}",
        failures.len(),
        failures.join("\n")
    );
}

#[test]
fn firefox_recordings_are_judged_as_firefox_did() {
    agrees("firefox", &[]);
}

#[test]
fn chromium_recordings_with_replay_are_judged_as_chromium_did() {
    // The recording's URLs name the lab's port then: serve it there again.
    let _lab = support::start_lab_on(RECORDED_LAB_PORT);
    agrees("chromium", &["--replay"]);
}

#[test]
fn chromium_recordings_without_replay_say_what_is_missing() {
    let file = fixtures("chromium")
        .into_iter()
        .find(|f| f.ends_with("wrong-origin.har"))
        .unwrap();
    let doc = har_json(&file, &[]);
    let fetch = &doc["fetches"][0];
    assert_eq!(fetch["group"], "no-response");
    assert_eq!(fetch["recorded_error"], "net::ERR_FAILED");
    assert_eq!(fetch["origin_inferred"], true);
    assert_eq!(fetch["allowed"], false);
}

#[test]
fn a_redacted_copy_keeps_no_secret_and_is_judged_as_the_original() {
    let dir = tempfile::tempdir().unwrap();
    for browser in ["firefox", "chromium"] {
        for file in fixtures(browser) {
            let original = std::fs::read_to_string(&file).unwrap();
            let copy = dir.path().join(file.file_name().unwrap());
            let output = Command::new(env!("CARGO_BIN_EXE_cors-doctor"))
                .arg("har")
                .arg(&file)
                .arg("--redact")
                .arg(&copy)
                .output()
                .unwrap();
            assert_eq!(
                output.status.code(),
                Some(0),
                "{}",
                String::from_utf8_lossy(&output.stderr)
            );
            let redacted = std::fs::read_to_string(&copy).unwrap();
            // The lab's demo credential, sent by the recorded pages.
            if original.contains("demo-token") {
                assert!(!redacted.contains("demo-token"), "{}", copy.display());
                assert!(redacted.contains("[redacted]"), "{}", copy.display());
            }
            let (a, b) = (har_json(&file, &[]), har_json(&copy, &[]));
            assert_eq!(a["fetches"], b["fetches"], "{}", file.display());
        }
    }
}
