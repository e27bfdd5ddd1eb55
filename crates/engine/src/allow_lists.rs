//! The preflight's method and header lists (`Access-Control-Allow-Methods`,
//! `-Allow-Headers`): parsing, `*` semantics and each engine's order of checks.

use crate::browser::Browser;
use crate::catalogue::FindingId;
use crate::cors_headers::{CorsHeader, CorsHeaders, ItemSpans};
use crate::headers::HeaderLines;
use crate::method::is_cors_safelisted;
use crate::safelist::UnsafeHeader;

pub const ALLOW_METHODS: &str = "access-control-allow-methods";
pub const ALLOW_HEADERS: &str = "access-control-allow-headers";

/// A failed list check and the value the browser quotes.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct ListFailure {
    pub id: FindingId,
    /// Method, header name or unparsable value, as the browser quotes it.
    pub value: String,
}

/// Passed, possibly with a non-blocking note (Firefox's Authorization warning).
#[derive(Clone, Debug, PartialEq, Eq, Default)]
pub struct ListPass {
    /// `*` covered `Authorization` (Firefox warns, WebKit is silent).
    pub wildcard_covered_authorization: bool,
}

/// How many request headers are checked by scanning the allow list.
const MANY_HEADERS: usize = 16;

struct Parsed<'a> {
    /// The combined value; only made when the index did not split the list.
    raw: std::borrow::Cow<'a, str>,
    /// The items as the index split them, when it did.
    split: Option<(&'a str, ItemSpans)>,
}

impl Parsed<'_> {
    /// The first item that is not a token, if any.
    fn invalid(&self) -> Option<&str> {
        crate::headers::first_invalid_item(&self.raw)
    }

    /// Whether some item satisfies `predicate`.
    fn any(&self, mut predicate: impl FnMut(&str) -> bool) -> bool {
        if let Some(mut items) = self.split.and_then(|(value, spans)| spans.items(value)) {
            return items.any(&mut predicate);
        }
        crate::headers::list_items(&self.raw).any(predicate)
    }

    fn contains(&self, wanted: &str) -> bool {
        self.any(|item| item == wanted)
    }
}

/// The combined value of `header`, borrowed when there is a single line.
fn parse<'a>(headers: &CorsHeaders<'a>, header: CorsHeader) -> Parsed<'a> {
    match headers.split_list(header) {
        Some(split) => Parsed {
            raw: std::borrow::Cow::Borrowed(crate::headers::trim_ows(split.0)),
            split: Some(split),
        },
        None => Parsed {
            raw: headers.combined(header).unwrap_or_default(),
            split: None,
        },
    }
}

/// Fails when `parsed` holds an item that is not a token.
fn valid(id: FindingId, parsed: &Parsed, browser: Browser) -> Result<(), ListFailure> {
    match parsed.invalid() {
        None => Ok(()),
        Some(token) => Err(ListFailure {
            id,
            value: match browser {
                Browser::Firefox => token.to_string(),
                _ => parsed.raw.to_string(),
            },
        }),
    }
}

fn method_allowed(methods: &Parsed, method: &str, include: bool) -> bool {
    is_cors_safelisted(method) || methods.contains(method) || (!include && methods.contains("*"))
}

/// Checks the preflight's lists for `method` and the CORS-unsafe headers
/// as `browser` does; `unsafe_headers` in the order the browser walks them
/// (the first that fails is named).
pub fn check(
    headers: &HeaderLines,
    method: &str,
    unsafe_headers: &[UnsafeHeader],
    include: bool,
    browser: Browser,
) -> Result<ListPass, ListFailure> {
    check_indexed(
        &CorsHeaders::of(headers),
        method,
        unsafe_headers,
        include,
        browser,
    )
}

/// [`check`] on an index of the response's headers.
pub fn check_indexed(
    headers: &CorsHeaders,
    method: &str,
    unsafe_headers: &[UnsafeHeader],
    include: bool,
    browser: Browser,
) -> Result<ListPass, ListFailure> {
    let methods = parse(headers, CorsHeader::AllowMethods);
    let allowed_headers = parse(headers, CorsHeader::AllowHeaders);
    let method_failure = || ListFailure {
        id: FindingId::MethodNotAllowed,
        value: method.to_string(),
    };
    let valid = |id, parsed: &Parsed, header| {
        if headers.known_valid_list(header) {
            Ok(())
        } else {
            valid(id, parsed, browser)
        }
    };
    valid(
        FindingId::AllowMethodsInvalid,
        &methods,
        CorsHeader::AllowMethods,
    )?;
    // Firefox checks the method before it parses the header list.
    if browser == Browser::Firefox {
        if !method_allowed(&methods, method, include) {
            return Err(method_failure());
        }
        valid(
            FindingId::AllowHeadersInvalid,
            &allowed_headers,
            CorsHeader::AllowHeaders,
        )?;
    } else {
        valid(
            FindingId::AllowHeadersInvalid,
            &allowed_headers,
            CorsHeader::AllowHeaders,
        )?;
        if !method_allowed(&methods, method, include) {
            return Err(method_failure());
        }
    }
    check_headers(&allowed_headers, unsafe_headers, include, browser)
}

fn check_headers(
    allowed: &Parsed,
    unsafe_headers: &[UnsafeHeader],
    include: bool,
    browser: Browser,
) -> Result<ListPass, ListFailure> {
    let wildcard = !include && allowed.contains("*");
    // Thousands of headers against a list echoing them all would be
    // quadratic: past a few, look the (lower-cased) names up in a set.
    let set: Option<std::collections::HashSet<String>> = (unsafe_headers.len() > MANY_HEADERS)
        .then(|| {
            let mut set = std::collections::HashSet::new();
            allowed.any(|h| {
                set.insert(h.to_ascii_lowercase());
                false
            });
            set
        });
    let listed = |name: &str| match &set {
        Some(set) => set.contains(name),
        None => allowed.any(|h| h.eq_ignore_ascii_case(name)),
    };
    let mut pass = ListPass::default();
    // The first that fails is the one the console names: the caller passes
    // the headers in the browser's order (crate::header_order).
    let mut failure: Option<(&UnsafeHeader, FindingId)> = None;
    for header in unsafe_headers {
        if listed(&header.name) {
            continue;
        }
        let id = if !wildcard {
            FindingId::HeaderNotAllowed
        } else if header.name != "authorization" {
            continue;
        } else if browser.wildcard_covers_authorization() {
            pass.wildcard_covered_authorization = true;
            continue;
        } else {
            FindingId::AuthorizationNotCoveredByWildcard
        };
        failure = Some((header, id));
        break;
    }
    match failure {
        None => Ok(pass),
        Some((header, id)) => Err(ListFailure {
            id,
            value: if browser == Browser::WebKit {
                header.name_as_sent.clone()
            } else {
                header.name.clone()
            },
        }),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::safelist::unsafe_headers;

    use crate::headers::lines as h;

    fn run(
        acam: &str,
        acah: &str,
        include: bool,
        method: &str,
        req: &[(&str, &str)],
        browser: Browser,
    ) -> Result<ListPass, ListFailure> {
        let mut response = Vec::new();
        if !acam.is_empty() {
            response.push((ALLOW_METHODS.to_string(), acam.to_string()));
        }
        if !acah.is_empty() {
            response.push((ALLOW_HEADERS.to_string(), acah.to_string()));
        }
        let unsafe_list = unsafe_headers(&h(req), browser);
        check(&response, method, &unsafe_list, include, browser)
    }

    fn outcome(r: Result<ListPass, ListFailure>) -> Option<(FindingId, String)> {
        r.err().map(|f| (f.id, f.value))
    }

    #[test]
    fn many_headers_are_looked_up_alike() {
        let names: Vec<String> = (0..40).map(|i| format!("X-Custom-{i}")).collect();
        let req: Vec<(&str, &str)> = names.iter().map(|n| (n.as_str(), "v")).collect();
        let all = names.join(", ").to_ascii_uppercase();
        for browser in [Browser::Chromium, Browser::Firefox, Browser::WebKit] {
            assert_eq!(outcome(run("", &all, false, "GET", &req, browser)), None);
            let missing = names
                .iter()
                .filter(|n| *n != "X-Custom-17")
                .cloned()
                .collect::<Vec<_>>()
                .join(", ");
            let failed = outcome(run("", &missing, false, "GET", &req, browser)).unwrap();
            assert_eq!(failed.0, FindingId::HeaderNotAllowed);
            assert!(failed.1.eq_ignore_ascii_case("X-Custom-17"), "{failed:?}");
        }
    }

    /// Section F3 of the reference.
    #[test]
    fn f3_preflight_list_vectors() {
        use FindingId::*;
        let x = &[("X-Test", "1")][..];
        let none = &[][..];
        let authz = &[("Authorization", "123")][..];
        type Case<'a> = (
            &'a str,
            &'a str,
            bool,
            &'a str,
            &'a [(&'a str, &'a str)],
            [Option<FindingId>; 3],
        );
        let cases: Vec<Case> = vec![
            ("get", "x-test", false, "GET", x, [None; 3]),
            ("*", "x-test", false, "SUPER", x, [None; 3]),
            ("*", "*", false, "OK", x, [None; 3]),
            ("*", "*", true, "OK", x, [Some(MethodNotAllowed); 3]),
            ("*", "", true, "PUT", none, [Some(MethodNotAllowed); 3]),
            ("get", "*", true, "GET", x, [Some(HeaderNotAllowed); 3]),
            ("*", "*", true, "GET", x, [Some(HeaderNotAllowed); 3]),
            ("*", "*", true, "*", &[("*", "1")][..], [None; 3]),
            ("GET", "", true, "GET", none, [None; 3]),
            ("get", "", true, "GET", none, [None; 3]),
            ("DELETE", "", true, "DELETE", none, [None; 3]),
            (
                "delete",
                "",
                true,
                "DELETE",
                none,
                [Some(MethodNotAllowed); 3],
            ),
            ("PATCH", "", false, "PATCH", none, [None; 3]),
            (
                "PATCH",
                "",
                false,
                "patch",
                none,
                [Some(MethodNotAllowed); 3],
            ),
            (
                "patch",
                "",
                false,
                "PATCH",
                none,
                [Some(MethodNotAllowed); 3],
            ),
            ("patch", "", false, "patch", none, [None; 3]),
            // The standard (F3 #13) says fail; Chromium 156, Firefox 153 and WebKit
            // all let it through (conformance: auth-acah-star).
            ("*", "*", false, "POST", authz, [None; 3]),
            ("*", "*, Authorization", false, "POST", authz, [None; 3]),
            ("", "", false, "PUT", none, [Some(MethodNotAllowed); 3]),
            ("FOOBAR", "", false, "FOOBAR", none, [None; 3]),
            ("GET, ,PUT", "", false, "PUT", none, [None; 3]),
            (
                "",
                "X-MY-HEADER, Y-MY-HEADER",
                false,
                "GET",
                &[("X-MY-HEADER", "1"), ("Y-MY-HEADER", "1")][..],
                [None; 3],
            ),
            (
                "",
                "X-MY-HEADER",
                false,
                "GET",
                &[("X-MY-HEADER", "1"), ("Y-MY-HEADER", "1")][..],
                [Some(HeaderNotAllowed); 3],
            ),
            ("", "", false, "GET", &[("Host", "x")][..], [None; 3]),
            (
                "",
                "bad value",
                false,
                "GET",
                none,
                [Some(AllowHeadersInvalid); 3],
            ),
            (
                "bad value",
                "",
                false,
                "GET",
                none,
                [Some(AllowMethodsInvalid); 3],
            ),
            (
                "",
                "X-MY-HEADER, ",
                false,
                "GET",
                &[("X-MY-HEADER", "1")][..],
                [None; 3],
            ),
        ];
        for (acam, acah, include, method, req, expected) in cases {
            for (browser, want) in Browser::ALL.into_iter().zip(expected) {
                let got = outcome(run(acam, acah, include, method, req, browser)).map(|(id, _)| id);
                assert_eq!(
                    got, want,
                    "{browser}: ACAM {acam:?} ACAH {acah:?} include={include} {method} {req:?}"
                );
            }
        }
    }

    #[test]
    fn quoted_values_per_engine() {
        let r = run(
            "",
            "X-MY-HEADER",
            false,
            "GET",
            &[("X-MY-HEADER", "1"), ("Y-My-Header", "1")],
            Browser::Chromium,
        );
        assert_eq!(outcome(r).map(|o| o.1).as_deref(), Some("y-my-header"));
        let r = run(
            "",
            "X-MY-HEADER",
            false,
            "GET",
            &[("X-MY-HEADER", "1"), ("Y-My-Header", "1")],
            Browser::WebKit,
        );
        assert_eq!(outcome(r).map(|o| o.1).as_deref(), Some("Y-My-Header"));
        let r = run("GET, bad value", "", false, "GET", &[], Browser::Firefox);
        assert_eq!(outcome(r).map(|o| o.1).as_deref(), Some("bad value"));
        let r = run("GET, bad value", "", false, "GET", &[], Browser::WebKit);
        assert_eq!(outcome(r).map(|o| o.1).as_deref(), Some("GET, bad value"));
        let r = run(
            "*",
            "*",
            false,
            "POST",
            &[("Authorization", "x")],
            Browser::Firefox,
        );
        assert_eq!(
            r,
            Ok(ListPass {
                wildcard_covered_authorization: true
            })
        );
    }
}
