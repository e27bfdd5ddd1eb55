//! The units the recognizer matches, built from the catalogue: whole
//! messages (every browser's current, variant and legacy wordings), and the
//! pieces Chromium and old Safari assemble messages from — openings
//! (`Access to fetch at … has been blocked by CORS policy: `, and the older
//! `XMLHttpRequest cannot load U. `, `Failed to load U: `, `Fetch API cannot
//! load U. `, `Redirect from 'A' to 'B' …`), the preflight prefix, tails
//! (`Origin 'X' is therefore not allowed access.`, `The response had HTTP
//! status code N.`), and WebKit's companion line (`… cannot load U due to
//! access control checks.`). A Chromium reason is a message on its own, so
//! a reason pasted without its opening is recognised too.

use super::pattern::{literal_len, tokenize, Token};
use crate::browser::Browser;
use crate::catalogue::{entries, FindingId, Suffix};
use crate::message::{framed_template, has_preflight_variant, Stage};

/// The role a unit plays when messages are assembled.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Role {
    /// A catalogue wording (a Chromium one without its opening). `framed`:
    /// it needs an opening or a reason prefix before it (Firefox's reasons
    /// and older Chromium's shortest ones, too plain to stand alone).
    Message { id: FindingId, framed: bool },
    /// Starts a message and names its URL; `kind` when the wording implies
    /// it; `redirect` when it names a redirect.
    Opening {
        kind: Option<&'static str>,
        redirect: bool,
    },
    /// `Response to preflight request doesn't pass access control check: `
    /// (`preflight`), or Firefox's `(Reason: `.
    Prefix { preflight: bool },
    /// A sentence or closing a browser puts after the reason.
    Tail,
    /// WebKit's `<API> cannot load U due to access control checks.`
    Companion { kind: &'static str },
}

#[derive(Clone, Debug)]
pub struct Unit {
    pub role: Role,
    pub browser: Browser,
    pub stage: Stage,
    pub legacy: bool,
    pub suffix: Suffix,
    pub tokens: Vec<Token>,
    /// Literal bytes: how specific the unit is.
    pub score: usize,
    /// Only a whole line: a wording so short that it is also the start of
    /// other messages (WebKit's `Fetch API cannot load U.`).
    pub whole_line: bool,
}

pub const CHROMIUM_OPENING: &str =
    "Access to {kind} at '{url}' {redirected}from origin '{origin}' has been blocked by CORS policy: ";
const CHROMIUM_ANCHOR: &str = "has been blocked by CORS policy: ";
pub const PREFLIGHT_PREFIX: &str =
    "Response to preflight request doesn't pass access control check: ";
/// Firefox's frame up to its URL (a macro, so openings can extend it).
macro_rules! firefox_start {
    () => {
        "Cross-Origin Request Blocked: The Same Origin Policy disallows reading the remote resource"
    };
}
const FIREFOX_START: &str = firefox_start!();
const FIREFOX_REASON: &str = "(Reason: ";
/// A reason shorter than this needs its opening before it.
const SHORT_REASON: usize = 30;

/// Openings of older browsers and other frames: Chromium until ~2018 (and
/// Safari until ~2017 for the first two), Chromium 64–70, Chromium ~69's
/// redirect wording; Firefox's frame (its URL quoted or not, or cut out by
/// the user); WebKit's redirect frame.
const OPENINGS: [(Browser, &str, Option<&str>, bool, bool); 20] = [
    (Browser::Chromium, CHROMIUM_OPENING, None, false, false),
    // Chromium's opening with its start or its origin cut out by the user.
    (Browser::Chromium, "from origin '{origin}' has been blocked by CORS policy: ", None, false, false),
    (Browser::Chromium, "Access to {kind} at '{url}' from origin has been blocked by CORS policy: ", None, false, false),
    (Browser::Chromium, CHROMIUM_ANCHOR, None, false, false),
    (Browser::Chromium, "XMLHttpRequest cannot load {url}. ", Some("XMLHttpRequest"), false, true),
    (Browser::Chromium, "Fetch API cannot load {url}. ", Some("fetch"), false, true),
    (Browser::Chromium, "Failed to load {url}: ", None, false, true),
    (
        Browser::Chromium,
        "Redirect from '{initial_url}' to '{url}' has been blocked by CORS policy: ",
        None,
        true,
        true,
    ),
    (Browser::Firefox, concat!(firefox_start!(), " at {url}. "), None, false, false),
    (Browser::Firefox, concat!(firefox_start!(), " at '{url}'. "), None, false, false),
    (Browser::Firefox, concat!(firefox_start!(), " "), None, false, false),
    (
        Browser::WebKit,
        "Cross-origin redirection to {location} denied by Cross-Origin Resource Sharing policy: ",
        None,
        true,
        false,
    ),
    // Older Chromium (Blink's CrossOriginAccessControl.cpp, ResourceFetcher,
    // DocumentThreadableLoader, cors_error_string.cc before M71), and the
    // DevTools Issues panel's summary.
    (Browser::Chromium, "Redirect from '{initial_url}' has been blocked by CORS policy: ", None, true, true),
    (
        Browser::Chromium,
        "Redirect at origin '{redirect_origin}' has been blocked from loading by Cross-Origin Resource Sharing policy: ",
        None,
        true,
        true,
    ),
    (Browser::Chromium, "Image from origin '{resource_origin}' has been blocked from loading by Cross-Origin Resource Sharing policy: ", Some("image"), false, true),
    (Browser::Chromium, "Font from origin '{resource_origin}' has been blocked from loading by Cross-Origin Resource Sharing policy: ", Some("font"), false, true),
    (Browser::Chromium, "Script from origin '{resource_origin}' has been blocked from loading by Cross-Origin Resource Sharing policy: ", Some("script"), false, true),
    (Browser::Chromium, "Imported resource from origin '{resource_origin}' has been blocked from loading by Cross-Origin Resource Sharing policy: ", Some("imported resource"), false, true),
    (Browser::Chromium, "Failed to load '{url}': ", None, false, true),
    (Browser::Chromium, "Access blocked by CORS policy: ", None, false, false),
];

/// Sentences browsers put after the reason: older Chromium's, and the
/// closing of Firefox's `(Reason: …)`.
const TAILS: [(Browser, &str, bool); 9] = [
    (Browser::Chromium, "Origin '{origin}' is therefore not allowed access.", true),
    (Browser::Chromium, "The response had HTTP status code {status}.", true),
    (Browser::Chromium, "If an opaque response serves your needs, set the request's mode to 'no-cors' to fetch the resource with CORS disabled.", true),
    (Browser::Chromium, "The credentials mode of requests initiated by the XMLHttpRequest is controlled by the withCredentials attribute.", true),
    (Browser::Chromium, "The credentials mode of an XMLHttpRequest is controlled by the withCredentials attribute.", true),
    (Browser::Chromium, "Have the server send the header with a valid value.", true),
    (Browser::Firefox, "). Status code: {status}.", false),
    (Browser::Firefox, ").", false),
    (Browser::Firefox, ")", false),
];

const COMPANIONS: [(&str, &str); 4] = [
    (
        "Fetch API cannot load {url} due to access control checks.",
        "fetch",
    ),
    (
        "XMLHttpRequest cannot load {url} due to access control checks.",
        "XMLHttpRequest",
    ),
    (
        "EventSource cannot load {url} due to access control checks.",
        "EventSource",
    ),
    (
        "Cannot load {url} due to access control checks.",
        "resource",
    ),
];

fn unit(
    role: Role,
    browser: Browser,
    stage: Stage,
    legacy: bool,
    suffix: Suffix,
    text: &str,
) -> Unit {
    let tokens = tokenize(text);
    Unit {
        role,
        browser,
        stage,
        legacy,
        suffix,
        score: literal_len(&tokens),
        whole_line: text == "Fetch API cannot load {url}.",
        tokens,
    }
}

/// A wording cut to what follows its frame: a Chromium CORS-policy reason
/// (and whether it had the preflight prefix), a Firefox reason without its
/// `(Reason: ` and closing, or the whole wording.
fn reason_of(browser: Browser, text: &str) -> (&str, bool, bool) {
    match browser {
        Browser::Chromium => match text.find(CHROMIUM_ANCHOR) {
            Some(at) => {
                let reason = &text[at + CHROMIUM_ANCHOR.len()..];
                match reason.strip_prefix(PREFLIGHT_PREFIX) {
                    Some(inner) => (inner, true, false),
                    None => (reason, false, false),
                }
            }
            None => (text, false, false),
        },
        Browser::Firefox if text.starts_with(FIREFOX_START) => match text.find(FIREFOX_REASON) {
            Some(at) => {
                let reason = &text[at + FIREFOX_REASON.len()..];
                let core = reason
                    .strip_suffix("). Status code: {status}.")
                    .or_else(|| reason.strip_suffix(")."))
                    .or_else(|| reason.strip_suffix(')'))
                    .unwrap_or(reason);
                (core, false, true)
            }
            None => (text, false, false),
        },
        _ => (text, false, false),
    }
}

/// Every unit, most specific first.
pub fn build() -> Vec<Unit> {
    let mut units = Vec::new();
    let mut push_message = |id: FindingId,
                            browser: Browser,
                            stage: Stage,
                            legacy: bool,
                            suffix: Suffix,
                            text: &str| {
        let (text, preflight, framed) = reason_of(browser, text);
        // Older Chromium's shortest reasons (`Invalid response.`, `Redirect
        // failed.`) are everyday words: only after an opening.
        let framed =
            framed || (browser == Browser::Chromium && legacy && text.len() < SHORT_REASON);
        let stage = if preflight { Stage::Preflight } else { stage };
        units.push(unit(
            Role::Message { id, framed },
            browser,
            stage,
            legacy,
            suffix,
            text,
        ));
    };
    for entry in entries() {
        for browser in Browser::ALL {
            let stages: &[Stage] = if has_preflight_variant(entry.id) {
                &[Stage::Actual, Stage::Preflight, Stage::Redirect]
            } else {
                &[Stage::Actual]
            };
            for &stage in stages {
                // Chromium and Firefox word redirect failures like actual
                // ones; Chromium's preflight wording is the prefix unit.
                let distinct = match browser {
                    Browser::WebKit => true,
                    Browser::Chromium => stage == Stage::Actual,
                    Browser::Firefox => stage != Stage::Redirect,
                };
                if !distinct {
                    continue;
                }
                let Some(text) = framed_template(entry.id, browser, stage) else {
                    continue;
                };
                let stage = if has_preflight_variant(entry.id) {
                    stage
                } else {
                    natural_stage(entry.id)
                };
                push_message(
                    entry.id,
                    browser,
                    stage,
                    entry.legacy_only,
                    entry.chromium_suffix,
                    &text,
                );
            }
        }
        let variants = entry.variants.iter().map(|v| (v, false));
        for ((browser, text), legacy) in variants.chain(entry.legacy.iter().map(|l| (l, true))) {
            let stage = if legacy && has_preflight_variant(entry.id) {
                Stage::Actual
            } else {
                natural_stage(entry.id)
            };
            push_message(entry.id, *browser, stage, legacy, Suffix::None, text);
        }
    }
    for (browser, text, kind, redirect, legacy) in OPENINGS {
        units.push(unit(
            Role::Opening { kind, redirect },
            browser,
            Stage::Actual,
            legacy,
            Suffix::None,
            text,
        ));
    }
    units.push(unit(
        Role::Prefix { preflight: true },
        Browser::Chromium,
        Stage::Preflight,
        false,
        Suffix::None,
        PREFLIGHT_PREFIX,
    ));
    for text in [FIREFOX_REASON, "Reason: "] {
        units.push(unit(
            Role::Prefix { preflight: false },
            Browser::Firefox,
            Stage::Actual,
            false,
            Suffix::None,
            text,
        ));
    }
    for (browser, text, legacy) in TAILS {
        units.push(unit(
            Role::Tail,
            browser,
            Stage::Actual,
            legacy,
            Suffix::None,
            text,
        ));
    }
    for (text, kind) in COMPANIONS {
        units.push(unit(
            Role::Companion { kind },
            Browser::WebKit,
            Stage::Actual,
            false,
            Suffix::None,
            text,
        ));
    }
    // A unit that starts with a slot has no anchor to be found by.
    units.retain(|u| matches!(u.tokens.first(), Some(Token::Literal(_))));
    units.sort_by_key(|u| std::cmp::Reverse(u.score));
    units
}

/// The stage a condition without Chromium preflight twin belongs to.
pub fn natural_stage(id: FindingId) -> Stage {
    use FindingId::*;
    match id {
        PreflightRejected
        | PreflightStatusNotOk
        | PreflightRedirect
        | AllowMethodsInvalid
        | AllowHeadersInvalid
        | MethodNotAllowed
        | HeaderNotAllowed
        | AuthorizationNotCoveredByWildcard
        | PnaMissingAllowPrivateNetwork
        | PnaInvalidAllowPrivateNetwork
        | PnaMissingAccessId
        | PnaMissingAccessName
        | ExternalPreflightMissing
        | ExternalPreflightInvalid
        | PreflightBlockedByBrowser => Stage::Preflight,
        RedirectWithCredentials | RedirectNonHttpScheme | TooManyRedirects => Stage::Redirect,
        MixedContent
        | CorsDisabledScheme
        | UrlSchemeNotSupported
        | SameOriginModeViolation
        | NoCorsRedirectMode
        | ForbiddenMethod
        | ForbiddenHeader
        | NoCorsMethod
        | LnaInsecureInitiator
        | LnaPermissionDenied
        | LnaAddressSpaceMismatch
        | CspBlocked => Stage::Client,
        _ => Stage::Actual,
    }
}
