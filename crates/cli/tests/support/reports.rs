//! The published schemas CI reports are checked against (`tests/schemas/`:
//! OASIS SARIF 2.1.0 with the `jsonschema` crate, offline; JUnit with
//! xmllint).

use std::path::{Path, PathBuf};
use std::process::Command;

pub fn schemas() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/schemas")
}

pub fn assert_valid_sarif(log: &serde_json::Value) {
    let schema: serde_json::Value = serde_json::from_str(
        &std::fs::read_to_string(schemas().join("sarif-schema-2.1.0.json")).unwrap(),
    )
    .unwrap();
    let validator = jsonschema::validator_for(&schema).unwrap();
    let errors: Vec<String> = validator
        .iter_errors(log)
        .map(|e| format!("{} at {}", e, e.instance_path()))
        .collect();
    assert!(
        errors.is_empty(),
        "SARIF not valid:\n{}\n{log:#}",
        errors.join("\n")
    );
}

pub fn assert_valid_junit(file: &Path) {
    let xmllint = Command::new("xmllint")
        .arg("--noout")
        .arg("--schema")
        .arg(schemas().join("junit-10.xsd"))
        .arg(file)
        .output()
        .unwrap_or_else(|e| {
            panic!("xmllint is needed (`apt-get install -y libxml2-utils`; .ci/run does): {e}")
        });
    assert!(
        xmllint.status.success(),
        "JUnit not valid: {}\n{}",
        String::from_utf8_lossy(&xmllint.stderr),
        std::fs::read_to_string(file).unwrap()
    );
}
