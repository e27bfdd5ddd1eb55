//! Fuzzes the `#token` list parser (Allow-Methods/-Headers/Expose-Headers),
//! the one-pass list validator (against the item-by-item check), the MIME
//! essence parser and the Range parser.
#![no_main]
use libfuzzer_sys::fuzz_target;

fuzz_target!(|text: &str| {
    let _ = cors_engine::headers::parse_token_list(text);
    assert_eq!(
        cors_engine::headers::first_invalid_item(text),
        cors_engine::headers::list_items(text).find(|i| !cors_engine::method::is_token(i))
    );
    let _ = cors_engine::mime::essence(text);
    let _ = cors_engine::range::parse_single_range(text);
    let _ = cors_engine::max_age::parse(Some(text));
});
