//! Engine flows over the network: the engine's [`Driver`] hands out each
//! distinct request once, they go out concurrently (within a limit, at an
//! optional rate), and every answer is fed back to every flow waiting for
//! it — the one loop behind `scan` and `verify`.

use crate::check::answer_of;
use crate::error::ProbeError;
use crate::transport::{Client, OutgoingRequest};
use cors_engine::{Driver, Outcome};
use std::sync::Arc;
use std::time::Duration;

/// How hard to push the server.
#[derive(Clone, Copy, Debug)]
pub struct Limits {
    /// Requests in flight at once.
    pub concurrency: usize,
    /// At most this many requests per second.
    pub rate_per_second: Option<u32>,
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
    limits: Limits,
    body: &'static [u8],
    sent_before: usize,
    progress: &(dyn Fn(usize, usize) + Sync),
) -> FlowsRun {
    let mut sent = 0;
    let mut network_error = None;
    let semaphore = Arc::new(tokio::sync::Semaphore::new(limits.concurrency.max(1)));
    let spacing = limits
        .rate_per_second
        .filter(|r| *r > 0)
        .map(|r| Duration::from_secs_f64(1.0 / f64::from(r)));
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
            let permit = semaphore.clone().acquire_owned().await;
            if let Some(spacing) = spacing {
                tokio::time::sleep(spacing).await;
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
