//! Fuzzes the `#token` list parser (Allow-Methods/-Headers/Expose-Headers),
//! the MIME essence parser and the Range parser.
#![no_main]
use libfuzzer_sys::fuzz_target;

fuzz_target!(|text: &str| {
    let _ = cors_engine::headers::parse_token_list(text);
    let _ = cors_engine::mime::essence(text);
    let _ = cors_engine::range::parse_single_range(text);
    let _ = cors_engine::max_age::parse(Some(text));
});
