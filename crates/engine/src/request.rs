//! The request as the page's script makes it: page, target, method as
//! written, headers, mode, credentials mode and the API that initiates it.

use crate::browser::AddressSpace;
use crate::headers::{is_valid_name, is_valid_value};
use crate::method::is_token;
use crate::origin::Origin;
use std::fmt;
use url::Url;

/// The request mode (`fetch(url, {mode})`).
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum Mode {
    Cors,
    NoCors,
    SameOrigin,
}

impl Mode {
    pub fn id(self) -> &'static str {
        match self {
            Mode::Cors => "cors",
            Mode::NoCors => "no-cors",
            Mode::SameOrigin => "same-origin",
        }
    }

    pub fn from_id(text: &str) -> Option<Mode> {
        match text {
            "cors" => Some(Mode::Cors),
            "no-cors" => Some(Mode::NoCors),
            "same-origin" => Some(Mode::SameOrigin),
            _ => None,
        }
    }
}

/// The credentials mode (`fetch(url, {credentials})`, XHR `withCredentials`).
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum CredentialsMode {
    Omit,
    SameOrigin,
    Include,
}

impl CredentialsMode {
    pub fn id(self) -> &'static str {
        match self {
            CredentialsMode::Omit => "omit",
            CredentialsMode::SameOrigin => "same-origin",
            CredentialsMode::Include => "include",
        }
    }

    pub fn from_id(text: &str) -> Option<CredentialsMode> {
        match text {
            "omit" => Some(CredentialsMode::Omit),
            "same-origin" => Some(CredentialsMode::SameOrigin),
            "include" => Some(CredentialsMode::Include),
            _ => None,
        }
    }
}

/// What fetch() does with a redirect (`fetch(url, {redirect})`).
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum RedirectMode {
    Follow,
    Error,
    Manual,
}

impl RedirectMode {
    pub fn from_id(text: &str) -> Option<RedirectMode> {
        match text {
            "follow" => Some(RedirectMode::Follow),
            "error" => Some(RedirectMode::Error),
            "manual" => Some(RedirectMode::Manual),
            _ => None,
        }
    }
}

/// The API or element that makes the request; it changes Chromium's wording.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum Initiator {
    Fetch,
    XmlHttpRequest,
    Script,
    Stylesheet,
    Font,
    Image,
    Audio,
    Video,
    Manifest,
    TextTrack,
    EventSource,
}

impl Initiator {
    pub const ALL: [Initiator; 11] = [
        Initiator::Fetch,
        Initiator::XmlHttpRequest,
        Initiator::Script,
        Initiator::Stylesheet,
        Initiator::Font,
        Initiator::Image,
        Initiator::Audio,
        Initiator::Video,
        Initiator::Manifest,
        Initiator::TextTrack,
        Initiator::EventSource,
    ];

    pub fn id(self) -> &'static str {
        match self {
            Initiator::Fetch => "fetch",
            Initiator::XmlHttpRequest => "xhr",
            Initiator::Script => "script",
            Initiator::Stylesheet => "stylesheet",
            Initiator::Font => "font",
            Initiator::Image => "image",
            Initiator::Audio => "audio",
            Initiator::Video => "video",
            Initiator::Manifest => "manifest",
            Initiator::TextTrack => "text-track",
            Initiator::EventSource => "eventsource",
        }
    }

    pub fn from_id(text: &str) -> Option<Initiator> {
        let lower = text.to_ascii_lowercase();
        Initiator::ALL
            .into_iter()
            .find(|i| i.id() == lower)
            .or(match lower.as_str() {
                "xmlhttprequest" => Some(Initiator::XmlHttpRequest),
                "css" => Some(Initiator::Stylesheet),
                _ => None,
            })
    }

    /// The `<kind>` Chromium prints in "Access to <kind> at …".
    pub fn chromium_kind(self) -> &'static str {
        match self {
            Initiator::Fetch => "fetch",
            Initiator::XmlHttpRequest => "XMLHttpRequest",
            Initiator::Script => "script",
            Initiator::Stylesheet => "CSS stylesheet",
            Initiator::Font => "font",
            Initiator::Image => "image",
            Initiator::Audio => "audio",
            Initiator::Video => "video",
            Initiator::Manifest => "manifest",
            Initiator::TextTrack => "text track",
            Initiator::EventSource => "resource",
        }
    }

    /// Only fetch() and XMLHttpRequest can set methods and headers.
    pub fn is_script_api(self) -> bool {
        matches!(self, Initiator::Fetch | Initiator::XmlHttpRequest)
    }
}

/// A cross-origin request as the page's script (or markup) makes it.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Request {
    /// The document's URL; its scheme decides mixed content.
    pub page_url: Url,
    /// The request's origin; normally the page's, `Origin::Opaque` for sandboxed frames.
    pub origin: Origin,
    pub url: Url,
    /// The method as the script wrote it (`patch` stays `patch`).
    pub method: String,
    /// Headers the script sets, in order, names as written.
    pub headers: Vec<(String, String)>,
    pub mode: Mode,
    pub credentials: CredentialsMode,
    pub initiator: Initiator,
    /// XHR with upload listeners or a streaming body: always preflighted.
    pub force_preflight: bool,
    /// The page's IP address space, when known (Local Network Access).
    pub initiator_address_space: Option<AddressSpace>,
    /// The target's IP address space, when known (from the resolved address).
    pub target_address_space: Option<AddressSpace>,
    /// `fetch(url, {targetAddressSpace})`, Chromium's Local Network Access option.
    pub declared_target_address_space: Option<AddressSpace>,
    pub redirect: RedirectMode,
}

/// A request that cannot even be described (as opposed to one a browser blocks).
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum RequestError {
    InvalidMethod(String),
    InvalidHeaderName(String),
    InvalidHeaderValue { name: String },
    UnsupportedUrl(String),
}

impl fmt::Display for RequestError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            RequestError::InvalidMethod(m) => write!(
                f,
                "`{m}` is not a valid HTTP method (a token: letters, digits and !#$%&'*+-.^_`|~)"
            ),
            RequestError::InvalidHeaderName(n) => write!(f, "`{n}` is not a valid header name"),
            RequestError::InvalidHeaderValue { name } => write!(
                f,
                "the value of header `{name}` contains a line break or NUL"
            ),
            RequestError::UnsupportedUrl(u) => write!(f, "`{u}` is not an http(s) URL"),
        }
    }
}

impl std::error::Error for RequestError {}

impl Request {
    /// A `fetch(url)` from a page at `page_url`: GET, mode cors, credentials same-origin.
    pub fn new(page_url: Url, url: Url) -> Request {
        Request {
            origin: Origin::of_url(&page_url),
            page_url,
            url,
            method: "GET".to_string(),
            headers: Vec::new(),
            mode: Mode::Cors,
            credentials: CredentialsMode::SameOrigin,
            initiator: Initiator::Fetch,
            force_preflight: false,
            initiator_address_space: None,
            target_address_space: None,
            declared_target_address_space: None,
            redirect: RedirectMode::Follow,
        }
    }

    pub fn method(mut self, method: &str) -> Request {
        self.method = method.to_string();
        self
    }

    pub fn header(mut self, name: &str, value: &str) -> Request {
        self.headers.push((name.to_string(), value.to_string()));
        self
    }

    pub fn credentials(mut self, credentials: CredentialsMode) -> Request {
        self.credentials = credentials;
        self
    }

    pub fn mode(mut self, mode: Mode) -> Request {
        self.mode = mode;
        self
    }

    pub fn initiator(mut self, initiator: Initiator) -> Request {
        self.initiator = initiator;
        self
    }

    pub fn origin(mut self, origin: Origin) -> Request {
        self.origin = origin;
        self
    }

    /// Syntax checks: what the script could not even express.
    pub fn validate(&self) -> Result<(), RequestError> {
        if !is_token(&self.method) {
            return Err(RequestError::InvalidMethod(self.method.clone()));
        }
        for (name, value) in &self.headers {
            if !is_valid_name(name) {
                return Err(RequestError::InvalidHeaderName(name.clone()));
            }
            if !is_valid_value(value) {
                return Err(RequestError::InvalidHeaderValue { name: name.clone() });
            }
        }
        Ok(())
    }

    /// Whether the request includes credentials on a cross-origin request.
    pub fn includes_credentials(&self) -> bool {
        self.credentials == CredentialsMode::Include
    }
}
