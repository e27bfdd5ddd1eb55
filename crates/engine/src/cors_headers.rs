//! The CORS-relevant lines of one response, found in one pass: every check
//! of a response (the origin check, the method and header lists, max-age,
//! redirects, `Vary`) reads this index instead of scanning the header lines
//! again for each name.

use crate::headers::{get_combined, trim_ows, HeaderLines};
use std::borrow::Cow;

/// The response headers the CORS checks read.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum CorsHeader {
    AllowOrigin,
    AllowCredentials,
    AllowMethods,
    AllowHeaders,
    MaxAge,
    Location,
}

impl CorsHeader {
    const ALL: [CorsHeader; 6] = [
        CorsHeader::AllowOrigin,
        CorsHeader::AllowCredentials,
        CorsHeader::AllowMethods,
        CorsHeader::AllowHeaders,
        CorsHeader::MaxAge,
        CorsHeader::Location,
    ];

    /// The lower-case field name.
    pub fn name(self) -> &'static str {
        match self {
            CorsHeader::AllowOrigin => "access-control-allow-origin",
            CorsHeader::AllowCredentials => "access-control-allow-credentials",
            CorsHeader::AllowMethods => "access-control-allow-methods",
            CorsHeader::AllowHeaders => "access-control-allow-headers",
            CorsHeader::MaxAge => "access-control-max-age",
            CorsHeader::Location => "location",
        }
    }
}

/// Where the lines of one header are: the first line and how many there are.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
struct Slot {
    first: u32,
    lines: u32,
    /// A single line that is a valid `#token` list (checked once here for
    /// the method and header lists, which every browser validates).
    valid_list: bool,
}

/// The items of a one-line `#token` list, split once: (start, end) byte
/// spans into the line's value. Every browser walks the method and header
/// lists for each check, so they are not re-split per browser.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct ItemSpans {
    spans: [(u16, u16); 8],
    count: u8,
    /// All the items are here and every one is a token.
    complete: bool,
}

impl ItemSpans {
    fn of(value: &str) -> ItemSpans {
        let mut out = ItemSpans::default();
        let base = value.as_ptr() as usize;
        for item in crate::headers::list_items(value) {
            let start = item.as_ptr() as usize - base;
            let (Ok(from), Ok(to)) = (u16::try_from(start), u16::try_from(start + item.len()))
            else {
                return ItemSpans::default();
            };
            let Some(span) = out.spans.get_mut(usize::from(out.count)) else {
                return ItemSpans::default();
            };
            if !crate::method::is_token(item) {
                return ItemSpans::default();
            }
            *span = (from, to);
            out.count += 1;
        }
        out.complete = true;
        out
    }

    /// The items, when [`ItemSpans::of`] took them all from `value`.
    pub fn items(self, value: &str) -> Option<impl Iterator<Item = &str>> {
        self.complete.then(|| {
            self.spans
                .into_iter()
                .take(usize::from(self.count))
                .map(move |(from, to)| value.get(usize::from(from)..usize::from(to)).unwrap_or(""))
        })
    }
}

/// Where a response's CORS-relevant lines are (owned, so a driver can keep
/// one per response and hand it to every browser's flow).
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct CorsIndex {
    slots: [Slot; 6],
    /// `Vary` lists `Origin` or `*`.
    vary_origin: bool,
    /// The items of `Access-Control-Allow-Methods` and `-Headers` (one line each).
    methods: ItemSpans,
    headers: ItemSpans,
}

impl CorsIndex {
    /// Indexes `lines` (names compared case-insensitively, as HTTP does).
    pub fn of(lines: &HeaderLines) -> CorsIndex {
        let mut slots = [Slot::default(); 6];
        let mut vary_origin = false;
        // Past u32::MAX lines the rest is not indexed (no response is that long).
        for (at, (name, value)) in lines.iter().take(u32::MAX as usize).enumerate() {
            let at = at as u32;
            if name.eq_ignore_ascii_case("vary") {
                vary_origin = vary_origin || crate::headers::vary_lists_origin(value);
                continue;
            }
            let Some(index) = CorsHeader::ALL
                .iter()
                .position(|h| h.name().eq_ignore_ascii_case(name))
            else {
                continue;
            };
            if let Some(slot) = slots.get_mut(index) {
                if slot.lines == 0 {
                    slot.first = at;
                }
                slot.lines += 1;
            }
        }
        let mut lists = [ItemSpans::default(); 2];
        for (header, list) in [CorsHeader::AllowMethods, CorsHeader::AllowHeaders]
            .into_iter()
            .zip(lists.iter_mut())
        {
            if let Some(slot) = slots.get_mut(header as usize) {
                if slot.lines != 1 {
                    continue;
                }
                if let Some((_, value)) = lines.get(slot.first as usize) {
                    *list = ItemSpans::of(value);
                    slot.valid_list =
                        list.complete || crate::headers::first_invalid_item(value).is_none();
                }
            }
        }
        let [methods, headers] = lists;
        CorsIndex {
            slots,
            vary_origin,
            methods,
            headers,
        }
    }
}

/// A response's header lines with their [`CorsIndex`].
#[derive(Clone, Debug)]
pub struct CorsHeaders<'a> {
    lines: &'a HeaderLines,
    index: Cow<'a, CorsIndex>,
}

impl<'a> CorsHeaders<'a> {
    /// Indexes `lines`.
    pub fn of(lines: &'a HeaderLines) -> CorsHeaders<'a> {
        CorsHeaders {
            lines,
            index: Cow::Owned(CorsIndex::of(lines)),
        }
    }

    /// `lines` with the index made earlier by `CorsIndex::of(lines)`.
    pub fn with_index(lines: &'a HeaderLines, index: &'a CorsIndex) -> CorsHeaders<'a> {
        CorsHeaders {
            lines,
            index: Cow::Borrowed(index),
        }
    }

    fn slot(&self, header: CorsHeader) -> Slot {
        // `ALL` lists the variants in declaration order.
        self.index
            .slots
            .get(header as usize)
            .copied()
            .unwrap_or_default()
    }

    /// How many lines of `header` there are (Firefox counts them).
    pub fn line_count(&self, header: CorsHeader) -> usize {
        self.slot(header).lines as usize
    }

    /// The first line's value, trimmed.
    pub fn first(&self, header: CorsHeader) -> Option<&'a str> {
        let slot = self.slot(header);
        if slot.lines == 0 {
            return None;
        }
        self.lines
            .get(slot.first as usize)
            .map(|(_, v)| trim_ows(v))
    }

    /// The Fetch standard's "get": every line joined with `", "`.
    pub fn combined(&self, header: CorsHeader) -> Option<Cow<'a, str>> {
        match self.slot(header).lines {
            0 => None,
            1 => self.first(header).map(Cow::Borrowed),
            _ => get_combined(self.lines, header.name()),
        }
    }

    /// `Access-Control-Allow-Methods`/`-Headers` split once by the index
    /// (one line of at most 8 tokens): the line's value and its item spans.
    pub fn split_list(&self, header: CorsHeader) -> Option<(&'a str, ItemSpans)> {
        let spans = match header {
            CorsHeader::AllowMethods => self.index.methods,
            CorsHeader::AllowHeaders => self.index.headers,
            _ => return None,
        };
        if !spans.complete || self.slot(header).lines != 1 {
            return None;
        }
        let (_, value) = self.lines.get(self.slot(header).first as usize)?;
        Some((value, spans))
    }

    /// Whether `header` is known to be a valid `#token` list (absent, or one
    /// valid line). `false` means "check it": it may still be valid.
    pub fn known_valid_list(&self, header: CorsHeader) -> bool {
        let slot = self.slot(header);
        slot.lines == 0 || slot.valid_list
    }

    /// `Vary: Origin` or `Vary: *` (caches keep one copy per origin).
    pub fn vary_covers_origin(&self) -> bool {
        self.index.vary_origin
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    use crate::headers::lines as h;

    #[test]
    fn agrees_with_scanning_the_lines() {
        let lines = h(&[
            ("Vary", "Origin"),
            ("ACCESS-CONTROL-ALLOW-ORIGIN", " https://a.example "),
            ("access-control-allow-methods", "GET"),
            ("Access-Control-Allow-Methods", "PUT"),
            ("Location", "/next"),
        ]);
        let index = CorsHeaders::of(&lines);
        for header in CorsHeader::ALL {
            assert_eq!(
                index.combined(header),
                get_combined(&lines, header.name()),
                "{header:?}"
            );
            assert_eq!(
                index.line_count(header),
                crate::headers::line_count(&lines, header.name())
            );
        }
        assert_eq!(index.first(CorsHeader::AllowMethods), Some("GET"));
        assert!(index.vary_covers_origin());
        for vary in ["Accept", "accept, ORIGIN", "*", ""] {
            let lines = h(&[("Vary", "Cookie"), ("vary", vary)]);
            assert_eq!(
                CorsHeaders::of(&lines).vary_covers_origin(),
                crate::flow::vary_covers_origin(&lines),
                "{vary}"
            );
        }
        // Two lines: not known valid, to be checked on the combined value.
        assert!(!index.known_valid_list(CorsHeader::AllowMethods));
        assert!(index.known_valid_list(CorsHeader::AllowHeaders));
        let one = h(&[("Access-Control-Allow-Headers", " a, b ,c")]);
        assert!(CorsHeaders::of(&one).known_valid_list(CorsHeader::AllowHeaders));
        let bad = h(&[("Access-Control-Allow-Headers", "a b")]);
        assert!(!CorsHeaders::of(&bad).known_valid_list(CorsHeader::AllowHeaders));
        for (at, header) in CorsHeader::ALL.iter().enumerate() {
            assert_eq!(*header as usize, at);
        }
    }
}
