//! HTTPS: the same router over TLS, negotiating HTTP/2 or HTTP/1.1 by ALPN,
//! with a fresh self-signed certificate.

use reqwest::Version;

use crate::support::{trusting_client, Lab};

#[tokio::test]
async fn serves_http2_and_http1_over_tls() {
    let tls = cors_lab::self_signed(&["localhost", "127.0.0.1"]).unwrap();
    let lab = Lab::start_tls(tls.clone()).await;
    let url = format!("https://localhost:{}/ok/simple", lab.addr.port());

    let h2 = trusting_client(&tls, lab.addr).build().unwrap();
    let response = h2
        .get(&url)
        .header("Origin", cors_lab::LAB_ORIGIN)
        .send()
        .await
        .unwrap();
    assert_eq!(response.version(), Version::HTTP_2);
    assert_eq!(response.status(), 200);
    assert_eq!(
        response.headers()["access-control-allow-origin"],
        cors_lab::LAB_ORIGIN
    );

    let h1 = trusting_client(&tls, lab.addr)
        .http1_only()
        .build()
        .unwrap();
    let response = h1.get(&url).send().await.unwrap();
    assert_eq!(response.version(), Version::HTTP_11);
    assert_eq!(response.status(), 200);

    // Duplicate lines survive HTTP/2 as two header fields.
    let response = h2
        .get(format!(
            "https://localhost:{}/duplicate-lines",
            lab.addr.port()
        ))
        .send()
        .await
        .unwrap();
    assert_eq!(
        response
            .headers()
            .get_all("access-control-allow-origin")
            .iter()
            .count(),
        2
    );

    // Absolute URLs built by the lab use https when it is served over TLS.
    let response = h2
        .get(format!(
            "https://localhost:{}/redirect-cross-origin",
            lab.addr.port()
        ))
        .send()
        .await
        .unwrap();
    assert_eq!(
        response.headers()["location"],
        format!("https://127.0.0.1:{}/ok/simple-any", lab.addr.port()).as_str()
    );
    lab.stop().await;
}

#[tokio::test]
async fn ip_address_names_are_valid_too() {
    let tls = cors_lab::self_signed(&["localhost", "127.0.0.1"]).unwrap();
    let lab = Lab::start_tls(tls.clone()).await;
    let client = trusting_client(&tls, lab.addr).build().unwrap();
    let response = client
        .get(format!("https://{}/index.json", lab.addr))
        .send()
        .await
        .unwrap();
    assert_eq!(response.status(), 200);
    let index: serde_json::Value = response.json().await.unwrap();
    assert_eq!(index["base_url"], format!("https://{}", lab.addr));
    lab.stop().await;
}

#[tokio::test]
async fn bad_material_is_an_invalid_input_error() {
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let tls = cors_lab::TlsMaterial {
        cert_pem: "nope".to_owned(),
        key_pem: "nope".to_owned(),
    };
    let error = cors_lab::serve_tls(listener, tls, std::future::pending())
        .await
        .unwrap_err();
    assert_eq!(error.kind(), std::io::ErrorKind::InvalidInput);
}
