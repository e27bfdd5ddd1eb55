//! `cors-doctor serve` over real HTTP on loopback: the page only with the
//! token and the bound Host, the API refusing other sites' requests, and
//! the API's answers being the documents `check --json`, `scan --json`
//! and `explain --json` print, for the lab's endpoints.

#![allow(clippy::unwrap_used, clippy::expect_used)] // tests may panic on broken fixtures

mod support;

use serde_json::Value;
use std::io::{BufRead, BufReader, Read, Write};
use std::net::TcpStream;
use std::process::{Child, Command, Stdio};
use std::time::Duration;

/// `cors-doctor serve` until dropped, and the URL it printed.
struct Serve {
    child: Child,
    /// `127.0.0.1:PORT`
    addr: String,
    token: String,
}

impl Drop for Serve {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

fn serve() -> Serve {
    let mut child = Command::new(env!("CARGO_BIN_EXE_cors-doctor"))
        .args(["serve", "--listen", "127.0.0.1:0"])
        .env("NO_COLOR", "1")
        .stdout(Stdio::piped())
        .stderr(Stdio::null())
        .spawn()
        .unwrap();
    let mut line = String::new();
    BufReader::new(child.stdout.take().unwrap())
        .read_line(&mut line)
        .unwrap();
    // "cors-doctor serve: open http://127.0.0.1:PORT/?token=T"
    let url = line.split_whitespace().last().unwrap();
    let rest = url.strip_prefix("http://").unwrap();
    let (addr, token) = rest.split_once("/?token=").unwrap();
    Serve {
        addr: addr.to_string(),
        token: token.to_string(),
        child,
    }
}

/// Sends one HTTP/1.1 request and returns the status, the head and the body.
fn http(
    addr: &str,
    method: &str,
    path: &str,
    headers: &[(&str, &str)],
    body: &str,
) -> (u16, String, String) {
    let mut stream = TcpStream::connect(addr).unwrap();
    stream
        .set_read_timeout(Some(Duration::from_secs(30)))
        .unwrap();
    let mut request = format!(
        "{method} {path} HTTP/1.1\r\nConnection: close\r\nContent-Length: {}\r\n",
        body.len()
    );
    if !headers.iter().any(|(n, _)| n.eq_ignore_ascii_case("host")) {
        request.push_str(&format!("Host: {addr}\r\n"));
    }
    for (name, value) in headers {
        request.push_str(&format!("{name}: {value}\r\n"));
    }
    request.push_str("\r\n");
    request.push_str(body);
    stream.write_all(request.as_bytes()).unwrap();
    let mut answer = String::new();
    stream.read_to_string(&mut answer).unwrap();
    let (head, body) = answer.split_once("\r\n\r\n").unwrap();
    let status = head.split_whitespace().nth(1).unwrap().parse().unwrap();
    (status, head.to_string(), body.to_string())
}

#[test]
fn the_page_needs_the_token_and_the_bound_host() {
    let s = serve();
    let (status, head, body) = http(&s.addr, "GET", &format!("/?token={}", s.token), &[], "");
    assert_eq!(status, 200, "{head}");
    assert!(body.contains("<form id=\"check-form\""), "{body}");
    let head = head.to_ascii_lowercase();
    assert!(
        head.contains("content-security-policy: default-src 'none'"),
        "{head}"
    );
    assert!(head.contains("x-frame-options: deny"), "{head}");
    // The script and the style come from the binary.
    assert_eq!(http(&s.addr, "GET", "/app.js", &[], "").0, 200);
    assert_eq!(http(&s.addr, "GET", "/style.css", &[], "").0, 200);
    // No token, a wrong one, or a Host that is not the bound address.
    assert_eq!(http(&s.addr, "GET", "/", &[], "").0, 403);
    assert_eq!(http(&s.addr, "GET", "/?token=0000", &[], "").0, 403);
    let rebinding = [("Host", "attacker.example:80")];
    let path = format!("/?token={}", s.token);
    assert_eq!(http(&s.addr, "GET", &path, &rebinding, "").0, 421);
    assert_eq!(http(&s.addr, "GET", "/app.js", &rebinding, "").0, 421);
}

#[test]
fn the_api_refuses_other_sites_and_requests_without_the_token() {
    let s = serve();
    let body = r#"{"text": "x"}"#;
    let json = ("Content-Type", "application/json");
    let token = ("X-Cors-Doctor-Token", s.token.as_str());
    let own = format!("http://{}", s.addr);
    let cases: [(&[(&str, &str)], u16); 6] = [
        (&[json], 403),
        (&[json, ("X-Cors-Doctor-Token", "nope")], 403),
        (&[json, token, ("Origin", "https://evil.example")], 403),
        (&[json, token, ("Sec-Fetch-Site", "cross-site")], 403),
        (&[("Content-Type", "text/plain"), token], 415),
        (
            &[
                json,
                token,
                ("Origin", own.as_str()),
                ("Sec-Fetch-Site", "same-origin"),
            ],
            200,
        ),
    ];
    for (headers, expected) in cases {
        let (status, head, _) = http(&s.addr, "POST", "/api/explain", headers, body);
        assert_eq!(status, expected, "{headers:?}\n{head}");
    }
    let wrong_host = [json, token, ("Host", "localhost.attacker.example")];
    assert_eq!(
        http(&s.addr, "POST", "/api/explain", &wrong_host, body).0,
        421
    );
}

fn api(s: &Serve, path: &str, body: &Value) -> (u16, Value) {
    let headers = [
        ("Content-Type", "application/json"),
        ("X-Cors-Doctor-Token", s.token.as_str()),
    ];
    let (status, head, text) = http(&s.addr, "POST", path, &headers, &body.to_string());
    let doc = serde_json::from_str(&text).unwrap_or_else(|e| panic!("{e}: {head}\n{text}"));
    (status, doc)
}

#[test]
fn the_api_answers_with_the_clis_own_documents() {
    let lab = support::start_lab(None);
    let s = serve();
    let url = format!("http://{}/trailing-slash", lab.addr);
    let (status, doc) = api(
        &s,
        "/api/check",
        &serde_json::json!({"url": url, "origin": "https://app.example.com", "browsers": ["chromium", "firefox"]}),
    );
    assert_eq!(status, 200, "{doc}");
    // What `check --json` prints for the same request, timing aside.
    let cli = Command::new(env!("CARGO_BIN_EXE_cors-doctor"))
        .args([
            "check",
            &url,
            "--origin",
            "https://app.example.com",
            "--browser",
            "chromium,firefox",
            "--json",
        ])
        .output()
        .unwrap();
    let expected: Value = serde_json::from_slice(&cli.stdout).unwrap();
    assert_eq!(doc["schema"], "cors-doctor/check/v1");
    assert_eq!(doc["browsers"], expected["browsers"]);
    assert_eq!(doc["findings"], expected["findings"]);
    assert_eq!(doc["browsers"]["chromium"]["verdict"], "blocked");

    // Bad input is the CLI's own usage error, not a crash.
    let (status, doc) = api(
        &s,
        "/api/check",
        &serde_json::json!({"url": "ftp://x", "origin": "https://a.example"}),
    );
    assert_eq!(status, 422, "{doc}");
    assert!(doc["error"].as_str().unwrap().contains("ftp://x"), "{doc}");
    let (status, _) = api(
        &s,
        "/api/check",
        &serde_json::json!({"url": url, "cacert": "/etc/passwd"}),
    );
    assert_eq!(status, 422, "a field the form does not have");

    // `scan --json`'s document, for an endpoint that reflects any origin.
    let (status, doc) = api(
        &s,
        "/api/scan",
        &serde_json::json!({"url": format!("http://{}/reflect-no-vary", lab.addr), "origins": ["https://app.example.com"]}),
    );
    assert_eq!(status, 200, "{doc}");
    assert_eq!(doc["schema"], "cors-doctor/scan/v1");
    assert!(doc["cells"].as_array().unwrap().len() > 20);
    assert_eq!(
        doc["security"][0]["id"], "reflected-arbitrary-origin",
        "{doc}"
    );

    // `check --fix-for`'s configuration, and the list of targets.
    let (status, doc) = api(
        &s,
        "/api/check",
        &serde_json::json!({"url": url, "origin": "https://app.example.com", "fix_for": "nginx"}),
    );
    assert_eq!(status, 200, "{doc}");
    assert_eq!(doc["fix_config"]["target"], "nginx");
    assert!(doc["fix_config"]["configuration"]
        .as_str()
        .unwrap()
        .contains("add_header"));
    let (status, targets) = api(&s, "/api/targets", &serde_json::json!({}));
    assert_eq!(status, 200);
    assert_eq!(targets.as_array().unwrap().len(), 22);

    // `har --json`'s document for a dropped recording.
    let har = std::fs::read_to_string(
        std::path::Path::new(env!("CARGO_MANIFEST_DIR"))
            .join("../har/tests/fixtures/firefox-scenarios/10-acao.har"),
    )
    .unwrap();
    let headers = [
        ("Content-Type", "application/json"),
        ("X-Cors-Doctor-Token", s.token.as_str()),
    ];
    let (status, head, text) = http(&s.addr, "POST", "/api/har?name=10-acao.har", &headers, &har);
    assert_eq!(status, 200, "{head}");
    let doc: Value = serde_json::from_str(&text).unwrap();
    assert_eq!(doc["schema"], "cors-doctor/har/v1");
    assert_eq!(doc["browser"], "firefox");
    assert!(!doc["fetches"].as_array().unwrap().is_empty());
    let (status, _, text) = http(&s.addr, "POST", "/api/har", &headers, "{\"log\": 3}");
    assert_eq!(status, 422, "{text}");

    let line = format!("Access to fetch at '{url}' from origin 'https://app.example.com' has been blocked by CORS policy: No 'Access-Control-Allow-Origin' header is present on the requested resource.");
    let (status, doc) = api(&s, "/api/explain", &serde_json::json!({"text": line}));
    assert_eq!(status, 200, "{doc}");
    assert_eq!(doc["schema"], "cors-doctor/explain/v1");
    assert_eq!(doc["messages"][0]["browser"], "chromium");
    assert_eq!(doc["messages"][0]["id"], "allow-origin-missing");
}
