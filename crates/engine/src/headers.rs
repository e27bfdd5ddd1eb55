//! Header lists as HTTP delivers them: ordered field lines, names compared
//! case-insensitively, values trimmed of optional whitespace, and the
//! list-based header grammar (`#token`) used by the CORS response headers.

use crate::method::is_token;
use std::borrow::Cow;

/// An ordered list of header field lines, duplicates kept.
pub type HeaderLines = [(String, String)];

/// Trims HTTP optional whitespace (SP and HTAB) the way every engine's parser does.
pub fn trim_ows(value: &str) -> &str {
    trim_ascii_where(value, |b| b == b' ' || b == b'\t')
}

/// Trims the ASCII bytes `is_space` accepts from both ends, bytewise.
pub(crate) fn trim_ascii_where(value: &str, is_space: impl Fn(u8) -> bool) -> &str {
    let bytes = value.as_bytes();
    let Some(start) = bytes.iter().position(|b| !is_space(*b)) else {
        return "";
    };
    let end = bytes
        .iter()
        .rposition(|b| !is_space(*b))
        .map_or(start, |e| e + 1);
    // Both ends border ASCII bytes or the ends of the string: char boundaries.
    value.get(start..end).unwrap_or("")
}

/// Header lines from pairs, for tests.
#[cfg(test)]
pub(crate) fn lines(pairs: &[(&str, &str)]) -> Vec<(String, String)> {
    pairs
        .iter()
        .map(|(n, v)| (n.to_string(), v.to_string()))
        .collect()
}

/// Every value of `name`, in order, trimmed.
pub fn all_values<'a, 'n>(
    headers: &'a HeaderLines,
    name: &'n str,
) -> impl Iterator<Item = &'a str> + use<'a, 'n> {
    headers
        .iter()
        .filter(move |(n, _)| n.eq_ignore_ascii_case(name))
        .map(|(_, v)| trim_ows(v))
}

/// The Fetch standard's "get": all lines of `name` joined with `", "`, or
/// `None` when absent (borrowed when there is one line). Chromium and WebKit
/// see duplicates this way.
pub fn get_combined<'a>(headers: &'a HeaderLines, name: &str) -> Option<Cow<'a, str>> {
    let mut values = all_values(headers, name);
    let first = values.next()?;
    let Some(second) = values.next() else {
        return Some(Cow::Borrowed(first));
    };
    let mut combined = format!("{first}, {second}");
    for value in values {
        combined.push_str(", ");
        combined.push_str(value);
    }
    Some(Cow::Owned(combined))
}

/// How many separate lines of `name` there are (Firefox counts them).
pub fn line_count(headers: &HeaderLines, name: &str) -> usize {
    headers
        .iter()
        .filter(|(n, _)| n.eq_ignore_ascii_case(name))
        .count()
}

/// Items of a `#token` list: split on commas, trimmed, empty items dropped.
pub fn list_items(value: &str) -> ListItems<'_> {
    ListItems { rest: Some(value) }
}

/// The iterator of [`list_items`]. Hand-rolled over bytes: the lists are a
/// few short items, for which `str::split` and its searcher cost more than
/// the scan itself (this runs for every list of every browser).
#[derive(Clone, Debug)]
pub struct ListItems<'a> {
    rest: Option<&'a str>,
}

impl<'a> Iterator for ListItems<'a> {
    type Item = &'a str;

    fn next(&mut self) -> Option<&'a str> {
        loop {
            let rest = self.rest?;
            // Cutting at an ASCII comma keeps both sides on char boundaries.
            let (item, tail) = match rest.bytes().position(|b| b == b',') {
                Some(at) => (rest.get(..at).unwrap_or(""), rest.get(at + 1..)),
                None => (rest, None),
            };
            self.rest = tail;
            let item = trim_ows(item);
            if !item.is_empty() {
                return Some(item);
            }
        }
    }
}

/// Whether one `Vary` value lists `Origin` or `*`.
pub fn vary_lists_origin(value: &str) -> bool {
    list_items(value).any(|item| item == "*" || item.eq_ignore_ascii_case("origin"))
}

/// The first item of a `#token` list that is not a token, if any: the same
/// as `list_items(value).find(|i| !is_token(i))`, in one pass over the
/// bytes for the valid lists that servers almost always send.
pub fn first_invalid_item(value: &str) -> Option<&str> {
    // Valid iff every item is tchars, padded by OWS: a tchar never follows
    // whitespace that follows a tchar of the same item.
    let mut in_item = false;
    let mut gap = false;
    let valid = value.bytes().all(|b| match b {
        b',' => {
            in_item = false;
            gap = false;
            true
        }
        b' ' | b'\t' => {
            gap = in_item;
            true
        }
        b if crate::method::is_tchar(b) => {
            in_item = true;
            !gap
        }
        _ => false,
    });
    if valid {
        None
    } else {
        list_items(value).find(|item| !is_token(item))
    }
}

/// Parses a `#token` list (`Access-Control-Allow-Methods`/`-Headers`/
/// `-Expose-Headers`); on failure returns the first item that is not a token.
pub fn parse_token_list(value: &str) -> Result<Vec<String>, String> {
    let mut out = Vec::new();
    for item in list_items(value) {
        if !is_token(item) {
            return Err(item.to_string());
        }
        out.push(item.to_string());
    }
    Ok(out)
}

/// A valid header field name (a token).
pub fn is_valid_name(name: &str) -> bool {
    is_token(name)
}

/// A valid header value: no CR, LF or NUL, no leading/trailing whitespace after trimming.
pub fn is_valid_value(value: &str) -> bool {
    !value.bytes().any(|b| b == b'\r' || b == b'\n' || b == 0)
}

/// Why `Name: value` text is not a header a script could set.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum HeaderLineError {
    NoColon,
    BadName(String),
    /// A line break or NUL in the value.
    BadValue(String),
    /// A code point above U+00FF: fetch() throws a TypeError before sending.
    NotLatin1 {
        name: String,
        found: char,
    },
}

/// Parses `Name: value` as fetch() takes a header: the name a token, only
/// HTTP whitespace trimmed from the value (not, say, a vertical tab), the
/// value a byte string without line breaks or NUL.
pub fn parse_header_line(text: &str) -> Result<(String, String), HeaderLineError> {
    let (name, value) = text.split_once(':').ok_or(HeaderLineError::NoColon)?;
    let name = name.trim();
    if !is_valid_name(name) {
        return Err(HeaderLineError::BadName(name.to_string()));
    }
    let value = value.trim_matches([' ', '\t']);
    if !is_valid_value(value) {
        return Err(HeaderLineError::BadValue(name.to_string()));
    }
    if let Some(found) = value.chars().find(|c| u32::from(*c) > 0xff) {
        return Err(HeaderLineError::NotLatin1 {
            name: name.to_string(),
            found,
        });
    }
    Ok((name.to_string(), value.to_string()))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn lines(pairs: &[(&str, &str)]) -> Vec<(String, String)> {
        pairs
            .iter()
            .map(|(n, v)| (n.to_string(), v.to_string()))
            .collect()
    }

    #[test]
    fn combines_duplicate_lines() {
        let h = lines(&[
            ("Access-Control-Allow-Origin", " a "),
            ("access-control-allow-origin", "b"),
        ]);
        assert_eq!(
            get_combined(&h, "ACCESS-CONTROL-ALLOW-ORIGIN").as_deref(),
            Some("a, b")
        );
        assert_eq!(line_count(&h, "access-control-allow-origin"), 2);
        assert_eq!(get_combined(&h, "vary"), None);
    }

    #[test]
    fn token_lists_f3_17_22_24() {
        assert_eq!(
            parse_token_list("GET, ,PUT"),
            Ok(vec!["GET".into(), "PUT".into()])
        );
        assert_eq!(
            parse_token_list("X-MY-HEADER, "),
            Ok(vec!["X-MY-HEADER".into()])
        );
        assert_eq!(
            parse_token_list(", X, Y, ,"),
            Ok(vec!["X".into(), "Y".into()])
        );
        assert_eq!(parse_token_list(""), Ok(vec![]));
        assert_eq!(parse_token_list("bad value"), Err("bad value".into()));
        assert_eq!(
            parse_token_list("Bad method name"),
            Err("Bad method name".into())
        );
        assert_eq!(parse_token_list("X-Foo:bar"), Err("X-Foo:bar".into()));
    }
}
