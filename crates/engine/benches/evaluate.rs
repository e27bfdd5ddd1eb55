//! Criterion benchmark: one full evaluation of a preflighted, credentialed
//! request (classify, preflight check, actual check, all three browser
//! profiles, console messages rendered), with canned responses.

use cors_engine::{
    evaluate, Browser, CredentialsMode, PlannedRequest, Request, RequestPurpose, Response,
};
use criterion::{black_box, criterion_group, criterion_main, Criterion};
use url::Url;

fn lines(pairs: &[(&str, &str)]) -> Vec<(String, String)> {
    pairs
        .iter()
        .map(|(n, v)| (n.to_string(), v.to_string()))
        .collect()
}

fn bench(c: &mut Criterion) {
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
    let preflight_ok = Response {
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
    // The actual response lacks Allow-Credentials: every browser blocks and renders its message.
    let actual = Response {
        status: 200,
        headers: lines(&[
            ("Access-Control-Allow-Origin", "https://app.example.com"),
            ("Content-Type", "application/json"),
            ("Vary", "Origin"),
        ]),
    };
    c.bench_function(
        "evaluate preflighted credentialed request, 3 browsers",
        |b| {
            b.iter(|| {
                let outcome = evaluate(
                    black_box(&request),
                    &Browser::ALL,
                    |planned: &PlannedRequest| {
                        Ok(match planned.purpose {
                            RequestPurpose::Preflight => preflight_ok.clone(),
                            RequestPurpose::Actual => actual.clone(),
                        })
                    },
                );
                black_box(outcome)
            })
        },
    );
}

criterion_group!(benches, bench);
criterion_main!(benches);
