//! The requests of one evaluation, each sent once, with their responses
//! and the CORS index of each response, made once for every flow it feeds
//! (the [`crate::driver::Driver`]'s store).

use crate::cors_headers::CorsIndex;
use crate::flow::Flow;
use crate::planned::{Exchange, NextRequest, PlannedRequest, Response};

/// Past this many requests, lookups go through a hash of the request (a
/// scan holds thousands); below it a linear search is faster than hashing
/// (one evaluation holds two).
const LINEAR_LIMIT: usize = 16;

/// Finds requests by [`NextRequest::wire_hash`] once there are many of them.
#[derive(Clone, Debug, Default)]
pub(crate) struct RequestIndex {
    by_hash: std::collections::HashMap<u64, Vec<usize>>,
    credentials: bool,
}

impl RequestIndex {
    /// The position of the request `next` is, among `count` requests that
    /// `request(i)` gives (`None` for a position no longer there).
    pub(crate) fn find<'a>(
        &self,
        next: &NextRequest,
        credentials: bool,
        request: impl Fn(usize) -> Option<&'a PlannedRequest>,
        count: usize,
    ) -> Option<usize> {
        let same = |i: usize| request(i).is_some_and(|p| next.is(p, credentials));
        if self.by_hash.is_empty() {
            return (0..count).find(|&i| same(i));
        }
        self.by_hash
            .get(&next.wire_hash(credentials))?
            .iter()
            .copied()
            .find(|&i| same(i))
    }

    /// Notes `planned` at `position`; `earlier` are the requests before it,
    /// read once when the list first outgrows a linear search.
    pub(crate) fn note<'a>(
        &mut self,
        position: usize,
        planned: &PlannedRequest,
        earlier: impl Iterator<Item = (usize, &'a PlannedRequest)>,
        credentials: bool,
    ) {
        self.credentials = credentials;
        if self.by_hash.is_empty() {
            if position < LINEAR_LIMIT {
                return;
            }
            for (i, p) in earlier {
                self.by_hash
                    .entry(p.wire_hash(credentials))
                    .or_default()
                    .push(i);
            }
        }
        self.by_hash
            .entry(planned.wire_hash(credentials))
            .or_default()
            .push(position);
    }

    /// Forgets that `planned` is at `position` (an in-flight request answered).
    pub(crate) fn forget(&mut self, position: usize, planned: &PlannedRequest) {
        if self.by_hash.is_empty() {
            return;
        }
        if let Some(positions) = self.by_hash.get_mut(&planned.wire_hash(self.credentials)) {
            positions.retain(|p| *p != position);
        }
    }
}

/// Every distinct request sent so far, with its response.
#[derive(Clone, Debug, Default)]
pub(crate) struct Exchanges {
    list: Vec<Exchange>,
    /// The CORS headers of each response, indexed once for every browser.
    indexes: Vec<CorsIndex>,
    lookup: RequestIndex,
}

impl Exchanges {
    pub fn new() -> Exchanges {
        // A preflight and an actual request are the common case.
        Exchanges {
            list: Vec::with_capacity(2),
            indexes: Vec::with_capacity(2),
            lookup: RequestIndex::default(),
        }
    }

    /// The exchange that already sent `next`, if any (`credentials`: whether
    /// the credentials mode tells requests apart on the wire).
    #[inline]
    pub(crate) fn position(&self, next: &NextRequest, credentials: bool) -> Option<usize> {
        let list = &self.list;
        self.lookup.find(
            next,
            credentials,
            |i| list.get(i).map(|e| &e.request),
            list.len(),
        )
    }

    /// Records a request sent and what came back (`Err((net_error,
    /// description))` when nothing did); returns its index.
    #[inline]
    pub fn record(
        &mut self,
        request: PlannedRequest,
        response: Result<Response, (String, String)>,
        credentials: bool,
    ) -> usize {
        let earlier = self.list.iter().map(|e| &e.request).enumerate();
        self.lookup
            .note(self.list.len(), &request, earlier, credentials);
        self.indexes.push(match &response {
            Ok(r) => CorsIndex::of(&r.headers),
            Err(_) => CorsIndex::default(),
        });
        self.list.push(Exchange { request, response });
        self.list.len() - 1
    }

    /// Feeds exchange `index` to `flow` (nothing when there is none).
    #[inline]
    pub fn feed(&self, flow: &mut Flow, index: usize) {
        let (Some(exchange), Some(cors_index)) = (self.list.get(index), self.indexes.get(index))
        else {
            return;
        };
        match &exchange.response {
            Ok(response) => flow.receive_indexed(response, cors_index),
            Err((net_error, description)) => flow.fail_network(net_error, description),
        }
    }

    pub fn into_vec(self) -> Vec<Exchange> {
        self.list
    }
}
