//! What a browser puts on the wire and what comes back, as data: the planned
//! request (with the headers every browser adds), the response, and one
//! exchange of the two.

use url::Url;

/// `Sec-Fetch-Site` values, by how the target relates to the page.
const FETCH_SITES: [&str; 3] = ["same-origin", "same-site", "cross-site"];
/// `Sec-Fetch-Mode` values, by request mode.
const FETCH_MODES: [&str; 3] = ["cors", "no-cors", "same-origin"];

/// `Accept: */*` then the fetch metadata, for every site and mode, so a
/// planned request points at its lines instead of building them.
pub(crate) static BROWSER_HEADERS: [[[(&str, &str); 4]; 3]; 3] = {
    let mut table = [[[("", ""); 4]; 3]; 3];
    let mut site = 0;
    while site < 3 {
        let mut mode = 0;
        while mode < 3 {
            table[site][mode] = [
                ("Accept", "*/*"),
                ("Sec-Fetch-Site", FETCH_SITES[site]),
                ("Sec-Fetch-Mode", FETCH_MODES[mode]),
                ("Sec-Fetch-Dest", "empty"),
            ];
            mode += 1;
        }
        site += 1;
    }
    table
};

/// Why a request is sent.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum RequestPurpose {
    Preflight,
    Actual,
}

/// A request the browser puts on the wire.
#[derive(Clone, Debug, PartialEq, Eq, Hash)]
pub struct PlannedRequest {
    pub purpose: RequestPurpose,
    pub method: String,
    pub url: Url,
    /// The headers that matter for CORS: `Origin`, `Access-Control-Request-*`
    /// and the script's own headers, in the order the browser sends them.
    pub headers: Vec<(String, String)>,
    /// Headers the browser adds that servers rarely look at (Accept,
    /// Sec-Fetch-*); they may differ per browser.
    pub browser_headers: &'static [(&'static str, &'static str)],
    /// Whether cookies/HTTP auth go with the request.
    pub credentials: bool,
    /// Whether the request carries the script's body.
    pub with_body: bool,
}

impl PlannedRequest {
    /// A copy of [`PlannedRequest::headers`].
    pub fn owned_headers(&self) -> Vec<(String, String)> {
        self.headers.clone()
    }

    /// Every header line on the wire: the CORS-relevant ones, then the
    /// browser's own that the script did not set.
    pub fn wire_headers(&self) -> Vec<(String, String)> {
        let mut lines = self.headers.clone();
        for (name, value) in self.browser_headers {
            if !self
                .headers
                .iter()
                .any(|(n, _)| n.eq_ignore_ascii_case(name))
            {
                lines.push((name.to_string(), value.to_string()));
            }
        }
        lines
    }

    /// The hash [`NextRequest::wire_hash`] gives the flow's next request
    /// this was built from (`credentials`: whether that flag counts).
    pub(crate) fn wire_hash(&self, credentials: bool) -> u64 {
        let mut h = WireHasher::start(self.purpose, &self.method, &self.url, self.with_body);
        if credentials {
            h.credentials(self.credentials);
        }
        for (name, value) in &self.headers {
            h.line(name, value);
        }
        h.finish()
    }

    /// Two planned requests with the same key get the same answer from any
    /// sane server; the probe sends each key once.
    pub fn key(&self) -> (RequestPurpose, &str, &str, &[(String, String)], bool, bool) {
        (
            self.purpose,
            &self.method,
            self.url.as_str(),
            &self.headers,
            self.credentials,
            self.with_body,
        )
    }
}

/// Hashes the parts of a request that tell it apart on the wire, in one
/// order for a [`NextRequest`] and the [`PlannedRequest`] built from it.
struct WireHasher(std::collections::hash_map::DefaultHasher);

impl WireHasher {
    fn start(purpose: RequestPurpose, method: &str, url: &Url, with_body: bool) -> WireHasher {
        use std::hash::Hash;
        let mut h = std::collections::hash_map::DefaultHasher::new();
        purpose.hash(&mut h);
        method.hash(&mut h);
        url.as_str().hash(&mut h);
        with_body.hash(&mut h);
        WireHasher(h)
    }

    fn credentials(&mut self, credentials: bool) {
        std::hash::Hash::hash(&(credentials, 0xc_u8), &mut self.0);
    }

    fn line(&mut self, name: &str, value: &str) {
        std::hash::Hash::hash(name, &mut self.0);
        std::hash::Hash::hash(value, &mut self.0);
    }

    fn finish(self) -> u64 {
        std::hash::Hasher::finish(&self.0)
    }
}

/// A response as data.
#[derive(Clone, Debug, PartialEq, Eq, Default)]
pub struct Response {
    pub status: u16,
    /// Header lines in order, duplicates kept.
    pub headers: Vec<(String, String)>,
    /// The body failed after these headers arrived (they are still checked).
    pub body_failure: Option<BodyFailure>,
}

impl Response {
    /// A response whose body arrived whole.
    pub fn new(status: u16, headers: Vec<(String, String)>) -> Response {
        Response {
            status,
            headers,
            body_failure: None,
        }
    }
}

/// How a body failed after good headers.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum BodyFailure {
    /// The connection closed before `Content-Length` bytes arrived.
    ContentLengthMismatch,
    /// The connection closed inside a chunked body (no last chunk).
    IncompleteChunked,
    /// The body stopped arriving (a timeout, a reset).
    Interrupted,
}

impl BodyFailure {
    /// Chromium's net error for it.
    pub fn net_error(self) -> &'static str {
        match self {
            BodyFailure::ContentLengthMismatch => "ERR_CONTENT_LENGTH_MISMATCH",
            BodyFailure::IncompleteChunked => "ERR_INCOMPLETE_CHUNKED_ENCODING",
            BodyFailure::Interrupted => "ERR_FAILED",
        }
    }

    pub fn id(self) -> &'static str {
        match self {
            BodyFailure::ContentLengthMismatch => "content-length-mismatch",
            BodyFailure::IncompleteChunked => "incomplete-chunked-encoding",
            BodyFailure::Interrupted => "interrupted",
        }
    }
}

/// One request sent during [`evaluate`] and what came back, shared by every
/// browser that sent the same request.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Exchange {
    pub request: PlannedRequest,
    /// The response, or Chromium's net error name and a description.
    pub response: Result<Response, (String, String)>,
}

/// The next request of a flow, borrowed from it: what [`PlannedRequest`]
/// owns, built only when the request is new (see [`Flow::next_request`]).
pub(crate) struct NextRequest<'a> {
    pub(crate) purpose: RequestPurpose,
    pub(crate) method: &'a str,
    pub(crate) url: &'a Url,
    pub(crate) origin: Option<&'a str>,
    /// `Access-Control-Request-Method` and `-Headers` of a preflight.
    pub(crate) preflight: Option<(&'a str, Option<&'a str>)>,
    /// The script's headers (actual requests only).
    pub(crate) script_headers: &'a [(String, String)],
    pub(crate) credentials: bool,
    pub(crate) with_body: bool,
}

impl<'a> NextRequest<'a> {
    /// The browser's own CORS lines (`Origin`, `Access-Control-Request-*`),
    /// sent before the script's headers.
    fn own_lines(&self) -> ([(&'static str, &'a str); 3], usize) {
        let mut lines = [("", ""); 3];
        let mut count = 0;
        let mut add = |name, value| {
            if let Some(line) = lines.get_mut(count) {
                *line = (name, value);
                count += 1;
            }
        };
        if let Some(origin) = self.origin {
            add("Origin", origin);
        }
        if let Some((method, headers)) = self.preflight {
            add("Access-Control-Request-Method", method);
            if let Some(headers) = headers {
                add("Access-Control-Request-Headers", headers);
            }
        }
        (lines, count)
    }

    /// The CORS-relevant header lines in the order the browser sends them.
    pub(crate) fn header_lines(&self) -> Vec<(String, String)> {
        let (own, count) = self.own_lines();
        let own = own.get(..count).unwrap_or(&[]);
        let mut lines = Vec::with_capacity(own.len() + self.script_headers.len());
        lines.extend(own.iter().map(|(n, v)| (n.to_string(), v.to_string())));
        lines.extend_from_slice(self.script_headers);
        lines
    }

    /// A hash that [`NextRequest::is`] agrees with: equal for requests it
    /// calls the same ([`PlannedRequest::wire_hash`] of the built request).
    pub(crate) fn wire_hash(&self, credentials: bool) -> u64 {
        let (own, count) = self.own_lines();
        let own = own.get(..count).unwrap_or(&[]);
        let mut h = WireHasher::start(self.purpose, self.method, self.url, self.with_body);
        if credentials {
            h.credentials(self.credentials);
        }
        for (name, value) in own {
            h.line(name, value);
        }
        for (name, value) in self.script_headers {
            h.line(name, value);
        }
        h.finish()
    }

    /// Whether `other` is made of the very same parts: the same borrowed
    /// strings, URL and header slice (address and length) and the same
    /// flags. Then it is the same request without a byte compared; `false`
    /// says nothing ([`NextRequest::is`] compares the text). Two browsers'
    /// flows of one request borrow the same parts until a redirect.
    pub(crate) fn same_parts(&self, other: &NextRequest) -> bool {
        fn same(a: &str, b: &str) -> bool {
            std::ptr::eq(a, b)
        }
        let same_preflight = match (self.preflight, other.preflight) {
            (None, None) => true,
            (Some((m, h)), Some((om, oh))) => {
                same(m, om)
                    && match (h, oh) {
                        (None, None) => true,
                        (Some(h), Some(oh)) => same(h, oh),
                        _ => false,
                    }
            }
            _ => false,
        };
        let same_origin = match (self.origin, other.origin) {
            (None, None) => true,
            (Some(o), Some(oo)) => same(o, oo),
            _ => false,
        };
        self.purpose == other.purpose
            && self.credentials == other.credentials
            && self.with_body == other.with_body
            && same(self.method, other.method)
            && std::ptr::eq(self.url, other.url)
            && std::ptr::eq(self.script_headers, other.script_headers)
            && same_origin
            && same_preflight
    }

    /// Whether `planned` is this request (same [`PlannedRequest::key`];
    /// the credentials flag only when `credentials` says it matters).
    pub(crate) fn is(&self, planned: &PlannedRequest, credentials: bool) -> bool {
        if planned.purpose != self.purpose
            || (credentials && planned.credentials != self.credentials)
            || planned.with_body != self.with_body
            || planned.method != self.method
            || planned.url.as_str() != self.url.as_str()
        {
            return false;
        }
        let (own, count) = self.own_lines();
        let own = own.get(..count).unwrap_or(&[]);
        let (planned_own, planned_script) = planned
            .headers
            .split_at(own.len().min(planned.headers.len()));
        planned_script == self.script_headers
            && planned_own.len() == own.len()
            && planned_own
                .iter()
                .zip(own)
                .all(|((pn, pv), (n, v))| pn == n && pv == v)
    }
}

#[cfg(test)]
mod tests {
    use crate::browser::Browser;
    use crate::classify::classify_each;
    use crate::flow::Flow;
    use crate::request::{CredentialsMode, Mode, Request};
    use std::borrow::Cow;
    use url::Url;

    fn request(method: &str, header: Option<(&str, &str)>, mode: Mode) -> Option<Request> {
        let page = Url::parse("https://app.example.com/").ok()?;
        let url = Url::parse("https://api.example.com/v1/items/7").ok()?;
        let mut r = Request::new(page, url)
            .method(method)
            .credentials(CredentialsMode::Include);
        if let Some((name, value)) = header {
            r = r.header(name, value);
        }
        r.mode = mode;
        Some(r)
    }

    /// `same_parts` is a shortcut for `is`, never a second opinion: where
    /// it says two flows' next requests are the same, `is` agrees; the
    /// browsers of one request share parts; equal text from different
    /// strings is left to `is`.
    #[test]
    fn same_parts_is_a_shortcut_for_is() {
        // (request, whether its browsers classify it alike)
        let requests = [
            (
                request(
                    "PUT",
                    Some(("Content-Type", "application/json")),
                    Mode::Cors,
                ),
                true,
            ),
            (request("GET", None, Mode::Cors), true),
            (request("POST", Some(("X-Trace", "1")), Mode::NoCors), true),
            // Chromium drops it, Firefox and WebKit preflight it.
            (
                request("GET", Some(("User-Agent", "bot")), Mode::Cors),
                false,
            ),
        ];
        for (request, alike) in &requests {
            let Some(request) = request else {
                continue;
            };
            let origin = request.origin.serialize();
            let flows: Vec<Flow> = Browser::ALL
                .iter()
                .zip(classify_each(request, &Browser::ALL))
                .map(|(&b, class)| Flow::start_with(request, b, class, Cow::Borrowed(&origin)))
                .collect();
            let mut shared = 0;
            for a in &flows {
                for b in &flows {
                    let (Some(na), Some(nb)) = (a.next(), b.next()) else {
                        continue;
                    };
                    if nb.same_parts(&na) {
                        shared += 1;
                        assert!(nb.is(&a.planned(na), true), "{request:?}");
                    }
                }
            }
            assert_eq!(shared > flows.len(), *alike, "{request:?}: {shared}");
            // The same request parsed twice: equal text, other strings.
            let twin = request.clone();
            let (Some(flow), Some(other)) =
                (flows.first(), Some(Flow::start(&twin, Browser::Chromium)))
            else {
                continue;
            };
            if let (Some(n), Some(t)) = (flow.next(), other.next()) {
                assert!(!t.same_parts(&n));
                assert!(t.is(&flow.planned(n), true));
            }
        }
    }
}
