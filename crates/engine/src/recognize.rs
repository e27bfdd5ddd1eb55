//! Recognises browser console text: finds every CORS-related message in a
//! pasted line or console dump and maps it back to catalogue entries with
//! the values it mentions. The patterns are the catalogue's own templates,
//! so a message the engine renders is always recognised (see the round-trip
//! test).

use crate::browser::Browser;
use crate::catalogue::{entries, FindingId, Suffix};
use crate::message::{
    chromium_suffix, framed_template, has_preflight_variant, legacy_chromium_suffix, Stage, Values,
};

/// One recognised message.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Recognized {
    /// Matching entries, most likely first (several when the browser uses one
    /// wording for several conditions, e.g. WebKit's "is not allowed").
    pub candidates: Vec<FindingId>,
    pub browser: Browser,
    pub stage: Stage,
    pub values: Values,
    /// Matched an older browser's wording.
    pub legacy: bool,
    /// Byte range of the message in the input line.
    pub start: usize,
    pub end: usize,
}

#[derive(Clone, Debug)]
enum Token {
    Literal(String),
    Slot(String),
}

#[derive(Clone, Debug)]
struct Pattern {
    id: FindingId,
    browser: Browser,
    stage: Stage,
    legacy: bool,
    suffix: Suffix,
    tokens: Vec<Token>,
}

/// The compiled patterns; build once with [`Recognizer::new`] and reuse.
#[derive(Clone, Debug)]
pub struct Recognizer {
    patterns: Vec<Pattern>,
}

impl Default for Recognizer {
    fn default() -> Self {
        Recognizer::new()
    }
}

fn tokenize(template: &str) -> Vec<Token> {
    let mut tokens = Vec::new();
    let mut rest = template;
    while let Some(open) = rest.find('{') {
        let after = &rest[open + 1..];
        match after.find('}') {
            Some(close)
                if after[..close]
                    .bytes()
                    .all(|b| b.is_ascii_lowercase() || b == b'_')
                    && close > 0 =>
            {
                if open > 0 {
                    tokens.push(Token::Literal(rest[..open].to_string()));
                }
                tokens.push(Token::Slot(after[..close].to_string()));
                rest = &after[close + 1..];
            }
            _ => {
                tokens.push(Token::Literal(rest[..=open].to_string()));
                rest = after;
            }
        }
    }
    if !rest.is_empty() {
        tokens.push(Token::Literal(rest.to_string()));
    }
    // Merge adjacent literals so matching anchors on whole phrases.
    let mut merged: Vec<Token> = Vec::new();
    for t in tokens {
        match (merged.last_mut(), t) {
            (Some(Token::Literal(prev)), Token::Literal(next)) => prev.push_str(&next),
            (_, t) => merged.push(t),
        }
    }
    merged
}

/// Curly quotes degrade to straight ones in pastes; match both.
fn normalize_quotes(text: &str) -> String {
    text.replace(['‘', '’'], "'").replace(['“', '”'], "\"")
}

impl Recognizer {
    pub fn new() -> Recognizer {
        let mut patterns = Vec::new();
        for entry in entries() {
            for browser in Browser::ALL {
                let stages: &[Stage] = if has_preflight_variant(entry.id) {
                    &[Stage::Actual, Stage::Preflight, Stage::Redirect]
                } else {
                    &[Stage::Actual]
                };
                for &stage in stages {
                    if let Some(text) = framed_template(entry.id, browser, stage) {
                        // Chromium and Firefox word redirect failures like actual ones.
                        if stage == Stage::Redirect && browser != Browser::WebKit {
                            continue;
                        }
                        let stage = if has_preflight_variant(entry.id) {
                            stage
                        } else {
                            natural_stage(entry.id)
                        };
                        patterns.push(Pattern {
                            id: entry.id,
                            browser,
                            stage,
                            legacy: entry.legacy_only,
                            suffix: entry.chromium_suffix,
                            tokens: tokenize(&normalize_quotes(&text)),
                        });
                    }
                }
            }
            let variants = entry.variants.iter().map(|v| (v, false));
            for ((browser, text), legacy) in variants.chain(entry.legacy.iter().map(|l| (l, true)))
            {
                patterns.push(Pattern {
                    id: entry.id,
                    browser: *browser,
                    stage: if legacy {
                        Stage::Actual
                    } else {
                        natural_stage(entry.id)
                    },
                    legacy,
                    suffix: Suffix::None,
                    tokens: tokenize(&normalize_quotes(text)),
                });
            }
        }
        // Longer patterns first: a WebKit redirect wrapper beats the bare reason.
        patterns.sort_by_key(|p| std::cmp::Reverse(literal_len(&p.tokens)));
        Recognizer { patterns }
    }

    /// Every CORS-related message in one line of text.
    pub fn recognize_line(&self, line: &str) -> Vec<Recognized> {
        if !looks_relevant(line) {
            return Vec::new();
        }
        let text = normalize_quotes(line);
        let mut found: Vec<Recognized> = Vec::new();
        for pattern in &self.patterns {
            let Some(Token::Literal(first)) = pattern.tokens.first() else {
                continue;
            };
            // Cheap rejection before any backtracking: every literal part of
            // the template must occur somewhere in the line.
            let all_literals_present = pattern.tokens.iter().all(|t| match t {
                Token::Literal(l) => text.contains(l.as_str()),
                Token::Slot(_) => true,
            });
            if !all_literals_present {
                continue;
            }
            let mut from = 0;
            while let Some(pos) = text[from..].find(first.as_str()) {
                let start = from + pos;
                if let Some((end, captures)) =
                    match_tokens(&pattern.tokens, &text, start, pattern.suffix)
                {
                    let same = found.iter().position(|r| {
                        r.start == start && r.end == end && r.browser == pattern.browser
                    });
                    if let Some(i) = same {
                        if !found[i].candidates.contains(&pattern.id) {
                            found[i].candidates.push(pattern.id);
                        }
                    } else if !found.iter().any(|r| start < r.end && r.start < end) {
                        found.push(Recognized {
                            candidates: vec![pattern.id],
                            browser: pattern.browser,
                            stage: pattern.stage,
                            values: values_from(&captures),
                            legacy: pattern.legacy,
                            start,
                            end,
                        });
                    }
                    break;
                }
                from = start + first.len().max(1);
                if from >= text.len() {
                    break;
                }
            }
        }
        // `net::ERR_FAILED` alone is Chromium's companion of a CORS error (or
        // of nothing in particular): it names no reason.
        found.retain(|r| {
            text.get(r.start..r.end) != Some("Failed to load resource: net::ERR_FAILED")
        });
        // WebKit's "Fetch API cannot load <url>." (same-origin mode) is a
        // prefix of its companion line "… cannot load <url> due to access
        // control checks.", which names no reason.
        if text.contains(" due to access control checks.") {
            found.retain(|r| {
                !(r.browser == Browser::WebKit
                    && r.candidates.contains(&FindingId::SameOriginModeViolation))
            });
        }
        for r in &mut found {
            rank_candidates(r);
        }
        found.sort_by_key(|r| r.start);
        found
    }
}

/// The stage a condition without Chromium preflight twin belongs to.
fn natural_stage(id: FindingId) -> Stage {
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

fn literal_len(tokens: &[Token]) -> usize {
    tokens
        .iter()
        .map(|t| match t {
            Token::Literal(l) => l.len(),
            Token::Slot(_) => 0,
        })
        .sum()
}

fn looks_relevant(line: &str) -> bool {
    const ANCHORS: [&str; 14] = [
        "CORS",
        "Cross-Origin",
        "Access-Control",
        "Mixed Content",
        "mixed active",
        "insecure content",
        "Preflight",
        "preflight",
        "Origin ",
        "Fetch API",
        "redirection",
        "net::ERR",
        "Content Security Policy",
        "Failed to",
    ];
    ANCHORS.iter().any(|a| line.contains(a))
        || line.contains("Blocked by")
        || line.contains("unsafe header")
        || line.contains("Load cannot")
        || line.contains("Cancelled load")
        || line.contains("Unsafe attempt")
        || line.contains("Cross origin requests")
        || line.contains("No-Cors mode")
        || line.contains("Credentials flag")
        || line.contains("Method ")
        || line.contains("Request header field")
        || line.contains("Header Access-Control")
        || line.contains("Cannot use wildcard")
        || line.contains("address space")
        || line.contains("Redirecting to data")
        || line.contains("local resource")
        || line.contains("Security Error")
        || line.contains("Window.fetch")
        || line.contains("Failed to execute")
}

/// Slots that hold a URL or an origin: no spaces, and the longest match wins.
fn is_url_like(slot: &str) -> bool {
    matches!(
        slot,
        "url" | "origin" | "page" | "location" | "location_without_credentials"
    )
}

/// Whether a captured value is plausible for the slot.
fn slot_accepts(slot: &str, value: &str) -> bool {
    let no_space = !value.contains(' ');
    match slot {
        _ if is_url_like(slot) => !value.is_empty() && no_space,
        "status" => {
            value == "(null)" || (!value.is_empty() && value.bytes().all(|b| b.is_ascii_digit()))
        }
        "header" | "method" | "scheme" => !value.is_empty() && no_space,
        "target_space" | "resource_space" => {
            !value.is_empty() && value.bytes().all(|b| b.is_ascii_lowercase())
        }
        "kind" => {
            !value.is_empty()
                && value.len() < 40
                && value.bytes().all(|b| b.is_ascii_alphabetic() || b == b' ')
        }
        "insecure_kind" => value == "resource" || value == "XMLHttpRequest endpoint",
        "schemes" => {
            !value.is_empty()
                && value
                    .bytes()
                    .all(|b| b.is_ascii_lowercase() || b == b',' || b == b' ' || b == b'-')
        }
        _ => true,
    }
}

/// Matches `tokens` at `start`; returns the end and the captured slots.
fn match_tokens(
    tokens: &[Token],
    text: &str,
    start: usize,
    suffix: Suffix,
) -> Option<(usize, Vec<(String, String)>)> {
    let mut captures = Vec::new();
    let end = match_from(tokens, text, start, suffix, &mut captures)?;
    Some((end, captures))
}

fn match_from(
    tokens: &[Token],
    text: &str,
    pos: usize,
    suffix: Suffix,
    captures: &mut Vec<(String, String)>,
) -> Option<usize> {
    let Some((first, rest)) = tokens.split_first() else {
        return Some(pos);
    };
    match first {
        Token::Literal(lit) => {
            if text.get(pos..)?.starts_with(lit.as_str()) {
                match_from(rest, text, pos + lit.len(), suffix, captures)
            } else {
                None
            }
        }
        Token::Slot(name) if name == "redirected" => {
            let tail = text.get(pos..)?;
            if let Some(after) = tail.strip_prefix("(redirected from '") {
                if let Some(close) = after.find("') ") {
                    let initial = &after[..close];
                    captures.push(("initial_url".to_string(), initial.to_string()));
                    let next = pos + "(redirected from '".len() + close + 3;
                    if let Some(end) = match_from(rest, text, next, suffix, captures) {
                        return Some(end);
                    }
                    captures.pop();
                }
            }
            match_from(rest, text, pos, suffix, captures)
        }
        Token::Slot(name) if name == "suffix" => {
            let tail = text.get(pos..)?;
            let candidates = ["fetch", "XMLHttpRequest"].into_iter().flat_map(|kind| {
                [
                    chromium_suffix(suffix, kind),
                    legacy_chromium_suffix(suffix, kind),
                ]
            });
            for s in candidates {
                if !s.is_empty() && tail.starts_with(s) {
                    if let Some(end) = match_from(rest, text, pos + s.len(), suffix, captures) {
                        return Some(end);
                    }
                }
            }
            match_from(rest, text, pos, suffix, captures)
        }
        Token::Slot(name) => {
            // The slot ends where the next literal starts (or, for the last
            // slot, at the longest plausible value).
            let next_literal = rest.iter().find_map(|t| match t {
                Token::Literal(l) => Some(l.as_str()),
                Token::Slot(_) => None,
            });
            let tail = text.get(pos..)?;
            match (rest.first(), next_literal) {
                (Some(Token::Literal(lit)), _) => {
                    let mut ends = Vec::new();
                    let mut search = 0;
                    while let Some(found) = tail.get(search..).and_then(|t| t.find(lit.as_str())) {
                        let value_end = search + found;
                        if slot_accepts(name, &tail[..value_end]) {
                            ends.push(value_end);
                        }
                        search = value_end + 1;
                        while search < tail.len() && !tail.is_char_boundary(search) {
                            search += 1;
                        }
                        if search > tail.len() {
                            break;
                        }
                    }
                    // URL-like values contain no spaces and may contain the
                    // next literal (a `.`), so try the longest first; prose
                    // values take the shortest.
                    if is_url_like(name) || matches!(name.as_str(), "header" | "method") {
                        ends.reverse();
                    }
                    for value_end in ends {
                        captures.push((name.clone(), tail[..value_end].to_string()));
                        if let Some(end) = match_from(rest, text, pos + value_end, suffix, captures)
                        {
                            return Some(end);
                        }
                        captures.pop();
                    }
                    None
                }
                (None, _) => {
                    let value = last_slot_value(name, tail);
                    if !slot_accepts(name, value) {
                        return None;
                    }
                    captures.push((name.clone(), value.to_string()));
                    Some(pos + value.len())
                }
                (Some(Token::Slot(_)), _) => None,
            }
        }
    }
}

/// The value of a slot that ends the template: up to the first space for
/// URL-like slots, digits for statuses, the rest of the line otherwise.
fn last_slot_value<'a>(name: &str, tail: &'a str) -> &'a str {
    match name {
        "status" => {
            if tail.starts_with("(null)") {
                &tail[..6]
            } else {
                let n = tail.bytes().take_while(|b| b.is_ascii_digit()).count();
                &tail[..n]
            }
        }
        _ if is_url_like(name) || matches!(name, "header" | "method") => {
            let n = tail.find(char::is_whitespace).unwrap_or(tail.len());
            tail[..n].trim_end_matches(['.', ','])
        }
        _ => strip_source_location(tail),
    }
}

/// Drops a DevTools source location (`app.js:42:7`, `(index):12`) and
/// anything after a double space from the end of a free-text value.
fn strip_source_location(tail: &str) -> &str {
    let mut text = tail.trim_end();
    if let Some(cut) = text.find("  ") {
        text = &text[..cut];
    }
    if let Some(space) = text.rfind(' ') {
        let last = &text[space + 1..];
        let mut parts = last.rsplit(':');
        let looks_like_location = parts
            .next()
            .is_some_and(|p| !p.is_empty() && p.bytes().all(|b| b.is_ascii_digit()))
            && parts.next().is_some();
        if looks_like_location && !last.contains("//") {
            text = text[..space].trim_end();
        }
    }
    text
}

fn values_from(captures: &[(String, String)]) -> Values {
    let mut v = Values::default();
    for (name, value) in captures {
        let value = value.clone();
        match name.as_str() {
            "url" => v.url = value,
            "initial_url" => v.initial_url = Some(value),
            "origin" => v.origin = value,
            "page" => v.page = value,
            "kind" => v.kind = value.into(),
            "header" => v.header = Some(value),
            "method" => v.method = Some(value),
            "value" => v.value = Some(value),
            "status" => v.status = value.parse().ok(),
            "location" => v.location = Some(value),
            "target_space" => v.target_space = Some(value),
            "resource_space" => v.resource_space = Some(value),
            "scheme" => v.scheme = Some(value),
            "insecure_kind" if value == "XMLHttpRequest endpoint" => {
                v.kind = "XMLHttpRequest".into()
            }
            _ => {}
        }
    }
    v
}

/// Puts the most specific candidate first, using the quoted value.
fn rank_candidates(r: &mut Recognized) {
    use FindingId::*;
    if r.candidates.len() < 2 {
        return;
    }
    let value = r.values.value.clone().unwrap_or_default();
    let preferred: Option<FindingId> =
        if r.candidates.contains(&AllowOriginMismatch) || r.candidates.contains(&AllowOriginList) {
            Some(
                if r.values.origin == "null" && r.values.initial_url.is_some() {
                    RedirectTaintedOrigin
                } else if value.contains(',') {
                    AllowOriginList
                } else if value.contains(' ') {
                    AllowOriginSpaceSeparated
                } else if value == "null" {
                    AllowOriginNull
                } else if r.candidates.contains(&AllowOriginInvalid)
                    && !value.is_empty()
                    && url::Url::parse(&value).is_err()
                {
                    AllowOriginInvalid
                } else {
                    AllowOriginMismatch
                },
            )
        } else if r.candidates.contains(&HeaderNotAllowed) {
            Some(if r.values.header.as_deref() == Some("authorization") {
                AuthorizationNotCoveredByWildcard
            } else {
                HeaderNotAllowed
            })
        } else {
            None
        };
    if let Some(p) = preferred {
        if let Some(i) = r.candidates.iter().position(|c| *c == p) {
            let c = r.candidates.remove(i);
            r.candidates.insert(0, c);
        }
    }
    if r.browser == Browser::WebKit && r.candidates.contains(&AllowOriginMissing) {
        if let Some(i) = r.candidates.iter().position(|c| *c == AllowOriginMissing) {
            let c = r.candidates.remove(i);
            r.candidates.insert(0, c);
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn recognises_a_chromium_line_with_noise() {
        let r = Recognizer::new();
        let line = "index.html:1 Access to fetch at 'http://localhost:8080/api' from origin 'http://localhost:3000' has been blocked by CORS policy: No 'Access-Control-Allow-Origin' header is present on the requested resource. If an opaque response serves your needs, set the request's mode to 'no-cors' to fetch the resource with CORS disabled.";
        let found = r.recognize_line(line);
        assert_eq!(found.len(), 1);
        assert_eq!(found[0].candidates[0], FindingId::AllowOriginMissing);
        assert_eq!(found[0].values.url, "http://localhost:8080/api");
        assert_eq!(found[0].values.origin, "http://localhost:3000");
        assert_eq!(found[0].values.kind, "fetch");
    }

    #[test]
    fn recognises_firefox_with_straight_quotes() {
        let r = Recognizer::new();
        let line = "Cross-Origin Request Blocked: The Same Origin Policy disallows reading the remote resource at https://api.x.com/v1. (Reason: CORS header 'Access-Control-Allow-Origin' does not match 'https://x.com/').";
        let found = r.recognize_line(line);
        assert_eq!(found.len(), 1, "{found:?}");
        assert_eq!(found[0].browser, Browser::Firefox);
        assert_eq!(found[0].candidates[0], FindingId::AllowOriginMismatch);
        assert_eq!(found[0].values.value.as_deref(), Some("https://x.com/"));
    }
}
