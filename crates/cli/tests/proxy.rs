//! `cors-doctor proxy` over real HTTP on loopback: the lab's exchanges
//! judged as `check` judges them, `--fix` making a blocked request pass and
//! saying what the upstream must send; requests that are not for the
//! upstream refused; WebSocket upgrades and server-sent events passed
//! through; hostile upstreams (silence, resets, huge heads, endless
//! bodies) and hostile clients (slowloris, oversized heads) answered
//! without stalling anyone else or growing the proxy's memory.

#![allow(clippy::unwrap_used, clippy::expect_used)] // tests may panic on broken fixtures

#[allow(dead_code)]
#[path = "hostile/servers.rs"]
mod servers;
mod support;

use serde_json::Value;
use servers::{respond, stream_head, Misbehaviour};
use std::io::{BufRead, BufReader, Read, Write};
use std::net::{SocketAddr, TcpListener, TcpStream};
use std::process::{Child, Command, Stdio};
use std::sync::mpsc::{channel, Receiver};
use std::time::Duration;

const CHROME: &str = "Mozilla/5.0 (X11; Linux x86_64) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/156.0.0.0 Safari/537.36";
const ORIGIN: &str = "https://app.example.com";

/// `cors-doctor proxy --json` until dropped, and its events as they come.
struct Proxy {
    child: Child,
    addr: String,
    events: Receiver<Value>,
}

impl Drop for Proxy {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

impl Proxy {
    fn start(upstream: &str, extra: &[&str]) -> Proxy {
        let mut child = Command::new(env!("CARGO_BIN_EXE_cors-doctor"))
            .args([
                "proxy",
                "--upstream",
                upstream,
                "--listen",
                "127.0.0.1:0",
                "--json",
            ])
            .args(extra)
            .stdout(Stdio::piped())
            .stderr(Stdio::null())
            .spawn()
            .unwrap();
        let mut lines = BufReader::new(child.stdout.take().unwrap()).lines();
        let first: Value = serde_json::from_str(&lines.next().unwrap().unwrap()).unwrap();
        assert_eq!(first["schema"], "cors-doctor/proxy/v1");
        assert_eq!(first["kind"], "listening");
        let addr = first["proxy"]
            .as_str()
            .unwrap()
            .trim_start_matches("http://")
            .to_string();
        let (sender, events) = channel();
        std::thread::spawn(move || {
            for line in lines.map_while(Result::ok) {
                if sender.send(serde_json::from_str(&line).unwrap()).is_err() {
                    break;
                }
            }
        });
        Proxy {
            child,
            addr,
            events,
        }
    }

    fn next_event(&self) -> Value {
        self.events.recv_timeout(Duration::from_secs(20)).unwrap()
    }

    /// The proxy's peak resident memory so far, in KiB.
    fn peak_kib(&self) -> u64 {
        let status = std::fs::read_to_string(format!("/proc/{}/status", self.child.id())).unwrap();
        status
            .lines()
            .find_map(|l| l.strip_prefix("VmHWM:"))
            .and_then(|v| v.trim().trim_end_matches("kB").trim().parse().ok())
            .unwrap()
    }
}

/// One HTTP/1.1 request (`Connection: close`): the status, head and body.
fn http(addr: &str, method: &str, path: &str, headers: &[(&str, &str)]) -> (u16, String, String) {
    let mut stream = TcpStream::connect(addr).unwrap();
    stream
        .set_read_timeout(Some(Duration::from_secs(20)))
        .unwrap();
    let mut request = format!("{method} {path} HTTP/1.1\r\nConnection: close\r\n");
    if !headers.iter().any(|(n, _)| n.eq_ignore_ascii_case("host")) {
        request.push_str(&format!("Host: {addr}\r\n"));
    }
    for (name, value) in headers {
        request.push_str(&format!("{name}: {value}\r\n"));
    }
    request.push_str("\r\n");
    stream.write_all(request.as_bytes()).unwrap();
    let mut answer = Vec::new();
    let _ = stream.read_to_end(&mut answer);
    let answer = String::from_utf8_lossy(&answer).into_owned();
    let (head, body) = answer.split_once("\r\n\r\n").unwrap_or((&answer, ""));
    let status = head
        .split(' ')
        .nth(1)
        .and_then(|s| s.parse().ok())
        .unwrap_or(0);
    (status, head.to_string(), body.to_string())
}

fn has_line(head: &str, line: &str) -> bool {
    head.lines().any(|l| l.eq_ignore_ascii_case(line))
}

/// `check`'s verdict and blocking finding for Chromium, on the lab directly.
fn check_chromium(url: &str, args: &[&str]) -> (String, Option<String>) {
    let out = Command::new(env!("CARGO_BIN_EXE_cors-doctor"))
        .args([
            "check",
            url,
            "--origin",
            ORIGIN,
            "--browser",
            "chromium",
            "--json",
        ])
        .args(args)
        .output()
        .unwrap();
    let doc: Value = serde_json::from_slice(&out.stdout).unwrap();
    let finding = doc["findings"]
        .as_array()
        .unwrap()
        .iter()
        .find(|f| f["severity"] == "blocking")
        .map(|f| f["id"].as_str().unwrap().to_string());
    let verdict = doc["browsers"]["chromium"]["verdict"].as_str().unwrap();
    (verdict.to_string(), finding)
}

#[test]
fn the_labs_exchanges_are_judged_as_check_judges_them() {
    let lab = support::start_lab(None);
    let proxy = Proxy::start(&format!("http://{}", lab.addr), &[]);
    // Simple requests: the proxy's verdict and finding are check's.
    for path in [
        "/ok/simple",
        "/no-cors",
        "/wrong-origin",
        "/trailing-slash",
        "/multiple-values",
    ] {
        let (status, _, _) = http(
            &proxy.addr,
            "GET",
            path,
            &[("Origin", ORIGIN), ("User-Agent", CHROME)],
        );
        assert_ne!(status, 0, "{path}");
        let event = proxy.next_event();
        assert_eq!(event["path"], path);
        assert_eq!(event["browser"], "chromium");
        assert_eq!(event["browser_source"], "user-agent");
        let (verdict, finding) = check_chromium(&format!("http://{}{path}", lab.addr), &[]);
        assert_eq!(event["verdict"], verdict.as_str(), "{path}: {event}");
        assert_eq!(
            event["finding"].as_str().map(str::to_string),
            finding,
            "{path}: {event}"
        );
        assert!(event["fix"].is_null());
    }
    // A preflight the browser refuses: judged on its own, as check's
    // preflighted PUT is.
    let preflight = [
        ("Origin", ORIGIN),
        ("User-Agent", CHROME),
        ("Access-Control-Request-Method", "PUT"),
        ("Access-Control-Request-Headers", "content-type"),
    ];
    http(&proxy.addr, "OPTIONS", "/method-missing", &preflight);
    let event = proxy.next_event();
    let (verdict, finding) = check_chromium(
        &format!("http://{}/method-missing", lab.addr),
        &["-X", "PUT", "-H", "Content-Type: application/json"],
    );
    assert_eq!(event["judgement"], "fetch");
    assert_eq!(event["verdict"], verdict.as_str(), "{event}");
    assert_eq!(
        event["finding"].as_str().map(str::to_string),
        finding,
        "{event}"
    );
    // A request without Origin is forwarded and said to be none of CORS's business.
    let (status, _, body) = http(&proxy.addr, "GET", "/index.json", &[]);
    assert_eq!(status, 200);
    assert!(body.contains("endpoints"), "{body}");
    assert_eq!(proxy.next_event()["judgement"], "not-a-fetch");
    // The full report of an event, on the proxy's own origin.
    let (status, _, report) = http(&proxy.addr, "GET", "/.cors-doctor/2", &[]);
    assert_eq!(status, 200);
    assert!(
        report.contains("/no-cors") && report.contains("console"),
        "{report}"
    );
    assert!(
        report.contains("the upstream answered 200 over HTTP/1.1"),
        "{report}"
    );
    // A redirect the browser accepts: it follows it (to the upstream
    // itself, not through the proxy), so this exchange has no verdict yet,
    // and no failure is made up for the hop that has not come.
    let (status, _, _) = http(
        &proxy.addr,
        "GET",
        "/redirect-cross-origin",
        &[("Origin", ORIGIN), ("User-Agent", CHROME)],
    );
    assert_eq!(status, 302);
    let event = proxy.next_event();
    assert_eq!(event["judgement"], "fetch", "{event}");
    assert!(event["verdict"].is_null(), "{event}");
    assert!(event["finding"].is_null(), "{event}");
    assert!(
        event["redirected_to"]
            .as_str()
            .is_some_and(|to| to.ends_with("/ok/simple-any")),
        "{event}"
    );
    let details = event["details"].as_str().unwrap_or_default();
    let path = details.split_once("/.cors-doctor/").map(|(_, id)| id);
    let (_, _, report) = http(
        &proxy.addr,
        "GET",
        &format!("/.cors-doctor/{}", path.unwrap_or_default()),
        &[],
    );
    assert!(
        report.contains("accepts the redirect and follows it to") && !report.contains("verdict:"),
        "{report}"
    );
}

#[test]
fn fix_lets_a_blocked_request_through_and_says_what_the_upstream_must_send() {
    let lab = support::start_lab(None);
    let proxy = Proxy::start(
        &format!("http://{}", lab.addr),
        &["--fix", "--server", "nginx"],
    );
    let preflight = [
        ("Origin", ORIGIN),
        ("User-Agent", CHROME),
        ("Access-Control-Request-Method", "PUT"),
        ("Access-Control-Request-Headers", "content-type"),
    ];
    let (status, head, _) = http(&proxy.addr, "OPTIONS", "/preflight-404", &preflight);
    assert_eq!(status, 204, "{head}");
    assert!(
        has_line(
            &head,
            "access-control-allow-origin: https://app.example.com"
        ),
        "{head}"
    );
    assert!(
        has_line(&head, "access-control-allow-methods: PUT"),
        "{head}"
    );
    assert!(
        has_line(&head, "access-control-allow-headers: content-type"),
        "{head}"
    );
    let event = proxy.next_event();
    assert_eq!(event["status"], 404);
    assert_eq!(event["verdict"], "blocked");
    let fix = &event["fix"];
    assert_eq!(fix["served"], "preflight-passed", "{event}");
    assert_eq!(fix["status_replaced"], true);
    let must: Vec<String> = fix["upstream_must_send"]
        .as_array()
        .unwrap()
        .iter()
        .map(|l| format!("{}: {}", l[0].as_str().unwrap(), l[1].as_str().unwrap()))
        .collect();
    assert!(
        must.contains(&"Access-Control-Allow-Methods: PUT".to_string()),
        "{must:?}"
    );
    assert!(
        fix["config"]
            .as_str()
            .unwrap()
            .contains("location = /preflight-404"),
        "{fix}"
    );
    // The request the fixed preflight let through is paired with that
    // preflight, not taken for one answered from the preflight cache; the
    // upstream's own answer to it (the lab allows this origin on the
    // request itself) passes untouched.
    let (status, head, _) = http(
        &proxy.addr,
        "PUT",
        "/preflight-404",
        &[
            ("Origin", ORIGIN),
            ("User-Agent", CHROME),
            ("Content-Type", "application/json"),
        ],
    );
    assert!(
        has_line(
            &head,
            "access-control-allow-origin: https://app.example.com"
        ),
        "{status} {head}"
    );
    let event = proxy.next_event();
    assert_eq!(event["method"], "PUT", "{event}");
    assert_eq!(event["preflight_from_cache"], false, "{event}");
    assert_eq!(event["verdict"], "allowed", "{event}");
    assert!(event["fix"].is_null(), "{event}");
    // A response without Allow-Origin: the origin added, nothing else touched.
    let (status, head, body) = http(
        &proxy.addr,
        "GET",
        "/no-cors",
        &[("Origin", ORIGIN), ("User-Agent", CHROME)],
    );
    assert_eq!(status, 200);
    assert!(
        has_line(
            &head,
            "access-control-allow-origin: https://app.example.com"
        ),
        "{head}"
    );
    assert!(!body.is_empty());
    let event = proxy.next_event();
    assert_eq!(event["verdict"], "blocked");
    assert_eq!(event["fix"]["served"], "allowed", "{event}");
    // What the browser allows is passed through untouched.
    let (_, head, _) = http(
        &proxy.addr,
        "GET",
        "/ok/simple",
        &[("Origin", ORIGIN), ("User-Agent", CHROME)],
    );
    assert!(
        has_line(
            &head,
            "access-control-allow-origin: https://app.example.com"
        ),
        "{head}"
    );
    assert!(proxy.next_event()["fix"].is_null());
}

#[test]
fn what_is_not_for_the_upstream_is_refused() {
    let lab = support::start_lab(None);
    let proxy = Proxy::start(&format!("http://{}", lab.addr), &[]);
    let (status, _, body) = http(
        &proxy.addr,
        "GET",
        "/ok/simple",
        &[("Host", "evil.example")],
    );
    assert_eq!(status, 421, "{body}");
    assert!(body.contains("answers for http://127.0.0.1:"), "{body}");
    // A forward-proxy request for another site.
    let (status, _, _) = http(
        &proxy.addr,
        "GET",
        "http://example.com/",
        &[("Host", "example.com")],
    );
    assert_eq!(status, 421);
    let (status, _, body) = http(
        &proxy.addr,
        "CONNECT",
        "example.com:443",
        &[("Host", "example.com:443")],
    );
    assert_eq!(status, 405, "{body}");
    // localhost on the proxy's port is the proxy.
    let port = proxy.addr.rsplit(':').next().unwrap();
    let (status, _, _) = http(
        &proxy.addr,
        "GET",
        "/ok/simple",
        &[("Host", &format!("localhost:{port}"))],
    );
    assert_eq!(status, 200);
    let port: u16 = port.parse().unwrap();
    let out = Command::new(env!("CARGO_BIN_EXE_cors-doctor"))
        .args([
            "proxy",
            "--upstream",
            "ftp://example.com",
            "--listen",
            "127.0.0.1:0",
        ])
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(2));
    assert!(String::from_utf8_lossy(&out.stderr).contains("not an http:// or https:// URL"));
    let out = Command::new(env!("CARGO_BIN_EXE_cors-doctor"))
        .args(["proxy", "--upstream", "http://127.0.0.1:9", "--listen"])
        .arg(format!("127.0.0.1:{port}"))
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(2), "a port in use");
    assert!(String::from_utf8_lossy(&out.stderr).contains("cannot listen"));
}

/// An upstream that answers by path: `/ok`, a WebSocket echo at `/ws`,
/// server-sent events at `/events` (one event, then the stream stays
/// open), and the hostile servers' misbehaviours at `/silent`, `/reset`,
/// `/megabyte-header`, `/endless`, `/slow-drip`.
fn mixed_upstream() -> SocketAddr {
    let listener = TcpListener::bind("127.0.0.1:0").unwrap();
    let addr = listener.local_addr().unwrap();
    std::thread::spawn(move || {
        for stream in listener.incoming() {
            let Ok(mut stream) = stream else { continue };
            std::thread::spawn(move || {
                let head = stream_head(&mut stream);
                let _ = stream.set_read_timeout(None);
                let path = head.split(' ').nth(1).unwrap_or("/").to_string();
                let misbehaviour = match path.as_str() {
                    "/ok" => {
                        let _ = stream.write_all(b"HTTP/1.1 200 OK\r\nContent-Length: 2\r\nAccess-Control-Allow-Origin: *\r\nConnection: close\r\n\r\nok");
                        return;
                    }
                    "/ws" => {
                        let _ = stream.write_all(b"HTTP/1.1 101 Switching Protocols\r\nUpgrade: websocket\r\nConnection: Upgrade\r\n\r\n");
                        let mut buf = [0u8; 1024];
                        while let Ok(n) = stream.read(&mut buf) {
                            if n == 0 || stream.write_all(&buf[..n]).is_err() {
                                break;
                            }
                        }
                        return;
                    }
                    "/events" => {
                        let _ = stream.write_all(b"HTTP/1.1 200 OK\r\nContent-Type: text/event-stream\r\nCache-Control: no-cache\r\n\r\ndata: first\n\n");
                        std::thread::sleep(Duration::from_secs(30));
                        return;
                    }
                    "/silent" => Misbehaviour::Silent,
                    "/reset" => Misbehaviour::Reset,
                    "/megabyte-header" => Misbehaviour::MegabyteHeader,
                    "/endless" => Misbehaviour::EndlessBody,
                    _ => Misbehaviour::SlowDrip,
                };
                respond(misbehaviour, stream, &[]);
            });
        }
    });
    addr
}

#[test]
fn upgrades_and_event_streams_pass_through() {
    let upstream = mixed_upstream();
    let proxy = Proxy::start(&format!("http://{upstream}"), &[]);
    let mut ws = TcpStream::connect(&proxy.addr).unwrap();
    ws.set_read_timeout(Some(Duration::from_secs(20))).unwrap();
    write!(ws, "GET /ws HTTP/1.1\r\nHost: {}\r\nUpgrade: websocket\r\nConnection: Upgrade\r\nOrigin: {ORIGIN}\r\nSec-WebSocket-Version: 13\r\nSec-WebSocket-Key: dGhlIHNhbXBsZSBub25jZQ==\r\n\r\n", proxy.addr).unwrap();
    let head = read_head(&mut ws);
    assert!(head.starts_with("HTTP/1.1 101"), "{head}");
    ws.write_all(b"ping through the proxy").unwrap();
    let mut echoed = [0u8; 22];
    ws.read_exact(&mut echoed).unwrap();
    assert_eq!(&echoed, b"ping through the proxy");
    // The first event arrives while the stream stays open: not buffered.
    let mut sse = TcpStream::connect(&proxy.addr).unwrap();
    sse.set_read_timeout(Some(Duration::from_secs(20))).unwrap();
    write!(
        sse,
        "GET /events HTTP/1.1\r\nHost: {}\r\nAccept: text/event-stream\r\n\r\n",
        proxy.addr
    )
    .unwrap();
    let mut seen = Vec::new();
    let mut buf = [0u8; 1024];
    while !String::from_utf8_lossy(&seen).contains("data: first") {
        let n = sse.read(&mut buf).unwrap();
        assert!(
            n > 0,
            "the stream closed: {}",
            String::from_utf8_lossy(&seen)
        );
        seen.extend_from_slice(&buf[..n]);
    }
    assert!(String::from_utf8_lossy(&seen).contains("text/event-stream"));
}

fn read_head(stream: &mut TcpStream) -> String {
    let mut seen = Vec::new();
    let mut byte = [0u8; 1];
    while !seen.ends_with(b"\r\n\r\n") && stream.read(&mut byte).unwrap_or(0) == 1 {
        seen.push(byte[0]);
    }
    String::from_utf8_lossy(&seen).into_owned()
}

#[test]
fn hostile_upstreams_and_clients_stall_no_one_and_cost_bounded_memory() {
    let upstream = mixed_upstream();
    let proxy = Proxy::start(&format!("http://{upstream}"), &["--timeout", "2"]);
    // Held connections: upstreams that never answer or drip, and
    // slowloris clients sending a head a byte at a time.
    let mut held = Vec::new();
    for path in ["/silent", "/slow-drip"] {
        for _ in 0..20 {
            let mut s = TcpStream::connect(&proxy.addr).unwrap();
            write!(s, "GET {path} HTTP/1.1\r\nHost: {}\r\n\r\n", proxy.addr).unwrap();
            held.push(s);
        }
    }
    for _ in 0..50 {
        let mut s = TcpStream::connect(&proxy.addr).unwrap();
        s.write_all(b"GET /ok HTTP/1.1\r\nX-Slow: ").unwrap();
        held.push(s);
    }
    // Meanwhile another client is answered at once.
    let (status, _, body) = http(&proxy.addr, "GET", "/ok", &[("Origin", ORIGIN)]);
    assert_eq!((status, body.as_str()), (200, "ok"));
    // Each failure is a precise answer of the proxy's own.
    let (status, head, body) = http(&proxy.addr, "GET", "/silent", &[("Origin", ORIGIN)]);
    assert_eq!(status, 504, "{body}");
    assert!(body.contains("no response head within 2 s"), "{body}");
    // The page may read the proxy's own answer: a 504, not a CORS error.
    assert!(
        has_line(&head, &format!("access-control-allow-origin: {ORIGIN}")),
        "{head}"
    );
    let (status, _, body) = http(&proxy.addr, "GET", "/reset", &[]);
    assert_eq!(status, 502, "{body}");
    assert!(body.contains("the upstream failed"), "{body}");
    let (status, _, body) = http(&proxy.addr, "GET", "/megabyte-header", &[]);
    assert_eq!(status, 502, "{body}");
    assert!(body.contains("the upstream failed"), "{body}");
    // An oversized request head: refused by the proxy, not buffered.
    let big = "h".repeat(128 * 1024);
    let (status, _, _) = http(&proxy.addr, "GET", "/ok", &[("X-Big", &big)]);
    assert!(status == 431 || status == 0, "{status}");
    // An endless body read slowly: streamed with back-pressure.
    let mut endless = TcpStream::connect(&proxy.addr).unwrap();
    write!(
        endless,
        "GET /endless HTTP/1.1\r\nHost: {}\r\n\r\n",
        proxy.addr
    )
    .unwrap();
    let mut buf = vec![0u8; 64 * 1024];
    let mut read = 0usize;
    while read < 256 * 1024 * 1024 {
        let n = endless.read(&mut buf).unwrap();
        assert!(n > 0);
        read += n;
    }
    let peak = proxy.peak_kib();
    assert!(peak < 100 * 1024, "the proxy's peak memory: {peak} KiB");
    // And still answering.
    let (status, _, _) = http(&proxy.addr, "GET", "/ok", &[]);
    assert_eq!(status, 200);
    drop(held);
}

/// A page that gives up before the upstream answers (the request's
/// connection closed) still gets its line: "one per request".
#[test]
fn a_request_the_page_gives_up_on_is_still_reported() {
    let upstream = mixed_upstream();
    let proxy = Proxy::start(&format!("http://{upstream}"), &[]);
    let mut s = TcpStream::connect(&proxy.addr).unwrap();
    write!(
        s,
        "GET /silent HTTP/1.1\r\nHost: {}\r\nOrigin: {ORIGIN}\r\n\r\n",
        proxy.addr
    )
    .unwrap();
    std::thread::sleep(Duration::from_millis(300));
    drop(s);
    let event = proxy.next_event();
    assert_eq!(event["path"], "/silent", "{event}");
    assert!(event["judgement"].is_null(), "{event}");
    assert!(
        event["upstream_error"]
            .as_str()
            .is_some_and(|e| e.contains("the page closed the connection")),
        "{event}"
    );
}

#[test]
fn a_policy_judges_the_traffic_and_bounds_the_fix() {
    let lab = support::start_lab(None);
    let dir = tempfile::tempdir().unwrap();
    let policy = dir.path().join("cors-policy.toml");
    std::fs::write(
        &policy,
        r#"
[[api]]
name = "lab"
base_url = "https://api.example.com"

[[api.rule]]
name = "items"
path = "/no-cors"
allow_origins = ["https://app.example.com"]
methods = ["GET", "PUT"]
request_headers = ["Content-Type"]
"#,
    )
    .unwrap();
    let policy = policy.to_string_lossy().into_owned();
    let upstream = format!("http://{}", lab.addr);
    let judging = Proxy::start(&upstream, &["--policy", &policy]);
    let get = |proxy: &Proxy, path: &str, origin: &str| {
        let (status, head, _) = http(
            &proxy.addr,
            "GET",
            path,
            &[("Origin", origin), ("User-Agent", CHROME)],
        );
        (status, head, proxy.next_event())
    };
    // Allowed by the policy, blocked by the upstream.
    let (_, _, event) = get(&judging, "/no-cors", ORIGIN);
    assert_eq!(event["verdict"], "blocked");
    assert_eq!(event["policy"]["rule"], "items");
    assert_eq!(event["policy"]["allowed"], true);
    assert_eq!(event["policy"]["agrees"], false, "{event}");
    // No rule covers it, and the upstream lets it through.
    let (_, _, event) = get(&judging, "/ok/simple", ORIGIN);
    assert_eq!(event["verdict"], "allowed");
    assert_eq!(event["policy"]["rule"], Value::Null);
    assert_eq!(event["policy"]["agrees"], false, "{event}");
    // Refused by both.
    let (_, _, event) = get(&judging, "/no-cors", "https://evil.example.net");
    assert_eq!(event["policy"]["allowed"], false);
    assert!(
        event["policy"]["why"]
            .as_str()
            .unwrap()
            .contains("allow_origins"),
        "{event}"
    );
    assert_eq!(event["policy"]["agrees"], true);
    // --fix with a policy fixes only what it allows, with the rule's lists.
    let fixing = Proxy::start(&upstream, &["--policy", &policy, "--fix"]);
    let preflight = [
        ("Origin", ORIGIN),
        ("User-Agent", CHROME),
        ("Access-Control-Request-Method", "PUT"),
        ("Access-Control-Request-Headers", "content-type"),
    ];
    let (status, head, _) = http(&fixing.addr, "OPTIONS", "/no-cors", &preflight);
    assert!(status == 200 || status == 204, "{head}");
    assert!(
        has_line(&head, "access-control-allow-methods: GET, PUT"),
        "{head}"
    );
    assert!(
        has_line(&head, "access-control-allow-headers: Content-Type"),
        "{head}"
    );
    fixing.next_event();
    let (_, head, event) = get(&fixing, "/no-cors", "https://evil.example.net");
    assert!(
        !head
            .to_ascii_lowercase()
            .contains("access-control-allow-origin"),
        "{head}"
    );
    let why = event["fix"]["not_fixed"].as_str().unwrap();
    assert!(why.contains("production will block it too"), "{why}");
}

/// An https upstream is reached over HTTP/2 when it offers it (the lab does,
/// by ALPN), and a client may speak HTTP/2 to the proxy itself (h2c, as
/// `curl --http2-prior-knowledge` does).
#[test]
fn http2_on_both_sides() {
    let lab = support::start_https_lab();
    let proxy = Proxy::start(&lab.base, &["--cacert", &lab.cacert]);
    let (status, _, _) = http(
        &proxy.addr,
        "GET",
        "/no-cors",
        &[("Origin", ORIGIN), ("User-Agent", CHROME)],
    );
    assert_eq!(status, 200);
    let event = proxy.next_event();
    assert_eq!(event["upstream_version"], "HTTP/2", "{event}");
    assert_eq!(event["finding"], "allow-origin-missing");
    let out = Command::new("curl")
        .args([
            "-sS",
            "--http2-prior-knowledge",
            "-o",
            "/dev/null",
            "-w",
            "%{http_version} %{http_code}",
        ])
        .args(["-H", &format!("Origin: {ORIGIN}"), "-A", CHROME])
        .arg(format!("http://{}/ok/simple", proxy.addr))
        .output()
        .expect("curl (Debian's curl package; .ci/run installs it)");
    assert_eq!(
        String::from_utf8_lossy(&out.stdout),
        "2 200",
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let event = proxy.next_event();
    assert_eq!(event["verdict"], "allowed", "{event}");
    // An untrusted certificate is a precise 502, not a hang.
    let strict = Proxy::start(&lab.base, &[]);
    let (status, _, body) = http(&strict.addr, "GET", "/ok/simple", &[]);
    assert_eq!(status, 502, "{body}");
    assert!(body.to_ascii_lowercase().contains("certificate"), "{body}");
}
