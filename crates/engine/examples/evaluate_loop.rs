//! Runs the benchmark's evaluation N times (default 10 000), for instruction
//! counting with `valgrind --tool=callgrind` (repeatable on a loaded machine,
//! unlike wall time). The responses are copied and the outcomes dropped
//! outside `evaluate_once`, so its inclusive count is the evaluation alone,
//! as the criterion bench times it.

// The allocator cors-doctor ships with (crates/cli/src/main.rs).
#[global_allocator]
static ALLOCATOR: mimalloc::MiMalloc = mimalloc::MiMalloc;

#[path = "../benches/fixture.rs"]
mod fixture;

use cors_engine::{evaluate, Browser, Outcome};

#[inline(never)]
fn evaluate_once(f: &fixture::Fixture, arrivals: &mut fixture::Arrivals) -> Outcome {
    evaluate(&f.request, &Browser::ALL, |p| arrivals.respond(p))
}

fn main() {
    let n: usize = std::env::args()
        .nth(1)
        .and_then(|a| a.parse().ok())
        .unwrap_or(10_000);
    let Some(f) = fixture::Fixture::new() else {
        return;
    };
    let mut blocked = 0;
    for _ in 0..n {
        let mut arrivals = f.arrivals();
        let outcome = evaluate_once(&f, &mut arrivals);
        blocked += outcome
            .browsers
            .iter()
            .filter(|b| b.blocking().is_some())
            .count();
    }
    std::hint::black_box(blocked);
}
