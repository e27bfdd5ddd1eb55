//! `cors-doctor audit` and `audit merge`: arguments → targets (sharded,
//! without what a resumed run finished) → the probe's audit runner, with a
//! progress bar on a terminal and Ctrl-C as a clean stop → records to every
//! sink as they arrive → the summary and the exit code.

use crate::cli::{AuditArgs, AuditCommand, AuditMergeArgs};
use crate::commands::audit_input::{
    finished_keys, har_targets, in_shard, openapi_targets, parse_base_url, parse_shard,
    read_records, read_targets,
};
use crate::commands::audit_output::{exit_code, parse_fail_on, Sinks};
use crate::commands::check::{client, parse_browsers, parse_origin, transport_options};
use crate::exit::{self, Failure};
use crate::output::Output;
use cors_probe::audit::{run_audit, AuditEnd, AuditSettings};
use cors_probe::flows::Limits;
use cors_report::audit::{stable_hash, target_key, AuditRecord};
use std::collections::BTreeMap;
use std::io::IsTerminal;
use std::time::{Duration, Instant};

pub fn run(args: &AuditArgs, out: &mut Output) -> Result<u8, Failure> {
    if let Some(AuditCommand::Merge(merge_args)) = &args.command {
        return merge(merge_args, out);
    }
    if args.inputs.is_empty() && args.openapi.is_empty() && args.har.is_empty() {
        return Err(Failure::usage("no endpoints to audit")
            .with_hint("give a file of URLs (one per line), `-` for standard input, --openapi FILE or --har FILE: cors-doctor audit urls.txt"));
    }
    if args.concurrency == 0 {
        return Err(Failure::usage("--concurrency must be at least 1"));
    }
    let fail_on = parse_fail_on(&args.reports.fail_on)?;
    let shard = args.shard.as_deref().map(parse_shard).transpose()?;
    let deadline = match args.deadline {
        Some(s) if !(s.is_finite() && s > 0.0) => {
            return Err(Failure::usage(format!(
                "--deadline {s} must be a positive number of seconds"
            )))
        }
        Some(s) => Some(Instant::now() + Duration::from_secs_f64(s.min(1e7))),
        None => None,
    };
    let origin = args.origin.as_deref().map(parse_origin).transpose()?;
    let browsers = parse_browsers(&args.browser)?;
    let done = match &args.resume {
        Some(path) => finished_keys(path)?,
        None => Default::default(),
    };
    let base_url = args.base_url.as_deref().map(parse_base_url).transpose()?;
    let mut targets = read_targets(&args.inputs, origin.as_ref())?;
    for path in &args.openapi {
        targets.extend(openapi_targets(path, base_url.as_ref(), origin.as_ref())?);
    }
    for path in &args.har {
        targets.extend(har_targets(path)?);
    }
    let targets: Vec<_> = targets
        .into_iter()
        .filter(|t| in_shard(t, shard))
        .filter(|t| !done.contains(&stable_hash(&target_key(t))))
        .collect();
    let (mut transport, _) = transport_options(&args.network)?;
    // Pooled connections over raw per-request ones: an audit sends many
    // requests to each host.
    transport.raw_plain_http = false;
    // HTTP/1.1, each endpoint's requests one after another on one
    // connection: for many short requests, measured cheaper for both ends
    // than HTTP/2 streams multiplexed on one connection (BENCHMARKS.md).
    transport.http1_only = true;
    transport.caching_resolver = true;
    transport.idle_per_host = 32;
    // Each host is left behind once its endpoint is judged: an idle
    // connection kept longer only holds memory (at --rate, long enough to
    // bridge the pause between two requests).
    transport.idle_timeout = match args.rate {
        0 => Duration::from_millis(200),
        rate => Duration::from_millis(200).max(Duration::from_secs_f64(2.0 / f64::from(rate))),
    };
    let client = client(&transport)?;
    let limits = Limits::new(args.concurrency, (args.rate > 0).then_some(args.rate));
    let settings = AuditSettings {
        browsers,
        endpoints_in_flight: args.concurrency,
        limits: match args.per_host {
            Some(n) => limits.per_host(usize::from(n)),
            None => limits,
        },
        deadline,
    };
    let record_file = args.resume.as_deref().or(args.ndjson.as_deref());
    let mut sinks = Sinks::open(record_file, args.resume.is_some(), &args.reports, fail_on)?;
    let bar = progress_bar(targets.len());
    let started = Instant::now();
    let runtime = crate::runtime()?;
    let mut failure = None;
    let end = runtime.block_on(run_audit(
        targets.into_iter(),
        &settings,
        &client,
        async {
            let _ = tokio::signal::ctrl_c().await;
        },
        |done| {
            if failure.is_some() {
                return;
            }
            let record = AuditRecord::of(&done);
            let written = match &bar {
                Some(bar) => bar.suspend(|| sinks.add(&record, out)),
                None => sinks.add(&record, out),
            };
            if let Err(e) = written {
                failure = Some(e);
            }
            if let Some(bar) = &bar {
                bar.inc(1);
            }
        },
    ));
    // Endpoints still in flight are dropped with the runtime.
    drop(runtime);
    if let Some(bar) = &bar {
        bar.finish_and_clear();
    }
    if let Some(e) = failure {
        return Err(e);
    }
    let complete = end == AuditEnd::Complete;
    let summary = sinks.finish(complete, started.elapsed().as_secs_f64(), out)?;
    if !complete {
        let again = match (&args.resume, &args.ndjson) {
            (Some(path), _) | (None, Some(path)) => {
                format!("; finish the rest with --resume {}", path.display())
            }
            _ => String::new(),
        };
        out.error_text(&format!(
            "interrupted: {} endpoints finished were written{again}\n",
            summary.endpoints
        ));
        return Ok(exit::INTERRUPTED);
    }
    Ok(exit_code(&summary, fail_on))
}

/// On standard error, so it never mixes with the records (--json).
fn progress_bar(total: usize) -> Option<indicatif::ProgressBar> {
    if !std::io::stderr().is_terminal() {
        return None;
    }
    let bar = indicatif::ProgressBar::new(total as u64);
    if let Ok(style) = indicatif::ProgressStyle::with_template(
        "{spinner} auditing {pos}/{len} endpoints {wide_bar} {per_sec} ETA {eta}",
    ) {
        bar.set_style(style);
    }
    Some(bar)
}

/// `audit merge`: one record per endpoint over every file.
fn merge(args: &AuditMergeArgs, out: &mut Output) -> Result<u8, Failure> {
    let fail_on = parse_fail_on(&args.reports.fail_on)?;
    let mut records: BTreeMap<String, AuditRecord> = BTreeMap::new();
    for path in &args.files {
        read_records(path, |record| {
            let key = record.key();
            // A finished record beats an unfinished one; otherwise the later wins.
            let keep_old = records
                .get(&key)
                .is_some_and(|old| old.is_final() && !record.is_final());
            if !keep_old {
                records.insert(key, record);
            }
        })?;
    }
    let mut sinks = Sinks::open(args.ndjson.as_deref(), false, &args.reports, fail_on)?;
    for record in records.values() {
        sinks.add(record, out)?;
    }
    let complete = records.values().all(AuditRecord::is_final);
    let summary = sinks.finish(complete, 0.0, out)?;
    Ok(exit_code(&summary, fail_on))
}
