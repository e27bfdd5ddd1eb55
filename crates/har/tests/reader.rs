//! The HAR reader on malformed, truncated and hostile input: a clear error
//! naming the byte offset and the member, never a panic; bodies skipped
//! without being held; strings and nesting bounded. (The browsers'
//! recordings are tested in `recorded.rs`; these inputs are deliberately
//! broken, so they are written here.)

#![allow(clippy::unwrap_used, clippy::expect_used)] // tests may panic on broken fixtures

use std::io::Read;

use cors_har::{read_har, HarError, Limits};

fn read(text: &str) -> Result<cors_har::Har, HarError> {
    read_har(text.as_bytes(), &Limits::default(), &mut |_| {})
}

const ONE_ENTRY: &str = r#"{"log": {"version": "1.2", "creator": {"name": "WebInspector", "version": "537.36"},
 "pages": [{"id": "page_1", "title": "https://app.example.com/"}],
 "entries": [
  {"pageref": "page_1", "startedDateTime": "2026-12-01T10:00:00Z", "_resourceType": "fetch",
   "request": {"method": "GET", "url": "https://api.example.com/items", "headers": [{"name": "Origin", "value": "https://app.example.com"}], "postData": {"text": "ignored"}},
   "response": {"status": 200, "statusText": "OK", "headers": [{"name": "access-control-allow-origin", "value": "https://app.example.com"}], "content": {"size": 2, "text": "[]"}}},
  {"request": {"method": "GET", "url": "https://app.example.com/logo.png", "headers": []}, "response": {"status": 200, "headers": []}}
 ]}}"#;

#[test]
fn keeps_the_cross_origin_entries_and_what_the_diagnosis_needs() {
    let har = read(ONE_ENTRY).unwrap();
    assert_eq!(har.total_entries, 2);
    assert_eq!(har.entries.len(), 1, "only the entry with an Origin header");
    let e = &har.entries[0];
    assert_eq!(e.index, 0);
    assert_eq!(e.url, "https://api.example.com/items");
    assert_eq!(e.status, 200);
    assert_eq!(e.response_headers.len(), 1);
    assert_eq!(e.resource_type.as_deref(), Some("fetch"));
    assert_eq!(har.pages[0].title, "https://app.example.com/");
    assert_eq!(har.creator.name, "WebInspector");
}

#[test]
fn invalid_json_names_the_byte_offset() {
    let broken = ONE_ENTRY.replacen("\"status\": 200", "\"status\": 200,,", 1);
    let e = read(&broken).unwrap_err();
    let at = broken.find(",,").unwrap() as u64;
    assert!(e.message.contains("not valid JSON"), "{e}");
    let offset = e.offset.unwrap();
    assert!(offset.abs_diff(at) <= 2, "{e} (the mistake is at {at})");
    assert!(e.path.starts_with("log.entries[0].response"), "{e}");
    assert!(e.to_string().contains("at byte"), "{e}");
}

#[test]
fn an_error_after_a_dropped_body_is_placed_in_the_file() {
    // The bodies never reach the JSON reader; the position must still be the file's.
    let body = "é".repeat(5000);
    let broken = ONE_ENTRY.replacen(
        "\"text\": \"[]\"}",
        &format!("\"text\": \"{body}\"}} ??"),
        1,
    );
    let e = read(&broken).unwrap_err();
    let at = broken.find("??").unwrap();
    let offset = e.offset.unwrap();
    assert!(
        offset.abs_diff(at as u64) <= 2,
        "{e} (the mistake is at {at})"
    );
    let line_start = broken[..at].rfind('\n').unwrap() + 1;
    let (line, column) = e.line.unwrap();
    assert_eq!(line as usize, broken[..at].matches('\n').count() + 1, "{e}");
    let want = broken[line_start..at].chars().count() as u64 + 1;
    assert!(
        column.abs_diff(want) <= 2,
        "{e} (the mistake is at column {want})"
    );
}

#[test]
fn a_truncated_file_says_so() {
    let cut = &ONE_ENTRY[..ONE_ENTRY.len() / 2];
    let e = read(cut).unwrap_err();
    assert!(e.message.contains("truncated"), "{e}");
    assert!(e.offset.is_some(), "{e}");
}

#[test]
fn wrong_types_name_the_member() {
    let e = read(r#"{"log": {"entries": {"not": "an array"}}}"#).unwrap_err();
    assert_eq!(e.path, "log.entries");
    assert!(
        e.message.contains("expected an array, found an object"),
        "{e}"
    );
    let e = read(r#"{"log": {"entries": [{"request": {"url": 42}}]}}"#).unwrap_err();
    assert_eq!(e.path, "log.entries[0].request.url");
    assert!(
        e.message.contains("expected a string, found a number"),
        "{e}"
    );
}

#[test]
fn json_that_is_not_a_har_and_trailing_text_are_refused() {
    let e = read(r#"{"entries": []}"#).unwrap_err();
    assert!(e.message.contains("not a HAR file"), "{e}");
    let e = read(r#"[1, 2]"#).unwrap_err();
    assert!(e.message.contains("expected an object"), "{e}");
    let e = read(&format!("{ONE_ENTRY} {{}}")).unwrap_err();
    assert!(e.message.contains("after the end"), "{e}");
}

#[test]
fn deep_nesting_is_bounded() {
    let deep = format!(
        r#"{{"log": {{"entries": [], "_x": {}{}}}}}"#,
        "[".repeat(100_000),
        "]".repeat(100_000)
    );
    let e = read(&deep).unwrap_err();
    assert!(e.message.contains("nested deeper than"), "{e}");
}

/// A HAR whose one entry carries a body of `size` bytes, produced on the
/// fly: the reader must skip it without holding it.
struct HugeBody {
    head: Vec<u8>,
    size: u64,
    sent: u64,
    tail: Vec<u8>,
    at: usize,
}

impl HugeBody {
    fn new(field: &str, size: u64) -> HugeBody {
        let head = format!(
            r#"{{"log": {{"entries": [{{"request": {{"method": "GET", "url": "https://api.example.com/", "headers": [{{"name": "Origin", "value": "https://app.example.com"}}]}}, "response": {{"status": 200, "headers": [], "{field}": ""#
        );
        HugeBody {
            head: head.into_bytes(),
            size,
            sent: 0,
            tail: br#""}}]}}"#.to_vec(),
            at: 0,
        }
    }
}

impl Read for HugeBody {
    fn read(&mut self, buf: &mut [u8]) -> std::io::Result<usize> {
        if self.at < self.head.len() {
            let n = buf.len().min(self.head.len() - self.at);
            buf[..n].copy_from_slice(&self.head[self.at..self.at + n]);
            self.at += n;
            return Ok(n);
        }
        if self.sent < self.size {
            let n = buf
                .len()
                .min(usize::try_from(self.size - self.sent).unwrap());
            buf[..n].fill(b'a');
            self.sent += n as u64;
            return Ok(n);
        }
        let tail_at = self.at - self.head.len();
        let n = buf.len().min(self.tail.len() - tail_at);
        buf[..n].copy_from_slice(&self.tail[tail_at..tail_at + n]);
        self.at += n;
        Ok(n)
    }
}

#[test]
fn a_huge_body_is_skipped_and_a_huge_kept_string_is_refused() {
    // 64 MiB in a member the diagnosis skips, or in a body (`text`,
    // dropped before the JSON reader): read through, not held.
    for member in ["_body", "text"] {
        let har = read_har(
            std::io::BufReader::new(HugeBody::new(member, 64 << 20)),
            &Limits::default(),
            &mut |_| {},
        )
        .unwrap();
        assert_eq!(har.entries.len(), 1);
    }
    // The same in a member it keeps: refused at the limit, not read whole.
    let e = read_har(
        std::io::BufReader::new(HugeBody::new("_failureText", 64 << 20)),
        &Limits::default(),
        &mut |_| {},
    )
    .unwrap_err();
    assert!(e.message.contains("longer than"), "{e}");
    assert_eq!(e.path, "log.entries[0].response._failureText");
}

#[test]
fn entries_listed_twice_keep_unique_indexes() {
    let one = r#"{"request": {"method": "GET", "url": "https://api.example.com/", "headers": [{"name": "Origin", "value": "https://app.example.com"}]}, "response": {"status": 200, "headers": []}}"#;
    let har = read(&format!(
        r#"{{"log": {{"entries": [{one}, {one}], "entries": [{one}]}}}}"#
    ))
    .unwrap();
    assert_eq!(har.total_entries, 3);
    let indexes: Vec<usize> = har.entries.iter().map(|e| e.index).collect();
    assert_eq!(indexes, vec![0, 1, 2]);
}
