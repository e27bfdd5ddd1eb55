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
use crate::planned::{PlannedRequest, Response};
use crate::request::Request;
use std::borrow::Cow;
use std::ops::Range;

/// What came back for a request: the response, or Chromium's net error
/// name and a description when there was none.
pub type Answer = Result<Response, (String, String)>;

/// What a responder says about one planned request.
#[derive(Clone, Debug)]
pub enum Reply {
    /// What came back.
    Answer(Answer),
    /// Nothing was sent: a preflight the browser's cache answered
    /// ([`Driver::preflight_cached`]).
    PreflightCached,
    /// The request has not come (yet): traffic seen live, where a
    /// redirect's next hop is a request of its own, judged when it comes.
    /// The flows waiting for it stop there, unfinished.
    NotYet,
}

/// Every flow of an evaluation and the requests sent for them.
#[derive(Debug)]
pub struct Driver<'r> {
    flows: Vec<Flow<'r>>,
    /// Per flow: the exchanges it went through, in order, and the ticket it
    /// waits for.
    progress: Vec<(Vec<usize>, Option<usize>)>,
    exchanges: Exchanges,
    /// Per ticket handed out by [`Driver::wanted`]: its request until it is
    /// answered, then the exchange the answer became.
    tickets: Vec<(Option<PlannedRequest>, Option<usize>)>,
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
            progress: Vec::with_capacity(3),
            exchanges: Exchanges::new(),
            tickets: Vec::with_capacity(2),
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

    /// Makes room for `flows` more flows (a caller that adds many).
    pub fn reserve(&mut self, flows: usize) {
        self.flows.reserve(flows);
        self.progress.reserve(flows);
    }

    /// Adds a flow; its outcome comes back at this position.
    pub fn add(&mut self, flow: Flow<'r>) -> usize {
        self.flows.push(flow);
        self.progress.push((Vec::with_capacity(2), None));
        self.flows.len() - 1
    }

    /// Adds `request` as each browser of `browsers` makes it (one
    /// classification shared by the browsers that agree).
    pub fn add_request(&mut self, request: &'r Request, browsers: &[Browser]) {
        let origin = request.origin.serialize();
        self.add_classified(request, browsers, |_| Cow::Owned(origin.clone()));
    }

    /// [`Driver::add_request`] with the request's origin serialised by the
    /// caller, borrowed by every flow (the evaluation's hot path).
    fn add_request_as(&mut self, request: &'r Request, origin: &'r str, browsers: &[Browser]) {
        self.add_classified(request, browsers, |_| Cow::Borrowed(origin));
    }

    fn add_classified(
        &mut self,
        request: &'r Request,
        browsers: &[Browser],
        origin: impl Fn(Browser) -> Cow<'r, str>,
    ) {
        for (&browser, class) in browsers.iter().zip(classify_each(request, browsers)) {
            self.add(Flow::start_with(request, browser, class, origin(browser)));
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
        let first = self.tickets.len();
        // The last flow seen waiting for a request in flight: the next flow,
        // another browser of the same request, usually wants that very one.
        let mut previous: Option<(&Flow<'r>, usize)> = None;
        for (flow, (steps, waiting)) in self.flows.iter_mut().zip(&mut self.progress) {
            // The request this flow waits for: fed once answered, with no
            // search (the common case of every flow at every wave).
            if let Some(ticket) = *waiting {
                let Some(&(_, Some(index))) = self.tickets.get(ticket) else {
                    previous = Some((flow, ticket));
                    continue;
                };
                *waiting = None;
                steps.push(index);
                self.exchanges.feed(flow, index);
            }
            while steps.len() < Flow::MAX_STEPS {
                let Some(next) = flow.next() else {
                    break;
                };
                if let Some(index) = self.exchanges.position(&next, self.credentials_on_wire) {
                    steps.push(index);
                    self.exchanges.feed(flow, index);
                    continue;
                }
                let tickets = &self.tickets;
                let same_as_previous = previous.and_then(|(other, ticket)| {
                    tickets.get(ticket)?.0.as_ref()?;
                    other.next()?.same_parts(&next).then_some(ticket)
                });
                let asked = same_as_previous.or_else(|| {
                    self.in_flight_lookup.find(
                        &next,
                        self.credentials_on_wire,
                        |i| tickets.get(i)?.0.as_ref(),
                        tickets.len(),
                    )
                });
                *waiting = Some(match asked {
                    Some(ticket) => ticket,
                    None => {
                        let planned = flow.planned(next);
                        let earlier = tickets
                            .iter()
                            .enumerate()
                            .filter_map(|(i, (p, _))| Some((i, p.as_ref()?)));
                        self.in_flight_lookup.note(
                            tickets.len(),
                            &planned,
                            earlier,
                            self.credentials_on_wire,
                        );
                        self.tickets.push((Some(planned), None));
                        self.tickets.len() - 1
                    }
                });
                break;
            }
            if let Some(ticket) = *waiting {
                previous = Some((flow, ticket));
            }
        }
        first..self.tickets.len()
    }

    /// The request of `ticket`, until it is answered.
    pub fn request(&self, ticket: usize) -> Option<&PlannedRequest> {
        self.tickets.get(ticket)?.0.as_ref()
    }

    /// What came back for `ticket`; returns the exchange's index (`None`
    /// for an unknown or already answered ticket).
    pub fn answer(&mut self, ticket: usize, answer: Answer) -> Option<usize> {
        let planned = self.tickets.get_mut(ticket)?.0.take()?;
        self.in_flight_lookup.forget(ticket, &planned);
        let index = self
            .exchanges
            .record(planned, answer, self.credentials_on_wire);
        if let Some(slot) = self.tickets.get_mut(ticket) {
            slot.1 = Some(index);
        }
        Some(index)
    }

    /// `ticket`'s request, a preflight, was never sent: the browser's
    /// preflight cache answered it (recorded traffic holds the request that
    /// followed it, and no preflight). The flows waiting for it go on to
    /// their actual request.
    fn preflight_cached(&mut self, ticket: usize) {
        let Some(planned) = self.tickets.get_mut(ticket).and_then(|t| t.0.take()) else {
            return;
        };
        self.in_flight_lookup.forget(ticket, &planned);
        for (flow, (_, waiting)) in self.flows.iter_mut().zip(&mut self.progress) {
            if *waiting == Some(ticket) {
                flow.assume_preflight_cached();
                *waiting = None;
            }
        }
    }

    /// Every flow's outcome, in the order added, and every exchange.
    pub fn finish(self) -> Outcome {
        let browsers = self
            .flows
            .into_iter()
            .zip(self.progress)
            .map(|(flow, (steps, _))| {
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
    pub fn run(self, mut responder: impl FnMut(&PlannedRequest) -> Answer) -> Self {
        self.run_replies(|planned| Reply::Answer(responder(planned)))
    }

    /// [`Driver::run`] for recorded traffic, whose responder may also say
    /// that a preflight was answered by the browser's cache.
    pub fn run_replies(mut self, mut responder: impl FnMut(&PlannedRequest) -> Reply) -> Self {
        loop {
            let tickets = self.wanted();
            if tickets.is_empty() {
                return self;
            }
            for ticket in tickets {
                let Some(planned) = self.request(ticket) else {
                    continue;
                };
                match responder(planned) {
                    Reply::Answer(answer) => {
                        self.answer(ticket, answer);
                    }
                    Reply::PreflightCached => self.preflight_cached(ticket),
                    // Left unanswered: no flow waiting for it moves on, so
                    // the next `wanted` hands out nothing new for them.
                    Reply::NotYet => {}
                }
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
    let origin = request.origin.serialize();
    let mut driver = Driver::new();
    driver.add_request_as(request, &origin, browsers);
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
    let origin = request.origin.serialize();
    let mut driver = Driver::new();
    driver.add_request_as(request, &origin, browsers);
    for flow in driver.flows_mut() {
        flow.use_cache(cache, now);
    }
    let driver = driver.run(responder);
    for flow in &driver.flows {
        flow.update_cache(cache, now);
    }
    driver.finish()
}
