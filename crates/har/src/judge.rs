//! Judging a read HAR: which browser recorded it (the HAR's creator and
//! browser fields, else the User-Agent), each page's cross-origin requests
//! rebuilt as [`ObservedExchange`]s and handed to the engine's
//! `evaluate_observed`, which pairs preflights and redirect hops and says
//! what that browser made of each fetch. Entries are grouped by page
//! (`pageref`); a recording without pages is one group.

use cors_engine::{evaluate_observed, Answer, Browser, ObservedExchange, ObservedFetch, Response};
use url::Url;

use crate::reader::{Entry, Har};

/// One fetch of the recording and the engine's judgement of it.
#[derive(Clone, Debug)]
pub struct HarFetch {
    /// The entry of the script's request (its first hop), or of the
    /// preflight when no request followed it (0-based, in file order).
    pub entry: usize,
    pub preflight_entry: Option<usize>,
    pub hop_entries: Vec<usize>,
    pub method: String,
    pub url: String,
    /// The page's origin (its `Origin` header).
    pub origin: String,
    /// What the engine says the recording browser did.
    pub judged: ObservedFetch,
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
    /// How the browser was told (`log.browser Firefox 128`, `User-Agent …`).
    pub browser_evidence: String,
    /// `log.creator`: the tool that wrote the file.
    pub creator: String,
    pub total_entries: usize,
    /// Entries with an `Origin` header.
    pub cross_origin_entries: usize,
    /// Entries skipped because their URL is not an absolute http(s) URL.
    pub unreadable_entries: Vec<usize>,
    pub pages: Vec<PageReport>,
}

impl HarReport {
    pub fn fetches(&self) -> impl Iterator<Item = &HarFetch> {
        self.pages.iter().flat_map(|p| p.fetches.iter())
    }

    /// Something the browser blocked.
    pub fn any_blocked(&self) -> bool {
        self.fetches()
            .any(|f| f.judged.outcome.verdict != cors_engine::Verdict::Allowed)
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

fn browser_of_user_agent(ua: &str) -> Option<Browser> {
    if ua.contains("Firefox/") {
        Some(Browser::Firefox)
    } else if ua.contains("Chrome/") || ua.contains("Chromium/") || ua.contains("Edg/") {
        Some(Browser::Chromium)
    } else if ua.contains("AppleWebKit/") {
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
            if let Some(browser) = browser_of_user_agent(ua) {
                return (browser, format!("User-Agent: {ua}"));
            }
        }
    }
    (
        Browser::Chromium,
        "not said by the file: judged as Chromium (pass --browser to choose)".to_string(),
    )
}

fn exchange(entry: &Entry) -> Option<ObservedExchange> {
    let url = Url::parse(&entry.url).ok()?;
    if !matches!(url.scheme(), "http" | "https") {
        return None;
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
        Ok(Response::new(entry.status, entry.response_headers.clone()))
    };
    Some(ObservedExchange {
        method: entry.method.clone(),
        url,
        request_headers: entry.request_headers.clone(),
        response,
        from_cache: entry.from_cache,
    })
}

/// Judges every page of `har` as `browser` would have.
pub fn judge(har: &Har, browser: Browser, browser_evidence: String) -> HarReport {
    let mut groups: Vec<(Option<&str>, Vec<&Entry>)> = Vec::new();
    for entry in &har.entries {
        let key = entry.pageref.as_deref();
        match groups.iter_mut().find(|(k, _)| *k == key) {
            Some((_, list)) => list.push(entry),
            None => groups.push((key, vec![entry])),
        }
    }
    let mut unreadable = Vec::new();
    let mut pages = Vec::new();
    for (pageref, entries) in groups {
        let page = pageref
            .and_then(|id| har.pages.iter().find(|p| p.id == id))
            .map(|p| p.title.clone())
            .filter(|t| Url::parse(t).is_ok());
        let page_url = page.as_deref().and_then(|p| Url::parse(p).ok());
        let mut exchanges = Vec::new();
        let mut entry_of = Vec::new();
        for entry in entries {
            match exchange(entry) {
                Some(e) => {
                    exchanges.push(e);
                    entry_of.push(entry);
                }
                None => unreadable.push(entry.index),
            }
        }
        let judged = evaluate_observed(browser, &exchanges, page_url.as_ref());
        let fetches = judged
            .into_iter()
            .filter_map(|j| {
                let first = entry_of.get(j.request)?;
                Some(HarFetch {
                    entry: first.index,
                    preflight_entry: j.preflight.and_then(|p| entry_of.get(p)).map(|e| e.index),
                    hop_entries: j
                        .hops
                        .iter()
                        .filter_map(|h| entry_of.get(*h))
                        .map(|e| e.index)
                        .collect(),
                    method: first.method.clone(),
                    url: first.url.clone(),
                    origin: first
                        .request_header("origin")
                        .unwrap_or_default()
                        .to_string(),
                    judged: j,
                })
            })
            .collect();
        pages.push(PageReport { page, fetches });
    }
    HarReport {
        browser,
        browser_evidence,
        creator: format!("{} {}", har.creator.name, har.creator.version)
            .trim()
            .to_string(),
        total_entries: har.total_entries,
        cross_origin_entries: har.entries.len(),
        unreadable_entries: unreadable,
        pages,
    }
}
