//! Renders catalogue templates into the exact console text of a browser, and
//! the fix and explanation into the user's terms, from a finding's values.

use crate::browser::Browser;
use crate::catalogue::{entry, FindingId, Suffix};
use crate::catalogue_table::WEBKIT_MIXED_CONTENT_LOOPBACK;

/// Where in the exchange a finding arose; it changes the wording.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum Stage {
    /// Decided by the browser before sending anything.
    Client,
    /// The preflight (OPTIONS) response.
    Preflight,
    /// A redirect response of the actual request.
    Redirect,
    /// The final response of the actual request.
    Actual,
}

impl Stage {
    pub fn id(self) -> &'static str {
        match self {
            Stage::Client => "client",
            Stage::Preflight => "preflight",
            Stage::Redirect => "redirect",
            Stage::Actual => "actual",
        }
    }

    /// "the preflight (OPTIONS)", "the actual", "the redirect": used in fixes.
    pub fn response_words(self) -> &'static str {
        match self {
            Stage::Preflight => "preflight (OPTIONS)",
            Stage::Redirect => "redirect",
            Stage::Actual | Stage::Client => "actual",
        }
    }
}

/// The placeholder values of one finding.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct Values {
    /// The URL of the request whose response failed (Chromium's last URL).
    pub url: String,
    /// The first URL of a redirected request, when it differs from `url`.
    pub initial_url: Option<String>,
    /// The serialised request origin (`null` when opaque or tainted).
    pub origin: String,
    pub page: String,
    /// Chromium's `<kind>`: `fetch`, `XMLHttpRequest`, `script`… (static
    /// when the engine fills it, owned when parsed from pasted text).
    pub kind: std::borrow::Cow<'static, str>,
    pub header: Option<String>,
    pub method: Option<String>,
    /// The offending header value as the browser quotes it.
    pub value: Option<String>,
    pub status: Option<u16>,
    pub location: Option<String>,
    pub target_space: Option<String>,
    pub resource_space: Option<String>,
    pub scheme: Option<String>,
    /// The origin the page expected to be allowed (for fixes of `null`-tainted requests).
    pub page_origin: Option<String>,
}

/// The scheme list Chromium prints for `kCorsDisabledScheme` (varies by
/// build; Chromium 156's, conformance: redirect-to-ftp-url).
pub const CHROMIUM_CORS_SCHEMES: &str =
    "chrome, chrome-experimental-site-token-provider, chrome-extension, chrome-untrusted, data, http, https, isolated-app";

const PREFLIGHT_PREFIX: &str = "Response to preflight request doesn't pass access control check: ";
const CHROMIUM_CORS_START: &str = "Access to ";
const CHROMIUM_ANCHOR: &str = "has been blocked by CORS policy: ";

/// The conditions Chromium reports with a `kPreflight…` twin.
pub fn has_preflight_variant(id: FindingId) -> bool {
    use FindingId::*;
    matches!(
        id,
        AllowOriginMissing
            | AllowOriginMismatch
            | AllowOriginInvalid
            | AllowOriginNull
            | AllowOriginList
            | AllowOriginSpaceSeparated
            | AllowOriginDuplicateLines
            | RedirectTaintedOrigin
            | WildcardWithCredentials
            | AllowCredentialsNotTrue
    )
}

/// The sentence Chromium appends for this initiator kind.
pub fn chromium_suffix(suffix: Suffix, kind: &str) -> &'static str {
    match (suffix, kind) {
        (Suffix::ValidValue, "fetch") => " Have the server send the header with a valid value.",
        (Suffix::XhrCredentials, "XMLHttpRequest") => " The credentials mode of requests initiated by the XMLHttpRequest is controlled by the withCredentials attribute.",
        _ => "",
    }
}

/// The sentences older Chromium (before ~2025) appended for fetch(); kept
/// so `explain` recognises pasted messages from those versions.
pub fn legacy_chromium_suffix(suffix: Suffix, kind: &str) -> &'static str {
    match (suffix, kind) {
        (Suffix::OpaqueMode, "fetch") => " If an opaque response serves your needs, set the request's mode to 'no-cors' to fetch the resource with CORS disabled.",
        (Suffix::ValidValue, "fetch") => " Have the server send the header with a valid value, or, if an opaque response serves your needs, set the request's mode to 'no-cors' to fetch the resource with CORS disabled.",
        _ => "",
    }
}

/// The template of `id` for `browser` at `stage`, with stage-dependent
/// framing applied but placeholders left in.
pub fn framed_template(
    id: FindingId,
    browser: Browser,
    stage: Stage,
) -> Option<std::borrow::Cow<'static, str>> {
    let template = entry(id).template(browser)?;
    if browser == Browser::WebKit && id == FindingId::NetworkFailure && stage == Stage::Preflight {
        // A preflight that gets no response: WebKit prints the error's
        // description alone (conformance: preflight-connection-refused).
        return Some(std::borrow::Cow::Borrowed("{value}"));
    }
    let framed = has_preflight_variant(id)
        && ((browser == Browser::Chromium && stage == Stage::Preflight)
            || (browser == Browser::WebKit && stage == Stage::Redirect));
    if !framed {
        return Some(std::borrow::Cow::Borrowed(template));
    }
    let mut text = template.to_string();
    if browser == Browser::Chromium && stage == Stage::Preflight && has_preflight_variant(id) {
        if let Some(at) = text.find(CHROMIUM_ANCHOR) {
            text.insert_str(at + CHROMIUM_ANCHOR.len(), PREFLIGHT_PREFIX);
        }
    }
    if browser == Browser::WebKit && stage == Stage::Redirect && has_preflight_variant(id) {
        text = format!("Cross-origin redirection to {{location}} denied by Cross-Origin Resource Sharing policy: {text}");
    }
    Some(std::borrow::Cow::Owned(text))
}

/// The console message `browser` prints for this finding, if it prints one.
pub fn render(id: FindingId, browser: Browser, stage: Stage, values: &Values) -> Option<String> {
    if id == FindingId::RedirectNonHttpScheme {
        if let Some(line) = non_http_redirect_line(browser, values) {
            return line;
        }
    }
    if id == FindingId::MixedContent
        && browser == Browser::WebKit
        && insecure_host_is_loopback(values)
    {
        // WebKit does not upgrade loopback URLs, and its sentence stops
        // after "must" (conformance: mixed-https-to-http-127, -localhost).
        static LOOPBACK: std::sync::OnceLock<Compiled> = std::sync::OnceLock::new();
        let plan = LOOPBACK.get_or_init(|| {
            Compiled::new(std::borrow::Cow::Borrowed(WEBKIT_MIXED_CONTENT_LOOPBACK))
        });
        return Some(plan.render(id, values));
    }
    compiled(id, browser, stage)?
        .as_ref()
        .map(|plan| plan.render(id, values))
}

/// The scheme of a refused redirect's Location, lower-cased.
pub fn location_scheme(values: &Values) -> Option<String> {
    let location = values.location.as_deref()?;
    let (scheme, _) = location.split_once(':')?;
    Some(scheme.to_ascii_lowercase())
}

/// A redirect to a scheme other than http(s) is refused by a different layer
/// for each scheme, and each layer words it its own way (conformance:
/// redirect-to-{data,file,ftp,javascript}-url, redirect-to-about-blank).
/// `None`: the catalogue's template says it.
fn non_http_redirect_line(browser: Browser, values: &Values) -> Option<Option<String>> {
    let scheme = location_scheme(values)?;
    let location = values.location.as_deref()?;
    // The refused URL as the request's URL: the scheme check's wording.
    let at_location = || {
        let mut at = values.clone();
        at.initial_url = Some(
            values
                .initial_url
                .clone()
                .unwrap_or_else(|| values.url.clone()),
        );
        at.url = location.to_string();
        at
    };
    match (browser, scheme.as_str()) {
        // Chromium's network stack refuses these targets itself; the others
        // pass it and fail CORS's scheme check.
        // http(s) never reaches this finding: a sample, the template.
        (_, "http" | "https") => None,
        (Browser::Chromium, "data" | "file" | "about") | (Browser::Firefox, "data") => None,
        (Browser::Chromium, _) => Some(render(
            FindingId::CorsDisabledScheme,
            browser,
            Stage::Actual,
            &at_location(),
        )),
        (Browser::Firefox, "file") => Some(Some(format!(
            "Security Error: Content at {} may not load or link to {location}.",
            values.url
        ))),
        // Firefox only says that the request did not succeed.
        (Browser::Firefox, "javascript") => {
            let mut unknown = values.clone();
            unknown.status = None;
            Some(render(
                FindingId::NetworkFailure,
                browser,
                Stage::Actual,
                &unknown,
            ))
        }
        (Browser::Firefox, _) => Some(render(
            FindingId::CorsDisabledScheme,
            browser,
            Stage::Actual,
            &at_location(),
        )),
        (Browser::WebKit, "ftp") => Some(Some("FTP URLs are disabled".to_string())),
        (Browser::WebKit, _) => None,
    }
}

fn insecure_host_is_loopback(values: &Values) -> bool {
    values
        .location
        .as_deref()
        .and_then(|location| url::Url::parse(location).ok())
        .is_some_and(|url| url.host_str().is_some_and(crate::origin::is_loopback_host))
}

/// A framed template cut once into literal runs and placeholders, so that
/// rendering (every finding of every evaluation) only copies.
#[derive(Debug)]
struct Compiled {
    text: std::borrow::Cow<'static, str>,
    /// (start, end) of a literal run, then the placeholder that follows it.
    pieces: Vec<(usize, usize, Option<Placeholder>)>,
}

impl Compiled {
    fn new(text: std::borrow::Cow<'static, str>) -> Compiled {
        let mut pieces = Vec::new();
        let mut start = 0;
        for (open, close, name) in placeholders(&text) {
            // A name no value fills stays in the literal run.
            if let Some(placeholder) = Placeholder::from_name(name) {
                pieces.push((start, open, Some(placeholder)));
                start = close + 1;
            }
        }
        pieces.push((start, text.len(), None));
        Compiled { text, pieces }
    }

    fn render(&self, id: FindingId, values: &Values) -> String {
        let mut out = String::with_capacity(self.text.len() + 96);
        for (start, end, placeholder) in &self.pieces {
            out.push_str(self.text.get(*start..*end).unwrap_or(""));
            if let Some(placeholder) = placeholder {
                write_value(&mut out, id, *placeholder, values);
            }
        }
        out
    }
}

/// The plan for `(id, browser, stage)`: `None` when the cache has no slot
/// for it (then the caller renders from the template); `Some(None)` when
/// that browser prints nothing.
fn compiled(id: FindingId, browser: Browser, stage: Stage) -> Option<&'static Option<Compiled>> {
    use std::sync::OnceLock;
    const STAGES: [Stage; 4] = [
        Stage::Client,
        Stage::Preflight,
        Stage::Redirect,
        Stage::Actual,
    ];
    static PLANS: OnceLock<Vec<Option<Compiled>>> = OnceLock::new();
    let slot = |id: FindingId, browser: Browser, stage: Stage| {
        (id as usize * Browser::ALL.len() + browser as usize) * STAGES.len() + stage as usize
    };
    let plans = PLANS.get_or_init(|| {
        let mut plans = Vec::new();
        for id in FindingId::ALL {
            for browser in Browser::ALL {
                for stage in STAGES {
                    debug_assert_eq!(plans.len(), slot(*id, browser, stage));
                    plans.push(framed_template(*id, browser, stage).map(Compiled::new));
                }
            }
        }
        plans
    });
    plans.get(slot(id, browser, stage))
}

/// Appends the lines a browser's console shows around the main message of
/// a blocking finding.
pub fn push_companion_lines(
    console: &mut Vec<String>,
    browser: Browser,
    (id, stage): (FindingId, Stage),
    values: &Values,
    main: &str,
) {
    let failed_to_load = || {
        let mut line = String::with_capacity(main.len() + 25);
        line.push_str("Failed to load resource: ");
        line.push_str(main);
        line
    };
    match browser {
        Browser::WebKit => {
            // Recorded in WebKitGTK 2.50 (conformance: same-origin-mode-cross,
            // connection-refused): the main line is the whole report.
            if id == FindingId::SameOriginModeViolation
                || (id == FindingId::NetworkFailure && stage == Stage::Actual)
            {
                return;
            }
            // Refused before any request went out (not on a redirect hop, where
            // the insecure URL is the Location, not the request's URL).
            let refused_up_front = id == FindingId::NoCorsRedirectMode
                || (id == FindingId::MixedContent
                    && values.location.as_deref() == Some(values.url.as_str()));
            if refused_up_front {
                console.push("Not allowed to request resource".to_string());
            }
            let api = match &*values.kind {
                "fetch" => "Fetch API",
                "XMLHttpRequest" => "XMLHttpRequest",
                _ => {
                    console.push(failed_to_load());
                    return;
                }
            };
            let mut cannot_load = String::with_capacity(api.len() + values.url.len() + 48);
            cannot_load.push_str(api);
            cannot_load.push_str(" cannot load ");
            cannot_load.push_str(&values.url);
            cannot_load.push_str(" due to access control checks.");
            console.push(cannot_load);
            console.push(failed_to_load());
        }
        // Only CORS-policy messages start this way (tested on the catalogue).
        Browser::Chromium if main.starts_with(CHROMIUM_CORS_START) => {
            console.push("Failed to load resource: net::ERR_FAILED".to_string());
        }
        _ => {}
    }
}

/// The placeholders a template may hold.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
enum Placeholder {
    Url,
    Origin,
    Page,
    Kind,
    Header,
    Method,
    Value,
    Status,
    Location,
    /// The Location without `user:password@` (WebKit's redirect-with-credentials message).
    LocationWithoutCredentials,
    TargetSpace,
    ResourceSpace,
    Scheme,
    Schemes,
    InsecureKind,
    Redirected,
    Suffix,
}

impl Placeholder {
    fn from_name(name: &str) -> Option<Placeholder> {
        use Placeholder::*;
        Some(match name {
            "url" => Url,
            "origin" => Origin,
            "page" => Page,
            "kind" => Kind,
            "header" => Header,
            "method" => Method,
            "value" => Value,
            "status" => Status,
            "location" => Location,
            "location_without_credentials" => LocationWithoutCredentials,
            "target_space" => TargetSpace,
            "resource_space" => ResourceSpace,
            "scheme" => Scheme,
            "schemes" => Schemes,
            "insecure_kind" => InsecureKind,
            "redirected" => Redirected,
            "suffix" => Suffix,
            _ => return None,
        })
    }
}

/// Appends the value of placeholder `name` (unknown names are copied back
/// in braces).
#[cfg(test)]
fn write_placeholder(out: &mut String, id: FindingId, name: &str, v: &Values) {
    match Placeholder::from_name(name) {
        Some(placeholder) => write_value(out, id, placeholder, v),
        None => {
            out.push('{');
            out.push_str(name);
            out.push('}');
        }
    }
}

/// Appends the value of `placeholder` without intermediate allocations
/// (this runs for every finding of every evaluation).
fn write_value(out: &mut String, id: FindingId, placeholder: Placeholder, v: &Values) {
    fn opt(o: &Option<String>) -> &str {
        o.as_deref().unwrap_or("")
    }
    match placeholder {
        Placeholder::Url => out.push_str(&v.url),
        Placeholder::Origin => out.push_str(&v.origin),
        Placeholder::Page => out.push_str(&v.page),
        Placeholder::Kind => out.push_str(&v.kind),
        Placeholder::Header => out.push_str(opt(&v.header)),
        Placeholder::Method => out.push_str(opt(&v.method)),
        Placeholder::Value => out.push_str(opt(&v.value)),
        Placeholder::Status => match v.status {
            Some(s) => {
                let _ = std::fmt::Write::write_fmt(out, format_args!("{s}"));
            }
            None => out.push_str("(null)"),
        },
        Placeholder::Location => out.push_str(opt(&v.location)),
        Placeholder::LocationWithoutCredentials => {
            let location = opt(&v.location);
            let bare = url::Url::parse(location).ok().and_then(|mut url| {
                url.set_username("").ok()?;
                url.set_password(None).ok()?;
                Some(url)
            });
            out.push_str(bare.as_ref().map_or(location, url::Url::as_str));
        }
        Placeholder::TargetSpace => out.push_str(opt(&v.target_space)),
        Placeholder::ResourceSpace => out.push_str(opt(&v.resource_space)),
        Placeholder::Scheme => out.push_str(opt(&v.scheme)),
        Placeholder::Schemes => out.push_str(CHROMIUM_CORS_SCHEMES),
        Placeholder::InsecureKind => out.push_str(if v.kind == "XMLHttpRequest" {
            "XMLHttpRequest endpoint"
        } else {
            "resource"
        }),
        Placeholder::Redirected => {
            if let Some(initial) = v.initial_url.as_deref().filter(|i| *i != v.url) {
                out.push_str("(redirected from '");
                out.push_str(initial);
                out.push_str("') ");
            }
        }
        Placeholder::Suffix => out.push_str(chromium_suffix(entry(id).chromium_suffix, &v.kind)),
    }
}

/// Renders a template with the values of a finding.
#[cfg(test)]
fn render_template(template: &str, id: FindingId, values: &Values) -> String {
    fill(template, 96, |out, name| {
        write_placeholder(out, id, name, values)
    })
}

/// Replaces `{name}` with `lookup(name)`; text without braces is copied.
pub fn substitute(template: &str, lookup: impl Fn(&str) -> String) -> String {
    fill(template, 64, |out, name| out.push_str(&lookup(name)))
}

/// Copies `template`, letting `put` write each `{placeholder}`; other braces
/// are copied as they are.
fn fill(template: &str, extra: usize, mut put: impl FnMut(&mut String, &str)) -> String {
    let mut out = String::with_capacity(template.len() + extra);
    let mut start = 0;
    for (open, close, name) in placeholders(template) {
        out.push_str(template.get(start..open).unwrap_or(""));
        put(&mut out, name);
        start = close + 1;
    }
    out.push_str(template.get(start..).unwrap_or(""));
    out
}

/// Every `{name}` of `template` whose name looks like a placeholder, as
/// (position of `{`, position of `}`, name). A brace that opens no such name
/// is skipped, so `{{url}` yields `url`.
fn placeholders(template: &str) -> impl Iterator<Item = (usize, usize, &str)> {
    let bytes = template.as_bytes();
    let mut at = 0;
    std::iter::from_fn(move || loop {
        // Braces are ASCII, so every cut is on a char boundary.
        let open = at + memchr::memchr(b'{', bytes.get(at..)?)?;
        let after = open + 1;
        at = after;
        let close = after + memchr::memchr(b'}', bytes.get(after..)?)?;
        if let Some(name) = template
            .get(after..close)
            .filter(|n| is_placeholder_name(n))
        {
            at = close + 1;
            return Some((open, close, name));
        }
    })
}

fn is_placeholder_name(name: &str) -> bool {
    !name.is_empty() && name.bytes().all(|b| b.is_ascii_lowercase() || b == b'_')
}

/// The fix of a finding in the user's terms.
pub fn render_fix(id: FindingId, stage: Stage, values: &Values) -> String {
    let fix = entry(id).fix;
    // A `null` origin (file:, data:, sandboxed iframe) is fixed by giving
    // the page a real origin: `Access-Control-Allow-Origin: null` would let
    // every sandboxed page on the web in.
    if values.origin == "null" && values.page_origin.is_none() && fix.contains("{origin}") {
        return NULL_ORIGIN_FIX.to_string();
    }
    render_prose(fix, stage, values)
}

const NULL_ORIGIN_FIX: &str = "The page's origin is `null`: it was opened from a file: or data: URL or runs in a sandboxed iframe. Serve the page over http(s) (e.g. `npx serve .` or `python3 -m http.server` while developing) and allow that origin. Never answer `Access-Control-Allow-Origin: null`: every sandboxed iframe and data: page on the web sends `Origin: null` too.";

/// The explanation of a finding in the user's terms.
pub fn render_explanation(id: FindingId, stage: Stage, values: &Values) -> String {
    let mut text = render_prose(entry(id).explanation, stage, values);
    if id == FindingId::AllowOriginMismatch && names_an_unrelated_site(values) {
        text.push_str(" The allowed origin belongs to an unrelated site: a shared cache (a CDN or proxy) most likely served an answer made for that site's request to yours — make every response whose Access-Control-Allow-Origin depends on the request send `Vary: Origin`, and check that the CDN keys its cache on the Origin header.");
    }
    text
}

/// Whether an Access-Control-Allow-Origin value names a site unrelated to
/// the page (not the same registrable-looking domain, not localhost).
fn names_an_unrelated_site(v: &Values) -> bool {
    let host = |text: &str| {
        url::Url::parse(text)
            .ok()
            .and_then(|u| u.host_str().map(str::to_ascii_lowercase))
    };
    let (Some(allowed), Some(page)) = (v.value.as_deref().and_then(host), host(&v.origin)) else {
        return false;
    };
    let site = |h: &str| {
        let labels: Vec<&str> = h.rsplit('.').take(2).collect();
        labels.join(".")
    };
    let local = |h: &str| h == "localhost" || h.parse::<std::net::IpAddr>().is_ok();
    !local(&allowed) && !local(&page) && site(&allowed) != site(&page)
}

/// Whether `text` is a real serialised origin (`scheme://host[:port]`), not
/// a placeholder a user typed instead (`[website]`, `***`, `<origin>`,
/// `http://xxx`, `https://…`).
pub fn is_plausible_origin(text: &str) -> bool {
    is_plausible_url(text)
        && url::Url::parse(text).is_ok_and(|u| u.path() == "/" && !text.ends_with('/'))
}

/// Whether `text` is a real absolute URL rather than a placeholder or an
/// elided one.
pub fn is_plausible_url(text: &str) -> bool {
    const MARKS: [&str; 9] = ["…", "...", "***", "xxx", "XXX", "<", "[", "{", "(("];
    let Ok(url) = url::Url::parse(text) else {
        return false;
    };
    // An IPv6 host is written in brackets; other brackets are placeholders.
    let unbracketed = match url.host() {
        Some(url::Host::Ipv6(_)) => text.replace(['[', ']'], ""),
        _ => text.to_string(),
    };
    url.host_str()
        .is_some_and(|h| !h.is_empty() && !h.contains('*'))
        && !MARKS.iter().any(|m| unbracketed.contains(m))
}

fn render_prose(template: &str, stage: Stage, v: &Values) -> String {
    // A value the message did not carry (or carried as a placeholder) is
    // named by what to put there, never left empty.
    let url = (!v.url.is_empty()).then_some(v.url.as_str());
    substitute(template, |name| {
        match name {
        "response" => stage.response_words().to_string(),
        "origin" => {
            let origin = v.page_origin.clone().unwrap_or_else(|| v.origin.clone());
            if origin == "null" || is_plausible_origin(&origin) {
                origin
            } else {
                "<your page's origin, e.g. https://app.example.com>".to_string()
            }
        }
        "https_url" => match v.location.as_deref().or(url) {
            Some(u) => u.replacen("http://", "https://", 1),
            None => "the same URL with https://".to_string(),
        },
        "path" => match url {
            Some(u) => url::Url::parse(u)
                .map(|u| u.path().to_string())
                .unwrap_or_else(|_| u.to_string()),
            None => "<the API path>".to_string(),
        },
        "url" => url.map_or_else(|| "the final URL".to_string(), str::to_string),
        "method_hint" => match &v.method {
            Some(m) if m.bytes().any(|b| b.is_ascii_lowercase()) => format!(
                " (exactly `{m}`: methods compare case-sensitively and fetch() does not upper-case `{m}`), or make the page send `{}`",
                m.to_ascii_uppercase()
            ),
            _ => String::new(),
        },
        "status" => v.status.map(|s| s.to_string()).unwrap_or_else(|| "a non-2xx code".to_string()),
        "header" => v.header.clone().unwrap_or_else(|| "<the header your request sets>".to_string()),
        "method" => v.method.clone().unwrap_or_else(|| "<the method your request uses>".to_string()),
        "value" => v.value.clone().unwrap_or_else(|| "the value it sends now".to_string()),
        "location" => v.location.clone().or_else(|| url.map(str::to_string)).unwrap_or_else(|| "the redirect's target".to_string()),
        "target_space" => v.target_space.clone().unwrap_or_else(|| "local".to_string()),
        "resource_space" => v.resource_space.clone().unwrap_or_else(|| "local".to_string()),
        "scheme" => v.scheme.clone().unwrap_or_else(|| "this scheme".to_string()),
        other => format!("{{{other}}}"),
    }
    })
}

/// What WebKit prints for a request that got no HTTP response, by
/// Chromium's net error name (WebKitGTK 2.50's libsoup wording where it was
/// recorded: connection-refused, net-preflight-reset, net-preflight-close).
pub fn webkit_network_description(net_error: &str) -> &'static str {
    match net_error {
        "ERR_NAME_NOT_RESOLVED" => "A server with the specified hostname could not be found.",
        "ERR_CONNECTION_REFUSED" => "Could not connect to the server.",
        "ERR_TIMED_OUT" => "The request timed out.",
        "ERR_CONNECTION_RESET" => "Error receiving data: Connection reset by peer",
        "ERR_EMPTY_RESPONSE" => "Connection terminated unexpectedly",
        e if e.starts_with("ERR_CERT_") || e.starts_with("ERR_SSL_") => {
            "An SSL error has occurred and a secure connection to the server cannot be made."
        }
        _ => "The network connection was lost.",
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn compiled_templates_render_as_the_templates_do() {
        let mut v = values();
        v.initial_url = Some("https://a.example/start".into());
        v.status = Some(302);
        for e in crate::catalogue::entries() {
            for browser in Browser::ALL {
                for stage in [
                    Stage::Client,
                    Stage::Preflight,
                    Stage::Redirect,
                    Stage::Actual,
                ] {
                    let direct = framed_template(e.id, browser, stage)
                        .map(|t| render_template(&t, e.id, &v));
                    assert_eq!(render(e.id, browser, stage, &v), direct, "{:?}", e.id);
                }
            }
        }
        assert!(compiled(
            FindingId::AllowOriginMissing,
            Browser::WebKit,
            Stage::Redirect
        )
        .is_some());
    }

    #[test]
    fn only_chromium_cors_policy_messages_start_like_one() {
        for e in crate::catalogue::entries() {
            for stage in [
                Stage::Client,
                Stage::Preflight,
                Stage::Redirect,
                Stage::Actual,
            ] {
                if let Some(t) = framed_template(e.id, Browser::Chromium, stage) {
                    assert_eq!(
                        t.starts_with(CHROMIUM_CORS_START),
                        t.contains(CHROMIUM_ANCHOR),
                        "{t}"
                    );
                }
            }
        }
    }

    fn values() -> Values {
        Values {
            url: "https://api.example.com/data".into(),
            origin: "https://app.example.com".into(),
            page: "https://app.example.com/".into(),
            kind: "fetch".into(),
            status: Some(200),
            ..Values::default()
        }
    }

    #[test]
    fn chromium_missing_allow_origin_fetch() {
        let text = render(
            FindingId::AllowOriginMissing,
            Browser::Chromium,
            Stage::Actual,
            &values(),
        )
        .unwrap();
        assert_eq!(text, "Access to fetch at 'https://api.example.com/data' from origin 'https://app.example.com' has been blocked by CORS policy: No 'Access-Control-Allow-Origin' header is present on the requested resource.");
    }

    #[test]
    fn chromium_preflight_prefix_and_redirected_from() {
        let mut v = values();
        v.initial_url = Some("https://api.example.com/old".into());
        v.kind = "XMLHttpRequest".into();
        let text = render(
            FindingId::AllowOriginMissing,
            Browser::Chromium,
            Stage::Preflight,
            &v,
        )
        .unwrap();
        assert_eq!(text, "Access to XMLHttpRequest at 'https://api.example.com/data' (redirected from 'https://api.example.com/old') from origin 'https://app.example.com' has been blocked by CORS policy: Response to preflight request doesn't pass access control check: No 'Access-Control-Allow-Origin' header is present on the requested resource.");
    }

    #[test]
    fn firefox_and_webkit_wording() {
        let text = render(
            FindingId::AllowOriginMissing,
            Browser::Firefox,
            Stage::Actual,
            &values(),
        )
        .unwrap();
        assert_eq!(text, "Cross-Origin Request Blocked: The Same Origin Policy disallows reading the remote resource at https://api.example.com/data. (Reason: CORS header ‘Access-Control-Allow-Origin’ missing). Status code: 200.");
        let text = render(
            FindingId::AllowOriginMissing,
            Browser::WebKit,
            Stage::Actual,
            &values(),
        )
        .unwrap();
        assert_eq!(text, "Origin https://app.example.com is not allowed by Access-Control-Allow-Origin. Status code: 200");
    }

    #[test]
    fn a_mismatch_naming_an_unrelated_site_points_at_caches() {
        let mut v = values();
        v.value = Some("https://www.other-shop.com".into());
        let text = render_explanation(FindingId::AllowOriginMismatch, Stage::Actual, &v);
        assert!(
            text.contains("`Vary: Origin`") && text.contains("CDN"),
            "{text}"
        );
        // The same site with a slash, or another subdomain of it, is not a cache.
        for value in [
            "https://app.example.com/",
            "https://admin.example.com",
            "http://localhost:3000",
        ] {
            v.value = Some(value.into());
            let text = render_explanation(FindingId::AllowOriginMismatch, Stage::Actual, &v);
            assert!(!text.contains("CDN"), "{value}: {text}");
        }
    }

    #[test]
    fn placeholders_are_not_origins() {
        for text in [
            "[website]",
            "***",
            "<origin>",
            "http://xxx",
            "https://…",
            "https://a.example/",
        ] {
            assert!(!is_plausible_origin(text), "{text}");
        }
        for text in [
            "https://app.example.com",
            "http://localhost:3000",
            "http://[::1]:8080",
        ] {
            assert!(is_plausible_origin(text), "{text}");
        }
    }

    #[test]
    fn substitute_leaves_unknown_braces() {
        assert_eq!(substitute("a {b} {C} {", |_| "x".into()), "a x {C} {");
    }
}
