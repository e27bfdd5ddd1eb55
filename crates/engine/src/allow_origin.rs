//! The CORS check (Fetch standard §cors-check) on `Access-Control-Allow-Origin`
//! and `Access-Control-Allow-Credentials`, in each engine's own order, so the
//! failure names the condition each browser reports.

use crate::browser::Browser;
use crate::catalogue::FindingId;
use crate::cors_headers::{CorsHeader, CorsHeaders};
use crate::headers::HeaderLines;

pub const ALLOW_ORIGIN: &str = "access-control-allow-origin";
pub const ALLOW_CREDENTIALS: &str = "access-control-allow-credentials";

/// Why the check failed, with the value the browser quotes.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct CheckFailure {
    pub id: FindingId,
    /// The offending header value as the browser quotes it (may be empty).
    pub value: String,
}

fn fail(id: FindingId, value: impl Into<String>) -> Result<(), CheckFailure> {
    Err(CheckFailure {
        id,
        value: value.into(),
    })
}

/// The value is an absolute URL (Chromium's `GURL::is_valid`).
fn is_url_like(value: &str) -> bool {
    url::Url::parse(value).is_ok()
}

/// Classifies a present, non-matching value that is not `*` the same way for
/// every engine; engines differ only in which of these they distinguish.
fn classify_mismatch(value: &str, lines: usize) -> FindingId {
    if lines > 1 {
        FindingId::AllowOriginDuplicateLines
    } else if value.contains(',') {
        FindingId::AllowOriginList
    } else if value.contains(' ') {
        FindingId::AllowOriginSpaceSeparated
    } else if value == "null" {
        FindingId::AllowOriginNull
    } else if !is_url_like(value) {
        FindingId::AllowOriginInvalid
    } else {
        FindingId::AllowOriginMismatch
    }
}

/// Runs the CORS check of `browser` on a response's headers.
///
/// `origin` is the serialised request origin (`null` when opaque or tainted),
/// `include_credentials` whether the request's credentials mode is `include`.
pub fn check(
    headers: &HeaderLines,
    origin: &str,
    include_credentials: bool,
    browser: Browser,
) -> Result<(), CheckFailure> {
    check_indexed(
        &CorsHeaders::of(headers),
        origin,
        include_credentials,
        browser,
    )
}

/// [`check`] on an index of the response's headers.
pub fn check_indexed(
    headers: &CorsHeaders,
    origin: &str,
    include_credentials: bool,
    browser: Browser,
) -> Result<(), CheckFailure> {
    let lines = headers.line_count(CorsHeader::AllowOrigin);
    let combined = headers.combined(CorsHeader::AllowOrigin);
    match browser {
        Browser::Firefox => {
            if lines > 1 {
                return fail(
                    FindingId::AllowOriginDuplicateLines,
                    combined.unwrap_or_default(),
                );
            }
            let Some(value) = combined else {
                return fail(FindingId::AllowOriginMissing, "");
            };
            if include_credentials && value == "*" {
                return fail(FindingId::WildcardWithCredentials, value);
            }
            if value != "*" && value != origin {
                return fail(classify_mismatch(&value, lines), value);
            }
        }
        Browser::Chromium | Browser::WebKit => {
            let Some(value) = combined else {
                return fail(FindingId::AllowOriginMissing, "");
            };
            if value == "*" {
                if include_credentials {
                    return fail(FindingId::WildcardWithCredentials, value);
                }
                return Ok(());
            }
            if value != origin {
                return fail(classify_mismatch(&value, lines), value);
            }
        }
    }
    if include_credentials {
        let credentials = headers.combined(CorsHeader::AllowCredentials);
        if credentials.as_deref() != Some("true") {
            return fail(
                FindingId::AllowCredentialsNotTrue,
                credentials.unwrap_or_default(),
            );
        }
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    use crate::headers::lines as h;

    fn id(r: Result<(), CheckFailure>) -> Option<FindingId> {
        r.err().map(|f| f.id)
    }

    /// Section F2 of the reference, for every engine.
    #[test]
    fn f2_cors_check_vectors() {
        use FindingId::*;
        let o = "http://google.com";
        type Case<'a> = (
            &'a str,
            bool,
            Vec<(&'a str, &'a str)>,
            [Option<FindingId>; 3],
        );
        let cases: Vec<Case> = vec![
            (o, false, vec![("ACAO", "*")], [None, None, None]),
            (
                o,
                true,
                vec![("Access-Control-Allow-Origin", "*")],
                [Some(WildcardWithCredentials); 3],
            ),
            (o, false, vec![], [Some(AllowOriginMissing); 3]),
            (
                o,
                false,
                vec![(
                    "Access-Control-Allow-Origin",
                    "http://example.com http://another.example.com",
                )],
                [Some(AllowOriginSpaceSeparated); 3],
            ),
            (
                o,
                false,
                vec![(
                    "Access-Control-Allow-Origin",
                    "http://example.com,http://another.example.com",
                )],
                [Some(AllowOriginList); 3],
            ),
            (
                o,
                false,
                vec![("Access-Control-Allow-Origin", "invalid.origin")],
                [Some(AllowOriginInvalid); 3],
            ),
            (
                o,
                false,
                vec![("Access-Control-Allow-Origin", "http://not.google.com")],
                [Some(AllowOriginMismatch); 3],
            ),
            (
                "null",
                false,
                vec![("Access-Control-Allow-Origin", "null")],
                [None, None, None],
            ),
            (
                o,
                false,
                vec![("Access-Control-Allow-Origin", "null")],
                [Some(AllowOriginNull); 3],
            ),
            (
                o,
                true,
                vec![
                    ("Access-Control-Allow-Origin", o),
                    ("Access-Control-Allow-Credentials", "true"),
                ],
                [None, None, None],
            ),
            (
                o,
                true,
                vec![
                    ("Access-Control-Allow-Origin", o),
                    ("Access-Control-Allow-Credentials", "fuga"),
                ],
                [Some(AllowCredentialsNotTrue); 3],
            ),
            (
                o,
                true,
                vec![("Access-Control-Allow-Origin", o)],
                [Some(AllowCredentialsNotTrue); 3],
            ),
            (
                o,
                true,
                vec![
                    ("Access-Control-Allow-Origin", o),
                    ("Access-Control-Allow-Credentials", "True"),
                ],
                [Some(AllowCredentialsNotTrue); 3],
            ),
            (
                o,
                false,
                vec![("Access-Control-Allow-Origin", "")],
                [Some(AllowOriginInvalid); 3],
            ),
            (
                "https://a.com",
                false,
                vec![("Access-Control-Allow-Origin", "https://a.com/")],
                [Some(AllowOriginMismatch); 3],
            ),
            (
                "https://a.com",
                false,
                vec![
                    ("Access-Control-Allow-Origin", "https://a.com"),
                    ("Access-Control-Allow-Origin", "https://a.com"),
                ],
                [Some(AllowOriginDuplicateLines); 3],
            ),
            (
                "https://a.com",
                false,
                vec![("Access-Control-Allow-Origin", "  https://a.com ")],
                [None, None, None],
            ),
        ];
        for (origin, creds, headers, expected) in cases {
            let headers: Vec<(String, String)> = h(&headers)
                .into_iter()
                .map(|(n, v)| {
                    (
                        if n == "ACAO" {
                            ALLOW_ORIGIN.to_string()
                        } else {
                            n
                        },
                        v,
                    )
                })
                .collect();
            for (browser, want) in Browser::ALL.into_iter().zip(expected) {
                assert_eq!(
                    id(check(&headers, origin, creds, browser)),
                    want,
                    "{browser} {origin} {headers:?} creds={creds}"
                );
            }
        }
    }

    #[test]
    fn chromium_quotes_the_joined_value_and_credentials_hint() {
        let headers = h(&[
            ("Access-Control-Allow-Origin", "https://a.com"),
            ("access-control-allow-origin", "https://b.com"),
        ]);
        let failure = check(&headers, "https://a.com", false, Browser::Chromium).unwrap_err();
        assert_eq!(failure.value, "https://a.com, https://b.com");
        let headers = h(&[("Access-Control-Allow-Origin", "https://a.com")]);
        let failure = check(&headers, "https://a.com", true, Browser::Chromium).unwrap_err();
        assert_eq!(
            failure,
            CheckFailure {
                id: FindingId::AllowCredentialsNotTrue,
                value: String::new()
            }
        );
    }
}
