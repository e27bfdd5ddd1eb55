//! The requests of one evaluation, each sent once: a browser whose next
//! request was already sent by another browser reuses that response, as the
//! probe does on the network. Sans-I/O: the driver (`evaluate` with a
//! responder, the probe with a real client) sends what
//! [`Exchanges::answering`] does not already answer and records it.

use crate::cors_headers::CorsIndex;
use crate::flow::{Exchange, Flow, NextRequest, PlannedRequest, Response};

/// Every distinct request sent so far, with its response.
#[derive(Clone, Debug, Default)]
pub struct Exchanges {
    list: Vec<Exchange>,
    /// The CORS headers of each response, indexed once for every browser.
    indexes: Vec<CorsIndex>,
}

impl Exchanges {
    pub fn new() -> Exchanges {
        // A preflight and an actual request are the common case.
        Exchanges {
            list: Vec::with_capacity(2),
            indexes: Vec::with_capacity(2),
        }
    }

    /// The exchange that already answers `flow`'s next request, if any.
    #[inline]
    pub fn answering(&self, flow: &Flow) -> Option<usize> {
        self.position(&flow.next()?)
    }

    /// The exchange that already sent `next`, if any.
    #[inline]
    pub(crate) fn position(&self, next: &NextRequest) -> Option<usize> {
        self.list.iter().position(|e| next.is(&e.request))
    }

    /// Records a request sent and what came back (`Err((net_error,
    /// description))` when nothing did); returns its index.
    #[inline]
    pub fn record(
        &mut self,
        request: PlannedRequest,
        response: Result<Response, (String, String)>,
    ) -> usize {
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

    pub fn get(&self, index: usize) -> Option<&Exchange> {
        self.list.get(index)
    }

    pub fn len(&self) -> usize {
        self.list.len()
    }

    pub fn is_empty(&self) -> bool {
        self.list.is_empty()
    }

    pub fn into_vec(self) -> Vec<Exchange> {
        self.list
    }
}
