//! What else a CORS paste holds: DevTools network lines (`OPTIONS U
//! net::ERR_CONNECTION_REFUSED`, `GET U net::ERR_FAILED 200`, `POST U 404
//! (Not Found)`), and errors that are not CORS but get pasted as if they
//! were (a cross-origin frame, a tainted canvas, a CSP violation, the
//! script-side `TypeError: Failed to fetch` or axios' `Network Error`), each
//! with what it means.

use crate::browser::Browser;

/// A DevTools network line (or Chromium's `Failed to load resource: net::…`).
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct NetworkLine {
    pub line: usize,
    pub method: Option<String>,
    pub url: Option<String>,
    /// Chromium's net error name without `net::` (`ERR_FAILED`).
    pub error: Option<String>,
    /// The HTTP status the line shows (after a net error: what the server
    /// answered before the browser blocked the response).
    pub status: Option<u16>,
}

impl NetworkLine {
    /// What the line means, in a sentence.
    pub fn meaning(&self) -> String {
        match self.error.as_deref() {
            Some(error) => net_error_meaning(error, self.status),
            None => match self.status {
                Some(status) if status >= 400 => format!("the server answered {status}: an HTTP error, not a CORS failure by itself — but error responses often lack the CORS headers, so the browser then also reports a CORS error for the same URL; fix the {status} (and send the CORS headers on error responses too)"),
                Some(status) => format!("the server answered {status}"),
                None => "a network request".to_string(),
            },
        }
    }

    /// Whether the line proves the failure is not CORS.
    pub fn is_not_cors(&self) -> bool {
        self.error.as_deref().is_some_and(|e| e != "ERR_FAILED")
    }
}

/// Chromium's net error names as users meet them next to CORS messages.
fn net_error_meaning(error: &str, status: Option<u16>) -> String {
    let not_cors = |what: &str| {
        format!("{what} — a network failure, not CORS: no response reached the CORS check")
    };
    match error {
        "ERR_FAILED" => match status {
            Some(status) => format!("Chromium's generic failure: the server did answer ({status}), and the browser withheld the response from the page — next to a CORS message, that block is what it is"),
            None => "Chromium's generic failure: next to a CORS message, it is that block (the line names no reason itself)".to_string(),
        },
        "ERR_CONNECTION_REFUSED" => not_cors("nothing accepts connections at that host and port (is the server running, on that port?)"),
        "ERR_NAME_NOT_RESOLVED" => not_cors("the host name does not resolve (typo, or a host only your machine or VPN knows)"),
        "ERR_INTERNET_DISCONNECTED" => not_cors("the browser is offline"),
        "ERR_CONNECTION_RESET" => not_cors("the server (or something between) reset the connection"),
        "ERR_CONNECTION_CLOSED" | "ERR_EMPTY_RESPONSE" => not_cors("the server closed the connection without an HTTP response"),
        "ERR_CONTENT_LENGTH_MISMATCH" | "ERR_INCOMPLETE_CHUNKED_ENCODING" => "the response's headers arrived (and passed the CORS check), then the body broke off before its end — reading the body fails in the script; not CORS".to_string(),
        "ERR_CONNECTION_TIMED_OUT" | "ERR_TIMED_OUT" => not_cors("the connection or the response timed out"),
        "ERR_ADDRESS_UNREACHABLE" | "ERR_NETWORK_CHANGED" | "ERR_NETWORK_ACCESS_DENIED" => not_cors("the network path to the server failed"),
        "ERR_BLOCKED_BY_CLIENT" => NoteKind::BlockedByClient.meaning(None),
        "ERR_BLOCKED_BY_RESPONSE" => "blocked by a response header (Cross-Origin-Resource-Policy, Cross-Origin-Embedder-Policy or X-Frame-Options) — not the CORS check".to_string(),
        "ERR_TOO_MANY_REDIRECTS" => "the URL redirects in a loop (more than 20 hops)".to_string(),
        "ERR_UNSAFE_REDIRECT" => "a redirect to a URL scheme the browser refuses to follow".to_string(),
        "ERR_ABORTED" => "the request was cancelled by the page (navigation, AbortController) — not CORS".to_string(),
        "ERR_INSUFFICIENT_RESOURCES" => "the browser ran out of resources for requests (too many at once, often a request loop) — not CORS".to_string(),
        "ERR_CLEARTEXT_NOT_PERMITTED" => "the platform (Android WebView) forbids plain http — not CORS".to_string(),
        e if e.starts_with("ERR_CERT_") || e.starts_with("ERR_SSL_") || e == "ERR_BAD_SSL_CLIENT_AUTH_CERT" => {
            "the TLS handshake failed (certificate or protocol) — not CORS: the browser never got a response; open the URL in a tab to see the certificate error".to_string()
        }
        e if e.starts_with("ERR_HTTP2_") || e.starts_with("ERR_QUIC_") => not_cors("the HTTP/2 or QUIC connection failed"),
        _ => format!("Chromium's network error {error}: the request failed below HTTP, so no CORS check ran"),
    }
}

/// Something pasted that is not a CORS console message.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum NoteKind {
    /// `Blocked a frame with origin … from accessing a cross-origin frame`.
    CrossOriginFrame,
    /// `Tainted canvases may not be exported`, `… tainted by cross-origin data`.
    TaintedCanvas,
    /// A Content-Security-Policy violation other than `connect-src`.
    Csp,
    /// What script sees (`TypeError: Failed to fetch`, `NetworkError when
    /// attempting to fetch resource.`, `Load failed`, axios `Network Error`).
    ScriptError,
    /// Safari's `Not allowed to request resource`.
    NotAllowedToRequest,
    /// `Failed to load resource: the server responded with a status of N`.
    HttpStatus,
    /// WebKit's `… due to access control checks.` with no reason line near.
    AccessControlChecks,
    /// `net::ERR_BLOCKED_BY_CLIENT`.
    BlockedByClient,
}

impl NoteKind {
    pub fn id(self) -> &'static str {
        match self {
            NoteKind::CrossOriginFrame => "cross-origin-frame",
            NoteKind::TaintedCanvas => "tainted-canvas",
            NoteKind::Csp => "csp",
            NoteKind::ScriptError => "script-error",
            NoteKind::NotAllowedToRequest => "not-allowed-to-request",
            NoteKind::HttpStatus => "http-status",
            NoteKind::AccessControlChecks => "access-control-checks",
            NoteKind::BlockedByClient => "blocked-by-client",
        }
    }

    /// Whether the text is a CORS failure at all (it may still hide one).
    pub fn is_cors(self) -> bool {
        matches!(self, NoteKind::AccessControlChecks)
    }

    /// What it is, what it is not, and where to look.
    pub fn meaning(self, browser: Option<Browser>) -> String {
        match self {
            NoteKind::CrossOriginFrame => "not CORS: the same-origin policy for frames. Script in one page tried to read or call into an iframe or window of another origin (`iframe.contentWindow.document`, `window.opener.x`); no server header changes that. Talk across origins with `postMessage` (and check `event.origin`), or serve both pages from one origin.".to_string(),
            NoteKind::TaintedCanvas => "not a blocked request: an image (or video) from another origin was drawn into a canvas without CORS, so reading the canvas back (`toDataURL`, `getImageData`, `toBlob`) is forbidden. Load the image with `img.crossOrigin = 'anonymous'` (set before `src`) and make the image's server send `Access-Control-Allow-Origin` for your origin (or `*`).".to_string(),
            NoteKind::Csp => "not CORS: your page's own Content-Security-Policy forbids this load; the request never leaves the browser and no header on the other server helps. Add the source to the directive the message names (e.g. `connect-src` for fetch/XHR, `img-src`, `script-src`) in the page's CSP header or meta tag.".to_string(),
            NoteKind::ScriptError => {
                let (what, console) = match browser {
                    Some(Browser::Chromium) => ("Chromium's `TypeError: Failed to fetch`", "the line starting `Access to fetch at … has been blocked by CORS policy:`"),
                    Some(Browser::Firefox) => ("Firefox's `NetworkError when attempting to fetch resource.`", "the line starting `Cross-Origin Request Blocked:`"),
                    Some(Browser::WebKit) => ("Safari's `Load failed`", "the `[Error]` line before `… due to access control checks.`"),
                    None => ("axios' `Network Error`", "the browser's own line (Chrome: `Access to XMLHttpRequest at … has been blocked by CORS policy:`; Firefox: `Cross-Origin Request Blocked:`)"),
                };
                format!("{what} is what script sees for any failed request — CORS, but also a refused connection, DNS, TLS, an ad blocker or a CSP rule; the browser hides the reason from script on purpose. The reason is in the console: look for {console}, with the console's \"Errors\" level shown, and paste that line; or run `cors-doctor check URL --origin ORIGIN`.")
            }
            NoteKind::NotAllowedToRequest => "Safari refused to send the request at all (`Not allowed to request resource`) — most often mixed content (an https page calling an http URL; Safari makes no exception for localhost or 127.0.0.1), else a no-cors request whose redirect mode is not `follow`. Safari logs the reason as a warning (`[blocked] The page at …`), hidden when the console shows only errors; or run `cors-doctor check URL --page PAGE_URL`".to_string(),
            NoteKind::HttpStatus => "an HTTP status, not a network or CORS failure: the server answered with an error. If a CORS message names the same URL, the error response lacks the CORS headers — fix the error, and make error responses carry the CORS headers too.".to_string(),
            NoteKind::AccessControlChecks => "Safari's summary line of a CORS failure; it names no reason. Safari prints the reason on the line before it (`Origin … is not allowed by Access-Control-Allow-Origin.`, `Preflight response is not successful.`, …): paste that line too, or run the check below.".to_string(),
            NoteKind::BlockedByClient => "blocked inside the browser by an extension (an ad or privacy blocker) — not CORS and not the server: disable the extension for this site, or rename the path it matches (e.g. `/ads/`, `/track`).".to_string(),
        }
    }
}

/// One note found in a line.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Note {
    pub line: usize,
    pub kind: NoteKind,
    pub browser: Option<Browser>,
    pub url: Option<String>,
    pub status: Option<u16>,
}

const METHODS: [&str; 9] = [
    "GET", "POST", "PUT", "DELETE", "PATCH", "OPTIONS", "HEAD", "CONNECT", "TRACE",
];

/// Notes and network lines of one cleaned line. `has_message` says whether
/// a CORS message was recognised on it (then a CSP or status word is part of
/// that message, not a note).
pub fn scan_line(
    line: &str,
    number: usize,
    has_message: bool,
    notes: &mut Vec<Note>,
    network: &mut Vec<NetworkLine>,
) {
    let note = |kind, browser| Note {
        line: number,
        kind,
        browser,
        url: None,
        status: None,
    };
    if line.contains("Blocked a frame with origin") {
        notes.push(note(NoteKind::CrossOriginFrame, None));
    }
    if line.contains("Tainted canvas") || line.contains("tainted by cross-origin data") {
        notes.push(note(NoteKind::TaintedCanvas, None));
    }
    if !has_message && line.contains("Content Security Policy") {
        notes.push(note(NoteKind::Csp, None));
    }
    if line.contains("Failed to fetch") && !line.contains("Failed to fetch dynamically") {
        notes.push(note(NoteKind::ScriptError, Some(Browser::Chromium)));
    } else if line.contains("NetworkError when attempting to fetch resource") {
        notes.push(note(NoteKind::ScriptError, Some(Browser::Firefox)));
    } else if line.contains("TypeError: Load failed") || line.trim_end_matches('.') == "Load failed"
    {
        notes.push(note(NoteKind::ScriptError, Some(Browser::WebKit)));
    } else if line.contains("Network Error") && !has_message {
        notes.push(note(NoteKind::ScriptError, None));
    }
    if line.contains("Not allowed to request resource") {
        notes.push(note(NoteKind::NotAllowedToRequest, Some(Browser::WebKit)));
    }
    if let Some(at) = line.find("the server responded with a status of ") {
        let digits: String = line[at + 38..]
            .chars()
            .take_while(char::is_ascii_digit)
            .collect();
        notes.push(Note {
            status: digits.parse().ok(),
            ..note(NoteKind::HttpStatus, None)
        });
    }
    if line.contains("net::ERR_") || line.contains("://") {
        network_lines(line, number, notes, network);
    }
}

/// `[METHOD] URL net::ERR_X [STATUS]`, `Failed to load resource: net::ERR_X`,
/// `METHOD URL STATUS (Text)`, Firefox's `METHOD URL [HTTP/1.1 405 …]`.
fn network_lines(line: &str, number: usize, notes: &mut Vec<Note>, network: &mut Vec<NetworkLine>) {
    let words: Vec<&str> = line.split(' ').collect();
    // The last `Failed` seen, for `Failed to load resource: net::…`.
    let mut last_failed = None;
    for (i, word) in words.iter().enumerate() {
        if *word == "Failed" {
            last_failed = Some(i);
        }
        let mut glued_url = None;
        let (error, status) = if let Some(at) = word.find("net::ERR_") {
            let name: String = word[at + 5..]
                .chars()
                .take_while(|c| c.is_ascii_uppercase() || c.is_ascii_digit() || *c == '_')
                .collect();
            // `net::ERR_X，https://…`: a URL glued after it.
            let after = &word[at + 5 + name.len()..];
            glued_url = url_start(after).map(|start| after[start..].to_string());
            let status = words.get(i + 1).and_then(|w| parse_status(w));
            (Some(name), status)
        } else if let Some(status) = parse_status(word).filter(|_| {
            words.get(i + 1).is_some_and(|w| w.starts_with('('))
                || words
                    .get(i.saturating_sub(1))
                    .is_some_and(|w| w.starts_with("[HTTP/"))
        }) {
            (None, Some(status))
        } else {
            continue;
        };
        // The URL and method before it (Firefox glues `GEThttp://…`).
        let mut j = i;
        if error.is_none()
            && words
                .get(i.wrapping_sub(1))
                .is_some_and(|w| w.starts_with("[HTTP/"))
        {
            j = i - 1;
        }
        let mut url = None;
        let mut method = None;
        if j > 0 {
            let before = words[j - 1];
            if let Some(start) = url_start(before) {
                let (glued, rest) = before.split_at(start);
                let rest = rest.trim_matches(['\'', '"']);
                let glued_method = METHODS.iter().find(|m| glued.ends_with(*m));
                url = Some(rest.to_string());
                method = glued_method.map(|m| m.to_string()).or_else(|| {
                    (j >= 2)
                        .then(|| words[j - 2])
                        .filter(|m| METHODS.contains(m))
                        .map(str::to_string)
                });
            }
        }
        // `app.js:1 Failed to load resource: net::…`: DevTools' source
        // column names the resource.
        if url.is_none() && error.is_some() {
            if let Some(k) = last_failed {
                if k > 0 && words.get(k + 1..k + 3) == Some(&["to", "load"][..]) {
                    let source = words[k - 1];
                    let bare = source
                        .rsplit_once(':')
                        .filter(|(_, n)| n.bytes().all(|b| b.is_ascii_digit()))
                        .map_or(source, |(u, _)| u);
                    url = Some(bare.to_string());
                }
            }
        }
        if url.is_none() {
            url = glued_url;
        }
        if error.is_none() && url.is_none() {
            continue;
        }
        if error.as_deref() == Some("ERR_BLOCKED_BY_CLIENT") {
            notes.push(Note {
                line: number,
                kind: NoteKind::BlockedByClient,
                browser: Some(Browser::Chromium),
                url: url.clone(),
                status: None,
            });
        }
        network.push(NetworkLine {
            line: number,
            method,
            url,
            error,
            status,
        });
    }
}

/// Where the URL in `word` starts: its scheme's first letter, though text
/// is glued before it (`GEThttp://…`, `，https://…`).
fn url_start(word: &str) -> Option<usize> {
    let scheme_end = word.find("://")?;
    Some(
        word[..scheme_end]
            .char_indices()
            .rev()
            .find(|(_, c)| !c.is_ascii_alphabetic())
            .map_or(0, |(p, c)| p + c.len_utf8()),
    )
}

fn parse_status(word: &str) -> Option<u16> {
    let word = word.trim_end_matches([',', '.']);
    (word.len() == 3 && word.bytes().all(|b| b.is_ascii_digit()))
        .then(|| word.parse().ok())
        .flatten()
        .filter(|s| (100..600).contains(s))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn scan(line: &str) -> (Vec<Note>, Vec<NetworkLine>) {
        let (mut notes, mut network) = (Vec::new(), Vec::new());
        scan_line(line, 1, false, &mut notes, &mut network);
        (notes, network)
    }

    #[test]
    fn devtools_network_lines() {
        let (_, n) = scan("OPTIONS http://localhost:8000/api/login net::ERR_CONNECTION_REFUSED");
        assert_eq!(n[0].method.as_deref(), Some("OPTIONS"));
        assert_eq!(n[0].url.as_deref(), Some("http://localhost:8000/api/login"));
        assert_eq!(n[0].error.as_deref(), Some("ERR_CONNECTION_REFUSED"));
        let (_, n) = scan("GET https://a.example/x net::ERR_FAILED 200");
        assert_eq!(n[0].status, Some(200));
        let (_, n) = scan("POST http://localhost:8000/api 404 (Not Found)");
        assert_eq!((n[0].status, n[0].error.clone()), (Some(404), None));
        let (notes, n) = scan("Failed to load resource: net::ERR_BLOCKED_BY_CLIENT");
        assert_eq!(n[0].url, None);
        assert_eq!(notes[0].kind, NoteKind::BlockedByClient);
    }

    #[test]
    fn not_cors() {
        let (notes, _) = scan("Uncaught DOMException: Blocked a frame with origin \"https://a\" from accessing a cross-origin frame.");
        assert_eq!(notes[0].kind, NoteKind::CrossOriginFrame);
        let (notes, _) = scan("TypeError: Failed to fetch");
        assert_eq!(notes[0].browser, Some(Browser::Chromium));
    }
}
