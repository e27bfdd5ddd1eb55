//! `cors-doctor har` on HAR files recorded from real browsers by
//! `conformance/record-har.mjs` (crates/har/tests/fixtures/): Firefox's own
//! HAR exporter and Playwright's recorder on Chromium, one recording per lab
//! endpoint and one of all of them. Each `.expected.json` holds what the
//! browser itself did (fetch resolved or rejected) and printed (its console
//! lines). `har` must reach the same verdicts and console lines: from the
//! recording alone for Firefox (which records preflights and responses),
//! and with `--replay` against the lab for Chromium (Playwright keeps no
//! response for a blocked request, so the cause is not in the file).
//! Also the conformance scenario families, one page per family, recorded by
//! `conformance/record-har-scenarios.mjs` (fixtures/<browser>-scenarios/):
//! there the disagreements are listed in conformance/har-known-divergences.json.

#![allow(clippy::unwrap_used, clippy::expect_used)] // tests may panic on broken fixtures

mod support;

use std::path::{Path, PathBuf};
use std::process::Command;

use serde_json::Value;

/// The lab's port when the fixtures were recorded (record-har.mjs).
const RECORDED_LAB_PORT: u16 = 21787;

/// The recordings in `crates/har/tests/fixtures/<dir>`, at least `at_least`.
fn recordings(dir: &str, at_least: usize) -> Vec<PathBuf> {
    let dir = Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("../har/tests/fixtures")
        .join(dir);
    let mut files: Vec<PathBuf> = std::fs::read_dir(&dir)
        .unwrap()
        .map(|e| e.unwrap().path())
        .filter(|p| p.extension().is_some_and(|x| x == "har"))
        .collect();
    files.sort();
    assert!(
        files.len() >= at_least,
        "{}: {} recordings",
        dir.display(),
        files.len()
    );
    files
}

/// The recordings of every lab endpoint by `browser`.
fn fixtures(browser: &str) -> Vec<PathBuf> {
    recordings(browser, 20)
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

/// `--redact` onto the file being read is refused before anything is
/// written: creating the output would have emptied the recording.
#[test]
fn redacting_a_file_onto_itself_is_refused_and_the_file_kept() {
    let dir = tempfile::tempdir().unwrap();
    let source = fixtures("firefox").into_iter().next().unwrap();
    let file = dir.path().join("self.har");
    std::fs::copy(&source, &file).unwrap();
    let before = std::fs::read(&file).unwrap();
    let output = Command::new(env!("CARGO_BIN_EXE_cors-doctor"))
        .current_dir(dir.path())
        .args(["har", "self.har", "--redact", "./self.har"])
        .output()
        .unwrap();
    assert_eq!(output.status.code(), Some(2));
    let stderr = String::from_utf8_lossy(&output.stderr);
    assert!(stderr.contains("would destroy the recording"), "{stderr}");
    assert_eq!(std::fs::read(&file).unwrap(), before);
}

/// Where `har` is known to judge a fetch of a scenario family otherwise than
/// the browser did: `conformance/har-known-divergences.json`, one entry per
/// (browser, scenario, repeat, aspect), with what the browser did, what har
/// said and why.
fn known_scenario_divergences(browser: &str) -> Vec<(String, u64, String)> {
    let file =
        Path::new(env!("CARGO_MANIFEST_DIR")).join("../../conformance/har-known-divergences.json");
    let doc: Value = serde_json::from_str(&std::fs::read_to_string(&file).unwrap()).unwrap();
    doc["divergences"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|d| d["browser"] == browser)
        .map(|d| {
            (
                d["scenario"].as_str().unwrap().to_string(),
                d["repeat"].as_u64().unwrap_or(1),
                d["aspect"].as_str().unwrap().to_string(),
            )
        })
        .collect()
}

/// The method as fetch() and XMLHttpRequest send it: DELETE, GET, HEAD,
/// OPTIONS, POST and PUT are upper-cased whatever case the script wrote
/// (Fetch's "normalize a method"); others ("patch") go as written. The
/// expected files hold the method as the scenario's script wrote it.
fn normalized_method(method: &str) -> String {
    let upper = method.to_ascii_uppercase();
    if ["DELETE", "GET", "HEAD", "OPTIONS", "POST", "PUT"].contains(&upper.as_str()) {
        upper
    } else {
        method.to_string()
    }
}

/// The conformance scenario families (conformance/scenarios/*.json), each
/// recorded in one page by `conformance/record-har-scenarios.mjs`
/// (crates/har/tests/fixtures/<browser>-scenarios/): every recorded fetch
/// must be judged as the browser did (verdict and console lines, as
/// `agrees` compares them, Firefox's cookie notices left out), except the
/// disagreements listed with a reason in conformance/har-known-divergences.json
/// — and each listed one must still occur, so the list stays exact. Fetches
/// are paired with har's in file order: the n-th recorded fetch of a URL and
/// (normalized) method with har's n-th. With `console_if_judged`, console
/// lines are compared only where har judged the fetch from a response in the
/// file (Playwright keeps none for a request Chromium blocked: har says
/// "no-response", and its verdict is still compared). Returns how many
/// fetches were compared.
fn families_agree(browser: &str, console_if_judged: bool) -> usize {
    let files = recordings(&format!("{browser}-scenarios"), 10);
    let known = known_scenario_divergences(browser);
    let mut found: Vec<(String, u64, String)> = Vec::new();
    let mut unlisted = Vec::new();
    let mut compared = 0;
    for file in &files {
        let expected: Value = serde_json::from_str(
            &std::fs::read_to_string(file.with_extension("expected.json")).unwrap(),
        )
        .unwrap();
        let doc = har_json(file, &[]);
        assert_eq!(doc["browser"], browser, "{}", file.display());
        let fetches = doc["fetches"].as_array().unwrap();
        let mut seen: Vec<(&Value, String)> = Vec::new();
        for want in expected["fetches"].as_array().unwrap() {
            let method = normalized_method(want["method"].as_str().unwrap());
            let key = (&want["url"], method.clone());
            let nth = seen.iter().filter(|k| **k == key).count();
            seen.push(key);
            let scenario = want["scenario"].as_str().unwrap().to_string();
            let repeat = want["repeat"].as_u64().unwrap();
            let name = format!(
                "{} {scenario}#{repeat} {} {}",
                file.file_name().unwrap().to_string_lossy(),
                want["method"],
                want["url"]
            );
            let mut differs = |aspect: &str, message: String| {
                let entry = (scenario.clone(), repeat, aspect.to_string());
                if !known.contains(&entry) {
                    unlisted.push(format!("{name} [{aspect}]: {message}"));
                }
                found.push(entry);
            };
            let Some(got) = fetches
                .iter()
                .filter(|f| f["url"] == want["url"] && f["method"] == method.as_str())
                .nth(nth)
            else {
                differs(
                    "har-missing",
                    format!(
                        "not among har's fetches (the browser's fetch {}, console {})",
                        if want["allowed"] == true {
                            "resolved"
                        } else {
                            "was rejected"
                        },
                        want["console"]
                    ),
                );
                continue;
            };
            compared += 1;
            if got["allowed"] != want["allowed"] {
                differs(
                    "har-verdict",
                    format!(
                        "the browser's fetch {} but har says {}",
                        if want["allowed"] == true {
                            "resolved"
                        } else {
                            "was rejected"
                        },
                        got["verdict"]
                    ),
                );
            }
            if console_if_judged && got["group"] == "no-response" {
                continue;
            }
            // Firefox's third-party cookie notices are not about CORS
            // (left out as in the engine's conformance test and
            // compare-check.mjs).
            let browser_console: Vec<&Value> = want["console"]
                .as_array()
                .unwrap()
                .iter()
                .filter(|l| !l.as_str().unwrap().starts_with("Cookie “"))
                .collect();
            let har_console: Vec<&Value> = got["console"].as_array().unwrap().iter().collect();
            if har_console != browser_console {
                differs(
                    "har-console",
                    format!(
                        "console differs\n  browser: {}\n  har:     {}",
                        want["console"], got["console"]
                    ),
                );
            }
        }
    }
    let stale: Vec<String> = known
        .iter()
        .filter(|k| !found.contains(k))
        .map(|(s, r, a)| format!("{s}#{r} [{a}]"))
        .collect();
    assert!(
        unlisted.is_empty(),
        "{browser}: {} differences not in conformance/har-known-divergences.json:\n{}",
        unlisted.len(),
        unlisted.join("\n")
    );
    assert!(
        stale.is_empty(),
        "{browser}: listed in conformance/har-known-divergences.json but har now agrees with the browser: {}",
        stale.join(", ")
    );
    compared
}

#[test]
fn firefox_scenario_families_are_judged_as_firefox_did() {
    let compared = families_agree("firefox", false);
    assert!(compared >= 300, "only {compared} fetches compared");
}

#[test]
fn chromium_scenario_families_are_judged_as_chromium_did_where_the_file_can_tell() {
    let compared = families_agree("chromium", true);
    assert!(compared >= 300, "only {compared} fetches compared");
}

/// A credentials mode leaves no trace when no cookie is sent: Firefox
/// blocked those fetches (`credentials: "include"` with ACAO `*`, or no
/// `Access-Control-Allow-Credentials: true`) where the file shows an
/// allowed request. `har` cannot tell, and must say what the browser does
/// if the page sends credentials — with Firefox's own console line.
#[test]
fn fetches_blocked_for_credentials_are_named_with_the_browsers_line() {
    let file = Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("../har/tests/fixtures/firefox-scenarios/20-credentials.har");
    let expected: Value = serde_json::from_str(
        &std::fs::read_to_string(file.with_extension("expected.json")).unwrap(),
    )
    .unwrap();
    let doc = har_json(&file, &[]);
    let fetches = doc["fetches"].as_array().unwrap();
    let mut explained = 0;
    for want in expected["fetches"].as_array().unwrap() {
        let method = normalized_method(want["method"].as_str().unwrap());
        let matching: Vec<&Value> = fetches
            .iter()
            .filter(|f| f["url"] == want["url"] && f["method"] == method.as_str())
            .collect();
        let [got] = matching[..] else { continue };
        if want["allowed"] == false && got["allowed"] == true {
            let again = &got["if_credentialed"];
            assert_eq!(
                got["group"], "blocked-if-credentialed",
                "{}",
                want["scenario"]
            );
            assert_eq!(again["verdict"], "blocked", "{}", want["scenario"]);
            assert_eq!(again["console"], want["console"], "{}", want["scenario"]);
            explained += 1;
        }
    }
    assert!(explained >= 10, "only {explained} fetches explained");
}
