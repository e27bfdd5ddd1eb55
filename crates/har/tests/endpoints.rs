//! `script_requests` on recordings made by real browsers
//! (`conformance/record-har.mjs`, `record-har-scenarios.mjs`): the
//! endpoints `audit --har` audits.

#![allow(clippy::unwrap_used, clippy::expect_used)] // tests may panic on broken fixtures

use cors_har::{read_har, script_requests, Limits, PROBE_SECRET};
use std::path::Path;

fn requests(fixture: &str) -> Vec<cors_engine::Request> {
    let path = Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("tests/fixtures")
        .join(fixture);
    let file = std::fs::File::open(&path).unwrap();
    script_requests(read_har(file, &Limits::default(), &mut |_| {}).unwrap())
}

fn shown(requests: &[cors_engine::Request]) -> Vec<String> {
    requests
        .iter()
        .map(|r| {
            let headers: Vec<String> = r.headers.iter().map(|(n, v)| format!("{n}: {v}")).collect();
            format!(
                "{} {} from {} [{}]",
                r.method,
                r.url,
                r.origin.serialize(),
                headers.join("; ")
            )
        })
        .collect()
}

#[test]
fn playwright_on_chromium_every_endpoint_once_without_secrets() {
    let found = requests("chromium/all-endpoints.har");
    let lines = shown(&found);
    // Every fetch but the page's own document. Playwright keeps only the
    // provisional headers of a response-less request (no `Origin`, no
    // `Sec-Fetch-Mode`), so `/no-cors` counts as a CORS request too.
    assert_eq!(found.len(), 30, "{lines:#?}");
    for line in &lines {
        assert!(line.contains(" from https://app.example.com"), "{line}");
        assert!(
            !line.contains("demo-token"),
            "a recorded secret is kept: {line}"
        );
    }
    assert!(
        lines.contains(&format!(
            "PUT http://127.0.0.1:21787/ok/preflight from https://app.example.com [authorization: {PROBE_SECRET}; content-type: application/json]"
        )),
        "{lines:#?}"
    );
}

#[test]
fn firefox_preflights_with_their_requests_count_once() {
    let found = requests("firefox-scenarios/30-preflight-triggers.har");
    let lines = shown(&found);
    let mut keys: Vec<_> = found
        .iter()
        .map(|r| (r.url.to_string(), r.method.clone()))
        .collect();
    let total = keys.len();
    keys.sort();
    keys.dedup();
    assert_eq!(keys.len(), total, "{lines:#?}");
    // Every script request of the page: its preflights add none.
    assert!(found
        .iter()
        .all(|r| r.origin.serialize() == "http://app.test:23165"));
    assert!(
        lines
            .iter()
            .any(|l| l.starts_with("FOO http://api.test:23190/r ")),
        "{lines:#?}"
    );
}
