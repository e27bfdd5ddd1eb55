//! Recognition of a paste of any size in bounded memory: lines go in one by
//! one; every few MiB the text gathered so far is recognised, and what is
//! certain is kept. The last lines are carried into the next chunk (a
//! wrapped message, or Safari's reason and its companion line, may straddle
//! the cut), with a few lines before them as context that is not reported
//! twice. Pure: the caller reads.

use super::paste::Flat;
use super::{Recognition, Recognizer};

/// Lines carried into the next chunk: longer than any wrapped message.
const CARRY: usize = 8;
/// Lines before those, recognised again only as context.
const CONTEXT: usize = 4;

/// Feeds a [`Recognizer`] line by line.
#[derive(Debug)]
pub struct Stream<'r> {
    recognizer: &'r Recognizer,
    flat: Flat,
    chunk_bytes: usize,
    /// Lines before this one were reported by an earlier chunk.
    report_from: usize,
    found: Recognition,
}

impl<'r> Stream<'r> {
    /// A stream that recognises every `chunk_bytes` of cleaned text.
    pub fn new(recognizer: &'r Recognizer, chunk_bytes: usize) -> Stream<'r> {
        Stream {
            recognizer,
            flat: Flat::default(),
            chunk_bytes,
            report_from: 0,
            found: Recognition::default(),
        }
    }

    /// Adds one line (without its line break), numbered from 1.
    pub fn push_line(&mut self, raw: &str, number: usize) {
        self.flat.push_line(raw, number);
        if self.flat.text.len() >= self.chunk_bytes && self.flat.lines.len() > 1 {
            self.recognize_chunk(false);
        }
    }

    /// Everything recognised, in order (`text` is left empty: the ranges of
    /// the messages refer to their chunk).
    pub fn finish(mut self) -> Recognition {
        self.recognize_chunk(true);
        self.found
    }

    fn recognize_chunk(&mut self, last: bool) {
        let lines = self.flat.lines.len();
        // Report lines before `until`; carry the rest (and some context).
        let (until, carried) = if last {
            (usize::MAX, Flat::default())
        } else {
            // Carry a few lines, but never more than half a chunk of text:
            // long lines are carried fewer, so memory stays bounded and no
            // text is recognised more than twice.
            let budget = self.chunk_bytes / 2;
            let text_len = self.flat.text.len();
            let bytes_from = |i: usize| text_len - self.flat.lines[i].0;
            // More than half a chunk is held (the caller's condition), so
            // the cut moves past the first line: every chunk makes progress.
            let mut cut = lines.saturating_sub(CARRY);
            while cut + 1 < lines && bytes_from(cut) > budget {
                cut += 1;
            }
            let mut from = cut.saturating_sub(CONTEXT);
            while from < cut && bytes_from(from) > budget {
                from += 1;
            }
            (self.flat.lines[cut].1, self.flat.tail_lines(from))
        };
        let chunk = std::mem::replace(&mut self.flat, carried);
        let found = self.recognizer.recognize_flat(chunk);
        let report = |line: usize| line >= self.report_from && line < until;
        self.found
            .messages
            .extend(found.messages.into_iter().filter(|m| report(m.line)));
        self.found
            .network
            .extend(found.network.into_iter().filter(|n| report(n.line)));
        self.found
            .notes
            .extend(found.notes.into_iter().filter(|n| report(n.line)));
        self.report_from = until;
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn chunks_give_what_one_paste_gives() {
        let r = Recognizer::new();
        let mut paste = String::new();
        for i in 0..400 {
            paste.push_str(&format!("12:00:{:02} [HMR] connected\n", i % 60));
            if i % 7 == 0 {
                // Wrapped over three lines, to straddle some cut.
                paste.push_str(&format!("> Access to fetch at 'https://api.example.com/{i}' from origin\n> 'https://app.example.com' has been blocked by CORS policy: No\n> 'Access-Control-Allow-Origin' header is present on the requested resource.\n"));
            }
            if i % 11 == 0 {
                paste.push_str(&format!("[Error] Origin https://app.example.com is not allowed by Access-Control-Allow-Origin. Status code: 500\n[Error] Fetch API cannot load https://api.example.com/s{i} due to access control checks.\n[Error] Failed to load resource: Origin https://app.example.com is not allowed by Access-Control-Allow-Origin. Status code: 500\nGET https://api.example.com/n{i} net::ERR_FAILED 500\n"));
            }
        }
        let whole = r.recognize(&paste);
        let summary = |found: &Recognition| {
            let messages: Vec<_> = found
                .messages
                .iter()
                .map(|m| (m.line, m.browser, m.candidates.clone(), m.values.clone()))
                .collect();
            (messages, found.network.clone(), found.notes.clone())
        };
        // Chunks big enough to carry the last lines whole (half a chunk).
        for chunk in [8 * 1024, 16 * 1024, 64 * 1024] {
            let mut stream = Stream::new(&r, chunk);
            for (i, line) in paste.split('\n').enumerate() {
                stream.push_line(line, i + 1);
            }
            assert_eq!(
                summary(&stream.finish()),
                summary(&whole),
                "chunks of {chunk} bytes"
            );
        }
        assert_eq!(whole.messages.len(), 58 + 37);
    }

    #[test]
    fn long_lines_are_carried_fewer() {
        let r = Recognizer::new();
        let mut stream = Stream::new(&r, 1024);
        let long = "x".repeat(900);
        for i in 1..=40 {
            stream.push_line(&long, i);
            // Never more than a chunk plus one line held.
            assert!(
                stream.flat.text.len() <= 1024 + 901,
                "{}",
                stream.flat.text.len()
            );
        }
        stream.push_line(
            "Method PUT is not allowed by Access-Control-Allow-Methods in preflight response.",
            41,
        );
        let found = stream.finish();
        assert_eq!(found.messages.len(), 1);
        assert_eq!(found.messages[0].line, 41);
    }
}
