//! The one catalogue of everything cors-doctor can find: each entry has a
//! stable id, a title, the cause in the user's terms, each browser's console
//! message template, the fix and a reference. `check`, `explain`, JSON and
//! the docs all read this table; nothing else defines a message.
//!
//! Templates are the browsers' own text with placeholders in braces:
//! `{url}` `{origin}` `{kind}` `{header}` `{method}` `{value}` `{status}`
//! `{page}` `{location}` `{target_space}` `{resource_space}` `{scheme}`
//! `{schemes}` `{insecure_kind}`, plus two that expand to optional text:
//! `{redirected}` (Chromium's `(redirected from '…') `) and `{suffix}` (the
//! initiator-dependent sentence Chromium appends).

use crate::browser::Browser;

/// The user's words for why a request fails.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum Cause {
    /// An https page calling http, or an http→https redirect.
    HttpVsHttps,
    /// `Access-Control-Allow-Origin`/`-Credentials` do not allow this origin.
    OriginNotAllowed,
    /// The preflight (OPTIONS) request is not answered as the browser needs.
    PreflightBlocked,
    /// A redirect of the request is refused.
    RedirectBlocked,
    /// A cache (preflight cache, shared cache, CDN) can serve an old answer.
    StaleCache,
    /// The page's script does something the browser refuses by itself.
    ClientMistake,
    /// The request works, but the script cannot read part of the response.
    ResponseNotReadable,
    /// Chromium's Local Network Access protection.
    LocalNetworkAccess,
    /// Not a CORS problem at all (network failure, CSP, an extension…).
    NotCors,
    /// Works, and lets an attacker's page in too.
    Security,
}

impl Cause {
    pub fn id(self) -> &'static str {
        match self {
            Cause::HttpVsHttps => "http-vs-https",
            Cause::OriginNotAllowed => "origin-not-allowed",
            Cause::PreflightBlocked => "preflight-blocked",
            Cause::RedirectBlocked => "redirect-blocked",
            Cause::StaleCache => "stale-cache",
            Cause::ClientMistake => "client-mistake",
            Cause::ResponseNotReadable => "response-not-readable",
            Cause::LocalNetworkAccess => "local-network-access",
            Cause::NotCors => "not-cors",
            Cause::Security => "security",
        }
    }

    pub fn describe(self) -> &'static str {
        match self {
            Cause::HttpVsHttps => "http vs https",
            Cause::OriginNotAllowed => "the origin is not allowed",
            Cause::PreflightBlocked => "the preflight is blocked",
            Cause::RedirectBlocked => "a redirect is blocked",
            Cause::StaleCache => "a cache can hold an old answer",
            Cause::ClientMistake => "a client-side mistake",
            Cause::ResponseNotReadable => "the response is only partly readable",
            Cause::LocalNetworkAccess => "Local Network Access",
            Cause::NotCors => "not CORS at all",
            Cause::Security => "an exploitable configuration",
        }
    }
}

/// How serious a finding is for the browser that reports it.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum Severity {
    /// The browser blocks the request (or the script cannot see the response).
    Blocking,
    /// Works now, fails for other users, other browsers or later.
    Warning,
    /// Worth knowing; nothing fails.
    Info,
}

impl Severity {
    pub fn id(self) -> &'static str {
        match self {
            Severity::Blocking => "blocking",
            Severity::Warning => "warning",
            Severity::Info => "info",
        }
    }
}

/// Which sentence Chromium appends to the reason, depending on the initiator.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Suffix {
    None,
    /// fetch: "If an opaque response serves your needs…"
    OpaqueMode,
    /// fetch: "Have the server send the header with a valid value, or…"
    ValidValue,
    /// XMLHttpRequest: "The credentials mode … is controlled by the withCredentials attribute."
    XhrCredentials,
}

macro_rules! finding_ids {
    ($($variant:ident => $slug:literal,)*) => {
        /// The stable identifier of a catalogue entry.
        #[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, PartialOrd, Ord)]
        pub enum FindingId { $($variant,)* }

        impl FindingId {
            pub const ALL: &'static [FindingId] = &[$(FindingId::$variant,)*];

            /// The kebab-case id used in JSON, on the command line and in docs.
            pub fn slug(self) -> &'static str {
                match self { $(FindingId::$variant => $slug,)* }
            }

            pub fn from_slug(slug: &str) -> Option<FindingId> {
                match slug { $($slug => Some(FindingId::$variant),)* _ => None }
            }
        }
    };
}

finding_ids! {
    MixedContent => "mixed-content",
    AllowOriginMissing => "allow-origin-missing",
    AllowOriginMismatch => "allow-origin-mismatch",
    AllowOriginInvalid => "allow-origin-invalid",
    AllowOriginNull => "allow-origin-null",
    AllowOriginList => "allow-origin-list",
    AllowOriginSpaceSeparated => "allow-origin-space-separated",
    AllowOriginDuplicateLines => "allow-origin-duplicate-lines",
    RedirectTaintedOrigin => "redirect-tainted-origin",
    WildcardWithCredentials => "wildcard-with-credentials",
    AllowCredentialsNotTrue => "allow-credentials-not-true",
    PreflightRejected => "preflight-rejected",
    PreflightStatusNotOk => "preflight-status-not-ok",
    PreflightRedirect => "preflight-redirect",
    AllowMethodsInvalid => "allow-methods-invalid",
    AllowHeadersInvalid => "allow-headers-invalid",
    MethodNotAllowed => "method-not-allowed",
    HeaderNotAllowed => "header-not-allowed",
    AuthorizationNotCoveredByWildcard => "authorization-not-covered-by-wildcard",
    RedirectWithCredentials => "redirect-with-credentials",
    RedirectNonHttpScheme => "redirect-non-http-scheme",
    TooManyRedirects => "too-many-redirects",
    CorsDisabledScheme => "cors-disabled-scheme",
    UrlSchemeNotSupported => "url-scheme-not-supported",
    LocalResource => "local-resource",
    SameOriginModeViolation => "same-origin-mode-violation",
    NoCorsRedirectMode => "no-cors-redirect-mode",
    DisallowedByMode => "disallowed-by-mode",
    InvalidResponse => "invalid-response",
    NetworkFailure => "network-failure",
    BodyIncomplete => "body-incomplete",
    CorsDisabled => "cors-disabled",
    OriginHeaderNotAdded => "origin-header-not-added",
    LnaPermissionDenied => "local-network-permission-denied",
    LnaInsecureInitiator => "local-network-insecure-initiator",
    LnaAddressSpaceMismatch => "local-network-address-space-mismatch",
    PnaMissingAllowPrivateNetwork => "private-network-preflight-missing-allow",
    PnaInvalidAllowPrivateNetwork => "private-network-preflight-invalid-allow",
    PnaUnexpectedAddressSpace => "private-network-unexpected-address-space",
    PnaMissingAccessId => "private-network-missing-access-id",
    PnaMissingAccessName => "private-network-missing-access-name",
    PnaPermissionUnavailable => "private-network-permission-unavailable",
    ExternalPreflightMissing => "external-preflight-missing-allow",
    ExternalPreflightInvalid => "external-preflight-invalid-allow",
    CspBlocked => "csp-blocked",
    ContentBlocker => "content-blocker",
    TrackingProtection => "tracking-protection",
    PreflightBlockedByBrowser => "preflight-blocked-by-browser",
    CorpBlocked => "corp-blocked",
    RedirectModeError => "redirect-mode-error",
    ForbiddenMethod => "forbidden-method",
    UrlWithCredentials => "url-with-credentials",
    ForbiddenHeader => "forbidden-header",
    NoCorsMethod => "no-cors-method",
    OpaqueResponse => "opaque-response",
    HeaderNotExposed => "header-not-exposed",
    AllowOriginWithoutVary => "allow-origin-without-vary",
    ReflectedOriginWithoutVary => "reflected-origin-without-vary",
    SharedCacheWithoutVary => "shared-cache-without-vary",
    MaxAgeCapped => "max-age-capped",
    MaxAgeInvalid => "max-age-invalid",
    ReflectedOriginWithCredentials => "reflected-origin-with-credentials",
    OriginNotRefused => "origin-not-refused",
    MaxAgeNotAsDeclared => "max-age-not-as-declared",
    BrowsersDisagree => "browsers-disagree",
}

/// One entry of the catalogue.
#[derive(Debug)]
pub struct Entry {
    pub id: FindingId,
    pub title: &'static str,
    pub cause: Cause,
    /// The severity when the browser reports it (a browser may downgrade, see the flow).
    pub severity: Severity,
    /// What is going on, in two or three sentences.
    pub explanation: &'static str,
    /// The fix, with placeholders (`{origin}`, `{response}`, `{header}`, `{method}`, `{value}`…).
    pub fix: &'static str,
    pub reference: &'static str,
    pub chromium: Option<&'static str>,
    pub firefox: Option<&'static str>,
    pub webkit: Option<&'static str>,
    pub chromium_suffix: Suffix,
    /// Wordings of older browser versions, recognised by `explain`.
    pub legacy: &'static [(Browser, &'static str)],
    /// Other wordings current browsers print for this condition in some
    /// cases (WebKit's mixed-content sentence for loopback hosts).
    pub variants: &'static [(Browser, &'static str)],
    /// Only older browsers print this; current ones never do.
    pub legacy_only: bool,
}

impl Entry {
    pub fn template(&self, browser: Browser) -> Option<&'static str> {
        match browser {
            Browser::Chromium => self.chromium,
            Browser::Firefox => self.firefox,
            Browser::WebKit => self.webkit,
        }
    }
}

/// The entry for an id.
pub fn entry(id: FindingId) -> &'static Entry {
    // The table is ordered like `FindingId::ALL`; the fallback keeps this total.
    match ENTRIES.get(id as usize) {
        Some(e) if e.id == id => e,
        _ => ENTRIES.iter().find(|e| e.id == id).unwrap_or(&ENTRIES[0]),
    }
}

/// Every entry, in catalogue order.
pub fn entries() -> &'static [Entry] {
    ENTRIES
}

pub(crate) use crate::catalogue_table::ENTRIES;
