//! The one driver: each distinct request handed out once, answers fed to
//! every flow that sent it, in-flight requests not handed out twice, and
//! flows left waiting end as unreachable. Table-driven over request pairs.

#![allow(clippy::unwrap_used, clippy::expect_used)] // tests may panic on broken fixtures

use cors_engine::{
    Browser, CredentialsMode, Driver, Flow, Request, RequestPurpose, Response, Verdict,
};
use url::Url;

const PAGE: &str = "https://app.example.com/page";

fn request(method: &str, credentials: CredentialsMode) -> Request {
    let mut r = Request::new(
        Url::parse(PAGE).unwrap(),
        Url::parse("https://api.example.com/data").unwrap(),
    );
    r.method = method.to_string();
    r.credentials = credentials;
    r
}

fn allowing() -> Response {
    Response::new(
        200,
        vec![
            (
                "Access-Control-Allow-Origin".into(),
                "https://app.example.com".into(),
            ),
            ("Access-Control-Allow-Credentials".into(), "true".into()),
            ("Access-Control-Allow-Methods".into(), "PUT".into()),
        ],
    )
}

/// Runs `requests` in every browser, answering every ticket with
/// [`allowing`]; returns the number of requests handed out and the verdicts.
fn drive(requests: &[Request], credentials_on_wire: bool) -> (usize, Vec<Verdict>) {
    let mut driver = Driver::new();
    if !credentials_on_wire {
        driver = driver.credentials_not_on_wire();
    }
    for r in requests {
        driver.add_request(r, &Browser::ALL);
    }
    let mut handed_out = 0;
    loop {
        let tickets = driver.wanted();
        if tickets.is_empty() {
            break;
        }
        for ticket in tickets {
            handed_out += 1;
            assert!(driver.request(ticket).is_some());
            assert!(driver.answer(ticket, Ok(allowing())).is_some());
            // A ticket is answered once.
            assert!(driver.answer(ticket, Ok(allowing())).is_none());
        }
    }
    let outcome = driver.finish();
    assert_eq!(outcome.exchanges.len(), handed_out);
    (
        handed_out,
        outcome.browsers.iter().map(|b| b.verdict).collect(),
    )
}

#[test]
fn each_distinct_request_is_handed_out_once() {
    use CredentialsMode::{Include, Omit};
    let get = |c| request("GET", c);
    let put = |c| request("PUT", c);
    // (requests, credentials tell requests apart on the wire, requests handed out)
    let table: Vec<(Vec<Request>, bool, usize)> = vec![
        // One GET, three browsers: one request.
        (vec![get(Omit)], true, 1),
        // The same GET twice: still one.
        (vec![get(Omit), get(Omit)], true, 1),
        // With and without cookies: two, unless no cookies go on the wire.
        (vec![get(Omit), get(Include)], true, 2),
        (vec![get(Omit), get(Include)], false, 1),
        // A PUT: its preflight and the actual request.
        (vec![put(Omit)], true, 2),
        // PUT with and without credentials share the preflight (it never
        // carries credentials) but not the actual request.
        (vec![put(Omit), put(Include)], true, 3),
        (vec![put(Omit), put(Include)], false, 2),
    ];
    for (requests, on_wire, expected) in table {
        let (handed_out, verdicts) = drive(&requests, on_wire);
        assert_eq!(handed_out, expected, "{requests:?} on_wire={on_wire}");
        assert_eq!(verdicts.len(), requests.len() * Browser::ALL.len());
        assert!(
            verdicts.iter().all(|v| *v == Verdict::Allowed),
            "{verdicts:?}"
        );
    }
}

#[test]
fn a_request_in_flight_is_not_handed_out_again_and_unanswered_flows_are_unreachable() {
    let put = request("PUT", CredentialsMode::Omit);
    let mut driver = Driver::new();
    driver.add_request(&put, &Browser::ALL);
    let first = driver.wanted();
    assert_eq!(first.len(), 1);
    let preflight = driver.request(first.start).unwrap();
    assert_eq!(preflight.purpose, RequestPurpose::Preflight);
    // Unanswered: nothing new to hand out.
    assert!(driver.wanted().is_empty());
    let outcome = driver.finish();
    assert!(outcome
        .browsers
        .iter()
        .all(|b| b.verdict == Verdict::Unreachable));
    assert!(outcome.exchanges.is_empty());
}

#[test]
fn a_network_failure_reaches_every_flow_that_sent_the_request() {
    let get = request("GET", CredentialsMode::Omit);
    let mut driver = Driver::new();
    for browser in Browser::ALL {
        driver.add(Flow::start(&get, browser));
    }
    let tickets = driver.wanted();
    assert_eq!(tickets.len(), 1);
    driver.answer(
        tickets.start,
        Err((
            "ERR_CONNECTION_REFUSED".into(),
            "Could not connect to the server.".into(),
        )),
    );
    assert!(driver.wanted().is_empty());
    let outcome = driver.finish();
    for b in &outcome.browsers {
        assert_eq!(b.verdict, Verdict::Unreachable, "{:?}", b.browser);
        assert_eq!(b.steps, vec![0]);
    }
}

#[test]
fn many_requests_are_found_again_through_the_hash_index() {
    // 40 origins (past the linear search), each asked twice, with and without
    // credentials: 40 requests when credentials are not on the wire, 80 when
    // they are, however many flows ask.
    let requests: Vec<Request> = (0..40)
        .flat_map(|i| {
            [CredentialsMode::Omit, CredentialsMode::Include]
                .into_iter()
                .flat_map(move |c| {
                    let mut r = request("GET", c);
                    r.page_url = Url::parse(&format!("https://app{i}.example.com/")).unwrap();
                    r.origin = cors_engine::Origin::of_url(&r.page_url);
                    [r.clone(), r]
                })
        })
        .collect();
    assert_eq!(drive(&requests, false).0, 40);
    assert_eq!(drive(&requests, true).0, 80);
}
