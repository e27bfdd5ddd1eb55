//! Recognises browser console text: finds every CORS-related message in a
//! paste — whatever the browser version, however the copy mangled it — and
//! maps it back to catalogue entries with the values it mentions; plus the
//! DevTools network lines and the non-CORS errors pasted with them.
//!
//! The patterns are the catalogue's own templates (a message the engine
//! renders is always recognised: see the round-trip test), cut into the
//! units browsers assemble messages from ([`units`]). One pass of an
//! Aho–Corasick automaton over the flattened paste ([`paste`]) finds every
//! place a unit can start; each attempt is bounded ([`pattern`]), so the
//! whole recognition is linear in the length of the paste.

mod assemble;
mod notes;
mod paste;
mod pattern;
mod safari;
mod stream;
mod units;

pub use notes::{NetworkLine, Note, NoteKind};
pub use paste::{clean_line, flatten, Flat};
pub use stream::Stream;

use crate::browser::Browser;
use crate::catalogue::FindingId;
use crate::message::{Stage, Values};
use aho_corasick::AhoCorasick;
use pattern::{match_at, Captures, Token};
use std::collections::HashMap;
use units::{Role, Unit};

/// The longest anchor: enough to be specific, short enough to survive a
/// message cut short.
const ANCHOR_LEN: usize = 24;

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
    /// The 1-based line of the paste where the message starts.
    pub line: usize,
    /// Byte range of the message in the flattened paste ([`Recognition::text`]).
    pub start: usize,
    pub end: usize,
}

/// Everything recognised in one paste.
#[derive(Clone, Debug, Default)]
pub struct Recognition {
    pub messages: Vec<Recognized>,
    pub network: Vec<NetworkLine>,
    pub notes: Vec<Note>,
    /// The flattened paste the byte ranges refer to.
    pub text: String,
}

/// The compiled units; build once with [`Recognizer::new`] and reuse.
#[derive(Clone, Debug)]
pub struct Recognizer {
    units: Vec<Unit>,
    /// The first literal of every unit (`None` only if the automaton could
    /// not be built, which the catalogue's fixed literals never cause).
    anchors: Option<AhoCorasick>,
    /// For each anchor, the units that start with it (most specific first).
    by_anchor: Vec<Vec<usize>>,
    /// For each unit, the first unit with the same wording.
    same_wording: Vec<usize>,
}

impl Default for Recognizer {
    fn default() -> Self {
        Recognizer::new()
    }
}

/// A unit matched at a place.
#[derive(Clone, Debug)]
struct Hit {
    unit: usize,
    start: usize,
    end: usize,
    captures: Captures,
}

impl Recognizer {
    pub fn new() -> Recognizer {
        let units = units::build();
        let mut anchors: Vec<String> = Vec::new();
        let mut by_anchor: Vec<Vec<usize>> = Vec::new();
        let mut index: HashMap<String, usize> = HashMap::new();
        for (i, unit) in units.iter().enumerate() {
            let Some(Token::Literal(literal)) = unit.tokens.first() else {
                continue;
            };
            // A prefix of the first literal, so a message that lost its end
            // (a final period) is still found.
            let first = literal
                .get(..literal.len().min(ANCHOR_LEN))
                .or_else(|| literal.get(..literal.len().min(ANCHOR_LEN + 1)))
                .or_else(|| literal.get(..literal.len().min(ANCHOR_LEN + 2)))
                .or_else(|| literal.get(..literal.len().min(ANCHOR_LEN + 3)))
                .unwrap_or(literal)
                .to_string();
            let slot = *index.entry(first.to_ascii_lowercase()).or_insert_with(|| {
                anchors.push(first.clone());
                by_anchor.push(Vec::new());
                anchors.len() - 1
            });
            by_anchor[slot].push(i);
        }
        let anchors = AhoCorasick::builder()
            .ascii_case_insensitive(true)
            .build(&anchors)
            .ok();
        let same_wording = (0..units.len())
            .map(|i| {
                (0..i)
                    .find(|&j| {
                        units[j].tokens == units[i].tokens && units[j].suffix == units[i].suffix
                    })
                    .unwrap_or(i)
            })
            .collect();
        Recognizer {
            units,
            anchors,
            by_anchor,
            same_wording,
        }
    }

    /// Every CORS-related message in one line of text.
    pub fn recognize_line(&self, line: &str) -> Vec<Recognized> {
        self.recognize(line).messages
    }

    /// Every message, network line and note of a paste.
    pub fn recognize(&self, paste: &str) -> Recognition {
        self.recognize_flat(flatten(paste))
    }

    /// As [`Recognizer::recognize`], for a paste already flattened (a
    /// streaming reader flattens as it reads).
    pub fn recognize_flat(&self, flat: Flat) -> Recognition {
        let mut hits = self.hits(&flat);
        let mut messages = self.assemble(&flat, &mut hits);
        let companions: Vec<&Hit> = hits
            .iter()
            .filter(|h| matches!(self.units[h.unit].role, Role::Companion { .. }))
            .collect();
        let mut notes = Vec::new();
        self.pair_companions(&flat, &companions, &mut messages, &mut notes);
        safari::fold_webkit_repeats(&mut messages);
        for m in &mut messages {
            rank_candidates(m);
        }
        let mut network = Vec::new();
        let with_message: std::collections::HashSet<usize> =
            messages.iter().map(|m| m.line).collect();
        for (i, (start, number)) in flat.lines.iter().enumerate() {
            let end = flat
                .lines
                .get(i + 1)
                .map_or(flat.text.len(), |(next, _)| next.saturating_sub(1));
            let line = flat.text.get(*start..end).unwrap_or("");
            notes::scan_line(
                line,
                *number,
                with_message.contains(number),
                &mut notes,
                &mut network,
            );
        }
        Recognition {
            messages,
            network,
            notes,
            text: flat.text,
        }
    }

    /// Every unit that matches somewhere, found from one pass over the text.
    fn hits(&self, flat: &Flat) -> Vec<Hit> {
        let mut hits = Vec::new();
        let Some(anchors) = &self.anchors else {
            return hits;
        };
        // Many entries share one wording (WebKit's "is not allowed"): match
        // each distinct wording once per place.
        let mut tried: Vec<(usize, Option<(usize, Captures)>)> = Vec::new();
        for found in anchors.find_overlapping_iter(&flat.text) {
            let start = found.start();
            tried.clear();
            for &u in &self.by_anchor[found.pattern().as_usize()] {
                let unit = &self.units[u];
                let same = self.same_wording[u];
                let matched = match tried.iter().find(|(w, _)| *w == same) {
                    Some((_, result)) => result.clone(),
                    None => {
                        let result = match_at(&unit.tokens, flat, start, unit.suffix);
                        tried.push((same, result.clone()));
                        result
                    }
                };
                if let Some((end, captures)) = matched {
                    if unit.whole_line && end != flat.line_end(start) {
                        continue;
                    }
                    if let Role::Opening { .. } = unit.role {
                        if !opening_url_plausible(&captures) {
                            continue;
                        }
                    }
                    hits.push(Hit {
                        unit: u,
                        start,
                        end,
                        captures,
                    });
                }
            }
        }
        hits
    }
}

/// An opening's URL must look like one (`Failed to load resource: …` is not
/// an opening naming the URL `resource`).
fn opening_url_plausible(captures: &Captures) -> bool {
    captures
        .iter()
        .filter(|(name, _)| name == "url")
        .all(|(_, url)| url != "resource")
}

fn values_from(captures: &Captures) -> Values {
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
    if r.candidates.contains(&NetworkFailure) && r.candidates.contains(&BodyIncomplete) {
        // One wording ("Failed to load resource: net::…"), two findings:
        // Chromium's net error tells which, so the other is no candidate.
        let body = matches!(
            value.as_str(),
            "ERR_CONTENT_LENGTH_MISMATCH" | "ERR_INCOMPLETE_CHUNKED_ENCODING"
        );
        let wrong = if body { NetworkFailure } else { BodyIncomplete };
        r.candidates.retain(|c| *c != wrong);
    }
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
        } else if r.candidates.contains(&PreflightStatusNotOk) {
            // WebKit's "Preflight response is not successful" covers them all;
            // the status tells which.
            Some(match r.values.status {
                Some(300..=399) if r.candidates.contains(&PreflightRedirect) => PreflightRedirect,
                _ => PreflightStatusNotOk,
            })
        } else if r.browser == Browser::Firefox && r.candidates.contains(&NetworkFailure) {
            // Firefox's "CORS request did not succeed" is a network failure
            // far more often than a redirect with credentials or a loop.
            Some(NetworkFailure)
        } else if r.candidates.contains(&HeaderNotAllowed) {
            // A header named in "is not allowed" is not allowed, whatever it
            // is: the wildcard rule for Authorization is only a candidate.
            Some(HeaderNotAllowed)
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

    #[test]
    fn legacy_chromium_opening_reason_and_tails() {
        let r = Recognizer::new();
        let found = r.recognize_line("XMLHttpRequest cannot load http://api.example.com/x. No 'Access-Control-Allow-Origin' header is present on the requested resource. Origin 'http://localhost:3000' is therefore not allowed access. The response had HTTP status code 503.");
        assert_eq!(found.len(), 1, "{found:#?}");
        let m = &found[0];
        assert_eq!(m.candidates[0], FindingId::AllowOriginMissing);
        assert_eq!(m.browser, Browser::Chromium);
        assert_eq!(m.values.url, "http://api.example.com/x");
        assert_eq!(m.values.origin, "http://localhost:3000");
        assert_eq!(m.values.status, Some(503));
        assert_eq!(m.values.kind, "XMLHttpRequest");
        assert!(m.legacy);
    }

    #[test]
    fn older_chromium_openings() {
        let r = Recognizer::new();
        for (line, id, url, origin) in [
            ("Font from origin 'https://cdn.example.com' has been blocked from loading by Cross-Origin Resource Sharing policy: No 'Access-Control-Allow-Origin' header is present on the requested resource. Origin 'https://app.example.com' is therefore not allowed access.", FindingId::AllowOriginMissing, "", "https://app.example.com"),
            ("Failed to load 'https://a.example/x': Cross origin requests are not allowed by request mode.", FindingId::DisallowedByMode, "https://a.example/x", ""),
            ("Fetch API cannot load https://a.example/x. Invalid response. Origin 'https://b.example' is therefore not allowed access.", FindingId::InvalidResponse, "https://a.example/x", "https://b.example"),
            ("Redirect from 'https://a.example/x' has been blocked by CORS policy: Redirect location 'ftp://a.example/' has a disallowed scheme for cross-origin requests.", FindingId::RedirectNonHttpScheme, "", ""),
        ] {
            let found = r.recognize_line(line);
            assert_eq!(found.len(), 1, "{line}\n{found:#?}");
            assert_eq!(found[0].candidates[0], id, "{line}");
            assert_eq!(found[0].browser, Browser::Chromium);
            assert!(found[0].legacy);
            assert_eq!(found[0].values.url, url, "{line}");
            assert_eq!(found[0].values.origin, origin, "{line}");
        }
        // The shortest old reasons are everyday words: not on their own.
        assert!(r.recognize_line("Invalid response.").is_empty());
    }

    #[test]
    fn a_wrapped_message_and_a_safari_pair() {
        let r = Recognizer::new();
        let found = r.recognize("> Access to fetch at 'http://a.example/x' from origin\n> 'http://localhost:3000' has been blocked by CORS policy: Response to preflight request doesn't pass access control check: It does not have HTTP ok status.\n");
        assert_eq!(found.messages.len(), 1, "{found:#?}");
        assert_eq!(found.messages[0].stage, Stage::Preflight);
        assert_eq!(found.messages[0].line, 1);
        let found = r.recognize("[Error] Preflight response is not successful. Status code: 405\n[Error] Fetch API cannot load http://a.example/x due to access control checks.\n[Error] Failed to load resource: Preflight response is not successful. Status code: 405");
        assert_eq!(found.messages.len(), 1, "{found:#?}");
        assert_eq!(found.messages[0].values.url, "http://a.example/x");
        assert_eq!(found.messages[0].values.kind, "fetch");
        assert!(found.notes.is_empty(), "{:?}", found.notes);
    }
}
