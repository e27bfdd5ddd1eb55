//! `cors-doctor verify` against the real lab over HTTPS: a policy that
//! holds, the classic mistakes reported in the policy's words with the
//! browser's console line, a policy that cannot be used (file:line:column,
//! exit 2), an unreachable deployment (exit 3), and the CI reports.

#![allow(clippy::unwrap_used, clippy::expect_used)] // tests may panic on broken fixtures

mod support;

use std::process::Command;

struct Run {
    code: i32,
    stdout: String,
    stderr: String,
}

fn verify(lab: &support::HttpsLab, policy: &str, extra: &[&str]) -> Run {
    let dir = tempfile::tempdir().unwrap();
    let file = dir.path().join("cors-policy.toml");
    std::fs::write(&file, policy.replace("{BASE}", &lab.base)).unwrap();
    let mut args = vec![
        "verify".to_string(),
        file.to_string_lossy().into_owned(),
        "--cacert".to_string(),
        lab.cacert.clone(),
    ];
    args.extend(extra.iter().map(|s| s.to_string()));
    let output = Command::new(env!("CARGO_BIN_EXE_cors-doctor"))
        .args(&args)
        .current_dir(dir.path())
        .env("NO_COLOR", "1")
        .env_remove("GITHUB_ACTIONS")
        .env_remove("HTTPS_PROXY")
        .env_remove("https_proxy")
        .output()
        .unwrap();
    Run {
        code: output.status.code().unwrap_or(-1),
        stdout: String::from_utf8_lossy(&output.stdout).into_owned(),
        stderr: String::from_utf8_lossy(&output.stderr).into_owned(),
    }
}

const HOLDS: &str = r#"
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
max_age = 600

[[api.rule]]
name = "subdomains"
path = "/reflect-with-vary"
allow_origins = ["https://*.example.com"]
credentials = true
"#;

#[test]
fn a_policy_the_lab_keeps_holds() {
    let lab = support::start_https_lab();
    let r = verify(&lab, HOLDS, &[]);
    assert_eq!(r.code, 0, "{}\n{}", r.stdout, r.stderr);
    assert!(r.stdout.contains("the policy holds"), "{}", r.stdout);
    assert!(
        r.stdout.contains("the preflight is cached for 600 s"),
        "{}",
        r.stdout
    );
    // The subdomain rule was proven with a made-up subdomain, and the
    // arbitrary origin was refused.
    assert!(
        r.stdout.contains("https://cors-doctor-verify.example.com"),
        "{}",
        r.stdout
    );
    assert!(r.stdout.contains("other origin(s) refused"), "{}", r.stdout);
}

#[test]
fn the_classic_mistakes_are_reported_in_the_policys_words() {
    let lab = support::start_https_lab();
    let policy = r#"
[[api]]
base_url = "{BASE}"

[[api.rule]]
name = "reflects everything"
path = "/reflect-no-vary"
allow_origins = ["https://app.example.com"]
credentials = true

[[api.rule]]
name = "wrong origin"
path = "/wrong-origin"
allow_origins = ["https://app.example.com"]

[[api.rule]]
name = "preflight behind auth"
path = "/preflight-401"
allow_origins = ["https://app.example.com"]
request_headers = ["Authorization"]
credentials = true

[[api.rule]]
name = "count"
path = "/no-expose"
allow_origins = ["https://app.example.com"]
expose_headers = ["X-Total-Count"]
"#;
    let r = verify(&lab, policy, &[]);
    assert_eq!(r.code, 1, "{}\n{}", r.stdout, r.stderr);
    for wanted in [
        // Reflection of any origin, with the policy line of the rule.
        "29 origins that must be refused are allowed (the server reflects the origin it is sent): http://app.example.com, https://app.example.com:8443, https://www.app.example.com, https://example.com and 25 more  [reflected-origin-with-credentials]",
        "`Vary: Origin` is missing",
        // The wrong origin: the policy's words, then Chromium's console line.
        "GET from https://app.example.com must pass (allowed by `https://app.example.com`) but is blocked  [allow-origin-mismatch]",
        "has been blocked by CORS policy: The 'Access-Control-Allow-Origin' header has a value 'https://admin.example.com' that is not equal to the supplied origin.",
        // OPTIONS behind authentication.
        "GET + Authorization, with credentials from https://app.example.com must pass",
        "Response to preflight request doesn't pass access control check",
        // Exposed headers.
        "script cannot read `X-Total-Count`: Access-Control-Expose-Headers does not name it  [header-not-exposed]",
        "the policy is violated",
    ] {
        assert!(r.stdout.contains(wanted), "missing {wanted:?} in\n{}", r.stdout);
    }
    // Each violation points at the policy's line.
    assert!(
        r.stdout.contains("cors-policy.toml:14:17 (allow_origins)"),
        "{}",
        r.stdout
    );
}

#[test]
fn a_policy_that_cannot_be_used_is_exit_2_with_its_position() {
    let lab = support::start_https_lab();
    let r = verify(
        &lab,
        "[[api]]\nbase_url = \"{BASE}\"\n[[api.rule]]\npath = \"/ok/simple\"\nallow_origins = [\"*\"]\ncredentials = true\n",
        &[],
    );
    assert_eq!(r.code, 2, "{}\n{}", r.stdout, r.stderr);
    assert!(
        r.stderr
            .contains("cors-policy.toml:5:18: error: `*` with `credentials = true`"),
        "{}",
        r.stderr
    );
    assert!(r.stdout.is_empty(), "{}", r.stdout);
}

#[test]
fn an_unreachable_deployment_is_exit_3_and_json_still_prints() {
    let lab = support::start_https_lab();
    // A port nothing listens on: bind one and let it go.
    let free = std::net::TcpListener::bind("127.0.0.1:0")
        .unwrap()
        .local_addr()
        .unwrap();
    let r = verify(
        &lab,
        HOLDS,
        &[
            "--base-url",
            &format!("lab=https://{free}"),
            "--json",
            "--timeout",
            "3",
        ],
    );
    assert_eq!(r.code, 3, "{}\n{}", r.stdout, r.stderr);
    let doc: serde_json::Value = serde_json::from_str(&r.stdout).unwrap();
    assert_eq!(doc["schema"], "cors-doctor/verify/v1");
    assert_eq!(doc["holds"], false);
    assert!(
        doc["error"]["message"]
            .as_str()
            .unwrap()
            .contains("refused"),
        "{doc}"
    );
    assert!(
        r.stderr.contains("could not reach the server"),
        "{}",
        r.stderr
    );
}

#[test]
fn json_junit_sarif_and_github_annotations_render_the_same_cases() {
    let lab = support::start_https_lab();
    let policy = r#"
[[api]]
name = "lab"
base_url = "{BASE}"

[[api.rule]]
path = "/wrong-origin"
allow_origins = ["https://app.example.com"]
"#;
    let dir = tempfile::tempdir().unwrap();
    let junit = dir.path().join("verify.junit.xml");
    let sarif = dir.path().join("verify.sarif");
    let r = verify(
        &lab,
        policy,
        &[
            "--json",
            "--junit",
            junit.to_str().unwrap(),
            "--sarif",
            sarif.to_str().unwrap(),
        ],
    );
    assert_eq!(r.code, 1, "{}\n{}", r.stdout, r.stderr);
    let doc: serde_json::Value = serde_json::from_str(&r.stdout).unwrap();
    let violated = doc["violated"].as_u64().unwrap();
    assert!(violated >= 1);
    let case = doc["cases"]
        .as_array()
        .unwrap()
        .iter()
        .find(|c| c["held"] == false)
        .unwrap();
    assert_eq!(case["check"], "allowed");
    assert_eq!(case["policy_line"], 8);
    assert_eq!(case["browsers"][0]["finding"], "allow-origin-mismatch");

    let xml = std::fs::read_to_string(&junit).unwrap();
    assert!(
        xml.starts_with("<?xml version=\"1.0\" encoding=\"UTF-8\"?>"),
        "{xml}"
    );
    assert!(xml.contains(&format!("failures=\"{violated}\"")), "{xml}");
    assert!(xml.contains("type=\"allow-origin-mismatch\""), "{xml}");
    assert!(
        xml.contains("that is not equal to the supplied origin."),
        "{xml}"
    );

    let log: serde_json::Value =
        serde_json::from_str(&std::fs::read_to_string(&sarif).unwrap()).unwrap();
    assert_eq!(log["version"], "2.1.0");
    let results = log["runs"][0]["results"].as_array().unwrap();
    assert_eq!(results.len() as u64, violated);
    let region = &results[0]["locations"][0]["physicalLocation"]["region"];
    assert_eq!(region["startLine"], 8);
    assert_eq!(results[0]["ruleId"], "allow-origin-mismatch");
    let rules = log["runs"][0]["tool"]["driver"]["rules"]
        .as_array()
        .unwrap();
    assert!(rules.iter().any(|r| r["id"] == "allow-origin-mismatch"));

    // On GitHub Actions: one ::error per violation, on the policy line.
    let dir = tempfile::tempdir().unwrap();
    let file = dir.path().join("cors-policy.toml");
    std::fs::write(&file, policy.replace("{BASE}", &lab.base)).unwrap();
    let output = Command::new(env!("CARGO_BIN_EXE_cors-doctor"))
        .args(["verify", file.to_str().unwrap(), "--cacert", &lab.cacert])
        .env("GITHUB_ACTIONS", "true")
        .env("NO_COLOR", "1")
        .output()
        .unwrap();
    let stdout = String::from_utf8_lossy(&output.stdout);
    let errors: Vec<&str> = stdout
        .lines()
        .filter(|l| l.starts_with("::error "))
        .collect();
    assert_eq!(errors.len() as u64, violated, "{stdout}");
    assert!(errors[0].contains(",line=8,col=17,"), "{}", errors[0]);
}

#[test]
fn init_writes_a_policy_that_the_server_keeps_and_names_what_it_lets_in() {
    let lab = support::start_https_lab();
    let dir = tempfile::tempdir().unwrap();
    let init = |path: &str, file: &std::path::Path| {
        Command::new(env!("CARGO_BIN_EXE_cors-doctor"))
            .args(["verify", file.to_str().unwrap(), "--init"])
            .arg(format!("{}{path}", lab.base))
            .args([
                "--origin",
                "https://app.example.com",
                "--cacert",
                &lab.cacert,
            ])
            .env("NO_COLOR", "1")
            .output()
            .unwrap()
    };
    let good = dir.path().join("good.toml");
    let output = init("/ok/preflight", &good);
    assert_eq!(
        output.status.code(),
        Some(0),
        "{}",
        String::from_utf8_lossy(&output.stderr)
    );
    let text = std::fs::read_to_string(&good).unwrap();
    assert!(
        text.contains("allow_origins = [\"https://app.example.com\"]"),
        "{text}"
    );
    assert!(text.contains("\"Authorization\""), "{text}");
    assert!(text.contains("credentials = true"), "{text}");
    // Not overwritten a second time.
    let again = init("/ok/preflight", &good);
    assert_eq!(again.status.code(), Some(2));
    assert!(String::from_utf8_lossy(&again.stderr).contains("does not overwrite"));
    // The written policy holds against the same server.
    let output = Command::new(env!("CARGO_BIN_EXE_cors-doctor"))
        .args(["verify", good.to_str().unwrap(), "--cacert", &lab.cacert])
        .env("NO_COLOR", "1")
        .output()
        .unwrap();
    assert_eq!(
        output.status.code(),
        Some(0),
        "{}",
        String::from_utf8_lossy(&output.stdout)
    );
    // A reflecting server: the policy says so in a comment.
    let bad = dir.path().join("bad.toml");
    assert_eq!(init("/reflect-no-vary", &bad).status.code(), Some(0));
    let text = std::fs::read_to_string(&bad).unwrap();
    assert!(text.contains("#   reflected-arbitrary-origin"), "{text}");
}
