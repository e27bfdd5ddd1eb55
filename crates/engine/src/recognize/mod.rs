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

mod notes;
mod paste;
mod pattern;
mod stream;
mod units;

pub use notes::{NetworkLine, Note, NoteKind};
pub use paste::{clean_line, flatten, Flat};
pub use stream::Stream;

use crate::browser::Browser;
use crate::catalogue::FindingId;
use crate::message::{has_preflight_variant, Stage, Values};
use aho_corasick::AhoCorasick;
use pattern::{match_at, Captures, Token};
use std::collections::{BTreeMap, HashMap};
use units::{Role, Unit};

/// The longest anchor: enough to be specific, short enough to survive a
/// message cut short.
const ANCHOR_LEN: usize = 24;
/// How much of a reason must survive for a message cut off with its line.
const TRUNCATED_MIN: usize = 12;
const MAX_TRUNCATED: usize = 512;

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

/// A message candidate: a message hit with the opening and prefix before it.
#[derive(Clone, Debug)]
struct Candidate {
    start: usize,
    end: usize,
    score: usize,
    openings: Vec<usize>,
    preflight: bool,
    message: usize,
    /// Cut off with its line: only a guess from the first words.
    truncated: bool,
}

/// A partial chain of openings and prefixes, waiting for its message.
#[derive(Clone)]
struct Chain {
    at: usize,
    openings: Vec<usize>,
    preflight: bool,
    reason: bool,
    score: usize,
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
        fold_webkit_repeats(&mut messages);
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

    /// Openings, prefixes and messages put together; the most specific
    /// non-overlapping ones kept; tails attached.
    fn assemble(&self, flat: &Flat, hits: &mut Vec<Hit>) -> Vec<Recognized> {
        let mut starting: HashMap<usize, Vec<usize>> = HashMap::new();
        for (i, h) in hits.iter().enumerate() {
            starting.entry(h.start).or_default().push(i);
        }
        let role = |i: usize| self.units[hits[i].unit].role;
        let score = |i: usize| self.units[hits[i].unit].score;
        // Hits that begin right after `end` (a space may sit between).
        let after = |end: usize| {
            [end, end + 1]
                .into_iter()
                .filter(move |p| *p == end || flat.text.as_bytes().get(end) == Some(&b' '))
                .flat_map(|p| starting.get(&p).into_iter().flatten().copied())
        };
        let mut candidates = Vec::new();
        let mut truncated: Vec<(Candidate, Hit)> = Vec::new();
        for (i, h) in hits.iter().enumerate() {
            let alone = Candidate {
                start: h.start,
                end: h.end,
                score: score(i),
                openings: Vec::new(),
                preflight: false,
                message: i,
                truncated: false,
            };
            let chain = match role(i) {
                Role::Message { framed: false, .. } | Role::Companion { .. } => {
                    candidates.push(alone);
                    continue;
                }
                Role::Message { framed: true, .. } | Role::Tail => continue,
                Role::Opening { .. } => Chain {
                    at: i,
                    openings: vec![i],
                    preflight: false,
                    reason: false,
                    score: score(i),
                },
                Role::Prefix { preflight } => Chain {
                    at: i,
                    openings: Vec::new(),
                    preflight,
                    reason: !preflight,
                    score: score(i),
                },
            };
            let mut chains = vec![chain];
            while let Some(c) = chains.pop() {
                for next in after(hits[c.at].end) {
                    let sum = c.score + score(next);
                    let free = !c.preflight && !c.reason;
                    let mut then = c.clone();
                    then.at = next;
                    then.score = sum;
                    match role(next) {
                        Role::Opening { .. } if free && c.openings.len() < 2 => {
                            then.openings.push(next);
                            chains.push(then);
                        }
                        Role::Prefix { preflight: true } if free => {
                            then.preflight = true;
                            chains.push(then);
                        }
                        Role::Prefix { preflight: false } if !c.reason => {
                            then.reason = true;
                            chains.push(then);
                        }
                        Role::Message { framed, .. }
                            if !framed || c.reason || !c.openings.is_empty() =>
                        {
                            candidates.push(Candidate {
                                start: h.start,
                                end: hits[next].end,
                                score: sum,
                                openings: c.openings.clone(),
                                preflight: c.preflight,
                                message: next,
                                truncated: false,
                            })
                        }
                        _ => {}
                    }
                }
                // A message cut off with the line (`… check: No 'Access-Con`).
                if let Some((unit, at)) = self.truncated_after(flat, hits[c.at].end, c.reason) {
                    let end = flat.line_end(at);
                    truncated.push((
                        Candidate {
                            start: h.start,
                            end,
                            score: c.score,
                            openings: c.openings.clone(),
                            preflight: c.preflight,
                            message: 0,
                            truncated: true,
                        },
                        Hit {
                            unit,
                            start: at,
                            end,
                            captures: Vec::new(),
                        },
                    ));
                }
            }
        }
        for (mut candidate, hit) in truncated {
            candidate.message = hits.len();
            hits.push(hit);
            candidates.push(candidate);
        }
        let hits: &[Hit] = hits;
        candidates.sort_by(|a, b| b.score.cmp(&a.score).then(a.start.cmp(&b.start)));
        // Selected spans by start, for the overlap test.
        let mut taken: BTreeMap<usize, usize> = BTreeMap::new();
        let mut selected: Vec<(Candidate, Vec<FindingId>)> = Vec::new();
        let mut by_span: HashMap<(usize, usize, Browser), usize> = HashMap::new();
        for c in candidates {
            let unit = &self.units[hits[c.message].unit];
            if let Some(&k) = by_span.get(&(c.start, c.end, unit.browser)) {
                if let (Role::Message { id, .. }, false) = (unit.role, c.truncated) {
                    if !selected[k].1.contains(&id) {
                        selected[k].1.push(id);
                    }
                }
                continue;
            }
            let overlaps = taken
                .range(..c.end)
                .next_back()
                .is_some_and(|(_, end)| *end > c.start);
            if overlaps {
                continue;
            }
            taken.insert(c.start, c.end);
            let ids = match unit.role {
                Role::Message { id, .. } => vec![id],
                _ => Vec::new(),
            };
            by_span.insert((c.start, c.end, unit.browser), selected.len());
            selected.push((c, ids));
        }
        let mut messages: Vec<Recognized> = selected
            .into_iter()
            .filter(|(_, ids)| !ids.is_empty())
            .map(|(c, ids)| self.message(flat, hits, &c, ids))
            .collect();
        messages.sort_by_key(|m| m.start);
        // `Failed to load resource: net::ERR_FAILED` names no reason, and
        // `… the server responded with a status of N` is an HTTP status.
        messages.retain(|m| {
            flat.text.get(m.start..m.end) != Some("Failed to load resource: net::ERR_FAILED")
                && !(m.candidates.contains(&FindingId::NetworkFailure)
                    && m.values
                        .value
                        .as_deref()
                        .is_some_and(|v| v.starts_with("the server responded with a status of")))
        });
        for m in &mut messages {
            url_before(flat, m);
        }
        self.attach_tails(flat, hits, &starting, &mut messages);
        messages
    }

    /// The message unit whose first words are all that is left of the line
    /// after `at` (at least [`TRUNCATED_MIN`] bytes of them).
    fn truncated_after(&self, flat: &Flat, at: usize, reason: bool) -> Option<(usize, usize)> {
        let start = if flat.text.as_bytes().get(at) == Some(&b' ') {
            at + 1
        } else {
            at
        };
        let end = flat.line_end(start);
        let rest = flat.text.get(start..end)?.trim_end();
        if rest.len() < TRUNCATED_MIN || rest.len() > MAX_TRUNCATED {
            return None;
        }
        let unit = self
            .units
            .iter()
            .position(|u| match (u.role, u.tokens.first()) {
                (Role::Message { framed, .. }, Some(Token::Literal(first))) => {
                    (!framed || reason) && first.len() > rest.len() && first.starts_with(rest)
                }
                _ => false,
            })?;
        Some((unit, start))
    }

    fn message(&self, flat: &Flat, hits: &[Hit], c: &Candidate, ids: Vec<FindingId>) -> Recognized {
        let hit = &hits[c.message];
        let unit = &self.units[hit.unit];
        let mut values = values_from(&hit.captures);
        let mut legacy = unit.legacy;
        let mut stage = unit.stage;
        for &o in &c.openings {
            let opening = &self.units[hits[o].unit];
            let from = values_from(&hits[o].captures);
            // A later opening names the request more precisely (`Redirect
            // from A to B` after `XMLHttpRequest cannot load A.`).
            if !from.url.is_empty() {
                values.url = from.url;
            }
            if values.origin.is_empty() {
                values.origin = from.origin;
            }
            if from.initial_url.is_some() {
                values.initial_url = from.initial_url;
            }
            if from.location.is_some() {
                values.location = from.location;
            }
            if let Role::Opening { kind, redirect } = opening.role {
                match kind {
                    Some(kind) => values.kind = kind.into(),
                    None if !from.kind.is_empty() => values.kind = from.kind,
                    None => {}
                }
                if redirect && has_preflight_variant(ids[0]) {
                    stage = Stage::Redirect;
                }
            }
            legacy |= opening.legacy;
        }
        if c.preflight && has_preflight_variant(ids[0]) {
            stage = Stage::Preflight;
        }
        // A refused redirect names its target: that is the URL that failed,
        // reached from the one the request started at.
        if let Some(location) = &values.location {
            if !values.url.is_empty() && values.initial_url.is_none() && *location != values.url {
                values.initial_url = Some(std::mem::replace(&mut values.url, location.clone()));
            }
        }
        Recognized {
            candidates: ids,
            browser: unit.browser,
            stage,
            values,
            legacy,
            line: flat.line_at(c.start),
            start: c.start,
            end: c.end,
        }
    }

    /// Extends each message over the tails that follow it.
    fn attach_tails(
        &self,
        flat: &Flat,
        hits: &[Hit],
        starting: &HashMap<usize, Vec<usize>>,
        messages: &mut [Recognized],
    ) {
        for m in messages.iter_mut() {
            loop {
                let at = if flat.text.as_bytes().get(m.end) == Some(&b' ') {
                    m.end + 1
                } else {
                    m.end
                };
                // The tail right at the end (Firefox's closing) or after a space.
                let tail = [m.end, at]
                    .into_iter()
                    .flat_map(|p| starting.get(&p).into_iter().flatten())
                    .filter(|&&i| {
                        let unit = &self.units[hits[i].unit];
                        unit.role == Role::Tail && unit.browser == m.browser
                    })
                    .max_by_key(|&&i| hits[i].end);
                let Some(&i) = tail else { break };
                let v = values_from(&hits[i].captures);
                if m.values.origin.is_empty() {
                    m.values.origin = v.origin;
                }
                if m.values.status.is_none() {
                    m.values.status = v.status;
                }
                m.legacy |= self.units[hits[i].unit].legacy;
                m.end = hits[i].end;
            }
        }
    }

    /// WebKit prints the reason, then `<API> cannot load U due to access
    /// control checks.`: the companion gives the reason its URL and kind.
    fn pair_companions(
        &self,
        flat: &Flat,
        companions: &[&Hit],
        messages: &mut [Recognized],
        notes: &mut Vec<Note>,
    ) {
        for hit in companions {
            let Role::Companion { kind } = self.units[hit.unit].role else {
                continue;
            };
            let v = values_from(&hit.captures);
            let line = flat.line_at(hit.start);
            // The nearest WebKit message before it (else after it) within a
            // few lines that has no URL yet, or the same URL.
            // Messages are in text order: look only at the few around it.
            let at = messages.partition_point(|m| m.start < hit.start);
            let near = |m: &Recognized| m.line.abs_diff(line) <= PAIRING_LINES;
            let before = (0..at)
                .rev()
                .take_while(|&i| near(&messages[i]))
                .find(|&i| messages[i].end <= hit.start && pairable(&messages[i], &v.url));
            let after = || {
                (at..messages.len())
                    .take_while(|&i| near(&messages[i]))
                    .find(|&i| messages[i].start >= hit.end && pairable(&messages[i], &v.url))
            };
            match before.or_else(after) {
                Some(i) => {
                    let m = &mut messages[i];
                    if m.values.url.is_empty() {
                        m.values.url = v.url;
                    }
                    if m.values.kind.is_empty() && kind != "resource" {
                        m.values.kind = kind.into();
                    }
                }
                None if v.url.is_empty() => {}
                None => notes.push(Note {
                    line,
                    kind: NoteKind::AccessControlChecks,
                    browser: Some(Browser::WebKit),
                    url: Some(v.url),
                    status: None,
                }),
            }
        }
    }
}

/// How far apart (in lines) Safari's reason, companion line and repeat are.
const PAIRING_LINES: usize = 3;

/// A message that a WebKit companion near it can complete.
fn pairable(m: &Recognized, url: &str) -> bool {
    m.browser == Browser::WebKit && (m.values.url.is_empty() || m.values.url == url)
}

/// A message whose opening the user cut off but whose URL is still there:
/// `http://x/api. Response to preflight request doesn't pass …`.
fn url_before(flat: &Flat, m: &mut Recognized) {
    if !m.values.url.is_empty() || m.start < 2 {
        return;
    }
    let before = flat.text.get(..m.start).unwrap_or("").trim_end();
    let Some(word_start) = before.rfind(' ').map(|i| i + 1).or(Some(0)) else {
        return;
    };
    // Only on the message's own line.
    let line_start = flat
        .lines
        .iter()
        .rev()
        .find(|(start, _)| *start <= m.start)
        .map_or(0, |(start, _)| *start);
    if word_start < line_start {
        return;
    }
    let word = &before[word_start..];
    let url = word.trim_end_matches(['.', ':']);
    if url.len() < word.len() && url.contains("://") && !url.contains(['\'', '"']) {
        m.values.url = url.to_string();
        m.start = word_start;
    }
}

/// WebKit repeats the reason as `Failed to load resource: <reason>` around
/// the companion line (and scripts rethrow it as `TypeError: <reason>`);
/// a repeat is not a second failure.
fn fold_webkit_repeats(messages: &mut Vec<Recognized>) {
    let mut keep = vec![true; messages.len()];
    for i in 1..messages.len() {
        let m = &messages[i];
        if m.browser != Browser::WebKit {
            continue;
        }
        let same = |j: usize| {
            let earlier = &messages[j];
            keep[j]
                && earlier.browser == Browser::WebKit
                && earlier.candidates == m.candidates
                && earlier.values.origin == m.values.origin
                && earlier.values.header == m.values.header
                && earlier.values.method == m.values.method
                && earlier.values.value == m.values.value
                && (m.values.url.is_empty()
                    || earlier.values.url.is_empty()
                    || earlier.values.url == m.values.url)
        };
        if let Some(j) = (0..i)
            .rev()
            .take_while(|&j| m.line.saturating_sub(messages[j].line) <= PAIRING_LINES)
            .find(|&j| same(j))
        {
            keep[i] = false;
            let (status, url) = (m.values.status, m.values.url.clone());
            let earlier = &mut messages[j];
            if earlier.values.status.is_none() {
                earlier.values.status = status;
            }
            if earlier.values.url.is_empty() {
                earlier.values.url = url;
            }
        }
    }
    let mut k = 0;
    messages.retain(|_| {
        k += 1;
        keep[k - 1]
    });
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
