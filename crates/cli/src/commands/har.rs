//! `cors-doctor har`: reads a HAR file as a stream (a byte progress bar on
//! a terminal for large files), has `cors-har` judge it through the engine,
//! with `--replay` sends the blocked requests again through `check`'s probe,
//! and prints the report.

use std::io::{IsTerminal, Read};

use crate::cli::HarArgs;
use crate::exit::{self, Failure};
use crate::output::Output;
use cors_engine::Browser;
use cors_engine::{CredentialsMode, Verdict};
use cors_har::{judge, read_har, recording_browser, redact, HarReport, Judgement, Limits, Replay};
use cors_probe::{run_check, CheckRequest};

use crate::commands::check;
use cors_report::har::{har_to_json, render_har};

/// Files above this size get a progress bar (on a terminal).
const PROGRESS_FROM: u64 = 64 * 1024 * 1024;

/// `--browser`: the browser that judges instead of the recording's.
pub fn browser_choice(id: Option<&str>) -> Result<Option<Browser>, Failure> {
    id.map(|id| {
        Browser::from_id(id).ok_or_else(|| {
            Failure::usage(format!("unknown browser `{id}`"))
                .with_hint("use chromium, firefox or webkit (or chrome, edge, safari)")
        })
    })
    .transpose()
}

/// Reads the HAR document of `input` (`name` in messages) and judges it as
/// `chosen` would, else as the browser that recorded it. `serve`'s drop
/// zone judges with it too.
pub fn judge_input(
    input: impl Read,
    name: &str,
    chosen: Option<Browser>,
) -> Result<HarReport, Failure> {
    let har = read_har(input, &Limits::default(), &mut |_| {})
        .map_err(|e| Failure::usage(format!("{name}: {e}")))?;
    let (browser, evidence) = match chosen {
        Some(b) => (b, "chosen with --browser".to_string()),
        None => recording_browser(&har),
    };
    Ok(judge(har, browser, evidence))
}

pub fn run(args: &HarArgs, out: &mut Output) -> Result<u8, Failure> {
    let chosen = browser_choice(args.browser.as_deref())?;
    let (name, input, size): (String, Box<dyn Read>, Option<u64>) = if args.file == "-" {
        (
            "<stdin>".to_string(),
            Box::new(std::io::stdin().lock()),
            None,
        )
    } else {
        let file = std::fs::File::open(&args.file)
            .map_err(|e| Failure::usage(format!("cannot read the HAR file {}: {e}", args.file)))?;
        let size = file.metadata().ok().map(|m| m.len());
        (args.file.clone(), Box::new(file), size)
    };
    let input = std::io::BufReader::with_capacity(256 * 1024, input);
    if let Some(out_path) = &args.redact {
        // Creating the output empties the file before it is read: the
        // recording would be lost.
        let same = |a: &str, b: &str| {
            matches!(
                (std::fs::canonicalize(a), std::fs::canonicalize(b)),
                (Ok(a), Ok(b)) if a == b
            )
        };
        if args.file != "-" && out_path != "-" && same(&args.file, out_path) {
            return Err(Failure::usage(format!(
                "--redact {out_path} is the HAR file being read: writing it would destroy the recording"
            ))
            .with_hint("write the redacted copy to another file"));
        }
        return redact_to(input, out_path, &name, args.keep_bodies);
    }
    let bar = match size {
        Some(size) if size >= PROGRESS_FROM && std::io::stderr().is_terminal() && !args.json => {
            let bar = indicatif::ProgressBar::new(size);
            if let Ok(style) = indicatif::ProgressStyle::with_template(
                "{spinner} reading {bytes}/{total_bytes} {wide_bar} {bytes_per_sec} {eta}",
            ) {
                bar.set_style(style);
            }
            Some(bar)
        }
        _ => None,
    };
    let read: Box<dyn Read> = match &bar {
        Some(bar) => Box::new(bar.wrap_read(input)),
        None => Box::new(input),
    };
    let report = judge_input(read, &name, chosen);
    if let Some(bar) = &bar {
        bar.finish_and_clear();
    }
    let mut report = report?;
    if args.replay {
        replay(&mut report, args)?;
    }
    if args.json {
        out.json(&har_to_json(&report, &name, args.show_secrets))?;
    } else {
        out.print(&render_har(
            &report,
            &name,
            &out.palette(),
            args.show_secrets,
        ));
    }
    Ok(if report.any_blocked() {
        exit::BLOCKED
    } else {
        exit::OK
    })
}

/// The most requests `--replay` sends.
const MAX_REPLAYS: usize = 500;

/// `--replay`: every fetch that did not pass is sent again by `check`, as
/// the recording browser would send it, and judged by the engine.
fn replay(report: &mut HarReport, args: &HarArgs) -> Result<(), Failure> {
    let (transport, _) = check::transport_options(&args.network)?;
    let client = check::client(&transport)?;
    let runtime = crate::runtime()?;
    let browser = report.browser;
    let mut sent = 0;
    for fetch in report.fetches_mut() {
        if fetch.verdict() == Verdict::Allowed {
            continue;
        }
        let Some(request) = fetch.request.clone() else {
            continue;
        };
        if sent == MAX_REPLAYS {
            eprintln!("--replay: stopped after {MAX_REPLAYS} requests");
            break;
        }
        sent += 1;
        let mut replayed = send(&runtime, &client, browser, request.clone(), false);
        // A failure the recording holds without its headers, that passes
        // when sent again: a recording without cookies cannot tell the
        // credentials mode, so try it credentialed before calling it fixed.
        let unanswered = matches!(fetch.judgement, Judgement::NoResponse { .. });
        if unanswered
            && !request.includes_credentials()
            && replayed
                .as_ref()
                .is_some_and(|r| r.verdict == Verdict::Allowed)
        {
            let mut credentialed = request;
            credentialed.credentials = CredentialsMode::Include;
            let again = send(&runtime, &client, browser, credentialed, true);
            if again
                .as_ref()
                .is_some_and(|r| r.verdict != Verdict::Allowed)
            {
                replayed = again;
            }
        }
        fetch.replay = replayed;
    }
    Ok(())
}

/// One replay: `check`'s probe sends `request` as `browser` would.
fn send(
    runtime: &tokio::runtime::Runtime,
    client: &cors_probe::Client,
    browser: cors_engine::Browser,
    request: cors_engine::Request,
    assumed_credentials: bool,
) -> Option<Replay> {
    let check = CheckRequest {
        request,
        body: None,
        browsers: vec![browser],
        probe_second_origin: false,
    };
    let result = runtime.block_on(run_check(&check, client));
    let error = result.network_error().map(|e| e.to_string());
    result.outcome.browsers.into_iter().next().map(|b| Replay {
        verdict: b.verdict,
        console: b.console,
        findings: b.findings,
        error,
        assumed_credentials,
    })
}

/// `--redact OUT`: the shareable copy, and on standard error what was removed.
fn redact_to(
    input: impl Read,
    out_path: &str,
    name: &str,
    keep_bodies: bool,
) -> Result<u8, Failure> {
    let done = if out_path == "-" {
        let stdout = std::io::stdout().lock();
        redact(input, std::io::BufWriter::new(stdout), keep_bodies)
    } else {
        let file = std::fs::File::create(out_path)
            .map_err(|e| Failure::usage(format!("cannot write {out_path}: {e}")))?;
        redact(input, std::io::BufWriter::new(file), keep_bodies)
    }
    .map_err(|e| Failure::usage(format!("{name}: {e}")))?;
    eprintln!(
        "wrote {out_path}: {} secret header or query values replaced, {} cookie lists emptied, {} URLs cleaned, {} bodies dropped",
        done.header_values, done.cookie_lists, done.urls, done.bodies
    );
    Ok(exit::OK)
}
