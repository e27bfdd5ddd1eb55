//! The preflight's answer: a redirect, a status that is not OK, the
//! origin check, the method and header allow lists, and max-age.

use crate::allow_lists;
use crate::allow_origin;
use crate::browser::Browser;
use crate::catalogue::{FindingId, Severity};
use crate::cors_headers::{CorsHeader, CorsHeaders};
use crate::header_order::{self, webkit_header_name};
use crate::max_age::{self, MaxAge};
use crate::message::Stage;
use crate::outcome::Verdict;
use crate::planned::Response;

use super::redirect::is_redirect_status;
use super::{Flow, State};

impl Flow<'_> {
    pub(super) fn receive_preflight(&mut self, response: &Response, index: &CorsHeaders) {
        let include = self.request.includes_credentials();
        let is_redirect =
            is_redirect_status(response.status) && index.first(CorsHeader::Location).is_some();
        let cors =
            allow_origin::check_indexed(index, &self.origin_serialized, include, self.browser);
        let ok_status = (200..300).contains(&response.status);
        let failure = match self.browser {
            Browser::Firefox => {
                if let Err(f) = cors {
                    Some((f.id, Some(f.value)))
                } else if is_redirect {
                    Some((FindingId::PreflightRedirect, None))
                } else if !ok_status {
                    Some((FindingId::PreflightStatusNotOk, None))
                } else {
                    None
                }
            }
            Browser::Chromium => {
                if is_redirect {
                    Some((FindingId::PreflightRedirect, None))
                } else if let Err(f) = cors {
                    Some((f.id, Some(f.value)))
                } else if !ok_status {
                    Some((FindingId::PreflightStatusNotOk, None))
                } else {
                    None
                }
            }
            Browser::WebKit => {
                if is_redirect {
                    Some((FindingId::PreflightRedirect, None))
                } else if !ok_status {
                    Some((FindingId::PreflightStatusNotOk, None))
                } else if let Err(f) = cors {
                    Some((f.id, Some(f.value)))
                } else {
                    None
                }
            }
        };
        if let Some((id, value)) = failure {
            // A non-2xx preflight without any CORS header never reached the
            // CORS code: name that, whatever each engine checks first.
            let rejected = !is_redirect
                && !ok_status
                && index.line_count(CorsHeader::AllowOrigin) == 0
                && matches!(
                    id,
                    FindingId::AllowOriginMissing | FindingId::PreflightStatusNotOk
                );
            let id = if rejected {
                FindingId::PreflightRejected
            } else {
                id
            };
            let mut values = self.response_values(response);
            values.value = value;
            self.push(id, Severity::Blocking, Stage::Preflight, values);
            self.finish(Verdict::Blocked);
            return;
        }
        let check = |unsafe_headers: &[crate::safelist::UnsafeHeader]| {
            allow_lists::check_indexed(index, self.method(), unsafe_headers, include, self.browser)
        };
        let mut lists = check(self.unsafe_headers());
        // Which header is named depends on the browser's order; worked out
        // only when a header failed and there was more than one.
        let header_failed = lists.as_ref().is_err_and(|f| {
            matches!(
                f.id,
                FindingId::HeaderNotAllowed | FindingId::AuthorizationNotCoveredByWildcard
            )
        });
        if header_failed && self.unsafe_headers().len() > 1 {
            lists = check(&header_order::in_check_order(
                self.unsafe_headers(),
                &self.request.headers,
                self.browser,
                self.request.initiator,
            ));
        }
        match lists {
            Err(f) => {
                let mut values = self.response_values(response);
                match f.id {
                    FindingId::MethodNotAllowed => values.method = Some(f.value),
                    FindingId::HeaderNotAllowed if self.browser == Browser::WebKit => {
                        values.header = Some(webkit_header_name(&f.value, self.request.initiator))
                    }
                    FindingId::HeaderNotAllowed | FindingId::AuthorizationNotCoveredByWildcard => {
                        values.header = Some(f.value)
                    }
                    _ => {
                        values.value = Some(f.value);
                        values.method = Some(self.method().to_string());
                    }
                }
                self.push(f.id, Severity::Blocking, Stage::Preflight, values);
                self.finish(Verdict::Blocked);
                return;
            }
            Ok(pass) => {
                if pass.wildcard_covered_authorization && self.browser != Browser::WebKit {
                    let mut values = self.response_values(response);
                    values.header = Some("authorization".to_string());
                    self.push(
                        FindingId::AuthorizationNotCoveredByWildcard,
                        Severity::Warning,
                        Stage::Preflight,
                        values,
                    );
                }
            }
        }
        self.record_max_age(response, index);
        if self.remember_preflight {
            self.passed_preflight = Some((
                self.origin_serialized.to_string(),
                self.url().as_str().to_owned(),
                response.headers.clone(),
            ));
        }
        self.preflight_passed = true;
        self.state = State::Actual;
    }

    pub(super) fn record_max_age(&mut self, response: &Response, index: &CorsHeaders) {
        let raw = index.combined(CorsHeader::MaxAge);
        let parsed = max_age::parse(raw.as_deref());
        self.cache_seconds = max_age::effective_seconds(&parsed, self.browser);
        let note = match parsed {
            MaxAge::Seconds(s) if s > self.browser.max_age_cap() => {
                Some((FindingId::MaxAgeCapped, s.to_string()))
            }
            MaxAge::Invalid(text) => Some((FindingId::MaxAgeInvalid, text)),
            _ => None,
        };
        if let Some((id, value)) = note {
            let mut values = self.response_values(response);
            values.value = Some(value);
            self.push(id, Severity::Info, Stage::Preflight, values);
        }
    }
}
