//! Fuzzes the console-message recognizer with arbitrary pasted text.
#![no_main]
use libfuzzer_sys::fuzz_target;
use std::sync::OnceLock;

static RECOGNIZER: OnceLock<cors_engine::recognize::Recognizer> = OnceLock::new();

fuzz_target!(|text: &str| {
    let recognizer = RECOGNIZER.get_or_init(cors_engine::recognize::Recognizer::new);
    for line in text.lines() {
        for found in recognizer.recognize_line(line) {
            assert!(found.start <= found.end && found.end <= line.len());
            assert!(!found.candidates.is_empty());
        }
    }
});
