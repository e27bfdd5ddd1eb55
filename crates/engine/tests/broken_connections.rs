//! Connections that break after the request went out — a reset, a close
//! with no answer, a body cut short after good headers — and which header a
//! browser names when several are not allowed: table by table, as recorded
//! (conformance: net-*, body-*, header-order-*).

#![allow(clippy::unwrap_used, clippy::expect_used)] // tests may panic on broken fixtures

use cors_engine::{
    evaluate, webkit_network_description, Answer, BodyFailure, Browser, FindingId, Initiator, Mode,
    Outcome, Request, RequestPurpose, Response, Verdict,
};
use url::Url;

const PAGE: &str = "http://app.test/";
const API: &str = "http://api.test/r";

fn h(pairs: &[(&str, &str)]) -> Vec<(String, String)> {
    pairs
        .iter()
        .map(|(n, v)| (n.to_string(), v.to_string()))
        .collect()
}

fn request(method: &str, headers: &[(&str, &str)]) -> Request {
    let mut r = Request::new(Url::parse(PAGE).unwrap(), Url::parse(API).unwrap());
    r.method = method.to_string();
    r.headers = h(headers);
    r
}

fn broken(net_error: &str) -> Answer {
    Err((
        net_error.to_string(),
        webkit_network_description(net_error).to_string(),
    ))
}

fn run(request: &Request, preflight: Answer, actual: Answer) -> Outcome {
    evaluate(request, &Browser::ALL, |p| match p.purpose {
        RequestPurpose::Preflight => preflight.clone(),
        _ => actual.clone(),
    })
}

fn allowing(status: u16, failure: Option<BodyFailure>) -> Answer {
    Ok(Response {
        body_failure: failure,
        ..Response::new(
            status,
            h(&[("Access-Control-Allow-Origin", "http://app.test")]),
        )
    })
}

fn passing_preflight() -> Answer {
    Ok(Response::new(
        204,
        h(&[
            ("Access-Control-Allow-Origin", "http://app.test"),
            ("Access-Control-Allow-Methods", "PUT"),
            ("Access-Control-Allow-Headers", "x-foo"),
        ]),
    ))
}

#[test]
fn a_body_cut_short_after_good_headers_per_browser() {
    use BodyFailure::*;
    use Verdict::*;
    // (case, initiator, mode, method, status, failure, [chromium, firefox, webkit] verdicts,
    //  Chromium's line, whether each browser reports body-incomplete)
    let cases = [
        (
            "fetch, Content-Length short",
            Initiator::Fetch,
            Mode::Cors,
            "GET",
            200,
            ContentLengthMismatch,
            [Allowed, Allowed, Allowed],
            Some("Failed to load resource: net::ERR_CONTENT_LENGTH_MISMATCH"),
            [true, true, true],
        ),
        (
            "fetch, chunked cut",
            Initiator::Fetch,
            Mode::Cors,
            "GET",
            200,
            IncompleteChunked,
            [Allowed, Allowed, Allowed],
            Some("Failed to load resource: net::ERR_INCOMPLETE_CHUNKED_ENCODING"),
            [true, true, false],
        ),
        (
            "XHR fails as a whole",
            Initiator::XmlHttpRequest,
            Mode::Cors,
            "GET",
            200,
            ContentLengthMismatch,
            [Unreachable, Unreachable, Unreachable],
            Some("Failed to load resource: net::ERR_CONTENT_LENGTH_MISMATCH"),
            [true, true, true],
        ),
        (
            "Firefox keeps the cut body of a 500",
            Initiator::Fetch,
            Mode::Cors,
            "GET",
            500,
            ContentLengthMismatch,
            [Allowed, Allowed, Allowed],
            Some("Failed to load resource: net::ERR_CONTENT_LENGTH_MISMATCH"),
            [true, false, true],
        ),
        (
            "Firefox reads a no-cors body first",
            Initiator::Fetch,
            Mode::NoCors,
            "GET",
            200,
            ContentLengthMismatch,
            [Opaque, Unreachable, Opaque],
            Some("Failed to load resource: net::ERR_CONTENT_LENGTH_MISMATCH"),
            [true, true, true],
        ),
        (
            "HEAD has no body",
            Initiator::Fetch,
            Mode::Cors,
            "HEAD",
            200,
            ContentLengthMismatch,
            [Allowed, Allowed, Allowed],
            None,
            [false, false, false],
        ),
    ];
    for (case, initiator, mode, method, status, failure, verdicts, chromium_line, reported) in cases
    {
        let mut r = request(method, &[]);
        r.initiator = initiator;
        r.mode = mode;
        let o = run(&r, passing_preflight(), allowing(status, Some(failure)));
        for (i, b) in o.browsers.iter().enumerate() {
            assert_eq!(b.verdict, verdicts[i], "{case}: {} verdict", b.browser);
            let has = b.findings.iter().any(|f| f.id == FindingId::BodyIncomplete);
            assert_eq!(has, reported[i], "{case}: {} body-incomplete", b.browser);
        }
        let chromium = &o.browsers[0].console;
        assert_eq!(
            chromium
                .last()
                .map(String::as_str)
                .filter(|l| l.contains("net::")),
            chromium_line,
            "{case}: Chromium's console {chromium:?}"
        );
        // Neither Firefox nor WebKit logs a line for it.
        assert!(
            o.browsers[1..]
                .iter()
                .all(|b| b.console.iter().all(|l| !l.contains("net::"))),
            "{case}"
        );
    }
}

#[test]
fn a_body_failure_on_blocked_headers_is_only_the_cors_error() {
    let mut cut = Response::new(200, Vec::new());
    cut.body_failure = Some(BodyFailure::ContentLengthMismatch);
    let o = run(&request("GET", &[]), passing_preflight(), Ok(cut));
    for b in &o.browsers {
        assert_eq!(b.verdict, Verdict::Blocked, "{}", b.browser);
        assert!(!b.findings.iter().any(|f| f.id == FindingId::BodyIncomplete));
    }
}

#[test]
fn the_actual_request_breaks_after_a_passed_preflight() {
    let put = request("PUT", &[("X-Foo", "1")]);
    let firefox_line = |o: &Outcome| o.browsers[1].console.clone();
    // A reset: Firefox's usual "did not succeed".
    let reset = run(&put, passing_preflight(), broken("ERR_CONNECTION_RESET"));
    assert_eq!(
        reset.browsers[0].console,
        ["Failed to load resource: net::ERR_CONNECTION_RESET"]
    );
    assert!(firefox_line(&reset)[0]
        .ends_with("(Reason: CORS request did not succeed). Status code: (null)."));
    // No answer at all: Firefox calls it a duplicated Access-Control-Allow-Origin.
    let closed = run(&put, passing_preflight(), broken("ERR_EMPTY_RESPONSE"));
    assert_eq!(
        firefox_line(&closed),
        ["Cross-Origin Request Blocked: The Same Origin Policy disallows reading the remote resource at http://api.test/r. (Reason: Multiple CORS header ‘Access-Control-Allow-Origin’ not allowed)."]
    );
    // ...but only after a preflight: a simple GET that gets no answer is "did not succeed".
    let simple = run(
        &request("GET", &[]),
        passing_preflight(),
        broken("ERR_EMPTY_RESPONSE"),
    );
    assert!(firefox_line(&simple)[0].contains("CORS request did not succeed"));
    for o in [&reset, &closed, &simple] {
        assert!(o.browsers.iter().all(|b| b.verdict == Verdict::Unreachable));
        // WebKitGTK logs nothing the page console shows for a failed actual request.
        assert!(o.browsers[2]
            .console
            .iter()
            .all(|l| l.starts_with("Failed to load resource")));
    }
}

#[test]
fn a_broken_preflight_in_webkit_names_libsoups_error() {
    let put = request("PUT", &[("X-Foo", "1")]);
    for (net_error, line) in [
        (
            "ERR_CONNECTION_RESET",
            "Error receiving data: Connection reset by peer",
        ),
        ("ERR_EMPTY_RESPONSE", "Connection terminated unexpectedly"),
    ] {
        let o = run(&put, broken(net_error), allowing(200, None));
        assert_eq!(o.browsers[2].console[0], line);
        assert_eq!(
            o.browsers[2].console[1],
            "Fetch API cannot load http://api.test/r due to access control checks."
        );
    }
}

#[test]
fn a_no_cors_request_that_breaks_gets_no_firefox_cors_line() {
    let mut r = request("GET", &[]);
    r.mode = Mode::NoCors;
    let o = run(&r, passing_preflight(), broken("ERR_CONNECTION_RESET"));
    assert!(
        o.browsers[1].console.is_empty(),
        "{:?}",
        o.browsers[1].console
    );
    assert_eq!(
        o.browsers[0].console,
        ["Failed to load resource: net::ERR_CONNECTION_RESET"]
    );
}

/// Which disallowed header each browser names (preflight allows none).
#[test]
fn the_header_each_browser_names_when_several_are_not_allowed() {
    // (script headers, XHR?, [Chromium, Firefox, WebKit]) as recorded.
    type Case = (
        &'static [(&'static str, &'static str)],
        bool,
        [&'static str; 3],
    );
    let cases: [Case; 8] = [
        (
            &[("X-Zeta", "1"), ("X-Alpha", "1"), ("X-Mid", "1")],
            false,
            ["x-zeta", "x-alpha", "x-alpha"],
        ),
        (
            &[("X-Mid", "1"), ("X-Alpha", "1"), ("X-Zeta", "1")],
            false,
            ["x-zeta", "x-alpha", "x-alpha"],
        ),
        (
            &[
                ("X-E", "1"),
                ("X-D", "1"),
                ("X-C", "1"),
                ("X-B", "1"),
                ("X-A", "1"),
            ],
            false,
            ["x-d", "x-a", "x-a"],
        ),
        (
            &[
                ("X-Foo", "1"),
                ("X-Bar", "1"),
                ("X-Baz", "1"),
                ("X-Qux", "1"),
            ],
            false,
            ["x-qux", "x-bar", "x-bar"],
        ),
        (
            &[("Pragma", "no-cache"), ("Cache-Control", "no-cache")],
            false,
            ["pragma", "cache-control", "Cache-Control"],
        ),
        (
            &[("A-X", "1"), ("Pragma", "no-cache")],
            false,
            ["a-x", "a-x", "Pragma"],
        ),
        (
            &[("X-Zeta", "1"), ("X-Alpha", "1"), ("X-Mid", "1")],
            true,
            ["x-zeta", "x-alpha", "X-Zeta"],
        ),
        (
            &[("Pragma", "no-cache"), ("Cache-Control", "no-cache")],
            true,
            ["pragma", "cache-control", "Pragma"],
        ),
    ];
    let refusing = || -> Answer {
        Ok(Response::new(
            204,
            h(&[
                ("Access-Control-Allow-Origin", "http://app.test"),
                ("Access-Control-Allow-Methods", "GET"),
            ]),
        ))
    };
    for (headers, xhr, named) in cases {
        let mut r = request("GET", headers);
        if xhr {
            r.initiator = Initiator::XmlHttpRequest;
        }
        let o = run(&r, refusing(), allowing(200, None));
        for (i, b) in o.browsers.iter().enumerate() {
            let finding = b.blocking().expect("blocked");
            assert_eq!(finding.id, FindingId::HeaderNotAllowed);
            assert_eq!(
                finding.values.header.as_deref(),
                Some(named[i]),
                "{headers:?} xhr={xhr}: {}",
                b.browser
            );
        }
    }
}
