//! The hostile endpoints behave as advertised (huge, slow, endless), so
//! client robustness tests can rely on them.

use std::time::Duration;

use crate::support::{client, raw, Lab};

#[tokio::test]
async fn huge_headers_are_about_200_kib() {
    let lab = Lab::start().await;
    let response = raw(lab.addr, "GET", "/hostile/huge-headers", &[]).await;
    assert_eq!(response.status, 200);
    let hostile: Vec<_> = response
        .lines
        .iter()
        .filter(|l| l.starts_with("X-Hostile-"))
        .collect();
    assert_eq!(hostile.len(), 400);
    assert!(
        hostile.iter().all(|line| line.len() + 2 == 512),
        "{}",
        hostile[0].len()
    );
    lab.stop().await;
}

#[tokio::test]
async fn redirect_loop_points_at_itself_with_acao() {
    let lab = Lab::start().await;
    let response = raw(lab.addr, "GET", "/hostile/redirect-loop", &[]).await;
    assert_eq!(response.status, 302);
    assert!(response
        .lines
        .contains(&"Location: /hostile/redirect-loop".to_owned()));
    assert!(response
        .lines
        .contains(&"Access-Control-Allow-Origin: https://app.example.com".to_owned()));
    lab.stop().await;
}

#[tokio::test]
async fn slow_sends_nothing_for_a_while() {
    let lab = Lab::start().await;
    let started = std::time::Instant::now();
    let error = client()
        .get(format!("{}/hostile/slow", lab.base()))
        .timeout(Duration::from_millis(500))
        .send()
        .await
        .unwrap_err();
    assert!(error.is_timeout(), "{error}");
    assert!(started.elapsed() >= Duration::from_millis(500));
    lab.stop().await;
}

#[tokio::test]
async fn huge_body_streams_64_mib() {
    let lab = Lab::start().await;
    let mut response = client()
        .get(format!("{}/hostile/huge-body", lab.base()))
        .send()
        .await
        .unwrap();
    assert_eq!(response.status(), 200);
    assert_eq!(
        response.headers()["access-control-allow-origin"],
        "https://app.example.com"
    );
    let mut total = 0usize;
    while let Some(chunk) = response.chunk().await.unwrap() {
        total += chunk.len();
    }
    assert_eq!(total, 64 * 1024 * 1024);
    lab.stop().await;
}

#[tokio::test]
async fn shutdown_does_not_wait_for_a_stalled_request_forever() {
    let lab = Lab::start().await;
    let url = format!("{}/hostile/slow", lab.base());
    let stalled = tokio::spawn(async move { client().get(url).send().await });
    tokio::time::sleep(Duration::from_millis(200)).await;
    let started = std::time::Instant::now();
    tokio::time::timeout(Duration::from_secs(10), lab.stop())
        .await
        .expect("serve returns after the drain timeout");
    assert!(started.elapsed() < Duration::from_secs(10));
    stalled.abort();
}
