//! Round trip: every message the engine can render — every catalogue entry,
//! every browser, every stage and initiator, plus the variant and legacy wordings — is
//! recognised back as the same entry with the same placeholder values.

#![allow(clippy::unwrap_used, clippy::expect_used)] // tests may panic on broken fixtures

use cors_engine::catalogue::entries;
use cors_engine::message::{
    framed_template, has_preflight_variant, render, substitute, Stage, Values,
};
use cors_engine::recognize::Recognizer;
use cors_engine::{Browser, FindingId};

fn sample(kind: &str) -> Values {
    Values {
        url: "https://api.example.com/v1/items?page=2".into(),
        initial_url: None,
        origin: "https://app.example.com".into(),
        page: "https://app.example.com/index.html".into(),
        kind: kind.to_string().into(),
        header: Some("x-request-id".into()),
        method: Some("PUT".into()),
        value: Some("https://admin.example.com".into()),
        status: Some(403),
        location: Some("https://login.example.com/sso".into()),
        target_space: Some("local".into()),
        resource_space: Some("loopback".into()),
        scheme: Some("file".into()),
        page_origin: None,
    }
}

fn check_values(template: &str, got: &Values, want: &Values, what: &str) {
    let uses = |p: &str| template.contains(p);
    if uses("{url}") {
        assert_eq!(got.url, want.url, "url: {what}");
    }
    if uses("{origin}") {
        assert_eq!(got.origin, want.origin, "origin: {what}");
    }
    if uses("{header}") {
        assert_eq!(got.header, want.header, "header: {what}");
    }
    if uses("{method}") {
        assert_eq!(got.method, want.method, "method: {what}");
    }
    if uses("{value}") {
        assert_eq!(got.value, want.value, "value: {what}");
    }
    if uses("{status}") {
        assert_eq!(got.status, want.status, "status: {what}");
    }
    if uses("{location}") {
        assert_eq!(got.location, want.location, "location: {what}");
    }
    if uses("{kind}") {
        assert_eq!(got.kind, want.kind, "kind: {what}");
    }
    if uses("{redirected}") {
        assert_eq!(got.initial_url, want.initial_url, "initial url: {what}");
    }
    if uses("{target_space}") {
        assert_eq!(got.target_space, want.target_space, "target space: {what}");
    }
    if uses("{resource_space}") {
        assert_eq!(
            got.resource_space, want.resource_space,
            "resource space: {what}"
        );
    }
}

#[test]
fn every_rendered_message_is_recognised_as_its_entry() {
    let recognizer = Recognizer::new();
    let mut checked = 0;
    for entry in entries() {
        for browser in Browser::ALL {
            let stages = if has_preflight_variant(entry.id) {
                vec![Stage::Actual, Stage::Preflight, Stage::Redirect]
            } else {
                vec![Stage::Actual]
            };
            for stage in stages {
                let Some(template) = framed_template(entry.id, browser, stage) else {
                    continue;
                };
                for kind in ["fetch", "XMLHttpRequest", "script"] {
                    for redirected in [false, true] {
                        let mut values = sample(kind);
                        if entry.id == FindingId::BodyIncomplete {
                            // Its wording is network-failure's; the net error tells them apart.
                            values.value = Some("ERR_INCOMPLETE_CHUNKED_ENCODING".into());
                        }
                        if redirected {
                            values.initial_url = Some("https://api.example.com/old".into());
                        }
                        let text = render(entry.id, browser, stage, &values).unwrap();
                        if text == "Failed to load resource: net::ERR_FAILED" {
                            // Names no reason (it accompanies every Chromium CORS error):
                            // explain deliberately asks for the line that does.
                            continue;
                        }
                        let line = format!("12:00:01.123 [Error] {text}  app.js:42:7");
                        let found = recognizer.recognize_line(&line);
                        let what = format!(
                            "{} / {browser} / {} / {kind}: {text}",
                            entry.id.slug(),
                            stage.id()
                        );
                        assert_eq!(found.len(), 1, "{what}\n{found:#?}");
                        let r = &found[0];
                        assert!(r.candidates.contains(&entry.id), "{what}\n{r:#?}");
                        assert_eq!(r.browser, browser, "{what}");
                        if has_preflight_variant(entry.id)
                            && ((browser == Browser::Chromium && stage != Stage::Redirect)
                                || (browser == Browser::WebKit && stage == Stage::Redirect))
                        {
                            assert_eq!(r.stage, stage, "{what}");
                        }
                        check_values(&template, &r.values, &values, &what);
                        checked += 1;
                    }
                }
            }
        }
        let variants = entry.variants.iter().map(|v| (v, false));
        for ((browser, wording), legacy) in variants.chain(entry.legacy.iter().map(|l| (l, true))) {
            let values = sample("fetch");
            let text = substitute(wording, |name| match name {
                "url" => values.url.clone(),
                "origin" => values.origin.clone(),
                "header" => values.header.clone().unwrap_or_default(),
                "target_space" => values.target_space.clone().unwrap_or_default(),
                "kind" => values.kind.to_string(),
                "method" => values.method.clone().unwrap_or_default(),
                "page" => values.page.clone(),
                "status" => "403".to_string(),
                "value" => values.value.clone().unwrap_or_default(),
                "location" => values.location.clone().unwrap_or_default(),
                "schemes" => cors_engine::message::CHROMIUM_CORS_SCHEMES.to_string(),
                "redirected" | "suffix" => String::new(),
                other => format!("{{{other}}}"),
            });
            // Older Chromium's shortest reasons are only read after an opening.
            let text = if *browser == Browser::Chromium && legacy && text.len() < 30 {
                format!("Failed to load {}: {text}", values.url)
            } else {
                text
            };
            let found = recognizer.recognize_line(&text);
            assert!(
                found.iter().any(|r| r.candidates.contains(&entry.id)
                    && r.browser == *browser
                    // A legacy wording may equal another entry's current one.
                    && (legacy || !r.legacy)),
                "{} {} {browser}: {text}\n{found:#?}",
                if legacy { "legacy" } else { "variant" },
                entry.id.slug()
            );
            checked += 1;
        }
    }
    assert!(checked > 500, "{checked}");
}

#[test]
fn noise_is_not_recognised() {
    let recognizer = Recognizer::new();
    for line in [
        "",
        "GET https://api.example.com/ 200 (OK)",
        "Uncaught (in promise) TypeError: Cannot read properties of undefined",
        "[HMR] connected",
    ] {
        assert!(recognizer.recognize_line(line).is_empty(), "{line}");
    }
}
