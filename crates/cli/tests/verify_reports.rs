//! `verify --sarif` and `--junit` validated against their published
//! schemas (`tests/schemas/`: OASIS SARIF 2.1.0 with the `jsonschema`
//! crate, offline; Jenkins' `junit-10.xsd` with `xmllint` from Debian's
//! libxml2-utils, which `.ci/run` installs): a violated policy, a policy
//! that holds, and an unreachable deployment.

#![allow(clippy::unwrap_used, clippy::expect_used)] // tests may panic on broken fixtures

mod support;

use std::path::{Path, PathBuf};
use std::process::Command;
use support::reports::{assert_valid_junit, assert_valid_sarif};

const POLICY: &str = r#"
[[api]]
name = "lab"
base_url = "{BASE}"

[[api.rule]]
name = "orders"
path = "/ok/preflight"
allow_origins = ["https://app.example.com"]
methods = ["PUT"]
request_headers = ["Content-Type", "Authorization"]
credentials = true
max_age = 60

[[api.rule]]
name = "reflects <everything> & more"
path = "/reflect-no-vary"
allow_origins = ["https://app.example.com"]
credentials = true

[[api.rule]]
path = "/no-expose"
allow_origins = ["https://app.example.com"]
expose_headers = ["X-Total-Count"]

[[api.rule]]
path = "/wrong-origin"
allow_origins = ["https://app.example.com"]
"#;

/// Runs verify with both reports; returns (exit code, SARIF, JUnit XML path).
fn reports(
    policy: &str,
    base: &str,
    cacert: &str,
    dir: &Path,
) -> (i32, serde_json::Value, PathBuf) {
    let file = dir.join("cors-policy.toml");
    std::fs::write(&file, policy.replace("{BASE}", base)).unwrap();
    let sarif = dir.join("out.sarif");
    let junit = dir.join("out.junit.xml");
    let output = Command::new(env!("CARGO_BIN_EXE_cors-doctor"))
        .args([
            "verify",
            file.to_str().unwrap(),
            "--cacert",
            cacert,
            "--timeout",
            "3",
        ])
        .arg("--sarif")
        .arg(&sarif)
        .arg("--junit")
        .arg(&junit)
        .env("NO_COLOR", "1")
        .env_remove("GITHUB_ACTIONS")
        .output()
        .unwrap();
    let log = serde_json::from_str(&std::fs::read_to_string(&sarif).unwrap()).unwrap();
    (output.status.code().unwrap_or(-1), log, junit)
}

#[test]
fn sarif_and_junit_validate_against_their_published_schemas() {
    let lab = support::start_https_lab();
    let dir = tempfile::tempdir().unwrap();
    // Violated: several kinds of results and rules (a name with XML's special characters).
    let (code, log, junit) = reports(POLICY, &lab.base, &lab.cacert, dir.path());
    assert_eq!(code, 1);
    let results = log["runs"][0]["results"].as_array().unwrap();
    let rules: Vec<&str> = log["runs"][0]["tool"]["driver"]["rules"]
        .as_array()
        .unwrap()
        .iter()
        .map(|r| r["id"].as_str().unwrap())
        .collect();
    for id in [
        "max-age-not-as-declared",
        "reflected-origin-with-credentials",
        "allow-origin-without-vary",
        "header-not-exposed",
        "allow-origin-mismatch",
    ] {
        assert!(rules.contains(&id), "{id} not among {rules:?}");
    }
    assert!(results.len() > 5);
    assert_valid_sarif(&log);
    assert_valid_junit(&junit);
    // The validators do reject: a region at line 0, a test suite without a name.
    let mut broken = log.clone();
    broken["runs"][0]["results"][0]["locations"][0]["physicalLocation"]["region"]["startLine"] =
        serde_json::json!(0);
    let result = std::panic::catch_unwind(|| assert_valid_sarif(&broken));
    assert!(result.is_err(), "a SARIF region at line 0 was accepted");
    let nameless = dir.path().join("nameless.xml");
    let xml = std::fs::read_to_string(&junit).unwrap();
    std::fs::write(
        &nameless,
        xml.replacen("<testsuite name=", "<testsuite label=", 1),
    )
    .unwrap();
    let result = std::panic::catch_unwind(|| assert_valid_junit(&nameless));
    assert!(result.is_err(), "a test suite without a name was accepted");

    // Holds: no results, every test case passed.
    let dir = tempfile::tempdir().unwrap();
    let holds = "[[api]]\nbase_url = \"{BASE}\"\n[[api.rule]]\npath = \"/ok/simple\"\nallow_origins = [\"https://app.example.com\"]\n";
    let (code, log, junit) = reports(holds, &lab.base, &lab.cacert, dir.path());
    assert_eq!(code, 0);
    assert!(log["runs"][0]["results"].as_array().unwrap().is_empty());
    assert_valid_sarif(&log);
    assert_valid_junit(&junit);

    // Unreachable: the JUnit file carries the error.
    let dir = tempfile::tempdir().unwrap();
    let free = std::net::TcpListener::bind("127.0.0.1:0")
        .unwrap()
        .local_addr()
        .unwrap();
    let (code, log, junit) = reports(holds, &format!("https://{free}"), &lab.cacert, dir.path());
    assert_eq!(code, 3);
    assert_valid_sarif(&log);
    assert_valid_junit(&junit);
    assert!(std::fs::read_to_string(&junit).unwrap().contains("<error "));
}
