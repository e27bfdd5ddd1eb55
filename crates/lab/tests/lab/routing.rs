//! The endpoint table and the router agree: paths are unique, every
//! endpoint is routed, and its demo request (preflight and actual) gets a
//! real answer rather than a 404 or a server error.

use std::collections::HashSet;

use reqwest::Method;

use crate::support::{client, Lab};

#[test]
fn endpoint_paths_are_unique_and_well_formed() {
    let mut seen = HashSet::new();
    for endpoint in cors_lab::endpoints() {
        assert!(
            seen.insert(endpoint.path),
            "duplicate path {}",
            endpoint.path
        );
        assert!(endpoint.path.starts_with('/'), "{}", endpoint.path);
        assert!(!endpoint.title.is_empty() && !endpoint.problem.is_empty());
        assert!(
            matches!(endpoint.credentials, "omit" | "same-origin" | "include"),
            "{}: credentials {}",
            endpoint.path,
            endpoint.credentials
        );
    }
    for (path, _) in cors_lab::hostile_paths() {
        assert!(seen.insert(path), "hostile path {path} clashes");
    }
    assert_eq!(cors_lab::endpoints().len(), 29);
}

#[tokio::test]
async fn every_demo_request_is_routed() {
    let lab = Lab::start().await;
    let client = client();
    let mut failures = Vec::new();
    for endpoint in cors_lab::endpoints() {
        let url = format!("{}{}", lab.base(), endpoint.path);
        let method = Method::from_bytes(endpoint.method.as_bytes()).unwrap();
        let request_headers: Vec<String> = endpoint
            .headers
            .iter()
            .map(|(name, _)| name.to_ascii_lowercase())
            .collect();

        let preflight = client
            .request(Method::OPTIONS, &url)
            .header("Origin", endpoint.origin)
            .header("Access-Control-Request-Method", endpoint.method)
            .header("Access-Control-Request-Headers", request_headers.join(","))
            .send()
            .await
            .unwrap();
        let server_error_expected = endpoint.path == "/preflight-500-with-cors";
        if preflight.status().is_server_error() != server_error_expected {
            failures.push(format!("OPTIONS {}: {}", endpoint.path, preflight.status()));
        }

        let mut actual = client
            .request(method, &url)
            .header("Origin", endpoint.origin);
        for (name, value) in endpoint.headers {
            actual = actual.header(*name, *value);
        }
        let actual = actual.send().await.unwrap();
        let status = actual.status();
        if status.is_server_error() || status == reqwest::StatusCode::NOT_FOUND {
            failures.push(format!("{} {}: {status}", endpoint.method, endpoint.path));
        }
        if status.is_success() {
            let body: serde_json::Value = actual.json().await.unwrap();
            if body["endpoint"] != endpoint.path || body["ok"] != true {
                failures.push(format!("{}: body {body}", endpoint.path));
            }
        }
    }
    lab.stop().await;
    assert!(failures.is_empty(), "{}", failures.join("\n"));
}

#[tokio::test]
async fn unknown_paths_are_404() {
    let lab = Lab::start().await;
    let response = client()
        .get(format!("{}/no-such-endpoint", lab.base()))
        .send()
        .await
        .unwrap();
    assert_eq!(response.status(), 404);
    lab.stop().await;
}

#[tokio::test]
async fn login_page_is_html() {
    let lab = Lab::start().await;
    let response = client()
        .get(format!(
            "{}/login?next=/preflight-login-redirect",
            lab.base()
        ))
        .send()
        .await
        .unwrap();
    assert_eq!(response.status(), 200);
    assert!(response.headers()["content-type"]
        .to_str()
        .unwrap()
        .starts_with("text/html"));
    lab.stop().await;
}

#[tokio::test]
async fn plain_http2_with_prior_knowledge_and_head_work() {
    let lab = Lab::start().await;
    let h2 = crate::support::builder()
        .http2_prior_knowledge()
        .build()
        .unwrap();
    let response = h2
        .get(format!("{}/index.json", lab.base()))
        .send()
        .await
        .unwrap();
    assert_eq!(response.version(), reqwest::Version::HTTP_2);
    let index: serde_json::Value = response.json().await.unwrap();
    assert_eq!(index["base_url"], lab.base());

    let head = client()
        .head(format!("{}/wrong-origin", lab.base()))
        .send()
        .await
        .unwrap();
    assert_eq!(head.status(), 200);
    assert_eq!(
        head.headers()["access-control-allow-origin"],
        "https://admin.example.com"
    );
    assert!(head.bytes().await.unwrap().is_empty());
    lab.stop().await;
}
