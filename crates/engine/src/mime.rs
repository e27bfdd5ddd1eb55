//! The MIME Sniffing standard's strict "parse a MIME type", reduced to what
//! the CORS safelist needs: the essence (`type/subtype`) of a `Content-Type`.

/// The lower-cased essence of `value`, or `None` when it does not parse.
///
/// Parameters never make parsing fail (invalid ones are ignored by the
/// standard), so only the type and subtype are validated here.
pub fn essence(value: &str) -> Option<String> {
    let (kind, subtype) = split_essence(value)?;
    Some(format!(
        "{}/{}",
        kind.to_ascii_lowercase(),
        subtype.to_ascii_lowercase()
    ))
}

/// Whether the essence is one of the three CORS-safelisted form types,
/// without allocating.
pub fn is_simple_form_type(value: &str) -> bool {
    let Some((kind, subtype)) = split_essence(value) else {
        return false;
    };
    let is = |k: &str, s: &str| kind.eq_ignore_ascii_case(k) && subtype.eq_ignore_ascii_case(s);
    is("application", "x-www-form-urlencoded")
        || is("multipart", "form-data")
        || is("text", "plain")
}

fn split_essence(value: &str) -> Option<(&str, &str)> {
    // Bytewise: the delimiters and whitespace are ASCII, so every cut is on a
    // char boundary, and a non-ASCII byte is never a token byte.
    use crate::method::is_token;
    let value = trim_http_whitespace(value);
    let slash = memchr::memchr(b'/', value.as_bytes())?;
    let (kind, rest) = (value.get(..slash)?, value.get(slash + 1..)?);
    if !is_token(kind) {
        return None;
    }
    let subtype = match memchr::memchr(b';', rest.as_bytes()) {
        Some(at) => rest.get(..at)?,
        None => rest,
    };
    // Only trailing whitespace is removed: "text/ plain" does not parse.
    let subtype = subtype.trim_end_matches(['\t', '\n', '\r', ' ']);
    if !is_token(subtype) {
        return None;
    }
    Some((kind, subtype))
}

fn trim_http_whitespace(text: &str) -> &str {
    crate::headers::trim_ascii_where(text, |b| matches!(b, b'\t' | b'\n' | b'\r' | b' '))
}

#[cfg(test)]
mod tests {
    use super::essence;

    #[test]
    fn strict_parse_table() {
        let cases: &[(&str, Option<&str>)] = &[
            ("text/plain", Some("text/plain")),
            ("text/plain;", Some("text/plain")),
            ("text/plain;garbage", Some("text/plain")),
            ("Text/plain", Some("text/plain")),
            ("tEXT/PLAIN", Some("text/plain")),
            ("  text/plain ; charset=UTF-8", Some("text/plain")),
            ("text /plain", None),
            ("text\t/\tplain", None),
            ("text/ plain", None),
            ("text/plain \t; a=b", Some("text/plain")),
            ("tëxt/plain", None),
            ("text/plain,", None),
            (",text/plain", None),
            ("text/plain,text/plain", None),
            ("text/plain,x/x", None),
            ("application/json", Some("application/json")),
            ("", None),
            ("/", None),
            ("text/", None),
        ];
        for (input, expected) in cases {
            assert_eq!(essence(input).as_deref(), *expected, "{input:?}");
        }
    }
}
