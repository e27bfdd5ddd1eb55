//! Fixes and explanations in the user's terms never show a hole: for every
//! catalogue entry, at every stage, with any of the values a pasted message
//! may lack (and with the placeholders users type instead of their origin),
//! the rendered text has no empty slot, no echoed placeholder, no leftover
//! `{name}`, and never advises `Access-Control-Allow-Origin: null`.

#![allow(clippy::unwrap_used, clippy::expect_used)] // tests may panic on broken fixtures

use cors_engine::catalogue::entries;
use cors_engine::message::{render_explanation, render_fix, Stage, Values};
use proptest::prelude::*;

const STAGES: [Stage; 4] = [
    Stage::Client,
    Stage::Preflight,
    Stage::Redirect,
    Stage::Actual,
];

/// What a user may have typed where the origin belongs.
const PLACEHOLDER_ORIGINS: [&str; 7] = [
    "[website]",
    "***",
    "<origin>",
    "http://xxx",
    "https://…",
    "XXXXX",
    "'http://localhost...'",
];

fn full() -> Values {
    Values {
        url: "https://api.example.com/v1/items".into(),
        initial_url: None,
        origin: "https://app.example.com".into(),
        page: "https://app.example.com/index.html".into(),
        kind: "fetch".into(),
        header: Some("x-request-id".into()),
        method: Some("PUT".into()),
        value: Some("https://admin.example.com".into()),
        status: Some(404),
        location: Some("http://api.example.com/v1/items".into()),
        target_space: Some("local".into()),
        resource_space: Some("local".into()),
        scheme: Some("file".into()),
        page_origin: None,
    }
}

/// The values with the fields of `mask` missing (bit i = field i).
fn missing(mask: u32, origin: &str) -> Values {
    let mut v = full();
    v.origin = origin.to_string();
    if mask & 1 != 0 {
        v.url.clear();
    }
    if mask & 2 != 0 {
        v.origin.clear();
    }
    if mask & 4 != 0 {
        v.header = None;
    }
    if mask & 8 != 0 {
        v.method = None;
    }
    if mask & 16 != 0 {
        v.value = None;
    }
    if mask & 32 != 0 {
        v.status = None;
    }
    if mask & 64 != 0 {
        v.location = None;
    }
    if mask & 128 != 0 {
        v.target_space = None;
        v.resource_space = None;
        v.scheme = None;
        v.page.clear();
    }
    v
}

/// Why `text` is not a fix to show, if it is not.
fn hole(text: &str, origin: &str, is_fix: bool) -> Option<&'static str> {
    let holes: [(&str, &'static str); 10] = [
        (" ()", "empty parentheses"),
        ("``", "empty code span"),
        ("` `", "blank code span"),
        ("''", "empty quotes"),
        ("OPTIONS `", "OPTIONS without a path"),
        ("OPTIONS ``", "OPTIONS without a path"),
        ("  ", "double space (an empty word)"),
        (" . ", "space before a period (an empty word)"),
        ("to .", "empty object"),
        ("code to `", "status without a value"),
    ];
    for (needle, why) in holes {
        if text.contains(needle) {
            return Some(why);
        }
    }
    if text.ends_with(" .") {
        return Some("space before the final period (an empty word)");
    }
    if text.contains('{') || text.contains('}') {
        return Some("a placeholder left in");
    }
    if !origin.is_empty() && origin != "null" && text.contains(origin) && origin.len() > 2 {
        return Some("the user's placeholder echoed");
    }
    if is_fix
        && text
            .replace("Never answer `Access-Control-Allow-Origin: null`", "")
            .contains("Access-Control-Allow-Origin: null`")
    {
        return Some("advises allowing null");
    }
    None
}

#[test]
fn no_fix_renders_an_empty_slot_or_echoes_a_placeholder() {
    let mut checked = 0;
    let mut origins: Vec<&str> = vec!["https://app.example.com", "null"];
    origins.extend(PLACEHOLDER_ORIGINS);
    for e in entries() {
        for stage in STAGES {
            for mask in 0..256u32 {
                for origin in &origins {
                    let v = missing(mask, origin);
                    for (what, text) in [
                        ("fix", render_fix(e.id, stage, &v)),
                        ("explanation", render_explanation(e.id, stage, &v)),
                    ] {
                        let placeholder = PLACEHOLDER_ORIGINS.contains(origin) && mask & 2 == 0;
                        let echo = if placeholder { *origin } else { "" };
                        if let Some(why) = hole(&text, echo, what == "fix") {
                            panic!(
                                "{} {what} at {} with fields {mask:08b} missing, origin {origin:?}: {why}\n{text}",
                                e.id.slug(),
                                stage.id()
                            );
                        }
                        checked += 1;
                    }
                }
            }
        }
    }
    assert!(checked > 100_000, "{checked}");
}

proptest! {
    /// Whatever a paste put in the values, rendering is total and leaves no
    /// placeholder in.
    #[test]
    fn any_values_render_without_placeholders(
        entry in 0..entries().len(),
        stage in 0..4usize,
        url in "\\PC{0,40}",
        origin in "\\PC{0,40}",
        value in proptest::option::of("[a-zA-Z0-9:/._*-]{0,20}"),
    ) {
        let e = &entries()[entry];
        let mut v = full();
        v.url = url;
        v.origin = origin;
        v.value = value;
        let fix = render_fix(e.id, STAGES[stage], &v);
        prop_assert!(!fix.contains("{origin}") && !fix.contains("{url}") && !fix.contains("{value}"), "{}", fix);
    }
}
