//! `check`: runs each browser's flow (from `cors-engine`) against the live
//! server. Each distinct request is sent once and its answer shared by every
//! browser that would send it; redirects are followed one hop at a time, as
//! the browser does. A second origin is probed to tell a static
//! Access-Control-Allow-Origin from one that reflects the request's origin.

use crate::allow_answer::AllowAnswer;
use crate::error::ProbeError;
use crate::transport::{Client, Exchange, OutgoingRequest};
use cors_engine::{Answer, Driver};
use cors_engine::{
    Browser, Finding, FindingId, Flow, Outcome, PlannedRequest, Request, RequestPurpose, Response,
    Severity, Stage, Values,
};

/// The origin used to find out whether the server reflects any origin.
pub const SECOND_ORIGIN: &str = "https://cors-doctor-probe.example";

/// What to check.
#[derive(Clone, Debug)]
pub struct CheckRequest {
    pub request: Request,
    /// The body of the actual request (not of the preflight).
    pub body: Option<Vec<u8>>,
    pub browsers: Vec<Browser>,
    /// Send one more request with [`SECOND_ORIGIN`] to detect reflection.
    pub probe_second_origin: bool,
}

/// One request on the wire and what came back (or why nothing did).
#[derive(Debug)]
pub struct WireExchange {
    pub planned: PlannedRequest,
    pub result: Result<Exchange, ProbeError>,
}

/// The result of probing with a second origin.
#[derive(Clone, Debug)]
pub struct SecondOriginProbe {
    pub origin: String,
    pub purpose: RequestPurpose,
    pub status: u16,
    pub allow_origin: Option<String>,
    pub allow_credentials: Option<String>,
    pub vary_origin: bool,
}

/// Everything `check` learned.
#[derive(Debug)]
pub struct CheckReport {
    pub request: Request,
    pub outcome: Outcome,
    /// Parallel to `outcome.exchanges`.
    pub wire: Vec<WireExchange>,
    pub second_origin: Option<SecondOriginProbe>,
    /// Findings that need more than one request (reflection, Vary).
    pub cross_request_findings: Vec<Finding>,
}

impl CheckReport {
    /// The first exchange that got no usable response, if any.
    pub fn network_error(&self) -> Option<&ProbeError> {
        self.wire.iter().find_map(|w| w.result.as_ref().err())
    }

    pub fn all_allowed(&self) -> bool {
        self.outcome.all_allowed()
    }
}

/// Runs the check over the network.
pub async fn run_check(check: &CheckRequest, client: &Client) -> CheckReport {
    let mut with_space;
    let mut request = &check.request;
    // Local Network Access needs the target's address space: resolve it
    // (honouring --resolve) when the page's space is known.
    if request.initiator_address_space.is_some() && request.target_address_space.is_none() {
        if let Some(ip) = client.resolve_first(&request.url).await {
            with_space = request.clone();
            with_space.target_address_space = Some(cors_engine::AddressSpace::of_ip(ip));
            request = &with_space;
        }
    }
    let mut wire: Vec<WireExchange> = Vec::new();
    let second = async {
        if check.probe_second_origin {
            probe_second_origin(request, client).await
        } else {
            None
        }
    };
    // The engine's driver says what to send; one request at a time, in its
    // order, so the report lists them as a browser would send them.
    let main = async {
        let mut driver = Driver::new();
        for &browser in &check.browsers {
            driver.add(Flow::start(request, browser));
        }
        loop {
            let tickets = driver.wanted();
            if tickets.is_empty() {
                break;
            }
            for ticket in tickets {
                let Some(planned) = driver.request(ticket).cloned() else {
                    continue;
                };
                let outgoing = OutgoingRequest::planned(&planned, check.body.as_deref());
                let result = client.send(&outgoing).await;
                driver.answer(ticket, answer_of(&result));
                wire.push(WireExchange { planned, result });
            }
        }
        driver.finish()
    };
    let (outcome, second_origin) = tokio::join!(main, second);
    let cross_request_findings = cross_request_findings(request, &outcome, second_origin.as_ref());
    CheckReport {
        request: request.clone(),
        outcome,
        wire,
        second_origin,
        cross_request_findings,
    }
}

/// What the engine is told about a request sent: the response's status and
/// headers, or the network failure as Chromium and WebKit name it.
pub(crate) fn answer_of(result: &Result<crate::transport::Exchange, ProbeError>) -> Answer {
    match result {
        Ok(x) => Ok(Response {
            body_failure: x.body_failure,
            ..Response::new(x.status, x.headers.clone())
        }),
        Err(e) => Err((
            e.net_error().to_string(),
            e.webkit_description().to_string(),
        )),
    }
}

/// Sends the request's first hop with another origin: an OPTIONS preflight
/// when the request is preflighted (never a second unsafe request), else GET.
async fn probe_second_origin(request: &Request, client: &Client) -> Option<SecondOriginProbe> {
    let class = cors_engine::classify(request, Browser::Chromium);
    if !class.cors || class.blocked_before_network.is_some() {
        return None;
    }
    let preflight = class.needs_preflight();
    let outgoing = if preflight {
        OutgoingRequest::preflight(
            &request.url,
            SECOND_ORIGIN,
            &class.method,
            class.access_control_request_headers.as_deref(),
        )
    } else {
        OutgoingRequest {
            method: "GET".to_string(),
            url: request.url.clone(),
            headers: vec![
                ("Origin".to_string(), SECOND_ORIGIN.to_string()),
                ("Accept".to_string(), "*/*".to_string()),
            ],
            body: None,
        }
    };
    let exchange = client.send(&outgoing).await.ok()?;
    let answer = AllowAnswer::of(&exchange.headers);
    Some(SecondOriginProbe {
        origin: SECOND_ORIGIN.to_string(),
        purpose: if preflight {
            RequestPurpose::Preflight
        } else {
            RequestPurpose::Actual
        },
        status: exchange.status,
        allow_origin: answer.allow_origin,
        allow_credentials: answer.allow_credentials,
        vary_origin: answer.vary_origin,
    })
}

fn cross_request_findings(
    request: &Request,
    outcome: &Outcome,
    second: Option<&SecondOriginProbe>,
) -> Vec<Finding> {
    let Some(second) = second else {
        return Vec::new();
    };
    if second.allow_origin.as_deref() != Some(second.origin.as_str()) {
        return Vec::new();
    }
    let mut findings = Vec::new();
    let values = Values {
        url: request.url.to_string(),
        origin: request.origin.serialize(),
        page: request.page_url.to_string(),
        kind: request.initiator.chromium_kind().into(),
        value: Some(second.origin.clone()),
        status: Some(second.status),
        ..Values::default()
    };
    let stage = match second.purpose {
        RequestPurpose::Preflight => Stage::Preflight,
        RequestPurpose::Actual => Stage::Actual,
    };
    // Replace the single-request "no Vary" warning with the confirmed one.
    let had_vary_warning = outcome.browsers.iter().any(|b| {
        b.findings
            .iter()
            .any(|f| f.id == FindingId::AllowOriginWithoutVary)
    });
    if !second.vary_origin || had_vary_warning {
        findings.push(Finding {
            id: FindingId::ReflectedOriginWithoutVary,
            browser: Browser::Chromium,
            severity: Severity::Warning,
            stage,
            values: values.clone(),
            message: None,
        });
    }
    if second.allow_credentials.as_deref() == Some("true") {
        findings.push(Finding {
            id: FindingId::ReflectedOriginWithCredentials,
            browser: Browser::Chromium,
            severity: Severity::Warning,
            stage,
            values,
            message: None,
        });
    }
    findings
}
