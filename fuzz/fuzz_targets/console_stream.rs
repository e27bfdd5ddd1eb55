//! Fuzzes `explain`'s streaming reader: arbitrary bytes, cut into lines and
//! read leniently as `explain` reads them, fed to the engine's `Stream` in
//! chunks as small as the input says; every line number must stay inside the
//! paste and be reported in order, once.
#![no_main]
use libfuzzer_sys::fuzz_target;
use std::sync::OnceLock;

static RECOGNIZER: OnceLock<cors_engine::recognize::Recognizer> = OnceLock::new();

fuzz_target!(|input: (u16, &[u8])| {
    let (chunk, bytes) = input;
    let recognizer = RECOGNIZER.get_or_init(cors_engine::recognize::Recognizer::new);
    let mut stream = cors_engine::recognize::Stream::new(recognizer, usize::from(chunk));
    let mut lines = 0;
    for (i, line) in bytes.split(|b| *b == b'\n').enumerate() {
        stream.push_line(&String::from_utf8_lossy(line), i + 1);
        lines = i + 1;
    }
    let found = stream.finish();
    let mut last = 0;
    for m in &found.messages {
        assert!((1..=lines).contains(&m.line));
        assert!(m.line >= last, "messages out of order");
        last = m.line;
        assert!(!m.candidates.is_empty());
    }
    for n in &found.network {
        assert!((1..=lines).contains(&n.line));
    }
});
