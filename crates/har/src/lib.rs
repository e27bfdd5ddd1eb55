//! `cors-har`: DevTools network exports (HAR 1.2, from Chromium, Firefox,
//! Safari, Playwright, Puppeteer, proxies) read as a stream and judged
//! request by request through the engine's observed-traffic entry point —
//! no CORS rule lives here. `elide` drops the bodies before the JSON
//! reader sees them; `reader` keeps what a diagnosis needs (bounded);
//! `judge` pairs each page's cross-origin requests with their preflights and
//! redirect hops and asks the engine what the recording browser made of
//! them.

mod elide;
mod endpoints;
mod judge;
mod reader;
mod redact;

pub use endpoints::{script_requests, PROBE_SECRET};
pub use judge::{
    host_of, judge, recording_browser, HarFetch, HarReport, Judgement, PageReport, Replay,
    CREDENTIALED_DETAILS,
};
pub use reader::{read_har, Creator, Entry, Har, HarError, Limits, Page};
pub use redact::{is_secret_header, is_secret_parameter, redact, redact_url, Redacted, REDACTED};
