//! `cors-doctor explain` end to end: pasted messages, console dumps, stdin,
//! files, ids, the catalogue list, JSON, unrecognised input and `--probe`
//! against the real lab.

#![allow(clippy::unwrap_used, clippy::expect_used)] // tests may panic on broken fixtures

mod support;

use std::process::Output;

fn run(args: &[&str], stdin: Option<&str>) -> Output {
    support::run_with_stdin(args, stdin.unwrap_or("").as_bytes())
}

fn stdout(o: &Output) -> String {
    String::from_utf8_lossy(&o.stdout).into_owned()
}

const DUMP: &str = r#"12:01:22.345 Navigated to http://localhost:3000/
12:01:23.001 [HMR] connected
12:01:24.117 Access to fetch at 'http://localhost:8080/api/items' from origin 'http://localhost:3000' has been blocked by CORS policy: Response to preflight request doesn't pass access control check: No 'Access-Control-Allow-Origin' header is present on the requested resource.
12:01:24.118 GET http://localhost:8080/api/items net::ERR_FAILED
12:01:24.119 Uncaught (in promise) TypeError: Failed to fetch
    at loadItems (app.js:12:5)
Cross-Origin Request Blocked: The Same Origin Policy disallows reading the remote resource at https://api.example.com/v1. (Reason: CORS header 'Access-Control-Allow-Origin' does not match 'https://example.com/').
[Error] Method patch is not allowed by Access-Control-Allow-Methods.
[Error] Fetch API cannot load https://api.example.com/v1 due to access control checks.
"#;

#[test]
fn explains_each_message_of_a_console_dump() {
    let o = run(&["explain"], Some(DUMP));
    assert_eq!(
        o.status.code(),
        Some(0),
        "{}",
        String::from_utf8_lossy(&o.stderr)
    );
    insta::assert_snapshot!(stdout(&o));
}

#[test]
fn json_output_and_file_input() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("console.log");
    std::fs::write(&path, DUMP).unwrap();
    let o = run(
        &["explain", "--json", "--file", path.to_str().unwrap()],
        None,
    );
    assert_eq!(o.status.code(), Some(0));
    let doc: serde_json::Value = serde_json::from_slice(&o.stdout).unwrap();
    assert_eq!(doc["schema"], "cors-doctor/explain/v1");
    let ids: Vec<&str> = doc["messages"]
        .as_array()
        .unwrap()
        .iter()
        .map(|m| m["id"].as_str().unwrap())
        .collect();
    assert_eq!(
        ids,
        [
            "allow-origin-missing",
            "allow-origin-mismatch",
            "method-not-allowed"
        ],
        "{doc:#}"
    );
    assert!(doc["messages"][0]["candidates"]
        .as_array()
        .unwrap()
        .iter()
        .any(|c| c == "preflight-rejected"));
    assert_eq!(doc["messages"][0]["browser"], "chromium");
    assert_eq!(doc["messages"][1]["browser"], "firefox");
    assert_eq!(doc["messages"][2]["browser"], "webkit");
    assert_eq!(doc["messages"][0]["url"], "http://localhost:8080/api/items");
    assert_eq!(doc["messages"][1]["value"], "https://example.com/");
    assert!(
        doc["unrecognized_hints"].as_array().unwrap().is_empty(),
        "the reasons were found"
    );
}

#[test]
fn explains_an_id_and_lists_the_catalogue() {
    let o = run(&["explain", "header-not-allowed"], None);
    assert_eq!(o.status.code(), Some(0));
    let text = stdout(&o);
    assert!(text.contains("Request header field {header} is not allowed by Access-Control-Allow-Headers in preflight response."), "{text}");
    let o = run(&["explain", "--list"], None);
    assert_eq!(o.status.code(), Some(0));
    let text = stdout(&o);
    for id in [
        "allow-origin-missing",
        "preflight-redirect",
        "mixed-content",
        "local-network-permission-denied",
    ] {
        assert!(text.contains(id), "{id}");
    }
}

#[test]
fn non_cors_input_exits_1_and_unrecognised_input_exits_2() {
    // Understood, but not a CORS console message: explained, exit 1.
    let o = run(&["explain", "TypeError: Failed to fetch"], None);
    assert_eq!(o.status.code(), Some(1));
    let text = stdout(&o);
    assert!(
        text.contains("the browser hides the reason from script"),
        "{text}"
    );
    // Safari's errors when it refuses to send at all (its reason is a warning).
    let o = run(
        &["explain"],
        Some("[Error] Error: – TypeError: Not allowed to request resource\n[Error] Fetch API cannot load http://localhost:3233/api due to access control checks.\n"),
    );
    assert_eq!(o.status.code(), Some(1));
    let text = stdout(&o);
    assert!(
        text.contains("line 1: Safari refused to send the request at all (`Not allowed to request resource`) — most often mixed content"),
        "{text}"
    );
    let o = run(
        &[
            "explain",
            "something about Access-Control-Allow-Methods went wrong",
        ],
        None,
    );
    assert_eq!(o.status.code(), Some(2));
    let stderr = String::from_utf8_lossy(&o.stderr);
    assert!(
        stderr.contains("no CORS console message recognised")
            && stderr.contains("closest catalogue entries"),
        "{stderr}"
    );
    let o = run(&["explain", "--file", "/nonexistent/console.log"], None);
    assert_eq!(o.status.code(), Some(2));
    // Not CORS at all: said plainly, in the JSON too.
    let o = run(
        &["explain", "--json", "-"],
        Some("Uncaught DOMException: Blocked a frame with origin \"https://a.example\" from accessing a cross-origin frame.\n"),
    );
    assert_eq!(o.status.code(), Some(1));
    let doc: serde_json::Value = serde_json::from_slice(&o.stdout).unwrap();
    assert_eq!(doc["notes"][0]["kind"], "cross-origin-frame");
    assert_eq!(doc["notes"][0]["cors"], false);
    assert!(doc["notes"][0]["meaning"]
        .as_str()
        .unwrap()
        .starts_with("not CORS"));
    let o = run(
        &[
            "explain",
            "--json",
            "something about Access-Control-Allow-Methods went wrong",
        ],
        None,
    );
    let doc: serde_json::Value = serde_json::from_slice(&o.stdout).unwrap();
    assert!(!doc["closest"].as_array().unwrap().is_empty(), "{doc}");
}

#[test]
fn a_dash_reads_standard_input_leniently() {
    let mut input = b"\xff\xfe garbage ".to_vec();
    input.extend_from_slice(
        b"Method PUT is not allowed by Access-Control-Allow-Methods in preflight response.",
    );
    let o = support::run_with_stdin(&["explain", "--json", "-"], &input);
    assert_eq!(o.status.code(), Some(0));
    let doc: serde_json::Value = serde_json::from_slice(&o.stdout).unwrap();
    assert_eq!(doc["messages"][0]["id"], "method-not-allowed");
    assert_eq!(doc["messages"][0]["method"], "PUT");
    assert_eq!(doc["messages"][0]["browser"], "chromium");
}

#[test]
fn probe_reruns_the_check_against_the_server() {
    let lab = support::start_lab(None);
    let addr = lab.addr;
    let message = format!("Access to fetch at 'http://{addr}/trailing-slash' from origin 'https://app.example.com' has been blocked by CORS policy: The 'Access-Control-Allow-Origin' header has a value 'https://app.example.com/' that is not equal to the supplied origin. Have the server send the header with a valid value.");
    let o = run(&["explain", "--probe", "--json", &message], None);
    assert_eq!(
        o.status.code(),
        Some(0),
        "{}",
        String::from_utf8_lossy(&o.stderr)
    );
    let doc: serde_json::Value = serde_json::from_slice(&o.stdout).unwrap();
    let probe = &doc["messages"][0]["probe"];
    assert_eq!(
        probe["still_blocked_in"],
        serde_json::json!(["chromium", "firefox", "webkit"]),
        "{doc:#}"
    );
    // Each blocking finding once: Chromium and Firefox agree, WebKit
    // refuses the http URL from the https page first.
    assert_eq!(
        probe["findings"],
        serde_json::json!(["allow-origin-mismatch", "mixed-content"]),
        "{doc:#}"
    );
}

/// `explain ID --json` and `explain --list --json` are documents of their
/// own shapes (docs/json-schema.md): the entry does not borrow the paste
/// report's schema name.
#[test]
fn an_entry_and_the_list_in_json() {
    let o = run(&["explain", "header-not-allowed", "--json"], None);
    assert_eq!(o.status.code(), Some(0));
    let entry: serde_json::Value = serde_json::from_slice(&o.stdout).unwrap();
    assert_eq!(entry["schema"], "cors-doctor/explain-entry/v1");
    assert_eq!(entry["id"], "header-not-allowed");
    assert!(entry["messages"]["chromium"]
        .as_str()
        .is_some_and(|t| t.contains("{origin}")));
    let o = run(&["explain", "--list", "--json"], None);
    assert_eq!(o.status.code(), Some(0));
    let list: serde_json::Value = serde_json::from_slice(&o.stdout).unwrap();
    let rows = list.as_array().unwrap();
    assert!(rows.len() > 50, "{}", rows.len());
    for row in rows {
        let keys: Vec<&str> = row
            .as_object()
            .unwrap()
            .keys()
            .map(String::as_str)
            .collect();
        assert_eq!(
            keys,
            [
                "browsers",
                "cause",
                "id",
                "legacy_only",
                "severity",
                "title"
            ],
            "{row}"
        );
        assert!(["blocking", "warning", "info"].contains(&row["severity"].as_str().unwrap()));
    }
}
