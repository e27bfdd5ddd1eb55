//! What the proxy reports about each request it forwarded: the browser's
//! judgement of the upstream's answer and, with `--fix`, what the proxy
//! added and what the upstream must send itself. Renderers (text lines,
//! JSON, the on-demand page) live in `cors-report`.

use cors_engine::{Browser, LiveJudgement};
use cors_policy::RuleSpec;

/// How the proxy knew which browser sent a request.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum BrowserSource {
    /// `--browser`.
    Flag,
    /// The request's `User-Agent`.
    UserAgent,
    /// No browser's `User-Agent` (curl, a test client): judged as Chromium.
    Assumed,
}

/// One request through the proxy.
#[derive(Clone, Debug)]
pub struct ProxyEvent {
    /// Counts from 1; the on-demand report is at `/.cors-doctor/{id}`.
    pub id: u64,
    pub method: String,
    /// The URL as the browser sent it (the proxy's origin).
    pub url: String,
    /// Path and query.
    pub path: String,
    pub origin: Option<String>,
    pub browser: Browser,
    pub browser_source: BrowserSource,
    /// The upstream's status (before any fix).
    pub status: Option<u16>,
    /// The HTTP version the upstream answered with (`HTTP/2` by ALPN).
    pub upstream_version: Option<&'static str>,
    /// Why no answer came from the upstream (the proxy answered 502/504).
    pub upstream_error: Option<String>,
    /// What the browser makes of the upstream's own answer.
    pub judgement: Option<LiveJudgement>,
    /// With `--fix`, for an answer the browser blocks.
    pub fix: Option<Fix>,
    /// With `--policy`, what the policy says of this request.
    pub policy: Option<PolicyVerdict>,
    /// Milliseconds from the request's head to the upstream's head.
    pub upstream_ms: u64,
}

/// What `--fix` did for one answer the browser would block.
#[derive(Clone, Debug)]
pub enum Fix {
    /// The lines added (the upstream's own CORS lines replaced), the rule
    /// they come from, and what the browser makes of the fixed answer.
    Added {
        added: Vec<(String, String)>,
        /// The upstream's `Access-Control-*` lines, dropped.
        dropped: Vec<(String, String)>,
        /// What the upstream must send itself, on this answer.
        upstream_must_send: Vec<(String, String)>,
        rule: Box<RuleSpec>,
        /// The rule as configuration for `--server`, or why it cannot be.
        config: Option<Result<String, String>>,
        /// The preflight's status was not 2xx: answered 204 instead.
        status_replaced: bool,
        served: LiveJudgement,
    },
    /// Not fixed: no header lets it through (a `null` origin, no-cors
    /// mode, …), or the policy does not allow it.
    NotFixed { why: String },
}

/// What `--policy` says of one request, next to the browser's verdict on
/// the upstream's answer.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct PolicyVerdict {
    /// The rule whose path matches (none: the policy allows no
    /// cross-origin request there).
    pub rule: Option<String>,
    /// `Ok` when the policy allows the request, else why not.
    pub allowed: Result<(), String>,
    /// The upstream does what the policy says (lets it through exactly
    /// when the policy allows it).
    pub agrees: bool,
}
