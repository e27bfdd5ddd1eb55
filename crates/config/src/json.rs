//! JSON literals for the targets configured by JSON files (S3, Vercel, API
//! Gateway, CloudFront): strings quoted and escaped, lists of strings.

/// A JSON string literal.
pub(crate) fn json(text: &str) -> String {
    let mut out = String::from("\"");
    for c in text.chars() {
        match c {
            '"' => out.push_str("\\\""),
            '\\' => out.push_str("\\\\"),
            c if (c as u32) < 0x20 => out.push_str(&format!("\\u{:04x}", c as u32)),
            c => out.push(c),
        }
    }
    out.push('"');
    out
}

/// A JSON array of strings, on one line.
pub(crate) fn json_list(items: &[String]) -> String {
    let quoted: Vec<String> = items.iter().map(|i| json(i)).collect();
    format!("[{}]", quoted.join(", "))
}
