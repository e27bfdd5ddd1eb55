//! Undoes what copying does to console text before recognition: markdown
//! quote markers, `[Error]` prefixes, timestamps, `Uncaught (in promise)`,
//! DevTools source links (`app.js:12`, `localhost/:1`, `VM123:4`) anywhere in
//! a line, curly quotes, and line breaks inside a wrapped message. The result
//! is one flat text (lines joined by a space, whitespace collapsed) with the
//! positions where the original lines started, so a match can span a wrapped
//! message and still be reported at its line.

/// A paste, flattened for matching.
#[derive(Clone, Debug, Default)]
pub struct Flat {
    /// The cleaned lines joined by single spaces.
    pub text: String,
    /// `(offset in text, 1-based line number)` of each non-empty cleaned line.
    pub lines: Vec<(usize, usize)>,
}

impl Flat {
    /// The original line number of a position in the flat text.
    pub fn line_at(&self, pos: usize) -> usize {
        match self.lines.binary_search_by(|(start, _)| start.cmp(&pos)) {
            Ok(i) => self.lines[i].1,
            Err(0) => self.lines.first().map_or(1, |l| l.1),
            Err(i) => self.lines[i - 1].1,
        }
    }

    /// Where the line holding `pos` ends in the flat text (exclusive).
    pub fn line_end(&self, pos: usize) -> usize {
        let next = self.lines.partition_point(|(start, _)| *start <= pos);
        match self.lines.get(next) {
            // The joining space belongs to no line.
            Some((start, _)) => start.saturating_sub(1),
            None => self.text.len(),
        }
    }

    /// Appends one raw line (without its line break).
    pub fn push_line(&mut self, raw: &str, number: usize) {
        let cleaned = clean_line(raw);
        self.push_clean(&cleaned, number);
    }

    /// Appends a line that is already clean.
    fn push_clean(&mut self, cleaned: &str, number: usize) {
        if cleaned.is_empty() {
            return;
        }
        if !self.text.is_empty() {
            self.text.push(' ');
        }
        self.lines.push((self.text.len(), number));
        self.text.push_str(cleaned);
    }

    /// The lines from the `from`-th on, as a new flat text.
    pub fn tail_lines(&self, from: usize) -> Flat {
        let mut tail = Flat::default();
        for (i, (start, number)) in self.lines.iter().enumerate().skip(from) {
            let end = self
                .lines
                .get(i + 1)
                .map_or(self.text.len(), |(next, _)| next.saturating_sub(1));
            tail.push_clean(self.text.get(*start..end).unwrap_or(""), *number);
        }
        tail
    }
}

/// Flattens a whole paste.
pub fn flatten(paste: &str) -> Flat {
    let mut flat = Flat {
        text: String::with_capacity(paste.len()),
        lines: Vec::new(),
    };
    for (index, line) in paste.split('\n').enumerate() {
        flat.push_line(line, index + 1);
    }
    flat
}

/// One line without its decorations and source links, quotes normalised,
/// whitespace collapsed.
pub fn clean_line(raw: &str) -> String {
    let mut out = String::with_capacity(raw.len());
    let unmarked = strip_markup(raw);
    let mut rest = strip_decorations(unmarked.trim());
    while !rest.is_empty() {
        rest = rest.trim_start();
        let end = rest.find(char::is_whitespace).unwrap_or(rest.len());
        let (word, tail) = rest.split_at(end);
        rest = tail;
        // DevTools names a failed resource by its URL in the source column.
        let names_resource = rest.trim_start().starts_with("Failed to load resource");
        if word.is_empty() || (is_source_link(word) && !names_resource) || is_decoration_word(word)
        {
            continue;
        }
        // A quote marker left inside a re-joined line: `blocked >by`.
        let word = match word.strip_prefix('>') {
            Some(rest) if rest.starts_with(char::is_alphabetic) => rest,
            _ => word,
        };
        if !out.is_empty() {
            out.push(' ');
        }
        for c in word.chars() {
            match c {
                '‘' | '’' => out.push('\''),
                '“' | '”' => out.push('"'),
                _ => out.push(c),
            }
        }
    }
    out
}

/// Markdown and HTML that pastes wrap messages in: code spans and fences,
/// bold, `<code>`, and Safari's source location `(file.js, line 12)`.
/// Browsers print no backticks that matter (templates drop them too).
fn strip_markup(raw: &str) -> std::borrow::Cow<'_, str> {
    // (mark, replacement): DevTools glues `[Learn More]` and `Understand
    // this error` to the message; what follows is another message.
    const MARKS: [(&str, &str); 7] = [
        ("`", ""),
        // Markdown turns the wildcard into emphasis.
        ("wildcard '_'", "wildcard '*'"),
        ("<code>", ""),
        ("</code>", ""),
        ("<br>", " "),
        ("[Learn More]", " "),
        ("Understand this error", " "),
    ];
    let needs =
        MARKS.iter().any(|(m, _)| raw.contains(m)) || raw.contains(", line ") || raw.contains("**");
    if !needs {
        return std::borrow::Cow::Borrowed(raw);
    }
    let mut text = strip_bold(raw);
    for (m, by) in MARKS {
        if text.contains(m) {
            text = text.replace(m, by);
        }
    }
    // `(file, line 0)`: WebKit's source location. One forward pass, each
    // look bounded, whatever the line holds.
    if text.contains(", line ") {
        text = strip_webkit_locations(&text);
    }
    std::borrow::Cow::Owned(text)
}

/// Removes every `(name, line N)` (a name without spaces, at most
/// [`MAX_LOCATION_NAME`] bytes).
fn strip_webkit_locations(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    let mut copied = 0;
    let mut search = 0;
    while let Some(found) = text.get(search..).and_then(|t| t.find(", line ")) {
        let at = search + found;
        search = at + ", line ".len();
        let digits = text[search..]
            .bytes()
            .take_while(u8::is_ascii_digit)
            .count();
        let close = search + digits;
        if digits == 0 || text.as_bytes().get(close) != Some(&b')') {
            continue;
        }
        let mut from = at.saturating_sub(MAX_LOCATION_NAME).max(copied);
        while !text.is_char_boundary(from) {
            from += 1;
        }
        let Some(open) = text[from..at].rfind('(').map(|o| from + o) else {
            continue;
        };
        if text[open..at].contains(' ') {
            continue;
        }
        out.push_str(&text[copied..open]);
        copied = close + 1;
        search = copied;
    }
    out.push_str(&text[copied..]);
    out
}

/// The longest source name in WebKit's `(name, line N)`.
const MAX_LOCATION_NAME: usize = 256;

/// Drops markdown bold (`**` exactly), keeping longer runs of `*` (a
/// masked host `http://****.example.com`).
fn strip_bold(raw: &str) -> String {
    let mut out = String::with_capacity(raw.len());
    let mut rest = raw;
    while let Some(at) = rest.find('*') {
        out.push_str(&rest[..at]);
        let run = rest[at..].bytes().take_while(|b| *b == b'*').count();
        if run != 2 {
            out.push_str(&rest[at..at + run]);
        }
        rest = &rest[at + run..];
    }
    out.push_str(rest);
    out
}

/// Prefixes that consoles, chat clients and markdown put before a message.
fn strip_decorations(mut line: &str) -> &str {
    loop {
        let before = line;
        line = line.trim_start();
        for marker in [
            ">", "- ", "* ", "•", "❌", "⚠️", "⚠", "✖", "×", "▶", "►", "⛔", "🔴", "🚫", "#", "\"",
            "_", "! ",
        ] {
            if let Some(rest) = line.strip_prefix(marker) {
                line = rest;
            }
        }
        for prefix in [
            "[Error]",
            "[error]",
            "[Warning]",
            "[warning]",
            "[Log]",
            "[Info]",
            "[Debug]",
            "Error:",
            "ERROR",
            "Uncaught (in promise)",
            "Uncaught",
            "console.error",
            "(anonymous)",
        ] {
            if let Some(rest) = strip_prefix_word(line, prefix) {
                line = rest;
            }
        }
        line = strip_timestamp(line);
        line = strip_list_number(line);
        if line.len() == before.len() {
            return line;
        }
    }
}

/// `prefix` at the start of `line`, followed by a non-word character.
fn strip_prefix_word<'a>(line: &'a str, prefix: &str) -> Option<&'a str> {
    let rest = line.strip_prefix(prefix)?;
    match rest.chars().next() {
        Some(c) if c.is_alphanumeric() => None,
        _ => Some(rest),
    }
}

/// `12:00:01.123`, `[12:00:01]`, `2024-01-02T03:04:05.678Z`, `2024-01-02 03:04:05`.
fn strip_timestamp(line: &str) -> &str {
    let bracketed = line.starts_with('[');
    let body = if bracketed { &line[1..] } else { line };
    let bytes = body.as_bytes();
    let mut i = 0;
    // An optional date first.
    if bytes.len() >= 10
        && bytes[..4].iter().all(u8::is_ascii_digit)
        && bytes[4] == b'-'
        && bytes[7] == b'-'
    {
        i = 10;
        if matches!(bytes.get(i), Some(b'T' | b' ')) {
            i += 1;
        }
    }
    let time_start = i;
    let digits = |from: usize| {
        bytes[from.min(bytes.len())..]
            .iter()
            .take_while(|b| b.is_ascii_digit())
            .count()
    };
    let h = digits(i);
    if !(1..=2).contains(&h) || bytes.get(i + h) != Some(&b':') {
        if i == 0 {
            return line;
        }
    } else {
        i += h + 1;
        let m = digits(i);
        if m != 2 {
            return line;
        }
        i += m;
        if bytes.get(i) == Some(&b':') {
            let s = digits(i + 1);
            if s != 2 {
                return line;
            }
            i += 1 + s;
        }
        if matches!(bytes.get(i), Some(b'.' | b',')) {
            let f = digits(i + 1);
            if f > 0 {
                i += 1 + f;
            }
        }
        if bytes.get(i) == Some(&b'Z') {
            i += 1;
        }
    }
    if i == time_start && i == 0 {
        return line;
    }
    if bracketed {
        if bytes.get(i) != Some(&b']') {
            return line;
        }
        i += 1;
    }
    match body.as_bytes().get(i) {
        None => "",
        Some(b) if b.is_ascii_whitespace() || *b == b':' || *b == b'|' || *b == b'-' => {
            body[i + 1..].trim_start_matches([' ', '-', '|'])
        }
        Some(_) => line,
    }
}

/// `1. `, `2.`, `(1) `: a numbered list item or DevTools' repeat count.
fn strip_list_number(line: &str) -> &str {
    let (body, close) = match line.strip_prefix('(') {
        Some(rest) => (rest, b')'),
        None => (line, b'.'),
    };
    let digits = body.bytes().take_while(u8::is_ascii_digit).count();
    if digits == 0 || digits > 3 || body.as_bytes().get(digits) != Some(&close) {
        return line;
    }
    let rest = &body[digits + 1..];
    // `1.5 s` is not a list item; `1.Failed` is.
    match rest.chars().next() {
        Some(c) if c.is_ascii_digit() => line,
        _ => rest,
    }
}

/// Words consoles print that are never part of a message.
fn is_decoration_word(word: &str) -> bool {
    matches!(
        word,
        "[Learn" | "More]" | "[Learn More]" | "[Error]" | "[Warning]"
    )
}

/// A DevTools source link: `app.js:12`, `xhr.js:177:7`, `main.3f2a.chunk.js:1`,
/// `localhost/:1`, `(index):12`, `VM123:4`, `<anonymous>:1:2`, `index.html:1`.
/// A URL (`//`) or a bare `host:port` is not one.
pub fn is_source_link(word: &str) -> bool {
    let word = word.trim_end_matches([',', ')']).trim_start_matches('(');
    if word.contains("//") {
        return false;
    }
    // Strip `:line(:column)?`.
    let mut rest = word;
    let mut numbers = 0;
    while let Some(colon) = rest.rfind(':') {
        let tail = &rest[colon + 1..];
        if tail.is_empty() || !tail.bytes().all(|b| b.is_ascii_digit()) {
            break;
        }
        rest = &rest[..colon];
        numbers += 1;
        if numbers == 2 {
            break;
        }
    }
    if numbers == 0 || rest.is_empty() {
        return false;
    }
    let name = rest.trim_start_matches('(');
    if name == "index)" || name == "index" || name == "<anonymous>" {
        return true;
    }
    if let Some(digits) = name.strip_prefix("VM") {
        return !digits.is_empty() && digits.bytes().all(|b| b.is_ascii_digit());
    }
    // `localhost/:1`, `app.example.com/login:1`: a page path.
    if name.contains(['/', '?']) && !name.contains(' ') {
        return true;
    }
    let file = name.split('?').next().unwrap_or(name);
    const SOURCE_EXTENSIONS: [&str; 16] = [
        ".js", ".mjs", ".cjs", ".jsx", ".ts", ".tsx", ".vue", ".svelte", ".html", ".htm", ".php",
        ".aspx", ".jsp", ".dart", ".coffee", ".map",
    ];
    SOURCE_EXTENSIONS.iter().any(|ext| file.ends_with(ext))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn decorations_go() {
        assert_eq!(
            clean_line("> [Error] Origin x is not allowed"),
            "Origin x is not allowed"
        );
        assert_eq!(clean_line("12:00:01.123 [Error] abc  app.js:42:7"), "abc");
        assert_eq!(clean_line("[2024-01-02T03:04:05.678Z] abc"), "abc");
        assert_eq!(clean_line("Uncaught (in promise) abc"), "abc");
        assert_eq!(
            clean_line("Access to fetch at 'x' has been blocked zone.js:2863 by CORS"),
            "Access to fetch at 'x' has been blocked by CORS"
        );
        assert_eq!(clean_line("localhost/:1 Access to"), "Access to");
        assert_eq!(clean_line("(index):12 Access to"), "Access to");
        assert_eq!(clean_line("VM123:4 Access to"), "Access to");
    }

    #[test]
    fn urls_and_hosts_stay() {
        for word in [
            "http://localhost:3000",
            "localhost:3000",
            "127.0.0.1:8080",
            "'http://a.b:1'",
        ] {
            assert!(!is_source_link(word), "{word}");
        }
    }

    #[test]
    fn lines_map_back() {
        let flat = flatten("a\n\n> b\nc");
        assert_eq!(flat.text, "a b c");
        assert_eq!(flat.line_at(0), 1);
        assert_eq!(flat.line_at(2), 3);
        assert_eq!(flat.line_at(4), 4);
        assert_eq!(flat.line_end(2), 3);
        assert_eq!(flat.line_end(4), 5);
    }
}
