//! Fuzzes the console-message recognizer with arbitrary pasted bytes, read
//! as `explain` reads them (invalid UTF-8 replaced), as a whole paste.
#![no_main]
use libfuzzer_sys::fuzz_target;
use std::sync::OnceLock;

static RECOGNIZER: OnceLock<cors_engine::recognize::Recognizer> = OnceLock::new();

fuzz_target!(|bytes: &[u8]| {
    let recognizer = RECOGNIZER.get_or_init(cors_engine::recognize::Recognizer::new);
    let paste = String::from_utf8_lossy(bytes);
    let lines = paste.split('\n').count();
    let found = recognizer.recognize(&paste);
    for m in &found.messages {
        assert!(m.start <= m.end && m.end <= found.text.len());
        assert!(found.text.get(m.start..m.end).is_some(), "not on char boundaries");
        assert!(!m.candidates.is_empty());
        assert!((1..=lines).contains(&m.line));
    }
    for n in &found.network {
        assert!((1..=lines).contains(&n.line));
    }
    for n in &found.notes {
        assert!((1..=lines).contains(&n.line));
    }
});
