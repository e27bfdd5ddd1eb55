//! `verify --init`: a starting `cors-policy.toml` written from what a scan
//! saw the server do today — the user's origins, the methods and request
//! headers that pass for them in every browser, credentials — with comments
//! on what fails today and on what the server also lets in, for the user to
//! tighten before committing it.

use cors_probe::scan::ScanReport;
use cors_probe::scan_analysis::ScanAnalysis;
use cors_probe::scan_matrix::OriginRole;
use std::fmt::Write;

/// A TOML basic string (JSON's escapes are a subset of TOML's).
fn quoted(text: &str) -> String {
    serde_json::to_string(text).unwrap_or_else(|_| "\"\"".to_string())
}

fn array(items: &[String]) -> String {
    let quoted: Vec<String> = items.iter().map(|i| quoted(i)).collect();
    format!("[{}]", quoted.join(", "))
}

/// The policy text.
pub fn starting_policy(report: &ScanReport, analysis: &ScanAnalysis) -> String {
    let url = &report.url;
    let base = url.origin().ascii_serialization();
    let mut path = url.path().to_string();
    if let Some(q) = url.query() {
        path.push('?');
        path.push_str(q);
    }
    let users: Vec<usize> = report
        .origins
        .iter()
        .enumerate()
        .filter(|(_, o)| o.role == OriginRole::User)
        .map(|(i, _)| i)
        .collect();
    let passes = |origin: usize, kind: usize, credentials: bool| {
        report
            .cell(origin, kind, credentials)
            .is_some_and(|c| c.all_allowed())
    };
    let mut methods: Vec<String> = Vec::new();
    let mut headers: Vec<String> = Vec::new();
    let mut credentials = false;
    let mut get_passes = false;
    let mut blocked: Vec<String> = Vec::new();
    for &o in &users {
        let mut any = false;
        for (k, kind) in report.kinds.iter().enumerate() {
            if !passes(o, k, false) {
                continue;
            }
            any = true;
            get_passes |= kind.method == "GET";
            if !matches!(kind.method.as_str(), "GET" | "HEAD") && !methods.contains(&kind.method) {
                methods.push(kind.method.clone());
            }
            for (name, _) in &kind.headers {
                if !headers.iter().any(|h| h.eq_ignore_ascii_case(name)) {
                    headers.push(name.clone());
                }
            }
            credentials |= passes(o, k, true);
        }
        if !any {
            blocked.push(report.origins[o].origin.serialize());
        }
    }
    if get_passes || methods.is_empty() {
        methods.insert(0, "GET".to_string());
    }
    let origins: Vec<String> = users
        .iter()
        .map(|&o| report.origins[o].origin.serialize())
        .collect();
    let mut out = String::new();
    let _ = writeln!(
        out,
        "# A starting CORS policy for cors-doctor verify, written from what\n# {url} does today (`cors-doctor verify --init`): {} requests sent.\n# Tighten it to what your pages need, then run `cors-doctor verify` on every deploy.\nversion = 1\n",
        report.requests_sent
    );
    let _ = writeln!(
        out,
        "[[api]]\nname = \"api\"\n# Override per environment: --base-url https://staging.example.com\nbase_url = {}\n",
        quoted(&base)
    );
    let _ = writeln!(out, "[[api.rule]]\npath = {}", quoted(&path));
    for origin in &blocked {
        let _ = writeln!(
            out,
            "# {origin} is blocked today even for a plain GET: verify will fail until the server allows it."
        );
    }
    let _ = writeln!(out, "allow_origins = {}", array(&origins));
    let _ = writeln!(
        out,
        "# The methods and request headers that pass today for these origins in every browser."
    );
    let _ = writeln!(out, "methods = {}", array(&methods));
    let _ = writeln!(out, "request_headers = {}", array(&headers));
    let _ = writeln!(out, "credentials = {credentials}");
    let _ = writeln!(
        out,
        "# Response headers your pages read beyond the safelisted ones:\n# expose_headers = [\"X-Request-Id\"]\n# How long browsers may cache the preflight (each caps it: Chromium 7200, Firefox 86400, Safari 600):\n# max_age = 600\n# Origins that must never be allowed (near misses and attack shapes are tried anyway):\n# refuse_origins = [\"https://evil.example\"]"
    );
    if !analysis.security.is_empty() {
        let _ = writeln!(
            out,
            "\n# Today the server also lets in origins this policy refuses, so verify will fail until it is fixed:"
        );
        for f in &analysis.security {
            let _ = writeln!(out, "#   {} ({}): {}", f.id, f.origin, f.title);
        }
    }
    out
}
