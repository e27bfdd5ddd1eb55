//! Allowed origins as the patterns servers match with: exact strings, and
//! for `https://*.parent` an anchored regular expression with every dot
//! escaped and only whole DNS labels before the parent — the regex bugs that
//! let `evilexample.com`, `example.com.evil.io` or `exampleXcom` in cannot
//! come out of here. One flavour serves PCRE (nginx, Apache, HAProxy) and
//! JavaScript alike.

use cors_policy::OriginPattern;

/// One DNS label: letters, digits, inner hyphens.
const LABEL: &str = "[a-z0-9](?:[a-z0-9-]*[a-z0-9])?";

/// `text` with every regex metacharacter escaped.
pub fn escape(text: &str) -> String {
    let mut out = String::with_capacity(text.len() + 8);
    for c in text.chars() {
        if "\\.+*?()|[]{}^$/".contains(c) {
            out.push('\\');
        }
        out.push(c);
    }
    out
}

/// The anchored regular expression of a subdomain pattern (`None` for an
/// exact origin or `*`, which servers compare as strings).
pub fn regex(pattern: &OriginPattern) -> Option<String> {
    match pattern {
        OriginPattern::Subdomains {
            scheme,
            parent,
            port,
        } => {
            let port = port.map(|p| format!(":{p}")).unwrap_or_default();
            Some(format!(
                "^{}://{LABEL}(?:\\.{LABEL})*\\.{}{}$",
                escape(scheme),
                escape(parent),
                escape(&port)
            ))
        }
        OriginPattern::Exact(_) | OriginPattern::Any => None,
    }
}

/// An exact origin as an anchored pattern (for servers that only match
/// origins with regular expressions).
pub fn exact_regex(origin: &str) -> String {
    format!("^{}$", escape(origin))
}

/// Every allowed origin of `rule` as one anchored alternation (exact
/// origins escaped, subdomain patterns as above), for servers that match
/// the Origin with a single regex.
pub fn alternatives(rule: &cors_policy::Rule) -> String {
    rule.allow_origins
        .iter()
        .filter_map(|p| match p {
            OriginPattern::Exact(o) => Some(exact_regex(&o.serialize())),
            OriginPattern::Any => None,
            other => regex(other),
        })
        .map(|re| format!("(?:{re})"))
        .collect::<Vec<_>>()
        .join("|")
}

/// The exact origins and the anchored patterns of a rule, apart.
pub(crate) fn origins(rule: &cors_policy::Rule) -> (Vec<String>, Vec<String>) {
    let mut exact = Vec::new();
    let mut patterns = Vec::new();
    for p in &rule.allow_origins {
        match (p, regex(p)) {
            (_, Some(re)) => patterns.push(re),
            (OriginPattern::Exact(o), None) => exact.push(o.serialize()),
            _ => {}
        }
    }
    (exact, patterns)
}
