//! The Fetch standard's "parse a single range header value" (without
//! whitespace), which decides whether a `Range` request header is safelisted.

use crate::browser::Browser;

/// `Some((start, end))` for a single `bytes=start-[end]` range, else `None`.
pub fn parse_single_range(value: &str) -> Option<(Option<u64>, Option<u64>)> {
    parse_with_unit(value, |unit| unit == "bytes")
}

fn parse_with_unit(
    value: &str,
    unit_is_bytes: impl Fn(&str) -> bool,
) -> Option<(Option<u64>, Option<u64>)> {
    let (unit, rest) = value.split_once('=')?;
    if !unit_is_bytes(unit) {
        return None;
    }
    let (start, end) = rest.split_once('-')?;
    let start = parse_digits(start)?;
    let end = parse_digits(end)?;
    match (start, end) {
        (None, None) => None,
        (Some(s), Some(e)) if s > e => None,
        pair => Some(pair),
    }
}

/// Empty → `Some(None)`; all ASCII digits that fit in 64 bits → the number;
/// anything else (whitespace, signs, a second range) → `None`.
fn parse_digits(text: &str) -> Option<Option<u64>> {
    if text.is_empty() {
        return Some(None);
    }
    if !text.bytes().all(|b| b.is_ascii_digit()) {
        return None;
    }
    text.parse::<u64>().ok().map(Some)
}

/// Safelisted only with a start position (suffix ranges need a preflight).
///
/// WebKit compares the unit case-insensitively, as the standard says;
/// Chromium 156 and Firefox 153 preflight `BYTES=` (conformance scenario
/// trigger-range-upper).
pub fn is_safelisted_range(value: &str, browser: Browser) -> bool {
    let parsed = parse_with_unit(value, |unit| {
        unit == "bytes" || (browser == Browser::WebKit && unit.eq_ignore_ascii_case("bytes"))
    });
    matches!(parsed, Some((Some(_), _)))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn safelisted_ranges_f1_15() {
        for v in ["bytes=100-200", "bytes=200-"] {
            for browser in Browser::ALL {
                assert!(is_safelisted_range(v, browser), "{v} {browser}");
            }
        }
    }

    #[test]
    fn only_webkit_reads_the_unit_case_insensitively() {
        assert!(!is_safelisted_range("BYTES=100-200", Browser::Chromium));
        assert!(!is_safelisted_range("BYTES=100-200", Browser::Firefox));
        assert!(is_safelisted_range("BYTES=100-200", Browser::WebKit));
        assert!(is_safelisted_range("Bytes=100-", Browser::WebKit));
    }

    #[test]
    fn unsafelisted_ranges_f1_16_17() {
        let long = format!("bytes=1{}-2{}", "0".repeat(60), "0".repeat(60));
        for v in [
            "100-200",
            "MB=100-200",
            "bytes =100-200",
            "bytes\t=100-200",
            "bytes=  100-200",
            "bytes=100 -200",
            "bytes=100- 200",
            "bytes=100-200hello",
            "bytes=abc-def",
            "bytes=100-200,300-400",
            "bytes=-200",
            "bytes=200-100",
            "bytes 100-200",
            "bytes = 100-200",
            ",bytes=100-200",
            "bytes=,100-200",
            long.as_str(),
        ] {
            for browser in Browser::ALL {
                assert!(!is_safelisted_range(v, browser), "{v} {browser}");
            }
        }
    }
}
