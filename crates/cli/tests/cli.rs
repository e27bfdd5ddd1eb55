//! End-to-end tests of the `cors-doctor` binary against the real lab over
//! loopback (plain HTTP, and HTTPS with a self-signed certificate over
//! HTTP/1.1 and HTTP/2): snapshots of the report and the JSON for every lab
//! endpoint, and every exit code.

#![allow(clippy::unwrap_used, clippy::expect_used)] // tests may panic on broken fixtures

use std::process::{Command, Output};

mod support;

use support::{start_https_lab, start_lab};

fn cors_doctor(args: &[&str]) -> Output {
    Command::new(env!("CARGO_BIN_EXE_cors-doctor"))
        .args(args)
        .env("NO_COLOR", "1")
        .env_remove("HTTP_PROXY")
        .env_remove("HTTPS_PROXY")
        .env_remove("http_proxy")
        .env_remove("https_proxy")
        .env_remove("ALL_PROXY")
        .output()
        .expect("run cors-doctor")
}

fn text(output: &Output) -> String {
    format!(
        "exit: {}\n--- stdout\n{}--- stderr\n{}",
        output.status.code().unwrap_or(-1),
        String::from_utf8_lossy(&output.stdout),
        String::from_utf8_lossy(&output.stderr)
    )
}

fn filters() -> Vec<(&'static str, &'static str)> {
    vec![
        (r"127\.0\.0\.1:\d+", "127.0.0.1:[PORT]"),
        (r"localhost:\d+", "localhost:[PORT]"),
        (r"cors-doctor/\d+\.\d+\.\d+", "cors-doctor/[VERSION]"),
        (
            r#""tool_version": "[^"]+""#,
            r#""tool_version": "[VERSION]""#,
        ),
        (r"/tmp/[^ '\n]+\.pem", "[CERT]"),
        (r"\w{3}, \d{2} \w{3} \d{4} \d{2}:\d{2}:\d{2} GMT", "[DATE]"),
    ]
}

fn endpoint_args(base: &str, e: &cors_lab::LabEndpoint) -> Vec<String> {
    let mut args = vec![
        "check".to_string(),
        format!("{base}{}", e.path),
        "--origin".to_string(),
        e.origin.to_string(),
    ];
    if e.method != "GET" {
        args.push("-X".into());
        args.push(e.method.into());
    }
    for (n, v) in e.headers {
        args.push("-H".into());
        args.push(format!("{n}: {v}"));
    }
    args.push("--credentials".into());
    args.push(e.credentials.into());
    args
}

fn snapshot_name(path: &str) -> String {
    path.trim_start_matches('/').replace('/', "_")
}

#[test]
fn every_lab_endpoint_terminal_and_json() {
    let lab = start_https_lab();
    for e in cors_lab::endpoints() {
        let mut args = endpoint_args(&lab.base, e);
        args.extend(["--cacert".to_string(), lab.cacert.clone()]);
        let argv: Vec<&str> = args.iter().map(String::as_str).collect();
        let output = cors_doctor(&argv);
        let expected = if e.healthy { 0 } else { 1 };
        assert_eq!(
            output.status.code(),
            Some(expected),
            "{}\n{}",
            e.path,
            text(&output)
        );
        insta::with_settings!({filters => filters(), snapshot_suffix => snapshot_name(e.path), description => e.problem}, {
            insta::assert_snapshot!("check_text", text(&output));
        });
        let mut json_args = argv.clone();
        json_args.push("--json");
        let output = cors_doctor(&json_args);
        assert_eq!(output.status.code(), Some(expected), "{} --json", e.path);
        let doc: serde_json::Value = serde_json::from_slice(&output.stdout).expect("valid JSON");
        assert_eq!(doc["schema"], "cors-doctor/check/v1");
        for browser in ["chromium", "firefox", "webkit"] {
            assert!(
                doc["browsers"][browser]["allowed"].is_boolean(),
                "{}: {browser}",
                e.path
            );
        }
        insta::with_settings!({filters => filters(), snapshot_suffix => snapshot_name(e.path)}, {
            insta::assert_snapshot!("check_json", String::from_utf8_lossy(&output.stdout));
        });
    }
}

#[test]
fn tls_with_self_signed_certificate_http2_and_http1() {
    let lab = start_https_lab();
    let url = format!("https://localhost:{}/ok/preflight", lab.lab.addr.port());
    let resolve = format!("localhost:{}:127.0.0.1", lab.lab.addr.port());
    let cert = lab.cacert.as_str();
    let common = [
        "check",
        url.as_str(),
        "--origin",
        cors_lab::LAB_ORIGIN,
        "-X",
        "PUT",
        "-H",
        "Content-Type: application/json",
        "--credentials",
        "include",
        "--resolve",
        resolve.as_str(),
        "--json",
    ];

    let mut args = common.to_vec();
    args.extend(["--cacert", cert]);
    let output = cors_doctor(&args);
    assert_eq!(output.status.code(), Some(0), "{}", text(&output));
    let doc: serde_json::Value = serde_json::from_slice(&output.stdout).unwrap();
    assert_eq!(doc["exchanges"][0]["response"]["http_version"], "HTTP/2");
    assert_eq!(doc["exchanges"][0]["purpose"], "preflight");

    args.push("--http1.1");
    let output = cors_doctor(&args);
    assert_eq!(output.status.code(), Some(0), "{}", text(&output));
    let doc: serde_json::Value = serde_json::from_slice(&output.stdout).unwrap();
    assert_eq!(doc["exchanges"][1]["response"]["http_version"], "HTTP/1.1");

    // Without trusting the certificate: exit 3, a TLS error naming the stage.
    let output = cors_doctor(&common[..common.len() - 1]);
    assert_eq!(output.status.code(), Some(3), "{}", text(&output));
    let stderr = String::from_utf8_lossy(&output.stderr);
    assert!(
        stderr.contains("TLS") && stderr.contains("stage: tls") && stderr.contains("--cacert"),
        "{stderr}"
    );

    let mut insecure = common[..common.len() - 1].to_vec();
    insecure.push("--insecure");
    assert_eq!(cors_doctor(&insecure).status.code(), Some(0));
}

/// `openssl req -x509` marks its self-signed certificate as a CA, which
/// webpki refuses as a server certificate; given with --cacert it is
/// trusted as curl trusts it, and its names still have to match.
#[test]
fn tls_with_a_self_signed_ca_certificate_as_made_by_openssl() {
    let mut params = rcgen::CertificateParams::new(vec!["localhost".to_string()]).unwrap();
    params.is_ca = rcgen::IsCa::Ca(rcgen::BasicConstraints::Unconstrained);
    let key = rcgen::KeyPair::generate().unwrap();
    let cert = params.self_signed(&key).unwrap();
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("ca-leaf.pem");
    std::fs::write(&path, cert.pem()).unwrap();
    let lab = start_lab(Some(cors_lab::TlsMaterial {
        cert_pem: cert.pem(),
        key_pem: key.serialize_pem(),
    }));
    let port = lab.addr.port();
    let run = |host: &str| {
        let url = format!("https://{host}:{port}/ok/simple");
        let resolve = format!("{host}:{port}:127.0.0.1");
        cors_doctor(&[
            "check",
            &url,
            "--origin",
            cors_lab::LAB_ORIGIN,
            "--resolve",
            &resolve,
            "--cacert",
            path.to_str().unwrap(),
        ])
    };
    let output = run("localhost");
    assert_eq!(output.status.code(), Some(0), "{}", text(&output));
    // Another name on the same certificate: refused, and said so.
    let output = run("api.example.com");
    assert_eq!(output.status.code(), Some(3), "{}", text(&output));
    assert!(
        String::from_utf8_lossy(&output.stderr).contains("NotValidForName"),
        "{}",
        text(&output)
    );
}

#[test]
fn exit_code_3_when_unreachable() {
    // A port nobody listens on: bind, read the port, close.
    let port = std::net::TcpListener::bind("127.0.0.1:0")
        .unwrap()
        .local_addr()
        .unwrap()
        .port();
    let url = format!("http://127.0.0.1:{port}/x");
    let output = cors_doctor(&["check", &url, "--origin", "https://app.example.com"]);
    assert_eq!(output.status.code(), Some(3), "{}", text(&output));
    let stderr = String::from_utf8_lossy(&output.stderr);
    assert!(
        stderr.contains("stage: connect") && stderr.contains("is the server running"),
        "{stderr}"
    );

    let output = cors_doctor(&[
        "check",
        "https://does-not-exist.invalid/x",
        "--origin",
        "https://app.example.com",
        "--timeout",
        "5",
    ]);
    assert_eq!(output.status.code(), Some(3), "{}", text(&output));
    assert!(
        String::from_utf8_lossy(&output.stderr).contains("stage: dns"),
        "{}",
        text(&output)
    );
}

#[test]
fn exit_code_3_on_timeout_and_hostile_servers_do_not_crash() {
    let lab = start_lab(None);
    let slow = format!("http://{}/hostile/slow", lab.addr);
    let started = std::time::Instant::now();
    let output = cors_doctor(&[
        "check",
        &slow,
        "--origin",
        cors_lab::LAB_ORIGIN,
        "--timeout",
        "1",
    ]);
    assert_eq!(output.status.code(), Some(3), "{}", text(&output));
    assert!(
        String::from_utf8_lossy(&output.stderr).contains("did not answer within"),
        "{}",
        text(&output)
    );
    assert!(started.elapsed() < std::time::Duration::from_secs(10));

    let looped = format!("http://{}/hostile/redirect-loop", lab.addr);
    let output = cors_doctor(&[
        "check",
        &looped,
        "--origin",
        cors_lab::LAB_ORIGIN,
        "--no-second-origin",
    ]);
    assert_eq!(output.status.code(), Some(1), "{}", text(&output));
    assert!(String::from_utf8_lossy(&output.stdout).contains("too-many-redirects"));

    for path in ["/hostile/huge-headers", "/hostile/huge-body"] {
        let url = format!("http://{}{path}", lab.addr);
        let output = cors_doctor(&[
            "check",
            &url,
            "--origin",
            cors_lab::LAB_ORIGIN,
            "--no-second-origin",
            "--timeout",
            "20",
        ]);
        let code = output.status.code();
        assert!(
            code == Some(0) || code == Some(1) || code == Some(3),
            "{path}: {}",
            text(&output)
        );
        assert!(
            !String::from_utf8_lossy(&output.stderr).contains("panicked"),
            "{path}: {}",
            text(&output)
        );
    }
}

#[test]
fn exit_code_2_for_bad_input() {
    let cases: &[(&[&str], &str)] = &[
        (
            &["check", "not a url", "--origin", "https://a.com"],
            "is not a valid URL",
        ),
        (
            &["check", "ftp://example.com/x", "--origin", "https://a.com"],
            "not an http(s) URL",
        ),
        (
            &[
                "check",
                "https://api.example.com/",
                "--origin",
                "https://a.com/path",
            ],
            "an origin has no path",
        ),
        (
            &["check", "https://api.example.com/", "--origin", "a.com"],
            "not an absolute URL",
        ),
        (
            &[
                "check",
                "https://api.example.com/",
                "--origin",
                "https://a.com",
                "-H",
                "NoColon",
            ],
            "has no `:`",
        ),
        (
            &[
                "check",
                "https://api.example.com/",
                "--origin",
                "https://a.com",
                "-H",
                "Bad Name: x",
            ],
            "not a valid header name",
        ),
        (
            &[
                "check",
                "https://api.example.com/",
                "--origin",
                "https://a.com",
                "--browser",
                "opera",
            ],
            "unknown browser `opera`",
        ),
        (
            &[
                "check",
                "https://api.example.com/",
                "--origin",
                "https://a.com",
                "-X",
                "GET POST",
            ],
            "not a valid HTTP method",
        ),
        (
            &["check", "https://api.example.com/"],
            "pass --origin ORIGIN or --page URL",
        ),
        (
            &[
                "check",
                "https://api.example.com/",
                "--origin",
                "https://a.com",
                "--resolve",
                "nonsense",
            ],
            "HOST:PORT:ADDR",
        ),
        (
            &[
                "check",
                "https://api.example.com/",
                "--origin",
                "https://a.com",
                "--cacert",
                "/nonexistent.pem",
            ],
            "/nonexistent.pem",
        ),
        (
            &[
                "check",
                "https://api.example.com/",
                "--origin",
                "https://a.com",
                "--timeout=0",
            ],
            "--timeout",
        ),
        (&["frobnicate"], "unrecognized subcommand"),
        (&["lab", "--listen", "0.0.0.0:0"], "refusing to serve"),
    ];
    for (args, expected) in cases {
        let output = cors_doctor(args);
        assert_eq!(output.status.code(), Some(2), "{args:?}\n{}", text(&output));
        let stderr = String::from_utf8_lossy(&output.stderr);
        assert!(
            stderr.contains(expected),
            "{args:?}: expected {expected:?} in\n{stderr}"
        );
        assert!(!stderr.contains("panicked"), "{args:?}");
    }
}

#[test]
fn version_help_and_completions() {
    let output = cors_doctor(&["--version"]);
    assert_eq!(output.status.code(), Some(0));
    assert!(String::from_utf8_lossy(&output.stdout).starts_with("cors-doctor "));
    let output = cors_doctor(&["check", "--help"]);
    let help = String::from_utf8_lossy(&output.stdout);
    assert!(
        help.contains("Examples:") && help.contains("--credentials") && help.contains("Exit codes"),
        "{help}"
    );
    let output = cors_doctor(&["completions", "bash"]);
    assert_eq!(output.status.code(), Some(0));
    assert!(String::from_utf8_lossy(&output.stdout).contains("cors-doctor"));
}

#[test]
fn demo_runs_offline_and_agrees_with_the_lab() {
    let output = cors_doctor(&["demo", "--summary"]);
    assert_eq!(output.status.code(), Some(0), "{}", text(&output));
    let stdout = String::from_utf8_lossy(&output.stdout);
    assert!(
        stdout.contains("Every endpoint behaved as the lab declares"),
        "{stdout}"
    );
}

#[test]
fn local_network_access_from_a_public_page() {
    let lab = start_lab(None);
    let url = format!("http://{}/ok/wildcard", lab.addr);
    let cases = [
        (
            "https://app.example.com/",
            "local-network-permission-denied",
        ),
        (
            "http://app.example.com/",
            "local-network-insecure-initiator",
        ),
    ];
    for (page, finding) in cases {
        let output = cors_doctor(&[
            "check",
            &url,
            "--page",
            page,
            "--page-address-space",
            "public",
            "--no-second-origin",
            "--json",
        ]);
        assert_eq!(output.status.code(), Some(1), "{}", text(&output));
        let doc: serde_json::Value = serde_json::from_slice(&output.stdout).unwrap();
        assert_eq!(
            doc["browsers"]["chromium"]["findings"][0], finding,
            "{page}"
        );
        assert_eq!(doc["browsers"]["firefox"]["allowed"], true);
    }
    let output = cors_doctor(&[
        "check",
        &url,
        "--origin",
        "https://a.com",
        "--page-address-space",
        "moon",
    ]);
    assert_eq!(output.status.code(), Some(2));
}

/// A header value with a control character (sent by browsers, refused by
/// the HTTP library) goes over the raw HTTP/1.1 path: preflighted, judged,
/// and shown with the character made visible.
#[test]
fn a_control_character_in_a_header_value_is_sent_and_judged() {
    let lab = start_lab(None);
    let url = format!("http://{}/ok/preflight", lab.addr);
    let args = [
        "check",
        &url,
        "--origin",
        cors_lab::LAB_ORIGIN,
        "-X",
        "POST",
        "-H",
        "Content-Type: text/plain\u{b}",
        "-d",
        "x",
        "--no-second-origin",
    ];
    let output = cors_doctor(&[&args[..], &["--json"]].concat());
    assert!(
        matches!(output.status.code(), Some(0 | 1)),
        "{}",
        text(&output)
    );
    let doc: serde_json::Value = serde_json::from_slice(&output.stdout).unwrap();
    assert_eq!(doc["exchanges"][0]["purpose"], "preflight");
    assert_eq!(doc["exchanges"][0]["response"]["status"], 204);
    let sent = doc["exchanges"][1]["request"]["headers"]
        .as_array()
        .unwrap();
    let content_type = sent.iter().find(|h| h["name"] == "Content-Type");
    assert_eq!(
        content_type.map(|h| &h["value"]),
        Some(&serde_json::json!("text/plain\u{b}")),
        "{sent:?}"
    );
    // The lab (hyper) answers such a value with 400, as strict servers do:
    // the answer of a server, not a failure to send.
    assert_eq!(doc["exchanges"][1]["response"]["status"], 400);
    let shown = text(&cors_doctor(&args));
    assert!(shown.contains("> Content-Type: text/plain\\x0b"), "{shown}");
    assert!(!shown.contains('\u{b}'), "{shown}");
}

/// Reads a request head for the test proxies: its first line, the rest drained.
fn request_line(reader: &mut impl std::io::BufRead) -> String {
    let mut line = String::new();
    let _ = reader.read_line(&mut line);
    let mut header = String::new();
    while reader.read_line(&mut header).is_ok_and(|n| n > 2) {
        header.clear();
    }
    line.trim_end().to_string()
}

/// The request lines a loopback proxy saw.
type ProxyLog = std::sync::Arc<std::sync::Mutex<Vec<String>>>;

/// A loopback proxy taking `connections` connections: it records each
/// request line, then hands the client and its reader to `serve`.
fn loopback_proxy(
    connections: usize,
    serve: impl Fn(std::net::TcpStream, std::io::BufReader<std::net::TcpStream>) + Send + 'static,
) -> (std::net::SocketAddr, ProxyLog) {
    let proxy = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
    let addr = proxy.local_addr().unwrap();
    let seen = ProxyLog::default();
    let log = seen.clone();
    std::thread::spawn(move || {
        for client in proxy.incoming().take(connections) {
            let Ok(client) = client else { continue };
            let mut reader = std::io::BufReader::new(client.try_clone().unwrap());
            log.lock().unwrap().push(request_line(&mut reader));
            serve(client, reader);
        }
    });
    (addr, seen)
}

/// HTTP_PROXY is honoured (the request goes to the proxy in absolute form,
/// for a host that does not even resolve) and NO_PROXY bypasses it.
#[test]
fn http_proxy_and_no_proxy_from_the_environment() {
    use std::io::Write;
    let (proxy_addr, seen) = loopback_proxy(4, |mut stream, _| {
        // Answer as the origin server would.
        let _ = stream.write_all(b"HTTP/1.1 200 OK\r\nAccess-Control-Allow-Origin: http://app.example.com\r\nContent-Length: 2\r\nConnection: close\r\n\r\nok");
    });
    let url = "http://cors-doctor-proxied.invalid/items";
    let run = |no_proxy: &str| {
        Command::new(env!("CARGO_BIN_EXE_cors-doctor"))
            .args([
                "check",
                url,
                "--origin",
                "http://app.example.com",
                "--no-second-origin",
                "--timeout",
                "3",
            ])
            .env("NO_COLOR", "1")
            .env("HTTP_PROXY", format!("http://{proxy_addr}"))
            .env("NO_PROXY", no_proxy)
            .env_remove("http_proxy")
            .env_remove("no_proxy")
            .env_remove("ALL_PROXY")
            .output()
            .unwrap()
    };
    let output = run("");
    assert_eq!(output.status.code(), Some(0), "{}", text(&output));
    assert_eq!(
        seen.lock().unwrap().as_slice(),
        [format!("GET {url} HTTP/1.1")]
    );
    // NO_PROXY names the host: straight to it, and `.invalid` never resolves.
    let output = run("cors-doctor-proxied.invalid");
    assert_eq!(output.status.code(), Some(3), "{}", text(&output));
    assert_eq!(seen.lock().unwrap().len(), 1);
}

/// HTTPS_PROXY: the TLS connection is tunnelled with CONNECT through a
/// loopback proxy to the lab's TLS port, for a host that does not resolve.
#[test]
fn https_proxy_tunnels_with_connect() {
    use std::io::Write;
    let host = "cors-doctor-tunnel.invalid";
    let tls = cors_lab::self_signed(&[host]).unwrap();
    let dir = tempfile::tempdir().unwrap();
    let cert = dir.path().join("tunnel.pem");
    std::fs::write(&cert, &tls.cert_pem).unwrap();
    let lab = start_lab(Some(tls));
    let lab_addr = lab.addr;
    let (proxy_addr, seen) = loopback_proxy(2, move |mut client, mut reader| {
        let Ok(upstream) = std::net::TcpStream::connect(lab_addr) else {
            return;
        };
        let _ = client.write_all(b"HTTP/1.1 200 Connection established\r\n\r\n");
        let (mut up_read, mut up_write) = (upstream.try_clone().unwrap(), upstream);
        std::thread::spawn(move || {
            let _ = std::io::copy(&mut reader, &mut up_write);
        });
        std::thread::spawn(move || {
            let _ = std::io::copy(&mut up_read, &mut client);
        });
    });
    let url = format!("https://{host}:{}/ok/simple", lab_addr.port());
    let output = Command::new(env!("CARGO_BIN_EXE_cors-doctor"))
        .args([
            "check",
            &url,
            "--origin",
            cors_lab::LAB_ORIGIN,
            "--no-second-origin",
            "--timeout",
            "5",
            "--cacert",
            cert.to_str().unwrap(),
        ])
        .env("NO_COLOR", "1")
        .env("HTTPS_PROXY", format!("http://{proxy_addr}"))
        .env_remove("https_proxy")
        .env_remove("NO_PROXY")
        .env_remove("no_proxy")
        .env_remove("ALL_PROXY")
        .output()
        .unwrap();
    assert_eq!(output.status.code(), Some(0), "{}", text(&output));
    assert_eq!(
        seen.lock().unwrap().as_slice(),
        [format!("CONNECT {host}:{} HTTP/1.1", lab_addr.port())]
    );
}
