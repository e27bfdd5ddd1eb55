//! What a browser decides before any network traffic: same- or cross-origin,
//! blocked outright (mixed content, forbidden method, wrong mode…), which
//! headers it drops, and whether a preflight is needed — with every reason.

use crate::browser::Browser;
use crate::catalogue::FindingId;
use crate::method::{is_cors_safelisted, is_forbidden, normalize};
use crate::origin::is_url_potentially_trustworthy;
use crate::request::{Initiator, Mode, RedirectMode, Request};
use crate::safelist::{
    check_safelisted, dropped_silently, is_forbidden_request_header, unsafe_headers_of_sent,
    UnsafeHeader,
};
use std::sync::Arc;
use url::Url;

/// Why a preflight is sent. Every reason is listed, not just the first.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum PreflightReason {
    /// The method is not GET, HEAD or POST (after normalisation).
    Method(String),
    /// A header is not CORS-safelisted (name, value, or the 1024-byte budget).
    Header(UnsafeHeader),
    /// XHR with upload listeners, or a streaming body.
    Forced,
}

/// The browser's decisions before sending anything.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Classification {
    /// The method as the API normalises it (`put` → `PUT`, `patch` stays).
    pub method: String,
    pub same_origin: bool,
    /// Whether the CORS protocol runs (mode `cors`, cross-origin).
    pub cors: bool,
    /// Refused before any network traffic, and why.
    pub blocked_before_network: Option<FindingId>,
    /// Headers the script set that the browser drops (forbidden names).
    pub dropped_headers: Vec<String>,
    /// The headers the browser sends on the script's behalf when they are
    /// not all the script's (see [`Classification::headers`]).
    filtered_headers: Option<Vec<(String, String)>>,
    /// XHR upload listeners or a streaming body force a preflight.
    pub forced_preflight: bool,
    /// The CORS-unsafe headers, in the order the script set them.
    pub unsafe_headers: Vec<UnsafeHeader>,
    /// The `Access-Control-Request-Headers` value, when a preflight is sent.
    pub access_control_request_headers: Option<String>,
}

impl Classification {
    /// Every reason a preflight is sent, in order (empty when the CORS
    /// protocol does not run). Built on demand: evaluations rarely need it.
    pub fn preflight_reasons(&self) -> Vec<PreflightReason> {
        let mut reasons = Vec::new();
        if !self.cors {
            return reasons;
        }
        if self.forced_preflight {
            reasons.push(PreflightReason::Forced);
        }
        if !is_cors_safelisted(&self.method) {
            reasons.push(PreflightReason::Method(self.method.clone()));
        }
        reasons.extend(
            self.unsafe_headers
                .iter()
                .cloned()
                .map(PreflightReason::Header),
        );
        reasons
    }

    /// Headers the browser actually sends on the script's behalf (`request`
    /// is the request this classification was made for).
    pub fn headers<'a>(&'a self, request: &'a Request) -> &'a [(String, String)] {
        self.filtered_headers.as_deref().unwrap_or(&request.headers)
    }

    pub fn needs_preflight(&self) -> bool {
        self.cors
            && self.blocked_before_network.is_none()
            && (self.forced_preflight
                || !is_cors_safelisted(&self.method)
                || !self.unsafe_headers.is_empty())
    }
}

/// Classifies `request` as `browser` would.
pub fn classify(request: &Request, browser: Browser) -> Classification {
    let method = if request.initiator.is_script_api() {
        normalize(&request.method)
    } else {
        "GET".to_string()
    };
    let same_origin = request.origin.same_origin_as_url(&request.url);
    let mut dropped: Vec<String> = Vec::new();
    let mut all_sent = true;
    for (name, value) in &request.headers {
        if is_forbidden_request_header(name, value) || dropped_silently(name, browser) {
            dropped.push(name.clone());
            all_sent = false;
        } else if request.mode == Mode::NoCors && !survives_no_cors(name, value, browser) {
            all_sent = false;
        }
    }
    // Most requests send every header the script set, each name once: no
    // copy then.
    let repeated = has_repeated_names(&request.headers);
    let filtered_headers = (!all_sent || repeated).then(|| {
        let sent = request.headers.iter().filter(|(n, v)| {
            !is_forbidden_request_header(n, v)
                && !dropped_silently(n, browser)
                && (request.mode != Mode::NoCors || survives_no_cors(n, v, browser))
        });
        combine_repeated(sent)
    });
    let headers = filtered_headers.as_deref().unwrap_or(&request.headers);
    let blocked = blocked_before_network(request, &method, same_origin, browser);
    let cors = request.mode == Mode::Cors && !same_origin;
    let unsafe_list = unsafe_headers_of_sent(headers, browser);
    let access_control_request_headers = if cors {
        crate::safelist::request_headers_value_of(&unsafe_list)
    } else {
        None
    };
    Classification {
        method,
        same_origin,
        cors,
        blocked_before_network: blocked,
        dropped_headers: dropped,
        filtered_headers,
        forced_preflight: request.force_preflight,
        unsafe_headers: unsafe_list,
        access_control_request_headers,
    }
}

/// Past this many headers, repeated names are found through a hash set.
const PAIRWISE_LIMIT: usize = 16;

/// Whether two headers share a name (case-insensitively).
fn has_repeated_names(headers: &[(String, String)]) -> bool {
    if headers.len() <= PAIRWISE_LIMIT {
        return headers
            .iter()
            .enumerate()
            .any(|(i, (a, _))| headers[..i].iter().any(|(b, _)| a.eq_ignore_ascii_case(b)));
    }
    let mut seen = std::collections::HashSet::with_capacity(headers.len());
    !headers
        .iter()
        .all(|(n, _)| seen.insert(n.to_ascii_lowercase()))
}

/// The headers as a script's `Headers` holds them: a repeated name is one
/// header, named as first written, its values joined with `", "` — what
/// browsers send and what the safelist and its size limits see
/// (conformance: trigger-dup-*).
fn combine_repeated<'a>(
    headers: impl Iterator<Item = &'a (String, String)>,
) -> Vec<(String, String)> {
    let mut combined: Vec<(String, String)> = Vec::new();
    let mut at: std::collections::HashMap<String, usize> = std::collections::HashMap::new();
    for (name, value) in headers {
        match at.get(&name.to_ascii_lowercase()) {
            Some(&i) => {
                if let Some((_, first)) = combined.get_mut(i) {
                    first.push_str(", ");
                    first.push_str(value);
                }
            }
            None => {
                at.insert(name.to_ascii_lowercase(), combined.len());
                combined.push((name.clone(), value.clone()));
            }
        }
    }
    combined
}

/// [`classify`] for each of `browsers`, in order, computed once and shared
/// when the browsers cannot disagree (no header whose safelisting is
/// browser-specific), which is the common case.
pub fn classify_each<'a>(
    request: &'a Request,
    browsers: &'a [Browser],
) -> impl Iterator<Item = Arc<Classification>> + 'a {
    let mixed_content_differs = is_mixed_content(&request.page_url, &request.url, Browser::WebKit)
        != is_mixed_content(&request.page_url, &request.url, Browser::Chromium);
    let shared = !(crate::safelist::depends_on_browser(&request.headers) || mixed_content_differs);
    let mut first: Option<Arc<Classification>> = None;
    browsers.iter().map(move |&browser| match &first {
        Some(class) if shared => Arc::clone(class),
        _ => {
            let class = Arc::new(classify(request, browser));
            first.get_or_insert_with(|| Arc::clone(&class));
            class
        }
    })
}

/// In no-cors mode only safelisted (and the privileged `Range`) headers are sent.
fn survives_no_cors(name: &str, value: &str, browser: Browser) -> bool {
    name.eq_ignore_ascii_case("range") || check_safelisted(name, value, browser).is_ok()
}

/// Whether a page at `page` loading `target` is blocked as mixed content.
/// Chromium and Firefox treat http loopback hosts as potentially
/// trustworthy; WebKit blocks them too (WebKitGTK 2.50 in conformance
/// mixed-https-to-http-127, -localhost, -sub-localhost; Safari likewise by
/// many public reports, WebKit bug 171934).
pub(crate) fn is_mixed_content(page: &Url, target: &Url, browser: Browser) -> bool {
    let http_loopback_counts = browser == Browser::WebKit && target.scheme() == "http";
    page.scheme() == "https" && (http_loopback_counts || !is_url_potentially_trustworthy(target))
}

fn blocked_before_network(
    request: &Request,
    method: &str,
    same_origin: bool,
    browser: Browser,
) -> Option<FindingId> {
    let script = request.initiator.is_script_api();
    if script && is_forbidden(method) {
        return Some(FindingId::ForbiddenMethod);
    }
    if script && (!request.url.username().is_empty() || request.url.password().is_some()) {
        return Some(FindingId::UrlWithCredentials);
    }
    if script && request.mode == Mode::NoCors && !is_cors_safelisted(method) {
        return Some(FindingId::NoCorsMethod);
    }
    if request.mode == Mode::NoCors && request.redirect != RedirectMode::Follow {
        return Some(FindingId::NoCorsRedirectMode);
    }
    if request.url.scheme() == "file" {
        return Some(FindingId::LocalResource);
    }
    if !matches!(request.url.scheme(), "http" | "https") {
        return Some(if request.initiator == Initiator::Fetch {
            FindingId::UrlSchemeNotSupported
        } else {
            FindingId::CorsDisabledScheme
        });
    }
    if is_mixed_content(&request.page_url, &request.url, browser) {
        return Some(FindingId::MixedContent);
    }
    if request.mode == Mode::SameOrigin && !same_origin {
        return Some(FindingId::SameOriginModeViolation);
    }
    None
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::request::CredentialsMode;

    #[test]
    fn repeated_names_are_combined_below_and_above_the_pairwise_limit() {
        for count in [3, PAIRWISE_LIMIT + 5] {
            let mut headers: Vec<(String, String)> = (0..count)
                .map(|i| (format!("X-H{i}"), i.to_string()))
                .collect();
            assert!(!has_repeated_names(&headers), "{count}");
            headers.push(("x-h1".to_string(), "again".to_string()));
            assert!(has_repeated_names(&headers), "{count}");
            let combined = combine_repeated(headers.iter());
            assert_eq!(combined.len(), count);
            assert_eq!(combined[1], ("X-H1".to_string(), "1, again".to_string()));
        }
    }

    fn req(page: &str, url: &str) -> Request {
        Request::new(Url::parse(page).unwrap(), Url::parse(url).unwrap())
    }

    #[test]
    fn simple_get_needs_no_preflight() {
        let c = classify(
            &req("https://app.example.com/", "https://api.example.com/x"),
            Browser::Chromium,
        );
        assert!(c.cors && !c.same_origin && !c.needs_preflight());
    }

    #[test]
    fn every_reason_is_listed() {
        let r = req("https://a.com/", "https://b.com/")
            .method("patch")
            .header("Content-Type", "application/json")
            .header("X-Request-Id", "1")
            .header("Cookie", "a=b");
        let c = classify(&r, Browser::Firefox);
        assert_eq!(c.method, "patch");
        assert_eq!(
            c.preflight_reasons().len(),
            3,
            "{:?}",
            c.preflight_reasons()
        );
        assert_eq!(c.dropped_headers, vec!["Cookie"]);
        assert_eq!(
            c.access_control_request_headers.as_deref(),
            Some("content-type,x-request-id")
        );
    }

    #[test]
    fn same_origin_and_blocked_cases_f5() {
        let c = classify(
            &req("https://a.com/p", "https://a.com/api"),
            Browser::Chromium,
        );
        assert!(c.same_origin && !c.cors);
        let c = classify(
            &req("https://a.com/", "https://b.com/").mode(Mode::SameOrigin),
            Browser::Chromium,
        );
        assert_eq!(
            c.blocked_before_network,
            Some(FindingId::SameOriginModeViolation)
        );
        let c = classify(
            &req("https://a.com/", "https://b.com/")
                .mode(Mode::NoCors)
                .method("PUT"),
            Browser::Chromium,
        );
        assert_eq!(c.blocked_before_network, Some(FindingId::NoCorsMethod));
        let c = classify(&req("https://a.com/", "http://api.b.com/"), Browser::WebKit);
        assert_eq!(c.blocked_before_network, Some(FindingId::MixedContent));
        let c = classify(
            &req("https://a.com/", "http://127.0.0.1:8080/"),
            Browser::Chromium,
        );
        assert_eq!(c.blocked_before_network, None);
        let c = classify(
            &req("https://a.com/", "http://localhost:8080/"),
            Browser::Firefox,
        );
        assert_eq!(c.blocked_before_network, None);
        // WebKit makes no exception for loopback (conformance: mixed-https-to-http-127).
        for target in ["http://localhost:8080/", "http://127.0.0.1:8080/"] {
            let c = classify(&req("https://a.com/", target), Browser::WebKit);
            assert_eq!(c.blocked_before_network, Some(FindingId::MixedContent));
        }
        let c = classify(
            &req("http://a.com/", "http://localhost:8080/"),
            Browser::WebKit,
        );
        assert_eq!(c.blocked_before_network, None);
        let c = classify(
            &req("http://a.com/", "file:///etc/passwd"),
            Browser::Chromium,
        );
        assert_eq!(c.blocked_before_network, Some(FindingId::LocalResource));
        let c = classify(&req("http://a.com/", "ftp://a.com/x"), Browser::Chromium);
        assert_eq!(
            c.blocked_before_network,
            Some(FindingId::UrlSchemeNotSupported)
        );
        let c = classify(
            &req("http://a.com/", "https://u:p@b.com/x"),
            Browser::Firefox,
        );
        assert_eq!(
            c.blocked_before_network,
            Some(FindingId::UrlWithCredentials)
        );
        let c = classify(
            &req("https://a.com/", "https://b.com/").method("TRACE"),
            Browser::Chromium,
        );
        assert_eq!(c.blocked_before_network, Some(FindingId::ForbiddenMethod));
        let mut r = req("https://a.com/", "https://b.com/");
        r.force_preflight = true;
        r.credentials = CredentialsMode::Include;
        assert!(classify(&r, Browser::Chromium).needs_preflight());
    }
}
