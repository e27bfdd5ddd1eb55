//! `Access-Control-Max-Age`: how long each browser keeps a preflight result.

use crate::browser::Browser;

/// Seconds used when the header is absent (all engines) or unparsable (Chromium, WebKit).
pub const DEFAULT_SECONDS: u64 = 5;

/// The header as received.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum MaxAge {
    Absent,
    Seconds(u64),
    Negative,
    Invalid(String),
}

/// Parses the header value (digits only, optionally with a leading `-`).
pub fn parse(value: Option<&str>) -> MaxAge {
    // An empty value counts as absent: Firefox 153 caches it for the default
    // 5 s like a missing header (conformance: maxage-empty).
    let Some(value) = value.filter(|v| !v.is_empty()) else {
        return MaxAge::Absent;
    };
    let digits = |s: &str| !s.is_empty() && s.bytes().all(|b| b.is_ascii_digit());
    if let Some(rest) = value.strip_prefix('-') {
        if digits(rest) {
            return MaxAge::Negative;
        }
    }
    if digits(value) {
        // Beyond u64 is beyond every cap anyway.
        return MaxAge::Seconds(value.parse().unwrap_or(u64::MAX));
    }
    MaxAge::Invalid(value.to_string())
}

/// How long `browser` caches the preflight, in seconds; `None` = not cached.
pub fn effective_seconds(max_age: &MaxAge, browser: Browser) -> Option<u64> {
    let cap = browser.max_age_cap();
    match (max_age, browser) {
        (MaxAge::Absent, _) => Some(DEFAULT_SECONDS),
        (MaxAge::Seconds(0), Browser::Firefox) => None,
        (MaxAge::Seconds(s), _) => Some((*s).min(cap)),
        (MaxAge::Negative, Browser::Firefox) | (MaxAge::Invalid(_), Browser::Firefox) => None,
        (MaxAge::Negative, _) => Some(0),
        (MaxAge::Invalid(_), _) => Some(DEFAULT_SECONDS),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Section F3 #26-29 and B5 of the reference.
    #[test]
    fn f3_max_age_vectors() {
        let cases: &[(Option<&str>, [Option<u64>; 3])] = &[
            (None, [Some(5), Some(5), Some(5)]),
            (Some("573"), [Some(573), Some(573), Some(573)]),
            (Some("-765"), [Some(0), None, Some(0)]),
            (Some("86400"), [Some(7200), Some(86400), Some(600)]),
            (Some("1.5"), [Some(5), None, Some(5)]),
            (Some("10s"), [Some(5), None, Some(5)]),
            (Some("0"), [Some(0), None, Some(0)]),
            (Some(""), [Some(5), Some(5), Some(5)]),
            (
                Some("99999999999999999999999"),
                [Some(7200), Some(86400), Some(600)],
            ),
        ];
        for (value, expected) in cases {
            for (browser, want) in Browser::ALL.into_iter().zip(expected) {
                assert_eq!(
                    effective_seconds(&parse(*value), browser),
                    *want,
                    "{browser} {value:?}"
                );
            }
        }
    }
}
