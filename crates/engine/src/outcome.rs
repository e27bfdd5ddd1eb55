//! What an evaluation ends with: each browser's verdict, findings and
//! console lines, and the exchanges they went through.

use crate::browser::Browser;
use crate::catalogue::{entry, Entry, FindingId, Severity};
use crate::classify::Classification;
use crate::message::{render_explanation, render_fix, Stage, Values};
use crate::planned::Exchange;
use std::sync::Arc;

/// What a browser does with the request in the end.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum Verdict {
    /// The script gets the response.
    Allowed,
    /// The script gets a network error (TypeError / XHR error).
    Blocked,
    /// `no-cors`: the request is sent, the script gets an opaque response.
    Opaque,
    /// No HTTP response could be obtained, so no verdict.
    Unreachable,
}

impl Verdict {
    pub fn id(self) -> &'static str {
        match self {
            Verdict::Allowed => "allowed",
            Verdict::Blocked => "blocked",
            Verdict::Opaque => "opaque",
            Verdict::Unreachable => "unreachable",
        }
    }
}

/// One finding of one browser.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Finding {
    pub id: FindingId,
    pub browser: Browser,
    pub severity: Severity,
    pub stage: Stage,
    pub values: Values,
    /// The console line the browser prints, if any.
    pub message: Option<String>,
}

impl Finding {
    pub fn entry(&self) -> &'static Entry {
        entry(self.id)
    }

    pub fn fix(&self) -> String {
        render_fix(self.id, self.stage, &self.values)
    }

    pub fn explanation(&self) -> String {
        render_explanation(self.id, self.stage, &self.values)
    }
}

/// The result for one browser.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct BrowserOutcome {
    pub browser: Browser,
    pub verdict: Verdict,
    /// Shared between browsers that classify the request alike.
    pub classification: Arc<Classification>,
    pub findings: Vec<Finding>,
    /// Every console line, in order (main messages and companions).
    pub console: Vec<String>,
    /// Indexes into [`Outcome::exchanges`] of the requests this browser sent, in order.
    pub steps: Vec<usize>,
    /// Lower-cased names of the response headers the script can read.
    pub readable_headers: Option<Vec<String>>,
    /// How long the preflight result is cached; `None` = not cached or no preflight.
    pub preflight_cache_seconds: Option<u64>,
    /// The preflight was skipped because the cache covered it.
    pub preflight_from_cache: bool,
}

impl BrowserOutcome {
    /// The finding that made the browser block the request.
    pub fn blocking(&self) -> Option<&Finding> {
        self.findings
            .iter()
            .find(|f| f.severity == Severity::Blocking)
    }
}

/// The outcome for every browser evaluated.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Outcome {
    pub browsers: Vec<BrowserOutcome>,
    /// Every distinct request sent, in order, with its response.
    pub exchanges: Vec<Exchange>,
}

impl Outcome {
    pub fn get(&self, browser: Browser) -> Option<&BrowserOutcome> {
        self.browsers.iter().find(|b| b.browser == browser)
    }

    /// The exchanges `browser` went through, in order.
    pub fn steps_of(&self, browser: Browser) -> Vec<&Exchange> {
        self.get(browser)
            .map(|b| {
                b.steps
                    .iter()
                    .filter_map(|i| self.exchanges.get(*i))
                    .collect()
            })
            .unwrap_or_default()
    }

    pub fn all_allowed(&self) -> bool {
        self.browsers.iter().all(|b| b.verdict == Verdict::Allowed)
    }
}
