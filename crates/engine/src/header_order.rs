//! The order in which each browser walks a request's CORS-unsafe headers
//! when it checks them against `Access-Control-Allow-Headers`: when several
//! are not allowed, the first one in that order is the one its console
//! names. Recorded (conformance: header-order-*, trigger-budget-1025-allow-*):
//!
//! - Firefox walks the lower-cased names sorted;
//! - WebKit walks its `HTTPHeaderMap`: the headers WebKit has a name for
//!   (`HTTPHeaderNames.in`) first, then the others; fetch() fills that map
//!   from the sorted `Headers` list, XMLHttpRequest in the script's order;
//! - Chromium walks blink's request header map, a hash table (see
//!   [`chromium_rank`]); past the 1024-byte budget the safelisted headers
//!   come after every other one.

use std::borrow::Cow;

use crate::browser::Browser;
use crate::chromium_header_order::blink_header_map_order;
use crate::request::Initiator;
use crate::safelist::{
    dropped_silently, is_forbidden_request_header, UnsafeHeader, UnsafeHeaderReason,
};

/// `unsafe_headers` (in the script's order) in the order `browser` checks
/// them. `script` is every header the script set (Chromium's order depends
/// on all it sends, not only the unsafe ones).
pub(crate) fn in_check_order<'a>(
    unsafe_headers: &'a [UnsafeHeader],
    script: &[(String, String)],
    browser: Browser,
    initiator: Initiator,
) -> Cow<'a, [UnsafeHeader]> {
    if unsafe_headers.len() < 2 {
        return Cow::Borrowed(unsafe_headers);
    }
    let mut ordered: Vec<(usize, &UnsafeHeader)> = unsafe_headers.iter().enumerate().collect();
    match browser {
        Browser::Firefox => ordered.sort_by(|(_, a), (_, b)| a.name.cmp(&b.name)),
        Browser::WebKit => {
            let fetch = initiator != Initiator::XmlHttpRequest;
            ordered.sort_by(|(i, a), (j, b)| {
                let unnamed = |h: &UnsafeHeader| webkit_named(&h.name).is_none();
                unnamed(a).cmp(&unnamed(b)).then_with(|| {
                    if fetch {
                        a.name.cmp(&b.name)
                    } else {
                        i.cmp(j)
                    }
                })
            });
        }
        Browser::Chromium => {
            let ranks = chromium_rank(script);
            let rank = |h: &UnsafeHeader| ranks.iter().position(|n| *n == h.name);
            ordered.sort_by(|(i, a), (j, b)| {
                let over_budget = |h: &UnsafeHeader| {
                    matches!(h.reason, UnsafeHeaderReason::BudgetExceeded { .. })
                };
                over_budget(a)
                    .cmp(&over_budget(b))
                    .then_with(|| rank(a).cmp(&rank(b)))
                    .then_with(|| i.cmp(j))
            });
        }
    }
    Cow::Owned(ordered.into_iter().map(|(_, h)| h.clone()).collect())
}

/// The lower-cased names of the headers Chromium sends for `script`, in
/// the order it walks them (blink's header map: [`crate::chromium_header_order`]).
fn chromium_rank(script: &[(String, String)]) -> Vec<String> {
    let names: Vec<String> = script
        .iter()
        .filter(|(n, v)| {
            !is_forbidden_request_header(n, v) && !dropped_silently(n, Browser::Chromium)
        })
        .map(|(n, _)| n.to_ascii_lowercase())
        .collect();
    let borrowed: Vec<&str> = names.iter().map(String::as_str).collect();
    blink_header_map_order(&borrowed)
        .into_iter()
        .map(str::to_string)
        .collect()
}

/// WebKit's canonical spelling of `name` when it is one of its named headers.
fn webkit_named(name: &str) -> Option<&'static str> {
    WEBKIT_HEADER_NAMES
        .iter()
        .find(|known| known.eq_ignore_ascii_case(name))
        .copied()
}

/// How WebKitGTK 2.50 names a header that the preflight did not allow: as
/// the script wrote it for XMLHttpRequest; for fetch(), in WebKit's
/// canonical case when it is one of WebKit's named headers, lowercased
/// otherwise (conformance: acah-absent `x-foo`, auth-acah-absent
/// `Authorization`, api-xhr-header-not-allowed `X-Foo`, header-name-*).
pub(crate) fn webkit_header_name(name: &str, initiator: Initiator) -> String {
    if initiator == Initiator::XmlHttpRequest {
        return name.to_string();
    }
    webkit_named(name).map_or_else(|| name.to_ascii_lowercase(), str::to_string)
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
