//! Runs the benchmark's evaluation N times (default 10 000), for instruction
//! counting with `valgrind --tool=callgrind` (repeatable on a loaded machine,
//! unlike wall time).

use cors_engine::{evaluate, Browser, CredentialsMode, Request, RequestPurpose, Response};
use url::Url;

fn lines(pairs: &[(&str, &str)]) -> Vec<(String, String)> {
    pairs
        .iter()
        .map(|(n, v)| (n.to_string(), v.to_string()))
        .collect()
}

fn main() {
    let n: usize = std::env::args()
        .nth(1)
        .and_then(|a| a.parse().ok())
        .unwrap_or(10_000);
    let (Ok(page), Ok(url)) = (
        Url::parse("https://app.example.com/"),
        Url::parse("https://api.example.com/v1/items/7"),
    ) else {
        return;
    };
    let request = Request::new(page, url)
        .method("PUT")
        .header("Content-Type", "application/json")
        .header("Authorization", "Bearer token")
        .credentials(CredentialsMode::Include);
    let preflight = Response {
        status: 204,
        headers: lines(&[
            ("Access-Control-Allow-Origin", "https://app.example.com"),
            ("Access-Control-Allow-Credentials", "true"),
            ("Access-Control-Allow-Methods", "GET, POST, PUT"),
            (
                "Access-Control-Allow-Headers",
                "Content-Type, Authorization",
            ),
            ("Access-Control-Max-Age", "600"),
            ("Vary", "Origin"),
        ]),
    };
    let actual = Response {
        status: 200,
        headers: lines(&[
            ("Access-Control-Allow-Origin", "https://app.example.com"),
            ("Content-Type", "application/json"),
            ("Vary", "Origin"),
        ]),
    };
    let mut blocked = 0;
    for _ in 0..n {
        let outcome = evaluate(&request, &Browser::ALL, |p| {
            Ok(if p.purpose == RequestPurpose::Preflight {
                preflight.clone()
            } else {
                actual.clone()
            })
        });
        blocked += outcome
            .browsers
            .iter()
            .filter(|b| b.blocking().is_some())
            .count();
    }
    std::hint::black_box(blocked);
}
