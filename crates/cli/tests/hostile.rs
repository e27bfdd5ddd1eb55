//! The hostile-server battery: loopback servers with one misbehaviour each
//! (`hostile/servers.rs`) against `check`, `scan` and `explain --probe`,
//! plus bad command-line input. Every case asserts the exit code, the words,
//! that it ends within its timeout plus one second (a hang guard), and that
//! no run of `cors-doctor` ever peaked above 100 MiB of memory.

#![allow(clippy::unwrap_used, clippy::expect_used)] // a test harness

#[path = "hostile/servers.rs"]
mod servers;
mod support;

use servers::{hostile, Misbehaviour};
use std::time::{Duration, Instant};

/// The memory no run may exceed.
const PEAK_LIMIT_KIB: i64 = 100 * 1024;

struct Run {
    code: Option<i32>,
    stdout: String,
    stderr: String,
    took: Duration,
}

impl Run {
    fn says(&self, words: &str) -> bool {
        self.stdout.contains(words) || self.stderr.contains(words)
    }
}

/// Set when this test binary is re-run as the measuring parent of one run.
const MEASURE: &str = "CORS_DOCTOR_HOSTILE_MEASURE";

/// Runs `cors-doctor args` with `stdin` and asserts that it peaked under
/// [`PEAK_LIMIT_KIB`]. The peak is read by a small parent (this test binary,
/// re-run as [`measuring_parent`]) with `getrusage(RUSAGE_CHILDREN)`: Linux
/// carries a process's peak across fork and exec, so a child of this large,
/// busy test process would inherit its peak instead of showing its own.
fn run_with(args: &[&str], stdin: &[u8]) -> Run {
    let dir = tempfile::tempdir().unwrap();
    let file = |name: &str| dir.path().join(name).to_string_lossy().into_owned();
    std::fs::write(file("stdin"), stdin).unwrap();
    let job = serde_json::json!({
        "args": args,
        "stdin": file("stdin"),
        "stdout": file("stdout"),
        "stderr": file("stderr"),
        "result": file("result"),
    });
    let started = Instant::now();
    let parent = std::process::Command::new(std::env::current_exe().unwrap())
        .args(["measuring_parent", "--exact", "--test-threads=1", "--quiet"])
        .env(MEASURE, job.to_string())
        .stdout(std::process::Stdio::null())
        .status()
        .unwrap();
    let took = started.elapsed();
    assert!(parent.success(), "the measuring parent failed");
    let result: serde_json::Value =
        serde_json::from_str(&std::fs::read_to_string(file("result")).unwrap()).unwrap();
    let peak = result["peak_kib"].as_i64().unwrap();
    assert!(
        peak < PEAK_LIMIT_KIB,
        "peak memory {peak} KiB for `cors-doctor {}`",
        args.join(" ").chars().take(200).collect::<String>()
    );
    let read =
        |name: &str| String::from_utf8_lossy(&std::fs::read(file(name)).unwrap()).into_owned();
    Run {
        code: result["code"].as_i64().map(|c| c as i32),
        stdout: read("stdout"),
        stderr: read("stderr"),
        took,
    }
}

/// Not a test of its own: when [`MEASURE`] is set, runs the one job it
/// describes and writes its exit code and peak memory.
#[test]
fn measuring_parent() {
    let Ok(job) = std::env::var(MEASURE) else {
        return;
    };
    let job: serde_json::Value = serde_json::from_str(&job).unwrap();
    let path = |key: &str| job[key].as_str().unwrap().to_string();
    let args: Vec<String> = serde_json::from_value(job["args"].clone()).unwrap();
    let status = std::process::Command::new(env!("CARGO_BIN_EXE_cors-doctor"))
        .args(&args)
        .env("NO_COLOR", "1")
        .stdin(std::fs::File::open(path("stdin")).unwrap())
        .stdout(std::fs::File::create(path("stdout")).unwrap())
        .stderr(std::fs::File::create(path("stderr")).unwrap())
        .status()
        .unwrap();
    let peak = nix::sys::resource::getrusage(nix::sys::resource::UsageWho::RUSAGE_CHILDREN)
        .unwrap()
        .max_rss();
    let result = serde_json::json!({ "code": status.code(), "peak_kib": peak });
    std::fs::write(path("result"), result.to_string()).unwrap();
}

fn run(args: &[&str]) -> Run {
    run_with(args, b"")
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

/// Ends within the timeout plus one second (a hang guard).
fn assert_bounded(r: &Run, timeout: Duration, what: &str) {
    assert!(
        r.took < timeout + Duration::from_secs(1),
        "{what} took {:?} with --timeout {timeout:?}",
        r.took
    );
}

/// What a command must answer: its exit code and words in its output.
struct Want {
    code: i32,
    words: &'static [&'static str],
}

/// One misbehaviour and what `check`, `scan` and `explain --probe` say to it.
struct Case {
    server: Misbehaviour,
    check: Want,
    scan: Want,
    /// What `explain --probe` says after `probe: ` for a pasted "no
    /// Access-Control-Allow-Origin header" line naming the server.
    probe: &'static str,
}

const TIMEOUT: &str = "2";

/// Never reached a response: exit 3 everywhere; `check` says all of
/// `words`, `scan` the first, `explain --probe` that it could not check.
fn unreachable(server: Misbehaviour, words: &'static [&'static str]) -> Case {
    Case {
        server,
        check: Want { code: 3, words },
        scan: Want {
            code: 3,
            words: &words[..1],
        },
        probe: "could not check the server",
    }
}

/// Allowed everywhere (any origin): `check` says `words`, `scan` the
/// wildcard, `explain --probe` that the pasted failure is gone.
fn passes(server: Misbehaviour, words: &'static [&'static str]) -> Case {
    Case {
        server,
        check: Want { code: 0, words },
        scan: Want {
            code: 0,
            words: &["Access-Control-Allow-Origin: *"],
        },
        probe: "the server now passes in every browser",
    }
}

/// Blocked with `too-many-redirects` everywhere.
fn too_many_redirects(server: Misbehaviour) -> Case {
    Case {
        server,
        check: Want {
            code: 1,
            words: &[
                "[too-many-redirects]",
                "ERR_TOO_MANY_REDIRECTS",
                "Load cannot follow more than 20 redirections",
            ],
        },
        scan: Want {
            code: 1,
            words: &["blocked even for a simple GET: too-many-redirects"],
        },
        probe: "too-many-redirects",
    }
}

fn battery() -> Vec<Case> {
    use Misbehaviour::*;
    const EMPTY: &[&str] = &[
        "closed the connection before a complete response",
        "ERR_EMPTY_RESPONSE",
    ];
    const TOO_BIG: &[&str] = &[
        "more than 256 KiB of response headers",
        "ERR_RESPONSE_HEADERS_TOO_BIG",
    ];
    vec![
        unreachable(
            Silent,
            &[
                "did not answer within 2s (stage: response-headers)",
                "ERR_TIMED_OUT",
            ],
        ),
        unreachable(Reset, &["reset the connection", "ERR_CONNECTION_RESET"]),
        unreachable(CloseEmpty, EMPTY),
        unreachable(CloseMidHeaders, EMPTY),
        unreachable(Garbage, &["not valid HTTP", "ERR_INVALID_HTTP_RESPONSE"]),
        unreachable(HundredThousandHeaders, TOO_BIG),
        unreachable(MegabyteHeader, TOO_BIG),
        unreachable(SlowDrip, &["did not answer within 2s", "ERR_TIMED_OUT"]),
        passes(ManyHeaders, &["✓ allowed", "x-filler-149"]),
        passes(
            ShortBody,
            &[
                "✓ allowed",
                "body failed",
                "[body-incomplete]",
                "net::ERR_CONTENT_LENGTH_MISMATCH",
            ],
        ),
        passes(EndlessBody, &["✓ allowed"]),
        passes(GzipBomb, &["✓ allowed"]),
        passes(RedirectChain(20), &["✓ allowed", "GET /hop/20"]),
        too_many_redirects(RedirectLoop),
        too_many_redirects(RedirectChain(21)),
    ]
}

fn assert_wanted(r: &Run, want: &Want, what: &str) {
    assert_wanted_within(r, want, what, 1);
}

/// [`assert_wanted`], ending within `waves` timeouts plus one second.
fn assert_wanted_within(r: &Run, want: &Want, what: &str, waves: u32) {
    assert_eq!(
        r.code,
        Some(want.code),
        "{what}: exit code\n{}\n{}",
        r.stdout,
        r.stderr
    );
    for words in want.words {
        assert!(
            r.says(words),
            "{what}: `{words}` missing\n{}\n{}",
            r.stdout,
            r.stderr
        );
    }
    assert_bounded(r, Duration::from_secs(2) * waves, what);
}

/// One case after another: the time bounds hold on a loaded machine, and a
/// memory peak is the case's that just ran.
#[test]
fn every_misbehaviour_gets_its_own_words_exit_code_time_and_memory() {
    use Misbehaviour::{RedirectChain, RedirectLoop};
    for case in battery() {
        let addr = hostile(case.server);
        let url = format!("http://{addr}/");
        let name = format!("{:?}", case.server);
        // An http page: Safari blocks an https page's call to an http server.
        let r = run(&[
            "check",
            &url,
            "--origin",
            "http://app.example.com",
            "--timeout",
            TIMEOUT,
        ]);
        assert_wanted(&r, &case.check, &format!("check {name}"));
        let r = run(&[
            "scan",
            &url,
            "--origin",
            "http://app.example.com",
            "--timeout",
            TIMEOUT,
        ]);
        // A scan follows a redirect chain in one wave of requests per hop,
        // each with its own timeout (hundreds of requests in all): its bound
        // is a timeout per hop; every other case ends within one timeout.
        let hops = match case.server {
            RedirectChain(n) => n + 1,
            RedirectLoop => 21,
            _ => 1,
        };
        assert_wanted_within(&r, &case.scan, &format!("scan {name}"), hops);
        let paste = format!("Access to fetch at '{url}' from origin 'http://app.example.com' has been blocked by CORS policy: No 'Access-Control-Allow-Origin' header is present on the requested resource.\n");
        let r = run_with(
            &["explain", "--probe", "--timeout", TIMEOUT, "-"],
            paste.as_bytes(),
        );
        let probe = r
            .stdout
            .lines()
            .find_map(|l| l.trim_start().strip_prefix("probe: "))
            .unwrap_or_default()
            .to_string();
        assert_eq!(r.code, Some(0), "explain {name}: {}", r.stderr);
        assert!(
            probe.contains(case.probe),
            "explain {name}: probe said `{probe}`"
        );
        assert_bounded(&r, Duration::from_secs(2), &format!("explain {name}"));
    }
}

#[test]
fn a_scan_of_a_server_that_never_answers_stops_at_once_and_still_prints_json() {
    let addr = hostile(Misbehaviour::Silent);
    let url = format!("http://{addr}/api");
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
    assert_eq!(
        r.stderr.matches("(stage: response-headers)").count(),
        1,
        "{}",
        r.stderr
    );
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
fn a_url_too_long_to_send_is_our_limit_and_nothing_is_sent() {
    // Over https (the HTTP library's path; plain http goes over the raw
    // HTTP/1.1 path, which sends URLs as long as Chromium does).
    let url = format!("https://127.0.0.1:9/?{}", "a".repeat(70_000));
    let r = check(&url, "5");
    assert_eq!(r.code, Some(2), "{}", r.stderr);
    assert!(
        r.stderr.contains("could not send the request"),
        "{}",
        r.stderr
    );
    assert!(r.stderr.contains("nothing was sent"), "{}", r.stderr);
}

/// Files that never end (`/dev/zero`) given where a certificate, a policy,
/// an endpoint list or an audit output goes: refused at a bound, exit 2,
/// in bounded memory (each was once read until memory ran out).
#[test]
fn endless_input_files_are_refused_at_a_bound() {
    for (args, words) in [
        (
            vec![
                "check",
                "https://127.0.0.1:9/",
                "--origin",
                "https://a.test",
                "--cacert",
                "/dev/zero",
            ],
            "larger than 16 MiB",
        ),
        (vec!["verify", "/dev/zero"], "larger than 16 MiB"),
        (vec!["audit", "/dev/zero"], "longer than 1 MiB"),
        (vec!["audit", "merge", "/dev/zero"], "longer than 1 MiB"),
    ] {
        let r = run(&args);
        assert_eq!(r.code, Some(2), "{args:?}: {}", r.stderr);
        assert!(r.stderr.contains(words), "{args:?}: {}", r.stderr);
        assert!(r.stderr.contains("/dev/zero"), "{args:?}: {}", r.stderr);
    }
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
        (
            vec![
                "check",
                "http://127.0.0.1:9/",
                "--origin",
                "https://a.test",
                "--timeout",
                "1e-320",
            ],
            "--timeout 1e-320 must be from 0.001 to 3600 seconds",
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
    let r = run_with(&["explain", "-"], &paste);
    assert_eq!(r.code, Some(2));
    assert!(
        r.stderr
            .contains("line 2 of standard input is longer than 16 MiB"),
        "{}",
        r.stderr
    );
    // A 15 MiB line of invalid UTF-8 and noise is read leniently, in bounded memory.
    let mut paste = vec![0xff_u8; 15 * 1024 * 1024];
    paste.extend_from_slice(
        b"\nMethod PUT is not allowed by Access-Control-Allow-Methods in preflight response.\n",
    );
    let r = run_with(&["explain", "--json", "-"], &paste);
    assert_eq!(r.code, Some(0), "{}", r.stderr);
    let doc: serde_json::Value = serde_json::from_str(&r.stdout).unwrap();
    assert_eq!(doc["messages"][0]["line"], 2);
    // Many lines are fine, and a message after 8 MiB of noise is found with
    // its line number (the recognizer works in chunks).
    let mut paste = Vec::new();
    for i in 0..100_000 {
        paste.extend_from_slice(format!("12:00:00.{i:06} Download the React DevTools for a better development experience: https://reactjs.org/link/react-devtools\n").as_bytes());
    }
    paste.extend_from_slice(
        b"Method PUT is not allowed by Access-Control-Allow-Methods in preflight response.\n",
    );
    let r = run_with(&["explain", "--json", "-"], &paste);
    assert_eq!(r.code, Some(0));
    let doc: serde_json::Value = serde_json::from_str(&r.stdout).unwrap();
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

/// `check https://ADDR/` from an https page, trusting `cacert`, with `extra` flags.
fn check_tls(addr: std::net::SocketAddr, cacert: &str, extra: &[&str]) -> Run {
    let url = format!("https://{addr}/");
    let mut args = vec![
        "check",
        &url,
        "--origin",
        "https://app.example.com",
        "--cacert",
        cacert,
        "--timeout",
        "5",
    ];
    args.extend_from_slice(extra);
    run(&args)
}

#[test]
fn an_http2_only_server_asked_for_http1_and_an_expired_certificate_are_named() {
    // ALPN: the server speaks only h2; `--http1.1` offers only http/1.1.
    let material = cors_lab::self_signed(&["127.0.0.1"]).unwrap();
    let dir = tempfile::tempdir().unwrap();
    let cacert = dir.path().join("ca.pem");
    std::fs::write(&cacert, &material.cert_pem).unwrap();
    let cacert = cacert.to_string_lossy().into_owned();
    let addr = servers::tls(&material.cert_pem, &material.key_pem, &[b"h2"]);
    let r = check_tls(addr, &cacert, &["--http1.1"]);
    assert_eq!(r.code, Some(3), "{}", r.stderr);
    assert!(r.stderr.contains("drop --http1.1"), "{}", r.stderr);
    assert!(!r.stderr.contains("is the server running"), "{}", r.stderr);
    assert_bounded(&r, Duration::from_secs(5), "check");
    // The same server offering http/1.1 answers (the ALPN case is the only difference).
    let addr = servers::tls(&material.cert_pem, &material.key_pem, &[b"http/1.1"]);
    let r = check_tls(addr, &cacert, &["--http1.1"]);
    assert_eq!(r.code, Some(0), "{}\n{}", r.stdout, r.stderr);

    // A certificate that expired in 2001, trusted through --cacert.
    let key = rcgen::KeyPair::generate().unwrap();
    let mut params = rcgen::CertificateParams::new(vec!["127.0.0.1".to_string()]).unwrap();
    params.not_before = rcgen::date_time_ymd(2000, 1, 1);
    params.not_after = rcgen::date_time_ymd(2001, 1, 1);
    let cert = params.self_signed(&key).unwrap();
    let expired = dir.path().join("expired.pem");
    std::fs::write(&expired, cert.pem()).unwrap();
    let addr = servers::tls(&cert.pem(), &key.serialize_pem(), &[b"http/1.1"]);
    let r = check_tls(addr, &expired.to_string_lossy(), &[]);
    assert_eq!(r.code, Some(3), "{}", r.stderr);
    assert!(r.says("ERR_CERT_DATE_INVALID"), "{}", r.stdout);
    assert!(r.stderr.contains("expired"), "{}", r.stderr);
    assert!(!r.stderr.contains("use --cacert"), "{}", r.stderr);
}
