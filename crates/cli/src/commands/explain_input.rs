//! `explain`'s input: the arguments, a file or standard input, read line by
//! line into the engine's streaming recognizer, so memory stays flat however
//! large the paste. Invalid UTF-8 is read leniently (console text is copied
//! from anywhere); a single line longer than [`LINE_LIMIT`] is an error.

use crate::cli::ExplainArgs;
use crate::exit::Failure;
use cors_engine::recognize::{Recognition, Recognizer, Stream};
use std::io::{BufRead, BufReader, Read};

/// The longest line `explain` reads (documented in `--help` and the README).
pub const LINE_LIMIT: usize = 16 * 1024 * 1024;
/// How much cleaned text the recognizer takes at a time.
const CHUNK: usize = 4 * 1024 * 1024;
/// How much of the start of the paste is kept, to suggest catalogue entries
/// when nothing is recognised.
const KEPT_START: usize = 64 * 1024;

/// What was recognised, and the start of the text.
pub struct Input {
    pub recognition: Recognition,
    pub start: String,
}

/// Reads the paste the arguments name and recognises it.
pub fn recognize(args: &ExplainArgs, recognizer: &Recognizer) -> Result<Input, Failure> {
    let from_stdin = match &args.file {
        Some(path) if path.as_os_str() == "-" => true,
        Some(path) => {
            let file = std::fs::File::open(path)
                .map_err(|e| Failure::usage(format!("cannot read {}: {e}", path.display())))?;
            return read(file, &path.display().to_string(), recognizer);
        }
        None => args.text.len() == 1 && args.text[0] == "-",
    };
    if !args.text.is_empty() && !from_stdin {
        let text = args.text.join(" ");
        return read(text.as_bytes(), "the arguments", recognizer);
    }
    if !from_stdin && std::io::IsTerminal::is_terminal(&std::io::stdin()) {
        return Err(Failure::usage("nothing to explain").with_hint(
            "paste the console message as an argument, pipe it on standard input (`-`), or use --file",
        ));
    }
    read(std::io::stdin().lock(), "standard input", recognizer)
}

fn read(source: impl Read, name: &str, recognizer: &Recognizer) -> Result<Input, Failure> {
    let mut reader = BufReader::with_capacity(64 * 1024, source);
    let mut stream = Stream::new(recognizer, CHUNK);
    let mut start = String::new();
    let mut line = Vec::new();
    let mut number = 0;
    loop {
        line.clear();
        number += 1;
        let more = read_line(&mut reader, &mut line, LINE_LIMIT).map_err(|e| match e {
            LineError::TooLong => Failure::usage(format!(
                "line {number} of {name} is longer than {} MiB",
                LINE_LIMIT / (1024 * 1024)
            ))
            .with_hint(
                "explain reads console text line by line; pass the lines that hold the errors",
            ),
            LineError::Io(e) => Failure::usage(format!("cannot read {name}: {e}")),
        })?;
        if !more {
            break;
        }
        let text = lenient_utf8(&line);
        if start.len() < KEPT_START {
            let mut end = (KEPT_START - start.len()).min(text.len());
            while !text.is_char_boundary(end) {
                end -= 1;
            }
            start.push_str(&text[..end]);
            start.push('\n');
        }
        stream.push_line(&text, number);
    }
    Ok(Input {
        recognition: stream.finish(),
        start,
    })
}

/// The line as text, each byte that is not UTF-8 read as `?`: one byte for
/// one byte (U+FFFD would triple a line of binary noise).
fn lenient_utf8(line: &[u8]) -> std::borrow::Cow<'_, str> {
    if let Ok(text) = std::str::from_utf8(line) {
        return text.into();
    }
    let mut text = String::with_capacity(line.len());
    for chunk in line.utf8_chunks() {
        text.push_str(chunk.valid());
        text.extend(std::iter::repeat_n('?', chunk.invalid().len()));
    }
    text.into()
}

pub(crate) enum LineError {
    TooLong,
    Io(std::io::Error),
}

/// One line into `line` without its `\n` (and `\r`), at most `limit`
/// bytes (longer: [`LineError::TooLong`]); false at the end. Also `audit`'s
/// reader of endpoint lists and records.
pub(crate) fn read_line(
    reader: &mut impl BufRead,
    line: &mut Vec<u8>,
    limit: usize,
) -> Result<bool, LineError> {
    let mut any = false;
    loop {
        let available = match reader.fill_buf() {
            Ok(b) => b,
            Err(e) if e.kind() == std::io::ErrorKind::Interrupted => continue,
            Err(e) => return Err(LineError::Io(e)),
        };
        if available.is_empty() {
            break;
        }
        any = true;
        let (part, done) = match available.iter().position(|b| *b == b'\n') {
            Some(i) => (&available[..i], i + 1),
            None => (available, available.len()),
        };
        if line.len() + part.len() > limit {
            return Err(LineError::TooLong);
        }
        line.extend_from_slice(part);
        let found = done <= available.len() && done > part.len();
        reader.consume(done);
        if found {
            break;
        }
    }
    if line.last() == Some(&b'\r') {
        line.pop();
    }
    Ok(any)
}
