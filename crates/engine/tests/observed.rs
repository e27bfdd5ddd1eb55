//! The observed-traffic entry point on hand-made recordings (the recorded
//! browsers' own traffic is replayed in `conformance.rs`): what only a
//! recording shows — a preflight answered by the browser's cache, a
//! response from the HTTP cache, requests that are not a script's CORS
//! requests.

#![allow(clippy::unwrap_used, clippy::expect_used)] // tests may panic on broken fixtures

use cors_engine::{evaluate_observed, Browser, ObservedExchange, Response, Verdict};
use url::Url;

fn exchange(
    method: &str,
    headers: &[(&str, &str)],
    status: u16,
    response: &[(&str, &str)],
) -> ObservedExchange {
    let pairs = |p: &[(&str, &str)]| {
        p.iter()
            .map(|(n, v)| (n.to_string(), v.to_string()))
            .collect()
    };
    ObservedExchange {
        method: method.to_string(),
        url: Url::parse("https://api.example.com/items").unwrap(),
        request_headers: pairs(headers),
        response: Ok(Response::new(status, pairs(response))),
        from_cache: false,
    }
}

const ORIGIN: (&str, &str) = ("Origin", "https://app.example.com");
const ALLOW: (&str, &str) = ("Access-Control-Allow-Origin", "https://app.example.com");

/// A JSON PUT whose response allows the page's origin.
fn allowed_put() -> ObservedExchange {
    exchange(
        "PUT",
        &[ORIGIN, ("Content-Type", "application/json")],
        200,
        &[ALLOW],
    )
}

#[test]
fn a_put_without_its_preflight_was_answered_by_the_preflight_cache() {
    let put = allowed_put();
    for browser in Browser::ALL {
        let fetches = evaluate_observed(browser, std::slice::from_ref(&put), None);
        assert_eq!(fetches.len(), 1);
        assert!(fetches[0].preflight_from_cache, "{browser}");
        assert_eq!(fetches[0].preflight, None);
        assert_eq!(fetches[0].outcome.verdict, Verdict::Allowed, "{browser}");
    }
}

#[test]
fn a_recorded_preflight_is_paired_with_its_request_and_judged() {
    let preflight = exchange(
        "OPTIONS",
        &[
            ORIGIN,
            ("Access-Control-Request-Method", "PUT"),
            ("Access-Control-Request-Headers", "content-type"),
        ],
        204,
        &[ALLOW, ("Access-Control-Allow-Methods", "PUT")],
    );
    let put = allowed_put();
    let fetches = evaluate_observed(Browser::Chromium, &[preflight.clone(), put], None);
    assert_eq!(fetches.len(), 1);
    let fetch = &fetches[0];
    assert_eq!((fetch.request, fetch.preflight), (1, Some(0)));
    assert!(!fetch.preflight_from_cache);
    // Content-Type is not in Access-Control-Allow-Headers.
    assert_eq!(fetch.outcome.verdict, Verdict::Blocked);
    assert!(
        fetch.outcome.console[0].contains("Request header field content-type is not allowed"),
        "{:?}",
        fetch.outcome.console
    );
    // The preflight alone (the browser stopped there): the same verdict.
    let fetches = evaluate_observed(Browser::Chromium, &[preflight], None);
    assert_eq!(fetches.len(), 1);
    assert_eq!(fetches[0].outcome.verdict, Verdict::Blocked);
}

#[test]
fn a_response_from_the_http_cache_is_marked_and_requests_without_origin_are_not_fetches() {
    let mut get = exchange(
        "GET",
        &[ORIGIN],
        200,
        &[("Access-Control-Allow-Origin", "https://other.example.com")],
    );
    get.from_cache = true;
    let navigation = exchange("GET", &[], 200, &[]);
    let fetches = evaluate_observed(Browser::Firefox, &[navigation, get], None);
    assert_eq!(fetches.len(), 1);
    assert_eq!(fetches[0].request, 1);
    assert!(fetches[0].from_http_cache);
    // The cached answer names another origin: the stale-cache cause.
    assert_eq!(fetches[0].outcome.verdict, Verdict::Blocked);
}

/// A preflighted PUT redirected (307) to another URL: the browser needs a
/// preflight there too. Recorded without any preflight (Playwright records
/// none), the hop's request is there, so the cache answered both; with the
/// hop missing as well, the fetch never got past the redirect.
#[test]
fn a_redirected_preflighted_request_without_recorded_preflights_follows_its_hop() {
    let put = exchange(
        "PUT",
        &[ORIGIN, ("Content-Type", "application/json")],
        307,
        &[ALLOW, ("Location", "https://api.example.com/moved")],
    );
    let mut hop = exchange(
        "PUT",
        &[ORIGIN, ("Content-Type", "application/json")],
        200,
        &[ALLOW],
    );
    hop.url = Url::parse("https://api.example.com/moved").unwrap();
    for browser in Browser::ALL {
        let fetches = evaluate_observed(browser, &[put.clone(), hop.clone()], None);
        assert_eq!(fetches.len(), 1, "{browser}");
        assert_eq!(fetches[0].hops, vec![1], "{browser}");
        assert!(fetches[0].preflight_from_cache, "{browser}");
        assert_eq!(fetches[0].outcome.verdict, Verdict::Allowed, "{browser}");
        let alone = evaluate_observed(browser, std::slice::from_ref(&put), None);
        assert_eq!(alone.len(), 1, "{browser}");
        assert_ne!(alone[0].outcome.verdict, Verdict::Allowed, "{browser}");
    }
}

/// A proxy's view: one exchange at a time. A failing preflight is the
/// fetch's end; a passing one waits for its request and is paired with it;
/// a redirect the browser follows says where to, its hop comes later.
#[test]
fn live_traffic_is_judged_one_exchange_at_a_time() {
    use cors_engine::{LiveJudgement, LivePairing};
    let preflight = |allow: &[(&str, &str)]| {
        exchange(
            "OPTIONS",
            &[
                ORIGIN,
                ("Access-Control-Request-Method", "PUT"),
                ("Access-Control-Request-Headers", "content-type"),
            ],
            204,
            allow,
        )
    };
    let put = allowed_put();
    for browser in Browser::ALL {
        let mut live = LivePairing::new();
        let LiveJudgement::Fetch(failed) = live.observe(browser, preflight(&[ALLOW]), None) else {
            panic!("{browser}: a preflight without Allow-Headers ends the fetch");
        };
        assert_eq!(failed.outcome.verdict, Verdict::Blocked, "{browser}");
        assert!(!failed.outcome.console.is_empty(), "{browser}");
        let good = preflight(&[
            ALLOW,
            ("Access-Control-Allow-Methods", "PUT"),
            ("Access-Control-Allow-Headers", "content-type"),
        ]);
        assert_eq!(
            live.observe(browser, good, None),
            LiveJudgement::PreflightPassed
        );
        let LiveJudgement::Fetch(fetch) = live.observe(browser, put.clone(), None) else {
            panic!("{browser}: the PUT is a fetch");
        };
        assert_eq!(fetch.preflight, Some(0), "{browser}: paired");
        assert!(!fetch.preflight_from_cache, "{browser}");
        assert_eq!(fetch.outcome.verdict, Verdict::Allowed, "{browser}");
        // The pending preflight was used up: the next PUT alone came
        // after the browser's preflight cache.
        let LiveJudgement::Fetch(again) = live.observe(browser, put.clone(), None) else {
            panic!("{browser}: a fetch");
        };
        assert!(again.preflight_from_cache, "{browser}");
        // No Origin: no cross-origin request of a script.
        let plain = exchange("GET", &[], 200, &[]);
        assert_eq!(live.observe(browser, plain, None), LiveJudgement::NotAFetch);
        let moved = exchange(
            "GET",
            &[ORIGIN],
            302,
            &[ALLOW, ("Location", "https://api.example.com/moved")],
        );
        let LiveJudgement::Fetch(redirected) = live.observe(browser, moved, None) else {
            panic!("{browser}: a fetch");
        };
        assert_eq!(
            redirected.unrecorded_hop.as_ref().map(Url::as_str),
            Some("https://api.example.com/moved"),
            "{browser}"
        );
        // Not a failure: nothing is made up for the hop that has not come.
        assert!(redirected.outcome.findings.is_empty(), "{browser}");
        assert!(redirected.outcome.console.is_empty(), "{browser}");
    }
}
