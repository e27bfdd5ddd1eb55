//! Hostile servers on loopback, one misbehaviour each, against `check` and
//! `scan`: every case ends with the right words and exit code, within the
//! timeout (a hang guard with a generous margin, not a speed test).

#![allow(clippy::unwrap_used, clippy::expect_used)] // a test harness

mod support;

use std::io::{Read, Write};
use std::net::{SocketAddr, TcpListener, TcpStream};
use std::time::{Duration, Instant};

/// What a hostile server does with each connection.
#[derive(Clone, Copy)]
enum Misbehaviour {
    /// Accepts and never answers.
    Silent,
    /// Closes with the request unread: the kernel answers with a reset.
    Reset,
    /// Reads the request, then closes without a byte.
    CloseEmpty,
    /// Answers something that is not HTTP.
    Garbage,
    /// Answers 200 with 150 header lines (browsers read them all).
    ManyHeaders,
    /// Good headers (allowing any origin), then a body shorter than its
    /// Content-Length.
    ShortBody,
    /// The status line, then one byte of headers every 100 ms, forever.
    SlowDrip,
    /// Good headers (allowing any origin), then a body that never ends.
    EndlessBody,
}

/// Serves `misbehaviour` on 127.0.0.1:0 from a thread for the test's life.
fn hostile(misbehaviour: Misbehaviour) -> SocketAddr {
    let listener = TcpListener::bind("127.0.0.1:0").unwrap();
    let addr = listener.local_addr().unwrap();
    std::thread::spawn(move || {
        let mut held: Vec<TcpStream> = Vec::new();
        for stream in listener.incoming() {
            let Ok(mut stream) = stream else { continue };
            match misbehaviour {
                Misbehaviour::Silent => held.push(stream),
                Misbehaviour::Reset => {
                    // Let the request arrive, then close without reading it.
                    std::thread::sleep(Duration::from_millis(50));
                    drop(stream);
                }
                Misbehaviour::CloseEmpty => {
                    read_head(&mut stream);
                    drop(stream);
                }
                Misbehaviour::Garbage => {
                    read_head(&mut stream);
                    let _ = stream.write_all(b"\x00\x01 this is not HTTP at all\r\n\r\n");
                }
                Misbehaviour::ShortBody => {
                    read_head(&mut stream);
                    let _ = stream.write_all(b"HTTP/1.1 200 OK\r\nContent-Length: 100\r\nAccess-Control-Allow-Origin: *\r\n\r\nonly ten b");
                }
                Misbehaviour::SlowDrip => {
                    read_head(&mut stream);
                    std::thread::spawn(move || {
                        let _ = stream.write_all(b"HTTP/1.1 200 OK\r\n");
                        while stream.write_all(b"X").is_ok() {
                            std::thread::sleep(Duration::from_millis(100));
                        }
                    });
                }
                Misbehaviour::EndlessBody => {
                    read_head(&mut stream);
                    std::thread::spawn(move || {
                        let _ = stream.write_all(b"HTTP/1.1 200 OK\r\nAccess-Control-Allow-Origin: *\r\nContent-Type: text/plain\r\n\r\n");
                        let chunk = [b'a'; 64 * 1024];
                        while stream.write_all(&chunk).is_ok() {}
                    });
                }
                Misbehaviour::ManyHeaders => {
                    read_head(&mut stream);
                    let mut head = String::from("HTTP/1.1 200 OK\r\nContent-Length: 0\r\n");
                    for i in 0..150 {
                        head.push_str(&format!("X-Filler-{i}: {i}\r\n"));
                    }
                    head.push_str("\r\n");
                    let _ = stream.write_all(head.as_bytes());
                }
            }
        }
    });
    addr
}

fn read_head(stream: &mut TcpStream) {
    let _ = stream.set_read_timeout(Some(Duration::from_secs(2)));
    let mut seen = Vec::new();
    let mut buf = [0u8; 4096];
    while !seen.windows(4).any(|w| w == b"\r\n\r\n") {
        match stream.read(&mut buf) {
            Ok(0) | Err(_) => return,
            Ok(n) => seen.extend_from_slice(&buf[..n]),
        }
    }
}

struct Run {
    code: Option<i32>,
    stdout: String,
    stderr: String,
    took: Duration,
}

fn run(args: &[&str]) -> Run {
    let started = Instant::now();
    let o = support::run_with_stdin(args, b"");
    Run {
        code: o.status.code(),
        stdout: String::from_utf8_lossy(&o.stdout).into_owned(),
        stderr: String::from_utf8_lossy(&o.stderr).into_owned(),
        took: started.elapsed(),
    }
}

/// `check URL` from the lab's page origin with `--timeout SECONDS`.
fn check(url: &str, timeout: &str) -> Run {
    run(&[
        "check",
        url,
        "--origin",
        "https://app.example.com",
        "--timeout",
        timeout,
    ])
}

/// `check URL` from an http page (Safari would block an https page's call
/// to these http servers as mixed content), `--timeout 5`.
fn check_from_http_page(url: &str) -> Run {
    run(&[
        "check",
        url,
        "--origin",
        "http://app.example.com",
        "--timeout",
        "5",
    ])
}

/// Ends within the timeout, with a margin for a loaded machine.
fn assert_bounded(r: &Run, timeout: Duration, what: &str) {
    assert!(
        r.took < timeout + Duration::from_secs(5),
        "{what} took {:?} with --timeout {timeout:?}",
        r.took
    );
}

#[test]
fn a_server_that_never_answers_times_out_once_and_says_where() {
    let addr = hostile(Misbehaviour::Silent);
    let url = format!("http://{addr}/api");
    let r = check(&url, "1");
    assert_eq!(r.code, Some(3), "{}", r.stderr);
    assert!(
        r.stderr.contains("did not answer within 1s"),
        "{}",
        r.stderr
    );
    assert_eq!(
        r.stderr.matches("(stage: response-headers)").count(),
        1,
        "{}",
        r.stderr
    );
    assert_bounded(&r, Duration::from_secs(1), "check");
    // scan gives up after its first request, and still prints its document.
    let r = run(&[
        "scan",
        &url,
        "--origin",
        "https://app.example.com",
        "--timeout",
        "1",
        "--json",
    ]);
    assert_eq!(r.code, Some(3), "{}", r.stderr);
    let doc: serde_json::Value = serde_json::from_str(&r.stdout).unwrap();
    assert_eq!(doc["schema"], "cors-doctor/scan/v1");
    assert_eq!(doc["error"]["stage"], "response-headers");
    assert_eq!(doc["requests_sent"], 1);
    assert!(doc["cells"].as_array().unwrap().is_empty());
    assert_bounded(&r, Duration::from_secs(1), "scan");
}

#[test]
fn a_tls_handshake_that_never_ends_is_named_and_takes_the_whole_budget() {
    let addr = hostile(Misbehaviour::Silent);
    let url = format!("https://{addr}/");
    let r = check(&url, "6");
    assert_eq!(r.code, Some(3), "{}", r.stderr);
    assert!(r.stderr.contains("(stage: tls)"), "{}", r.stderr);
    assert!(
        r.stderr.contains("never completed the TLS handshake"),
        "{}",
        r.stderr
    );
    assert!(!r.stderr.contains("raise --timeout"), "{}", r.stderr);
    // One budget: not cut at the 5 s connect timeout it once had.
    assert!(r.took >= Duration::from_millis(5500), "{:?}", r.took);
    assert_bounded(&r, Duration::from_secs(6), "check");
}

#[test]
fn a_reset_and_an_empty_answer_are_named_as_such() {
    for (misbehaviour, words, net_error) in [
        (
            Misbehaviour::Reset,
            "reset the connection",
            "ERR_CONNECTION_RESET",
        ),
        (
            Misbehaviour::CloseEmpty,
            "closed the connection without sending any response",
            "ERR_EMPTY_RESPONSE",
        ),
    ] {
        let addr = hostile(misbehaviour);
        let url = format!("http://{addr}/");
        let r = check(&url, "5");
        assert_eq!(r.code, Some(3), "{}", r.stderr);
        assert!(r.stderr.contains(words), "{words}: {}", r.stderr);
        assert!(!r.stderr.contains("not valid HTTP"), "{}", r.stderr);
        // What Chromium would print for it.
        assert!(r.stdout.contains(net_error), "{net_error}: {}", r.stdout);
        assert_bounded(&r, Duration::from_secs(5), "check");
    }
}

#[test]
fn garbage_is_not_http() {
    let addr = hostile(Misbehaviour::Garbage);
    let url = format!("http://{addr}/");
    let r = check(&url, "5");
    assert_eq!(r.code, Some(3), "{}", r.stderr);
    assert!(r.stderr.contains("not valid HTTP"), "{}", r.stderr);
}

#[test]
fn more_header_lines_than_the_library_reads_is_said_to_be_our_limit() {
    let addr = hostile(Misbehaviour::ManyHeaders);
    let r = check(&format!("http://{addr}/"), "5");
    assert_eq!(r.code, Some(3), "{}", r.stderr);
    assert!(
        r.stderr.contains("at most 100 header lines"),
        "{}",
        r.stderr
    );
    assert!(r.stderr.contains("cors-doctor's limit"), "{}", r.stderr);
}

#[test]
fn a_body_that_fails_after_good_headers_is_judged_on_the_headers() {
    let addr = hostile(Misbehaviour::ShortBody);
    // An http page: Safari would block an https page's call as mixed content.
    let url = format!("http://{addr}/");
    let r = check_from_http_page(&url);
    // The headers allow any origin: allowed, with the body's failure said.
    assert_eq!(r.code, Some(0), "{}\n{}", r.stdout, r.stderr);
    assert!(r.stdout.contains("body failed"), "{}", r.stdout);
    assert!(
        !r.stdout.contains("never got an HTTP response"),
        "{}",
        r.stdout
    );
}

#[test]
fn a_slow_drip_ends_at_the_timeout_and_an_endless_body_at_the_body_cap() {
    let addr = hostile(Misbehaviour::SlowDrip);
    let r = check(&format!("http://{addr}/"), "2");
    assert_eq!(r.code, Some(3), "{}", r.stderr);
    assert!(
        r.stderr.contains("did not answer within 2s"),
        "{}",
        r.stderr
    );
    assert_bounded(&r, Duration::from_secs(2), "check");
    // The headers allow any origin; the body is read up to the cap and no further.
    let addr = hostile(Misbehaviour::EndlessBody);
    let url = format!("http://{addr}/");
    let r = check_from_http_page(&url);
    assert_eq!(r.code, Some(0), "{}\n{}", r.stdout, r.stderr);
    assert_bounded(&r, Duration::from_secs(5), "check");
}

#[test]
fn a_url_too_long_to_send_is_our_limit_and_nothing_is_sent() {
    let url = format!("http://127.0.0.1:9/?{}", "a".repeat(70_000));
    let r = check(&url, "5");
    assert_eq!(r.code, Some(2), "{}", r.stderr);
    assert!(
        r.stderr.contains("could not send the request"),
        "{}",
        r.stderr
    );
    assert!(r.stderr.contains("nothing was sent"), "{}", r.stderr);
}

#[test]
fn bad_input_is_refused_before_anything_is_sent() {
    for (args, words) in [
        (
            vec![
                "check",
                "http://127.0.0.1:9/",
                "--origin",
                "https://a.test",
                "--resolve",
                "api.test:443:[::1",
            ],
            "unbalanced bracket",
        ),
        (
            vec![
                "check",
                "http://127.0.0.1:9/",
                "--origin",
                "https://a.test",
                "-H",
                "X-A: 日本語",
            ],
            "outside Latin-1",
        ),
    ] {
        let r = run(&args);
        assert_eq!(r.code, Some(2), "{args:?}: {}", r.stderr);
        assert!(r.stderr.contains(words), "{args:?}: {}", r.stderr);
    }
}

#[test]
fn explain_reads_line_by_line_and_refuses_a_line_beyond_its_limit() {
    // 17 MiB on one line: a clear error naming the line, not a blow-up.
    let mut paste = b"first line\n".to_vec();
    paste.extend(std::iter::repeat_n(b'x', 17 * 1024 * 1024));
    let o = support::run_with_stdin(&["explain", "-"], &paste);
    assert_eq!(o.status.code(), Some(2));
    let stderr = String::from_utf8_lossy(&o.stderr);
    assert!(
        stderr.contains("line 2 of standard input is longer than 16 MiB"),
        "{stderr}"
    );
    // Many lines are fine, and a message after 8 MiB of noise is found with
    // its line number (the recognizer works in chunks).
    let mut paste = Vec::new();
    for i in 0..100_000 {
        paste.extend_from_slice(format!("12:00:00.{i:06} Download the React DevTools for a better development experience: https://reactjs.org/link/react-devtools\n").as_bytes());
    }
    paste.extend_from_slice(
        b"Method PUT is not allowed by Access-Control-Allow-Methods in preflight response.\n",
    );
    let o = support::run_with_stdin(&["explain", "--json", "-"], &paste);
    assert_eq!(o.status.code(), Some(0));
    let doc: serde_json::Value = serde_json::from_slice(&o.stdout).unwrap();
    assert_eq!(doc["messages"][0]["line"], 100_001);
    assert_eq!(doc["messages"][0]["method"], "PUT");
}

#[test]
fn a_full_standard_output_is_an_error() {
    let Ok(full) = std::fs::OpenOptions::new().write(true).open("/dev/full") else {
        return; // not Linux
    };
    let o = std::process::Command::new(env!("CARGO_BIN_EXE_cors-doctor"))
        .args(["explain", "--list"])
        .stdout(full)
        .stderr(std::process::Stdio::piped())
        .output()
        .unwrap();
    assert_eq!(o.status.code(), Some(4));
    assert!(String::from_utf8_lossy(&o.stderr).contains("cannot write the report"));
}

#[test]
fn certificate_failures_are_named_as_browsers_name_them() {
    let lab = support::start_https_lab();
    let port = lab.lab.addr.port();
    let path = "/ok/simple";
    // Self-signed, not trusted: the authority; --cacert is the advice.
    let r = check(&format!("{}{path}", lab.base), "5");
    assert_eq!(r.code, Some(3), "{}", r.stderr);
    assert!(
        r.stdout.contains("ERR_CERT_AUTHORITY_INVALID"),
        "{}",
        r.stdout
    );
    assert!(r.stderr.contains("use --cacert"), "{}", r.stderr);
    // Trusted, but for other names: the name, and not --cacert again.
    let resolve = format!("api.other.test:{port}:127.0.0.1");
    let url = format!("https://api.other.test:{port}{path}");
    let r = run(&[
        "check",
        &url,
        "--origin",
        "https://app.example.com",
        "--timeout",
        "5",
        "--cacert",
        &lab.cacert,
        "--resolve",
        &resolve,
    ]);
    assert_eq!(r.code, Some(3), "{}", r.stderr);
    assert!(
        r.stdout.contains("ERR_CERT_COMMON_NAME_INVALID"),
        "{}",
        r.stdout
    );
    assert!(r.stderr.contains("does not name this host"), "{}", r.stderr);
    assert!(!r.stderr.contains("use --cacert"), "{}", r.stderr);
}
