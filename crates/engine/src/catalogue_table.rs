//! The catalogue's rows. A table, so it is long; every message here is the
//! browser's text verbatim (see `../shared/docs/cors-reference.md`, section E,
//! and the conformance results for what real browsers printed).

use crate::browser::Browser;
use crate::catalogue::{Cause, Entry, FindingId, Severity, Suffix};

macro_rules! chromium {
    ($reason:expr) => {
        concat!(
            "Access to {kind} at '{url}' {redirected}from origin '{origin}' has been blocked by CORS policy: ",
            $reason
        )
    };
}

macro_rules! chromium_preflight {
    ($reason:expr) => {
        chromium!(concat!(
            "Response to preflight request doesn't pass access control check: ",
            $reason
        ))
    };
}

macro_rules! firefox {
    ($reason:expr) => {
        concat!(
            "Cross-Origin Request Blocked: The Same Origin Policy disallows reading the remote resource at {url}. (Reason: ",
            $reason
        )
    };
}

const WEBKIT_NOT_ALLOWED: &str =
    "Origin {origin} is not allowed by Access-Control-Allow-Origin. Status code: {status}";
const WEBKIT_MORE_THAN_ONE: &str =
    "Access-Control-Allow-Origin cannot contain more than one origin.";
macro_rules! webkit_mixed_content {
    ($tail:expr) => {
        concat!(
            "[blocked] The page at {page} requested insecure content from {location}. This content was blocked and must",
            $tail
        )
    };
}
/// For loopback hosts, which WebKit does not upgrade, the sentence stops
/// after "must" (WebKitGTK 2.50).
pub(crate) const WEBKIT_MIXED_CONTENT_LOOPBACK: &str = webkit_mixed_content!("");
const FIREFOX_NOT_MATCHING: &str =
    firefox!("CORS header ‘Access-Control-Allow-Origin’ does not match ‘{value}’).");
const CHROMIUM_MULTIPLE: &str = chromium!(
    "The 'Access-Control-Allow-Origin' header contains multiple values '{value}', but only one is allowed.{suffix}"
);
const CHROMIUM_MISMATCH: &str = chromium!(
    "The 'Access-Control-Allow-Origin' header has a value '{value}' that is not equal to the supplied origin.{suffix}"
);
const FIREFOX_DID_NOT_SUCCEED: &str =
    firefox!("CORS request did not succeed). Status code: {status}.");
const CHROMIUM_SCHEMES: &str =
    chromium!("Cross origin requests are only supported for protocol schemes: {schemes}.");

const FETCH_SPEC: &str = "https://fetch.spec.whatwg.org/#cors-check";
const PREFLIGHT_SPEC: &str = "https://fetch.spec.whatwg.org/#cors-preflight-fetch";
const REDIRECT_SPEC: &str = "https://fetch.spec.whatwg.org/#http-redirect-fetch";
const LNA_SPEC: &str = "https://wicg.github.io/local-network-access/";
const MIXED_SPEC: &str = "https://w3c.github.io/webappsec-mixed-content/";

const fn row(id: FindingId, title: &'static str, cause: Cause, severity: Severity) -> Entry {
    Entry {
        id,
        title,
        cause,
        severity,
        explanation: "",
        fix: "",
        reference: FETCH_SPEC,
        chromium: None,
        firefox: None,
        webkit: None,
        chromium_suffix: Suffix::None,
        legacy: &[],
        variants: &[],
        legacy_only: false,
    }
}

use Cause::*;
use FindingId as F;
use Severity::*;

pub(crate) static ENTRIES: &[Entry] = &[
    Entry {
        explanation: "The page was loaded over https and the request goes to an http URL. Browsers block it as mixed content before CORS runs: no request reaches the server. Chromium and Firefox make an exception for loopback hosts (localhost, 127.0.0.1); Safari does not.",
        fix: "Call the API over https ({https_url}), or serve the page over http while developing.",
        reference: MIXED_SPEC,
        chromium: Some("Mixed Content: The page at '{page}' was loaded over HTTPS, but requested an insecure {insecure_kind} '{location}'. This request has been blocked; the content must be served over HTTPS."),
        firefox: Some("Blocked loading mixed active content “{location}”"),
        webkit: Some(webkit_mixed_content!(" be served over HTTPS.")),
        // WebKitGTK 2.50 ends the sentence after "must" for loopback hosts,
        // which it does not upgrade (rendered by `message::render`).
        variants: &[(Browser::WebKit, WEBKIT_MIXED_CONTENT_LOOPBACK)],
        legacy: &[
            (Browser::WebKit, "[blocked] The page at {page} was not allowed to display insecure content from {location}."),

            (Browser::WebKit, "[blocked] The page at {page} was not allowed to run insecure content from {location}."),
        ],
        ..row(F::MixedContent, "https page calling an http URL (mixed content)", HttpVsHttps, Blocking)
    },
    Entry {
        explanation: "The {response} response has no Access-Control-Allow-Origin header, so the browser does not let the page read it. The server may not implement CORS at all, or the route (or an error page from a proxy) skips the CORS middleware.",
        fix: "Make the {response} response send `Access-Control-Allow-Origin: {origin}` (add `Vary: Origin` if the value is chosen per request).",
        chromium: Some(chromium!("No 'Access-Control-Allow-Origin' header is present on the requested resource.{suffix}")),
        firefox: Some(firefox!("CORS header ‘Access-Control-Allow-Origin’ missing). Status code: {status}.")),
        webkit: Some(WEBKIT_NOT_ALLOWED),
        chromium_suffix: Suffix::OpaqueMode,
        legacy: &[
            (Browser::Firefox, "Cross-Origin Request Blocked: The Same Origin Policy disallows reading the remote resource at {url}. This can be fixed by moving the resource to the same domain or enabling CORS."),

            (Browser::Firefox, firefox!("CORS header ‘Access-Control-Allow-Origin’ missing).")),
            (Browser::WebKit, "Origin {origin} is not allowed by Access-Control-Allow-Origin."),
        ],
        ..row(F::AllowOriginMissing, "No Access-Control-Allow-Origin header", OriginNotAllowed, Blocking)
    },
    Entry {
        explanation: "The {response} response allows another origin than the page's: Access-Control-Allow-Origin must equal the page's origin byte for byte (scheme, host, port; no path, no trailing slash).",
        fix: "Make the {response} response send `Access-Control-Allow-Origin: {origin}` instead of `{value}`.",
        chromium: Some(CHROMIUM_MISMATCH),
        firefox: Some(FIREFOX_NOT_MATCHING),
        webkit: Some(WEBKIT_NOT_ALLOWED),
        chromium_suffix: Suffix::ValidValue,
        legacy: &[(Browser::WebKit, "Origin {origin} is not allowed by Access-Control-Allow-Origin.")],
        ..row(F::AllowOriginMismatch, "Access-Control-Allow-Origin names another origin", OriginNotAllowed, Blocking)
    },
    Entry {
        explanation: "The {response} response's Access-Control-Allow-Origin is not an origin at all (no scheme, empty, or garbage), so it can never match.",
        fix: "Make the {response} response send `Access-Control-Allow-Origin: {origin}` (a full origin with the scheme) instead of `{value}`.",
        chromium: Some(chromium!("The 'Access-Control-Allow-Origin' header contains the invalid value '{value}'.{suffix}")),
        firefox: Some(FIREFOX_NOT_MATCHING),
        webkit: Some(WEBKIT_NOT_ALLOWED),
        chromium_suffix: Suffix::ValidValue,
        ..row(F::AllowOriginInvalid, "Access-Control-Allow-Origin is not a valid origin", OriginNotAllowed, Blocking)
    },
    Entry {
        explanation: "The {response} response sends `Access-Control-Allow-Origin: null`. That matches only pages with an opaque origin (sandboxed frames, file: pages, redirected requests), not {origin} — and allowing `null` lets any sandboxed attacker page in.",
        fix: "Make the {response} response send `Access-Control-Allow-Origin: {origin}`; never allow `null`.",
        chromium: Some(CHROMIUM_MISMATCH),
        firefox: Some(FIREFOX_NOT_MATCHING),
        webkit: Some(WEBKIT_NOT_ALLOWED),
        chromium_suffix: Suffix::ValidValue,
        ..row(F::AllowOriginNull, "Access-Control-Allow-Origin is `null`", OriginNotAllowed, Blocking)
    },
    Entry {
        explanation: "The {response} response lists several origins in one Access-Control-Allow-Origin header. The header takes exactly one origin (or `*`): servers must pick the request's origin from their allow-list and echo it.",
        fix: "Make the {response} response send only the request's origin, `Access-Control-Allow-Origin: {origin}`, chosen from your allow-list, with `Vary: Origin`.",
        chromium: Some(CHROMIUM_MULTIPLE),
        firefox: Some(FIREFOX_NOT_MATCHING),
        webkit: Some(WEBKIT_MORE_THAN_ONE),
        chromium_suffix: Suffix::ValidValue,
        ..row(F::AllowOriginList, "Access-Control-Allow-Origin holds a list of origins", OriginNotAllowed, Blocking)
    },
    Entry {
        explanation: "The {response} response's Access-Control-Allow-Origin holds several space-separated values. The header takes exactly one origin (or `*`).",
        fix: "Make the {response} response send only `Access-Control-Allow-Origin: {origin}`, chosen per request, with `Vary: Origin`.",
        chromium: Some(CHROMIUM_MULTIPLE),
        firefox: Some(FIREFOX_NOT_MATCHING),
        webkit: Some(WEBKIT_NOT_ALLOWED),
        chromium_suffix: Suffix::ValidValue,
        ..row(F::AllowOriginSpaceSeparated, "Access-Control-Allow-Origin holds space-separated values", OriginNotAllowed, Blocking)
    },
    Entry {
        explanation: "The {response} response carries Access-Control-Allow-Origin twice, usually because two layers (the app and a proxy, or two middlewares) both add it. Even two identical lines fail.",
        fix: "Make exactly one layer add `Access-Control-Allow-Origin: {origin}` to the {response} response (remove it from the app or from the proxy).",
        chromium: Some(CHROMIUM_MULTIPLE),
        firefox: Some(firefox!("Multiple CORS header ‘Access-Control-Allow-Origin’ not allowed).")),
        webkit: Some(WEBKIT_MORE_THAN_ONE),
        chromium_suffix: Suffix::ValidValue,
        ..row(F::AllowOriginDuplicateLines, "Access-Control-Allow-Origin sent twice", OriginNotAllowed, Blocking)
    },
    Entry {
        explanation: "The request was redirected to another origin. After such a hop the browser sends `Origin: null` (the redirect taints the origin), so the final response's Access-Control-Allow-Origin `{value}` no longer matches — even though it names your page's origin.",
        fix: "Call the final URL ({url}) directly from the page instead of through the cross-origin redirect; or, for a public non-credentialed resource, answer `Access-Control-Allow-Origin: *` there (never allow `null`).",
        reference: REDIRECT_SPEC,
        chromium: Some(CHROMIUM_MISMATCH),
        firefox: Some(FIREFOX_NOT_MATCHING),
        webkit: Some(WEBKIT_NOT_ALLOWED),
        chromium_suffix: Suffix::ValidValue,
        ..row(F::RedirectTaintedOrigin, "Origin became `null` after a cross-origin redirect", RedirectBlocked, Blocking)
    },
    Entry {
        legacy: &[
            (Browser::Chromium, "A wildcard '*' cannot be used in the 'Access-Control-Allow-Origin' header when the credentials flag is true."),
        ],
        explanation: "The request includes credentials (cookies, HTTP auth), and for credentialed requests `Access-Control-Allow-Origin: *` is refused, even with `Access-Control-Allow-Credentials: true`.",
        fix: "Make the {response} response send `Access-Control-Allow-Origin: {origin}` (not `*`), `Access-Control-Allow-Credentials: true` and `Vary: Origin` — or send the request without credentials if it needs none.",
        chromium: Some(chromium!("The value of the 'Access-Control-Allow-Origin' header in the response must not be the wildcard '*' when the request's credentials mode is 'include'.{suffix}")),
        firefox: Some("Cross-Origin Request Blocked: The Same Origin Policy disallows reading the remote resource at ‘{url}’. (Reason: Credential is not supported if the CORS header ‘Access-Control-Allow-Origin’ is ‘*’)."),
        webkit: Some("Cannot use wildcard in Access-Control-Allow-Origin when credentials flag is true."),
        chromium_suffix: Suffix::XhrCredentials,
        ..row(F::WildcardWithCredentials, "`*` with a credentialed request", OriginNotAllowed, Blocking)
    },
    Entry {
        legacy: &[
            (Browser::Chromium, "Credentials flag is 'true', but the 'Access-Control-Allow-Credentials' header is '{value}'. It must be 'true' to allow credentials."),
        ],
        explanation: "The request includes credentials, so the {response} response must also say `Access-Control-Allow-Credentials: true` (exactly, lower-case). It says `{value}`.",
        fix: "Make the {response} response send `Access-Control-Allow-Credentials: true` — or send the request without credentials (`credentials: 'omit'` / `withCredentials = false`) if it needs none.",
        chromium: Some(chromium!("The value of the 'Access-Control-Allow-Credentials' header in the response is '{value}' which must be 'true' when the request's credentials mode is 'include'.{suffix}")),
        firefox: Some(firefox!("expected ‘true’ in CORS header ‘Access-Control-Allow-Credentials’).")),
        webkit: Some("Credentials flag is true, but Access-Control-Allow-Credentials is not \"true\"."),
        chromium_suffix: Suffix::XhrCredentials,
        ..row(F::AllowCredentialsNotTrue, "Access-Control-Allow-Credentials is not `true`", OriginNotAllowed, Blocking)
    },
    Entry {
        explanation: "The preflight (OPTIONS) was answered with status {status} and no CORS headers: the request never reached your CORS code. Typical causes: OPTIONS is not routed (404/405), an authentication layer rejects it (401/403 — a preflight never carries cookies or Authorization), or the server crashes on it (5xx). Chrome and Firefox report the missing Access-Control-Allow-Origin; Safari reports the status.",
        fix: "Answer `OPTIONS {path}` with 204 and the CORS headers (`Access-Control-Allow-Origin: {origin}`, `Access-Control-Allow-Methods`, `Access-Control-Allow-Headers`) before authentication and routing run.",
        reference: PREFLIGHT_SPEC,
        chromium: Some(chromium_preflight!("No 'Access-Control-Allow-Origin' header is present on the requested resource.{suffix}")),
        firefox: Some(firefox!("CORS header ‘Access-Control-Allow-Origin’ missing). Status code: {status}.")),
        webkit: Some("Preflight response is not successful. Status code: {status}"),
        chromium_suffix: Suffix::OpaqueMode,
        ..row(F::PreflightRejected, "Preflight rejected before CORS (non-2xx, no CORS headers)", PreflightBlocked, Blocking)
    },
    Entry {
        explanation: "The preflight (OPTIONS) was answered with status {status}; browsers need a 2xx. Usually OPTIONS is not routed (404/405), rejected by authentication (401/403 — a preflight never carries cookies or Authorization) or crashes (5xx).",
        fix: "Answer `OPTIONS {path}` with 204 before authentication and routing run, with the CORS headers (`Access-Control-Allow-Origin: {origin}`, `Access-Control-Allow-Methods`, `Access-Control-Allow-Headers`).",
        reference: PREFLIGHT_SPEC,
        chromium: Some(chromium_preflight!("It does not have HTTP ok status.")),
        firefox: Some(firefox!("CORS preflight response did not succeed). Status code: {status}.")),
        webkit: Some("Preflight response is not successful. Status code: {status}"),
        legacy: &[
            (Browser::Chromium, "Response for preflight has invalid HTTP status code {status}"),
            (Browser::Chromium, "Response for preflight does not have HTTP ok status."),
            (Browser::WebKit, "Preflight response is not successful"),
(Browser::Firefox, firefox!("CORS preflight channel did not succeed)."))],
        ..row(F::PreflightStatusNotOk, "Preflight answered with a non-2xx status", PreflightBlocked, Blocking)
    },
    Entry {
        legacy: &[
            (Browser::Chromium, "Response for preflight is invalid (redirect)"),
            (Browser::Chromium, "The request was redirected to '{location}', which is disallowed for cross-origin requests that require preflight."),
        ],
        explanation: "The preflight (OPTIONS) was answered with a redirect ({status} to {location}). Browsers never follow a redirect on a preflight. Typical causes: an http→https redirect, a trailing-slash redirect, or a login page.",
        fix: "Call the final URL directly ({location}), and answer OPTIONS there with 204 and the CORS headers instead of redirecting.",
        reference: PREFLIGHT_SPEC,
        chromium: Some(chromium_preflight!("Redirect is not allowed for a preflight request.")),
        firefox: Some(firefox!("CORS request external redirect not allowed).")),
        webkit: Some("Preflight response is not successful. Status code: {status}"),
        ..row(F::PreflightRedirect, "Preflight answered with a redirect", PreflightBlocked, Blocking)
    },
    Entry {
        legacy: &[
            (Browser::Chromium, "Cannot parse Access-Control-Allow-Methods response header field."),
        ],
        explanation: "The preflight's Access-Control-Allow-Methods is not a comma-separated list of method names (`{value}`), so the browser rejects the whole preflight.",
        fix: "Send a comma-separated list in the preflight response, e.g. `Access-Control-Allow-Methods: GET, POST, {method}`.",
        reference: PREFLIGHT_SPEC,
        chromium: Some(chromium!("Cannot parse Access-Control-Allow-Methods response header field in preflight response.")),
        firefox: Some(firefox!("invalid token ‘{value}’ in CORS header ‘Access-Control-Allow-Methods’).")),
        webkit: Some("Header Access-Control-Allow-Methods has an invalid value: {value}"),
        ..row(F::AllowMethodsInvalid, "Access-Control-Allow-Methods cannot be parsed", PreflightBlocked, Blocking)
    },
    Entry {
        legacy: &[
            (Browser::Chromium, "Cannot parse Access-Control-Allow-Headers response header field."),
        ],
        explanation: "The preflight's Access-Control-Allow-Headers is not a comma-separated list of header names (`{value}`), so the browser rejects the whole preflight.",
        fix: "Send a comma-separated list of header names in the preflight response, e.g. `Access-Control-Allow-Headers: Content-Type, Authorization`.",
        reference: PREFLIGHT_SPEC,
        chromium: Some(chromium!("Cannot parse Access-Control-Allow-Headers response header field in preflight response.")),
        firefox: Some(firefox!("invalid token ‘{value}’ in CORS header ‘Access-Control-Allow-Headers’).")),
        webkit: Some("Header Access-Control-Allow-Headers has an invalid value: {value}"),
        ..row(F::AllowHeadersInvalid, "Access-Control-Allow-Headers cannot be parsed", PreflightBlocked, Blocking)
    },
    Entry {
        explanation: "The request's method {method} is not in the preflight's Access-Control-Allow-Methods. Methods compare case-sensitively: `fetch()` upper-cases only DELETE, GET, HEAD, OPTIONS, POST and PUT, so `patch` is sent as `patch` and needs `patch` listed.",
        fix: "Add `{method}` to `Access-Control-Allow-Methods` in the preflight response{method_hint}.",
        reference: PREFLIGHT_SPEC,
        chromium: Some(chromium!("Method {method} is not allowed by Access-Control-Allow-Methods in preflight response.")),
        firefox: Some(firefox!("Did not find method in CORS header ‘Access-Control-Allow-Methods’).")),
        webkit: Some("Method {method} is not allowed by Access-Control-Allow-Methods."),
        ..row(F::MethodNotAllowed, "Method not in Access-Control-Allow-Methods", PreflightBlocked, Blocking)
    },
    Entry {
        explanation: "The request sets the header `{header}`, which is not CORS-safelisted, and the preflight's Access-Control-Allow-Headers does not list it.",
        fix: "Add `{header}` to `Access-Control-Allow-Headers` in the preflight response — or stop sending it from the page.",
        reference: PREFLIGHT_SPEC,
        chromium: Some(chromium!("Request header field {header} is not allowed by Access-Control-Allow-Headers in preflight response.")),
        firefox: Some(firefox!("header ‘{header}’ is not allowed according to header ‘Access-Control-Allow-Headers’ from CORS preflight response).")),
        webkit: Some("Request header field {header} is not allowed by Access-Control-Allow-Headers."),
        legacy: &[(Browser::Firefox, firefox!("missing token ‘{header}’ in CORS header ‘Access-Control-Allow-Headers’ from CORS preflight channel)."))],
        ..row(F::HeaderNotAllowed, "Request header not in Access-Control-Allow-Headers", PreflightBlocked, Blocking)
    },
    Entry {
        explanation: "The preflight answers `Access-Control-Allow-Headers: *`, but by the Fetch standard the wildcard never covers `Authorization`. Browsers still let it through for now — Firefox with a console warning, Chromium with a DevTools deprecation issue, Safari silently — and will stop: list it explicitly before they do.",
        fix: "List it explicitly in the preflight response: `Access-Control-Allow-Headers: *, Authorization`.",
        reference: PREFLIGHT_SPEC,
        // Chromium 156 lets it through with a DevTools deprecation issue and no
        // console line; Chrome with the enterprise policy that enforces the
        // standard prints the header-not-allowed wording.
        legacy: &[(Browser::Chromium, chromium!("Request header field {header} is not allowed by Access-Control-Allow-Headers in preflight response."))],
        firefox: Some("Cross-Origin Request Warning: The Same Origin Policy will disallow reading the remote resource at {url} soon. (Reason: When the `Access-Control-Allow-Headers` is `*`, the `Authorization` header is not covered. To include the `Authorization` header, it must be explicitly listed in CORS header `Access-Control-Allow-Headers`)."),
        ..row(F::AuthorizationNotCoveredByWildcard, "`Access-Control-Allow-Headers: *` does not cover Authorization", PreflightBlocked, Warning)
    },
    Entry {
        explanation: "A redirect's Location ({location}) contains a user name or password. Browsers refuse such redirects for cross-origin requests.",
        fix: "Redirect to a URL without `user:password@`; pass credentials in a header the preflight allows instead.",
        reference: REDIRECT_SPEC,
        chromium: Some(chromium!("Redirect location '{value}' contains a username and password, which is disallowed for cross-origin requests.")),
        firefox: Some(FIREFOX_DID_NOT_SUCCEED),
        webkit: Some("Cross-origin redirection to {location_without_credentials} denied by Cross-Origin Resource Sharing policy: redirection URL {location} has credentials"),
        legacy: &[
            (Browser::Chromium, "The request was redirected to a URL ('{location}') containing userinfo, which is disallowed for cross-origin requests."),
(Browser::WebKit, "Cross-origin redirection to {location} denied by Cross-Origin Resource Sharing policy: redirection URL {location} has credentials")],
        ..row(F::RedirectWithCredentials, "Redirect to a URL with credentials", RedirectBlocked, Blocking)
    },
    Entry {
        legacy: &[
            (Browser::Chromium, "Redirect location '{location}' has a disallowed scheme for cross-origin requests."),
            (Browser::Chromium, "The request was redirected to a URL ('{location}') which has a disallowed scheme for cross-origin requests."),
            (Browser::Chromium, "Redirects to data: URL are allowed only when mode is \"no-cors\"."),
        ],
        explanation: "A redirect points to {location}, whose scheme is not http or https; CORS requests can only follow http(s) redirects.",
        fix: "Redirect to an http(s) URL, or call the final resource directly.",
        reference: REDIRECT_SPEC,
        chromium: Some("Failed to load resource: net::ERR_UNSAFE_REDIRECT"),
        firefox: Some("Redirecting to data: URI not allowed (Blocked loading of: “{location}”)"),
        webkit: Some("Cross-origin redirection to {location} denied by Cross-Origin Resource Sharing policy: not allowed to follow a cross-origin CORS redirection with non CORS scheme"),
        ..row(F::RedirectNonHttpScheme, "Redirect to a non-http(s) URL", RedirectBlocked, Blocking)
    },
    Entry {
        explanation: "The request was redirected more than 20 times (a redirect loop?). Every browser gives up after 20 redirects.",
        fix: "Fix the redirect loop on the server; call the final URL directly.",
        reference: REDIRECT_SPEC,
        chromium: Some("Failed to load resource: net::ERR_TOO_MANY_REDIRECTS"),
        firefox: Some(FIREFOX_DID_NOT_SUCCEED),
        webkit: Some("Load cannot follow more than 20 redirections"),
        ..row(F::TooManyRedirects, "More than 20 redirects", RedirectBlocked, Blocking)
    },
    Entry {
        legacy: &[
            (Browser::Chromium, "URL scheme must be \"http\" or \"https\" for CORS request."),

            (Browser::Chromium, chromium!("Cross-origin requests are only supported for protocol schemes: {schemes}.")),
        ],
        explanation: "The URL's scheme ({scheme}) cannot be used with CORS: only http and https can. A page opened from file:// or a custom scheme cannot call such URLs with CORS.",
        fix: "Serve the page and the API over http(s) (e.g. `python3 -m http.server`), not from file://.",
        chromium: Some(CHROMIUM_SCHEMES),
        firefox: Some(firefox!("CORS request not http).")),
        ..row(F::CorsDisabledScheme, "Scheme not supported by CORS", ClientMistake, Blocking)
    },
    Entry {
        explanation: "fetch() cannot load URLs with the scheme {scheme}.",
        fix: "Use an http(s) URL.",
        chromium: Some("Fetch API cannot load {url}. URL scheme \"{scheme}\" is not supported."),
        ..row(F::UrlSchemeNotSupported, "fetch() of a non-http(s) URL", ClientMistake, Blocking)
    },
    Entry {
        explanation: "A web page cannot fetch file: URLs; browsers refuse before reading anything.",
        fix: "Serve the file over http(s) from a local server (e.g. `python3 -m http.server`) and fetch that URL.",
        chromium: Some("Not allowed to load local resource: {url}"),
        firefox: Some("Security Error: Content at {page} may not load or link to {url}."),
        webkit: Some("Cross origin requests are only supported for HTTP."),
        ..row(F::LocalResource, "Web page fetching a file: URL", ClientMistake, Blocking)
    },
    Entry {
        explanation: "The script asked for `mode: 'same-origin'` but the URL is cross-origin; the browser refuses without contacting the server.",
        fix: "Use `mode: 'cors'` (the default) for cross-origin URLs.",
        chromium: Some("Fetch API cannot load {url}. Request mode is \"same-origin\" but the URL's origin is not same as the request origin {origin}."),
        firefox: Some("Security Error: Content at {page} may not load data from {url}."),
        webkit: Some("Fetch API cannot load {url}."),
        legacy: &[(Browser::WebKit, "Unsafe attempt to load URL {url} from origin {origin}. Domains, protocols and ports must match.")],
        ..row(F::SameOriginModeViolation, "mode 'same-origin' on a cross-origin URL", ClientMistake, Blocking)
    },
    Entry {
        explanation: "A no-cors request must follow redirects; `redirect: 'manual'` or `'error'` is refused.",
        fix: "Drop the `redirect` option or use `mode: 'cors'`.",
        chromium: Some("Fetch API cannot load {url}. Request mode is \"no-cors\" but the redirect mode is not \"follow\"."),
        webkit: Some("No-Cors mode requires follow redirect mode"),
        ..row(F::NoCorsRedirectMode, "no-cors with a redirect mode other than follow", ClientMistake, Blocking)
    },
    Entry {
        legacy: &[
            (Browser::Chromium, "Cross origin requests are not supported."),
        ],
        explanation: "The request's mode forbids cross-origin requests.",
        fix: "Use `mode: 'cors'` for cross-origin URLs.",
        chromium: Some(chromium!("Cross origin requests are not allowed by request mode.")),
        ..row(F::DisallowedByMode, "Cross-origin request refused by the request mode", ClientMistake, Blocking)
    },
    Entry {
        legacy: &[
            (Browser::Chromium, "Received an invalid response."),
            (Browser::Chromium, "Invalid response."),
        ],
        explanation: "Chromium received a response it could not use for CORS.",
        fix: "Check the raw response with the curl command below; a proxy may be mangling it.",
        chromium: Some(chromium!("The response is invalid.")),
        ..row(F::InvalidResponse, "Invalid response", NotCors, Blocking)
    },
    Entry {
        explanation: "The request failed below HTTP (DNS, connection refused, TLS, a content blocker…). No CORS header was ever checked, although Firefox words it as a CORS failure.",
        fix: "Make sure the server is reachable from the browser's machine (see the stage that failed); this is not a CORS configuration problem.",
        chromium: Some("Failed to load resource: net::{value}"),
        firefox: Some(FIREFOX_DID_NOT_SUCCEED),
        webkit: Some("Failed to load resource: {value}"),
        legacy: &[
            (Browser::Firefox, firefox!("CORS request failed).")),
(Browser::Firefox, firefox!("CORS request did not succeed)."))],
        ..row(F::NetworkFailure, "The request never got an HTTP response", NotCors, Blocking)
    },
    Entry {
        explanation: "The response's headers arrived and passed the CORS check, then the body broke off: the connection closed before `Content-Length` bytes arrived, or inside a chunked body. Reading the body fails in the script (fetch() itself resolves; XMLHttpRequest fails as a whole), and browsers differ: Firefox keeps a cut body of an error status and fails no-cors responses outright, WebKit accepts a chunked body cut at a chunk boundary.",
        fix: "Look at the server (or proxy) for what ends the response early: a crash or timeout while streaming, a wrong `Content-Length` (set before compression or templating), a proxy buffer limit. This is not a CORS configuration problem.",
        chromium: Some("Failed to load resource: net::{value}"),
        ..row(F::BodyIncomplete, "The response body broke off", NotCors, Warning)
    },
    Entry {
        explanation: "CORS is disabled in this Firefox profile (`content.cors.disable`).",
        fix: "Reset the `content.cors.disable` preference in about:config.",
        firefox: Some(firefox!("CORS disabled).")),
        ..row(F::CorsDisabled, "CORS disabled in Firefox", NotCors, Blocking)
    },
    Entry {
        explanation: "Firefox could not add the Origin header (requests from extensions or expanded principals).",
        fix: "Make the request from a normal web page, not from an extension's privileged context.",
        firefox: Some(firefox!("CORS header ‘Origin’ cannot be added).")),
        ..row(F::OriginHeaderNotAdded, "Origin header cannot be added", NotCors, Blocking)
    },
    Entry {
        explanation: "Chromium's Local Network Access: a page from a less private network (e.g. the public internet) asked for a more private one (`{target_space}`), and the user did not grant the permission.",
        fix: "Grant the \"local network access\" permission to the page, or serve the page from the same network; declare `targetAddressSpace` in fetch() for https pages calling http local devices.",
        reference: LNA_SPEC,
        chromium: Some(chromium!("Permission was denied for this request to access the `{target_space}` address space.")),
        ..row(F::LnaPermissionDenied, "Local network access permission denied", LocalNetworkAccess, Blocking)
    },
    Entry {
        legacy: &[
            (Browser::Chromium, "Requests to internal network resources are not allowed from non-secure contexts (see https://goo.gl/Y0ZkNV). This is an experimental restriction which is part of 'https://mikewest.github.io/cors-rfc1918/'."),
        ],
        explanation: "Chromium's Local Network Access: a page that is not a secure context (http, not localhost) asked for a more private address space (`{resource_space}`). Only https pages can be granted that access.",
        fix: "Serve the page over https (or from localhost) and grant the local network access permission.",
        reference: LNA_SPEC,
        chromium: Some(chromium!("The request client is not a secure context and the resource is in more-private address space `{resource_space}`.")),
        ..row(F::LnaInsecureInitiator, "Local network access from an insecure page", LocalNetworkAccess, Blocking)
    },
    Entry {
        explanation: "The fetch() declared `targetAddressSpace: '{target_space}'` but the server's address is in `{resource_space}`.",
        fix: "Declare the right `targetAddressSpace` (or none).",
        reference: LNA_SPEC,
        chromium: Some(chromium!("Request had a target IP address space of `{target_space}` yet the resource is in address space `{resource_space}`.")),
        ..row(F::LnaAddressSpaceMismatch, "Wrong targetAddressSpace", LocalNetworkAccess, Blocking)
    },
    Entry {
        explanation: "Older Chromium (Private Network Access) required the preflight to answer `Access-Control-Allow-Private-Network: true` for requests into a more private network.",
        fix: "Make the preflight response send `Access-Control-Allow-Private-Network: true` (older Chrome), and update Chrome: current versions ask the user instead.",
        reference: LNA_SPEC,
        chromium: Some(chromium_preflight!("No 'Access-Control-Allow-Private-Network' header was present in the preflight response for this private network request targeting the `{target_space}` address space.")),
        legacy_only: true,
        ..row(F::PnaMissingAllowPrivateNetwork, "Private Network Access: preflight lacks Allow-Private-Network", LocalNetworkAccess, Blocking)
    },
    Entry {
        explanation: "Older Chromium (Private Network Access) required `Access-Control-Allow-Private-Network: true` exactly.",
        fix: "Make the preflight response send `Access-Control-Allow-Private-Network: true`.",
        reference: LNA_SPEC,
        chromium: Some(chromium_preflight!("The 'Access-Control-Allow-Private-Network' header in the preflight response for this private network request targeting the `{target_space}` address space had a value of '{value}',  not 'true'.")),
        legacy_only: true,
        ..row(F::PnaInvalidAllowPrivateNetwork, "Private Network Access: Allow-Private-Network is not `true`", LocalNetworkAccess, Blocking)
    },
    Entry {
        explanation: "Older Chromium (Private Network Access): the request declared no target address space but reached a more private one.",
        fix: "Declare `targetAddressSpace` in fetch(), or update Chrome.",
        reference: LNA_SPEC,
        chromium: Some(chromium!("Request had no target IP address space, yet the resource is in address space `{resource_space}`.")),
        legacy_only: true,
        ..row(F::PnaUnexpectedAddressSpace, "Private Network Access: undeclared address space", LocalNetworkAccess, Blocking)
    },
    Entry {
        explanation: "A 2023-24 Chromium experiment required devices to identify themselves in the preflight response.",
        fix: "Send `Private-Network-Access-Id` in the preflight response, or update Chrome.",
        reference: LNA_SPEC,
        chromium: Some(chromium_preflight!("No 'Private-Network-Access-Id' header was present in the preflight response for this private network request targeting the `{target_space}` address space.")),
        legacy_only: true,
        ..row(F::PnaMissingAccessId, "Private Network Access: no Private-Network-Access-Id", LocalNetworkAccess, Blocking)
    },
    Entry {
        explanation: "A 2023-24 Chromium experiment required devices to name themselves in the preflight response.",
        fix: "Send `Private-Network-Access-Name` in the preflight response, or update Chrome.",
        reference: LNA_SPEC,
        chromium: Some(chromium_preflight!("No 'Private-Network-Access-Name' header was present in the preflight response for this private network request targeting the `{target_space}` address space.")),
        legacy_only: true,
        ..row(F::PnaMissingAccessName, "Private Network Access: no Private-Network-Access-Name", LocalNetworkAccess, Blocking)
    },
    Entry {
        explanation: "Older Chromium could not ask the user for private network access permission here.",
        fix: "Update Chrome, or serve the page from the same network.",
        reference: LNA_SPEC,
        chromium: Some(chromium!("Unable to ask for permission to access the `{target_space}` IP address space.")),
        legacy_only: true,
        ..row(F::PnaPermissionUnavailable, "Private Network Access: permission unavailable", LocalNetworkAccess, Blocking)
    },
    Entry {
        explanation: "The 2019-20 CORS-RFC1918 experiment required `Access-Control-Allow-External` on preflights into private networks.",
        fix: "Update Chrome; the experiment is gone.",
        reference: LNA_SPEC,
        chromium: Some(chromium_preflight!("No 'Access-Control-Allow-External' header was present in the preflight response for this external request (This is an experimental header which is defined in 'https://wicg.github.io/cors-rfc1918/').")),
        legacy_only: true,
        ..row(F::ExternalPreflightMissing, "CORS-RFC1918: no Allow-External", LocalNetworkAccess, Blocking)
    },
    Entry {
        explanation: "The 2019-20 CORS-RFC1918 experiment required `Access-Control-Allow-External: true`.",
        fix: "Update Chrome; the experiment is gone.",
        reference: LNA_SPEC,
        chromium: Some(chromium_preflight!("The 'Access-Control-Allow-External' header in the preflight response for this external request had a value of '{value}',  not 'true' (This is an experimental header which is defined in 'https://wicg.github.io/cors-rfc1918/').")),
        legacy_only: true,
        ..row(F::ExternalPreflightInvalid, "CORS-RFC1918: Allow-External is not `true`", LocalNetworkAccess, Blocking)
    },
    Entry {
        variants: &[
            (Browser::Chromium, "Refused to connect to '{url}' because it violates the document's Content Security Policy."),
        ],
        explanation: "The page's own Content-Security-Policy (`connect-src`) forbids this URL; the request never leaves the browser. Not a server CORS problem.",
        fix: "Add the API's origin to the page's `connect-src` directive.",
        reference: "https://www.w3.org/TR/CSP3/#directive-connect-src",
        chromium: Some("Refused to connect to '{url}' because it violates the following Content Security Policy directive: \"{value}\"."),
        webkit: Some("Blocked by Content Security Policy."),
        ..row(F::CspBlocked, "Blocked by the page's Content-Security-Policy", NotCors, Blocking)
    },
    Entry {
        explanation: "A content blocker (ad blocker, privacy extension) cancelled the request. Not a CORS problem.",
        fix: "Disable the extension for this site, or rename the URL path it matches.",
        chromium: Some("Failed to load resource: net::ERR_BLOCKED_BY_CLIENT"),
        webkit: Some("Blocked by content extension"),
        ..row(F::ContentBlocker, "Blocked by a content blocker", NotCors, Blocking)
    },
    Entry {
        explanation: "Safari's tracking protection blocked the request. Not a CORS problem.",
        fix: "Serve the API from the page's own site, or check Safari's privacy settings.",
        webkit: Some("Blocked by tracking protections"),
        ..row(F::TrackingProtection, "Blocked by tracking protection", NotCors, Blocking)
    },
    Entry {
        explanation: "Safari blocked the preflight itself (a content blocker or network policy), before the server could answer.",
        fix: "Check content blockers and proxies between the browser and the server.",
        webkit: Some("CORS-preflight request was blocked"),
        legacy: &[(Browser::WebKit, "Preflight response was blocked")],
        ..row(F::PreflightBlockedByBrowser, "Preflight blocked by the browser", NotCors, Blocking)
    },
    Entry {
        explanation: "The response's Cross-Origin-Resource-Policy forbids embedding it in this page (this applies to no-cors loads such as images and scripts).",
        fix: "Send `Cross-Origin-Resource-Policy: cross-origin` on the resource, or load it with CORS (`crossorigin` attribute).",
        reference: "https://fetch.spec.whatwg.org/#cross-origin-resource-policy-header",
        webkit: Some("Cancelled load to {url} because it violates the resource's Cross-Origin-Resource-Policy response header."),
        ..row(F::CorpBlocked, "Blocked by Cross-Origin-Resource-Policy", NotCors, Blocking)
    },
    Entry {
        legacy: &[
            (Browser::Chromium, "Redirect failed."),
        ],
        explanation: "The request used `redirect: 'error'` and the server redirected.",
        fix: "Call the final URL, or use `redirect: 'follow'`.",
        reference: REDIRECT_SPEC,
        chromium: Some("Failed to load resource: net::ERR_FAILED"),
        webkit: Some("Not allowed to follow a redirection while loading {url}"),
        ..row(F::RedirectModeError, "Redirect refused by redirect mode", ClientMistake, Blocking)
    },
    Entry {
        explanation: "Scripts cannot send CONNECT, TRACE or TRACK: fetch() throws a TypeError before anything is sent.",
        fix: "Use another method.",
        // fetch() throws a TypeError; the browser prints nothing by itself.
        legacy: &[
            (Browser::Chromium, "Failed to execute 'fetch' on 'Window': '{method}' HTTP method is unsupported."),
            (Browser::Firefox, "Window.fetch: Invalid request method {method}."),
        ],
        ..row(F::ForbiddenMethod, "Forbidden method", ClientMistake, Blocking)
    },
    Entry {
        explanation: "The URL contains a user name or password (`user:pass@`); fetch() refuses to even build such a request (TypeError), nothing is sent.",
        fix: "Remove the credentials from the URL; send them in an `Authorization` header (which the preflight must allow) or use cookies.",
        legacy: &[
            (Browser::Chromium, "Failed to execute 'fetch' on 'Window': Request cannot be constructed from a URL that includes credentials: {url}"),
            (Browser::Firefox, "Window.fetch: {url} is an url with embedded credentials."),
        ],
        ..row(F::UrlWithCredentials, "URL with user name or password", ClientMistake, Blocking)
    },
    Entry {
        explanation: "Scripts cannot set `{header}`: fetch() drops it silently and XMLHttpRequest refuses it. The browser sets it (or not) itself.",
        fix: "Stop setting `{header}` in the page; for cookies use `credentials: 'include'`.",
        chromium: Some("Refused to set unsafe header \"{header}\""),
        ..row(F::ForbiddenHeader, "Header the script cannot set", ClientMistake, Warning)
    },
    Entry {
        explanation: "`mode: 'no-cors'` only allows GET, HEAD and POST; fetch() throws a TypeError for {method}.",
        fix: "Use `mode: 'cors'` (and make the server answer the preflight).",
        legacy: &[
            (Browser::Chromium, "Failed to execute 'fetch' on 'Window': '{method}' is unsupported in no-cors mode."),
            (Browser::Firefox, "Window.fetch: Invalid request method {method}."),
        ],
        ..row(F::NoCorsMethod, "Method not allowed in no-cors mode", ClientMistake, Blocking)
    },
    Entry {
        explanation: "`mode: 'no-cors'` gives the script an opaque response: status 0, no headers, no body — even though DevTools shows the real response. It is not a way around CORS.",
        fix: "Use `mode: 'cors'` and make the server send `Access-Control-Allow-Origin: {origin}`.",
        ..row(F::OpaqueResponse, "no-cors gives an opaque response", ClientMistake, Warning)
    },
    Entry {
        explanation: "The response carries `{header}`, and DevTools shows it, but script reads `null`: only safelisted response headers and those in Access-Control-Expose-Headers are readable.",
        fix: "Add `Access-Control-Expose-Headers: {header}` to the actual response.",
        reference: "https://fetch.spec.whatwg.org/#http-access-control-expose-headers",
        ..row(F::HeaderNotExposed, "Response header not readable by script", ResponseNotReadable, Info)
    },
    Entry {
        explanation: "The response allows one specific origin but has no `Vary: Origin`. If the value is chosen per request, a browser or CDN cache can serve this answer to a page of another origin, which then fails — intermittently.",
        fix: "Add `Vary: Origin` to every response whose Access-Control-Allow-Origin depends on the request.",
        reference: "https://fetch.spec.whatwg.org/#cors-protocol-and-http-caches",
        ..row(F::AllowOriginWithoutVary, "Specific Access-Control-Allow-Origin without Vary: Origin", StaleCache, Warning)
    },
    Entry {
        explanation: "The server echoes the request's origin into Access-Control-Allow-Origin (a second origin, {value}, got its own value back) without `Vary: Origin`. Caches will serve one origin's answer to another: it works for some users and fails for others.",
        fix: "Add `Vary: Origin` to every response whose Access-Control-Allow-Origin is computed from the request.",
        reference: "https://fetch.spec.whatwg.org/#cors-protocol-and-http-caches",
        ..row(F::ReflectedOriginWithoutVary, "Reflected origin without Vary: Origin", StaleCache, Warning)
    },
    Entry {
        explanation: "The response passed through a shared cache ({value}) and its Access-Control-Allow-Origin is origin-specific without `Vary: Origin`: the cache can hand it to other origins.",
        fix: "Add `Vary: Origin`, or purge the cache after adding it.",
        reference: "https://fetch.spec.whatwg.org/#cors-protocol-and-http-caches",
        ..row(F::SharedCacheWithoutVary, "Shared cache without Vary: Origin", StaleCache, Warning)
    },
    Entry {
        explanation: "Access-Control-Max-Age is {value} s; browsers cap it (Chromium 7200 s, Firefox 86400 s, Safari 600 s), so a changed CORS policy reaches users at different times.",
        fix: "Use at most 7200, or 600 if Safari must see changes quickly; lower it before changing the policy.",
        reference: "https://fetch.spec.whatwg.org/#http-access-control-max-age",
        ..row(F::MaxAgeCapped, "Access-Control-Max-Age above a browser's cap", StaleCache, Info)
    },
    Entry {
        explanation: "Access-Control-Max-Age `{value}` is not a number of seconds: Chromium and Safari cache the preflight for 5 s, Firefox not at all.",
        fix: "Send an integer, e.g. `Access-Control-Max-Age: 600`.",
        reference: "https://fetch.spec.whatwg.org/#http-access-control-max-age",
        ..row(F::MaxAgeInvalid, "Access-Control-Max-Age is not an integer", StaleCache, Info)
    },
    Entry {
        explanation: "The server reflects an arbitrary origin ({value}) and allows credentials: any web page can read this API's responses with the visitor's cookies.",
        fix: "Check the request's Origin against an allow-list of your own origins before echoing it.",
        reference: "https://portswigger.net/web-security/cors",
        ..row(F::ReflectedOriginWithCredentials, "Arbitrary origin reflected with credentials", Security, Warning)
    },
    Entry {
        explanation: "The policy says {origin} must be refused (it is not in `allow_origins`, or it is in `refuse_origins`), and the server lets it read the response: a page there — a near miss of an allowed origin, or a shape attackers register — gets the API's answers.",
        fix: "Compare the request's Origin against the exact allowed origins (scheme, host and port) before sending Access-Control-Allow-Origin; for subdomains, match a whole label (`.example.com` at the end of the host), never a prefix, suffix or unescaped regular expression.",
        reference: "https://portswigger.net/web-security/cors",
        ..row(F::OriginNotRefused, "An origin the policy refuses is allowed", Security, Warning)
    },
    Entry {
        explanation: "The policy declares how long browsers may cache the preflight, and the server's Access-Control-Max-Age makes a browser cache it for another time ({value}): shorter costs a preflight on more requests, longer keeps a changed policy out of browsers for longer.",
        fix: "Send `Access-Control-Max-Age` with the policy's value on every preflight answer (each browser caps it: Chromium 7200, Firefox 86400, Safari 600 seconds).",
        reference: "https://fetch.spec.whatwg.org/#http-access-control-max-age",
        ..row(F::MaxAgeNotAsDeclared, "Preflight cached for another time than the policy declares", StaleCache, Warning)
    },
    Entry {
        explanation: "The browsers do not agree about this request.",
        fix: "Fix the stricter browser's finding; it usually makes the others pass too.",
        ..row(F::BrowsersDisagree, "Browsers disagree", OriginNotAllowed, Info)
    },
];
