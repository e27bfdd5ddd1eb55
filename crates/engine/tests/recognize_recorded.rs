//! Every console message that real Chromium and Firefox printed in the
//! conformance runs is recognised by `explain`'s recognizer, as the right
//! browser, with the URL it mentions.

#![allow(clippy::unwrap_used, clippy::expect_used)] // a test harness

use cors_engine::recognize::Recognizer;
use cors_engine::Browser;
use serde_json::Value;
use std::path::Path;

/// Lines that are not about CORS and that explain rightly ignores.
fn is_noise(line: &str) -> bool {
    line == "Failed to load resource: net::ERR_FAILED"
        || line.starts_with("Failed to load resource: the server responded with a status of")
        || line.starts_with("Cookie “")
}

#[test]
fn every_recorded_console_line_is_recognised() {
    let recognizer = Recognizer::new();
    let mut checked = 0;
    let mut missed = Vec::new();
    for (file, browser) in [
        ("chromium.json", Browser::Chromium),
        ("firefox.json", Browser::Firefox),
    ] {
        let path = Path::new(env!("CARGO_MANIFEST_DIR"))
            .join("../../conformance/results")
            .join(file);
        let results: Value =
            serde_json::from_str(&std::fs::read_to_string(&path).unwrap()).unwrap();
        for scenario in results["scenarios"].as_array().unwrap() {
            for observation in scenario["observations"].as_array().unwrap() {
                for entry in observation["console"].as_array().into_iter().flatten() {
                    let Some(line) = entry["text"].as_str() else {
                        continue;
                    };
                    if is_noise(line) {
                        continue;
                    }
                    checked += 1;
                    let found = recognizer.recognize_line(line);
                    let ok = found.len() == 1
                        && found[0].browser == browser
                        && !found[0].candidates.is_empty();
                    if !ok {
                        missed.push(format!(
                            "{browser} {}: {line}\n    → {found:?}",
                            scenario["id"]
                        ));
                    }
                }
            }
        }
    }
    assert!(checked > 300, "only {checked} lines");
    assert!(
        missed.is_empty(),
        "{} of {checked} recorded lines not recognised:\n{}",
        missed.len(),
        missed.join("\n")
    );
}

#[test]
fn a_bare_err_failed_is_not_taken_for_a_reason() {
    let found = Recognizer::new().recognize_line("Failed to load resource: net::ERR_FAILED");
    assert!(found.is_empty(), "{found:?}");
}
