//! `cors-doctor scan`: arguments → a scan matrix, a progress bar on a
//! terminal, the report, and the exit code.

use crate::cli::ScanArgs;
use crate::commands::check::{
    client, parse_browsers, parse_header, parse_http_url, parse_origin, transport_options,
};
use crate::exit::{self, Failure};
use crate::output::Output;
use cors_probe::scan::{run_scan, ScanRequest};
use cors_probe::scan_analysis::{analyse, Severity};
use cors_probe::scan_matrix::OriginRole;
use cors_probe::TransportOptions;

/// The scan `args` ask for, the network settings and the `--fail-on`
/// severity (`None`: never fail). `serve` prepares its scans here too.
pub fn prepare(
    args: &ScanArgs,
) -> Result<(ScanRequest, TransportOptions, Option<Severity>), Failure> {
    let url = parse_http_url(&args.url, "the URL")?;
    let user_origins = args
        .origin
        .iter()
        .map(|o| parse_origin(o))
        .collect::<Result<Vec<_>, _>>()?;
    let headers = args
        .headers
        .iter()
        .map(|h| parse_header(h))
        .collect::<Result<Vec<_>, _>>()?;
    for m in &args.methods {
        if !cors_engine::method::is_token(m) {
            return Err(Failure::usage(format!("`{m}` is not a valid HTTP method")));
        }
    }
    let fail_on = match args.fail_on.as_str() {
        "none" => None,
        text => Some(Severity::from_id(text).ok_or_else(|| {
            Failure::usage(format!(
                "--fail-on `{text}`: use info, low, medium, high, critical or none"
            ))
        })?),
    };
    if args.concurrency == 0 {
        return Err(Failure::usage("--concurrency must be at least 1"));
    }
    let (transport, _) = transport_options(&args.network)?;
    let scan = ScanRequest {
        url,
        user_origins,
        methods: args.methods.clone(),
        headers,
        browsers: parse_browsers(&args.browser)?,
        concurrency: args.concurrency,
        rate_per_second: (args.rate > 0).then_some(args.rate),
    };
    Ok((scan, transport, fail_on))
}

pub fn run(args: &ScanArgs, out: &mut Output) -> Result<u8, Failure> {
    let (scan, transport, fail_on) = prepare(args)?;
    let client = client(&transport)?;
    let bar = crate::output::progress_bar("scanning", args.json);
    let progress = |sent: usize, known: usize| {
        if let Some(bar) = &bar {
            bar.set_length(known as u64);
            bar.set_position(sent as u64);
        }
    };
    let runtime = crate::runtime()?;
    let report = runtime.block_on(run_scan(&scan, &client, &progress));
    if let Some(bar) = &bar {
        bar.finish_and_clear();
    }
    let analysis = analyse(&report);
    if let Some(e) = &report.network_error {
        if args.json {
            // A document still, as `check --json` prints one: with the error.
            out.json(&cors_report::scan_json::scan_to_json(&report, &analysis))?;
        }
        out.unreachable(e);
        return Ok(exit::UNREACHABLE);
    }
    if args.json {
        out.json(&cors_report::scan_json::scan_to_json(&report, &analysis))?;
    } else {
        out.print(&cors_report::scan_text::render_scan(
            &report,
            &analysis,
            &out.palette(),
        ));
    }
    // The user's own request kinds: a plain GET, and the -X/-H ones.
    let user_kinds: Vec<usize> = report
        .kinds
        .iter()
        .enumerate()
        .filter(|(_, k)| k.yours)
        .map(|(i, _)| i)
        .collect();
    let user_blocked = report.cells.iter().any(|c| {
        report.origins[c.origin].role == OriginRole::User
            && !c.credentials
            && user_kinds.contains(&c.kind)
            && !c.all_allowed()
    });
    let too_severe =
        fail_on.is_some_and(|threshold| analysis.security.iter().any(|f| f.severity >= threshold));
    Ok(if user_blocked || too_severe {
        exit::BLOCKED
    } else {
        exit::OK
    })
}
