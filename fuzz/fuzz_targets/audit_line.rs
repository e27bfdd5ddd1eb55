//! Fuzzes `audit`'s input lines (a URL or an NDJSON endpoint object) and
//! `Name: value` header parsing: never a panic; a parsed target keeps an
//! http(s) URL and headers that parse again to themselves.
#![no_main]
use libfuzzer_sys::fuzz_target;

fuzz_target!(|text: &str| {
    let origin = cors_engine::Origin::parse("https://app.example.com").ok();
    if let Ok(Some(target)) = cors_probe::audit_input::parse_target_line(text, origin.as_ref()) {
        assert!(matches!(target.url.scheme(), "http" | "https"));
        for (name, value) in &target.headers {
            let line = format!("{name}: {value}");
            assert_eq!(
                cors_engine::headers::parse_header_line(&line),
                Ok((name.clone(), value.clone()))
            );
        }
    }
    let _ = cors_engine::headers::parse_header_line(text);
});
