//! Putting matched units together: an opening, a prefix and a reason make
//! one message; the most specific non-overlapping messages are kept; tails
//! and a URL left before a cut-off opening are attached.

use super::pattern::Token;
use super::units::Role;
use super::{values_from, Flat, Hit, Recognized, Recognizer};
use crate::browser::Browser;
use crate::catalogue::FindingId;
use crate::message::{has_preflight_variant, Stage};
use std::collections::{BTreeMap, HashMap};

/// How much of a reason must survive for a message cut off with its line.
const TRUNCATED_MIN: usize = 12;
const MAX_TRUNCATED: usize = 512;

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
    /// Openings, prefixes and messages put together; the most specific
    /// non-overlapping ones kept; tails attached.
    pub(super) fn assemble(&self, flat: &Flat, hits: &mut Vec<Hit>) -> Vec<Recognized> {
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
}

/// A message whose opening the user cut off but whose URL is still there:
/// `http://x/api. Response to preflight request doesn't pass …`.
pub(super) fn url_before(flat: &Flat, m: &mut Recognized) {
    if !m.values.url.is_empty() || m.start < 2 {
        return;
    }
    let before = flat.text.get(..m.start).unwrap_or("").trim_end();
    let Some(word_start) = before.rfind(' ').map(|i| i + 1).or(Some(0)) else {
        return;
    };
    // Only on the message's own line.
    let at = flat.lines.partition_point(|(start, _)| *start <= m.start);
    let line_start = at
        .checked_sub(1)
        .and_then(|i| flat.lines.get(i))
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
