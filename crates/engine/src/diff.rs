//! Explains how an `Access-Control-Allow-Origin` value differs from the
//! request's origin, in the terms users recognise (trailing slash, scheme,
//! port, case, `www.`), with a character-level marker.

use url::Url;

/// A human description of how `allowed` differs from `origin`, or `None`
/// when there is nothing more specific to say than "different origin".
pub fn origin_difference(origin: &str, allowed: &str) -> Option<String> {
    if allowed == origin {
        return None;
    }
    let mut notes = Vec::new();
    if allowed.trim_end_matches('/') == origin && allowed.ends_with('/') {
        notes.push("it has a trailing slash (origins never end with `/`)".to_string());
    } else if allowed.len() > origin.len() && allowed.starts_with(origin) {
        notes.push(format!(
            "it has a path `{}` (origins have none)",
            &allowed[origin.len()..]
        ));
    }
    if allowed.eq_ignore_ascii_case(origin) {
        notes.push("it differs only in letter case (the comparison is byte for byte)".to_string());
    }
    if let (Ok(a), Ok(o)) = (Url::parse(allowed), Url::parse(origin)) {
        if a.scheme() != o.scheme() {
            notes.push(format!(
                "its scheme is `{}` where the page uses `{}`",
                a.scheme(),
                o.scheme()
            ));
        }
        if a.port_or_known_default() != o.port_or_known_default() {
            let show = |u: &Url| {
                u.port_or_known_default()
                    .map(|p| p.to_string())
                    .unwrap_or_else(|| "none".into())
            };
            notes.push(format!(
                "its port is {} where the page uses {}",
                show(&a),
                show(&o)
            ));
        }
        if let (Some(ah), Some(oh)) = (a.host_str(), o.host_str()) {
            if ah != oh {
                if ah.strip_prefix("www.") == Some(oh) {
                    notes.push("it adds `www.` to the host".to_string());
                } else if oh.strip_prefix("www.") == Some(ah) {
                    notes.push("it lacks the `www.` the page's host has".to_string());
                } else if !allowed.eq_ignore_ascii_case(origin) {
                    notes.push(format!("its host is `{ah}` where the page's is `{oh}`"));
                }
            }
        }
    }
    if notes.is_empty() {
        return None;
    }
    Some(format!(
        "{}\n  expected: {origin}\n  received: {allowed}\n            {}",
        notes.join("; "),
        marker(origin, allowed)
    ))
}

/// `^` under the first differing character.
fn marker(origin: &str, allowed: &str) -> String {
    let at = origin
        .chars()
        .zip(allowed.chars())
        .take_while(|(a, b)| a == b)
        .count();
    format!("{}^", " ".repeat(at))
}

#[cfg(test)]
mod tests {
    use super::origin_difference;

    #[test]
    fn names_the_difference() {
        let o = "https://app.example.com";
        let cases = [
            ("https://app.example.com/", "trailing slash"),
            ("http://app.example.com", "scheme is `http`"),
            ("https://app.example.com:8443", "port is 8443"),
            ("https://APP.example.com", "letter case"),
            ("https://www.app.example.com", "adds `www.`"),
            ("https://admin.example.com", "host is `admin.example.com`"),
        ];
        for (allowed, expected) in cases {
            let text = origin_difference(o, allowed).unwrap();
            assert!(text.contains(expected), "{allowed}: {text}");
        }
        assert_eq!(origin_difference(o, o), None);
    }
}
