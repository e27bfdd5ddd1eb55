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
    let value = value.trim_matches(is_http_whitespace);
    let (kind, rest) = value.split_once('/')?;
    if kind.is_empty() || !kind.chars().all(is_token_char) {
        return None;
    }
    let subtype = match rest.split_once(';') {
        Some((subtype, _parameters)) => subtype,
        None => rest,
    };
    let subtype = subtype.trim_end_matches(is_http_whitespace);
    if subtype.is_empty() || !subtype.chars().all(is_token_char) {
        return None;
    }
    Some((kind, subtype))
}

fn is_http_whitespace(c: char) -> bool {
    matches!(c, '\t' | '\n' | '\r' | ' ')
}

fn is_token_char(c: char) -> bool {
    u8::try_from(c).is_ok_and(crate::method::is_tchar)
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
