//! The preflight cache, as data: what a browser remembers from a successful
//! preflight (methods, headers, for how long) so that a later identical
//! request skips the preflight. Time is passed in by the caller (seconds on
//! any monotonic scale): the engine has no clock.

use crate::browser::Browser;
use crate::headers::{get_combined, list_items};
use crate::method::is_cors_safelisted;

/// One remembered preflight result.
#[derive(Clone, Debug, PartialEq, Eq)]
struct Entry {
    browser: Browser,
    origin: String,
    url: String,
    /// Stored from a credentialed preflight (serves both kinds of request).
    credentials: bool,
    methods: Vec<String>,
    /// Lower-cased header names.
    headers: Vec<String>,
    expires_at: u64,
}

/// The preflight caches of the browsers, keyed by (browser, origin, URL, credentials).
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct PreflightCache {
    entries: Vec<Entry>,
}

/// What a request needs from the cache to skip its preflight.
#[derive(Clone, Copy, Debug)]
pub struct Lookup<'a> {
    pub browser: Browser,
    pub origin: &'a str,
    pub url: &'a str,
    pub credentials: bool,
    pub method: &'a str,
    /// Lower-cased CORS-unsafe header names.
    pub unsafe_names: &'a [String],
    pub now: u64,
}

impl PreflightCache {
    pub fn new() -> PreflightCache {
        PreflightCache::default()
    }

    pub fn len(&self) -> usize {
        self.entries.len()
    }

    pub fn is_empty(&self) -> bool {
        self.entries.is_empty()
    }

    /// Whether a fresh entry covers the method and every unsafe header.
    pub fn covers(&self, q: &Lookup) -> bool {
        self.entries.iter().any(|e| {
            e.browser == q.browser
                && e.origin == q.origin
                && e.url == q.url
                && (e.credentials || !q.credentials)
                && q.now < e.expires_at
                && (is_cors_safelisted(q.method)
                    || e.methods.iter().any(|m| m == q.method)
                    || (!q.credentials && e.methods.iter().any(|m| m == "*")))
                && q.unsafe_names.iter().all(|h| {
                    e.headers.iter().any(|c| c == h)
                        || (!q.credentials && e.headers.iter().any(|c| c == "*"))
                })
        })
    }

    /// Remembers a successful preflight for `seconds` (nothing when 0).
    #[allow(clippy::too_many_arguments)]
    pub fn store(
        &mut self,
        browser: Browser,
        origin: &str,
        url: &str,
        credentials: bool,
        response_headers: &[(String, String)],
        seconds: u64,
        now: u64,
    ) {
        self.evict(browser, origin, url);
        if seconds == 0 {
            return;
        }
        let list = |name: &str| -> Vec<String> {
            get_combined(response_headers, name)
                .map(|v| list_items(&v).map(str::to_string).collect())
                .unwrap_or_default()
        };
        self.entries.push(Entry {
            browser,
            origin: origin.to_string(),
            url: url.to_string(),
            credentials,
            methods: list("access-control-allow-methods"),
            headers: list("access-control-allow-headers")
                .into_iter()
                .map(|h| h.to_ascii_lowercase())
                .collect(),
            expires_at: now.saturating_add(seconds),
        });
    }

    /// Forgets the entries for this origin and URL (a failed request does so in Firefox).
    pub fn evict(&mut self, browser: Browser, origin: &str, url: &str) {
        self.entries
            .retain(|e| !(e.browser == browser && e.origin == origin && e.url == url));
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    use crate::headers::lines as h;

    #[test]
    fn covers_until_expiry_and_by_credentials() {
        let mut cache = PreflightCache::new();
        let headers = h(&[
            ("Access-Control-Allow-Methods", "PUT"),
            ("Access-Control-Allow-Headers", "X-Foo"),
        ]);
        cache.store(
            Browser::Chromium,
            "https://a.com",
            "https://b.com/r",
            false,
            &headers,
            5,
            100,
        );
        let names = vec!["x-foo".to_string()];
        let q = |now, credentials, method| Lookup {
            browser: Browser::Chromium,
            origin: "https://a.com",
            url: "https://b.com/r",
            credentials,
            method,
            unsafe_names: &names,
            now,
        };
        assert!(cache.covers(&q(104, false, "PUT")));
        assert!(!cache.covers(&q(105, false, "PUT")), "expired");
        assert!(
            !cache.covers(&q(101, true, "PUT")),
            "a non-credentialed entry cannot serve include (F3 #25)"
        );
        assert!(!cache.covers(&q(101, false, "DELETE")));
        cache.store(
            Browser::Chromium,
            "https://a.com",
            "https://b.com/r",
            false,
            &headers,
            0,
            100,
        );
        assert!(cache.is_empty(), "max-age 0 stores nothing");
    }
}
