//! The catalogue, rendered: every entry in every browser that prints it, at
//! every stage where it arises, with fixed values — snapshotted so a change
//! to any console message is a reviewed diff — plus structural invariants.

#![allow(clippy::unwrap_used, clippy::expect_used)] // tests may panic on broken fixtures

use cors_engine::catalogue::{entries, FindingId};
use cors_engine::message::{framed_template, has_preflight_variant, render, Stage, Values};
use cors_engine::Browser;
use std::fmt::Write;

fn sample_values(kind: &str) -> Values {
    Values {
        url: "https://api.example.com/v1/items".into(),
        initial_url: None,
        origin: "https://app.example.com".into(),
        page: "https://app.example.com/index.html".into(),
        kind: kind.to_string().into(),
        header: Some("x-request-id".into()),
        method: Some("PUT".into()),
        value: Some("https://admin.example.com".into()),
        status: Some(404),
        location: Some("https://login.example.com/".into()),
        target_space: Some("loopback".into()),
        resource_space: Some("loopback".into()),
        scheme: Some("file".into()),
        page_origin: None,
    }
}

fn stages(id: FindingId) -> Vec<Stage> {
    if has_preflight_variant(id) {
        vec![Stage::Actual, Stage::Preflight, Stage::Redirect]
    } else {
        vec![Stage::Actual]
    }
}

#[test]
fn every_message_of_every_entry() {
    let mut out = String::new();
    for entry in entries() {
        for browser in Browser::ALL {
            if entry.template(browser).is_none() {
                continue;
            }
            for stage in stages(entry.id) {
                for kind in ["fetch", "XMLHttpRequest", "script"] {
                    let text = render(entry.id, browser, stage, &sample_values(kind)).unwrap();
                    let _ = writeln!(
                        out,
                        "[{} / {} / {} / {kind}]\n{text}\n",
                        entry.id.slug(),
                        browser,
                        stage.id()
                    );
                }
            }
        }
    }
    insta::assert_snapshot!(out);
}

#[test]
fn every_id_has_one_entry_and_round_trips_its_slug() {
    assert_eq!(entries().len(), FindingId::ALL.len());
    for (entry, id) in entries().iter().zip(FindingId::ALL) {
        assert_eq!(entry.id, *id, "catalogue order");
        assert_eq!(FindingId::from_slug(id.slug()), Some(*id));
        assert!(
            !entry.title.is_empty() && !entry.fix.is_empty() && !entry.explanation.is_empty(),
            "{}",
            id.slug()
        );
    }
}

#[test]
fn rendered_messages_leave_no_placeholder_behind() {
    for entry in entries() {
        for browser in Browser::ALL {
            for stage in stages(entry.id) {
                let Some(text) = render(entry.id, browser, stage, &sample_values("fetch")) else {
                    continue;
                };
                let template = framed_template(entry.id, browser, stage).unwrap();
                for name in [
                    "{url}",
                    "{origin}",
                    "{kind}",
                    "{header}",
                    "{method}",
                    "{value}",
                    "{status}",
                    "{suffix}",
                    "{redirected}",
                    "{location}",
                ] {
                    assert!(
                        !text.contains(name),
                        "{} {browser}: {template}",
                        entry.id.slug()
                    );
                }
            }
        }
    }
}

#[test]
fn every_browser_has_current_messages() {
    for browser in Browser::ALL {
        let count = entries()
            .iter()
            .filter(|e| !e.legacy_only && e.template(browser).is_some())
            .count();
        assert!(count >= 10, "{browser}: {count}");
    }
}
