//! The one driver of every evaluation, sans-I/O: flows (one per request and
//! browser) go in; the driver says which distinct requests must be sent,
//! takes each response (or network failure) back, feeds it to every flow
//! that sent the same request, and ends with every flow's outcome. Its
//! callers only do the I/O: [`evaluate`] with a responder, `check` and
//! `scan` over the network, one after another or concurrently.

use crate::browser::Browser;
use crate::classify::classify_each;
use crate::exchanges::{Exchanges, RequestIndex};
use crate::flow::Flow;
use crate::outcome::{BrowserOutcome, Outcome};
use crate::planned::{Exchange, PlannedRequest, Response};
use crate::request::Request;
use std::borrow::Cow;
use std::ops::Range;

/// What came back for a request: the response, or Chromium's net error
/// name and a description when there was none.
pub type Answer = Result<Response, (String, String)>;

/// Every flow of an evaluation and the requests sent for them.
#[derive(Debug)]
pub struct Driver<'r> {
    flows: Vec<Flow<'r>>,
    /// The exchanges each flow went through, in order.
    steps: Vec<Vec<usize>>,
    exchanges: Exchanges,
    /// Requests handed out by [`Driver::wanted`]: `Some` until answered.
    in_flight: Vec<Option<PlannedRequest>>,
    in_flight_lookup: RequestIndex,
    credentials_on_wire: bool,
}

impl Default for Driver<'_> {
    fn default() -> Self {
        Driver::new()
    }
}

impl<'r> Driver<'r> {
    pub fn new() -> Driver<'r> {
        Driver {
            flows: Vec::with_capacity(3),
            steps: Vec::with_capacity(3),
            exchanges: Exchanges::new(),
            in_flight: Vec::with_capacity(2),
            in_flight_lookup: RequestIndex::default(),
            credentials_on_wire: true,
        }
    }

    /// Requests that differ only in their credentials mode are one request
    /// on the wire when the caller sends no cookies (the probe): send it once.
    pub fn credentials_not_on_wire(mut self) -> Driver<'r> {
        self.credentials_on_wire = false;
        self
    }

    /// Adds a flow; its outcome comes back at this position.
    pub fn add(&mut self, flow: Flow<'r>) -> usize {
        self.flows.push(flow);
        self.steps.push(Vec::with_capacity(2));
        self.flows.len() - 1
    }

    /// Adds `request` as each browser of `browsers` makes it (one
    /// classification shared by the browsers that agree).
    pub fn add_request(&mut self, request: &'r Request, browsers: &[Browser]) {
        let origin = request.origin.serialize();
        for (&browser, class) in browsers.iter().zip(classify_each(request, browsers)) {
            let origin: Cow<'r, str> = Cow::Owned(origin.clone());
            self.add(Flow::start_with(request, browser, class, origin));
        }
    }

    /// The flows, to prime them (e.g. with a preflight cache) before the
    /// first [`Driver::wanted`].
    pub fn flows_mut(&mut self) -> &mut [Flow<'r>] {
        &mut self.flows
    }

    /// Moves every flow on as far as the responses already received take it,
    /// then hands out the requests still needed, each distinct request once,
    /// in the order the flows ask: tickets for [`Driver::request`] and
    /// [`Driver::answer`]. Empty when every flow is done or waits for a
    /// request already handed out.
    pub fn wanted(&mut self) -> Range<usize> {
        let first = self.in_flight.len();
        for (flow, steps) in self.flows.iter_mut().zip(&mut self.steps) {
            while steps.len() < Flow::MAX_STEPS {
                let Some(next) = flow.next() else {
                    break;
                };
                if let Some(index) = self.exchanges.position(&next, self.credentials_on_wire) {
                    steps.push(index);
                    self.exchanges.feed(flow, index);
                    continue;
                }
                let in_flight = &self.in_flight;
                let asked = self.in_flight_lookup.find(
                    &next,
                    self.credentials_on_wire,
                    |i| in_flight.get(i)?.as_ref(),
                    in_flight.len(),
                );
                if asked.is_none() {
                    let planned = flow.planned(next);
                    let earlier = in_flight
                        .iter()
                        .enumerate()
                        .filter_map(|(i, p)| Some((i, p.as_ref()?)));
                    self.in_flight_lookup.note(
                        in_flight.len(),
                        &planned,
                        earlier,
                        self.credentials_on_wire,
                    );
                    self.in_flight.push(Some(planned));
                }
                break;
            }
        }
        first..self.in_flight.len()
    }

    /// The request of `ticket`, until it is answered.
    pub fn request(&self, ticket: usize) -> Option<&PlannedRequest> {
        self.in_flight.get(ticket)?.as_ref()
    }

    /// What came back for `ticket`; returns the exchange's index (`None`
    /// for an unknown or already answered ticket).
    pub fn answer(&mut self, ticket: usize, answer: Answer) -> Option<usize> {
        let planned = self.in_flight.get_mut(ticket)?.take()?;
        self.in_flight_lookup.forget(ticket, &planned);
        Some(
            self.exchanges
                .record(planned, answer, self.credentials_on_wire),
        )
    }

    /// Exchange `index` (in the order answered).
    pub fn exchange(&self, index: usize) -> Option<&Exchange> {
        self.exchanges.get(index)
    }

    /// Number of exchanges so far.
    pub fn exchange_count(&self) -> usize {
        self.exchanges.len()
    }

    /// Every flow's outcome, in the order added, and every exchange.
    pub fn finish(self) -> Outcome {
        let browsers = self
            .flows
            .into_iter()
            .zip(self.steps)
            .map(|(flow, steps)| {
                let mut outcome: BrowserOutcome = flow.outcome();
                outcome.steps = steps;
                outcome
            })
            .collect();
        Outcome {
            browsers,
            exchanges: self.exchanges.into_vec(),
        }
    }

    /// Runs every flow to its end, asking `responder` for each request in
    /// the order handed out.
    pub fn run(mut self, mut responder: impl FnMut(&PlannedRequest) -> Answer) -> Self {
        loop {
            let tickets = self.wanted();
            if tickets.is_empty() {
                return self;
            }
            for ticket in tickets {
                let Some(planned) = self.request(ticket) else {
                    continue;
                };
                let answer = responder(planned);
                self.answer(ticket, answer);
            }
        }
    }
}

/// Runs `request` in each browser of `browsers`, asking `responder` for the
/// response to each planned request. Identical requests are asked once and
/// the answer shared between browsers, as the probe does on the network.
/// `responder` returns `Err((net_error, description))` when there is no response.
pub fn evaluate(
    request: &Request,
    browsers: &[Browser],
    responder: impl FnMut(&PlannedRequest) -> Answer,
) -> Outcome {
    let mut driver = Driver::new();
    driver.add_request(request, browsers);
    driver.run(responder).finish()
}

/// [`evaluate`] with the browsers' preflight caches: entries in `cache`
/// fresh at `now` (seconds) skip preflights, and the outcome updates it, so
/// calling this twice replays a page making the same request twice.
pub fn evaluate_cached(
    request: &Request,
    browsers: &[Browser],
    cache: &mut crate::cache::PreflightCache,
    now: u64,
    responder: impl FnMut(&PlannedRequest) -> Answer,
) -> Outcome {
    let mut driver = Driver::new();
    driver.add_request(request, browsers);
    for flow in driver.flows_mut() {
        flow.use_cache(cache, now);
    }
    let driver = driver.run(responder);
    for flow in &driver.flows {
        flow.update_cache(cache, now);
    }
    driver.finish()
}
