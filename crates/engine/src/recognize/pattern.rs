//! A console template as a matcher: literal runs and named slots, matched at
//! a position of the flattened paste. Every slot is bounded (a URL-like slot
//! ends at whitespace, a prose slot within [`MAX_PROSE`] bytes), so one match
//! attempt costs a bounded amount of work and recognition stays linear in
//! the length of the paste.

use super::paste::Flat;
use crate::catalogue::Suffix;
use crate::message::{chromium_suffix, legacy_chromium_suffix};

/// The longest value a prose slot (`{value}`, `{kind}`…) may take.
const MAX_PROSE: usize = 2048;
/// The longest URL-like value.
const MAX_URL: usize = 65_536;
/// How many places a slot's value may end at are tried.
const MAX_ENDS: usize = 16;
/// How many are gathered before choosing (each costs a plausibility check).
const MAX_SCANNED_ENDS: usize = 256;
/// The longest URL a user replaced by words (`<INSERT URL>`, `'https://...' `).
const MAX_WORDED_URL: usize = 256;

#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Token {
    Literal(String),
    Slot(String),
}

/// Cuts a template into literal runs and slots; whitespace runs become one
/// space, curly quotes straight ones, as [`super::paste`] does to the paste.
pub fn tokenize(template: &str) -> Vec<Token> {
    let template = normalize(template);
    let mut tokens = Vec::new();
    let mut rest = template.as_str();
    while let Some(open) = rest.find('{') {
        let after = &rest[open + 1..];
        match after.find('}') {
            Some(close)
                if close > 0
                    && after[..close]
                        .bytes()
                        .all(|b| b.is_ascii_lowercase() || b == b'_') =>
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

fn normalize(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    let mut space = false;
    for c in text.chars() {
        if c.is_whitespace() {
            space = true;
            continue;
        }
        if space && !out.is_empty() {
            out.push(' ');
        }
        space = false;
        match c {
            '‘' | '’' => out.push('\''),
            '“' | '”' => out.push('"'),
            // Markdown eats backticks, so the paste loses them (`paste`).
            '`' => {}
            _ => out.push(c),
        }
    }
    if space {
        out.push(' ');
    }
    out
}

/// The total length of the literal runs: how specific a pattern is.
pub fn literal_len(tokens: &[Token]) -> usize {
    tokens
        .iter()
        .map(|t| match t {
            Token::Literal(l) => l.len(),
            Token::Slot(_) => 0,
        })
        .sum()
}

/// Slots that hold a URL or an origin: no spaces, and the longest match wins.
pub fn is_url_like(slot: &str) -> bool {
    matches!(
        slot,
        "url" | "origin" | "page" | "location" | "location_without_credentials" | "initial_url"
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

/// The captured slots of one match, in template order.
pub type Captures = Vec<(String, String)>;

/// Matches `tokens` at `start` of the flat text; returns the end and the
/// captured slots.
pub fn match_at(
    tokens: &[Token],
    flat: &Flat,
    start: usize,
    suffix: Suffix,
) -> Option<(usize, Captures)> {
    let mut captures = Vec::new();
    // Pastes sometimes lower-case a message's first letter; the anchor
    // search is case-insensitive, so the first literal is too.
    let (tokens, start) = match tokens.split_first() {
        Some((Token::Literal(first), rest)) => (
            rest,
            match_literal(first, flat, start, ends_template(rest), true)?,
        ),
        _ => (tokens, start),
    };
    let end = match_from(tokens, flat, start, suffix, &mut captures)?;
    Some((end, captures))
}

/// A literal at `pos`; when it ends the template, a final `.` may be
/// missing (copy damage), and a closing made only of punctuation (`".`,
/// `).`) may be missing at the end of a line that was cut off.
fn match_literal(lit: &str, flat: &Flat, pos: usize, last: bool, any_case: bool) -> Option<usize> {
    let tail = flat.text.get(pos..)?;
    let starts = |t: &str, l: &str| match t.get(..l.len()) {
        Some(head) if any_case => head.eq_ignore_ascii_case(l),
        Some(head) => head == l,
        None => false,
    };
    if starts(tail, lit) {
        return Some(pos + lit.len());
    }
    if !last {
        return None;
    }
    if let Some(short) = lit.strip_suffix('.').or_else(|| lit.strip_suffix(". ")) {
        if starts(tail, short) {
            // Whatever the paste put after it (a quote, `?`, `…`), but not
            // a longer word.
            let after = &tail[short.len()..];
            if after.chars().next().is_none_or(|c| !c.is_alphanumeric()) {
                return Some(pos + short.len());
            }
        }
    }
    let closing = !lit.is_empty() && lit.bytes().all(|b| b.is_ascii_punctuation());
    (closing && pos == flat.line_end(pos)).then_some(pos)
}

/// Whether nothing but the Chromium suffix follows in `rest`.
fn ends_template(rest: &[Token]) -> bool {
    rest.iter()
        .all(|t| matches!(t, Token::Slot(name) if name == "suffix"))
}

fn match_from(
    tokens: &[Token],
    flat: &Flat,
    pos: usize,
    suffix: Suffix,
    captures: &mut Captures,
) -> Option<usize> {
    let text = flat.text.as_str();
    let Some((first, rest)) = tokens.split_first() else {
        return Some(pos);
    };
    match first {
        Token::Literal(lit) => {
            let next = match_literal(lit, flat, pos, ends_template(rest), false)?;
            match_from(rest, flat, next, suffix, captures)
        }
        Token::Slot(name) if name == "redirected" => {
            let tail = text.get(pos..)?;
            if let Some(after) = tail.strip_prefix("(redirected from '") {
                if let Some(close) = after.get(..after.len().min(MAX_URL))?.find("') ") {
                    let initial = &after[..close];
                    captures.push(("initial_url".to_string(), initial.to_string()));
                    let next = pos + "(redirected from '".len() + close + 3;
                    if let Some(end) = match_from(rest, flat, next, suffix, captures) {
                        return Some(end);
                    }
                    captures.pop();
                }
            }
            match_from(rest, flat, pos, suffix, captures)
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
                    if let Some(end) = match_from(rest, flat, pos + s.len(), suffix, captures) {
                        return Some(end);
                    }
                }
            }
            match_from(rest, flat, pos, suffix, captures)
        }
        Token::Slot(name) => {
            let mut tail = text.get(pos..)?;
            let mut pos = pos;
            // A line wrapped right after an opening quote: `to '⏎https://…'`.
            if is_url_like(name) && tail.starts_with(' ') && text[..pos].ends_with('\'') {
                tail = &tail[1..];
                pos += 1;
            }
            match rest.first() {
                Some(Token::Literal(lit)) => {
                    let window = slot_window(name, tail);
                    // A missing final period: look for the literal without it
                    // (`match_literal` then decides).
                    let needle = match lit.strip_suffix('.') {
                        Some(short) if !short.is_empty() && ends_template(&rest[1..]) => short,
                        _ => lit.as_str(),
                    };
                    // The value ends inside the window; the literal after it
                    // may run past it.
                    let haystack = &tail[..next_boundary(tail, window.len() + lit.len())];
                    let mut ends = Vec::new();
                    let mut search = 0;
                    while let Some(found) = haystack.get(search..).and_then(|t| t.find(needle)) {
                        let value_end = search + found;
                        if value_end > window.len() {
                            break;
                        }
                        if ends.len() < MAX_SCANNED_ENDS && slot_accepts(name, &tail[..value_end]) {
                            ends.push(value_end);
                        }
                        search = next_boundary(haystack, value_end + 1);
                        if search >= haystack.len() {
                            break;
                        }
                    }
                    // A status before a missing final period.
                    if name == "status" && ends_template(&rest[1..]) && lit == "." {
                        let n = tail.bytes().take_while(u8::is_ascii_digit).count();
                        if n > 0 && !ends.contains(&n) {
                            ends.push(n);
                        }
                    }
                    // A bare final period may be missing: the value runs to
                    // the next space.
                    if ends_template(&rest[1..]) && lit == "." {
                        let n = window.find(' ').unwrap_or(window.len());
                        let value = &window[..n];
                        if n > 0
                            && !value.ends_with('.')
                            && slot_accepts(name, value)
                            && !ends.contains(&n)
                        {
                            ends.push(n);
                        }
                    }
                    // URL-like values contain no spaces and may contain the
                    // next literal (a `.`), so try the longest first; prose
                    // values take the shortest.
                    if is_url_like(name) || matches!(name.as_str(), "header" | "method") {
                        ends.sort_unstable_by(|a, b| b.cmp(a));
                    } else {
                        ends.sort_unstable();
                    }
                    // A value full of the next literal (`…/x....`): the most
                    // likely ends are enough, and the work stays bounded.
                    ends.truncate(MAX_ENDS);
                    // Values on the message's own line first; one that runs
                    // past the line only after a closing cut off with it.
                    let line = flat.line_end(pos).saturating_sub(pos);
                    let (own, beyond): (Vec<usize>, Vec<usize>) =
                        ends.into_iter().partition(|e| *e <= line);
                    for value_end in own {
                        captures.push((name.clone(), tail[..value_end].to_string()));
                        if let Some(end) = match_from(rest, flat, pos + value_end, suffix, captures)
                        {
                            return Some(end);
                        }
                        captures.pop();
                    }
                    // A closing cut off with the line: the value runs to its end.
                    let closing = lit.bytes().all(|b| b.is_ascii_punctuation());
                    if ends_template(&rest[1..]) && closing && !is_url_like(name) {
                        let line_end = flat.line_end(pos).saturating_sub(pos).min(tail.len());
                        let value = tail[..line_end].trim_end();
                        if !value.is_empty()
                            && value.len() <= MAX_PROSE
                            && slot_accepts(name, value)
                        {
                            captures.push((name.clone(), value.to_string()));
                            if let Some(end) =
                                match_from(rest, flat, pos + value.len(), suffix, captures)
                            {
                                return Some(end);
                            }
                            captures.pop();
                        }
                    }
                    for value_end in beyond {
                        captures.push((name.clone(), tail[..value_end].to_string()));
                        if let Some(end) = match_from(rest, flat, pos + value_end, suffix, captures)
                        {
                            return Some(end);
                        }
                        captures.pop();
                    }
                    // A URL the user replaced by words (`<INSERT URL>`), before
                    // a literal long enough to be sure where it ends.
                    if is_url_like(name) && lit.len() >= 2 {
                        let line = flat.line_end(pos).saturating_sub(pos).min(tail.len());
                        let wide = &tail[..next_boundary(tail, MAX_WORDED_URL.min(line))];
                        if let Some(value_end) = wide.find(lit.as_str()) {
                            if value_end > 0 && value_end >= window.len() {
                                let value = tail[..value_end].trim_end().trim_matches(['\'', '"']);
                                captures.push((name.clone(), value.to_string()));
                                if let Some(end) =
                                    match_from(rest, flat, pos + value_end, suffix, captures)
                                {
                                    return Some(end);
                                }
                                captures.pop();
                            }
                        }
                    }
                    None
                }
                None => {
                    let line_end = flat.line_end(pos).max(pos);
                    let value = last_slot_value(name, text.get(pos..line_end)?);
                    if !slot_accepts(name, value) {
                        return None;
                    }
                    captures.push((name.clone(), value.to_string()));
                    Some(pos + value.len())
                }
                Some(Token::Slot(_)) => None,
            }
        }
    }
}

/// The part of `tail` a slot's value may come from.
fn slot_window<'a>(name: &str, tail: &'a str) -> &'a str {
    let cap = if is_url_like(name) || matches!(name, "header" | "method" | "scheme") {
        // A space may follow the value only as part of the next literal.
        let space = memchr::memchr(b' ', tail.as_bytes()).map_or(tail.len(), |i| i + 1);
        space.min(MAX_URL)
    } else {
        MAX_PROSE
    };
    &tail[..next_boundary(tail, cap.min(tail.len()))]
}

/// The first char boundary of `text` at or after `at`.
fn next_boundary(text: &str, mut at: usize) -> usize {
    while at < text.len() && !text.is_char_boundary(at) {
        at += 1;
    }
    at.min(text.len())
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
        // `net::ERR_NAME_NOT_RESOLVED，https://…`: the code alone.
        "value" if tail.starts_with("ERR_") => {
            let n = tail
                .bytes()
                .take_while(|b| b.is_ascii_uppercase() || b.is_ascii_digit() || *b == b'_')
                .count();
            &tail[..n]
        }
        _ if is_url_like(name) || matches!(name, "header" | "method") => {
            let n = tail.find(char::is_whitespace).unwrap_or(tail.len());
            tail[..n].trim_end_matches(['.', ','])
        }
        _ => {
            let cut = next_boundary(tail, MAX_PROSE.min(tail.len()));
            tail[..cut].trim_end()
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn flat(text: &str) -> Flat {
        super::super::paste::flatten(text)
    }

    #[test]
    fn slots_and_missing_period() {
        let tokens = tokenize("Method {method} is not allowed by Access-Control-Allow-Methods.");
        let f = flat("Method PUT is not allowed by Access-Control-Allow-Methods");
        let (end, caps) = match_at(&tokens, &f, 0, Suffix::None).unwrap();
        assert_eq!(end, f.text.len());
        assert_eq!(caps, vec![("method".to_string(), "PUT".to_string())]);
        let tokens = tokenize("Fetch API cannot load {url}.");
        let f = flat("Fetch API cannot load https://a.example/x.json");
        let (_, caps) = match_at(&tokens, &f, 0, Suffix::None).unwrap();
        assert_eq!(caps[0].1, "https://a.example/x.json");
    }

    #[test]
    fn a_prose_slot_at_the_end_stops_at_the_line() {
        let tokens = tokenize("Failed to load resource: {value}");
        let f = flat("Failed to load resource: boom\nnext line");
        let (_, caps) = match_at(&tokens, &f, 0, Suffix::None).unwrap();
        assert_eq!(caps[0].1, "boom");
    }
}
