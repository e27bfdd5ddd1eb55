//! Safari's way of reporting one failure on several lines: the reason, then
//! `<API> cannot load U due to access control checks.`, then the reason
//! again as `Failed to load resource: <reason>` (or rethrown by a script).

use super::units::Role;
use super::{values_from, Flat, Hit, Note, NoteKind, Recognized, Recognizer};
use crate::browser::Browser;

impl Recognizer {
    /// WebKit prints the reason, then `<API> cannot load U due to access
    /// control checks.`: the companion gives the reason its URL and kind.
    pub(super) fn pair_companions(
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
                .take(PAIRING_MESSAGES)
                .take_while(|&i| near(&messages[i]))
                .find(|&i| messages[i].end <= hit.start && pairable(&messages[i], &v.url));
            let after = || {
                (at..messages.len())
                    .take(PAIRING_MESSAGES)
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
/// How many messages around are looked at (a line may hold thousands).
const PAIRING_MESSAGES: usize = 8;

/// A message that a WebKit companion near it can complete.
fn pairable(m: &Recognized, url: &str) -> bool {
    m.browser == Browser::WebKit && (m.values.url.is_empty() || m.values.url == url)
}

/// WebKit repeats the reason as `Failed to load resource: <reason>` around
/// the companion line (and scripts rethrow it as `TypeError: <reason>`);
/// a repeat is not a second failure.
pub(super) fn fold_webkit_repeats(messages: &mut Vec<Recognized>) {
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
            .take(PAIRING_MESSAGES)
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
