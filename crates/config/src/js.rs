//! JavaScript literals for the node targets (express, fastify).

use cors_policy::{OriginPattern, Rule};

use crate::origin_regex::regex;

/// A JavaScript string literal.
pub(crate) fn js(text: &str) -> String {
    let mut out = String::from("'");
    for c in text.chars() {
        match c {
            '\\' => out.push_str("\\\\"),
            '\'' => out.push_str("\\'"),
            '\n' => out.push_str("\\n"),
            c => out.push(c),
        }
    }
    out.push('\'');
    out
}

pub(crate) fn list(items: &[String]) -> String {
    let quoted: Vec<String> = items.iter().map(|i| js(i)).collect();
    format!("[{}]", quoted.join(", "))
}

/// The `origin` option: `'*'`, or exact strings and anchored RegExps.
pub(crate) fn origin_option(rule: &Rule) -> String {
    if rule.allow_origins.contains(&OriginPattern::Any) {
        return js("*");
    }
    let items: Vec<String> = rule
        .allow_origins
        .iter()
        .filter_map(|p| match (p, regex(p)) {
            (_, Some(re)) => Some(format!("new RegExp({})", js(&re))),
            (OriginPattern::Exact(o), None) => Some(js(&o.serialize())),
            _ => None,
        })
        .collect();
    format!("[{}]", items.join(", "))
}

/// The options both `cors` and `@fastify/cors` take, one per line.
pub(crate) fn options(rule: &Rule, indent: &str) -> String {
    let any = rule.allow_origins.contains(&OriginPattern::Any);
    let mut lines = vec![format!("origin: {}", origin_option(rule))];
    if rule.credentials && !any {
        lines.push("credentials: true".to_string());
    }
    lines.push(format!("methods: {}", list(&rule.methods)));
    if !rule.request_headers.is_empty() {
        lines.push(format!("allowedHeaders: {}", list(&rule.request_headers)));
    }
    if !rule.expose_headers.is_empty() {
        lines.push(format!("exposedHeaders: {}", list(&rule.expose_headers)));
    }
    if let Some(max_age) = rule.max_age {
        lines.push(format!("maxAge: {max_age}"));
    }
    lines.iter().map(|l| format!("{indent}{l},\n")).collect()
}
