//! Fuzzes the safelist and the Access-Control-Request-Headers builder with
//! arbitrary header lists (split on NUL / newline).
#![no_main]
use cors_engine::Browser;
use libfuzzer_sys::fuzz_target;

fuzz_target!(|text: &str| {
    let headers: Vec<(String, String)> = text
        .split('\n')
        .map(|line| match line.split_once('\0') {
            Some((n, v)) => (n.to_string(), v.to_string()),
            None => (line.to_string(), String::new()),
        })
        .collect();
    for browser in Browser::ALL {
        let names = cors_engine::safelist::unsafe_header_names(&headers, browser);
        let mut sorted = names.clone();
        sorted.sort();
        sorted.dedup();
        assert_eq!(names, sorted);
    }
});
