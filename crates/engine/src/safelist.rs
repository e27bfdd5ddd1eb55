//! Which request headers a page's script may set, which of them are
//! CORS-safelisted, and the `Access-Control-Request-Headers` value a browser
//! builds from the rest.

use crate::browser::Browser;
use crate::method::is_forbidden;
use crate::mime;
use crate::range::is_safelisted_range;

/// The Fetch standard's total budget for safelisted header values, in bytes.
pub const SAFELIST_BUDGET: usize = 1024;
/// The per-value limit of a safelisted header, in bytes.
pub const SAFELIST_VALUE_LIMIT: usize = 128;

/// A header name script cannot set (the `Headers` object drops it, XHR refuses it).
pub fn is_forbidden_request_header(name: &str, value: &str) -> bool {
    const FORBIDDEN: [&str; 21] = [
        "accept-charset",
        "accept-encoding",
        "access-control-request-headers",
        "access-control-request-method",
        "connection",
        "content-length",
        "cookie",
        "cookie2",
        "date",
        "dnt",
        "expect",
        "host",
        "keep-alive",
        "origin",
        "referer",
        "set-cookie",
        "te",
        "trailer",
        "transfer-encoding",
        "upgrade",
        "via",
    ];
    let starts_with = |prefix: &str| {
        name.len() >= prefix.len()
            && name.as_bytes()[..prefix.len()].eq_ignore_ascii_case(prefix.as_bytes())
    };
    if FORBIDDEN.iter().any(|f| f.eq_ignore_ascii_case(name))
        || starts_with("proxy-")
        || starts_with("sec-")
    {
        return true;
    }
    if [
        "x-http-method",
        "x-http-method-override",
        "x-method-override",
    ]
    .iter()
    .any(|n| n.eq_ignore_ascii_case(name))
    {
        return value.split(',').any(|m| is_forbidden(m.trim()));
    }
    false
}

/// A byte that makes a safelisted header value unsafe.
pub fn is_cors_unsafe_byte(byte: u8) -> bool {
    (byte < 0x20 && byte != 0x09)
        || matches!(
            byte,
            b'"' | b'('
                | b')'
                | b':'
                | b'<'
                | b'>'
                | b'?'
                | b'@'
                | b'['
                | b'\\'
                | b']'
                | b'{'
                | b'}'
                | 0x7F
        )
}

/// Why a header is not safelisted, for the report.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum UnsafeHeaderReason {
    /// The name is not on the safelist at all (any custom header, `Authorization`…).
    NameNotSafelisted,
    /// The value is longer than 128 bytes.
    ValueTooLong { length: usize },
    /// The value contains a byte such as `"` or `(` or a control character.
    UnsafeByte { byte: u8 },
    /// `Content-Type` whose essence is not one of the three form types
    /// (see [`crate::mime::essence`] for what it is).
    ContentTypeNotSimple,
    /// `Range` that is not a single `bytes=start-[end]` range.
    RangeNotSimple,
    /// `Accept-Language`/`Content-Language` with a byte outside `0-9A-Za-z *,-.;=`.
    LanguageByte { byte: u8 },
    /// A Chromium client-hint header whose value has the wrong syntax.
    ClientHintSyntax,
    /// Safelisted on its own, but the safelisted values total more than 1024 bytes.
    BudgetExceeded { total: usize },
}

/// Client hints only Chromium safelists.
const CHROMIUM_EXTRA: [&str; 9] = [
    "device-memory",
    "dpr",
    "downlink",
    "width",
    "viewport-width",
    "rtt",
    "ect",
    "save-data",
    "intervention",
];

/// Checks one header against the safelist of `browser` (without the budget).
pub fn check_safelisted(
    name: &str,
    value: &str,
    browser: Browser,
) -> Result<(), UnsafeHeaderReason> {
    const STANDARD: [&str; 5] = [
        "accept",
        "accept-language",
        "content-language",
        "content-type",
        "range",
    ];
    let lower: &str = match STANDARD.iter().find(|n| n.eq_ignore_ascii_case(name)) {
        Some(n) => n,
        None => match CHROMIUM_EXTRA.iter().find(|n| n.eq_ignore_ascii_case(name)) {
            Some(n) if browser == Browser::Chromium => n,
            _ => return Err(UnsafeHeaderReason::NameNotSafelisted),
        },
    };
    let bytes = value.as_bytes();
    let unsafe_byte = || bytes.iter().copied().find(|b| is_cors_unsafe_byte(*b));
    if bytes.len() > SAFELIST_VALUE_LIMIT {
        return Err(UnsafeHeaderReason::ValueTooLong {
            length: bytes.len(),
        });
    }
    match lower {
        "accept" => match unsafe_byte() {
            Some(byte) => Err(UnsafeHeaderReason::UnsafeByte { byte }),
            // Firefox 153 preflights non-ASCII Accept values (conformance: trigger-accept-high-byte).
            None if browser == Browser::Firefox && !value.is_ascii() => {
                Err(UnsafeHeaderReason::UnsafeByte {
                    byte: bytes.iter().copied().find(|b| *b >= 0x80).unwrap_or(0x80),
                })
            }
            None => Ok(()),
        },
        "accept-language" | "content-language" => {
            match bytes.iter().copied().find(|b| !is_language_byte(*b)) {
                Some(byte) => Err(UnsafeHeaderReason::LanguageByte { byte }),
                None => Ok(()),
            }
        }
        "content-type" => {
            if let Some(byte) = unsafe_byte() {
                return Err(UnsafeHeaderReason::UnsafeByte { byte });
            }
            if mime::is_simple_form_type(value) {
                Ok(())
            } else {
                Err(UnsafeHeaderReason::ContentTypeNotSimple)
            }
        }
        "range" => {
            if is_safelisted_range(value, browser) {
                Ok(())
            } else {
                Err(UnsafeHeaderReason::RangeNotSimple)
            }
        }
        _ => match chromium_extra_ok(lower, value) {
            Some(true) => Ok(()),
            _ => Err(UnsafeHeaderReason::ClientHintSyntax),
        },
    }
}

/// Whether some browser could safelist these headers differently from
/// another: a Chromium-only client hint, a non-ASCII `Accept` (Firefox), a
/// `Range` unit not spelled `bytes` (WebKit ignores its case), or values long
/// enough for Chromium's 1024-byte budget. Conservative: `false`
/// guarantees [`unsafe_headers`] and [`check_safelisted`] agree for every browser.
pub fn depends_on_browser(headers: &[(String, String)]) -> bool {
    let mut total = 0usize;
    headers.iter().any(|(name, value)| {
        total = total.saturating_add(value.len());
        CHROMIUM_EXTRA.iter().any(|n| n.eq_ignore_ascii_case(name))
            || dropped_silently(name, Browser::Chromium)
            || (name.eq_ignore_ascii_case("accept") && !value.is_ascii())
            || (name.eq_ignore_ascii_case("range") && !value.starts_with("bytes="))
    }) || total > SAFELIST_BUDGET
}

/// Headers the spec lets a script set but `browser` drops without a word
/// and without a preflight: Chromium sends its own `User-Agent`
/// (conformance: trigger-set-user-agent; Firefox and WebKit preflight it
/// and send the script's).
pub fn dropped_silently(name: &str, browser: Browser) -> bool {
    browser == Browser::Chromium && name.eq_ignore_ascii_case("user-agent")
}

/// `Some(valid?)` for the headers Chromium adds to the safelist, `None` otherwise.
fn chromium_extra_ok(lower: &str, value: &str) -> Option<bool> {
    match lower {
        "device-memory" | "dpr" | "downlink" => Some(is_double_like(value)),
        "width" | "viewport-width" | "rtt" => {
            Some(!value.is_empty() && value.bytes().all(|b| b.is_ascii_digit()))
        }
        "ect" => Some(matches!(value, "slow-2g" | "2g" | "3g" | "4g")),
        "save-data" => Some(value == "on"),
        "intervention" => Some(true),
        _ => None,
    }
}

/// `1*DIGIT [ "." 1*DIGIT ]`
fn is_double_like(value: &str) -> bool {
    let digits = |s: &str| !s.is_empty() && s.bytes().all(|b| b.is_ascii_digit());
    match value.split_once('.') {
        Some((int, frac)) => digits(int) && digits(frac),
        None => digits(value),
    }
}

fn is_language_byte(b: u8) -> bool {
    b.is_ascii_alphanumeric() || matches!(b, b' ' | b'*' | b',' | b'-' | b'.' | b';' | b'=')
}

/// One header the browser considers CORS-unsafe, and why.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct UnsafeHeader {
    /// Lower-cased name.
    pub name: String,
    /// The name as the script wrote it (WebKit prints it this way).
    pub name_as_sent: String,
    pub reason: UnsafeHeaderReason,
}

/// The CORS-unsafe request headers of `headers` for `browser`, in the order
/// the script set them (forbidden headers are skipped: the browser drops them).
pub fn unsafe_headers(headers: &[(String, String)], browser: Browser) -> Vec<UnsafeHeader> {
    unsafe_headers_where(headers, browser, |name, value| {
        !is_forbidden_request_header(name, value)
    })
}

/// [`unsafe_headers`] of headers the browser sends (forbidden ones already
/// dropped by the caller).
pub(crate) fn unsafe_headers_of_sent(
    headers: &[(String, String)],
    browser: Browser,
) -> Vec<UnsafeHeader> {
    unsafe_headers_where(headers, browser, |_, _| true)
}

fn unsafe_headers_where(
    headers: &[(String, String)],
    browser: Browser,
    sent: impl Fn(&str, &str) -> bool,
) -> Vec<UnsafeHeader> {
    let unsafe_header = |name: &String, reason| UnsafeHeader {
        name: name.to_ascii_lowercase(),
        name_as_sent: name.clone(),
        reason,
    };
    let mut unsafe_list = Vec::new();
    let mut total = 0usize;
    for (name, value) in headers {
        if !sent(name, value) {
            continue;
        }
        match check_safelisted(name, value, browser) {
            Ok(()) => total = total.saturating_add(value.len()),
            Err(reason) => unsafe_list.push(unsafe_header(name, reason)),
        }
    }
    if browser.has_safelist_budget() && total > SAFELIST_BUDGET {
        // Over the budget every safelisted header becomes unsafe too.
        for (name, value) in headers {
            if sent(name, value) && check_safelisted(name, value, browser).is_ok() {
                unsafe_list.push(unsafe_header(
                    name,
                    UnsafeHeaderReason::BudgetExceeded { total },
                ));
            }
        }
    }
    unsafe_list
}

/// The `Access-Control-Request-Headers` value for already computed unsafe headers.
pub fn request_headers_value_of(unsafe_list: &[UnsafeHeader]) -> Option<String> {
    if unsafe_list.is_empty() {
        return None;
    }
    // Sorted on the stack for the usual handful of names.
    let mut small = [""; 8];
    let mut large = Vec::new();
    let names: &mut [&str] = if unsafe_list.len() <= small.len() {
        for (slot, header) in small.iter_mut().zip(unsafe_list) {
            *slot = &header.name;
        }
        small.get_mut(..unsafe_list.len()).unwrap_or_default()
    } else {
        large.extend(unsafe_list.iter().map(|h| h.name.as_str()));
        &mut large
    };
    names.sort_unstable();
    let mut value = String::with_capacity(names.iter().map(|n| n.len() + 1).sum());
    let mut last = None;
    for name in names.iter() {
        if last == Some(*name) {
            continue;
        }
        if !value.is_empty() {
            value.push(',');
        }
        value.push_str(name);
        last = Some(*name);
    }
    Some(value)
}

/// The CORS-unsafe request-header names: lower-cased, sorted by bytes, deduplicated.
pub fn unsafe_header_names(headers: &[(String, String)], browser: Browser) -> Vec<String> {
    let mut names: Vec<String> = unsafe_headers(headers, browser)
        .into_iter()
        .map(|h| h.name)
        .collect();
    names.sort();
    names.dedup();
    names
}

/// The `Access-Control-Request-Headers` value (`a,b,c`, no spaces), if any.
pub fn access_control_request_headers(
    headers: &[(String, String)],
    browser: Browser,
) -> Option<String> {
    let names = unsafe_header_names(headers, browser);
    if names.is_empty() {
        None
    } else {
        Some(names.join(","))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn simple(name: &str, value: &str) -> bool {
        check_safelisted(name, value, Browser::Chromium).is_ok()
    }

    #[test]
    fn f1_single_headers() {
        let cases: &[(&str, &str, bool)] = &[
            ("content-type", "text/plain;", true),
            ("content-type", "text/plain;garbage", true),
            ("content-type", "text /plain", false),
            ("content-type", "text\t/\tplain", false),
            ("content-type", "text/plain;garbage\u{1}\u{2}", false),
            ("content-type", "text/plain,", false),
            ("content-type", ",text/plain", false),
            ("content-type", "text/plain,text/plain", false),
            ("content-type", "text/plain,x/x", false),
            ("content-type", "text/plain\u{b}", false),
            ("content-type", "text/plain\u{c}", false),
            ("content-type", "application/www-form-urlencoded", false),
            (
                "content-type",
                "application/x-www-form-urlencoded;\u{7f}",
                false,
            ),
            ("content-type", "multipart/form-data", true),
            ("content-type", "multipart/form-data;\"", false),
            ("content-type", "Text/plain", true),
            ("content-type", "tEXT/PLAIN", true),
            ("content-type", "  text/plain ; charset=UTF-8", true),
            ("content-type", "application/json", false),
            ("accept", "\"", false),
            ("accept", "\u{80}", true),
            ("accept-language", "en,ja", true),
            ("accept-language", "en_US", false),
            ("x-custom", "1", false),
            ("authorization", "Bearer x", false),
            ("dpr", "1.25", true),
            ("dpr", "1.", false),
            ("dpr", ".1", false),
            ("dpr", "1e2", false),
            ("dpr", "-1.25", false),
            ("save-data", "on", true),
            ("save-data", "off", false),
        ];
        for (name, value, expected) in cases {
            assert_eq!(simple(name, value), *expected, "{name}: {value:?}");
        }
    }

    #[test]
    fn f1_13_and_21_the_128_byte_rule() {
        let ok = format!("text/plain; charset={}", "a".repeat(108));
        assert_eq!(ok.len(), 128);
        assert!(simple("content-type", &ok));
        let too_long = format!("text/plain; charset={}", "a".repeat(109));
        assert!(!simple("content-type", &too_long));
        assert!(simple("accept", &"a".repeat(128)));
        assert!(!simple("accept", &"a".repeat(129)));
    }

    #[test]
    fn client_hints_are_chromium_only() {
        assert!(check_safelisted("dpr", "2", Browser::Firefox).is_err());
        assert!(check_safelisted("save-data", "on", Browser::WebKit).is_err());
    }

    fn budget_headers(width: usize, charset: usize) -> Vec<(String, String)> {
        let one = |n: usize| "1".repeat(n);
        [
            (
                "content-type",
                format!("text/plain; charset={}", one(charset)),
            ),
            ("accept", one(128)),
            ("accept-language", one(128)),
            ("content-language", one(128)),
            ("dpr", one(128)),
            ("device-memory", one(128)),
            ("save-data", "on".to_string()),
            ("viewport-width", one(128)),
            ("width", one(width)),
            ("hoge", "fuga".to_string()),
        ]
        .into_iter()
        .map(|(n, v)| (n.to_string(), v))
        .collect()
    }

    #[test]
    fn f1_22_24_the_1024_byte_budget() {
        assert_eq!(
            unsafe_header_names(&budget_headers(126, 108), Browser::Chromium),
            vec!["hoge"]
        );
        let over = unsafe_header_names(&budget_headers(127, 108), Browser::Chromium);
        assert_eq!(over.len(), 10, "{over:?}");
        assert_eq!(
            unsafe_header_names(&budget_headers(126, 128), Browser::Chromium),
            vec!["content-type", "hoge"]
        );
    }

    #[test]
    fn f1_25_request_headers_value() {
        let headers = vec![
            ("X-B".to_string(), "1".to_string()),
            ("x-a".to_string(), "1".to_string()),
            ("Content-Type".to_string(), "application/json".to_string()),
            ("X-A".to_string(), "2".to_string()),
            ("Cookie".to_string(), "a=b".to_string()),
        ];
        assert_eq!(
            access_control_request_headers(&headers, Browser::Firefox).as_deref(),
            Some("content-type,x-a,x-b")
        );
    }

    #[test]
    fn forbidden_request_headers() {
        for (n, v) in [
            ("Cookie", ""),
            ("Origin", ""),
            ("Sec-Fetch-Mode", ""),
            ("Proxy-Authorization", ""),
            ("Host", ""),
            ("X-HTTP-Method-Override", "GET, TRACE"),
        ] {
            assert!(is_forbidden_request_header(n, v), "{n}");
        }
        for (n, v) in [
            ("Authorization", ""),
            ("User-Agent", "x"),
            ("X-HTTP-Method-Override", "PUT"),
        ] {
            assert!(!is_forbidden_request_header(n, v), "{n}");
        }
    }
}
