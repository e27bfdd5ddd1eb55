//! `audit`: many endpoints in one process, each judged for the security
//! classes `scan` knows with the fewest requests. An endpoint is asked first
//! with an unrelated origin (and one credentialed preflight from it); only
//! when that is not reflected are the narrower shapes asked, all at once,
//! then any hosting-platform origin a response names. Every answer is judged
//! by the engine in each browser, and graded by `scan_analysis`.
//!
//! Endpoints run concurrently under one request semaphore, a per-host
//! pacer, per-request timeouts and an overall deadline; results are handed
//! back as each endpoint finishes, so memory holds only those in flight.

use crate::error::ProbeError;
use crate::flows::Limits;
use crate::scan::{probe_allow_lists, probe_preflight, CellsPlan, CellsRun, ScanReport};
use crate::scan_analysis::{security_findings, SecurityFinding};
use crate::scan_matrix::{origins_for, AttackClass, OriginRole, RequestKind, ScanOrigin};
use crate::transport::Client;
use cors_engine::{Browser, Origin, Verdict};
use std::future::Future;
use std::time::{Duration, Instant};
use url::Url;

/// One endpoint to audit.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct AuditTarget {
    pub url: Url,
    /// The origin the endpoint is meant to trust; its own by default. The
    /// attack shapes are derived from it.
    pub origin: Option<Origin>,
    /// The request the pages make (GET by default).
    pub method: Option<String>,
    pub headers: Vec<(String, String)>,
}

impl AuditTarget {
    pub fn new(url: Url) -> AuditTarget {
        AuditTarget {
            url,
            origin: None,
            method: None,
            headers: Vec::new(),
        }
    }

    /// The trusted origin the shapes come from.
    pub fn trusted_origin(&self) -> Origin {
        self.origin
            .clone()
            .unwrap_or_else(|| Origin::of_url(&self.url))
    }

    pub fn method(&self) -> &str {
        self.method.as_deref().unwrap_or("GET")
    }
}

/// How an endpoint's audit ended.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum AuditStatus {
    /// Judged (findings may be empty).
    Done,
    /// The endpoint gave no usable answer (DNS, connect, TLS, timeout…).
    Error,
    /// The overall deadline passed first.
    Deadline,
}

impl AuditStatus {
    pub fn id(self) -> &'static str {
        match self {
            AuditStatus::Done => "done",
            AuditStatus::Error => "error",
            AuditStatus::Deadline => "deadline",
        }
    }
}

/// What one endpoint's audit found.
#[derive(Debug)]
pub struct EndpointAudit {
    pub target: AuditTarget,
    pub status: AuditStatus,
    /// Worst first.
    pub findings: Vec<SecurityFinding>,
    pub requests_sent: usize,
    pub error: Option<ProbeError>,
    pub elapsed: Duration,
}

/// How to run an audit.
#[derive(Clone, Debug)]
pub struct AuditSettings {
    pub browsers: Vec<Browser>,
    /// Endpoints audited at once (their requests share `limits`).
    pub endpoints_in_flight: usize,
    pub limits: Limits,
    /// Endpoints not finished by then end as [`AuditStatus::Deadline`].
    pub deadline: Option<Instant>,
}

/// Whether the unrelated origin's answer already decides every shape: it
/// is reflected (every narrower shape is then accepted too), or a fixed
/// `*` that does not vary by origin.
fn decided_by_arbitrary(cells: &[crate::scan::Cell], arbitrary: &Origin) -> bool {
    let shown = arbitrary.serialize();
    cells.iter().any(|c| {
        let reflected = c.allow_origin.as_deref() == Some(shown.as_str())
            && c.browsers.iter().any(|b| b.verdict == Verdict::Allowed);
        let fixed_wildcard = c.allow_origin.as_deref() == Some("*") && !c.vary_origin;
        reflected || fixed_wildcard
    })
}

/// Audits one endpoint.
pub async fn audit_endpoint(
    target: AuditTarget,
    browsers: &[Browser],
    client: &Client,
    limits: &Limits,
) -> EndpointAudit {
    let started = Instant::now();
    // One request after another: an endpoint's requests then share one
    // keep-alive connection, and each costs less than when a wave goes out
    // at once (BENCHMARKS.md); endpoints run side by side.
    let limits = &limits.one_at_a_time();
    let url = target.url.clone();
    let own = Origin::of_url(&url);
    let (origins, rest): (Vec<ScanOrigin>, Vec<ScanOrigin>) =
        origins_for(&[target.trusted_origin()], Some(&own))
            .into_iter()
            .filter(|o| matches!(o.role, OriginRole::Attack(_)))
            .partition(|o| o.role == OriginRole::Attack(AttackClass::ArbitraryOrigin));
    let kinds = vec![RequestKind {
        label: target.method().to_string(),
        method: target.method().to_string(),
        headers: target.headers.clone(),
        yours: true,
    }];
    let quiet = |_: usize, _: usize| {};
    let plan = CellsPlan {
        url: &url,
        kinds: &kinds,
        browsers,
        client,
        limits,
        progress: &quiet,
        keep_exchanges: false,
    };
    let arbitrary = origins.first().map(|o| o.origin.clone());
    // The unrelated origin alone first: it opens the one connection every
    // later request reuses, and often decides the rest.
    let (first_wave, rest) = if arbitrary.is_some() {
        (origins, rest)
    } else {
        (rest, Vec::new())
    };
    let mut run = plan.run(first_wave, 0, 0).await;
    let mut allow_lists_probe = None;
    // An endpoint that did not answer is not asked more: every other
    // request would wait as long to fail.
    if let (None, Some(arbitrary)) = (&run.network_error, &arbitrary) {
        let narrower = async {
            if decided_by_arbitrary(&run.cells, arbitrary) {
                return None;
            }
            Some(plan.run(rest, run.origins.len(), 0).await)
        };
        let (preflight, narrower) = tokio::join!(
            probe_allow_lists(client, limits, &url, arbitrary, browsers),
            narrower
        );
        let mut extra = CellsRun::default();
        match preflight {
            Ok(mut probe) => {
                extra.sent += probe.requests;
                // The made-up method was refused though the origin was
                // accepted: does a preflight for what a JSON API takes pass?
                if probe.passes_in.is_empty()
                    && probe.allow_origin.as_deref() == Some(probe.origin.as_str())
                {
                    let json = [("Content-Type", "application/json")];
                    let put =
                        probe_preflight(client, limits, &url, arbitrary, browsers, "PUT", &json);
                    match put.await {
                        Ok(json) => {
                            extra.sent += json.requests;
                            probe.passes_in = json.passes_in;
                        }
                        Err(e) => {
                            extra.sent += 1;
                            extra.network_error = Some(e);
                        }
                    }
                }
                allow_lists_probe = Some(probe);
            }
            Err(e) => {
                extra.sent += 1;
                extra.network_error = Some(e);
            }
        }
        if let Some(more) = narrower {
            run.add(more);
        }
        run.add(extra);
    }
    plan.ask_named_third_parties(&mut run, 0).await;
    let CellsRun {
        mut origins,
        cells,
        sent: requests_sent,
        network_error,
    } = run;
    // The trusted origin, asked nothing, names the site for the analysis.
    origins.push(ScanOrigin {
        origin: target.trusted_origin(),
        role: OriginRole::User,
        label: "trusted".to_string(),
    });
    let report = ScanReport {
        url,
        origins,
        kinds,
        cells,
        browsers: browsers.to_vec(),
        advertised_methods: Vec::new(),
        allow_lists_probe,
        requests_sent,
        network_error: None,
    };
    // What was judged stands even when a later request failed.
    let findings = security_findings(&report);
    let status = match network_error {
        Some(_) => AuditStatus::Error,
        None => AuditStatus::Done,
    };
    EndpointAudit {
        target,
        status,
        findings,
        requests_sent,
        error: network_error,
        elapsed: started.elapsed(),
    }
}

/// Why [`run_audit`] returned.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum AuditEnd {
    /// Every target was audited (or reached the deadline).
    Complete,
    /// `stop` fired: the endpoints in flight were dropped, unreported.
    Interrupted,
}

/// Audits every target, at most `settings.endpoints_in_flight` at once,
/// calling `on_done` as each finishes (in the order they finish). When
/// `stop` completes, no new endpoint starts and those in flight are
/// dropped without a result, so a resumed run asks them again.
pub async fn run_audit(
    targets: impl Iterator<Item = AuditTarget>,
    settings: &AuditSettings,
    client: &Client,
    stop: impl Future<Output = ()>,
    mut on_done: impl FnMut(EndpointAudit),
) -> AuditEnd {
    let mut targets = targets.peekable();
    let mut running = tokio::task::JoinSet::new();
    let width = settings.endpoints_in_flight.max(1);
    tokio::pin!(stop);
    loop {
        while running.len() < width {
            let Some(target) = targets.next() else {
                break;
            };
            let browsers = settings.browsers.clone();
            let client = client.clone();
            let limits = settings.limits.clone();
            let deadline = settings.deadline;
            running.spawn(async move {
                let started = Instant::now();
                let work = audit_endpoint(target.clone(), &browsers, &client, &limits);
                match deadline {
                    Some(at) => match tokio::time::timeout_at(at.into(), work).await {
                        Ok(done) => done,
                        Err(_) => EndpointAudit {
                            target,
                            status: AuditStatus::Deadline,
                            findings: Vec::new(),
                            requests_sent: 0,
                            error: None,
                            elapsed: started.elapsed(),
                        },
                    },
                    None => work.await,
                }
            });
        }
        if running.is_empty() {
            return AuditEnd::Complete;
        }
        tokio::select! {
            biased;
            () = &mut stop => {
                running.abort_all();
                return AuditEnd::Interrupted;
            }
            joined = running.join_next() => {
                if let Some(Ok(done)) = joined {
                    on_done(done);
                }
            }
        }
    }
}
