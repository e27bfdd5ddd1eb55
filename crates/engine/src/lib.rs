//! The browser's CORS algorithm as a pure library.
//!
//! `cors-engine` decides what Chromium, Firefox and WebKit do with a
//! cross-origin request: whether a preflight is needed and why, exactly which
//! requests the browser sends, and — given the server's responses as data —
//! whether each browser lets the page's script read the response. Every
//! failure is a [`Finding`] pointing at one entry of one [`catalogue`], which
//! carries each browser's console message, the cause and the fix.
//!
//! Invariants: no I/O, no async, no clock, no panics on any input. The same
//! inputs always give the same outcome.
//!
//! The entry points are [`Request`] (what the page's script does),
//! [`classify`] (what the browser decides before any network traffic),
//! [`Flow`] (a step-by-step, sans-I/O run of one browser's fetch: it says
//! which request to send next and consumes the response) and [`evaluate`]
//! (drives a flow per browser with a caller-supplied responder).

pub mod allow_lists;
pub mod allow_origin;
pub mod browser;
pub mod cache;
pub mod catalogue;
mod catalogue_table;
mod chromium_header_order;
pub mod classify;
pub mod cors_headers;
mod diff;
pub mod driver;
mod exchanges;
pub mod expose;
pub mod flow;
mod header_order;
pub mod headers;
pub mod max_age;
pub mod message;
pub mod method;
pub mod mime;
pub mod observed;
pub mod origin;
pub mod outcome;
pub mod planned;
pub mod range;
pub mod recognize;
pub mod request;
pub mod safelist;

pub use browser::{AddressSpace, Browser};
pub use catalogue::{Cause, Entry, FindingId, Severity};
pub use classify::{classify, Classification, PreflightReason};
pub use diff::origin_difference;
pub use driver::{evaluate, evaluate_cached, Answer, Driver, Reply};
pub use flow::Flow;
pub use message::{webkit_network_description, Stage, Values};
pub use observed::{
    evaluate_observed, failed_preflight, preflight_request, script_request, LiveJudgement,
    LivePairing, ObservedExchange, ObservedFetch,
};
pub use origin::Origin;
pub use outcome::{BrowserOutcome, Finding, Outcome, Verdict};
pub use planned::{BodyFailure, Exchange, PlannedRequest, RequestPurpose, Response};

/// The most redirects any browser follows (20).
pub fn flow_redirect_limit() -> usize {
    flow::REDIRECT_LIMIT
}
pub use request::{CredentialsMode, Initiator, Mode, Request, RequestError};
