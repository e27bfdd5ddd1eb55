//! One browser's fetch, step by step and without I/O: the flow says which
//! request the browser sends next (preflight, actual request, each redirect
//! hop), consumes the response as data and ends with a verdict and findings.

use crate::allow_lists;
use crate::allow_origin::{self, ALLOW_ORIGIN};
use crate::browser::Browser;
use crate::catalogue::{entry, Entry, FindingId, Severity};
use crate::classify::{classify, Classification};
use crate::expose::{readable_headers, unexposed_application_headers};
use crate::headers::{all_values, get_combined, list_items, HeaderLines};
use crate::max_age::{self, MaxAge};
use crate::message::{companion_lines, render, render_explanation, render_fix};
pub use crate::message::{Stage, Values};
use crate::origin::Origin;
use crate::request::{CredentialsMode, Mode, Request};
use url::Url;

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
    pub browser_headers: Vec<(String, String)>,
    /// Whether cookies/HTTP auth go with the request.
    pub credentials: bool,
    /// Whether the request carries the script's body.
    pub with_body: bool,
}

impl PlannedRequest {
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

/// An exchange as one browser saw it.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Step {
    pub request: PlannedRequest,
    pub response: Option<Response>,
}

/// The result for one browser.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct BrowserOutcome {
    pub browser: Browser,
    pub verdict: Verdict,
    pub classification: Classification,
    pub findings: Vec<Finding>,
    /// Every console line, in order (main messages and companions).
    pub console: Vec<String>,
    pub steps: Vec<Step>,
    /// Lower-cased names of the response headers the script can read.
    pub readable_headers: Option<Vec<String>>,
    /// How long the preflight result is cached; `None` = not cached or no preflight.
    pub preflight_cache_seconds: Option<u64>,
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
}

impl Outcome {
    pub fn get(&self, browser: Browser) -> Option<&BrowserOutcome> {
        self.browsers.iter().find(|b| b.browser == browser)
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

/// A browser's fetch in progress.
#[derive(Clone, Debug)]
pub struct Flow {
    browser: Browser,
    request: Request,
    class: Classification,
    state: State,
    url: Url,
    method: String,
    headers: Vec<(String, String)>,
    tainted: bool,
    redirects: usize,
    verdict: Option<Verdict>,
    findings: Vec<Finding>,
    console: Vec<String>,
    steps: Vec<Step>,
    readable: Option<Vec<String>>,
    cache_seconds: Option<u64>,
}

impl Flow {
    /// Starts `browser`'s fetch of `request`.
    pub fn start(request: &Request, browser: Browser) -> Flow {
        let class = classify(request, browser);
        let mut flow = Flow {
            browser,
            request: request.clone(),
            state: State::Actual,
            url: request.url.clone(),
            method: class.method.clone(),
            headers: class.headers.clone(),
            class,
            tainted: false,
            redirects: 0,
            verdict: None,
            findings: Vec::new(),
            console: Vec::new(),
            steps: Vec::new(),
            readable: None,
            cache_seconds: None,
        };
        for name in flow.class.dropped_headers.clone() {
            let mut values = flow.values();
            values.header = Some(name);
            flow.push(
                FindingId::ForbiddenHeader,
                Severity::Warning,
                Stage::Client,
                values,
            );
        }
        if let Some(id) = flow.class.blocked_before_network {
            let mut values = flow.values();
            values.method = Some(flow.method.clone());
            values.scheme = Some(request.url.scheme().to_string());
            flow.push(id, Severity::Blocking, Stage::Client, values);
            flow.finish(Verdict::Blocked);
            return flow;
        }
        flow.check_local_network_access();
        if flow.state != State::Done && flow.class.needs_preflight() {
            flow.state = State::Preflight;
        }
        flow
    }

    fn check_local_network_access(&mut self) {
        let (Some(from), Some(to)) = (
            self.request.initiator_address_space,
            self.request.target_address_space,
        ) else {
            return;
        };
        if !self.browser.enforces_local_network_access() || !to.is_more_private_than(from) {
            return;
        }
        let mut values = self.values();
        values.target_space = Some(to.id().to_string());
        values.resource_space = Some(to.id().to_string());
        if !self.request.origin.is_potentially_trustworthy() {
            self.push(
                FindingId::LnaInsecureInitiator,
                Severity::Blocking,
                Stage::Client,
                values,
            );
            self.finish(Verdict::Blocked);
        } else {
            // A secure page gets a permission prompt; the message is what a denial prints.
            self.push(
                FindingId::LnaPermissionDenied,
                Severity::Warning,
                Stage::Client,
                values,
            );
        }
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

    fn origin_now(&self) -> Origin {
        if self.tainted {
            Origin::Opaque
        } else {
            self.request.origin.clone()
        }
    }

    fn cors_flag(&self) -> bool {
        self.request.mode == Mode::Cors
            && !self.origin_now().same_origin(&Origin::of_url(&self.url))
    }

    fn credentials_now(&self) -> bool {
        match self.request.credentials {
            CredentialsMode::Include => true,
            CredentialsMode::Omit => false,
            CredentialsMode::SameOrigin => {
                self.origin_now().same_origin(&Origin::of_url(&self.url))
            }
        }
    }

    fn values(&self) -> Values {
        let initial = self.request.url.to_string();
        let url = self.url.to_string();
        Values {
            initial_url: (initial != url).then_some(initial),
            url,
            origin: self.origin_now().serialize(),
            page: self.request.page_url.to_string(),
            kind: self.request.initiator.chromium_kind().to_string(),
            page_origin: self.tainted.then(|| self.request.origin.serialize()),
            ..Values::default()
        }
    }

    /// The next request the browser sends, or `None` when the flow is done.
    pub fn next_request(&self) -> Option<PlannedRequest> {
        let origin = self.origin_now().serialize();
        match self.state {
            State::Done => None,
            State::Preflight => {
                let mut headers = vec![
                    ("Origin".to_string(), origin),
                    (
                        "Access-Control-Request-Method".to_string(),
                        self.method.clone(),
                    ),
                ];
                if let Some(acrh) =
                    crate::safelist::access_control_request_headers(&self.headers, self.browser)
                {
                    headers.push(("Access-Control-Request-Headers".to_string(), acrh));
                }
                let mut browser_headers = Vec::new();
                if self.browser != Browser::WebKit {
                    browser_headers.push(("Accept".to_string(), "*/*".to_string()));
                }
                browser_headers.extend(self.fetch_metadata());
                Some(PlannedRequest {
                    purpose: RequestPurpose::Preflight,
                    method: "OPTIONS".to_string(),
                    url: self.url.clone(),
                    headers,
                    browser_headers,
                    credentials: false,
                    with_body: false,
                })
            }
            State::Actual => {
                let mut headers = Vec::new();
                if self.cors_flag() || !matches!(self.method.as_str(), "GET" | "HEAD") {
                    headers.push(("Origin".to_string(), origin));
                }
                headers.extend(self.headers.iter().cloned());
                let mut browser_headers = Vec::new();
                if !self
                    .headers
                    .iter()
                    .any(|(n, _)| n.eq_ignore_ascii_case("accept"))
                {
                    browser_headers.push(("Accept".to_string(), "*/*".to_string()));
                }
                browser_headers.extend(self.fetch_metadata());
                Some(PlannedRequest {
                    purpose: RequestPurpose::Actual,
                    method: self.method.clone(),
                    url: self.url.clone(),
                    headers,
                    browser_headers,
                    credentials: self.credentials_now(),
                    with_body: !matches!(self.method.as_str(), "GET" | "HEAD"),
                })
            }
        }
    }

    fn fetch_metadata(&self) -> Vec<(String, String)> {
        let target = Origin::of_url(&self.url);
        let site = if self.origin_now().same_origin(&target) {
            "same-origin"
        } else if same_site(&self.origin_now(), &target) {
            "same-site"
        } else {
            "cross-site"
        };
        let mode = match self.request.mode {
            Mode::Cors => "cors",
            Mode::NoCors => "no-cors",
            Mode::SameOrigin => "same-origin",
        };
        vec![
            ("Sec-Fetch-Site".to_string(), site.to_string()),
            ("Sec-Fetch-Mode".to_string(), mode.to_string()),
            ("Sec-Fetch-Dest".to_string(), "empty".to_string()),
        ]
    }

    /// Feeds the response to the request from [`Flow::next_request`].
    pub fn receive(&mut self, response: &Response) {
        let Some(request) = self.next_request() else {
            return;
        };
        self.steps.push(Step {
            request,
            response: Some(response.clone()),
        });
        match self.state {
            State::Preflight => self.receive_preflight(response),
            State::Actual => self.receive_actual(response),
            State::Done => {}
        }
    }

    /// The request got no HTTP response (DNS, connection, TLS, timeout).
    /// `net_error` is Chromium's name for it, e.g. `ERR_CONNECTION_REFUSED`.
    pub fn fail_network(&mut self, net_error: &str, description: &str) {
        if let Some(request) = self.next_request() {
            self.steps.push(Step {
                request,
                response: None,
            });
        }
        let mut values = self.values();
        values.value = Some(match self.browser {
            Browser::Chromium => net_error.to_string(),
            _ => description.to_string(),
        });
        values.method = Some(self.method.clone());
        let stage = if self.state == State::Preflight {
            Stage::Preflight
        } else {
            Stage::Actual
        };
        self.push(FindingId::NetworkFailure, Severity::Blocking, stage, values);
        self.finish(Verdict::Unreachable);
    }

    fn receive_preflight(&mut self, response: &Response) {
        let include = self.request.includes_credentials();
        let mut values = self.values();
        values.status = Some(response.status);
        let location = location_text(response);
        values.location = location.as_deref().map(|l| {
            self.url
                .join(l)
                .map(|u| u.to_string())
                .unwrap_or_else(|_| l.to_string())
        });
        let is_redirect = is_redirect_status(response.status) && location.is_some();
        let origin = self.origin_now().serialize();
        let cors = allow_origin::check(&response.headers, &origin, include, self.browser);
        let ok_status = (200..300).contains(&response.status);
        let failure = match self.browser {
            Browser::Chromium | Browser::Firefox => {
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
            values.value = value;
            self.push(id, Severity::Blocking, Stage::Preflight, values);
            self.finish(Verdict::Blocked);
            return;
        }
        match allow_lists::check(
            &response.headers,
            &self.method,
            &self.class.unsafe_headers_for(&self.headers, self.browser),
            include,
            self.browser,
        ) {
            Err(f) => {
                match f.id {
                    FindingId::MethodNotAllowed => values.method = Some(f.value),
                    FindingId::HeaderNotAllowed | FindingId::AuthorizationNotCoveredByWildcard => {
                        values.header = Some(f.value)
                    }
                    _ => {
                        values.value = Some(f.value);
                        values.method = Some(self.method.clone());
                    }
                }
                self.push(f.id, Severity::Blocking, Stage::Preflight, values);
                self.finish(Verdict::Blocked);
                return;
            }
            Ok(pass) => {
                if pass.wildcard_covered_authorization && self.browser == Browser::Firefox {
                    let mut v = values.clone();
                    v.header = Some("authorization".to_string());
                    self.push(
                        FindingId::AuthorizationNotCoveredByWildcard,
                        Severity::Warning,
                        Stage::Preflight,
                        v,
                    );
                }
            }
        }
        self.record_max_age(response, values);
        self.state = State::Actual;
    }

    fn record_max_age(&mut self, response: &Response, mut values: Values) {
        let raw = get_combined(&response.headers, "access-control-max-age");
        let parsed = max_age::parse(raw.as_deref());
        self.cache_seconds = max_age::effective_seconds(&parsed, self.browser);
        match parsed {
            MaxAge::Seconds(s) if s > self.browser.max_age_cap() => {
                values.value = Some(s.to_string());
                self.push(
                    FindingId::MaxAgeCapped,
                    Severity::Info,
                    Stage::Preflight,
                    values,
                );
            }
            MaxAge::Invalid(text) => {
                values.value = Some(text);
                self.push(
                    FindingId::MaxAgeInvalid,
                    Severity::Info,
                    Stage::Preflight,
                    values,
                );
            }
            _ => {}
        }
    }

    fn receive_actual(&mut self, response: &Response) {
        let cors = self.cors_flag();
        let include = self.request.includes_credentials();
        let mut values = self.values();
        values.status = Some(response.status);
        let location = location_text(response);
        let redirect = is_redirect_status(response.status) && location.is_some();
        if redirect {
            values.location = location.as_deref().map(|l| {
                self.url
                    .join(l)
                    .map(|u| u.to_string())
                    .unwrap_or_else(|_| l.to_string())
            });
        }
        if self.request.mode == Mode::NoCors {
            if !redirect {
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
            let origin = self.origin_now().serialize();
            if let Err(f) = allow_origin::check(&response.headers, &origin, include, self.browser) {
                values.value = Some(f.value);
                let stage = if redirect {
                    Stage::Redirect
                } else {
                    Stage::Actual
                };
                self.push(f.id, Severity::Blocking, stage, values);
                self.finish(Verdict::Blocked);
                return;
            }
        }
        if let (true, Some(text)) = (redirect, location) {
            self.follow_redirect(response.status, &text, values);
            return;
        }
        if cors {
            self.after_allowed(response, values);
        }
        self.finish(Verdict::Allowed);
    }

    fn follow_redirect(&mut self, status: u16, location_text: &str, values: Values) {
        let Ok(next) = self.url.join(location_text) else {
            self.push(
                FindingId::InvalidResponse,
                Severity::Blocking,
                Stage::Redirect,
                values,
            );
            self.finish(Verdict::Blocked);
            return;
        };
        let mut values = values;
        values.location = Some(next.to_string());
        self.redirects += 1;
        if self.redirects > REDIRECT_LIMIT {
            self.push(
                FindingId::TooManyRedirects,
                Severity::Blocking,
                Stage::Redirect,
                values,
            );
            self.finish(Verdict::Blocked);
            return;
        }
        if !matches!(next.scheme(), "http" | "https") {
            values.scheme = Some(next.scheme().to_string());
            self.push(
                FindingId::RedirectNonHttpScheme,
                Severity::Blocking,
                Stage::Redirect,
                values,
            );
            self.finish(Verdict::Blocked);
            return;
        }
        let next_origin = Origin::of_url(&next);
        let has_userinfo = !next.username().is_empty() || next.password().is_some();
        if has_userinfo
            && self.request.mode == Mode::Cors
            && (self.cors_flag() || !self.origin_now().same_origin(&next_origin))
        {
            values.value = Some(String::new());
            self.push(
                FindingId::RedirectWithCredentials,
                Severity::Blocking,
                Stage::Redirect,
                values,
            );
            self.finish(Verdict::Blocked);
            return;
        }
        let current_origin = Origin::of_url(&self.url);
        if !next_origin.same_origin(&current_origin) {
            if !self.origin_now().same_origin(&current_origin) {
                self.tainted = true;
            }
            self.headers
                .retain(|(n, _)| !n.eq_ignore_ascii_case("authorization"));
        }
        let rewrite = (matches!(status, 301 | 302) && self.method == "POST")
            || (status == 303 && !matches!(self.method.as_str(), "GET" | "HEAD"));
        if rewrite {
            self.method = "GET".to_string();
            self.headers.retain(|(n, _)| {
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
        self.url = next;
        let needs_preflight = self.cors_flag()
            && (self.request.force_preflight
                || !crate::method::is_cors_safelisted(&self.method)
                || !crate::safelist::unsafe_headers(&self.headers, self.browser).is_empty());
        self.state = if needs_preflight {
            State::Preflight
        } else {
            State::Actual
        };
    }

    fn after_allowed(&mut self, response: &Response, values: Values) {
        let include = self.request.includes_credentials();
        self.readable = Some(readable_headers(&response.headers, include));
        let hidden = unexposed_application_headers(&response.headers, include);
        if !hidden.is_empty() {
            let mut v = values.clone();
            v.header = Some(hidden.join(", "));
            self.push(
                FindingId::HeaderNotExposed,
                Severity::Info,
                Stage::Actual,
                v,
            );
        }
        let acao = get_combined(&response.headers, ALLOW_ORIGIN).unwrap_or_default();
        if acao != "*" && !vary_covers_origin(&response.headers) {
            let cache_signals = shared_cache_signals(&response.headers);
            let mut v = values;
            if cache_signals.is_empty() {
                v.value = Some(acao);
                self.push(
                    FindingId::AllowOriginWithoutVary,
                    Severity::Warning,
                    Stage::Actual,
                    v,
                );
            } else {
                v.value = Some(cache_signals.join(", "));
                self.push(
                    FindingId::SharedCacheWithoutVary,
                    Severity::Warning,
                    Stage::Actual,
                    v,
                );
            }
        }
    }

    fn push(&mut self, id: FindingId, severity: Severity, stage: Stage, values: Values) {
        let message = render(id, self.browser, stage, &values);
        if let Some(main) = &message {
            self.console.push(main.clone());
            if severity == Severity::Blocking {
                self.console
                    .extend(companion_lines(self.browser, &values, main));
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
            steps: self.steps,
            readable_headers: self.readable,
            preflight_cache_seconds: self.cache_seconds,
        }
    }
}

impl Classification {
    /// The unsafe headers among the headers as they are now (after redirects
    /// dropped some), in the order the script set them.
    fn unsafe_headers_for(
        &self,
        headers: &[(String, String)],
        browser: Browser,
    ) -> Vec<crate::safelist::UnsafeHeader> {
        crate::safelist::unsafe_headers(headers, browser)
    }
}

fn is_redirect_status(status: u16) -> bool {
    matches!(status, 301 | 302 | 303 | 307 | 308)
}

fn location_text(response: &Response) -> Option<String> {
    all_values(&response.headers, "location")
        .next()
        .map(str::to_string)
}

/// `Vary: Origin` or `Vary: *`.
pub fn vary_covers_origin(headers: &HeaderLines) -> bool {
    all_values(headers, "vary")
        .any(|v| list_items(v).any(|item| item == "*" || item.eq_ignore_ascii_case("origin")))
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
fn same_site(a: &Origin, b: &Origin) -> bool {
    match (a, b) {
        (
            Origin::Tuple {
                scheme: sa,
                host: ha,
                ..
            },
            Origin::Tuple {
                scheme: sb,
                host: hb,
                ..
            },
        ) => {
            let site = |h: &str| {
                let labels: Vec<&str> = h.rsplit('.').take(2).collect();
                labels.join(".")
            };
            sa == sb && site(ha) == site(hb)
        }
        _ => false,
    }
}

/// Runs `request` in each browser of `browsers`, asking `responder` for the
/// response to each planned request. Identical requests are asked once and
/// the answer shared between browsers, as the probe does on the network.
/// `responder` returns `Err(net_error, description)` when there is no response.
pub fn evaluate(
    request: &Request,
    browsers: &[Browser],
    mut responder: impl FnMut(&PlannedRequest) -> Result<Response, (String, String)>,
) -> Outcome {
    let mut answered: Vec<(PlannedRequest, Result<Response, (String, String)>)> = Vec::new();
    let mut outcomes = Vec::with_capacity(browsers.len());
    for &browser in browsers {
        let mut flow = Flow::start(request, browser);
        // Bounded: each step either finishes or follows one of ≤ 20 redirects,
        // each of which may add one preflight.
        for _ in 0..(2 * REDIRECT_LIMIT + 4) {
            let Some(planned) = flow.next_request() else {
                break;
            };
            let cached = answered
                .iter()
                .find(|(p, _)| p.key() == planned.key())
                .map(|(_, r)| r.clone());
            let result = match cached {
                Some(r) => r,
                None => {
                    let r = responder(&planned);
                    answered.push((planned.clone(), r.clone()));
                    r
                }
            };
            match result {
                Ok(response) => flow.receive(&response),
                Err((net_error, description)) => flow.fail_network(&net_error, &description),
            }
        }
        outcomes.push(flow.outcome());
    }
    Outcome { browsers: outcomes }
}
