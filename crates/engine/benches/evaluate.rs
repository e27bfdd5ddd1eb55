//! Criterion benchmark: one full evaluation of a preflighted, credentialed
//! request (classify, preflight check, actual check, all three browser
//! profiles, console messages rendered), with canned responses.
//!
//! `evaluate` is the evaluation alone: the responses arrive owned, as from
//! the network (made in criterion's untimed setup) and the outcome is dropped
//! untimed (`iter_batched`). `evaluate, with response copies and drop` times
//! all of it, for comparison.

// The allocator cors-doctor ships with (crates/cli/src/main.rs).
#[global_allocator]
static ALLOCATOR: mimalloc::MiMalloc = mimalloc::MiMalloc;

#[path = "fixture.rs"]
mod fixture;

use cors_engine::{evaluate, Browser};
use criterion::{black_box, criterion_group, criterion_main, BatchSize, Criterion};

fn bench(c: &mut Criterion) {
    let Some(f) = fixture::Fixture::new() else {
        return;
    };
    c.bench_function(
        "evaluate preflighted credentialed request, 3 browsers",
        |b| {
            b.iter_batched(
                || f.arrivals(),
                |mut arrivals| {
                    evaluate(black_box(&f.request), &Browser::ALL, |p| {
                        arrivals.respond(p)
                    })
                },
                BatchSize::PerIteration,
            )
        },
    );
    c.bench_function(
        "evaluate preflighted credentialed request, 3 browsers, with response copies and drop",
        |b| {
            b.iter(|| {
                let mut arrivals = f.arrivals();
                let outcome = evaluate(black_box(&f.request), &Browser::ALL, |p| {
                    arrivals.respond(p)
                });
                black_box(outcome.browsers.len())
            })
        },
    );
}

criterion_group!(benches, bench);
criterion_main!(benches);
