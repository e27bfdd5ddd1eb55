//! Each exchange through the proxy judged by the engine's live-traffic
//! entry point ([`LivePairing`]) as the browser that sent it, and, with
//! `--fix`, the answer the browser blocks rewritten with the lines the
//! request needs (`cors-config`'s rule for the request), then judged again
//! to prove the fix lets it through. No CORS rule lives here.

use crate::event::{BrowserSource, Fix};
use cors_config::{response_headers, rule_for_request, Target};
use cors_engine::{
    preflight_request, script_request, Browser, LiveJudgement, LivePairing, ObservedExchange,
    Response, Verdict,
};
use cors_policy::RuleSpec;

/// The browser behind a request: `--browser`, else its `User-Agent`,
/// else Chromium (a test client, curl).
pub(crate) fn browser_of(
    forced: Option<Browser>,
    user_agent: Option<&str>,
) -> (Browser, BrowserSource) {
    if let Some(browser) = forced {
        return (browser, BrowserSource::Flag);
    }
    match user_agent.and_then(Browser::from_user_agent) {
        Some(browser) => (browser, BrowserSource::UserAgent),
        None => (Browser::Chromium, BrowserSource::Assumed),
    }
}

/// The proxy's memory of the traffic: preflights waiting for their
/// request, as the upstream answered them and as the browser got them.
#[derive(Debug, Default)]
pub(crate) struct Judge {
    upstream: LivePairing,
    served: LivePairing,
}

/// The judgement of one exchange and what the fix changes.
pub(crate) struct Judged {
    pub judgement: LiveJudgement,
    pub fix: Option<Fix>,
    /// The response lines to send instead of the upstream's, and whether
    /// the status becomes 204 (a failed preflight answered by the fix).
    pub rewrite: Option<(Vec<(String, String)>, bool)>,
}

impl Judge {
    /// Judges `exchange` (the upstream's answer as the browser would get
    /// it unchanged); with `fix`, rewrites what the browser blocks.
    pub(crate) fn observe(
        &mut self,
        browser: Browser,
        exchange: ObservedExchange,
        fix: Option<Option<Target>>,
    ) -> Judged {
        let Some(server) = fix else {
            let judgement = self.upstream.observe(browser, exchange, None);
            return Judged {
                judgement,
                fix: None,
                rewrite: None,
            };
        };
        let judgement = self.upstream.observe(browser, exchange.clone(), None);
        let blocked =
            matches!(&judgement, LiveJudgement::Fetch(f) if f.outcome.verdict == Verdict::Blocked);
        if !blocked {
            // Kept in step: the fixed pairing sees the same preflights.
            self.served.observe(browser, exchange, None);
            return Judged {
                judgement,
                fix: None,
                rewrite: None,
            };
        }
        let preflight = exchange.is_preflight();
        let request = if preflight {
            preflight_request(&exchange, None)
        } else {
            script_request(&exchange, None)
        };
        let rule = match request.as_ref().map(rule_for_request) {
            Some(Ok(rule)) => rule,
            Some(Err(why)) => {
                return Judged {
                    judgement,
                    fix: Some(Fix::Impossible { why }),
                    rewrite: None,
                }
            }
            None => {
                return Judged {
                    judgement,
                    fix: None,
                    rewrite: None,
                }
            }
        };
        let Ok(upstream) = &exchange.response else {
            return Judged {
                judgement,
                fix: None,
                rewrite: None,
            };
        };
        let Fixed {
            lines,
            added,
            dropped,
            status_replaced,
        } = fixed_lines(upstream, &rule, preflight);
        let status = if status_replaced {
            204
        } else {
            upstream.status
        };
        let mut served = exchange;
        served.response = Ok(Response::new(status, lines.clone()));
        let served = self.served.observe(browser, served, None);
        let config = server.map(|target| {
            rule.policy("the proxied request")
                .map_err(|e| e.to_string())
                .and_then(|(policy, _)| target.generate(&policy))
        });
        Judged {
            judgement,
            rewrite: Some((lines, status_replaced)),
            fix: Some(Fix::Added {
                upstream_must_send: response_headers(&rule, preflight),
                added,
                dropped,
                rule: Box::new(rule),
                config,
                status_replaced,
                served,
            }),
        }
    }
}

/// The upstream's answer as `--fix` sends it.
struct Fixed {
    lines: Vec<(String, String)>,
    added: Vec<(String, String)>,
    dropped: Vec<(String, String)>,
    status_replaced: bool,
}

/// The upstream's lines without its `Access-Control-*` ones, plus the
/// rule's. A preflight also gets `Access-Control-Allow-Credentials: true`:
/// a preflight never carries cookies, so it cannot tell whether the request
/// is credentialed, and the line is harmless when it is not. A preflight
/// answered with a status other than 2xx becomes 204.
fn fixed_lines(upstream: &Response, rule: &RuleSpec, preflight: bool) -> Fixed {
    let mut added_rule = rule.clone();
    added_rule.credentials |= preflight;
    let added = response_headers(&added_rule, preflight);
    let (dropped, mut lines): (Vec<_>, Vec<_>) = upstream
        .headers
        .iter()
        .cloned()
        .partition(|(name, _)| is_cors_line(name));
    lines.extend(added.iter().cloned());
    Fixed {
        lines,
        added,
        dropped,
        status_replaced: preflight && !(200..300).contains(&upstream.status),
    }
}

/// An `Access-Control-*` response line: the fix replaces all of them.
pub(crate) fn is_cors_line(name: &str) -> bool {
    name.get(..15)
        .is_some_and(|prefix| prefix.eq_ignore_ascii_case("access-control-"))
}
