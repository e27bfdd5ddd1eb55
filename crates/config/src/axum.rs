//! axum: tower-http's `CorsLayer`, one function per rule, applied last to
//! the router that serves the rule's path — its fallback included — so the
//! layer answers the preflight before any authentication layer inside it and
//! adds the headers to every answer, 404 and 500 included. Exact origins are
//! compared as strings; subdomain patterns go through one anchored regex.

use std::fmt::Write;

use cors_policy::{OriginPattern, Rule};

use crate::origin_regex::origins;
use crate::rust::{origin_test, pattern_static, rust};
use crate::{ident, path_prefix};

/// `Method::GET` for the standard methods, parsed for the others.
fn method(name: &str) -> String {
    const STANDARD: [&str; 9] = [
        "GET", "HEAD", "POST", "PUT", "DELETE", "CONNECT", "OPTIONS", "TRACE", "PATCH",
    ];
    if STANDARD.contains(&name) {
        format!("Method::{name}")
    } else {
        format!(
            "Method::from_bytes({}.as_bytes()).expect(\"a method token\")",
            rust(name)
        )
    }
}

/// `HeaderName::from_static` takes lower-case names only.
fn header_names(names: &[String]) -> String {
    let items: Vec<String> = names
        .iter()
        .map(|n| format!("HeaderName::from_static({})", rust(&n.to_ascii_lowercase())))
        .collect();
    format!("[{}]", items.join(", "))
}

pub(crate) fn generate(file: &str, rules: &[(&str, &Rule)]) -> String {
    let mut out = String::new();
    for (index, (api, rule)) in rules.iter().enumerate() {
        let name = ident(&rule.name, index);
        let (prefix, wild) = path_prefix(&rule.path);
        let any = rule.allow_origins.contains(&OriginPattern::Any);
        let (exact, patterns) = origins(rule);
        let _ = writeln!(out, "\n// {api} · {}: {}", rule.name, rule.path);
        out.push_str(&pattern_static(&name, &patterns));
        let mount = if wild {
            format!(
                "Router::new().nest({}, routes.fallback(not_found).layer({name}_cors()))",
                rust(prefix.trim_end_matches('/'))
            )
        } else {
            format!(
                "Router::new().route({}, get(handler).layer({name}_cors()))",
                rust(prefix)
            )
        };
        let _ = writeln!(
            out,
            "/// Apply it last, so that it wraps the routes and their fallback:\n/// `{mount}`.\n/// It answers the preflight itself (before any authentication layer inside\n/// it) and adds the headers to every answer, errors included.\npub fn {name}_cors() -> CorsLayer {{\n    CorsLayer::new()"
        );
        let origin = if any {
            "AllowOrigin::any()".to_string()
        } else if patterns.is_empty() {
            let values: Vec<String> = exact
                .iter()
                .map(|o| format!("HeaderValue::from_static({})", rust(o)))
                .collect();
            format!("AllowOrigin::list([{}])", values.join(", "))
        } else {
            format!(
                "AllowOrigin::predicate(|origin: &HeaderValue, _| {{\n            origin.to_str().is_ok_and(|origin| {{\n                {}\n            }})\n        }})",
                origin_test(&name, &exact).replace("\n                ", "\n                    ")
            )
        };
        let _ = writeln!(out, "        .allow_origin({origin})");
        let methods: Vec<String> = rule.methods.iter().map(|m| method(m)).collect();
        let _ = writeln!(out, "        .allow_methods([{}])", methods.join(", "));
        if !rule.request_headers.is_empty() {
            let _ = writeln!(
                out,
                "        .allow_headers({})",
                header_names(&rule.request_headers)
            );
        }
        if !rule.expose_headers.is_empty() {
            let _ = writeln!(
                out,
                "        .expose_headers({})",
                header_names(&rule.expose_headers)
            );
        }
        if rule.credentials && !any {
            out.push_str("        .allow_credentials(true)\n");
        }
        if let Some(max_age) = rule.max_age {
            let _ = writeln!(out, "        .max_age(Duration::from_secs({max_age}))");
        }
        out.push_str(
            "        // Vary: origin, access-control-request-method, access-control-request-headers\n        // is tower-http's default, on every answer: caches keep one copy per origin.\n}\n",
        );
    }
    format!("{}{out}", header(file, &out))
}

/// The first lines: where it came from, the crates, and only the imports the
/// rules use (the file compiles without warnings).
fn header(file: &str, body: &str) -> String {
    let uses = |needle: &str| body.contains(needle);
    let mut std_uses = Vec::new();
    if uses("LazyLock") {
        std_uses.push("use std::sync::LazyLock;");
    }
    if uses("Duration::") {
        std_uses.push("use std::time::Duration;");
    }
    let http: Vec<&str> = ["HeaderName", "HeaderValue", "Method"]
        .into_iter()
        .filter(|t| uses(&format!("{t}::")) || uses(&format!("&{t}")))
        .collect();
    let regex = if uses("Regex::") {
        ", regex = \"1\""
    } else {
        ""
    };
    let mut out = format!(
        "// Generated by `cors-doctor config --target axum` from {file}.\n// Cargo.toml: axum = \"0.8\", tower-http = {{ version = \"0.6\", features = [\"cors\"] }}{regex}\n"
    );
    for u in &std_uses {
        let _ = writeln!(out, "{u}");
    }
    if !std_uses.is_empty() {
        out.push('\n');
    }
    if !http.is_empty() {
        let _ = writeln!(out, "use axum::http::{{{}}};", http.join(", "));
    }
    if !regex.is_empty() {
        out.push_str("use regex::Regex;\n");
    }
    out.push_str("use tower_http::cors::{AllowOrigin, CorsLayer};\n");
    out
}
