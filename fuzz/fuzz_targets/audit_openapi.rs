//! Fuzzes `audit --openapi`: a document (YAML or JSON) read and walked into
//! targets — never a panic, never a hang on `$ref` cycles or alias bombs;
//! every target has an http(s) URL and headers that parse again to
//! themselves.
#![no_main]
use libfuzzer_sys::fuzz_target;

fuzz_target!(|text: &str| {
    let Ok(doc) = cors_probe::audit_openapi::parse_openapi(text) else {
        return;
    };
    let base = url::Url::parse("http://127.0.0.1:8080/api").ok();
    for base in [None, base.as_ref()] {
        let Ok(targets) = cors_probe::audit_openapi::openapi_targets(&doc, base, None) else {
            continue;
        };
        for target in targets {
            assert!(matches!(target.url.scheme(), "http" | "https"));
            for (name, value) in &target.headers {
                let line = format!("{name}: {value}");
                assert_eq!(
                    cors_engine::headers::parse_header_line(&line),
                    Ok((name.clone(), value.clone()))
                );
            }
        }
    }
});
