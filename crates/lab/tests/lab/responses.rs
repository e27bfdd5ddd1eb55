//! Exact status and header lines, as written on the wire, for a
//! representative sample of endpoints and both request kinds (preflight and
//! actual).

use crate::support::{raw, Lab};

const A: &str = "https://app.example.com";
const ORIGIN: (&str, &str) = ("Origin", A);

/// One exchange: request, expected status, expected header lines (minus
/// `Date`/`Content-Length`/`Content-Type`). `{host}` and `{port}` in an
/// expected line stand for the lab's address.
struct Case {
    method: &'static str,
    path: &'static str,
    headers: &'static [(&'static str, &'static str)],
    status: u16,
    lines: &'static [&'static str],
}

const fn case(
    method: &'static str,
    path: &'static str,
    headers: &'static [(&'static str, &'static str)],
    status: u16,
    lines: &'static [&'static str],
) -> Case {
    Case {
        method,
        path,
        headers,
        status,
        lines,
    }
}

const PREFLIGHT_PUT: &[(&str, &str)] = &[
    ORIGIN,
    ("Access-Control-Request-Method", "PUT"),
    ("Access-Control-Request-Headers", "content-type"),
];

#[rustfmt::skip]
const CASES: &[Case] = &[
    case("GET", "/ok/simple", &[ORIGIN], 200, &[
        "Access-Control-Allow-Origin: https://app.example.com",
        "Vary: Origin",
    ]),
    case("OPTIONS", "/ok/preflight", &[
        ORIGIN,
        ("Access-Control-Request-Method", "PUT"),
        ("Access-Control-Request-Headers", "authorization,content-type"),
    ], 204, &[
        "Access-Control-Allow-Origin: https://app.example.com",
        "Access-Control-Allow-Methods: GET, POST, PUT, PATCH, DELETE",
        "Access-Control-Allow-Headers: Content-Type, Authorization, X-Request-Id",
        "Access-Control-Allow-Credentials: true",
        "Access-Control-Max-Age: 600",
        "Vary: Origin",
    ]),
    case("PUT", "/ok/preflight", &[ORIGIN, ("Authorization", "Bearer demo-token")], 200, &[
        "Access-Control-Allow-Origin: https://app.example.com",
        "Access-Control-Allow-Credentials: true",
        "Vary: Origin",
        "Access-Control-Expose-Headers: X-Request-Id",
        "X-Request-Id: lab-1",
    ]),
    case("OPTIONS", "/ok/wildcard", PREFLIGHT_PUT, 204, &[
        "Access-Control-Allow-Origin: *",
        "Access-Control-Allow-Methods: *",
        "Access-Control-Allow-Headers: *",
    ]),
    case("OPTIONS", "/no-cors", PREFLIGHT_PUT, 204, &["Allow: GET, HEAD, POST, OPTIONS"]),
    case("GET", "/no-cors", &[ORIGIN], 200, &[]),
    case("GET", "/trailing-slash", &[ORIGIN], 200, &[
        "Access-Control-Allow-Origin: https://app.example.com/",
    ]),
    case("GET", "/http-origin-only", &[ORIGIN], 200, &[
        "Access-Control-Allow-Origin: http://app.example.com",
    ]),
    case("GET", "/multiple-values", &[ORIGIN], 200, &[
        "Access-Control-Allow-Origin: https://app.example.com, https://admin.example.com",
    ]),
    case("GET", "/duplicate-lines", &[ORIGIN], 200, &[
        "Access-Control-Allow-Origin: https://app.example.com",
        "Access-Control-Allow-Origin: https://app.example.com",
    ]),
    case("GET", "/wildcard-credentials", &[ORIGIN, ("Cookie", "session=1")], 200, &[
        "Access-Control-Allow-Origin: *",
        "Access-Control-Allow-Credentials: true",
    ]),
    case("GET", "/credentials-missing", &[ORIGIN], 200, &[
        "Access-Control-Allow-Origin: https://app.example.com",
        "Vary: Origin",
    ]),
    case("OPTIONS", "/preflight-404", PREFLIGHT_PUT, 404, &[]),
    case("PUT", "/preflight-404", &[ORIGIN], 200, &[
        "Access-Control-Allow-Origin: https://app.example.com",
        "Vary: Origin",
    ]),
    case("OPTIONS", "/preflight-405", PREFLIGHT_PUT, 405, &["Allow: GET, PUT"]),
    case("OPTIONS", "/preflight-401", &[
        ORIGIN,
        ("Access-Control-Request-Method", "GET"),
        ("Access-Control-Request-Headers", "authorization"),
    ], 401, &["Www-Authenticate: Bearer realm=\"lab\""]),
    case("GET", "/preflight-401", &[ORIGIN, ("Authorization", "Bearer demo-token")], 200, &[
        "Access-Control-Allow-Origin: https://app.example.com",
        "Access-Control-Allow-Credentials: true",
        "Vary: Origin",
    ]),
    case("OPTIONS", "/preflight-500-with-cors", PREFLIGHT_PUT, 500, &[
        "Access-Control-Allow-Origin: https://app.example.com",
        "Access-Control-Allow-Methods: GET, POST, PUT, PATCH, DELETE",
        "Access-Control-Allow-Headers: Content-Type, Authorization",
        "Vary: Origin",
    ]),
    case("OPTIONS", "/preflight-redirect-https", PREFLIGHT_PUT, 301, &[
        "Location: https://{host}/preflight-redirect-https",
    ]),
    case("OPTIONS", "/preflight-login-redirect", &[
        ORIGIN,
        ("Access-Control-Request-Method", "DELETE"),
    ], 302, &["Location: /login?next=/preflight-login-redirect"]),
    case("OPTIONS", "/method-missing", PREFLIGHT_PUT, 204, &[
        "Access-Control-Allow-Origin: https://app.example.com",
        "Access-Control-Allow-Methods: GET, POST",
        "Access-Control-Allow-Headers: Content-Type",
        "Vary: Origin",
    ]),
    case("OPTIONS", "/invalid-allow-methods", PREFLIGHT_PUT, 204, &[
        "Access-Control-Allow-Origin: https://app.example.com",
        "Access-Control-Allow-Methods: GET POST PUT",
        "Access-Control-Allow-Headers: Content-Type",
        "Vary: Origin",
    ]),
    case("OPTIONS", "/max-age-day", PREFLIGHT_PUT, 204, &[
        "Access-Control-Allow-Origin: https://app.example.com",
        "Access-Control-Allow-Methods: PUT",
        "Access-Control-Allow-Headers: Content-Type",
        "Access-Control-Max-Age: 86400",
        "Vary: Origin",
    ]),
    case("GET", "/reflect-no-vary", &[("Origin", "https://evil.example")], 200, &[
        "Access-Control-Allow-Origin: https://evil.example",
        "Access-Control-Allow-Credentials: true",
    ]),
    case("GET", "/reflect-with-vary", &[("Origin", "https://evil.example")], 200, &[
        "Vary: Origin",
    ]),
    case("GET", "/reflect-with-vary", &[ORIGIN], 200, &[
        "Vary: Origin",
        "Access-Control-Allow-Origin: https://app.example.com",
        "Access-Control-Allow-Credentials: true",
    ]),
    case("GET", "/no-expose", &[ORIGIN], 200, &[
        "Access-Control-Allow-Origin: https://app.example.com",
        "Vary: Origin",
        "X-Total-Count: 42",
    ]),
    case("GET", "/redirect-cross-origin", &[ORIGIN], 302, &[
        "Location: http://localhost:{port}/ok/simple-any",
        "Access-Control-Allow-Origin: https://app.example.com",
        "Vary: Origin",
    ]),
    case("GET", "/ok/simple-any", &[("Origin", "null")], 200, &[
        "Access-Control-Allow-Origin: https://app.example.com",
        "Vary: Origin",
    ]),
    case("GET", "/cached-acao", &[ORIGIN], 200, &[
        "Access-Control-Allow-Origin: https://admin.example.com",
        "Age: 120",
        "X-Cache: HIT",
        "Via: 1.1 varnish",
        "Cache-Control: public, max-age=300",
    ]),
];

#[tokio::test]
async fn status_and_header_lines_are_exact() {
    let lab = Lab::start().await;
    let host = lab.addr.to_string();
    let port = lab.addr.port().to_string();
    let mut failures = Vec::new();
    for case in CASES {
        let response = raw(lab.addr, case.method, case.path, case.headers).await;
        let expected: Vec<String> = case
            .lines
            .iter()
            .map(|line| line.replace("{host}", &host).replace("{port}", &port))
            .collect();
        if response.status != case.status || response.cors_lines() != expected {
            failures.push(format!(
                "{} {}: got {} {:#?}, want {} {:#?}",
                case.method,
                case.path,
                response.status,
                response.cors_lines(),
                case.status,
                expected
            ));
        }
    }
    lab.stop().await;
    assert!(failures.is_empty(), "{}", failures.join("\n"));
}

#[tokio::test]
async fn duplicate_lines_are_two_separate_header_lines() {
    let lab = Lab::start().await;
    let response = raw(lab.addr, "GET", "/duplicate-lines", &[ORIGIN]).await;
    let acao: Vec<_> = response
        .lines
        .iter()
        .filter(|line| {
            line.to_ascii_lowercase()
                .starts_with("access-control-allow-origin:")
        })
        .collect();
    assert_eq!(acao.len(), 2, "{:?}", response.lines);
    lab.stop().await;
}

#[tokio::test]
async fn bodies_name_the_endpoint() {
    let lab = Lab::start().await;
    let response = raw(lab.addr, "GET", "/trailing-slash", &[ORIGIN]).await;
    let body: serde_json::Value = serde_json::from_slice(&response.body).unwrap();
    assert_eq!(
        body,
        serde_json::json!({"endpoint": "/trailing-slash", "ok": true})
    );
    let preflight = raw(lab.addr, "OPTIONS", "/method-missing", PREFLIGHT_PUT).await;
    assert!(preflight.body.is_empty(), "204 must have no body");
    lab.stop().await;
}

#[tokio::test]
async fn preflight_401_rejects_actual_requests_without_credentials_too() {
    let lab = Lab::start().await;
    let response = raw(lab.addr, "GET", "/preflight-401", &[ORIGIN]).await;
    assert_eq!(response.status, 401);
    assert!(!response
        .lines
        .iter()
        .any(|l| l.starts_with("Access-Control-")));
    lab.stop().await;
}

#[tokio::test]
async fn redirect_from_localhost_goes_to_127_0_0_1() {
    let lab = Lab::start().await;
    let port = lab.addr.port();
    let request = format!(
        "GET /redirect-cross-origin HTTP/1.1\r\nHost: localhost:{port}\r\nConnection: close\r\n\r\n"
    );
    let mut stream = tokio::net::TcpStream::connect(lab.addr).await.unwrap();
    tokio::io::AsyncWriteExt::write_all(&mut stream, request.as_bytes())
        .await
        .unwrap();
    let mut bytes = Vec::new();
    tokio::io::AsyncReadExt::read_to_end(&mut stream, &mut bytes)
        .await
        .unwrap();
    let text = String::from_utf8_lossy(&bytes);
    assert!(
        text.contains(&format!(
            "Location: http://127.0.0.1:{port}/ok/simple-any\r\n"
        )),
        "{text}"
    );
    lab.stop().await;
}
