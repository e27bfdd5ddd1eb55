//! Each exchange through the proxy judged by the engine's live-traffic
//! entry point ([`LivePairing`]) as the browser that sent it; with
//! `--policy`, set against what the policy allows; with `--fix`, the answer
//! the browser blocks rewritten with the lines the request needs (the
//! policy's rule for it, else `cors-config`'s rule for the request), then
//! judged again to prove the fix lets it through. No CORS rule lives here.

use crate::event::{BrowserSource, Fix, PolicyVerdict};
use cors_config::{response_headers, rule_for_request, Target};
use cors_engine::{
    preflight_request, script_request, Browser, LiveJudgement, LivePairing, ObservedExchange,
    Request, Response, Verdict,
};
use cors_policy::{Policy, RuleSpec};

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

/// The proxy's memory of the traffic (preflights waiting for their
/// request, as the upstream answered them and as the browser got them),
/// and what it judges with.
#[derive(Debug, Default)]
pub(crate) struct Judge {
    upstream: LivePairing,
    served: LivePairing,
    /// `--fix`, with `--server`'s target if any.
    fix: Option<Option<Target>>,
    policy: Option<Policy>,
}

/// The judgement of one exchange and what the fix changes.
pub(crate) struct Judged {
    pub judgement: LiveJudgement,
    pub policy: Option<PolicyVerdict>,
    pub fix: Option<Fix>,
    /// The response lines to send instead of the upstream's, and whether
    /// the status becomes 204 (a failed preflight answered by the fix).
    pub rewrite: Option<(Vec<(String, String)>, bool)>,
}

impl Judge {
    pub(crate) fn new(fix: Option<Option<Target>>, policy: Option<Policy>) -> Judge {
        Judge {
            fix,
            policy,
            ..Judge::default()
        }
    }

    /// Judges `exchange` (the upstream's answer as the browser would get
    /// it unchanged), and fixes what the browser blocks when asked to.
    pub(crate) fn observe(&mut self, browser: Browser, exchange: ObservedExchange) -> Judged {
        // The script's request matters only to the policy and the fix: not
        // rebuilt for every request of a plain proxy.
        let request = if self.fix.is_none() && self.policy.is_none() {
            None
        } else if exchange.is_preflight() {
            preflight_request(&exchange, None)
        } else {
            script_request(&exchange, None)
        };
        let Some(server) = self.fix else {
            let judgement = self.upstream.observe(browser, exchange, None);
            let policy = self.policy_verdict(request.as_ref(), &judgement);
            return Judged {
                judgement,
                policy,
                fix: None,
                rewrite: None,
            };
        };
        let judgement = self.upstream.observe(browser, exchange.clone(), None);
        let policy = self.policy_verdict(request.as_ref(), &judgement);
        let blocked =
            matches!(&judgement, LiveJudgement::Fetch(f) if f.outcome.verdict == Verdict::Blocked);
        let (Some(request), Ok(upstream), true) = (request, &exchange.response, blocked) else {
            // Kept in step: the fixed pairing sees the same preflights.
            self.served.observe(browser, exchange, None);
            return Judged {
                judgement,
                policy,
                fix: None,
                rewrite: None,
            };
        };
        let rule = match &self.policy {
            Some(p) => p
                .rule_for_path(request.url.path())
                .ok_or_else(|| format!("no rule of {} covers {}", p.file, request.url.path()))
                .and_then(|rule| rule.spec_for(&request))
                .map_err(|why| format!("{why}; production will block it too")),
            None => rule_for_request(&request),
        };
        let rule = match rule {
            Ok(rule) => rule,
            Err(why) => {
                return Judged {
                    judgement,
                    policy,
                    fix: Some(Fix::NotFixed { why }),
                    rewrite: None,
                }
            }
        };
        let preflight = exchange.is_preflight();
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
        if preflight {
            // The browser passes the fixed preflight and sends its request
            // next: the upstream's pairing must pair that request with this
            // preflight too, or it reads it as answered from the preflight
            // cache ("no preflight came before it").
            self.upstream.observe(browser, served.clone(), None);
        }
        let served = self.served.observe(browser, served, None);
        let config = server.map(|target| match &self.policy {
            Some(policy) => target.generate(policy),
            None => rule
                .policy("the proxied request")
                .map_err(|e| e.to_string())
                .and_then(|(policy, _)| target.generate(&policy)),
        });
        Judged {
            judgement,
            policy,
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

    /// What the policy says of `request`, against what the browser did
    /// with the upstream's answer (a passed preflight counts as let
    /// through so far).
    fn policy_verdict(
        &self,
        request: Option<&Request>,
        judgement: &LiveJudgement,
    ) -> Option<PolicyVerdict> {
        let (policy, request) = (self.policy.as_ref()?, request?);
        let let_through = match judgement {
            // A redirect followed is let through so far, as a passed preflight.
            LiveJudgement::Fetch(f) => {
                f.unrecorded_hop.is_some() || f.outcome.verdict == Verdict::Allowed
            }
            LiveJudgement::PreflightPassed => true,
            LiveJudgement::NotAFetch => return None,
        };
        let rule = policy.rule_for_path(request.url.path());
        let allowed = match rule {
            Some(rule) => rule.allows(request),
            None => Err(format!("no rule of {} covers this path", policy.file)),
        };
        Some(PolicyVerdict {
            rule: rule.map(|r| r.name.clone()),
            agrees: allowed.is_ok() == let_through,
            allowed,
        })
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
fn is_cors_line(name: &str) -> bool {
    name.get(..15)
        .is_some_and(|prefix| prefix.eq_ignore_ascii_case("access-control-"))
}
