//! One browser's fetch, step by step and without I/O: the flow says which
//! request the browser sends next (preflight, actual request, each redirect
//! hop), consumes the response as data and ends with a verdict and findings.
//! What it does with each kind of response is in `preflight`, `actual` and
//! `redirect`.

mod actual;
mod preflight;
mod redirect;

pub use actual::{reason_phrase, shared_cache_signals, vary_covers_origin};
use redirect::location_text;

use crate::browser::{AddressSpace, Browser};
use crate::catalogue::{FindingId, Severity};
use crate::classify::{classify, Classification};
use crate::cors_headers::{CorsHeaders, CorsIndex};
use crate::message::{push_companion_lines, render, Stage, Values};
use crate::origin::Origin;
use crate::outcome::{BrowserOutcome, Finding, Verdict};
use crate::planned::{NextRequest, PlannedRequest, RequestPurpose, Response, BROWSER_HEADERS};
use crate::request::{CredentialsMode, Mode, Request};
use std::borrow::Cow;
use std::sync::Arc;
use url::Url;

/// The most redirects any browser follows.
pub const REDIRECT_LIMIT: usize = 20;

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
    /// A preflight was sent and passed for the current request.
    preflight_passed: bool,
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

    /// Skips the preflight as a browser does when its preflight cache holds
    /// one (recorded traffic shows the actual request without it).
    pub fn assume_preflight_cached(&mut self) {
        if self.state == State::Preflight {
            self.state = State::Actual;
            self.preflight_cached = true;
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
    pub(crate) fn start_with(
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
            preflight_passed: false,
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
        self.next().is_some_and(|next| next.is(planned, true))
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
        // Firefox 153 words an empty answer to the actual request after a
        // passed preflight as a duplicated Access-Control-Allow-Origin
        // (conformance: net-actual-close-after-preflight*); a reset is "did
        // not succeed" as usual.
        let firefox_duplicate_acao = self.browser == Browser::Firefox
            && stage == Stage::Actual
            && self.preflight_passed
            && net_error == "ERR_EMPTY_RESPONSE";
        let worded_as = firefox_duplicate_acao.then(|| {
            let mut as_acao = values.clone();
            as_acao.status = None;
            render(
                FindingId::AllowOriginDuplicateLines,
                Browser::Firefox,
                Stage::Actual,
                &as_acao,
            )
        });
        self.push(FindingId::NetworkFailure, Severity::Blocking, stage, values);
        // Firefox's line is a CORS report: a no-cors request gets none
        // (conformance: net-simple-reset-nocors).
        if self.browser == Browser::Firefox && self.request.mode == crate::request::Mode::NoCors {
            if let Some(finding) = self.findings.last_mut() {
                if let Some(line) = finding.message.take() {
                    self.console.retain(|l| *l != line);
                }
            }
        }
        if let Some(Some(line)) = worded_as {
            if let (Some(last), Some(finding)) = (self.console.last_mut(), self.findings.last_mut())
            {
                *last = line.clone();
                finding.message = Some(line);
            }
        }
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
}

impl Flow<'_> {
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
    // A javascript: Location: the main line is already "did not succeed".
    let javascript = id == RedirectNonHttpScheme
        && crate::message::location_scheme(values).as_deref() == Some("javascript");
    if !matches!(stage, Stage::Preflight | Stage::Redirect)
        || matches!(
            id,
            RedirectWithCredentials | TooManyRedirects | NetworkFailure
        )
        || javascript
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
