//! Engine flows over the network: the engine's [`Driver`] hands out each
//! distinct request once, they go out concurrently (within [`Limits`]: in
//! flight overall and per host, at an optional rate) or one after another
//! for a run held to that, and every answer is fed back to every flow
//! waiting for it — the one loop behind `scan`, `verify` and `audit`.

use crate::check::answer_of;
use crate::error::ProbeError;
use crate::transport::{Client, OutgoingRequest};
use cors_engine::{Driver, Outcome};
use std::collections::HashMap;
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};
use tokio::sync::{OwnedSemaphorePermit, Semaphore};
use url::Url;

/// How hard to push the servers: requests in flight at once (a semaphore
/// that several runs may share, as `audit`'s endpoints do), optionally at
/// most so many in flight to each host and one at a time for one run, and
/// at most so many requests per second to each host.
#[derive(Clone, Debug)]
pub struct Limits {
    pub in_flight: Arc<Semaphore>,
    pub per_host: Option<Arc<HostSlots>>,
    /// This run's requests one after another ([`Limits::one_at_a_time`]).
    pub sequential: Option<Arc<Semaphore>>,
    pub pacer: Option<Arc<HostPacer>>,
}

impl Limits {
    /// `concurrency` requests in flight, `rate_per_second` per host.
    pub fn new(concurrency: usize, rate_per_second: Option<u32>) -> Limits {
        Limits {
            in_flight: Arc::new(Semaphore::new(concurrency.max(1))),
            per_host: None,
            sequential: None,
            pacer: rate_per_second
                .filter(|r| *r > 0)
                .map(|r| Arc::new(HostPacer::new(r))),
        }
    }

    /// At most `n` requests in flight to each host as well.
    pub fn per_host(mut self, n: usize) -> Limits {
        self.per_host = Some(Arc::new(HostSlots::new(n)));
        self
    }

    /// The same limits, and the requests of whoever holds the copy go one
    /// after another (`audit`: each endpoint's requests on one connection).
    pub fn one_at_a_time(&self) -> Limits {
        Limits {
            sequential: Some(Arc::new(Semaphore::new(1))),
            ..self.clone()
        }
    }

    /// Waits until `url` may be sent: its run's own turn and its host's
    /// slot first (so a request queued behind them holds no global permit
    /// meanwhile), then a global permit, then the host's pace. The request
    /// goes out while the returned permits live.
    pub async fn admit(&self, url: &Url) -> Admission {
        let turn = match &self.sequential {
            Some(turns) => turns.clone().acquire_owned().await.ok(),
            None => None,
        };
        let host = url.host_str().unwrap_or_default();
        let host_slot = match &self.per_host {
            Some(slots) => slots.acquire(host, url.port_or_known_default()).await,
            None => None,
        };
        let global = self.in_flight.clone().acquire_owned().await.ok();
        if let Some(pacer) = &self.pacer {
            pacer.wait(host).await;
        }
        Admission {
            _turn: turn,
            _host_slot: host_slot,
            _global: global,
        }
    }
}

/// The permits a request holds while it is in flight ([`Limits::admit`]).
#[derive(Debug)]
pub struct Admission {
    _turn: Option<OwnedSemaphorePermit>,
    _host_slot: Option<OwnedSemaphorePermit>,
    _global: Option<OwnedSemaphorePermit>,
}

/// At most so many requests in flight to each host (host and port): over
/// HTTP/1.1 that is also at most so many connections to it.
#[derive(Debug)]
pub struct HostSlots {
    per_host: usize,
    /// By `host:port`.
    hosts: Mutex<HashMap<String, Arc<Semaphore>>>,
}

impl HostSlots {
    pub fn new(per_host: usize) -> HostSlots {
        HostSlots {
            per_host: per_host.max(1),
            hosts: Mutex::new(HashMap::new()),
        }
    }

    async fn acquire(&self, host: &str, port: Option<u16>) -> Option<OwnedSemaphorePermit> {
        let slots = {
            let mut hosts = match self.hosts.lock() {
                Ok(hosts) => hosts,
                Err(poisoned) => poisoned.into_inner(),
            };
            // Hosts nobody holds or waits for are forgotten: the map holds
            // only the hosts being asked now.
            if hosts.len() > 4096 {
                hosts.retain(|_, slots| Arc::strong_count(slots) > 1);
            }
            hosts
                .entry(format!("{host}:{}", port.unwrap_or(0)))
                .or_insert_with(|| Arc::new(Semaphore::new(self.per_host)))
                .clone()
        };
        slots.acquire_owned().await.ok()
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
/// same limits.
pub(crate) async fn send_limited(
    client: &Client,
    limits: &Limits,
    request: &OutgoingRequest,
) -> Result<crate::transport::Exchange, ProbeError> {
    let _admitted = limits.admit(&request.url).await;
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
    // reproducible); they are sent concurrently and answered as they come
    // (or one after another, each answered before the next goes).
    loop {
        let tickets = driver.wanted();
        if tickets.is_empty() {
            break;
        }
        let known = sent_before + sent + tickets.len();
        let mut answered = |ticket, result: Result<_, ProbeError>, driver: &mut Driver<'_>| {
            sent += 1;
            progress(sent_before + sent, known);
            driver.answer(ticket, answer_of(&result));
            if let Err(e) = result {
                if network_error.is_none() && e.is_unreachable() {
                    network_error = Some(e);
                }
            }
        };
        let mut tasks = tokio::task::JoinSet::new();
        for ticket in tickets {
            let Some(planned) = driver.request(ticket) else {
                continue;
            };
            let outgoing = OutgoingRequest::planned(planned, Some(body));
            let admitted = limits.admit(&outgoing.url).await;
            // A run whose requests go one after another sends each here, in
            // order, without a task.
            if limits.sequential.is_some() {
                let result = client.send(&outgoing).await;
                drop(admitted);
                answered(ticket, result, &mut driver);
                continue;
            }
            let client = client.clone();
            tasks.spawn(async move {
                let _admitted = admitted;
                (ticket, client.send(&outgoing).await)
            });
        }
        while let Some(joined) = tasks.join_next().await {
            if let Ok((ticket, result)) = joined {
                answered(ticket, result, &mut driver);
            }
        }
    }
    FlowsRun {
        outcome: driver.finish(),
        sent,
        network_error,
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::time::Duration;

    fn url(text: &str) -> Url {
        Url::parse(text).unwrap_or_else(|e| panic!("{text}: {e}"))
    }

    /// Whether `url` is admitted within a short wait.
    async fn admitted_soon(limits: &Limits, text: &str) -> Option<Admission> {
        tokio::time::timeout(Duration::from_millis(50), limits.admit(&url(text)))
            .await
            .ok()
    }

    #[tokio::test]
    async fn a_host_gets_at_most_its_slots_and_other_hosts_are_not_held_up() {
        let limits = Limits::new(8, None).per_host(1);
        let first = admitted_soon(&limits, "https://a.test/one").await;
        assert!(first.is_some());
        assert!(admitted_soon(&limits, "https://a.test/two").await.is_none());
        // Another port is another host.
        assert!(admitted_soon(&limits, "https://a.test:8443/two")
            .await
            .is_some());
        assert!(admitted_soon(&limits, "https://b.test/one").await.is_some());
        drop(first);
        assert!(admitted_soon(&limits, "https://a.test/two").await.is_some());
    }

    #[tokio::test]
    async fn one_at_a_time_holds_only_its_own_requests() {
        let shared = Limits::new(8, None);
        let endpoint = shared.one_at_a_time();
        let first = admitted_soon(&endpoint, "https://a.test/one").await;
        assert!(first.is_some());
        assert!(admitted_soon(&endpoint, "https://b.test/").await.is_none());
        // Another endpoint, and the shared limits, go on.
        let other = shared.one_at_a_time();
        assert!(admitted_soon(&other, "https://a.test/two").await.is_some());
        assert!(admitted_soon(&shared, "https://a.test/three")
            .await
            .is_some());
        drop(first);
        assert!(admitted_soon(&endpoint, "https://b.test/").await.is_some());
    }

    #[tokio::test]
    async fn the_global_limit_binds_every_run() {
        let shared = Limits::new(1, None);
        let held = admitted_soon(&shared.one_at_a_time(), "https://a.test/").await;
        assert!(held.is_some());
        assert!(admitted_soon(&shared.one_at_a_time(), "https://b.test/")
            .await
            .is_none());
    }
}
