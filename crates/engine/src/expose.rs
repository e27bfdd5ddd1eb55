//! Which response headers the page's script can read
//! (`Access-Control-Expose-Headers` and the safelisted response headers).

use crate::headers::{get_combined, list_items, HeaderLines};

pub const EXPOSE_HEADERS: &str = "access-control-expose-headers";

/// Response headers script can always read.
pub const SAFELISTED_RESPONSE_HEADERS: [&str; 7] = [
    "cache-control",
    "content-language",
    "content-length",
    "content-type",
    "expires",
    "last-modified",
    "pragma",
];

/// Whether script could read a response header named `name` (sent or
/// not): a safelisted response header, or one `Access-Control-Expose-Headers`
/// names (`*` counts only without credentials).
pub fn exposes(headers: &HeaderLines, name: &str, include_credentials: bool) -> bool {
    let name = name.to_ascii_lowercase();
    if name == "set-cookie" || name == "set-cookie2" {
        return false;
    }
    if SAFELISTED_RESPONSE_HEADERS.contains(&name.as_str()) {
        return true;
    }
    get_combined(headers, EXPOSE_HEADERS).is_some_and(|v| {
        list_items(&v)
            .any(|item| item.eq_ignore_ascii_case(&name) || (!include_credentials && item == "*"))
    })
}

/// Lower-cased names of the headers script can read, sorted and unique.
pub fn readable_headers(headers: &HeaderLines, include_credentials: bool) -> Vec<String> {
    let exposed: Vec<String> = get_combined(headers, EXPOSE_HEADERS)
        .map(|v| list_items(&v).map(|s| s.to_ascii_lowercase()).collect())
        .unwrap_or_default();
    let star = !include_credentials && exposed.iter().any(|e| e == "*");
    let mut names: Vec<String> = headers
        .iter()
        .map(|(n, _)| n.to_ascii_lowercase())
        .filter(|n| n != "set-cookie" && n != "set-cookie2")
        .filter(|n| {
            star || SAFELISTED_RESPONSE_HEADERS.contains(&n.as_str()) || exposed.contains(n)
        })
        .collect();
    names.sort();
    names.dedup();
    names
}

/// Headers the server sent that script cannot read and that look like the
/// application's own (not CORS, caching or transport headers).
pub fn unexposed_application_headers(
    headers: &HeaderLines,
    include_credentials: bool,
) -> Vec<String> {
    let readable = readable_headers(headers, include_credentials);
    let mut names: Vec<String> = headers
        .iter()
        .map(|(n, _)| n.to_ascii_lowercase())
        .filter(|n| !readable.contains(n) && is_application_header(n))
        .collect();
    names.sort();
    names.dedup();
    names
}

fn is_application_header(name: &str) -> bool {
    const TRANSPORT: [&str; 16] = [
        "connection",
        "date",
        "server",
        "vary",
        "etag",
        "age",
        "via",
        "keep-alive",
        "transfer-encoding",
        "content-encoding",
        "alt-svc",
        "strict-transport-security",
        "x-cache",
        "cf-cache-status",
        "allow",
        "www-authenticate",
    ];
    !name.starts_with("access-control-")
        && name != "set-cookie"
        && !TRANSPORT.contains(&name)
        && (name.starts_with("x-")
            || name == "link"
            || name == "location"
            || name.contains("-id")
            || name.contains("total")
            || name.contains("ratelimit"))
}

#[cfg(test)]
mod tests {
    use super::*;

    use crate::headers::lines as h;

    /// Section F5 #7-9.
    #[test]
    fn f5_expose_vectors() {
        let base = [
            ("Content-Type", "application/json"),
            ("X-Total-Count", "42"),
            ("Set-Cookie", "a=b"),
        ];
        let mut star = base.to_vec();
        star.push(("Access-Control-Expose-Headers", "*"));
        assert_eq!(
            readable_headers(&h(&star), false),
            vec![
                "access-control-expose-headers",
                "content-type",
                "x-total-count"
            ]
        );
        assert_eq!(readable_headers(&h(&star), true), vec!["content-type"]);
        assert_eq!(readable_headers(&h(&base), false), vec!["content-type"]);
        assert_eq!(
            unexposed_application_headers(&h(&base), false),
            vec!["x-total-count"]
        );
        let mut listed = base.to_vec();
        listed.push(("Access-Control-Expose-Headers", "X-Total-Count"));
        assert!(unexposed_application_headers(&h(&listed), true).is_empty());
    }
}
