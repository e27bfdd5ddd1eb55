//! Fuzzes the whole evaluation with arbitrary response header lines and
//! statuses: it must end, and never panic.
#![no_main]
use cors_engine::{evaluate, Browser, CredentialsMode, Request, Response};
use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: (u16, bool, &str)| {
    let (status, include, text) = data;
    let (Ok(page), Ok(url)) = (
        url::Url::parse("https://app.example.com/"),
        url::Url::parse("https://api.example.com/x"),
    ) else {
        return;
    };
    let mut request = Request::new(page, url).method("PUT").header("X-Test", "1");
    if include {
        request.credentials = CredentialsMode::Include;
    }
    let headers: Vec<(String, String)> = text
        .lines()
        .filter_map(|l| l.split_once(':'))
        .map(|(n, v)| (n.to_string(), v.to_string()))
        .collect();
    let response = Response { status, headers };
    let _ = evaluate(&request, &Browser::ALL, |_| Ok(response.clone()));
});
