//! The index page and `/index.json` list every endpoint with a check
//! command built from the Host the client used.

use crate::support::{client, Lab};

#[tokio::test]
async fn html_index_lists_every_endpoint_with_its_command() {
    let lab = Lab::start().await;
    let response = client()
        .get(format!("{}/", lab.base()))
        .send()
        .await
        .unwrap();
    assert_eq!(response.status(), 200);
    assert!(response.headers()["content-type"]
        .to_str()
        .unwrap()
        .starts_with("text/html"));
    let html = response.text().await.unwrap();
    for endpoint in cors_lab::endpoints() {
        assert!(
            html.contains(&format!("<code>{}</code>", endpoint.path)),
            "{}",
            endpoint.path
        );
    }
    let base = lab.base();
    assert!(html.contains(&format!(
        "cors-doctor check {base}/header-missing --origin https://app.example.com -X POST \
         -H &#39;Content-Type: application/json&#39; -H &#39;X-Request-Id: 42&#39;"
    )));
    lab.stop().await;
}

#[tokio::test]
async fn json_index_matches_the_table() {
    let lab = Lab::start().await;
    let base = lab.base();
    let index: serde_json::Value = client()
        .get(format!("{base}/index.json"))
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    assert_eq!(index["lab_origin"], cors_lab::LAB_ORIGIN);
    let listed = index["endpoints"].as_array().unwrap();
    assert_eq!(listed.len(), cors_lab::endpoints().len());
    for (json, endpoint) in listed.iter().zip(cors_lab::endpoints()) {
        assert_eq!(json["path"], endpoint.path);
        assert_eq!(json["method"], endpoint.method);
        assert_eq!(json["healthy"], endpoint.healthy);
        assert_eq!(json["url"], format!("{base}{}", endpoint.path));
        assert_eq!(json["check"], cors_lab::check_command(&base, endpoint));
        assert_eq!(
            json["headers"].as_array().unwrap().len(),
            endpoint.headers.len()
        );
    }
    assert_eq!(
        index["hostile"].as_array().unwrap().len(),
        cors_lab::hostile_paths().len()
    );
    lab.stop().await;
}
