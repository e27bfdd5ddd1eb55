//! A pre-filter between the file and the JSON reader that drops the bodies.
//! Every string value of a member named `text` (`content.text`,
//! `postData.text`: the bodies, often base64 and most of a HAR's bytes) is
//! passed on as `""`, found with `memchr` instead of the JSON reader's
//! byte-by-byte string scan; everything else passes unchanged, so the
//! reader still checks the document's structure. What was dropped is
//! remembered, so an error's byte offset and column can be given in the
//! file's own terms ([`Elisions::original`]).
//!
//! Bodies are not validated: a body holding a byte JSON forbids in a string
//! (a raw control character, invalid UTF-8) is skipped like any other.

use std::cell::RefCell;
use std::collections::VecDeque;
use std::io::{self, Read};
use std::rc::Rc;

/// As large as the CLI's `BufReader`, whose buffer a read this large bypasses.
const BUFFER: usize = 256 * 1024;
/// Errors are reported near the reader's position, a few KiB behind ours at
/// most; the last elisions are enough to translate them.
const REMEMBERED: usize = 256;

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
enum State {
    /// Between strings: punctuation, numbers, literals, whitespace.
    Outside,
    /// In a string that is passed on; `escaped` after a backslash.
    InString { escaped: bool },
    /// In a body that is dropped; `escaped` after a backslash.
    Dropping { escaped: bool },
}

/// One dropped body: from filtered offset `at` (its closing quote) on, the
/// file is `bytes` further than the filtered stream; on its line (0-based
/// `line`), `columns` characters further.
#[derive(Clone, Copy, Debug)]
struct Elision {
    at: u64,
    bytes: u64,
    line: u64,
    columns: u64,
}

/// What the filter dropped, shared with whoever reports positions.
#[derive(Clone, Debug, Default)]
pub struct Elisions {
    recent: VecDeque<Elision>,
    /// The totals of the last elision no longer remembered.
    forgotten: Option<Elision>,
}

impl Elisions {
    /// The file's byte offset and (0-based) column for a filtered offset
    /// and its 0-based line and column.
    pub fn original(&self, offset: u64, line: u64, column: u64) -> (u64, u64) {
        let before = self
            .recent
            .iter()
            .rev()
            .find(|e| e.at <= offset)
            .or(self.forgotten.as_ref());
        match before {
            Some(e) => (
                offset + e.bytes,
                column + if e.line == line { e.columns } else { 0 },
            ),
            None => (offset, column),
        }
    }

    fn push(&mut self, elision: Elision) {
        if self.recent.len() == REMEMBERED {
            self.forgotten = self.recent.pop_front();
        }
        self.recent.push_back(elision);
    }
}

/// The filtering reader.
pub struct DropBodies<R> {
    inner: R,
    buf: Box<[u8]>,
    pos: usize,
    len: usize,
    state: State,
    /// The first bytes of the string being passed on, to tell a `text` key.
    key: [u8; 5],
    key_len: usize,
    /// The last string was exactly `text`, and (`text_value`) a `:` followed.
    after_text_key: bool,
    text_value: bool,
    /// Totals of what was passed on and dropped.
    emitted: u64,
    line: u64,
    dropped: u64,
    dropped_on_line: u64,
    elisions: Rc<RefCell<Elisions>>,
}

impl<R: Read> DropBodies<R> {
    pub fn new(inner: R) -> (DropBodies<R>, Rc<RefCell<Elisions>>) {
        let elisions = Rc::new(RefCell::new(Elisions::default()));
        let filter = DropBodies {
            inner,
            buf: vec![0; BUFFER].into_boxed_slice(),
            pos: 0,
            len: 0,
            state: State::Outside,
            key: [0; 5],
            key_len: 0,
            after_text_key: false,
            text_value: false,
            emitted: 0,
            line: 0,
            dropped: 0,
            dropped_on_line: 0,
            elisions: Rc::clone(&elisions),
        };
        (filter, elisions)
    }

    /// Moves what it can from the buffer to `out`; returns the bytes written.
    fn filter(&mut self, out: &mut [u8]) -> usize {
        let mut written = 0;
        while self.pos < self.len && written < out.len() {
            let input = &self.buf[self.pos..self.len];
            match self.state {
                State::Dropping { escaped: true } => {
                    self.drop_bytes(1);
                    self.state = State::Dropping { escaped: false };
                }
                State::Dropping { escaped: false } => match memchr::memchr2(b'"', b'\\', input) {
                    None => self.drop_bytes(input.len()),
                    Some(i) if input[i] == b'\\' => {
                        self.drop_bytes(i + 1);
                        self.state = State::Dropping { escaped: true };
                    }
                    Some(i) => {
                        self.drop_bytes(i);
                        self.elisions.borrow_mut().push(Elision {
                            at: self.emitted + written as u64,
                            bytes: self.dropped,
                            line: self.line,
                            columns: self.dropped_on_line,
                        });
                        out[written] = b'"';
                        written += 1;
                        self.pos += 1;
                        self.state = State::Outside;
                    }
                },
                State::InString { escaped: true } => {
                    out[written] = input[0];
                    written += 1;
                    self.pos += 1;
                    // An escape in the key: not the plain `text`.
                    self.key_len = self.key.len();
                    self.state = State::InString { escaped: false };
                }
                State::InString { escaped: false } => {
                    let room = (out.len() - written).min(input.len());
                    let end = memchr::memchr2(b'"', b'\\', &input[..room]);
                    let plain = end.unwrap_or(room);
                    for &b in &input[..plain] {
                        if self.key_len < self.key.len() {
                            self.key[self.key_len] = b;
                        }
                        self.key_len = (self.key_len + 1).min(self.key.len());
                    }
                    out[written..written + plain].copy_from_slice(&input[..plain]);
                    written += plain;
                    self.pos += plain;
                    if let Some(i) = end {
                        out[written] = input[i];
                        written += 1;
                        self.pos += 1;
                        if input[i] == b'\\' {
                            self.state = State::InString { escaped: true };
                        } else {
                            self.after_text_key = self.key_len == 4 && &self.key[..4] == b"text";
                            self.state = State::Outside;
                        }
                    }
                }
                State::Outside => {
                    let b = input[0];
                    out[written] = b;
                    written += 1;
                    self.pos += 1;
                    match b {
                        b' ' | b'\t' | b'\r' => {}
                        b'\n' => {
                            self.line += 1;
                            self.dropped_on_line = 0;
                        }
                        b':' => {
                            self.text_value = self.after_text_key;
                            self.after_text_key = false;
                        }
                        b'"' => {
                            self.state = if self.text_value {
                                State::Dropping { escaped: false }
                            } else {
                                self.key_len = 0;
                                State::InString { escaped: false }
                            };
                            self.text_value = false;
                            self.after_text_key = false;
                        }
                        _ => {
                            self.after_text_key = false;
                            self.text_value = false;
                        }
                    }
                }
            }
        }
        self.emitted += written as u64;
        written
    }

    fn drop_bytes(&mut self, n: usize) {
        let dropped = &self.buf[self.pos..self.pos + n];
        self.dropped += n as u64;
        self.dropped_on_line += characters(dropped);
        self.pos += n;
    }
}

/// How many characters `bytes` hold (columns count characters): every byte
/// but UTF-8 continuation bytes (0x80–0xBF, below -64 as `i8`). Counted in
/// `u8` lanes 255 bytes at a time, which the compiler vectorises.
fn characters(bytes: &[u8]) -> u64 {
    bytes
        .chunks(255)
        .map(|chunk| {
            let n = chunk.iter().fold(0u8, |n, &b| n + u8::from(b as i8 >= -64));
            u64::from(n)
        })
        .sum()
}

impl<R: Read> Read for DropBodies<R> {
    fn read(&mut self, out: &mut [u8]) -> io::Result<usize> {
        if out.is_empty() {
            return Ok(0);
        }
        loop {
            if self.pos == self.len {
                self.pos = 0;
                self.len = 0;
                self.len = loop {
                    match self.inner.read(&mut self.buf) {
                        Err(e) if e.kind() == io::ErrorKind::Interrupted => continue,
                        other => break other?,
                    }
                };
                if self.len == 0 {
                    return Ok(0);
                }
            }
            let written = self.filter(out);
            if written > 0 {
                return Ok(written);
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn filtered(text: &str, chunk: usize) -> String {
        let (mut filter, _) = DropBodies::new(text.as_bytes());
        let mut out = Vec::new();
        let mut buf = vec![0; chunk];
        loop {
            let n = filter.read(&mut buf).unwrap();
            if n == 0 {
                break;
            }
            out.extend_from_slice(&buf[..n]);
        }
        String::from_utf8(out).unwrap()
    }

    #[test]
    fn drops_text_values_only() {
        let text = r#"{"content": {"size": 3, "text" : "a\"b\\", "mimeType": "text"}, "name": "text", "text2": "x", "tex": "y", "te\u0078t": "z"}"#;
        let want = r#"{"content": {"size": 3, "text" : "", "mimeType": "text"}, "name": "text", "text2": "x", "tex": "y", "te\u0078t": "z"}"#;
        for chunk in [1, 2, 3, 7, 1024] {
            assert_eq!(filtered(text, chunk), want, "read {chunk} bytes at a time");
        }
    }

    #[test]
    fn non_string_text_values_pass() {
        let text = r#"{"text": null, "a": {"text": ["s"]}, "text": 12}"#;
        assert_eq!(filtered(text, 4), text);
    }

    #[test]
    fn offsets_translate_back() {
        let text = "{\"text\": \"ééé\", \"x\":\n \"text\", \"text\": \"abcdef\" !}";
        let (mut filter, elisions) = DropBodies::new(text.as_bytes());
        let mut out = String::new();
        filter.read_to_string(&mut out).unwrap();
        assert_eq!(out, "{\"text\": \"\", \"x\":\n \"text\", \"text\": \"\" !}");
        let bang = out.find('!').unwrap() as u64;
        let line_start = out.rfind('\n').unwrap() as u64 + 1;
        let (offset, column) = elisions.borrow().original(bang, 1, bang - line_start);
        assert_eq!(offset, text.find('!').unwrap() as u64);
        assert_eq!(column, bang - line_start + 6);
        // Before the first body, nothing moves; on the first line, é counts once.
        assert_eq!(elisions.borrow().original(3, 0, 3), (3, 3));
        let comma = out.find(',').unwrap() as u64;
        assert_eq!(
            elisions.borrow().original(comma, 0, comma),
            (comma + 6, comma + 3)
        );
    }
}
