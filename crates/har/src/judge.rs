//! Judging a read HAR: which browser recorded it (the HAR's creator and
//! browser fields, else the User-Agent), each page's cross-origin requests
//! rebuilt as [`ObservedExchange`]s and handed to the engine's
//! `evaluate_observed`, which pairs preflights and redirect hops and says
//! what that browser made of each fetch. Entries are grouped by page
//! (`pageref`); a recording without pages is one group.
//!
//! Some exporters leave out what a diagnosis needs: Playwright records no
//! preflights, and for a request the browser blocked only its provisional
//! headers (no `Origin`) and no response. A script's request without an
//! `Origin` is then placed by its page's origin, and a failed request without
//! a response is reported as such (not judged: a guess would be a second
//! rule); `har --replay` sends it again to learn why.

use cors_engine::{
    evaluate_observed, script_request, Answer, Browser, Finding, ObservedExchange, ObservedFetch,
    Origin, Request, Response, Verdict,
};
use std::collections::{HashMap, HashSet, VecDeque};

use url::Url;

use crate::reader::{Entry, Har, Page};

/// What the recording says about one fetch.
#[derive(Clone, Debug)]
pub enum Judgement {
    /// The engine's judgement of the recorded exchanges.
    Judged(Box<ObservedFetch>),
    /// The browser reported a failure and the recording holds no response.
    NoResponse { error: String },
}

/// The same request sent again by `check` (`har --replay`), as the
/// recording browser would judge the answer today.
#[derive(Clone, Debug)]
pub struct Replay {
    pub verdict: Verdict,
    pub console: Vec<String>,
    pub findings: Vec<Finding>,
    /// Why the replay could not run or got no answer.
    pub error: Option<String>,
    /// Sent with credentials although the recording does not say so: it
    /// passed without them, and the browser had failed it.
    pub assumed_credentials: bool,
}

/// One fetch of the recording and the judgement of it.
#[derive(Clone, Debug)]
pub struct HarFetch {
    /// The entry of the script's request (its first hop), or of the
    /// preflight when no request followed it (0-based, in file order).
    pub entry: usize,
    pub preflight_entry: Option<usize>,
    pub hop_entries: Vec<usize>,
    pub method: String,
    pub url: String,
    /// The page's origin (its `Origin` header, or the page's own).
    pub origin: String,
    /// The recorded headers had no `Origin`: it was taken from the page.
    pub origin_inferred: bool,
    pub judgement: Judgement,
    /// Allowed as recorded, but no cookie was sent, so the file cannot tell
    /// whether the page asked for credentials: what the browser makes of
    /// the same exchanges when the request is credentialed, when it blocks
    /// it (ACAO `*`, no `Access-Control-Allow-Credentials: true`).
    /// Kept for the first [`CREDENTIALED_DETAILS`] such fetches per page
    /// origin → API host (a large recording would list every call).
    pub if_credentialed: Option<ObservedFetch>,
    /// The same verdict for every fetch, details kept or not.
    pub blocked_if_credentialed: bool,
    /// The script's request, for `--replay` (kept only for what did not pass).
    pub request: Option<Request>,
    pub replay: Option<Replay>,
}

impl HarFetch {
    /// The fetch whose script request is entry `entry` (recorded with
    /// `url`, sent as `exchange`); `request` is filled in for what may be
    /// replayed.
    fn of(
        entry: usize,
        url: String,
        exchange: &ObservedExchange,
        origin_inferred: bool,
        judgement: Judgement,
    ) -> HarFetch {
        HarFetch {
            entry,
            preflight_entry: None,
            hop_entries: Vec::new(),
            method: exchange.method.clone(),
            url,
            origin: origin_of(exchange),
            origin_inferred,
            request: None,
            judgement,
            if_credentialed: None,
            blocked_if_credentialed: false,
            replay: None,
        }
    }

    /// The verdict: the replay's when there is one, else the recording's
    /// (a failure without a response counts as blocked).
    pub fn verdict(&self) -> Verdict {
        match (&self.replay, &self.judgement) {
            (Some(r), _) => r.verdict,
            (None, Judgement::Judged(j)) => j.outcome.verdict,
            (None, Judgement::NoResponse { .. }) => Verdict::Blocked,
        }
    }

    /// The console lines: the replay's, else the engine's for the recording.
    pub fn console(&self) -> &[String] {
        match (&self.replay, &self.judgement) {
            (Some(r), _) => &r.console,
            (None, Judgement::Judged(j)) => &j.outcome.console,
            (None, Judgement::NoResponse { .. }) => &[],
        }
    }

    pub fn findings(&self) -> &[Finding] {
        match (&self.replay, &self.judgement) {
            (Some(r), _) => &r.findings,
            (None, Judgement::Judged(j)) => &j.outcome.findings,
            (None, Judgement::NoResponse { .. }) => &[],
        }
    }

    pub fn judged(&self) -> Option<&ObservedFetch> {
        match &self.judgement {
            Judgement::Judged(j) => Some(j),
            Judgement::NoResponse { .. } => None,
        }
    }
}

/// The fetches of one page.
#[derive(Clone, Debug)]
pub struct PageReport {
    /// The page's URL when the recording names it.
    pub page: Option<String>,
    pub fetches: Vec<HarFetch>,
}

/// Everything `har` learned from one file.
#[derive(Clone, Debug)]
pub struct HarReport {
    pub browser: Browser,
    /// How the browser was told (`log.browser: Firefox 128`, `User-Agent: …`).
    pub browser_evidence: String,
    /// `log.creator`: the tool that wrote the file.
    pub creator: String,
    pub total_entries: usize,
    /// Entries kept: with an `Origin` header, or made by a script.
    pub cross_origin_entries: usize,
    /// Entries skipped because their URL is not an absolute http(s) URL.
    pub unreadable_entries: Vec<usize>,
    /// Whether the file records preflights at all (Playwright's never
    /// does): without them, a missing preflight says nothing of the cache.
    pub records_preflights: bool,
    pub pages: Vec<PageReport>,
}

impl HarReport {
    pub fn fetches(&self) -> impl Iterator<Item = &HarFetch> {
        self.pages.iter().flat_map(|p| p.fetches.iter())
    }

    pub fn fetches_mut(&mut self) -> impl Iterator<Item = &mut HarFetch> {
        self.pages.iter_mut().flat_map(|p| p.fetches.iter_mut())
    }

    /// Something the browser blocked.
    pub fn any_blocked(&self) -> bool {
        self.fetches().any(|f| f.verdict() != Verdict::Allowed)
    }
}

fn browser_of_name(name: &str) -> Option<Browser> {
    let name = name.to_ascii_lowercase();
    if name.contains("firefox") {
        Some(Browser::Firefox)
    } else if name.contains("chrom") || name.contains("edge") {
        Some(Browser::Chromium)
    } else if name.contains("webkit") || name.contains("safari") {
        Some(Browser::WebKit)
    } else {
        None
    }
}

/// The browser that recorded `har`, and how that was told. Chromium,
/// Edge and Safari all write `WebInspector` as the creator, so the
/// `browser` field and then the requests' User-Agent decide.
pub fn recording_browser(har: &Har) -> (Browser, String) {
    if let Some(b) = har.browser.as_ref() {
        if let Some(browser) = browser_of_name(&b.name) {
            return (browser, format!("log.browser: {} {}", b.name, b.version));
        }
    }
    if let Some(browser) = browser_of_name(&har.creator.name) {
        return (
            browser,
            format!("log.creator: {} {}", har.creator.name, har.creator.version),
        );
    }
    for entry in &har.entries {
        if let Some(ua) = entry.request_header("user-agent") {
            if let Some(browser) = Browser::from_user_agent(ua) {
                return (browser, format!("User-Agent: {ua}"));
            }
        }
    }
    (
        Browser::Chromium,
        "not said by the file: judged as Chromium (pass --browser to choose)".to_string(),
    )
}

/// The `Origin` an exchange was sent with (recorded or inferred).
fn origin_of(exchange: &ObservedExchange) -> String {
    exchange
        .request_headers
        .iter()
        .find(|(n, _)| n.eq_ignore_ascii_case("origin"))
        .map(|(_, v)| v.clone())
        .unwrap_or_default()
}

pub(crate) fn is_preflight(entry: &Entry) -> bool {
    entry.resource_type.as_deref() == Some("preflight")
        || (entry.method.eq_ignore_ascii_case("OPTIONS")
            && entry
                .request_header("access-control-request-method")
                .is_some())
}

/// The exchange of `entry` (its headers moved, not copied), with the
/// page's origin as `Origin` when the recorded headers lack it, and whether
/// that origin was inferred; `None` for a URL that is not http(s), or a
/// same-origin request (no CORS).
pub(crate) fn exchange(
    entry: &mut Entry,
    page_origin: Option<&Origin>,
) -> Option<(ObservedExchange, bool)> {
    let url = Url::parse(&entry.url).ok()?;
    if !matches!(url.scheme(), "http" | "https") {
        return None;
    }
    let mut inferred = false;
    if entry.request_header("origin").is_none() {
        // Complete request headers without an `Origin`: the browser sent
        // none, so CORS did not apply (mode "no-cors", or same-origin). Only
        // a request recorded without its response may have lost it
        // (Playwright keeps a blocked request's provisional headers).
        if entry.status != 0 {
            return None;
        }
        let origin = page_origin?;
        if origin.same_origin(&Origin::of_url(&url)) {
            return None;
        }
        entry
            .request_headers
            .push(("Origin".to_string(), origin.serialize()));
        inferred = true;
    }
    let response: Answer = if entry.status == 0 {
        Err((
            entry
                .error
                .clone()
                .unwrap_or_else(|| "net::ERR_FAILED".to_string()),
            "the recording holds no response".to_string(),
        ))
    } else {
        Ok(Response::new(
            entry.status,
            std::mem::take(&mut entry.response_headers),
        ))
    };
    Some((
        ObservedExchange {
            method: std::mem::take(&mut entry.method),
            url,
            request_headers: std::mem::take(&mut entry.request_headers),
            response,
            from_cache: entry.from_cache,
        },
        inferred,
    ))
}

/// The page's URL: `pages[].title` when it is a URL (Chromium, Firefox),
/// else the first document the page loaded (Playwright).
pub(crate) fn page_url(
    pages: &[Page],
    documents: &[(Option<String>, String)],
    pageref: Option<&str>,
) -> Option<Url> {
    let titled = pageref
        .and_then(|id| pages.iter().find(|p| p.id == id))
        .and_then(|p| Url::parse(&p.title).ok())
        .filter(|u| matches!(u.scheme(), "http" | "https" | "file"));
    titled.or_else(|| {
        documents
            .iter()
            .find(|(p, _)| p.as_deref() == pageref)
            .and_then(|(_, url)| Url::parse(url).ok())
    })
}

/// Judges every page of `har` as `browser` would have. The entries are
/// consumed: their headers move into the exchanges the engine judges.
pub fn judge(har: Har, browser: Browser, browser_evidence: String) -> HarReport {
    let records_preflights = har.entries.iter().any(is_preflight);
    let cross_origin_entries = har.entries.len();
    let creator = format!("{} {}", har.creator.name, har.creator.version)
        .trim()
        .to_string();
    let (har_pages, documents) = (har.pages, har.documents);
    let mut groups: Vec<(Option<String>, Vec<Entry>)> = Vec::new();
    for entry in har.entries {
        match groups.iter_mut().find(|(k, _)| *k == entry.pageref) {
            Some((_, list)) => list.push(entry),
            None => groups.push((entry.pageref.clone(), vec![entry])),
        }
    }
    let mut unreadable = Vec::new();
    let mut pages = Vec::new();
    let mut credentialed_shown: HashMap<(String, String), usize> = HashMap::new();
    for (pageref, mut entries) in groups {
        let page = page_url(&har_pages, &documents, pageref.as_deref());
        let page_origin = page.as_ref().map(Origin::of_url);
        let mut exchanges = Vec::new();
        // Per exchange: its entry's index and URL as recorded, and whether its Origin was inferred.
        let mut kept: Vec<(usize, String, bool)> = Vec::new();
        let mut fetches = Vec::new();
        for at in preflights_first(&entries) {
            let entry = &mut entries[at];
            if Url::parse(&entry.url).is_err() {
                unreadable.push(entry.index);
                continue;
            }
            let unanswered = entry.status == 0 && !is_preflight(entry);
            let Some((exchange, inferred)) = exchange(entry, page_origin.as_ref()) else {
                continue;
            };
            let url = std::mem::take(&mut entry.url);
            if unanswered {
                // Failed with no response recorded: nothing to judge.
                let error = entry
                    .error
                    .clone()
                    .unwrap_or_else(|| "a failure".to_string());
                let mut fetch = HarFetch::of(
                    entry.index,
                    url,
                    &exchange,
                    inferred,
                    Judgement::NoResponse { error },
                );
                fetch.request = script_request(&exchange, page.as_ref());
                fetches.push(fetch);
                continue;
            }
            exchanges.push(exchange);
            kept.push((entry.index, url, inferred));
        }
        drop(entries);
        // What each preflight asks for (URL, method), by entry index.
        let asks: HashMap<usize, (String, String)> = exchanges
            .iter()
            .zip(&kept)
            .filter(|(e, _)| e.is_preflight())
            .map(|(e, (index, url, _))| {
                let method = e
                    .header("access-control-request-method")
                    .unwrap_or_default();
                (*index, (url.clone(), method.to_string()))
            })
            .collect();
        for j in evaluate_observed(browser, &exchanges, page.as_ref()) {
            let (Some((index, url, inferred)), Some(exchange)) =
                (kept.get(j.request), exchanges.get(j.request))
            else {
                continue;
            };
            let preflight_entry = j.preflight.and_then(|p| kept.get(p)).map(|k| k.0);
            let hop_entries = j
                .hops
                .iter()
                .filter_map(|h| kept.get(*h))
                .map(|k| k.0)
                .collect();
            let blocked = j.outcome.verdict != Verdict::Allowed;
            let if_credentialed = if_credentialed(browser, &exchanges, &j, page.as_ref());
            let mut fetch = HarFetch::of(
                *index,
                url.clone(),
                exchange,
                *inferred,
                Judgement::Judged(Box::new(j)),
            );
            // Only what did not pass is ever sent again (`--replay`).
            if blocked {
                fetch.request = script_request(exchange, page.as_ref());
            }
            fetch.preflight_entry = preflight_entry;
            fetch.hop_entries = hop_entries;
            if let Some(again) = if_credentialed {
                fetch.blocked_if_credentialed = true;
                let shown = credentialed_shown
                    .entry((fetch.origin.clone(), host_of(&fetch.url)))
                    .or_insert(0);
                if *shown < CREDENTIALED_DETAILS {
                    *shown += 1;
                    fetch.if_credentialed = Some(again);
                }
            }
            fetches.push(fetch);
        }
        merge_unanswered_into_preflights(&mut fetches, &asks);
        fetches.sort_by_key(|f| f.entry);
        pages.push(PageReport {
            page: page.map(|u| u.to_string()),
            fetches,
        });
    }
    HarReport {
        browser,
        browser_evidence,
        creator,
        total_entries: har.total_entries,
        cross_origin_entries,
        unreadable_entries: unreadable,
        records_preflights,
        pages,
    }
}

/// How many fetches per page origin → API host keep the details of what
/// the browser does when they are credentialed.
pub const CREDENTIALED_DETAILS: usize = 20;

/// `host[:port]` of `url` (the URL itself when it has none).
pub fn host_of(url: &str) -> String {
    Url::parse(url)
        .ok()
        .and_then(|u| {
            u.host_str().map(|h| match u.port() {
                Some(p) => format!("{h}:{p}"),
                None => h.to_string(),
            })
        })
        .unwrap_or_else(|| url.to_string())
}

/// For a fetch allowed as recorded whose request carried no cookie (so the
/// recording cannot tell its credentials mode): the engine's judgement of
/// the same exchanges sent with credentials, when that one is not allowed.
fn if_credentialed(
    browser: Browser,
    exchanges: &[ObservedExchange],
    judged: &ObservedFetch,
    page: Option<&Url>,
) -> Option<ObservedFetch> {
    let request = exchanges.get(judged.request)?;
    if judged.outcome.verdict != Verdict::Allowed
        || request.is_preflight()
        || script_request(request, page)?.includes_credentials()
    {
        return None;
    }
    let mut again: Vec<ObservedExchange> = judged
        .preflight
        .and_then(|p| exchanges.get(p))
        .cloned()
        .into_iter()
        .collect();
    for at in std::iter::once(judged.request).chain(judged.hops.iter().copied()) {
        let mut exchange = exchanges.get(at)?.clone();
        // A cookie is what tells the engine a request was credentialed;
        // its value is never read.
        exchange
            .request_headers
            .push(("Cookie".to_string(), "credentialed".to_string()));
        again.push(exchange);
    }
    evaluate_observed(browser, &again, page)
        .into_iter()
        .next()
        .filter(|f| f.outcome.verdict != Verdict::Allowed)
}

/// A request that failed with no response, and the preflight recorded for
/// it (Firefox lists the preflight after the request it precedes), are one
/// fetch: the engine judged it from the preflight; it is reported under the
/// request's entry and method. `asks` holds what each preflight entry asks
/// for (URL, method).
fn merge_unanswered_into_preflights(
    fetches: &mut Vec<HarFetch>,
    asks: &HashMap<usize, (String, String)>,
) {
    // The unanswered requests by what a preflight names, first recorded first.
    let mut unanswered: HashMap<(&str, &str, &str), VecDeque<usize>> = HashMap::new();
    for (at, f) in fetches.iter().enumerate() {
        if let Judgement::NoResponse { .. } = f.judgement {
            unanswered
                .entry((f.url.as_str(), f.method.as_str(), f.origin.as_str()))
                .or_default()
                .push_back(at);
        }
    }
    let mut merges = Vec::new();
    for (at, f) in fetches.iter().enumerate() {
        let Judgement::Judged(_) = f.judgement else {
            continue;
        };
        let Some((url, wanted)) = asks.get(&f.entry) else {
            continue;
        };
        if let Some(u) = unanswered
            .get_mut(&(url.as_str(), wanted.as_str(), f.origin.as_str()))
            .and_then(VecDeque::pop_front)
        {
            merges.push((at, u));
        }
    }
    let mut merged = HashSet::new();
    for (at, u) in merges {
        let (request_entry, method, request) = (
            fetches[u].entry,
            fetches[u].method.clone(),
            fetches[u].request.clone(),
        );
        merged.insert(u);
        let fetch = &mut fetches[at];
        fetch.preflight_entry = Some(fetch.entry);
        fetch.entry = request_entry;
        fetch.method = method;
        if request.is_some() {
            fetch.request = request;
        }
    }
    let mut at = 0;
    fetches.retain(|_| {
        at += 1;
        !merged.contains(&(at - 1))
    });
}

/// Whether `preflight` asks about `request`: same URL and origin, and the
/// request's method.
fn asks_about(preflight: &Entry, request: &Entry) -> bool {
    preflight.url == request.url
        && preflight.request_header("origin") == request.request_header("origin")
        && preflight.request_header("access-control-request-method")
            == Some(request.method.as_str())
}

/// How many entries back a preflight's request is looked for.
const PREFLIGHT_LOOK_BACK: usize = 64;

/// Firefox's exporter lists a preflight after the request it precedes (the
/// request's channel opens first): the order in which to take `entries`,
/// each preflight moved to just before the nearest earlier request it asks
/// about that has none before it, so the engine sees the order the browser
/// sent them in.
fn preflights_first(entries: &[Entry]) -> Vec<usize> {
    let mut order: Vec<usize> = (0..entries.len()).collect();
    let at = |order: &[usize], i: usize| &entries[order[i]];
    let mut i = 0;
    while i < order.len() {
        if is_preflight(at(&order, i)) {
            // Firefox writes the preflight within a few entries of its
            // request: a bounded look back keeps long recordings linear.
            let already_first = i + 1 < order.len()
                && !is_preflight(at(&order, i + 1))
                && asks_about(at(&order, i), at(&order, i + 1));
            let start = i.saturating_sub(PREFLIGHT_LOOK_BACK);
            let target = (start..i).rev().filter(|_| !already_first).find(|&j| {
                !is_preflight(at(&order, j))
                    && asks_about(at(&order, i), at(&order, j))
                    && !(j > 0
                        && is_preflight(at(&order, j - 1))
                        && asks_about(at(&order, j - 1), at(&order, j)))
            });
            if let Some(j) = target {
                let preflight = order.remove(i);
                order.insert(j, preflight);
            }
        }
        i += 1;
    }
    order
}
