//! End-to-end flows of the engine with canned responses: what each browser
//! sends, its verdict and its exact console message, table by table.

#![allow(clippy::unwrap_used, clippy::expect_used)] // tests may panic on broken fixtures

use cors_engine::{
    evaluate, Browser, CredentialsMode, FindingId, Initiator, Mode, Outcome, PlannedRequest,
    Request, RequestPurpose, Response, Stage, Verdict,
};
use url::Url;

const PAGE: &str = "https://app.example.com/page";
const ORIGIN: &str = "https://app.example.com";
const API: &str = "https://api.example.com/data";

fn h(pairs: &[(&str, &str)]) -> Vec<(String, String)> {
    pairs
        .iter()
        .map(|(n, v)| (n.to_string(), v.to_string()))
        .collect()
}

fn get(url: &str) -> Request {
    Request::new(Url::parse(PAGE).unwrap(), Url::parse(url).unwrap())
}

/// A server as a list of (purpose, url, response).
struct Server(Vec<(RequestPurpose, &'static str, Response)>);

impl Server {
    fn new() -> Server {
        Server(Vec::new())
    }
    fn preflight(mut self, url: &'static str, status: u16, headers: &[(&str, &str)]) -> Server {
        self.0.push((
            RequestPurpose::Preflight,
            url,
            Response::new(status, h(headers)),
        ));
        self
    }
    fn actual(mut self, url: &'static str, status: u16, headers: &[(&str, &str)]) -> Server {
        self.0.push((
            RequestPurpose::Actual,
            url,
            Response::new(status, h(headers)),
        ));
        self
    }
    fn run(&self, request: &Request) -> Outcome {
        evaluate(request, &Browser::ALL, |p: &PlannedRequest| {
            self.0
                .iter()
                .find(|(purpose, url, _)| *purpose == p.purpose && p.url.as_str() == *url)
                .map(|(_, _, r)| r.clone())
                .ok_or_else(|| {
                    (
                        "ERR_CONNECTION_REFUSED".to_string(),
                        "Could not connect to the server.".to_string(),
                    )
                })
        })
    }
}

fn verdicts(o: &Outcome) -> [Verdict; 3] {
    [0, 1, 2].map(|i| o.browsers[i].verdict)
}

fn ids(o: &Outcome) -> [Option<FindingId>; 3] {
    [0, 1, 2].map(|i| o.browsers[i].blocking().map(|f| f.id))
}

fn message(o: &Outcome, b: Browser) -> String {
    o.get(b)
        .and_then(|x| x.blocking())
        .and_then(|f| f.message.clone())
        .unwrap_or_default()
}

#[test]
fn no_cors_headers_at_all() {
    let o = Server::new().actual(API, 200, &[]).run(&get(API));
    assert_eq!(verdicts(&o), [Verdict::Blocked; 3]);
    assert_eq!(ids(&o), [Some(FindingId::AllowOriginMissing); 3]);
    assert_eq!(message(&o, Browser::Chromium), "Access to fetch at 'https://api.example.com/data' from origin 'https://app.example.com' has been blocked by CORS policy: No 'Access-Control-Allow-Origin' header is present on the requested resource.");
    assert_eq!(message(&o, Browser::Firefox), "Cross-Origin Request Blocked: The Same Origin Policy disallows reading the remote resource at https://api.example.com/data. (Reason: CORS header ‘Access-Control-Allow-Origin’ missing). Status code: 200.");
    assert_eq!(message(&o, Browser::WebKit), "Origin https://app.example.com is not allowed by Access-Control-Allow-Origin. Status code: 200");
    let webkit = o.get(Browser::WebKit).unwrap();
    assert_eq!(
        webkit.console[1],
        "Fetch API cannot load https://api.example.com/data due to access control checks."
    );
}

#[test]
fn allowed_simple_request_sends_no_preflight() {
    let o = Server::new()
        .actual(
            API,
            200,
            &[("Access-Control-Allow-Origin", ORIGIN), ("Vary", "Origin")],
        )
        .run(&get(API));
    assert_eq!(verdicts(&o), [Verdict::Allowed; 3]);
    assert_eq!(
        o.exchanges.len(),
        1,
        "one request serves all three browsers"
    );
    for b in &o.browsers {
        let steps = o.steps_of(b.browser);
        assert_eq!(steps.len(), 1);
        assert_eq!(steps[0].request.purpose, RequestPurpose::Actual);
        assert_eq!(steps[0].request.owned_headers(), h(&[("Origin", ORIGIN)]));
        assert!(b.findings.is_empty(), "{:?}", b.findings);
    }
}

#[test]
fn trailing_slash_mismatch_messages() {
    let o = Server::new()
        .actual(
            API,
            200,
            &[("Access-Control-Allow-Origin", "https://app.example.com/")],
        )
        .run(&get(API));
    assert_eq!(ids(&o), [Some(FindingId::AllowOriginMismatch); 3]);
    assert_eq!(message(&o, Browser::Chromium), "Access to fetch at 'https://api.example.com/data' from origin 'https://app.example.com' has been blocked by CORS policy: The 'Access-Control-Allow-Origin' header has a value 'https://app.example.com/' that is not equal to the supplied origin. Have the server send the header with a valid value.");
    assert_eq!(message(&o, Browser::Firefox), "Cross-Origin Request Blocked: The Same Origin Policy disallows reading the remote resource at https://api.example.com/data. (Reason: CORS header ‘Access-Control-Allow-Origin’ does not match ‘https://app.example.com/’).");
}

#[test]
fn wildcard_with_credentials_xhr_suffix() {
    let r = get(API)
        .credentials(CredentialsMode::Include)
        .initiator(cors_engine::Initiator::XmlHttpRequest);
    let o = Server::new()
        .actual(
            API,
            200,
            &[
                ("Access-Control-Allow-Origin", "*"),
                ("Access-Control-Allow-Credentials", "true"),
            ],
        )
        .run(&r);
    assert_eq!(ids(&o), [Some(FindingId::WildcardWithCredentials); 3]);
    assert_eq!(message(&o, Browser::Chromium), "Access to XMLHttpRequest at 'https://api.example.com/data' from origin 'https://app.example.com' has been blocked by CORS policy: The value of the 'Access-Control-Allow-Origin' header in the response must not be the wildcard '*' when the request's credentials mode is 'include'. The credentials mode of requests initiated by the XMLHttpRequest is controlled by the withCredentials attribute.");
    assert_eq!(message(&o, Browser::Firefox), "Cross-Origin Request Blocked: The Same Origin Policy disallows reading the remote resource at ‘https://api.example.com/data’. (Reason: Credential is not supported if the CORS header ‘Access-Control-Allow-Origin’ is ‘*’).");
    assert_eq!(
        message(&o, Browser::WebKit),
        "Cannot use wildcard in Access-Control-Allow-Origin when credentials flag is true."
    );
}

#[test]
fn preflight_404_without_cors_headers_is_one_cause_in_three_wordings() {
    let r = get(API)
        .method("PUT")
        .header("Content-Type", "application/json");
    let o = Server::new().preflight(API, 404, &[]).run(&r);
    assert_eq!(ids(&o), [Some(FindingId::PreflightRejected); 3]);
    assert_eq!(message(&o, Browser::Chromium), "Access to fetch at 'https://api.example.com/data' from origin 'https://app.example.com' has been blocked by CORS policy: Response to preflight request doesn't pass access control check: No 'Access-Control-Allow-Origin' header is present on the requested resource.");
    assert_eq!(message(&o, Browser::Firefox), "Cross-Origin Request Blocked: The Same Origin Policy disallows reading the remote resource at https://api.example.com/data. (Reason: CORS header ‘Access-Control-Allow-Origin’ missing). Status code: 404.");
    assert_eq!(
        message(&o, Browser::WebKit),
        "Preflight response is not successful. Status code: 404"
    );
    let pf = &o.steps_of(Browser::Chromium)[0].request;
    assert_eq!(pf.method, "OPTIONS");
    assert_eq!(
        pf.owned_headers(),
        h(&[
            ("Origin", ORIGIN),
            ("Access-Control-Request-Method", "PUT"),
            ("Access-Control-Request-Headers", "content-type")
        ])
    );
    assert!(!pf.credentials);
}

#[test]
fn preflight_500_with_cors_headers() {
    let r = get(API).method("DELETE");
    let o = Server::new()
        .preflight(
            API,
            500,
            &[
                ("Access-Control-Allow-Origin", ORIGIN),
                ("Access-Control-Allow-Methods", "DELETE"),
            ],
        )
        .run(&r);
    assert_eq!(ids(&o), [Some(FindingId::PreflightStatusNotOk); 3]);
    assert_eq!(message(&o, Browser::Chromium), "Access to fetch at 'https://api.example.com/data' from origin 'https://app.example.com' has been blocked by CORS policy: Response to preflight request doesn't pass access control check: It does not have HTTP ok status.");
    assert_eq!(message(&o, Browser::Firefox), "Cross-Origin Request Blocked: The Same Origin Policy disallows reading the remote resource at https://api.example.com/data. (Reason: CORS preflight response did not succeed). Status code: 500.");
}

#[test]
fn preflight_redirect_http_to_https() {
    // A PUT whose preflight is answered 301 to `location`.
    let redirected_preflight = |url: &'static str, location: &str| {
        Server::new()
            .preflight(url, 301, &[("Location", location)])
            .run(&get(url).method("PUT"))
    };
    let o = redirected_preflight("http://127.0.0.1:8080/data", "https://127.0.0.1:8443/data");
    // Firefox checks Allow-Origin first, even on a redirect (conformance: preflight-redirect-302-nocors).
    // WebKit never sends it: http loopback from an https page is mixed
    // content there (conformance: mixed-https-to-http-127).
    assert_eq!(
        ids(&o),
        [
            Some(FindingId::PreflightRedirect),
            Some(FindingId::AllowOriginMissing),
            Some(FindingId::MixedContent)
        ]
    );
    assert_eq!(message(&o, Browser::Chromium), "Access to fetch at 'http://127.0.0.1:8080/data' from origin 'https://app.example.com' has been blocked by CORS policy: Response to preflight request doesn't pass access control check: Redirect is not allowed for a preflight request.");
    assert_eq!(message(&o, Browser::Firefox), "Cross-Origin Request Blocked: The Same Origin Policy disallows reading the remote resource at http://127.0.0.1:8080/data. (Reason: CORS header ‘Access-Control-Allow-Origin’ missing). Status code: 301.");
    let firefox = o.get(Browser::Firefox).unwrap();
    assert_eq!(firefox.console.len(), 3, "{:#?}", firefox.console);
    assert_eq!(
        message(&o, Browser::WebKit),
        "[blocked] The page at https://app.example.com/page requested insecure content from http://127.0.0.1:8080/data. This content was blocked and must"
    );
    let o = redirected_preflight(
        "https://api.example.com/data",
        "https://api.example.com/elsewhere",
    );
    assert_eq!(
        message(&o, Browser::WebKit),
        "Preflight response is not successful. Status code: 301"
    );
}

#[test]
fn authorization_with_wildcard_passes_with_warnings() {
    let r = get(API).header("Authorization", "Bearer x");
    let o = Server::new()
        .preflight(
            API,
            204,
            &[
                ("Access-Control-Allow-Origin", "*"),
                ("Access-Control-Allow-Headers", "*"),
                ("Access-Control-Allow-Methods", "*"),
            ],
        )
        .actual(API, 200, &[("Access-Control-Allow-Origin", "*")])
        .run(&r);
    // The standard says fail; Chromium 156 and Firefox 153 both pass (conformance: auth-acah-star).
    assert_eq!(verdicts(&o), [Verdict::Allowed; 3]);
    let chromium = o.get(Browser::Chromium).unwrap();
    assert_eq!(
        chromium.findings[0].id,
        FindingId::AuthorizationNotCoveredByWildcard
    );
    assert!(
        chromium.console.is_empty(),
        "only a DevTools issue, no console line"
    );
    let firefox = o.get(Browser::Firefox).unwrap();
    assert_eq!(
        firefox.findings[0].id,
        FindingId::AuthorizationNotCoveredByWildcard
    );
    assert_eq!(firefox.console[0], "Cross-Origin Request Warning: The Same Origin Policy will disallow reading the remote resource at https://api.example.com/data soon. (Reason: When the `Access-Control-Allow-Headers` is `*`, the `Authorization` header is not covered. To include the `Authorization` header, it must be explicitly listed in CORS header `Access-Control-Allow-Headers`).");
}

#[test]
fn lowercase_patch_is_sent_and_compared_as_is() {
    let r = get(API).method("patch");
    let o = Server::new()
        .preflight(
            API,
            204,
            &[
                ("Access-Control-Allow-Origin", ORIGIN),
                ("Access-Control-Allow-Methods", "GET, POST, PATCH"),
            ],
        )
        .run(&r);
    assert_eq!(ids(&o), [Some(FindingId::MethodNotAllowed); 3]);
    assert_eq!(
        o.steps_of(Browser::Chromium)[0].request.owned_headers()[1],
        (
            "Access-Control-Request-Method".to_string(),
            "patch".to_string()
        )
    );
    assert_eq!(message(&o, Browser::Chromium), "Access to fetch at 'https://api.example.com/data' from origin 'https://app.example.com' has been blocked by CORS policy: Method patch is not allowed by Access-Control-Allow-Methods in preflight response.");
    assert_eq!(message(&o, Browser::Firefox), "Cross-Origin Request Blocked: The Same Origin Policy disallows reading the remote resource at https://api.example.com/data. (Reason: Did not find method in CORS header ‘Access-Control-Allow-Methods’).");
    assert_eq!(
        message(&o, Browser::WebKit),
        "Method patch is not allowed by Access-Control-Allow-Methods."
    );
    assert!(o.browsers[0].blocking().unwrap().fix().contains("`PATCH`"));
}

#[test]
fn header_not_allowed_names_differ_in_case() {
    let r = get(API)
        .method("POST")
        .header("Content-Type", "application/json")
        .header("X-Request-Id", "1");
    let server = Server::new().preflight(
        API,
        204,
        &[
            ("Access-Control-Allow-Origin", ORIGIN),
            ("Access-Control-Allow-Headers", "Content-Type"),
        ],
    );
    let o = server.run(&r);
    assert_eq!(ids(&o), [Some(FindingId::HeaderNotAllowed); 3]);
    assert_eq!(message(&o, Browser::Firefox), "Cross-Origin Request Blocked: The Same Origin Policy disallows reading the remote resource at https://api.example.com/data. (Reason: header ‘x-request-id’ is not allowed according to header ‘Access-Control-Allow-Headers’ from CORS preflight response).");
    // WebKit: lowercased for fetch(), as written for XMLHttpRequest
    // (conformance: acah-absent, api-xhr-header-not-allowed).
    assert_eq!(
        message(&o, Browser::WebKit),
        "Request header field x-request-id is not allowed by Access-Control-Allow-Headers."
    );
    let o = server.run(&r.initiator(Initiator::XmlHttpRequest));
    assert_eq!(
        message(&o, Browser::WebKit),
        "Request header field X-Request-Id is not allowed by Access-Control-Allow-Headers."
    );
}

#[test]
fn full_preflighted_credentialed_success_and_cache() {
    let r = get(API)
        .method("PUT")
        .header("Content-Type", "application/json")
        .credentials(CredentialsMode::Include);
    let o = Server::new()
        .preflight(
            API,
            204,
            &[
                ("Access-Control-Allow-Origin", ORIGIN),
                ("Access-Control-Allow-Credentials", "true"),
                ("Access-Control-Allow-Methods", "PUT"),
                ("Access-Control-Allow-Headers", "content-type"),
                ("Access-Control-Max-Age", "86400"),
            ],
        )
        .actual(
            API,
            200,
            &[
                ("Access-Control-Allow-Origin", ORIGIN),
                ("Access-Control-Allow-Credentials", "true"),
                ("Vary", "Origin"),
                ("X-Total-Count", "3"),
            ],
        )
        .run(&r);
    assert_eq!(verdicts(&o), [Verdict::Allowed; 3]);
    assert_eq!(
        [0, 1, 2].map(|i| o.browsers[i].preflight_cache_seconds),
        [Some(7200), Some(86400), Some(600)]
    );
    let chromium = o.get(Browser::Chromium).unwrap();
    let found: Vec<FindingId> = chromium.findings.iter().map(|f| f.id).collect();
    assert_eq!(
        found,
        vec![FindingId::MaxAgeCapped, FindingId::HeaderNotExposed]
    );
    assert!(o.steps_of(Browser::Chromium)[1].request.credentials);
    assert!(!o.steps_of(Browser::Chromium)[0].request.credentials);
}

#[test]
fn redirect_to_other_origin_taints_to_null_f4_10() {
    let o = Server::new()
        .actual(
            API,
            302,
            &[
                ("Access-Control-Allow-Origin", ORIGIN),
                ("Location", "https://cdn.example.net/data"),
            ],
        )
        .actual(
            "https://cdn.example.net/data",
            200,
            &[("Access-Control-Allow-Origin", ORIGIN)],
        )
        .run(&get(API));
    assert_eq!(ids(&o), [Some(FindingId::RedirectTaintedOrigin); 3]);

    assert_eq!(
        o.steps_of(Browser::Chromium)[1].request.owned_headers(),
        h(&[("Origin", "null")])
    );
    assert_eq!(message(&o, Browser::Chromium), "Access to fetch at 'https://cdn.example.net/data' (redirected from 'https://api.example.com/data') from origin 'https://app.example.com' has been blocked by CORS policy: The 'Access-Control-Allow-Origin' header has a value 'https://app.example.com' that is not equal to the supplied origin. Have the server send the header with a valid value.");
    assert_eq!(
        message(&o, Browser::WebKit),
        "Origin null is not allowed by Access-Control-Allow-Origin. Status code: 200"
    );
}

#[test]
fn redirect_without_allow_origin_fails_f4_4() {
    let o = Server::new()
        .actual(API, 302, &[("Location", "/v2/data")])
        .run(&get(API));
    assert_eq!(ids(&o), [Some(FindingId::AllowOriginMissing); 3]);
    assert_eq!(o.browsers[2].blocking().unwrap().stage, Stage::Redirect);
    assert_eq!(message(&o, Browser::WebKit), "Cross-origin redirection to https://api.example.com/v2/data denied by Cross-Origin Resource Sharing policy: Origin https://app.example.com is not allowed by Access-Control-Allow-Origin. Status code: 302");
}

#[test]
fn same_origin_redirect_keeps_origin_f4_11_12() {
    let o = Server::new()
        .actual(
            API,
            307,
            &[
                ("Access-Control-Allow-Origin", ORIGIN),
                ("Location", "https://api.example.com/v2"),
            ],
        )
        .actual(
            "https://api.example.com/v2",
            200,
            &[("Access-Control-Allow-Origin", ORIGIN), ("Vary", "Origin")],
        )
        .run(&get(API));
    assert_eq!(verdicts(&o), [Verdict::Allowed; 3]);
    assert_eq!(
        o.steps_of(Browser::Chromium)[1].request.owned_headers(),
        h(&[("Origin", ORIGIN)])
    );
}

#[test]
fn redirect_with_userinfo_f4_6() {
    let o = Server::new()
        .actual(
            API,
            302,
            &[
                ("Access-Control-Allow-Origin", ORIGIN),
                ("Location", "https://user:pass@api.example.com/x"),
            ],
        )
        .run(&get(API));
    assert_eq!(ids(&o), [Some(FindingId::RedirectWithCredentials); 3]);
    assert_eq!(message(&o, Browser::Chromium), "Access to fetch at 'https://api.example.com/data' from origin 'https://app.example.com' has been blocked by CORS policy: Redirect location '' contains a username and password, which is disallowed for cross-origin requests.");
}

#[test]
fn redirect_loop_stops_after_twenty_f4_13() {
    let o = Server::new()
        .actual(
            API,
            302,
            &[("Access-Control-Allow-Origin", ORIGIN), ("Location", API)],
        )
        .run(&get(API));
    assert_eq!(ids(&o), [Some(FindingId::TooManyRedirects); 3]);
    assert_eq!(
        message(&o, Browser::WebKit),
        "Load cannot follow more than 20 redirections"
    );
}

#[test]
fn post_rewritten_to_get_on_302_f4_14() {
    let r = get(API).method("POST").header("Content-Type", "text/plain");
    let o = Server::new()
        .actual(
            API,
            302,
            &[
                ("Access-Control-Allow-Origin", ORIGIN),
                ("Location", "/done"),
            ],
        )
        .actual(
            "https://api.example.com/done",
            200,
            &[("Access-Control-Allow-Origin", ORIGIN), ("Vary", "Origin")],
        )
        .run(&r);
    let second = &o.steps_of(Browser::Chromium)[1].request;
    assert_eq!(second.method, "GET");
    assert_eq!(second.owned_headers(), h(&[("Origin", ORIGIN)]));
}

#[test]
fn mixed_content_is_blocked_before_network() {
    let o = Server::new().run(&get("http://api.example.com/data"));
    assert_eq!(ids(&o), [Some(FindingId::MixedContent); 3]);
    assert!(o.exchanges.is_empty());
    assert_eq!(message(&o, Browser::Chromium), "Mixed Content: The page at 'https://app.example.com/page' was loaded over HTTPS, but requested an insecure resource 'http://api.example.com/data'. This request has been blocked; the content must be served over HTTPS.");
    assert_eq!(
        message(&o, Browser::Firefox),
        "Blocked loading mixed active content “http://api.example.com/data”"
    );
}

#[test]
fn no_cors_is_opaque() {
    let o = Server::new()
        .actual(API, 200, &[])
        .run(&get(API).mode(Mode::NoCors));
    assert_eq!(verdicts(&o), [Verdict::Opaque; 3]);
}

#[test]
fn duplicate_allow_origin_lines_per_engine() {
    let o = Server::new()
        .actual(
            API,
            200,
            &[
                ("Access-Control-Allow-Origin", ORIGIN),
                ("Access-Control-Allow-Origin", ORIGIN),
            ],
        )
        .run(&get(API));
    assert_eq!(ids(&o), [Some(FindingId::AllowOriginDuplicateLines); 3]);
    assert_eq!(message(&o, Browser::Chromium), "Access to fetch at 'https://api.example.com/data' from origin 'https://app.example.com' has been blocked by CORS policy: The 'Access-Control-Allow-Origin' header contains multiple values 'https://app.example.com, https://app.example.com', but only one is allowed. Have the server send the header with a valid value.");
    assert_eq!(message(&o, Browser::Firefox), "Cross-Origin Request Blocked: The Same Origin Policy disallows reading the remote resource at https://api.example.com/data. (Reason: Multiple CORS header ‘Access-Control-Allow-Origin’ not allowed).");
    assert_eq!(
        message(&o, Browser::WebKit),
        "Access-Control-Allow-Origin cannot contain more than one origin."
    );
}

#[test]
fn reflected_origin_without_vary_warns() {
    let o = Server::new()
        .actual(
            API,
            200,
            &[
                ("Access-Control-Allow-Origin", ORIGIN),
                ("Age", "30"),
                ("X-Cache", "HIT"),
            ],
        )
        .run(&get(API));
    assert_eq!(verdicts(&o), [Verdict::Allowed; 3]);
    assert_eq!(
        o.browsers[0].findings[0].id,
        FindingId::SharedCacheWithoutVary
    );
}

#[test]
fn unreachable_server() {
    let o = Server::new().run(&get(API));
    assert_eq!(verdicts(&o), [Verdict::Unreachable; 3]);
    assert_eq!(
        message(&o, Browser::Chromium),
        "Failed to load resource: net::ERR_CONNECTION_REFUSED"
    );
    assert_eq!(message(&o, Browser::Firefox), "Cross-Origin Request Blocked: The Same Origin Policy disallows reading the remote resource at https://api.example.com/data. (Reason: CORS request did not succeed). Status code: (null).");
}

#[test]
fn local_network_access_from_insecure_public_page() {
    let mut r = Request::new(
        Url::parse("http://app.example.com/").unwrap(),
        Url::parse("http://127.0.0.1:3000/x").unwrap(),
    );
    r.initiator_address_space = Some(cors_engine::AddressSpace::Public);
    r.target_address_space = Some(cors_engine::AddressSpace::Loopback);
    let o = Server::new()
        .actual(
            "http://127.0.0.1:3000/x",
            200,
            &[("Access-Control-Allow-Origin", "*")],
        )
        .run(&r);
    assert_eq!(
        verdicts(&o),
        [Verdict::Blocked, Verdict::Allowed, Verdict::Allowed]
    );
    assert_eq!(message(&o, Browser::Chromium), "Access to fetch at 'http://127.0.0.1:3000/x' from origin 'http://app.example.com' has been blocked by CORS policy: The request client is not a secure context and the resource is in more-private address space `loopback`.");
}
