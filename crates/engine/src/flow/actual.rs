//! The actual response: no-cors, a redirect, the origin check, and what
//! the script can read once it is allowed (exposed headers, caches).

use crate::allow_origin;
use crate::browser::Browser;
use crate::catalogue::{FindingId, Severity};
use crate::cors_headers::{CorsHeader, CorsHeaders};
use crate::expose::{readable_headers, unexposed_application_headers};
use crate::headers::{all_values, HeaderLines};
use crate::message::Stage;
use crate::outcome::Verdict;
use crate::planned::{BodyFailure, Response};
use crate::request::{Initiator, Mode};

use super::redirect::is_redirect_status;
use super::Flow;

impl Flow<'_> {
    pub(super) fn receive_actual(&mut self, response: &Response, index: &CorsHeaders) {
        let cors = self.cors;
        let include = self.request.includes_credentials();
        let location = index.first(CorsHeader::Location);
        let redirect = is_redirect_status(response.status) && location.is_some();
        if self.request.mode == Mode::NoCors {
            if !redirect {
                let values = self.response_values(response);
                self.push(
                    FindingId::OpaqueResponse,
                    Severity::Warning,
                    Stage::Actual,
                    values,
                );
                let verdict = self.body_broke_off(response).unwrap_or(Verdict::Opaque);
                self.finish(verdict);
                return;
            }
        } else if cors {
            if let Err(f) =
                allow_origin::check_indexed(index, &self.origin_serialized, include, self.browser)
            {
                let mut values = self.response_values(response);
                values.value = Some(f.value);
                let tainted_mismatch = self.tainted
                    && matches!(
                        f.id,
                        FindingId::AllowOriginMismatch | FindingId::AllowOriginInvalid
                    );
                let id = if tainted_mismatch {
                    FindingId::RedirectTaintedOrigin
                } else {
                    f.id
                };
                let stage = if redirect {
                    Stage::Redirect
                } else {
                    Stage::Actual
                };
                self.push(id, Severity::Blocking, stage, values);
                let signals = if id != FindingId::AllowOriginMissing && !index.vary_covers_origin()
                {
                    shared_cache_signals(&response.headers)
                } else {
                    Vec::new()
                };
                if !signals.is_empty() {
                    let mut values = self.response_values(response);
                    values.value = Some(signals.join(", "));
                    self.push(
                        FindingId::SharedCacheWithoutVary,
                        Severity::Warning,
                        stage,
                        values,
                    );
                }
                self.finish(Verdict::Blocked);
                return;
            }
        }
        if let (true, Some(text)) = (redirect, location) {
            self.follow_redirect(response, text);
            return;
        }
        if cors {
            self.after_allowed(response, index);
        }
        if self.browser == Browser::Chromium && response.status >= 400 {
            self.console.push(format!(
                "Failed to load resource: the server responded with a status of {} ({})",
                response.status,
                reason_phrase(response.status)
            ));
        }
        let verdict = self.body_broke_off(response).unwrap_or(Verdict::Allowed);
        self.finish(verdict);
    }

    /// The body broke off after headers that passed (conformance: body-*):
    /// reports it as this browser does, and returns the verdict when the
    /// script gets no response at all. fetch() resolves on the headers and
    /// only reading the body fails; XMLHttpRequest fails as a whole; Firefox
    /// reads a no-cors body before resolving (so the fetch fails) and keeps
    /// a cut body of an error status; WebKit accepts a chunked body cut at a
    /// chunk boundary.
    fn body_broke_off(&mut self, response: &Response) -> Option<Verdict> {
        let failure = response.body_failure?;
        let tolerated = self.method().eq_ignore_ascii_case("HEAD")
            || (self.browser == Browser::Firefox && !(200..300).contains(&response.status))
            || (self.browser == Browser::WebKit && failure == BodyFailure::IncompleteChunked);
        if tolerated {
            return None;
        }
        let fails_whole = self.request.initiator == Initiator::XmlHttpRequest
            || (self.browser == Browser::Firefox && self.request.mode == Mode::NoCors);
        let mut values = self.response_values(response);
        values.value = Some(failure.net_error().to_string());
        let severity = if fails_whole {
            Severity::Blocking
        } else {
            Severity::Warning
        };
        self.push(FindingId::BodyIncomplete, severity, Stage::Actual, values);
        fails_whole.then_some(Verdict::Unreachable)
    }

    pub(super) fn after_allowed(&mut self, response: &Response, index: &CorsHeaders) {
        let include = self.request.includes_credentials();
        self.readable = Some(readable_headers(&response.headers, include));
        let hidden = unexposed_application_headers(&response.headers, include);
        if !hidden.is_empty() {
            let mut values = self.response_values(response);
            values.header = Some(hidden.join(", "));
            self.push(
                FindingId::HeaderNotExposed,
                Severity::Info,
                Stage::Actual,
                values,
            );
        }
        let acao = index.combined(CorsHeader::AllowOrigin).unwrap_or_default();
        if acao != "*" && !index.vary_covers_origin() {
            let cache_signals = shared_cache_signals(&response.headers);
            let mut values = self.response_values(response);
            if cache_signals.is_empty() {
                values.value = Some(acao.into_owned());
                self.push(
                    FindingId::AllowOriginWithoutVary,
                    Severity::Warning,
                    Stage::Actual,
                    values,
                );
            } else {
                values.value = Some(cache_signals.join(", "));
                self.push(
                    FindingId::SharedCacheWithoutVary,
                    Severity::Warning,
                    Stage::Actual,
                    values,
                );
            }
        }
    }
}

/// The reason phrase of common status codes, as Chromium prints it.
pub fn reason_phrase(status: u16) -> &'static str {
    match status {
        400 => "Bad Request",
        401 => "Unauthorized",
        402 => "Payment Required",
        403 => "Forbidden",
        404 => "Not Found",
        405 => "Method Not Allowed",
        406 => "Not Acceptable",
        408 => "Request Timeout",
        409 => "Conflict",
        410 => "Gone",
        413 => "Payload Too Large",
        415 => "Unsupported Media Type",
        422 => "Unprocessable Entity",
        429 => "Too Many Requests",
        500 => "Internal Server Error",
        501 => "Not Implemented",
        502 => "Bad Gateway",
        503 => "Service Unavailable",
        504 => "Gateway Timeout",
        _ => "",
    }
}

/// `Vary: Origin` or `Vary: *`.
pub fn vary_covers_origin(headers: &HeaderLines) -> bool {
    all_values(headers, "vary").any(crate::headers::vary_lists_origin)
}

/// Headers that show a shared cache (CDN, proxy) stored the response.
pub fn shared_cache_signals(headers: &HeaderLines) -> Vec<String> {
    [
        "age",
        "via",
        "x-cache",
        "cf-cache-status",
        "x-served-by",
        "x-cache-hits",
    ]
    .iter()
    .filter_map(|name| {
        all_values(headers, name)
            .next()
            .map(|v| format!("{name}: {v}"))
    })
    .collect()
}
