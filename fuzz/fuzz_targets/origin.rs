//! Fuzzes origin parsing and the Allow-Origin difference explainer.
#![no_main]
use libfuzzer_sys::fuzz_target;

fuzz_target!(|text: &str| {
    if let Ok(origin) = cors_engine::Origin::parse(text) {
        let serialized = origin.serialize();
        assert_eq!(
            cors_engine::Origin::parse(&serialized).map(|o| o.serialize()),
            Ok(serialized.clone())
        );
        let _ = cors_engine::origin_difference(&serialized, text);
    }
});
