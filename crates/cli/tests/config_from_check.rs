//! `config --from-check` on every failing lab endpoint, applied to real
//! servers. A real nginx and a real express application reproduce the
//! endpoint's mistake — they pass the lab's answers through, as a server in
//! front of the faulty application would — and `check` fails on them as on
//! the lab. The configuration `config --from-check` writes for that request
//! is applied (nginx: the snippet around `proxy_pass`; express: the snippet
//! mounted first and the application's own CORS headers removed, which is
//! what replacing hand-written CORS code means), and the same `check` must
//! pass in every browser. Both servers speak HTTPS: the lab's pages are
//! https, and WebKit blocks their requests to http loopback URLs.

#![allow(clippy::unwrap_used, clippy::expect_used)] // tests may panic on broken fixtures

mod support;

use std::path::Path;
use std::process::Command;

use support::servers::{node_dir, start_nginx, start_program, Server};

/// Lab endpoints whose mistake no server CORS configuration can undo, and why.
const NOT_FIXED_BY_CONFIGURATION: &[(&str, &str)] = &[
    (
        "/redirect-cross-origin",
        "the application redirects the request to another origin: the fix is to call the final URL",
    ),
    (
        "/preflight-redirect-https",
        "the application redirects every request to https: answering the preflight does not stop the actual request's redirect; the fix is to call the https URL",
    ),
    (
        "/lowercase-patch",
        "nginx and Node answer the lower-case method `patch` with 400: the fix is in the page (config --from-check says so and writes nothing)",
    ),
];

/// TLS material for the servers, in files, and the certificate for --cacert.
struct Tls {
    dir: tempfile::TempDir,
}

impl Tls {
    fn new() -> Tls {
        let material = cors_lab::self_signed(&["127.0.0.1", "localhost"]).unwrap();
        let dir = tempfile::tempdir().unwrap();
        std::fs::write(dir.path().join("cert.pem"), &material.cert_pem).unwrap();
        std::fs::write(dir.path().join("key.pem"), &material.key_pem).unwrap();
        Tls { dir }
    }
    fn cert(&self) -> String {
        self.dir.path().join("cert.pem").display().to_string()
    }
    fn key(&self) -> String {
        self.dir.path().join("key.pem").display().to_string()
    }
}

/// `check`'s arguments for the demo request of `endpoint`, sent to `base`.
fn check_args(endpoint: &cors_lab::LabEndpoint, base: &str, tls: &Tls) -> Vec<String> {
    let mut args = vec![
        format!("{base}{}", endpoint.path),
        "--origin".to_string(),
        endpoint.origin.to_string(),
        "-X".to_string(),
        endpoint.method.to_string(),
        "--credentials".to_string(),
        endpoint.credentials.to_string(),
        "--cacert".to_string(),
        tls.cert(),
    ];
    for (name, value) in endpoint.headers {
        args.push("-H".to_string());
        args.push(format!("{name}: {value}"));
    }
    args
}

fn cors_doctor(args: &[String]) -> (i32, String) {
    let output = Command::new(env!("CARGO_BIN_EXE_cors-doctor"))
        .args(args)
        .env("NO_COLOR", "1")
        .output()
        .unwrap();
    (
        output.status.code().unwrap_or(-1),
        format!(
            "{}{}",
            String::from_utf8_lossy(&output.stdout),
            String::from_utf8_lossy(&output.stderr)
        ),
    )
}

/// nginx over HTTPS in front of `upstream`: a plain `proxy_pass`, or the
/// snippet with `proxy_pass` where its comment says the application goes.
fn nginx(upstream: &str, snippet: Option<&str>, tls: &Tls) -> Server {
    let proxy = format!("proxy_pass {upstream};");
    let (http, locations) = match snippet {
        None => (String::new(), format!("location / {{ {proxy} }}")),
        Some(s) => {
            let (http, server) = s.split_once("# In the server {} block:").unwrap();
            (
                http.to_string(),
                server.replace(
                    "# … your application: proxy_pass, root or try_files …",
                    &proxy,
                ),
            )
        }
    };
    let (cert, key) = (tls.cert(), tls.key());
    start_nginx(move |_, port| {
        format!("{http}\n  server {{\n    listen 127.0.0.1:{port} ssl;\n    ssl_certificate {cert};\n    ssl_certificate_key {key};\n{locations}\n  }}")
    })
}

/// The express application of `tests/servers/node/fix_server.js` over HTTPS
/// in front of `upstream`, with the snippet applied when given.
fn express(upstream: &str, snippet: Option<&str>, tls: &Tls, dir: &Path) -> Server {
    let mut command = Command::new("node");
    command.arg(node_dir().join("fix_server.js"));
    let file = dir.join("cors.js");
    let mut env = vec![
        ("UPSTREAM", upstream.to_string()),
        ("TLS_CERT", tls.cert()),
        ("TLS_KEY", tls.key()),
    ];
    if let Some(s) = snippet {
        std::fs::write(&file, s).unwrap();
        env.push(("SNIPPET", file.display().to_string()));
    }
    let env: Vec<(&str, &str)> = env.iter().map(|(k, v)| (*k, v.as_str())).collect();
    start_program(command, &env, "node fix_server.js")
}

fn fixes(target: &str) {
    let lab = support::start_lab(None);
    let upstream = format!("http://{}", lab.addr);
    let tls = Tls::new();
    let start = |snippet: Option<&str>, dir: &Path| match target {
        "nginx" => nginx(&upstream, snippet, &tls),
        _ => express(&upstream, snippet, &tls, dir),
    };
    let mut failures = Vec::new();
    let mut fixed = 0;
    for endpoint in cors_lab::endpoints().iter().filter(|e| !e.healthy) {
        let dir = tempfile::tempdir().unwrap();
        let excluded = NOT_FIXED_BY_CONFIGURATION
            .iter()
            .find(|(path, _)| *path == endpoint.path);
        let broken = start(None, dir.path());
        let base = format!("https://{}", broken.addr);
        let (code, report) =
            cors_doctor(&[vec!["check".to_string()], check_args(endpoint, &base, &tls)].concat());
        if code != 1 {
            failures.push(format!(
                "{target} {}: the mistake is not reproduced (check exit {code})\n{report}",
                endpoint.path
            ));
            continue;
        }
        let mut args = vec![
            "config".to_string(),
            "--target".to_string(),
            target.to_string(),
            "--from-check".to_string(),
        ];
        args.extend(check_args(endpoint, &base, &tls));
        let (code, snippet, said) = {
            let output = Command::new(env!("CARGO_BIN_EXE_cors-doctor"))
                .args(&args)
                .output()
                .unwrap();
            (
                output.status.code().unwrap_or(-1),
                String::from_utf8_lossy(&output.stdout).into_owned(),
                String::from_utf8_lossy(&output.stderr).into_owned(),
            )
        };
        drop(broken);
        if let Some((_, why)) = excluded {
            // config itself must say it cannot fix this one.
            if code == 0 && !said.contains("does not fix what blocks it") {
                failures.push(format!(
                    "{target} {}: not fixable ({why}), but config --from-check did not say so:\n{said}",
                    endpoint.path
                ));
            }
            if code != 0 {
                continue;
            }
        }
        assert_eq!(
            code, 0,
            "{target} {}: config --from-check failed",
            endpoint.path
        );
        let repaired = start(Some(&snippet), dir.path());
        let base = format!("https://{}", repaired.addr);
        let (code, report) =
            cors_doctor(&[vec!["check".to_string()], check_args(endpoint, &base, &tls)].concat());
        match (code, excluded) {
            (0, None) => fixed += 1,
            (0, Some((_, why))) => failures.push(format!(
                "{target} {}: listed as not fixable ({why}) but the configuration fixed it: take it off the list",
                endpoint.path
            )),
            (_, Some(_)) => {}
            (_, None) => failures.push(format!(
                "{target} {}: the configuration does not fix it (check exit {code})\n--- configuration\n{snippet}\n--- check\n{report}",
                endpoint.path
            )),
        }
    }
    assert!(failures.is_empty(), "{}", failures.join("\n\n"));
    assert!(fixed > 10, "only {fixed} endpoints fixed");
}

#[test]
fn config_from_check_fixes_every_lab_mistake_on_nginx() {
    fixes("nginx");
}

#[test]
fn config_from_check_fixes_every_lab_mistake_on_express() {
    fixes("express");
}

#[test]
fn check_fix_for_puts_the_configuration_in_the_report() {
    let lab = support::start_lab(None);
    let url = format!("http://{}/preflight-401", lab.addr);
    let args = |extra: &[&str]| -> Vec<String> {
        [
            "check",
            url.as_str(),
            "--origin",
            "https://app.example.com",
            "-X",
            "PUT",
            "-H",
            "Content-Type: application/json",
            "--browser",
            "chromium,firefox",
        ]
        .iter()
        .chain(extra)
        .map(|s| s.to_string())
        .collect()
    };
    let (code, text) = cors_doctor(&args(&["--fix-for", "nginx"]));
    assert_eq!(code, 1, "{text}");
    assert!(text.contains("Fix for nginx"), "{text}");
    assert!(text.contains("    location = /preflight-401 {"), "{text}");
    assert!(
        text.contains("add_header Access-Control-Allow-Methods \"PUT\" always;"),
        "{text}"
    );

    let (code, json) = cors_doctor(&args(&["--fix-for", "flask", "--json"]));
    assert_eq!(code, 1, "{json}");
    let doc: serde_json::Value = serde_json::from_str(&json).unwrap();
    let fix = &doc["fix_config"];
    assert_eq!(fix["target"], "flask");
    assert_eq!(fix["needed"], true);
    assert_eq!(fix["verified_here"], true);
    assert!(fix["refused"].is_null());
    assert!(
        fix["configuration"]
            .as_str()
            .unwrap()
            .contains("https://app.example.com"),
        "{fix}"
    );

    // A null origin cannot be allowed safely: the report says why, writes nothing.
    let (_, json) = cors_doctor(&[
        "check".into(),
        url.clone(),
        "--origin".into(),
        "null".into(),
        "--fix-for".into(),
        "nginx".into(),
        "--json".into(),
    ]);
    let doc: serde_json::Value = serde_json::from_str(&json).unwrap();
    assert!(doc["fix_config"]["configuration"].is_null());
    assert!(doc["fix_config"]["refused"]
        .as_str()
        .unwrap()
        .contains("null"));

    // An unknown target is a usage error, before anything is sent.
    let (code, text) = cors_doctor(&args(&["--fix-for", "iis"]));
    assert_eq!(code, 2, "{text}");
    assert!(text.contains("unknown target `iis`"), "{text}");
}
