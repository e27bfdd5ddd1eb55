//! `audit --har`: the cross-origin endpoints a recording's pages called,
//! each once, as the script's request (its origin, method and own headers,
//! rebuilt by the engine's observed-traffic entry point). A request the
//! recording holds only as a preflight is rebuilt from what the preflight
//! asks. Secrets are not carried over: credential-like query values and
//! header values are replaced, since the audit sends these requests again
//! and writes them into its reports.

use std::collections::HashSet;

use cors_engine::{preflight_request, script_request, Origin, Request};

use crate::judge::{exchange, is_preflight, page_url};
use crate::reader::Har;
use crate::redact::{is_secret_header, redact_url};

/// The value a secret header is sent with instead of the recorded one.
pub const PROBE_SECRET: &str = "cors-doctor-probe";

/// Every distinct endpoint (URL without its query, origin, method) that a
/// script of `har` called cross-origin, in file order; requests before the
/// preflights that only ask about them.
pub fn script_requests(har: Har) -> Vec<Request> {
    let (pages, documents) = (&har.pages, &har.documents);
    let mut seen: HashSet<(String, String, String)> = HashSet::new();
    let mut requests = Vec::new();
    let mut lone_preflights = Vec::new();
    for mut entry in har.entries {
        let page = page_url(pages, documents, entry.pageref.as_deref());
        let page_origin = page.as_ref().map(Origin::of_url);
        let preflight = is_preflight(&entry);
        let Some((exchange, _)) = exchange(&mut entry, page_origin.as_ref()) else {
            continue;
        };
        if preflight {
            lone_preflights.push(preflight_request(&exchange, page.as_ref()));
        } else {
            requests.push(script_request(&exchange, page.as_ref()));
        }
    }
    let mut endpoints = Vec::new();
    for mut request in requests.into_iter().chain(lone_preflights).flatten() {
        let mut without_query = request.url.clone();
        without_query.set_query(None);
        without_query.set_fragment(None);
        let key = (
            without_query.to_string(),
            request.origin.serialize(),
            request.method.clone(),
        );
        if !seen.insert(key) {
            continue;
        }
        if let Ok(url) = url::Url::parse(&redact_url(request.url.as_str())) {
            request.url = url;
        }
        for (name, value) in &mut request.headers {
            if is_secret_header(name) {
                *value = PROBE_SECRET.to_string();
            }
        }
        endpoints.push(request);
    }
    endpoints
}
