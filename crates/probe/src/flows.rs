//! Engine flows over the network: the engine's [`Driver`] hands out each
//! distinct request once, they go out concurrently (within a limit, at an
//! optional rate), and every answer is fed back to every flow waiting for
//! it — the one loop behind `scan` and `verify`.

use crate::check::answer_of;
use crate::error::ProbeError;
use crate::transport::{Client, OutgoingRequest};
use cors_engine::{Driver, Outcome};
use std::collections::HashMap;
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};
use tokio::sync::Semaphore;

/// How hard to push the servers: requests in flight at once (a semaphore
/// that several runs may share, as `audit`'s endpoints do) and at most so
/// many requests per second to each host.
#[derive(Clone, Debug)]
pub struct Limits {
    pub in_flight: Arc<Semaphore>,
    pub pacer: Option<Arc<HostPacer>>,
}

impl Limits {
    /// `concurrency` requests in flight, `rate_per_second` per host.
    pub fn new(concurrency: usize, rate_per_second: Option<u32>) -> Limits {
        Limits {
            in_flight: Arc::new(Semaphore::new(concurrency.max(1))),
            pacer: rate_per_second
                .filter(|r| *r > 0)
                .map(|r| Arc::new(HostPacer::new(r))),
        }
    }
}

/// At most so many requests per second to each host: every request takes
/// the host's next free slot, evenly spaced, and waits for it.
#[derive(Debug)]
pub struct HostPacer {
    spacing: Duration,
    next_slot: Mutex<HashMap<String, Instant>>,
}

impl HostPacer {
    pub fn new(rate_per_second: u32) -> HostPacer {
        HostPacer {
            spacing: Duration::from_secs_f64(1.0 / f64::from(rate_per_second.max(1))),
            next_slot: Mutex::new(HashMap::new()),
        }
    }

    /// Waits for the next slot of `host`.
    pub async fn wait(&self, host: &str) {
        let now = Instant::now();
        let slot = {
            let mut slots = match self.next_slot.lock() {
                Ok(slots) => slots,
                Err(poisoned) => poisoned.into_inner(),
            };
            // Hosts whose slots have passed are forgotten: the map holds
            // only the hosts being paced now.
            if slots.len() > 4096 {
                slots.retain(|_, next| *next > now);
            }
            let next = slots.entry(host.to_string()).or_insert(now);
            let slot = (*next).max(now);
            *next = slot + self.spacing;
            slot
        };
        tokio::time::sleep_until(slot.into()).await;
    }
}

/// Sends one request outside a flow wave (a probing preflight) under the
/// same limits: a permit of the shared semaphore and the host's pace.
pub(crate) async fn send_limited(
    client: &Client,
    limits: &Limits,
    request: &OutgoingRequest,
) -> Result<crate::transport::Exchange, ProbeError> {
    let _permit = limits.in_flight.acquire().await;
    if let Some(pacer) = &limits.pacer {
        pacer.wait(request.url.host_str().unwrap_or_default()).await;
    }
    client.send(request).await
}

/// What running the flows gave.
#[derive(Debug)]
pub struct FlowsRun {
    pub outcome: Outcome,
    /// Requests put on the wire.
    pub sent: usize,
    /// The first request that could not reach the server, if any.
    pub network_error: Option<ProbeError>,
}

/// Runs every flow of `driver` to its end. `body` is sent with requests
/// that carry one; `progress(sent, known)` is called as requests complete,
/// counting from `sent_before`.
pub async fn run_flows(
    mut driver: Driver<'_>,
    client: &Client,
    limits: &Limits,
    body: &'static [u8],
    sent_before: usize,
    progress: &(dyn Fn(usize, usize) + Sync),
) -> FlowsRun {
    let mut sent = 0;
    let mut network_error = None;
    // Waves: the driver hands out the new requests every unfinished flow
    // needs (in the order the flows ask, so a rate-limited run is
    // reproducible); they are sent concurrently and answered as they come.
    loop {
        let tickets = driver.wanted();
        if tickets.is_empty() {
            break;
        }
        let known = sent_before + sent + tickets.len();
        let mut tasks = tokio::task::JoinSet::new();
        for ticket in tickets {
            let Some(planned) = driver.request(ticket) else {
                continue;
            };
            let outgoing = OutgoingRequest::planned(planned, Some(body));
            let permit = limits.in_flight.clone().acquire_owned().await;
            if let Some(pacer) = &limits.pacer {
                pacer.wait(planned.url.host_str().unwrap_or_default()).await;
            }
            let client = client.clone();
            tasks.spawn(async move {
                let _permit = permit;
                (ticket, client.send(&outgoing).await)
            });
        }
        while let Some(joined) = tasks.join_next().await {
            let Ok((ticket, result)) = joined else {
                continue;
            };
            sent += 1;
            progress(sent_before + sent, known);
            driver.answer(ticket, answer_of(&result));
            if let Err(e) = result {
                if network_error.is_none() && e.is_unreachable() {
                    network_error = Some(e);
                }
            }
        }
    }
    FlowsRun {
        outcome: driver.finish(),
        sent,
        network_error,
    }
}
