//! Shared phrasing: why a preflight is needed, verdict words, lists of
//! browsers, which response header a finding is about, and header values
//! shown with their control characters made visible.

use cors_engine::safelist::UnsafeHeaderReason;
use cors_engine::{Browser, FindingId, PreflightReason, Verdict};

/// `text` with its control characters (but tab) written `\x0b`, so a value
/// a browser sends with one is shown as it is, and nothing printed can
/// drive the terminal.
pub fn visible(text: &str) -> std::borrow::Cow<'_, str> {
    if !text.chars().any(is_shown_escaped) {
        return std::borrow::Cow::Borrowed(text);
    }
    let mut out = String::with_capacity(text.len() + 8);
    for c in text.chars() {
        if is_shown_escaped(c) {
            out.push_str(&format!("\\x{:02x}", u32::from(c)));
        } else {
            out.push(c);
        }
    }
    std::borrow::Cow::Owned(out)
}

fn is_shown_escaped(c: char) -> bool {
    (c.is_ascii_control() && c != '\t') || ('\u{80}'..='\u{9f}').contains(&c)
}

/// One preflight reason in plain words.
pub fn preflight_reason(reason: &PreflightReason) -> String {
    match reason {
        PreflightReason::Forced => "the request has an upload listener or a streaming body, which always forces a preflight".to_string(),
        PreflightReason::Method(m) => format!("the method `{m}` is not GET, HEAD or POST"),
        PreflightReason::Header(h) => {
            let why = match &h.reason {
                UnsafeHeaderReason::NameNotSafelisted => "is not a CORS-safelisted header".to_string(),
                UnsafeHeaderReason::ValueTooLong { length } => format!("has a {length}-byte value (safelisted values are at most 128 bytes)"),
                UnsafeHeaderReason::UnsafeByte { byte } => format!("contains the byte {:?}, which is not allowed in a safelisted value", char::from(*byte)),
                UnsafeHeaderReason::ContentTypeNotSimple => "is not application/x-www-form-urlencoded, multipart/form-data or text/plain".to_string(),
                UnsafeHeaderReason::RangeNotSimple => "is not a single `bytes=start-end` range".to_string(),
                UnsafeHeaderReason::LanguageByte { byte } => format!("contains {:?}, outside 0-9 A-Z a-z space * , - . ; =", char::from(*byte)),
                UnsafeHeaderReason::ClientHintSyntax => "has a value that is not valid for this client hint".to_string(),
                UnsafeHeaderReason::BudgetExceeded { total } => format!("pushes the safelisted header values to {total} bytes (more than 1024)"),
            };
            format!("the header `{}` {why}", h.name_as_sent)
        }
    }
}

pub fn verdict_word(verdict: Verdict) -> &'static str {
    match verdict {
        Verdict::Allowed => "allowed",
        Verdict::Blocked => "blocked",
        Verdict::Opaque => "opaque (no-cors)",
        Verdict::Unreachable => "no response",
    }
}

/// "Chrome/Edge (Chromium), Firefox and Safari (WebKit)"
pub fn browser_list(browsers: &[Browser]) -> String {
    let names: Vec<&str> = browsers.iter().map(|b| b.display_name()).collect();
    match names.as_slice() {
        [] => String::new(),
        [one] => one.to_string(),
        [init @ .., last] => format!("{} and {last}", init.join(", ")),
    }
}

/// The response header a finding is about (lower-case), if one.
pub fn header_of(id: FindingId) -> Option<&'static str> {
    use FindingId::*;
    Some(match id {
        AllowOriginMissing
        | AllowOriginMismatch
        | AllowOriginInvalid
        | AllowOriginNull
        | AllowOriginList
        | AllowOriginSpaceSeparated
        | AllowOriginDuplicateLines
        | WildcardWithCredentials
        | RedirectTaintedOrigin
        | ReflectedOriginWithCredentials => "access-control-allow-origin",
        AllowCredentialsNotTrue => "access-control-allow-credentials",
        MethodNotAllowed | AllowMethodsInvalid => "access-control-allow-methods",
        HeaderNotAllowed | AllowHeadersInvalid | AuthorizationNotCoveredByWildcard => {
            "access-control-allow-headers"
        }
        MaxAgeCapped | MaxAgeInvalid => "access-control-max-age",
        AllowOriginWithoutVary | ReflectedOriginWithoutVary | SharedCacheWithoutVary => "vary",
        HeaderNotExposed => "access-control-expose-headers",
        PreflightRedirect => "location",
        _ => return None,
    })
}

/// Response headers worth showing in a transcript.
pub fn is_relevant_response_header(name: &str) -> bool {
    let name = name.to_ascii_lowercase();
    name.starts_with("access-control-")
        || matches!(
            name.as_str(),
            "vary"
                | "location"
                | "allow"
                | "www-authenticate"
                | "age"
                | "via"
                | "x-cache"
                | "cf-cache-status"
                | "cache-control"
                | "content-type"
                | "set-cookie"
                | "timing-allow-origin"
                | "cross-origin-resource-policy"
                | "server"
        )
}
