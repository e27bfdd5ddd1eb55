//! `har --redact IN OUT`: a copy of a HAR that is safe to attach to a bug
//! report, written as a stream (the file is never held whole, and strings
//! are copied piece by piece). Removed: cookies (`cookies` arrays emptied),
//! the values of `Cookie`, `Set-Cookie`, `Authorization` and other
//! credential headers, credential-like query values in URLs and
//! `queryString`, and — unless bodies are kept — request and response
//! bodies. Header names stay, so a redacted copy is judged exactly as the
//! original (a `Cookie` header still marks a credentialed request).

use std::io::{Read, Write};

use struson::reader::{
    JsonReader, JsonStreamReader, ReaderError, ReaderSettings, TransferError, ValueType,
};
use struson::writer::{JsonStreamWriter, JsonWriter};
use url::Url;

use crate::reader::HarError;

/// What replaces a secret.
pub const REDACTED: &str = "[redacted]";

/// Query parameters whose values are credentials (`token=`, `api_key=`, `sig=`…).
pub fn is_secret_parameter(name: &str) -> bool {
    let name = name.to_ascii_lowercase();
    [
        "token",
        "key",
        "secret",
        "password",
        "passwd",
        "auth",
        "session",
        "sig",
        "signature",
        "code",
        "credential",
        "jwt",
        "bearer",
    ]
    .iter()
    .any(|s| name.contains(s))
}

/// Request and response headers whose values are credentials.
pub fn is_secret_header(name: &str) -> bool {
    let name = name.to_ascii_lowercase();
    matches!(
        name.as_str(),
        "cookie" | "set-cookie" | "authorization" | "proxy-authorization"
    ) || name.contains("token")
        || name.contains("api-key")
        || name.contains("apikey")
        || name.contains("secret")
}

/// `url` with credential-like query values and any user info replaced.
pub fn redact_url(url: &str) -> String {
    let Ok(mut parsed) = Url::parse(url) else {
        return url.to_string();
    };
    let mut changed = false;
    if !parsed.username().is_empty() || parsed.password().is_some() {
        let _ = parsed.set_username("");
        let _ = parsed.set_password(None);
        changed = true;
    }
    if parsed.query().is_some() && parsed.query_pairs().any(|(k, _)| is_secret_parameter(&k)) {
        let pairs: Vec<(String, String)> = parsed
            .query_pairs()
            .map(|(k, v)| {
                let v = if is_secret_parameter(&k) {
                    REDACTED.to_string()
                } else {
                    v.into_owned()
                };
                (k.into_owned(), v)
            })
            .collect();
        parsed.query_pairs_mut().clear().extend_pairs(pairs);
        changed = true;
    }
    if changed {
        parsed.to_string()
    } else {
        url.to_string()
    }
}

/// What `redact` removed, for the summary line.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct Redacted {
    pub header_values: usize,
    pub cookie_lists: usize,
    pub urls: usize,
    pub bodies: usize,
}

/// Copies the HAR document of `input` to `output` with the secrets removed
/// (and the bodies, unless `keep_bodies`).
pub fn redact(
    input: impl Read,
    output: impl Write,
    keep_bodies: bool,
) -> Result<Redacted, HarError> {
    let settings = ReaderSettings {
        track_path: false,
        max_nesting_depth: Some(64),
        ..ReaderSettings::default()
    };
    let mut copier = Copier {
        json: JsonStreamReader::new_custom(input, settings),
        out: JsonStreamWriter::new(output),
        keep_bodies,
        done: Redacted::default(),
        path: Vec::new(),
    };
    copier.value()?;
    let Copier {
        json, out, done, ..
    } = copier;
    json.consume_trailing_whitespace()
        .map_err(|e| plain(format!("text after the end of the HAR document ({e})")))?;
    out.finish_document()
        .map_err(|e| plain(format!("could not write the copy: {e}")))?;
    Ok(done)
}

fn plain(message: String) -> HarError {
    HarError {
        offset: None,
        line: None,
        path: String::new(),
        message,
    }
}

struct Copier<R: Read, W: Write> {
    json: JsonStreamReader<R>,
    out: JsonStreamWriter<W>,
    keep_bodies: bool,
    done: Redacted,
    /// Member names down to the value being copied.
    path: Vec<String>,
}

impl<R: Read, W: Write> Copier<R, W> {
    fn read_err(&self, e: ReaderError) -> HarError {
        let mut error = plain(format!("not a readable HAR: {e}"));
        error.path = self.path.join(".");
        error
    }

    fn write_err(e: impl std::fmt::Display) -> HarError {
        plain(format!("could not write the copy: {e}"))
    }

    fn transfer(&mut self) -> Result<(), HarError> {
        self.json.transfer_to(&mut self.out).map_err(|e| match e {
            TransferError::ReaderError(e) => self.read_err(e),
            TransferError::WriterError(e) => Self::write_err(e),
        })
    }

    fn parent(&self) -> Option<&str> {
        self.path.last().map(String::as_str)
    }

    /// Copies the next value, redacting by where it is.
    fn value(&mut self) -> Result<(), HarError> {
        match self.json.peek().map_err(|e| self.read_err(e))? {
            ValueType::Object => self.object(),
            ValueType::Array => {
                self.json.begin_array().map_err(|e| self.read_err(e))?;
                self.out.begin_array().map_err(Self::write_err)?;
                while self.json.has_next().map_err(|e| self.read_err(e))? {
                    self.value()?;
                }
                self.json.end_array().map_err(|e| self.read_err(e))?;
                self.out.end_array().map_err(Self::write_err)
            }
            _ => self.transfer(),
        }
    }

    fn object(&mut self) -> Result<(), HarError> {
        self.json.begin_object().map_err(|e| self.read_err(e))?;
        self.out.begin_object().map_err(Self::write_err)?;
        while self.json.has_next().map_err(|e| self.read_err(e))? {
            let name = self.json.next_name_owned().map_err(|e| self.read_err(e))?;
            let in_message = matches!(self.parent(), Some("request" | "response"));
            let body = !self.keep_bodies
                && ((name == "text" && matches!(self.parent(), Some("content" | "postData")))
                    || (name == "params" && self.parent() == Some("postData")));
            if body {
                self.json.skip_value().map_err(|e| self.read_err(e))?;
                self.done.bodies += 1;
                continue;
            }
            self.out.name(&name).map_err(Self::write_err)?;
            if in_message && name == "cookies" {
                self.json.skip_value().map_err(|e| self.read_err(e))?;
                self.out.begin_array().map_err(Self::write_err)?;
                self.out.end_array().map_err(Self::write_err)?;
                self.done.cookie_lists += 1;
            } else if in_message && (name == "headers" || name == "queryString") {
                self.pairs(name == "headers")?;
            } else if (in_message && name == "url")
                || (name == "redirectURL" && self.parent() == Some("response"))
            {
                self.url()?;
            } else {
                self.path.push(name);
                self.value()?;
                self.path.pop();
            }
        }
        self.json.end_object().map_err(|e| self.read_err(e))?;
        self.out.end_object().map_err(Self::write_err)
    }

    /// A string this copy must read whole (a URL, a header name), bounded.
    fn string(&mut self) -> Result<String, HarError> {
        const MAX: u64 = 2 * 1024 * 1024;
        let mut text = String::new();
        let path = self.path.join(".");
        let read = self
            .json
            .next_string_reader()
            .map_err(|e| {
                let mut error = plain(format!("not a readable HAR: {e}"));
                error.path = path;
                error
            })?
            .take(MAX + 1)
            .read_to_string(&mut text);
        match read {
            Err(e) => Err(plain(format!("not a readable HAR: {e}"))),
            Ok(n) if n as u64 > MAX => Err(plain(format!(
                "a URL or header name longer than {MAX} bytes (in {})",
                self.path.join(".")
            ))),
            Ok(_) => Ok(text),
        }
    }

    fn url(&mut self) -> Result<(), HarError> {
        if self.json.peek().map_err(|e| self.read_err(e))? != ValueType::String {
            return self.value();
        }
        let url = self.string()?;
        let redacted = redact_url(&url);
        if redacted != url {
            self.done.urls += 1;
        }
        self.out.string_value(&redacted).map_err(Self::write_err)
    }

    /// `[{"name", "value", …}]`: values of secret headers (or query
    /// parameters) replaced, everything else copied.
    fn pairs(&mut self, headers: bool) -> Result<(), HarError> {
        if self.json.peek().map_err(|e| self.read_err(e))? != ValueType::Array {
            return self.value();
        }
        self.json.begin_array().map_err(|e| self.read_err(e))?;
        self.out.begin_array().map_err(Self::write_err)?;
        while self.json.has_next().map_err(|e| self.read_err(e))? {
            if self.json.peek().map_err(|e| self.read_err(e))? != ValueType::Object {
                self.value()?;
                continue;
            }
            self.json.begin_object().map_err(|e| self.read_err(e))?;
            self.out.begin_object().map_err(Self::write_err)?;
            let mut secret = false;
            let mut seen_name = false;
            while self.json.has_next().map_err(|e| self.read_err(e))? {
                let member = self.json.next_name_owned().map_err(|e| self.read_err(e))?;
                self.out.name(&member).map_err(Self::write_err)?;
                let is_string =
                    self.json.peek().map_err(|e| self.read_err(e))? == ValueType::String;
                if member == "name" && is_string {
                    let name = self.string()?;
                    seen_name = true;
                    secret = if headers {
                        is_secret_header(&name)
                    } else {
                        is_secret_parameter(&name)
                    };
                    self.out.string_value(&name).map_err(Self::write_err)?;
                } else if member == "value" && (secret || !seen_name) && is_string {
                    // A value before its name cannot be told safe: redacted too.
                    self.json.skip_value().map_err(|e| self.read_err(e))?;
                    self.out.string_value(REDACTED).map_err(Self::write_err)?;
                    self.done.header_values += 1;
                } else {
                    self.value()?;
                }
            }
            self.json.end_object().map_err(|e| self.read_err(e))?;
            self.out.end_object().map_err(Self::write_err)?;
        }
        self.json.end_array().map_err(|e| self.read_err(e))?;
        self.out.end_array().map_err(Self::write_err)
    }
}
