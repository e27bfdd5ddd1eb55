//! Fuzzes the HAR reader and judge: any bytes give a HAR or a HarError,
//! never a panic; an error's byte offset lies inside the input; a HAR that
//! reads is judged by the engine (as each browser) without panicking.
#![no_main]
use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    let limits = cors_har::Limits {
        max_string: 4096,
        max_headers: 64,
        max_kept_entries: 256,
        max_depth: 32,
    };
    match cors_har::read_har(data, &limits, &mut |_| {}) {
        Ok(har) => {
            for browser in cors_engine::Browser::ALL {
                let report = cors_har::judge(har.clone(), browser, String::new());
                assert!(report.cross_origin_entries <= report.total_entries);
            }
        }
        Err(e) => {
            if let Some(offset) = e.offset {
                assert!(offset <= data.len() as u64, "{e}");
            }
            assert!(!e.message.is_empty());
        }
    }
});
