//! Rust literals and the origin check shared by the Rust targets (axum's
//! tower-http `CorsLayer`, actix-web's `actix-cors`): exact origins compared
//! as strings, subdomain patterns as one anchored `regex` per rule, built
//! once.

use std::fmt::Write;

/// A Rust string literal (`{:?}` of a `str` is valid Rust source).
pub(crate) fn rust(text: &str) -> String {
    format!("{text:?}")
}

/// A raw string literal for a regular expression (patterns never hold `"#`).
pub(crate) fn raw(text: &str) -> String {
    format!("r#\"{text}\"#")
}

/// The static holding the rule's subdomain patterns, or nothing.
pub(crate) fn pattern_static(name: &str, patterns: &[String]) -> String {
    if patterns.is_empty() {
        return String::new();
    }
    let alternation = patterns
        .iter()
        .map(|p| format!("(?:{p})"))
        .collect::<Vec<_>>()
        .join("|");
    let mut out = String::new();
    let _ = writeln!(
        out,
        "// Anchored: only whole DNS labels before the parent, every dot escaped.\nstatic {}: LazyLock<Regex> =\n    LazyLock::new(|| Regex::new({}).expect(\"the pattern cors-doctor wrote\"));\n",
        pattern_name(name),
        raw(&alternation)
    );
    out
}

pub(crate) fn pattern_name(name: &str) -> String {
    format!("{}_ORIGINS", name.to_ascii_uppercase())
}

/// The boolean expression that decides `origin` (a `&str`) for a rule with
/// patterns: equal to an exact origin, or matched by the anchored pattern.
pub(crate) fn origin_test(name: &str, exact: &[String]) -> String {
    let mut parts: Vec<String> = exact
        .iter()
        .map(|o| format!("origin == {}", rust(o)))
        .collect();
    parts.push(format!("{}.is_match(origin)", pattern_name(name)));
    parts.join("\n                || ")
}
