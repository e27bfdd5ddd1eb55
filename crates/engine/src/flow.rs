//! One browser's fetch, step by step and without I/O: the flow says which
//! request the browser sends next (preflight, actual request, each redirect
//! hop), consumes the response as data and ends with a verdict and findings.

use crate::allow_lists;
use crate::allow_origin;
use crate::browser::{AddressSpace, Browser};
use crate::catalogue::{entry, Entry, FindingId, Severity};
use crate::classify::{classify, classify_each, Classification};
use crate::cors_headers::{CorsHeader, CorsHeaders, CorsIndex};
use crate::exchanges::Exchanges;
use crate::expose::{readable_headers, unexposed_application_headers};
use crate::headers::{all_values, HeaderLines};
use crate::max_age::{self, MaxAge};
use crate::message::{push_companion_lines, render, render_explanation, render_fix};
pub use crate::message::{Stage, Values};
use crate::origin::Origin;
use crate::request::{CredentialsMode, Initiator, Mode, RedirectMode, Request};
use std::borrow::Cow;
use std::sync::Arc;
use url::Url;

/// `Sec-Fetch-Site` values, by how the target relates to the page.
const FETCH_SITES: [&str; 3] = ["same-origin", "same-site", "cross-site"];
/// `Sec-Fetch-Mode` values, by request mode.
const FETCH_MODES: [&str; 3] = ["cors", "no-cors", "same-origin"];

/// `Accept: */*` then the fetch metadata, for every site and mode, so a
/// planned request points at its lines instead of building them.
static BROWSER_HEADERS: [[[(&str, &str); 4]; 3]; 3] = {
    let mut table = [[[("", ""); 4]; 3]; 3];
    let mut site = 0;
    while site < 3 {
        let mut mode = 0;
        while mode < 3 {
            table[site][mode] = [
                ("Accept", "*/*"),
                ("Sec-Fetch-Site", FETCH_SITES[site]),
                ("Sec-Fetch-Mode", FETCH_MODES[mode]),
                ("Sec-Fetch-Dest", "empty"),
            ];
            mode += 1;
        }
        site += 1;
    }
    table
};

/// The most redirects any browser follows.
pub const REDIRECT_LIMIT: usize = 20;

/// What a browser does with the request in the end.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum Verdict {
    /// The script gets the response.
    Allowed,
    /// The script gets a network error (TypeError / XHR error).
    Blocked,
    /// `no-cors`: the request is sent, the script gets an opaque response.
    Opaque,
    /// No HTTP response could be obtained, so no verdict.
    Unreachable,
}

impl Verdict {
    pub fn id(self) -> &'static str {
        match self {
            Verdict::Allowed => "allowed",
            Verdict::Blocked => "blocked",
            Verdict::Opaque => "opaque",
            Verdict::Unreachable => "unreachable",
        }
    }
}

/// Why a request is sent.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum RequestPurpose {
    Preflight,
    Actual,
}

/// A request the browser puts on the wire.
#[derive(Clone, Debug, PartialEq, Eq, Hash)]
pub struct PlannedRequest {
    pub purpose: RequestPurpose,
    pub method: String,
    pub url: Url,
    /// The headers that matter for CORS: `Origin`, `Access-Control-Request-*`
    /// and the script's own headers, in the order the browser sends them.
    pub headers: Vec<(String, String)>,
    /// Headers the browser adds that servers rarely look at (Accept,
    /// Sec-Fetch-*); they may differ per browser.
    pub browser_headers: &'static [(&'static str, &'static str)],
    /// Whether cookies/HTTP auth go with the request.
    pub credentials: bool,
    /// Whether the request carries the script's body.
    pub with_body: bool,
}

impl PlannedRequest {
    /// A copy of [`PlannedRequest::headers`].
    pub fn owned_headers(&self) -> Vec<(String, String)> {
        self.headers.clone()
    }

    /// Every header line on the wire: the CORS-relevant ones, then the
    /// browser's own that the script did not set.
    pub fn wire_headers(&self) -> Vec<(String, String)> {
        let mut lines = self.headers.clone();
        for (name, value) in self.browser_headers {
            if !self
                .headers
                .iter()
                .any(|(n, _)| n.eq_ignore_ascii_case(name))
            {
                lines.push((name.to_string(), value.to_string()));
            }
        }
        lines
    }

    /// Two planned requests with the same key get the same answer from any
    /// sane server; the probe sends each key once.
    pub fn key(&self) -> (RequestPurpose, &str, &str, &[(String, String)], bool, bool) {
        (
            self.purpose,
            &self.method,
            self.url.as_str(),
            &self.headers,
            self.credentials,
            self.with_body,
        )
    }
}

/// A response as data.
#[derive(Clone, Debug, PartialEq, Eq, Default)]
pub struct Response {
    pub status: u16,
    /// Header lines in order, duplicates kept.
    pub headers: Vec<(String, String)>,
}

/// One finding of one browser.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Finding {
    pub id: FindingId,
    pub browser: Browser,
    pub severity: Severity,
    pub stage: Stage,
    pub values: Values,
    /// The console line the browser prints, if any.
    pub message: Option<String>,
}

impl Finding {
    pub fn entry(&self) -> &'static Entry {
        entry(self.id)
    }

    pub fn fix(&self) -> String {
        render_fix(self.id, self.stage, &self.values)
    }

    pub fn explanation(&self) -> String {
        render_explanation(self.id, self.stage, &self.values)
    }
}

/// One request sent during [`evaluate`] and what came back, shared by every
/// browser that sent the same request.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Exchange {
    pub request: PlannedRequest,
    /// The response, or Chromium's net error name and a description.
    pub response: Result<Response, (String, String)>,
}

/// The result for one browser.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct BrowserOutcome {
    pub browser: Browser,
    pub verdict: Verdict,
    /// Shared between browsers that classify the request alike.
    pub classification: Arc<Classification>,
    pub findings: Vec<Finding>,
    /// Every console line, in order (main messages and companions).
    pub console: Vec<String>,
    /// Indexes into [`Outcome::exchanges`] of the requests this browser sent, in order.
    pub steps: Vec<usize>,
    /// Lower-cased names of the response headers the script can read.
    pub readable_headers: Option<Vec<String>>,
    /// How long the preflight result is cached; `None` = not cached or no preflight.
    pub preflight_cache_seconds: Option<u64>,
    /// The preflight was skipped because the cache covered it.
    pub preflight_from_cache: bool,
}

impl BrowserOutcome {
    /// The finding that made the browser block the request.
    pub fn blocking(&self) -> Option<&Finding> {
        self.findings
            .iter()
            .find(|f| f.severity == Severity::Blocking)
    }
}

/// The outcome for every browser evaluated.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Outcome {
    pub browsers: Vec<BrowserOutcome>,
    /// Every distinct request sent, in order, with its response.
    pub exchanges: Vec<Exchange>,
}

impl Outcome {
    pub fn get(&self, browser: Browser) -> Option<&BrowserOutcome> {
        self.browsers.iter().find(|b| b.browser == browser)
    }

    /// The exchanges `browser` went through, in order.
    pub fn steps_of(&self, browser: Browser) -> Vec<&Exchange> {
        self.get(browser)
            .map(|b| {
                b.steps
                    .iter()
                    .filter_map(|i| self.exchanges.get(*i))
                    .collect()
            })
            .unwrap_or_default()
    }

    pub fn all_allowed(&self) -> bool {
        self.browsers.iter().all(|b| b.verdict == Verdict::Allowed)
    }
}

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
enum State {
    Preflight,
    Actual,
    Done,
}

/// (origin as sent, URL, response headers) of a preflight that passed.
type PassedPreflight = (String, String, Vec<(String, String)>);

/// Where the fetch is after following a redirect. Until the first redirect
/// the flow reads these from the request and its classification instead of
/// copying them (most fetches never redirect, and this runs per browser).
#[derive(Clone, Debug)]
struct Hop {
    url: Url,
    method: String,
    headers: Vec<(String, String)>,
    /// The CORS-unsafe headers among `headers`.
    unsafe_headers: Vec<crate::safelist::UnsafeHeader>,
    /// `Access-Control-Request-Headers` for `headers`.
    request_headers_value: Option<String>,
}

/// A browser's fetch in progress.
#[derive(Clone, Debug)]
pub struct Flow<'r> {
    browser: Browser,
    request: &'r Request,
    class: Arc<Classification>,
    state: State,
    /// `None` until a redirect is followed (then the request's own URL,
    /// method and headers no longer apply).
    hop: Option<Box<Hop>>,
    tainted: bool,
    /// The request origin as sent now (`null` once tainted).
    origin_serialized: Cow<'r, str>,
    /// Whether the CORS protocol applies to the current hop.
    cors: bool,
    redirects: usize,
    verdict: Option<Verdict>,
    findings: Vec<Finding>,
    console: Vec<String>,
    readable: Option<Vec<String>>,
    cache_seconds: Option<u64>,
    /// Whether a passed preflight is kept for [`Flow::update_cache`]
    /// (only flows started with a cache need it).
    remember_preflight: bool,
    /// The last successful preflight: (origin, URL, response headers), for the cache.
    passed_preflight: Option<PassedPreflight>,
    /// The preflight was skipped thanks to the cache.
    preflight_cached: bool,
}

/// The next request of a flow, borrowed from it: what [`PlannedRequest`]
/// owns, built only when the request is new (see [`Flow::next_request`]).
pub(crate) struct NextRequest<'a> {
    purpose: RequestPurpose,
    method: &'a str,
    url: &'a Url,
    origin: Option<&'a str>,
    /// `Access-Control-Request-Method` and `-Headers` of a preflight.
    preflight: Option<(&'a str, Option<&'a str>)>,
    /// The script's headers (actual requests only).
    script_headers: &'a [(String, String)],
    credentials: bool,
    with_body: bool,
}

impl<'a> NextRequest<'a> {
    /// The browser's own CORS lines (`Origin`, `Access-Control-Request-*`),
    /// sent before the script's headers.
    fn own_lines(&self) -> ([(&'static str, &'a str); 3], usize) {
        let mut lines = [("", ""); 3];
        let mut count = 0;
        let mut add = |name, value| {
            if let Some(line) = lines.get_mut(count) {
                *line = (name, value);
                count += 1;
            }
        };
        if let Some(origin) = self.origin {
            add("Origin", origin);
        }
        if let Some((method, headers)) = self.preflight {
            add("Access-Control-Request-Method", method);
            if let Some(headers) = headers {
                add("Access-Control-Request-Headers", headers);
            }
        }
        (lines, count)
    }

    /// The CORS-relevant header lines in the order the browser sends them.
    fn header_lines(&self) -> Vec<(String, String)> {
        let (own, count) = self.own_lines();
        let own = own.get(..count).unwrap_or(&[]);
        let mut lines = Vec::with_capacity(own.len() + self.script_headers.len());
        lines.extend(own.iter().map(|(n, v)| (n.to_string(), v.to_string())));
        lines.extend_from_slice(self.script_headers);
        lines
    }

    /// Whether `planned` is this request (same [`PlannedRequest::key`]).
    pub(crate) fn is(&self, planned: &PlannedRequest) -> bool {
        if planned.purpose != self.purpose
            || planned.credentials != self.credentials
            || planned.with_body != self.with_body
            || planned.method != self.method
            || planned.url.as_str() != self.url.as_str()
        {
            return false;
        }
        let (own, count) = self.own_lines();
        let own = own.get(..count).unwrap_or(&[]);
        let (planned_own, planned_script) = planned
            .headers
            .split_at(own.len().min(planned.headers.len()));
        planned_script == self.script_headers
            && planned_own.len() == own.len()
            && planned_own
                .iter()
                .zip(own)
                .all(|((pn, pv), (n, v))| pn == n && pv == v)
    }
}

impl<'r> Flow<'r> {
    /// The most requests one fetch sends: each step finishes or follows one
    /// of at most 20 redirects, each of which may add a preflight.
    pub const MAX_STEPS: usize = 2 * REDIRECT_LIMIT + 4;

    /// Skips the preflight when `cache` holds a fresh entry that covers it
    /// at time `now` (seconds), and remembers a passed preflight for
    /// [`Flow::update_cache`].
    pub fn use_cache(&mut self, cache: &crate::cache::PreflightCache, now: u64) {
        let flow = self;
        let browser = flow.browser;
        flow.remember_preflight = true;
        if flow.state == State::Preflight {
            let names: Vec<String> = flow
                .unsafe_headers()
                .iter()
                .map(|h| h.name.clone())
                .collect();
            let covered = cache.covers(&crate::cache::Lookup {
                browser,
                origin: &flow.origin_serialized,
                url: flow.url().as_str(),
                credentials: flow.request.includes_credentials(),
                method: flow.method(),
                unsafe_names: &names,
                now,
            });
            if covered {
                flow.state = State::Actual;
                flow.preflight_cached = true;
            }
        }
    }

    /// Records what this flow teaches the browser's preflight cache: a
    /// passed preflight is stored for its max-age; a failed request evicts
    /// the entry in Firefox (Chromium 156 keeps it — conformance:
    /// maxage-600-actual-fails). Only flows given a cache ([`Flow::use_cache`])
    /// keep what a passed preflight said.
    pub fn update_cache(&self, cache: &mut crate::cache::PreflightCache, now: u64) {
        if let Some((origin, url, headers)) = &self.passed_preflight {
            let seconds = self.cache_seconds.unwrap_or(0);
            cache.store(
                self.browser,
                origin,
                url,
                self.request.includes_credentials(),
                headers,
                seconds,
                now,
            );
        }
        if self.browser == Browser::Firefox && self.verdict == Some(Verdict::Blocked) {
            cache.evict(self.browser, &self.origin_serialized, self.url().as_str());
        }
    }

    /// Starts `browser`'s fetch of `request`.
    pub fn start(request: &'r Request, browser: Browser) -> Flow<'r> {
        Flow::start_classified(request, browser, Arc::new(classify(request, browser)))
    }

    /// [`Flow::start`] with `browser`'s classification of `request` already
    /// made (see [`crate::classify::classify_each`], which shares one between
    /// browsers that agree).
    pub fn start_classified(
        request: &'r Request,
        browser: Browser,
        class: Arc<Classification>,
    ) -> Flow<'r> {
        Flow::start_with(
            request,
            browser,
            class,
            Cow::Owned(request.origin.serialize()),
        )
    }

    /// [`Flow::start_classified`] with the request's origin serialised once
    /// by the driver for every browser.
    fn start_with(
        request: &'r Request,
        browser: Browser,
        class: Arc<Classification>,
        origin: Cow<'r, str>,
    ) -> Flow<'r> {
        let mut flow = Flow {
            browser,
            request,
            state: State::Actual,
            hop: None,
            class,
            tainted: false,
            origin_serialized: origin,
            cors: false,
            redirects: 0,
            verdict: None,
            findings: Vec::with_capacity(2),
            console: Vec::with_capacity(4),
            readable: None,
            cache_seconds: None,
            remember_preflight: false,
            passed_preflight: None,
            preflight_cached: false,
        };
        for index in 0..flow.class.dropped_headers.len() {
            let mut values = flow.values();
            values.header = flow.class.dropped_headers.get(index).cloned();
            flow.push(
                FindingId::ForbiddenHeader,
                Severity::Warning,
                Stage::Client,
                values,
            );
        }
        if let Some(id) = flow.class.blocked_before_network {
            let mut values = flow.values();
            values.method = Some(flow.class.method.clone());
            values.scheme = Some(request.url.scheme().to_string());
            if id == FindingId::MixedContent {
                values.location = Some(request.url.as_str().to_owned());
            }
            flow.push(id, Severity::Blocking, Stage::Client, values);
            flow.finish(Verdict::Blocked);
            return flow;
        }
        // Before any redirect the classification already knows.
        flow.cors = flow.class.cors;
        flow.check_local_network_access();
        if flow.state != State::Done && flow.class.needs_preflight() {
            flow.state = State::Preflight;
        }
        flow
    }

    fn url(&self) -> &Url {
        self.hop.as_ref().map_or(&self.request.url, |h| &h.url)
    }

    fn method(&self) -> &str {
        self.hop.as_ref().map_or(&self.class.method, |h| &h.method)
    }

    /// The headers the browser sends on the script's behalf now.
    fn headers(&self) -> &[(String, String)] {
        self.hop
            .as_ref()
            .map_or(self.class.headers(self.request), |h| &h.headers)
    }

    fn unsafe_headers(&self) -> &[crate::safelist::UnsafeHeader] {
        self.hop
            .as_ref()
            .map_or(&self.class.unsafe_headers, |h| &h.unsafe_headers)
    }

    fn request_headers_value(&self) -> Option<&str> {
        match &self.hop {
            Some(hop) => hop.request_headers_value.as_deref(),
            None => self.class.access_control_request_headers.as_deref(),
        }
    }

    fn check_local_network_access(&mut self) {
        let (Some(from), Some(to)) = (
            self.request.initiator_address_space,
            self.request.target_address_space,
        ) else {
            return;
        };
        if !self.browser.enforces_local_network_access() {
            return;
        }
        let mut values = self.values();
        values.resource_space = Some(to.id().to_string());
        values.target_space = Some(to.id().to_string());
        if let Some(declared) = self.request.declared_target_address_space {
            if declared != to {
                values.target_space = Some(declared.id().to_string());
                self.push(
                    FindingId::LnaAddressSpaceMismatch,
                    Severity::Blocking,
                    Stage::Client,
                    values,
                );
                self.finish(Verdict::Blocked);
                return;
            }
        }
        // Chromium 156 restricts only public pages; a local page reaching
        // loopback passes with a deprecation issue (conformance: lna-local-page-to-loopback).
        if from != AddressSpace::Public || !to.is_more_private_than(from) {
            return;
        }
        let id = if self.request.origin.is_potentially_trustworthy() {
            // The user is asked; until they allow it (headless never does) it fails.
            FindingId::LnaPermissionDenied
        } else {
            FindingId::LnaInsecureInitiator
        };
        self.push(id, Severity::Blocking, Stage::Client, values);
        self.finish(Verdict::Blocked);
    }

    pub fn browser(&self) -> Browser {
        self.browser
    }

    pub fn classification(&self) -> &Classification {
        &self.class
    }

    pub fn is_done(&self) -> bool {
        self.state == State::Done
    }

    fn compute_cors_flag(&self) -> bool {
        self.request.mode == Mode::Cors
            && (self.tainted || !self.request.origin.same_origin_as_url(self.url()))
    }

    fn credentials_now(&self) -> bool {
        match self.request.credentials {
            CredentialsMode::Include => true,
            CredentialsMode::Omit => false,
            CredentialsMode::SameOrigin => !self.cors,
        }
    }

    fn values(&self) -> Values {
        let url = self.url();
        Values {
            initial_url: (url.as_str() != self.request.url.as_str())
                .then(|| self.request.url.as_str().to_owned()),
            url: url.as_str().to_owned(),
            // Chromium names the page's origin even after a redirect tainted
            // it (conformance: redirect-cross-origin-acao-exact).
            origin: if self.browser == Browser::Chromium && self.tainted {
                self.request.origin.serialize()
            } else {
                self.origin_serialized.to_string()
            },
            page: self.request.page_url.as_str().to_owned(),
            kind: Cow::Borrowed(self.request.initiator.chromium_kind()),
            page_origin: self.tainted.then(|| self.request.origin.serialize()),
            ..Values::default()
        }
    }

    /// The next request, borrowed from the flow.
    pub(crate) fn next(&self) -> Option<NextRequest<'_>> {
        let origin = Some(&*self.origin_serialized);
        match self.state {
            State::Done => None,
            State::Preflight => Some(NextRequest {
                purpose: RequestPurpose::Preflight,
                method: "OPTIONS",
                url: self.url(),
                origin,
                preflight: Some((self.method(), self.request_headers_value())),
                script_headers: &[],
                credentials: false,
                with_body: false,
            }),
            State::Actual => {
                let method = self.method();
                let simple = matches!(method, "GET" | "HEAD");
                Some(NextRequest {
                    purpose: RequestPurpose::Actual,
                    method,
                    url: self.url(),
                    origin: origin.filter(|_| self.cors || !simple),
                    preflight: None,
                    script_headers: self.headers(),
                    credentials: self.credentials_now(),
                    with_body: !simple,
                })
            }
        }
    }

    /// Whether the next request is `planned` (the same [`PlannedRequest::key`]),
    /// without building it: drivers use this to send each distinct request once.
    pub fn next_request_is(&self, planned: &PlannedRequest) -> bool {
        self.next().is_some_and(|next| next.is(planned))
    }

    /// The next request the browser sends, or `None` when the flow is done.
    pub fn next_request(&self) -> Option<PlannedRequest> {
        Some(self.planned(self.next()?))
    }

    /// The request `next` (this flow's next request) as it goes on the wire.
    pub(crate) fn planned(&self, next: NextRequest<'_>) -> PlannedRequest {
        let accept = match next.purpose {
            RequestPurpose::Preflight => self.browser != Browser::WebKit,
            RequestPurpose::Actual => !next
                .script_headers
                .iter()
                .any(|(n, _)| n.eq_ignore_ascii_case("accept")),
        };
        PlannedRequest {
            purpose: next.purpose,
            method: next.method.to_string(),
            url: next.url.clone(),
            headers: next.header_lines(),
            browser_headers: self.browser_headers(accept),
            credentials: next.credentials,
            with_body: next.with_body,
        }
    }

    /// `Sec-Fetch-Site` for the current hop, as an index into [`FETCH_SITES`].
    fn fetch_site(&self) -> usize {
        if self.tainted {
            return 2;
        }
        let origin = &self.request.origin;
        let url = self.url();
        let same_origin = match &self.hop {
            None => self.class.same_origin,
            Some(hop) => origin.same_origin_as_url(&hop.url),
        };
        if same_origin {
            0
        } else if same_site(origin, url) {
            1
        } else {
            2
        }
    }

    /// `Accept` (when `accept`) and the fetch metadata headers.
    fn browser_headers(&self, accept: bool) -> &'static [(&'static str, &'static str)] {
        let mode = match self.request.mode {
            Mode::Cors => 0,
            Mode::NoCors => 1,
            Mode::SameOrigin => 2,
        };
        let all: &'static [(&'static str, &'static str)] = BROWSER_HEADERS
            .get(self.fetch_site())
            .and_then(|modes| modes.get(mode))
            .map_or(&[], |lines| lines.as_slice());
        if accept {
            all
        } else {
            all.get(1..).unwrap_or_default()
        }
    }

    /// Feeds the response to the request from [`Flow::next_request`].
    pub fn receive(&mut self, response: &Response) {
        self.receive_indexed(response, &CorsIndex::of(&response.headers));
    }

    /// [`Flow::receive`] with the response's index made once by the driver
    /// for every browser.
    pub(crate) fn receive_indexed(&mut self, response: &Response, index: &CorsIndex) {
        let index = CorsHeaders::with_index(&response.headers, index);
        match self.state {
            State::Preflight => self.receive_preflight(response, &index),
            State::Actual => self.receive_actual(response, &index),
            State::Done => {}
        }
    }

    /// The request got no HTTP response (DNS, connection, TLS, timeout).
    /// `net_error` is Chromium's name for it, e.g. `ERR_CONNECTION_REFUSED`.
    pub fn fail_network(&mut self, net_error: &str, description: &str) {
        if self.state == State::Done {
            return;
        }
        let mut values = self.values();
        values.value = Some(match self.browser {
            Browser::Chromium => net_error.to_string(),
            _ => description.to_string(),
        });
        values.method = Some(self.method().to_string());
        let stage = if self.state == State::Preflight {
            Stage::Preflight
        } else {
            Stage::Actual
        };
        self.push(FindingId::NetworkFailure, Severity::Blocking, stage, values);
        self.finish(Verdict::Unreachable);
    }

    /// The values of a finding about `response` (built only when needed).
    fn response_values(&self, response: &Response) -> Values {
        let mut values = self.values();
        values.status = Some(response.status);
        values.location =
            location_text(response).map(|l| self.url().join(&l).map(String::from).unwrap_or(l));
        values
    }

    fn receive_preflight(&mut self, response: &Response, index: &CorsHeaders) {
        let include = self.request.includes_credentials();
        let is_redirect =
            is_redirect_status(response.status) && index.first(CorsHeader::Location).is_some();
        let cors =
            allow_origin::check_indexed(index, &self.origin_serialized, include, self.browser);
        let ok_status = (200..300).contains(&response.status);
        let failure = match self.browser {
            Browser::Firefox => {
                if let Err(f) = cors {
                    Some((f.id, Some(f.value)))
                } else if is_redirect {
                    Some((FindingId::PreflightRedirect, None))
                } else if !ok_status {
                    Some((FindingId::PreflightStatusNotOk, None))
                } else {
                    None
                }
            }
            Browser::Chromium => {
                if is_redirect {
                    Some((FindingId::PreflightRedirect, None))
                } else if let Err(f) = cors {
                    Some((f.id, Some(f.value)))
                } else if !ok_status {
                    Some((FindingId::PreflightStatusNotOk, None))
                } else {
                    None
                }
            }
            Browser::WebKit => {
                if is_redirect {
                    Some((FindingId::PreflightRedirect, None))
                } else if !ok_status {
                    Some((FindingId::PreflightStatusNotOk, None))
                } else if let Err(f) = cors {
                    Some((f.id, Some(f.value)))
                } else {
                    None
                }
            }
        };
        if let Some((id, value)) = failure {
            // A non-2xx preflight without any CORS header never reached the
            // CORS code: name that, whatever each engine checks first.
            let rejected = !is_redirect
                && !ok_status
                && index.line_count(CorsHeader::AllowOrigin) == 0
                && matches!(
                    id,
                    FindingId::AllowOriginMissing | FindingId::PreflightStatusNotOk
                );
            let id = if rejected {
                FindingId::PreflightRejected
            } else {
                id
            };
            let mut values = self.response_values(response);
            values.value = value;
            self.push(id, Severity::Blocking, Stage::Preflight, values);
            self.finish(Verdict::Blocked);
            return;
        }
        match allow_lists::check_indexed(
            index,
            self.method(),
            self.unsafe_headers(),
            include,
            self.browser,
        ) {
            Err(f) => {
                let mut values = self.response_values(response);
                match f.id {
                    FindingId::MethodNotAllowed => values.method = Some(f.value),
                    FindingId::HeaderNotAllowed if self.browser == Browser::WebKit => {
                        values.header = Some(webkit_header_name(&f.value, self.request.initiator))
                    }
                    FindingId::HeaderNotAllowed | FindingId::AuthorizationNotCoveredByWildcard => {
                        values.header = Some(f.value)
                    }
                    _ => {
                        values.value = Some(f.value);
                        values.method = Some(self.method().to_string());
                    }
                }
                self.push(f.id, Severity::Blocking, Stage::Preflight, values);
                self.finish(Verdict::Blocked);
                return;
            }
            Ok(pass) => {
                if pass.wildcard_covered_authorization && self.browser != Browser::WebKit {
                    let mut values = self.response_values(response);
                    values.header = Some("authorization".to_string());
                    self.push(
                        FindingId::AuthorizationNotCoveredByWildcard,
                        Severity::Warning,
                        Stage::Preflight,
                        values,
                    );
                }
            }
        }
        self.record_max_age(response, index);
        if self.remember_preflight {
            self.passed_preflight = Some((
                self.origin_serialized.to_string(),
                self.url().as_str().to_owned(),
                response.headers.clone(),
            ));
        }
        self.state = State::Actual;
    }

    fn record_max_age(&mut self, response: &Response, index: &CorsHeaders) {
        let raw = index.combined(CorsHeader::MaxAge);
        let parsed = max_age::parse(raw.as_deref());
        self.cache_seconds = max_age::effective_seconds(&parsed, self.browser);
        let note = match parsed {
            MaxAge::Seconds(s) if s > self.browser.max_age_cap() => {
                Some((FindingId::MaxAgeCapped, s.to_string()))
            }
            MaxAge::Invalid(text) => Some((FindingId::MaxAgeInvalid, text)),
            _ => None,
        };
        if let Some((id, value)) = note {
            let mut values = self.response_values(response);
            values.value = Some(value);
            self.push(id, Severity::Info, Stage::Preflight, values);
        }
    }

    fn receive_actual(&mut self, response: &Response, index: &CorsHeaders) {
        let cors = self.cors;
        let include = self.request.includes_credentials();
        let location = index.first(CorsHeader::Location);
        let redirect = is_redirect_status(response.status) && location.is_some();
        if self.request.mode == Mode::NoCors {
            if !redirect {
                let values = self.response_values(response);
                self.push(
                    FindingId::OpaqueResponse,
                    Severity::Warning,
                    Stage::Actual,
                    values,
                );
                self.finish(Verdict::Opaque);
                return;
            }
        } else if cors {
            if let Err(f) =
                allow_origin::check_indexed(index, &self.origin_serialized, include, self.browser)
            {
                let mut values = self.response_values(response);
                values.value = Some(f.value);
                let tainted_mismatch = self.tainted
                    && matches!(
                        f.id,
                        FindingId::AllowOriginMismatch | FindingId::AllowOriginInvalid
                    );
                let id = if tainted_mismatch {
                    FindingId::RedirectTaintedOrigin
                } else {
                    f.id
                };
                let stage = if redirect {
                    Stage::Redirect
                } else {
                    Stage::Actual
                };
                self.push(id, Severity::Blocking, stage, values);
                let signals = if id != FindingId::AllowOriginMissing && !index.vary_covers_origin()
                {
                    shared_cache_signals(&response.headers)
                } else {
                    Vec::new()
                };
                if !signals.is_empty() {
                    let mut values = self.response_values(response);
                    values.value = Some(signals.join(", "));
                    self.push(
                        FindingId::SharedCacheWithoutVary,
                        Severity::Warning,
                        stage,
                        values,
                    );
                }
                self.finish(Verdict::Blocked);
                return;
            }
        }
        if let (true, Some(text)) = (redirect, location) {
            self.follow_redirect(response, text);
            return;
        }
        if cors {
            self.after_allowed(response, index);
        }
        if self.browser == Browser::Chromium && response.status >= 400 {
            self.console.push(format!(
                "Failed to load resource: the server responded with a status of {} ({})",
                response.status,
                reason_phrase(response.status)
            ));
        }
        self.finish(Verdict::Allowed);
    }

    fn follow_redirect(&mut self, response: &Response, location_text: &str) {
        let status = response.status;
        let Ok(next) = self.url().join(location_text) else {
            let values = self.response_values(response);
            self.push(
                FindingId::InvalidResponse,
                Severity::Blocking,
                Stage::Redirect,
                values,
            );
            self.finish(Verdict::Blocked);
            return;
        };
        self.redirects += 1;
        let next_origin = Origin::of_url(&next);
        let has_userinfo = !next.username().is_empty() || next.password().is_some();
        let blocked = if self.request.redirect == RedirectMode::Error {
            Some(FindingId::RedirectModeError)
        } else if self.redirects > REDIRECT_LIMIT {
            Some(FindingId::TooManyRedirects)
        } else if !matches!(next.scheme(), "http" | "https") {
            Some(FindingId::RedirectNonHttpScheme)
        } else if has_userinfo
            && self.request.mode == Mode::Cors
            && (self.cors || self.tainted || !self.request.origin.same_origin(&next_origin))
        {
            Some(FindingId::RedirectWithCredentials)
        } else if crate::classify::is_mixed_content(&self.request.page_url, &next, self.browser) {
            Some(FindingId::MixedContent)
        } else {
            None
        };
        if let Some(id) = blocked {
            let mut values = self.response_values(response);
            values.location = Some(next.as_str().to_owned());
            values.scheme = Some(next.scheme().to_string());
            if id == FindingId::RedirectWithCredentials {
                values.value = Some(String::new());
            }
            // Firefox gives up on these without an HTTP status.
            if self.browser == Browser::Firefox
                && matches!(
                    id,
                    FindingId::RedirectWithCredentials | FindingId::TooManyRedirects
                )
            {
                values.status = None;
            }
            let stage = if id == FindingId::MixedContent {
                Stage::Client
            } else {
                Stage::Redirect
            };
            let mut followup = values.clone();
            self.push(id, Severity::Blocking, stage, values);
            if id == FindingId::MixedContent && self.browser == Browser::Firefox {
                // Firefox then fails the redirecting request itself
                // (conformance: mixed-https-redirect-to-http).
                followup.status = None;
                self.console.extend(render(
                    FindingId::NetworkFailure,
                    Browser::Firefox,
                    Stage::Actual,
                    &followup,
                ));
            }
            self.finish(Verdict::Blocked);
            return;
        }
        let mut hop = match self.hop.take() {
            Some(hop) => hop,
            None => Box::new(Hop {
                url: self.request.url.clone(),
                method: self.class.method.clone(),
                headers: self.class.headers(self.request).to_vec(),
                unsafe_headers: Vec::new(),
                request_headers_value: None,
            }),
        };
        if !next_origin.same_origin_as_url(&hop.url) {
            if self.tainted || !self.request.origin.same_origin_as_url(&hop.url) {
                self.tainted = true;
                self.origin_serialized = Cow::Borrowed("null");
            }
            hop.headers
                .retain(|(n, _)| !n.eq_ignore_ascii_case("authorization"));
        }
        let rewrite = (matches!(status, 301 | 302) && hop.method == "POST")
            || (status == 303 && !matches!(hop.method.as_str(), "GET" | "HEAD"));
        if rewrite {
            hop.method = "GET".to_string();
            hop.headers.retain(|(n, _)| {
                ![
                    "content-encoding",
                    "content-language",
                    "content-location",
                    "content-type",
                ]
                .iter()
                .any(|b| n.eq_ignore_ascii_case(b))
            });
        }
        hop.url = next;
        hop.unsafe_headers = crate::safelist::unsafe_headers_of_sent(&hop.headers, self.browser);
        self.hop = Some(hop);
        self.cors = self.compute_cors_flag();
        let request_headers_value = if self.cors {
            crate::safelist::request_headers_value_of(self.unsafe_headers())
        } else {
            None
        };
        if let Some(hop) = &mut self.hop {
            hop.request_headers_value = request_headers_value;
        }
        let needs_preflight = self.cors
            && (self.request.force_preflight
                || !crate::method::is_cors_safelisted(self.method())
                || !self.unsafe_headers().is_empty());
        if needs_preflight && self.browser == Browser::Firefox && self.tainted {
            // Firefox 153 sends that preflight with the page's real origin
            // (conformance: redirect-after-preflight-cross-origin).
            self.origin_serialized = Cow::Owned(self.request.origin.serialize());
        }
        self.state = if needs_preflight {
            State::Preflight
        } else {
            State::Actual
        };
    }

    fn after_allowed(&mut self, response: &Response, index: &CorsHeaders) {
        let include = self.request.includes_credentials();
        self.readable = Some(readable_headers(&response.headers, include));
        let hidden = unexposed_application_headers(&response.headers, include);
        if !hidden.is_empty() {
            let mut values = self.response_values(response);
            values.header = Some(hidden.join(", "));
            self.push(
                FindingId::HeaderNotExposed,
                Severity::Info,
                Stage::Actual,
                values,
            );
        }
        let acao = index.combined(CorsHeader::AllowOrigin).unwrap_or_default();
        if acao != "*" && !index.vary_covers_origin() {
            let cache_signals = shared_cache_signals(&response.headers);
            let mut values = self.response_values(response);
            if cache_signals.is_empty() {
                values.value = Some(acao.into_owned());
                self.push(
                    FindingId::AllowOriginWithoutVary,
                    Severity::Warning,
                    Stage::Actual,
                    values,
                );
            } else {
                values.value = Some(cache_signals.join(", "));
                self.push(
                    FindingId::SharedCacheWithoutVary,
                    Severity::Warning,
                    Stage::Actual,
                    values,
                );
            }
        }
    }

    fn push(&mut self, id: FindingId, severity: Severity, stage: Stage, values: Values) {
        let mut message = render(id, self.browser, stage, &values);
        // fetch() drops forbidden headers silently; only XHR logs a refusal.
        if id == FindingId::ForbiddenHeader && values.kind != "XMLHttpRequest" {
            message = None;
        }
        if let Some(main) = &message {
            self.console.push(main.clone());
            if severity == Severity::Blocking {
                push_companion_lines(&mut self.console, self.browser, (id, stage), &values, main);
                if self.browser == Browser::Firefox {
                    self.console.extend(firefox_followups(id, stage, &values));
                }
            }
        }
        self.findings.push(Finding {
            id,
            browser: self.browser,
            severity,
            stage,
            values,
            message,
        });
    }

    fn finish(&mut self, verdict: Verdict) {
        self.verdict = Some(verdict);
        self.state = State::Done;
    }

    /// Ends the flow and returns its outcome (unfinished flows are `Unreachable`).
    pub fn outcome(self) -> BrowserOutcome {
        BrowserOutcome {
            browser: self.browser,
            verdict: self.verdict.unwrap_or(Verdict::Unreachable),
            classification: self.class,
            findings: self.findings,
            console: self.console,
            steps: Vec::new(),
            readable_headers: self.readable,
            preflight_cache_seconds: self.cache_seconds,
            preflight_from_cache: self.preflight_cached,
        }
    }
}

/// How WebKitGTK 2.50 names a header that the preflight did not allow: as
/// the script wrote it for XMLHttpRequest; for fetch(), in WebKit's
/// canonical case when it is one of WebKit's named headers, lowercased
/// otherwise (conformance: acah-absent `x-foo`, auth-acah-absent
/// `Authorization`, api-xhr-header-not-allowed `X-Foo`, header-name-*).
fn webkit_header_name(name: &str, initiator: Initiator) -> String {
    if initiator == Initiator::XmlHttpRequest {
        return name.to_string();
    }
    WEBKIT_HEADER_NAMES
        .iter()
        .find(|known| known.eq_ignore_ascii_case(name))
        .map_or_else(|| name.to_ascii_lowercase(), |known| known.to_string())
}

/// WebKit's named HTTP headers (WebCore's `HTTPHeaderNames.in`) that a
/// script may set, in their canonical case. `Purpose` is no longer one
/// (WebKitGTK 2.50 prints `purpose`: conformance header-name-purpose).
const WEBKIT_HEADER_NAMES: &[&str] = &[
    "Accept",
    "Accept-Language",
    "Accept-Ranges",
    "Access-Control-Allow-Credentials",
    "Access-Control-Allow-Headers",
    "Access-Control-Allow-Methods",
    "Access-Control-Allow-Origin",
    "Access-Control-Expose-Headers",
    "Access-Control-Max-Age",
    "Age",
    "Authorization",
    "Cache-Control",
    "Clear-Site-Data",
    "Content-Disposition",
    "Content-Encoding",
    "Content-Language",
    "Content-Location",
    "Content-Range",
    "Content-Security-Policy",
    "Content-Security-Policy-Report-Only",
    "Content-Type",
    "Cross-Origin-Embedder-Policy",
    "Cross-Origin-Embedder-Policy-Report-Only",
    "Cross-Origin-Opener-Policy",
    "Cross-Origin-Opener-Policy-Report-Only",
    "Cross-Origin-Resource-Policy",
    "DNT",
    "Default-Style",
    "ETag",
    "Expires",
    "If-Match",
    "If-Modified-Since",
    "If-None-Match",
    "If-Range",
    "If-Unmodified-Since",
    "Last-Event-ID",
    "Last-Modified",
    "Link",
    "Location",
    "Ping-From",
    "Ping-To",
    "Pragma",
    "Range",
    "Referrer-Policy",
    "Refresh",
    "Report-To",
    "Reporting-Endpoints",
    "Server",
    "Server-Timing",
    "Service-Worker",
    "Service-Worker-Allowed",
    "Service-Worker-Navigation-Preload",
    "Set-Cookie",
    "Set-Cookie2",
    "SourceMap",
    "Timing-Allow-Origin",
    "Upgrade-Insecure-Requests",
    "User-Agent",
    "Vary",
    "X-Content-Type-Options",
    "X-DNS-Prefetch-Control",
    "X-Frame-Options",
    "X-SourceMap",
    "X-Temp-Tablet",
    "X-XSS-Protection",
];

fn is_redirect_status(status: u16) -> bool {
    matches!(status, 301 | 302 | 303 | 307 | 308)
}

fn location_text(response: &Response) -> Option<String> {
    all_values(&response.headers, "location")
        .next()
        .map(str::to_string)
}

/// The lines Firefox 153 adds after a failure during a preflight or on a
/// redirect hop (conformance: preflight-*, redirect-no-acao-on-redirect).
fn firefox_followups(id: FindingId, stage: Stage, values: &Values) -> Vec<String> {
    use FindingId::*;
    if id == NetworkFailure && stage == Stage::Preflight {
        // A preflight that gets no response is reported twice
        // (conformance: preflight-connection-refused).
        return render(NetworkFailure, Browser::Firefox, Stage::Actual, values)
            .into_iter()
            .collect();
    }
    if !matches!(stage, Stage::Preflight | Stage::Redirect)
        || matches!(
            id,
            RedirectWithCredentials | TooManyRedirects | NetworkFailure
        )
    {
        return Vec::new();
    }
    let mut unknown = values.clone();
    unknown.status = None;
    let did_not_succeed = render(NetworkFailure, Browser::Firefox, Stage::Actual, &unknown);
    let mut lines = Vec::new();
    if id == PreflightRedirect {
        lines.extend(render(
            PreflightStatusNotOk,
            Browser::Firefox,
            Stage::Preflight,
            values,
        ));
    }
    lines.extend(did_not_succeed.clone());
    // A redirected preflight that fails the origin check is reported twice.
    if stage == Stage::Preflight && values.location.is_some() && id != PreflightRedirect {
        lines.extend(did_not_succeed);
    }
    lines
}

/// The reason phrase of common status codes, as Chromium prints it.
pub fn reason_phrase(status: u16) -> &'static str {
    match status {
        400 => "Bad Request",
        401 => "Unauthorized",
        402 => "Payment Required",
        403 => "Forbidden",
        404 => "Not Found",
        405 => "Method Not Allowed",
        406 => "Not Acceptable",
        408 => "Request Timeout",
        409 => "Conflict",
        410 => "Gone",
        413 => "Payload Too Large",
        415 => "Unsupported Media Type",
        422 => "Unprocessable Entity",
        429 => "Too Many Requests",
        500 => "Internal Server Error",
        501 => "Not Implemented",
        502 => "Bad Gateway",
        503 => "Service Unavailable",
        504 => "Gateway Timeout",
        _ => "",
    }
}

/// `Vary: Origin` or `Vary: *`.
pub fn vary_covers_origin(headers: &HeaderLines) -> bool {
    all_values(headers, "vary").any(crate::headers::vary_lists_origin)
}

/// Headers that show a shared cache (CDN, proxy) stored the response.
pub fn shared_cache_signals(headers: &HeaderLines) -> Vec<String> {
    [
        "age",
        "via",
        "x-cache",
        "cf-cache-status",
        "x-served-by",
        "x-cache-hits",
    ]
    .iter()
    .filter_map(|name| {
        all_values(headers, name)
            .next()
            .map(|v| format!("{name}: {v}"))
    })
    .collect()
}

/// A crude same-site test (last two labels, same scheme); the public suffix
/// list is deliberately not bundled, so `a.co.uk` vs `b.co.uk` reads as same-site.
fn same_site(origin: &Origin, url: &Url) -> bool {
    fn site(h: &str) -> &str {
        let bytes = h.as_bytes();
        let last = bytes.iter().rposition(|b| *b == b'.');
        let second = last.and_then(|at| bytes[..at].iter().rposition(|b| *b == b'.'));
        match second {
            // After an ASCII '.', so on a char boundary.
            Some(at) => h.get(at + 1..).unwrap_or(h),
            None => h,
        }
    }
    match (origin, url.host_str()) {
        (Origin::Tuple { scheme, host, .. }, Some(url_host)) => {
            scheme == url.scheme() && site(host) == site(url_host)
        }
        _ => false,
    }
}

/// Runs `request` in each browser of `browsers`, asking `responder` for the
/// response to each planned request. Identical requests are asked once and
/// the answer shared between browsers, as the probe does on the network.
/// `responder` returns `Err((net_error, description))` when there is no response.
pub fn evaluate(
    request: &Request,
    browsers: &[Browser],
    responder: impl FnMut(&PlannedRequest) -> Result<Response, (String, String)>,
) -> Outcome {
    drive(request, browsers, None, responder)
}

/// [`evaluate`] with the browsers' preflight caches: entries in `cache`
/// fresh at `now` (seconds) skip preflights, and the outcome updates it, so
/// calling this twice replays a page making the same request twice.
pub fn evaluate_cached(
    request: &Request,
    browsers: &[Browser],
    cache: &mut crate::cache::PreflightCache,
    now: u64,
    responder: impl FnMut(&PlannedRequest) -> Result<Response, (String, String)>,
) -> Outcome {
    drive(request, browsers, Some((cache, now)), responder)
}

fn drive(
    request: &Request,
    browsers: &[Browser],
    mut cache: Option<(&mut crate::cache::PreflightCache, u64)>,
    mut responder: impl FnMut(&PlannedRequest) -> Result<Response, (String, String)>,
) -> Outcome {
    let mut exchanges = Exchanges::new();
    let mut outcomes = Vec::with_capacity(browsers.len());
    let origin = request.origin.serialize();
    for (&browser, class) in browsers.iter().zip(classify_each(request, browsers)) {
        let mut flow = Flow::start_with(request, browser, class, Cow::Borrowed(&origin));
        if let Some((cache, now)) = &cache {
            flow.use_cache(cache, *now);
        }
        let mut steps = Vec::with_capacity(2);
        for _ in 0..Flow::MAX_STEPS {
            let Some(next) = flow.next() else {
                break;
            };
            let index = match exchanges.position(&next) {
                Some(i) => i,
                None => {
                    let planned = flow.planned(next);
                    let response = responder(&planned);
                    exchanges.record(planned, response)
                }
            };
            steps.push(index);
            exchanges.feed(&mut flow, index);
        }
        if let Some((cache, now)) = &mut cache {
            flow.update_cache(cache, *now);
        }
        let mut outcome = flow.outcome();
        outcome.steps = steps;
        outcomes.push(outcome);
    }
    Outcome {
        browsers: outcomes,
        exchanges: exchanges.into_vec(),
    }
}
