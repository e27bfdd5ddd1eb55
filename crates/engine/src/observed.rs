//! Traffic a browser already sent (a HAR file, a proxy), judged with the
//! same rules as a live check: each recorded request that a page's script
//! made cross-origin is rebuilt as the script's request (its own headers
//! without the ones the browser adds), and one [`Flow`] of the recording's
//! browser runs through the [`Driver`], answered from the recording: the
//! preflight that served it, the response, each redirect hop. A preflight
//! the flow needs but the recording lacks came from the browser's preflight
//! cache. No rule lives here; this only pairs and replays.

use crate::browser::Browser;
use crate::driver::{Answer, Driver, Reply};
use crate::flow::Flow;
use crate::origin::Origin;
use crate::outcome::BrowserOutcome;
use crate::planned::{PlannedRequest, RequestPurpose, Response};
use crate::request::{CredentialsMode, Initiator, Mode, Request};
use url::Url;

/// One request as the browser sent it, and what came back.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct ObservedExchange {
    pub method: String,
    pub url: Url,
    /// Every request header as sent, the browser's own included.
    pub request_headers: Vec<(String, String)>,
    /// The response, or the net error and a description when none came.
    pub response: Answer,
    /// Served from the HTTP cache (a HAR's `_fromCache`, a proxy's 304).
    pub from_cache: bool,
}

impl ObservedExchange {
    /// The first request header named `name` (any case).
    pub fn header(&self, name: &str) -> Option<&str> {
        self.request_headers
            .iter()
            .find(|(n, _)| n.eq_ignore_ascii_case(name))
            .map(|(_, v)| v.as_str())
    }

    /// A CORS preflight: `OPTIONS` with `Origin` and
    /// `Access-Control-Request-Method`.
    pub fn is_preflight(&self) -> bool {
        self.method.eq_ignore_ascii_case("OPTIONS")
            && self.header("origin").is_some()
            && self.header("access-control-request-method").is_some()
    }
}

/// One fetch found in the recording and what the browser made of it.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct ObservedFetch {
    /// Index of the request the script made (its first hop), or of the
    /// preflight when no request followed it.
    pub request: usize,
    /// Index of the preflight that served it, if one was recorded.
    pub preflight: Option<usize>,
    /// Indexes of the redirect hops followed after the first response.
    pub hops: Vec<usize>,
    /// The flow needed a preflight the recording does not hold: the
    /// browser's preflight cache answered it.
    pub preflight_from_cache: bool,
    /// The final response came from the HTTP cache.
    pub from_http_cache: bool,
    /// The browser followed a redirect to this URL and the recording holds
    /// no request (or preflight) for it: a proxy judges before the browser
    /// follows.
    pub unrecorded_hop: Option<Url>,
    /// The browser's verdict, findings and console lines.
    pub outcome: BrowserOutcome,
}

/// Headers the browser (not the script) puts on a request: the ones a
/// script is forbidden to set, and the ones every browser adds of its own
/// that a script rarely does.
fn set_by_browser(name: &str, value: &str) -> bool {
    crate::safelist::is_forbidden_request_header(name, value)
        || matches!(
            name.to_ascii_lowercase().as_str(),
            "user-agent"
                | "accept-language"
                | "priority"
                | "upgrade-insecure-requests"
                | "pragma"
                | "cache-control"
                | "if-none-match"
                | "if-modified-since"
        )
}

/// The script's request behind `exchange`, as the browser received it from
/// the page: `None` when it is no cross-origin request a script made (no
/// `Origin`, or a navigation). `har --replay` sends it again with `check`.
pub fn script_request(exchange: &ObservedExchange, page: Option<&Url>) -> Option<Request> {
    let origin = Origin::parse(exchange.header("origin")?).ok()?;
    let mode = match exchange.header("sec-fetch-mode") {
        None | Some("cors") => Mode::Cors,
        Some("no-cors") => Mode::NoCors,
        Some("same-origin") => Mode::SameOrigin,
        Some(_) => return None,
    };
    let page_url = match page {
        Some(page) => page.clone(),
        None => exchange
            .header("referer")
            .and_then(|r| Url::parse(r).ok())
            .filter(|r| Origin::of_url(r).same_origin(&origin))
            .or_else(|| Url::parse(&format!("{}/", origin.serialize())).ok())?,
    };
    let mut request = Request::new(page_url, exchange.url.clone()).origin(origin);
    request.method = exchange.method.clone();
    request.mode = mode;
    request.initiator = Initiator::Fetch;
    // Cookies, or `Sec-Fetch-Storage-Access`, which Chromium and Firefox
    // send only on requests whose credentials mode is include (a
    // credentialed request to a site with no cookies carries no Cookie).
    request.credentials = if exchange.header("cookie").is_some()
        || exchange.header("sec-fetch-storage-access").is_some()
    {
        CredentialsMode::Include
    } else {
        CredentialsMode::SameOrigin
    };
    request.headers = exchange
        .request_headers
        .iter()
        .filter(|(name, value)| {
            // The browser's default Accept; a script's own stays.
            let default_accept = name.eq_ignore_ascii_case("accept") && value == "*/*";
            !(set_by_browser(name, value) || default_accept)
        })
        .cloned()
        .collect();
    Some(request)
}

/// Evaluates every script-made cross-origin request in `exchanges` (in the
/// order sent) as `browser` does, pairing preflights and redirect hops.
/// `page` is the page's URL when known (else the `Referer`, else the origin).
pub fn evaluate_observed(
    browser: Browser,
    exchanges: &[ObservedExchange],
    page: Option<&Url>,
) -> Vec<ObservedFetch> {
    evaluate_observed_as(browser, exchanges, page, MissingHop::NotRecorded)
}

/// What a redirect's next hop missing from the exchanges means.
#[derive(Clone, Copy, PartialEq, Eq)]
enum MissingHop {
    /// A recording (HAR) that lacks it: the fetch ends there, failed.
    NotRecorded,
    /// Traffic seen live: the hop is a request of its own, judged when it
    /// comes (it may not even pass the proxy); the fetch stops, unfinished.
    NotYet,
}

fn evaluate_observed_as(
    browser: Browser,
    exchanges: &[ObservedExchange],
    page: Option<&Url>,
    missing_hop: MissingHop,
) -> Vec<ObservedFetch> {
    let mut used = vec![false; exchanges.len()];
    let mut fetches = Vec::new();
    for (at, exchange) in exchanges.iter().enumerate() {
        if used[at] {
            continue;
        }
        if exchange.is_preflight() {
            // A preflight that no request followed: the fetch stopped there.
            let followed = exchanges[at + 1..]
                .iter()
                .any(|e| !e.is_preflight() && serves(exchange, e));
            if !followed {
                if let Some(request) = preflight_request(exchange, page) {
                    fetches.push(replay(
                        browser,
                        exchanges,
                        None,
                        &request,
                        &mut used,
                        missing_hop,
                    ));
                }
            }
            continue;
        }
        let Some(request) = script_request(exchange, page) else {
            continue;
        };
        used[at] = true;
        fetches.push(replay(
            browser,
            exchanges,
            Some(at),
            &request,
            &mut used,
            missing_hop,
        ));
    }
    fetches
}

/// Whether `preflight` asks for `request` (same URL, origin and method).
fn serves(preflight: &ObservedExchange, request: &ObservedExchange) -> bool {
    preflight.url == request.url
        && preflight.header("origin") == request.header("origin")
        && preflight.header("access-control-request-method") == Some(request.method.as_str())
}

/// The script's request a lone preflight asked about: its method, and the
/// headers it names, with values that keep them CORS-unsafe (the preflight
/// does not carry the values).
pub fn preflight_request(preflight: &ObservedExchange, page: Option<&Url>) -> Option<Request> {
    let mut request = script_request(preflight, page)?;
    request.method = preflight
        .header("access-control-request-method")?
        .to_string();
    request.headers = preflight
        .header("access-control-request-headers")
        .unwrap_or_default()
        .split(',')
        .map(str::trim)
        .filter(|name| !name.is_empty())
        .map(|name| {
            let value = if name.eq_ignore_ascii_case("content-type") {
                "application/json"
            } else {
                "\""
            };
            (name.to_string(), value.to_string())
        })
        .collect();
    request.force_preflight = true;
    Some(request)
}

/// A preflight seen live (by a proxy) before the request it asks for: the
/// request follows only if the preflight passes, so it is judged on its
/// own. `None` when the browser goes on to send the request (keep the
/// preflight to pair with it); else the fetch that ended at the preflight,
/// with the browser's verdict, findings and console lines. `None` also for
/// an exchange that is no script's preflight.
pub fn failed_preflight(
    browser: Browser,
    preflight: &ObservedExchange,
    page: Option<&Url>,
) -> Option<ObservedFetch> {
    let mut request = preflight_request(preflight, page)?;
    request.force_preflight = true;
    let mut reached_request = false;
    let mut driver = Driver::new();
    driver.add(Flow::start(&request, browser));
    let driver = driver.run_replies(|planned: &PlannedRequest| {
        Reply::Answer(match planned.purpose {
            RequestPurpose::Preflight => preflight.response.clone(),
            RequestPurpose::Actual => {
                reached_request = true;
                Err(("ERR_ABORTED".to_string(), "not sent yet".to_string()))
            }
        })
    });
    let outcome = driver.finish().browsers.pop()?;
    if reached_request {
        return None;
    }
    Some(ObservedFetch {
        request: 0,
        preflight: Some(0),
        hops: Vec::new(),
        preflight_from_cache: false,
        from_http_cache: false,
        unrecorded_hop: None,
        outcome,
    })
}

/// Runs one flow of `browser` for `request` (recorded at `at`; `None` for
/// a lone preflight), answered from the recording.
fn replay(
    browser: Browser,
    exchanges: &[ObservedExchange],
    at: Option<usize>,
    request: &Request,
    used: &mut [bool],
    missing_hop: MissingHop,
) -> ObservedFetch {
    let mut request = request.clone();
    // A recorded preflight: the browser had a reason (an upload listener, a
    // header value the wire shows differently); a missing one: its cache.
    let first_preflight = match at {
        Some(at) => (0..at).rev().find(|&i| {
            !used[i] && exchanges[i].is_preflight() && serves(&exchanges[i], &exchanges[at])
        }),
        None => (0..exchanges.len()).find(|&i| {
            let e = &exchanges[i];
            !used[i]
                && e.is_preflight()
                && e.url == request.url
                && e.header("access-control-request-method") == Some(request.method.as_str())
        }),
    };
    let mut flow = Flow::start(&request, browser);
    let wants_preflight = |flow: &Flow| {
        flow.next_request()
            .is_some_and(|p| p.purpose == RequestPurpose::Preflight)
    };
    if first_preflight.is_some() && !wants_preflight(&flow) {
        request.force_preflight = true;
        flow = Flow::start(&request, browser);
    }
    let mut preflight_from_cache = false;
    if first_preflight.is_none() && wants_preflight(&flow) {
        flow.assume_preflight_cached();
        preflight_from_cache = true;
    }
    let mut driver = Driver::new();
    driver.add(flow);
    let mut hops = Vec::new();
    let mut preflight = None;
    let mut last = at.or(first_preflight).unwrap_or(0);
    let mut first = true;
    let mut unrecorded_hop = None;
    let driver = driver.run_replies(|planned: &PlannedRequest| {
        let index = match planned.purpose {
            RequestPurpose::Preflight if first => first_preflight,
            // A later preflight (after a redirect): the next one recorded for its URL.
            RequestPurpose::Preflight => (last + 1..exchanges.len()).find(|&i| {
                !used[i] && exchanges[i].is_preflight() && exchanges[i].url == planned.url
            }),
            RequestPurpose::Actual if first => {
                first = false;
                at
            }
            RequestPurpose::Actual => {
                // The next hop: the first later request for the Location.
                let hop = (last + 1..exchanges.len()).find(|&i| {
                    !used[i] && exchanges[i].url == planned.url && !exchanges[i].is_preflight()
                });
                match hop {
                    Some(i) => {
                        used[i] = true;
                        hops.push(i);
                        last = i;
                    }
                    None => unrecorded_hop = Some(planned.url.clone()),
                }
                hop
            }
        };
        if planned.purpose == RequestPurpose::Preflight {
            match index {
                Some(i) => {
                    used[i] = true;
                    preflight = preflight.or(Some(i));
                }
                // A preflight after a redirect that the recording lacks,
                // while the request it would allow is there: the browser's
                // cache answered it.
                None if !first
                    && (last + 1..exchanges.len()).any(|i| {
                        !used[i] && !exchanges[i].is_preflight() && exchanges[i].url == planned.url
                    }) =>
                {
                    preflight_from_cache = true;
                    return Reply::PreflightCached;
                }
                // The preflight after a redirect is not there yet.
                None if !first => unrecorded_hop = Some(planned.url.clone()),
                None => {}
            }
        }
        match index.and_then(|i| exchanges.get(i)) {
            Some(e) => Reply::Answer(e.response.clone()),
            None if unrecorded_hop.is_some() && missing_hop == MissingHop::NotYet => Reply::NotYet,
            None => Reply::Answer(Err((
                "ERR_FAILED".to_string(),
                "not in the recording".to_string(),
            ))),
        }
    });
    let final_hop = hops.last().copied().or(at).unwrap_or(usize::MAX);
    let from_http_cache = exchanges.get(final_hop).is_some_and(|e| {
        e.from_cache
            || e.response
                .as_ref()
                .is_ok_and(|r: &Response| r.status == 304)
    });
    let outcome = driver
        .finish()
        .browsers
        .pop()
        .unwrap_or_else(|| Flow::start(&request, browser).outcome());
    ObservedFetch {
        request: at.or(first_preflight).unwrap_or(0),
        preflight,
        hops,
        preflight_from_cache,
        from_http_cache,
        unrecorded_hop,
        outcome,
    }
}

/// How many passed preflights [`LivePairing`] keeps waiting for their
/// request: a browser sends the request right after its preflight, so
/// only as many as the page has fetches in flight are ever needed.
pub const PENDING_PREFLIGHTS: usize = 256;

/// Traffic judged as it passes (a proxy), one exchange at a time: a
/// preflight is judged on its own (the request follows only if it
/// passes), and one that passes waits to be paired with its request.
#[derive(Debug, Default)]
pub struct LivePairing {
    pending: std::collections::VecDeque<ObservedExchange>,
}

/// What one live exchange was.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum LiveJudgement {
    /// No cross-origin request a script made (no `Origin`, a navigation).
    NotAFetch,
    /// A preflight the browser accepts: its request comes next.
    PreflightPassed,
    /// A fetch (or the preflight that ended it) and the browser's verdict.
    /// With `unrecorded_hop` set, the browser accepted a redirect and
    /// follows it: the next hop is judged when it comes, and the outcome
    /// is unfinished (its verdict says nothing; its findings and console
    /// lines are those of the hops so far).
    Fetch(Box<ObservedFetch>),
}

impl LivePairing {
    pub fn new() -> LivePairing {
        LivePairing::default()
    }

    /// Judges `exchange` as `browser` does, given the preflights it passed
    /// before.
    pub fn observe(
        &mut self,
        browser: Browser,
        exchange: ObservedExchange,
        page: Option<&Url>,
    ) -> LiveJudgement {
        if exchange.is_preflight() {
            if let Some(failed) = failed_preflight(browser, &exchange, page) {
                return LiveJudgement::Fetch(Box::new(failed));
            }
            if script_request(&exchange, page).is_none() {
                return LiveJudgement::NotAFetch;
            }
            if self.pending.len() == PENDING_PREFLIGHTS {
                self.pending.pop_front();
            }
            self.pending.push_back(exchange);
            return LiveJudgement::PreflightPassed;
        }
        if script_request(&exchange, page).is_none() {
            return LiveJudgement::NotAFetch;
        }
        let mut exchanges = Vec::with_capacity(2);
        if let Some(at) = self.pending.iter().rposition(|p| serves(p, &exchange)) {
            exchanges.extend(self.pending.remove(at));
        }
        exchanges.push(exchange);
        let last = exchanges.len() - 1;
        match evaluate_observed_as(browser, &exchanges, page, MissingHop::NotYet)
            .into_iter()
            .find(|f| f.request == last)
        {
            Some(fetch) => LiveJudgement::Fetch(Box::new(fetch)),
            None => LiveJudgement::NotAFetch,
        }
    }
}
