//! `explain` on what people really paste: every paste of the corpus in
//! `tests/explain-corpus/` (quoted from public bug reports, with their
//! source) is explained one by one and all together, and must give the
//! expected browser, catalogue entry, fields, network lines and non-CORS
//! notes. See `tests/explain-corpus/README.md`.

#![allow(clippy::unwrap_used, clippy::expect_used)] // a test harness

use serde::Deserialize;
use serde_json::Value;
use std::path::Path;

mod support;

#[derive(Deserialize, Debug)]
struct Corpus {
    paste: Vec<Paste>,
}

#[derive(Deserialize, Debug)]
#[serde(deny_unknown_fields)]
struct Paste {
    source: String,
    #[allow(dead_code)] // documentation for readers of the corpus
    note: Option<String>,
    text: String,
    #[serde(default)]
    expect: Vec<Expect>,
    #[serde(default)]
    network: Vec<Network>,
    not_cors: Option<String>,
}

#[derive(Deserialize, Debug)]
#[serde(deny_unknown_fields)]
struct Expect {
    browser: String,
    id: String,
    stage: Option<String>,
    url: Option<String>,
    origin: Option<String>,
    method: Option<String>,
    header: Option<String>,
    value: Option<String>,
    status: Option<u16>,
    redirected_from: Option<String>,
}

#[derive(Deserialize, Debug)]
#[serde(deny_unknown_fields)]
struct Network {
    method: Option<String>,
    url: Option<String>,
    error: Option<String>,
    status: Option<u16>,
}

fn corpus() -> Vec<(String, Paste)> {
    let dir = Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/explain-corpus");
    let mut files: Vec<_> = std::fs::read_dir(&dir)
        .unwrap()
        .map(|e| e.unwrap().path())
        .filter(|p| p.extension().is_some_and(|e| e == "toml"))
        .collect();
    files.sort();
    let mut pastes = Vec::new();
    for file in files {
        let text = std::fs::read_to_string(&file).unwrap();
        let corpus: Corpus =
            toml::from_str(&text).unwrap_or_else(|e| panic!("{}: {e}", file.display()));
        let name = file.file_name().unwrap().to_string_lossy().into_owned();
        pastes.extend(corpus.paste.into_iter().map(|p| (name.clone(), p)));
    }
    pastes
}

fn explain(text: &str) -> Value {
    let out = support::run_with_stdin(&["explain", "--json", "-"], text.as_bytes());
    assert!(
        matches!(out.status.code(), Some(0..=2)),
        "{text}\n{}",
        String::from_utf8_lossy(&out.stderr)
    );
    serde_json::from_slice(&out.stdout).unwrap()
}

/// What one paste should give, compared with what explain said.
fn mismatches(p: &Paste, doc: &Value) -> Vec<String> {
    let mut wrong = Vec::new();
    let messages = doc["messages"].as_array().unwrap();
    if messages.len() != p.expect.len() {
        wrong.push(format!(
            "{} messages, expected {}: {:?}",
            messages.len(),
            p.expect.len(),
            messages
                .iter()
                .map(|m| format!("{}/{}", m["browser"], m["id"]))
                .collect::<Vec<_>>()
        ));
    }
    for (i, (want, got)) in p.expect.iter().zip(messages).enumerate() {
        let mut field = |name: &str, want: Option<Value>| {
            if let Some(want) = want {
                if got[name] != want {
                    wrong.push(format!(
                        "message {i}: {name} {} ≠ expected {want}",
                        got[name]
                    ));
                }
            }
        };
        field("browser", Some(want.browser.clone().into()));
        field("id", Some(want.id.clone().into()));
        field("stage", want.stage.clone().map(Value::from));
        field("url", want.url.clone().map(Value::from));
        field("origin", want.origin.clone().map(Value::from));
        field("method", want.method.clone().map(Value::from));
        field("header", want.header.clone().map(Value::from));
        field("value", want.value.clone().map(Value::from));
        field("status", want.status.map(Value::from));
        field(
            "redirected_from",
            want.redirected_from.clone().map(Value::from),
        );
    }
    let network = doc["network"].as_array().unwrap();
    for want in &p.network {
        let same = |got: &Value| {
            let eq = |name: &str, w: &Option<String>| {
                w.as_ref()
                    .is_none_or(|w| got[name].as_str() == Some(w.as_str()))
            };
            eq("method", &want.method)
                && eq("url", &want.url)
                && eq("error", &want.error)
                && want.status.is_none_or(|s| got["status"] == s)
        };
        if !network.iter().any(same) {
            wrong.push(format!("network line {want:?} not found in {network:?}"));
        }
    }
    if let Some(kind) = &p.not_cors {
        let notes = doc["notes"].as_array().unwrap();
        let noted = notes.iter().any(|n| n["kind"] == kind.as_str())
            || (kind == "csp" && messages.iter().any(|m| m["id"] == "csp-blocked"));
        if !noted {
            wrong.push(format!("not_cors {kind} not noted: {notes:?}"));
        }
    }
    wrong
}

#[test]
fn every_paste_of_the_corpus_is_explained_and_the_whole_corpus_at_once_too() {
    let pastes = corpus();
    assert!(pastes.len() >= 200, "only {} pastes", pastes.len());
    let mut failures = Vec::new();
    let mut one_by_one = Vec::new();
    for (file, p) in &pastes {
        let doc = explain(&p.text);
        for m in doc["messages"].as_array().unwrap() {
            one_by_one.push(strip_line(m));
        }
        let wrong = mismatches(p, &doc);
        if !wrong.is_empty() {
            failures.push(format!(
                "{file} · {}\n{}\n  {}",
                p.source,
                p.text.trim_end(),
                wrong.join("\n  ")
            ));
        }
    }
    // Pastes apart as copies from different consoles are: blank lines
    // between them, more than the three lines within which Safari's reason,
    // companion line and repeat belong together.
    let all: String = pastes
        .iter()
        .map(|(_, p)| format!("{}\n\n\n\n", p.text))
        .collect();
    let together: Vec<Value> = explain(&all)["messages"]
        .as_array()
        .unwrap()
        .iter()
        .map(strip_line)
        .collect();
    assert!(
        failures.is_empty(),
        "{} of {} pastes explained wrongly:\n\n{}",
        failures.len(),
        pastes.len(),
        failures.join("\n\n")
    );
    if let Some(i) =
        (0..together.len().max(one_by_one.len())).find(|&i| together.get(i) != one_by_one.get(i))
    {
        let show = |v: &[Value]| {
            v.iter()
                .skip(i.saturating_sub(1))
                .take(3)
                .map(|m| format!("{}/{} {} {}", m["browser"], m["id"], m["url"], m["origin"]))
                .collect::<Vec<_>>()
                .join("\n    ")
        };
        panic!(
            "the whole corpus in one paste differs at message {i} ({} together, {} one by one): {} ≠ {}\n  together:\n    {}\n  one by one:\n    {}",
            together.len(),
            one_by_one.len(),
            together.get(i).cloned().unwrap_or_default(),
            one_by_one.get(i).cloned().unwrap_or_default(),
            show(&together),
            show(&one_by_one)
        );
    }
}

/// A message without its line number (which depends on the paste).
fn strip_line(m: &Value) -> Value {
    let mut m = m.clone();
    m.as_object_mut().unwrap().remove("line");
    m
}
