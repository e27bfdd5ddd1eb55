//! `cors-doctor verify` against real servers started here on loopback:
//! nginx (Debian's) and express with the `cors` package (npm), each once
//! configured correctly and once with each classic mistake — the origin
//! listed without its port, nginx's `add_header` without `always` (error
//! responses lose the headers), OPTIONS behind authentication, any origin
//! reflected. The correct ones hold; each mistake is reported in the
//! policy's words with the browser's console line. `.ci/run` installs nginx
//! and runs `npm ci` in `tests/servers/node`.

#![allow(clippy::unwrap_used, clippy::expect_used)] // tests may panic on broken fixtures

mod support;

use std::path::Path;
use support::servers::{start_nginx, start_node, verify, Server};

/// The policy both servers are configured for (page: http://app.example.com:3000).
const POLICY: &str = r#"
[[api]]
name = "api"
base_url = "{BASE}"

[[api.rule]]
name = "items"
path = "/api/*"
probe = ["/api/items", "/api/missing"]
allow_origins = ["http://app.example.com:3000"]
methods = ["GET", "PUT"]
request_headers = ["Content-Type", "Authorization"]
credentials = true
expose_headers = ["X-Request-Id"]
max_age = 600
"#;

/// The nginx `http {}` contents of the API, with one mistake or none.
fn nginx_http(port: u16, mistake: Option<&str>) -> String {
    let allowed = if mistake == Some("no-port") {
        "http://app.example.com"
    } else {
        "http://app.example.com:3000"
    };
    let default = if mistake == Some("reflect") {
        "$http_origin"
    } else {
        "\"\""
    };
    let always = if mistake == Some("no-always") {
        ""
    } else {
        " always"
    };
    let auth = if mistake == Some("auth-before-cors") {
        "if ($http_authorization = \"\") { return 401; }"
    } else {
        ""
    };
    format!(
        r#"  map $http_origin $cors_origin {{
    default {default};
    "{allowed}" $http_origin;
  }}
  server {{
    listen 127.0.0.1:{port};
    location /api/ {{
      {auth}
      if ($request_method = OPTIONS) {{
        add_header Access-Control-Allow-Origin $cors_origin always;
        add_header Access-Control-Allow-Credentials true always;
        add_header Access-Control-Allow-Methods "GET, PUT" always;
        add_header Access-Control-Allow-Headers "Content-Type, Authorization" always;
        add_header Access-Control-Max-Age 600 always;
        add_header Vary Origin always;
        return 204;
      }}
      add_header Access-Control-Allow-Origin $cors_origin{always};
      add_header Access-Control-Allow-Credentials true{always};
      add_header Access-Control-Expose-Headers X-Request-Id{always};
      add_header X-Request-Id 42{always};
      add_header Vary Origin{always};
      # Not a nested `location`: nginx would not run this location's
      # `if` (the preflight answer) for it.
      if ($uri = /api/items) {{ return 200 "items"; }}
      return 404;
    }}
  }}"#
    )
}

fn nginx(mistake: Option<&str>) -> Server {
    start_nginx(|_: &Path, port| nginx_http(port, mistake))
}

fn express(mode: &str) -> Server {
    start_node("server.js", &[("MODE", mode)])
}

/// What each mistake must produce (in the policy's words, then a browser's console).
fn expect_mistake(server: &str, mistake: &str, code: i32, report: &str) {
    assert_eq!(code, 1, "{server} {mistake}: exit code\n{report}");
    let wanted: &[&str] = match mistake {
        "no-port" => &[
            "GET + Content-Type, Authorization, with credentials from http://app.example.com:3000 must pass (allowed by `http://app.example.com:3000`) but is blocked",
            "Response to preflight request doesn't pass access control check: No 'Access-Control-Allow-Origin' header is present on the requested resource.",
        ],
        "no-always" => &[
            "/api/missing",
            "must pass (allowed by `http://app.example.com:3000`) but is blocked  [allow-origin-missing]",
            "No 'Access-Control-Allow-Origin' header is present on the requested resource.",
        ],
        // nginx adds the CORS headers to the 401 too (`always`): "not ok
        // status"; express answers before cors() runs: "rejected".
        "auth-before-cors" => &[
            "must pass (allowed by `http://app.example.com:3000`) but is blocked  [preflight-",
            "Response to preflight request doesn't pass access control check",
        ],
        "reflect" => &[
            "origins that must be refused are allowed (the server reflects the origin it is sent)",
            "[reflected-origin-with-credentials]",
        ],
        _ => unreachable!(),
    };
    for w in wanted {
        assert!(
            report.contains(w),
            "{server} {mistake}: missing {w:?} in\n{report}"
        );
    }
}

#[test]
fn nginx_correct_holds_and_each_mistake_is_reported() {
    let (code, report) = verify(&nginx(None), POLICY);
    assert_eq!(code, 0, "nginx correct:\n{report}");
    assert!(
        report.contains("the preflight is cached for 600 s"),
        "{report}"
    );
    assert!(
        report.contains("script can read `X-Request-Id`"),
        "{report}"
    );
    for mistake in ["no-port", "no-always", "auth-before-cors", "reflect"] {
        let (code, report) = verify(&nginx(Some(mistake)), POLICY);
        expect_mistake("nginx", mistake, code, &report);
    }
}

#[test]
fn express_cors_correct_holds_and_each_mistake_is_reported() {
    let (code, report) = verify(&express("correct"), POLICY);
    assert_eq!(code, 0, "express correct:\n{report}");
    assert!(
        report.contains("the preflight is cached for 600 s"),
        "{report}"
    );
    for mistake in ["no-port", "auth-before-cors", "reflect"] {
        let (code, report) = verify(&express(mistake), POLICY);
        expect_mistake("express", mistake, code, &report);
    }
}
