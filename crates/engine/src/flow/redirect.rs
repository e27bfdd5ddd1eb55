//! Following a redirect: the limits, the schemes and credentials a CORS
//! fetch refuses, tainting the origin, and the next hop.

use crate::browser::Browser;
use crate::catalogue::{FindingId, Severity};
use crate::headers::all_values;
use crate::message::{render, Stage};
use crate::origin::Origin;
use crate::outcome::Verdict;
use crate::planned::Response;
use crate::request::{Mode, RedirectMode};
use std::borrow::Cow;

use super::{Flow, Hop, State, REDIRECT_LIMIT};

impl Flow<'_> {
    pub(super) fn follow_redirect(&mut self, response: &Response, location_text: &str) {
        let status = response.status;
        let Ok(next) = self.url().join(location_text) else {
            let values = self.response_values(response);
            self.push(
                FindingId::InvalidResponse,
                Severity::Blocking,
                Stage::Redirect,
                values,
            );
            self.finish(Verdict::Blocked);
            return;
        };
        self.redirects += 1;
        let next_origin = Origin::of_url(&next);
        let has_userinfo = !next.username().is_empty() || next.password().is_some();
        let blocked = if self.request.redirect == RedirectMode::Error {
            Some(FindingId::RedirectModeError)
        } else if self.redirects > REDIRECT_LIMIT {
            Some(FindingId::TooManyRedirects)
        } else if !matches!(next.scheme(), "http" | "https") {
            Some(FindingId::RedirectNonHttpScheme)
        } else if has_userinfo
            && self.request.mode == Mode::Cors
            && (self.cors || self.tainted || !self.request.origin.same_origin(&next_origin))
        {
            Some(FindingId::RedirectWithCredentials)
        } else if crate::classify::is_mixed_content(&self.request.page_url, &next, self.browser) {
            Some(FindingId::MixedContent)
        } else {
            None
        };
        if let Some(id) = blocked {
            let mut values = self.response_values(response);
            values.location = Some(next.as_str().to_owned());
            values.scheme = Some(next.scheme().to_string());
            if id == FindingId::RedirectWithCredentials {
                values.value = Some(String::new());
            }
            // Firefox gives up on these without an HTTP status.
            if self.browser == Browser::Firefox
                && matches!(
                    id,
                    FindingId::RedirectWithCredentials | FindingId::TooManyRedirects
                )
            {
                values.status = None;
            }
            let stage = if id == FindingId::MixedContent {
                Stage::Client
            } else {
                Stage::Redirect
            };
            let mut followup = values.clone();
            self.push(id, Severity::Blocking, stage, values);
            if id == FindingId::MixedContent && self.browser == Browser::Firefox {
                // Firefox then fails the redirecting request itself
                // (conformance: mixed-https-redirect-to-http).
                followup.status = None;
                self.console.extend(render(
                    FindingId::NetworkFailure,
                    Browser::Firefox,
                    Stage::Actual,
                    &followup,
                ));
            }
            self.finish(Verdict::Blocked);
            return;
        }
        let mut hop = match self.hop.take() {
            Some(hop) => hop,
            None => Box::new(Hop {
                url: self.request.url.clone(),
                method: self.class.method.clone(),
                headers: self.class.headers(self.request).to_vec(),
                unsafe_headers: Vec::new(),
                request_headers_value: None,
            }),
        };
        if !next_origin.same_origin_as_url(&hop.url) {
            if self.tainted || !self.request.origin.same_origin_as_url(&hop.url) {
                self.tainted = true;
                self.origin_serialized = Cow::Borrowed("null");
            }
            hop.headers
                .retain(|(n, _)| !n.eq_ignore_ascii_case("authorization"));
        }
        let rewrite = (matches!(status, 301 | 302) && hop.method == "POST")
            || (status == 303 && !matches!(hop.method.as_str(), "GET" | "HEAD"));
        if rewrite {
            hop.method = "GET".to_string();
            hop.headers.retain(|(n, _)| {
                ![
                    "content-encoding",
                    "content-language",
                    "content-location",
                    "content-type",
                ]
                .iter()
                .any(|b| n.eq_ignore_ascii_case(b))
            });
        }
        hop.url = next;
        hop.unsafe_headers = crate::safelist::unsafe_headers_of_sent(&hop.headers, self.browser);
        self.hop = Some(hop);
        self.cors = self.compute_cors_flag();
        let request_headers_value = if self.cors {
            crate::safelist::request_headers_value_of(self.unsafe_headers())
        } else {
            None
        };
        if let Some(hop) = &mut self.hop {
            hop.request_headers_value = request_headers_value;
        }
        let needs_preflight = self.cors
            && (self.request.force_preflight
                || !crate::method::is_cors_safelisted(self.method())
                || !self.unsafe_headers().is_empty());
        if needs_preflight && self.browser == Browser::Firefox && self.tainted {
            // Firefox 153 sends that preflight with the page's real origin
            // (conformance: redirect-after-preflight-cross-origin).
            self.origin_serialized = Cow::Owned(self.request.origin.serialize());
        }
        self.state = if needs_preflight {
            State::Preflight
        } else {
            State::Actual
        };
    }
}

pub(super) fn is_redirect_status(status: u16) -> bool {
    matches!(status, 301 | 302 | 303 | 307 | 308)
}

pub(super) fn location_text(response: &Response) -> Option<String> {
    all_values(&response.headers, "location")
        .next()
        .map(str::to_string)
}
