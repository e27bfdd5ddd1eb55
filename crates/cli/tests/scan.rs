//! `cors-doctor scan` against the real lab: one test per pattern and per
//! security class, and the request count checked against the minimum the
//! engine's own classification implies.

#![allow(clippy::unwrap_used, clippy::expect_used)] // tests may panic on broken fixtures

mod support;

use std::process::Command;

/// Scans `url` of `lab` (over HTTPS: the scan plays an https page).
fn scan(lab: &support::HttpsLab, url: &str, extra: &[&str]) -> (i32, serde_json::Value) {
    let mut args = vec![
        "scan",
        url,
        "--origin",
        "https://app.example.com",
        "--json",
        "--cacert",
        &lab.cacert,
    ];
    args.extend_from_slice(extra);
    let output = Command::new(env!("CARGO_BIN_EXE_cors-doctor"))
        .args(&args)
        .env("NO_COLOR", "1")
        .env_remove("HTTP_PROXY")
        .env_remove("http_proxy")
        .output()
        .unwrap();
    let doc = serde_json::from_slice(&output.stdout)
        .unwrap_or_else(|e| panic!("{e}: {}", String::from_utf8_lossy(&output.stderr)));
    (output.status.code().unwrap_or(-1), doc)
}

fn summary(doc: &serde_json::Value) -> Vec<String> {
    doc["summary"]
        .as_array()
        .unwrap()
        .iter()
        .map(|s| s.as_str().unwrap().to_string())
        .collect()
}

fn security(doc: &serde_json::Value) -> Vec<(String, String)> {
    doc["security"]
        .as_array()
        .unwrap()
        .iter()
        .map(|f| {
            (
                f["id"].as_str().unwrap().to_string(),
                f["severity"].as_str().unwrap().to_string(),
            )
        })
        .collect()
}

#[test]
fn patterns_in_words() {
    let lab = support::start_https_lab();
    let base = lab.base.clone();
    let cases: &[(&str, &str, i32)] = &[
        ("/no-cors", "fails for every origin: the server sends no CORS headers", 1),
        ("/http-origin-only", "your origin https://app.example.com is blocked for a simple GET, but http://app.example.com is allowed instead", 1),
        ("/preflight-405", "PUT fails everywhere: OPTIONS answers 405", 0),
        ("/credentials-missing", "https://app.example.com works without credentials but not with them: Access-Control-Allow-Credentials is not `true`", 0),
        ("/wildcard-credentials", "https://app.example.com works without credentials but not with them: `*` cannot be used with credentials", 0),
        ("/reflect-no-vary", "any origin is reflected with credentials: an attacker's page can read responses with the user's cookies", 1),
    ];
    for (path, expected, code) in cases {
        let (exit, doc) = scan(&lab, &format!("{base}{path}"), &[]);
        let lines = summary(&doc);
        assert!(lines.iter().any(|l| l == expected), "{path}: {lines:#?}");
        assert_eq!(exit, *code, "{path}: {lines:#?}");
    }
}

#[test]
fn security_classes() {
    let lab = support::start_https_lab();
    let base = lab.base.clone();
    // (endpoint, findings expected with their severity, findings that must not appear)
    type Case<'a> = (&'a str, &'a [(&'a str, &'a str)], &'a [&'a str]);
    let cases: &[Case] = &[
        (
            "/reflect-no-vary",
            &[
                ("reflected-arbitrary-origin", "critical"),
                ("reflected-origin-without-vary", "medium"),
            ],
            &[],
        ),
        (
            "/vuln/null",
            &[("null-origin-allowed", "critical")],
            &["reflected-arbitrary-origin"],
        ),
        (
            "/vuln/prefix",
            &[("prefix-match", "critical")],
            &["reflected-arbitrary-origin", "suffix-match"],
        ),
        (
            "/vuln/suffix",
            // The suffix check on the site accepts its subdomains too: one
            // mistake, one finding.
            &[("suffix-match", "critical")],
            &[
                "reflected-arbitrary-origin",
                "prefix-match",
                "any-subdomain",
                "unescaped-dot",
            ],
        ),
        (
            "/vuln/unescaped-dot",
            &[("unescaped-dot", "critical")],
            &["reflected-arbitrary-origin"],
        ),
        (
            "/vuln/any-subdomain",
            &[
                ("any-subdomain", "critical"),
                ("http-origin-trusted", "high"),
            ],
            &["reflected-arbitrary-origin", "prefix-match"],
        ),
        (
            "/vuln/http-trusted",
            &[("http-origin-trusted", "high")],
            &["any-subdomain"],
        ),
        (
            "/vuln/special-chars",
            &[("special-characters", "critical")],
            &["prefix-match", "reflected-arbitrary-origin"],
        ),
        (
            "/ok/wildcard",
            &[("wildcard-origin", "low")],
            &["reflected-arbitrary-origin"],
        ),
        (
            "/vuln/reflect-allow-lists",
            &[("reflected-allow-lists", "medium")],
            &["reflected-arbitrary-origin", "any-subdomain"],
        ),
        (
            "/ok/preflight",
            &[],
            &[
                "reflected-arbitrary-origin",
                "wildcard-origin",
                "null-origin-allowed",
                "reflected-allow-lists",
            ],
        ),
    ];
    for (path, present, absent) in cases {
        let (exit, doc) = scan(&lab, &format!("{base}{path}"), &[]);
        let found = security(&doc);
        for (id, severity) in *present {
            assert!(
                found.iter().any(|(i, s)| i == id && s == severity),
                "{path}: expected {id} ({severity}) in {found:?}"
            );
        }
        for id in *absent {
            assert!(
                !found.iter().any(|(i, _)| i == id),
                "{path}: {id} should not be in {found:?}"
            );
        }
        let evidence = &doc["security"];
        for f in evidence.as_array().unwrap() {
            assert!(
                f["origin"].is_string() && f["request"].is_string(),
                "{path}: evidence {f}"
            );
        }
        let worst_high = found.iter().any(|(_, s)| s == "critical" || s == "high");
        if worst_high {
            assert_eq!(exit, 1, "{path}: high findings fail by default");
        }
    }
    // --fail-on none ignores security findings.
    let (exit, _) = scan(&lab, &format!("{base}/vuln/null"), &["--fail-on", "none"]);
    assert_eq!(exit, 0);
}

#[test]
fn sends_exactly_the_minimum_number_of_requests() {
    let lab = support::start_https_lab();
    let url = format!("{}/reflect-no-vary", lab.base);
    let (_, doc) = scan(
        &lab,
        &url,
        &["-X", "DELETE", "-H", "Content-Type: application/xml"],
    );
    let origins = doc["origins"].as_array().unwrap().len();
    let kinds = doc["kinds"].as_array().unwrap();
    assert_eq!(
        doc["cells"].as_array().unwrap().len(),
        origins * kinds.len() * 2
    );
    // The count below assumes no preflight blocks, so check that first.
    for cell in doc["cells"].as_array().unwrap() {
        assert!(
            !cell["allowed_in"].as_array().unwrap().is_empty(),
            "precondition: every cell allowed somewhere: {cell}"
        );
    }
    // Every request is allowed here, so each (origin, kind) sends its actual
    // request once, plus one preflight when the engine says one is needed;
    // credentials do not change the bytes on the wire; plus the discovery
    // OPTIONS and the allow-list reflection OPTIONS.
    let mut expected = 2;
    for kind in kinds {
        let mut request = cors_engine::Request::new(
            url::Url::parse("https://app.example.com/").unwrap(),
            url::Url::parse(&url).unwrap(),
        );
        request.method = kind["method"].as_str().unwrap().to_string();
        request.headers = kind["headers"]
            .as_array()
            .unwrap()
            .iter()
            .map(|h| {
                (
                    h["name"].as_str().unwrap().to_string(),
                    h["value"].as_str().unwrap().to_string(),
                )
            })
            .collect();
        let needs = cors_engine::Browser::ALL
            .iter()
            .any(|b| cors_engine::classify(&request, *b).needs_preflight());
        expected += origins * (1 + usize::from(needs));
    }
    assert_eq!(
        doc["requests_sent"].as_u64().unwrap() as usize,
        expected,
        "{}",
        doc["kinds"]
    );
}

#[test]
fn bad_input_exits_2() {
    for args in [
        vec!["scan", "not-a-url", "--origin", "https://a.com"],
        vec!["scan", "https://a.com/x", "--origin", "https://a.com/path"],
        vec![
            "scan",
            "https://a.com/x",
            "--origin",
            "https://a.com",
            "--fail-on",
            "dangerous",
        ],
        vec![
            "scan",
            "https://a.com/x",
            "--origin",
            "https://a.com",
            "--concurrency",
            "0",
        ],
        vec!["scan", "https://a.com/x"],
    ] {
        let output = Command::new(env!("CARGO_BIN_EXE_cors-doctor"))
            .args(&args)
            .output()
            .unwrap();
        assert_eq!(
            output.status.code(),
            Some(2),
            "{args:?}: {}",
            String::from_utf8_lossy(&output.stderr)
        );
    }
}

/// The terminal report of every exploitable lab endpoint, as a user sees it.
#[test]
fn text_report_snapshots() {
    let lab = support::start_https_lab();
    for (path, problem) in cors_lab::scan_endpoints() {
        let output = Command::new(env!("CARGO_BIN_EXE_cors-doctor"))
            .args([
                "scan",
                &format!("{}{path}", lab.base),
                "--origin",
                "https://app.example.com",
                "--cacert",
                &lab.cacert,
            ])
            .env("NO_COLOR", "1")
            .env_remove("HTTP_PROXY")
            .env_remove("http_proxy")
            .output()
            .unwrap();
        let text = format!(
            "exit: {}\n{}",
            output.status.code().unwrap_or(-1),
            String::from_utf8_lossy(&output.stdout)
        );
        insta::with_settings!({
            filters => vec![(r"127\.0\.0\.1:\d+", "127.0.0.1:[PORT]")],
            snapshot_suffix => path.trim_start_matches('/').replace('/', "_"),
            description => problem,
        }, {
            insta::assert_snapshot!("scan_text", text);
        });
    }
}

/// A server that cannot be reached: exit 3, the error says why, and the
/// summary does not claim a pattern (it once said "the server sends no
/// CORS headers" for an empty matrix).
#[test]
fn an_unreachable_server_has_an_error_and_no_pattern() {
    let port = std::net::TcpListener::bind("127.0.0.1:0")
        .and_then(|l| l.local_addr())
        .map(|a| a.port())
        .unwrap();
    let url = format!("http://127.0.0.1:{port}/x");
    let output = Command::new(env!("CARGO_BIN_EXE_cors-doctor"))
        .args([
            "scan",
            &url,
            "--origin",
            "https://app.example.com",
            "--json",
        ])
        .env("NO_COLOR", "1")
        .output()
        .unwrap();
    assert_eq!(output.status.code(), Some(3));
    let doc: serde_json::Value = serde_json::from_slice(&output.stdout).unwrap();
    assert_eq!(doc["error"]["stage"], "connect", "{doc}");
    assert!(summary(&doc).is_empty(), "{doc}");
    assert!(doc["cells"].as_array().unwrap().is_empty());
}
