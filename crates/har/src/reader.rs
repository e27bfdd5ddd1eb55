//! The HAR reader: a HAR 1.2 document read as a stream, never held whole.
//! Bodies (`content.text`, `postData.text`, often base64 and most of the
//! bytes) are dropped before the JSON reader sees them (`elide`), and every
//! other member the diagnosis does not use is skipped without being
//! materialised; each string that is kept is bounded; nesting is
//! bounded. Only the entries a CORS diagnosis can use are kept: requests
//! with an `Origin` header (every cross-origin fetch, its preflight and its
//! redirect hops carry one), without their bodies. A malformed, truncated
//! or hostile file gives a [`HarError`] naming the byte offset, the line
//! and the member.

use std::cell::RefCell;
use std::fmt;
use std::io::Read;
use std::rc::Rc;

use crate::elide::{DropBodies, Elisions};

use struson::reader::{
    JsonReader, JsonReaderPosition, JsonStreamReader, JsonSyntaxError, ReaderError, ReaderSettings,
    SyntaxErrorKind, ValueType,
};

/// Bounds on what one file may make the reader hold.
#[derive(Clone, Copy, Debug)]
pub struct Limits {
    /// The longest string kept (a URL, a header value).
    pub max_string: usize,
    /// The most headers kept per request or response.
    pub max_headers: usize,
    /// The most entries kept (those with an `Origin` header).
    pub max_kept_entries: usize,
    /// The deepest nesting of arrays and objects.
    pub max_depth: u32,
}

impl Default for Limits {
    fn default() -> Limits {
        Limits {
            // Browsers take URLs up to 2 MiB (Chromium); headers are far shorter.
            max_string: 2 * 1024 * 1024,
            max_headers: 1000,
            max_kept_entries: 200_000,
            max_depth: 64,
        }
    }
}

/// The tool and browser a HAR names.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct Creator {
    pub name: String,
    pub version: String,
}

/// A page of the recording.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct Page {
    pub id: String,
    /// The page's URL in Chromium's and Firefox's exports (its title elsewhere).
    pub title: String,
}

/// One recorded request, without its bodies.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct Entry {
    /// Its position among all the file's entries (0-based).
    pub index: usize,
    pub pageref: Option<String>,
    pub method: String,
    pub url: String,
    pub request_headers: Vec<(String, String)>,
    /// 0 when no response came (a network error, or a request the browser blocked).
    pub status: u16,
    pub response_headers: Vec<(String, String)>,
    /// Chromium's `_error` (`net::ERR_FAILED`) or `response._error`.
    pub error: Option<String>,
    /// Chromium's `_fromCache` (`memory`, `disk`), or a 304.
    pub from_cache: bool,
    /// Chromium's `_resourceType` (`fetch`, `xhr`, `preflight`, `document`…).
    pub resource_type: Option<String>,
}

impl Entry {
    pub fn request_header(&self, name: &str) -> Option<&str> {
        self.request_headers
            .iter()
            .find(|(n, _)| n.eq_ignore_ascii_case(name))
            .map(|(_, v)| v.as_str())
    }
}

/// What the reader kept of a HAR file.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct Har {
    pub creator: Creator,
    pub browser: Option<Creator>,
    pub pages: Vec<Page>,
    /// Entries a CORS diagnosis can use, in file order: those with an
    /// `Origin` header, and those a script made (`_resourceType` fetch, xhr,
    /// eventsource, preflight), whose recorded headers may lack the `Origin`
    /// (Playwright records a failed request's provisional headers only).
    pub entries: Vec<Entry>,
    /// The first document each page loaded (`pageref`, URL): the page's URL
    /// when `pages[].title` is not one.
    pub documents: Vec<(Option<String>, String)>,
    /// Every entry the file holds.
    pub total_entries: usize,
}

/// Why a HAR file cannot be read, and where.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct HarError {
    /// Byte offset in the file, when known.
    pub offset: Option<u64>,
    /// 1-based line and column, when known.
    pub line: Option<(u64, u64)>,
    /// The member being read (`log.entries[3].request.url`).
    pub path: String,
    pub message: String,
}

impl fmt::Display for HarError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}", self.message)?;
        if !self.path.is_empty() {
            write!(f, " (in {})", self.path)?;
        }
        match (self.offset, self.line) {
            (Some(offset), Some((line, column))) => {
                write!(f, " at byte {offset}, line {line}, column {column}")
            }
            (Some(offset), None) => write!(f, " at byte {offset}"),
            (None, Some((line, column))) => write!(f, " at line {line}, column {column}"),
            (None, None) => Ok(()),
        }
    }
}

impl std::error::Error for HarError {}

/// Reads a HAR document from `input`. `progress` is told how many entries
/// have been read, every 1 024.
pub fn read_har(
    input: impl Read,
    limits: &Limits,
    progress: &mut dyn FnMut(usize),
) -> Result<Har, HarError> {
    let settings = ReaderSettings {
        track_path: false,
        max_nesting_depth: Some(limits.max_depth),
        ..ReaderSettings::default()
    };
    let (input, elisions) = DropBodies::new(input);
    let mut walker = Walker {
        json: JsonStreamReader::new_custom(input, settings),
        limits: *limits,
        path: Vec::new(),
        elisions,
    };
    let har = walker.document(progress)?;
    let end = walker.error("");
    walker
        .json
        .consume_trailing_whitespace()
        .map_err(|e| HarError {
            message: format!("text after the end of the HAR document ({e})"),
            path: String::new(),
            ..end
        })?;
    Ok(har)
}

/// One step of the path to the member being read.
enum Step {
    Member(&'static str),
    Item(usize),
}

struct Walker<R: Read> {
    json: JsonStreamReader<DropBodies<R>>,
    limits: Limits,
    path: Vec<Step>,
    /// The bodies dropped before the JSON reader, to give positions in the file's terms.
    elisions: Rc<RefCell<Elisions>>,
}

impl<R: Read> Walker<R> {
    fn error(&self, message: impl Into<String>) -> HarError {
        at(
            &self.path,
            &self.elisions.borrow(),
            &self.json.current_position(false),
            message.into(),
        )
    }

    /// A reader error as a [`HarError`], at the position the error names.
    fn fail(&self, e: ReaderError) -> HarError {
        fail(&self.path, &self.elisions.borrow(), e)
    }

    /// `{ … "log": { … } … }`
    fn document(&mut self, progress: &mut dyn FnMut(usize)) -> Result<Har, HarError> {
        let mut har = None;
        self.object(|w, name| {
            if name == "log" {
                har = Some(w.log(progress)?);
                Ok(true)
            } else {
                Ok(false)
            }
        })?;
        har.ok_or_else(|| self.error("this is JSON but not a HAR file: there is no `log` member"))
    }

    /// Walks an object's members: `member(walker, name)` reads the value and
    /// returns true, or returns false to have it skipped.
    fn object(
        &mut self,
        mut member: impl FnMut(&mut Self, &str) -> Result<bool, HarError>,
    ) -> Result<(), HarError> {
        self.expect(ValueType::Object)?;
        self.json.begin_object().map_err(|e| self.fail(e))?;
        while self.json.has_next().map_err(|e| self.fail(e))? {
            let name = self.json.next_name_owned().map_err(|e| self.fail(e))?;
            if !member(self, &name)? {
                self.json.skip_value().map_err(|e| self.fail(e))?;
            }
        }
        self.json.end_object().map_err(|e| self.fail(e))
    }

    fn expect(&mut self, wanted: ValueType) -> Result<(), HarError> {
        let found = self.json.peek().map_err(|e| self.fail(e))?;
        if found == wanted {
            Ok(())
        } else {
            Err(self.error(format!(
                "expected {}, found {}",
                type_name(wanted),
                type_name(found)
            )))
        }
    }

    fn within<T>(
        &mut self,
        step: Step,
        read: impl FnOnce(&mut Self) -> Result<T, HarError>,
    ) -> Result<T, HarError> {
        self.path.push(step);
        let value = read(self)?;
        self.path.pop();
        Ok(value)
    }

    /// A string member, bounded; `null` reads as empty.
    fn string(&mut self) -> Result<String, HarError> {
        let found = self.json.peek().map_err(|e| self.fail(e))?;
        match found {
            ValueType::Null => {
                self.json.next_null().map_err(|e| self.fail(e))?;
                return Ok(String::new());
            }
            ValueType::String => {}
            other => {
                return Err(self.error(format!("expected a string, found {}", type_name(other))))
            }
        }
        let max = self.limits.max_string;
        let mut out = String::new();
        let read = {
            let (path, elisions) = (&self.path, &self.elisions);
            let reader = self
                .json
                .next_string_reader()
                .map_err(|e| fail(path, &elisions.borrow(), e))?;
            reader
                .take(u64::try_from(max).unwrap_or(u64::MAX).saturating_add(1))
                .read_to_string(&mut out)
        };
        if let Err(e) = read {
            // The string reader wraps the JSON syntax error (a truncated file too).
            if let Some(syntax) = e
                .get_ref()
                .and_then(|inner| inner.downcast_ref::<JsonSyntaxError>())
            {
                return Err(self.fail(ReaderError::SyntaxError(syntax.clone())));
            }
            return Err(self.error(format!("not a valid JSON string: {e}")));
        }
        if out.len() > max {
            return Err(self.error(format!(
                "a string longer than {max} bytes, more than any browser records there"
            )));
        }
        Ok(out)
    }

    /// A number member as u16 (an HTTP status); anything else reads as 0.
    fn status(&mut self) -> Result<u16, HarError> {
        match self.json.peek().map_err(|e| self.fail(e))? {
            ValueType::Number => {
                let (path, elisions) = (&self.path, &self.elisions);
                let text = self
                    .json
                    .next_number_as_str()
                    .map_err(|e| fail(path, &elisions.borrow(), e))?;
                Ok(text
                    .parse::<f64>()
                    .ok()
                    .filter(|n| (0.0..=999.0).contains(n))
                    .map_or(0, |n| n as u16))
            }
            _ => {
                self.json.skip_value().map_err(|e| self.fail(e))?;
                Ok(0)
            }
        }
    }

    fn log(&mut self, progress: &mut dyn FnMut(usize)) -> Result<Har, HarError> {
        let mut har = Har::default();
        self.within(Step::Member("log"), |w| {
            w.object(|w, name| match name {
                "creator" => {
                    har.creator = w.within(Step::Member("creator"), Self::creator)?;
                    Ok(true)
                }
                "browser" => {
                    har.browser = Some(w.within(Step::Member("browser"), Self::creator)?);
                    Ok(true)
                }
                "pages" => {
                    har.pages = w.within(Step::Member("pages"), Self::pages)?;
                    Ok(true)
                }
                "entries" => {
                    w.within(Step::Member("entries"), |w| w.entries(&mut har, progress))?;
                    Ok(true)
                }
                _ => Ok(false),
            })
        })?;
        Ok(har)
    }

    fn creator(&mut self) -> Result<Creator, HarError> {
        let mut creator = Creator::default();
        self.object(|w, name| match name {
            "name" => {
                creator.name = w.within(Step::Member("name"), Self::string)?;
                Ok(true)
            }
            "version" => {
                creator.version = w.within(Step::Member("version"), Self::string)?;
                Ok(true)
            }
            _ => Ok(false),
        })?;
        Ok(creator)
    }

    fn pages(&mut self) -> Result<Vec<Page>, HarError> {
        let mut pages = Vec::new();
        self.array(|w, i| {
            if pages.len() >= w.limits.max_kept_entries {
                return Err(w.error("more pages than cors-doctor keeps"));
            }
            let mut page = Page::default();
            w.within(Step::Item(i), |w| {
                w.object(|w, name| match name {
                    "id" => {
                        page.id = w.within(Step::Member("id"), Self::string)?;
                        Ok(true)
                    }
                    "title" => {
                        page.title = w.within(Step::Member("title"), Self::string)?;
                        Ok(true)
                    }
                    _ => Ok(false),
                })
            })?;
            pages.push(page);
            Ok(())
        })?;
        Ok(pages)
    }

    fn array(
        &mut self,
        mut item: impl FnMut(&mut Self, usize) -> Result<(), HarError>,
    ) -> Result<(), HarError> {
        self.expect(ValueType::Array)?;
        self.json.begin_array().map_err(|e| self.fail(e))?;
        let mut i = 0;
        while self.json.has_next().map_err(|e| self.fail(e))? {
            item(self, i)?;
            i += 1;
        }
        self.json.end_array().map_err(|e| self.fail(e))
    }

    fn entries(&mut self, har: &mut Har, progress: &mut dyn FnMut(usize)) -> Result<(), HarError> {
        // A document with `entries` twice keeps counting: indexes stay unique.
        let base = har.total_entries;
        self.array(|w, i| {
            let entry = w.within(Step::Item(i), |w| w.entry(base + i))?;
            har.total_entries = base + i + 1;
            if har.total_entries % 1024 == 0 {
                progress(har.total_entries);
            }
            if entry.resource_type.as_deref() == Some("document")
                && !har.documents.iter().any(|(p, _)| *p == entry.pageref)
                && har.documents.len() < w.limits.max_kept_entries
            {
                har.documents
                    .push((entry.pageref.clone(), entry.url.clone()));
            }
            let script = matches!(
                entry.resource_type.as_deref(),
                Some("fetch" | "xhr" | "eventsource" | "preflight")
            );
            if script || entry.request_header("origin").is_some() {
                if har.entries.len() >= w.limits.max_kept_entries {
                    return Err(w.error(format!(
                        "more than {} cross-origin requests: split the recording",
                        w.limits.max_kept_entries
                    )));
                }
                har.entries.push(entry);
            }
            Ok(())
        })
    }

    fn entry(&mut self, index: usize) -> Result<Entry, HarError> {
        let mut entry = Entry {
            index,
            ..Entry::default()
        };
        self.object(|w, name| {
            match name {
                "pageref" => entry.pageref = Some(w.within(Step::Member("pageref"), Self::string)?),
                "request" => w.within(Step::Member("request"), |w| w.request(&mut entry))?,
                "response" => w.within(Step::Member("response"), |w| w.response(&mut entry))?,
                "_error" => entry.error = Some(w.within(Step::Member("_error"), Self::string)?),
                "_fromCache" => {
                    let value = w.within(Step::Member("_fromCache"), Self::string)?;
                    entry.from_cache |= !value.is_empty();
                }
                "_resourceType" => {
                    entry.resource_type =
                        Some(w.within(Step::Member("_resourceType"), Self::string)?);
                }
                _ => return Ok(false),
            }
            Ok(true)
        })?;
        Ok(entry)
    }

    fn request(&mut self, entry: &mut Entry) -> Result<(), HarError> {
        self.object(|w, name| {
            match name {
                "method" => entry.method = w.within(Step::Member("method"), Self::string)?,
                "url" => entry.url = w.within(Step::Member("url"), Self::string)?,
                "headers" => {
                    entry.request_headers = w.within(Step::Member("headers"), Self::headers)?
                }
                _ => return Ok(false),
            }
            Ok(true)
        })
    }

    fn response(&mut self, entry: &mut Entry) -> Result<(), HarError> {
        self.object(|w, name| {
            match name {
                "status" => entry.status = w.within(Step::Member("status"), Self::status)?,
                "headers" => {
                    entry.response_headers = w.within(Step::Member("headers"), Self::headers)?
                }
                // Chromium's DevTools writes `_error`; Playwright `_failureText`.
                "_error" | "_failureText" => {
                    let member = if name == "_error" {
                        "_error"
                    } else {
                        "_failureText"
                    };
                    let error = w.within(Step::Member(member), Self::string)?;
                    if !error.is_empty() {
                        entry.error = Some(error);
                    }
                }
                _ => return Ok(false),
            }
            Ok(true)
        })?;
        if entry.status == 304 {
            entry.from_cache = true;
        }
        Ok(())
    }

    fn headers(&mut self) -> Result<Vec<(String, String)>, HarError> {
        let mut headers = Vec::new();
        self.array(|w, i| {
            if headers.len() >= w.limits.max_headers {
                return Err(w.error(format!(
                    "more than {} headers in one message",
                    w.limits.max_headers
                )));
            }
            let (mut name, mut value) = (String::new(), String::new());
            w.within(Step::Item(i), |w| {
                w.object(|w, member| match member {
                    "name" => {
                        name = w.within(Step::Member("name"), Self::string)?;
                        Ok(true)
                    }
                    "value" => {
                        value = w.within(Step::Member("value"), Self::string)?;
                        Ok(true)
                    }
                    _ => Ok(false),
                })
            })?;
            // HTTP/2 pseudo-headers (`:authority`) are not header lines.
            if !name.starts_with(':') {
                headers.push((name, value));
            }
            Ok(())
        })?;
        Ok(headers)
    }
}

fn path_text(path: &[Step]) -> String {
    let mut out = String::new();
    for step in path {
        match step {
            Step::Member(name) => {
                if !out.is_empty() {
                    out.push('.');
                }
                out.push_str(name);
            }
            Step::Item(i) => out.push_str(&format!("[{i}]")),
        }
    }
    out
}

/// An error at `position` of the filtered stream, placed in the file.
fn at(
    path: &[Step],
    elisions: &Elisions,
    position: &JsonReaderPosition,
    message: String,
) -> HarError {
    let (offset, line) = match (position.data_pos, position.line_pos.as_ref()) {
        (Some(offset), Some(l)) => {
            let (offset, column) = elisions.original(offset, l.line, l.column);
            (Some(offset), Some((l.line + 1, column + 1)))
        }
        (Some(offset), None) => (Some(elisions.original(offset, u64::MAX, 0).0), None),
        // Without an offset, the column cannot be placed either.
        (None, l) => (None, l.map(|l| (l.line + 1, l.column + 1))),
    };
    HarError {
        offset,
        line,
        path: path_text(path),
        message,
    }
}

fn fail(path: &[Step], elisions: &Elisions, e: ReaderError) -> HarError {
    let (message, location) = match e {
        ReaderError::SyntaxError(s) if s.kind == SyntaxErrorKind::IncompleteDocument => (
            "the file ends in the middle of the document (truncated?)".to_string(),
            s.location,
        ),
        ReaderError::SyntaxError(s) => (format!("not valid JSON: {}", s.kind), s.location),
        ReaderError::UnexpectedValueType {
            expected,
            actual,
            location,
        } => (format!("expected {expected}, found {actual}"), location),
        ReaderError::UnexpectedStructure { kind, location } => {
            (format!("unexpected structure: {kind:?}"), location)
        }
        ReaderError::MaxNestingDepthExceeded {
            max_nesting_depth,
            location,
        } => (
            format!("nested deeper than {max_nesting_depth} levels"),
            location,
        ),
        ReaderError::IoError { error, location } => {
            let message = if error.kind() == std::io::ErrorKind::UnexpectedEof {
                "the file ends in the middle of the document (truncated?)".to_string()
            } else {
                format!("could not read the file: {error}")
            };
            (message, location)
        }
        other => {
            let message = other.to_string();
            return HarError {
                offset: None,
                line: None,
                path: path_text(path),
                message,
            };
        }
    };
    at(path, elisions, &location, message)
}

fn type_name(t: ValueType) -> &'static str {
    match t {
        ValueType::Array => "an array",
        ValueType::Object => "an object",
        ValueType::String => "a string",
        ValueType::Number => "a number",
        ValueType::Boolean => "true or false",
        ValueType::Null => "null",
    }
}
