//! `scan`: one endpoint across a matrix of origins × request kinds ×
//! credentials modes × browsers. Every cell is a set of engine flows; all
//! flows advance together in waves and each distinct request goes on the
//! wire once (a preflight serves every cell that would send the same one),
//! within a concurrency limit and an optional rate limit.

use crate::allow_answer::AllowAnswer;
use crate::check::answer_of;
use crate::error::ProbeError;
use crate::flows::{run_flows, send_limited, Limits};
use crate::scan_matrix::{
    origins_for, request_kinds, AttackClass, OriginRole, RequestKind, ScanOrigin,
};
use crate::transport::{Client, OutgoingRequest};
use cors_engine::{Browser, CredentialsMode, Driver, FindingId, Flow, Origin, Request, Verdict};
use url::Url;

/// What to scan.
#[derive(Clone, Debug)]
pub struct ScanRequest {
    pub url: Url,
    pub user_origins: Vec<Origin>,
    /// Extra methods to try (`-X`), besides the advertised ones.
    pub methods: Vec<String>,
    /// Extra headers the page sends (`-H`), tried as one more request kind.
    pub headers: Vec<(String, String)>,
    pub browsers: Vec<Browser>,
    pub concurrency: usize,
    /// At most this many requests per second (to the one host scanned).
    pub rate_per_second: Option<u32>,
}

/// One browser's answer for one cell.
#[derive(Clone, Debug)]
pub struct BrowserCell {
    pub browser: Browser,
    pub verdict: Verdict,
    pub blocking: Option<FindingId>,
    /// The status of the response that made this browser block (none when
    /// it allowed the request).
    pub status: Option<u16>,
}

/// One cell of the matrix.
#[derive(Clone, Debug)]
pub struct Cell {
    pub origin: usize,
    pub kind: usize,
    pub credentials: bool,
    pub browsers: Vec<BrowserCell>,
    /// Access-Control-Allow-Origin / -Credentials / Vary on the last response.
    pub allow_origin: Option<String>,
    pub allow_credentials: Option<String>,
    pub vary_origin: bool,
    /// The exchanges of the cell's first browser, in order (`scan` keeps
    /// them for `serve`'s matrix; `audit` does not).
    pub exchanges: Vec<cors_engine::Exchange>,
}

impl Cell {
    pub fn allowed_in(&self) -> Vec<Browser> {
        self.browsers
            .iter()
            .filter(|b| b.verdict == Verdict::Allowed)
            .map(|b| b.browser)
            .collect()
    }

    pub fn all_allowed(&self) -> bool {
        self.browsers.iter().all(|b| b.verdict == Verdict::Allowed)
    }

    pub fn none_allowed(&self) -> bool {
        self.browsers.iter().all(|b| b.verdict != Verdict::Allowed)
    }
}

/// Everything a scan learned.
#[derive(Debug)]
pub struct ScanReport {
    pub url: Url,
    pub origins: Vec<ScanOrigin>,
    pub kinds: Vec<RequestKind>,
    pub cells: Vec<Cell>,
    pub browsers: Vec<Browser>,
    /// Methods the endpoint advertised (Allow, Access-Control-Allow-Methods).
    pub advertised_methods: Vec<String>,
    /// What a preflight asking for a made-up method and header got back.
    pub allow_lists_probe: Option<AllowListsProbe>,
    /// Requests put on the wire, the discovery and reflection OPTIONS included.
    pub requests_sent: usize,
    /// The first request that got no usable response, if any.
    pub network_error: Option<ProbeError>,
}

impl ScanReport {
    /// The cell of origin `origin`, kind `kind` and credentials mode.
    pub fn cell(&self, origin: usize, kind: usize, credentials: bool) -> Option<&Cell> {
        self.cells
            .iter()
            .find(|c| c.origin == origin && c.kind == kind && c.credentials == credentials)
    }
}

/// What identifies a request on the wire. The probe has no cookies of the
/// user's, so a credentialed and a non-credentialed request are the same bytes.
/// The method and header name no real configuration lists: if they come
/// back in the allow lists, the server echoes whatever a preflight asks for.
pub const PROBE_METHOD: &str = "CORSDOCTORPROBE";
pub const PROBE_HEADER: &str = "x-cors-doctor-probe";

/// The answer to the reflection preflight (sent from the first user origin).
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct AllowListsProbe {
    pub origin: String,
    pub reflects_method: bool,
    pub reflects_headers: bool,
    pub allow_origin: Option<String>,
    pub allow_credentials: Option<String>,
    /// The browsers in which this credentialed preflight passes.
    pub passes_in: Vec<Browser>,
    /// Requests it took (one, unless the browsers' preflights differ).
    pub requests: usize,
}

/// One preflight for a made-up method and header, credentialed, from
/// `origin`: whether the allow lists echo what it asks for, and in which
/// browsers it passes.
pub(crate) async fn probe_allow_lists(
    client: &Client,
    limits: &Limits,
    url: &Url,
    origin: &Origin,
    browsers: &[Browser],
) -> Result<AllowListsProbe, ProbeError> {
    let header = [(PROBE_HEADER, "1")];
    probe_preflight(client, limits, url, origin, browsers, PROBE_METHOD, &header).await
}

/// A credentialed preflight from `origin` for `method` with `headers`:
/// what came back, and in which browsers it passes (the engine judges it;
/// the request it would let through is never sent).
pub(crate) async fn probe_preflight(
    client: &Client,
    limits: &Limits,
    url: &Url,
    origin: &Origin,
    browsers: &[Browser],
    method: &str,
    headers: &[(&str, &str)],
) -> Result<AllowListsProbe, ProbeError> {
    let mut request = Request::new(page_of(origin, url), url.clone()).origin(origin.clone());
    request.method = method.to_string();
    request.headers = headers
        .iter()
        .map(|(n, v)| ((*n).to_string(), (*v).to_string()))
        .collect();
    request.credentials = CredentialsMode::Include;
    let mut driver = Driver::new().credentials_not_on_wire();
    for &browser in browsers {
        driver.add(Flow::start(&request, browser));
    }
    // The first requests are the preflights (a made-up method is never simple).
    let mut answer = None;
    let mut requests = 0;
    for ticket in driver.wanted() {
        let Some(planned) = driver.request(ticket) else {
            continue;
        };
        let result = send_limited(client, limits, &OutgoingRequest::planned(planned, None)).await;
        requests += 1;
        driver.answer(ticket, answer_of(&result));
        answer = Some(result);
    }
    // Feeds the preflight's answer to the flows; the actual requests they
    // then ask for are not sent: a flow still waiting passed its preflight.
    let _ = driver.wanted();
    let outcome = driver.finish();
    let x = answer.unwrap_or_else(|| {
        Err(ProbeError::InvalidRequest {
            detail: "the engine planned no preflight".to_string(),
        })
    })?;
    let lists = |name: &str, wanted: &str| {
        cors_engine::headers::all_values(&x.headers, name)
            .flat_map(cors_engine::headers::list_items)
            .any(|item| item.eq_ignore_ascii_case(wanted))
    };
    let answer = AllowAnswer::of(&x.headers);
    Ok(AllowListsProbe {
        origin: origin.serialize(),
        reflects_method: lists("access-control-allow-methods", PROBE_METHOD),
        reflects_headers: lists("access-control-allow-headers", PROBE_HEADER),
        allow_origin: answer.allow_origin,
        allow_credentials: answer.allow_credentials,
        requests,
        passes_in: outcome
            .browsers
            .iter()
            .filter(|b| b.verdict == Verdict::Unreachable && b.blocking().is_none())
            .map(|b| b.browser)
            .collect(),
    })
}

/// Learns the advertised methods with one OPTIONS (as a preflight for PUT).
async fn discover_methods(
    client: &Client,
    url: &Url,
    origin: &Origin,
) -> (Vec<String>, Option<ProbeError>) {
    let request = OutgoingRequest::preflight(url, &origin.serialize(), "PUT", None);
    match client.send(&request).await {
        Ok(x) => {
            let mut methods: Vec<String> = Vec::new();
            let items = ["allow", "access-control-allow-methods"]
                .into_iter()
                .flat_map(|name| cors_engine::headers::all_values(&x.headers, name))
                .flat_map(cors_engine::headers::list_items);
            for item in items {
                if !methods.iter().any(|m| m.eq_ignore_ascii_case(item)) {
                    methods.push(item.to_string());
                }
            }
            (methods, None)
        }
        Err(e) => (Vec::new(), Some(e)),
    }
}

/// The page a request from `origin` comes from.
fn page_of(origin: &Origin, url: &Url) -> Url {
    match origin {
        Origin::Tuple { .. } => {
            Url::parse(&format!("{}/", origin.serialize())).unwrap_or_else(|_| url.clone())
        }
        Origin::Opaque => Url::parse("data:text/html,").unwrap_or_else(|_| url.clone()),
    }
}

/// The cells asked so far: their origins, what each browser made of them,
/// the requests they cost and the first network failure.
#[derive(Debug, Default)]
pub(crate) struct CellsRun {
    pub origins: Vec<ScanOrigin>,
    pub cells: Vec<Cell>,
    pub sent: usize,
    pub network_error: Option<ProbeError>,
}

impl CellsRun {
    /// Appends `more` (run after these, so its cells name their origins
    /// from `self.origins.len()` on).
    pub fn add(&mut self, more: CellsRun) {
        self.origins.extend(more.origins);
        self.cells.extend(more.cells);
        self.sent += more.sent;
        if self.network_error.is_none() {
            self.network_error = more.network_error;
        }
    }
}

/// What every wave of one endpoint's cells shares: the endpoint, the
/// request kinds, the judging browsers and the network.
pub(crate) struct CellsPlan<'a> {
    pub url: &'a Url,
    pub kinds: &'a [RequestKind],
    pub browsers: &'a [Browser],
    pub client: &'a Client,
    pub limits: &'a Limits,
    /// `progress(sent, known)`, as requests complete.
    pub progress: &'a (dyn Fn(usize, usize) + Sync),
    /// Keep each cell's exchanges ([`Cell::exchanges`]).
    pub keep_exchanges: bool,
}

impl CellsPlan<'_> {
    /// Asks the hosting-platform origins the answers in `run` named
    /// unasked, unless the endpoint already failed to answer. `sent_before`:
    /// the requests sent before `run`, for the progress count.
    pub async fn ask_named_third_parties(&self, run: &mut CellsRun, sent_before: usize) {
        let named = named_third_parties(&run.cells, &run.origins);
        if run.network_error.is_none() && !named.is_empty() {
            let more = self
                .run(named, run.origins.len(), sent_before + run.sent)
                .await;
            run.add(more);
        }
    }

    /// Every cell of `origins` × the kinds × credentials modes, judged by
    /// the engine's driver in each browser: every cell × browser a flow,
    /// each distinct request on the wire once (no cookies go out, so the
    /// credentials mode does not make a second request), its answer fed to
    /// every flow. Cells name their origin as `first_origin` + its position.
    pub async fn run(
        &self,
        origins: Vec<ScanOrigin>,
        first_origin: usize,
        sent_before: usize,
    ) -> CellsRun {
        let CellsPlan {
            url,
            kinds,
            browsers,
            client,
            limits,
            progress,
            keep_exchanges,
        } = *self;
        let mut cell_requests: Vec<(usize, usize, bool, Request)> = Vec::new();
        for (oi, o) in origins.iter().enumerate() {
            for (ki, kind) in kinds.iter().enumerate() {
                for credentials in [false, true] {
                    let mut request =
                        Request::new(page_of(&o.origin, url), url.clone()).origin(o.origin.clone());
                    request.method = kind.method.clone();
                    request.headers = kind.headers.clone();
                    request.credentials = if credentials {
                        CredentialsMode::Include
                    } else {
                        CredentialsMode::Omit
                    };
                    cell_requests.push((first_origin + oi, ki, credentials, request));
                }
            }
        }
        let flows = cell_requests.len() * browsers.len();
        let mut driver = Driver::new().credentials_not_on_wire();
        driver.reserve(flows);
        let mut flow_cells = Vec::with_capacity(flows);
        for (ci, (_, _, _, request)) in cell_requests.iter().enumerate() {
            // One classification for the browsers that agree on it.
            driver.add_request(request, browsers);
            flow_cells.extend(std::iter::repeat_n(ci, browsers.len()));
        }
        let run = run_flows(
            driver,
            client,
            limits,
            b"cors-doctor scan",
            sent_before,
            progress,
        )
        .await;
        let finished = run.outcome;
        let mut cells: Vec<Cell> = cell_requests
            .iter()
            .map(|(oi, ki, credentials, _)| Cell {
                origin: *oi,
                kind: *ki,
                credentials: *credentials,
                browsers: Vec::new(),
                allow_origin: None,
                allow_credentials: None,
                vary_origin: false,
                exchanges: Vec::new(),
            })
            .collect();
        for (outcome, ci) in finished.browsers.iter().zip(flow_cells) {
            let blocking = outcome.blocking().map(|f| (f.id, f.values.status));
            let cell = &mut cells[ci];
            if cell.browsers.is_empty() {
                // The last response that reached this flow.
                let response = outcome
                    .steps
                    .iter()
                    .rev()
                    .find_map(|&index| finished.exchanges.get(index)?.response.as_ref().ok());
                if let Some(r) = response {
                    let answer = AllowAnswer::of(&r.headers);
                    cell.allow_origin = answer.allow_origin;
                    cell.allow_credentials = answer.allow_credentials;
                    cell.vary_origin = answer.vary_origin;
                }
                if keep_exchanges {
                    cell.exchanges = outcome
                        .steps
                        .iter()
                        .filter_map(|&index| finished.exchanges.get(index).cloned())
                        .collect();
                }
            }
            cell.browsers.push(BrowserCell {
                browser: outcome.browser,
                verdict: outcome.verdict,
                blocking: blocking.map(|b| b.0),
                status: blocking.and_then(|b| b.1),
            });
        }
        CellsRun {
            origins,
            cells,
            sent: run.sent,
            network_error: run.network_error,
        }
    }
}

/// Origins on a public hosting platform that a response named in
/// Access-Control-Allow-Origin without being asked for (a server that
/// always answers with one such origin): asked next, so the engine judges
/// what a page there could read.
fn named_third_parties(cells: &[Cell], asked: &[ScanOrigin]) -> Vec<ScanOrigin> {
    let mut out: Vec<ScanOrigin> = Vec::new();
    for named in cells.iter().filter_map(|c| c.allow_origin.as_deref()) {
        if !crate::scan_matrix::is_third_party_hosting(named) {
            continue;
        }
        let Ok(origin) = Origin::parse(named) else {
            continue;
        };
        if !asked.iter().chain(&out).any(|o| o.origin == origin) {
            out.push(ScanOrigin {
                origin,
                role: OriginRole::Attack(AttackClass::ThirdPartyHosting),
                label: "the hosting-platform origin the server names".to_string(),
            });
        }
    }
    out
}

/// Runs the scan. `progress(sent, known)` is called as requests complete.
pub async fn run_scan(
    scan: &ScanRequest,
    client: &Client,
    progress: &(dyn Fn(usize, usize) + Sync),
) -> ScanReport {
    let first_origin = scan.user_origins.first().cloned().unwrap_or(Origin::Opaque);
    let (advertised, discovery_error) = discover_methods(client, &scan.url, &first_origin).await;
    let mut requests_sent = 1;
    let limits = Limits::new(scan.concurrency, scan.rate_per_second);
    let allow_lists_probe = if discovery_error.is_none() {
        let probe = probe_allow_lists(client, &limits, &scan.url, &first_origin, &scan.browsers)
            .await
            .ok();
        requests_sent += probe.as_ref().map_or(1, |p| p.requests);
        probe
    } else {
        None
    };
    let scan_origins = origins_for(&scan.user_origins, Some(&Origin::of_url(&scan.url)));
    let kinds = request_kinds(&advertised, &scan.methods, &scan.headers);
    // No request beyond the discovery when it could not reach the server:
    // every other request would wait as long to fail.
    let unreachable = discovery_error
        .as_ref()
        .is_some_and(ProbeError::is_unreachable);
    let plan = CellsPlan {
        url: &scan.url,
        kinds: &kinds,
        browsers: &scan.browsers,
        client,
        limits: &limits,
        progress,
        keep_exchanges: true,
    };
    let mut run = if unreachable {
        CellsRun {
            origins: scan_origins,
            ..CellsRun::default()
        }
    } else {
        plan.run(scan_origins, 0, requests_sent).await
    };
    run.network_error = discovery_error.or(run.network_error);
    plan.ask_named_third_parties(&mut run, requests_sent).await;
    let CellsRun {
        origins: scan_origins,
        cells,
        sent,
        network_error,
    } = run;
    let requests_sent = requests_sent + sent;
    ScanReport {
        url: scan.url.clone(),
        origins: scan_origins,
        kinds,
        cells,
        browsers: scan.browsers.clone(),
        advertised_methods: advertised,
        allow_lists_probe,
        requests_sent,
        network_error,
    }
}
