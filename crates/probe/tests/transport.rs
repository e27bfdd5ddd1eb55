//! The transport against tiny servers written for the purpose on loopback:
//! what goes on the wire byte for byte, what comes back line by line, and
//! how hostile or absent servers fail.

#![allow(clippy::unwrap_used, clippy::expect_used)] // tests may panic on broken fixtures

use cors_probe::{Client, OutgoingRequest, ProbeError, ResolveOverride, Stage, TransportOptions};
use std::time::Duration;
use tokio::io::{AsyncReadExt, AsyncWriteExt};
use tokio::net::TcpListener;
use url::Url;

/// Serves one connection: records the request head, answers `response` raw.
async fn one_shot(response: &'static [u8]) -> (u16, tokio::task::JoinHandle<String>) {
    let listener = TcpListener::bind("127.0.0.1:0").await.unwrap();
    let port = listener.local_addr().unwrap().port();
    let handle = tokio::spawn(async move {
        let (mut socket, _) = listener.accept().await.unwrap();
        let mut head = Vec::new();
        let mut buf = [0u8; 4096];
        while !head.windows(4).any(|w| w == b"\r\n\r\n") {
            let n = socket.read(&mut buf).await.unwrap();
            if n == 0 {
                break;
            }
            head.extend_from_slice(&buf[..n]);
        }
        socket.write_all(response).await.unwrap();
        let _ = socket.shutdown().await;
        String::from_utf8_lossy(&head).into_owned()
    });
    (port, handle)
}

fn request(method: &str, url: &str, headers: &[(&str, &str)]) -> OutgoingRequest {
    OutgoingRequest {
        method: method.to_string(),
        url: Url::parse(url).unwrap(),
        headers: headers
            .iter()
            .map(|(n, v)| (n.to_string(), v.to_string()))
            .collect(),
        body: None,
    }
}

fn quick() -> TransportOptions {
    TransportOptions {
        timeout: Duration::from_secs(2),
        connect_timeout: Duration::from_secs(2),
        use_env_proxy: false,
        ..TransportOptions::default()
    }
}

#[tokio::test]
async fn sends_method_case_and_headers_exactly_and_keeps_duplicate_lines() {
    let (port, server) = one_shot(b"HTTP/1.1 200 OK\r\nAccess-Control-Allow-Origin: https://a.com\r\naccess-control-allow-origin: https://b.com\r\nVary: Origin\r\nContent-Length: 2\r\n\r\nok").await;
    let client = Client::new(&quick()).unwrap();
    let url = format!("http://127.0.0.1:{port}/items");
    let exchange = client
        .send(&request(
            "patch",
            &url,
            &[("Origin", "https://app.example.com"), ("X-Request-Id", "7")],
        ))
        .await
        .unwrap();
    let head = server.await.unwrap();
    assert!(head.starts_with("patch /items HTTP/1.1\r\n"), "{head}");
    assert!(
        head.contains("\r\nOrigin: https://app.example.com\r\n"),
        "title case on HTTP/1.1: {head}"
    );
    assert!(head.contains("\r\nX-Request-Id: 7\r\n"), "{head}");
    assert_eq!(exchange.status, 200);
    let acao: Vec<&str> = exchange
        .headers
        .iter()
        .filter(|(n, _)| n == "access-control-allow-origin")
        .map(|(_, v)| v.as_str())
        .collect();
    assert_eq!(
        acao,
        ["https://a.com", "https://b.com"],
        "two lines stay two entries"
    );
    assert_eq!(exchange.body, b"ok");
    assert!(
        exchange
            .request
            .headers
            .iter()
            .any(|(n, _)| n == "User-Agent"),
        "what was sent is recorded"
    );
}

#[tokio::test]
async fn a_redirect_is_returned_not_followed() {
    let (port, server) =
        one_shot(b"HTTP/1.1 302 Found\r\nLocation: /elsewhere\r\nContent-Length: 0\r\n\r\n").await;
    let client = Client::new(&quick()).unwrap();
    let exchange = client
        .send(&request(
            "OPTIONS",
            &format!("http://127.0.0.1:{port}/r"),
            &[],
        ))
        .await
        .unwrap();
    server.await.unwrap();
    assert_eq!(exchange.status, 302);
    assert!(exchange
        .headers
        .iter()
        .any(|(n, v)| n == "location" && v == "/elsewhere"));
}

#[tokio::test]
async fn resolve_override_reaches_loopback_with_the_original_host() {
    let (port, server) = one_shot(b"HTTP/1.1 204 No Content\r\n\r\n").await;
    let options = TransportOptions {
        resolve: vec![format!("api.example.test:{port}:127.0.0.1")
            .parse::<ResolveOverride>()
            .unwrap()],
        ..quick()
    };
    let client = Client::new(&options).unwrap();
    let exchange = client
        .send(&request(
            "GET",
            &format!("http://api.example.test:{port}/"),
            &[],
        ))
        .await
        .unwrap();
    let head = server.await.unwrap().to_ascii_lowercase();
    assert_eq!(exchange.status, 204);
    assert!(
        head.contains(&format!("\r\nhost: api.example.test:{port}\r\n")),
        "{head}"
    );
}

#[tokio::test]
async fn failures_are_classified_by_stage() {
    let client = Client::new(&quick()).unwrap();
    // Nothing listens on that port.
    let port = std::net::TcpListener::bind("127.0.0.1:0")
        .unwrap()
        .local_addr()
        .unwrap()
        .port();
    let err = client
        .send(&request("GET", &format!("http://127.0.0.1:{port}/"), &[]))
        .await
        .unwrap_err();
    assert!(
        matches!(err, ProbeError::Connect { .. }) && err.is_unreachable(),
        "{err}"
    );
    assert_eq!(err.stage(), Stage::Connect);

    // Accepts, never answers.
    let listener = TcpListener::bind("127.0.0.1:0").await.unwrap();
    let port = listener.local_addr().unwrap().port();
    let _hold = tokio::spawn(async move {
        let (socket, _) = listener.accept().await.unwrap();
        tokio::time::sleep(Duration::from_secs(30)).await;
        drop(socket);
    });
    let options = TransportOptions {
        timeout: Duration::from_millis(500),
        ..quick()
    };
    let err = Client::new(&options)
        .unwrap()
        .send(&request("GET", &format!("http://127.0.0.1:{port}/"), &[]))
        .await
        .unwrap_err();
    assert!(matches!(err, ProbeError::Timeout { .. }), "{err}");

    // Not HTTP at all.
    let (port, _server) = one_shot(b"SSH-2.0-OpenSSH_9.2\r\n\r\n").await;
    let err = client
        .send(&request("GET", &format!("http://127.0.0.1:{port}/"), &[]))
        .await
        .unwrap_err();
    assert!(matches!(err, ProbeError::Protocol { .. }), "{err}");
}

#[tokio::test]
async fn body_is_capped() {
    let (port, _server) =
        one_shot(b"HTTP/1.1 200 OK\r\nContent-Length: 10\r\n\r\n0123456789").await;
    let options = TransportOptions {
        max_body_bytes: 4,
        ..quick()
    };
    let exchange = Client::new(&options)
        .unwrap()
        .send(&request("GET", &format!("http://127.0.0.1:{port}/"), &[]))
        .await
        .unwrap();
    assert_eq!(exchange.body, b"0123");
    assert!(exchange.body_truncated);
}

#[test]
fn bad_ca_file_is_a_clear_error() {
    let options = TransportOptions {
        ca_cert: Some("/nonexistent/ca.pem".into()),
        ..quick()
    };
    let err = Client::new(&options).unwrap_err();
    assert!(err.to_string().contains("/nonexistent/ca.pem"), "{err}");
    let path = std::env::temp_dir().join("cors-doctor-probe-test-not-pem.pem");
    std::fs::write(&path, "not a certificate").unwrap();
    let options = TransportOptions {
        ca_cert: Some(path),
        ..quick()
    };
    assert!(Client::new(&options).is_err());
}

/// Header values with a control character browsers send (0x01, 0x0b, 0x7f):
/// the HTTP library refuses them, so they go over the raw HTTP/1.1 path.
#[tokio::test]
async fn control_characters_in_a_header_value_reach_the_wire() {
    let (port, server) = one_shot(
        b"HTTP/1.1 201 Created\r\nAccess-Control-Allow-Origin: *\r\nX-A: 1\r\nx-a: 2\r\nContent-Length: 5\r\n\r\nhello",
    )
    .await;
    let mut sent = request(
        "POST",
        &format!("http://api.test:{port}/r?q=1"),
        &[
            ("Content-Type", "text/plain\u{b};x=\u{1}\u{7f}"),
            ("Origin", "http://app.test"),
        ],
    );
    sent.body = Some(b"abc".to_vec());
    let options = TransportOptions {
        resolve: vec![format!("api.test:{port}:127.0.0.1").parse().unwrap()],
        ..quick()
    };
    let exchange = Client::new(&options).unwrap().send(&sent).await.unwrap();
    let head = server.await.unwrap();
    assert!(
        head.starts_with(&format!(
            "POST /r?q=1 HTTP/1.1\r\nHost: api.test:{port}\r\n"
        )),
        "{head:?}"
    );
    assert!(
        head.contains("Content-Type: text/plain\u{b};x=\u{1}\u{7f}\r\nOrigin: http://app.test\r\nUser-Agent: cors-doctor/"),
        "{head:?}"
    );
    assert!(head.contains("Content-Length: 3\r\n"), "{head:?}");
    assert_eq!(exchange.status, 201);
    assert_eq!(exchange.reason.as_deref(), Some("Created"));
    let lines: Vec<_> = exchange
        .headers
        .iter()
        .filter(|(n, _)| n == "x-a")
        .collect();
    assert_eq!(
        lines.len(),
        2,
        "duplicate lines kept: {:?}",
        exchange.headers
    );
    assert_eq!(exchange.body, b"hello");
    assert!(exchange.body_error.is_none());
}

type RawCase = (&'static [u8], u16, &'static [u8], Option<&'static str>);

/// On the raw path, a head cut off after complete header lines is taken as
/// it arrived (as browsers do); a chunked body is decoded; a short body says so.
#[tokio::test]
async fn raw_path_reads_heads_and_bodies_as_browsers_do() {
    let control = [("Content-Type", "text/plain\u{b}")];
    // (response, status, body kept, what the body error says)
    let cases: [RawCase; 4] = [
        (b"HTTP/1.1 200 OK\r\nAccess-Control-Allow-Origin: *\r\n", 200, b"", None),
        (
            b"HTTP/1.1 103 Early Hints\r\nLink: </a.css>\r\n\r\nHTTP/1.1 100 Continue\r\n\r\nHTTP/1.1 204 No Content\r\n\r\n",
            204,
            b"",
            None,
        ),
        (
            b"HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n3;ext=1\r\nabc\r\n2\r\nde\r\n0\r\n\r\n",
            200,
            b"abcde",
            None,
        ),
        (
            b"HTTP/1.1 500 Oops\r\nContent-Length: 10\r\n\r\nabc",
            500,
            b"abc",
            Some("3 of the 10 body bytes"),
        ),
    ];
    for (response, status, body, body_error) in cases {
        let (port, server) = one_shot(response).await;
        let client = Client::new(&quick()).unwrap();
        let exchange = client
            .send(&request(
                "GET",
                &format!("http://127.0.0.1:{port}/"),
                &control,
            ))
            .await
            .unwrap();
        server.await.unwrap();
        assert_eq!(exchange.status, status);
        assert_eq!(exchange.body, body);
        match body_error {
            None => assert!(exchange.body_error.is_none(), "{:?}", exchange.body_error),
            Some(text) => {
                let error = exchange.body_error.unwrap();
                assert!(error.contains(text), "{error}");
                assert_eq!(
                    exchange.body_failure,
                    Some(cors_engine::BodyFailure::ContentLengthMismatch)
                );
            }
        }
    }
    // Nothing at all, or a head cut inside a line: no response.
    for response in [&b""[..], b"HTTP/1.1 200 OK\r\nAccess-Control-Al"] {
        let (port, server) = one_shot(response).await;
        let client = Client::new(&quick()).unwrap();
        let error = client
            .send(&request(
                "GET",
                &format!("http://127.0.0.1:{port}/"),
                &control,
            ))
            .await
            .unwrap_err();
        server.await.unwrap();
        assert!(matches!(error, ProbeError::EmptyResponse { .. }), "{error}");
    }
}

/// The pooled path (hyper) keeps at most 100 header lines; a head with more
/// is asked again over the raw path, which reads every line, as browsers do.
#[tokio::test]
async fn a_head_of_many_lines_is_read_whole_on_the_pooled_path() {
    let listener = TcpListener::bind("127.0.0.1:0").await.unwrap();
    let port = listener.local_addr().unwrap().port();
    let mut head = String::from("HTTP/1.1 200 OK\r\nContent-Length: 0\r\n");
    for i in 0..150 {
        head.push_str(&format!("X-Filler-{i}: {i}\r\n"));
    }
    head.push_str("Access-Control-Allow-Origin: *\r\n\r\n");
    let server = tokio::spawn(async move {
        let mut connections = 0;
        while let Ok((mut socket, _)) = listener.accept().await {
            connections += 1;
            let mut buf = [0u8; 4096];
            let _ = socket.read(&mut buf).await;
            socket.write_all(head.as_bytes()).await.unwrap();
            let _ = socket.shutdown().await;
            if connections == 2 {
                break;
            }
        }
        connections
    });
    let options = TransportOptions {
        raw_plain_http: false,
        ..quick()
    };
    let client = Client::new(&options).unwrap();
    let url = format!("http://127.0.0.1:{port}/many");
    let exchange = client.send(&request("GET", &url, &[])).await.unwrap();
    assert_eq!(exchange.status, 200);
    assert_eq!(exchange.headers.len(), 152, "{:?}", exchange.headers);
    assert!(exchange
        .headers
        .iter()
        .any(|(n, v)| n.eq_ignore_ascii_case("access-control-allow-origin") && v == "*"));
    // hyper's refusal, then the raw path's read.
    assert_eq!(server.await.unwrap(), 2);
}
