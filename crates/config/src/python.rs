//! Python literals for the Python targets (Flask, FastAPI, Django).

use cors_policy::{OriginPattern, Rule};

use crate::path_prefix;

/// A Python string literal (double-quoted; JSON's escapes are valid Python).
pub(crate) fn py(text: &str) -> String {
    let mut out = String::from("\"");
    for c in text.chars() {
        match c {
            '\\' => out.push_str("\\\\"),
            '"' => out.push_str("\\\""),
            '\n' => out.push_str("\\n"),
            c => out.push(c),
        }
    }
    out.push('"');
    out
}

pub(crate) fn list(items: &[String]) -> String {
    let quoted: Vec<String> = items.iter().map(|i| py(i)).collect();
    format!("[{}]", quoted.join(", "))
}

pub(crate) fn any(rule: &Rule) -> bool {
    rule.allow_origins.contains(&OriginPattern::Any)
}

pub(crate) fn bool_py(b: bool) -> &'static str {
    if b {
        "True"
    } else {
        "False"
    }
}

/// A path pattern as an anchored regex (`/api/*` → `^/api/.*$`).
pub(crate) fn path_regex(pattern: &str) -> String {
    let (prefix, wild) = path_prefix(pattern);
    let escaped: String = prefix
        .chars()
        .map(|c| {
            if c.is_ascii_alphanumeric() || c == '/' || c == '-' || c == '_' {
                c.to_string()
            } else {
                format!("\\{c}")
            }
        })
        .collect();
    if wild {
        format!("^{escaped}.*$")
    } else {
        format!("^{escaped}$")
    }
}
