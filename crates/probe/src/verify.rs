//! `verify`: a declared policy proven against a deployment. From each rule
//! it derives the requests that decide it — every allowed origin (a made-up
//! subdomain for a `*.` pattern) × each declared method with the declared
//! request headers and credentials, and every origin that must be refused:
//! the policy's own and the near misses and attack shapes `scan` knows —
//! runs them all through the engine's driver (each distinct request sent
//! once, concurrently), and judges each browser's outcome against the rule.

use crate::error::ProbeError;
use crate::flows::{run_flows, FlowsRun, Limits};
use crate::scan_matrix::origins;
use crate::transport::Client;
use cors_engine::{
    expose, Browser, BrowserOutcome, CredentialsMode, Driver, FindingId, Flow, Origin, Request,
    Verdict,
};
use cors_policy::{OriginPattern, Policy};
use url::Url;

/// What to verify.
#[derive(Clone, Debug)]
pub struct VerifyRequest {
    pub policy: Policy,
    pub browsers: Vec<Browser>,
    pub limits: Limits,
}

/// Why a request is made: an origin the rule allows, or one it must refuse.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Expect {
    /// Allowed by this `allow_origins` entry.
    Allowed { pattern: String },
    /// Must be refused: listed in `refuse_origins`, or derived (`label`).
    Refused { label: String },
}

/// One request the policy implies.
#[derive(Clone, Debug)]
pub struct PolicyRequest {
    pub api: usize,
    pub rule: usize,
    pub url: Url,
    pub origin: Origin,
    pub method: String,
    pub headers: Vec<(String, String)>,
    pub credentials: bool,
    pub expect: Expect,
}

/// What an assertion is about, named after the policy key it proves.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Check {
    /// The allowed request passes (origin, method, headers, credentials).
    Allowed,
    /// The exposed headers are readable by script.
    Exposed,
    /// `Vary: Origin` where the answer names one origin.
    Vary,
    /// The preflight's max-age, as each browser caches it.
    MaxAge,
    /// The origin is refused.
    Refused,
}

impl Check {
    pub fn id(self) -> &'static str {
        match self {
            Check::Allowed => "allowed",
            Check::Exposed => "exposed",
            Check::Vary => "vary",
            Check::MaxAge => "max-age",
            Check::Refused => "refused",
        }
    }

    /// The policy key a failure points at.
    pub fn key(self) -> &'static str {
        match self {
            Check::Allowed => "allow_origins",
            Check::Exposed => "expose_headers",
            Check::Vary => "allow_origins",
            Check::MaxAge => "max_age",
            Check::Refused => "refuse_origins",
        }
    }
}

/// One judged fact: a rule × request × browser × check.
#[derive(Clone, Debug)]
pub struct Assertion {
    /// Index into [`VerifyReport::requests`].
    pub request: usize,
    pub browser: Browser,
    pub check: Check,
    pub held: bool,
    /// What was expected and what happened, in the policy's words.
    pub message: String,
    /// The catalogue entry behind a violation, if the engine named one.
    pub finding: Option<FindingId>,
    /// The browser's console lines for this request.
    pub console: Vec<String>,
    /// The policy key a violation is about (see [`key_of`]).
    pub key: &'static str,
}

/// The policy key a violation points at: the one whose promise the
/// finding breaks (the preflight's method list is `methods`, its header
/// list `request_headers`, credentials `credentials`), else the check's.
pub fn key_of(check: Check, finding: Option<FindingId>) -> &'static str {
    use FindingId::*;
    match (check, finding) {
        (Check::Allowed, Some(MethodNotAllowed | AllowMethodsInvalid)) => "methods",
        (
            Check::Allowed,
            Some(HeaderNotAllowed | AllowHeadersInvalid | AuthorizationNotCoveredByWildcard),
        ) => "request_headers",
        (Check::Allowed, Some(AllowCredentialsNotTrue | WildcardWithCredentials)) => "credentials",
        // A derived origin the server lets in: the allowed origin it was derived from.
        (Check::Refused, _) => "allow_origins",
        _ => check.key(),
    }
}

/// Everything `verify` found.
#[derive(Debug)]
pub struct VerifyReport {
    pub policy: Policy,
    pub browsers: Vec<Browser>,
    pub requests: Vec<PolicyRequest>,
    pub assertions: Vec<Assertion>,
    /// Requests put on the wire.
    pub requests_sent: usize,
    /// The first request that could not reach the server, if any.
    pub network_error: Option<ProbeError>,
}

impl VerifyReport {
    pub fn holds(&self) -> bool {
        self.network_error.is_none() && self.assertions.iter().all(|a| a.held)
    }
}

/// The value a page would send for a declared request header: one that the
/// engine's safelist finds CORS-unsafe in every browser, so that declaring a
/// header proves the preflight allows it.
fn value_for(header: &str) -> String {
    let typical = match header.to_ascii_lowercase().as_str() {
        "content-type" => "application/json",
        "authorization" => "Bearer cors-doctor-verify",
        _ => "1",
    };
    let unsafe_everywhere = |value: &str| {
        Browser::ALL
            .iter()
            .all(|&b| cors_engine::safelist::check_safelisted(header, value, b).is_err())
    };
    [typical, "cors-doctor:verify", "\"cors-doctor\""]
        .into_iter()
        .find(|v| unsafe_everywhere(v))
        .unwrap_or(typical)
        .to_string()
}

/// A method, request headers and whether credentials are included.
type RequestShape = (String, Vec<(String, String)>, bool);

/// The requests that decide `policy`.
pub fn policy_requests(policy: &Policy) -> Vec<PolicyRequest> {
    let mut out = Vec::new();
    for (ai, api) in policy.apis.iter().enumerate() {
        for (ri, rule) in api.rules.iter().enumerate() {
            let headers: Vec<(String, String)> = rule
                .request_headers
                .iter()
                .map(|h| (h.clone(), value_for(h)))
                .collect();
            let examples: Vec<(Origin, String)> = rule
                .allow_origins
                .iter()
                .map(|p| {
                    // `*`: a made-up page of the API's own scheme (an https
                    // page calling an http API would be mixed content).
                    let origin = p.example().unwrap_or_else(|| Origin::Tuple {
                        scheme: api.base_url.scheme().to_string(),
                        host: "cors-doctor-verify.example".into(),
                        port: None,
                    });
                    (origin, p.to_string())
                })
                .collect();
            let allowed_by = |o: &Origin| rule.allow_origins.iter().any(|p| p.matches(o));
            // The near misses and attack shapes are derived from every
            // allowed origin: an exact one, and for `*.parent` an example
            // subdomain and the parent itself.
            let exact: Vec<Origin> = rule
                .allow_origins
                .iter()
                .flat_map(|p| match p {
                    OriginPattern::Exact(o) => vec![o.clone()],
                    OriginPattern::Subdomains {
                        scheme,
                        parent,
                        port,
                    } => {
                        let parent = Origin::Tuple {
                            scheme: scheme.clone(),
                            host: parent.clone(),
                            port: *port,
                        };
                        p.example().into_iter().chain([parent]).collect()
                    }
                    OriginPattern::Any => Vec::new(),
                })
                .collect();
            let mut refused: Vec<(Origin, String)> = rule
                .refuse_origins
                .iter()
                .map(|o| (o.clone(), "refuse_origins".to_string()))
                .collect();
            if !rule.allow_origins.contains(&OriginPattern::Any) {
                for o in origins(&exact) {
                    if allowed_by(&o.origin) {
                        continue;
                    }
                    if !refused.iter().any(|(r, _)| *r == o.origin) {
                        refused.push((o.origin, o.label));
                    }
                }
                // Any origin at all: is the origin reflected?
                let arbitrary = Origin::Tuple {
                    scheme: "https".into(),
                    host: "cors-doctor-arbitrary.example".into(),
                    port: None,
                };
                if !allowed_by(&arbitrary) && !refused.iter().any(|(r, _)| *r == arbitrary) {
                    refused.push((arbitrary, "an arbitrary origin".to_string()));
                }
            }
            for path in &rule.probe_paths {
                let Ok(url) = api.url_of(path) else {
                    continue;
                };
                for (origin, pattern) in &examples {
                    for method in &rule.methods {
                        out.push(PolicyRequest {
                            api: ai,
                            rule: ri,
                            url: url.clone(),
                            origin: origin.clone(),
                            method: method.clone(),
                            headers: headers.clone(),
                            credentials: rule.credentials,
                            expect: Expect::Allowed {
                                pattern: pattern.clone(),
                            },
                        });
                    }
                }
                // Each origin to refuse tries the rule's requests as the
                // pages make them and a plain GET without credentials (a
                // server may guard its preflight and reflect on simple
                // requests, or answer `*` where credentials are not sent).
                let mut shapes: Vec<RequestShape> = rule
                    .methods
                    .iter()
                    .map(|m| (m.clone(), headers.clone(), rule.credentials))
                    .collect();
                let plain = ("GET".to_string(), Vec::new(), false);
                if !shapes.contains(&plain) {
                    shapes.push(plain);
                }
                for (origin, label) in &refused {
                    for (method, headers, credentials) in &shapes {
                        out.push(PolicyRequest {
                            api: ai,
                            rule: ri,
                            url: url.clone(),
                            origin: origin.clone(),
                            method: method.clone(),
                            headers: headers.clone(),
                            credentials: *credentials,
                            expect: Expect::Refused {
                                label: label.clone(),
                            },
                        });
                    }
                }
            }
        }
    }
    out
}

fn engine_request(r: &PolicyRequest) -> Request {
    let page = match &r.origin {
        Origin::Tuple { .. } => {
            Url::parse(&format!("{}/", r.origin.serialize())).unwrap_or_else(|_| r.url.clone())
        }
        Origin::Opaque => Url::parse("data:text/html,").unwrap_or_else(|_| r.url.clone()),
    };
    let mut request = Request::new(page, r.url.clone()).origin(r.origin.clone());
    request.method = r.method.clone();
    request.headers = r.headers.clone();
    request.credentials = if r.credentials {
        CredentialsMode::Include
    } else {
        CredentialsMode::Omit
    };
    request
}

/// Runs the verification. `progress(sent, known)` as requests complete.
pub async fn run_verify(
    verify: &VerifyRequest,
    client: &Client,
    progress: &(dyn Fn(usize, usize) + Sync),
) -> VerifyReport {
    let requests = policy_requests(&verify.policy);
    let engine_requests: Vec<Request> = requests.iter().map(engine_request).collect();
    let mut driver = Driver::new().credentials_not_on_wire();
    for request in &engine_requests {
        for &browser in &verify.browsers {
            driver.add(Flow::start(request, browser));
        }
    }
    let FlowsRun {
        outcome,
        sent,
        network_error,
    } = run_flows(
        driver,
        client,
        &verify.limits,
        b"cors-doctor verify",
        0,
        progress,
    )
    .await;
    let per_request = verify.browsers.len().max(1);
    let mut assertions = Vec::new();
    for (flow, result) in outcome.browsers.iter().enumerate() {
        let index = flow / per_request;
        let (Some(request), Some(rule)) = (
            requests.get(index),
            requests.get(index).and_then(|r| {
                verify
                    .policy
                    .apis
                    .get(r.api)
                    .and_then(|a| a.rules.get(r.rule))
            }),
        ) else {
            continue;
        };
        let response = result
            .steps
            .iter()
            .rev()
            .find_map(|&i| outcome.exchanges.get(i)?.response.as_ref().ok());
        judge(
            request,
            rule,
            result,
            response.map(|r| &r.headers[..]),
            index,
            &mut assertions,
        );
    }
    VerifyReport {
        policy: verify.policy.clone(),
        browsers: verify.browsers.clone(),
        requests,
        assertions,
        requests_sent: sent,
        network_error,
    }
}

fn blocking_of(outcome: &BrowserOutcome) -> Option<FindingId> {
    outcome.blocking().map(|f| f.id)
}

/// Judges one browser's outcome of one request against its rule.
fn judge(
    request: &PolicyRequest,
    rule: &cors_policy::Rule,
    outcome: &BrowserOutcome,
    response: Option<&[(String, String)]>,
    index: usize,
    out: &mut Vec<Assertion>,
) {
    let browser = outcome.browser;
    let allowed = outcome.verdict == Verdict::Allowed;
    let mut push = |check: Check, held: bool, message: String, finding: Option<FindingId>| {
        let key = match (&request.expect, check) {
            (Expect::Refused { label }, _) if label == "refuse_origins" => "refuse_origins",
            _ => key_of(check, finding),
        };
        out.push(Assertion {
            request: index,
            browser,
            check,
            held,
            message,
            finding,
            console: outcome.console.clone(),
            key,
        });
    };
    match &request.expect {
        Expect::Allowed { pattern } => {
            let what = describe(request);
            if allowed {
                push(
                    Check::Allowed,
                    true,
                    format!(
                        "{what} from {} (allowed by `{pattern}`) passes",
                        request.origin.serialize()
                    ),
                    None,
                );
            } else {
                let finding = blocking_of(outcome);
                push(
                    Check::Allowed,
                    false,
                    format!(
                        "{what} from {} must pass (allowed by `{pattern}`) but {}",
                        request.origin.serialize(),
                        match outcome.verdict {
                            Verdict::Unreachable => "got no response",
                            _ => "is blocked",
                        }
                    ),
                    finding,
                );
                return;
            }
            if let Some(headers) = response {
                for name in &rule.expose_headers {
                    let readable = expose::exposes(headers, name, request.credentials);
                    push(
                        Check::Exposed,
                        readable,
                        if readable {
                            format!("script can read `{name}`")
                        } else {
                            format!("script cannot read `{name}`: Access-Control-Expose-Headers does not name it{}", if request.credentials { " (with credentials `*` does not count)" } else { "" })
                        },
                        (!readable).then_some(FindingId::HeaderNotExposed),
                    );
                }
            }
            let no_vary = outcome.findings.iter().find(|f| {
                matches!(
                    f.id,
                    FindingId::AllowOriginWithoutVary | FindingId::SharedCacheWithoutVary
                )
            });
            push(
                Check::Vary,
                no_vary.is_none(),
                match no_vary {
                    None => "the answer that names the origin varies on Origin (or is `*`)".to_string(),
                    Some(_) => "Access-Control-Allow-Origin names the origin but `Vary: Origin` is missing: a cache can serve this answer to another origin".to_string(),
                },
                no_vary.map(|f| f.id),
            );
            if let (Some(want), true) = (rule.max_age, outcome.classification.needs_preflight()) {
                let expected = cors_engine::max_age::effective_seconds(
                    &cors_engine::max_age::MaxAge::Seconds(want),
                    browser,
                );
                let got = outcome.preflight_cache_seconds;
                let seconds = |s: Option<u64>| {
                    s.map_or_else(|| "not cached".to_string(), |s| format!("{s} s"))
                };
                push(
                    Check::MaxAge,
                    got == expected,
                    if got == expected {
                        format!("the preflight is cached for {}", seconds(got))
                    } else {
                        format!(
                            "the preflight is cached for {}, the policy's max_age {want} means {} here",
                            seconds(got),
                            seconds(expected)
                        )
                    },
                    (got != expected).then_some(FindingId::MaxAgeNotAsDeclared),
                );
            }
        }
        Expect::Refused { label } => {
            let origin = request.origin.serialize();
            // Refused means the server's answer does not let this origin
            // in (the engine's origin check), not merely that a browser
            // blocked the request for another reason (mixed content, a
            // method the preflight does not list).
            let answer_allows = response.is_some_and(|h| {
                cors_engine::allow_origin::check(h, &origin, request.credentials, browser).is_ok()
            });
            let reflected = answer_allows
                && response.is_some_and(|h| {
                    cors_engine::headers::all_values(h, "access-control-allow-origin")
                        .any(|v| v.trim() == origin)
                });
            let held = !allowed && !answer_allows && outcome.verdict != Verdict::Unreachable;
            push(
                Check::Refused,
                held,
                match (held, outcome.verdict) {
                    (true, _) => format!("{} ({label}) is refused", request.origin.serialize()),
                    (false, Verdict::Unreachable) => format!("{} ({label}): no response, nothing judged", request.origin.serialize()),
                    (false, _) if reflected => format!("{} ({label}) must be refused but is allowed: the server reflects the origin it is sent", request.origin.serialize()),
                    (false, _) => format!("{} ({label}) must be refused but is allowed", request.origin.serialize()),
                },
                (!held).then_some(if reflected && request.credentials {
                    FindingId::ReflectedOriginWithCredentials
                } else {
                    FindingId::OriginNotRefused
                }),
            );
        }
    }
}

/// `PUT + Content-Type, Authorization, credentials`.
pub fn describe(r: &PolicyRequest) -> String {
    let mut text = r.method.clone();
    if !r.headers.is_empty() {
        let names: Vec<&str> = r.headers.iter().map(|(n, _)| n.as_str()).collect();
        text.push_str(" + ");
        text.push_str(&names.join(", "));
    }
    if r.credentials {
        text.push_str(", with credentials");
    }
    text
}
